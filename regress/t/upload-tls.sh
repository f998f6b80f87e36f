#!/bin/sh
# TLS refusals on the upload path.  Each case is one "callhomed -1" of a
# fresh gateway against its own server; the upload must be refused, and:
#
#   - callhomed -1 exits 1 and says "upload failed: tls-failed: <why>;
#     1 documents wait in the outbox";
#   - its log (stderr) has uplinkd's line "job 1: tls-failed: <why>" and
#     auditd's "upload of cycle 1 ... tls-failed: <why>";
#   - its transaction log has an "upload" record, result tls-failed, whose
#     summary and error name <why>;
#   - the document stays pending (attempts 1, last_status 3 = tls-failed,
#     no receipt, never delivered) and "callhomectl verify" exits 0;
#   - the server stored nothing.
#
#   unknown CA        the gateway's ca is other-ca.crt: "certificate
#                     verification failed: self-signed certificate in
#                     certificate chain"; commsd logs the client's alert
#   expired           commsd serves expired.crt: "certificate has expired"
#   wrong name        commsd serves a certificate for wrong.example (with
#                     the IP SANs of the test PKI), the gateway dials
#                     "localhost": "name `localhost' not present" (checked
#                     after the handshake: commsd logs a connection closed
#                     before any request)
#   pin mismatch      pin-sha256 of another key: "the server's public key
#                     (pin-sha256 "<its>") does not match the pin"; the
#                     right pin (control) is delivered, and still is
#                     after the server's certificate is renewed with the
#                     same key
#   TLS 1.1 only      openssl s_server -tls1_1 (SECLEVEL=0), which an
#                     openssl s_client -tls1_1 can use (control): the
#                     handshake fails with "alert protocol version", and
#                     s_server says the client offered no protocol it
#                     accepts ("unsupported protocol")
#   another CA's      the gateway's client certificate is other-client.crt:
#   client cert       commsd refuses the handshake (its log: tls-failure,
#                     "certificate verify failed", no connection, no
#                     upload); with TLS 1.2 the gateway's handshake fails
#                     with the "unknown ca" alert; with TLS 1.3 it learns
#                     after its handshake: the alert when it reads, or a
#                     reset of its write
#   no client cert    not possible: a server block without certificate and
#                     key is a configuration error with its line number
#                     (callhomed -n and -1 exit 1 and name both);
#                     commsd.sh shows commsd refusing a client without one

. "$TOP/regress/lib.sh"
. "$TOP/regress/upload-lib.sh"

up_setup || exit 0
up_fleet 1 || exit 1
T0=$(now_ms)

# tls_case GW LABEL WHY [-E]: the checks above for gateway GW, WHY a
# fixed string the reason must hold (with -E: an extended regular
# expression)
tls_case() {
	_g=$1 _l=$2 _why=$3 _mode=${4:--F}
	gw_once "$_g" c1
	_rc=$?
	check "$_l: callhomed -1 exits 1" test $_rc -eq 1
	# WHY is passed as an argument: it may hold quotes
	check "$_l: upload failed: tls-failed: ...$_why..." sh -c \
	    'grep "^upload failed: tls-failed: " "$1" | grep $3 -- "$2" |
	    grep -q "; 1 documents wait in the outbox\$"' sh \
	    "$W/$_g.c1.out" "$_why" "$_mode"
	check "$_l: the log names it (uplinkd and auditd lines)" sh -c \
	    'grep "^uplinkd: job 1: tls-failed: " "$1" | grep -q $3 -- "$2" &&
	    grep "^auditd: outbox: upload of cycle 1 to .*: tls-failed: " \
	    "$1" | grep -q $3 -- "$2"' sh "$W/$_g.c1.log" "$_why" "$_mode"
	gw_txlog "$_g" >"$W/$_g.txlog.json"
	pycheck "$_l: an upload record, tls-failed, naming it" \
	    "$W/$_g.txlog.json" "$_why" "$_mode" <<'EOF'
import json, re, sys
up = [r for r in json.load(open(sys.argv[1])) if r["kind"] == "upload"]
assert len(up) == 1, up
d = up[0]["detail"]
def has(text):
    if sys.argv[3] == "-E":
        return re.search(sys.argv[2], text) is not None
    return sys.argv[2] in text
assert d["result"] == "tls-failed", d
assert has(d["error"]), d["error"]
assert "tls-failed" in up[0]["summary"], up[0]["summary"]
assert has(up[0]["summary"]), up[0]["summary"]
assert d["receipt_sha256"] is None and d["http_status"] is None, d
EOF
	check "$_l: the document is still pending (attempt 1, tls-failed)" \
	    test "$(gw_sql "$_g" "SELECT count(*), state, attempts,
	    last_status, receipt_sha256 IS NULL, delivered IS NULL
	    FROM outbox")" = "1|pending|1|3|1|1"
	gw_verify "$_g" "$_l"
}

