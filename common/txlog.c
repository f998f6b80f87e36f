/*
 * The hash-chained transaction log, the readings digest that seals each
 * collection cycle, and the rows <-> structures mapping of the readings
 * tables.  See txlog.h; the tables are described in auditd/db.c.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "buf.h"
#include "digest.h"
#include "json.h"
#include "log.h"
#include "report.h"
#include "txlog.h"

const char txlog_schema[] =
	"CREATE TABLE txlog (\n"
	"	seq		INTEGER PRIMARY KEY,\n"
	"	time		INTEGER NOT NULL,\n"
	"	kind		TEXT NOT NULL,\n"
	"	summary		TEXT NOT NULL,\n"
	"	detail		TEXT NOT NULL,\n"
	"	prev_hash	TEXT NOT NULL,\n"
	"	hash		TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX txlog_kind ON txlog (kind, seq);\n";

static EVP_MD	*sha256_md;

static const EVP_MD *
sha256(void)
{
	if (sha256_md == NULL &&
	    (sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		fatalx("libcrypto has no SHA-256");
	return sha256_md;
}

void
txlog_init(void)
{
	uint8_t		 h[TXLOG_HASH_LEN];
	unsigned int	 hl;

	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1)
		fatalx("OPENSSL_init_crypto");
	/* the provider is loaded on first use: use it once */
	if (EVP_Digest("", 0, h, &hl, sha256(), NULL) != 1)
		fatalx("SHA-256 does not work");
}

static EVP_MD_CTX *
md_new(void)
{
	EVP_MD_CTX	*ctx;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, sha256(), NULL) != 1)
		fatalx("SHA-256 context");
	return ctx;
}

static void
md_update(EVP_MD_CTX *ctx, const void *p, size_t len)
{
	if (EVP_DigestUpdate(ctx, p, len) != 1)
		fatalx("SHA-256 update");
}

static void
md_final(EVP_MD_CTX *ctx, uint8_t out[TXLOG_HASH_LEN])
{
	unsigned int	 len;

	if (EVP_DigestFinal_ex(ctx, out, &len) != 1 || len != TXLOG_HASH_LEN)
		fatalx("SHA-256 final");
	EVP_MD_CTX_free(ctx);
}

static int
unhex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;		/* upper case is not the stored form */
}

/* 0 when s is exactly 64 lowercase hex digits */
static int
txlog_unhex(const char *s, uint8_t out[TXLOG_HASH_LEN])
{
	int	 i, hi, lo;

	if (s == NULL || strlen(s) != 2 * TXLOG_HASH_LEN)
		return -1;
	for (i = 0; i < TXLOG_HASH_LEN; i++) {
		if ((hi = unhex_digit((unsigned char)s[2 * i])) == -1 ||
		    (lo = unhex_digit((unsigned char)s[2 * i + 1])) == -1)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static void
netstring(EVP_MD_CTX *ctx, const char *s, size_t len)
{
	char	 n[32];
	int	 l;

	l = snprintf(n, sizeof(n), "%zu:", len);
	md_update(ctx, n, (size_t)l);
	md_update(ctx, s, len);
	md_update(ctx, ",", 1);
}

void
txlog_hash(const uint8_t prev[TXLOG_HASH_LEN], int64_t seq, int64_t time,
    const char *kind, const char *summary, const char *detail,
    uint8_t out[TXLOG_HASH_LEN])
{
	EVP_MD_CTX	*ctx;
	char		 num[32];
	int		 l;

	ctx = md_new();
	md_update(ctx, prev, TXLOG_HASH_LEN);
	l = snprintf(num, sizeof(num), "%" PRId64, seq);
	netstring(ctx, num, (size_t)l);
	l = snprintf(num, sizeof(num), "%" PRId64, time);
	netstring(ctx, num, (size_t)l);
	netstring(ctx, kind, strlen(kind));
	netstring(ctx, summary, strlen(summary));
	netstring(ctx, detail, strlen(detail));
	md_final(ctx, out);
}

int
txlog_append(sqlite3 *db, int64_t time, const char *kind,
    const char *summary, const char *detail, int64_t *seqp)
{
	static const char	 last_sql[] =
	    "SELECT seq, hash FROM txlog ORDER BY seq DESC LIMIT 1";
	static const char	 ins_sql[] =
	    "INSERT INTO txlog (seq, time, kind, summary, detail, prev_hash, "
	    "hash) VALUES (?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt		*st = NULL;
	uint8_t			 prev[TXLOG_HASH_LEN], h[TXLOG_HASH_LEN];
	char			 prevhex[TXLOG_HEX_LEN], hex[TXLOG_HEX_LEN];
	int64_t			 seq = 1;
	int			 rc;

	memset(prev, 0, sizeof(prev));
	if (sqlite3_prepare_v2(db, last_sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0) + 1;
		if (txlog_unhex((const char *)sqlite3_column_text(st, 1),
		    prev) == -1) {
			log_warnx("txlog: record %" PRId64 " has no valid "
			    "hash: the log was damaged", seq - 1);
			sqlite3_finalize(st);
			return -1;
		}
	} else if (rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);

	txlog_hash(prev, seq, time, kind, summary, detail, h);
	digest_hex(prev, prevhex);
	digest_hex(h, hex);
	if (sqlite3_prepare_v2(db, ins_sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_bind_int64(st, 1, seq) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, time) != SQLITE_OK ||
	    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 4, summary, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 5, detail, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 6, prevhex, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 7, hex, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	*seqp = seq;
	return 0;
}

/*
 * The readings digest.
 */

/*
 * Messages are framed into one buffer and hashed in large pieces: many
 * small digest updates cost more than the hashing itself.
 */
#define RH_FLUSH	(64 * 1024)

void
readings_hash_init(struct readings_hash *rh)
{
	rh->ctx = md_new();
	wbuf_init(&rh->w);
}

static void
rh_flush(struct readings_hash *rh)
{
	if (rh->w.len > 0)
		md_update(rh->ctx, rh->w.data, rh->w.len);
	rh->w.len = 0;
}

/* the frame's header; its length is patched by rh_close() */
static size_t
rh_open(struct readings_hash *rh, uint32_t type)
{
	size_t	 off = rh->w.len;

	wbuf_u32(&rh->w, type);
	wbuf_u32(&rh->w, 0);
	return off;
}

static void
rh_close(struct readings_hash *rh, size_t off)
{
	size_t	 len = rh->w.len - off - 8;
	uint8_t	*p = rh->w.data + off + 4;

	if (len > UINT32_MAX)
		fatalx("readings hash: %zu bytes", len);
	p[0] = (uint8_t)(len >> 24);
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	if (rh->w.len >= RH_FLUSH)
		rh_flush(rh);
}

/* the message encoded straight into the buffer, as it went on the wire */
#define RH_ENCODE(rh, type, enc, v) do {				\
	size_t	 off_ = rh_open((rh), (type));			\
	enc(&(rh)->w, (v));						\
	rh_close((rh), off_);						\
} while (0)

void
readings_hash_device(struct readings_hash *rh, const struct rpt_device *d)
{
	RH_ENCODE(rh, TXLOG_RH_DEVICE, msg_device_encode, d);
}

void
readings_hash_meter(struct readings_hash *rh, const struct rpt_meter *m)
{
	RH_ENCODE(rh, TXLOG_RH_METER, msg_meter_encode, m);
}

void
readings_hash_supply(struct readings_hash *rh, const struct rpt_supply *s)
{
	RH_ENCODE(rh, TXLOG_RH_SUPPLY, msg_supply_encode, s);
}

void
readings_hash_alert(struct readings_hash *rh, const struct rpt_alert *a)
{
	RH_ENCODE(rh, TXLOG_RH_ALERT, msg_alert_encode, a);
}

void
readings_hash_jobdata(struct readings_hash *rh, const struct rpt_jobdata *j)
{
	RH_ENCODE(rh, TXLOG_RH_JOBDATA, msg_jobdata_encode, j);
}

void
readings_hash_end(struct readings_hash *rh)
{
	rh_close(rh, rh_open(rh, TXLOG_RH_END));
}

void
readings_hash_final(struct readings_hash *rh, uint8_t out[TXLOG_HASH_LEN])
{
	rh_flush(rh);
	md_final(rh->ctx, out);
	rh->ctx = NULL;
	wbuf_free(&rh->w);
}

void
readings_hash_free(struct readings_hash *rh)
{
	if (rh->ctx != NULL)
		EVP_MD_CTX_free(rh->ctx);
	rh->ctx = NULL;
	wbuf_free(&rh->w);
}

/*
 * Rows <-> structures.
 */

static int
bind_str(sqlite3_stmt *st, int i, const char *s)
{
	return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static int
bind_opt(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == REPORT_NONE)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_int64(st, i, v);
}

/*
 * Reading back is strict: a column gives a value only when it holds
 * exactly what a binder above (or txlog_append()) can have written.  A
 * number of another type, a BLOB for a text, a value out of its field's
 * range, a text too long for its field or with a NUL inside would
 * otherwise read as something else, and a changed row could re-hash to
 * the value that was sealed.
 */

/* column i if it is TEXT without a NUL (C sees all of it); else NULL */
static const char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char	*s;

	if (sqlite3_column_type(st, i) != SQLITE_TEXT ||
	    (s = sqlite3_column_text(st, i)) == NULL ||
	    memchr(s, '\0', (size_t)sqlite3_column_bytes(st, i)) != NULL)
		return NULL;
	return (const char *)s;
}

/* 1 when column i is the TEXT s, exactly */
static int
col_text_is(sqlite3_stmt *st, int i, const char *s)
{
	const char	*t;

	return (t = col_text(st, i)) != NULL && strcmp(t, s) == 0;
}

/* 1 when column i is the INTEGER v (not a text or a real that reads so) */
static int
col_int_is(sqlite3_stmt *st, int i, int64_t v)
{
	return sqlite3_column_type(st, i) == SQLITE_INTEGER &&
	    sqlite3_column_int64(st, i) == v;
}

/*
 * A string field: 0 when column i is a text that fits dst whole, -1
 * otherwise, with dst holding what could be read of it, cut.
 */
static int
col_str(sqlite3_stmt *st, int i, char *dst, size_t dstsz)
{
	const char	*s;
	int		 r = 0;

	if ((s = col_text(st, i)) == NULL) {
		r = -1;
		if ((s = (const char *)sqlite3_column_text(st, i)) == NULL)
			s = "";
	}
	if (strlcpy(dst, s, dstsz) >= dstsz)
		r = -1;
	return r;
}

/* an INTEGER from min to max; -1 otherwise, with *v as sqlite reads it */
static int
col_int(sqlite3_stmt *st, int i, int64_t min, int64_t max, int64_t *v)
{
	int	 type;

	type = sqlite3_column_type(st, i);
	*v = sqlite3_column_int64(st, i);
	return type == SQLITE_INTEGER && *v >= min && *v <= max ? 0 : -1;
}

/*
 * An integer the device may not have reported: NULL is REPORT_NONE, any
 * other INTEGER itself (never REPORT_NONE: that is bound as NULL).
 */
static int
col_opt(sqlite3_stmt *st, int i, int64_t *v)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL) {
		*v = REPORT_NONE;
		return 0;
	}
	if (col_int(st, i, INT64_MIN, INT64_MAX, v) == -1 ||
	    *v == REPORT_NONE)
		return -1;
	return 0;
}

