-- expect: budget
print(xpcall(error, function(m) while true do end end))
while true do end
