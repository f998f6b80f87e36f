/*
 * Strict XML for the wire protocol, shared by uplinkd (receipts), commsd
 * (uploads) and auditd (checking what it built).
 *
 * Parsing refuses any DTD (so no entity can be declared, expanded or
 * fetched), never touches the network or the filesystem (the external
 * entity loader refuses everything), bounds the input size and the
 * element depth, and requires a SOAP 1.2 envelope: Envelope, an optional
 * empty Header, a Body holding exactly one element, which must be the
 * expected one of our namespace and valid against etc/callhome.xsd.
 */
#ifndef CALLHOME_XMLSAFE_H
#define CALLHOME_XMLSAFE_H

#include <stddef.h>

#include <libxml/tree.h>

#define SOAP_NS		"http://www.w3.org/2003/05/soap-envelope"
#define CALLHOME_NS	"urn:callhome:protocol:1"
#define XML_MAX_DEPTH	16

struct xschema;

/* once, before any sandbox: library state, and no loader ever */
void		 xmlsafe_init(void);
/* compile the schema from its text; NULL with a reason */
struct xschema	*xschema_load(const void *, size_t, char *, size_t);
void		 xschema_free(struct xschema *);
/*
 * Parse and check an envelope whose payload must be the element `name'
 * of CALLHOME_NS (NULL: any element of it that the schema declares).
 * Returns the document (xmlFreeDoc it) and sets *payload; NULL with a
 * reason in err.
 */
xmlDocPtr	 soap_parse(struct xschema *, const void *, size_t, size_t max,
		    const char *name, xmlNodePtr *payload, char *, size_t);
/* text of the first child element `name' of n (our namespace), or NULL */
const xmlChar	*xml_child_text(xmlNodePtr n, const char *name);
xmlNodePtr	 xml_child(xmlNodePtr n, const char *name);

#endif /* CALLHOME_XMLSAFE_H */
