/*
 * common/signify.c: the strict reader of signify key and signature
 * files, strict base64, and Ed25519 verification through libcrypto.
 * A known answer made by signify-openbsd, then keys made here: every
 * kind of malformed file, unknown keys, bad signatures, key rotation,
 * comments that do not matter.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "signify.h"
#include "sigtest.h"
#include "test.h"

/* made by "signify-openbsd -G -n" and "signify-openbsd -S -m body" */
#define REAL_PUB \
	"untrusted comment: signify public key\n" \
	"RWSt+zGD7/kxDngDoSfXo7S28unizeZ/BKlMf0yW40XLeKB3g09WxHpm\n"
#define REAL_SIG \
	"untrusted comment: verify with k.pub\n" \
	"RWSt+zGD7/kxDvNdOLrlkLlP8fAL7doKvqtAT6vt2cEMXfUwQunZj6C/dGXixvT77/" \
	"c97+2kKQy31uwM4vpyqaZceKHyNIrXnQ0=\n"
#define REAL_MSG	"callhome-instructions 1\ngateway gw1\n"

#define U8(s)		((const uint8_t *)(s))

static char	 err[512];

static const uint8_t	 num_a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t	 num_b[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
static struct tkey	 ka, kb;

static int
keys_ok(const char *s, size_t *nkeys)
{
	struct signify_keyring	 ring;

	if (signify_parse_keys(U8(s), strlen(s), &ring, err,
	    sizeof(err)) == -1)
		return 0;
	if (nkeys != NULL)
		*nkeys = ring.nkeys;
	return 1;
}

static enum signify_result
detached(const char *pub, const char *sig, const char *msg)
{
	struct signify_keyring	 ring;

	if (signify_parse_keys(U8(pub), strlen(pub), &ring, err,
	    sizeof(err)) == -1)
		return 99;
	return signify_verify_detached(&ring, U8(sig), strlen(sig), msg,
	    strlen(msg), err, sizeof(err));
}

TEST(real_signify)
{
	CHECK_EQ_INT(detached(REAL_PUB, REAL_SIG, REAL_MSG), SIGNIFY_OK);
	CHECK_EQ_INT(detached(REAL_PUB, REAL_SIG, "callhome-instructions 1\n"
	    "gateway gw2\n"), SIGNIFY_BAD_SIGNATURE);
	CHECK_EQ_INT(detached(REAL_PUB, REAL_SIG, ""), SIGNIFY_BAD_SIGNATURE);
}

TEST(result_names)
{
	CHECK_STR(signify_result_name(SIGNIFY_OK), "ok");
	CHECK_STR(signify_result_name(SIGNIFY_MALFORMED), "malformed");
	CHECK_STR(signify_result_name(SIGNIFY_UNKNOWN_KEY), "unknown-key");
	CHECK_STR(signify_result_name(SIGNIFY_BAD_SIGNATURE),
	    "bad-signature");
	CHECK_STR(signify_result_name((enum signify_result)77), "malformed");
}

TEST(base64_strict)
{
	static const struct {
		const char	*in;
		const char	*out;	/* NULL: refused */
	} v[] = {
		{ "", "" },
		{ "Zg==", "f" },
		{ "Zm8=", "fo" },
		{ "Zm9v", "foo" },
		{ "Zm9vYg==", "foob" },
		{ "Zm9vYmE=", "fooba" },
		{ "Zm9vYmFy", "foobar" },
		{ "Zh==", NULL },	/* unused bits set: not canonical */
		{ "Zm9=", NULL },
		{ "Z===", NULL },
		{ "====", NULL },
		{ "=Zg=", NULL },
		{ "Zg=a", NULL },
		{ "Zg", NULL },		/* no padding */
		{ "Zm9vY", NULL },
		{ "Zm9 v", NULL },
		{ "Zm9\nv", NULL },
		{ "Zm9-", NULL },	/* the URL alphabet */
		{ "Zm9_", NULL },
		{ "Zg==Zg==", NULL },	/* padding in the middle */
	};
	uint8_t		 out[16];
	size_t		 i, n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (v[i].out == NULL) {
			CHECK(b64_decode_strict(v[i].in, strlen(v[i].in), out,
			    sizeof(out), &n) == -1);
			continue;
		}
		CHECK(b64_decode_strict(v[i].in, strlen(v[i].in), out,
		    sizeof(out), &n) == 0);
		CHECK_EQ_INT(n, strlen(v[i].out));
		CHECK(memcmp(out, v[i].out, n) == 0);
	}
	/* no room: refused, not overrun */
	CHECK(b64_decode_strict("Zm9vYmFy", 8, out, 5, &n) == -1);
	CHECK(b64_decode_strict("Zm9vYg==", 8, out, 4, &n) == 0);
	CHECK_EQ_INT(n, 4);
	/* every byte value survives */
	{
		uint8_t	 all[256], back[256];
		char	 b64[400];

		for (i = 0; i < 256; i++)
			all[i] = (uint8_t)i;
		for (n = 0; n <= 256; n += 85) {
			size_t	 m;

			tb64(all, n, b64, sizeof(b64));
			CHECK(b64_decode_strict(b64, strlen(b64), back,
			    sizeof(back), &m) == 0);
			CHECK_EQ_INT(m, n);
			CHECK(memcmp(all, back, n) == 0);
		}
	}
}

