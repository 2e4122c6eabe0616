-- expect: budget|stack overflow|not enough memory|nil value
function f() return load("return f()")() end
f()
