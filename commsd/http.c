/*
 * The HTTP/1.1 request parser and the responses of commsd: see http.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "buf.h"
#include "chan/pkg.h"
#include "commsd.h"
#include "http.h"
#include "log.h"
#include "xmlsafe.h"

/* the fields commsd reads: each may appear once */
#define F_HOST		0x001
#define F_CLEN		0x002
#define F_TE		0x004
#define F_CTYPE		0x008
#define F_CENC		0x010
#define F_AUTH		0x020
#define F_SHA256	0x040
#define F_EXPECT	0x080
#define F_UA		0x100
#define F_CONN		0x200

static const struct {
	const char	*name;
	int		 flag;
} fields[] = {
	{ "Host",			F_HOST },
	{ "Content-Length",		F_CLEN },
	{ "Transfer-Encoding",		F_TE },
	{ "Content-Type",		F_CTYPE },
	{ "Content-Encoding",		F_CENC },
	{ "Authorization",		F_AUTH },
	{ "X-Callhome-Document-Sha256",	F_SHA256 },
	{ "Expect",			F_EXPECT },
	{ "User-Agent",			F_UA },
	{ "Connection",			F_CONN },
};

/* what the head said, for the checks made once it is complete */
struct head {
	int		 seen;		/* F_* */
	const char	*host;
	const char	*ctype;
	const char	*cenc;
	const char	*auth;
	const char	*expect;
};

void
comms_http_init(struct comms_http *h, size_t max_body, const char *token)
{
	memset(h, 0, sizeof(*h));
	h->max_body = max_body;
	h->token = token;
	h->content_length = -1;
	h->state = COMMS_HTTP_HEAD;
}

void
comms_http_free(struct comms_http *h)
{
	free(h->body);
	h->body = NULL;
	h->bodylen = 0;
	explicit_bzero(h->head, sizeof(h->head));	/* the token */
}

void
comms_http_fail(struct comms_http *h, int status, const char *fmt, ...)
{
	va_list	 ap;

	if (h->state == COMMS_HTTP_FAIL)
		return;			/* the first reason stands */
	h->state = COMMS_HTTP_FAIL;
	h->status = status;
	va_start(ap, fmt);
	(void)vsnprintf(h->error, sizeof(h->error), fmt, ap);
	va_end(ap);
}

/* RFC 7230 tchar */
static int
is_tchar(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
is_token(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (!is_tchar((unsigned char)s[i]))
			return 0;
	return 1;
}

/* field-value characters: HTAB, SP, VCHAR and obs-text */
static int
is_value_char(int c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* constant time: both are hashed, and the digests compared */
static int
token_equal(const char *a, size_t alen, const char *b)
{
	unsigned char	 da[32], db[32];
	unsigned int	 la, lb;
	int		 ok;

	if (EVP_Digest(a, alen, da, &la, EVP_sha256(), NULL) != 1 ||
	    EVP_Digest(b, strlen(b), db, &lb, EVP_sha256(), NULL) != 1 ||
	    la != sizeof(da) || lb != sizeof(db))
		fatalx("SHA-256 failed");
	ok = CRYPTO_memcmp(da, db, sizeof(da)) == 0;
	explicit_bzero(da, sizeof(da));
	explicit_bzero(db, sizeof(db));
	return ok;
}

/* "application/soap+xml" with an optional charset=utf-8 */
static int
ctype_ok(const char *v)
{
	static const char	 type[] = "application/soap+xml";
	const char		*p, *n, *val;
	size_t			 nlen, vlen;
	int			 quoted;

	if (strncasecmp(v, type, sizeof(type) - 1) != 0)
		return 0;
	p = v + sizeof(type) - 1;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			return 1;
		if (*p++ != ';')
			return 0;
		while (*p == ' ' || *p == '\t')
			p++;
		for (n = p; is_tchar((unsigned char)*p); p++)
			;
		nlen = p - n;
		if (nlen == 0 || *p++ != '=')
			return 0;
		quoted = *p == '"';
		if (quoted) {
			for (val = ++p; *p != '"'; p++)
				if (*p == '\0' || *p == '\\')
					return 0;
			vlen = p++ - val;
		} else {
			for (val = p; is_tchar((unsigned char)*p); p++)
				;
			if ((vlen = p - val) == 0)
				return 0;
		}
		if (nlen == 7 && strncasecmp(n, "charset", 7) == 0 &&
		    !(vlen == 5 && strncasecmp(val, "utf-8", 5) == 0))
			return 0;
	}
}

/*
 * Connection (RFC 9110, 7.6.1): a list of tokens, separated by commas
 * and optional white space; "close" asks for the connection to be
 * closed after the answer, the others are taken and ignored.
 */
static int
conn_options(struct comms_http *h, const char *v)
{
	const char	*t;
	size_t		 len;

	for (;;) {
		while (*v == ' ' || *v == '\t')
			v++;
		for (t = v; is_tchar((unsigned char)*v); v++)
			;
		len = (size_t)(v - t);
		if (len == 0) {
			comms_http_fail(h, 400, "malformed Connection");
			return -1;
		}
		if (len == 5 && strncasecmp(t, "close", 5) == 0)
			h->conn_close = 1;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v == '\0')
			return 0;
		if (*v++ != ',') {
			comms_http_fail(h, 400, "malformed Connection");
			return -1;
		}
	}
}

