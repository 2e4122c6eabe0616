#!/bin/bash
# make check: static checks, host unit tests, guest-runner tests, then the
# guest suite in one boot.  Every stage prints TAP; the last line counts
# them all: "N passed, M failed".  usage: tests/check.sh [UNIT_TEST...]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
log=$top/build/check.log
mkdir -p "$top/build"
: > "$log"

stage() { echo "# ==== $*" | tee -a "$log"; }
# Run a command, show its output, keep it for the count.
record() { "$@" 2>&1 | tee -a "$log"; }
tap() { echo "$*" | tee -a "$log"; }

static_checks() {
	local checkpatch=$top/build/tools/checkpatch/scripts/checkpatch.pl f out
	local files
	files=$(git ls-files 'kernel/*.c' 'kernel/*.h' 'include/uapi/*.h' \
		'tests/vm/warn_module/*.c' 2>/dev/null)
	for f in $files; do
		out=$("$checkpatch" --no-tree --quiet --show-types -f "$f" 2>&1)
		if [ -z "$out" ]; then
			tap "ok - checkpatch $f"
		else
			tap "not ok - checkpatch $f"
			printf '%s\n' "$out" | head -n 20 | sed 's/^/# /' | tee -a "$log"
		fi
	done
	if [ ! -s build/kbuild.log ]; then
		tap "not ok - kernel modules built with W=1 (no build/kbuild.log)"
	elif grep -qiE 'warning:|error:' build/kbuild.log; then
		tap "not ok - kernel modules build W=1 warning-clean"
		grep -iE 'warning:|error:' build/kbuild.log | head -n 20 | sed 's/^/# /' | tee -a "$log"
	else
		tap "ok - kernel modules build W=1 warning-clean"
	fi
}

stage "static checks"
static_checks

stage "host unit tests (ASan/UBSan)"
for t in "$@"; do
	echo "# == $t" | tee -a "$log"
	record env ASAN_OPTIONS=detect_leaks=1 "$t"
	rc=${PIPESTATUS[0]}
	[ "$rc" = 0 ] || grep -q '^not ok' <(tail -n 200 "$log") ||
		tap "not ok - $t exited $rc"
done

stage "guest runner tests"
for t in tests/vm/*.t; do
	echo "# == $t" | tee -a "$log"
	record "$t"
done

stage "guest suite (one boot)"
record vm/run -m 2048 -t 3000 -- tests/guest/run-all
rc=${PIPESTATUS[0]}
case $rc in
124) tap "not ok - guest suite finished in time" ;;
125|126|2) tap "not ok - guest kernel stayed clean during the suite (vm/run status $rc)" ;;
*) tap "ok - guest kernel stayed clean during the suite (no Oops, BUG, WARNING)" ;;
esac

passed=$(grep -cE '^ok\b' "$log" | tr -d ' ')
skipped=$(grep -cE '^ok\b.*# SKIP' "$log" | tr -d ' ')
failed=$(grep -cE '^not ok\b' "$log" | tr -d ' ')
passed=$((passed - skipped))
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
