/*
 * Sealed job data: see jobseal.h and callhome-jobdata(5).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>

#include "digest.h"
#include "jobseal.h"
#include "log.h"

#define INFO		"callhome job data 1"
#define INFO_LEN	(sizeof(INFO) - 1)
#define AEAD_KEY_LEN	32
#define AEAD_NONCE_LEN	12
#define OKM_LEN		(AEAD_KEY_LEN + AEAD_NONCE_LEN)

static struct {
	int		 ready;
	EVP_CIPHER	*aes;
	EVP_CIPHER	*chacha;
	EVP_KDF		*hkdf;
} lib;

static void	set_err(char *, size_t, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const EVP_CIPHER *
cipher_of(int aead)
{
	switch (aead) {
	case JOBSEAL_AES256GCM:
		return lib.aes;
	case JOBSEAL_CHACHA20:
		return lib.chacha;
	}
	return NULL;
}

/* RFC 7748 section 6.1, Alice's public key: the PEM decoders, loaded */
static const char	 init_pem[] = "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VuAyEAhSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066Sp3H+IK04=\n"
    "-----END PUBLIC KEY-----\n";

/* a PEM key, a throwaway key pair and seals: every algorithm loaded */
int
jobseal_init(void)
{
	EVP_PKEY	*k;
	uint8_t		 pub[JOBSEAL_KEY_LEN];
	size_t		 len = sizeof(pub);
	struct wbuf	 w;
	int		 rv;

	if (lib.ready)
		return 0;
	if (lib.aes == NULL &&
	    (lib.aes = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL)) == NULL)
		return -1;
	if (lib.chacha == NULL && (lib.chacha = EVP_CIPHER_fetch(NULL,
	    "ChaCha20-Poly1305", NULL)) == NULL)
		return -1;
	if (lib.hkdf == NULL &&
	    (lib.hkdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL)) == NULL)
		return -1;
	if (jobseal_public_pem(init_pem, sizeof(init_pem) - 1, pub, NULL,
	    0) == -1 || pub[0] != 0x85)
		return -1;
	if ((k = EVP_PKEY_Q_keygen(NULL, NULL, "X25519")) == NULL)
		return -1;
	rv = EVP_PKEY_get_raw_public_key(k, pub, &len);
	EVP_PKEY_free(k);
	if (rv != 1 || len != sizeof(pub))
		return -1;
	lib.ready = 1;
	wbuf_init(&w);
	rv = jobseal_seal(pub, JOBSEAL_AES256GCM, (const uint8_t *)"x", 1, &w,
	    NULL, 0);
	if (rv == 0)
		rv = jobseal_seal(pub, JOBSEAL_CHACHA20, (const uint8_t *)"x", 1,
		    &w, NULL, 0);
	wbuf_free(&w);
	if (rv == -1)
		lib.ready = 0;
	return rv;
}

void
jobseal_key_id(const uint8_t pub[JOBSEAL_KEY_LEN],
    uint8_t id[JOBSEAL_KEYID_LEN])
{
	uint8_t		 md[SHA256_LEN];
	unsigned int	 mdlen = sizeof(md);

	if (EVP_Digest(pub, JOBSEAL_KEY_LEN, md, &mdlen, EVP_sha256(),
	    NULL) != 1 || mdlen != sizeof(md))
		fatalx("SHA-256 failed");
	memcpy(id, md, JOBSEAL_KEYID_LEN);
}

static void
hex_id(const uint8_t id[JOBSEAL_KEYID_LEN], char *buf)
{
	size_t	 i;

	for (i = 0; i < JOBSEAL_KEYID_LEN; i++)
		(void)snprintf(buf + 2 * i, 3, "%02x", id[i]);
}

/* X25519 of our key and the peer's public key; -1 (all zero too) */
static int
shared_secret(EVP_PKEY *ours, const uint8_t peer[JOBSEAL_KEY_LEN],
    uint8_t secret[JOBSEAL_KEY_LEN])
{
	static const uint8_t	 zero[JOBSEAL_KEY_LEN];
	EVP_PKEY		*p;
	EVP_PKEY_CTX		*ctx = NULL;
	size_t			 len = JOBSEAL_KEY_LEN;
	int			 ok = 0;

	if ((p = EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, peer,
	    JOBSEAL_KEY_LEN)) == NULL)
		return -1;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, ours, NULL)) != NULL &&
	    EVP_PKEY_derive_init(ctx) == 1 &&
	    EVP_PKEY_derive_set_peer(ctx, p) == 1 &&
	    EVP_PKEY_derive(ctx, secret, &len) == 1 &&
	    len == JOBSEAL_KEY_LEN &&
	    memcmp(secret, zero, sizeof(zero)) != 0)
		ok = 1;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(p);
	if (!ok)
		explicit_bzero(secret, JOBSEAL_KEY_LEN);
	return ok ? 0 : -1;
}