/* one field line, NUL-terminated, CRLF removed */
static int
parse_field(struct comms_http *h, struct head *hd, char *line)
{
	char		*colon, *v, *e;
	size_t		 i, nlen;
	int		 flag = 0, d;
	unsigned long long n;

	if (line[0] == ' ' || line[0] == '\t') {
		comms_http_fail(h, 400, "obsolete line folding in the header");
		return -1;
	}
	if (++h->nfields > COMMS_HTTP_FIELDS_MAX) {
		comms_http_fail(h, 431, "more than %d header fields",
		    COMMS_HTTP_FIELDS_MAX);
		return -1;
	}
	if ((colon = strchr(line, ':')) == NULL) {
		comms_http_fail(h, 400, "a header line without a colon");
		return -1;
	}
	nlen = colon - line;
	if (!is_token(line, nlen)) {
		comms_http_fail(h, 400, "invalid header field name");
		return -1;
	}
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (e = v; *e != '\0'; e++)
		if (!is_value_char((unsigned char)*e)) {
			comms_http_fail(h, 400, "control character in header "
			    "field %.*s", (int)nlen, line);
			return -1;
		}
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*e = '\0';

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strlen(fields[i].name) == nlen &&
		    strncasecmp(line, fields[i].name, nlen) == 0)
			flag = fields[i].flag;
	if (flag == 0)
		return 0;		/* not ours: ignored */
	if (hd->seen & flag) {
		comms_http_fail(h, 400, "repeated header field %.*s",
		    (int)nlen, line);
		return -1;
	}
	hd->seen |= flag;

	switch (flag) {
	case F_HOST:
		hd->host = v;
		break;
	case F_CLEN:
		n = 0;
		for (e = v; *e >= '0' && *e <= '9'; e++) {
			if (n > (unsigned long long)(INT64_MAX - (*e - '0')) /
			    10) {
				comms_http_fail(h, 413, "Content-Length %.32s "
				    "is too large", v);
				return -1;
			}
			n = n * 10 + (*e - '0');
		}
		if (e == v || *e != '\0') {
			comms_http_fail(h, 400, "invalid Content-Length");
			return -1;
		}
		h->content_length = (int64_t)n;
		break;
	case F_TE:
		break;
	case F_CTYPE:
		hd->ctype = v;
		break;
	case F_CENC:
		hd->cenc = v;
		break;
	case F_AUTH:
		hd->auth = v;
		break;
	case F_SHA256:
		if (strlen(v) != 64) {
			comms_http_fail(h, 400, "X-Callhome-Document-Sha256 "
			    "is not 64 hex digits");
			return -1;
		}
		for (i = 0; i < 64; i++) {
			if ((d = hexval((unsigned char)v[i])) == -1) {
				comms_http_fail(h, 400, "X-Callhome-Document-"
				    "Sha256 is not 64 hex digits");
				return -1;
			}
			h->sha256[i] = "0123456789abcdef"[d];
		}
		h->sha256[64] = '\0';
		h->have_sha256 = 1;
		break;
	case F_EXPECT:
		hd->expect = v;
		break;
	case F_CONN:
		if (conn_options(h, v) == -1)
			return -1;
		break;
	case F_UA:
		for (i = 0; v[i] != '\0' && i < sizeof(h->user_agent) - 1;
		    i++)
			h->user_agent[i] = (v[i] >= 0x20 && v[i] < 0x7f) ?
			    v[i] : '?';
		h->user_agent[i] = '\0';
		break;
	}
	return 0;
}

