/*
 * commsd's HTTP/1.1 request parser (commsd/http.c): a valid request fed
 * at once, byte by byte and in pieces; every refusal with its status; the
 * responses and SOAP Faults it writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../commsd/commsd.h"
#include "../../commsd/http.h"
#include "log.h"
#include "test.h"
#include "xmlsafe.h"

#define MAXBODY		4096
#define GOOD_HEAD \
	"POST /callhome/1/upload HTTP/1.1\r\n" \
	"Host: comms.example\r\n" \
	"Content-Type: application/soap+xml; charset=utf-8\r\n"

static struct comms_http	 h;
static char			 buf[64 * 1024];

/* feed the whole string at once; returns the final state */
static enum comms_http_state
feed_all(const char *req, size_t len, const char *token, size_t *used)
{
	comms_http_free(&h);
	comms_http_init(&h, MAXBODY, token);
	return comms_http_feed(&h, req, len, used);
}

static int
status_of(const char *req)
{
	size_t	 used;

	if (feed_all(req, strlen(req), NULL, &used) != COMMS_HTTP_FAIL)
		return 0;
	return h.status;
}

static int
status_tok(const char *req, const char *token)
{
	size_t	 used;

	if (feed_all(req, strlen(req), token, &used) != COMMS_HTTP_FAIL)
		return 0;
	return h.status;
}

TEST(valid_at_once)
{
	const char	*req = GOOD_HEAD
	    "Content-Length: 5\r\n"
	    "Content-Encoding: gzip\r\n"
	    "User-Agent: callhome/0.1\r\n"
	    "X-Callhome-Document-Sha256: "
	    "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
	    "\r\n"
	    "Expect: 100-continue\r\n"
	    "Connection: close\r\n"
	    "\r\nhello";
	size_t		 used;

	CHECK_EQ_INT(feed_all(req, strlen(req), NULL, &used),
	    COMMS_HTTP_DONE);
	CHECK_EQ_INT(used, strlen(req));
	CHECK_STR(h.method, "POST");
	CHECK_STR(h.target, COMMS_UPLOAD_PATH);
	CHECK_EQ_INT(h.content_length, 5);
	CHECK_EQ_INT(h.bodylen, 5);
	CHECK(memcmp(h.body, "hello", 5) == 0);
	CHECK(h.gzip);
	CHECK(h.expect_continue);
	CHECK(h.have_sha256);
	CHECK_STR(h.sha256, "abcdef0123456789abcdef0123456789abcdef0123456789"
	    "abcdef0123456789");
	CHECK_STR(h.user_agent, "callhome/0.1");
}

TEST(valid_byte_by_byte)
{
	const char	*req = GOOD_HEAD "Content-Length: 3\r\n\r\nabc";
	size_t		 i, used;
	enum comms_http_state st = COMMS_HTTP_HEAD;

	comms_http_free(&h);
	comms_http_init(&h, MAXBODY, NULL);
	for (i = 0; i < strlen(req); i++) {
		CHECK(st != COMMS_HTTP_DONE);
		st = comms_http_feed(&h, req + i, 1, &used);
		CHECK_EQ_INT(used, 1);
		CHECK(st != COMMS_HTTP_FAIL);
	}
	CHECK_EQ_INT(st, COMMS_HTTP_DONE);
	CHECK(memcmp(h.body, "abc", 3) == 0);
	CHECK(!h.gzip);
	CHECK(!h.have_sha256);
}

TEST(pieces_and_extra_bytes)
{
	const char	*req = GOOD_HEAD "Content-Length: 4\r\n\r\nbodyNEXT";
	size_t		 split, used, n = strlen(req), total;
	enum comms_http_state st;

	/* every split point: the second piece may hold head and body */
	for (split = 0; split <= n; split++) {
		comms_http_free(&h);
		comms_http_init(&h, MAXBODY, NULL);
		st = comms_http_feed(&h, req, split, &used);
		total = used;
		if (st != COMMS_HTTP_DONE) {
			CHECK_EQ_INT(used, split);
			st = comms_http_feed(&h, req + split, n - split,
			    &used);
			total += used;
		}
		CHECK_EQ_INT(st, COMMS_HTTP_DONE);
		/* what follows the body is not taken */
		CHECK_EQ_INT(total, n - 4);
		CHECK(memcmp(h.body, "body", 4) == 0);
		/* nothing more is taken once done */
		CHECK_EQ_INT(comms_http_feed(&h, "x", 1, &used),
		    COMMS_HTTP_DONE);
		CHECK_EQ_INT(used, 0);
	}
}

