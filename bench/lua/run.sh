#!/bin/bash
# make bench-lua (in the guest): the same integer workload run by klua in
# the kernel and by lua5.4 in user space; best of N runs each, the ratio,
# and the memory of a fresh kernel state with the libraries open.
# Not a test: it prints numbers.  usage: run.sh [ROUNDS] [REPEAT]
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
rounds=${1:-300}
repeat=${2:-3}
KLUA=${KLUA:-build/tools/klua}
w=bench/lua/workload.lua
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s%N; }
best_user=0 best_kern=0 best_kern_in=0
for i in $(seq "$repeat"); do
	t0=$(now)
	lua5.4 "$w" "$rounds" >"$tmp/user" || exit 1
	t1=$(now)
	$KLUA -s -i 100000000000 -m 64M run "$w" "$rounds" >"$tmp/kern" 2>"$tmp/stats" ||
		{ cat "$tmp/stats"; exit 1; }
	t2=$(now)
	u=$(( (t1 - t0) / 1000 )) k=$(( (t2 - t1) / 1000 ))
	kin=$(( $(sed -n 's/.* \([0-9]*\) ns.*/\1/p' "$tmp/stats") / 1000 ))
	[ $best_user = 0 ] || [ $u -lt $best_user ] && best_user=$u
	[ $best_kern = 0 ] || [ $k -lt $best_kern ] && best_kern=$k
	[ $best_kern_in = 0 ] || [ $kin -lt $best_kern_in ] && best_kern_in=$kin
done
cmp -s "$tmp/user" "$tmp/kern" || { echo "bench-lua: outputs differ"; exit 1; }
fresh=$(sed -n 's/.*mem fresh \([0-9]*\) peak \([0-9]*\).*/\1/p' "$tmp/stats")
peak=$(sed -n 's/.*mem fresh \([0-9]*\) peak \([0-9]*\).*/\2/p' "$tmp/stats")
echo "bench-lua: workload $w, $rounds rounds, best of $repeat ($(cat "$tmp/user"))"
echo "  lua5.4 (user space, whole process):   $best_user us"
echo "  klua   (kernel, whole klua command):  $best_kern us"
echo "  klua   (kernel, time inside the chunk): $best_kern_in us"
awk -v k=$best_kern -v u=$best_user -v ki=$best_kern_in 'BEGIN {
	printf "  ratio kernel/user: %.2f (command), %.2f (chunk only); target <= 1.20\n", k / u, ki / u }'
echo "  kernel state: $fresh bytes fresh (libraries open), $peak bytes peak"
