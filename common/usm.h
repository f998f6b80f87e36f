/*
 * The User-based Security Model of SNMPv3 (RFC 3414) for a manager, the
 * non-authoritative side: it discovers an agent's engine, keeps the
 * agent's engine boots and time, authenticates and encrypts requests and
 * checks what comes back.  No sockets and no clock: the caller sends,
 * receives and passes in its own monotonic time in seconds.
 *
 * Authentication: HMAC-MD5-96 and HMAC-SHA-96 (RFC 3414), and the HMACs
 * of RFC 7860: SHA-224 cut to 16 octets, SHA-256 to 24, SHA-384 to 32,
 * SHA-512 to 48.  Keys from passwords as RFC 3414 A.2 (a megabyte of the
 * repeated password hashed), localised to an engine as RFC 3414 2.6
 * (H(Ku || engineID || Ku)); RFC 7860 keeps both for the SHA-2 hashes.
 * MD5 is weak: a user gets it only when allow_weak says so.
 *
 * Privacy: AES-128 in CFB-128 mode (RFC 3826), IV = boots || time || salt,
 * no padding; AES-192 and AES-256 as net-snmp's -x AES-192 and -x AES-256
 * do them (draft-blumenthal-aes-usm-04): the same mode and IV, the key
 * being the localised privacy key extended while it is too short by
 * Kul = Kul || H(Kul), H the user's authentication hash (net-snmp 5.9
 * snmplib/keytools.c, _kul_extend_blumenthal; not the "Reeder" extension
 * net-snmp calls AES-192-C and AES-256-C, which localises the key again).
 * The privacy key comes from the privacy password with the
 * authentication hash.  DES (RFC 3414 8.1, CBC-DES) is weak: a user gets
 * it only when allow_weak says so.  OpenSSL 3 has single DES in its
 * legacy provider only; DES-EDE3 with three equal keys is the same cipher
 * and is in the default provider, so it is done that way.
 *
 * Secrets: struct usm_user holds the users' unlocalised keys (Ku, which
 * open every agent the user is configured on: treat them as passwords),
 * struct usm_agent the keys localised to one agent.  Passwords are not
 * kept.  usm_user_clear() and usm_agent_clear() wipe them; every key on the
 * stack is wiped before return.
 */
#ifndef CALLHOME_USM_H
#define CALLHOME_USM_H

#include <stddef.h>
#include <stdint.h>

#include "snmp.h"

enum usm_auth {
	USM_AUTH_NONE = 0,
	USM_AUTH_MD5,		/* usmHMACMD5AuthProtocol: weak */
	USM_AUTH_SHA1,		/* usmHMACSHAAuthProtocol */
	USM_AUTH_SHA224,	/* usmHMAC128SHA224AuthProtocol */
	USM_AUTH_SHA256,	/* usmHMAC192SHA256AuthProtocol */
	USM_AUTH_SHA384,	/* usmHMAC256SHA384AuthProtocol */
	USM_AUTH_SHA512		/* usmHMAC384SHA512AuthProtocol */
};

enum usm_priv {
	USM_PRIV_NONE = 0,
	USM_PRIV_DES,		/* usmDESPrivProtocol: weak */
	USM_PRIV_AES128,	/* usmAesCfb128Protocol */
	USM_PRIV_AES192,	/* net-snmp's AES-192 (Blumenthal) */
	USM_PRIV_AES256		/* net-snmp's AES-256 (Blumenthal) */
};

#define USM_MAX_KEY		64	/* SHA-512 */
#define USM_MAX_PRIVKEY		32	/* AES-256 */
#define USM_MAX_MAC		48
#define USM_SALT_LEN		8	/* msgPrivacyParameters */
#define USM_PASSWORD_MIN	8	/* RFC 3414 section 11.2 */
#define USM_PASSWORD_MAX	256
#define USM_TIME_WINDOW		150	/* seconds, RFC 3414 section 3.2 */
#define USM_MAXSIZE		65507	/* the msgMaxSize we send: UDP/IPv4 */

/* "MD5", "SHA" (or "SHA-1"), "SHA-224" ... "SHA-512"; -1 if unknown */
int		 usm_auth_from_name(const char *, enum usm_auth *);
/* "DES", "AES" (or "AES-128"), "AES-192", "AES-256"; -1 if unknown */
int		 usm_priv_from_name(const char *, enum usm_priv *);
const char	*usm_auth_name(enum usm_auth);
const char	*usm_priv_name(enum usm_priv);
int		 usm_auth_weak(enum usm_auth);
int		 usm_priv_weak(enum usm_priv);
size_t		 usm_key_len(enum usm_auth);	/* the hash: 16 .. 64 */
size_t		 usm_mac_len(enum usm_auth);	/* on the wire: 12 .. 48 */
size_t		 usm_privkey_len(enum usm_priv);	/* 16, 24, 32 */
					/* (DES: 8 key octets, 8 of pre-IV) */

