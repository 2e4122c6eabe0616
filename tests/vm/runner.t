#!/bin/bash
# The guest runner itself: exit status, kernel version, output streams,
# kernel warnings, time-outs and bad use.  Runs on the host; boots guests.
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
. tests/lib.sh
kver=$(scripts/kver)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

start=$(date +%s.%N)
vm/run --no-modules -- true
ok $? "vm/run -- true exits 0"
diag "boot and run of true: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"

vm/run --no-modules -- sh -c 'exit 7'
is "$?" 7 "vm/run -- sh -c 'exit 7' exits 7"

is "$(vm/run --no-modules -- uname -r)" "$kver" "the guest runs the installed kernel ($kver)"

# stdout carries bytes exactly and apart from stderr
vm/run --no-modules -- sh -c 'cat /bin/busybox; echo to-stderr >&2' \
	>"$tmp/out" 2>"$tmp/err"
is "$(sha256sum <"$tmp/out" | cut -d' ' -f1)" \
   "$(sha256sum </bin/busybox | cut -d' ' -f1)" "stdout is byte-exact (1 MiB binary)"
is "$(cat "$tmp/err")" "to-stderr" "stderr is separate"

if make -s -C "/lib/modules/$kver/build" M="$top/tests/vm/warn_module" \
	modules >"$tmp/kbuild" 2>&1; then
	vm/run --no-modules --module tests/vm/warn_module/vm_warn.ko -- true \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc != 0 ] && grep -q 'WARNING' "$tmp/err"
	ok $? "a WARN_ON in the guest fails the run (status $rc) and prints the trace"
else
	fail "build the WARN_ON test module" "$(tail -5 "$tmp/kbuild")"
fi

echo 'not a module' >"$tmp/bad.ko"
vm/run --no-modules --module "$tmp/bad.ko" -- echo ran >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 126 ] && grep -q 'insmod bad.ko failed' "$tmp/err" && [ ! -s "$tmp/out" ]
ok $? "a module that does not load stops the run before the command (status $rc)"

vm/run --no-modules -t 25 -- sleep 600 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 124 ] && grep -q 'did not finish within 25s' "$tmp/err"
ok $? "a hung guest is killed at the time-out and reported (status $rc)"

vm/run >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q '^usage: vm/run' "$tmp/err"
ok $? "no command: usage message, status 2"

vm/run --kernel 0.0.0-none -- true >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q 'apt-get install linux-image-0.0.0-none' "$tmp/err"
ok $? "a missing kernel image says what to install"

vm/run --no-modules --module /nonexistent/x.ko -- true >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q 'module /nonexistent/x.ko is missing' "$tmp/err"
ok $? "a missing module is named"

done_testing
