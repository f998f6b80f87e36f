#!/bin/sh
# Outcomes and timing of "callhomed -1" with agents that misbehave.
#
# Run A (snmp timeout 1s retries 1), one cycle of eight devices:
#   refused        a loopback port where nothing listens (ICMP port
#                  unreachable): "refused", reason names the port
#   no answer      snmpfleet no-answer: "timeout" after the retries
#   not a printer  net-snmp's snmpd: "not-a-printer", reason names its
#                  sysObjectID
#   wrong community  snmpfleet answers another community only: "timeout",
#                  the reason mentions the community
#   getnext-only   snmpfleet ignores GetBulk: "ok", the same report as the
#                  normal agent serving the same walk
#   bulk-broken    GetBulk answered with genErr: "ok" through GetNext, the
#                  same report
#   normal         the reference: "ok", and what walkcheck.py expects
#   too slow       snmpfleet -L 2500 (later than timeout * (retries + 1)):
#                  "timeout"
# The exit status is non-zero, the summary line counts every outcome.
# Run B (snmp timeout 3s): the agent answering after 1.5 s is "ok".
# Run C (snmp timeout 1s retries 2): an agent dropping every third
# request is "ok".  Runs B and C have the normal agent too, and compare.
# Run R: the refused device alone: "1 device: 1 refused", as the
# transaction log writes it.
# Every run must end within timeout * (retries + 1) * 2 + 4 s (one walk
# step waits at most for one untried GetBulk and the tries of a GetNext),
# measured on a clock that does not jump.  callhomectl verify after each.

. "$TOP/regress/lib.sh"

CALLHOMED="$OBJ/callhomed"
CTL="$OBJ/callhomectl"
FLEET="$OBJ/regress/tools/snmpfleet"
WC="$TOP/regress/walkcheck.py"
TAB=$(printf '\t')
WALK="$WALKS/jetdirect_m880.snmprec"	# a full walk without a serial
					# number: devices are told apart by
					# address

if [ ! -x "$CALLHOMED" ] || [ ! -x "$CTL" ] || [ ! -x "$FLEET" ]; then
	fail setup "callhomed, callhomectl or snmpfleet not built in $OBJ"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	skip all "must run as root (configuration files owned by root)"
	exit 0
fi
if [ ! -f "$WALK" ]; then
	skip all "no $WALK"
	exit 0
fi
HAVE_SNMPD=1
for c in snmpd snmpget; do
	command -v $c >/dev/null 2>&1 || HAVE_SNMPD=0
done
ensure_user

W=$(mktemp -d /tmp/callhome-odd.XXXXXX)
on_exit "rm -rf '$W'"
chmod 0755 "$W"

# the simulated agents: fleet A (slow ones 2.5 s late), fleet B (1.5 s)
PA=$(free_port udp 127.0.0.1)
PB=$(free_port udp 127.0.0.1)
cat >"$T/fleet-a.map" <<EOF
127.23.1.2 $WALK public no-answer
127.23.1.4 $WALK sekret
127.23.1.5 $WALK public getnext-only
127.23.1.6 $WALK
127.23.1.7 $WALK public bulk-broken
127.23.1.8 $WALK public slow
127.23.1.9 $WALK public drop=3
EOF
echo "127.23.3.1 $WALK public slow" >"$T/fleet-b.map"

start_fleet() {	# NAME PORT LATENCY
	"$FLEET" -p "$2" -L "$3" "$T/$1.map" >"$T/$1.out" 2>"$T/$1.err" &
	on_exit "kill $! 2>/dev/null; wait $! 2>/dev/null"
	if wait_for 10 grep -qx ready "$T/$1.out"; then
		pass "$1: snmpfleet ready"
	else
		fail "$1: snmpfleet ready" "$(tail -n 3 "$T/$1.err")"
		exit 1
	fi
}
start_fleet fleet-a "$PA" 2500
start_fleet fleet-b "$PB" 1500

# nothing listens here
REFUSED=127.23.0.1
RPORT=$(free_port udp $REFUSED)

# net-snmp's agent, a host that is not a printer
SNMPD=127.23.2.1
if [ $HAVE_SNMPD = 1 ]; then
	DPORT=$(free_port udp $SNMPD)
	mkdir -p "$W/snmpd/persist"
	chown nobody:nogroup "$W/snmpd/persist"
	cat >"$W/snmpd/agent.conf" <<EOF
