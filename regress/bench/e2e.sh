#!/bin/sh
# End-to-end benchmark (make bench): N printers served by snmpfleet are
# collected, stored, cut into parts, uploaded over mutual TLS to commsd on
# loopback and receipted, in one "callhomed -1" run, for each N given.
# The SNMP rate and window are set so high that polling is not the limit.
# Reported per run:
#
#   wall        the -1 run, from "collection started" to the last receipt
#               (callhomed's log), and the whole run (start-up included)
#   cpu/dev     user+system CPU of each process of the gateway, whole run,
#               divided by the number of devices (the children's from
#               callhomed's log at exit, the parent's the rest of the
#               run's total), and of the gateway together
#   rss         the peak resident set (VmHWM) of each process, sampled
#               from /proc every 20 ms, and the largest of commsd's
#   wire/dev    the HTTP bytes uplinkd sent for the cycle's uploads (the
#               gzip'd parts and their headers; TLS adds its records),
#               and SNMP bytes both ways, divided by devices
#   parts       how many documents the cycle became, all receipted
#
# Targets (issue 12): 50,000 printers end to end in < 20 s wall, <= 0.15
# ms CPU per device for the gateway's processes together, no process above
# 128 MiB.  The figures are reported, never asserted.
#
#   sh regress/bench/e2e.sh [devices...]	default: 1000 10000 50000

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
OBJ=${OBJ:-$TOP/obj}
WALKS=${WALKS:-$(cd "$TOP/../shared/walks" && pwd)}
PY=/usr/bin/python3
B=$(mktemp -d /tmp/callhome-e2e.XXXXXX)
chmod 0755 "$B"
FLEET_PID="" CD_PID=""
cleanup() {
	[ -n "$FLEET_PID" ] && kill "$FLEET_PID" 2>/dev/null
	[ -n "$CD_PID" ] && kill "$CD_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$B"
}
trap cleanup EXIT
trap 'cleanup; exit 1' INT TERM

[ "$(id -u)" -eq 0 ] || { echo "e2e: run as root" >&2; exit 1; }
getent passwd _callhome >/dev/null || useradd --system --no-create-home \
    --home-dir /nonexistent --shell /usr/sbin/nologin _callhome
. "$TOP/regress/pki.sh"
pki_all "$B/pki" localhost gw1 || { echo "e2e: no PKI" >&2; exit 1; }

freeport() {
	$PY -c 'import socket,sys; s=socket.socket(socket.AF_INET, getattr(socket, sys.argv[1])); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' "$1"
}

