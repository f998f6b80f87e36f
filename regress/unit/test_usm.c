/*
 * The SNMPv3 User-based Security Model (common/usm.c).
 *
 * Sources of the vectors:
 * - RFC 3414 A.3.1 and A.3.2: password "maplesyrup", engine id
 *   000000000000000000000002, MD5 and SHA-1 Ku and Kul.
 * - SHA-2 Ku: RFC 3414 A.2 run by Python's hashlib; SHA-2 Kul and every
 *   privacy key: what net-snmp 5.9.3's snmpd (Debian 12) stored in its
 *   persistent usmUser lines for "createUser" users on an agent with
 *   "exactEngineID 0x000000000000000000000002" (the Python values agree).
 * - HMACs: Python's hmac module over "Hi There", maclen zeros, "!" with
 *   keys of 0x0b octets.
 * - AES-CFB128: NIST SP 800-38A F.3.13, F.3.15, F.3.17 (first blocks).
 * - Whole messages: snmpv3_pkts.c, net-snmp's snmpget and snmpd.
 * Everything else is checked against a fake agent built from usm_seal()
 * and the codec, with keys localised by the agent's side.
 */
#include <stdint.h>
#include <string.h>

#include "snmp.h"
#include "snmpv3_pkts.h"
#include "test.h"
#include "usm.h"

#define LEN(a)	(sizeof(a) / sizeof((a)[0]))

static struct snmp_msg		 m, m2;
static struct snmp_v3		 h;
static struct snmp_scoped	 sc;
static struct usm_user		 user;
static struct usm_agent		 agent;
static struct usm_sent		 sent;
static uint8_t			 buf[SNMP_MAX_MSGLEN], pkt[SNMP_MAX_MSGLEN];
static const char		*errstr;

static const uint8_t engine2[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
static const uint8_t engine9[] = { 0x80, 0x00, 0x1f, 0x88, 0x04, 'n', 'e',
    'w' };

/* hex string to octets; the length, or 0 on a bad string */
static size_t
unhex(const char *s, uint8_t *out, size_t max)
{
	size_t	 n = 0;
	int	 hi, lo;

	while (s[0] != '\0' && s[1] != '\0' && n < max) {
		hi = s[0] <= '9' ? s[0] - '0' : (s[0] | 0x20) - 'a' + 10;
		lo = s[1] <= '9' ? s[1] - '0' : (s[1] | 0x20) - 'a' + 10;
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return *s == '\0' ? n : 0;
}

static int
hex_is(const uint8_t *p, size_t n, const char *want)
{
	uint8_t	 w[256];

	return unhex(want, w, sizeof(w)) == n && memcmp(p, w, n) == 0;
}

static int
bytes_are(const uint8_t *p, size_t n, const void *want, size_t wn)
{
	return n == wn && (n == 0 || memcmp(p, want, n) == 0);
}

static int
all_zero(const void *p, size_t n)
{
	const uint8_t	*q = p;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (q[i] != 0)
			return 0;
	}
	return 1;
}

static const struct v3capture *
cap(const char *u)
{
	size_t	 i;

	for (i = 0; i < v3ncap; i++) {
		if (strcmp(v3cap[i].user, u) == 0)
			return &v3cap[i];
	}
	abort();
}

/* RFC 3414 A.3, and the SHA-2 hashes the same way */
TEST(password_to_key_vectors)
{
	static const struct {
		enum usm_auth	 a;
		const char	*ku, *kul;
	} v[] = {
		{ USM_AUTH_MD5, "9faf3283884e92834ebc9847d8edd963",
		  "526f5eed9fcce26f8964c2930787d82b" },
		{ USM_AUTH_SHA1, "9fb5cc0381497b3793528939ff788d5d79145211",
		  "6695febc9288e36282235fc7151f128497b38f3f" },
		{ USM_AUTH_SHA224,
		  "282a5867ee9aac639ad59df9572c7d3ac0fbc13a905b6df07dbbf00b",
		  "0bd8827c6e29f8065e08e09237f177e410f69b90e1782be682075674" },
		{ USM_AUTH_SHA256,
		  "ab51014d1e077f6017df2b12bee5f5aa"
		  "72993177e9bb569c4dff5a4ca0b4afac",
		  "8982e0e549e866db361a6b625d84cccc"
		  "11162d453ee8ce3a6445c2d6776f0f8b" },
		{ USM_AUTH_SHA384,
		  "e06eccdf2c68a06ed034723c9c26e0db3b669e1e2efed491"
		  "50b55377a2e98f383c86fb836857444654b287c93f51ff64",
		  "3b298f16164a11184279d5432bf169e2d2a48307de02b3d3"
		  "f7e2b4f36eb6f0455a53689a3937eea07319a633d2ccba78" },
		{ USM_AUTH_SHA512,
		  "7e4396de5aadc77be853819b98c9406265b3a9c37cc3176569847a4e"
		  "4f6fba63dd3a73d04924d31a63f95a601f9385af6be4ed1b37f87d04"
		  "0f7c6ed6f8d38a91",
		  "22a5a36cedfcc085807a128d7bc6c2382167ad6c0dbc5fdff856740f"
		  "3d84c099ad1ea87a8db096714d9788bd544047c9021e4229ce27e4c0"
		  "a69250adfcffbb0b" },
	};
	uint8_t	 ku[USM_MAX_KEY], kul[USM_MAX_KEY];
	size_t	 i;

	for (i = 0; i < LEN(v); i++) {
		CHECK(usm_password_to_key(v[i].a, "maplesyrup", 10, ku) == 0);
		CHECK(hex_is(ku, usm_key_len(v[i].a), v[i].ku));
		CHECK(usm_localize(v[i].a, ku, engine2, sizeof(engine2),
		    kul) == 0);
		CHECK(hex_is(kul, usm_key_len(v[i].a), v[i].kul));
	}
}

/* privacy keys as net-snmp's snmpd stored them */
TEST(privkey_like_netsnmp)
{
	static const struct {
		enum usm_auth	 a;
		enum usm_priv	 p;
		const char	*pass, *key;
	} v[] = {
		{ USM_AUTH_MD5, USM_PRIV_AES192, "maplesyrup",
		  "526f5eed9fcce26f8964c2930787d82bfa24a92467426c2f" },
		{ USM_AUTH_MD5, USM_PRIV_AES256, "maplesyrup",
		  "526f5eed9fcce26f8964c2930787d82b"
		  "fa24a92467426c2f4b09192be10dfaec" },
		{ USM_AUTH_SHA1, USM_PRIV_AES192, "maplesyrup",
		  "6695febc9288e36282235fc7151f128497b38f3f505e07eb" },
		{ USM_AUTH_SHA1, USM_PRIV_AES256, "maplesyrup",
		  "6695febc9288e36282235fc7151f1284"
		  "97b38f3f505e07eb9af25568fa1f5dbe" },
		{ USM_AUTH_SHA224, USM_PRIV_AES256, "maplesyrup",
		  "0bd8827c6e29f8065e08e09237f177e4"
		  "10f69b90e1782be682075674e82d9bf0" },
		{ USM_AUTH_SHA256, USM_PRIV_AES256, "maplesyrup",
		  "8982e0e549e866db361a6b625d84cccc"
		  "11162d453ee8ce3a6445c2d6776f0f8b" },
		{ USM_AUTH_SHA512, USM_PRIV_AES128, "maplesyrup",
		  "22a5a36cedfcc085807a128d7bc6c238" },
		{ USM_AUTH_SHA1, USM_PRIV_AES128, "privsyrup1",
		  "65b792929c5f4ca2a4c2103abf6447e6" },
		{ USM_AUTH_SHA1, USM_PRIV_AES256, "privsyrup1",
		  "65b792929c5f4ca2a4c2103abf6447e6"
		  "54d51ea63787f62f8e571535664a12ea" },
		{ USM_AUTH_SHA256, USM_PRIV_AES192, "privsyrup1",
		  "aa096ff881b0d1ecec7f429700b6905cff49a26ae6a5a2e8" },
		{ USM_AUTH_SHA384, USM_PRIV_AES128, "privsyrup1",
		  "4b7c33df673a17f82dccff1b31b568d4" },
		{ USM_AUTH_SHA512, USM_PRIV_AES256, "privsyrup1",
		  "9918d7304fd0f206d8f838af261f15f9"
		  "eded88dcd1fc90113301d54558c8be6b" },
		{ USM_AUTH_MD5, USM_PRIV_AES256, "privsyrup1",
		  "8833c74a2dd0240c04c8e29c16a3e01c"
		  "5276004173929ec05194b1248ea85046" },
	};
	uint8_t	 ku[USM_MAX_KEY], key[USM_MAX_PRIVKEY];
	size_t	 i;

	for (i = 0; i < LEN(v); i++) {
		CHECK(usm_password_to_key(v[i].a, v[i].pass, 10, ku) == 0);
		CHECK(usm_privkey(v[i].a, v[i].p, ku, engine2,
		    sizeof(engine2), key) == 0);
		CHECK(hex_is(key, usm_privkey_len(v[i].p), v[i].key));
	}
	/*
	 * net-snmp's AES-256-C ("Reeder") key for SHA and maplesyrup is
	 * 6695febc...8f3f 9b8b6d78 936ba6e7 d19dfd9c: not what AES-256 is
	 */
	CHECK(usm_password_to_key(USM_AUTH_SHA1, "maplesyrup", 10, ku) == 0);
	CHECK(usm_privkey(USM_AUTH_SHA1, USM_PRIV_AES256, ku, engine2,
	    sizeof(engine2), key) == 0);
	CHECK(!hex_is(key, 32, "6695febc9288e36282235fc7151f1284"
	    "97b38f3f9b8b6d78936ba6e7d19dfd9c"));
	/* DES (RFC 3414 8.1.1.1): the first 16 octets of the localised
	 * key, the key of RFC 3414 A.3.2 */
	CHECK(usm_privkey(USM_AUTH_SHA1, USM_PRIV_DES, ku, engine2,
	    sizeof(engine2), key) == 0);
	CHECK_EQ_INT(usm_privkey_len(USM_PRIV_DES), 16);
	CHECK(hex_is(key, 16, "6695febc9288e36282235fc7151f1284"));
	/* none without a known algorithm */
	CHECK(usm_privkey(USM_AUTH_NONE, USM_PRIV_AES128, ku, engine2,
	    sizeof(engine2), key) == -1);
}

TEST(key_bad_arguments)
{
	uint8_t		 ku[USM_MAX_KEY], kul[USM_MAX_KEY];
	static const char long257[] =
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	    "X";

	CHECK(usm_password_to_key(USM_AUTH_SHA1, "1234567", 7, ku) == -1);
	CHECK(usm_password_to_key(USM_AUTH_SHA1, "12345678", 8, ku) == 0);
	CHECK(usm_password_to_key(USM_AUTH_SHA1, long257, 257, ku) == -1);
	CHECK(usm_password_to_key(USM_AUTH_SHA1, long257, 256, ku) == 0);
	CHECK(usm_password_to_key(USM_AUTH_NONE, "maplesyrup", 10, ku) == -1);
	CHECK(usm_password_to_key((enum usm_auth)99, "maplesyrup", 10,
	    ku) == -1);
	CHECK(usm_localize(USM_AUTH_SHA1, ku, engine2, 0, kul) == -1);
	CHECK(usm_localize(USM_AUTH_SHA1, ku, engine2, 33, kul) == -1);
	CHECK(usm_localize(USM_AUTH_SHA1, ku, engine2, 1, kul) == 0);
}

/* the HMAC with its zeroed window, cut to the RFC 3414 / 7860 lengths */
TEST(mac_lengths_and_window)
{
	static const struct {
		enum usm_auth	 a;
		size_t		 keylen, maclen;
		const char	*mac;
	} v[] = {
		{ USM_AUTH_MD5, 16, 12, "e9a5d0bc080307bc9a3bcca6" },
		{ USM_AUTH_SHA1, 20, 12, "6486b783ec2a202b178ff670" },
		{ USM_AUTH_SHA224, 28, 16, "ed841afff6f7508228c3d6212dd10bdd" },
		{ USM_AUTH_SHA256, 32, 24,
		  "e26217110103ac35c5608a5f985c742947139968d46c7d0e" },
		{ USM_AUTH_SHA384, 48, 32,
		  "4e54ade6c6e725fba19dbe2c12323bb8"
		  "616c819afe230febb1c4a769c6b2de5b" },
		{ USM_AUTH_SHA512, 64, 48,
		  "c0f60dc9d6c77c82d69e14e974463a1b25b258bc6de10a17"
		  "c3a2d4d26cfef03b48b123c197c853247cc975f954eda21a" },
	};
	uint8_t	 key[USM_MAX_KEY], msg[64], mac[USM_MAX_MAC];
	size_t	 i, n;

	memset(key, 0x0b, sizeof(key));
	for (i = 0; i < LEN(v); i++) {
		CHECK_EQ_INT(usm_key_len(v[i].a), v[i].keylen);
		CHECK_EQ_INT(usm_mac_len(v[i].a), v[i].maclen);
		n = 8 + v[i].maclen + 1;
		memcpy(msg, "Hi There", 8);
		/* what lies in the window does not count */
		memset(msg + 8, 0xa5, v[i].maclen);
		msg[n - 1] = '!';
		CHECK(usm_mac(v[i].a, key, msg, n, 8, mac) == 0);
		CHECK(hex_is(mac, v[i].maclen, v[i].mac));
		/* the window must fit in the message */
		CHECK(usm_mac(v[i].a, key, msg, n, n - v[i].maclen, mac) == 0);
		CHECK(usm_mac(v[i].a, key, msg, n, n - v[i].maclen + 1,
		    mac) == -1);
		CHECK(usm_mac(v[i].a, key, msg, n, n + 1, mac) == -1);
	}
	CHECK(usm_mac(USM_AUTH_NONE, key, msg, 20, 0, mac) == -1);
	CHECK_EQ_INT(usm_mac_len(USM_AUTH_NONE), 0);
	CHECK_EQ_INT(usm_key_len(USM_AUTH_NONE), 0);
}

TEST(aes_cfb_nist)
{
	static const struct {
		enum usm_priv	 p;
		const char	*key, *ct;
	} v[] = {
		{ USM_PRIV_AES128, "2b7e151628aed2a6abf7158809cf4f3c",
		  "3b3fd92eb72dad20333449f8e83cfb4ac8a64537a0b3a93f" },
		{ USM_PRIV_AES192,
		  "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
		  "cdc80d6fddf18cab34c25909c99a417467ce7f7f81173621" },
		{ USM_PRIV_AES256,
		  "603deb1015ca71be2b73aef0857d7781"
		  "1f352c073b6108d72d9810a30914dff4",
		  "dc7e84bfda79164b7ecd8486985d386039ffed143b28b1c8" },
	};
	/* IV 000102...0f: boots 0x00010203, time 0x04050607, salt 08..0f */
	static const uint8_t	 salt[8] = { 8, 9, 10, 11, 12, 13, 14, 15 };
	uint8_t			 key[32], pt[24], d[24];
	size_t			 i;

	/* 24 octets: not a multiple of the block, CFB needs no padding */
	CHECK(unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c", pt,
	    sizeof(pt)) == 24);
	for (i = 0; i < LEN(v); i++) {
		CHECK(unhex(v[i].key, key, sizeof(key)) ==
		    usm_privkey_len(v[i].p));
		memcpy(d, pt, sizeof(d));
		CHECK(usm_crypt(v[i].p, 1, key, 0x00010203, 0x04050607, salt,
		    d, sizeof(d)) == 0);
		CHECK(hex_is(d, sizeof(d), v[i].ct));
		CHECK(usm_crypt(v[i].p, 0, key, 0x00010203, 0x04050607, salt,
		    d, sizeof(d)) == 0);
		CHECK(bytes_are(d, sizeof(d), pt, sizeof(pt)));
		/* another boots: another IV */
		CHECK(usm_crypt(v[i].p, 1, key, 0x00010204, 0x04050607, salt,
		    d, sizeof(d)) == 0);
		CHECK(!hex_is(d, sizeof(d), v[i].ct));
	}
	CHECK(usm_crypt(USM_PRIV_NONE, 1, key, 0, 0, salt, d, 8) == -1);
	CHECK(usm_crypt(USM_PRIV_AES128, 1, key, -1, 0, salt, d, 8) == -1);
}