int
readings_bind_device(sqlite3_stmt *st, int i, const struct rpt_device *d)
{
	int	 rc = SQLITE_OK;

#define B(x)	do { if (rc == SQLITE_OK) rc = (x); i++; } while (0)
	B(bind_str(st, i, d->address));
	B(sqlite3_bind_int(st, i, d->outcome));
	B(bind_str(st, i, d->reason));
	B(sqlite3_bind_int64(st, i, d->collected));
	B(sqlite3_bind_int64(st, i, d->requests));
	B(bind_str(st, i, d->sysdescr));
	B(bind_str(st, i, d->sysobjectid));
	B(bind_opt(st, i, d->enterprise));
	B(bind_str(st, i, d->vendor));
	B(bind_str(st, i, d->model));
	B(bind_str(st, i, d->model_source));
	B(bind_str(st, i, d->serial));
	B(bind_str(st, i, d->serial_source));
	B(bind_str(st, i, d->firmware));
	B(bind_str(st, i, d->firmware_source));
	B(bind_str(st, i, d->profile));
	B(bind_str(st, i, d->sysname));
	B(bind_str(st, i, d->syscontact));
	B(bind_str(st, i, d->syslocation));
	B(bind_opt(st, i, d->uptime));
	B(bind_opt(st, i, d->device_status));
	B(bind_opt(st, i, d->printer_status));
	B(d->errors == -1 ? sqlite3_bind_null(st, i) :
	    sqlite3_bind_int(st, i, d->errors));
	/* schema 4: NULL when the wire form has no tail (report.h) */
	if (d->waited || d->state != DEV_STATE_NONE) {
		B(sqlite3_bind_int(st, i, d->waited));
		B(sqlite3_bind_int(st, i, d->state));
		B(sqlite3_bind_int64(st, i, d->state_since));
	} else {
		B(sqlite3_bind_null(st, i));
		B(sqlite3_bind_null(st, i));
		B(sqlite3_bind_null(st, i));
	}
	return rc;
}

int
readings_bind_meter(sqlite3_stmt *st, int i, const struct rpt_meter *m)
{
	int	 rc = SQLITE_OK;

	B(bind_str(st, i, m->name));
	B(bind_str(st, i, m->unit));
	B(bind_opt(st, i, m->value));
	B(bind_str(st, i, m->source));
	if (m->flag != METER_FLAG_NONE) {
		B(sqlite3_bind_int(st, i, m->flag));
		B(bind_opt(st, i, m->previous));
	} else {
		B(sqlite3_bind_null(st, i));
		B(sqlite3_bind_null(st, i));
	}
	return rc;
}

int
readings_bind_supply(sqlite3_stmt *st, int i, const struct rpt_supply *s)
{
	int	 rc = SQLITE_OK;

	B(bind_str(st, i, s->index));
	B(bind_str(st, i, s->description));
	B(bind_str(st, i, s->class));
	B(bind_str(st, i, s->type));
	B(bind_str(st, i, s->color));
	B(bind_str(st, i, s->unit));
	B(bind_opt(st, i, s->max));
	B(bind_opt(st, i, s->level));
	B(bind_opt(st, i, s->percent));
	return rc;
}

int
readings_bind_alert(sqlite3_stmt *st, int i, const struct rpt_alert *a)
{
	int	 rc = SQLITE_OK;

	B(bind_str(st, i, a->index));
	B(bind_str(st, i, a->severity));
	B(bind_str(st, i, a->group));
	B(bind_str(st, i, a->code));
	B(bind_str(st, i, a->description));
	B(bind_opt(st, i, a->time));
	return rc;
#undef B
}

