/*
 * Site information: see site.h.
 */
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "document.h"
#include "report.h"
#include "site.h"

static int
sql_int(sqlite3 *h, const char *sql, int64_t *v)
{
	sqlite3_stmt	*st = NULL;
	int		 rc;

	*v = -1;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static void
bind_opt(sqlite3_stmt *st, int i, int64_t v, int *rc)
{
	if (*rc == SQLITE_OK)
		*rc = v < 0 ? sqlite3_bind_null(st, i) :
		    sqlite3_bind_int64(st, i, v);
}

static void
bind_text(sqlite3_stmt *st, int i, const char *s, int *rc)
{
	if (*rc == SQLITE_OK)
		*rc = sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

int
site_info_store(sqlite3 *h, int64_t cycle, const char *tzname, int pii,
    char *err, size_t errlen)
{
	struct utsname	 u;
	struct sysinfo	 si;
	struct statfs	 sv;
	cpu_set_t	 cpus;
	sqlite3_stmt	*st = NULL;
	int64_t		 ncpu = -1, mem = -1, avail = -1, disk = -1, dfree = -1;
	int64_t		 pages, psize, in, out, disc;
	char		 host[256], q_in[96], q_out[96];
	int		 rc = SQLITE_OK;

	memset(&u, 0, sizeof(u));
	if (uname(&u) == -1)
		memset(&u, 0, sizeof(u));
	if (sysinfo(&si) == 0) {
		mem = (int64_t)si.totalram * si.mem_unit;
		avail = ((int64_t)si.freeram + (int64_t)si.bufferram) *
		    si.mem_unit;
	}
	/* statfs(2), not statvfs(3): glibc's reads /proc for the flags */
	if (statfs("/", &sv) == 0) {
		disk = (int64_t)sv.f_blocks * (int64_t)sv.f_bsize;
		dfree = (int64_t)sv.f_bavail * (int64_t)sv.f_bsize;
	}
	CPU_ZERO(&cpus);
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
		ncpu = CPU_COUNT(&cpus);
	/* in scope: the printers configured or found; out: agents that
	 * answered and are not printers */
	(void)snprintf(q_in, sizeof(q_in), "SELECT count(*) FROM targets "
	    "WHERE state != %d", DEV_STATE_NOT_PRINTER);
	(void)snprintf(q_out, sizeof(q_out), "SELECT count(*) FROM targets "
	    "WHERE state = %d", DEV_STATE_NOT_PRINTER);
	if (sql_int(h, "PRAGMA page_count", &pages) == -1 ||
	    sql_int(h, "PRAGMA page_size", &psize) == -1 ||
	    sql_int(h, q_in, &in) == -1 || sql_int(h, q_out, &out) == -1 ||
	    sql_int(h, "SELECT max(started) FROM cycles WHERE probed > 0",
	    &disc) == -1)
		goto fail;
	host[0] = '\0';
	if (pii)
		report_str_clean((const uint8_t *)u.nodename,
		    strnlen(u.nodename, sizeof(u.nodename)), host,
		    sizeof(host));
	if (sqlite3_prepare_v2(h, "INSERT INTO site_info (cycle_id, software, "
	    "os_name, os_release, machine, cpus, memory, memory_available, "
	    "disk, disk_free, time_zone, database, in_scope, out_of_scope, "
	    "last_discovery, host_name) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)", -1, &st, NULL) !=
	    SQLITE_OK)
		goto fail;
	rc = sqlite3_bind_int64(st, 1, cycle);
	bind_text(st, 2, DOC_SOFTWARE, &rc);
	bind_text(st, 3, u.sysname, &rc);
	bind_text(st, 4, u.release, &rc);
	bind_text(st, 5, u.machine, &rc);
	bind_opt(st, 6, ncpu, &rc);
	bind_opt(st, 7, mem, &rc);
	bind_opt(st, 8, avail, &rc);
	bind_opt(st, 9, disk, &rc);
	bind_opt(st, 10, dfree, &rc);
	bind_text(st, 11, tzname, &rc);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 12, pages * psize);
	bind_opt(st, 13, in, &rc);
	bind_opt(st, 14, out, &rc);
	bind_opt(st, 15, disc, &rc);
	if (rc == SQLITE_OK)
		rc = host[0] == '\0' ? sqlite3_bind_null(st, 16) :
		    sqlite3_bind_text(st, 16, host, -1, SQLITE_TRANSIENT);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	return 0;
 fail:
	(void)snprintf(err, errlen, "site information: %s",
	    sqlite3_errmsg(h));
	sqlite3_finalize(st);
	return -1;
}
