/*
 * commsd's database: its file in the state directory (commsd's root once
 * sandboxed).
 *
 * Connection: journal_mode=WAL (commsd -q reads while the server writes),
 * synchronous=FULL (a receipt is only sent for a committed document),
 * foreign_keys on, temp_store=MEMORY; defensive mode, no trusted schema.
 * The schema version is PRAGMA user_version.
 *
 * Schema, version 1.  Times are unix seconds unless said otherwise;
 * strings from the document are stored as it gave them (NULL when the
 * element or attribute is absent, '' when present and empty).
 *
 * gateways: one per client certificate subject CN
 *   id              INTEGER PRIMARY KEY
 *   cn              TEXT NOT NULL UNIQUE  the certificate's subject CN
 *   cert_sha256     TEXT NOT NULL         SHA-256 of its latest certificate
 *                                         (DER), lowercase hex
 *   first_seen, last_seen INTEGER NOT NULL
 *
 * documents: one per distinct upload of a gateway
 *   id              INTEGER PRIMARY KEY   the receipt's DocumentId
 *   gateway_id      INTEGER NOT NULL      -> gateways
 *   sha256          TEXT NOT NULL         of the bytes (after any
 *                                         Content-Encoding), the receipt's
 *                                         DocumentSha256;
 *                                         UNIQUE (gateway_id, sha256): the
 *                                         same document twice is stored once
 *   received        INTEGER NOT NULL      first received
 *   size            INTEGER NOT NULL      bytes of the document
 *   encoding        TEXT NOT NULL         identity or gzip, as it came
 *   wire_size       INTEGER NOT NULL      bytes of the HTTP body
 *   cert_sha256     TEXT NOT NULL         the client certificate that sent it
 *   claimed_id      TEXT NOT NULL         ch:Gateway/@id (the certificate's
 *                                         CN is the identity that counts)
 *   software        TEXT NOT NULL         ch:Gateway/@software
 *   site            TEXT                  ch:Site
 *   cycle_id        INTEGER NOT NULL      ch:Cycle/@id
 *   cycle_reason    TEXT NOT NULL         ch:Cycle/@reason
 *   cycle_started, cycle_finished TEXT NOT NULL  xs:dateTime, as given
 *   categories      TEXT NOT NULL         ch:Categories, as given
 *   ndevices        INTEGER NOT NULL      ch:Device elements
 *   duplicates_seen INTEGER NOT NULL      times received again since
 *   last_duplicate  INTEGER               when, the last time
 *   txseq           INTEGER               its "upload" record in txlog
 *   bytes           BLOB NOT NULL         the exact document
 *
 * devices: every device of each gateway, by the document's key
 *   id              INTEGER PRIMARY KEY
 *   gateway_id      INTEGER NOT NULL      -> gateways
 *   key             TEXT NOT NULL         ch:Device/@key;
 *                                         UNIQUE (gateway_id, key)
 *   vendor, model, serial TEXT NOT NULL   the last non-empty values
 *   first_seen, last_seen INTEGER NOT NULL
 *   last_document   INTEGER               documents.id of its last report
 *
 * device_reports: identity and status of each device of a document
 *   document_id     INTEGER NOT NULL      -> documents
 *   ordinal         INTEGER NOT NULL      its place in the document, from 0;
 *                                         PRIMARY KEY (document_id, ordinal)
 *   device_key, outcome, collected (xs:dateTime) TEXT NOT NULL
 *   address, reason, vendor, model, model_source, serial, serial_source,
 *   firmware, firmware_source, sysobjectid TEXT; enterprise INTEGER;
 *   sysdescr, sysname, syscontact, syslocation TEXT;
 *   device_status, printer_status TEXT (ch:Status/@device, @printer);
 *   uptime INTEGER; errors TEXT (the ch:Error names, space-separated; NULL
 *   unless ch:Status says errorsReported);
 *   state, state_since TEXT (ch:Device/@state, @stateSince: version 2)
 *
 * meters, supplies, alerts: the readings of each device of a document,
 * WITHOUT ROWID, PRIMARY KEY (document_id, device_ord, ordinal)
 *   document_id     INTEGER NOT NULL      -> documents
 *   device_ord      INTEGER NOT NULL      device_reports.ordinal
 *   device_key      TEXT NOT NULL
 *   ordinal         INTEGER NOT NULL      order in the device's list
 *   meters:   name TEXT NOT NULL, unit TEXT, value INTEGER, source TEXT,
 *             flag TEXT, previous INTEGER (version 2)
 *   supplies: idx TEXT NOT NULL (@index), description, class, type, color,
 *             unit TEXT, max, level, percent INTEGER
 *   alerts:   idx TEXT NOT NULL (@index), severity, grp (@group), code,
 *             description TEXT, time INTEGER
 *
 * txlog: the hash-chained transaction log of common/txlog.h, with commsd's
 * kinds: start, stop, connect, tls-failure, upload, duplicate, reject,
 * error, checkin, package, cycle.  Each detail is a JSON object.
 *
 * Version 2: a device's state and a meter's flag (device_reports.state,
 * state_since; meters.flag, previous).  Version 3: cycles in parts.
 *
 * documents (version 3): the document's ch:Part, 1 of 1 without one
 *   part, parts     INTEGER NOT NULL      number and "of"
 *   first_device    INTEGER NOT NULL      firstDevice
 *
 * cycles (version 3): what arrived of each cycle of each gateway
 *   id              INTEGER PRIMARY KEY
 *   gateway_id      INTEGER NOT NULL      -> gateways
 *   cycle_id        INTEGER NOT NULL      ch:Cycle/@id
 *   cycle_started   TEXT NOT NULL         ch:Cycle/@started (a gateway
 *                                         whose database was reset numbers
 *                                         its cycles from 1 again);
 *                                         UNIQUE (gateway_id, cycle_id,
 *                                         cycle_started)
 *   parts           INTEGER NOT NULL      how many the cycle has (its
 *                                         first part said; the others
 *                                         must agree)
 *   received        INTEGER NOT NULL      distinct parts stored
 *   devices         INTEGER NOT NULL      their devices
 *   first_received  INTEGER NOT NULL      unix time
 *   completed       INTEGER               when the last missing part
 *                                         came (a "cycle" record); NULL:
 *                                         partial so far
 *
 * Version 4 (issue 11): the data that needs its own consent.
 *
 * jobdata: the sealed job data of a device of a document (ch:JobData)
 *   id              INTEGER PRIMARY KEY   what -q jobdata ID names
 *   document_id     INTEGER NOT NULL      -> documents
 *   device_ord      INTEGER NOT NULL      device_reports.ordinal;
 *                                         UNIQUE (document_id, device_ord)
 *   device_key      TEXT NOT NULL
 *   sealed          TEXT NOT NULL         the base64 text, as it came: the
 *                                         server holds no key to open it
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commsd.h"
#include "check.h"
#include "json.h"
#include "log.h"
#include "sqlutil.h"
#include "txlog.h"

static const char schema_v1[] =
	"CREATE TABLE gateways (\n"
	"	id		INTEGER PRIMARY KEY,\n"
	"	cn		TEXT NOT NULL UNIQUE,\n"
	"	cert_sha256	TEXT NOT NULL,\n"
	"	first_seen	INTEGER NOT NULL,\n"
	"	last_seen	INTEGER NOT NULL\n"
	");\n"
	"CREATE TABLE documents (\n"
	"	id		INTEGER PRIMARY KEY,\n"
	"	gateway_id	INTEGER NOT NULL REFERENCES gateways (id),\n"
	"	sha256		TEXT NOT NULL,\n"
	"	received	INTEGER NOT NULL,\n"
	"	size		INTEGER NOT NULL,\n"
	"	encoding	TEXT NOT NULL,\n"
	"	wire_size	INTEGER NOT NULL,\n"
	"	cert_sha256	TEXT NOT NULL,\n"
	"	claimed_id	TEXT NOT NULL,\n"
	"	software	TEXT NOT NULL,\n"
	"	site		TEXT,\n"
	"	cycle_id	INTEGER NOT NULL,\n"
	"	cycle_reason	TEXT NOT NULL,\n"
	"	cycle_started	TEXT NOT NULL,\n"
	"	cycle_finished	TEXT NOT NULL,\n"
	"	categories	TEXT NOT NULL,\n"
	"	ndevices	INTEGER NOT NULL,\n"
	"	duplicates_seen	INTEGER NOT NULL DEFAULT 0,\n"
	"	last_duplicate	INTEGER,\n"
	"	txseq		INTEGER,\n"
	"	bytes		BLOB NOT NULL,\n"
	"	UNIQUE (gateway_id, sha256)\n"
	");\n"
	"CREATE TABLE devices (\n"
	"	id		INTEGER PRIMARY KEY,\n"
	"	gateway_id	INTEGER NOT NULL REFERENCES gateways (id),\n"
	"	key		TEXT NOT NULL,\n"
	"	vendor		TEXT NOT NULL,\n"
	"	model		TEXT NOT NULL,\n"
	"	serial		TEXT NOT NULL,\n"
	"	first_seen	INTEGER NOT NULL,\n"
	"	last_seen	INTEGER NOT NULL,\n"
	"	last_document	INTEGER,\n"
	"	UNIQUE (gateway_id, key)\n"
	");\n"
	"CREATE TABLE device_reports (\n"
	"	document_id	INTEGER NOT NULL REFERENCES documents (id),\n"
	"	ordinal		INTEGER NOT NULL,\n"
	"	device_key	TEXT NOT NULL,\n"
	"	outcome		TEXT NOT NULL,\n"
	"	collected	TEXT NOT NULL,\n"
	"	address		TEXT,\n"
	"	reason		TEXT,\n"
	"	vendor		TEXT,\n"
	"	model		TEXT,\n"
	"	model_source	TEXT,\n"
	"	serial		TEXT,\n"
	"	serial_source	TEXT,\n"
	"	firmware	TEXT,\n"
	"	firmware_source	TEXT,\n"
	"	sysobjectid	TEXT,\n"
	"	enterprise	INTEGER,\n"
	"	sysdescr	TEXT,\n"
	"	sysname		TEXT,\n"
	"	syscontact	TEXT,\n"
	"	syslocation	TEXT,\n"
	"	device_status	TEXT,\n"
	"	printer_status	TEXT,\n"
	"	uptime		INTEGER,\n"
	"	errors		TEXT,\n"
	"	PRIMARY KEY (document_id, ordinal)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE meters (\n"
	"	document_id	INTEGER NOT NULL REFERENCES documents (id),\n"
	"	device_ord	INTEGER NOT NULL,\n"
	"	device_key	TEXT NOT NULL,\n"
	"	ordinal		INTEGER NOT NULL,\n"
	"	name		TEXT NOT NULL,\n"
	"	unit		TEXT,\n"
	"	value		INTEGER,\n"
	"	source		TEXT,\n"
	"	PRIMARY KEY (document_id, device_ord, ordinal)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE supplies (\n"
	"	document_id	INTEGER NOT NULL REFERENCES documents (id),\n"
	"	device_ord	INTEGER NOT NULL,\n"
	"	device_key	TEXT NOT NULL,\n"
	"	ordinal		INTEGER NOT NULL,\n"
	"	idx		TEXT NOT NULL,\n"
	"	description	TEXT,\n"
	"	class		TEXT,\n"
	"	type		TEXT,\n"
	"	color		TEXT,\n"
	"	unit		TEXT,\n"
	"	max		INTEGER,\n"
	"	level		INTEGER,\n"
	"	percent		INTEGER,\n"
	"	PRIMARY KEY (document_id, device_ord, ordinal)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE alerts (\n"
	"	document_id	INTEGER NOT NULL REFERENCES documents (id),\n"
	"	device_ord	INTEGER NOT NULL,\n"
	"	device_key	TEXT NOT NULL,\n"
	"	ordinal		INTEGER NOT NULL,\n"
	"	idx		TEXT NOT NULL,\n"
	"	severity	TEXT,\n"
	"	grp		TEXT,\n"
	"	code		TEXT,\n"
	"	description	TEXT,\n"
	"	time		INTEGER,\n"
	"	PRIMARY KEY (document_id, device_ord, ordinal)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX documents_gateway ON documents (gateway_id, id);\n";

/* version 2: a device's state and a meter's flag (reset, replaced) */
static const char schema_v2[] =
	"ALTER TABLE device_reports ADD COLUMN state TEXT;\n"
	"ALTER TABLE device_reports ADD COLUMN state_since TEXT;\n"
	"ALTER TABLE meters ADD COLUMN flag TEXT;\n"
	"ALTER TABLE meters ADD COLUMN previous INTEGER;\n";

