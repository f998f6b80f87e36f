#!/bin/sh
# Configuration changes are transactions: one "config" record at start,
# one for each reload that changes the effective configuration (naming
# what changed, with the SHA-256 of the configuration as -nv prints it),
# none for a reload that changes nothing, and never a secret.
. "$TOP/regress/lib.sh"

ensure_user
# callhomectl reads the database as the state's owner: a path it can walk
S=$(mktemp -d /tmp/callhome-rec.XXXXXX)
chmod 0755 "$S"
on_exit "rm -rf '$S'"
mkdir -p "$S/state"
conf() {
	mkconf "$T/callhome.conf" <<EOF2
gateway "record-test"
user "_callhome"
state "$S/state"
socket "$T/callhome.sock"
snmp community "$1"
device 127.0.0.1 port 9
$2
EOF2
}
conf "first-secret-c0mmunity" ""
"$OBJ/callhomed" -d -f "$T/callhome.conf" >"$T/daemon.log" 2>&1 &
DPID=$!
on_exit "kill $DPID 2>/dev/null; wait $DPID 2>/dev/null"
wait_for 5 grep -q "startup complete" "$T/daemon.log" ||
    { fail "daemon starts" "$(tail -n 3 "$T/daemon.log")"; exit 1; }
SHA1=$("$OBJ/callhomed" -nv -f "$T/callhome.conf" | sed '$d' | sha256sum |
    cut -c1-64)

reload() {
	kill -HUP $DPID
	wait_for 5 sh -c "test \$(grep -c 'configuration reloaded' \
	    '$T/daemon.log') -ge $1"
}
reload 1			# nothing changed
conf "first-secret-c0mmunity" "device 127.0.0.2 port 9"
reload 2			# a device more
conf "second-secret-c0mmunity" "device 127.0.0.2 port 9"
reload 3			# only a secret
SHA3=$("$OBJ/callhomed" -nv -f "$T/callhome.conf" | sed '$d' | sha256sum |
    cut -c1-64)
kill -TERM $DPID
wait $DPID
"$OBJ/callhomectl" -f "$T/callhome.conf" log -j >"$T/log.json"
"$OBJ/callhomectl" -f "$T/callhome.conf" verify >"$T/verify.out" 2>&1
check "the log verifies" test $? -eq 0

pycheck "config records: at start, a device, a secret; none for no change" \
    "$T/log.json" "$SHA1" "$SHA3" <<'PY'
import json, sys
log = [r for r in json.load(open(sys.argv[1])) if r["kind"] == "config"]
assert len(log) == 3, [r["summary"] for r in log]
assert log[0]["summary"].startswith("configuration at start: "), log[0]
assert log[0]["detail"]["sha256"] == sys.argv[2], (log[0], sys.argv[2])
assert log[1]["summary"].startswith("configuration changed: device;"), log[1]
assert log[1]["detail"]["changed"] == ["device"], log[1]["detail"]
assert log[2]["summary"].startswith("configuration changed: secrets;"), log[2]
assert log[2]["detail"]["sha256"] == sys.argv[3], log[2]
# masked, the secret change does not change the hash
assert log[1]["detail"]["sha256"] == log[2]["detail"]["sha256"]
PY
check "no record holds a secret" sh -c "! grep -q 'secret-c0mmunity' \
    '$T/log.json'"
check "the database holds no secret of the configuration" sh -c \
    "! sqlite3 '$S/state/callhome.db' .dump | grep -q 'secret-c0mmunity'"
