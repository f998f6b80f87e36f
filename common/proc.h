/*
 * The processes of callhome and where their channels are.
 *
 * proc_links[] is the design's channel table as topology: which pairs of
 * processes have a channel, in an order that fixes each channel's
 * descriptor in each child.  callhomed uses it to create one socketpair
 * per row and to place each end; a child uses it to find its ends.  What
 * a channel may carry is not here: it is in that channel's module
 * (common/chan/), which only the two processes of the channel link.
 */
#ifndef CALLHOME_PROC_H
#define CALLHOME_PROC_H

#include <stddef.h>
#include <stdint.h>

enum proc_id {
	PROC_PARENT,
	PROC_COLLECTD,
	PROC_AUDITD,
	PROC_SIGNERD,
	PROC_UPLINKD,
	PROC_CONTROL,		/* a callhomectl client on the control socket */
	PROC_MAX
};
#define PROC_NCHILDREN	4	/* PROC_COLLECTD .. PROC_UPLINKD */

/* descriptor of the channel to the parent in every child */
#define PROC_PARENT_FD	3
/* first descriptor of the channels between children (then in table order) */
#define PROC_PEER_FD0	4

struct proc_link {
	enum proc_id	 a;
	enum proc_id	 b;
};

extern const struct proc_link	proc_links[];
extern const size_t		proc_nlinks;

const char	*proc_name(enum proc_id);
/* is there a channel between the two? */
int		 proc_linked(enum proc_id, enum proc_id);
/* the descriptor on which `self' finds its channel to `peer', or -1 */
int		 chan_fd(enum proc_id self, enum proc_id peer);

#endif /* CALLHOME_PROC_H */