/* version 3: cycles in parts; the documents before are each a cycle */
static const char schema_v3[] =
	"ALTER TABLE documents ADD COLUMN part INTEGER NOT NULL DEFAULT 1;\n"
	"ALTER TABLE documents ADD COLUMN parts INTEGER NOT NULL DEFAULT 1;\n"
	"ALTER TABLE documents ADD COLUMN first_device INTEGER NOT NULL "
	"DEFAULT 0;\n"
	"CREATE TABLE cycles (\n"
	"	id		INTEGER PRIMARY KEY,\n"
	"	gateway_id	INTEGER NOT NULL REFERENCES gateways (id),\n"
	"	cycle_id	INTEGER NOT NULL,\n"
	"	cycle_started	TEXT NOT NULL,\n"
	"	parts		INTEGER NOT NULL,\n"
	"	received	INTEGER NOT NULL,\n"
	"	devices		INTEGER NOT NULL,\n"
	"	first_received	INTEGER NOT NULL,\n"
	"	completed	INTEGER,\n"
	"	UNIQUE (gateway_id, cycle_id, cycle_started)\n"
	");\n"
	"INSERT OR IGNORE INTO cycles (gateway_id, cycle_id, cycle_started, "
	"parts, received, devices, first_received, completed) SELECT "
	"gateway_id, cycle_id, cycle_started, 1, 1, ndevices, received, "
	"received FROM documents ORDER BY id;\n"
	"CREATE INDEX documents_cycle ON documents (gateway_id, cycle_id, "
	"cycle_started, part);\n";

