#!/bin/sh
# Each device's state across cycles, and meters that are not usage: the
# daemon running, four cycles ("callhomectl collect"), snmpfleet started
# again between them with other walks at the same addresses.
#
#   .1  kyocera; silent; silent; back    answering, asleep (silent after it
#                                        answered), unreachable (silent
#                                        again after a longer wait),
#                                        answering: each with its since
#   .2  ricoh_mpc3002, then the same     answering since cycle 1; its
#       with its counters halved         meters flagged reset, with the
#                                        previous values, from cycle 2
#   .3  sharp, then a sharp with another answering; its meters flagged
#       serial number                    replaced, previous values those
#                                        of the other printer
#   .4  a Linux host (st-host.snmprec)   not-a-printer since cycle 1
#
# Checked in the database (reports, meters), in "callhomectl devices"
# (-j and the table), in the upload document of each cycle (Device
# state, stateSince; Meter flag, previous; no Address, since addresses
# are not sent; valid against etc/callhome.xsd) and by callhomectl verify.
. "$TOP/regress/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	skip all "must run as root (configuration owned by root)"
	exit 0
fi
ensure_user
S=$(mktemp -d /tmp/callhome-state.XXXXXX)
chmod 0755 "$S"
on_exit "rm -rf '$S'"
DB="$S/state/callhome.db"
XSD="$TOP/etc/callhome.xsd"

