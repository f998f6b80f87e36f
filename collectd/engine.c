/*
 * The SNMP request engine.  Requests wait in a queue until the window has
 * room and the token bucket has a token; each one in flight sits in a
 * slot of a table indexed by its request-id, and in a list ordered by
 * deadline (most timeouts are equal, so sending order is mostly deadline
 * order; a longer wait is put in its place).  A retry goes to the front
 * of the queue with the same request-id, so a late answer to an earlier
 * try still counts.
 *
 * SNMPv3: the request-id is also the msgID, and the message is sealed
 * (usm.h) when it is first sent, from its ScopedPDU kept in plain text:
 * its retries resend the sealed bytes; a resynchronisation seals it
 * again with a new id.  Answers are found by msgID, then checked by
 * usm_decode() against the target's user and engine.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/errqueue.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "log.h"

#define RECV_BATCH	16
#define RECV_BUFSZ	65536
#define SEND_BATCH	64
#define MIN_SLOTS	1024
#define SOCKBUF		(8 * 1024 * 1024)

enum ereq_state { RQ_QUEUED, RQ_INFLIGHT };

struct ereq {
	TAILQ_ENTRY(ereq)	 entry;
	const struct etarget	*t;
	uint8_t			*pkt;		/* v3: the ScopedPDU */
	size_t			 len;
	size_t			 idoff;		/* where the request-id is */
	uint8_t			*sealed;	/* v3: the message sent */
	size_t			 sealed_len;
	uint32_t		 id;		/* 0 until first sent */
	uint8_t			 state;
	uint8_t			 tries;
	uint8_t			 maxtries;
	uint8_t			 probe;		/* v3 engine discovery */
	uint8_t			 nopriv;	/* v3 at authNoPriv */
	uint8_t			 steps;		/* v3 resynchronisations */
	uint32_t		 timeout_ms;
	struct usm_sent		 sent;		/* v3: what it was */
	uint64_t		 deadline;	/* ms, monotonic */
	ereq_cb			 cb;
	void			*arg;
};
TAILQ_HEAD(ereqq, ereq);

struct bucket {
	double		 tokens;
	double		 cap;
	double		 rate;		/* per ms */
	uint64_t	 last;
};

struct engine {
	struct event_base	*base;
	int			 fd4, fd6;
	struct event		*ev4, *ev6;
	struct event		*ev_tick;
	struct engine_conf	 conf;
	struct ereqq		 queue;		/* waiting to be sent */
	struct ereqq		 dqueue;	/* discovery, own rate */
	struct ereqq		 inflight;	/* by deadline */
	size_t			 nqueued;
	size_t			 ninflight;
	struct ereq		**slots;
	uint32_t		 nslots;	/* power of two */
	uint32_t		 nextid;
	struct bucket		 bucket, dbucket;
	struct engine_stats	 stats;
	int			 in_kick;
	struct snmp_msg		*msg;		/* decoded responses */
	uint8_t			*rbuf;		/* RECV_BATCH * RECV_BUFSZ */
	uint8_t			*sbuf;		/* sealing, SNMP_MAX_MSGLEN */
};

