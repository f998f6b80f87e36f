#!/bin/sh
# commsd, the reference communication server, from outside: a throwaway
# PKI (regress/pki.sh), commsd on free loopback ports, uploads with curl,
# openssl s_client and python3's ssl module, and what -q reads back.
#
#   configuration   -n, -nv, errors with file:line
#   sandbox         /proc: seccomp filter, no new privileges, user nobody,
#                   no capabilities, chroot to the state directory, no fork
#   uploads         the receipt's hash is sha256sum of the document; the
#                   same document twice is stored once (Duplicate true,
#                   same DocumentId); gzip: the hash of the inflated bytes;
#                   -q document ID gives the exact bytes back; -q devices
#                   -j; -q documents -j
#   refusals        invalid document 400 with a Fault and a log record; no
#                   client certificate or one of another CA: no handshake;
#                   401 without or with a wrong token; 413 too large (also
#                   inflated); 404 other paths; 405 GET; 408 for a
#                   slowloris; too many handshakes from one address
#                   closed; 50 failed
#                   handshakes: each in commsd's log, but only
#                   COMMS_TLS_FAIL_BURST records and one that counts the rest
#   faults          receipt-hash gives a wrong hash, delay answers late,
#                   close stores but never answers
#   the log         every transaction, hash chain intact (-q verify)
#   SIGTERM         a clean exit
#
# With COMMSD_DB=pg, the same on PostgreSQL (regress/pg.sh: a cluster of
# its own, or the one PGSOCK and PGPORT name): regress/t/commsd-pg.sh.
#
# Run as root (commsd binds, chroots, drops to "nobody"), e.g.
#   TOP=$PWD OBJ=$PWD/obj T=$(mktemp -d) sh regress/t/commsd.sh

. "$TOP/regress/lib.sh"
. "$TOP/regress/pki.sh"
. "$TOP/regress/pg.sh"

COMMSD="$OBJ/commsd"
DOCS="$TOP/regress/fuzz/corpus/upload"
FULL="$DOCS/upload-full.xml"
ADDR="$DOCS/upload-address.xml"
MIN="$DOCS/upload-min.xml"
CT='Content-Type: application/soap+xml; charset=utf-8'
PATHQ=/callhome/1/upload

if [ ! -x "$COMMSD" ]; then
	fail setup "$COMMSD not built"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	skip all "must run as root (commsd chroots and changes user)"
	exit 0
fi
for tool in curl openssl gzip sha256sum; do
	if ! command -v $tool >/dev/null 2>&1; then
		skip all "$tool is not installed (apt-get install $tool)"
		exit 0
	fi
done

if [ "${COMMSD_DB:-sqlite}" = pg ] && ! pg_start >"$T/pg.out" 2>&1; then
	skip all "$(tail -n 1 "$T/pg.out")"
	exit 0
fi
if ! pki_all "$T/pki" localhost gw1; then
	fail "test PKI" "openssl could not make it"
	exit 1
fi
P="$T/pki"
HAVE_V6=0
$PY -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' \
    2>/dev/null && HAVE_V6=1

# conf NAME PORT [more statements on stdin]: the configuration of one
# commsd, its state directory $T/NAME (created by commsd itself)
conf() {
	{
		echo "listen on 127.0.0.1 port $2"
		[ $HAVE_V6 = 1 ] && echo "listen on ::1 port $2"
		cat <<EOF
certificate "$P/server.crt"
key "$P/server.key"
client ca "$P/ca.crt"
$(commsd_database "$1" "$T/$1")
schema "$TOP/etc/callhome.xsd"
user "nobody"
max document 1M
EOF
		cat
	} | mkconf "$T/$1.conf"
}

# start NAME: run commsd -d with $T/NAME.conf; sets PID and PORT_NAME
start() {
	"$COMMSD" -d -v -f "$T/$1.conf" >"$T/$1.log" 2>&1 &
	PID=$!
	on_exit "kill $PID 2>/dev/null; wait $PID 2>/dev/null"
	if ! wait_for 10 grep -q "startup complete" "$T/$1.log"; then
		fail "commsd $1 starts" "$(tail -n 5 "$T/$1.log" | tr '\n' ' ')"
		return 1
	fi
	return 0
}

# post PORT OUTFILE [curl arguments]: the HTTP status on stdout
post() {
	_port=$1 _out=$2
	shift 2
	curl -sS --max-time 30 --resolve "localhost:$_port:127.0.0.1" \
	    --cacert "$P/ca.crt" --cert "$P/client.crt" --key "$P/client.key" \
	    -D "$_out.head" -o "$_out" -w '%{http_code}' "$@" \
	    "https://localhost:$_port$PATHQ" 2>"$_out.err"
}