# srv_nothing NAME LABEL KIND...: commsd NAME stored nothing, and its log
# has exactly these kinds of records
srv_nothing() {
	_s=$1 _l=$2
	shift 2
	cd_q "$_s" documents -j >"$W/$_s.docs.json" 2>&1
	cd_q "$_s" log -j >"$W/$_s.log.json" 2>&1
	pycheck "$_l: the server stored nothing (its log: $*)" \
	    "$W/$_s.docs.json" "$W/$_s.log.json" "$@" <<'EOF'
import json, sys
assert json.load(open(sys.argv[1])) == [], "a document was stored"
kinds = [r["kind"] for r in json.load(open(sys.argv[2]))]
assert kinds == sys.argv[3:], kinds
EOF
}

# ---- unknown CA
PORT=$(free_port tcp)
cd_conf unk "$PORT" </dev/null
cd_start unk || exit 1
GW_CA="$P/other-ca.crt" gw_conf gwunk "$PORT" </dev/null
tls_case gwunk "unknown CA" \
    "certificate verification failed: self-signed certificate in certificate chain"
srv_nothing unk "unknown CA" start tls-failure
cd_stop

# ---- expired server certificate
PORT=$(free_port tcp)
CD_CERT="$P/expired.crt" CD_KEY="$P/expired.key" cd_conf exp "$PORT" \
    </dev/null
cd_start exp || exit 1
gw_conf gwexp "$PORT" </dev/null
tls_case gwexp "expired server certificate" \
    "certificate verification failed: certificate has expired"
srv_nothing exp "expired server certificate" start tls-failure
cd_stop

# ---- a certificate for another name
if pki_server "$P" ca wrongname wrong.example; then
	PORT=$(free_port tcp)
	CD_CERT="$P/wrongname.crt" CD_KEY="$P/wrongname.key" \
	    cd_conf wn "$PORT" </dev/null
	cd_start wn || exit 1
	gw_conf gwwn "$PORT" </dev/null
	tls_case gwwn "wrong server name" \
	    "name \`localhost' not present in server certificate"
	# the name is checked after the handshake: the server sees a
	# connection closed before any request
	srv_nothing wn "wrong server name" start connect reject
	cd_stop
else
	fail "wrong server name: a certificate for wrong.example"
fi

# ---- the pin: the right one (control), then a wrong one
PORT=$(free_port tcp)
cd_conf pin "$PORT" </dev/null
cd_start pin || exit 1
SERVER_PIN=$(pki_pin "$P/server.crt")
echo "pin-sha256 \"$SERVER_PIN\"" | gw_conf gwpinok "$PORT"
gw_once gwpinok c1
rc=$?
check "pin (control): the server's own pin: delivered" sh -c \
    "test $rc -eq 0 && grep -q '^upload: outbox delivered' '$W/gwpinok.c1.out'"
cd_q pin documents -j >"$W/pin.docs1.json"
OTHER_PIN=$(pki_pin "$P/expired.crt")
check "pin: the other certificate has another key" \
    test "$OTHER_PIN" != "$SERVER_PIN"
echo "pin-sha256 \"$OTHER_PIN\"" | gw_conf gwpin "$PORT"
tls_case gwpin "pin mismatch" \
    "the server's public key (pin-sha256 \"$SERVER_PIN\") does not match the pin \"$OTHER_PIN\""
cd_q pin documents -j >"$W/pin.docs2.json"
check "pin mismatch: nothing sent: the server holds only the control's document" \
    cmp "$W/pin.docs1.json" "$W/pin.docs2.json"
cd_q pin log -j >"$W/pin.log.json"
pycheck "pin mismatch: the server saw a handshake but no request (one upload in all)" \
    "$W/pin.log.json" <<'EOF'
import json, sys
kinds = [r["kind"] for r in json.load(open(sys.argv[1]))]
assert kinds.count("upload") == 1 and kinds.count("connect") == 2, kinds
EOF
cd_stop
# the server's certificate renewed, its key kept: the pin still holds
if pki_renew "$P" ca server renewed localhost; then
	check "renewal: a new certificate" test \
	    "$(pki_sha256 "$P/renewed.crt")" != "$(pki_sha256 "$P/server.crt")"
	check "renewal: the same pin" test "$(pki_pin "$P/renewed.crt")" = \
	    "$SERVER_PIN"
	PORT=$(free_port tcp)
	CD_CERT="$P/renewed.crt" cd_conf pinrenew "$PORT" </dev/null
	cd_start pinrenew || exit 1
	echo "pin-sha256 \"$SERVER_PIN\"" | gw_conf gwpinrenew "$PORT"
	gw_once gwpinrenew c1
	rc=$?
	check "renewal: the same pin delivers to the renewed certificate" \
	    sh -c "test $rc -eq 0 && grep -q '^upload: outbox delivered' \
	    '$W/gwpinrenew.c1.out'"
	cd_stop
