-- expect: not enough memory|too large
print(#string.rep("x", 1 << 40))