TEST(empty_body)
{
	size_t	 used;

	CHECK_EQ_INT(feed_all(GOOD_HEAD "Content-Length: 0\r\n\r\n",
	    strlen(GOOD_HEAD "Content-Length: 0\r\n\r\n"), NULL, &used),
	    COMMS_HTTP_DONE);
	CHECK_EQ_INT(h.bodylen, 0);
}

TEST(line_endings)
{
	CHECK_EQ_INT(status_of("POST /callhome/1/upload HTTP/1.1\n"
	    "Host: x\r\nContent-Length: 0\r\n\r\n"), 400);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length: 0\n\r\n\r\n"), 400);
	CHECK_EQ_INT(status_of(GOOD_HEAD "X: a\rb\r\nContent-Length: 0\r\n"
	    "\r\n"), 400);
	/* an empty line before the request line */
	CHECK_EQ_INT(status_of("\r\n" GOOD_HEAD "Content-Length: 0\r\n\r\n"),
	    400);
}

/* a bare LF or CR is refused as soon as it arrives, not at a deadline */
TEST(bare_line_ends_at_once)
{
	static const char	 lf[] = "POST /callhome/1/upload HTTP/1.1\n"
	    "Host: x\n";
	static const char	 good[] = GOOD_HEAD "Content-Length: 3\r\n\r\n"
	    "a\nb";
	size_t			 i, used;

	/* the head never ends with CRLF CRLF: refused all the same */
	CHECK(feed_all(lf, sizeof(lf) - 1, NULL, &used) == COMMS_HTTP_FAIL);
	CHECK_EQ_INT(h.status, 400);
	CHECK(strstr(h.error, "bare CR or LF") != NULL);
	CHECK(feed_all("POST / HTTP/1.1\rX", 17, NULL, &used) ==
	    COMMS_HTTP_FAIL);
	/* byte by byte: at the LF itself */
	comms_http_free(&h);
	comms_http_init(&h, MAXBODY, NULL);
	for (i = 0; i < sizeof(lf) - 1; i++)
		if (comms_http_feed(&h, lf + i, 1, &used) == COMMS_HTTP_FAIL)
			break;
	CHECK_EQ_INT(i, 32);
	/* a CR at the end of a piece waits for its LF */
	comms_http_free(&h);
	comms_http_init(&h, MAXBODY, NULL);
	CHECK(comms_http_feed(&h, "POST /callhome/1/upload HTTP/1.1\r", 33,
	    &used) == COMMS_HTTP_HEAD);
	CHECK(comms_http_feed(&h, "\n", 1, &used) == COMMS_HTTP_HEAD);
	/* the body is not the head: a bare LF there is data */
	CHECK(feed_all(good, sizeof(good) - 1, NULL, &used) ==
	    COMMS_HTTP_DONE);
	CHECK(h.bodylen == 3 && memcmp(h.body, "a\nb", 3) == 0);
	comms_http_free(&h);
	comms_http_init(&h, MAXBODY, NULL);
	for (i = 0; i < sizeof(good) - 1; i++)
		CHECK(comms_http_feed(&h, good + i, 1, &used) !=
		    COMMS_HTTP_FAIL);
	CHECK_EQ_INT(h.state, COMMS_HTTP_DONE);
}

