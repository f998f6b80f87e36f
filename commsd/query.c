/*
 * commsd -q: what the server received, read-only and straight from the
 * database, so that it works while the server runs (WAL: readers do not
 * wait for the writer) and when it is stopped.
 *
 *	documents [-j]	every stored document
 *	cycles [-j]	every cycle: its parts received of how many,
 *			complete or partial (and which parts are missing)
 *	document ID	the exact bytes of one, to standard output
 *	devices [-j]	the devices of the latest document
 *	log [-j]	the transaction log
 *	verify		check the log's hash chain
 */
#include <sys/stat.h>

#include <err.h>
#include <grp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "commsd.h"
#include "isotime.h"
#include "json.h"
#include "txlog.h"

#define Q_ERROR		1

/* text for a terminal: control characters shown as '?' */
static void
print_safe(const unsigned char *s, int width)
{
	int	 n = 0;

	if (s == NULL)
		s = (const unsigned char *)"-";
	for (; *s != '\0'; s++, n++)
		putchar(*s < 0x20 || *s == 0x7f ? '?' : *s);
	for (; n < width; n++)
		putchar(' ');
}

static int64_t
col64(sqlite3_stmt *st, int i)
{
	return (int64_t)sqlite3_column_int64(st, i);
}

static const char *
col_str(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void
kv_col_str(struct json *j, const char *k, sqlite3_stmt *st, int i)
{
	json_kv_string_or_null(j, k, col_str(st, i));
}

static void
kv_col_int(struct json *j, const char *k, sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		json_kv_null(j, k);
	else
		json_kv_int(j, k, sqlite3_column_int64(st, i));
}

static sqlite3_stmt *
prepare(struct comms_db *db, const char *sql)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		errx(Q_ERROR, "reading the database: %s", comms_db_errmsg(db));
	return st;
}

static void
step_error(struct comms_db *db, int rc)
{
	if (rc != SQLITE_DONE)
		errx(Q_ERROR, "reading the database: %s", comms_db_errmsg(db));
}

static int
q_documents(struct comms_db *db, int json)
{
	sqlite3_stmt	*st;
	struct json	 j;
	char		 t[32];
	int		 rc;

	st = prepare(db, "SELECT d.id, g.cn, d.sha256, d.received, d.size, "
	    "d.encoding, d.cycle_id, d.ndevices, d.duplicates_seen, d.part, "
	    "d.parts FROM documents d JOIN gateways g ON g.id = d.gateway_id "
	    "ORDER BY d.id");
	if (json) {
		json_init(&j, stdout);
		json_array_begin(&j);
	} else
		printf("%-6s %-20s %-20s %9s %-8s %7s %7s %4s %s\n", "ID",
		    "RECEIVED", "GATEWAY", "SIZE", "ENCODING", "CYCLE",
		    "DEVICES", "DUPS", "SHA256");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		(void)iso_time(sqlite3_column_int64(st, 3), t, sizeof(t));
		if (json) {
			json_object_begin(&j);
			json_kv_int(&j, "id", sqlite3_column_int64(st, 0));
			kv_col_str(&j, "gateway", st, 1);
			kv_col_str(&j, "sha256", st, 2);
			json_kv_string(&j, "received", t);
			json_kv_int(&j, "size", sqlite3_column_int64(st, 4));
			kv_col_str(&j, "encoding", st, 5);
			json_kv_int(&j, "cycle", sqlite3_column_int64(st, 6));
			json_kv_int(&j, "devices",
			    sqlite3_column_int64(st, 7));
			json_kv_int(&j, "duplicates_seen",
			    sqlite3_column_int64(st, 8));
			json_kv_int(&j, "part", sqlite3_column_int64(st, 9));
			json_kv_int(&j, "parts", sqlite3_column_int64(st, 10));
			json_object_end(&j);
			continue;
		}
		printf("%-6" PRId64 " %-20s ", col64(st, 0), t);
		print_safe(sqlite3_column_text(st, 1), 20);
		printf(" %9" PRId64 " %-8s %7" PRId64 " %7" PRId64 " %4"
		    PRId64 " %s\n", col64(st, 4), col_str(st, 5),
		    col64(st, 6), col64(st, 7), col64(st, 8),
		    col_str(st, 2));
	}
	step_error(db, rc);
	sqlite3_finalize(st);
	if (json) {
		json_array_end(&j);
		putchar('\n');
		if (json_finish(&j) == -1)
			errx(Q_ERROR, "writing the JSON output failed");
	}
	return 0;
}

