/*
 * commsd's database on PostgreSQL, through libpq: the back end of
 * storage.h for a provider that runs several commsd nodes on one
 * database.  The nodes keep nothing of their own: everything a second
 * node must know is in the database, and the database enforces what
 * must hold when two nodes write at once.
 *
 * The tables are store_sqlite.c's, column for column and with the same
 * meaning, in PostgreSQL's types: INTEGER is bigint, TEXT text, BLOB
 * bytea, INTEGER PRIMARY KEY a bigint identity.  Strings are stored as
 * the document gave them (the database's encoding must be UTF8, as XML
 * is).  The schema's version is the one row of commsd_schema; it is
 * created whole at version COMMS_DB_VERSION (5: what SQLite reached in
 * five steps), in one transaction under an advisory lock, so that nodes
 * started together create it once; a database of version 4 (before job
 * data and incidents) is brought to 5 the same way (pg_schema_v5).
 *
 * What two nodes writing at once cannot break:
 *   - a document is stored once per gateway and SHA-256: UNIQUE
 *     (gateway_id, sha256); and each store begins with the gateway's
 *     row (INSERT ... ON CONFLICT DO UPDATE), which locks it until the
 *     commit, so the stores of one gateway (its parts and cycles too)
 *     follow each other: the second of two copies finds the first,
 *     committed, and answers with its number: the same receipt;
 *   - the transaction log is one chain: every transaction that appends
 *     to it takes the transaction advisory lock COMMS_PG_TXLOG_LOCK
 *     (pg_advisory_xact_lock) first, then reads the last record (in
 *     READ COMMITTED, a statement after the lock sees every commit
 *     before it), so records are numbered and chained one after the
 *     other whatever node writes them; the lock goes with the commit;
 *   - a check-in locks its gateway's row the same way, so two check-ins
 *     of a gateway on two nodes are answered one after the other, the
 *     second seeing what the first served (deliveries);
 *   - an incident is stored once per gateway and number: UNIQUE
 *     (gateway_id, incident_id); the stores of a gateway follow each
 *     other (its row's lock), and the first finds it before inserting
 *     (an insert that meets the key would use up an identity value, and
 *     the numbers of -q incidents would differ from SQLite's).
 * Locks are always taken in that order (gateway, then the log), so no
 * two transactions wait for each other.
 *
 * The server's connection is made before the sandbox (storage.h's
 * start), over a Unix socket or TCP; inside the sandbox it can only use
 * the connected socket (sandbox.c: commsd_pg_sandbox).  When it is
 * lost, the server cannot make another: the statement fails, lost()
 * says so, the request is answered 503, and the server ends (status
 * COMMS_EXIT_DBLOST); commsd's keeper starts a new server, which
 * connects again before its own sandbox (commsd.c).  Gateways send
 * again what was refused, and a document committed before the loss is
 * found again as a duplicate.
 *
 * commsd -q reads in one REPEATABLE READ, READ ONLY transaction (one
 * snapshot for the whole command), through cursors fetched 256 rows at
 * a time, so that a large log is never held whole.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "commsd.h"
#include "check.h"
#include "digest.h"
#include "log.h"
#include "sandbox.h"
#include "storage.h"
#include "txlog.h"

/* pg_advisory_xact_lock() keys: "commsd" and a number */
#define COMMS_PG_TXLOG_LOCK	"7165065849024544769"	/* 0x636f6d6d73640001 */
#define COMMS_PG_SCHEMA_LOCK	"7165065849024544770"	/* ...0002 */

#define PG_FETCH		256	/* rows a query's cursor fetches */

/*
 * A transaction whose commit need not wait for the disk: a log record
 * of its own (a connection, a refusal) or a check-in.  Nothing is
 * promised on them; a power failure may lose the last ones, which a
 * later durable commit (a document's, before its receipt) would have
 * made durable with it: PostgreSQL writes its log in order.  SQLite's
 * back end does the same with synchronous=NORMAL (store_sqlite.c).
 */
#define PG_BEGIN_LAZY	"BEGIN; SET LOCAL synchronous_commit = off"
#define PG_MAXPARAMS		32

struct pg_db {
	PGconn		*c;
	int		 readonly;
	int		 lost;		/* the connection is gone */
	unsigned int	 ncursors;	/* cursors opened: their names */
	char		 err[512];
};
#define PGD(db)	((struct pg_db *)(db)->be)

/* the parameters of one statement */
struct pgp {
	int		 n;
	const char	*v[PG_MAXPARAMS];
	int		 len[PG_MAXPARAMS];
	int		 fmt[PG_MAXPARAMS];
	char		 num[PG_MAXPARAMS][24];
};

static void
pp_int(struct pgp *p, int64_t v)
{
	if (p->n >= PG_MAXPARAMS)
		fatalx("%s: too many parameters", __func__);
	(void)snprintf(p->num[p->n], sizeof(p->num[p->n]), "%" PRId64, v);
	p->v[p->n] = p->num[p->n];
	p->len[p->n] = 0;
	p->fmt[p->n] = 0;
	p->n++;
}

/* bytes, sent as they are (binary format: text needs no NUL, or bytea) */
static void
pp_bytes(struct pgp *p, const void *s, size_t len)
{
	if (p->n >= PG_MAXPARAMS)
		fatalx("%s: too many parameters", __func__);
	if (len > INT32_MAX)
		fatalx("%s: %zu bytes", __func__, len);
	p->v[p->n] = s != NULL ? s : "";
	p->len[p->n] = (int)len;
	p->fmt[p->n] = 1;
	p->n++;
}

static void
pp_text(struct pgp *p, const char *s)
{
	pp_bytes(p, s, strlen(s));
}

static void
pp_null(struct pgp *p)
{
	if (p->n >= PG_MAXPARAMS)
		fatalx("%s: too many parameters", __func__);
	p->v[p->n] = NULL;
	p->len[p->n] = 0;
	p->fmt[p->n] = 0;
	p->n++;
}

/* a field of the extract as text, or NULL */
static void
pp_f(struct pgp *p, const struct comms_field *f)
{
	if (f->s == NULL)
		pp_null(p);
	else
		pp_bytes(p, f->s, f->len);
}

/* a field as an integer, NULL when absent or not one */
static void
pp_fint(struct pgp *p, const struct comms_field *f)
{
	int64_t	 v;

	if (f->s != NULL && comms_parse_long(f->s, f->len, &v) == 0)
		pp_int(p, v);
	else
		pp_null(p);
}

static int	 pg_prepare(struct comms_db *);

static const char *
pg_errmsg(const struct comms_db *db)
{
	return PGD(db) != NULL ? PGD(db)->err : "no database";
}

/* libpq's message on one line: white space runs as one space, none at
 * the end */
static void
pg_oneline(char *s)
{
	char	*o = s, *p;
	int	 sp = 0;

	for (p = s; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\t' || *p == '\r' || *p == ' ') {
			sp = o != s;
			continue;
		}
		if (sp)
			*o++ = ' ';
		sp = 0;
		*o++ = *p;
	}
	*o = '\0';
}

/*
 * The error of a result (or of the connection), kept for errmsg.  The
 * server cannot connect again from its sandbox: a lost connection is
 * said once, and every statement fails from then on (lost()).
 */
static void
pg_error(struct comms_db *db, const PGresult *r)
{
	struct pg_db	*d = PGD(db);
	const char	*m;

	m = r != NULL ? PQresultErrorMessage(r) : "";
	if (m == NULL || *m == '\0')
		m = PQerrorMessage(d->c);
	(void)strlcpy(d->err, m != NULL && *m != '\0' ? m :
	    "PostgreSQL: unknown error", sizeof(d->err));
	pg_oneline(d->err);
	if (!d->readonly && !d->lost && PQstatus(d->c) == CONNECTION_BAD) {
		d->lost = 1;
		log_warnx("PostgreSQL: the connection is lost (%s): the "
		    "server answers 503 and is started again", d->err);
	}
}

static int
pg_lost(const struct comms_db *db)
{
	return PGD(db) != NULL && PGD(db)->lost;
}

/* a statement without parameters; 0 or -1 */
static int
pg_exec(struct comms_db *db, const char *sql)
{
	PGresult	*r;
	int		 st;

	r = PQexec(PGD(db)->c, sql);
	st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		pg_error(db, r);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 0;
}

/* a statement with parameters: its result (rows or none), or NULL */
static PGresult *
pg_params(struct comms_db *db, const char *sql, const struct pgp *p)
{
	PGresult	*r;
	int		 st;

	r = PQexecParams(PGD(db)->c, sql, p != NULL ? p->n : 0, NULL,
	    p != NULL ? p->v : NULL, p != NULL ? p->len : NULL,
	    p != NULL ? p->fmt : NULL, 0);
	st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		pg_error(db, r);
		PQclear(r);
		return NULL;
	}
	return r;
}

static int
pg_run(struct comms_db *db, const char *sql, const struct pgp *p)
{
	PGresult	*r;

	if ((r = pg_params(db, sql, p)) == NULL)
		return -1;
	PQclear(r);
	return 0;
}

/* one row's first column as an integer: 1 with it, 0 without a row */
static int
pg_int(struct comms_db *db, const char *sql, const struct pgp *p,
    int64_t *v)
{
	PGresult	*r;
	int		 row;

	if ((r = pg_params(db, sql, p)) == NULL)
		return -1;
	row = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0);
	if (row)
		*v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return row;
}

