#!/bin/bash
# The Lua test suite (tests/lua/*.lua) in the kernel through klua, each
# script's output compared line by line with Debian's lua5.4.
. tests/lib.sh
KLUA=${KLUA:-build/tools/klua}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in tests/lua/*.lua; do
	name=$(basename "$f" .lua)
	lua5.4 "$f" >"$tmp/$name.user" 2>"$tmp/$name.user.err"
	urc=$?
	$KLUA run "$f" >"$tmp/$name.kern" 2>"$tmp/$name.kern.err"
	krc=$?
	if [ $urc -eq 0 ] && [ $krc -eq 0 ] &&
	   cmp -s "$tmp/$name.user" "$tmp/$name.kern"; then
		pass "$name.lua: klua output = lua5.4 output ($(wc -l <"$tmp/$name.user") lines)"
	else
		fail "$name.lua: klua output differs from lua5.4 (exit $krc, lua5.4 $urc)"
		diag "$(diff -a "$tmp/$name.user" "$tmp/$name.kern" | head -20)" \
		     "$(head -5 "$tmp/$name.kern.err")"
	fi
done
done_testing
