#!/bin/sh
# SNMPv3 of the project's own codec and USM (common/snmp.c, common/usm.c,
# through regress/tools/snmpv3get) against net-snmp's snmpd.
#
# snmpd runs unprivileged on a loopback address with its own configuration
# and persistent directory; it serves its own MIB-II and, through its
# "proxy" directive, the Printer-MIB and Sharp subtrees of a real printer
# walk served by snmpsimd.  One v3 user per combination snmpd supports:
# noAuthNoPriv; SHA, SHA-224, SHA-256, SHA-384, SHA-512 without privacy
# and with AES, AES-192 and AES-256; MD5 with AES and DES, SHA with DES
# (weak: need -W).
#
#   every combination   the same values as snmpget/snmpwalk -v2c on the
#                       same agent (Get of four system objects, GetBulk
#                       walks of sysORTable, ifDescr, Printer-MIB, Sharp)
#   the printer walk    the Printer-MIB values over v3 are the walk's
#   wrong auth password "auth-failure: wrongDigest", answered, not a
#                       timeout; unknown user: unknownUserName; a level
#                       above the user's: unsupportedSecLevel
#   wrong priv password net-snmp answers nothing (it cannot parse what it
#                       decrypted, and sends no report): shown as such
#   MD5 or DES without -W refused before anything is sent; with -W, DES
#   (with SHA and with MD5) collects what v2c does
#   restart             snmpd restarted on the same persistent directory
#                       (engine boots + 1): the same process recovers
#                       through the authenticated notInTimeWindows report
#   same engine id      a second snmpd given the first one's engine id:
#                       both identified by it, each polled on its own
# Every wait is bounded.

. "$TOP/regress/lib.sh"

V3="$OBJ/regress/tools/snmpv3get"
WALK="$WALKS/sharp.snmprec"

if [ ! -x "$V3" ]; then
	fail setup "$V3 not built"
	exit 1
fi
for c in snmpd snmpget snmpwalk snmpsimd; do
	if ! command -v $c >/dev/null 2>&1; then
		skip all "$c not installed"
		exit 0
	fi
done
if [ ! -f "$WALK" ]; then
	skip all "no $WALK"
	exit 0
fi

# scratch that snmpd and snmpsimd (as nobody) can read
W=$(mktemp -d /tmp/callhome-v3.XXXXXX)
on_exit "rm -rf '$W'"
chmod 0755 "$W"
RUNAS=
SIMAS=
if [ "$(id -u)" -eq 0 ]; then
	RUNAS="-u nobody -g nogroup"
	SIMAS="--process-user=nobody --process-group=nogroup"
fi

A=127.31.1.1		# snmpd
B=127.31.1.2		# snmpd with A's engine id
S=127.31.1.3		# snmpsimd
PA=$(free_port udp $A)
PB=$(free_port udp $B)
PS=$(free_port udp $S)

# the printer walk, community "sharp"
mkdir -p "$W/sim/data" "$W/sim/cache"
cp "$WALK" "$W/sim/data/sharp.snmprec"
chmod -R a+rX "$W/sim"
[ -n "$SIMAS" ] && chown nobody:nogroup "$W/sim/cache"
# shellcheck disable=SC2086
snmpsimd --v2c-arch --data-dir="$W/sim/data" --cache-dir="$W/sim/cache" \
    --agent-udpv4-endpoint=$S:$PS $SIMAS \
    --logging-method=file:"$W/sim/snmpsimd.log" >"$T/snmpsimd.out" 2>&1 &
SIMPID=$!
on_exit "kill $SIMPID 2>/dev/null; wait $SIMPID 2>/dev/null"
if wait_for 60 snmpget -v2c -c sharp -t 0.5 -r 0 $S:$PS 1.3.6.1.2.1.1.2.0
then
	pass "snmpsimd serves the walk"
else
	fail "snmpsimd serves the walk" "$(tail -n 3 "$T/snmpsimd.out")"
	exit 1
fi

AUTHS="SHA SHA-224 SHA-256 SHA-384 SHA-512"
PRIVS="none AES AES-192 AES-256"
# user names: u_<auth>_<priv> in lower case without '-'
v3user() { echo "u_$1_$2" | tr 'A-Z' 'a-z' | tr -d '-'; }

