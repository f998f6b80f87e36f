/*
 * common/jobseal.c: sealed job data opens with the right private key
 * only, and not after any change; keys from PEM files as openssl(1)
 * writes them; bad input refused, never a crash.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "jobseal.h"
#include "test.h"

struct kp {
	uint8_t	 priv[JOBSEAL_KEY_LEN];
	uint8_t	 pub[JOBSEAL_KEY_LEN];
	char	 privpem[1024];
	char	 pubpem[1024];
};

/* a fresh key pair, raw and as PEM (openssl genpkey and pkey -pubout) */
static int
make_kp(struct kp *k)
{
	EVP_PKEY	*p;
	BIO		*b;
	size_t		 n = JOBSEAL_KEY_LEN, m = JOBSEAL_KEY_LEN;
	int		 len, ok = 0;

	memset(k, 0, sizeof(*k));
	if ((p = EVP_PKEY_Q_keygen(NULL, NULL, "X25519")) == NULL)
		return -1;
	if (EVP_PKEY_get_raw_private_key(p, k->priv, &n) == 1 &&
	    EVP_PKEY_get_raw_public_key(p, k->pub, &m) == 1 &&
	    (b = BIO_new(BIO_s_mem())) != NULL) {
		if (PEM_write_bio_PrivateKey(b, p, NULL, NULL, 0, NULL,
		    NULL) == 1 && (len = BIO_read(b, k->privpem,
		    sizeof(k->privpem) - 1)) > 0 &&
		    PEM_write_bio_PUBKEY(b, p) == 1 &&
		    BIO_read(b, k->pubpem, sizeof(k->pubpem) - 1) > 0)
			ok = 1;
		BIO_free(b);
	}
	EVP_PKEY_free(p);
	return ok ? 0 : -1;
}

static const char	 plain[] = "{\"jobs\":[{\"owner\":\"alice\"}]}";

TEST(round_trip_both_aeads)
{
	struct kp	 k;
	struct wbuf	 s, o;
	int		 aead;
	char		 err[256];

	CHECK(jobseal_init() == 0);
	CHECK(make_kp(&k) == 0);
	for (aead = JOBSEAL_AES256GCM; aead <= JOBSEAL_CHACHA20; aead++) {
		wbuf_init(&s);
		wbuf_init(&o);
		CHECK(jobseal_seal(k.pub, aead, (const uint8_t *)plain,
		    strlen(plain), &s, err, sizeof(err)) == 0);
		CHECK_EQ_INT(s.len, strlen(plain) + JOBSEAL_OVERHEAD);
		CHECK(memcmp(s.data, "CHJD\x01", 5) == 0);
		CHECK_EQ_INT(s.data[5], aead);
		/* the plaintext is nowhere in the sealed form */
		CHECK(memmem(s.data, s.len, "alice", 5) == NULL);
		CHECK_EQ_INT(jobseal_open(k.priv, s.data, s.len, &o, err,
		    sizeof(err)), JOBSEAL_OK);
		CHECK_EQ_INT(o.len, strlen(plain));
		CHECK(memcmp(o.data, plain, o.len) == 0);
		wbuf_free(&s);
		wbuf_free(&o);
	}
}

TEST(fresh_each_time)
{
	struct kp	 k;
	struct wbuf	 a, b;

	CHECK(make_kp(&k) == 0);
	wbuf_init(&a);
	wbuf_init(&b);
	CHECK(jobseal_seal(k.pub, JOBSEAL_AES256GCM, (const uint8_t *)plain,
	    strlen(plain), &a, NULL, 0) == 0);
	CHECK(jobseal_seal(k.pub, JOBSEAL_AES256GCM, (const uint8_t *)plain,
	    strlen(plain), &b, NULL, 0) == 0);
	CHECK(a.len == b.len);
	/* another ephemeral key, another ciphertext */
	CHECK(memcmp(a.data + 16, b.data + 16, 32) != 0);
	CHECK(memcmp(a.data + 48, b.data + 48, a.len - 48) != 0);
	/* the same key id: the recipient's */
	CHECK(memcmp(a.data + 8, b.data + 8, 8) == 0);
	wbuf_free(&a);
	wbuf_free(&b);
}

