/*
 * libFuzzer target: commsd's HTTP/1.1 request parser (commsd/http.c).
 *
 * The first byte chooses how the rest is fed: its low four bits the size
 * of the pieces (1 << n bytes), bit 4 whether a bearer token ("secret")
 * is required.  The rest is a request, fed once whole and once in
 * pieces; both must end the same way (the result may not depend on how
 * TCP cut the stream), and:
 *
 *	- no more is taken than given, and everything is taken until the
 *	  request is complete;
 *	- a complete request is a POST to the upload or check-in path with
 *	  exactly Content-Length bytes of body, never more than the limit,
 *	  or a package's GET without one; whole and in pieces, it says the
 *	  same of "Connection: close";
 *	- a refusal has a 4xx/5xx status and a reason, and its SOAP Fault
 *	  parses back (common/xmlsafe.c) to that reason.
 *
 * Run from the top of the tree (the schema is etc/callhome.xsd), or set
 * COMMSD_FUZZ_SCHEMA.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../commsd/commsd.h"
#include "../../commsd/http.h"
#include "log.h"
#include "xmlsafe.h"

#define MAXBODY		(64 * 1024)

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct xschema	*xs;
static struct comms_http whole, pieces;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*path;
	char		 err[256], *buf;
	FILE		*fp;
	long		 n;

	log_init("fuzz_http_request", LOG_TO_STDERR, 0);
	xmlsafe_init();
	if ((path = getenv("COMMSD_FUZZ_SCHEMA")) == NULL)
		path = "etc/callhome.xsd";
	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "%s: run from the top of the tree\n", path);
		exit(1);
	}
	if (fseek(fp, 0, SEEK_END) == -1 || (n = ftell(fp)) <= 0 ||
	    fseek(fp, 0, SEEK_SET) == -1 || (buf = malloc(n)) == NULL ||
	    fread(buf, 1, n, fp) != (size_t)n)
		exit(1);
	fclose(fp);
	if ((xs = xschema_load(buf, n, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s: %s\n", path, err);
		exit(1);
	}
	free(buf);
	return 0;
}

static enum comms_http_state
feed(struct comms_http *h, const uint8_t *data, size_t size, size_t piece)
{
	enum comms_http_state	 st = h->state;
	size_t			 off = 0, n, used;

	while (off < size) {
		n = size - off < piece ? size - off : piece;
		st = comms_http_feed(h, data + off, n, &used);
		if (used > n)
			abort();
		if ((st == COMMS_HTTP_HEAD || st == COMMS_HTTP_BODY) &&
		    used != n)
			abort();
		if (st == COMMS_HTTP_DONE || st == COMMS_HTTP_FAIL)
			break;
		off += used;
	}
	return st;
}

static void
check_fault(const struct comms_http *h)
{
	struct wbuf	 w;
	xmlDocPtr	 d;
	xmlNodePtr	 p;
	char		 err[512];
	const char	*body;

	if (h->status < 400 || h->status > 599 || h->error[0] == '\0')
		abort();
	wbuf_init(&w);
	comms_http_fault(&w, h->status, 0, h->error);
	wbuf_u8(&w, '\0');
	if ((body = strstr((const char *)w.data, "\r\n\r\n")) == NULL)
		abort();
	body += 4;
	d = soap_parse(xs, body, strlen(body), 1 << 20, "Receipt", &p, err,
	    sizeof(err));
	if (d != NULL || strncmp(err, "SOAP Fault: ", 12) != 0) {
		fprintf(stderr, "fault does not parse as one: %s\n%s\n", err,
		    body);
		abort();
	}
	wbuf_free(&w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum comms_http_state	 a, b;
	const char		*token;
	size_t			 piece;

	if (size < 1)
		return 0;
	piece = (size_t)1 << (data[0] & 0x0f);
	token = (data[0] & 0x10) ? "secret" : NULL;
	data++;
	size--;

	comms_http_init(&whole, MAXBODY, token);
	comms_http_init(&pieces, MAXBODY, token);
	a = feed(&whole, data, size, size > 0 ? size : 1);
	b = feed(&pieces, data, size, piece);
	if (a != b || (a == COMMS_HTTP_FAIL && whole.status != pieces.status)) {
		fprintf(stderr, "whole: state %d status %d (%s); in pieces of "
		    "%zu: state %d status %d (%s)\n", a, whole.status,
		    whole.error, piece, b, pieces.status, pieces.error);
		abort();
	}
	switch (a) {
	case COMMS_HTTP_DONE:
		/* an upload or a check-in; or a package's GET, no body */
		if (!((strcmp(whole.method, "POST") == 0 &&
		    (strcmp(whole.target, COMMS_UPLOAD_PATH) == 0 ||
		    strcmp(whole.target, COMMS_CHECKIN_PATH) == 0)) ||
		    (strcmp(whole.method, "GET") == 0 &&
		    whole.route == COMMS_ROUTE_PACKAGE &&
		    whole.content_length == 0)) ||
		    whole.conn_close != pieces.conn_close ||
		    whole.content_length < 0 ||
		    (size_t)whole.content_length > MAXBODY ||
		    whole.bodylen != (size_t)whole.content_length ||
		    pieces.bodylen != whole.bodylen ||
		    (whole.bodylen > 0 &&
		    memcmp(whole.body, pieces.body, whole.bodylen) != 0) ||
		    whole.gzip != pieces.gzip ||
		    strcmp(whole.sha256, pieces.sha256) != 0)
			abort();
		break;
	case COMMS_HTTP_FAIL:
		check_fault(&whole);
		break;
	case COMMS_HTTP_BODY:
		if (whole.bodylen >= (size_t)whole.content_length)
			abort();
		break;
	case COMMS_HTTP_HEAD:
		if (whole.headlen > COMMS_HTTP_HEAD_MAX)
			abort();
		break;
	}
	comms_http_free(&whole);
	comms_http_free(&pieces);
	return 0;
}
