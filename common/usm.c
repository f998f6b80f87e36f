/*
 * SNMPv3 User-based Security Model: see usm.h.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "ber.h"
#include "snmp.h"
#include "usm.h"

#define FAIL(msg) do {							\
	*errstr = (msg);						\
	return -1;							\
} while (0)

#define P2K_OCTETS	1048576		/* RFC 3414 A.2: one megabyte */
#define NAUTH		(USM_AUTH_SHA512 + 1)
#define NPRIV		(USM_PRIV_AES256 + 1)

static const struct {
	const char	*name;		/* net-snmp's -a */
	const char	*md;		/* libcrypto's */
	size_t		 keylen;
	size_t		 maclen;
} auths[NAUTH] = {
	[USM_AUTH_NONE] =	{ "none",	NULL,		0,	0 },
	[USM_AUTH_MD5] =	{ "MD5",	"MD5",		16,	12 },
	[USM_AUTH_SHA1] =	{ "SHA",	"SHA1",		20,	12 },
	[USM_AUTH_SHA224] =	{ "SHA-224",	"SHA224",	28,	16 },
	[USM_AUTH_SHA256] =	{ "SHA-256",	"SHA256",	32,	24 },
	[USM_AUTH_SHA384] =	{ "SHA-384",	"SHA384",	48,	32 },
	[USM_AUTH_SHA512] =	{ "SHA-512",	"SHA512",	64,	48 },
};

static const struct {
	const char	*name;		/* net-snmp's -x */
	const char	*cipher;	/* libcrypto's */
	size_t		 keylen;
} privs[NPRIV] = {
	[USM_PRIV_NONE] =	{ "none",	NULL,		0 },
	/* single DES as DES-EDE3 with three equal keys: libcrypto's
	 * default provider has no DES of its own (RFC 3414 8.1) */
	[USM_PRIV_DES] =	{ "DES",	"DES-EDE3-CBC",	16 },
	[USM_PRIV_AES128] =	{ "AES",	"AES-128-CFB",	16 },
	[USM_PRIV_AES192] =	{ "AES-192",	"AES-192-CFB",	24 },
	[USM_PRIV_AES256] =	{ "AES-256",	"AES-256-CFB",	32 },
};

/* the algorithms, fetched once (usm_init) */
static struct {
	int		 ready;
	EVP_MAC		*hmac;
	EVP_MD		*md[NAUTH];
	EVP_CIPHER	*cipher[NPRIV];
} lib;

/* usmStats (RFC 3414 section 5): 1.3.6.1.6.3.15.1.1.N.0 */
static const uint32_t usmstats[] = { 1, 3, 6, 1, 6, 3, 15, 1, 1 };
#define USMSTATS_LEN	(sizeof(usmstats) / sizeof(usmstats[0]))
#define USMSTATS_UNSUPPORTED_LEVEL	1
#define USMSTATS_NOT_IN_TIME_WINDOW	2
#define USMSTATS_UNKNOWN_USER		3
#define USMSTATS_UNKNOWN_ENGINE		4
#define USMSTATS_WRONG_DIGEST		5
#define USMSTATS_DECRYPTION_ERROR	6

int
usm_init(void)
{
	int	 i;

	if (lib.ready)
		return 0;
	if (lib.hmac == NULL &&
	    (lib.hmac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL)) == NULL)
		return -1;
	for (i = 0; i < NAUTH; i++) {
		if (auths[i].md == NULL || lib.md[i] != NULL)
			continue;
		if ((lib.md[i] = EVP_MD_fetch(NULL, auths[i].md, NULL)) == NULL)
			return -1;
	}
	for (i = 0; i < NPRIV; i++) {
		if (privs[i].cipher == NULL || lib.cipher[i] != NULL)
			continue;
		if ((lib.cipher[i] = EVP_CIPHER_fetch(NULL, privs[i].cipher,
		    NULL)) == NULL)
			return -1;
	}
	lib.ready = 1;
	return 0;
}

static int
auth_ok(enum usm_auth a)
{
	return a > USM_AUTH_NONE && a < NAUTH;
}

static int
priv_ok(enum usm_priv p)
{
	return p >= USM_PRIV_DES && p < NPRIV;
}

static const EVP_MD *
md_of(enum usm_auth a)
{
	if (!auth_ok(a) || usm_init() == -1)
		return NULL;
	return lib.md[a];
}

