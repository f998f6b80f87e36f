/*
 * SHA-256 as hex: see digest.h.
 */
#include <stdint.h>

#include <openssl/evp.h>

#include "digest.h"

void
digest_hex(const uint8_t *h, char *dst)
{
	static const char	 hex[] = "0123456789abcdef";
	int			 i;

	for (i = 0; i < SHA256_LEN; i++) {
		dst[2 * i] = hex[h[i] >> 4];
		dst[2 * i + 1] = hex[h[i] & 0xf];
	}
	dst[2 * SHA256_LEN] = '\0';
}

int
sha256_hex(const void *p, size_t len, char *hex)
{
	uint8_t		 md[SHA256_LEN];
	unsigned int	 mdlen;

	if (EVP_Digest(p, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != sizeof(md))
		return -1;
	digest_hex(md, hex);
	return 0;
}

int
valid_hex64(const char *s)
{
	size_t	 i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}
