/*
 * commsd's HTTP/1.1 request parser: strict, bounded, incremental, and
 * without I/O, so that it can be fuzzed.
 *
 *	request line	at most COMMS_HTTP_LINE_MAX bytes (414 beyond)
 *	header fields	at most COMMS_HTTP_HEADERS_MAX bytes and
 *			COMMS_HTTP_FIELDS_MAX fields (431 beyond); every line
 *			ends with CRLF (a bare CR or LF is refused as soon
 *			as it is fed); names are RFC 7230 tokens, with no
 *			white space before the colon; values hold no control
 *			character but HTAB; no obsolete line folding
 *	version		HTTP/1.1 only (505)
 *	target		COMMS_UPLOAD_PATH or COMMS_CHECKIN_PATH with method
 *			POST, or COMMS_PACKAGE_PATH and a package's file name
 *			(NAME-VERSION or NAME-VERSION.sig, NAME as
 *			pkg_name_valid() says, VERSION 1 to 2^63-1 without
 *			leading zeros) with method GET (404, 405)
 *	Host		exactly once (400)
 *	Content-Length	exactly once, 1 to 19 digits (411 when missing,
 *			400 when repeated or malformed, 413 above the limit);
 *			a GET has none, or 0
 *	Transfer-Encoding refused (400 with Content-Length, else 411)
 *	Authorization	"Bearer <token>", compared in constant time, when a
 *			token is configured (401)
 *	Content-Type	application/soap+xml, charset utf-8 if given (415),
 *			for a POST
 *	Content-Encoding gzip or identity (415)
 *	Expect		100-continue only (417)
 *	X-Callhome-Document-Sha256  64 hex digits when given (400)
 *	Connection	a list of tokens (400 when malformed); "close" says
 *			the client wants no other request on the connection
 *
 * The fields that commsd reads may appear once only (400).  Then the
 * body: exactly Content-Length bytes; what follows is not read (the
 * server keeps it for the connection's next request).  A 503
 * answer carries Retry-After: COMMS_RETRY_AFTER.
 */
#ifndef COMMSD_HTTP_H
#define COMMSD_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"

#define COMMS_UPLOAD_PATH	"/callhome/1/upload"
#define COMMS_CHECKIN_PATH	"/callhome/1/checkin"
#define COMMS_PACKAGE_PATH	"/callhome/1/package/"	/* and the file */
#define COMMS_FILE_MAX		96	/* a package's file name, and NUL */

enum comms_route {
	COMMS_ROUTE_UPLOAD,
	COMMS_ROUTE_CHECKIN,
	COMMS_ROUTE_PACKAGE
};
#define COMMS_HTTP_LINE_MAX	1024		/* request line, no CRLF */
#define COMMS_HTTP_HEADERS_MAX	(16 * 1024)	/* all fields, CRLFs too */
#define COMMS_HTTP_FIELDS_MAX	64
#define COMMS_HTTP_HEAD_MAX	(COMMS_HTTP_LINE_MAX + 2 + \
				    COMMS_HTTP_HEADERS_MAX + 2)

enum comms_http_state {
	COMMS_HTTP_HEAD,	/* reading the request line and fields */
	COMMS_HTTP_BODY,	/* the head is valid: reading the body */
	COMMS_HTTP_DONE,	/* a whole request */
	COMMS_HTTP_FAIL		/* refused: status and error say why */
};

struct comms_http {
	/* settings */
	size_t		 max_body;
	const char	*token;		/* "" or NULL: no token required */

	enum comms_http_state state;
	int		 status;	/* COMMS_HTTP_FAIL: the answer */
	char		 error[256];	/* COMMS_HTTP_FAIL: the reason */

	char		 head[COMMS_HTTP_HEAD_MAX];
	size_t		 headlen;
	size_t		 received;	/* all bytes fed */

	/* the request */
	char		 method[16];
	char		 target[COMMS_HTTP_LINE_MAX + 1];
	enum comms_route route;
	char		 file[COMMS_FILE_MAX];	/* ROUTE_PACKAGE: the file */
	int64_t		 content_length;	/* -1: none */
	int		 gzip;
	int		 expect_continue;	/* "Expect: 100-continue" */
	int		 have_sha256;
	char		 sha256[65];	/* X-Callhome-Document-Sha256, lower */
	char		 user_agent[128];
	int		 conn_close;	/* "Connection: close" */
	size_t		 nfields;

	uint8_t		*body;
	size_t		 bodylen;
};

void		 comms_http_init(struct comms_http *, size_t max_body,
		    const char *token);
void		 comms_http_free(struct comms_http *);
/*
 * Feed the next len bytes; *used says how many were taken (fewer only
 * once the request is complete).  Returns the new state.
 */
enum comms_http_state comms_http_feed(struct comms_http *, const void *,
		    size_t, size_t *);
/* mark the request refused (used by the server for 408) */
void		 comms_http_fail(struct comms_http *, int, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));

const char	*comms_http_reason(int);
/*
 * A whole response: status line, Date, Server,
 * the fields a status needs (WWW-Authenticate, Allow, Retry-After),
 * Content-Type, Content-Length and, last, Connection: close (which
 * comms_http_keep() takes out), then the body.
 */
void		 comms_http_response(struct wbuf *, int, time_t,
		    const char *, const void *, size_t);
/*
 * The connection stays open after this answer: the head's last field,
 * COMMS_HTTP_CLOSE, is taken out.  0, or -1 when the head has none.
 */
int		 comms_http_keep(struct wbuf *);
/* a SOAP 1.2 Fault: env:Sender for 4xx, env:Receiver for 5xx */
void		 comms_http_fault(struct wbuf *, int, time_t, const char *);
/* the XML of a Fault, without the HTTP head */
void		 comms_fault_xml(struct wbuf *, int, const char *);

#define COMMS_HTTP_CLOSE	"Connection: close\r\n"
#define COMMS_HTTP_CONTINUE	"HTTP/1.1 100 Continue\r\n\r\n"
#define COMMS_SOAP_CTYPE	"application/soap+xml; charset=utf-8"

#endif /* COMMSD_HTTP_H */
