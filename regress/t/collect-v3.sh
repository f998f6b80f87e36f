#!/bin/sh
# SNMPv3 through the whole daemon: callhomed polls printers over SNMPv3
# (collectd's engine and common/usm.c) and stores them (auditd); what is
# checked is in the database, through "callhomectl devices -j".
#
# A printer walk (sharp.snmprec) is served by snmpsimd; net-snmp's snmpd,
# with its own system and HOST-RESOURCES modules off, proxies the walk's
# system, HOST-RESOURCES, Printer-MIB and Sharp subtrees, so that over
# SNMPv3 it is that printer.  snmpd listens on one loopback address per
# v3 user: noAuthNoPriv; SHA, SHA-224, SHA-256, SHA-384, SHA-512 without
# privacy and with AES, AES-192 and AES-256; MD5 alone, MD5 with AES and
# DES, SHA with DES (weak: "allow weak" in callhome.conf).
#
#   every combination   the same report as the walk polled over v2c from
#                       snmpsimd directly (and through snmpd's v2c), but
#                       for address, time and requests: identity, status,
#                       meters, supplies, alerts
#   weak algorithms     a warning in the log for each use
#   wrong auth password auth-failure (wrongDigest), not a timeout;
#   unknown user        auth-failure (unknownUserName);
#   wrong priv password auth-failure: the agent drops what it cannot
#                       decrypt and answers the user's authNoPriv request
#   same engine id      a second snmpd given the first one's engine id,
#                       proxying another printer (ricoh_mpc3002): both
#                       polled and reported, the second one named in the
#                       log and in its report's reason; the addresses of
#                       one snmpd (one printer) are not named
#   the chain           callhomectl verify
#   restart             the daemon running: a cycle, snmpd restarted on
#                       its persistent directory (engine boots + 1),
#                       another cycle: every v3 device answers again
# Every wait is bounded.

. "$TOP/regress/lib.sh"

CALLHOMED="$OBJ/callhomed"
CTL="$OBJ/callhomectl"
V3="$OBJ/regress/tools/snmpv3get"
WALK="$WALKS/sharp.snmprec"

if [ ! -x "$CALLHOMED" ] || [ ! -x "$CTL" ] || [ ! -x "$V3" ]; then
	fail setup "callhomed, callhomectl or snmpv3get not built"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	skip all "must run as root (configuration owned by root, snmpd)"
	exit 0
fi
for c in snmpd snmpget snmpsimd; do
	if ! command -v $c >/dev/null 2>&1; then
		skip all "$c not installed"
		exit 0
	fi
done
if [ ! -f "$WALK" ]; then
	skip all "no $WALK"
	exit 0
fi
ensure_user

W=$(mktemp -d /tmp/callhome-cv3.XXXXXX)
on_exit "rm -rf '$W'"
chmod 0755 "$W"

S=127.32.1.1			# snmpsimd: the printer walk
NET=127.32.2			# snmpd a: one address per user
B=127.32.3.1			# snmpd b: a's engine id
PS=$(free_port udp $S)
PA=$(free_port udp $NET.1)
PB=$(free_port udp $B)

# the users: NAME callhome-auth net-snmp-auth callhome-priv net-snmp-priv
cat >"$W/users" <<'EOF'
u_none_none - - - -
u_sha_none sha SHA - -
u_sha_aes sha SHA aes AES
u_sha_aes192 sha SHA aes192 AES-192
u_sha_aes256 sha SHA aes256 AES-256
u_sha224_none sha224 SHA-224 - -
u_sha224_aes sha224 SHA-224 aes AES
u_sha224_aes192 sha224 SHA-224 aes192 AES-192
u_sha224_aes256 sha224 SHA-224 aes256 AES-256
u_sha256_none sha256 SHA-256 - -
u_sha256_aes sha256 SHA-256 aes AES
u_sha256_aes192 sha256 SHA-256 aes192 AES-192
u_sha256_aes256 sha256 SHA-256 aes256 AES-256
u_sha384_none sha384 SHA-384 - -
u_sha384_aes sha384 SHA-384 aes AES
u_sha384_aes192 sha384 SHA-384 aes192 AES-192
u_sha384_aes256 sha384 SHA-384 aes256 AES-256
u_sha512_none sha512 SHA-512 - -
u_sha512_aes sha512 SHA-512 aes AES
u_sha512_aes192 sha512 SHA-512 aes192 AES-192
u_sha512_aes256 sha512 SHA-512 aes256 AES-256
u_md5_none md5 MD5 - -
u_md5_aes md5 MD5 aes AES
u_md5_des md5 MD5 des DES
u_sha_des sha SHA des DES
EOF
NGOOD=$(wc -l <"$W/users")

