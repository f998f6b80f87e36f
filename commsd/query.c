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
 *	checkins [-j]	each gateway's last check-in, the bundles served
 *	incidents [-j]	the incidents and supply requests, their status
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

#include "commsd.h"
#include "isotime.h"
#include "json.h"
#include "storage.h"
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

/* the open database: -q runs one query at a time */
static struct comms_db	*qdb;

static struct comms_q *
qopen(enum comms_query q, const struct comms_qarg *a, size_t n)
{
	struct comms_q	*r;

	if ((r = qdb->ops->q_open(qdb, q, a, n)) == NULL)
		errx(Q_ERROR, "reading the database: %s", comms_db_errmsg(qdb));
	return r;
}

/* 1 with a row, 0 at the end */
static int
qnext(struct comms_q *r)
{
	int	 rc;

	if ((rc = qdb->ops->q_next(r)) == -1)
		errx(Q_ERROR, "reading the database: %s", comms_db_errmsg(qdb));
	return rc;
}

static void
qclose(struct comms_q *r)
{
	qdb->ops->q_close(r);
}

static int64_t
col64(struct comms_q *r, int i)
{
	return qdb->ops->q_int(r, i);
}

static int
col_null(struct comms_q *r, int i)
{
	return qdb->ops->q_null(r, i);
}

static const char *
col_str(struct comms_q *r, int i)
{
	return qdb->ops->q_text(r, i);
}

static const unsigned char *
col_ustr(struct comms_q *r, int i)
{
	return (const unsigned char *)qdb->ops->q_text(r, i);
}

static void
kv_col_str(struct json *j, const char *k, struct comms_q *r, int i)
{
	json_kv_string_or_null(j, k, col_str(r, i));
}

static void
kv_col_int(struct json *j, const char *k, struct comms_q *r, int i)
{
	if (col_null(r, i))
		json_kv_null(j, k);
	else
		json_kv_int(j, k, col64(r, i));
}

static void
json_end(struct json *j)
{
	json_array_end(j);
	putchar('\n');
	if (json_finish(j) == -1)
		errx(Q_ERROR, "writing the JSON output failed");
}

static int
q_documents(int json)
{
	struct comms_q	*st;
	struct json	 j;
	char		 t[32];

	st = qopen(CQ_DOCUMENTS, NULL, 0);
	if (json) {
		json_init(&j, stdout);
		json_array_begin(&j);
	} else
		printf("%-6s %-20s %-20s %9s %-8s %7s %7s %4s %s\n", "ID",
		    "RECEIVED", "GATEWAY", "SIZE", "ENCODING", "CYCLE",
		    "DEVICES", "DUPS", "SHA256");
	while (qnext(st)) {
		(void)iso_time(col64(st, 3), t, sizeof(t));
		if (json) {
			json_object_begin(&j);
			json_kv_int(&j, "id", col64(st, 0));
			kv_col_str(&j, "gateway", st, 1);
			kv_col_str(&j, "sha256", st, 2);
			json_kv_string(&j, "received", t);
			json_kv_int(&j, "size", col64(st, 4));
			kv_col_str(&j, "encoding", st, 5);
			json_kv_int(&j, "cycle", col64(st, 6));
			json_kv_int(&j, "devices", col64(st, 7));
			json_kv_int(&j, "duplicates_seen", col64(st, 8));
			json_kv_int(&j, "part", col64(st, 9));
			json_kv_int(&j, "parts", col64(st, 10));
			json_object_end(&j);
			continue;
		}
		printf("%-6" PRId64 " %-20s ", col64(st, 0), t);
		print_safe(col_ustr(st, 1), 20);
		printf(" %9" PRId64 " %-8s %7" PRId64 " %7" PRId64 " %4"
		    PRId64 " %s\n", col64(st, 4), col_str(st, 5),
		    col64(st, 6), col64(st, 7), col64(st, 8),
		    col_str(st, 2));
	}
	qclose(st);
	if (json)
		json_end(&j);
	return 0;
}

/* the parts of a partial cycle it lacks, as "2,5-7" (at most len) */
static void
missing_parts(int64_t gw, int64_t cycle, const char *started, int64_t parts,
    char *buf, size_t len)
{
	struct comms_qarg a[] = { { gw, NULL }, { cycle, NULL },
	    { 0, started != NULL ? started : "" } };
	struct comms_q	*st;
	int64_t		 want = 1, p, from;
	size_t		 o = 0;
	int		 n, row;

	buf[0] = '\0';
	st = qopen(CQ_CYCLE_PARTS, a, 3);
	for (;;) {
		row = qnext(st);
		p = row ? col64(st, 0) : parts + 1;
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
		if (!row || p >= parts)
			break;
	}
	qclose(st);
}