/* names compare without case and without '-': "sha-256" is "SHA256" */
static int
name_eq(const char *a, const char *b)
{
	for (;;) {
		while (*a == '-')
			a++;
		while (*b == '-')
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if ((*a | 0x20) != (*b | 0x20))
			return 0;
		a++;
		b++;
	}
}

int
usm_auth_from_name(const char *s, enum usm_auth *a)
{
	int	 i;

	if (name_eq(s, "SHA1")) {
		*a = USM_AUTH_SHA1;
		return 0;
	}
	for (i = USM_AUTH_MD5; i < NAUTH; i++) {
		if (name_eq(s, auths[i].name)) {
			*a = i;
			return 0;
		}
	}
	return -1;
}

int
usm_priv_from_name(const char *s, enum usm_priv *p)
{
	int	 i;

	if (name_eq(s, "AES128")) {
		*p = USM_PRIV_AES128;
		return 0;
	}
	for (i = USM_PRIV_DES; i < NPRIV; i++) {
		if (name_eq(s, privs[i].name)) {
			*p = i;
			return 0;
		}
	}
	return -1;
}

const char *
usm_auth_name(enum usm_auth a)
{
	return a >= USM_AUTH_NONE && a < NAUTH ? auths[a].name : "unknown";
}

const char *
usm_priv_name(enum usm_priv p)
{
	return p >= USM_PRIV_NONE && p < NPRIV ? privs[p].name : "unknown";
}

int
usm_auth_weak(enum usm_auth a)
{
	return a == USM_AUTH_MD5;
}

int
usm_priv_weak(enum usm_priv p)
{
	return p == USM_PRIV_DES;
}

size_t
usm_key_len(enum usm_auth a)
{
	return auth_ok(a) ? auths[a].keylen : 0;
}

size_t
usm_mac_len(enum usm_auth a)
{
	return auth_ok(a) ? auths[a].maclen : 0;
}

size_t
usm_privkey_len(enum usm_priv p)
{
	return priv_ok(p) ? privs[p].keylen : 0;
}

int
usm_password_to_key(enum usm_auth a, const void *pw, size_t pwlen,
    uint8_t *ku)
{
	const uint8_t	*p = pw;
	const EVP_MD	*md;
	EVP_MD_CTX	*ctx;
	uint8_t		 block[64];
	unsigned int	 n = 0;
	size_t		 done, i, j = 0;
	int		 ok;

	if ((md = md_of(a)) == NULL || pw == NULL ||
	    pwlen < USM_PASSWORD_MIN || pwlen > USM_PASSWORD_MAX)
		return -1;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex2(ctx, md, NULL) == 1;
	for (done = 0; ok && done < P2K_OCTETS; done += sizeof(block)) {
		for (i = 0; i < sizeof(block); i++) {
			block[i] = p[j];
			if (++j == pwlen)
				j = 0;
		}
		ok = EVP_DigestUpdate(ctx, block, sizeof(block)) == 1;
	}
	if (ok)
		ok = EVP_DigestFinal_ex(ctx, ku, &n) == 1 &&
		    n == auths[a].keylen;
	EVP_MD_CTX_free(ctx);
	explicit_bzero(block, sizeof(block));
	return ok ? 0 : -1;
}

