/*
 * The check of an uploaded document (commsd/prescan.c, check.c,
 * extract.c): the pre-scan's bounds and its counts against the tree
 * libxml2 builds, the document that held commsd for 45 s (160,000
 * attributes on one element) refused before libxml2 sees it, the
 * extract of a valid document and the refusal of every malformed one.
 *
 * Run from the top of the tree: etc/callhome.xsd and the sample
 * documents of regress/fuzz/corpus/upload/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "../../commsd/commsd.h"
#include "../../commsd/check.h"
#include "log.h"
#include "test.h"
#include "xmlsafe.h"

#define FULL		"regress/fuzz/corpus/upload/upload-full.xml"
#define ADDRESS		"regress/fuzz/corpus/upload/upload-address.xml"
#define MINIMAL		"regress/fuzz/corpus/upload/upload-min.xml"

static struct xschema		*xs;
static struct comms_scan_limits	 lim;
static char			*full, *address, *minimal;
static size_t			 full_len, address_len, minimal_len;

static char *
slurp(const char *path, size_t *len)
{
	FILE	*fp;
	char	*b;
	long	 n;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == -1 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) == -1 || (b = malloc(n + 1)) == NULL ||
	    fread(b, 1, n, fp) != (size_t)n) {
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	b[n] = '\0';
	*len = n;
	return b;
}

static struct comms_scan	 last;

static int
scan(const char *doc, char *err, size_t errlen)
{
	return comms_prescan((const uint8_t *)doc, strlen(doc), &lim, &last,
	    err, errlen);
}

/* one element with n attributes, in an envelope: a valid-looking start */
static char *
many_attributes(size_t n, size_t *lenp)
{
	struct wbuf	 w;
	char		 a[32];
	size_t		 i;
	int		 k;

	static const char	 head[] = "<env:Envelope xmlns:env=\""
	    SOAP_NS "\"><env:Body><ch:Upload xmlns:ch=\"" CALLHOME_NS "\"";
	static const char	 tail[] = "/></env:Body></env:Envelope>";

	wbuf_init(&w);
	wbuf_bytes(&w, head, sizeof(head) - 1);
	for (i = 0; i < n; i++) {
		k = snprintf(a, sizeof(a), " a%zu=\"x\"", i);
		wbuf_bytes(&w, a, (size_t)k);
	}
	wbuf_bytes(&w, tail, sizeof(tail) - 1);
	*lenp = w.len;
	wbuf_u8(&w, '\0');
	return (char *)w.data;
}

/* what libxml2 built: nodes, the most attributes of an element, depth */
struct tally {
	uint64_t	 nodes;
	uint32_t	 attrs;
	uint32_t	 depth;
};

static void
tally_node(xmlNodePtr n, uint32_t depth, struct tally *t)
{
	xmlAttrPtr	 a;
	xmlNsPtr	 ns;
	xmlNodePtr	 c;
	uint32_t	 k = 0;

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
		tally_node(n->children, depth + 1, t);
	}
}

/* the pre-scan never counts less than libxml2 builds */
static int
counts_cover(const char *doc, size_t len)
{
	struct comms_scan	 sc;
	struct tally		 t;
	xmlDocPtr		 d;
	char			 err[256];

	if (comms_prescan((const uint8_t *)doc, len, &lim, &sc, err,
	    sizeof(err)) == -1)
		return 0;
	if ((d = xmlReadMemory(doc, (int)len, "x", NULL, XML_PARSE_NONET |
	    XML_PARSE_NOCDATA | XML_PARSE_NOWARNING | XML_PARSE_NOERROR)) ==
	    NULL)
		return 0;
	memset(&t, 0, sizeof(t));
	tally_node(d->children, 1, &t);
	xmlFreeDoc(d);
	if (t.nodes > sc.nodes || t.attrs > sc.max_attrs_seen ||
	    t.depth > sc.max_depth_seen) {
		printf("# libxml2: %llu nodes, %u attributes, depth %u; "
		    "prescan: %llu, %u, %u\n", (unsigned long long)t.nodes,
		    t.attrs, t.depth, (unsigned long long)sc.nodes,
		    sc.max_attrs_seen, sc.max_depth_seen);
		return 0;
	}
	return 1;
}

