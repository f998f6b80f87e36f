#!/bin/sh
# A cycle in parts, and a part the server refuses.  150 printers (real
# walks, round-robin) and "part limit 64K":
#
#   parts       "callhomed -1" exits 0, "upload: outbox delivered"; the
#               cycle is several documents, each at most 64K, valid
#               (commsd validated it), "part I of N" with its devices, its
#               own hash and receipt; together they hold the 150 devices;
#               commsd has each part once, byte for byte, and says the
#               cycle is complete ("-q cycles", a "cycle" record); both
#               logs verify
#   refused     a commsd that takes at most 16K ("max document 16K"): the
#               full parts are refused with 413, set aside at once (no
#               backoff, no second attempt), each with an upload record
#               naming the server's limit and the part limit; "callhomed
#               -1" goes on with the rest, then exits 1: "upload failed:
#               cycle 1: K of its N documents not delivered (K refused
#               ...)", never "delivered"
#   the queue   the daemon, after a reload to two printers: its next cycle
#               (one small part) is delivered at once, behind the refused
#               ones; "status" says how many are set aside and what to do;
#               "callhomectl outbox" lists them
#   operator    commsd back with its default limit: "outbox requeue ID"
#               delivers one (logged, "outbox" record), "outbox drop ID"
#               deletes another's bytes ("prune" record), the others are
#               requeued and delivered; "outbox requeue" of a delivered
#               one is refused; the gateway's log verifies

. "$TOP/regress/lib.sh"
. "$TOP/regress/upload-lib.sh"

up_setup || exit 0
up_fleet 2 || exit 1
up_bigfleet 150 || exit 1
T0=$(now_ms)

PORT=$(free_port tcp)
cd_conf srv "$PORT" </dev/null
cd_start srv || exit 1
GW_BIG=1 GW_TOP='part limit 64K' gw_conf gw "$PORT" </dev/null
gw_once gw c1
rc=$?
check "parts: callhomed -1 exits 0" test $rc -eq 0
check "parts: all 150 printers collected" \
    grep -qxF "cycle 1 (once): 150 devices: 150 ok" "$W/gw.c1.out"
NP=$(gw_sql gw "SELECT count(*) FROM outbox")
check "parts: \"upload: outbox delivered ($NP documents delivered in all)\"" \
    grep -qxF "upload: outbox delivered ($NP documents delivered in all)" \
    "$W/gw.c1.out"
check "parts: the cycle is several documents ($NP)" test "$NP" -ge 3
gw_outbox gw >"$W/outbox.json"
cd_q srv documents -j >"$W/docs.json"
cd_q srv cycles -j >"$W/cycles.json"
pycheck "parts: each at most 64K, part I of N in order, 150 devices, each delivered with its own receipt" \
    "$W/outbox.json" <<'EOF'
import json, sys
ob = json.load(open(sys.argv[1]))
n = len(ob)
assert [o["part"] for o in ob] == list(range(1, n + 1)), ob
first = 0
for o in ob:
    assert o["parts"] == n and o["cycle_id"] == 1, o
    assert o["size"] <= 65536, o
    assert o["first_device"] == first, o
    first += o["devices"]
    assert o["state"] == "delivered", o
    assert o["sha256"] == o["document_sha256"] == o["receipt_sha256"], o