# the printer walk, community "sharp"
mkdir -p "$W/sim/data" "$W/sim/cache"
cp "$WALK" "$W/sim/data/sharp.snmprec"
cp "$WALKS/ricoh_mpc3002.snmprec" "$W/sim/data/ricoh.snmprec"
chmod -R a+rX "$W/sim"
chown nobody:nogroup "$W/sim/cache"
snmpsimd --v2c-arch --data-dir="$W/sim/data" --cache-dir="$W/sim/cache" \
    --agent-udpv4-endpoint=$S:$PS --process-user=nobody \
    --process-group=nogroup --logging-method=file:"$W/sim/snmpsimd.log" \
    >"$T/snmpsimd.out" 2>&1 &
SIMPID=$!
on_exit "kill $SIMPID 2>/dev/null; wait $SIMPID 2>/dev/null"
if wait_for 60 snmpget -v2c -c sharp -t 0.5 -r 0 $S:$PS 1.3.6.1.2.1.1.2.0
then
	pass "snmpsimd serves the walk"
else
	fail "snmpsimd serves the walk" "$(tail -n 3 "$T/snmpsimd.out")"
	exit 1
fi

# agent_conf DIR COMMUNITY VENDOR-OID [ENGINEID]: snmpd.conf, the users
# and the proxies to the walk of snmpsimd's COMMUNITY
agent_conf() {
	{
		[ -n "${4:-}" ] && echo "exactEngineID 0x$4"
		echo "rocommunity public 127.0.0.0/8"
		for o in .1.3.6.1.2.1.1 .1.3.6.1.2.1.25 .1.3.6.1.2.1.43 $3; do
			echo "proxy -v 2c -c $2 $S:$PS $o"
		done
		while read -r u ca na cp np; do
			if [ "$na" = - ]; then
				echo "createUser $u"
				echo "rouser -s usm $u noauth"
			elif [ "$np" = - ]; then
				echo "createUser $u $na auth-$u"
				echo "rouser -s usm $u auth"
			else
				echo "createUser $u $na auth-$u $np priv-$u"
				echo "rouser -s usm $u priv"
			fi
		done <"$W/users"
		# the failures: callhome.conf has other passwords for these
		echo "createUser u_bad_auth SHA-256 auth-u_bad_auth AES priv-u_bad_auth"
		echo "rouser -s usm u_bad_auth priv"
		echo "createUser u_bad_priv SHA-256 auth-u_bad_priv AES priv-u_bad_priv"
		echo "rouser -s usm u_bad_priv priv"
	} >"$W/$1/snmpd.conf"
	chmod 0644 "$W/$1/snmpd.conf"
}

# the addresses of snmpd a: one per user, then the failures, then v2c
i=0
LISTEN=""
while read -r u rest; do
	i=$((i + 1))
	echo "$NET.$i $u" >>"$W/addrs"
	LISTEN="$LISTEN${LISTEN:+,}udp:$NET.$i:$PA"
done <"$W/users"
for u in u_bad_auth u_bad_priv u_unknown v2c; do
	i=$((i + 1))
	echo "$NET.$i $u" >>"$W/addrs"
	LISTEN="$LISTEN${LISTEN:+,}udp:$NET.$i:$PA"
