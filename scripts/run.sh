#!/bin/bash
# The body of `make run`: serve www/ with ktls-httpd in kernel TLS + kernel
# Lua mode on https://localhost:8443/, until Ctrl-C or SIGTERM.
#
# On a host that can load modules and has kernel TLS, it runs here (loading
# klua.ko and ktls_lua.ko if needed, as root); otherwise it boots the QEMU
# guest (vm/run), which loads them, and forwards the port.  A self-signed
# ECDSA certificate is made under build/run/ on first run.
#
# Environment: PORT (8443), DOCROOT (www), CERT and KEY (PEM files to use
# instead of the generated ones), SCRIPT (scripts/http.lua), WORKERS (2),
# HTTPD_ARGS (more ktls-httpd options), RUN_NATIVE=0|1 (force the choice).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

port=${PORT:-8443}
docroot=${DOCROOT:-www}
script=${SCRIPT:-scripts/http.lua}
workers=${WORKERS:-2}
httpd=$top/build/server/ktls-httpd
say() { echo "make run: $*" >&2; }

[ -x "$httpd" ] || { say "$httpd is missing: run 'make'"; exit 1; }
[ -d "$docroot" ] || { say "docroot $docroot is missing"; exit 1; }

# ---------------------------------------------------------------- certificate
cert=${CERT:-} key=${KEY:-}
if [ -z "$cert" ] || [ -z "$key" ]; then
	cert=$top/build/run/cert.pem key=$top/build/run/key.pem
	if [ ! -s "$cert" ] || [ ! -s "$key" ]; then
		mkdir -p "$top/build/run"
		say "making a self-signed ECDSA P-256 certificate for localhost in build/run/"
		if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-nodes -days 365 -subj /CN=localhost \
			-addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
			-keyout "$key" -out "$cert" 2>"$top/build/run/openssl.log"; then
			say "openssl could not make the certificate:"
			cat "$top/build/run/openssl.log" >&2
			exit 1
		fi
		chmod 600 "$key"
	fi
fi

args=(-r "$docroot" -p "$port" -c "$cert" -k "$key" --tls=kernel --lua=kernel
	-s "$script" -w "$workers")
# shellcheck disable=SC2206
[ -n "${HTTPD_ARGS:-}" ] && args+=(${HTTPD_ARGS})

banner() {
	cat >&2 <<EOF

  ktls-httpd: kernel TLS + kernel Lua ($1)
  URL:   https://localhost:$port/
  try:   curl -k https://localhost:$port/
         curl -k --tlsv1.2 --tls-max 1.2 -I https://localhost:$port/hello.txt
  stop:  Ctrl-C

EOF
}

# ---------------------------------------------------------------- native?
native=0
if [ -n "${RUN_NATIVE:-}" ]; then
	native=$RUN_NATIVE
elif [ -e /proc/modules ] && [ "$(id -u)" = 0 ] &&
     { grep -qw tls /proc/sys/net/ipv4/tcp_available_ulp 2>/dev/null ||
       modprobe tls 2>/dev/null; } &&
     [ "$(uname -r)" = "$(scripts/kver 2>/dev/null)" ]; then
	native=1
fi

if [ "$native" = 1 ]; then
	modprobe tls 2>/dev/null
	modprobe aesni_intel 2>/dev/null
	if ! grep -q '^klua ' /proc/modules; then
		insmod kernel/klua/klua.ko || { say "insmod kernel/klua/klua.ko failed"; exit 1; }
	fi
	if ! grep -q '^ktls_lua ' /proc/modules; then
		insmod kernel/ktls_lua/ktls_lua.ko ||
			{ say "insmod kernel/ktls_lua/ktls_lua.ko failed"; exit 1; }
	fi
	banner "on this machine"
	exec "$httpd" "${args[@]}"
fi

# ---------------------------------------------------------------- in the guest
say "this machine cannot load the modules or has no kernel TLS: booting the QEMU guest"
banner "in a QEMU guest, port $port forwarded"
# Its own session, so that Ctrl-C and SIGTERM here stop the whole guest.
setsid "$top/vm/run" -p "$port:$port" --no-debug -t 604800 -- \
	"$httpd" "${args[@]}" &
vm=$!
stop() {
	trap - INT TERM
	say "stopping"
	# vm/run's `timeout` has a process group of its own: signal it by pid
	# (it passes the signal on to QEMU), then vm/run's group.
	local p
	for p in $(pgrep -P "$vm" 2>/dev/null); do kill -TERM "$p" 2>/dev/null; done
	kill -TERM -- "-$vm" 2>/dev/null || kill -TERM "$vm" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$vm" 2>/dev/null || break; sleep 0.1; done
	kill -KILL -- "-$vm" 2>/dev/null
	wait "$vm" 2>/dev/null
	exit 0
}
trap stop INT TERM
# Say when it answers (the guest boots in a few seconds).
(
	for _ in $(seq 300); do
		kill -0 "$vm" 2>/dev/null || exit 0
		if curl -sk --max-time 5 -o /dev/null "https://localhost:$port/"; then
			say "ready: https://localhost:$port/"
			exit 0
		fi
		sleep 1
	done
) &
wait "$vm"
status=$?
trap - INT TERM
exit $status
