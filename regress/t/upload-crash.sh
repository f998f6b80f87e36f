#!/bin/sh
# uplinkd killed in the middle of a transfer, and uplinkd's sandbox while
# it uploads.
#
# The daemon collects two cycles while no server listens (both documents
# pending).  Then commsd starts with "fault delay 8s" (it stores an upload,
# then waits before answering) and "callhomectl send" starts the oldest
# document.  As soon as commsd has stored it and holds the answer back:
#
#   in flight   uplinkd is in its own network namespace (not the
#               parent's; its namespace has no TCP socket and no interface
#               but lo), Seccomp 2 (filter), NoNewPrivs 1, and holds the
#               one socket the parent dialed: its inode is an ESTABLISHED
#               connection to commsd's port in the parent's namespace
#   kill -9     callhomed notices, names uplinkd and signal 9, stops the
#               other children and exits 1 (fail closed), all within 2 s
#   after       the outbox still holds both documents pending (no result
#               came), while commsd already stored the first one
#   restart     commsd without the fault, callhomed again: it is up in
#               less than 800 ms (its children take their configuration
#               when it is sent, not at the parent's first PING 1 s
#               later), and no attempt fails (none reaches an uplinkd
#               without its configuration); "callhomectl send": both
#               delivered; the first is answered Duplicate
#               true and counts as delivered; commsd has each hash exactly
#               once (the first with duplicates_seen 1, a "duplicate"
#               record in its log); callhomectl verify exits 0
#   sandbox     with that daemon running and uploading: sandbox-probe
#               applies uplinkd's real sandbox and is killed (SIGSYS) for
#               open_passwd, create_file, tcp_socket, tcp_connect,
#               udp_sendto, bind, fork, execve and ptrace; then a third
#               cycle is delivered all the same, by an uplinkd that is
#               still in its own namespace with Seccomp 2
#
# Then a cycle in parts (150 printers, "part limit 64K"), collected while
# no server listens, delivered through crashes, with commsd holding each
# answer 2 s ("fault delay 2s"):
#
#   uplinkd     killed -9 inside part 2 (commsd stored it, no receipt
#               came): part 1 delivered, the others pending
#   auditd      killed -9 inside part 3, after part 2 was sent again (a
#               duplicate) and delivered
#   between     killed -9 between parts: commsd down, part 3's attempt
#               failed, nothing in flight
#   after       commsd without the fault: every part delivered with its
#               receipt, each exactly once at commsd (parts 2 and 3 seen
#               twice, as duplicates), the cycle complete; each part has
#               exactly one delivered record in the gateway's log; both
#               logs verify

. "$TOP/regress/lib.sh"
. "$TOP/regress/upload-lib.sh"

up_setup || exit 0
up_fleet 4 || exit 1
T0=$(now_ms)

PORT=$(free_port tcp)
gw_conf gw "$PORT" </dev/null
gw_start gw || exit 1
for i in 1 2; do
	gw_ctl gw collect >/dev/null 2>&1
	gw_wait_sql 30 gw "SELECT count(*) FROM outbox WHERE cycle_id = $i" 1
	wait_for 10 sh -c "! '$CTL' -f '$W/gw.conf' status |
	    grep -q '^collection: running'"
done
check "setup: two documents pending while no server listens" \
    test "$(gw_sql gw "SELECT count(*) FROM outbox WHERE
    state = 'pending'")" = 2
SHA1=$(gw_sql gw "SELECT sha256 FROM outbox WHERE id = 1")
SHA2=$(gw_sql gw "SELECT sha256 FROM outbox WHERE id = 2")

echo 'fault delay 8s' | cd_conf srv "$PORT"
cd_start srv || exit 1
gw_ctl gw send >/dev/null 2>&1
if wait_for 20 grep -q 'fault delay: answering connection' "$W/srv.log"; then
	pass "in flight: commsd stored the upload and holds its answer"
else
	fail "in flight: commsd stored the upload and holds its answer" \
	    "$(tail -n 3 "$W/srv.log" | tr '\n' ' ')"
fi
UPL=$(child_named "$GW_PID" uplinkd)

# ---- uplinkd, from /proc, while its job is in flight
if [ -z "$UPL" ]; then
	fail "in flight: uplinkd is running"
