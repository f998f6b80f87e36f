/*
 * Retention ("retention N days" of callhome.conf): the readings of a
 * cycle older than N days, and the bytes of its delivered documents, are
 * deleted; the transaction log's records and hashes stay, and so do the
 * cycle's row and each document's row (hash, size, receipt), so that the
 * chain still verifies and says what was there.  Undelivered documents
 * are the spool limit's (outbox.h), never retention's.
 *
 * A cycle is pruned in steps, each its own short transaction, so that
 * nothing waits long for the database (a cycle that starts meanwhile is
 * stored between two steps):
 *
 *	1. the oldest cycle that started before now - N days and is not
 *	   pruned yet is marked pruned (cycles.pruned) with one "prune"
 *	   record of the transaction log: reason "retention", the cycle,
 *	   its reports and its delivered documents;
 *	2. its reports go, RETENTION_BATCH at a time (their meters,
 *	   supplies and alerts with them, ON DELETE CASCADE);
 *	3. the bytes of its delivered documents go, one document at a time
 *	   (also those delivered later: a marked cycle's documents lose
 *	   their bytes once delivered);
 *	4. free pages go back to the file system, RETENTION_VACUUM_PAGES at
 *	   a time (PRAGMA incremental_vacuum; a database made before schema
 *	   version 5 has auto_vacuum none, and reuses its free pages
 *	   instead: it stops growing but does not shrink).
 *
 * A crash between steps leaves a marked cycle with some rows: the steps
 * go on at the next start.  callhomectl verify accepts the readings of a
 * cycle named by a retention record as missing, in part or in whole, and
 * the bytes of its delivered documents too (common/txlog.c).
 */
#ifndef AUDITD_RETENTION_H
#define AUDITD_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "chan/parent_auditd.h"
#include "db.h"

#define RETENTION_BATCH		256	/* reports per transaction */
#define RETENTION_VACUUM_PAGES	1024	/* 4 MiB of 4 KiB pages per step */
#define RETENTION_CHECK		3600	/* seconds between looks when idle */

struct retention;

struct retention *retention_new(struct db *);
void		 retention_free(struct retention *);
const char	*retention_error(const struct retention *);
void		 retention_configure(struct retention *, uint32_t days);
/*
 * One step, in its own transaction (none may be open): 1 when there is
 * more to do, 0 when there is nothing left for now, -1 on a database
 * error (retention_error() says which).
 */
int		 retention_step(struct retention *, int64_t now);
/*
 * For status: the database's size and free bytes, the start of the
 * oldest cycle whose readings are kept, what retention is doing.  -1 on
 * a database error.
 */
int		 retention_status(struct retention *,
		    struct msg_outbox_status *);

#endif /* AUDITD_RETENTION_H */
