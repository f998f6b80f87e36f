#!/bin/sh
# The hand-made walks of regress/walks (hm-*.snmprec), collected three
# times: served by snmpfleet over SNMPv2c, by snmpsim over SNMPv2c and by
# snmpsim over SNMPv1 (one cycle each, own state directory).
#
#   hm-alerts    prtAlertTable: critical and warning alerts, groups
#                markerSupplies/mediaPath/cover/input/marker, codes 1104,
#                8, 3, 808, 1001, and unknown values as numbers; the printer
#                is hrDevice row 2 (row 1 a processor "running"): its own
#                hrDeviceStatus (warning), hrDeviceDescr (the model),
#                hrPrinterStatus printing, hrPrinterDetectedErrorState; a
#                waste toner receptacle; a Counter32 life count at 2^32-1
#   hm-supplies  max -2 / level -3, max -1 / level -2, level > max, max 0,
#                rounding half up, unknown enumerations, 32-bit extremes,
#                a row with a description only, missing colorant
#   hm-markers   two markers in sheets: lifecount.<idx> and a summed total
#   hm-hp        vendor profile: blank prtGeneralSerialNumber (the vendor
#                serial wins), vendor model (without the vendor's name, as
#                common/identity.c writes a model), firmware, meters, a
#                Counter64
#                meter (v2c only), one marker in meters named "lifecount"
#   hm-strings   invalid UTF-8, control characters, tab, backslash, NUL
#                padding, Japanese and 4-byte UTF-8, C1, DEL, overlong,
#                surrogate, an empty description, a description longer than
#                a report string once cleaned, colorant names longer than
#                the colour field (cut between characters, never inside a
#                UTF-8 sequence or an escape)
#   hm-pii       PII present in the walk, absent from the report (pii off)
#
# The other walks' hrDeviceDescr ("HM Markers Engine"...) names no
# product (no digit), and hm-strings' is not text: no model (identity.h).
#
# Checked: the fixtures are sorted; exact values written out below for
# every device (status, identity, status objects, errors, every meter,
# supply and alert); walkcheck.py's independent expectations for each
# run; snmpsim v2c = snmpfleet v2c and v1 = v2c (but for Counter64); the
# output is valid UTF-8; callhomectl verify.

. "$TOP/regress/lib.sh"

CALLHOMED="$OBJ/callhomed"
CTL="$OBJ/callhomectl"
FLEET="$OBJ/regress/tools/snmpfleet"
WC="$TOP/regress/walkcheck.py"
HM="$TOP/regress/walks"
TAB=$(printf '\t')

if [ ! -x "$CALLHOMED" ] || [ ! -x "$CTL" ] || [ ! -x "$FLEET" ]; then
	fail setup "callhomed, callhomectl or snmpfleet not built in $OBJ"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	skip all "must run as root (configuration owned by root, snmpsimd)"
	exit 0
fi
HAVE_SIM=1
for c in snmpsimd snmpget; do
	command -v $c >/dev/null 2>&1 || HAVE_SIM=0
done
ensure_user

pyrun "fixtures" "$WC" sorted "$HM"/hm-*.snmprec

# world-readable scratch: snmpsim's data (it reads as nobody) and the
# state directories (callhomectl opens them as their owner)
W=$(mktemp -d /tmp/callhome-hm.XXXXXX)
on_exit "rm -rf '$W'"
chmod 0755 "$W"
mkdir -p "$W/data/public" "$W/cache"

FPORT=$(free_port udp 127.0.0.1)
SPORT=$(free_port udp 127.0.0.1)
: >"$T/map-fleet"
: >"$T/map-sim"
EPS=""
n=0
for f in "$HM"/hm-*.snmprec; do
	name=$(basename "$f" .snmprec)
	cp "$f" "$W/data/public/1.3.6.1.6.1.1.$n.snmprec"
	n=$((n + 1))
	echo "127.22.1.$n:$FPORT $f $name" >>"$T/map-fleet"
	echo "127.22.2.$n:$SPORT $f $name" >>"$T/map-sim"
	echo "127.22.1.$n $f" >>"$T/fleet.map"
	EPS="$EPS --agent-udpv4-endpoint=127.22.2.$n:$SPORT"
