#!/bin/sh
# The daily schedule, with the test build's clock (obj/testclock/: its
# clock is CALLHOME_TEST_CLOCK seconds from the system's; timers still
# count real seconds), in Europe/Berlin.  Each case starts the daemon a
# few seconds before a slot and lets it fire:
#
#   day change  "schedule daily 00:00 jitter 3s", started at 23:59:56 on
#               January 14: status says the next collection is on January
#               15 between 00:00:00 and 00:00:03 CET (the log says it
#               waits for it: January 14's slot has passed); the cycle is
#               stored, started in that window; then status names January
#               16
#   DST spring  "schedule daily 02:30 jitter 0s", started at 01:59:57 CET on March 29
#               2026, the night 02:00 CET becomes 03:00 CEST: 02:30 never
#               happens, the collection comes at 03:00:00 CEST, the end of
#               the gap (status says so); the next is March 30 02:30 CEST
#   DST autumn  "schedule daily 02:30 jitter 2s", started at 02:29:57 CEST
#               on October 25, 02:30 happens twice: the first time (CEST)
#   off at slot the same schedule, started at 02:29:57 CET, the second
#               02:29:57 of that night: today's slot has passed; the log
#               says it waits for the next one, status names October 26
#               02:30 CET, and no collection comes
#   morning     "schedule daily 02:00 jitter 30m", started at 09:00: the
#               log says so; the next is tomorrow in [02:00, 02:30]; with
#               21:00 it is today, and the log says just when

. "$TOP/regress/lib.sh"
. "$TOP/regress/upload-lib.sh"

up_setup || exit 0
CALLHOMED="$OBJ/testclock/callhomed"
if [ ! -x "$CALLHOMED" ]; then
	fail setup "$CALLHOMED not built (make build makes it)"
	exit 1
fi
up_fleet 2 || exit 1
T0=$(now_ms)
export TZ=Europe/Berlin

# offset TIME: CALLHOME_TEST_CLOCK for a wall-clock time in Berlin (as
# date(1) reads it: "2026-03-29 01:59:57 CET")
offset() {
	echo $(( $(date -d "$1" +%s) - $(date +%s) ))
}
# at EPOCH: the time in Berlin, as status prints it
berlin() {
	date -d "@$1" '+%Y-%m-%d %H:%M:%S %Z'
}
# start NAME SCHEDULE TIME: the daemon with the schedule, its clock at TIME
start() {
	GW_AUTH=no GW_TOP="schedule daily $2" gw_conf "$1" 1 </dev/null
	export CALLHOME_TEST_CLOCK=$(offset "$3")
	gw_start "$1"
}
# next NAME: status's next collection, as an epoch
next_of() {
	gw_ctl "$1" status >"$W/$1.status" 2>&1
	sed -n 's/^next collection: \(.*\) (daily .*/\1/p' "$W/$1.status" |
	    { read -r d || exit 1; date -d "$d" +%s; }
}
# the start of cycle 1 of NAME, once stored (at most SECONDS)
cycle_started() {
	gw_wait_sql "$2" "$1" "SELECT count(*) FROM cycles" 1 &&
	    gw_sql "$1" "SELECT started FROM cycles WHERE id = 1"
}

# ---- a day change
start day "00:00 jitter 3s" "2026-01-14 23:59:56 CET" || exit 1
n=$(next_of day)
check "day change: status: the next is January 15, 00:00:00-00:00:03 CET ($(berlin ${n:-0}))" \
    test -n "$n" -a "$n" -ge "$(date -d '2026-01-15 00:00:00 CET' +%s)" \
    -a "$n" -le "$(date -d '2026-01-15 00:00:03 CET' +%s)"
check "day change: status prints it in local time" \
    grep -qE '^next collection: 2026-01-15 00:00:0[0-3] CET \(daily 00:00, up to 3 s later\)$' \
    "$W/day.status"
s=$(cycle_started day 15)
check "day change: the collection came, in the window ($(berlin ${s:-0}))" \
    test -n "$s" -a "$s" -ge "$(date -d '2026-01-15 00:00:00 CET' +%s)" \
    -a "$s" -le "$(date -d '2026-01-15 00:00:05 CET' +%s)"
n=$(next_of day)
check "day change: then the next is January 16 ($(berlin ${n:-0}))" \
    test -n "$n" -a "$n" -ge "$(date -d '2026-01-16 00:00:00 CET' +%s)" \
    -a "$n" -le "$(date -d '2026-01-16 00:00:03 CET' +%s)"
check "day change: the log said, at start, that it waits for the next slot" \
    grep -q "schedule: started after today's slot (daily 00:00, up to 3 s later): no collection until the next one, at 2026-01-15 00:00:0[0-3] CET" \
    "$W/day.d.log"
