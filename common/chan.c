/*
 * The channel framework: type names and lookups in a channel's lists.
 * See chan.h.
 */
#include <stddef.h>

#include "chan.h"

static const char *const type_names[IMSG_TYPE_MAX] = {
	[IMSG_NONE] = "NONE",
	[IMSG_STREAM_BEGIN] = "STREAM_BEGIN",
	[IMSG_STREAM_DATA] = "STREAM_DATA",
	[IMSG_SANDBOX] = "SANDBOX",
	[IMSG_PING] = "PING",
	[IMSG_READY] = "READY",
	[IMSG_PONG] = "PONG",
	[IMSG_CONF_COLLECTD] = "CONF_COLLECTD",
	[IMSG_COLLECT_START] = "COLLECT_START",
	[IMSG_CONF_AUDITD] = "CONF_AUDITD",
	[IMSG_CHECKIN_NOW] = "CHECKIN_NOW",
	[IMSG_INSTRUCTION_DONE] = "INSTRUCTION_DONE",
	[IMSG_GATEWAY_STATE] = "GATEWAY_STATE",
	[IMSG_PROFILE_PACKAGE] = "PROFILE_PACKAGE",
	[IMSG_AUDIT_EVENT] = "AUDIT_EVENT",
	[IMSG_OUTBOX_KICK] = "OUTBOX_KICK",
	[IMSG_OUTBOX_STATUS_REQ] = "OUTBOX_STATUS_REQ",
	[IMSG_OUTBOX_STATUS] = "OUTBOX_STATUS",
	[IMSG_CYCLE_STORED] = "CYCLE_STORED",
	[IMSG_OUTBOX_OP] = "OUTBOX_OP", [IMSG_OUTBOX_OP_DONE] = "OUTBOX_OP_DONE",
	[IMSG_INCIDENT_NEW] = "INCIDENT_NEW", [IMSG_INCIDENT_DONE] = "INCIDENT_DONE",
	[IMSG_CONF_SIGNERD] = "CONF_SIGNERD",
	[IMSG_SIGNER_STATE] = "SIGNER_STATE",
	[IMSG_INSTRUCTIONS] = "INSTRUCTIONS",
	[IMSG_CONF_UPLINKD] = "CONF_UPLINKD",
	[IMSG_DIAL_REQ] = "DIAL_REQ",
	[IMSG_DIAL_RESULT] = "DIAL_RESULT",
	[IMSG_FETCH] = "FETCH",
	[IMSG_CYCLE_BEGIN] = "CYCLE_BEGIN",
	[IMSG_DEV_BEGIN] = "DEV_BEGIN",
	[IMSG_DEV_METER] = "DEV_METER",
	[IMSG_DEV_SUPPLY] = "DEV_SUPPLY",
	[IMSG_DEV_ALERT] = "DEV_ALERT",
	[IMSG_DEV_JOBDATA] = "DEV_JOBDATA",
	[IMSG_DEV_END] = "DEV_END",
	[IMSG_CYCLE_END] = "CYCLE_END",
	[IMSG_UPLOAD_JOB] = "UPLOAD_JOB",
	[IMSG_UPLOAD_RESULT] = "UPLOAD_RESULT",
	[IMSG_BUNDLE] = "BUNDLE",
	[IMSG_PACKAGE] = "PACKAGE",
	[IMSG_FETCH_FAILED] = "FETCH_FAILED",
	[IMSG_VERDICT] = "VERDICT",
	[IMSG_PACKAGE_STORE] = "PACKAGE_STORE",
	[IMSG_CTL_REQUEST] = "CTL_REQUEST",
	[IMSG_CTL_INCIDENT] = "CTL_INCIDENT",
	[IMSG_CTL_REPLY] = "CTL_REPLY",
	[IMSG_CTL_END] = "CTL_END",
};

const char *
imsg_type_name(uint32_t type)
{
	if (type >= IMSG_TYPE_MAX || type_names[type] == NULL)
		return "UNKNOWN";
	return type_names[type];
}

static int
side(const struct chan_def *c, enum proc_id from, const struct chan_msg **l,
    size_t *n)
{
	if (from == c->a) {
		*l = c->a_to_b;
		*n = c->n_a_to_b;
	} else if (from == c->b) {
		*l = c->b_to_a;
		*n = c->n_b_to_a;
	} else
		return -1;
	return 0;
}

const struct chan_msg *
chan_msg(const struct chan_def *c, enum proc_id from, uint32_t type)
{
	const struct chan_msg	*l;
	size_t			 n, i;

	if (side(c, from, &l, &n) == -1)
		return NULL;
	for (i = 0; i < n; i++)
		if (l[i].type == type)
			return &l[i];
	return NULL;
}

int
chan_sends(const struct chan_def *c, enum proc_id from)
{
	const struct chan_msg	*l;
	size_t			 n;

	if (side(c, from, &l, &n) == -1)
		return 0;
	return n > 0;
}

enum proc_id
chan_peer(const struct chan_def *c, enum proc_id self)
{
	return c->a == self ? c->b : c->a;
}
