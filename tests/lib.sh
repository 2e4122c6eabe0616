# TAP helpers for shell tests: source it, call the checks, end with done_testing.
#   ok COND_STATUS NAME     - "ok" when the status is 0
#   is GOT WANT NAME        - string equality, shows both on failure
#   pass NAME / fail NAME [WHY]
#   diag TEXT               - a TAP comment
# done_testing prints the plan and exits 1 if anything failed.
_tap_n=0
_tap_failed=0

pass() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1"; }
fail() {
	_tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $1"
	[ $# -gt 1 ] && diag "$2"
	return 0
}
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
ok() { if [ "$1" = 0 ]; then pass "$2"; else fail "$2" "status $1"; fi; }
is() {
	if [ "$1" = "$2" ]; then pass "$3"; else
		fail "$3"; diag "got:  '$1'" "want: '$2'"
	fi
}
done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_failed" = 0 ]
}