# agent.conf for an snmpd: ENGINEID (empty: its own)
agent_conf() {
	{
		[ -n "$1" ] && echo "exactEngineID 0x$1"
		echo "rocommunity public 127.0.0.0/8"
		echo "sysName callhome-v3"
		echo "sysLocation regress"
		echo "sysContact nobody"
		echo "proxy -v 2c -c sharp $S:$PS .1.3.6.1.2.1.43"
		echo "proxy -v 2c -c sharp $S:$PS .1.3.6.1.4.1.2385"
		echo "createUser u_none_none"
		echo "rouser -s usm u_none_none noauth"
		for a in $AUTHS; do
			for p in $PRIVS; do
				u=$(v3user $a $p)
				if [ $p = none ]; then
					echo "createUser $u $a auth-$u"
					echo "rouser -s usm $u auth"
				else
					echo "createUser $u $a auth-$u $p priv-$u"
					echo "rouser -s usm $u priv"
				fi
			done
		done
		echo "createUser u_md5_aes MD5 auth-u_md5_aes AES priv-u_md5_aes"
		echo "rouser -s usm u_md5_aes priv"
		echo "createUser u_md5_des MD5 auth-u_md5_des DES priv-u_md5_des"
		echo "rouser -s usm u_md5_des priv"
		echo "createUser u_sha_des SHA auth-u_sha_des DES priv-u_sha_des"
		echo "rouser -s usm u_sha_des priv"
	} >"$W/$2/snmpd.conf"
	chmod 0644 "$W/$2/snmpd.conf"
}

# start_snmpd NAME ADDR PORT: the agent of $W/NAME; sets SNMPD_PID.  Its
# configuration path is its own directory and its persistent directory
# (-C would skip the persistent file too: a new engine id at each start)
start_snmpd() {
	# shellcheck disable=SC2086
	SNMPCONFPATH="$W/$1:$W/$1/persist" SNMP_PERSISTENT_DIR="$W/$1/persist" \
	    MIBS="" MIBDIRS="$W/$1" snmpd -f -Lo -p "$W/$1/pid" $RUNAS \
	    "udp:$2:$3" >>"$T/snmpd-$1.out" 2>&1 &
	SNMPD_PID=$!
	on_exit "kill $SNMPD_PID 2>/dev/null; wait $SNMPD_PID 2>/dev/null"
	wait_for 20 snmpget -v2c -c public -t 0.5 -r 0 "$2:$3" \
	    1.3.6.1.2.1.1.5.0
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

mkdir -p "$W/a/persist" "$W/b/persist"
[ -n "$RUNAS" ] && chown nobody:nogroup "$W/a/persist" "$W/b/persist"
agent_conf "" a
if start_snmpd a $A $PA; then
	APID=$SNMPD_PID
	pass "snmpd answers v2c"
else
	fail "snmpd answers v2c" "$(tail -n 3 "$T/snmpd-a.out")"
	exit 1
fi

# net-snmp's output (-On -Oe -Ox) in the tool's OID|TAG|VALUE form
cat >"$T/rec.py" <<'EOF'
import sys

def printable(b):
    if len(b) > 0 and (b[0] == 0x20 or b[-1] == 0x20):
        return False
    return all(0x20 <= c <= 0x7e for c in b)

def octets(b):
    if printable(b):
        return "4|" + b.decode()
    return "4x|" + b.hex()

NUM = {"INTEGER: ": 2, "Counter32: ": 65, "Gauge32: ": 66,
       "Counter64: ": 70}
lines, cur = [], None
for raw in sys.stdin:
    raw = raw.rstrip("\n")
    if raw.startswith("."):
        if cur is not None:
            lines.append(cur)
        cur = raw
    elif cur is not None:
        cur += " " + raw            # a Hex-STRING goes on
if cur is not None:
    lines.append(cur)
for l in lines:
    oid, sep, val = l.partition(" = ")
    if not sep:
        sys.exit("cannot read: " + l)
    oid = oid.lstrip(".")
    val = val.rstrip()
    if val.startswith("No more variables left"):
        continue
    if val.startswith("Hex-STRING: "):
        out = octets(bytes.fromhex(val[12:].replace(" ", "")))
    elif val == '""':
        out = "4|"
    elif val.startswith('STRING: "') and val.endswith('"'):
        out = octets(val[9:-1].encode())
    elif val.startswith("OID: "):
        out = "6|" + val[5:].lstrip(".")
    elif val.startswith("Timeticks: ("):
        out = "67|" + val[12:val.index(")")]
    elif val.startswith("IpAddress: "):
        out = "64|" + val[11:]
    elif any(val.startswith(k) for k in NUM):
        k = [k for k in NUM if val.startswith(k)][0]
        out = "%d|%s" % (NUM[k], val[len(k):])
    elif val.startswith("No Such Object"):
        out = "128|"
    elif val.startswith("No Such Instance"):
        out = "129|"
    else:
        sys.exit("unknown value: " + l)
    print(oid + "|" + out)
EOF

GETS="1.3.6.1.2.1.1.1.0 1.3.6.1.2.1.1.2.0 1.3.6.1.2.1.1.5.0 1.3.6.1.2.1.1.6.0"
WALKS_OIDS="1.3.6.1.2.1.1.9 1.3.6.1.2.1.2.2.1.2 1.3.6.1.2.1.43 1.3.6.1.4.1.2385"

# the reference: net-snmp's v2c
{
	# shellcheck disable=SC2086
	snmpget -v2c -c public -t 2 -r 1 -On -Oe -Ox $A:$PA $GETS
	for o in $WALKS_OIDS; do
		snmpwalk -v2c -c public -t 2 -r 1 -On -Oe -Ox $A:$PA $o
	done
} >"$T/v2c.raw" 2>"$T/v2c.err"
if $PY "$T/rec.py" <"$T/v2c.raw" >"$T/v2c.rec" 2>>"$T/v2c.err" &&
    [ "$(grep -c '^1\.3\.6\.1\.2\.1\.43\.' "$T/v2c.rec")" -gt 50 ] &&
    [ "$(grep -c '^1\.3\.6\.1\.4\.1\.2385\.' "$T/v2c.rec")" -gt 20 ]; then
	pass "v2c reference: $(wc -l <"$T/v2c.rec") bindings"
else
	fail "v2c reference" "$(tail -n 3 "$T/v2c.err")"
	exit 1
fi

# the Printer-MIB of the walk itself came through the proxy
grep '^1\.3\.6\.1\.2\.1\.43\.' "$WALK" | sort >"$T/walk43"
grep '^1\.3\.6\.1\.2\.1\.43\.' "$T/v2c.rec" | sort >"$T/v2c43"
check "the proxied Printer-MIB is the walk's" cmp "$T/walk43" "$T/v2c43"

# v3 USER [tool options]: the Get and the walks; output in $T/USER.rec
v3() {
	_u=$1; shift
	# shellcheck disable=SC2086
	timeout 60 "$V3" -u "$_u" "$@" $A:$PA $GETS >"$T/$_u.rec" \
	    2>"$T/$_u.err" &&
	timeout 60 "$V3" -u "$_u" "$@" -t walk -r 20 $A:$PA $WALKS_OIDS \
	    >>"$T/$_u.rec" 2>>"$T/$_u.err"
}

# same_as_v2c NAME USER OPTIONS...
same_as_v2c() {
	_n=$1; shift
	if ! v3 "$@"; then
		fail "$_n" "$(tail -n 2 "$T/$1.err" | tr '\n' ' ')"
	elif cmp -s "$T/$1.rec" "$T/v2c.rec"; then
		pass "$_n: $(wc -l <"$T/$1.rec") bindings as v2c"
	else
		fail "$_n" "differs from v2c: $(diff "$T/v2c.rec" "$T/$1.rec" |
		    head -n 3 | tr '\n' ' ')"
	fi
}

