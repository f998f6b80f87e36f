/*
 * The cycle storage state machine: see store.h.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "digest.h"
#include "log.h"
#include "report.h"
#include "store.h"
#include "txlog.h"

enum store_state {
	S_IDLE,			/* between cycles */
	S_CYCLE,		/* in a cycle, between devices */
	S_DEVICE,		/* in a device report */
	S_FAILED,		/* an error ended it all: nothing more */
};

/* in a device: the kinds of rows, in the order they must come */
enum row_kind {
	ROW_METER = DB_METERS,
	ROW_SUPPLY = DB_SUPPLIES,
	ROW_ALERT = DB_ALERTS,
	ROW_NKINDS = DB_NROWS
};
static const char *const row_msg[ROW_NKINDS] = {
	"DEV_METER", "DEV_SUPPLY", "DEV_ALERT"
};

struct store {
	struct db		*db;
	uint32_t		 send;		/* the open cycle's */
	uint32_t		 send_next;	/* from the next cycle on */
	enum store_state	 state;
	char			 err[512];

	/* the open cycle */
	struct rpt_cycle	 begin;
	int64_t			 cycle_id;
	uint32_t		 ndevices;
	uint32_t		 count[DEV_OUTCOME_MAX];
	struct readings_hash	 rh;

	/* the open device report */
	int64_t			 report_id;
	int			 phase;		/* row_kind reached */
	uint32_t		 nrows[ROW_NKINDS];

	/*
	 * Rows not inserted yet: only of the current kind (phase), the
	 * first of them with ordinal nrows[phase] - nbuf.
	 */
	int			 nbuf;
	union {
		struct rpt_meter	 meter[DB_BATCH];
		struct rpt_supply	 supply[DB_BATCH];
		struct rpt_alert	 alert[DB_BATCH];
	}			 buf;

	/* scratch: a device report is large, keep one */
	struct rpt_device	 dev;
	union {
		struct rpt_cycle	 cycle;
		struct rpt_meter	 meter;
		struct rpt_supply	 supply;
		struct rpt_alert	 alert;
	}			 u;

	/* before each commit */
	store_hook		 hook;
	void			*hook_arg;

	/* for status */
	int64_t			 last_cycle;
	int64_t			 last_txseq;
	uint32_t		 last_ndevices;
};

static int
fail(struct store *st, const char *fmt, ...)
	__attribute__((__format__(printf, 2, 3)));

/*
 * Any error ends the cycle: its transaction is rolled back at once (an
 * INSERT OR ROLLBACK may have done so already) and the store refuses
 * everything after, so that nothing could be written outside a cycle's
 * transaction even by a caller that went on.
 */
static int
fail(struct store *st, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
	(void)db_rollback(st->db);
	if (st->state == S_CYCLE || st->state == S_DEVICE)
		readings_hash_free(&st->rh);
	st->state = S_FAILED;
	return -1;
}

static int
dbfail(struct store *st, const char *what)
{
	return fail(st, "database: %s: %s", what, db_errmsg(st->db));
}

struct store *
store_new(struct db *db, uint32_t send)
{
	struct store	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	st->db = db;
	st->send = st->send_next = send;
	st->state = S_IDLE;
	return st;
}

/* a new mask applies from the next cycle on: one cycle, one policy */
void
store_set_send(struct store *st, uint32_t send)
{
	st->send_next = send;
}

void
store_set_hook(struct store *st, store_hook hook, void *arg)
{
	st->hook = hook;
	st->hook_arg = arg;
}

void
store_free(struct store *st)
{
	if (st == NULL)
		return;
	if (st->state == S_CYCLE || st->state == S_DEVICE) {
		(void)db_rollback(st->db);
		readings_hash_free(&st->rh);
	}
	free(st);
}

const char *
store_error(const struct store *st)
{
	return st->err;
}

int
store_busy(const struct store *st)
{
	return st->state == S_CYCLE || st->state == S_DEVICE;
}

