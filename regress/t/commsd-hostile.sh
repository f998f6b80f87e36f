#!/bin/sh
# commsd under a load of hostile clients (regress/hostile.py): idle and
# slow connections without TLS, garbage, a document of 160,000 attributes
# (libxml2's quadratic case), a gzip bomb, a false SHA-256, bare LF line
# ends, bodies that fill the memory budget; meanwhile a gateway's uploads
# are each answered with their receipt within 5 s and commsd's memory
# stays under the bound commsd(8) gives.
#
# Then the workers: a document that keeps libxml2 busy (the pre-scan's
# attribute limit raised) is refused 413 at "check timeout", its worker
# killed and replaced, while the gateway is served; SIGTERM meanwhile is
# obeyed at once; the spawner's and the workers' sandboxes, from /proc.

. "$TOP/regress/lib.sh"
. "$TOP/regress/pki.sh"

COMMSD="$OBJ/commsd"
DOCS="$TOP/regress/fuzz/corpus/upload"

if [ ! -x "$COMMSD" ]; then
	fail setup "$COMMSD not built"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	skip all "must run as root (commsd chroots and changes user)"
	exit 0
fi
if ! pki_all "$T/pki" localhost gw1 ||
    ! pki_client "$T/pki" ca evil evil ||
    ! pki_client "$T/pki" ca evil2 evil2; then
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

# start NAME: commsd -d with $T/NAME.conf; sets PID
start() {
	"$COMMSD" -d -v -f "$T/$1.conf" >"$T/$1.log" 2>&1 &
	PID=$!
	on_exit "kill -9 $PID 2>/dev/null"
	if ! wait_for 10 grep -q "startup complete" "$T/$1.log" ||
	    ! wait_for 10 sh -c "test \$(grep -c ' ready\$' '$T/$1.log') -ge 2"; then
		fail "commsd $1 starts" "$(tail -n 5 "$T/$1.log" | tr '\n' ' ')"
		return 1
	fi
	return 0
}

# the bound of commsd(8), in KiB: 24 MiB + max inflight + max document +
# 96 KiB for each connection and handshake
bound_kb() {
	echo $(( 24 * 1024 + $1 / 1024 + $2 / 1024 + 96 * ($3 + $4) ))
}

# ---- the load
MAXDOC=$((4 * 1024 * 1024))
INFLIGHT=$((16 * 1024 * 1024))
PORT=$(free_port tcp)
conf load "$PORT" <<EOF
max document $MAXDOC
max inflight $INFLIGHT
EOF
start load || exit 1
BOUND=$(bound_kb $INFLIGHT $MAXDOC 64 16)
pyrun "hostile load" "$TOP/regress/hostile.py" "$PORT" "$P" "$DOCS" "$PID" \
    30 "$BOUND" "$MAXDOC"
cat "$T/py.out" "$T/py.err" >>"$T/hostile.out"
check "the handshakes' budget was full, the oldest idle ones closed" \
    grep -q 'handshakes in progress' "$T/load.log"
kill -TERM $PID
wait $PID
check "after the load: SIGTERM, exit status 0" test $? = 0
"$COMMSD" -f "$T/load.conf" -q log -j >"$T/load.json"
check "after the load: the stop record counts refusals and evictions" \
    $PY - "$T/load.json" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1]))
stop = json.loads(log[-1]["detail"])
assert log[-1]["kind"] == "stop", log[-1]
assert stop["evicted"] + stop["refused"] > 0, stop
assert stop["busy"] > 0 and stop["inflight_peak"] <= 16 << 20, stop
EOF

# ---- commsd-check takes its channel and parameters from commsd only
CHECKER="$OBJ/commsd-check"
check "commsd-check run by hand: refused" sh -c \
    "! '$CHECKER' 2>'$T/ck.err' && grep -q 'started by commsd(8) only' '$T/ck.err'"
# a channel on 3, and on 4 parameters that are not a whole set: the
# exit status and standard error
ck_params() {
	$PY - "$CHECKER" "$1" <<'EOF'
import os, socket, struct, subprocess, sys
checker, what = sys.argv[1], sys.argv[2]
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
r, w = os.pipe()
data = {"garbage": b"not a struct at all",
        "magic-only": struct.pack("<II", 0x43484b31, 5) + b"\0" * 400,
        "empty": b""}[what]
os.write(w, data)
os.close(w)
def fds():
    os.dup2(b.fileno(), 3)
    os.dup2(r, 4)
p = subprocess.run([checker], preexec_fn=fds, stderr=subprocess.PIPE,
    close_fds=False,
    timeout=10)
sys.stdout.write("%d %s" % (p.returncode, p.stderr.decode()))
EOF
}
for what in garbage magic-only empty; do
	ck_params "$what" >"$T/ck-$what.out" 2>&1
	check "commsd-check with $what parameters: refused" \
	    grep -q '^1 .*bad parameters from commsd' "$T/ck-$what.out"
done

# ---- a document that keeps libxml2 busy, with the pre-scan's limit off
PORT=$(free_port tcp)
conf slow "$PORT" <<EOF
max document 4M
max attributes 1000000
check timeout 2s
EOF
start slow || exit 1
SLOWPID=$PID
# the sandboxes, from /proc, while the workers wait for a document
SPAWNER=$(child_named $SLOWPID commsd-spawner)
check "the spawner is commsd's child" test -n "$SPAWNER"
WORKERS=$(children_of "${SPAWNER:-0}")
sb_check() {
	_w=$1
	grep -qx 'Seccomp:[[:space:]]*2' /proc/$_w/status &&
	grep -qx 'NoNewPrivs:[[:space:]]*1' /proc/$_w/status &&
	test "$(awk '/^Uid:/{print $2}' /proc/$_w/status)" = "$(id -u nobody)" &&
	test "$(readlink /proc/$_w/root)" = "$(cd "$T/slow" && pwd -P)" &&
	test "$(readlink /proc/$_w/ns/net)" != "$(readlink /proc/1/ns/net)"
}
check "the spawner: seccomp, no new privileges, nobody, chroot, no network" \
    sb_check "$SPAWNER"
