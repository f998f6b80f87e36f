/*
 * The wall clock: see clock.h.  This file is compiled twice: as it is
 * into libcommon (every program, release and tests), and with
 * -DCALLHOME_TEST_CLOCK into $(O)/common/clock.test.o, which only the
 * test programs of obj/testclock/ link (before libcommon, whose clock.o
 * the linker then never takes).
 */
#include <stdlib.h>
#include <time.h>

#include "clock.h"

#ifndef CALLHOME_TEST_CLOCK

time_t
clock_now(void)
{
	return time(NULL);
}

int
clock_is_test(void)
{
	return 0;
}

#else /* CALLHOME_TEST_CLOCK */

#include <errno.h>

#include "log.h"

/*
 * The offset, read once (getenv reads memory only: it works inside
 * every sandbox).  A value that is not a whole number of seconds within
 * CLOCK_TEST_MAX is fatal: a test must not run on a clock it did not ask
 * for.
 */
static long long
test_offset(void)
{
	static int	 done;
	static long long off;
	const char	*s;
	char		*end;

	if (done)
		return off;
	done = 1;
	if ((s = getenv(CLOCK_TEST_ENV)) == NULL || *s == '\0')
		return off = 0;
	errno = 0;
	off = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || off > CLOCK_TEST_MAX ||
	    off < -CLOCK_TEST_MAX)
		fatalx("%s=\"%s\": not an offset in seconds", CLOCK_TEST_ENV,
		    s);
	return off;
}

time_t
clock_now(void)
{
	return time(NULL) + (time_t)test_offset();
}

int
clock_is_test(void)
{
	return 1;
}

#endif /* CALLHOME_TEST_CLOCK */