static int
parse_request_line(struct comms_http *h, char *line)
{
	char	*sp1, *sp2, *ver;
	size_t	 len;

	if ((sp1 = strchr(line, ' ')) == NULL ||
	    (sp2 = strchr(sp1 + 1, ' ')) == NULL ||
	    strchr(sp2 + 1, ' ') != NULL) {
		comms_http_fail(h, 400, "malformed request line");
		return -1;
	}
	len = sp1 - line;
	if (!is_token(line, len) || len >= sizeof(h->method)) {
		comms_http_fail(h, 400, "malformed request method");
		return -1;
	}
	memcpy(h->method, line, len);
	h->method[len] = '\0';
	len = sp2 - (sp1 + 1);
	if (len == 0) {
		comms_http_fail(h, 400, "empty request target");
		return -1;
	}
	for (line = sp1 + 1; line < sp2; line++)
		if (*line < 0x21 || *line > 0x7e) {
			comms_http_fail(h, 400, "invalid character in the "
			    "request target");
			return -1;
		}
	memcpy(h->target, sp1 + 1, len);
	h->target[len] = '\0';
	ver = sp2 + 1;
	if (strncmp(ver, "HTTP/", 5) != 0 || ver[5] < '0' || ver[5] > '9' ||
	    ver[6] != '.' || ver[7] < '0' || ver[7] > '9' || ver[8] != '\0') {
		comms_http_fail(h, 400, "malformed HTTP version");
		return -1;
	}
	if (strcmp(ver, "HTTP/1.1") != 0) {
		comms_http_fail(h, 505, "only HTTP/1.1 is supported");
		return -1;
	}
	return 0;
}

/*
 * A package's file name: NAME-VERSION or NAME-VERSION.sig, NAME a valid
 * package name, VERSION 1 to 2^63-1 without leading zeros.  So the name
 * can name nothing but a file of the packages directory.
 */
static int
package_file(const char *s)
{
	const char	*dash, *v, *end;
	char		 name[BUNDLE_NAME_MAX + 1];
	size_t		 len = strlen(s), n;

	if (len >= COMMS_FILE_MAX)
		return 0;
	end = s + len;
	if (len > 4 && strcmp(end - 4, ".sig") == 0)
		end -= 4;
	for (dash = end; dash > s && dash[-1] != '-'; dash--)
		;
	if (dash == s || (n = (size_t)(dash - 1 - s)) > BUNDLE_NAME_MAX)
		return 0;
	memcpy(name, s, n);
	name[n] = '\0';
	if (!pkg_name_valid(name) || dash == end || *dash == '0' ||
	    end - dash > 19)
		return 0;
	for (v = dash; v < end; v++)
		if (*v < '0' || *v > '9')
			return 0;
	/* 19 digits may still be above 2^63-1 */
	return end - dash < 19 || strncmp(dash, "9223372036854775807",
	    19) <= 0;
}

/* the target and method: which of the three requests this is */
static int
check_route(struct comms_http *h)
{
	const char	*want = "POST";
	size_t		 pl = strlen(COMMS_PACKAGE_PATH);

	if (strcmp(h->target, COMMS_UPLOAD_PATH) == 0)
		h->route = COMMS_ROUTE_UPLOAD;
	else if (strcmp(h->target, COMMS_CHECKIN_PATH) == 0)
		h->route = COMMS_ROUTE_CHECKIN;
	else if (strncmp(h->target, COMMS_PACKAGE_PATH, pl) == 0 &&
	    package_file(h->target + pl)) {
		h->route = COMMS_ROUTE_PACKAGE;
		(void)strlcpy(h->file, h->target + pl, sizeof(h->file));
		want = "GET";
	} else {
		comms_http_fail(h, 404, "no such resource (POST %s or %s, "
		    "GET %sNAME-VERSION[.sig])", COMMS_UPLOAD_PATH,
		    COMMS_CHECKIN_PATH, COMMS_PACKAGE_PATH);
		return -1;
	}
	if (strcmp(h->method, want) != 0) {
		comms_http_fail(h, 405, "method %s not allowed (only %s)",
		    h->method, want);
		return -1;
	}
	return 0;
}

