/*
 * signify files and Ed25519 verification: see signify.h.
 *
 * signify itself (OpenBSD's signify.c) is more lenient than this reader
 * in three ways, none of which its own output needs: its base64 decoder
 * skips white space, it accepts whatever follows the first key of a
 * public key file, and it does not look at the bytes of a comment.
 * Here every byte of a section is accounted for.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "digest.h"
#include "log.h"
#include "signify.h"

#define PKALG		"Ed"
#define PKALG_LEN	2
#define HDR_LEN		(sizeof(SIGNIFY_COMMENT_HDR) - 1)
#define RAW_KEY_LEN	(PKALG_LEN + SIGNIFY_KEYNUM_LEN + SIGNIFY_PUBKEY_LEN)
#define RAW_SIG_LEN	(PKALG_LEN + SIGNIFY_KEYNUM_LEN + SIGNIFY_SIG_LEN)

/* the base64 lines hold exactly these */
_Static_assert(B64_ENCODED_LEN(RAW_KEY_LEN) == SIGNIFY_KEY_B64LEN,
    "key line length");
_Static_assert(B64_ENCODED_LEN(RAW_SIG_LEN) == SIGNIFY_SIG_B64LEN,
    "signature line length");

static const char *const result_names[] = {
	[SIGNIFY_OK] = "ok",
	[SIGNIFY_MALFORMED] = "malformed",
	[SIGNIFY_UNKNOWN_KEY] = "unknown-key",
	[SIGNIFY_BAD_SIGNATURE] = "bad-signature",
};

const char *
signify_result_name(enum signify_result r)
{
	if ((size_t)r >= sizeof(result_names) / sizeof(result_names[0]) ||
	    result_names[r] == NULL)
		return "malformed";
	return result_names[r];
}

void
signify_keynum_hex(const uint8_t *keynum, char *hex)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < SIGNIFY_KEYNUM_LEN; i++) {
		hex[2 * i] = digits[keynum[i] >> 4];
		hex[2 * i + 1] = digits[keynum[i] & 0x0f];
	}
	hex[2 * SIGNIFY_KEYNUM_LEN] = '\0';
}

/*
 * Sections.
 */

struct reader {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
	int		 line;		/* of p[off], from 1 */
	char		*err;
	size_t		 errlen;
};

static int	 rerr(struct reader *, const char *, ...)
		    __attribute__((__format__(printf, 2, 3)));

static int
rerr(struct reader *r, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[256];

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->err != NULL && r->errlen > 0)
		(void)snprintf(r->err, r->errlen, "line %d: %s", r->line, msg);
	return -1;
}

static void
reader_init(struct reader *r, const uint8_t *p, size_t len, char *err,
    size_t errlen)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->line = 1;
	r->err = err;
	r->errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
}

/* the comment line: its header, 1 to SIGNIFY_COMMENT_MAX bytes, LF */
static int
read_comment(struct reader *r)
{
	const uint8_t	*s = r->p + r->off, *nl;
	size_t		 rest = r->len - r->off, n, i;

	if (rest < HDR_LEN || memcmp(s, SIGNIFY_COMMENT_HDR, HDR_LEN) != 0)
		return rerr(r, "not \"" SIGNIFY_COMMENT_HDR "\"");
	n = rest - HDR_LEN;
	if (n > SIGNIFY_COMMENT_MAX + 1)
		n = SIGNIFY_COMMENT_MAX + 1;
	if ((nl = memchr(s + HDR_LEN, '\n', n)) == NULL)
		return rerr(r, "a comment of more than %d bytes, or without "
		    "a newline", SIGNIFY_COMMENT_MAX);
	n = (size_t)(nl - (s + HDR_LEN));
	if (n == 0)
		return rerr(r, "an empty comment");
	for (i = HDR_LEN; i < HDR_LEN + n; i++)
		if (s[i] == '\0' || s[i] == '\r')
			return rerr(r, "a NUL or a carriage return in the "
			    "comment");
	r->off += HDR_LEN + n + 1;
	r->line++;
	return 0;
}

/* the base64 line: b64len characters, LF; decoded, "Ed" and what follows */
static int
read_b64(struct reader *r, size_t b64len, uint8_t *raw, size_t rawlen,
    const char *what)
{
	const uint8_t	*s = r->p + r->off;
	size_t		 rest = r->len - r->off, n;

	if (rest < b64len + 1 || s[b64len] != '\n')
		return rerr(r, "not the %zu base64 characters of %s and a "
		    "newline", b64len, what);
	if (b64_decode_strict((const char *)s, b64len, raw, rawlen, &n) == -1 ||
	    n != rawlen)
		return rerr(r, "not the base64 of %s", what);
	if (memcmp(raw, PKALG, PKALG_LEN) != 0)
		return rerr(r, "not an Ed25519 %s", what);
	r->off += b64len + 1;
	r->line++;
	return 0;
}

