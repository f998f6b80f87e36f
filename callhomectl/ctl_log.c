/*
 * callhomectl log: the transaction log, straight from the database.
 *
 * Oldest first (by sequence number), so that the newest is last and "-n"
 * keeps the last lines, as tail(1) would.  A line: the record's number,
 * its local time, its kind and its summary.  With -j, one JSON array of
 * the records, their time in UTC and their detail as the JSON object it
 * is (or as a string, should the database hold something that is not).
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "callhomectl.h"
#include "isotime.h"
#include "json.h"

#define KIND_WIDTH	14	/* "verify-failure" */

static const char *
col_text(sqlite3_stmt *q, int i)
{
	const unsigned char	*s;

	return (s = sqlite3_column_text(q, i)) != NULL ? (const char *)s : "";
}

/* a member whose value is JSON text already checked to be one value */
static void
json_kv_raw(struct json *j, const char *key, const char *raw)
{
	json_key(j, key);
	json_raw(j, raw);
}

void
ctl_json_txrecord(struct json *j, sqlite3_stmt *q)
{
	char		 when[32];
	const char	*detail;

	json_object_begin(j);
	json_kv_int(j, "seq", sqlite3_column_int64(q, 0));
	(void)iso_time(sqlite3_column_int64(q, 1), when, sizeof(when));
	json_kv_string(j, "time", when);
	json_kv_string(j, "kind", col_text(q, 2));
	json_kv_string(j, "summary", col_text(q, 3));
	detail = col_text(q, 4);
	if (ctl_json_is_object(detail))
		json_kv_raw(j, "detail", detail);
	else
		json_kv_string(j, "detail", detail);
	json_kv_string(j, "hash", col_text(q, 5));
	json_object_end(j);
}

void
ctl_bind_period(sqlite3_stmt *q, int64_t since, int64_t until)
{
	if (since != CTL_TIME_MIN)
		sqlite3_bind_int64(q, 1, since);
	if (until != CTL_TIME_MAX)
		sqlite3_bind_int64(q, 2, until);
}

sqlite3_stmt *
ctl_txlog_query(sqlite3 *db, int64_t count, int64_t since, int64_t until)
{
	static const char	 all[] =
	    "SELECT " CTL_TXLOG_COLS " FROM txlog WHERE "
	    "(?1 IS NULL OR time >= ?1) AND (?2 IS NULL OR time < ?2) "
	    "ORDER BY seq";
	static const char	 last[] =
	    "SELECT * FROM (SELECT " CTL_TXLOG_COLS " FROM txlog WHERE "
	    "(?1 IS NULL OR time >= ?1) AND (?2 IS NULL OR time < ?2) "
	    "ORDER BY seq DESC LIMIT ?3) ORDER BY seq";
	sqlite3_stmt		*q;

	if (sqlite3_prepare_v2(db, count < 0 ? all : last, -1, &q, NULL) !=
	    SQLITE_OK)
		errx(CTL_ERROR, "reading the transaction log: %s",
		    sqlite3_errmsg(db));
	ctl_bind_period(q, since, until);
	if (count >= 0)
		sqlite3_bind_int64(q, 3, count);
	return q;
}

int
ctl_log(struct ctl *ctl, int json, int64_t count, int64_t since,
    int64_t until)
{
	struct json	 j;
	sqlite3_stmt	*q;
	char		 when[32], num[32];
	int64_t		 maxseq = 0;
	int		 rc, width, n;

	/* one snapshot while auditd may be appending */
	if (sqlite3_exec(ctl->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		errx(CTL_ERROR, "reading the transaction log: %s",
		    sqlite3_errmsg(ctl->db));
	if (sqlite3_prepare_v2(ctl->db, "SELECT max(seq) FROM txlog", -1, &q,
	    NULL) != SQLITE_OK)
		errx(CTL_ERROR, "reading the transaction log: %s",
		    sqlite3_errmsg(ctl->db));
	if (sqlite3_step(q) == SQLITE_ROW)
		maxseq = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	width = snprintf(num, sizeof(num), "%" PRId64, maxseq);

	q = ctl_txlog_query(ctl->db, count, since, until);
	if (json) {
		json_init(&j, stdout);
		json_array_begin(&j);
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (json) {
			ctl_json_txrecord(&j, q);
			continue;
		}
		ctl_time_local(sqlite3_column_int64(q, 1), when, sizeof(when));
		printf("%*" PRId64 "  %s  ", width,
		    (int64_t)sqlite3_column_int64(q, 0), when);
		ctl_print_safe(stdout, col_text(q, 2), 0);
		for (n = ctl_width(col_text(q, 2)); n < KIND_WIDTH; n++)
			putchar(' ');
		fputs("  ", stdout);
		ctl_print_safe(stdout, col_text(q, 3), 0);
		putchar('\n');
	}
	if (rc != SQLITE_DONE)
		errx(CTL_ERROR, "reading the transaction log: %s",
		    sqlite3_errmsg(ctl->db));
	sqlite3_finalize(q);
	(void)sqlite3_exec(ctl->db, "COMMIT", NULL, NULL, NULL);
	if (json) {
		json_array_end(&j);
		putchar('\n');
		if (json_finish(&j) == -1)
			errx(CTL_ERROR, "writing the JSON output failed");
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		errx(CTL_ERROR, "writing the output failed");
	return CTL_OK;
}
