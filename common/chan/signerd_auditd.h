/*
 * The channel from signerd to auditd: verified packages to store, and
 * verdicts to log.
 *
 * It carries nothing yet: check-in and downloads are not implemented, and
 * a channel lists only the messages that have a sender and a receiver.
 */
#ifndef CALLHOME_CHAN_SIGNERD_AUDITD_H
#define CALLHOME_CHAN_SIGNERD_AUDITD_H

#include "chan.h"

extern const struct chan_def	chan_signerd_auditd;

#endif /* CALLHOME_CHAN_SIGNERD_AUDITD_H */
