-- expect: budget|stack overflow|not enough memory
function f() return load("return f()")() end
f()
