/*
 * common/sqlutil.c: opening (no link, hardened), a writer's settings
 * (pragmas, WAL) and the migration of a schema, all or nothing.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "sqlutil.h"
#include "test.h"

static char	 tmpdir[64];

static const char *
tpath(const char *name)
{
	static char	 path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", tmpdir, name) >=
	    (int)sizeof(path))
		abort();
	return path;
}

/* the first column of the first row, as an integer; -1 when none */
static int
q_int(sqlite3 *h, const char *sql)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static const char *const steps[][SQL_MIGRATION_SCRIPTS] = {
	{ "CREATE TABLE a (x INTEGER);", "INSERT INTO a VALUES (1);" },
	{ "CREATE TABLE b (y TEXT);", NULL },
	/* a broken third version */
	{ "CREATE TABLE c (z INTEGER);", "INSERT INTO nowhere VALUES (1);" },
};

static const char pragmas[] =
	"PRAGMA synchronous = FULL;"
	"PRAGMA foreign_keys = ON;";

TEST(open_and_harden)
{
	sqlite3	*h;
	char	 err[PATH_MAX + 128], want[PATH_MAX + 128];
	int	 v;

	CHECK(sql_open(tpath("t.db"), SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, 1234, &h, err, sizeof(err)) == 0);
	CHECK(h != NULL);
	CHECK(sqlite3_db_config(h, SQLITE_DBCONFIG_DEFENSIVE, -1, &v) ==
	    SQLITE_OK);
	CHECK_EQ_INT(v, 1);
	CHECK(sqlite3_db_config(h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, -1, &v) ==
	    SQLITE_OK);
	CHECK_EQ_INT(v, 0);
	CHECK_EQ_INT(q_int(h, "PRAGMA busy_timeout"), 1234);
	CHECK_EQ_INT(sql_user_version(h), 0);
	sqlite3_close(h);

	/* missing, without SQLITE_OPEN_CREATE: "path: reason", no handle */
	h = (sqlite3 *)1;
	CHECK(sql_open(tpath("none.db"), SQLITE_OPEN_READWRITE, 1000, &h,
	    err, sizeof(err)) == -1);
	CHECK(h == NULL);
	(void)snprintf(want, sizeof(want), "%s: ", tpath("none.db"));
	CHECK(strncmp(err, want, strlen(want)) == 0);
	CHECK(strlen(err) > strlen(want));

	/* never through a symbolic link */
	CHECK(symlink("t.db", tpath("link.db")) == 0);
	CHECK(sql_open(tpath("link.db"), SQLITE_OPEN_READONLY, 1000, &h, err,
	    sizeof(err)) == -1);
	CHECK(h == NULL);
	(void)snprintf(want, sizeof(want), "%s: ", tpath("link.db"));
	CHECK(strncmp(err, want, strlen(want)) == 0);
}

TEST(settings)
{
	sqlite3	*h;
	char	 err[PATH_MAX + 128];

	CHECK(sql_open(tpath("s.db"), SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, 1000, &h, err, sizeof(err)) == 0);
	CHECK(sql_settings(h, "s.db", pragmas, err, sizeof(err)) == 0);
	CHECK_EQ_INT(q_int(h, "PRAGMA synchronous"), 2);
	CHECK_EQ_INT(q_int(h, "PRAGMA foreign_keys"), 1);
	CHECK(q_int(h, "SELECT journal_mode = 'wal' FROM "
	    "pragma_journal_mode") == 1);
	CHECK(sql_settings(h, "s.db", "PRAGMA nonsense(", err,
	    sizeof(err)) == -1);
	CHECK(strncmp(err, "s.db: ", 6) == 0);
	sqlite3_close(h);

	/* a database in memory has no write-ahead log */
	CHECK(sql_open(":memory:", SQLITE_OPEN_READWRITE, 1000, &h, err,
	    sizeof(err)) == 0);
	CHECK(sql_settings(h, "mem", pragmas, err, sizeof(err)) == -1);
	CHECK(strncmp(err, "mem: cannot use write-ahead logging: ", 37) == 0);
	sqlite3_close(h);
}

TEST(migrate)
{
	sqlite3	*h;
	char	 err[256];

	CHECK(sql_open(tpath("m.db"), SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, 1000, &h, err, sizeof(err)) == 0);
	/* to version 1, then 2; again: nothing to do */
	CHECK(sql_migrate(h, steps, 1, err, sizeof(err)) == 0);
	CHECK_EQ_INT(sql_user_version(h), 1);
	CHECK_EQ_INT(q_int(h, "SELECT x FROM a"), 1);
	CHECK(sql_migrate(h, steps, 2, err, sizeof(err)) == 0);
	CHECK_EQ_INT(sql_user_version(h), 2);
	CHECK_EQ_INT(q_int(h, "SELECT count(*) FROM b"), 0);
	CHECK(sql_migrate(h, steps, 2, err, sizeof(err)) == 0);
	CHECK_EQ_INT(q_int(h, "SELECT count(*) FROM a"), 1);
	CHECK(sqlite3_get_autocommit(h));

	/* a failing step: nothing of it stays */
	CHECK(sql_migrate(h, steps, 3, err, sizeof(err)) == -1);
	CHECK(strncmp(err, "creating the schema: ", 21) == 0);
	CHECK(strstr(err, "nowhere") != NULL);
	CHECK_EQ_INT(sql_user_version(h), 2);
	CHECK_EQ_INT(q_int(h, "SELECT count(*) FROM sqlite_schema WHERE "
	    "name = 'c'"), 0);
	CHECK(sqlite3_get_autocommit(h));

	/* a newer database is refused */
	CHECK(sql_migrate(h, steps, 1, err, sizeof(err)) == -1);
	CHECK_STR(err, "the database has schema version 2, newer than this "
	    "program's 1");
	CHECK(sqlite3_get_autocommit(h));
	sqlite3_close(h);

	/* a reader sees the version */
	CHECK(sql_open(tpath("m.db"), SQLITE_OPEN_READONLY, 1000, &h, err,
	    sizeof(err)) == 0);
	CHECK_EQ_INT(sql_user_version(h), 2);
	sqlite3_close(h);
}

TEST(exec_and_rollback)
{
	sqlite3	*h;
	char	 err[256];

	CHECK(sql_open(":memory:", SQLITE_OPEN_READWRITE, 1000, &h, err,
	    sizeof(err)) == 0);
	/* nothing open: nothing to do */
	CHECK(sql_rollback(h) == 0);
	CHECK(sql_exec(h, "CREATE TABLE t (v INTEGER)") == 0);
	CHECK(sql_exec(h, "no such statement") == -1);
	CHECK(sql_exec(h, "BEGIN; INSERT INTO t VALUES (7)") == 0);
	CHECK(!sqlite3_get_autocommit(h));
	CHECK(sql_rollback(h) == 0);
	CHECK(sqlite3_get_autocommit(h));
	CHECK_EQ_INT(q_int(h, "SELECT count(*) FROM t"), 0);
	sqlite3_close(h);
}

static void
cleanup(void)
{
	static const char *const names[] = {
		"t.db", "link.db", "s.db", "s.db-wal", "s.db-shm", "m.db",
		"m.db-wal", "m.db-shm",
	};
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		(void)unlink(tpath(names[i]));
	(void)rmdir(tmpdir);
}

TEST_MAIN_BEGIN("test_sqlutil")
	(void)snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_sqlutil.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		abort();
	RUN(open_and_harden);
	RUN(settings);
	RUN(migrate);
	RUN(exec_and_rollback);
	cleanup();
TEST_MAIN_END
