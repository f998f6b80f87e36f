/*
 * auditd's cycle storage (auditd/store.c, auditd/db.c): the state machine
 * driven through its typed API and through raw message payloads, the rows
 * it leaves, lossless round trips, PII blanking, protocol errors, and the
 * insert speed.
 *
 * Environment:
 *	TEST_STORE_DB=path	also leave a database with a few varied
 *				cycles at path (for callhomectl tests)
 *	TEST_STORE_BENCH=n	store n devices x 25 rows in one cycle and
 *				print the time taken (default 500 devices)
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "../../auditd/db.h"
#include "../../auditd/store.h"
#include "buf.h"
#include "config.h"
#include "digest.h"
#include "log.h"
#include "chans.h"
#include "report.h"
#include "test.h"
#include "txlog.h"

/* ------------------------------------------------------------------ */
/* a database in a fresh temporary directory */

static char	tmpdir[64];
static char	dbpath[128];

static void
rm_db(const char *path)
{
	char	 p[256];

	(void)unlink(path);
	(void)snprintf(p, sizeof(p), "%s-wal", path);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", path);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-journal", path);
	(void)unlink(p);
}

static int
fresh_db(struct db *db)
{
	char	 err[256];

	if (tmpdir[0] == '\0') {
		(void)strlcpy(tmpdir, "/tmp/test_store.XXXXXX",
		    sizeof(tmpdir));
		if (mkdtemp(tmpdir) == NULL)
			return -1;
		(void)snprintf(dbpath, sizeof(dbpath), "%s/%s", tmpdir,
		    DB_FILE);
	}
	rm_db(dbpath);
	if (db_open(db, dbpath, err, sizeof(err)) == -1) {
		printf("# db_open: %s\n", err);
		return -1;
	}
	return 0;
}

static void
cleanup(void)
{
	if (tmpdir[0] == '\0')
		return;
	rm_db(dbpath);
	(void)rmdir(tmpdir);
}

