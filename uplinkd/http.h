/*
 * The HTTP/1.1 response parser of uplinkd: strict and bounded.
 *
 * A status line (HTTP/1.0 or 1.1, three digits, 2xx-5xx), headers of at
 * most HTTP_MAX_HEADERS bytes (no obsolete line folding, names are
 * tokens, values without control characters), then a body delimited by
 * Content-Length or chunked transfer coding (not both, nothing else), of
 * at most body_cap bytes (HTTP_MAX_BODY unless the caller says less, or
 * more up to HTTP_MAX_FILE for a package).  A body that runs to the end
 * of the connection is refused: the server always says how long it is.
 *
 * The connection may carry another request after the response unless
 * it is HTTP/1.0 or says "Connection: close" (close).
 *
 * Retry-After (RFC 9110, 10.2.3), as the server may send it with 503:
 * delay-seconds, or an IMF-fixdate (the obsolete date forms are not
 * taken); the wait, never more than HTTP_RETRY_AFTER_MAX.
 */
#ifndef UPLINKD_HTTP_H
#define UPLINKD_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define HTTP_MAX_HEADERS	(16 * 1024)
#define HTTP_MAX_BODY		(1024 * 1024)
#define HTTP_MAX_FILE		(32 * 1024 * 1024)	/* a package's */
#define HTTP_MAX_FIELDS		64
#define HTTP_RETRY_AFTER_MAX	(24 * 60 * 60)	/* seconds: a day */

enum http_result {
	HTTP_MORE,	/* a complete response needs more bytes */
	HTTP_DONE,
	HTTP_ERROR,
};

struct http_response {
	int		 status;
	char		 reason[64];
	char		 content_type[128];
	int		 chunked;
	int64_t		 content_length;	/* -1 when absent */
	char		 retry_after[32];	/* the first one's value, or "";
						   "-" when too long */
	int		 close;		/* no other request after it */
	size_t		 header_len;	/* status line and headers */
	uint8_t		*body;		/* the body, dechunked */
	size_t		 body_len;
	size_t		 body_cap;	/* the caller's, else HTTP_MAX_BODY */
	int		 too_large;	/* the error: more than body_cap */
};

/*
 * Parse what has arrived so far, buf[0..len); eof says the peer closed.
 * body must point to body_cap bytes the caller owns (HTTP_MAX_BODY when
 * body_cap is 0).  The parse is repeated from the start on each call:
 * the caller decides how often (uplinkd: when the whole response may be
 * in, or after a quarter more bytes).
 */
enum http_result http_response_parse(const uint8_t *buf, size_t len, int eof,
		    struct http_response *, const char **err);
/*
 * A Retry-After value, at time now: the seconds to wait (0 for a date
 * past, at most HTTP_RETRY_AFTER_MAX), or -1 when it is not valid.
 */
int64_t		 http_retry_after(const char *, time_t now);

#endif /* UPLINKD_HTTP_H */
