/*
 * auditd's database, callhome.db in the state directory (auditd's root).
 *
 * Connection: journal_mode=WAL (callhomectl reads while auditd writes),
 * synchronous=FULL (a committed cycle survives power loss), foreign_keys
 * on, temp_store=MEMORY (no temporary files), secure_delete on (pruned
 * readings are overwritten); defensive mode, no trusted schema.
 *
 * The schema version is PRAGMA user_version; migrations[] below takes a
 * database from any older version to DB_VERSION in one transaction, and a
 * newer database is refused.
 *
 * The tables and their columns are in auditd/schema-*.sql, each column
 * explained (sqlite keeps the comments: "sqlite3 callhome.db .schema"
 * shows them).  In short: cycles, devices, reports and their rows
 * (meters, supplies, alerts) keep every field of common/report.h
 * losslessly, so that a cycle's rows re-encode to exactly the DEV_*
 * payloads that arrived and its chained digest can be checked; txlog is
 * the hash-chained transaction log (common/txlog.h); outbox (version 2)
 * holds each cycle's upload document, its exact bytes until delivered or
 * pruned; secrets holds the salt of the anonymous device keys;
 * gateway_state (version 3) what check-ins and instructions left (the
 * last accepted sequence, the instructed schedule and interval, the last
 * check-in and instruction), and packages every installed package;
 * version 4 (schema-4.sql) adds each address's state (targets), meter
 * flags and the SNMPv3 and discovery counts.
 * Version 5: the outbox holds each cycle in parts (part i of n, each
 * with its bytes, hash and receipt), documents set aside after a
 * permanent refusal ('refused'), and when and why bytes were pruned;
 * cycles say when retention pruned their readings.
 * Version 6 (schema-6.sql): the data that needs its own consent: job
 * data, incidents and supply requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "sqlutil.h"
#include "txlog.h"

/* the schema, in auditd/schema-*.sql (each column explained there) */
static const char schema_v1[] =
#include "schema-1.sql.h"
;
static const char schema_v2[] =
#include "schema-2.sql.h"
;
static const char schema_v3[] =
#include "schema-3.sql.h"
;
static const char schema_v4[] =
#include "schema-4.sql.h"
;
static const char schema_v5[] =
#include "schema-5.sql.h"
;
static const char schema_v6[] =
#include "schema-6.sql.h"
;

/*
 * migrations[v] takes a database from user_version v to v + 1; the txlog
 * table (common/txlog.c) is part of version 1.
 */
static const char *const migrations[DB_VERSION][SQL_MIGRATION_SCRIPTS] = {
	{ schema_v1, txlog_schema },
	{ schema_v2, NULL },
	{ schema_v3, NULL },
	{ schema_v4, NULL },
	{ schema_v5, NULL },
	{ schema_v6, NULL },
};

static const char *const stmt_sql[DB_NSTMT] = {
	[DB_CYCLE_INSERT] =
	    "INSERT INTO cycles (token, reason, started, planned) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[DB_CYCLE_FINISH] =
	    "UPDATE cycles SET finished = ?2, ndevices = ?3, n_ok = ?4, "
	    "n_partial = ?5, n_timeout = ?6, n_refused = ?7, "
	    "n_not_printer = ?8, n_error = ?9, probed = ?10, "
	    "requests = ?11, readings_sha256 = ?12, txseq = ?13, "
	    "n_auth_failure = ?14, answered = ?15, printers = ?16, "
	    "skipped = ?17, duplicates = ?18 WHERE id = ?1",
	[DB_DEVICE_FIND] =
	    "SELECT id, last_report FROM devices WHERE key = ?1",
	[DB_DEVICE_INSERT] =
	    "INSERT INTO devices (key, vendor, model, serial, first_seen, "
	    "last_seen, last_address) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
	/* identity: the last non-empty values */
	[DB_DEVICE_UPDATE] =
	    "UPDATE devices SET "
	    "vendor = CASE ?2 WHEN '' THEN vendor ELSE ?2 END, "
	    "model = CASE ?3 WHEN '' THEN model ELSE ?3 END, "
	    "serial = CASE ?4 WHEN '' THEN serial ELSE ?4 END, "
	    "first_seen = min(first_seen, ?5), "
	    "last_seen = max(last_seen, ?5), "
	    "last_address = ?6, last_report = ?7 WHERE id = ?1",
	[DB_REPORT_INSERT] =
	    "INSERT INTO reports (cycle_id, device_id, ordinal, "
	    READINGS_DEVICE_COLS ") VALUES (?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?)",
	[DB_DEVICE_LAST] =
	    "SELECT last_report FROM devices WHERE id = ?1",
	[DB_TARGETS] =
	    "SELECT address, state, since, device_id FROM targets",
	[DB_REPORT_METERS] =
	    "SELECT name, value FROM meters WHERE report_id = ?1 "
	    "ORDER BY ordinal",
	[DB_JOBDATA_INSERT] =
	    "INSERT INTO jobdata (report_id, sealed_sha256, sealed, plain) "
	    "VALUES (?1, ?2, ?3, ?4)",
};
/* parameters of each statement, checked when it is prepared */
static const int stmt_nparams[DB_NSTMT] = {
	[DB_CYCLE_INSERT] = 4,
	[DB_CYCLE_FINISH] = 18,
	[DB_DEVICE_FIND] = 1,
	[DB_DEVICE_INSERT] = 6,
	[DB_DEVICE_UPDATE] = 7,
	[DB_REPORT_INSERT] = 3 + READINGS_DEVICE_NCOLS,
	[DB_DEVICE_LAST] = 1,
	[DB_TARGETS] = 0,
	[DB_REPORT_METERS] = 1,
	[DB_JOBDATA_INSERT] = 4,
};

