#!/bin/sh
# Devices that end before their first request is on the wire (a send
# that fails at once: an SNMPv3 engine discovery probe or a v2c request
# to a broadcast address) must not end the cycle twice nor recurse: one
# cycle, stored once, every device counted.
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

# 255.255.255.255: sendto fails with EACCES (no SO_BROADCAST) at once,
# for the v3 engine discovery probe as for a v2c request
port2=$((port == 65535 ? port - 1 : port + 1))
mkconf "$S/callhome.conf" <<EOF2
user "_callhome"
state "$S/state"
socket "$S/ctl.sock"
profiles "$TOP/etc/profiles"
snmp timeout 1s retries 1
snmpv3 user "monitor" auth sha256 "authpass1" priv aes256 "privpass1"
device 255.255.255.255 port $port2 user "monitor"
device 255.255.255.255 port $port
device 127.1.11.1 port $port
EOF2

t0=$(now_ms)
timeout 30 "$OBJ/callhomed" -1 -f "$S/callhome.conf" >"$S/run.out" 2>&1
rc=$?
t1=$(now_ms)
check "callhomed -1 ends, non-zero (not every device ok): $rc" \
    test $rc -eq 1
check "within 10 s ($((t1 - t0)) ms)" test $((t1 - t0)) -le 10000
check "summary: 3 devices: 1 ok, 2 refused" \
    grep -qx 'cycle 1 (once): 3 devices: 1 ok, 2 refused' "$S/run.out"
check "the cycle ends once" \
    test "$(grep -c 'collectd: cycle done' "$S/run.out")" -eq 1
check "no process died" sh -c "! grep -q 'is gone\\|killed by signal' '$S/run.out'"
"$OBJ/callhomectl" -f "$S/callhome.conf" devices -j >"$S/devices.json" 2>&1
check "each device's outcome and reason" $PY -c '
import json, sys
d = {x["address"]: x for x in json.load(open(sys.argv[1]))["devices"]}
v3 = d["255.255.255.255:%s" % sys.argv[3]]
assert v3["status"] == "refused", v3
bc = d["255.255.255.255:%s" % sys.argv[2]]
assert bc["status"] == "refused", bc
assert d["127.1.11.1:%s" % sys.argv[2]]["status"] == "ok"
assert len(d) == 3, sorted(d)
' "$S/devices.json" "$port" "$port2"
check "verify" "$OBJ/callhomectl" -f "$S/callhome.conf" verify

# every device ends inside device_start: the last one must not end the
# cycle a second time, and 20,000 of them must not nest 20,000 calls deep
# (every v3 engine discovery probe fails at its send)
rm -rf "$S/state"
{
	echo 'user "_callhome"'
	echo "state \"$S/state\""
	echo "socket \"$S/ctl.sock\""
	echo "profiles \"$TOP/etc/profiles\""
	echo 'snmp rate 100000 window 65536'
	echo 'snmpv3 user "monitor" auth sha256 "authpass1" priv aes256 "privpass1"'
	i=1
	while [ $i -le 20000 ]; do
		echo "device 255.255.255.255 port $i user \"monitor\""
		i=$((i + 1))
	done
} | mkconf "$S/callhome.conf"
timeout 60 "$OBJ/callhomed" -1 -f "$S/callhome.conf" >"$S/run2.out" 2>&1
rc=$?
check "only failing v3 devices: callhomed -1 ends, non-zero: $rc" \
    test $rc -eq 1
check "only failing v3 devices: summary: 20000 devices: 20000 refused" \
    grep -qx 'cycle 1 (once): 20000 devices: 20000 refused' "$S/run2.out"
check "only failing v3 devices: the cycle ends once" \
    test "$(grep -c 'collectd: cycle done' "$S/run2.out")" -eq 1
check "only failing v3 devices: no process died" \
    sh -c "! grep -q 'is gone\\|killed by signal' '$S/run2.out'"
check "only failing v3 devices: verify" \
    "$OBJ/callhomectl" -f "$S/callhome.conf" verify
exit 0
