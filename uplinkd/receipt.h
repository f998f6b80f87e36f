/*
 * The server's answers: the receipt for an upload (a SOAP envelope
 * holding ch:Receipt) and the answer to a check-in, parsed with xmlsafe
 * (no DTD, no entities, no network, schema-checked).
 */
#ifndef UPLINKD_RECEIPT_H
#define UPLINKD_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "chan/auditd_uplinkd.h"
#include "checkin.h"
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

/*
 * What a complete HTTP response to a check-in means: UP_DELIVERED for a
 * 200 whose CheckInResponse parses, its bundles in *cr (free them with
 * checkin_response_free()) and their number in res->bundles; otherwise
 * *cr is empty and res->error says why.
 */
enum upload_status checkin_judge(struct xschema *,
	    const struct http_response *, struct checkin_response *cr,
	    struct msg_upload_result *res);

#endif /* UPLINKD_RECEIPT_H */
