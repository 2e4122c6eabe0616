#!/bin/bash
# Hostile input through the klua command (issue 7), beside klua_hostile.t
# (which runs tests/lua/hostile/*.lua): the recursion paths and limits of
# the hook's adversarial test run as `klua eval`, five at a time; bad
# chunks (binary, NUL bytes, random bytes, over-size); absurd option
# values; an unprivileged caller.  Each ends with a clean error within its
# time limit; afterwards kernel memory is back to its baseline.  The
# kernel staying clean (no Oops/WARN/lockup) is checked by vm/run.
. tests/lib.sh
KLUA=${KLUA:-build/tools/klua}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; kill $(jobs -p) 2>/dev/null' EXIT

if [ ! -x "$KLUA" ] || [ ! -e /dev/klua ]; then
	fail "klua and /dev/klua exist" "klua: $KLUA; /dev/klua: $(ls -l /dev/klua 2>&1)"
	done_testing
	exit 1
fi
unrec() { awk '$1 == "SUnreclaim:" { print $2 }' /proc/meminfo; }
settle() { for _ in 1 2 3; do sleep 0.2; echo 2 > /proc/sys/vm/drop_caches; done 2>/dev/null; }
settle
u0=$(unrec)

STACK='stack overflow|C stack|error in error handling|not enough memory'
BUDGET='budget|instruction'
MEM='not enough memory|too large|budget'
# name|expected (ERE)|code
cases=(
"pcall nest|$STACK|local function f() local ok, e = pcall(f) if not ok then error(e, 0) end end f()"
"gsub with function|$STACK|local function f(s) return (s:gsub('.', f)) end f('aaaa')"
"__tostring in format|$STACK|local mt = {} mt.__tostring = function(t) return string.format('%s', t) end return tostring(setmetatable({}, mt))"
"__index in concat|$STACK|local t t = setmetatable({}, {__index = function(_, k) return table.concat(t, ',', 1, 2) end}) return table.concat(t, ',', 1, 2)"
"sort comparator|$STACK|invalid order|local function cmp(a, b) table.sort({3, 2, 1}, cmp) return a < b end table.sort({3, 2, 1}, cmp)"
"coroutines in coroutines|$STACK|local function f() local ok, e = coroutine.resume(coroutine.create(f)) error(e, 0) end f()"
"memory bomb|$MEM|local t = {} for i = 1, 1000000000 do t[i] = string.rep('x', 100) .. i end"
"string.rep giant|$MEM|return #string.rep('x', 1 << 40)"
"endless loop|$BUDGET|while true do end"
"endless coroutine|$BUDGET|local co = coroutine.wrap(function() while true do coroutine.yield() end end) while true do co() end"
"endless loop inside a coroutine|$BUDGET|local ok, e = coroutine.resume(coroutine.create(function() while true do end end)) error(e, 0)"
"error in __gc|.|setmetatable({}, {__gc = function() error('in gc') end}) collectgarbage() error('after gc')"
"endless __gc|$BUDGET|setmetatable({}, {__gc = function() while true do end end}) collectgarbage()"
"catastrophic backtracking|$BUDGET|too complex|return string.find(string.rep('a', 100000), string.rep('a-', 30) .. 'b')"
"binary chunk via load|binary|text|local f, e = load('\27LuaT') error(e or 'loaded', 0)"
)

# how long a contained script may take: 30 s, or TEST_TIMEOUT on a slow
# (debug) kernel
limit=${TEST_TIMEOUT:-30}

run_case() {	# name expect code -> "ok"/"not ok" line on stdout
	local name=$1 expect=$2 code=$3 out rc err ef="$tmp/err.$BASHPID"
	out=$(timeout "$limit" "$KLUA" -m 2M -i 300000 eval "$code" 2>"$ef")
	rc=$?
	err=$(head -c 300 "$ef")
	if [ $rc = 1 ] && grep -Eqi -- "$expect" <<<"$err"; then
		echo "ok|klua eval: $name: ${err:0:100}"
	elif [ $rc = 124 ]; then
		echo "not ok|klua eval: $name: not contained within $limit s"
	else
		echo "not ok|klua eval: $name: exit $rc, /$expect/ expected: ${err:0:200}"
	fi
}

# five at a time: the states run concurrently in the kernel
i=0
for c in "${cases[@]}"; do
	name=${c%%|*}; rest=${c#*|}; code=${rest##*|}; expect=${rest%|*}
	run_case "$name" "$expect" "$code" > "$tmp/res.$i" &
	i=$((i + 1))
	[ $((i % 5)) = 0 ] && wait
done
wait
for ((k = 0; k < i; k++)); do
	line=$(cat "$tmp/res.$k")
	if [ "${line%%|*}" = ok ]; then pass "${line#*|}"; else fail "${line#*|}"; fi
done

# Bad chunks and bad options: a clean refusal, never a crash.
printf '\033LuaT\000\031\223\r\n\032\n\004\010\010xV' > "$tmp/binary.lua"
printf 'return 1\000\000return 2' > "$tmp/nul.lua"
head -c 4096 /dev/urandom > "$tmp/random.lua"
head -c $((2 << 20)) /dev/zero | tr "\0" " " > "$tmp/huge.lua"
for f in binary nul random huge; do
	timeout 60 "$KLUA" run "$tmp/$f.lua" > /dev/null 2> "$tmp/e"
	rc=$?
	if [ $rc = 1 ] && [ -s "$tmp/e" ]; then
		pass "klua run: $f chunk refused: $(head -c 100 "$tmp/e")"
	else
		fail "klua run: $f chunk refused with a message" "exit $rc: $(head -c 200 "$tmp/e")"
	fi
done
for opt in "-m 1" "-m 99999999999999999999" "-i -5" "--stack-pad 99999999"; do
	# shellcheck disable=SC2086
	timeout 30 "$KLUA" $opt eval 'local s = 0 for i = 1, 100 do s = s + i end return s' \
		> "$tmp/o" 2> "$tmp/e"
	rc=$?
	if [ $rc -le 2 ]; then
		pass "klua $opt: ends cleanly (exit $rc$([ -s "$tmp/e" ] && echo ": $(head -c 80 "$tmp/e")"))"
	else
		fail "klua $opt: ends cleanly" "exit $rc: $(head -c 200 "$tmp/e")"
	fi
done

# An unprivileged caller is refused.
if command -v setpriv > /dev/null; then
	timeout 30 setpriv --reuid=65534 --regid=65534 --clear-groups "$KLUA" eval 'return 1' \
		> /dev/null 2> "$tmp/e"
	rc=$?
	if [ $rc != 0 ] && grep -Eqi 'permi|denied|EPERM|not permitted' "$tmp/e"; then
		pass "klua as nobody: refused ($(head -c 80 "$tmp/e"))"
	else
		fail "klua as nobody: refused" "exit $rc: $(head -c 200 "$tmp/e")"
	fi
fi

settle
u1=$(unrec)
diag "SUnreclaim $u0 -> $u1 KiB"
if [ $((u1 - u0)) -lt 4096 ]; then
	pass "klua hostile input: unreclaimable slab back to baseline (+$((u1 - u0)) KiB)"
else
	fail "klua hostile input: unreclaimable slab back to baseline" "+$((u1 - u0)) KiB"
fi
done_testing
