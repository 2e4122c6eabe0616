#!/bin/bash
# Runs INSIDE the guest (started by bench/bench.sh through vm/run): sets up
# a tmpfs with the certificate, the files and the servers' configurations,
# starts every server at once on its own port, then measures every cell
# several times, interleaved across servers, and writes one JSON line per
# run to $OUT/raw.jsonl.  Progress goes to stderr.
#
#   bench/guest.sh --out DIR [--quick] [--reps N] [--modules yes|no]
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
[ "${1:-}" = --top ] && { top=$2; shift 2; }
OUT= QUICK=0 REPS=3 MODULES=yes ONLY= CELLS_ARG= BUDGET=1380
while [ $# -gt 0 ]; do
	case "$1" in
	--out) OUT=$2; shift 2 ;;
	--quick) QUICK=1; shift ;;
	--reps) REPS=$2; shift 2 ;;
	--modules) MODULES=$2; shift 2 ;;
	--only) ONLY=$2; shift 2 ;;
	--budget) BUDGET=$2; shift 2 ;;		# seconds for everything in the guest		# servers matching this regex
	--cells) CELLS_ARG=$2; shift 2 ;;	# "tool tls size conns dur all;..."
	*) echo "guest.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
[ -n "$OUT" ] || { echo "guest.sh: --out DIR is required" >&2; exit 2; }
mkdir -p "$OUT" || exit 2
RAW=$OUT/raw.jsonl
: > "$RAW"

T=/tmp/bench
WWW=$T/www
CEILING=$top/build/bench/ktls-ceiling
HTTPD=$top/build/server/ktls-httpd
WRK_LUA=$top/bench/wrk-report.lua
NCPU=$(nproc)
START=$SECONDS

say() { echo "bench: $*" >&2; }
fail() { echo "bench: FATAL: $*" >&2; exit 1; }

# ---- the platform -------------------------------------------------------------
# kTLS without AES-NI silently falls back to aes-generic (tens of % slower):
# vm/run loads aesni_intel; check it, never assume it.
grep -q 'generic-gcm-aesni' /proc/crypto || modprobe aesni_intel 2>/dev/null
grep -q 'generic-gcm-aesni' /proc/crypto ||
	fail "/proc/crypto has no generic-gcm-aesni driver: kTLS would use aes-generic"
grep -qw tls /proc/sys/net/ipv4/tcp_available_ulp || modprobe tls 2>/dev/null
grep -qw tls /proc/sys/net/ipv4/tcp_available_ulp ||
	fail "no tls ULP in the guest kernel"
[ -r /proc/net/tls_stat ] || fail "/proc/net/tls_stat is missing"
ulimit -n 65536 2>/dev/null || ulimit -n 16384

mkdir -p "$T" "$WWW" || exit 1
mountpoint -q /tmp || fail "/tmp is not a tmpfs in the guest"

{
	echo "{\"kernel\":\"$(uname -r)\",\"vcpus\":$NCPU,"
	echo "\"mem_kib\":$(awk '/MemTotal/{print $2}' /proc/meminfo),"
	echo "\"cpu\":\"$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)\","
	echo "\"aes_driver\":\"$(awk -F': *' '/^driver/ && /gcm-aesni/ {print $2; exit}' /proc/crypto)\","
	echo "\"nginx\":\"$(nginx -v 2>&1 | sed 's/.*nginx\///')\","
	echo "\"lighttpd\":\"$(lighttpd -v 2>&1 | head -1 | awk '{print $1}')\","
	echo "\"wrk\":\"$(wrk -v 2>&1 | head -1 | awk '{print $2}')\","
	echo "\"openssl\":\"$(openssl version | awk '{print $2}')\","
	echo "\"gnutls\":\"$(certtool --version 2>&1 | head -1 | awk '{print $NF}')\"}"
} | tr -d '\n' > "$OUT/guest.json"
echo >> "$OUT/guest.json"

# ---- certificate, files, client settings -------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
	-days 7 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null ||
	fail "cannot make the ECDSA P-256 certificate"

declare -A SIZE_BYTES=([1k]=1024 [100k]=102400 [1m]=1048576 [10m]=10485760)
for s in 1k 100k 1m 10m; do
	head -c "${SIZE_BYTES[$s]}" /dev/urandom > "$WWW/$s.bin" || exit 1
