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
 * error.  Each detail is a JSON object.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "commsd.h"
#include "json.h"
#include "log.h"
#include "sqlutil.h"
#include "txlog.h"
#include "xmlsafe.h"

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

static const char *const migrations[COMMS_DB_VERSION]
    [SQL_MIGRATION_SCRIPTS] = {
	{ schema_v1, txlog_schema },
	{ schema_v2, NULL },
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
	    "SELECT id, cycle_id, ndevices, duplicates_seen FROM documents "
	    "WHERE gateway_id = ?1 AND sha256 = ?2",
	[COMMS_DOC_DUPLICATE] =
	    "UPDATE documents SET duplicates_seen = duplicates_seen + 1, "
	    "last_duplicate = ?2 WHERE id = ?1",
	[COMMS_DOC_TXSEQ] =
	    "UPDATE documents SET txseq = ?2 WHERE id = ?1",
	[COMMS_DOC_INSERT] =
	    "INSERT INTO documents (gateway_id, sha256, received, size, "
	    "encoding, wire_size, cert_sha256, claimed_id, software, site, "
	    "cycle_id, cycle_reason, cycle_started, cycle_finished, "
	    "categories, ndevices, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
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
 * Reading the validated document.  Attributes are unqualified, elements
 * of CALLHOME_NS.  Every string is a copy to xmlFree().
 */

static char *
attr(xmlNodePtr n, const char *name)
{
	if (n == NULL)
		return NULL;
	return (char *)xmlGetNoNsProp(n, (const xmlChar *)name);
}

static char *
text(xmlNodePtr n)
{
	if (n == NULL)
		return NULL;
	return (char *)xmlNodeGetContent(n);
}

static char *
child_text(xmlNodePtr n, const char *name)
{
	return text(xml_child(n, name));
}

/* an xs:long (or narrower) as the schema checked it: white space around */
static int
parse_long(const char *s, int64_t *v)
{
	const char	*p = s;
	int		 neg = 0;
	uint64_t	 n = 0, lim;

	if (s == NULL)
		return -1;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (*p < '0' || *p > '9')
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (lim - (uint64_t)(*p - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p != '\0')
		return -1;
	*v = neg ? (int64_t)(0 - n) : (int64_t)n;
	return 0;
}

/* white space collapsed, as xs:list and the like compare */
static void
collapse(char *s)
{
	char	*r, *w;
	int	 sp = 0;

	if (s == NULL)
		return;
	for (r = w = s; *r != '\0'; r++) {
		if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r') {
			sp = w != s;
			continue;
		}
		if (sp)
			*w++ = ' ';
		sp = 0;
		*w++ = *r;
	}
	*w = '\0';
}

/* bind a copied string (or NULL) and free it */
static int
bind_x(sqlite3_stmt *st, int i, char *s)
{
	int	 rc;

	if (s == NULL)
		return sqlite3_bind_null(st, i);
	rc = sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	xmlFree(s);
	return rc;
}

/* bind an integer given as text, NULL when absent; frees it */
static int
bind_xint(sqlite3_stmt *st, int i, char *s)
{
	int64_t	 v;
	int	 rc;

	if (s != NULL && parse_long(s, &v) == 0)
		rc = sqlite3_bind_int64(st, i, v);
	else
		rc = sqlite3_bind_null(st, i);
	if (s != NULL)
		xmlFree(s);
	return rc;
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
 * The readings tables (meters, supplies, alerts): one row for each element
 * of a list of the device, in document order.  The first four columns are
 * always document_id, device_ord, device_key and ordinal; each table says
 * where its others come from.
 */
enum rd_from {
	RD_END,			/* no more columns */
	RD_ATTR,		/* an attribute of the element */
	RD_CHILD,		/* the text of a child element */
	RD_TEXT			/* the element's own text */
};

struct rd_col {
	enum rd_from	 from;
	const char	*name;
	int		 integer;	/* an xs:long; NULL when absent */
};

#define RD_MAXCOLS	9

static const struct rd_table {
	const char	*list;		/* the device's child holding them */
	enum comms_stmt	 stmt;
	struct rd_col	 cols[RD_MAXCOLS + 1];
} rd_tables[] = {
	{ "Meters", COMMS_METER_INSERT, {
		{ RD_ATTR, "name", 0 },
		{ RD_ATTR, "unit", 0 },
		{ RD_TEXT, NULL, 1 },
		{ RD_ATTR, "source", 0 },
		{ RD_ATTR, "flag", 0 },
		{ RD_ATTR, "previous", 1 } } },
	{ "Supplies", COMMS_SUPPLY_INSERT, {
		{ RD_ATTR, "index", 0 },
		{ RD_CHILD, "Description", 0 },
		{ RD_ATTR, "class", 0 },
		{ RD_ATTR, "type", 0 },
		{ RD_CHILD, "Color", 0 },
		{ RD_ATTR, "unit", 0 },
		{ RD_ATTR, "max", 1 },
		{ RD_ATTR, "level", 1 },
		{ RD_ATTR, "percent", 1 } } },
	{ "Alerts", COMMS_ALERT_INSERT, {
		{ RD_ATTR, "index", 0 },
		{ RD_ATTR, "severity", 0 },
		{ RD_ATTR, "group", 0 },
		{ RD_ATTR, "code", 0 },
		{ RD_CHILD, "Description", 0 },
		{ RD_ATTR, "time", 1 } } },
};

/* a copy to xmlFree(), or NULL */
static char *
rd_value(xmlNodePtr n, const struct rd_col *c)
{
	switch (c->from) {
	case RD_ATTR:
		return attr(n, c->name);
	case RD_CHILD:
		return child_text(n, c->name);
	default:
		return text(n);
	}
}

static int
store_readings(struct comms_db *db, const struct rd_table *t, int64_t docid,
    int64_t ord, const char *key, xmlNodePtr dev)
{
	sqlite3_stmt		*st = db->st[t->stmt];
	const struct rd_col	*c;
	xmlNodePtr		 list, n;
	int64_t			 k = 0;
	int			 i, rc;

	if ((list = xml_child(dev, t->list)) == NULL)
		return 0;
	for (n = list->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		rc = SQLITE_OK;
		B(sqlite3_bind_int64(st, 1, docid));
		B(sqlite3_bind_int64(st, 2, ord));
		B(sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC));
		B(sqlite3_bind_int64(st, 4, k++));
		for (c = t->cols, i = 5; c->from != RD_END; c++, i++) {
			if (c->integer)
				B(bind_xint(st, i, rd_value(n, c)));
			else
				B(bind_x(st, i, rd_value(n, c)));
		}
		if (rc != SQLITE_OK || step_done(st) == -1)
			return -1;
	}
	return 0;
}

/*
 * The ch:Error names of a ch:Status, space-separated ("" for none); NULL
 * when the device did not report its error state (no errorsReported).
 */
static char *
status_errors(xmlNodePtr status)
{
	struct wbuf	 w;
	xmlNodePtr	 e;
	xmlChar		*t, *s;
	int		 reported;

	if (status == NULL)
		return NULL;
	t = xmlGetProp(status, (const xmlChar *)"errorsReported");
	reported = t != NULL && (xmlStrcmp(t, (const xmlChar *)"true") == 0 ||
	    xmlStrcmp(t, (const xmlChar *)"1") == 0);
	xmlFree(t);
	if (!reported)
		return NULL;
	wbuf_init(&w);
	for (e = status->children; e != NULL; e = e->next) {
		if (e->type != XML_ELEMENT_NODE ||
		    (t = xmlNodeGetContent(e)) == NULL)
			continue;
		collapse((char *)t);
		if (t[0] != '\0') {
			if (w.len > 0)
				wbuf_u8(&w, ' ');
			wbuf_bytes(&w, t, strlen((char *)t));
		}
		xmlFree(t);
	}
	wbuf_u8(&w, '\0');
	s = xmlStrdup(w.data);
	wbuf_free(&w);
	if (s == NULL)
		fatal("%s", __func__);
	return (char *)s;
}

static int
store_device(struct comms_db *db, int64_t gwid, int64_t docid, int64_t ord,
    xmlNodePtr dev, int64_t now)
{
	sqlite3_stmt	*st = db->st[COMMS_REPORT_INSERT];
	xmlNodePtr	 id, contact, status;
	char		*key;
	size_t		 i;
	int		 rc = SQLITE_OK, r = -1;

	if ((key = attr(dev, "key")) == NULL)
		return -1;		/* cannot be: the schema requires it */
	id = xml_child(dev, "Identity");
	contact = xml_child(dev, "Contact");
	status = xml_child(dev, "Status");

	B(sqlite3_bind_int64(st, 1, docid));
	B(sqlite3_bind_int64(st, 2, ord));
	B(sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC));
	B(bind_x(st, 4, attr(dev, "outcome")));
	B(bind_x(st, 5, attr(dev, "collected")));
	B(bind_x(st, 6, child_text(dev, "Address")));
	B(bind_x(st, 7, child_text(dev, "Reason")));
	B(bind_x(st, 8, child_text(id, "Vendor")));
	B(bind_x(st, 9, child_text(id, "Model")));
	B(bind_x(st, 10, attr(xml_child(id, "Model"), "source")));
	B(bind_x(st, 11, child_text(id, "Serial")));
	B(bind_x(st, 12, attr(xml_child(id, "Serial"), "source")));
	B(bind_x(st, 13, child_text(id, "Firmware")));
	B(bind_x(st, 14, attr(xml_child(id, "Firmware"), "source")));
	B(bind_x(st, 15, child_text(id, "SysObjectID")));
	B(bind_xint(st, 16, child_text(id, "Enterprise")));
	B(bind_x(st, 17, child_text(id, "SysDescr")));
	B(bind_x(st, 18, child_text(contact, "SysName")));
	B(bind_x(st, 19, child_text(contact, "SysContact")));
	B(bind_x(st, 20, child_text(contact, "SysLocation")));
	B(bind_x(st, 21, attr(status, "device")));
	B(bind_x(st, 22, attr(status, "printer")));
	B(bind_xint(st, 23, attr(status, "uptime")));
	B(bind_x(st, 24, status_errors(status)));
	B(bind_x(st, 25, attr(dev, "state")));
	B(bind_x(st, 26, attr(dev, "stateSince")));
	if (rc != SQLITE_OK || step_done(st) == -1)
		goto done;

	st = db->st[COMMS_DEV_UPSERT];
	B(sqlite3_bind_int64(st, 1, gwid));
	B(sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC));
	B(bind_x(st, 3, child_text(id, "Vendor")));
	B(bind_x(st, 4, child_text(id, "Model")));
	B(bind_x(st, 5, child_text(id, "Serial")));
	B(sqlite3_bind_int64(st, 6, now));
	B(sqlite3_bind_int64(st, 7, docid));
	if (rc != SQLITE_OK || step_done(st) == -1)
		goto done;

	for (i = 0; i < sizeof(rd_tables) / sizeof(rd_tables[0]); i++)
		if (store_readings(db, &rd_tables[i], docid, ord, key,
		    dev) == -1)
			goto done;
	r = 0;
 done:
	xmlFree(key);
	return r;
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
	sqlite3_stmt	*st = db->st[COMMS_DOC_INSERT];
	xmlNodePtr	 up = doc->upload, gw, cycle, devs, d;
	int64_t		 ndev = 0, ord = 0, cid = 0;
	char		*s;
	int		 rc = SQLITE_OK;

	gw = xml_child(up, "Gateway");
	cycle = xml_child(up, "Cycle");
	devs = xml_child(up, "Devices");
	for (d = devs != NULL ? devs->children : NULL; d != NULL; d = d->next)
		if (d->type == XML_ELEMENT_NODE)
			ndev++;
	if ((s = attr(cycle, "id")) != NULL) {
		(void)parse_long(s, &cid);
		xmlFree(s);
	}
	B(sqlite3_bind_int64(st, 1, gwid));
	B(sqlite3_bind_text(st, 2, doc->sha256, -1, SQLITE_STATIC));
	B(sqlite3_bind_int64(st, 3, now));
	B(sqlite3_bind_int64(st, 4, (int64_t)doc->len));
	B(sqlite3_bind_text(st, 5, doc->encoding, -1, SQLITE_STATIC));
	B(sqlite3_bind_int64(st, 6, (int64_t)doc->wire_len));
	B(sqlite3_bind_text(st, 7, peer->cert_sha256, -1, SQLITE_STATIC));
	B(bind_x(st, 8, attr(gw, "id")));
	B(bind_x(st, 9, attr(gw, "software")));
	B(bind_x(st, 10, child_text(up, "Site")));
	B(sqlite3_bind_int64(st, 11, cid));
	B(bind_x(st, 12, attr(cycle, "reason")));
	B(bind_x(st, 13, attr(cycle, "started")));
	B(bind_x(st, 14, attr(cycle, "finished")));
	s = child_text(up, "Categories");
	collapse(s);
	B(bind_x(st, 15, s));
	B(sqlite3_bind_int64(st, 16, ndev));
	B(sqlite3_bind_blob64(st, 17, doc->bytes, doc->len, SQLITE_STATIC));
	if (rc != SQLITE_OK || step_done(st) == -1)
		return -1;
	out->id = sqlite3_last_insert_rowid(db->h);
	out->cycle = cid;
	out->ndevices = ndev;
	for (d = devs != NULL ? devs->children : NULL; d != NULL; d = d->next) {
		if (d->type != XML_ELEMENT_NODE)
			continue;
		if (store_device(db, gwid, out->id, ord++, d, now) == -1)
			return -1;
	}
	return 0;
}

