-- expect: stack overflow
local t
t = setmetatable({}, {__index = function(_, k) return table.concat(t, ",", 1, 2) end})
print(table.concat(t, ",", 1, 2))
