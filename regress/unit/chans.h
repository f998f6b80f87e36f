/*
 * Every channel module, for the tests that exercise all of them (a
 * program links only its own).
 */
#ifndef REGRESS_CHANS_H
#define REGRESS_CHANS_H

#include "chan.h"
#include "chan/auditd_uplinkd.h"
#include "chan/collectd_auditd.h"
#include "chan/control.h"
#include "chan/lifecycle.h"
#include "chan/parent_auditd.h"
#include "chan/parent_collectd.h"
#include "chan/parent_signerd.h"
#include "chan/parent_uplinkd.h"
#include "chan/signerd_auditd.h"
#include "chan/uplinkd_signerd.h"

extern const struct chan_def *const	test_chans[];
extern const size_t			test_nchans;

/* the channel between two processes, or NULL */
const struct chan_def	*test_chan(enum proc_id, enum proc_id);
/* may `from' send `type' to `to'? */
int			 test_chan_allows(enum proc_id from, enum proc_id to,
			    uint32_t type);
/* the rules of a type on whichever channel carries it (static "unknown"
 * rules, max 0, when none does) */
const struct chan_msg	*test_msgtype(uint32_t type);

#endif /* REGRESS_CHANS_H */
