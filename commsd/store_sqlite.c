/*
 * commsd's database: its file in the state directory (commsd's root once
 * sandboxed).
 *
 * Connection: journal_mode=WAL (commsd -q reads while the server writes),
 * synchronous=FULL (a receipt is only sent for a committed document),
 * but NORMAL for a log record of its own (a connection, a refusal) and a
 * check-in (sq_lazy): nothing is promised on them, and their commit
 * need not wait for the disk; a power failure (not a crash of commsd)
 * may lose the last of them, which the next FULL commit, a document's,
 * makes durable with it, since the WAL is written in order.
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
 * Version 4: what check-ins left, the bundles served, the packages sent.
 *
 * checkins: the last check-in of each gateway
 *   gateway_id      INTEGER PRIMARY KEY   -> gateways
 *   checkins        INTEGER NOT NULL      how many so far
 *   last_checkin    INTEGER NOT NULL      unix time
 *   last_sequence   INTEGER NOT NULL      its LastSequence then
 *   software        TEXT NOT NULL         ch:CheckIn's software
 *
 * deliveries: each bundle sequence served to each gateway
 *   gateway_id      INTEGER NOT NULL      -> gateways
 *   sequence        INTEGER NOT NULL      PRIMARY KEY (gateway_id,
 *                                         sequence): one row for good
 *   file            TEXT NOT NULL         its name in instructions/CN/
 *   sha256          TEXT NOT NULL         of the file last served
 *   first_served, last_served INTEGER NOT NULL
 *   times_served    INTEGER NOT NULL
 *   acknowledged    INTEGER               when a check-in's LastSequence
 *                                         reached it; NULL: in flight
 *
 * packages_served: each package file sent
 *   id              INTEGER PRIMARY KEY
 *   gateway_id      INTEGER NOT NULL      -> gateways
 *   file            TEXT NOT NULL         NAME-VERSION[.sig]
 *   sha256          TEXT NOT NULL
 *   size            INTEGER NOT NULL
 *   served          INTEGER NOT NULL      unix time
 *   txseq           INTEGER NOT NULL      its "package" record
 *
 * Version 5 (issue 11): the data that needs its own consent.
 *
 * jobdata: the sealed job data of a device of a document (ch:JobData)
 *   id              INTEGER PRIMARY KEY   what -q jobdata ID names
 *   document_id     INTEGER NOT NULL      -> documents
 *   device_ord      INTEGER NOT NULL      device_reports.ordinal;
 *                                         UNIQUE (document_id, device_ord)
 *   device_key      TEXT NOT NULL
 *   sealed          TEXT NOT NULL         the base64 text, as it came: the
 *                                         server holds no key to open it
 *
 * incidents: each incident or supply request of a gateway, once
 *   id              INTEGER PRIMARY KEY   commsd's number (-q incidents,
 *                                         -S ... -q incident ID)
 *   gateway_id      INTEGER NOT NULL      -> gateways
 *   incident_id     INTEGER NOT NULL      the gateway's number;
 *                                         UNIQUE (gateway_id, incident_id)
 *   document_id     INTEGER NOT NULL      the first document carrying it
 *   kind, origin, device_key, created TEXT NOT NULL   as the document said
 *   problem, contact_name, contact_email, contact_phone TEXT
 *   received        INTEGER NOT NULL      unix time it was stored
 *   status          TEXT NOT NULL         received, shipped or closed
 *                                         (CHECK)
 *   status_time     INTEGER NOT NULL      when it was set
 *
 * incident_supplies: the supplies a supply request names
 *   incident        INTEGER NOT NULL      -> incidents; PRIMARY KEY
 *   idx             TEXT NOT NULL         (incident, idx)
 *   description, type, color TEXT
 *   max, level, percent INTEGER
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <grp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commsd.h"
#include "check.h"
#include "json.h"
#include "log.h"
#include "sandbox.h"
#include "sqlutil.h"
#include "storage.h"
#include "txlog.h"

enum sq_stmt {
	COMMS_GW_FIND,
	COMMS_GW_INSERT,
	COMMS_GW_UPDATE,
	COMMS_DOC_FIND,
	COMMS_DOC_DUPLICATE,
	COMMS_DOC_TXSEQ,
	COMMS_DOC_INSERT,
	COMMS_DEV_UPSERT,
	COMMS_REPORT_INSERT,
	COMMS_METER_INSERT,
	COMMS_SUPPLY_INSERT,
	COMMS_ALERT_INSERT,
	COMMS_JOBDATA_INSERT,
	COMMS_INCIDENT_INSERT,
	COMMS_INCSUPPLY_INSERT,
	COMMS_NSTMT
};

/*
 * The statements a check-in runs, prepared once and kept (SQLite
 * compiles a statement each time it is prepared: a tenth of the server's
 * time per check-in): by the address of their text, a literal.
 */