TEST(request_line)
{
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "POST /", 6);
	/* a request line of 1025 bytes, without its end yet */
	buf[1025] = '\0';
	CHECK_EQ_INT(status_of(buf), 0);
	buf[1025] = 'a';
	buf[1026] = '\0';
	CHECK_EQ_INT(status_of(buf), 414);
	/* with its CRLF but too long */
	memcpy(buf + 1025, " HTTP/1.1\r\n\r\n", 14);
	buf[1025 + 14] = '\0';
	CHECK_EQ_INT(status_of(buf), 414);
	CHECK_EQ_INT(status_of("POST  /callhome/1/upload HTTP/1.1\r\n\r\n"),
	    400);
	CHECK_EQ_INT(status_of("POST /callhome/1/upload\r\n\r\n"), 400);
	CHECK_EQ_INT(status_of("POST /callhome/1/upload HTTP/1.1 x\r\n\r\n"),
	    400);
	CHECK_EQ_INT(status_of("PO(ST /callhome/1/upload HTTP/1.1\r\n\r\n"),
	    400);
	CHECK_EQ_INT(status_of("POST /callhome/1/upload HTTP/1.0\r\n"
	    "Host: x\r\n\r\n"), 505);
	CHECK_EQ_INT(status_of("POST /callhome/1/upload HTTP/2.0\r\n\r\n"),
	    505);
	CHECK_EQ_INT(status_of("POST /callhome/1/upload HTTP/1.10\r\n\r\n"),
	    400);
	CHECK_EQ_INT(status_of("POST /callhome/1/upload http/1.1\r\n\r\n"),
	    400);
}

/* the status of req fed in pieces of n bytes */
static int
status_pieces(const char *req, size_t len, size_t n)
{
	size_t	 off = 0, used, k;

	comms_http_free(&h);
	comms_http_init(&h, MAXBODY, NULL);
	while (off < len) {
		k = len - off < n ? len - off : n;
		if (comms_http_feed(&h, req + off, k, &used) ==
		    COMMS_HTTP_FAIL)
			return h.status;
		off += used;
	}
	return 0;
}

/*
 * The first error in the octets wins, at once or in pieces: a request
 * line or header fields too long, then a bare LF after the point where
 * that is found (the fuzzer's case: 400 at once, 414 in pieces)
 */
TEST(first_error_wins)
{
	static const char	 tail[] = " HTTP/1.1\r\nX: \nb\r\n\r\n";
	size_t			 n, len;

	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "POST /", 6);
	memcpy(buf + 1100, tail, sizeof(tail) - 1);
	len = 1100 + sizeof(tail) - 1;
	buf[len] = '\0';
	CHECK_EQ_INT(status_of(buf), 414);
	for (n = 1; n <= 2048; n *= 2)
		CHECK_EQ_INT(status_pieces(buf, len, n), 414);
	/* a bare LF before that point wins */
	buf[500] = '\n';
	CHECK_EQ_INT(status_of(buf), 400);
	for (n = 1; n <= 2048; n *= 2)
		CHECK_EQ_INT(status_pieces(buf, len, n), 400);

	/* header fields too long, a bare LF after them */
	n = snprintf(buf, sizeof(buf), GOOD_HEAD "X-Big: ");
	memset(buf + n, 'v', 17 * 1024);
	len = n + 17 * 1024;
	memcpy(buf + len, "\n\r\n\r\n", 5);
	len += 5;
	buf[len] = '\0';
	CHECK_EQ_INT(status_of(buf), 431);
	for (n = 1; n <= 32768; n *= 4)
		CHECK_EQ_INT(status_pieces(buf, len, n), 431);
}

TEST(header_bounds)
{
	size_t	 n;
	int	 i;

	/* 64 fields are fine, 65 are not */
	n = snprintf(buf, sizeof(buf), GOOD_HEAD "Content-Length: 0\r\n");
	for (i = 0; i < 64 - 3; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "X-F%d: v\r\n", i);
	(void)snprintf(buf + n, sizeof(buf) - n, "\r\n");
	CHECK_EQ_INT(status_of(buf), 0);
	CHECK_EQ_INT(h.state, COMMS_HTTP_DONE);
	(void)snprintf(buf + n, sizeof(buf) - n, "X-Last: v\r\n\r\n");
	CHECK_EQ_INT(status_of(buf), 431);

	/* 16 KiB of fields, then more */
	n = snprintf(buf, sizeof(buf), GOOD_HEAD "Content-Length: 0\r\n"
	    "X-Big: ");
	memset(buf + n, 'v', 16 * 1024);
	n += 16 * 1024;
	(void)snprintf(buf + n, sizeof(buf) - n, "\r\n\r\n");
	CHECK_EQ_INT(status_of(buf), 431);
	/* never ending */
	buf[n] = '\0';
	CHECK_EQ_INT(status_of(buf), 431);
}

