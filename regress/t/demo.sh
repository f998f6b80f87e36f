#!/bin/sh
# make demo, run in the suite so that it cannot rot: regress/demo/demo.sh
# with OBJ set (nothing is built, no package is installed), its temporary
# directory under $T.
#
#   the fleet      regress/demo/fleet is what mkfleet.py writes; every walk
#                  sorted by OID
#   the run        exits 0 within 60 s; prints the status block (uploading
#                  authorized, the cycle: 20 devices, 20 ok, the outbox
#                  delivered), the transaction log with a collect and an
#                  upload record, "transaction log intact", commsd's
#                  document count (1), the HTML report's path (which exists)
#                  once callhomectl can write one; a bundle signed with
#                  signify-openbsd, served by commsd: "callhomectl checkin",
#                  signerd accepts it, its "collect now" makes cycle 2
#   the data       callhomectl devices -j of the kept state: walkcheck.py's
#                  independent expectations for every printer; each walk's
#                  vendor profile; what the fleet is for (alerts, low,
#                  unknown and "some remaining" supplies, receptacles,
#                  vendor meters, ten makers or more); commsd received the
#                  20 devices without sysName, sysContact, sysLocation or
#                  addresses
#   afterwards     no snmpfleet, commsd, callhomed, collectd, auditd,
#                  signerd or uplinkd process that was not there before
#
#   TOP=$PWD OBJ=$PWD/obj T=$(mktemp -d) sh regress/t/demo.sh

. "$TOP/regress/lib.sh"

DEMO="$TOP/regress/demo/demo.sh"
FLEETDIR="$TOP/regress/demo/fleet"
WC="$TOP/regress/walkcheck.py"

for p in callhomed callhomectl commsd regress/tools/snmpfleet; do
	if [ ! -x "$OBJ/$p" ]; then
		fail setup "$OBJ/$p not built"
		exit 1
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	skip all "must run as root (make demo needs root)"
	exit 0
fi
if ! command -v signify-openbsd >/dev/null 2>&1; then
	skip all "signify-openbsd is not installed (apt-get install signify-openbsd)"
	exit 0
fi

# finish: after a failure, the end of the demo's output (the whole of
# it and its directory are kept); else its directory is removed
finish() {
	if [ "${rc:-1}" -ne 0 ] || grep -q '^not ok' "$RESULTS" 2>/dev/null
	then
		echo "# the demo's output (all of it is kept in $W):"
		sed 's/^/#   /' "$OUT" | tail -n 40
	else
		rm -rf "$W"
	fi
	exit 0
}

