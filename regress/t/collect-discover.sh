#!/bin/sh
# Discovery: a configured range is probed address by address at the
# discovery rate; printers found are collected in the same cycle, silent
# addresses are not reported.
. "$TOP/regress/lib.sh"

ensure_user
S=$(mktemp -d /tmp/callhome-disc.XXXXXX)
chmod 0755 "$S"
on_exit "rm -rf '$S'"

port=$(free_port udp)
# two printers and one non-printer agent inside 127.1.9.0/28, one
# printer outside it (must not be touched)
cat >"$S/map" <<EOF2
127.1.9.3 $WALKS/sharp.snmprec
127.1.9.9 $WALKS/kyocera.snmprec
127.1.9.11 $TOP/regress/walks/hm-alerts.snmprec
127.1.9.20 $WALKS/ricoh_mpc3002.snmprec
EOF2
"$OBJ/regress/tools/snmpfleet" -p "$port" -P "$S/fleet.pid" "$S/map" >"$S/fleet.out" 2>&1 &
on_exit "kill \$(cat '$S/fleet.pid' 2>/dev/null) 2>/dev/null"
wait_for 10 grep -q ready "$S/fleet.out" || { fail "snmpfleet starts"; exit 1; }

mkconf "$S/callhome.conf" <<EOF2
user "_callhome"
state "$S/state"
socket "$S/ctl.sock"
profiles "$TOP/etc/profiles"
snmp timeout 1s retries 1
discover rate 20
lan = "127.1.9.0/28"
discover \$lan port $port
EOF2

t0=$(date +%s)
"$OBJ/callhomed" -1 -f "$S/callhome.conf" >"$S/run.out" 2>&1
rc=$?
t1=$(date +%s)
check "discovery cycle exits 0 (every printer found is ok)" test $rc -eq 0
check "summary: 3 devices found, all ok" \
    grep -qx 'cycle 1 (once): 3 devices: 3 ok' "$S/run.out"
# 14 hosts of the /28 at 20 probes a second, plus one timeout and a retry
check "bounded time ($((t1 - t0)) s)" test $((t1 - t0)) -le 8

"$OBJ/callhomectl" -f "$S/callhome.conf" devices -j >"$S/devices.json" 2>&1
# 127.1.9.20 answers too: had it been probed, it would be listed
check "the found printers are the ones in the range, no more" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))["devices"]
got = sorted(x["address"].split(":")[0] for x in d)
assert got == ["127.1.9.11", "127.1.9.3", "127.1.9.9"], got
assert all(x["status"] == "ok" for x in d), d
' "$S/devices.json"
check "probed: all 14 hosts of the /28" \
    sqlite3 -readonly "$S/state/callhome.db" \
    "SELECT 1 FROM cycles WHERE probed = 14" | grep -qx 1
exit 0
