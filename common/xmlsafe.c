/*
 * Strict XML: see xmlsafe.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "log.h"
#include "xmlsafe.h"

struct xschema {
	xmlSchemaPtr		 schema;
	xmlSchemaValidCtxtPtr	 vctxt;
};

/* libxml2 reports through these: collect the first message only */
static char	*xml_err;
static size_t	 xml_errlen;

static void
xml_error(void *ctx, const xmlError *e)
{
	size_t	 n;

	if (xml_err == NULL || xml_err[0] != '\0' || e == NULL ||
	    e->message == NULL)
		return;
	(void)snprintf(xml_err, xml_errlen, "line %d: %s", e->line,
	    e->message);
	/* libxml2 ends its messages with a newline */
	n = strlen(xml_err);
	while (n > 0 && (xml_err[n - 1] == '\n' || xml_err[n - 1] == ' '))
		xml_err[--n] = '\0';
}

static void
xml_generic_error(void *ctx, const char *fmt, ...)
{
	/* everything goes through the structured handler */
}

/* nothing is ever loaded: not a DTD, not an entity, not a schema import */
static xmlParserInputPtr
deny_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	return NULL;
}

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

void
xmlsafe_init(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(deny_loader);
	xmlSetStructuredErrorFunc(NULL, (xmlStructuredErrorFunc)xml_error);
	xmlSetGenericErrorFunc(NULL, xml_generic_error);
	xmlLineNumbersDefault(1);
}

struct xschema *
xschema_load(const void *xsd, size_t len, char *err, size_t errlen)
{
	xmlSchemaParserCtxtPtr	 pctxt;
	struct xschema		*xs;

	if (len > INT32_MAX) {
		set_err(err, errlen, "schema too large");
		return NULL;
	}
	if ((xs = calloc(1, sizeof(*xs))) == NULL)
		fatal(NULL);
	xml_err = err;
	xml_errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((pctxt = xmlSchemaNewMemParserCtxt(xsd, (int)len)) == NULL)
		goto fail;
	xs->schema = xmlSchemaParse(pctxt);
	xmlSchemaFreeParserCtxt(pctxt);
	if (xs->schema == NULL ||
	    (xs->vctxt = xmlSchemaNewValidCtxt(xs->schema)) == NULL)
		goto fail;
	xml_err = NULL;
	return xs;
 fail:
	if (err != NULL && errlen > 0 && err[0] == '\0')
		set_err(err, errlen, "the schema does not compile");
	xml_err = NULL;
	xschema_free(xs);
	return NULL;
}

void
xschema_free(struct xschema *xs)
{
	if (xs == NULL)
		return;
	if (xs->vctxt != NULL)
		xmlSchemaFreeValidCtxt(xs->vctxt);
	if (xs->schema != NULL)
		xmlSchemaFree(xs->schema);
	free(xs);
}

static int
is_ns(xmlNodePtr n, const char *ns, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    n->ns->href != NULL && strcmp((const char *)n->ns->href, ns) == 0 &&
	    strcmp((const char *)n->name, name) == 0;
}

/* the element children of n; text between them must be white space */
static int
elements_only(xmlNodePtr n, xmlNodePtr *kids, int max)
{
	xmlNodePtr	 c;
	const xmlChar	*t;
	int		 k = 0;

	for (c = n->children; c != NULL; c = c->next) {
		switch (c->type) {
		case XML_ELEMENT_NODE:
			if (k == max)
				return -1;
			kids[k++] = c;
			break;
		case XML_TEXT_NODE:
			for (t = c->content; t != NULL && *t != '\0'; t++)
				if (*t != ' ' && *t != '\t' && *t != '\n' &&
				    *t != '\r')
					return -1;
			break;
		case XML_COMMENT_NODE:
			break;
		default:
			return -1;	/* PI, CDATA, entity references... */
		}
	}
	return k;
}

static int
too_deep(xmlNodePtr n, int depth)
{
	xmlNodePtr	 c;

	if (depth > XML_MAX_DEPTH)
		return 1;
	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && too_deep(c, depth + 1))
			return 1;
	return 0;
}

