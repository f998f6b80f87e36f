/*
 * Storing collection cycles: the state machine behind collectd's report
 * stream (report.h),
 *
 *	CYCLE_BEGIN (DEV_BEGIN DEV_METER* DEV_SUPPLY* DEV_ALERT*
 *	    DEV_JOBDATA? DEV_END)* CYCLE_END
 *
 * one database transaction per cycle, sealed by one "collect" record of
 * the transaction log.  Anything out of this order, a cycle inside a
 * cycle, more than REPORT_MAX_ROWS rows of a kind in a report, or counts
 * at CYCLE_END that disagree with the reports is a protocol error.  Every
 * function returns 0, or -1 with store_error() saying why (a protocol or
 * a database error); auditd treats -1 as fatal, and the open transaction
 * dies with the process, so nothing half-stored remains.
 *
 * auditd's dispatch decodes each message and calls the typed function;
 * tests and benchmarks call them directly.
 */
#ifndef CALLHOME_STORE_H
#define CALLHOME_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "report.h"

#define STORE_MAX_DEVICES	(1U << 20)	/* per cycle */

struct store;

/* send: the CAT_BIT() mask of callhome.conf's "send"; without CAT_PII
 * the PII fields are blanked before anything is stored */
struct store	*store_new(struct db *, uint32_t send);
void		 store_set_send(struct store *, uint32_t);
/* rolls back a cycle still open */
void		 store_free(struct store *);
const char	*store_error(const struct store *);
/* a cycle is open (between CYCLE_BEGIN and CYCLE_END) */
int		 store_busy(const struct store *);
/* one line for status: the last cycle stored, or the one in progress */
void		 store_state(const struct store *, char *, size_t);

int	store_cycle_begin(struct store *, const struct rpt_cycle *);
int	store_device(struct store *, const struct rpt_device *);
/*
 * The store's own device structure: a report decoded into it is stored
 * without a copy (store_device() adds the address's state to it).
 */
struct rpt_device *store_device_buf(struct store *);
int	store_meter(struct store *, const struct rpt_meter *);
int	store_supply(struct store *, const struct rpt_supply *);
int	store_alert(struct store *, const struct rpt_alert *);
/*
 * A device's job data: after its rows, at most once.  Stored only with
 * "send job-data yes" for the cycle (else dropped, with a warning: a
 * configuration reloaded in the middle of a cycle).
 */
int	store_jobdata(struct store *, const struct rpt_jobdata *);
int	store_device_end(struct store *);
/*
 * Commit the cycle; *stored gets the cycle as stored (CYCLE_END's counts,
 * CYCLE_BEGIN's reason and start) with its id and txlog record.
 */
int	store_cycle_end(struct store *, const struct rpt_cycle *,
	    struct rpt_cycle *stored);

/*
 * Called by store_cycle_end() inside the cycle's transaction, after the
 * cycle is complete and logged and before the commit, with the cycle as
 * stored: whatever it writes commits with the cycle, or not at all.  -1
 * (with a reason in err) rolls the cycle back and fails the store.
 */
typedef int	(*store_hook)(void *, const struct rpt_cycle *, char *err,
		    size_t);
void	store_set_hook(struct store *, store_hook, void *);

#endif /* CALLHOME_STORE_H */