static int64_t
q_int(struct db *db, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 v = -999;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return -998;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -997 :
		    sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static char q_buf[2048];

static const char *
q_text(struct db *db, const char *sql)
{
	sqlite3_stmt		*st;
	const unsigned char	*t;

	(void)strlcpy(q_buf, "(no row)", sizeof(q_buf));
	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return "(bad sql)";
	if (sqlite3_step(st) == SQLITE_ROW) {
		if ((t = sqlite3_column_text(st, 0)) == NULL)
			(void)strlcpy(q_buf, "(null)", sizeof(q_buf));
		else
			(void)strlcpy(q_buf, (const char *)t, sizeof(q_buf));
	}
	sqlite3_finalize(st);
	return q_buf;
}

/* ------------------------------------------------------------------ */
/* synthetic reports */

static void
fill_device(struct rpt_device *d, int i)
{
	memset(d, 0, sizeof(*d));
	(void)snprintf(d->address, sizeof(d->address), "10.%d.%d.%d:161",
	    (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
	d->outcome = DEV_OK;
	d->collected = 1700000000 + i;
	d->requests = 12;
	(void)strlcpy(d->sysdescr, "HP ETHERNET MULTI-ENVIRONMENT",
	    sizeof(d->sysdescr));
	(void)strlcpy(d->sysobjectid, "1.3.6.1.4.1.11.2.3.9.1",
	    sizeof(d->sysobjectid));
	d->enterprise = 11;
	(void)strlcpy(d->vendor, "HP", sizeof(d->vendor));
	(void)strlcpy(d->model, "HP LaserJet M607", sizeof(d->model));
	(void)strlcpy(d->model_source, "1.3.6.1.2.1.25.3.2.1.3.1",
	    sizeof(d->model_source));
	(void)snprintf(d->serial, sizeof(d->serial), "SN%06d", i);
	(void)strlcpy(d->serial_source, "1.3.6.1.2.1.43.5.1.1.17.1",
	    sizeof(d->serial_source));
	(void)strlcpy(d->firmware, "2409048_052604", sizeof(d->firmware));
	(void)strlcpy(d->firmware_source, "1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.6",
	    sizeof(d->firmware_source));
	(void)strlcpy(d->profile, "hp", sizeof(d->profile));
	d->uptime = 123456;
	d->device_status = 2;
	d->printer_status = 3;
	d->errors = 1 << 2;
}

static void
fill_meter(struct rpt_meter *m, int k)
{
	static const char *const names[] = { "total", "black", "color",
	    "copies", "prints", "duplex", "scans", "fax" };

	memset(m, 0, sizeof(*m));
	(void)strlcpy(m->name, names[k % 8], sizeof(m->name));
	(void)strlcpy(m->unit, "impressions", sizeof(m->unit));
	m->value = 100000 + k;
	(void)snprintf(m->source, sizeof(m->source),
	    "1.3.6.1.2.1.43.10.2.1.4.1.%d", k + 1);
}

static void
fill_supply(struct rpt_supply *s, int k)
{
	static const char *const colors[] = { "black", "cyan", "magenta",
	    "yellow" };

	memset(s, 0, sizeof(*s));
	(void)snprintf(s->index, sizeof(s->index), "1.%d", k + 1);
	(void)snprintf(s->description, sizeof(s->description),
	    "%s Cartridge HP 37A", colors[k % 4]);
	(void)strlcpy(s->class, "consumed", sizeof(s->class));
	(void)strlcpy(s->type, "toner", sizeof(s->type));
	(void)strlcpy(s->color, colors[k % 4], sizeof(s->color));
	(void)strlcpy(s->unit, "percent", sizeof(s->unit));
	s->max = 100;
	s->level = 40 + k;
	s->percent = report_percent(s->level, s->max);
}

static void
fill_alert(struct rpt_alert *a, int k)
{
	memset(a, 0, sizeof(*a));
	(void)snprintf(a->index, sizeof(a->index), "1.%d", k + 1);
	(void)strlcpy(a->severity, "warning", sizeof(a->severity));
	(void)strlcpy(a->group, "markerSupplies", sizeof(a->group));
	(void)strlcpy(a->code, "markerTonerAlmostEmpty", sizeof(a->code));
	(void)strlcpy(a->description, "Black cartridge low",
	    sizeof(a->description));
	a->time = 9999;
}

static void
fill_cycle(struct rpt_cycle *c, uint64_t token, uint32_t n)
{
	memset(c, 0, sizeof(*c));
	c->token = token;
	c->started = 1700000000;
	c->finished = 1700000060;
	(void)strlcpy(c->reason, "manual", sizeof(c->reason));
	c->ndevices = n;
	c->requests = 12ULL * n;
}

/*
 * A whole cycle of n devices with nm meters, ns supplies, na alerts each
 * through the typed API; 0 on success.
 */
static int
store_cycle(struct store *st, uint64_t token, int n, int nm, int ns, int na,
    struct rpt_cycle *stored)
{
	static struct rpt_device	 d;
	struct rpt_cycle		 c;
	struct rpt_meter		 m;
	struct rpt_supply		 s;
	struct rpt_alert		 a;
	int				 i, k;

	fill_cycle(&c, token, (uint32_t)n);
	if (store_cycle_begin(st, &c) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		fill_device(&d, i);
		if (store_device(st, &d) == -1)
			return -1;
		for (k = 0; k < nm; k++) {
			fill_meter(&m, k);
			if (store_meter(st, &m) == -1)
				return -1;
		}
		for (k = 0; k < ns; k++) {
			fill_supply(&s, k);
			if (store_supply(st, &s) == -1)
				return -1;
		}
		for (k = 0; k < na; k++) {
			fill_alert(&a, k);
			if (store_alert(st, &a) == -1)
				return -1;
		}
		if (store_device_end(st) == -1)
			return -1;
	}
	c.count[DEV_OK] = (uint32_t)n;
	return store_cycle_end(st, &c, stored);
}

static int
verify_ok(struct db *db, int64_t *nrec)
{
	int64_t	 bad;
	char	 why[256];
	int	 r;

	r = txlog_verify(db->h, nrec, &bad, why, sizeof(why));
	if (r != 0)
		printf("# verify: %s\n", why);
	return r;
}

/* ------------------------------------------------------------------ */

/*
 * auditd's dispatch of collectd's stream, as auditd.c does it: decode,
 * then the typed store function.  1 when a cycle was stored, 0 when more
 * is expected, -1 on a bad payload, a foreign type or a store error.
 */
static int
store_msg(struct store *st, uint32_t type, const void *p, size_t len,
    struct rpt_cycle *stored)
{
	static struct rpt_device	 d;
	struct rpt_cycle		 c;
	struct rpt_meter		 m;
	struct rpt_supply		 s;
	struct rpt_alert		 a;

	switch (type) {
	case IMSG_CYCLE_BEGIN:
		return msg_cycle_decode(p, len, &c) == -1 ? -1 :
		    store_cycle_begin(st, &c);
	case IMSG_DEV_BEGIN:
		return msg_device_decode(p, len, &d) == -1 ? -1 :
		    store_device(st, &d);
	case IMSG_DEV_METER:
		return msg_meter_decode(p, len, &m) == -1 ? -1 :
		    store_meter(st, &m);
	case IMSG_DEV_SUPPLY:
		return msg_supply_decode(p, len, &s) == -1 ? -1 :
		    store_supply(st, &s);
	case IMSG_DEV_ALERT:
		return msg_alert_decode(p, len, &a) == -1 ? -1 :
		    store_alert(st, &a);
	case IMSG_DEV_END:
		return msg_empty_decode(p, len) == -1 ? -1 :
		    store_device_end(st);
	case IMSG_CYCLE_END:
		if (msg_cycle_decode(p, len, &c) == -1 ||
		    store_cycle_end(st, &c, stored) == -1)
			return -1;
		return 1;
	}
	return -1;
}

TEST(schema_created)
{
	struct db	 db;
	char		 err[256];

	CHECK(fresh_db(&db) == 0);
	CHECK_EQ_INT(db_schema_version(&db), DB_VERSION);
	CHECK_STR(q_text(&db, "PRAGMA journal_mode"), "wal");
	CHECK_EQ_INT(q_int(&db, "PRAGMA foreign_keys"), 1);
	CHECK_EQ_INT(q_int(&db, "PRAGMA synchronous"), 2);	/* FULL */
	CHECK_EQ_INT(q_int(&db, "PRAGMA secure_delete"), 1);
	CHECK_EQ_INT(q_int(&db, "PRAGMA temp_store"), 2);	/* MEMORY */
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM sqlite_schema WHERE "
	    "type = 'table' AND name IN ('cycles', 'devices', 'reports', "
	    "'meters', 'supplies', 'alerts', 'txlog')"), 7);
	db_close(&db);

	/* opening again keeps it as it is */
	CHECK(db_open(&db, dbpath, err, sizeof(err)) == 0);
	CHECK_EQ_INT(db_schema_version(&db), DB_VERSION);
	/* a newer schema is refused */
	CHECK(db_exec(&db, "PRAGMA user_version = 99") == 0);
	db_close(&db);
	CHECK(db_open(&db, dbpath, err, sizeof(err)) == -1);
	CHECK(strstr(err, "newer") != NULL);
}

TEST(store_one_cycle)
{
	struct db		 db;
	struct store		*st;
	struct rpt_cycle	 c;
	int64_t			 nrec;

	CHECK(fresh_db(&db) == 0);
	CHECK((st = store_new(&db, CAT_DEFAULTS)) != NULL);
	CHECK(store_cycle(st, 42, 3, 4, 2, 1, &c) == 0);
	CHECK(!store_busy(st));
	CHECK_EQ_INT(c.id, 1);
	CHECK_EQ_INT(c.txseq, 1);
	CHECK_EQ_INT(c.token, 42);
	CHECK_EQ_INT(c.ndevices, 3);
	CHECK_EQ_INT(c.count[DEV_OK], 3);
	CHECK_STR(c.reason, "manual");

	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM cycles"), 1);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM reports"), 3);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM meters"), 12);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM supplies"), 6);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM alerts"), 3);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM devices"), 3);
	CHECK_EQ_INT(q_int(&db, "SELECT n_ok FROM cycles"), 3);
	CHECK_EQ_INT(q_int(&db, "SELECT planned FROM cycles"), 3);
	CHECK_EQ_INT(q_int(&db, "SELECT txseq FROM cycles"), 1);
	CHECK_EQ_INT(q_int(&db, "SELECT token FROM cycles"), 42);
	CHECK_STR(q_text(&db, "SELECT key FROM devices WHERE id = 2"),
	    "HP|SN000001");
	CHECK_STR(q_text(&db, "SELECT serial FROM reports WHERE "
	    "ordinal = 2"), "SN000002");
	CHECK_EQ_INT(q_int(&db, "SELECT value FROM meters m JOIN reports r "
	    "ON r.id = m.report_id WHERE r.ordinal = 1 AND m.ordinal = 3"),
	    100003);
	CHECK_STR(q_text(&db, "SELECT description FROM supplies WHERE "
	    "ordinal = 1 LIMIT 1"), "cyan Cartridge HP 37A");
	CHECK_STR(q_text(&db, "SELECT grp FROM alerts LIMIT 1"),
	    "markerSupplies");
	CHECK_EQ_INT(q_int(&db, "SELECT errors FROM reports LIMIT 1"), 4);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM devices d JOIN "
	    "reports r ON r.id = d.last_report"), 3);
	CHECK_STR(q_text(&db, "SELECT kind FROM txlog"), "collect");
	CHECK_STR(q_text(&db, "SELECT summary FROM txlog"),
	    "cycle 1 (manual): 3 devices: 3 ok");

	/* the same devices again: same device rows, new reports */
	CHECK(store_cycle(st, 43, 3, 1, 0, 0, &c) == 0);
	CHECK_EQ_INT(c.id, 2);
	CHECK_EQ_INT(c.txseq, 2);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM devices"), 3);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM reports"), 6);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM devices d JOIN "
	    "reports r ON r.id = d.last_report WHERE r.cycle_id = 2"), 3);

	CHECK(verify_ok(&db, &nrec) == 0);
	CHECK_EQ_INT(nrec, 2);
	store_free(st);
	db_close(&db);
}

