/*
 * The channel between callhomed and auditd: see parent_auditd.h.
 */
#include <stdlib.h>
#include <string.h>

#include "chan/parent_auditd.h"
#include "log.h"
#include "upload_status.h"

static const struct chan_msg parent_to_auditd[] = {
	CHAN_LIFECYCLE_TO_CHILD,
	{ IMSG_CONF_AUDITD, MT_STREAM, SCHEMA_MAX + 16384 },
	{ IMSG_AUDIT_EVENT, 0, 8 * 1024 },
	{ IMSG_OUTBOX_KICK, 0, 0 },
	{ IMSG_OUTBOX_STATUS_REQ, 0, 0 },
	{ IMSG_CHECKIN_NOW, 0, 0 },
	{ IMSG_INSTRUCTION_DONE, 0, 2 * 1024 },
	{ IMSG_OUTBOX_OP, 0, 64 },
	{ IMSG_INCIDENT_NEW, 0, INC_REQ_WIRE_MAX },
};
static const struct chan_msg auditd_to_parent[] = {
	CHAN_LIFECYCLE_TO_PARENT,
	{ IMSG_CYCLE_STORED, 0, 1024 },
	{ IMSG_OUTBOX_STATUS, 0, 4 * 1024 },
	{ IMSG_GATEWAY_STATE, 0, 8 * 1024 },
	{ IMSG_PROFILE_PACKAGE, MT_STREAM, PROFILE_PACKAGE_MAX + 256 },
	{ IMSG_OUTBOX_OP_DONE, 0, 1024 },
	{ IMSG_INCIDENT_DONE, 0, INC_TEXT_MAX + 64 },
};

const struct chan_def chan_parent_auditd = {
	"parent-auditd", PROC_PARENT, PROC_AUDITD,
	CHAN_MSGS(parent_to_auditd), CHAN_MSGS(auditd_to_parent),
};

void
auditd_conf_clear(struct auditd_conf *c)
{
	free(c->xsd);
	memset(c, 0, sizeof(*c));
}

void
msg_conf_auditd_encode(struct wbuf *w, const struct callhome_conf *c,
    const uint8_t *xsd, size_t xsdlen)
{
	uint32_t	 i;

	wbuf_str(w, c->gateway);
	wbuf_str(w, c->site);
	wbuf_str(w, c->server.name);
	wbuf_u16(w, c->server.port);
	wbuf_u8(w, c->authorize_upload ? 1 : 0);
	wbuf_u32(w, c->send);
	wbuf_u32(w, c->retention_days);
	wbuf_u64(w, c->spool_limit);
	wbuf_u64(w, c->part_limit);
	wbuf_u32(w, c->checkin_every);
	wbuf_str(w, c->tzname);
	wbuf_u8(w, c->supply_requests ? 1 : 0);
	wbuf_u32(w, c->supply_threshold);
	wbuf_u32(w, c->nsupply_rules);
	for (i = 0; i < c->nsupply_rules && i < CONF_SUPPLY_RULES_MAX; i++) {
		wbuf_u32(w, c->supply_rules[i].percent);
		wbuf_str(w, c->supply_rules[i].vendor);
		wbuf_str(w, c->supply_rules[i].type);
	}
	wbuf_blob(w, xsd, xsdlen);
}

