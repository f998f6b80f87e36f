#!/bin/sh
# A busy server's Retry-After is honoured.  commsd allows one connection
# per gateway ("max connections per gateway 1") and one is held open with
# the gateway's own certificate; the gateway's upload ("callhomed -1") is
# then answered 503 with "Retry-After: 60", and:
#
#   - callhomed -1 exits 1, "upload failed: http-error: ... 503";
#   - the outbox: the document pending, attempt 1, its next attempt at
#     least 60 s later (the server's wait, not the gateway's first backoff
#     of 30 s) and at most 10% more;
#   - the transaction log's record of the attempt: http_status 503,
#     retry_after 60.
#
# Then the held connection goes, "callhomectl send" from a daemon, and the
# document is delivered.  Last, a check-in answered 503 the same way: the
# "checkin" record has the Retry-After and the time of the next attempt,
# 60 s later and at most 10% more (auditd tries it again then).

. "$TOP/regress/lib.sh"
. "$TOP/regress/upload-lib.sh"

up_setup || exit 0
up_fleet 1 || exit 1

PORT=$(free_port tcp)
echo "max connections per gateway 1" | cd_conf srv "$PORT"
gw_conf gw "$PORT" </dev/null
cd_start srv || exit 1

# the gateway's one connection, taken: a head, and a body that never comes
$PY - "$PORT" "$P" >"$W/hold.out" 2>&1 <<'EOF' &
import socket, ssl, sys, time
port, pki = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=pki + "/ca.crt")
ctx.load_cert_chain(pki + "/client.crt", pki + "/client.key")
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)),
    server_hostname="localhost")
s.sendall(b"POST /callhome/1/upload HTTP/1.1\r\nHost: x\r\n"
    b"Content-Type: application/soap+xml\r\nContent-Length: 100\r\n\r\n")
print("holding", flush=True)
time.sleep(50)
EOF
HOLD=$!
up_started $HOLD
if ! wait_for 10 grep -q holding "$W/hold.out"; then
	fail "the gateway's connection is held" "$(cat "$W/hold.out")"
	exit 1
fi

t0=$(date +%s)
gw_once gw c1
rc=$?
check "busy: callhomed -1 exits 1" test $rc -eq 1
check "busy: upload failed with 503" \
    grep -Eq '^upload failed: http-error: .*503' "$W/gw.c1.out"
check "busy: commsd said why" \
    grep -q '503 more than 1 connections from this gateway' "$W/srv.log"
gw_outbox gw >"$W/outbox.json"
check "busy: the next attempt waits for Retry-After (60 s, not 30)" \
    $PY - "$W/outbox.json" <<'EOF'
import json, sys
ob = json.load(open(sys.argv[1]))
assert len(ob) == 1, ob
d = ob[0]
assert d["state"] == "pending" and d["attempts"] == 1, d
wait = d["next_attempt"] - d["last_attempt"]
assert 60 <= wait <= 66, wait
EOF
gw_txlog gw >"$W/txlog.json"
check "busy: the log's record has http_status 503 and retry_after 60" \
    $PY - "$W/txlog.json" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1]))
up = [r["detail"] for r in log if r["kind"] == "upload"]
assert up and up[-1]["http_status"] == 503, up
assert up[-1]["retry_after"] == 60, up[-1]
EOF

# the connection goes; "send now" delivers
up_stop $HOLD
gw_start gw || exit 1
gw_ctl gw send >"$W/send.out" 2>&1
check "after the wait: delivered" gw_wait_sql 30 gw \
    "SELECT count(*) FROM outbox WHERE state = 'delivered'" 1
gw_stop

# a check-in answered 503 is tried again after Retry-After, and a tenth
# more at most: the "checkin" record says when
SIGNIFY=$(command -v signify-openbsd || command -v signify)
if [ -z "$SIGNIFY" ]; then
	skip "busy check-in" "signify-openbsd is not installed"
	exit 0
fi
$SIGNIFY -G -n -p "$W/ins.pub" -s "$W/ins.sec" >/dev/null 2>&1
$PY - "$PORT" "$P" >"$W/hold2.out" 2>&1 <<'EOF' &
import socket, ssl, sys, time
port, pki = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=pki + "/ca.crt")
ctx.load_cert_chain(pki + "/client.crt", pki + "/client.key")
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)),
    server_hostname="localhost")
s.sendall(b"POST /callhome/1/upload HTTP/1.1\r\nHost: x\r\n"
    b"Content-Type: application/soap+xml\r\nContent-Length: 100\r\n\r\n")
print("holding", flush=True)
time.sleep(50)
EOF
HOLD=$!
up_started $HOLD
check "busy check-in: the gateway's connection is held" \
    wait_for 10 grep -q holding "$W/hold2.out"
GW_TOP='trust instructions "'$W/ins.pub'"' gw_conf gwc "$PORT" \
    </dev/null
gw_start gwc || exit 1
gw_ctl gwc checkin >/dev/null 2>&1
check "busy check-in: a checkin record" gw_wait_sql 30 gwc \
    "SELECT count(*) FROM txlog WHERE kind = 'checkin'" 1
gw_stop
up_stop $HOLD
gw_txlog gwc >"$W/txlog2.json"
pycheck "busy check-in: 503, Retry-After 60, tried again 60 to 66 s later" \
    "$W/txlog2.json" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1]))
ci = [r for r in log if r["kind"] == "checkin"][-1]
d = ci["detail"]
assert d["http_status"] == 503 and d["retry_after"] == 60, d
assert 60 <= d["next_attempt"] - ci["time"] <= 66, (d, ci["time"])
assert "Retry-After" in ci["summary"], ci["summary"]
EOF
exit 0
