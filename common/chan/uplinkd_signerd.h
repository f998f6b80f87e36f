/*
 * The channel from uplinkd to signerd: downloaded instruction bundles
 * and packages, passed on untouched (uplinkd does not read them).
 *
 * It carries nothing yet: check-in and downloads are not implemented, and
 * a channel lists only the messages that have a sender and a receiver.
 */
#ifndef CALLHOME_CHAN_UPLINKD_SIGNERD_H
#define CALLHOME_CHAN_UPLINKD_SIGNERD_H

#include "chan.h"

extern const struct chan_def	chan_uplinkd_signerd;

#endif /* CALLHOME_CHAN_UPLINKD_SIGNERD_H */