done
NW=$n
chmod -R a+rX "$W/data"
chown nobody:nogroup "$W/cache"

"$FLEET" -p "$FPORT" "$T/fleet.map" >"$T/fleet.out" 2>"$T/fleet.err" &
FLEETPID=$!
on_exit "kill $FLEETPID 2>/dev/null; wait $FLEETPID 2>/dev/null"
if wait_for 10 grep -qx ready "$T/fleet.out"; then
	pass "snmpfleet serves $NW hand-made walks"
else
	fail "snmpfleet serves $NW hand-made walks" "$(tail -n 3 "$T/fleet.err")"
	exit 1
fi
if [ $HAVE_SIM = 1 ]; then
	# shellcheck disable=SC2086
	snmpsimd --v2c-arch --data-dir="$W/data" --cache-dir="$W/cache" $EPS \
	    --process-user=nobody --process-group=nogroup \
	    --logging-method=file:"$W/snmpsimd.log" >"$T/snmpsimd.out" 2>&1 &
	SIMPID=$!
	on_exit "kill $SIMPID 2>/dev/null; wait $SIMPID 2>/dev/null"
	if wait_for 60 snmpget -v2c -c public -t 0.5 -r 0 "127.22.2.$NW:$SPORT" \
	    1.3.6.1.2.1.1.2.0; then
		pass "snmpsimd serves $NW hand-made walks"
	else
		fail "snmpsimd serves $NW hand-made walks" \
		    "$(tail -n 3 "$T/snmpsimd.out")"
		HAVE_SIM=0
	fi
else
	skip "snmpsim runs" "snmpsimd or snmpget not installed"
fi

# collect NAME MAP VERSION: one cycle, devices -j in $T/NAME.json
collect() {
	_n=$1; _m=$2; _v=$3
	{
		echo 'user "_callhome"'
		echo "state \"$W/state-$_n\""
		echo "profiles \"$TOP/etc/profiles\""
		echo "snmp version $_v"
		echo 'snmp timeout 1s retries 1'
		while read -r _a _f _name; do
			echo "device ${_a%:*} port ${_a##*:}"
		done <"$_m"
	} | mkconf "$T/$_n.conf"
	timeout 120 "$CALLHOMED" -1 -f "$T/$_n.conf" >"$T/$_n.out" \
	    2>"$T/$_n.log"
	_rc=$?
	check "$_n: callhomed -1 exits 0" test $_rc -eq 0
	check "$_n: summary: $NW devices: $NW ok" grep -qxF \
	    "cycle 1 (once): $NW devices: $NW ok" "$T/$_n.out"
	if ! "$CTL" -f "$T/$_n.conf" devices -j >"$T/$_n.json" \
	    2>"$T/$_n.ctl.err"; then
		fail "$_n: callhomectl devices -j" "$(cat "$T/$_n.ctl.err")"
		rm -f "$T/$_n.json"
		return 1
	fi
	_l1=""
	[ "$_v" = 1 ] && _l1=-1
	# shellcheck disable=SC2086
	pyrun "$_n walkcheck" "$WC" check -m "$_m" -p "$TOP/etc/profiles" \
	    -l "$_n" $_l1 "$T/$_n.json"
	"$CTL" -f "$T/$_n.conf" verify >"$T/$_n.verify" 2>&1
	check "$_n: callhomectl verify exits 0" test $? -eq 0
}

# the exact values, written out by hand from the fixtures
cat >"$T/exact.py" <<'EOF'
import json, sys

def sup(idx, descr, cls, typ, color, unit, mx, lv, pct):
    return {"index": idx, "description": descr, "class": cls, "type": typ,
        "color": color, "unit": unit, "max": mx, "level": lv, "percent": pct}

