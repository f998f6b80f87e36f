/*
 * Receipts: see receipt.h.  The schema already fixed the shapes (64 hex
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