/* the AEAD's key and nonce from the secret and both public keys */
static int
derive(const uint8_t secret[JOBSEAL_KEY_LEN],
    const uint8_t eph[JOBSEAL_KEY_LEN], const uint8_t rcpt[JOBSEAL_KEY_LEN],
    int aead, uint8_t okm[OKM_LEN])
{
	EVP_KDF_CTX	*k;
	OSSL_PARAM	 p[5];
	uint8_t		 salt[2 * JOBSEAL_KEY_LEN], info[INFO_LEN + 1];
	int		 rv;

	memcpy(salt, eph, JOBSEAL_KEY_LEN);
	memcpy(salt + JOBSEAL_KEY_LEN, rcpt, JOBSEAL_KEY_LEN);
	memcpy(info, INFO, INFO_LEN);
	info[INFO_LEN] = (uint8_t)aead;
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)secret, JOBSEAL_KEY_LEN);
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt,
	    sizeof(salt));
	p[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info,
	    sizeof(info));
	p[4] = OSSL_PARAM_construct_end();
	if ((k = EVP_KDF_CTX_new(lib.hkdf)) == NULL)
		return -1;
	rv = EVP_KDF_derive(k, okm, OKM_LEN, p) == 1 ? 0 : -1;
	EVP_KDF_CTX_free(k);
	return rv;
}

/*
 * The AEAD over in (len bytes) into out, with the header as additional
 * data; tag is written (enc) or checked (!enc).  -1 on any failure.
 */
static int
aead_run(int aead, int enc, const uint8_t okm[OKM_LEN],
    const uint8_t *hdr, const uint8_t *in, size_t len, uint8_t *out,
    uint8_t tag[JOBSEAL_TAG_LEN])
{
	EVP_CIPHER_CTX	*c;
	int		 n, ok = 0;

	if (len > JOBSEAL_PLAIN_MAX || (c = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_CipherInit_ex2(c, cipher_of(aead), okm, okm + AEAD_KEY_LEN,
	    enc, NULL) != 1 ||
	    EVP_CipherUpdate(c, NULL, &n, hdr, JOBSEAL_HEADER_LEN) != 1 ||
	    (len > 0 && (EVP_CipherUpdate(c, out, &n, in, (int)len) != 1 ||
	    (size_t)n != len)))
		goto done;
	if (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG,
	    JOBSEAL_TAG_LEN, tag) != 1)
		goto done;
	if (EVP_CipherFinal_ex(c, out + len, &n) != 1 || n != 0)
		goto done;
	if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG,
	    JOBSEAL_TAG_LEN, tag) != 1)
		goto done;
	ok = 1;
 done:
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

int
jobseal_seal(const uint8_t pub[JOBSEAL_KEY_LEN], int aead,
    const uint8_t *plain, size_t len, struct wbuf *out, char *err,
    size_t errlen)
{
	EVP_PKEY	*eph = NULL;
	uint8_t		 hdr[JOBSEAL_HEADER_LEN], secret[JOBSEAL_KEY_LEN];
	uint8_t		 okm[OKM_LEN], tag[JOBSEAL_TAG_LEN], *ct = NULL;
	size_t		 el = JOBSEAL_KEY_LEN;
	int		 rv = -1;

	if (!lib.ready && jobseal_init() == -1) {
		set_err(err, errlen, "libcrypto lacks X25519, HKDF or an AEAD");
		return -1;
	}
	if (cipher_of(aead) == NULL || len > JOBSEAL_PLAIN_MAX) {
		set_err(err, errlen, "AEAD %d or %zu bytes: not sealed", aead,
		    len);
		return -1;
	}
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, JOBSEAL_MAGIC, 4);
	hdr[4] = JOBSEAL_VERSION;
	hdr[5] = (uint8_t)aead;
	jobseal_key_id(pub, hdr + 8);
	if ((eph = EVP_PKEY_Q_keygen(NULL, NULL, "X25519")) == NULL ||
	    EVP_PKEY_get_raw_public_key(eph, hdr + 16, &el) != 1 ||
	    el != JOBSEAL_KEY_LEN) {
		set_err(err, errlen, "making an ephemeral X25519 key failed");
		goto done;
	}
	if (shared_secret(eph, pub, secret) == -1) {
		set_err(err, errlen, "X25519 with the job-data key failed "
		    "(not a usable public key)");
		goto done;
	}
	if (derive(secret, hdr + 16, pub, aead, okm) == -1) {
		set_err(err, errlen, "HKDF failed");
		goto done;
	}
	if ((ct = malloc(len + 1)) == NULL)
		fatal(NULL);
	if (aead_run(aead, 1, okm, hdr, plain, len, ct, tag) == -1) {
		set_err(err, errlen, "the AEAD failed");
		goto done;
	}
	wbuf_bytes(out, hdr, sizeof(hdr));
	wbuf_bytes(out, ct, len);
	wbuf_bytes(out, tag, sizeof(tag));
	rv = 0;
 done:
	explicit_bzero(secret, sizeof(secret));
	explicit_bzero(okm, sizeof(okm));
	free(ct);
	EVP_PKEY_free(eph);
	return rv;
}

