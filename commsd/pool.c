/*
 * The pool of workers, in the server (see worker.h).  Nothing here
 * blocks: the spawner's channel and the workers' sockets are
 * non-blocking and watched by the event loop; each job has a deadline.
 *
 * A slot holds one worker at a time:
 *
 *	DOWN      none; one is asked for at once (or after a short wait,
 *	          when the spawner could not make one)
 *	SPAWNING  asked for
 *	IDLE      ready for a document
 *	BUSY      writing the document, reading the answer, until the
 *	          deadline; then the worker is killed and the slot DOWN
 *
 * A worker checks one document and exits, so a slot is DOWN again after
 * each job.  The queue is first in, first out, except that a document
 * whose sender has none in a worker goes before those whose sender has.
 *
 * How many may wait is measured, not guessed: the pool keeps a moving
 * average of what a job costs its slot (the time the spawner took to
 * fork its worker, then from the moment the worker has it to its
 * answer), and takes a document only if
 * the workers can be expected to reach it within COMMS_QUEUE_WAIT_MS
 * (comms_pool_admit); never more than max_queue.  Before the first
 * answer the average is COMMS_JOB_GUESS_US, a slow document's time.
 * A refused document is answered 503 by the server: the refusal costs
 * the gateway's handshake, so refusing while the workers could keep up
 * (a queue too short for the connections at once) would throw the
 * capacity away in handshakes.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "commsd.h"
#include "log.h"
#include "worker.h"

#define RESPAWN_DELAY_MS	500

enum slot_state {
	SLOT_DOWN,
	SLOT_SPAWNING,
	SLOT_IDLE,
	SLOT_BUSY
};

struct slot {
	struct comms_pool	*pool;
	enum slot_state		 state;
	pid_t			 pid;
	int			 fd;
	struct event		*ev;		/* the worker's socket */
	struct event		*timer;		/* deadline, or respawn */
	struct comms_job	*job;
	struct comms_job_head	 jh;
	size_t			 woff;		/* head and document written */
	struct comms_result_head rh;
	size_t			 roff;		/* answer read */
	struct timespec		 asked;		/* for a worker */
	uint64_t		 spawn_us;	/* it took to come */
	struct timespec		 started;	/* the job, in this slot */
	char			 reason[COMMS_REASON_MAX];
	uint8_t			*extract;
};

struct comms_job {
	TAILQ_ENTRY(comms_job)	 entry;
	const uint8_t		*doc;
	size_t			 len;
	char			 owner[COMMS_STR_MAX];
	comms_job_done		 done;
	void			*arg;
	struct slot		*slot;		/* when a worker has it */
};

struct comms_pool {
	struct event_base	*base;
	int			 chan;
	struct event		*chan_ev;
	struct event		*dispatch_ev;
	struct slot		 slots[COMMS_MAX_WORKERS];
	unsigned int		 nslots;
	unsigned int		 timeout_ms;
	unsigned int		 max_queue;
	uint64_t		 avg_us;	/* a job's time, moving average */
	TAILQ_HEAD(, comms_job)	 queue;
	struct comms_pool_stats	 st;
};

static void	slot_request(struct slot *);
static void	slot_io(evutil_socket_t, short, void *);

/* the new average of a job's time, in microseconds, with one more job */
uint64_t
comms_pool_average(uint64_t avg_us, uint64_t job_us)
{
	if (job_us > COMMS_JOB_MAX_US)
		job_us = COMMS_JOB_MAX_US;
	if (avg_us == 0)
		return job_us;
	/* an eighth of the new one: both at most COMMS_JOB_MAX_US */
	return (avg_us * 7 + job_us) / 8;
}

/*
 * May one more job wait?  Yes when fewer than max_queue wait and the
 * workers, each a job's average time per job, reach it within
 * COMMS_QUEUE_WAIT_MS; always one per worker, so that a slow average
 * cannot refuse everything.
 */
