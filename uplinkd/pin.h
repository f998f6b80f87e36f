/*
 * The server's key pin: the base64 of the SHA-256 of the public key
 * (SubjectPublicKeyInfo, DER) of the server's certificate, as
 * "pin-sha256" is commonly written.  A renewed certificate with the same
 * key keeps its pin; a new key needs a new one.
 */
#ifndef UPLINKD_PIN_H
#define UPLINKD_PIN_H

#include <stddef.h>
#include <stdint.h>

#define PIN_B64_LEN	45	/* 44 characters and NUL */

/* the pin of the first certificate of a PEM chain: 0, or -1 */
int	pin_of_pem(const uint8_t *, size_t, char *pin, size_t);

#endif /* UPLINKD_PIN_H */
