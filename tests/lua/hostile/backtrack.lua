-- expect: budget
print(string.find(string.rep("a", 100000), string.rep("a-", 30) .. "b"))