TEST(prescan_valid_documents)
{
	struct comms_scan	 sc;
	const char		*doc;
	char			 err[256];

	CHECK(comms_prescan((const uint8_t *)full, full_len, &lim, &sc, err,
	    sizeof(err)) == 0);
	CHECK(sc.nodes > 50);
	CHECK(sc.max_depth_seen >= 5 && sc.max_depth_seen <= XML_MAX_DEPTH);
	CHECK(counts_cover(full, full_len));
	CHECK(counts_cover(address, address_len));
	CHECK(counts_cover(minimal, minimal_len));
	doc = "<a b='1' c=\"&amp;x&lt;\">t&amp;u<!--c--><?p q?>"
	    "<![CDATA[z]]>v</a>";
	CHECK(counts_cover(doc, strlen(doc)));
	doc = "<?xml version='1.0'?>\n<a xmlns='u' xmlns:p='v' p:b='1'>\n "
	    "<b/>\n</a>\n";
	CHECK(counts_cover(doc, strlen(doc)));
}

TEST(prescan_attributes)
{
	char	*doc, err[256];
	size_t	 len;

	/* the limit itself passes, one more does not */
	doc = many_attributes(64 - 1, &len);	/* and xmlns:ch */
	CHECK(scan(doc, err, sizeof(err)) == 0);
	free(doc);
	doc = many_attributes(64, &len);
	CHECK(scan(doc, err, sizeof(err)) == -1);
	CHECK(strstr(err, "more than 64 attributes on one element") != NULL);
	CHECK_EQ_INT(last.why, COMMS_SCAN_LIMIT);
	free(doc);
	/* the document of the issue: 160,000 attributes, 1.8 MB */
	doc = many_attributes(160000, &len);
	CHECK(len > 1700000);
	CHECK(scan(doc, err, sizeof(err)) == -1);
	CHECK(strstr(err, "more than 64 attributes") != NULL);
	free(doc);
	/* single quotes, white space around '=' */
	CHECK(scan("<a b = 'x' c\n=\n\"y\"/>", err, sizeof(err)) == 0);
}

TEST(prescan_names_depth_nodes)
{
	struct comms_scan_limits	 small = lim;
	struct comms_scan		 sc;
	char				 buf[1024], err[256];
	int				 i, n;

	memset(buf, 'n', sizeof(buf));
	buf[0] = '<';
	(void)strlcpy(buf + 1 + 256, "/>", sizeof(buf) - 257);
	CHECK(scan(buf, err, sizeof(err)) == 0);
	buf[1 + 256] = 'n';
	(void)strlcpy(buf + 1 + 257, "/>", sizeof(buf) - 258);
	CHECK(scan(buf, err, sizeof(err)) == -1);
	CHECK(strstr(err, "element name longer than 256") != NULL);
	(void)snprintf(buf, sizeof(buf), "<a %0300d='1'/>", 0);
	CHECK(scan(buf, err, sizeof(err)) == -1);
	CHECK(strstr(err, "attribute name longer") != NULL);
	CHECK(scan("<a></aaaaaaaa>", err, sizeof(err)) == 0);

	/* 16 levels, then 17 */
	for (n = 0, i = 0; i < 16; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "<e>");
	CHECK(scan(buf, err, sizeof(err)) == 0);
	(void)snprintf(buf + n, sizeof(buf) - n, "<e/>");
	CHECK(scan(buf, err, sizeof(err)) == -1);
	CHECK(strstr(err, "nested deeper than 16") != NULL);
	CHECK_EQ_INT(last.why, COMMS_SCAN_LIMIT);
	/* closing brings the depth down again */
	for (n = 0, i = 0; i < 40; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "<e></e>");
	CHECK(scan(buf, err, sizeof(err)) == 0);

	small.max_nodes = 10;
	CHECK(comms_prescan((const uint8_t *)"<a b='1'>x<c/>y</a>", 19,
	    &small, &sc, err, sizeof(err)) == 0);
	CHECK_EQ_INT(sc.nodes, 6);
	CHECK(comms_prescan((const uint8_t *)"<a b='1'>x<c/>y<d/>z</a>", 24,
	    &small, &sc, err, sizeof(err)) == 0);
	CHECK(comms_prescan((const uint8_t *)"<a b='1'>x<c/>y<d/>z<e/>w<f/>"
	    "</a>", 33, &small, &sc, err, sizeof(err)) == -1);
	CHECK(strstr(err, "more than 10 XML nodes") != NULL);
	/* a reference may split a text node: each counts */
	CHECK(comms_prescan((const uint8_t *)"<a>&amp;&amp;&amp;&amp;&amp;"
	    "&amp;&amp;&amp;&amp;</a>", 52, &small, &sc, err,
	    sizeof(err)) == -1);
}

