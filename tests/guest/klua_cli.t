#!/bin/bash
# The klua command and /dev/klua: results, errors, limits, refusals.
. tests/lib.sh
KLUA=${KLUA:-build/tools/klua}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run CMD...: sets out, err, rc
run() { out=$("$@" 2>"$tmp/err"); rc=$?; err=$(cat "$tmp/err"); }

run $KLUA eval 'return 1, "two", nil, true'
is "$out|$rc" "1	two	nil	true|0" "eval prints return values tab-separated"
$KLUA eval 'print("a", 1) print() return' >"$tmp/out"
printf 'a\t1\n\n' >"$tmp/want"
if cmp -s "$tmp/out" "$tmp/want"; then pass "print goes to stdout"; else
	fail "print goes to stdout" "$(od -c "$tmp/out" | head -3)"; fi
printf 'local x = 1\nlocal y = 2\nerror("boom")\n' >"$tmp/boom.lua"
run $KLUA run "$tmp/boom.lua"
is "$err|$rc" "klua: $tmp/boom.lua:3: boom|1" "runtime error on stderr with file:line, exit 1"
printf 'x = 1\nx = = 2\n' >"$tmp/syn.lua"
run $KLUA run "$tmp/syn.lua"
is "$err|$rc" "klua: $tmp/syn.lua:2: unexpected symbol near '='|1" "syntax error has the line number"
printf '#!/usr/bin/env lua\nprint(arg[0], #arg, ...)\nerror("l3")\n' >"$tmp/args.lua"
run $KLUA run "$tmp/args.lua" a b
is "$out|$err" "$tmp/args.lua	2	a	b|klua: $tmp/args.lua:3: l3" "arguments, arg table, #! line skipped"
run $KLUA eval 'error({})'
is "$err|$rc" "klua: (error object is a table value)|1" "non-string error object"
run $KLUA eval 'error(setmetatable({}, {__tostring = function() return "TS" end}))'
is "$err" "klua: TS" "error object with __tostring"

# integers only: float operations are errors
for code in 'return 7 / 2' 'return 2 ^ 3' 'return 3.5' 'return 1e3' 'return tonumber("3.5")' \
	    'return ("1") / 2' 'return string.format("%f", 1)' 'return string.format("%g", 1)' \
	    'return string.format("%a", 1)' 'return string.pack("d", 1)' 'return string.pack("n", 1)' \
	    'return string.unpack("f", "abcd")' 'return math.random()' 'return 9223372036854775808' \
	    'return tonumber(" 0x1p4 ")' 'return math.sqrt(4)'; do
	run $KLUA eval "$code"
	if [ $rc = 1 ] && [ -n "$err" ] && [ -z "$out" ]; then
		pass "float refused: $code (${err#klua: })"
	else
		fail "float refused: $code" "exit $rc out '$out' err '$err'"
	fi
done
run $KLUA eval 'local a = 7 if a > 100 then return a / 2 end return a // 2'
is "$out|$rc" "3|0" "a '/' that never runs does not stop the chunk"
run $KLUA eval 'return 7 // 0'
is "$err" "klua: (command line):1: attempt to divide by zero" "integer division by zero"
run $KLUA eval 'return math.mininteger // -1, math.mininteger % -1'
is "$out" "-9223372036854775808	0" "mininteger // -1 wraps, no trap"
run $KLUA eval 'return math.type(1), math.maxinteger + 1 == math.mininteger, tonumber("0x10"), tonumber("1x")'
is "$out" "integer	true	16	nil" "integers, tonumber"
run $KLUA eval 'return tonumber("1.")'
case "$rc|$err" in 1*"is a float"*) pass "tonumber('1.') is a float: error";; *) fail "tonumber('1.')" "$rc $err";; esac

# refusals
printf '\033Lua\124\000garbage' >"$tmp/bin.luac"
run $KLUA run "$tmp/bin.luac"
is "$rc" 1 "binary chunk refused"
case $err in *binary*) pass "binary chunk: message says so";; *) fail "binary chunk message" "$err";; esac
run $KLUA eval 'return load("\27Lua")'
case $out in nil*binary*) pass "load() refuses binary chunks";; *) fail "load() binary" "$out";; esac
param=/sys/module/klua/parameters/max_script
old=$(cat $param)
echo 100 >$param
run $KLUA eval "return '$(printf '%0200d' 0)'"
echo "$old" >$param
case "$rc|$err" in 1*"too large"*) pass "over-size script: E2BIG";; *) fail "over-size script" "$rc $err";; esac
if command -v setpriv >/dev/null; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups $KLUA eval 'return 1'
	case "$rc|$err" in 1*"ermission"*|1*"not permitted"*) pass "non-root refused";;
		*) fail "non-root refused" "$rc $err";; esac
else
	pass "non-root refused # SKIP no setpriv"
fi
run $KLUA -m 200000 eval 'local t = {} for i = 1, 1 << 40 do t[i] = i end'
case $err in *"not enough memory"*) pass "memory cap: not enough memory";; *) fail "memory cap" "$err";; esac
run $KLUA -i 100000 eval 'local n = 0 while true do n = n + 1 end'
case $err in *"budget"*) pass "instruction budget option";; *) fail "instruction budget" "$err";; esac
run $KLUA -i 100000000 eval 'local n = 0 for i = 1, 2000000 do n = n + i end return n'
is "$out" "2000001000000" "a larger budget lets longer work finish"
run $KLUA -o 10 eval 'print(string.rep("x", 100))'
case "$rc|$err" in 1*truncated*) pass "output cap reported";; *) fail "output cap" "$rc $err";; esac
run $KLUA -s eval 'return 1'
case $err in *"mem fresh"*) pass "stats: $err";; *) fail "stats" "$err";; esac
run $KLUA eval 'return dofile, loadfile, io, os, require, package, debug'
is "$out" "nil	nil	nil	nil	nil	nil	nil" "no file loading, no io/os/debug/package"
# the hook counters of ktls_lua.ko, as a table
if [ -r /proc/ktls_lua ]; then
	run $KLUA hooks
	rows=$(($(wc -l </proc/ktls_lua) - 1))
	case "$rc|$(head -1 <<<"$out")" in
	"0|ID "*CALLS*VERDICTS*ERRORS*LUA_MS*US/CALL*MEM_KIB) pass "hooks: a header with the counters" ;;
	*) fail "hooks: a header with the counters" "$rc $out $err" ;; esac
	is "$(($(wc -l <<<"$out") - 1))" "$rows" "hooks: one row per line of /proc/ktls_lua"
	is "$(awk 'NR == 2 { print $1, $2 }' <<<"$out")" "0 (private)" "hooks: row 0 is the private scripts"
else
	pass "hooks # SKIP ktls_lua.ko is not loaded"
fi
done_testing