static int
q_cycles(int json)
{
	struct comms_q	*st;
	struct json	 j;
	char		 t[32], missing[256];

	st = qopen(CQ_CYCLES, NULL, 0);
	if (json) {
		json_init(&j, stdout);
		json_array_begin(&j);
	} else
		printf("%-20s %7s %-20s %11s %7s %-20s %s\n", "GATEWAY",
		    "CYCLE", "STARTED", "PARTS", "DEVICES", "COMPLETED",
		    "MISSING");
	while (qnext(st)) {
		missing[0] = '\0';
		if (col64(st, 4) < col64(st, 3))
			missing_parts(col64(st, 8), col64(st, 1),
			    col_str(st, 2), col64(st, 3), missing,
			    sizeof(missing));
		if (col_null(st, 7))
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
			json_kv_bool(&j, "complete", !col_null(st, 7));
			if (col_null(st, 7))
				json_kv_string(&j, "missing", missing);
			else
				json_kv_string(&j, "completed", t);
			json_object_end(&j);
			continue;
		}
		print_safe(col_ustr(st, 0), 20);
		printf(" %7" PRId64 " ", col64(st, 1));
		print_safe(col_ustr(st, 2), 20);
		printf(" %5" PRId64 " of %-2" PRId64 " %7" PRId64 " %-20s %s\n",
		    col64(st, 4), col64(st, 3), col64(st, 5), t,
		    missing[0] ? missing : "-");
	}
	qclose(st);
	if (json)
		json_end(&j);
	return 0;
}

static int
q_document(const char *arg)
{
	struct comms_qarg a[1];
	struct comms_q	*st;
	const char	*errstr;
	const void	*p;
	long long	 id;
	size_t		 n;

	id = strtonum(arg, 1, INT64_MAX, &errstr);
	if (errstr != NULL)
		errx(Q_ERROR, "document id %s is %s", arg, errstr);
	a[0].i = id;
	a[0].s = NULL;
	st = qopen(CQ_DOCUMENT, a, 1);
	if (!qnext(st))
		errx(Q_ERROR, "no document %lld", id);
	p = qdb->ops->q_blob(st, 0, &n);
	if (n > 0 && fwrite(p, 1, n, stdout) != n)
		err(Q_ERROR, "writing the document");
	qclose(st);
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
	enum comms_query q;
	struct json_col	 cols[JSON_MAXCOLS + 1];	/* NULL key ends */
} readings_json[] = {
	{ "meters", CQ_METERS,
	    { { "name", 0 }, { "unit", 0 }, { "value", 1 },
	    { "source", 0 } } },
	{ "supplies", CQ_SUPPLIES,
	    { { "index", 0 }, { "description", 0 }, { "class", 0 },
	    { "type", 0 }, { "color", 0 }, { "unit", 0 }, { "max", 1 },
	    { "level", 1 }, { "percent", 1 } } },
	{ "alerts", CQ_ALERTS,
	    { { "index", 0 }, { "severity", 0 }, { "group", 0 },
	    { "code", 0 }, { "description", 0 }, { "time", 1 } } },
};
#define NREADINGS	(sizeof(readings_json) / sizeof(readings_json[0]))

