#include <sys/socket.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "profile.h"

#define K	1024U
#define M	(1024U * 1024U)

static const struct msgtype msgtypes[IMSG_TYPE_MAX] = {
	[IMSG_NONE] =		{ "NONE", 0, 0 },
	[IMSG_STREAM_BEGIN] =	{ "STREAM_BEGIN", 0, 12 },
	[IMSG_STREAM_DATA] =	{ "STREAM_DATA", 0, IMSG_MAX_PAYLOAD },
	[IMSG_SANDBOX] =	{ "SANDBOX", 0, 16 + CONF_STR_MAX },
	[IMSG_CONF_COLLECTD] =	{ "CONF_COLLECTD", MT_STREAM, 48 * M },
	[IMSG_CONF_AUDITD] =	{ "CONF_AUDITD", MT_STREAM, 64 * K },
	[IMSG_CONF_SIGNERD] =	{ "CONF_SIGNERD", MT_STREAM, 4 * K },
	[IMSG_CONF_UPLINKD] =	{ "CONF_UPLINKD", MT_STREAM, 256 * K },
	[IMSG_PING] =		{ "PING", 0, 4 },
	[IMSG_READY] =		{ "READY", 0, 0 },
	[IMSG_PONG] =		{ "PONG", 0, 4 * K },
	[IMSG_COLLECT_START] =	{ "COLLECT_START", 0, 1 * K },
	[IMSG_CYCLE_BEGIN] =	{ "CYCLE_BEGIN", 0, 1 * K },
	[IMSG_DEV_BEGIN] =	{ "DEV_BEGIN", 0, 16 * K },
	[IMSG_DEV_METER] =	{ "DEV_METER", 0, 2 * K },
	[IMSG_DEV_SUPPLY] =	{ "DEV_SUPPLY", 0, 4 * K },
	[IMSG_DEV_ALERT] =	{ "DEV_ALERT", 0, 4 * K },
	[IMSG_DEV_END] =	{ "DEV_END", 0, 64 },
	[IMSG_CYCLE_END] =	{ "CYCLE_END", 0, 1 * K },
	[IMSG_CYCLE_STORED] =	{ "CYCLE_STORED", 0, 1 * K },
	[IMSG_AUDIT_EVENT] =	{ "AUDIT_EVENT", 0, 8 * K },
	[IMSG_OUTBOX_KICK] =	{ "OUTBOX_KICK", 0, 64 },
	[IMSG_OUTBOX_STATUS_REQ] = { "OUTBOX_STATUS_REQ", 0, 64 },
	[IMSG_OUTBOX_STATUS] =	{ "OUTBOX_STATUS", 0, 4 * K },
	[IMSG_UPLOAD_JOB] =	{ "UPLOAD_JOB", MT_STREAM, IMSG_MAX_STREAM },
	[IMSG_UPLOAD_RESULT] =	{ "UPLOAD_RESULT", 0, 8 * K },
	[IMSG_DIAL_REQ] =	{ "DIAL_REQ", 0, 64 },
	[IMSG_DIAL_RESULT] =	{ "DIAL_RESULT", MT_FD_OPT, 1 * K },
	[IMSG_SIGNED_BLOB] =	{ "SIGNED_BLOB", MT_STREAM, IMSG_MAX_STREAM },
	[IMSG_VERDICT] =	{ "VERDICT", 0, 4 * K },
	[IMSG_PACKAGE_STORE] =	{ "PACKAGE_STORE", MT_STREAM, IMSG_MAX_STREAM },
	[IMSG_INSTRUCTIONS] =	{ "INSTRUCTIONS", 0, 8 * K },
	[IMSG_CTL_REQUEST] =	{ "CTL_REQUEST", 0, 1 * K },
	[IMSG_CTL_REPLY] =	{ "CTL_REPLY", 0, 8 * K },
	[IMSG_CTL_END] =	{ "CTL_END", 0, 64 },
};

const struct msgtype *
msgtype_info(uint32_t type)
{
	static const struct msgtype	 unknown = { "UNKNOWN", 0, 0 };

	if (type >= IMSG_TYPE_MAX || msgtypes[type].name == NULL)
		return &unknown;
	return &msgtypes[type];
}