static void
pg_rollback(struct comms_db *db)
{
	PGresult	*r;

	if (PQtransactionStatus(PGD(db)->c) == PQTRANS_IDLE)
		return;
	r = PQexec(PGD(db)->c, "ROLLBACK");
	PQclear(r);
	if (PQstatus(PGD(db)->c) == CONNECTION_BAD)
		pg_error(db, NULL);
}

/*
 * The schema, whole, at version COMMS_DB_VERSION.
 */
static const char pg_schema[] =
	"CREATE TABLE commsd_schema (\n"
	"	version		integer NOT NULL\n"
	");\n"
	"CREATE TABLE gateways (\n"
	"	id		bigint GENERATED BY DEFAULT AS IDENTITY "
	"PRIMARY KEY,\n"
	"	cn		text NOT NULL UNIQUE,\n"
	"	cert_sha256	text NOT NULL,\n"
	"	first_seen	bigint NOT NULL,\n"
	"	last_seen	bigint NOT NULL\n"
	");\n"
	"CREATE TABLE documents (\n"
	"	id		bigint GENERATED BY DEFAULT AS IDENTITY "
	"PRIMARY KEY,\n"
	"	gateway_id	bigint NOT NULL REFERENCES gateways (id),\n"
	"	sha256		text NOT NULL,\n"
	"	received	bigint NOT NULL,\n"
	"	size		bigint NOT NULL,\n"
	"	encoding	text NOT NULL,\n"
	"	wire_size	bigint NOT NULL,\n"
	"	cert_sha256	text NOT NULL,\n"
	"	claimed_id	text NOT NULL,\n"
	"	software	text NOT NULL,\n"
	"	site		text,\n"
	"	cycle_id	bigint NOT NULL,\n"
	"	cycle_reason	text NOT NULL,\n"
	"	cycle_started	text NOT NULL,\n"
	"	cycle_finished	text NOT NULL,\n"
	"	categories	text NOT NULL,\n"
	"	ndevices	bigint NOT NULL,\n"
	"	duplicates_seen	bigint NOT NULL DEFAULT 0,\n"
	"	last_duplicate	bigint,\n"
	"	txseq		bigint,\n"
	"	bytes		bytea NOT NULL,\n"
	"	part		bigint NOT NULL DEFAULT 1,\n"
	"	parts		bigint NOT NULL DEFAULT 1,\n"
	"	first_device	bigint NOT NULL DEFAULT 0,\n"
	"	UNIQUE (gateway_id, sha256)\n"
	");\n"
	"CREATE INDEX documents_cycle ON documents (gateway_id, cycle_id, "
	"cycle_started, part);\n"
	"CREATE TABLE devices (\n"
	"	id		bigint GENERATED BY DEFAULT AS IDENTITY "
	"PRIMARY KEY,\n"
	"	gateway_id	bigint NOT NULL REFERENCES gateways (id),\n"
	"	key		text NOT NULL,\n"
	"	vendor		text NOT NULL,\n"
	"	model		text NOT NULL,\n"
	"	serial		text NOT NULL,\n"
	"	first_seen	bigint NOT NULL,\n"
	"	last_seen	bigint NOT NULL,\n"
	"	last_document	bigint,\n"
	"	UNIQUE (gateway_id, key)\n"
	");\n"
	"CREATE TABLE device_reports (\n"
	"	document_id	bigint NOT NULL REFERENCES documents (id),\n"
	"	ordinal		bigint NOT NULL,\n"
	"	device_key	text NOT NULL,\n"
	"	outcome		text NOT NULL,\n"
	"	collected	text NOT NULL,\n"
	"	address		text,\n"
	"	reason		text,\n"
	"	vendor		text,\n"
	"	model		text,\n"
	"	model_source	text,\n"
	"	serial		text,\n"
	"	serial_source	text,\n"
	"	firmware	text,\n"
	"	firmware_source	text,\n"
	"	sysobjectid	text,\n"
	"	enterprise	bigint,\n"
	"	sysdescr	text,\n"
	"	sysname		text,\n"
	"	syscontact	text,\n"
	"	syslocation	text,\n"
	"	device_status	text,\n"
	"	printer_status	text,\n"
	"	uptime		bigint,\n"
	"	errors		text,\n"
	"	state		text,\n"
	"	state_since	text,\n"
	"	PRIMARY KEY (document_id, ordinal)\n"
	");\n"
	"CREATE TABLE meters (\n"
	"	document_id	bigint NOT NULL REFERENCES documents (id),\n"
	"	device_ord	bigint NOT NULL,\n"
	"	device_key	text NOT NULL,\n"
	"	ordinal		bigint NOT NULL,\n"
	"	name		text NOT NULL,\n"
	"	unit		text,\n"
	"	value		bigint,\n"
	"	source		text,\n"
	"	flag		text,\n"
	"	previous	bigint,\n"
	"	PRIMARY KEY (document_id, device_ord, ordinal)\n"
	");\n"
	"CREATE TABLE supplies (\n"
	"	document_id	bigint NOT NULL REFERENCES documents (id),\n"
	"	device_ord	bigint NOT NULL,\n"
	"	device_key	text NOT NULL,\n"
	"	ordinal		bigint NOT NULL,\n"
	"	idx		text NOT NULL,\n"
	"	description	text,\n"
	"	class		text,\n"
	"	type		text,\n"
	"	color		text,\n"
	"	unit		text,\n"
	"	max		bigint,\n"
	"	level		bigint,\n"
	"	percent		bigint,\n"
	"	PRIMARY KEY (document_id, device_ord, ordinal)\n"
	");\n"
	"CREATE TABLE alerts (\n"
	"	document_id	bigint NOT NULL REFERENCES documents (id),\n"
	"	device_ord	bigint NOT NULL,\n"
	"	device_key	text NOT NULL,\n"
	"	ordinal		bigint NOT NULL,\n"
	"	idx		text NOT NULL,\n"
	"	severity	text,\n"
	"	grp		text,\n"
	"	code		text,\n"
	"	description	text,\n"
	"	time		bigint,\n"
	"	PRIMARY KEY (document_id, device_ord, ordinal)\n"
	");\n"
	"CREATE TABLE cycles (\n"
	"	id		bigint GENERATED BY DEFAULT AS IDENTITY "
	"PRIMARY KEY,\n"
	"	gateway_id	bigint NOT NULL REFERENCES gateways (id),\n"
	"	cycle_id	bigint NOT NULL,\n"
	"	cycle_started	text NOT NULL,\n"
	"	parts		bigint NOT NULL,\n"
	"	received	bigint NOT NULL,\n"
	"	devices		bigint NOT NULL,\n"
	"	first_received	bigint NOT NULL,\n"
	"	completed	bigint,\n"
	"	UNIQUE (gateway_id, cycle_id, cycle_started)\n"
	");\n"
	"CREATE TABLE txlog (\n"
	"	seq		bigint PRIMARY KEY,\n"
	"	time		bigint NOT NULL,\n"
	"	kind		text NOT NULL,\n"
	"	summary		text NOT NULL,\n"
	"	detail		text NOT NULL,\n"
	"	prev_hash	text NOT NULL,\n"
	"	hash		text NOT NULL\n"
	");\n"
	"CREATE INDEX txlog_kind ON txlog (kind, seq);\n"
	"CREATE TABLE checkins (\n"
	"	gateway_id	bigint PRIMARY KEY REFERENCES gateways (id),\n"
	"	checkins	bigint NOT NULL,\n"
	"	last_checkin	bigint NOT NULL,\n"
	"	last_sequence	bigint NOT NULL,\n"
	"	software	text NOT NULL\n"
	");\n"
	"CREATE TABLE deliveries (\n"
	"	gateway_id	bigint NOT NULL REFERENCES gateways (id),\n"
	"	sequence	bigint NOT NULL,\n"
	"	file		text NOT NULL,\n"
	"	sha256		text NOT NULL,\n"
	"	first_served	bigint NOT NULL,\n"
	"	last_served	bigint NOT NULL,\n"
	"	times_served	bigint NOT NULL,\n"
	"	acknowledged	bigint,\n"
	"	PRIMARY KEY (gateway_id, sequence)\n"
	");\n"
	"CREATE TABLE packages_served (\n"
	"	id		bigint GENERATED BY DEFAULT AS IDENTITY "
	"PRIMARY KEY,\n"
	"	gateway_id	bigint NOT NULL REFERENCES gateways (id),\n"
	"	file		text NOT NULL,\n"
	"	sha256		text NOT NULL,\n"
	"	size		bigint NOT NULL,\n"
	"	served		bigint NOT NULL,\n"
	"	txseq		bigint NOT NULL\n"
	");\n";

