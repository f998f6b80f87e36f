/*
 * sqlite connections as auditd (auditd/db.c), commsd (commsd/store.c) and
 * callhomectl open them: no symbolic link, defensive mode, no trusted
 * schema, a busy timeout; the writers add their pragmas, write-ahead
 * logging and the migration of their schema.  Each keeps its own schema,
 * pragmas and version; the version is PRAGMA user_version.
 */
#ifndef CALLHOME_SQLUTIL_H
#define CALLHOME_SQLUTIL_H

#include <stddef.h>

#include <sqlite3.h>

/* scripts of one migration step, each NULL or SQL to run */
#define SQL_MIGRATION_SCRIPTS	2

/*
 * sqlite3_open_v2() with flags and SQLITE_OPEN_NOFOLLOW, then defensive
 * mode, no trusted schema and a busy timeout of busy_ms.  -1 with
 * "path: reason" in err and *hp NULL on failure.
 */
int	sql_open(const char *path, int flags, int busy_ms, sqlite3 **hp,
	    char *err, size_t errlen);
/*
 * A writer's settings: its pragmas, then journal_mode=WAL.  -1 with
 * "path: reason" in err on failure.
 */
int	sql_settings(sqlite3 *, const char *path, const char *pragmas,
	    char *err, size_t errlen);
/*
 * In one transaction, bring the schema from its user_version to version:
 * steps[v] takes it from v to v + 1.  A newer database is refused.  -1
 * with a message in err on failure, and nothing changed.
 */
int	sql_migrate(sqlite3 *,
	    const char *const steps[][SQL_MIGRATION_SCRIPTS], int version,
	    char *err, size_t errlen);
/* PRAGMA user_version, or -1 */
int	sql_user_version(sqlite3 *);
/* 0, or -1 with the reason in sqlite3_errmsg() */
int	sql_exec(sqlite3 *, const char *);
/* ROLLBACK when a transaction is open: 0, or -1 when that failed */
int	sql_rollback(sqlite3 *);

#endif /* CALLHOME_SQLUTIL_H */
