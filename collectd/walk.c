/*
 * Walks and gets: see walk.h.  One request of a walk is in flight at a
 * time; what it asked for is remembered in w->sent (answer position ->
 * column) so the answer is read against exactly that request.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "walk.h"

static void	walk_send(struct walk *);

const char *
walk_status_name(enum walk_status s)
{
	switch (s) {
	case WALK_OK:
		return "ok";
	case WALK_TIMEOUT:
		return "timeout";
	case WALK_REFUSED:
		return "refused";
	case WALK_UNREACHABLE:
		return "unreachable";
	case WALK_ERROR:
		return "error";
	case WALK_AUTH:
		return "auth-failure";
	}
	return "?";
}

struct walk *
walk_new(enum walk_mode mode, size_t maxcols, struct engine *eng,
    const struct etarget *t, int *bulk, walk_row_cb row, walk_done_cb done,
    void *arg)
{
	struct walk	*w;

	if (maxcols == 0 || maxcols > WALK_MAX_COLS)
		fatalx("walk of %zu columns", maxcols);
	if ((w = calloc(1, sizeof(*w) + maxcols * sizeof(w->cols[0]))) ==
	    NULL)
		fatal(NULL);
	w->maxcols = maxcols;
	w->mode = mode;
	w->eng = eng;
	w->t = t;
	w->bulk = bulk;
	w->row = row;
	w->done = done;
	w->arg = arg;
	w->maxrep = WALK_MAX_VARBINDS;
	return w;
}

void
walk_free(struct walk *w)
{
	free(w);
}

int
walk_add(struct walk *w, uint16_t id, const struct snmp_oid *base, int scalar)
{
	struct walk_col	*c;

	if (w->ncols == w->maxcols || base->len == 0)
		return -1;
	c = &w->cols[w->ncols++];
	memset(c, 0, sizeof(*c));
	c->base = base;
	c->id = id;
	c->scalar = scalar ? 1 : 0;
	return 0;
}

static void
finish(struct walk *w, enum walk_status st, const char *why)
{
	/* the done callback may free the walk: nothing after it */
	w->done(w->arg, st, why);
}

/* the current position of a column as a full OID */
static void
col_oid(const struct walk_col *c, struct snmp_oid *o)
{
	size_t	 i;

	snmp_oid_copy(o, c->base);
	for (i = 0; i < c->idxlen && o->len < SNMP_MAX_SUBIDS; i++)
		o->sub[o->len++] = c->idx[i];
}

static int
use_bulk(const struct walk *w)
{
	return w->mode == WALK_COLUMNS && w->t->version != SNMP_V1 &&
	    *w->bulk != BULK_NO;
}

/* one step of the walk: a request for every column still open */
static void	walk_response(void *, enum ereq_status, const struct snmp_msg *);

static void
walk_send(struct walk *w)
{
	struct snmp_oid		 oids[WALK_MAX_VARBINDS];	/* 33 KB */
	struct walk_sent	 s;
	struct walk_col		*c;
	size_t			 i, n = 0, nrep = 0;
	int32_t			 reps = 0;

	memset(&s, 0, sizeof(s));
	if (w->requests >= WALK_MAX_REQUESTS) {
		finish(w, WALK_ERROR, "too many requests for one walk");
		return;
	}
	if (w->mode == WALK_GET)
		s.pdu = SNMP_PDU_GET;
	else if (use_bulk(w))
		s.pdu = SNMP_PDU_GETBULK;
	else
		s.pdu = SNMP_PDU_GETNEXT;
	/* scalars first: GetBulk's non-repeaters */
	for (i = 0; i < w->ncols && n < WALK_MAX_VARBINDS; i++) {
		c = &w->cols[i];
		if (c->done || (s.pdu == SNMP_PDU_GETBULK && !c->scalar))
			continue;
		col_oid(c, &oids[n]);
		s.map[n++] = (uint8_t)i;
	}
	s.nonrep = (uint8_t)n;
	if (s.pdu == SNMP_PDU_GETBULK) {
		for (i = 0; i < w->ncols && n < WALK_MAX_VARBINDS; i++) {
			c = &w->cols[i];
			if (c->done || c->scalar)
				continue;
			col_oid(c, &oids[n]);
			s.map[n++] = (uint8_t)i;
			nrep++;
		}
		s.nrep = (uint8_t)nrep;
		if (nrep > 0) {
			reps = (int32_t)((WALK_MAX_VARBINDS - s.nonrep) / nrep);
			if (reps > w->maxrep)
				reps = w->maxrep;
			if (reps < 1)
				reps = 1;
		}
	}
	if (n == 0) {
		finish(w, WALK_OK, NULL);
		return;
	}
	s.n = (uint8_t)n;
	w->sent = s;
	w->requests++;
	/* an untried GetBulk gets one try: an agent may ignore it */
	if (engine_request(w->eng, w->t, s.pdu, s.pdu == SNMP_PDU_GETBULK ?
	    s.nonrep : 0, reps, oids, n, w->flags |
	    (s.pdu == SNMP_PDU_GETBULK && *w->bulk == BULK_UNKNOWN ?
	    ENGINE_NORETRY : 0), walk_response, w) == -1)
		finish(w, WALK_ERROR, "request does not fit in a message");
}

void
walk_start(struct walk *w)
{
	walk_send(w);
}