int
readings_column_device(sqlite3_stmt *st, int i, struct rpt_device *d)
{
	int64_t	 v;
	int	 r = 0;

	memset(d, 0, sizeof(*d));
	r |= col_str(st, i++, d->address, sizeof(d->address));
	r |= col_int(st, i++, 0, UINT8_MAX, &v);
	d->outcome = (uint8_t)v;
	r |= col_str(st, i++, d->reason, sizeof(d->reason));
	r |= col_int(st, i++, INT64_MIN, INT64_MAX, &d->collected);
	r |= col_int(st, i++, 0, UINT32_MAX, &v);
	d->requests = (uint32_t)v;
	r |= col_str(st, i++, d->sysdescr, sizeof(d->sysdescr));
	r |= col_str(st, i++, d->sysobjectid, sizeof(d->sysobjectid));
	r |= col_opt(st, i++, &d->enterprise);
	r |= col_str(st, i++, d->vendor, sizeof(d->vendor));
	r |= col_str(st, i++, d->model, sizeof(d->model));
	r |= col_str(st, i++, d->model_source, sizeof(d->model_source));
	r |= col_str(st, i++, d->serial, sizeof(d->serial));
	r |= col_str(st, i++, d->serial_source, sizeof(d->serial_source));
	r |= col_str(st, i++, d->firmware, sizeof(d->firmware));
	r |= col_str(st, i++, d->firmware_source,
	    sizeof(d->firmware_source));
	r |= col_str(st, i++, d->profile, sizeof(d->profile));
	r |= col_str(st, i++, d->sysname, sizeof(d->sysname));
	r |= col_str(st, i++, d->syscontact, sizeof(d->syscontact));
	r |= col_str(st, i++, d->syslocation, sizeof(d->syslocation));
	r |= col_opt(st, i++, &d->uptime);
	r |= col_opt(st, i++, &d->device_status);
	r |= col_opt(st, i++, &d->printer_status);
	/* unknown (-1) is NULL, never the number */
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		d->errors = -1;
	else {
		if (col_int(st, i, INT32_MIN, INT32_MAX, &v) == -1 ||
		    v == -1)
			r = -1;
		d->errors = (int32_t)v;
	}
	i++;
	/* schema 4: all three NULL, or a tail with one of them set */
	if (sqlite3_column_type(st, i) == SQLITE_NULL &&
	    sqlite3_column_type(st, i + 1) == SQLITE_NULL &&
	    sqlite3_column_type(st, i + 2) == SQLITE_NULL)
		return r;
	r |= col_int(st, i++, 0, 1, &v);
	d->waited = (uint8_t)v;
	r |= col_int(st, i++, 0, DEV_STATE_MAX - 1, &v);
	d->state = (uint8_t)v;
	r |= col_int(st, i, INT64_MIN, INT64_MAX, &d->state_since);
	if (d->waited == 0 && d->state == DEV_STATE_NONE)
		r = -1;
	return r;
}

int
readings_column_meter(sqlite3_stmt *st, int i, struct rpt_meter *m)
{
	int64_t	 v;
	int	 r = 0;

	memset(m, 0, sizeof(*m));
	r |= col_str(st, i++, m->name, sizeof(m->name));
	r |= col_str(st, i++, m->unit, sizeof(m->unit));
	r |= col_opt(st, i++, &m->value);
	r |= col_str(st, i++, m->source, sizeof(m->source));
	if (sqlite3_column_type(st, i) == SQLITE_NULL) {
		if (sqlite3_column_type(st, i + 1) != SQLITE_NULL)
			r = -1;
		return r;
	}
	r |= col_int(st, i++, METER_FLAG_NONE + 1, METER_FLAG_MAX - 1, &v);
	m->flag = (uint8_t)v;
	r |= col_opt(st, i, &m->previous);
	return r;
}

int
readings_column_supply(sqlite3_stmt *st, int i, struct rpt_supply *s)
{
	int	 r = 0;

	memset(s, 0, sizeof(*s));
	r |= col_str(st, i++, s->index, sizeof(s->index));
	r |= col_str(st, i++, s->description, sizeof(s->description));
	r |= col_str(st, i++, s->class, sizeof(s->class));
	r |= col_str(st, i++, s->type, sizeof(s->type));
	r |= col_str(st, i++, s->color, sizeof(s->color));
	r |= col_str(st, i++, s->unit, sizeof(s->unit));
	r |= col_opt(st, i++, &s->max);
	r |= col_opt(st, i++, &s->level);
	r |= col_opt(st, i, &s->percent);
	return r;
}

int
readings_column_alert(sqlite3_stmt *st, int i, struct rpt_alert *a)
{
	int	 r = 0;

	memset(a, 0, sizeof(*a));
	r |= col_str(st, i++, a->index, sizeof(a->index));
	r |= col_str(st, i++, a->severity, sizeof(a->severity));
	r |= col_str(st, i++, a->group, sizeof(a->group));
	r |= col_str(st, i++, a->code, sizeof(a->code));
	r |= col_str(st, i++, a->description, sizeof(a->description));
	r |= col_opt(st, i, &a->time);
	return r;
}

/*
 * The readings of one cycle rebuilt from its rows.
 */

struct readings_stmts {
	sqlite3_stmt	*reports;
	sqlite3_stmt	*meters;
	sqlite3_stmt	*supplies;
	sqlite3_stmt	*alerts;
	sqlite3_stmt	*jobdata;	/* NULL: a database before schema 6 */
};

static void
readings_stmts_free(struct readings_stmts *rs)
{
	sqlite3_finalize(rs->reports);
	sqlite3_finalize(rs->meters);
	sqlite3_finalize(rs->supplies);
	sqlite3_finalize(rs->alerts);
	sqlite3_finalize(rs->jobdata);
	memset(rs, 0, sizeof(*rs));
}

static int
readings_stmts_prepare(sqlite3 *db, struct readings_stmts *rs)
{
	memset(rs, 0, sizeof(*rs));
	if (sqlite3_prepare_v2(db, "SELECT id, " READINGS_DEVICE_COLS
	    " FROM reports WHERE cycle_id = ? ORDER BY ordinal", -1,
	    &rs->reports, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT " READINGS_METER_COLS
	    " FROM meters WHERE report_id = ? ORDER BY ordinal", -1,
	    &rs->meters, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT " READINGS_SUPPLY_COLS
	    " FROM supplies WHERE report_id = ? ORDER BY ordinal", -1,
	    &rs->supplies, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT " READINGS_ALERT_COLS
	    " FROM alerts WHERE report_id = ? ORDER BY ordinal", -1,
	    &rs->alerts, NULL) != SQLITE_OK) {
		readings_stmts_free(rs);
		return -1;
	}
	/* the table of schema 6: a database read before its migration
	 * has none, and no job data */
	if (sqlite3_prepare_v2(db, "SELECT plain, sealed FROM jobdata WHERE "
	    "report_id = ?", -1, &rs->jobdata, NULL) != SQLITE_OK)
		rs->jobdata = NULL;
	return 0;
}

static int	row_refused(sqlite3_stmt *);

/* a report's job data, if any: 0, 1 changed, -1 database error */
static int
readings_jobdata(struct readings_hash *rh, sqlite3_stmt *st, int64_t report)
{
	struct rpt_jobdata	 j;
	int			 rc, r = 0;

	if (st == NULL)
		return 0;
	sqlite3_reset(st);
	if (sqlite3_bind_int64(st, 1, report) != SQLITE_OK)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&j, 0, sizeof(j));
		if (sqlite3_column_type(st, 0) != SQLITE_TEXT ||
		    sqlite3_column_type(st, 1) != SQLITE_BLOB)
			r = 1;
		else {
			j.plain = sqlite3_column_text(st, 0);
			j.plainlen = (size_t)sqlite3_column_bytes(st, 0);
			j.sealed = sqlite3_column_blob(st, 1);
			j.sealedlen = (size_t)sqlite3_column_bytes(st, 1);
			if (j.plain == NULL || j.sealed == NULL)
				r = row_refused(st);
			else
				readings_hash_jobdata(rh, &j);
		}
	} else if (rc != SQLITE_DONE)
		r = -1;
	sqlite3_reset(st);
	return r;
}

