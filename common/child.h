/*
 * What every child shares: command line, logging, the channel to the
 * parent, the sandbox handshake, status pings and signals.
 *
 * Start-up order, the same in every child:
 *	child_init()	 flags, logging, event base, blocking read of the
 *			 parent's IMSG_SANDBOX (the only message read before
 *			 the sandbox)
 *	(child's own preparation that needs the old root: library init)
 *	child_sandbox()	 sandbox_enter() with the declaration and params
 *	child_run()	 the event loop: configuration, pings, work
 */
#ifndef CALLHOME_CHILD_H
#define CALLHOME_CHILD_H

#include <time.h>

#include "imsgev.h"
#include "proc.h"
#include "sandbox.h"

struct child;
typedef void	(*child_dispatch)(struct child *, struct imsg *);
typedef void	(*child_state)(struct child *, char *, size_t);

struct child {
	enum proc_id		 self;
	struct event_base	*base;
	struct imsgev		 parent;
	struct event		*ev_term;
	struct msg_sandbox_p {
		uid_t		 uid;
		gid_t		 gid;
		char		 root[256];
	}			 sbp;
	time_t			 started;
	pid_t			 ppid;		/* callhomed */
	int			 configured;
	child_dispatch		 dispatch;	/* parent messages but PING */
	int			 statusfd;	/* /proc/self/status, or -1 */
	child_state		 state;		/* status line for PONG */
	void			*ctx;
};

/* the child at end b of its channel to the parent */
void	child_init(struct child *, const struct chan_def *, int, char **);
void	child_sandbox(struct child *, const struct sandbox *);
/* open a channel to another child on its known descriptor */
void	child_peer(struct child *, struct imsgev *, const struct chan_def *,
	    imsgev_dispatch, void *);
void	child_ready(struct child *);
int	child_run(struct child *);

#endif /* CALLHOME_CHILD_H */