/* version 5: job data, incidents and supply requests (store_sqlite.c's) */
static const char pg_schema_v5[] =
	"CREATE TABLE jobdata (\n"
	"	id		bigint GENERATED BY DEFAULT AS IDENTITY "
	"PRIMARY KEY,\n"
	"	document_id	bigint NOT NULL REFERENCES documents (id),\n"
	"	device_ord	bigint NOT NULL,\n"
	"	device_key	text NOT NULL,\n"
	"	sealed		text NOT NULL,\n"
	"	UNIQUE (document_id, device_ord)\n"
	");\n"
	"CREATE TABLE incidents (\n"
	"	id		bigint GENERATED BY DEFAULT AS IDENTITY "
	"PRIMARY KEY,\n"
	"	gateway_id	bigint NOT NULL REFERENCES gateways (id),\n"
	"	incident_id	bigint NOT NULL,\n"
	"	document_id	bigint NOT NULL REFERENCES documents (id),\n"
	"	kind		text NOT NULL,\n"
	"	origin		text NOT NULL,\n"
	"	device_key	text NOT NULL,\n"
	"	created		text NOT NULL,\n"
	"	problem		text,\n"
	"	contact_name	text,\n"
	"	contact_email	text,\n"
	"	contact_phone	text,\n"
	"	received	bigint NOT NULL,\n"
	"	status		text NOT NULL CHECK (status IN ('received', "
	"'shipped', 'closed')),\n"
	"	status_time	bigint NOT NULL,\n"
	"	UNIQUE (gateway_id, incident_id)\n"
	");\n"
	"CREATE TABLE incident_supplies (\n"
	"	incident	bigint NOT NULL REFERENCES incidents (id),\n"
	"	idx		text NOT NULL,\n"
	"	description	text,\n"
	"	type		text,\n"
	"	color		text,\n"
	"	max		bigint,\n"
	"	level		bigint,\n"
	"	percent		bigint,\n"
	"	PRIMARY KEY (incident, idx)\n"
	");\n";

/* the schema made, or checked: 0, or -1 with err */
static int
pg_migrate(struct comms_db *db, char *err, size_t errlen)
{
	struct pgp	 p;
	int64_t		 v = 0;
	int		 r;

	if (pg_exec(db, "BEGIN") == -1 ||
	    pg_exec(db, "SELECT pg_advisory_xact_lock(" COMMS_PG_SCHEMA_LOCK
	    ")") == -1 ||
	    (r = pg_int(db, "SELECT count(*) FROM pg_tables WHERE "
	    "schemaname = current_schema() AND tablename = 'commsd_schema'",
	    NULL, &v)) == -1)
		goto fail;
	if (v == 0) {
		memset(&p, 0, sizeof(p));
		pp_int(&p, COMMS_DB_VERSION);
		if (pg_exec(db, pg_schema) == -1 ||
		    pg_exec(db, pg_schema_v5) == -1 ||
		    pg_run(db, "INSERT INTO commsd_schema (version) VALUES "
		    "($1::integer)", &p) == -1)
			goto fail;
		log_info("PostgreSQL: the schema made, version %d",
		    COMMS_DB_VERSION);
	} else if ((r = pg_int(db, "SELECT max(version) FROM commsd_schema",
	    NULL, &v)) == 1 && v == 4) {
		memset(&p, 0, sizeof(p));
		pp_int(&p, COMMS_DB_VERSION);
		if (pg_exec(db, pg_schema_v5) == -1 ||
		    pg_run(db, "UPDATE commsd_schema SET version = "
		    "$1::integer", &p) == -1)
			goto fail;
		log_info("PostgreSQL: the schema migrated from 4 to %d",
		    COMMS_DB_VERSION);
	} else if (r != 1 || v != COMMS_DB_VERSION) {
		if (r != -1)
			(void)snprintf(err, errlen, "not a commsd database of "
			    "schema version %d (found %" PRId64 ")",
			    COMMS_DB_VERSION, r == 1 ? v : 0);
		else
			(void)snprintf(err, errlen, "%s", pg_errmsg(db));
		pg_rollback(db);
		return -1;
	}
	if (pg_exec(db, "COMMIT") == -1)
		goto fail;
	return 0;
 fail:
	(void)snprintf(err, errlen, "%s", pg_errmsg(db));
	pg_rollback(db);
	return -1;
}

/* libpq's notices (a table exists...) go to the log at debug level */
static void
pg_notice(void *arg, const char *msg)
{
	log_debug("PostgreSQL: %s", msg);
}

static void
pg_close(struct comms_db *db)
{
	struct pg_db	*d = PGD(db);

	if (d == NULL)
		return;
	if (d->c != NULL)
		PQfinish(d->c);
	free(d);
	db->be = NULL;
}

/*
 * Connect (the URI's password, if any, stays in libpq's connection
 * only), set the session, make or check the schema.  Read-only: one
 * REPEATABLE READ transaction for the queries to come.
 */
static int
pg_open(struct comms_db *db, const char *uri, int flags, char *err,
    size_t errlen)
{
	struct pg_db	*d;
	char		 masked[COMMS_STR_MAX];
	int64_t		 ver = 0;
	int		 v;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		fatal(NULL);
	db->be = d;
	d->readonly = 1;	/* no fatalx() while connecting */
	comms_uri_mask(uri, masked, sizeof(masked));
	d->c = PQconnectdb(uri);
	if (d->c == NULL || PQstatus(d->c) != CONNECTION_OK) {
		(void)snprintf(err, errlen, "%s: %s", masked,
		    d->c != NULL ? PQerrorMessage(d->c) : "out of memory");
		pg_oneline(err);
		pg_close(db);
		return -1;
	}
	(void)PQsetNoticeProcessor(d->c, pg_notice, NULL);
	if ((v = PQserverVersion(d->c)) < 100000) {
		(void)snprintf(err, errlen, "%s: PostgreSQL %d.%d is too old "
		    "(10 or newer)", masked, v / 10000, v % 10000 / 100);
		pg_close(db);
		return -1;
	}
	/*
	 * The session: UTF-8 (XML's), READ COMMITTED (the log's lock
	 * relies on it), no statement that waits for ever (the server's
	 * event loop waits with it); a server's transaction is never idle,
	 * and one left so (a node stopped in the middle) must not hold the
	 * log's lock for long
	 */
	if (pg_exec(db, "SET client_encoding = 'UTF8'; "
	    "SET client_min_messages = warning; "
	    "SET default_transaction_isolation = 'read committed'; "
	    "SET statement_timeout = '30s'; "
	    "SET lock_timeout = '20s'") == -1 ||
	    (!(flags & COMMS_DB_READONLY) && pg_exec(db, "SET "
	    "idle_in_transaction_session_timeout = '60s'") == -1))
		goto fail;
	/* the documents' strings are UTF-8, and stored as they came */
	if (strcmp(PQparameterStatus(d->c, "server_encoding") != NULL ?
	    PQparameterStatus(d->c, "server_encoding") : "", "UTF8") != 0) {
		(void)snprintf(err, errlen, "%s: the database's encoding is "
		    "%s, not UTF8", masked,
		    PQparameterStatus(d->c, "server_encoding") != NULL ?
		    PQparameterStatus(d->c, "server_encoding") : "unknown");
		pg_close(db);
		return -1;
	}
	if (flags & COMMS_DB_READONLY) {
		if (pg_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ "
		    "ONLY") == -1 ||
		    (v = pg_int(db, "SELECT count(*) FROM pg_tables WHERE "
		    "schemaname = current_schema() AND tablename = "
		    "'commsd_schema'", NULL, &ver)) == -1)
			goto fail;
		if (ver > 0 && pg_int(db, "SELECT max(version) FROM "
		    "commsd_schema", NULL, &ver) != 1)
			ver = 0;
		if (ver != COMMS_DB_VERSION) {
			(void)snprintf(err, errlen, "%s: not a commsd database "
			    "of schema version %d (found %" PRId64 ")", masked,
			    COMMS_DB_VERSION, ver);
			pg_close(db);
			return -1;
		}
		return 0;
	}
	if (pg_migrate(db, err, errlen) == -1) {
		pg_close(db);
		return -1;
	}
	if (pg_prepare(db) == -1)
		goto fail;
	d->readonly = 0;
	return 0;
 fail:
	(void)snprintf(err, errlen, "%s: %s", masked, pg_errmsg(db));
	pg_close(db);
	return -1;
}

/* as root, before the sandbox: connected for good */
static int
pg_start(struct comms_db *db, const struct comms_conf *conf,
    const char *state, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	return pg_open(db, conf->database, COMMS_DB_CREATE, err, errlen);
}

/* in the sandbox: the connection made before, still there */
static int
pg_sandboxed(struct comms_db *db, const struct comms_conf *conf, char *err,
    size_t errlen)
{
	if (PGD(db) == NULL || PQstatus(PGD(db)->c) != CONNECTION_OK) {
		(void)snprintf(err, errlen, "the connection to PostgreSQL is "
		    "gone");
		return -1;
	}
	return 0;
}

/* 64 lowercase hex digits: 0 with the bytes */
static int
pg_unhex(const char *s, uint8_t out[TXLOG_HASH_LEN])
{
	int	 i, j, v, c;

	if (s == NULL || strlen(s) != 2 * TXLOG_HASH_LEN)
		return -1;
	for (i = 0; i < TXLOG_HASH_LEN; i++) {
		for (v = 0, j = 0; j < 2; j++) {
			c = (unsigned char)s[2 * i + j];
			if (c >= '0' && c <= '9')
				v = v << 4 | (c - '0');
			else if (c >= 'a' && c <= 'f')
				v = v << 4 | (c - 'a' + 10);
			else
				return -1;
		}
		out[i] = (uint8_t)v;
	}
	return 0;
}

/*
 * The transaction log, inside the caller's transaction: the lock, the
 * last record, the new one chained to it.
 */
