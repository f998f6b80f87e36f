#!/bin/sh
# Incidents and supply requests, end to end: callhomed (the daemon, for
# its control socket) collects a real walk and regress/walks/hm-
# replenish.snmprec (its black toner's level set by the test, restarting
# snmpfleet on the same port) and uploads to commsd.
#
#   typed in       incident service with and without --contact, incident
#                  supply: recorded, each an "incident" record; a wrong
#                  device or supply is refused and leaves nothing;
#                  --send starts a collection whose document carries them
#   automatic      "supply requests yes", default threshold 10 %: the
#                  yellow ink (no maximum) by the printer's own alert;
#                  cyan (-3) and magenta (-2) and the waste box never;
#                  black at 5 % makes one request, still 5 % no second,
#                  80 % a refill (recorded), 5 % again a new request
#   outage         commsd stopped, an incident recorded and a cycle built,
#                  the gateway restarted, commsd started again: delivered
#   the server     commsd stores each incident exactly once (every part
#                  and a document sent again carry it), the contact only
#                  for the one typed with one; -S shipped -q incident ID
#                  sets its status, -q incidents shows it
#   gateway        callhomectl incidents lists them delivered; verify

. "$TOP/regress/lib.sh"
. "$TOP/regress/upload-lib.sh"

up_setup || exit 0
cp "$TOP/regress/walks/hm-replenish.snmprec" "$W/rep.snmprec"
up_fleet 1 "$W/rep.snmprec" || exit 1
REAL=127.26.0.1
REP=127.26.0.2

# black toner at $1 (of 100): snmpfleet again, on the same port
black() {
	up_stop "$FLEET_PID"
	sed -i "s/^\(1\.3\.6\.1\.2\.1\.43\.11\.1\.1\.9\.1\.1|2|\).*/\1$1/" \
	    "$W/rep.snmprec"
	"$FLEET" -p "$FLEET_PORT" "$W/fleet.map" >"$W/fleet.out" \
	    2>"$W/fleet.err" &
	FLEET_PID=$!
	up_started $FLEET_PID
	wait_for 10 grep -qx ready "$W/fleet.out" ||
	    fail "snmpfleet again" "$(tail -n 3 "$W/fleet.err")"
}

# collect NAME N: a collection; until cycle N is stored and nothing waits
collect() {
	gw_ctl gw collect >/dev/null 2>&1
	gw_wait_sql 30 gw "SELECT count(*) FROM cycles WHERE finished IS NOT \
NULL" "$1" || fail "cycle $1" "not stored in 30 s"
}
delivered() {
	gw_wait_sql 30 gw "SELECT count(*) FROM outbox WHERE state != \
'delivered'" 0
}
autoreq() {
	gw_sql gw "SELECT count(*) FROM incidents i JOIN incident_supplies s \
ON s.incident_id = i.id WHERE origin = 'automatic' AND s.idx = '$1'"
}

# a check-in brings the server's status: it needs the keys of instructions
SIGNIFY=$(command -v signify-openbsd || command -v signify)
if [ -n "$SIGNIFY" ]; then
	$SIGNIFY -G -n -c "callhome test" -p "$W/instr.pub" -s "$W/instr.sec"
	TRUST="trust instructions \"$W/instr.pub\""
else
	TRUST=""
fi

PORT=$(free_port tcp)
cd_conf srv "$PORT" </dev/null
cd_start srv || exit 1
GW_TOP="supply requests yes
$TRUST" gw_conf gw "$PORT" </dev/null
gw_start gw || exit 1

# ---- the first cycle: the alert's request only
collect 1
check "cycle 1 delivered" delivered
check "the yellow ink (no maximum): a request by the printer's alert" \
    test "$(autoreq 1.4)" = 1
check "cyan (-3), magenta (-2), the waste box: none" \
    test "$(autoreq 1.2)$(autoreq 1.3)$(autoreq 1.5)" = 000
check "black at 50 %: none" test "$(autoreq 1.1)" = 0
# site information (send site-info yes by default), gathered by auditd
gw_sql gw "SELECT writefile('$W/c1.doc', document) FROM outbox WHERE \
cycle_id = 1" >/dev/null
check "site information in the document" grep -q \
    "<ch:SiteInfo software=\"callhome/[^\"]*\" os=\"$(uname -s)\"" \
    "$W/c1.doc"
