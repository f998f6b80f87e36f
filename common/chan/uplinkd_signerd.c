/*
 * The channel from uplinkd to signerd: see uplinkd_signerd.h.
 */
#include "chan/uplinkd_signerd.h"

const struct chan_def chan_uplinkd_signerd = {
	"uplinkd-signerd", PROC_UPLINKD, PROC_SIGNERD,
	CHAN_NONE, CHAN_NONE,
};