/* the upload record: summary and detail */
static int
log_upload(struct comms_db *db, const struct comms_peer *peer,
    const struct comms_doc *doc, int64_t now, struct comms_stored *out)
{
	struct comms_detail	 dt;
	char			 summary[512];
	char			*detail, *claimed;
	int			 r;

	if (out->duplicate)
		(void)snprintf(summary, sizeof(summary), "duplicate upload "
		    "from %s: document %" PRId64 " received again (duplicate "
		    "%" PRId64 "), sha256 %.16s", peer->cn, out->id,
		    out->duplicates, doc->sha256);
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
	claimed = attr(xml_child(doc->upload, "Gateway"), "id");
	if (claimed != NULL && strcmp(claimed, peer->cn) != 0) {
		log_warnx("%s (%s): the document says it is from gateway "
		    "\"%.64s\"", peer->cn, peer->address, claimed);
		json_kv_string(&dt.j, "claimed_gateway", claimed);
	}
	if (claimed != NULL)
		xmlFree(claimed);
	detail = comms_detail_end(&dt);
	r = txlog_append(db->h, now, out->duplicate ? COMMS_LOG_DUPLICATE :
	    COMMS_LOG_UPLOAD, summary, detail, &out->txseq);
	free(detail);
	return r;
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
	if (log_upload(db, peer, doc, now, out) == -1)
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