int
jobseal_sealed_key_id(const uint8_t *in, size_t len,
    uint8_t id[JOBSEAL_KEYID_LEN])
{
	if (len < JOBSEAL_OVERHEAD)
		return -1;
	memcpy(id, in + 8, JOBSEAL_KEYID_LEN);
	return 0;
}

enum jobseal_error
jobseal_open(const uint8_t priv[JOBSEAL_KEY_LEN], const uint8_t *in,
    size_t len, struct wbuf *out, char *err, size_t errlen)
{
	EVP_PKEY		*k;
	uint8_t			 pub[JOBSEAL_KEY_LEN], id[JOBSEAL_KEYID_LEN];
	uint8_t			 secret[JOBSEAL_KEY_LEN], okm[OKM_LEN];
	uint8_t			 tag[JOBSEAL_TAG_LEN], *pt = NULL;
	char			 want[2 * JOBSEAL_KEYID_LEN + 1];
	char			 have[2 * JOBSEAL_KEYID_LEN + 1];
	size_t			 n, pl = sizeof(pub);
	enum jobseal_error	 rv = JOBSEAL_ECRYPTO;
	int			 aead;

	if (!lib.ready && jobseal_init() == -1) {
		set_err(err, errlen, "libcrypto lacks X25519, HKDF or an AEAD");
		return JOBSEAL_ECRYPTO;
	}
	if (len < JOBSEAL_OVERHEAD || len > JOBSEAL_SEALED_MAX ||
	    memcmp(in, JOBSEAL_MAGIC, 4) != 0) {
		set_err(err, errlen, "not sealed job data (%zu bytes%s)", len,
		    len >= 4 && memcmp(in, JOBSEAL_MAGIC, 4) != 0 ?
		    ", no \"" JOBSEAL_MAGIC "\"" : "");
		return JOBSEAL_EFORMAT;
	}
	aead = in[5];
	if (in[4] != JOBSEAL_VERSION || cipher_of(aead) == NULL ||
	    in[6] != 0 || in[7] != 0) {
		set_err(err, errlen, "sealed job data of version %u, AEAD %u: "
		    "this program knows version %d, AEAD 1 and 2", in[4],
		    in[5], JOBSEAL_VERSION);
		return JOBSEAL_EVERSION;
	}
	if ((k = EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL, priv,
	    JOBSEAL_KEY_LEN)) == NULL ||
	    EVP_PKEY_get_raw_public_key(k, pub, &pl) != 1 ||
	    pl != sizeof(pub)) {
		EVP_PKEY_free(k);
		set_err(err, errlen, "not a usable X25519 private key");
		return JOBSEAL_ECRYPTO;
	}
	jobseal_key_id(pub, id);
	if (memcmp(id, in + 8, JOBSEAL_KEYID_LEN) != 0) {
		hex_id(in + 8, want);
		hex_id(id, have);
		set_err(err, errlen, "sealed to another key: key id %s, this "
		    "key's is %s", want, have);
		EVP_PKEY_free(k);
		return JOBSEAL_EKEY;
	}
	n = len - JOBSEAL_OVERHEAD;
	if (shared_secret(k, in + 16, secret) == -1 ||
	    derive(secret, in + 16, pub, aead, okm) == -1) {
		/* a bad ephemeral key is a changed header: not authentic */
		set_err(err, errlen, "not authentic: the ephemeral key is not "
		    "usable (the data was changed or damaged)");
		rv = JOBSEAL_EAUTH;
		goto done;
	}
	if ((pt = malloc(n + 1)) == NULL)
		fatal(NULL);
	memcpy(tag, in + len - JOBSEAL_TAG_LEN, JOBSEAL_TAG_LEN);
	if (aead_run(aead, 0, okm, in, in + JOBSEAL_HEADER_LEN, n, pt,
	    tag) == -1) {
		set_err(err, errlen, "not authentic: the tag does not match "
		    "(the data was changed or damaged)");
		explicit_bzero(pt, n);
		rv = JOBSEAL_EAUTH;
		goto done;
	}
	wbuf_bytes(out, pt, n);
	explicit_bzero(pt, n);
	rv = JOBSEAL_OK;
 done:
	explicit_bzero(secret, sizeof(secret));
	explicit_bzero(okm, sizeof(okm));
	free(pt);
	EVP_PKEY_free(k);
	return rv;
}

