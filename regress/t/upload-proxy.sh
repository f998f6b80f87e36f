#!/bin/sh
# Uploads through an HTTP proxy (Debian's tinyproxy on loopback, its own
# configuration, log and pid file in $W, in the foreground).
#
#   open proxy      CONNECT without authentication: delivered; the "upload"
#                   record says "via proxy 127.0.0.1:PORT"; tinyproxy's log
#                   has the CONNECT to localhost:<commsd port> and the
#                   established tunnel; commsd has the document
#   IPv6 literal    server "::1": the CONNECT names [::1]:PORT; delivered
#   no bypass       a gateway whose proxy is down fails ("cannot connect to
#                   proxy ...") although commsd listens: it never dials the
#                   server directly, and commsd sees no connection; the
#                   error names the proxy's address as the proxy
#   Basic auth      tinyproxy with "BasicAuth": the right user and
#                   password: delivered, the CONNECT in tinyproxy's log;
#                   the password appears in none of callhomed's output,
#                   its transaction log or its database
#   wrong password  the upload fails with a clear error, in callhomed's
#                   output and log and in the transaction log: the proxy
#                   refused (tinyproxy answers a wrong password 401, no
#                   credentials 407); the document stays pending, commsd
#                   sees nothing
#   no credentials  the same proxy without user and password: refused with
#                   407, "authentication required or wrong (407)"
#   a 407 in one    a minimal proxy (python) that answers "407" with a
#   piece           body in a single write, as proxies do: the gateway
#                   must report the 407, not a malformed answer
#
# After each scenario "callhomectl verify" exits 0.

. "$TOP/regress/lib.sh"
. "$TOP/regress/upload-lib.sh"

up_setup || exit 0
if ! command -v tinyproxy >/dev/null 2>&1; then
	skip all "tinyproxy is not installed (apt-get install tinyproxy)"
	exit 0
fi
up_fleet 1 || exit 1
T0=$(now_ms)

PORT=$(free_port tcp)
cd_conf srv "$PORT" </dev/null
cd_start srv || exit 1

# tp_start NAME [statements on stdin]: tinyproxy on a free port (TP_PORT)
tp_start() {
	TP_PORT=$(free_port tcp)
	: >"$W/$1.tp.log"
	chown nobody:nogroup "$W/$1.tp.log"
	{
		cat <<EOF
Port $TP_PORT
Listen 127.0.0.1
Timeout 30
Allow 127.0.0.1
ConnectPort $PORT
LogFile "$W/$1.tp.log"
LogLevel Info
PidFile "$W/$1.tp.pid"
User nobody
Group nogroup
MaxClients 10
EOF
		cat
	} >"$W/$1.tp.conf"
	tinyproxy -d -c "$W/$1.tp.conf" >"$W/$1.tp.out" 2>&1 &
	TP_PID=$!
	up_started $TP_PID
	if ! wait_for 10 grep -q 'Accepting connections' "$W/$1.tp.log"; then
		fail "tinyproxy $1 starts" "$(tail -n 3 "$W/$1.tp.out" \
		    "$W/$1.tp.log" | tr '\n' ' ')"
		return 1
	fi
	return 0
}

# connects NAME: the connections commsd NAME has logged
connects() {
	cd_q "$1" log -j | $PY -c 'import json, sys
print(sum(r["kind"] in ("connect", "tls-failure")
    for r in json.load(sys.stdin)))'
}

