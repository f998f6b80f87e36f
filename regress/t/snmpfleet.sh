#!/bin/sh
# snmpfleet (regress/tools/snmpfleet.c), the simulated printer fleet of the
# benchmark and of the collector's tests, checked with net-snmp's clients:
#
#   - every walk of $WALKS (and a hand-made file with odd lines) is served
#     exactly: snmpwalk v2c, snmpbulkwalk and snmpwalk v1 print the records
#     that an independent reader of the snmprec file (python, below) finds,
#     in OID order (v1 without Counter64 and exception values)
#   - each address serves its own walk; Get answers noSuchInstance,
#     noSuchObject (v2c) and noSuchName (v1); Set is refused
#   - a wrong community gets no answer; a per-address community works
#   - modes: getnext-only ignores GetBulk but answers Get and GetNext;
#     bulk-broken answers genErr; drop=2 drops every second request;
#     no-answer never answers; -L 200 delays answers by at least 200 ms
#     without serialising devices
#   - GetBulk answers hold at most 64 bindings and 1472 octets
#   - -r START COUNT DIR skips .0 and .255 and deals files round-robin
#   - -S statistics on SIGUSR1 and at exit, -P pidfile, clean SIGTERM
#   - a small load: thousands of requests answered quickly (a loose
#     bound; the measured rate is in the log)

. "$TOP/regress/lib.sh"

FLEET="$OBJ/regress/tools/snmpfleet"
SNMPRAW="$OBJ/regress/tools/snmpraw"

if [ ! -x "$FLEET" ]; then
	fail setup "$FLEET not built"
	exit 1
fi
for c in snmpget snmpwalk snmpbulkwalk snmpbulkget snmpset; do
	if ! command -v $c >/dev/null 2>&1; then
		skip all "net-snmp client $c not installed"
		exit 0
	fi
done
if [ ! -f "$WALKS/sharp.snmprec" ]; then
	skip all "no walks in $WALKS"
	exit 0
fi

# no MIB files: numeric OIDs, no display hints, whatever is installed
mkdir -p "$T/nomibs"
MIBDIRS="$T/nomibs"
MIBS=""
export MIBDIRS MIBS
SNMPOPT="-On -Oe -Ot -Ox -t 1 -r 0"

# the independent reader of snmprec files and of net-snmp's output
cat >"$T/fleet.py" <<'EOF'
import re, socket, struct, sys, time

TYPES = {2: "INTEGER", 4: "STRING", 5: "NULL", 6: "OID", 64: "IpAddress",
    65: "Counter32", 66: "Gauge32", 67: "Timeticks", 68: "Opaque",
    70: "Counter64", 128: "noSuchObject", 129: "noSuchInstance",
    130: "endOfMibView"}

def unescape(s):
    out, i = bytearray(), 0
    esc = {"\\": 92, "'": 39, '"': 34, "a": 7, "b": 8, "f": 12, "n": 10,
        "r": 13, "t": 9, "v": 11}
    while i < len(s):
        c = s[i]
        if c != "\\":
            out.append(ord(c)); i += 1; continue
        n = s[i + 1]
        if n == "x":
            out.append(int(s[i + 2:i + 4], 16)); i += 4
        else:
            out.append(esc[n]); i += 2
    return bytes(out)

def value(tag, enc, v):
    """(kind, normalised value) as snmpsim would serve it, or None"""
    if tag not in TYPES:
        return None
    kind = TYPES[tag]
    if enc and tag not in (4, 64, 68):
        return None
    if tag in (4, 64, 68):
        if enc == "x":
            b = bytes.fromhex(v)
        elif enc == "e":
            b = unescape(v)
        elif tag == 64:
            try:
                b = socket.inet_aton(v) if v.count(".") == 3 else None
            except OSError:
                b = None
            if b is None:
                b = v.encode("latin-1")
        else:
            b = v.encode("latin-1")
        if tag == 64:
            return (kind, ".".join(str(x) for x in b)) if len(b) == 4 \
                else None
        return kind, b.hex()
    if tag == 2:
        n = int(v)
        return (kind, str(n)) if -2**31 <= n < 2**31 else None
    if tag in (65, 66, 67, 70):
        n = int(v)
        top = 2**64 if tag == 70 else 2**32
        return (kind, str(n)) if 0 <= n < top else None
    if tag == 5:
        return (kind, "") if v == "" else None
    if tag == 6:
        arcs = [int(x) for x in v.split(".") if x]
        return (kind, "." + ".".join(map(str, arcs))) if len(arcs) >= 2 \
            else None
    return kind, ""