/* the digest is over the payloads exactly as they arrive */
TEST(store_msg_digest)
{
	static struct rpt_device	 d;
	struct db			 db;
	struct store			*st;
	struct rpt_cycle		 c, stored;
	struct rpt_meter		 m;
	struct rpt_supply		 s;
	struct wbuf			 w, wh;
	EVP_MD_CTX			*ctx;
	uint8_t				 h[32], frame[8];
	char				 hex[TXLOG_HEX_LEN];
	unsigned int			 hl;
	uint32_t			 type;
	int				 i, k, r;

	CHECK(fresh_db(&db) == 0);
	CHECK((st = store_new(&db, CAT_DEFAULTS)) != NULL);
	CHECK((ctx = EVP_MD_CTX_new()) != NULL);
	CHECK(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1);
	wbuf_init(&w);
	wbuf_init(&wh);

	fill_cycle(&c, 7, 2);
	msg_cycle_encode(&w, &c);
	CHECK(store_msg(st, IMSG_CYCLE_BEGIN, w.data, w.len, &stored) == 0);
	for (i = 0; i < 2; i++) {
		for (k = -1; k < 4; k++) {
			w.len = 0;
			if (k == -1) {
				fill_device(&d, i);
				d.outcome = i == 0 ? DEV_OK : DEV_TIMEOUT;
				/* the digest has the state auditd adds */
				d.state = i == 0 ? DEV_STATE_ANSWERING :
				    DEV_STATE_UNREACHABLE;
				d.state_since = d.collected;
				msg_device_encode(&wh, &d);
				d.state = DEV_STATE_NONE;
				d.state_since = 0;
				msg_device_encode(&w, &d);
				type = IMSG_DEV_BEGIN;
			} else if (k < 2) {
				fill_meter(&m, k);
				msg_meter_encode(&w, &m);
				type = IMSG_DEV_METER;
			} else if (k < 3) {
				fill_supply(&s, k);
				msg_supply_encode(&w, &s);
				type = IMSG_DEV_SUPPLY;
			} else
				type = IMSG_DEV_END;
			frame[0] = frame[1] = frame[2] = 0;
			frame[3] = (uint8_t)(type == IMSG_DEV_BEGIN ?
			    TXLOG_RH_DEVICE : type == IMSG_DEV_METER ?
			    TXLOG_RH_METER : type == IMSG_DEV_SUPPLY ?
			    TXLOG_RH_SUPPLY : TXLOG_RH_END);
			if (type != IMSG_DEV_BEGIN) {
				wh.len = 0;
				wbuf_bytes(&wh, w.data, w.len);
			}
			frame[4] = (uint8_t)(wh.len >> 24);
			frame[5] = (uint8_t)(wh.len >> 16);
			frame[6] = (uint8_t)(wh.len >> 8);
			frame[7] = (uint8_t)wh.len;
			CHECK(EVP_DigestUpdate(ctx, frame, 8) == 1);
			CHECK(EVP_DigestUpdate(ctx, wh.data, wh.len) == 1);
			wh.len = 0;
			r = store_msg(st, type, w.data, w.len,
			    &stored);
			if (r != 0)
				printf("# %s\n", store_error(st));
			CHECK_EQ_INT(r, 0);
		}
	}
	w.len = 0;
	c.count[DEV_OK] = 1;
	c.count[DEV_TIMEOUT] = 1;
	c.finished = 1700000099;
	c.probed = 5;
	msg_cycle_encode(&w, &c);
	CHECK_EQ_INT(store_msg(st, IMSG_CYCLE_END, w.data, w.len, &stored),
	    1);
	CHECK(EVP_DigestFinal_ex(ctx, h, &hl) == 1);
	digest_hex(h, hex);
	CHECK_STR(q_text(&db, "SELECT readings_sha256 FROM cycles"), hex);
	CHECK(strstr(q_text(&db, "SELECT detail FROM txlog"), hex) != NULL);
	CHECK_STR(q_text(&db, "SELECT summary FROM txlog"),
	    "cycle 1 (manual): 2 devices: 1 ok, 1 timeout");
	CHECK_EQ_INT(stored.id, 1);
	CHECK_EQ_INT(stored.txseq, 1);
	CHECK_EQ_INT(stored.finished, 1700000099);
	CHECK_EQ_INT(stored.probed, 5);
	CHECK_EQ_INT(q_int(&db, "SELECT probed FROM cycles"), 5);
	CHECK_EQ_INT(q_int(&db, "SELECT n_timeout FROM cycles"), 1);
	/* and the digest of the stored rows is the same */
	CHECK(readings_digest(db.h, 1, h) == 0);
	digest_hex(h, hex);
	CHECK_STR(q_text(&db, "SELECT readings_sha256 FROM cycles"), hex);

	EVP_MD_CTX_free(ctx);
	wbuf_free(&w);
	wbuf_free(&wh);
	store_free(st);
	db_close(&db);
}

