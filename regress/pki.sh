# A throwaway PKI for the tests, made with openssl(1).  Source it:
#
#	. "$TOP/regress/pki.sh"
#	pki_all "$T/pki" localhost gw1
#
# pki_all DIR [HOST] [GATEWAY] makes, in DIR (mode 0700; keys 0600,
# ECDSA P-256):
#
#	ca.crt ca.key			the CA of the gateways and the server
#	server.crt server.key		for HOST (default localhost),
#					127.0.0.1 and ::1 (subjectAltName)
#	client.crt client.key		a gateway: CN GATEWAY (default gw1)
#	expired.crt expired.key		a server certificate for HOST that
#					expired (valid for one day, a year ago)
#	other-ca.crt other-ca.key	an unrelated CA
#	other-client.crt other-client.key  signed by other-ca, CN GATEWAY
#
# Every other certificate is valid from an hour ago for 30 days.  The
# smaller functions make single pieces:
#
#	pki_ca DIR NAME [CN]		  DIR/NAME.crt, DIR/NAME.key
#	pki_server DIR CA NAME HOST	  signed by DIR/CA.crt
#	pki_client DIR CA NAME CN	  signed by DIR/CA.crt
#	pki_expired_server DIR CA NAME HOST
#	pki_sign DIR CA NAME SUBJECT EXT STARTDATE ENDDATE
#
# Dates are openssl ca's: YYMMDDHHMMSSZ.  Nothing here needs the network.

# pki_date OFFSET: "-1 hour", "+30 days"... as YYMMDDHHMMSSZ, UTC
pki_date() {
	date -u -d "$1" +%y%m%d%H%M%SZ
}

pki_key() {
	( umask 077 && openssl genpkey -algorithm EC \
	    -pkeyopt ec_paramgen_curve:P-256 -out "$1" ) 2>/dev/null
	chmod 0600 "$1"
}

# pki_ca DIR NAME [CN]
pki_ca() {
	_d=$1 _n=$2 _cn=${3:-callhome test CA $2}
	mkdir -p "$_d" && chmod 0700 "$_d"
	pki_key "$_d/$_n.key" || return 1
	openssl req -new -x509 -key "$_d/$_n.key" -out "$_d/$_n.crt" \
	    -subj "/O=callhome tests/CN=$_cn" -days 3650 -sha256 \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" \
	    -addext "subjectKeyIdentifier=hash" 2>/dev/null || return 1
	# openssl ca's bookkeeping, next to the CA
	mkdir -p "$_d/$_n.db/new"
	: >"$_d/$_n.db/index.txt"
	echo 1000 >"$_d/$_n.db/serial"
	cat >"$_d/$_n.db/ca.cnf" <<EOF
[ ca ]
default_ca	= ca_default
[ ca_default ]
dir		= $_d/$_n.db
database	= \$dir/index.txt
new_certs_dir	= \$dir/new
serial		= \$dir/serial
certificate	= $_d/$_n.crt
private_key	= $_d/$_n.key
default_md	= sha256
policy		= policy_any
unique_subject	= no
email_in_dn	= no
copy_extensions	= none
[ policy_any ]
organizationName = optional
commonName	= supplied
EOF
}

# pki_sign DIR CA NAME SUBJECT EXTFILE STARTDATE ENDDATE
pki_sign() {
	_d=$1 _ca=$2 _n=$3
	pki_key "$_d/$_n.key" || return 1
	openssl req -new -key "$_d/$_n.key" -subj "$4" \
	    -out "$_d/$_n.csr" 2>/dev/null || return 1
	openssl ca -batch -notext -config "$_d/$_ca.db/ca.cnf" \
	    -in "$_d/$_n.csr" -out "$_d/$_n.crt" -extfile "$5" \
	    -startdate "$6" -enddate "$7" >"$_d/$_n.ca.log" 2>&1 || {
		cat "$_d/$_n.ca.log" >&2
		return 1
	}
	rm -f "$_d/$_n.csr" "$_d/$_n.ca.log"
}

# pki_server_ext HOST: the extensions of a server certificate
pki_server_ext() {
	cat <<EOF
basicConstraints	= critical, CA:FALSE
keyUsage		= critical, digitalSignature, keyEncipherment
extendedKeyUsage	= serverAuth
subjectAltName		= DNS:$1, IP:127.0.0.1, IP:::1
EOF
}

# pki_server DIR CA NAME HOST
pki_server() {
	pki_server_ext "$4" >"$1/$3.ext"
	pki_sign "$1" "$2" "$3" "/O=callhome tests/CN=$4" "$1/$3.ext" \
	    "$(pki_date '-1 hour')" "$(pki_date '+30 days')"
}

# pki_expired_server DIR CA NAME HOST: valid one day, a year ago
pki_expired_server() {
	pki_server_ext "$4" >"$1/$3.ext"
	pki_sign "$1" "$2" "$3" "/O=callhome tests/CN=$4" "$1/$3.ext" \
	    "$(pki_date '-366 days')" "$(pki_date '-365 days')"
}

# pki_client DIR CA NAME CN: a gateway's certificate
pki_client() {
	cat >"$1/$3.ext" <<EOF
basicConstraints	= critical, CA:FALSE
keyUsage		= critical, digitalSignature
extendedKeyUsage	= clientAuth
EOF
	pki_sign "$1" "$2" "$3" "/O=callhome tests/CN=$4" "$1/$3.ext" \
	    "$(pki_date '-1 hour')" "$(pki_date '+30 days')"
}

# pki_all DIR [HOST] [GATEWAY]: the whole set described above
pki_all() {
	_pd=$1 _host=${2:-localhost} _gw=${3:-gw1}
	pki_ca "$_pd" ca "callhome test CA" &&
	pki_server "$_pd" ca server "$_host" &&
	pki_client "$_pd" ca client "$_gw" &&
	pki_expired_server "$_pd" ca expired "$_host" &&
	pki_ca "$_pd" other-ca "unrelated test CA" &&
	pki_client "$_pd" other-ca other-client "$_gw"
}

# pki_renew DIR CA NAME NEWNAME HOST: a renewed server certificate,
# NEWNAME.crt, for the key of NAME (a new serial and new dates)
pki_renew() {
	pki_server_ext "$5" >"$1/$4.ext"
	openssl req -new -key "$1/$3.key" -subj "/O=callhome tests/CN=$5" \
	    -out "$1/$4.csr" 2>/dev/null || return 1
	openssl ca -batch -notext -config "$1/$2.db/ca.cnf" -in "$1/$4.csr" \
	    -out "$1/$4.crt" -extfile "$1/$4.ext" \
	    -startdate "$(pki_date '-10 minutes')" \
	    -enddate "$(pki_date '+60 days')" >/dev/null 2>&1 || return 1
	rm -f "$1/$4.csr"
}

# pki_pin CERT: its pin-sha256, the base64 of the SHA-256 of its public
# key (the command callhome.conf(5) gives)
pki_pin() {
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin \
	    -outform der | openssl dgst -sha256 -binary | openssl base64
}

# pki_sha256 CERT: the SHA-256 of a certificate's DER, lowercase hex
pki_sha256() {
	openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1
}