gw_stop

# ---- spring: 02:30 does not happen on March 29
start spring "02:30 jitter 0s" "2026-03-29 01:59:57 CET" || exit 1
n=$(next_of spring)
check "DST spring: status: 02:30 is the gap's end, 03:00:00 CEST" \
    sh -c "grep -qE '^next collection: 2026-03-29 03:00:00 CEST ' '$W/spring.status' &&
    test '$n' = '$(date -d '2026-03-29 03:00:00 CEST' +%s)'"
s=$(cycle_started spring 15)
check "DST spring: the collection came at 03:00 CEST ($(berlin ${s:-0}))" \
    test -n "$s" -a "$s" -ge "$(date -d '2026-03-29 03:00:00 CEST' +%s)" \
    -a "$s" -le "$(date -d '2026-03-29 03:00:02 CEST' +%s)"
n=$(next_of spring)
check "DST spring: the next is March 30, 02:30 CEST ($(berlin ${n:-0}))" \
    test "$n" = "$(date -d '2026-03-30 02:30:00 CEST' +%s)"
gw_stop

# ---- autumn: 02:30 happens twice on October 25; the first counts
start autumn "02:30 jitter 2s" "2026-10-25 02:29:57 CEST" || exit 1
n=$(next_of autumn)
check "DST autumn: status: the first 02:30, CEST ($(berlin ${n:-0}))" \
    test -n "$n" -a "$n" -ge "$(date -d '2026-10-25 02:30:00 CEST' +%s)" \
    -a "$n" -le "$(date -d '2026-10-25 02:30:02 CEST' +%s)"
s=$(cycle_started autumn 15)
check "DST autumn: the collection came at 02:30 CEST ($(berlin ${s:-0}))" \
    test -n "$s" -a "$s" -ge "$(date -d '2026-10-25 02:30:00 CEST' +%s)" \
    -a "$s" -le "$(date -d '2026-10-25 02:30:04 CEST' +%s)"
n=$(next_of autumn)
check "DST autumn: then the next is October 26, 02:30 CET ($(berlin ${n:-0}))" \
    test -n "$n" -a "$n" -ge "$(date -d '2026-10-26 02:30:00 CET' +%s)" \
    -a "$n" -le "$(date -d '2026-10-26 02:30:02 CET' +%s)"
gw_stop

# ---- off at the slot: up again at the second 02:29:57 of that night
start late "02:30 jitter 2s" "2026-10-25 02:29:57 CET" || exit 1
n=$(next_of late)
check "off at slot: status: the next is October 26, 02:30 CET ($(berlin ${n:-0}))" \
    test -n "$n" -a "$n" -ge "$(date -d '2026-10-26 02:30:00 CET' +%s)" \
    -a "$n" -le "$(date -d '2026-10-26 02:30:02 CET' +%s)"
check "off at slot: the log says it waits for the next slot" \
    grep -qE "schedule: started after today's slot \\(daily 02:30, up to 2 s later\\): no collection until the next one, at 2026-10-26 02:30:0[0-2] CET" \
    "$W/late.d.log"
sleep 6
check "off at slot: no collection at the second 02:30" \
    test "$(gw_sql late "SELECT count(*) FROM cycles")" = 0
gw_stop

# ---- the morning after a missed slot; and a slot later today
start morning "02:00 jitter 30m" "2026-06-10 09:00:00 CEST" || exit 1
n=$(next_of morning)
check "morning: the next is June 11 in [02:00, 02:30] CEST ($(berlin ${n:-0}))" \
    test -n "$n" -a "$n" -ge "$(date -d '2026-06-11 02:00:00 CEST' +%s)" \
    -a "$n" -le "$(date -d '2026-06-11 02:30:00 CEST' +%s)"
check "morning: the log says it started after the slot" \
    grep -q "schedule: started after today's slot (daily 02:00, up to 1800 s later)" \
    "$W/morning.d.log"
gw_stop
start evening "21:00 jitter 30m" "2026-06-10 09:00:00 CEST" || exit 1
n=$(next_of evening)
check "evening: the next is today in [21:00, 21:30] CEST ($(berlin ${n:-0}))" \
    test -n "$n" -a "$n" -ge "$(date -d '2026-06-10 21:00:00 CEST' +%s)" \
    -a "$n" -le "$(date -d '2026-06-10 21:30:00 CEST' +%s)"
check "evening: the log names it, without a missed slot" \
    sh -c "grep -q 'schedule: the next collection is at 2026-06-10 21:' '$W/evening.d.log' &&
    ! grep -q \"started after today's slot\" '$W/evening.d.log'"
gw_stop
unset CALLHOME_TEST_CLOCK

echo "# schedule took $(( $(now_ms) - T0 )) ms after setup"
exit 0
