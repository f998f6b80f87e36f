/*
 * uplinkd's parsers of outside input: HTTP responses, receipts, and the
 * parent's reading of a proxy's answer to CONNECT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "proxy.h"
#include "uplinkd/http.h"
#include "uplinkd/receipt.h"
#include "test.h"
#include "xmlsafe.h"

static uint8_t		 body[HTTP_MAX_BODY];
static struct xschema	*xs;

static enum http_result
parse(const char *s, int eof, struct http_response *r, const char **err)
{
	memset(r, 0, sizeof(*r));
	r->body = body;
	return http_response_parse((const uint8_t *)s, strlen(s), eof, r, err);
}

#define OK_RESP "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\n" \
	"Content-Length: 5\r\n\r\nhello"

TEST(http_ok)
{
	struct http_response	 r;
	const char		*err;

	CHECK_EQ_INT(parse(OK_RESP, 0, &r, &err), HTTP_DONE);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.reason, "OK");
	CHECK_STR(r.content_type, "application/soap+xml");
	CHECK_EQ_INT(r.body_len, 5);
	CHECK(memcmp(r.body, "hello", 5) == 0);
}

/* keep-alive: the connection may carry another request, unless ... */
TEST(http_close)
{
	static const char *const closing[] = {
		"close", "Close", "keep-alive, close", "close,x", " ,close, ",
		"x,\tCLOSE",
	};
	static const char *const keeping[] = {
		"keep-alive", "closed", "clos", "x-close", "", ",",
	};
	struct http_response	 r;
	const char		*err;
	char			 buf[256];
	size_t			 i;

	CHECK_EQ_INT(parse(OK_RESP, 0, &r, &err), HTTP_DONE);
	CHECK_EQ_INT(r.close, 0);
	for (i = 0; i < sizeof(closing) / sizeof(closing[0]); i++) {
		(void)snprintf(buf, sizeof(buf), "HTTP/1.1 200 OK\r\n"
		    "Connection: %s\r\nContent-Length: 0\r\n\r\n",
		    closing[i]);
		CHECK_EQ_INT(parse(buf, 0, &r, &err), HTTP_DONE);
		CHECK_EQ_INT(r.close, 1);
	}
	for (i = 0; i < sizeof(keeping) / sizeof(keeping[0]); i++) {
		(void)snprintf(buf, sizeof(buf), "HTTP/1.1 200 OK\r\n"
		    "Connection: %s\r\nContent-Length: 0\r\n\r\n",
		    keeping[i]);
		CHECK_EQ_INT(parse(buf, 0, &r, &err), HTTP_DONE);
		CHECK_EQ_INT(r.close, 0);
	}
	/* HTTP/1.0: never kept */
	CHECK_EQ_INT(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
	    0, &r, &err), HTTP_DONE);
	CHECK_EQ_INT(r.close, 1);
	/* the parse starts over: a flag does not stay from the last one */
	CHECK_EQ_INT(parse(OK_RESP, 0, &r, &err), HTTP_DONE);
	CHECK_EQ_INT(r.close, 0);
	/* bytes after the response (a second one) are refused as before */
	(void)snprintf(buf, sizeof(buf), "%s%s", OK_RESP, OK_RESP);
	CHECK_EQ_INT(parse(buf, 0, &r, &err), HTTP_ERROR);
}

/* every proper prefix of a response needs more bytes, or fails at EOF */
TEST(http_prefixes)
{
	struct http_response	 r;
	const char		*err;
	char			 buf[256];
	size_t			 i, n = strlen(OK_RESP);

	for (i = 0; i < n; i++) {
		memcpy(buf, OK_RESP, i);
		buf[i] = '\0';
		memset(&r, 0, sizeof(r));
		r.body = body;
		CHECK_EQ_INT(http_response_parse((uint8_t *)buf, i, 0, &r,
		    &err), HTTP_MORE);
		CHECK_EQ_INT(http_response_parse((uint8_t *)buf, i, 1, &r,
		    &err), HTTP_ERROR);
	}
}

