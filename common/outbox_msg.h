/*
 * IMSG_OUTBOX_STATUS_REQ (parent -> auditd, no payload) and its answer
 * IMSG_OUTBOX_STATUS (auditd -> parent): the state of the upload spool,
 * for "callhomectl status".  auditd answers with the request's peer id,
 * so that the parent can route the answer to the control client that
 * asked.
 */
#ifndef CALLHOME_OUTBOX_MSG_H
#define CALLHOME_OUTBOX_MSG_H

#include <stdint.h>

#include "buf.h"
#include "msg.h"
#include "report.h"

struct msg_outbox_status {
	uint32_t	 pending;	/* documents waiting to be delivered */
	uint64_t	 pending_bytes;
	uint64_t	 delivered;	/* documents delivered, ever */
	int64_t		 last_attempt;	/* unix time, 0: never */
	int32_t		 last_result;	/* enum upload_status, -1: none */
	char		 last_error[512];	/* of the last attempt, or "" */
	int64_t		 last_success;	/* unix time, 0: never */
	char		 last_sha256[SHA256_HEX];	/* last delivered, or "" */
	int64_t		 next_attempt;	/* unix time, 0: nothing waiting */
	uint8_t		 authorized;	/* "authorize upload yes" */
	uint8_t		 inflight;	/* a document is on its way */
	/* the newest stored cycle (id 0: none yet), so that status has it
	 * after a restart too */
	struct rpt_cycle last_cycle;
};

void	msg_outbox_status_encode(struct wbuf *,
	    const struct msg_outbox_status *);
int	msg_outbox_status_decode(const void *, size_t,
	    struct msg_outbox_status *);

#endif /* CALLHOME_OUTBOX_MSG_H */
