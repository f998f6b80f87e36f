/*
 * The control socket's channel: a callhomectl client and callhomed.
 *
 *	client -> parent	CTL_REQUEST	one command
 *				CTL_INCIDENT	or an incident to record
 *						(chan/incident.h)
 *	parent -> client	CTL_REPLY*	"key: value" lines
 *				CTL_END		the exit status
 *
 * The client is not trusted: a bad message ends its connection, never the
 * parent.
 */
#ifndef CALLHOME_CHAN_CONTROL_H
#define CALLHOME_CHAN_CONTROL_H

#include "buf.h"
#include "chan.h"
#include "imsgev.h"
#include "chan/incident.h"

extern const struct chan_def	chan_control;

enum ctl_command {
	CTL_STATUS = 1,
	CTL_COLLECT,
	CTL_SEND,
	CTL_CHECKIN,
	CTL_RELOAD,
	CTL_OUTBOX_REQUEUE,	/* arg: the document's outbox id */
	CTL_OUTBOX_DROP,	/* arg: likewise */
	CTL_COMMAND_MAX
};
const char	*ctl_command_name(int);

/* IMSG_CTL_REQUEST */
struct msg_ctl_request {
	uint32_t	 command;	/* enum ctl_command */
	int64_t		 arg;		/* CTL_OUTBOX_*: > 0; else 0 */
};
void	msg_ctl_request_encode(struct wbuf *, const struct msg_ctl_request *);
int	msg_ctl_request_decode(const void *, size_t, struct msg_ctl_request *);

/* IMSG_CTL_REPLY */
struct msg_ctl_reply {
	char		 key[64];
	char		 value[4096];
};
void	msg_ctl_reply_encode(struct wbuf *, const struct msg_ctl_reply *);
int	msg_ctl_reply_decode(const void *, size_t, struct msg_ctl_reply *);
void	msg_ctl_reply_send(struct imsgev *, const struct msg_ctl_reply *);

/* IMSG_CTL_END */
struct msg_ctl_end {
	int32_t		 code;		/* 0 success, else the exit status */
};
void	msg_ctl_end_encode(struct wbuf *, const struct msg_ctl_end *);
int	msg_ctl_end_decode(const void *, size_t, struct msg_ctl_end *);
void	msg_ctl_end_send(struct imsgev *, const struct msg_ctl_end *);

#endif /* CALLHOME_CHAN_CONTROL_H */
