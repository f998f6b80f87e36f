/*
 * common/isotime.c: ISO 8601 in UTC without gmtime_r(), checked against
 * gmtime_r() and strftime() over the four-digit years.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "isotime.h"
#include "test.h"

/* what callhomectl and commsd printed before: gmtime_r(), strftime() */
static int
libc_iso(int64_t t, char *buf, size_t len)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -1;
	return 0;
}

TEST(known_times)
{
	static const struct {
		int64_t		 t;
		const char	*iso;
	} v[] = {
		{ 0,			"1970-01-01T00:00:00Z" },
		{ 1767312000,		"2026-01-02T00:00:00Z" },
		{ 1700000000,		"2023-11-14T22:13:20Z" },
		{ 951782400,		"2000-02-29T00:00:00Z" },
		{ 1709251199,		"2024-02-29T23:59:59Z" },
		{ 4107542400,		"2100-03-01T00:00:00Z" },
		{ -1,			"1969-12-31T23:59:59Z" },
		{ -86400,		"1969-12-31T00:00:00Z" },
		{ -86401,		"1969-12-30T23:59:59Z" },
		{ -2208988800,		"1900-01-01T00:00:00Z" },
		{ -30610224000,		"1000-01-01T00:00:00Z" },
		{ -62135596800,		"0001-01-01T00:00:00Z" },
		{ INT64_C(253402300799), "9999-12-31T23:59:59Z" },
		{ INT64_C(253402300800), "10000-01-01T00:00:00Z" },
	};
	char	 buf[64];
	size_t	 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK(iso_time(v[i].t, buf, sizeof(buf)) == buf);
		CHECK_STR(buf, v[i].iso);
	}
	CHECK_EQ_INT(strlen(v[0].iso) + 1, ISO_TIME_LEN);
}

TEST(short_buffers)
{
	char	 buf[ISO_TIME_LEN], small[8];

	(void)iso_time(1767312000, buf, sizeof(buf));
	CHECK_STR(buf, "2026-01-02T00:00:00Z");
	(void)iso_time(1767312000, small, sizeof(small));
	CHECK_STR(small, "2026-01");
	small[0] = 'x';
	(void)iso_time(1767312000, small, 0);
	CHECK_EQ_INT(small[0], 'x');
	/* the ends of the range do not overflow */
	(void)iso_time(INT64_MAX, buf, sizeof(buf));
	(void)iso_time(INT64_MIN, buf, sizeof(buf));
}

TEST(same_as_libc)
{
	char		 a[64], b[64];
	int64_t		 t, day;

	/* both ends of every day, 1899 to 2101 */
	for (day = -25568; day < 48213; day++) {
		t = day * 86400;
		CHECK(libc_iso(t, b, sizeof(b)) == 0);
		CHECK_STR(iso_time(t, a, sizeof(a)), b);
		CHECK(libc_iso(t + 86399, b, sizeof(b)) == 0);
		CHECK_STR(iso_time(t + 86399, a, sizeof(a)), b);
	}
	/* any second, years 1000 to 9999 */
	for (t = -30610224000; t <= INT64_C(253402300799);
	    t += INT64_C(9999991)) {
		CHECK(libc_iso(t, b, sizeof(b)) == 0);
		CHECK_STR(iso_time(t, a, sizeof(a)), b);
	}
}

TEST_MAIN_BEGIN("test_isotime")
	(void)setenv("TZ", "UTC-2", 1);
	tzset();
	RUN(known_times);
	RUN(short_buffers);
	RUN(same_as_libc);
TEST_MAIN_END
