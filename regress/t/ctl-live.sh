#!/bin/sh
# callhomectl against a live daemon: every live command, the control
# socket's permissions (root and its group only), and the read-only
# commands once the daemon is stopped.
. "$TOP/regress/lib.sh"

ensure_user
# the daemon's children and callhomectl (as the state's owner) need a
# way into the scratch directory
S=$(mktemp -d /tmp/callhome-ctl.XXXXXX)
chmod 0755 "$S"
on_exit "rm -rf '$S'"

getent group callhomectl-t >/dev/null 2>&1 || groupadd --system callhomectl-t
getent passwd ctl-member >/dev/null 2>&1 || useradd --system \
    --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
    -G callhomectl-t ctl-member
getent passwd ctl-outsider >/dev/null 2>&1 || useradd --system \
    --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
    ctl-outsider

port=$(free_port udp)
printf '127.1.7.1 %s/sharp.snmprec\n127.1.7.2 %s/ricoh_mpc3002.snmprec\n' \
    "$WALKS" "$WALKS" >"$S/map"
"$OBJ/regress/tools/snmpfleet" -p "$port" -P "$S/fleet.pid" "$S/map" \
    >"$S/fleet.out" 2>&1 &
on_exit "kill \$(cat '$S/fleet.pid' 2>/dev/null) 2>/dev/null"
wait_for 10 grep -q ready "$S/fleet.out" || { fail "snmpfleet starts"; exit 1; }

mkconf "$S/callhome.conf" <<EOF
gateway "ctl-test"
user "_callhome"
state "$S/state"
socket "$S/ctl.sock" group "callhomectl-t"
profiles "$TOP/etc/profiles"
snmp timeout 1s retries 1
device 127.1.7.1 port $port
device 127.1.7.2 port $port
EOF
# the members of the group read the configuration to find the socket
chgrp callhomectl-t "$S/callhome.conf"

CTL="$OBJ/callhomectl -f $S/callhome.conf"
"$OBJ/callhomed" -d -f "$S/callhome.conf" >"$S/daemon.log" 2>&1 &
DPID=$!
on_exit "kill $DPID 2>/dev/null; wait $DPID 2>/dev/null"
wait_for 10 grep -q "startup complete" "$S/daemon.log" ||
    { fail "daemon starts" "$(tail -n 3 "$S/daemon.log")"; exit 1; }
pass "daemon starts"

# the socket: root and the group, nobody else
perm=$(stat -c '%a %U %G' "$S/ctl.sock")
check "socket is 660 root:callhomectl-t ($perm)" \
    test "$perm" = "660 root callhomectl-t"

# status before any collection
$CTL status >"$S/status0.out" 2>&1
check "status exits 0" test $? -eq 0
check "status: uploading not authorized" \
    grep -q '^uploading: not authorized' "$S/status0.out"
check "status: next collection" grep -q '^next collection: 20' "$S/status0.out"
check "status: next check-in" grep -q '^next check-in: ' "$S/status0.out"
for p in collectd auditd signerd uplinkd; do
	check "status: $p alive" grep -q "^$p: alive, pid [0-9]" "$S/status0.out"
done
check "status: outbox" grep -q '^outbox: 0 pending' "$S/status0.out"

# collect: the cycle runs and is stored
$CTL collect >"$S/collect.out" 2>&1
check "collect exits 0" test $? -eq 0
check "collect says it started" grep -qx 'collect: collection started' \
    "$S/collect.out"
wait_for 15 grep -q "cycle 1 (manual): 2 devices: 2 ok" "$S/daemon.log"
check "the manual cycle is stored" \
    grep -q "cycle 1 (manual): 2 devices: 2 ok" "$S/daemon.log"
$CTL status -j >"$S/status1.json" 2>&1
check "status -j after the cycle" $PY -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["last collection"].startswith("cycle 1 (manual): 2 devices: 2 ok"), s
assert s["outbox"].startswith("1 pending"), s["outbox"]
assert s["last upload"] == "never", s["last upload"]
' "$S/status1.json"

# send: refused while uploading is not authorized
$CTL send >"$S/send.out" 2>&1
rc=$?
check "send refused when not authorized (exit 1)" test $rc -eq 1
check "send says why" grep -q 'not authorized' "$S/send.out"

# checkin: this gateway trusts no instruction keys, so it never checks in
$CTL checkin >"$S/checkin.out" 2>&1
rc=$?
check "checkin exits 1 with a reason" test $rc -eq 1
check "checkin says why" grep -q 'no trust instructions' "$S/checkin.out"

# reload: a good file, then a broken one
$CTL reload >"$S/reload.out" 2>&1
check "reload exits 0" test $? -eq 0
check "reload says so" grep -qx 'reload: configuration reloaded' "$S/reload.out"
cp "$S/callhome.conf" "$S/good.conf"
printf 'snmp retries lots\n' >>"$S/callhome.conf"
# callhomectl itself cannot read the broken file: -s names the socket
$OBJ/callhomectl -s "$S/ctl.sock" reload >"$S/reload2.out" 2>&1
rc=$?
check "reload of a broken file exits 1" test $rc -eq 1
check "reload of a broken file keeps the running one" \
    grep -q 'running configuration is kept' "$S/reload2.out"