done
addr_of() { awk -v u="$1" '$2 == u { print $1 }' "$W/addrs"; }

# start_snmpd NAME LISTEN ADDR PORT: sets SNMPD_PID
start_snmpd() {
	SNMPCONFPATH="$W/$1:$W/$1/persist" SNMP_PERSISTENT_DIR="$W/$1/persist" \
	    MIBS="" MIBDIRS="$W/$1" snmpd -f -Lo -p "$W/$1/pid" \
	    -u nobody -g nogroup \
	    -I -system_mib,sysORTable,host,hr_device,hr_system,hr_storage,hr_disk,hr_filesys,hr_network,hr_proc,hr_swinst,hr_swrun,hr_print,hr_other \
	    "$2" >>"$T/snmpd-$1.out" 2>&1 &
	SNMPD_PID=$!
	on_exit "kill $SNMPD_PID 2>/dev/null; wait $SNMPD_PID 2>/dev/null"
	wait_for 20 snmpget -v2c -c public -t 0.5 -r 0 "$3:$4" \
	    1.3.6.1.2.1.1.2.0
}

stop_snmpd() {
	kill "$1" 2>/dev/null
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# engine NAME ADDR PORT: "ENGINEID BOOTS" of an snmpd, by the codec's tool
engine() {
	timeout 20 "$V3" -e -u u_none_none "$2:$3" 1.3.6.1.2.1.1.2.0 \
	    2>"$T/engine-$1.err" >/dev/null
	sed -n 's/^engine \([0-9a-f]*\) boots \([0-9]*\) .*/\1 \2/p' \
	    "$T/engine-$1.err" | head -n 1
}

mkdir -p "$W/a/persist" "$W/b/persist"
chown nobody:nogroup "$W/a/persist" "$W/b/persist"
agent_conf a sharp .1.3.6.1.4.1.2385
if start_snmpd a "$LISTEN" $NET.1 $PA; then
	APID=$SNMPD_PID
	pass "snmpd a answers on $i addresses"
else
	fail "snmpd a starts" "$(tail -n 3 "$T/snmpd-a.out")"
	exit 1
fi
set -- $(engine a $NET.1 $PA)
ENGINE=${1:-}
BOOTS1=${2:-}
check "snmpd a has an engine id ($ENGINE, boots $BOOTS1)" test -n "$ENGINE"
agent_conf b ricoh .1.3.6.1.4.1.367 "$ENGINE"
if start_snmpd b "udp:$B:$PB" $B $PB; then
	BPID=$SNMPD_PID
	set -- $(engine b $B $PB)
	check "snmpd b has a's engine id (${1:-none})" test "${1:-}" = "$ENGINE"
else
	fail "snmpd b starts" "$(tail -n 3 "$T/snmpd-b.out")"
fi

# callhome.conf: every user, a device for each, the failures, v2c ones
{
	echo 'user "_callhome"'
	echo "state \"$W/state\""
	echo "socket \"$W/ctl.sock\""
	echo "profiles \"$TOP/etc/profiles\""
	echo 'snmp timeout 2s retries 1'
	while read -r u ca na cp np; do
		l="snmpv3 user \"$u\""
		[ "$ca" != - ] && l="$l auth $ca \"auth-$u\""
		[ "$cp" != - ] && l="$l priv $cp \"priv-$u\""
		case "$ca$cp" in *md5*|*des*) l="$l allow weak" ;; esac
		echo "$l"
		echo "device $(addr_of $u) port $PA user \"$u\""
	done <"$W/users"
	echo 'snmpv3 user "u_bad_auth" auth sha256 "wrong-password" priv aes "priv-u_bad_auth"'
	echo "device $(addr_of u_bad_auth) port $PA user \"u_bad_auth\""
	echo 'snmpv3 user "u_bad_priv" auth sha256 "auth-u_bad_priv" priv aes "wrong-privacy"'
	echo "device $(addr_of u_bad_priv) port $PA user \"u_bad_priv\""
	echo 'snmpv3 user "u_unknown" auth sha256 "auth-u_unknown" priv aes "priv-u_unknown"'
	echo "device $(addr_of u_unknown) port $PA user \"u_unknown\""
	echo "device $(addr_of v2c) port $PA community \"public\""
	echo "device $S port $PS community \"sharp\""
	echo "device $B port $PB user \"u_sha256_aes\""
} | mkconf "$W/callhome.conf"

