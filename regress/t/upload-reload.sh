#!/bin/sh
# A reload during an upload.  The job keeps the server, schema and TLS
# settings it started with; the new configuration (here: no server at
# all) applies when it ends.  A front between the gateway and commsd
# holds commsd's bytes until the reload is done, so the job is in its
# TLS handshake while uplinkd receives the new configuration: the job is
# still delivered, uplinkd does not die, and the next cycle's document
# waits in the outbox, since there is no server any more.

. "$TOP/regress/lib.sh"
. "$TOP/regress/upload-lib.sh"

up_setup || exit 0
up_fleet 2 || exit 1

PORT=$(free_port tcp)
FRONT=$(free_port tcp)
cd_conf srv "$PORT" </dev/null
cd_start srv || exit 1
cat >"$W/front.py" <<'EOF'
import os, socket, sys, threading, time
# forwards both ways; commsd's bytes wait until the file "go" exists
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
print("ready", flush=True)
def pipe(a, b, hold):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            if hold:
                t = time.monotonic() + 20
                while not os.path.exists(sys.argv[3]) and \
                    time.monotonic() < t:
                    time.sleep(0.02)
            b.sendall(d)
    except OSError:
        pass
    finally:
        try:
            b.shutdown(socket.SHUT_WR)
        except OSError:
            pass
while True:
    c, _ = s.accept()
    print("connected", flush=True)
    u = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
    threading.Thread(target=pipe, args=(c, u, False), daemon=True).start()
    threading.Thread(target=pipe, args=(u, c, True), daemon=True).start()
EOF
$PY "$W/front.py" "$FRONT" "$PORT" "$W/go" >"$W/front.out" 2>&1 &
FPID=$!
up_started $FPID
wait_for 10 grep -q ready "$W/front.out" || { fail "front starts"; exit 1; }

gw_conf gw "$FRONT" </dev/null
gw_start gw || exit 1
gw_ctl gw collect >"$W/collect1.out" 2>&1
check "the upload of cycle 1 is in its handshake (front connected)" \
    wait_for 30 grep -q connected "$W/front.out"

# the same configuration without its server (nor authorize upload)
sed -e '/^authorize upload/d' -e '/^server /,/^}$/d' "$W/gw.conf" \
    >"$W/gw.noserver"
mkconf "$W/gw.conf" <"$W/gw.noserver"
check "no server block left" sh -c "! grep -q '^server' '$W/gw.conf'"
gw_ctl gw reload >"$W/reload.out" 2>&1
check "reload during the job: configuration reloaded" \
    grep -qx 'reload: configuration reloaded' "$W/reload.out"
touch "$W/go"
check "the job of cycle 1 is delivered with the settings it started with" \
    gw_wait_sql 30 gw "SELECT state FROM outbox WHERE cycle_id = 1" \
    delivered
check "uplinkd is alive: no process is gone" \
    sh -c "! grep -q 'is gone\\|killed by signal' '$W/gw.d.log'"
check "commsd holds the document" \
    test "$(cd_q srv documents -j | $PY -c 'import json, sys
print(len(json.load(sys.stdin)))')" = 1

# the next cycle: no server configured, so its document waits
gw_ctl gw collect >"$W/collect2.out" 2>&1
check "cycle 2's document is stored" \
    gw_wait_sql 30 gw "SELECT count(*) FROM outbox WHERE cycle_id = 2" 1
sleep 1
check "cycle 2's document waits: pending, never sent" \
    test "$(gw_sql gw "SELECT state || ',' || attempts FROM outbox
    WHERE cycle_id = 2")" = "pending,0"
check "the front saw one connection only" \
    test "$(grep -c connected "$W/front.out")" -eq 1
gw_ctl gw status >"$W/status.out" 2>&1
check "uplinkd still answers status" grep -q '^uplinkd' "$W/status.out"
gw_stop
up_stop $FPID
gw_verify gw "after the reload"
cd_stop
exit 0