/* into a zeroed auditd_conf; -1 leaves nothing to free */
int
msg_conf_auditd_decode(const void *p, size_t len, struct auditd_conf *c)
{
	struct rbuf	 r;
	const uint8_t	*b;
	uint32_t	 i;
	int		 bad = 0;

	memset(c, 0, sizeof(*c));
	rbuf_init(&r, p, len);
	rbuf_str(&r, c->gateway, sizeof(c->gateway));
	rbuf_str(&r, c->site, sizeof(c->site));
	rbuf_str(&r, c->server, sizeof(c->server));
	c->port = rbuf_u16(&r);
	c->authorize_upload = rbuf_u8(&r);
	c->send = rbuf_u32(&r);
	c->retention_days = rbuf_u32(&r);
	c->spool_limit = rbuf_u64(&r);
	c->part_limit = rbuf_u64(&r);
	c->checkin_every = rbuf_u32(&r);
	rbuf_str(&r, c->tzname, sizeof(c->tzname));
	c->supply_requests = rbuf_u8(&r);
	c->supply_threshold = rbuf_u32(&r);
	c->nsupply_rules = rbuf_u32(&r);
	if (c->nsupply_rules > CONF_SUPPLY_RULES_MAX)
		bad = 1;
	for (i = 0; !bad && i < c->nsupply_rules; i++) {
		c->supply_rules[i].percent = rbuf_u32(&r);
		rbuf_str(&r, c->supply_rules[i].vendor,
		    sizeof(c->supply_rules[i].vendor));
		rbuf_str(&r, c->supply_rules[i].type,
		    sizeof(c->supply_rules[i].type));
		if (c->supply_rules[i].percent < 1 ||
		    c->supply_rules[i].percent > 99)
			bad = 1;
	}
	b = rbuf_blob(&r, &c->xsdlen, SCHEMA_MAX);
	if (bad || rbuf_done(&r) == -1 || c->authorize_upload > 1 ||
	    c->supply_requests > 1 || c->supply_threshold < 1 ||
	    c->supply_threshold > 99 ||
	    c->send >= (1U << CAT_MAX) ||
	    c->part_limit < CONF_PART_LIMIT_MIN ||
	    c->part_limit > CONF_PART_LIMIT_MAX) {
		memset(c, 0, sizeof(*c));
		return -1;
	}
	if ((c->xsd = malloc(c->xsdlen + 1)) == NULL)
		fatal(NULL);
	if (c->xsdlen > 0)
		memcpy(c->xsd, b, c->xsdlen);
	c->xsd[c->xsdlen] = '\0';
	return 0;
}

void
msg_conf_auditd_send(struct imsgev *iev, const struct callhome_conf *c,
    const uint8_t *xsd, size_t xsdlen)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_conf_auditd_encode(w, c, xsd, xsdlen);
	imsgev_sendw(iev, IMSG_CONF_AUDITD, 0, -1, w);
}

void
msg_audit_event_encode(struct wbuf *w, const struct msg_audit_event *e)
{
	wbuf_i64(w, e->time);
	wbuf_str(w, e->kind);
	wbuf_str(w, e->summary);
	wbuf_str(w, e->detail);
}

int
msg_audit_event_decode(const void *p, size_t len, struct msg_audit_event *e)
{
	struct rbuf	 r;

	memset(e, 0, sizeof(*e));
	rbuf_init(&r, p, len);
	e->time = rbuf_i64(&r);
	rbuf_str(&r, e->kind, sizeof(e->kind));
	rbuf_str(&r, e->summary, sizeof(e->summary));
	rbuf_str(&r, e->detail, sizeof(e->detail));
	if (rbuf_done(&r) == -1 || e->kind[0] == '\0' || e->time < 0)
		return -1;
	return 0;
}

void
msg_audit_event_send(struct imsgev *iev, const struct msg_audit_event *e)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_audit_event_encode(w, e);
	imsgev_sendw(iev, IMSG_AUDIT_EVENT, 0, -1, w);
}

void
msg_outbox_kick_send(struct imsgev *iev)
{
	imsgev_send(iev, IMSG_OUTBOX_KICK, 0, -1, NULL, 0);
}

void
msg_outbox_status_req_send(struct imsgev *iev, uint32_t peerid)
{
	imsgev_send(iev, IMSG_OUTBOX_STATUS_REQ, peerid, -1, NULL, 0);
}

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
	wbuf_i64(w, s->checkin_time);
	wbuf_u32(w, (uint32_t)s->checkin_result);
	wbuf_u32(w, s->checkin_bundles);
	wbuf_str(w, s->checkin_error);
	wbuf_i64(w, s->instruction_time);
	wbuf_str(w, s->instruction);
	wbuf_u32(w, s->refused);
	wbuf_u64(w, s->refused_bytes);
	wbuf_str(w, s->last_refused);
	wbuf_u8(w, s->last_set_aside);
	wbuf_u32(w, s->lc_parts);
	wbuf_u32(w, s->lc_delivered);
	wbuf_u32(w, s->lc_refused);
	wbuf_u32(w, s->lc_pruned);
	wbuf_u64(w, s->db_bytes);
	wbuf_u64(w, s->db_free);
	wbuf_i64(w, s->oldest_readings);
	wbuf_str(w, s->retention);
	msg_cycle_encode(w, &s->last_cycle);
}

