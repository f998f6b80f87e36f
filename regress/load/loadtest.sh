#!/bin/sh
# The load test (make loadtest; not part of make regress): commsd nodes
# against loadgen's N simulated gateways, on this machine, loopback only.
#
#   sh regress/load/loadtest.sh [scenario...]
#
# Scenarios (all by default, in this order):
#
#   steady-ka     N gateways check in every M seconds, each uploads its
#                 daily document once within the run; keep-alive: a
#                 visit's requests on one connection
#   steady-full   the same, a connection (a full TLS handshake) for each
#                 request
#   rate-ka       the most check-ins one node serves: every gateway
#                 checks in every R seconds, keep-alive
#   rate-full     the same, a full handshake for each
#   rate-kept     the same, keep-alive, 10 check-ins in a row on each
#                 connection (LOAD_K): a node's check-ins when the
#                 handshake is paid once for several exchanges
#   storm         all N gateways check in within 60 s, after an outage;
#                 a 503 is honoured (Retry-After, and up to a tenth more);
#                 until every one is served, 5 minutes at most
#   kill9         two nodes on one PostgreSQL database; one killed with -9
#                 in the middle; the other carries on: nothing lost (every
#                 upload receipted), nothing stored twice.  It needs
#                 LOAD_DATABASE="postgresql://..." (commsd's "database"),
#                 and is skipped, saying so, without it: one SQLite file
#                 is one node.
#   pg-restart    one node on PostgreSQL, restarted (pg_ctl restart) in
#                 the middle: the node's keeper starts a new server,
#                 uploads refused 503 meanwhile are sent again after
#                 their Retry-After and receipted: nothing lost, nothing
#                 stored twice.  It needs LOAD_DATABASE=pg (a cluster of
#                 the test's own, regress/pg.sh, which it can restart).
#
# LOAD_DATABASE=pg: every scenario on PostgreSQL, a cluster made for the
# run (regress/pg.sh: initdb in /tmp, a Unix socket), a new database for
# each scenario; or LOAD_DATABASE=postgresql://... (one database for all).
#
# Environment: LOAD_N (10000), LOAD_M check-in interval in seconds (600),
# LOAD_D seconds per scenario (60), LOAD_R (10), LOAD_K (10), LOAD_J connections at
# once (64), LOAD_DATABASE, LOAD_SMOKE=1 (20 gateways, a few seconds: the
# regression suite's run, regress/t/loadgen.sh).
#
# Made once and kept in obj/loadtest/: the test CA (openssl, regress/
# pki.sh), one client certificate per gateway (loadgen, libcrypto), and
# the documents, built by a real gateway (callhomed -1 with snmpfleet):
# one of 20 printers, and one of 150 cut into parts of 64K.  Figures go
# to stdout and obj/loadtest/report-SCENARIO.txt.

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
OBJ=${OBJ:-$TOP/obj}
WALKS=${WALKS:-$(cd "$TOP/../shared/walks" 2>/dev/null && pwd)}
T=${T:-$(mktemp -d /tmp/callhome-load.XXXXXX)}
RESULTS=${RESULTS:-$T/results}
export TOP OBJ WALKS T RESULTS
. "$TOP/regress/lib.sh"
. "$TOP/regress/upload-lib.sh"

LG="$OBJ/regress/load/loadgen"
C="$OBJ/loadtest"
N=${LOAD_N:-10000}
M=${LOAD_M:-600}
D=${LOAD_D:-60}
R=${LOAD_R:-10}
J=${LOAD_J:-64}
DB=${LOAD_DATABASE:-}
if [ "${LOAD_SMOKE:-0}" = 1 ]; then
	N=20 M=2 D=4 R=1 J=8
fi
SCEN=${*:-steady-ka steady-full rate-ka rate-full rate-kept storm kill9 pg-restart}
K=${LOAD_K:-10}

[ -x "$LG" ] || { echo "loadtest: $LG not built (make)"; exit 1; }
up_setup || exit 0
mkdir -p "$C"
# the test CA and the server's certificate, made once
if [ ! -f "$C/pki/ca.key" ]; then
	rm -rf "$C/pki"
	cp -R "$P" "$C/pki"