# refused GW LABEL PATTERN: callhomed -1 fails to dial: output, log,
# transaction log and outbox; PATTERN an extended regular expression
refused() {
	_g=$1 _l=$2 _re=$3
	_before=$(connects srv)
	gw_once "$_g" c1
	_rc=$?
	check "$_l: callhomed -1 exits 1" test $_rc -eq 1
	check "$_l: upload failed: dial-failed: $_re" sh -c \
	    'grep "^upload failed: dial-failed: " "$1" | grep -Eq -- "$2"' \
	    sh "$W/$_g.c1.out" "$_re"
	check "$_l: callhomed's log line says so" sh -c \
	    'grep "dial for job 1 failed: " "$1" | grep -Eq -- "$2"' \
	    sh "$W/$_g.c1.log" "$_re"
	gw_txlog "$_g" >"$W/$_g.txlog.json"
	pycheck "$_l: the transaction log: upload dial-failed, naming it" \
	    "$W/$_g.txlog.json" "$_re" <<'EOF'
import json, re, sys
up = [r for r in json.load(open(sys.argv[1])) if r["kind"] == "upload"]
assert len(up) == 1, up
d = up[0]["detail"]
assert d["result"] == "dial-failed", d
assert re.search(sys.argv[2], d["error"]), d["error"]
assert re.search(sys.argv[2], up[0]["summary"]), up[0]["summary"]
EOF
	check "$_l: the document stays pending (attempt 1, dial-failed)" \
	    test "$(gw_sql "$_g" "SELECT count(*), state, attempts,
	    last_status FROM outbox")" = "1|pending|1|2"
	check "$_l: commsd saw no connection" test "$(connects srv)" = \
	    "$_before"
	gw_verify "$_g" "$_l"
}

# ---- an open proxy
tp_start open </dev/null || exit 1
echo "proxy \"127.0.0.1\" port $TP_PORT" | gw_conf gwopen "$PORT"
gw_once gwopen c1
rc=$?
check "open proxy: callhomed -1 exits 0, delivered" sh -c \
    "test $rc -eq 0 && grep -qxF 'upload: outbox delivered (1 documents delivered in all)' '$W/gwopen.c1.out'"
check "open proxy: the upload record says via proxy 127.0.0.1:$TP_PORT" \
    test "$(gw_sql gwopen "SELECT json_extract(detail, '$.via')
    FROM txlog WHERE kind = 'upload' AND json_extract(detail,
    '$.result') = 'delivered'")" = "proxy 127.0.0.1:$TP_PORT"
check "open proxy: tinyproxy's log has the CONNECT to localhost:$PORT" \
    grep -qE "Request \(file descriptor [0-9]+\): CONNECT localhost:$PORT HTTP/1.1" \
    "$W/open.tp.log"
check "open proxy: tinyproxy established the tunnel" \
    grep -q 'Established connection to host "localhost"' "$W/open.tp.log"
SHA=$(gw_sql gwopen "SELECT sha256 FROM outbox WHERE state = 'delivered'")
check "open proxy: commsd holds the document (the same sha256)" sh -c \
    "'$COMMSD' -f '$W/srv.conf' -q documents -j | grep -q '\"sha256\":\"$SHA\"'"
gw_verify gwopen "open proxy"

# the server named by an IPv6 literal: brackets in CONNECT and Host
if [ "$HAVE_V6" = 1 ]; then
	echo "proxy \"127.0.0.1\" port $TP_PORT" | GW_NAME=::1 gw_conf gwv6 "$PORT"
	gw_once gwv6 c1
	rc=$?
	check "IPv6 literal: callhomed -1 exits 0, delivered" sh -c \
	    "test $rc -eq 0 && grep -qxF 'upload: outbox delivered (1 documents delivered in all)' '$W/gwv6.c1.out'"
	check "IPv6 literal: tinyproxy's log has the CONNECT to [::1]:$PORT" \
	    grep -qF "CONNECT [::1]:$PORT HTTP/1.1" "$W/open.tp.log"
	gw_verify gwv6 "IPv6 literal"
else
	skip "IPv6 literal" "no ::1 on this machine"
fi
up_stop $TP_PID

# ---- no bypass: the proxy is down, the server is up
DEAD=$(free_port tcp)
echo "proxy \"127.0.0.1\" port $DEAD" | gw_conf gwdead "$PORT"
refused gwdead "proxy down" \
    "cannot connect to proxy .*127\\.0\\.0\\.1:$DEAD: Connection refused"