rocommunity public default
sysDescr callhome regress: net-snmp, not a printer
EOF
	chmod 0644 "$W/snmpd/agent.conf"
	SNMP_PERSISTENT_DIR="$W/snmpd/persist" MIBS="" MIBDIRS="$W/snmpd" \
	    snmpd -f -Lo -C -c "$W/snmpd/agent.conf" -p "$W/snmpd/pid" \
	    -u nobody -g nogroup "$SNMPD:$DPORT" >"$T/snmpd.out" 2>&1 &
	on_exit "kill $! 2>/dev/null; wait $! 2>/dev/null"
	if wait_for 20 snmpget -v2c -c public -t 0.5 -r 0 "$SNMPD:$DPORT" \
	    1.3.6.1.2.1.1.2.0; then
		SNMPD_OID=$(snmpget -v2c -c public -t 1 -r 1 -On -Ov \
		    "$SNMPD:$DPORT" 1.3.6.1.2.1.1.2.0 2>/dev/null |
		    sed 's/^OID: //; s/^\.//')
		pass "snmpd answers (sysObjectID $SNMPD_OID)"
	else
		fail "snmpd answers" "$(tail -n 3 "$T/snmpd.out")"
		HAVE_SNMPD=0
	fi
else
	skip "not a printer" "net-snmp's snmpd or snmpget not installed"
fi

# run NAME TIMEOUT RETRIES DEVICE...: one cycle; sets RC, MS, BOUND
run() {
	_n=$1; _to=$2; _re=$3; shift 3
	{
		echo 'user "_callhome"'
		echo "state \"$W/state-$_n\""
		echo "profiles \"$TOP/etc/profiles\""
		echo 'snmp community "public"'
		echo "snmp timeout ${_to}s retries $_re"
		for _d in "$@"; do
			echo "device $_d"
		done
	} | mkconf "$T/$_n.conf"
	BOUND=$(( _to * (_re + 1) * 2 + 4 ))
	_t0=$(now_ms)
	timeout $((BOUND * 3)) "$CALLHOMED" -1 -f "$T/$_n.conf" \
	    >"$T/$_n.out" 2>"$T/$_n.log"
	RC=$?
	MS=$(( $(now_ms) - _t0 ))
	echo "# run $_n: ${MS} ms, status $RC, bound ${BOUND} s"
	check "run $_n: ends within ${BOUND} s (${MS} ms)" \
	    test $MS -lt $((BOUND * 1000))
	if ! "$CTL" -f "$T/$_n.conf" devices -j >"$T/$_n.json" \
	    2>"$T/$_n.ctl.err"; then
		fail "run $_n: callhomectl devices -j" "$(cat "$T/$_n.ctl.err")"
	fi
	"$CTL" -f "$T/$_n.conf" verify >"$T/$_n.verify" 2>&1
	check "run $_n: callhomectl verify exits 0" test $? -eq 0
}

# what one device reported: "status|reason|sysdescr|nmeters|nsupplies"
cat >"$T/dev.py" <<'EOF'
import json, sys
devs = json.load(open(sys.argv[1]))["devices"]
for d in devs:
    if d["address"] == sys.argv[2]:
        print("|".join(str(x) for x in (d["status"], d["reason"],
            d["sysdescr"], len(d["meters"]), len(d["supplies"]))))
EOF
dev() {
	$PY "$T/dev.py" "$T/$1.json" "$2" 2>/dev/null
}
# expect_dev NAME RUN ADDRESS STATUS REASON-PATTERN
expect_dev() {
	_got=$(dev "$2" "$3")
	_st=${_got%%|*}
	_reason=$(echo "$_got" | cut -d'|' -f2)
	if [ "$_st" != "$4" ]; then
		fail "$1: $4" "got '$_got'"
	else
		# shellcheck disable=SC2254
		case $_reason in	# $5 is a pattern
		$5)	pass "$1: $4 ($_reason)" ;;
		*)	fail "$1: $4, reason" "'$_reason' does not match '$5'" ;;
		esac
	fi
}

# --- run A
set -- "$REFUSED port $RPORT" \
    "127.23.1.2 port $PA" \
    "127.23.1.4 port $PA" \
    "127.23.1.5 port $PA" \
    "127.23.1.6 port $PA" \
    "127.23.1.7 port $PA" \
    "127.23.1.8 port $PA"
