/*
 * The channel between callhomed and signerd: see parent_signerd.h.
 */
#include <string.h>

#include "chan/parent_signerd.h"

static const struct chan_msg parent_to_signerd[] = {
	CHAN_LIFECYCLE_TO_CHILD,
	{ IMSG_CONF_SIGNERD, MT_STREAM, 2 * SIGNER_KEYFILE_MAX + 64 },
};
static const struct chan_msg signerd_to_parent[] = {
	CHAN_LIFECYCLE_TO_PARENT,
};

const struct chan_def chan_parent_signerd = {
	"parent-signerd", PROC_PARENT, PROC_SIGNERD,
	CHAN_MSGS(parent_to_signerd), CHAN_MSGS(signerd_to_parent),
};

void
msg_conf_signerd_encode(struct wbuf *w, const struct signer_conf *s)
{
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
