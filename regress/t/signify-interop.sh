#!/bin/sh
# Interoperability with signify: keys, detached signatures and bundles
# with an embedded message made by Debian's signify-openbsd are read and
# verified by common/signify.c and signerd/verify.c (through
# regress/tools/sigverify), with the reason words of signerd.
#
# Checked:
#   - a detached signature and an embedded bundle verify, and the bundle's
#     instructions read back as they were written;
#   - every byte of the signature file, of the signed file, and of the
#     bundle (its signature lines and its message), changed one at a
#     time: each changed version fails, and signify-openbsd refuses it
#     too; a changed byte of the Ed25519 signature is "bad-signature",
#     one of the key number "unknown-key", one of the message
#     "bad-signature" (the signature is checked before anything the
#     message says); a changed byte of a comment changes nothing;
#   - key rotation: a trust file with the old and the new key verifies
#     bundles of either, one with the new key only refuses the old one's;
#   - comments edited by hand in the keys and the bundle do not matter;
#   - each verdict on real bundles: wrong-gateway, replay, expired,
#     not-yet-valid, unknown-instruction, malformed, unknown-key;
#   - packages (signify -S -m NAME-VERSION): ok, rollback, hash-mismatch,
#     size-exceeded, and unknown-key when signed with the instruction key;
#   - a CheckInResponse holding two real bundles is valid against
#     etc/callhome.xsd (xmllint) and its bundles, taken out by
#     common/checkin.c, verify byte for byte; the CheckIn that
#     common/checkin.c builds is valid (xmllint).
. "$TOP/regress/lib.sh"

SV="$OBJ/regress/tools/sigverify"
XSD="$TOP/etc/callhome.xsd"
NOW=1795255200			# 2026-11-21T10:00:00Z

if [ ! -x "$SV" ]; then
	fail setup "$SV not built"
	exit 1
fi
SIGNIFY=$(command -v signify-openbsd || command -v signify)
if [ -z "$SIGNIFY" ]; then
	skip all "signify-openbsd is not installed (apt-get install" \
	    "signify-openbsd)"
	exit 0
fi

D="$T/sig"
rm -rf "$D"
mkdir -p "$D"
cd "$D" || exit 1

# verdict ARGS...: the first line sigverify prints
verdict() {
	"$SV" "$@" 2>/dev/null | head -n 1
}

# expect WORD ARGS...: sigverify's verdict is WORD
expect() {
	_want=$1; shift
	_got=$(verdict "$@")
	[ "$_got" = "$_want" ] && return 0
	echo "verdict \"$_got\", expected \"$_want\""
	"$SV" "$@" 2>&1 | tail -n 2
	return 1
}

# bundle FILE SEQ GATEWAY ISSUED EXPIRES INSTRUCTION...: a bundle message
body() {
	_f=$1 _seq=$2 _gw=$3 _is=$4 _ex=$5
	shift 5
	{
		echo "callhome-instructions 1"
		echo "gateway $_gw"
		echo "sequence $_seq"
		echo "issued $_is"
		echo "expires $_ex"
		for _i in "$@"; do echo "$_i"; done
	} >"$_f"
}

# sign_bundle KEY BODY BUNDLE
sign_bundle() {
	"$SIGNIFY" -S -e -s "$1.sec" -m "$2" -x "$3"
}

for k in instr instr2 pkg; do
	"$SIGNIFY" -G -n -p $k.pub -s $k.sec >/dev/null 2>&1 || {
		fail "signify-openbsd -G -n makes key $k"
		exit 1
	}
done
pass "signify-openbsd -G -n: three key pairs"

# --- a detached signature -------------------------------------------------
printf 'profile "extra"\nmatch 1.3.6.1.4.1.11\n' >file
"$SIGNIFY" -S -s pkg.sec -m file
check "signify-openbsd verifies its own detached signature" \
    "$SIGNIFY" -V -q -p pkg.pub -m file
check "sigverify: signify-openbsd's detached signature is ok" \
    expect ok detached pkg.pub file.sig file

# --- an embedded bundle ---------------------------------------------------
SHA=$(sha256sum file | cut -c1-64)
SIZE=$(wc -c <file | tr -d ' ')
body body 5 site-01 2026-11-21T09:00:00Z 2026-11-28T10:00:00Z \
    "collect now" "upload now" "schedule daily 03:15" "checkin every 6h" \
    "package profile extra.profile 2 $SHA $SIZE"