TEST(http_chunked)
{
	struct http_response	 r;
	const char		*err;

	CHECK_EQ_INT(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: y\r\n"
	    "\r\n", 0, &r, &err), HTTP_DONE);
	CHECK_EQ_INT(r.body_len, 12);
	CHECK(memcmp(r.body, "hello, world", 12) == 0);
	CHECK_EQ_INT(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n5\r\nhel", 0, &r, &err), HTTP_MORE);
}

TEST(http_bad)
{
	static const char *const bad[] = {
		"HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200OK\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\n",
		"HTTP/1.1 600 Odd\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1"
		    "\r\n\r\nx",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\nx",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\n\r\n",
		"HTTP/1.1 200 OK\r\n\r\nno length",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n folded\r\n\r\nx",
		"HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\n: x\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: a\x01z\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
		    "Content-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
		    "Content-Length: 5\r\n\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "zz\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "123456789\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "5\r\nhelloXX0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "0\r\n\r\nextra",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxy",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "200000\r\n",
	};
	struct http_response	 r;
	const char		*err;
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], 1, &r, &err) != HTTP_ERROR)
			printf("# accepted: %s\n", bad[i]);
		CHECK_EQ_INT(parse(bad[i], 1, &r, &err), HTTP_ERROR);
		CHECK(err != NULL);
	}
}

TEST(http_limits)
{
	struct http_response	 r;
	const char		*err;
	char			*big;
	size_t			 i, n;

	/* headers over 16 KiB */
	n = HTTP_MAX_HEADERS + 100;
	CHECK((big = malloc(n + 1)) != NULL);
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	for (i = 20; i < n; i++)
		big[i] = 'a';
	big[n] = '\0';
	CHECK_EQ_INT(parse(big, 0, &r, &err), HTTP_ERROR);
	free(big);
	/* too many fields */
	n = 100 * 6 + 64;
	CHECK((big = malloc(n)) != NULL);
	(void)strlcpy(big, "HTTP/1.1 200 OK\r\n", n);
	for (i = 0; i < 100; i++)
		(void)strlcat(big, "X: y\r\n", n);
	(void)strlcat(big, "\r\n", n);
	CHECK_EQ_INT(parse(big, 0, &r, &err), HTTP_ERROR);
	free(big);
}

static const char *
receipt_doc(const char *sha, const char *extra)
{
	static char	 doc[4096];

	(void)snprintf(doc, sizeof(doc),
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<env:Envelope xmlns:env=\"" SOAP_NS "\">%s<env:Body>"
	    "<ch:Receipt xmlns:ch=\"" CALLHOME_NS "\">"
	    "<ch:DocumentSha256>%s</ch:DocumentSha256>"
	    "<ch:DocumentId>42</ch:DocumentId>"
	    "<ch:ServerTime>2026-11-21T10:00:00Z</ch:ServerTime>"
	    "<ch:Duplicate>true</ch:Duplicate>"
	    "</ch:Receipt></env:Body></env:Envelope>", extra, sha);
	return doc;
}

#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

