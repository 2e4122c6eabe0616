-- http.lua: the default routing hook of ktls-httpd.
--
-- The same script runs in the kernel (ktls_lua.ko, on the plaintext kTLS
-- has just decrypted) and in user space (liblua5.4, --lua=user).  The
-- server calls recv(data, conn) with the bytes of every read; `conn` is a
-- table private to the connection that lives as long as it does.  recv
-- returns `code, file`:
--   0                 not a whole request head yet;
--   200, "/path"      serve that URL path under the docroot (the server
--                     confines it there and handles HEAD, Range, 304...);
--   301..308, "url"   redirect there;
--   4xx/5xx           send that error.
-- Only integers: the kernel's Lua has no floating point.

local MAX_HEAD = 8192           -- request line + headers, as the server's --max-head

local find, sub, match = string.find, string.sub, string.match

-- The verdict for one request head (without its final CRLFCRLF).
local function route(head)
  local method, target = match(match(head, "^[^\r\n]*"), "^(%u+) (%S+) HTTP/1%.[01]$")
  if not method then
    return 400
  end
  if method ~= "GET" and method ~= "HEAD" then
    return 405
  end
  -- absolute-form: keep the path
  local path = match(target, "^https?://[^/]*(/.*)$") or target
  if sub(path, 1, 1) ~= "/" then
    return 400
  end
  -- the query and fragment do not name a file
  path = match(path, "^[^?#]*")
  return 200, path
end

function recv(data, conn)
  local buf = conn.buf
  if buf then
    buf = buf .. data
  else
    buf = data
  end
  local e = find(buf, "\r\n\r\n", 1, true)
  if not e then
    if #buf > MAX_HEAD then
      conn.buf = nil
      return 431
    end
    conn.buf = buf
    return 0
  end
  local code, file = route(sub(buf, 1, e - 1))
  -- Pipelined heads completed by the same read: the server routes them
  -- itself (calling this script again on each head alone), so drop them
  -- and keep only an unfinished one.
  local last = e
  while true do
    local n = find(buf, "\r\n\r\n", last + 4, true)
    if not n then break end
    last = n
  end
  if last + 3 < #buf then
    conn.buf = sub(buf, last + 4)
  else
    conn.buf = nil
  end
  return code, file
end
