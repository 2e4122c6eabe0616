-- expect: float division
local a = 7
print(a // 2)
print(a / 2)