TEST(field_syntax)
{
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length: 0\r\n"
	    " folded\r\n\r\n"), 400);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length : 0\r\n\r\n"), 400);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length: 0\r\nNoColon\r\n"
	    "\r\n"), 400);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length: 0\r\n: v\r\n\r\n"),
	    400);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length: 0\r\nX(y): v\r\n"
	    "\r\n"), 400);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length: 0\r\nX: a\001b\r\n"
	    "\r\n"), 400);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length: 0\r\nX: a\177\r\n"
	    "\r\n"), 400);
	/* obs-text and tabs are values */
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length: 0\r\nX: \tcaf\303"
	    "\251\t\r\n\r\n"), 0);
	/* a NUL anywhere */
	{
		static const char	 r[] = GOOD_HEAD "X: a\0b\r\n"
		    "Content-Length: 0\r\n\r\n";
		size_t			 used;

		CHECK_EQ_INT(feed_all(r, sizeof(r) - 1, NULL, &used),
		    COMMS_HTTP_FAIL);
		CHECK_EQ_INT(h.status, 400);
	}
}

TEST(host)
{
	CHECK_EQ_INT(status_of("POST /callhome/1/upload HTTP/1.1\r\n"
	    "Content-Type: application/soap+xml\r\nContent-Length: 0\r\n\r\n"),
	    400);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Host: y\r\nContent-Length: 0\r\n"
	    "\r\n"), 400);
	CHECK_EQ_INT(status_of("POST /callhome/1/upload HTTP/1.1\r\nHost:\r\n"
	    "Content-Type: application/soap+xml\r\nContent-Length: 0\r\n\r\n"),
	    400);
	/* field names are case-insensitive */
	CHECK_EQ_INT(status_of("POST /callhome/1/upload HTTP/1.1\r\n"
	    "hOST: x\r\ncontent-type: application/soap+xml\r\n"
	    "CONTENT-LENGTH: 0\r\n\r\n"), 0);
}

