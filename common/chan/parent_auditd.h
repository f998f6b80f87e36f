/*
 * The channel between callhomed and auditd.
 *
 *	parent -> auditd	SANDBOX, PING (lifecycle.h)
 *				CONF_AUDITD	auditd's part of the
 *						configuration and the schema
 *				AUDIT_EVENT	a transaction the parent saw,
 *						for the log
 *				OUTBOX_KICK	deliver what waits, now
 *				OUTBOX_STATUS_REQ  the state of the outbox,
 *						for the peer id's asker
 *				CHECKIN_NOW	build a check-in and send it
 *				INSTRUCTION_DONE  what became of one verified
 *						instruction (done, or refused
 *						by the policy), for the log
 *				OUTBOX_OP	the operator's requeue or drop
 *						of one document (peer id: the
 *						control client)
 *				INCIDENT_NEW	an incident the administrator
 *						typed (chan/incident.h; peer
 *						id: the control client)
 *	auditd -> parent	READY, PONG (lifecycle.h)
 *				CYCLE_STORED	a cycle is in the database
 *				OUTBOX_STATUS	the answer, or news after an
 *						upload or check-in result
 *						(peer id 0)
 *				GATEWAY_STATE	what auditd keeps of check-ins:
 *						the accepted sequence, the
 *						instructed schedule and
 *						interval, the packages
 *				PROFILE_PACKAGE	an installed vendor profile
 *				OUTBOX_OP_DONE	what became of an OUTBOX_OP
 *				INCIDENT_DONE	recorded (its number), or why
 *						not
 *
 * auditd's part holds no secret: names, switches, limits and the schema.
 */
#ifndef CALLHOME_CHAN_PARENT_AUDITD_H
#define CALLHOME_CHAN_PARENT_AUDITD_H

#include "chan/lifecycle.h"
#include "chan/incident.h"
#include "chan/pkg.h"
#include "config.h"
#include "digest.h"
#include "report.h"

extern const struct chan_def	chan_parent_auditd;

/* IMSG_CONF_AUDITD */
#define SCHEMA_MAX	(256 * 1024)
struct auditd_conf {
	char		 gateway[CONF_STR_MAX];
	char		 site[CONF_STR_MAX];
	char		 server[CONF_STR_MAX];	/* its name, "" when none */
	uint16_t	 port;
	uint8_t		 authorize_upload;
	uint32_t	 send;			/* CAT_BIT() mask */
	uint32_t	 retention_days;
	uint64_t	 spool_limit;		/* bytes */
	uint64_t	 part_limit;		/* bytes, CONF_PART_LIMIT_* */
	uint32_t	 checkin_every;		/* seconds, 0: never */
	char		 tzname[64];		/* for the site information */
	uint8_t		 supply_requests;	/* automatic ones */
	uint32_t	 supply_threshold;	/* percent */
	uint32_t	 nsupply_rules;
	struct supply_rule supply_rules[CONF_SUPPLY_RULES_MAX];
	uint8_t		*xsd;			/* the protocol schema, with */
	size_t		 xsdlen;		/* a NUL after its bytes */
};
void	auditd_conf_clear(struct auditd_conf *);	/* frees the schema */
void	msg_conf_auditd_encode(struct wbuf *, const struct callhome_conf *,
	    const uint8_t *xsd, size_t xsdlen);
int	msg_conf_auditd_decode(const void *, size_t, struct auditd_conf *);
void	msg_conf_auditd_send(struct imsgev *, const struct callhome_conf *,
	    const uint8_t *xsd, size_t xsdlen);

/* IMSG_AUDIT_EVENT: one record for the transaction log */
#define AUDIT_EVENT_DETAIL	4096
struct msg_audit_event {
	int64_t		 time;
	char		 kind[32];		/* TXLOG_CONFIG, ... */
	char		 summary[512];
	char		 detail[AUDIT_EVENT_DETAIL];
};
void	msg_audit_event_encode(struct wbuf *, const struct msg_audit_event *);
int	msg_audit_event_decode(const void *, size_t, struct msg_audit_event *);
void	msg_audit_event_send(struct imsgev *, const struct msg_audit_event *);

/* IMSG_OUTBOX_KICK, IMSG_OUTBOX_STATUS_REQ: no payload */
void	msg_outbox_kick_send(struct imsgev *);
void	msg_outbox_status_req_send(struct imsgev *, uint32_t peerid);

