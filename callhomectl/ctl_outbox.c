/*
 * callhomectl outbox: the upload documents not delivered yet (pending,
 * and refused: set aside after a permanent refusal), or every one with
 * -a, read-only from auditd's database.  Requeue and drop go through the
 * daemon (ctl_live.c), which alone writes the database.
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "callhomectl.h"
#include "json.h"

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char	*s = sqlite3_column_text(st, i);

	return s != NULL ? (const char *)s : NULL;
}

int
ctl_outbox(struct ctl *ctl, int json, int all)
{
	sqlite3_stmt	*st;
	struct json	 j;
	char		 t[32], part[32];
	int64_t		 n = 0;
	int		 rc;

	if (sqlite3_prepare_v2(ctl->db, "SELECT id, cycle_id, part, parts, "
	    "state, size, attempts, created, last_error, devices, "
	    "prune_reason FROM outbox WHERE ?1 OR state IN ('pending', "
	    "'refused') ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		errx(CTL_ERROR, "reading the outbox: %s",
		    sqlite3_errmsg(ctl->db));
	sqlite3_bind_int(st, 1, all);
	if (json) {
		json_init(&j, stdout);
		json_array_begin(&j);
	} else
		printf("%-7s %-7s %-11s %-9s %10s %8s %-19s %s\n", "ID",
		    "CYCLE", "PART", "STATE", "BYTES", "ATTEMPTS", "CREATED",
		    "LAST ERROR");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		ctl_time_local(sqlite3_column_int64(st, 7), t, sizeof(t));
		if (json) {
			json_object_begin(&j);
			json_kv_int(&j, "id", sqlite3_column_int64(st, 0));
			json_kv_int(&j, "cycle", sqlite3_column_int64(st, 1));
			json_kv_int(&j, "part", sqlite3_column_int64(st, 2));
			json_kv_int(&j, "parts", sqlite3_column_int64(st, 3));
			json_kv_string(&j, "state", col(st, 4));
			json_kv_int(&j, "size", sqlite3_column_int64(st, 5));
			json_kv_int(&j, "attempts",
			    sqlite3_column_int64(st, 6));
			json_kv_string(&j, "created", t);
			json_kv_string_or_null(&j, "last_error", col(st, 8));
			if (sqlite3_column_type(st, 9) == SQLITE_NULL)
				json_kv_null(&j, "devices");
			else
				json_kv_int(&j, "devices",
				    sqlite3_column_int64(st, 9));
			json_kv_string_or_null(&j, "pruned", col(st, 10));
			json_object_end(&j);
			continue;
		}
		(void)snprintf(part, sizeof(part), "%" PRId64 " of %" PRId64,
		    (int64_t)sqlite3_column_int64(st, 2),
		    (int64_t)sqlite3_column_int64(st, 3));
		printf("%-7" PRId64 " %-7" PRId64 " %-11s %-9s %10" PRId64
		    " %8" PRId64 " %-19s ", (int64_t)sqlite3_column_int64(st,
		    0), (int64_t)sqlite3_column_int64(st, 1), part,
		    col(st, 4), (int64_t)sqlite3_column_int64(st, 5),
		    (int64_t)sqlite3_column_int64(st, 6), t);
		ctl_print_safe(stdout, col(st, 8) != NULL ? col(st, 8) :
		    col(st, 10) != NULL ? col(st, 10) : "-", 0);
		putchar('\n');
	}
	if (rc != SQLITE_DONE)
		errx(CTL_ERROR, "reading the outbox: %s",
		    sqlite3_errmsg(ctl->db));
	sqlite3_finalize(st);
	if (json) {
		json_array_end(&j);
		putchar('\n');
		if (json_finish(&j) == -1)
			err(CTL_ERROR, "writing JSON");
	} else if (n == 0)
		printf("%s\n", all ? "the outbox is empty" :
		    "nothing waits in the outbox");
	return CTL_OK;
}