int
msg_outbox_status_decode(const void *p, size_t len,
    struct msg_outbox_status *s)
{
	struct rbuf	 r;
	const uint8_t	*c;
	size_t		 clen;

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
	s->next_attempt = rbuf_i64(&r);
	s->authorized = rbuf_u8(&r);
	s->inflight = rbuf_u8(&r);
	s->checkin_time = rbuf_i64(&r);
	s->checkin_result = (int32_t)rbuf_u32(&r);
	s->checkin_bundles = rbuf_u32(&r);
	rbuf_str(&r, s->checkin_error, sizeof(s->checkin_error));
	s->instruction_time = rbuf_i64(&r);
	rbuf_str(&r, s->instruction, sizeof(s->instruction));
	s->refused = rbuf_u32(&r);
	s->refused_bytes = rbuf_u64(&r);
	rbuf_str(&r, s->last_refused, sizeof(s->last_refused));
	s->last_set_aside = rbuf_u8(&r);
	s->lc_parts = rbuf_u32(&r);
	s->lc_delivered = rbuf_u32(&r);
	s->lc_refused = rbuf_u32(&r);
	s->lc_pruned = rbuf_u32(&r);
	s->db_bytes = rbuf_u64(&r);
	s->db_free = rbuf_u64(&r);
	s->oldest_readings = rbuf_i64(&r);
	rbuf_str(&r, s->retention, sizeof(s->retention));
	/* the rest is the cycle, in its own codec */
	clen = r.err ? 0 : r.len - r.off;
	c = rbuf_bytes(&r, clen);
	if (c == NULL || msg_cycle_decode(c, clen, &s->last_cycle) == -1)
		return -1;
	if (rbuf_done(&r) == -1 || s->last_result < -1 ||
	    s->last_result >= UP_STATUS_MAX || s->authorized > 1 ||
	    s->inflight > 1 || s->last_attempt < 0 || s->last_success < 0 ||
	    s->checkin_time < 0 || s->checkin_result < -1 ||
	    s->instruction_time < 0 ||
	    s->checkin_result >= UP_STATUS_MAX ||
	    s->next_attempt < 0 || (s->last_sha256[0] != '\0' &&
	    !valid_hex64(s->last_sha256)) || s->last_set_aside > 1 ||
	    (uint64_t)s->lc_delivered + s->lc_refused + s->lc_pruned >
	    s->lc_parts || s->db_free > s->db_bytes ||
	    s->oldest_readings < 0)
		return -1;
	return 0;
}

void
msg_outbox_status_send(struct imsgev *iev, uint32_t peerid,
    const struct msg_outbox_status *s)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_outbox_status_encode(w, s);
	imsgev_sendw(iev, IMSG_OUTBOX_STATUS, peerid, -1, w);
}

void
msg_cycle_stored_send(struct imsgev *iev, const struct rpt_cycle *c)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_cycle_encode(w, c);
	imsgev_sendw(iev, IMSG_CYCLE_STORED, 0, -1, w);
}

void
msg_outbox_op_encode(struct wbuf *w, const struct msg_outbox_op *o)
{
	wbuf_u8(w, o->op);
	wbuf_i64(w, o->id);
	wbuf_u32(w, o->uid);
}

int
msg_outbox_op_decode(const void *p, size_t len, struct msg_outbox_op *o)
{
	struct rbuf	 r;

	memset(o, 0, sizeof(*o));
	rbuf_init(&r, p, len);
	o->op = rbuf_u8(&r);
	o->id = rbuf_i64(&r);
	o->uid = rbuf_u32(&r);
	if (rbuf_done(&r) == -1 || (o->op != OUTBOX_OP_REQUEUE &&
	    o->op != OUTBOX_OP_DROP) || o->id <= 0)
		return -1;
	return 0;
}

void
msg_outbox_op_send(struct imsgev *iev, uint32_t peerid,
    const struct msg_outbox_op *o)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_outbox_op_encode(w, o);
	imsgev_sendw(iev, IMSG_OUTBOX_OP, peerid, -1, w);
}

void
msg_outbox_op_done_encode(struct wbuf *w, const struct msg_outbox_op_done *d)
{
	wbuf_u8(w, d->ok);
	wbuf_str(w, d->text);
}

int
msg_outbox_op_done_decode(const void *p, size_t len,
    struct msg_outbox_op_done *d)
{
	struct rbuf	 r;