/*
 * A row a reader refused: changed (1), unless reading it ran out of
 * memory (-1, a database error).
 */
static int
row_refused(sqlite3_stmt *st)
{
	return sqlite3_errcode(sqlite3_db_handle(st)) == SQLITE_NOMEM ?
	    -1 : 1;
}

/*
 * Hash every row of one table for one report: 0, 1 when a row holds what
 * no report can (see readings_digest()), -1 on a database error.
 */
static int
readings_rows(struct readings_hash *rh, sqlite3_stmt *st, int64_t report,
    int type)
{
	struct rpt_meter	 m;
	struct rpt_supply	 s;
	struct rpt_alert	 a;
	int			 rc, r;

	sqlite3_reset(st);
	if (sqlite3_bind_int64(st, 1, report) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		switch (type) {
		case TXLOG_RH_METER:
			if ((r = readings_column_meter(st, 0, &m)) == 0)
				readings_hash_meter(rh, &m);
			break;
		case TXLOG_RH_SUPPLY:
			if ((r = readings_column_supply(st, 0, &s)) == 0)
				readings_hash_supply(rh, &s);
			break;
		default:
			if ((r = readings_column_alert(st, 0, &a)) == 0)
				readings_hash_alert(rh, &a);
			break;
		}
		if (r == -1) {
			r = row_refused(st);
			sqlite3_reset(st);
			return r;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* the digest of one cycle's rows; returns as readings_digest() */
static int
readings_cycle(struct readings_stmts *rs, int64_t cycle,
    uint8_t out[TXLOG_HASH_LEN])
{
	struct readings_hash	 rh;
	struct rpt_device	*d;
	int64_t			 report;
	int			 rc, r, ret = -1;

	if ((d = malloc(sizeof(*d))) == NULL)
		return -1;
	readings_hash_init(&rh);
	sqlite3_reset(rs->reports);
	if (sqlite3_bind_int64(rs->reports, 1, cycle) != SQLITE_OK)
		goto done;
	while ((rc = sqlite3_step(rs->reports)) == SQLITE_ROW) {
		report = sqlite3_column_int64(rs->reports, 0);
		if (readings_column_device(rs->reports, 1, d) == -1)
			r = row_refused(rs->reports);
		else {
			readings_hash_device(&rh, d);
			if ((r = readings_rows(&rh, rs->meters, report,
			    TXLOG_RH_METER)) == 0 &&
			    (r = readings_rows(&rh, rs->supplies, report,
			    TXLOG_RH_SUPPLY)) == 0 &&
			    (r = readings_rows(&rh, rs->alerts, report,
			    TXLOG_RH_ALERT)) == 0)
				r = readings_jobdata(&rh, rs->jobdata, report);
		}
		if (r != 0) {
			ret = r;
			goto done;
		}
		readings_hash_end(&rh);
	}
	if (rc != SQLITE_DONE)
		goto done;
	readings_hash_final(&rh, out);
	ret = 0;
 done:
	sqlite3_reset(rs->reports);
	readings_hash_free(&rh);
	free(d);
	return ret;
}

int
readings_digest(sqlite3 *db, int64_t cycle, uint8_t out[TXLOG_HASH_LEN])
{
	struct readings_stmts	 rs;
	int			 r;

	if (readings_stmts_prepare(db, &rs) == -1)
		return -1;
	r = readings_cycle(&rs, cycle, out);
	readings_stmts_free(&rs);
	return r;
}

/*
 * The collect record: summary and detail.
 */

/*
 * detail keys after "cycle", in the order of the cycles columns below
 * (token, 0, and requests, 13, are u64)
 */
static const char *const detail_keys[] = {
	"token", "reason", "started", "finished", "planned", "ndevices",
	"n_ok", "n_partial", "n_timeout", "n_refused", "n_not_printer",
	"n_error", "probed", "requests", "readings_sha256",
};
#define NDETAIL	(sizeof(detail_keys) / sizeof(detail_keys[0]))
#define NV1_OUTCOMES	6	/* n_ok .. n_error: the outcomes of version 1 */
/*
 * Keys of schema 4, after txseq: in every detail written since, absent
 * from older ones (whose cycle rows have them NULL)
 */
static const char *const ext_keys[] = {
	"n_auth_failure", "answered", "printers", "skipped", "duplicates",
};
#define NEXT	(sizeof(ext_keys) / sizeof(ext_keys[0]))
#define EXT_COL	(NDETAIL + 1)
static const char cycle_cols_sql[] =
	"SELECT token, reason, started, finished, planned, ndevices, n_ok, "
	"n_partial, n_timeout, n_refused, n_not_printer, n_error, probed, "
	"requests, readings_sha256, txseq, n_auth_failure, answered, "
	"printers, skipped, duplicates FROM cycles WHERE id = ?";
/* the discover record's keys and their columns in cycle_cols_sql */
static const struct {
	const char	*key;
	int		 col;
} disc_keys[] = {
	{ "probed", 12 }, { "answered", EXT_COL + 1 },
	{ "printers", EXT_COL + 2 }, { "skipped", EXT_COL + 3 },
	{ "duplicates", EXT_COL + 4 },
};
#define NDISC	(sizeof(disc_keys) / sizeof(disc_keys[0]))

char *
txlog_collect_detail(int64_t id, const struct rpt_cycle *c, uint32_t planned,
    const uint8_t digest[TXLOG_HASH_LEN])
{
	struct json_mem	 m;
	struct json	*j = &m.j;
	char		 hex[TXLOG_HEX_LEN];
	int		 i;

	digest_hex(digest, hex);
	json_mem_begin(&m);
	json_kv_int(j, "cycle", id);
	json_kv_uint(j, "token", c->token);
	json_kv_string(j, "reason", c->reason);
	json_kv_int(j, "started", c->started);
	json_kv_int(j, "finished", c->finished);
	json_kv_uint(j, "planned", planned);
	json_kv_uint(j, "ndevices", c->ndevices);
	for (i = 0; i < NV1_OUTCOMES; i++)
		json_kv_uint(j, detail_keys[6 + i], c->count[i]);
	json_kv_uint(j, "probed", c->probed);
	json_kv_uint(j, "requests", c->requests);
	json_kv_uint(j, "n_auth_failure", c->count[DEV_AUTH_FAILURE]);
	json_kv_uint(j, "answered", c->answered);
	json_kv_uint(j, "printers", c->printers);
	json_kv_uint(j, "skipped", c->skipped);
	json_kv_uint(j, "duplicates", c->duplicates);
	json_kv_string(j, "readings_sha256", hex);
	return json_mem_end(&m);
}

char *
txlog_discover_detail(int64_t id, const struct rpt_cycle *c)
{
	struct json_mem	 m;
	struct json	*j = &m.j;

	json_mem_begin(&m);
	json_kv_int(j, "cycle", id);
	json_kv_uint(j, "probed", c->probed);
	json_kv_uint(j, "answered", c->answered);
	json_kv_uint(j, "printers", c->printers);
	json_kv_uint(j, "skipped", c->skipped);
	json_kv_uint(j, "duplicates", c->duplicates);
	return json_mem_end(&m);
}

void
txlog_discover_summary(char *buf, size_t len, int64_t id,
    const struct rpt_cycle *c)
{
	(void)snprintf(buf, len, "discovery in cycle %" PRId64 ": %u "
	    "addresses probed, %u answered, %u printer%s found, %u "
	    "non-printer%s skipped, %u printer%s seen at another address",
	    id, c->probed, c->answered, c->printers, c->printers == 1 ? "" :
	    "s", c->skipped, c->skipped == 1 ? "" : "s", c->duplicates,
	    c->duplicates == 1 ? "" : "s");
}

/*
 * Reading back a detail: a flat JSON object whose values are strings,
 * numbers or literals.  Only what verification needs; strict otherwise.
 */

struct jval {
	int	 string;	/* 1: a string, decoded; 0: a literal */
	char	 text[2048];
};

static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static int
put_utf8(char *dst, size_t *o, size_t max, uint32_t cp)
{
	uint8_t	 b[4];
	size_t	 n, i;

	if (cp < 0x80)
		b[0] = (uint8_t)cp, n = 1;
	else if (cp < 0x800)
		b[0] = (uint8_t)(0xc0 | cp >> 6),
		b[1] = (uint8_t)(0x80 | (cp & 0x3f)), n = 2;
	else if (cp < 0x10000)
		b[0] = (uint8_t)(0xe0 | cp >> 12),
		b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)),
		b[2] = (uint8_t)(0x80 | (cp & 0x3f)), n = 3;
	else
		b[0] = (uint8_t)(0xf0 | cp >> 18),
		b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f)),
		b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)),
		b[3] = (uint8_t)(0x80 | (cp & 0x3f)), n = 4;
	if (*o + n >= max)
		return -1;
	for (i = 0; i < n; i++)
		dst[(*o)++] = (char)b[i];
	return 0;
}