TEST(prescan_malformed)
{
	static const char	*bad[] = {
		"<!DOCTYPE a><a/>",
		"<!ENTITY x 'y'>",
		"<a b='1",
		"<a b=1/>",
		"<a b/>",
		"<a b='<'/>",
		"<a",
		"< a/>",
		"<a/ >",
		"</a>",
		"<a></a></a>",
		"<a><!-- never ends",
		"<a><![CDATA[ never ends",
		"<a><? never ends",
		"<",
		"<a></a",
	};
	size_t			 i;
	char			 err[256];

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (scan(bad[i], err, sizeof(err)) != -1) {
			printf("# accepted: %s\n", bad[i]);
			CHECK(0);
		}
		CHECK(strstr(err, "(at byte ") != NULL);
		CHECK_EQ_INT(last.why, i < 2 ? COMMS_SCAN_DECLARATION :
		    COMMS_SCAN_MALFORMED);
	}
	/* text, comments, CDATA and PIs hold what they like */
	CHECK(scan("<a>x > y<!-- <b c=d --><![CDATA[<e>]]><?p <f?></a>", err,
	    sizeof(err)) == 0);
	CHECK(scan("", err, sizeof(err)) == 0);
	CHECK(scan("no markup at all", err, sizeof(err)) == 0);
}

TEST(check_document)
{
	struct comms_check_limits	 cl;
	struct wbuf			 w;
	char				*doc, err[512];
	size_t				 len;
	uint64_t			 ndev;
	int				 status;

	cl.scan = lim;
	cl.max_document = 4 << 20;
	wbuf_init(&w);
	CHECK(comms_check_document(xs, &cl, (const uint8_t *)full, full_len,
	    &w, &status, err, sizeof(err)) == 0);
	CHECK(w.len > 0 && w.len <= full_len);
	CHECK(comms_extract_check(w.data, w.len, &ndev, err,
	    sizeof(err)) == 0);
	CHECK_EQ_INT(ndev, 2);
	CHECK(comms_check_document(xs, &cl, (const uint8_t *)minimal,
	    minimal_len, &w, &status, err, sizeof(err)) == 0);
	CHECK(comms_extract_check(w.data, w.len, &ndev, err,
	    sizeof(err)) == 0);
	CHECK_EQ_INT(ndev, 0);

	/* refused before libxml2 sees it: 400 */
	doc = many_attributes(160000, &len);
	CHECK(comms_check_document(xs, &cl, (const uint8_t *)doc, len, &w,
	    &status, err, sizeof(err)) == -1);
	free(doc);
	CHECK_EQ_INT(status, 400);
	CHECK(strstr(err, "document not valid: more than 64 attributes") !=
	    NULL);
	/* too many nodes: 413 */
	cl.scan.max_nodes = 50;
	CHECK(comms_check_document(xs, &cl, (const uint8_t *)full, full_len,
	    &w, &status, err, sizeof(err)) == -1);
	CHECK_EQ_INT(status, 413);
	cl.scan = lim;
	/* larger than the limit: 413; not valid: 400 */
	cl.max_document = 100;
	CHECK(comms_check_document(xs, &cl, (const uint8_t *)full, full_len,
	    &w, &status, err, sizeof(err)) == -1);
	CHECK_EQ_INT(status, 413);
	cl.max_document = 4 << 20;
	CHECK(comms_check_document(xs, &cl, (const uint8_t *)"<a/>", 4, &w,
	    &status, err, sizeof(err)) == -1);
	CHECK_EQ_INT(status, 400);
	CHECK(strstr(err, "not a SOAP 1.2 Envelope") != NULL);
	wbuf_free(&w);
}