# ---- the fleet
$PY "$TOP/regress/demo/mkfleet.py" "$T/fleet" >"$T/mkfleet.out" 2>&1
check "the fleet is what mkfleet.py writes" diff -r "$T/fleet" "$FLEETDIR"
$PY "$WC" sorted "$FLEETDIR"/*.snmprec >"$T/sorted.out" 2>&1
check "every walk of the fleet is sorted by OID" sh -c \
    "! grep -v '^PASS' '$T/sorted.out' && grep -q '^PASS' '$T/sorted.out'"
NW=$(ls "$FLEETDIR"/*.snmprec | wc -l)
check "about 20 printers ($NW)" test "$NW" -ge 18

# ---- the run, under a child subreaper (prctl PR_SET_CHILD_SUBREAPER):
# whatever demo.sh started and left behind, however it detached, becomes
# a child of the wrapper and is named (and then stopped).  Other tests
# running meanwhile cannot be mistaken for it.  Its directory goes into
# a world-searchable one: the gateway's user reads its state there.
W=$(mktemp -d /tmp/callhome-demo-t.XXXXXX)
chmod 0755 "$W"
OUT="$T/demo.out"
DEMO_DIR="$W" OBJ="$OBJ" $PY - "$DEMO" "$OUT" >"$T/run.out" 2>&1 <<'EOF'
import ctypes, os, signal, subprocess, sys, time
demo, outpath = sys.argv[1:3]
if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_CHILD_SUBREAPER) failed")
t0 = time.monotonic()
with open(outpath, "wb") as out:
    p = subprocess.Popen(["sh", demo], stdout=out, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL)
    try:
        rc = p.wait(timeout=120)
    except subprocess.TimeoutExpired:
        p.terminate()
        rc = p.wait()
ms = int((time.monotonic() - t0) * 1000)
print("rc %d" % rc)
print("ms %d" % ms)

def kids():
    """the live processes whose parent is this one; orphans that have
    exited are reaped first"""
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                break
        except ChildProcessError:
            break
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            st = open("/proc/%s/stat" % pid).read()
        except OSError:
            continue
        comm = st[st.index("(") + 1:st.rindex(")")]
        f = st[st.rindex(")") + 2:].split()
        if int(f[1]) == os.getpid() and f[0] != "Z":
            found.append((int(pid), comm))
    return found

time.sleep(0.3)
left = kids()
for pid, comm in left:
    print("left %s:%d" % (comm, pid))
# clean up after a failure: SIGTERM, then SIGKILL, until none is left
for sig in (signal.SIGTERM, signal.SIGKILL):
    for pid, comm in kids():
        try:
            os.kill(pid, sig)
        except OSError:
            pass
    for _ in range(50):
        if not kids():
            break
        time.sleep(0.1)
EOF
rc=$(sed -n 's/^rc //p' "$T/run.out")
ms=$(sed -n 's/^ms //p' "$T/run.out")
left=$(sed -n 's/^left //p' "$T/run.out" | tr '\n' ' ')
check "the run" test -n "$rc"
[ -n "$rc" ] || cat "$T/run.out"
check "demo.sh exits 0" test "${rc:-1}" -eq 0
check "within 60 s (${ms:-?} ms)" test "${ms:-99999}" -lt 60000
check "nothing left running${left:+: $left}" test -z "$left"
# and none of the daemons' names runs from the demo's directory
mine=""
for c in /proc/[0-9]*/cmdline; do
	if tr '\0' ' ' <"$c" 2>/dev/null | grep -q "$W/"; then
		_p=${c#/proc/}; mine="$mine ${_p%/cmdline}"
	fi
done
check "no process runs with the demo's files${mine:+:$mine}" test -z "$mine"

D=$(ls -d "$W"/callhome-demo.* 2>/dev/null | head -n 1)
check "the temporary directory is kept and named" sh -c \
    "test -d '$D' && grep -qF 'rm -rf $D' '$OUT'"
check "the elapsed time is printed" grep -Eq '^== done in [0-9.]+ s' "$OUT"

# the lines of a section of the output: from "== TITLE" to the next "=="
section() {
	awk -v t="== $1" 'index($0, t) == 1 { on = 1; next }
	    /^== / { on = 0 } on' "$OUT"
}
section "callhomectl status" >"$T/status.txt"
check "status: uploading authorized" grep -qx '  uploading: authorized' \
    "$T/status.txt"
check "status: the cycle, $NW devices, $NW ok" grep -Eq \
    "^  last collection: cycle 1 \(manual\): $NW devices: $NW ok at " \
    "$T/status.txt"
check "status: the outbox delivered" grep -Eq \
    '^  outbox: 0 pending \(0 bytes\), 1 delivered' "$T/status.txt"
check "status: a last success with the document's hash" grep -Eq \
    '^  last success: .*, document sha256 [0-9a-f]{64}$' "$T/status.txt"
check "status: the four children alive" sh -c \
    "[ \$(grep -Ec '^  (collectd|auditd|signerd|uplinkd): alive, pid' \
    '$T/status.txt') -eq 4 ]"

section "callhomectl devices" >"$T/devices.txt"
check "devices: a table of $NW printers" sh -c \
    "[ \$(grep -Ec '^  127\.1\.1\.[0-9]+:[0-9]+ +ok ' '$T/devices.txt') \
    -eq $NW ]"

section "callhomectl log" >"$T/log.txt"
check "log: a collect record" grep -Eiq "collect.*cycle 1 .*: $NW devices" \
    "$T/log.txt"
check "log: an upload record, delivered" grep -Eiq \
    'upload.*upload of cycle 1 to localhost:[0-9]+: delivered' "$T/log.txt"
check "verify: the log is intact" grep -Eq \
    '^  transaction log intact: [0-9]+ records' "$OUT"
check "what commsd received: 1 document" grep -q \
    '^  commsd stored 1 document' "$OUT"

section "a signed instruction" >"$T/instr.txt"
check "a signed instruction: checked in" grep -q \
    '^  checkin: check-in requested' "$T/instr.txt"
check "a signed instruction: signerd accepted it" grep -q \
    'signerd: bundle 1 accepted' "$T/instr.txt"
check "a signed instruction: a collection made" grep -q \
    'cycle 2 (instruction)' "$T/instr.txt"

if "$OBJ/callhomectl" 2>&1 | grep -q '^	report '; then
	check "the HTML report's path is printed and exists" sh -c \
	    "grep -qx '  $D/report.html' '$OUT' && test -s '$D/report.html'"
else
	skip "the HTML report" "callhomectl has no report command yet"
fi

# ---- the data, from the kept state (callhomectl reads it while stopped)
if ! "$OBJ/callhomectl" -f "$D/callhome.conf" devices -j \
    >"$T/devices.json" 2>"$T/devices.err" || [ ! -s "$T/devices.json" ]; then
	fail "callhomectl devices -j of the kept state" \
	    "$(head -n 2 "$T/devices.err" | tr '\n' ' ')"
	finish
fi
pass "callhomectl devices -j of the kept state"
# "device ADDR port PORT	# NAME" lines make walkcheck's map
sed -n 's/^device \([^ ]*\) port \([0-9]*\)[[:space:]]*# \(.*\)$/\1:\2 \3/p' \
    "$D/callhome.conf" | while read -r a name; do
	echo "$a $FLEETDIR/$name.snmprec $name"
done >"$T/map"
check "the gateway's configuration names every printer" sh -c \
    "[ \$(wc -l <'$T/map') -eq $NW ]"
$PY "$WC" check -m "$T/map" -p "$TOP/etc/profiles" -l demo \
    "$T/devices.json" >"$T/wc.out" 2>"$T/wc.err"
nfail=$(grep -c '^FAIL' "$T/wc.out")
npass=$(grep -c '^PASS' "$T/wc.out")
check "walkcheck: $npass checks of every printer, $nfail failed" sh -c \
    "[ $nfail -eq 0 ] && [ $npass -gt $((NW * 10)) ]"
[ "$nfail" -eq 0 ] || grep '^FAIL' "$T/wc.out" | head -n 5

"$OBJ/commsd" -f "$D/commsd.conf" -q devices -j >"$T/commsd-devices.json" \
    2>"$T/commsd.err"
$PY - "$T/map" "$T/devices.json" "$T/commsd-devices.json" \
    >"$T/fleet.out" 2>&1 <<'EOF'
import json, re, sys
mapf, devf, commsdf = sys.argv[1:4]
walks = {}
for line in open(mapf):
    addr, path, name = line.split()
    m = re.search(r"Vendor profile: (\S+)", open(path).read(4096))
    walks[addr] = (name, m.group(1) if m else None)
devs = {d["address"]: d for d in json.load(open(devf))["devices"]}
out = []
def res(name, ok, why=""):
    out.append("%s\t%s\t%s" % ("PASS" if ok else "FAIL", name, why))

bad = ["%s: %s, want %s" % (n, devs.get(a, {}).get("profile"), p)
    for a, (n, p) in sorted(walks.items())
    if devs.get(a, {}).get("profile") != p]
res("every printer matches its vendor profile", not bad, "; ".join(bad))
vendors = {d["vendor"] for d in devs.values() if d.get("vendor")}
res("ten makers or more (%d)" % len(vendors), len(vendors) >= 10)
alerted = [d for d in devs.values() if d.get("alerts")]
res("alerts on several printers (%d)" % len(alerted), len(alerted) >= 5)
codes = {a["code"] for d in alerted for a in d["alerts"]}
want = {"markerTonerAlmostEmpty", "jam", "coverOpen"}
res("alerts: toner low, paper jam, cover open", want <= codes,
    "codes %s" % sorted(codes))
sup = [s for d in devs.values() for s in d.get("supplies") or []]
res("a supply at 5 % or less", any(s["percent"] is not None and
    s["percent"] <= 5 and s["class"] == "consumed" for s in sup))
res("supplies of unknown level (-2)", any(s["level"] == -2 for s in sup))
res("supplies with some remaining (-3)", any(s["level"] == -3 for s in sup))
res("waste receptacles (class 4)", any(s["class"] == "receptacle"
    for s in sup))
vm = [d for d in devs.values() if any(m["source"].startswith("1.3.6.1.4.1.")
    for m in d.get("meters") or [])]
res("vendor meters on most printers (%d)" % len(vm), len(vm) >= 12)
res("errors decoded on several printers",
    sum(1 for d in devs.values() if d.get("errors")) >= 5)

try:
    cd = json.load(open(commsdf))["devices"]
except (OSError, ValueError, KeyError) as e:
    cd = None
    res("commsd -q devices -j", False, str(e))
if cd is not None:
    res("commsd received %d devices" % len(cd), len(cd) == len(walks))
    leak = [d.get("key") for d in cd if any(d.get(k) is not None for k in
        ("sysname", "syscontact", "syslocation", "address"))]
    res("commsd received no sysName, sysContact, sysLocation or address",
        not leak, " ".join(map(str, leak[:3])))
for line in out:
    print(line)
EOF
while IFS="$(printf '\t')" read -r r name why; do
	case $r in
	PASS)	pass "$name" ;;
	FAIL)	fail "$name" "$why" ;;
	*)	fail "fleet checks" "$r $name $why" ;;
	esac
done <"$T/fleet.out"
finish