/*
 * DES-CBC (RFC 3414 8.1): key 6695febc9288e362, pre-IV 82235fc7151f1284,
 * salt 00000001 00000002: IV 82235fc6151f1286; the ciphertext as
 * "openssl enc -des-cbc -provider legacy -nopad" makes it.  Only whole
 * blocks; boots and time are not part of the IV.
 */
TEST(des_cbc)
{
	uint8_t		 key[16], pt[16], d[16], salt[8];

	CHECK(unhex("6695febc9288e36282235fc7151f1284", key, 16) == 16);
	CHECK(unhex("0000000100000002", salt, 8) == 8);
	CHECK(unhex("6bc1bee22e409f96e93d7e117393172a", pt, 16) == 16);
	memcpy(d, pt, 16);
	CHECK(usm_crypt(USM_PRIV_DES, 1, key, 7, 9, salt, d, 16) == 0);
	CHECK(hex_is(d, 16, "21f67c85f2cd37fef166e52827cf1080"));
	CHECK(usm_crypt(USM_PRIV_DES, 0, key, 1, 2, salt, d, 16) == 0);
	CHECK(bytes_are(d, 16, pt, 16));
	CHECK(usm_crypt(USM_PRIV_DES, 1, key, 0, 0, salt, d, 12) == -1);
	CHECK(usm_priv_weak(USM_PRIV_DES));
	CHECK(!usm_priv_weak(USM_PRIV_AES128));
}

