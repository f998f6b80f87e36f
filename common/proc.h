/*
 * The processes of callhome and the only channels between them.
 *
 * chan_table[] (proc.c) is the design's channel table as data.  callhomed
 * uses it to create one socketpair per row and to place each end on a
 * known descriptor in each child; every receiver uses it, through
 * imsg_get(), to refuse any message type its peer may not send it.
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

/* the message types allowed in one direction of a channel */
struct chan_dir {
	const uint32_t	*types;
	size_t		 ntypes;
};

struct chan {
	enum proc_id	 a;
	enum proc_id	 b;
	struct chan_dir	 a_to_b;
	struct chan_dir	 b_to_a;
};

extern const struct chan	chan_table[];
extern const size_t		chan_count;

const char	*proc_name(enum proc_id);
/* the channel between two processes, or NULL if none exists */
const struct chan *chan_find(enum proc_id, enum proc_id);
/* may `from' send `type' to `to'? */
int		 chan_allows(enum proc_id from, enum proc_id to, uint32_t type);
/* the descriptor on which `self' finds its channel to `peer', or -1 */
int		 chan_fd(enum proc_id self, enum proc_id peer);
/* a one-way channel: `self' only receives from `peer' (or only sends) */
int		 chan_can_send(enum proc_id self, enum proc_id peer);

#endif /* CALLHOME_PROC_H */
