-- expect: stack overflow
local mt = {}
mt.__tostring = function(t) return string.format("%s", t) end
print(tostring(setmetatable({}, mt)))