static void	engine_kick(struct engine *);
static void	engine_arm(struct engine *);
static void	drain_errors(struct engine *, int);

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
engine_socket(int family)
{
	int	 fd, on = 1, sz = SOCKBUF;

	if ((fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	/* as root, before the sandbox, buffers may exceed rmem_max */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	/* ICMP errors for an unconnected socket: port or host unreachable */
	if (family == AF_INET)
		(void)setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	else
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on,
		    sizeof(on));
	return fd;
}

static void
bucket_set(struct bucket *b, uint32_t rate)
{
	b->rate = (double)rate / 1000.0;
	/* a burst of 20 ms worth, at least one packet */
	b->cap = (double)rate / 50.0;
	if (b->cap < 1.0)
		b->cap = 1.0;
	b->tokens = b->cap;
	b->last = now_ms();
}

static void
bucket_fill(struct bucket *b, uint64_t now)
{
	if (now > b->last) {
		b->tokens += (double)(now - b->last) * b->rate;
		if (b->tokens > b->cap)
			b->tokens = b->cap;
		b->last = now;
	}
}

/* milliseconds until the bucket has a token */
static uint64_t
bucket_wait(const struct bucket *b)
{
	double	 need = 1.0 - b->tokens;

	if (need <= 0)
		return 0;
	return (uint64_t)(need / b->rate) + 1;
}

static void
engine_read(evutil_socket_t fd, short ev, void *arg);
static void
engine_tick(evutil_socket_t fd, short ev, void *arg);

struct engine *
engine_new(struct event_base *base, int fd4, int fd6)
{
	struct engine	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->msg = malloc(sizeof(*e->msg))) == NULL ||
	    (e->rbuf = malloc(RECV_BATCH * RECV_BUFSZ)) == NULL ||
	    (e->sbuf = malloc(SNMP_MAX_MSGLEN)) == NULL)
		fatal("engine_new");
	e->base = base;
	e->fd4 = fd4;
	e->fd6 = fd6;
	TAILQ_INIT(&e->queue);
	TAILQ_INIT(&e->dqueue);
	TAILQ_INIT(&e->inflight);
	e->nextid = SNMP_REQID_MIN + arc4random_uniform(0x10000000);
	if (fd4 != -1 && ((e->ev4 = event_new(base, fd4, EV_READ | EV_PERSIST,
	    engine_read, e)) == NULL || event_add(e->ev4, NULL) == -1))
		fatalx("engine: event_add");
	if (fd6 != -1 && ((e->ev6 = event_new(base, fd6, EV_READ | EV_PERSIST,
	    engine_read, e)) == NULL || event_add(e->ev6, NULL) == -1))
		fatalx("engine: event_add");
	if ((e->ev_tick = evtimer_new(base, engine_tick, e)) == NULL)
		fatalx("engine: evtimer_new");
	return e;
}

void
engine_configure(struct engine *e, const struct engine_conf *c)
{
	uint32_t	 n = MIN_SLOTS;

	if (c->window == 0 || c->rate == 0 || c->timeout_ms == 0)
		fatalx("engine: bad configuration");
	if (e->ninflight > 0 || e->nqueued > 0)
		fatalx("engine: reconfigured while busy");
	e->conf = *c;
	if (e->conf.discover_rate == 0)
		e->conf.discover_rate = c->rate;
	while (n < 2 * c->window && n < (1U << 24))
		n <<= 1;
	free(e->slots);
	if ((e->slots = calloc(n, sizeof(*e->slots))) == NULL)
		fatal("engine slots");
	e->nslots = n;
	bucket_set(&e->bucket, c->rate);
	bucket_set(&e->dbucket, e->conf.discover_rate);
}

const struct engine_stats *
engine_stats(const struct engine *e)
{
	return &e->stats;
}

/* a free request-id whose slot is empty (the window bounds their use) */
static uint32_t
alloc_id(struct engine *e)
{
	uint32_t	 id, i;

	for (i = 0; i < e->nslots; i++) {
		if (e->nextid < SNMP_REQID_MIN || e->nextid > SNMP_REQID_MAX)
			e->nextid = SNMP_REQID_MIN;
		id = e->nextid++;
		if (e->slots[id & (e->nslots - 1)] == NULL)
			return id;
	}
	fatalx("engine: no free request slot");
}

/* a new request, queued; flags ENGINE_* */
static struct ereq *
req_new(struct engine *e, const struct etarget *t, int flags, ereq_cb cb,
    void *arg)
{
	struct ereq	*r;
	uint64_t	 to = e->conf.timeout_ms;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		fatal("engine_request");
	r->t = t;
	r->maxtries = (flags & ENGINE_NORETRY) ? 1 :
	    (uint8_t)(e->conf.retries + 1);
	if (flags & ENGINE_LONGWAIT) {
		to *= ENGINE_LONGWAIT_FACTOR;
		if (to > 60000)
			to = 60000;
	}
	r->timeout_ms = (uint32_t)to;
	r->nopriv = (flags & ENGINE_NOPRIV) != 0;
	r->cb = cb;
	r->arg = arg;
	return r;
}

static void
req_queue(struct engine *e, struct ereq *r)
{
	r->state = RQ_QUEUED;
	TAILQ_INSERT_TAIL(r->t->discovery ? &e->dqueue : &e->queue, r, entry);
	e->nqueued++;
	engine_kick(e);
}

