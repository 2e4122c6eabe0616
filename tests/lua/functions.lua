-- Closures, upvalues, varargs, metatables, goto, to-be-closed variables.
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = tostring(t[i]) end
  print(table.concat(t, " "))
end

local function counter()
  local n = 0
  return function() n = n + 1 return n end
end
local c1, c2 = counter(), counter()
show(c1(), c1(), c2(), c1())
local fs = {}
for i = 1, 3 do fs[i] = function() return i end end
show(fs[1](), fs[2](), fs[3]())
local function va(...) return select("#", ...), ... end
show(va(), va(nil), va(1, nil, 3))
local function tail(n) if n == 0 then return "done" end return tail(n - 1) end
show(tail(100000))
show((function(...) local a, b = ... return a, b end)(1, 2, 3))
local t = {}
function t.f(self, x) return x end
function t:g(x) return self == t, x end
show(t.f(nil, 1), t:g(2))

-- metatables
local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({x = a.x + b.x}, V) end
V.__sub = function(a, b) return setmetatable({x = a.x - b.x}, V) end
V.__mul = function(a, b) return setmetatable({x = a.x * (type(b) == "table" and b.x or b)}, V) end
V.__idiv = function(a, b) return "idiv" end
V.__mod = function(a, b) return "mod" end
V.__unm = function(a) return setmetatable({x = -a.x}, V) end
V.__eq = function(a, b) return a.x == b.x end
V.__lt = function(a, b) return a.x < b.x end
V.__le = function(a, b) return a.x <= b.x end
V.__len = function(a) return a.x end
V.__concat = function(a, b) return "cat" end
V.__call = function(self, y) return self.x + y end
V.__tostring = function(a) return "V(" .. a.x .. ")" end
V.__band = function() return "band" end
V.__shl = function() return "shl" end
V.__bnot = function() return "bnot" end
local function new(x) return setmetatable({x = x}, V) end
local a, b = new(3), new(4)
show(tostring(a + b), tostring(a - b), tostring(a * b), tostring(a * 2), a // b, a % b)
show(tostring(-a), a == new(3), a ~= b, a < b, a <= b, a > b, #a, a .. b, a .. "s", a(10))
show(a & b, a << 1, ~a)
local proxy = setmetatable({}, {
  __index = function(_, k) return k .. "!" end,
  __newindex = function(t, k, v) rawset(t, k, v * 2) end,
})
proxy.y = 21
show(proxy.x, proxy.y, rawget(proxy, "x"))
local chain = setmetatable({}, {__index = setmetatable({a = 1}, {__index = {b = 2}})})
show(chain.a, chain.b, chain.c)
local prot = setmetatable({}, {__metatable = "locked"})
show(getmetatable(prot), pcall(setmetatable, prot, {}))
show(getmetatable("").__index == string, ("x"):upper())

-- goto and loops
local out = {}
for i = 1, 3 do
  for j = 1, 3 do
    if j == 2 then goto continue end
    out[#out + 1] = i .. j
    ::continue::
  end
end
show(table.concat(out, " "))
local n = 0
repeat n = n + 1 until n >= 5
while n > 0 do n = n - 2 end
show(n)

-- to-be-closed variables
do
  local log = {}
  do
    local x <close> = setmetatable({}, {__close = function(_, e) log[#log + 1] = "x:" .. tostring(e) end})
    local y <close> = setmetatable({}, {__close = function() log[#log + 1] = "y" end})
    log[#log + 1] = "body"
  end
  show(table.concat(log, " "))
  local ok, err = pcall(function()
    local z <close> = setmetatable({}, {__close = function(_, e) log[#log + 1] = "z:" .. tostring(e) end})
    error("oops", 0)
  end)
  show(ok, err, log[#log])
  show(pcall(function() local w <close> = 42 end))
  local k <const> = 10
  show(k)
end
