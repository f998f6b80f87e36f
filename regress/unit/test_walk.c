/*
 * collectd's walk layer (collectd/walk.c) against agents that misbehave:
 * rows that do not increase, tables without end, v1 error-index out of
 * range, tooBig and genErr to GetBulk, an untried GetBulk that times out,
 * answers to other questions, indexes too long, empty answers.
 *
 * engine_request() is a stub here that keeps the request in flight; the
 * test answers it by calling the walk's callback as the engine would.
 * walk.o comes from libcollectd.a, engine.o is not linked.
 */
#include <stdint.h>
#include <string.h>

#include "collectd/walk.h"
#include "snmp.h"
#include "test.h"

/* prtMarkerSuppliesDescription and prtMarkerSuppliesLevel */
#define COL_A	"1.3.6.1.2.1.43.11.1.1.6"
#define COL_B	"1.3.6.1.2.1.43.11.1.1.9"

/* the latest request, as the stub engine took it */
static struct {
	int		 n;		/* requests made */
	int		 inflight;
	uint8_t		 pdu;
	int32_t		 nonrep, maxrep;
	int		 flags;
	size_t		 noids;
	struct snmp_oid	 oids[WALK_MAX_VARBINDS];
	ereq_cb		 cb;
	void		*arg;
} rq;

static char		 engine_dummy;
#define ENGINE		((struct engine *)(void *)&engine_dummy)
static struct etarget	 target;
static int		 bulk;
static struct snmp_msg	 msg;
static struct snmp_oid	 base[3];

/* what the walk reported */
static int		 ndone, nrows[3];
static enum walk_status	 status;

int
engine_request(struct engine *e, const struct etarget *t, uint8_t pdu,
    int32_t nonrep, int32_t maxrep, const struct snmp_oid *oids,
    size_t noids, int flags, ereq_cb cb, void *arg)
{
	size_t	 i;

	if (noids > WALK_MAX_VARBINDS)
		abort();
	rq.n++;
	rq.inflight = 1;
	rq.pdu = pdu;
	rq.nonrep = nonrep;
	rq.maxrep = maxrep;
	rq.flags = flags;
	rq.noids = noids;
	for (i = 0; i < noids; i++)
		snmp_oid_copy(&rq.oids[i], &oids[i]);
	rq.cb = cb;
	rq.arg = arg;
	return 0;
}

static void
on_row(void *arg, uint16_t col, const uint32_t *idx, size_t idxlen,
    const struct snmp_value *v)
{
	if (col < 3)
		nrows[col]++;
}

static void
on_done(void *arg, enum walk_status st, const char *why)
{
	ndone++;
	status = st;
}

/* a walk of ncols columns from base[], started */
static struct walk *
start(enum walk_mode mode, int version, int bulkstate, size_t ncols)
{
	struct walk	*w;
	size_t		 i;

	memset(&rq, 0, sizeof(rq));
	memset(nrows, 0, sizeof(nrows));
	ndone = 0;
	status = WALK_OK;
	target.version = version;
	bulk = bulkstate;
	w = walk_new(mode, ncols, ENGINE, &target, &bulk, on_row, on_done,
	    NULL);
	for (i = 0; i < ncols; i++)
		if (walk_add(w, (uint16_t)i, &base[i], 0) == -1)
			abort();
	walk_start(w);
	return w;
}

static void
reply_begin(int32_t error_status, int32_t error_index)
{
	msg.version = target.version;
	msg.pdu_type = SNMP_PDU_RESPONSE;
	msg.request_id = SNMP_REQID_MIN;
	msg.error_status = error_status;
	msg.error_index = error_index;
	msg.nvarbinds = 0;
}

/* a variable-binding: a base, then up to two index arcs (0: none) */
static void
reply_vb(const struct snmp_oid *b, uint32_t i1, uint32_t i2, uint8_t type)
{
	struct snmp_varbind	*vb = &msg.vb[msg.nvarbinds++];

	snmp_oid_copy(&vb->oid, b);
	if (i1 != 0)
		(void)snmp_oid_append(&vb->oid, i1);
	if (i2 != 0)
		(void)snmp_oid_append(&vb->oid, i2);
	memset(&vb->v, 0, sizeof(vb->v));
	vb->v.type = type;
	vb->v.u = 1;
}

