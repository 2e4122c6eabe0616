-- klua benchmark workload (integers only): HTTP request matching, table
-- churn and function calls.  Usage: workload.lua [ROUNDS].  Prints a
-- checksum, identical under lua5.4 and klua.
local rounds = tonumber((...)) or 200

local requests = {
  "GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: bench/1.0\r\nAccept: */*\r\n\r\n",
  "GET /static/app.js?v=42 HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: gzip\r\nConnection: keep-alive\r\n\r\n",
  "POST /api/items HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n",
  "HEAD /images/logo.png HTTP/1.0\r\nHost: example.com\r\n\r\n",
  "GET /../../etc/passwd HTTP/1.1\r\nHost: evil\r\n\r\n",
}

local routes = {
  {"^/static/", 1}, {"^/api/", 2}, {"%.png$", 3}, {"%.%.", 4}, {"^/index%.html$", 5},
}

local function route(path)
  for i = 1, #routes do
    if path:find(routes[i][1]) then return routes[i][2] end
  end
  return 0
end

local function parse(req)
  local method, path, ver = req:match("^(%u+) (%S+) HTTP/1%.(%d)\r\n")
  if not method then return nil end
  local headers, n = {}, 0
  for k, v in req:gmatch("\r\n([%w%-]+): ([^\r\n]*)") do
    headers[k:lower()] = v
    n = n + 1
  end
  local q = path:find("?", 1, true)
  if q then path = path:sub(1, q - 1) end
  return method, path, tonumber(ver), headers, n
end

local function churn(n)
  local t = {}
  for i = 1, n do t[i] = {id = i, name = "item" .. i, score = (i * 7919) % 1000} end
  table.sort(t, function(a, b) return a.score < b.score or (a.score == b.score and a.id < b.id) end)
  local s = 0
  while #t > 0 do
    local e = table.remove(t)
    s = s + e.score * 3 + #e.name
  end
  return s
end

local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end

local sum = 0
for r = 1, rounds do
  for i = 1, #requests do
    local m, p, v, h, n = parse(requests[i])
    sum = sum + route(p) * 100 + #m + v + n + #(h.host or "")
  end
  sum = (sum + churn(40)) % 1000000007
  if r % 10 == 0 then sum = (sum + fib(15)) % 1000000007 end
end
print("checksum", sum)