static int
hex4(const char *p, uint32_t *v)
{
	int	 i, d;

	*v = 0;
	for (i = 0; i < 4; i++) {
		d = p[i];
		if (d >= 'A' && d <= 'F')
			d = d - 'A' + 'a';
		if ((d = unhex_digit(d)) == -1)
			return -1;
		*v = *v << 4 | (uint32_t)d;
	}
	return 0;
}

/* a JSON string at p (at its quote); returns the position after it */
static const char *
parse_string(const char *p, char *dst, size_t max)
{
	size_t		 o = 0;
	uint32_t	 cp, lo;
	char		 c;

	if (*p++ != '"')
		return NULL;
	for (;;) {
		c = *p++;
		if (c == '\0' || (unsigned char)c < 0x20)
			return NULL;
		if (c == '"')
			break;
		if (c != '\\') {
			if (o + 1 >= max)
				return NULL;
			dst[o++] = c;
			continue;
		}
		switch ((c = *p++)) {
		case '"': case '\\': case '/':
			break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			if (hex4(p, &cp) == -1)
				return NULL;
			p += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return NULL;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (p[0] != '\\' || p[1] != 'u' ||
				    hex4(p + 2, &lo) == -1 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return NULL;
				p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			if (cp == 0 || put_utf8(dst, &o, max, cp) == -1)
				return NULL;
			continue;
		default:
			return NULL;
		}
		if (o + 1 >= max)
			return NULL;
		dst[o++] = c;
	}
	dst[o] = '\0';
	return p;
}

/* find key in the flat object json; 0 when found */
static int
detail_get(const char *json, const char *key, struct jval *v)
{
	const char	*p;
	char		 k[128];
	size_t		 n;
	int		 found;

	p = skip_ws(json);
	if (*p++ != '{')
		return -1;
	p = skip_ws(p);
	if (*p == '}')
		return -1;
	for (;;) {
		if ((p = parse_string(p, k, sizeof(k))) == NULL)
			return -1;
		p = skip_ws(p);
		if (*p++ != ':')
			return -1;
		p = skip_ws(p);
		found = strcmp(k, key) == 0;
		if (*p == '"') {
			v->string = 1;
			if ((p = parse_string(p, v->text,
			    sizeof(v->text))) == NULL)
				return -1;
		} else {
			n = strcspn(p, ", \t\r\n}");
			if (n == 0 || n >= sizeof(v->text) ||
			    strspn(p, "-0123456789.eE+truefalsn") < n)
				return -1;
			v->string = 0;
			memcpy(v->text, p, n);
			v->text[n] = '\0';
			p += n;
		}
		if (found)
			return 0;
		p = skip_ws(p);
		if (*p == '}')
			return -1;
		if (*p++ != ',')
			return -1;
		p = skip_ws(p);
	}
}

/*
 * Verification.
 */

struct verify {
	sqlite3			*db;
	int			 records;	/* more than the chain */
	struct readings_stmts	 rs;
	sqlite3_stmt		*cycle;
	sqlite3_stmt		*outbox;	/* on the first document */
	int64_t			*bad;
	char			*why;
	size_t			 whylen;
	int64_t			 ncollect;	/* cycles checked */
	int64_t			 ndocument;	/* documents checked */
	int64_t			 ndelivered;	/* deliveries checked */
	/* the cycles retention records name, sorted: their readings and
	 * their delivered documents' bytes may be gone */
	int64_t			*pruned;
	size_t			 npruned;
};

/*
 * The outbox's records: "document" when a cycle's upload document is
 * stored, "prune" when its bytes are dropped unsent, "upload" for every
 * attempt.
 */

static int
broken(struct verify *v, int64_t seq, const char *fmt, ...)
	__attribute__((__format__(printf, 3, 4)));

static int
broken(struct verify *v, int64_t seq, const char *fmt, ...)
{
	va_list	 ap;

	*v->bad = seq;
	va_start(ap, fmt);
	(void)vsnprintf(v->why, v->whylen, fmt, ap);
	va_end(ap);
	return -1;
}

/* column i of the cycle row (cycle_cols_sql) as the detail has it */
static int
cycle_field_matches(sqlite3_stmt *st, int i, const struct jval *jv)
{
	char	 want[32];

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		/* token and requests: u64 stored as their bit pattern */
		if (i == 0 || i == 13)
			(void)snprintf(want, sizeof(want), "%" PRIu64,
			    (uint64_t)sqlite3_column_int64(st, i));
		else
			(void)snprintf(want, sizeof(want), "%" PRId64,
			    (int64_t)sqlite3_column_int64(st, i));
		return !jv->string && strcmp(jv->text, want) == 0;
	case SQLITE_TEXT:
		return jv->string && col_text_is(st, i, jv->text);
	default:
		return 0;
	}
}

/*
 * The cycles named by a "prune" record of reason "retention", read
 * before the walk: a collect record comes before the record that pruned
 * its readings.  Only their chain makes them count: the walk checks each
 * of them too, and stops at the first broken one.
 */
static int
retention_load(struct verify *v)
{
	sqlite3_stmt	*st;
	struct jval	 jv;
	const char	*detail;
	char		*end;
	int64_t		 id, *np;
	size_t		 cap = 0, i;
	int		 rc;

	if (sqlite3_prepare_v2(v->db, "SELECT detail FROM txlog WHERE kind = "
	    "'prune' ORDER BY seq", -1, &st, NULL) != SQLITE_OK)
		return -2;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((detail = col_text(st, 0)) == NULL ||
		    detail_get(detail, "reason", &jv) == -1 || !jv.string ||
		    strcmp(jv.text, "retention") != 0 ||
		    detail_get(detail, "cycle", &jv) == -1 || jv.string)
			continue;
		id = strtoll(jv.text, &end, 10);
		if (*end != '\0' || id <= 0)
			continue;
		if (v->npruned == cap) {
			cap = cap == 0 ? 64 : 2 * cap;
			if ((np = reallocarray(v->pruned, cap,
			    sizeof(*np))) == NULL) {
				sqlite3_finalize(st);
				return -2;
			}
			v->pruned = np;
		}
		/* in order of id, almost always: insertion from the end */
		for (i = v->npruned; i > 0 && v->pruned[i - 1] > id; i--)
			v->pruned[i] = v->pruned[i - 1];
		v->pruned[i] = id;
		v->npruned++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -2;
}