static void
reply(void)
{
	rq.inflight = 0;
	rq.cb(rq.arg, EREQ_OK, &msg);
}

static void
fail(enum ereq_status st)
{
	rq.inflight = 0;
	rq.cb(rq.arg, st, NULL);
}

TEST(row_not_increasing_ends_column)
{
	struct walk	*w;

	w = start(WALK_COLUMNS, SNMP_V2C, BULK_YES, 2);
	CHECK_EQ_INT(rq.pdu, SNMP_PDU_GETBULK);
	CHECK_EQ_INT(rq.noids, 2);
	/* B answers the same row twice: B ends, A goes on */
	reply_begin(0, 0);
	reply_vb(&base[0], 1, 1, SNMP_T_COUNTER32);
	reply_vb(&base[1], 1, 1, SNMP_T_COUNTER32);
	reply_vb(&base[0], 1, 2, SNMP_T_COUNTER32);
	reply_vb(&base[1], 1, 1, SNMP_T_COUNTER32);
	reply();
	CHECK_EQ_INT(nrows[0], 2);
	CHECK_EQ_INT(nrows[1], 1);
	CHECK_EQ_INT(rq.n, 2);
	CHECK_EQ_INT(rq.noids, 1);
	reply_begin(0, 0);
	reply_vb(&base[0], 1, 2, SNMP_T_COUNTER32);
	CHECK(snmp_oid_cmp(&rq.oids[0], &msg.vb[0].oid) == 0);
	/* A goes back: it ends, and so does the walk */
	reply_begin(0, 0);
	reply_vb(&base[0], 1, 1, SNMP_T_COUNTER32);
	reply();
	CHECK_EQ_INT(ndone, 1);
	CHECK_EQ_INT(status, WALK_OK);
	CHECK_EQ_INT(nrows[0], 2);
	CHECK_EQ_INT(rq.n, 2);
	walk_free(w);
}

TEST(endless_table_stops_at_max_rows)
{
	struct walk	*w;
	uint32_t	 row = 0;
	int32_t		 i;

	w = start(WALK_COLUMNS, SNMP_V2C, BULK_YES, 1);
	while (ndone == 0 && rq.n < 100) {
		CHECK_EQ_INT(rq.maxrep, WALK_MAX_VARBINDS);
		reply_begin(0, 0);
		for (i = 0; i < rq.maxrep; i++)
			reply_vb(&base[0], ++row, 0, SNMP_T_COUNTER32);
		reply();
	}
	CHECK_EQ_INT(ndone, 1);
	CHECK_EQ_INT(status, WALK_OK);
	CHECK_EQ_INT(nrows[0], WALK_MAX_ROWS);
	CHECK_EQ_INT(rq.n, WALK_MAX_ROWS / WALK_MAX_VARBINDS + 1);
	walk_free(w);
}

TEST(endless_getnext_stops_at_max_requests)
{
	struct walk	*w;
	uint32_t	 row = 0;

	w = start(WALK_COLUMNS, SNMP_V1, BULK_UNKNOWN, 1);
	while (ndone == 0 && rq.n < 2 * WALK_MAX_REQUESTS) {
		CHECK_EQ_INT(rq.pdu, SNMP_PDU_GETNEXT);
		reply_begin(0, 0);
		reply_vb(&base[0], ++row, 0, SNMP_T_COUNTER32);
		reply();
	}
	CHECK_EQ_INT(ndone, 1);
	CHECK_EQ_INT(status, WALK_ERROR);
	CHECK_EQ_INT(rq.n, WALK_MAX_REQUESTS);
	CHECK_EQ_INT(nrows[0], WALK_MAX_REQUESTS);
	walk_free(w);
}

