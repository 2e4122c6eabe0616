-- expect: too complex
print(string.find(string.rep("a", 10000), string.rep("a?", 10000)))
