/*
 * libFuzzer target: collectd's walk layer (collectd/walk.c) against an
 * agent that answers whatever the input makes it answer.
 *
 * The first octets set up one device: SNMP version, what is known of its
 * GetBulk support (shared by its walks, as in device.c), and one to four
 * walks (table walks or gets; scalar and table columns from real
 * Printer-MIB and vendor OIDs, prefixes of each other, or odd ones), some
 * started only by the first answer to walk 0, the way device.c starts
 * phase 2.  The rest is a sequence of events, each ending one request in
 * flight: a timeout, an ICMP error, raw datagram octets, a well-behaved
 * answer, or an answer described compactly (error-status and -index, the
 * number of variable-bindings, and for each an OID relative to the one
 * it answers: the next row, a child, the same, lower, a prefix, out of
 * the subtree, random, too deep; a type and a value).  Described answers
 * go through snmp_encode() and snmp_decode(), raw ones through
 * snmp_decode() and the engine's own acceptance checks (PDU type,
 * version, community), so the walk gets exactly what the engine would
 * hand it; what the engine would drop ends as a timeout.  Once the input
 * is used up, every request still in flight times out, as it would in
 * the engine.
 *
 * engine_request() is a stub defined here: it checks the request, keeps
 * it and sends nothing.  walk.o comes from libcollectd.a, engine.o does
 * not (nothing else needs it).
 *
 * Checked, abort() on violation:
 *   - requests: only from a walk that is running, one at a time, at most
 *     WALK_MAX_REQUESTS per walk (counted as w->requests says); Get for a
 *     get, GetBulk exactly when v2c and the device is not known to refuse
 *     it (one try only while untried), else GetNext; 1 to
 *     WALK_MAX_VARBINDS OIDs, every column at most once, scalars as the
 *     non-repeaters; nonrep + nrep * maxrep within WALK_MAX_VARBINDS;
 *     each column asked exactly where its last row was (its base before
 *     the first), a get's column only while it has no value, a scalar
 *     only before its one row;
 *   - rows: only while an answer to that walk is delivered, never after
 *     its end; the value is one of the answer's variable-bindings, none
 *     reported twice, never an exception value, at the position that
 *     RFC 3416 gives that column; a table row's OID is the column's base
 *     plus the index (1 to WALK_MAX_IDX arcs), strictly increasing per
 *     column, at most WALK_MAX_ROWS per column, one for a scalar; a get's
 *     value comes from a variable-binding whose OID is the one asked;
 *   - the step callback (where set): once for each answer without
 *     error-status, never otherwise;
 *   - the end: the done callback exactly once per walk started, with
 *     nothing of it left in flight; "ok" only after an answer, and for a
 *     table walk only with every column closed; timeout, refused and
 *     unreachable only as the outcome of that request; nothing of the
 *     walk touched after it (the callback frees it: ASan watches);
 *   - after each answer a walk has either ended or asked again (it never
 *     stalls), and after an answer without error-status not the same
 *     again (it moves on); once the input ends, every walk ends within a
 *     few timeouts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectd/walk.h"
#include "log.h"
#include "snmp.h"

#define NWALKS		4
#define COMMUNITY	"public"
#define IDSTEP		64	/* column ids: (walk + 1) * IDSTEP + i */

#define CHECK(e) do {							\
	if (!(e)) {							\
		fprintf(stderr, "fuzz_walk: %s:%d: %s\n", __FILE__,	\
		    __LINE__, #e);					\
		abort();						\
	}								\
} while (0)

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* the fuzz input, read front to back; zeros once it is used up */
struct input {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
};

/* a request of a walk, as the stub engine took it */
struct req {
	ereq_cb		 cb;
	void		*arg;
	uint8_t		 pdu;
	int32_t		 nonrep, maxrep;
	size_t		 n;
	uint8_t		 map[WALK_MAX_VARBINDS];	/* position -> column */
	struct snmp_oid	 oids[WALK_MAX_VARBINDS];
};

/* a walk and what the harness saw of it */
struct fwalk {
	struct walk	*w;		/* from start until done (then freed) */
	enum walk_mode	 mode;
	int		 deferred;	/* started by walk 0's first step */
	int		 has_step;
	int		 started, done;
	uint16_t	 idbase;
	size_t		 ncols, maxcols;
	uint32_t	 requests;	/* engine_request() calls */
	uint32_t	 answers;	/* EREQ_OK delivered */
	int		 inflight;
	int		 delivering;
	enum ereq_status last_st;	/* of the request delivered last */
	int		 steps;		/* step calls in this delivery */
	uint32_t	 nsteps;
	int		 slot;		/* reqs[slot]: the latest request */
	struct req	 reqs[2];	/* answered, and asked meanwhile */
	uint8_t		 scalar[WALK_MAX_COLS];
	uint32_t	 rows[WALK_MAX_COLS];
	struct snmp_oid	 base[WALK_MAX_COLS];	/* live as long as the walk */
	struct snmp_oid	 last[WALK_MAX_COLS];	/* OID of the last row */
};

