#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"
#include "log.h"
#include "proc.h"

/* large reads: a busy channel carries many small messages per wakeup */
#define RBUF_SIZE	(256 * 1024)
#define WRITE_IOV	256
#define STREAM_BEGIN_LEN 12	/* u32 type, u64 total */

void
imsgbuf_init(struct imsgbuf *ib, int fd, const struct chan_def *chan,
    enum proc_id self)
{
	if (self != chan->a && self != chan->b)
		fatalx("imsg: %s is not on channel %s", proc_name(self),
		    chan->name);
	memset(ib, 0, sizeof(*ib));
	ib->fd = fd;
	ib->chan = chan;
	ib->self = self;
	ib->peer = chan_peer(chan, self);
	ib->pid = getpid();
	TAILQ_INIT(&ib->outq);
	if ((ib->rbuf = malloc(RBUF_SIZE)) == NULL)
		fatal("imsgbuf_init");
}

static void
obuf_free(struct obuf *ob)
{
	if (ob->fd != -1)
		close(ob->fd);
	explicit_bzero(ob->buf, ob->len);
	free(ob->buf);
	free(ob);
}

void
imsgbuf_clear(struct imsgbuf *ib)
{
	struct obuf	*ob;
	size_t		 i;

	while ((ob = TAILQ_FIRST(&ib->outq)) != NULL) {
		TAILQ_REMOVE(&ib->outq, ob, entry);
		obuf_free(ob);
	}
	for (i = 0; i < ib->nfdq; i++)
		close(ib->fdq[i]);
	ib->nfdq = 0;
	if (ib->rbuf != NULL) {
		explicit_bzero(ib->rbuf, RBUF_SIZE);
		free(ib->rbuf);
		ib->rbuf = NULL;
	}
	if (ib->st_buf != NULL) {
		explicit_bzero(ib->st_buf, ib->st_len);
		free(ib->st_buf);
	}
	if (ib->st_done != NULL) {
		explicit_bzero(ib->st_done, ib->st_total);
		free(ib->st_done);
	}
	ib->st_buf = ib->st_done = NULL;
	ib->outq_len = 0;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* queue a framed message without any policy check */
static void
enqueue(struct imsgbuf *ib, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	struct obuf	*ob;
	uint8_t		*h;

	if (len > IMSG_MAX_PAYLOAD)
		fatalx("imsg: %s payload of %zu bytes", imsg_type_name(type),
		    len);
	if ((ob = calloc(1, sizeof(*ob))) == NULL ||
	    (ob->buf = malloc(IMSG_HDR_SIZE + len)) == NULL)
		fatal("imsg enqueue");
	ob->len = IMSG_HDR_SIZE + len;
	ob->fd = fd;
	h = ob->buf;
	put32(h, type);
	put32(h + 4, (uint32_t)ob->len);
	h[8] = 0;
	h[9] = fd != -1 ? IMSGF_HASFD : 0;
	h[10] = h[11] = 0;
	put32(h + 12, peerid);
	put32(h + 16, (uint32_t)ib->pid);
	if (len > 0)
		memcpy(h + IMSG_HDR_SIZE, data, len);
	TAILQ_INSERT_TAIL(&ib->outq, ob, entry);
	ib->outq_len += ob->len;
}

/* the sender applies its side of the channel too: a bug, not input */
static const struct chan_msg *
check_send(struct imsgbuf *ib, uint32_t type, int fd, int stream)
{
	const struct chan_msg	*mt;
	const char		*name = imsg_type_name(type);

	if ((mt = chan_msg(ib->chan, ib->self, type)) == NULL)
		fatalx("imsg: %s may not send %s to %s on %s",
		    proc_name(ib->self), name, proc_name(ib->peer),
		    ib->chan->name);
	if (((mt->flags & MT_STREAM) != 0) != stream)
		fatalx("imsg: %s must%s be streamed", name,
		    stream ? " not" : "");
	if (fd != -1 && !(mt->flags & (MT_FD | MT_FD_OPT)))
		fatalx("imsg: %s carries no descriptor", name);
	if (fd == -1 && (mt->flags & MT_FD))
		fatalx("imsg: %s needs a descriptor", name);
	return mt;
}

int
imsg_compose(struct imsgbuf *ib, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	if (len > check_send(ib, type, fd, 0)->max) {
		errno = EMSGSIZE;
		return -1;
	}
	enqueue(ib, type, peerid, fd, data, len);
	return 0;
}

int
imsg_compose_stream(struct imsgbuf *ib, uint32_t type, uint32_t peerid,
    const void *data, size_t len)
{
	uint8_t		 begin[STREAM_BEGIN_LEN];
	const uint8_t	*p = data;
	size_t		 off, n;

	if (len > check_send(ib, type, -1, 1)->max || len > IMSG_MAX_STREAM) {
		errno = EMSGSIZE;
		return -1;
	}
	put32(begin, type);
	put32(begin + 4, (uint32_t)((uint64_t)len >> 32));
	put32(begin + 8, (uint32_t)len);
	enqueue(ib, IMSG_STREAM_BEGIN, peerid, -1, begin, sizeof(begin));
	for (off = 0; off < len; off += n) {
		n = len - off;
		if (n > IMSG_MAX_PAYLOAD)
			n = IMSG_MAX_PAYLOAD;
		enqueue(ib, IMSG_STREAM_DATA, peerid, -1, p + off, n);
	}
	return 0;
}

/*
 * Send queued bytes.  A buffer with a descriptor always starts its own
 * sendmsg(2), so the descriptor travels with that message's first byte.
 */
int
imsgbuf_write(struct imsgbuf *ib)
{
	struct iovec	 iov[WRITE_IOV];
	struct msghdr	 mh;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct cmsghdr	*c;
	struct obuf	*ob, *first;
	ssize_t		 n;
	size_t		 left;
	int		 niov;

	while ((first = TAILQ_FIRST(&ib->outq)) != NULL) {
		memset(&mh, 0, sizeof(mh));
		niov = 0;
		TAILQ_FOREACH(ob, &ib->outq, entry) {
			if (niov == WRITE_IOV ||
			    (ob != first && ob->fd != -1))
				break;
			iov[niov].iov_base = ob->buf + ob->off;
			iov[niov].iov_len = ob->len - ob->off;
			niov++;
		}
		mh.msg_iov = iov;
		mh.msg_iovlen = niov;
		if (first->fd != -1) {
			memset(&cm, 0, sizeof(cm));
			mh.msg_control = cm.buf;
			mh.msg_controllen = sizeof(cm.buf);
			c = CMSG_FIRSTHDR(&mh);
			c->cmsg_len = CMSG_LEN(sizeof(int));
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			memcpy(CMSG_DATA(c), &first->fd, sizeof(int));
		}
		n = sendmsg(ib->fd, &mh, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == ENOBUFS)
				return 0;
			return -1;
		}
		if (first->fd != -1) {
			/* sent: never again, even if the bytes were partial */
			close(first->fd);
			first->fd = -1;
		}
		left = (size_t)n;
		while (left > 0 && (ob = TAILQ_FIRST(&ib->outq)) != NULL) {
			size_t	 part = ob->len - ob->off;

			if (left < part) {
				ob->off += left;
				ib->outq_len -= left;
				left = 0;
				break;
			}
			left -= part;
			ib->outq_len -= part;
			TAILQ_REMOVE(&ib->outq, ob, entry);
			obuf_free(ob);
		}
	}
	return 0;
}