/* the parts of a partial cycle it lacks, as "2,5-7" (at most len) */
static void
missing_parts(struct comms_db *db, int64_t gw, int64_t cycle,
    const unsigned char *started, int64_t parts, char *buf, size_t len)
{
	sqlite3_stmt	*st;
	int64_t		 want = 1, p, from;
	size_t		 o = 0;
	int		 n, rc;

	buf[0] = '\0';
	st = prepare(db, "SELECT DISTINCT part FROM documents WHERE "
	    "gateway_id = ?1 AND cycle_id = ?2 AND cycle_started = ?3 "
	    "ORDER BY part");
	sqlite3_bind_int64(st, 1, gw);
	sqlite3_bind_int64(st, 2, cycle);
	sqlite3_bind_text(st, 3, (const char *)started, -1, SQLITE_STATIC);
	for (;;) {
		rc = sqlite3_step(st);
		p = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : parts + 1;
		if (p > want && o < len) {
			from = want;
			want = p - 1 < parts ? p - 1 : parts;
			if (from == want)
				n = snprintf(buf + o, len - o, "%s%" PRId64,
				    o ? "," : "", from);
			else
				n = snprintf(buf + o, len - o, "%s%" PRId64
				    "-%" PRId64, o ? "," : "", from, want);
			o = n < 0 || (size_t)n >= len - o ? len : o + (size_t)n;
		}
		want = p + 1;
		if (rc != SQLITE_ROW || p >= parts)
			break;
	}
	step_error(db, rc == SQLITE_ROW ? SQLITE_DONE : rc);
	sqlite3_finalize(st);
}

static int
q_cycles(struct comms_db *db, int json)
{
	sqlite3_stmt	*st;
	struct json	 j;
	char		 t[32], missing[256];
	int		 rc;

	st = prepare(db, "SELECT g.cn, c.cycle_id, c.cycle_started, c.parts, "
	    "c.received, c.devices, c.first_received, c.completed, "
	    "c.gateway_id FROM cycles c JOIN gateways g ON "
	    "g.id = c.gateway_id ORDER BY c.id");
	if (json) {
		json_init(&j, stdout);
		json_array_begin(&j);
	} else
		printf("%-20s %7s %-20s %11s %7s %-20s %s\n", "GATEWAY",
		    "CYCLE", "STARTED", "PARTS", "DEVICES", "COMPLETED",
		    "MISSING");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		missing[0] = '\0';
		if (col64(st, 4) < col64(st, 3))
			missing_parts(db, col64(st, 8), col64(st, 1),
			    sqlite3_column_text(st, 2), col64(st, 3), missing,
			    sizeof(missing));
		if (sqlite3_column_type(st, 7) == SQLITE_NULL)
			(void)strlcpy(t, "partial", sizeof(t));
		else
			(void)iso_time(col64(st, 7), t, sizeof(t));
		if (json) {
			json_object_begin(&j);
			kv_col_str(&j, "gateway", st, 0);
			json_kv_int(&j, "cycle", col64(st, 1));
			kv_col_str(&j, "started", st, 2);
			json_kv_int(&j, "parts", col64(st, 3));
			json_kv_int(&j, "received", col64(st, 4));
			json_kv_int(&j, "devices", col64(st, 5));
			json_kv_bool(&j, "complete",
			    sqlite3_column_type(st, 7) != SQLITE_NULL);
			if (sqlite3_column_type(st, 7) == SQLITE_NULL)
				json_kv_string(&j, "missing", missing);
			else
				json_kv_string(&j, "completed", t);
			json_object_end(&j);
			continue;
		}
		print_safe(sqlite3_column_text(st, 0), 20);
		printf(" %7" PRId64 " ", col64(st, 1));
		print_safe(sqlite3_column_text(st, 2), 20);
		printf(" %5" PRId64 " of %-2" PRId64 " %7" PRId64 " %-20s %s\n",
		    col64(st, 4), col64(st, 3), col64(st, 5), t,
		    missing[0] ? missing : "-");
	}
	step_error(db, rc);
	sqlite3_finalize(st);
	if (json) {
		json_array_end(&j);
		putchar('\n');
		if (json_finish(&j) == -1)
			errx(Q_ERROR, "writing the JSON output failed");
	}
	return 0;
}

