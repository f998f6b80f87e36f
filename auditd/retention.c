/*
 * Retention: see retention.h.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document.h"
#include "json.h"
#include "log.h"
#include "retention.h"
#include "txlog.h"

struct retention {
	struct db	*db;
	uint32_t	 days;
	char		 err[512];
	int64_t		 cycle;		/* being pruned, 0: none known */
	int64_t		 left;		/* its reports, as last counted */
};

static int
rerr(struct retention *rt, const char *fmt, ...)
	__attribute__((__format__(printf, 2, 3)));

static int
rerr(struct retention *rt, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(rt->err, sizeof(rt->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int
dberr(struct retention *rt, const char *what)
{
	return rerr(rt, "retention: %s: %s", what, db_errmsg(rt->db));
}

struct retention *
retention_new(struct db *db)
{
	struct retention	*rt;

	if ((rt = calloc(1, sizeof(*rt))) == NULL)
		fatal(NULL);
	rt->db = db;
	rt->days = 400;
	return rt;
}

void
retention_free(struct retention *rt)
{
	free(rt);
}

const char *
retention_error(const struct retention *rt)
{
	return rt->err;
}

void
retention_configure(struct retention *rt, uint32_t days)
{
	if (days > 0)
		rt->days = days;
}

/* the first column of the first row of a query with one integer bound */
static int
q_int(struct retention *rt, const char *sql, int64_t arg, int64_t *v)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(rt->db->h, sql, -1, &st, NULL) != SQLITE_OK ||
	    (sqlite3_bind_parameter_count(st) > 0 &&
	    sqlite3_bind_int64(st, 1, arg) != SQLITE_OK)) {
		sqlite3_finalize(st);
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* one statement with one or two integers, in the open transaction */
static int
exec2(struct retention *rt, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(rt->db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_bind_int64(st, 1, a) != SQLITE_OK ||
	    (sqlite3_bind_parameter_count(st) > 1 &&
	    sqlite3_bind_int64(st, 2, b) != SQLITE_OK)) {
		sqlite3_finalize(st);
		return -1;
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? sqlite3_changes(rt->db->h) : -1;
}

/* a marked cycle whose reports are not all gone yet: 1, 0 or -1 */
static int
pruning_cycle(struct retention *rt, int64_t *cycle)
{
	if (rt->cycle > 0) {
		switch (q_int(rt, "SELECT 1 FROM reports WHERE cycle_id = ?1 "
		    "LIMIT 1", rt->cycle, cycle)) {
		case 1:
			*cycle = rt->cycle;
			return 1;
		case -1:
			return -1;
		}
		rt->cycle = 0;
	}
	return q_int(rt, "SELECT c.id FROM cycles c WHERE c.pruned IS NOT "
	    "NULL AND EXISTS (SELECT 1 FROM reports r WHERE r.cycle_id = "
	    "c.id) ORDER BY c.id LIMIT 1", 0, cycle);
}

/* step 1: mark the oldest cycle past the limit, with its record */
static int
mark_cycle(struct retention *rt, int64_t now, int64_t *cycle)
{
	struct json_mem	 d;
	sqlite3_stmt	*st;
	char		 summary[512], when[32];
	char		*detail;
	int64_t		 cutoff, started, ndevices, reports = 0, docs = 0;
	int64_t		 seq;
	int		 rc;

	cutoff = now - (int64_t)rt->days * 86400;
	if (sqlite3_prepare_v2(rt->db->h, "SELECT id, started, "
	    "coalesce(ndevices, 0) FROM cycles WHERE pruned IS NULL AND "
	    "finished IS NOT NULL AND started < ?1 ORDER BY id LIMIT 1", -1,
	    &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, cutoff) != SQLITE_OK) {
		sqlite3_finalize(st);
		return -1;
	}
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? 0 : -1;
	}
	*cycle = sqlite3_column_int64(st, 0);
	started = sqlite3_column_int64(st, 1);
	ndevices = sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	if (q_int(rt, "SELECT count(*) FROM reports WHERE cycle_id = ?1",
	    *cycle, &reports) == -1 ||
	    q_int(rt, "SELECT count(*) FROM outbox WHERE cycle_id = ?1 AND "
	    "state = 'delivered' AND document IS NOT NULL", *cycle,
	    &docs) == -1 ||
	    exec2(rt, "UPDATE cycles SET pruned = ?2 WHERE id = ?1 AND "
	    "pruned IS NULL", *cycle, now) != 1)
		return -1;
	document_time(started, when, sizeof(when));
	(void)snprintf(summary, sizeof(summary), "retention: cycle %" PRId64
	    " of %s is older than %u days: its readings (%" PRId64 " reports)"
	    " and the bytes of its delivered documents (%" PRId64 " now) are "
	    "pruned; their hashes and records stay", *cycle, when, rt->days,
	    reports, docs);
	json_mem_begin(&d);
	json_kv_string(&d.j, "reason", "retention");
	json_kv_int(&d.j, "cycle", *cycle);
	json_kv_int(&d.j, "started", started);
	json_kv_uint(&d.j, "retention_days", rt->days);
	json_kv_int(&d.j, "cutoff", cutoff);
	json_kv_int(&d.j, "devices", ndevices);
	json_kv_int(&d.j, "reports", reports);
	json_kv_int(&d.j, "delivered_documents", docs);
	detail = json_mem_end(&d);
	rc = txlog_append(rt->db->h, now, TXLOG_PRUNE, summary, detail, &seq);
	free(detail);
	if (rc == -1)
		return -1;
	log_info("%s; transaction log record %" PRId64, summary, seq);
	rt->cycle = *cycle;
	rt->left = reports;
	return 1;
}

/* the work of one step inside its transaction: 1 done some, 0 none */
static int
step_tx(struct retention *rt, int64_t now)
{
	int64_t		 cycle, id;
	int		 r;

	/* 2. the reports of a marked cycle, a batch */
	if ((r = pruning_cycle(rt, &cycle)) == -1)
		return -1;
	if (r == 1) {
		if ((r = exec2(rt, "DELETE FROM reports WHERE id IN (SELECT "
		    "id FROM reports WHERE cycle_id = ?1 ORDER BY id LIMIT "
		    "?2)", cycle, RETENTION_BATCH)) == -1)
			return -1;
		rt->cycle = cycle;
		rt->left = rt->left > r ? rt->left - r : 0;
		return 1;
	}
	/* 3. the bytes of a delivered document of a marked cycle */
	if ((r = q_int(rt, "SELECT o.id FROM outbox o JOIN cycles c ON "
	    "c.id = o.cycle_id WHERE o.state = 'delivered' AND o.document IS "
	    "NOT NULL AND c.pruned IS NOT NULL ORDER BY o.id LIMIT 1", 0,
	    &id)) == -1)
		return -1;
	if (r == 1)
		return exec2(rt, "UPDATE outbox SET document = NULL, pruned = "
		    "?2, prune_reason = 'retention' WHERE id = ?1", id,
		    now) == 1 ? 1 : -1;
	/* 1. the next cycle past the limit */
	return mark_cycle(rt, now, &cycle);
}

int
retention_step(struct retention *rt, int64_t now)
{
	int64_t		 freep = 0, mode = 0;
	int		 r;
	char		 sql[64];

	if (!sqlite3_get_autocommit(rt->db->h))
		return rerr(rt, "retention: a transaction is open");
	if (db_begin(rt->db) == -1)
		return dberr(rt, "begin");
	if ((r = step_tx(rt, now)) == -1) {
		dberr(rt, "pruning");
		(void)db_rollback(rt->db);
		return -1;
	}
	if (db_commit(rt->db) == -1) {
		dberr(rt, "commit");
		(void)db_rollback(rt->db);
		return -1;
	}
	if (r == 1)
		return 1;
	/* 4. the free pages, a few at a time (its own transaction) */
	if (q_int(rt, "PRAGMA freelist_count", 0, &freep) == -1)
		return dberr(rt, "freelist_count");
	/* 2: INCREMENTAL; a database made before version 5 has none (0) */
	if (freep == 0 || q_int(rt, "PRAGMA auto_vacuum", 0, &mode) != 1 ||
	    mode != 2)
		return 0;
	(void)snprintf(sql, sizeof(sql), "PRAGMA incremental_vacuum(%d)",
	    RETENTION_VACUUM_PAGES);
	if (db_exec(rt->db, sql) == -1)
		return dberr(rt, "incremental_vacuum");
	if (q_int(rt, "PRAGMA freelist_count", 0, &freep) == -1)
		return dberr(rt, "freelist_count");
	return freep > 0 ? 1 : 0;
}

int
retention_status(struct retention *rt, struct msg_outbox_status *s)
{
	int64_t		 pages = 0, size = 0, freep = 0, oldest = 0;

	if (q_int(rt, "PRAGMA page_count", 0, &pages) == -1 ||
	    q_int(rt, "PRAGMA page_size", 0, &size) == -1 ||
	    q_int(rt, "PRAGMA freelist_count", 0, &freep) == -1 ||
	    q_int(rt, "SELECT coalesce(min(started), 0) FROM cycles WHERE "
	    "pruned IS NULL AND finished IS NOT NULL", 0, &oldest) == -1)
		return dberr(rt, "status");
	s->db_bytes = (uint64_t)(pages * size);
	s->db_free = (uint64_t)(freep * size);
	if (s->db_free > s->db_bytes)
		s->db_free = s->db_bytes;
	s->oldest_readings = oldest > 0 ? oldest : 0;
	s->retention[0] = '\0';
	if (rt->cycle > 0)
		(void)snprintf(s->retention, sizeof(s->retention), "retention "
		    "is pruning cycle %" PRId64 " (%" PRId64 " reports left)",
		    rt->cycle, rt->left);
	return 0;
}
