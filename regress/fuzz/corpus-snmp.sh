#!/bin/sh
# Capture real SNMP v1/v2c responses as seeds for fuzz_snmp.
#
#	corpus-snmp.sh OUTDIR
#
# Serves the printer walks of ../shared/walks with snmpsimd on a free UDP
# port of 127.0.0.1 (community = walk file name without .snmprec), asks it
# with $OBJ/regress/tools/snmpraw (Get, GetNext, GetBulk, v1 and v2c, and
# requests that end in errors or exceptions) and writes each raw response
# datagram to OUTDIR.  snmpraw has decoded every file it wrote.
#
# Every wait is bounded; snmpsimd and the scratch directory are removed on
# exit.  Exits 0 when at least one response was captured.
# Environment: OBJ (build directory, default TOP/obj), WALKS.

set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
OBJ=${OBJ:-$TOP/obj}
WALKS=${WALKS:-$TOP/../shared/walks}
SNMPRAW=$OBJ/regress/tools/snmpraw

SIMPID=
SCRATCH=

die() {
	echo "corpus-snmp: $*" >&2
	exit 1
}

stop_sim() {
	if [ -n "$SIMPID" ] && kill -0 "$SIMPID" 2>/dev/null; then
		kill "$SIMPID" 2>/dev/null
		i=0
		while kill -0 "$SIMPID" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$SIMPID" 2>/dev/null
		wait "$SIMPID" 2>/dev/null
	fi
	SIMPID=
}

