# Helpers of the upload tests (regress/t/upload-*.sh): a gateway
# (callhomed, uploading to commsd over mutual TLS) against real walks
# served by snmpfleet.  Source after regress/lib.sh:
#
#	. "$TOP/regress/lib.sh"
#	. "$TOP/regress/upload-lib.sh"
#	up_setup || exit 0	# root, binaries, tools; $W, the PKI in $P
#
# Everything lives in $W, a world-searchable directory outside $T (the
# gateway's state directory must be reachable by _callhome): the PKI ($P),
# the configurations, state directories and logs of the gateways and
# servers.  Every process started here is stopped by on_exit.
#
#	up_fleet N [FILE...]	snmpfleet serving N real walks of $WALKS
#				and the snmprec FILEs; sets FLEET_PORT,
#				NDEV, $W/fleet.map (UP_FLEET_OPTS: more
#				options of snmpfleet)
#	up_bigfleet N		another snmpfleet: N printers (the walks of
#				$WALKS round-robin); sets BIG_PORT, BIG_NDEV,
#				$W/bigfleet.map (gw_conf uses it with
#				GW_BIG=1)
#	up_started PID		a background process to stop at exit
#	up_stop PID		SIGTERM (SIGKILL after 10 s), wait
#	cd_conf NAME PORT	commsd configuration $W/NAME.conf (more
#				statements on stdin); state $W/NAME/; with
#				COMMSD_DB=pg its database in PostgreSQL
#				(regress/pg.sh, started by up_setup)
#	cd_start NAME		commsd -d -v; sets CD_PID (log $W/NAME.log)
#	cd_stop			SIGTERM to CD_PID, waits
#	cd_q NAME ARGS...	commsd -f $W/NAME.conf -q ARGS...
#	gw_conf NAME PORT	gateway configuration $W/NAME.conf; server
#				block lines on stdin are added to the
#				defaults (GW_CA, GW_CERT, GW_KEY, "" for
#				none; GW_NAME the server's name, GW_AUTH
#				yes|no, GW_TOP more top-level statements,
#				GW_BIG=1 the big fleet's printers);
#				state $W/NAME/, control socket $W/NAME.sock
#	gw_once NAME TAG	callhomed -1: stdout $W/NAME.TAG.out, stderr
#				$W/NAME.TAG.log; returns its status
#	gw_start NAME		callhomed -d; sets GW_PID, GW_START_MS (log
#				$W/NAME.d.log)
#	gw_stop			SIGTERM to GW_PID, waits
#	gw_sql NAME SQL		read-only query of the gateway's database
#	gw_ctl NAME ARGS...	callhomectl -f $W/NAME.conf ARGS...
#	gw_verify NAME LABEL	a check: callhomectl verify exits 0
#	gw_wait_sql SECS NAME SQL VALUE	  until the query gives VALUE
#	gw_outbox NAME, gw_txlog NAME	  the outbox, the transaction log,
#				as JSON (for python checks)
#	pycheck (in lib.sh)	a check written in python (on stdin)

: "${TOP:?}"
. "$TOP/regress/pki.sh"
. "$TOP/regress/pg.sh"

CALLHOMED="$OBJ/callhomed"
CTL="$OBJ/callhomectl"
COMMSD="$OBJ/commsd"
FLEET="$OBJ/regress/tools/snmpfleet"

# the background processes started here and not yet stopped: on_exit
# stops them (by pid, only these)
UP_PIDS=""
up_started() {
	UP_PIDS="$UP_PIDS $1"
}
# up_stop PID: SIGTERM, wait (at most 10 s, then SIGKILL), forget it
up_stop() {
	if kill -TERM "$1" 2>/dev/null; then
		if ! wait_for 10 sh -c "! kill -0 $1 2>/dev/null ||
		    grep -q '^State:.*Z' /proc/$1/status"; then
			kill -KILL "$1" 2>/dev/null
		fi
	fi
	wait "$1" 2>/dev/null
	up_forget "$1"
}
# up_forget PID: it was stopped and waited for elsewhere
up_forget() {
	_us_rest=""
	for _us in $UP_PIDS; do
		[ "$_us" = "$1" ] || _us_rest="$_us_rest $_us"
	done
	UP_PIDS=$_us_rest
}
up_cleanup() {
	for _uc in $UP_PIDS; do
		up_stop "$_uc"
	done
}

