#!/bin/sh
# Check-in, signed instructions and packages, end to end: a gateway
# (callhomed -d) checks in with commsd over mutual TLS; the bundles and
# packages are made by Debian's signify-openbsd, as an operator would.
#
#   first check-in  "callhomectl checkin": one "checkin" record, 0 bundles;
#                   status shows the last check-in and the next one
#   after upload    the upload of the instructed cycle is followed by a
#                   check-in of its own ("check-in (after upload)")
#   periodic        "checkin every 10s" (reload): check-ins come by
#                   themselves ("check-in (schedule)"), two within 35 s
#   collect now     a bundle "collect now" (sequence 1): a cycle of reason
#                   "instruction", an "instruction" record "started"; the
#                   accepted sequence is kept (gateway_state.last_seq 1)
#                   and the next check-in says LastSequence 1 (commsd
#                   serves nothing more)
#   software        with "allow packages profile software", a software
#                   package is fetched, verified and stored (a "download"
#                   record "staged, not run", its file, its row); nothing
#                   runs it
#   profile package "package profile acme 1 SHA SIZE" with the file and its
#                   signature in commsd's packages directory: a "download"
#                   record, a packages row, the file in the state
#                   directory's packages/ with the signed bytes; the next
#                   collection reads the printer the new profile matches
#                   with its vendor and meter
#   key rotation    the trust file holds the old and the new key: a
#                   bundle of each verifies; the old key removed (reload):
#                   a bundle of the old key is unknown-key
#   attacks         each one is refused, does nothing (no instruction
#                   record, no cycle, no package) and is exactly one
#                   "verify-failure" record with its reason word:
#                   bad-signature (a changed byte), unknown-key (a rogue
#                   key), replay (commsd's "fault replay" serves an
#                   accepted bundle again), expired, not-yet-valid,
#                   wrong-gateway, unknown-instruction, policy (an
#                   "instruction" record refused: schedule not allowed;
#                   software packages not allowed), hash-mismatch (a
#                   package whose bytes are not the signed ones),
#                   rollback (an older version), size-exceeded (the
#                   server's file is longer than the signed size),
#                   timeout (commsd's "fault drip" sends a byte a second),
#                   unknown-key (a package signed with the instruction key)
#   status, log     callhomectl status shows the last instruction;
#                   callhomectl log lists the records, and so do the JSON,
#                   HTML and CSV reports; verify exits 0
#   sandbox         signerd's sandbox probe still passes (regress/t/
#                   sandbox.sh); here: signerd is alive after all of it,
#                   Seccomp 2 in its /proc status

. "$TOP/regress/lib.sh"
. "$TOP/regress/upload-lib.sh"

SIGNIFY=$(command -v signify-openbsd || command -v signify)
if [ -z "$SIGNIFY" ]; then
	skip all "signify-openbsd is not installed (apt-get install" \
	    "signify-openbsd)"
	exit 0
fi
up_setup || exit 0

# a printer of a vendor no profile of etc/profiles knows: enterprise
# 99998, a counter the acme profile names
mkdir -p "$W/walks"
cat >"$W/walks/acme.snmprec" <<'EOF'
1.3.6.1.2.1.1.1.0|4|Acme LaserThing 5
1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.99998.1.5
1.3.6.1.2.1.1.3.0|67|4242
1.3.6.1.2.1.1.5.0|4|acme-1
1.3.6.1.2.1.25.3.2.1.1.1|2|1
1.3.6.1.2.1.25.3.2.1.2.1|6|1.3.6.1.2.1.25.3.1.5
1.3.6.1.2.1.25.3.2.1.3.1|4|Acme LaserThing 5
1.3.6.1.2.1.25.3.2.1.5.1|2|2
1.3.6.1.2.1.25.3.5.1.1.1|2|3
1.3.6.1.2.1.43.5.1.1.17.1|4|ACME-0042
1.3.6.1.2.1.43.10.2.1.4.1.1|65|1000
1.3.6.1.4.1.99998.5.1.0|65|777
EOF
up_fleet 1 "$W/walks/acme.snmprec" || exit 1

K="$W/keys"
mkdir -p "$K" "$W/msgs"
key() {
	$SIGNIFY -G -n -c "callhome test $1" -p "$K/$1.pub" -s "$K/$1.sec"
}
for k in instr1 instr2 pkg1 rogue; do
	key $k || { fail "signify makes keys"; exit 1; }
done
cat "$K/instr1.pub" >"$K/instructions.pub"
cat "$K/pkg1.pub" >"$K/packages.pub"

ts() {
	date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ
}