static const struct {
	const char	*table;
	const char	*cols;
	int		 ncols;
} rows_table[DB_NROWS] = {
	[DB_METERS] =	{ "meters", READINGS_METER_COLS,
			    READINGS_METER_NCOLS },
	[DB_SUPPLIES] =	{ "supplies", READINGS_SUPPLY_COLS,
			    READINGS_SUPPLY_NCOLS },
	[DB_ALERTS] =	{ "alerts", READINGS_ALERT_COLS,
			    READINGS_ALERT_NCOLS },
};

/* the connection's settings; journal_mode is checked separately */
static const char pragmas[] =
	/*
	 * Free pages go back to the file system when retention asks
	 * (retention.c: PRAGMA incremental_vacuum, a few pages at a time),
	 * never in one long VACUUM.  It takes effect only in a database
	 * created with it: an older one keeps auto_vacuum none, and its free
	 * pages are reused for new rows, so it stops growing all the same
	 * but does not shrink.
	 */
	"PRAGMA auto_vacuum = INCREMENTAL;"
	"PRAGMA synchronous = FULL;"
	"PRAGMA foreign_keys = ON;"
	"PRAGMA temp_store = MEMORY;"
	"PRAGMA secure_delete = ON;"
	/* a whole cycle is one transaction: keep it in memory */
	"PRAGMA cache_size = -32768;"
	/* do not leave a huge WAL behind after a big cycle */
	"PRAGMA journal_size_limit = 67108864;";

/*
 * Library settings, before anything else uses sqlite: auditd has one
 * thread and does not need memory statistics (both cost on every call).
 */
int
db_init(void)
{
	static int	 done;

	if (done)
		return 0;
	done = 1;
	(void)sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	return sqlite3_initialize() == SQLITE_OK ? 0 : -1;
}

int
db_exec(struct db *db, const char *sql)
{
	return sql_exec(db->h, sql);
}

int
db_begin(struct db *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

int
db_commit(struct db *db)
{
	return db_exec(db, "COMMIT");
}

int
db_rollback(struct db *db)
{
	return sql_rollback(db->h);
}

int
db_unit_begin(struct db *db, int *own)
{
	*own = sqlite3_get_autocommit(db->h) != 0;
	return *own ? db_begin(db) : db_exec(db, "SAVEPOINT unit");
}

int
db_unit_commit(struct db *db, int own)
{
	return db_exec(db, own ? "COMMIT" : "RELEASE unit");
}

void
db_unit_rollback(struct db *db, int own)
{
	if (own)
		(void)db_rollback(db);
	else
		(void)db_exec(db, "ROLLBACK TO unit; RELEASE unit");
}

const char *
db_errmsg(struct db *db)
{
	return db->h != NULL ? sqlite3_errmsg(db->h) : "no database";
}

int
db_schema_version(struct db *db)
{
	return sql_user_version(db->h);
}

int
db_open(struct db *db, const char *path, char *err, size_t errlen)
{
	int	 i;

	memset(db, 0, sizeof(*db));
	if (db_init() == -1) {
		(void)snprintf(err, errlen, "sqlite3_initialize failed");
		return -1;
	}
	if (sql_open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, 10000, &db->h, err,
	    errlen) == -1 ||
	    sql_settings(db->h, path, pragmas, err, errlen) == -1 ||
	    sql_migrate(db->h, migrations, DB_VERSION, err, errlen) == -1) {
		db_close(db);
		return -1;
	}
	for (i = 0; i < DB_NSTMT; i++) {
		if (sqlite3_prepare_v3(db->h, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->stmt[i], NULL) !=
		    SQLITE_OK) {
			(void)snprintf(err, errlen, "preparing statement %d: "
			    "%s", i, db_errmsg(db));
			db_close(db);
			return -1;
		}
		if (sqlite3_bind_parameter_count(db->stmt[i]) !=
		    stmt_nparams[i]) {
			(void)snprintf(err, errlen, "statement %d has %d "
			    "parameters, not %d", i,
			    sqlite3_bind_parameter_count(db->stmt[i]),
			    stmt_nparams[i]);
			db_close(db);
			return -1;
		}
	}
	return 0;
}