static int
pg_txlog_append(struct comms_db *db, int64_t now, const char *kind,
    const char *summary, const char *detail, int64_t *seqp)
{
	PGresult	*r;
	struct pgp	 p;
	uint8_t		 prev[TXLOG_HASH_LEN], h[TXLOG_HASH_LEN];
	char		 prevhex[TXLOG_HEX_LEN], hex[TXLOG_HEX_LEN];
	const char	*ph;
	int64_t		 seq = 1;

	if (pg_exec(db, "SELECT pg_advisory_xact_lock(" COMMS_PG_TXLOG_LOCK
	    ")") == -1)
		return -1;
	memset(prev, 0, sizeof(prev));
	if ((r = pg_params(db, "SELECT seq, hash FROM txlog ORDER BY seq "
	    "DESC LIMIT 1", NULL)) == NULL)
		return -1;
	if (PQntuples(r) == 1) {
		seq = strtoll(PQgetvalue(r, 0, 0), NULL, 10) + 1;
		ph = PQgetvalue(r, 0, 1);
		if (pg_unhex(ph, prev) == -1) {
			(void)snprintf(PGD(db)->err, sizeof(PGD(db)->err),
			    "txlog: record %" PRId64 " has no valid hash: the "
			    "log was damaged", seq - 1);
			log_warnx("%s", PGD(db)->err);
			PQclear(r);
			return -1;
		}
	}
	PQclear(r);
	txlog_hash(prev, seq, now, kind, summary, detail, h);
	digest_hex(prev, prevhex);
	digest_hex(h, hex);
	memset(&p, 0, sizeof(p));
	pp_int(&p, seq);
	pp_int(&p, now);
	pp_text(&p, kind);
	pp_text(&p, summary);
	pp_text(&p, detail);
	pp_text(&p, prevhex);
	pp_text(&p, hex);
	if (pg_run(db, "INSERT INTO txlog (seq, time, kind, summary, detail, "
	    "prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)", &p) == -1)
		return -1;
	*seqp = seq;
	return 0;
}

static int
pg_log(struct comms_db *db, int64_t now, const char *kind,
    const char *summary, const char *detail)
{
	int64_t	 seq;

	if (pg_exec(db, PG_BEGIN_LAZY) == -1)
		return -1;
	if (pg_txlog_append(db, now, kind, summary, detail, &seq) == -1 ||
	    pg_exec(db, "COMMIT") == -1) {
		pg_rollback(db);
		return -1;
	}
	return 0;
}

/* the gateway's row, made or refreshed, and locked until the commit */
static int
pg_gateway(struct comms_db *db, const struct comms_peer *peer, int64_t now,
    int64_t *id)
{
	struct pgp	 p;

	memset(&p, 0, sizeof(p));
	pp_text(&p, peer->cn);
	pp_text(&p, peer->cert_sha256);
	pp_int(&p, now);
	return pg_int(db, "INSERT INTO gateways (cn, cert_sha256, first_seen, "
	    "last_seen) VALUES ($1, $2, $3, $3) ON CONFLICT (cn) DO UPDATE "
	    "SET cert_sha256 = excluded.cert_sha256, last_seen = "
	    "greatest(gateways.last_seen, excluded.last_seen) RETURNING id",
	    &p, id) == 1 ? 0 : -1;
}

/*
 * The readings (check.h's extract), as store_sqlite.c stores them: the
 * same columns, the same order, NULL for what is absent.  A document
 * has a row per device and per reading, thousands in a large part:
 * they are prepared statements of the connection (pg_prepare()), sent
 * in a pipeline, PG_PIPE at a time between synchronisations, so that a
 * part costs a few round trips rather than one per row.
 */
#define PG_PIPE		256	/* statements sent before their results */

static const struct pg_stmt {
	const char	*name;
	const char	*sql;
} pg_stmts[] = {
#define PS_METER	0
	{ "commsd_meter",
	    "INSERT INTO meters (document_id, device_ord, device_key, "
	    "ordinal, name, unit, value, source, flag, previous) VALUES "
	    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)" },
#define PS_SUPPLY	1
	{ "commsd_supply",
	    "INSERT INTO supplies (document_id, device_ord, device_key, "
	    "ordinal, idx, description, class, type, color, unit, max, "
	    "level, percent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
	    "$10, $11, $12, $13)" },
#define PS_ALERT	2
	{ "commsd_alert",
	    "INSERT INTO alerts (document_id, device_ord, device_key, "
	    "ordinal, idx, severity, grp, code, description, time) VALUES "
	    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)" },
#define PS_REPORT	3
	{ "commsd_report",
	    "INSERT INTO device_reports (document_id, ordinal, "
	    "device_key, outcome, collected, address, reason, vendor, model, "
	    "model_source, serial, serial_source, firmware, "
	    "firmware_source, sysobjectid, enterprise, sysdescr, sysname, "
	    "syscontact, syslocation, device_status, printer_status, uptime, "
	    "errors, state, state_since) VALUES ($1, $2, $3, $4, $5, $6, $7, "
	    "$8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, "
	    "$21, $22, $23, $24, $25, $26)" },
#define PS_DEVICE	4
	{ "commsd_device",
	    "INSERT INTO devices (gateway_id, key, vendor, "
	    "model, serial, first_seen, last_seen, last_document) VALUES "
	    "($1, $2, coalesce($3, ''), coalesce($4, ''), coalesce($5, ''), "
	    "$6, $6, $7) ON CONFLICT (gateway_id, key) DO UPDATE SET "
	    "vendor = CASE excluded.vendor WHEN '' THEN devices.vendor "
	    "ELSE excluded.vendor END, "
	    "model = CASE excluded.model WHEN '' THEN devices.model "
	    "ELSE excluded.model END, "
	    "serial = CASE excluded.serial WHEN '' THEN devices.serial "
	    "ELSE excluded.serial END, "
	    "first_seen = least(devices.first_seen, excluded.first_seen), "
	    "last_seen = greatest(devices.last_seen, excluded.last_seen), "
	    "last_document = excluded.last_document" },
#define PS_JOBDATA	5
	{ "commsd_jobdata",
	    "INSERT INTO jobdata (document_id, device_ord, device_key, "
	    "sealed) VALUES ($1, $2, $3, $4)" },
};
#define PG_NSTMTS	(sizeof(pg_stmts) / sizeof(pg_stmts[0]))

/* the readings' tables: their record, statement and integer columns */
static const struct pg_rd {
	int		 tag;
	int		 stmt;
	unsigned int	 integers;	/* bits of the integer columns */
} pg_rd[] = {
	{ COMMS_REC_METER, PS_METER, 1U << XM_VALUE | 1U << XM_PREVIOUS },
	{ COMMS_REC_SUPPLY, PS_SUPPLY,
	    1U << XS_MAX | 1U << XS_LEVEL | 1U << XS_PERCENT },
	{ COMMS_REC_ALERT, PS_ALERT, 1U << XA_TIME },
};
#define PG_NRD	(sizeof(pg_rd) / sizeof(pg_rd[0]))

/* the writer's statements, prepared once per connection */
static int
pg_prepare(struct comms_db *db)
{
	PGresult	*r;
	size_t		 i;

	for (i = 0; i < PG_NSTMTS; i++) {
		r = PQprepare(PGD(db)->c, pg_stmts[i].name, pg_stmts[i].sql, 0,
		    NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			pg_error(db, r);
			PQclear(r);
			return -1;
		}
		PQclear(r);
	}
	return 0;
}

/* a pipeline of prepared statements, inside the caller's transaction */
struct pg_pipe {
	struct comms_db	*db;
	int		 queued;	/* sent, results not read */
	int		 failed;
};

/* the results of what was sent, up to the synchronisation: 0 or -1 */
static int
pipe_sync(struct pg_pipe *pp)
{
	PGconn		*c = PGD(pp->db)->c;
	PGresult	*r;
	int		 i, st;

	if (PQpipelineSync(c) != 1) {
		pg_error(pp->db, NULL);
		return -1;
	}
	/* each statement: its result (or "aborted"), then NULL */
	for (i = 0; i < pp->queued; i++) {
		while ((r = PQgetResult(c)) != NULL) {
			st = PQresultStatus(r);
			if (st != PGRES_COMMAND_OK && !pp->failed) {
				pp->failed = 1;
				pg_error(pp->db, r);
			}
			PQclear(r);
		}
		if (PQstatus(c) == CONNECTION_BAD) {
			pg_error(pp->db, NULL);
			return -1;
		}
	}
	/* then the synchronisation itself */
	r = PQgetResult(c);
	st = PQresultStatus(r);
	PQclear(r);
	if (st != PGRES_PIPELINE_SYNC) {
		if (!pp->failed)
			pg_error(pp->db, NULL);
		return -1;
	}
	pp->queued = 0;
	return pp->failed ? -1 : 0;
}

static int
pipe_begin(struct pg_pipe *pp, struct comms_db *db)
{
	memset(pp, 0, sizeof(*pp));
	pp->db = db;
	if (PQenterPipelineMode(PGD(db)->c) != 1) {
		pg_error(db, NULL);
		return -1;
	}
	return 0;
}

