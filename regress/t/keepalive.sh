#!/bin/sh
# Connections that cost less: HTTP keep-alive and TLS session resumption,
# between the gateway and commsd, and with openssl s_client and a client
# of python's ssl as other peers.
#
#   keep-alive      a cycle of several parts, then the check-in after the
#                   upload (callhomed -d, callhomectl collect) on one
#                   connection: commsd's log has one "connect" record,
#                   the uploads and the check-in after it, and every part
#                   delivered with its receipt
#   close each      commsd with "keep-alive requests 1" (it closes after
#                   each answer): the gateway dials for each request and
#                   still delivers everything
#   resumption      openssl s_client -sess_out, then -sess_in: "Reused",
#                   and commsd's record says resumed; skipped, saying
#                   why, where the system's libtls issues no session
#                   ticket (Debian 12's libretls 3.7.0: docs/loadtest.md)
#   pipelined       two requests in one write, a third with "Connection:
#                   close": three answers in order, the first two keep
#                   the connection, the third closes it
#   idle            "keep-alive timeout 1s": commsd closes an idle
#                   connection by itself
#   room            "max connections 1": a connection left idle is closed
#                   for the gateway's new one, which is served (no 503)
#   closed under it a front (python's ssl, the server's certificate) that
#                   closes the gateway's kept connection when its second
#                   request arrives, unanswered, as a server whose idle
#                   timeout struck just then: the gateway dials again
#                   within the same job, and every part is delivered at
#                   its first attempt

. "$TOP/regress/lib.sh"
. "$TOP/regress/upload-lib.sh"

SIGNIFY=$(command -v signify-openbsd || command -v signify)
if [ -z "$SIGNIFY" ]; then
	skip all "signify-openbsd is not installed"
	exit 0
fi
up_setup || exit 0
up_fleet 2 || exit 1
up_bigfleet 150 || exit 1

K="$W/keys"
mkdir -p "$K"
$SIGNIFY -G -n -p "$K/instructions.pub" -s "$K/instructions.sec" \
    >/dev/null 2>&1

# srvlog NAME: commsd's transaction log as JSON, each detail parsed
srvlog() {
	cd_q "$1" log -j | $PY -c '
import json, sys
log = json.load(sys.stdin)
for r in log:
    if isinstance(r.get("detail"), str):
        r["detail"] = json.loads(r["detail"])
print(json.dumps(log))' >"$W/$1.log.json" 2>"$W/$1.log.err"
}

# ---- keep-alive: the parts and the check-in on one connection
PORT=$(free_port tcp)
cd_conf srv "$PORT" </dev/null
cd_start srv || exit 1
GW_BIG=1 GW_TOP='part limit 64K
trust instructions "'$K'/instructions.pub"' gw_conf gw "$PORT" </dev/null
# ci_cycle NAME: a cycle, its upload and the check-in after it
ci_cycle() {
	gw_start "$1" || return 1
	gw_ctl "$1" collect >/dev/null 2>&1
	gw_wait_sql 90 "$1" "SELECT count(*) FROM txlog WHERE kind = 'checkin'" 1
	gw_stop
}
ci_cycle gw
NP=$(gw_sql gw "SELECT count(*) FROM outbox WHERE state = 'delivered'")
check "keep-alive: the cycle is several parts, all delivered ($NP)" \
    test "$NP" -ge 3 -a "$NP" = "$(gw_sql gw "SELECT count(*) FROM outbox")"
check "keep-alive: the gateway checked in" \
    test "$(gw_sql gw "SELECT count(*) FROM txlog WHERE kind = 'checkin'
    AND json_extract(detail, '\$.result') = 'delivered'")" = 1
cd_stop
srvlog srv
pycheck "keep-alive: commsd saw one connection for $NP uploads and the check-in" \
    "$W/srv.log.json" "$NP" <<'EOF'
import json, sys
log, n = json.load(open(sys.argv[1])), int(sys.argv[2])
kinds = [r["kind"] for r in log]
assert kinds.count("connect") == 1, kinds
assert kinds.count("upload") == n, kinds
assert kinds.count("checkin") == 1, kinds
stop = [r["detail"] for r in log if r["kind"] == "stop"][-1]
assert stop["requests"] == n + 1, stop
assert stop["connections"] == 1, stop
EOF

# ---- commsd closes after each answer; the gateway on TLS 1.2 resumes
echo "keep-alive requests 1" | cd_conf srv2 "$PORT"
cd_start srv2 || exit 1
GW_BIG=1 GW_TOP='part limit 64K
trust instructions "'$K'/instructions.pub"' gw_conf gw2 "$PORT" </dev/null
ci_cycle gw2
NP2=$(gw_sql gw2 "SELECT count(*) FROM outbox WHERE state = 'delivered'")
check "close each: every part delivered ($NP2)" \
    test "$NP2" -ge 3 -a "$NP2" = "$(gw_sql gw2 "SELECT count(*) FROM outbox")"
