-- expect: done
print(#string.rep("", math.maxinteger), #string.rep("", math.maxinteger, ""))
error("done")