void
store_state(const struct store *st, char *buf, size_t len)
{
	if (st->state == S_FAILED)
		(void)snprintf(buf, len, "failed: %s", st->err);
	else if (st->state != S_IDLE)
		(void)snprintf(buf, len, "storing cycle %" PRId64 ": %u "
		    "devices so far", st->cycle_id, st->ndevices);
	else if (st->last_cycle > 0)
		(void)snprintf(buf, len, "last cycle %" PRId64 " stored: %u "
		    "devices, record %" PRId64, st->last_cycle,
		    st->last_ndevices, st->last_txseq);
	else
		(void)snprintf(buf, len, "no cycle stored since start");
}

int
store_cycle_begin(struct store *st, const struct rpt_cycle *c)
{
	sqlite3_stmt	*s;

	if (st->state == S_FAILED)
		return -1;
	if (st->state != S_IDLE)
		return fail(st, "CYCLE_BEGIN inside cycle %" PRId64,
		    st->cycle_id);
	if (c->reason[0] == '\0')
		return fail(st, "CYCLE_BEGIN without a reason");
	if (db_begin(st->db) == -1)
		return dbfail(st, "begin");
	if ((s = db_stmt(st->db, DB_CYCLE_INSERT)) == NULL ||
	    sqlite3_bind_int64(s, 1, (int64_t)c->token) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, c->reason, -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, c->started) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, c->ndevices) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_DONE)
		return dbfail(st, "inserting the cycle");
	st->begin = *c;
	st->cycle_id = sqlite3_last_insert_rowid(st->db->h);
	st->ndevices = 0;
	memset(st->count, 0, sizeof(st->count));
	readings_hash_init(&st->rh);
	st->send = st->send_next;
	st->state = S_CYCLE;
	return 0;
}

/* the device's identity: "vendor|serial", or "address|<address>" */
static void
device_key(const struct rpt_device *d, char *key, size_t len)
{
	if (d->serial[0] != '\0')
		(void)snprintf(key, len, "%s|%s", d->vendor, d->serial);
	else
		(void)snprintf(key, len, "address|%s", d->address);
}

/* parameters 1..6 of DB_DEVICE_INSERT and DB_DEVICE_UPDATE */
static int
bind_device_row(sqlite3_stmt *s, const char *key,
    const struct rpt_device *d, int64_t seen)
{
	int	 rc;

	if ((rc = sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 2, d->vendor, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 3, d->model, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 4, d->serial, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 5, seen)) != SQLITE_OK)
		return rc;
	return sqlite3_bind_text(s, 6, d->address, -1, SQLITE_STATIC);
}

int
store_device(struct store *st, const struct rpt_device *in)
{
	const struct rpt_device	*d = in;
	sqlite3_stmt		*s;
	char			 key[REPORT_NAME + REPORT_STR + 2];
	int64_t			 device_id, seen;
	int			 rc;

	if (st->state == S_FAILED)
		return -1;
	if (st->state != S_CYCLE)
		return fail(st, "DEV_BEGIN %s", st->state == S_IDLE ?
		    "outside a cycle" : "inside a device report");
	if (st->ndevices >= STORE_MAX_DEVICES)
		return fail(st, "more than %u devices in cycle %" PRId64,
		    STORE_MAX_DEVICES, st->cycle_id);
	if (in->outcome >= DEV_OUTCOME_MAX)
		return fail(st, "DEV_BEGIN with outcome %u", in->outcome);
	/* defense in depth: collectd filters PII already */
	if (!(st->send & CAT_BIT(CAT_PII)) && (in->sysname[0] != '\0' ||
	    in->syscontact[0] != '\0' || in->syslocation[0] != '\0')) {
		if (in != &st->dev)
			memcpy(&st->dev, in, sizeof(st->dev));
		st->dev.sysname[0] = '\0';
		st->dev.syscontact[0] = '\0';
		st->dev.syslocation[0] = '\0';
		d = &st->dev;
	}

	device_key(d, key, sizeof(key));
	seen = d->collected != 0 ? d->collected : st->begin.started;

	/* the device's row: found by its key, or new */
	if ((s = db_stmt(st->db, DB_DEVICE_FIND)) == NULL ||
	    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC) != SQLITE_OK)
		return dbfail(st, "finding the device");
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		device_id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return dbfail(st, "finding the device");
	if (rc == SQLITE_DONE) {
		if ((s = db_stmt(st->db, DB_DEVICE_INSERT)) == NULL ||
		    bind_device_row(s, key, d, seen) != SQLITE_OK ||
		    sqlite3_step(s) != SQLITE_DONE)
			return dbfail(st, "storing the device");
		device_id = sqlite3_last_insert_rowid(st->db->h);
		sqlite3_reset(s);
	}

	if ((s = db_stmt(st->db, DB_REPORT_INSERT)) == NULL ||
	    sqlite3_bind_int64(s, 1, st->cycle_id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, device_id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, st->ndevices) != SQLITE_OK ||
	    readings_bind_device(s, 4, d) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_DONE)
		return dbfail(st, "storing the report");
	st->report_id = sqlite3_last_insert_rowid(st->db->h);
	sqlite3_reset(s);

	/* bind_device_row() binds 1..6: the id and last_report replace */
	if ((s = db_stmt(st->db, DB_DEVICE_UPDATE)) == NULL ||
	    bind_device_row(s, key, d, seen) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 1, device_id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 7, st->report_id) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_DONE)
		return dbfail(st, "updating the device");
	sqlite3_reset(s);

	readings_hash_device(&st->rh, d);
	st->count[d->outcome]++;
	st->ndevices++;
	st->phase = ROW_METER;
	st->nbuf = 0;
	memset(st->nrows, 0, sizeof(st->nrows));
	st->state = S_DEVICE;
	return 0;
}

