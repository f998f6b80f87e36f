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

struct engine;
struct ereq;

/* how a request ended */
enum ereq_status {
	EREQ_OK,		/* a response (maybe with an error-status) */
	EREQ_TIMEOUT,		/* no response after every retry */
	EREQ_REFUSED,		/* ICMP port unreachable */
	EREQ_UNREACHABLE,	/* host or network unreachable, send error */
};

/* a target: one agent address, version and community */
struct etarget {
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	int			 version;	/* SNMP_V1, SNMP_V2C */
	char			 community[SNMP_MAX_COMMUNITY + 1];
	int			 discovery;	/* paced by the discovery rate */
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
};

struct engine	*engine_new(struct event_base *, int fd4, int fd6);
void		 engine_configure(struct engine *, const struct engine_conf *);
/*
 * Queue a request: pdu is SNMP_PDU_GET, GETNEXT or GETBULK; oids are
 * copied into the encoded packet.  Returns -1 if it cannot be encoded.
 */
#define ENGINE_NORETRY	0x01	/* one try only (probing GetBulk support) */
int		 engine_request(struct engine *, const struct etarget *,
		    uint8_t pdu, int32_t nonrep, int32_t maxrep,
		    const struct snmp_oid *oids, size_t noids, int flags,
		    ereq_cb, void *arg);
const struct engine_stats *engine_stats(const struct engine *);

/* make the UDP sockets (before the sandbox: large buffers need root) */
int		 engine_socket(int family);

#endif /* COLLECTD_ENGINE_H */
