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
#include "devstate.h"
#include "digest.h"
#include "kset.h"
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
	int			 jobdata;	/* DEV_JOBDATA came */

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

	/* the open device's previous meters (devstate.h) */
	struct prev_meters	 pm;
	/*
	 * The addresses' states (table targets), read at CYCLE_BEGIN: the
	 * key is the address, v[] state, since, device; val 1: changed in
	 * this cycle, written at CYCLE_END.
	 */
	struct kset		 targets;

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
static int	targets_load(struct store *);

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
	prev_meters_free(&st->pm);
	kset_free(&st->targets);
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
	if (targets_load(st) == -1)
		return dbfail(st, "reading the addresses' states");
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

struct rpt_device *
store_device_buf(struct store *st)
{
	return &st->dev;
}

/* an integer of the first row of a statement bound to one id, or 0 */
static int
step_int(sqlite3_stmt *s, int64_t *v)
{
	int	 rc;

	*v = 0;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* what is known of an address: its state, since when, its device */
struct target {
	int		 state;		/* DEV_STATE_NONE: not polled before */
	int64_t		 since;
	int64_t		 device;	/* last identified there, or 0 */
};

/* the addresses' states, all of them: one read per cycle */
static int
targets_load(struct store *st)
{
	struct kset_entry	*e;
	sqlite3_stmt		*s;
	const unsigned char	*a;
	int			 rc;

	kset_free(&st->targets);
	if ((s = db_stmt(st->db, DB_TARGETS)) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((a = sqlite3_column_text(s, 0)) == NULL)
			continue;
		e = kset_put(&st->targets, a, strlen((const char *)a));
		e->v[0] = sqlite3_column_int(s, 1);
		e->v[1] = sqlite3_column_int64(s, 2);
		e->v[2] = sqlite3_column_int64(s, 3);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* the address's entry (new: state none), and what it says */
static struct kset_entry *
target_get(struct store *st, const char *address, struct target *t)
{
	struct kset_entry	*e;

	e = kset_put(&st->targets, address, strlen(address));
	t->state = (int)e->v[0];
	t->since = e->v[1];
	t->device = e->v[2];
	return e;
}

static void
target_put(struct kset_entry *e, const struct rpt_device *d, int64_t device)
{
	e->v[0] = d->state;
	e->v[1] = d->state_since;
	e->v[2] = device;
	e->val = 1;
}

/* the states changed in this cycle, DB_BATCH rows a statement */
static int
targets_write(struct store *st)
{
	struct kset_entry	*e, *batch[DB_BATCH];
	sqlite3_stmt		*s;
	size_t			 i;
	int			 n = 0, k, p, rc = SQLITE_OK;

	for (i = 0; i <= st->targets.cap; i++) {
		e = i < st->targets.cap ? &st->targets.e[i] : NULL;
		if (e != NULL && (e->key == NULL || e->val != 1))
			continue;
		if (e != NULL)
			batch[n++] = e;
		if (n == 0 || (n < DB_BATCH && e != NULL))
			continue;
		if ((s = db_targets_stmt(st->db, n)) == NULL)
			return -1;
		for (k = 0, p = 1; k < n && rc == SQLITE_OK; k++) {
			rc = sqlite3_bind_text(s, p++, (const char *)
			    batch[k]->key, (int)batch[k]->klen, SQLITE_STATIC);
			if (rc == SQLITE_OK)
				rc = sqlite3_bind_int64(s, p++, batch[k]->v[0]);
			if (rc == SQLITE_OK)
				rc = sqlite3_bind_int64(s, p++, batch[k]->v[1]);
			if (rc == SQLITE_OK)
				rc = batch[k]->v[2] != 0 ? sqlite3_bind_int64(s,
				    p++, batch[k]->v[2]) :
				    sqlite3_bind_null(s, p++);
		}
		if (rc != SQLITE_OK || sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_reset(s);
			return -1;
		}
		sqlite3_reset(s);
		n = 0;
	}
	return 0;
}

/*
 * The address's state after this report (devstate.h), and the meters to
 * compare the report's with: the device's previous report, or, when the
 * address held another serial number before (replaced), that device's.
 * t->device becomes the device to remember at the address.
 */
static int
target_state(struct store *st, struct rpt_device *d, struct target *t,
    int64_t device_id, int64_t prev_report)
{
	sqlite3_stmt	*s;
	int64_t		 ref = prev_report, v;
	int		 rc, replaced = 0, answered;

	d->state = (uint8_t)devstate_next(d->outcome, d->waited, t->state);
	d->state_since = devstate_since(t->state, t->since, d->state,
	    d->collected);
	answered = d->outcome == DEV_OK || d->outcome == DEV_PARTIAL;
	if (answered && d->serial[0] != '\0') {
		if (t->device != 0 && t->device != device_id) {
			replaced = 1;
			if ((s = db_stmt(st->db, DB_DEVICE_LAST)) == NULL ||
			    sqlite3_bind_int64(s, 1, t->device) != SQLITE_OK ||
			    step_int(s, &ref) == -1)
				return -1;
		}
		t->device = device_id;
	}
	prev_meters_reset(&st->pm, replaced);
	if (!answered || ref <= 0)
		return 0;
	if ((s = db_stmt(st->db, DB_REPORT_METERS)) == NULL ||
	    sqlite3_bind_int64(s, 1, ref) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		v = sqlite3_column_type(s, 1) == SQLITE_NULL ? REPORT_NONE :
		    sqlite3_column_int64(s, 1);
		prev_meters_add(&st->pm, (const char *)sqlite3_column_text(s,
		    0), v);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_device(struct store *st, const struct rpt_device *in)
{
	struct rpt_device	*d = &st->dev;
	sqlite3_stmt		*s;
	struct target		 t;
	struct kset_entry	*te;
	char			 key[REPORT_NAME + REPORT_STR + 2];
	int64_t			 device_id = 0, seen, prev_report = 0;
	int			 rc = SQLITE_DONE;

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
	/* a copy: the address's state is added to it */
	if (in != &st->dev)
		memcpy(&st->dev, in, sizeof(st->dev));
	/* defense in depth: collectd filters PII already */
	if (!(st->send & CAT_BIT(CAT_PII))) {
		d->sysname[0] = '\0';
		d->syscontact[0] = '\0';
		d->syslocation[0] = '\0';
	}

	device_key(d, key, sizeof(key));
	seen = d->collected != 0 ? d->collected : st->begin.started;
	te = target_get(st, d->address, &t);

	/*
	 * The device's row: found by its key, or new; a report without a
	 * serial number (silent, refused) is the device's identified at the
	 * address before, if any.
	 */
	if (d->serial[0] == '\0' && t.device != 0)
		device_id = t.device;
	else {
		if ((s = db_stmt(st->db, DB_DEVICE_FIND)) == NULL ||
		    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC) !=
		    SQLITE_OK)
			return dbfail(st, "finding the device");
		if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			device_id = sqlite3_column_int64(s, 0);
			prev_report = sqlite3_column_int64(s, 1);
		}
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return dbfail(st, "finding the device");
	}
	if (device_id == 0) {
		if ((s = db_stmt(st->db, DB_DEVICE_INSERT)) == NULL ||
		    bind_device_row(s, key, d, seen) != SQLITE_OK ||
		    sqlite3_step(s) != SQLITE_DONE)
			return dbfail(st, "storing the device");
		device_id = sqlite3_last_insert_rowid(st->db->h);
		sqlite3_reset(s);
	}
	if (target_state(st, d, &t, device_id, prev_report) == -1)
		return dbfail(st, "reading the previous meters");

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
	target_put(te, d, t.device);

	readings_hash_device(&st->rh, d);
	st->count[d->outcome]++;
	st->ndevices++;
	st->phase = ROW_METER;
	st->nbuf = 0;
	st->jobdata = 0;
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
	if ((int)k < st->phase || st->jobdata)
		return fail(st, "%s after %s", row_msg[k], st->jobdata ?
		    "DEV_JOBDATA" : row_msg[st->phase]);
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
	prev_meters_flag(&st->pm, &st->buf.meter[i]);
	readings_hash_meter(&st->rh, &st->buf.meter[i]);
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
store_jobdata(struct store *st, const struct rpt_jobdata *j)
{
	sqlite3_stmt	*s;
	char		 hex[SHA256_HEX];

	if (st->state == S_FAILED)
		return -1;
	if (st->state != S_DEVICE)
		return fail(st, "DEV_JOBDATA outside a device report");
	if (st->jobdata)
		return fail(st, "DEV_JOBDATA twice in one device report");
	if (flush_rows(st) == -1)
		return -1;
	st->jobdata = 1;
	if (!(st->send & CAT_BIT(CAT_JOB_DATA))) {
		log_warnx("cycle %" PRId64 ": job data of %s dropped: job data "
		    "is not sent in this cycle", st->cycle_id, st->dev.address);
		return 0;
	}
	if (sha256_hex(j->sealed, j->sealedlen, hex) == -1)
		return fail(st, "SHA-256 of job data failed");
	if ((s = db_stmt(st->db, DB_JOBDATA_INSERT)) == NULL ||
	    sqlite3_bind_int64(s, 1, st->report_id) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, hex, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_blob64(s, 3, j->sealed, j->sealedlen,
	    SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text64(s, 4, (const char *)j->plain, j->plainlen,
	    SQLITE_STATIC, SQLITE_UTF8) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_DONE) {
		if (s != NULL)
			sqlite3_reset(s);
		return dbfail(st, "storing job data");
	}
	sqlite3_reset(s);
	readings_hash_jobdata(&st->rh, j);
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

	if (targets_write(st) == -1)
		return dbfail(st, "storing the addresses' states");
	kset_free(&st->targets);

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
	    sqlite3_bind_int64(s, 14, c.count[DEV_AUTH_FAILURE]) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(s, 15, c.answered) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 16, c.printers) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 17, c.skipped) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 18, c.duplicates) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_DONE ||
	    sqlite3_changes(st->db->h) != 1)
		return dbfail(st, "finishing the cycle");
	if (c.probed > 0) {
		/* the discovery's own record, in the same transaction */
		txlog_discover_summary(summary, sizeof(summary), c.id, &c);
		detail = txlog_discover_detail(c.id, &c);
		rc = txlog_append(st->db->h, time(NULL), TXLOG_DISCOVER,
		    summary, detail, &seq);
		free(detail);
		if (rc == -1)
			return dbfail(st, "appending to the transaction log");
	}
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
