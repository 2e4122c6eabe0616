#!/bin/bash
# make bench-lua (in the guest): the same integer workload run by klua in
# the kernel and by lua5.4 in user space.  Each side runs LOW and HIGH
# rounds, best of REPEAT runs each, kernel and user interleaved; the time
# per round is the slope (HIGH - LOW) / (HIGH - LOW rounds), so process and
# state start-up cancel out.  Prints the ratio and the memory of a fresh
# kernel state with the libraries open.  Not a test.
# usage: run.sh [HIGH] [REPEAT] [LOW]
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
high=${1:-1200}
repeat=${2:-5}
low=${3:-200}
KLUA=${KLUA:-build/tools/klua}
w=bench/lua/workload.lua
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { echo "${EPOCHREALTIME/./}"; }
# once NAME CMD...: run once, keep the least wall time (us) in $tmp/NAME
once() {
	local name=$1 t0 t b
	shift
	t0=$(now)
	"$@" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
	t=$(( $(now) - t0 ))
	b=$(cat "$tmp/$name" 2>/dev/null || echo 0)
	{ [ "$b" = 0 ] || [ "$t" -lt "$b" ]; } && echo "$t" >"$tmp/$name"
	return 0
}
K=("$KLUA" -s -i 100000000000 -m 64M run "$w")
for ((i = 0; i < repeat; i++)); do
	once u_low lua5.4 "$w" "$low"
	once k_low "${K[@]}" "$low"
	fresh=$(sed -n 's/.*mem fresh \([0-9]*\).*/\1/p' "$tmp/err")
	once u_high lua5.4 "$w" "$high"
	cp "$tmp/out" "$tmp/user"
	once k_high "${K[@]}" "$high"
	cmp -s "$tmp/user" "$tmp/out" || { echo "bench-lua: outputs differ"; exit 1; }
done
k=$(( $(cat "$tmp/k_high") - $(cat "$tmp/k_low") ))
u=$(( $(cat "$tmp/u_high") - $(cat "$tmp/u_low") ))
peak=$(sed -n 's/.*peak \([0-9]*\).*/\1/p' "$tmp/err")
n=$((high - low))
echo "bench-lua: $w, $low and $high rounds, best of $repeat each ($(cat "$tmp/user"))"
echo "  lua5.4 (user space): $(cat "$tmp/u_low") us / $(cat "$tmp/u_high") us -> $((u / n)) us per round"
echo "  klua   (kernel):     $(cat "$tmp/k_low") us / $(cat "$tmp/k_high") us -> $((k / n)) us per round"
awk -v k=$k -v u=$u 'BEGIN {
	printf "  ratio kernel/user: %.2f (target <= 1.20)\n", k / u }'
echo "  kernel state: $fresh bytes fresh (libraries open), $peak bytes peak ($high rounds)"
