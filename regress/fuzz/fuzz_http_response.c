/*
 * libFuzzer: uplinkd's HTTP response parser.  Every prefix of the input
 * is parsed too, as the bytes arrive in pieces; a parse that is DONE must
 * stay within its bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uplinkd/http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static uint8_t		 body[HTTP_MAX_BODY];
	struct http_response	 r;
	const char		*err;
	enum http_result	 res;
	size_t			 cut;

	if (len > HTTP_MAX_HEADERS + HTTP_MAX_BODY)
		return 0;
	for (cut = len > 64 ? len - 64 : 0; cut <= len; cut++) {
		memset(&r, 0, sizeof(r));
		r.body = body;
		res = http_response_parse(data, cut, cut == len, &r, &err);
		if (res == HTTP_DONE) {
			if (r.body_len > HTTP_MAX_BODY || r.status < 200 ||
			    r.status > 599 || r.header_len > cut)
				abort();
		} else if (res == HTTP_ERROR && err == NULL)
			abort();
	}
	return 0;
}
