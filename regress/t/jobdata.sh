#!/bin/sh
# Job data (send job-data yes), end to end: snmpfleet serves a real walk
# and regress/walks/hm-jobs.snmprec (three jobs in the Job Monitoring
# MIB) and counts, with -W, every request that names an OID of the Job
# MIB (1.3.6.1.4.1.2699.1.1); commsd receives.
#
#   no key         "callhomed -n" refuses send job-data yes without a
#                  job-data key; callhomed refuses an Ed25519 key file
#   switch off     every other category on (pii, device-address too):
#                  not one Job MIB request reached the agent, no JobData
#                  in the document, no job data stored on either side
#   switch on      every other category off: the Job MIB was asked; one
#                  JobData (the printer with the MIB), opaque: no owner or
#                  job name in the document's bytes; the gateway keeps the
#                  plaintext and the SHA-256 of the sealed form, which
#                  commsd -q jobdata lists too; -q jobdata ID -k the right
#                  key (made by openssl genpkey) gives exactly the
#                  plaintext the gateway kept (owners, names, pages,
#                  dates; not the originating host); another key fails
#                  ("sealed to another key"), and so does a changed byte
#                  ("not authentic"); callhomectl show prints the
#                  plaintext and the hash, "in the document"; callhomectl
#                  verify passes, and fails once the stored plaintext is
#                  changed (a copy of the state)

. "$TOP/regress/lib.sh"
. "$TOP/regress/upload-lib.sh"

up_setup || exit 0
JM=1.3.6.1.4.1.2699.1.1
UP_FLEET_OPTS="-W $JM -S $W/fleet.stats" \
    up_fleet 1 "$TOP/regress/walks/hm-jobs.snmprec" || exit 1

# the requests that touched the Job MIB so far
watched() {
	rm -f "$W/fleet.stats"
	kill -USR1 "$FLEET_PID"
	wait_for 5 test -s "$W/fleet.stats" || echo "no stats"
	sed -n 's/^watched //p' "$W/fleet.stats"
}

# the keys, as a vendor makes them
openssl genpkey -algorithm X25519 -out "$W/jd.key" 2>/dev/null &&
    openssl pkey -in "$W/jd.key" -pubout -out "$W/jd.pub" 2>/dev/null &&
    openssl genpkey -algorithm X25519 -out "$W/other.key" 2>/dev/null &&
    openssl genpkey -algorithm ED25519 2>/dev/null |
    openssl pkey -pubout -out "$W/ed.pub" 2>/dev/null
check "keys: openssl genpkey -algorithm X25519, pkey -pubout" \
    grep -q "BEGIN PUBLIC KEY" "$W/jd.pub"

PORT=$(free_port tcp)
cd_conf srv "$PORT" </dev/null
cd_start srv || exit 1

# ---- no key
GW_TOP="send job-data yes" gw_conf nokey "$PORT" </dev/null
"$CALLHOMED" -n -f "$W/nokey.conf" >"$W/nokey.out" 2>&1
check "no key: callhomed -n exits 1" test $? -eq 1
check "no key: it says why" grep -q \
    "send job-data requires a job-data key" "$W/nokey.out"
GW_TOP="send job-data yes
job-data key \"$W/ed.pub\"" gw_conf edkey "$PORT" </dev/null
gw_once edkey c1
check "Ed25519 key: callhomed refuses to start" test $? -ne 0
check "Ed25519 key: it says why" grep -q \
    "job-data key: a public key, but not of X25519" "$W/edkey.c1.log"

# ---- the switch off, everything else on
before=$(watched)
GW_TOP="send pii yes
send device-address yes
job-data key \"$W/jd.pub\"" gw_conf off "$PORT" </dev/null
gw_once off c1
check "off: callhomed -1 exits 0" test $? -eq 0
after=$(watched)
check "off: no request for the Job MIB reached the agent ($before, then $after)" \
    test "$before" = 0 -a "$after" = 0
check "off: some requests reached it" \
    test "$(sed -n 's/^requests //p' "$W/fleet.stats")" -gt 0
gw_sql off "SELECT writefile('$W/off.doc', document) FROM outbox" \
    >/dev/null
check_fail "off: no JobData in the document" grep -q JobData "$W/off.doc"
check "off: nothing stored" test "$(gw_sql off \
    'SELECT count(*) FROM jobdata')" = 0
check "off: the server has none" test "$(cd_q srv jobdata -j)" = "[]"

# ---- the switch on, everything else off
GW_TOP="send job-data yes
send meters no
send supplies no
send alerts no
send identity no
send site-info no
job-data key \"$W/jd.pub\"" gw_conf on "$PORT" </dev/null
gw_once on c1
check "on: callhomed -1 exits 0" test $? -eq 0
check "on: the Job MIB was asked" test "$(watched)" -gt 0
gw_sql on "SELECT writefile('$W/on.doc', document) FROM outbox" >/dev/null
check "on: one JobData in the document" \
    test "$(grep -o '<ch:JobData>' "$W/on.doc" | wc -l)" = 1
