/*
 * For the unit tests of signify files, bundles and verdicts: Ed25519 key
 * pairs made with libcrypto and the files signify(1) would write with
 * them (the interoperability with signify itself is proven by
 * regress/t/signify-interop.sh).
 */
#ifndef REGRESS_SIGTEST_H
#define REGRESS_SIGTEST_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

struct tkey {
	EVP_PKEY	*pkey;
	uint8_t		 keynum[8];
	uint8_t		 pub[32];
};

/* a new key pair with key number keynum (8 bytes); fatal on failure */
void	 tkey_new(struct tkey *, const uint8_t *keynum);
void	 tkey_free(struct tkey *);
/* base64 of bytes, NUL-terminated, into out (of outsz bytes) */
void	 tb64(const void *, size_t, char *out, size_t outsz);
/*
 * "untrusted comment: COMMENT\nBASE64\n" of the public key, appended
 * at buf + *len (of size bytes in all); *len grows
 */
void	 tkey_pubfile(const struct tkey *, const char *comment, char *buf,
	    size_t size, size_t *len);
/* the raw 64-byte signature of msg */
void	 tkey_sign(const struct tkey *, const void *msg, size_t len,
	    uint8_t *sig);
/* the detached signature file of msg, appended as tkey_pubfile() does */
void	 tkey_sigfile(const struct tkey *, const char *comment,
	    const void *msg, size_t mlen, char *buf, size_t size, size_t *len);
/* the signed file with msg embedded: a fresh buffer of *len bytes */
uint8_t	*tkey_embedded(const struct tkey *, const void *msg, size_t mlen,
	    size_t *len);

#endif /* REGRESS_SIGTEST_H */