done
printf '<html><body>bench</body></html>\n' > "$WWW/index.html"

# The client side chooses the protocol and the suite (the servers accept
# both): OpenSSL's system defaults, through OPENSSL_CONF, for wrk, ab, curl.
client_conf() {
	cat <<EOF
openssl_conf = default_conf
[default_conf]
ssl_conf = ssl_sect
[ssl_sect]
system_default = sd
[sd]
$1
EOF
}
client_conf "MinProtocol = TLSv1.3
MaxProtocol = TLSv1.3
Ciphersuites = TLS_AES_256_GCM_SHA384" > "$T/tls1.3.cnf"
client_conf "MinProtocol = TLSv1.2
MaxProtocol = TLSv1.2
CipherString = ECDHE-ECDSA-AES256-GCM-SHA384" > "$T/tls1.2.cnf"

# ---- servers -------------------------------------------------------------------
# name|mode|port|kTLS expected (tx, rx: which directions; none)
SERVERS=()
declare -A PORT EXPECT PIDFILE SKIP
declare -A SKIPPED	# "server|mode" -> reason

add_server() {
	[ -n "$ONLY" ] && ! [[ "$1|$2" =~ $ONLY ]] && SKIPPED["$1|$2"]="not selected (--only)"
	SERVERS+=("$1|$2"); PORT["$1|$2"]=$3; EXPECT["$1|$2"]=$4; }

nginx_conf() {	# dir port ktls(on|off)
	local d=$1 port=$2 ktls=$3
	mkdir -p "$d/tmp"
	cat > "$d/nginx.conf" <<EOF
worker_processes $NCPU;
worker_rlimit_nofile 65536;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 8192; }
http {
	access_log off;
	client_body_temp_path $d/tmp/body;
	proxy_temp_path $d/tmp/proxy;
	fastcgi_temp_path $d/tmp/fastcgi;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	types { application/octet-stream bin; text/html html; }
	default_type application/octet-stream;
	sendfile on;
	tcp_nopush on;
	tcp_nodelay on;
	keepalive_timeout 120s;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$port ssl;
		ssl_certificate $T/cert.pem;
		ssl_certificate_key $T/key.pem;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_session_tickets off;
$( [ "$ktls" = on ] && printf '\t\tssl_conf_command Options KTLS;\n' )
		root $WWW;
	}
}
EOF
}

lighttpd_conf() {	# dir port ktls(on|off)
	local d=$1 port=$2 ktls=$3 cmd
	if [ "$ktls" = on ]; then
		cmd='"MinProtocol" => "TLSv1.2", "Options" => "KTLS"'
	else
		cmd='"MinProtocol" => "TLSv1.2", "Options" => "-KTLS"'
	fi
	cat > "$d/lighttpd.conf" <<EOF
server.document-root = "$WWW"
server.bind = "127.0.0.1"
server.port = $port
server.pid-file = "$d/lighttpd.pid"
server.errorlog = "$d/error.log"
server.upload-dirs = ( "$d" )
server.max-worker = $NCPU
server.max-fds = 65536
server.max-connections = 16384
server.max-keep-alive-requests = 1000000
server.max-keep-alive-idle = 120
server.max-read-idle = 120
server.max-write-idle = 360
server.network-backend = "sendfile"
server.modules += ( "mod_openssl" )
mimetype.assign = ( ".bin" => "application/octet-stream", ".html" => "text/html" )
index-file.names = ( "index.html" )
ssl.engine = "enable"
ssl.pemfile = "$T/cert.pem"
ssl.privkey = "$T/key.pem"
ssl.openssl.ssl-conf-cmd = ( $cmd )
EOF
}

up() { [ -z "${SKIPPED[$1]:-}" ]; }

start_bg() {	# dir cmd... : run in the background, pid into dir/pid
	local d=$1; shift
	"$@" > "$d/stdout.log" 2> "$d/stderr.log" &
	echo $! > "$d/pid"
}

