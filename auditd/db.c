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
 * Schema, version 1.  Unsigned 64-bit values are stored as their bit
 * pattern in INTEGER.  In the readings tables (reports, meters, supplies,
 * alerts) every field of the structures of common/report.h is kept
 * losslessly, in structure order (common/txlog.h has the column lists):
 * integers a device did not report (REPORT_NONE) are NULL, unknown error
 * bits (-1) are NULL, strings are stored as received ('' when empty), so
 * that the rows re-encode to exactly the DEV_* payloads that arrived and
 * the chained digest of each cycle can be checked (callhomectl verify).
 *
 * cycles: one row per collection cycle, written in the cycle's transaction
 *   id              INTEGER PRIMARY KEY  the cycle number ("cycle 7")
 *   token           INTEGER NOT NULL     callhomed's id for it (u64)
 *   reason          TEXT NOT NULL        schedule, manual, instruction, once
 *   started         INTEGER NOT NULL     unix time
 *   finished        INTEGER              unix time
 *   planned         INTEGER NOT NULL     devices planned (CYCLE_BEGIN)
 *   ndevices        INTEGER              devices reported (CYCLE_END)
 *   n_ok, n_partial, n_timeout, n_refused, n_not_printer, n_error
 *                   INTEGER              devices per outcome
 *   probed          INTEGER              discovery: addresses probed
 *   requests        INTEGER              SNMP requests sent (u64)
 *   readings_sha256 TEXT                 SHA-256 (hex) of the cycle's DEV_*
 *                                        payloads, as common/txlog.h says
 *   txseq           INTEGER              its "collect" record in txlog
 *
 * devices: every device ever reported, one row per identity
 *   id              INTEGER PRIMARY KEY
 *   key             TEXT NOT NULL UNIQUE "vendor|serial" when the device has
 *                                        a serial number, else
 *                                        "address|<address>"
 *   vendor, model, serial
 *                   TEXT NOT NULL        the last non-empty values
 *   first_seen, last_seen
 *                   INTEGER NOT NULL     unix time of its reports
 *   last_address    TEXT NOT NULL
 *   last_report     INTEGER              reports.id of its latest report (a
 *                                        hint, not a foreign key: pruning
 *                                        may leave it stale)
 *
 * reports: one per device per cycle (DEV_BEGIN, struct rpt_device)
 *   id              INTEGER PRIMARY KEY
 *   cycle_id        INTEGER NOT NULL     -> cycles (id)
 *   device_id       INTEGER NOT NULL     -> devices (id)
 *   ordinal         INTEGER NOT NULL     arrival order in the cycle, from 0;
 *                                        UNIQUE (cycle_id, ordinal)
 *   then the structure: address TEXT, outcome INTEGER (enum dev_outcome),
 *   reason TEXT, collected INTEGER, requests INTEGER, sysdescr TEXT,
 *   sysobjectid TEXT, enterprise INTEGER, vendor TEXT, model TEXT,
 *   model_source TEXT, serial TEXT, serial_source TEXT, firmware TEXT,
 *   firmware_source TEXT, profile TEXT, sysname TEXT, syscontact TEXT,
 *   syslocation TEXT (the PII: '' unless "send pii yes"), uptime INTEGER,
 *   device_status INTEGER, printer_status INTEGER, errors INTEGER (the
 *   hrPrinterDetectedErrorState bit mask: bit n is prt_error_name(n))
 *
 * meters, supplies, alerts: the rows of one report (DEV_METER, DEV_SUPPLY,
 * DEV_ALERT), WITHOUT ROWID, PRIMARY KEY (report_id, ordinal)
 *   report_id       INTEGER NOT NULL     -> reports (id)
 *   ordinal         INTEGER NOT NULL     arrival order in the report
 *   meters:   name, unit, value, source
 *   supplies: idx (the structure's "index"), description, class, type,
 *             color, unit, max, level, percent
 *   alerts:   idx, severity, grp (the structure's "group"), code,
 *             description, time
 *
 * txlog: the hash-chained transaction log (common/txlog.h)
 *   seq             INTEGER PRIMARY KEY  1, 2, 3, ... without gaps
 *   time            INTEGER NOT NULL     unix time
 *   kind            TEXT NOT NULL        collect, upload, checkin, ...
 *   summary         TEXT NOT NULL        one line for people
 *   detail          TEXT NOT NULL        a JSON object
 *   prev_hash       TEXT NOT NULL        hash of record seq - 1 (hex)
 *   hash            TEXT NOT NULL        SHA-256(prev_hash || canonical)
 *
 * Deleting a cycle deletes its reports and their rows (ON DELETE
 * CASCADE).  The rows' foreign keys are deferred to the commit, and their
 * inserts are INSERT OR ROLLBACK of up to DB_BATCH rows: a statement that
 * cannot fail half-way needs no statement journal (together about a third
 * less CPU for a large cycle than one checked row at a time).  Any
 * failure ends the whole cycle's transaction anyway.
 *
 * Schema, version 2: the outbox (auditd/outbox.h).
 *
 * outbox: the upload document of each cycle, built in the cycle's own
 * transaction (so a committed cycle always has its document)
 *   id              INTEGER PRIMARY KEY  also the job number given uplinkd
 *   cycle_id        INTEGER NOT NULL UNIQUE  the cycle it was built from (a
 *                                        hint, not a foreign key: pruning
 *                                        old readings keeps the document)
 *   created         INTEGER NOT NULL     unix time
 *   sha256          TEXT NOT NULL        of the document (hex); kept when
 *                                        the bytes are pruned
 *   size            INTEGER NOT NULL     bytes
 *   document        BLOB                 the exact bytes sent (or to be
 *                                        sent); NULL once pruned
 *   state           TEXT NOT NULL        'pending', 'delivered', 'pruned'
 *   attempts        INTEGER NOT NULL     uploads tried so far
 *   next_attempt    INTEGER NOT NULL     unix time it is due (0: now)
 *   last_attempt    INTEGER              unix time of the last result
 *   last_status     INTEGER              its enum upload_status (msg.h)
 *   last_error      TEXT                 its error, NULL once delivered
 *   delivered       INTEGER              unix time of the receipt
 *   receipt_sha256  TEXT                 the hash the receipt names
 *   server_doc_id   INTEGER              the server's id of the document
 *   server_time     TEXT                 the receipt's ServerTime
 *   duplicate       INTEGER              the server had it already (0/1)
 *   cert_hash       TEXT                 the server certificate's hash and
 *   tls_version     TEXT                 TLS version of the last attempt
 *   CHECK: a document has its bytes exactly when it is not pruned.
 *
 * secrets: values that never leave the gateway
 *   name            TEXT PRIMARY KEY     'device-key-salt': 32 random
 *   value           BLOB NOT NULL        bytes keying the anonymous device
 *                                        keys of the documents
 *
 * Later versions add the package store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "sqlutil.h"
#include "txlog.h"

static const char schema_v1[] =
	"CREATE TABLE cycles (\n"
	"	id		INTEGER PRIMARY KEY,\n"
	"	token		INTEGER NOT NULL,\n"
	"	reason		TEXT NOT NULL,\n"
	"	started		INTEGER NOT NULL,\n"
	"	finished	INTEGER,\n"
	"	planned		INTEGER NOT NULL,\n"
	"	ndevices	INTEGER,\n"
	"	n_ok		INTEGER,\n"
	"	n_partial	INTEGER,\n"
	"	n_timeout	INTEGER,\n"
	"	n_refused	INTEGER,\n"
	"	n_not_printer	INTEGER,\n"
	"	n_error		INTEGER,\n"
	"	probed		INTEGER,\n"
	"	requests	INTEGER,\n"
	"	readings_sha256	TEXT,\n"
	"	txseq		INTEGER\n"
	");\n"
	"CREATE TABLE devices (\n"
	"	id		INTEGER PRIMARY KEY,\n"
	"	key		TEXT NOT NULL UNIQUE,\n"
	"	vendor		TEXT NOT NULL,\n"
	"	model		TEXT NOT NULL,\n"
	"	serial		TEXT NOT NULL,\n"
	"	first_seen	INTEGER NOT NULL,\n"
	"	last_seen	INTEGER NOT NULL,\n"
	"	last_address	TEXT NOT NULL,\n"
	"	last_report	INTEGER\n"
	");\n"
	"CREATE TABLE reports (\n"
	"	id		INTEGER PRIMARY KEY,\n"
	"	cycle_id	INTEGER NOT NULL\n"
	"			REFERENCES cycles (id) ON DELETE CASCADE,\n"
	"	device_id	INTEGER NOT NULL REFERENCES devices (id),\n"
	"	ordinal		INTEGER NOT NULL,\n"
	"	address		TEXT NOT NULL,\n"
	"	outcome		INTEGER NOT NULL,\n"
	"	reason		TEXT NOT NULL,\n"
	"	collected	INTEGER NOT NULL,\n"
	"	requests	INTEGER NOT NULL,\n"
	"	sysdescr	TEXT NOT NULL,\n"
	"	sysobjectid	TEXT NOT NULL,\n"
	"	enterprise	INTEGER,\n"
	"	vendor		TEXT NOT NULL,\n"
	"	model		TEXT NOT NULL,\n"
	"	model_source	TEXT NOT NULL,\n"
	"	serial		TEXT NOT NULL,\n"
	"	serial_source	TEXT NOT NULL,\n"
	"	firmware	TEXT NOT NULL,\n"
	"	firmware_source	TEXT NOT NULL,\n"
	"	profile		TEXT NOT NULL,\n"
	"	sysname		TEXT NOT NULL,\n"
	"	syscontact	TEXT NOT NULL,\n"
	"	syslocation	TEXT NOT NULL,\n"
	"	uptime		INTEGER,\n"
	"	device_status	INTEGER,\n"
	"	printer_status	INTEGER,\n"
	"	errors		INTEGER,\n"
	"	UNIQUE (cycle_id, ordinal)\n"
	");\n"
	"CREATE INDEX reports_device ON reports (device_id, id);\n"
	"CREATE TABLE meters (\n"
	"	report_id	INTEGER NOT NULL REFERENCES reports (id)\n"
	"	    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n"
	"	ordinal		INTEGER NOT NULL,\n"
	"	name		TEXT NOT NULL,\n"
	"	unit		TEXT NOT NULL,\n"
	"	value		INTEGER,\n"
	"	source		TEXT NOT NULL,\n"
	"	PRIMARY KEY (report_id, ordinal)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE supplies (\n"
	"	report_id	INTEGER NOT NULL REFERENCES reports (id)\n"
	"	    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n"
	"	ordinal		INTEGER NOT NULL,\n"
	"	idx		TEXT NOT NULL,\n"
	"	description	TEXT NOT NULL,\n"
	"	class		TEXT NOT NULL,\n"
	"	type		TEXT NOT NULL,\n"
	"	color		TEXT NOT NULL,\n"
	"	unit		TEXT NOT NULL,\n"
	"	max		INTEGER,\n"
	"	level		INTEGER,\n"
	"	percent		INTEGER,\n"
	"	PRIMARY KEY (report_id, ordinal)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE alerts (\n"
	"	report_id	INTEGER NOT NULL REFERENCES reports (id)\n"
	"	    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n"
	"	ordinal		INTEGER NOT NULL,\n"
	"	idx		TEXT NOT NULL,\n"
	"	severity	TEXT NOT NULL,\n"
	"	grp		TEXT NOT NULL,\n"
	"	code		TEXT NOT NULL,\n"
	"	description	TEXT NOT NULL,\n"
	"	time		INTEGER,\n"
	"	PRIMARY KEY (report_id, ordinal)\n"
	") WITHOUT ROWID;\n";

static const char schema_v2[] =
	"CREATE TABLE outbox (\n"
	"	id		INTEGER PRIMARY KEY,\n"
	"	cycle_id	INTEGER NOT NULL UNIQUE,\n"
	"	created		INTEGER NOT NULL,\n"
	"	sha256		TEXT NOT NULL,\n"
	"	size		INTEGER NOT NULL,\n"
	"	document	BLOB,\n"
	"	state		TEXT NOT NULL CHECK (state IN\n"
	"			    ('pending', 'delivered', 'pruned')),\n"
	"	attempts	INTEGER NOT NULL DEFAULT 0,\n"
	"	next_attempt	INTEGER NOT NULL DEFAULT 0,\n"
	"	last_attempt	INTEGER,\n"
	"	last_status	INTEGER,\n"
	"	last_error	TEXT,\n"
	"	delivered	INTEGER,\n"
	"	receipt_sha256	TEXT,\n"
	"	server_doc_id	INTEGER,\n"
	"	server_time	TEXT,\n"
	"	duplicate	INTEGER,\n"
	"	cert_hash	TEXT,\n"
	"	tls_version	TEXT,\n"
	"	CHECK ((document IS NULL) = (state = 'pruned'))\n"
	");\n"
	"CREATE INDEX outbox_state ON outbox (state, id);\n"
	"CREATE TABLE secrets (\n"
	"	name		TEXT PRIMARY KEY,\n"
	"	value		BLOB NOT NULL\n"
	") WITHOUT ROWID;\n";

/*
 * migrations[v] takes a database from user_version v to v + 1; the txlog
 * table (common/txlog.c) is part of version 1.  Later versions (the
 * package store) are appended here.
 */
static const char *const migrations[DB_VERSION][SQL_MIGRATION_SCRIPTS] = {
	{ schema_v1, txlog_schema },
	{ schema_v2, NULL },
};

static const char *const stmt_sql[DB_NSTMT] = {
	[DB_CYCLE_INSERT] =
	    "INSERT INTO cycles (token, reason, started, planned) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[DB_CYCLE_FINISH] =
	    "UPDATE cycles SET finished = ?2, ndevices = ?3, n_ok = ?4, "
	    "n_partial = ?5, n_timeout = ?6, n_refused = ?7, "
	    "n_not_printer = ?8, n_error = ?9, probed = ?10, "
	    "requests = ?11, readings_sha256 = ?12, txseq = ?13 "
	    "WHERE id = ?1",
	[DB_DEVICE_FIND] =
	    "SELECT id FROM devices WHERE key = ?1",
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
	    "?, ?)",
};
/* parameters of each statement, checked when it is prepared */
static const int stmt_nparams[DB_NSTMT] = {
	[DB_CYCLE_INSERT] = 4,
	[DB_CYCLE_FINISH] = 13,
	[DB_DEVICE_FIND] = 1,
	[DB_DEVICE_INSERT] = 6,
	[DB_DEVICE_UPDATE] = 7,
	[DB_REPORT_INSERT] = 3 + READINGS_DEVICE_NCOLS,
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