check "proxy down: the error names the proxy as the proxy (not the server)" \
    grep -qE "^upload failed: dial-failed: cannot connect to proxy 127\\.0\\.0\\.1(:| port )$DEAD" \
    "$W/gwdead.c1.out"

# ---- Basic authentication
tp_start auth <<EOF || exit 1
BasicAuth user s3cr3t-pw
EOF
echo "proxy \"127.0.0.1\" port $TP_PORT user \"user\" password \"s3cr3t-pw\"" |
    gw_conf gwauth "$PORT"
gw_once gwauth c1
rc=$?
check "Basic auth: callhomed -1 exits 0, delivered" sh -c \
    "test $rc -eq 0 && grep -qxF 'upload: outbox delivered (1 documents delivered in all)' '$W/gwauth.c1.out'"
check "Basic auth: tinyproxy's log has the CONNECT and the tunnel" sh -c \
    "grep -qE 'CONNECT localhost:$PORT HTTP/1.1' '$W/auth.tp.log' &&
    grep -q 'Established connection to host \"localhost\"' '$W/auth.tp.log'"
check "Basic auth: the upload record says via the proxy" \
    test "$(gw_sql gwauth "SELECT json_extract(detail, '$.via')
    FROM txlog WHERE kind = 'upload'")" = "proxy 127.0.0.1:$TP_PORT"
gw_verify gwauth "Basic auth"

echo "proxy \"127.0.0.1\" port $TP_PORT user \"user\" password \"wrong-pw\"" |
    gw_conf gwwrong "$PORT"
refused gwwrong "wrong password" \
    "proxy 127\\.0\\.0\\.1:$TP_PORT refused.*(40[17])"
n=$(grep -c "CONNECT localhost:$PORT HTTP/1.1" "$W/auth.tp.log")
check "wrong password: tinyproxy's log has its CONNECT too (2 in all)" \
    test "$n" -eq 2

echo "proxy \"127.0.0.1\" port $TP_PORT" | gw_conf gwnoauth "$PORT"
refused gwnoauth "no credentials" \
    "proxy 127\\.0\\.0\\.1:$TP_PORT refused: authentication required or wrong \\(407\\)"
check "the password is in none of callhomed's output, log or database" \
    sh -c "! grep -rl -e 's3cr3t-pw' -e 'wrong-pw' $W/gw*.c1.out \
    $W/gw*.c1.log $W/gw*.txlog.json $W/gwauth/ $W/gwwrong/"
up_stop $TP_PID

# ---- a 407 with its body in one write
FP=$(free_port tcp)
cat >"$W/fakeproxy.py" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(4)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    req = b""
    while b"\r\n\r\n" not in req:
        b = c.recv(4096)
        if not b:
            break
        req += b
    print(req.split(b"\r\n")[0].decode(), flush=True)
    body = b"<html><body>407 Proxy Authentication Required</body></html>\n"
    c.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
        b"Proxy-Authenticate: Basic realm=\"test\"\r\n"
        b"Content-Type: text/html\r\nContent-Length: %d\r\n"
        b"Connection: close\r\n\r\n" % len(body) + body)
    c.close()
EOF
$PY "$W/fakeproxy.py" "$FP" >"$W/fakeproxy.out" 2>&1 &
FPID=$!
up_started $FPID
if wait_for 10 grep -q ready "$W/fakeproxy.out"; then
	echo "proxy \"127.0.0.1\" port $FP user \"u\" password \"p\"" |
	    gw_conf gwfake "$PORT"
	refused gwfake "407 with a body in one write" \
	    "proxy 127\\.0\\.0\\.1:$FP refused: authentication required or wrong \\(407\\)"
	check "407 with a body in one write: the proxy got the CONNECT" \
	    grep -qx "CONNECT localhost:$PORT HTTP/1.1" "$W/fakeproxy.out"
else
	fail "a minimal proxy starts" "$(cat "$W/fakeproxy.out")"
fi
up_stop $FPID
cd_stop

echo "# upload-proxy took $(( $(now_ms) - T0 )) ms after setup"
exit 0