# Wait until the port accepts connections (at most ~20 s; no process).
wait_port() {
	local port=$1 i
	for i in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# Prints "ok" or why not.
check_server() {
	local sv=$1 want=$2 port=${PORT[$1]} v out got
	if ! wait_port "$port"; then
		echo "did not answer on port $port: $(tail -c 300 "$T"/*-"${sv#*|}"/stderr.log 2>/dev/null | tr '\n"' ' _')"
		return
	fi
	OPENSSL_CONF=$T/tls1.3.cnf curl -ks --http1.1 --max-time 60 \
		-o "$T/check-${sv/|/-}.body" "https://127.0.0.1:$port/1k.bin"
	got=$(sha256sum < "$T/check-${sv/|/-}.body" 2>/dev/null)
	[ "$got" = "$want" ] || { echo "wrong bytes for /1k.bin"; return; }
	echo ok
}

start_servers() {
	local d
	# nginx and lighttpd, kTLS on and off
	d=$T/nginx-ktls; mkdir -p "$d"; nginx_conf "$d" 8001 on
	add_server nginx ktls 8001 tx
	up "nginx|ktls" && { nginx -e "$d/error.log" -c "$d/nginx.conf" || SKIPPED["nginx|ktls"]="nginx did not start"; }
	d=$T/nginx-user; mkdir -p "$d"; nginx_conf "$d" 8002 off
	add_server nginx user-tls 8002 none
	up "nginx|user-tls" && { nginx -e "$d/error.log" -c "$d/nginx.conf" || SKIPPED["nginx|user-tls"]="nginx did not start"; }
	d=$T/lighttpd-ktls; mkdir -p "$d"; lighttpd_conf "$d" 8003 on
	add_server lighttpd ktls 8003 tx
	up "lighttpd|ktls" && { lighttpd -f "$d/lighttpd.conf" || SKIPPED["lighttpd|ktls"]="lighttpd did not start"; }
	d=$T/lighttpd-user; mkdir -p "$d"; lighttpd_conf "$d" 8004 off
	add_server lighttpd user-tls 8004 none
	up "lighttpd|user-tls" && { lighttpd -f "$d/lighttpd.conf" || SKIPPED["lighttpd|user-tls"]="lighttpd did not start"; }

	# the ceilings
	for m in sendfile fixed; do
		local port=$([ $m = sendfile ] && echo 8005 || echo 8006)
		d=$T/ceiling-$m; mkdir -p "$d"
		add_server ceiling $m $port tx+rx
		if ! up "ceiling|$m"; then
			:
		elif [ -x "$CEILING" ]; then
			start_bg "$d" "$CEILING" --mode $m --port $port \
				--cert "$T/cert.pem" --key "$T/key.pem" --docroot "$WWW"
		else
			SKIPPED["ceiling|$m"]="$CEILING is not built"
		fi
	done

	# ktls-httpd in the issue's four modes
	local modes=("kernel kernel ktls+klua tx+rx" "kernel user ktls+ulua tx+rx"
		     "kernel off ktls+nolua tx+rx" "user user utls+ulua none")
	local port=8011 spec tls lua name exp
	for spec in "${modes[@]}"; do
		read -r tls lua name exp <<< "$spec"
		d=$T/httpd-$name; mkdir -p "$d"
		add_server ktls-httpd "$name" $port "$exp"
		if ! up "ktls-httpd|$name"; then
			:
		elif [ ! -x "$HTTPD" ]; then
			SKIPPED["ktls-httpd|$name"]="$HTTPD is not built"
		elif [ "$lua" = kernel ] && [ "$MODULES" != yes ]; then
			SKIPPED["ktls-httpd|$name"]="kernel Lua: guest booted without klua.ko/ktls_lua.ko (not built, or built for different kernels)"
		else
			start_bg "$d" "$HTTPD" --port $port --docroot "$WWW" \
				--cert "$T/cert.pem" --key "$T/key.pem" \
				--tls=$tls --lua=$lua --workers "$NCPU" \
				--access-log off --idle-timeout 120 \
				$( [ "$lua" != off ] && echo --script "$top/scripts/http.lua" )
		fi
		port=$((port + 1))
	done

	# The client settings give the version and suite asked for: checked once
	# with s_client, which (like wrk, unlike curl) keeps the configured
	# maximum version.  A server that cannot do them makes wrk report errors.
	local v out
	for v in 1.3 1.2; do
		for sv in "${SERVERS[@]}"; do
			[ -n "${SKIPPED[$sv]:-}" ] && continue
			wait_port "${PORT[$sv]}" || continue
			out=$(OPENSSL_CONF=$T/tls$v.cnf timeout 60 openssl s_client \
				-connect "127.0.0.1:${PORT[$sv]}" < /dev/null 2>/dev/null |
				grep -E '^(New|Reused),')
			say "client settings for TLS $v, against $sv: ${out:-no handshake}"
			case "$out" in
			*"TLSv$v, Cipher is "*AES_256_GCM*|*"TLSv$v, Cipher is "*AES256-GCM*) ;;
			*) fail "the client settings for TLS $v do not give TLS $v with AES-256-GCM" ;;
			esac
			break
		done
	done
	# Everyone answers, with the right bytes.
	local sv want cpids=()
	want=$(sha256sum < "$WWW/1k.bin")
	for sv in "${SERVERS[@]}"; do
		[ -n "${SKIPPED[$sv]:-}" ] && continue
		check_server "$sv" "$want" > "$T/check-${sv/|/-}" 2>&1
	done
	for sv in "${SERVERS[@]}"; do
		[ -n "${SKIPPED[$sv]:-}" ] && continue
		local r
		r=$(< "$T/check-${sv/|/-}")
		[ "$r" = ok ] || SKIPPED[$sv]=$r
	done
	for sv in "${SERVERS[@]}"; do
		if [ -n "${SKIPPED[$sv]:-}" ]; then
			say "SKIP $sv: ${SKIPPED[$sv]}"
		else
			say "up   $sv on port ${PORT[$sv]}"
		fi
	done
}