TEST(extract_records)
{
	struct comms_check_limits	 cl;
	struct comms_record		 r;
	struct wbuf			 w, again;
	char				 err[512];
	size_t				 off = 0;
	int				 status, n = 0, meters = 0;

	cl.scan = lim;
	cl.max_document = 4 << 20;
	wbuf_init(&w);
	wbuf_init(&again);
	CHECK(comms_check_document(xs, &cl, (const uint8_t *)full, full_len,
	    &w, &status, err, sizeof(err)) == 0);
	while (comms_extract_next(w.data, w.len, &off, &r)) {
		if (n++ == 0) {
			CHECK_EQ_INT(r.tag, COMMS_REC_UPLOAD);
			CHECK(r.f[XU_GATEWAY].len == 3 &&
			    memcmp(r.f[XU_GATEWAY].s, "gw1", 3) == 0);
			CHECK(r.f[XU_SITE].s != NULL);
			CHECK(r.f[XU_CATEGORIES].len == 41 && memcmp(
			    r.f[XU_CATEGORIES].s, "meters supplies", 15) == 0);
		}
		if (r.tag == COMMS_REC_METER) {
			meters++;
			CHECK(r.f[XM_NAME].s != NULL);
		}
		/* decoding and encoding again gives the same bytes */
		comms_extract_put(&again, &r);
	}
	CHECK_EQ_INT(off, w.len);
	CHECK_EQ_INT(meters, 2);
	CHECK_EQ_INT(again.len, w.len);
	CHECK(memcmp(again.data, w.data, w.len) == 0);
	wbuf_free(&w);
	wbuf_free(&again);
}

/* an extract from its bytes */
static int
xcheck(const void *p, size_t len)
{
	uint64_t	 ndev;
	char		 err[256];

	return comms_extract_check(p, len, &ndev, err, sizeof(err));
}