else
	fail "renewal: a renewed certificate for the same key"
fi

# ---- a server of TLS 1.1 only
PORT=$(free_port tcp)
openssl s_server -accept "127.0.0.1:$PORT" -tls1_1 \
    -cipher 'DEFAULT:@SECLEVEL=0' -cert "$P/server.crt" \
    -key "$P/server.key" -www </dev/null >"$W/s_server.out" 2>&1 &
SPID=$!
up_started $SPID
if wait_for 10 grep -q ACCEPT "$W/s_server.out"; then
	echo | timeout 10 openssl s_client -connect "127.0.0.1:$PORT" \
	    -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' -CAfile "$P/ca.crt" \
	    >"$W/s_client11.out" 2>&1
	check "TLS 1.1 only (control): openssl s_client -tls1_1 gets TLS 1.1" \
	    grep -qE '^ *Protocol *: TLSv1\.1$' "$W/s_client11.out"
	gw_conf gw11 "$PORT" </dev/null
	tls_case gw11 "TLS 1.1 only server" "alert protocol version"
	check "TLS 1.1 only server: s_server: the gateway offered no TLS 1.1" \
	    grep -q 'unsupported protocol' "$W/s_server.out"
	check "TLS 1.1 only server: no HTTP request reached it" \
	    sh -c "! grep -q 'POST' '$W/s_server.out'"
else
	fail "TLS 1.1 only server: openssl s_server starts" \
	    "$(tail -n 3 "$W/s_server.out" | tr '\n' ' ')"
fi
up_stop $SPID

# ---- a client certificate of another CA
# With TLS 1.2 the server checks the client's certificate within the
# handshake: the gateway's handshake fails with the server's alert.  With
# TLS 1.3 (the default) the client's handshake is over before the server
# has checked it: the alert comes when the gateway reads, or, when the
# server has already closed, the request's write is reset.
PORT=$(free_port tcp)
cd_conf oc "$PORT" </dev/null
cd_start oc || exit 1
echo 'protocols "tlsv1.2"' | GW_CERT="$P/other-client.crt" \
    GW_KEY="$P/other-client.key" gw_conf gwoc "$PORT"
tls_case gwoc "client certificate of another CA (TLS 1.2)" \
    "handshake failed: error:0A000418:SSL routines::tlsv1 alert unknown ca"
GW_CERT="$P/other-client.crt" GW_KEY="$P/other-client.key" \
    gw_conf gwoc13 "$PORT" </dev/null
tls_case gwoc13 "client certificate of another CA (TLS 1.3)" \
    "reading: read failed: .*alert unknown ca|sending: write failed: (Connection reset by peer|Broken pipe)" -E
srv_nothing oc "client certificate of another CA" start tls-failure \
    tls-failure
pycheck "client certificate of another CA: commsd refused both in the handshake" \
    "$W/oc.log.json" <<'EOF'
import json, sys
f = [r for r in json.load(open(sys.argv[1])) if r["kind"] == "tls-failure"]
assert len(f) == 2, f
for r in f:
    assert "certificate verify failed" in json.loads(r["detail"])["error"], f
EOF
cd_stop

# ---- no client certificate at all: the configuration says no
GW_CERT="" GW_KEY="" gw_conf gwnone 1 </dev/null
line=$(grep -n '^server ' "$W/gwnone.conf" | cut -d: -f1)
"$CALLHOMED" -n -f "$W/gwnone.conf" >"$W/gwnone.n.out" 2>&1
rc=$?
check "no client certificate: callhomed -n refuses the configuration" sh -c \
    "test $rc -eq 1 &&
    grep -qF 'gwnone.conf:$line: server block: \"certificate\" missing' '$W/gwnone.n.out' &&
    grep -qF 'gwnone.conf:$line: server block: \"key\" missing' '$W/gwnone.n.out'"
gw_once gwnone c1
rc=$?
check "no client certificate: callhomed -1 exits 1 before collecting" sh -c \
    "test $rc -eq 1 && test ! -s '$W/gwnone.c1.out' &&
    grep -qF '\"certificate\" missing' '$W/gwnone.c1.log'"

echo "# upload-tls took $(( $(now_ms) - T0 )) ms after setup"
exit 0