	memset(d, 0, sizeof(*d));
	rbuf_init(&r, p, len);
	d->ok = rbuf_u8(&r);
	rbuf_str(&r, d->text, sizeof(d->text));
	if (rbuf_done(&r) == -1 || d->ok > 1 || d->text[0] == '\0')
		return -1;
	return 0;
}

void
msg_outbox_op_done_send(struct imsgev *iev, uint32_t peerid,
    const struct msg_outbox_op_done *d)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_outbox_op_done_encode(w, d);
	imsgev_sendw(iev, IMSG_OUTBOX_OP_DONE, peerid, -1, w);
}

void
msg_checkin_now_send(struct imsgev *iev)
{
	imsgev_send(iev, IMSG_CHECKIN_NOW, 0, -1, NULL, 0);
}

void
msg_instruction_done_encode(struct wbuf *w,
    const struct msg_instruction_done *d)
{
	wbuf_u64(w, d->sequence);
	wbuf_u32(w, d->index);
	wbuf_bundle_item(w, &d->item);
	wbuf_u8(w, d->done);
	wbuf_str(w, d->reason);
	wbuf_str(w, d->text);
}

int
msg_instruction_done_decode(const void *p, size_t len,
    struct msg_instruction_done *d)
{
	struct rbuf	 r;

	memset(d, 0, sizeof(*d));
	rbuf_init(&r, p, len);
	d->sequence = rbuf_u64(&r);
	d->index = rbuf_u32(&r);
	rbuf_bundle_item(&r, &d->item);
	d->done = rbuf_u8(&r);
	rbuf_str(&r, d->reason, sizeof(d->reason));
	rbuf_str(&r, d->text, sizeof(d->text));
	if (rbuf_done(&r) == -1 || d->done > 1 || d->sequence == 0 ||
	    d->sequence > BUNDLE_SEQ_MAX || d->index >= BUNDLE_MAX_ITEMS ||
	    (!d->done && d->reason[0] == '\0') ||
	    (d->done && d->reason[0] != '\0'))
		return -1;
	return 0;
}

void
msg_instruction_done_send(struct imsgev *iev,
    const struct msg_instruction_done *d)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_instruction_done_encode(w, d);
	imsgev_sendw(iev, IMSG_INSTRUCTION_DONE, 0, -1, w);
}

void
msg_gateway_state_encode(struct wbuf *w, const struct gw_state *s)
{
	wbuf_gw_state(w, s);
}

int
msg_gateway_state_decode(const void *p, size_t len, struct gw_state *s)
{
	struct rbuf	 r;

	rbuf_init(&r, p, len);
	rbuf_gw_state(&r, s);
	return rbuf_done(&r);
}

void
msg_gateway_state_send(struct imsgev *iev, const struct gw_state *s)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_gateway_state_encode(w, s);
	imsgev_sendw(iev, IMSG_GATEWAY_STATE, 0, -1, w);
}

void
msg_profile_package_encode(struct wbuf *w,
    const struct msg_profile_package *pp)
{
	wbuf_pkg_id(w, &pp->id);
	wbuf_blob(w, pp->data, pp->len);
}

int
msg_profile_package_decode(const void *p, size_t len,
    struct msg_profile_package *pp)
{
	struct rbuf	 r;

	memset(pp, 0, sizeof(*pp));
	rbuf_init(&r, p, len);
	rbuf_pkg_id(&r, &pp->id);
	pp->data = rbuf_blob(&r, &pp->len, PROFILE_PACKAGE_MAX);
	if (rbuf_done(&r) == -1 || pp->id.kind != PKG_PROFILE)
		return -1;
	return 0;
}

void
msg_profile_package_send(struct imsgev *iev,
    const struct msg_profile_package *pp)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_profile_package_encode(w, pp);
	imsgev_sendw(iev, IMSG_PROFILE_PACKAGE, 0, -1, w);
}

void
msg_incident_new_send(struct imsgev *iev, uint32_t peerid,
    const struct incident_req *r)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	wbuf_incident_req(w, r);
	imsgev_sendw(iev, IMSG_INCIDENT_NEW, peerid, -1, w);
}

void
msg_incident_done_send(struct imsgev *iev, uint32_t peerid,
    const struct incident_done *d)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_incident_done_encode(w, d);
	imsgev_sendw(iev, IMSG_INCIDENT_DONE, peerid, -1, w);
}