NOTPRT=""
if [ $HAVE_SNMPD = 1 ]; then
	set -- "$@" "$SNMPD port $DPORT"
	NOTPRT=", 1 not-a-printer"
fi
run A 1 1 "$@"
check "run A: exits non-zero" test "$RC" -ne 0
want="cycle 1 (once): $# devices: 3 ok, 3 timeout, 1 refused$NOTPRT"
check "run A: summary '$want'" grep -qxF "$want" "$T/A.out"
check "run A: waited for the retries (${MS} ms >= 2000)" test "$MS" -ge 2000

expect_dev "refused $REFUSED:$RPORT" A "$REFUSED:$RPORT" refused \
    "port unreachable: no SNMP agent at this address"
expect_dev "no answer" A "127.23.1.2:$PA" timeout \
    "no answer after 2 tries (agent down or filtered, or a wrong community)"
expect_dev "wrong community" A "127.23.1.4:$PA" timeout "*community*"
expect_dev "too slow (2.5 s, timeout 1s retries 1)" A "127.23.1.8:$PA" \
    timeout "no answer after 2 tries*"
for a in "$REFUSED:$RPORT" "127.23.1.2:$PA" "127.23.1.4:$PA" \
    "127.23.1.8:$PA"; do
	check "$a: nothing reported but the outcome" \
	    test "$(dev A "$a" | cut -d'|' -f3-)" = "None|0|0"
done
if [ $HAVE_SNMPD = 1 ]; then
	expect_dev "net-snmp agent" A "$SNMPD:$DPORT" not-a-printer \
	    "*sysObjectID $SNMPD_OID*"
	check "net-snmp agent: no meters or supplies" \
	    test "$(dev A "$SNMPD:$DPORT" | cut -d'|' -f4-)" = "0|0"
fi
expect_dev "getnext-only" A "127.23.1.5:$PA" ok None
expect_dev "bulk-broken" A "127.23.1.7:$PA" ok None
expect_dev "normal" A "127.23.1.6:$PA" ok None

# the reports of the same walk, whatever the agent's quirks
name=$(basename "$WALK" .snmprec)
echo "127.23.1.6:$PA $WALK $name" >"$T/map-normal"
pyrun "normal walkcheck" "$WC" check -o -m "$T/map-normal" \
    -p "$TOP/etc/profiles" -M "$WALKS/MANIFEST.tsv" -l "normal agent" \
    "$T/A.json"
same() {	# LABEL ADDRESS RUN
	echo "$2 $WALK $name" >"$T/map-other"
	pyrun "$1" "$WC" same -m "$T/map-normal" -n "$T/map-other" -l "$1" \
	    "$T/A.json" "$T/$3.json"
}
same "getnext-only = normal" "127.23.1.5:$PA" A
same "bulk-broken = normal" "127.23.1.7:$PA" A

# --- run B: 1.5 s late, 3 s timeout (and the normal agent)
run B 3 1 "127.23.3.1 port $PB" "127.23.1.6 port $PA"
check "run B: exits 0" test "$RC" -eq 0
check "run B: summary" grep -qxF "cycle 1 (once): 2 devices: 2 ok" \
    "$T/B.out"
expect_dev "slow (1.5 s, timeout 3s)" B "127.23.3.1:$PB" ok None
check "run B: waited for the slow agent (${MS} ms >= 1500)" \
    test "$MS" -ge 1500
same "slow = normal" "127.23.3.1:$PB" B

# --- run C: every third request dropped, retries 2 (and the normal agent)
run C 1 2 "127.23.1.9 port $PA" "127.23.1.6 port $PA"
check "run C: exits 0" test "$RC" -eq 0
check "run C: summary" grep -qxF "cycle 1 (once): 2 devices: 2 ok" \
    "$T/C.out"
expect_dev "lossy (drop=3, retries 2)" C "127.23.1.9:$PA" ok None
same "lossy = normal" "127.23.1.9:$PA" C

# --- run R: one device, none ok: the summary reads as the audit log's
run R 1 1 "$REFUSED port $RPORT"
check "run R: exits non-zero" test "$RC" -ne 0
want="cycle 1 (once): 1 device: 1 refused"
check "run R: summary '$want'" grep -qxF "$want" "$T/R.out"
exit 0