TEST(one_and_many_keys)
{
	char		 buf[8192];
	size_t		 len = 0, n = 0;
	struct tkey	 k[SIGNIFY_MAX_KEYS + 1];
	uint8_t		 num[8];
	int		 i;

	tkey_pubfile(&ka, "signify public key", buf, sizeof(buf), &len);
	CHECK(keys_ok(buf, &n));
	CHECK_EQ_INT(n, 1);
	tkey_pubfile(&kb, "the next key", buf, sizeof(buf), &len);
	CHECK(keys_ok(buf, &n));
	CHECK_EQ_INT(n, 2);

	len = 0;
	buf[0] = '\0';
	for (i = 0; i <= SIGNIFY_MAX_KEYS; i++) {
		memset(num, 0x40 + i, sizeof(num));
		tkey_new(&k[i], num);
		tkey_pubfile(&k[i], "k", buf, sizeof(buf), &len);
		if (i < SIGNIFY_MAX_KEYS) {
			CHECK(keys_ok(buf, &n));
			CHECK_EQ_INT(n, i + 1);
		} else
			CHECK(!keys_ok(buf, NULL));
	}
	for (i = 0; i <= SIGNIFY_MAX_KEYS; i++)
		tkey_free(&k[i]);
}

TEST(duplicate_key_number)
{
	char		 buf[1024];
	size_t		 len = 0;
	struct tkey	 twin;

	tkey_new(&twin, num_a);		/* another key, ka's number */
	tkey_pubfile(&ka, "a", buf, sizeof(buf), &len);
	tkey_pubfile(&twin, "b", buf, sizeof(buf), &len);
	tkey_free(&twin);
	CHECK(!keys_ok(buf, NULL));
	CHECK(strstr(err, "0102030405060708") != NULL);
	/* the same key twice is refused as well */
	len = 0;
	tkey_pubfile(&ka, "a", buf, sizeof(buf), &len);
	tkey_pubfile(&ka, "a", buf, sizeof(buf), &len);
	CHECK(!keys_ok(buf, NULL));
}

/* a public key file of ka with `from' replaced by `to' */
static int
edited_key_ok(const char *from, const char *to)
{
	char	 buf[4096], out[4096], *p;
	size_t	 len = 0;

	tkey_pubfile(&ka, "signify public key", buf, sizeof(buf), &len);
	if ((p = strstr(buf, from)) == NULL)
		return -1;
	(void)snprintf(out, sizeof(out), "%.*s%s%s", (int)(p - buf), buf, to,
	    p + strlen(from));
	return keys_ok(out, NULL);
}