for v in jobs-owner-alice jobs-name-memo jobs-host-ws17; do
	check_fail "on: $v is not in the document" grep -q "$v" "$W/on.doc"
done
check "on: the gateway keeps one" test "$(gw_sql on \
    'SELECT count(*) FROM jobdata')" = 1
gw_sql on "SELECT writefile('$W/on.plain', plain) FROM jobdata" >/dev/null
GSHA=$(gw_sql on "SELECT sealed_sha256 FROM jobdata")
cd_q srv jobdata -j >"$W/srv.jd.json"
pycheck "on: commsd stored it, the same SHA-256 as the gateway's" \
    "$W/srv.jd.json" "$GSHA" <<'EOF'
import json, sys
l = json.load(open(sys.argv[1]))
assert len(l) == 1, l
assert l[0]["sha256"] == sys.argv[2], (l[0], sys.argv[2])
assert l[0]["gateway"] == "gw1" and l[0]["device"].startswith("anon:"), l
EOF
JID=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' \
    "$W/srv.jd.json" 2>/dev/null)
: "${JID:=1}"
cd_q srv jobdata "$JID" -k "$W/jd.key" >"$W/srv.plain" 2>"$W/srv.plain.err"
check "on: -k the right key opens it" test $? -eq 0
# the command ends the JSON with a newline
printf '\n' >>"$W/on.plain"
check "on: exactly the plaintext the gateway kept" cmp "$W/on.plain" \
    "$W/srv.plain"
pycheck "on: the plaintext has the jobs" "$W/srv.plain" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "callhome-jobs" and d["version"] == 1, d
assert d["uptime"] == 360000 and d["truncated"] is False, d
j = {x["job"]: x for x in d["jobs"]}
assert sorted(j) == [41, 42, 43], j
a = j[41]
assert a["owner"] == "jobs-owner-alice", a
assert a["name"] == 'jobs-name-Quarterly "report".pdf', a
assert a["state"] == "completed" and a["pages"] == 4, a
assert a["impressions"] == 8 and a["kOctets"] == 120, a
# 3000 s after a boot 3600 s before the collection: 600 s before it
import datetime
c = datetime.datetime.fromisoformat(d["collected"].replace("Z", "+00:00"))
s = datetime.datetime.fromisoformat(a["submitted"].replace("Z", "+00:00"))
assert (c - s).total_seconds() == 600, (c, s)
assert "kOctets" not in j[43] and j[43]["state"] == "processing", j[43]
assert "ws17" not in open(sys.argv[1]).read()
EOF
cd_q srv jobdata "$JID" -k "$W/other.key" >"$W/other.out" 2>&1
check "other key: refused" test $? -ne 0
check "other key: \"sealed to another key\"" grep -q \
    "sealed to another key" "$W/other.out"
check_fail "other key: no plaintext" grep -q jobs-owner "$W/other.out"

# a changed byte: a copy of the server's database, one base64 character
mkdir -p "$W/tamper"
for f in "$W/srv/commsd.db"*; do
	cp "$f" "$W/tamper/"
done
sed "s|$W/srv/commsd.db|$W/tamper/commsd.db|" "$W/srv.conf" |
    mkconf "$W/tamper.conf"
sqlite3 "$W/tamper/commsd.db" "UPDATE jobdata SET sealed =
    substr(sealed, 1, 200) || CASE substr(sealed, 201, 1) WHEN 'A' THEN 'B'
    ELSE 'A' END || substr(sealed, 202)"
cd_q tamper jobdata "$JID" -k "$W/jd.key" >"$W/tamper.out" 2>&1
check "changed byte: refused" test $? -ne 0
check "changed byte: \"not authentic\"" grep -q "not authentic" \
    "$W/tamper.out"

gw_ctl on show cycle:1 >"$W/show.out" 2>&1
check "show: exits 0" test $? -eq 0
check "show: the sealed form's SHA-256, in the document" grep -q \
    "sha256 $GSHA, in the document" "$W/show.out"
check "show: the plaintext" grep -qF '"owner":"jobs-owner-bob"' \
    "$W/show.out"
gw_verify on "on"
cp -a "$W/on" "$W/oncopy"
sqlite3 "$W/oncopy/callhome.db" "PRAGMA wal_checkpoint(TRUNCATE);
    UPDATE jobdata SET plain = replace(plain, 'alice', 'mallory')" \
    >/dev/null
sed "s|state \"$W/on\"|state \"$W/oncopy\"|" "$W/on.conf" |
    mkconf "$W/oncopy.conf"
gw_ctl oncopy verify >"$W/oncopy.verify" 2>&1
check "changed plaintext: callhomectl verify fails" test $? -ne 0
exit 0
