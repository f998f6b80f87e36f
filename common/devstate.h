/*
 * A device's state across cycles, and its meters against its previous
 * reading: the rules, as pure functions (auditd applies them when it
 * stores a report; regress/unit/test_devstate.c checks them).
 *
 * State of an address after a report (enum dev_state):
 *
 *	ok, partial, error	answering (the agent answered)
 *	auth-failure		auth-failure
 *	not-a-printer		not-a-printer
 *	timeout			asleep when it was answering or asleep
 *				before and collectd did not wait longer;
 *				unreachable when collectd waited longer (it
 *				does for an address asleep in its last cycle)
 *				or when it never answered
 *	refused			unreachable
 *
 * Its since-time is the previous one while the state stays, else the
 * report's time.
 *
 * Meters: a reading lower than the device's previous one is flagged
 * reset; every meter of a device whose address held another serial
 * number before is flagged replaced.  Both keep the previous value; the
 * flag says that the difference is not usage, so that nobody reading
 * the data turns it into negative usage.
 */
#ifndef CALLHOME_DEVSTATE_H
#define CALLHOME_DEVSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

/* the state after a report of outcome (waited: collectd waited longer) */
int	devstate_next(int outcome, int waited, int prev);
/* its since-time */
int64_t	devstate_since(int prev, int64_t prev_since, int state,
	    int64_t now);

/* a device's previous meters, by name (at most REPORT_MAX_ROWS) */
struct prev_meters {
	struct {
		char	 name[REPORT_NAME];
		int64_t	 value;
	}		*m;
	size_t		 n, cap;
	size_t		 hint;		/* where the last name was found */
	int		 replaced;	/* another device before */
};

void	prev_meters_reset(struct prev_meters *, int replaced);
void	prev_meters_add(struct prev_meters *, const char *, int64_t);
void	prev_meters_free(struct prev_meters *);
/* flag m (flag and previous) against the previous meters */
void	prev_meters_flag(struct prev_meters *, struct rpt_meter *);

#endif /* CALLHOME_DEVSTATE_H */