/* no passphrase: an encrypted key fails instead of prompting */
static int
no_pass(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

static BIO *
pem_bio(const void *pem, size_t len, char *err, size_t errlen)
{
	BIO	*b;

	if (len == 0 || len > JOBSEAL_PEM_MAX) {
		set_err(err, errlen, "%zu bytes: a PEM key file has 1 to %d",
		    len, JOBSEAL_PEM_MAX);
		return NULL;
	}
	if ((b = BIO_new_mem_buf(pem, (int)len)) == NULL)
		fatalx("BIO_new_mem_buf");
	return b;
}

int
jobseal_public_pem(const void *pem, size_t len, uint8_t pub[JOBSEAL_KEY_LEN],
    char *err, size_t errlen)
{
	EVP_PKEY	*k;
	BIO		*b;
	size_t		 n = JOBSEAL_KEY_LEN;
	int		 rv = -1;

	if ((b = pem_bio(pem, len, err, errlen)) == NULL)
		return -1;
	k = PEM_read_bio_PUBKEY(b, NULL, no_pass, NULL);
	BIO_free(b);
	if (k == NULL)
		set_err(err, errlen, "not a PEM public key (\"BEGIN PUBLIC "
		    "KEY\", as openssl pkey -pubout writes it)");
	else if (!EVP_PKEY_is_a(k, "X25519"))
		set_err(err, errlen, "a public key, but not of X25519 (openssl "
		    "genpkey -algorithm X25519 makes one)");
	else if (EVP_PKEY_get_raw_public_key(k, pub, &n) != 1 ||
	    n != JOBSEAL_KEY_LEN)
		set_err(err, errlen, "an X25519 key without its 32 bytes");
	else
		rv = 0;
	EVP_PKEY_free(k);
	return rv;
}

int
jobseal_private_pem(const void *pem, size_t len,
    uint8_t priv[JOBSEAL_KEY_LEN], uint8_t pub[JOBSEAL_KEY_LEN], char *err,
    size_t errlen)
{
	EVP_PKEY	*k;
	BIO		*b;
	size_t		 n = JOBSEAL_KEY_LEN, m = JOBSEAL_KEY_LEN;
	int		 rv = -1;

	if ((b = pem_bio(pem, len, err, errlen)) == NULL)
		return -1;
	k = PEM_read_bio_PrivateKey(b, NULL, no_pass, NULL);
	BIO_free(b);
	if (k == NULL)
		set_err(err, errlen, "not an unencrypted PEM private key "
		    "(\"BEGIN PRIVATE KEY\", as openssl genpkey writes it)");
	else if (!EVP_PKEY_is_a(k, "X25519"))
		set_err(err, errlen, "a private key, but not of X25519");
	else if (EVP_PKEY_get_raw_private_key(k, priv, &n) != 1 ||
	    n != JOBSEAL_KEY_LEN ||
	    EVP_PKEY_get_raw_public_key(k, pub, &m) != 1 ||
	    m != JOBSEAL_KEY_LEN) {
		explicit_bzero(priv, JOBSEAL_KEY_LEN);
		set_err(err, errlen, "an X25519 key without its 32 bytes");
	} else
		rv = 0;
	EVP_PKEY_free(k);
	return rv;
}