/*
 * Fetch the algorithms from libcrypto now: a process that enters a
 * sandbox calls it before (later fetches may want to read OpenSSL's
 * configuration).  Every function below does it on first use.  0, or -1
 * when libcrypto lacks one of them.
 */
int		 usm_init(void);

/*
 * The primitives.  Each returns 0, or -1 on bad arguments or when
 * libcrypto fails.  Keys are of the lengths above, passed without length.
 *
 * usm_password_to_key: Ku from a password of USM_PASSWORD_MIN to
 * USM_PASSWORD_MAX octets.
 * usm_localize: Kul = H(Ku || engineID || Ku), engine id of 1 to
 * SNMP_V3_MAX_ENGINEID octets.
 * usm_privkey: the privacy key of an engine from the privacy Ku
 * (localised, extended, cut to usm_privkey_len()).
 * usm_mac: the HMAC of msg[0..len) with msg[off..off + usm_mac_len)
 * counted as zeros (RFC 3414 6.3.1), cut to usm_mac_len() octets.
 * usm_crypt: encrypt (enc 1) or decrypt (enc 0) data[0..len) in place.
 */
int		 usm_password_to_key(enum usm_auth, const void *, size_t,
		    uint8_t *);
int		 usm_localize(enum usm_auth, const uint8_t *, const uint8_t *,
		    size_t, uint8_t *);
int		 usm_privkey(enum usm_auth, enum usm_priv, const uint8_t *,
		    const uint8_t *, size_t, uint8_t *);
int		 usm_mac(enum usm_auth, const uint8_t *, const uint8_t *,
		    size_t, size_t, uint8_t *);
int		 usm_crypt(enum usm_priv, int, const uint8_t *, int32_t,
		    int32_t, const uint8_t *, uint8_t *, size_t);

/*
 * A message built and checked with localised keys (the agent's side uses
 * these too, and so do the tests).
 *
 * usm_seal: buf[0..scoped_len) holds a ScopedPDU; make it the whole
 * message h describes, in place: encrypted when h->flags has
 * SNMP_V3_F_PRIV (h->privp is the salt, USM_SALT_LEN octets), encoded,
 * then authenticated when it has SNMP_V3_F_AUTH.  h->data, h->authp and
 * h->authp_len are set here (h->authp to the digest in buf, h->data to
 * NULL), h->privp is ignored without privacy.  0 and *outlen, or -1.
 *
 * usm_open: h was decoded from pkt[0..len): check its digest when it is
 * authenticated and decrypt its data in place when it is encrypted;
 * h->data is then a ScopedPDU's octets.  0, or -1 with *errstr.
 */
int		 usm_seal(struct snmp_v3 *, enum usm_auth, const uint8_t *,
		    enum usm_priv, const uint8_t *, uint8_t *, size_t, size_t,
		    size_t *);
int		 usm_open(struct snmp_v3 *, enum usm_auth, const uint8_t *,
		    enum usm_priv, const uint8_t *, uint8_t *, size_t,
		    const char **);

/* a user as configured: noAuthNoPriv, authNoPriv or authPriv */
struct usm_user {
	uint8_t		 name[SNMP_V3_MAX_USER];
	size_t		 name_len;
	enum usm_auth	 auth;
	enum usm_priv	 priv;
	uint8_t		 auth_ku[USM_MAX_KEY];
	uint8_t		 priv_ku[USM_MAX_KEY];
};

/*
 * From passwords (NULL with USM_AUTH_NONE or USM_PRIV_NONE), or from keys
 * made by usm_password_to_key() (so that the passwords need not travel to
 * the process that polls).  Refused: an empty or too long name, privacy
 * without authentication, DES, MD5 unless allow_weak, a password of the
 * wrong length.  0, or -1 with *errstr (and the user cleared).
 */
int		 usm_user_init(struct usm_user *, const char *, enum usm_auth,
		    const char *, enum usm_priv, const char *, int,
		    const char **);
int		 usm_user_init_keys(struct usm_user *, const char *,
		    enum usm_auth, const uint8_t *, enum usm_priv,
		    const uint8_t *, int, const char **);
void		 usm_user_clear(struct usm_user *);
/* msgFlags' security bits of the user's requests */
uint8_t		 usm_user_level(const struct usm_user *);

/*
 * What the manager knows of one agent: its engine, the engine's boots and
 * time, and the user's keys localised to it.  The state belongs to one
 * user (the one its engine was learned with): clear it when the user's
 * configuration changes.  An agent whose boots went backwards (state
 * lost) is only accepted again after usm_agent_clear(): a poller may
 * clear every agent at the start of each cycle (one more round trip).
 */
struct usm_agent {
	uint8_t		 engineid[SNMP_V3_MAX_ENGINEID];
	size_t		 engineid_len;	/* 0: not discovered */
	int32_t		 boots;		/* as last learned */
	int32_t		 time;
	int64_t		 learned;	/* the caller's clock then */
	int		 synced;	/* learned from an authenticated message */
	uint8_t		 ctx[SNMP_V3_MAX_CONTEXT];	/* contextName */
	size_t		 ctx_len;
	uint64_t	 salt;		/* AES: the next msgPrivacyParameters */
	uint8_t		 user[SNMP_V3_MAX_USER];	/* keys are for */
	size_t		 user_len;
	enum usm_auth	 auth;
	enum usm_priv	 priv;
	uint8_t		 auth_key[USM_MAX_KEY];
	uint8_t		 priv_key[USM_MAX_PRIVKEY];
};