/* the checks that need the whole head, in the order of the answers */
static int
check_head(struct comms_http *h, struct head *hd)
{
	const char	*p;

	if (!(hd->seen & F_HOST) || hd->host[0] == '\0') {
		comms_http_fail(h, 400, "no Host header field");
		return -1;
	}
	if (check_route(h) == -1)
		return -1;
	if (h->token != NULL && h->token[0] != '\0') {
		if (hd->auth == NULL) {
			comms_http_fail(h, 401, "a bearer token is required");
			return -1;
		}
		if (strncasecmp(hd->auth, "Bearer ", 7) != 0) {
			comms_http_fail(h, 401, "the Authorization is not a "
			    "bearer token");
			return -1;
		}
		for (p = hd->auth + 7; *p == ' '; p++)
			;
		if (!token_equal(p, strlen(p), h->token)) {
			comms_http_fail(h, 401, "wrong bearer token");
			return -1;
		}
	}
	if (hd->seen & F_TE) {
		if (hd->seen & F_CLEN)
			comms_http_fail(h, 400, "both Transfer-Encoding and "
			    "Content-Length");
		else
			comms_http_fail(h, 411, "Transfer-Encoding is not "
			    "supported: send Content-Length");
		return -1;
	}
	if (h->route == COMMS_ROUTE_PACKAGE) {
		/* a GET has no body and no type */
		if ((hd->seen & F_CLEN) && h->content_length != 0) {
			comms_http_fail(h, 400, "a GET with a body");
			return -1;
		}
		h->content_length = 0;
		return 0;
	}
	if (!(hd->seen & F_CLEN)) {
		comms_http_fail(h, 411, "Content-Length is required");
		return -1;
	}
	if ((uint64_t)h->content_length > h->max_body) {
		comms_http_fail(h, 413, "body of %lld bytes is larger than "
		    "the limit of %zu", (long long)h->content_length,
		    h->max_body);
		return -1;
	}
	if (hd->expect != NULL) {
		if (strcasecmp(hd->expect, "100-continue") != 0) {
			comms_http_fail(h, 417, "unsupported expectation");
			return -1;
		}
		h->expect_continue = 1;
	}
	if (hd->ctype == NULL || !ctype_ok(hd->ctype)) {
		comms_http_fail(h, 415, "Content-Type must be %s",
		    COMMS_SOAP_CTYPE);
		return -1;
	}
	if (hd->cenc != NULL) {
		if (strcasecmp(hd->cenc, "gzip") == 0 ||
		    strcasecmp(hd->cenc, "x-gzip") == 0)
			h->gzip = 1;
		else if (strcasecmp(hd->cenc, "identity") != 0) {
			comms_http_fail(h, 415, "Content-Encoding must be "
			    "gzip or identity");
			return -1;
		}
	}
	return 0;
}

/* head[0..headlen) ends with the empty line */
static int
parse_head(struct comms_http *h, size_t line_end)
{
	struct head	 hd;
	char		*line, *crlf, *end;

	memset(&hd, 0, sizeof(hd));
	/* first, as when the head arrives in pieces (comms_http_feed) */
	if (h->headlen - line_end - 2 - 2 > COMMS_HTTP_HEADERS_MAX) {
		comms_http_fail(h, 431, "header fields larger than %d bytes",
		    COMMS_HTTP_HEADERS_MAX);
		return -1;
	}
	if (memchr(h->head, '\0', h->headlen) != NULL) {
		comms_http_fail(h, 400, "NUL byte in the request head");
		return -1;
	}
	if (line_end == 0) {
		comms_http_fail(h, 400, "empty request line");
		return -1;
	}
	end = h->head + h->headlen - 2;	/* the last CRLF */
	for (line = h->head; line < end; line = crlf + 2) {
		/* found: the head ends with CRLF CRLF */
		crlf = memmem(line, end + 2 - line, "\r\n", 2);
		*crlf = '\0';
		if (strchr(line, '\r') != NULL || strchr(line, '\n') != NULL) {
			comms_http_fail(h, 400, "bare CR or LF in the request "
			    "head");
			return -1;
		}
		if (line == h->head) {
			if (parse_request_line(h, line) == -1)
				return -1;
		} else if (parse_field(h, &hd, line) == -1)
			return -1;
	}
	return check_head(h, &hd);
}

/*
 * A CR not followed by LF, or an LF not after a CR, in head[from, to):
 * refused at once, rather than waiting for a CRLF CRLF that will not
 * come.  A CR at the very end waits for the next byte.
 */
static int
bare_line_end(const char *head, size_t from, size_t to)
{
	size_t	 i;

	for (i = from; i < to; i++) {
		if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r'))
			return 1;
		if (head[i] == '\r' && i + 1 < to && head[i + 1] != '\n')
			return 1;
	}
	return 0;
}