TEST(retry_after)
{
	struct http_response	 r;
	const char		*err;
	time_t			 now = 784111777;	/* 06 Nov 1994 08:49:37 */

	CHECK_EQ_INT(parse("HTTP/1.1 503 Service Unavailable\r\n"
	    "Retry-After: 30\r\nRetry-After: 99\r\nContent-Length: 0\r\n\r\n",
	    0, &r, &err), HTTP_DONE);
	CHECK_EQ_INT(r.status, 503);
	CHECK_STR(r.retry_after, "30");		/* the first one */
	CHECK_EQ_INT(http_retry_after(r.retry_after, now), 30);
	CHECK_EQ_INT(parse(OK_RESP, 0, &r, &err), HTTP_DONE);
	CHECK_STR(r.retry_after, "");
	CHECK_EQ_INT(http_retry_after(r.retry_after, now), -1);
	CHECK_EQ_INT(parse("HTTP/1.1 503 x\r\nRetry-After: "
	    "12345678901234567890123456789012345\r\nContent-Length: 0\r\n"
	    "\r\n", 0, &r, &err), HTTP_DONE);
	CHECK_EQ_INT(http_retry_after(r.retry_after, now), -1);

	/* delay-seconds, bounded */
	CHECK_EQ_INT(http_retry_after("0", now), 0);
	CHECK_EQ_INT(http_retry_after("120", now), 120);
	CHECK_EQ_INT(http_retry_after("86400", now), 86400);
	CHECK_EQ_INT(http_retry_after("86401", now), HTTP_RETRY_AFTER_MAX);
	CHECK_EQ_INT(http_retry_after("99999999999999999999999", now),
	    HTTP_RETRY_AFTER_MAX);
	CHECK_EQ_INT(http_retry_after("-1", now), -1);
	CHECK_EQ_INT(http_retry_after("+5", now), -1);
	CHECK_EQ_INT(http_retry_after("5s", now), -1);
	CHECK_EQ_INT(http_retry_after("5 ", now), -1);
	CHECK_EQ_INT(http_retry_after("", now), -1);
	/* an IMF-fixdate */
	CHECK_EQ_INT(http_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now),
	    60);
	CHECK_EQ_INT(http_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
	    0);
	CHECK_EQ_INT(http_retry_after("Sat, 05 Nov 1994 08:49:37 GMT", now),
	    0);
	CHECK_EQ_INT(http_retry_after("Tue, 06 Nov 2035 08:49:37 GMT", now),
	    HTTP_RETRY_AFTER_MAX);
	CHECK_EQ_INT(http_retry_after("Mon, 07 Nov 1994 00:00:00 GMT", now),
	    54623);
	/* no other form, no impossible date */
	CHECK_EQ_INT(http_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now),
	    -1);
	CHECK_EQ_INT(http_retry_after("Sun Nov  6 08:49:37 1994", now), -1);
	CHECK_EQ_INT(http_retry_after("Sun, 06 Nov 1994 08:49:37 UTC", now),
	    -1);
	CHECK_EQ_INT(http_retry_after("Xyz, 06 Nov 1994 08:49:37 GMT", now),
	    -1);
	CHECK_EQ_INT(http_retry_after("Sun, 31 Feb 1995 08:49:37 GMT", now),
	    -1);
	CHECK_EQ_INT(http_retry_after("Sun, 06 Nov 1994 24:00:00 GMT", now),
	    -1);
	CHECK_EQ_INT(http_retry_after("Sun, 06 Nov 1969 08:49:37 GMT", now),
	    -1);
	CHECK_EQ_INT(http_retry_after("Sun, 6 Nov 1994 08:49:37 GMT", now),
	    -1);
}

TEST(receipt_ok)
{
	struct receipt	 rc;
	const char	*d = receipt_doc(SHA, "");
	char		 err[256];

	CHECK(xs != NULL);
	CHECK_EQ_INT(receipt_parse(xs, (const uint8_t *)d, strlen(d), &rc,
	    err, sizeof(err)), 0);
	CHECK_STR(rc.sha256, SHA);
	CHECK_EQ_INT(rc.doc_id, 42);
	CHECK_STR(rc.server_time, "2026-11-21T10:00:00Z");
	CHECK_EQ_INT(rc.duplicate, 1);
	d = receipt_doc(SHA, "<env:Header/>");
	CHECK_EQ_INT(receipt_parse(xs, (const uint8_t *)d, strlen(d), &rc,
	    err, sizeof(err)), 0);
}