static struct fwalk	 fw[NWALKS];
static size_t		 nfw;
static struct etarget	 target;
static int		 bulk;
static char		 engine_dummy;
#define ENGINE		((struct engine *)(void *)&engine_dummy)

static struct snmp_msg	 built, decoded;
static uint8_t		 pkt[SNMP_MAX_MSGLEN], reqpkt[SNMP_MAX_MSGLEN];
/* the answer being delivered, and the request it answers */
static const struct snmp_msg *cur_msg;
static const struct req	*cur_req;
static uint8_t		 used[SNMP_MAX_VARBINDS];	/* reported as rows */

static const char *const pool_str[] = {
	"1.3.6.1.2.1.43.10.2.1.4",	/* prtMarkerLifeCount */
	"1.3.6.1.2.1.1.1",		/* the columns of device.c */
	"1.3.6.1.2.1.1.2",
	"1.3.6.1.2.1.1.3",
	"1.3.6.1.2.1.1.4",
	"1.3.6.1.2.1.1.5",
	"1.3.6.1.2.1.1.6",
	"1.3.6.1.2.1.25.3.2.1.2",
	"1.3.6.1.2.1.25.3.2.1.3",
	"1.3.6.1.2.1.25.3.2.1.5",
	"1.3.6.1.2.1.25.3.5.1.1",
	"1.3.6.1.2.1.25.3.5.1.2",
	"1.3.6.1.2.1.43.5.1.1.17",
	"1.3.6.1.2.1.43.11.1.1.3",
	"1.3.6.1.2.1.43.11.1.1.4",
	"1.3.6.1.2.1.43.11.1.1.5",
	"1.3.6.1.2.1.43.11.1.1.6",
	"1.3.6.1.2.1.43.11.1.1.7",
	"1.3.6.1.2.1.43.11.1.1.8",
	"1.3.6.1.2.1.43.11.1.1.9",
	"1.3.6.1.2.1.43.12.1.1.4",
	"1.3.6.1.2.1.43.10.2.1.3",
	"1.3.6.1.2.1.43.18.1.1.2",
	"1.3.6.1.2.1.43.18.1.1.4",
	"1.3.6.1.2.1.43.18.1.1.7",
	"1.3.6.1.2.1.43.18.1.1.8",
	"1.3.6.1.2.1.43.18.1.1.9",
	"1.3.6.1.2.1.1",		/* prefixes of the above */
	"1.3.6.1.2.1.43.11.1.1",
	"1.3",
	"1.3.6.1.2.1.1.1.0",		/* instances, as gets ask */
	"1.3.6.1.2.1.43.10.2.1.4.1.1",
	"1.3.6.1.2.1.25.3.2.1.3.1",
	"1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.3.0",	/* vendor objects */
	"1.3.6.1.4.1.1602.1.11.1.3.1.4",
	"1.3.6.1.4.1.1602.1.11.1.3.1.2",
	"1.3.6.1.4.1.367.3.2.1.2.19.5.1.9",
	"1.3.6.1.4.1.367.3.2.1.2.19.5.1.5",
	"0.0",				/* odd but valid */
	"2.999.4294967295",
};
#define NPOOL	(sizeof(pool_str) / sizeof(pool_str[0]))
static struct snmp_oid	 pool[NPOOL];
static struct snmp_oid	 empty_oid;

/* the types a described answer may carry (4 bits) */
static const uint8_t	 types[16] = {
	SNMP_T_INTEGER, SNMP_T_OCTETS, SNMP_T_COUNTER32, SNMP_T_GAUGE32,
	SNMP_T_TIMETICKS, SNMP_T_COUNTER64, SNMP_T_OID, SNMP_T_IPADDR,
	SNMP_T_OPAQUE, SNMP_T_NULL, SNMP_T_NOSUCHOBJECT,
	SNMP_T_NOSUCHINSTANCE, SNMP_T_ENDOFMIBVIEW, SNMP_T_ENDOFMIBVIEW,
	SNMP_T_INTEGER, SNMP_T_OCTETS,
};

