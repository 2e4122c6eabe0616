-- expect: too many elements
table.move({}, 1, math.maxinteger, 2)