TEST(empty_plaintext)
{
	struct kp	 k;
	struct wbuf	 s, o;

	CHECK(make_kp(&k) == 0);
	wbuf_init(&s);
	wbuf_init(&o);
	CHECK(jobseal_seal(k.pub, JOBSEAL_CHACHA20, NULL, 0, &s, NULL,
	    0) == 0);
	CHECK_EQ_INT(s.len, JOBSEAL_OVERHEAD);
	CHECK_EQ_INT(jobseal_open(k.priv, s.data, s.len, &o, NULL, 0),
	    JOBSEAL_OK);
	CHECK_EQ_INT(o.len, 0);
	wbuf_free(&s);
	wbuf_free(&o);
}

TEST(other_key_refused)
{
	struct kp	 k, other;
	struct wbuf	 s, o;
	char		 err[256];

	CHECK(make_kp(&k) == 0);
	CHECK(make_kp(&other) == 0);
	wbuf_init(&s);
	wbuf_init(&o);
	CHECK(jobseal_seal(k.pub, JOBSEAL_AES256GCM, (const uint8_t *)plain,
	    strlen(plain), &s, NULL, 0) == 0);
	CHECK_EQ_INT(jobseal_open(other.priv, s.data, s.len, &o, err,
	    sizeof(err)), JOBSEAL_EKEY);
	CHECK(strstr(err, "sealed to another key") != NULL);
	CHECK_EQ_INT(o.len, 0);
	/* another key that claims the right id still fails: the tag */
	jobseal_key_id(other.pub, s.data + 8);
	CHECK_EQ_INT(jobseal_open(other.priv, s.data, s.len, &o, err,
	    sizeof(err)), JOBSEAL_EAUTH);
	CHECK_EQ_INT(o.len, 0);
	wbuf_free(&s);
	wbuf_free(&o);
}

/* every byte changed, one at a time: never opens */
TEST(every_byte_matters)
{
	struct kp		 k;
	struct wbuf		 s, o;
	size_t			 i;
	enum jobseal_error	 e;

	CHECK(make_kp(&k) == 0);
	wbuf_init(&s);
	wbuf_init(&o);
	CHECK(jobseal_seal(k.pub, JOBSEAL_AES256GCM, (const uint8_t *)plain,
	    strlen(plain), &s, NULL, 0) == 0);
	for (i = 0; i < s.len; i++) {
		s.data[i] ^= 0x01;
		e = jobseal_open(k.priv, s.data, s.len, &o, NULL, 0);
		s.data[i] ^= 0x01;
		CHECK(e != JOBSEAL_OK);
		CHECK_EQ_INT(o.len, 0);
	}
	/* cut short, one more byte */
	CHECK(jobseal_open(k.priv, s.data, s.len - 1, &o, NULL, 0) ==
	    JOBSEAL_EAUTH);
	wbuf_u8(&s, 0);
	CHECK(jobseal_open(k.priv, s.data, s.len, &o, NULL, 0) ==
	    JOBSEAL_EAUTH);
	CHECK_EQ_INT(o.len, 0);
	CHECK_EQ_INT(jobseal_open(k.priv, s.data, s.len - 1, &o, NULL, 0),
	    JOBSEAL_OK);
	wbuf_free(&s);
	wbuf_free(&o);
}