int
usm_localize(enum usm_auth a, const uint8_t *ku, const uint8_t *engineid,
    size_t len, uint8_t *kul)
{
	const EVP_MD	*md;
	EVP_MD_CTX	*ctx;
	unsigned int	 n = 0;
	size_t		 kl;
	int		 ok;

	if ((md = md_of(a)) == NULL || len == 0 ||
	    len > SNMP_V3_MAX_ENGINEID)
		return -1;
	kl = auths[a].keylen;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex2(ctx, md, NULL) == 1 &&
	    EVP_DigestUpdate(ctx, ku, kl) == 1 &&
	    EVP_DigestUpdate(ctx, engineid, len) == 1 &&
	    EVP_DigestUpdate(ctx, ku, kl) == 1 &&
	    EVP_DigestFinal_ex(ctx, kul, &n) == 1 && n == kl;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/*
 * draft-blumenthal-aes-usm-04 section 3.1.2.1 as net-snmp does it: while
 * the key is too short, append the hash of all of it so far (the last
 * hash only in part).
 */
int
usm_privkey(enum usm_auth a, enum usm_priv p, const uint8_t *ku,
    const uint8_t *engineid, size_t len, uint8_t *key)
{
	const EVP_MD	*md;
	uint8_t		 k[USM_MAX_KEY], h[USM_MAX_KEY];
	unsigned int	 n;
	size_t		 have, need, take;
	int		 rv = -1;

	if ((md = md_of(a)) == NULL || !priv_ok(p))
		return -1;
	need = privs[p].keylen;
	have = auths[a].keylen;
	if (usm_localize(a, ku, engineid, len, k) == -1)
		goto done;
	while (have < need) {
		if (EVP_Digest(k, have, h, &n, md, NULL) != 1 ||
		    n != auths[a].keylen)
			goto done;
		take = need - have < n ? need - have : n;
		memcpy(k + have, h, take);
		have += take;
	}
	memcpy(key, k, need);
	rv = 0;
 done:
	explicit_bzero(k, sizeof(k));
	explicit_bzero(h, sizeof(h));
	return rv;
}

int
usm_mac(enum usm_auth a, const uint8_t *key, const uint8_t *msg, size_t len,
    size_t off, uint8_t *mac)
{
	static const uint8_t	 zeros[USM_MAX_MAC];
	OSSL_PARAM		 params[2];
	EVP_MAC_CTX		*ctx;
	uint8_t			 full[EVP_MAX_MD_SIZE];
	size_t			 ml, n = 0;
	int			 ok;

	if (!auth_ok(a) || usm_init() == -1)
		return -1;
	ml = auths[a].maclen;
	if (off > len || len - off < ml)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)auths[a].md, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_MAC_CTX_new(lib.hmac)) == NULL)
		return -1;
	ok = EVP_MAC_init(ctx, key, auths[a].keylen, params) == 1 &&
	    EVP_MAC_update(ctx, msg, off) == 1 &&
	    EVP_MAC_update(ctx, zeros, ml) == 1 &&
	    EVP_MAC_update(ctx, msg + off + ml, len - off - ml) == 1 &&
	    EVP_MAC_final(ctx, full, &n, sizeof(full)) == 1 &&
	    n == auths[a].keylen;
	EVP_MAC_CTX_free(ctx);
	if (ok)
		memcpy(mac, full, ml);
	explicit_bzero(full, sizeof(full));
	return ok ? 0 : -1;
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/*
 * AES (RFC 3826 3.1.2.1): IV = engine boots || engine time || salt.
 * DES (RFC 3414 8.1.1): the key is the first 8 octets of the privacy
 * key, IV = its last 8 (the pre-IV) XOR the salt; CBC, whole blocks.
 */
int
usm_crypt(enum usm_priv p, int enc, const uint8_t *key, int32_t boots,
    int32_t etime, const uint8_t *salt, uint8_t *data, size_t len)
{
	EVP_CIPHER_CTX	*ctx;
	uint8_t		 iv[16], k3[24];
	const uint8_t	*k = key;
	int		 n = 0, fin = 0, ok, i;

	if (!priv_ok(p) || usm_init() == -1 || len > SNMP_MAX_MSGLEN ||
	    boots < 0 || etime < 0)
		return -1;
	if (p == USM_PRIV_DES) {
		if (len % 8 != 0)
			return -1;
		for (i = 0; i < 8; i++)
			iv[i] = key[8 + i] ^ salt[i];
		memcpy(k3, key, 8);
		memcpy(k3 + 8, key, 8);
		memcpy(k3 + 16, key, 8);
		k = k3;
	} else {
		put_be32(iv, (uint32_t)boots);
		put_be32(iv + 4, (uint32_t)etime);
		memcpy(iv + 8, salt, USM_SALT_LEN);
	}
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL) {
		explicit_bzero(k3, sizeof(k3));
		return -1;
	}
	ok = EVP_CipherInit_ex2(ctx, lib.cipher[p], k, iv, enc, NULL) == 1 &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	    EVP_CipherUpdate(ctx, data, &n, data, (int)len) == 1 &&
	    EVP_CipherFinal_ex(ctx, data + n, &fin) == 1 &&
	    (size_t)n + (size_t)fin == len;
	EVP_CIPHER_CTX_free(ctx);
	explicit_bzero(k3, sizeof(k3));
	return ok ? 0 : -1;
}

/*
 * DES pads the ScopedPDU to whole blocks: the SEQUENCE without them.
 * Padding is less than a block; more octets after it are not padding.
 */
