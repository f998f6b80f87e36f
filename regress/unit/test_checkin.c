/*
 * common/checkin.c: the CheckIn request (exact bytes, deterministic,
 * valid against etc/callhome.xsd whatever the gateway's name holds) and
 * the strict parser of the CheckInResponse (bundles returned byte for
 * byte; bounds on their count and size; every malformed answer refused).
 *
 * Run from the top of the tree: the schema is etc/callhome.xsd.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkin.h"
#include "log.h"
#include "signify.h"
#include "sigtest.h"
#include "test.h"
#include "xmlsafe.h"

#define ENV_OPEN \
	"<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\"" \
	" xmlns:ch=\"urn:callhome:protocol:1\"><env:Body>"
#define ENV_CLOSE	"</env:Body></env:Envelope>"
#define TIME		"<ch:ServerTime>2026-11-21T10:00:00Z</ch:ServerTime>"

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

/* the document is a valid CheckIn */
static int
valid_checkin(const struct wbuf *w)
{
	xmlDocPtr	 d;
	xmlNodePtr	 p;

	d = soap_parse(xs, w->data, w->len, 1 << 20, "CheckIn", &p, err,
	    sizeof(err));
	if (d == NULL)
		return 0;
	xmlFreeDoc(d);
	return 1;
}

/*
 * The request.
 */

TEST(exact_bytes)
{
	static const struct checkin_package	 pk[] = {
		{ "zeta.profile", 2 }, { "alpha.profile", 17 },
	};
	struct checkin	 c = { "site-01", "callhome/0.1", 42, pk, 2 };
	struct wbuf	 w;

	wbuf_init(&w);
	CHECK(checkin_build(&c, &w, err, sizeof(err)) == 0);
	wbuf_u8(&w, 0);
	CHECK_STR((const char *)w.data,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/"
	    "soap-envelope\">\n"
	    " <env:Body>\n"
	    "  <ch:CheckIn xmlns:ch=\"urn:callhome:protocol:1\" "
	    "version=\"1\">\n"
	    "   <ch:Gateway id=\"site-01\" software=\"callhome/0.1\"/>\n"
	    "   <ch:LastSequence>42</ch:LastSequence>\n"
	    "   <ch:Packages>\n"
	    "    <ch:Package name=\"alpha.profile\" version=\"17\"/>\n"
	    "    <ch:Package name=\"zeta.profile\" version=\"2\"/>\n"
	    "   </ch:Packages>\n"
	    "  </ch:CheckIn>\n"
	    " </env:Body>\n"
	    "</env:Envelope>\n");
	w.len--;
	CHECK(valid_checkin(&w));
	wbuf_free(&w);
}

TEST(no_packages)
{
	struct checkin	 c = { "g", "callhome/0.1", 0, NULL, 0 };
	struct wbuf	 w;

	wbuf_init(&w);
	CHECK(checkin_build(&c, &w, err, sizeof(err)) == 0);
	CHECK(memmem(w.data, w.len, "<ch:Packages/>", 14) != NULL);
	CHECK(memmem(w.data, w.len, "<ch:LastSequence>0<", 19) != NULL);
	CHECK(valid_checkin(&w));
	wbuf_free(&w);
}

TEST(deterministic)
{
	struct checkin_package	 pk[CHECKIN_MAX_PACKAGES], rev[CHECKIN_MAX_PACKAGES];
	struct checkin		 c = { "site-01", "callhome/0.1",
				    INT64_MAX, pk, CHECKIN_MAX_PACKAGES };
	struct wbuf		 a, b;
	size_t			 i;

	for (i = 0; i < CHECKIN_MAX_PACKAGES; i++) {
		(void)snprintf(pk[i].name, sizeof(pk[i].name), "p%03zu.x",
		    (i * 37) % CHECKIN_MAX_PACKAGES);
		pk[i].version = INT64_MAX - i;
	}
	for (i = 0; i < CHECKIN_MAX_PACKAGES; i++)
		rev[i] = pk[CHECKIN_MAX_PACKAGES - 1 - i];
	wbuf_init(&a);
	wbuf_init(&b);
	CHECK(checkin_build(&c, &a, err, sizeof(err)) == 0);
	c.packages = rev;
	CHECK(checkin_build(&c, &b, err, sizeof(err)) == 0);
	CHECK_EQ_INT(a.len, b.len);
	CHECK(memcmp(a.data, b.data, a.len) == 0);
	CHECK(valid_checkin(&a));
	/* the order is the names' */
	{
		const uint8_t	*p0 = memmem(a.data, a.len, "p000.x", 6);
		const uint8_t	*p1 = memmem(a.data, a.len, "p001.x", 6);
		const uint8_t	*p255 = memmem(a.data, a.len, "p255.x", 6);

		CHECK(p0 != NULL && p1 != NULL && p255 != NULL);
		CHECK(p0 < p1 && p1 < p255);
	}
	CHECK(memmem(a.data, a.len, "9223372036854775807", 19) != NULL);
	wbuf_free(&a);
	wbuf_free(&b);
}