# field NAME FILE: the text of <ch:NAME> in a receipt
field() {
	sed -n "s|.*<ch:$1>\([^<]*\)</ch:$1>.*|\1|p" "$2"
}

sha() {
	sha256sum "$1" | cut -d' ' -f1
}

q() {
	"$COMMSD" -f "$T/main.conf" -q "$@"
}

# ---- configuration
PORT=$(free_port tcp)
conf main "$PORT" </dev/null
check "-n says configuration OK" sh -c \
    "'$COMMSD' -n -f '$T/main.conf' | grep -qx 'configuration OK'"
check "-nv prints the normalised configuration" sh -c \
    "'$COMMSD' -nv -f '$T/main.conf' | grep -qx 'packages \"$T/main/packages\"'"
printf 'listen on 127.0.0.1 port %s\ncertificate "%s"\nbogus\nkey rel\n' \
    "$PORT" "$P/server.crt" | mkconf "$T/bad.conf"
"$COMMSD" -n -f "$T/bad.conf" >"$T/bad.out" 2>&1
check "a bad configuration: every error with file:line" sh -c \
    "grep -q 'bad.conf:3: syntax error' '$T/bad.out' &&
     grep -q 'bad.conf:4: key \"rel\" must be an absolute path' '$T/bad.out' &&
     grep -q '\"database\" is required' '$T/bad.out'"
cp "$T/main.conf" "$T/perm.conf"
chmod 0666 "$T/perm.conf"
if "$COMMSD" -n -f "$T/perm.conf" >"$T/perm.out" 2>&1; then
	fail "a configuration others may write is refused" "it was accepted"
else
	check "a configuration others may write is refused" \
	    grep -q 'must be owned by root and not writable' "$T/perm.out"
fi

# ---- start, sandbox
start main || exit 1
pass "commsd starts"
MAINPID=$PID
# on PostgreSQL, commsd is the keeper of a server: its child (keeper.c)
SRVPID=$(commsd_server "$PID")
SRVPID=${SRVPID:-$PID}
st=/proc/$SRVPID/status
check "Seccomp is 2 (filter)" grep -qx 'Seccomp:[[:space:]]*2' $st
check "NoNewPrivs is 1" grep -qx 'NoNewPrivs:[[:space:]]*1' $st
check "no capabilities" grep -qx 'CapEff:[[:space:]]*0000000000000000' $st
nobody=$(id -u nobody)
uids=$(awk '/^Uid:/{print $2,$3,$4,$5}' $st)
check "runs as nobody (uid $nobody), not root" \
    test "$uids" = "$nobody $nobody $nobody $nobody"
check "chroot is the state directory" \
    test "$(readlink /proc/$SRVPID/root)" = "$(cd "$T/main" && pwd -P)"
check "may not fork (RLIMIT_NPROC 0)" \
    test "$(awk '/^Max processes/{print $3}' /proc/$SRVPID/limits)" = 0
check "may grow its database (RLIMIT_FSIZE unlimited)" \
    test "$(awk '/^Max file size/{print $4}' /proc/$SRVPID/limits)" = unlimited
check "the state directory was created 0700 for nobody" \
    test "$(stat -c '%a %U' "$T/main")" = "700 nobody"

# ---- uploads
code=$(post $PORT "$T/r1" -H "$CT" --data-binary "@$FULL")
check "upload: 200" test "$code" = 200
check "upload: the receipt's hash is sha256sum of the document" \
    test "$(field DocumentSha256 "$T/r1")" = "$(sha "$FULL")"
check "upload: DocumentId 1, Duplicate false" \
    test "$(field DocumentId "$T/r1")/$(field Duplicate "$T/r1")" = "1/false"
check "upload: a ServerTime in UTC" \
    grep -Eq '<ch:ServerTime>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z<' "$T/r1"
check "upload: the connection kept (no Connection: close), the SOAP type" \
    sh -c "! grep -qi '^Connection:' '$T/r1.head' &&
     grep -qi '^Content-Type: application/soap+xml; charset=utf-8' '$T/r1.head'"

code=$(post $PORT "$T/r2" -H "$CT" --data-binary "@$FULL")
check "the same document again: 200, Duplicate true, the same DocumentId" \
    test "$code/$(field Duplicate "$T/r2")/$(field DocumentId "$T/r2")" = \
    "200/true/1"