int
comms_pool_admit(unsigned int queued, unsigned int workers,
    unsigned int max_queue, uint64_t avg_us)
{
	uint64_t	 rounds;

	if (workers == 0 || queued >= max_queue)
		return 0;
	if (queued < workers)
		return 1;
	/* the rounds of the workers before it, and its own */
	rounds = queued / workers + 1;
	return rounds * avg_us <= (uint64_t)COMMS_QUEUE_WAIT_MS * 1000;
}

static uint64_t
since_us(const struct timespec *t0)
{
	struct timespec	 now;
	int64_t		 us;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		fatal("clock_gettime");
	us = ((int64_t)now.tv_sec - t0->tv_sec) * 1000000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000;
	return us < 0 ? 0 : (uint64_t)us;
}

static void
msg_send(struct comms_pool *p, uint32_t type, pid_t pid, int *again)
{
	struct comms_spawn_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.pid = (int32_t)pid;
	*again = 0;
	while (send(p->chan, &m, sizeof(m), MSG_NOSIGNAL) == -1) {
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			*again = 1;
			return;
		}
		fatal("the worker spawner");
	}
}

static void
dispatch_soon(struct comms_pool *p)
{
	event_active(p->dispatch_ev, EV_TIMEOUT, 0);
}

/* the slot's worker is done with, killed or not: ask for another */
static void
slot_down(struct slot *s, int kill_it)
{
	int	 again;

	if (kill_it && s->pid > 0) {
		msg_send(s->pool, SPAWN_KILL, s->pid, &again);
		if (again)
			log_warnx("worker %d: the spawner is not reading; it "
			    "ends at its CPU limit", (int)s->pid);
	}
	event_del(s->ev);
	evtimer_del(s->timer);
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	s->pid = 0;
	free(s->extract);
	s->extract = NULL;
	s->job = NULL;
	s->state = SLOT_DOWN;
	slot_request(s);
}

/* the job's end: the slot goes down first, then its callback is called */
static void
job_end(struct slot *s, int kill_it, int status, const char *reason)
{
	struct comms_pool	*p = s->pool;
	struct comms_job	*j = s->job;
	uint8_t			*extract = s->extract;
	size_t			 len = s->rh.extractlen;

	s->extract = NULL;
	p->avg_us = comms_pool_average(p->avg_us, s->spawn_us +
	    since_us(&s->started));
	slot_down(s, kill_it);
	p->st.done++;
	if (status != 0) {
		free(extract);
		extract = NULL;
		len = 0;
	}
	j->done(j->arg, status, reason, extract, len);
	free(j);
	dispatch_soon(p);
}

static void
slot_timer(evutil_socket_t fd, short what, void *arg)
{
	struct slot		*s = arg;
	struct comms_pool	*p = s->pool;
	char			 why[128];

	if (s->state == SLOT_DOWN) {
		slot_request(s);
		return;
	}
	if (s->state != SLOT_BUSY)
		return;
	log_warnx("worker %d: no answer within %u ms: killed", (int)s->pid,
	    p->timeout_ms);
	p->st.killed++;
	(void)snprintf(why, sizeof(why), "the document could not be checked "
	    "within %u.%03u s", p->timeout_ms / 1000, p->timeout_ms % 1000);
	job_end(s, 1, 413, why);
}

static void
slot_request(struct slot *s)
{
	struct timeval	 tv = { 0, RESPAWN_DELAY_MS * 1000 };
	int		 again;

	msg_send(s->pool, SPAWN_REQUEST, 0, &again);
	if (again) {
		evtimer_add(s->timer, &tv);
		return;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &s->asked) == -1)
		fatal("clock_gettime");
	s->state = SLOT_SPAWNING;
}

static struct slot *
slot_spawning(struct comms_pool *p)
{
	unsigned int	 i;

	for (i = 0; i < p->nslots; i++)
		if (p->slots[i].state == SLOT_SPAWNING)
			return &p->slots[i];
	return NULL;
}