TEST(v1_nosuchname_error_index)
{
	static const int32_t	 bad[] = { 0, -1, 3, 1000 };
	struct walk		*w;
	size_t			 i;

	/* error-index 2 names B: B ends, A is asked again */
	w = start(WALK_COLUMNS, SNMP_V1, BULK_UNKNOWN, 2);
	reply_begin(SNMP_ERR_NOSUCHNAME, 2);
	reply_vb(&base[0], 0, 0, SNMP_T_NULL);
	reply_vb(&base[1], 0, 0, SNMP_T_NULL);
	reply();
	CHECK_EQ_INT(ndone, 0);
	CHECK_EQ_INT(rq.n, 2);
	CHECK_EQ_INT(rq.pdu, SNMP_PDU_GETNEXT);
	CHECK_EQ_INT(rq.noids, 1);
	CHECK(snmp_oid_cmp(&rq.oids[0], &base[0]) == 0);
	walk_free(w);

	/* an error-index that names nothing ends the walk */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		w = start(WALK_COLUMNS, SNMP_V1, BULK_UNKNOWN, 2);
		reply_begin(SNMP_ERR_NOSUCHNAME, bad[i]);
		reply_vb(&base[0], 0, 0, SNMP_T_NULL);
		reply_vb(&base[1], 0, 0, SNMP_T_NULL);
		reply();
		CHECK_EQ_INT(ndone, 1);
		CHECK_EQ_INT(status, WALK_ERROR);
		CHECK_EQ_INT(rq.n, 1);
		CHECK_EQ_INT(nrows[0] + nrows[1], 0);
		walk_free(w);
	}
}

TEST(bulk_toobig_then_generr)
{
	struct walk	*w;

	w = start(WALK_COLUMNS, SNMP_V2C, BULK_UNKNOWN, 1);
	CHECK_EQ_INT(rq.pdu, SNMP_PDU_GETBULK);
	CHECK_EQ_INT(rq.maxrep, WALK_MAX_VARBINDS);
	CHECK(rq.flags & ENGINE_NORETRY);
	/* tooBig: the same again with half the repetitions */
	reply_begin(SNMP_ERR_TOOBIG, 0);
	reply();
	CHECK_EQ_INT(rq.n, 2);
	CHECK_EQ_INT(rq.pdu, SNMP_PDU_GETBULK);
	CHECK_EQ_INT(rq.maxrep, WALK_MAX_VARBINDS / 2);
	/* genErr to GetBulk: GetNext from now on, for the whole device */
	reply_begin(SNMP_ERR_GENERR, 1);
	reply();
	CHECK_EQ_INT(rq.n, 3);
	CHECK_EQ_INT(rq.pdu, SNMP_PDU_GETNEXT);
	CHECK_EQ_INT(rq.flags, 0);
	CHECK_EQ_INT(bulk, BULK_NO);
	CHECK(snmp_oid_cmp(&rq.oids[0], &base[0]) == 0);
	reply_begin(0, 0);
	reply_vb(&base[0], 1, 0, SNMP_T_ENDOFMIBVIEW);
	reply();
	CHECK_EQ_INT(ndone, 1);
	CHECK_EQ_INT(status, WALK_OK);
	CHECK_EQ_INT(nrows[0], 0);
	walk_free(w);
}

