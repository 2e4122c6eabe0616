-- expect: stack overflow|error in error handling
local function f() local ok, e = xpcall(f, function(m) error(m, 0) end) error(e, 0) end
f()
