#!/bin/sh
# Discovery: configured ranges are probed address by address at the
# discovery rate; printers found are collected in the same cycle, every
# other address is counted, never reported:
#
#   127.41.1.0/28 port F    snmpfleet: sharp at .3 and again at .5 (one
#                           printer on two addresses: one device), ricoh
#                           at .9 (also a configured device: polled once,
#                           as configured), kyocera at .12; the other
#                           addresses silent
#   127.41.1.0/29 port F    inside the first range: polled already
#   127.41.2.0/29 port N    net-snmp's snmpd at .2: an SNMP agent, not a
#                           printer (counted, skipped); the rest silent
#   127.41.1.20 port F      a printer outside every range: never touched
#
# The cycle's counts (probed, answered, printers, skipped, duplicates) are
# in its discover record of the transaction log and in the cycles table;
# callhomectl verify checks the record against the table.
. "$TOP/regress/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	skip all "must run as root (configuration owned by root, snmpd)"
	exit 0
fi
if ! command -v snmpd >/dev/null 2>&1 || ! command -v snmpget >/dev/null 2>&1
then
	skip all "snmpd not installed"
	exit 0
fi
ensure_user
S=$(mktemp -d /tmp/callhome-disc.XXXXXX)
chmod 0755 "$S"
on_exit "rm -rf '$S'"

port=$(free_port udp)
nport=$(free_port udp 127.41.2.2)
cat >"$S/map" <<EOF2
127.41.1.3 $WALKS/sharp.snmprec
127.41.1.5 $WALKS/sharp.snmprec
127.41.1.9 $WALKS/ricoh_mpc3002.snmprec
127.41.1.12 $WALKS/kyocera.snmprec
127.41.1.20 $WALKS/xerox.snmprec
EOF2
"$OBJ/regress/tools/snmpfleet" -p "$port" -P "$S/fleet.pid" "$S/map" \
    >"$S/fleet.out" 2>&1 &
on_exit "kill \$(cat '$S/fleet.pid' 2>/dev/null) 2>/dev/null"
wait_for 10 grep -q ready "$S/fleet.out" || { fail "snmpfleet starts"; exit 1; }

# snmpd: its own MIB-II and HOST-RESOURCES, nothing of a printer
mkdir -p "$S/snmpd/persist"
chown nobody:nogroup "$S/snmpd/persist"
echo "rocommunity public 127.0.0.0/8" >"$S/snmpd/snmpd.conf"
chmod 0644 "$S/snmpd/snmpd.conf"
SNMPCONFPATH="$S/snmpd:$S/snmpd/persist" \
    SNMP_PERSISTENT_DIR="$S/snmpd/persist" MIBS="" MIBDIRS="$S/snmpd" \
    snmpd -f -Lo -u nobody -g nogroup "udp:127.41.2.2:$nport" \
    >"$S/snmpd.out" 2>&1 &
NPID=$!
on_exit "kill $NPID 2>/dev/null; wait $NPID 2>/dev/null"
wait_for 20 snmpget -v2c -c public -t 0.5 -r 0 127.41.2.2:$nport \
    1.3.6.1.2.1.1.2.0 || { fail "snmpd starts" "$(tail -n 3 "$S/snmpd.out")"; exit 1; }

mkconf "$S/callhome.conf" <<EOF2
user "_callhome"
state "$S/state"
socket "$S/ctl.sock"
profiles "$TOP/etc/profiles"
snmp timeout 1s retries 1
discover rate 20
lan = "127.41.1.0/28"
device 127.41.1.9 port $port
discover \$lan port $port
discover 127.41.1.0/29 port $port
discover 127.41.2.0/29 port $nport
EOF2

t0=$(date +%s)
"$OBJ/callhomed" -1 -f "$S/callhome.conf" >"$S/run.out" 2>&1
rc=$?
t1=$(date +%s)
check "discovery cycle exits 0 (every printer reported is ok)" test $rc -eq 0
check "summary: 3 devices, all ok" \
    grep -qx 'cycle 1 (once): 3 devices: 3 ok' "$S/run.out"
# 19 hosts at 20 probes a second, plus a silent one's tries
check "bounded time ($((t1 - t0)) s)" test $((t1 - t0)) -le 10

"$OBJ/callhomectl" -f "$S/callhome.conf" devices -j >"$S/devices.json" 2>&1
check "the printers found: one of the sharp's two addresses, ricoh and kyocera" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))["devices"]
got = sorted(x["address"].split(":")[0] for x in d)
assert got in (["127.41.1.12", "127.41.1.3", "127.41.1.9"],
    ["127.41.1.12", "127.41.1.5", "127.41.1.9"]), got
assert all(x["status"] == "ok" for x in d), d
assert sorted(x["serial"] for x in d) == ["6509415X00", "QUV9600664",
    "W492KB03439"], [x["serial"] for x in d]
' "$S/devices.json"
check "polled once: ricoh (configured and in two ranges), one report" \
    test "$(sqlite3 -readonly "$S/state/callhome.db" "SELECT count(*) FROM \
    reports WHERE address LIKE '127.41.1.9:%'")" = 1
check "the other addresses of the ranges: no report" \
    test "$(sqlite3 -readonly "$S/state/callhome.db" \
    "SELECT count(*) FROM reports")" = 3
check "counts: probed 19, answered 4, 2 printers, 1 skipped, 1 duplicate" \
    test "$(sqlite3 -readonly "$S/state/callhome.db" "SELECT probed, \
    answered, printers, skipped, duplicates FROM cycles")" = "19|4|2|1|1"
check "the discover record of the transaction log" \
    test "$(sqlite3 -readonly "$S/state/callhome.db" "SELECT summary FROM \
    txlog WHERE kind = 'discover'")" = "discovery in cycle 1: 19 \
addresses probed, 4 answered, 2 printers found, 1 non-printer skipped, 1 \
printer seen at another address"
check "its detail" $PY -c '
import json, sys
d = json.loads(sys.argv[1])
assert d == {"cycle": 1, "probed": 19, "answered": 4, "printers": 2,
    "skipped": 1, "duplicates": 1}, d
' "$(sqlite3 -readonly "$S/state/callhome.db" "SELECT detail FROM txlog \
    WHERE kind = 'discover'")"
check "the duplicate in the log" grep -q \
    'is the printer reported at 127.41.1.[35]:[0-9]* (Sharp, serial 6509415X00): not reported twice' \
    "$S/run.out"
check "callhomectl verify (the discover record against the cycle)" \
    "$OBJ/callhomectl" -f "$S/callhome.conf" verify
# a changed count breaks the chain check
sqlite3 "$S/state/callhome.db" "UPDATE cycles SET skipped = 0"
check_fail "verify: a changed discovery count is found" \
    "$OBJ/callhomectl" -f "$S/callhome.conf" verify
exit 0
