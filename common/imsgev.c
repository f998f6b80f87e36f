#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsgev.h"
#include "log.h"

static void	imsgev_cb(evutil_socket_t, short, void *);

static void
imsgev_update(struct imsgev *iev)
{
	if (!iev->active || TAILQ_EMPTY(&iev->ibuf.outq))
		return;
	if (!event_pending(iev->ev_write, EV_WRITE, NULL) &&
	    event_add(iev->ev_write, NULL) == -1)
		fatalx("imsgev: event_add");
}

static void
imsgev_events_free(struct imsgev *iev)
{
	if (iev->ev_read != NULL)
		event_free(iev->ev_read);
	if (iev->ev_write != NULL)
		event_free(iev->ev_write);
	if (iev->ev_finish != NULL)
		event_free(iev->ev_finish);
	iev->ev_read = iev->ev_write = iev->ev_finish = NULL;
}

/* a finishing channel is done: drained, overflowed, gone or too slow */
static void
finish_now(struct imsgev *iev)
{
	imsgev_eof	 done = iev->finished;

	iev->finished = NULL;
	iev->active = 0;
	imsgev_events_free(iev);
	done(iev, iev->arg);
}

static void
finish_timeout(evutil_socket_t fd, short ev, void *arg)
{
	finish_now(arg);
}

void
imsgev_limit_output(struct imsgev *iev, size_t limit)
{
	iev->outq_limit = limit;
}

void
imsgev_finish(struct imsgev *iev, int seconds, imsgev_eof done)
{
	struct timeval	 tv = { seconds, 0 };

	iev->finished = done;
	if (iev->ev_read != NULL)
		event_del(iev->ev_read);
	if (!iev->active || iev->overflow ||
	    TAILQ_EMPTY(&iev->ibuf.outq)) {
		finish_now(iev);
		return;
	}
	if ((iev->ev_finish = evtimer_new(iev->base, finish_timeout, iev)) ==
	    NULL || evtimer_add(iev->ev_finish, &tv) == -1)
		fatalx("imsgev: evtimer_add");
}

void
imsgev_init(struct imsgev *iev, struct event_base *base, int fd,
    const struct chan_def *chan, enum proc_id self, imsgev_dispatch dispatch,
    imsgev_eof eof, void *arg)
{
	memset(iev, 0, sizeof(*iev));
	imsgbuf_init(&iev->ibuf, fd, chan, self);
	iev->base = base;
	iev->dispatch = dispatch;
	iev->eof = eof;
	iev->arg = arg;
	iev->active = 1;
	iev->ev_read = event_new(base, fd, EV_READ | EV_PERSIST, imsgev_cb,
	    iev);
	iev->ev_write = event_new(base, fd, EV_WRITE, imsgev_cb, iev);
	if (iev->ev_read == NULL || iev->ev_write == NULL ||
	    event_add(iev->ev_read, NULL) == -1)
		fatalx("imsgev: event_new");
}

void
imsgev_clear(struct imsgev *iev)
{
	/* a dispatch handler cleared (and maybe freed) its own channel */
	if (iev->deadp != NULL)
		*iev->deadp = 1;
	iev->deadp = NULL;
	imsgev_events_free(iev);
	iev->active = 0;
	if (iev->ibuf.fd != -1)
		close(iev->ibuf.fd);
	iev->ibuf.fd = -1;
	imsgbuf_clear(&iev->ibuf);
	wbuf_free(&iev->scratch);
}

void
imsgev_on_error(struct imsgev *iev, imsgev_error fn)
{
	iev->error = fn;
}

/* a protocol error: fatal, or the channel's own handler ends it */
static int
peer_error(struct imsgev *iev, const char *why)
{
	if (iev->error == NULL)
		fatalx("protocol error from %s: %s", imsgev_peer(iev), why);
	iev->active = 0;
	imsgev_events_free(iev);
	iev->error(iev, why, iev->arg);
	return -1;
}

void
imsgev_sendonly(struct imsgev *iev)
{
	event_del(iev->ev_read);
}

/*
 * Every dispatch function ends its switch here: the framing layer already
 * refused what the channel does not list, so a type that arrives and has
 * no case is a bug in the receiver, and the receiver stops.
 */
