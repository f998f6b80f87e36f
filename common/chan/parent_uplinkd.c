/*
 * The channel between callhomed and uplinkd: see parent_uplinkd.h.
 */
#include <stdlib.h>
#include <string.h>

#include "chan/parent_uplinkd.h"
#include "log.h"

static const struct chan_msg parent_to_uplinkd[] = {
	CHAN_LIFECYCLE_TO_CHILD,
	{ IMSG_CONF_UPLINKD, MT_STREAM,
	    3 * UPLINK_PEM_MAX + UPLINK_SCHEMA_MAX + 8 * CONF_STR_MAX },
	{ IMSG_DIAL_RESULT, MT_FD_OPT, 1024 },
	{ IMSG_FETCH, 0, 256 },
};
static const struct chan_msg uplinkd_to_parent[] = {
	CHAN_LIFECYCLE_TO_PARENT,
	{ IMSG_DIAL_REQ, 0, 8 },
};

const struct chan_def chan_parent_uplinkd = {
	"parent-uplinkd", PROC_PARENT, PROC_UPLINKD,
	CHAN_MSGS(parent_to_uplinkd), CHAN_MSGS(uplinkd_to_parent),
};

void
msg_conf_uplinkd_encode(struct wbuf *w, const struct uplink_conf *u)
{
	wbuf_str(w, u->server);
	wbuf_u16(w, u->port);
	wbuf_u32(w, u->protocols);
	wbuf_str(w, u->ciphers);
	wbuf_str(w, u->pin);
	wbuf_str(w, u->token);
	wbuf_str(w, u->gateway);
	wbuf_blob(w, u->ca, u->calen);
	wbuf_blob(w, u->cert, u->certlen);
	wbuf_blob(w, u->key, u->keylen);
	wbuf_blob(w, u->xsd, u->xsdlen);
}

static uint8_t *
dup_blob(const uint8_t *p, size_t len)
{
	uint8_t	*d;

	if ((d = malloc(len + 1)) == NULL)
		fatal(NULL);
	if (len > 0)
		memcpy(d, p, len);
	d[len] = '\0';
	return d;
}

int
msg_conf_uplinkd_decode(const void *p, size_t len, struct uplink_conf *u)
{
	struct rbuf	 r;
	const uint8_t	*b;

	memset(u, 0, sizeof(*u));
	rbuf_init(&r, p, len);
	rbuf_str(&r, u->server, sizeof(u->server));
	u->port = rbuf_u16(&r);
	u->protocols = rbuf_u32(&r);
	rbuf_str(&r, u->ciphers, sizeof(u->ciphers));
	rbuf_str(&r, u->pin, sizeof(u->pin));
	rbuf_str(&r, u->token, sizeof(u->token));
	rbuf_str(&r, u->gateway, sizeof(u->gateway));
	if ((b = rbuf_blob(&r, &u->calen, UPLINK_PEM_MAX)) != NULL)
		u->ca = dup_blob(b, u->calen);
	if ((b = rbuf_blob(&r, &u->certlen, UPLINK_PEM_MAX)) != NULL)
		u->cert = dup_blob(b, u->certlen);
	if ((b = rbuf_blob(&r, &u->keylen, UPLINK_PEM_MAX)) != NULL)
		u->key = dup_blob(b, u->keylen);
	if ((b = rbuf_blob(&r, &u->xsdlen, UPLINK_SCHEMA_MAX)) != NULL)
		u->xsd = dup_blob(b, u->xsdlen);
	/* TLS 1.2 and 1.3 only, and only with a server to talk to */
	if (rbuf_done(&r) == -1 ||
	    (u->protocols & ~(CONF_TLSV1_2 | CONF_TLSV1_3)) != 0 ||
	    (u->server[0] != '\0' && (u->protocols == 0 || u->port == 0 ||
	    u->ciphers[0] == '\0'))) {
		uplink_conf_clear(u);
		return -1;
	}
	return 0;
}

void
msg_conf_uplinkd_send(struct imsgev *iev, const struct uplink_conf *u)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_conf_uplinkd_encode(w, u);
	imsgev_sendw(iev, IMSG_CONF_UPLINKD, 0, -1, w);
}

void
uplink_conf_clear(struct uplink_conf *u)
{
	if (u->key != NULL)
		explicit_bzero(u->key, u->keylen);
	free(u->ca);
	free(u->cert);
	free(u->key);
	free(u->xsd);
	explicit_bzero(u, sizeof(*u));
}

void
msg_dial_req_encode(struct wbuf *w, const struct msg_dial_req *d)
{
	wbuf_u64(w, d->job);
}

int
msg_dial_req_decode(const void *p, size_t len, struct msg_dial_req *d)
{
	struct rbuf	 r;

	rbuf_init(&r, p, len);
	d->job = rbuf_u64(&r);
	return rbuf_done(&r);
}

void
msg_dial_req_send(struct imsgev *iev, const struct msg_dial_req *d)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_dial_req_encode(w, d);
	imsgev_sendw(iev, IMSG_DIAL_REQ, 0, -1, w);
}

void
msg_dial_result_encode(struct wbuf *w, const struct msg_dial_result *d)
{
	wbuf_u64(w, d->job);
	wbuf_u8(w, d->ok);
	wbuf_str(w, d->via);
	wbuf_str(w, d->error);
}

int
msg_dial_result_decode(const void *p, size_t len, struct msg_dial_result *d)
{
	struct rbuf	 r;

	memset(d, 0, sizeof(*d));
	rbuf_init(&r, p, len);
	d->job = rbuf_u64(&r);
	d->ok = rbuf_u8(&r);
	rbuf_str(&r, d->via, sizeof(d->via));
	rbuf_str(&r, d->error, sizeof(d->error));
	if (rbuf_done(&r) == -1 || d->ok > 1)
		return -1;
	return 0;
}

void
msg_dial_result_send(struct imsgev *iev, const struct msg_dial_result *d,
    int fd)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_dial_result_encode(w, d);
	imsgev_sendw(iev, IMSG_DIAL_RESULT, 0, fd, w);
}

void
msg_fetch_encode(struct wbuf *w, const struct msg_fetch *f)
{
	wbuf_pkg_id(w, &f->id);
	wbuf_u64(w, f->size);
}

int
msg_fetch_decode(const void *p, size_t len, struct msg_fetch *f)
{
	struct rbuf	 r;

	memset(f, 0, sizeof(*f));
	rbuf_init(&r, p, len);
	rbuf_pkg_id(&r, &f->id);
	f->size = rbuf_u64(&r);
	if (rbuf_done(&r) == -1 || f->size == 0 ||
	    f->size > BUNDLE_PKG_SIZE_MAX)
		return -1;
	return 0;
}

void
msg_fetch_send(struct imsgev *iev, const struct msg_fetch *f)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_fetch_encode(w, f);
	imsgev_sendw(iev, IMSG_FETCH, 0, -1, w);
}
