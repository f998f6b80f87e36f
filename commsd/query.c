/*
 * commsd -q: what the server received, read-only and straight from the
 * database, so that it works while the server runs (WAL: readers do not
 * wait for the writer) and when it is stopped.
 *
 *	documents [-j]	every stored document
 *	document ID	the exact bytes of one, to standard output
 *	devices [-j]	the devices of the latest document
 *	log [-j]	the transaction log
 *	verify		check the log's hash chain
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "commsd.h"
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
	    "d.encoding, d.cycle_id, d.ndevices, d.duplicates_seen "
	    "FROM documents d JOIN gateways g ON g.id = d.gateway_id "
	    "ORDER BY d.id");
	if (json) {
		json_init(&j, stdout);
		json_array_begin(&j);
	} else
		printf("%-6s %-20s %-20s %9s %-8s %7s %7s %4s %s\n", "ID",
		    "RECEIVED", "GATEWAY", "SIZE", "ENCODING", "CYCLE",
		    "DEVICES", "DUPS", "SHA256");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		comms_time_iso(sqlite3_column_int64(st, 3), t, sizeof(t));
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

/* the devices of the latest document, callhomectl devices -j's shape */
static void
json_readings(struct json *j, sqlite3_stmt *m, sqlite3_stmt *s,
    sqlite3_stmt *a, int64_t doc, int64_t ord, struct comms_db *db)
{
	int	 rc;

	json_key(j, "meters");
	json_array_begin(j);
	sqlite3_bind_int64(m, 1, doc);
	sqlite3_bind_int64(m, 2, ord);
	while ((rc = sqlite3_step(m)) == SQLITE_ROW) {
		json_object_begin(j);
		kv_col_str(j, "name", m, 0);
		kv_col_str(j, "unit", m, 1);
		kv_col_int(j, "value", m, 2);
		kv_col_str(j, "source", m, 3);
		json_object_end(j);
	}
	step_error(db, rc);
	sqlite3_reset(m);
	json_array_end(j);

	json_key(j, "supplies");
	json_array_begin(j);
	sqlite3_bind_int64(s, 1, doc);
	sqlite3_bind_int64(s, 2, ord);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_object_begin(j);
		kv_col_str(j, "index", s, 0);
		kv_col_str(j, "description", s, 1);
		kv_col_str(j, "class", s, 2);
		kv_col_str(j, "type", s, 3);
		kv_col_str(j, "color", s, 4);
		kv_col_str(j, "unit", s, 5);
		kv_col_int(j, "max", s, 6);
		kv_col_int(j, "level", s, 7);
		kv_col_int(j, "percent", s, 8);
		json_object_end(j);
	}
	step_error(db, rc);
	sqlite3_reset(s);
	json_array_end(j);

	json_key(j, "alerts");
	json_array_begin(j);
	sqlite3_bind_int64(a, 1, doc);
	sqlite3_bind_int64(a, 2, ord);
	while ((rc = sqlite3_step(a)) == SQLITE_ROW) {
		json_object_begin(j);
		kv_col_str(j, "index", a, 0);
		kv_col_str(j, "severity", a, 1);
		kv_col_str(j, "group", a, 2);
		kv_col_str(j, "code", a, 3);
		kv_col_str(j, "description", a, 4);
		kv_col_int(j, "time", a, 5);
		json_object_end(j);
	}
	step_error(db, rc);
	sqlite3_reset(a);
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
	sqlite3_stmt	*st, *r, *m, *s, *a;
	struct json	 j;
	int64_t		 doc = 0, ord;
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
	m = prepare(db, "SELECT name, unit, value, source FROM meters "
	    "WHERE document_id = ? AND device_ord = ? ORDER BY ordinal");
	s = prepare(db, "SELECT idx, description, class, type, color, unit, "
	    "max, level, percent FROM supplies "
	    "WHERE document_id = ? AND device_ord = ? ORDER BY ordinal");
	a = prepare(db, "SELECT idx, severity, grp, code, description, time "
	    "FROM alerts WHERE document_id = ? AND device_ord = ? "
	    "ORDER BY ordinal");
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
		json_readings(&j, m, s, a, doc, ord, db);
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
	sqlite3_finalize(m);
	sqlite3_finalize(s);
	sqlite3_finalize(a);
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
		comms_time_iso(sqlite3_column_int64(st, 1), t, sizeof(t));
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

