/*
 * The wall clock of the daemons: what they stamp on cycles, records and
 * documents, and what the schedule and retention count from.
 *
 * A release build reads the system clock, nothing else: clock_now() is
 * time(NULL).  The regression tests need days to pass in seconds (the
 * daily schedule across a day change and a DST change, retention of
 * "N days"), so a test build (the objects of common/clock.c compiled with
 * -DCALLHOME_TEST_CLOCK, linked only into the programs of obj/testclock/,
 * which "make install" never builds nor installs) reads the environment
 * variable CALLHOME_TEST_CLOCK once: seconds added to the system clock
 * (a decimal number, maybe negative).  Children inherit it from the
 * parent, so every process of a test gateway agrees on the time.  It
 * moves the wall clock only: timers still count real seconds.
 *
 * That way no option, configuration statement or environment variable of
 * a release build can make the gateway believe another time.
 */
#ifndef CALLHOME_CLOCK_H
#define CALLHOME_CLOCK_H

#include <time.h>

#define CLOCK_TEST_ENV		"CALLHOME_TEST_CLOCK"
/* the largest offset a test build takes: about 100 years */
#define CLOCK_TEST_MAX		(100LL * 366 * 86400)

/* now, in seconds since the epoch */
time_t		clock_now(void);
/* 1 in a test build (obj/testclock/), 0 in a release build */
int		clock_is_test(void);

#endif /* CALLHOME_CLOCK_H */