TEST(odd_names_stay_valid)
{
	char		 longname[3000];
	struct checkin	 c = { "a&b<c>\"d\"\te\nf\rg\x01h\xff\xc3\xa9i\xed\xa0\x80",
			    "callhome/0.1 & more", 1, NULL, 0 };
	struct wbuf	 w;
	xmlDocPtr	 d;
	xmlNodePtr	 p;
	xmlChar		*id;

	wbuf_init(&w);
	CHECK(checkin_build(&c, &w, err, sizeof(err)) == 0);
	d = soap_parse(xs, w.data, w.len, 1 << 20, "CheckIn", &p, err,
	    sizeof(err));
	CHECK(d != NULL);
	id = xmlGetProp(xml_child(p, "Gateway"), (const xmlChar *)"id");
	CHECK(id != NULL);
	/* tab, newline and CR kept as character references, bad bytes
	 * replaced by U+FFFD (a surrogate's three bytes: three), é kept */
	CHECK_STR((const char *)id, "a&b<c>\"d\"\te\nf\rg\xef\xbf\xbdh"
	    "\xef\xbf\xbd\xc3\xa9i"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	xmlFree(id);
	xmlFreeDoc(d);

	/* cut to the schema's lengths, in characters */
	memset(longname, 'x', sizeof(longname));
	longname[sizeof(longname) - 1] = '\0';
	c.gateway = longname;
	c.software = longname;
	wbuf_reset(&w);
	CHECK(checkin_build(&c, &w, err, sizeof(err)) == 0);
	CHECK(valid_checkin(&w));
	CHECK(memmem(w.data, w.len, longname, CHECKIN_GATEWAY_MAX) != NULL);
	CHECK(memmem(w.data, w.len, longname, CHECKIN_GATEWAY_MAX + 1) ==
	    NULL);
	/* multibyte characters count as one */
	{
		char	 e[2 * CHECKIN_SOFTWARE_MAX + 8];
		size_t	 i;

		for (i = 0; i < CHECKIN_SOFTWARE_MAX + 3; i++)
			memcpy(e + 2 * i, "\xc3\xa9", 2);
		e[2 * (CHECKIN_SOFTWARE_MAX + 3)] = '\0';
		c.gateway = "g";
		c.software = e;
		wbuf_reset(&w);
		CHECK(checkin_build(&c, &w, err, sizeof(err)) == 0);
		CHECK(valid_checkin(&w));
		CHECK(memmem(w.data, w.len, e, 2 * CHECKIN_SOFTWARE_MAX) !=
		    NULL);
		CHECK(memmem(w.data, w.len, e, 2 * CHECKIN_SOFTWARE_MAX + 2) ==
		    NULL);
	}
	wbuf_free(&w);
}

TEST(refused_requests)
{
	struct checkin_package	 pk[CHECKIN_MAX_PACKAGES + 1];
	struct checkin		 c = { "g", "s", 0, pk, 1 };
	struct wbuf		 w;
	size_t			 i;

	memset(pk, 0, sizeof(pk));
	for (i = 0; i <= CHECKIN_MAX_PACKAGES; i++) {
		(void)snprintf(pk[i].name, sizeof(pk[i].name), "p%zu", i);
		pk[i].version = 1;
	}
	wbuf_init(&w);
	c.npackages = CHECKIN_MAX_PACKAGES + 1;
	CHECK(checkin_build(&c, &w, err, sizeof(err)) == -1);
	c.npackages = 2;
	(void)strlcpy(pk[1].name, "p0", sizeof(pk[1].name));
	CHECK(checkin_build(&c, &w, err, sizeof(err)) == -1);
	CHECK(strstr(err, "twice") != NULL);
	(void)strlcpy(pk[1].name, ".hidden", sizeof(pk[1].name));
	CHECK(checkin_build(&c, &w, err, sizeof(err)) == -1);
	(void)strlcpy(pk[1].name, "", sizeof(pk[1].name));
	CHECK(checkin_build(&c, &w, err, sizeof(err)) == -1);
	memset(pk[1].name, 'a', sizeof(pk[1].name));	/* no NUL */
	CHECK(checkin_build(&c, &w, err, sizeof(err)) == -1);
	(void)strlcpy(pk[1].name, "p1", sizeof(pk[1].name));
	pk[1].version = 0;
	CHECK(checkin_build(&c, &w, err, sizeof(err)) == -1);
	pk[1].version = (uint64_t)INT64_MAX + 1;
	CHECK(checkin_build(&c, &w, err, sizeof(err)) == -1);
	pk[1].version = 1;
	c.last_sequence = (uint64_t)INT64_MAX + 1;
	CHECK(checkin_build(&c, &w, err, sizeof(err)) == -1);
	/* nothing written by any of them */
	CHECK_EQ_INT(w.len, 0);
	c.last_sequence = INT64_MAX;
	CHECK(checkin_build(&c, &w, err, sizeof(err)) == 0);
	CHECK(valid_checkin(&w));
	wbuf_free(&w);
}

/*
 * The answer.
 */

static int
parse_answer(const char *doc, struct checkin_response *r)
{
	return checkin_response_parse(xs, (const uint8_t *)doc, strlen(doc),
	    r, err, sizeof(err));
}

/* an answer with the given Bundle contents */
static char *
answer(const char *const *b64, size_t n)
{
	struct wbuf	 w;
	size_t		 i;

	wbuf_init(&w);
	wbuf_bytes(&w, ENV_OPEN "<ch:CheckInResponse>" TIME,
	    strlen(ENV_OPEN "<ch:CheckInResponse>" TIME));
	for (i = 0; i < n; i++) {
		wbuf_bytes(&w, "<ch:Bundle>", 11);
		wbuf_bytes(&w, b64[i], strlen(b64[i]));
		wbuf_bytes(&w, "</ch:Bundle>", 12);
	}
	wbuf_bytes(&w, "</ch:CheckInResponse>" ENV_CLOSE,
	    strlen("</ch:CheckInResponse>" ENV_CLOSE));
	wbuf_u8(&w, 0);
	return (char *)w.data;
}

TEST(answer_no_bundle)
{
	struct checkin_response	 r;

	CHECK(parse_answer(ENV_OPEN "<ch:CheckInResponse>" TIME
	    "</ch:CheckInResponse>" ENV_CLOSE, &r) == 0);
	CHECK_EQ_INT(r.nbundles, 0);
	CHECK_STR(r.server_time, "2026-11-21T10:00:00Z");
	checkin_response_free(&r);
	/* white space and comments between elements are fine */
	CHECK(parse_answer(ENV_OPEN "<ch:CheckInResponse>\n <!-- x -->\n "
	    TIME "\n</ch:CheckInResponse>" ENV_CLOSE, &r) == 0);
	checkin_response_free(&r);
}

TEST(answer_bundles_untouched)
{
	struct checkin_response	 r;
	uint8_t			 bytes[3][300];
	char			 b64[3][420];
	const char		*v[3] = { b64[0], b64[1], b64[2] };
	char			*doc;
	size_t			 i, j;

	/* every byte value, in bundles of lengths 1, 2 and 300 */
	for (i = 0; i < 3; i++)
		for (j = 0; j < 300; j++)
			bytes[i][j] = (uint8_t)(j * 7 + i);
	tb64(bytes[0], 1, b64[0], sizeof(b64[0]));
	tb64(bytes[1], 2, b64[1], sizeof(b64[1]));
	tb64(bytes[2], 300, b64[2], sizeof(b64[2]));
	doc = answer(v, 3);
	CHECK(parse_answer(doc, &r) == 0);
	free(doc);
	CHECK_EQ_INT(r.nbundles, 3);
	CHECK_EQ_INT(r.bundles[0].len, 1);
	CHECK_EQ_INT(r.bundles[1].len, 2);
	CHECK_EQ_INT(r.bundles[2].len, 300);
	for (i = 0; i < 3; i++)
		CHECK(memcmp(r.bundles[i].data, bytes[i], r.bundles[i].len) ==
		    0);
	checkin_response_free(&r);
	CHECK_EQ_INT(r.nbundles, 0);
}

TEST(answer_bounds)
{
	struct checkin_response	 r;
	const char		*v[CHECKIN_MAX_BUNDLES + 1];
	uint8_t			*big;
	char			*b64, *doc;
	size_t			 i;

	/* the largest bundle, eight times: the largest answer */
	if ((big = malloc(BUNDLE_MAX + 1)) == NULL ||
	    (b64 = malloc(B64_ENCODED_LEN(BUNDLE_MAX + 1) + 1)) == NULL)
		abort();
	for (i = 0; i <= BUNDLE_MAX; i++)
		big[i] = (uint8_t)(i * 131);
	tb64(big, BUNDLE_MAX, b64, B64_ENCODED_LEN(BUNDLE_MAX + 1) + 1);
	for (i = 0; i <= CHECKIN_MAX_BUNDLES; i++)
		v[i] = b64;
	doc = answer(v, CHECKIN_MAX_BUNDLES);
	CHECK(strlen(doc) <= CHECKIN_RESPONSE_MAX);
	CHECK(parse_answer(doc, &r) == 0);
	free(doc);
	CHECK_EQ_INT(r.nbundles, CHECKIN_MAX_BUNDLES);
	CHECK_EQ_INT(r.bundles[7].len, BUNDLE_MAX);
	CHECK(memcmp(r.bundles[7].data, big, BUNDLE_MAX) == 0);
	checkin_response_free(&r);
	/* one bundle more */
	doc = answer(v, CHECKIN_MAX_BUNDLES + 1);
	CHECK(parse_answer(doc, &r) == -1);
	CHECK_EQ_INT(r.nbundles, 0);
	free(doc);
	/* one byte more */
	tb64(big, BUNDLE_MAX + 1, b64, B64_ENCODED_LEN(BUNDLE_MAX + 1) + 1);
	doc = answer(v, 1);
	CHECK(parse_answer(doc, &r) == -1);
	free(doc);
	free(b64);
	free(big);
	/* a document over CHECKIN_RESPONSE_MAX, whatever it holds */
	if ((doc = malloc(CHECKIN_RESPONSE_MAX + 2)) == NULL)
		abort();
	memset(doc, ' ', CHECKIN_RESPONSE_MAX + 1);
	memcpy(doc, ENV_OPEN "<ch:CheckInResponse>" TIME
	    "</ch:CheckInResponse>" ENV_CLOSE, strlen(ENV_OPEN
	    "<ch:CheckInResponse>" TIME "</ch:CheckInResponse>" ENV_CLOSE));
	doc[CHECKIN_RESPONSE_MAX + 1] = '\0';
	CHECK(parse_answer(doc, &r) == -1);
	doc[CHECKIN_RESPONSE_MAX] = '\0';
	CHECK(parse_answer(doc, &r) == 0);
	checkin_response_free(&r);
	free(doc);
}

TEST(answer_bad_base64)
{
	static const char *const bad[] = {
		"",			/* empty */
		"QQ",			/* no padding */
		"QR==",			/* unused bits set */
		"QUJD REVG",		/* a space */
		"QUJD\nREVG",		/* a newline */
		" QUJD",
		"QUJD ",
		"QUJD\t",
		"QUJ-",			/* URL alphabet */
		"QQ==QQ==",		/* padding inside */
		"QUJD<!-- x -->REVG",	/* a comment splits the text */
		"<ch:X/>",
		"QUJD<ch:X/>",
	};
	struct checkin_response	 r;
	char			*doc;
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		doc = answer(&bad[i], 1);
		if (parse_answer(doc, &r) != -1) {
			free(doc);
			printf("# accepted <ch:Bundle>%s</ch:Bundle>\n",
			    bad[i]);
			CHECK(0);
		}
		CHECK_EQ_INT(r.nbundles, 0);
		free(doc);
	}
	{
		/* CDATA is only another way to write the same text */
		const char	*good[] = { "QUJDREVG", "<![CDATA[QUJDREVG]]>" };

		for (i = 0; i < 2; i++) {
			doc = answer(&good[i], 1);
			CHECK(parse_answer(doc, &r) == 0);
			CHECK_EQ_INT(r.bundles[0].len, 6);
			CHECK(memcmp(r.bundles[0].data, "ABCDEF", 6) == 0);
			checkin_response_free(&r);
			free(doc);
		}
	}
}