/* "key": [ {one object per row of device ord of document doc} ] */
static void
json_rows(struct json *j, const struct json_table *t, int64_t doc,
    int64_t ord)
{
	struct comms_qarg	 a[] = { { doc, NULL }, { ord, NULL } };
	const struct json_col	*c;
	struct comms_q		*st;
	int			 i;

	json_key(j, t->key);
	json_array_begin(j);
	st = qopen(t->q, a, 2);
	while (qnext(st)) {
		json_object_begin(j);
		for (c = t->cols, i = 0; c->key != NULL; c++, i++)
			if (c->integer)
				kv_col_int(j, c->key, st, i);
			else
				kv_col_str(j, c->key, st, i);
		json_object_end(j);
	}
	qclose(st);
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
q_devices(int json)
{
	struct comms_qarg a[1];
	struct comms_q	*st, *r;
	struct json	 j;
	int64_t		 doc = 0, ord;
	size_t		 i;

	/* one snapshot while the server may be writing */
	if (qdb->ops->snapshot(qdb, 1) == -1)
		errx(Q_ERROR, "reading the database: %s", comms_db_errmsg(qdb));
	st = qopen(CQ_LATEST, NULL, 0);
	if (qnext(st) && !col_null(st, 0))
		doc = col64(st, 0);
	qclose(st);

	a[0].i = doc;
	a[0].s = NULL;
	r = qopen(CQ_REPORTS, a, 1);
	if (json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_key(&j, "devices");
		json_array_begin(&j);
	} else
		printf("%-24s %-13s %-12s %-24s %-16s %s\n", "KEY", "STATUS",
		    "VENDOR", "MODEL", "SERIAL", "ADDRESS");
	while (qnext(r)) {
		ord = col64(r, 0);
		if (!json) {
			print_safe(col_ustr(r, 1), 24);
			putchar(' ');
			print_safe(col_ustr(r, 3), 13);
			putchar(' ');
			print_safe(col_ustr(r, 5), 12);
			putchar(' ');
			print_safe(col_ustr(r, 7), 24);
			putchar(' ');
			print_safe(col_ustr(r, 4), 16);
			putchar(' ');
			print_safe(col_ustr(r, 2), 0);
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
			json_rows(&j, &readings_json[i], doc, ord);
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
	qclose(r);
	if (json) {
		json_array_end(&j);
		json_object_end(&j);
		putchar('\n');
		if (json_finish(&j) == -1)
			errx(Q_ERROR, "writing the JSON output failed");
	}
	(void)qdb->ops->snapshot(qdb, 0);
	return 0;
}

static int
q_log(int json)
{
	struct comms_q	*st;
	struct json	 j;
	char		 t[32];

	st = qopen(CQ_LOG, NULL, 0);
	if (json) {
		json_init(&j, stdout);
		json_array_begin(&j);
	} else
		printf("%-6s %-20s %-12s %s\n", "SEQ", "TIME", "KIND",
		    "SUMMARY");
	while (qnext(st)) {
		(void)iso_time(col64(st, 1), t, sizeof(t));
		if (json) {
			json_object_begin(&j);
			json_kv_int(&j, "seq", col64(st, 0));
			json_kv_int(&j, "time", col64(st, 1));
			kv_col_str(&j, "kind", st, 2);
			kv_col_str(&j, "summary", st, 3);
			/* a JSON object, as text */
			kv_col_str(&j, "detail", st, 4);
			kv_col_str(&j, "hash", st, 5);
			json_object_end(&j);
			continue;
		}
		printf("%-6" PRId64 " %-20s ", col64(st, 0), t);
		print_safe(col_ustr(st, 2), 12);
		putchar(' ');
		print_safe(col_ustr(st, 3), 0);
		putchar('\n');
	}
	qclose(st);
	if (json)
		json_end(&j);
	return 0;
}

/*
 * What check-ins left: each gateway's last check-in, then every bundle
 * sequence served to it, and whether a later check-in acknowledged it
 */
static int
q_checkins(int json)
{
	struct comms_q	*st;
	struct json	 j;
	char		 t[32], t2[32];

	if (qdb->ops->snapshot(qdb, 1) == -1)
		errx(Q_ERROR, "reading the database: %s", comms_db_errmsg(qdb));
	st = qopen(CQ_CHECKINS, NULL, 0);
	if (json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_key(&j, "checkins");
		json_array_begin(&j);
	} else
		printf("%-20s %8s %-20s %8s %s\n", "GATEWAY", "CHECKINS",
		    "LAST", "SEQUENCE", "SOFTWARE");
	while (qnext(st)) {
		(void)iso_time(col64(st, 2), t, sizeof(t));
		if (json) {
			json_object_begin(&j);
			kv_col_str(&j, "gateway", st, 0);
			json_kv_int(&j, "checkins", col64(st, 1));
			json_kv_string(&j, "last_checkin", t);
			json_kv_int(&j, "last_sequence", col64(st, 3));
			kv_col_str(&j, "software", st, 4);
			json_object_end(&j);
			continue;
		}
		print_safe(col_ustr(st, 0), 20);
		printf(" %8" PRId64 " %-20s %8" PRId64 " ", col64(st, 1), t,
		    col64(st, 3));
		print_safe(col_ustr(st, 4), 0);
		putchar('\n');
	}
	qclose(st);
	st = qopen(CQ_DELIVERIES, NULL, 0);
	if (json) {
		json_array_end(&j);
		json_key(&j, "deliveries");
		json_array_begin(&j);
	} else
		printf("\n%-20s %8s %-20s %5s %-20s %s\n", "GATEWAY",
		    "SEQUENCE", "LAST SERVED", "TIMES", "ACKNOWLEDGED",
		    "FILE");
	while (qnext(st)) {
		(void)iso_time(col64(st, 5), t, sizeof(t));
		if (col_null(st, 7))
			(void)strlcpy(t2, "in flight", sizeof(t2));
		else
			(void)iso_time(col64(st, 7), t2, sizeof(t2));
		if (json) {
			json_object_begin(&j);
			kv_col_str(&j, "gateway", st, 0);
			json_kv_int(&j, "sequence", col64(st, 1));
			kv_col_str(&j, "file", st, 2);
			kv_col_str(&j, "sha256", st, 3);
			json_kv_int(&j, "times_served", col64(st, 6));
			json_kv_string(&j, "last_served", t);
			json_kv_bool(&j, "acknowledged", !col_null(st, 7));
			json_object_end(&j);
			continue;
		}
		print_safe(col_ustr(st, 0), 20);
		printf(" %8" PRId64 " %-20s %5" PRId64 " %-20s ",
		    col64(st, 1), t, col64(st, 6), t2);
		print_safe(col_ustr(st, 2), 0);
		putchar('\n');
	}
	qclose(st);
	if (json) {
		json_array_end(&j);
		json_object_end(&j);
		putchar('\n');
		if (json_finish(&j) == -1)
			errx(Q_ERROR, "writing the JSON output failed");
	}
	(void)qdb->ops->snapshot(qdb, 0);
	return 0;
}

/* the chain of common/txlog.h, as callhomectl verify checks it */
static int
q_verify(void)
{
	int64_t	 n, bad;
	char	 why[512];

	switch (qdb->ops->verify(qdb, &n, &bad, why, sizeof(why))) {
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
q_incidents(int json)
{
	struct comms_q	*st;
	struct json	 j;
	char		 t[32];

	st = qopen(CQ_INCIDENTS, NULL, 0);
	if (json) {
		json_init(&j, stdout);
		json_array_begin(&j);
	} else
		printf("%-5s %-20s %5s %-7s %-9s %-9s %s\n", "ID", "GATEWAY",
		    "NUM", "KIND", "ORIGIN", "STATUS", "WHAT");
	while (qnext(st)) {
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
		print_safe(col_ustr(st, 1), 20);
		printf(" %5" PRId64 " ", col64(st, 2));
		print_safe(col_ustr(st, 3), 7);
		putchar(' ');
		print_safe(col_ustr(st, 4), 9);
		putchar(' ');
		print_safe(col_ustr(st, 7), 9);
		putchar(' ');
		if (!col_null(st, 12)) {
			fputs("supplies ", stdout);
			print_safe(col_ustr(st, 12), 0);
		} else
			print_safe(col_ustr(st, 8), 0);
		if (!col_null(st, 9))
			fputs(" (contact given)", stdout);
		putchar('\n');
	}
	qclose(st);
	if (json)
		json_end(&j);
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
	const char	*errstr, *path;
	char		 err[512], summary[256], *detail;
	int64_t		 id, now = time(NULL);
	int		 r;

	id = strtonum(arg, 1, INT64_MAX, &errstr);
	if (errstr != NULL)
		errx(Q_ERROR, "incident \"%s\": %s", arg, errstr);
	if (!comms_incident_status_ok(status))
		errx(Q_ERROR, "status %s: received, shipped or closed", status);
	txlog_init();
	if ((path = comms_db_file(conf->database)) != NULL)
		become_db_owner(path);
	if (comms_db_open(&db, conf->database, 0, err, sizeof(err)) == -1)
		errx(Q_ERROR, "%s", err);
	(void)snprintf(summary, sizeof(summary), "incident %" PRId64 ": %s",
	    id, status);
	json_mem_begin(&jm);
	json_kv_int(&jm.j, "incident", id);
	json_kv_string(&jm.j, "status", status);
	detail = json_mem_end(&jm);
	r = comms_db_incident_status(&db, id, status, now, summary, detail);
	free(detail);
	if (r == 1) {
		comms_db_close(&db);
		errx(Q_ERROR, "no incident %" PRId64 " (-q incidents lists "
		    "them)", id);
	}
	if (r == -1) {
		(void)strlcpy(err, comms_db_errmsg(&db), sizeof(err));
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
	    strcmp(what, "checkins") != 0 && strcmp(what, "incidents") != 0)
		errx(Q_ERROR, "unknown query %s (documents, cycles, document, "
		    "devices, checkins, incidents, log, verify)", what);
	txlog_init();
	if (comms_db_open(&db, conf->database, COMMS_DB_READONLY, err,
	    sizeof(err)) == -1)
		errx(Q_ERROR, "%s", err);
	qdb = &db;
	if (strcmp(what, "documents") == 0)
		r = q_documents(json);
	else if (strcmp(what, "cycles") == 0)
		r = q_cycles(json);
	else if (strcmp(what, "document") == 0)
		r = q_document(arg);
	else if (strcmp(what, "devices") == 0)
		r = q_devices(json);
	else if (strcmp(what, "checkins") == 0)
		r = q_checkins(json);
	else if (strcmp(what, "log") == 0)
		r = q_log(json);
	else if (strcmp(what, "incidents") == 0)
		r = q_incidents(json);
	else
		r = q_verify();
	qdb = NULL;
	comms_db_close(&db);
	return r;
}
