#!/bin/sh
# Every real printer walk of $WALKS, served by snmpsim (one loopback
# address per walk, --v2c-arch), collected by "callhomed -1" over SNMPv2c
# and again over SNMPv1 (separate state directories); "callhomectl devices
# -j" is compared with what regress/walkcheck.py, an independent reader of
# the snmprec files, expects.  For each walk, one check per aspect:
#
#   status ok (not-a-printer where regress/identity/expected.tsv says
#   so); sysDescr, sysObjectID, enterprise; vendor, model and serial as
#   regress/identity/expected.tsv has them (a person's reading of each
#   walk), each from a source OID whose value holds it; firmware (the
#   walk's value at firmware_source, the first non-blank candidate in the
#   profile's fallback order); hrDeviceStatus,
#   hrPrinterStatus, sysUpTime; errors decoded from
#   hrPrinterDetectedErrorState; every prtMarkerSuppliesTable row exactly
#   once (description, class, type, unit, max, level, colour, percent);
#   marker life counts; vendor meters (the walk's value at their source);
#   alerts; no PII (send pii is off by default); walkcheck's own reading
#   agrees with MANIFEST.tsv's counts.
#
# Then: the v1 report of each walk equals its v2c report (but for values
# v1 cannot see: Counter64), both cycles' summaries and exit status, and
# "callhomectl verify" on both state directories.

. "$TOP/regress/lib.sh"

CALLHOMED="$OBJ/callhomed"
CTL="$OBJ/callhomectl"
WC="$TOP/regress/walkcheck.py"
TAB=$(printf '\t')

if [ ! -x "$CALLHOMED" ] || [ ! -x "$CTL" ]; then
	fail setup "callhomed or callhomectl not built in $OBJ"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	skip all "must run as root (configuration owned by root, snmpsimd)"
	exit 0
fi
for c in snmpsimd snmpget; do
	if ! command -v $c >/dev/null 2>&1; then
		skip all "$c not installed (apt-get install snmpsim snmp)"
		exit 0
	fi
