-- expect: stack overflow|error in error handling
local function h(m) return select(2, xpcall(error, h, m)) end
local ok, e = xpcall(error, h, "x")
error(e, 0)
