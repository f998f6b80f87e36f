/*
 * Upload results as words: see upload_status.h.
 */
#include "upload_status.h"

static const char *const upload_status_names[UP_STATUS_MAX] = {
	"delivered", "receipt-mismatch", "dial-failed", "tls-failed",
	"http-error", "protocol-error", "timeout",
};

const char *
upload_status_name(int s)
{
	if (s < 0 || s >= UP_STATUS_MAX)
		return "unknown";
	return upload_status_names[s];
}