check "... the memory, the disk, the devices in scope" grep -q \
    'memory="[0-9]*".*diskFree="[0-9]*".*devicesInScope="2"' "$W/c1.doc"
check_fail "... no host name by default" grep -q "hostName" "$W/c1.doc"
check_fail "... not the host's name anywhere" grep -qF "$(uname -n)" \
    "$W/c1.doc"
check_fail "... nor an address of the printers" grep -q "127\.26\." \
    "$W/c1.doc"

# ---- typed in
gw_ctl gw incident service "$REAL" --problem "Paper jam in tray 2" \
    >"$W/i1.out" 2>&1
check "incident service: exit 0" test $? -eq 0
check "incident service: recorded" grep -q "recorded as incident" "$W/i1.out"
gw_ctl gw incident supply "$REP" 1.1 1.2 >"$W/i2.out" 2>&1
check "incident supply: exit 0" test $? -eq 0
gw_ctl gw incident supply "$REP" 9.9 >"$W/bad1.out" 2>&1
check "a supply the device has not: refused" test $? -eq 1
check "... saying so" grep -q 'no supply "9.9"' "$W/bad1.out"
gw_ctl gw incident service 127.9.9.9 --problem x >"$W/bad2.out" 2>&1
check "a device nobody knows: refused" test $? -eq 1
gw_ctl gw incident service "$REAL" >"$W/bad3.out" 2>&1
check "service without --problem: a usage error" test $? -eq 2
n=$(gw_sql gw "SELECT count(*) FROM incidents WHERE origin = 'operator'")
check "the refused ones left nothing ($n operator incidents)" test "$n" = 2
gw_ctl gw incident service "$REAL" --problem "Fuser noise" \
    --contact "Ann Admin,ann@example.com,+1 555 0100" --send \
    >"$W/i3.out" 2>&1
check "incident service --contact --send: exit 0" test $? -eq 0
check "--send: a collection started" grep -q "collection started" \
    "$W/i3.out"
gw_wait_sql 30 gw "SELECT count(*) FROM cycles WHERE reason = 'incident' \
AND finished IS NOT NULL" 1
check "--send: the incident's cycle delivered" delivered
check "the three are in cycle 2's document" test "$(gw_sql gw \
    "SELECT count(*) FROM incidents WHERE cycle_id = 2 AND origin = \
'operator'")" = 3
check "each an \"incident\" record" test "$(gw_sql gw \
    "SELECT count(*) FROM txlog WHERE kind = 'incident' AND summary NOT \
LIKE '%the server says%'")" = 4
check_fail "no contact in the log" sh -c "sqlite3 -readonly \
    '$W/gw/callhome.db' 'SELECT detail FROM txlog' | grep -q ann@example"

# ---- black toner: low, low again, refilled, low again
black 5
collect 3
check "black at 5 %: one request" test "$(autoreq 1.1)" = 1
collect 4
check "black still at 5 %: no second request" test "$(autoreq 1.1)" = 1
check "the yellow ink, still alerting: no second request" \
    test "$(autoreq 1.4)" = 1
black 80
collect 5
check "black at 80 %: a refill recorded" test "$(gw_sql gw \
    "SELECT count(*) FROM txlog WHERE kind = 'incident' AND summary \
LIKE 'supply refilled: % supply 1.1,%'")" = 1
check "... and no request" test "$(autoreq 1.1)" = 1
black 5
collect 6
check "black at 5 % again: a new request" test "$(autoreq 1.1)" = 2
check "delivered" delivered

# ---- an outage and a restart
cd_stop
gw_ctl gw incident service "$REAL" --problem "During the outage" \
    >/dev/null 2>&1
collect 7
gw_wait_sql 30 gw "SELECT count(*) FROM outbox WHERE cycle_id = 7 AND \
attempts > 0" 1
check "outage: cycle 7 waits" test "$(gw_sql gw "SELECT state FROM outbox \
WHERE cycle_id = 7")" = pending
gw_stop
gw_start gw || exit 1
cd_start srv || exit 1
gw_ctl gw send >/dev/null 2>&1
check "after the outage and a restart: delivered" delivered

