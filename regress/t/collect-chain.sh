#!/bin/sh
# The hash-chained transaction log and the readings it seals.
#
# Two collection cycles (callhomed -1 twice, one state directory) of four
# walks served by snmpfleet; then "callhomectl verify" exits 0 and counts
# the records, and an independent reading of the chain (python, below:
# SHA-256 over the previous hash and netstrings of seq, time, kind,
# summary and detail) finds every stored hash.
#
# Then, each time on a fresh copy of the state directory changed with the
# sqlite3 command, verify must exit 1 and name the first broken record:
#   a txlog summary changed             record 1: hash mismatch
#   a txlog time changed                record 2: hash mismatch
#   a meter value (cycle 1)             record of cycle 1: readings changed
#   a supply description (cycle 2)      record of cycle 2: readings changed
#   a report's serial number (cycle 1)  record of cycle 1: readings changed
#   an alert row deleted (cycle 2)      record of cycle 2: readings changed
#   a meter row added (cycle 1)         record of cycle 1: readings changed
#   a cycle's n_ok changed              cycle row changed (n_ok)
#   the first txlog record deleted      record 1: missing
#   cycle 2's txlog record deleted      record 2 (cycle 2): missing
#   record 1 rewritten with a correct hash of its own: record 2's
#     prev_hash does not match record 1

. "$TOP/regress/lib.sh"

CALLHOMED="$OBJ/callhomed"
CTL="$OBJ/callhomectl"
FLEET="$OBJ/regress/tools/snmpfleet"
HM="$TOP/regress/walks"

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

W=$(mktemp -d /tmp/callhome-chain.XXXXXX)
on_exit "rm -rf '$W'"
chmod 0755 "$W"
PORT=$(free_port udp 127.0.0.1)
{
	echo "127.25.1.1 $HM/hm-alerts.snmprec"
	echo "127.25.1.2 $HM/hm-supplies.snmprec"
	echo "127.25.1.3 $HM/hm-pii.snmprec"
	[ -f "$WALKS/sharp.snmprec" ] && echo "127.25.1.4 $WALKS/sharp.snmprec"
} >"$T/fleet.map"
NDEV=$(grep -c . "$T/fleet.map")
"$FLEET" -p "$PORT" "$T/fleet.map" >"$T/fleet.out" 2>"$T/fleet.err" &
on_exit "kill $! 2>/dev/null; wait $! 2>/dev/null"
if wait_for 10 grep -qx ready "$T/fleet.out"; then
	pass "snmpfleet serves $NDEV walks"
else
	fail "snmpfleet serves $NDEV walks" "$(tail -n 3 "$T/fleet.err")"
	exit 1
fi

STATE="$W/state"
{
	echo 'user "_callhome"'
	echo "state \"$STATE\""
	echo "profiles \"$TOP/etc/profiles\""
	echo 'snmp timeout 1s retries 1'
	while read -r a _; do
		echo "device $a port $PORT"
	done <"$T/fleet.map"
} | mkconf "$T/callhome.conf"

for i in 1 2; do
	timeout 60 "$CALLHOMED" -1 -f "$T/callhome.conf" >"$T/cycle$i.out" \
	    2>"$T/cycle$i.log"
	check "cycle $i: callhomed -1 exits 0" test $? -eq 0
	check "cycle $i: $NDEV devices ok" grep -qxF \
	    "cycle $i (once): $NDEV devices: $NDEV ok" "$T/cycle$i.out"
done

"$CTL" -f "$T/callhome.conf" verify >"$T/verify.out" 2>&1
rc=$?
check "two cycles: verify exits 0 ($(head -n 1 "$T/verify.out"))" \
    test $rc -eq 0
NREC=$(sqlite3 "file:$STATE/callhome.db?mode=ro" \
    "SELECT count(*) FROM txlog" 2>/dev/null)
check "two cycles: verify counts the $NREC records" grep -qxF \
    "transaction log intact: $NREC records" "$T/verify.out"

# pristine copy; the tampering works on copies of it
cp -a "$STATE" "$W/pristine"
q() {	# SQL on the pristine copy (read only)
	sqlite3 "file:$W/pristine/callhome.db?mode=ro" "$1" 2>&1
}
S1=$(q "SELECT txseq FROM cycles WHERE id = 1")
S2=$(q "SELECT txseq FROM cycles WHERE id = 2")
LAST=$(q "SELECT max(seq) FROM txlog")
check "cycles sealed by records $S1 and $S2 of $LAST" \
    test -n "$S1" -a -n "$S2" -a "$S1" -lt "$S2" -a "$LAST" -ge 2
check "both cycles are in the readings" \
    test "$(q "SELECT count(*) FROM reports")" -eq $((2 * NDEV))

# the chain, read independently
cat >"$T/chain.py" <<'EOF'
import hashlib, sqlite3, sys

def netstring(s):
    b = s.encode("utf-8")
    return str(len(b)).encode() + b":" + b + b","

def record_hash(prev_hex, seq, time, kind, summary, detail):
    h = hashlib.sha256(bytes.fromhex(prev_hex))
    for s in (str(seq), str(time), kind, summary, detail):
        h.update(netstring(s))
    return h.hexdigest()

db = sqlite3.connect("file:%s?mode=%s" % (sys.argv[2],
    "ro" if sys.argv[1] == "check" else "rw"), uri=True)
rows = db.execute("SELECT seq, time, kind, summary, detail, prev_hash, "
    "hash FROM txlog ORDER BY seq").fetchall()
