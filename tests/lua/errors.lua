-- Error values, pcall/xpcall, error levels, assert, __gc, coroutines, utf8.
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = tostring(t[i]) end
  print(table.concat(t, " "))
end

show(pcall(error, "msg"))
show(pcall(error, "msg", 0))
show(pcall(error))
show(pcall(error, nil))
show(select(2, pcall(error, {code = 7})).code)
show(pcall(error, setmetatable({}, {__tostring = function() return "custom" end})))
local function lvl1() error("deep", 1) end
local function lvl2() error("up", 2) end
show(pcall(lvl1))
show(pcall(lvl2))
show(pcall(function() local x = nil; return x.field end))
show(pcall(function() return #nil end))
show(pcall(function() return {} < {} end))
show(pcall(function() undefinedfunction() end))
show(pcall(function() local t = {} t.a.b = 1 end))
show(pcall(function() return "x" .. {} end))
show(xpcall(function() error("E") end, function(m) return "handled: " .. m end))
show(xpcall(function(a, b) return a + b end, tostring, 3, 4))
show(xpcall(error, function(m) return type(m) end, {}))
show(assert(1, "unused"), pcall(assert, false), pcall(assert, nil, "amsg"), type(select(2, pcall(assert, false, {}))))
show(pcall(pcall))
show(select("#", pcall(function() return 1, 2, 3 end)))
show(pcall(string.rep, "x", -1))
show(pcall(setmetatable, 1, {}))
show(pcall(string.sub))
show(pcall(("x").rep, "x", "y"))
show(pcall(load, "return 1 +"))
show(load("return 1 +"))
show(load("x ="))
show(load("return ...", "chunk")(5, 6))
show(load("syntax error here", "=named"))
show(type(load(function() return nil end)))
local parts = {"return ", "1 ", "+ 41"}
local i = 0
show(load(function() i = i + 1 return parts[i] end)())
local env = {y = 5}
show(load("return y", "e", "t", env)())
show(pcall(load("error('in chunk')", "=mychunk")))

-- __gc
do
  local log = {}
  setmetatable({}, {__gc = function() log[#log + 1] = "gc1" end})
  local keep = setmetatable({}, {__gc = function() log[#log + 1] = "gc2" end})
  collectgarbage()
  collectgarbage()
  show(table.concat(log, " "))
  keep = nil
  collectgarbage()
  show(table.concat(log, " "))
  local weak = setmetatable({}, {__mode = "k"})
  weak[{}] = 1
  collectgarbage()
  show(next(weak))
  show(collectgarbage("isrunning"), collectgarbage("step") ~= nil, type(collectgarbage("count")))
end

-- coroutines
local co = coroutine.create(function(a, b)
  show("start", a, b)
  local c = coroutine.yield(a + b)
  show("got", c)
  local d, e = coroutine.yield(c * 2)
  return d + e
end)
show(coroutine.resume(co, 1, 2))
show(coroutine.status(co))
show(coroutine.resume(co, 10))
show(coroutine.resume(co, 3, 4))
show(coroutine.status(co), coroutine.resume(co))
local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
show(gen(), gen(), gen())
show(coroutine.isyieldable(), select(2, coroutine.running()))
local co2 = coroutine.create(function() error("in co") end)
show(coroutine.resume(co2))
local co3 = coroutine.create(function() coroutine.yield() end)
coroutine.resume(co3)
show(coroutine.close(co3), coroutine.status(co3))
show(type(select(2, pcall(coroutine.wrap(function() error({}) end)))))
local inner = coroutine.wrap(function()
  local deeper = coroutine.wrap(function() coroutine.yield("deep") return "end" end)
  coroutine.yield(deeper())
  coroutine.yield(deeper())
end)
show(inner(), inner())
show(select(2, coroutine.resume(coroutine.create(function() return coroutine.isyieldable() end))))

-- utf8
local u = "häll€ 𝄞"
show(utf8.len(u), #u, utf8.char(72, 228, 8364, 119070), utf8.charpattern)
local cps = {}
for p, c in utf8.codes(u) do cps[#cps + 1] = p .. ":" .. c end
show(table.concat(cps, " "))
show(utf8.codepoint(u, 1, 3), utf8.offset(u, 3), utf8.offset(u, -1), utf8.len("\xff"))
show(pcall(utf8.codepoint, "\xff"))
show(utf8.len(u, 3), utf8.len(""), utf8.char())