/* error-status of a described answer with an error (3 bits) */
static const int32_t	 errors[8] = {
	SNMP_ERR_TOOBIG, SNMP_ERR_NOSUCHNAME, SNMP_ERR_GENERR,
	SNMP_ERR_BADVALUE, SNMP_ERR_READONLY, SNMP_ERR_RESOURCEUNAVAILABLE,
	SNMP_ERR_INCONSISTENTNAME + 1, -1,
};

static uint8_t
get8(struct input *in)
{
	return in->off < in->len ? in->p[in->off++] : 0;
}

static uint32_t
get32(struct input *in)
{
	uint32_t	 v = 0;
	int		 i;

	for (i = 0; i < 4; i++)
		v = v << 8 | get8(in);
	return v;
}

/* octets of the input, as many as are left of n */
static const uint8_t *
getn(struct input *in, size_t *n)
{
	const uint8_t	*p = in->p + in->off;

	if (*n > in->len - in->off)
		*n = in->len - in->off;
	in->off += *n;
	return p;
}

static void
oid_set(struct snmp_oid *dst, const struct snmp_oid *src)
{
	dst->len = src->len;
	memcpy(dst->sub, src->sub, src->len * sizeof(src->sub[0]));
}

static int
oid_eq(const struct snmp_oid *a, const struct snmp_oid *b)
{
	return a->len == b->len &&
	    memcmp(a->sub, b->sub, a->len * sizeof(a->sub[0])) == 0;
}

