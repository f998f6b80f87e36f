#!/bin/sh
# commsd on PostgreSQL: one cluster of this script's own (regress/pg.sh),
# used by everything below.
#
#   the suites      regress/t/commsd.sh and checkin.sh again with
#                   COMMSD_DB=pg: every check of theirs on the PostgreSQL
#                   back end (their results named "commsd[pg]" and
#                   "checkin[pg]"; COMMSD_PG_SUITES chooses others, such
#                   as upload-parts)
#   two nodes       two commsd processes, their own state directories and
#                   ports, one database: a document sent to one and then
#                   to the other is stored once, the second receipt names
#                   the same document (Duplicate true); twelve documents
#                   each sent to both nodes at once: twelve stored, each
#                   pair of receipts the same number, one of them the
#                   first; the transaction log one chain (-q verify from
#                   either node), numbered without a gap
#   parts           a cycle in three parts, to one node and the other, the
#                   last to both at once: complete once, 10 devices, one
#                   "cycle" record; a part that disagrees refused
#   check-ins       the same bundle in both nodes' directories: served by
#                   the first node, held back by the second while it is in
#                   flight, acknowledged by the next LastSequence; two
#                   check-ins at once on the two nodes: one gets the new
#                   bundle, the other nothing; -q checkins shows each
#                   sequence served once
#   the sandbox     a node on PostgreSQL: Seccomp 2, no new privileges, its
#                   chroot, "nobody", its one connection to the database
#   a password      in the URI: -nv and the log show "********"
#   a restart       PostgreSQL restarted: node A's server, which cannot
#                   connect again from its sandbox, answers 503 and ends;
#                   its keeper (the process started) starts another, which
#                   stores the same document, once
#   an outage       PostgreSQL stopped: 503, then an upload sent while it is
#                   down waits for the keeper's next server and is stored
#                   once PostgreSQL is back; a server dies with its keeper
#   incidents       a document with JobData and Incidents to node A, again
#                   to node B, and another cycle's document with the same
#                   incidents to node B: each incident stored once (its
#                   supplies, the contact only with the one typed in),
#                   the job data of both documents; -S shipped on one
#                   node shows in the next check-in answer of the other
#   -q on both      the same uploads to a SQLite node and a PostgreSQL
#                   node (a partial cycle among them): -q documents,
#                   cycles, devices, document ID and the upload records of
#                   -q log say the same (times and peer ports aside); the
#                   same for -q incidents, -q jobdata and -S
#   version 4       a database made before job data and incidents: -q
#                   refuses it, a writer's open adds their tables (5)

. "$TOP/regress/lib.sh"
. "$TOP/regress/pki.sh"
. "$TOP/regress/pg.sh"

COMMSD="$OBJ/commsd"
DOCS="$TOP/regress/fuzz/corpus/upload"
FULL="$DOCS/upload-full.xml"
ADDR="$DOCS/upload-address.xml"
MIN="$DOCS/upload-min.xml"
CT='Content-Type: application/soap+xml; charset=utf-8'
SIGNIFY=$(command -v signify-openbsd || command -v signify)

if [ ! -x "$COMMSD" ]; then
	fail setup "$COMMSD not built"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	skip all "must run as root (commsd chroots and changes user)"
	exit 0
fi
for tool in curl openssl sha256sum "$SIGNIFY"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		skip all "$tool is not installed"
		exit 0
	fi
done
if ! pg_start >"$T/pg.out" 2>&1; then
	skip all "$(tail -n 1 "$T/pg.out")"
	exit 0
fi

# ---- the suites, on PostgreSQL
# COMMSD_PG_SUITES: which (commsd and checkin by default, "" for none;
# upload-parts too is a minute more: the parts are checked below)
for s in ${COMMSD_PG_SUITES-commsd checkin}; do
	mkdir -p "$T/$s"
	COMMSD_DB=pg T="$T/$s" sh "$TOP/regress/t/$s.sh"
	rc=$?
	[ $rc -eq 0 ] || fail "$s.sh on PostgreSQL" "exit status $rc"
done

if ! pki_all "$T/pki" localhost gw1; then
	fail "test PKI" "openssl could not make it"
	exit 1
fi
P="$T/pki"