static int
q_document(struct comms_db *db, const char *arg)
{
	sqlite3_stmt	*st;
	const char	*errstr;
	const void	*p;
	long long	 id;
	int		 n;

	id = strtonum(arg, 1, INT64_MAX, &errstr);
	if (errstr != NULL)
		errx(Q_ERROR, "document id %s is %s", arg, errstr);
	st = prepare(db, "SELECT bytes FROM documents WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		errx(Q_ERROR, "no document %lld", id);
	p = sqlite3_column_blob(st, 0);
	n = sqlite3_column_bytes(st, 0);
	if (n > 0 && fwrite(p, 1, (size_t)n, stdout) != (size_t)n)
		err(Q_ERROR, "writing the document");
	sqlite3_finalize(st);
	if (fflush(stdout) == EOF)
		err(Q_ERROR, "writing the document");
	return 0;
}

/*
 * The readings of one device, callhomectl devices -j's shape: for each
 * table, its JSON key, its query and its columns' keys (integers marked).
 */
struct json_col {
	const char	*key;
	int		 integer;
};

#define JSON_MAXCOLS	9

static const struct json_table {
	const char	*key;
	const char	*sql;
	struct json_col	 cols[JSON_MAXCOLS + 1];	/* NULL key ends */
} readings_json[] = {
	{ "meters", "SELECT name, unit, value, source FROM meters "
	    "WHERE document_id = ? AND device_ord = ? ORDER BY ordinal",
	    { { "name", 0 }, { "unit", 0 }, { "value", 1 },
	    { "source", 0 } } },
	{ "supplies", "SELECT idx, description, class, type, color, unit, "
	    "max, level, percent FROM supplies "
	    "WHERE document_id = ? AND device_ord = ? ORDER BY ordinal",
	    { { "index", 0 }, { "description", 0 }, { "class", 0 },
	    { "type", 0 }, { "color", 0 }, { "unit", 0 }, { "max", 1 },
	    { "level", 1 }, { "percent", 1 } } },
	{ "alerts", "SELECT idx, severity, grp, code, description, time "
	    "FROM alerts WHERE document_id = ? AND device_ord = ? "
	    "ORDER BY ordinal",
	    { { "index", 0 }, { "severity", 0 }, { "group", 0 },
	    { "code", 0 }, { "description", 0 }, { "time", 1 } } },
};
#define NREADINGS	(sizeof(readings_json) / sizeof(readings_json[0]))

/* "key": [ {one object per row of device ord of document doc} ] */
static void
json_rows(struct json *j, const struct json_table *t, sqlite3_stmt *st,
    int64_t doc, int64_t ord, struct comms_db *db)
{
	const struct json_col	*c;
	int			 rc, i;

	json_key(j, t->key);
	json_array_begin(j);
	sqlite3_bind_int64(st, 1, doc);
	sqlite3_bind_int64(st, 2, ord);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_object_begin(j);
		for (c = t->cols, i = 0; c->key != NULL; c++, i++)
			if (c->integer)
				kv_col_int(j, c->key, st, i);
			else
				kv_col_str(j, c->key, st, i);
		json_object_end(j);
	}
	step_error(db, rc);
	sqlite3_reset(st);
	json_array_end(j);
}

/* "toner-low door-open" as ["toner-low","door-open"]; NULL as null */
static void
json_errors(struct json *j, const char *s)
{
	const char	*e;

	json_key(j, "errors");
	if (s == NULL) {
		json_null(j);
		return;
	}
	json_array_begin(j);
	while (*s != '\0') {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		for (e = s; *e != '\0' && *e != ' '; e++)
			;
		json_stringn(j, s, e - s);
		s = e;
	}
	json_array_end(j);
}

