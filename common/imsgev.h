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
/* a channel this side only sends on: stop watching it for input */
void	imsgev_sendonly(struct imsgev *);
/* a receiver's last word on a type it did not expect: always fatal */
__dead void imsgev_unexpected(const struct imsgev *, const struct imsg *);
/* block until everything queued is written */
void	imsgev_flush(struct imsgev *);
/* the peer's name, for log messages */
const char *imsgev_peer(const struct imsgev *);

#endif /* CALLHOME_IMSGEV_H */