TEST(names)
{
	enum usm_auth	 a;
	enum usm_priv	 p;

	CHECK(usm_auth_from_name("MD5", &a) == 0 && a == USM_AUTH_MD5);
	CHECK(usm_auth_from_name("SHA", &a) == 0 && a == USM_AUTH_SHA1);
	CHECK(usm_auth_from_name("sha1", &a) == 0 && a == USM_AUTH_SHA1);
	CHECK(usm_auth_from_name("SHA-1", &a) == 0 && a == USM_AUTH_SHA1);
	CHECK(usm_auth_from_name("SHA-224", &a) == 0 && a == USM_AUTH_SHA224);
	CHECK(usm_auth_from_name("sha256", &a) == 0 && a == USM_AUTH_SHA256);
	CHECK(usm_auth_from_name("SHA-384", &a) == 0 && a == USM_AUTH_SHA384);
	CHECK(usm_auth_from_name("Sha512", &a) == 0 && a == USM_AUTH_SHA512);
	CHECK(usm_auth_from_name("SHA-2", &a) == -1);
	CHECK(usm_auth_from_name("none", &a) == -1);
	CHECK(usm_auth_from_name("", &a) == -1);
	CHECK(usm_priv_from_name("AES", &p) == 0 && p == USM_PRIV_AES128);
	CHECK(usm_priv_from_name("aes128", &p) == 0 && p == USM_PRIV_AES128);
	CHECK(usm_priv_from_name("AES-192", &p) == 0 && p == USM_PRIV_AES192);
	CHECK(usm_priv_from_name("aes256", &p) == 0 && p == USM_PRIV_AES256);
	CHECK(usm_priv_from_name("des", &p) == 0 && p == USM_PRIV_DES);
	CHECK(usm_priv_from_name("AES-256-C", &p) == -1);
	CHECK(usm_priv_from_name("3DES", &p) == -1);
	CHECK_STR(usm_auth_name(USM_AUTH_SHA384), "SHA-384");
	CHECK_STR(usm_priv_name(USM_PRIV_AES192), "AES-192");
	CHECK_STR(usm_auth_name((enum usm_auth)42), "unknown");
	CHECK(usm_auth_weak(USM_AUTH_MD5));
	CHECK(!usm_auth_weak(USM_AUTH_SHA1));
	CHECK_STR(usm_status_name(USM_WRONG_DIGEST), "wrongDigest");
	CHECK_STR(usm_status_name(USM_UNKNOWN_USER), "unknownUserName");
}

TEST(user_refusals)
{
	static const char	 n32[] = "abcdefghijklmnopqrstuvwxyz012345";
	static const char	 n33[] = "abcdefghijklmnopqrstuvwxyz0123456";

	CHECK(usm_user_init(&user, "u", USM_AUTH_MD5, "maplesyrup",
	    USM_PRIV_NONE, NULL, 0, &errstr) == -1);
	CHECK_STR(errstr, "MD5 authentication is weak and not allowed");
	CHECK(usm_user_init(&user, "u", USM_AUTH_MD5, "maplesyrup",
	    USM_PRIV_AES128, "maplesyrup", 1, &errstr) == 0);
	CHECK_EQ_INT(usm_user_level(&user), SNMP_V3_F_AUTH | SNMP_V3_F_PRIV);
	CHECK(usm_user_init(&user, "u", USM_AUTH_SHA1, "maplesyrup",
	    USM_PRIV_DES, "maplesyrup", 0, &errstr) == -1);
	CHECK_STR(errstr, "DES privacy is weak and not allowed");
	CHECK(usm_user_init(&user, "u", USM_AUTH_SHA1, "maplesyrup",
	    USM_PRIV_DES, "maplesyrup", 1, &errstr) == 0);
	CHECK(usm_user_init(&user, "u", USM_AUTH_NONE, NULL, USM_PRIV_AES128,
	    "maplesyrup", 0, &errstr) == -1);
	CHECK_STR(errstr, "privacy without authentication");
	CHECK(usm_user_init(&user, "u", USM_AUTH_SHA1, "1234567",
	    USM_PRIV_NONE, NULL, 0, &errstr) == -1);
	CHECK_STR(errstr, "authentication password not of 8 to 256 octets");
	CHECK(usm_user_init(&user, "u", USM_AUTH_SHA1, NULL,
	    USM_PRIV_NONE, NULL, 0, &errstr) == -1);
	CHECK(usm_user_init(&user, "u", USM_AUTH_SHA1, "maplesyrup",
	    USM_PRIV_AES128, "short", 0, &errstr) == -1);
	CHECK_STR(errstr, "privacy password not of 8 to 256 octets");
	/* a failed init leaves nothing behind */
	CHECK(all_zero(&user, sizeof(user)));
	CHECK(usm_user_init(&user, "", USM_AUTH_NONE, NULL, USM_PRIV_NONE,
	    NULL, 0, &errstr) == -1);
	CHECK_STR(errstr, "empty user name");
	CHECK(usm_user_init(&user, n33, USM_AUTH_NONE, NULL, USM_PRIV_NONE,
	    NULL, 0, &errstr) == -1);
	CHECK_STR(errstr, "user name longer than 32 octets");
	CHECK(usm_user_init(&user, n32, USM_AUTH_NONE, NULL, USM_PRIV_NONE,
	    NULL, 0, &errstr) == 0);
	CHECK_EQ_INT(usm_user_level(&user), 0);
	CHECK(usm_user_init(&user, "u", (enum usm_auth)7, "maplesyrup",
	    USM_PRIV_NONE, NULL, 0, &errstr) == -1);
	CHECK(usm_user_init(&user, "u", USM_AUTH_SHA1, "maplesyrup",
	    (enum usm_priv)5, "maplesyrup", 0, &errstr) == -1);
}

/* keys made elsewhere give the same user; clearing wipes them */
TEST(user_from_keys_and_wipe)
{
	struct usm_user	 u2;
	uint8_t		 ak[USM_MAX_KEY], pk[USM_MAX_KEY];

	CHECK(usm_password_to_key(USM_AUTH_SHA256, "maplesyrup", 10, ak) == 0);
	CHECK(usm_password_to_key(USM_AUTH_SHA256, "privsyrup1", 10, pk) == 0);
	CHECK(usm_user_init_keys(&u2, "k", USM_AUTH_SHA256, ak,
	    USM_PRIV_AES192, pk, 0, &errstr) == 0);
	CHECK(usm_user_init(&user, "k", USM_AUTH_SHA256, "maplesyrup",
	    USM_PRIV_AES192, "privsyrup1", 0, &errstr) == 0);
	CHECK(memcmp(&user, &u2, sizeof(user)) == 0);
	CHECK(usm_user_init_keys(&u2, "k", USM_AUTH_SHA256, NULL,
	    USM_PRIV_NONE, NULL, 0, &errstr) == -1);
	CHECK_STR(errstr, "missing key");
	CHECK(usm_user_init_keys(&u2, "k", USM_AUTH_MD5, ak,
	    USM_PRIV_NONE, NULL, 0, &errstr) == -1);
	usm_user_clear(&user);
	CHECK(all_zero(&user, sizeof(user)));
}

/* the users of the capture, with the passwords snmpd had */
static int
capture_user(const char *name, struct usm_user *u)
{
	static const struct {
		const char	*name;
		enum usm_auth	 a;
		enum usm_priv	 p;
	} v[] = {
		{ "noauth", USM_AUTH_NONE, USM_PRIV_NONE },
		{ "sha224", USM_AUTH_SHA224, USM_PRIV_NONE },
		{ "sha1aes", USM_AUTH_SHA1, USM_PRIV_AES128 },
		{ "sha1aes256", USM_AUTH_SHA1, USM_PRIV_AES256 },
		{ "sha256aes192", USM_AUTH_SHA256, USM_PRIV_AES192 },
		{ "sha384aes", USM_AUTH_SHA384, USM_PRIV_AES128 },
		{ "sha512aes256", USM_AUTH_SHA512, USM_PRIV_AES256 },
		{ "md5aes256", USM_AUTH_MD5, USM_PRIV_AES256 },
	};
	const char	*e;
	size_t		 i;

	for (i = 0; i < LEN(v); i++) {
		if (strcmp(v[i].name, name) != 0)
			continue;
		return usm_user_init(u, name, v[i].a,
		    v[i].a != USM_AUTH_NONE ? "maplesyrup" : NULL, v[i].p,
		    v[i].p != USM_PRIV_NONE ? "privsyrup1" : NULL, 1, &e);
	}
	return -1;
}

/* keys of the user localised to an engine, as an agent has them */
static int
agent_keys(const struct usm_user *u, const uint8_t *eid, size_t eidlen,
    uint8_t *akey, uint8_t *pkey)
{
	if (u->auth != USM_AUTH_NONE && usm_localize(u->auth, u->auth_ku, eid,
	    eidlen, akey) == -1)
		return -1;
	if (u->priv != USM_PRIV_NONE && usm_privkey(u->auth, u->priv,
	    u->priv_ku, eid, eidlen, pkey) == -1)
		return -1;
	return 0;
}