#define SQ_CACHED	16

struct sq_cached {
	const char	*sql;
	sqlite3_stmt	*st;
};

struct sq_db {
	sqlite3		*h;
	sqlite3_stmt	*st[COMMS_NSTMT];
	struct sq_cached cache[SQ_CACHED];
};
#define S(db)	((struct sq_db *)(db)->be)
#define H(db)	(S(db)->h)

static const char	*sq_errmsg(const struct comms_db *);
static sqlite3_stmt	*sq_stmt(struct comms_db *, const char *);
static void		 sq_done(sqlite3_stmt *);

/* a file does not go away: never */
static int
sq_lost(const struct comms_db *db)
{
	(void)db;
	return 0;
}

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

/* version 4: check-ins, the bundles served, the packages sent */
static const char schema_v4[] =
	"CREATE TABLE checkins (\n"
	"	gateway_id	INTEGER PRIMARY KEY REFERENCES gateways (id),\n"
	"	checkins	INTEGER NOT NULL,\n"
	"	last_checkin	INTEGER NOT NULL,\n"
	"	last_sequence	INTEGER NOT NULL,\n"
	"	software	TEXT NOT NULL\n"
	");\n"
	"CREATE TABLE deliveries (\n"
	"	gateway_id	INTEGER NOT NULL REFERENCES gateways (id),\n"
	"	sequence	INTEGER NOT NULL,\n"
	"	file		TEXT NOT NULL,\n"
	"	sha256		TEXT NOT NULL,\n"
	"	first_served	INTEGER NOT NULL,\n"
	"	last_served	INTEGER NOT NULL,\n"
	"	times_served	INTEGER NOT NULL,\n"
	"	acknowledged	INTEGER,\n"
	"	PRIMARY KEY (gateway_id, sequence)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE packages_served (\n"
	"	id		INTEGER PRIMARY KEY,\n"
	"	gateway_id	INTEGER NOT NULL REFERENCES gateways (id),\n"
	"	file		TEXT NOT NULL,\n"
	"	sha256		TEXT NOT NULL,\n"
	"	size		INTEGER NOT NULL,\n"
	"	served		INTEGER NOT NULL,\n"
	"	txseq		INTEGER NOT NULL\n"
	");\n";

/* version 5: job data, incidents and supply requests */
static const char schema_v5[] =
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
	{ schema_v5, NULL },
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

static const char *
sq_errmsg(const struct comms_db *db)
{
	return S(db) != NULL && H(db) != NULL ? sqlite3_errmsg(H(db)) :
	    "no database";
}

static void
sq_close(struct comms_db *db)
{
	struct sq_db	*d = S(db);
	int		 i;

	if (d == NULL)
		return;
	for (i = 0; i < COMMS_NSTMT; i++)
		if (d->st[i] != NULL)
			sqlite3_finalize(d->st[i]);
	for (i = 0; i < SQ_CACHED; i++)
		sqlite3_finalize(d->cache[i].st);
	if (d->h != NULL)
		sqlite3_close(d->h);
	free(d);
	db->be = NULL;
}

/*
 * path: the file inside the chroot (the server), or its whole path
 * (commsd -q, read-only)
 */
static int
sq_open(struct comms_db *db, const char *path, int flags, char *err,
    size_t errlen)
{
	int	 oflags, i, v, readonly;

	if ((db->be = calloc(1, sizeof(struct sq_db))) == NULL)
		fatal(NULL);
	readonly = (flags & COMMS_DB_READONLY) != 0;
	oflags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
	if (readonly)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE |
		    ((flags & COMMS_DB_CREATE) ? SQLITE_OPEN_CREATE : 0);
	if (sql_open(path, oflags, 5000, &H(db), err, errlen) == -1) {
		sq_close(db);
		return -1;
	}
	if (readonly) {
		if ((v = sql_user_version(H(db))) != COMMS_DB_VERSION) {
			(void)snprintf(err, errlen, "%s: not a commsd database "
			    "of schema version %d (found %d)", path,
			    COMMS_DB_VERSION, v);
			sq_close(db);
			return -1;
		}
		return 0;
	}
	if (sql_settings(H(db), path, pragmas, err, errlen) == -1 ||
	    sql_migrate(H(db), migrations, COMMS_DB_VERSION, err,
	    errlen) == -1) {
		sq_close(db);
		return -1;
	}
	for (i = 0; i < COMMS_NSTMT; i++)
		if (sqlite3_prepare_v3(H(db), stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &S(db)->st[i], NULL) !=
		    SQLITE_OK)
			goto fail;
	return 0;
 fail:
	(void)snprintf(err, errlen, "%s: %s", path, sq_errmsg(db));
	sq_close(db);
	return -1;
}