static int
v3_request(struct engine *e, struct ereq *r, uint8_t pdu, int32_t nonrep,
    int32_t maxrep, const struct snmp_oid *oids, size_t noids)
{
	const struct etarget_v3	*v3 = r->t->v3;
	size_t			 len;

	/* the real id is set when it is sealed */
	if (v3 == NULL || v3->user == NULL ||
	    usm_scoped_request(&v3->agent, pdu, SNMP_REQID_MIN, nonrep,
	    maxrep, oids, noids, e->sbuf, SNMP_MAX_MSGLEN, &len) == -1 ||
	    snmp_scoped_reqid_offset(e->sbuf, len, &r->idoff) == -1)
		return -1;
	if ((r->pkt = malloc(len)) == NULL)
		fatal("engine_request");
	memcpy(r->pkt, e->sbuf, len);
	r->len = len;
	return 0;
}

int
engine_request(struct engine *e, const struct etarget *t, uint8_t pdu,
    int32_t nonrep, int32_t maxrep, const struct snmp_oid *oids,
    size_t noids, int flags, ereq_cb cb, void *arg)
{
	uint8_t		 buf[SNMP_MAX_MSGLEN];
	struct ereq	*r;
	size_t		 len;

	r = req_new(e, t, flags, cb, arg);
	if (t->version == SNMP_V3) {
		if (v3_request(e, r, pdu, nonrep, maxrep, oids, noids) == -1) {
			free(r);
			return -1;
		}
		req_queue(e, r);
		return 0;
	}
	/* the real id is set when it is first sent */
	if (snmp_encode_request(t->version, t->community, pdu, SNMP_REQID_MIN,
	    nonrep, maxrep, oids, noids, buf, sizeof(buf), &len) == -1 ||
	    snmp_reqid_offset(buf, len, &r->idoff) == -1) {
		free(r);
		return -1;
	}
	if ((r->pkt = malloc(len)) == NULL)
		fatal("engine_request");
	memcpy(r->pkt, buf, len);
	r->len = len;
	req_queue(e, r);
	return 0;
}

int
engine_probe(struct engine *e, const struct etarget *t, int flags,
    ereq_cb cb, void *arg)
{
	struct ereq	*r;

	if (t->version != SNMP_V3 || t->v3 == NULL)
		return -1;
	r = req_new(e, t, flags, cb, arg);
	r->probe = 1;
	req_queue(e, r);
	return 0;
}

/* SNMPv3: the message of id r->id, from the ScopedPDU; -1 if it fails */
static int
v3_seal(struct engine *e, struct ereq *r)
{
	struct etarget_v3	*v3 = r->t->v3;
	size_t			 len;
	int64_t			 now = (int64_t)(now_ms() / 1000);
	int			 rc;

	if (r->probe)
		rc = usm_encode_probe((int32_t)r->id, (int32_t)r->id,
		    &r->sent, e->sbuf, SNMP_MAX_MSGLEN, &len);
	else {
		memcpy(e->sbuf, r->pkt, r->len);
		snmp_reqid_set(e->sbuf, r->idoff, (int32_t)r->id);
		rc = usm_seal_scoped(v3->user, &v3->agent, now,
		    (int32_t)r->id, r->nopriv, &r->sent, e->sbuf,
		    SNMP_MAX_MSGLEN, r->len, &len);
	}
	if (rc == -1)
		return -1;
	free(r->sealed);
	if ((r->sealed = malloc(len)) == NULL)
		fatal("engine: seal");
	memcpy(r->sealed, e->sbuf, len);
	r->sealed_len = len;
	return 0;
}

static void
req_finish(struct engine *e, struct ereq *r, enum ereq_status st,
    const struct snmp_msg *m)
{
	if (r->state == RQ_INFLIGHT) {
		TAILQ_REMOVE(&e->inflight, r, entry);
		e->ninflight--;
	} else {
		TAILQ_REMOVE(r->t->discovery ? &e->dqueue : &e->queue, r,
		    entry);
		e->nqueued--;
	}
	if (r->id != 0 && e->slots[r->id & (e->nslots - 1)] == r)
		e->slots[r->id & (e->nslots - 1)] = NULL;
	free(r->pkt);
	free(r->sealed);
	r->cb(r->arg, st, m);
	free(r);
}

/* SNMPv3: the request again with a new id (a resynchronised clock) */
static void
req_again(struct engine *e, struct ereq *r)
{
	TAILQ_REMOVE(&e->inflight, r, entry);
	e->ninflight--;
	if (e->slots[r->id & (e->nslots - 1)] == r)
		e->slots[r->id & (e->nslots - 1)] = NULL;
	r->id = 0;
	r->tries = 0;
	r->state = RQ_QUEUED;
	TAILQ_INSERT_HEAD(r->t->discovery ? &e->dqueue : &e->queue, r, entry);
	e->nqueued++;
}