static int
pipe_send(struct pg_pipe *pp, int stmt, const struct pgp *p)
{
	if (pp->failed)
		return -1;
	if (PQsendQueryPrepared(PGD(pp->db)->c, pg_stmts[stmt].name, p->n,
	    p->v, p->len, p->fmt, 0) != 1) {
		pp->failed = 1;
		pg_error(pp->db, NULL);
		return -1;
	}
	if (++pp->queued >= PG_PIPE)
		return pipe_sync(pp);
	return 0;
}

/* the last results, and out of pipeline mode: 0 or -1 */
static int
pipe_end(struct pg_pipe *pp)
{
	int	 rv = 0;

	if (pp->queued > 0 && pipe_sync(pp) == -1)
		rv = -1;
	if (PQexitPipelineMode(PGD(pp->db)->c) != 1) {
		/* results left over: the connection is of no more use */
		if (!pp->failed)
			pg_error(pp->db, NULL);
		if (pg_lost(pp->db))
			return -1;
		fatalx("PostgreSQL: the pipeline could not be left: %s",
		    pg_errmsg(pp->db));
	}
	return pp->failed ? -1 : rv;
}

static int
pg_reading(struct pg_pipe *pp, const struct comms_record *r, int64_t docid,
    int64_t ord, const struct comms_field *key, int64_t *ordinals)
{
	const struct pg_rd	*t = NULL;
	struct pgp		 p;
	size_t			 i, c, ncols;

	for (i = 0; i < PG_NRD; i++)
		if (pg_rd[i].tag == r->tag)
			t = &pg_rd[i];
	if (t == NULL)
		return -1;
	ncols = comms_rec_ncols(r->tag);
	memset(&p, 0, sizeof(p));
	pp_int(&p, docid);
	pp_int(&p, ord);
	pp_f(&p, key);
	pp_int(&p, ordinals[t - pg_rd]++);
	for (c = 0; c < ncols; c++) {
		if (t->integers & (1U << c))
			pp_fint(&p, &r->f[c]);
		else
			pp_f(&p, &r->f[c]);
	}
	return pipe_send(pp, t->stmt, &p);
}

static int
pg_device(struct pg_pipe *pp, int64_t gwid, int64_t docid, int64_t ord,
    const struct comms_record *r, int64_t now)
{
	static const int	 text_cols[] = { XD_OUTCOME, XD_COLLECTED,
	    XD_ADDRESS, XD_REASON, XD_VENDOR, XD_MODEL, XD_MODEL_SOURCE,
	    XD_SERIAL, XD_SERIAL_SOURCE, XD_FIRMWARE, XD_FIRMWARE_SOURCE,
	    XD_SYSOBJECTID };
	static const int	 text_cols2[] = { XD_SYSDESCR, XD_SYSNAME,
	    XD_SYSCONTACT, XD_SYSLOCATION, XD_DEVICE_STATUS,
	    XD_PRINTER_STATUS };
	struct pgp		 p;
	size_t			 i;

	memset(&p, 0, sizeof(p));
	pp_int(&p, docid);
	pp_int(&p, ord);
	pp_f(&p, &r->f[XD_KEY]);
	for (i = 0; i < sizeof(text_cols) / sizeof(text_cols[0]); i++)
		pp_f(&p, &r->f[text_cols[i]]);
	pp_fint(&p, &r->f[XD_ENTERPRISE]);
	for (i = 0; i < sizeof(text_cols2) / sizeof(text_cols2[0]); i++)
		pp_f(&p, &r->f[text_cols2[i]]);
	pp_fint(&p, &r->f[XD_UPTIME]);
	pp_f(&p, &r->f[XD_ERRORS]);
	pp_f(&p, &r->f[XD_STATE]);
	pp_f(&p, &r->f[XD_STATE_SINCE]);
	if (pipe_send(pp, PS_REPORT, &p) == -1)
		return -1;

	memset(&p, 0, sizeof(p));
	pp_int(&p, gwid);
	pp_f(&p, &r->f[XD_KEY]);
	pp_f(&p, &r->f[XD_VENDOR]);
	pp_f(&p, &r->f[XD_MODEL]);
	pp_f(&p, &r->f[XD_SERIAL]);
	pp_int(&p, now);
	pp_int(&p, docid);
	return pipe_send(pp, PS_DEVICE, &p);
}

/* a device's sealed job data, as it came */
static int
pg_jobdata(struct pg_pipe *pp, const struct comms_record *r, int64_t docid,
    int64_t ord, const struct comms_field *key)
{
	struct pgp	 p;

	memset(&p, 0, sizeof(p));
	pp_int(&p, docid);
	pp_int(&p, ord);
	pp_f(&p, key);
	pp_f(&p, &r->f[XJ_DATA]);
	return pipe_send(pp, PS_JOBDATA, &p);
}

/*
 * An incident, as store_sqlite.c's store_incident(): *stored its row, 0
 * when an earlier document of the gateway stored it.
 */
static int
pg_incident(struct comms_db *db, int64_t gwid, int64_t docid,
    const struct comms_record *r, int64_t now, int64_t *stored)
{
	struct pgp	 p;
	int64_t		 id;
	int		 c, rv;

	*stored = 0;
	if (comms_parse_long(r->f[XI_ID].s, r->f[XI_ID].len, &id) == -1 ||
	    id <= 0) {
		(void)snprintf(PGD(db)->err, sizeof(PGD(db)->err),
		    "an incident without a number");
		return -1;	/* cannot be: the schema wants numbers from 1 */
	}
	memset(&p, 0, sizeof(p));
	pp_int(&p, gwid);
	pp_int(&p, id);
	if ((rv = pg_int(db, "SELECT id FROM incidents WHERE gateway_id = $1 "
	    "AND incident_id = $2", &p, stored)) != 0) {
		*stored = 0;
		return rv == 1 ? 0 : -1;
	}
	pp_int(&p, docid);
	pp_f(&p, &r->f[XI_KIND]);
	pp_f(&p, &r->f[XI_ORIGIN]);
	pp_f(&p, &r->f[XI_DEVICE]);
	pp_f(&p, &r->f[XI_CREATED]);
	for (c = XI_PROBLEM; c <= XI_PHONE; c++)
		pp_f(&p, &r->f[c]);
	pp_int(&p, now);
	if ((rv = pg_int(db, "INSERT INTO incidents (gateway_id, incident_id, "
	    "document_id, kind, origin, device_key, created, problem, "
	    "contact_name, contact_email, contact_phone, received, status, "
	    "status_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
	    "$11, $12, 'received', $12) ON CONFLICT (gateway_id, incident_id) "
	    "DO NOTHING RETURNING id", &p, stored)) == -1)
		return -1;
	if (rv == 0)
		*stored = 0;
	return 0;
}

static int
pg_incsupply(struct comms_db *db, int64_t incident,
    const struct comms_record *r)
{
	struct pgp	 p;

	memset(&p, 0, sizeof(p));
	pp_int(&p, incident);
	pp_f(&p, &r->f[XN_INDEX]);
	pp_f(&p, &r->f[XN_DESCRIPTION]);
	pp_f(&p, &r->f[XN_TYPE]);
	pp_f(&p, &r->f[XN_COLOR]);
	pp_fint(&p, &r->f[XN_MAX]);
	pp_fint(&p, &r->f[XN_LEVEL]);
	pp_fint(&p, &r->f[XN_PERCENT]);
	return pg_run(db, "INSERT INTO incident_supplies (incident, idx, "
	    "description, type, color, max, level, percent) VALUES ($1, $2, "
	    "$3, $4, $5, $6, $7, $8)", &p);
}

/* the document stored for this gateway already: 1, 0 or -1 */
static int
pg_find(struct comms_db *db, int64_t gwid, const char *sha,
    struct comms_stored *out)
{
	PGresult	*r;
	struct pgp	 p;
	int		 found;

	memset(&p, 0, sizeof(p));
	pp_int(&p, gwid);
	pp_text(&p, sha);
	if ((r = pg_params(db, "SELECT id, cycle_id, ndevices, "
	    "duplicates_seen, part, parts FROM documents WHERE gateway_id = "
	    "$1 AND sha256 = $2", &p)) == NULL)
		return -1;
	if ((found = PQntuples(r) == 1)) {
		out->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		out->cycle = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
		out->ndevices = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
		out->duplicates = strtoll(PQgetvalue(r, 0, 3), NULL, 10) + 1;
		out->part = strtoll(PQgetvalue(r, 0, 4), NULL, 10);
		out->parts = strtoll(PQgetvalue(r, 0, 5), NULL, 10);
	}
	PQclear(r);
	return found;
}