assert first == 150, first
assert len(set(o["sha256"] for o in ob)) == n
EOF
n=0
for id in $(gw_sql gw "SELECT id FROM outbox ORDER BY id"); do
	sid=$(gw_sql gw "SELECT server_doc_id FROM outbox WHERE id = $id")
	part=$(gw_sql gw "SELECT part || ' of ' || parts FROM outbox
	    WHERE id = $id")
	gw_sql gw "SELECT writefile('$W/gw.doc$id', document) FROM outbox
	    WHERE id = $id" >/dev/null
	cd_q srv document "$sid" >"$W/srv.doc$id" 2>/dev/null &&
	    cmp -s "$W/gw.doc$id" "$W/srv.doc$id" &&
	    grep -q "<ch:Part number=\"${part% of*}\" .* of=\"${part#*of }\"" \
	    "$W/gw.doc$id" && n=$((n + 1))
done
check "parts: commsd has each part's exact bytes, with its Part element ($n of $NP)" \
    test $n -eq "$NP"
pycheck "parts: commsd: one complete cycle of $NP parts and 150 devices, each part once" \
    "$W/cycles.json" "$W/docs.json" "$NP" <<'EOF'
import json, sys
cy = json.load(open(sys.argv[1]))
docs = json.load(open(sys.argv[2]))
n = int(sys.argv[3])
assert len(cy) == 1, cy
c = cy[0]
assert (c["cycle"], c["parts"], c["received"], c["devices"],
    c["complete"]) == (1, n, n, 150, True), c
assert sorted(d["part"] for d in docs) == list(range(1, n + 1)), docs
assert all(d["parts"] == n and d["duplicates_seen"] == 0 for d in docs)
EOF
cd_q srv log -j >"$W/srv.log.json"
pycheck "parts: commsd's log: $NP uploads, then the cycle complete" \
    "$W/srv.log.json" "$NP" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
kinds = [r["kind"] for r in log]
assert kinds.count("upload") == n and kinds.count("cycle") == 1, kinds
assert kinds.index("cycle") > max(i for i, k in enumerate(kinds)
    if k == "upload"), kinds
cyc = [r for r in log if r["kind"] == "cycle"][0]
assert cyc["summary"] == "cycle 1 of gw1 complete: %d parts, 150 devices" \
    % n, cyc
EOF
gw_verify gw "parts"
check "parts: commsd -q verify: its log is intact" sh -c \
    "'$COMMSD' -f '$W/srv.conf' -q verify | grep -q intact"
cd_stop

# ---- a server that takes at most 16K: the full parts are refused
PORT2=$(free_port tcp)
echo 'max document 16K' | cd_conf small "$PORT2"
cd_start small || exit 1
GW_BIG=1 GW_TOP='part limit 64K' gw_conf gwr "$PORT2" </dev/null
gw_once gwr c1
rc=$?
NR=$(gw_sql gwr "SELECT count(*) FROM outbox WHERE state = 'refused'")
NA=$(gw_sql gwr "SELECT count(*) FROM outbox")
check "refused: callhomed -1 exits 1" test $rc -eq 1
check "refused: the parts above 16K are refused ($NR of $NA)" \
    test "$NR" -ge 2 -a "$NR" = "$(gw_sql gwr "SELECT count(*) FROM
    outbox WHERE size > 16384")"
check "refused: -1 says the cycle's documents were not all delivered" \
    grep -qE "^upload failed: cycle 1: $NR of its $NA documents not delivered \\($NR refused and set aside, 0 pruned unsent\\); document [0-9]+ of cycle 1 \\(part [0-9]+ of $NA\\), .*413" \
    "$W/gwr.c1.out"
check "refused: -1 never says delivered" \
    sh -c "! grep -q 'outbox delivered' '$W/gwr.c1.out'"
check "refused: each refused part was tried once, not retried" \
    test "$(gw_sql gwr "SELECT count(*) FROM outbox WHERE state =
    'refused' AND attempts = 1 AND refused IS NOT NULL")" = "$NR"
check "refused: last_error names the 413, the server's limit and the part limit" \
    test "$(gw_sql gwr "SELECT count(*) FROM outbox WHERE state =
    'refused' AND last_error LIKE '%413 Content Too Large%'
    AND last_error LIKE '%16384 bytes%' AND last_error LIKE
    '%part limit 64K%'")" = "$NR"
check "refused: each refusal is an upload record, set aside" \
    test "$(gw_sql gwr "SELECT count(*) FROM txlog WHERE kind = 'upload'
    AND json_extract(detail, '$.set_aside') = 1 AND
    json_extract(detail, '$.http_status') = 413 AND summary LIKE
    '%refused: set aside%not retried (callhomectl outbox requeue%'")" = \
    "$NR"
check "refused: callhomed logged each refusal" \
    test "$(grep -c 'auditd: outbox: upload of cycle 1 (part .*refused: set aside' \
    "$W/gwr.c1.log")" = "$NR"
check "refused: the parts the server could take were delivered" \
    test "$(gw_sql gwr "SELECT count(*) FROM outbox WHERE state =
    'delivered'")" = "$(gw_sql gwr "SELECT count(*) FROM outbox WHERE
    size <= 16384")"
check "refused: callhomectl outbox lists the refused parts" \
    test "$(gw_ctl gwr outbox | grep -c ' refused ')" = "$NR"
gw_verify gwr "refused"

# ---- the daemon: a later cycle is not held back by the refused parts
GW_TOP='part limit 64K' gw_conf gwr "$PORT2" </dev/null
gw_start gwr || exit 1
gw_ctl gwr collect >/dev/null 2>&1
check "the queue: a new small cycle is delivered at once, behind $NR refused" \
    gw_wait_sql 20 gwr "SELECT state FROM outbox WHERE cycle_id = 2" \
    delivered
check "the queue: its one attempt, no wait for a backoff" \
    test "$(gw_sql gwr "SELECT attempts FROM outbox WHERE cycle_id = 2")" = 1
gw_ctl gwr status >"$W/status.out" 2>&1
check "the queue: status says how many are set aside, and what to do" \
    grep -qE "^refused: $NR documents set aside \\([0-9]+ bytes\\), not retried; the newest: document [0-9]+ of cycle 1 \\(part [0-9]+ of $NA\\), .*413.*; callhomectl outbox requeue ID or drop ID\$" \
    "$W/status.out"
check "the queue: status shows the database's size" \
    grep -qE '^database: [0-9.]+ (KiB|MiB) \([0-9.]+ (bytes|KiB|MiB) of it free\), readings kept 400 days' \
    "$W/status.out"

# ---- the operator: a server that takes them, requeue and drop
cd_stop
cd_conf small "$PORT2" </dev/null
cd_start small || exit 1
set -- $(gw_sql gwr "SELECT id FROM outbox WHERE state = 'refused'
    ORDER BY id")
R1=$1 R2=$2
gw_ctl gwr outbox requeue "$R1" >"$W/requeue.out" 2>&1
rc=$?
check "operator: outbox requeue $R1 exits 0" test $rc -eq 0
check "operator: it says requeued" grep -q "^outbox: document $R1 .*requeued" \
    "$W/requeue.out"
check "operator: document $R1 delivered" \
    gw_wait_sql 20 gwr "SELECT state FROM outbox WHERE id = $R1" delivered
gw_ctl gwr outbox drop "$R2" >"$W/drop.out" 2>&1
rc=$?
check "operator: outbox drop $R2 exits 0" test $rc -eq 0
check "operator: document $R2 pruned, its bytes gone, reason dropped" \
    test "$(gw_sql gwr "SELECT state || ':' || (document IS NULL) || ':' ||
    prune_reason FROM outbox WHERE id = $R2")" = "pruned:1:dropped"
check "operator: the log has both (outbox, prune records with the uid)" \
    test "$(gw_sql gwr "SELECT count(*) FROM txlog WHERE (kind = 'outbox'
    AND summary LIKE 'document $R1 %requeued by the operator (uid 0)%')
    OR (kind = 'prune' AND json_extract(detail, '$.outbox') = $R2 AND
    summary LIKE '%dropped by the operator (uid 0)%')")" = 2
gw_ctl gwr outbox requeue "$R1" >"$W/requeue2.out" 2>&1
rc=$?
check "operator: requeue of a delivered document exits 1, saying why" \
    sh -c "test $rc -eq 1 && grep -q 'is delivered: only a pending or refused' '$W/requeue2.out'"
for id in $(gw_sql gwr "SELECT id FROM outbox WHERE state = 'refused'"); do
	gw_ctl gwr outbox requeue "$id" >/dev/null 2>&1
done
check "operator: the rest requeued and delivered: nothing refused" \
    gw_wait_sql 30 gwr "SELECT count(*) FROM outbox WHERE state
    NOT IN ('delivered', 'pruned')" 0
check "callhomed logged the operator's commands" \
    grep -q "control: outbox drop $R2 from uid 0" "$W/gwr.d.log"
gw_stop
gw_verify gwr "operator"
cd_stop

echo "# upload-parts took $(( $(now_ms) - T0 )) ms after setup"
exit 0
