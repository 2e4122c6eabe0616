-- http.lua: the default routing hook of ktls-httpd.
--
-- The same script runs in the kernel (ktls_lua.ko, on the plaintext kTLS
-- has just decrypted) and in user space (liblua5.4, --lua=user).  The
-- server calls recv(data, conn) with the bytes of every read; `conn` is a
-- table private to the connection that lives as long as it does.  recv
-- returns `code, file`:
--   0                 not a whole request head yet;
--   several pairs      code1, file1, code2, file2... when one read completes
--                     several (pipelined) request heads;
--   200, "/path"      serve that URL path under the docroot (the server
--                     confines it there and handles HEAD, Range, 304...);
--   301..308, "url"   redirect there;
--   4xx/5xx           send that error.
-- Only integers: the kernel's Lua has no floating point.

local MAX_HEAD = 8192           -- request line + headers, as the server's --max-head

local find, sub, match = string.find, string.sub, string.match

-- The verdict for the request head starting at pos in buf (its request
-- line ends at the first CRLF, which the head's final CRLFCRLF ensures).
-- Cheap on purpose: it runs for every request, in the kernel too; only the
-- request line is looked at, and only its path is copied out.
local function route(buf, pos)
  local method, path = match(buf, "^(%u+) (/[^%s?#]*)%S* HTTP/1%.[01][\r\n]", pos)
  if method then
    -- origin-form, the common case (the query or fragment left out)
    if method ~= "GET" and method ~= "HEAD" then
      return 405
    end
    return 200, path
  end
  local target
  method, target = match(buf, "^(%u+) (%S+) HTTP/1%.[01][\r\n]", pos)
  if not method then
    return 400
  end
  if method ~= "GET" and method ~= "HEAD" then
    return 405
  end
  -- absolute-form: keep the path, without its query or fragment
  path = match(target, "^https?://[^/]*(/[^?#]*)")
  if not path then
    return 400
  end
  return 200, path
end

local MAX_VERDICTS = 8          -- TLS_LUA_VERDICTS_MAX

function recv(data, conn)
  local buf = conn.buf
  if buf then
    buf = buf .. data
  else
    buf = data
  end
  -- One verdict per request head this read completed (pipelining), in
  -- order: code1, file1, code2, file2, ...  The server routes heads beyond
  -- MAX_VERDICTS itself by calling this script on each head alone.  The
  -- usual read holds one head: its verdict is returned without a table.
  local code1, file1, v
  local n, pos = 0, 1
  while true do
    local e = find(buf, "\r\n\r\n", pos, true)
    if not e then break end
    if n == 0 then
      code1, file1 = route(buf, pos)
    elseif n < MAX_VERDICTS then
      if not v then v = {code1, file1 or ""} end
      local code, file = route(buf, pos)
      v[2 * n + 1] = code
      v[2 * n + 2] = file or ""
    end
    n = n + 1
    pos = e + 4
  end
  if pos > #buf then
    if conn.buf then conn.buf = nil end
  else
    buf = sub(buf, pos)
    if #buf > MAX_HEAD then
      conn.buf = nil
      if n == 0 then return 431 end
    else
      conn.buf = buf
    end
  end
  if n == 0 then return 0 end
  if not v then return code1, file1 or "" end
  return table.unpack(v, 1, 2 * (n < MAX_VERDICTS and n or MAX_VERDICTS))
end