static int
pg_insert(struct comms_db *db, int64_t gwid, const struct comms_peer *peer,
    const struct comms_doc *doc, int64_t now, struct comms_stored *out)
{
	struct comms_record	 r, dev;
	struct pg_pipe		 pp;
	struct pgp		 p;
	size_t			 off = 0, next;
	int64_t			 ord = -1, cid = 0, first, ordinals[PG_NRD];
	int64_t			 incident = 0;

	if (!comms_extract_next(doc->extract, doc->extractlen, &off, &r) ||
	    r.tag != COMMS_REC_UPLOAD)
		return -1;	/* cannot be: the extract was checked */
	(void)comms_parse_long(r.f[XU_CYCLE].s, r.f[XU_CYCLE].len, &cid);
	comms_upload_part(&r, &out->part, &out->parts, &first);
	memset(&p, 0, sizeof(p));
	pp_int(&p, gwid);
	pp_text(&p, doc->sha256);
	pp_int(&p, now);
	pp_int(&p, (int64_t)doc->len);
	pp_text(&p, doc->encoding);
	pp_int(&p, (int64_t)doc->wire_len);
	pp_text(&p, peer->cert_sha256);
	pp_f(&p, &r.f[XU_GATEWAY]);
	pp_f(&p, &r.f[XU_SOFTWARE]);
	pp_f(&p, &r.f[XU_SITE]);
	pp_int(&p, cid);
	pp_f(&p, &r.f[XU_REASON]);
	pp_f(&p, &r.f[XU_STARTED]);
	pp_f(&p, &r.f[XU_FINISHED]);
	pp_f(&p, &r.f[XU_CATEGORIES]);
	pp_int(&p, (int64_t)doc->ndevices);
	pp_bytes(&p, doc->bytes, doc->len);
	pp_int(&p, out->part);
	pp_int(&p, out->parts);
	pp_int(&p, first);
	if (pg_int(db, "INSERT INTO documents (gateway_id, sha256, received, "
	    "size, encoding, wire_size, cert_sha256, claimed_id, software, "
	    "site, cycle_id, cycle_reason, cycle_started, cycle_finished, "
	    "categories, ndevices, bytes, part, parts, first_device) VALUES "
	    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
	    "$15, $16, $17, $18, $19, $20) RETURNING id", &p, &out->id) != 1)
		return -1;
	out->cycle = cid;
	out->ndevices = (int64_t)doc->ndevices;
	/* the incidents come before the devices: each needs its number */
	for (next = off; comms_extract_next(doc->extract, doc->extractlen,
	    &next, &r) && (r.tag == COMMS_REC_INCIDENT ||
	    r.tag == COMMS_REC_INCSUPPLY); off = next) {
		if (r.tag == COMMS_REC_INCIDENT) {
			if (pg_incident(db, gwid, out->id, &r, now,
			    &incident) == -1)
				return -1;
		} else if (incident > 0 && pg_incsupply(db, incident,
		    &r) == -1)
			return -1;
	}
	memset(&dev, 0, sizeof(dev));
	if (pipe_begin(&pp, db) == -1)
		return -1;
	while (!pp.failed &&
	    comms_extract_next(doc->extract, doc->extractlen, &off, &r)) {
		if (r.tag == COMMS_REC_DEVICE) {
			dev = r;
			memset(ordinals, 0, sizeof(ordinals));
			(void)pg_device(&pp, gwid, out->id, ++ord, &r, now);
		} else if (r.tag == COMMS_REC_JOBDATA && ord >= 0)
			(void)pg_jobdata(&pp, &r, out->id, ord,
			    &dev.f[XD_KEY]);
		else if (ord < 0 || r.tag == COMMS_REC_INCIDENT ||
		    r.tag == COMMS_REC_INCSUPPLY) {
			pp.failed = 1;	/* cannot be: the extract was checked */
			(void)snprintf(PGD(db)->err, sizeof(PGD(db)->err),
			    "a reading before any device");
		} else
			(void)pg_reading(&pp, &r, out->id, ord,
			    &dev.f[XD_KEY], ordinals);
	}
	if (pipe_end(&pp) == -1)
		return -1;
	return off == doc->extractlen ? 0 : -1;
}

/*
 * A new document's place in its cycle, as store_sqlite.c's cycle_part():
 * 0; -2 when its count of parts disagrees with the cycle's; -1.
 */