TEST(receipt_bad)
{
	static const char *const bad[] = {
		/* schema: uppercase hex, short hash */
		"0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
		"0123",
	};
	static const char *const docs[] = {
		"<!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>",
		"<?xml version=\"1.0\"?><!DOCTYPE r SYSTEM "
		    "\"http://127.0.0.1:1/x.dtd\"><r/>",
		"<env:Envelope xmlns:env=\"" SOAP_NS "\"><env:Body>"
		    "<ch:Upload xmlns:ch=\"" CALLHOME_NS "\"/></env:Body>"
		    "</env:Envelope>",
		"<env:Envelope xmlns:env=\"urn:other\"><env:Body/>"
		    "</env:Envelope>",
		"<env:Envelope xmlns:env=\"" SOAP_NS "\"><env:Body>"
		    "<env:Fault><env:Code><env:Value>env:Sender</env:Value>"
		    "</env:Code><env:Reason><env:Text xml:lang=\"en\">nope"
		    "</env:Text></env:Reason></env:Fault></env:Body>"
		    "</env:Envelope>",
		"not xml at all",
		"",
	};
	struct receipt	 rc;
	const char	*d;
	char		 err[256], deep[2048];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = receipt_doc(bad[i], "");
		CHECK_EQ_INT(receipt_parse(xs, (const uint8_t *)d, strlen(d),
		    &rc, err, sizeof(err)), -1);
	}
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		CHECK_EQ_INT(receipt_parse(xs, (const uint8_t *)docs[i],
		    strlen(docs[i]), &rc, err, sizeof(err)), -1);
	/* a Header that is not empty */
	d = receipt_doc(SHA, "<env:Header><x:y xmlns:x=\"urn:x\"/>"
	    "</env:Header>");
	CHECK_EQ_INT(receipt_parse(xs, (const uint8_t *)d, strlen(d), &rc,
	    err, sizeof(err)), -1);
	/* nesting beyond the bound, inside a valid envelope */
	(void)strlcpy(deep, "<env:Envelope xmlns:env=\"" SOAP_NS "\">"
	    "<env:Body><a>", sizeof(deep));
	for (i = 0; i < 40; i++)
		(void)strlcat(deep, "<a>", sizeof(deep));
	(void)strlcat(deep, "</a></env:Body></env:Envelope>", sizeof(deep));
	CHECK_EQ_INT(receipt_parse(xs, (const uint8_t *)deep, strlen(deep),
	    &rc, err, sizeof(err)), -1);
	/* a NUL byte */
	d = receipt_doc(SHA, "");
	(void)strlcpy(deep, d, sizeof(deep));
	deep[10] = '\0';
	CHECK_EQ_INT(receipt_parse(xs, (const uint8_t *)deep, strlen(d), &rc,
	    err, sizeof(err)), -1);
}

static int
pstatus(const char *s)
{
	return proxy_response_status(s, strlen(s));
}

static enum upload_status
judge(int status, const char *reason, const char *text,
    struct msg_upload_result *res)
{
	struct http_response	 hr;

	memset(&hr, 0, sizeof(hr));
	memset(res, 0, sizeof(*res));
	hr.status = status;
	(void)strlcpy(hr.reason, reason, sizeof(hr.reason));
	hr.body = (uint8_t *)(uintptr_t)text;
	hr.body_len = strlen(text);
	return upload_judge(xs, &hr, SHA, res);
}

/*
 * What a response means.  A non-200 whose body is a valid receipt read an
 * error buffer only receipt_parse()'s callee happened to clear: its
 * message must be exactly the status, and nothing is delivered.
 */
TEST(judge_responses)
{
	struct msg_upload_result	 res;
	char				 other[65];

	CHECK(xs != NULL);
	CHECK_EQ_INT(judge(200, "OK", receipt_doc(SHA, ""), &res),
	    UP_DELIVERED);
	CHECK_STR(res.receipt_sha256, SHA);
	CHECK_EQ_INT(res.doc_id, 42);
	CHECK_EQ_INT(res.http_status, 200);
	CHECK_EQ_INT(judge(500, "Internal Server Error",
	    receipt_doc(SHA, ""), &res), UP_HTTP);
	CHECK_STR(res.error, "server answered 500 Internal Server Error");
	CHECK_STR(res.receipt_sha256, "");	/* only a 200 delivers */
	CHECK_EQ_INT(judge(503, "Service Unavailable", "", &res), UP_HTTP);
	CHECK_STR(res.error, "server answered 503 Service Unavailable");
	memset(other, 'f', 64);
	other[64] = '\0';
	CHECK_EQ_INT(judge(200, "OK", receipt_doc(other, ""), &res),
	    UP_MISMATCH);
	CHECK(strstr(res.error, "receipt names ffff") != NULL);
	CHECK_EQ_INT(judge(200, "OK", "<not-a-receipt/>", &res), UP_PROTOCOL);
	CHECK(strncmp(res.error, "bad receipt: ", 13) == 0);
}