/* in the in-flight list by deadline: from the end, where it mostly goes */
static void
inflight_insert(struct engine *e, struct ereq *r)
{
	struct ereq	*p;

	for (p = TAILQ_LAST(&e->inflight, ereqq); p != NULL &&
	    p->deadline > r->deadline; p = TAILQ_PREV(p, ereqq, entry))
		;
	if (p == NULL)
		TAILQ_INSERT_HEAD(&e->inflight, r, entry);
	else
		TAILQ_INSERT_AFTER(&e->inflight, p, r, entry);
}

static int
fd_for(const struct engine *e, const struct etarget *t)
{
	return t->addr.ss_family == AF_INET6 ? e->fd6 : e->fd4;
}

/* send one request; 0 sent, -1 the socket is full (try later) */
static int
send_one(struct engine *e, struct ereq *r, struct ereqq *q, uint64_t now)
{
	const uint8_t	*pkt;
	size_t		 len;
	ssize_t		 n;
	int		 fd = fd_for(e, r->t);

	if (fd == -1) {
		req_finish(e, r, EREQ_UNREACHABLE, NULL);
		return 0;
	}
	if (r->id == 0) {
		/* its slot is held until the request ends, retries included */
		r->id = alloc_id(e);
		if (r->t->version == SNMP_V3) {
			if (v3_seal(e, r) == -1) {
				r->id = 0;
				r->t->v3->last = USM_FAILED;
				req_finish(e, r, EREQ_REPORT, NULL);
				return 0;
			}
		} else
			snmp_reqid_set(r->pkt, r->idoff, (int32_t)r->id);
		e->slots[r->id & (e->nslots - 1)] = r;
	}
	pkt = r->t->version == SNMP_V3 ? r->sealed : r->pkt;
	len = r->t->version == SNMP_V3 ? r->sealed_len : r->len;
	n = sendto(fd, pkt, len, 0, (const struct sockaddr *)&r->t->addr,
	    r->t->addrlen);
	if (n == -1 && (errno == ECONNREFUSED || errno == EHOSTUNREACH ||
	    errno == ENETUNREACH || errno == EHOSTDOWN)) {
		/*
		 * With IP_RECVERR the next call on the socket reports an
		 * ICMP error about an earlier datagram, to any address:
		 * the error queue says whose it is.  This one was not sent.
		 */
		drain_errors(e, fd);
		n = sendto(fd, pkt, len, 0,
		    (const struct sockaddr *)&r->t->addr, r->t->addrlen);
	}
	if (n == -1) {
		if (errno == EAGAIN || errno == ENOBUFS)
			return -1;
		log_debug("sendto: %s", strerror(errno));
		req_finish(e, r, errno == ECONNREFUSED ? EREQ_REFUSED :
		    EREQ_UNREACHABLE, NULL);
		return 0;
	}
	TAILQ_REMOVE(q, r, entry);
	e->nqueued--;
	r->state = RQ_INFLIGHT;
	r->tries++;
	r->deadline = now + r->timeout_ms;
	inflight_insert(e, r);
	e->ninflight++;
	e->stats.sent++;
	return 0;
}

/* send what the window and the buckets allow */
static void
engine_kick(struct engine *e)
{
	struct ereq	*r;
	uint64_t	 now;

	if (e->in_kick)
		return;
	e->in_kick = 1;
	now = now_ms();
	bucket_fill(&e->bucket, now);
	bucket_fill(&e->dbucket, now);
	while (e->ninflight < e->conf.window && e->bucket.tokens >= 1.0) {
		if ((r = TAILQ_FIRST(&e->queue)) != NULL) {
			if (send_one(e, r, &e->queue, now) == -1)
				break;
		} else if ((r = TAILQ_FIRST(&e->dqueue)) != NULL &&
		    e->dbucket.tokens >= 1.0) {
			if (send_one(e, r, &e->dqueue, now) == -1)
				break;
			e->dbucket.tokens -= 1.0;
		} else
			break;
		e->bucket.tokens -= 1.0;
	}
	e->in_kick = 0;
	engine_arm(e);
}

