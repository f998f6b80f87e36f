#!/bin/sh
# make demo: one collection cycle of the callhome gateway on a simulated
# fleet, uploaded to the reference communication server, on loopback.
#
#   1. build (make build, into obj/)
#   2. in a new temporary directory: a throwaway PKI (regress/pki.sh) and
#      two signify key pairs, for instructions and for packages
#   3. snmpfleet (regress/tools) serves the 20 invented printers of
#      regress/demo/fleet on 127.1.1.1-20, one UDP port
#   4. commsd, the reference communication server, on a free TCP port of
#      127.0.0.1 (and ::1)
#   5. callhomed, the gateway, as a daemon in the foreground; callhomectl
#      starts one collection; uploading is authorized, so the document
#      goes to commsd at once
#   6. prints what happened: status, the devices, the transaction log, the
#      verified hash chain, what commsd received, the HTML report
#   7. stops everything it started and keeps the temporary directory
#
# Run as root: callhomed starts as root to give each of its processes its
# own sandbox (chroot, namespaces, another user).  Environment: OBJ, the
# build directory: when it is set, nothing is built (regress/t/demo.sh);
# DEMO_DIR, where the temporary directory is made (default /tmp).

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
FLEETDIR="$TOP/regress/demo/fleet"
START=$(date +%s.%N)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# ---- output
if [ -t 1 ]; then
	B=$(printf '\033[1m') N=$(printf '\033[0m')
else
	B="" N=""
fi
section() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
say() { printf '%s\n' "$*"; }
die() {
	printf '\nmake demo failed: %s\n' "$*" >&2
	exit 1
}
elapsed() {
	awk -v s="$START" -v e="$(date +%s.%N)" \
	    'BEGIN { printf "%.1f", e - s }'
}
# indent: the output of a command, indented by two spaces
indent() { sed 's/^/  /'; }

# ---- root
if [ "$(id -u)" -ne 0 ]; then
	cat >&2 <<'EOF'
make demo needs root.  callhomed starts as root to put each of its
processes in its own sandbox (a chroot, empty network namespaces and an
unprivileged user), and its configuration and keys must be owned by root.
commsd likewise binds, chroots and drops to "nobody".  Run it as root on a
test machine or a container:  sudo make demo
EOF
	exit 1
fi
for tool in openssl signify-openbsd $PY awk; do
	command -v "$tool" >/dev/null 2>&1 || \
	    die "$tool is not installed (sh mk/deps.sh demo installs it)"
done

# ---- build
BUILT=""
if [ -z "${OBJ:-}" ]; then
	OBJ="$TOP/obj"
	printf 'building ... '
	if ! make -C "$TOP" --no-print-directory -j"$(nproc 2>/dev/null ||
	    echo 2)" build >"/tmp/callhome-demo-build.$$" 2>&1; then
		echo
		tail -n 30 "/tmp/callhome-demo-build.$$" >&2
		rm -f "/tmp/callhome-demo-build.$$"
		die "make build failed (the last lines are above)"
	fi
	rm -f "/tmp/callhome-demo-build.$$"
	BUILT=$(elapsed)
	echo "done ($BUILT s)"
fi
for p in callhomed callhomectl commsd regress/tools/snmpfleet; do
	[ -x "$OBJ/$p" ] || die "$OBJ/$p is not built"
done
CALLHOMED="$OBJ/callhomed" CTL="$OBJ/callhomectl" COMMSD="$OBJ/commsd"
FLEET="$OBJ/regress/tools/snmpfleet"

# ---- the temporary directory, and cleaning up whatever happens
D=$(mktemp -d "${DEMO_DIR:-/tmp}/callhome-demo.XXXXXX") ||
    die "cannot make a temporary directory"