TEST(path_and_method)
{
	/* the check-in: as an upload, a POST of a SOAP document */
	CHECK_EQ_INT(status_of("POST /callhome/1/checkin HTTP/1.1\r\n"
	    "Host: x\r\n\r\n"), 411);
	CHECK_EQ_INT(status_of("POST /callhome/1/checkin HTTP/1.1\r\n"
	    "Host: x\r\nContent-Type: application/soap+xml\r\n"
	    "Content-Length: 0\r\n\r\n"), 0);
	CHECK_EQ_INT(h.route, COMMS_ROUTE_CHECKIN);
	CHECK_EQ_INT(status_of("GET /callhome/1/checkin HTTP/1.1\r\n"
	    "Host: x\r\n\r\n"), 405);
	CHECK_EQ_INT(status_of("POST /callhome/1/checkin/ HTTP/1.1\r\n"
	    "Host: x\r\n\r\n"), 404);
	/* a package: GET of NAME-VERSION or NAME-VERSION.sig, nothing else */
	CHECK_EQ_INT(status_of("GET /callhome/1/package/acme-12 HTTP/1.1\r\n"
	    "Host: x\r\n\r\n"), 0);
	CHECK_EQ_INT(h.route, COMMS_ROUTE_PACKAGE);
	CHECK_STR(h.file, "acme-12");
	CHECK_EQ_INT(status_of("GET /callhome/1/package/a.b_c-d-1.sig "
	    "HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"), 0);
	CHECK_STR(h.file, "a.b_c-d-1.sig");
	CHECK_EQ_INT(status_of("GET /callhome/1/package/acme-"
	    "9223372036854775807 HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	CHECK_EQ_INT(status_of("GET /callhome/1/package/acme-"
	    "9223372036854775808 HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
	CHECK_EQ_INT(status_of("GET /callhome/1/package/acme-0 HTTP/1.1\r\n"
	    "Host: x\r\n\r\n"), 404);
	CHECK_EQ_INT(status_of("GET /callhome/1/package/acme-01 HTTP/1.1\r\n"
	    "Host: x\r\n\r\n"), 404);
	CHECK_EQ_INT(status_of("GET /callhome/1/package/acme HTTP/1.1\r\n"
	    "Host: x\r\n\r\n"), 404);
	CHECK_EQ_INT(status_of("GET /callhome/1/package/-1 HTTP/1.1\r\n"
	    "Host: x\r\n\r\n"), 404);
	CHECK_EQ_INT(status_of("GET /callhome/1/package/.acme-1 HTTP/1.1\r\n"
	    "Host: x\r\n\r\n"), 404);
	CHECK_EQ_INT(status_of("GET /callhome/1/package/../acme-1 HTTP/1.1\r\n"
	    "Host: x\r\n\r\n"), 404);
	CHECK_EQ_INT(status_of("GET /callhome/1/package/a%2fb-1 HTTP/1.1\r\n"
	    "Host: x\r\n\r\n"), 404);
	CHECK_EQ_INT(status_of("GET /callhome/1/package/acme-1.sig.sig "
	    "HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
	CHECK_EQ_INT(status_of("GET /callhome/1/package/acme-1x HTTP/1.1\r\n"
	    "Host: x\r\n\r\n"), 404);
	CHECK_EQ_INT(status_of("POST /callhome/1/package/acme-1 HTTP/1.1\r\n"
	    "Host: x\r\n\r\n"), 405);
	CHECK_EQ_INT(status_of("GET /callhome/1/package/acme-1 HTTP/1.1\r\n"
	    "Host: x\r\nContent-Length: 3\r\n\r\n"), 400);
	/* a name of 64 characters is the longest */
	CHECK_EQ_INT(status_of("GET /callhome/1/package/"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-1 "
	    "HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	CHECK_EQ_INT(status_of("GET /callhome/1/package/"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-1 "
	    "HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
	CHECK_EQ_INT(status_of("POST /callhome/1/upload?x=1 HTTP/1.1\r\n"
	    "Host: x\r\n\r\n"), 404);
	CHECK_EQ_INT(status_of("POST https://x/callhome/1/upload HTTP/1.1\r\n"
	    "Host: x\r\n\r\n"), 404);
	CHECK_EQ_INT(status_of("GET /callhome/1/upload HTTP/1.1\r\n"
	    "Host: x\r\n\r\n"), 405);
	CHECK_EQ_INT(status_of("post /callhome/1/upload HTTP/1.1\r\n"
	    "Host: x\r\n\r\n"), 405);
	/* the path decides first */
	CHECK_EQ_INT(status_of("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
}

TEST(content_length)
{
	CHECK_EQ_INT(status_of(GOOD_HEAD "\r\n"), 411);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Transfer-Encoding: chunked\r\n\r\n"),
	    411);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Transfer-Encoding: chunked\r\n"
	    "Content-Length: 5\r\n\r\n"), 400);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length: +5\r\n\r\n"), 400);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length: -5\r\n\r\n"), 400);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length: 5, 5\r\n\r\n"), 400);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length: 0x10\r\n\r\n"), 400);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length: \r\n\r\n"), 400);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length: 5\r\n"
	    "Content-Length: 5\r\n\r\n"), 400);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length: "
	    "99999999999999999999999\r\n\r\n"), 413);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length: 4097\r\n\r\n"), 413);
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length: 4096\r\n\r\n"), 0);
	CHECK_EQ_INT(h.state, COMMS_HTTP_BODY);
	/* leading zeros are still decimal */
	CHECK_EQ_INT(status_of(GOOD_HEAD "Content-Length: 007\r\n\r\n"), 0);
	CHECK_EQ_INT(h.content_length, 7);
}

