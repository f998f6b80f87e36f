/*
 * sqlite connections: see sqlutil.h.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "sqlutil.h"

/* every setting is tried; -1 when any of them failed */
static int
sql_harden(sqlite3 *h, int busy_ms)
{
	int	 bad = 0;

	/* no writable_schema tricks, nothing run from the schema itself */
	if (sqlite3_db_config(h, SQLITE_DBCONFIG_DEFENSIVE, 1,
	    NULL) != SQLITE_OK)
		bad = 1;
	if (sqlite3_db_config(h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0,
	    NULL) != SQLITE_OK)
		bad = 1;
	if (sqlite3_busy_timeout(h, busy_ms) != SQLITE_OK)
		bad = 1;
	return bad ? -1 : 0;
}

int
sql_open(const char *path, int flags, int busy_ms, sqlite3 **hp, char *err,
    size_t errlen)
{
	*hp = NULL;
	if (sqlite3_open_v2(path, hp, flags | SQLITE_OPEN_NOFOLLOW,
	    NULL) != SQLITE_OK) {
		(void)snprintf(err, errlen, "%s: %s", path, *hp != NULL ?
		    sqlite3_errmsg(*hp) : "out of memory");
		goto fail;
	}
	if (sql_harden(*hp, busy_ms) == -1) {
		(void)snprintf(err, errlen, "%s: %s", path,
		    sqlite3_errmsg(*hp));
		goto fail;
	}
	return 0;
 fail:
	sqlite3_close(*hp);	/* harmless on NULL */
	*hp = NULL;
	return -1;
}

/* journal_mode=WAL: -1 unless sqlite answers that it is now "wal" */
static int
sql_journal_wal(sqlite3 *h)
{
	sqlite3_stmt	*st;
	const char	*mode;
	int		 ok = 0;

	if (sqlite3_prepare_v2(h, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (mode = (const char *)sqlite3_column_text(st, 0)) != NULL)
		ok = strcmp(mode, "wal") == 0;
	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

int
sql_settings(sqlite3 *h, const char *path, const char *pragmas, char *err,
    size_t errlen)
{
	if (sql_exec(h, pragmas) == -1) {
		(void)snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(h));
		return -1;
	}
	if (sql_journal_wal(h) == -1) {
		(void)snprintf(err, errlen, "%s: cannot use write-ahead "
		    "logging: %s", path, sqlite3_errmsg(h));
		return -1;
	}
	return 0;
}

int
sql_migrate(sqlite3 *h, const char *const steps[][SQL_MIGRATION_SCRIPTS],
    int version, char *err, size_t errlen)
{
	char	 sql[64];
	int	 v, i;

	if (sql_exec(h, "BEGIN IMMEDIATE") == -1 ||
	    (v = sql_user_version(h)) == -1)
		goto dberr;
	if (v > version) {
		(void)snprintf(err, errlen, "the database has schema version "
		    "%d, newer than this program's %d", v, version);
		(void)sql_rollback(h);
		return -1;
	}
	for (; v < version; v++) {
		for (i = 0; i < SQL_MIGRATION_SCRIPTS; i++)
			if (steps[v][i] != NULL &&
			    sql_exec(h, steps[v][i]) == -1)
				goto dberr;
		(void)snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		    v + 1);
		if (sql_exec(h, sql) == -1)
			goto dberr;
	}
	if (sql_exec(h, "COMMIT") == -1)
		goto dberr;
	return 0;
 dberr:
	(void)snprintf(err, errlen, "creating the schema: %s",
	    sqlite3_errmsg(h));
	(void)sql_rollback(h);
	return -1;
}

int
sql_user_version(sqlite3 *h)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if (sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
sql_exec(sqlite3 *h, const char *sql)
{
	return sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int
sql_rollback(sqlite3 *h)
{
	if (sqlite3_get_autocommit(h))
		return 0;		/* nothing open */
	return sql_exec(h, "ROLLBACK");
}