# the gateway's children run as _callhome and callhomectl reads the
# database as that user: they must be able to reach their files
chmod 0755 "$D"
_dir=$(dirname "$D")
while [ "$_dir" != / ]; do
	case $(stat -L -c %A "$_dir") in
	d????????[xt]) ;;
	*)	rmdir "$D"
		die "$_dir is not searchable by others: the gateway's user" \
		    "could not reach its files (choose another DEMO_DIR)" ;;
	esac
	_dir=$(dirname "$_dir")
done
O="$D/output"	# what the commands printed
mkdir "$O"
PIDS=""		# "name:pid" of everything started, stopped in reverse

# stop NAME PID: SIGTERM, wait up to 10 s, then SIGKILL
stop() {
	kill -TERM "$2" 2>/dev/null || return 0
	_i=0
	while kill -0 "$2" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if kill -0 "$2" 2>/dev/null; then
		say "  $1 did not stop on SIGTERM: killed" >&2
		kill -KILL "$2" 2>/dev/null
	fi
	wait "$2" 2>/dev/null
	return 0
}
stop_all() {
	for _np in $PIDS; do
		stop "${_np%%:*}" "${_np#*:}"
	done
	PIDS=""
}
cleanup() {
	_rc=$?
	trap - EXIT INT TERM
	if [ -n "$PIDS" ]; then
		stop_all
	fi
	if [ $_rc -ne 0 ]; then
		say "logs and state are kept in $D" >&2
	fi
	exit $_rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
ALL=""		# the same, never emptied
started() { PIDS="$1:$2 $PIDS"; ALL="$ALL $1:$2"; }

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds
wait_for() {
	_n=$(( $1 * 10 ))
	shift
	while [ $_n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

# free_port: a TCP port nobody listens on now, on 127.0.0.1 and ::1
free_port() {
	$PY - <<'EOF'
import socket
for _ in range(50):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    try:
        t = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        t.bind(("::1", port))
        t.close()
    except OSError as e:
        if e.errno != 99:	# EADDRNOTAVAIL: no IPv6, fine
            s.close()
            continue
    print(port)
    break
EOF
}

# children_of PID: "name:pid" of the processes whose parent is PID
children_of() {
	for _s in /proc/[0-9]*/stat; do
		_p=${_s#/proc/}; _p=${_p%/stat}
		[ "$(awk '{ print $4 }' "$_s" 2>/dev/null)" = "$1" ] &&
		    echo "$(cat "/proc/$_p/comm" 2>/dev/null):$_p"
	done
	return 0
}

# mkconf FILE: stdin to FILE, as callhomed and commsd want it
mkconf() {
	cat >"$1" && chown root:root "$1" && chmod 0640 "$1"
}

# ---- the user the gateway's processes run as
if ! getent passwd _callhome >/dev/null 2>&1; then
	useradd --system --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin _callhome ||
	    die "cannot create the user _callhome"
	say "created the system user _callhome (the gateway's processes run as it)"
fi

# ---- keys
. "$TOP/regress/pki.sh"
printf 'making a throwaway PKI and signing keys ... '
P="$D/pki"
{ pki_ca "$P" ca "callhome demo CA" &&
    pki_server "$P" ca server localhost &&
    pki_client "$P" ca client demo-site; } >"$O/pki.log" 2>&1 ||
    die "openssl could not make the PKI (see $O/pki.log)"
K="$D/keys"
mkdir -m 0700 "$K"
for k in instructions packages; do
	signify-openbsd -G -n -c "callhome demo $k key" -p "$K/$k.pub" \
	    -s "$K/$k.sec" >"$O/signify.log" 2>&1 ||
	    die "signify-openbsd -G failed (see $O/signify.log)"
done
echo "done"

# ---- the fleet
FLEETPORT=$($PY -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
: >"$D/fleet.map"
n=0
for f in "$FLEETDIR"/*.snmprec; do
	n=$((n + 1))
	# ADDRESS SNMPREC (a third column would be the community)
	echo "127.1.1.$n $f" >>"$D/fleet.map"
done
NDEV=$n
[ "$NDEV" -gt 0 ] || die "no walks in $FLEETDIR"
"$FLEET" -p "$FLEETPORT" "$D/fleet.map" >"$O/snmpfleet.out" \
    2>"$D/snmpfleet.log" &
started snmpfleet $!
wait_for 10 grep -qx ready "$O/snmpfleet.out" ||
    die "snmpfleet did not start (see $D/snmpfleet.log)"

# ---- commsd
PORT=$(free_port)
[ -n "$PORT" ] || die "no free TCP port on loopback"
HAVE_V6=0
$PY -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' \
    2>/dev/null && HAVE_V6=1
{
	echo "listen on 127.0.0.1 port $PORT"
	[ $HAVE_V6 = 1 ] && echo "listen on ::1 port $PORT"
	cat <<EOF
certificate "$P/server.crt"
key "$P/server.key"
client ca "$P/ca.crt"
database "$D/commsd/commsd.db"
schema "$TOP/etc/callhome.xsd"
user "nobody"
EOF
} | mkconf "$D/commsd.conf"
"$COMMSD" -d -f "$D/commsd.conf" >"$D/commsd.log" 2>&1 &
started commsd $!
wait_for 10 grep -q "startup complete" "$D/commsd.log" ||
    die "commsd did not start (see $D/commsd.log)"

# ---- the gateway
{
	cat <<EOF
# callhome demo: $NDEV simulated printers, the server on loopback
gateway "demo-site"
site "callhome demo"
user "_callhome"
state "$D/state"
socket "$D/callhome.sock"
profiles "$TOP/etc/profiles"

server "localhost" port $PORT {
	ca "$P/ca.crt"
	certificate "$P/client.crt"
	key "$P/client.key"
}

authorize upload yes
send site-info yes
send pii no

snmp community "public"
snmp version 2c
snmp timeout 1s retries 1

trust instructions "$K/instructions.pub"
trust packages "$K/packages.pub"

EOF
	while read -r addr file; do
		echo "device $addr port $FLEETPORT	# $(basename "$file" .snmprec)"
	done <"$D/fleet.map"
} | mkconf "$D/callhome.conf"
"$CALLHOMED" -n -f "$D/callhome.conf" >"$O/callhomed-n.log" 2>&1 || {
	cat "$O/callhomed-n.log" >&2
	die "callhomed refused the configuration $D/callhome.conf"
}
"$CALLHOMED" -d -f "$D/callhome.conf" >"$D/callhomed.log" 2>&1 &
CALLHOMED_PID=$!
started callhomed $CALLHOMED_PID
wait_for 15 grep -q "startup complete" "$D/callhomed.log" || {
	tail -n 5 "$D/callhomed.log" >&2
	die "callhomed did not start (see $D/callhomed.log)"
}
wait_for 5 test -S "$D/callhome.sock" ||
    die "callhomed has no control socket $D/callhome.sock"
# its children, to check that they are gone at the end
KIDS=$(children_of "$CALLHOMED_PID")

ctl() { "$CTL" -f "$D/callhome.conf" "$@"; }

section "callhome demo: what runs where"
cat <<EOF
  printers      $NDEV, simulated by snmpfleet on 127.1.1.1-$NDEV port $FLEETPORT
                (UDP; the invented walks of regress/demo/fleet)
  server        commsd, the reference server, on localhost:$PORT
                (mutual TLS with a throwaway CA, schema-checked uploads)
  gateway       callhomed and its sandboxed children collectd, auditd,
                signerd, uplinkd; its configuration:
                $D/callhome.conf
  policy        uploading authorized; meters, supplies, alerts, identity
                and site info sent; PII (sysName, sysContact,
                sysLocation) and device addresses stay off
  signing keys  instructions.pub and packages.pub (signify) are
                trusted by the gateway; the secret keys stay with the
                operator (here: $K), commsd has none
EOF

section "callhomectl collect"
ctl collect >"$O/collect.txt" 2>&1
rc=$?
indent <"$O/collect.txt"
[ $rc -eq 0 ] || die "callhomectl collect failed"

# auditd logs the upload's result once the cycle is stored and the
# document sent; then status must show it delivered
uploaded() {
	grep -q '^auditd: outbox: upload of cycle' "$D/callhomed.log"
}
if ! wait_for 45 uploaded; then
	tail -n 10 "$D/callhomed.log" | indent >&2
	die "no upload within 45 s of the collection (see $D/callhomed.log)"
fi
line=$(grep '^auditd: outbox: upload of cycle' "$D/callhomed.log" | head -n 1)
case $line in
*": delivered, "*) ;;
*)	say "  $line" >&2
	die "the upload to commsd failed (see $D/callhomed.log, $D/commsd.log)" ;;
esac
ctl status >"$O/status.txt" 2>&1
grep -q '^outbox: 0 pending .*, [1-9][0-9]* delivered' "$O/status.txt" &&
    ! grep -q '^last success: never' "$O/status.txt" || {
	indent <"$O/status.txt" >&2
	die "callhomectl status does not show the document delivered"
}

section "callhomectl status"
ctl status | indent

section "callhomectl devices"
ctl devices >"$O/devices.txt" 2>&1
rc=$?
indent <"$O/devices.txt"
[ $rc -eq 0 ] || die "callhomectl devices failed"

section "what the printers reported (from callhomectl devices -j)"
if ctl devices -j >"$O/devices.json" 2>"$O/devices.err"; then
	$PY - "$O/devices.json" <<'EOF' | indent
import json, sys, textwrap
devs = json.load(open(sys.argv[1]))["devices"]

def name(d):
    v, m = d["vendor"] or "", d["model"] or d["address"]
    return m if m.lower().startswith(v.lower()) else "%s %s" % (v, m)

print("alerts (prtAlertTable) and errors (hrPrinterDetectedErrorState):")
for d in devs:
    for a in d["alerts"] or []:
        print("  %-28.28s  %-8s  %s: %s" % (name(d), a["severity"],
            a["code"], a["description"]))
    if not d["alerts"] and d["errors"]:
        print("  %-28.28s  %-8s  %s" % (name(d), d["device_status"],
            ", ".join(d["errors"])))
sup = [(d, s) for d in devs for s in d["supplies"] or []]
low = ["%s %d %% (%s)" % (s["description"], s["percent"], d["model"])
    for d, s in sup if s["percent"] is not None and s["percent"] <= 10 and
    s["class"] == "consumed"]
print("supplies at 10 % or less:")
for x in low:
    print("  " + x)
n2 = sum(1 for d, s in sup if s["level"] == -2)
n3 = sum(1 for d, s in sup if s["level"] == -3)
nr = sum(1 for d, s in sup if s["class"] == "receptacle")
print("%d supplies, %d of them waste receptacles;" % (len(sup), nr))
print("  %d levels unknown (-2), %d \"some remaining\" (-3): kept as such" %
    (n2, n3))
vm = [d for d in devs if any(m["source"].startswith("1.3.6.1.4.1.")
    for m in d["meters"] or [])]
print("vendor billing meters (etc/profiles) on %d of %d printers, e.g." %
    (len(vm), len(devs)))
vm.sort(key=lambda d: not any(m["name"].startswith("x-")
    for m in d["meters"]))
if vm:
    d = vm[0]
    print(textwrap.fill(", ".join("%s %d" % (m["name"], m["value"])
        for m in d["meters"]), 76, initial_indent="  %s: " % name(d),
        subsequent_indent="    ", break_on_hyphens=False))
EOF
else
	indent <"$O/devices.err"
fi

section "callhomectl log (the transaction log)"
if ctl log >"$O/log.txt" 2>"$O/log.err"; then
	indent <"$O/log.txt"
elif command -v sqlite3 >/dev/null 2>&1; then
	say "  (this callhomectl has no \"log\" command: the txlog table)"
	sqlite3 -readonly -separator '  ' "$D/state/callhome.db" \
	    "SELECT seq, datetime(time, 'unixepoch', 'localtime'), kind,
	    summary FROM txlog ORDER BY seq" 2>&1 | indent
else
	indent <"$O/log.err"
fi

section "callhomectl verify"
ctl verify >"$O/verify.txt" 2>&1
rc=$?
indent <"$O/verify.txt"
[ $rc -eq 0 ] || die "callhomectl verify failed"

section "what commsd received"
"$COMMSD" -f "$D/commsd.conf" -q documents 2>&1 | indent
NDOCS=$("$COMMSD" -f "$D/commsd.conf" -q documents -j 2>/dev/null |
    $PY -c 'import json, sys; print(len(json.load(sys.stdin)))' \
    2>/dev/null)
say "  commsd stored ${NDOCS:-?} document(s); the latest one's first devices:"
"$COMMSD" -f "$D/commsd.conf" -q devices 2>&1 | head -n 6 | indent

section "the HTML report"
if ctl report html -o "$D/report.html" >"$O/report.err" 2>&1 &&
    [ -s "$D/report.html" ]; then
	say "  $D/report.html"
else
	say "  (this callhomectl cannot write an HTML report yet:"
	say "   $(head -n 1 "$O/report.err"))"
fi

section "a signed instruction"
# as an operator signs one: the text, signed with the instruction key,
# left where commsd serves it to the gateway whose certificate says
# demo-site (commsd.8)
mkdir -p "$D/commsd/instructions/demo-site"
cat >"$D/bundle.txt" <<EOF
callhome-instructions 1
gateway demo-site
sequence 1
issued $(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ)
expires $(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
collect now
EOF
signify-openbsd -S -e -s "$K/instructions.sec" -m "$D/bundle.txt" \
    -x "$D/commsd/instructions/demo-site/0001.sig" >"$O/sign.log" 2>&1 ||
    die "signify-openbsd -S failed (see $O/sign.log)"
say "  signify-openbsd -S -e -s instructions.sec -m bundle.txt -x 0001.sig:"
indent <"$D/bundle.txt"
ctl checkin 2>&1 | indent
instructed() {
	grep -q '^callhomed: cycle 2 (instruction)' "$D/callhomed.log"
}
wait_for 30 instructed ||
    die "the signed instruction was not carried out (see $D/callhomed.log)"
# from the check-in asked for to the cycle it brought
awk '/^callhomed: check-in \(manual\)/ { on = 1 }
    on && /^(callhomed: check-in|signerd: bundle|callhomed: bundle|auditd: (checkin|instruction)|callhomed: cycle 2)/ { print }
    on && /^callhomed: cycle 2/ { exit }' "$D/callhomed.log" | indent

section "stopping"
stop_all
left=""
for np in $ALL $KIDS; do
	# gone, or the number was taken by another program since
	[ "$(cat "/proc/${np#*:}/comm" 2>/dev/null)" = "${np%%:*}" ] &&
	    left="$left $np"
done
[ -z "$left" ] || die "still running:$left"
say "  callhomed, commsd and snmpfleet stopped; nothing left running"

# the captures that stayed empty say nothing
find "$O" -type f -empty -delete 2>/dev/null

# the build's share, when there was something to build
case $BUILT in
""|0.*)	section "done in $(elapsed) s" ;;
*)	section "done in $(elapsed) s, $BUILT s of it building" ;;
esac
cat <<EOF
  Everything is kept in $D:
    callhome.conf, commsd.conf   the configurations
    state/          the gateway's database: readings, outbox, the log
    commsd/         the server's database
    *.log           what each daemon said; output/ what the commands printed
  Look again, e.g. the exact bytes that were sent:
    $CTL -f $D/callhome.conf show cycle:1
  Remove it:   rm -rf $D
EOF
exit 0