/* the next moment anything can happen: a deadline or a token */
static void
engine_arm(struct engine *e)
{
	struct timeval	 tv;
	struct ereq	*r;
	uint64_t	 now = now_ms(), wait = UINT64_MAX, w;

	if ((r = TAILQ_FIRST(&e->inflight)) != NULL)
		wait = r->deadline > now ? r->deadline - now : 0;
	if (e->ninflight < e->conf.window) {
		if (!TAILQ_EMPTY(&e->queue)) {
			w = bucket_wait(&e->bucket);
			if (w < wait)
				wait = w;
		} else if (!TAILQ_EMPTY(&e->dqueue)) {
			w = bucket_wait(&e->dbucket);
			if (bucket_wait(&e->bucket) > w)
				w = bucket_wait(&e->bucket);
			if (w < wait)
				wait = w;
		}
	}
	if (wait == UINT64_MAX) {
		evtimer_del(e->ev_tick);
		return;
	}
	tv.tv_sec = (time_t)(wait / 1000);
	tv.tv_usec = (suseconds_t)(wait % 1000) * 1000;
	evtimer_add(e->ev_tick, &tv);
}

static void
engine_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct engine	*e = arg;
	struct ereq	*r;
	uint64_t	 now = now_ms();

	while ((r = TAILQ_FIRST(&e->inflight)) != NULL && r->deadline <= now) {
		if (r->tries < r->maxtries) {
			/* retry first, with the same request-id */
			TAILQ_REMOVE(&e->inflight, r, entry);
			e->ninflight--;
			r->state = RQ_QUEUED;
			TAILQ_INSERT_HEAD(r->t->discovery ? &e->dqueue :
			    &e->queue, r, entry);
			e->nqueued++;
		} else {
			e->stats.timeouts++;
			req_finish(e, r, EREQ_TIMEOUT, NULL);
		}
	}
	engine_kick(e);
}

static int
same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6	*a6 = (const void *)a, *b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return a6->sin6_port == b6->sin6_port &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
	return 0;
}

/* an SNMPv3 message: the answer to a request of ours, checked by USM */
static void
handle_v3(struct engine *e, uint8_t *p, size_t len,
    const struct sockaddr_storage *from)
{
	struct snmp_msg		*m = e->msg;
	struct snmp_v3		 h;
	struct etarget_v3	*v3;
	struct ereq		*r;
	enum usm_status		 st;
	const char		*why;
	uint32_t		 id;

	if (snmp_v3_decode(p, len, &h, &why) == -1 || h.msgid <= 0) {
		e->stats.dropped++;
		return;
	}
	id = (uint32_t)h.msgid;
	r = e->slots[id & (e->nslots - 1)];
	if (r == NULL || r->id != id || r->state != RQ_INFLIGHT ||
	    r->t->version != SNMP_V3 || !same_addr(from, &r->t->addr)) {
		e->stats.dropped++;
		return;
	}
	v3 = r->t->v3;
	st = usm_decode(v3->user, &v3->agent, (int64_t)(now_ms() / 1000),
	    &r->sent, p, len, m, &why);
	switch (st) {
	case USM_OK:
		if (m->request_id != (int32_t)id) {
			e->stats.usm_dropped++;
			return;
		}
		e->stats.received++;
		req_finish(e, r, EREQ_OK, m);
		return;
	case USM_DROP:
		log_debug("SNMPv3 answer dropped: %s", why);
		e->stats.usm_dropped++;
		return;
	case USM_DISCOVERED:
		e->stats.received++;
		if (r->probe) {
			req_finish(e, r, EREQ_OK, NULL);
			return;
		}
		break;		/* another engine now: the PDU names the old */
	case USM_RESYNCED:
		e->stats.received++;
		if (++r->steps <= ENGINE_USM_STEPS) {
			req_again(e, r);
			return;
		}
		break;
	default:
		e->stats.received++;
		break;
	}
	v3->last = st;
	req_finish(e, r, usm_status_auth_failure(st) ? EREQ_AUTH : EREQ_REPORT,
	    NULL);
}