if sys.argv[1] == "check":
    prev = "00" * 32
    for seq, time, kind, summary, detail, ph, h in rows:
        if ph != prev:
            sys.exit("record %d: prev_hash %s, want %s" % (seq, ph, prev))
        want = record_hash(prev, seq, time, kind, summary, detail)
        if h != want:
            sys.exit("record %d: hash %s, computed %s" % (seq, h, want))
        prev = h
    print("%d records" % len(rows))
elif sys.argv[1] == "rewrite1":
    # change record 1's summary and give it its correct new hash
    seq, time, kind, summary, detail, ph, h = rows[0]
    summary += " (rewritten)"
    nh = record_hash(ph, seq, time, kind, summary, detail)
    db.execute("UPDATE txlog SET summary = ?, hash = ? WHERE seq = 1",
        (summary, nh))
    db.commit()
EOF
check "an independent reading of the chain finds every hash" \
    $PY "$T/chain.py" check "$W/pristine/callhome.db"

# tamper NAME EXPECTED-LINE SQL: on a copy, verify exits 1 with that line
N=0
tamper() {
	N=$((N + 1))
	_c="$W/copy$N"
	rm -rf "$_c"
	cp -a "$W/pristine" "$_c"
	if [ "$3" = rewrite1 ]; then
		$PY "$T/chain.py" rewrite1 "$_c/callhome.db" >"$T/sql$N.out" 2>&1
	else
		sqlite3 "$_c/callhome.db" "$3" >"$T/sql$N.out" 2>&1
	fi
	if [ $? -ne 0 ]; then
		fail "$1: change the copy" "$(head -n 2 "$T/sql$N.out")"
		return
	fi
	chown -R _callhome:_callhome "$_c"
	sed "s|^state .*|state \"$_c\"|" "$T/callhome.conf" |
	    mkconf "$T/copy$N.conf"
	"$CTL" -f "$T/copy$N.conf" verify >"$T/verify$N.out" 2>&1
	_rc=$?
	_line=$(head -n 1 "$T/verify$N.out")
	if [ $_rc -ne 1 ]; then
		fail "$1: verify exits 1" "status $_rc: $_line"
	elif [ "$_line" = "$2" ]; then
		pass "$1: verify exits 1: $2"
	else
		fail "$1: verify names the first broken record" \
		    "got '$_line', want '$2'"
	fi
}

REPORT1="SELECT id FROM reports WHERE cycle_id = 1 AND address = '127.25.1.1:$PORT'"
SUPPLIES2="SELECT id FROM reports WHERE cycle_id = 2 AND address = '127.25.1.2:$PORT'"
ALERTS2="SELECT id FROM reports WHERE cycle_id = 2 AND address = '127.25.1.1:$PORT'"
check "the copies have the rows to change" test \
    "$(q "SELECT count(*) FROM meters WHERE report_id = ($REPORT1)"):$(q \
    "SELECT count(*) FROM supplies WHERE report_id = ($SUPPLIES2) AND idx = '1.1'"):$(q \
    "SELECT count(*) FROM alerts WHERE report_id = ($ALERTS2)")" = "1:1:6"

tamper "txlog summary" "record 1: hash mismatch (the record was changed)" \
    "UPDATE txlog SET summary = summary || ' ' WHERE seq = 1"
tamper "txlog time" "record 2: hash mismatch (the record was changed)" \
    "UPDATE txlog SET time = time + 1 WHERE seq = 2"
tamper "meter value" "record $S1 (cycle 1): readings changed" \
    "UPDATE meters SET value = value - 1 WHERE report_id = ($REPORT1)"
tamper "supply description" "record $S2 (cycle 2): readings changed" \
    "UPDATE supplies SET description = 'Black Toner (refilled)'
     WHERE report_id = ($SUPPLIES2) AND idx = '1.1'"
tamper "report serial" "record $S1 (cycle 1): readings changed" \
    "UPDATE reports SET serial = 'HMA-0002' WHERE id = ($REPORT1)"
tamper "alert deleted" "record $S2 (cycle 2): readings changed" \
    "DELETE FROM alerts WHERE report_id = ($ALERTS2) AND idx = '2.3'"
tamper "meter added" "record $S1 (cycle 1): readings changed" \
    "INSERT INTO meters (report_id, ordinal, name, unit, value, source)
     VALUES (($REPORT1), 99, 'black', 'impressions', 1, '1.3.6.1')"
tamper "cycle n_ok" "record $S1 (cycle 1): cycle row changed (n_ok)" \
    "UPDATE cycles SET n_ok = n_ok - 1 WHERE id = 1"
tamper "first txlog record deleted" \
    "record 1: missing (the log starts at record 2)" \
    "DELETE FROM txlog WHERE seq = 1"
if [ "$S2" = "$LAST" ]; then
	want="record $S2 (cycle 2): missing"
else
	want="record $S2: missing (the log goes from record $((S2 - 1)) to $((S2 + 1)))"
fi
tamper "cycle 2's txlog record deleted" "$want" \
    "DELETE FROM txlog WHERE seq = $S2"
tamper "record 1 rewritten and rehashed" \
    "record 2: prev_hash does not match record 1 (a record was changed, removed or reordered)" \
    rewrite1

# and the pristine copy is still intact
sed "s|^state .*|state \"$W/pristine\"|" "$T/callhome.conf" |
    mkconf "$T/pristine.conf"
check "the untouched copy verifies" "$CTL" -f "$T/pristine.conf" verify
exit 0
