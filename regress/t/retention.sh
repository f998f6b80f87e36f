#!/bin/sh
# Retention and a database that stops growing.  The test build of the
# daemons (obj/testclock/, whose clock CALLHOME_TEST_CLOCK moves; never a
# release) runs "callhomed -1" once a day for 16 days in a few seconds:
# 10 printers, uploads to commsd, "retention 3 days".
#
#   every run   exits 0, every document delivered
#   pruned      the cycles older than 3 days have no readings left and
#               their delivered documents no bytes; the 4 newest are
#               whole; one "prune" record (reason retention) for each
#               pruned cycle, every other record kept; callhomectl verify
#               exits 0; callhomectl show of a pruned document says it
#               was pruned by retention, and its hash
#   size        the readings take as many pages in the last runs as on
#               days 4 to 7, and the documents' bytes as many (they stop
#               growing); the file grows no more than what is kept for
#               good: the transaction log, each cycle's row and each
#               document's row (some hundred bytes a cycle); free pages
#               go back (incremental auto-vacuum: freelist small,
#               auto_vacuum 2).  RETENTION_DAYS=40 runs 40 days.
#   status      the daemon, an hour after the last run: "database: ...
#               readings kept 3 days, the oldest of <the oldest kept
#               cycle>"

. "$TOP/regress/lib.sh"
. "$TOP/regress/upload-lib.sh"

up_setup || exit 0
CALLHOMED="$OBJ/testclock/callhomed"
if [ ! -x "$CALLHOMED" ]; then
	fail setup "$CALLHOMED not built (make build makes it)"
	exit 1
fi
up_fleet 10 || exit 1
T0=$(now_ms)

PORT=$(free_port tcp)
cd_conf srv "$PORT" </dev/null
cd_start srv || exit 1
GW_TOP='retention 3 days' gw_conf gw "$PORT" </dev/null

DAYS=${RETENTION_DAYS:-16}
# bytes in pages: the readings' tables and indexes; what is kept for
# good (the log, each cycle's and each document's row); the documents'
# bytes kept; the file
pages() {
	gw_sql gw "SELECT (SELECT sum(pgsize) FROM dbstat WHERE name IN
	    ('reports', 'meters', 'supplies', 'alerts',
	    'sqlite_autoindex_reports_1', 'reports_device')) || ' ' ||
	    (SELECT sum(pgsize) FROM dbstat WHERE name IN ('txlog', 'cycles',
	    'outbox', 'outbox_state', 'sqlite_autoindex_outbox_1') OR name
	    LIKE 'sqlite_autoindex_txlog%') || ' ' || (SELECT
	    coalesce(sum(length(document)), 0) FROM outbox) || ' ' ||
	    (SELECT page_count * page_size FROM pragma_page_count,
	    pragma_page_size)"
}
bad=0
d=0
# the last run an hour before its day's time: cycle 13, of day 12, is
# then 3 days less an hour old whatever seconds the runs took, and kept
while [ $d -lt $DAYS ]; do
	off=$((d * 86400))
	[ $d -eq $((DAYS - 1)) ] && off=$((off - 3600))
	CALLHOME_TEST_CLOCK=$off gw_once gw day$d || bad=$((bad + 1))
	echo "$d $(pages)" >>"$W/sizes"
	d=$((d + 1))
done
check "every run exits 0, its cycle delivered ($bad failed)" test $bad -eq 0
check "every document delivered" test "$(gw_sql gw "SELECT count(*) FROM
    outbox WHERE state != 'delivered'")" = 0
check "the test build says so in its log" \
    grep -q "a test build: the clock is 86400 s from the system's" \
    "$W/gw.day1.log"
check "the cycles' times moved a day each run (the last a day less an hour)" \
    test "$(gw_sql gw "SELECT count(*) FROM cycles a JOIN cycles b ON
    b.id = a.id + 1 WHERE b.started - a.started BETWEEN 86390 AND
    86460")/$(gw_sql gw "SELECT count(*) FROM cycles a JOIN cycles b ON
    b.id = a.id + 1 WHERE b.id = $DAYS AND b.started - a.started BETWEEN
    82790 AND 82860")" = "$((DAYS - 2))/1"
# cycle k (1..16) started on day k - 1; the last run is day 15 less an
# hour: cycles that started before day 12 are past 3 days, 13 is not
check "pruned: cycles 1 to 12 have no readings, 13 to 16 all theirs" \
    test "$(gw_sql gw "SELECT group_concat(n, ',') FROM (SELECT
    (SELECT count(*) FROM reports r WHERE r.cycle_id = c.id) AS n FROM
    cycles c ORDER BY c.id)")" = "0,0,0,0,0,0,0,0,0,0,0,0,10,10,10,10"
