#!/bin/sh
# Devices that end before their first request is on the wire (an SNMPv3
# device, not polled yet; a send that fails at once) must not end the
# cycle twice nor recurse: one cycle, stored once, every device counted.
. "$TOP/regress/lib.sh"

ensure_user
S=$(mktemp -d /tmp/callhome-ff.XXXXXX)
chmod 0755 "$S"
on_exit "rm -rf '$S'"

port=$(free_port udp)
printf '127.1.11.1 %s/sharp.snmprec\n' "$WALKS" >"$S/map"
"$OBJ/regress/tools/snmpfleet" -p "$port" -P "$S/fleet.pid" "$S/map" \
    >"$S/fleet.out" 2>&1 &
on_exit "kill \$(cat '$S/fleet.pid' 2>/dev/null) 2>/dev/null"
wait_for 10 grep -q ready "$S/fleet.out" || { fail "snmpfleet starts"; exit 1; }

# 255.255.255.255: sendto fails with EACCES (no SO_BROADCAST) at once;
# a v3 discovery range of 4,094 addresses ends every one in device_start
mkconf "$S/callhome.conf" <<EOF2
user "_callhome"
state "$S/state"
socket "$S/ctl.sock"
profiles "$TOP/etc/profiles"
snmp timeout 1s retries 1
snmpv3 user "monitor" auth sha256 "authpass1" priv aes256 "privpass1"
device 127.1.11.9 port $port user "monitor"
device 255.255.255.255 port $port
device 127.1.11.1 port $port
discover 127.1.32.0/20 port $port user "monitor"
EOF2

t0=$(now_ms)
timeout 30 "$OBJ/callhomed" -1 -f "$S/callhome.conf" >"$S/run.out" 2>&1
rc=$?
t1=$(now_ms)
check "callhomed -1 ends, non-zero (not every device ok): $rc" \
    test $rc -eq 1
check "within 10 s ($((t1 - t0)) ms)" test $((t1 - t0)) -le 10000
check "summary: 3 devices: 1 ok, 1 refused, 1 error" \
    grep -qx 'cycle 1 (once): 3 devices: 1 ok, 1 refused, 1 error' \
    "$S/run.out"
check "the cycle ends once" \
    test "$(grep -c 'collectd: cycle done' "$S/run.out")" -eq 1
check "no process died" sh -c "! grep -q 'is gone\\|killed by signal' '$S/run.out'"
"$OBJ/callhomectl" -f "$S/callhome.conf" devices -j >"$S/devices.json" 2>&1
check "each device's outcome and reason" $PY -c '
import json, sys
d = {x["address"]: x for x in json.load(open(sys.argv[1]))["devices"]}
v3 = d["127.1.11.9:%s" % sys.argv[2]]
assert v3["status"] == "error" and "SNMPv3" in v3["reason"], v3
bc = d["255.255.255.255:%s" % sys.argv[2]]
assert bc["status"] == "refused", bc
assert d["127.1.11.1:%s" % sys.argv[2]]["status"] == "ok"
assert len(d) == 3, sorted(d)
' "$S/devices.json" "$port"
check "verify" "$OBJ/callhomectl" -f "$S/callhome.conf" verify

# every device ends inside device_start: the last one must not end the
# cycle a second time, and 65,534 of them must not nest 65,534 calls deep
rm -rf "$S/state"
mkconf "$S/callhome.conf" <<EOF2
user "_callhome"
state "$S/state"
socket "$S/ctl.sock"
profiles "$TOP/etc/profiles"
snmpv3 user "monitor" auth sha256 "authpass1" priv aes256 "privpass1"
device 127.1.11.9 port $port user "monitor"
discover 127.2.0.0/16 port $port user "monitor"
EOF2
timeout 30 "$OBJ/callhomed" -1 -f "$S/callhome.conf" >"$S/run2.out" 2>&1
rc=$?
check "only v3 devices: callhomed -1 ends, non-zero: $rc" test $rc -eq 1
check "only v3 devices: summary: 1 device: 1 error" \
    grep -qx 'cycle 1 (once): 1 device: 1 error' "$S/run2.out"
check "only v3 devices: the cycle ends once" \
    test "$(grep -c 'collectd: cycle done' "$S/run2.out")" -eq 1
check "only v3 devices: no process died" \
    sh -c "! grep -q 'is gone\\|killed by signal' '$S/run2.out'"
check "only v3 devices: verify" \
    "$OBJ/callhomectl" -f "$S/callhome.conf" verify
exit 0