TEST(media_type)
{
	const char	*pre = "POST /callhome/1/upload HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 0\r\n";
	static const struct {
		const char	*ct;
		int		 status;
	} cases[] = {
		{ "", 415 },
		{ "Content-Type: text/xml\r\n", 415 },
		{ "Content-Type: application/soap+xmlx\r\n", 415 },
		{ "Content-Type: application/soap+xml; charset=latin1\r\n",
		    415 },
		{ "Content-Type: application/soap+xml; charset\r\n", 415 },
		{ "Content-Type: application/soap+xml;\r\n", 415 },
		{ "Content-Type: application/soap+xml\r\n", 0 },
		{ "Content-Type: Application/SOAP+XML;Charset=UTF-8\r\n", 0 },
		{ "Content-Type: application/soap+xml; charset=\"utf-8\"; "
		    "action=\"urn:callhome:protocol:1#Upload\"\r\n", 0 },
		{ "Content-Type: application/soap+xml; charset=utf-8\r\n"
		    "Content-Encoding: br\r\n", 415 },
		{ "Content-Type: application/soap+xml; charset=utf-8\r\n"
		    "Content-Encoding: gzip, gzip\r\n", 415 },
		{ "Content-Type: application/soap+xml; charset=utf-8\r\n"
		    "Content-Encoding: identity\r\n", 0 },
		{ "Content-Type: application/soap+xml; charset=utf-8\r\n"
		    "Content-Encoding: GZIP\r\n", 0 },
		{ "Content-Type: application/soap+xml; charset=utf-8\r\n"
		    "Expect: 200-ok\r\n", 417 },
		{ "Content-Type: application/soap+xml; charset=utf-8\r\n"
		    "X-Callhome-Document-Sha256: 12\r\n", 400 },
		{ "Content-Type: application/soap+xml; charset=utf-8\r\n"
		    "X-Callhome-Document-Sha256: zz23456789abcdef0123456789"
		    "abcdef0123456789abcdef0123456789abcdef\r\n", 400 },
	};
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		(void)snprintf(buf, sizeof(buf), "%s%s\r\n", pre,
		    cases[i].ct);
		if (status_of(buf) != cases[i].status)
			printf("# case %zu: %s -> %d\n", i, cases[i].ct,
			    h.status);
		CHECK_EQ_INT(status_of(buf), cases[i].status);
	}
}

TEST(token)
{
	const char	*pre = GOOD_HEAD "Content-Length: 0\r\n";

	(void)snprintf(buf, sizeof(buf), "%s\r\n", pre);
	CHECK_EQ_INT(status_tok(buf, "secret"), 401);
	CHECK(strstr(h.error, "required") != NULL);
	/* no token configured: an Authorization is ignored */
	(void)snprintf(buf, sizeof(buf), "%sAuthorization: Bearer x\r\n\r\n",
	    pre);
	CHECK_EQ_INT(status_tok(buf, NULL), 0);
	CHECK_EQ_INT(status_tok(buf, ""), 0);
	CHECK_EQ_INT(status_tok(buf, "secret"), 401);
	(void)snprintf(buf, sizeof(buf), "%sAuthorization: Bearer secret\r\n"
	    "\r\n", pre);
	CHECK_EQ_INT(status_tok(buf, "secret"), 0);
	CHECK_EQ_INT(h.state, COMMS_HTTP_DONE);
	(void)snprintf(buf, sizeof(buf), "%sAuthorization: bearer  secret \r\n"
	    "\r\n", pre);
	CHECK_EQ_INT(status_tok(buf, "secret"), 0);
	(void)snprintf(buf, sizeof(buf), "%sAuthorization: Bearer secrets\r\n"
	    "\r\n", pre);
	CHECK_EQ_INT(status_tok(buf, "secret"), 401);
	(void)snprintf(buf, sizeof(buf), "%sAuthorization: Bearer secre\r\n"
	    "\r\n", pre);
	CHECK_EQ_INT(status_tok(buf, "secret"), 401);
	(void)snprintf(buf, sizeof(buf), "%sAuthorization: Basic c2VjcmV0\r\n"
	    "\r\n", pre);
	CHECK_EQ_INT(status_tok(buf, "secret"), 401);
	/* the token is checked before the body is read */
	(void)snprintf(buf, sizeof(buf), GOOD_HEAD "Content-Length: 100\r\n"
	    "\r\n");
	CHECK_EQ_INT(status_tok(buf, "secret"), 401);
}