/* lexicographic, a proper prefix first (written here, not snmp_oid_cmp) */
static int
oid_cmp(const struct snmp_oid *a, const struct snmp_oid *b)
{
	uint32_t	 i;

	for (i = 0; i < a->len && i < b->len; i++)
		if (a->sub[i] != b->sub[i])
			return a->sub[i] < b->sub[i] ? -1 : 1;
	return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

static void
oid_append(struct snmp_oid *o, uint32_t arc)
{
	if (o->len < SNMP_MAX_SUBIDS)
		o->sub[o->len++] = arc;
}

/* first arcs that encode: 0, 1 or 2, and below 40 under 0 and 1 */
static void
oid_fix(struct snmp_oid *o)
{
	o->sub[0] %= 3;
	if (o->sub[0] < 2)
		o->sub[1] %= 40;
}

/* the column of an answer's i-th variable-binding (RFC 3416 4.2.3), -1 */
static int
pos_col(const struct req *r, size_t i)
{
	size_t	 nrep;

	if (r->pdu != SNMP_PDU_GETBULK)
		return i < r->n ? r->map[i] : -1;
	if (i < (size_t)r->nonrep)
		return r->map[i];
	nrep = r->n - (size_t)r->nonrep;
	if (nrep == 0)
		return -1;
	return r->map[r->nonrep + (i - r->nonrep) % nrep];
}

/* the same, for an agent that answers more than it was asked */
static size_t
any_col(const struct req *r, size_t i)
{
	int	 c;

	if ((c = pos_col(r, i)) >= 0)
		return (size_t)c;
	return r->map[i % r->n];
}

/* what the i-th variable-binding of an answer follows */
static const struct snmp_oid *
prev_oid(const struct req *r, const struct snmp_msg *m, size_t i)
{
	size_t	 nrep;

	if (r->pdu == SNMP_PDU_GETBULK && i >= r->n) {
		nrep = r->n - (size_t)r->nonrep;
		if (nrep > 0)
			return &m->vb[i - nrep].oid;
	}
	return &r->oids[i % r->n];
}

/* a well-behaved agent's next OID after prev, in a column at base */
static void
next_oid(struct snmp_oid *o, const struct snmp_oid *prev,
    const struct snmp_oid *base, uint8_t pdu)
{
	oid_set(o, prev);
	if (pdu == SNMP_PDU_GET)
		return;
	if (o->len <= base->len || o->len == 0)
		oid_append(o, 1);
	else
		o->sub[o->len - 1]++;
}

/* -- the stub engine -- */

static int
same_request(const struct req *r, uint8_t pdu, const struct snmp_oid *oids,
    size_t noids)
{
	size_t	 i;

	if (r->pdu != pdu || r->n != noids)
		return 0;
	for (i = 0; i < noids; i++)
		if (!oid_eq(&r->oids[i], &oids[i]))
			return 0;
	return 1;
}

int
engine_request(struct engine *e, const struct etarget *t, uint8_t pdu,
    int32_t nonrep, int32_t maxrep, const struct snmp_oid *oids,
    size_t noids, int flags, ereq_cb cb, void *arg)
{
	struct fwalk	*f = NULL;
	struct walk	*w = arg;
	struct req	*r;
	uint8_t		 seen[WALK_MAX_COLS];
	size_t		 i, k, c, len, off;

	for (k = 0; k < nfw; k++)
		if (w != NULL && fw[k].w == w && !fw[k].done)
			f = &fw[k];
	CHECK(f != NULL);		/* a walk that runs */
	CHECK(e == ENGINE && t == &target && cb != NULL);
	CHECK(!f->inflight);		/* one request at a time */
	CHECK(f->requests < WALK_MAX_REQUESTS);
	f->requests++;
	CHECK(w->requests == f->requests);
	CHECK(noids >= 1 && noids <= WALK_MAX_VARBINDS && oids != NULL);
	CHECK(w->sent.pdu == pdu && w->sent.n == noids);

	if (f->mode == WALK_GET)
		CHECK(pdu == SNMP_PDU_GET);
	else if (target.version == SNMP_V1 || bulk == BULK_NO)
		CHECK(pdu == SNMP_PDU_GETNEXT);
	else
		CHECK(pdu == SNMP_PDU_GETBULK);
	if (pdu == SNMP_PDU_GETBULK) {
		CHECK(nonrep >= 0 && (size_t)nonrep <= noids);
		CHECK(w->sent.nonrep == nonrep &&
		    w->sent.nrep == noids - (size_t)nonrep);
		if ((size_t)nonrep < noids)
			CHECK(maxrep >= 1 && (size_t)nonrep +
			    (noids - (size_t)nonrep) * (size_t)maxrep <=
			    WALK_MAX_VARBINDS);
		/* an untried GetBulk gets one try, others the retries */
		CHECK(((flags & ENGINE_NORETRY) != 0) ==
		    (bulk == BULK_UNKNOWN));
	} else
		CHECK(nonrep == 0 && maxrep == 0 && flags == 0);

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < noids; i++) {
		c = w->sent.map[i];
		CHECK(c < f->ncols && !seen[c]);
		seen[c] = 1;
		if (f->mode == WALK_GET) {
			CHECK(f->rows[c] == 0);
			CHECK(oid_eq(&oids[i], &f->base[c]));
			continue;
		}
		if (pdu == SNMP_PDU_GETBULK)
			CHECK((i < (size_t)nonrep) == (f->scalar[c] != 0));
		if (f->scalar[c])
			CHECK(f->rows[c] == 0);
		CHECK(oid_eq(&oids[i], f->rows[c] ? &f->last[c] :
		    &f->base[c]));
	}

	/* an answer without error made it move: not the same request */
	if (f->delivering && f->last_st == EREQ_OK &&
	    cur_msg->error_status == SNMP_ERR_NOERROR)
		CHECK(!same_request(&f->reqs[f->slot], pdu, oids, noids));

	/* what the engine cannot encode, it refuses */
	if (snmp_encode_request(t->version, t->community, pdu, SNMP_REQID_MIN,
	    nonrep, maxrep, oids, noids, reqpkt, sizeof(reqpkt), &len) == -1 ||
	    snmp_reqid_offset(reqpkt, len, &off) == -1)
		return -1;

	f->slot ^= 1;
	r = &f->reqs[f->slot];
	r->cb = cb;
	r->arg = arg;
	r->pdu = pdu;
	r->nonrep = pdu == SNMP_PDU_GETBULK ? nonrep : 0;
	r->maxrep = maxrep;
	r->n = noids;
	memcpy(r->map, w->sent.map, noids);
	for (i = 0; i < noids; i++)
		oid_set(&r->oids[i], &oids[i]);
	f->inflight = 1;
	return 0;
}

/* -- the walk's callbacks -- */

