#!/bin/bash
# `make run` from the host's side: scripts/run.sh boots the guest, serves
# www/ with kernel TLS + kernel Lua, answers curl on https://localhost:PORT/
# (the forwarded port) and stops cleanly on SIGTERM.  Loopback only.
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
. tests/lib.sh
tmp=$(mktemp -d)
run=
cleanup() {
	[ -n "$run" ] && kill -KILL -- "-$run" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# 8443 as the README says, unless something here already listens there.
port=8443
if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	diag "port 8443 is taken here: using $port"
fi
U=https://localhost:$port

# Its own process group, so a failed test can stop the whole guest.
RUN_NATIVE=0 PORT=$port setsid scripts/run.sh >"$tmp/out" 2>"$tmp/err" &
run=$!
ready=0
for _ in $(seq 240); do
	grep -q "ready: $U/" "$tmp/err" && { ready=1; break; }
	kill -0 "$run" 2>/dev/null || break
	sleep 0.5
done
if [ "$ready" = 1 ]; then
	pass "make run says it is ready at $U/"
else
	fail "make run says it is ready at $U/" "$(tail -n 20 "$tmp/err")"
fi
grep -q "curl -k $U/" "$tmp/err"
ok $? "make run prints the URL and a curl command"

sum() { sha256sum | cut -d' ' -f1; }
is "$(curl -sk --max-time 30 "$U/" | sum)" "$(sum <www/index.html)" \
	"curl on the host gets www/index.html byte-exact"
s=$(curl -sk --max-time 30 --tlsv1.2 --tls-max 1.2 -o /dev/null \
	-w '%{http_code} %{size_download}' "$U/hello.txt")
is "$s" "200 $(stat -c %s www/hello.txt)" "TLS 1.2 from the host: 200 and the whole file"
s=$(curl -sk --max-time 30 --path-as-is -o /dev/null -w '%{http_code}' "$U/../../etc/passwd")
case "$s" in 200|000) fail "a traversal from the host gets an HTTP error" "status $s" ;;
*) pass "a traversal from the host gets an HTTP error ($s)" ;; esac

kill -TERM "$run"
stopped=0
for _ in $(seq 300); do
	kill -0 "$run" 2>/dev/null || { stopped=1; break; }
	sleep 0.1
done
is "$stopped" 1 "SIGTERM stops make run within 30 s"
wait "$run" 2>/dev/null
is "$?" 0 "make run exits 0 after SIGTERM"
run=
curl -sk --max-time 5 -o /dev/null "$U/"
[ $? != 0 ]
ok $? "nothing answers on $U/ afterwards (the guest is gone)"
done_testing