same_as_v2c "noAuthNoPriv" u_none_none
for a in $AUTHS; do
	for p in $PRIVS; do
		u=$(v3user $a $p)
		if [ $p = none ]; then
			same_as_v2c "authNoPriv $a" $u -a $a -A auth-$u
		else
			same_as_v2c "authPriv $a $p" $u -a $a -A auth-$u \
			    -x $p -X priv-$u
		fi
	done
done
same_as_v2c "authPriv MD5 AES with -W" u_md5_aes -W -a MD5 \
    -A auth-u_md5_aes -x AES -X priv-u_md5_aes
same_as_v2c "authPriv MD5 DES with -W" u_md5_des -W -a MD5 \
    -A auth-u_md5_des -x DES -X priv-u_md5_des
same_as_v2c "authPriv SHA DES with -W" u_sha_des -W -a SHA \
    -A auth-u_sha_des -x DES -X priv-u_sha_des

# failures: exit status 3 and the report, or a refusal
# outcome NAME STATUS MESSAGE USER OPTIONS...
outcome() {
	_n=$1; _st=$2; _msg=$3; _u=$4; shift 4
	timeout 60 "$V3" -u "$_u" "$@" $A:$PA 1.3.6.1.2.1.1.5.0 \
	    >"$T/out.rec" 2>"$T/out.err"
	_rc=$?
	if [ $_rc -eq "$_st" ] && grep -q -- "$_msg" "$T/out.err" &&
	    [ ! -s "$T/out.rec" ]; then
		pass "$_n: $_msg"
	else
		fail "$_n" "status $_rc: $(tail -n 2 "$T/out.err" |
		    tr '\n' ' ')"
	fi
}
u=$(v3user SHA-256 AES)
outcome "wrong auth password" 3 "auth-failure: wrongDigest" $u \
    -a SHA-256 -A wrong-password -x AES -X priv-$u