static int
unpad(const uint8_t *data, size_t *len)
{
	struct ber_reader	 r;
	struct ber_tlv		 t;
	const char		*errstr;
	size_t			 seqlen;

	ber_reader_init(&r, data, *len);
	if (ber_expect(&r, BER_TAG_SEQUENCE, &t, &errstr) == -1)
		return -1;
	seqlen = (size_t)(r.p - data);
	if (*len - seqlen >= 8)
		return -1;
	*len = seqlen;
	return 0;
}

int
usm_seal(struct snmp_v3 *h, enum usm_auth a, const uint8_t *akey,
    enum usm_priv p, const uint8_t *pkey, uint8_t *buf, size_t bufsz,
    size_t scoped_len, size_t *outlen)
{
	uint8_t		 mac[USM_MAX_MAC];
	size_t		 authoff;

	if (scoped_len > bufsz)
		return -1;
	if ((h->flags & SNMP_V3_F_PRIV) && p == USM_PRIV_DES) {
		/* pad to whole blocks (any octets do: zeros) */
		while (scoped_len % 8 != 0) {
			if (scoped_len >= bufsz)
				return -1;
			buf[scoped_len++] = 0;
		}
	}
	if (h->flags & SNMP_V3_F_PRIV) {
		if (!priv_ok(p) || pkey == NULL || h->privp == NULL ||
		    h->privp_len != USM_SALT_LEN ||
		    usm_crypt(p, 1, pkey, h->boots, h->time, h->privp, buf,
		    scoped_len) == -1)
			return -1;
	} else {
		h->privp = NULL;
		h->privp_len = 0;
	}
	h->authp = NULL;
	h->authp_len = 0;
	if (h->flags & SNMP_V3_F_AUTH) {
		if (!auth_ok(a) || akey == NULL)
			return -1;
		h->authp_len = auths[a].maclen;
	}
	h->data = buf;
	h->data_len = scoped_len;
	if (snmp_v3_encode(h, buf, bufsz, outlen, &authoff) == -1)
		return -1;
	h->data = NULL;		/* moved within buf */
	if (h->flags & SNMP_V3_F_AUTH) {
		if (usm_mac(a, akey, buf, *outlen, authoff, mac) == -1)
			return -1;
		memcpy(buf + authoff, mac, h->authp_len);
		h->authp = buf + authoff;
	}
	return 0;
}

/* p[0..n) lies in pkt[0..len) */
static int
within(const uint8_t *pkt, size_t len, const uint8_t *p, size_t n)
{
	if (n == 0)
		return 1;
	if (p == NULL || p < pkt || (size_t)(p - pkt) > len)
		return 0;
	return n <= len - (size_t)(p - pkt);
}

int
usm_open(struct snmp_v3 *h, enum usm_auth a, const uint8_t *akey,
    enum usm_priv p, const uint8_t *pkey, uint8_t *pkt, size_t len,
    const char **errstr)
{
	uint8_t		 mac[USM_MAX_MAC];
	size_t		 off;

	if (h->flags & SNMP_V3_F_AUTH) {
		if (!auth_ok(a) || akey == NULL)
			FAIL("authenticated message for a user without "
			    "authentication");
		if (h->authp_len != auths[a].maclen)
			FAIL("msgAuthenticationParameters of the wrong length");
		if (!within(pkt, len, h->authp, h->authp_len))
			FAIL("message and its decoding differ");
		off = (size_t)(h->authp - pkt);
		if (usm_mac(a, akey, pkt, len, off, mac) == -1)
			FAIL("HMAC failed");
		if (CRYPTO_memcmp(mac, h->authp, h->authp_len) != 0)
			FAIL("wrong digest");
	}
	if (h->flags & SNMP_V3_F_PRIV) {
		if (!priv_ok(p) || pkey == NULL)
			FAIL("encrypted message for a user without privacy");
		if (h->privp_len != USM_SALT_LEN)
			FAIL("msgPrivacyParameters not of 8 octets");
		if (!within(pkt, len, h->data, h->data_len))
			FAIL("message and its decoding differ");
		if (usm_crypt(p, 0, pkey, h->boots, h->time, h->privp,
		    pkt + (h->data - pkt), h->data_len) == -1)
			FAIL("decryption failed");
		if (p == USM_PRIV_DES && unpad(h->data, &h->data_len) == -1)
			FAIL("decryption failed: not a ScopedPDU");
	}
	return 0;
}

void
usm_user_clear(struct usm_user *u)
{
	explicit_bzero(u, sizeof(*u));
}