def alert(idx, sev, grp, code, descr, time):
    return {"index": idx, "severity": sev, "group": grp, "code": code,
        "description": descr, "time": time}

def meter(name, unit, value, source):
    return {"name": name, "unit": unit, "value": value, "source": source}

PRTSN = "1.3.6.1.2.1.43.5.1.1.17."
HRDESCR = "1.3.6.1.2.1.25.3.2.1.3."
LIFE = "1.3.6.1.2.1.43.10.2.1.4"
HP = "1.3.6.1.4.1.11.2.3.9.4.2.1."
NOPII = {"sysname": None, "syscontact": None, "syslocation": None}

EXPECT = {
"hm-alerts": dict(NOPII, status="ok", reason=None, vendor=None,
    profile=None, enterprise=99999, sysobjectid="1.3.6.1.4.1.99999.1.1",
    sysdescr="HM-Alerts Printer 9000", uptime=4242,
    serial="HMA-0001", serial_source=PRTSN + "2",
    model="HM Printer 9000 Engine", model_source=HRDESCR + "2",
    firmware=None, firmware_source=None,
    device_status="warning", printer_status="printing",
    errors=["doorOpen", "jammed", "inputTrayMissing"],
    meters=[meter("total", "impressions", 4294967295, LIFE + ".2.1")],
    supplies=[
        sup("2.1", "Black Toner", "consumed", "toner", "black", "percent",
            100, 7, 7),
        sup("2.2", "Waste Toner Box", "receptacle", "wasteToner", None,
            "percent", 100, 85, 85)],
    alerts=[
        alert("2.1", "warning", "markerSupplies", "markerTonerAlmostEmpty",
            "Black toner almost empty", 4000),
        alert("2.2", "critical", "mediaPath", "jam",
            "Paper jam in the fuser", 4100),
        alert("2.3", "critical", "cover", "coverOpen", "Front cover open",
            4200),
        alert("2.4", "warning", "input", "inputMediaSupplyEmpty",
            "Tray 2 empty", 4300),
        alert("2.5", "warning", "marker", "markerFuserUnderTemperature",
            "Fuser warming", 4400),
        alert("2.7", "2", "99", "12345", None, None)]),
"hm-supplies": dict(NOPII, status="ok", vendor=None, profile=None,
    serial=None, serial_source=None,
    model=None, model_source=None, firmware=None,
    device_status="running", printer_status="idle", errors=["lowToner"],
    uptime=100, meters=[], alerts=[],
    supplies=[
        sup("1.1", "Black Toner", "consumed", "toner", "black", "percent",
            100, 42, 42),
        sup("1.2", "Waste Toner Box", "receptacle", "wasteToner", None,
            "impressions", -2, -3, None),
        sup("1.3", "Cyan Cartridge", "consumed", "tonerCartridge", "cyan",
            "percent", -1, -2, None),
        sup("1.4", "Magenta Cartridge", "consumed", "tonerCartridge",
            "magenta", "impressions", 5000, 6000, 100),
        sup("1.5", "Drum", "consumed", "opc", None, "impressions", 0, 0,
            None),
        sup("1.6", "Fuser", "consumed", "fuser", None, "hours", 200, 1, 1),
        sup("1.7", "Transfer Belt", "consumed", "transferUnit", None,
            "impressions", 8, 1, 13),
        sup("1.8", "Cleaner", "consumed", "cleanerUnit", None,
            "impressions", 3, 2, 67),
        sup("1.9", "Mystery Unit", "2", "99", None, "5", 10, 5, 50),
        sup("1.10", "Black Toner (tenths of grams)", "consumed", "toner",
            "black", "tenthsOfGrams", 2147483647, 2147483646, 100),
        sup("1.11", "Description only", None, None, None, None, None, None,
            None),
        sup("1.12", "Empty Toner", "consumed", "toner", None, "percent",
            100, 0, 0)]),
"hm-markers": dict(NOPII, status="ok", vendor=None, serial="HMM-0003",
    serial_source=PRTSN + "1", model=None,
    model_source=None, device_status="down", printer_status=None,
    errors=[], supplies=[], alerts=[],
    meters=[meter("lifecount.1.1", "sheets", 1000, LIFE + ".1.1"),
        meter("lifecount.1.2", "sheets", 2345, LIFE + ".1.2"),
        meter("total", "sheets", 3345, LIFE)]),
"hm-hp": dict(NOPII, status="ok", vendor="HP", profile="hp",
    enterprise=11, serial="CNHM123456", serial_source=HP + "1.3.3.0",
    model="LaserJet HM 500", model_source=HP + "1.3.2.0",
    firmware="20260101", firmware_source=HP + "1.3.6.0",
    device_status="running", printer_status="warmup",
    errors=["overduePreventMaint"], supplies=[], alerts=[],
    meters=[meter("total", "impressions", 99999, HP + "4.1.2.5.0"),
        meter("black", "impressions", 70000, HP + "4.1.2.6.0"),
        meter("duplex", "sheets", 5000000000, HP + "4.1.2.22.0"),
        meter("lifecount", "meters", 12345, LIFE + ".1.1")]),
"hm-strings": dict(NOPII, status="ok",
    sysdescr="HM-Strings\\x09\u8907\u5408\u6a5f \\\\ v1",
    serial="SN\\\\1234\u00e9", serial_source=PRTSN + "1",
    model=None, model_source=None,
    device_status="running", printer_status="other", errors=None,
    meters=[],
    supplies=[sup(i, d, "consumed", "toner", c, "percent", 100, 50, 50)
        for i, d, c in (
        ("1.1", "Toner \\xff\\xfe black",
            "x" + "\u30b7\u30a2\u30f3" * 6 + "\u30b7\u30a2"),
        ("1.2", "Drum\\x01\\x1b[31m red", "\\x01" * 15),
        ("1.3", "Waste\\x09Box", "yellow"),
        ("1.4", "C:\\\\toner\\\\k", None),
        ("1.5", "Fuser", None),
        ("1.6", "\u30c8\u30ca\u30fc\uff08\u30d6\u30e9\u30c3\u30af\uff09",
            None),
        ("1.7", None, None),
        ("1.8", "A\\x00B", None),
        ("1.9", "C1\\xc2\\x85 DEL\\x7f overlong\\xc0\\xaf cut\\xe3\\x81",
            None),
        ("1.10", "\U0001f5a8 printer \u00fc\u00df\\x0a", None),
        ("1.11", "\\x01" * 255, None),
        ("1.12", "\\xed\\xa0\\x80 surrogate \\xf4\\x90\\x80\\x80 too big",
            None))],
    alerts=[alert("1.1", "critical", "cover", "coverOpen",
        "Door\\x0d\\x0aopen", 1)]),
"hm-pii": dict(NOPII, status="ok", serial="HMP-0006",
    model=None, device_status="running", printer_status="idle",
    errors=[], meters=[meter("total", "impressions", 777, LIFE + ".1.1")],
    supplies=[sup("1.1", "Black Toner", "consumed", "toner", "black",
        "percent", 100, 60, 60)],
    alerts=[alert("1.1", "warning", "markerSupplies",
        "markerTonerAlmostEmpty", "Black toner almost empty", 10)]),
"hm-jobs": dict(NOPII, status="ok", serial="HMJ-0007",
    serial_source=PRTSN + "1", model=None, device_status="running",
    printer_status="idle", errors=[], uptime=360000,
    meters=[meter("total", "impressions", 4242, LIFE + ".1.1")],
    supplies=[sup("1.1", "Black Toner", "consumed", "toner", "black",
        "percent", 100, 60, 60)],
    alerts=[alert("1.1", "warning", "markerSupplies",
        "markerTonerAlmostEmpty", "Black toner almost empty", 10)]),
"hm-replenish": dict(NOPII, status="ok", serial="HMR-0001",
    serial_source=PRTSN + "1", model=None, device_status="running",
    printer_status="idle", errors=[], uptime=100, meters=[],
    supplies=[
        sup("1.1", "Black Toner", "consumed", "toner", None, "percent",
            100, 50, 50),
        sup("1.2", "Cyan Toner", "consumed", "toner", None, "percent",
            100, -3, None),
        sup("1.3", "Magenta Toner", "consumed", "toner", None, "percent",
            100, -2, None),
        sup("1.4", "Yellow Ink", "consumed", "ink", None, "percent", -2,
            1, None),
        sup("1.5", "Waste Toner Box", "receptacle", "wasteToner", None,
            "percent", 100, 95, 95)],
    alerts=[alert("1.1", "warning", "markerSupplies",
        "markerInkAlmostEmpty", "Yellow Ink almost empty", None)]),
}
ROWKEY = {"meters": "name", "supplies": "index", "alerts": "index"}

