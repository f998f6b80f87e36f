#!/bin/sh
# Nothing is lost while the server is down.  The gateway collects five
# cycles with no commsd listening: three "callhomed -1" runs (each exits 1
# with "upload failed: dial-failed: cannot connect to localhost:PORT ...
# Connection refused; N documents wait in the outbox", N = 1, 2, 3), then
# the daemon and "callhomectl collect" twice.  Meanwhile every document
# stays pending in the outbox (counted), the transaction log records each
# failed attempt (kind upload, result dial-failed), and "status -j" shows
# the failure and the spool depth.  Then commsd starts and "callhomectl
# send": every document is delivered, oldest first, exactly once:
#
#   - the outbox: all five delivered, each with its receipt (receipt_sha256
#     = sha256 = SHA-256 of the stored bytes), no error left;
#   - order: the server's document ids increase with the gateway's cycle
#     ids, and so do the delivery times and the log's delivered records;
#   - commsd: five documents, each sha256 exactly once, duplicates_seen 0,
#     each with the gateway's cycle number and size, and "-q document ID"
#     gives exactly the bytes of the outbox;
#   - "callhomectl verify" exits 0 during the outage and after.
#
# Then a transient failure just before a "callhomed -1" cycle: a document
# left from before is due at start-up and its first attempt fails (a
# front that closes the first connection, then forwards to commsd); the
# cycle's kick makes it due again, so -1 must report the outcome of the
# attempts after the kick: exit 0, "upload: outbox delivered (2 ...)",
# both documents delivered, the failed attempt logged before them.
#
# Then cycles in parts (150 printers, "part limit 64K") through an outage:
# two "callhomed -1" runs with no server (each exits 1, dial-failed, all
# parts of both cycles pending), then a third with commsd up: exit 0,
# every part of the three cycles delivered, oldest first (cycle, then
# part), each exactly once at commsd, the three cycles complete there.

. "$TOP/regress/lib.sh"
. "$TOP/regress/upload-lib.sh"

up_setup || exit 0
up_fleet 4 || exit 1
T0=$(now_ms)

# nobody listens on PORT until commsd starts
PORT=$(free_port tcp)
cd_conf srv "$PORT" </dev/null
gw_conf gw "$PORT" </dev/null

for i in 1 2 3; do
	gw_once gw c$i
	rc=$?
	check "outage, callhomed -1 #$i: exits 1" test $rc -eq 1
	check "outage, callhomed -1 #$i: cycle $i, all $NDEV devices ok" \
	    grep -qxF "cycle $i (once): $NDEV devices: $NDEV ok" "$W/gw.c$i.out"
	check "outage, callhomed -1 #$i: upload failed: dial-failed, $i waiting" \
	    grep -qE "^upload failed: dial-failed: cannot connect to localhost:$PORT: .*Connection refused.*; $i documents wait in the outbox\$" \
	    "$W/gw.c$i.out"
	check "outage, callhomed -1 #$i: $i documents pending" \
	    test "$(gw_sql gw "SELECT count(*) FROM outbox WHERE
	    state = 'pending'")" = $i
done
check "outage: callhomed logged the refused dial" \
    grep -q "dial for job 1 failed: cannot connect to localhost:$PORT" \
    "$W/gw.c1.log"
gw_verify gw "outage, after three runs"

# the daemon: two more cycles, still no server
gw_start gw || exit 1
for i in 4 5; do
	gw_ctl gw collect >"$W/collect$i.out" 2>&1
	check "outage, daemon: callhomectl collect ($i)" grep -qxF \
	    "collect: collection started" "$W/collect$i.out"
	check "outage, daemon: document of cycle $i pending" \
	    gw_wait_sql 30 gw "SELECT count(*) FROM outbox WHERE state =
	    'pending' AND cycle_id = $i" 1
	wait_for 10 sh -c "! '$CTL' -f '$W/gw.conf' status |
	    grep -q '^collection: running'"
done
check "outage: all 5 documents pending, none delivered" \
    test "$(gw_sql gw "SELECT count(*), sum(state = 'pending'),
    min(cycle_id), max(cycle_id) FROM outbox")" = "5|5|1|5"
check "outage: every cycle has its document" \
    test "$(gw_sql gw "SELECT count(*) FROM cycles WHERE id NOT IN
    (SELECT cycle_id FROM outbox)")" = 0
check "outage: each failed attempt is an upload record (dial-failed)" \
    test "$(gw_sql gw "SELECT count(*) = sum(json_extract(detail,
    '$.result') = 'dial-failed') AND count(*) >= 3 FROM txlog
    WHERE kind = 'upload'")" = 1
gw_ctl gw status -j >"$W/status1.json" 2>&1
pycheck "outage: status -j: 5 pending, 0 delivered, last upload dial-failed" \
    "$W/status1.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["outbox"].startswith("5 pending") and \
    s["outbox"].endswith(", 0 delivered"), s["outbox"]