sign_bundle instr body bundle
check "signify-openbsd verifies its own embedded bundle" \
    "$SIGNIFY" -V -q -e -p instr.pub -x bundle -m body.out
check "sigverify embedded: the message is the body, byte for byte" \
    sh -c "\"$SV\" embedded instr.pub bundle msg.out && cmp msg.out body"
cat >want <<EOF
ok
sequence 5
collect now
upload now
schedule daily 03:15
checkin every 21600s
package profile extra.profile 2 $SHA $SIZE
EOF
check "sigverify bundle: ok, and the instructions read back" \
    sh -c "\"$SV\" bundle instr.pub bundle site-01 4 $NOW >got && \
	diff -u want got"

# --- every byte changed ---------------------------------------------------
# mutants SRC DIR KIND: one file per changed byte of SRC in DIR, named
# OFFSET.EXPECTED: "ok" (a byte of a comment), "bad-signature" (of the
# Ed25519 signature, or of a message), "unknown-key" (of the key number)
# or "fail" (anything else: the header, a newline, the padding).  KIND
# is "sig" (a signature file), "embedded" (a signature file and its
# message) or "message" (a file signed apart).  A base64 character is
# replaced by the next one of the alphabet, so that the line stays
# base64; a comment's byte by another letter; any other byte has its
# lowest bit flipped.
mutants() {
	$PY - "$@" <<'EOF'
import os, sys
src, out, kind = sys.argv[1:4]
data = open(src, "rb").read()
alpha = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
os.makedirs(out, exist_ok=True)
hdr = b"untrusted comment: "
if kind == "message":
    nl1 = nl2 = -1
else:
    assert data.startswith(hdr)
    nl1 = data.index(b"\n")
    nl2 = data.index(b"\n", nl1 + 1)
def b64class(j):
    # bits 6j .. 6j+5 of "Ed" || keynum (8) || signature (64)
    lo, hi = 6 * j, 6 * j + 5
    if hi >= 74 * 8:
        return "fail"           # padding bits: not canonical any more
    if lo >= 2 * 8 and hi < 10 * 8:
        return "unknown-key"
    if lo >= 10 * 8:
        return "bad-signature"
    return "fail"
for i, c in enumerate(data):
    m = bytearray(data)
    if kind == "message" or i > nl2:
        m[i] ^= 1
        cls = "bad-signature"
    elif len(hdr) <= i < nl1:
        m[i] = ord("X") if c != ord("X") else ord("Y")
        cls = "ok"
    elif nl1 < i < nl2 and c in alpha:
        m[i] = alpha[(alpha.index(c) + 1) % 64]
        cls = b64class(i - nl1 - 1)
    else:
        m[i] ^= 1
        cls = "fail"
    open(os.path.join(out, "%05d.%s" % (i, cls)), "wb").write(bytes(m))
EOF
}

# try_all DIR ARGS...: run sigverify ARGS with each mutant of DIR in
# place of the word "@"; print the mutants whose verdict is not the
# expected one ("fail": any verdict but ok)
try_all() {
	_dir=$1; shift
	_bad=0 _n=0
	for _m in "$_dir"/*; do
		_want=${_m##*.}
		_args=""
		for _a in "$@"; do
			[ "$_a" = "@" ] && _a=$_m
			_args="$_args '$_a'"
		done
		_got=$(eval "\"$SV\" $_args" 2>/dev/null | head -n 1)
		_n=$((_n + 1))
		case $_want in
		fail)	[ "$_got" != ok ] && [ -n "$_got" ] && continue ;;
		*)	[ "$_got" = "$_want" ] && continue ;;
		esac
		echo "${_m##*/}: $_got"
		_bad=$((_bad + 1))
	done
	echo "$_n mutants, $_bad with another verdict"
	[ $_bad -eq 0 ] && [ $_n -gt 0 ]
}

# signify_agrees DIR SIGNIFY-ARGS...: signify-openbsd accepts exactly the
# mutants expected "ok" ("@" is the mutant)
signify_agrees() {
	_dir=$1; shift
	_bad=0
	for _m in "$_dir"/*; do
		_want=${_m##*.}
		_args=""
		for _a in "$@"; do
			[ "$_a" = "@" ] && _a=$_m
			_args="$_args '$_a'"
		done
		if eval "\"$SIGNIFY\" $_args" >/dev/null 2>&1; then
			[ "$_want" = ok ] && continue
		else
			[ "$_want" != ok ] && continue
		fi
		echo "${_m##*/}: signify-openbsd disagrees"
		_bad=$((_bad + 1))
	done
	[ $_bad -eq 0 ]
}