/* net-snmp's requests and responses, opened with our keys */
TEST(open_netsnmp_messages)
{
	uint8_t		 ak[USM_MAX_KEY], pk[USM_MAX_PRIVKEY];
	struct snmp_oid	 sysname;
	size_t		 i, j;

	CHECK(snmp_oid_parse("1.3.6.1.2.1.1.5.0", &sysname) == 0);
	for (i = 0; i < 8; i++) {
		CHECK(capture_user(v3cap[i].user, &user) == 0);
		CHECK(agent_keys(&user, engine2, sizeof(engine2), ak,
		    pk) == 0);
		for (j = V3CAP_REQUEST; j <= V3CAP_RESPONSE; j++) {
			memcpy(pkt, v3cap[i].pkt[j], v3cap[i].len[j]);
			CHECK(snmp_v3_decode(pkt, v3cap[i].len[j], &h,
			    &errstr) == 0);
			CHECK_EQ_INT(h.flags & 3, usm_user_level(&user));
			CHECK(usm_open(&h, user.auth, ak, user.priv, pk, pkt,
			    v3cap[i].len[j], &errstr) == 0);
			CHECK(snmp_scoped_decode(h.data, h.data_len, &sc, &m,
			    &errstr) == 0);
			CHECK(bytes_are(sc.ctx_engineid, sc.ctx_engineid_len,
			    engine2, sizeof(engine2)));
			CHECK_EQ_INT(m.nvarbinds, 1);
			CHECK(snmp_oid_cmp(&m.vb[0].oid, &sysname) == 0);
			if (j == V3CAP_REQUEST) {
				CHECK_EQ_INT(m.pdu_type, SNMP_PDU_GET);
				continue;
			}
			CHECK_EQ_INT(m.pdu_type, SNMP_PDU_RESPONSE);
			CHECK(bytes_are(m.vb[0].v.s, m.vb[0].v.slen,
			    "callhome-v3", 11));
		}
		/* one octet changed anywhere: the digest is wrong */
		if (user.auth == USM_AUTH_NONE)
			continue;
		for (j = 0; j < v3cap[i].len[V3CAP_RESPONSE]; j += 5) {
			memcpy(pkt, v3cap[i].pkt[V3CAP_RESPONSE],
			    v3cap[i].len[V3CAP_RESPONSE]);
			pkt[j] ^= 0x01;
			if (snmp_v3_decode(pkt, v3cap[i].len[V3CAP_RESPONSE],
			    &h, &errstr) == -1)
				continue;
			CHECK(usm_open(&h, user.auth, ak, user.priv, pk, pkt,
			    v3cap[i].len[V3CAP_RESPONSE], &errstr) == -1);
		}
	}
}

/*
 * The whole exchange of each capture replayed: our probe and our request
 * are net-snmp's octets (given its msgID, request-id, salt and clock),
 * and snmpd's answers are accepted.
 */
TEST(exchange_like_netsnmp)
{
	const struct v3capture	*c;
	struct snmp_oid		 sysname;
	struct snmp_v3		 hr;
	int32_t			 reqid, t0;
	size_t			 i, len;
	uint64_t		 salt;

	CHECK(snmp_oid_parse("1.3.6.1.2.1.1.5.0", &sysname) == 0);
	for (i = 0; i < 8; i++) {
		c = &v3cap[i];
		CHECK(capture_user(c->user, &user) == 0);
		CHECK(usm_agent_init(&agent, 0, "") == 0);

		CHECK(snmp_v3_decode(c->pkt[V3CAP_PROBE], c->len[V3CAP_PROBE],
		    &h, &errstr) == 0);
		CHECK(snmp_scoped_decode(h.data, h.data_len, &sc, &m,
		    &errstr) == 0);
		CHECK(usm_encode_probe(h.msgid, m.request_id, &sent, buf,
		    sizeof(buf), &len) == 0);
		CHECK(bytes_are(buf, len, c->pkt[V3CAP_PROBE],
		    c->len[V3CAP_PROBE]));

		memcpy(pkt, c->pkt[V3CAP_REPORT], c->len[V3CAP_REPORT]);
		CHECK_EQ_INT(usm_decode(&user, &agent, 1000, &sent, pkt,
		    c->len[V3CAP_REPORT], &m, &errstr), USM_DISCOVERED);
		CHECK(bytes_are(agent.engineid, agent.engineid_len, engine2,
		    sizeof(engine2)));
		CHECK_EQ_INT(agent.boots, 1);
		CHECK_EQ_INT(agent.synced, 0);
		t0 = agent.time;

		/* net-snmp's request: its msgID, request-id, salt, time */
		memcpy(pkt, c->pkt[V3CAP_REQUEST], c->len[V3CAP_REQUEST]);
		CHECK(snmp_v3_decode(pkt, c->len[V3CAP_REQUEST], &hr,
		    &errstr) == 0);
		salt = 0;
		for (len = 0; len < hr.privp_len; len++)
			salt = salt << 8 | hr.privp[len];
		agent.salt = salt;
		CHECK(usm_open(&hr, agent.auth, agent.auth_key, agent.priv,
		    agent.priv_key, pkt, c->len[V3CAP_REQUEST], &errstr) == 0);
		CHECK(snmp_scoped_decode(hr.data, hr.data_len, &sc, &m,
		    &errstr) == 0);
		reqid = m.request_id;
		CHECK(hr.time >= t0);
		CHECK(usm_encode_request(&user, &agent, 1000 + hr.time - t0,
		    hr.msgid, SNMP_PDU_GET, reqid, 0, 0, &sysname, 1, &sent,
		    buf, sizeof(buf), &len) == 0);
		CHECK(bytes_are(buf, len, c->pkt[V3CAP_REQUEST],
		    c->len[V3CAP_REQUEST]));
		if (user.priv != USM_PRIV_NONE)
			CHECK(agent.salt == salt + 1);

		memcpy(pkt, c->pkt[V3CAP_RESPONSE], c->len[V3CAP_RESPONSE]);
		CHECK_EQ_INT(usm_decode(&user, &agent, 1001 + hr.time - t0,
		    &sent, pkt, c->len[V3CAP_RESPONSE], &m, &errstr), USM_OK);
		CHECK_EQ_INT(m.request_id, reqid);
		CHECK(bytes_are(m.vb[0].v.s, m.vb[0].v.slen, "callhome-v3",
		    11));
		CHECK_EQ_INT(agent.synced, user.auth != USM_AUTH_NONE);
		/* the same answer once more: another msgID is expected */
		sent.msgid++;
		memcpy(pkt, c->pkt[V3CAP_RESPONSE], c->len[V3CAP_RESPONSE]);
		CHECK_EQ_INT(usm_decode(&user, &agent, 1001, &sent, pkt,
		    c->len[V3CAP_RESPONSE], &m, &errstr), USM_DROP);
		CHECK_STR(errstr, "msgID is not the request's");
	}
}

/* replay one of snmpd's reports to a request like net-snmp's */
static enum usm_status
capture_report(const char *capname, const char *name, enum usm_auth a,
    const char *apass, enum usm_priv p, const char *ppass)
{
	const struct v3capture	*c = cap(capname);
	struct snmp_v3		 hr;
	const char		*e;

	if (usm_user_init(&user, name, a, apass, p, ppass, 0, &e) == -1 ||
	    usm_agent_init(&agent, 0, "") == -1 ||
	    snmp_v3_decode(c->pkt[V3CAP_PROBE], c->len[V3CAP_PROBE], &hr,
	    &e) == -1)
		return USM_FAILED;
	sent.msgid = hr.msgid;
	sent.flags = hr.flags;
	sent.probe = 1;
	memcpy(pkt, c->pkt[V3CAP_REPORT], c->len[V3CAP_REPORT]);
	if (usm_decode(&user, &agent, 50, &sent, pkt, c->len[V3CAP_REPORT],
	    &m, &e) != USM_DISCOVERED ||
	    snmp_v3_decode(c->pkt[V3CAP_REQUEST], c->len[V3CAP_REQUEST], &hr,
	    &e) == -1)
		return USM_FAILED;
	sent.msgid = hr.msgid;
	sent.flags = hr.flags;
	sent.probe = 0;
	memcpy(pkt, c->pkt[V3CAP_RESPONSE], c->len[V3CAP_RESPONSE]);
	return usm_decode(&user, &agent, 51, &sent, pkt,
	    c->len[V3CAP_RESPONSE], &m, &errstr);
}

TEST(netsnmp_wrong_digest_and_unknown_user)
{
	enum usm_status	 st;

	st = capture_report("wrongauth", "sha1aes", USM_AUTH_SHA1,
	    "wrongwrong", USM_PRIV_AES128, "privsyrup1");
	CHECK_EQ_INT(st, USM_WRONG_DIGEST);
	CHECK(usm_status_auth_failure(st));
	st = capture_report("unknownuser", "nosuch", USM_AUTH_SHA1,
	    "maplesyrup", USM_PRIV_NONE, NULL);
	CHECK_EQ_INT(st, USM_UNKNOWN_USER);
	CHECK(usm_status_auth_failure(st));
}

/*
 * snmpget -e (no discovery) sent boots 0 and time 0 (RFC 3414 section 4,
 * the second step of discovery): snmpd's authenticated notInTimeWindows
 * report sets our clock, the request sent again is net-snmp's, and so is
 * the answer.
 */