# conf NAME PORT DATABASE-URI: a node, its state directory $T/NAME
conf() {
	mkconf "$T/$1.conf" <<EOF
listen on 127.0.0.1 port $2
certificate "$P/server.crt"
key "$P/server.key"
client ca "$P/ca.crt"
database "$3"
$(case "$3" in postgres*) echo "state directory \"$T/$1\"" ;; esac)
schema "$TOP/etc/callhome.xsd"
user "nobody"
max document 1M
max connections per gateway 32
max handshakes 64
max handshakes per address 32
workers 4
EOF
}

# start NAME: commsd -d; its pid in PID_NAME, its log appended to
# $T/NAME.log
start() {
	_from=0
	[ -f "$T/$1.log" ] && _from=$(wc -l <"$T/$1.log")
	"$COMMSD" -d -v -f "$T/$1.conf" >>"$T/$1.log" 2>&1 &
	eval "PID_$1=$!"
	on_exit "kill $! 2>/dev/null; wait $! 2>/dev/null"
	if ! wait_for 15 sh -c "tail -n +$((_from + 1)) '$T/$1.log' |
	    grep -q 'startup complete'"; then
		fail "commsd $1 starts" "$(tail -n 5 "$T/$1.log" | tr '\n' ' ')"
		return 1
	fi
	return 0
}

# post PORT PATH OUTFILE [curl arguments]: the HTTP status on stdout
post() {
	_port=$1 _path=$2 _out=$3
	shift 3
	curl -sS --max-time 60 --resolve "localhost:$_port:127.0.0.1" \
	    --cacert "$P/ca.crt" --cert "$P/client.crt" --key "$P/client.key" \
	    -o "$_out" -w '%{http_code}' "$@" \
	    "https://localhost:$_port$_path" 2>"$_out.err"
}
up() {
	post "$1" /callhome/1/upload "$2" -H "$CT" --data-binary "@$3"
}

field() {
	sed -n "s|.*<ch:$1>\([^<]*\)</ch:$1>.*|\1|p" "$2"
}

sha() {
	sha256sum "$1" | cut -d' ' -f1
}

# ---- two nodes, one database
pg_createdb multi
URI=$(pg_uri multi)
# a password in the URI (the test cluster trusts local connections)
URIPW="postgresql://postgres:s3cret-pw@/multi?host=$PGSOCK&port=$PGPORT"
PA=$(free_port tcp)
PB=$(free_port tcp)
conf na "$PA" "$URI"
conf nb "$PB" "$URIPW"
start na || exit 1
start nb || exit 1

code=$(up "$PA" "$T/a1" "$FULL")
check "node A: stored, document 1" \
    test "$code/$(field DocumentId "$T/a1")/$(field Duplicate "$T/a1")" = \
    "200/1/false"
code=$(up "$PB" "$T/b1" "$FULL")
check "node B, the same document (a retry after a lost receipt): the same receipt" \
    test "$code/$(field DocumentId "$T/b1")/$(field Duplicate "$T/b1")/$(field DocumentSha256 "$T/b1")" = \
    "200/1/true/$(sha "$FULL")"

# twelve documents, each to both nodes at once
i=1
while [ $i -le 12 ]; do
	sed "s/<ch:Cycle id=\"1\"/<ch:Cycle id=\"$((100 + i))\"/" "$MIN" \
	    >"$T/v$i.xml"
	i=$((i + 1))
done
pids=""
i=1
while [ $i -le 12 ]; do
	( up "$PA" "$T/va$i" "$T/v$i.xml" >"$T/va$i.code" ) &
	pids="$pids $!"
	( up "$PB" "$T/vb$i" "$T/v$i.xml" >"$T/vb$i.code" ) &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do
	wait "$p"
done
pycheck "at once on both nodes: each document stored once, both receipts the same" \
    "$T" <<'EOF'
import hashlib, re, sys
t = sys.argv[1]
def f(name, path):
    m = re.search("<ch:%s>([^<]*)</ch:%s>" % (name, name), open(path).read())
    return m.group(1) if m else None