/* every field survives, REPORT_NONE and unknown errors included */
TEST(round_trip)
{
	static struct rpt_device	 d, back;
	struct db			 db;
	struct store			*st;
	struct rpt_cycle		 c;
	struct rpt_meter		 m, mb;
	struct rpt_supply		 s, sb;
	struct rpt_alert		 a, ab;
	struct wbuf			 w1, w2;
	sqlite3_stmt			*q;
	int64_t				 nrec;

	CHECK(fresh_db(&db) == 0);
	CHECK((st = store_new(&db, CAT_BIT(CAT_PII))) != NULL);
	fill_device(&d, 5);
	d.enterprise = REPORT_NONE;
	d.uptime = REPORT_NONE;
	d.device_status = REPORT_NONE;
	d.printer_status = REPORT_NONE;
	d.errors = -1;
	d.outcome = DEV_PARTIAL;
	d.requests = UINT32_MAX;
	d.collected = INT64_MAX;
	(void)strlcpy(d.reason, "tail: \\x00 \xc3\xa9 'quote\" \\\\",
	    sizeof(d.reason));
	(void)strlcpy(d.sysname, "printer-7", sizeof(d.sysname));
	(void)strlcpy(d.syscontact, "ops@example.com", sizeof(d.syscontact));
	(void)strlcpy(d.syslocation, "Floor 3", sizeof(d.syslocation));
	d.serial[0] = '\0';
	fill_meter(&m, 0);
	m.value = REPORT_NONE;
	m.unit[0] = '\0';
	fill_supply(&s, 0);
	s.max = -2;
	s.level = -3;
	s.percent = REPORT_NONE;
	fill_alert(&a, 0);
	a.time = REPORT_NONE;
	a.index[0] = '\0';

	fill_cycle(&c, UINT64_MAX, 1);
	c.requests = UINT64_MAX;
	CHECK(store_cycle_begin(st, &c) == 0);
	CHECK(store_device(st, &d) == 0);
	CHECK(store_meter(st, &m) == 0);
	CHECK(store_supply(st, &s) == 0);
	CHECK(store_alert(st, &a) == 0);
	CHECK(store_device_end(st) == 0);
	c.count[DEV_PARTIAL] = 1;
	CHECK(store_cycle_end(st, &c, &c) == 0);

	/* NULL in the database */
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM reports WHERE "
	    "enterprise IS NULL AND uptime IS NULL AND device_status IS NULL "
	    "AND printer_status IS NULL AND errors IS NULL"), 1);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM meters WHERE "
	    "value IS NULL"), 1);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM supplies WHERE "
	    "max = -2 AND level = -3 AND percent IS NULL"), 1);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM alerts WHERE "
	    "time IS NULL"), 1);
	CHECK_STR(q_text(&db, "SELECT key FROM devices"),
	    "address|10.0.0.5:161");
	CHECK_EQ_INT(q_int(&db, "SELECT requests FROM cycles"), -1);
	CHECK_EQ_INT(q_int(&db, "SELECT token FROM cycles"), -1);

	/* and back: the same payloads, byte for byte */
	wbuf_init(&w1);
	wbuf_init(&w2);
	CHECK(sqlite3_prepare_v2(db.h, "SELECT " READINGS_DEVICE_COLS
	    " FROM reports", -1, &q, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(q) == SQLITE_ROW);
	readings_column_device(q, 0, &back);
	sqlite3_finalize(q);
	/* as stored: with the address's state (a first report: since then) */
	d.state = DEV_STATE_ANSWERING;
	d.state_since = d.collected;
	msg_device_encode(&w1, &d);
	msg_device_encode(&w2, &back);
	CHECK(w1.len == w2.len && memcmp(w1.data, w2.data, w1.len) == 0);
	CHECK_EQ_INT(back.state, DEV_STATE_ANSWERING);
	CHECK_EQ_INT(back.errors, -1);
	CHECK(back.enterprise == REPORT_NONE);
	CHECK_STR(back.syscontact, "ops@example.com");

	CHECK(sqlite3_prepare_v2(db.h, "SELECT " READINGS_METER_COLS
	    " FROM meters", -1, &q, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(q) == SQLITE_ROW);
	readings_column_meter(q, 0, &mb);
	sqlite3_finalize(q);
	w1.len = w2.len = 0;
	msg_meter_encode(&w1, &m);
	msg_meter_encode(&w2, &mb);
	CHECK(w1.len == w2.len && memcmp(w1.data, w2.data, w1.len) == 0);

	CHECK(sqlite3_prepare_v2(db.h, "SELECT " READINGS_SUPPLY_COLS
	    " FROM supplies", -1, &q, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(q) == SQLITE_ROW);
	readings_column_supply(q, 0, &sb);
	sqlite3_finalize(q);
	w1.len = w2.len = 0;
	msg_supply_encode(&w1, &s);
	msg_supply_encode(&w2, &sb);
	CHECK(w1.len == w2.len && memcmp(w1.data, w2.data, w1.len) == 0);

	CHECK(sqlite3_prepare_v2(db.h, "SELECT " READINGS_ALERT_COLS
	    " FROM alerts", -1, &q, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(q) == SQLITE_ROW);
	readings_column_alert(q, 0, &ab);
	sqlite3_finalize(q);
	w1.len = w2.len = 0;
	msg_alert_encode(&w1, &a);
	msg_alert_encode(&w2, &ab);
	CHECK(w1.len == w2.len && memcmp(w1.data, w2.data, w1.len) == 0);

	wbuf_free(&w1);
	wbuf_free(&w2);
	CHECK(verify_ok(&db, &nrec) == 0);
	CHECK_EQ_INT(nrec, 1);
	store_free(st);
	db_close(&db);
}

TEST(pii_blanked)
{
	static struct rpt_device	 d;
	struct db			 db;
	struct store			*st;
	struct rpt_cycle		 c;
	struct wbuf			 w;
	int64_t				 nrec;

	CHECK(fresh_db(&db) == 0);
	/* every category but PII */
	CHECK((st = store_new(&db, ~CAT_BIT(CAT_PII))) != NULL);
	fill_cycle(&c, 1, 1);
	CHECK(store_cycle_begin(st, &c) == 0);
	fill_device(&d, 1);
	(void)strlcpy(d.sysname, "printer-7", sizeof(d.sysname));
	(void)strlcpy(d.syscontact, "Jane Doe", sizeof(d.syscontact));
	(void)strlcpy(d.syslocation, "Room 101", sizeof(d.syslocation));
	CHECK(store_device(st, &d) == 0);
	/* the caller's report is left alone */
	CHECK_STR(d.syscontact, "Jane Doe");
	CHECK(store_device_end(st) == 0);
	/* through the imsg path as well */
	wbuf_init(&w);
	fill_device(&d, 2);
	(void)strlcpy(d.syslocation, "Room 102", sizeof(d.syslocation));
	msg_device_encode(&w, &d);
	CHECK(store_msg(st, IMSG_DEV_BEGIN, w.data, w.len, &c) == 0);
	wbuf_free(&w);
	CHECK(store_device_end(st) == 0);
	fill_cycle(&c, 1, 2);
	c.count[DEV_OK] = 2;
	CHECK(store_cycle_end(st, &c, &c) == 0);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM reports WHERE "
	    "sysname = '' AND syscontact = '' AND syslocation = ''"), 2);
	/* the stored rows still verify: the digest is of what is stored */
	CHECK(verify_ok(&db, &nrec) == 0);

	/* with "send pii yes" they are kept */
	store_set_send(st, CAT_DEFAULTS | CAT_BIT(CAT_PII));
	fill_cycle(&c, 2, 1);
	CHECK(store_cycle_begin(st, &c) == 0);
	fill_device(&d, 1);
	(void)strlcpy(d.syscontact, "Jane Doe", sizeof(d.syscontact));
	CHECK(store_device(st, &d) == 0);
	CHECK(store_device_end(st) == 0);
	c.count[DEV_OK] = 1;
	CHECK(store_cycle_end(st, &c, &c) == 0);
	CHECK_STR(q_text(&db, "SELECT syscontact FROM reports WHERE "
	    "cycle_id = 2"), "Jane Doe");
	CHECK(verify_ok(&db, &nrec) == 0);
	CHECK_EQ_INT(nrec, 2);

	/* a reload in the middle of a cycle: the new mask waits for the next */
	fill_cycle(&c, 3, 2);
	CHECK(store_cycle_begin(st, &c) == 0);
	fill_device(&d, 1);
	(void)strlcpy(d.syscontact, "Jane Doe", sizeof(d.syscontact));
	CHECK(store_device(st, &d) == 0);
	CHECK(store_device_end(st) == 0);
	store_set_send(st, ~CAT_BIT(CAT_PII));
	fill_device(&d, 2);
	(void)strlcpy(d.syscontact, "John Roe", sizeof(d.syscontact));
	CHECK(store_device(st, &d) == 0);
	CHECK(store_device_end(st) == 0);
	c.count[DEV_OK] = 2;
	CHECK(store_cycle_end(st, &c, &c) == 0);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM reports WHERE "
	    "cycle_id = 3 AND syscontact != ''"), 2);
	fill_cycle(&c, 4, 1);
	CHECK(store_cycle_begin(st, &c) == 0);
	fill_device(&d, 1);
	(void)strlcpy(d.syscontact, "Jane Doe", sizeof(d.syscontact));
	CHECK(store_device(st, &d) == 0);
	CHECK(store_device_end(st) == 0);
	c.count[DEV_OK] = 1;
	CHECK(store_cycle_end(st, &c, &c) == 0);
	CHECK_STR(q_text(&db, "SELECT syscontact FROM reports WHERE "
	    "cycle_id = 4"), "");
	CHECK(verify_ok(&db, &nrec) == 0);
	store_free(st);
	db_close(&db);
}