/* IMSG_OUTBOX_STATUS */
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
	/* the last check-in, 0: never */
	int64_t		 checkin_time;
	int32_t		 checkin_result;	/* enum upload_status, -1 */
	uint32_t	 checkin_bundles;	/* bundles it brought */
	char		 checkin_error[256];
	/* the last instruction, done or refused; 0: none yet */
	int64_t		 instruction_time;
	char		 instruction[256];
	/* documents set aside after a permanent refusal */
	uint32_t	 refused;
	uint64_t	 refused_bytes;
	char		 last_refused[512];	/* the newest of them, or "" */
	uint8_t		 last_set_aside;	/* by the last attempt */
	/* the documents of the newest stored cycle (last_cycle) */
	uint32_t	 lc_parts;
	uint32_t	 lc_delivered;
	uint32_t	 lc_refused;
	uint32_t	 lc_pruned;	/* deleted unsent */
	/* the database: its size and free pages in bytes, the start of
	 * the oldest cycle whose readings are kept (0: none), and what
	 * retention does ("" when idle) */
	uint64_t	 db_bytes;
	uint64_t	 db_free;
	int64_t		 oldest_readings;
	char		 retention[256];
};
void	msg_outbox_status_encode(struct wbuf *,
	    const struct msg_outbox_status *);
int	msg_outbox_status_decode(const void *, size_t,
	    struct msg_outbox_status *);
void	msg_outbox_status_send(struct imsgev *, uint32_t peerid,
	    const struct msg_outbox_status *);

/* IMSG_OUTBOX_OP */
#define OUTBOX_OP_REQUEUE	1	/* pending again, due now */
#define OUTBOX_OP_DROP		2	/* its bytes deleted, unsent */
struct msg_outbox_op {
	uint8_t		 op;		/* OUTBOX_OP_* */
	int64_t		 id;		/* the document, outbox id */
	uint32_t	 uid;		/* who asked, for the log */
};
void	msg_outbox_op_encode(struct wbuf *, const struct msg_outbox_op *);
int	msg_outbox_op_decode(const void *, size_t, struct msg_outbox_op *);
void	msg_outbox_op_send(struct imsgev *, uint32_t peerid,
	    const struct msg_outbox_op *);

/* IMSG_OUTBOX_OP_DONE */
struct msg_outbox_op_done {
	uint8_t		 ok;		/* 0: refused, text says why */
	char		 text[512];
};
void	msg_outbox_op_done_encode(struct wbuf *,
	    const struct msg_outbox_op_done *);
int	msg_outbox_op_done_decode(const void *, size_t,
	    struct msg_outbox_op_done *);
void	msg_outbox_op_done_send(struct imsgev *, uint32_t peerid,
	    const struct msg_outbox_op_done *);

/* IMSG_INCIDENT_NEW, IMSG_INCIDENT_DONE: decoded by chan/incident.h */
void	msg_incident_new_send(struct imsgev *, uint32_t peerid,
	    const struct incident_req *);
void	msg_incident_done_send(struct imsgev *, uint32_t peerid,
	    const struct incident_done *);

/* IMSG_CHECKIN_NOW: no payload */
void	msg_checkin_now_send(struct imsgev *);

/* IMSG_INSTRUCTION_DONE */
struct msg_instruction_done {
	uint64_t		 sequence;	/* of its bundle */
	uint32_t		 index;		/* in the bundle, from 0 */
	struct bundle_item	 item;
	uint8_t			 done;		/* else refused */
	char			 reason[32];	/* "policy", ... ("" done) */
	char			 text[256];	/* what was done, or why not */
};
void	msg_instruction_done_encode(struct wbuf *,
	    const struct msg_instruction_done *);
int	msg_instruction_done_decode(const void *, size_t,
	    struct msg_instruction_done *);
void	msg_instruction_done_send(struct imsgev *,
	    const struct msg_instruction_done *);

/* IMSG_GATEWAY_STATE: struct gw_state (chan/pkg.h) */
void	msg_gateway_state_encode(struct wbuf *, const struct gw_state *);
int	msg_gateway_state_decode(const void *, size_t, struct gw_state *);
void	msg_gateway_state_send(struct imsgev *, const struct gw_state *);

/* IMSG_PROFILE_PACKAGE: a profile's file, as installed */
#define PROFILE_PACKAGE_MAX	(64 * 1024)
struct msg_profile_package {
	struct pkg_id	 id;
	const uint8_t	*data;		/* decode: a view */
	size_t		 len;
};
void	msg_profile_package_encode(struct wbuf *,
	    const struct msg_profile_package *);
int	msg_profile_package_decode(const void *, size_t,
	    struct msg_profile_package *);
void	msg_profile_package_send(struct imsgev *,
	    const struct msg_profile_package *);

/* IMSG_CYCLE_STORED: a struct rpt_cycle (report.h) */
void	msg_cycle_stored_send(struct imsgev *, const struct rpt_cycle *);

#endif /* CALLHOME_CHAN_PARENT_AUDITD_H */