check "close each: the gateway checked in" \
    test "$(gw_sql gw2 "SELECT count(*) FROM txlog WHERE kind = 'checkin'
    AND json_extract(detail, '\$.result') = 'delivered'")" = 1
cd_stop
srvlog srv2
pycheck "close each: one connection per request" \
    "$W/srv2.log.json" "$NP2" <<'EOF'
import json, sys
log, n = json.load(open(sys.argv[1])), int(sys.argv[2])
conns = [r["detail"] for r in log if r["kind"] == "connect"]
assert len(conns) == n + 1, len(conns)
stop = [r["detail"] for r in log if r["kind"] == "stop"][-1]
assert stop["requests"] == n + 1 and stop["connections"] == n + 1, stop
EOF

# ---- resumption at the server, with openssl s_client
cd_conf srv3 "$PORT" <<'EOF'
keep-alive timeout 1s
EOF
cd_start srv3 || exit 1
# sclient TAG ARGS...: one request for a package that is not there
sclient() {
	_sc=$1; shift
	printf 'GET /callhome/1/package/none-1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' |
	    timeout 20 openssl s_client -connect "127.0.0.1:$PORT" \
	    -servername localhost -CAfile "$P/ca.crt" -cert "$P/client.crt" \
	    -key "$P/client.key" -tls1_3 -ign_eof "$@" >"$W/sc.$_sc.out" 2>&1
}
sclient a -sess_out "$W/sess.pem"
check "resumption: the first connection is a new session" \
    grep -q '^New, TLSv1.3' "$W/sc.a.out"
check "resumption: the answer came (404)" grep -q '^HTTP/1.1 404' "$W/sc.a.out"
RESUMES=0
if [ -s "$W/sess.pem" ]; then
	RESUMES=1
	sclient b -sess_in "$W/sess.pem"
	check "resumption: the second resumes it (s_client: Reused)" \
	    grep -q '^Reused, TLSv1.3' "$W/sc.b.out"
else
	skip "resumption" "this system's libtls issues no session ticket \
(libretls 3.7.0 on OpenSSL 3: its ticket callback returns 0, which OpenSSL \
takes for no ticket)"
fi

# ---- pipelined requests, Connection: close, the idle timeout
pyrun "pipelined" - "$PORT" "$P" <<'EOF'
import socket, ssl, sys, time
port, pki = int(sys.argv[1]), sys.argv[2]
def out(ok, what, why=""):
    print("%s\t%s\t%s" % ("PASS" if ok else "FAIL", what, why), flush=True)
def conn():
    ctx = ssl.create_default_context(cafile=pki + "/ca.crt")
    ctx.load_cert_chain(pki + "/client.crt", pki + "/client.key")
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)),
        server_hostname="localhost")
    s.settimeout(10)
    return s
def req(close=False):
    return (b"GET /callhome/1/package/none-1 HTTP/1.1\r\nHost: localhost\r\n"
        + (b"Connection: keep-alive, close\r\n" if close else b"") + b"\r\n")
def answers(s, n):
    buf, got = b"", []
    while len(got) < n:
        while b"\r\n\r\n" not in buf:
            d = s.recv(65536)
            if not d:
                return got, True
            buf += d
        head, buf = buf.split(b"\r\n\r\n", 1)
        clen = int([l.split(b":")[1] for l in head.split(b"\r\n")
            if l.lower().startswith(b"content-length:")][0])
        while len(buf) < clen:
            buf += s.recv(65536)
        got.append(head)
        buf = buf[clen:]
    return got, False
s = conn()
s.sendall(req() + req() + req(close=True))
got, eof = answers(s, 3)
out(len(got) == 3 and all(h.startswith(b"HTTP/1.1 404") for h in got),
    "pipelined: three answers, in order", repr(got))
out([b"Connection: close" in h for h in got] == [False, False, True],
    "pipelined: the first two keep the connection, the third closes it",
    repr(got))
try:
    eof = s.recv(1) == b""
except (ssl.SSLError, OSError):
    eof = True
out(eof, "pipelined: commsd closed after the third")
s = conn()
s.sendall(req())
got, eof = answers(s, 1)
out(len(got) == 1 and b"Connection: close" not in got[0],
    "idle: the answer keeps the connection")
try:
    closed = s.recv(1) == b""	# within the 10 s timeout; it is 1 s
except (ssl.SSLError, OSError) as e:
    closed = not isinstance(e, socket.timeout)
out(closed, "idle: commsd closed the idle connection")
EOF
cd_stop
srvlog srv3
pycheck "idle: commsd's records (resumed connects if any, idle closes)" \
    "$W/srv3.log.json" "$RESUMES" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1]))
conns = [r["detail"] for r in log if r["kind"] == "connect"]
want = [False, True] if sys.argv[2] == "1" else [False]
assert [c["resumed"] for c in conns][:len(want)] == want, conns
stop = [r["detail"] for r in log if r["kind"] == "stop"][-1]
assert stop["idle_closed"] >= 1, stop
EOF