xmlDocPtr
soap_parse(struct xschema *xs, const void *buf, size_t len, size_t max,
    const char *name, xmlNodePtr *payload, char *err, size_t errlen)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root, kids[3], body;
	int		 n, opts;

	*payload = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (len == 0 || len > max || len > INT32_MAX) {
		set_err(err, errlen, "document of %zu bytes (limit %zu)", len,
		    max);
		return NULL;
	}
	/*
	 * Before libxml2 sees it: UTF-8 only (no NUL, so no UTF-16), and no
	 * declaration of a DTD or an entity anywhere, so nothing can expand.
	 */
	if (memchr(buf, '\0', len) != NULL ||
	    memmem(buf, len, "<!DOCTYPE", 9) != NULL ||
	    memmem(buf, len, "<!ENTITY", 8) != NULL) {
		set_err(err, errlen, "a DTD, an entity or a NUL byte is not "
		    "allowed");
		return NULL;
	}
	xml_err = err;
	xml_errlen = errlen;
	/* no network, no entity substitution, no DTD loading, no XInclude */
	opts = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOWARNING;
	doc = xmlReadMemory(buf, (int)len, "message", NULL, opts);
	xml_err = NULL;
	if (doc == NULL) {
		if (err != NULL && errlen > 0 && err[0] == '\0')
			set_err(err, errlen, "not well-formed XML");
		return NULL;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		set_err(err, errlen, "a DTD is not allowed");
		goto fail;
	}
	root = xmlDocGetRootElement(doc);
	if (!is_ns(root, SOAP_NS, "Envelope")) {
		set_err(err, errlen, "not a SOAP 1.2 Envelope");
		goto fail;
	}
	if (too_deep(root, 1)) {
		set_err(err, errlen, "elements nested deeper than %d",
		    XML_MAX_DEPTH);
		goto fail;
	}
	n = elements_only(root, kids, 2);
	if (n == 2 && is_ns(kids[0], SOAP_NS, "Header") &&
	    is_ns(kids[1], SOAP_NS, "Body")) {
		xmlNodePtr	 h[1];

		if (elements_only(kids[0], h, 0) != 0) {
			set_err(err, errlen, "SOAP Header must be empty");
			goto fail;
		}
		body = kids[1];
	} else if (n == 1 && is_ns(kids[0], SOAP_NS, "Body"))
		body = kids[0];
	else {
		set_err(err, errlen, "Envelope must hold a Body (and at most "
		    "an empty Header before it)");
		goto fail;
	}
	if (elements_only(body, kids, 1) != 1) {
		set_err(err, errlen, "Body must hold exactly one element");
		goto fail;
	}
	if (is_ns(kids[0], SOAP_NS, "Fault")) {
		const xmlChar	*t = NULL;
		xmlNodePtr	 r;

		for (r = kids[0]->children; r != NULL && t == NULL;
		    r = r->next)
			if (is_ns(r, SOAP_NS, "Reason") && r->children)
				t = xmlNodeGetContent(r->children);
		set_err(err, errlen, "SOAP Fault: %.200s",
		    t ? (const char *)t : "(no reason)");
		if (t != NULL)
			xmlFree((void *)t);
		goto fail;
	}
	if (!is_ns(kids[0], CALLHOME_NS, name != NULL ? name :
	    (const char *)kids[0]->name)) {
		set_err(err, errlen, "expected %s, got %.64s", name != NULL ?
		    name : "an element of " CALLHOME_NS,
		    (const char *)kids[0]->name);
		goto fail;
	}
	xml_err = err;
	xml_errlen = errlen;
	if (xmlSchemaValidateOneElement(xs->vctxt, kids[0]) != 0) {
		xml_err = NULL;
		if (err != NULL && errlen > 0 && err[0] == '\0')
			set_err(err, errlen, "%s is not valid",
			    (const char *)kids[0]->name);
		goto fail;
	}
	xml_err = NULL;
	*payload = kids[0];
	return doc;
 fail:
	xmlFreeDoc(doc);
	return NULL;
}

xmlNodePtr
xml_child(xmlNodePtr n, const char *name)
{
	xmlNodePtr	 c;

	for (c = n ? n->children : NULL; c != NULL; c = c->next)
		if (is_ns(c, CALLHOME_NS, name))
			return c;
	return NULL;
}

const xmlChar *
xml_child_text(xmlNodePtr n, const char *name)
{
	xmlNodePtr	 c = xml_child(n, name);

	if (c == NULL || c->children == NULL ||
	    c->children->type != XML_TEXT_NODE)
		return c != NULL ? (const xmlChar *)"" : NULL;
	return c->children->content;
}