/*
 * The file made or migrated by a child in the conditions of the sandbox:
 * chrooted to the state directory, as the user.  Errors are reported
 * before commsd goes to the background.
 */
static int
sq_start(struct comms_db *db, const struct comms_conf *conf,
    const char *state, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	struct comms_db	 child;
	pid_t		 pid;
	int		 status;

	switch ((pid = fork())) {
	case -1:
		fatal("fork");
	case 0:
		if (chroot(state) == -1 || chdir("/") == -1)
			fatal("chroot %s", state);
		if (setgroups(1, &gid) == -1 ||
		    setresgid(gid, gid, gid) == -1 ||
		    setresuid(uid, uid, uid) == -1)
			fatal("dropping privileges");
		(void)umask(077);
		memset(&child, 0, sizeof(child));
		if (sq_open(&child, comms_db_name(conf), COMMS_DB_CREATE,
		    err, errlen) == -1)
			fatalx("database %s: %s", conf->database, err);
		sq_close(&child);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) == -1)
		fatal("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		(void)snprintf(err, errlen, "it could not be opened");
		return -1;
	}
	return 0;
}

/* inside the chroot: the file by its name there */
static int
sq_sandboxed(struct comms_db *db, const struct comms_conf *conf, char *err,
    size_t errlen)
{
	return sq_open(db, comms_db_name(conf), COMMS_DB_CREATE, err, errlen);
}

static const char sq_sync_normal[] = "PRAGMA synchronous = NORMAL";
static const char sq_sync_full[] = "PRAGMA synchronous = FULL";

/* the transactions that follow wait for the disk (FULL) or not: 0 or -1 */
static int
sq_lazy(struct comms_db *db, int lazy)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = sq_stmt(db, lazy ? sq_sync_normal : sq_sync_full)) == NULL)
		return -1;
	rc = sqlite3_step(st);
	sq_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
sq_log(struct comms_db *db, int64_t now, const char *kind,
    const char *summary, const char *detail)
{
	int64_t	 seq;
	int	 rv = 0;

	if (sq_lazy(db, 1) == -1)
		return -1;
	if (sql_exec(H(db), "BEGIN IMMEDIATE") == -1)
		rv = -1;
	else if (txlog_append(H(db), now, kind, summary, detail, &seq) ==
	    -1 || sql_exec(H(db), "COMMIT") == -1) {
		(void)sql_rollback(H(db));
		rv = -1;
	}
	if (sq_lazy(db, 0) == -1)
		fatalx("commsd's database: synchronous=FULL again: %s",
		    sq_errmsg(db));
	return rv;
}

/*
 * Storing the extract (check.h): each record's fields are bound as they
 * are, an absent one as NULL; the integer columns take the text the
 * document gave, as the schema checked it, or NULL.
 */

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

	if (f->s != NULL && comms_parse_long(f->s, f->len, &v) == 0)
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
	enum sq_stmt	 stmt;
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
	st = S(db)->st[t->stmt];
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
	sqlite3_stmt		*st = S(db)->st[COMMS_REPORT_INSERT];
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

	st = S(db)->st[COMMS_DEV_UPSERT];
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

/*
 * An incident, stored by the first document that carries it (every part
 * of a cycle does, and a document may come again): *stored is its row,
 * or 0 when an earlier document stored it, so that its supplies follow
 * it or not.
 */
static int
store_incident(struct comms_db *db, int64_t gwid, int64_t docid,
    const struct comms_record *r, int64_t now, int64_t *stored)
{
	sqlite3_stmt	*st = S(db)->st[COMMS_INCIDENT_INSERT];
	int64_t		 id;
	int		 rc = SQLITE_OK, c;

	*stored = 0;
	if (comms_parse_long(r->f[XI_ID].s, r->f[XI_ID].len, &id) == -1 ||
	    id <= 0)
		return -1;	/* cannot be: the schema wants numbers from 1 */
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
	if (sqlite3_changes(H(db)) == 1)
		*stored = sqlite3_last_insert_rowid(H(db));
	return 0;
}