# ---- the server: each once, the contact only where typed
NI=$(gw_sql gw "SELECT count(*) FROM incidents")
cd_q srv incidents -j >"$W/srv.json"
pycheck "commsd: every incident exactly once ($NI)" "$W/srv.json" "$NI" \
    <<'EOF'
import json, sys
l = json.load(open(sys.argv[1]))
ids = [x["incident"] for x in l]
assert len(ids) == int(sys.argv[2]) and len(set(ids)) == len(ids), ids
assert all(x["gateway"] == "gw1" and x["status"] == "received" for x in l)
# named by the key of the readings, never by an address
assert all(x["device"].startswith("serial:") and "127.26." not in x["device"]
    for x in l), l
EOF
pycheck "commsd: a contact for the one typed with one only" "$W/srv.json" \
    <<'EOF'
import json, sys
l = json.load(open(sys.argv[1]))
c = [x for x in l if x["contact_name"] is not None]
assert len(c) == 1, c
assert c[0]["contact_name"] == "Ann Admin", c
assert c[0]["contact_email"] == "ann@example.com", c
assert c[0]["contact_phone"] == "+1 555 0100", c
assert c[0]["problem"] == "Fuser noise", c
s = {x["incident"]: x for x in l if x["kind"] == "supply"}
assert any(x["supplies"] == "1.1 1.2" and x["origin"] == "operator"
    for x in s.values()), s
EOF
SID=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' \
    "$W/srv.json" 2>/dev/null)
"$COMMSD" -f "$W/srv.conf" -S shipped -q incident "${SID:-1}" \
    >"$W/st.out" 2>&1
check "commsd -S shipped -q incident: exit 0" test $? -eq 0
check "... as the database's owner: no file of it is root's" test -z \
    "$(find "$W/srv" -name 'commsd.db*' -user root)"
cd_q srv incidents -j >"$W/srv2.json"
pycheck "commsd -q incidents: shipped" "$W/srv2.json" "${SID:-1}" <<'EOF'
import json, sys
l = {str(x["id"]): x for x in json.load(open(sys.argv[1]))}
assert l[sys.argv[2]]["status"] == "shipped", l[sys.argv[2]]
EOF
GID=$($PY -c 'import json,sys
print([x["incident"] for x in json.load(open(sys.argv[1]))
    if str(x["id"]) == sys.argv[2]][0])' "$W/srv2.json" "${SID:-1}" 2>/dev/null)
if [ -n "$TRUST" ]; then
	gw_ctl gw checkin >/dev/null 2>&1
	check "a check-in: the gateway learns \"shipped\" for incident $GID" \
	    gw_wait_sql 30 gw "SELECT server_status FROM incidents WHERE \
id = ${GID:-0}" shipped
	check "... the others \"received\"" test "$(gw_sql gw "SELECT \
count(*) FROM incidents WHERE server_status = 'received'")" = $((NI - 1))
	check "... each change an \"incident\" record" test "$(gw_sql gw \
	    "SELECT count(*) FROM txlog WHERE kind = 'incident' AND summary \
LIKE '%the server says shipped%'")" -ge 1
	gw_ctl gw incidents >"$W/gw0.txt"
	check "callhomectl incidents shows it" grep -q " shipped " \
	    "$W/gw0.txt"
else
	skip "the server's status by check-in" "no signify-openbsd"
fi
"$COMMSD" -f "$W/srv.conf" -S lost -q incident 1 >/dev/null 2>&1
check "commsd -S lost: refused" test $? -ne 0
check "commsd's log chain" sh -c "'$COMMSD' -f '$W/srv.conf' -q verify |
    grep -q intact"

# ---- the gateway's view
gw_ctl gw incidents -j >"$W/gw.json"
pycheck "callhomectl incidents: all delivered" "$W/gw.json" "$NI" <<'EOF'
import json, sys
l = json.load(open(sys.argv[1]))
assert len(l) == int(sys.argv[2]), l
assert all(x["delivered"] for x in l), [x for x in l if not x["delivered"]]
EOF
gw_ctl gw incidents >"$W/gw.txt"
check "callhomectl incidents: a table" grep -q "Paper jam in tray 2" \
    "$W/gw.txt"
gw_stop
gw_verify gw "after all"
