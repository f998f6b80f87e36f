#!/bin/sh
# Uploads end to end: callhomed -1 collects real walks (snmpfleet: several
# walks of $WALKS and the handmade one with alerts), stores the document
# in its outbox and sends it to commsd over mutual TLS.
#
#   one cycle       exit 0, the cycle line and "upload: outbox delivered";
#                   the SAME bytes on both sides: outbox.sha256 = SHA-256
#                   of the outbox's document blob = receipt_sha256 =
#                   commsd's documents[].sha256 = sha256sum of "commsd -q
#                   document ID", and the two files compare equal (cmp);
#                   the outbox row delivered with the server's document id,
#                   TLS version and certificate hash (= the server
#                   certificate's); the gateway's "upload" record says the
#                   same; commsd logs gw1's certificate
#   device data     commsd -q devices -j equals callhomectl devices -j for
#                   status serial vendor enterprise model firmware
#                   device_status printer_status errors meters supplies
#                   alerts, device by device; no address on the server (no
#                   Address element, no 127.26.x.y anywhere in the bytes)
#                   while "send device-address" is off (the default)
#   device-address  with "send device-address yes": every device's address
#                   on the server is the gateway's, and the data still match
#   not authorized  "authorize upload no": callhomed -1 exits 0 without an
#                   upload line, the outbox keeps the document pending
#                   (attempts 0), the log says "kept (upload not
#                   authorized)" and has no upload record; a commsd that
#                   listens all along sees no connection at all (its log
#                   has only its start record, no TLS failure, no document,
#                   no "connection" line on stderr); the daemon's
#                   "callhomectl send" exits 1 saying it is not authorized,
#                   "status -j" says so too, and "collect" adds a second
#                   pending document; neither run gives uplinkd a job or
#                   dials
#   receipt-hash    a commsd with "fault receipt-hash": callhomed -1 exits
#                   1 ("upload failed: receipt-mismatch: ..."); the document
#                   is not delivered: pending, attempts 1, last_status 1
#                   (receipt-mismatch), last_error names both hashes, no
#                   receipt or server id kept; the gateway's log records
#                   the mismatch; then the same commsd without the fault:
#                   the retry is answered Duplicate true and counts as
#                   delivered, the next document too, each stored once
#
# After each scenario "callhomectl verify" exits 0.

. "$TOP/regress/lib.sh"
. "$TOP/regress/upload-lib.sh"

up_setup || exit 0
up_fleet 6 "$TOP/regress/walks/hm-alerts.snmprec" || exit 1
T0=$(now_ms)

PORT=$(free_port tcp)
cd_conf srv "$PORT" </dev/null
cd_start srv || exit 1

# ---- one whole cycle, delivered
gw_conf gw "$PORT" </dev/null
gw_once gw c1
rc=$?
check "cycle: callhomed -1 exits 0 (every device ok, delivered)" test $rc -eq 0
check "cycle: the summary line" grep -qxF \
    "cycle 1 (once): $NDEV devices: $NDEV ok" "$W/gw.c1.out"
check "cycle: \"upload: outbox delivered\"" grep -qxF \
    "upload: outbox delivered (1 documents delivered in all)" "$W/gw.c1.out"

gw_outbox gw >"$W/gw.outbox.json"
cd_q srv documents -j >"$W/srv.docs.json"
SID=$(gw_sql gw "SELECT server_doc_id FROM outbox WHERE id = 1")
: "${SID:=0}"
cd_q srv document "$SID" >"$W/srv.doc1" 2>"$W/srv.doc1.err"
gw_sql gw "SELECT writefile('$W/gw.doc1', document) FROM outbox
    WHERE id = 1" >/dev/null
SRV_SHA=$(sha256sum <"$W/srv.doc1" | cut -d' ' -f1)
GW_FILE_SHA=$(sha256sum <"$W/gw.doc1" | cut -d' ' -f1)
pycheck "identity: outbox sha256 = blob's SHA-256 = receipt_sha256 = commsd's sha256 = sha256sum of -q document" \
    "$W/gw.outbox.json" "$W/srv.docs.json" "$SRV_SHA" "$GW_FILE_SHA" <<'EOF'