# commsd-check, exec'd: none of commsd's database or TLS libraries
check "the spawner is commsd-check, mapping no libpq, SQLite or OpenSSL" \
    sh -c "grep -q 'commsd-check\$' /proc/$SPAWNER/maps &&
     ! grep -Eq 'lib(pq|sqlite3|ssl|crypto|tls)[.]' /proc/$SPAWNER/maps"
set -- $WORKERS
check "two workers" test $# = 2
for w in $WORKERS; do
	check "worker $w: seccomp, no new privileges, nobody, chroot, no network" \
	    sb_check $w
	check "worker $w: no fork, a CPU limit of 3 s, an address-space limit" \
	    sh -c "awk '/^Max processes/{print \$3}' /proc/$w/limits | grep -qx 0 &&
	     awk '/^Max cpu time/{print \$4}' /proc/$w/limits | grep -qx 3 &&
	     awk '/^Max address space/{print \$4}' /proc/$w/limits |
	     grep -Eqx '[0-9]+'"
done
$PY - "$PORT" "$P" "$DOCS" >"$T/slow.out" 2>&1 <<'EOF'
import hashlib, socket, ssl, sys, threading, time
port, pki, docs = int(sys.argv[1]), sys.argv[2], sys.argv[3]
doc = (b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">'
       b'<env:Body><ch:Upload xmlns:ch="urn:callhome:protocol:1" ' +
       b" ".join(b'a%d="x"' % i for i in range(160000)) +
       b'/></env:Body></env:Envelope>')
full = open(docs + "/upload-full.xml", "rb").read()
def post(who, body, timeout):
    ctx = ssl.create_default_context(cafile=pki + "/ca.crt")
    ctx.load_cert_chain(pki + "/%s.crt" % who, pki + "/%s.key" % who)
    t0 = time.monotonic()
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port),
        timeout=timeout), server_hostname="localhost")
    s.sendall(b"POST /callhome/1/upload HTTP/1.1\r\nHost: x\r\n"
        b"Connection: close\r\n"
        b"Content-Type: application/soap+xml\r\nContent-Length: %d\r\n\r\n"
        % len(body) + body)
    data = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except OSError:
        pass
    return data, time.monotonic() - t0
res = []
def evil():
    for _ in range(2):
        res.append(post("evil", doc, 60))
ts = [threading.Thread(target=evil) for _ in range(2)]
for t in ts:
    t.start()
time.sleep(0.5)
ok = []
for i in range(3):
    d = full.replace(b'<ch:Cycle id="7"', b'<ch:Cycle id="%d"' % (50 + i))
    a, secs = post("client", d, 5)
    ok.append(a.startswith(b"HTTP/1.1 200 ") and
        hashlib.sha256(d).hexdigest().encode() in a and secs <= 5)
    print("gateway", a[:12], round(secs, 2))
    time.sleep(0.5)
for t in ts:
    t.join()
for a, secs in res:
    print("evil", a[:40], round(secs, 2))
print("RESULT", all(ok), all(a.startswith(b"HTTP/1.1 413 ") and
    b"could not be checked within 2.000 s" in a for a, _ in res))
EOF
check "while the workers chew, the gateway gets its receipts within 5 s" \
    grep -q '^RESULT True' "$T/slow.out"
check "the document that keeps the parser busy: 413 at the deadline" \
    grep -q '^RESULT .* True$' "$T/slow.out"
check "its workers were killed and replaced" sh -c \
    "grep -q 'no answer within 2000 ms: killed' '$T/slow.log' &&
     test \$(grep -c ' ready\$' '$T/slow.log') -ge 6"

# SIGTERM while a worker is busy: obeyed at once
$PY - "$PORT" "$P" >/dev/null 2>&1 <<'EOF' &
import socket, ssl, sys
port, pki = int(sys.argv[1]), sys.argv[2]
doc = (b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">'
       b'<env:Body><ch:Upload xmlns:ch="urn:callhome:protocol:1" ' +
       b" ".join(b'a%d="x"' % i for i in range(160000)) +
       b'/></env:Body></env:Envelope>')
ctx = ssl.create_default_context(cafile=pki + "/ca.crt")
ctx.load_cert_chain(pki + "/evil.crt", pki + "/evil.key")
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)),
    server_hostname="localhost")
s.sendall(b"POST /callhome/1/upload HTTP/1.1\r\nHost: x\r\n"
    b"Content-Type: application/soap+xml\r\nContent-Length: %d\r\n\r\n"
    % len(doc) + doc)
s.settimeout(30)
try:
    s.recv(1)
except OSError:
    pass
EOF
BUSY=$!
sleep 1
LAST=$(children_of "${SPAWNER:-0}")
t0=$(now_ms)
kill -TERM $SLOWPID
wait $SLOWPID
rc=$?
t1=$(now_ms)
check "SIGTERM with a worker busy: exit 0 within 2 s ($((t1 - t0)) ms)" \
    test $rc = 0 -a $((t1 - t0)) -lt 2000
gone() {
	for _p in "$@"; do
		test ! -e /proc/$_p || grep -q '^State:.*Z' /proc/$_p/status ||
		    return 1
	done
}
check "the spawner and its workers are gone with it" \
    wait_for 5 gone $SPAWNER $LAST
kill $BUSY 2>/dev/null
wait $BUSY 2>/dev/null
exit 0