static int
q_devices(struct comms_db *db, int json)
{
	sqlite3_stmt	*st, *r, *rd[NREADINGS];
	struct json	 j;
	int64_t		 doc = 0, ord;
	size_t		 i;
	int		 rc;

	/* one snapshot while the server may be writing */
	if (sqlite3_exec(db->h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		errx(Q_ERROR, "reading the database: %s", comms_db_errmsg(db));
	st = prepare(db, "SELECT max(id) FROM documents");
	if (sqlite3_step(st) == SQLITE_ROW)
		doc = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);

	r = prepare(db, "SELECT ordinal, device_key, address, outcome, "
	    "serial, vendor, enterprise, model, firmware, device_status, "
	    "printer_status, errors, reason, sysdescr, sysobjectid, "
	    "model_source, serial_source, firmware_source, sysname, "
	    "syscontact, syslocation, uptime, collected "
	    "FROM device_reports WHERE document_id = ? ORDER BY ordinal");
	for (i = 0; i < NREADINGS; i++)
		rd[i] = prepare(db, readings_json[i].sql);
	sqlite3_bind_int64(r, 1, doc);
	if (json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_key(&j, "devices");
		json_array_begin(&j);
	} else
		printf("%-24s %-13s %-12s %-24s %-16s %s\n", "KEY", "STATUS",
		    "VENDOR", "MODEL", "SERIAL", "ADDRESS");
	while ((rc = sqlite3_step(r)) == SQLITE_ROW) {
		ord = sqlite3_column_int64(r, 0);
		if (!json) {
			print_safe(sqlite3_column_text(r, 1), 24);
			putchar(' ');
			print_safe(sqlite3_column_text(r, 3), 13);
			putchar(' ');
			print_safe(sqlite3_column_text(r, 5), 12);
			putchar(' ');
			print_safe(sqlite3_column_text(r, 7), 24);
			putchar(' ');
			print_safe(sqlite3_column_text(r, 4), 16);
			putchar(' ');
			print_safe(sqlite3_column_text(r, 2), 0);
			putchar('\n');
			continue;
		}
		json_object_begin(&j);
		kv_col_str(&j, "key", r, 1);
		kv_col_str(&j, "address", r, 2);
		kv_col_str(&j, "status", r, 3);
		kv_col_str(&j, "serial", r, 4);
		kv_col_str(&j, "vendor", r, 5);
		kv_col_int(&j, "enterprise", r, 6);
		kv_col_str(&j, "model", r, 7);
		kv_col_str(&j, "firmware", r, 8);
		kv_col_str(&j, "device_status", r, 9);
		kv_col_str(&j, "printer_status", r, 10);
		json_errors(&j, col_str(r, 11));
		for (i = 0; i < NREADINGS; i++)
			json_rows(&j, &readings_json[i], rd[i], doc, ord, db);
		/* more than the fixed shape, after it */
		kv_col_str(&j, "reason", r, 12);
		kv_col_str(&j, "sysdescr", r, 13);
		kv_col_str(&j, "sysobjectid", r, 14);
		kv_col_str(&j, "model_source", r, 15);
		kv_col_str(&j, "serial_source", r, 16);
		kv_col_str(&j, "firmware_source", r, 17);
		kv_col_str(&j, "sysname", r, 18);
		kv_col_str(&j, "syscontact", r, 19);
		kv_col_str(&j, "syslocation", r, 20);
		kv_col_int(&j, "uptime", r, 21);
		kv_col_str(&j, "collected", r, 22);
		json_kv_int(&j, "document", doc);
		json_object_end(&j);
	}
	step_error(db, rc);
	if (json) {
		json_array_end(&j);
		json_object_end(&j);
		putchar('\n');
		if (json_finish(&j) == -1)
			errx(Q_ERROR, "writing the JSON output failed");
	}
	sqlite3_finalize(r);
	for (i = 0; i < NREADINGS; i++)
		sqlite3_finalize(rd[i]);
	(void)sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
	return 0;
}

static int
q_log(struct comms_db *db, int json)
{
	sqlite3_stmt	*st;
	struct json	 j;
	char		 t[32];
	int		 rc;

	st = prepare(db, "SELECT seq, time, kind, summary, detail, hash "
	    "FROM txlog ORDER BY seq");
	if (json) {
		json_init(&j, stdout);
		json_array_begin(&j);
	} else
		printf("%-6s %-20s %-12s %s\n", "SEQ", "TIME", "KIND",
		    "SUMMARY");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		(void)iso_time(sqlite3_column_int64(st, 1), t, sizeof(t));
		if (json) {
			json_object_begin(&j);
			json_kv_int(&j, "seq", sqlite3_column_int64(st, 0));
			json_kv_int(&j, "time", sqlite3_column_int64(st, 1));
			kv_col_str(&j, "kind", st, 2);
			kv_col_str(&j, "summary", st, 3);
			/* a JSON object, as text */
			kv_col_str(&j, "detail", st, 4);
			kv_col_str(&j, "hash", st, 5);
			json_object_end(&j);
			continue;
		}
		printf("%-6" PRId64 " %-20s ", col64(st, 0), t);
		print_safe(sqlite3_column_text(st, 2), 12);
		putchar(' ');
		print_safe(sqlite3_column_text(st, 3), 0);
		putchar('\n');
	}
	step_error(db, rc);
	sqlite3_finalize(st);
	if (json) {
		json_array_end(&j);
		putchar('\n');
		if (json_finish(&j) == -1)
			errx(Q_ERROR, "writing the JSON output failed");
	}
	return 0;
}