else
	st=/proc/$UPL/status
	check "in flight: uplinkd Seccomp is 2 (filter)" \
	    grep -qx 'Seccomp:[[:space:]]*2' "$st"
	check "in flight: uplinkd NoNewPrivs is 1" \
	    grep -qx 'NoNewPrivs:[[:space:]]*1' "$st"
	pnet=$(readlink /proc/$GW_PID/ns/net)
	unet=$(readlink /proc/$UPL/ns/net)
	check "in flight: uplinkd is in its own network namespace ($unet, parent $pnet)" \
	    test -n "$unet" -a "$unet" != "$pnet"
	check "in flight: uplinkd's namespace has no TCP socket and only lo" \
	    sh -c "test \$(cat /proc/$UPL/net/tcp /proc/$UPL/net/tcp6 2>/dev/null |
	    grep -vc 'local_address') -eq 0 &&
	    test \"\$(awk 'NR > 2 { sub(\":\", \"\", \$1); print \$1 }' \
	    /proc/$UPL/net/dev)\" = lo"
	# the socket uplinkd holds: the parent's connection to commsd
	inodes=$(ls -l /proc/$UPL/fd 2>/dev/null |
	    sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p')
	hexport=$(printf '%04X' "$PORT")
	found=""
	for ino in $inodes; do
		if cat /proc/$GW_PID/net/tcp /proc/$GW_PID/net/tcp6 |
		    awk -v ino="$ino" -v p=":$hexport" \
		    '$10 == ino && $4 == "01" && substr($3, length($3) - 4) == p' |
		    grep -q .; then
			found=$ino
		fi
	done
	check "in flight: uplinkd holds the parent's ESTABLISHED connection to port $PORT" \
	    test -n "$found"
fi

# ---- kill -9
KIDS=$(children_of "$GW_PID")
t0=$(now_ms)
kill -KILL "$UPL" 2>/dev/null
wait_for 5 sh -c "! kill -0 $GW_PID 2>/dev/null ||
    grep -q '^State:.*Z' /proc/$GW_PID/status"
t1=$(now_ms)
wait "$GW_PID"
rc=$?
up_forget "$GW_PID"
GW_PID=""
ms=$((t1 - t0))
check "kill -9 uplinkd: callhomed exits within 2 s ($ms ms)" test $ms -le 2000
check "kill -9 uplinkd: callhomed exits 1 (fail closed)" test $rc -eq 1
check "kill -9 uplinkd: the log names uplinkd and signal 9" \
    grep -q "uplinkd (pid $UPL) was killed by signal 9" "$W/gw.d.log"
check "kill -9 uplinkd: the other children were stopped" \
    grep -q 'uplinkd is gone: stopping the other processes' "$W/gw.d.log"
left=""
for k in $KIDS; do
	kill -0 "$k" 2>/dev/null && left="$left $k"
done
check "kill -9 uplinkd: none of its children is left ($(echo $KIDS))" \
    test -z "$left"
check "after the crash: both documents still pending (no result came back)" \
    test "$(gw_sql gw "SELECT group_concat(state || ':' ||
    (receipt_sha256 IS NULL), ',') FROM outbox ORDER BY id")" = \
    "pending:1,pending:1"
cd_q srv documents -j >"$W/docs1.json"
pycheck "after the crash: commsd had already stored the first document" \
    "$W/docs1.json" "$SHA1" <<'EOF'
import json, sys
docs = json.load(open(sys.argv[1]))
assert [d["sha256"] for d in docs] == [sys.argv[2]], docs
EOF
gw_verify gw "after the crash"

# ---- restart both, without the fault
cd_stop
cd_conf srv "$PORT" </dev/null
cd_start srv || exit 1
SEQ=$(gw_sql gw "SELECT max(seq) FROM txlog")
gw_start gw || exit 1
# The children must take their configuration when it is sent.  If one
# waits for the parent's first PING (1 s later), auditd may hand uplinkd
# the due document before uplinkd has its configuration, and a bogus
# "dial-failed: no server configured" attempt is logged and counted.
check "restart: startup complete in less than 800 ms ($GW_START_MS ms)" \
    test "$GW_START_MS" -lt 800
gw_ctl gw send >"$W/send.out" 2>&1
check "restart: callhomectl send exits 0" test $? -eq 0
check "restart: both documents delivered within 30 s" \
    gw_wait_sql 30 gw "SELECT count(*) FROM outbox WHERE
    state = 'delivered'" 2
check "restart: no attempt after the restart failed (no bogus 'no server configured')" \
    test "$(gw_sql gw "SELECT count(*) FROM txlog WHERE seq > $SEQ AND
    kind = 'upload' AND json_extract(detail, '$.result') != 'delivered'")" = 0
gw_outbox gw >"$W/outbox.json"
cd_q srv documents -j >"$W/docs2.json"
cd_q srv log -j >"$W/srv.log.json"
pycheck "restart: the first answered Duplicate true and delivered, the second new" \
    "$W/outbox.json" <<'EOF'
import json, sys
ob = json.load(open(sys.argv[1]))
assert [o["state"] for o in ob] == ["delivered", "delivered"], ob
assert [o["duplicate"] for o in ob] == [1, 0], ob
for o in ob:
    assert o["receipt_sha256"] == o["sha256"] == o["document_sha256"], o
    assert o["last_error"] is None and o["last_status"] == 0, o
assert ob[0]["server_doc_id"] < ob[1]["server_doc_id"], ob
EOF
pycheck "restart: commsd holds each document exactly once (the first seen twice)" \
    "$W/docs2.json" "$W/srv.log.json" "$SHA1" "$SHA2" <<'EOF'
import json, sys
docs = json.load(open(sys.argv[1]))
log = json.load(open(sys.argv[2]))
assert [d["sha256"] for d in docs] == [sys.argv[3], sys.argv[4]], docs
assert [d["duplicates_seen"] for d in docs] == [1, 0], docs
kinds = [r["kind"] for r in log]
assert kinds.count("duplicate") == 1 and kinds.count("upload") == 2, kinds
EOF
gw_txlog gw >"$W/txlog.json"
pycheck "restart: the gateway's log: cycle 1 delivered (a duplicate), then cycle 2" \
    "$W/txlog.json" <<'EOF'
import json, sys
up = [r for r in json.load(open(sys.argv[1])) if r["kind"] == "upload" and
    r["detail"]["result"] == "delivered"]
assert [(r["detail"]["cycle"], r["detail"]["duplicate"]) for r in up] == \
    [(1, True), (2, False)], up
assert up[0]["summary"].endswith("(a duplicate)"), up[0]["summary"]
EOF
gw_verify gw "restart"

# ---- the sandbox of uplinkd, while uploads work
mkdir -p "$W/empty" "$W/pstate"
chown _callhome "$W/pstate"
chmod 0700 "$W/pstate"
"$OBJ/sandbox-probe" -u _callhome -e "$W/empty" -s "$W/pstate" -c "$W/empty" \
    uplinkd \
    >"$W/probe.out" 2>"$W/probe.err"
for op in open_passwd create_file tcp_socket tcp_connect udp_sendto bind \
    fork execve ptrace; do
	got=$(awk -v o=$op '$1 == "uplinkd" && $2 == o {
	    $1 = ""; $2 = ""; sub(/^  /, ""); print }' "$W/probe.out")
	check "sandbox: uplinkd $op: killed SYS" test "$got" = "killed SYS"
done
gw_ctl gw collect >/dev/null 2>&1
check "sandbox: meanwhile a third cycle is delivered" \
    gw_wait_sql 30 gw "SELECT state FROM outbox WHERE cycle_id = 3" \
    delivered
UPL=$(child_named "$GW_PID" uplinkd)
check "sandbox: the uplinkd that delivered it: own namespace, Seccomp 2" \
    sh -c "test -n '$UPL' &&
    test \"\$(readlink /proc/$UPL/ns/net)\" != \"\$(readlink /proc/$GW_PID/ns/net)\" &&
    grep -qx 'Seccomp:[[:space:]]*2' /proc/$UPL/status"
check "sandbox: that uplinkd is the one started with the daemon (never restarted)" \
    grep -q "uplinkd $UPL\$" "$W/gw.d.log"
gw_stop
gw_verify gw "end"
cd_stop

# ---- a cycle in parts: crashes inside and between parts
up_bigfleet 150 || exit 1
PORTC=$(free_port tcp)
GW_BIG=1 GW_TOP='part limit 64K' gw_conf gwc "$PORTC" </dev/null
gw_start gwc || exit 1
gw_ctl gwc collect >/dev/null 2>&1
check "parts: a cycle of several parts pending while no server listens" \
    gw_wait_sql 60 gwc "SELECT count(*) >= 3 AND sum(state = 'pending') =
    count(*) FROM outbox" 1
NP=$(gw_sql gwc "SELECT count(*) FROM outbox")
wait_for 10 sh -c "! '$CTL' -f '$W/gwc.conf' status |
    grep -q '^collection: running'"
echo 'fault delay 2s' | cd_conf srvc "$PORTC"
cd_start srvc || exit 1
# answers held: N so far
held() {
	test "$(grep -c 'fault delay: answering connection' "$W/srvc.log")" \
	    -ge "$1"
}
# kill -9 the child $2 of the daemon, which must exit 1
crash() {
	_k=$(child_named "$GW_PID" "$2")
	kill -KILL "$_k" 2>/dev/null
	wait "$GW_PID"
	_rc=$?
	up_forget "$GW_PID"
	GW_PID=""
	check "parts, $1: kill -9 $2: callhomed exits 1, naming it" \
	    sh -c "test $_rc -eq 1 && grep -q '$2 (pid $_k) was killed by signal 9' '$W/gwc.d.log'"
}
gw_ctl gwc send >/dev/null 2>&1
wait_for 30 held 2
crash "inside part 2" uplinkd
check "parts, inside part 2: part 1 delivered, the rest pending" \
    test "$(gw_sql gwc "SELECT group_concat(state, ',') FROM (SELECT
    state FROM outbox ORDER BY id LIMIT 3)")" = "delivered,pending,pending"
check "parts, inside part 2: commsd stored parts 1 and 2" \
    test "$(cd_q srvc documents -j | $PY -c 'import json, sys;
print(sorted(d["part"] for d in json.load(sys.stdin)))')" = "[1, 2]"
gw_start gwc || exit 1
gw_ctl gwc send >/dev/null 2>&1
wait_for 30 held 4
crash "inside part 3" auditd
check "parts, inside part 3: parts 1 and 2 delivered (2 a duplicate), 3 pending" \
    test "$(gw_sql gwc "SELECT group_concat(state || ':' ||
    coalesce(duplicate, '-'), ',') FROM (SELECT state, duplicate FROM
    outbox ORDER BY id LIMIT 3)")" = "delivered:0,delivered:1,pending:-"
cd_stop
gw_start gwc || exit 1
gw_ctl gwc send >/dev/null 2>&1
check "parts, between: part 3's attempt fails while commsd is down" \
    gw_wait_sql 20 gwc "SELECT last_status FROM outbox WHERE part = 3" 2
crash "between parts" auditd
cd_conf srvc "$PORTC" </dev/null
cd_start srvc || exit 1
gw_start gwc || exit 1
gw_ctl gwc send >/dev/null 2>&1
check "parts, after: all $NP parts delivered" \
    gw_wait_sql 60 gwc "SELECT count(*) FROM outbox WHERE state =
    'delivered'" "$NP"
gw_stop
gw_outbox gwc >"$W/outboxc.json"
gw_txlog gwc >"$W/txlogc.json"
cd_q srvc documents -j >"$W/docsc.json"
cd_q srvc cycles -j >"$W/cyclesc.json"
pycheck "parts, after: each part delivered with its receipt, exactly once at commsd (2 and 3 seen twice), the cycle complete" \
    "$W/outboxc.json" "$W/docsc.json" "$W/cyclesc.json" <<'EOF'
import json, sys
ob = json.load(open(sys.argv[1]))
docs = json.load(open(sys.argv[2]))
cy = json.load(open(sys.argv[3]))
n = len(ob)
for o in ob:
    assert o["state"] == "delivered", o
    assert o["sha256"] == o["document_sha256"] == o["receipt_sha256"], o
assert sorted(d["sha256"] for d in docs) == sorted(o["sha256"] for o in ob)
seen = {d["part"]: d["duplicates_seen"] for d in docs}
assert seen == dict((p, 1 if p in (2, 3) else 0) for p in range(1, n + 1)), \
    seen
assert len(cy) == 1 and cy[0]["complete"] and cy[0]["received"] == n, cy
EOF
pycheck "parts, after: the gateway's log: one delivered record per part" \
    "$W/txlogc.json" "$NP" <<'EOF'
import json, sys
up = [r["detail"]["part"] for r in json.load(open(sys.argv[1]))
    if r["kind"] == "upload" and r["detail"]["result"] == "delivered"]
assert sorted(up) == list(range(1, int(sys.argv[2]) + 1)), up
EOF
gw_verify gwc "parts, after"
check "parts, after: commsd -q verify: its log is intact" sh -c \
    "'$COMMSD' -f '$W/srvc.conf' -q verify | grep -q intact"
cd_stop

echo "# upload-crash took $(( $(now_ms) - T0 )) ms after setup"
exit 0