/* a package's body: at most the signed size, and the error says so */
TEST(http_body_cap)
{
	struct http_response	 r;
	const char		*err;
	const char		*ten = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n"
	    "\r\n0123456789";
	const char		*chunked = "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n"
	    "5\r\n6789a\r\n0\r\n\r\n";

	memset(&r, 0, sizeof(r));
	r.body = body;
	r.body_cap = 10;
	CHECK_EQ_INT(http_response_parse((const uint8_t *)ten, strlen(ten), 0,
	    &r, &err), HTTP_DONE);
	CHECK_EQ_INT(r.too_large, 0);
	CHECK_EQ_INT(r.body_len, 10);
	r.body_cap = 9;
	CHECK_EQ_INT(http_response_parse((const uint8_t *)ten, strlen(ten), 0,
	    &r, &err), HTTP_ERROR);
	CHECK_EQ_INT(r.too_large, 1);
	CHECK_STR(err, "body too large");
	/* known from the head alone: before the body has come */
	CHECK_EQ_INT(http_response_parse((const uint8_t *)ten, strlen(ten) - 10,
	    0, &r, &err), HTTP_ERROR);
	CHECK_EQ_INT(r.too_large, 1);
	r.body_cap = 10;
	CHECK_EQ_INT(http_response_parse((const uint8_t *)chunked,
	    strlen(chunked), 0, &r, &err), HTTP_ERROR);
	CHECK_EQ_INT(r.too_large, 1);
	r.body_cap = 11;
	CHECK_EQ_INT(http_response_parse((const uint8_t *)chunked,
	    strlen(chunked), 0, &r, &err), HTTP_DONE);
	CHECK_EQ_INT(r.too_large, 0);
	/* other errors are not "too large" */
	CHECK_EQ_INT(http_response_parse((const uint8_t *)"HTTP/1.1 200 OK\r\n"
	    "\r\n", 19, 0, &r, &err), HTTP_ERROR);
	CHECK_EQ_INT(r.too_large, 0);
	/* 0 is the default cap; more than HTTP_MAX_FILE is not believed */
	r.body_cap = 0;
	(void)http_response_parse((const uint8_t *)ten, strlen(ten), 0, &r,
	    &err);
	CHECK_EQ_INT(r.body_cap, HTTP_MAX_BODY);
	r.body_cap = (size_t)HTTP_MAX_FILE + 1;
	(void)http_response_parse((const uint8_t *)ten, strlen(ten), 0, &r,
	    &err);
	CHECK_EQ_INT(r.body_cap, HTTP_MAX_BODY);
}

static enum upload_status
ci_judge(int status, const char *doc, struct checkin_response *cr,
    struct msg_upload_result *res)
{
	struct http_response	 hr;

	memset(&hr, 0, sizeof(hr));
	memset(res, 0, sizeof(*res));
	hr.status = status;
	(void)strlcpy(hr.reason, status == 200 ? "OK" : "Not Found",
	    sizeof(hr.reason));
	hr.body = (uint8_t *)(uintptr_t)doc;
	hr.body_len = strlen(doc);
	return checkin_judge(xs, &hr, cr, res);
}

TEST(checkin_responses)
{
	struct msg_upload_result	 res;
	struct checkin_response		 cr;
	static const char		 two[] = "<env:Envelope xmlns:env="
	    "\"http://www.w3.org/2003/05/soap-envelope\"><env:Body>"
	    "<ch:CheckInResponse xmlns:ch=\"urn:callhome:protocol:1\">"
	    "<ch:ServerTime>2026-12-07T10:00:00Z</ch:ServerTime>"
	    "<ch:Bundle>aGVsbG8=</ch:Bundle><ch:Bundle>d29ybGQ=</ch:Bundle>"
	    "</ch:CheckInResponse></env:Body></env:Envelope>";

	CHECK(xs != NULL);
	CHECK_EQ_INT(ci_judge(200, two, &cr, &res), UP_DELIVERED);
	CHECK_EQ_INT(res.bundles, 2);
	CHECK_EQ_INT(cr.nbundles, 2);
	CHECK(cr.bundles[0].len == 5 && memcmp(cr.bundles[0].data, "hello",
	    5) == 0);
	CHECK(cr.bundles[1].len == 5 && memcmp(cr.bundles[1].data, "world",
	    5) == 0);
	CHECK_STR(res.server_time, "2026-12-07T10:00:00Z");
	checkin_response_free(&cr);
	/* only a 200 brings bundles */
	CHECK_EQ_INT(ci_judge(404, two, &cr, &res), UP_HTTP);
	CHECK_EQ_INT(res.bundles, 0);
	CHECK_EQ_INT(cr.nbundles, 0);
	CHECK_STR(res.error, "server answered 404 Not Found");
	CHECK_EQ_INT(ci_judge(200, "<x/>", &cr, &res), UP_PROTOCOL);
	CHECK(strncmp(res.error, "bad check-in answer: ", 21) == 0);
	CHECK_EQ_INT(cr.nbundles, 0);
}

