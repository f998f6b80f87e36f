/*
 * The SNMP request engine of collectd: one UDP socket per address family,
 * thousands of requests in flight, a bounded window, a packet-rate limit,
 * request-id demultiplexing, a timeout and retries per request, and ICMP
 * errors (IP_RECVERR) mapped back to the request they answer.
 */
#ifndef COLLECTD_ENGINE_H
#define COLLECTD_ENGINE_H

#include <sys/queue.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <stdint.h>

#include "snmp.h"
#include "usm.h"

struct engine;
struct ereq;

/* how a request ended */
enum ereq_status {
	EREQ_OK,		/* a response (maybe with an error-status) */
	EREQ_TIMEOUT,		/* no response after every retry */
	EREQ_REFUSED,		/* ICMP port unreachable */
	EREQ_UNREACHABLE,	/* host or network unreachable, send error */
	EREQ_AUTH,		/* SNMPv3: a report that the user or its
				   keys are wrong (v3->last says which) */
	EREQ_REPORT,		/* SNMPv3: another report ended it, or the
				   request could not be sealed (v3->last) */
};

/*
 * SNMPv3 of a target: the user (its keys, shared by every target of the
 * user) and what is known of the agent's engine (one per target:
 * discovered by engine_probe(), then kept in step by every answer).
 */
struct etarget_v3 {
	const struct usm_user	*user;
	struct usm_agent	 agent;
	enum usm_status		 last;		/* the report that ended one */
};

/* a target: one agent address, version and community (or v3) */
struct etarget {
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	int			 version;	/* SNMP_V1, SNMP_V2C, SNMP_V3 */
	char			 community[SNMP_MAX_COMMUNITY + 1];
	int			 discovery;	/* paced by the discovery rate */
	struct etarget_v3	*v3;		/* SNMP_V3 */
};

/*
 * The callback gets the decoded response (valid during the call only),
 * or NULL with a status other than EREQ_OK.
 */
typedef void	(*ereq_cb)(void *arg, enum ereq_status,
		    const struct snmp_msg *);

struct engine_conf {
	uint32_t	 timeout_ms;
	uint32_t	 retries;
	uint32_t	 window;	/* requests in flight */
	uint32_t	 rate;		/* packets per second */
	uint32_t	 discover_rate;	/* first packets to discovered hosts */
};

struct engine_stats {
	uint64_t	 sent;		/* packets, retries included */
	uint64_t	 received;
	uint64_t	 timeouts;
	uint64_t	 dropped;	/* answers we did not ask for */
	uint64_t	 usm_dropped;	/* SNMPv3 answers that failed a check */
};

struct engine	*engine_new(struct event_base *, int fd4, int fd6);
void		 engine_configure(struct engine *, const struct engine_conf *);
/*
 * Queue a request: pdu is SNMP_PDU_GET, GETNEXT or GETBULK; oids are
 * copied into the encoded packet (SNMPv3: into the ScopedPDU, sealed at
 * each send with a fresh msgID, time and salt).  Returns -1 if it cannot
 * be encoded (SNMPv3: also before the agent was discovered).
 *
 * SNMPv3 answers are checked by usm_decode() against the target's user
 * and agent; one that fails a check is dropped and the request waits on
 * (stats: usm_dropped).  An authenticated notInTimeWindow report
 * resynchronises the agent's clock and the request goes again with a new
 * msgID, at most ENGINE_USM_STEPS times; an authentication failure
 * report ends it with EREQ_AUTH, any other report with EREQ_REPORT.
 */
#define ENGINE_NORETRY	0x01	/* one try only (probing GetBulk support) */
#define ENGINE_LONGWAIT	0x02	/* ENGINE_LONGWAIT_FACTOR times the timeout */
#define ENGINE_NOPRIV	0x04	/* SNMPv3: authNoPriv, whatever the user's
				   level (telling a wrong privacy password
				   from a silent agent) */
#define ENGINE_LONGWAIT_FACTOR	4
#define ENGINE_USM_STEPS	3
int		 engine_request(struct engine *, const struct etarget *,
		    uint8_t pdu, int32_t nonrep, int32_t maxrep,
		    const struct snmp_oid *oids, size_t noids, int flags,
		    ereq_cb, void *arg);
/*
 * SNMPv3 engine discovery (RFC 3414 section 4): the probe, until the
 * agent's unknownEngineID report names its engine; the callback gets
 * EREQ_OK (t->agent learned it) or why not (no message).
 */
int		 engine_probe(struct engine *, const struct etarget *,
		    int flags, ereq_cb, void *arg);
const struct engine_stats *engine_stats(const struct engine *);

/* make the UDP sockets (before the sandbox: large buffers need root) */
int		 engine_socket(int family);

#endif /* COLLECTD_ENGINE_H */
