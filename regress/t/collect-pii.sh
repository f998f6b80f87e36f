#!/bin/sh
# The category switches, end to end: what a switched-off category holds
# never reaches the database.  regress/walks/hm-pii.snmprec (served by
# snmpfleet) has distinctive sysContact, sysName and sysLocation values.
#
#   default ("send pii" off): the three values appear nowhere: not in
#     "callhomectl devices -j", not in the raw database files (callhome.db,
#     -wal, -shm), not in "sqlite3 .dump" of a checkpointed copy, not in
#     callhomed's output; the serial number and sysDescr, which are stored,
#     are found by the same greps (so the greps can find things)
#   send pii yes: devices -j has the three exact values, and the database
#     holds them
#   send meters no / send supplies no / send alerts no: that category is
#     empty in devices -j and its table has no row, the others are whole
#   send identity no: no serial, model, firmware, sysDescr or sysObjectID,
#     and the serial number is nowhere in the database
# Each run: callhomed -1 exits 0, callhomectl verify exits 0.

. "$TOP/regress/lib.sh"

CALLHOMED="$OBJ/callhomed"
CTL="$OBJ/callhomectl"
FLEET="$OBJ/regress/tools/snmpfleet"
WALK="$TOP/regress/walks/hm-pii.snmprec"

if [ ! -x "$CALLHOMED" ] || [ ! -x "$CTL" ] || [ ! -x "$FLEET" ]; then
	fail setup "callhomed, callhomectl or snmpfleet not built in $OBJ"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	skip all "must run as root (configuration files owned by root)"
	exit 0
fi
if ! command -v sqlite3 >/dev/null 2>&1; then
	skip all "the sqlite3 command is not installed"
	exit 0
fi
ensure_user

CONTACT="pii-contact-XYZ Jane Doe <jane.doe@example.org>"
NAME="pii-sysname-XYZ-floor3-printer"
LOCATION="pii-location-XYZ Room 4.17"
SERIAL="HMP-0006"
for v in "$CONTACT" "$NAME" "$LOCATION" "$SERIAL"; do
	if ! grep -qF "$v" "$WALK"; then
		fail setup "$WALK lacks '$v'"
		exit 1
	fi
done

W=$(mktemp -d /tmp/callhome-pii.XXXXXX)
on_exit "rm -rf '$W'"
chmod 0755 "$W"
PORT=$(free_port udp 127.0.0.1)
ADDR=127.24.1.1
echo "$ADDR $WALK" >"$T/fleet.map"
"$FLEET" -p "$PORT" "$T/fleet.map" >"$T/fleet.out" 2>"$T/fleet.err" &
on_exit "kill $! 2>/dev/null; wait $! 2>/dev/null"
if wait_for 10 grep -qx ready "$T/fleet.out"; then
	pass "snmpfleet serves hm-pii"
else
	fail "snmpfleet serves hm-pii" "$(tail -n 3 "$T/fleet.err")"
	exit 1
fi

# field NAME KEY: a value of the device in $T/NAME.json ("None" for null,
# lists and objects as JSON)
field() {
	$PY - "$T/$1.json" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))["devices"]
v = d[0].get(sys.argv[2]) if len(d) == 1 else "no single device"
print(json.dumps(v, sort_keys=True) if isinstance(v, (list, dict))
    else v)
EOF
}
# rows NAME TABLE: rows of a table in a copy of the database
rows() {
	sqlite3 "$T/copy-$1/callhome.db" "SELECT count(*) FROM $2" 2>&1
}

# run NAME [STATEMENT...]: one cycle with these statements; devices -j in
# $T/NAME.json, a checkpointed copy of the state in $T/copy-NAME
run() {
	_n=$1; shift
	{
		echo 'user "_callhome"'
		echo "state \"$W/state-$_n\""
		echo "profiles \"$TOP/etc/profiles\""
		echo 'snmp timeout 1s retries 1'
		for _s in "$@"; do
			echo "$_s"
		done
		echo "device $ADDR port $PORT"
	} | mkconf "$T/$_n.conf"
	timeout 60 "$CALLHOMED" -1 -f "$T/$_n.conf" >"$T/$_n.out" 2>"$T/$_n.log"
	check "$_n: callhomed -1 exits 0" test $? -eq 0
	"$CTL" -f "$T/$_n.conf" devices -j >"$T/$_n.json" 2>"$T/$_n.ctl.err"
	check "$_n: callhomectl devices -j" test $? -eq 0
	"$CTL" -f "$T/$_n.conf" verify >"$T/$_n.verify" 2>&1
	check "$_n: callhomectl verify exits 0" test $? -eq 0
	rm -rf "$T/copy-$_n"
	cp -a "$W/state-$_n" "$T/copy-$_n"
	sqlite3 "$T/copy-$_n/callhome.db" "PRAGMA wal_checkpoint(TRUNCATE)" \
	    >/dev/null 2>&1
	sqlite3 "$T/copy-$_n/callhome.db" .dump >"$T/$_n.dump" 2>&1
	check "$_n: sqlite3 .dump of a copy" grep -q "CREATE TABLE reports" \
	    "$T/$_n.dump"
}

