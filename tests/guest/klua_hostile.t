#!/bin/bash
# Hostile scripts (tests/lua/hostile/*.lua): every recursion path and
# limit ends with an error, also with kernel stack already used up as on
# the recvmsg path (--stack-pad), and the state's memory returns to 0.
. tests/lib.sh
KLUA=${KLUA:-build/tools/klua}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dmesg -C 2>/dev/null
minleft=999999

for pad in 0 6144; do
	for f in tests/lua/hostile/*${KLUA_HOSTILE:-}*.lua; do
		name="$(basename "$f" .lua) (pad $pad)"
		expect=$(sed -n '1s/^-- expect: //p' "$f")
		# with the stack padded: the recursion paths only
		[ $pad = 0 ] || grep -Eq "overflow|complex|refused" <<<"$expect" ||
			continue
		t0=$(date +%s%N)
		out=$(timeout 120 $KLUA -s -i 500000 -m 4M --stack-pad $pad \
			run "$f" 2>"$tmp/err")
		rc=$?
		ms=$((($(date +%s%N) - t0) / 1000000))
		err=$(grep -v '^klua: mem fresh' "$tmp/err")
		stats=$(grep '^klua: mem fresh' "$tmp/err")
		left=$(sed -n 's/.*stack left \([0-9]*\).*/\1/p' <<<"$stats")
		[ -n "$left" ] && [ "$left" -lt "$minleft" ] && minleft=$left
		if [ -z "$expect" ]; then
			if [ $rc = 0 ]; then pass "$name: runs"; else
				fail "$name: runs" "exit $rc: $err"; fi
		elif [ $rc = 1 ] && grep -Eq "$expect" <<<"$err"; then
			pass "$name: ${err:0:90} (${ms} ms, stack left $left)"
		else
			fail "$name: expected /$expect/" "exit $rc: ${err:0:300}"
		fi
	done
done
diag "least kernel stack left in any run: $minleft bytes"
if [ "$minleft" -ge 1024 ]; then
	pass "kernel stack: at least 1 KiB always left ($minleft)"
else
	fail "kernel stack: at least 1 KiB always left" "$minleft"
fi
if dmesg | grep -E "klua|BUG|WARNING|Oops|stack" >"$tmp/dmesg"; then
	fail "kernel log clean" "$(head -20 "$tmp/dmesg")"
else
	pass "kernel log clean"
fi
done_testing
