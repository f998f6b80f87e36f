/*
 * The channel between callhomed and collectd: see parent_collectd.h.
 */
#include <stdlib.h>
#include <string.h>

#include "chan/addr.h"
#include "chan/parent_collectd.h"
#include "log.h"
#include "profile.h"

static const struct chan_msg parent_to_collectd[] = {
	CHAN_LIFECYCLE_TO_CHILD,
	/* 65,536 devices and 64 profiles fit with room to spare */
	{ IMSG_CONF_COLLECTD, MT_STREAM, 48 * 1024 * 1024 },
	{ IMSG_COLLECT_START, 0, 1024 },
};
static const struct chan_msg collectd_to_parent[] = {
	CHAN_LIFECYCLE_TO_PARENT,
};

const struct chan_def chan_parent_collectd = {
	"parent-collectd", PROC_PARENT, PROC_COLLECTD,
	CHAN_MSGS(parent_to_collectd), CHAN_MSGS(collectd_to_parent),
};

struct collectd_conf *
collectd_conf_new(void)
{
	struct collectd_conf	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal(NULL);
	TAILQ_INIT(&c->users);
	TAILQ_INIT(&c->devices);
	TAILQ_INIT(&c->discovers);
	return c;
}

void
collectd_conf_free(struct collectd_conf *c)
{
	struct collectd_user	*u;
	struct device_conf	*d;
	struct discover_conf	*dc;

	if (c == NULL)
		return;
	while ((u = TAILQ_FIRST(&c->users)) != NULL) {
		TAILQ_REMOVE(&c->users, u, entry);
		usm_user_clear(&u->usm);
		explicit_bzero(u, sizeof(*u));
		free(u);
	}
	while ((d = TAILQ_FIRST(&c->devices)) != NULL) {
		TAILQ_REMOVE(&c->devices, d, entry);
		explicit_bzero(d, sizeof(*d));
		free(d);
	}
	while ((dc = TAILQ_FIRST(&c->discovers)) != NULL) {
		TAILQ_REMOVE(&c->discovers, dc, entry);
		explicit_bzero(dc, sizeof(*dc));
		free(dc);
	}
	if (c->profile_set != NULL) {
		profile_set_free(c->profile_set);
		free(c->profile_set);
	}
	explicit_bzero(c, sizeof(*c));
	free(c);
}