TEST(extract_malformed)
{
	/* a minimal upload record: the seven required fields, one byte each */
	static const uint8_t	 up[] = { 'U', 7, 0, 1, 'g', 1, 1, 's',
	    3, 1, '1', 4, 1, 'r', 5, 1, 't', 6, 1, 't', 7, 1, 'c' };
	static const uint8_t	 dev[] = { 'D', 3, 0, 1, 'k', 1, 1, 'o',
	    2, 1, 't' };
	static const uint8_t	 meter[] = { 'M', 1, 0, 1, 'n' };
	uint8_t			 b[256];
	size_t			 n, k;

	CHECK(xcheck(up, sizeof(up)) == 0);
	memcpy(b, up, sizeof(up));
	memcpy(b + sizeof(up), dev, sizeof(dev));
	memcpy(b + sizeof(up) + sizeof(dev), meter, sizeof(meter));
	n = sizeof(up) + sizeof(dev) + sizeof(meter);
	CHECK(xcheck(b, n) == 0);
	/* every cut fails, except between records */
	for (k = 0; k < n; k++) {
		if (k == sizeof(up) || k == sizeof(up) + sizeof(dev))
			CHECK(xcheck(b, k) == 0);
		else
			CHECK(xcheck(b, k) == -1);
	}
	/* readings before a device */
	memcpy(b + sizeof(up), meter, sizeof(meter));
	CHECK(xcheck(b, sizeof(up) + sizeof(meter)) == -1);
	/* two uploads; a device first */
	memcpy(b + sizeof(up), up, sizeof(up));
	CHECK(xcheck(b, 2 * sizeof(up)) == -1);
	CHECK(xcheck(dev, sizeof(dev)) == -1);
	/* unknown tag, too many fields, columns out of order or range */
	memcpy(b, up, sizeof(up));
	b[0] = 'X';
	CHECK(xcheck(b, sizeof(up)) == -1);
	b[0] = 'U';
	b[1] = 9;
	CHECK(xcheck(b, sizeof(up)) == -1);
	b[1] = 7;
	b[5] = 0;
	CHECK(xcheck(b, sizeof(up)) == -1);
	b[5] = 1;
	b[20] = 8;
	CHECK(xcheck(b, sizeof(up)) == -1);
	/* a required field missing: the categories */
	memcpy(b, up, sizeof(up));
	b[1] = 6;
	CHECK(xcheck(b, sizeof(up) - 3) == -1);
	/* a NUL byte; a length in more bytes than needed */
	memcpy(b, up, sizeof(up));
	b[4] = '\0';
	CHECK(xcheck(b, sizeof(up)) == -1);
	memcpy(b, up, 3);
	b[3] = 0x81;
	b[4] = 0x00;
	b[5] = 'g';
	memcpy(b + 6, up + 5, sizeof(up) - 5);
	CHECK(xcheck(b, sizeof(up) + 1) == -1);
	b[3] = 0x81;
	b[4] = 0x80;
	CHECK(xcheck(b, sizeof(up) + 1) == -1);
	/* a length beyond the end */
	memcpy(b, up, sizeof(up));
	b[sizeof(up) - 2] = 2;
	CHECK(xcheck(b, sizeof(up)) == -1);
}