const char *
msgtype_name(uint32_t type)
{
	return msgtype_info(type)->name;
}

int
msg_empty_decode(const void *p, size_t len)
{
	return len == 0 ? 0 : -1;
}

/* IMSG_SANDBOX */
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

/* IMSG_PING */
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

/* IMSG_PONG */
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

/* IMSG_COLLECT_START */
void
msg_collect_start_encode(struct wbuf *w, const struct msg_collect_start *c)
{
	wbuf_u64(w, c->token);
	wbuf_str(w, c->reason);
}

int
msg_collect_start_decode(const void *p, size_t len,
    struct msg_collect_start *c)
{
	struct rbuf	 r;

	rbuf_init(&r, p, len);
	c->token = rbuf_u64(&r);
	rbuf_str(&r, c->reason, sizeof(c->reason));
	return rbuf_done(&r);
}

/* socket addresses: family, address bytes, port */
static void
wbuf_addr(struct wbuf *w, const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET) {
		wbuf_u8(w, 4);
		wbuf_bytes(w, &sin->sin_addr, 4);
		wbuf_u16(w, ntohs(sin->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		wbuf_u8(w, 6);
		wbuf_bytes(w, &sin6->sin6_addr, 16);
		wbuf_u16(w, ntohs(sin6->sin6_port));
		wbuf_u32(w, sin6->sin6_scope_id);
	} else
		fatalx("wbuf_addr: address family %d", ss->ss_family);
}

static void
rbuf_addr(struct rbuf *r, struct sockaddr_storage *ss, socklen_t *slen)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	const uint8_t		*a;
	uint8_t			 fam;

	memset(ss, 0, sizeof(*ss));
	fam = rbuf_u8(r);
	if (fam == 4) {
		if ((a = rbuf_bytes(r, 4)) == NULL)
			return;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a, 4);
		sin->sin_port = htons(rbuf_u16(r));
		*slen = sizeof(*sin);
	} else if (fam == 6) {
		if ((a = rbuf_bytes(r, 16)) == NULL)
			return;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, a, 16);
		sin6->sin6_port = htons(rbuf_u16(r));
		sin6->sin6_scope_id = rbuf_u32(r);
		*slen = sizeof(*sin6);
	} else
		r->err = 1;
}

static void
wbuf_topts(struct wbuf *w, const struct snmp_target_opts *o)
{
	wbuf_u16(w, o->port);
	wbuf_u8(w, o->version);
	wbuf_str(w, o->community);
	wbuf_str(w, o->user);
}

static void
rbuf_topts(struct rbuf *r, struct snmp_target_opts *o)
{
	o->port = rbuf_u16(r);
	o->version = rbuf_u8(r);
	if (o->version > SNMPV_3)
		r->err = 1;
	rbuf_str(r, o->community, sizeof(o->community));
	rbuf_str(r, o->user, sizeof(o->user));
}

/* IMSG_CONF_COLLECTD: what the collector needs, secrets included */
void
msg_conf_collectd_encode(struct wbuf *w, const struct callhome_conf *c)
{
	const struct v3user		*u;
	const struct device_conf	*d;
	const struct discover_conf	*dc;
	uint32_t			 n;

	wbuf_u32(w, c->send);
	wbuf_str(w, c->snmp_community);
	wbuf_u8(w, c->snmp_version);
	wbuf_u32(w, c->snmp_timeout_ms);
	wbuf_u32(w, c->snmp_retries);
	wbuf_u32(w, c->snmp_window);
	wbuf_u32(w, c->snmp_rate);
	wbuf_u32(w, c->discover_rate);
	n = 0;
	TAILQ_FOREACH(u, &c->v3users, entry)
		n++;
	wbuf_u32(w, n);
	TAILQ_FOREACH(u, &c->v3users, entry) {
		wbuf_str(w, u->name);
		wbuf_u8(w, u->auth);
		wbuf_str(w, u->authpass);
		wbuf_u8(w, u->priv);
		wbuf_str(w, u->privpass);
		wbuf_str(w, u->context);
	}
	n = 0;
	TAILQ_FOREACH(d, &c->devices, entry)
		n++;
	wbuf_u32(w, n);
	TAILQ_FOREACH(d, &c->devices, entry) {
		wbuf_addr(w, &d->addr);
		wbuf_topts(w, &d->opts);
	}
	n = 0;
	TAILQ_FOREACH(dc, &c->discovers, entry)
		n++;
	wbuf_u32(w, n);
	TAILQ_FOREACH(dc, &c->discovers, entry) {
		wbuf_addr(w, &dc->net);
		wbuf_u8(w, dc->prefixlen);
		wbuf_topts(w, &dc->opts);
	}
	wbuf_u8(w, c->profile_set != NULL);
	if (c->profile_set != NULL)
		msg_profiles_encode(w, c->profile_set);
}