fi
P="$C/pki"
GW_CA="$P/ca.crt" GW_CERT="$P/client.crt" GW_KEY="$P/client.key"
CD_CERT="$P/server.crt" CD_KEY="$P/server.key" CD_CLIENT_CA="$P/ca.crt"
export GW_CA GW_CERT GW_KEY

# the documents, built once by a real gateway
fixture() {
	_name=$1 _ndev=$2 _limit=$3
	[ -s "$C/$_name.1.xml" ] && return 0
	up_bigfleet "$_ndev" || return 1
	_fp=$(free_port tcp)
	cd_conf fix "$_fp" </dev/null
	cd_start fix || return 1
	GW_BIG=1 GW_TOP="part limit $_limit" gw_conf fixgw "$_fp" </dev/null
	gw_once fixgw once
	cd_stop
	for _id in $(gw_sql fixgw "SELECT id FROM outbox ORDER BY id"); do
		gw_sql fixgw "SELECT writefile('$C/$_name.$_id.xml', document)
		    FROM outbox WHERE id = $_id" >/dev/null
	done
	rm -rf "$W/fixgw" "$W/fix"
	[ -s "$C/$_name.1.xml" ]
}
fixture doc20 20 4M || { echo "loadtest: no 20-printer document"; exit 1; }
fixture doc150 150 64K || { echo "loadtest: no document in parts"; exit 1; }
PARTS=""
for f in "$C"/doc150.*.xml; do PARTS="$PARTS -g $f"; done

# node NAME PORT [statements]: a commsd node for the load
node() {
	{
		cat <<EOF
max connections 1000
max connections per gateway 4
max handshakes 1000
max handshakes per address 1000
handshake timeout 10s
workers 2
EOF
		if [ -n "$DB" ]; then
			# PostgreSQL: each node a state directory of its own
			mkdir -p "$W/$1.state"
			chown nobody "$W/$1.state"
			echo "database \"$DB\""
			echo "state directory \"$W/$1.state\""
		fi
		cat
	} >"$W/$1.extra"
	cd_conf "$1" "$2" <"$W/$1.extra"
	if [ -n "$DB" ]; then
		# the database of the configuration is the given one
		grep -v "^database \"$W/" "$W/$1.conf" >"$W/$1.conf.new"
		mkconf "$W/$1.conf" <"$W/$1.conf.new"
	fi
	cd_start "$1"
}

machine() {
	echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' \
	    /proc/cpuinfo | head -n 1), $(awk '/MemTotal/{print $2 " kB"}' \
	    /proc/meminfo), $(uname -sr)"
}

# the process that serves: on PostgreSQL commsd is a keeper, and its
# server its child (lib.sh); loadgen's figures are the server's
server_of() {
	_so=$(commsd_server "$1")
	echo "${_so:-$1}"
}

# run NAME NODE-PIDS PORTS LOADGEN-ARGS...
run() {
	_n=$1 _pids=$2 _ports=$3
	shift 3
	echo "==> $_n: loadgen $*"
	"$LG" -c "$P" -C "$C/certs" -p "$_ports" -P "$_pids" -j "$J" \
	    -x "$W/$_n.done" "$@" >"$C/report-$_n.txt" 2>"$W/$_n.err"
	_rc=$?
	{ machine; cat "$C/report-$_n.txt"; } | tee "$C/report-$_n.txt.new"
	mv "$C/report-$_n.txt.new" "$C/report-$_n.txt"
	[ -s "$W/$_n.err" ] && sed 's/^/  /' "$W/$_n.err" | tail -n 5
	[ $_rc -gt 128 ] && echo "loadgen killed by signal $((_rc - 128))"
	return $_rc
}

# the documents the node's database holds, and how many are there twice
stored() {
	cd_q "$1" documents -j 2>/dev/null | $PY -c '
import json, sys
d = json.load(sys.stdin)
keys = [(x["gateway"], x["sha256"]) for x in d]
print(len(d), len(keys) - len(set(keys)))'
}

# a cluster of the run's own, a database for each scenario
PG_OWN_DB=0
if [ "$DB" = pg ]; then
	. "$TOP/regress/pg.sh"
	pg_start || exit 1
	PG_OWN_DB=1