/* version 4: job data, incidents and supply requests */
static const char schema_v4[] =
	"CREATE TABLE jobdata (\n"
	"	id		INTEGER PRIMARY KEY,\n"
	"	document_id	INTEGER NOT NULL REFERENCES documents (id),\n"
	"	device_ord	INTEGER NOT NULL,\n"
	"	device_key	TEXT NOT NULL,\n"
	"	sealed		TEXT NOT NULL,\n"
	"	UNIQUE (document_id, device_ord)\n"
	");\n"
	"CREATE TABLE incidents (\n"
	"	id		INTEGER PRIMARY KEY,\n"
	"	gateway_id	INTEGER NOT NULL REFERENCES gateways (id),\n"
	"	incident_id	INTEGER NOT NULL,\n"
	"	document_id	INTEGER NOT NULL REFERENCES documents (id),\n"
	"	kind		TEXT NOT NULL,\n"
	"	origin		TEXT NOT NULL,\n"
	"	device_key	TEXT NOT NULL,\n"
	"	created		TEXT NOT NULL,\n"
	"	problem		TEXT,\n"
	"	contact_name	TEXT,\n"
	"	contact_email	TEXT,\n"
	"	contact_phone	TEXT,\n"
	"	received	INTEGER NOT NULL,\n"
	"	status		TEXT NOT NULL CHECK (status IN ('received', "
	"'shipped', 'closed')),\n"
	"	status_time	INTEGER NOT NULL,\n"
	"	UNIQUE (gateway_id, incident_id)\n"
	");\n"
	"CREATE TABLE incident_supplies (\n"
	"	incident	INTEGER NOT NULL REFERENCES incidents (id),\n"
	"	idx		TEXT NOT NULL,\n"
	"	description	TEXT,\n"
	"	type		TEXT,\n"
	"	color		TEXT,\n"
	"	max		INTEGER,\n"
	"	level		INTEGER,\n"
	"	percent		INTEGER,\n"
	"	PRIMARY KEY (incident, idx)\n"
	") WITHOUT ROWID;\n";

static const char *const migrations[COMMS_DB_VERSION]
    [SQL_MIGRATION_SCRIPTS] = {
	{ schema_v1, txlog_schema },
	{ schema_v2, NULL },
	{ schema_v3, NULL },
	{ schema_v4, NULL },
};

static const char *const stmt_sql[COMMS_NSTMT] = {
	[COMMS_GW_FIND] =
	    "SELECT id FROM gateways WHERE cn = ?1",
	[COMMS_GW_INSERT] =
	    "INSERT INTO gateways (cn, cert_sha256, first_seen, last_seen) "
	    "VALUES (?1, ?2, ?3, ?3)",
	[COMMS_GW_UPDATE] =
	    "UPDATE gateways SET cert_sha256 = ?2, "
	    "last_seen = max(last_seen, ?3) WHERE id = ?1",
	[COMMS_DOC_FIND] =
	    "SELECT id, cycle_id, ndevices, duplicates_seen, part, parts "
	    "FROM documents WHERE gateway_id = ?1 AND sha256 = ?2",
	[COMMS_DOC_DUPLICATE] =
	    "UPDATE documents SET duplicates_seen = duplicates_seen + 1, "
	    "last_duplicate = ?2 WHERE id = ?1",
	[COMMS_DOC_TXSEQ] =
	    "UPDATE documents SET txseq = ?2 WHERE id = ?1",
	[COMMS_DOC_INSERT] =
	    "INSERT INTO documents (gateway_id, sha256, received, size, "
	    "encoding, wire_size, cert_sha256, claimed_id, software, site, "
	    "cycle_id, cycle_reason, cycle_started, cycle_finished, "
	    "categories, ndevices, bytes, part, parts, first_device) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "?15, ?16, ?17, ?18, ?19, ?20)",
	[COMMS_DEV_UPSERT] =
	    "INSERT INTO devices (gateway_id, key, vendor, model, serial, "
	    "first_seen, last_seen, last_document) VALUES (?1, ?2, "
	    "coalesce(?3, ''), coalesce(?4, ''), coalesce(?5, ''), ?6, ?6, "
	    "?7) ON CONFLICT (gateway_id, key) DO UPDATE SET "
	    "vendor = CASE excluded.vendor WHEN '' THEN vendor "
	    "ELSE excluded.vendor END, "
	    "model = CASE excluded.model WHEN '' THEN model "
	    "ELSE excluded.model END, "
	    "serial = CASE excluded.serial WHEN '' THEN serial "
	    "ELSE excluded.serial END, "
	    "first_seen = min(first_seen, excluded.first_seen), "
	    "last_seen = max(last_seen, excluded.last_seen), "
	    "last_document = excluded.last_document",
	[COMMS_REPORT_INSERT] =
	    "INSERT INTO device_reports (document_id, ordinal, device_key, "
	    "outcome, collected, address, reason, vendor, model, "
	    "model_source, serial, serial_source, firmware, "
	    "firmware_source, sysobjectid, enterprise, sysdescr, sysname, "
	    "syscontact, syslocation, device_status, printer_status, uptime, "
	    "errors, state, state_since) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
	    "?21, ?22, ?23, ?24, ?25, ?26)",
	[COMMS_METER_INSERT] =
	    "INSERT INTO meters (document_id, device_ord, device_key, "
	    "ordinal, name, unit, value, source, flag, previous) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[COMMS_SUPPLY_INSERT] =
	    "INSERT INTO supplies (document_id, device_ord, device_key, "
	    "ordinal, idx, description, class, type, color, unit, max, "
	    "level, percent) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	    "?10, ?11, ?12, ?13)",
	[COMMS_ALERT_INSERT] =
	    "INSERT INTO alerts (document_id, device_ord, device_key, "
	    "ordinal, idx, severity, grp, code, description, time) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[COMMS_JOBDATA_INSERT] =
	    "INSERT INTO jobdata (document_id, device_ord, device_key, "
	    "sealed) VALUES (?1, ?2, ?3, ?4)",
	/* the first document that carries an incident stores it */
	[COMMS_INCIDENT_INSERT] =
	    "INSERT INTO incidents (gateway_id, incident_id, document_id, "
	    "kind, origin, device_key, created, problem, contact_name, "
	    "contact_email, contact_phone, received, status, status_time) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
	    "'received', ?12) ON CONFLICT (gateway_id, incident_id) DO NOTHING",
	[COMMS_INCSUPPLY_INSERT] =
	    "INSERT INTO incident_supplies (incident, idx, description, type, "
	    "color, max, level, percent) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "?8)",
};

