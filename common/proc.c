/*
 * The channel table as topology: see proc.h.  The rows are the design's
 * channels; the messages each carries are in common/chan/<a>_<b>.c.
 */
#include <stddef.h>

#include "proc.h"

static const char *const proc_names[PROC_MAX] = {
	[PROC_PARENT] = "callhomed",
	[PROC_COLLECTD] = "collectd",
	[PROC_AUDITD] = "auditd",
	[PROC_SIGNERD] = "signerd",
	[PROC_UPLINKD] = "uplinkd",
	[PROC_CONTROL] = "control",
};

const struct proc_link proc_links[] = {
	{ PROC_PARENT, PROC_COLLECTD },		/* chan/parent_collectd */
	{ PROC_PARENT, PROC_AUDITD },		/* chan/parent_auditd */
	{ PROC_PARENT, PROC_SIGNERD },		/* chan/parent_signerd */
	{ PROC_PARENT, PROC_UPLINKD },		/* chan/parent_uplinkd */
	{ PROC_COLLECTD, PROC_AUDITD },		/* chan/collectd_auditd */
	{ PROC_AUDITD, PROC_UPLINKD },		/* chan/auditd_uplinkd */
	{ PROC_UPLINKD, PROC_SIGNERD },		/* chan/uplinkd_signerd */
	{ PROC_SIGNERD, PROC_AUDITD },		/* chan/signerd_auditd */
	{ PROC_CONTROL, PROC_PARENT },		/* chan/control */
};
const size_t proc_nlinks = sizeof(proc_links) / sizeof(proc_links[0]);

const char *
proc_name(enum proc_id p)
{
	if ((unsigned)p >= PROC_MAX)
		return "unknown";
	return proc_names[p];
}

int
proc_linked(enum proc_id x, enum proc_id y)
{
	size_t	 i;

	for (i = 0; i < proc_nlinks; i++)
		if ((proc_links[i].a == x && proc_links[i].b == y) ||
		    (proc_links[i].a == y && proc_links[i].b == x))
			return 1;
	return 0;
}

/*
 * Children find the parent on PROC_PARENT_FD and their other peers on
 * PROC_PEER_FD0, PROC_PEER_FD0 + 1, ... in the order of proc_links.
 */
int
chan_fd(enum proc_id self, enum proc_id peer)
{
	size_t		 i;
	int		 fd = PROC_PEER_FD0;
	enum proc_id	 other;

	if (self == PROC_PARENT || self == PROC_CONTROL ||
	    peer == PROC_CONTROL)
		return -1;
	if (peer == PROC_PARENT)
		return PROC_PARENT_FD;
	for (i = 0; i < proc_nlinks; i++) {
		if (proc_links[i].a == PROC_PARENT ||
		    proc_links[i].b == PROC_PARENT)
			continue;
		if (proc_links[i].a != self && proc_links[i].b != self)
			continue;
		other = proc_links[i].a == self ? proc_links[i].b :
		    proc_links[i].a;
		if (other == peer)
			return fd;
		fd++;
	}
	return -1;
}