/* a new worker from the spawner */
static void
on_worker(struct comms_pool *p, pid_t pid, int fd)
{
	struct slot	*s;

	if ((s = slot_spawning(p)) == NULL || pid <= 0) {
		log_warnx("the spawner sent worker %d unasked", (int)pid);
		close(fd);
		return;
	}
	s->pid = pid;
	s->fd = fd;
	s->spawn_us = since_us(&s->asked);
	s->state = SLOT_IDLE;
	/* watched while idle too: a worker that goes away is replaced */
	if (event_assign(s->ev, p->base, fd, EV_READ | EV_PERSIST, slot_io,
	    s) == -1 || event_add(s->ev, NULL) == -1)
		fatalx("event_add");
	log_debug("worker %d ready", (int)pid);
	dispatch_soon(p);
}

static void
on_exited(struct comms_pool *p, pid_t pid, int status)
{
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU)
		log_warnx("worker %d ended at its CPU limit", (int)pid);
	else if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
		log_warnx("worker %d ended by signal %d", (int)pid,
		    WTERMSIG(status));
	else
		log_debug("worker %d ended (status %d)", (int)pid, status);
}

static void
on_channel(evutil_socket_t fd, short what, void *arg)
{
	struct comms_pool	*p = arg;
	struct comms_spawn_msg	 m;
	struct msghdr		 mh;
	struct iovec		 iov;
	struct cmsghdr		*c;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	}			 cm;
	struct slot		*s;
	ssize_t			 n;
	int			 wfd;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = &m;
		iov.iov_len = sizeof(m);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		n = recvmsg(p->chan, &mh, MSG_CMSG_CLOEXEC);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n == -1)
			fatal("the worker spawner");
		if (n == 0)
			fatalx("the worker spawner is gone");
		wfd = -1;
		for (c = CMSG_FIRSTHDR(&mh); c != NULL;
		    c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_RIGHTS &&
			    c->cmsg_len == CMSG_LEN(sizeof(int)) && wfd == -1)
				memcpy(&wfd, CMSG_DATA(c), sizeof(int));
		if ((size_t)n != sizeof(m) || (mh.msg_flags & MSG_CTRUNC) ||
		    (m.type == SPAWN_WORKER) != (wfd != -1))
			fatalx("the worker spawner sent a bad message");
		switch (m.type) {
		case SPAWN_WORKER:
			on_worker(p, (pid_t)m.pid, wfd);
			break;
		case SPAWN_FAILED:
			log_warnx("no new worker: %s", strerror(m.status));
			if ((s = slot_spawning(p)) != NULL) {
				struct timeval tv = { 0,
				    RESPAWN_DELAY_MS * 1000 };

				s->state = SLOT_DOWN;
				evtimer_add(s->timer, &tv);
			}
			break;
		case SPAWN_EXITED:
			on_exited(p, (pid_t)m.pid, m.status);
			break;
		default:
			fatalx("the worker spawner sent message %u", m.type);
		}
	}
}

/* the next job: the first whose sender has no document in a worker */
static struct comms_job *
pick(struct comms_pool *p)
{
	struct comms_job	*j;
	unsigned int		 i;
	int			 busy;

	TAILQ_FOREACH(j, &p->queue, entry) {
		busy = 0;
		for (i = 0; i < p->nslots && !busy; i++)
			busy = p->slots[i].state == SLOT_BUSY &&
			    strcmp(p->slots[i].job->owner, j->owner) == 0;
		if (!busy)
			return j;
	}
	return TAILQ_FIRST(&p->queue);
}

static void
job_start(struct slot *s, struct comms_job *j)
{
	struct comms_pool	*p = s->pool;
	struct timeval		 tv;

	TAILQ_REMOVE(&p->queue, j, entry);
	p->st.queued--;
	j->slot = s;
	s->job = j;
	s->state = SLOT_BUSY;
	s->jh.magic = COMMS_JOB_MAGIC;
	s->jh.len = (uint32_t)j->len;
	s->woff = 0;
	s->roff = 0;
	memset(&s->rh, 0, sizeof(s->rh));
	if (clock_gettime(CLOCK_MONOTONIC, &s->started) == -1)
		fatal("clock_gettime");
	tv.tv_sec = p->timeout_ms / 1000;
	tv.tv_usec = (p->timeout_ms % 1000) * 1000;
	event_del(s->ev);
	if (event_assign(s->ev, p->base, s->fd, EV_READ | EV_WRITE |
	    EV_PERSIST, slot_io, s) == -1 || event_add(s->ev, NULL) == -1 ||
	    evtimer_add(s->timer, &tv) == -1)
		fatalx("event_add");
}

