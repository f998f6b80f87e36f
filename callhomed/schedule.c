/*
 * When the next collection is due: daily at the configured minute of the
 * day (local time), plus a random jitter so that a fleet of gateways does
 * not call the server at the same second.
 */
#include <stdlib.h>
#include <time.h>

#include "callhomed.h"

/* the first moment >= now that is minute-of-day `minute', local time */
time_t
sched_daily(time_t now, int minute)
{
	struct tm	 tm;
	time_t		 t;
	int		 day;

	for (day = 0; day < 3; day++) {
		if (localtime_r(&now, &tm) == NULL)
			return now + 86400;
		tm.tm_mday += day;
		tm.tm_hour = minute / 60;
		tm.tm_min = minute % 60;
		tm.tm_sec = 0;
		tm.tm_isdst = -1;
		if ((t = mktime(&tm)) != (time_t)-1 && t > now)
			return t;
	}
	return now + 86400;
}

time_t
sched_next_collect(time_t now, int minute, uint32_t jitter)
{
	time_t	 t = sched_daily(now, minute);

	if (jitter > 0)
		t += (time_t)arc4random_uniform(jitter + 1);
	return t;
}
