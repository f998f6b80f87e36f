/*
 * callhomectl incidents: the incidents and supply requests recorded, and
 * how far each got (waiting for a cycle, in a cycle's documents, delivered
 * with one of them), read-only from auditd's database.  New ones go
 * through the daemon (ctl_live.c), which alone writes the database.
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

	return s != NULL ? (const char *)s : "";
}

int
ctl_incidents(struct ctl *ctl, int json)
{
	sqlite3_stmt	*st;
	struct json	 j;
	char		 t[32], state[64];
	int64_t		 n = 0, cycle;
	int		 rc;

	if (sqlite3_prepare_v2(ctl->db, "SELECT i.id, i.created, i.kind, "
	    "i.origin, i.device_id, i.cycle_id, (SELECT count(*) FROM outbox o "
	    "WHERE o.cycle_id = i.cycle_id AND o.state = 'delivered'), "
	    "i.problem, i.contact_name IS NOT NULL, (SELECT group_concat(idx, "
	    "' ') FROM incident_supplies s WHERE s.incident_id = i.id), "
	    "(SELECT key FROM devices d WHERE d.id = i.device_id), "
	    "i.server_status FROM incidents i ORDER BY i.id", -1, &st, NULL) != SQLITE_OK)
		errx(CTL_ERROR, "reading the incidents: %s",
		    sqlite3_errmsg(ctl->db));
	if (json) {
		json_init(&j, stdout);
		json_array_begin(&j);
	} else
		printf("%-5s %-19s %-7s %-9s %-6s %-18s %-9s %s\n", "ID",
		    "CREATED", "KIND", "ORIGIN", "DEVICE", "STATE", "SERVER",
		    "WHAT");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		ctl_time_local(sqlite3_column_int64(st, 1), t, sizeof(t));
		cycle = sqlite3_column_int64(st, 5);
		if (sqlite3_column_type(st, 5) == SQLITE_NULL)
			(void)strlcpy(state, "waiting", sizeof(state));
		else if (sqlite3_column_int64(st, 6) > 0)
			(void)snprintf(state, sizeof(state), "delivered (%"
			    PRId64 ")", cycle);
		else
			(void)snprintf(state, sizeof(state), "queued (%" PRId64
			    ")", cycle);
		if (json) {
			json_object_begin(&j);
			json_kv_int(&j, "id", sqlite3_column_int64(st, 0));
			json_kv_string(&j, "created", t);
			json_kv_string(&j, "kind", col(st, 2));
			json_kv_string(&j, "origin", col(st, 3));
			json_kv_int(&j, "device", sqlite3_column_int64(st, 4));
			json_kv_string(&j, "device_key", col(st, 10));
			if (sqlite3_column_type(st, 5) == SQLITE_NULL)
				json_kv_null(&j, "cycle");
			else
				json_kv_int(&j, "cycle", cycle);
			json_kv_bool(&j, "delivered",
			    sqlite3_column_int64(st, 6) > 0);
			json_kv_string_or_null(&j, "server_status",
			    sqlite3_column_type(st, 11) == SQLITE_NULL ? NULL :
			    col(st, 11));
			if (strcmp(col(st, 2), "service") == 0) {
				json_kv_string(&j, "problem", col(st, 7));
				json_kv_bool(&j, "contact",
				    sqlite3_column_int(st, 8));
			} else
				json_kv_string(&j, "supplies", col(st, 9));
			json_object_end(&j);
			continue;
		}
		printf("%-5" PRId64 " %-19s %-7s %-9s %-6" PRId64 " %-18s %-9s ",
		    (int64_t)sqlite3_column_int64(st, 0), t, col(st, 2),
		    col(st, 3), (int64_t)sqlite3_column_int64(st, 4), state,
		    sqlite3_column_type(st, 11) == SQLITE_NULL ? "-" :
		    col(st, 11));
		if (strcmp(col(st, 2), "service") == 0) {
			ctl_print_safe(stdout, col(st, 7), 60);
			if (sqlite3_column_int(st, 8))
				fputs(" (contact given)", stdout);
		} else {
			fputs("supplies ", stdout);
			ctl_print_safe(stdout, col(st, 9), 0);
		}
		putchar('\n');
	}
	if (rc != SQLITE_DONE)
		errx(CTL_ERROR, "reading the incidents: %s",
		    sqlite3_errmsg(ctl->db));
	sqlite3_finalize(st);
	if (json) {
		json_array_end(&j);
		if (json_finish(&j) == -1)
			err(CTL_ERROR, "writing JSON");
		putchar('\n');
	} else if (n == 0)
		printf("(no incidents)\n");
	return CTL_OK;
}