static void
on_dispatch(evutil_socket_t fd, short what, void *arg)
{
	struct comms_pool	*p = arg;
	struct comms_job	*j;
	unsigned int		 i;

	for (i = 0; i < p->nslots; i++) {
		if (p->slots[i].state != SLOT_IDLE)
			continue;
		if ((j = pick(p)) == NULL)
			return;
		job_start(&p->slots[i], j);
	}
}

/* 0 when all is written or must wait, -1 when the worker is gone */
static int
slot_write(struct slot *s)
{
	const uint8_t	*from;
	size_t		 total = sizeof(s->jh) + s->job->len, len;
	ssize_t		 n;

	while (s->woff < total) {
		if (s->woff < sizeof(s->jh)) {
			from = (const uint8_t *)&s->jh + s->woff;
			len = sizeof(s->jh) - s->woff;
		} else {
			from = s->job->doc + (s->woff - sizeof(s->jh));
			len = total - s->woff;
		}
		n = write(s->fd, from, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
		s->woff += (size_t)n;
	}
	/* all written: the answer only */
	event_del(s->ev);
	if (event_assign(s->ev, s->pool->base, s->fd, EV_READ | EV_PERSIST,
	    slot_io, s) == -1 || event_add(s->ev, NULL) == -1)
		fatalx("event_add");
	return 0;
}

/* 1 when the answer is complete, 0 to wait, -1 with why */
static int
slot_read(struct slot *s, char *why, size_t whylen)
{
	uint8_t		*to;
	size_t		 hl = sizeof(s->rh), len;
	ssize_t		 n;

	for (;;) {
		if (s->roff < hl) {
			to = (uint8_t *)&s->rh + s->roff;
			len = hl - s->roff;
		} else if (s->roff < hl + s->rh.reasonlen) {
			to = (uint8_t *)s->reason + (s->roff - hl);
			len = hl + s->rh.reasonlen - s->roff;
		} else if (s->roff < hl + s->rh.reasonlen + s->rh.extractlen) {
			to = s->extract + (s->roff - hl - s->rh.reasonlen);
			len = hl + s->rh.reasonlen + s->rh.extractlen -
			    s->roff;
		} else
			return 1;
		n = read(s->fd, to, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return 0;
		if (n <= 0) {
			(void)snprintf(why, whylen, "its worker ended without "
			    "an answer");
			return -1;
		}
		s->roff += (size_t)n;
		if (s->roff != hl)
			continue;
		if (comms_result_head_check(&s->rh, s->job->len) == -1) {
			(void)snprintf(why, whylen, "its worker gave an "
			    "invalid answer");
			return -1;
		}
		if (s->rh.extractlen > 0 &&
		    (s->extract = malloc(s->rh.extractlen)) == NULL) {
			(void)snprintf(why, whylen, "out of memory");
			return -1;
		}
	}
}

static void
slot_io(evutil_socket_t fd, short what, void *arg)
{
	struct slot	*s = arg;
	char		 why[128], reason[COMMS_REASON_MAX + 64];
	int		 r;

	if (s->state != SLOT_BUSY) {
		/* an idle worker that ends or writes: it is of no use */
		log_warnx("worker %d: ended or wrote before it had a "
		    "document", (int)s->pid);
		slot_down(s, 1);
		return;
	}
	if ((what & EV_WRITE) && s->woff < sizeof(s->jh) + s->job->len &&
	    slot_write(s) == -1) {
		/* the worker stopped reading: what it says may tell why */
		what |= EV_READ;
		s->woff = sizeof(s->jh) + s->job->len;
	}
	if (!(what & EV_READ))
		return;
	if ((r = slot_read(s, why, sizeof(why))) == 0)
		return;
	if (r == -1) {
		s->pool->st.died++;
		log_warnx("worker %d: %s", (int)s->pid, why);
		(void)snprintf(reason, sizeof(reason), "the document could not "
		    "be checked: %s", why);
		job_end(s, 1, 400, reason);
		return;
	}
	s->reason[s->rh.reasonlen] = '\0';
	job_end(s, 0, s->rh.status, s->reason);
}

struct comms_pool *
comms_pool_new(struct event_base *base, int chan, unsigned int workers,
    unsigned int timeout_ms, unsigned int max_queue)
{
	struct comms_pool	*p;
	struct slot		*s;
	unsigned int		 i;

	if (workers == 0 || workers > COMMS_MAX_WORKERS)
		fatalx("%s: %u workers", __func__, workers);
	if ((p = calloc(1, sizeof(*p))) == NULL)
		fatal(NULL);
	p->base = base;
	p->chan = chan;
	p->nslots = workers;
	p->timeout_ms = timeout_ms;
	p->max_queue = max_queue;
	p->avg_us = COMMS_JOB_GUESS_US;
	TAILQ_INIT(&p->queue);
	if ((p->chan_ev = event_new(base, chan, EV_READ | EV_PERSIST,
	    on_channel, p)) == NULL || event_add(p->chan_ev, NULL) == -1 ||
	    (p->dispatch_ev = event_new(base, -1, 0, on_dispatch, p)) == NULL)
		fatalx("event_new");
	for (i = 0; i < workers; i++) {
		s = &p->slots[i];
		s->pool = p;
		s->fd = -1;
		if ((s->ev = event_new(base, -1, 0, slot_io, s)) == NULL ||
		    (s->timer = evtimer_new(base, slot_timer, s)) == NULL)
			fatalx("event_new");
		slot_request(s);
	}
	return p;
}

struct comms_job *
comms_pool_submit(struct comms_pool *p, const uint8_t *doc, size_t len,
    const char *owner, comms_job_done done, void *arg)
{
	struct comms_job	*j;

	if (!comms_pool_admit(p->st.queued, p->nslots, p->max_queue,
	    p->avg_us) || len == 0 || len > UINT32_MAX)
		return NULL;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	j->doc = doc;
	j->len = len;
	(void)strlcpy(j->owner, owner, sizeof(j->owner));
	j->done = done;
	j->arg = arg;
	TAILQ_INSERT_TAIL(&p->queue, j, entry);
	p->st.queued++;
	dispatch_soon(p);
	return j;
}

void
comms_pool_cancel(struct comms_pool *p, struct comms_job *j)
{
	if (j->slot == NULL) {
		TAILQ_REMOVE(&p->queue, j, entry);
		p->st.queued--;
	} else
		slot_down(j->slot, 1);	/* the document is going away */
	free(j);
}

void
comms_pool_stats(const struct comms_pool *p, struct comms_pool_stats *st)
{
	unsigned int	 i;

	*st = p->st;
	st->avg_us = p->avg_us;
	st->workers = st->busy = 0;
	for (i = 0; i < p->nslots; i++) {
		if (p->slots[i].state == SLOT_IDLE ||
		    p->slots[i].state == SLOT_BUSY)
			st->workers++;
		if (p->slots[i].state == SLOT_BUSY)
			st->busy++;
	}
}

void
comms_pool_free(struct comms_pool *p)
{
	struct comms_job	*j;
	unsigned int		 i;
	struct slot		*s;

	while ((j = TAILQ_FIRST(&p->queue)) != NULL)
		comms_pool_cancel(p, j);
	for (i = 0; i < p->nslots; i++) {
		s = &p->slots[i];
		free(s->job);
		event_free(s->ev);
		event_free(s->timer);
		if (s->fd != -1)
			close(s->fd);
		free(s->extract);
	}
	event_free(p->chan_ev);
	event_free(p->dispatch_ev);
	/* the spawner sees the end of its channel, kills its workers, exits */
	close(p->chan);
	free(p);
}