TEST(malformed_keys)
{
	char	 buf[1024], b64[100];
	size_t	 len = 0;
	uint8_t	 raw[42];

	CHECK(!keys_ok("", NULL));
	CHECK(edited_key_ok("untrusted comment: ", "untrusted comment:") == 0);
	CHECK(edited_key_ok("untrusted comment: ", "Untrusted comment: ") ==
	    0);
	CHECK(edited_key_ok("untrusted comment: ", " untrusted comment: ") ==
	    0);
	CHECK(edited_key_ok("untrusted comment: ", "") == 0);
	CHECK(edited_key_ok("signify public key", "") == 0);	/* empty */
	CHECK(edited_key_ok("public", "pub\rlic") == 0);
	CHECK(edited_key_ok("key\n", "key\r\n") == 0);
	/* the base64 line */
	tkey_pubfile(&ka, "c", buf, sizeof(buf), &len);
	{
		char	*line = strchr(buf, '\n') + 1, copy[4096];

		/* a space, a tab, a CR inside or around */
		(void)snprintf(copy, sizeof(copy), "untrusted comment: c\n "
		    "%s", line);
		CHECK(!keys_ok(copy, NULL));
		(void)snprintf(copy, sizeof(copy), "untrusted comment: c\n"
		    "%.*s %s", 10, line, line + 10);
		CHECK(!keys_ok(copy, NULL));
		(void)snprintf(copy, sizeof(copy), "untrusted comment: c\n"
		    "%.*s\t\n", 56, line);
		CHECK(!keys_ok(copy, NULL));
		(void)snprintf(copy, sizeof(copy), "untrusted comment: c\n"
		    "%.*s\r\n", 56, line);
		CHECK(!keys_ok(copy, NULL));
		/* short, long, no final newline */
		(void)snprintf(copy, sizeof(copy), "untrusted comment: c\n"
		    "%.*s\n", 52, line);
		CHECK(!keys_ok(copy, NULL));
		(void)snprintf(copy, sizeof(copy), "untrusted comment: c\n"
		    "%.*sAAAA\n", 56, line);
		CHECK(!keys_ok(copy, NULL));
		(void)snprintf(copy, sizeof(copy), "untrusted comment: c\n"
		    "%.*s", 56, line);
		CHECK(!keys_ok(copy, NULL));
		/* a blank line or junk after the key */
		(void)snprintf(copy, sizeof(copy), "%s\n", buf);
		CHECK(!keys_ok(copy, NULL));
		(void)snprintf(copy, sizeof(copy), "%sx", buf);
		CHECK(!keys_ok(copy, NULL));
		(void)snprintf(copy, sizeof(copy), "%suntrusted comment: c\n",
		    buf);
		CHECK(!keys_ok(copy, NULL));
		/* a comment line alone */
		CHECK(!keys_ok("untrusted comment: c\n", NULL));
		/* still fine as it is */
		CHECK(keys_ok(buf, NULL));
	}
	/* not "Ed" */
	memcpy(raw, "Ek", 2);
	memcpy(raw + 2, ka.keynum, 8);
	memcpy(raw + 10, ka.pub, 32);
	tb64(raw, sizeof(raw), b64, sizeof(b64));
	(void)snprintf(buf, sizeof(buf), "untrusted comment: c\n%s\n", b64);
	CHECK(!keys_ok(buf, NULL));
	memcpy(raw, "Ed", 2);
	tb64(raw, sizeof(raw), b64, sizeof(b64));
	(void)snprintf(buf, sizeof(buf), "untrusted comment: c\n%s\n", b64);
	CHECK(keys_ok(buf, NULL));
	/* a signature where a key belongs */
	len = 0;
	tkey_sigfile(&ka, "c", "m", 1, buf, sizeof(buf), &len);
	CHECK(!keys_ok(buf, NULL));
	/* a NUL anywhere */
	len = 0;
	tkey_pubfile(&ka, "c", buf, sizeof(buf), &len);
	{
		struct signify_keyring	 ring;
		size_t			 i;
		char			 copy[256];

		for (i = 0; i < len; i++) {
			memcpy(copy, buf, len);
			copy[i] = '\0';
			CHECK(signify_parse_keys(U8(copy), len, &ring, err,
			    sizeof(err)) == -1);
			CHECK_EQ_INT(ring.nkeys, 0);
		}
	}
}

