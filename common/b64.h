/*
 * Base64, strictly: one byte string has one encoding only.  Signify's
 * files and the check-in answer's bundles use it.
 */
#ifndef CALLHOME_B64_H
#define CALLHOME_B64_H

#include <stddef.h>
#include <stdint.h>

/*
 * Strict base64 (RFC 4648, the standard alphabet): exactly len
 * characters, no white space, "=" padding to a multiple of 4, unused
 * bits zero, so that one byte string has one encoding only.  Decodes
 * into out (of outmax bytes); 0 and *outlen, or -1.
 */
int		 b64_decode_strict(const char *in, size_t len, uint8_t *out,
		    size_t outmax, size_t *outlen);
/* the bytes that len characters of base64 decode to at most */
#define B64_DECODED_MAX(len)	((len) / 4 * 3)
/* the characters of the base64 of len bytes */
#define B64_ENCODED_LEN(len)	(((len) + 2) / 3 * 4)

#endif /* CALLHOME_B64_H */