static void
on_row(void *arg, uint16_t id, const uint32_t *idx, size_t idxlen,
    const struct snmp_value *v)
{
	struct fwalk			*f = arg;
	const struct snmp_varbind	*vb;
	uintptr_t			 off;
	size_t				 c, j;

	CHECK(f->started && !f->done && f->delivering);
	CHECK(cur_msg != NULL && cur_req != NULL && f->last_st == EREQ_OK);
	CHECK(id >= f->idbase && (size_t)(id - f->idbase) < f->ncols);
	c = id - f->idbase;

	/* one of the answer's values, reported once, where RFC 3416 says */
	CHECK(v != NULL && cur_msg->nvarbinds > 0);
	CHECK((uintptr_t)v >= (uintptr_t)&cur_msg->vb[0].v);
	off = (uintptr_t)v - (uintptr_t)&cur_msg->vb[0].v;
	CHECK(off % sizeof(cur_msg->vb[0]) == 0);
	j = off / sizeof(cur_msg->vb[0]);
	CHECK(j < cur_msg->nvarbinds && !used[j]);
	used[j] = 1;
	vb = &cur_msg->vb[j];
	CHECK(pos_col(cur_req, j) == (int)c);
	CHECK(v->type != SNMP_T_ENDOFMIBVIEW &&
	    v->type != SNMP_T_NOSUCHOBJECT &&
	    v->type != SNMP_T_NOSUCHINSTANCE);

	if (f->mode == WALK_GET) {
		CHECK(idx == NULL && idxlen == 0 && f->rows[c] == 0);
		CHECK(oid_eq(&vb->oid, &f->base[c]));
	} else {
		CHECK(idx != NULL && idxlen >= 1 && idxlen <= WALK_MAX_IDX);
		CHECK(vb->oid.len == f->base[c].len + idxlen);
		CHECK(memcmp(vb->oid.sub, f->base[c].sub,
		    f->base[c].len * sizeof(uint32_t)) == 0);
		CHECK(memcmp(vb->oid.sub + f->base[c].len, idx,
		    idxlen * sizeof(uint32_t)) == 0);
		if (f->scalar[c])
			CHECK(f->rows[c] == 0);
		if (f->rows[c] > 0)
			CHECK(oid_cmp(&vb->oid, &f->last[c]) > 0);
		CHECK(f->rows[c] < WALK_MAX_ROWS);
		oid_set(&f->last[c], &vb->oid);
	}
	f->rows[c]++;
}

static void	start_walk(struct fwalk *);

static void
on_step(void *arg)
{
	struct fwalk	*f = arg;
	size_t		 k;

	CHECK(f->has_step && f->started && !f->done && f->delivering);
	CHECK(f->last_st == EREQ_OK && cur_msg != NULL &&
	    cur_msg->error_status == SNMP_ERR_NOERROR);
	CHECK(++f->steps == 1);
	/* the first answer starts the others, as in device.c */
	if (f->nsteps++ == 0 && f == &fw[0])
		for (k = 1; k < nfw; k++)
			if (fw[k].deferred && !fw[k].started)
				start_walk(&fw[k]);
}

static void
on_done(void *arg, enum walk_status st, const char *why)
{
	struct fwalk	*f = arg;
	size_t		 i;

	CHECK(f->started && !f->done && f->w != NULL);
	CHECK(!f->inflight);		/* nothing of it left in flight */
	CHECK(f->w->requests == f->requests &&
	    f->requests <= WALK_MAX_REQUESTS);
	switch (st) {
	case WALK_OK:
		CHECK(f->delivering && f->last_st == EREQ_OK);
		if (f->mode == WALK_COLUMNS)
			for (i = 0; i < f->ncols; i++)
				CHECK(f->w->cols[i].done);
		break;
	case WALK_TIMEOUT:
		CHECK(f->delivering && f->last_st == EREQ_TIMEOUT);
		break;
	case WALK_REFUSED:
		CHECK(f->delivering && f->last_st == EREQ_REFUSED);
		break;
	case WALK_UNREACHABLE:
		CHECK(f->delivering && f->last_st == EREQ_UNREACHABLE);
		break;
	case WALK_ERROR:
		break;
	default:
		CHECK(!"a walk status out of range");
	}
	CHECK(strcmp(walk_status_name(st), "?") != 0);
	if (why != NULL)
		CHECK(strlen(why) < 256);
	f->done = 1;
	/* "the done callback may free the walk": ASan sees any later use */
	walk_free(f->w);
	f->w = NULL;
}

static void
start_walk(struct fwalk *f)
{
	struct walk	*w;
	size_t		 i;

	w = walk_new(f->mode, f->maxcols, ENGINE, &target, &bulk, on_row,
	    on_done, f);
	CHECK(w != NULL);
	CHECK(walk_add(w, 0, &empty_oid, 0) == -1);
	for (i = 0; i < f->ncols; i++)
		CHECK(walk_add(w, (uint16_t)(f->idbase + i), &f->base[i],
		    f->scalar[i]) == 0);
	if (f->ncols == f->maxcols)
		CHECK(walk_add(w, 0, &pool[0], 0) == -1);
	if (f->has_step)
		w->step = on_step;
	f->w = w;
	f->started = 1;
	walk_start(w);
}

/* -- answers -- */