/* an answer for column c; returns 1 if the walk made progress */
static int
col_value(struct walk *w, struct walk_col *c, const struct snmp_varbind *vb)
{
	const struct snmp_oid	*base = c->base;
	const uint32_t		*idx;
	size_t			 idxlen, i;
	int			 cmp = 0;

	if (c->done)
		return 0;
	if (vb->v.type == SNMP_T_ENDOFMIBVIEW ||
	    vb->v.type == SNMP_T_NOSUCHOBJECT ||
	    vb->v.type == SNMP_T_NOSUCHINSTANCE) {
		c->done = 1;
		return 1;
	}
	if (w->mode == WALK_GET) {
		if (snmp_oid_cmp(&vb->oid, base) != 0) {
			c->done = 1;	/* an answer to another question */
			return 1;
		}
		c->done = 1;
		w->row(w->arg, c->id, NULL, 0, &vb->v);
		return 1;
	}
	if (!snmp_oid_is_prefix(base, &vb->oid) || vb->oid.len == base->len) {
		c->done = 1;	/* left the column */
		return 1;
	}
	idx = vb->oid.sub + base->len;
	idxlen = vb->oid.len - base->len;
	if (idxlen > WALK_MAX_IDX) {
		log_debug("index of %zu arcs: column ends", idxlen);
		c->done = 1;
		return 1;
	}
	/* the agent must move forward, or we would walk forever */
	for (i = 0; i < idxlen && i < c->idxlen && cmp == 0; i++)
		cmp = idx[i] < c->idx[i] ? -1 : idx[i] > c->idx[i] ? 1 : 0;
	if (cmp == 0)
		cmp = idxlen > c->idxlen ? 1 : idxlen < c->idxlen ? -1 : 0;
	if (cmp <= 0) {
		c->done = 1;
		return 1;
	}
	if (++c->rows > WALK_MAX_ROWS) {
		log_debug("more than %d rows: column ends", WALK_MAX_ROWS);
		c->done = 1;
		return 1;
	}
	memcpy(c->idx, idx, idxlen * sizeof(*idx));
	c->idxlen = (uint8_t)idxlen;
	if (c->scalar)
		c->done = 1;
	w->row(w->arg, c->id, idx, idxlen, &vb->v);
	return 1;
}

static enum walk_status
map_status(enum ereq_status st)
{
	switch (st) {
	case EREQ_OK:
		return WALK_OK;
	case EREQ_TIMEOUT:
		return WALK_TIMEOUT;
	case EREQ_REFUSED:
		return WALK_REFUSED;
	case EREQ_UNREACHABLE:
		return WALK_UNREACHABLE;
	case EREQ_AUTH:
		return WALK_AUTH;
	case EREQ_REPORT:
		return WALK_ERROR;
	}
	return WALK_ERROR;
}

/* an error-status in an answer: recover where SNMP lets us */
static void
walk_error_status(struct walk *w, const struct walk_sent *s,
    const struct snmp_msg *m)
{
	int32_t		 k = m->error_index;

	if (s->pdu == SNMP_PDU_GETBULK) {
		if (m->error_status == SNMP_ERR_TOOBIG && w->maxrep > 1) {
			w->maxrep /= 2;
			walk_send(w);
			return;
		}
		/* an agent that mishandles GetBulk: go on with GetNext */
		*w->bulk = BULK_NO;
		walk_send(w);
		return;
	}
	/* v1: the varbind named by error-index does not exist (any more) */
	if ((m->error_status == SNMP_ERR_NOSUCHNAME ||
	    m->error_status == SNMP_ERR_GENERR) && k >= 1 && k <= s->n) {
		w->cols[s->map[k - 1]].done = 1;
		walk_send(w);
		return;
	}
	(void)snprintf(w->why, sizeof(w->why), "agent answered %s",
	    snmp_error_name(m->error_status));
	finish(w, WALK_ERROR, w->why);
}

static void
walk_response(void *arg, enum ereq_status st, const struct snmp_msg *m)
{
	struct walk		*w = arg;
	struct walk_sent	 s = w->sent;
	size_t			 i, col;
	int			 progress = 0;

	if (st != EREQ_OK) {
		/* GetBulk never answered: maybe the agent ignores it */
		if (s.pdu == SNMP_PDU_GETBULK && st == EREQ_TIMEOUT &&
		    *w->bulk == BULK_UNKNOWN) {
			*w->bulk = BULK_NO;
			walk_send(w);
			return;
		}
		if (st == EREQ_AUTH || st == EREQ_REPORT) {
			(void)snprintf(w->why, sizeof(w->why), "%s%s",
			    st == EREQ_AUTH ? "authentication failed: " :
			    "SNMPv3 report ", w->t->v3 != NULL ?
			    usm_status_name(w->t->v3->last) : "?");
			finish(w, map_status(st), w->why);
			return;
		}
		finish(w, map_status(st), NULL);
		return;
	}
	if (m->error_status != SNMP_ERR_NOERROR) {
		walk_error_status(w, &s, m);
		return;
	}
	if (s.pdu == SNMP_PDU_GETBULK)
		*w->bulk = BULK_YES;
	for (i = 0; i < m->nvarbinds; i++) {
		if (i < s.nonrep)
			col = s.map[i];
		else if (s.pdu == SNMP_PDU_GETBULK && s.nrep > 0)
			col = s.map[s.nonrep + (i - s.nonrep) % s.nrep];
		else if (i < s.n)
			col = s.map[i];
		else
			break;
		progress |= col_value(w, &w->cols[col], &m->vb[i]);
	}
	if (w->step != NULL)
		w->step(w->arg);
	if (w->mode == WALK_GET) {
		finish(w, WALK_OK, NULL);
		return;
	}
	if (!progress) {
		finish(w, WALK_ERROR, "agent answered without progress");
		return;
	}
	walk_send(w);
}