/* did retention prune this cycle? */
static int
retention_pruned(const struct verify *v, int64_t cycle)
{
	size_t	 lo = 0, hi = v->npruned, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v->pruned[mid] == cycle)
			return 1;
		if (v->pruned[mid] < cycle)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* a collect record against its cycle row and the readings rows */
static int
verify_collect(struct verify *v, int64_t seq, const char *detail)
{
	struct jval	 jv;
	uint8_t		 h[TXLOG_HASH_LEN];
	char		 hex[TXLOG_HEX_LEN], *end;
	int64_t		 id;
	size_t		 i;
	int		 rc, r, digest_changed = 0;

	if (detail_get(detail, "cycle", &jv) == -1 || jv.string)
		return broken(v, seq, "record %" PRId64 ": collect record "
		    "names no cycle", seq);
	id = strtoll(jv.text, &end, 10);
	if (*end != '\0' || id <= 0)
		return broken(v, seq, "record %" PRId64 ": collect record "
		    "names no cycle", seq);

	sqlite3_reset(v->cycle);
	sqlite3_bind_int64(v->cycle, 1, id);
	if ((rc = sqlite3_step(v->cycle)) != SQLITE_ROW) {
		sqlite3_reset(v->cycle);
		if (rc != SQLITE_DONE)
			return -2;
		return broken(v, seq, "record %" PRId64 " (cycle %" PRId64
		    "): cycle missing", seq, id);
	}
	if (sqlite3_column_type(v->cycle, NDETAIL) != SQLITE_INTEGER ||
	    sqlite3_column_int64(v->cycle, NDETAIL) != seq) {
		sqlite3_reset(v->cycle);
		return broken(v, seq, "record %" PRId64 " (cycle %" PRId64
		    "): cycle row changed (txseq)", seq, id);
	}
	for (i = 0; i < NDETAIL; i++) {
		if (detail_get(detail, detail_keys[i], &jv) == -1) {
			sqlite3_reset(v->cycle);
			return broken(v, seq, "record %" PRId64 " (cycle %"
			    PRId64 "): detail lacks %s", seq, id,
			    detail_keys[i]);
		}
		if (cycle_field_matches(v->cycle, (int)i, &jv))
			continue;
		if (i == NDETAIL - 1) {
			/* the digest: decided below, with the readings */
			digest_changed = 1;
			continue;
		}
		sqlite3_reset(v->cycle);
		return broken(v, seq, "record %" PRId64 " (cycle %" PRId64
		    "): cycle row changed (%s)", seq, id, detail_keys[i]);
	}
	for (i = 0; i < NEXT; i++) {
		if (detail_get(detail, ext_keys[i], &jv) == -1 ?
		    sqlite3_column_type(v->cycle, (int)(EXT_COL + i)) ==
		    SQLITE_NULL :
		    cycle_field_matches(v->cycle, (int)(EXT_COL + i), &jv))
			continue;
		sqlite3_reset(v->cycle);
		return broken(v, seq, "record %" PRId64 " (cycle %" PRId64
		    "): cycle row changed (%s)", seq, id, ext_keys[i]);
	}
	sqlite3_reset(v->cycle);

	/* the readings themselves, against the sealed digest */
	if (detail_get(detail, "readings_sha256", &jv) == -1 || !jv.string)
		return broken(v, seq, "record %" PRId64 " (cycle %" PRId64
		    "): detail lacks readings_sha256", seq, id);
	if (retention_pruned(v, id)) {
		/* gone by retention (all of them, or some so far) */
		if (digest_changed)
			return broken(v, seq, "record %" PRId64 " (cycle %"
			    PRId64 "): cycle row changed (readings_sha256)",
			    seq, id);
		v->ncollect++;
		return 0;
	}
	if ((r = readings_cycle(&v->rs, id, h)) == -1)
		return -2;
	if (r == 0) {
		digest_hex(h, hex);
		if (strcmp(hex, jv.text) != 0)
			r = 1;
	}
	if (r != 0)
		return broken(v, seq, "record %" PRId64 " (cycle %" PRId64
		    "): readings changed", seq, id);
	if (digest_changed)
		return broken(v, seq, "record %" PRId64 " (cycle %" PRId64
		    "): cycle row changed (readings_sha256)", seq, id);
	v->ncollect++;
	return 0;
}

/* an integer of a detail, 0 when there */
static int
detail_int(const char *detail, const char *key, int64_t *v)
{
	struct jval	 jv;
	char		*end;

	if (detail_get(detail, key, &jv) == -1 || jv.string)
		return -1;
	*v = strtoll(jv.text, &end, 10);
	return *end == '\0' && end != jv.text ? 0 : -1;
}

/*
 * The outbox row a document, prune or upload record names: the row must
 * be there with the hash the record gives.  Returns 1 with the row in
 * v->outbox (reset it after), 0 (broken) or -2.
 */
static int
outbox_row(struct verify *v, int64_t seq, const char *kind,
    const char *detail, int64_t *id, struct jval *sha)
{
	int64_t	 cycle;
	int	 rc;

	if (detail_int(detail, "outbox", id) == -1 ||
	    detail_int(detail, "cycle", &cycle) == -1)
		return broken(v, seq, "record %" PRId64 ": %s record names "
		    "no document", seq, kind), 0;
	if (v->outbox == NULL && sqlite3_prepare_v2(v->db, "SELECT cycle_id, "
	    "sha256, size, document, state, receipt_sha256 FROM outbox "
	    "WHERE id = ?", -1, &v->outbox, NULL) != SQLITE_OK)
		return broken(v, seq, "record %" PRId64 " (cycle %" PRId64
		    "): the outbox is missing", seq, cycle), 0;
	sqlite3_reset(v->outbox);
	sqlite3_bind_int64(v->outbox, 1, *id);
	if ((rc = sqlite3_step(v->outbox)) != SQLITE_ROW) {
		sqlite3_reset(v->outbox);
		if (rc != SQLITE_DONE)
			return -2;
		return broken(v, seq, "record %" PRId64 " (cycle %" PRId64
		    "): its document is missing from the outbox", seq,
		    cycle), 0;
	}
	if (!col_int_is(v->outbox, 0, cycle) ||
	    detail_get(detail, strcmp(kind, TXLOG_UPLOAD) == 0 ?
	    "document_sha256" : "sha256", sha) == -1 || !sha->string ||
	    !col_text_is(v->outbox, 1, sha->text)) {
		sqlite3_reset(v->outbox);
		return broken(v, seq, "record %" PRId64 " (cycle %" PRId64
		    "): outbox row changed (sha256)", seq, cycle), 0;
	}
	return 1;
}

/*
 * A document record: its outbox row has the same hash and size, and its
 * bytes, unless pruned, still hash to it (so the customer reads exactly
 * what was, or will be, sent).
 */
static int
verify_document(struct verify *v, int64_t seq, const char *detail)
{
	struct jval	 sha;
	EVP_MD_CTX	*ctx;
	uint8_t		 h[TXLOG_HASH_LEN];
	char		 hex[TXLOG_HEX_LEN];
	const void	*doc;
	int64_t		 id, size;
	int		 r, n;

	if ((r = outbox_row(v, seq, TXLOG_DOCUMENT, detail, &id, &sha)) != 1)
		return r == 0 ? -1 : r;
	if (detail_int(detail, "size", &size) == -1 ||
	    !col_int_is(v->outbox, 2, size)) {
		sqlite3_reset(v->outbox);
		return broken(v, seq, "record %" PRId64 " (document %" PRId64
		    "): outbox row changed (size)", seq, id);
	}
	if (sqlite3_column_type(v->outbox, 3) != SQLITE_NULL) {
		doc = sqlite3_column_blob(v->outbox, 3);
		n = sqlite3_column_bytes(v->outbox, 3);
		ctx = md_new();
		if (n > 0)
			md_update(ctx, doc, (size_t)n);
		md_final(ctx, h);
		digest_hex(h, hex);
		if (n != size || strcmp(hex, sha.text) != 0) {
			sqlite3_reset(v->outbox);
			return broken(v, seq, "record %" PRId64 " (document %"
			    PRId64 "): the document's bytes changed", seq,
			    id);
		}
	} else if (!col_text_is(v->outbox, 4, "pruned") &&
	    !(col_text_is(v->outbox, 4, "delivered") &&
	    retention_pruned(v, sqlite3_column_int64(v->outbox, 0)))) {
		/* only unsent (pruned), or delivered and past retention */
		sqlite3_reset(v->outbox);
		return broken(v, seq, "record %" PRId64 " (document %" PRId64
		    "): the document's bytes are missing", seq, id);
	}
	sqlite3_reset(v->outbox);
	v->ndocument++;
	return 0;
}