q documents -j >"$T/docs.json"
check "stored once: one document, one duplicate seen" $PY - "$T/docs.json" \
    "$(sha "$FULL")" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 1, d
x = d[0]
assert x["id"] == 1 and x["gateway"] == "gw1" and x["sha256"] == sys.argv[2]
assert x["duplicates_seen"] == 1 and x["encoding"] == "identity"
assert x["cycle"] == 7 and x["devices"] == 2 and x["size"] > 0
assert x["part"] == 1 and x["parts"] == 1
assert set(x) == {"id", "gateway", "sha256", "received", "size",
    "encoding", "cycle", "devices", "duplicates_seen", "part", "parts"}
EOF

gzip -nc "$ADDR" >"$T/addr.gz"
code=$(post $PORT "$T/r3" -H "$CT" -H 'Content-Encoding: gzip' \
    -H "X-Callhome-Document-Sha256: $(sha "$ADDR")" \
    --data-binary "@$T/addr.gz")
check "gzip upload: 200, DocumentId 2" \
    test "$code/$(field DocumentId "$T/r3")" = "200/2"
check "gzip upload: the hash of the inflated bytes" \
    test "$(field DocumentSha256 "$T/r3")" = "$(sha "$ADDR")"
q document 1 >"$T/doc1"
check "-q document 1 gives the exact bytes" cmp "$T/doc1" "$FULL"
q document 2 >"$T/doc2"
check "-q document 2 gives the inflated bytes" cmp "$T/doc2" "$ADDR"
check_fail "-q document 99 fails" q document 99

q devices -j >"$T/devices.json"
check "-q devices -j: the latest document's devices" $PY - \
    "$T/devices.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
devs = d["devices"]
assert len(devs) == 1, devs
x = devs[0]
want = ["key", "address", "status", "serial", "vendor", "enterprise",
    "model", "firmware", "device_status", "printer_status", "errors",
    "meters", "supplies", "alerts"]
assert list(x)[:len(want)] == want, list(x)
assert x["key"] == "KYO|LV91X00001" and x["address"] == "192.0.2.10"
assert x["status"] == "partial" and x["vendor"] == "Kyocera"
assert x["enterprise"] == 1347 and x["firmware"] is None
assert x["device_status"] == "warning" and x["errors"] == []
assert x["meters"] == [{"name": "total", "unit": None, "value": 4242,
    "source": None}], x["meters"]
assert x["supplies"] == [] and x["alerts"] == []
assert x["sysname"] == "printer-2f"
EOF
q devices >"$T/devices.txt"
check "-q devices: a table" grep -q '^KYO|LV91X00001 .*partial' "$T/devices.txt"

# the full document once more is a duplicate: devices stay the latest's;
# a new one (the minimal document) is the latest
code=$(post $PORT "$T/r4" -H "$CT" --data-binary "@$MIN")
check "a third document: DocumentId 3" \
    test "$code/$(field DocumentId "$T/r4")" = "200/3"
q devices -j >"$T/devices3.json"
check "-q devices -j of a document without devices" $PY -c \
    'import json, sys; assert json.load(open(sys.argv[1])) == {"devices": []}' \
    "$T/devices3.json"

# openssl s_client, by hand
len=$(wc -c <"$FULL")
{
	printf 'POST %s HTTP/1.1\r\nHost: localhost\r\n' "$PATHQ"
	printf 'Content-Type: application/soap+xml; charset=utf-8\r\n'
	printf 'Content-Length: %s\r\nConnection: close\r\n\r\n' "$len"
	cat "$FULL"
} >"$T/req.raw"
timeout 30 openssl s_client -quiet -verify_return_error \
    -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$P/ca.crt" \
    -cert "$P/client.crt" -key "$P/client.key" <"$T/req.raw" \
    >"$T/sclient.out" 2>"$T/sclient.err"
check "openssl s_client: 200 and a duplicate of document 1" sh -c \
    "grep -q '^HTTP/1.1 200 OK' '$T/sclient.out' &&
     grep -q '<ch:DocumentId>1</ch:DocumentId>' '$T/sclient.out' &&
     grep -q '<ch:Duplicate>true</ch:Duplicate>' '$T/sclient.out'"
if [ $HAVE_V6 = 1 ]; then
	code=$(curl -sS --max-time 30 --cacert "$P/ca.crt" \
	    --cert "$P/client.crt" --key "$P/client.key" -o "$T/r6" \
	    -w '%{http_code}' -H "$CT" --data-binary "@$MIN" \
	    "https://[::1]:$PORT$PATHQ" 2>"$T/r6.err")
	check "over IPv6 ([::1]): a duplicate of document 3" \
	    test "$code/$(field DocumentId "$T/r6")" = "200/3"