TEST(answer_bad_shapes)
{
	static const char *const bad[] = {
		/* no ServerTime, twice, after a bundle, not a time */
		ENV_OPEN "<ch:CheckInResponse></ch:CheckInResponse>" ENV_CLOSE,
		ENV_OPEN "<ch:CheckInResponse>" TIME TIME
		    "</ch:CheckInResponse>" ENV_CLOSE,
		ENV_OPEN "<ch:CheckInResponse><ch:Bundle>QUJD</ch:Bundle>"
		    TIME "</ch:CheckInResponse>" ENV_CLOSE,
		ENV_OPEN "<ch:CheckInResponse><ch:ServerTime>yesterday"
		    "</ch:ServerTime></ch:CheckInResponse>" ENV_CLOSE,
		/* another element, an attribute, text */
		ENV_OPEN "<ch:CheckInResponse>" TIME "<ch:Package>QUJD"
		    "</ch:Package></ch:CheckInResponse>" ENV_CLOSE,
		ENV_OPEN "<ch:CheckInResponse>" TIME "<ch:Bundle name=\"x\">"
		    "QUJD</ch:Bundle></ch:CheckInResponse>" ENV_CLOSE,
		ENV_OPEN "<ch:CheckInResponse>" TIME "text"
		    "</ch:CheckInResponse>" ENV_CLOSE,
		/* a bundle of another namespace */
		ENV_OPEN "<ch:CheckInResponse>" TIME "<x:Bundle xmlns:x=\"urn:"
		    "x\">QUJD</x:Bundle></ch:CheckInResponse>" ENV_CLOSE,
		/* another answer, a fault, no envelope */
		ENV_OPEN "<ch:Receipt><ch:DocumentSha256>0123456789abcdef"
		    "0123456789abcdef0123456789abcdef0123456789abcdef"
		    "</ch:DocumentSha256><ch:DocumentId>1</ch:DocumentId>"
		    TIME "<ch:Duplicate>false</ch:Duplicate></ch:Receipt>"
		    ENV_CLOSE,
		ENV_OPEN "<env:Fault><env:Code><env:Value>env:Receiver"
		    "</env:Value></env:Code><env:Reason><env:Text xml:lang=\"en\">"
		    "no</env:Text></env:Reason></env:Fault>" ENV_CLOSE,
		"<ch:CheckInResponse xmlns:ch=\"urn:callhome:protocol:1\">"
		    TIME "</ch:CheckInResponse>",
		/* a DTD, an entity, a NUL, not XML at all */
		"<!DOCTYPE x [<!ENTITY a \"QUJD\">]>" ENV_OPEN
		    "<ch:CheckInResponse>" TIME "<ch:Bundle>&a;</ch:Bundle>"
		    "</ch:CheckInResponse>" ENV_CLOSE,
		"callhome-instructions 1\n",
		"",
	};
	struct checkin_response	 r;
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_answer(bad[i], &r) != -1) {
			printf("# accepted case %zu\n", i);
			CHECK(0);
		}
		CHECK_EQ_INT(r.nbundles, 0);
		CHECK(err[0] != '\0');
	}
	/* a NUL inside */
	{
		char	 doc[512];
		int	 n;

		n = snprintf(doc, sizeof(doc), "%s", ENV_OPEN
		    "<ch:CheckInResponse>" TIME "</ch:CheckInResponse>"
		    ENV_CLOSE);
		CHECK(checkin_response_parse(xs, (const uint8_t *)doc,
		    (size_t)n, &r, err, sizeof(err)) == 0);
		checkin_response_free(&r);
		doc[n - 5] = '\0';
		CHECK(checkin_response_parse(xs, (const uint8_t *)doc,
		    (size_t)n, &r, err, sizeof(err)) == -1);
	}
}

