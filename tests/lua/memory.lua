-- Memory churn across every small block size: blocks freed by the
-- collector are handed out again (the kernel keeps a per-state cache of
-- them), so data written into recycled blocks must never show through.

local function content(len, seed)
  local t = {}
  for i = 1, len do
    t[i] = string.char(97 + (i * 7 + seed) % 26)
  end
  return table.concat(t)
end

-- strings of every length up to well past the largest cached size
local keep = {}
for round = 1, 6 do
  for len = 1, 300 do
    keep[len * 10 + round] = content(len, round)
  end
  -- drop every other round's strings and collect: their blocks go free
  if round % 2 == 0 then
    for len = 1, 300 do keep[len * 10 + round - 1] = nil end
    collectgarbage()
  end
end
local bad, kept = 0, 0
for k, s in pairs(keep) do
  kept = kept + 1
  if s ~= content(k // 10, k % 10) then bad = bad + 1 end
end
print("strings kept", kept, "corrupted", bad)

-- tables whose parts grow and shrink through the small sizes
local sum = 0
for n = 1, 40 do
  local t = {}
  for i = 1, n do t[i] = i * n end
  for i = 1, n do t["k" .. i] = i end
  for i = n, 1, -1 do t[i] = nil end
  collectgarbage()
  for i = 1, n do sum = sum + (t["k" .. i] or -1000) end
end
print("hash parts after shrinking", sum)

-- closures and their upvalues, built and collected in waves
local fs = {}
for wave = 1, 5 do
  for i = 1, 200 do
    local a, b = i, wave
    fs[i] = function() return a * 1000 + b end
  end
  collectgarbage()
end
local acc = 0
for i = 1, 200 do acc = acc + fs[i]() end
print("closures", acc)

-- a string grown by concatenation, so buffers move between sizes
local s = ""
for i = 1, 400 do s = s .. string.char(65 + i % 26) end
print("grown", #s, s:sub(1, 30), s:sub(-30))

-- coroutines (threads and their stacks) created and dropped
local total = 0
for i = 1, 100 do
  local co = coroutine.wrap(function(x)
    local y = coroutine.yield(x + 1)
    return y * 2
  end)
  total = total + co(i) + co(i)
  if i % 25 == 0 then collectgarbage() end
end
print("coroutines", total)