else
	skip "over IPv6" "no ::1 here"
fi

# ---- refusals
printf '<?xml version="1.0"?><x/>' >"$T/notsoap.xml"
code=$(post $PORT "$T/e1" -H "$CT" --data-binary "@$T/notsoap.xml")
check "invalid document: 400 with a SOAP Fault" sh -c \
    "test '$code' = 400 && grep -q '<env:Fault>' '$T/e1' &&
     grep -q 'env:Sender' '$T/e1' && grep -q 'document not valid' '$T/e1'"
sed 's|<ch:Categories>[^<]*</ch:Categories>||' "$FULL" >"$T/invalid.xml"
code=$(post $PORT "$T/e2" -H "$CT" --data-binary "@$T/invalid.xml")
check "schema-invalid document: 400" sh -c \
    "test '$code' = 400 && grep -q 'Categories' '$T/e2'"
cat >"$T/xxe.xml" <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<x>&e;</x>
EOF
code=$(post $PORT "$T/e3" -H "$CT" --data-binary "@$T/xxe.xml")
check "external entity: 400" sh -c \
    "test '$code' = 400 && ! grep -q root: '$T/e3'"

curl -sS --max-time 30 --resolve "localhost:$PORT:127.0.0.1" \
    --cacert "$P/ca.crt" -H "$CT" --data-binary "@$MIN" \
    -o "$T/e4" -w '%{http_code}' "https://localhost:$PORT$PATHQ" \
    >"$T/e4.code" 2>"$T/e4.err"
check "no client certificate: refused in the handshake" sh -c \
    "test \"\$(cat '$T/e4.code')\" = 000 && test ! -s '$T/e4'"
curl -sS --max-time 30 --resolve "localhost:$PORT:127.0.0.1" \
    --cacert "$P/ca.crt" --cert "$P/other-client.crt" \
    --key "$P/other-client.key" -H "$CT" --data-binary "@$MIN" \
    -o "$T/e5" -w '%{http_code}' "https://localhost:$PORT$PATHQ" \
    >"$T/e5.code" 2>"$T/e5.err"
check "client certificate of another CA: refused" sh -c \
    "test \"\$(cat '$T/e5.code')\" = 000 && test ! -s '$T/e5'"
echo | timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -tls1_1 \
    -cipher DEFAULT@SECLEVEL=0 -cert "$P/client.crt" -key "$P/client.key" \
    -CAfile "$P/ca.crt" >"$T/tls11.out" 2>&1
check "TLS 1.1 is refused" grep -q 'Cipher is (NONE)' "$T/tls11.out"
echo | timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 \
    -cert "$P/client.crt" -key "$P/client.key" -CAfile "$P/ca.crt" \
    >"$T/tls12.out" 2>&1
check "TLS 1.2 is accepted" grep -q 'New, TLSv1.2, Cipher is ECDHE' \
    "$T/tls12.out"

head -c 1500000 /dev/zero | tr '\0' ' ' >"$T/big"
code=$(post $PORT "$T/e6" -H "$CT" --data-binary "@$T/big")
check "a body over max document: 413" test "$code" = 413
code=$(post $PORT "$T/e6b" -H "$CT" -H 'Expect:' --data-binary "@$T/big")
check "the same without Expect: 413, read before the close" test "$code" = 413
head -c 3000000 /dev/zero | gzip -n >"$T/bomb.gz"
code=$(post $PORT "$T/e7" -H "$CT" -H 'Content-Encoding: gzip' \
    --data-binary "@$T/bomb.gz")
check "gzip inflating over max document: 413" sh -c \
    "test '$code' = 413 && grep -q inflated '$T/e7'"
code=$(post $PORT "$T/e8" -H "$CT" -H 'Content-Encoding: br' \
    --data-binary "@$MIN")
check "another Content-Encoding: 415" test "$code" = 415
code=$(curl -sS --max-time 30 --resolve "localhost:$PORT:127.0.0.1" \
    --cacert "$P/ca.crt" --cert "$P/client.crt" --key "$P/client.key" \
    -o "$T/e9" -w '%{http_code}' -H "$CT" --data-binary "@$MIN" \
    "https://localhost:$PORT/callhome/1/other" 2>/dev/null)
