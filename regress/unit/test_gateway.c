/*
 * auditd's gateway state (auditd/gateway.c) while a cycle's transaction
 * is open: a check-in's result that comes then (uplinkd's answer races
 * with the cycle an instruction started) is written within it, as a
 * savepoint, and not refused ("cannot start a transaction within a
 * transaction", which made auditd exit); outside a cycle it is a
 * transaction of its own, as before.  The retry a 503 asks for is in the
 * record.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../../auditd/db.h"
#include "../../auditd/gateway.h"
#include "chan/auditd_uplinkd.h"
#include "log.h"
#include "test.h"
#include "txlog.h"

static char	 tmpdir[64];
static char	 dbpath[128];

static int
count(struct db *db, const char *sql)
{
	sqlite3_stmt	*st;
	int		 n = -1;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
result(struct msg_upload_result *r, int status, uint32_t retry_after)
{
	memset(r, 0, sizeof(*r));
	r->kind = JOB_CHECKIN;
	r->status = (uint8_t)status;
	r->retry_after = retry_after;
	(void)strlcpy(r->server, "localhost:443", sizeof(r->server));
	if (status != UP_DELIVERED) {
		r->http_status = 503;
		(void)strlcpy(r->error, "server answered 503",
		    sizeof(r->error));
	}
}

#define CHECKINS "SELECT count(*) FROM txlog WHERE kind = 'checkin'"

TEST(inside_a_cycle)
{
	struct db			 db;
	struct gateway			*g;
	struct msg_upload_result	 r;
	int64_t				 nrec = 0, bad = 0;
	char				 err[256];

	CHECK(db_open(&db, dbpath, err, sizeof(err)) == 0);
	CHECK((g = gateway_new(&db, "/nonexistent")) != NULL);
	/* outside a cycle: its own transaction */
	result(&r, UP_DELIVERED, 0);
	CHECK_EQ_INT(gateway_checkin_result(g, &r, 1000, 0), 0);
	CHECK(sqlite3_get_autocommit(db.h) != 0);
	CHECK_EQ_INT(count(&db, CHECKINS), 1);
	/* inside one (store.c's): written within it, which stays open */
	CHECK_EQ_INT(db_begin(&db), 0);
	result(&r, UP_HTTP, 60);
	CHECK_EQ_INT(gateway_checkin_result(g, &r, 1001, 1065), 0);
	CHECK(sqlite3_get_autocommit(db.h) == 0);
	CHECK_EQ_INT(count(&db, CHECKINS), 2);
	CHECK_EQ_INT(count(&db, "SELECT count(*) FROM txlog WHERE kind = "
	    "'checkin' AND json_extract(detail, '$.retry_after') = 60 AND "
	    "json_extract(detail, '$.next_attempt') = 1065 AND summary LIKE "
	    "'%Retry-After'"), 1);
	/* and goes with the cycle: committed, or rolled back */
	CHECK_EQ_INT(db_commit(&db), 0);
	CHECK_EQ_INT(count(&db, CHECKINS), 2);
	CHECK_EQ_INT(db_begin(&db), 0);
	CHECK_EQ_INT(gateway_checkin_result(g, &r, 1002, 0), 0);
	CHECK_EQ_INT(count(&db, CHECKINS), 3);
	CHECK_EQ_INT(db_rollback(&db), 0);
	CHECK_EQ_INT(count(&db, CHECKINS), 2);
	/* the chain is whole */
	CHECK_EQ_INT(txlog_verify(db.h, &nrec, &bad, err, sizeof(err)), 0);
	CHECK_EQ_INT(nrec, 2);
	gateway_free(g);
	db_close(&db);
}

TEST_MAIN_BEGIN("test_gateway")
	log_init("test_gateway", LOG_TO_STDERR, 0);
	txlog_init();
	(void)strlcpy(tmpdir, "/tmp/test_gateway.XXXXXX", sizeof(tmpdir));
	if (mkdtemp(tmpdir) == NULL) {
		printf("not ok test_gateway mkdtemp\n");
		return 1;
	}
	(void)snprintf(dbpath, sizeof(dbpath), "%s/callhome.db", tmpdir);
	RUN(inside_a_cycle);
	(void)snprintf(dbpath + strlen(tmpdir), sizeof(dbpath) -
	    strlen(tmpdir), "/callhome.db-wal");
	(void)unlink(dbpath);
	(void)snprintf(dbpath + strlen(tmpdir), sizeof(dbpath) -
	    strlen(tmpdir), "/callhome.db-shm");
	(void)unlink(dbpath);
	(void)snprintf(dbpath + strlen(tmpdir), sizeof(dbpath) -
	    strlen(tmpdir), "/callhome.db");
	(void)unlink(dbpath);
	(void)rmdir(tmpdir);
TEST_MAIN_END
