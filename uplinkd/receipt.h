/*
 * The server's receipt for an upload: a SOAP envelope holding ch:Receipt,
 * parsed with xmlsafe (no DTD, no entities, no network, schema-checked).
 */
#ifndef UPLINKD_RECEIPT_H
#define UPLINKD_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "chan/auditd_uplinkd.h"
#include "http.h"
#include "xmlsafe.h"

struct receipt {
	char		 sha256[65];
	int64_t		 doc_id;
	char		 server_time[40];
	int		 duplicate;
};

int	receipt_parse(struct xschema *, const uint8_t *, size_t,
	    struct receipt *, char *, size_t);
/*
 * What a complete HTTP response to an upload of `sent' (the document's
 * SHA-256) means: UP_DELIVERED only for a 200 whose receipt names it.
 * Fills the receipt fields of res and, unless delivered, res->error.
 */
enum upload_status upload_judge(struct xschema *,
	    const struct http_response *, const char *sent,
	    struct msg_upload_result *res);

#endif /* UPLINKD_RECEIPT_H */