import json, sys
ob = json.load(open(sys.argv[1]))
docs = json.load(open(sys.argv[2]))
srv_file, gw_file = sys.argv[3], sys.argv[4]
assert len(ob) == 1, ob
o = ob[0]
assert o["state"] == "delivered", o
h = o["sha256"]
assert len(h) == 64, h
assert o["document_sha256"] == h, ("blob", o["document_sha256"], h)
assert gw_file == h, ("blob written out", gw_file, h)
assert o["receipt_sha256"] == h, ("receipt", o["receipt_sha256"], h)
assert len(docs) == 1, docs
d = docs[0]
assert d["id"] == o["server_doc_id"], (d["id"], o["server_doc_id"])
assert d["sha256"] == h, ("commsd", d["sha256"], h)
assert srv_file == h, ("-q document", srv_file, h)
assert d["size"] == o["size"], (d["size"], o["size"])
assert d["gateway"] == "gw1" and d["cycle"] == o["cycle_id"] == 1, d
assert d["duplicates_seen"] == 0, d
EOF
check "identity: commsd's copy and the outbox's bytes are the same file (cmp)" \
    cmp "$W/gw.doc1" "$W/srv.doc1"
SERVER_CERT=$(pki_sha256 "$P/server.crt")
gw_txlog gw >"$W/gw.txlog.json"
pycheck "cycle: the outbox row: delivered once, server id, TLS 1.2+, server certificate hash" \
    "$W/gw.outbox.json" "$SERVER_CERT" <<'EOF'
import json, sys
o = json.load(open(sys.argv[1]))[0]
assert o["attempts"] == 1 and o["last_status"] == 0, o
assert o["server_doc_id"] == 1 and o["duplicate"] == 0, o
assert o["tls_version"] in ("TLSv1.2", "TLSv1.3"), o["tls_version"]
assert o["cert_hash"].lower() == "sha256:" + sys.argv[2], o["cert_hash"]
assert o["last_error"] is None, o["last_error"]
EOF
pycheck "cycle: the gateway's log: collect, document, upload delivered (same hashes)" \
    "$W/gw.txlog.json" "$W/gw.outbox.json" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1]))
o = json.load(open(sys.argv[2]))[0]
assert [r["kind"] for r in log] == ["config", "collect", "document",
    "upload"], [r["kind"] for r in log]
assert log[0]["summary"].startswith("configuration at start: "), log[0]
log = log[1:]
doc, up = log[1]["detail"], log[2]["detail"]
assert doc["sha256"] == o["sha256"] and doc["authorized"] is True, doc
assert up["result"] == "delivered" and up["http_status"] == 200, up
assert up["document_sha256"] == up["receipt_sha256"] == o["sha256"], up
assert up["server_doc_id"] == 1 and up["duplicate"] is False, up
assert "delivered, server document 1" in log[2]["summary"], log[2]
EOF
CLIENT_CERT=$(pki_sha256 "$P/client.crt")
cd_q srv log -j >"$W/srv.log.json"
pycheck "cycle: commsd logged one connection of gw1 (its certificate) and one upload" \
    "$W/srv.log.json" "$CLIENT_CERT" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1]))
kinds = [r["kind"] for r in log]
assert kinds == ["start", "connect", "upload"], kinds
c = json.loads(log[1]["detail"])
assert c["gateway"] == "gw1" and c["cert_sha256"] == sys.argv[2], c
EOF