PORT=$(free_port tcp)
SRV="$W/srv"
IN="$SRV/instructions/gw1"
PK="$SRV/packages"
cd_conf srv "$PORT" </dev/null
cd_start srv || exit 1
mkdir -p "$IN"
chown nobody "$IN"

# bundle NAME KEY SEQ [GATEWAY [ISSUED [EXPIRES]]] <<instructions: the
# signed bundle $IN/NAME.sig (its message in $W/msgs/NAME)
bundle() {
	{
		echo "callhome-instructions 1"
		echo "gateway ${4:-gw1}"
		echo "sequence $3"
		echo "issued ${5:-$(ts '-1 minute')}"
		echo "expires ${6:-$(ts '+1 day')}"
		cat
	} >"$W/msgs/$1"
	$SIGNIFY -S -e -s "$K/$2.sec" -m "$W/msgs/$1" -x "$IN/$1.sig"
}
# pkg NAME VERSION KEY <content: the file and NAME-VERSION.sig in
# commsd's packages directory; prints "SHA SIZE"
pkg() {
	cat >"$PK/$1-$2"
	$SIGNIFY -S -s "$K/$3.sec" -m "$PK/$1-$2" -x "$PK/$1-$2.sig"
	echo "$(sha256sum <"$PK/$1-$2" | cut -d' ' -f1) $(wc -c <"$PK/$1-$2")"
}

GW_TOP='trust instructions "'$K'/instructions.pub"
trust packages "'$K'/packages.pub"
allow packages profile'
gw_conf gw "$PORT" </dev/null
gw_start gw || exit 1