# found NAME WHAT STRING: STRING in the database files and the dump
found() {
	check "$1: $2 in the raw database" grep -rqF "$3" "$W/state-$1"
	check "$1: $2 in the dump" grep -qF "$3" "$T/$1.dump"
}
# nowhere NAME WHAT STRING: STRING in none of them, nor in the output
nowhere() {
	check_fail "$1: $2 not in the raw database files" \
	    grep -rqF "$3" "$W/state-$1"
	check_fail "$1: $2 not in the checkpointed copy" \
	    grep -rqF "$3" "$T/copy-$1"
	check_fail "$1: $2 not in the dump" grep -qF "$3" "$T/$1.dump"
	check_fail "$1: $2 not in devices -j" grep -qF "$3" "$T/$1.json"
	check_fail "$1: $2 not in callhomed's output" \
	    grep -qF "$3" "$T/$1.out" "$T/$1.log"
}

# --- the default: no PII
run nopii
check "nopii: device ok" test "$(field nopii status)" = ok
for k in sysname syscontact syslocation; do
	check "nopii: $k null" test "$(field nopii $k)" = None
done
nowhere nopii sysContact "pii-contact-XYZ"
nowhere nopii "sysContact's address" "jane.doe@example.org"
nowhere nopii sysName "$NAME"
nowhere nopii sysLocation "pii-location-XYZ"
found nopii "the serial number" "$SERIAL"
found nopii "sysDescr" "HM-PII Printer"

# --- send pii yes
run pii "send pii yes"
check "pii: sysContact reported" test "$(field pii syscontact)" = "$CONTACT"
check "pii: sysName reported" test "$(field pii sysname)" = "$NAME"
check "pii: sysLocation reported" test "$(field pii syslocation)" = \
    "$LOCATION"
found pii sysContact "$CONTACT"
found pii sysLocation "$LOCATION"

# --- one category off at a time
run nometers "send meters no"
check "nometers: devices -j has no meters" \
    test "$(field nometers meters)" = "[]"
check "nometers: the meters table is empty" test "$(rows nometers meters)" = 0
check "nometers: supplies kept" test "$(rows nometers supplies)" = 1
check "nometers: alerts kept" test "$(rows nometers alerts)" = 1

run nosupplies "send supplies no"
check "nosupplies: devices -j has no supplies" \
    test "$(field nosupplies supplies)" = "[]"
check "nosupplies: the supplies table is empty" \
    test "$(rows nosupplies supplies)" = 0
nowhere nosupplies "the supply description" "Black Toner"
check "nosupplies: meters kept" test "$(rows nosupplies meters)" = 1
check "nosupplies: alerts kept" test "$(rows nosupplies alerts)" = 1

run noalerts "send alerts no"
check "noalerts: devices -j has no alerts" \
    test "$(field noalerts alerts)" = "[]"
check "noalerts: the alerts table is empty" \
    test "$(rows noalerts alerts)" = 0
nowhere noalerts "the alert description" "Black toner almost empty"
check "noalerts: meters kept" test "$(rows noalerts meters)" = 1
check "noalerts: supplies kept" test "$(rows noalerts supplies)" = 1

run noidentity "send identity no"
for k in serial model firmware sysdescr sysobjectid; do
	check "noidentity: $k null" test "$(field noidentity $k)" = None
done
nowhere noidentity "the serial number" "$SERIAL"
nowhere noidentity "the model (hrDeviceDescr)" "HM PII Engine"
check "noidentity: meters kept" test "$(rows noidentity meters)" = 1
check "noidentity: supplies kept" test "$(rows noidentity supplies)" = 1
exit 0
