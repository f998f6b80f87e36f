/*
 * imsgev: a dispatch handler may clear and free its own channel (the
 * control socket does, on every answered request); the loop must not
 * touch it afterwards.  Under ASan a mistake here is a use-after-free.
 *
 * A peer that does not read (a control client): the output is bounded
 * (imsgev_limit_output) and finishing never waits for it
 * (imsgev_finish); a blocking write would hang these tests, and the
 * harness's timeout would fail them.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsgev.h"
#include "log.h"
#include "chans.h"
#include "test.h"

struct conn {
	struct imsgev	 iev;
	int		*calls;
};

static void
dispatch_and_free(struct imsgev *iev, struct imsg *m, void *arg)
{
	struct conn	*c = arg;

	(*c->calls)++;
	imsgev_clear(&c->iev);
	free(c);
}

TEST(handler_frees_channel)
{
	struct event_base	*base;
	struct imsgbuf		 tx;
	struct conn		*c;
	struct msg_ctl_request	 req = { CTL_STATUS, 0 };
	struct wbuf		 w;
	int			 sv[2], calls = 0;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
	CHECK((base = event_base_new()) != NULL);
	CHECK((c = calloc(1, sizeof(*c))) != NULL);
	c->calls = &calls;
	imsgev_init(&c->iev, base, sv[0], &chan_control, PROC_PARENT,
	    dispatch_and_free, NULL, c);
	/* two requests in one read: the loop would go on to the second */
	imsgbuf_init(&tx, sv[1], &chan_control, PROC_CONTROL);
	wbuf_init(&w);
	msg_ctl_request_encode(&w, &req);
	CHECK(imsg_compose(&tx, IMSG_CTL_REQUEST, 0, -1, w.data, w.len) == 0);
	CHECK(imsg_compose(&tx, IMSG_CTL_REQUEST, 0, -1, w.data, w.len) == 0);
	CHECK(imsgbuf_flush(&tx) == 0);
	CHECK(event_base_loop(base, EVLOOP_ONCE) == 0);
	/* the first request was dispatched, then the channel was gone */
	CHECK_EQ_INT(calls, 1);
	wbuf_free(&w);
	imsgbuf_clear(&tx);
	close(sv[1]);
	event_base_free(base);
}

/* the parent's side of a control connection whose client never reads */
struct slow {
	struct imsgev		 iev;
	struct event_base	*base;
	int			 done;
	struct timeval		 t_done;
};

static void
slow_done(struct imsgev *iev, void *arg)
{
	struct slow	*sl = arg;

	sl->done++;
	gettimeofday(&sl->t_done, NULL);
	event_base_loopexit(sl->base, NULL);
}

static void
give_up(evutil_socket_t fd, short ev, void *arg)
{
	event_base_loopexit(arg, NULL);
}

static int
slow_open(struct slow *sl, int sv[2], size_t limit)
{
	memset(sl, 0, sizeof(*sl));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == -1 ||
	    (sl->base = event_base_new()) == NULL)
		return -1;
	imsgev_init(&sl->iev, sl->base, sv[0], &chan_control, PROC_PARENT,
	    NULL, NULL, sl);
	imsgev_limit_output(&sl->iev, limit);
	return 0;
}

/* queue n replies of about 4 KiB each */
static void
slow_fill(struct slow *sl, int n)
{
	struct msg_ctl_reply	 r;
	int			 i;

	memset(&r, 0, sizeof(r));
	(void)strlcpy(r.key, "k", sizeof(r.key));
	memset(r.value, 'v', sizeof(r.value) - 1);
	for (i = 0; i < n; i++)
		msg_ctl_reply_send(&sl->iev, &r);
}

static double
since_ms(const struct timeval *a, const struct timeval *b)
{
	return (b->tv_sec - a->tv_sec) * 1000.0 +
	    (b->tv_usec - a->tv_usec) / 1000.0;
}

/* more than the limit: dropped, marked, and finishing is immediate */
TEST(output_limit_overflows)
{
	struct slow	 sl;
	int		 sv[2];

	CHECK(slow_open(&sl, sv, 64 * 1024) == 0);
	slow_fill(&sl, 64);		/* 256 KiB for a 64 KiB budget */
	CHECK(sl.iev.overflow);
	CHECK(sl.iev.ibuf.outq_len <= 64 * 1024);
	imsgev_finish(&sl.iev, 30, slow_done);
	CHECK_EQ_INT(sl.done, 1);	/* at once, no loop needed */
	imsgev_clear(&sl.iev);
	event_base_free(sl.base);
	close(sv[1]);
}

/* within the limit, but never read: done after the deadline, not before */
TEST(finish_waits_only_for_its_deadline)
{
	struct slow	 sl;
	struct timeval	 t0, tv = { 5, 0 };
	struct event	*ev;
	int		 sv[2], one = 4096;

	CHECK(slow_open(&sl, sv, 4 * 1024 * 1024) == 0);
	(void)setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &one, sizeof(one));
	slow_fill(&sl, 256);		/* 1 MiB: far more than the socket */
	CHECK(!sl.iev.overflow);
	gettimeofday(&t0, NULL);
	imsgev_finish(&sl.iev, 1, slow_done);
	CHECK_EQ_INT(sl.done, 0);
	CHECK((ev = evtimer_new(sl.base, give_up, sl.base)) != NULL);
	evtimer_add(ev, &tv);
	event_base_dispatch(sl.base);
	CHECK_EQ_INT(sl.done, 1);
	CHECK(since_ms(&t0, &sl.t_done) >= 900);
	CHECK(since_ms(&t0, &sl.t_done) < 4000);
	CHECK(!TAILQ_EMPTY(&sl.iev.ibuf.outq));	/* it never read */
	event_free(ev);
	imsgev_clear(&sl.iev);
	event_base_free(sl.base);
	close(sv[1]);
}

/* a peer that reads: done once everything is written */
TEST(finish_after_drain)
{
	struct slow	 sl;
	struct timeval	 tv = { 10, 0 };
	struct event	*ev;
	char		 buf[65536];
	int		 sv[2];
	size_t		 got = 0, want;
	ssize_t		 n;

	CHECK(slow_open(&sl, sv, 4 * 1024 * 1024) == 0);
	slow_fill(&sl, 64);
	want = sl.iev.ibuf.outq_len;
	imsgev_finish(&sl.iev, 10, slow_done);
	CHECK((ev = evtimer_new(sl.base, give_up, sl.base)) != NULL);
	evtimer_add(ev, &tv);
	/* read as it comes, between turns of the loop */
	while (sl.done == 0 && got < want + 1) {
		event_base_loop(sl.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		while ((n = read(sv[1], buf, sizeof(buf))) > 0)
			got += (size_t)n;
	}
	CHECK_EQ_INT(sl.done, 1);
	CHECK_EQ_INT(got, want);
	CHECK(TAILQ_EMPTY(&sl.iev.ibuf.outq));
	event_free(ev);
	imsgev_clear(&sl.iev);
	event_base_free(sl.base);
	close(sv[1]);
}

TEST_MAIN_BEGIN("test_imsgev")
	log_init("test_imsgev", LOG_TO_STDERR, 0);
	RUN(handler_frees_channel);
	RUN(output_limit_overflows);
	RUN(finish_waits_only_for_its_deadline);
	RUN(finish_after_drain);
TEST_MAIN_END
