/*
 * SHA-256 of a byte string as 64 lowercase hex digits: the form of every
 * sha256 the daemons store, log and send (valid_hex64() in msg.h).
 */
#ifndef CALLHOME_DIGEST_H
#define CALLHOME_DIGEST_H

#include <stddef.h>

/* hex holds 65 bytes (SHA256_HEX); 0, or -1 when OpenSSL failed */
int	sha256_hex(const void *, size_t, char *hex);

#endif /* CALLHOME_DIGEST_H */