/*
 * How much of the head is judged for bare line ends: up to its end, but
 * not past the octet at which a request line or header fields too long
 * are found, so that the error is the same whether the head comes in one
 * piece or in many (the first error in the octets wins).
 */
static size_t
judged(const struct comms_http *h, const char *crlf, const char *end)
{
	size_t	 lim, over;

	lim = end != NULL ? (size_t)(end + 4 - h->head) : h->headlen;
	if (crlf == NULL || crlf - h->head > COMMS_HTTP_LINE_MAX)
		over = COMMS_HTTP_LINE_MAX + 2;
	else
		over = (size_t)(crlf - h->head) + 2 +
		    COMMS_HTTP_HEADERS_MAX + 2;
	return lim < over ? lim : over;
}

enum comms_http_state
comms_http_feed(struct comms_http *h, const void *data, size_t len,
    size_t *used)
{
	const uint8_t	*p = data;
	const char	*crlf, *end;
	size_t		 take, from, line_end, n, before;

	*used = 0;
	if (h->state == COMMS_HTTP_HEAD && len > 0) {
		take = COMMS_HTTP_HEAD_MAX - h->headlen;
		if (take > len)
			take = len;
		from = h->headlen > 3 ? h->headlen - 3 : 0;
		before = h->headlen;
		memcpy(h->head + h->headlen, p, take);
		h->headlen += take;
		h->received += take;
		/* the line ends, up to the head's end (the body may follow) */
		end = memmem(h->head + from, h->headlen - from, "\r\n\r\n",
		    4);
		crlf = memmem(h->head, h->headlen, "\r\n", 2);
		if (bare_line_end(h->head, before > 0 ? before - 1 : 0,
		    judged(h, crlf, end))) {
			*used = take;
			comms_http_fail(h, 400, "bare CR or LF in the request "
			    "head: lines end with CRLF");
			return h->state;
		}
		if (crlf == NULL || crlf - h->head > COMMS_HTTP_LINE_MAX) {
			*used = take;
			if (crlf != NULL ||
			    h->headlen >= COMMS_HTTP_LINE_MAX + 2)
				comms_http_fail(h, 414, "request line longer "
				    "than %d bytes", COMMS_HTTP_LINE_MAX);
			return h->state;
		}
		line_end = crlf - h->head;
		/* the head's end: CRLF CRLF, or the request line's CRLF */
		if (end == NULL) {
			*used = take;
			if (h->headlen - line_end - 2 >=
			    COMMS_HTTP_HEADERS_MAX + 2)
				comms_http_fail(h, 431, "header fields larger "
				    "than %d bytes", COMMS_HTTP_HEADERS_MAX);
			return h->state;
		}
		n = (end + 4) - h->head;	/* the head's length */
		*used = take - (h->headlen - n);
		h->received -= h->headlen - n;
		h->headlen = n;
		if (parse_head(h, line_end) == -1)
			return h->state;
		if (h->content_length == 0) {
			h->state = COMMS_HTTP_DONE;
			return h->state;
		}
		if ((h->body = malloc((size_t)h->content_length)) == NULL) {
			comms_http_fail(h, 500, "out of memory");
			return h->state;
		}
		h->state = COMMS_HTTP_BODY;
		p += *used;
		len -= *used;
	}
	if (h->state == COMMS_HTTP_BODY && len > 0) {
		take = (size_t)h->content_length - h->bodylen;
		if (take > len)
			take = len;
		memcpy(h->body + h->bodylen, p, take);
		h->bodylen += take;
		h->received += take;
		*used += take;
		if (h->bodylen == (size_t)h->content_length)
			h->state = COMMS_HTTP_DONE;
	}
	return h->state;
}

/*
 * Responses.
 */

const char *
comms_http_reason(int status)
{
	switch (status) {
	case 100:	return "Continue";
	case 200:	return "OK";
	case 400:	return "Bad Request";
	case 401:	return "Unauthorized";
	case 404:	return "Not Found";
	case 405:	return "Method Not Allowed";
	case 408:	return "Request Timeout";
	case 411:	return "Length Required";
	case 413:	return "Content Too Large";
	case 414:	return "URI Too Long";
	case 415:	return "Unsupported Media Type";
	case 417:	return "Expectation Failed";
	case 431:	return "Request Header Fields Too Large";
	case 500:	return "Internal Server Error";
	case 503:	return "Service Unavailable";
	case 505:	return "HTTP Version Not Supported";
	default:	return "Error";
	}
}