static int
pg_cycle_part(struct comms_db *db, int64_t gwid, const struct comms_doc *doc,
    int64_t now, struct comms_stored *out, char *err, size_t errlen)
{
	struct comms_record	 r;
	PGresult		*res;
	struct pgp		 p;
	size_t			 off = 0;
	int64_t			 cyc, parts, received, completed, same = 0;

	if (!comms_extract_next(doc->extract, doc->extractlen, &off, &r) ||
	    r.tag != COMMS_REC_UPLOAD)
		return -1;
	memset(&p, 0, sizeof(p));
	pp_int(&p, gwid);
	pp_int(&p, out->cycle);
	pp_f(&p, &r.f[XU_STARTED]);
	pp_int(&p, out->part);
	pp_int(&p, out->id);
	if (pg_int(db, "SELECT count(*) FROM documents WHERE gateway_id = $1 "
	    "AND cycle_id = $2 AND cycle_started = $3 AND part = $4 AND "
	    "id != $5", &p, &same) != 1)
		return -1;

	memset(&p, 0, sizeof(p));
	pp_int(&p, gwid);
	pp_int(&p, out->cycle);
	pp_f(&p, &r.f[XU_STARTED]);
	pp_int(&p, out->parts);
	pp_int(&p, now);
	if (pg_run(db, "INSERT INTO cycles (gateway_id, cycle_id, "
	    "cycle_started, parts, received, devices, first_received) VALUES "
	    "($1, $2, $3, $4, 0, 0, $5) ON CONFLICT (gateway_id, cycle_id, "
	    "cycle_started) DO NOTHING", &p) == -1)
		return -1;

	p.n = 3;
	if ((res = pg_params(db, "SELECT id, parts, received, "
	    "coalesce(completed, 0) FROM cycles WHERE gateway_id = $1 AND "
	    "cycle_id = $2 AND cycle_started = $3", &p)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		(void)snprintf(PGD(db)->err, sizeof(PGD(db)->err), "the "
		    "cycle's row is missing");
		return -1;
	}
	cyc = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	parts = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	received = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	completed = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	PQclear(res);
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
	memset(&p, 0, sizeof(p));
	pp_int(&p, cyc);
	pp_int(&p, received);
	pp_int(&p, out->ndevices);
	pp_int(&p, out->completed ? now : 0);
	return pg_run(db, "UPDATE cycles SET received = $2, devices = devices "
	    "+ $3, completed = CASE WHEN $4::bigint <> 0 THEN $4::bigint ELSE "
	    "completed END WHERE id = $1", &p);
}

/*
 * Before a new document is inserted: a part whose count of parts is not
 * its cycle's is refused without taking a document number (an identity
 * value is not given back by a rollback, as SQLite's rowid is, and the
 * numbers would differ from SQLite's for the same uploads).  0; -2 with
 * err; -1.
 */
static int
pg_parts_agree(struct comms_db *db, int64_t gwid, const struct comms_doc *doc,
    char *err, size_t errlen)
{
	struct comms_record	 r;
	struct pgp		 p;
	size_t			 off = 0;
	int64_t			 cid = 0, part, parts, first, before;
	int			 rv;

	if (!comms_extract_next(doc->extract, doc->extractlen, &off, &r) ||
	    r.tag != COMMS_REC_UPLOAD)
		return -1;	/* cannot be: the extract was checked */
	(void)comms_parse_long(r.f[XU_CYCLE].s, r.f[XU_CYCLE].len, &cid);
	comms_upload_part(&r, &part, &parts, &first);
	memset(&p, 0, sizeof(p));
	pp_int(&p, gwid);
	pp_int(&p, cid);
	pp_f(&p, &r.f[XU_STARTED]);
	if ((rv = pg_int(db, "SELECT parts FROM cycles WHERE gateway_id = $1 "
	    "AND cycle_id = $2 AND cycle_started = $3", &p, &before)) != 1)
		return rv;	/* 0: the cycle's first part; -1 */
	if (before == parts)
		return 0;
	(void)snprintf(err, errlen, "part %" PRId64 " of cycle %" PRId64
	    " says the cycle has %" PRId64 " parts, its parts before "
	    "said %" PRId64, part, cid, parts, before);
	return -2;
}

static int
pg_store(struct comms_db *db, const struct comms_peer *peer,
    const struct comms_doc *doc, int64_t now, struct comms_stored *out,
    char *err, size_t errlen)
{
	struct pgp	 p;
	char		 summary[512], *detail;
	int64_t		 gwid, devices = 0, seq;
	int		 r;

	if (pg_exec(db, "BEGIN") == -1)
		goto fail;
	if (pg_gateway(db, peer, now, &gwid) == -1 ||
	    (r = pg_find(db, gwid, doc->sha256, out)) == -1)
		goto fail;
	if (r == 1) {
		out->duplicate = 1;
		memset(&p, 0, sizeof(p));
		pp_int(&p, out->id);
		pp_int(&p, now);
		if (pg_run(db, "UPDATE documents SET duplicates_seen = "
		    "duplicates_seen + 1, last_duplicate = $2 WHERE id = $1",
		    &p) == -1)
			goto fail;
	} else if ((r = pg_parts_agree(db, gwid, doc, err, errlen)) != 0) {
		if (r == -1)
			goto fail;
		pg_rollback(db);
		return -2;
	} else if (pg_insert(db, gwid, peer, doc, now, out) == -1)
		goto fail;
	if (!out->duplicate && (r = pg_cycle_part(db, gwid, doc, now, out,
	    err, errlen)) != 0) {
		if (r == -1)
			(void)snprintf(err, errlen, "%s", pg_errmsg(db));
		pg_rollback(db);
		return r == -2 ? -2 : -1;
	}
	detail = comms_upload_record(peer, doc, out, summary, sizeof(summary));
	r = pg_txlog_append(db, now, out->duplicate ? COMMS_LOG_DUPLICATE :
	    COMMS_LOG_UPLOAD, summary, detail, &out->txseq);
	free(detail);
	if (r == -1)
		goto fail;
	if (out->completed && out->parts > 1) {
		memset(&p, 0, sizeof(p));
		pp_int(&p, out->id);
		if (pg_int(db, "SELECT c.devices FROM cycles c JOIN documents "
		    "d ON d.gateway_id = c.gateway_id AND d.cycle_id = "
		    "c.cycle_id AND d.cycle_started = c.cycle_started WHERE "
		    "d.id = $1", &p, &devices) == -1)
			goto fail;
		detail = comms_cycle_record(peer, out, devices, summary,
		    sizeof(summary));
		log_info("%s", summary);
		r = pg_txlog_append(db, now, COMMS_LOG_CYCLE, summary, detail,
		    &seq);
		free(detail);
		if (r == -1)
			goto fail;
	}
	if (!out->duplicate) {
		memset(&p, 0, sizeof(p));
		pp_int(&p, out->id);
		pp_int(&p, out->txseq);
		if (pg_run(db, "UPDATE documents SET txseq = $2 WHERE id = $1",
		    &p) == -1)
			goto fail;
	}
	if (pg_exec(db, "COMMIT") == -1)
		goto fail;
	return 0;
 fail:
	(void)snprintf(err, errlen, "%s", pg_errmsg(db));
	pg_rollback(db);
	return -1;
}

/* the gateway's incidents a check-in answers with */
static int
pg_incidents(struct comms_db *db, int64_t gw, const struct comms_checkin *ci)
{
	PGresult	*res;
	struct pgp	 p;
	int		 i;

	memset(&p, 0, sizeof(p));
	pp_int(&p, gw);
	pp_int(&p, ci->incidents_since);
	pp_int(&p, (int64_t)ci->incidents_max);
	if ((res = pg_params(db, "SELECT incident_id, status FROM incidents "
	    "WHERE gateway_id = $1 AND received >= $2 ORDER BY incident_id "
	    "DESC LIMIT $3", &p)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		ci->incident(ci->arg, strtoll(PQgetvalue(res, i, 0), NULL, 10),
		    PQgetvalue(res, i, 1));
	PQclear(res);
	return 0;
}

/*
 * A check-in: the gateway's row locked first (another node's check-in of
 * the same gateway waits for this one's commit), then as
 * store_sqlite.c's sq_checkin().
 */
static int
pg_checkin(struct comms_db *db, const struct comms_peer *peer, int64_t now,
    const struct comms_checkin *ci, const struct comms_bundle *b, size_t n,
    size_t *nserved)
{
	struct pgp	 p;
	char		 summary[512], *detail;
	int64_t		 gw, seq, held;
	size_t		 i, serve = n;
	int		 r;

	*nserved = 0;
	if (pg_exec(db, PG_BEGIN_LAZY) == -1)
		return -1;
	if (pg_gateway(db, peer, now, &gw) == -1)
		goto fail;
	memset(&p, 0, sizeof(p));
	pp_int(&p, gw);
	pp_int(&p, now);
	pp_int(&p, (int64_t)ci->last);
	pp_text(&p, ci->software);
	if (pg_run(db, "INSERT INTO checkins (gateway_id, checkins, "
	    "last_checkin, last_sequence, software) VALUES ($1, 1, $2, $3, "
	    "$4) ON CONFLICT (gateway_id) DO UPDATE SET checkins = "
	    "checkins.checkins + 1, last_checkin = excluded.last_checkin, "
	    "last_sequence = excluded.last_sequence, software = "
	    "excluded.software", &p) == -1)
		goto fail;
	p.n = 3;
	if (pg_run(db, "UPDATE deliveries SET acknowledged = $2 WHERE "
	    "gateway_id = $1 AND sequence <= $3 AND acknowledged IS NULL",
	    &p) == -1)
		goto fail;
	for (i = 0; !ci->replay && i < n; i++) {
		memset(&p, 0, sizeof(p));
		pp_int(&p, gw);
		pp_int(&p, (int64_t)b[i].seq);
		pp_text(&p, b[i].sha256);
		pp_int(&p, now - COMMS_REDELIVER_SECONDS);
		if (pg_int(db, "SELECT count(*) FROM deliveries WHERE "
		    "gateway_id = $1 AND sequence = $2 AND sha256 = $3 AND "
		    "acknowledged IS NULL AND last_served > $4", &p,
		    &held) != 1)
			goto fail;
		if (held > 0) {
			serve = i;
			break;
		}
	}
	for (i = 0; i < serve; i++) {
		memset(&p, 0, sizeof(p));
		pp_int(&p, gw);
		pp_int(&p, (int64_t)b[i].seq);
		pp_text(&p, b[i].file);
		pp_text(&p, b[i].sha256);
		pp_int(&p, now);
		if (pg_run(db, "INSERT INTO deliveries (gateway_id, sequence, "
		    "file, sha256, first_served, last_served, times_served) "
		    "VALUES ($1, $2, $3, $4, $5, $5, 1) ON CONFLICT "
		    "(gateway_id, sequence) DO UPDATE SET "
		    "file = excluded.file, "
		    "sha256 = excluded.sha256, last_served = "
		    "excluded.last_served, times_served = "
		    "deliveries.times_served + 1, acknowledged = NULL",
		    &p) == -1)
			goto fail;
	}
	if (ci->incident != NULL && pg_incidents(db, gw, ci) == -1)
		goto fail;
	detail = ci->record(ci->arg, serve, n - serve, summary,
	    sizeof(summary));
	r = pg_txlog_append(db, now, COMMS_LOG_CHECKIN, summary, detail, &seq);
	free(detail);
	if (r == -1 || pg_exec(db, "COMMIT") == -1)
		goto fail;
	*nserved = serve;
	return 0;
 fail:
	pg_rollback(db);
	return -1;
}

static int
pg_package(struct comms_db *db, const struct comms_peer *peer, int64_t now,
    const char *file, const char *sha256, size_t len, const char *summary,
    const char *detail)
{
	struct pgp	 p;
	int64_t		 gw, seq;

	if (pg_exec(db, "BEGIN") == -1)
		return -1;
	if (pg_gateway(db, peer, now, &gw) == -1 ||
	    pg_txlog_append(db, now, COMMS_LOG_PACKAGE, summary, detail,
	    &seq) == -1)
		goto fail;
	memset(&p, 0, sizeof(p));
	pp_int(&p, gw);
	pp_text(&p, file);
	pp_text(&p, sha256);
	pp_int(&p, (int64_t)len);
	pp_int(&p, now);
	pp_int(&p, seq);
	if (pg_run(db, "INSERT INTO packages_served (gateway_id, file, sha256, "
	    "size, served, txseq) VALUES ($1, $2, $3, $4, $5, $6)", &p) == -1 ||
	    pg_exec(db, "COMMIT") == -1)
		goto fail;
	return 0;
 fail:
	pg_rollback(db);
	return -1;
}

/* an incident's status and its record, as sq_incident_status() */
static int
pg_incident_status(struct comms_db *db, int64_t id, const char *status,
    int64_t now, const char *summary, const char *detail)
{
	PGresult	*res;
	struct pgp	 p;
	int64_t		 seq;
	int		 changed;

	if (pg_exec(db, "BEGIN") == -1)
		return -1;
	memset(&p, 0, sizeof(p));
	pp_int(&p, id);
	pp_text(&p, status);
	pp_int(&p, now);
	if ((res = pg_params(db, "UPDATE incidents SET status = $2, "
	    "status_time = $3 WHERE id = $1", &p)) == NULL)
		goto fail;
	changed = strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	if (!changed) {
		pg_rollback(db);
		return 1;
	}
	if (pg_txlog_append(db, now, COMMS_LOG_INCIDENT, summary, detail,
	    &seq) == -1 || pg_exec(db, "COMMIT") == -1)
		goto fail;
	return 0;
 fail:
	pg_rollback(db);
	return -1;
}

/*
 * The queries of commsd -q: store_sqlite.c's, in PostgreSQL's words.
 */
static const char *const pg_queries[CQ_NQUERIES] = {
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
	    "SELECT DISTINCT part FROM documents WHERE gateway_id = $1 AND "
	    "cycle_id = $2 AND cycle_started = $3 ORDER BY part",
	[CQ_DOCUMENT] =
	    "SELECT bytes FROM documents WHERE id = $1",
	[CQ_LATEST] =
	    "SELECT coalesce(max(id), 0) FROM documents",
	[CQ_REPORTS] =
	    "SELECT ordinal, device_key, address, outcome, serial, vendor, "
	    "enterprise, model, firmware, device_status, printer_status, "
	    "errors, reason, sysdescr, sysobjectid, model_source, "
	    "serial_source, firmware_source, sysname, syscontact, "
	    "syslocation, uptime, collected FROM device_reports "
	    "WHERE document_id = $1 ORDER BY ordinal",
	[CQ_METERS] =
	    "SELECT name, unit, value, source FROM meters "
	    "WHERE document_id = $1 AND device_ord = $2 ORDER BY ordinal",
	[CQ_SUPPLIES] =
	    "SELECT idx, description, class, type, color, unit, max, level, "
	    "percent FROM supplies WHERE document_id = $1 AND "
	    "device_ord = $2 ORDER BY ordinal",
	[CQ_ALERTS] =
	    "SELECT idx, severity, grp, code, description, time FROM alerts "
	    "WHERE document_id = $1 AND device_ord = $2 ORDER BY ordinal",
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
	/* SQLite's BINARY order of the indexes is "C"'s */
	[CQ_INCIDENTS] =
	    "SELECT i.id, g.cn, i.incident_id, i.kind, i.origin, "
	    "i.device_key, i.created, i.status, i.problem, i.contact_name, "
	    "i.contact_email, i.contact_phone, (SELECT string_agg(s.idx, ' ' "
	    "ORDER BY s.idx COLLATE \"C\") FROM incident_supplies s WHERE "
	    "s.incident = i.id), i.document_id, i.status_time "
	    "FROM incidents i JOIN gateways g ON g.id = i.gateway_id "
	    "ORDER BY i.id",
	[CQ_JOBDATA] =
	    "SELECT j.id, j.document_id, g.cn, j.device_key, d.received, "
	    "j.sealed FROM jobdata j JOIN documents d ON d.id = j.document_id "
	    "JOIN gateways g ON g.id = d.gateway_id ORDER BY j.id",
	[CQ_JOBDATA_ONE] =
	    "SELECT sealed FROM jobdata WHERE id = $1",
};

/* a query's cursor, and its rows fetched so far */
struct comms_q {
	struct comms_db	*db;
	char		 name[24];
	int		 binary;	/* results in binary format (bytea) */
	PGresult	*r;
	int		 row, nrows;
	int		 done;
};

static struct comms_q *
pg_cursor(struct comms_db *db, const char *sql, const struct comms_qarg *a,
    size_t n, int binary)
{
	struct comms_q	*q;
	struct pgp	 p;
	char		*decl;
	size_t		 i;
	int		 rv;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		fatal(NULL);
	q->db = db;
	q->binary = binary;
	(void)snprintf(q->name, sizeof(q->name), "q%u", PGD(db)->ncursors++);
	memset(&p, 0, sizeof(p));
	for (i = 0; i < n; i++) {
		if (a[i].s != NULL)
			pp_text(&p, a[i].s);
		else
			pp_int(&p, a[i].i);
	}
	if (asprintf(&decl, "DECLARE %s NO SCROLL CURSOR FOR %s", q->name,
	    sql) == -1)
		fatal(NULL);
	rv = pg_run(db, decl, &p);
	free(decl);
	if (rv == -1) {
		free(q);
		return NULL;
	}
	return q;
}

static struct comms_q *
pg_q_open(struct comms_db *db, enum comms_query qn,
    const struct comms_qarg *a, size_t n)
{
	if ((unsigned int)qn >= CQ_NQUERIES)
		fatalx("%s: query %d", __func__, (int)qn);
	return pg_cursor(db, pg_queries[qn], a, n, qn == CQ_DOCUMENT);
}

static int
pg_q_next(struct comms_q *q)
{
	char	 sql[64];
	int	 st;

	if (q->r != NULL && ++q->row < q->nrows)
		return 1;
	if (q->done)
		return 0;
	PQclear(q->r);
	(void)snprintf(sql, sizeof(sql), "FETCH %d FROM %s", PG_FETCH,
	    q->name);
	q->r = PQexecParams(PGD(q->db)->c, sql, 0, NULL, NULL, NULL, NULL,
	    q->binary);
	st = PQresultStatus(q->r);
	if (st != PGRES_TUPLES_OK) {
		pg_error(q->db, q->r);
		PQclear(q->r);
		q->r = NULL;
		return -1;
	}
	q->row = 0;
	q->nrows = PQntuples(q->r);
	if (q->nrows < PG_FETCH)
		q->done = 1;
	return q->nrows > 0;
}

static int
pg_q_null(struct comms_q *q, int c)
{
	return PQgetisnull(q->r, q->row, c);
}

static int64_t
pg_q_int(struct comms_q *q, int c)
{
	if (PQgetisnull(q->r, q->row, c))
		return 0;
	return strtoll(PQgetvalue(q->r, q->row, c), NULL, 10);
}

static const char *
pg_q_text(struct comms_q *q, int c)
{
	if (PQgetisnull(q->r, q->row, c))
		return NULL;
	return PQgetvalue(q->r, q->row, c);
}

static const void *
pg_q_blob(struct comms_q *q, int c, size_t *len)
{
	int	 n;

	if (PQgetisnull(q->r, q->row, c)) {
		*len = 0;
		return NULL;
	}
	n = PQgetlength(q->r, q->row, c);
	*len = n > 0 ? (size_t)n : 0;
	return PQgetvalue(q->r, q->row, c);
}

static void
pg_q_close(struct comms_q *q)
{
	char	 sql[64];

	if (q == NULL)
		return;
	PQclear(q->r);
	(void)snprintf(sql, sizeof(sql), "CLOSE %s", q->name);
	(void)pg_exec(q->db, sql);
	free(q);
}

/* -q's whole run is one snapshot already (pg_open) */
static int
pg_snapshot(struct comms_db *db, int begin)
{
	return 0;
}

/*
 * The chain, as txlog_verify_chain() checks it, with its messages: the
 * records in order through a cursor, each hash computed again.
 */
static int
pg_verify(struct comms_db *db, int64_t *nrec, int64_t *bad, char *why,
    size_t whylen)
{
	struct comms_q	*q;
	uint8_t		 prev[TXLOG_HASH_LEN], h[TXLOG_HASH_LEN];
	char		 hex[TXLOG_HEX_LEN], prevhex[TXLOG_HEX_LEN];
	const char	*kind, *summary, *detail, *ph, *hh;
	int64_t		 expect = 1, seq;
	int		 rc, r = 0;

	*nrec = 0;
	*bad = 0;
	if (whylen > 0)
		why[0] = '\0';
	memset(prev, 0, sizeof(prev));
	if ((q = pg_cursor(db, "SELECT seq, time, kind, summary, detail, "
	    "prev_hash, hash FROM txlog ORDER BY seq", NULL, 0, 0)) == NULL) {
		(void)snprintf(why, whylen, "reading the database: %s",
		    pg_errmsg(db));
		return -2;
	}
	while ((rc = pg_q_next(q)) == 1) {
		seq = pg_q_int(q, 0);
		if (seq != expect) {
			*bad = seq < expect ? seq : expect;
			if (seq < expect)
				(void)snprintf(why, whylen, "record %" PRId64
				    ": bad sequence number", seq);
			else if (expect == 1)
				(void)snprintf(why, whylen, "record 1: missing "
				    "(the log starts at record %" PRId64 ")",
				    seq);
			else
				(void)snprintf(why, whylen, "record %" PRId64
				    ": missing (the log goes from record %"
				    PRId64 " to %" PRId64 ")", expect,
				    expect - 1, seq);
			r = -1;
			break;
		}
		digest_hex(prev, prevhex);
		ph = pg_q_text(q, 5);
		if (ph == NULL || strcmp(ph, prevhex) != 0) {
			*bad = seq;
			if (seq == 1)
				(void)snprintf(why, whylen, "record 1: "
				    "prev_hash is not the start of a chain");
			else
				(void)snprintf(why, whylen, "record %" PRId64
				    ": prev_hash does not match record %"
				    PRId64 " (a record was changed, removed or "
				    "reordered)", seq, seq - 1);
			r = -1;
			break;
		}
		kind = pg_q_text(q, 2);
		summary = pg_q_text(q, 3);
		detail = pg_q_text(q, 4);
		if (pg_q_null(q, 1) || kind == NULL || summary == NULL ||
		    detail == NULL) {
			*bad = seq;
			(void)snprintf(why, whylen, "record %" PRId64 ": hash "
			    "mismatch (a field is missing)", seq);
			r = -1;
			break;
		}
		txlog_hash(prev, seq, pg_q_int(q, 1), kind, summary, detail,
		    h);
		digest_hex(h, hex);
		hh = pg_q_text(q, 6);
		if (hh == NULL || strcmp(hh, hex) != 0) {
			*bad = seq;
			(void)snprintf(why, whylen, "record %" PRId64 ": hash "
			    "mismatch (the record was changed)", seq);
			r = -1;
			break;
		}
		memcpy(prev, h, sizeof(prev));
		expect++;
	}
	if (rc == -1 && r == 0) {
		(void)snprintf(why, whylen, "reading the database: %s",
		    pg_errmsg(db));
		r = -2;
	}
	pg_q_close(q);
	*nrec = expect - 1;
	return r;
}

const struct comms_db_ops comms_pg_ops = {
	.name = "postgresql",
	.sandbox = &commsd_pg_sandbox,
	.start = pg_start,
	.sandboxed = pg_sandboxed,
	.open = pg_open,
	.close = pg_close,
	.errmsg = pg_errmsg,
	.lost = pg_lost,
	.log = pg_log,
	.store = pg_store,
	.checkin = pg_checkin,
	.incident_status = pg_incident_status,
	.package = pg_package,
	.q_open = pg_q_open,
	.q_next = pg_q_next,
	.q_null = pg_q_null,
	.q_int = pg_q_int,
	.q_text = pg_q_text,
	.q_blob = pg_q_blob,
	.q_close = pg_q_close,
	.snapshot = pg_snapshot,
	.verify = pg_verify,
};