check "pruned: cycles 1 to 12 marked pruned, the others not" \
    test "$(gw_sql gw "SELECT group_concat(pruned IS NOT NULL, '') FROM
    (SELECT pruned FROM cycles ORDER BY id)")" = "1111111111110000"
check "pruned: their delivered documents have no bytes (retention)" \
    test "$(gw_sql gw "SELECT group_concat(coalesce(prune_reason, '-'),
    ',') FROM (SELECT prune_reason FROM outbox ORDER BY id)")" = \
    "retention,retention,retention,retention,retention,retention,retention,retention,retention,retention,retention,retention,-,-,-,-"
check "pruned: one retention record for each pruned cycle" \
    test "$(gw_sql gw "SELECT group_concat(json_extract(detail,
    '$.cycle'), ',') FROM txlog WHERE kind = 'prune' AND
    json_extract(detail, '$.reason') = 'retention'")" = \
    "1,2,3,4,5,6,7,8,9,10,11,12"
check "pruned: every cycle's collect, document and upload records stay" \
    test "$(gw_sql gw "SELECT sum(kind = 'collect') || ',' ||
    sum(kind = 'document') || ',' || sum(kind = 'upload') FROM txlog")" = \
    "$DAYS,$DAYS,$DAYS"
gw_verify gw "pruned"
gw_ctl gw show cycle:1 >"$W/show1.out" 2>&1
check "pruned: show cycle:1 says pruned by retention, with its hash" \
    sh -c "grep -q 'the document was pruned by retention' '$W/show1.out' &&
    grep -q \"^hash: $(gw_sql gw "SELECT sha256 FROM outbox WHERE
    cycle_id = 1") \" '$W/show1.out'"
cp "$W/sizes" "$T/retention-sizes" 2>/dev/null
pycheck "size: readings and documents' bytes stop growing; the file grows only by what is kept for good" \
    "$W/sizes" <<'EOF'
import sys
# day, readings' pages, kept rows' pages, documents' bytes, the file
rows = [list(map(int, l.split())) for l in open(sys.argv[1])]
early, late = rows[4:8], rows[-4:]
print("# days 4-7 %s, the last 4 %s" % (early, late))
# 4 cycles of readings at most: as many pages as on days 4 to 7 (the
# b-trees' fill varies by a few pages)
assert max(r[1] for r in late) <= max(r[1] for r in early) + 8 * 4096, \
    ("the readings grew", early, late)
assert max(r[3] for r in late) <= 1.2 * max(r[3] for r in early), \
    ("the documents' bytes grew", early, late)
# the file grew no more than the rows kept for good (and the noise)
a, b = rows[7], rows[-1]
assert b[4] - a[4] <= (b[2] - a[2]) + 12 * 4096, \
    ("the file grew more than the log and the rows kept", a, b)
# what retention takes away each day (a cycle's readings and bytes) is
# more than twice what stays
gone = (rows[3][1] - rows[0][1]) / 3 + rows[3][3] / 4
kept = (b[2] - a[2]) / (len(rows) - 8)
print("# a cycle: %d bytes pruned, %d kept" % (gone, kept))
assert kept < gone / 2, ("the rows kept grow nearly as fast", gone, kept)
EOF
check "size: incremental auto-vacuum, few free pages" \
    test "$(gw_sql gw "SELECT auto_vacuum || ':' || (freelist_count < 64)
    FROM pragma_auto_vacuum, pragma_freelist_count")" = "2:1"

# ---- status, on the last day
export CALLHOME_TEST_CLOCK=$(((DAYS - 1) * 86400 + 3600))
gw_start gw || exit 1
gw_ctl gw status >"$W/status.out" 2>&1
oldest=$(gw_sql gw "SELECT strftime('%Y-%m-%d %H:%M:%S', min(started),
    'unixepoch', 'localtime') FROM cycles WHERE pruned IS NULL")
check "status: database size, retention 3 days, the oldest kept cycle" \
    grep -qE "^database: [0-9.]+ (KiB|MiB) \\([0-9.]+ (bytes|KiB|MiB) of it free\\), readings kept 3 days, the oldest of $oldest" \
    "$W/status.out"
gw_stop
unset CALLHOME_TEST_CLOCK
cd_stop

echo "# retention took $(( $(now_ms) - T0 )) ms after setup"
exit 0