int
msg_conf_collectd_decode(const void *p, size_t len, struct callhome_conf *c)
{
	struct rbuf		 r;
	struct v3user		*u;
	struct device_conf	*d;
	struct discover_conf	*dc;
	uint32_t		 i, n;

	rbuf_init(&r, p, len);
	c->send = rbuf_u32(&r);
	rbuf_str(&r, c->snmp_community, sizeof(c->snmp_community));
	c->snmp_version = rbuf_u8(&r);
	c->snmp_timeout_ms = rbuf_u32(&r);
	c->snmp_retries = rbuf_u32(&r);
	c->snmp_window = rbuf_u32(&r);
	c->snmp_rate = rbuf_u32(&r);
	c->discover_rate = rbuf_u32(&r);
	if ((n = rbuf_u32(&r)) > CONF_MAX_V3USERS)
		return -1;
	for (i = 0; i < n && !r.err; i++) {
		if ((u = calloc(1, sizeof(*u))) == NULL)
			fatal(NULL);
		TAILQ_INSERT_TAIL(&c->v3users, u, entry);
		rbuf_str(&r, u->name, sizeof(u->name));
		u->auth = rbuf_u8(&r);
		rbuf_str(&r, u->authpass, sizeof(u->authpass));
		u->priv = rbuf_u8(&r);
		rbuf_str(&r, u->privpass, sizeof(u->privpass));
		rbuf_str(&r, u->context, sizeof(u->context));
		if (u->auth > V3_AUTH_SHA512 || u->priv > V3_PRIV_AES256)
			r.err = 1;
	}
	if ((n = rbuf_u32(&r)) > CONF_MAX_DEVICES)
		return -1;
	for (i = 0; i < n && !r.err; i++) {
		if ((d = calloc(1, sizeof(*d))) == NULL)
			fatal(NULL);
		TAILQ_INSERT_TAIL(&c->devices, d, entry);
		rbuf_addr(&r, &d->addr, &d->addrlen);
		rbuf_topts(&r, &d->opts);
	}
	if ((n = rbuf_u32(&r)) > CONF_MAX_DISCOVER)
		return -1;
	for (i = 0; i < n && !r.err; i++) {
		socklen_t	 sl;

		if ((dc = calloc(1, sizeof(*dc))) == NULL)
			fatal(NULL);
		TAILQ_INSERT_TAIL(&c->discovers, dc, entry);
		rbuf_addr(&r, &dc->net, &sl);
		dc->prefixlen = rbuf_u8(&r);
		rbuf_topts(&r, &dc->opts);
		if (dc->prefixlen > (dc->net.ss_family == AF_INET ? 32 : 128))
			r.err = 1;
	}
	if (rbuf_u8(&r) == 1 && !r.err) {
		if ((c->profile_set = calloc(1, sizeof(*c->profile_set))) ==
		    NULL)
			fatal(NULL);
		if (msg_profiles_decode(&r, c->profile_set) == -1)
			r.err = 1;
	}
	if (c->snmp_version > SNMPV_3 || c->snmp_window == 0 ||
	    c->snmp_rate == 0 || c->snmp_timeout_ms == 0 ||
	    c->send >= (1U << CAT_MAX))
		r.err = 1;
	return rbuf_done(&r);
}