uint8_t
usm_user_level(const struct usm_user *u)
{
	uint8_t	 f = 0;

	if (u->auth != USM_AUTH_NONE)
		f |= SNMP_V3_F_AUTH;
	if (u->priv != USM_PRIV_NONE)
		f |= SNMP_V3_F_PRIV;
	return f;
}

/* the checks common to both ways of making a user; fills name and algs */
static int
user_begin(struct usm_user *u, const char *name, enum usm_auth a,
    enum usm_priv p, int allow_weak, const char **errstr)
{
	size_t	 n;

	usm_user_clear(u);
	n = name != NULL ? strlen(name) : 0;
	if (n == 0)
		FAIL("empty user name");
	if (n > SNMP_V3_MAX_USER)
		FAIL("user name longer than 32 octets");
	if (a < USM_AUTH_NONE || a >= NAUTH)
		FAIL("unknown authentication protocol");
	if (p < USM_PRIV_NONE || p >= NPRIV)
		FAIL("unknown privacy protocol");
	if (p != USM_PRIV_NONE && a == USM_AUTH_NONE)
		FAIL("privacy without authentication");
	if (usm_auth_weak(a) && !allow_weak)
		FAIL("MD5 authentication is weak and not allowed");
	if (usm_priv_weak(p) && !allow_weak)
		FAIL("DES privacy is weak and not allowed");
	if (usm_init() == -1)
		FAIL("libcrypto lacks an algorithm");
	memcpy(u->name, name, n);
	u->name_len = n;
	u->auth = a;
	u->priv = p;
	return 0;
}

int
usm_user_init(struct usm_user *u, const char *name, enum usm_auth a,
    const char *authpass, enum usm_priv p, const char *privpass,
    int allow_weak, const char **errstr)
{
	size_t	 n;

	if (user_begin(u, name, a, p, allow_weak, errstr) == -1)
		return -1;
	if (a != USM_AUTH_NONE) {
		n = authpass != NULL ? strlen(authpass) : 0;
		if (n < USM_PASSWORD_MIN || n > USM_PASSWORD_MAX) {
			usm_user_clear(u);
			FAIL("authentication password not of 8 to 256 octets");
		}
		if (usm_password_to_key(a, authpass, n, u->auth_ku) == -1) {
			usm_user_clear(u);
			FAIL("password to key failed");
		}
	}
	if (p != USM_PRIV_NONE) {
		n = privpass != NULL ? strlen(privpass) : 0;
		if (n < USM_PASSWORD_MIN || n > USM_PASSWORD_MAX) {
			usm_user_clear(u);
			FAIL("privacy password not of 8 to 256 octets");
		}
		if (usm_password_to_key(a, privpass, n, u->priv_ku) == -1) {
			usm_user_clear(u);
			FAIL("password to key failed");
		}
	}
	return 0;
}

int
usm_user_init_keys(struct usm_user *u, const char *name, enum usm_auth a,
    const uint8_t *auth_ku, enum usm_priv p, const uint8_t *priv_ku,
    int allow_weak, const char **errstr)
{
	if (user_begin(u, name, a, p, allow_weak, errstr) == -1)
		return -1;
	if ((a != USM_AUTH_NONE && auth_ku == NULL) ||
	    (p != USM_PRIV_NONE && priv_ku == NULL)) {
		usm_user_clear(u);
		FAIL("missing key");
	}
	if (a != USM_AUTH_NONE)
		memcpy(u->auth_ku, auth_ku, auths[a].keylen);
	if (p != USM_PRIV_NONE)
		memcpy(u->priv_ku, priv_ku, auths[a].keylen);
	return 0;
}

int
usm_agent_init(struct usm_agent *ag, uint64_t salt, const char *ctx)
{
	size_t	 n = ctx != NULL ? strlen(ctx) : 0;

	explicit_bzero(ag, sizeof(*ag));
	if (n > SNMP_V3_MAX_CONTEXT)
		return -1;
	if (n > 0)
		memcpy(ag->ctx, ctx, n);
	ag->ctx_len = n;
	ag->salt = salt;
	return 0;
}

void
usm_agent_clear(struct usm_agent *ag)
{
	uint8_t		 ctx[SNMP_V3_MAX_CONTEXT];
	size_t		 ctx_len = ag->ctx_len;
	uint64_t	 salt = ag->salt;

	memcpy(ctx, ag->ctx, sizeof(ctx));
	explicit_bzero(ag, sizeof(*ag));
	memcpy(ag->ctx, ctx, sizeof(ctx));
	ag->ctx_len = ctx_len;
	ag->salt = salt;
}

