/*
 * The check of an uploaded document (see check.h): what a worker does
 * with it, and what comms_upload() does in the unit tests and fuzzers.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "xmlsafe.h"

int
comms_check_document(struct xschema *xs, const struct comms_check_limits *lim,
    const uint8_t *doc, size_t len, struct wbuf *out, int *status, char *err,
    size_t errlen)
{
	struct comms_scan	 sc;
	xmlDocPtr		 x;
	xmlNodePtr		 payload;
	char			 why[400];

	*status = 400;
	if (len == 0 || len > lim->max_document) {
		if (len > lim->max_document)
			*status = 413;
		(void)snprintf(err, errlen, "document not valid: document of "
		    "%zu bytes (limit %zu)", len, lim->max_document);
		return -1;
	}
	if (comms_prescan(doc, len, &lim->scan, &sc, why, sizeof(why)) ==
	    -1) {
		/* too many nodes is too large; the rest is not valid */
		if (sc.nodes > lim->scan.max_nodes)
			*status = 413;
		(void)snprintf(err, errlen, "document not valid: %s", why);
		return -1;
	}
	x = soap_parse(xs, doc, len, lim->max_document, NULL, &payload,
	    why, sizeof(why));
	if (x == NULL) {
		(void)snprintf(err, errlen, "document not valid: %s", why);
		return -1;
	}
	wbuf_reset(out);
	if (strcmp((const char *)payload->name, "Upload") != 0 &&
	    strcmp((const char *)payload->name, "CheckIn") != 0) {
		xmlFreeDoc(x);
		(void)snprintf(err, errlen, "document not valid: a %.64s, not "
		    "an Upload or a CheckIn", (const char *)payload->name);
		return -1;
	}
	if ((payload->name[0] == 'U' ? comms_extract_encode(payload, out, why,
	    sizeof(why)) : comms_extract_checkin(payload, out, why,
	    sizeof(why))) == -1) {
		xmlFreeDoc(x);
		wbuf_reset(out);
		(void)snprintf(err, errlen, "document not valid: %s", why);
		return -1;
	}
	/* the server holds no more room for it: never, by construction */
	if (out->len > len) {
		xmlFreeDoc(x);
		wbuf_reset(out);
		*status = 500;
		(void)snprintf(err, errlen, "the extract of the document is "
		    "larger than the document");
		return -1;
	}
	xmlFreeDoc(x);
	return 0;
}