done
if ! ls "$WALKS"/*.snmprec >/dev/null 2>&1; then
	skip all "no walks in $WALKS"
	exit 0
fi
ensure_user

# walkcheck NAME ARGS...: run it, its lines become checks
walkcheck() {
	_wc_name=$1; shift
	if $PY "$WC" "$@" >"$T/wc.out" 2>"$T/wc.err"; then
		results "$T/wc.out"
	else
		results "$T/wc.out"
		fail "$_wc_name: walkcheck.py ran" "$(tail -n 3 "$T/wc.err" |
		    tr '\n' ' ')"
	fi
}

# outside the private $T: the simulator's data, readable by nobody, and
# the state directories, which callhomectl opens as their owner
SIM=$(mktemp -d /tmp/callhome-walks.XXXXXX)
on_exit "rm -rf '$SIM'"
chmod 0755 "$SIM"
mkdir -p "$SIM/data/public" "$SIM/cache"
PORT=$(free_port udp 127.0.0.1)
: >"$T/map"
EPS=""
n=0
for f in "$WALKS"/*.snmprec; do
	cp "$f" "$SIM/data/public/1.3.6.1.6.1.1.$n.snmprec"
	addr=127.21.$((n / 250)).$((n % 250 + 1))
	EPS="$EPS --agent-udpv4-endpoint=$addr:$PORT"
	echo "$addr:$PORT $f" >>"$T/map"
	n=$((n + 1))
done
NWALKS=$n
LAST=$addr
# the walks that regress/identity/expected.tsv calls not printers
NOTPRT=0
for f in "$WALKS"/*.snmprec; do
	b=$(basename "$f")
	if awk -F'\t' -v f="$b" '$1 == f && $5 == "not-a-printer" { ok = 1 }
	    END { exit !ok }' "$TOP/regress/identity/expected.tsv"; then
		NOTPRT=$((NOTPRT + 1))
	fi
done
chmod -R a+rX "$SIM/data"
chown nobody:nogroup "$SIM/cache"

# shellcheck disable=SC2086
snmpsimd --v2c-arch --data-dir="$SIM/data" --cache-dir="$SIM/cache" $EPS \
    --process-user=nobody --process-group=nogroup \
    --logging-method=file:"$SIM/snmpsimd.log" >"$T/snmpsimd.out" 2>&1 &
SIMPID=$!
on_exit "kill $SIMPID 2>/dev/null; wait $SIMPID 2>/dev/null"
if wait_for 60 snmpget -v2c -c public -t 0.5 -r 0 "$LAST:$PORT" \
    1.3.6.1.2.1.1.2.0 && wait_for 10 snmpget -v1 -c public -t 0.5 -r 0 \
    "127.21.0.1:$PORT" 1.3.6.1.2.1.1.2.0; then
	pass "snmpsimd serves $NWALKS walks (v1 and v2c)"
else
	fail "snmpsimd serves $NWALKS walks" "$(tail -n 3 "$T/snmpsimd.out")"
	exit 1
fi

# collect VERSION: one cycle over every walk, devices -j in $T/VERSION.json
collect() {
	_v=$1
	{
		echo 'user "_callhome"'
		echo "state \"$SIM/state-$_v\""
		echo "profiles \"$TOP/etc/profiles\""
		echo "snmp version $_v"
		echo 'snmp timeout 1s retries 1'
		while read -r _a _f; do
			echo "device ${_a%:*} port $PORT community \"public\""
		done <"$T/map"
	} | mkconf "$T/$_v.conf"
	_t0=$(now_ms)
	timeout 300 "$CALLHOMED" -1 -f "$T/$_v.conf" >"$T/$_v.out" \
	    2>"$T/$_v.log"
	_rc=$?
	_t=$(( $(now_ms) - _t0 ))
	echo "# $_v: callhomed -1 took $_t ms (status $_rc)"
	# every walk is ok but those that are not printers
	if [ "$NOTPRT" -eq 0 ]; then
		check "$_v: callhomed -1 exits 0 (every device ok)" \
		    test $_rc -eq 0
		_want="cycle 1 (once): $NWALKS devices: $NWALKS ok"
	else
		check "$_v: callhomed -1 exits 1 ($NOTPRT not printers)" \
		    test $_rc -eq 1
		_want="cycle 1 (once): $NWALKS devices: $((NWALKS - NOTPRT))"
		_want="$_want ok, $NOTPRT not-a-printer"
	fi
	check "$_v: summary '$_want'" grep -qxF "$_want" "$T/$_v.out"
	check "$_v: within 60 s ($_t ms)" test $_t -lt 60000
	if ! "$CTL" -f "$T/$_v.conf" devices -j >"$T/$_v.json" \
	    2>"$T/$_v.ctl.err"; then
		fail "$_v: callhomectl devices -j" "$(cat "$T/$_v.ctl.err")"
		return 1
	fi
	_l1=""
	[ "$_v" = 1 ] && _l1=-1
	# shellcheck disable=SC2086
	walkcheck "$_v" check -m "$T/map" -M "$WALKS/MANIFEST.tsv" \
	    -I "$TOP/regress/identity/expected.tsv" \
	    -p "$TOP/etc/profiles" -l "v$_v" $_l1 "$T/$_v.json"
}

collect 2c
collect 1
if [ -s "$T/2c.json" ] && [ -s "$T/1.json" ]; then
	walkcheck same same -m "$T/map" -l "v1 = v2c" "$T/2c.json" "$T/1.json"
fi

for v in 2c 1; do
	"$CTL" -f "$T/$v.conf" verify >"$T/verify-$v.out" 2>&1
	rc=$?
	check "v$v: callhomectl verify exits 0 ($(head -n 1 \
	    "$T/verify-$v.out"))" test $rc -eq 0
	# one cycle: the configuration at start, its collect record and its
	# upload document's record
	check "v$v: verify reports an intact log of 3 records" \
	    grep -qx "transaction log intact: 3 records" "$T/verify-$v.out"
done
exit 0