/* each bad stream: an error, and nothing of the cycle stays */
static int
bad_stream(int which, char *why, size_t whylen)
{
	static struct rpt_device	 d;
	struct db			 db;
	struct store			*st;
	struct rpt_cycle		 c;
	struct rpt_meter		 m;
	struct rpt_supply		 s;
	int				 r = 0, i, left;

	if (fresh_db(&db) == -1)
		return -2;
	if ((st = store_new(&db, CAT_DEFAULTS)) == NULL)
		return -2;
	fill_cycle(&c, 9, 1);
	fill_device(&d, 1);
	fill_meter(&m, 0);
	fill_supply(&s, 0);
	switch (which) {
	case 0:		/* DEV_BEGIN outside a cycle */
		r = store_device(st, &d);
		break;
	case 1:		/* nested cycles */
		if (store_cycle_begin(st, &c) == -1)
			return -2;
		r = store_cycle_begin(st, &c);
		break;
	case 2:		/* DEV_METER outside a device */
		if (store_cycle_begin(st, &c) == -1)
			return -2;
		r = store_meter(st, &m);
		break;
	case 3:		/* too many rows */
		if (store_cycle_begin(st, &c) == -1 ||
		    store_device(st, &d) == -1)
			return -2;
		for (i = 0; i <= REPORT_MAX_ROWS && r == 0; i++)
			r = store_meter(st, &m);
		if (i != REPORT_MAX_ROWS + 1)
			r = -3;
		break;
	case 4:		/* a meter after a supply */
		if (store_cycle_begin(st, &c) == -1 ||
		    store_device(st, &d) == -1 ||
		    store_supply(st, &s) == -1)
			return -2;
		r = store_meter(st, &m);
		break;
	case 5:		/* CYCLE_END inside a device */
		if (store_cycle_begin(st, &c) == -1 ||
		    store_device(st, &d) == -1)
			return -2;
		c.count[DEV_OK] = 1;
		r = store_cycle_end(st, &c, &c);
		break;
	case 6:		/* counts that disagree */
		if (store_cycle_begin(st, &c) == -1 ||
		    store_device(st, &d) == -1 ||
		    store_device_end(st) == -1)
			return -2;
		c.count[DEV_OK] = 1;
		c.count[DEV_TIMEOUT] = 1;
		r = store_cycle_end(st, &c, &c);
		break;
	case 7:		/* another cycle's end */
		if (store_cycle_begin(st, &c) == -1)
			return -2;
		c.token = 10;
		c.ndevices = 0;
		r = store_cycle_end(st, &c, &c);
		break;
	case 8:		/* DEV_END outside a device */
		if (store_cycle_begin(st, &c) == -1)
			return -2;
		r = store_device_end(st);
		break;
	}
	(void)strlcpy(why, store_error(st), whylen);
	store_free(st);
	left = (int)q_int(&db, "SELECT (SELECT count(*) FROM cycles) + "
	    "(SELECT count(*) FROM reports) + (SELECT count(*) FROM meters) + "
	    "(SELECT count(*) FROM txlog)");
	db_close(&db);
	if (r == -1 && left != 0)
		return -4;
	return r;
}

