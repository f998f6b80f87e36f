/*
 * libFuzzer target: uplinkd's reading of Retry-After (uplinkd/http.c),
 * which any server, or anything between, may send.
 *
 *	- the wait is -1 (not valid) or from 0 to HTTP_RETRY_AFTER_MAX;
 *	- digits only: their number, capped;
 *	- a date: an IMF-fixdate, and the wait brings "now" to it exactly
 *	  when it is in the next day (printing that time again gives the
 *	  input, the day's name aside);
 *	- in a response: the first Retry-After is the one read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../uplinkd/http.h"

#define NOW	((time_t)1700000000)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint8_t	 body[HTTP_MAX_BODY];

static int64_t
capped_digits(const char *s)
{
	int64_t	 n = 0;

	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -2;
		if (n <= HTTP_RETRY_AFTER_MAX)
			n = n * 10 + (*s - '0');
	}
	return n > HTTP_RETRY_AFTER_MAX ? HTTP_RETRY_AFTER_MAX : n;
}

static void
in_a_response(const char *v, int64_t want)
{
	struct http_response	 r;
	const char		*err;
	char			 resp[256];
	int			 n;

	n = snprintf(resp, sizeof(resp), "HTTP/1.1 503 x\r\nRetry-After: %s"
	    "\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n", v);
	if (n < 0 || (size_t)n >= sizeof(resp))
		return;
	memset(&r, 0, sizeof(r));
	r.body = body;
	if (http_response_parse((const uint8_t *)resp, (size_t)n, 0, &r,
	    &err) != HTTP_DONE)
		return;		/* a control character, say: refused */
	/* the value as the parser trims it may differ: only when equal */
	if (strcmp(r.retry_after, v) == 0 &&
	    http_retry_after(r.retry_after, NOW) != want)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tm	*tm;
	char		 v[64], back[64];
	time_t		 t;
	int64_t		 w, d;

	if (size >= sizeof(v) || memchr(data, '\0', size) != NULL)
		return 0;
	memcpy(v, data, size);
	v[size] = '\0';
	w = http_retry_after(v, NOW);
	if (w < -1 || w > HTTP_RETRY_AFTER_MAX || w != http_retry_after(v, NOW))
		abort();
	d = capped_digits(v);
	if (size > 0 && d != -2 && w != d)
		abort();
	if (w >= 0 && d == -2) {
		/* a date */
		if (size != 29)
			abort();
		if (w > 0 && w < HTTP_RETRY_AFTER_MAX) {
			t = NOW + w;
			if ((tm = gmtime(&t)) == NULL ||
			    strftime(back, sizeof(back),
			    "%a, %d %b %Y %H:%M:%S GMT", tm) != 29)
				abort();
			/* a leap second's :60 is the next minute's :00 */
			if (strcmp(back + 5, v + 5) != 0 &&
			    strncmp(v + 23, "60", 2) != 0)
				abort();
		}
	}
	in_a_response(v, w);
	return 0;
}
