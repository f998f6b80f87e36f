/*
 * The channel from uplinkd to signerd: see uplinkd_signerd.h.
 */
#include <string.h>

#include "chan/uplinkd_signerd.h"

static const struct chan_msg uplinkd_to_signerd[] = {
	{ IMSG_BUNDLE, MT_STREAM, BUNDLE_MAX + 16 },
	{ IMSG_PACKAGE, MT_STREAM, BUNDLE_PKG_SIZE_MAX + PKG_SIG_MAX + 256 },
	{ IMSG_FETCH_FAILED, 0, 1024 },
};

const struct chan_def chan_uplinkd_signerd = {
	"uplinkd-signerd", PROC_UPLINKD, PROC_SIGNERD,
	CHAN_MSGS(uplinkd_to_signerd), CHAN_NONE,
};

void
msg_bundle_encode(struct wbuf *w, const struct msg_bundle *b)
{
	wbuf_blob(w, b->data, b->len);
}

int
msg_bundle_decode(const void *p, size_t len, struct msg_bundle *b)
{
	struct rbuf	 r;

	rbuf_init(&r, p, len);
	b->data = rbuf_blob(&r, &b->len, BUNDLE_MAX);
	if (rbuf_done(&r) == -1 || b->len == 0)
		return -1;
	return 0;
}

void
msg_bundle_send(struct imsgev *iev, const struct msg_bundle *b)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_bundle_encode(w, b);
	imsgev_sendw(iev, IMSG_BUNDLE, 0, -1, w);
}

void
msg_package_encode(struct wbuf *w, const struct msg_package *pk)
{
	wbuf_pkg_id(w, &pk->id);
	wbuf_blob(w, pk->file, pk->filelen);
	wbuf_blob(w, pk->sig, pk->siglen);
}

int
msg_package_decode(const void *p, size_t len, struct msg_package *pk)
{
	struct rbuf	 r;

	memset(pk, 0, sizeof(*pk));
	rbuf_init(&r, p, len);
	rbuf_pkg_id(&r, &pk->id);
	pk->file = rbuf_blob(&r, &pk->filelen, BUNDLE_PKG_SIZE_MAX + 1);
	pk->sig = rbuf_blob(&r, &pk->siglen, PKG_SIG_MAX);
	return rbuf_done(&r);
}

void
msg_package_send(struct imsgev *iev, const struct msg_package *pk)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_package_encode(w, pk);
	imsgev_sendw(iev, IMSG_PACKAGE, 0, -1, w);
}

void
msg_fetch_failed_encode(struct wbuf *w, const struct msg_fetch_failed *f)
{
	wbuf_pkg_id(w, &f->id);
	wbuf_str(w, f->reason);
	wbuf_str(w, f->error);
}

int
msg_fetch_failed_decode(const void *p, size_t len, struct msg_fetch_failed *f)
{
	struct rbuf	 r;

	memset(f, 0, sizeof(*f));
	rbuf_init(&r, p, len);
	rbuf_pkg_id(&r, &f->id);
	rbuf_str(&r, f->reason, sizeof(f->reason));
	rbuf_str(&r, f->error, sizeof(f->error));
	if (rbuf_done(&r) == -1 || (strcmp(f->reason, "size-exceeded") != 0 &&
	    strcmp(f->reason, "timeout") != 0 &&
	    strcmp(f->reason, "fetch-failed") != 0))
		return -1;
	return 0;
}

void
msg_fetch_failed_send(struct imsgev *iev, const struct msg_fetch_failed *f)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_fetch_failed_encode(w, f);
	imsgev_sendw(iev, IMSG_FETCH_FAILED, 0, -1, w);
}