# ---- device data, without addresses
gw_ctl gw devices -j >"$W/gw.devices.json" 2>"$W/gw.devices.err"
cd_q srv devices -j >"$W/srv.devices.json" 2>"$W/srv.devices.err"
# devcmp GATEWAY.json SERVER.json noaddr|addr N LABEL: one check per
# compared key over all devices, paired by address when the server has
# them, else by (vendor, model, serial, enterprise), unique in the fleet
cat >"$W/devcmp.py" <<'EOF'
import json, sys
gw = json.load(open(sys.argv[1]))["devices"]
sv = json.load(open(sys.argv[2]))["devices"]
mode, n = sys.argv[3], int(sys.argv[4])
KEYS = ["status", "serial", "vendor", "enterprise", "model", "firmware",
    "device_status", "printer_status", "errors", "meters", "supplies",
    "alerts"]
def out(ok, name, why=""):
    print("%s\t%s\t%s" % ("PASS" if ok else "FAIL", name, why))
def ident(d):
    return json.dumps([d["vendor"], d["model"], d["serial"],
        d["enterprise"]])
what = "the same %d devices on both sides%s" % (n,
    ", no address on the server" if mode == "noaddr" else
    ", each at the gateway's address")
try:
    assert len(gw) == n, ("gateway devices", len(gw), n)
    assert len(sv) == n, ("server devices", len(sv), n)
    for d in gw + sv:
        for k in KEYS + ["address"]:
            assert k in d, ("missing key", k, d)
    # real data flowed: meters, supplies and alerts
    assert sum(len(d["meters"] or []) for d in gw) >= 3, "meters"
    assert sum(len(d["supplies"] or []) for d in gw) >= 10, "supplies"
    assert sum(len(d["alerts"] or []) for d in gw) >= 1, "alerts"
    if mode == "noaddr":
        addrs = [d["address"] for d in sv]
        assert all(a is None for a in addrs), ("server addresses", addrs)
        ga = {ident(d): d for d in gw}
        sa = {ident(d): d for d in sv}
        assert len(ga) == len(sa) == n, "devices not told apart"
    else:
        ga = {d["address"]: d for d in gw}
        sa = {d["address"]: d for d in sv}
        assert len(ga) == n, "gateway addresses not unique"
    assert set(ga) == set(sa), (sorted(ga), sorted(sa))
except AssertionError as e:
    out(False, what, repr(e))
    sys.exit(0)
out(True, what)
for k in KEYS:
    bad = ["%s: gateway %s, server %s" % (ga[i]["address"],
        json.dumps(ga[i][k])[:60], json.dumps(sa[i][k])[:60])
        for i in sorted(ga) if ga[i][k] != sa[i][k]]
    out(not bad, "%s equal on every device" % k, "; ".join(bad))
EOF
devcmp() {
	if ! $PY "$W/devcmp.py" "$1" "$2" "$3" "$4" >"$W/devcmp.out" \
	    2>"$W/devcmp.err"; then
		fail "$5: comparing devices" "$(tail -n 2 "$W/devcmp.err")"
		return
	fi
	while IFS="$TAB" read -r _r _k _why; do
		if [ "$_r" = PASS ]; then
			pass "$5: $_k"
		else
			fail "$5: $_k" "$_why"
		fi
	done <"$W/devcmp.out"
}
TAB=$(printf '\t')
devcmp "$W/gw.devices.json" "$W/srv.devices.json" noaddr "$NDEV" \
    "devices, commsd -q devices -j vs callhomectl devices -j"
check "devices: the stored bytes hold no Address and no device address" \
    sh -c "! grep -q -e '<ch:Address>' -e '127\\.26\\.' '$W/srv.doc1'"
gw_verify gw "cycle"

# ---- the same with "send device-address yes"
GW_TOP='send device-address yes' gw_conf gwaddr "$PORT" </dev/null
gw_once gwaddr c1
rc=$?
check "device-address yes: callhomed -1 exits 0, delivered" sh -c \
    "test $rc -eq 0 && grep -q '^upload: outbox delivered' '$W/gwaddr.c1.out'"
gw_ctl gwaddr devices -j >"$W/gwaddr.devices.json" 2>&1
cd_q srv devices -j >"$W/srv.devices2.json" 2>&1
devcmp "$W/gwaddr.devices.json" "$W/srv.devices2.json" addr "$NDEV" \
    "devices with device-address yes"