outcome "unknown user" 3 "auth-failure: unknownUserName" u_nobody \
    -a SHA-256 -A auth-$u -x AES -X priv-$u
u2=$(v3user SHA-256 none)
outcome "level above the user's" 3 "auth-failure: unsupportedSecLevel" \
    $u2 -a SHA-256 -A auth-$u2 -x AES -X priv-$u2
outcome "wrong digest algorithm" 3 "auth-failure: wrongDigest" $u \
    -a SHA-512 -A auth-$u -x AES -X priv-$u
outcome "MD5 without -W" 1 "MD5 authentication is weak and not allowed" \
    u_md5_aes -a MD5 -A auth-u_md5_aes -x AES -X priv-u_md5_aes
outcome "DES without -W" 1 "DES privacy is weak and not allowed" \
    u_sha_des -a SHA -A auth-u_sha_des -x DES -X priv-u_sha_des
# net-snmp authenticates the request, decrypts garbage, fails to parse
# it and answers nothing: a manager cannot tell this from a timeout
outcome "wrong priv password: net-snmp does not answer" 1 "no response" \
    $u -a SHA-256 -A auth-$u -x AES -X wrong-privacy
check "wrong priv password: snmpd could not parse the ScopedPDU" \
    grep -q "error parsing ScopedPDU" "$T/snmpd-a.out"

# restart on the same persistent directory, one tool process throughout
u=$(v3user SHA-512 AES-256)
mkfifo "$W/go"
timeout 120 "$V3" -c 2 -p -e -v -u $u -a SHA-512 -A auth-$u -x AES-256 \
    -X priv-$u $A:$PA $GETS <"$W/go" >"$T/restart.rec" \
    2>"$T/restart.err" &
TPID=$!
exec 3>"$W/go"
if wait_for 20 grep -q '^engine ' "$T/restart.err"; then
	BOOTS1=$(sed -n 's/^engine [0-9a-f]* boots \([0-9]*\) .*/\1/p' \
	    "$T/restart.err" | head -n 1)
	ENGINE=$(sed -n 's/^engine \([0-9a-f]*\) .*/\1/p' "$T/restart.err" |
	    head -n 1)
	stop_snmpd $APID
	if start_snmpd a $A $PA; then
		APID=$SNMPD_PID
	fi
	echo go >&3
fi
exec 3>&-
wait $TPID
RC=$?
BOOTS2=$(sed -n 's/^engine [0-9a-f]* boots \([0-9]*\) .*/\1/p' \
    "$T/restart.err" | sed -n 2p)
head -n 4 "$T/v2c.rec" >"$T/gets.rec"
cat "$T/gets.rec" "$T/gets.rec" >"$T/gets2.rec"
if [ $RC -eq 0 ] && [ -n "${BOOTS1:-}" ] &&
    [ "${BOOTS2:-x}" = $((BOOTS1 + 1)) ] &&
    cmp -s "$T/restart.rec" "$T/gets2.rec" &&
    [ "$(grep -c '^usm: discovered' "$T/restart.err")" -eq 1 ] &&
    grep -q "^usm: resynced engine $ENGINE boots $BOOTS2 " \
    "$T/restart.err"; then
	pass "restart: boots $BOOTS1 -> $BOOTS2, resynced, same values"
else
	fail "restart" "status $RC, boots ${BOOTS1:-?} -> ${BOOTS2:-?}: $(
	    grep -v '^usm: dropped' "$T/restart.err" | tail -n 4 |
	    tr '\n' ' ')"
fi

# a second agent with the first one's engine id
if [ -n "${ENGINE:-}" ]; then
	agent_conf "$ENGINE" b
	if start_snmpd b $B $PB; then
		u=$(v3user SHA-256 AES-192)
		timeout 60 "$V3" -e -u $u -a SHA-256 -A auth-$u -x AES-192 \
		    -X priv-$u $B:$PB $GETS >"$T/b.rec" 2>"$T/b.err"
		RC=$?
		EB=$(sed -n 's/^engine \([0-9a-f]*\) .*/\1/p' "$T/b.err")
		if [ $RC -eq 0 ] && [ "$EB" = "$ENGINE" ] &&
		    cmp -s "$T/b.rec" "$T/gets.rec"; then
			pass "same engine id $ENGINE on $A and $B"
		else
			fail "same engine id" "status $RC, engine $EB: $(
			    tail -n 2 "$T/b.err" | tr '\n' ' ')"
		fi
	else
		fail "second snmpd" "$(tail -n 3 "$T/snmpd-b.out")"
	fi
else
	fail "same engine id" "no engine id learned from $A"
fi
exit 0