ids = set()
for i in range(1, 13):
    want = hashlib.sha256(open("%s/v%d.xml" % (t, i), "rb").read()).hexdigest()
    a, b = "%s/va%d" % (t, i), "%s/vb%d" % (t, i)
    assert open(a + ".code").read() == "200", (i, open(a + ".code").read())
    assert open(b + ".code").read() == "200", (i, open(b + ".code").read())
    assert f("DocumentSha256", a) == want == f("DocumentSha256", b), i
    assert f("DocumentId", a) == f("DocumentId", b), i
    dups = sorted([f("Duplicate", a), f("Duplicate", b)])
    assert dups == ["false", "true"], (i, dups)
    ids.add(f("DocumentId", a))
assert len(ids) == 12, ids
EOF
"$COMMSD" -f "$T/na.conf" -q documents -j >"$T/multi-docs.json"
check "-q documents: 13 documents, each once" $PY - "$T/multi-docs.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 13, len(d)
assert len({x["sha256"] for x in d}) == 13
assert sorted(x["id"] for x in d) == list(range(1, 14)), [x["id"] for x in d]
assert all(x["duplicates_seen"] == 1 for x in d), d
EOF
check "-q verify from node A: one chain" sh -c \
    "'$COMMSD' -f '$T/na.conf' -q verify | grep -q '^transaction log intact'"
check "-q verify from node B: the same chain" sh -c \
    "'$COMMSD' -f '$T/nb.conf' -q verify | grep -q '^transaction log intact'"
"$COMMSD" -f "$T/na.conf" -q log -j >"$T/multi-log.json"
check "the log: both nodes' records, numbered without a gap, 13 uploads and 13 duplicates" \
    $PY - "$T/multi-log.json" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1]))
assert [r["seq"] for r in log] == list(range(1, len(log) + 1))
kinds = [r["kind"] for r in log]
assert kinds.count("upload") == 13, kinds.count("upload")
assert kinds.count("duplicate") == 13, kinds.count("duplicate")
assert kinds.count("start") == 2, kinds
EOF

# ---- a cycle in parts, across the nodes
# part_doc CYCLE NUMBER OF FIRST DEVICES: a part of a gateway's cycle
part_doc() {
	printf '<?xml version="1.0"?>\n<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><ch:Upload xmlns:ch="urn:callhome:protocol:1" version="1"><ch:Gateway id="gw1" software="callhome"/><ch:Cycle id="%s" reason="schedule" started="2026-11-21T02:00:00Z" finished="2026-11-21T02:00:09Z"/><ch:Categories>meters</ch:Categories><ch:Devices>' "$1"
	_i=0
	while [ $_i -lt "$5" ]; do
		printf '<ch:Device key="anon:%s" outcome="ok" collected="2026-11-21T02:00:01Z"/>' $(($4 + _i))
		_i=$((_i + 1))
	done
	printf '</ch:Devices><ch:Part number="%s" firstDevice="%s" devices="%s" of="%s"/></ch:Upload></env:Body></env:Envelope>\n' "$2" "$4" "$5" "$3"
}
part_doc 300 2 3 4 4 >"$T/p2.xml"
part_doc 300 1 3 0 4 >"$T/p1.xml"
part_doc 300 3 3 8 2 >"$T/p3.xml"
part_doc 300 4 4 10 1 >"$T/p4.xml"
c2=$(up "$PA" "$T/rp2" "$T/p2.xml")
c1=$(up "$PB" "$T/rp1" "$T/p1.xml")
( up "$PA" "$T/rp3a" "$T/p3.xml" >"$T/rp3a.code" ) &
p1=$!
( up "$PB" "$T/rp3b" "$T/p3.xml" >"$T/rp3b.code" ) &
p2=$!
wait $p1
wait $p2
c4=$(up "$PB" "$T/rp4" "$T/p4.xml")
check "a cycle in three parts over two nodes, the last to both at once: stored" \
    test "$c2/$c1/$(cat "$T/rp3a.code")/$(cat "$T/rp3b.code")" = \
    "200/200/200/200"
check "a part that says the cycle has 4: refused, 400" test "$c4" = 400
"$COMMSD" -f "$T/nb.conf" -q cycles -j >"$T/cycles.json"
"$COMMSD" -f "$T/na.conf" -q log -j >"$T/cycles-log.json"
check "-q cycles: complete, 3 of 3, 10 devices; one cycle record" \
    $PY - "$T/cycles.json" "$T/cycles-log.json" <<'EOF'