TEST(bad_forms)
{
	struct kp	 k;
	struct wbuf	 s, o;
	uint8_t		 junk[JOBSEAL_OVERHEAD];
	char		 err[256];

	CHECK(make_kp(&k) == 0);
	wbuf_init(&o);
	CHECK_EQ_INT(jobseal_open(k.priv, (const uint8_t *)"CHJD", 4, &o, err,
	    sizeof(err)), JOBSEAL_EFORMAT);
	memset(junk, 'A', sizeof(junk));
	CHECK_EQ_INT(jobseal_open(k.priv, junk, sizeof(junk), &o, err,
	    sizeof(err)), JOBSEAL_EFORMAT);
	wbuf_init(&s);
	CHECK(jobseal_seal(k.pub, JOBSEAL_AES256GCM, (const uint8_t *)plain,
	    strlen(plain), &s, NULL, 0) == 0);
	s.data[4] = 2;		/* a version to come */
	CHECK_EQ_INT(jobseal_open(k.priv, s.data, s.len, &o, err,
	    sizeof(err)), JOBSEAL_EVERSION);
	s.data[4] = 1;
	s.data[5] = 3;		/* an AEAD nobody knows */
	CHECK_EQ_INT(jobseal_open(k.priv, s.data, s.len, &o, err,
	    sizeof(err)), JOBSEAL_EVERSION);
	s.data[5] = 1;
	/* an ephemeral key of all zeros: a low-order point */
	memset(s.data + 16, 0, 32);
	CHECK_EQ_INT(jobseal_open(k.priv, s.data, s.len, &o, err,
	    sizeof(err)), JOBSEAL_EAUTH);
	CHECK_EQ_INT(o.len, 0);
	/* sealing to an all-zero public key is refused */
	memset(k.pub, 0, sizeof(k.pub));
	wbuf_reset(&s);
	CHECK(jobseal_seal(k.pub, JOBSEAL_AES256GCM, (const uint8_t *)plain,
	    strlen(plain), &s, err, sizeof(err)) == -1);
	CHECK_EQ_INT(s.len, 0);
	CHECK(jobseal_seal(k.pub, 9, (const uint8_t *)plain, 1, &s, err,
	    sizeof(err)) == -1);
	wbuf_free(&s);
	wbuf_free(&o);
}

TEST(pem_keys)
{
	struct kp	 k;
	uint8_t		 pub[JOBSEAL_KEY_LEN], priv[JOBSEAL_KEY_LEN];
	uint8_t		 pub2[JOBSEAL_KEY_LEN];
	char		 err[256];
	static const char ed[] = "-----BEGIN PUBLIC KEY-----\n"
	    "MCowBQYDK2VwAyEA+oT/VbvAw0K++dIki63zdiE6aWoIMCm9rlQd/pgxivg=\n"
	    "-----END PUBLIC KEY-----\n";

	CHECK(make_kp(&k) == 0);
	CHECK(jobseal_public_pem(k.pubpem, strlen(k.pubpem), pub, err,
	    sizeof(err)) == 0);
	CHECK(memcmp(pub, k.pub, sizeof(pub)) == 0);
	CHECK(jobseal_private_pem(k.privpem, strlen(k.privpem), priv, pub2,
	    err, sizeof(err)) == 0);
	CHECK(memcmp(priv, k.priv, sizeof(priv)) == 0);
	CHECK(memcmp(pub2, k.pub, sizeof(pub2)) == 0);
	/* each file is only what it is */
	CHECK(jobseal_public_pem(k.privpem, strlen(k.privpem), pub, err,
	    sizeof(err)) == -1);
	CHECK(jobseal_private_pem(k.pubpem, strlen(k.pubpem), priv, pub2,
	    err, sizeof(err)) == -1);
	/* an Ed25519 key is not an X25519 key */
	CHECK(jobseal_public_pem(ed, strlen(ed), pub, err, sizeof(err)) ==
	    -1);
	CHECK(strstr(err, "X25519") != NULL);
	CHECK(jobseal_public_pem("", 0, pub, err, sizeof(err)) == -1);
	CHECK(jobseal_public_pem("garbage", 7, pub, err, sizeof(err)) == -1);
}

TEST_MAIN_BEGIN("test_jobseal")
	RUN(round_trip_both_aeads);
	RUN(fresh_each_time);
	RUN(empty_plaintext);
	RUN(other_key_refused);
	RUN(every_byte_matters);
	RUN(bad_forms);
	RUN(pem_keys);
TEST_MAIN_END
