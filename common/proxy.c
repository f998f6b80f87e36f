/*
 * CONNECT responses: see proxy.h.
 */
#include <string.h>

#include "proxy.h"

int
proxy_response_status(const char *buf, size_t len)
{
	const char	*end;
	int		 code, i;

	if (len > PROXY_MAX_RESPONSE)
		return -1;
	if ((end = memmem(buf, len, "\r\n\r\n", 4)) == NULL)
		return len == PROXY_MAX_RESPONSE ? -1 : 0;
	/* HTTP/1.x SP DIGIT DIGIT DIGIT (SP reason | CRLF) */
	if (len < 12 || memcmp(buf, "HTTP/1.", 7) != 0 ||
	    (buf[7] != '0' && buf[7] != '1') || buf[8] != ' ')
		return -1;
	for (code = 0, i = 9; i < 12; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -1;
		code = code * 10 + (buf[i] - '0');
	}
	if (buf[12] != ' ' && buf[12] != '\r')
		return -1;
	if (code < 100 || code > 599)
		return -1;
	/*
	 * The tunnel is ours to speak first: nothing may follow a 2xx.  A
	 * refusal usually carries a page: its status is what counts.
	 */
	if (code / 100 == 2 && (size_t)(end - buf) + 4 != len)
		return -1;
	return code;
}