import json, sys
c = [x for x in json.load(open(sys.argv[1])) if x["cycle"] == 300]
assert len(c) == 1, c
c = c[0]
assert c["complete"] and c["parts"] == 3 and c["received"] == 3, c
assert c["devices"] == 10, c
log = json.load(open(sys.argv[2]))
cyc = [r for r in log if r["kind"] == "cycle"]
assert len(cyc) == 1 and "cycle 300 of gw1 complete: 3 parts, 10 devices" \
    in cyc[0]["summary"], cyc
EOF

# ---- check-ins on two nodes
mkdir -p "$T/keys"
$SIGNIFY -G -n -p "$T/keys/i.pub" -s "$T/keys/i.sec" >/dev/null 2>&1
bundle() {	# bundle SEQ: signed into both nodes' instructions/gw1/
	printf 'callhome-instructions 1\ngateway gw1\nsequence %s\nissued %s\nexpires %s\ncollect now\n' \
	    "$1" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	    "$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)" >"$T/keys/b$1.txt"
	$SIGNIFY -S -e -s "$T/keys/i.sec" -m "$T/keys/b$1.txt" \
	    -x "$T/keys/b$1.sig" || return 1
	for n in na nb; do
		mkdir -p "$T/$n/instructions/gw1"
		cp "$T/keys/b$1.sig" "$T/$n/instructions/gw1/b$1.sig"
		chmod 0644 "$T/$n/instructions/gw1/b$1.sig"
		chown -R nobody "$T/$n/instructions"
	done
}
checkin_doc() {	# checkin_doc LAST: a CheckIn
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><ch:CheckIn xmlns:ch="urn:callhome:protocol:1" version="1"><ch:Gateway id="gw1" software="callhome/0.1"/><ch:LastSequence>%s</ch:LastSequence><ch:Packages/></ch:CheckIn></env:Body></env:Envelope>\n' "$1"
}
ci() {	# ci PORT OUT LAST: the HTTP status; the number of bundles in OUT.n
	checkin_doc "$3" >"$2.xml"
	_c=$(post "$1" /callhome/1/checkin "$2" -H "$CT" \
	    --data-binary "@$2.xml")
	grep -o '<ch:Bundle>' "$2" 2>/dev/null | wc -l | tr -d ' ' >"$2.n"
	echo "$_c"
}
bundle 1
code=$(ci "$PA" "$T/c1" 0)
check "check-in on node A: bundle 1 served" test "$code/$(cat "$T/c1.n")" = 200/1
code=$(ci "$PB" "$T/c2" 0)
check "check-in on node B while it is in flight: not served twice" \
    test "$code/$(cat "$T/c2.n")" = 200/0
check "node B's record says it held it back" sh -c \
    "'$COMMSD' -f '$T/na.conf' -q log | grep -q 'check-in from gw1 .*last sequence 0.* 0 bundles; 1 held back'"
code=$(ci "$PB" "$T/c3" 1)
check "check-in on node B with LastSequence 1: nothing more" \
    test "$code/$(cat "$T/c3.n")" = 200/0
bundle 2
( ci "$PA" "$T/c4" 1 >"$T/c4.code" ) &
p1=$!
( ci "$PB" "$T/c5" 1 >"$T/c5.code" ) &
p2=$!
wait $p1
wait $p2
check "two check-ins at once on two nodes: bundle 2 served to one only" \
    test "$(cat "$T/c4.code")/$(cat "$T/c5.code")/$(( $(cat "$T/c4.n") + $(cat "$T/c5.n") ))" = \
    "200/200/1"
"$COMMSD" -f "$T/nb.conf" -q checkins -j >"$T/checkins.json"
check "-q checkins: gw1's check-ins, each sequence served once, 1 acknowledged" \
    $PY - "$T/checkins.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["checkins"]
