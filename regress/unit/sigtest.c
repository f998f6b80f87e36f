/*
 * signify files for the unit tests: see sigtest.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "sigtest.h"

static void
die(const char *what)
{
	fprintf(stderr, "sigtest: %s failed\n", what);
	exit(2);
}

void
tkey_new(struct tkey *k, const uint8_t *keynum)
{
	EVP_PKEY_CTX	*ctx;
	size_t		 n = sizeof(k->pub);

	memset(k, 0, sizeof(*k));
	if ((ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_keygen(ctx, &k->pkey) != 1 ||
	    EVP_PKEY_get_raw_public_key(k->pkey, k->pub, &n) != 1 ||
	    n != sizeof(k->pub))
		die("Ed25519 key generation");
	EVP_PKEY_CTX_free(ctx);
	memcpy(k->keynum, keynum, sizeof(k->keynum));
}

void
tkey_free(struct tkey *k)
{
	EVP_PKEY_free(k->pkey);
	memset(k, 0, sizeof(*k));
}

void
tb64(const void *p, size_t len, char *out, size_t outsz)
{
	if ((len + 2) / 3 * 4 + 1 > outsz)
		die("base64: no room");
	(void)EVP_EncodeBlock((unsigned char *)out, p, (int)len);
}

static void
append(char *buf, size_t size, size_t *len, const char *s)
{
	size_t	 n = strlen(s);

	if (*len + n >= size)
		die("append: no room");
	memcpy(buf + *len, s, n + 1);
	*len += n;
}

static void
section(const char *comment, const uint8_t *raw, size_t rawlen, char *buf,
    size_t size, size_t *len)
{
	char	 b64[256];

	tb64(raw, rawlen, b64, sizeof(b64));
	append(buf, size, len, "untrusted comment: ");
	append(buf, size, len, comment);
	append(buf, size, len, "\n");
	append(buf, size, len, b64);
	append(buf, size, len, "\n");
}

void
tkey_pubfile(const struct tkey *k, const char *comment, char *buf,
    size_t size, size_t *len)
{
	uint8_t	 raw[42];

	memcpy(raw, "Ed", 2);
	memcpy(raw + 2, k->keynum, 8);
	memcpy(raw + 10, k->pub, 32);
	section(comment, raw, sizeof(raw), buf, size, len);
}

void
tkey_sign(const struct tkey *k, const void *msg, size_t len, uint8_t *sig)
{
	EVP_MD_CTX	*ctx;
	size_t		 n = 64;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) != 1 ||
	    EVP_DigestSign(ctx, sig, &n, len > 0 ? msg : "", len) != 1 ||
	    n != 64)
		die("Ed25519 signature");
	EVP_MD_CTX_free(ctx);
}

void
tkey_sigfile(const struct tkey *k, const char *comment, const void *msg,
    size_t mlen, char *buf, size_t size, size_t *len)
{
	uint8_t	 raw[74];

	memcpy(raw, "Ed", 2);
	memcpy(raw + 2, k->keynum, 8);
	tkey_sign(k, msg, mlen, raw + 10);
	section(comment, raw, sizeof(raw), buf, size, len);
}

uint8_t *
tkey_embedded(const struct tkey *k, const void *msg, size_t mlen,
    size_t *len)
{
	char	 sig[512];
	size_t	 slen = 0;
	uint8_t	*out;

	tkey_sigfile(k, "verify with test.pub", msg, mlen, sig, sizeof(sig),
	    &slen);
	if ((out = malloc(slen + mlen + 1)) == NULL)
		die("malloc");
	memcpy(out, sig, slen);
	if (mlen > 0)
		memcpy(out + slen, msg, mlen);
	*len = slen + mlen;
	return out;
}