int32_t
usm_agent_time(const struct usm_agent *ag, int64_t now)
{
	int64_t	 t = ag->time;

	if (now > ag->learned)
		t += now - ag->learned;
	return t > INT32_MAX ? INT32_MAX : (int32_t)t;
}

/* the keys of the agent are the user's */
static int
agent_is_users(const struct usm_agent *ag, const struct usm_user *u)
{
	return ag->auth == u->auth && ag->priv == u->priv &&
	    ag->user_len == u->name_len &&
	    memcmp(ag->user, u->name, u->name_len) == 0;
}

/* a new engine: its id, boots and time (not yet trusted), and keys */
static int
learn_engine(struct usm_agent *ag, const struct usm_user *u,
    const struct snmp_v3 *h, int64_t now)
{
	usm_agent_clear(ag);
	memcpy(ag->engineid, h->engineid, h->engineid_len);
	ag->engineid_len = h->engineid_len;
	ag->boots = h->boots;
	ag->time = h->time;
	ag->learned = now;
	ag->synced = 0;
	memcpy(ag->user, u->name, u->name_len);
	ag->user_len = u->name_len;
	ag->auth = u->auth;
	ag->priv = u->priv;
	if (u->auth != USM_AUTH_NONE && usm_localize(u->auth, u->auth_ku,
	    ag->engineid, ag->engineid_len, ag->auth_key) == -1)
		goto fail;
	if (u->priv != USM_PRIV_NONE && usm_privkey(u->auth, u->priv,
	    u->priv_ku, ag->engineid, ag->engineid_len, ag->priv_key) == -1)
		goto fail;
	return 0;
 fail:
	usm_agent_clear(ag);
	return -1;
}

static int
engine_is(const struct usm_agent *ag, const uint8_t *id, size_t len)
{
	return ag->engineid_len > 0 && ag->engineid_len == len &&
	    memcmp(ag->engineid, id, len) == 0;
}

/*
 * RFC 3414 3.2 step 7b for an authenticated message of the agent's
 * engine: a later boots or time becomes the agent's; one that is too old
 * is refused.  The first authenticated message sets the clock whatever
 * it holds: what came before (a discovery report) was not authenticated.
 */
static int
timeliness(struct usm_agent *ag, int64_t now, const struct snmp_v3 *h,
    const char **errstr)
{
	if (h->boots == INT32_MAX)
		FAIL("engine boots at its maximum");
	if (!ag->synced || h->boots > ag->boots ||
	    (h->boots == ag->boots && h->time > ag->time)) {
		ag->boots = h->boots;
		ag->time = h->time;
		ag->learned = now;
		ag->synced = 1;
		return 0;
	}
	if (h->boots < ag->boots)
		FAIL("engine boots lower than before: outside the time window");
	if ((int64_t)h->time < (int64_t)usm_agent_time(ag, now) -
	    USM_TIME_WINDOW)
		FAIL("engine time outside the time window");
	return 0;
}

int
usm_encode_probe(int32_t msgid, int32_t reqid, struct usm_sent *sent,
    uint8_t *buf, size_t bufsz, size_t *len)
{
	struct snmp_scoped	 s;
	struct snmp_v3		 h;
	size_t			 slen;

	memset(&s, 0, sizeof(s));
	memset(&h, 0, sizeof(h));
	if (msgid < 0 || snmp_scoped_encode_request(&s, SNMP_PDU_GET, reqid,
	    0, 0, NULL, 0, buf, bufsz, &slen) == -1)
		return -1;
	h.msgid = msgid;
	h.maxsize = USM_MAXSIZE;
	h.flags = SNMP_V3_F_REPORTABLE;
	if (usm_seal(&h, USM_AUTH_NONE, NULL, USM_PRIV_NONE, NULL, buf, bufsz,
	    slen, len) == -1)
		return -1;
	sent->msgid = msgid;
	sent->flags = h.flags;
	sent->probe = 1;
	return 0;
}

static void
put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

int
usm_encode_request(const struct usm_user *u, struct usm_agent *ag,
    int64_t now, int32_t msgid, uint8_t pdu_type, int32_t reqid,
    int32_t nonrep, int32_t maxrep, const struct snmp_oid *oids,
    size_t noids, struct usm_sent *sent, uint8_t *buf, size_t bufsz,
    size_t *len)
{
	size_t	 slen;

	if (usm_scoped_request(ag, pdu_type, reqid, nonrep, maxrep, oids,
	    noids, buf, bufsz, &slen) == -1)
		return -1;
	return usm_seal_scoped(u, ag, now, msgid, 0, sent, buf, bufsz, slen,
	    len);
}

