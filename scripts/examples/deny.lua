-- deny.lua: refuse requests by header, then the default routing.
--   User-Agent containing "BadBot" (any case)     -> 403
--   /private/... without "X-Api-Key: let-me-in"  -> 403
--   a Referer from another site on /img/...       -> 403 (no hotlinking)
-- ktls-httpd --lua=kernel -s scripts/examples/deny.lua ...

local find, sub, match, lower = string.find, string.sub, string.match, string.lower

-- The value of header `name` (lower case) in a head, or nil.
local function header(lhead, name)
  return match(lhead, "\r\n" .. name .. ":[ \t]*([^\r\n]*)")
end

local function route(head)
  local method, target = match(match(head, "^[^\r\n]*"), "^(%u+) (%S+) HTTP/1%.[01]$")
  if not method then return 400 end
  if method ~= "GET" and method ~= "HEAD" then return 405 end
  local path = match(target, "^[^?#]*")
  if sub(path, 1, 1) ~= "/" then return 400 end
  local lhead = lower(head)
  local ua = header(lhead, "user%-agent")
  if ua and find(ua, "badbot", 1, true) then return 403 end
  if match(path, "^/private/") then
    -- header values keep their case: look them up in the original head
    local key = match(head, "\r\n[Xx]%-[Aa][Pp][Ii]%-[Kk][Ee][Yy]:[ \t]*([^\r\n]*)")
    if key ~= "let-me-in" then return 403 end
  end
  if match(path, "^/img/") then
    local ref = header(lhead, "referer")
    if ref and not match(ref, "^https://localhost[:/]") then return 403 end
  end
  return 200, path
end

function recv(data, conn)
  local buf = (conn.buf or "") .. data
  local v, n, pos = {}, 0, 1
  while true do
    local e = find(buf, "\r\n\r\n", pos, true)
    if not e then break end
    if n < 8 then
      local code, file = route(sub(buf, pos, e - 1))
      v[2 * n + 1], v[2 * n + 2] = code, file or ""
      n = n + 1
    end
    pos = e + 4
  end
  buf = sub(buf, pos)
  if #buf > 8192 then
    conn.buf = nil
    if n == 0 then return 431 end
  else
    conn.buf = buf ~= "" and buf or nil
  end
  if n == 0 then return 0 end
  return table.unpack(v, 1, 2 * n)
end