# ---- an idle connection makes room for a gateway's new one
cat <<'EOF' | cd_conf srv4 "$PORT"
max connections 1
max connections per gateway 1
keep-alive timeout 60s
EOF
cd_start srv4 || exit 1
$PY - "$PORT" "$P" >"$W/idle.out" 2>&1 <<'EOF' &
import socket, ssl, sys, time
port, pki = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=pki + "/ca.crt")
ctx.load_cert_chain(pki + "/client.crt", pki + "/client.key")
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)),
    server_hostname="localhost")
s.sendall(b"GET /callhome/1/package/none-1 HTTP/1.1\r\nHost: x\r\n\r\n")
s.settimeout(40)
print("answered" if s.recv(65536).startswith(b"HTTP/1.1 404") else "no",
    flush=True)
try:
    print("closed" if s.recv(1) == b"" else "data", flush=True)
except Exception as e:
    print("closed" if not isinstance(e, socket.timeout) else "open",
        flush=True)
EOF
up_started $!
check "room: the idle connection was answered" \
    wait_for 10 grep -qx answered "$W/idle.out"
gw_conf gw4 "$PORT" </dev/null
gw_once gw4 c1
check "room: the gateway's upload is delivered" \
    test "$(gw_sql gw4 "SELECT count(*) FROM outbox WHERE state =
    'delivered'")" -ge 1
check "room: the idle connection was closed for it" \
    wait_for 10 grep -qx closed "$W/idle.out"
check_fail "room: no 503" grep -q ' 503 ' "$W/srv4.log"
cd_stop

# ---- the kept connection closed just as the next request goes
cd_conf srv5 "$PORT" </dev/null
cd_start srv5 || exit 1
FRONT=$(free_port tcp)
cat >"$W/front.py" <<'EOF'
import re, socket, ssl, sys
lport, cport, pki = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
sctx.load_cert_chain(pki + "/server.crt", pki + "/server.key")
sctx.load_verify_locations(pki + "/ca.crt")
sctx.verify_mode = ssl.CERT_REQUIRED
cctx = ssl.create_default_context(cafile=pki + "/ca.crt")
cctx.load_cert_chain(pki + "/client.crt", pki + "/client.key")
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", lport))
ls.listen(8)
print("ready", flush=True)
def message(s, buf):
    """one HTTP message delimited by Content-Length, and what follows"""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            return None, b""
        buf += d
    head, rest = buf.split(b"\r\n\r\n", 1)
    m = re.search(rb"(?im)^content-length:[ \t]*(\d+)", head)
    n = int(m.group(1)) if m else 0
    while len(rest) < n:
        d = s.recv(65536)
        if not d:
            return None, b""
        rest += d
    return head + b"\r\n\r\n" + rest[:n], rest[n:]
conn = 0
while True:
    raw, _ = ls.accept()
    conn += 1
    c = sctx.wrap_socket(raw, server_side=True)
    u = cctx.wrap_socket(socket.create_connection(("127.0.0.1", cport)),
        server_hostname="localhost")
    buf, ubuf, k = b"", b"", 0
    while True:
        req, buf = message(c, buf)
        if req is None:
            break
        k += 1
        if conn == 1 and k == 2:
            print("connection 1: request 2 closed unanswered", flush=True)
            break
        u.sendall(req)
        resp, ubuf = message(u, ubuf)
        if resp is None:
            break
        c.sendall(resp)
        print("connection %d: request %d answered" % (conn, k), flush=True)
    for s in (c, u):
        try:
            s.close()
        except OSError:
            pass
EOF
$PY "$W/front.py" "$FRONT" "$PORT" "$P" >"$W/front.out" 2>&1 &
up_started $!
check "closed under it: the front listens" \
    wait_for 10 grep -q ready "$W/front.out"
GW_BIG=1 GW_TOP='part limit 64K' gw_conf gw5 "$FRONT" </dev/null
gw_once gw5 c1
NP5=$(gw_sql gw5 "SELECT count(*) FROM outbox")
check "closed under it: every part delivered at its first attempt ($NP5)" \
    test "$(gw_sql gw5 "SELECT count(*) FROM outbox WHERE state =
    'delivered' AND attempts = 1")" = "$NP5" -a "$NP5" -ge 3
check "closed under it: the front closed the second request unanswered" \
    grep -qx 'connection 1: request 2 closed unanswered' "$W/front.out"
check "closed under it: a new connection carried it and the others" \
    grep -qx "connection 2: request $((NP5 - 1)) answered" "$W/front.out"
check "closed under it: no upload record of a failure" \
    test "$(gw_sql gw5 "SELECT count(*) FROM txlog WHERE kind = 'upload'
    AND json_extract(detail, '\$.result') != 'delivered'")" = 0
cd_stop
exit 0
