/*
 * The hash-chained transaction log (common/txlog.c) and the JSON writer
 * (common/json.c): the chain's hash function against fixed vectors,
 * appending, verification of an intact log, and every kind of tampering
 * found and named at the right record.
 */
#include <sys/stat.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "../../auditd/db.h"
#include "../../auditd/store.h"
#include "config.h"
#include "digest.h"
#include "json.h"
#include "log.h"
#include "report.h"
#include "test.h"
#include "txlog.h"

static char	tmpdir[64];
static char	dbpath[128];

static void
rm_db(void)
{
	char	 p[256];

	(void)unlink(dbpath);
	(void)snprintf(p, sizeof(p), "%s-wal", dbpath);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", dbpath);
	(void)unlink(p);
}

static int
fresh_db(struct db *db)
{
	char	 err[256];

	if (tmpdir[0] == '\0') {
		(void)strlcpy(tmpdir, "/tmp/test_txlog.XXXXXX",
		    sizeof(tmpdir));
		if (mkdtemp(tmpdir) == NULL)
			return -1;
		(void)snprintf(dbpath, sizeof(dbpath), "%s/%s", tmpdir,
		    DB_FILE);
	}
	rm_db();
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
	rm_db();
	(void)rmdir(tmpdir);
}

/* ------------------------------------------------------------------ */
/* the chain */

static void
hex(const uint8_t *h, char *out)
{
	digest_hex(h, out);
}

/* SHA-256(32 zero bytes || "1:1,10:1700000000,7:collect,1:s,2:{},") */
TEST(hash_vectors)
{
	uint8_t	 zero[TXLOG_HASH_LEN], h1[TXLOG_HASH_LEN];
	uint8_t	 h2[TXLOG_HASH_LEN];
	char	 x[TXLOG_HEX_LEN];

	memset(zero, 0, sizeof(zero));
	txlog_hash(zero, 1, 1700000000, "collect", "s", "{}", h1);
	hex(h1, x);
	CHECK_STR(x, "ac8446fd250ee87a6b97b62bb56e0fd4"
	    "ddc70ea315f330603e07b53e4790402f");
	txlog_hash(h1, 2, 5, "config", "reloaded", "", h2);
	hex(h2, x);
	CHECK_STR(x, "7e976d3ff5e7be0c08e6bfaa8fad137e"
	    "7fd74fc641ff8d02c0db7c2ec048ac59");
}