int
imsgbuf_flush(struct imsgbuf *ib)
{
	struct pollfd	 pfd;

	while (!TAILQ_EMPTY(&ib->outq)) {
		if (imsgbuf_write(ib) == -1)
			return -1;
		if (TAILQ_EMPTY(&ib->outq))
			break;
		pfd.fd = ib->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			return -1;
	}
	return 0;
}

ssize_t
imsgbuf_read(struct imsgbuf *ib)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * IMSG_MAX_FDQUEUE)];
	} cm;
	struct cmsghdr	*c;
	ssize_t		 n;
	size_t		 i, nfd;
	int		 fd, overflow = 0;

	/* move unparsed bytes to the front */
	if (ib->roff > 0) {
		memmove(ib->rbuf, ib->rbuf + ib->roff, ib->rlen - ib->roff);
		ib->rlen -= ib->roff;
		ib->roff = 0;
	}
	if (ib->rlen == RBUF_SIZE) {
		errno = ENOBUFS;
		return -1;
	}
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = ib->rbuf + ib->rlen;
	iov.iov_len = RBUF_SIZE - ib->rlen;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	do {
		n = recvmsg(ib->fd, &mh, MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			/* close every one that does not fit, not just one */
			if (ib->nfdq == IMSG_MAX_FDQUEUE) {
				close(fd);
				overflow = 1;
				continue;
			}
			ib->fdq[ib->nfdq++] = fd;
		}
	}
	if (overflow) {
		ib->err = "too many descriptors queued";
		errno = EBADMSG;
		return -1;
	}
	if (mh.msg_flags & MSG_CTRUNC) {
		ib->err = "descriptors truncated";
		errno = EBADMSG;
		return -1;
	}
	ib->rlen += (size_t)n;
	return n;
}

