# Sourced by tests/guest/httpd-*.t: ktls-httpd with real clients (curl,
# gnutls-cli, openssl s_client), over loopback, in the modes the test names
# (--tls=kernel|user x --lua=kernel|user|off).  HTTPD_MODES="kernel:off
# user:user" overrides them; HTTPD_QUICK=1 skips the slow cases (100 MiB,
# 1,000 connections, SIGTERM).  Every client call is bounded in time.
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/lib.sh"
cd "$top" || exit 1

httpd=$top/build/server/ktls-httpd
[ -x "$httpd" ] || { fail "ktls-httpd is built" "make all"; done_testing; exit 1; }
T=$(mktemp -d /tmp/httpd-t.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$T"' EXIT
ulimit -n 65536 2>/dev/null
curl() { command curl --max-time 60 "$@"; }

# ---------------------------------------------------------------- fixtures
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
	-keyout "$T/ec.key" -out "$T/ec.crt" -days 2 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost \
	-keyout "$T/rsa.key" -out "$T/rsa.crt" -days 2 2>/dev/null
D=$T/www
mkdir -p "$D/sub" "$T/outside"
echo secret-outside > "$T/outside/secret"
ln -s "$T/outside/secret" "$D/escape"
ln -s /etc "$D/etc"
mkfifo "$D/fifo"
echo '<h1>index</h1>' > "$D/index.html"
echo '<h1>sub</h1>' > "$D/sub/index.html"
: > "$D/0"
printf x > "$D/1"
for n in 16383 16384 16385; do head -c $n /dev/urandom > "$D/$n"; done
head -c 1048576 /dev/urandom > "$D/1M"
[ -n "${HTTPD_QUICK:-}" ] || head -c 104857600 /dev/urandom > "$D/100M"
for f in "$D"/*; do [ -f "$f" ] && sha256sum "$f" | cut -d' ' -f1 > "$T/sum.$(basename "$f")"; done

cat > "$T/boom.lua" <<'EOF'
function recv(data, conn)
  conn.b = (conn.b or "") .. data
  if not string.find(conn.b, "\r\n\r\n", 1, true) then return 0 end
  local b = conn.b
  conn.b = nil
  if string.find(b, "GET /boom", 1, true) then error("boom") end
  if string.find(b, "GET /teapot", 1, true) then return 418 end
  return 200, string.match(b, "^%u+ ([^ ?]+)")
end
EOF

# Body of a raw HTTP response on stdin -> its sha256.
body_sum() {
	python3 -c 'import sys,hashlib
d=sys.stdin.buffer.read(); i=d.find(b"\r\n\r\n")
print(hashlib.sha256(d[i+4:] if i>=0 else b"").hexdigest())'
}

pid=
start() {	# start PORT TLS LUA [extra args]: start ktls-httpd, wait for it
	local port=$1 tls=$2 lua=$3
	shift 3
	"$httpd" -r "$D" -p "$port" -c "$T/ec.crt" -k "$T/ec.key" \
		-c "$T/rsa.crt" -k "$T/rsa.key" --tls="$tls" --lua="$lua" \
		--access-log "$T/access.log" -w 2 --header-timeout 3 \
		--handshake-timeout 60 "$@" 2> "$T/err.$port" &
	pid=$!
	for _ in $(seq 100); do
		if command curl -sk --max-time 10 -o /dev/null "https://127.0.0.1:$port/" 2>/dev/null; then
			return 0
		fi
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	return 1
}
stop() {
	[ -n "$pid" ] || return 0
	kill -TERM $pid 2>/dev/null
	for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	pid=
}

code() { curl -sk -o /dev/null -w '%{http_code}' "$@"; }

tls_stat() { awk -v k="$1" '$1 == k { print $2 }' /proc/net/tls_stat 2>/dev/null; }

# ---------------------------------------------------------------- one mode
run_mode() {	# run_mode TLS LUA PORT [slow]
	local tls=$1 lua=$2 port=$3 slow=${4:-} m="[$1/$2]" U
	U=https://127.0.0.1:$port
	local tx0
	tx0=$(tls_stat TlsTxSw)
	if ! start "$port" "$tls" "$lua"; then
		fail "$m server starts" "$(cat "$T/err.$port")"
		stop
		return
	fi
	pass "$m server starts"

	# bodies, byte-exact, TLS 1.3 and 1.2
	local f v s bad=""
	for v in 1.3 1.2; do
		local args=()
		for f in 0 1 16383 16384 16385 1M; do
			rm -f "$T/got.$f"
			args+=("$U/$f" -o "$T/got.$f")
		done
		curl -sk --tlsv$v --tls-max $v "${args[@]}"
		for f in 0 1 16383 16384 16385 1M; do
			s=$(sha256sum < "$T/got.$f" 2>/dev/null | cut -d' ' -f1)
			[ "$s" = "$(cat "$T/sum.$f")" ] || bad="$bad $v:$f"
		done
	done
	is "$bad" "" "$m curl TLS 1.3 and 1.2 bodies byte-exact (0 B .. 1 MiB)"
	if [ -z "${HTTPD_QUICK:-}" ] && [ -n "$slow" ]; then
		s=$(curl -sk --max-time 900 --http1.1 "$U/100M" -w '%{stderr}%{size_download} bytes in %{time_total} s' |
			sha256sum | cut -d' ' -f1)
		is "$s" "$(cat "$T/sum.100M")" "$m 100 MiB byte-exact"
	fi
	s=$( (printf 'GET /16385 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'; sleep 2) |
		timeout 20 gnutls-cli --insecure --logfile=/dev/null --port "$port" 127.0.0.1 2>/dev/null | body_sum)
	is "$s" "$(cat "$T/sum.16385")" "$m gnutls-cli body byte-exact"
	# s_client -quiet ignores the end of its input: it waits for the close
	s=$(printf 'GET /16383 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
		timeout 20 openssl s_client -quiet -connect "127.0.0.1:$port" 2>/dev/null | body_sum)
	is "$s" "$(cat "$T/sum.16383")" "$m openssl s_client body byte-exact"
	s=$(curl -sk --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-AES256-GCM-SHA384 "$U/1" 2>&1)
	is "$s" "x" "$m RSA certificate, TLS 1.2 AES-256-GCM"
	s=$(curl -sk --tlsv1.3 --tls13-ciphers TLS_CHACHA20_POLY1305_SHA256 "$U/16385" | sha256sum | cut -d' ' -f1)
	is "$s" "$(cat "$T/sum.16385")" "$m TLS 1.3 ChaCha20-Poly1305"
	s=$(curl -sk -v "$U/1" 2>&1 | grep -c 'ALPN: server accepted http/1.1')
	is "$s" 1 "$m ALPN http/1.1"

	# keep-alive and pipelining
	s=$(curl -sk -o /dev/null -o /dev/null -w '%{num_connects}\n' "$U/1" "$U/16384" | tr '\n' ' ')
	is "$s" "1 0 " "$m keep-alive reuses the connection"
	s=$(printf 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /sub/ HTTP/1.1\r\nHost: x\r\n\r\nHEAD /16384 HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
		timeout 20 openssl s_client -quiet -connect "127.0.0.1:$port" 2>/dev/null |
		grep -ao 'HTTP/1.1 [0-9]*' | cut -d' ' -f2 | tr '\n' ' ')
	is "$s" "200 200 200 404 " "$m pipelined requests answered in order"

	# Range, HEAD, 304
	s=$(curl -sk -r 100-199 "$U/1M" | sha256sum | cut -d' ' -f1)
	is "$s" "$(tail -c +101 "$D/1M" | head -c 100 | sha256sum | cut -d' ' -f1)" "$m Range 100-199 body"
	is "$(code -r 100-199 "$U/1M")" 206 "$m Range is 206"
	is "$(code -r 5000000- "$U/1M")" 416 "$m unsatisfiable Range is 416"
	s=$(curl -sk -I "$U/1M" | tr -d '\r' | grep -i '^content-length:' | cut -d' ' -f2)
	is "$s" 1048576 "$m HEAD gives the length"
	is "$(curl -sk -I "$U/1M" -w '%{size_download}' -o /dev/null)" 0 "$m HEAD has no body"
	local etag lm
	etag=$(curl -sk -I "$U/1M" | tr -d '\r' | grep -i '^etag:' | cut -d' ' -f2)
	lm=$(curl -sk -I "$U/1M" | tr -d '\r' | grep -i '^last-modified:' | cut -d' ' -f2-)
	is "$(code -H "If-None-Match: $etag" "$U/1M")" 304 "$m If-None-Match is 304"
	is "$(code -H "If-Modified-Since: $lm" "$U/1M")" 304 "$m If-Modified-Since is 304"
	is "$(code -H 'If-None-Match: "other"' "$U/1M")" 200 "$m other ETag is 200"
	s=$(curl -sk -I "$U/index.html" | tr -d '\r' | grep -i '^content-type:' | cut -d' ' -f2)
	is "$s" text/html "$m Content-Type from mime.types"
	is "$(code "$U/sub")" 301 "$m directory without / redirects"
	is "$(curl -sk "$U/sub/")" "<h1>sub</h1>" "$m directory serves index.html"

	# errors
	is "$(code "$U/nope")" 404 "$m 404"
	is "$(code -X DELETE "$U/1")" 405 "$m 405"
	is "$(code -X GET -H 'Content-Length: 3' --data abc "$U/1")" 413 "$m 413"
	is "$(code "$U/$(head -c 5000 /dev/zero | tr '\0' a)")" 414 "$m 414"
	is "$(code -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' a)" "$U/1")" 431 "$m 431"
	s=$(printf 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n' |
		timeout 20 openssl s_client -quiet -connect "127.0.0.1:$port" 2>/dev/null | head -1 | cut -d' ' -f2)
	is "$s" 400 "$m 400"
	s=$(printf 'GET / HTTP/1.1\r\nHost: x\r\n' |
		timeout 20 openssl s_client -quiet -connect "127.0.0.1:$port" 2>/dev/null | head -1 | cut -d' ' -f2)
	is "$s" 408 "$m slow headers time out with 408"
	is "$(code "$U/fifo")" 403 "$m a file that is not regular is 403"

	# the docroot is a wall
	local t leak=""
	for t in '/../outside/secret' '/%2e%2e/outside/secret' '/%2E%2e%2foutside%2fsecret' \
		'/sub/../../outside/secret' '/escape' '/etc/passwd' '/a%00b' '//..//outside/secret'; do
		s=$(curl -sk --path-as-is -w ' %{http_code}' "$U$t")
		case "$s" in *secret-outside*|*root:*|*" 200") leak="$leak $t" ;; esac
	done
	is "$leak" "" "$m traversal attempts get an error, never file bytes"

	# a client that resets mid-transfer, then the server still answers
	python3 - "$port" <<'EOF' 2>/dev/null
import socket, ssl, struct, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
t = ctx.wrap_socket(s)
t.sendall(b"GET /1M HTTP/1.1\r\nHost: x\r\n\r\n")
t.recv(1000)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
EOF
	is "$(code "$U/1")" 200 "$m serves on after a client reset mid-transfer"

	if [ -z "${HTTPD_QUICK:-}" ] && [ -n "$slow" ]; then
		# 1,000 handshakes on both sides take a while in an emulated
		# guest: wrk may send a request many seconds after its handshake,
		# so a server of its own, whose header and idle timeouts are
		# longer than wrk's (the slow-headers test above wants 3 s).
		# The debug kernel (make check-debug sets TEST_TIMEOUT) completes
		# ~6 handshakes a second: all 1,000 take about three minutes.
		local main_pid=$pid reqs errs dur=90
		[ "${TEST_TIMEOUT:-0}" -ge 300 ] && dur=240
		if start $((port + 25)) "$tls" "$lua" --header-timeout 120 \
			--handshake-timeout 120 --idle-timeout 120; then
			s=$(wrk -t2 -c1000 -d${dur}s --timeout 60s "https://127.0.0.1:$((port + 25))/1" 2>&1)
			reqs=$(awk '/requests in/ { print $1 }' <<<"$s")
			errs=$(grep -E 'Socket errors|Non-2xx' <<<"$s")
			if [ "${reqs:-0}" -gt 1000 ] && [ -z "$errs" ]; then
				pass "$m 1,000 concurrent connections"
			else
				fail "$m 1,000 concurrent connections" "$s"
			fi
		else
			fail "$m 1,000 concurrent connections: server starts" "$(cat "$T/err.$((port + 25))")"
		fi
		stop
		pid=$main_pid
	fi

	if [ "$tls" = kernel ]; then
		local tx1
		tx1=$(tls_stat TlsTxSw)
		if [ -n "$tx1" ] && [ "$tx1" -gt "${tx0:-0}" ]; then
			pass "$m kTLS engaged (TlsTxSw $tx0 -> $tx1)"
		else
			fail "$m kTLS engaged" "TlsTxSw $tx0 -> $tx1"
		fi
	fi

	# no connection leak: a worker keeps its listener socket only
	# (open files stay cached, sockets must not)
	local w fds
	sleep 2.5
	for w in $(pgrep -P $pid); do
		fds=$(ls -l /proc/$w/fd | grep -c 'socket:')
		[ "$fds" -le 1 ] || { fail "$m no fd leak" "worker $w has $fds sockets"; w=leak; break; }
	done
	[ "$w" = leak ] || pass "$m no fd leak after the clients left"

	# SIGTERM during a transfer: the transfer completes, the server exits
	if [ -z "${HTTPD_QUICK:-}" ] && [ -n "$slow" ]; then
		rm -f "$T/term.out"
		curl -sk --limit-rate 200K "$U/1M" -o "$T/term.out" &
		local cpid=$!
		for _ in $(seq 300); do [ -s "$T/term.out" ] && break; sleep 0.1; done
		kill -TERM $pid
		wait $cpid
		s=$(sha256sum < "$T/term.out" | cut -d' ' -f1)
		is "$s" "$(cat "$T/sum.1M")" "$m SIGTERM lets an in-flight response finish"
		for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
		if kill -0 $pid 2>/dev/null; then fail "$m exits after SIGTERM"; else pass "$m exits after SIGTERM"; fi
	fi
	stop
}

# ---------------------------------------------------------------- Lua paths
run_lua_cases() {
	local tls=$1 lua=$2 port=$3 m="[$1/$2 boom.lua]" U
	U=https://127.0.0.1:$port
	if ! start "$port" "$tls" "$lua" -s "$T/boom.lua"; then
		fail "$m server starts" "$(cat "$T/err.$port")"
		stop
		return
	fi
	is "$(code "$U/boom")" 500 "$m a script error is 500"
	is "$(code "$U/teapot")" 418 "$m a script's own code is sent"
	is "$(code "$U/1")" 200 "$m the connection's script still works"
	stop
}

run_modes() {	# run_modes "TLS:LUA[:slow] ..." BASEPORT
	local mode tls lua slow port=$2
	for mode in ${HTTPD_MODES:-$1}; do
		port=$((port + 1))
		IFS=: read -r tls lua slow <<<"$mode"
		if [ "$lua" = kernel ] && [ ! -e /dev/ktls_lua ]; then
			pass "[$tls/$lua] # SKIP ktls_lua.ko is not loaded"
			continue
		fi
		if [ "$tls" = kernel ] && ! grep -qw tls /proc/sys/net/ipv4/tcp_available_ulp 2>/dev/null &&
		   ! modprobe tls 2>/dev/null; then
			pass "[$tls/$lua] # SKIP no kernel TLS here"
			continue
		fi
		run_mode "$tls" "$lua" "$port" "$slow"
		[ "$lua" = off ] || run_lua_cases "$tls" "$lua" $((port + 50))
	done
}

# start-up errors say what is wrong
startup_errors() {
s=$("$httpd" --tls=user --lua=kernel -r "$D" -c "$T/ec.crt" -k "$T/ec.key" 2>&1)
case "$s" in *"--lua=kernel needs --tls=kernel"*) pass "refuses --tls=user --lua=kernel" ;;
*) fail "refuses --tls=user --lua=kernel" "$s" ;; esac
s=$("$httpd" --tls=user --lua=off -r "$T/none" -c "$T/ec.crt" -k "$T/ec.key" 2>&1)
case "$s" in *"docroot $T/none: No such file"*) pass "names a missing docroot" ;;
*) fail "names a missing docroot" "$s" ;; esac
s=$("$httpd" --tls=user --lua=off -r "$D" -c "$T/none.crt" -k "$T/ec.key" 2>&1)
case "$s" in *"certificate $T/none.crt: No such file"*) pass "names a missing certificate" ;;
*) fail "names a missing certificate" "$s" ;; esac
s=$("$httpd" --tls=user --lua=off -r "$D" -c "$T/ec.crt" -k "$T/rsa.key" 2>&1)
case "$s" in *"certificate $T/ec.crt with key $T/rsa.key"*) pass "names a certificate/key mismatch" ;;
*) fail "names a certificate/key mismatch" "$s" ;; esac
s=$("$httpd" --tls=kernel --lua=kernel -r "$D" -c "$T/ec.crt" -k "$T/ec.key" -p 9198 2>&1 &
	sleep 3; kill %1 2>/dev/null)
if ! grep -qw tls /proc/sys/net/ipv4/tcp_available_ulp 2>/dev/null && ! modprobe -n tls 2>/dev/null; then
	case "$s" in *"kernel TLS is not available"*"modprobe tls"*) pass "names missing kernel TLS and the fix" ;;
	*) fail "names missing kernel TLS and the fix" "$s" ;; esac
elif [ ! -e /dev/ktls_lua ]; then
	case "$s" in *"the ktls_lua module is not loaded"*"insmod kernel/klua/klua.ko"*) pass "names the missing module and the command" ;;
	*) fail "names the missing module and the command" "$s" ;; esac
fi
if start 9199 user off; then
	s=$("$httpd" --tls=user --lua=off -r "$D" -p 9199 -c "$T/ec.crt" -k "$T/ec.key" 2>&1)
	case "$s" in *"port 9199 is already in use"*) pass "names a port in use" ;;
	*) fail "names a port in use" "$s" ;; esac
	stop
else
	fail "names a port in use" "server did not start"
fi
}
