/*
 * Channels: the unit of inter-process code.
 *
 * Every row of the design's channel table is one module in common/chan/:
 * a `struct chan_def' that lists, for each direction, the message types
 * that side may send with their wire rules (descriptor, stream, largest
 * payload), and the encode/decode pair and typed send function of each
 * message.  The framing layer (imsg.c) checks every message it sends or
 * receives against the channel of its imsgbuf, and against nothing else:
 * a program links the channels it is party to, so its whole input surface
 * is those few files.
 *
 * The message type numbers are global (one enum below) so that a log line
 * names a message the same way everywhere; what a type means, and who may
 * send it, lives only in its channel.
 */
#ifndef CALLHOME_CHAN_H
#define CALLHOME_CHAN_H

#include <stddef.h>
#include <stdint.h>

#include "proc.h"

enum imsg_type {
	IMSG_NONE = 0,
	/* framing (imsg.c) */
	IMSG_STREAM_BEGIN,
	IMSG_STREAM_DATA,

	/* every parent <-> child channel (chan/lifecycle.h) */
	IMSG_SANDBOX,		/* uid, gid, chroot: the first message */
	IMSG_PING,
	IMSG_READY,		/* sandboxed and configured */
	IMSG_PONG,

	/* parent <-> collectd */
	IMSG_CONF_COLLECTD,
	IMSG_COLLECT_START,
	/* parent <-> auditd */
	IMSG_CONF_AUDITD,
	IMSG_CHECKIN_NOW,	/* build a check-in and send it */
	IMSG_INSTRUCTION_DONE,	/* what became of one instruction */
	IMSG_GATEWAY_STATE,	/* auditd's persisted state, for the parent */
	IMSG_PROFILE_PACKAGE,	/* an installed vendor profile */
	IMSG_AUDIT_EVENT,	/* a transaction the parent saw */
	IMSG_OUTBOX_KICK,	/* try to deliver now */
	IMSG_OUTBOX_STATUS_REQ,
	IMSG_OUTBOX_STATUS,
	IMSG_CYCLE_STORED,
	IMSG_OUTBOX_OP, IMSG_OUTBOX_OP_DONE,	/* the operator's requeue, drop */
	IMSG_INCIDENT_NEW, IMSG_INCIDENT_DONE,	/* an incident typed in */
	/* parent <-> signerd */
	IMSG_CONF_SIGNERD,
	IMSG_SIGNER_STATE,	/* accepted sequence, installed packages */
	IMSG_INSTRUCTIONS,	/* a verified bundle's instructions */
	/* parent <-> uplinkd */
	IMSG_CONF_UPLINKD,
	IMSG_DIAL_REQ,
	IMSG_DIAL_RESULT,	/* carries the connected socket */
	IMSG_FETCH,		/* fetch a package the policy allows */

	/* collectd -> auditd */
	IMSG_CYCLE_BEGIN,
	IMSG_DEV_BEGIN,
	IMSG_DEV_METER,
	IMSG_DEV_SUPPLY,
	IMSG_DEV_ALERT,
	IMSG_DEV_JOBDATA,	/* a printer's job data, sealed */
	IMSG_DEV_END,
	IMSG_CYCLE_END,
	/* auditd <-> uplinkd */
	IMSG_UPLOAD_JOB,
	IMSG_UPLOAD_RESULT,
	/* uplinkd -> signerd */
	IMSG_BUNDLE,		/* one bundle of a check-in answer, unread */
	IMSG_PACKAGE,		/* a fetched package and its signature */
	IMSG_FETCH_FAILED,
	/* signerd -> auditd */
	IMSG_VERDICT,		/* a verification's result, for the log */
	IMSG_PACKAGE_STORE,	/* a verified package to install */

	/* control socket: callhomectl <-> parent */
	IMSG_CTL_REQUEST,
	IMSG_CTL_INCIDENT,	/* callhomectl incident */
	IMSG_CTL_REPLY,
	IMSG_CTL_END,

	IMSG_TYPE_MAX
};

/* "PING", "UPLOAD_JOB"...; "UNKNOWN" for anything else */
const char	*imsg_type_name(uint32_t);

#define MT_FD		0x01	/* always carries exactly one descriptor */
#define MT_FD_OPT	0x02	/* may carry one descriptor */
#define MT_STREAM	0x04	/* always sent with imsg_compose_stream() */

/* one message type one side of a channel may send, and its wire rules */
struct chan_msg {
	uint32_t	 type;
	uint8_t		 flags;
	uint32_t	 max;	/* largest payload (streams: the total) */
};

struct chan_def {
	const char		*name;		/* "parent-uplinkd" */
	enum proc_id		 a;
	enum proc_id		 b;
	const struct chan_msg	*a_to_b;
	size_t			 n_a_to_b;
	const struct chan_msg	*b_to_a;
	size_t			 n_b_to_a;
};

#define CHAN_MSGS(a)	(a), (sizeof(a) / sizeof((a)[0]))
#define CHAN_NONE	NULL, 0

/* the rules for `type' sent by `from' on the channel, or NULL */
const struct chan_msg	*chan_msg(const struct chan_def *, enum proc_id from,
			    uint32_t type);
/* may `from' send anything at all on the channel? */
int			 chan_sends(const struct chan_def *, enum proc_id);
/* the other end of the channel from `self' */
enum proc_id		 chan_peer(const struct chan_def *, enum proc_id);

#endif /* CALLHOME_CHAN_H */
