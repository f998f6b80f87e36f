/*
 * The channel between callhomed and signerd: see parent_signerd.h.
 */
#include <string.h>

#include "chan/parent_signerd.h"

static const struct chan_msg parent_to_signerd[] = {
	CHAN_LIFECYCLE_TO_CHILD,
	{ IMSG_CONF_SIGNERD, MT_STREAM, 2 * SIGNER_KEYFILE_MAX + 512 },
	{ IMSG_SIGNER_STATE, 0, 8 * 1024 },
};
static const struct chan_msg signerd_to_parent[] = {
	CHAN_LIFECYCLE_TO_PARENT,
	{ IMSG_INSTRUCTIONS, 0, 16 * 1024 },
};

const struct chan_def chan_parent_signerd = {
	"parent-signerd", PROC_PARENT, PROC_SIGNERD,
	CHAN_MSGS(parent_to_signerd), CHAN_MSGS(signerd_to_parent),
};

void
msg_conf_signerd_encode(struct wbuf *w, const struct signer_conf *s)
{
	wbuf_str(w, s->gateway);
	wbuf_blob(w, s->instr_key, s->instr_keylen);
	wbuf_blob(w, s->pkg_key, s->pkg_keylen);
}

int
msg_conf_signerd_decode(const void *p, size_t len, struct signer_conf *s)
{
	struct rbuf	 r;
	const uint8_t	*k;

	memset(s, 0, sizeof(*s));
	rbuf_init(&r, p, len);
	rbuf_str(&r, s->gateway, sizeof(s->gateway));
	if ((k = rbuf_blob(&r, &s->instr_keylen, sizeof(s->instr_key))))
		memcpy(s->instr_key, k, s->instr_keylen);
	if ((k = rbuf_blob(&r, &s->pkg_keylen, sizeof(s->pkg_key))))
		memcpy(s->pkg_key, k, s->pkg_keylen);
	return rbuf_done(&r);
}

void
msg_conf_signerd_send(struct imsgev *iev, const struct signer_conf *s)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_conf_signerd_encode(w, s);
	imsgev_sendw(iev, IMSG_CONF_SIGNERD, 0, -1, w);
}

void
msg_signer_state_encode(struct wbuf *w, const struct gw_state *s)
{
	wbuf_gw_state(w, s);
}

int
msg_signer_state_decode(const void *p, size_t len, struct gw_state *s)
{
	struct rbuf	 r;

	rbuf_init(&r, p, len);
	rbuf_gw_state(&r, s);
	return rbuf_done(&r);
}

void
msg_signer_state_send(struct imsgev *iev, const struct gw_state *s)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_signer_state_encode(w, s);
	imsgev_sendw(iev, IMSG_SIGNER_STATE, 0, -1, w);
}

void
msg_instructions_encode(struct wbuf *w, const struct msg_instructions *in)
{
	uint32_t	 i;

	wbuf_u64(w, in->sequence);
	wbuf_i64(w, in->issued);
	wbuf_i64(w, in->expires);
	wbuf_u32(w, in->nitems);
	for (i = 0; i < in->nitems && i < BUNDLE_MAX_ITEMS; i++)
		wbuf_bundle_item(w, &in->items[i]);
}

int
msg_instructions_decode(const void *p, size_t len,
    struct msg_instructions *in)
{
	struct rbuf	 r;
	uint32_t	 i;

	memset(in, 0, sizeof(*in));
	rbuf_init(&r, p, len);
	in->sequence = rbuf_u64(&r);
	in->issued = rbuf_i64(&r);
	in->expires = rbuf_i64(&r);
	if ((in->nitems = rbuf_u32(&r)) > BUNDLE_MAX_ITEMS ||
	    in->nitems == 0 || in->sequence == 0 ||
	    in->sequence > BUNDLE_SEQ_MAX)
		return -1;
	for (i = 0; i < in->nitems && !r.err; i++)
		rbuf_bundle_item(&r, &in->items[i]);
	return rbuf_done(&r);
}

void
msg_instructions_send(struct imsgev *iev, const struct msg_instructions *in)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_instructions_encode(w, in);
	imsgev_sendw(iev, IMSG_INSTRUCTIONS, 0, -1, w);
}
