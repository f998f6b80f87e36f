#!/bin/sh
# The gateway's TLS 1.2 cipher suites ("ciphers" in the server block of
# callhome.conf), against commsd, each side with TLS 1.2 only so that the
# suite is the one of the list:
#
#   default           ECDHE and AEAD: delivered with an ECDHE-ECDSA suite
#                     of AES-GCM or ChaCha20-Poly1305 (commsd's log names
#                     it, and so does the gateway's outbox record)
#   ECDHE+CHACHA20    delivered with ECDHE-ECDSA-CHACHA20-POLY1305
#   a CBC server      commsd configured with a CBC suite only: the
#                     gateway's default refuses it, "tls-failed", nothing
#                     stored; "callhomed -nv" prints the default list

. "$TOP/regress/lib.sh"
. "$TOP/regress/upload-lib.sh"

up_setup || exit 0
up_fleet 1 || exit 1

PORT=$(free_port tcp)
echo 'protocols "tlsv1.2"' | cd_conf srv "$PORT"
cd_start srv || exit 1

echo '	protocols "tlsv1.2"' | gw_conf gwd "$PORT"
check "-nv prints the default ciphers" sh -c \
    "'$CALLHOMED' -nv -f '$W/gwd.conf' | grep -qx '	ciphers \"ECDHE+AESGCM:ECDHE+CHACHA20\"'"
gw_once gwd c1
check "default ciphers: delivered" test $? -eq 0
check "default ciphers: an ECDHE suite with AES-GCM or ChaCha20" grep -Eq \
    'connection from gw1 .*TLSv1.2, ECDHE-ECDSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$' \
    "$W/srv.log"

printf '\tprotocols "tlsv1.2"\n\tciphers "ECDHE+CHACHA20"\n' |
    gw_conf gwc "$PORT"
gw_once gwc c1
check "ciphers ECDHE+CHACHA20: delivered" test $? -eq 0
check "ciphers ECDHE+CHACHA20: ECDHE-ECDSA-CHACHA20-POLY1305" \
    test "$(grep -c 'TLSv1.2, ECDHE-ECDSA-CHACHA20-POLY1305$' "$W/srv.log")" -ge 1
cd_stop

# a server that offers CBC only: the gateway does not take it
PORT=$(free_port tcp)
printf 'protocols "tlsv1.2"\nciphers "ECDHE-ECDSA-AES128-SHA256"\n' |
    cd_conf cbc "$PORT"
cd_start cbc || exit 1
echo '	protocols "tlsv1.2"' | gw_conf gwcbc "$PORT"
gw_once gwcbc c1
rc=$?
check "a CBC-only server: callhomed -1 exits 1, tls-failed" sh -c \
    "test $rc -eq 1 && grep -q '^upload failed: tls-failed' '$W/gwcbc.c1.out'"
check "a CBC-only server: nothing stored" \
    test "$(cd_q cbc documents -j)" = "[]"
cd_stop
exit 0