def records(path, v1=False):
    """the records of an snmprec file, sorted, first of duplicates"""
    recs = {}
    for raw in open(path, "rb"):
        line = raw.strip()
        if not line or line.startswith(b"#"):
            continue
        parts = line.decode("latin-1").strip().split("|", 2)
        if len(parts) != 3 or not parts[0] or not parts[1]:
            continue
        oid, tag, v = parts
        enc = None
        if tag[-1] in "xe":
            tag, enc = tag[:-1], tag[-1]
        try:
            key = tuple(int(x) for x in oid.split(".") if x)
            val = value(int(tag), enc, v)
        except (ValueError, KeyError, IndexError):
            continue
        if val is None or len(key) < 2 or key in recs:
            continue
        recs[key] = val
    out = []
    for key in sorted(recs):
        kind, val = recs[key]
        if v1 and (kind == "Counter64" or kind.startswith("noSuch") or
                kind == "endOfMibView"):
            continue
        out.append("." + ".".join(map(str, key)) + " " + kind + " " + val)
    return out

def netsnmp(text):
    """net-snmp output (-On -Oe -Ot -Ox) in the same form"""
    ents, out = [], []
    for line in text.split("\n"):
        m = re.match(r"^(\.[0-9.]+) = (.*)$", line)
        if m:
            ents.append([m.group(1), m.group(2)])
        elif ents and re.fullmatch(r"([0-9A-F]{2} ?)+", line.strip()):
            ents[-1][1] += " " + line.strip()
    for oid, v in ents:
        if v.startswith("No more variables"):
            continue	# the end of a walk, not a record
        v = re.sub(r"^Wrong Type \(should be [^)]*\): ", "", v).strip()
        if v == '""':
            kind, val = "STRING", ""
        elif v.startswith("Hex-STRING:"):
            kind, val = "STRING", v[11:].replace(" ", "").lower()
        elif v.startswith("STRING:"):
            kind, val = "STRING", v[7:].strip().strip('"').encode(
                "latin-1").hex()
        elif v.startswith("OPAQUE:"):
            kind, val = "Opaque", v[7:].replace(" ", "").lower()
        elif v == "NULL":
            kind, val = "NULL", ""
        elif v.startswith("No Such Object"):
            kind, val = "noSuchObject", ""
        elif v.startswith("No Such Instance"):
            kind, val = "noSuchInstance", ""
        elif re.fullmatch(r"[0-9]+", v):
            kind, val = "Timeticks", v
        else:
            kind, val = v.split(":", 1)
            val = val.strip()
        out.append(oid + " " + kind + " " + val)
    return out

def blast(port, start, count, n, window):
    """n Get requests round-robin over count addresses; prints req/s"""
    a = struct.unpack("!I", socket.inet_aton(start))[0]
    addrs = []
    while len(addrs) < count:
        if a & 0xff not in (0, 255):
            addrs.append(socket.inet_ntoa(struct.pack("!I", a)))
        a += 1
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.settimeout(5)
    # GetRequest v2c "public" request-id 0x01020304 sysDescr.0
    pdu = bytes.fromhex("02040102030402010002010030" "0e300c06082b060102010101"
        "000500")
    pdu = b"\xa0" + bytes([len(pdu)]) + pdu
    msg = bytes.fromhex("02010104067075626c6963") + pdu
    msg = b"\x30" + bytes([len(msg)]) + msg
    t0, sent, got = time.monotonic(), 0, 0
    while got < n:
        while sent < n and sent - got < window:
            s.sendto(msg, (addrs[sent % count], port))
            sent += 1
        try:
            s.recv(2048)
        except socket.timeout:
            break
        got += 1
    t = time.monotonic() - t0
    print("%d requests, %d answers in %.3f s: %.0f requests/s" %
        (n, got, t, got / t))
    return 0 if got == n else 1

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "expect":
        print("\n".join(records(sys.argv[2], len(sys.argv) > 3)))
    elif cmd == "netsnmp":
        print("\n".join(netsnmp(sys.stdin.read())))
    elif cmd == "field":	# FILE OID: the normalised value of one record
        for r in records(sys.argv[2]):
            if r.split(" ")[0] == "." + sys.argv[3].lstrip("."):
                print(r)
    elif cmd == "elapsed":	# CMD...: run it, print milliseconds taken
        import subprocess
        t0 = time.monotonic()
        subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        print(int((time.monotonic() - t0) * 1000))
    elif cmd == "blast":
        sys.exit(blast(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]),
            int(sys.argv[5]), int(sys.argv[6])))
