/*
 * libFuzzer: the parent's reading of a proxy's answer to CONNECT.
 */
#include <stdint.h>
#include <stdlib.h>

#include "proxy.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	int	 r;

	r = proxy_response_status((const char *)data, len);
	if (r != 0 && r != -1 && (r < 100 || r > 599))
		abort();
	return 0;
}