static int
read_section(struct reader *r, size_t b64len, uint8_t *raw, size_t rawlen,
    const char *what)
{
	if (read_comment(r) == -1 ||
	    read_b64(r, b64len, raw, rawlen, what) == -1)
		return -1;
	return 0;
}

int
signify_parse_keys(const uint8_t *buf, size_t len,
    struct signify_keyring *ring, char *err, size_t errlen)
{
	struct reader		 r;
	struct signify_key	*k;
	uint8_t			 raw[RAW_KEY_LEN];
	char			 hex[SIGNIFY_KEYNUM_HEX];
	size_t			 i;

	memset(ring, 0, sizeof(*ring));
	reader_init(&r, buf, len, err, errlen);
	if (len == 0) {
		(void)rerr(&r, "no key");
		goto fail;
	}
	if (len > SIGNIFY_KEYFILE_MAX) {
		(void)rerr(&r, "a key file of %zu bytes (at most %zu)", len,
		    (size_t)SIGNIFY_KEYFILE_MAX);
		goto fail;
	}
	while (r.off < len) {
		if (ring->nkeys == SIGNIFY_MAX_KEYS) {
			(void)rerr(&r, "more than %d keys", SIGNIFY_MAX_KEYS);
			goto fail;
		}
		if (read_section(&r, SIGNIFY_KEY_B64LEN, raw, sizeof(raw),
		    "a public key") == -1)
			goto fail;
		k = &ring->keys[ring->nkeys];
		memcpy(k->keynum, raw + PKALG_LEN, SIGNIFY_KEYNUM_LEN);
		memcpy(k->pubkey, raw + PKALG_LEN + SIGNIFY_KEYNUM_LEN,
		    SIGNIFY_PUBKEY_LEN);
		for (i = 0; i < ring->nkeys; i++) {
			if (memcmp(ring->keys[i].keynum, k->keynum,
			    SIGNIFY_KEYNUM_LEN) == 0) {
				signify_keynum_hex(k->keynum, hex);
				(void)rerr(&r, "key number %s again", hex);
				goto fail;
			}
		}
		ring->nkeys++;
	}
	return 0;
 fail:
	memset(ring, 0, sizeof(*ring));
	return -1;
}

static int
parse_sig_section(struct reader *r, struct signify_sig *sig)
{
	uint8_t	 raw[RAW_SIG_LEN];

	memset(sig, 0, sizeof(*sig));
	if (read_section(r, SIGNIFY_SIG_B64LEN, raw, sizeof(raw),
	    "a signature") == -1)
		return -1;
	memcpy(sig->keynum, raw + PKALG_LEN, SIGNIFY_KEYNUM_LEN);
	memcpy(sig->sig, raw + PKALG_LEN + SIGNIFY_KEYNUM_LEN, SIGNIFY_SIG_LEN);
	return 0;
}

int
signify_parse_sig(const uint8_t *buf, size_t len, struct signify_sig *sig,
    char *err, size_t errlen)
{
	struct reader	 r;

	reader_init(&r, buf, len, err, errlen);
	memset(sig, 0, sizeof(*sig));
	if (len > SIGNIFY_SIGFILE_MAX)
		return rerr(&r, "a signature file of %zu bytes (at most %zu)",
		    len, (size_t)SIGNIFY_SIGFILE_MAX);
	if (parse_sig_section(&r, sig) == -1)
		return -1;
	if (r.off != len) {
		memset(sig, 0, sizeof(*sig));
		return rerr(&r, "data after the signature");
	}
	return 0;
}

int
signify_parse_embedded(const uint8_t *buf, size_t len,
    struct signify_sig *sig, const uint8_t **msg, size_t *msglen, char *err,
    size_t errlen)
{
	struct reader	 r;

	*msg = NULL;
	*msglen = 0;
	reader_init(&r, buf, len, err, errlen);
	if (parse_sig_section(&r, sig) == -1)
		return -1;
	*msg = buf + r.off;
	*msglen = len - r.off;
	return 0;
}

/*
 * Verification.
 */