EOF

# a hand-made walk: unsorted, comments, blank lines, CRLF, surrounding
# white space, '|' in a value, hex and escaped values, every type,
# duplicates and malformed lines (6 skipped), an exception value last
printf '%s\r\n' \
    '# a comment' \
    '' \
    '1.3.6.1.2.1.1.5.0|4|name with | pipe   ' \
    '   1.3.6.1.2.1.1.1.0|4|  leading spaces kept' \
    '.1.3.6.1.2.1.1.2.0|6|.1.3.6.1.4.1.99999.1' \
    '1.3.6.1.2.1.1.3.0|67|12345' \
    '1.3.6.1.2.1.4.20.1.1.10.0.0.1|64|10.0.0.1' \
    '1.3.6.1.2.1.4.20.1.1.10.0.0.2|64x|0a000002' \
    '1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551615' \
    '1.3.6.1.2.1.2.2.1.10.1|65|4294967295' \
    '1.3.6.1.2.1.2.2.1.5.1|66|0' \
    '1.3.6.1.2.1.2.2.1.1.1|2|-2147483648' \
    '1.3.6.1.2.1.2.2.1.1.2|2|2147483647' \
    '1.3.6.1.2.1.25.3.2.1.3.1|4x|00ff7f80' \
    '1.3.6.1.2.1.25.3.2.1.3.2|4e|tab\there\x41' \
    '1.3.6.1.2.1.43.5.1.1.17.1|4|' \
    '1.3.6.1.2.1.1.9.1.2.1|6|0.0' \
    '1.3.6.1.2.1.1.9.1.3.1|5|' \
    '1.3.6.1.4.1.2021.10.1.6.1|68x|0102ff' \
    '1.3.6.1.2.1.1.1.0|4|duplicate, skipped' \
    'not an oid|4|x' \
    '1.3.6.1.2.1.1.7.0|2|not a number' \
    '1.3.6.1.2.1.1.8.0|99|unknown tag' \
    '1.3.6.1.2.1.1.6.0' \
    '1.3.6.1.2.1.2.2.1.1.3|2|2147483648' \
    '1.3.6.1.99.1.0|129|' >"$T/odd.snmprec"

