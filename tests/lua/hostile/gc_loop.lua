-- expect: budget
setmetatable({}, {__gc = function() while true do end end})
collectgarbage()
while true do end