TEST(netsnmp_not_in_time_window)
{
	const struct v3capture	*c = cap("timewindow");
	struct snmp_oid		 sysname;
	struct snmp_v3		 hr;
	uint8_t			 rep[256];
	int32_t			 reqid;
	size_t			 len, k;
	uint64_t		 salt;

	CHECK(snmp_oid_parse("1.3.6.1.2.1.1.5.0", &sysname) == 0);
	CHECK(capture_user("sha1aes", &user) == 0);
	CHECK(usm_agent_init(&agent, 0, "") == 0);
	/* what -e told net-snmp, as an unknownEngineIDs report */
	memset(&sc, 0, sizeof(sc));
	sc.ctx_engineid = engine2;
	sc.ctx_engineid_len = sizeof(engine2);
	memset(&m2, 0, sizeof(m2));
	m2.version = SNMP_V3;
	m2.pdu_type = SNMP_PDU_REPORT;
	m2.nvarbinds = 1;
	CHECK(snmp_oid_parse("1.3.6.1.6.3.15.1.1.4.0", &m2.vb[0].oid) == 0);
	m2.vb[0].v.type = SNMP_T_COUNTER32;
	CHECK(snmp_scoped_encode(&sc, &m2, rep, sizeof(rep), &len) == 0);
	memset(&h, 0, sizeof(h));
	h.msgid = 9;
	h.maxsize = 65507;
	h.engineid = engine2;
	h.engineid_len = sizeof(engine2);
	h.boots = 0;
	h.time = 0;
	CHECK(usm_seal(&h, USM_AUTH_NONE, NULL, USM_PRIV_NONE, NULL, rep,
	    sizeof(rep), len, &len) == 0);
	CHECK(usm_encode_probe(9, 1, &sent, buf, sizeof(buf), &k) == 0);
	CHECK_EQ_INT(usm_decode(&user, &agent, 100, &sent, rep, len, &m,
	    &errstr), USM_DISCOVERED);

	for (k = 0; k < 2; k++) {
		size_t	 q = k == 0 ? 0 : 2;

		memcpy(pkt, c->pkt[q], c->len[q]);
		CHECK(snmp_v3_decode(pkt, c->len[q], &hr, &errstr) == 0);
		for (salt = 0, len = 0; len < 8; len++)
			salt = salt << 8 | hr.privp[len];
		agent.salt = salt;
		CHECK(usm_open(&hr, agent.auth, agent.auth_key, agent.priv,
		    agent.priv_key, pkt, c->len[q], &errstr) == 0);
		CHECK(snmp_scoped_decode(hr.data, hr.data_len, &sc, &m,
		    &errstr) == 0);
		reqid = m.request_id;
		CHECK(usm_encode_request(&user, &agent, 100, hr.msgid,
		    SNMP_PDU_GET, reqid, 0, 0, &sysname, 1, &sent, buf,
		    sizeof(buf), &len) == 0);
		CHECK(bytes_are(buf, len, c->pkt[q], c->len[q]));
		memcpy(pkt, c->pkt[q + 1], c->len[q + 1]);
		if (k == 0) {
			CHECK_EQ_INT(usm_decode(&user, &agent, 100, &sent, pkt,
			    c->len[q + 1], &m, &errstr), USM_RESYNCED);
			CHECK_EQ_INT(agent.synced, 1);
			CHECK_EQ_INT(agent.boots, 1);
			CHECK_EQ_INT(agent.time, 2);
		} else {
			CHECK_EQ_INT(usm_decode(&user, &agent, 100, &sent, pkt,
			    c->len[q + 1], &m, &errstr), USM_OK);
			CHECK(bytes_are(m.vb[0].v.s, m.vb[0].v.slen,
			    "callhome-v3", 11));
		}
	}
}

/* a fake agent: one message as an agent would make it */
struct fake {
	int32_t		 msgid;
	uint8_t		 flags;
	const uint8_t	*eid;
	size_t		 eidlen;
	int32_t		 boots, etime;
	const char	*user;
	enum usm_auth	 auth;
	const uint8_t	*akey;
	enum usm_priv	 priv;
	const uint8_t	*pkey;
	uint64_t	 salt;
	const uint8_t	*ctxeid;
	size_t		 ctxeidlen;
	const char	*ctx;
	uint8_t		 pdu;
	const char	*report;	/* the Report's OID */
	size_t		 extra;		/* zeros after the ScopedPDU */
};

static uint8_t	 fake_ak[USM_MAX_KEY], fake_pk[USM_MAX_PRIVKEY];
static size_t	 fake_slen;	/* the last ScopedPDU's length */

/* the answer the agent (engine eid, boots, time) gives to what was sent */
static void
fake_init(struct fake *f, const uint8_t *eid, size_t eidlen, int32_t boots,
    int32_t etime)
{
	memset(f, 0, sizeof(*f));
	f->msgid = sent.msgid;
	f->flags = sent.flags & (SNMP_V3_F_AUTH | SNMP_V3_F_PRIV);
	f->eid = f->ctxeid = eid;
	f->eidlen = f->ctxeidlen = eidlen;
	f->boots = boots;
	f->etime = etime;
	f->user = (const char *)user.name;
	f->auth = user.auth;
	f->priv = user.priv;
	if (eidlen > 0 && agent_keys(&user, eid, eidlen, fake_ak,
	    fake_pk) == -1)
		abort();
	f->akey = fake_ak;
	f->pkey = fake_pk;
	f->salt = 0x1122334455667788ULL;
	f->ctx = (const char *)agent.ctx;
	f->pdu = SNMP_PDU_RESPONSE;
}

static size_t
fake_msg(const struct fake *f, uint8_t *out)
{
	struct snmp_scoped	 s;
	struct snmp_v3		 fh;
	uint8_t			 salt[8];
	size_t			 slen, len, i;

	memset(&m2, 0, sizeof(m2));
	m2.version = SNMP_V3;
	m2.pdu_type = f->pdu;
	m2.request_id = 1;
	m2.nvarbinds = 1;
	if (f->report != NULL) {
		if (snmp_oid_parse(f->report, &m2.vb[0].oid) == -1)
			abort();
		m2.vb[0].v.type = SNMP_T_COUNTER32;
		m2.vb[0].v.u = 3;
	} else {
		if (snmp_oid_parse("1.3.6.1.2.1.1.5.0", &m2.vb[0].oid) == -1)
			abort();
		m2.vb[0].v.type = SNMP_T_OCTETS;
		m2.vb[0].v.s = (const uint8_t *)"fake";
		m2.vb[0].v.slen = 4;
	}
	s.ctx_engineid = f->ctxeid;
	s.ctx_engineid_len = f->ctxeidlen;
	s.ctx_name = (const uint8_t *)f->ctx;
	s.ctx_name_len = f->ctx != NULL ? strlen(f->ctx) : 0;
	if (snmp_scoped_encode(&s, &m2, out, SNMP_MAX_MSGLEN, &slen) == -1 ||
	    f->extra > SNMP_MAX_MSGLEN - slen)
		abort();
	fake_slen = slen;
	memset(out + slen, 0, f->extra);
	slen += f->extra;
	memset(&fh, 0, sizeof(fh));
	fh.msgid = f->msgid;
	fh.maxsize = 65507;
	fh.flags = f->flags;
	fh.engineid = f->eid;
	fh.engineid_len = f->eidlen;
	fh.boots = f->boots;
	fh.time = f->etime;
	fh.user = (const uint8_t *)f->user;
	fh.user_len = f->user != NULL ? strlen(f->user) : 0;
	for (i = 0; i < 8; i++)
		salt[i] = (uint8_t)(f->salt >> (56 - 8 * i));
	fh.privp = salt;
	fh.privp_len = 8;
	if (usm_seal(&fh, f->auth, f->akey, f->priv, f->pkey, out,
	    SNMP_MAX_MSGLEN, slen, &len) == -1)
		abort();
	return len;
}

static enum usm_status
fake_answer(const struct fake *f, int64_t now)
{
	size_t	 len = fake_msg(f, pkt);

	return usm_decode(&user, &agent, now, &sent, pkt, len, &m, &errstr);
}

/* discovery through the fake agent: engine eid, boots 3, time 1000 */
static int
discover(const uint8_t *eid, size_t eidlen, int64_t now)
{
	struct fake	 f;
	size_t		 len;

	if (usm_encode_probe(0x1234, 77, &sent, buf, sizeof(buf), &len) == -1)
		return -1;
	fake_init(&f, eid, eidlen, 3, 1000);
	f.flags = 0;
	f.user = "";
	f.pdu = SNMP_PDU_REPORT;
	f.report = "1.3.6.1.6.3.15.1.1.4.0";
	return fake_answer(&f, now) == USM_DISCOVERED ? 0 : -1;
}

static const struct snmp_oid *
sysname_oid(void)
{
	static struct snmp_oid	 o;

	if (o.len == 0 && snmp_oid_parse("1.3.6.1.2.1.1.5.0", &o) == -1)
		abort();
	return &o;
}

/* a request now, opened by the fake agent: its PDU in m2 */
static int
request_and_open(int64_t now, int32_t msgid, size_t *reqlen)
{
	const char	*e;
	size_t		 len;

	if (usm_encode_request(&user, &agent, now, msgid, SNMP_PDU_GET, 5, 0,
	    0, sysname_oid(), 1, &sent, buf, sizeof(buf), &len) == -1)
		return -1;
	*reqlen = len;
	memcpy(pkt, buf, len);
	if (agent_keys(&user, agent.engineid, agent.engineid_len, fake_ak,
	    fake_pk) == -1 ||
	    snmp_v3_decode(pkt, len, &h, &e) == -1 ||
	    usm_open(&h, user.auth, fake_ak, user.priv, fake_pk, pkt, len,
	    &e) == -1 ||
	    snmp_scoped_decode(h.data, h.data_len, &sc, &m2, &e) == -1)
		return -1;
	return 0;
}

