/*
 * When the next collection is due: daily at the configured minute of the
 * day (local time), plus a random jitter so that a fleet of gateways does
 * not call the server at the same second.
 *
 * The window of a day is [HH:MM, HH:MM + jitter] on the local clock.  A
 * moment of it is chosen as a local wall-clock time, HH:MM + r seconds
 * (r uniform in [0, jitter]), then turned into the first instant at which
 * the local clock shows that time:
 *
 *	- the night the clocks go back, a time that happens twice is taken
 *	  the first time;
 *	- the night the clocks go forward, a time that never happens (in
 *	  the gap) is taken as the end of the gap, the instant the clock
 *	  jumps (02:30 in Europe/Berlin on the last Sunday of March is
 *	  03:00 CEST);
 *
 * so that the collection always happens once a day, inside the window
 * as the local clock shows it, or at the end of a gap that cuts it.
 *
 * The next window is the first one that starts after now: a gateway that
 * was not running at its slot (switched off, restarting, or started
 * inside the window) does not catch up, it waits for the next day's, as
 * remote-service agents do (a collection at once is "callhomectl
 * collect").  sched_slot() is a pure function of its arguments (and of
 * the time zone), for the unit tests; sched_next_collect() draws r.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "callhomed.h"

/* a local wall-clock time as one comparable number */
static int64_t
wall_key(const struct tm *tm)
{
	return ((((int64_t)tm->tm_year * 12 + tm->tm_mon) * 31 +
	    tm->tm_mday) * 24 + tm->tm_hour) * 3600 + tm->tm_min * 60 +
	    tm->tm_sec;
}

/* y-m-d h:m:s, normalised (a day of 32 is the 1st of the next month) */
static void
wall_normalise(struct tm *tm)
{
	struct tm	 n;
	time_t		 t;

	/* the calendar as UTC, where every day has 86400 seconds */
	memset(&n, 0, sizeof(n));
	n.tm_year = tm->tm_year;
	n.tm_mon = tm->tm_mon;
	n.tm_mday = tm->tm_mday;
	n.tm_hour = tm->tm_hour;
	n.tm_min = tm->tm_min;
	n.tm_sec = tm->tm_sec;
	t = timegm(&n);
	if (gmtime_r(&t, &n) == NULL)
		return;
	tm->tm_year = n.tm_year;
	tm->tm_mon = n.tm_mon;
	tm->tm_mday = n.tm_mday;
	tm->tm_hour = n.tm_hour;
	tm->tm_min = n.tm_min;
	tm->tm_sec = n.tm_sec;
}

/*
 * The first instant at which the local clock shows `want' (normalised),
 * or, when it never does (a gap), the first instant it shows a later
 * time.  -1 when the time cannot be represented.
 */
time_t
sched_local(const struct tm *want)
{
	struct tm	 tm, got;
	time_t		 t, cand[2], lo, hi, mid;
	int64_t		 key = wall_key(want);
	int		 i, n = 0;

	/* the time as standard time and as summer time: those that show it */
	for (i = 0; i < 2; i++) {
		tm = *want;
		tm.tm_isdst = i;
		if ((t = mktime(&tm)) == (time_t)-1)
			continue;
		if (localtime_r(&t, &got) != NULL && wall_key(&got) == key)
			cand[n++] = t;
	}
	if (n == 2)
		return cand[0] < cand[1] ? cand[0] : cand[1];
	if (n == 1)
		return cand[0];

	/*
	 * A gap: the two readings fall on both sides of the jump.  The first
	 * instant showing a later time is between them (within a day).
	 */
	tm = *want;
	tm.tm_isdst = 0;
	lo = mktime(&tm);
	tm = *want;
	tm.tm_isdst = 1;
	hi = mktime(&tm);
	if (lo == (time_t)-1 || hi == (time_t)-1)
		return -1;
	if (lo > hi) {
		t = lo;
		lo = hi;
		hi = t;
	}
	lo -= 86400;
	hi += 86400;
	/* invariant: lo shows a time before `want', hi one after */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (localtime_r(&mid, &got) == NULL)
			return -1;
		if (wall_key(&got) < key)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

time_t
sched_slot(time_t now, int minute, uint32_t jitter, uint32_t r)
{
	struct tm	 day, w;
	time_t		 start, t;
	int		 d;

	if (r > jitter)
		r = jitter;
	if (localtime_r(&now, &day) == NULL)
		return now + 86400;
	/* the first day whose window starts after now: today or later */
	for (d = 0; d < 3; d++) {
		memset(&w, 0, sizeof(w));
		w.tm_year = day.tm_year;
		w.tm_mon = day.tm_mon;
		w.tm_mday = day.tm_mday + d;
		w.tm_hour = minute / 60;
		w.tm_min = minute % 60;
		wall_normalise(&w);
		if ((start = sched_local(&w)) == -1 || start <= now)
			continue;
		/* HH:MM + r on the wall clock, not r seconds after HH:MM */
		w.tm_sec += (int)r;
		wall_normalise(&w);
		if ((t = sched_local(&w)) == -1 || t < start)
			return start;
		return t;
	}
	return now + 86400;
}

time_t
sched_daily(time_t now, int minute)
{
	return sched_slot(now, minute, 0, 0);
}

time_t
sched_next_collect(time_t now, int minute, uint32_t jitter)
{
	return sched_slot(now, minute, jitter, jitter > 0 ?
	    arc4random_uniform(jitter + 1) : 0);
}
