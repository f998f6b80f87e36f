/*
 * SHA-256 as 64 lowercase hex digits: the form of every sha256 the
 * daemons store, log and send.
 */
#ifndef CALLHOME_DIGEST_H
#define CALLHOME_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32
#define SHA256_HEX	65	/* 64 hex digits and NUL */

/* hex holds SHA256_HEX bytes; 0, or -1 when OpenSSL failed */
int	sha256_hex(const void *, size_t, char *hex);
/* a 32-byte hash as hex; dst holds SHA256_HEX bytes */
void	digest_hex(const uint8_t *, char *dst);
/* 64 lowercase hex digits, then the end of the string */
int	valid_hex64(const char *);

#endif /* CALLHOME_DIGEST_H */
