#!/bin/bash
# Hostile scripts (tests/lua/hostile/*.lua, first line "-- expect: REGEX"
# or "-- expect-ok"): every recursion path and limit ends with an error,
# the kernel stack never runs low, the kernel log stays clean.
# KLUA_PAD=BYTES uses up kernel stack first, as on the recvmsg path (then
# only the recursion scripts run); KLUA_HOSTILE=WORD picks scripts.
. tests/lib.sh
KLUA=${KLUA:-build/tools/klua}
pad=${KLUA_PAD:-0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log0=$(dmesg | wc -l)
minleft=999999

for f in tests/lua/hostile/*${KLUA_HOSTILE:-}*.lua; do
	name="$(basename "$f" .lua) (pad $pad)"
	read -r first <"$f"
	expect=${first#-- expect: }
	[ "$expect" = "$first" ] && expect=
	if [ "$pad" != 0 ] && ! [[ $expect =~ overflow|complex|refused ]]; then
		continue
	fi
	t0=${EPOCHREALTIME/./}
	timeout 120 $KLUA -s -i 500000 -m 4M --stack-pad "$pad" run "$f" \
		>/dev/null 2>"$tmp/err"
	rc=$?
	ms=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
	err= stats=
	while IFS= read -r line; do
		case $line in
		"klua: mem fresh"*) stats=$line ;;
		*) err+=$line ;;
		esac
	done <"$tmp/err"
	left=${stats##*stack left }
	[[ $left =~ ^[0-9]+$ ]] && [ "$left" -lt "$minleft" ] && minleft=$left
	if [ -z "$expect" ]; then
		if [ $rc = 0 ]; then pass "$name: runs (${ms} ms)"; else
			fail "$name: runs" "exit $rc: $err"; fi
	elif [ $rc = 1 ] && [[ $err =~ $expect ]]; then
		pass "$name: ${err:0:90} (${ms} ms, stack left $left)"
	else
		fail "$name: expected /$expect/" "exit $rc: ${err:0:300}"
	fi
done
diag "least kernel stack left in any run: $minleft bytes"
if [ "$minleft" -ge 1024 ]; then
	pass "kernel stack: at least 1 KiB always left ($minleft)"
else
	fail "kernel stack: at least 1 KiB always left" "$minleft"
fi
if dmesg | tail -n +$((log0 + 1)) |
	grep -E "klua: [^l]|BUG|WARNING|Oops|stack|lockup" >"$tmp/dmesg"; then
	fail "kernel log clean" "$(head -20 "$tmp/dmesg")"
else
	pass "kernel log clean"
fi
done_testing
