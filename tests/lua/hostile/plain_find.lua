-- expect: budget|done
local s = string.rep("a", 100000)
print(s:find(string.rep("a", 50000) .. "b", 1, true))
error("done")