TEST(protocol_errors)
{
	static const char *const want[] = {
		"DEV_BEGIN outside a cycle",
		"CYCLE_BEGIN inside cycle 1",
		"DEV_METER outside a device report",
		"more than 1024 DEV_METER rows in one report",
		"DEV_METER after DEV_SUPPLY",
		"CYCLE_END inside a device report",
		"CYCLE_END counts 1 timeout, 0 were reported",
		"CYCLE_END for cycle token 10 in cycle token 9",
		"DEV_END outside a device report",
	};
	char	 why[512];
	size_t	 i;
	int	 r;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		r = bad_stream((int)i, why, sizeof(why));
		if (r != -1 || strcmp(why, want[i]) != 0)
			printf("# case %zu: %d \"%s\"\n", i, r, why);
		CHECK_EQ_INT(r, -1);
		CHECK_STR(why, want[i]);
	}
}

/* a failed cycle leaves the database as it was: the next one is 2 */
TEST(rollback_keeps_numbers)
{
	struct db		 db;
	struct store		*st;
	struct rpt_cycle	 c;
	struct rpt_meter	 m;
	int64_t			 nrec;

	CHECK(fresh_db(&db) == 0);
	CHECK((st = store_new(&db, CAT_DEFAULTS)) != NULL);
	CHECK(store_cycle(st, 1, 2, 1, 1, 1, &c) == 0);
	fill_cycle(&c, 2, 1);
	CHECK(store_cycle_begin(st, &c) == 0);
	fill_meter(&m, 0);
	CHECK(store_meter(st, &m) == -1);
	store_free(st);		/* as auditd dying: rolled back */
	CHECK((st = store_new(&db, CAT_DEFAULTS)) != NULL);
	CHECK(store_cycle(st, 3, 2, 1, 1, 1, &c) == 0);
	CHECK_EQ_INT(c.id, 2);
	CHECK_EQ_INT(c.txseq, 2);
	CHECK(verify_ok(&db, &nrec) == 0);
	CHECK_EQ_INT(nrec, 2);
	store_free(st);
	db_close(&db);
}

/* one device of a cycle with job data: 0, or -1 at the first refusal */
static int
jobdata_cycle(struct store *st, uint64_t token, const struct rpt_jobdata *j,
    int twice, int meter_after, struct rpt_cycle *stored)
{
	static struct rpt_device	 d;
	struct rpt_cycle		 c;
	struct rpt_meter		 m;

	fill_cycle(&c, token, 1);
	fill_device(&d, 3);
	fill_meter(&m, 0);
	if (store_cycle_begin(st, &c) == -1 || store_device(st, &d) == -1 ||
	    store_meter(st, &m) == -1 || store_jobdata(st, j) == -1 ||
	    (twice && store_jobdata(st, j) == -1) ||
	    (meter_after && store_meter(st, &m) == -1) ||
	    store_device_end(st) == -1)
		return -1;
	c.count[DEV_OK] = 1;
	return store_cycle_end(st, &c, stored);
}