TEST(comment_bounds)
{
	char			 comment[SIGNIFY_COMMENT_MAX + 2], buf[4096];
	size_t			 len = 0;
	struct signify_keyring	 ring;

	memset(comment, 'c', sizeof(comment));
	comment[SIGNIFY_COMMENT_MAX] = '\0';
	tkey_pubfile(&ka, comment, buf, sizeof(buf), &len);
	CHECK(signify_parse_keys(U8(buf), len, &ring, err, sizeof(err)) == 0);
	comment[SIGNIFY_COMMENT_MAX] = 'c';
	comment[SIGNIFY_COMMENT_MAX + 1] = '\0';
	len = 0;
	tkey_pubfile(&ka, comment, buf, sizeof(buf), &len);
	CHECK(signify_parse_keys(U8(buf), len, &ring, err, sizeof(err)) ==
	    -1);
	/* anything but NUL, CR and LF is a comment, and does not matter */
	len = 0;
	tkey_pubfile(&ka, "\x01\x7f\xff <&> \t untrusted comment: x", buf,
	    sizeof(buf), &len);
	CHECK(signify_parse_keys(U8(buf), len, &ring, err, sizeof(err)) == 0);
	CHECK(memcmp(ring.keys[0].pubkey, ka.pub, 32) == 0);
	CHECK(memcmp(ring.keys[0].keynum, ka.keynum, 8) == 0);
}

TEST(file_size_bounds)
{
	struct signify_keyring	 ring;
	struct signify_sig	 sig;
	uint8_t			*big;

	if ((big = calloc(1, SIGNIFY_KEYFILE_MAX + 1)) == NULL)
		abort();
	memset(big, 'x', SIGNIFY_KEYFILE_MAX + 1);
	CHECK(signify_parse_keys(big, SIGNIFY_KEYFILE_MAX + 1, &ring, err,
	    sizeof(err)) == -1);
	CHECK(strstr(err, "bytes") != NULL);
	CHECK(signify_parse_sig(big, SIGNIFY_SIGFILE_MAX + 1, &sig, err,
	    sizeof(err)) == -1);
	free(big);
}

TEST(detached_signatures)
{
	char			 pub[1024], sig[1024], copy[2100];
	size_t			 plen = 0, slen = 0;
	struct signify_keyring	 ring;
	struct signify_sig	 s;
	const char		*msg = "the file\n";

	tkey_pubfile(&ka, "signify public key", pub, sizeof(pub), &plen);
	tkey_sigfile(&ka, "verify with a.pub", msg, strlen(msg), sig,
	    sizeof(sig), &slen);
	CHECK(signify_parse_keys(U8(pub), plen, &ring, err, sizeof(err)) ==
	    0);
	CHECK(signify_parse_sig(U8(sig), slen, &s, err, sizeof(err)) == 0);
	CHECK(memcmp(s.keynum, num_a, 8) == 0);
	CHECK_EQ_INT(signify_verify(&ring, &s, msg, strlen(msg)), SIGNIFY_OK);
	CHECK_EQ_INT(signify_verify(&ring, &s, msg, strlen(msg) - 1),
	    SIGNIFY_BAD_SIGNATURE);
	/* every bit of the signature counts */
	{
		size_t	 i;
		int	 b;

		for (i = 0; i < SIGNIFY_SIG_LEN; i++)
			for (b = 0; b < 8; b++) {
				s.sig[i] ^= 1 << b;
				CHECK_EQ_INT(signify_verify(&ring, &s, msg,
				    strlen(msg)), SIGNIFY_BAD_SIGNATURE);
				s.sig[i] ^= 1 << b;
			}
		CHECK_EQ_INT(signify_verify(&ring, &s, msg, strlen(msg)),
		    SIGNIFY_OK);
	}
	/* the detached file must end after its signature */
	(void)snprintf(copy, sizeof(copy), "%s%s", sig, msg);
	CHECK_EQ_INT(signify_verify_detached(&ring, U8(copy), strlen(copy),
	    msg, strlen(msg), err, sizeof(err)), SIGNIFY_MALFORMED);
	(void)snprintf(copy, sizeof(copy), "%s\n", sig);
	CHECK_EQ_INT(signify_verify_detached(&ring, U8(copy), strlen(copy),
	    msg, strlen(msg), err, sizeof(err)), SIGNIFY_MALFORMED);
	/* a key file is no signature */
	CHECK_EQ_INT(signify_verify_detached(&ring, U8(pub), plen, msg,
	    strlen(msg), err, sizeof(err)), SIGNIFY_MALFORMED);
	CHECK_EQ_INT(signify_verify_detached(&ring, U8(""), 0, msg,
	    strlen(msg), err, sizeof(err)), SIGNIFY_MALFORMED);
	CHECK_EQ_INT(signify_verify_detached(&ring, U8(sig), slen, msg,
	    strlen(msg), err, sizeof(err)), SIGNIFY_OK);
}

