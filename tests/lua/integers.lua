-- Integer arithmetic: wrap-around, floor division and modulo with
-- negatives, bitwise operators, comparisons, conversions, the math library.
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = tostring(t[i]) end
  print(table.concat(t, " "))
end
local maxi, mini = math.maxinteger, math.mininteger

show(maxi, mini, maxi + 1 == mini, mini - 1 == maxi, -mini == mini, maxi * 2)
show(7 // 2, -7 // 2, 7 // -2, -7 // -2, 7 % 3, -7 % 3, 7 % -3, -7 % -3)
show(mini // -1, mini % -1, maxi // 1, 0 // 5, 5 % 1)
show(pcall(function() return 1 // 0 end))
show(pcall(function() return 1 % 0 end))
local zero = 0
show(pcall(function() return mini // zero end))
show(3 & 5, 3 | 5, 3 ~ 5, ~0, 1 << 62, 1 << 63, 1 << 64, -1 >> 1, 256 >> 4, 1 << -1)
show(0xff, 0x7fffffffffffffff, 0xffffffffffffffff, 0x10000000000000000)
show(1 < 2, 2 <= 2, mini < maxi, "a" < "b", "abc" < "abd", "Z" < "a", "" < "a")
show(1 == 1, "1" == 1, 10 == "10", math.type(1), math.type("1"), math.type(nil))
show(tonumber("42"), tonumber("  -7  "), tonumber("0x1F"), tonumber("z", 36), tonumber("777", 8))
show(tonumber("ff", 16), tonumber("11", 2), tonumber(""), tonumber("abc"), tonumber(nil))
show(tonumber("1e"), tonumber("0x"), tonumber("- 1"), tonumber("10", 10), tonumber(12))
show(pcall(tonumber, "10", 99))
show(math.abs(-5), math.abs(mini), math.max(3, 9, 2), math.min(3, 9, 2), math.max(-1))
show(math.tointeger(5), math.tointeger("8"), math.tointeger("x"), math.tointeger({}))
show(math.ult(1, 2), math.ult(-1, 2), math.ult(2, -1), math.fmod(7, 3), math.fmod(-7, 3), math.fmod(7, -3))
show(pcall(math.fmod, 1, 0))
show(math.floor(7), math.ceil(-7), pcall(math.max))
show(math.fmod(mini, -1), math.fmod(5, mini))
local r = math.random(1, 6)
show(r >= 1 and r <= 6, math.random(3, 3), math.type(math.random(0)))
local s = 0
for i = 1, 100 do s = s + i end
show(s)
for i = 10, 1, -3 do show(i) end
for i = maxi - 2, maxi do show(i) end
for i = mini, mini + 2 do show(i) end
for i = 1, 0 do show("never") end
show(pcall(function() for i = 1, 10, 0 do end end))
local f = 1
for i = 1, 20 do f = f * i end
show(f, f * 21, f * 21 // 21 == f)
-- fibonacci, primes, gcd: typical integer workloads
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
show(fib(20))
local function gcd(a, b) while b ~= 0 do a, b = b, a % b end return a end
show(gcd(1071, 462), gcd(17, 5))
local primes = {}
for n = 2, 100 do
  local p = true
  for d = 2, n - 1 do if d * d > n then break end if n % d == 0 then p = false break end end
  if p then primes[#primes + 1] = n end
end
show(#primes, table.concat(primes, ","))
show(string.format("%d", 3))
