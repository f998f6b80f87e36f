/*
 * The channel from signerd to auditd: see signerd_auditd.h.
 */
#include <string.h>

#include "chan/signerd_auditd.h"

static const struct chan_msg signerd_to_auditd[] = {
	{ IMSG_VERDICT, 0, 1024 },
	{ IMSG_PACKAGE_STORE, MT_STREAM, BUNDLE_PKG_SIZE_MAX + 256 },
};

const struct chan_def chan_signerd_auditd = {
	"signerd-auditd", PROC_SIGNERD, PROC_AUDITD,
	CHAN_MSGS(signerd_to_auditd), CHAN_NONE,
};

void
msg_verdict_encode(struct wbuf *w, const struct msg_verdict *v)
{
	wbuf_u8(w, v->what);
	wbuf_u8(w, v->ok);
	wbuf_str(w, v->reason);
	wbuf_u64(w, v->sequence);
	wbuf_u8(w, v->what == VERDICT_PACKAGE);
	if (v->what == VERDICT_PACKAGE)
		wbuf_pkg_id(w, &v->pkg);
	wbuf_str(w, v->sha256);
	wbuf_str(w, v->error);
}

int
msg_verdict_decode(const void *p, size_t len, struct msg_verdict *v)
{
	struct rbuf	 r;
	uint8_t		 has_pkg;

	memset(v, 0, sizeof(*v));
	rbuf_init(&r, p, len);
	v->what = rbuf_u8(&r);
	v->ok = rbuf_u8(&r);
	rbuf_str(&r, v->reason, sizeof(v->reason));
	v->sequence = rbuf_u64(&r);
	/* 0 or 1, as the encoder writes it */
	if ((has_pkg = rbuf_u8(&r)) == 1)
		rbuf_pkg_id(&r, &v->pkg);
	rbuf_str(&r, v->sha256, sizeof(v->sha256));
	rbuf_str(&r, v->error, sizeof(v->error));
	if (rbuf_done(&r) == -1 || has_pkg > 1 ||
	    v->what > VERDICT_PACKAGE || v->ok > 1 ||
	    v->reason[0] == '\0' || v->sequence > BUNDLE_SEQ_MAX ||
	    (v->what == VERDICT_PACKAGE) != (v->pkg.name[0] != '\0') ||
	    (v->sha256[0] != '\0' && !valid_hex64(v->sha256)))
		return -1;
	return 0;
}

void
msg_verdict_send(struct imsgev *iev, const struct msg_verdict *v)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_verdict_encode(w, v);
	imsgev_sendw(iev, IMSG_VERDICT, 0, -1, w);
}

void
msg_package_store_encode(struct wbuf *w, const struct msg_package_store *ps)
{
	wbuf_pkg_id(w, &ps->id);
	wbuf_str(w, ps->sha256);
	wbuf_blob(w, ps->file, ps->filelen);
}

int
msg_package_store_decode(const void *p, size_t len,
    struct msg_package_store *ps)
{
	struct rbuf	 r;

	memset(ps, 0, sizeof(*ps));
	rbuf_init(&r, p, len);
	rbuf_pkg_id(&r, &ps->id);
	rbuf_str(&r, ps->sha256, sizeof(ps->sha256));
	ps->file = rbuf_blob(&r, &ps->filelen, BUNDLE_PKG_SIZE_MAX);
	if (rbuf_done(&r) == -1 || !valid_hex64(ps->sha256) ||
	    ps->filelen == 0)
		return -1;
	return 0;
}

void
msg_package_store_send(struct imsgev *iev, const struct msg_package_store *ps)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_package_store_encode(w, ps);
	imsgev_sendw(iev, IMSG_PACKAGE_STORE, 0, -1, w);
}