assert len(c) == 1 and c[0]["gateway"] == "gw1", c
assert c[0]["checkins"] == 5 and c[0]["last_sequence"] == 1, c
dl = {x["sequence"]: x for x in d["deliveries"]}
assert sorted(dl) == [1, 2], dl
assert dl[1]["times_served"] == 1 and dl[1]["acknowledged"], dl[1]
assert dl[2]["times_served"] == 1 and not dl[2]["acknowledged"], dl[2]
EOF
check "-q verify after the check-ins" sh -c \
    "'$COMMSD' -f '$T/nb.conf' -q verify | grep -q '^transaction log intact'"

# ---- the sandbox of a node on PostgreSQL: its server, the keeper's child
SRV_na=$(commsd_server "$PID_na")
check "node A: commsd is a keeper, its server a child" test -n "$SRV_na"
st=/proc/$SRV_na/status
check "node A: Seccomp 2, NoNewPrivs 1, no capabilities" sh -c \
    "grep -qx 'Seccomp:[[:space:]]*2' $st &&
     grep -qx 'NoNewPrivs:[[:space:]]*1' $st &&
     grep -qx 'CapEff:[[:space:]]*0000000000000000' $st"
nobody=$(id -u nobody)
check "node A: runs as nobody" test \
    "$(awk '/^Uid:/{print $2,$3,$4,$5}' $st)" = \
    "$nobody $nobody $nobody $nobody"
check "node A: chroot is its state directory" \
    test "$(readlink /proc/$SRV_na/root)" = "$(cd "$T/na" && pwd -P)"
check "node A: may not fork (RLIMIT_NPROC 0)" \
    test "$(awk '/^Max processes/{print $3}' /proc/$SRV_na/limits)" = 0
# its connection: a Unix socket to the cluster's, made before the sandbox
check "node A: one connection to PostgreSQL" test "$(pg_sql multi \
    "SELECT count(*) FROM pg_stat_activity WHERE datname = 'multi' AND \
    backend_type = 'client backend' AND pid <> pg_backend_pid()")" = 2

# ---- the password
check "-nv shows no password" sh -c \
    "'$COMMSD' -nv -f '$T/nb.conf' | grep -q 'postgres:\*\*\*\*\*\*\*\*@' &&
     ! '$COMMSD' -nv -f '$T/nb.conf' | grep -q s3cret-pw"
check "the log shows no password" sh -c "! grep -q s3cret-pw '$T/nb.log'"

# ---- job data and incidents, on two nodes
# inc_doc CYCLE: upload-incidents.xml's incidents (3: a service call with
# a contact, 4: a supply request for 1.1 and 1.2) and a device's JobData
JD=$(printf 'sealed to the vendor, opaque to commsd: %s' \
    0123456789abcdef0123456789abcdef | base64 | tr -d '\n')
inc_doc() {
	sed -e "s|<ch:Cycle id=\"2\"|<ch:Cycle id=\"$1\"|" \
	    -e 's|site-info</ch:Categories>|site-info job-data</ch:Categories>|' \
	    -e "s|<ch:Devices/>|<ch:Devices><ch:Device key=\"serial:HP:CN1\" outcome=\"ok\" collected=\"2026-11-21T02:00:01Z\"><ch:JobData>$JD</ch:JobData></ch:Device></ch:Devices>|" \
	    "$DOCS/upload-incidents.xml"
}
inc_doc 402 >"$T/inc1.xml"
inc_doc 403 >"$T/inc2.xml"
i1=$(up "$PA" "$T/ri1" "$T/inc1.xml")
i2=$(up "$PB" "$T/ri2" "$T/inc1.xml")
i3=$(up "$PB" "$T/ri3" "$T/inc2.xml")
check "incidents: stored on A, a duplicate on B, another cycle on B" test \
    "$i1/$(field Duplicate "$T/ri1")/$i2/$(field Duplicate "$T/ri2")/$i3/$(field Duplicate "$T/ri3")" = \
    "200/false/200/true/200/false"
"$COMMSD" -f "$T/nb.conf" -q incidents -j >"$T/inc.json"
"$COMMSD" -f "$T/na.conf" -q jobdata -j >"$T/jd.json"
check "-q incidents: each once, supplies and contact as sent; -q jobdata: both documents'" \
    $PY - "$T/inc.json" "$T/jd.json" "$(field DocumentId "$T/ri1")" \
    "$(field DocumentId "$T/ri3")" <<'EOF'