check "another path: 404" test "$code" = 404
code=$(curl -sS --max-time 30 --resolve "localhost:$PORT:127.0.0.1" \
    --cacert "$P/ca.crt" --cert "$P/client.crt" --key "$P/client.key" \
    -D "$T/e10.head" -o "$T/e10" -w '%{http_code}' \
    "https://localhost:$PORT$PATHQ" 2>/dev/null)
check "GET: 405 with Allow: POST" sh -c \
    "test '$code' = 405 && grep -qi '^Allow: POST' '$T/e10.head'"
code=$(post $PORT "$T/e11" -H "$CT" -H 'Transfer-Encoding: chunked' \
    --data-binary "@$MIN")
check "chunked: 411" test "$code" = 411

# a slowloris: the head never ends; answered 408 and closed at the deadline
$PY - "$PORT" "$P" >"$T/slow.out" 2>&1 <<'EOF'
import socket, ssl, sys, time
port, p = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=p + "/ca.crt")
ctx.load_cert_chain(p + "/client.crt", p + "/client.key")
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)),
    server_hostname="localhost")
t0 = time.monotonic()
s.sendall(b"POST /callhome/1/upload HTTP/1.1\r\nHost: x\r\n")
s.settimeout(1)
data = b""
while time.monotonic() - t0 < 25:
    try:
        s.sendall(b"X-Slow: 1\r\n")
    except OSError:
        break
    try:
        b = s.recv(65536)
        if not b:
            break
        data += b
    except socket.timeout:
        pass
    except (ssl.SSLError, OSError):
        break
t = time.monotonic() - t0
print("elapsed %.1f" % t)
print(data.decode(errors="replace"))
sys.exit(0 if data.startswith(b"HTTP/1.1 408 ") and 9 <= t <= 14 else 1)
EOF
check "slowloris: 408 and closed after the 10 s deadline" test $? = 0

# connections without TLS: "max handshakes per address" (4) from one
# address; the fifth is closed at once
$PY - "$PORT" >"$T/many.out" 2>&1 <<'EOF'
import socket, sys, time
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
time.sleep(0.5)
extra = socket.create_connection(("127.0.0.1", port))
extra.settimeout(3)
try:
    closed = extra.recv(1) == b""
except ConnectionResetError:
    closed = True
except socket.timeout:
    closed = False
# the four are still open
for s in held:
    s.setblocking(False)
    try:
        closed = closed and s.recv(1) != b""
    except BlockingIOError:
        pass
    s.close()
print("closed" if closed else "kept")
sys.exit(0 if closed else 1)
EOF
check "a fifth connection without TLS from one address is closed" test $? = 0

# ---- the log, read while the server runs
q log -j >"$T/log.json"
check "-q log -j: every kind of transaction" $PY - "$T/log.json" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1]))
kinds = {r["kind"] for r in log}
for k in ("start", "connect", "upload", "duplicate", "reject", "tls-failure"):
    assert k in kinds, (k, kinds)
assert [r["seq"] for r in log] == list(range(1, len(log) + 1))
rej = [r for r in log if r["kind"] == "reject"]
assert any(" 400 document not valid" in r["summary"] for r in rej)
assert any(" 408 " in r["summary"] for r in rej)
assert any(" 413 " in r["summary"] for r in rej)
det = [json.loads(r["detail"]) for r in log if r["kind"] == "upload"]
assert det[1]["encoding"] == "gzip" and det[1]["claimed_sha256_matches"]
tls = [json.loads(r["detail"]) for r in log if r["kind"] == "tls-failure"]
assert any("certificate" in d["error"] for d in tls), tls
con = [json.loads(r["detail"]) for r in log if r["kind"] == "connect"]
assert con[0]["gateway"] == "gw1" and len(con[0]["cert_sha256"]) == 64
EOF
CERTSHA=$(pki_sha256 "$P/client.crt")
check "the gateway's certificate SHA-256 is recorded" \
    grep -q "cert_sha256[^0-9a-f]*$CERTSHA" "$T/log.json"
check "-q verify: the chain is intact" sh -c \
    "'$COMMSD' -f '$T/main.conf' -q verify | grep -q 'intact'"

# ---- SIGTERM
kill -TERM $MAINPID
wait $MAINPID
rc=$?
check "SIGTERM: exit status 0" test $rc = 0
check "SIGTERM: the last record is \"stop\"" sh -c \
    "'$COMMSD' -f '$T/main.conf' -q log | tail -n 1 | grep -q ' stop '"
check "-q verify after the stop" sh -c \
    "'$COMMSD' -f '$T/main.conf' -q verify | grep -q 'intact'"

