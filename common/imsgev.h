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
};

void	imsgev_init(struct imsgev *, struct event_base *, int fd,
	    enum proc_id self, enum proc_id peer, imsgev_dispatch,
	    imsgev_eof, void *);
void	imsgev_clear(struct imsgev *);
/* queue a payload: streamed when the type is a stream type; fatal on error */
void	imsgev_send(struct imsgev *, uint32_t type, uint32_t peerid, int fd,
	    const void *, size_t);
void	imsgev_sendw(struct imsgev *, uint32_t type, uint32_t peerid, int fd,
	    const struct wbuf *);
/* an untrusted peer (a control client): errors end the channel only */
void	imsgev_on_error(struct imsgev *, imsgev_error);
/* a channel this side only sends on: stop watching it for input */
void	imsgev_sendonly(struct imsgev *);
/* block until everything queued is written */
void	imsgev_flush(struct imsgev *);
/* the peer's name, for log messages */
const char *imsgev_peer(const struct imsgev *);

#endif /* CALLHOME_IMSGEV_H */