/* every level and algorithm through discovery, a request and a Response */
TEST(fake_exchange_every_combination)
{
	static const struct {
		enum usm_auth	 a;
		enum usm_priv	 p;
	} v[] = {
		{ USM_AUTH_NONE, USM_PRIV_NONE },
		{ USM_AUTH_MD5, USM_PRIV_NONE },
		{ USM_AUTH_SHA1, USM_PRIV_NONE },
		{ USM_AUTH_SHA224, USM_PRIV_NONE },
		{ USM_AUTH_SHA256, USM_PRIV_NONE },
		{ USM_AUTH_SHA384, USM_PRIV_NONE },
		{ USM_AUTH_SHA512, USM_PRIV_NONE },
		{ USM_AUTH_MD5, USM_PRIV_AES256 },
		{ USM_AUTH_SHA1, USM_PRIV_AES128 },
		{ USM_AUTH_SHA1, USM_PRIV_AES192 },
		{ USM_AUTH_SHA224, USM_PRIV_AES256 },
		{ USM_AUTH_SHA256, USM_PRIV_AES128 },
		{ USM_AUTH_SHA384, USM_PRIV_AES192 },
		{ USM_AUTH_SHA512, USM_PRIV_AES256 },
	};
	struct fake	 f;
	uint8_t		 first[512];
	size_t		 i, len, flen;

	for (i = 0; i < LEN(v); i++) {
		CHECK(usm_user_init(&user, "fleet", v[i].a, "maplesyrup",
		    v[i].p, "privsyrup1", 1, &errstr) == 0);
		CHECK(usm_agent_init(&agent, 0xfffffffffffffffeULL,
		    "ctx1") == 0);
		/* nothing before discovery */
		CHECK(usm_encode_request(&user, &agent, 10, 1, SNMP_PDU_GET,
		    5, 0, 0, sysname_oid(), 1, &sent, buf, sizeof(buf),
		    &len) == -1);
		CHECK(discover(engine9, sizeof(engine9), 10) == 0);
		CHECK(bytes_are(agent.engineid, agent.engineid_len, engine9,
		    sizeof(engine9)));
		CHECK_EQ_INT(agent.boots, 3);
		CHECK_EQ_INT(agent.time, 1000);

		CHECK(request_and_open(15, 100, &len) == 0);
		CHECK_EQ_INT(h.flags, usm_user_level(&user) |
		    SNMP_V3_F_REPORTABLE);
		CHECK_EQ_INT(h.boots, 3);
		CHECK_EQ_INT(h.time, 1005);
		CHECK(bytes_are(h.user, h.user_len, "fleet", 5));
		CHECK(bytes_are(sc.ctx_name, sc.ctx_name_len, "ctx1", 4));
		CHECK(bytes_are(sc.ctx_engineid, sc.ctx_engineid_len, engine9,
		    sizeof(engine9)));
		CHECK_EQ_INT(m2.pdu_type, SNMP_PDU_GET);
		CHECK_EQ_INT(m2.request_id, 5);
		CHECK(snmp_oid_cmp(&m2.vb[0].oid, sysname_oid()) == 0);
		if (v[i].p != USM_PRIV_NONE) {
			CHECK(hex_is(h.privp, 8, "fffffffffffffffe"));
			CHECK(agent.salt == 0xffffffffffffffffULL);
		}
		memcpy(first, buf, len);
		flen = len;

		fake_init(&f, engine9, sizeof(engine9), 3, 1005);
		CHECK_EQ_INT(fake_answer(&f, 15), USM_OK);
		CHECK_STR(errstr, "ok");
		CHECK(bytes_are(m.vb[0].v.s, m.vb[0].v.slen, "fake", 4));
		CHECK_EQ_INT(agent.synced, v[i].a != USM_AUTH_NONE);

		/* the same request again: another salt, another ciphertext */
		CHECK(request_and_open(15, 100, &len) == 0);
		if (v[i].p != USM_PRIV_NONE) {
			CHECK(hex_is(h.privp, 8, "ffffffffffffffff"));
			CHECK(len == flen && memcmp(first, buf, len) != 0);
		} else
			CHECK(bytes_are(buf, len, first, flen));
	}
	usm_agent_clear(&agent);
	CHECK(all_zero(agent.auth_key, sizeof(agent.auth_key)));
	CHECK(all_zero(agent.priv_key, sizeof(agent.priv_key)));
	CHECK_EQ_INT(agent.engineid_len, 0);
	CHECK(bytes_are(agent.ctx, agent.ctx_len, "ctx1", 4));
}

/* answers that must be ignored, each for its reason */
TEST(fake_answers_dropped)
{
	struct fake	 f;
	size_t		 len, i;
	uint8_t		 other_pk[USM_MAX_PRIVKEY];

	CHECK(usm_user_init(&user, "fleet", USM_AUTH_SHA256, "maplesyrup",
	    USM_PRIV_AES128, "privsyrup1", 0, &errstr) == 0);
	CHECK(usm_agent_init(&agent, 1, "") == 0);
	CHECK(discover(engine9, sizeof(engine9), 10) == 0);
	CHECK(request_and_open(10, 200, &len) == 0);

#define DROPPED(why) do {						\
	CHECK_EQ_INT(fake_answer(&f, 11), USM_DROP);			\
	CHECK_STR(errstr, why);						\
} while (0)
	fake_init(&f, engine9, sizeof(engine9), 3, 1000);
	f.msgid = 201;
	DROPPED("msgID is not the request's");

	/* below the request's level */
	fake_init(&f, engine9, sizeof(engine9), 3, 1000);
	f.flags = SNMP_V3_F_AUTH;
	DROPPED("Response below the request's security level");
	f.flags = 0;
	DROPPED("Response below the request's security level");

	fake_init(&f, engine2, sizeof(engine2), 3, 1000);
	DROPPED("authenticated by another engine");
	fake_init(&f, engine9, sizeof(engine9), 3, 1000);
	f.user = "fleet2";
	DROPPED("authenticated for another user");
	fake_init(&f, engine9, sizeof(engine9), 3, 1000);
	f.ctxeid = engine2;
	f.ctxeidlen = sizeof(engine2);
	DROPPED("Response for another context");
	fake_init(&f, engine9, sizeof(engine9), 3, 1000);
	f.ctx = "other";
	DROPPED("Response for another context");
	fake_init(&f, engine9, sizeof(engine9), 3, 1000);
	f.pdu = SNMP_PDU_GET;
	DROPPED("neither a Response nor a Report");

	/* digest made with another key, or the wrong length of it */
	fake_init(&f, engine9, sizeof(engine9), 3, 1000);
	fake_ak[0] ^= 1;
	DROPPED("wrong digest");
	fake_init(&f, engine9, sizeof(engine9), 3, 1000);
	f.auth = USM_AUTH_SHA1;
	DROPPED("msgAuthenticationParameters of the wrong length");
	/* encrypted with another key: the digest is right, the data not */
	fake_init(&f, engine9, sizeof(engine9), 3, 1000);
	memset(other_pk, 0x42, sizeof(other_pk));
	f.pkey = other_pk;
	CHECK_EQ_INT(fake_answer(&f, 11), USM_DROP);
	CHECK(errstr != NULL && strcmp(errstr, "wrong digest") != 0);

	/* a tampered message: every octet of a good one in turn */
	fake_init(&f, engine9, sizeof(engine9), 3, 1000);
	len = fake_msg(&f, buf);
	for (i = 0; i < len; i++) {
		memcpy(pkt, buf, len);
		pkt[i] ^= 0x80;
		CHECK(usm_decode(&user, &agent, 11, &sent, pkt, len, &m,
		    &errstr) == USM_DROP);
	}
	/* and the good one, to show the loop could pass */
	memcpy(pkt, buf, len);
	CHECK_EQ_INT(usm_decode(&user, &agent, 11, &sent, pkt, len, &m,
	    &errstr), USM_OK);

	/* truncated, and with an octet more */
	memcpy(pkt, buf, len);
	CHECK_EQ_INT(usm_decode(&user, &agent, 11, &sent, pkt, len - 1, &m,
	    &errstr), USM_DROP);
	pkt[len] = 0;
	CHECK_EQ_INT(usm_decode(&user, &agent, 11, &sent, pkt, len + 1, &m,
	    &errstr), USM_DROP);
	CHECK_STR(errstr, "trailing data after message");
#undef DROPPED
}

/*
 * DES pads the plaintext to whole blocks: less than a block after the
 * ScopedPDU is padding, a whole block more is not
 */