static const char pragmas[] =
	"PRAGMA synchronous = FULL;\n"
	"PRAGMA foreign_keys = ON;\n"
	"PRAGMA temp_store = MEMORY;\n"
	"PRAGMA journal_size_limit = 16777216;\n";

const char *
comms_db_errmsg(const struct comms_db *db)
{
	return db->h != NULL ? sqlite3_errmsg(db->h) : "no database";
}

int
comms_db_open(struct comms_db *db, const char *path, int flags, char *err,
    size_t errlen)
{
	int	 oflags, i, v;

	memset(db, 0, sizeof(*db));
	db->readonly = (flags & COMMS_DB_READONLY) != 0;
	oflags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
	if (db->readonly)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE |
		    ((flags & COMMS_DB_CREATE) ? SQLITE_OPEN_CREATE : 0);
	if (sql_open(path, oflags, 5000, &db->h, err, errlen) == -1) {
		comms_db_close(db);
		return -1;
	}
	if (db->readonly) {
		if ((v = sql_user_version(db->h)) != COMMS_DB_VERSION) {
			(void)snprintf(err, errlen, "%s: not a commsd database "
			    "of schema version %d (found %d)", path,
			    COMMS_DB_VERSION, v);
			comms_db_close(db);
			return -1;
		}
		return 0;
	}
	if (sql_settings(db->h, path, pragmas, err, errlen) == -1 ||
	    sql_migrate(db->h, migrations, COMMS_DB_VERSION, err,
	    errlen) == -1) {
		comms_db_close(db);
		return -1;
	}
	for (i = 0; i < COMMS_NSTMT; i++)
		if (sqlite3_prepare_v3(db->h, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->st[i], NULL) != SQLITE_OK)
			goto fail;
	return 0;
 fail:
	(void)snprintf(err, errlen, "%s: %s", path, comms_db_errmsg(db));
	comms_db_close(db);
	return -1;
}

void
comms_db_close(struct comms_db *db)
{
	int	 i;

	for (i = 0; i < COMMS_NSTMT; i++)
		if (db->st[i] != NULL)
			sqlite3_finalize(db->st[i]);
	if (db->h != NULL)
		sqlite3_close(db->h);
	memset(db, 0, sizeof(*db));
}

int
comms_db_log(struct comms_db *db, int64_t now, const char *kind,
    const char *summary, const char *detail)
{
	int64_t	 seq;

	if (db->h == NULL || db->readonly)
		return -1;
	if (sql_exec(db->h, "BEGIN IMMEDIATE") == -1)
		return -1;
	if (txlog_append(db->h, now, kind, summary, detail, &seq) == -1 ||
	    sql_exec(db->h, "COMMIT") == -1) {
		(void)sql_rollback(db->h);
		return -1;
	}
	return 0;
}

/*
 * Storing the extract (check.h): each record's fields are bound as they
 * are, an absent one as NULL; the integer columns take the text the
 * document gave, as the schema checked it, or NULL.
 */