TEST(unknown_key)
{
	char			 pub[1024], sig[1024];
	size_t			 plen = 0, slen = 0;
	struct signify_keyring	 ring;

	tkey_pubfile(&ka, "a", pub, sizeof(pub), &plen);
	tkey_sigfile(&kb, "b", "m", 1, sig, sizeof(sig), &slen);
	CHECK(signify_parse_keys(U8(pub), plen, &ring, err, sizeof(err)) ==
	    0);
	CHECK_EQ_INT(signify_verify_detached(&ring, U8(sig), slen, "m", 1,
	    err, sizeof(err)), SIGNIFY_UNKNOWN_KEY);
	CHECK(strstr(err, "0909090909090909") != NULL);
	/* an empty ring knows no key */
	memset(&ring, 0, sizeof(ring));
	CHECK_EQ_INT(signify_verify_detached(&ring, U8(sig), slen, "m", 1,
	    err, sizeof(err)), SIGNIFY_UNKNOWN_KEY);
}

TEST(key_number_picks_the_key)
{
	char			 pub[1024], sig[1024];
	size_t			 plen = 0, slen = 0;
	struct signify_keyring	 ring;
	struct tkey		 impostor;

	/* another key that claims ka's number: ka must verify, and fails */
	tkey_new(&impostor, num_a);
	tkey_pubfile(&ka, "a", pub, sizeof(pub), &plen);
	tkey_pubfile(&kb, "b", pub, sizeof(pub), &plen);
	tkey_sigfile(&impostor, "a", "m", 1, sig, sizeof(sig), &slen);
	tkey_free(&impostor);
	CHECK(signify_parse_keys(U8(pub), plen, &ring, err, sizeof(err)) ==
	    0);
	CHECK_EQ_INT(signify_verify_detached(&ring, U8(sig), slen, "m", 1,
	    err, sizeof(err)), SIGNIFY_BAD_SIGNATURE);
}

