/*
 * Times as ISO 8601: see isotime.h.  Computed here (civil from days)
 * rather than with gmtime_r(), which may look for a time zone file on
 * first use: a sandboxed child has none.
 */
#include <inttypes.h>
#include <stdio.h>

#include "isotime.h"

const char *
iso_time(int64_t t, char *buf, size_t len)
{
	int64_t		 days, secs, z, era, doe, yoe, y, doy, mp, d, m;

	/* floor division: a time before 1970 is in the day before */
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	/* H. Hinnant's civil_from_days */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	(void)snprintf(buf, len, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ",
	    y, (int)m, (int)d, (int)(secs / 3600), (int)(secs / 60 % 60),
	    (int)(secs % 60));
	return buf;
}
