/*
 * SANDBOX, READY, PING and PONG: see lifecycle.h.
 */
#include <string.h>

#include "chan/lifecycle.h"
#include "log.h"

int
msg_empty_decode(const void *p, size_t len)
{
	return len == 0 ? 0 : -1;
}

void
msg_sandbox_encode(struct wbuf *w, const struct msg_sandbox *s)
{
	wbuf_u32(w, s->uid);
	wbuf_u32(w, s->gid);
	wbuf_str(w, s->root);
}

int
msg_sandbox_decode(const void *p, size_t len, struct msg_sandbox *s)
{
	struct rbuf	 r;

	rbuf_init(&r, p, len);
	s->uid = rbuf_u32(&r);
	s->gid = rbuf_u32(&r);
	rbuf_str(&r, s->root, sizeof(s->root));
	if (rbuf_done(&r) == -1 || s->root[0] != '/')
		return -1;
	return 0;
}

void
msg_sandbox_send(struct imsgev *iev, const struct msg_sandbox *s)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_sandbox_encode(w, s);
	imsgev_sendw(iev, IMSG_SANDBOX, 0, -1, w);
}

void
msg_ping_encode(struct wbuf *w, const struct msg_ping *pi)
{
	wbuf_u32(w, pi->seq);
}

int
msg_ping_decode(const void *p, size_t len, struct msg_ping *pi)
{
	struct rbuf	 r;

	rbuf_init(&r, p, len);
	pi->seq = rbuf_u32(&r);
	return rbuf_done(&r);
}

void
msg_ping_send(struct imsgev *iev, const struct msg_ping *pi)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_ping_encode(w, pi);
	imsgev_sendw(iev, IMSG_PING, 0, -1, w);
}

void
msg_pong_encode(struct wbuf *w, const struct msg_pong *po)
{
	wbuf_u32(w, po->seq);
	wbuf_u32(w, po->proc);
	wbuf_u32(w, po->pid);
	wbuf_u64(w, po->uptime);
	wbuf_u64(w, po->rss_kb);
	wbuf_str(w, po->state);
}

int
msg_pong_decode(const void *p, size_t len, struct msg_pong *po)
{
	struct rbuf	 r;

	rbuf_init(&r, p, len);
	po->seq = rbuf_u32(&r);
	po->proc = rbuf_u32(&r);
	po->pid = rbuf_u32(&r);
	po->uptime = rbuf_u64(&r);
	po->rss_kb = rbuf_u64(&r);
	rbuf_str(&r, po->state, sizeof(po->state));
	if (rbuf_done(&r) == -1 || po->proc >= PROC_MAX)
		return -1;
	return 0;
}

void
msg_pong_send(struct imsgev *iev, uint32_t peerid, const struct msg_pong *po)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_pong_encode(w, po);
	imsgev_sendw(iev, IMSG_PONG, peerid, -1, w);
}

void
msg_ready_send(struct imsgev *iev)
{
	imsgev_send(iev, IMSG_READY, 0, -1, NULL, 0);
}