TEST(fake_des_padding)
{
	struct fake	 f;
	size_t		 len, extra, sent_len;
	int		 dropped = 0, opened = 0;

	CHECK(usm_user_init(&user, "fleet", USM_AUTH_SHA1, "maplesyrup",
	    USM_PRIV_DES, "privsyrup1", 1, &errstr) == 0);
	CHECK(usm_agent_init(&agent, 1, "") == 0);
	CHECK(discover(engine9, sizeof(engine9), 10) == 0);
	for (extra = 0; extra < 24; extra++) {
		CHECK(request_and_open(10, 300 + (int32_t)extra, &len) == 0);
		fake_init(&f, engine9, sizeof(engine9), 3, 1000);
		f.msgid = 300 + (int32_t)extra;
		f.extra = extra;
		len = fake_msg(&f, pkt);
		/* the plaintext the agent encrypted, padded by usm_seal */
		sent_len = (fake_slen + extra + 7) / 8 * 8;
		if (sent_len - fake_slen < 8) {
			CHECK_EQ_INT(usm_decode(&user, &agent, 11, &sent, pkt,
			    len, &m, &errstr), USM_OK);
			CHECK(bytes_are(m.vb[0].v.s, m.vb[0].v.slen, "fake",
			    4));
			opened++;
		} else {
			CHECK_EQ_INT(usm_decode(&user, &agent, 11, &sent, pkt,
			    len, &m, &errstr), USM_DROP);
			dropped++;
		}
	}
	CHECK(opened >= 1 && dropped >= 8);
}

/* a noAuthNoPriv user: what an unauthenticated answer must still match */
TEST(fake_noauth_checks)
{
	struct fake	 f;
	size_t		 len;

	CHECK(usm_user_init(&user, "public", USM_AUTH_NONE, NULL,
	    USM_PRIV_NONE, NULL, 0, &errstr) == 0);
	CHECK(usm_agent_init(&agent, 1, "") == 0);
	CHECK(discover(engine9, sizeof(engine9), 10) == 0);
	CHECK(request_and_open(10, 300, &len) == 0);
	fake_init(&f, engine2, sizeof(engine2), 3, 1000);
	CHECK_EQ_INT(fake_answer(&f, 11), USM_DROP);
	CHECK_STR(errstr, "Response from another engine");
	fake_init(&f, engine9, sizeof(engine9), 3, 1000);
	f.user = "private";
	CHECK_EQ_INT(fake_answer(&f, 11), USM_DROP);
	CHECK_STR(errstr, "Response for another user");
	/* an authenticated answer to an unauthenticated request */
	fake_init(&f, engine9, sizeof(engine9), 3, 1000);
	f.flags = SNMP_V3_F_AUTH;
	f.auth = USM_AUTH_SHA1;
	memset(fake_ak, 1, sizeof(fake_ak));
	CHECK_EQ_INT(fake_answer(&f, 11), USM_DROP);
	CHECK_STR(errstr, "security level above the request's");
	/* the time of an unauthenticated message means nothing */
	fake_init(&f, engine9, sizeof(engine9), 0, 0);
	CHECK_EQ_INT(fake_answer(&f, 11), USM_OK);
	CHECK_EQ_INT(agent.boots, 3);
	CHECK_EQ_INT(agent.synced, 0);
}

/* RFC 3414 3.2 step 7b */
TEST(fake_time_window)
{
	struct fake	 f;
	size_t		 len;

	CHECK(usm_user_init(&user, "fleet", USM_AUTH_SHA1, "maplesyrup",
	    USM_PRIV_NONE, NULL, 0, &errstr) == 0);
	CHECK(usm_agent_init(&agent, 1, "") == 0);
	CHECK(discover(engine9, sizeof(engine9), 100) == 0);
	CHECK_EQ_INT(usm_agent_time(&agent, 100), 1000);
	CHECK_EQ_INT(usm_agent_time(&agent, 160), 1060);
	CHECK_EQ_INT(usm_agent_time(&agent, 40), 1000);

	/* the first authenticated answer sets the clock, even backwards */
	CHECK(request_and_open(100, 1, &len) == 0);
	fake_init(&f, engine9, sizeof(engine9), 2, 10);
	CHECK_EQ_INT(fake_answer(&f, 100), USM_OK);
	CHECK_EQ_INT(agent.synced, 1);
	CHECK_EQ_INT(agent.boots, 2);
	CHECK_EQ_INT(agent.time, 10);

	/*
	 * A time later than the latest received is taken (step 7b i),
	 * however far behind the estimate: at t = 300 the estimate is 210.
	 */
	CHECK(request_and_open(300, 2, &len) == 0);
	CHECK_EQ_INT(h.time, 210);
	fake_init(&f, engine9, sizeof(engine9), 2, 40);
	CHECK_EQ_INT(fake_answer(&f, 300), USM_OK);
	CHECK_EQ_INT(agent.time, 40);
	CHECK_EQ_INT(agent.learned, 300);
	fake_init(&f, engine9, sizeof(engine9), 2, 215);
	CHECK_EQ_INT(fake_answer(&f, 300), USM_OK);
	CHECK_EQ_INT(agent.time, 215);
	/* older ones are checked against the window (step 7b ii) */
	fake_init(&f, engine9, sizeof(engine9), 1, 5000);
	CHECK_EQ_INT(fake_answer(&f, 300), USM_DROP);
	CHECK_STR(errstr, "engine boots lower than before: outside the "
	    "time window");
	fake_init(&f, engine9, sizeof(engine9), 2, 64);
	CHECK_EQ_INT(fake_answer(&f, 300), USM_DROP);
	CHECK_STR(errstr, "engine time outside the time window");
	fake_init(&f, engine9, sizeof(engine9), 2, 65);
	CHECK_EQ_INT(fake_answer(&f, 300), USM_OK);
	CHECK_EQ_INT(agent.time, 215);		/* not later: unchanged */
	/* at t = 400 the estimate is 315: 165 is in, 164 out */
	fake_init(&f, engine9, sizeof(engine9), 2, 164);
	CHECK_EQ_INT(fake_answer(&f, 400), USM_DROP);
	fake_init(&f, engine9, sizeof(engine9), 2, 165);
	CHECK_EQ_INT(fake_answer(&f, 400), USM_OK);
	CHECK_EQ_INT(agent.time, 215);
	fake_init(&f, engine9, sizeof(engine9), 3, 1);
	CHECK_EQ_INT(fake_answer(&f, 301), USM_OK);
	CHECK_EQ_INT(agent.boots, 3);
	CHECK_EQ_INT(agent.time, 1);
	fake_init(&f, engine9, sizeof(engine9), INT32_MAX, 1);
	CHECK_EQ_INT(fake_answer(&f, 301), USM_DROP);
	CHECK_STR(errstr, "engine boots at its maximum");
	CHECK_EQ_INT(agent.boots, 3);
}

/* an agent that restarted: boots changed, the clock is learned again */
TEST(fake_restart_resync)
{
	struct fake	 f;
	size_t		 len;

	CHECK(usm_user_init(&user, "fleet", USM_AUTH_SHA512, "maplesyrup",
	    USM_PRIV_AES256, "privsyrup1", 0, &errstr) == 0);
	CHECK(usm_agent_init(&agent, 1, "") == 0);
	CHECK(discover(engine9, sizeof(engine9), 0) == 0);
	CHECK(request_and_open(0, 1, &len) == 0);
	fake_init(&f, engine9, sizeof(engine9), 3, 1000);
	CHECK_EQ_INT(fake_answer(&f, 0), USM_OK);

	/* restarted: boots 4, time 2; the request still says 3, 1100 */
	CHECK(request_and_open(100, 2, &len) == 0);
	CHECK_EQ_INT(h.boots, 3);
	CHECK_EQ_INT(h.time, 1100);
	fake_init(&f, engine9, sizeof(engine9), 4, 2);
	f.pdu = SNMP_PDU_REPORT;
	f.report = "1.3.6.1.6.3.15.1.1.2.0";
	f.flags = SNMP_V3_F_AUTH;
	/* not authenticated: nothing learned */
	f.flags = 0;
	CHECK_EQ_INT(fake_answer(&f, 100), USM_NOT_IN_TIME_WINDOW);
	CHECK(!usm_status_auth_failure(USM_NOT_IN_TIME_WINDOW));
	CHECK_EQ_INT(agent.boots, 3);
	/* a replayed older report: outside the window */
	f.flags = SNMP_V3_F_AUTH;
	f.boots = 2;
	CHECK_EQ_INT(fake_answer(&f, 100), USM_DROP);
	CHECK_EQ_INT(agent.boots, 3);
	f.boots = 4;
	CHECK_EQ_INT(fake_answer(&f, 100), USM_RESYNCED);
	CHECK_EQ_INT(agent.boots, 4);
	CHECK_EQ_INT(agent.time, 2);
	CHECK(request_and_open(101, 3, &len) == 0);
	CHECK_EQ_INT(h.boots, 4);
	CHECK_EQ_INT(h.time, 3);
	fake_init(&f, engine9, sizeof(engine9), 4, 3);
	CHECK_EQ_INT(fake_answer(&f, 101), USM_OK);

	/* our clock ran ahead of the agent's: its word inside the window */
	CHECK(request_and_open(201, 4, &len) == 0);
	CHECK_EQ_INT(h.time, 103);
	fake_init(&f, engine9, sizeof(engine9), 4, 40);
	f.pdu = SNMP_PDU_REPORT;
	f.report = "1.3.6.1.6.3.15.1.1.2.0";
	f.flags = SNMP_V3_F_AUTH;
	CHECK_EQ_INT(fake_answer(&f, 201), USM_RESYNCED);
	CHECK_EQ_INT(usm_agent_time(&agent, 201), 40);

	/* boots went backwards (state lost): only a cleared agent learns */
	fake_init(&f, engine9, sizeof(engine9), 1, 5);
	f.pdu = SNMP_PDU_REPORT;
	f.report = "1.3.6.1.6.3.15.1.1.2.0";
	f.flags = SNMP_V3_F_AUTH;
	CHECK_EQ_INT(fake_answer(&f, 202), USM_DROP);
	usm_agent_clear(&agent);
	CHECK(discover(engine9, sizeof(engine9), 203) == 0);
	CHECK(request_and_open(203, 5, &len) == 0);
	fake_init(&f, engine9, sizeof(engine9), 1, 5);
	f.pdu = SNMP_PDU_REPORT;
	f.report = "1.3.6.1.6.3.15.1.1.2.0";
	f.flags = SNMP_V3_F_AUTH;
	CHECK_EQ_INT(fake_answer(&f, 203), USM_RESYNCED);
	CHECK_EQ_INT(agent.boots, 1);
}

