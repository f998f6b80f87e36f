/*
 * The channel from signerd to auditd: see signerd_auditd.h.
 */
#include "chan/signerd_auditd.h"

const struct chan_def chan_signerd_auditd = {
	"signerd-auditd", PROC_SIGNERD, PROC_AUDITD,
	CHAN_NONE, CHAN_NONE,
};