/* the chain of common/txlog.h, as callhomectl verify checks it */
static int
q_verify(struct comms_db *db)
{
	int64_t	 n, bad;
	char	 why[512];

	switch (txlog_verify_chain(db->h, &n, &bad, why, sizeof(why))) {
	case 0:
		printf("transaction log intact: %" PRId64 " records\n", n);
		return 0;
	case -1:
		printf("%s\n", why);
		return 1;
	default:
		errx(Q_ERROR, "%s", why);
	}
}

/* the incidents and supply requests the gateways sent, and their status */
static int
q_incidents(struct comms_db *db, int json)
{
	sqlite3_stmt	*st;
	struct json	 j;
	char		 t[32];
	int		 rc;

	st = prepare(db, "SELECT i.id, g.cn, i.incident_id, i.kind, i.origin, "
	    "i.device_key, i.created, i.status, i.problem, i.contact_name, "
	    "i.contact_email, i.contact_phone, (SELECT group_concat(idx, ' ') "
	    "FROM incident_supplies s WHERE s.incident = i.id), i.document_id, "
	    "i.status_time FROM incidents i JOIN gateways g ON g.id = "
	    "i.gateway_id ORDER BY i.id");
	if (json) {
		json_init(&j, stdout);
		json_array_begin(&j);
	} else
		printf("%-5s %-20s %5s %-7s %-9s %-9s %s\n", "ID", "GATEWAY",
		    "NUM", "KIND", "ORIGIN", "STATUS", "WHAT");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (json) {
			json_object_begin(&j);
			json_kv_int(&j, "id", col64(st, 0));
			kv_col_str(&j, "gateway", st, 1);
			json_kv_int(&j, "incident", col64(st, 2));
			kv_col_str(&j, "kind", st, 3);
			kv_col_str(&j, "origin", st, 4);
			kv_col_str(&j, "device", st, 5);
			kv_col_str(&j, "created", st, 6);
			kv_col_str(&j, "status", st, 7);
			(void)iso_time(col64(st, 14), t, sizeof(t));
			json_kv_string(&j, "status_time", t);
			kv_col_str(&j, "problem", st, 8);
			kv_col_str(&j, "contact_name", st, 9);
			kv_col_str(&j, "contact_email", st, 10);
			kv_col_str(&j, "contact_phone", st, 11);
			kv_col_str(&j, "supplies", st, 12);
			json_kv_int(&j, "document", col64(st, 13));
			json_object_end(&j);
			continue;
		}
		printf("%-5" PRId64 " ", col64(st, 0));
		print_safe(sqlite3_column_text(st, 1), 20);
		printf(" %5" PRId64 " ", col64(st, 2));
		print_safe(sqlite3_column_text(st, 3), 7);
		putchar(' ');
		print_safe(sqlite3_column_text(st, 4), 9);
		putchar(' ');
		print_safe(sqlite3_column_text(st, 7), 9);
		putchar(' ');
		if (sqlite3_column_type(st, 12) != SQLITE_NULL) {
			fputs("supplies ", stdout);
			print_safe(sqlite3_column_text(st, 12), 0);
		} else
			print_safe(sqlite3_column_text(st, 8), 0);
		if (sqlite3_column_type(st, 9) != SQLITE_NULL)
			fputs(" (contact given)", stdout);
		putchar('\n');
	}
	step_error(db, rc);
	sqlite3_finalize(st);
	if (json) {
		json_array_end(&j);
		putchar('\n');
		if (json_finish(&j) == -1)
			errx(Q_ERROR, "writing the JSON output failed");
	}
	return 0;
}

/*
 * Root writes the database as its owner (the server's user), so that no
 * file SQLite makes beside it (the WAL, its index) becomes root's and
 * unwritable for the server.
 */
static void
become_db_owner(const char *path)
{
	struct stat	 st;
	uid_t		 ru, eu, su;
	gid_t		 rg, eg, sg;

	if (geteuid() != 0)
		return;
	if (stat(path, &st) == -1)
		err(Q_ERROR, "%s", path);
	if (st.st_uid == 0)
		return;
	if (setgroups(1, &st.st_gid) == -1 ||
	    setresgid(st.st_gid, st.st_gid, st.st_gid) == -1 ||
	    setresuid(st.st_uid, st.st_uid, st.st_uid) == -1)
		err(Q_ERROR, "becoming the owner of %s", path);
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    ru != st.st_uid || eu != st.st_uid || su != st.st_uid ||
	    rg != st.st_gid || eg != st.st_gid || sg != st.st_gid)
		errx(Q_ERROR, "could not become the owner of %s", path);
}