/*
 * DEV_JOBDATA: after the rows, once; stored with the SHA-256 of the
 * sealed form, in the readings digest (a changed plaintext is found);
 * dropped when the cycle does not send job data.
 */
TEST(jobdata)
{
	struct db		 db;
	struct store		*st;
	struct rpt_cycle	 stored;
	struct rpt_jobdata	 j;
	uint8_t			 sealed[64 + 11];
	char			 hex[SHA256_HEX];
	int64_t			 nrec;

	memset(sealed, 0x5c, sizeof(sealed));
	memcpy(sealed, "CHJD\x01\x01\0\0", 8);
	j.plain = (const uint8_t *)"{\"jobs\":[]}";
	j.plainlen = 11;
	j.sealed = sealed;
	j.sealedlen = sizeof(sealed);
	CHECK(sha256_hex(sealed, sizeof(sealed), hex) == 0);

	CHECK(fresh_db(&db) == 0);
	CHECK((st = store_new(&db, CAT_DEFAULTS | CAT_BIT(CAT_JOB_DATA))) !=
	    NULL);
	CHECK(jobdata_cycle(st, 1, &j, 0, 0, &stored) == 0);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM jobdata"), 1);
	CHECK_STR(q_text(&db, "SELECT sealed_sha256 FROM jobdata"), hex);
	CHECK_STR(q_text(&db, "SELECT plain FROM jobdata"), "{\"jobs\":[]}");
	CHECK(verify_ok(&db, &nrec) == 0);
	/* the plaintext is sealed by the digest: a change is found */
	CHECK(db_exec(&db, "UPDATE jobdata SET plain = '{\"jobs\":[1]}'") ==
	    0);
	CHECK(verify_ok(&db, &nrec) != 0);
	CHECK(db_exec(&db, "UPDATE jobdata SET plain = '{\"jobs\":[]}'") ==
	    0);
	CHECK(verify_ok(&db, &nrec) == 0);
	/* twice, or a row after it: a protocol error */
	CHECK(jobdata_cycle(st, 2, &j, 1, 0, &stored) == -1);
	CHECK(strstr(store_error(st), "twice") != NULL);
	store_free(st);
	CHECK((st = store_new(&db, CAT_DEFAULTS | CAT_BIT(CAT_JOB_DATA))) !=
	    NULL);
	CHECK(jobdata_cycle(st, 3, &j, 0, 1, &stored) == -1);
	CHECK_STR(store_error(st), "DEV_METER after DEV_JOBDATA");
	store_free(st);
	/* job data not sent in this cycle: dropped, the cycle stored */
	CHECK((st = store_new(&db, CAT_DEFAULTS)) != NULL);
	CHECK(jobdata_cycle(st, 4, &j, 0, 0, &stored) == 0);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM cycles"), 2);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM jobdata"), 1);
	CHECK(verify_ok(&db, &nrec) == 0);
	store_free(st);
	db_close(&db);
}

/* after an error the store refuses everything, keeping its first reason */
TEST(failed_refuses)
{
	static struct rpt_device	 d;
	struct db			 db;
	struct store			*st;
	struct rpt_cycle		 c;
	struct rpt_meter		 m;
	char				 state[256];

	CHECK(fresh_db(&db) == 0);
	CHECK((st = store_new(&db, CAT_DEFAULTS)) != NULL);
	fill_cycle(&c, 5, 1);
	fill_device(&d, 1);
	fill_meter(&m, 0);
	CHECK(store_cycle_begin(st, &c) == 0);
	CHECK(store_device(st, &d) == 0);
	CHECK(store_device_end(st) == 0);
	CHECK(store_device_end(st) == -1);
	CHECK(!store_busy(st));
	CHECK(store_cycle_begin(st, &c) == -1);
	CHECK(store_device(st, &d) == -1);
	CHECK(store_meter(st, &m) == -1);
	CHECK(store_cycle_end(st, &c, &c) == -1);
	CHECK_STR(store_error(st), "DEV_END outside a device report");
	store_state(st, state, sizeof(state));
	CHECK_STR(state, "failed: DEV_END outside a device report");
	/* rolled back at the error, nothing written after it */
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM cycles"), 0);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM reports"), 0);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM devices"), 0);
	store_free(st);
	db_close(&db);
}

static double
tv_diff(const struct timeval *a, const struct timeval *b)
{
	return (double)(a->tv_sec - b->tv_sec) +
	    (double)(a->tv_usec - b->tv_usec) / 1e6;
}