stop_servers() {
	local f
	for f in "$T"/*/nginx.pid "$T"/*/lighttpd.pid "$T"/*/pid; do
		[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	sleep 1
}
trap stop_servers EXIT

# ---- one measurement ------------------------------------------------------------
read_tls_stat() {	# into the named associative array
	local -n arr=$1
	local k v
	while read -r k v; do arr[$k]=$v; done < /proc/net/tls_stat
}

jnum() { if [[ "$1" =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; then echo "$1"; else echo null; fi; }

# run_cell tool tls size conns dur server|mode rep
run_cell() {
	local tool=$1 tls=$2 size=$3 conns=$4 dur=$5 sv=$6 rep=$7
	local port=${PORT[$sv]} url log line res="" threads
	local -A t0 t1
	url="https://127.0.0.1:$port/$size.bin"
	log=$OUT/logs/$tool-tls$tls-$size-c$conns-${sv/|/-}-r$rep.log
	read_tls_stat t0
	if [ "$tool" = wrk ]; then
		threads=$(( conns < NCPU ? conns : NCPU ))
		OPENSSL_CONF=$T/tls$tls.cnf wrk -t "$threads" \
			-c "$conns" -d "${dur}s" --timeout 60s --latency \
			-s "$WRK_LUA" "$url" > "$log" 2>&1
		while IFS= read -r line; do
			[[ $line == "BENCHJSON "* ]] && res=${line#BENCHJSON }
		done < "$log"
	else
		local proto n="" fail=0 rps="" kbs=0 p50=0 p99=0 tt=0 a b c d e
		proto=$([ "$tls" = 1.2 ] && echo TLS1.2 || echo TLS1.3)
		OPENSSL_CONF=$T/tls$tls.cnf timeout $((dur + 90)) ab -q -f "$proto" \
			-c "$conns" -t "$dur" -n 10000000 "$url" > "$log" 2>&1
		while read -r a b c d e; do
			case "$a $b" in
			"Complete requests:") n=$c ;;
			"Failed requests:") fail=$c ;;
			"Requests per") rps=$d ;;
			"Transfer rate:") kbs=$c ;;
			"Time taken") tt=$e ;;
			esac
			case "$a" in
			50%) p50=$b ;;
			99%) p99=$b ;;
			esac
		done < "$log"
		if [ -n "$n" ] && [ -n "$rps" ]; then
			res="{\"requests\":$(jnum "$n"),\"failed\":$(jnum "$fail"),\"rps_ab\":$(jnum "$rps"),\"kbytes_per_s_ab\":$(jnum "$kbs"),\"time_s\":$(jnum "$tt"),\"p50_us\":$(jnum "$((p50 * 1000))"),\"p99_us\":$(jnum "$((p99 * 1000))")}"
		fi
	fi
	read_tls_stat t1
	local d k tlsd=""
	for k in TlsTxSw TlsRxSw TlsTxDevice TlsRxDevice TlsDecryptError TlsRxDeviceResync; do
		d=$(( ${t1[$k]:-0} - ${t0[$k]:-0} ))
		tlsd="$tlsd,\"$k\":$d"
	done
	tlsd="{${tlsd#,}}"
	local server=${sv%%|*} mode=${sv#*|}
	printf '{"tool":"%s","tls":"%s","size":"%s","bytes":%s,"conns":%d,"dur_s":%d,"server":"%s","mode":"%s","expect_ktls":"%s","rep":%d,"result":%s,"tls_stat":%s}\n' \
		"$tool" "$tls" "$size" "${SIZE_BYTES[$size]}" "$conns" "$dur" "$server" "$mode" \
		"${EXPECT[$sv]}" "$rep" "${res:-null}" "$tlsd" >> "$RAW"
	LAST="$res"
}

# A short human summary of a result line, into $SUMMARY (no process).
progress_line() {
	local tool=$1 r=$2 req=0 by=0 us=0
	SUMMARY="FAILED (see the log)"
	[ -n "$r" ] || return
	if [ "$tool" = wrk ]; then
		[[ $r =~ \"requests\":([0-9]+) ]] && req=${BASH_REMATCH[1]}
		[[ $r =~ \"bytes\":([0-9]+) ]] && by=${BASH_REMATCH[1]}
		[[ $r =~ \"duration_us\":([0-9]+) ]] && us=${BASH_REMATCH[1]}
		[ "$us" -gt 0 ] || return
		SUMMARY="$(( req * 1000000 / us )) req/s, $(( by / us )).$(( by * 10 / us % 10 )) MB/s"
		[[ $r =~ \"p99_us\":([0-9]+) ]] && SUMMARY="$SUMMARY, p99 $(( BASH_REMATCH[1] / 1000 )) ms"
	else
		[[ $r =~ \"rps_ab\":([0-9.]+) ]] && SUMMARY="${BASH_REMATCH[1]} req/s (ab, new handshakes)"
	fi
}

# ---- where the time goes: system calls and TCP segments per request ---------
# One connection, keep-alive, 1 KiB, TLS 1.3, every server under strace -c
# (all its processes and threads).  Counts, not times: strace slows the
# server down, the counts stay what they are.  The one handshake of the run
# is included (a few dozen calls over the run's requests).
server_pids() {	# server|mode -> its pids (main process and its children)
	local sv=$1 main="" name=${1#*|} f
	case "$sv" in
	nginx*) f=$T/nginx-${name/user-tls/user}/nginx.pid ;;
	lighttpd*) f=$T/lighttpd-${name/user-tls/user}/lighttpd.pid ;;
	ceiling*) f=$T/ceiling-$name/pid ;;
	ktls-httpd*) f=$T/httpd-$name/pid ;;
	esac
	[ -s "$f" ] && main=$(cat "$f")
	[ -n "$main" ] || return 1
	echo "$main" $(pgrep -P "$main")
}
tcp_outsegs() {
	local a b
	while read -r -a a; do
		if [ "${a[0]}" = Tcp: ] && [[ ${a[11]} =~ ^[0-9]+$ ]]; then
			echo "${a[11]}"; return
		fi
	done < /proc/net/snmp
}
syscall_counts() {
	command -v strace > /dev/null || { say "no strace: no system call counts"; return; }
	say "system calls per request (strace -c, 1 KiB, c1, TLS 1.3)"
	for sv in "${ACTIVE[@]}"; do
		pids=$(server_pids "$sv") || continue
		pargs=()
		for p in $pids; do pargs+=(-p "$p"); done
		st=$OUT/logs/strace-${sv/|/-}.txt
		strace -c -f -o "$st" "${pargs[@]}" 2>/dev/null &
		spid=$!
		sleep 1
		s0=$(tcp_outsegs)
		OPENSSL_CONF=$T/tls1.3.cnf wrk -t 1 -c 1 -d 6s -s "$WRK_LUA" \
			"https://127.0.0.1:${PORT[$sv]}/1k.bin" > "$OUT/logs/strace-wrk-${sv/|/-}.log" 2>&1
		s1=$(tcp_outsegs)
		kill -INT "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
		req=0
		while IFS= read -r line; do
			[[ $line =~ ^BENCHJSON.*\"requests\":([0-9]+) ]] && req=${BASH_REMATCH[1]}
		done < "$OUT/logs/strace-wrk-${sv/|/-}.log"
		calls=0 top=""
		while read -r -a f; do
			# "% time seconds usecs/call calls [errors] syscall"
			[[ ${f[0]} =~ ^[0-9.]+$ ]] || continue
			[ "${f[-1]}" = total ] && { calls=${f[3]}; continue; }
			top="$top,\"${f[-1]}\":${f[3]}"
		done < "$st"
		printf '{"server":"%s","mode":"%s","requests":%d,"syscalls":%d,"tcp_out_segs":%d,"by_call":{%s}}\n' \
			"${sv%%|*}" "${sv#*|}" "$req" "$calls" "$(( ${s1:-0} - ${s0:-0} ))" "${top#,}" \
			>> "$OUT/syscalls.jsonl"
		say "  $sv: $req requests, $calls system calls, $(( ${s1:-0} - ${s0:-0} )) TCP segments out"
	done
}

# ---- the cells -------------------------------------------------------------------
# tool tls size conns duration
# The choice (2 emulated CPUs, <= 25 minutes for everything): wrk keep-alive
# at 1, 10 and 50 connections on the small files; 1 and 10 on the large
# ones (at 50 connections a 10 MiB run completes almost no response and
# measures the same CPU-bound pipe as at 10); TLS 1.2 on the two
# cells that matter most; ab (a new handshake per request) on 1 KiB and
# 1 MiB.  Small-file runs last 3 s (the C handshakes are inside wrk's
# time: keep it a small share), large-file runs 3 s too (MB/s counts every
# byte read, complete responses or not).
# Cells in order of importance: if the time budget runs out (a loaded
# host), the last ones are skipped, with that reason in the results.
CELLS=()
if [ "$QUICK" = 1 ]; then
	REPS=1
	CELLS+=("wrk 1.3 1k 50 2" "wrk 1.3 10m 10 2" "ab 1.3 1k 10 2")
else
	CELLS+=("wrk 1.3 1k 50 3" "wrk 1.3 10m 10 3" "ab 1.3 1k 10 3"
		"ab 1.3 1m 10 3" "wrk 1.3 1k 10 3" "wrk 1.3 100k 50 3"
		"wrk 1.2 1k 50 3" "wrk 1.2 10m 10 3" "wrk 1.3 1m 10 2"
		"wrk 1.3 100k 10 3" "wrk 1.3 1k 1 2" "wrk 1.3 100k 1 2"
		"wrk 1.3 1m 1 2" "wrk 1.3 10m 1 2")
fi
[ -n "$CELLS_ARG" ] && IFS=';' read -r -a CELLS <<< "$CELLS_ARG"

# The fixed-response ceiling is for small files only.
serves() {	# server|mode size
	[ "$1" = "ceiling|fixed" ] && [ "$2" != 1k ] && [ "$2" != 100k ] && return 1
	return 0
}

mkdir -p "$OUT/logs"
say "files and certificate ready after $((SECONDS - START)) s"
start_servers
cp "$T"/*/*.conf "$OUT/logs/" 2>/dev/null
{
	for sv in "${SERVERS[@]}"; do
		printf '{"server":"%s","mode":"%s","port":%s,"expect_ktls":"%s","skipped":%s}\n' \
			"${sv%%|*}" "${sv#*|}" "${PORT[$sv]}" "${EXPECT[$sv]}" \
			"$( [ -n "${SKIPPED[$sv]:-}" ] && printf '"%s"' "$(printf '%s' "${SKIPPED[$sv]}" | tr -cd '[:alnum:] ._:/,=+()-')" || echo null)"
	done
} > "$OUT/servers.jsonl"

[ -r /proc/ktls_lua ] && cat /proc/ktls_lua > "$OUT/ktls_lua-before-runs.txt"
ACTIVE=()
for sv in "${SERVERS[@]}"; do
	[ -z "${SKIPPED[$sv]:-}" ] && ACTIVE+=("$sv")
done
[ ${#ACTIVE[@]} -gt 0 ] || fail "no server started"

# Idle servers must not eat the CPU the measured one needs.
cpu_busy() {	# percent of CPU time not idle over 2 s
	local a b
	read -r -a a < /proc/stat; sleep 2; read -r -a b < /proc/stat
	local tot=0 i
	for i in 1 2 3 4 5 6 7 8; do tot=$(( tot + b[i] - a[i] )); done
	echo $(( tot > 0 ? 100 * (tot - (b[4] - a[4]) - (b[5] - a[5])) / tot : 0 ))
}
busy=$(cpu_busy)
say "guest CPU busy with every server idle: ${busy} %"
echo "{\"idle_busy_pct\":$busy}" > "$OUT/idle.json"
if [ "$busy" -gt 15 ]; then
	say "WARNING: idle servers use ${busy} % of the CPU; the top ones:"
	ps -eo pid,pcpu,comm --sort=-pcpu | head -6 >&2
fi

total=0
for cell in "${CELLS[@]}"; do
	read -r tool tls size conns dur <<< "$cell"
	for sv in "${ACTIVE[@]}"; do serves "$sv" "$size" && total=$((total + REPS)); done
done
say "$total runs over ${#CELLS[@]} cells x $REPS repetitions, ${#ACTIVE[@]} servers; setup took $((SECONDS - START)) s"

# Counts first: they do not depend on the host's load, and are the
# "where the time goes" part of the report.
syscall_counts
START_RUNS=$SECONDS

n=0
per_run=1	# mean seconds per run beyond the load's own duration
tot_extra=0 nr=0
for cell in "${CELLS[@]}"; do
	read -r tool tls size conns dur <<< "$cell"
	runs=0 cell_bytes=0
	for sv in "${ACTIVE[@]}"; do serves "$sv" "$size" && runs=$((runs + REPS)); done
	need=$(( runs * (dur + per_run) ))
	left=$(( BUDGET - (SECONDS - START) ))
	if [ "$need" -gt "$left" ]; then
		say "SKIP cell '$cell': needs ~${need} s, ${left} s left of the ${BUDGET} s budget"
		printf '{"tool":"%s","tls":"%s","size":"%s","conns":%d,"dur_s":%d,"skipped":"time budget of %d s spent (loaded host?)"}\n' \
			"$tool" "$tls" "$size" "$conns" "$dur" "$BUDGET" >> "$OUT/skipped-cells.jsonl"
		n=$((n + runs))
		continue
	fi
	for rep in $(seq 1 "$REPS"); do
		if [ "$rep" = 2 ] && [ "$cell_bytes" = 0 ]; then
			say "SKIP the other repetitions of '$cell': no server completed a byte in ${dur} s (handshakes of $conns connections longer than the run: host too loaded)"
			printf '{"tool":"%s","tls":"%s","size":"%s","conns":%d,"dur_s":%d,"note":"1 repetition only: no byte completed in %d s by any server (host too loaded)"}\n' \
				"$tool" "$tls" "$size" "$conns" "$dur" "$dur" >> "$OUT/cell-notes.jsonl"
			n=$((n + runs - runs / REPS))
			break
		fi
		# rotate the order of the servers on each repetition
		k=${#ACTIVE[@]}
		for i in $(seq 0 $((k - 1))); do
			sv=${ACTIVE[$(( (i + rep - 1) % k ))]}
			serves "$sv" "$size" || continue
			n=$((n + 1))
			t=$((SECONDS - START))
			LAST=""
			t1=$SECONDS
			run_cell "$tool" "$tls" "$size" "$conns" "$dur" "$sv" "$rep"
			tot_extra=$(( tot_extra + SECONDS - t1 - dur )); nr=$((nr + 1))
			per_run=$(( (tot_extra + nr - 1) / nr ))
			progress_line "$tool" "${LAST:-}"
			[[ ${LAST:-} =~ \"(bytes|requests)\":([1-9][0-9]*) ]] && cell_bytes=1
			printf 'bench: [%3d/%d %2d:%02d] %-3s TLS%s %-4s c%-2s %-26s rep %d: %s\n' \
				"$n" "$total" $((t / 60)) $((t % 60)) "$tool" "$tls" "$size" "$conns" \
				"${sv/|//}" "$rep" "$SUMMARY" >&2
		done
	done
done
say "done: $n runs in $((SECONDS - START)) s"
# The kernel hook's own counters (calls, verdicts, errors, time in Lua).
[ -r /proc/ktls_lua ] && cat /proc/ktls_lua > "$OUT/ktls_lua-after-runs.txt"


stop_servers
trap - EXIT
exit 0
