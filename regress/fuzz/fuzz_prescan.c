/*
 * libFuzzer target: commsd's pre-scan of uploaded documents
 * (commsd/prescan.c), against the tree libxml2 builds of the same bytes.
 *
 * The first byte chooses the limits (its low bits scale them down, so
 * that each is reached); the rest is the document.  Then:
 *
 *	- the scan is deterministic, and a refusal says why and where
 *	  (within the document);
 *	- when libxml2 parses the document (with commsd's options, and
 *	  without a NUL byte, which soap_parse() refuses first), the scan
 *	  never counted fewer nodes, fewer attributes on an element or fewer
 *	  levels than libxml2 built, when it let the document through;
 *	- and never called it malformed: a well-formed document is refused
 *	  only for a limit or a markup declaration.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "../../commsd/check.h"
#include "log.h"
#include "xmlsafe.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct tally {
	uint64_t	 nodes;
	uint32_t	 attrs;
	uint32_t	 depth;
};

static void
tally_nodes(xmlNodePtr n, uint32_t depth, struct tally *t)
{
	xmlAttrPtr	 a;
	xmlNsPtr	 ns;
	xmlNodePtr	 c;
	uint32_t	 k;

	for (; n != NULL; n = n->next) {
		t->nodes++;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (depth > t->depth)
			t->depth = depth;
		k = 0;
		for (a = n->properties; a != NULL; a = a->next) {
			k++;
			t->nodes++;
			for (c = a->children; c != NULL; c = c->next)
				t->nodes++;
		}
		for (ns = n->nsDef; ns != NULL; ns = ns->next)
			k++;
		if (k > t->attrs)
			t->attrs = k;
		/* deeper than libxml2's own limit is not walked */
		if (depth < 10000)
			tally_nodes(n->children, depth + 1, t);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_init("fuzz_prescan", LOG_TO_STDERR, 0);
	xmlsafe_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct comms_scan_limits	 lim;
	struct comms_scan		 a, b;
	struct tally			 t;
	xmlDocPtr			 d;
	char				 err[256], err2[256];
	int				 ra, rb;

	if (size < 1 || size > (1 << 20))
		return 0;
	comms_scan_limits_default(&lim);
	/* small limits, to reach each of them */
	lim.max_attrs = 2 + (data[0] & 0x07);
	lim.max_depth = 2 + ((data[0] >> 3) & 0x07);
	lim.max_nodes = (data[0] & 0x40) ? 64 : lim.max_nodes;
	lim.max_name = (data[0] & 0x80) ? 8 : lim.max_name;
	data++;
	size--;

	ra = comms_prescan(data, size, &lim, &a, err, sizeof(err));
	rb = comms_prescan(data, size, &lim, &b, err2, sizeof(err2));
	if (ra != rb || a.nodes != b.nodes || a.why != b.why ||
	    strcmp(err, err2) != 0)
		abort();
	if (ra == -1 && (a.why == COMMS_SCAN_OK || err[0] == '\0' ||
	    a.where > size))
		abort();
	if (ra == 0 && (a.max_attrs_seen > lim.max_attrs ||
	    a.max_depth_seen > lim.max_depth || a.nodes > lim.max_nodes))
		abort();

	/* libxml2 would take a NUL for the end; commsd refuses it before */
	if (memchr(data, '\0', size) != NULL)
		return 0;
	d = xmlReadMemory((const char *)data, (int)size, "fuzz", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOWARNING |
	    XML_PARSE_NOERROR);
	if (d == NULL)
		return 0;
	if (ra == -1 && a.why == COMMS_SCAN_MALFORMED) {
		fprintf(stderr, "well-formed, but the scan says: %s\n", err);
		abort();
	}
	if (ra == 0) {
		memset(&t, 0, sizeof(t));
		tally_nodes(d->children, 1, &t);
		if (t.nodes > a.nodes || t.attrs > a.max_attrs_seen ||
		    t.depth > a.max_depth_seen) {
			fprintf(stderr, "libxml2: %llu nodes, %u attributes, "
			    "depth %u; the scan: %llu, %u, %u\n",
			    (unsigned long long)t.nodes, t.attrs, t.depth,
			    (unsigned long long)a.nodes, a.max_attrs_seen,
			    a.max_depth_seen);
			abort();
		}
	}
	xmlFreeDoc(d);
	return 0;
}