static double
wall_seconds(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * n devices with 25 rows each (10 meters, 10 supplies, 5 alerts), built
 * beforehand so that only storing is measured
 */
TEST(insert_speed)
{
	static struct rpt_device	 d;
	static struct rpt_meter		 m[10];
	static struct rpt_supply	 s[10];
	static struct rpt_alert		 a[5];
	struct db			 db;
	struct store			*st;
	struct rpt_cycle		 c;
	struct rusage			 r0, r1, r2;
	const char			*env;
	double				 w0, w1, w2;
	int64_t				 nrec;
	int				 n = 500, i, k;

	if ((env = getenv("TEST_STORE_BENCH")) != NULL && atoi(env) > 0)
		n = atoi(env);
	for (k = 0; k < 10; k++) {
		fill_meter(&m[k], k);
		fill_supply(&s[k], k);
	}
	for (k = 0; k < 5; k++)
		fill_alert(&a[k], k);
	fill_device(&d, 0);
	CHECK(fresh_db(&db) == 0);
	CHECK((st = store_new(&db, CAT_DEFAULTS)) != NULL);
	fill_cycle(&c, 1, (uint32_t)n);
	c.count[DEV_OK] = (uint32_t)n;

	w0 = wall_seconds();
	(void)getrusage(RUSAGE_SELF, &r0);
	CHECK(store_cycle_begin(st, &c) == 0);
	for (i = 0; i < n; i++) {
		(void)snprintf(d.address, sizeof(d.address),
		    "10.%d.%d.%d:161", (i >> 16) & 0xff, (i >> 8) & 0xff,
		    i & 0xff);
		(void)snprintf(d.serial, sizeof(d.serial), "SN%06d", i);
		CHECK(store_device(st, &d) == 0);
		for (k = 0; k < 10; k++)
			CHECK(store_meter(st, &m[k]) == 0);
		for (k = 0; k < 10; k++)
			CHECK(store_supply(st, &s[k]) == 0);
		for (k = 0; k < 5; k++)
			CHECK(store_alert(st, &a[k]) == 0);
		CHECK(store_device_end(st) == 0);
	}
	CHECK(store_cycle_end(st, &c, &c) == 0);
	w1 = wall_seconds();
	(void)getrusage(RUSAGE_SELF, &r1);

	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM meters"), 10 * n);
	CHECK(verify_ok(&db, &nrec) == 0);
	w2 = wall_seconds();
	(void)getrusage(RUSAGE_SELF, &r2);
	printf("# store %d devices x 25 rows: %.3f s wall, %.3f s user, "
	    "%.3f s system; verify: %.3f s wall, %.3f s user, %.3f s "
	    "system\n", n, w1 - w0, tv_diff(&r1.ru_utime, &r0.ru_utime),
	    tv_diff(&r1.ru_stime, &r0.ru_stime), w2 - w1,
	    tv_diff(&r2.ru_utime, &r1.ru_utime),
	    tv_diff(&r2.ru_stime, &r1.ru_stime));
	store_free(st);
	db_close(&db);
}

/* a small varied database for callhomectl, left at $TEST_STORE_DB */
static void
leave_db(const char *path)
{
	static struct rpt_device	 d;
	struct db			 db;
	struct store			*st;
	struct rpt_cycle		 c;
	struct rpt_meter		 m;
	struct rpt_supply		 s;
	struct rpt_alert		 a;
	char				 err[256];
	int				 cyc, i, k;

	rm_db(path);
	if (db_open(&db, path, err, sizeof(err)) == -1 ||
	    (st = store_new(&db, CAT_DEFAULTS)) == NULL) {
		printf("# %s: %s\n", path, err);
		return;
	}
	for (cyc = 0; cyc < 2; cyc++) {
		fill_cycle(&c, 100 + (uint64_t)cyc, 4);
		c.started += cyc * 86400;
		c.finished += cyc * 86400;
		if (store_cycle_begin(st, &c) == -1)
			goto bad;
		for (i = 0; i < 4; i++) {
			fill_device(&d, i == 3 ? 300 : 10 - i);
			d.collected += cyc * 86400;
			if (i == 1) {
				(void)strlcpy(d.model, "Quote \" back\\slash "
				    "tab\\x09 caf\xc3\xa9", sizeof(d.model));
				d.errors = 0;
			}
			if (i == 2) {
				d.outcome = DEV_TIMEOUT;
				(void)strlcpy(d.reason, "no answer after 3 "
				    "tries", sizeof(d.reason));
				d.serial[0] = d.vendor[0] = d.model[0] = '\0';
				d.sysdescr[0] = d.sysobjectid[0] = '\0';
				d.firmware[0] = d.profile[0] = '\0';
				d.model_source[0] = d.serial_source[0] = '\0';
				d.firmware_source[0] = '\0';
				d.enterprise = d.uptime = REPORT_NONE;
				d.device_status = d.printer_status =
				    REPORT_NONE;
				d.errors = -1;
				d.requests = 3;
			}
			if (i == 3)
				(void)strlcpy(d.address, "10.0.0.10:1161",
				    sizeof(d.address));
			c.count[d.outcome]++;
			if (store_device(st, &d) == -1)
				goto bad;
			for (k = 0; d.outcome == DEV_OK && k < 3; k++) {
				fill_meter(&m, k);
				m.value += cyc * 1000;
				if (k == 2)
					m.value = REPORT_NONE;
				if (store_meter(st, &m) == -1)
					goto bad;
			}
			for (k = 0; d.outcome == DEV_OK && k < 2; k++) {
				fill_supply(&s, k);
				if (k == 1) {
					s.level = -3;
					s.percent = REPORT_NONE;
				}
				if (store_supply(st, &s) == -1)
					goto bad;
			}
			if (d.outcome == DEV_OK && i == 0) {
				fill_alert(&a, 0);
				if (store_alert(st, &a) == -1)
					goto bad;
			}
			if (store_device_end(st) == -1)
				goto bad;
		}
		if (store_cycle_end(st, &c, &c) == -1)
			goto bad;
	}
	store_free(st);
	db_close(&db);
	printf("# left a database at %s\n", path);
	return;
 bad:
	printf("# leave_db: %s\n", store_error(st));
	store_free(st);
	db_close(&db);
}

TEST_MAIN_BEGIN("test_store")
	const char	*leave;

	log_init("test_store", LOG_TO_STDERR, 0);
	txlog_init();
	RUN(schema_created);
	RUN(store_one_cycle);
	RUN(store_msg_digest);
	RUN(round_trip);
	RUN(pii_blanked);
	RUN(protocol_errors);
	RUN(rollback_keeps_numbers);
	RUN(jobdata);
	RUN(failed_refuses);
	RUN(insert_speed);
	if ((leave = getenv("TEST_STORE_DB")) != NULL && *leave != '\0')
		leave_db(leave);
	cleanup();
TEST_MAIN_END
