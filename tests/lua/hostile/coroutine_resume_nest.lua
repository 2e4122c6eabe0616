-- expect: stack overflow
local function f() local ok, e = coroutine.resume(coroutine.create(f)) error(e, 0) end
f()
