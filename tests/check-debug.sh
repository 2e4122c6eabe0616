#!/bin/bash
# make check-debug: the guest suite on a debug kernel (KASAN, lockdep,
# kmemleak, UBSAN) built from Debian's linux-source-6.1, with the project's
# modules built against it.  Too slow for CI; run before resolving kernel work.
# CHECK_DEBUG_PATTERNS="klua hook/": only the guest tests whose path has one
# of these words (tests/guest/run-all PATTERN), one after the other.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

src=$(vm/build-debug-kernel) || exit 1
image=$src/arch/x86/boot/bzImage

# Build the modules in a mirror of kernel/ (symlinks to the tracked sources)
# so the normal build's objects are left alone.
tree=$top/build/debug-tree
rm -rf "$tree"
mkdir -p "$tree"
git ls-files kernel | while read -r f; do
	mkdir -p "$tree/$(dirname "$f")"
	ln -s "$top/$f" "$tree/$f"
done
ln -s "$top/include" "$tree/include"
make -C "$src" M="$tree/kernel" W=1 KTLS_LUA_TOP="$top" \
	LUA_SRC="$top/build/lua-src" modules >"$top/build/debug-kbuild.log" 2>&1 || {
	tail -n 30 "$top/build/debug-kbuild.log"
	echo "0 passed, 1 failed"
	exit 1
}

log=$top/build/check-debug.log
# After the suite, kmemleak scans twice (it reports only leaks that stay
# unreferenced across scans); vm/run fails the run on any report.
vm/run --kernel-image "$image" --builtin-drivers --modules-from "$tree/kernel" \
	-m 3072 -t 5400 -- env TEST_TIMEOUT=600 GUEST_TEST_TIMEOUT=1800 \
	PATTERNS="${CHECK_DEBUG_PATTERNS:-}" bash -c '
	s=0
	if [ -z "$PATTERNS" ]; then
		tests/guest/run-all || s=1
	else
		for p in $PATTERNS; do tests/guest/run-all "$p" || s=1; done
	fi
	if [ -w /sys/kernel/debug/kmemleak ]; then
		echo scan > /sys/kernel/debug/kmemleak; sleep 6
		echo scan > /sys/kernel/debug/kmemleak
		if [ -s /sys/kernel/debug/kmemleak ]; then
			echo "not ok - kmemleak: no leaks"
			head -n 60 /sys/kernel/debug/kmemleak | sed "s/^/# /"
			s=1
		else
			echo "ok - kmemleak: no leaks"
		fi
	fi
	exit $s' 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
case $rc in
124|125|126|2) echo "not ok - debug kernel stayed clean (vm/run status $rc)" | tee -a "$log" ;;
*) echo "ok - debug kernel stayed clean (no KASAN, lockdep, UBSAN, WARN reports)" | tee -a "$log" ;;
esac
passed=$(grep -cE '^ok\b' "$log")
failed=$(grep -cE '^not ok\b' "$log")
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
