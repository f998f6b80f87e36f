/*
 * Every channel module: see chans.h.
 */
#include <stddef.h>

#include "chans.h"

const struct chan_def *const test_chans[] = {
	&chan_parent_collectd, &chan_parent_auditd, &chan_parent_signerd,
	&chan_parent_uplinkd, &chan_collectd_auditd, &chan_auditd_uplinkd,
	&chan_uplinkd_signerd, &chan_signerd_auditd, &chan_control,
};
const size_t test_nchans = sizeof(test_chans) / sizeof(test_chans[0]);

const struct chan_def *
test_chan(enum proc_id x, enum proc_id y)
{
	size_t	 i;

	for (i = 0; i < test_nchans; i++)
		if ((test_chans[i]->a == x && test_chans[i]->b == y) ||
		    (test_chans[i]->a == y && test_chans[i]->b == x))
			return test_chans[i];
	return NULL;
}

int
test_chan_allows(enum proc_id from, enum proc_id to, uint32_t type)
{
	const struct chan_def	*c;

	if ((c = test_chan(from, to)) == NULL)
		return 0;
	return chan_msg(c, from, type) != NULL;
}

const struct chan_msg *
test_msgtype(uint32_t type)
{
	static const struct chan_msg	 unknown = { 0, 0, 0 };
	const struct chan_msg		*m;
	size_t				 i;

	for (i = 0; i < test_nchans; i++) {
		if ((m = chan_msg(test_chans[i], test_chans[i]->a, type)) !=
		    NULL)
			return m;
		if ((m = chan_msg(test_chans[i], test_chans[i]->b, type)) !=
		    NULL)
			return m;
	}
	return &unknown;
}
