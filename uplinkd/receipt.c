/*
 * Receipts and check-in answers: see receipt.h.  The schema already fixed the shapes (64 hex
 * digits, a long, a dateTime, a boolean); this reads them out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "receipt.h"

int
receipt_parse(struct xschema *xs, const uint8_t *buf, size_t len,
    struct receipt *r, char *err, size_t errlen)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 p;
	const xmlChar	*sha, *id, *t, *dup;
	char		*end;
	long long	 v;

	memset(r, 0, sizeof(*r));
	if ((doc = soap_parse(xs, buf, len, HTTP_MAX_BODY, "Receipt", &p, err,
	    errlen)) == NULL)
		return -1;
	sha = xml_child_text(p, "DocumentSha256");
	id = xml_child_text(p, "DocumentId");
	t = xml_child_text(p, "ServerTime");
	dup = xml_child_text(p, "Duplicate");
	if (sha == NULL || id == NULL || t == NULL || dup == NULL ||
	    strlen((const char *)sha) != 64 ||
	    strlen((const char *)t) >= sizeof(r->server_time)) {
		(void)snprintf(err, errlen, "receipt lacks a field");
		xmlFreeDoc(doc);
		return -1;
	}
	v = strtoll((const char *)id, &end, 10);
	if (*end != '\0') {
		(void)snprintf(err, errlen, "bad DocumentId");
		xmlFreeDoc(doc);
		return -1;
	}
	(void)strlcpy(r->sha256, (const char *)sha, sizeof(r->sha256));
	(void)strlcpy(r->server_time, (const char *)t, sizeof(r->server_time));
	r->doc_id = v;
	r->duplicate = strcmp((const char *)dup, "true") == 0 ||
	    strcmp((const char *)dup, "1") == 0;
	xmlFreeDoc(doc);
	return 0;
}

enum upload_status
upload_judge(struct xschema *xs, const struct http_response *hr,
    const char *sent, struct msg_upload_result *res)
{
	struct receipt	 rc;
	char		 err[256];
	int		 fault;

	res->http_status = hr->status;
	err[0] = '\0';
	if (hr->status != 200) {
		/*
		 * A Fault says why; its reason is for the log.  Whatever else
		 * the body holds (a receipt too) does not count: only a 200
		 * delivers.
		 */
		fault = receipt_parse(xs, hr->body, hr->body_len, &rc, err,
		    sizeof(err)) == -1 && strncmp(err, "SOAP Fault", 10) == 0;
		(void)snprintf(res->error, sizeof(res->error),
		    "server answered %d %s%s%s", hr->status, hr->reason,
		    fault ? ": " : "", fault ? err : "");
		return UP_HTTP;
	}
	if (receipt_parse(xs, hr->body, hr->body_len, &rc, err,
	    sizeof(err)) == -1) {
		(void)snprintf(res->error, sizeof(res->error),
		    "bad receipt: %s", err);
		return UP_PROTOCOL;
	}
	(void)strlcpy(res->receipt_sha256, rc.sha256,
	    sizeof(res->receipt_sha256));
	res->doc_id = rc.doc_id;
	(void)strlcpy(res->server_time, rc.server_time,
	    sizeof(res->server_time));
	res->duplicate = rc.duplicate ? 1 : 0;
	if (strcmp(rc.sha256, sent) != 0) {
		(void)snprintf(res->error, sizeof(res->error),
		    "receipt names %s, we sent %s", rc.sha256, sent);
		return UP_MISMATCH;
	}
	return UP_DELIVERED;
}

enum upload_status
checkin_judge(struct xschema *xs, const struct http_response *hr,
    struct checkin_response *cr, struct msg_upload_result *res)
{
	char	 err[256];

	memset(cr, 0, sizeof(*cr));
	res->http_status = hr->status;
	if (hr->status != 200) {
		(void)snprintf(res->error, sizeof(res->error),
		    "server answered %d %s", hr->status, hr->reason);
		return UP_HTTP;
	}
	if (checkin_response_parse(xs, hr->body, hr->body_len, cr, err,
	    sizeof(err)) == -1) {
		(void)snprintf(res->error, sizeof(res->error),
		    "bad check-in answer: %s", err);
		return UP_PROTOCOL;
	}
	(void)strlcpy(res->server_time, cr->server_time,
	    sizeof(res->server_time));
	res->bundles = (uint32_t)cr->nbundles;
	res->nincidents = (uint32_t)cr->nincidents;
	memcpy(res->incidents, cr->incidents, cr->nincidents *
	    sizeof(cr->incidents[0]));
	return UP_DELIVERED;
}