# run N: one measured cycle
run() {
	n=$1
	rm -rf "$B/state" "$B/srv" "$B/stats"
	mkdir -p "$B/srv"
	chown nobody "$B/srv" 2>/dev/null
	uport=$(freeport SOCK_DGRAM)
	tport=$(freeport SOCK_STREAM)
	"$OBJ/regress/tools/snmpfleet" -p "$uport" -S "$B/stats" \
	    -r 127.3.0.1 "$n" "$WALKS" >"$B/fleet.out" 2>"$B/fleet.err" &
	FLEET_PID=$!
	cat >"$B/srv.conf" <<EOF
listen on 127.0.0.1 port $tport
certificate "$B/pki/server.crt"
key "$B/pki/server.key"
client ca "$B/pki/ca.crt"
database "$B/srv/commsd.db"
schema "$TOP/etc/callhome.xsd"
user "nobody"
EOF
	chmod 0640 "$B/srv.conf"
	"$OBJ/commsd" -d -f "$B/srv.conf" >"$B/srv.log" 2>&1 &
	CD_PID=$!
	i=0
	while { ! grep -q ready "$B/fleet.out" 2>/dev/null ||
	    ! grep -q 'startup complete' "$B/srv.log" 2>/dev/null; } &&
	    [ $i -lt 400 ]; do
		sleep 0.05; i=$((i + 1))
	done
	{
		echo 'gateway "gw1"'
		echo 'user "_callhome"'
		echo "state \"$B/state\""
		echo "socket \"$B/gw.sock\""
		echo "profiles \"$TOP/etc/profiles\""
		echo 'authorize upload yes'
		echo 'checkin never'
		echo 'snmp timeout 2s retries 2 window 4096 rate 100000'
		echo "server \"localhost\" port $tport {"
		echo "	ca \"$B/pki/ca.crt\""
		echo "	certificate \"$B/pki/client.crt\""
		echo "	key \"$B/pki/client.key\""
		echo "}"
		$PY - "$n" "$uport" <<'EOF'
import sys
n, port = int(sys.argv[1]), sys.argv[2]
a, made = 0x7f030001, 0
while made < n:
    if (a & 0xff) not in (0, 255):
        print("device %d.%d.%d.%d port %s" % (a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255, port))
        made += 1
    a += 1
EOF
	} >"$B/gw.conf"
	chmod 0640 "$B/gw.conf"
	# the run, with /proc sampled for the peak resident sets
	$PY - "$OBJ/callhomed" "$B/gw.conf" "$B/run.log" "$CD_PID" \
	    <<'EOF' >"$B/measure"
import os, resource, subprocess, sys, time
def kids(pid):
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                st = open("/proc/%s/stat" % p).read()
                if int(st.rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(p))
            except (OSError, ValueError, IndexError):
                pass
    return out
def hwm(pid):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
def comm(pid):
    try:
        return open("/proc/%d/comm" % pid).read().strip()
    except OSError:
        return "?"
peak = {}
def sample(pid, name=None):
    k = name or comm(pid)
    peak[k] = max(peak.get(k, 0), hwm(pid))
cd = int(sys.argv[4])
t0 = time.monotonic()
with open(sys.argv[3], "w") as log:
    p = subprocess.Popen([sys.argv[1], "-1", "-f", sys.argv[2]],
        stdout=log, stderr=log)
    while p.poll() is None:
        sample(p.pid, "callhomed")
        for k in kids(p.pid):
            sample(k)
        sample(cd, "commsd")
        for k in kids(cd):
            sample(k, "commsd-" + comm(k))
            for g in kids(k):
                sample(g, "commsd-" + comm(g))
        time.sleep(0.02)
t1 = time.monotonic()
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("rc %d" % p.returncode)
print("total_wall %.3f" % (t1 - t0))
print("cpu %.6f" % (ru.ru_utime + ru.ru_stime))
for k, v in sorted(peak.items()):
    print("rss %s %d" % (k, v))
EOF
	kill -USR1 "$FLEET_PID" 2>/dev/null
	sleep 0.2
	kill "$FLEET_PID" "$CD_PID" 2>/dev/null
	wait "$FLEET_PID" "$CD_PID" 2>/dev/null
	FLEET_PID="" CD_PID=""
	$PY - "$n" "$B/measure" "$B/run.log" "$B/stats" "$B/state/callhome.db" \
	    <<'EOF'
import re, sqlite3, sys
n = int(sys.argv[1])
m = {}
rss = {}
for line in open(sys.argv[2]):
    k, v = line.split(None, 1)
    if k == "rss":
        name, kb = v.split()
        rss[name] = int(kb)
    else:
        m[k] = v.strip()
log = open(sys.argv[3]).read()
cpu = {}
for p, u, s in re.findall(r"callhomed: (\w+) used ([\d.]+) s user, "
        r"([\d.]+) s system CPU", log):
    cpu[p] = float(u) + float(s)
total = float(m["cpu"])
cpu["callhomed"] = max(total - sum(cpu.values()), 0.0)
stats = dict(l.split() for l in open(sys.argv[4]) if l.strip())
snmp = int(stats.get("bytes_in", 0)) + int(stats.get("bytes_out", 0))
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[5], uri=True)
parts, delivered = db.execute("SELECT count(*), coalesce(sum(state = "
    "'delivered'), 0) FROM outbox").fetchone()
sent = db.execute("SELECT coalesce(sum(json_extract(detail, "
    "'$.bytes_sent')), 0) FROM txlog WHERE kind = 'upload'").fetchone()[0]
ok = db.execute("SELECT n_ok FROM cycles ORDER BY id DESC "
    "LIMIT 1").fetchone()
t0 = re.search(r"^callhomed: collection started", log, re.M)
stored = re.search(r"collected and stored in (\d+) ms", log)
# the wall from "collection started" to the end: the -1 run less start-up
start = re.search(r"startup complete", log)
wall_run = float(m["total_wall"])
print("%6d devices: %s ok, %d parts (%d delivered), exit %s" % (n,
    ok[0] if ok else "?", parts, delivered, m["rc"]))
print("        wall %.2f s whole run; collected and stored in %.2f s" % (
    wall_run, int(stored.group(1)) / 1000 if stored else -1))
gw = ["callhomed", "collectd", "auditd", "signerd", "uplinkd"]
print("        CPU/device: %s; gateway %.3f ms" % (", ".join(
    "%s %.4f ms" % (p, cpu.get(p, 0) * 1000 / n) for p in gw),
    sum(cpu.get(p, 0) for p in gw) * 1000 / n))
print("        peak RSS: %s" % ", ".join("%s %.1f MiB" % (k, v / 1024)
    for k, v in sorted(rss.items())))
print("        wire/device: upload %.0f bytes (HTTP), SNMP %.0f bytes" % (
    sent / n, snmp / n))
EOF
	if [ "$(sed -n 's/^rc //p' "$B/measure")" != 0 ]; then
		tail -n 8 "$B/run.log"
	fi
}

if [ "${BENCH_NOBUILD:-0}" != 1 ]; then
	make -C "$TOP" --no-print-directory BUILD="$(basename "$OBJ")" build \
	    >/dev/null || exit 1
fi
[ $# -eq 0 ] && set -- 1000 10000 50000
echo "callhome end-to-end benchmark ($(nproc) CPUs, $(uname -r), part" \
    "limit default)"
for n in "$@"; do
	run "$n"
done