TEST(rotation)
{
	char			 pub[1024], sa[1024], sb[1024];
	size_t			 plen = 0, la = 0, lb = 0;
	struct signify_keyring	 ring;

	tkey_sigfile(&ka, "old", "m", 1, sa, sizeof(sa), &la);
	tkey_sigfile(&kb, "new", "m", 1, sb, sizeof(sb), &lb);
	/* old and new: either verifies, in either order */
	tkey_pubfile(&ka, "old", pub, sizeof(pub), &plen);
	tkey_pubfile(&kb, "new", pub, sizeof(pub), &plen);
	CHECK(signify_parse_keys(U8(pub), plen, &ring, err, sizeof(err)) ==
	    0);
	CHECK_EQ_INT(signify_verify_detached(&ring, U8(sa), la, "m", 1, err,
	    sizeof(err)), SIGNIFY_OK);
	CHECK_EQ_INT(signify_verify_detached(&ring, U8(sb), lb, "m", 1, err,
	    sizeof(err)), SIGNIFY_OK);
	plen = 0;
	tkey_pubfile(&kb, "new", pub, sizeof(pub), &plen);
	tkey_pubfile(&ka, "old", pub, sizeof(pub), &plen);
	CHECK(signify_parse_keys(U8(pub), plen, &ring, err, sizeof(err)) ==
	    0);
	CHECK_EQ_INT(signify_verify_detached(&ring, U8(sa), la, "m", 1, err,
	    sizeof(err)), SIGNIFY_OK);
	CHECK_EQ_INT(signify_verify_detached(&ring, U8(sb), lb, "m", 1, err,
	    sizeof(err)), SIGNIFY_OK);
	/* the old one removed */
	plen = 0;
	tkey_pubfile(&kb, "new", pub, sizeof(pub), &plen);
	CHECK(signify_parse_keys(U8(pub), plen, &ring, err, sizeof(err)) ==
	    0);
	CHECK_EQ_INT(signify_verify_detached(&ring, U8(sa), la, "m", 1, err,
	    sizeof(err)), SIGNIFY_UNKNOWN_KEY);
	CHECK_EQ_INT(signify_verify_detached(&ring, U8(sb), lb, "m", 1, err,
	    sizeof(err)), SIGNIFY_OK);
}

TEST(embedded)
{
	struct signify_keyring	 ring;
	struct signify_sig	 s;
	char			 pub[1024];
	size_t			 plen = 0, len, mlen;
	uint8_t			*f;
	const uint8_t		*m;
	const char		*msg = "callhome-instructions 1\n";

	tkey_pubfile(&ka, "a", pub, sizeof(pub), &plen);
	CHECK(signify_parse_keys(U8(pub), plen, &ring, err, sizeof(err)) ==
	    0);
	f = tkey_embedded(&ka, msg, strlen(msg), &len);
	CHECK(signify_parse_embedded(f, len, &s, &m, &mlen, err,
	    sizeof(err)) == 0);
	CHECK_EQ_INT(mlen, strlen(msg));
	CHECK(memcmp(m, msg, mlen) == 0);
	CHECK_EQ_INT(signify_verify_embedded(&ring, f, len, &m, &mlen, err,
	    sizeof(err)), SIGNIFY_OK);
	CHECK(m == f + len - strlen(msg));
	/* one byte more, or less, of the message */
	CHECK_EQ_INT(signify_verify_embedded(&ring, f, len - 1, &m, &mlen,
	    err, sizeof(err)), SIGNIFY_BAD_SIGNATURE);
	CHECK(m == NULL && mlen == 0);
	f[len - 1] = 'x';
	CHECK_EQ_INT(signify_verify_embedded(&ring, f, len, &m, &mlen, err,
	    sizeof(err)), SIGNIFY_BAD_SIGNATURE);
	free(f);
	/* an empty message is a message */
	f = tkey_embedded(&ka, "", 0, &len);
	CHECK_EQ_INT(signify_verify_embedded(&ring, f, len, &m, &mlen, err,
	    sizeof(err)), SIGNIFY_OK);
	CHECK_EQ_INT(mlen, 0);
	/* no signature section at all */
	CHECK_EQ_INT(signify_verify_embedded(&ring, U8(msg), strlen(msg), &m,
	    &mlen, err, sizeof(err)), SIGNIFY_MALFORMED);
	CHECK_EQ_INT(signify_verify_embedded(&ring, f, len - 1, &m, &mlen,
	    err, sizeof(err)), SIGNIFY_MALFORMED);
	free(f);
}

