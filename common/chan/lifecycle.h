/*
 * The messages every parent <-> child channel carries, whatever the
 * child: where to sandbox itself (SANDBOX, the first message), that it is
 * ready (READY), and the liveness probe (PING, PONG).  Each parent_<child>
 * channel lists them with the CHAN_LIFECYCLE_* entries below.
 */
#ifndef CALLHOME_CHAN_LIFECYCLE_H
#define CALLHOME_CHAN_LIFECYCLE_H

#include <sys/types.h>
#include <stdint.h>

#include "buf.h"
#include "chan.h"
#include "imsgev.h"

#define CHAN_LIFECYCLE_TO_CHILD \
	{ IMSG_SANDBOX, 0, 16 + 256 }, { IMSG_PING, 0, 4 }
#define CHAN_LIFECYCLE_TO_PARENT \
	{ IMSG_READY, 0, 0 }, { IMSG_PONG, 0, 4 * 1024 }

/* IMSG_SANDBOX: parent -> child */
struct msg_sandbox {
	uid_t		 uid;
	gid_t		 gid;
	char		 root[256];	/* chroot directory */
};
void	msg_sandbox_encode(struct wbuf *, const struct msg_sandbox *);
int	msg_sandbox_decode(const void *, size_t, struct msg_sandbox *);
void	msg_sandbox_send(struct imsgev *, const struct msg_sandbox *);

/* IMSG_PING: parent -> child */
struct msg_ping {
	uint32_t	 seq;
};
void	msg_ping_encode(struct wbuf *, const struct msg_ping *);
int	msg_ping_decode(const void *, size_t, struct msg_ping *);
void	msg_ping_send(struct imsgev *, const struct msg_ping *);

/* IMSG_PONG: child -> parent */
struct msg_pong {
	uint32_t	 seq;
	uint32_t	 proc;		/* enum proc_id */
	uint32_t	 pid;
	uint64_t	 uptime;	/* seconds */
	uint64_t	 rss_kb;	/* the process's own peak since exec */
	char		 state[128];	/* one line of process-specific state */
};
void	msg_pong_encode(struct wbuf *, const struct msg_pong *);
int	msg_pong_decode(const void *, size_t, struct msg_pong *);
void	msg_pong_send(struct imsgev *, uint32_t peerid, const struct msg_pong *);

/* IMSG_READY: child -> parent, no payload */
void	msg_ready_send(struct imsgev *);

/* the payload of every message without one */
int	msg_empty_decode(const void *, size_t);

#endif /* CALLHOME_CHAN_LIFECYCLE_H */