TEST(proxy_answers)
{
	CHECK_EQ_INT(pstatus("HTTP/1.1 200 Connection "
	    "established\r\n\r\n"), 200);
	CHECK_EQ_INT(pstatus("HTTP/1.0 200\r\n\r\n"), 200);
	CHECK_EQ_INT(pstatus("HTTP/1.1 407 Proxy Authentication"
	    " Required\r\nProxy-Authenticate: Basic\r\n\r\n"), 407);
	CHECK_EQ_INT(pstatus("HTTP/1.1 200 OK\r\n"), 0);
	CHECK_EQ_INT(pstatus("HTTP/1.1 200 OK\r\n\r\nX"),
	    -1);
	/* a refusal carries a page, often in the same segment */
	CHECK_EQ_INT(pstatus("HTTP/1.0 407 Proxy Authentication Required\r\n"
	    "Content-Length: 6\r\n\r\n<html>"), 407);
	CHECK_EQ_INT(pstatus("HTTP/1.0 401 Unauthorized\r\n\r\n<html>"),
	    401);
	CHECK_EQ_INT(pstatus("HTTP/2.0 200 OK\r\n\r\n"),
	    -1);
	CHECK_EQ_INT(pstatus("HTTP/1.1 2000 OK\r\n\r\n"),
	    -1);
	CHECK_EQ_INT(pstatus("HTTP/1.1 099 x\r\n\r\n"),
	    -1);
	CHECK_EQ_INT(pstatus("SSH-2.0-x\r\n\r\n"), -1);
}

TEST(proxy_too_long)
{
	static char	 buf[PROXY_MAX_RESPONSE + 1];

	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "HTTP/1.1 200 OK\r\n", 17);
	CHECK_EQ_INT(proxy_response_status(buf, PROXY_MAX_RESPONSE), -1);
	CHECK_EQ_INT(proxy_response_status(buf, PROXY_MAX_RESPONSE + 1), -1);
	CHECK_EQ_INT(proxy_response_status(buf, 100), 0);
}

static struct xschema *
load_schema(void)
{
	FILE	*f;
	char	*buf, err[256];
	size_t	 n;

	if ((f = fopen("etc/callhome.xsd", "r")) == NULL)
		return NULL;
	buf = malloc(256 * 1024);
	n = fread(buf, 1, 256 * 1024, f);
	fclose(f);
	xs = xschema_load(buf, n, err, sizeof(err));
	if (xs == NULL)
		printf("# schema: %s\n", err);
	free(buf);
	return xs;
}

TEST_MAIN_BEGIN("test_uplink")
	log_init("test_uplink", LOG_TO_STDERR, 0);
	xmlsafe_init();
	xs = load_schema();
	RUN(http_ok);
	RUN(http_prefixes);
	RUN(http_close);
	RUN(http_chunked);
	RUN(http_bad);
	RUN(http_limits);
	RUN(retry_after);
	RUN(receipt_ok);
	RUN(receipt_bad);
	RUN(judge_responses);
	RUN(http_body_cap);
	RUN(checkin_responses);
	RUN(proxy_answers);
	RUN(proxy_too_long);
	xschema_free(xs);
TEST_MAIN_END
