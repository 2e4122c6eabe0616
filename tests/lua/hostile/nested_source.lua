-- expect: all refused|C stack overflow
local srcs = {
  "return " .. string.rep("(", 100000) .. "1" .. string.rep(")", 100000),
  "return " .. string.rep("{", 100000) .. string.rep("}", 100000),
  string.rep("do ", 100000) .. string.rep("end ", 100000),
  "return " .. string.rep("function() return ", 10000) .. "1" .. string.rep(" end", 10000),
  "x = " .. string.rep("-", 100000) .. "1",
  "x = 1" .. string.rep(" .. 1", 100000),
  "x = " .. string.rep("a.", 100000) .. "b",
  string.rep("a, ", 100000) .. "b = 1",
}
for i, s in ipairs(srcs) do
  local f, e = load(s)
  if f and i < 6 then error("accepted source " .. i) end
end
error("all refused")