mutants file.sig mut-sig sig
check "each byte of a detached signature file changed: all fail but \
comment bytes; key number: unknown-key; signature: bad-signature" \
    try_all mut-sig detached pkg.pub @ file
check "signify-openbsd agrees on each changed signature file" \
    signify_agrees mut-sig -V -q -p pkg.pub -x @ -m file

mutants file mut-file message
check "each byte of a signed file changed: bad-signature" \
    try_all mut-file detached pkg.pub file.sig @
check "signify-openbsd agrees on each changed signed file" \
    signify_agrees mut-file -V -q -p pkg.pub -x file.sig -m @

mutants bundle mut-bundle embedded
check "each byte of a bundle changed: all fail but comment bytes; \
a byte of its message: bad-signature, before anything it says" \
    try_all mut-bundle bundle instr.pub @ site-01 4 $NOW
check "signify-openbsd agrees on each changed bundle" \
    signify_agrees mut-bundle -V -q -e -p instr.pub -x @ -m /dev/null
check "the message's bytes were among them" \
    test "$(ls mut-bundle | grep -c 'bad-signature$')" -gt 200

# --- rotation ---------------------------------------------------------------
body body6 6 site-01 2026-11-21T09:00:00Z 2026-11-28T10:00:00Z "collect now"
sign_bundle instr2 body6 bundle6
cat instr.pub instr2.pub >both.pub
cat instr2.pub instr.pub >both-rev.pub
check "rotation: old and new key trusted, the old key's bundle is ok" \
    expect ok bundle both.pub bundle site-01 4 $NOW
check "rotation: old and new key trusted, the new key's bundle is ok" \
    expect ok bundle both.pub bundle6 site-01 5 $NOW
check "rotation: the keys in the other order, the old key's bundle" \
    expect ok bundle both-rev.pub bundle site-01 4 $NOW
check "rotation: the old key removed, its bundle is unknown-key" \
    expect unknown-key bundle instr2.pub bundle site-01 4 $NOW
check "rotation: the old key removed, the new key's bundle is ok" \
    expect ok bundle instr2.pub bundle6 site-01 5 $NOW

# --- comments ---------------------------------------------------------------
sed '1s/^untrusted comment: .*/untrusted comment: edited by hand, & more/' \
    both.pub >edited.pub
sed '3s/^untrusted comment: .*/untrusted comment: not the key you think/' \
    edited.pub >edited2.pub
sed '1s/^untrusted comment: .*/untrusted comment: verify with anything/' \
    bundle >edited.bundle
check "comments edited: the keys were changed" \
    sh -c '! cmp -s both.pub edited2.pub && ! cmp -s bundle edited.bundle'
check "comments edited in the trust file and the bundle do not matter" \
    expect ok bundle edited2.pub edited.bundle site-01 4 $NOW
check "comments edited: the second key as well" \
    expect ok bundle edited2.pub bundle6 site-01 5 $NOW

# --- each verdict on real bundles ------------------------------------------
check "wrong-gateway: a bundle for another gateway" \
    expect wrong-gateway bundle instr.pub bundle site-02 4 $NOW
check "replay: the sequence accepted already" \
    expect replay bundle instr.pub bundle site-01 5 $NOW
check "expired: at its expiry" \
    expect expired bundle instr.pub bundle site-01 4 1795860000
check "ok: one second before its expiry" \
    expect ok bundle instr.pub bundle site-01 4 1795859999
check "not-yet-valid: issued more than 5 minutes ahead of the clock" \
    expect not-yet-valid bundle instr.pub bundle site-01 4 1795251299
check "ok: issued 5 minutes ahead of the clock" \
    expect ok bundle instr.pub bundle site-01 4 1795251300
"$SIGNIFY" -S -e -s pkg.sec -m body -x bundle-pkg
check "unknown-key: a bundle signed with the package key" \
    expect unknown-key bundle instr.pub bundle-pkg site-01 4 $NOW
body body-u 7 site-01 2026-11-21T09:00:00Z 2026-11-28T10:00:00Z \
    "collect now" "reboot now"
sign_bundle instr body-u bundle-u
check "unknown-instruction: reboot now" \
    expect unknown-instruction bundle instr.pub bundle-u site-01 4 $NOW