timeout 120 "$CALLHOMED" -1 -f "$W/callhome.conf" >"$T/run.out" 2>&1
rc=$?
echo "# callhomed -1: status $rc"
check "callhomed -1 ends, non-zero (3 auth-failures): $rc" test $rc -eq 1
want="cycle 1 (once): $((NGOOD + 6)) devices: $((NGOOD + 3)) ok, 3 auth-failure"
check "summary: $want" grep -qxF "$want" "$T/run.out"
"$CTL" -f "$W/callhome.conf" devices -j >"$T/devices.json" 2>"$T/ctl.err"
check "callhomectl devices -j" test -s "$T/devices.json"

# every v3 device (and snmpd's v2c) reports what the walk over v2c does:
# the rows of the database, report by report (they are all one printer,
# one device of "callhomectl devices")
pyrun "same as v2c" - "$W/state/callhome.db" "$W/addrs" "$S:$PS" "$PA" \
    "$B:$PB" <<'EOF2'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
VOLATILE = ("id", "cycle_id", "device_id", "ordinal", "address",
    "collected", "requests", "state_since", "reason")
cols = [r[1] for r in db.execute("PRAGMA table_info(reports)")
    if r[1] not in VOLATILE]
def report(addr):
    r = db.execute("SELECT id, %s FROM reports WHERE address = ?" %
        ", ".join(cols), (addr,)).fetchone()
    if r is None:
        return None
    rows = {}
    for t in ("meters", "supplies", "alerts"):
        rows[t] = db.execute("SELECT * FROM %s WHERE report_id = ? "
            "ORDER BY ordinal" % t, (r[0],)).fetchall()
        rows[t] = [x[1:] for x in rows[t]]
    return dict(zip(cols, r[1:])), rows
def res(ok, name, why=""):
    print(("PASS\t%s" % name) if ok else ("FAIL\t%s\t%s" % (name, why)))
ref = report(sys.argv[3])
res(ref is not None and ref[0]["outcome"] == 0 and
    ref[0]["serial"] == "6509415X00" and len(ref[1]["meters"]) > 0 and
    len(ref[1]["supplies"]) > 0, "the v2c reference is the printer",
    str(ref)[:300])
if ref is None:
    sys.exit(0)
for line in open(sys.argv[2]):
    addr, user = line.split()
    if user in ("u_bad_auth", "u_bad_priv", "u_unknown"):
        continue
    name = "%s (%s)" % (user, addr)
    got = report("%s:%s" % (addr, sys.argv[4]))
    if got is None:
        res(False, name, "not reported")
        continue
    diff = [k for k in cols if got[0][k] != ref[0][k]]
    diff += [t for t in got[1] if got[1][t] != ref[1][t]]
    res(not diff, name + ": the v2c report (%d meters, %d supplies)" %
        (len(got[1]["meters"]), len(got[1]["supplies"])),
        "; ".join("%s: %r != %r" % (k, got[0].get(k, got[1].get(k)),
        ref[0].get(k, ref[1].get(k))) for k in diff[:3])[:400])
got = report(sys.argv[5])
res(got is not None and got[0]["outcome"] == 0 and
    got[0]["serial"] == "W492KB03439", "snmpd b (a's engine id, another "
    "printer) is polled too", str(got)[:200])
EOF2

# the failures: auth-failure with its reason, never a timeout
pyrun "failures" - "$T/devices.json" "$W/addrs" "$PA" <<'EOF'
import json, sys
devs = {d["address"]: d for d in json.load(open(sys.argv[1]))["devices"]}
addr = {l.split()[1]: l.split()[0] for l in open(sys.argv[2])}
want = {"u_bad_auth": "wrongDigest", "u_unknown": "unknownUserName",
    "u_bad_priv": "wrong privacy password"}