static void
wbuf_printf(struct wbuf *w, const char *fmt, ...)
    __attribute__((__format__(printf, 2, 3)));

static void
wbuf_printf(struct wbuf *w, const char *fmt, ...)
{
	char	 buf[512];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		fatalx("%s: line too long", __func__);
	wbuf_bytes(w, buf, (size_t)n);
}

void
comms_http_response(struct wbuf *w, int status, time_t now,
    const char *ctype, const void *body, size_t len)
{
	struct tm	 tm;
	char		 date[64];

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT",
	    &tm) == 0)
		(void)strlcpy(date, "Thu, 01 Jan 1970 00:00:00 GMT",
		    sizeof(date));
	wbuf_printf(w, "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: commsd\r\n",
	    status, comms_http_reason(status), date);
	if (status == 401)
		wbuf_printf(w, "WWW-Authenticate: Bearer "
		    "realm=\"callhome\"\r\n");
	if (status == 405)
		wbuf_printf(w, "Allow: POST\r\n");
	if (status == 503)
		wbuf_printf(w, "Retry-After: %d\r\n", COMMS_RETRY_AFTER);
	if (ctype != NULL)
		wbuf_printf(w, "Content-Type: %s\r\n", ctype);
	wbuf_printf(w, "Content-Length: %zu\r\n" COMMS_HTTP_CLOSE "\r\n",
	    len);
	if (len > 0)
		wbuf_bytes(w, body, len);
}

int
comms_http_keep(struct wbuf *w)
{
	static const char	 line[] = COMMS_HTTP_CLOSE "\r\n";
	const size_t		 ll = sizeof(line) - 1;
	size_t			 i;

	/* the last field of the head: the line before the empty line */
	for (i = 0; i + ll <= w->len; i++) {
		if (i >= 2 && memcmp(w->data + i - 2, "\r\n", 2) == 0 &&
		    memcmp(w->data + i, line, ll) == 0) {
			memmove(w->data + i, w->data + i + ll - 2,
			    w->len - i - ll + 2);
			w->len -= ll - 2;
			return 0;
		}
		if (i + 4 <= w->len && memcmp(w->data + i, "\r\n\r\n", 4) ==
		    0)
			break;
	}
	return -1;
}

/* text with &, <, >, " escaped and control characters dropped */
static void
xml_escape(struct wbuf *w, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			wbuf_bytes(w, "&amp;", 5);
			break;
		case '<':
			wbuf_bytes(w, "&lt;", 4);
			break;
		case '>':
			wbuf_bytes(w, "&gt;", 4);
			break;
		case '"':
			wbuf_bytes(w, "&quot;", 6);
			break;
		default:
			/* ASCII only: a reason may quote broken input */
			if ((unsigned char)*s >= 0x80)
				wbuf_u8(w, '?');
			else if ((unsigned char)*s >= 0x20 && *s != 0x7f)
				wbuf_u8(w, (uint8_t)*s);
			else if (*s == '\t' || *s == '\n')
				wbuf_u8(w, ' ');
			break;
		}
	}
}

void
comms_fault_xml(struct wbuf *w, int status, const char *reason)
{
	static const char	 head[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<env:Envelope xmlns:env=\"" SOAP_NS "\"><env:Body><env:Fault>"
	    "<env:Code><env:Value>";
	static const char	 mid[] =
	    "</env:Value></env:Code><env:Reason><env:Text xml:lang=\"en\">";
	static const char	 tail[] =
	    "</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>\n";
	const char		*code;

	code = status >= 500 ? "env:Receiver" : "env:Sender";
	wbuf_bytes(w, head, sizeof(head) - 1);
	wbuf_bytes(w, code, strlen(code));
	wbuf_bytes(w, mid, sizeof(mid) - 1);
	xml_escape(w, reason != NULL && reason[0] != '\0' ? reason :
	    comms_http_reason(status));
	wbuf_bytes(w, tail, sizeof(tail) - 1);
}

void
comms_http_fault(struct wbuf *w, int status, time_t now, const char *reason)
{
	struct wbuf	 body;

	wbuf_init(&body);
	comms_fault_xml(&body, status, reason);
	comms_http_response(w, status, now, COMMS_SOAP_CTYPE, body.data,
	    body.len);
	wbuf_free(&body);
}
