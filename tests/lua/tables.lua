-- Table library, length, next/ipairs, and sorted views of pairs().
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = tostring(t[i]) end
  print(table.concat(t, " "))
end
local function keys(t)
  local k = {}
  for key in pairs(t) do k[#k + 1] = tostring(key) end
  table.sort(k)
  return table.concat(k, ",")
end

local t = {10, 20, 30}
table.insert(t, 40)
table.insert(t, 1, 5)
show(#t, table.concat(t, ","))
show(table.remove(t), table.remove(t, 1), table.concat(t, ","))
show(table.remove({}), #t, table.remove(t, #t + 1))
show(pcall(table.insert, t, 10, 1))
show(pcall(table.insert, t, 1, 2, 3))
show(table.concat({}), table.concat({1, 2, 3}), table.concat({1, "a", 3}, "-", 2, 3))
show(pcall(table.concat, {1, {}, 3}))
local u = table.pack(1, nil, 3)
show(u.n, u[1], u[2], u[3])
show(table.unpack({1, 2, 3}), table.unpack({1, 2, 3}, 2), table.unpack({1, 2, 3}, 2, 5))
show(select("#", table.unpack({}, 1, 3)))
local m = table.move({1, 2, 3, 4, 5}, 2, 4, 1)
show(table.concat(m, ","))
show(table.concat(table.move({1, 2, 3}, 1, 3, 3), ","))
show(table.concat(table.move({1, 2, 3}, 1, 3, 1, {}), ","))

-- sort: default, comparator, strings, errors
local nums = {5, 2, 8, 1, 9, 3, 7, 4, 6, 0, -3, 100, 42}
table.sort(nums)
show(table.concat(nums, " "))
table.sort(nums, function(a, b) return a > b end)
show(table.concat(nums, " "))
local words = {"pear", "apple", "fig", "banana", "cherry"}
table.sort(words)
show(table.concat(words, " "))
table.sort(words, function(a, b) return #a < #b or (#a == #b and a < b) end)
show(table.concat(words, " "))
show(pcall(table.sort, {1, "x", 2}))
local big = {}
for i = 1, 1000 do big[i] = (i * 7919) % 1009 end
table.sort(big)
local okay = true
for i = 2, #big do if big[i - 1] > big[i] then okay = false end end
show("sorted 1000", okay, big[1], big[1000])

-- length, border, next, ipairs, pairs
show(#{1, 2, 3, nil}, #{n = 1}, #"", rawlen({1, 2}), rawlen("abc"))
local seen = {}
for i, v in ipairs({"a", "b", "c", nil, "e"}) do seen[#seen + 1] = i .. "=" .. v end
show(table.concat(seen, " "))
local h = {x = 1, y = 2, z = 3, 10, 20}
show(keys(h))
local n = 0
for k, v in pairs(h) do n = n + 1 end
show(n, next({}), type(next(h)))
h.x = nil
show(keys(h), rawget(h, "y"), rawequal(h, h), rawequal(h, {}))
rawset(h, "w", 9)
show(keys(h))

-- integer keys and float-looking keys
local k = {}
k[1] = "one"; k[2] = "two"
show(k[1], k[2], #k)
k[math.maxinteger] = "max"; k[math.mininteger] = "min"
show(k[math.maxinteger], k[math.mininteger])
show(select("#", 1, nil, 3), select(2, "a", "b", "c"), select(-1, "a", "b", "c"))
show(pcall(select, 0))