static int
unhex(const char *s, uint8_t out[TXLOG_HASH_LEN])
{
	int	 i, hi, lo;

	if (s == NULL || strlen(s) != 2 * TXLOG_HASH_LEN)
		return -1;
	for (i = 0; i < TXLOG_HASH_LEN; i++) {
		hi = s[2 * i];
		lo = s[2 * i + 1];
		hi = hi >= '0' && hi <= '9' ? hi - '0' :
		    hi >= 'a' && hi <= 'f' ? hi - 'a' + 10 : -1;
		lo = lo >= '0' && lo <= '9' ? lo - '0' :
		    lo >= 'a' && lo <= 'f' ? lo - 'a' + 10 : -1;
		if (hi == -1 || lo == -1)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* the chain of common/txlog.h, record by record */
static int
q_verify(struct comms_db *db)
{
	sqlite3_stmt	*st;
	uint8_t		 prev[TXLOG_HASH_LEN], h[TXLOG_HASH_LEN];
	uint8_t		 sprev[TXLOG_HASH_LEN], sh[TXLOG_HASH_LEN];
	int64_t		 seq, n = 0;
	const char	*kind, *summary, *detail;
	int		 rc, r = 1;

	memset(prev, 0, sizeof(prev));
	if (sqlite3_exec(db->h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		errx(Q_ERROR, "reading the database: %s", comms_db_errmsg(db));
	st = prepare(db, "SELECT seq, time, kind, summary, detail, "
	    "prev_hash, hash FROM txlog ORDER BY seq");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = col64(st, 0);
		if (seq != ++n) {
			printf("record %" PRId64 ": missing (found %" PRId64
			    " next)\n", n, seq);
			goto done;
		}
		kind = col_str(st, 2);
		summary = col_str(st, 3);
		detail = col_str(st, 4);
		if (kind == NULL || summary == NULL || detail == NULL ||
		    unhex(col_str(st, 5), sprev) == -1 ||
		    unhex(col_str(st, 6), sh) == -1) {
			printf("record %" PRId64 ": damaged\n", seq);
			goto done;
		}
		if (memcmp(sprev, prev, sizeof(prev)) != 0) {
			printf("record %" PRId64 ": does not follow record %"
			    PRId64 "\n", seq, seq - 1);
			goto done;
		}
		txlog_hash(prev, seq, col64(st, 1), kind, summary, detail, h);
		if (memcmp(h, sh, sizeof(h)) != 0) {
			printf("record %" PRId64 ": changed\n", seq);
			goto done;
		}
		memcpy(prev, h, sizeof(prev));
	}
	step_error(db, rc);
	printf("transaction log intact: %" PRId64 " records\n", n);
	r = 0;
 done:
	sqlite3_finalize(st);
	(void)sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
	return r;
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
	    strcmp(what, "verify") != 0)
		errx(Q_ERROR, "unknown query %s (documents, document, devices, "
		    "log, verify)", what);
	txlog_init();
	if (comms_db_open(&db, conf->database, COMMS_DB_READONLY, err,
	    sizeof(err)) == -1)
		errx(Q_ERROR, "%s", err);
	if (strcmp(what, "documents") == 0)
		r = q_documents(&db, json);
	else if (strcmp(what, "document") == 0)
		r = q_document(&db, arg);
	else if (strcmp(what, "devices") == 0)
		r = q_devices(&db, json);
	else if (strcmp(what, "log") == 0)
		r = q_log(&db, json);
	else
		r = q_verify(&db);
	comms_db_close(&db);
	return r;
}
