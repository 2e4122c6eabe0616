#!/bin/bash
# make bench-lua (in the guest): the same integer workload run by klua in
# the kernel and by lua5.4 in user space, best of N runs each.  Process
# start-up is taken out: each side's time for 0 rounds is subtracted.
# Prints the ratio and the memory of a fresh kernel state with the
# libraries open.  Not a test.  usage: run.sh [ROUNDS] [REPEAT]
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
rounds=${1:-300}
repeat=${2:-3}
KLUA=${KLUA:-build/tools/klua}
w=bench/lua/workload.lua
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { echo "${EPOCHREALTIME/./}"; }
# best R CMD...: the least wall time of R runs, in microseconds
best() {
	local r=$1 b=0 t0 t i
	shift
	for ((i = 0; i < r; i++)); do
		t0=$(now)
		"$@" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
		t=$(( $(now) - t0 ))
		{ [ $b = 0 ] || [ $t -lt $b ]; } && b=$t
	done
	echo $b
}
K=("$KLUA" -s -i 100000000000 -m 64M run "$w")
u0=$(best "$repeat" lua5.4 "$w" 0)
k0=$(best "$repeat" "${K[@]}" 0)
fresh=$(sed -n 's/.*mem fresh \([0-9]*\).*/\1/p' "$tmp/err")
u=$(best "$repeat" lua5.4 "$w" "$rounds")
cp "$tmp/out" "$tmp/user"
k=$(best "$repeat" "${K[@]}" "$rounds")
cmp -s "$tmp/user" "$tmp/out" || { echo "bench-lua: outputs differ"; exit 1; }
peak=$(sed -n 's/.*peak \([0-9]*\).*/\1/p' "$tmp/err")
echo "bench-lua: $w, $rounds rounds, best of $repeat ($(cat "$tmp/user"))"
echo "  lua5.4 (user space): $u us, start-up $u0 us -> $((u - u0)) us"
echo "  klua   (kernel):     $k us, start-up $k0 us -> $((k - k0)) us"
awk -v k=$((k - k0)) -v u=$((u - u0)) 'BEGIN {
	printf "  ratio kernel/user: %.2f (target <= 1.20)\n", k / u }'
echo "  kernel state: $fresh bytes fresh (libraries open), $peak bytes peak"