for u, why in sorted(want.items()):
    d = devs.get("%s:%s" % (addr[u], sys.argv[3]))
    ok = d is not None and d["status"] == "auth-failure" and \
        why in (d["reason"] or "") and d["state"] == "auth-failure"
    print(("PASS\t%s: auth-failure (%s)" % (u, why)) if ok else
        "FAIL\t%s: auth-failure (%s)\t%s" % (u, why, json.dumps(d)[:300]))
EOF

# weak algorithms: a warning for each use
for u in u_md5_none u_md5_aes u_md5_des u_sha_des; do
	check "weak algorithm of $u: a warning" grep -q \
	    "$(addr_of $u):$PA: SNMPv3 user \"$u\" uses weak" "$T/run.out"
done
check "no warning for a strong user" sh -c \
    "! grep -q 'user \"u_sha256_aes\" uses weak' '$T/run.out'"

# two agents, one engine id: the log and the second one's reason
check "same engine id: in the log, once (snmpd b)" test "$(grep -c \
    "SNMPv3 engine id $ENGINE is also" "$T/run.out")" -eq 1
check "same engine id: b named" grep -q \
    "$B:$PB: SNMPv3 engine id $ENGINE is also" "$T/run.out"
check "same engine id: in a report's reason" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))["devices"]
assert any("SNMPv3 engine id %s is also" % sys.argv[2] in (x["reason"] or "")
    for x in d), [x["reason"] for x in d]
' "$T/devices.json" "$ENGINE"
check "callhomectl verify" "$CTL" -f "$W/callhome.conf" verify
check "no process died" sh -c "! grep -q 'is gone\\|killed by signal' \
    '$T/run.out'"

# the daemon running: a cycle, snmpd restarted (boots + 1), a cycle
rm -rf "$W/state"
{
	echo 'user "_callhome"'
	echo "state \"$W/state\""
	echo "socket \"$W/ctl.sock\""
	echo "profiles \"$TOP/etc/profiles\""
	echo 'snmp timeout 2s retries 1'
	for u in u_sha256_aes u_sha512_aes256 u_sha_none; do
		grep "^snmpv3 user \"$u\"" "$W/callhome.conf"
		echo "device $(addr_of $u) port $PA user \"$u\""
	done
} | mkconf "$W/restart.conf"
"$CALLHOMED" -d -f "$W/restart.conf" >"$T/daemon.log" 2>&1 &
DPID=$!
on_exit "kill $DPID 2>/dev/null; wait $DPID 2>/dev/null"
if ! wait_for 20 grep -q "startup complete" "$T/daemon.log"; then
	fail "daemon starts" "$(tail -n 3 "$T/daemon.log")"
	exit 1
fi
cycle_ok() {	# cycle_ok N: cycle N stored, 3 devices ok
	[ "$(sqlite3 -readonly "$W/state/callhome.db" \
	    "SELECT n_ok FROM cycles WHERE id = $1 AND finished IS NOT NULL" \
	    2>/dev/null)" = 3 ]
}
"$CTL" -f "$W/restart.conf" collect >/dev/null 2>&1
check "restart: cycle 1, 3 v3 devices ok" wait_for 60 cycle_ok 1
stop_snmpd $APID
if start_snmpd a "$LISTEN" $NET.1 $PA; then
	APID=$SNMPD_PID
fi
set -- $(engine a $NET.1 $PA)
check "restart: snmpd a restarted, engine boots $BOOTS1 -> ${2:-?}" \
    test "${1:-}" = "$ENGINE" -a "${2:-0}" -gt "$BOOTS1"
"$CTL" -f "$W/restart.conf" collect >/dev/null 2>&1
check "restart: cycle 2, the 3 v3 devices ok again" wait_for 60 cycle_ok 2
check "restart: verify" "$CTL" -f "$W/restart.conf" verify
exit 0
