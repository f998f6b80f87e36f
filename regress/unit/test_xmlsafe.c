/*
 * common/xmlsafe.c: what the strict SOAP parser refuses (DTDs, entities
 * including the billion laughs and external ones, NUL bytes, depth,
 * namespaces, a Header with content, two Body children, a Fault, an
 * invalid payload) and what it accepts (a valid Receipt).
 *
 * Run from the top of the tree: the schema is etc/callhome.xsd.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "test.h"
#include "xmlsafe.h"

#define ENV_OPEN \
	"<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\"" \
	" xmlns:ch=\"urn:callhome:protocol:1\">"
#define RECEIPT \
	"<ch:Receipt><ch:DocumentSha256>" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"</ch:DocumentSha256><ch:DocumentId>42</ch:DocumentId>" \
	"<ch:ServerTime>2026-11-21T10:00:00Z</ch:ServerTime>" \
	"<ch:Duplicate>false</ch:Duplicate></ch:Receipt>"

static struct xschema	*xs;
static char		 err[512];

static char *
slurp(const char *path, size_t *len)
{
	FILE	*fp;
	char	*buf;
	long	 n;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == -1 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) == -1 || (buf = malloc(n + 1)) == NULL ||
	    fread(buf, 1, n, fp) != (size_t)n) {
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* 1 when the document parses with `name' as its payload */
static int
parses(const char *doc, size_t len, const char *name)
{
	xmlDocPtr	 d;
	xmlNodePtr	 p;

	d = soap_parse(xs, doc, len, 1 << 20, name, &p, err, sizeof(err));
	if (d == NULL)
		return 0;
	xmlFreeDoc(d);
	return p != NULL;
}

#define PARSES(s, name)	parses((s), strlen(s), (name))

TEST(valid_receipt)
{
	xmlDocPtr	 d;
	xmlNodePtr	 p;

	d = soap_parse(xs, ENV_OPEN "<env:Body>" RECEIPT
	    "</env:Body></env:Envelope>", strlen(ENV_OPEN "<env:Body>" RECEIPT
	    "</env:Body></env:Envelope>"), 1 << 20, "Receipt", &p, err,
	    sizeof(err));
	CHECK(d != NULL);
	CHECK(p != NULL);
	CHECK_STR((const char *)xml_child_text(p, "DocumentId"), "42");
	CHECK_STR((const char *)xml_child_text(p, "Duplicate"), "false");
	CHECK(xml_child(p, "Nothing") == NULL);
	xmlFreeDoc(d);
	/* an XML declaration, white space and an empty Header are fine */
	CHECK(PARSES("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" ENV_OPEN
	    "\n <env:Header/>\n <env:Body>\n" RECEIPT "\n</env:Body>\n"
	    "</env:Envelope>\n", "Receipt"));
}

TEST(invalid_receipt)
{
	/* a hash in upper case is not the schema's Sha256 */
	CHECK(!PARSES(ENV_OPEN "<env:Body><ch:Receipt><ch:DocumentSha256>"
	    "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"
	    "</ch:DocumentSha256><ch:DocumentId>1</ch:DocumentId>"
	    "<ch:ServerTime>2026-11-21T10:00:00Z</ch:ServerTime>"
	    "<ch:Duplicate>false</ch:Duplicate></ch:Receipt></env:Body>"
	    "</env:Envelope>", "Receipt"));
	/* a missing element */
	CHECK(!PARSES(ENV_OPEN "<env:Body><ch:Receipt><ch:DocumentId>1"
	    "</ch:DocumentId></ch:Receipt></env:Body></env:Envelope>",
	    "Receipt"));
	/* not what was expected */
	CHECK(!PARSES(ENV_OPEN "<env:Body>" RECEIPT "</env:Body>"
	    "</env:Envelope>", "Upload"));
	CHECK(strstr(err, "expected Upload") != NULL);
}

TEST(dtd_refused)
{
	CHECK(!PARSES("<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ELEMENT x ANY>]>"
	    ENV_OPEN "<env:Body>" RECEIPT "</env:Body></env:Envelope>",
	    "Receipt"));
	CHECK(strstr(err, "DTD") != NULL);
}

TEST(billion_laughs)
{
	const char	*doc =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE lolz [\n"
	    " <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    "]>\n" ENV_OPEN "<env:Body><ch:Receipt><ch:DocumentSha256>&lol3;"
	    "</ch:DocumentSha256></ch:Receipt></env:Body></env:Envelope>";

	CHECK(!PARSES(doc, "Receipt"));
	CHECK(strstr(err, "DTD") != NULL);
}