void
db_close(struct db *db)
{
	int	 i, k;

	for (i = 0; i < DB_NSTMT; i++)
		sqlite3_finalize(db->stmt[i]);
	for (i = 0; i < DB_NROWS; i++)
		for (k = 0; k < DB_BATCH; k++)
			sqlite3_finalize(db->rows[i][k]);
	for (k = 0; k < DB_BATCH; k++)
		sqlite3_finalize(db->targets[k]);
	if (db->h != NULL)
		sqlite3_close(db->h);
	memset(db, 0, sizeof(*db));
}

sqlite3_stmt *
db_stmt(struct db *db, enum db_stmt which)
{
	sqlite3_stmt	*st;

	if ((int)which < 0 || which >= DB_NSTMT ||
	    (st = db->stmt[which]) == NULL)
		return NULL;
	sqlite3_reset(st);
	return st;
}

int
db_rows_width(enum db_rows which)
{
	return 2 + rows_table[which].ncols;
}

sqlite3_stmt *
db_rows_stmt(struct db *db, enum db_rows which, int n)
{
	sqlite3_stmt	*st;
	char		 sql[4096];
	size_t		 o;
	int		 i, k, w;

	if ((int)which < 0 || which >= DB_NROWS || n < 1 || n > DB_BATCH)
		return NULL;
	if ((st = db->rows[which][n - 1]) != NULL) {
		sqlite3_reset(st);
		return st;
	}
	w = db_rows_width(which);
	o = (size_t)snprintf(sql, sizeof(sql), "INSERT OR ROLLBACK INTO %s "
	    "(report_id, ordinal, %s) VALUES ", rows_table[which].table,
	    rows_table[which].cols);
	for (i = 0; i < n; i++) {
		for (k = 0; k < w && o < sizeof(sql); k++)
			o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s?%s",
			    k == 0 ? (i == 0 ? "(" : ", (") : ", ",
			    k == w - 1 ? ")" : "");
	}
	if (o >= sizeof(sql))
		return NULL;
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL) != SQLITE_OK)
		return NULL;
	if (sqlite3_bind_parameter_count(st) != n * w) {
		sqlite3_finalize(st);
		return NULL;
	}
	db->rows[which][n - 1] = st;
	return st;
}

sqlite3_stmt *
db_targets_stmt(struct db *db, int n)
{
	sqlite3_stmt	*st;
	char		 sql[1024];
	size_t		 o;
	int		 i;

	if (n < 1 || n > DB_BATCH)
		return NULL;
	if ((st = db->targets[n - 1]) != NULL) {
		sqlite3_reset(st);
		return st;
	}
	o = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO targets "
	    "(address, state, since, device_id) VALUES ");
	for (i = 0; i < n && o < sizeof(sql); i++)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o,
		    "%s(?, ?, ?, ?)", i ? ", " : "");
	if (o < sizeof(sql))
		o += (size_t)snprintf(sql + o, sizeof(sql) - o, " ON CONFLICT "
		    "(address) DO UPDATE SET state = excluded.state, since = "
		    "excluded.since, device_id = excluded.device_id");
	if (o >= sizeof(sql))
		return NULL;
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL) != SQLITE_OK)
		return NULL;
	if (sqlite3_bind_parameter_count(st) != n * DB_TARGET_WIDTH) {
		sqlite3_finalize(st);
		return NULL;
	}
	db->targets[n - 1] = st;
	return st;
}