check "the daemon names the line" grep -q 'callhome.conf:9:' "$S/daemon.log"
cp "$S/good.conf" "$S/callhome.conf"
check "daemon still alive" kill -0 $DPID

# the group member may, the outsider may not (the kernel refuses connect)
if command -v setpriv >/dev/null 2>&1; then
	setpriv --reuid=ctl-member --regid=ctl-member --init-groups \
	    $CTL status >"$S/member.out" 2>&1
	check "a member of the socket's group gets status" \
	    grep -q '^collectd: alive' "$S/member.out"
	setpriv --reuid=ctl-outsider --regid=ctl-outsider --init-groups \
	    $OBJ/callhomectl -s "$S/ctl.sock" status >"$S/outsider.out" 2>&1
	rc=$?
	check "an outsider is refused (exit 1)" test $rc -eq 1
	check "an outsider is told why" grep -q 'permission denied' \
	    "$S/outsider.out"
	check "the outsider got no status line" sh -c \
	    "! grep -Eq '^(collectd|auditd|uploading|outbox):' '$S/outsider.out'"
	if grep -q "control: status from uid $(id -u ctl-outsider)" \
	    "$S/daemon.log"; then
		fail "no request from the outsider reached the daemon"
	else
		pass "no request from the outsider reached the daemon"
	fi
	# the daemon's own check, behind the kernel's: with the socket
	# opened to everyone, the outsider connects and is still refused
	chmod 0666 "$S/ctl.sock"
	setpriv --reuid=ctl-outsider --regid=ctl-outsider --init-groups \
	    $OBJ/callhomectl -s "$S/ctl.sock" status >"$S/outsider2.out" 2>&1
	rc=$?
	chmod 0660 "$S/ctl.sock"
	check "an outsider that can connect is refused (exit 1)" test $rc -eq 1
	check "... and got no status line" sh -c \
	    "! grep -Eq '^(collectd|auditd|uploading|outbox):' '$S/outsider2.out'"
	check "... and was told the daemon closed the connection" \
	    grep -q 'closed the connection' "$S/outsider2.out"
	check "... and the daemon logged the refusal with its uid" \
	    grep -q "control: refused a client (uid $(id -u ctl-outsider))" \
	    "$S/daemon.log"
else
	skip "socket permissions" "setpriv is missing"
fi

# a client that sends garbage is dropped, the daemon stays
$PY - "$S/ctl.sock" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"\x00\x00\x00\x63" + b"\x00" * 60)
s.settimeout(3)
try:
    s.recv(100)
except Exception:
    pass
EOF
check "garbage on the socket: daemon alive" kill -0 $DPID

# clients that ask for status and never read their answer: the daemon
# writes only what their sockets take, never waits for them, and serves
# everyone else meanwhile
$PY - "$S/ctl.sock" "$TOP/common/chan.h" >"$S/nonreaders.out" 2>&1 <<'EOF' &
import re, socket, struct, sys, time
# the message number from the channel header, not written down here
names = re.findall(r"^\s*(IMSG_[A-Z_]+)", open(sys.argv[2]).read(), re.M)
t = names.index("IMSG_CTL_REQUEST")
conns = []
for i in range(8):
    s = socket.socket(socket.AF_UNIX)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
    s.connect(sys.argv[1])
    s.sendall(struct.pack(">IIHHII", t, 24, 0, 0, 0, 0) +
        struct.pack(">I", 1))		# CTL_STATUS
    conns.append(s)
print("asked", flush=True)
time.sleep(15)				# and never read
EOF
NRPID=$!
wait_for 5 grep -q asked "$S/nonreaders.out"
t0=$(now_ms)
$CTL status >"$S/status-busy.out" 2>&1
rc=$?
t1=$(now_ms)
check "status answers while 8 clients never read theirs (exit 0)" \
    test $rc -eq 0
check "... promptly (in $((t1 - t0)) ms, under 8 s)" test $((t1 - t0)) -lt 8000
check "... with the children's lines" grep -q '^uplinkd: alive' \
    "$S/status-busy.out"
kill $NRPID 2>/dev/null
wait $NRPID 2>/dev/null
check "non-reading clients: daemon alive" kill -0 $DPID

# stop: the read-only commands work without the daemon
kill -TERM $DPID
wait $DPID
check "socket removed at exit" test ! -e "$S/ctl.sock"
$CTL status >"$S/stopped.out" 2>&1
rc=$?
check "status without a daemon exits 1" test $rc -eq 1
check "status without a daemon says so" grep -q 'not running' "$S/stopped.out"
$CTL devices -j >"$S/devices.json" 2>&1
check "devices -j with the daemon stopped" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))["devices"]
assert len(d) == 2 and all(x["status"] == "ok" for x in d), d
' "$S/devices.json"
$CTL verify >"$S/verify.out" 2>&1
check "verify with the daemon stopped" test $? -eq 0
exit 0