static int
fail(struct imsgbuf *ib, const char *why)
{
	ib->err = why;
	return -1;
}

/*
 * Need more bytes.  A descriptor arrives with the first byte of the
 * message that carries it, so once every complete message is taken only
 * the unfinished one (if it announces one) may still have a descriptor
 * waiting; any other is a descriptor nobody claims.
 */
static int
need_more(struct imsgbuf *ib, int may_have_fd)
{
	if (ib->nfdq > (may_have_fd ? 1U : 0U))
		return fail(ib, "descriptor that no message claims");
	return 0;
}

static int
pop_fd(struct imsgbuf *ib)
{
	int	 fd;

	if (ib->nfdq == 0)
		return -1;
	fd = ib->fdq[0];
	memmove(ib->fdq, ib->fdq + 1, (ib->nfdq - 1) * sizeof(int));
	ib->nfdq--;
	return fd;
}

/* a STREAM_BEGIN or STREAM_DATA frame; 1 when a stream completed */
static int
stream_frame(struct imsgbuf *ib, const struct imsg_hdr *h,
    const uint8_t *p, size_t len, struct imsg *m)
{
	const struct chan_msg	*mt;
	uint64_t		 total;
	uint32_t		 type;

	if (h->type == IMSG_STREAM_BEGIN) {
		if (ib->in_stream)
			return fail(ib, "stream begins inside a stream");
		if (len != STREAM_BEGIN_LEN)
			return fail(ib, "bad stream header length");
		type = get32(p);
		total = (uint64_t)get32(p + 4) << 32 | get32(p + 8);
		if ((mt = chan_msg(ib->chan, ib->peer, type)) == NULL)
			return fail(ib, "stream of a type not allowed from "
			    "this peer");
		if (!(mt->flags & MT_STREAM))
			return fail(ib, "type may not be streamed");
		if (total > mt->max || total > IMSG_MAX_STREAM)
			return fail(ib, "stream too large");
		if ((ib->st_buf = malloc(total ? total : 1)) == NULL)
			return fail(ib, "out of memory for stream");
		ib->in_stream = 1;
		ib->st_type = type;
		ib->st_peerid = h->peerid;
		ib->st_total = total;
		ib->st_len = 0;
	} else {
		if (!ib->in_stream)
			return fail(ib, "stream data outside a stream");
		if (h->peerid != ib->st_peerid)
			return fail(ib, "stream data with another peer id");
		if (len == 0 || len > ib->st_total - ib->st_len)
			return fail(ib, "stream data exceeds declared total");
		memcpy(ib->st_buf + ib->st_len, p, len);
		ib->st_len += len;
	}
	if (ib->st_len < ib->st_total)
		return 0;
	/* complete: deliver as one message of the declared type */
	memset(m, 0, sizeof(*m));
	m->hdr.type = ib->st_type;
	m->hdr.len = 0;
	m->hdr.flags = IMSGF_STREAMED;
	m->hdr.peerid = ib->st_peerid;
	m->hdr.pid = h->pid;
	m->fd = -1;
	m->data = ib->st_buf;
	m->len = ib->st_total;
	ib->st_done = ib->st_buf;
	ib->st_buf = NULL;
	ib->in_stream = 0;
	return 1;
}

