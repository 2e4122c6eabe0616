-- rewrite.lua: rewrites and redirects, then the default routing.
--   /old/...        -> 301 to /new/...          (moved section)
--   /docs           -> 302 to https://example.org/docs (elsewhere)
--   /latest.txt     -> served from /releases/v2.txt (internal rewrite)
--   /               -> /index.html
-- ktls-httpd --lua=kernel -s scripts/examples/rewrite.lua ...
-- Like every routing script: recv(data, conn) -> code, file [, code, file...]

local find, sub, match = string.find, string.sub, string.match

local rewrites = {
  ["/latest.txt"] = "/releases/v2.txt",
}

local function route(head)
  local method, target = match(match(head, "^[^\r\n]*"), "^(%u+) (%S+) HTTP/1%.[01]$")
  if not method then return 400 end
  if method ~= "GET" and method ~= "HEAD" then return 405 end
  local path = match(target, "^[^?#]*")
  if sub(path, 1, 1) ~= "/" then return 400 end
  local rest = match(path, "^/old(/.*)$")
  if rest then return 301, "/new" .. rest end
  if path == "/docs" or match(path, "^/docs/") then
    return 302, "https://example.org" .. path
  end
  if rewrites[path] then return 200, rewrites[path] end
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