void
imsgev_unexpected(const struct imsgev *iev, const struct imsg *m)
{
	fatalx("%s: %s from %s has no handler", proc_name(iev->ibuf.self),
	    imsg_type_name(m->hdr.type), proc_name(iev->ibuf.peer));
}

const char *
imsgev_peer(const struct imsgev *iev)
{
	return proc_name(iev->ibuf.peer);
}

static void
imsgev_cb(evutil_socket_t fd, short what, void *arg)
{
	struct imsgev	*iev = arg;
	struct imsg	 m;
	ssize_t		 n;
	int		 r, dead = 0;

	if (what & EV_WRITE) {
		if (imsgbuf_write(&iev->ibuf) == -1) {
			if (errno != EPIPE && errno != ECONNRESET)
				fatal("write to %s", imsgev_peer(iev));
			goto eof;
		}
		if (iev->finished != NULL) {
			if (TAILQ_EMPTY(&iev->ibuf.outq))
				finish_now(iev);
			else
				imsgev_update(iev);
			return;
		}
	}
	if (what & EV_READ) {
		n = imsgbuf_read(&iev->ibuf);
		if (n == 0)
			goto eof;
		if (n == -1) {
			if (errno == ECONNRESET)
				goto eof;
			if (errno != EAGAIN) {
				(void)peer_error(iev, iev->ibuf.err ?
				    iev->ibuf.err : strerror(errno));
				return;
			}
		}
		while (iev->active && (r = imsg_get(&iev->ibuf, &m)) != 0) {
			if (r == -1) {
				(void)peer_error(iev, iev->ibuf.err);
				return;
			}
			/* the handler may clear the channel and free iev */
			iev->deadp = &dead;
			iev->dispatch(iev, &m, iev->arg);
			imsg_free(&m);
			if (dead)
				return;
			iev->deadp = NULL;
		}
	}
	imsgev_update(iev);
	return;
 eof:
	if (iev->finished != NULL) {
		finish_now(iev);
		return;
	}
	iev->active = 0;
	imsgev_events_free(iev);
	if (iev->eof != NULL)
		iev->eof(iev, iev->arg);
	else
		fatalx("%s closed its channel", imsgev_peer(iev));
}

void
imsgev_send(struct imsgev *iev, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	const struct chan_msg	*mt;
	int			 r;

	if ((mt = chan_msg(iev->ibuf.chan, iev->ibuf.self, type)) == NULL)
		fatalx("%s may not send %s on %s", proc_name(iev->ibuf.self),
		    imsg_type_name(type), iev->ibuf.chan->name);
	if (iev->outq_limit > 0 &&
	    (len > iev->outq_limit ||
	    iev->ibuf.outq_len > iev->outq_limit - len)) {
		/* the peer does not read: nothing more for it */
		iev->overflow = 1;
		if (fd != -1)
			close(fd);
		return;
	}
	if (mt->flags & MT_STREAM)
		r = imsg_compose_stream(&iev->ibuf, type, peerid, data, len);
	else
		r = imsg_compose(&iev->ibuf, type, peerid, fd, data, len);
	if (r == -1)
		fatal("sending %s to %s", imsg_type_name(type),
		    imsgev_peer(iev));
	imsgev_update(iev);
}

#define SCRATCH_KEEP	(64 * 1024)	/* larger buffers are freed */

void
imsgev_sendw(struct imsgev *iev, uint32_t type, uint32_t peerid, int fd,
    struct wbuf *w)
{
	imsgev_send(iev, type, peerid, fd, w->data, w->len);
	if (w != &iev->scratch)
		return;
	/* it may have held secrets: wiped either way */
	if (w->cap > SCRATCH_KEEP)
		wbuf_free(w);
	else
		wbuf_reset(w);
}

struct wbuf *
imsgev_wbuf(struct imsgev *iev)
{
	wbuf_reset(&iev->scratch);
	return &iev->scratch;
}

void
imsgev_flush(struct imsgev *iev)
{
	if (imsgbuf_flush(&iev->ibuf) == -1 && errno != EPIPE)
		fatal("flush to %s", imsgev_peer(iev));
	imsgev_update(iev);
}