/* a prune record: the document it names is pruned */
static int
verify_prune(struct verify *v, int64_t seq, const char *detail)
{
	struct jval	 sha;
	int64_t		 id;
	int		 r;

	/* other prunings (old readings) name no document */
	if (detail_int(detail, "outbox", &id) == -1)
		return 0;
	if ((r = outbox_row(v, seq, TXLOG_PRUNE, detail, &id, &sha)) != 1)
		return r == 0 ? -1 : r;
	r = col_text_is(v->outbox, 4, "pruned");
	sqlite3_reset(v->outbox);
	if (!r)
		return broken(v, seq, "record %" PRId64 " (document %" PRId64
		    "): outbox row changed (state)", seq, id);
	return 0;
}

/* an upload record that says delivered: the document is, by its receipt */
static int
verify_upload(struct verify *v, int64_t seq, const char *detail)
{
	struct jval	 jv, sha;
	int64_t		 id;
	int		 r;

	if (detail_get(detail, "result", &jv) == -1 || !jv.string ||
	    strcmp(jv.text, "delivered") != 0)
		return 0;		/* a failed attempt changes nothing */
	if ((r = outbox_row(v, seq, TXLOG_UPLOAD, detail, &id, &sha)) != 1)
		return r == 0 ? -1 : r;
	r = col_text_is(v->outbox, 4, "delivered") &&
	    detail_get(detail, "receipt_sha256", &jv) == 0 && jv.string &&
	    col_text_is(v->outbox, 5, jv.text);
	sqlite3_reset(v->outbox);
	if (!r)
		return broken(v, seq, "record %" PRId64 " (document %" PRId64
		    "): outbox row changed (delivery)", seq, id);
	v->ndelivered++;
	return 0;
}

/*
 * Every document was logged when it was stored, and every document
 * marked delivered was logged with its receipt.
 */