# ---- a token, and fault receipt-hash
PORT_T=$(free_port tcp)
conf tok "$PORT_T" <<EOF
token "s3cret-token"
fault receipt-hash
EOF
start tok || exit 1
check "fault lines print a loud warning" grep -q 'FAULT INJECTION' "$T/tok.log"
code=$(post $PORT_T "$T/t1" -H "$CT" --data-binary "@$MIN")
check "no token: 401 with WWW-Authenticate" sh -c \
    "test '$code' = 401 && grep -qi '^WWW-Authenticate: Bearer' '$T/t1.head'"
code=$(post $PORT_T "$T/t2" -H "$CT" -H 'Authorization: Bearer wrong' \
    --data-binary "@$MIN")
check "wrong token: 401" test "$code" = 401
code=$(post $PORT_T "$T/t3" -H "$CT" -H 'Authorization: Bearer s3cret-token' \
    --data-binary "@$MIN")
check "right token: 200" test "$code" = 200
got=$(field DocumentSha256 "$T/t3")
check "fault receipt-hash: the receipt's hash is wrong" sh -c \
    "echo '$got' | grep -Eqx '[0-9a-f]{64}' && test '$got' != '$(sha "$MIN")'"
check "fault receipt-hash: what is stored has the right hash" sh -c \
    "'$COMMSD' -f '$T/tok.conf' -q documents | grep -q '$(sha "$MIN")'"
kill -TERM $PID; wait $PID

# ---- fault delay
PORT_D=$(free_port tcp)
echo 'fault delay 2s' | conf delay "$PORT_D"
start delay || exit 1
t0=$(date +%s%N)
code=$(post $PORT_D "$T/d1" -H "$CT" --data-binary "@$MIN")
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
if [ "$code" = 200 ] && [ $ms -ge 1900 ]; then
	pass "fault delay 2s: answered 2 s late"
else
	fail "fault delay 2s: answered 2 s late" "status $code after $ms ms"
fi
kill -TERM $PID; wait $PID

# ---- fault close
PORT_C=$(free_port tcp)
echo 'fault close' | conf close "$PORT_C"
start close || exit 1
code=$(post $PORT_C "$T/c1" -H "$CT" --data-binary "@$MIN")
check "fault close: no answer" sh -c \
    "test '$code' = 000 && test ! -s '$T/c1.head'"
check "fault close: the document was stored all the same" sh -c \
    "'$COMMSD' -f '$T/close.conf' -q documents | grep -q '$(sha "$MIN")'"
code=$(post $PORT_C "$T/c2" -H "$CT" --data-binary "@$MIN")
check "fault close: a retry is a duplicate, unanswered too" sh -c \
    "test '$code' = 000 && '$COMMSD' -f '$T/close.conf' -q documents -j |
     grep -q '\"duplicates_seen\":1'"
kill -TERM $PID; wait $PID

# ---- a flood of failed handshakes: COMMS_TLS_FAIL_BURST records, then the
# rest counted in one, written at the interval's end or, here, at the stop
BURST=$(sed -n 's/^#define COMMS_TLS_FAIL_BURST[[:space:]]*\([0-9]*\).*/\1/p' \
    "$TOP/commsd/commsd.h")
PORT_F=$(free_port tcp)
conf flood "$PORT_F" </dev/null
start flood || exit 1
$PY - "$PORT_F" >"$T/flood.out" 2>&1 <<'EOF'
import socket, sys
port = int(sys.argv[1])
for _ in range(50):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(5)
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")     # not TLS
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass
    s.close()
EOF
kill -TERM $PID; wait $PID
"$COMMSD" -f "$T/flood.conf" -q log -j >"$T/flood.json"
check "50 failed handshakes: 50 log lines, $BURST records, one for the rest" \
    $PY - "$T/flood.json" "$BURST" "$T/flood.log" <<'EOF'
import json, sys
burst = int(sys.argv[2])
lines = [l for l in open(sys.argv[3]) if "TLS failure with 127.0.0.1:" in l]
assert len(lines) == 50, len(lines)
log = json.load(open(sys.argv[1]))
f = [json.loads(r["detail"]) for r in log if r["kind"] == "tls-failure"]
assert len(f) == burst + 1, len(f)
assert all("connection" in d and "error" in d for d in f[:burst]), f
assert f[-1]["suppressed"] == 50 - burst, f[-1]
assert log[-1]["kind"] == "stop", log[-1]
EOF
exit 0