/* the server's status of incidents, after the bundles */
TEST(answer_incidents)
{
	static const char *const bad[] = {
		/* an unknown status, a bad id, none, content, before a
		 * bundle, before ServerTime */
		"<ch:IncidentStatus id=\"1\" status=\"lost\"/>",
		"<ch:IncidentStatus id=\"0\" status=\"closed\"/>",
		"<ch:IncidentStatus id=\"x\" status=\"closed\"/>",
		"<ch:IncidentStatus status=\"closed\"/>",
		"<ch:IncidentStatus id=\"1\">closed</ch:IncidentStatus>",
		"<ch:IncidentStatus id=\"1\" status=\"closed\"/>"
		    "<ch:Bundle>QUJD</ch:Bundle>",
	};
	static struct checkin_response	 r;
	struct wbuf			 w;
	char				 one[128];
	size_t				 i;

	CHECK(parse_answer(ENV_OPEN "<ch:CheckInResponse>" TIME
	    "<ch:Bundle>QUJD</ch:Bundle>"
	    "<ch:IncidentStatus id=\"7\" status=\"shipped\"/>"
	    "<ch:IncidentStatus id=\"3\" status=\"closed\"/>"
	    "<ch:IncidentStatus id=\"9223372036854775807\" "
	    "status=\"received\"/>"
	    "</ch:CheckInResponse>" ENV_CLOSE, &r) == 0);
	CHECK_EQ_INT(r.nbundles, 1);
	CHECK_EQ_INT(r.nincidents, 3);
	CHECK_EQ_INT(r.incidents[0].id, 7);
	CHECK_EQ_INT(r.incidents[0].status, CHECKIN_INC_SHIPPED);
	CHECK_EQ_INT(r.incidents[1].status, CHECKIN_INC_CLOSED);
	CHECK(r.incidents[2].id == INT64_MAX);
	CHECK_STR(checkin_incident_status(r.incidents[2].status), "received");
	CHECK(checkin_incident_status(0) == NULL);
	CHECK(checkin_incident_status(4) == NULL);
	checkin_response_free(&r);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)snprintf(one, sizeof(one), "%s", bad[i]);
		wbuf_init(&w);
		wbuf_bytes(&w, ENV_OPEN "<ch:CheckInResponse>" TIME,
		    strlen(ENV_OPEN "<ch:CheckInResponse>" TIME));
		wbuf_bytes(&w, one, strlen(one));
		wbuf_bytes(&w, "</ch:CheckInResponse>" ENV_CLOSE "", strlen(
		    "</ch:CheckInResponse>" ENV_CLOSE) + 1);
		if (parse_answer((const char *)w.data, &r) != -1) {
			printf("# accepted incident case %zu\n", i);
			CHECK(0);
		}
		CHECK_EQ_INT(r.nincidents, 0);
		wbuf_free(&w);
	}
	/* more than CHECKIN_MAX_INCIDENTS */
	wbuf_init(&w);
	wbuf_bytes(&w, ENV_OPEN "<ch:CheckInResponse>" TIME,
	    strlen(ENV_OPEN "<ch:CheckInResponse>" TIME));
	for (i = 0; i <= CHECKIN_MAX_INCIDENTS; i++) {
		(void)snprintf(one, sizeof(one), "<ch:IncidentStatus id=\"%zu\""
		    " status=\"closed\"/>", i + 1);
		wbuf_bytes(&w, one, strlen(one));
	}
	wbuf_bytes(&w, "</ch:CheckInResponse>" ENV_CLOSE "", strlen(
	    "</ch:CheckInResponse>" ENV_CLOSE) + 1);
	CHECK(parse_answer((const char *)w.data, &r) == -1);
	wbuf_free(&w);
}

TEST_MAIN_BEGIN("test_checkin")
	char	*xsd;
	size_t	 len;

	log_init("test_checkin", LOG_TO_STDERR, 0);
	xmlsafe_init();
	if ((xsd = slurp("etc/callhome.xsd", &len)) == NULL ||
	    (xs = xschema_load(xsd, len, err, sizeof(err))) == NULL) {
		printf("not ok test_checkin schema: etc/callhome.xsd: %s\n",
		    err);
		return 1;
	}
	free(xsd);
	RUN(exact_bytes);
	RUN(no_packages);
	RUN(deterministic);
	RUN(odd_names_stay_valid);
	RUN(refused_requests);
	RUN(answer_no_bundle);
	RUN(answer_bundles_untouched);
	RUN(answer_bounds);
	RUN(answer_bad_base64);
	RUN(answer_bad_shapes);
	RUN(answer_incidents);
	xschema_free(xs);
TEST_MAIN_END