def show(v):
    s = json.dumps(v, ensure_ascii=True)
    return s if len(s) < 200 else s[:200] + "..."

label, mapfile, jsonfile = sys.argv[1], sys.argv[2], sys.argv[3]
v1 = len(sys.argv) > 4 and sys.argv[4] == "v1"
doc = json.loads(open(jsonfile, "rb").read().decode("utf-8",
    "surrogateescape"))
devs = {d["address"]: d for d in doc["devices"]}
for line in open(mapfile):
    addr, path, name = line.split()
    want = EXPECT.get(name)
    if want is None:
        print("FAIL\t%s %s: exact values\tnone written for this walk" %
            (label, name))
        continue
    dev = devs.get(addr, {})
    for k, w in sorted(want.items()):
        g = dev.get(k)
        if v1 and k == "meters":	# SNMPv1 sees no Counter64
            w = [m for m in w if m["name"] != "duplex" or name != "hm-hp"]
        why = ""
        if k in ROWKEY:
            key = ROWKEY[k]
            gl = g if isinstance(g, list) else []
            gk = [r.get(key) for r in gl]
            if sorted(map(str, gk)) != sorted(str(r[key]) for r in w):
                why = "%ss %s, want %s" % (key, show(gk),
                    show([r[key] for r in w]))
            else:
                gm = {r[key]: r for r in gl}
                bad = [(r, gm[r[key]]) for r in w if gm[r[key]] != r]
                if bad:
                    why = "%d of %d rows differ, first: got %s, want %s" % (
                        len(bad), len(w), show(bad[0][1]), show(bad[0][0]))
        elif g != w:
            why = "got %s, want %s" % (show(g), show(w))
        print("%s\t%s %s: %s%s" % ("FAIL" if why else "PASS", label, name,
            k, "\t" + why if why else ""))
