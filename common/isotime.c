/*
 * Times as ISO 8601: see isotime.h.  Computed here (civil from days)
 * rather than with gmtime_r(), which may look for a time zone file on
 * first use: a sandboxed child has none.
 */
#include <inttypes.h>
#include <stdio.h>

#include "isotime.h"

/* two digits of 0..99 */
static void
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

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
	if (y >= 0 && y <= 9999 && len >= 21) {
		/* the usual years: the digits without printf (per device) */
		put2(buf, (int)(y / 100));
		put2(buf + 2, (int)(y % 100));
		buf[4] = '-';
		put2(buf + 5, (int)m);
		buf[7] = '-';
		put2(buf + 8, (int)d);
		buf[10] = 'T';
		put2(buf + 11, (int)(secs / 3600));
		buf[13] = ':';
		put2(buf + 14, (int)(secs / 60 % 60));
		buf[16] = ':';
		put2(buf + 17, (int)(secs % 60));
		buf[19] = 'Z';
		buf[20] = '\0';
		return buf;
	}
	(void)snprintf(buf, len, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ",
	    y, (int)m, (int)d, (int)(secs / 3600), (int)(secs / 60 % 60),
	    (int)(secs % 60));
	return buf;
}