/* a check-in's document, as the gateway builds it */
static const char checkin_doc[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\">"
    "<env:Body><ch:CheckIn xmlns:ch=\"urn:callhome:protocol:1\" "
    "version=\"1\"><ch:Gateway id=\"gw1\" software=\"callhome/0.1\"/>"
    "<ch:LastSequence>42</ch:LastSequence><ch:Packages>"
    "<ch:Package name=\"acme\" version=\"3\"/>"
    "<ch:Package name=\"zeta\" version=\"1\"/></ch:Packages>"
    "</ch:CheckIn></env:Body></env:Envelope>\n";

TEST(checkin_extract)
{
	struct comms_check_limits	 cl;
	struct comms_record		 r;
	struct wbuf			 w;
	char				 err[512];
	size_t				 off = 0;
	uint64_t			 ndev;
	int				 status;
	static const uint8_t		 ci[] = { 'C', 3, 0, 1, 'g', 1, 1, 's',
	    2, 1, '7' };
	static const uint8_t		 pk[] = { 'P', 2, 0, 1, 'a', 1, 1, '1' };
	static const uint8_t		 dev[] = { 'D', 3, 0, 1, 'k', 1, 1,
	    'o', 2, 1, 't' };
	uint8_t				 b[64];
	static const char		 receipt[] = "<env:Envelope "
	    "xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\"><env:Body>"
	    "<ch:Receipt xmlns:ch=\"urn:callhome:protocol:1\"/></env:Body>"
	    "</env:Envelope>";

	cl.scan = lim;
	cl.max_document = 4 << 20;
	wbuf_init(&w);
	CHECK(comms_check_document(xs, &cl, (const uint8_t *)checkin_doc,
	    sizeof(checkin_doc) - 1, &w, &status, err, sizeof(err)) == 0);
	CHECK(comms_extract_check(w.data, w.len, &ndev, err,
	    sizeof(err)) == 0);
	CHECK_EQ_INT(ndev, 0);
	CHECK(comms_extract_next(w.data, w.len, &off, &r));
	CHECK_EQ_INT(r.tag, COMMS_REC_CHECKIN);
	CHECK(r.f[XC_LAST_SEQUENCE].len == 2 &&
	    memcmp(r.f[XC_LAST_SEQUENCE].s, "42", 2) == 0);
	CHECK(r.f[XC_GATEWAY].len == 3 &&
	    memcmp(r.f[XC_GATEWAY].s, "gw1", 3) == 0);
	CHECK(comms_extract_next(w.data, w.len, &off, &r));
	CHECK_EQ_INT(r.tag, COMMS_REC_PACKAGE);
	CHECK(r.f[XP_NAME].len == 4 && memcmp(r.f[XP_NAME].s, "acme", 4) == 0);
	CHECK(comms_extract_next(w.data, w.len, &off, &r));
	CHECK(r.f[XP_VERSION].len == 1 && r.f[XP_VERSION].s[0] == '1');
	CHECK(!comms_extract_next(w.data, w.len, &off, &r));
	wbuf_free(&w);

	/* a check-in record, then packages only; never mixed with uploads */
	CHECK(xcheck(ci, sizeof(ci)) == 0);
	memcpy(b, ci, sizeof(ci));
	memcpy(b + sizeof(ci), pk, sizeof(pk));
	CHECK(xcheck(b, sizeof(ci) + sizeof(pk)) == 0);
	memcpy(b + sizeof(ci), dev, sizeof(dev));
	CHECK(xcheck(b, sizeof(ci) + sizeof(dev)) == -1);
	memcpy(b + sizeof(ci), ci, sizeof(ci));
	CHECK(xcheck(b, 2 * sizeof(ci)) == -1);
	CHECK(xcheck(pk, sizeof(pk)) == -1);
	/* the sequence is required */
	memcpy(b, ci, sizeof(ci));
	b[1] = 2;
	CHECK(xcheck(b, sizeof(ci) - 3) == -1);
	/* neither an Upload nor a CheckIn: refused by the worker */
	CHECK(comms_check_document(xs, &cl, (const uint8_t *)receipt,
	    sizeof(receipt) - 1, &w, &status, err, sizeof(err)) == -1);
	CHECK_EQ_INT(status, 400);
	CHECK(strstr(err, "not an Upload or a CheckIn") != NULL ||
	    strstr(err, "not valid") != NULL);
}

TEST_MAIN_BEGIN("test_commsd_check")
	char	 err[256], *xsd;
	size_t	 len;

	log_init("test_commsd_check", LOG_TO_STDERR, 0);
	xmlsafe_init();
	comms_scan_limits_default(&lim);
	if ((xsd = slurp("etc/callhome.xsd", &len)) == NULL ||
	    (xs = xschema_load(xsd, len, err, sizeof(err))) == NULL ||
	    (full = slurp(FULL, &full_len)) == NULL ||
	    (address = slurp(ADDRESS, &address_len)) == NULL ||
	    (minimal = slurp(MINIMAL, &minimal_len)) == NULL) {
		printf("not ok test_commsd_check setup: run from the top of "
		    "the tree\n");
		return 1;
	}
	free(xsd);
	RUN(prescan_valid_documents);
	RUN(prescan_attributes);
	RUN(prescan_names_depth_nodes);
	RUN(prescan_malformed);
	RUN(check_document);
	RUN(extract_records);
	RUN(extract_malformed);
	RUN(checkin_extract);
	xschema_free(xs);
	free(full);
	free(address);
	free(minimal);
TEST_MAIN_END