EOF

collect fleet-v2c "$T/map-fleet" 2c
[ -s "$T/fleet-v2c.json" ] && pyrun "exact fleet-v2c" "$T/exact.py" \
    "fleet-v2c exact" "$T/map-fleet" "$T/fleet-v2c.json"
if [ $HAVE_SIM = 1 ]; then
	collect sim-v2c "$T/map-sim" 2c
	collect sim-v1 "$T/map-sim" 1
	[ -s "$T/sim-v1.json" ] && pyrun "exact sim-v1" "$T/exact.py" \
	    "sim-v1 exact" "$T/map-sim" "$T/sim-v1.json" v1
	[ -s "$T/sim-v2c.json" ] && [ -s "$T/fleet-v2c.json" ] &&
	    pyrun "snmpsim = snmpfleet" "$WC" same -m "$T/map-fleet" \
	    -n "$T/map-sim" -l "snmpsim v2c = snmpfleet v2c" \
	    "$T/fleet-v2c.json" "$T/sim-v2c.json"
	[ -s "$T/sim-v2c.json" ] && [ -s "$T/sim-v1.json" ] &&
	    pyrun "v1 = v2c" "$WC" same -m "$T/map-sim" -l "snmpsim v1 = v2c" \
	    "$T/sim-v2c.json" "$T/sim-v1.json"
fi
exit 0
