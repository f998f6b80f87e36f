/*
 * imsgev: a dispatch handler may clear and free its own channel (the
 * control socket does, on every answered request); the loop must not
 * touch it afterwards.  Under ASan a mistake here is a use-after-free.
 */
#include <sys/socket.h>

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
	struct msg_ctl_request	 req = { CTL_STATUS };
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

TEST_MAIN_BEGIN("test_imsgev")
	log_init("test_imsgev", LOG_TO_STDERR, 0);
	RUN(handler_frees_channel);
TEST_MAIN_END