TEST(comments_do_not_matter)
{
	char	 pub1[1024], pub2[1024], sig1[1024], sig2[1024];
	size_t	 l1 = 0, l2 = 0, s1 = 0, s2 = 0;

	tkey_pubfile(&ka, "signify public key", pub1, sizeof(pub1), &l1);
	tkey_pubfile(&ka, "trust me: this is not the key", pub2, sizeof(pub2),
	    &l2);
	tkey_sigfile(&ka, "verify with a.pub", "m", 1, sig1, sizeof(sig1),
	    &s1);
	tkey_sigfile(&ka, "verify with another key", "m", 1, sig2,
	    sizeof(sig2), &s2);
	CHECK_EQ_INT(detached(pub1, sig1, "m"), SIGNIFY_OK);
	CHECK_EQ_INT(detached(pub2, sig1, "m"), SIGNIFY_OK);
	CHECK_EQ_INT(detached(pub1, sig2, "m"), SIGNIFY_OK);
	CHECK_EQ_INT(detached(pub2, sig2, "m"), SIGNIFY_OK);
	CHECK_EQ_INT(detached(pub2, sig2, "n"), SIGNIFY_BAD_SIGNATURE);
}

TEST(not_a_point)
{
	struct signify_keyring	 ring;
	struct signify_sig	 s;
	uint8_t			 sig[64];

	/* a "key" that is no curve point verifies nothing, and no crash */
	memset(&ring, 0, sizeof(ring));
	ring.nkeys = 1;
	memcpy(ring.keys[0].keynum, num_a, 8);
	memset(ring.keys[0].pubkey, 0xff, 32);
	tkey_sign(&ka, "m", 1, sig);
	memcpy(s.keynum, num_a, 8);
	memcpy(s.sig, sig, 64);
	CHECK_EQ_INT(signify_verify(&ring, &s, "m", 1), SIGNIFY_BAD_SIGNATURE);
	/* the right key does */
	memcpy(ring.keys[0].pubkey, ka.pub, 32);
	CHECK_EQ_INT(signify_verify(&ring, &s, "m", 1), SIGNIFY_OK);
}

TEST(overlap)
{
	struct signify_keyring	 a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.nkeys = b.nkeys = 1;
	memcpy(a.keys[0].keynum, ka.keynum, 8);
	memcpy(a.keys[0].pubkey, ka.pub, 32);
	memcpy(b.keys[0].keynum, kb.keynum, 8);
	memcpy(b.keys[0].pubkey, kb.pub, 32);
	CHECK(!signify_keyrings_overlap(&a, &b));
	b.keys[1] = a.keys[0];
	b.nkeys = 2;
	CHECK(signify_keyrings_overlap(&a, &b));
	/* the same key under another number */
	b.keys[1].keynum[0] ^= 1;
	CHECK(signify_keyrings_overlap(&a, &b));
	/* another key under the same number */
	b.keys[1] = b.keys[0];
	memcpy(b.keys[1].keynum, ka.keynum, 8);
	CHECK(signify_keyrings_overlap(&a, &b));
}

TEST(keynum_hex)
{
	char	 hex[SIGNIFY_KEYNUM_HEX];

	signify_keynum_hex((const uint8_t *)"\x00\x01\xab\xcd\xef\x10\xff\x7f",
	    hex);
	CHECK_STR(hex, "0001abcdef10ff7f");
}

TEST_MAIN_BEGIN("test_signify")
	log_init("test_signify", LOG_TO_STDERR, 0);
	tkey_new(&ka, num_a);
	tkey_new(&kb, num_b);
	RUN(real_signify);
	RUN(result_names);
	RUN(base64_strict);
	RUN(one_and_many_keys);
	RUN(duplicate_key_number);
	RUN(malformed_keys);
	RUN(comment_bounds);
	RUN(file_size_bounds);
	RUN(detached_signatures);
	RUN(unknown_key);
	RUN(key_number_picks_the_key);
	RUN(rotation);
	RUN(embedded);
	RUN(comments_do_not_matter);
	RUN(not_a_point);
	RUN(overlap);
	RUN(keynum_hex);
	tkey_free(&ka);
	tkey_free(&kb);
TEST_MAIN_END