n() {
	gw_sql gw "SELECT count(*) FROM txlog WHERE $1"
}
# ci: a check-in, waited for (its record)
ci() {
	_ci=$(n "kind = 'checkin'")
	gw_ctl gw checkin >"$W/ci.out" 2>&1
	gw_wait_sql 30 gw "SELECT count(*) FROM txlog WHERE kind = 'checkin'" \
	    $((_ci + 1))
}
# snapshot / nothing_done LABEL: no instruction done, no cycle, no package
snapshot() {
	S_INS=$(n "kind = 'instruction' AND json_extract(detail, '\$.done')")
	S_CYC=$(gw_sql gw "SELECT count(*) FROM cycles")
	S_PKG=$(gw_sql gw "SELECT count(*) FROM packages")
	S_VF=$(n "kind = 'verify-failure'")
}
# nothing_done LABEL [FETCHES]: FETCHES instructions done (a package's
# fetch, which is what a good bundle asks), nothing else
nothing_done() {
	sleep 1		# what a refused bundle might still do, it has done
	check "$1: no instruction carried out${2:+ but the fetch}" test \
	    "$(n "kind = 'instruction' AND json_extract(detail, '\$.done')")" \
	    = $((S_INS + ${2:-0}))
	check "$1: no cycle" test "$(gw_sql gw "SELECT count(*) FROM cycles")" \
	    = "$S_CYC"
	check "$1: nothing installed" test \
	    "$(gw_sql gw "SELECT count(*) FROM packages")" = "$S_PKG"
}
# settle: the outbox delivered and the check-in after it made, so that
# none comes in the middle of the next step
settle() {
	wait_for 60 sh -c "test \"\$(sqlite3 -readonly '$W/gw/callhome.db' \
	    \"SELECT count(*) FROM outbox WHERE state = 'pending'\")\" = 0"
	_st=""
	while [ "$_st" != "$(n "kind = 'checkin'")" ]; do
		_st=$(n "kind = 'checkin'")
		sleep 2
	done
}
# refused LABEL REASON [FETCHES]: exactly one more verify-failure, of
# that reason
refused() {
	if gw_wait_sql 30 gw "SELECT count(*) FROM txlog WHERE
	    kind = 'verify-failure'" $((S_VF + 1)); then
		_r=$(gw_sql gw "SELECT json_extract(detail, '\$.reason') FROM
		    txlog WHERE kind = 'verify-failure' ORDER BY seq DESC
		    LIMIT 1")
		check "$1: one verify-failure record, reason $2" test "$_r" = "$2"
	else
		fail "$1: one verify-failure record, reason $2" "none came"
	fi
	nothing_done "$1" "${3:-}"
	check "$1: exactly one record" test \
	    "$(n "kind = 'verify-failure'")" = $((S_VF + 1))
}

# ---- the first check-in: nothing to do
check "first: callhomectl checkin asks for one" ci
check "first: 0 bundles" test "$(gw_sql gw "SELECT json_extract(detail,
    '\$.bundles') FROM txlog WHERE kind = 'checkin' ORDER BY seq DESC
    LIMIT 1")" = 0
gw_ctl gw status >"$W/status1" 2>&1
check "first: status, last check-in" grep -q "^last check-in: .*: delivered" \
    "$W/status1"
check "first: status, next check-in" grep -q "^next check-in: " "$W/status1"

# ---- collect now
bundle b1 instr1 1 <<'EOF'
collect now
EOF
snapshot
ci
check "collect now: a cycle of reason instruction" gw_wait_sql 60 gw \
    "SELECT count(*) FROM cycles WHERE reason = 'instruction' AND
    finished IS NOT NULL" 1
check "collect now: an instruction record, done" test "$(n "kind =
    'instruction' AND json_extract(detail, '\$.done') AND summary LIKE
    '%collect now: started%'")" = 1
check "collect now: the sequence is kept" gw_wait_sql 5 gw \
    "SELECT last_seq FROM gateway_state" 1
settle
check "after upload: a check-in of its own" grep -q \
    "check-in (after upload)" "$W/gw.d.log"
check "collect now: no verify-failure" test "$(n "kind = 'verify-failure'")" \
    = "$S_VF"
# the next check-in says LastSequence 1: commsd serves nothing
ci
check "collect now: the next check-in brings nothing" test \
    "$(gw_sql gw "SELECT json_extract(detail, '\$.bundles') FROM txlog
    WHERE kind = 'checkin' ORDER BY seq DESC LIMIT 1")" = 0
rm -f "$IN/b1.sig"

# ---- the profile package
check "profile: before, acme's printer has no vendor meter" test \
    "$(gw_sql gw "SELECT count(*) FROM meters WHERE name = 'acme-total'")" = 0
set -- $(printf 'vendor "Acme"\nmatch enterprise 99998\nmeter acme-total 1.3.6.1.4.1.99998.5.1.0 unit impressions\n' |
    pkg acme 1 pkg1)
bundle b2 instr1 2 <<EOF
package profile acme 1 $1 $2
EOF
ci
check "profile: a download record" gw_wait_sql 30 gw \
    "SELECT count(*) FROM txlog WHERE kind = 'download'" 1
check "profile: a packages row" test "$(gw_sql gw "SELECT kind || ' ' ||
    name || ' ' || version || ' ' || sha256 FROM packages")" = \
    "profile acme 1 $1"
check "profile: the installed file is the signed one" cmp "$PK/acme-1" \
    "$W/gw/packages/acme-1"
rm -f "$IN/b2.sig"
C0=$(gw_sql gw "SELECT count(*) FROM cycles")
gw_ctl gw collect >/dev/null 2>&1
gw_wait_sql 60 gw "SELECT count(*) FROM cycles WHERE finished IS NOT NULL" \
    $((C0 + 1))
check "profile: the next cycle reads the new meter" test \
    "$(gw_sql gw "SELECT m.value FROM meters m JOIN reports r ON
    r.id = m.report_id WHERE m.name = 'acme-total' AND r.cycle_id =
    (SELECT max(id) FROM cycles)")" = 777
check "profile: and the vendor" test "$(gw_sql gw "SELECT vendor FROM
    reports WHERE cycle_id = (SELECT max(id) FROM cycles) AND sysobjectid
    LIKE '%99998%'")" = Acme
settle

# ---- attacks on bundles
seq=3
attack() {	# attack LABEL REASON: the bundle $IN/x.sig is in place
	snapshot
	ci
	refused "$1" "$2"
	rm -f "$IN"/*.sig
}
bundle x instr1 $seq <<'EOF'
collect now
EOF
# a changed byte of the message: "collect" to "Collect"
sed -i 's/^collect now$/Collect now/' "$IN/x.sig"
attack "bad signature" bad-signature
bundle x rogue $seq <<'EOF'
collect now
EOF
attack "untrusted key" unknown-key
bundle x instr1 $seq gw1 "$(ts '-2 days')" "$(ts '-1 day')" <<'EOF'
collect now
EOF
attack "expired" expired
bundle x instr1 $seq gw1 "$(ts '+1 hour')" "$(ts '+1 day')" <<'EOF'
collect now
EOF
attack "not yet valid" not-yet-valid
bundle x instr1 $seq gw2 <<'EOF'
collect now
EOF
attack "another gateway" wrong-gateway
bundle x instr1 $seq <<'EOF'
reboot now
EOF
attack "unknown instruction" unknown-instruction

# replay: a commsd that serves every bundle, whatever LastSequence says
cd_stop
echo "fault replay" >>"$W/srv.conf"
cd_start srv || exit 1
bundle x instr1 1 <<'EOF'
collect now
EOF
attack "replay" replay
cd_stop
sed -i '/^fault replay$/d' "$W/srv.conf"
cd_start srv || exit 1

# ---- the policy
bundle x instr1 $seq <<'EOF'
schedule daily 03:00
EOF
snapshot
ci
check "policy: an instruction record, refused with reason policy" \
    gw_wait_sql 30 gw "SELECT count(*) FROM txlog WHERE kind = 'instruction'
    AND NOT json_extract(detail, '\$.done') AND json_extract(detail,
    '\$.reason') = 'policy'" 1
nothing_done "policy"
check "policy: the schedule is not changed" test \
    "$(gw_sql gw "SELECT sched_minute FROM gateway_state")" = -1
rm -f "$IN"/*.sig
seq=$((seq + 1))
set -- $(echo "a program" | pkg tool 1 pkg1)
bundle x instr1 $seq <<EOF
package software tool 1 $1 $2
EOF
snapshot
ci
check "policy: a software package is refused" gw_wait_sql 30 gw \
    "SELECT count(*) FROM txlog WHERE kind = 'instruction' AND NOT
    json_extract(detail, '\$.done') AND summary LIKE '%software%'" 1
sleep 2
check "policy: and not fetched" test "$(n "kind = 'download'")" = 1
rm -f "$IN"/*.sig
seq=$((seq + 1))

# ---- a software package, once the policy allows it: stored, not run
GW_TOP='trust instructions "'$K'/instructions.pub"
trust packages "'$K'/packages.pub"
allow packages profile software'
gw_conf gw "$PORT" </dev/null
check "software: reload with software packages allowed" gw_ctl gw reload
set -- $(printf '#!/bin/sh\necho never run\n' | pkg tool 2 pkg1)
bundle x instr1 $seq <<EOF
package software tool 2 $1 $2
EOF
ci
check "software: a download record, staged" gw_wait_sql 30 gw \
    "SELECT count(*) FROM txlog WHERE kind = 'download' AND summary LIKE
    '%software package tool-2 installed%staged, not run%'" 1
check "software: its row" test "$(gw_sql gw "SELECT kind FROM packages
    WHERE name = 'tool'")" = software
check "software: its file, as signed, not executable" sh -c \
    "cmp '$PK/tool-2' '$W/gw/packages/tool-2' &&
    ! test -x '$W/gw/packages/tool-2'"
rm -f "$IN"/*.sig
seq=$((seq + 1))
GW_TOP='trust instructions "'$K'/instructions.pub"
trust packages "'$K'/packages.pub"
allow packages profile'
gw_conf gw "$PORT" </dev/null
gw_ctl gw reload >/dev/null 2>&1

# ---- attacks on packages: the bundle is good, the package is not
pkg_attack() {	# LABEL REASON: after the bundle x
	snapshot
	ci
	refused "$1" "$2" 1
	rm -f "$IN"/*.sig
	seq=$((seq + 1))
}
# hash: the server's file, of the same size and signed with the package
# key, is not the one the instruction names
set -- $(printf 'vendor "Acme"\nmatch enterprise 99998\n' | pkg acme 2 pkg1)
printf 'vendor "Evil"\nmatch enterprise 99998\n' | pkg acme 2 pkg1 >/dev/null
bundle x instr1 $seq <<EOF
package profile acme 2 $1 $2
EOF
pkg_attack "hash" hash-mismatch
# rollback: version 1 is installed; version 1 again, signed, is not
# newer
set -- $(printf 'vendor "Acme"\nmatch enterprise 99998\n' | pkg acme 1 pkg1)
bundle x instr1 $seq <<EOF
package profile acme 1 $1 $2
EOF
pkg_attack "older version" rollback
# the server sends more than the signed size
set -- $(printf 'vendor "Acme"\nmatch enterprise 99998\n' | pkg acme 3 pkg1)
printf 'vendor "Acme"\nmatch enterprise 99998\n# and much more\n' \
    >"$PK/acme-3"
bundle x instr1 $seq <<EOF
package profile acme 3 $1 $2
EOF
pkg_attack "more bytes than signed" size-exceeded
# signed with the instruction key
set -- $(printf 'vendor "Acme"\nmatch enterprise 99998\n' | pkg acme 4 instr1)
bundle x instr1 $seq <<EOF
package profile acme 4 $1 $2
EOF
pkg_attack "package signed with the instruction key" unknown-key
# dripping: a byte a second, past the fetch's deadline
cd_stop
echo "fault drip" >>"$W/srv.conf"
cd_start srv || exit 1
set -- $(printf 'vendor "Acme"\nmatch enterprise 99998\n# drip\n' |
    pkg acme 5 pkg1)
bundle x instr1 $seq <<EOF
package profile acme 5 $1 $2
EOF
snapshot
ci
if gw_wait_sql 60 gw "SELECT count(*) FROM txlog WHERE
    kind = 'verify-failure'" $((S_VF + 1)); then
	check "dripping: reason timeout" test "$(gw_sql gw "SELECT
	    json_extract(detail, '\$.reason') FROM txlog WHERE kind =
	    'verify-failure' ORDER BY seq DESC LIMIT 1")" = timeout
else
	fail "dripping: reason timeout" "no record in 60 s"
fi
nothing_done "dripping" 1
rm -f "$IN"/*.sig
seq=$((seq + 1))
cd_stop
sed -i '/^fault drip$/d' "$W/srv.conf"
cd_start srv || exit 1
check "packages: only acme 1 and tool 2 are installed" test "$(gw_sql gw \
    "SELECT group_concat(name || '-' || version) FROM (SELECT * FROM
    packages ORDER BY name)")" = acme-1,tool-2
check "packages: no other file in the package store" test \
    "$(ls "$W/gw/packages" | grep -v '^\.' | tr '\n' ' ')" = \
    "acme-1 tool-2 "

# ---- key rotation: the old and the new key, then the new one alone
cat "$K/instr1.pub" "$K/instr2.pub" >"$K/instructions.pub"
gw_ctl gw reload >/dev/null 2>&1
bundle x instr2 $seq <<'EOF'
upload now
EOF
snapshot
ci
check "rotation: the new key verifies" gw_wait_sql 30 gw \
    "SELECT last_seq FROM gateway_state" $seq
rm -f "$IN"/*.sig
seq=$((seq + 1))
bundle x instr1 $seq <<'EOF'
upload now
EOF
ci
check "rotation: the old key still verifies during the overlap" \
    gw_wait_sql 30 gw "SELECT last_seq FROM gateway_state" $seq
rm -f "$IN"/*.sig
seq=$((seq + 1))
cat "$K/instr2.pub" >"$K/instructions.pub"
check "rotation: reload with the new key alone" gw_ctl gw reload
bundle x instr1 $seq <<'EOF'
upload now
EOF
attack "rotation: the removed key" unknown-key

# ---- what a reviewer sees
gw_ctl gw status >"$W/status2" 2>&1
check "status: the last instruction" grep -q "^last instruction: " \
    "$W/status2"
gw_ctl gw log >"$W/log.out" 2>&1
check "log: checkin, instruction, download and verify-failure records" \
    sh -c "grep -q checkin '$W/log.out' && grep -q instruction '$W/log.out' &&
    grep -q download '$W/log.out' && grep -q verify-failure '$W/log.out'"
gw_ctl gw report json >"$W/report.json" 2>&1
pycheck "report json: the records of each kind" "$W/report.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
def kinds(o):
    if isinstance(o, dict):
        if "kind" in o:
            yield o["kind"]
        for v in o.values():
            yield from kinds(v)
    elif isinstance(o, list):
        for v in o:
            yield from kinds(v)
k = set(kinds(r))
for want in ("checkin", "instruction", "download", "verify-failure"):
    assert want in k, (want, k)
EOF
for f in html csv; do
	gw_ctl gw report $f >"$W/report.$f" 2>&1
	check "report $f: check-in, instruction, download, verify-failure" \
	    sh -c "grep -q checkin '$W/report.$f' &&
	    grep -q instruction '$W/report.$f' &&
	    grep -q download '$W/report.$f' &&
	    grep -q verify-failure '$W/report.$f'"
done

# ---- periodic check-ins, by themselves
GW_TOP='trust instructions "'$K'/instructions.pub"
trust packages "'$K'/packages.pub"
allow packages profile
checkin every 10s'
gw_conf gw "$PORT" </dev/null
check "periodic: reload with checkin every 10s" gw_ctl gw reload
check "periodic: two check-ins come by themselves within 35 s" wait_for 35 \
    sh -c "[ \$(grep -c 'check-in (schedule)' '$W/gw.d.log') -ge 2 ]"
SD=$(child_named "$GW_PID" signerd)
check "signerd: alive after all of it" test -n "$SD"
check "signerd: in its seccomp sandbox" grep -q "^Seccomp:[[:space:]]*2" \
    "/proc/$SD/status"
gw_verify gw "after check-ins"
gw_stop
cd_stop