static int
store_incsupply(struct comms_db *db, int64_t incident,
    const struct comms_record *r)
{
	sqlite3_stmt	*st = S(db)->st[COMMS_INCSUPPLY_INSERT];
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
	sqlite3_stmt	*st = S(db)->st[COMMS_JOBDATA_INSERT];
	int		 rc = SQLITE_OK;

	B(sqlite3_bind_int64(st, 1, docid));
	B(sqlite3_bind_int64(st, 2, ord));
	B(bind_f(st, 3, key));
	B(bind_f(st, 4, &r->f[XJ_DATA]));
	if (rc != SQLITE_OK || step_done(st) == -1)
		return -1;
	return 0;
}

/* the gateway row of this certificate's CN, created or refreshed */
static int
gateway_id(struct comms_db *db, const struct comms_peer *peer, int64_t now,
    int64_t *id)
{
	sqlite3_stmt	*st = S(db)->st[COMMS_GW_FIND];
	int		 rc = SQLITE_OK;

	B(sqlite3_bind_text(st, 1, peer->cn, -1, SQLITE_STATIC));
	if (rc != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		st = S(db)->st[COMMS_GW_UPDATE];
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
	st = S(db)->st[COMMS_GW_INSERT];
	rc = SQLITE_OK;
	B(sqlite3_bind_text(st, 1, peer->cn, -1, SQLITE_STATIC));
	B(sqlite3_bind_text(st, 2, peer->cert_sha256, -1, SQLITE_STATIC));
	B(sqlite3_bind_int64(st, 3, now));
	if (rc != SQLITE_OK || step_done(st) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(H(db));
	return 0;
}

/* the document already stored for this gateway, if any: 1, 0 or -1 */
static int
find_document(struct comms_db *db, int64_t gwid, const char *sha,
    struct comms_stored *out)
{
	sqlite3_stmt	*st = S(db)->st[COMMS_DOC_FIND];
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
	sqlite3_stmt		*st = S(db)->st[COMMS_DOC_INSERT];
	struct comms_record	 r, dev;
	size_t			 off = 0;
	int64_t			 ord = -1, cid = 0, first, ordinals[RD_NTABLES];
	int64_t			 incident = 0;
	int			 rc = SQLITE_OK;

	if (!comms_extract_next(doc->extract, doc->extractlen, &off, &r) ||
	    r.tag != COMMS_REC_UPLOAD)
		return -1;	/* cannot be: the extract was checked */
	(void)comms_parse_long(r.f[XU_CYCLE].s, r.f[XU_CYCLE].len, &cid);
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
	out->id = sqlite3_last_insert_rowid(H(db));
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
	if (sqlite3_prepare_v2(H(db), "SELECT count(*) FROM documents WHERE "
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

	if (sqlite3_prepare_v2(H(db), "INSERT INTO cycles (gateway_id, "
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

	if (sqlite3_prepare_v2(H(db), "SELECT id, parts, received, "
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
	if (sqlite3_prepare_v2(H(db), "UPDATE cycles SET received = ?2, "
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
	(void)snprintf(err, errlen, "%s", sq_errmsg(db));
	sqlite3_finalize(st);
	return -1;
}

/* the record of a cycle whose last missing part arrived */
static int
log_cycle(struct comms_db *db, const struct comms_peer *peer, int64_t now,
    const struct comms_stored *out)
{
	sqlite3_stmt	*st;
	char		 summary[512];
	char		*detail;
	int64_t		 devices = 0, seq;
	int		 rv;

	if (sqlite3_prepare_v2(H(db), "SELECT devices FROM cycles c JOIN "
	    "documents d ON d.gateway_id = c.gateway_id AND d.cycle_id = "
	    "c.cycle_id AND d.cycle_started = c.cycle_started WHERE "
	    "d.id = ?1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_bind_int64(st, 1, out->id) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		devices = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	detail = comms_cycle_record(peer, out, devices, summary,
	    sizeof(summary));
	log_info("%s", summary);
	rv = txlog_append(H(db), now, COMMS_LOG_CYCLE, summary, detail, &seq);
	free(detail);
	return rv;
}

/* the upload record: summary and detail */
static int
log_upload(struct comms_db *db, const struct comms_peer *peer,
    const struct comms_doc *doc, int64_t now, struct comms_stored *out)
{
	char		 summary[512];
	char		*detail;
	int		 rv;

	detail = comms_upload_record(peer, doc, out, summary, sizeof(summary));
	rv = txlog_append(H(db), now, out->duplicate ? COMMS_LOG_DUPLICATE :
	    COMMS_LOG_UPLOAD, summary, detail, &out->txseq);
	free(detail);
	return rv;
}

static int
sq_store(struct comms_db *db, const struct comms_peer *peer,
    const struct comms_doc *doc, int64_t now, struct comms_stored *out,
    char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int64_t		 gwid;
	int		 r, rc = SQLITE_OK;

	if (sql_exec(H(db), "BEGIN IMMEDIATE") == -1)
		goto fail;
	if (gateway_id(db, peer, now, &gwid) == -1 ||
	    (r = find_document(db, gwid, doc->sha256, out)) == -1)
		goto fail;
	if (r == 1) {
		out->duplicate = 1;
		st = S(db)->st[COMMS_DOC_DUPLICATE];
		B(sqlite3_bind_int64(st, 1, out->id));
		B(sqlite3_bind_int64(st, 2, now));
		if (rc != SQLITE_OK || step_done(st) == -1)
			goto fail;
	} else if (insert_document(db, gwid, peer, doc, now, out) == -1)
		goto fail;
	if (!out->duplicate && (r = cycle_part(db, gwid, peer, doc, now, out,
	    err, errlen)) != 0) {
		(void)sql_rollback(H(db));
		return r == -2 ? -2 : -1;
	}
	if (log_upload(db, peer, doc, now, out) == -1)
		goto fail;
	if (out->completed && out->parts > 1 &&
	    log_cycle(db, peer, now, out) == -1)
		goto fail;
	if (!out->duplicate) {
		st = S(db)->st[COMMS_DOC_TXSEQ];
		B(sqlite3_bind_int64(st, 1, out->id));
		B(sqlite3_bind_int64(st, 2, out->txseq));
		if (rc != SQLITE_OK || step_done(st) == -1)
			goto fail;
	}
	if (sql_exec(H(db), "COMMIT") == -1)
		goto fail;
	return 0;
 fail:
	(void)snprintf(err, errlen, "%s", sq_errmsg(db));
	(void)sql_rollback(H(db));
	return -1;
}


/* the statement of sql (a literal), prepared once; sq_done() after use */
static sqlite3_stmt *
sq_stmt(struct comms_db *db, const char *sql)
{
	struct sq_cached	*c = S(db)->cache;
	size_t			 i;

	for (i = 0; i < SQ_CACHED && c[i].sql != NULL; i++)
		if (c[i].sql == sql)
			return c[i].st;
	if (i == SQ_CACHED)
		fatalx("%s: more than %d statements", __func__, SQ_CACHED);
	if (sqlite3_prepare_v3(H(db), sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &c[i].st, NULL) != SQLITE_OK) {
		c[i].st = NULL;
		return NULL;
	}
	c[i].sql = sql;
	return c[i].st;
}

/* ready for the next use: no row held, no binding to the caller's text */
static void
sq_done(sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
}

/* one statement with integer or text parameters, run to its end */
static int
sq_run(struct comms_db *db, const char *sql, const struct comms_qarg *a,
    size_t n)
{
	sqlite3_stmt	*st;
	size_t		 i;
	int		 rc;

	if ((st = sq_stmt(db, sql)) == NULL)
		return -1;
	for (i = 0, rc = SQLITE_OK; i < n && rc == SQLITE_OK; i++)
		rc = a[i].s != NULL ? sqlite3_bind_text(st, (int)i + 1,
		    a[i].s, -1, SQLITE_STATIC) :
		    sqlite3_bind_int64(st, (int)i + 1, a[i].i);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sq_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static const char sq_incidents_sql[] = "SELECT incident_id, status FROM "
    "incidents WHERE gateway_id = ?1 AND received >= ?2 ORDER BY "
    "incident_id DESC LIMIT ?3";
static const char sq_inflight_sql[] = "SELECT count(*) FROM deliveries "
    "WHERE gateway_id = ?1 AND sequence = ?2 AND sha256 = ?3 AND "
    "acknowledged IS NULL AND last_served > ?4";

/* the gateway's incidents a check-in answers with */
static int
sq_incidents(struct comms_db *db, int64_t gw, const struct comms_checkin *ci)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = sq_stmt(db, sq_incidents_sql)) == NULL)
		return -1;
	if (sqlite3_bind_int64(st, 1, gw) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, ci->incidents_since) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, (int64_t)ci->incidents_max) !=
	    SQLITE_OK) {
		sq_done(st);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		ci->incident(ci->arg, sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1));
	sq_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * A check-in, in one IMMEDIATE transaction: SQLite has one writer at a
 * time, which serialises the check-ins of a gateway too.
 */
static int
sq_checkin_txn(struct comms_db *db, const struct comms_peer *peer,
    int64_t now, const struct comms_checkin *ci, const struct comms_bundle *b,
    size_t n, size_t *nserved)
{
	sqlite3_stmt	*st = NULL;
	char		 summary[512];
	char		*detail;
	int64_t		 gw, seq;
	size_t		 i, serve = n;
	int		 rc;

	*nserved = 0;
	if (sql_exec(H(db), "BEGIN IMMEDIATE") == -1)
		return -1;
	if (gateway_id(db, peer, now, &gw) == -1)
		goto fail;
	{
		struct comms_qarg a[] = { { gw, NULL }, { now, NULL },
		    { (int64_t)ci->last, NULL }, { 0, ci->software } };

		if (sq_run(db, "INSERT INTO checkins (gateway_id, checkins, "
		    "last_checkin, last_sequence, software) VALUES (?1, 1, "
		    "?2, ?3, ?4) ON CONFLICT (gateway_id) DO UPDATE SET "
		    "checkins = checkins + 1, last_checkin = "
		    "excluded.last_checkin, last_sequence = "
		    "excluded.last_sequence, software = excluded.software",
		    a, 4) == -1 ||
		    sq_run(db, "UPDATE deliveries SET acknowledged = ?2 WHERE "
		    "gateway_id = ?1 AND sequence <= ?3 AND acknowledged IS "
		    "NULL", a, 3) == -1)
			goto fail;
	}
	/* the first bundle still in flight holds back itself and the rest */
	if (!ci->replay) {
		if ((st = sq_stmt(db, sq_inflight_sql)) == NULL)
			goto fail;
		for (i = 0; i < n; i++) {
			sqlite3_reset(st);
			if (sqlite3_bind_int64(st, 1, gw) != SQLITE_OK ||
			    sqlite3_bind_int64(st, 2, (int64_t)b[i].seq) !=
			    SQLITE_OK || sqlite3_bind_text(st, 3, b[i].sha256,
			    -1, SQLITE_STATIC) != SQLITE_OK ||
			    sqlite3_bind_int64(st, 4, now -
			    COMMS_REDELIVER_SECONDS) != SQLITE_OK ||
			    (rc = sqlite3_step(st)) != SQLITE_ROW)
				goto fail;
			if (sqlite3_column_int64(st, 0) > 0) {
				serve = i;
				break;
			}
		}
		sq_done(st);
		st = NULL;
	}
	for (i = 0; i < serve; i++) {
		struct comms_qarg a[] = { { gw, NULL },
		    { (int64_t)b[i].seq, NULL }, { 0, b[i].file },
		    { 0, b[i].sha256 }, { now, NULL } };

		if (sq_run(db, "INSERT INTO deliveries (gateway_id, sequence, "
		    "file, sha256, first_served, last_served, times_served) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1) ON CONFLICT "
		    "(gateway_id, sequence) DO UPDATE SET "
		    "file = excluded.file, "
		    "sha256 = excluded.sha256, last_served = "
		    "excluded.last_served, times_served = times_served + 1, "
		    "acknowledged = NULL", a, 5) == -1)
			goto fail;
	}
	if (ci->incident != NULL && sq_incidents(db, gw, ci) == -1)
		goto fail;
	detail = ci->record(ci->arg, serve, n - serve, summary,
	    sizeof(summary));
	rc = txlog_append(H(db), now, COMMS_LOG_CHECKIN, summary, detail,
	    &seq);
	free(detail);
	if (rc == -1 || sql_exec(H(db), "COMMIT") == -1)
		goto fail;
	*nserved = serve;
	return 0;
 fail:
	sq_done(st);
	(void)sql_rollback(H(db));
	return -1;
}

/* a check-in: its commit need not wait for the disk (above) */
static int
sq_checkin(struct comms_db *db, const struct comms_peer *peer, int64_t now,
    const struct comms_checkin *ci, const struct comms_bundle *b, size_t n,
    size_t *nserved)
{
	int	 rv;

	*nserved = 0;
	if (sq_lazy(db, 1) == -1)
		return -1;
	rv = sq_checkin_txn(db, peer, now, ci, b, n, nserved);
	if (sq_lazy(db, 0) == -1)
		fatalx("commsd's database: synchronous=FULL again: %s",
		    sq_errmsg(db));
	return rv;
}

static int
sq_package(struct comms_db *db, const struct comms_peer *peer, int64_t now,
    const char *file, const char *sha256, size_t len, const char *summary,
    const char *detail)
{
	int64_t	 gw, seq;

	if (sql_exec(H(db), "BEGIN IMMEDIATE") == -1)
		return -1;
	if (gateway_id(db, peer, now, &gw) == -1 ||
	    txlog_append(H(db), now, COMMS_LOG_PACKAGE, summary, detail,
	    &seq) == -1)
		goto fail;
	{
		struct comms_qarg a[] = { { gw, NULL }, { 0, file },
		    { 0, sha256 }, { (int64_t)len, NULL }, { now, NULL },
		    { seq, NULL } };

		if (sq_run(db, "INSERT INTO packages_served (gateway_id, file, "
		    "sha256, size, served, txseq) VALUES (?1, ?2, ?3, ?4, ?5, "
		    "?6)", a, 6) == -1)
			goto fail;
	}
	if (sql_exec(H(db), "COMMIT") == -1)
		goto fail;
	return 0;
 fail:
	(void)sql_rollback(H(db));
	return -1;
}

/* an incident's status and its record, in one transaction */
static int
sq_incident_status(struct comms_db *db, int64_t id, const char *status,
    int64_t now, const char *summary, const char *detail)
{
	int64_t	 seq;

	if (sql_exec(H(db), "BEGIN IMMEDIATE") == -1)
		return -1;
	{
		struct comms_qarg a[] = { { id, NULL }, { 0, status },
		    { now, NULL } };

		if (sq_run(db, "UPDATE incidents SET status = ?2, status_time "
		    "= ?3 WHERE id = ?1", a, 3) == -1)
			goto fail;
	}
	if (sqlite3_changes(H(db)) != 1) {
		(void)sql_rollback(H(db));
		return 1;
	}
	if (txlog_append(H(db), now, COMMS_LOG_INCIDENT, summary, detail,
	    &seq) == -1 || sql_exec(H(db), "COMMIT") == -1)
		goto fail;
	return 0;
 fail:
	(void)sql_rollback(H(db));
	return -1;
}

/*
 * The queries of commsd -q (storage.h has their columns).
 */
static const char *const sq_queries[CQ_NQUERIES] = {
	[CQ_DOCUMENTS] =
	    "SELECT d.id, g.cn, d.sha256, d.received, d.size, d.encoding, "
	    "d.cycle_id, d.ndevices, d.duplicates_seen, d.part, d.parts "
	    "FROM documents d JOIN gateways g ON g.id = d.gateway_id "
	    "ORDER BY d.id",
	[CQ_CYCLES] =
	    "SELECT g.cn, c.cycle_id, c.cycle_started, c.parts, c.received, "
	    "c.devices, c.first_received, c.completed, c.gateway_id "
	    "FROM cycles c JOIN gateways g ON g.id = c.gateway_id "
	    "ORDER BY c.id",
	[CQ_CYCLE_PARTS] =
	    "SELECT DISTINCT part FROM documents WHERE gateway_id = ?1 AND "
	    "cycle_id = ?2 AND cycle_started = ?3 ORDER BY part",
	[CQ_DOCUMENT] =
	    "SELECT bytes FROM documents WHERE id = ?1",
	[CQ_LATEST] =
	    "SELECT coalesce(max(id), 0) FROM documents",
	[CQ_REPORTS] =
	    "SELECT ordinal, device_key, address, outcome, serial, vendor, "
	    "enterprise, model, firmware, device_status, printer_status, "
	    "errors, reason, sysdescr, sysobjectid, model_source, "
	    "serial_source, firmware_source, sysname, syscontact, "
	    "syslocation, uptime, collected FROM device_reports "
	    "WHERE document_id = ?1 ORDER BY ordinal",
	[CQ_METERS] =
	    "SELECT name, unit, value, source FROM meters "
	    "WHERE document_id = ?1 AND device_ord = ?2 ORDER BY ordinal",
	[CQ_SUPPLIES] =
	    "SELECT idx, description, class, type, color, unit, max, level, "
	    "percent FROM supplies WHERE document_id = ?1 AND "
	    "device_ord = ?2 ORDER BY ordinal",
	[CQ_ALERTS] =
	    "SELECT idx, severity, grp, code, description, time FROM alerts "
	    "WHERE document_id = ?1 AND device_ord = ?2 ORDER BY ordinal",
	[CQ_LOG] =
	    "SELECT seq, time, kind, summary, detail, hash FROM txlog "
	    "ORDER BY seq",
	[CQ_CHECKINS] =
	    "SELECT g.cn, c.checkins, c.last_checkin, c.last_sequence, "
	    "c.software FROM checkins c JOIN gateways g ON "
	    "g.id = c.gateway_id ORDER BY g.cn",
	[CQ_DELIVERIES] =
	    "SELECT g.cn, d.sequence, d.file, d.sha256, d.first_served, "
	    "d.last_served, d.times_served, d.acknowledged FROM deliveries d "
	    "JOIN gateways g ON g.id = d.gateway_id ORDER BY g.cn, "
	    "d.sequence",
	[CQ_INCIDENTS] =
	    "SELECT i.id, g.cn, i.incident_id, i.kind, i.origin, "
	    "i.device_key, i.created, i.status, i.problem, i.contact_name, "
	    "i.contact_email, i.contact_phone, (SELECT group_concat(idx, ' ') "
	    "FROM (SELECT idx FROM incident_supplies s WHERE s.incident = "
	    "i.id ORDER BY idx)), i.document_id, i.status_time "
	    "FROM incidents i JOIN gateways g ON g.id = i.gateway_id "
	    "ORDER BY i.id",
	[CQ_JOBDATA] =
	    "SELECT j.id, j.document_id, g.cn, j.device_key, d.received, "
	    "j.sealed FROM jobdata j JOIN documents d ON d.id = j.document_id "
	    "JOIN gateways g ON g.id = d.gateway_id ORDER BY j.id",
	[CQ_JOBDATA_ONE] =
	    "SELECT sealed FROM jobdata WHERE id = ?1",
};

struct comms_q {
	sqlite3_stmt	*st;
};

static struct comms_q *
sq_q_open(struct comms_db *db, enum comms_query q,
    const struct comms_qarg *a, size_t n)
{
	struct comms_q	*r;
	size_t		 i;
	int		 rc = SQLITE_OK;

	if ((unsigned int)q >= CQ_NQUERIES)
		fatalx("%s: query %d", __func__, (int)q);
	if ((r = calloc(1, sizeof(*r))) == NULL)
		fatal(NULL);
	if (sqlite3_prepare_v2(H(db), sq_queries[q], -1, &r->st, NULL) !=
	    SQLITE_OK) {
		free(r);
		return NULL;
	}
	for (i = 0; i < n && rc == SQLITE_OK; i++)
		rc = a[i].s != NULL ? sqlite3_bind_text(r->st, (int)i + 1,
		    a[i].s, -1, SQLITE_TRANSIENT) :
		    sqlite3_bind_int64(r->st, (int)i + 1, a[i].i);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(r->st);
		free(r);
		return NULL;
	}
	return r;
}

static int
sq_q_next(struct comms_q *r)
{
	int	 rc;

	rc = sqlite3_step(r->st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
sq_q_null(struct comms_q *r, int c)
{
	return sqlite3_column_type(r->st, c) == SQLITE_NULL;
}

static int64_t
sq_q_int(struct comms_q *r, int c)
{
	return sqlite3_column_int64(r->st, c);
}

static const char *
sq_q_text(struct comms_q *r, int c)
{
	return (const char *)sqlite3_column_text(r->st, c);
}

static const void *
sq_q_blob(struct comms_q *r, int c, size_t *len)
{
	const void	*p;
	int		 n;

	p = sqlite3_column_blob(r->st, c);
	n = sqlite3_column_bytes(r->st, c);
	*len = n > 0 ? (size_t)n : 0;
	return p;
}

static void
sq_q_close(struct comms_q *r)
{
	if (r == NULL)
		return;
	sqlite3_finalize(r->st);
	free(r);
}

static int
sq_snapshot(struct comms_db *db, int begin)
{
	return sql_exec(H(db), begin ? "BEGIN" : "COMMIT");
}

static int
sq_verify(struct comms_db *db, int64_t *nrec, int64_t *bad, char *why,
    size_t whylen)
{
	return txlog_verify_chain(H(db), nrec, bad, why, whylen);
}

/* for the unit tests and fuzzers, which look at the rows themselves */
struct sqlite3 *
comms_db_sqlite(struct comms_db *db)
{
	if (db->ops != &comms_sqlite_ops)
		fatalx("%s: not a SQLite database", __func__);
	return H(db);
}

const struct comms_db_ops comms_sqlite_ops = {
	.name = "sqlite",
	.sandbox = &commsd_sandbox,
	.start = sq_start,
	.sandboxed = sq_sandboxed,
	.open = sq_open,
	.close = sq_close,
	.errmsg = sq_errmsg,
	.lost = sq_lost,
	.log = sq_log,
	.store = sq_store,
	.checkin = sq_checkin,
	.incident_status = sq_incident_status,
	.package = sq_package,
	.q_open = sq_q_open,
	.q_next = sq_q_next,
	.q_null = sq_q_null,
	.q_int = sq_q_int,
	.q_text = sq_q_text,
	.q_blob = sq_q_blob,
	.q_close = sq_q_close,
	.snapshot = sq_snapshot,
	.verify = sq_verify,
};