SID=$(gw_sql gwaddr "SELECT server_doc_id FROM outbox WHERE id = 1")
cd_q srv document "${SID:-0}" >"$W/srv.doc2" 2>&1
check "device-address yes: the stored bytes carry $NDEV Address elements" \
    test "$(grep -o '<ch:Address>127\.26\.0\.[0-9]*:[0-9]*</ch:Address>' \
    "$W/srv.doc2" | wc -l)" -eq "$NDEV"
gw_verify gwaddr "device-address yes"
cd_stop

# ---- authorize upload no: not a single connection
PORT_Q=$(free_port tcp)
cd_conf quiet "$PORT_Q" </dev/null
cd_start quiet || exit 1
GW_AUTH=no gw_conf gwno "$PORT_Q" </dev/null
gw_once gwno c1
rc=$?
check "not authorized: callhomed -1 exits 0 after the cycle" test $rc -eq 0
check "not authorized: only the cycle line, no upload line" sh -c \
    "test \"\$(cat '$W/gwno.c1.out')\" = 'cycle 1 (once): $NDEV devices: $NDEV ok'"
check "not authorized: the outbox keeps the document (pending, never tried)" \
    test "$(gw_sql gwno "SELECT count(*), state, attempts,
    last_attempt IS NULL FROM outbox")" = "1|pending|0|1"
check "not authorized: the log says kept, and has no upload record" \
    test "$(gw_sql gwno "SELECT
    (SELECT count(*) FROM txlog WHERE kind = 'document' AND summary LIKE
    '%kept (upload not authorized)' AND json_extract(detail,
    '$.authorized') = 0), (SELECT count(*) FROM txlog WHERE
    kind = 'upload')")" = "1|0"
gw_start gwno || exit 1
gw_ctl gwno send >"$W/gwno.send.out" 2>&1
rc=$?
check "not authorized: callhomectl send exits 1" test $rc -eq 1
check "not authorized: callhomectl send says why" grep -qxF \
    "send: uploading is not authorized (authorize upload no)" \
    "$W/gwno.send.out"
gw_ctl gwno status -j >"$W/gwno.status.json" 2>&1
pycheck "not authorized: status -j says not authorized, 1 pending, never uploaded" \
    "$W/gwno.status.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["uploading"].startswith("not authorized"), s
assert s["outbox"].startswith("1 pending"), s
assert s["last upload"] == "never", s
EOF
gw_ctl gwno collect >/dev/null 2>&1
check "not authorized: callhomectl collect adds a second pending document" \
    gw_wait_sql 20 gwno "SELECT count(*) FROM outbox WHERE state =
    'pending'" 2
# a moment for a connection that must not come
sleep 1
gw_stop
check "not authorized: no job for uplinkd, no dial (callhomed -1 and the daemon)" \
    sh -c "! grep -e 'sending the document' -e 'dial for job' \
    '$W/gwno.c1.log' '$W/gwno.d.log'"
cd_q quiet log -j >"$W/quiet.log.json" 2>&1
cd_q quiet documents -j >"$W/quiet.docs.json" 2>&1
pycheck "not authorized: commsd saw no connection (log: only its start; no documents)" \
    "$W/quiet.log.json" "$W/quiet.docs.json" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1]))
assert [r["kind"] for r in log] == ["start"], [r["kind"] for r in log]
assert json.load(open(sys.argv[2])) == [], "documents stored"
EOF
check "not authorized: no connection line in commsd's stderr" sh -c \
    "! grep -i -e 'connection' -e 'handshake' '$W/quiet.log'"
gw_verify gwno "not authorized"
cd_stop