assert ": dial-failed: " in s["last upload"], s["last upload"]
assert s["last success"] == "never", s
EOF
gw_verify gw "outage, five cycles"

# the server comes back: one send delivers everything
cd_start srv || exit 1
gw_ctl gw send >"$W/send.out" 2>&1
rc=$?
check "back: callhomectl send exits 0" test $rc -eq 0
check "back: all 5 documents delivered within 30 s" \
    gw_wait_sql 30 gw "SELECT count(*) FROM outbox WHERE state =
    'delivered'" 5
gw_ctl gw status -j >"$W/status2.json" 2>&1
pycheck "back: status -j: 0 pending, 5 delivered, last upload delivered" \
    "$W/status2.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["outbox"].startswith("0 pending") and \
    s["outbox"].endswith(", 5 delivered"), s["outbox"]
assert s["last upload"].endswith(": delivered"), s["last upload"]
EOF
gw_stop

gw_outbox gw >"$W/outbox.json"
gw_txlog gw >"$W/txlog.json"
cd_q srv documents -j >"$W/docs.json"
pycheck "back: every document delivered with its receipt, no error left" \
    "$W/outbox.json" <<'EOF'
import json, sys
ob = json.load(open(sys.argv[1]))
assert len(ob) == 5, ob
for o in ob:
    assert o["state"] == "delivered", o
    assert o["sha256"] == o["document_sha256"] == o["receipt_sha256"], o
    assert o["last_status"] == 0 and o["last_error"] is None, o
    assert o["duplicate"] == 0 and o["server_doc_id"] > 0, o
    assert o["delivered"] is not None and o["attempts"] >= 1, o
# the three documents of the runs were tried while the server was down
assert all(o["attempts"] >= 2 for o in ob[:1]), ob[0]
EOF
pycheck "back: in order: server ids and delivery times increase with the cycle ids" \
    "$W/outbox.json" "$W/txlog.json" <<'EOF'
import json, sys
ob = json.load(open(sys.argv[1]))
cycles = [o["cycle_id"] for o in ob]
assert cycles == [1, 2, 3, 4, 5], cycles
ids = [o["server_doc_id"] for o in ob]
assert all(a < b for a, b in zip(ids, ids[1:])), ids
times = [o["delivered"] for o in ob]
assert times == sorted(times), times
log = json.load(open(sys.argv[2]))
dl = [r["detail"]["cycle"] for r in log if r["kind"] == "upload" and
    r["detail"]["result"] == "delivered"]
assert dl == [1, 2, 3, 4, 5], dl
EOF
pycheck "back: commsd holds each document exactly once (5 hashes, duplicates_seen 0, same cycle and size)" \
    "$W/outbox.json" "$W/docs.json" <<'EOF'
import json, sys
ob = json.load(open(sys.argv[1]))
docs = json.load(open(sys.argv[2]))
assert len(docs) == 5, docs
hs = [d["sha256"] for d in docs]
assert len(set(hs)) == 5, hs
by = {d["sha256"]: d for d in docs}
for o in ob:
    d = by[o["sha256"]]
    assert d["id"] == o["server_doc_id"], (d, o)
    assert d["cycle"] == o["cycle_id"] and d["size"] == o["size"], (d, o)
    assert d["duplicates_seen"] == 0 and d["gateway"] == "gw1", d
EOF
n=0
for id in $(gw_sql gw "SELECT id FROM outbox ORDER BY id"); do
	sid=$(gw_sql gw "SELECT server_doc_id FROM outbox WHERE id = $id")
	gw_sql gw "SELECT writefile('$W/gw.doc$id', document) FROM outbox
	    WHERE id = $id" >/dev/null
	cd_q srv document "$sid" >"$W/srv.doc$id" 2>/dev/null &&
	    cmp -s "$W/gw.doc$id" "$W/srv.doc$id" && n=$((n + 1))
done
check "back: -q document gives the outbox's exact bytes, all 5" test $n -eq 5
cd_q srv log -j >"$W/srv.log.json"
pycheck "back: commsd's log: 5 uploads, no duplicate, no refusal" \
    "$W/srv.log.json" <<'EOF'
import json, sys
kinds = [r["kind"] for r in json.load(open(sys.argv[1]))]
assert kinds.count("upload") == 5, kinds
for k in ("duplicate", "reject", "tls-failure"):
    assert k not in kinds, kinds
EOF
check "back: commsd -q verify: its log is intact" sh -c \
    "'$COMMSD' -f '$W/srv.conf' -q verify | grep -q intact"
gw_verify gw "back, all delivered"

# ---- callhomed -1 after a transient failure
FRONT=$(free_port tcp)
cat >"$W/front.py" <<'EOF'
import socket, sys, threading
# the first connection is closed at once; the others go to commsd
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
print("ready", flush=True)
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    finally:
        try:
            b.shutdown(socket.SHUT_WR)
        except OSError:
            pass