/*
 * The operator's word on incident ID (commsd's number, the ID column of
 * -q incidents): received, shipped or closed, with an "incident" record.
 */
int
comms_incident_status(const struct comms_conf *conf, const char *arg,
    const char *status)
{
	struct comms_db	 db;
	struct json_mem	 jm;
	sqlite3_stmt	*st = NULL;
	const char	*errstr;
	char		 err[512], summary[256], *detail;
	int64_t		 id, seq, now = time(NULL);
	int		 ok;

	id = strtonum(arg, 1, INT64_MAX, &errstr);
	if (errstr != NULL)
		errx(Q_ERROR, "incident \"%s\": %s", arg, errstr);
	if (strcmp(status, "received") != 0 && strcmp(status, "shipped") != 0 &&
	    strcmp(status, "closed") != 0)
		errx(Q_ERROR, "status %s: received, shipped or closed", status);
	txlog_init();
	become_db_owner(conf->database);
	if (comms_db_open(&db, conf->database, 0, err, sizeof(err)) == -1)
		errx(Q_ERROR, "%s", err);
	(void)snprintf(summary, sizeof(summary), "incident %" PRId64 ": %s",
	    id, status);
	json_mem_begin(&jm);
	json_kv_int(&jm.j, "incident", id);
	json_kv_string(&jm.j, "status", status);
	detail = json_mem_end(&jm);
	ok = sqlite3_exec(db.h, "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
	    SQLITE_OK &&
	    sqlite3_prepare_v2(db.h, "UPDATE incidents SET status = ?2, "
	    "status_time = ?3 WHERE id = ?1", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_int64(st, 1, id) == SQLITE_OK &&
	    sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_bind_int64(st, 3, now) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_DONE;
	sqlite3_finalize(st);
	if (ok && sqlite3_changes(db.h) != 1) {
		(void)sqlite3_exec(db.h, "ROLLBACK", NULL, NULL, NULL);
		free(detail);
		comms_db_close(&db);
		errx(Q_ERROR, "no incident %" PRId64 " (-q incidents lists "
		    "them)", id);
	}
	ok = ok && txlog_append(db.h, now, COMMS_LOG_INCIDENT, summary, detail,
	    &seq) == 0 && sqlite3_exec(db.h, "COMMIT", NULL, NULL, NULL) ==
	    SQLITE_OK;
	free(detail);
	if (!ok) {
		(void)strlcpy(err, sqlite3_errmsg(db.h), sizeof(err));
		(void)sqlite3_exec(db.h, "ROLLBACK", NULL, NULL, NULL);
		comms_db_close(&db);
		errx(Q_ERROR, "setting the status: %s", err);
	}
	printf("%s\n", summary);
	comms_db_close(&db);
	return 0;
}

int
comms_query(const struct comms_conf *conf, const char *what, const char *arg,
    int json)
{
	struct comms_db	 db;
	char		 err[512];
	int		 r;

	if (strcmp(what, "document") == 0) {
		if (arg == NULL || json)
			errx(Q_ERROR, "usage: -q document ID");
	} else if (arg != NULL)
		errx(Q_ERROR, "-q %s takes no argument", what);
	if (strcmp(what, "documents") != 0 && strcmp(what, "document") != 0 &&
	    strcmp(what, "devices") != 0 && strcmp(what, "log") != 0 &&
	    strcmp(what, "verify") != 0 && strcmp(what, "cycles") != 0 &&
	    strcmp(what, "incidents") != 0)
		errx(Q_ERROR, "unknown query %s (documents, cycles, document, "
		    "devices, incidents, log, verify)", what);
	txlog_init();
	if (comms_db_open(&db, conf->database, COMMS_DB_READONLY, err,
	    sizeof(err)) == -1)
		errx(Q_ERROR, "%s", err);
	if (strcmp(what, "documents") == 0)
		r = q_documents(&db, json);
	else if (strcmp(what, "cycles") == 0)
		r = q_cycles(&db, json);
	else if (strcmp(what, "document") == 0)
		r = q_document(&db, arg);
	else if (strcmp(what, "devices") == 0)
		r = q_devices(&db, json);
	else if (strcmp(what, "log") == 0)
		r = q_log(&db, json);
	else if (strcmp(what, "incidents") == 0)
		r = q_incidents(&db, json);
	else
		r = q_verify(&db);
	comms_db_close(&db);
	return r;
}