/* one datagram: is it the answer to a request of ours? */
static void
handle_packet(struct engine *e, uint8_t *p, size_t len,
    const struct sockaddr_storage *from)
{
	struct snmp_msg	*m = e->msg;
	struct ereq	*r;
	const char	*why;
	uint32_t	 id;

	if (snmp_decode(p, len, m, &why) == -1) {
		/* SNMPv1 and v2c first: they are the fleet's many */
		if (len > 5 && p[0] == 0x30) {
			handle_v3(e, p, len, from);
			return;
		}
		log_debug("dropped a bad datagram: %s", why);
		e->stats.dropped++;
		return;
	}
	if (m->pdu_type != SNMP_PDU_RESPONSE || m->request_id <= 0) {
		e->stats.dropped++;
		return;
	}
	id = (uint32_t)m->request_id;
	r = e->slots[id & (e->nslots - 1)];
	if (r == NULL || r->id != id || r->state != RQ_INFLIGHT ||
	    r->t->version == SNMP_V3 ||
	    !same_addr(from, &r->t->addr) || m->version != r->t->version ||
	    m->community_len != strlen(r->t->community) ||
	    memcmp(m->community, r->t->community, m->community_len) != 0) {
		e->stats.dropped++;
		return;
	}
	e->stats.received++;
	req_finish(e, r, EREQ_OK, m);
}

/* ICMP errors queued on the socket: fail what went to that address */
static void
drain_errors(struct engine *e, int fd)
{
	struct sockaddr_storage	 to;
	struct msghdr		 mh;
	struct iovec		 iov;
	struct cmsghdr		*c;
	struct sock_extended_err *ee;
	struct ereq		*r, *next;
	union {
		struct cmsghdr	 hdr;
		char		 buf[512];
	} cm;
	uint8_t			 dummy[64];
	enum ereq_status	 st;
	int			 i;

	for (i = 0; i < 256; i++) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = dummy;
		iov.iov_len = sizeof(dummy);
		mh.msg_name = &to;
		mh.msg_namelen = sizeof(to);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		if (recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) == -1)
			return;
		st = EREQ_UNREACHABLE;
		for (c = CMSG_FIRSTHDR(&mh); c != NULL;
		    c = CMSG_NXTHDR(&mh, c)) {
			if (!((c->cmsg_level == IPPROTO_IP &&
			    c->cmsg_type == IP_RECVERR) ||
			    (c->cmsg_level == IPPROTO_IPV6 &&
			    c->cmsg_type == IPV6_RECVERR)))
				continue;
			ee = (struct sock_extended_err *)CMSG_DATA(c);
			if (ee->ee_errno == ECONNREFUSED)
				st = EREQ_REFUSED;
		}
		for (r = TAILQ_FIRST(&e->inflight); r != NULL; r = next) {
			next = TAILQ_NEXT(r, entry);
			if (same_addr(&to, &r->t->addr))
				req_finish(e, r, st, NULL);
		}
	}
}

static void
engine_read(evutil_socket_t fd, short ev, void *arg)
{
	struct engine		*e = arg;
	struct mmsghdr		 mm[RECV_BATCH];
	struct iovec		 iov[RECV_BATCH];
	struct sockaddr_storage	 from[RECV_BATCH];
	int			 n, i, rounds, saved;

	/*
	 * Answers and ICMP errors run callbacks that queue new requests;
	 * nothing is sent until the read is done, so a send cannot meet the
	 * next ICMP error and drain the error queue under drain_errors' feet.
	 */
	e->in_kick = 1;
	for (rounds = 0; rounds < 64; rounds++) {
		memset(mm, 0, sizeof(mm));
		for (i = 0; i < RECV_BATCH; i++) {
			iov[i].iov_base = e->rbuf + (size_t)i * RECV_BUFSZ;
			iov[i].iov_len = RECV_BUFSZ;
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
			mm[i].msg_hdr.msg_name = &from[i];
			mm[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		n = recvmmsg(fd, mm, RECV_BATCH, MSG_DONTWAIT, NULL);
		if (n == -1) {
			saved = errno;
			if (saved == EINTR)
				break;
			/*
			 * An ICMP error waits in the error queue and keeps
			 * the socket readable (EPOLLERR) until it is read,
			 * even when the pending error was already returned
			 * (or lost behind datagrams) and recvmmsg says EAGAIN.
			 */
			drain_errors(e, fd);
			if (saved == EAGAIN)
				break;
			continue;
		}
		for (i = 0; i < n; i++) {
			if (mm[i].msg_hdr.msg_flags & MSG_TRUNC) {
				e->stats.dropped++;
				continue;
			}
			handle_packet(e, (uint8_t *)iov[i].iov_base,
			    mm[i].msg_len, &from[i]);
		}
		if (n < RECV_BATCH)
			break;
	}
	e->in_kick = 0;
	engine_kick(e);
}