import json, sys
inc = json.load(open(sys.argv[1]))
assert sorted(x["incident"] for x in inc) == [3, 4], inc
assert all(x["gateway"] == "gw1" and x["status"] == "received" and
    x["document"] == int(sys.argv[3]) for x in inc), inc
s = {x["incident"]: x for x in inc}
assert s[3]["kind"] == "service" and s[3]["problem"] == "Paper jam", s[3]
assert s[3]["contact_email"] == "ann@example.com" and s[3]["supplies"] is None
assert s[4]["supplies"] == "1.1 1.2" and s[4]["contact_name"] is None, s[4]
jd = json.load(open(sys.argv[2]))
assert sorted(x["document"] for x in jd) == sorted(map(int, sys.argv[3:5])), jd
assert all(x["device"] == "serial:HP:CN1" and x["bytes"] == 72 for x in jd), jd
EOF
SID=$($PY -c 'import json, sys; print([x["id"] for x in json.load(open(sys.argv[1])) if x["incident"] == 4][0])' "$T/inc.json")
check "-S shipped -q incident on node B" sh -c \
    "'$COMMSD' -f '$T/nb.conf' -S shipped -q incident $SID | grep -qx 'incident $SID: shipped'"
check_fail "-S shipped of an incident that does not exist" \
    "$COMMSD" -f "$T/nb.conf" -S shipped -q incident 999
code=$(ci "$PA" "$T/ci-inc" 2)
check "the next check-in on node A: incident 4 shipped, 3 received" sh -c \
    "test '$code' = 200 && grep -q '<ch:IncidentStatus id=\"4\" status=\"shipped\"/><ch:IncidentStatus id=\"3\" status=\"received\"/>' '$T/ci-inc'"
check "-q log: the status's \"incident\" record; -q verify" sh -c \
    "'$COMMSD' -f '$T/na.conf' -q log | grep -q 'incident $SID: shipped' &&
     '$COMMSD' -f '$T/na.conf' -q verify | grep -q '^transaction log intact'"

# ---- the database restarted: node A's server cannot connect again
# from its sandbox: it answers 503 and ends, and its keeper starts
# another, which connects again; nothing is lost or stored twice
sed "s/<ch:Cycle id=\"1\"/<ch:Cycle id=\"200\"/" "$MIN" >"$T/v200.xml"
sed "s/<ch:Cycle id=\"1\"/<ch:Cycle id=\"201\"/" "$MIN" >"$T/v201.xml"
# a new server of node A's keeper, not OLD, that says it started
new_server() {
	_n=$(commsd_server "$PID_na")
	[ -n "$_n" ] && [ "$_n" != "$1" ] &&
	    [ "$(grep -c 'startup complete' "$T/na.log")" -gt "$2" ]
}
if pg_restart; then
	old=$(commsd_server "$PID_na")
	started=$(grep -c 'startup complete' "$T/na.log")
	code=$(up "$PA" "$T/lost" "$T/v200.xml")
	check "PostgreSQL restarted: the upload refused 503, Retry-After" \
	    sh -c "test '$code' = 503 && grep -q 'database is not reachable' \
	    '$T/na.log'"
	check "node A's server says the connection is lost" grep -q \
	    "PostgreSQL: the connection is lost.*answers 503" "$T/na.log"
	check "its keeper starts another server, which connects again" \
	    wait_for 20 new_server "$old" "$started"
	check "the keeper is the same process" kill -0 "$PID_na"
	code=$(up "$PA" "$T/again" "$T/v200.xml")
	check "the document sent again: stored, once" test \
	    "$code/$(field Duplicate "$T/again")/$(field DocumentId "$T/again")" \
	    = "200/false/19"
	check "-q verify after the restart" sh -c \
	    "'$COMMSD' -f '$T/na.conf' -q verify | grep -q '^transaction log intact'"
else
	fail "PostgreSQL restarts" "$(tail -n 3 "$PGSOCK/pg_ctl.log" | tr '\n' ' ')"
fi