TEST(connection)
{
	const char	*pre = GOOD_HEAD "Content-Length: 0\r\n";
	static const char *const good[] = {
		"close", "Close", "keep-alive, close", "close,keep-alive",
		" close ", "TE,\tclose", "x-private , CLOSE",
	};
	static const char *const keep[] = {
		"keep-alive", "closed", "clos", "Upgrade", "x-close",
	};
	static const char *const bad[] = {
		"", ",", "close,", ",close", "close,,keep-alive", "close;",
		"close keep-alive", "\"close\"", "close/1",
	};
	size_t		 i;

	/* none: nothing asked */
	(void)snprintf(buf, sizeof(buf), "%s\r\n", pre);
	CHECK_EQ_INT(status_of(buf), 0);
	CHECK_EQ_INT(h.conn_close, 0);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		(void)snprintf(buf, sizeof(buf), "%sConnection: %s\r\n\r\n",
		    pre, good[i]);
		CHECK_EQ_INT(status_of(buf), 0);
		CHECK_EQ_INT(h.conn_close, 1);
	}
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		(void)snprintf(buf, sizeof(buf), "%sConnection: %s\r\n\r\n",
		    pre, keep[i]);
		CHECK_EQ_INT(status_of(buf), 0);
		CHECK_EQ_INT(h.conn_close, 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)snprintf(buf, sizeof(buf), "%sConnection: %s\r\n\r\n",
		    pre, bad[i]);
		CHECK_EQ_INT(status_of(buf), 400);
	}
	/* once only */
	(void)snprintf(buf, sizeof(buf), "%sConnection: close\r\n"
	    "Connection: close\r\n\r\n", pre);
	CHECK_EQ_INT(status_of(buf), 400);
}

/* the answer keeps the connection: its last field goes, nothing else */
TEST(keep)
{
	struct wbuf	 w, fake;
	const char	*s;

	wbuf_init(&w);
	comms_http_response(&w, 200, 0, COMMS_SOAP_CTYPE, "abc", 3);
	CHECK_EQ_INT(comms_http_keep(&w), 0);
	wbuf_u8(&w, '\0');
	s = (char *)w.data;
	CHECK(strstr(s, "Connection") == NULL);
	CHECK(strstr(s, "\r\nContent-Length: 3\r\n\r\nabc") != NULL);
	CHECK_EQ_INT((int)strlen(s), (int)w.len - 1);
	/* once only: there is none left */
	w.len--;
	CHECK_EQ_INT(comms_http_keep(&w), -1);
	/* a body that holds the field is not the head */
	wbuf_reset(&w);
	comms_http_response(&w, 200, 0, "text/plain",
	    "\r\nConnection: close\r\n\r\n", 23);
	CHECK_EQ_INT(comms_http_keep(&w), 0);
	CHECK_EQ_INT(comms_http_keep(&w), -1);
	wbuf_u8(&w, '\0');
	CHECK(strstr((char *)w.data, "\r\n\r\n\r\nConnection: close\r\n"
	    "\r\n") != NULL);
	/* a 503 keeps its Retry-After */
	wbuf_reset(&w);
	comms_http_fault(&w, 503, 0, "busy");
	CHECK_EQ_INT(comms_http_keep(&w), 0);
	wbuf_u8(&w, '\0');
	CHECK(strstr((char *)w.data, "\r\nRetry-After: 60\r\n") != NULL);
	/* no head end, or nothing: -1 */
	wbuf_init(&fake);
	CHECK_EQ_INT(comms_http_keep(&fake), -1);
	wbuf_bytes(&fake, "HTTP/1.1 200 OK\r\nConnection: close", 35);
	CHECK_EQ_INT(comms_http_keep(&fake), -1);
	wbuf_free(&fake);
	wbuf_free(&w);
}

TEST(fail_keeps_first_reason)
{
	comms_http_free(&h);
	comms_http_init(&h, MAXBODY, NULL);
	comms_http_fail(&h, 408, "first %d", 1);
	comms_http_fail(&h, 400, "second");
	CHECK_EQ_INT(h.status, 408);
	CHECK_STR(h.error, "first 1");
}

static struct xschema	*xs;