static void
deliver(struct fwalk *f, enum ereq_status st, const struct snmp_msg *m)
{
	const struct req	*r = &f->reqs[f->slot];

	CHECK(f->inflight && !f->done);
	f->inflight = 0;
	f->delivering = 1;
	f->last_st = st;
	f->steps = 0;
	if (st == EREQ_OK)
		f->answers++;
	cur_req = r;
	cur_msg = m;
	memset(used, 0, sizeof(used));
	r->cb(r->arg, st, m);
	cur_req = NULL;
	cur_msg = NULL;
	f->delivering = 0;
	if (f->has_step && st == EREQ_OK &&
	    m->error_status == SNMP_ERR_NOERROR)
		CHECK(f->steps == 1);
	else
		CHECK(f->steps == 0);
	CHECK(f->done || f->inflight);	/* it never stalls */
}

/* encode what was built, decode it and hand it over */
static void
send_built(struct fwalk *f)
{
	const char	*why = NULL;
	size_t		 len;

	if (snmp_encode(&built, pkt, sizeof(pkt), &len) == -1) {
		deliver(f, EREQ_TIMEOUT, NULL);	/* could not be sent */
		return;
	}
	CHECK(snmp_decode(pkt, len, &decoded, &why) == 0);
	CHECK(decoded.nvarbinds == built.nvarbinds);
	deliver(f, EREQ_OK, &decoded);
}

static void
built_header(void)
{
	built.version = target.version;
	built.community = (const uint8_t *)COMMUNITY;
	built.community_len = strlen(COMMUNITY);
	built.pdu_type = SNMP_PDU_RESPONSE;
	built.request_id = SNMP_REQID_MIN;
	built.error_status = built.error_index = 0;
	built.non_repeaters = built.max_repetitions = 0;
	built.nvarbinds = 0;
}

static size_t
expected(const struct req *r)
{
	size_t	 nrep;

	if (r->pdu != SNMP_PDU_GETBULK)
		return r->n;
	nrep = r->n - (size_t)r->nonrep;
	return (size_t)r->nonrep + nrep * (size_t)r->maxrep;
}

static void
make_value(struct input *in, struct snmp_value *v, uint8_t type,
    int from_input, uint32_t seq)
{
	static const uint8_t	 addr[4] = { 192, 0, 2, 1 };
	size_t			 n, i;

	v->type = type;
	v->i = 0;
	v->u = 0;
	v->s = NULL;
	v->slen = 0;
	v->oid.len = 0;
	switch (type) {
	case SNMP_T_INTEGER:
		v->i = from_input ? (int32_t)get32(in) : (int64_t)seq;
		break;
	case SNMP_T_COUNTER32:
	case SNMP_T_GAUGE32:
	case SNMP_T_TIMETICKS:
		v->u = from_input ? get32(in) : seq;
		break;
	case SNMP_T_COUNTER64:
		v->u = from_input ? (uint64_t)get32(in) << 32 | get32(in) :
		    seq;
		break;
	case SNMP_T_OCTETS:
	case SNMP_T_OPAQUE:
		if (from_input) {
			n = get8(in);
			v->s = getn(in, &n);
			v->slen = n;
		} else {
			v->s = (const uint8_t *)"HP LaserJet";
			v->slen = 11;
		}
		break;
	case SNMP_T_IPADDR:
		n = 4;
		v->s = addr;
		if (from_input && in->len - in->off >= 4)
			v->s = getn(in, &n);
		v->slen = 4;
		break;
	case SNMP_T_OID:
		n = from_input ? 2 + get8(in) % 12 : 7;
		for (i = 0; i < n; i++)
			oid_append(&v->oid, from_input ? get8(in) :
			    (uint32_t)(i < 6 ? "\1\3\6\1\4\1"[i] : 11));
		oid_fix(&v->oid);
		break;
	default:
		break;
	}
}

/*
 * An answer described by the input: a header octet (bits 0-1: 0 or 1 no
 * error, 2 an error-status from errors[] by bits 2-4 with an error-index
 * octet after, 3 no error but an error-index octet), a count octet (bits
 * 6-7: 0 as many as asked, 1 fewer by bits 0-5, 2 bits 0-5, 3 more by
 * four times bits 0-5), then per variable-binding an octet: bits 0-2 the
 * OID relative to the one it follows, bits 3-6 the type, bit 7 a value
 * from the input (else a plain one).
 */