TEST(external_entity)
{
	const char	*doc =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE x [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
	    ENV_OPEN "<env:Body><ch:Receipt><ch:DocumentSha256>&xxe;"
	    "</ch:DocumentSha256></ch:Receipt></env:Body></env:Envelope>";

	CHECK(!PARSES(doc, "Receipt"));
	/* an undeclared entity reference, without any DTD */
	CHECK(!PARSES(ENV_OPEN "<env:Body><ch:Receipt><ch:DocumentSha256>"
	    "&xxe;</ch:DocumentSha256></ch:Receipt></env:Body>"
	    "</env:Envelope>", "Receipt"));
}

TEST(nul_byte)
{
	static const char	 doc[] = ENV_OPEN "<env:Body>" RECEIPT
	    "</env:Body></env:Envelope>";
	char			*copy;
	size_t			 len = sizeof(doc) - 1;

	CHECK((copy = malloc(len)) != NULL);
	memcpy(copy, doc, len);
	CHECK(parses(copy, len, "Receipt"));
	copy[len - 3] = '\0';
	CHECK(!parses(copy, len, "Receipt"));
	CHECK(strstr(err, "NUL") != NULL);
	free(copy);
	/* UTF-16 has NUL bytes: refused the same way */
	CHECK(!parses("<\0?\0x\0m\0l\0", 10, "Receipt"));
}

TEST(too_deep)
{
	char	 doc[4096];
	int	 i, n;

	/* Envelope, Body, Upload, then 14 more levels: 17 > 16 */
	n = snprintf(doc, sizeof(doc), ENV_OPEN "<env:Body><ch:Upload>");
	for (i = 0; i < 14; i++)
		n += snprintf(doc + n, sizeof(doc) - n, "<ch:a%d>", i);
	for (i = 13; i >= 0; i--)
		n += snprintf(doc + n, sizeof(doc) - n, "</ch:a%d>", i);
	(void)snprintf(doc + n, sizeof(doc) - n,
	    "</ch:Upload></env:Body></env:Envelope>");
	CHECK(!PARSES(doc, "Upload"));
	CHECK(strstr(err, "deeper") != NULL);
}

TEST(wrong_namespace)
{
	/* SOAP 1.1's envelope */
	CHECK(!PARSES("<env:Envelope xmlns:env=\"http://schemas.xmlsoap.org/"
	    "soap/envelope/\" xmlns:ch=\"urn:callhome:protocol:1\"><env:Body>"
	    RECEIPT "</env:Body></env:Envelope>", "Receipt"));
	CHECK(strstr(err, "SOAP 1.2") != NULL);
	/* the payload in another namespace */
	CHECK(!PARSES(ENV_OPEN "<env:Body><x:Receipt xmlns:x=\"urn:other\"/>"
	    "</env:Body></env:Envelope>", "Receipt"));
	/* no namespace at all */
	CHECK(!PARSES("<Envelope><Body/></Envelope>", "Receipt"));
}

TEST(header_not_empty)
{
	CHECK(!PARSES(ENV_OPEN "<env:Header><ch:Thing/></env:Header>"
	    "<env:Body>" RECEIPT "</env:Body></env:Envelope>", "Receipt"));
	CHECK(strstr(err, "Header") != NULL);
	/* text in the Header is content too */
	CHECK(!PARSES(ENV_OPEN "<env:Header>x</env:Header>"
	    "<env:Body>" RECEIPT "</env:Body></env:Envelope>", "Receipt"));
}

TEST(two_body_children)
{
	CHECK(!PARSES(ENV_OPEN "<env:Body>" RECEIPT RECEIPT "</env:Body>"
	    "</env:Envelope>", "Receipt"));
	CHECK(strstr(err, "exactly one") != NULL);
	CHECK(!PARSES(ENV_OPEN "<env:Body></env:Body></env:Envelope>",
	    "Receipt"));
	/* text beside the payload */
	CHECK(!PARSES(ENV_OPEN "<env:Body>text" RECEIPT "</env:Body>"
	    "</env:Envelope>", "Receipt"));
	/* two Bodies */
	CHECK(!PARSES(ENV_OPEN "<env:Body>" RECEIPT "</env:Body><env:Body>"
	    RECEIPT "</env:Body></env:Envelope>", "Receipt"));
}

TEST(fault)
{
	CHECK(!PARSES(ENV_OPEN "<env:Body><env:Fault><env:Code><env:Value>"
	    "env:Sender</env:Value></env:Code><env:Reason><env:Text "
	    "xml:lang=\"en\">document not valid</env:Text></env:Reason>"
	    "</env:Fault></env:Body></env:Envelope>", "Receipt"));
	CHECK(strstr(err, "SOAP Fault: document not valid") != NULL);
}

TEST(not_xml)
{
	CHECK(!PARSES("not xml", "Receipt"));
	CHECK(!PARSES(ENV_OPEN "<env:Body>" RECEIPT, "Receipt"));
	CHECK(!parses("", 0, "Receipt"));
	/* larger than the limit */
	CHECK(soap_parse(xs, "<a/>", 4, 3, "Receipt", &(xmlNodePtr){ NULL },
	    err, sizeof(err)) == NULL);
	CHECK(strstr(err, "limit") != NULL);
	/* a processing instruction or CDATA in the envelope */
	CHECK(!PARSES(ENV_OPEN "<?pi x?><env:Body>" RECEIPT "</env:Body>"
	    "</env:Envelope>", "Receipt"));
}

TEST_MAIN_BEGIN("test_xmlsafe")
	char	*xsd;
	size_t	 len;

	log_init("test_xmlsafe", LOG_TO_STDERR, 0);
	xmlsafe_init();
	if ((xsd = slurp("etc/callhome.xsd", &len)) == NULL ||
	    (xs = xschema_load(xsd, len, err, sizeof(err))) == NULL) {
		printf("not ok test_xmlsafe schema: etc/callhome.xsd: %s\n",
		    err);
		return 1;
	}
	free(xsd);
	RUN(valid_receipt);
	RUN(invalid_receipt);
	RUN(dtd_refused);
	RUN(billion_laughs);
	RUN(external_entity);
	RUN(nul_byte);
	RUN(too_deep);
	RUN(wrong_namespace);
	RUN(header_not_empty);
	RUN(two_body_children);
	RUN(fault);
	RUN(not_xml);
	xschema_free(xs);
TEST_MAIN_END