# ---- fault receipt-hash: never marked delivered
PORT_F=$(free_port tcp)
echo 'fault receipt-hash' | cd_conf rh "$PORT_F"
cd_start rh || exit 1
gw_conf gwrh "$PORT_F" </dev/null
gw_once gwrh c1
rc=$?
SHA1=$(gw_sql gwrh "SELECT sha256 FROM outbox WHERE id = 1")
check "receipt-hash: callhomed -1 exits 1" test $rc -eq 1
check "receipt-hash: \"upload failed: receipt-mismatch\" naming our hash" \
    grep -q "^upload failed: receipt-mismatch: .*$SHA1.*; 1 documents wait in the outbox$" \
    "$W/gwrh.c1.out"
gw_outbox gwrh >"$W/gwrh.outbox.json"
pycheck "receipt-hash: the document is not delivered (pending, attempt 1, last_status receipt-mismatch, both hashes in last_error)" \
    "$W/gwrh.outbox.json" <<'EOF'
import json, sys
o = json.load(open(sys.argv[1]))
assert len(o) == 1, o
o = o[0]
assert o["state"] == "pending" and o["attempts"] >= 1, o
assert o["last_status"] == 1, o		# receipt-mismatch
assert o["sha256"] in o["last_error"], o["last_error"]
assert "receipt names" in o["last_error"], o["last_error"]
assert o["receipt_sha256"] is None and o["server_doc_id"] is None, o
assert o["delivered"] is None, o
assert o["document_sha256"] == o["sha256"], o
EOF
gw_txlog gwrh >"$W/gwrh.txlog.json"
pycheck "receipt-hash: the gateway's log records the mismatch (kind upload, result receipt-mismatch, the two hashes)" \
    "$W/gwrh.txlog.json" <<'EOF'
import json, sys
up = [r for r in json.load(open(sys.argv[1])) if r["kind"] == "upload"]
assert len(up) == 1, up
d = up[0]["detail"]
assert d["result"] == "receipt-mismatch", d
assert "receipt-mismatch" in up[0]["summary"], up[0]["summary"]
assert d["receipt_sha256"] and d["receipt_sha256"] != d["document_sha256"], d
assert d["http_status"] == 200 and d["next_attempt"] is not None, d
EOF
check "receipt-hash: the log line of callhomed names the mismatch" \
    grep -q 'upload of cycle 1 .*receipt-mismatch' "$W/gwrh.c1.log"
gw_verify gwrh "receipt-hash"
cd_stop
# the same server, its fault gone: the retry is a duplicate, delivered
cd_conf rh "$PORT_F" </dev/null
cd_start rh || exit 1
gw_once gwrh c2
rc=$?
check "receipt-hash, then fixed: callhomed -1 exits 0, both delivered" sh -c \
    "test $rc -eq 0 && grep -qxF 'upload: outbox delivered (2 documents delivered in all)' '$W/gwrh.c2.out'"
gw_outbox gwrh >"$W/gwrh.outbox2.json"
cd_q rh documents -j >"$W/rh.docs.json"
pycheck "receipt-hash, then fixed: the first answered Duplicate true, each document once at the server" \
    "$W/gwrh.outbox2.json" "$W/rh.docs.json" <<'EOF'
import json, sys
ob = json.load(open(sys.argv[1]))
docs = json.load(open(sys.argv[2]))
assert [o["state"] for o in ob] == ["delivered", "delivered"], ob
assert ob[0]["duplicate"] == 1 and ob[1]["duplicate"] == 0, ob
assert ob[0]["attempts"] == 2 and ob[0]["last_error"] is None, ob[0]
for o in ob:
    assert o["receipt_sha256"] == o["sha256"] == o["document_sha256"], o
hashes = [d["sha256"] for d in docs]
assert sorted(hashes) == sorted(o["sha256"] for o in ob), (hashes, ob)
assert len(set(hashes)) == len(hashes) == 2, hashes
by = {d["sha256"]: d for d in docs}
assert by[ob[0]["sha256"]]["duplicates_seen"] == 1, docs
assert ob[0]["server_doc_id"] == by[ob[0]["sha256"]]["id"], (ob, docs)
EOF
gw_verify gwrh "receipt-hash, then fixed"
cd_stop

echo "# upload-cycle took $(( $(now_ms) - T0 )) ms after setup"
exit 0