int
usm_scoped_request(const struct usm_agent *ag, uint8_t pdu_type,
    int32_t reqid, int32_t nonrep, int32_t maxrep,
    const struct snmp_oid *oids, size_t noids, uint8_t *buf, size_t bufsz,
    size_t *len)
{
	struct snmp_scoped	 s;

	if (ag->engineid_len == 0)
		return -1;
	s.ctx_engineid = ag->engineid;
	s.ctx_engineid_len = ag->engineid_len;
	s.ctx_name = ag->ctx;
	s.ctx_name_len = ag->ctx_len;
	return snmp_scoped_encode_request(&s, pdu_type, reqid, nonrep, maxrep,
	    oids, noids, buf, bufsz, len);
}

int
usm_seal_scoped(const struct usm_user *u, struct usm_agent *ag, int64_t now,
    int32_t msgid, int nopriv, struct usm_sent *sent, uint8_t *buf,
    size_t bufsz, size_t scoped_len, size_t *len)
{
	struct snmp_v3		 h;
	uint8_t			 salt[USM_SALT_LEN];
	uint64_t		 n;
	enum usm_priv		 p = nopriv ? USM_PRIV_NONE : u->priv;

	if (ag->engineid_len == 0 || !agent_is_users(ag, u) || msgid < 0 ||
	    (nopriv && u->auth == USM_AUTH_NONE))
		return -1;
	memset(&h, 0, sizeof(h));
	h.msgid = msgid;
	h.maxsize = USM_MAXSIZE;
	h.flags = usm_user_level(u) | SNMP_V3_F_REPORTABLE;
	if (nopriv)
		h.flags &= ~SNMP_V3_F_PRIV;
	h.engineid = ag->engineid;
	h.engineid_len = ag->engineid_len;
	h.boots = ag->boots;
	h.time = usm_agent_time(ag, now);
	h.user = u->name;
	h.user_len = u->name_len;
	if (p != USM_PRIV_NONE) {
		n = ag->salt++;
		if (p == USM_PRIV_DES) {
			/* RFC 3414 8.1.1.1: engine boots || a counter */
			put_be32(salt, (uint32_t)h.boots);
			put_be32(salt + 4, (uint32_t)n);
		} else
			put_be64(salt, n);
		h.privp = salt;
		h.privp_len = sizeof(salt);
	}
	if (usm_seal(&h, u->auth, ag->auth_key, p, ag->priv_key, buf, bufsz,
	    scoped_len, len) == -1)
		return -1;
	sent->msgid = msgid;
	sent->flags = h.flags;
	sent->probe = 0;
	return 0;
}

static enum usm_status
drop(const char **errstr, const char *why)
{
	*errstr = why;
	return USM_DROP;
}

static enum usm_status
report(const struct usm_user *u, struct usm_agent *ag, int64_t now,
    const struct usm_sent *sent, const struct snmp_v3 *h,
    const struct snmp_msg *m, const char **errstr)
{
	const struct snmp_oid	*o;
	size_t			 i;

	*errstr = "report";
	if (m->nvarbinds == 0)
		return USM_REPORT;
	o = &m->vb[0].oid;
	if (o->len != USMSTATS_LEN + 2 || o->sub[USMSTATS_LEN + 1] != 0)
		return USM_REPORT;
	for (i = 0; i < USMSTATS_LEN; i++) {
		if (o->sub[i] != usmstats[i])
			return USM_REPORT;
	}
	switch (o->sub[USMSTATS_LEN]) {
	case USMSTATS_UNKNOWN_ENGINE:
		if (h->engineid_len == 0)
			return drop(errstr, "unknownEngineIDs report "
			    "without an engine id");
		if (!sent->probe && engine_is(ag, h->engineid,
		    h->engineid_len))
			return USM_UNKNOWN_ENGINE;
		if (learn_engine(ag, u, h, now) == -1) {
			*errstr = "key localisation failed";
			return USM_FAILED;
		}
		return USM_DISCOVERED;
	case USMSTATS_NOT_IN_TIME_WINDOW:
		if (!(h->flags & SNMP_V3_F_AUTH))
			return USM_NOT_IN_TIME_WINDOW;
		/*
		 * timeliness() took a later clock already; an earlier one
		 * inside the window is the agent's word too (our estimate
		 * ran ahead of its clock).
		 */
		ag->boots = h->boots;
		ag->time = h->time;
		ag->learned = now;
		return USM_RESYNCED;
	case USMSTATS_UNSUPPORTED_LEVEL:
		return USM_UNSUPPORTED_LEVEL;
	case USMSTATS_UNKNOWN_USER:
		return USM_UNKNOWN_USER;
	case USMSTATS_WRONG_DIGEST:
		return USM_WRONG_DIGEST;
	case USMSTATS_DECRYPTION_ERROR:
		return USM_DECRYPTION_ERROR;
	default:
		return USM_REPORT;
	}
}

