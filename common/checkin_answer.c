/*
 * The server's answer to a check-in: see checkin.h.  Apart from the
 * request (checkin.c), so that uplinkd, which only reads answers, links
 * no XML writer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "checkin.h"
#include "log.h"

static void	set_err(char *, size_t, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
is_ours(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    n->ns->href != NULL &&
	    strcmp((const char *)n->ns->href, CALLHOME_NS) == 0 &&
	    strcmp((const char *)n->name, name) == 0;
}

/* the text of n: one text node and nothing else; NULL otherwise */
static const char *
only_text(xmlNodePtr n)
{
	xmlNodePtr	 t = n->children;

	if (t == NULL || t->next != NULL || t->type != XML_TEXT_NODE ||
	    t->content == NULL)
		return NULL;
	return (const char *)t->content;
}

static int
take_bundle(struct checkin_response *r, xmlNodePtr n, char *err,
    size_t errlen)
{
	struct checkin_bundle	*b;
	const char		*t;
	size_t			 tlen;

	if (r->nbundles == CHECKIN_MAX_BUNDLES) {
		set_err(err, errlen, "more than %d bundles",
		    CHECKIN_MAX_BUNDLES);
		return -1;
	}
	b = &r->bundles[r->nbundles];
	if ((t = only_text(n)) == NULL) {
		set_err(err, errlen, "bundle %zu is not one text",
		    r->nbundles + 1);
		return -1;
	}
	tlen = strlen(t);
	if (tlen == 0 || tlen > B64_ENCODED_LEN(BUNDLE_MAX)) {
		set_err(err, errlen, "bundle %zu: %zu characters of base64 "
		    "(1 to %d)", r->nbundles + 1, tlen,
		    B64_ENCODED_LEN(BUNDLE_MAX));
		return -1;
	}
	if ((b->data = malloc(B64_DECODED_MAX(tlen))) == NULL)
		fatal("%s", __func__);
	if (b64_decode_strict(t, tlen, b->data, B64_DECODED_MAX(tlen),
	    &b->len) == -1 || b->len == 0 || b->len > BUNDLE_MAX) {
		set_err(err, errlen, "bundle %zu: not the canonical base64 of "
		    "1 to %d bytes", r->nbundles + 1, BUNDLE_MAX);
		free(b->data);
		b->data = NULL;
		b->len = 0;
		return -1;
	}
	r->nbundles++;
	return 0;
}

/* <ch:IncidentStatus id="N" status="shipped"/> */
static int
take_incident(struct checkin_response *r, xmlNodePtr n, char *err,
    size_t errlen)
{
	struct checkin_incident	*ci = &r->incidents[r->nincidents];
	xmlChar			*id, *st;
	const char		*e = NULL;
	int			 s;

	if (r->nincidents >= CHECKIN_MAX_INCIDENTS || n->children != NULL) {
		set_err(err, errlen, "more than %d incidents, or one with "
		    "content", CHECKIN_MAX_INCIDENTS);
		return -1;
	}
	id = xmlGetNoNsProp(n, (const xmlChar *)"id");
	st = xmlGetNoNsProp(n, (const xmlChar *)"status");
	ci->id = id != NULL ? strtonum((const char *)id, 1, INT64_MAX, &e) : 0;
	for (s = CHECKIN_INC_CLOSED; s > 0 && st != NULL; s--)
		if (strcmp((const char *)st, checkin_incident_status(s)) == 0)
			break;
	xmlFree(id);
	xmlFree(st);
	if (ci->id <= 0 || e != NULL || st == NULL || s == 0) {
		set_err(err, errlen, "incident status %zu: a bad id or status",
		    r->nincidents + 1);
		return -1;
	}
	ci->status = (uint8_t)s;
	r->nincidents++;
	return 0;
}

void
checkin_response_free(struct checkin_response *r)
{
	size_t	 i;

	for (i = 0; i < r->nbundles && i < CHECKIN_MAX_BUNDLES; i++)
		free(r->bundles[i].data);
	memset(r, 0, sizeof(*r));
}

int
checkin_response_parse(struct xschema *xs, const uint8_t *buf, size_t len,
    struct checkin_response *r, char *err, size_t errlen)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 p, c;
	const char	*t;
	int		 have_time = 0;

	memset(r, 0, sizeof(*r));
	if ((doc = soap_parse(xs, buf, len, CHECKIN_RESPONSE_MAX,
	    "CheckInResponse", &p, err, errlen)) == NULL)
		return -1;
	/* the schema said all this already: here it is not assumed */
	for (c = p->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;	/* white space, comments */
		if (!have_time && is_ours(c, "ServerTime")) {
			if ((t = only_text(c)) == NULL ||
			    strlcpy(r->server_time, t, sizeof(r->server_time)) >=
			    sizeof(r->server_time)) {
				set_err(err, errlen, "a bad ServerTime");
				goto fail;
			}
			have_time = 1;
		} else if (have_time && is_ours(c, "Bundle")) {
			if (take_bundle(r, c, err, errlen) == -1)
				goto fail;
		} else if (have_time && is_ours(c, "IncidentStatus")) {
			if (take_incident(r, c, err, errlen) == -1)
				goto fail;
		} else {
			set_err(err, errlen, "unexpected element %.64s",
			    (const char *)c->name);
			goto fail;
		}
	}
	if (!have_time) {
		set_err(err, errlen, "no ServerTime");
		goto fail;
	}
	xmlFreeDoc(doc);
	return 0;
 fail:
	xmlFreeDoc(doc);
	checkin_response_free(r);
	return -1;
}
