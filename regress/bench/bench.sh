#!/bin/sh
# Collector benchmark (make bench): callhome collects a simulated fleet
# served by regress/tools/snmpfleet (so the collector, not the simulator,
# is measured) and stores it.  Reported per run:
#   wall       collection start to the cycle stored by auditd (callhomed log)
#   cpu/dev    user+system CPU of callhomed and all its children, whole
#              run (start-up included), divided by the number of devices
#   req/dev    requests the simulator received, divided by devices
#   rss        collectd's peak resident set (its own getrusage)
# Targets (issue "collection"): 10,000 devices in <= 2 s at <= 0.10 ms CPU
# per device, <= 4 requests per device, collectd <= 64 MiB; 1,000 devices
# with 1 ms latency in <= 0.5 s.  SNMPv3 (issue 10): authPriv with
# SHA-256 and AES-128 at no more than twice the CPU per device of v2c at
# 10,000 devices (snmpfleet -u: every device an engine of its own).
#
#   sh regress/bench/bench.sh [spec...]
#	N	N devices over SNMPv2c
#	N@L	the same with L ms of latency
#	N:v3	N devices over SNMPv3 authPriv, SHA-256 and AES-128
#   default: 1000 10000 1000@1 10000:v3
# One of the walks (samsungprinter_clx) is no printer as the identity
# rules have it (regress/identity/expected.tsv): its devices are
# not-a-printer, so "ok" is below the number of devices and callhomed -1
# exits 1 (it does when a device is not collected completely).

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
OBJ=${OBJ:-$TOP/obj}
WALKS=${WALKS:-$(cd "$TOP/../shared/walks" && pwd)}
B=$(mktemp -d /tmp/callhome-bench.XXXXXX)
PY=/usr/bin/python3
trap 'kill $(cat "$B"/fleet.pid 2>/dev/null) 2>/dev/null; rm -rf "$B"' EXIT

[ "$(id -u)" -eq 0 ] || { echo "bench: run as root" >&2; exit 1; }
getent passwd _callhome >/dev/null || useradd --system --no-create-home \
    --home-dir /nonexistent --shell /usr/sbin/nologin _callhome

port=$($PY -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# run N LATENCY VERSION: one measured cycle (VERSION 2c or 3)
run() {
	n=$1 lat=$2 ver=$3
	rm -rf "$B/state" "$B/stats"
	lopt=""
	[ "$lat" -gt 0 ] && lopt="-L $lat"
	uopt=""
	[ "$ver" = 3 ] && uopt="-u bench:SHA-256:bench-auth-pass:AES:bench-priv-pass"
	"$OBJ/regress/tools/snmpfleet" -p "$port" -S "$B/stats" \
	    -P "$B/fleet.pid" $lopt $uopt -r 127.2.0.1 "$n" "$WALKS" \
	    >"$B/fleet.out" 2>"$B/fleet.err" &
	i=0
	while ! grep -q ready "$B/fleet.out" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05; i=$((i + 1))
	done
	{
		echo 'user "_callhome"'
		echo "state \"$B/state\""
		echo "profiles \"$TOP/etc/profiles\""
		echo 'snmp timeout 2s retries 2 window 4096 rate 100000'
		[ "$ver" = 3 ] && echo 'snmpv3 user "bench" auth sha256 "bench-auth-pass" priv aes "bench-priv-pass"'
		$PY - "$n" "$port" "$ver" <<'EOF'
import sys
n, port, ver = int(sys.argv[1]), sys.argv[2], sys.argv[3]
opt = ' user "bench"' if ver == "3" else ""
a, made = 0x7f020001, 0
while made < n:
    if (a & 0xff) not in (0, 255):
        print("device %d.%d.%d.%d port %s%s" % (a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255, port, opt))
        made += 1
    a += 1
EOF
	} >"$B/bench.conf"
	chmod 0640 "$B/bench.conf"
	$PY - "$OBJ/callhomed" "$B/bench.conf" "$B/run.log" <<'EOF' >"$B/cpu"
import resource, subprocess, sys
with open(sys.argv[3], "w") as log:
    rc = subprocess.call([sys.argv[1], "-1", "-f", sys.argv[2]], stdout=log, stderr=log)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%d %.6f" % (rc, ru.ru_utime + ru.ru_stime))
EOF
	kill -USR1 "$(cat "$B/fleet.pid")"
	sleep 0.2
	kill "$(cat "$B/fleet.pid")"
	wait 2>/dev/null
	rc=$(cut -d' ' -f1 "$B/cpu")
	cpu=$(cut -d' ' -f2 "$B/cpu")
	wall=$(sed -n 's/.*collected and stored in \([0-9]*\) ms.*/\1/p' "$B/run.log")
	reqs=$(sed -n 's/^requests //p' "$B/stats")
	rss=$(sed -n 's/.*cycle done:.*max rss \([0-9]*\) KiB.*/\1/p' "$B/run.log")
	ok=$(sed -n 's/^cycle [0-9]* (once): \([0-9]*\) devices: \([0-9]*\) ok.*/\2/p' "$B/run.log")
	$PY - "$n" "$lat" "$rc" "$cpu" "${wall:-0}" "${reqs:-0}" "${rss:-0}" "${ok:-0}" "$ver" <<'EOF'
import sys
n, lat, rc, cpu, wall, reqs, rss, ok, ver = sys.argv[1:]
n = int(n)
what = "v3 authPriv SHA-256/AES-128" if ver == "3" else "v2c"
print("%6d devices %s latency, %s: %5d ms wall, %.3f ms CPU/device, %.2f requests/device, collectd max RSS %.1f MiB, %s ok, exit %s" % (
    n, ("%sms" % lat).rjust(4), what, int(wall), float(cpu) * 1000 / n, int(reqs) / n, int(rss) / 1024, ok, rc))
EOF
	# a cycle that ended (not-a-printer devices make the exit 1) says
	# enough; one that did not, its log's end
	[ "$rc" -eq 0 ] || [ -n "$wall" ] || tail -n 5 "$B/run.log"
	sed -n 's/^callhomed: \([a-z]*\) used \(.*\) CPU$/        \1: \2/p' "$B/run.log"
}

# build into the directory measured (BENCH_NOBUILD=1: use it as it is)
if [ "${BENCH_NOBUILD:-0}" != 1 ]; then
	make -C "$TOP" --no-print-directory BUILD="$(basename "$OBJ")" build \
	    >/dev/null || exit 1
fi
if [ $# -eq 0 ]; then
	set -- 1000 10000 1000@1 10000:v3
fi
echo "callhome collector benchmark ($(nproc) CPUs, $(uname -r))"
for spec in "$@"; do
	case $spec in
	*:v3)	run "${spec%:v3}" 0 3 ;;
	*@*)	run "${spec%@*}" "${spec#*@}" 2c ;;
	*)	run "$spec" 0 2c ;;
	esac
done