/* reports: which ends the exchange, which continues it */
TEST(fake_reports)
{
	static const struct {
		const char	*oid;
		enum usm_status	 st;
		int		 authfail;
	} v[] = {
		{ "1.3.6.1.6.3.15.1.1.1.0", USM_UNSUPPORTED_LEVEL, 1 },
		{ "1.3.6.1.6.3.15.1.1.3.0", USM_UNKNOWN_USER, 1 },
		{ "1.3.6.1.6.3.15.1.1.5.0", USM_WRONG_DIGEST, 1 },
		{ "1.3.6.1.6.3.15.1.1.6.0", USM_DECRYPTION_ERROR, 1 },
		{ "1.3.6.1.6.3.15.1.1.2.0", USM_NOT_IN_TIME_WINDOW, 0 },
		{ "1.3.6.1.6.3.15.1.1.7.0", USM_REPORT, 0 },
		{ "1.3.6.1.6.3.15.1.1.5.1", USM_REPORT, 0 },
		{ "1.3.6.1.6.3.15.1.1.5", USM_REPORT, 0 },
		{ "1.3.6.1.6.3.11.2.1.2.0", USM_REPORT, 0 },	/* invalidMsgs */
		{ "1.3.6.1.6.3.15.1.2.5.0", USM_REPORT, 0 },
	};
	struct fake	 f;
	size_t		 i, len;

	CHECK(usm_user_init(&user, "fleet", USM_AUTH_SHA1, "maplesyrup",
	    USM_PRIV_AES128, "privsyrup1", 0, &errstr) == 0);
	CHECK(usm_agent_init(&agent, 1, "") == 0);
	CHECK(discover(engine9, sizeof(engine9), 10) == 0);
	CHECK(request_and_open(10, 400, &len) == 0);
	for (i = 0; i < LEN(v); i++) {
		fake_init(&f, engine9, sizeof(engine9), 3, 1000);
		f.flags = 0;
		f.user = "";
		f.pdu = SNMP_PDU_REPORT;
		f.report = v[i].oid;
		CHECK_EQ_INT(fake_answer(&f, 11), v[i].st);
		CHECK_EQ_INT(usm_status_auth_failure(v[i].st), v[i].authfail);
	}
	/* an empty Report */
	fake_init(&f, engine9, sizeof(engine9), 3, 1000);
	f.flags = 0;
	f.pdu = SNMP_PDU_REPORT;
	len = fake_msg(&f, pkt);
	CHECK(snmp_v3_decode(pkt, len, &h, &errstr) == 0);

	/* unknownEngineIDs naming the engine asked: no progress */
	fake_init(&f, engine9, sizeof(engine9), 3, 1000);
	f.flags = 0;
	f.pdu = SNMP_PDU_REPORT;
	f.report = "1.3.6.1.6.3.15.1.1.4.0";
	CHECK_EQ_INT(fake_answer(&f, 11), USM_UNKNOWN_ENGINE);
	/* ... and another: learned, keys localised to it */
	fake_init(&f, engine2, sizeof(engine2), 7, 70);
	f.flags = 0;
	f.pdu = SNMP_PDU_REPORT;
	f.report = "1.3.6.1.6.3.15.1.1.4.0";
	CHECK_EQ_INT(fake_answer(&f, 11), USM_DISCOVERED);
	CHECK(bytes_are(agent.engineid, agent.engineid_len, engine2,
	    sizeof(engine2)));
	CHECK(request_and_open(11, 401, &len) == 0);
	CHECK(bytes_are(h.engineid, h.engineid_len, engine2,
	    sizeof(engine2)));
	fake_init(&f, engine2, sizeof(engine2), 7, 70);
	CHECK_EQ_INT(fake_answer(&f, 11), USM_OK);
	/* ... without an engine id: ignored */
	CHECK(request_and_open(11, 402, &len) == 0);
	fake_init(&f, NULL, 0, 7, 70);
	f.flags = 0;
	f.pdu = SNMP_PDU_REPORT;
	f.report = "1.3.6.1.6.3.15.1.1.4.0";
	CHECK_EQ_INT(fake_answer(&f, 11), USM_DROP);
	CHECK_STR(errstr, "unknownEngineIDs report without an engine id");

	/* a Response to the probe */
	CHECK(usm_encode_probe(9, 9, &sent, buf, sizeof(buf), &len) == 0);
	fake_init(&f, engine2, sizeof(engine2), 7, 70);
	f.flags = 0;
	CHECK_EQ_INT(fake_answer(&f, 11), USM_DROP);
	CHECK_STR(errstr, "a Response to a discovery probe");
}

TEST(encode_request_refusals)
{
	struct usm_user	 other;
	size_t		 len, need, n;

	CHECK(usm_user_init(&user, "fleet", USM_AUTH_SHA256, "maplesyrup",
	    USM_PRIV_AES256, "privsyrup1", 0, &errstr) == 0);
	CHECK(usm_agent_init(&agent, 1, "") == 0);
	CHECK(usm_agent_init(&agent, 1, "0123456789abcdef0123456789abcdef"
	    "x") == -1);
	CHECK(usm_agent_init(&agent, 1, NULL) == 0);
	CHECK(discover(engine9, sizeof(engine9), 10) == 0);
	CHECK(usm_encode_request(&user, &agent, 10, -1, SNMP_PDU_GET, 5, 0,
	    0, sysname_oid(), 1, &sent, buf, sizeof(buf), &len) == -1);
	CHECK(usm_encode_request(&user, &agent, 10, 1, 0xa4, 5, 0, 0,
	    sysname_oid(), 1, &sent, buf, sizeof(buf), &len) == -1);
	CHECK(usm_encode_request(&user, &agent, 10, 1, SNMP_PDU_GET, 5, 0, 0,
	    sysname_oid(), 1, &sent, buf, sizeof(buf), &need) == 0);
	/* every smaller buffer refused, nothing written past it */
	for (n = 0; n < need; n++) {
		memset(buf, 0xee, need + 1);
		CHECK(usm_encode_request(&user, &agent, 10, 1, SNMP_PDU_GET,
		    5, 0, 0, sysname_oid(), 1, &sent, buf, n, &len) == -1);
		CHECK(buf[n] == 0xee);
	}
	CHECK(usm_encode_probe(-1, 1, &sent, buf, sizeof(buf), &len) == -1);
	CHECK(usm_encode_probe(1, 1, &sent, buf, 20, &len) == -1);
	/* the agent's keys are another user's */
	CHECK(usm_user_init(&other, "fleet", USM_AUTH_SHA256, "maplesyrup",
	    USM_PRIV_AES128, "privsyrup1", 0, &errstr) == 0);
	CHECK(usm_encode_request(&other, &agent, 10, 1, SNMP_PDU_GET, 5, 0,
	    0, sysname_oid(), 1, &sent, buf, sizeof(buf), &len) == -1);
	CHECK(usm_user_init(&other, "fleet2", USM_AUTH_SHA256, "maplesyrup",
	    USM_PRIV_AES256, "privsyrup1", 0, &errstr) == 0);
	CHECK(usm_encode_request(&other, &agent, 10, 1, SNMP_PDU_GET, 5, 0,
	    0, sysname_oid(), 1, &sent, buf, sizeof(buf), &len) == -1);
	usm_user_clear(&other);
}

TEST_MAIN_BEGIN("test_usm")
	RUN(password_to_key_vectors);
	RUN(privkey_like_netsnmp);
	RUN(key_bad_arguments);
	RUN(mac_lengths_and_window);
	RUN(aes_cfb_nist);
	RUN(des_cbc);
	RUN(names);
	RUN(user_refusals);
	RUN(user_from_keys_and_wipe);
	RUN(open_netsnmp_messages);
	RUN(exchange_like_netsnmp);
	RUN(netsnmp_wrong_digest_and_unknown_user);
	RUN(netsnmp_not_in_time_window);
	RUN(fake_exchange_every_combination);
	RUN(fake_answers_dropped);
	RUN(fake_des_padding);
	RUN(fake_noauth_checks);
	RUN(fake_time_window);
	RUN(fake_restart_resync);
	RUN(fake_reports);
	RUN(encode_request_refusals);
TEST_MAIN_END