TEST(untried_bulk_timeout_falls_back)
{
	struct walk	*w;

	w = start(WALK_COLUMNS, SNMP_V2C, BULK_UNKNOWN, 1);
	fail(EREQ_TIMEOUT);
	CHECK_EQ_INT(ndone, 0);
	CHECK_EQ_INT(rq.n, 2);
	CHECK_EQ_INT(rq.pdu, SNMP_PDU_GETNEXT);
	CHECK_EQ_INT(bulk, BULK_NO);
	fail(EREQ_TIMEOUT);
	CHECK_EQ_INT(ndone, 1);
	CHECK_EQ_INT(status, WALK_TIMEOUT);
	walk_free(w);

	/* a GetBulk that worked before: a timeout is a timeout */
	w = start(WALK_COLUMNS, SNMP_V2C, BULK_YES, 1);
	CHECK_EQ_INT(rq.flags, 0);
	fail(EREQ_TIMEOUT);
	CHECK_EQ_INT(ndone, 1);
	CHECK_EQ_INT(status, WALK_TIMEOUT);
	CHECK_EQ_INT(rq.n, 1);
	CHECK_EQ_INT(bulk, BULK_YES);
	walk_free(w);

	w = start(WALK_COLUMNS, SNMP_V2C, BULK_UNKNOWN, 1);
	fail(EREQ_REFUSED);
	CHECK_EQ_INT(ndone, 1);
	CHECK_EQ_INT(status, WALK_REFUSED);
	CHECK_EQ_INT(rq.n, 1);
	walk_free(w);
}

TEST(get_ignores_other_answers)
{
	struct walk	*w;

	w = start(WALK_GET, SNMP_V2C, BULK_YES, 3);
	CHECK_EQ_INT(rq.pdu, SNMP_PDU_GET);
	CHECK_EQ_INT(rq.noids, 3);
	reply_begin(0, 0);
	reply_vb(&base[0], 7, 0, SNMP_T_INTEGER);	/* not what was asked */
	reply_vb(&base[1], 0, 0, SNMP_T_NOSUCHINSTANCE);
	reply_vb(&base[2], 0, 0, SNMP_T_INTEGER);
	reply_vb(&base[2], 0, 0, SNMP_T_INTEGER);	/* one too many */
	reply();
	CHECK_EQ_INT(ndone, 1);
	CHECK_EQ_INT(status, WALK_OK);
	CHECK_EQ_INT(nrows[0], 0);
	CHECK_EQ_INT(nrows[1], 0);
	CHECK_EQ_INT(nrows[2], 1);
	CHECK_EQ_INT(rq.n, 1);
	walk_free(w);
}

TEST(long_index_and_empty_answer)
{
	struct walk		*w;
	struct snmp_varbind	*vb;
	int			 i;

	/* an index of WALK_MAX_IDX + 1 arcs ends the column, no row */
	w = start(WALK_COLUMNS, SNMP_V2C, BULK_YES, 1);
	reply_begin(0, 0);
	reply_vb(&base[0], 1, 0, SNMP_T_COUNTER32);
	vb = &msg.vb[0];
	for (i = 1; i < WALK_MAX_IDX + 1; i++)
		CHECK(snmp_oid_append(&vb->oid, 1) == 0);
	reply();
	CHECK_EQ_INT(ndone, 1);
	CHECK_EQ_INT(status, WALK_OK);
	CHECK_EQ_INT(nrows[0], 0);
	walk_free(w);

	/* an answer without variable-bindings: no progress, an error */
	w = start(WALK_COLUMNS, SNMP_V2C, BULK_YES, 2);
	reply_begin(0, 0);
	reply();
	CHECK_EQ_INT(ndone, 1);
	CHECK_EQ_INT(status, WALK_ERROR);
	CHECK_EQ_INT(rq.n, 1);
	walk_free(w);
}

TEST_MAIN_BEGIN("test_walk")
	if (snmp_oid_parse(COL_A, &base[0]) == -1 ||
	    snmp_oid_parse(COL_B, &base[1]) == -1 ||
	    snmp_oid_parse("1.3.6.1.2.1.1.6.0", &base[2]) == -1)
		abort();
	strlcpy(target.community, "public", sizeof(target.community));
	RUN(row_not_increasing_ends_column);
	RUN(endless_table_stops_at_max_rows);
	RUN(endless_getnext_stops_at_max_requests);
	RUN(v1_nosuchname_error_index);
	RUN(bulk_toobig_then_generr);
	RUN(untried_bulk_timeout_falls_back);
	RUN(get_ignores_other_answers);
	RUN(long_index_and_empty_answer);
TEST_MAIN_END
