/*
 * signify(1) files, as OpenBSD's signify and Debian's signify-openbsd
 * write them, read strictly, and Ed25519 verification with libcrypto.
 *
 * A signify file is sections of two lines, each ended by LF:
 *
 *	untrusted comment: COMMENT
 *	BASE64
 *
 * COMMENT is 1 to SIGNIFY_COMMENT_MAX bytes of anything but NUL, CR and
 * LF; it is never trusted, never returned, never logged.  BASE64 is the
 * canonical base64 of exactly the bytes below (no white space, exact
 * length, padding as required, unused bits zero):
 *
 *	public key	"Ed" || key number (8) || Ed25519 public key (32)
 *	signature	"Ed" || key number (8) || Ed25519 signature (64)
 *
 * A trust file holds one or more public keys, one section after the
 * other (a key rotation lists the old and the new key); no two may have
 * the same key number.  A detached signature file is exactly one
 * signature section.  A signed file with an embedded message (signify
 * -S -e) is one signature section followed by the message's bytes, to
 * the end of the file.
 *
 * The key number of a signature picks the trusted key that must verify
 * it: no trusted key of that number is "unknown-key", whatever the
 * signature.
 */
#ifndef CALLHOME_SIGNIFY_H
#define CALLHOME_SIGNIFY_H

#include <stddef.h>
#include <stdint.h>

#include "b64.h"

#define SIGNIFY_KEYNUM_LEN	8
#define SIGNIFY_PUBKEY_LEN	32
#define SIGNIFY_SIG_LEN		64
#define SIGNIFY_COMMENT_HDR	"untrusted comment: "
#define SIGNIFY_COMMENT_MAX	1023	/* signify's limit, without its NUL */
#define SIGNIFY_MAX_KEYS	8	/* in one trust file */

/* the base64 line of a key and of a signature, without its LF */
#define SIGNIFY_KEY_B64LEN	56	/* 42 bytes */
#define SIGNIFY_SIG_B64LEN	100	/* 74 bytes */
/* one section at most: comment line and base64 line, with their LFs */
#define SIGNIFY_SECTION_MAX(b64) \
	(sizeof(SIGNIFY_COMMENT_HDR) - 1 + SIGNIFY_COMMENT_MAX + 1 + (b64) + 1)
/* the largest trust file and detached signature file */
#define SIGNIFY_KEYFILE_MAX \
	(SIGNIFY_MAX_KEYS * SIGNIFY_SECTION_MAX(SIGNIFY_KEY_B64LEN))
#define SIGNIFY_SIGFILE_MAX	SIGNIFY_SECTION_MAX(SIGNIFY_SIG_B64LEN)

enum signify_result {
	SIGNIFY_OK,
	SIGNIFY_MALFORMED,	/* not a signify file of the expected kind */
	SIGNIFY_UNKNOWN_KEY,	/* no trusted key has the signature's number */
	SIGNIFY_BAD_SIGNATURE	/* that key does not verify it */
};

struct signify_key {
	uint8_t		 keynum[SIGNIFY_KEYNUM_LEN];
	uint8_t		 pubkey[SIGNIFY_PUBKEY_LEN];
};

struct signify_keyring {
	struct signify_key	 keys[SIGNIFY_MAX_KEYS];
	size_t			 nkeys;
};

struct signify_sig {
	uint8_t		 keynum[SIGNIFY_KEYNUM_LEN];
	uint8_t		 sig[SIGNIFY_SIG_LEN];
};

/* load libcrypto's configuration and providers: before a sandbox */
void		 signify_init(void);

/* "ok", "malformed", "unknown-key", "bad-signature" */
const char	*signify_result_name(enum signify_result);

/*
 * A trust file of 1 to SIGNIFY_MAX_KEYS public keys (at most
 * SIGNIFY_KEYFILE_MAX bytes).  0, or -1 with a reason in err and
 * *ring emptied.
 */
int		 signify_parse_keys(const uint8_t *, size_t,
		    struct signify_keyring *ring, char *err, size_t errlen);

/* a detached signature file: one section and nothing after it */
int		 signify_parse_sig(const uint8_t *, size_t, struct signify_sig *,
		    char *err, size_t errlen);

/*
 * A signature with its embedded message: *msg points into the input,
 * just after the signature section, and *msglen bytes follow (maybe 0).
 */
int		 signify_parse_embedded(const uint8_t *, size_t,
		    struct signify_sig *, const uint8_t **msg, size_t *msglen,
		    char *err, size_t errlen);

/*
 * The key of ring that has the signature's key number verifies the
 * signature over msg: SIGNIFY_OK, SIGNIFY_UNKNOWN_KEY or
 * SIGNIFY_BAD_SIGNATURE.
 */
enum signify_result signify_verify(const struct signify_keyring *,
		    const struct signify_sig *, const void *msg, size_t len);

/* the parse and the verification of a detached signature over msg */
enum signify_result signify_verify_detached(const struct signify_keyring *,
		    const uint8_t *sigfile, size_t siglen, const void *msg,
		    size_t len, char *err, size_t errlen);

/*
 * The parse and the verification of a signed file with an embedded
 * message; only on SIGNIFY_OK are *msg and *msglen set (into file).
 */
enum signify_result signify_verify_embedded(const struct signify_keyring *,
		    const uint8_t *file, size_t len, const uint8_t **msg,
		    size_t *msglen, char *err, size_t errlen);

/* the key number as 16 lowercase hex digits and a NUL, for the log */
#define SIGNIFY_KEYNUM_HEX	(2 * SIGNIFY_KEYNUM_LEN + 1)
void		 signify_keynum_hex(const uint8_t *keynum, char *hex);

/*
 * 1 when the two rings have a key number or a public key in common: the
 * instruction and the package keys must be distinct, or a package could
 * pass for an instruction and back.
 */
int		 signify_keyrings_overlap(const struct signify_keyring *,
		    const struct signify_keyring *);

#endif /* CALLHOME_SIGNIFY_H */
