#!/bin/sh
# commsd's TLS as a scanner rates it, with openssl s_client: every TLS 1.2
# cipher suite OpenSSL knows is offered alone, and only ECDHE with an AEAD
# (AES-GCM, ChaCha20-Poly1305) is accepted -- no CBC, no CCM or CCM8, no
# ARIA, no Camellia, no static RSA or DHE; TLS 1.3 with its AEAD suites
# (not CCM_8); TLS 1.1 refused.  Then "ciphers" in commsd.conf(5) narrows
# the list, and -nv prints it.

. "$TOP/regress/lib.sh"
. "$TOP/regress/pki.sh"

COMMSD="$OBJ/commsd"

if [ ! -x "$COMMSD" ]; then
	fail setup "$COMMSD not built"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	skip all "must run as root (commsd chroots and changes user)"
	exit 0
fi
if ! pki_all "$T/pki" localhost gw1; then
	fail "test PKI" "openssl could not make it"
	exit 1
fi
P="$T/pki"

# conf NAME PORT [more statements on stdin]
conf() {
	{
		cat <<EOF
listen on 127.0.0.1 port $2
certificate "$P/server.crt"
key "$P/server.key"
client ca "$P/ca.crt"
database "$T/$1/commsd.db"
schema "$TOP/etc/callhome.xsd"
user "nobody"
EOF
		cat
	} | mkconf "$T/$1.conf"
}

start() {
	"$COMMSD" -d -f "$T/$1.conf" >"$T/$1.log" 2>&1 &
	PID=$!
	on_exit "kill $PID 2>/dev/null"
	if ! wait_for 10 grep -q "startup complete" "$T/$1.log"; then
		fail "commsd $1 starts" "$(tail -n 5 "$T/$1.log" | tr '\n' ' ')"
		return 1
	fi
}

# hello PORT ARGS...: the cipher agreed on, or NONE
hello() {
	_port=$1
	shift
	echo | timeout 10 openssl s_client -connect "127.0.0.1:$_port" \
	    -servername localhost -CAfile "$P/ca.crt" -cert "$P/client.crt" \
	    -key "$P/client.key" "$@" 2>/dev/null |
	    sed -n 's/^New, [^,]*, Cipher is \(.*\)$/\1/p' | head -n 1 |
	    grep -v -x '(NONE)' | grep . || echo NONE
}

PORT=$(free_port tcp)
conf main "$PORT" </dev/null
start main || exit 1

# every TLS 1.2 suite, one at a time (PSK and SRP need what no gateway has)
openssl ciphers -v 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' |
    awk '$2 == "TLSv1.2" || $2 == "SSLv3" { print $1 }' |
    grep -v -e PSK -e SRP >"$T/suites"
: >"$T/accepted"
while read -r suite; do
	got=$(hello "$PORT" -tls1_2 -cipher "$suite:@SECLEVEL=0")
	[ "$got" != NONE ] && echo "$got" >>"$T/accepted"
done <"$T/suites"
check "$(wc -l <"$T/suites") TLS 1.2 suites offered one by one" \
    test "$(wc -l <"$T/suites")" -ge 40
sort -o "$T/accepted" "$T/accepted"
printf '%s\n' ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 \
    ECDHE-ECDSA-CHACHA20-POLY1305 >"$T/expected"
check "TLS 1.2: only ECDHE with AES-GCM or ChaCha20-Poly1305 ($(tr '\n' ' ' <"$T/accepted"))" \
    cmp "$T/accepted" "$T/expected"

check "a CBC-only client is refused" test "$(hello "$PORT" -tls1_2 \
    -cipher 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:AES128-SHA:AES256-SHA256')" = NONE
check "CCM8 is refused" test "$(hello "$PORT" -tls1_2 \
    -cipher 'ECDHE-ECDSA-AES128-CCM8:ECDHE-ECDSA-AES256-CCM8')" = NONE
check "CCM is refused" test "$(hello "$PORT" -tls1_2 \
    -cipher 'ECDHE-ECDSA-AES128-CCM:ECDHE-ECDSA-AES256-CCM')" = NONE
check "ARIA and Camellia are refused" test "$(hello "$PORT" -tls1_2 \
    -cipher 'ARIA:CAMELLIA:@SECLEVEL=0')" = NONE
check "TLS 1.1 is refused" test "$(hello "$PORT" -tls1_1 \
    -cipher 'DEFAULT:@SECLEVEL=0')" = NONE
for s in TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 \
    TLS_CHACHA20_POLY1305_SHA256; do
	check "TLS 1.3: $s" test "$(hello "$PORT" -tls1_3 -ciphersuites "$s")" = "$s"
done
check "TLS 1.3: TLS_AES_128_CCM_8_SHA256 is refused" test \
    "$(hello "$PORT" -tls1_3 -ciphersuites TLS_AES_128_CCM_8_SHA256)" = NONE
check "-nv prints the default ciphers" sh -c "'$COMMSD' -nv -f '$T/main.conf' |
    grep -qx 'ciphers \"ECDHE+AESGCM:ECDHE+CHACHA20\"'"
kill $PID
wait $PID

# the operator narrows them
PORT=$(free_port tcp)
echo 'ciphers "ECDHE+CHACHA20"' | conf narrow "$PORT"
start narrow || exit 1
check "ciphers ECDHE+CHACHA20: AES-GCM refused" test \
    "$(hello "$PORT" -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256)" = NONE
check "ciphers ECDHE+CHACHA20: ChaCha20 accepted" test \
    "$(hello "$PORT" -tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305)" = \
    ECDHE-ECDSA-CHACHA20-POLY1305
kill $PID
wait $PID
echo 'ciphers "NOT-A-CIPHER"' | conf bad "$(free_port tcp)"
check_fail "ciphers that select nothing: the configuration is refused" \
    "$COMMSD" -n -f "$T/bad.conf"
exit 0