cleanup() {
	stop_sim
	[ -n "$SCRATCH" ] && rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

[ $# -eq 1 ] || die "usage: corpus-snmp.sh OUTDIR"
OUT=$1
mkdir -p "$OUT" || die "cannot create $OUT"
command -v snmpsimd >/dev/null 2>&1 || die "snmpsimd not installed"
command -v python3 >/dev/null 2>&1 || die "python3 not installed"
[ -x "$SNMPRAW" ] || die "$SNMPRAW not built"
[ -d "$WALKS" ] || die "no walks in $WALKS"

SCRATCH=$(mktemp -d /tmp/corpus-snmp.XXXXXX) || die "mktemp failed"
chmod 755 "$SCRATCH"
mkdir -p "$SCRATCH/data" "$SCRATCH/cache" "$SCRATCH/run"
cp "$WALKS"/*.snmprec "$SCRATCH/data/" || die "cannot copy the walks"
chmod 644 "$SCRATCH"/data/*.snmprec
PRIV=
if [ "$(id -u)" -eq 0 ]; then
	chown nobody:nogroup "$SCRATCH/cache" "$SCRATCH/run"
	PRIV="--process-user=nobody --process-group=nogroup"
fi

free_port() {
	python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# a walk that every start-up check can use
PROBE=sharp
if [ ! -f "$SCRATCH/data/$PROBE.snmprec" ]; then
	for f in "$SCRATCH"/data/*.snmprec; do
		PROBE=$(basename "$f" .snmprec)
		break
	done
fi

# start snmpsimd; the port may be taken between choosing and binding,
# so try a few
start_sim() {
	PORT=$(free_port) || return 1
	# shellcheck disable=SC2086
	snmpsimd --data-dir="$SCRATCH/data" --cache-dir="$SCRATCH/cache" \
	    --agent-udpv4-endpoint=127.0.0.1:"$PORT" $PRIV \
	    --logging-method=file:"$SCRATCH/run/snmpsimd.log" \
	    >"$SCRATCH/run/stdout" 2>&1 &
	SIMPID=$!
	# indexing the walks takes a few seconds; a closed port fails fast
	deadline=$(($(date +%s) + 25))
	while [ "$(date +%s)" -lt $deadline ]; do
		kill -0 "$SIMPID" 2>/dev/null || break
		if timeout 10 "$SNMPRAW" -c "$PROBE" 127.0.0.1:"$PORT" \
		    1.3.6.1.2.1.1.1.0 >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.2
	done
	tail -n 5 "$SCRATCH/run/snmpsimd.log" "$SCRATCH/run/stdout" >&2 \
	    2>/dev/null
	stop_sim
	return 1
}

started=
for attempt in 1 2; do
	if start_sim; then
		started=1
		break
	fi
	echo "corpus-snmp: snmpsimd start $attempt failed" >&2
done
[ -n "$started" ] || die "snmpsimd did not answer"
echo "corpus-snmp: snmpsimd (pid $SIMPID) on 127.0.0.1:$PORT"

n=0
failed=0
# capture NAME [snmpraw options] OID...: a response that decodes,
# with or without an error-status, is kept
capture() {
	name=$1
	shift
	[ $failed -lt 3 ] || return 0	# the agent is gone: do not wait more
	timeout 10 "$SNMPRAW" -o "$OUT/$name" "$@" >/dev/null 2>&1
	rc=$?
	if [ $rc -eq 0 ] || [ $rc -eq 2 ]; then
		n=$((n + 1))
		failed=0
	else
		echo "corpus-snmp: $name: snmpraw status $rc" >&2
		rm -f "$OUT/$name"
		failed=$((failed + 1))
	fi
}

A=127.0.0.1:$PORT
SYS="1.3.6.1.2.1.1.1.0 1.3.6.1.2.1.1.2.0 1.3.6.1.2.1.1.3.0 1.3.6.1.2.1.1.4.0
1.3.6.1.2.1.1.5.0 1.3.6.1.2.1.1.6.0"
SUPPLIES=1.3.6.1.2.1.43.11
MARKERS=1.3.6.1.2.1.43.10

for w in sharp ricoh_mpc3002 konica_c250i jetdirect_m880 xerox; do
	[ -f "$SCRATCH/data/$w.snmprec" ] || continue
	# shellcheck disable=SC2086
	capture "$w-v2c-get-sys" -c "$w" "$A" $SYS
	# shellcheck disable=SC2086
	capture "$w-v1-get-sys" -1 -c "$w" "$A" $SYS
	capture "$w-v2c-getnext-supplies" -c "$w" -t getnext "$A" \
	    "$SUPPLIES" "$MARKERS"
	capture "$w-v1-getnext-markers" -1 -c "$w" -t getnext "$A" \
	    "$MARKERS.2.1.4" "$SUPPLIES.1.1.9"
	capture "$w-v2c-bulk-supplies" -c "$w" -t bulk -r 30 "$A" "$SUPPLIES"
	capture "$w-v2c-bulk-markers" -c "$w" -t bulk -r 20 -n 1 "$A" \
	    1.3.6.1.2.1.1.3 "$MARKERS"
done

# errors and exceptions
capture sharp-v1-get-nosuchname -1 -c sharp "$A" 1.3.6.1.2.1.1.1.0 \
    1.3.6.1.2.1.1.99.0
capture sharp-v2c-get-nosuch -c sharp "$A" 1.3.6.1.2.1.1.1.0 \
    1.3.6.1.2.1.1.99.0 1.3.6.1.2.1.43.11.1.1.9.1.99
capture sharp-v2c-getnext-endofmibview -c sharp -t getnext "$A" \
    1.3.6.1.6.3.10.2.1.3.0
capture sharp-v2c-bulk-endofmibview -c sharp -t bulk -r 5 "$A" \
    1.3.6.1.4.1.2385.2.1.3
capture sharp-v1-getnext-end-nosuchname -1 -c sharp -t getnext "$A" \
    1.3.6.1.6.3.10.2.1.3.0
# v1 Get of a Counter64: snmpsim answers noSuchName
capture sharp-v1-get-counter64 -1 -c sharp "$A" 1.3.6.1.2.1.4.31.1.1.6.1
capture sharp-v2c-get-counter64 -c sharp "$A" 1.3.6.1.2.1.4.31.1.1.6.1 \
    1.3.6.1.2.1.2.2.1.6.1 1.3.6.1.2.1.4.20.1.3.127.0.0.1
# snmpsim sends at most 64 bindings: a big GetBulk
capture jetdirect_m880-v2c-bulk-big -c jetdirect_m880 -t bulk -r 200 "$A" \
    1.3.6.1.2.1

echo "corpus-snmp: captured $n responses into $OUT"
[ $n -gt 0 ]