static void
described(struct input *in, struct fwalk *f)
{
	const struct req	*r = &f->reqs[f->slot];
	const struct snmp_oid	*prev, *base;
	struct snmp_varbind	*vb;
	size_t			 i, n, want, k;
	uint8_t			 h, c, o;

	built_header();
	h = get8(in);
	if ((h & 3) == 2) {
		built.error_status = errors[(h >> 2) & 7];
		built.error_index = (int32_t)get8(in) - 1;
	} else if ((h & 3) == 3)
		built.error_index = get8(in);
	want = expected(r);
	c = get8(in);
	switch (c >> 6) {
	case 0:
		n = want;
		break;
	case 1:
		n = want > (size_t)(c & 63) ? want - (c & 63) : 0;
		break;
	case 2:
		n = c & 63;
		break;
	default:
		n = want + 4 * (size_t)(c & 63);
		break;
	}
	if (n > SNMP_MAX_VARBINDS)
		n = SNMP_MAX_VARBINDS;

	for (i = 0; i < n; i++) {
		vb = &built.vb[i];
		prev = prev_oid(r, &built, i);
		base = &f->base[any_col(r, i)];
		o = get8(in);
		switch (o & 7) {
		case 0:		/* the next row */
			next_oid(&vb->oid, prev, base, r->pdu);
			break;
		case 1:		/* a child */
			oid_set(&vb->oid, prev);
			oid_append(&vb->oid, get8(in));
			break;
		case 2:		/* the same again */
			oid_set(&vb->oid, prev);
			break;
		case 3:		/* lower (or far higher, wrapped) */
			oid_set(&vb->oid, prev);
			vb->oid.sub[vb->oid.len - 1] -= get8(in);
			break;
		case 4:		/* a jump */
			oid_set(&vb->oid, prev);
			vb->oid.sub[vb->oid.len - 1] += get32(in);
			break;
		case 5:		/* the parent (a prefix), or its next sibling */
			oid_set(&vb->oid, prev);
			if (vb->oid.len > 2) {
				vb->oid.len--;
				if (get8(in) & 1)
					vb->oid.sub[vb->oid.len - 1]++;
			}
			break;
		case 6:		/* anything */
			vb->oid.len = 0;
			k = 2 + get8(in) % (SNMP_MAX_SUBIDS - 1);
			while (k-- > 0)
				oid_append(&vb->oid, get8(in));
			oid_fix(&vb->oid);
			break;
		default:	/* deeper than any index */
			oid_set(&vb->oid, prev);
			k = get8(in) % 24;
			while (k-- > 0)
				oid_append(&vb->oid, get8(in));
			break;
		}
		make_value(in, &vb->v, types[(o >> 3) & 15], o & 0x80,
		    (uint32_t)i);
		built.nvarbinds = i + 1;
	}
	send_built(f);
}

/*
 * A well-behaved agent: as many variable-bindings as asked, each the
 * next row of its column; with end != 0, endOfMibView past row end.
 */
static void
auto_answer(struct fwalk *f, uint32_t end)
{
	const struct req	*r = &f->reqs[f->slot];
	struct snmp_varbind	*vb;
	size_t			 i, n;

	built_header();
	n = expected(r);
	if (n > SNMP_MAX_VARBINDS)
		n = SNMP_MAX_VARBINDS;
	for (i = 0; i < n; i++) {
		vb = &built.vb[i];
		next_oid(&vb->oid, prev_oid(r, &built, i),
		    &f->base[any_col(r, i)], r->pdu);
		make_value(NULL, &vb->v, SNMP_T_COUNTER32, 0, (uint32_t)i);
		if (end != 0 && vb->oid.len > 0 &&
		    vb->oid.sub[vb->oid.len - 1] > end)
			vb->v.type = SNMP_T_ENDOFMIBVIEW;
		built.nvarbinds = i + 1;
	}
	send_built(f);
}

/* datagram octets: what the engine would accept, or a timeout */
static void
raw_answer(struct input *in, struct fwalk *f)
{
	const uint8_t	*p;
	const char	*why = NULL;
	size_t		 len;

	len = (size_t)get8(in) << 8;
	len |= get8(in);
	p = getn(in, &len);
	if (snmp_decode(p, len, &decoded, &why) == -1) {
		CHECK(why != NULL);
		deliver(f, EREQ_TIMEOUT, NULL);
		return;
	}
	if (decoded.pdu_type != SNMP_PDU_RESPONSE ||
	    decoded.request_id <= 0 || decoded.version != target.version ||
	    decoded.community_len != strlen(COMMUNITY) ||
	    memcmp(decoded.community, COMMUNITY, decoded.community_len) != 0) {
		deliver(f, EREQ_TIMEOUT, NULL);
		return;
	}
	deliver(f, EREQ_OK, &decoded);
}

/*
 * One event: an octet (bits 0-3: 0-10 a described answer, 11 timeout,
 * 12 refused, 13 unreachable, 14 raw octets, 15 a well-behaved answer
 * ending after row 8 * bits 4-7, never if 0), and when several requests
 * are in flight an octet choosing one.
 */
