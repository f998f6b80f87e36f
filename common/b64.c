/*
 * Strict base64: see b64.h.
 */
#include <stddef.h>
#include <stdint.h>

#include "b64.h"

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
b64_decode_strict(const char *in, size_t len, uint8_t *out, size_t outmax,
    size_t *outlen)
{
	uint32_t	 acc = 0;
	size_t		 i, k, pad = 0, o = 0, last;
	int		 v;

	*outlen = 0;
	if (len % 4 != 0)
		return -1;
	if (len == 0)
		return 0;
	if (in[len - 1] == '=')
		pad = in[len - 2] == '=' ? 2 : 1;
	if (B64_DECODED_MAX(len) - pad > outmax)
		return -1;
	for (i = 0; i < len; i += 4) {
		last = i + 4 == len;
		acc = 0;
		for (k = 0; k < 4; k++) {
			if (last && k >= 4 - pad)
				v = 0;		/* one of the final "=" */
			else if ((v = b64_value((unsigned char)in[i + k])) ==
			    -1)
				return -1;
			acc = acc << 6 | (uint32_t)v;
		}
		out[o++] = (uint8_t)(acc >> 16);
		if (!last || pad < 2)
			out[o++] = (uint8_t)(acc >> 8);
		if (!last || pad < 1)
			out[o++] = (uint8_t)acc;
	}
	/* the bits after the last byte must be zero: one encoding only */
	if ((pad == 1 && (acc & 0xff) != 0) ||
	    (pad == 2 && (acc & 0xffff) != 0))
		return -1;
	*outlen = o;
	return 0;
}