# the walks that change: ricoh with its counters halved, sharp with
# another serial number
$PY - "$WALKS/ricoh_mpc3002.snmprec" "$S/ricoh-half.snmprec" <<'EOF'
import sys
out = open(sys.argv[2], "w")
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("|", 2)
    if len(f) == 3 and f[1] in ("65", "70") and f[2].isdigit():
        f[2] = str(int(f[2]) // 2)
    out.write("|".join(f) + "\n")
EOF
sed 's/^\(1\.3\.6\.1\.2\.1\.43\.5\.1\.1\.17\.1|4|\).*/\16509415Y42/' \
    "$WALKS/sharp.snmprec" >"$S/sharp-other.snmprec"
check "the other sharp has another serial" \
    grep -q '|6509415Y42$' "$S/sharp-other.snmprec"

port=$(free_port udp)
map() {		# map N FILE...: the walks of .1 .. .4 ("-": silent)
	_f=$1; shift
	: >"$S/map$_f"
	_i=1
	for _w in "$@"; do
		[ "$_w" != - ] && echo "127.43.1.$_i $_w" >>"$S/map$_f"
		_i=$((_i + 1))
	done
}
HOST="$TOP/regress/walks/st-host.snmprec"
map 1 "$WALKS/kyocera.snmprec" "$WALKS/ricoh_mpc3002.snmprec" \
    "$WALKS/sharp.snmprec" "$HOST"
map 2 - "$S/ricoh-half.snmprec" "$S/sharp-other.snmprec" "$HOST"
map 4 "$WALKS/kyocera.snmprec" "$S/ricoh-half.snmprec" \
    "$S/sharp-other.snmprec" "$HOST"

FPID=""
fleet() {	# fleet N: snmpfleet serving map N
	if [ -n "$FPID" ]; then
		kill "$FPID" 2>/dev/null
		wait "$FPID" 2>/dev/null
	fi
	rm -f "$S/fleet.out"
	"$OBJ/regress/tools/snmpfleet" -p "$port" "$S/map$1" \
	    >"$S/fleet.out" 2>&1 &
	FPID=$!
	wait_for 10 grep -q ready "$S/fleet.out"
}
on_exit 'kill $FPID 2>/dev/null'

mkconf "$S/callhome.conf" <<EOF2
user "_callhome"
state "$S/state"
socket "$S/ctl.sock"
profiles "$TOP/etc/profiles"
snmp timeout 1s retries 1
device 127.43.1.1 port $port
device 127.43.1.2 port $port
device 127.43.1.3 port $port
device 127.43.1.4 port $port
EOF2
CTL="$OBJ/callhomectl -f $S/callhome.conf"
"$OBJ/callhomed" -d -f "$S/callhome.conf" >"$S/daemon.log" 2>&1 &
DPID=$!
on_exit "kill $DPID 2>/dev/null; wait $DPID 2>/dev/null; cp '$S/daemon.log' '$T/'"
if ! wait_for 20 grep -q "startup complete" "$S/daemon.log"; then
	fail "daemon starts" "$(tail -n 3 "$S/daemon.log")"
	exit 1
fi

stored() {	# stored N: cycle N is in the database
	[ "$(sqlite3 -readonly "$DB" "SELECT count(*) FROM cycles WHERE \
	    id = $1 AND finished IS NOT NULL" 2>/dev/null)" = 1 ]
}
# cycle N MAP: snmpfleet with the map, a cycle, its devices -j
cycle() {
	check "cycle $1: snmpfleet serves map $2" fleet "$2"
	$CTL collect >/dev/null 2>&1
	check "cycle $1: stored" wait_for 60 stored "$1"
	$CTL devices -j >"$S/devices$1.json" 2>&1
	sqlite3 -readonly "$DB" "SELECT document FROM outbox WHERE \
	    cycle_id = $1" >"$S/doc$1.xml"
	sleep 1.1	# the next cycle's times differ from this one's
}
# q SQL: one value
q() { sqlite3 -readonly "$DB" "$1"; }
# st N ADDRESS: "outcome state waited state_since = collected" of a report
st() {
	q "SELECT outcome || ' ' || state || ' ' || waited || ' ' || \
	    (state_since = collected) FROM reports r JOIN cycles c ON \
	    c.id = r.cycle_id WHERE c.id = $1 AND address = '127.43.1.$2:$port'"
}
since() {
	q "SELECT state_since FROM reports WHERE cycle_id = $1 AND \
	    address = '127.43.1.$2:$port'"
}
collected() {
	q "SELECT collected FROM reports WHERE cycle_id = $1 AND \
	    address = '127.43.1.$2:$port'"
}

cycle 1 1
check "cycle 1: .1 answering since now" test "$(st 1 1)" = "0 1 0 1"
check "cycle 1: .2 answering since now" test "$(st 1 2)" = "0 1 0 1"
check "cycle 1: .3 answering since now" test "$(st 1 3)" = "0 1 0 1"
check "cycle 1: .4 not-a-printer since now" test "$(st 1 4)" = "4 5 0 1"
check "cycle 1: no meter flagged" test "$(q "SELECT count(*) FROM meters \
    WHERE flag IS NOT NULL")" = 0

cycle 2 2
check "cycle 2: .1 silent: timeout, asleep since now, no longer wait" \
    test "$(st 2 1)" = "2 2 0 1"
check "cycle 2: .2 answering, since cycle 1" \
    test "$(st 2 2)" = "0 1 0 0" -a "$(since 2 2)" = "$(collected 1 2)"
check "cycle 2: .4 not-a-printer, since cycle 1" \
    test "$(since 2 4)" = "$(collected 1 4)"
check "cycle 2: every meter of .2 reset, the previous value kept" $PY - "$DB" \
    "127.43.1.2:$port" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
def meters(c):
    return {n: (v, f, p) for n, v, f, p in db.execute(
        "SELECT name, value, flag, previous FROM meters m JOIN reports r "
        "ON r.id = m.report_id WHERE r.cycle_id = ? AND r.address = ?",
        (c, sys.argv[2]))}
a, b = meters(1), meters(2)
assert a and set(a) == set(b), (a, b)
for n in a:
    v1, v2 = a[n][0], b[n][0]
    if v2 < v1:
        assert b[n][1:] == (1, v1), (n, a[n], b[n])
    else:
        assert b[n][1:] == (None, None), (n, a[n], b[n])
assert sum(1 for n in b if b[n][1] == 1) >= 1, b
EOF
check "cycle 2: every meter of .3 replaced, the other printer's values kept" \
    $PY - "$DB" "127.43.1.3:$port" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
def meters(c):
    return {n: (v, f, p) for n, v, f, p in db.execute(
        "SELECT name, value, flag, previous FROM meters m JOIN reports r "
        "ON r.id = m.report_id WHERE r.cycle_id = ? AND r.address = ?",
        (c, sys.argv[2]))}
a, b = meters(1), meters(2)
assert a and set(a) == set(b), (a, b)
for n in b:
    assert b[n][1:] == (2, a[n][0]), (n, a[n], b[n])
serials = [s for (s,) in db.execute("SELECT serial FROM reports WHERE "
    "address = ? ORDER BY cycle_id", (sys.argv[2],))]
assert serials == ["6509415X00", "6509415Y42"], serials
EOF
check "cycle 2: devices -j: .1 asleep (the kyocera's entry), flags shown" \
    $PY - "$S/devices2.json" "$port" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))["devices"]