/* an xs:long (or narrower) as the schema checked it: white space around */
static int
parse_long(const char *s, size_t len, int64_t *v)
{
	const char	*p = s, *e = s + len;
	int		 neg = 0;
	uint64_t	 n = 0, lim;

	if (s == NULL)
		return -1;
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (p < e && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	if (p == e || *p < '0' || *p > '9')
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; p < e && *p >= '0' && *p <= '9'; p++) {
		if (n > (lim - (uint64_t)(*p - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (p != e)
		return -1;
	*v = neg ? (int64_t)(0 - n) : (int64_t)n;
	return 0;
}

/* a field as text, or NULL */
static int
bind_f(sqlite3_stmt *st, int i, const struct comms_field *f)
{
	if (f->s == NULL)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text64(st, i, f->s, f->len, SQLITE_STATIC,
	    SQLITE_UTF8);
}

/* a field as an integer, NULL when absent or not one */
static int
bind_fint(sqlite3_stmt *st, int i, const struct comms_field *f)
{
	int64_t	 v;

	if (f->s != NULL && parse_long(f->s, f->len, &v) == 0)
		return sqlite3_bind_int64(st, i, v);
	return sqlite3_bind_null(st, i);
}

static int
step_done(sqlite3_stmt *st)
{
	int	 rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

#define B(x)	do { if (rc == SQLITE_OK) rc = (x); } while (0)

/*
 * The readings tables (meters, supplies, alerts): the first four columns
 * are always document_id, device_ord, device_key and ordinal; then the
 * record's fields in order, some of them integers.
 */
static const struct rd_table {
	int		 tag;
	enum comms_stmt	 stmt;
	unsigned int	 integers;	/* bits of the integer columns */
} rd_tables[] = {
	{ COMMS_REC_METER, COMMS_METER_INSERT,
	    1U << XM_VALUE | 1U << XM_PREVIOUS },
	{ COMMS_REC_SUPPLY, COMMS_SUPPLY_INSERT,
	    1U << XS_MAX | 1U << XS_LEVEL | 1U << XS_PERCENT },
	{ COMMS_REC_ALERT, COMMS_ALERT_INSERT, 1U << XA_TIME },
};
#define RD_NTABLES	(sizeof(rd_tables) / sizeof(rd_tables[0]))

static int
store_reading(struct comms_db *db, const struct comms_record *r,
    int64_t docid, int64_t ord, const struct comms_field *key,
    int64_t *ordinals)
{
	const struct rd_table	*t = NULL;
	sqlite3_stmt		*st;
	size_t			 i, c, ncols;
	int			 rc = SQLITE_OK;

	for (i = 0; i < RD_NTABLES; i++)
		if (rd_tables[i].tag == r->tag)
			t = &rd_tables[i];
	if (t == NULL)
		return -1;
	st = db->st[t->stmt];
	ncols = comms_rec_ncols(r->tag);
	B(sqlite3_bind_int64(st, 1, docid));
	B(sqlite3_bind_int64(st, 2, ord));
	B(bind_f(st, 3, key));
	B(sqlite3_bind_int64(st, 4, ordinals[t - rd_tables]++));
	for (c = 0; c < ncols; c++) {
		if (t->integers & (1U << c))
			B(bind_fint(st, 5 + (int)c, &r->f[c]));
		else
			B(bind_f(st, 5 + (int)c, &r->f[c]));
	}
	if (rc != SQLITE_OK || step_done(st) == -1)
		return -1;
	return 0;
}

/*
 * An incident, stored by the first document that carries it (every part
 * of a cycle does, and a document may come again): *stored says whether
 * this one did, so that its supplies follow it or not.
 */
static int
store_incident(struct comms_db *db, int64_t gwid, int64_t docid,
    const struct comms_record *r, int64_t now, int64_t *stored)
{
	sqlite3_stmt	*st = db->st[COMMS_INCIDENT_INSERT];
	int64_t		 id;
	int		 rc = SQLITE_OK, c;

	*stored = 0;
	if (parse_long(r->f[XI_ID].s, r->f[XI_ID].len, &id) == -1 || id <= 0)
		return -1;
	B(sqlite3_bind_int64(st, 1, gwid));
	B(sqlite3_bind_int64(st, 2, id));
	B(sqlite3_bind_int64(st, 3, docid));
	B(bind_f(st, 4, &r->f[XI_KIND]));
	B(bind_f(st, 5, &r->f[XI_ORIGIN]));
	B(bind_f(st, 6, &r->f[XI_DEVICE]));
	B(bind_f(st, 7, &r->f[XI_CREATED]));
	for (c = XI_PROBLEM; c <= XI_PHONE; c++)
		B(bind_f(st, 8 + c - XI_PROBLEM, &r->f[c]));
	B(sqlite3_bind_int64(st, 12, now));
	if (rc != SQLITE_OK || step_done(st) == -1)
		return -1;
	if (sqlite3_changes(db->h) == 1)
		*stored = sqlite3_last_insert_rowid(db->h);
	return 0;
}

static int
store_incsupply(struct comms_db *db, int64_t incident,
    const struct comms_record *r)
{
	sqlite3_stmt	*st = db->st[COMMS_INCSUPPLY_INSERT];
	int		 rc = SQLITE_OK;

	B(sqlite3_bind_int64(st, 1, incident));
	B(bind_f(st, 2, &r->f[XN_INDEX]));
	B(bind_f(st, 3, &r->f[XN_DESCRIPTION]));
	B(bind_f(st, 4, &r->f[XN_TYPE]));
	B(bind_f(st, 5, &r->f[XN_COLOR]));
	B(bind_fint(st, 6, &r->f[XN_MAX]));
	B(bind_fint(st, 7, &r->f[XN_LEVEL]));
	B(bind_fint(st, 8, &r->f[XN_PERCENT]));
	if (rc != SQLITE_OK || step_done(st) == -1)
		return -1;
	return 0;
}

/* a device's sealed job data, as it came */
static int
store_jobdata(struct comms_db *db, const struct comms_record *r,
    int64_t docid, int64_t ord, const struct comms_field *key)
{
	sqlite3_stmt	*st = db->st[COMMS_JOBDATA_INSERT];
	int		 rc = SQLITE_OK;

	B(sqlite3_bind_int64(st, 1, docid));
	B(sqlite3_bind_int64(st, 2, ord));
	B(bind_f(st, 3, key));
	B(bind_f(st, 4, &r->f[XJ_DATA]));
	if (rc != SQLITE_OK || step_done(st) == -1)
		return -1;
	return 0;
}

static int
store_device(struct comms_db *db, int64_t gwid, int64_t docid, int64_t ord,
    const struct comms_record *r, int64_t now)
{
	static const int	 text_cols[] = { XD_OUTCOME, XD_COLLECTED,
	    XD_ADDRESS, XD_REASON, XD_VENDOR, XD_MODEL, XD_MODEL_SOURCE,
	    XD_SERIAL, XD_SERIAL_SOURCE, XD_FIRMWARE, XD_FIRMWARE_SOURCE,
	    XD_SYSOBJECTID };
	static const int	 text_cols2[] = { XD_SYSDESCR, XD_SYSNAME,
	    XD_SYSCONTACT, XD_SYSLOCATION, XD_DEVICE_STATUS,
	    XD_PRINTER_STATUS };
	sqlite3_stmt		*st = db->st[COMMS_REPORT_INSERT];
	size_t			 i;
	int			 rc = SQLITE_OK, n = 4;

	/* the columns of the statement follow the record's order */
	B(sqlite3_bind_int64(st, 1, docid));
	B(sqlite3_bind_int64(st, 2, ord));
	B(bind_f(st, 3, &r->f[XD_KEY]));
	for (i = 0; i < sizeof(text_cols) / sizeof(text_cols[0]); i++)
		B(bind_f(st, n++, &r->f[text_cols[i]]));
	B(bind_fint(st, n++, &r->f[XD_ENTERPRISE]));
	for (i = 0; i < sizeof(text_cols2) / sizeof(text_cols2[0]); i++)
		B(bind_f(st, n++, &r->f[text_cols2[i]]));
	B(bind_fint(st, n++, &r->f[XD_UPTIME]));
	B(bind_f(st, n++, &r->f[XD_ERRORS]));
	B(bind_f(st, n++, &r->f[XD_STATE]));
	B(bind_f(st, n, &r->f[XD_STATE_SINCE]));
	if (rc != SQLITE_OK || step_done(st) == -1)
		return -1;

	st = db->st[COMMS_DEV_UPSERT];
	B(sqlite3_bind_int64(st, 1, gwid));
	B(bind_f(st, 2, &r->f[XD_KEY]));
	B(bind_f(st, 3, &r->f[XD_VENDOR]));
	B(bind_f(st, 4, &r->f[XD_MODEL]));
	B(bind_f(st, 5, &r->f[XD_SERIAL]));
	B(sqlite3_bind_int64(st, 6, now));
	B(sqlite3_bind_int64(st, 7, docid));
	if (rc != SQLITE_OK || step_done(st) == -1)
		return -1;
	return 0;
}

/* the gateway row of this certificate's CN, created or refreshed */
static int
gateway_id(struct comms_db *db, const struct comms_peer *peer, int64_t now,
    int64_t *id)
{
	sqlite3_stmt	*st = db->st[COMMS_GW_FIND];
	int		 rc = SQLITE_OK;

	B(sqlite3_bind_text(st, 1, peer->cn, -1, SQLITE_STATIC));
	if (rc != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		st = db->st[COMMS_GW_UPDATE];
		rc = SQLITE_OK;
		B(sqlite3_bind_int64(st, 1, *id));
		B(sqlite3_bind_text(st, 2, peer->cert_sha256, -1,
		    SQLITE_STATIC));
		B(sqlite3_bind_int64(st, 3, now));
		return rc == SQLITE_OK ? step_done(st) : -1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	st = db->st[COMMS_GW_INSERT];
	rc = SQLITE_OK;
	B(sqlite3_bind_text(st, 1, peer->cn, -1, SQLITE_STATIC));
	B(sqlite3_bind_text(st, 2, peer->cert_sha256, -1, SQLITE_STATIC));
	B(sqlite3_bind_int64(st, 3, now));
	if (rc != SQLITE_OK || step_done(st) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(db->h);
	return 0;
}

/* the document already stored for this gateway, if any: 1, 0 or -1 */
static int
find_document(struct comms_db *db, int64_t gwid, const char *sha,
    struct comms_stored *out)
{
	sqlite3_stmt	*st = db->st[COMMS_DOC_FIND];
	int		 rc = SQLITE_OK;

	B(sqlite3_bind_int64(st, 1, gwid));
	B(sqlite3_bind_text(st, 2, sha, -1, SQLITE_STATIC));
	if (rc != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->cycle = sqlite3_column_int64(st, 1);
		out->ndevices = sqlite3_column_int64(st, 2);
		out->duplicates = sqlite3_column_int64(st, 3) + 1;
		out->part = sqlite3_column_int64(st, 4);
		out->parts = sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
insert_document(struct comms_db *db, int64_t gwid,
    const struct comms_peer *peer, const struct comms_doc *doc, int64_t now,
    struct comms_stored *out)
{
	sqlite3_stmt		*st = db->st[COMMS_DOC_INSERT];
	struct comms_record	 r, dev;
	size_t			 off = 0;
	int64_t			 ord = -1, cid = 0, first, ordinals[RD_NTABLES];
	int64_t			 incident = 0;
	int			 rc = SQLITE_OK;

	if (!comms_extract_next(doc->extract, doc->extractlen, &off, &r) ||
	    r.tag != COMMS_REC_UPLOAD)
		return -1;	/* cannot be: the extract was checked */
	(void)parse_long(r.f[XU_CYCLE].s, r.f[XU_CYCLE].len, &cid);
	comms_upload_part(&r, &out->part, &out->parts, &first);
	B(sqlite3_bind_int64(st, 1, gwid));
	B(sqlite3_bind_text(st, 2, doc->sha256, -1, SQLITE_STATIC));
	B(sqlite3_bind_int64(st, 3, now));
	B(sqlite3_bind_int64(st, 4, (int64_t)doc->len));
	B(sqlite3_bind_text(st, 5, doc->encoding, -1, SQLITE_STATIC));
	B(sqlite3_bind_int64(st, 6, (int64_t)doc->wire_len));
	B(sqlite3_bind_text(st, 7, peer->cert_sha256, -1, SQLITE_STATIC));
	B(bind_f(st, 8, &r.f[XU_GATEWAY]));
	B(bind_f(st, 9, &r.f[XU_SOFTWARE]));
	B(bind_f(st, 10, &r.f[XU_SITE]));
	B(sqlite3_bind_int64(st, 11, cid));
	B(bind_f(st, 12, &r.f[XU_REASON]));
	B(bind_f(st, 13, &r.f[XU_STARTED]));
	B(bind_f(st, 14, &r.f[XU_FINISHED]));
	B(bind_f(st, 15, &r.f[XU_CATEGORIES]));
	B(sqlite3_bind_int64(st, 16, (int64_t)doc->ndevices));
	B(sqlite3_bind_blob64(st, 17, doc->bytes, doc->len, SQLITE_STATIC));
	B(sqlite3_bind_int64(st, 18, out->part));
	B(sqlite3_bind_int64(st, 19, out->parts));
	B(sqlite3_bind_int64(st, 20, first));
	if (rc != SQLITE_OK || step_done(st) == -1)
		return -1;
	out->id = sqlite3_last_insert_rowid(db->h);
	out->cycle = cid;
	out->ndevices = (int64_t)doc->ndevices;
	memset(&dev, 0, sizeof(dev));
	while (comms_extract_next(doc->extract, doc->extractlen, &off, &r)) {
		if (r.tag == COMMS_REC_DEVICE) {
			dev = r;
			memset(ordinals, 0, sizeof(ordinals));
			if (store_device(db, gwid, out->id, ++ord, &r,
			    now) == -1)
				return -1;
		} else if (r.tag == COMMS_REC_INCIDENT) {
			if (store_incident(db, gwid, out->id, &r, now,
			    &incident) == -1)
				return -1;
		} else if (r.tag == COMMS_REC_INCSUPPLY) {
			if (incident > 0 && store_incsupply(db, incident,
			    &r) == -1)
				return -1;
		} else if (r.tag == COMMS_REC_JOBDATA) {
			if (ord < 0 || store_jobdata(db, &r, out->id, ord,
			    &dev.f[XD_KEY]) == -1)
				return -1;
		} else if (ord < 0 || store_reading(db, &r, out->id, ord,
		    &dev.f[XD_KEY], ordinals) == -1)
			return -1;
	}
	return off == doc->extractlen ? 0 : -1;
}

/*
 * A new document's place in its cycle: the cycle's row made or found,
 * the part counted unless another document of the cycle had the same
 * part number.  0; -2 when its count disagrees with the cycle's (err
 * says so); -1 on a database error (err says it).
 */
static int
cycle_part(struct comms_db *db, int64_t gwid, const struct comms_peer *peer,
    const struct comms_doc *doc, int64_t now, struct comms_stored *out,
    char *err, size_t errlen)
{
	struct comms_record	 r;
	sqlite3_stmt		*st = NULL;
	size_t			 off = 0;
	int64_t			 cyc = 0, parts, received, completed, same;
	int			 rc = SQLITE_OK;

	if (!comms_extract_next(doc->extract, doc->extractlen, &off, &r) ||
	    r.tag != COMMS_REC_UPLOAD)
		goto fail;
	/* another document of this cycle with this part number? */
	if (sqlite3_prepare_v2(db->h, "SELECT count(*) FROM documents WHERE "
	    "gateway_id = ?1 AND cycle_id = ?2 AND cycle_started = ?3 AND "
	    "part = ?4 AND id != ?5", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	B(sqlite3_bind_int64(st, 1, gwid));
	B(sqlite3_bind_int64(st, 2, out->cycle));
	B(bind_f(st, 3, &r.f[XU_STARTED]));
	B(sqlite3_bind_int64(st, 4, out->part));
	B(sqlite3_bind_int64(st, 5, out->id));
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto fail;
	same = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;

	if (sqlite3_prepare_v2(db->h, "INSERT INTO cycles (gateway_id, "
	    "cycle_id, cycle_started, parts, received, devices, "
	    "first_received) VALUES (?1, ?2, ?3, ?4, 0, 0, ?5) "
	    "ON CONFLICT (gateway_id, cycle_id, cycle_started) DO NOTHING",
	    -1, &st, NULL) != SQLITE_OK)
		goto fail;
	B(sqlite3_bind_int64(st, 1, gwid));
	B(sqlite3_bind_int64(st, 2, out->cycle));
	B(bind_f(st, 3, &r.f[XU_STARTED]));
	B(sqlite3_bind_int64(st, 4, out->parts));
	B(sqlite3_bind_int64(st, 5, now));
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;

	if (sqlite3_prepare_v2(db->h, "SELECT id, parts, received, "
	    "coalesce(completed, 0) FROM cycles WHERE gateway_id = ?1 AND "
	    "cycle_id = ?2 AND cycle_started = ?3", -1, &st, NULL) !=
	    SQLITE_OK)
		goto fail;
	B(sqlite3_bind_int64(st, 1, gwid));
	B(sqlite3_bind_int64(st, 2, out->cycle));
	B(bind_f(st, 3, &r.f[XU_STARTED]));
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto fail;
	cyc = sqlite3_column_int64(st, 0);
	parts = sqlite3_column_int64(st, 1);
	received = sqlite3_column_int64(st, 2);
	completed = sqlite3_column_int64(st, 3);
	sqlite3_finalize(st);
	st = NULL;
	if (parts != out->parts) {
		(void)snprintf(err, errlen, "part %" PRId64 " of cycle %" PRId64
		    " says the cycle has %" PRId64 " parts, its parts before "
		    "said %" PRId64, out->part, out->cycle, out->parts, parts);
		return -2;
	}
	out->received = received;
	if (same > 0)
		return 0;	/* that part was here already */
	out->received = ++received;
	out->completed = received == parts && completed == 0;
	if (sqlite3_prepare_v2(db->h, "UPDATE cycles SET received = ?2, "
	    "devices = devices + ?3, completed = CASE WHEN ?4 THEN ?5 ELSE "
	    "completed END WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	B(sqlite3_bind_int64(st, 1, cyc));
	B(sqlite3_bind_int64(st, 2, received));
	B(sqlite3_bind_int64(st, 3, out->ndevices));
	B(sqlite3_bind_int(st, 4, out->completed));
	B(sqlite3_bind_int64(st, 5, now));
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	return 0;
 fail:
	(void)snprintf(err, errlen, "%s", comms_db_errmsg(db));
	sqlite3_finalize(st);
	return -1;
}

/* the record of a cycle whose last missing part arrived */
static int
log_cycle(struct comms_db *db, const struct comms_peer *peer, int64_t now,
    const struct comms_stored *out)
{
	struct comms_detail	 dt;
	sqlite3_stmt		*st;
	char			 summary[512];
	char			*detail;
	int64_t			 devices = 0, seq;
	int			 rv;

	if (sqlite3_prepare_v2(db->h, "SELECT devices FROM cycles c JOIN "
	    "documents d ON d.gateway_id = c.gateway_id AND d.cycle_id = "
	    "c.cycle_id AND d.cycle_started = c.cycle_started WHERE "
	    "d.id = ?1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_bind_int64(st, 1, out->id) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		devices = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	(void)snprintf(summary, sizeof(summary), "cycle %" PRId64 " of %s "
	    "complete: %" PRId64 " parts, %" PRId64 " devices", out->cycle,
	    peer->cn, out->parts, devices);
	log_info("%s", summary);
	comms_detail_begin(&dt);
	comms_detail_peer(&dt, peer);
	json_kv_int(&dt.j, "cycle", out->cycle);
	json_kv_int(&dt.j, "parts", out->parts);
	json_kv_int(&dt.j, "devices", devices);
	json_kv_int(&dt.j, "last_document", out->id);
	detail = comms_detail_end(&dt);
	rv = txlog_append(db->h, now, COMMS_LOG_CYCLE, summary, detail, &seq);
	free(detail);
	return rv;
}

/* the upload record: summary and detail */
static int
log_upload(struct comms_db *db, const struct comms_peer *peer,
    const struct comms_doc *doc, int64_t now, struct comms_stored *out)
{
	struct comms_detail	 dt;
	struct comms_record	 r;
	char			 summary[512];
	char			*detail, *claimed;
	size_t			 off = 0;
	int			 rv;

	if (out->duplicate)
		(void)snprintf(summary, sizeof(summary), "duplicate upload "
		    "from %s: document %" PRId64 " received again (duplicate "
		    "%" PRId64 "), sha256 %.16s", peer->cn, out->id,
		    out->duplicates, doc->sha256);
	else if (out->parts > 1)
		(void)snprintf(summary, sizeof(summary), "upload from %s: "
		    "document %" PRId64 ", cycle %" PRId64 " (part %" PRId64
		    " of %" PRId64 "), %" PRId64 " devices, %zu bytes (%s), "
		    "sha256 %.16s", peer->cn, out->id, out->cycle, out->part,
		    out->parts, out->ndevices, doc->len, doc->encoding,
		    doc->sha256);
	else
		(void)snprintf(summary, sizeof(summary), "upload from %s: "
		    "document %" PRId64 ", cycle %" PRId64 ", %" PRId64
		    " devices, %zu bytes (%s), sha256 %.16s", peer->cn,
		    out->id, out->cycle, out->ndevices, doc->len,
		    doc->encoding, doc->sha256);
	comms_detail_begin(&dt);
	comms_detail_peer(&dt, peer);
	json_kv_int(&dt.j, "document", out->id);
	json_kv_string(&dt.j, "sha256", doc->sha256);
	json_kv_uint(&dt.j, "size", doc->len);
	json_kv_uint(&dt.j, "wire_size", doc->wire_len);
	json_kv_string(&dt.j, "encoding", doc->encoding);
	json_kv_int(&dt.j, "cycle", out->cycle);
	json_kv_int(&dt.j, "part", out->part);
	json_kv_int(&dt.j, "parts", out->parts);
	json_kv_int(&dt.j, "devices", out->ndevices);
	json_kv_bool(&dt.j, "duplicate", out->duplicate);
	if (out->duplicate)
		json_kv_int(&dt.j, "duplicates_seen", out->duplicates);
	if (doc->claimed_sha256 != NULL) {
		json_kv_string(&dt.j, "claimed_sha256", doc->claimed_sha256);
		json_kv_bool(&dt.j, "claimed_sha256_matches",
		    strcmp(doc->claimed_sha256, doc->sha256) == 0);
	}
	if (doc->user_agent != NULL && doc->user_agent[0] != '\0')
		json_kv_string(&dt.j, "user_agent", doc->user_agent);
	/* the certificate names the gateway; the document's claim differs */
	if (comms_extract_next(doc->extract, doc->extractlen, &off, &r) &&
	    r.tag == COMMS_REC_UPLOAD && r.f[XU_GATEWAY].s != NULL) {
		if ((claimed = strndup(r.f[XU_GATEWAY].s,
		    r.f[XU_GATEWAY].len)) == NULL)
			fatal("%s", __func__);
		if (strcmp(claimed, peer->cn) != 0) {
			log_warnx("%s (%s): the document says it is from "
			    "gateway \"%.64s\"", peer->cn, peer->address,
			    claimed);
			json_kv_string(&dt.j, "claimed_gateway", claimed);
		}
		free(claimed);
	}
	detail = comms_detail_end(&dt);
	rv = txlog_append(db->h, now, out->duplicate ? COMMS_LOG_DUPLICATE :
	    COMMS_LOG_UPLOAD, summary, detail, &out->txseq);
	free(detail);
	return rv;
}

int
comms_db_store(struct comms_db *db, const struct comms_peer *peer,
    const struct comms_doc *doc, int64_t now, struct comms_stored *out,
    char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int64_t		 gwid;
	int		 r, rc = SQLITE_OK;

	memset(out, 0, sizeof(*out));
	if (sql_exec(db->h, "BEGIN IMMEDIATE") == -1)
		goto fail;
	if (gateway_id(db, peer, now, &gwid) == -1 ||
	    (r = find_document(db, gwid, doc->sha256, out)) == -1)
		goto fail;
	if (r == 1) {
		out->duplicate = 1;
		st = db->st[COMMS_DOC_DUPLICATE];
		B(sqlite3_bind_int64(st, 1, out->id));
		B(sqlite3_bind_int64(st, 2, now));
		if (rc != SQLITE_OK || step_done(st) == -1)
			goto fail;
	} else if (insert_document(db, gwid, peer, doc, now, out) == -1)
		goto fail;
	if (!out->duplicate && (r = cycle_part(db, gwid, peer, doc, now, out,
	    err, errlen)) != 0) {
		(void)sql_rollback(db->h);
		return r == -2 ? -2 : -1;
	}
	if (log_upload(db, peer, doc, now, out) == -1)
		goto fail;
	if (out->completed && out->parts > 1 &&
	    log_cycle(db, peer, now, out) == -1)
		goto fail;
	if (!out->duplicate) {
		st = db->st[COMMS_DOC_TXSEQ];
		B(sqlite3_bind_int64(st, 1, out->id));
		B(sqlite3_bind_int64(st, 2, out->txseq));
		if (rc != SQLITE_OK || step_done(st) == -1)
			goto fail;
	}
	if (sql_exec(db->h, "COMMIT") == -1)
		goto fail;
	return 0;
 fail:
	(void)snprintf(err, errlen, "%s", comms_db_errmsg(db));
	(void)sql_rollback(db->h);
	return -1;
}

/*
 * Details of log records: JSON objects in memory.
 */

void
comms_detail_begin(struct comms_detail *dt)
{
	memset(dt, 0, sizeof(*dt));
	if ((dt->fp = open_memstream(&dt->buf, &dt->len)) == NULL)
		fatal("open_memstream");
	json_init(&dt->j, dt->fp);
	json_object_begin(&dt->j);
}

void
comms_detail_peer(struct comms_detail *dt, const struct comms_peer *peer)
{
	json_kv_string(&dt->j, "peer", peer->address);
	json_kv_string_or_null(&dt->j, "gateway", peer->cn);
	json_kv_string_or_null(&dt->j, "cert_sha256", peer->cert_sha256);
	json_kv_string_or_null(&dt->j, "tls", peer->tls_version);
	json_kv_string_or_null(&dt->j, "cipher", peer->cipher);
}

char *
comms_detail_end(struct comms_detail *dt)
{
	json_object_end(&dt->j);
	if (json_finish(&dt->j) == -1 || fclose(dt->fp) != 0)
		fatalx("building a log record failed");
	return dt->buf;
}