/* 1 when sig is pk's Ed25519 signature of msg (PureEdDSA, RFC 8032) */
static int
ed25519_verify(const uint8_t *pk, const uint8_t *sig, const void *msg,
    size_t len)
{
	static const uint8_t	 empty[1];
	EVP_PKEY		*pkey;
	EVP_MD_CTX		*ctx;
	int			 ok;

	/* a point that is not on the curve is no key: it verifies nothing */
	if ((pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk,
	    SIGNIFY_PUBKEY_LEN)) == NULL) {
		ERR_clear_error();
		return 0;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		fatalx("%s: out of memory", __func__);
	ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
	    EVP_DigestVerify(ctx, sig, SIGNIFY_SIG_LEN,
	    len > 0 ? msg : empty, len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return ok;
}

/*
 * libcrypto loads its configuration and providers on first use: use
 * Ed25519 and SHA-256 once before a sandbox that has no files.
 */
void
signify_init(void)
{
	static const uint8_t	 zero[SIGNIFY_SIG_LEN];
	char			 hex[SHA256_HEX];

	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1)
		fatalx("OPENSSL_init_crypto");
	(void)ed25519_verify(zero, zero, "", 0);
	if (sha256_hex("", 0, hex) == -1)
		fatalx("SHA-256 does not work");
}

enum signify_result
signify_verify(const struct signify_keyring *ring,
    const struct signify_sig *sig, const void *msg, size_t len)
{
	size_t	 i;

	for (i = 0; i < ring->nkeys && i < SIGNIFY_MAX_KEYS; i++) {
		if (memcmp(ring->keys[i].keynum, sig->keynum,
		    SIGNIFY_KEYNUM_LEN) != 0)
			continue;
		return ed25519_verify(ring->keys[i].pubkey, sig->sig, msg,
		    len) ? SIGNIFY_OK : SIGNIFY_BAD_SIGNATURE;
	}
	return SIGNIFY_UNKNOWN_KEY;
}

static enum signify_result
explain(enum signify_result v, const struct signify_sig *sig, char *err,
    size_t errlen)
{
	char	 hex[SIGNIFY_KEYNUM_HEX];

	signify_keynum_hex(sig->keynum, hex);
	if (err != NULL && errlen > 0) {
		if (v == SIGNIFY_UNKNOWN_KEY)
			(void)snprintf(err, errlen, "signed with key number "
			    "%s, which is not trusted", hex);
		else if (v == SIGNIFY_BAD_SIGNATURE)
			(void)snprintf(err, errlen, "the signature does not "
			    "verify with key number %s", hex);
	}
	return v;
}

enum signify_result
signify_verify_detached(const struct signify_keyring *ring,
    const uint8_t *sigfile, size_t siglen, const void *msg, size_t len,
    char *err, size_t errlen)
{
	struct signify_sig	 sig;

	if (signify_parse_sig(sigfile, siglen, &sig, err, errlen) == -1)
		return SIGNIFY_MALFORMED;
	return explain(signify_verify(ring, &sig, msg, len), &sig, err,
	    errlen);
}

enum signify_result
signify_verify_embedded(const struct signify_keyring *ring,
    const uint8_t *file, size_t len, const uint8_t **msg, size_t *msglen,
    char *err, size_t errlen)
{
	struct signify_sig	 sig;
	const uint8_t		*m;
	size_t			 mlen;
	enum signify_result	 v;

	*msg = NULL;
	*msglen = 0;
	if (signify_parse_embedded(file, len, &sig, &m, &mlen, err,
	    errlen) == -1)
		return SIGNIFY_MALFORMED;
	if ((v = signify_verify(ring, &sig, m, mlen)) != SIGNIFY_OK)
		return explain(v, &sig, err, errlen);
	*msg = m;
	*msglen = mlen;
	return SIGNIFY_OK;
}

int
signify_keyrings_overlap(const struct signify_keyring *a,
    const struct signify_keyring *b)
{
	size_t	 i, j;

	for (i = 0; i < a->nkeys && i < SIGNIFY_MAX_KEYS; i++)
		for (j = 0; j < b->nkeys && j < SIGNIFY_MAX_KEYS; j++)
			if (memcmp(a->keys[i].keynum, b->keys[j].keynum,
			    SIGNIFY_KEYNUM_LEN) == 0 ||
			    memcmp(a->keys[i].pubkey, b->keys[j].pubkey,
			    SIGNIFY_PUBKEY_LEN) == 0)
				return 1;
	return 0;
}