fi
fresh_db() {
	[ "$PG_OWN_DB" = 1 ] || return 0
	_fd=load_$(echo "$1" | tr -c 'a-z0-9\n' '_')
	pg_createdb "$_fd" || exit 1
	DB=$(pg_uri "$_fd")
}

PORT=$(free_port tcp)
for s in $SCEN; do
	fresh_db "$s"
	case $s in
	steady-ka|steady-full|rate-ka|rate-full|rate-kept|storm)
		rm -rf "$W/n1"
		node n1 "$PORT" </dev/null || exit 1
		case $s in
		steady-ka)	args="-n $N -k -m $M -d $D -u 0" ;;
		steady-full)	args="-n $N -m $M -d $D -u 0" ;;
		rate-ka)	args="-n $N -k -m $R -d $D -u 86400" ;;
		rate-full)	args="-n $N -m $R -d $D -u 86400" ;;
		rate-kept)	args="-n $N -k -r $K -m $((R * K)) -d $D -u 86400" ;;
		# all within 60 s, then until every one is served (5 min)
		storm)		args="-n $N -k -m 86400 -s 60 -e -d 300 -u 86400"
				[ "${LOAD_SMOKE:-0}" = 1 ] &&
				    args="-n $N -k -m 86400 -s 2 -e -d 30 -u 0" ;;
		esac
		# shellcheck disable=SC2086
		run "$s" "$(server_of "$CD_PID")" "$PORT" $args \
		    -f "$C/doc20.1.xml" $PARTS
		rc=$?
		[ $s = steady-ka ] || [ $s = steady-full ] || true
		set -- $(stored n1)
		echo "stored: $1 documents, $2 stored twice; loadgen status $rc"
		cd_stop
		;;
	kill9)
		if [ -z "$DB" ] || ! echo "$DB" | grep -q '^postgresql:'; then
			echo "==> kill9: skipped: it needs two nodes on one" \
			    "PostgreSQL database (LOAD_DATABASE=\"postgresql://...\");" \
			    "commsd on SQLite is one node"
			continue
		fi
		P2=$(free_port tcp)
		node n1 "$PORT" </dev/null || exit 1
		A=$CD_PID
		node n2 "$P2" </dev/null || exit 1
		B=$CD_PID
		( sleep $(( D / 2 )); kill -9 "$A" ) &
		KP=$!
		# shellcheck disable=SC2086
		run kill9 "$(server_of "$A"),$(server_of "$B")" "$PORT,$P2" \
		    -n "$N" -k -m "$M" -d "$D" \
		    -u "$D" -f "$C/doc20.1.xml" $PARTS
		rc=$?
		wait $KP
		up_forget "$A"
		set -- $(stored n2)
		echo "kill9: stored $1 documents, $2 stored twice;" \
		    "$(grep -E '^(receipts|uploads)' "$W/kill9.done" |
		    tr '\n' ' ')loadgen status $rc"
		cd_stop
		;;
	pg-restart)
		if [ "$PG_OWN_DB" != 1 ]; then
			echo "==> pg-restart: skipped: it needs a cluster of its" \
			    "own to restart (LOAD_DATABASE=pg)"
			continue
		fi
		rm -rf "$W/n1"
		node n1 "$PORT" </dev/null || exit 1
		( sleep $(( D / 2 )); pg_restart; echo "PostgreSQL restarted" \
		    "at $(( D / 2 )) s" >"$W/pgr.when" ) &
		KP=$!
		# the run lasts past the refused uploads' Retry-After (60 s);
		# the figures are the keeper's tree (its servers come and go)
		# shellcheck disable=SC2086
		run pg-restart "$CD_PID" "$PORT" -n "$N" -k -m "$M" \
		    -d $(( D + 70 )) -u "$D" -f "$C/doc20.1.xml" $PARTS
		wait $KP
		cat "$W/pgr.when" 2>/dev/null
		grep -c 'the database is lost: another in' "$W/n1.log" |
		    sed 's/^/servers started again by the keeper: /'
		set -- $(stored n1)
		echo "pg-restart: stored $1 documents, $2 stored twice;" \
		    "$(grep -E '^(receipts|uploads)' "$W/pg-restart.done" |
		    tr '\n' ' ')"
		cd_stop
		;;
	*)
		echo "loadtest: no scenario $s"
		exit 1
		;;
	esac
done
exit 0
