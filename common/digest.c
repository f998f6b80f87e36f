/*
 * SHA-256 as hex: see digest.h.
 */
#include <stdint.h>

#include <openssl/evp.h>

#include "digest.h"
#include "txlog.h"

int
sha256_hex(const void *p, size_t len, char *hex)
{
	uint8_t		 md[TXLOG_HASH_LEN];
	unsigned int	 mdlen;

	if (EVP_Digest(p, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != sizeof(md))
		return -1;
	txlog_hex(md, hex);
	return 0;
}
