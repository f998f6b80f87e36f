/*
 * IMSG_OUTBOX_STATUS: see outbox_msg.h.
 */
#include <string.h>

#include "buf.h"
#include "msg.h"
#include "outbox_msg.h"

void
msg_outbox_status_encode(struct wbuf *w, const struct msg_outbox_status *s)
{
	wbuf_u32(w, s->pending);
	wbuf_u64(w, s->pending_bytes);
	wbuf_u64(w, s->delivered);
	wbuf_i64(w, s->last_attempt);
	wbuf_u32(w, (uint32_t)s->last_result);
	wbuf_str(w, s->last_error);
	wbuf_i64(w, s->last_success);
	wbuf_str(w, s->last_sha256);
	wbuf_i64(w, s->next_attempt);
	wbuf_u8(w, s->authorized);
	wbuf_u8(w, s->inflight);
	msg_cycle_encode(w, &s->last_cycle);
}


int
msg_outbox_status_decode(const void *p, size_t len,
    struct msg_outbox_status *s)
{
	struct rbuf	 r;

	memset(s, 0, sizeof(*s));
	rbuf_init(&r, p, len);
	s->pending = rbuf_u32(&r);
	s->pending_bytes = rbuf_u64(&r);
	s->delivered = rbuf_u64(&r);
	s->last_attempt = rbuf_i64(&r);
	s->last_result = (int32_t)rbuf_u32(&r);
	rbuf_str(&r, s->last_error, sizeof(s->last_error));
	s->last_success = rbuf_i64(&r);
	rbuf_str(&r, s->last_sha256, sizeof(s->last_sha256));
	const uint8_t	*c;
	size_t		 clen;

	s->next_attempt = rbuf_i64(&r);
	s->authorized = rbuf_u8(&r);
	s->inflight = rbuf_u8(&r);
	/* the rest is the cycle, in its own codec */
	clen = r.err ? 0 : r.len - r.off;
	c = rbuf_bytes(&r, clen);
	if (c == NULL || msg_cycle_decode(c, clen, &s->last_cycle) == -1)
		return -1;
	if (rbuf_done(&r) == -1 || s->last_result < -1 ||
	    s->last_result >= UP_STATUS_MAX || s->authorized > 1 ||
	    s->inflight > 1 || s->last_attempt < 0 || s->last_success < 0 ||
	    s->next_attempt < 0 || (s->last_sha256[0] != '\0' &&
	    !valid_hex64(s->last_sha256)))
		return -1;
	return 0;
}