TEST(append_and_verify)
{
	struct db	 db;
	sqlite3_stmt	*st;
	int64_t		 seq, nrec, bad;
	char		 why[256], x[TXLOG_HEX_LEN];
	uint8_t		 zero[TXLOG_HASH_LEN], h[TXLOG_HASH_LEN];

	CHECK(fresh_db(&db) == 0);
	/* an empty log is intact */
	CHECK_EQ_INT(txlog_verify(db.h, &nrec, &bad, why, sizeof(why)), 0);
	CHECK_EQ_INT(nrec, 0);

	CHECK(db_begin(&db) == 0);
	CHECK(txlog_append(db.h, 1700000000, "upload", "s", "{}", &seq) == 0);
	CHECK_EQ_INT(seq, 1);
	CHECK(txlog_append(db.h, 5, TXLOG_CONFIG, "reloaded", "", &seq) == 0);
	CHECK_EQ_INT(seq, 2);
	CHECK(db_commit(&db) == 0);

	/* stored as the vectors say, prev of the first all zero */
	memset(zero, 0, sizeof(zero));
	CHECK(sqlite3_prepare_v2(db.h, "SELECT prev_hash, hash FROM txlog "
	    "WHERE seq = 1", -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	hex(zero, x);
	CHECK_STR((const char *)sqlite3_column_text(st, 0), x);
	txlog_hash(zero, 1, 1700000000, "upload", "s", "{}", h);
	hex(h, x);
	CHECK_STR((const char *)sqlite3_column_text(st, 1), x);
	sqlite3_finalize(st);

	CHECK_EQ_INT(txlog_verify(db.h, &nrec, &bad, why, sizeof(why)), 0);
	CHECK_EQ_INT(nrec, 2);
	db_close(&db);
}

/* ------------------------------------------------------------------ */
/* tampering */

/* a string as long as its field holds: one byte more must not verify */
static void
fill_full(char *dst, size_t size, char c)
{
	memset(dst, c, size - 1);
	dst[size - 1] = '\0';
}

static void
fill_device(struct rpt_device *d, int i)
{
	memset(d, 0, sizeof(*d));
	(void)snprintf(d->address, sizeof(d->address), "192.0.2.%d:161", i);
	d->outcome = DEV_OK;
	d->collected = 1700000000 + i;
	d->requests = 9;
	(void)strlcpy(d->vendor, "Kyocera", sizeof(d->vendor));
	(void)strlcpy(d->model, "ECOSYS P3145dn", sizeof(d->model));
	(void)snprintf(d->serial, sizeof(d->serial), "KY%04d", i);
	fill_full(d->sysdescr, sizeof(d->sysdescr), 'd');
	d->enterprise = 1347;
	d->uptime = REPORT_NONE;
	d->device_status = 2;
	d->printer_status = 3;
	d->errors = 0;
}

/*
 * cycle c: 3 devices, each 3 meters (the last unreported), 2 supplies,
 * 1 alert; some strings fill their fields
 */
static int
add_cycle(struct store *st, int c)
{
	static struct rpt_device	 d;
	struct rpt_cycle		 cy;
	struct rpt_meter		 m;
	struct rpt_supply		 s;
	struct rpt_alert		 a;
	int				 i, k;

	memset(&cy, 0, sizeof(cy));
	cy.token = (uint64_t)c;
	cy.started = 1700000000 + c * 86400;
	cy.finished = cy.started + 30;
	(void)strlcpy(cy.reason, "schedule", sizeof(cy.reason));
	cy.ndevices = 3;
	if (store_cycle_begin(st, &cy) == -1)
		return -1;
	for (i = 0; i < 3; i++) {
		fill_device(&d, i);
		if (store_device(st, &d) == -1)
			return -1;
		for (k = 0; k < 3; k++) {
			memset(&m, 0, sizeof(m));
			(void)strlcpy(m.name, k == 0 ? "total" : k == 1 ?
			    "color" : "mono", sizeof(m.name));
			(void)strlcpy(m.unit, "impressions", sizeof(m.unit));
			m.value = k == 2 ? REPORT_NONE : 1000 * c + 10 * i + k;
			if (k == 1)
				fill_full(m.source, sizeof(m.source), '1');
			if (store_meter(st, &m) == -1)
				return -1;
		}
		for (k = 0; k < 2; k++) {
			memset(&s, 0, sizeof(s));
			(void)snprintf(s.index, sizeof(s.index), "1.%d", k + 1);
			(void)strlcpy(s.description, k ? "Waste Toner Box" :
			    "TK-3160", sizeof(s.description));
			s.max = 100;
			s.level = k ? -3 : 55;
			s.percent = k ? REPORT_NONE : 55;
			if (k == 0)
				fill_full(s.color, sizeof(s.color), 'c');
			if (store_supply(st, &s) == -1)
				return -1;
		}
		memset(&a, 0, sizeof(a));
		(void)strlcpy(a.code, "jam", sizeof(a.code));
		fill_full(a.description, sizeof(a.description), 'a');
		a.time = REPORT_NONE;
		if (store_alert(st, &a) == -1 || store_device_end(st) == -1)
			return -1;
	}
	cy.count[DEV_OK] = 3;
	return store_cycle_end(st, &cy, &cy);
}

static int
add_record(struct db *db, const char *kind, const char *summary)
{
	int64_t	 seq;

	if (db_begin(db) == -1 ||
	    txlog_append(db->h, 1700001234, kind, summary,
	    "{\"note\":\"x\"}", &seq) == -1 || db_commit(db) == -1)
		return -1;
	return 0;
}

/*
 * The log of every tampering case:
 *	1 collect (cycle 1), 2 config, 3 collect (cycle 2), 4 checkin,
 *	5 collect (cycle 3)
 */
static int
build(struct db *db)
{
	struct store	*st;
	int		 r = -1;

	if (fresh_db(db) == -1)
		return -1;
	if ((st = store_new(db, CAT_DEFAULTS)) == NULL)
		return -1;
	if (add_cycle(st, 1) == 0 &&
	    add_record(db, TXLOG_CONFIG, "configuration reloaded") == 0 &&
	    add_cycle(st, 2) == 0 &&
	    add_record(db, TXLOG_CHECKIN, "checked in") == 0 &&
	    add_cycle(st, 3) == 0)
		r = 0;
	else
		printf("# build: %s\n", store_error(st));
	store_free(st);
	return r;
}

/*
 * After build(): the upload document of cycle 3 in the outbox, delivered,
 * with its records: 6 document, 7 upload.
 */
static int
add_document(struct db *db)
{
	static const char	 doc[] = "<upload>cycle 3</upload>";
	uint8_t			 h[TXLOG_HASH_LEN];
	unsigned int		 hl;
	char			 x[TXLOG_HEX_LEN], sql[512], detail[512];
	int64_t			 seq;

	if (EVP_Digest(doc, strlen(doc), h, &hl, EVP_sha256(), NULL) != 1)
		return -1;
	digest_hex(h, x);
	(void)snprintf(sql, sizeof(sql), "INSERT INTO outbox (cycle_id, "
	    "created, sha256, size, document, state, receipt_sha256) VALUES "
	    "(3, 1700001300, '%s', %zu, CAST('%s' AS BLOB), 'delivered', "
	    "'%s')", x, strlen(doc), doc, x);
	if (db_begin(db) == -1 || db_exec(db, sql) == -1)
		return -1;
	(void)snprintf(detail, sizeof(detail), "{\"cycle\":3,\"outbox\":1,"
	    "\"size\":%zu,\"sha256\":\"%s\"}", strlen(doc), x);
	if (txlog_append(db->h, 1700001300, TXLOG_DOCUMENT, "document",
	    detail, &seq) == -1)
		return -1;
	(void)snprintf(detail, sizeof(detail), "{\"cycle\":3,\"outbox\":1,"
	    "\"result\":\"delivered\",\"document_sha256\":\"%s\","
	    "\"receipt_sha256\":\"%s\"}", x, x);
	if (txlog_append(db->h, 1700001400, TXLOG_UPLOAD, "delivered",
	    detail, &seq) == -1 || db_commit(db) == -1)
		return -1;
	return 0;
}

/*
 * apply sql to a fresh log (with add_document() when docs); verify; 0
 * when the result is as expected
 */
static int
tamper_log(int docs, const char *sql, int64_t want_bad,
    const char *want_why)
{
	struct db	 db;
	int64_t		 nrec, bad;
	char		 why[256];
	int		 r;

	if (build(&db) == -1)
		return -1;
	if (docs && add_document(&db) == -1) {
		printf("# add_document: %s\n", db_errmsg(&db));
		db_close(&db);
		return -1;
	}
	if (sql != NULL && db_exec(&db, sql) == -1) {
		printf("# %s: %s\n", sql, db_errmsg(&db));
		db_close(&db);
		return -1;
	}
	r = txlog_verify(db.h, &nrec, &bad, why, sizeof(why));
	db_close(&db);
	if (want_why == NULL) {
		if (r != 0 || nrec != (docs ? 7 : 5)) {
			printf("# intact log: %d, %" PRId64 " records: %s\n",
			    r, nrec, why);
			return -1;
		}
		return 0;
	}
	if (r != -1 || bad != want_bad || strcmp(why, want_why) != 0) {
		printf("# %s\n#   got %d, record %" PRId64 ": \"%s\"\n"
		    "#   want record %" PRId64 ": \"%s\"\n", sql, r, bad, why,
		    want_bad, want_why);
		return -1;
	}
	return 0;
}

static int
tamper(const char *sql, int64_t want_bad, const char *want_why)
{
	return tamper_log(0, sql, want_bad, want_why);
}

/* a list of cases, each tried and, when it fails, reported */
struct tamper_case {
	const char	*sql;
	int64_t		 bad;
	const char	*why;
};

static int
tamper_cases(int docs, const struct tamper_case *tc, size_t n)
{
	size_t	 i;
	int	 r = 0;

	for (i = 0; i < n; i++)
		if (tamper_log(docs, tc[i].sql, tc[i].bad, tc[i].why) == -1)
			r = -1;
	return r;
}
#define TAMPER_CASES(docs, tc)						\
	tamper_cases((docs), (tc), sizeof(tc) / sizeof((tc)[0]))

TEST(intact)
{
	CHECK(tamper(NULL, 0, NULL) == 0);
	CHECK(tamper_log(1, NULL, 0, NULL) == 0);
}

/* (a) a record's summary */
TEST(tamper_summary)
{
	CHECK(tamper("UPDATE txlog SET summary = 'nothing happened' "
	    "WHERE seq = 2", 2,
	    "record 2: hash mismatch (the record was changed)") == 0);
	CHECK(tamper("UPDATE txlog SET time = time + 1 WHERE seq = 4", 4,
	    "record 4: hash mismatch (the record was changed)") == 0);
	/* the chained digest itself */
	CHECK(tamper("UPDATE txlog SET detail = replace(detail, "
	    "'\"readings_sha256\":\"', '\"readings_sha256\":\"0') "
	    "WHERE seq = 3", 3,
	    "record 3: hash mismatch (the record was changed)") == 0);
}

/* (b) a meter value */
TEST(tamper_meter)
{
	CHECK(tamper("UPDATE meters SET value = value - 500 WHERE "
	    "report_id = (SELECT id FROM reports WHERE cycle_id = 2 AND "
	    "ordinal = 1) AND ordinal = 0", 3,
	    "record 3 (cycle 2): readings changed") == 0);
	/* NULL for a value, and an extra row */
	CHECK(tamper("UPDATE meters SET value = NULL WHERE report_id = 1 "
	    "AND ordinal = 1", 1, "record 1 (cycle 1): readings changed") ==
	    0);
	CHECK(tamper("INSERT INTO meters (report_id, ordinal, name, unit, "
	    "value, source) VALUES (9, 7, 'total', 'sheets', 1, '')", 5,
	    "record 5 (cycle 3): readings changed") == 0);
	/* two rows swapped */
	CHECK(tamper("UPDATE meters SET ordinal = -1 WHERE report_id = 4 "
	    "AND ordinal = 0; UPDATE meters SET ordinal = 0 WHERE "
	    "report_id = 4 AND ordinal = 1; UPDATE meters SET ordinal = 1 "
	    "WHERE report_id = 4 AND ordinal = -1", 3,
	    "record 3 (cycle 2): readings changed") == 0);
}

/* (c) a supply description */
TEST(tamper_supply)
{
	CHECK(tamper("UPDATE supplies SET description = 'Genuine' WHERE "
	    "report_id = (SELECT id FROM reports WHERE cycle_id = 3 AND "
	    "ordinal = 2) AND ordinal = 1", 5,
	    "record 5 (cycle 3): readings changed") == 0);
	CHECK(tamper("UPDATE supplies SET level = 56 WHERE report_id = 1 "
	    "AND ordinal = 0", 1, "record 1 (cycle 1): readings changed") ==
	    0);
	CHECK(tamper("DELETE FROM alerts WHERE report_id = 5", 3,
	    "record 3 (cycle 2): readings changed") == 0);
}

/* (d) a report's serial, and other report fields */
TEST(tamper_report)
{
	CHECK(tamper("UPDATE reports SET serial = 'KY9999' WHERE "
	    "cycle_id = 1 AND ordinal = 2", 1,
	    "record 1 (cycle 1): readings changed") == 0);
	CHECK(tamper("UPDATE reports SET errors = NULL WHERE id = 8", 5,
	    "record 5 (cycle 3): readings changed") == 0);
	CHECK(tamper("UPDATE reports SET cycle_id = 1, ordinal = 3 WHERE "
	    "id = 4", 1,
	    "record 1 (cycle 1): readings changed") == 0);
}

/* the cycle rows */
TEST(tamper_cycle)
{
	CHECK(tamper("UPDATE cycles SET n_ok = 2 WHERE id = 2", 3,
	    "record 3 (cycle 2): cycle row changed (n_ok)") == 0);
	CHECK(tamper("UPDATE cycles SET reason = 'manual' WHERE id = 3", 5,
	    "record 5 (cycle 3): cycle row changed (reason)") == 0);
	CHECK(tamper("UPDATE cycles SET readings_sha256 = (SELECT "
	    "readings_sha256 FROM cycles WHERE id = 1) WHERE id = 2", 3,
	    "record 3 (cycle 2): cycle row changed (readings_sha256)") == 0);
	CHECK(tamper("UPDATE cycles SET txseq = 4 WHERE id = 2", 3,
	    "record 3 (cycle 2): cycle row changed (txseq)") == 0);
	CHECK(tamper("PRAGMA foreign_keys = OFF; DELETE FROM cycles WHERE "
	    "id = 2", 3, "record 3 (cycle 2): cycle missing") == 0);
	/* a cycle no record seals */
	CHECK(tamper("INSERT INTO cycles (token, reason, started, planned) "
	    "VALUES (1, 'manual', 0, 0)", 0,
	    "cycle 4: not in the transaction log") == 0);
}

/* (e) a record deleted */
TEST(tamper_delete)
{
	CHECK(tamper("DELETE FROM txlog WHERE seq = 2", 2,
	    "record 2: missing (the log goes from record 1 to 3)") == 0);
	CHECK(tamper("DELETE FROM txlog WHERE seq = 1", 1,
	    "record 1: missing (the log starts at record 2)") == 0);
	/* the last: its cycle still names it */
	CHECK(tamper("DELETE FROM txlog WHERE seq = 5", 5,
	    "record 5 (cycle 3): missing") == 0);
}

/* (f) two records swapped */
TEST(tamper_swap)
{
	CHECK(tamper("UPDATE txlog SET seq = -2 WHERE seq = 2; "
	    "UPDATE txlog SET seq = 2 WHERE seq = 3; "
	    "UPDATE txlog SET seq = 3 WHERE seq = -2", 2,
	    "record 2: prev_hash does not match record 1 (a record was "
	    "changed, removed or reordered)") == 0);
	/* the contents swapped but the numbers kept */
	CHECK(tamper("CREATE TEMP TABLE t AS SELECT * FROM txlog WHERE "
	    "seq IN (3, 4); "
	    "UPDATE txlog SET kind = (SELECT kind FROM t WHERE seq = 4), "
	    "summary = (SELECT summary FROM t WHERE seq = 4), "
	    "detail = (SELECT detail FROM t WHERE seq = 4) WHERE seq = 3; "
	    "UPDATE txlog SET kind = (SELECT kind FROM t WHERE seq = 3), "
	    "summary = (SELECT summary FROM t WHERE seq = 3), "
	    "detail = (SELECT detail FROM t WHERE seq = 3) WHERE seq = 4", 3,
	    "record 3: hash mismatch (the record was changed)") == 0);
}

/* a forger who rehashes the rest of the chain still meets the rows */
TEST(tamper_rehash)
{
	struct db	 db;
	sqlite3_stmt	*st, *up;
	uint8_t		 prev[TXLOG_HASH_LEN], h[TXLOG_HASH_LEN];
	char		 x[TXLOG_HEX_LEN], why[256];
	int64_t		 nrec, bad;

	CHECK(build(&db) == 0);
	CHECK(db_exec(&db, "UPDATE meters SET value = 1 WHERE "
	    "report_id = 7") == 0);
	CHECK(db_exec(&db, "UPDATE txlog SET summary = 'forged' WHERE "
	    "seq = 5") == 0);
	/* recompute every hash after the change */
	memset(prev, 0, sizeof(prev));
	CHECK(sqlite3_prepare_v2(db.h, "SELECT seq, time, kind, summary, "
	    "detail FROM txlog ORDER BY seq", -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(db.h, "UPDATE txlog SET prev_hash = ?, "
	    "hash = ? WHERE seq = ?", -1, &up, NULL) == SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		txlog_hash(prev, sqlite3_column_int64(st, 0),
		    sqlite3_column_int64(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    (const char *)sqlite3_column_text(st, 3),
		    (const char *)sqlite3_column_text(st, 4), h);
		digest_hex(prev, x);
		sqlite3_bind_text(up, 1, x, -1, SQLITE_TRANSIENT);
		digest_hex(h, x);
		sqlite3_bind_text(up, 2, x, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(up, 3, sqlite3_column_int64(st, 0));
		CHECK(sqlite3_step(up) == SQLITE_DONE);
		sqlite3_reset(up);
		memcpy(prev, h, sizeof(prev));
	}
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	CHECK_EQ_INT(txlog_verify(db.h, &nrec, &bad, why, sizeof(why)), -1);
	CHECK_EQ_INT(bad, 5);
	CHECK_STR(why, "record 5 (cycle 3): readings changed");
	db_close(&db);
}

/*
 * Edits that a loose reading of the rows would take back to the values
 * that were sealed, and so to the same digest: each one must be found.
 */
#define R1	"record 1 (cycle 1): readings changed"
#define R3	"record 3 (cycle 2): readings changed"
#define R5	"record 5 (cycle 3): readings changed"
#define INT64_MIN_SQL	"(-9223372036854775807 - 1)"

/* a value of another type that reads as the stored one */
TEST(tamper_type)
{
	static const struct tamper_case	 tc[] = {
		{ "UPDATE reports SET serial = CAST(serial AS BLOB) "
		    "WHERE id = 2", 1, R1 },
		{ "UPDATE reports SET collected = collected + 0.5 "
		    "WHERE id = 5", 3, R3 },
		{ "UPDATE reports SET requests = requests || ' requests' "
		    "WHERE id = 9", 5, R5 },
		{ "UPDATE reports SET errors = 'none' WHERE id = 1", 1, R1 },
		{ "UPDATE reports SET enterprise = CAST(enterprise AS BLOB) "
		    "WHERE id = 4", 3, R3 },
		{ "UPDATE meters SET value = value || ' pages' "
		    "WHERE report_id = 7 AND ordinal = 0", 5, R5 },
		{ "UPDATE meters SET name = CAST(name AS BLOB) "
		    "WHERE report_id = 3 AND ordinal = 1", 1, R1 },
		{ "UPDATE supplies SET level = level + 0.9 "
		    "WHERE report_id = 1 AND ordinal = 0", 1, R1 },
		{ "UPDATE supplies SET idx = CAST(idx AS BLOB) "
		    "WHERE report_id = 6 AND ordinal = 1", 3, R3 },
		{ "UPDATE alerts SET code = CAST(code AS BLOB) "
		    "WHERE report_id = 5", 3, R3 },
	};

	CHECK(TAMPER_CASES(0, tc) == 0);
}

/* a value out of its field's range, or the "not reported" sentinel */
TEST(tamper_range)
{
	static const struct tamper_case	 tc[] = {
		{ "UPDATE reports SET outcome = outcome + 256 WHERE id = 3",
		    1, R1 },
		{ "UPDATE reports SET requests = requests + 4294967296 "
		    "WHERE id = 6", 3, R3 },
		{ "UPDATE reports SET errors = errors - 4294967296 "
		    "WHERE id = 7", 5, R5 },
		{ "UPDATE reports SET uptime = " INT64_MIN_SQL
		    " WHERE id = 8", 5, R5 },
		{ "UPDATE meters SET value = " INT64_MIN_SQL
		    " WHERE report_id = 9 AND ordinal = 2", 5, R5 },
		{ "UPDATE supplies SET percent = " INT64_MIN_SQL
		    " WHERE report_id = 2 AND ordinal = 1", 1, R1 },
		{ "UPDATE alerts SET time = " INT64_MIN_SQL
		    " WHERE report_id = 4", 3, R3 },
	};

	CHECK(TAMPER_CASES(0, tc) == 0);
}

/* one byte more than the field holds */
TEST(tamper_long)
{
	static const struct tamper_case	 tc[] = {
		{ "UPDATE reports SET sysdescr = sysdescr || 'x' "
		    "WHERE id = 1", 1, R1 },
		{ "UPDATE meters SET source = source || 'x' "
		    "WHERE report_id = 5 AND ordinal = 1", 3, R3 },
		{ "UPDATE supplies SET color = color || 'x' "
		    "WHERE report_id = 9 AND ordinal = 0", 5, R5 },
		{ "UPDATE alerts SET description = description || 'x' "
		    "WHERE report_id = 2", 1, R1 },
	};

	CHECK(TAMPER_CASES(0, tc) == 0);
}

/* a NUL inside the text, and what follows it */
TEST(tamper_nul)
{
	static const struct tamper_case	 tc[] = {
		{ "UPDATE reports SET serial = serial || char(0) || 'X' "
		    "WHERE id = 6", 3, R3 },
		{ "UPDATE meters SET unit = unit || char(0) "
		    "WHERE report_id = 1 AND ordinal = 0", 1, R1 },
		{ "UPDATE supplies SET description = description || char(0) "
		    "|| 'refill' WHERE report_id = 8 AND ordinal = 0", 5, R5 },
		{ "UPDATE alerts SET code = code || char(0) || 'x' "
		    "WHERE report_id = 3", 1, R1 },
	};

	CHECK(TAMPER_CASES(0, tc) == 0);
}

/* the same, in the cycle rows and in the records themselves */
TEST(tamper_exact)
{
	static const struct tamper_case	 tc[] = {
		{ "UPDATE cycles SET reason = reason || char(0) || 'x' "
		    "WHERE id = 2", 3,
		    "record 3 (cycle 2): cycle row changed (reason)" },
		{ "UPDATE cycles SET readings_sha256 = readings_sha256 || "
		    "char(0) WHERE id = 1", 1,
		    "record 1 (cycle 1): cycle row changed (readings_sha256)" },
		{ "UPDATE txlog SET summary = summary || char(0) || "
		    "' and more' WHERE seq = 2", 2,
		    "record 2: hash mismatch (the record was changed)" },
		{ "UPDATE txlog SET kind = CAST(kind AS BLOB) WHERE seq = 4",
		    4, "record 4: hash mismatch (the record was changed)" },
		{ "UPDATE txlog SET detail = CAST(detail AS BLOB) "
		    "WHERE seq = 3", 3,
		    "record 3: hash mismatch (the record was changed)" },
		{ "UPDATE txlog SET hash = hash || char(0) WHERE seq = 5", 5,
		    "record 5: hash mismatch (the record was changed)" },
		{ "UPDATE txlog SET prev_hash = CAST(prev_hash AS BLOB) "
		    "WHERE seq = 2", 2,
		    "record 2: prev_hash does not match record 1 (a record "
		    "was changed, removed or reordered)" },
	};

	CHECK(TAMPER_CASES(0, tc) == 0);
}

/* and in the outbox row of a document and its delivery */
TEST(tamper_outbox)
{
	static const struct tamper_case	 tc[] = {
		{ "UPDATE outbox SET sha256 = sha256 || char(0) || 'x'", 6,
		    "record 6 (cycle 3): outbox row changed (sha256)" },
		{ "UPDATE outbox SET sha256 = CAST(sha256 AS BLOB)", 6,
		    "record 6 (cycle 3): outbox row changed (sha256)" },
		{ "UPDATE outbox SET cycle_id = cycle_id || 'x'", 6,
		    "record 6 (cycle 3): outbox row changed (sha256)" },
		{ "UPDATE outbox SET size = size + 0.5", 6,
		    "record 6 (document 1): outbox row changed (size)" },
		{ "UPDATE outbox SET receipt_sha256 = receipt_sha256 || "
		    "char(0)", 7,
		    "record 7 (document 1): outbox row changed (delivery)" },
	};

	CHECK(TAMPER_CASES(1, tc) == 0);
}

/* appending after tampering: the daemon refuses a damaged last hash */
TEST(append_damaged)
{
	struct db	 db;
	int64_t		 seq;

	CHECK(build(&db) == 0);
	CHECK(db_exec(&db, "UPDATE txlog SET hash = 'zz' WHERE seq = 5") ==
	    0);
	CHECK(db_begin(&db) == 0);
	CHECK(txlog_append(db.h, 1, "config", "x", "{}", &seq) == -1);
	CHECK(db_rollback(&db) == 0);
	db_close(&db);
}

/* ------------------------------------------------------------------ */
/* the collect record */

TEST(collect_summary)
{
	struct rpt_cycle	 c;
	char			 buf[256];

	memset(&c, 0, sizeof(c));
	(void)strlcpy(c.reason, "manual", sizeof(c.reason));
	c.ndevices = 20;
	c.count[DEV_OK] = 18;
	c.count[DEV_TIMEOUT] = 1;
	c.count[DEV_NOT_PRINTER] = 1;
	rpt_cycle_summary(buf, sizeof(buf), 7, &c);
	CHECK_STR(buf, "cycle 7 (manual): 20 devices: 18 ok, 1 timeout, "
	    "1 not-a-printer");
	memset(c.count, 0, sizeof(c.count));
	c.ndevices = 1;
	c.count[DEV_REFUSED] = 1;
	rpt_cycle_summary(buf, sizeof(buf), 8, &c);
	CHECK_STR(buf, "cycle 8 (manual): 1 device: 1 refused");
	c.ndevices = 0;
	c.count[DEV_REFUSED] = 0;
	rpt_cycle_summary(buf, sizeof(buf), 9, &c);
	CHECK_STR(buf, "cycle 9 (manual): no devices");
	/* cut, never overrun */
	rpt_cycle_summary(buf, 10, 9, &c);
	CHECK_STR(buf, "cycle 9 (");
}

TEST(collect_detail)
{
	struct rpt_cycle	 c;
	uint8_t			 d[TXLOG_HASH_LEN];
	char			*s;

	memset(&c, 0, sizeof(c));
	memset(d, 0xab, sizeof(d));
	c.token = UINT64_MAX;
	(void)strlcpy(c.reason, "in\"struction", sizeof(c.reason));
	c.started = 10;
	c.finished = 20;
	c.ndevices = 2;
	c.count[DEV_OK] = 1;
	c.count[DEV_ERROR] = 1;
	c.probed = 3;
	c.requests = 44;
	s = txlog_collect_detail(5, &c, 4, d);
	CHECK(s != NULL);
	CHECK_STR(s, "{\"cycle\":5,\"token\":18446744073709551615,"
	    "\"reason\":\"in\\\"struction\",\"started\":10,\"finished\":20,"
	    "\"planned\":4,\"ndevices\":2,\"n_ok\":1,\"n_partial\":0,"
	    "\"n_timeout\":0,\"n_refused\":0,\"n_not_printer\":0,"
	    "\"n_error\":1,\"probed\":3,\"requests\":44,"
	    "\"n_auth_failure\":0,\"answered\":0,\"printers\":0,"
	    "\"skipped\":0,\"duplicates\":0,\"readings_sha256\":"
	    "\"abababababababababababababababab"
	    "abababababababababababababababab\"}");
	free(s);
}

/* ------------------------------------------------------------------ */
/* JSON */

static char	*jbuf;
static size_t	 jlen;

static FILE *
jopen(struct json *j)
{
	FILE	*fp;

	free(jbuf);
	jbuf = NULL;
	if ((fp = open_memstream(&jbuf, &jlen)) != NULL)
		json_init(j, fp);
	return fp;
}

TEST(json_escaping)
{
	struct json	 j;
	FILE		*fp;

	CHECK((fp = jopen(&j)) != NULL);
	json_array_begin(&j);
	json_string(&j, "say \"hi\"");
	json_string(&j, "back\\slash");
	json_string(&j, "tab\tnl\ncr\rbell\a\x1f" "del\x7f");
	json_string(&j, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x96\xa8");
	json_stringn(&j, "nul\0in", 6);
	json_string(&j, "/</script>");
	json_array_end(&j);
	CHECK(json_finish(&j) == 0);
	fclose(fp);
	CHECK_STR(jbuf, "[\"say \\\"hi\\\"\",\"back\\\\slash\","
	    "\"tab\\u0009nl\\u000acr\\u000dbell\\u0007\\u001fdel\\u007f\","
	    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x96\xa8\","
	    "\"nul\\u0000in\",\"/</script>\"]");
}

TEST(json_structure)
{
	struct json	 j;
	FILE		*fp;

	CHECK((fp = jopen(&j)) != NULL);
	json_object_begin(&j);
	json_key(&j, "devices");
	json_array_begin(&j);
	json_object_begin(&j);
	json_kv_string(&j, "a", "x");
	json_kv_int(&j, "n", -5);
	json_kv_int(&j, "min", INT64_MIN);
	json_kv_uint(&j, "u", UINT64_MAX);
	json_kv_null(&j, "z");
	json_kv_bool(&j, "t", 1);
	json_kv_bool(&j, "f", 0);
	json_kv_string_or_null(&j, "e", "");
	json_kv_string_or_null(&j, "ne", "v");
	json_key(&j, "empty");
	json_array_begin(&j);
	json_array_end(&j);
	json_key(&j, "eo");
	json_object_begin(&j);
	json_object_end(&j);
	json_object_end(&j);
	json_object_begin(&j);
	json_object_end(&j);
	json_int(&j, 3);
	json_array_end(&j);
	json_kv_int(&j, "after", 1);
	json_object_end(&j);
	CHECK(json_finish(&j) == 0);
	fclose(fp);
	CHECK_STR(jbuf, "{\"devices\":[{\"a\":\"x\",\"n\":-5,"
	    "\"min\":-9223372036854775808,\"u\":18446744073709551615,"
	    "\"z\":null,\"t\":true,\"f\":false,\"e\":null,\"ne\":\"v\","
	    "\"empty\":[],\"eo\":{}},{},3],\"after\":1}");
}

TEST(json_misuse)
{
	struct json	 j;
	FILE		*fp;

	/* a value where a key is due */
	CHECK((fp = jopen(&j)) != NULL);
	json_object_begin(&j);
	json_int(&j, 1);
	json_object_end(&j);
	CHECK(json_finish(&j) == -1);
	fclose(fp);
	/* a key in an array */
	CHECK((fp = jopen(&j)) != NULL);
	json_array_begin(&j);
	json_key(&j, "k");
	json_array_end(&j);
	CHECK(json_finish(&j) == -1);
	fclose(fp);
	/* unbalanced, a key without its value, two documents */
	CHECK((fp = jopen(&j)) != NULL);
	json_array_begin(&j);
	CHECK(json_finish(&j) == -1);
	fclose(fp);
	CHECK((fp = jopen(&j)) != NULL);
	json_object_begin(&j);
	json_key(&j, "k");
	json_object_end(&j);
	CHECK(json_finish(&j) == -1);
	fclose(fp);
	CHECK((fp = jopen(&j)) != NULL);
	json_int(&j, 1);
	json_int(&j, 2);
	CHECK(json_finish(&j) == -1);
	fclose(fp);
	/* nothing at all */
	CHECK((fp = jopen(&j)) != NULL);
	CHECK(json_finish(&j) == -1);
	fclose(fp);
	/* too deep */
	CHECK((fp = jopen(&j)) != NULL);
	{
		int	 i;

		for (i = 0; i < JSON_MAX_DEPTH + 2; i++)
			json_array_begin(&j);
	}
	CHECK(json_finish(&j) == -1);
	fclose(fp);
}

TEST_MAIN_BEGIN("test_txlog")
	log_init("test_txlog", LOG_TO_STDERR, 0);
	txlog_init();
	RUN(hash_vectors);
	RUN(append_and_verify);
	RUN(intact);
	RUN(tamper_summary);
	RUN(tamper_meter);
	RUN(tamper_supply);
	RUN(tamper_report);
	RUN(tamper_cycle);
	RUN(tamper_delete);
	RUN(tamper_swap);
	RUN(tamper_rehash);
	RUN(tamper_type);
	RUN(tamper_range);
	RUN(tamper_long);
	RUN(tamper_nul);
	RUN(tamper_exact);
	RUN(tamper_outbox);
	RUN(append_damaged);
	RUN(collect_summary);
	RUN(collect_detail);
	RUN(json_escaping);
	RUN(json_structure);
	RUN(json_misuse);
	free(jbuf);
	cleanup();
TEST_MAIN_END