int
imsg_get(struct imsgbuf *ib, struct imsg *m)
{
	const struct chan_msg	*mt;
	struct imsg_hdr		 h;
	const uint8_t		*p;
	size_t			 avail, plen;
	int			 r;

	if (ib->st_done != NULL) {
		/* a delivered stream may hold secrets (keys, communities) */
		explicit_bzero(ib->st_done, ib->st_total);
		free(ib->st_done);
		ib->st_done = NULL;
	}
	for (;;) {
		avail = ib->rlen - ib->roff;
		if (avail < IMSG_HDR_SIZE)
			return need_more(ib, avail > 0);
		p = ib->rbuf + ib->roff;
		h.type = get32(p);
		h.len = get32(p + 4);
		h.flags = (uint16_t)(p[8] << 8 | p[9]);
		h.peerid = get32(p + 12);
		h.pid = get32(p + 16);
		if (h.len < IMSG_HDR_SIZE || h.len > IMSG_MAX_SIZE)
			return fail(ib, "bad message length");
		if ((h.flags & ~IMSGF_HASFD) != 0 || p[10] != 0 || p[11] != 0)
			return fail(ib, "bad message flags");
		if (avail < h.len)
			return need_more(ib, (h.flags & IMSGF_HASFD) != 0);
		plen = h.len - IMSG_HDR_SIZE;
		ib->roff += h.len;
		if (h.type == IMSG_STREAM_BEGIN || h.type == IMSG_STREAM_DATA) {
			if (h.flags & IMSGF_HASFD)
				return fail(ib, "descriptor on a stream frame");
			r = stream_frame(ib, &h, p + IMSG_HDR_SIZE, plen, m);
			if (r != 0)
				return r;
			continue;
		}
		if (ib->in_stream)
			return fail(ib, "message inside a stream");
		if ((mt = chan_msg(ib->chan, ib->peer, h.type)) == NULL)
			return fail(ib, "message type not allowed from this peer");
		if (mt->flags & MT_STREAM)
			return fail(ib, "streamed type sent as one message");
		if (plen > mt->max)
			return fail(ib, "message too long for its type");
		m->fd = -1;
		if (h.flags & IMSGF_HASFD) {
			if (!(mt->flags & (MT_FD | MT_FD_OPT)))
				return fail(ib, "descriptor on a type without one");
			if ((m->fd = pop_fd(ib)) == -1)
				return fail(ib, "message announces a descriptor "
				    "that did not arrive");
		} else if (mt->flags & MT_FD)
			return fail(ib, "message lacks its descriptor");
		m->hdr = h;
		m->data = p + IMSG_HDR_SIZE;
		m->len = plen;
		return 1;
	}
}

void
imsg_free(struct imsg *m)
{
	if (m->fd != -1) {
		close(m->fd);
		m->fd = -1;
	}
}

int
imsg_read_one(struct imsgbuf *ib, struct imsg *m)
{
	struct pollfd	 pfd;
	ssize_t		 n;
	int		 r;

	for (;;) {
		if ((r = imsg_get(ib, m)) != 0)
			return r;
		n = imsgbuf_read(ib);
		if (n == 0)
			return 0;
		if (n == -1) {
			if (errno != EAGAIN)
				return -1;
			pfd.fd = ib->fd;
			pfd.events = POLLIN;
			if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
				return -1;
		}
	}
}