TEST(responses)
{
	struct wbuf	 w;
	xmlDocPtr	 d;
	xmlNodePtr	 p;
	char		 err[512], *s, *body;

	wbuf_init(&w);
	comms_http_response(&w, 200, 0, COMMS_SOAP_CTYPE, "abc", 3);
	wbuf_u8(&w, '\0');
	s = (char *)w.data;
	CHECK(strncmp(s, "HTTP/1.1 200 OK\r\n", 17) == 0);
	CHECK(strstr(s, "\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n") != NULL);
	CHECK(strstr(s, "\r\nContent-Type: application/soap+xml; "
	    "charset=utf-8\r\n") != NULL);
	CHECK(strstr(s, "\r\nContent-Length: 3\r\n") != NULL);
	CHECK(strstr(s, "\r\nConnection: close\r\n\r\nabc") != NULL);
	CHECK(strstr(s, "WWW-Authenticate") == NULL);

	wbuf_reset(&w);
	comms_http_fault(&w, 401, 0, "wrong bearer token");
	wbuf_u8(&w, '\0');
	s = (char *)w.data;
	CHECK(strncmp(s, "HTTP/1.1 401 Unauthorized\r\n", 27) == 0);
	CHECK(strstr(s, "\r\nWWW-Authenticate: Bearer") != NULL);
	wbuf_reset(&w);
	comms_http_fault(&w, 405, 0, "no");
	wbuf_u8(&w, '\0');
	CHECK(strstr((char *)w.data, "\r\nAllow: POST\r\n") != NULL);
	CHECK(strstr((char *)w.data, "Retry-After") == NULL);
	/* busy: when to come back */
	wbuf_reset(&w);
	comms_http_fault(&w, 503, 0, "busy");
	wbuf_u8(&w, '\0');
	CHECK(strncmp((char *)w.data, "HTTP/1.1 503 Service Unavailable\r\n",
	    34) == 0);
	CHECK(strstr((char *)w.data, "\r\nRetry-After: 60\r\n") != NULL);
	CHECK(strstr((char *)w.data, "env:Receiver") != NULL);

	/* the Fault parses as one, with the reason escaped and intact */
	wbuf_reset(&w);
	comms_http_fault(&w, 400, 0, "bad <thing> & \"more\"\001\n\303\251");
	wbuf_u8(&w, '\0');
	body = strstr((char *)w.data, "\r\n\r\n") + 4;
	CHECK(strstr(body, "env:Sender") != NULL);
	d = soap_parse(xs, body, strlen(body), 1 << 20, "Receipt", &p, err,
	    sizeof(err));
	CHECK(d == NULL);
	CHECK_STR(err, "SOAP Fault: bad <thing> & \"more\" ??");
	wbuf_reset(&w);
	comms_fault_xml(&w, 500, "");
	wbuf_u8(&w, '\0');
	CHECK(strstr((char *)w.data, "env:Receiver") != NULL);
	CHECK(strstr((char *)w.data, "Internal Server Error") != NULL);
	wbuf_free(&w);
	CHECK_STR(comms_http_reason(413), "Content Too Large");
	CHECK_STR(comms_http_reason(431), "Request Header Fields Too Large");
}

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

TEST_MAIN_BEGIN("test_commsd_http")
	char	 err[256], *xsd;
	size_t	 len;

	log_init("test_commsd_http", LOG_TO_STDERR, 0);
	xmlsafe_init();
	if ((xsd = slurp("etc/callhome.xsd", &len)) == NULL ||
	    (xs = xschema_load(xsd, len, err, sizeof(err))) == NULL) {
		printf("not ok test_commsd_http schema\n");
		return 1;
	}
	free(xsd);
	comms_http_init(&h, MAXBODY, NULL);
	RUN(valid_at_once);
	RUN(valid_byte_by_byte);
	RUN(pieces_and_extra_bytes);
	RUN(first_error_wins);
	RUN(empty_body);
	RUN(line_endings);
	RUN(bare_line_ends_at_once);
	RUN(request_line);
	RUN(header_bounds);
	RUN(field_syntax);
	RUN(host);
	RUN(path_and_method);
	RUN(content_length);
	RUN(media_type);
	RUN(token);
	RUN(connection);
	RUN(keep);
	RUN(fail_keeps_first_reason);
	RUN(responses);
	comms_http_free(&h);
	xschema_free(xs);
TEST_MAIN_END