static void
event(struct input *in, struct fwalk **list, size_t n)
{
	struct fwalk	*f;
	uint8_t		 kind;

	kind = get8(in);
	f = list[n > 1 ? get8(in) % n : 0];
	switch (kind & 15) {
	case 11:
		deliver(f, EREQ_TIMEOUT, NULL);
		break;
	case 12:
		deliver(f, EREQ_REFUSED, NULL);
		break;
	case 13:
		deliver(f, EREQ_UNREACHABLE, NULL);
		break;
	case 14:
		raw_answer(in, f);
		break;
	case 15:
		auto_answer(f, 8 * (uint32_t)(kind >> 4));
		break;
	default:
		described(in, f);
		break;
	}
}

/*
 * The device: an octet (bit 0 SNMPv1, bits 1-2 BULK_* (3: unknown),
 * bits 3-4 walks - 1); per walk an octet (bit 0 a get, bit 1 started by
 * walk 0's first answer, bit 2 a step callback, bits 3-4 spare room for
 * columns), the number of columns (mod WALK_MAX_COLS, plus 1), and per
 * column an octet: bit 7 a scalar (table walks), bits 0-6 below NPOOL an
 * OID of pool[], below 0x70 one with an arc more (an octet), else an OID
 * of 1 to 128 arcs (an octet each), valid or not.
 */
static void
setup(struct input *in)
{
	struct fwalk	*f;
	size_t		 k, i, n;
	uint8_t		 h, m, b, sel;

	h = get8(in);
	target.version = (h & 1) ? SNMP_V1 : SNMP_V2C;
	bulk = (h >> 1) & 3;
	if (bulk > BULK_NO)
		bulk = BULK_UNKNOWN;
	nfw = 1 + ((h >> 3) & 3);
	for (k = 0; k < nfw; k++) {
		f = &fw[k];
		f->w = NULL;
		f->started = f->done = 0;
		f->inflight = f->delivering = 0;
		f->requests = f->answers = f->nsteps = 0;
		f->steps = 0;
		f->slot = 0;
		m = get8(in);
		f->mode = (m & 1) ? WALK_GET : WALK_COLUMNS;
		f->deferred = k > 0 && (m & 2);
		f->has_step = k == 0 || (m & 4);
		f->ncols = 1 + get8(in) % WALK_MAX_COLS;
		f->maxcols = f->ncols + ((m >> 3) & 3);
		if (f->maxcols > WALK_MAX_COLS)
			f->maxcols = WALK_MAX_COLS;
		f->idbase = (uint16_t)((k + 1) * IDSTEP);
		for (i = 0; i < f->ncols; i++) {
			b = get8(in);
			sel = b & 0x7f;
			f->scalar[i] = f->mode == WALK_COLUMNS && (b & 0x80);
			f->rows[i] = 0;
			if (sel < NPOOL)
				oid_set(&f->base[i], &pool[sel]);
			else if (sel < 0x70) {
				oid_set(&f->base[i], &pool[sel % NPOOL]);
				oid_append(&f->base[i], get8(in));
			} else {
				f->base[i].len = 0;
				n = 1 + get8(in) % SNMP_MAX_SUBIDS;
				while (n-- > 0)
					oid_append(&f->base[i], get8(in));
			}
		}
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t	 i;

	log_init("fuzz_walk", LOG_TO_STDERR, 0);
	for (i = 0; i < NPOOL; i++)
		if (snmp_oid_parse(pool_str[i], &pool[i]) == -1)
			abort();
	strlcpy(target.community, COMMUNITY, sizeof(target.community));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input	 in = { data, size, 0 };
	struct fwalk	*list[NWALKS];
	size_t		 k, n, drain = 0;

	setup(&in);
	for (k = 0; k < nfw; k++)
		if (!fw[k].deferred)
			start_walk(&fw[k]);
	for (;;) {
		for (n = 0, k = 0; k < nfw; k++)
			if (fw[k].inflight)
				list[n++] = &fw[k];
		if (n == 0)
			break;
		if (in.off < in.len)
			event(&in, list, n);
		else {
			/* the input is over: the engine times out the rest */
			CHECK(++drain <= 4 * NWALKS);
			deliver(list[0], EREQ_TIMEOUT, NULL);
		}
	}
	for (k = 0; k < nfw; k++) {
		CHECK(!fw[k].started || fw[k].done);
		CHECK(fw[k].w == NULL);
		CHECK(fw[k].requests <= WALK_MAX_REQUESTS);
	}
	CHECK(bulk == BULK_UNKNOWN || bulk == BULK_YES || bulk == BULK_NO);
	return 0;
}