d = {x["address"]: x for x in v}
k = d["127.43.1.1:" + sys.argv[2]]
assert k["state"] == "asleep" and k["status"] == "timeout", k
# the silent printer is the device identified there before: one entry
assert sum(1 for x in v if x["address"] == k["address"]) == 1, v
r = d["127.43.1.2:" + sys.argv[2]]
assert r["state"] == "answering" and any(m.get("flag") == "reset" and
    m["previous"] > m["value"] for m in r["meters"]), r
s = [x for x in d.values() if x["serial"] == "6509415Y42"][0]
assert all(m.get("flag") == "replaced" for m in s["meters"]), s
h = d["127.43.1.4:" + sys.argv[2]]
assert h["state"] == "not-a-printer", h
EOF

cycle 3 2
check "cycle 3: .1 silent after a longer wait: unreachable since now" \
    test "$(st 3 1)" = "2 3 1 1"
check "cycle 3: .1's reason says so" sh -c "sqlite3 -readonly '$DB' \
    \"SELECT reason FROM reports WHERE cycle_id = 3 AND address = \
    '127.43.1.1:$port'\" | grep -q 'and one longer wait'"
check "cycle 3: .2 no longer reset (the same values as cycle 2)" \
    test "$(q "SELECT count(*) FROM meters m JOIN reports r ON \
    r.id = m.report_id WHERE r.cycle_id = 3 AND flag IS NOT NULL")" = 0

cycle 4 4
check "cycle 4: .1 back: answering since now" test "$(st 4 1)" = "0 1 0 1"

$CTL devices >"$S/table.out" 2>&1
check "callhomectl devices: STATE and SINCE columns" \
    grep -q '^ADDRESS  *STATUS  *STATE  *SINCE ' "$S/table.out"
check "callhomectl devices: not-a-printer with its since-time" \
    grep -q "^127.43.1.4:$port  *not-a-printer  *not-a-printer  *20" \
    "$S/table.out"

# the upload documents
check "upload documents: states, flags, no addresses" $PY - "$S" \
    "$port" <<'EOF'
import sys, re
import xml.etree.ElementTree as ET
NS = {"ch": "urn:callhome:protocol:1"}
def devices(n):
    t = ET.parse("%s/doc%d.xml" % (sys.argv[1], n))
    return t.getroot().findall(".//ch:Device", NS)
for n in (1, 2, 3, 4):
    text = open("%s/doc%d.xml" % (sys.argv[1], n)).read()
    assert "127.43.1." not in text, "an address in document %d" % n
    for d in devices(n):
        assert d.get("state") in ("answering", "asleep", "unreachable",
            "not-a-printer"), (n, d.attrib)
        assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$",
            d.get("stateSince")), d.attrib
        assert d.find("ch:Address", NS) is None
states = sorted(d.get("state") for d in devices(3))
assert states == ["answering", "answering", "not-a-printer",
    "unreachable"], states
flags = [m.get("flag") for d in devices(2) for m in
    d.findall(".//ch:Meter", NS) if m.get("flag")]
assert "reset" in flags and "replaced" in flags, flags
assert all(m.get("previous") for d in devices(2) for m in
    d.findall(".//ch:Meter", NS) if m.get("flag"))
# the silent printer is keyed as the kyocera it is (its serial)
keys1 = {d.get("key") for d in devices(1)}
keys3 = {d.get("key"): d.get("state") for d in devices(3)}
assert any(keys3[k] == "unreachable" and k in keys1 for k in keys3), \
    (keys1, keys3)
EOF
if command -v xmllint >/dev/null 2>&1; then
	for n in 2 3; do
		sed -n '/<ch:Upload /,/<\/ch:Upload>/p' "$S/doc$n.xml" \
		    >"$S/upload$n.xml"
		check "xmllint: the document of cycle $n is valid" \
		    xmllint --noout --schema "$XSD" "$S/upload$n.xml"
	done
else
	skip "xmllint" "xmllint is not installed (apt-get install libxml2-utils)"
fi
check "callhomectl verify" $CTL verify
exit 0