void
blob_free(struct blob *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

/* IMSG_CONF_AUDITD: no secrets */
void
msg_conf_auditd_encode(struct wbuf *w, const struct callhome_conf *c,
    const struct blob *xsd)
{
	wbuf_str(w, c->gateway);
	wbuf_str(w, c->site);
	wbuf_str(w, c->server.name);
	wbuf_u16(w, c->server.port);
	wbuf_u8(w, c->authorize_upload ? 1 : 0);
	wbuf_u32(w, c->send);
	wbuf_u32(w, c->retention_days);
	wbuf_u64(w, c->spool_limit);
	wbuf_u32(w, c->checkin_every);
	wbuf_blob(w, xsd->data, xsd->len);
}

int
msg_conf_auditd_decode(const void *p, size_t len, struct callhome_conf *c,
    struct blob *xsd)
{
	struct rbuf	 r;
	const uint8_t	*b;
	uint8_t		 auth;

	rbuf_init(&r, p, len);
	rbuf_str(&r, c->gateway, sizeof(c->gateway));
	rbuf_str(&r, c->site, sizeof(c->site));
	rbuf_str(&r, c->server.name, sizeof(c->server.name));
	c->server.port = rbuf_u16(&r);
	auth = rbuf_u8(&r);
	c->send = rbuf_u32(&r);
	c->retention_days = rbuf_u32(&r);
	c->spool_limit = rbuf_u64(&r);
	c->checkin_every = rbuf_u32(&r);
	xsd->data = NULL;
	xsd->len = 0;
	if ((b = rbuf_blob(&r, &xsd->len, SCHEMA_MAX)) != NULL) {
		if ((xsd->data = malloc(xsd->len + 1)) == NULL)
			fatal(NULL);
		memcpy(xsd->data, b, xsd->len);
		xsd->data[xsd->len] = '\0';
	}
	if (auth > 1 || c->send >= (1U << CAT_MAX) || rbuf_done(&r) == -1) {
		blob_free(xsd);
		return -1;
	}
	c->authorize_upload = auth;
	return 0;
}

/* IMSG_CONF_SIGNERD */
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

/* IMSG_CONF_UPLINKD */
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
	if ((b = rbuf_blob(&r, &u->xsdlen, SCHEMA_MAX)) != NULL)
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

static const char *const upload_status_names[UP_STATUS_MAX] = {
	"delivered", "receipt-mismatch", "dial-failed", "tls-failed",
	"http-error", "protocol-error", "timeout",
};

const char *
upload_status_name(int s)
{
	if (s < 0 || s >= UP_STATUS_MAX)
		return "unknown";
	return upload_status_names[s];
}

int
valid_hex64(const char *s)
{
	size_t	 i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

/* IMSG_UPLOAD_JOB */
void
msg_upload_job_encode(struct wbuf *w, const struct msg_upload_job *j)
{
	wbuf_u64(w, j->job);
	wbuf_u8(w, j->kind);
	wbuf_str(w, j->sha256);
	wbuf_u8(w, j->gzip);
	wbuf_u64(w, j->doclen);
	wbuf_blob(w, j->body, j->bodylen);
}

int
msg_upload_job_decode(const void *p, size_t len, struct msg_upload_job *j)
{
	struct rbuf	 r;

	memset(j, 0, sizeof(*j));
	rbuf_init(&r, p, len);
	j->job = rbuf_u64(&r);
	j->kind = rbuf_u8(&r);
	rbuf_str(&r, j->sha256, sizeof(j->sha256));
	j->gzip = rbuf_u8(&r);
	j->doclen = rbuf_u64(&r);
	j->body = rbuf_blob(&r, &j->bodylen, IMSG_MAX_STREAM);
	if (rbuf_done(&r) == -1 || j->kind != JOB_UPLOAD || j->gzip > 1 ||
	    !valid_hex64(j->sha256) || j->doclen > IMSG_MAX_STREAM)
		return -1;
	return 0;
}

/* IMSG_UPLOAD_RESULT */
void
msg_upload_result_encode(struct wbuf *w, const struct msg_upload_result *u)
{
	wbuf_u64(w, u->job);
	wbuf_u8(w, u->status);
	wbuf_u32(w, (uint32_t)u->http_status);
	wbuf_str(w, u->server);
	wbuf_str(w, u->via);
	wbuf_str(w, u->tls_version);
	wbuf_str(w, u->cert_hash);
	wbuf_str(w, u->receipt_sha256);
	wbuf_i64(w, u->doc_id);
	wbuf_str(w, u->server_time);
	wbuf_u8(w, u->duplicate);
	wbuf_u64(w, u->bytes_sent);
	wbuf_u64(w, u->bytes_received);
	wbuf_str(w, u->error);
	wbuf_u32(w, u->retry_after);
}

int
msg_upload_result_decode(const void *p, size_t len,
    struct msg_upload_result *u)
{
	struct rbuf	 r;

	memset(u, 0, sizeof(*u));
	rbuf_init(&r, p, len);
	u->job = rbuf_u64(&r);
	u->status = rbuf_u8(&r);
	u->http_status = (int32_t)rbuf_u32(&r);
	rbuf_str(&r, u->server, sizeof(u->server));
	rbuf_str(&r, u->via, sizeof(u->via));
	rbuf_str(&r, u->tls_version, sizeof(u->tls_version));
	rbuf_str(&r, u->cert_hash, sizeof(u->cert_hash));
	rbuf_str(&r, u->receipt_sha256, sizeof(u->receipt_sha256));
	u->doc_id = rbuf_i64(&r);
	rbuf_str(&r, u->server_time, sizeof(u->server_time));
	u->duplicate = rbuf_u8(&r);
	u->bytes_sent = rbuf_u64(&r);
	u->bytes_received = rbuf_u64(&r);
	rbuf_str(&r, u->error, sizeof(u->error));
	u->retry_after = rbuf_u32(&r);
	if (rbuf_done(&r) == -1 || u->status >= UP_STATUS_MAX ||
	    u->duplicate > 1 || u->http_status < 0 || u->http_status > 999 ||
	    u->retry_after > UP_RETRY_AFTER_MAX ||
	    (u->receipt_sha256[0] != '\0' && !valid_hex64(u->receipt_sha256)))
		return -1;
	return 0;
}

/* IMSG_DIAL_REQ */
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

/* IMSG_DIAL_RESULT */
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

static const char *const ctl_names[CTL_COMMAND_MAX] = {
	[CTL_STATUS] = "status", [CTL_COLLECT] = "collect",
	[CTL_SEND] = "send", [CTL_CHECKIN] = "checkin",
	[CTL_RELOAD] = "reload",
};

const char *
ctl_command_name(int c)
{
	if (c <= 0 || c >= CTL_COMMAND_MAX)
		return "unknown";
	return ctl_names[c];
}

/* IMSG_CTL_REQUEST */
void
msg_ctl_request_encode(struct wbuf *w, const struct msg_ctl_request *r)
{
	wbuf_u32(w, r->command);
}

int
msg_ctl_request_decode(const void *p, size_t len, struct msg_ctl_request *r)
{
	struct rbuf	 rb;

	rbuf_init(&rb, p, len);
	r->command = rbuf_u32(&rb);
	if (rbuf_done(&rb) == -1 || r->command == 0 ||
	    r->command >= CTL_COMMAND_MAX)
		return -1;
	return 0;
}

/* IMSG_CTL_REPLY */
void
msg_ctl_reply_encode(struct wbuf *w, const struct msg_ctl_reply *r)
{
	wbuf_str(w, r->key);
	wbuf_str(w, r->value);
}

int
msg_ctl_reply_decode(const void *p, size_t len, struct msg_ctl_reply *r)
{
	struct rbuf	 rb;

	rbuf_init(&rb, p, len);
	rbuf_str(&rb, r->key, sizeof(r->key));
	rbuf_str(&rb, r->value, sizeof(r->value));
	if (rbuf_done(&rb) == -1 || r->key[0] == '\0')
		return -1;
	return 0;
}

/* IMSG_CTL_END */
void
msg_ctl_end_encode(struct wbuf *w, const struct msg_ctl_end *e)
{
	wbuf_u32(w, (uint32_t)e->code);
}

int
msg_ctl_end_decode(const void *p, size_t len, struct msg_ctl_end *e)
{
	struct rbuf	 rb;

	rbuf_init(&rb, p, len);
	e->code = (int32_t)rbuf_u32(&rb);
	if (rbuf_done(&rb) == -1 || e->code < 0 || e->code > 255)
		return -1;
	return 0;
}
