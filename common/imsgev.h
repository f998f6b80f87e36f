/*
 * An imsgbuf on a libevent loop: reads, checks and dispatches messages,
 * and writes the queue when the socket takes it.  Any protocol error from
 * the peer is fatal for this process (fail closed).
 */
#ifndef CALLHOME_IMSGEV_H
#define CALLHOME_IMSGEV_H

#include <event2/event.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"

struct imsgev;
typedef void	(*imsgev_dispatch)(struct imsgev *, struct imsg *, void *);
typedef void	(*imsgev_eof)(struct imsgev *, void *);
/* a peer that breaks the protocol: fatal, unless the channel says so */
typedef void	(*imsgev_error)(struct imsgev *, const char *, void *);

struct imsgev {
	struct imsgbuf		 ibuf;
	struct event_base	*base;
	struct event		*ev_read;
	struct event		*ev_write;	/* added while output waits */
	imsgev_dispatch		 dispatch;
	imsgev_eof		 eof;
	imsgev_error		 error;		/* NULL: fatalx */
	void			*arg;
	int			 active;
	int			*deadp;		/* set while dispatching */
	struct wbuf		 scratch;	/* see imsgev_wbuf() */
	/* an untrusted peer's limits (imsgev_limit_output, imsgev_finish) */
	size_t			 outq_limit;	/* 0: none */
	int			 overflow;	/* a message did not fit */
	imsgev_eof		 finished;	/* set: closing */
	struct event		*ev_finish;	/* its deadline */
};

/* one side (self) of a channel, on descriptor fd */
void	imsgev_init(struct imsgev *, struct event_base *, int fd,
	    const struct chan_def *, enum proc_id self, imsgev_dispatch,
	    imsgev_eof, void *);
void	imsgev_clear(struct imsgev *);
/* queue a payload: streamed when the type is a stream type; fatal on error */
void	imsgev_send(struct imsgev *, uint32_t type, uint32_t peerid, int fd,
	    const void *, size_t);
void	imsgev_sendw(struct imsgev *, uint32_t type, uint32_t peerid, int fd,
	    struct wbuf *);
/*
 * The channel's own encoding buffer, empty: a typed send function encodes
 * into it and hands it to imsgev_sendw(), which wipes it once the bytes
 * are queued (so no message allocates a buffer of its own).
 */
struct wbuf *imsgev_wbuf(struct imsgev *);
/* an untrusted peer (a control client): errors end the channel only */
void	imsgev_on_error(struct imsgev *, imsgev_error);
/*
 * For a peer that may stop reading (a control client): at most `limit'
 * bytes wait for it; a message that does not fit is dropped and the
 * channel marked overflowed, so that nothing grows without bound and no
 * write ever waits for the peer.
 */
void	imsgev_limit_output(struct imsgev *, size_t limit);
/*
 * Stop reading and let the queue drain without blocking: `done' runs once
 * everything is written, at once when the output overflowed or the peer
 * went away, or when `seconds' have passed (a peer that does not read).
 * done may clear and free the channel.
 */
void	imsgev_finish(struct imsgev *, int seconds, imsgev_eof done);
/* a channel this side only sends on: stop watching it for input */
void	imsgev_sendonly(struct imsgev *);
/* a receiver's last word on a type it did not expect: always fatal */
__dead void imsgev_unexpected(const struct imsgev *, const struct imsg *);
/* block until everything queued is written (trusted peers only) */
void	imsgev_flush(struct imsgev *);
/* the peer's name, for log messages */
const char *imsgev_peer(const struct imsgev *);

#endif /* CALLHOME_IMSGEV_H */