const struct collectd_user *
collectd_conf_user(const struct collectd_conf *c, const char *name)
{
	const struct collectd_user	*u;

	TAILQ_FOREACH(u, &c->users, entry)
		if (strcmp(u->name, name) == 0)
			return u;
	return NULL;
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

/*
 * A user on the wire: name, context, allow_weak, the algorithms and the
 * keys (as long as the authentication hash makes them; none without).
 */
static void
encode_users(struct wbuf *w, const struct collectd_users *l)
{
	const struct collectd_user	*u;
	uint32_t			 n = 0;
	size_t				 kl;

	TAILQ_FOREACH(u, l, entry)
		n++;
	wbuf_u32(w, n);
	TAILQ_FOREACH(u, l, entry) {
		kl = usm_key_len(u->usm.auth);
		wbuf_str(w, u->name);
		wbuf_str(w, u->context);
		wbuf_u8(w, u->allow_weak != 0);
		wbuf_u8(w, u->usm.auth);
		wbuf_u8(w, u->usm.priv);
		if (u->usm.auth != USM_AUTH_NONE)
			wbuf_bytes(w, u->usm.auth_ku, kl);
		if (u->usm.priv != USM_PRIV_NONE)
			wbuf_bytes(w, u->usm.priv_ku, kl);
	}
}

/* the keys of a configured user; fatal when libcrypto fails */
static struct collectd_user *
user_from_conf(const struct v3user *v)
{
	struct collectd_user	*u;
	const char		*errstr;
	enum usm_auth		 a = (enum usm_auth)v->auth;
	enum usm_priv		 p = (enum usm_priv)v->priv;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		fatal(NULL);
	(void)strlcpy(u->name, v->name, sizeof(u->name));
	(void)strlcpy(u->context, v->context, sizeof(u->context));
	u->allow_weak = v->allow_weak;
	if (usm_user_init(&u->usm, v->name, a, a != USM_AUTH_NONE ?
	    v->authpass : NULL, p, p != USM_PRIV_NONE ? v->privpass : NULL,
	    v->allow_weak, &errstr) == -1)
		fatalx("SNMPv3 user \"%s\": %s", v->name, errstr);
	return u;
}

static void
encode_targets(struct wbuf *w, const struct devices *devs,
    const struct discovers *discs)
{
	const struct device_conf	*d;
	const struct discover_conf	*dc;
	uint32_t			 n = 0;

	TAILQ_FOREACH(d, devs, entry)
		n++;
	wbuf_u32(w, n);
	TAILQ_FOREACH(d, devs, entry) {
		wbuf_addr(w, &d->addr);
		wbuf_topts(w, &d->opts);
	}
	n = 0;
	TAILQ_FOREACH(dc, discs, entry)
		n++;
	wbuf_u32(w, n);
	TAILQ_FOREACH(dc, discs, entry) {
		wbuf_addr(w, &dc->net);
		wbuf_u8(w, dc->prefixlen);
		wbuf_topts(w, &dc->opts);
	}
}

static void
encode_head(struct wbuf *w, uint32_t send, const char *community,
    uint8_t version, uint32_t timeout, uint32_t retries, uint32_t window,
    uint32_t rate, uint32_t discover_rate)
{
	wbuf_u32(w, send);
	wbuf_str(w, community);
	wbuf_u8(w, version);
	wbuf_u32(w, timeout);
	wbuf_u32(w, retries);
	wbuf_u32(w, window);
	wbuf_u32(w, rate);
	wbuf_u32(w, discover_rate);
}

_Static_assert(sizeof(((struct callhome_conf *)0)->jobdata_pub) ==
    JOBSEAL_KEY_LEN, "the job-data key's size");

static void
encode_tail(struct wbuf *w, const struct profile_set *set, int have_jobkey,
    const uint8_t *jobkey)
{
	wbuf_u8(w, set != NULL);
	if (set != NULL)
		msg_profiles_encode(w, set);
	wbuf_u8(w, have_jobkey != 0);
	if (have_jobkey)
		wbuf_bytes(w, jobkey, JOBSEAL_KEY_LEN);
}

void
msg_conf_collectd_encode(struct wbuf *w, const struct callhome_conf *c)
{
	struct collectd_users	 users;
	struct collectd_user	*u;
	const struct v3user	*v;

	TAILQ_INIT(&users);
	TAILQ_FOREACH(v, &c->v3users, entry) {
		u = user_from_conf(v);
		TAILQ_INSERT_TAIL(&users, u, entry);
	}
	encode_head(w, c->send, c->snmp_community, c->snmp_version,
	    c->snmp_timeout_ms, c->snmp_retries, c->snmp_window, c->snmp_rate,
	    c->discover_rate);
	encode_users(w, &users);
	encode_targets(w, &c->devices, &c->discovers);
	encode_tail(w, c->profile_set, c->have_jobdata_pub, c->jobdata_pub);
	while ((u = TAILQ_FIRST(&users)) != NULL) {
		TAILQ_REMOVE(&users, u, entry);
		usm_user_clear(&u->usm);
		explicit_bzero(u, sizeof(*u));
		free(u);
	}
}

void
collectd_conf_encode(struct wbuf *w, const struct collectd_conf *c)
{
	encode_head(w, c->send, c->snmp_community, c->snmp_version,
	    c->snmp_timeout_ms, c->snmp_retries, c->snmp_window, c->snmp_rate,
	    c->discover_rate);
	encode_users(w, &c->users);
	encode_targets(w, &c->devices, &c->discovers);
	encode_tail(w, c->profile_set, c->have_jobkey, c->jobkey);
}

static void
decode_users(struct rbuf *r, struct collectd_users *l)
{
	struct collectd_user	*u;
	const uint8_t		*ak, *pk;
	const char		*errstr;
	uint32_t		 i, n;
	uint8_t			 a, p;
	size_t			 kl;

	if ((n = rbuf_u32(r)) > CONF_MAX_V3USERS)
		r->err = 1;
	for (i = 0; i < n && !r->err; i++) {
		if ((u = calloc(1, sizeof(*u))) == NULL)
			fatal(NULL);
		TAILQ_INSERT_TAIL(l, u, entry);
		rbuf_str(r, u->name, sizeof(u->name));
		rbuf_str(r, u->context, sizeof(u->context));
		u->allow_weak = rbuf_u8(r);
		a = rbuf_u8(r);
		p = rbuf_u8(r);
		if (r->err || u->allow_weak > 1 || a > USM_AUTH_SHA512 ||
		    p > USM_PRIV_AES256) {
			r->err = 1;
			break;
		}
		kl = usm_key_len(a);
		ak = a != USM_AUTH_NONE ? rbuf_bytes(r, kl) : NULL;
		pk = p != USM_PRIV_NONE ? rbuf_bytes(r, kl) : NULL;
		/* the same checks as the parent's: names, levels, weak */
		if (r->err || usm_user_init_keys(&u->usm, u->name, a, ak, p,
		    pk, u->allow_weak, &errstr) == -1)
			r->err = 1;
	}
}

static void
decode_targets(struct rbuf *r, struct devices *devs, struct discovers *discs)
{
	struct device_conf	*d;
	struct discover_conf	*dc;
	socklen_t		 sl;
	uint32_t		 i, n;

	if ((n = rbuf_u32(r)) > CONF_MAX_DEVICES)
		r->err = 1;
	for (i = 0; i < n && !r->err; i++) {
		if ((d = calloc(1, sizeof(*d))) == NULL)
			fatal(NULL);
		TAILQ_INSERT_TAIL(devs, d, entry);
		rbuf_addr(r, &d->addr, &d->addrlen);
		rbuf_topts(r, &d->opts);
	}
	if ((n = rbuf_u32(r)) > CONF_MAX_DISCOVER)
		r->err = 1;
	for (i = 0; i < n && !r->err; i++) {
		if ((dc = calloc(1, sizeof(*dc))) == NULL)
			fatal(NULL);
		TAILQ_INSERT_TAIL(discs, dc, entry);
		rbuf_addr(r, &dc->net, &sl);
		dc->prefixlen = rbuf_u8(r);
		rbuf_topts(r, &dc->opts);
		if (dc->prefixlen > (dc->net.ss_family == AF_INET ? 32 : 128))
			r->err = 1;
	}
}

/* into a fresh collectd_conf (collectd_conf_new()); -1: free it */
int
msg_conf_collectd_decode(const void *p, size_t len, struct collectd_conf *c)
{
	struct rbuf	 r;
	const uint8_t	*k;

	rbuf_init(&r, p, len);
	c->send = rbuf_u32(&r);
	rbuf_str(&r, c->snmp_community, sizeof(c->snmp_community));
	c->snmp_version = rbuf_u8(&r);
	c->snmp_timeout_ms = rbuf_u32(&r);
	c->snmp_retries = rbuf_u32(&r);
	c->snmp_window = rbuf_u32(&r);
	c->snmp_rate = rbuf_u32(&r);
	c->discover_rate = rbuf_u32(&r);
	decode_users(&r, &c->users);
	decode_targets(&r, &c->devices, &c->discovers);
	if (rbuf_u8(&r) == 1 && !r.err) {
		if ((c->profile_set = calloc(1, sizeof(*c->profile_set))) ==
		    NULL)
			fatal(NULL);
		if (msg_profiles_decode(&r, c->profile_set) == -1)
			r.err = 1;
	}
	if ((c->have_jobkey = rbuf_u8(&r)) == 1 && !r.err) {
		if ((k = rbuf_bytes(&r, JOBSEAL_KEY_LEN)) != NULL)
			memcpy(c->jobkey, k, JOBSEAL_KEY_LEN);
	} else if (c->have_jobkey != 0)
		r.err = 1;
	if (c->snmp_version > SNMPV_3 || c->snmp_window == 0 ||
	    c->snmp_rate == 0 || c->snmp_timeout_ms == 0 ||
	    c->send >= (1U << CAT_MAX) ||
	    ((c->send & CAT_BIT(CAT_JOB_DATA)) && !c->have_jobkey))
		r.err = 1;
	return rbuf_done(&r);
}

void
msg_conf_collectd_send(struct imsgev *iev, const struct callhome_conf *c)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_conf_collectd_encode(w, c);
	imsgev_sendw(iev, IMSG_CONF_COLLECTD, 0, -1, w);
}

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

void
msg_collect_start_send(struct imsgev *iev, const struct msg_collect_start *c)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_collect_start_encode(w, c);
	imsgev_sendw(iev, IMSG_COLLECT_START, 0, -1, w);
}
