/*
 * imsg-style framing over non-blocking stream socketpairs.
 *
 * Every message is a 20-byte header followed by its payload:
 *	u32 type, u32 length (header included), u16 flags, u16 zero,
 *	u32 peer id, u32 sender pid			(big-endian)
 * A message may carry one descriptor (flag IMSGF_HASFD), passed with
 * SCM_RIGHTS on the sendmsg(2) that starts the message.  The receiver
 * queues descriptors in arrival order and hands the oldest one to the
 * next message that has IMSGF_HASFD, so a descriptor that Linux delivers
 * together with a neighbouring message's bytes still reaches the message
 * that carried it; a flagged message without a queued descriptor, or a
 * descriptor nobody claims, is a protocol error.
 *
 * Payloads larger than IMSG_MAX_PAYLOAD travel as a stream: STREAM_BEGIN
 * (declared type and total, at most IMSG_MAX_STREAM), then DATA chunks of
 * at most IMSG_MAX_PAYLOAD bytes, contiguous, adding up exactly to the
 * total.  The receiver returns the reassembled payload as one message of
 * the declared type.
 *
 * Each imsgbuf belongs to one channel (chan.h) and one side of it; the
 * sender refuses (fatally: a bug) and imsg_get() refuses (returns -1 with a
 * reason) any type that channel does not list for the sending side, a
 * missing or unexpected descriptor, and any bad length.
 */
#ifndef CALLHOME_IMSG_H
#define CALLHOME_IMSG_H

#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "chan.h"
#include "proc.h"

#define IMSG_HDR_SIZE		20
#define IMSG_MAX_PAYLOAD	16384
#define IMSG_MAX_SIZE		(IMSG_HDR_SIZE + IMSG_MAX_PAYLOAD)
#define IMSG_MAX_STREAM		(64U * 1024 * 1024)
#define IMSG_MAX_FDQUEUE	16
#define IMSGF_HASFD		0x0001
#define IMSGF_STREAMED		0x8000	/* set by the receiver only */

struct imsg_hdr {
	uint32_t	 type;
	uint32_t	 len;
	uint16_t	 flags;
	uint32_t	 peerid;
	uint32_t	 pid;
};

struct imsg {
	struct imsg_hdr	 hdr;
	int		 fd;		/* -1, or owned by the receiver */
	const uint8_t	*data;		/* valid until the next imsg_get() */
	size_t		 len;
};

struct obuf {
	TAILQ_ENTRY(obuf) entry;
	uint8_t		*buf;
	size_t		 len;
	size_t		 off;
	int		 fd;		/* sent with the first byte, then closed */
};

struct imsgbuf {
	int		 fd;
	const struct chan_def *chan;
	enum proc_id	 self;
	enum proc_id	 peer;
	pid_t		 pid;
	TAILQ_HEAD(, obuf) outq;
	size_t		 outq_len;	/* bytes waiting */
	uint8_t		*rbuf;		/* 2 * IMSG_MAX_SIZE */
	size_t		 rlen;
	size_t		 roff;		/* start of unparsed bytes */
	int		 fdq[IMSG_MAX_FDQUEUE];
	size_t		 nfdq;
	/* stream being received */
	int		 in_stream;
	uint32_t	 st_type;
	uint32_t	 st_peerid;
	uint8_t		*st_buf;
	size_t		 st_total;
	size_t		 st_len;
	uint8_t		*st_done;	/* delivered stream, freed on next get */
	const char	*err;		/* why imsg_get() failed */
};

/* one side (self) of a channel, on descriptor fd */
void	imsgbuf_init(struct imsgbuf *, int, const struct chan_def *,
	    enum proc_id self);
void	imsgbuf_clear(struct imsgbuf *);
/* queue one message (fd: -1 or a descriptor handed over, closed once sent) */
int	imsg_compose(struct imsgbuf *, uint32_t type, uint32_t peerid, int fd,
	    const void *data, size_t len);
/* queue a payload of any size up to IMSG_MAX_STREAM as a stream */
int	imsg_compose_stream(struct imsgbuf *, uint32_t type, uint32_t peerid,
	    const void *data, size_t len);
/* write what the socket takes: 0 (maybe partially), -1 on error (errno) */
int	imsgbuf_write(struct imsgbuf *);
/* write everything, blocking in poll(2) as needed: 0 or -1 */
int	imsgbuf_flush(struct imsgbuf *);
/* read once: bytes read, 0 at EOF, -1 on error (EAGAIN included) */
ssize_t	imsgbuf_read(struct imsgbuf *);
/* 1: a message; 0: need more bytes; -1: protocol error (ibuf->err) */
int	imsg_get(struct imsgbuf *, struct imsg *);
/* close the message's descriptor if the receiver did not take it */
void	imsg_free(struct imsg *);
/* read until one message is complete (blocking): 1, 0 at EOF, -1 */
int	imsg_read_one(struct imsgbuf *, struct imsg *);

#endif /* CALLHOME_IMSG_H */