/* salt: a random start (RFC 3826 3.1.2.1); context name of 0..32 octets */
int		 usm_agent_init(struct usm_agent *, uint64_t, const char *);
/* forget the engine and wipe the keys; the context name stays */
void		 usm_agent_clear(struct usm_agent *);
/* current engine time as the manager estimates it */
int32_t		 usm_agent_time(const struct usm_agent *, int64_t);

/* what a request was, to judge its answer */
struct usm_sent {
	int32_t		 msgid;
	uint8_t		 flags;
	int		 probe;
};

/*
 * The discovery probe (RFC 3414 section 4): noAuthNoPriv, reportable,
 * empty engine id and user name, a Get with no bindings.
 */
int		 usm_encode_probe(int32_t, int32_t, struct usm_sent *,
		    uint8_t *, size_t, size_t *);
/*
 * A request at the user's level to a discovered agent (engineid_len > 0),
 * with the given msgID (0..2^31-1) at time now; the PDU as
 * snmp_encode_request() takes it.  0, or -1 (undiscovered agent, agent
 * state of another user, does not fit, libcrypto failure).
 */
int		 usm_encode_request(const struct usm_user *, struct usm_agent *,
		    int64_t, int32_t, uint8_t, int32_t, int32_t, int32_t,
		    const struct snmp_oid *, size_t, struct usm_sent *,
		    uint8_t *, size_t, size_t *);
/*
 * usm_encode_request() in two steps, for a sender that keeps the
 * ScopedPDU and seals it again at each try (a new msgID, time and salt):
 *
 * usm_scoped_request: the ScopedPDU of a request to a discovered agent
 * (its engine id and context name), as snmp_scoped_encode_request().
 *
 * usm_seal_scoped: buf[0..scoped_len) holds such a ScopedPDU; make it
 * the whole message in place, at the user's level or, with nopriv, at
 * authNoPriv (a user with privacy, telling a wrong privacy password from
 * a silent agent).  0 and *len, or -1 as usm_encode_request().
 */
int		 usm_scoped_request(const struct usm_agent *, uint8_t, int32_t,
		    int32_t, int32_t, const struct snmp_oid *, size_t,
		    uint8_t *, size_t, size_t *);
int		 usm_seal_scoped(const struct usm_user *, struct usm_agent *,
		    int64_t, int32_t, int, struct usm_sent *, uint8_t *, size_t,
		    size_t, size_t *);

enum usm_status {
	USM_OK,			/* *m is the Response */
	USM_DROP,		/* not an answer to this request, or it fails
				   a check (*errstr): ignore it, wait on */
	USM_FAILED,		/* local failure (libcrypto): *errstr */
	USM_DISCOVERED,		/* usmStatsUnknownEngineIDs: engine id,
				   boots and time learned; send again */
	USM_RESYNCED,		/* authenticated usmStatsNotInTimeWindows:
				   boots and time learned; send again */
	USM_UNKNOWN_USER,	/* usmStatsUnknownUserNames */
	USM_WRONG_DIGEST,	/* usmStatsWrongDigests */
	USM_DECRYPTION_ERROR,	/* usmStatsDecryptionErrors */
	USM_UNSUPPORTED_LEVEL,	/* usmStatsUnsupportedSecLevels */
	USM_NOT_IN_TIME_WINDOW,	/* usmStatsNotInTimeWindows that is not
				   authenticated: nothing learned */
	USM_UNKNOWN_ENGINE,	/* usmStatsUnknownEngineIDs naming the
				   engine the request was sent to */
	USM_REPORT		/* another Report, in *m */
};

/*
 * The answer pkt[0..len) to the request sent: decrypted in place (the
 * octet strings of *m point into pkt).  Checks, in this order: the
 * message decodes; msgID is the request's; the security level is not
 * above the request's; an authenticated message comes from the agent's
 * engine, names the user, carries the right digest and is within the
 * time window (RFC 3414 3.2 step 7b, which also advances the agent's
 * boots and time); the ScopedPDU decodes.  A Report is then judged by its
 * first binding; a Response must have the request's security level, the
 * agent's engine id as msgAuthoritativeEngineID and contextEngineID, the
 * user's name and the agent's context name.
 */
enum usm_status	 usm_decode(const struct usm_user *, struct usm_agent *,
		    int64_t, const struct usm_sent *, uint8_t *, size_t,
		    struct snmp_msg *, const char **);
/* "ok", "unknownUserName", "wrongDigest"... */
const char	*usm_status_name(enum usm_status);
/* 1 for the reports that mean the user or its keys are wrong */
int		 usm_status_auth_failure(enum usm_status);

#endif /* CALLHOME_USM_H */
