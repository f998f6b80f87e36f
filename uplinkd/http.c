/*
 * HTTP/1.1 responses, strictly: see http.h.
 */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http.h"

/* RFC 7230 tchar */
static int
is_tchar(uint8_t c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return strchr("!#$%&'*+-.^_`|~", c) != NULL && c != '\0';
}

/* the next CRLF-terminated line of buf[*off..len), or -1 if incomplete */
static int
next_line(const uint8_t *buf, size_t len, size_t *off, const uint8_t **line,
    size_t *linelen)
{
	const uint8_t	*p = buf + *off, *nl;

	nl = memchr(p, '\n', len - *off);
	if (nl == NULL)
		return -1;
	if (nl == p || nl[-1] != '\r')
		return -2;		/* a bare LF */
	*line = p;
	*linelen = (size_t)(nl - p) - 1;
	*off = (size_t)(nl - buf) + 1;
	return 0;
}

static int
parse_status(const uint8_t *l, size_t n, struct http_response *r,
    const char **err)
{
	size_t	 i, rl;

	/* HTTP/1.x SP DIGIT DIGIT DIGIT SP reason */
	if (n < 12 || memcmp(l, "HTTP/1.", 7) != 0 ||
	    (l[7] != '0' && l[7] != '1') || l[8] != ' ') {
		*err = "bad status line";
		return -1;
	}
	for (i = 9; i < 12; i++)
		if (l[i] < '0' || l[i] > '9') {
			*err = "bad status code";
			return -1;
		}
	r->close = l[7] == '0';		/* HTTP/1.0: no keep-alive */
	r->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	if (r->status < 200 || r->status > 599) {
		*err = "status code out of range";
		return -1;
	}
	if (n > 12 && l[12] != ' ') {
		*err = "bad status line";
		return -1;
	}
	rl = n > 13 ? n - 13 : 0;
	if (rl >= sizeof(r->reason))
		rl = sizeof(r->reason) - 1;
	for (i = 0; i < rl; i++) {
		uint8_t	 c = l[13 + i];

		r->reason[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	r->reason[rl] = '\0';
	return 0;
}

static int
parse_length(const uint8_t *v, size_t n, int64_t *out)
{
	int64_t	 x = 0;
	size_t	 i;

	if (n == 0 || n > 10)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	*out = x;
	return 0;
}

static int
field_is(const uint8_t *name, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp((const char *)name, want, n)
	    == 0;
}

/* "close" among the tokens of a Connection field */
static int
has_close(const uint8_t *v, size_t vl)
{
	size_t	 i = 0, s;

	while (i < vl) {
		while (i < vl && (v[i] == ',' || v[i] == ' ' || v[i] == '\t'))
			i++;
		for (s = i; i < vl && v[i] != ',' && v[i] != ' ' &&
		    v[i] != '\t'; i++)
			;
		if (i - s == 5 && strncasecmp((const char *)v + s, "close",
		    5) == 0)
			return 1;
	}
	return 0;
}

static int
parse_field(const uint8_t *l, size_t n, struct http_response *r,
    const char **err)
{
	const uint8_t	*colon, *v;
	size_t		 nl, vl, i;

	if (n == 0 || l[0] == ' ' || l[0] == '\t') {
		*err = "obsolete line folding";
		return -1;
	}
	if ((colon = memchr(l, ':', n)) == NULL || colon == l) {
		*err = "header without a name";
		return -1;
	}
	nl = (size_t)(colon - l);
	for (i = 0; i < nl; i++)
		if (!is_tchar(l[i])) {
			*err = "bad header name";
			return -1;
		}
	v = colon + 1;
	vl = n - nl - 1;
	while (vl > 0 && (*v == ' ' || *v == '\t'))
		v++, vl--;
	while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
		vl--;
	for (i = 0; i < vl; i++)
		if ((v[i] < 0x20 && v[i] != '\t') || v[i] == 0x7f) {
			*err = "control character in a header";
			return -1;
		}
	if (field_is(l, nl, "Content-Length")) {
		if (r->content_length != -1) {
			*err = "more than one Content-Length";
			return -1;
		}
		if (parse_length(v, vl, &r->content_length) == -1) {
			*err = "bad Content-Length";
			return -1;
		}
	} else if (field_is(l, nl, "Transfer-Encoding")) {
		if (r->chunked || vl != 7 ||
		    strncasecmp((const char *)v, "chunked", 7) != 0) {
			*err = "unsupported Transfer-Encoding";
			return -1;
		}
		r->chunked = 1;
	} else if (field_is(l, nl, "Content-Encoding")) {
		if (vl != 8 || strncasecmp((const char *)v, "identity", 8) != 0) {
			*err = "unsupported Content-Encoding";
			return -1;
		}
	} else if (field_is(l, nl, "Content-Type")) {
		if (vl >= sizeof(r->content_type))
			vl = sizeof(r->content_type) - 1;
		memcpy(r->content_type, v, vl);
		r->content_type[vl] = '\0';
	} else if (field_is(l, nl, "Connection")) {
		if (has_close(v, vl))
			r->close = 1;
	} else if (field_is(l, nl, "Retry-After") &&
	    r->retry_after[0] == '\0') {
		/* too long to be valid: "-", which is not either */
		if (vl == 0 || vl >= sizeof(r->retry_after))
			(void)strlcpy(r->retry_after, "-",
			    sizeof(r->retry_after));
		else {
			memcpy(r->retry_after, v, vl);
			r->retry_after[vl] = '\0';
		}
	}
	return 0;
}

/* n digits at s, as a number; -1 if not all digits */
static int
digits(const char *s, size_t n)
{
	int	 v = 0;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" exactly: unix time, or -1 */
static time_t
imf_fixdate(const char *s)
{
	static const char	 days[] = "MonTueWedThuFriSatSun";
	static const char	 months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm		 tm, back;
	const char		*m;
	time_t			 t;
	int			 i;

	if (strlen(s) != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' ||
	    s[11] != ' ' || s[16] != ' ' || s[19] != ':' || s[22] != ':' ||
	    s[25] != ' ' || strcmp(s + 26, "GMT") != 0)
		return -1;
	for (i = 0; i < 7; i++)
		if (memcmp(s, days + 3 * i, 3) == 0)
			break;
	if (i == 7)
		return -1;
	memset(&tm, 0, sizeof(tm));
	for (m = months; *m != '\0'; m += 3)
		if (memcmp(s + 8, m, 3) == 0)
			break;
	if (*m == '\0')
		return -1;
	tm.tm_mon = (int)(m - months) / 3;
	tm.tm_mday = digits(s + 5, 2);
	tm.tm_year = digits(s + 12, 4) - 1900;
	tm.tm_hour = digits(s + 17, 2);
	tm.tm_min = digits(s + 20, 2);
	tm.tm_sec = digits(s + 23, 2);
	if (tm.tm_mday < 1 || tm.tm_year < 70 || tm.tm_hour < 0 ||
	    tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 ||
	    tm.tm_sec < 0 || tm.tm_sec > 60)
		return -1;
	back = tm;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	/* no 31 Feb: timegm would have moved it to March */
	if (tm.tm_mday != back.tm_mday || tm.tm_mon != back.tm_mon)
		return -1;
	return t;
}

int64_t
http_retry_after(const char *v, time_t now)
{
	int64_t	 n = 0;
	time_t	 t;
	size_t	 i, len = strlen(v);

	if (len == 0)
		return -1;
	if (v[0] >= '0' && v[0] <= '9') {
		for (i = 0; i < len; i++) {
			if (v[i] < '0' || v[i] > '9')
				return -1;
			if (n <= HTTP_RETRY_AFTER_MAX)
				n = n * 10 + (v[i] - '0');
		}
		return n > HTTP_RETRY_AFTER_MAX ? HTTP_RETRY_AFTER_MAX : n;
	}
	if ((t = imf_fixdate(v)) == (time_t)-1)
		return -1;
	if (t <= now)
		return 0;
	return t - now > HTTP_RETRY_AFTER_MAX ? HTTP_RETRY_AFTER_MAX :
	    (int64_t)(t - now);
}

/* the chunked body at buf[off..len) into r->body */
static enum http_result
dechunk(const uint8_t *buf, size_t len, size_t off, struct http_response *r,
    const char **err)
{
	const uint8_t	*line;
	size_t		 linelen, i, sz;
	int		 rc, nfield = 0;

	for (;;) {
		if ((rc = next_line(buf, len, &off, &line, &linelen)) == -1)
			return HTTP_MORE;
		if (rc == -2 || linelen == 0) {
			*err = "bad chunk size line";
			return HTTP_ERROR;
		}
		/* size in hex, maybe ";extensions" (ignored, but bounded) */
		sz = 0;
		for (i = 0; i < linelen && line[i] != ';'; i++) {
			uint8_t	 c = line[i];
			int	 d;

			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else {
				*err = "bad chunk size";
				return HTTP_ERROR;
			}
			if (i >= 8) {
				*err = "chunk size too long";
				return HTTP_ERROR;
			}
			sz = sz * 16 + (size_t)d;
		}
		if (i == 0 || linelen > 256) {
			*err = "bad chunk size";
			return HTTP_ERROR;
		}
		if (sz == 0)
			break;
		if (sz > r->body_cap - r->body_len) {
			*err = "body too large";
			r->too_large = 1;
			return HTTP_ERROR;
		}
		if (len - off < sz + 2)
			return HTTP_MORE;
		memcpy(r->body + r->body_len, buf + off, sz);
		r->body_len += sz;
		off += sz;
		if (buf[off] != '\r' || buf[off + 1] != '\n') {
			*err = "chunk not followed by CRLF";
			return HTTP_ERROR;
		}
		off += 2;
	}
	/* trailer fields, then an empty line */
	for (;;) {
		if ((rc = next_line(buf, len, &off, &line, &linelen)) == -1)
			return HTTP_MORE;
		if (rc == -2) {
			*err = "bare LF in trailer";
			return HTTP_ERROR;
		}
		if (linelen == 0)
			break;
		if (++nfield > HTTP_MAX_FIELDS || off > HTTP_MAX_HEADERS +
		    r->header_len + r->body_len + 64 * 1024) {
			*err = "trailer too large";
			return HTTP_ERROR;
		}
	}
	if (off != len) {
		*err = "bytes after the response";
		return HTTP_ERROR;
	}
	return HTTP_DONE;
}

enum http_result
http_response_parse(const uint8_t *buf, size_t len, int eof,
    struct http_response *r, const char **err)
{
	const uint8_t	*line;
	size_t		 off = 0, linelen;
	int		 rc, nfield = 0;
	enum http_result res;

	r->status = 0;
	r->reason[0] = '\0';
	r->content_type[0] = '\0';
	r->chunked = 0;
	r->content_length = -1;
	r->retry_after[0] = '\0';
	r->close = 0;
	r->header_len = 0;
	r->body_len = 0;
	r->too_large = 0;
	if (r->body_cap == 0 || r->body_cap > HTTP_MAX_FILE)
		r->body_cap = HTTP_MAX_BODY;
	*err = NULL;

	/* status line and fields, within HTTP_MAX_HEADERS */
	for (;;) {
		rc = next_line(buf, len < HTTP_MAX_HEADERS ? len :
		    HTTP_MAX_HEADERS, &off, &line, &linelen);
		if (rc == -1) {
			if (len >= HTTP_MAX_HEADERS) {
				*err = "headers too large";
				return HTTP_ERROR;
			}
			goto more;
		}
		if (rc == -2) {
			*err = "bare LF";
			return HTTP_ERROR;
		}
		if (r->status == 0) {
			if (parse_status(line, linelen, r, err) == -1)
				return HTTP_ERROR;
			continue;
		}
		if (linelen == 0)
			break;
		if (++nfield > HTTP_MAX_FIELDS) {
			*err = "too many header fields";
			return HTTP_ERROR;
		}
		if (parse_field(line, linelen, r, err) == -1)
			return HTTP_ERROR;
	}
	r->header_len = off;
	if (r->chunked && r->content_length != -1) {
		*err = "both Content-Length and chunked";
		return HTTP_ERROR;
	}
	if (r->chunked) {
		res = dechunk(buf, len, off, r, err);
		if (res == HTTP_MORE)
			goto more;
		return res;
	}
	if (r->content_length == -1) {
		*err = "no Content-Length";
		return HTTP_ERROR;
	}
	if ((uint64_t)r->content_length > r->body_cap) {
		*err = "body too large";
		r->too_large = 1;
		return HTTP_ERROR;
	}
	if (len - off < (size_t)r->content_length)
		goto more;
	if (len - off > (size_t)r->content_length) {
		*err = "bytes after the response";
		return HTTP_ERROR;
	}
	memcpy(r->body, buf + off, (size_t)r->content_length);
	r->body_len = (size_t)r->content_length;
	return HTTP_DONE;
 more:
	if (eof) {
		*err = "connection closed before the response was complete";
		return HTTP_ERROR;
	}
	return HTTP_MORE;
}
