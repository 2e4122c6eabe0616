-- Every string function and pattern item; integer-only.  The output must
-- be identical under lua5.4 and klua (tests/guest/klua_lua.t).
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = tostring(t[i]) end
  print(table.concat(t, " | "))
end

-- byte, char, len, sub, upper, lower, reverse, rep
local s = "Hello, World"
show(#s, s:len(), s:byte(1), s:byte(-1), s:byte(2, 4))
show(string.char(72, 105, 0, 255):byte(1, -1))
show(s:sub(1, 5), s:sub(-5), s:sub(3, -3), s:sub(0), s:sub(100), s:sub(-100, 2))
show(s:upper(), s:lower(), s:reverse(), ("abc"):rep(3), ("ab"):rep(3, "-"))
show(("x"):rep(0), ("x"):rep(-1), (""):rep(5), ("a"):rep(1, ","))
show(("\200\201"):upper(), ("ÀÉ"):lower())

-- find (plain and patterns), match, gmatch, gsub
show(s:find("World"), s:find("o", 6), s:find("xyz"), s:find("l+"))
show(s:find(".", 1, true), ("a.b"):find(".", 1, true), s:find("", 3), s:find("", 100))
show(s:match("(%a+), (%a+)"), s:match("()ll()"), s:match("%d"))
for w in ("one two  three"):gmatch("%a+") do show(w) end
for k, v in ("a=1, b=22, c=333"):gmatch("(%w+)=(%w+)") do show(k, v) end
show(("hello world"):gsub("o", "0"))
show(("hello world"):gsub("(%w+)", "<%1>"))
show(("hello world"):gsub("%w+", "%0 %0", 1))
show(("abc"):gsub("", "-"))
show(("hello"):gsub("l", {l = "L"}))
show(("$name is $age"):gsub("%$(%w+)", {name = "bob", age = 42}))
show(("abc"):gsub("%w", function(c) return c:byte() end))
show(("abc"):gsub("%w", function(c) if c == "b" then return false end end))
show(pcall(string.gsub, "abc", "(", "x"))
show(pcall(string.gsub, "abc", "%", "x"))
show(pcall(string.gsub, "abc", "b", "%2"))
show(pcall(string.rep))

-- character classes
local all = {}
for i = 0, 127 do all[#all + 1] = string.char(i) end
all = table.concat(all)
for _, c in ipairs({"a", "c", "d", "g", "l", "p", "s", "u", "w", "x"}) do
  local n1 = select(2, all:gsub("%" .. c, ""))
  local n2 = select(2, all:gsub("%" .. c:upper(), ""))
  show("%" .. c, n1, n2)
end
-- high bytes are in no class (C locale)
local high = {}
for i = 128, 255 do high[#high + 1] = string.char(i) end
high = table.concat(high)
show(select(2, high:gsub("%a", "")), select(2, high:gsub("%p", "")),
     select(2, high:gsub("%s", "")), select(2, high:gsub(".", "")))

-- sets, ranges, anchors, quantifiers
show(("abc123def"):match("[%d]+"), ("abc123def"):match("[^%a]+"), ("a-b"):match("[a%-]+"))
show(("2024-01-15"):match("^(%d+)-(%d+)-(%d+)$"))
show(("  trim me  "):match("^%s*(.-)%s*$"))
show(("aaa"):match("a-"), ("aaa"):match("a-$"), ("aaa"):match("a*"), ("aaa"):match("a+"), ("aaa"):match("a?"))
show(("[x]"):match("%[(.)%]"), ("f(a(b)c)d"):match("%b()"), ("THE (quick) fox"):find("%f[%a]%a+%f[%A]"))
show(("hello hello"):match("(h%w+) %1"), ("xyyx"):match("(.)(.)%2%1"))
show(("key = value"):match("^(%w+)%s*=%s*(%w+)$"))
show(pcall(string.find, "abc", "[a-", 1), pcall(string.find, "abc", "[a"))
show(pcall(string.match, "x", "%f"))
show(("a,b,,c"):gsub(",", ";"))
show(("abc"):find("b", -1), ("abc"):find("b", -2), ("abc"):find("b", -10))

-- format: integer conversions, strings, %q, %%
show(string.format("%d %i %5d %-5d| %05d %+d % d", 42, -42, 42, 42, 42, 42, 42))
show(string.format("%x %X %#x %o %#o %c%c%c", 255, 255, 255, 8, 8, 76, 117, 97))
show(string.format("%u", 3000000000))
show(string.format("%.3d|%10.4d|%-10.4d|", 7, 7, 7))
show(string.format("%s %10s %-10s| %.2s", "abc", "abc", "abc", "abc"))
show(string.format("%q", "line1\nline2\t\0end\"\\"))
show(string.format("%q", 42), string.format("%q", math.mininteger), string.format("%q", math.maxinteger))
show(string.format("%%"), string.format("%5s%%", "x"))
show(string.format("%s %s %s", nil, true, 12))
show(string.format("%d", 3), pcall(string.format, "%d", "x"))
show(pcall(string.format, "%d"))
show(pcall(string.format, "%y", 1))
show(string.format("%x", -1), string.format("%d", math.mininteger))
show(string.format("[%5s][%-5s]", "ab", "ab"))
show(tostring(12), tostring(-0), tostring(nil), tostring(true))
local mt = setmetatable({}, {__tostring = function() return "OBJ" end})
show(string.format("%s|%10s", mt, mt))

-- pack, unpack, packsize (integer formats)
local p = string.pack("i4", 100)
show(#p, string.unpack("i4", p))
show(string.unpack("<i2 >i2", string.pack("<i2 >i2", 1, 2)))
show(string.packsize("i4i8"), string.packsize("!8i1i8"), string.packsize("b h l j"))
show(string.unpack("z", "hello\0rest"), string.unpack("s1", string.pack("s1", "hi")))
show(string.pack(">I3", 0x010203):byte(1, -1))
show(pcall(string.pack, "i1", 200))
show(string.unpack("B", "\255"), string.unpack("b", "\255"))
show(string.pack("c5", "ab"):byte(1, -1))
show(string.unpack("<j", string.pack("<j", math.mininteger)))

-- string coercions
show("10" + 5, "3" * "4", 10 .. 20, "0x10" + 0, "  7  " * 1, -"2", "10" // "3", "10" % "4")
show(pcall(function() return "abc" + 1 end))
show(#"\u{48}\u{7FF}\u{FFFF}", "\x41\65\066\z
      B")
show(type(string.dump(function() end)), #string.format("%099d", 7), ("%5.2s|"):format("abc"))
show(("x"):byte(0), ("abc"):byte(10), string.char())
