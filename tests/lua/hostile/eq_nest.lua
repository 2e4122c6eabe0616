-- expect: stack overflow
local mt = {}
mt.__eq = function(a, b) return a == b end
print(setmetatable({}, mt) == setmetatable({}, mt))