# one address per walk: 127.1.0.1, .2, ... in name order, then odd
: >"$T/map"
n=0
for f in "$WALKS"/*.snmprec; do
	n=$((n + 1))
	echo "127.1.0.$n $f" >>"$T/map"
done
NWALKS=$n
ODD=127.1.1.1
cat >>"$T/map" <<EOF
# odd agents
$ODD odd.snmprec
127.1.2.1 $WALKS/sharp.snmprec sekret
127.1.2.2 $WALKS/sharp.snmprec - bulk-broken
127.1.2.3 $WALKS/sharp.snmprec - drop=2
127.1.2.4 $WALKS/sharp.snmprec public no-answer
EOF

# start_fleet NAME ARGS...: sets PORT and PID_<NAME>
start_fleet() {
	_name=$1; shift
	PORT=$(free_port udp 0.0.0.0)
	"$FLEET" -p "$PORT" "$@" >"$T/$_name.out" 2>"$T/$_name.err" &
	eval "PID_$_name=$!"
	on_exit "kill $! 2>/dev/null"
	if wait_for 10 grep -qx ready "$T/$_name.out"; then
		pass "$_name: starts and says ready"
		return 0
	fi
	fail "$_name: starts and says ready" "$(tail -n 3 "$T/$_name.err")"
	return 1
}

# the main fleet
start_fleet main -S "$T/main.stats" -P "$T/main.pid" "$T/map" || exit 1
MAIN=$PORT
check "main: pidfile" test "$(cat "$T/main.pid")" = "$PID_main"
check "main: 6 malformed lines skipped and counted" \
    grep -q ", 6 lines skipped" "$T/main.err"
check "main: warnings name file and line" \
    grep -q "odd.snmprec:21: " "$T/main.err"

# walk NAME ADDR FILE CMD...: the output of CMD equals the file's records
walk() {
	_n=$1; _a=$2; _f=$3; shift 3
	_v1=""
	case "$*" in *-v1*) _v1=v1 ;; esac
	$PY "$T/fleet.py" expect "$_f" $_v1 >"$T/want"
	"$@" -c public $SNMPOPT "$_a:$MAIN" .1 >"$T/raw" 2>"$T/raw.err"
	$PY "$T/fleet.py" netsnmp <"$T/raw" >"$T/got"
	if [ ! -s "$T/want" ]; then
		fail "$_n" "no records expected from $_f"
	elif cmp -s "$T/want" "$T/got"; then
		pass "$_n"
	else
		fail "$_n" "$(diff "$T/want" "$T/got" | head -n 4 | tr '\n' ' ')"
	fi
}

n=0
for f in "$WALKS"/*.snmprec; do
	n=$((n + 1))
	b=$(basename "$f" .snmprec)
	walk "walk v2c $b" 127.1.0.$n "$f" snmpwalk -v2c
	walk "bulkwalk $b" 127.1.0.$n "$f" snmpbulkwalk -v2c -Cr25
	walk "walk v1 $b" 127.1.0.$n "$f" snmpwalk -v1
done
walk "walk v2c odd" $ODD "$T/odd.snmprec" snmpwalk -v2c
walk "bulkwalk odd" $ODD "$T/odd.snmprec" snmpbulkwalk -v2c
walk "walk v1 odd" $ODD "$T/odd.snmprec" snmpwalk -v1

# get NAME EXPECTED OPTIONS... OID: snmpget prints EXPECTED
get() {
	_n=$1; _e=$2; shift 2
	_g=$(snmpget $SNMPOPT "$@" 2>&1 | $PY "$T/fleet.py" netsnmp)
	if [ "$_g" = "$_e" ]; then
		pass "$_n"
	else
		fail "$_n" "got '$_g', want '$_e'"
	fi
}
# v1 errors are printed on stderr
get_v1_error() {
	_n=$1; _e=$2; shift 2
	if snmpget -v1 $SNMPOPT "$@" >"$T/v1.out" 2>&1; then
		fail "$_n" "no error"
	elif grep -q "$_e" "$T/v1.out"; then
		pass "$_n"
	else
		fail "$_n" "$(tr '\n' ' ' <"$T/v1.out")"
	fi
}

SYSDESCR=1.3.6.1.2.1.1.1.0
sharp=$(grep -n "/sharp.snmprec" "$T/map" | head -n 1 | cut -d: -f1)
toshiba=$(grep -n "/toshiba-tec_sx5t.snmprec" "$T/map" | cut -d: -f1)
want1=$($PY "$T/fleet.py" field "$WALKS/sharp.snmprec" $SYSDESCR)
want2=$($PY "$T/fleet.py" field "$WALKS/toshiba-tec_sx5t.snmprec" $SYSDESCR)
get "two addresses: sharp" "$want1" \
    -v2c -c public 127.1.0.$sharp:$MAIN $SYSDESCR
get "two addresses: toshiba" "$want2" \
    -v2c -c public 127.1.0.$toshiba:$MAIN $SYSDESCR
check "two addresses: different walks" test "$want1" != "$want2"
get "get v1" \
    ".1.3.6.1.2.1.1.2.0 OID .1.3.6.1.4.1.1129.1.2.1" \
    -v1 -c public 127.1.0.$toshiba:$MAIN 1.3.6.1.2.1.1.2.0
get "get v2c: noSuchInstance" ".1.3.6.1.2.1.1.1.1 noSuchInstance " \
    -v2c -c public 127.1.0.$sharp:$MAIN 1.3.6.1.2.1.1.1.1
get "get v2c: noSuchObject" ".1.3.6.1.2.1.1.99.0 noSuchObject " \
    -v2c -c public 127.1.0.$sharp:$MAIN 1.3.6.1.2.1.1.99.0
get "get v2c: exception value served" \
    ".1.3.6.1.99.1.0 noSuchInstance " -v2c -c public $ODD:$MAIN \
    1.3.6.1.99.1.0
get "get v2c: Counter64" \
    ".1.3.6.1.2.1.31.1.1.1.6.1 Counter64 18446744073709551615" \
    -v2c -c public $ODD:$MAIN 1.3.6.1.2.1.31.1.1.1.6.1
get_v1_error "get v1: noSuchName" noSuchName \
    -c public 127.1.0.$sharp:$MAIN 1.3.6.1.2.1.1.99.0
get_v1_error "get v1: no Counter64" noSuchName \
    -c public $ODD:$MAIN 1.3.6.1.2.1.31.1.1.1.6.1
snmpset -v2c $SNMPOPT -c public 127.1.0.$sharp:$MAIN \
    1.3.6.1.2.1.1.5.0 s x >"$T/set.out" 2>&1
check "set v2c: noAccess" grep -q noAccess "$T/set.out"
snmpset -v1 $SNMPOPT -c public 127.1.0.$sharp:$MAIN \
    1.3.6.1.2.1.1.5.0 s x >"$T/set.out" 2>&1
check "set v1: readOnly" grep -q readOnly "$T/set.out"

# communities
check_fail "wrong community: no answer" \
    snmpget -v2c $SNMPOPT -c private 127.1.0.$sharp:$MAIN $SYSDESCR
check_fail "per-address community: public gets no answer" \
    snmpget -v2c $SNMPOPT -c public 127.1.2.1:$MAIN $SYSDESCR
get "per-address community: sekret answered" "$want1" \
    -v2c -c sekret 127.1.2.1:$MAIN $SYSDESCR
check_fail "address without a device: no answer" \
    snmpget -v2c $SNMPOPT -c public 127.1.3.1:$MAIN $SYSDESCR

# per-address modes
snmpbulkget -v2c $SNMPOPT -c public 127.1.2.2:$MAIN 1.3.6.1.2.1.43 \
    >"$T/bb.out" 2>&1
check "bulk-broken: genErr" grep -qi "genErr" "$T/bb.out"
get "bulk-broken: Get works" "$want1" \
    -v2c -c public 127.1.2.2:$MAIN $SYSDESCR
answered=""
for i in 1 2 3 4; do
	if snmpget -v2c $SNMPOPT -c public 127.1.2.3:$MAIN $SYSDESCR \
	    >/dev/null 2>&1; then
		answered="$answered y"
	else
		answered="$answered n"
	fi
done
check "drop=2: every second request dropped ($answered)" \
    test "$answered" = " y n y n"
check_fail "no-answer: no answer" \
    snmpget -v2c $SNMPOPT -c public 127.1.2.4:$MAIN $SYSDESCR

# GetBulk limits, with the project's own client when it is built
if [ -x "$SNMPRAW" ]; then
	for r in 10 64 200; do
		"$SNMPRAW" -t bulk -r $r -o "$T/bulk.raw" \
		    127.1.0.$sharp:$MAIN 1.3.6.1.2 >"$T/bulk.out" 2>&1
		nvb=$(wc -l <"$T/bulk.out")
		size=$(wc -c <"$T/bulk.raw")
		want=$(( r < 64 ? r : 64 ))
		check "getbulk max-repetitions $r: $nvb bindings (<= $want)" \
		    test "$nvb" -ge 1 -a "$nvb" -le "$want"
		check "getbulk max-repetitions $r: $size octets (<= 1472)" \
		    test "$size" -le 1472
	done
	"$SNMPRAW" -t bulk -n 1 -r 3 127.1.0.$toshiba:$MAIN \
	    $SYSDESCR 1.3.6.1.2.1.1.1.0 >"$T/bulk.out" 2>&1
	printf '%s\n' '1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.1129.1.2.1' \
	    '1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.1129.1.2.1' \
	    '1.3.6.1.2.1.1.2.0|130|' >"$T/bulk.want"
	check "getbulk non-repeaters and endOfMibView" \
	    cmp "$T/bulk.want" "$T/bulk.out"
else
	skip "getbulk limits" "$SNMPRAW not built"
fi

# statistics on SIGUSR1
rm -f "$T/main.stats"
kill -USR1 "$PID_main"
if wait_for 5 test -s "$T/main.stats"; then
	check "stats: four lines" test "$(awk '$1 ~ /^(requests|responses|bytes_in|bytes_out)$/ && $2 ~ /^[0-9]+$/' \
	    "$T/main.stats" | wc -l)" -eq 4
	req=$(awk '$1 == "requests" { print $2 }' "$T/main.stats")
	resp=$(awk '$1 == "responses" { print $2 }' "$T/main.stats")
	check "stats: $req requests, $resp responses" \
	    test "$req" -gt "$resp" -a "$resp" -gt 100
else
	fail "stats: written on SIGUSR1"
fi

# getnext-only, with -m
start_fleet gno -m getnext-only "$T/map"
check_fail "getnext-only: GetBulk ignored" \
    snmpbulkget -v2c $SNMPOPT -c public 127.1.0.$sharp:$PORT 1.3.6.1.2
get "getnext-only: v2c Get works" "$want1" \
    -v2c -c public 127.1.0.$sharp:$PORT $SYSDESCR
snmpwalk -v2c $SNMPOPT -c public 127.1.0.$sharp:$PORT .1 >"$T/raw" 2>&1
$PY "$T/fleet.py" netsnmp <"$T/raw" >"$T/got"
$PY "$T/fleet.py" expect "$WALKS/sharp.snmprec" >"$T/want"
check "getnext-only: GetNext walk complete" cmp "$T/want" "$T/got"

# latency: -L alone delays every device, but not one after the other
start_fleet slow -L 200 "$T/map"
SLOW=$PORT
ms=$($PY "$T/fleet.py" elapsed snmpget -v2c $SNMPOPT -c public \
    127.1.0.$sharp:$SLOW $SYSDESCR)
check "-L 200: answered after ${ms} ms (>= 200)" test "$ms" -ge 200
get "-L 200: answer correct" "$want1" \
    -v2c -c public 127.1.0.$sharp:$SLOW $SYSDESCR
t0=$(date +%s%3N)
i=1
pids=""
while [ $i -le 20 ]; do
	snmpget -v2c $SNMPOPT -c public 127.1.0.$(( (i % NWALKS) + 1 )):$SLOW \
	    $SYSDESCR >"$T/par.$i" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
wait $pids
ms=$(( $(date +%s%3N) - t0 ))
check "-L 200: 20 devices in parallel in ${ms} ms (< 3500)" \
    test "$ms" -lt 3500
check "-L 200: 20 devices in parallel all answered" \
    test "$(cat "$T"/par.* | grep -c "^\.$SYSDESCR = ")" -eq 20

# -r START COUNT DIR: 127.3.0.253, .254, 127.3.1.1, .2, .3 get a b c a b
mkdir -p "$T/range"
ln -sf "$WALKS/sharp.snmprec" "$T/range/a.snmprec"
ln -sf "$WALKS/toshiba-tec_sx5t.snmprec" "$T/range/b.snmprec"
ln -sf "$WALKS/xerox.snmprec" "$T/range/c.snmprec"
start_fleet range -c fleet -S "$T/range.stats" -r 127.3.0.253 5 "$T/range"
RANGE=$PORT
wantc=$($PY "$T/fleet.py" field "$WALKS/xerox.snmprec" $SYSDESCR)
get "range: 127.3.0.253 is a" "$want1" \
    -v2c -c fleet 127.3.0.253:$RANGE $SYSDESCR
get "range: 127.3.1.1 is c" "$wantc" \
    -v2c -c fleet 127.3.1.1:$RANGE $SYSDESCR
get "range: 127.3.1.3 is b" "$want2" \
    -v2c -c fleet 127.3.1.3:$RANGE $SYSDESCR
check_fail "range: 127.3.0.255 skipped" \
    snmpget -v2c $SNMPOPT -c fleet 127.3.0.255:$RANGE $SYSDESCR
check_fail "range: 127.3.1.0 skipped" \
    snmpget -v2c $SNMPOPT -c fleet 127.3.1.0:$RANGE $SYSDESCR
check_fail "range: 127.3.1.4 beyond COUNT" \
    snmpget -v2c $SNMPOPT -c fleet 127.3.1.4:$RANGE $SYSDESCR
kill -TERM "$PID_range"
wait "$PID_range"
check "range: SIGTERM exits 0" test $? -eq 0
check "range: stats at exit: 6 requests, 3 responses" test \
    "$(awk '$1 == "requests" || $1 == "responses" { print $2 }' \
    "$T/range.stats" | tr '\n' ' ')" = "6 3 "

# a small load as a sanity check: 20000 Gets over 2000 devices
start_fleet load -r 127.4.0.1 2000 "$WALKS"
if $PY "$T/fleet.py" blast "$PORT" 127.4.0.1 2000 20000 50 \
    >"$T/blast.out" 2>&1; then
	rate=$(sed -n 's/.*: \([0-9]*\) requests\/s/\1/p' "$T/blast.out")
	echo "# $(cat "$T/blast.out")"
	check "load: 20000 requests answered at ${rate}/s (>= 2000)" \
	    test "${rate:-0}" -ge 2000
else
	fail "load: 20000 requests answered" "$(cat "$T/blast.out")"
fi

# clean exit of the main fleet
kill -TERM "$PID_main"
wait "$PID_main"
check "main: SIGTERM exits 0" test $? -eq 0
check "main: pidfile removed" test ! -e "$T/main.pid"
check "main: stats written at exit" test -s "$T/main.stats"
exit 0