static int
bytes_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

enum usm_status
usm_decode(const struct usm_user *u, struct usm_agent *ag, int64_t now,
    const struct usm_sent *sent, uint8_t *pkt, size_t len,
    struct snmp_msg *m, const char **errstr)
{
	struct snmp_v3		 h;
	struct snmp_scoped	 s;
	uint8_t			 level, sent_level;

	m->nvarbinds = 0;
	if (snmp_v3_decode(pkt, len, &h, errstr) == -1)
		return USM_DROP;
	if (h.msgid != sent->msgid)
		return drop(errstr, "msgID is not the request's");
	level = h.flags & (SNMP_V3_F_AUTH | SNMP_V3_F_PRIV);
	sent_level = sent->flags & (SNMP_V3_F_AUTH | SNMP_V3_F_PRIV);
	if (level & ~sent_level)
		return drop(errstr, "security level above the request's");
	if (level & SNMP_V3_F_AUTH) {
		if (!engine_is(ag, h.engineid, h.engineid_len))
			return drop(errstr, "authenticated by another engine");
		if (!agent_is_users(ag, u) ||
		    !bytes_eq(h.user, h.user_len, u->name, u->name_len))
			return drop(errstr, "authenticated for another user");
		if (usm_open(&h, ag->auth, ag->auth_key, ag->priv,
		    ag->priv_key, pkt, len, errstr) == -1 ||
		    timeliness(ag, now, &h, errstr) == -1)
			return USM_DROP;
	}
	if (snmp_scoped_decode(h.data, h.data_len, &s, m, errstr) == -1)
		return USM_DROP;
	if (m->pdu_type == SNMP_PDU_REPORT)
		return report(u, ag, now, sent, &h, m, errstr);
	if (m->pdu_type != SNMP_PDU_RESPONSE)
		return drop(errstr, "neither a Response nor a Report");
	if (sent->probe)
		return drop(errstr, "a Response to a discovery probe");
	if (level != sent_level)
		return drop(errstr, "Response below the request's security "
		    "level");
	if (!engine_is(ag, h.engineid, h.engineid_len))
		return drop(errstr, "Response from another engine");
	if (!bytes_eq(h.user, h.user_len, u->name, u->name_len))
		return drop(errstr, "Response for another user");
	if (!bytes_eq(s.ctx_engineid, s.ctx_engineid_len, ag->engineid,
	    ag->engineid_len) ||
	    !bytes_eq(s.ctx_name, s.ctx_name_len, ag->ctx, ag->ctx_len))
		return drop(errstr, "Response for another context");
	*errstr = "ok";
	return USM_OK;
}

const char *
usm_status_name(enum usm_status st)
{
	switch (st) {
	case USM_OK:			return "ok";
	case USM_DROP:			return "dropped";
	case USM_FAILED:		return "failed";
	case USM_DISCOVERED:		return "discovered";
	case USM_RESYNCED:		return "resynced";
	case USM_UNKNOWN_USER:		return "unknownUserName";
	case USM_WRONG_DIGEST:		return "wrongDigest";
	case USM_DECRYPTION_ERROR:	return "decryptionError";
	case USM_UNSUPPORTED_LEVEL:	return "unsupportedSecLevel";
	case USM_NOT_IN_TIME_WINDOW:	return "notInTimeWindow";
	case USM_UNKNOWN_ENGINE:	return "unknownEngineID";
	case USM_REPORT:		return "report";
	}
	return "unknown";
}

int
usm_status_auth_failure(enum usm_status st)
{
	switch (st) {
	case USM_UNKNOWN_USER:
	case USM_WRONG_DIGEST:
	case USM_DECRYPTION_ERROR:
	case USM_UNSUPPORTED_LEVEL:
		return 1;
	default:
		return 0;
	}
}
