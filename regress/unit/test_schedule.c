/*
 * The daily schedule (callhomed/schedule.c): the next collection falls in
 * [HH:MM, HH:MM + jitter] on the local clock, after now, on the first day
 * whose window starts after now; across a day change, a month and a year
 * change, and the DST changes of zones with a one-hour and a half-hour
 * shift (a time in the spring gap is the gap's end, a time that happens
 * twice in the autumn is its first).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "callhomed/callhomed.h"
#include "test.h"

static void
zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* the instant of a local wall-clock time, via sched_local() */
static time_t
local(int y, int mo, int d, int h, int mi, int s)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return sched_local(&tm);
}

/* an instant from a UTC time */
static time_t
utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return timegm(&tm);
}

/* seconds since local midnight that t shows, and its day */
static int
wall_sec(time_t t, int *yday, int *year)
{
	struct tm	 tm;

	if (localtime_r(&t, &tm) == NULL)
		return -1;
	*yday = tm.tm_yday;
	*year = tm.tm_year;
	return tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

/* the clock jumps forward at t: t - 1 shows more than a second before */
static int
gap_end(time_t t)
{
	int	 d0 = 0, d1 = 0, y0 = 0, y1 = 0, a, b;

	a = wall_sec(t - 1, &d0, &y0);
	b = wall_sec(t, &d1, &y1);
	if (d0 != d1 || y0 != y1)
		b += 86400;
	return b - a > 1;
}

/* local day number and seconds of the day that t shows */
static int64_t
wall_abs(time_t t)
{
	struct tm	 tm;

	if (localtime_r(&t, &tm) == NULL)
		return -1;
	/* days from a calendar count (no time zone in it) */
	tm.tm_isdst = 0;
	return (int64_t)(timegm(&tm) / 86400) * 86400 + tm.tm_hour * 3600 +
	    tm.tm_min * 60 + tm.tm_sec;
}

/* did the wall clock show `when' (or later that day) in the 3 hours to p? */
static int
seen_before(time_t p, int64_t when)
{
	time_t	 q;
	int64_t	 w;

	for (q = p; q > p - 3 * 3600; q -= 60) {
		w = wall_abs(q);
		if (w >= when && w < when - when % 86400 + 86400)
			return 1;
	}
	return 0;
}

/*
 * The start of the first window after now, found by walking the clock
 * (not with schedule.c) minute by minute: the first instant at which the
 * wall clock reaches or passes HH:MM of a day.  Offsets and their changes
 * are whole minutes, and a longer step could miss a crossing the clock
 * goes back over.
 */
static time_t
window_start(time_t now, int start)
{
	time_t	 p = now - now % 60;	/* p <= now < p + 60 */
	int64_t	 wa = wall_abs(p), wb, day, d;

	/*
	 * Far from HH:MM (more than 3 hours of wall clock), leap closer:
	 * no clock shifts by more than an hour or two at once, so the leap
	 * stays before the crossing.
	 */
	d = (start - wa % 86400 + 86400) % 86400;
	if (d > 3 * 3600) {
		p += (d - 3 * 3600) / 60 * 60;
		wa = wall_abs(p);
	}
	for (;; p += 60, wa = wb) {
		wb = wall_abs(p + 60);
		day = wb - wb % 86400 + start;
		if (!((wa < day && wb >= day) ||
		    (wa < day - 86400 && wb >= day - 86400)))
			continue;
		/* the clock went back over HH:MM: that day's was before */
		if (!seen_before(p, wa < day ? day : day - 86400))
			return p + 60;
	}
}

/*
 * The properties of one slot: at or after the first window's start that
 * is after now; on the wall clock at most `jitter' past HH:MM, or at the
 * end of a gap that begins before HH:MM + jitter.
 */
static int
slot_ok_ws(time_t ws, int minute, uint32_t jitter, time_t t)
{
	int64_t	 day = wall_abs(ws) - (wall_abs(ws) % 86400), e;

	/* the window start may itself be a gap's end (wall past HH:MM) */
	if (wall_abs(ws) - day < minute * 60)
		day -= 86400;
	if (t < ws)
		return 0;
	e = wall_abs(t) - day - minute * 60;
	if (e >= 0 && e <= (int64_t)jitter)
		return 1;
	return gap_end(t) && wall_abs(t - 1) - day - minute * 60 <
	    (int64_t)jitter;
}

static int
slot_ok(time_t now, int minute, uint32_t jitter, time_t t)
{
	return slot_ok_ws(window_start(now, minute * 60), minute, jitter, t);
}

TEST(utc_simple)
{
	time_t	 now;

	zone("UTC0");
	now = utc(2026, 1, 14, 1, 0, 0);
	CHECK_EQ_INT(sched_slot(now, 120, 0, 0), utc(2026, 1, 14, 2, 0, 0));
	CHECK_EQ_INT(sched_slot(now, 120, 1800, 1800),
	    utc(2026, 1, 14, 2, 30, 0));
	/* past today's slot: tomorrow's */
	now = utc(2026, 1, 14, 2, 0, 0);
	CHECK_EQ_INT(sched_slot(now, 120, 0, 0), utc(2026, 1, 15, 2, 0, 0));
	/* inside today's window: not today (no catching up) */
	now = utc(2026, 1, 14, 2, 10, 0);
	CHECK_EQ_INT(sched_slot(now, 120, 1800, 0),
	    utc(2026, 1, 15, 2, 0, 0));
	/* r beyond the jitter is the jitter */
	CHECK_EQ_INT(sched_slot(now, 120, 60, 99999),
	    utc(2026, 1, 15, 2, 1, 0));
	CHECK_EQ_INT(sched_daily(now, 120), utc(2026, 1, 15, 2, 0, 0));
}

/* a day change, a month's end and a year's end */
TEST(day_change)
{
	time_t	 now;

	zone("Europe/Berlin");
	now = local(2026, 1, 14, 23, 59, 55);
	CHECK_EQ_INT(sched_slot(now, 0, 3, 0), local(2026, 1, 15, 0, 0, 0));
	CHECK_EQ_INT(sched_slot(now, 0, 3, 3), local(2026, 1, 15, 0, 0, 3));
	/* a window that runs past midnight */
	now = local(2026, 1, 31, 23, 0, 0);
	CHECK_EQ_INT(sched_slot(now, 23 * 60 + 50, 1200, 1200),
	    local(2026, 2, 1, 0, 10, 0));
	now = local(2026, 12, 31, 23, 59, 59);
	CHECK_EQ_INT(sched_slot(now, 0, 0, 0), local(2027, 1, 1, 0, 0, 0));
}

/* Europe/Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST */
TEST(dst_spring)
{
	time_t	 now, t;

	zone("Europe/Berlin");
	now = local(2026, 3, 29, 1, 59, 56);
	CHECK_EQ_INT(now, utc(2026, 3, 29, 0, 59, 56));
	/* 02:30 never happens that night: the gap's end, 03:00 CEST */
	t = sched_slot(now, 150, 0, 0);
	CHECK_EQ_INT(t, utc(2026, 3, 29, 1, 0, 0));
	CHECK(gap_end(t));
	/* 01:50 + 20 min: before 02:00 on the wall clock, or the jump */
	now = local(2026, 3, 29, 1, 0, 0);
	CHECK_EQ_INT(sched_slot(now, 110, 1200, 0), utc(2026, 3, 29, 0, 50,
	    0));
	CHECK_EQ_INT(sched_slot(now, 110, 1200, 599), utc(2026, 3, 29, 0,
	    59, 59));
	CHECK_EQ_INT(sched_slot(now, 110, 1200, 600), utc(2026, 3, 29, 1, 0,
	    0));
	CHECK_EQ_INT(sched_slot(now, 110, 1200, 1200), utc(2026, 3, 29, 1,
	    0, 0));
	/* the day after: 02:30 CEST again */
	now = local(2026, 3, 29, 12, 0, 0);
	CHECK_EQ_INT(sched_slot(now, 150, 0, 0), utc(2026, 3, 30, 0, 30, 0));
	/* a whole day between the two slots is 23 hours that night */
	CHECK_EQ_INT(sched_slot(local(2026, 3, 28, 12, 0, 0), 60, 0, 0) +
	    23 * 3600, sched_slot(local(2026, 3, 29, 12, 0, 0), 60, 0, 0));
}

/* Europe/Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET */
TEST(dst_autumn)
{
	time_t	 now;

	zone("Europe/Berlin");
	/* 02:30 happens twice: the first time, CEST */
	now = local(2026, 10, 25, 1, 0, 0);
	CHECK_EQ_INT(sched_slot(now, 150, 0, 0), utc(2026, 10, 25, 0, 30,
	    0));
	CHECK_EQ_INT(local(2026, 10, 25, 2, 30, 0), utc(2026, 10, 25, 0, 30,
	    0));
	/* 02:30 CEST was before now, 02:29:57 CET: the next day's */
	now = utc(2026, 10, 25, 1, 29, 57);
	CHECK_EQ_INT(sched_slot(now, 150, 60, 0), utc(2026, 10, 26, 1, 30,
	    0));
	/* 02:50 + 20 min: the wall-clock window, first occurrence */
	now = local(2026, 10, 25, 0, 0, 0);
	CHECK_EQ_INT(sched_slot(now, 170, 1200, 0), utc(2026, 10, 25, 0, 50,
	    0));
	/* 03:10 happens once, CET: the window is 80 minutes that night */
	CHECK_EQ_INT(sched_slot(now, 170, 1200, 1200), utc(2026, 10, 25, 2,
	    10, 0));
	CHECK(slot_ok(now, 170, 1200, sched_slot(now, 170, 1200, 1200)));
}

/* Lord Howe Island shifts by half an hour */
TEST(half_hour_dst)
{
	time_t	 now, t;

	zone("Australia/Lord_Howe");
	/* 2026-10-04: 02:00 becomes 02:30 */
	now = local(2026, 10, 4, 1, 0, 0);
	t = sched_slot(now, 135, 0, 0);		/* 02:15: in the gap */
	CHECK(gap_end(t));
	CHECK(slot_ok(now, 135, 0, t));
	t = sched_slot(now, 120, 1800, 1800);
	CHECK(slot_ok(now, 120, 1800, t));
}

/* the instants of 2026 at which the zone's offset changes, at most n */
static size_t
transitions(time_t *out, size_t n)
{
	struct tm	 a, b;
	time_t		 t, start = utc(2026, 1, 1, 0, 0, 0);
	size_t		 k = 0;

	for (t = start; t < start + 365 * 86400 && k < n; t += 900) {
		if (localtime_r(&t, &a) == NULL ||
		    localtime_r(&(time_t){ t + 900 }, &b) == NULL)
			break;
		if (a.tm_gmtoff != b.tm_gmtoff)
			out[k++] = t + 900;
	}
	return k;
}

/*
 * Many moments of a year, in several zones, minutes and jitters, with r
 * at both ends and a random one: the slot's properties hold.  The
 * moments: every 50 hours and 7 seconds, and every 20 minutes of the
 * day and a half before each change of the zone's offset.
 */
TEST(year_sweep)
{
	static const char *const zones[] = { "UTC0", "Europe/Berlin",
	    "America/New_York", "Australia/Lord_Howe", "Pacific/Auckland" };
	static const int	 minutes[] = { 0, 150, 1439 };
	static const uint32_t	 jitters[] = { 0, 1800, 43200 };
	time_t			 nows[1024], tr[8], start, t, ws;
	size_t			 z, m, j, i, n, ntr, q;
	uint32_t		 r[3];
	int			 k;

	for (z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		zone(zones[z]);
		n = 0;
		start = utc(2026, 1, 1, 0, 17, 0);
		for (t = start; t < start + 366 * 86400 && n < 512;
		    t += 50 * 3600 + 7)
			nows[n++] = t;
		ntr = transitions(tr, sizeof(tr) / sizeof(tr[0]));
		if (strcmp(zones[z], "UTC0") != 0)
			CHECK(ntr == 2);
		for (q = 0; q < ntr; q++)
			for (t = tr[q] - 36 * 3600; t < tr[q] + 3600 &&
			    n < sizeof(nows) / sizeof(nows[0]); t += 1200 + 1)
				nows[n++] = t;
		for (i = 0; i < n; i++) {
			for (m = 0; m < sizeof(minutes) / sizeof(minutes[0]);
			    m++) {
				ws = window_start(nows[i], minutes[m] * 60);
				for (j = 0; j < sizeof(jitters) /
				    sizeof(jitters[0]); j++) {
					r[0] = 0;
					r[1] = jitters[j];
					r[2] = jitters[j] > 0 ?
					    arc4random_uniform(jitters[j]) : 0;
					for (k = 0; k < 3; k++) {
						t = sched_slot(nows[i],
						    minutes[m], jitters[j],
						    r[k]);
						if (!slot_ok_ws(ws, minutes[m],
						    jitters[j], t))
							printf("# %s now %lld "
							    "minute %d jitter "
							    "%u r %u: %lld\n",
							    zones[z],
							    (long long)nows[i],
							    minutes[m],
							    jitters[j], r[k],
							    (long long)t);
						CHECK(slot_ok_ws(ws, minutes[m],
						    jitters[j], t));
						CHECK(t < nows[i] + 2 * 86400 +
						    (time_t)jitters[j] + 3600);
					}
				}
			}
		}
	}
}

TEST_MAIN_BEGIN("test_schedule")
	RUN(utc_simple);
	RUN(day_change);
	RUN(dst_spring);
	RUN(dst_autumn);
	RUN(half_hour_dst);
	RUN(year_sweep);
TEST_MAIN_END
