/*
 * The channel table: the only channels that exist, and what each side may
 * send on each.  Anything else arriving is a protocol violation and fatal
 * for the receiver.
 */
#include <stddef.h>

#include "msg.h"
#include "proc.h"

#define DIR(a)	{ a, sizeof(a) / sizeof((a)[0]) }
#define NODIR	{ NULL, 0 }

static const char *const proc_names[PROC_MAX] = {
	[PROC_PARENT] = "callhomed",
	[PROC_COLLECTD] = "collectd",
	[PROC_AUDITD] = "auditd",
	[PROC_SIGNERD] = "signerd",
	[PROC_UPLINKD] = "uplinkd",
	[PROC_CONTROL] = "control",
};

/* parent <-> each child: configuration, start/stop, timers, status */
static const uint32_t parent_to_collectd[] = {
	IMSG_SANDBOX, IMSG_CONF_COLLECTD, IMSG_PING, IMSG_COLLECT_START,
};
static const uint32_t collectd_to_parent[] = {
	IMSG_READY, IMSG_PONG,
};
static const uint32_t parent_to_auditd[] = {
	IMSG_SANDBOX, IMSG_CONF_AUDITD, IMSG_PING, IMSG_AUDIT_EVENT,
	IMSG_OUTBOX_KICK, IMSG_OUTBOX_STATUS_REQ,
};
static const uint32_t auditd_to_parent[] = {
	IMSG_READY, IMSG_PONG, IMSG_CYCLE_STORED, IMSG_OUTBOX_STATUS,
};
static const uint32_t parent_to_signerd[] = {
	IMSG_SANDBOX, IMSG_CONF_SIGNERD, IMSG_PING,
};
/* signerd -> parent: verified instructions, for policy checks */
static const uint32_t signerd_to_parent[] = {
	IMSG_READY, IMSG_PONG, IMSG_INSTRUCTIONS,
};
/* uplinkd -> parent: requests to dial; the answer carries the socket */
static const uint32_t parent_to_uplinkd[] = {
	IMSG_SANDBOX, IMSG_CONF_UPLINKD, IMSG_PING, IMSG_DIAL_RESULT,
};
static const uint32_t uplinkd_to_parent[] = {
	IMSG_READY, IMSG_PONG, IMSG_DIAL_REQ,
};
/* collectd -> auditd: device reports and cycle summaries */
static const uint32_t collectd_to_auditd[] = {
	IMSG_CYCLE_BEGIN, IMSG_DEV_BEGIN, IMSG_DEV_METER, IMSG_DEV_SUPPLY,
	IMSG_DEV_ALERT, IMSG_DEV_END, IMSG_CYCLE_END,
};
/* auditd <-> uplinkd: jobs out (exact bytes), results and receipts back */
static const uint32_t auditd_to_uplinkd[] = {
	IMSG_UPLOAD_JOB,
};
static const uint32_t uplinkd_to_auditd[] = {
	IMSG_UPLOAD_RESULT,
};
/* uplinkd -> signerd: downloaded bundles and packages, untouched */
static const uint32_t uplinkd_to_signerd[] = {
	IMSG_SIGNED_BLOB,
};
/* signerd -> auditd: verified packages to store, verdicts to log */
static const uint32_t signerd_to_auditd[] = {
	IMSG_VERDICT, IMSG_PACKAGE_STORE,
};
/* control clients <-> parent */
static const uint32_t control_to_parent[] = {
	IMSG_CTL_REQUEST,
};
static const uint32_t parent_to_control[] = {
	IMSG_CTL_REPLY, IMSG_CTL_END,
};

const struct chan chan_table[] = {
	{ PROC_PARENT, PROC_COLLECTD,
	    DIR(parent_to_collectd), DIR(collectd_to_parent) },
	{ PROC_PARENT, PROC_AUDITD,
	    DIR(parent_to_auditd), DIR(auditd_to_parent) },
	{ PROC_PARENT, PROC_SIGNERD,
	    DIR(parent_to_signerd), DIR(signerd_to_parent) },
	{ PROC_PARENT, PROC_UPLINKD,
	    DIR(parent_to_uplinkd), DIR(uplinkd_to_parent) },
	{ PROC_COLLECTD, PROC_AUDITD,
	    DIR(collectd_to_auditd), NODIR },
	{ PROC_AUDITD, PROC_UPLINKD,
	    DIR(auditd_to_uplinkd), DIR(uplinkd_to_auditd) },
	{ PROC_UPLINKD, PROC_SIGNERD,
	    DIR(uplinkd_to_signerd), NODIR },
	{ PROC_SIGNERD, PROC_AUDITD,
	    DIR(signerd_to_auditd), NODIR },
	{ PROC_CONTROL, PROC_PARENT,
	    DIR(control_to_parent), DIR(parent_to_control) },
};
const size_t chan_count = sizeof(chan_table) / sizeof(chan_table[0]);

const char *
proc_name(enum proc_id p)
{
	if ((unsigned)p >= PROC_MAX)
		return "unknown";
	return proc_names[p];
}

const struct chan *
chan_find(enum proc_id x, enum proc_id y)
{
	size_t	 i;

	for (i = 0; i < chan_count; i++) {
		if ((chan_table[i].a == x && chan_table[i].b == y) ||
		    (chan_table[i].a == y && chan_table[i].b == x))
			return &chan_table[i];
	}
	return NULL;
}

static const struct chan_dir *
chan_dir(enum proc_id from, enum proc_id to)
{
	const struct chan	*c;

	if ((c = chan_find(from, to)) == NULL)
		return NULL;
	return c->a == from ? &c->a_to_b : &c->b_to_a;
}

int
chan_allows(enum proc_id from, enum proc_id to, uint32_t type)
{
	const struct chan_dir	*d;
	size_t			 i;

	if ((d = chan_dir(from, to)) == NULL)
		return 0;
	for (i = 0; i < d->ntypes; i++)
		if (d->types[i] == type)
			return 1;
	return 0;
}

int
chan_can_send(enum proc_id self, enum proc_id peer)
{
	const struct chan_dir	*d;

	if ((d = chan_dir(self, peer)) == NULL)
		return 0;
	return d->ntypes > 0;
}

/*
 * Children find the parent on PROC_PARENT_FD and their other peers on
 * PROC_PEER_FD0, PROC_PEER_FD0 + 1, ... in the order of chan_table.
 */
int
chan_fd(enum proc_id self, enum proc_id peer)
{
	size_t		 i;
	int		 fd = PROC_PEER_FD0;
	enum proc_id	 other;

	if (self == PROC_PARENT || self == PROC_CONTROL ||
	    peer == PROC_CONTROL)
		return -1;
	if (peer == PROC_PARENT)
		return PROC_PARENT_FD;
	for (i = 0; i < chan_count; i++) {
		if (chan_table[i].a == PROC_PARENT ||
		    chan_table[i].b == PROC_PARENT)
			continue;
		if (chan_table[i].a != self && chan_table[i].b != self)
			continue;
		other = chan_table[i].a == self ? chan_table[i].b :
		    chan_table[i].a;
		if (other == peer)
			return fd;
		fd++;
	}
	return -1;
}
