#!/bin/bash
# make bench: one guest boot runs bench/guest.sh (every server, every cell),
# then bench/report.py turns the raw runs into the JSON, the table and the
# plots.  A full run publishes into bench/results/; a quick one stays in
# build/bench/run-*/.
#
#   bench/bench.sh [--quick] [--reps N] [--timeout SEC]
#                  [--only REGEX (servers, e.g. 'nginx|ceiling')]
#                  [--cells 'wrk 1.3 1k 50 3;ab 1.3 1k 10 3' (tool tls size conns seconds)]
#                  [--budget SEC (guest time for everything, default 1380)]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
quick=0 reps=3 limit="" extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1; shift ;;
	--reps) reps=$2; shift 2 ;;
	--timeout) limit=$2; shift 2 ;;
	--only|--cells|--budget) extra+=("$1" "$2"); shift 2 ;;
	-h|--help) sed -n '2,11p' "$0"; exit 0 ;;
	*) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
[ -n "$limit" ] || limit=$([ $quick = 1 ] && echo 420 || echo 1650)

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$top/build/bench/run-$stamp
mkdir -p "$out" || exit 1

vmopts=(--no-debug -m 2048 -t "$limit")
modules=yes
for ko in kernel/klua/klua.ko kernel/ktls_lua/ktls_lua.ko; do
	[ -f "$top/$ko" ] || modules=no
done
# Boot the kernel the modules were built for (several may be installed);
# KVER= wins, as everywhere.  Modules built for different kernels: none.
kver=${KVER:-}
if [ $modules = yes ]; then
	v1=$(modinfo -F vermagic "$top/kernel/klua/klua.ko" 2>/dev/null | awk '{print $1}')
	v2=$(modinfo -F vermagic "$top/kernel/ktls_lua/ktls_lua.ko" 2>/dev/null | awk '{print $1}')
	if [ -z "$v1" ] || [ "$v1" != "$v2" ] || { [ -n "$kver" ] && [ "$kver" != "$v1" ]; }; then
		echo "bench: klua.ko ($v1) and ktls_lua.ko ($v2) are not built for one kernel${kver:+ ($kver)}" >&2
		modules=no
	else
		kver=$v1
	fi
fi
[ -n "$kver" ] && vmopts+=(-k "$kver")
if [ $modules = no ]; then
	echo "bench: booting without the project's modules: kernel-Lua cells are skipped" >&2
	vmopts+=(--no-modules)
fi

# The machine, for the record.
{
	printf '{"date":"%s","host":"%s","host_cpu":"%s","host_cpus":%s,' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(uname -n)" \
		"$(lscpu | awk -F': *' '/^Model name/{print $2; exit}')" "$(nproc)"
	printf '"loadavg_start":"%s",' "$(cut -d' ' -f1-3 /proc/loadavg)"
	printf '"qemu":"%s","commit":"%s","quick":%s,"reps":%s}\n' \
		"$(qemu-system-x86_64 --version | awk 'NR==1{print $4}')" \
		"$(git -C "$top" rev-parse --short HEAD 2>/dev/null)" \
		"$([ $quick = 1 ] && echo true || echo false)" "$reps"
} > "$out/host.json"

echo "bench: results in $out (guest limit ${limit}s)" >&2
args=(--out "$out" --reps "$reps" --modules $modules "${extra[@]}")
[ $quick = 1 ] && args+=(--quick)
cd "$top" || exit 1
t0=$SECONDS
# The guest runs a copy: bash reads a script as it goes, and an edit of
# bench/guest.sh during a run would change the running one.
cp "$top/bench/guest.sh" "$out/guest.sh" || exit 1
"$top/vm/run" "${vmopts[@]}" -- bash "$out/guest.sh" --top "$top" "${args[@]}"
rc=$?
echo "bench: guest finished with status $rc after $((SECONDS - t0)) s" >&2
printf '{"loadavg_end":"%s"}\n' "$(cut -d' ' -f1-3 /proc/loadavg)" > "$out/host-end.json"
[ -s "$out/raw.jsonl" ] || { echo "bench: no results" >&2; exit 1; }
publish=()
# Only a full run (every server, every cell) is published.
[ $quick = 0 ] && [ $rc = 0 ] && [ ${#extra[@]} = 0 ] && publish=(--publish "$top/bench/results")
python3 "$top/bench/report.py" "$out" "${publish[@]}" || exit 1
exit $rc