n = 0
while True:
    c, _ = s.accept()
    n += 1
    if n == 1:
        print("closed 1", flush=True)
        c.close()
        continue
    print("forwarded %d" % n, flush=True)
    u = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
    threading.Thread(target=pipe, args=(c, u), daemon=True).start()
    threading.Thread(target=pipe, args=(u, c), daemon=True).start()
EOF
$PY "$W/front.py" "$FRONT" "$PORT" >"$W/front.out" 2>&1 &
FPID=$!
up_started $FPID
wait_for 10 grep -q ready "$W/front.out"
# a document never tried (collected while not authorized): due at start
GW_AUTH=no gw_conf gwt "$FRONT" </dev/null
gw_once gwt c1
gw_conf gwt "$FRONT" </dev/null
gw_once gwt c2
rc=$?
check "transient: callhomed -1 exits 0 ($(tail -n 1 "$W/gwt.c2.out" |
    cut -c1-60))" test $rc -eq 0
check "transient: \"upload: outbox delivered (2 documents delivered in all)\"" \
    grep -qxF "upload: outbox delivered (2 documents delivered in all)" \
    "$W/gwt.c2.out"
check "transient: both documents delivered" \
    test "$(gw_sql gwt "SELECT group_concat(state, ',') FROM
    (SELECT state FROM outbox ORDER BY id)")" = "delivered,delivered"
check "transient: the failed first attempt is logged, then the deliveries" \
    test "$(gw_sql gwt "SELECT group_concat(r, ',') FROM (SELECT
    json_extract(detail, '$.cycle') || ':' || json_extract(detail,
    '$.result') AS r FROM txlog WHERE kind = 'upload' ORDER BY seq)")" = \
    "1:tls-failed,1:delivered,2:delivered"
check "transient: the front closed one connection and forwarded the others" \
    sh -c "grep -qx 'closed 1' '$W/front.out' &&
    test \$(grep -c '^forwarded' '$W/front.out') -ge 2"
up_stop $FPID
gw_verify gwt "transient"
cd_stop

# ---- cycles in parts through an outage
up_bigfleet 150 || exit 1
PORTP=$(free_port tcp)
cd_conf srvp "$PORTP" </dev/null
GW_BIG=1 GW_TOP='part limit 64K' gw_conf gwp "$PORTP" </dev/null
for i in 1 2; do
	gw_once gwp c$i
	rc=$?
	n=$(gw_sql gwp "SELECT count(*) FROM outbox")
	check "parts, outage, -1 #$i: exits 1, dial-failed, all $n parts waiting" \
	    sh -c "test $rc -eq 1 && grep -qE '^upload failed: dial-failed: .*; $n documents wait in the outbox\$' '$W/gwp.c$i.out'"
done
check "parts, outage: two cycles of several parts each, all pending" \
    test "$(gw_sql gwp "SELECT count(DISTINCT cycle_id) = 2 AND
    min(parts) >= 3 AND sum(state = 'pending') = count(*) FROM outbox")" = 1
cd_start srvp || exit 1
gw_once gwp c3
rc=$?
NP=$(gw_sql gwp "SELECT count(*) FROM outbox")
check "parts, back: -1 exits 0, \"outbox delivered ($NP documents ...)\"" \
    sh -c "test $rc -eq 0 && grep -qxF 'upload: outbox delivered ($NP documents delivered in all)' '$W/gwp.c3.out'"
gw_outbox gwp >"$W/outboxp.json"
cd_q srvp documents -j >"$W/docsp.json"
cd_q srvp cycles -j >"$W/cyclesp.json"
pycheck "parts, back: every part delivered in order (cycle, part), each exactly once at commsd, 3 cycles complete" \
    "$W/outboxp.json" "$W/docsp.json" "$W/cyclesp.json" <<'EOF'
import json, sys
ob = json.load(open(sys.argv[1]))
docs = json.load(open(sys.argv[2]))
cy = json.load(open(sys.argv[3]))
order = [(o["cycle_id"], o["part"]) for o in ob]
assert order == sorted(order), order
for o in ob:
    assert o["state"] == "delivered", o
    assert o["sha256"] == o["document_sha256"] == o["receipt_sha256"], o
ids = [o["server_doc_id"] for o in ob]
assert ids == sorted(ids) and len(set(ids)) == len(ids), ids
assert sorted(d["sha256"] for d in docs) == sorted(o["sha256"] for o in ob)
assert all(d["duplicates_seen"] == 0 for d in docs), docs
assert [(c["cycle"], c["complete"], c["devices"]) for c in cy] == \
    [(1, True, 150), (2, True, 150), (3, True, 150)], cy
EOF
gw_verify gwp "parts, back"
cd_stop

echo "# upload-outage took $(( $(now_ms) - T0 )) ms after setup"
exit 0