printf 'callhome-instructions 1\ngateway site-01\nsequence 8\n' >body-m
printf 'issued 2026-11-21T09:00:00Z\nexpires 2026-11-28T10:00:00Z\n' >>body-m
printf 'collect now' >>body-m		# no final newline
sign_bundle instr body-m bundle-m
check "malformed: a last line without its newline" \
    expect malformed bundle instr.pub bundle-m site-01 4 $NOW
check "malformed: a public key file is no bundle" \
    expect malformed bundle instr.pub instr.pub site-01 4 $NOW
check "bad-signature: a detached signature read as a bundle (its message
is empty, and not what was signed)" \
    expect bad-signature bundle pkg.pub file.sig site-01 4 $NOW
check "malformed: a file that is not signed" \
    expect malformed bundle instr.pub body site-01 4 $NOW

# --- packages ---------------------------------------------------------------
cp file extra.profile-2
"$SIGNIFY" -S -s pkg.sec -m extra.profile-2
"$SIGNIFY" -S -s instr.sec -m extra.profile-2 -x by-instr.sig
check "package: ok" expect ok package pkg.pub extra.profile-2 \
    extra.profile-2.sig "$SHA" "$SIZE" 2 1
check "package: the same version installed is rollback" \
    expect rollback package pkg.pub extra.profile-2 extra.profile-2.sig \
    "$SHA" "$SIZE" 2 2
check "package: a newer one installed is rollback" \
    expect rollback package pkg.pub extra.profile-2 extra.profile-2.sig \
    "$SHA" "$SIZE" 2 3
check "package: signed with the instruction key is unknown-key" \
    expect unknown-key package pkg.pub extra.profile-2 by-instr.sig \
    "$SHA" "$SIZE" 2 1
check "package: another SHA-256 in the instruction is hash-mismatch" \
    expect hash-mismatch package pkg.pub extra.profile-2 \
    extra.profile-2.sig "$(echo x | sha256sum | cut -c1-64)" "$SIZE" 2 1
check "package: more bytes than the instruction's size is size-exceeded" \
    expect size-exceeded package pkg.pub extra.profile-2 \
    extra.profile-2.sig "$SHA" $((SIZE - 1)) 2 1

# --- a check-in answer ------------------------------------------------------
$PY - bundle bundle6 >answer.xml <<'EOF'
import base64, sys
print('<?xml version="1.0" encoding="UTF-8"?>')
print('<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"'
      ' xmlns:ch="urn:callhome:protocol:1"><env:Body>')
print('<ch:CheckInResponse>')
print('<ch:ServerTime>2026-11-21T10:00:00Z</ch:ServerTime>')
for f in sys.argv[1:]:
    b = base64.b64encode(open(f, "rb").read()).decode()
    print('<ch:Bundle>%s</ch:Bundle>' % b)
print('</ch:CheckInResponse></env:Body></env:Envelope>')
EOF
# the payload alone, for xmllint: it validates the root element
sed -n '/<ch:CheckInResponse>/,/<\/ch:CheckInResponse>/p' answer.xml |
    sed 's|<ch:CheckInResponse>|<ch:CheckInResponse xmlns:ch="urn:callhome:protocol:1">|;
	s|</env:Body></env:Envelope>||' >payload.xml
"$SV" checkin "site 01 & <co>" 6 extra.profile 2 b.profile 1 \
    >checkin.xml
sed -n '/<ch:CheckIn /,/<\/ch:CheckIn>/p' checkin.xml >checkin-payload.xml
if command -v xmllint >/dev/null 2>&1; then
	check "xmllint: the CheckInResponse with two bundles is valid" \
	    xmllint --noout --schema "$XSD" payload.xml
	check "xmllint: the CheckIn built by common/checkin.c is valid" \
	    sh -c "grep -q 'ch:Package name=\"b.profile\"' checkin-payload.xml &&
		xmllint --noout --schema \"$XSD\" checkin-payload.xml"
else
	skip "xmllint" "xmllint is not installed (apt-get install libxml2-utils)"
fi
check "the answer's two bundles, taken out of the XML, verify in order" \
    sh -c "\"$SV\" response \"$XSD\" answer.xml both.pub site-01 4 $NOW \
	>resp.out && printf 'ok\nok\n' | cmp - resp.out"
check "the same answer again: both are replays" \
    sh -c "\"$SV\" response \"$XSD\" answer.xml both.pub site-01 6 $NOW \
	| grep -c '^replay\$' | grep -qx 2"