/* insert the rows waiting in the buffer */
static int
flush_rows(struct store *st)
{
	sqlite3_stmt	*s;
	int64_t		 ord;
	int		 i, p, w, rc = SQLITE_OK;

	if (st->nbuf == 0)
		return 0;
	if ((s = db_rows_stmt(st->db, st->phase, st->nbuf)) == NULL)
		return dbfail(st, "preparing an insert");
	w = db_rows_width(st->phase);
	ord = st->nrows[st->phase] - st->nbuf;
	for (i = 0; i < st->nbuf && rc == SQLITE_OK; i++) {
		p = 1 + i * w;
		if ((rc = sqlite3_bind_int64(s, p, st->report_id)) !=
		    SQLITE_OK ||
		    (rc = sqlite3_bind_int64(s, p + 1, ord + i)) != SQLITE_OK)
			break;
		switch (st->phase) {
		case ROW_METER:
			rc = readings_bind_meter(s, p + 2, &st->buf.meter[i]);
			break;
		case ROW_SUPPLY:
			rc = readings_bind_supply(s, p + 2,
			    &st->buf.supply[i]);
			break;
		default:
			rc = readings_bind_alert(s, p + 2, &st->buf.alert[i]);
			break;
		}
	}
	if (rc != SQLITE_OK || sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_reset(s);
		return dbfail(st, "storing a report's rows");
	}
	sqlite3_reset(s);
	st->nbuf = 0;
	return 0;
}

/*
 * May a row of this kind come now?  Then the buffer has room for it at
 * *slot (rows of an earlier kind are inserted first).
 */
static int
row_slot(struct store *st, enum row_kind k, int *slot)
{
	if (st->state == S_FAILED)
		return -1;
	if (st->state != S_DEVICE)
		return fail(st, "%s outside a device report", row_msg[k]);
	if ((int)k < st->phase)
		return fail(st, "%s after %s", row_msg[k],
		    row_msg[st->phase]);
	if (st->nrows[k] >= REPORT_MAX_ROWS)
		return fail(st, "more than %d %s rows in one report",
		    REPORT_MAX_ROWS, row_msg[k]);
	if (((int)k != st->phase || st->nbuf == DB_BATCH) &&
	    flush_rows(st) == -1)
		return -1;
	st->phase = k;
	st->nrows[k]++;
	*slot = st->nbuf++;
	return 0;
}

int
store_meter(struct store *st, const struct rpt_meter *m)
{
	int	 i;

	if (row_slot(st, ROW_METER, &i) == -1)
		return -1;
	st->buf.meter[i] = *m;
	readings_hash_meter(&st->rh, m);
	return 0;
}

