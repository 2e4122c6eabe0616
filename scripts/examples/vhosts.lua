-- vhosts.lua: virtual hosts by the Host header.  Each site is a directory
-- of the docroot named after its host (port dropped, lower case):
--   Host: a.example  ->  <docroot>/a.example/<path>
-- Unknown hosts get <docroot>/default/<path>; a Host that is not a plain
-- host name gets 400 (so it can never name "..").
-- ktls-httpd --lua=kernel -s scripts/examples/vhosts.lua -r /srv/sites ...

local find, sub, match, lower = string.find, string.sub, string.match, string.lower

local sites = {           -- the hosts served; others go to "default"
  ["localhost"] = "localhost",
  ["a.example"] = "a.example",
  ["b.example"] = "b.example",
}

local function route(head)
  local method, target = match(match(head, "^[^\r\n]*"), "^(%u+) (%S+) HTTP/1%.[01]$")
  if not method then return 400 end
  if method ~= "GET" and method ~= "HEAD" then return 405 end
  local path = match(target, "^[^?#]*")
  if sub(path, 1, 1) ~= "/" then return 400 end
  local host = match(lower(head), "\r\nhost:[ \t]*([^\r\n]*)")
  if not host then return 400 end
  host = match(host, "^([^:]*)")
  if not match(host, "^[%w%-%.]*$") or find(host, "..", 1, true) then
    return 400
  end
  return 200, "/" .. (sites[host] or "default") .. path
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
