#!/bin/sh
# The load generator cannot rot: regress/load/loadtest.sh in its smoke
# size (LOAD_SMOKE=1: 20 gateways, 4 seconds a scenario) against a real
# commsd, keep-alive and a connection per request, and a storm; the
# node-kill scenario says why it is skipped without PostgreSQL.  Nothing
# here is timed: the checks are on what was delivered and stored.
#
#   each scenario   loadgen exits 0: no error of any kind; every upload
#                   has its receipt, whose hash is the one of the bytes
#                   sent; commsd stored as many documents as were
#                   receipted, none twice; the report has the latency
#                   percentiles and the node's CPU and RSS
. "$TOP/regress/lib.sh"

if [ ! -x "$OBJ/regress/load/loadgen" ]; then
	fail "loadgen is built" "$OBJ/regress/load/loadgen"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	skip all "must run as root (commsd and callhomed sandbox)"
	exit 0
fi
LOAD_SMOKE=1 sh "$TOP/regress/load/loadtest.sh" steady-ka steady-full storm \
    kill9 >"$T/load.out" 2>&1
rc=$?
sed 's/^/# /' "$T/load.out" | grep -v '^# ok ' | cut -c1-150
check "loadtest.sh exits 0" test $rc -eq 0
for s in steady-ka steady-full storm; do
	r="$OBJ/loadtest/report-$s.txt"
	pycheck "$s: no error, every upload receipted, stored once each" \
	    "$T/load.out" "$s" "$r" <<'PY'
import re, sys
out, scen, rep = open(sys.argv[1]).read(), sys.argv[2], open(sys.argv[3]).read()
sect = out.split("==> " + scen + ":")[1].split("==> ")[0]
m = re.search(r"stored: (\d+) documents, (\d+) stored twice; loadgen status (\d+)", sect)
assert m, sect
stored, twice, status = map(int, m.groups())
assert status == 0 and twice == 0, m.group(0)
up = int(re.search(r"uploads (\d+) \(", rep).group(1))
rc = int(re.search(r"receipts verified (\d+)", rep).group(1))
ci = int(re.search(r"check-ins (\d+) \(", rep).group(1))
assert ci > 0 and rc == up and stored == rc, (ci, up, rc, stored)
for k in ("checkin", "upload", "handshake"):
    assert re.search(r"latency %s +n \d+ +p50 +[0-9.]+ ms +p95 +[0-9.]+ ms +p99 +[0-9.]+ ms .* errors 0" % k, rep), k
assert re.search(r"node \d+: cpu [0-9.]+ s \(the server process [0-9.]+ s, its workers the rest\), [0-9.]+ ms per request, rss \d+ KiB", rep), rep
assert re.search(r"not yet receipted .*: 0$", rep, re.M), rep
PY
done
check "steady-ka: fewer connections than requests (keep-alive)" $PY -c '
import re, sys
r = open(sys.argv[1]).read()
c = int(re.search(r"connections (\d+)", r).group(1))
n = int(re.search(r"requests (\d+) \(", r).group(1))
u = int(re.search(r"uploads (\d+) \(", r).group(1))
assert u > 0 and c < n, (c, n)
' "$OBJ/loadtest/report-steady-ka.txt"
check "steady-full: a connection for each request" $PY -c '
import re, sys
r = open(sys.argv[1]).read()
c = int(re.search(r"connections (\d+)", r).group(1))
n = int(re.search(r"requests (\d+) \(", r).group(1))
assert c == n, (c, n)
' "$OBJ/loadtest/report-steady-full.txt"
check "storm: every gateway served" \
    grep -q '^gateways served (a check-in answered) 20 of 20,' \
    "$OBJ/loadtest/report-storm.txt"
check "kill9: skipped without PostgreSQL, saying why" \
    grep -q '^==> kill9: skipped: it needs two nodes on one PostgreSQL' \
    "$T/load.out"
exit 0