int
store_supply(struct store *st, const struct rpt_supply *sp)
{
	int	 i;

	if (row_slot(st, ROW_SUPPLY, &i) == -1)
		return -1;
	st->buf.supply[i] = *sp;
	readings_hash_supply(&st->rh, sp);
	return 0;
}

int
store_alert(struct store *st, const struct rpt_alert *a)
{
	int	 i;

	if (row_slot(st, ROW_ALERT, &i) == -1)
		return -1;
	st->buf.alert[i] = *a;
	readings_hash_alert(&st->rh, a);
	return 0;
}

int
store_device_end(struct store *st)
{
	if (st->state == S_FAILED)
		return -1;
	if (st->state != S_DEVICE)
		return fail(st, "DEV_END outside a device report");
	if (flush_rows(st) == -1)
		return -1;
	readings_hash_end(&st->rh);
	st->state = S_CYCLE;
	return 0;
}

int
store_cycle_end(struct store *st, const struct rpt_cycle *end,
    struct rpt_cycle *stored)
{
	struct rpt_cycle	 c;
	sqlite3_stmt		*s;
	uint8_t			 digest[TXLOG_HASH_LEN];
	char			 hex[TXLOG_HEX_LEN], summary[512], *detail;
	char			 herr[512];
	int64_t			 seq;
	int			 i, rc;

	if (st->state == S_FAILED)
		return -1;
	if (st->state != S_CYCLE)
		return fail(st, "CYCLE_END %s", st->state == S_IDLE ?
		    "outside a cycle" : "inside a device report");
	if (end->token != st->begin.token)
		return fail(st, "CYCLE_END for cycle token %" PRIu64 " in "
		    "cycle token %" PRIu64, end->token, st->begin.token);
	if (end->ndevices != st->ndevices)
		return fail(st, "CYCLE_END counts %u devices, %u were "
		    "reported", end->ndevices, st->ndevices);
	for (i = 0; i < DEV_OUTCOME_MAX; i++)
		if (end->count[i] != st->count[i])
			return fail(st, "CYCLE_END counts %u %s, %u were "
			    "reported", end->count[i], dev_outcome_name(i),
			    st->count[i]);

	/* what is stored: the end's counts, the beginning's identity */
	c = *end;
	c.id = st->cycle_id;
	(void)strlcpy(c.reason, st->begin.reason, sizeof(c.reason));
	c.started = st->begin.started;

	/* from here the cycle is either committed or rolled back */
	st->state = S_IDLE;
	readings_hash_final(&st->rh, digest);
	digest_hex(digest, hex);
	rpt_cycle_summary(summary, sizeof(summary), c.id, &c);
	detail = txlog_collect_detail(c.id, &c, st->begin.ndevices, digest);
	rc = txlog_append(st->db->h, clock_now(), TXLOG_COLLECT, summary,
	    detail, &seq);
	free(detail);
	if (rc == -1)
		return dbfail(st, "appending to the transaction log");
	c.txseq = seq;

	if ((s = db_stmt(st->db, DB_CYCLE_FINISH)) == NULL ||
	    sqlite3_bind_int64(s, 1, c.id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, c.finished) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, c.ndevices) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, c.count[DEV_OK]) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, c.count[DEV_PARTIAL]) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, c.count[DEV_TIMEOUT]) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 7, c.count[DEV_REFUSED]) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 8, c.count[DEV_NOT_PRINTER]) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 9, c.count[DEV_ERROR]) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 10, c.probed) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 11, (int64_t)c.requests) != SQLITE_OK ||
	    sqlite3_bind_text(s, 12, hex, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 13, c.txseq) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_DONE ||
	    sqlite3_changes(st->db->h) != 1)
		return dbfail(st, "finishing the cycle");
	herr[0] = '\0';
	if (st->hook != NULL &&
	    st->hook(st->hook_arg, &c, herr, sizeof(herr)) == -1)
		return fail(st, "cycle %" PRId64 ": %s", c.id, herr);
	if (db_commit(st->db) == -1)
		return dbfail(st, "commit");
	st->last_cycle = c.id;
	st->last_txseq = c.txseq;
	st->last_ndevices = c.ndevices;
	*stored = c;
	return 0;
}