# up_setup: skip (returning 1) unless everything needed is there
up_setup() {
	for _b in "$CALLHOMED" "$CTL" "$COMMSD" "$FLEET" \
	    "$OBJ/collectd" "$OBJ/auditd" "$OBJ/signerd" "$OBJ/uplinkd"; do
		if [ ! -x "$_b" ]; then
			fail setup "$_b not built"
			exit 1
		fi
	done
	if [ "$(id -u)" -ne 0 ]; then
		skip all "must run as root (callhomed and commsd sandbox)"
		return 1
	fi
	for _c in openssl sqlite3 sha256sum; do
		if ! command -v $_c >/dev/null 2>&1; then
			skip all "$_c is not installed"
			return 1
		fi
	done
	if ! ls "$WALKS"/*.snmprec >/dev/null 2>&1; then
		skip all "no walks in $WALKS"
		return 1
	fi
	if [ "${COMMSD_DB:-sqlite}" = pg ] && ! pg_start >"$T/pg.out" 2>&1
	then
		skip all "$(tail -n 1 "$T/pg.out")"
		return 1
	fi
	ensure_user
	W=$(mktemp -d /tmp/callhome-upload.XXXXXX)
	chmod 0755 "$W"
	# run last: the processes first, then their files
	on_exit "rm -rf '$W'"
	on_exit up_cleanup
	P="$W/pki"
	if ! pki_all "$P" localhost gw1; then
		fail "test PKI" "openssl could not make it"
		exit 1
	fi
	HAVE_V6=0
	$PY -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' \
	    2>/dev/null && HAVE_V6=1
	return 0
}

# up_fleet N [FILE...]: the first N of some real walks of $WALKS (those
# present), then the snmprec FILEs, each on its own loopback address
UP_WALKS="ricoh_mpc3002 sharp konica_c250i jetdirect_m880 xerox epson \
kyocera brother_hl5370dw samsungprinter_m4080fx dell-laser_s5830dn"
up_fleet() {
	FLEET_PORT=$(free_port udp 127.0.0.1)
	: >"$W/fleet.map"
	_n=0
	_want=$1
	shift
	for _w in $UP_WALKS; do
		[ $_n -ge "$_want" ] && break
		[ -f "$WALKS/$_w.snmprec" ] || continue
		_n=$((_n + 1))
		echo "127.26.0.$_n $WALKS/$_w.snmprec" >>"$W/fleet.map"
	done
	for _w in "$@"; do
		_n=$((_n + 1))
		echo "127.26.0.$_n $_w" >>"$W/fleet.map"
	done
	NDEV=$_n
	"$FLEET" ${UP_FLEET_OPTS:-} -p "$FLEET_PORT" "$W/fleet.map" \
	    >"$W/fleet.out" 2>"$W/fleet.err" &
	FLEET_PID=$!
	up_started $FLEET_PID
	if wait_for 10 grep -qx ready "$W/fleet.out"; then
		pass "snmpfleet serves $NDEV walks"
		return 0
	fi
	fail "snmpfleet serves $NDEV walks" "$(tail -n 3 "$W/fleet.err")"
	return 1
}

# up_bigfleet N: N printers on 127.28.x.y, the walks round-robin but for
# those regress/identity/expected.tsv calls not printers
up_bigfleet() {
	BIG_PORT=$(free_port udp 127.0.0.1)
	ls "$WALKS"/*.snmprec | $PY -c '
import os, sys
notprt = set()
for l in open(sys.argv[2]):
    f = l.rstrip("\n").split("\t")
    if len(f) >= 5 and f[4] == "not-a-printer":
        notprt.add(f[0])
walks = [l.strip() for l in sys.stdin if l.strip() and
    os.path.basename(l.strip()) not in notprt]
n = int(sys.argv[1])
for i in range(n):
    print("127.28.%d.%d %s" % (1 + i // 250, 1 + i % 250, walks[i % len(walks)]))
' "$1" "$TOP/regress/identity/expected.tsv" >"$W/bigfleet.map"
	BIG_NDEV=$1
	"$FLEET" -p "$BIG_PORT" "$W/bigfleet.map" >"$W/bigfleet.out" \
	    2>"$W/bigfleet.err" &
	up_started $!
	if wait_for 20 grep -qx ready "$W/bigfleet.out"; then
		pass "snmpfleet serves $BIG_NDEV printers"
		return 0
	fi
	fail "snmpfleet serves $BIG_NDEV printers" \
	    "$(tail -n 3 "$W/bigfleet.err")"
	return 1
}

# cd_conf NAME PORT [statements on stdin]
cd_conf() {
	{
		echo "listen on 127.0.0.1 port $2"
		[ "$HAVE_V6" = 1 ] && echo "listen on ::1 port $2"
		cat <<EOF
certificate "${CD_CERT:-$P/server.crt}"
key "${CD_KEY:-$P/server.key}"
client ca "${CD_CLIENT_CA:-$P/ca.crt}"
$(commsd_database "$1" "$W/$1")
schema "$TOP/etc/callhome.xsd"
user "nobody"
EOF
		cat
	} | mkconf "$W/$1.conf"
}

# cd_start NAME: commsd in the foreground; its log appended to $W/NAME.log
cd_start() {
	_cd_from=0
	[ -f "$W/$1.log" ] && _cd_from=$(wc -l <"$W/$1.log")
	"$COMMSD" -d -v -f "$W/$1.conf" >>"$W/$1.log" 2>&1 &
	CD_PID=$!
	up_started $CD_PID
	if ! wait_for 10 sh -c "tail -n +$((_cd_from + 1)) '$W/$1.log' |
	    grep -q 'startup complete'"; then
		fail "commsd $1 starts" "$(tail -n 5 "$W/$1.log" | tr '\n' ' ')"
		return 1
	fi
	return 0
}

cd_stop() {
	[ -n "${CD_PID:-}" ] || return 0
	up_stop "$CD_PID"
	CD_PID=""
}

cd_q() {
	_cq=$1; shift
	"$COMMSD" -f "$W/$_cq.conf" -q "$@"
}

# gw_conf NAME PORT [server block lines on stdin]
gw_conf() {
	{
		cat <<EOF
gateway "gw1"
user "_callhome"
state "$W/$1"
socket "$W/$1.sock"
profiles "$TOP/etc/profiles"
snmp timeout 1s retries 1
checkin never
authorize upload ${GW_AUTH:-yes}
EOF
		[ -n "${GW_TOP:-}" ] && printf '%s\n' "$GW_TOP"
		if [ "${GW_BIG:-0}" = 1 ]; then
			while read -r _a _f; do
				echo "device $_a port $BIG_PORT"
			done <"$W/bigfleet.map"
		else
			while read -r _a _f; do
				echo "device $_a port $FLEET_PORT"
			done <"$W/fleet.map"
		fi
		echo "server \"${GW_NAME:-localhost}\" port $2 {"
		echo "	ca \"${GW_CA:-$P/ca.crt}\""
		[ -n "${GW_CERT-$P/client.crt}" ] &&
		    echo "	certificate \"${GW_CERT-$P/client.crt}\""
		[ -n "${GW_KEY-$P/client.key}" ] &&
		    echo "	key \"${GW_KEY-$P/client.key}\""
		cat
		echo "}"
	} | mkconf "$W/$1.conf"
}

# gw_once NAME TAG: one whole cycle; at most 90 s
gw_once() {
	timeout 90 "$CALLHOMED" -1 -f "$W/$1.conf" >"$W/$1.$2.out" \
	    2>"$W/$1.$2.log"
}

# gw_start NAME: the daemon in the foreground, logging to $W/NAME.d.log;
# GW_START_MS: how long until it said "startup complete"
gw_start() {
	: >"$W/$1.d.log"
	_gs_t0=$(now_ms)
	"$CALLHOMED" -d -f "$W/$1.conf" >>"$W/$1.d.log" 2>&1 &
	GW_PID=$!
	up_started $GW_PID
	_gs_ok=0
	while [ $(( $(now_ms) - _gs_t0 )) -lt 10000 ]; do
		if grep -q 'startup complete' "$W/$1.d.log"; then
			_gs_ok=1
			break
		fi
		sleep 0.02
	done
	GW_START_MS=$(( $(now_ms) - _gs_t0 ))
	if [ $_gs_ok = 0 ]; then
		fail "callhomed $1 starts" "$(tail -n 5 "$W/$1.d.log" |
		    tr '\n' ' ')"
		return 1
	fi
	return 0
}

gw_stop() {
	[ -n "${GW_PID:-}" ] || return 0
	up_stop "$GW_PID"
	GW_PID=""
}

gw_sql() {
	sqlite3 -readonly "$W/$1/callhome.db" "$2"
}

gw_ctl() {
	_gc=$1; shift
	"$CTL" -f "$W/$_gc.conf" "$@"
}

# gw_verify NAME LABEL: "callhomectl verify" exits 0
gw_verify() {
	gw_ctl "$1" verify >"$W/$1.verify.out" 2>&1
	_rc=$?
	if [ $_rc -eq 0 ]; then
		pass "$2: callhomectl verify exits 0 ($(head -n 1 \
		    "$W/$1.verify.out"))"
	else
		fail "$2: callhomectl verify exits 0" "status $_rc: $(head \
		    -n 2 "$W/$1.verify.out" | tr '\n' ' ')"
	fi
}

# gw_wait_sql SECONDS NAME SQL VALUE: until the query gives VALUE
gw_wait_sql() {
	wait_for "$1" sh -c "test \"\$(sqlite3 -readonly '$W/$2/callhome.db' \
	    \"$3\" 2>/dev/null)\" = '$4'"
}

# gw_outbox NAME: the outbox as JSON (a list of rows, oldest first), the
# document replaced by "document_sha256", the SHA-256 of its bytes
gw_outbox() {
	$PY - "$W/$1/callhome.db" <<'PYEOF'
import hashlib, json, sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
db.row_factory = sqlite3.Row
rows = []
for r in db.execute("SELECT * FROM outbox ORDER BY id"):
    d = dict(r)
    doc = d.pop("document")
    d["document_sha256"] = (hashlib.sha256(doc).hexdigest()
        if doc is not None else None)
    rows.append(d)
print(json.dumps(rows))
PYEOF
}

# gw_txlog NAME: the transaction log as JSON, each detail parsed
gw_txlog() {
	$PY - "$W/$1/callhome.db" <<'PYEOF'
import json, sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
db.row_factory = sqlite3.Row
rows = []
for r in db.execute("SELECT seq, time, kind, summary, detail FROM txlog "
        "ORDER BY seq"):
    d = dict(r)
    d["detail"] = json.loads(d["detail"]) if d["detail"] else None
    rows.append(d)
print(json.dumps(rows))
PYEOF
}