# ---- an outage: the keeper tries again, longer each time; an upload
# sent meanwhile waits in the listening socket's backlog for the server
# that connects once PostgreSQL is back
if pg_down; then
	old=$(commsd_server "$PID_na")
	started=$(grep -c 'startup complete' "$T/na.log")
	tries=$(grep -c 'the database is lost: another in' "$T/na.log")
	code=$(up "$PA" "$T/down" "$T/v201.xml")
	check "PostgreSQL down: 503" test "$code" = 503
	check "the keeper tries again, and again, and says so" wait_for 20 \
	    sh -c "test \$(grep -c 'the database is lost: another in' \
	    '$T/na.log') -ge $((tries + 2))"
	up "$PA" "$T/later" "$T/v201.xml" >"$T/later.code" &
	UPID=$!
	sleep 2
	pg_up
	wait "$UPID"
	check "the upload sent while it was down: stored, once it is back" \
	    test "$(cat "$T/later.code")/$(field Duplicate "$T/later")/$(field \
	    DocumentId "$T/later")" = "200/false/20"
	check "a new server after the outage" new_server "$old" "$started"
	srv=$(commsd_server "$PID_na")
	kill -9 "$PID_na"
	check "the keeper killed with -9: its server ends with it" \
	    wait_for 10 sh -c "! kill -0 $srv 2>/dev/null"
else
	fail "PostgreSQL stops" "$(tail -n 3 "$PGSOCK/pg_ctl.log" | tr '\n' ' ')"
fi

# ---- -q on both back ends
pg_createdb cmp
PS=$(free_port tcp)
PC=$(free_port tcp)
# the SQLite node's state directory where its user ("nobody") reaches it:
# -S writes the file as its owner
SQD=$(mktemp -d /tmp/callhome-pgsq.XXXXXX)
chmod 0755 "$SQD"
on_exit "rm -rf '$SQD'"
conf sq "$PS" "$SQD/sq/commsd.db"
conf pq "$PC" "$(pg_uri cmp)"
start sq || exit 1
start pq || exit 1
gzip -nc "$ADDR" >"$T/addr.gz"
for port in "$PS" "$PC"; do
	up "$port" "$T/cmp1" "$MIN" >/dev/null
	post "$port" /callhome/1/upload "$T/cmp2" -H "$CT" \
	    -H 'Content-Encoding: gzip' --data-binary "@$T/addr.gz" >/dev/null
	up "$port" "$T/cmp5" "$T/p2.xml" >/dev/null
	up "$port" "$T/cmp6" "$T/p4.xml" >/dev/null
	up "$port" "$T/cmp3" "$FULL" >/dev/null
	up "$port" "$T/cmp4" "$FULL" >/dev/null
done
for b in sq pq; do
	for q in documents cycles devices; do
		"$COMMSD" -f "$T/$b.conf" -q $q -j >"$T/$b.$q.json"
	done
	"$COMMSD" -f "$T/$b.conf" -q devices >"$T/$b.devices.txt"
	# the times of arrival differ; the rest must not
	"$COMMSD" -f "$T/$b.conf" -q cycles | sed -E \
	    's/(Z.*) 20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/\1 TIME/' \
	    >"$T/$b.cycles.txt"
	"$COMMSD" -f "$T/$b.conf" -q log -j >"$T/$b.log.json"
	for i in 1 2 3 4; do
		"$COMMSD" -f "$T/$b.conf" -q document $i >"$T/$b.doc$i"
	done
done
check "-q devices: the same table from both" cmp "$T/sq.devices.txt" \
    "$T/pq.devices.txt"
check "-q cycles: the same table from both (a partial cycle, its missing parts)" \
    sh -c "cmp '$T/sq.cycles.txt' '$T/pq.cycles.txt' &&
    grep -q ' 1 of 3 .* partial *1,3$' '$T/pq.cycles.txt'"
check "-q document 1..4: the same bytes from both" sh -c \
    "cmp '$T/sq.doc1' '$T/pq.doc1' && cmp '$T/sq.doc2' '$T/pq.doc2' &&
     cmp '$T/sq.doc3' '$T/pq.doc3' && cmp '$T/sq.doc4' '$T/pq.doc4' &&
     cmp '$T/sq.doc4' '$FULL'"
check "-q documents, cycles, devices -j and the upload records: the same from both" \
    $PY - "$T" <<'EOF'
import json, re, sys
t = sys.argv[1]
def load(b, q):
    return json.load(open("%s/%s.%s.json" % (t, b, q)))