static int
verify_outbox(struct verify *v)
{
	sqlite3_stmt	*st;
	int64_t		 ndoc, ndel;
	int		 rc, ret;

	if (sqlite3_prepare_v2(v->db, "SELECT count(*) FROM sqlite_schema "
	    "WHERE type = 'table' AND name = 'outbox'", -1, &st,
	    NULL) != SQLITE_OK)
		return -2;
	rc = sqlite3_step(st);
	ndoc = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	if (ndoc == -1)
		return -2;
	if (ndoc == 0)
		return 0;	/* a database from before the outbox */
	if (sqlite3_prepare_v2(v->db, "SELECT count(*), coalesce(sum(state = "
	    "'delivered'), 0) FROM outbox", -1, &st, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return -2;
	}
	ndoc = sqlite3_column_int64(st, 0);
	ndel = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	ret = 0;
	if (ndoc != v->ndocument)
		ret = broken(v, 0, "%" PRId64 " documents in the outbox, but "
		    "%" PRId64 " document records", ndoc, v->ndocument);
	else if (ndel != v->ndelivered)
		ret = broken(v, 0, "%" PRId64 " documents marked delivered, "
		    "but %" PRId64 " deliveries in the log", ndel,
		    v->ndelivered);
	return ret;
}

/* every cycle must have been sealed by a record of the chain */
static int
verify_cycles(struct verify *v)
{
	sqlite3_stmt	*st;
	int64_t		 n, id, txseq;
	int		 rc, ret = 0;

	if (sqlite3_prepare_v2(v->db, "SELECT count(*) FROM cycles", -1,
	    &st, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return -2;
	}
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (n == v->ncollect)
		return 0;
	if (sqlite3_prepare_v2(v->db, "SELECT c.id, c.txseq FROM cycles c "
	    "LEFT JOIN txlog t ON t.seq = c.txseq AND t.kind = 'collect' "
	    "WHERE t.seq IS NULL ORDER BY c.id LIMIT 1", -1, &st,
	    NULL) != SQLITE_OK)
		return -2;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		txseq = sqlite3_column_int64(st, 1);
		if (sqlite3_column_type(st, 1) == SQLITE_NULL || txseq <= 0)
			ret = broken(v, 0, "cycle %" PRId64 ": not in the "
			    "transaction log", id);
		else
			ret = broken(v, txseq, "record %" PRId64 " (cycle %"
			    PRId64 "): missing", txseq, id);
	} else if (rc == SQLITE_DONE)
		ret = broken(v, 0, "%" PRId64 " cycles, but %" PRId64
		    " collect records", n, v->ncollect);
	else
		ret = -2;
	sqlite3_finalize(st);
	return ret;
}

/*
 * Every incident (auditd's schema 6) against the "incident" record that
 * made it: its number, kind, origin, device, problem, whether a contact
 * was given and how many supplies; and as many such records as rows, so
 * that a row removed or added is found.
 */
static int
verify_incidents(struct verify *v)
{
	sqlite3_stmt	*st;
	int64_t		 id, txseq, nrows, nrec;
	int		 rc, ret = 0;

	if (sqlite3_prepare_v2(v->db, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'table' AND name = 'incidents'", -1, &st, NULL) !=
	    SQLITE_OK)
		return -2;
	rc = sqlite3_step(st);
	id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return -2;
	if (id == 0)
		return 0;	/* a database before schema 6 */
	if (sqlite3_prepare_v2(v->db, "SELECT i.id, i.txseq FROM incidents i "
	    "LEFT JOIN txlog t ON t.seq = i.txseq AND t.kind = 'incident' "
	    "WHERE t.seq IS NULL OR json_valid(t.detail) = 0 OR "
	    "json_extract(t.detail, '$.incident') IS NOT i.id OR "
	    "json_extract(t.detail, '$.kind') IS NOT i.kind OR "
	    "json_extract(t.detail, '$.origin') IS NOT i.origin OR "
	    "json_extract(t.detail, '$.device') IS NOT i.device_id OR "
	    "(i.kind = 'service' AND (json_extract(t.detail, '$.problem') IS "
	    "NOT i.problem OR json_extract(t.detail, '$.contact') IS NOT "
	    "(i.contact_name IS NOT NULL))) OR (i.kind = 'supply' AND "
	    "(SELECT count(*) FROM incident_supplies s WHERE s.incident_id = "
	    "i.id) != length(json_extract(t.detail, '$.supplies')) - "
	    "length(replace(json_extract(t.detail, '$.supplies'), ' ', '')) + "
	    "1) ORDER BY i.id LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return -2;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		txseq = sqlite3_column_int64(st, 1);
		ret = broken(v, txseq, "incident %" PRId64 ": its row does not "
		    "match record %" PRId64, id, txseq);
	} else if (rc != SQLITE_DONE)
		ret = -2;
	sqlite3_finalize(st);
	if (ret != 0)
		return ret;
	if (sqlite3_prepare_v2(v->db, "SELECT (SELECT count(*) FROM "
	    "incidents), (SELECT count(*) FROM txlog WHERE kind = 'incident' "
	    "AND json_valid(detail) AND json_extract(detail, '$.origin') IS "
	    "NOT NULL)", -1, &st, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return -2;
	}
	nrows = sqlite3_column_int64(st, 0);
	nrec = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	if (nrows != nrec)
		return broken(v, 0, "%" PRId64 " incidents, but %" PRId64
		    " records that made one", nrows, nrec);
	return 0;
}

/* a discover record against its cycle row */
static int
verify_discover(struct verify *v, int64_t seq, const char *detail)
{
	struct jval	 jv;
	int64_t		 id;
	size_t		 i;
	int		 rc;

	if (detail_int(detail, "cycle", &id) == -1 || id <= 0)
		return broken(v, seq, "record %" PRId64 ": discover record "
		    "names no cycle", seq);
	sqlite3_reset(v->cycle);
	sqlite3_bind_int64(v->cycle, 1, id);
	if ((rc = sqlite3_step(v->cycle)) != SQLITE_ROW) {
		sqlite3_reset(v->cycle);
		if (rc != SQLITE_DONE)
			return -2;
		return broken(v, seq, "record %" PRId64 " (cycle %" PRId64
		    "): cycle missing", seq, id);
	}
	for (i = 0; i < NDISC; i++) {
		if (detail_get(detail, disc_keys[i].key, &jv) == 0 &&
		    cycle_field_matches(v->cycle, disc_keys[i].col, &jv))
			continue;
		sqlite3_reset(v->cycle);
		return broken(v, seq, "record %" PRId64 " (cycle %" PRId64
		    "): cycle row changed (%s)", seq, id, disc_keys[i].key);
	}
	sqlite3_reset(v->cycle);
	return 0;
}

/* what a record of a known kind says, against the tables */
static int
verify_record(struct verify *v, int64_t seq, const char *kind,
    const char *detail)
{
	if (strcmp(kind, TXLOG_COLLECT) == 0)
		return verify_collect(v, seq, detail);
	if (strcmp(kind, TXLOG_DISCOVER) == 0)
		return verify_discover(v, seq, detail);
	if (strcmp(kind, TXLOG_DOCUMENT) == 0)
		return verify_document(v, seq, detail);
	if (strcmp(kind, TXLOG_PRUNE) == 0)
		return verify_prune(v, seq, detail);
	if (strcmp(kind, TXLOG_UPLOAD) == 0)
		return verify_upload(v, seq, detail);
	return 0;
}

/*
 * The chain, record by record: sequence numbers, prev_hash, hash.  With
 * v->records, each record is also checked by verify_record() as soon as
 * its hash is found right, so that the first broken record is the one
 * named, whatever broke it.
 */
static int
verify_chain(struct verify *v, int64_t *nrec)
{
	sqlite3_stmt	*st;
	const char	*kind, *summary, *detail;
	uint8_t		 prev[TXLOG_HASH_LEN], h[TXLOG_HASH_LEN];
	uint8_t		 stored[TXLOG_HASH_LEN];
	int64_t		 expect = 1, seq, t;
	int		 rc, r = 0;

	memset(prev, 0, sizeof(prev));
	if (sqlite3_prepare_v2(v->db, "SELECT seq, time, kind, summary, "
	    "detail, prev_hash, hash FROM txlog ORDER BY seq", -1, &st,
	    NULL) != SQLITE_OK)
		return -2;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		if (seq != expect) {
			if (seq < expect)
				r = broken(v, seq, "record %" PRId64 ": bad "
				    "sequence number", seq);
			else if (expect == 1)
				r = broken(v, 1, "record 1: missing (the log "
				    "starts at record %" PRId64 ")", seq);
			else
				r = broken(v, expect, "record %" PRId64
				    ": missing (the log goes from record %"
				    PRId64 " to %" PRId64 ")", expect,
				    expect - 1, seq);
			break;
		}
		if (txlog_unhex(col_text(st, 5), stored) == -1 ||
		    memcmp(stored, prev, sizeof(prev)) != 0) {
			if (seq == 1)
				r = broken(v, seq, "record 1: prev_hash is not "
				    "the start of a chain");
			else
				r = broken(v, seq, "record %" PRId64 ": "
				    "prev_hash does not match record %" PRId64
				    " (a record was changed, removed or "
				    "reordered)", seq, seq - 1);
			break;
		}
		if (sqlite3_column_type(st, 1) != SQLITE_INTEGER ||
		    sqlite3_column_type(st, 2) == SQLITE_NULL ||
		    sqlite3_column_type(st, 3) == SQLITE_NULL ||
		    sqlite3_column_type(st, 4) == SQLITE_NULL) {
			r = broken(v, seq, "record %" PRId64 ": hash mismatch "
			    "(a field is missing)", seq);
			break;
		}
		t = sqlite3_column_int64(st, 1);
		/* a BLOB or a text with a NUL inside was not hashed */
		kind = col_text(st, 2);
		summary = col_text(st, 3);
		detail = col_text(st, 4);
		if (kind == NULL || summary == NULL || detail == NULL) {
			r = broken(v, seq, "record %" PRId64 ": hash mismatch "
			    "(the record was changed)", seq);
			break;
		}
		txlog_hash(prev, seq, t, kind, summary, detail, h);
		if (txlog_unhex(col_text(st, 6), stored) == -1 ||
		    memcmp(stored, h, sizeof(h)) != 0) {
			r = broken(v, seq, "record %" PRId64 ": hash mismatch "
			    "(the record was changed)", seq);
			break;
		}
		memcpy(prev, h, sizeof(prev));
		if (v->records && (r = verify_record(v, seq, kind,
		    detail)) != 0)
			break;
		expect++;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = -2;
	sqlite3_finalize(st);
	*nrec = expect - 1;
	return r;
}

/* in one read snapshot: the daemon may be appending meanwhile */
static int
verify_run(struct verify *v, sqlite3 *db, int64_t *nrec, int64_t *bad_seq,
    char *why, size_t whylen)
{
	int	 r, own;

	v->db = db;
	v->bad = bad_seq;
	v->why = why;
	v->whylen = whylen;
	*bad_seq = 0;
	*nrec = 0;
	if (whylen > 0)
		why[0] = '\0';
	if ((own = sqlite3_get_autocommit(db)) &&
	    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		(void)snprintf(why, whylen, "reading the database: %s",
		    sqlite3_errmsg(db));
		return -2;
	}
	if (v->records && (readings_stmts_prepare(db, &v->rs) == -1 ||
	    sqlite3_prepare_v2(db, cycle_cols_sql, -1, &v->cycle,
	    NULL) != SQLITE_OK || retention_load(v) != 0))
		r = -2;
	else if ((r = verify_chain(v, nrec)) == 0 && v->records &&
	    (r = verify_cycles(v)) == 0 && (r = verify_outbox(v)) == 0)
		r = verify_incidents(v);
	if (r == -2)
		(void)snprintf(why, whylen, "reading the database: %s",
		    sqlite3_errmsg(db));
	readings_stmts_free(&v->rs);
	sqlite3_finalize(v->cycle);
	sqlite3_finalize(v->outbox);
	free(v->pruned);
	if (own)
		(void)sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return r;
}

int
txlog_verify_chain(sqlite3 *db, int64_t *nrec, int64_t *bad_seq, char *why,
    size_t whylen)
{
	struct verify	 v;

	memset(&v, 0, sizeof(v));
	return verify_run(&v, db, nrec, bad_seq, why, whylen);
}

int
txlog_verify(sqlite3 *db, int64_t *nrec, int64_t *bad_seq, char *why,
    size_t whylen)
{
	struct verify	 v;

	memset(&v, 0, sizeof(v));
	v.records = 1;
	return verify_run(&v, db, nrec, bad_seq, why, whylen);
}