def docs(b):
    return [{k: v for k, v in x.items() if k != "received"}
        for x in load(b, "documents")]
def cycles(b):
    return [{k: v for k, v in x.items() if k != "completed"}
        for x in load(b, "cycles")]
def uploads(b):
    return [(r["kind"], re.sub(r"127\.0\.0\.1:[0-9]+", "ADDR",
        r["summary"])) for r in load(b, "log")
        if r["kind"] in ("upload", "duplicate", "reject", "cycle")]
assert len(docs("sq")) == 4
assert docs("sq") == docs("pq"), (docs("sq"), docs("pq"))
assert cycles("sq") == cycles("pq"), (cycles("sq"), cycles("pq"))
assert load("sq", "devices") == load("pq", "devices")
assert len(load("sq", "devices")["devices"]) > 0
assert len(uploads("sq")) == 6
assert uploads("sq") == uploads("pq"), (uploads("sq"), uploads("pq"))
EOF

# incidents and job data: the same on both (their times aside)
for port in "$PS" "$PC"; do
	up "$port" "$T/cmpi1" "$T/inc1.xml" >/dev/null
	up "$port" "$T/cmpi2" "$T/inc2.xml" >/dev/null
done
for b in sq pq; do
	"$COMMSD" -f "$T/$b.conf" -S closed -q incident 1 >"$T/$b.setst" 2>&1
	"$COMMSD" -f "$T/$b.conf" -q incidents >"$T/$b.incidents.txt"
	"$COMMSD" -f "$T/$b.conf" -q incidents -j >"$T/$b.incidents.json"
	"$COMMSD" -f "$T/$b.conf" -q jobdata -j >"$T/$b.jobdata.json"
	"$COMMSD" -f "$T/$b.conf" -q jobdata 2 >"$T/$b.jd2"
done
check "-q incidents: the same table from both, -S closed on both" sh -c \
    "cmp '$T/sq.incidents.txt' '$T/pq.incidents.txt' &&
     cmp '$T/sq.setst' '$T/pq.setst' &&
     grep -q '^1 .* closed .*Paper jam (contact given)\$' '$T/pq.incidents.txt' &&
     grep -q '^2 .* received .*supplies 1.1 1.2\$' '$T/pq.incidents.txt'"
check "-q jobdata 2: the same sealed bytes from both" sh -c \
    "cmp '$T/sq.jd2' '$T/pq.jd2' && test -s '$T/pq.jd2'"
check "-q incidents -j, -q jobdata -j: the same from both" \
    $PY - "$T" <<'EOF'
import json, sys
t = sys.argv[1]
def load(b, q, skip):
    return [{k: v for k, v in x.items() if k != skip}
        for x in json.load(open("%s/%s.%s.json" % (t, b, q)))]
i = load("sq", "incidents", "status_time")
assert len(i) == 2 and i == load("pq", "incidents", "status_time"), \
    (i, load("pq", "incidents", "status_time"))
j = load("sq", "jobdata", "received")
assert len(j) == 2 and j == load("pq", "jobdata", "received"), \
    (j, load("pq", "jobdata", "received"))
EOF

# ---- a database of schema version 4 (before job data and incidents)
pg_createdb old
conf old "$(free_port tcp)" "$(pg_uri old)"
# a writer's open makes the schema (no incident 1 to set)
"$COMMSD" -f "$T/old.conf" -S closed -q incident 1 >/dev/null 2>&1
pg_sql old "DROP TABLE incident_supplies, incidents, jobdata;
    UPDATE commsd_schema SET version = 4"
check_fail "-q on a database of version 4: refused" \
    "$COMMSD" -f "$T/old.conf" -q incidents
"$COMMSD" -f "$T/old.conf" -S closed -q incident 1 >"$T/old.out" 2>&1
check "a writer's open of version 4: version 5, the three tables made" test \
    "$(pg_sql old "SELECT max(version) FROM commsd_schema")/$(pg_sql old \
    "SELECT count(*) FROM pg_tables WHERE tablename IN ('jobdata', \
    'incidents', 'incident_supplies')")" = 5/3
check "... and -q incidents reads it" "$COMMSD" -f "$T/old.conf" -q incidents
