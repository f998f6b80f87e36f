/*
 * Sealed job data: the format of callhome-jobdata(5).  collectd seals
 * the job data of a printer to the vendor's X25519 public key ("job-data
 * key" of callhome.conf) before it leaves its hands; only the holder of
 * the private key opens it (commsd -q jobdata ID -k key).
 *
 *	offset	size	field
 *	0	4	"CHJD"
 *	4	1	version, 1
 *	5	1	AEAD: 1 AES-256-GCM, 2 ChaCha20-Poly1305
 *	6	2	zero
 *	8	8	the recipient's key id: the first 8 bytes of the
 *			SHA-256 of its raw 32-byte public key
 *	16	32	an ephemeral X25519 public key, fresh for each seal
 *	48	n	the ciphertext, as long as the plaintext
 *	48 + n	16	the AEAD's tag
 *
 * The AEAD's key and nonce are the 44 bytes of HKDF-SHA-256 (RFC 5869)
 * with the X25519 shared secret (all zero: refused) as input key
 * material, the ephemeral and then the recipient's public key as salt,
 * and "callhome job data 1" followed by the AEAD byte as info; its
 * additional data is the 48 bytes of the header.  A changed byte
 * anywhere fails the tag.
 *
 * Everything here is libcrypto's; jobseal_init() fetches what it needs
 * before a sandbox (it may read OpenSSL's configuration once).
 */
#ifndef CALLHOME_JOBSEAL_H
#define CALLHOME_JOBSEAL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define JOBSEAL_MAGIC		"CHJD"
#define JOBSEAL_VERSION		1
#define JOBSEAL_AES256GCM	1
#define JOBSEAL_CHACHA20	2
#define JOBSEAL_KEY_LEN		32	/* raw X25519 keys */
#define JOBSEAL_KEYID_LEN	8
#define JOBSEAL_HEADER_LEN	48
#define JOBSEAL_TAG_LEN		16
#define JOBSEAL_OVERHEAD	(JOBSEAL_HEADER_LEN + JOBSEAL_TAG_LEN)
#define JOBSEAL_PLAIN_MAX	(1024 * 1024)
#define JOBSEAL_SEALED_MAX	(JOBSEAL_PLAIN_MAX + JOBSEAL_OVERHEAD)
/* a key file: PEM, a few hundred bytes */
#define JOBSEAL_PEM_MAX		4096

/* why jobseal_open() failed */
enum jobseal_error {
	JOBSEAL_OK,
	JOBSEAL_EFORMAT,	/* too short, too long, not "CHJD" */
	JOBSEAL_EVERSION,	/* a version or AEAD this code does not know */
	JOBSEAL_EKEY,		/* sealed to another key (key id) */
	JOBSEAL_EAUTH,		/* the tag does not match: changed bytes */
	JOBSEAL_ECRYPTO		/* libcrypto failed */
};

/* fetch the algorithms (before a sandbox); -1 when one is missing */
int	jobseal_init(void);
/* the key id of a raw public key */
void	jobseal_key_id(const uint8_t pub[JOBSEAL_KEY_LEN],
	    uint8_t id[JOBSEAL_KEYID_LEN]);
/*
 * Seal len bytes (at most JOBSEAL_PLAIN_MAX) to the public key with the
 * AEAD aead: the whole sealed form appended to out.  -1 with a reason
 * (out unchanged).
 */
int	jobseal_seal(const uint8_t pub[JOBSEAL_KEY_LEN], int aead,
	    const uint8_t *, size_t len, struct wbuf *out, char *err,
	    size_t errlen);
/*
 * Open a sealed form with the private key: the plaintext appended to
 * out.  JOBSEAL_OK, or the error (with a sentence in err).  Nothing is
 * appended unless the tag matched.
 */
enum jobseal_error jobseal_open(const uint8_t priv[JOBSEAL_KEY_LEN],
	    const uint8_t *, size_t len, struct wbuf *out, char *err,
	    size_t errlen);
/* the key id a sealed form names (0), or -1 when it is too short */
int	jobseal_sealed_key_id(const uint8_t *, size_t,
	    uint8_t id[JOBSEAL_KEYID_LEN]);

/*
 * Key files, PEM as openssl(1) writes them:
 *
 *	openssl genpkey -algorithm X25519 -out jobdata.key
 *	openssl pkey -in jobdata.key -pubout -out jobdata.pub
 *
 * A public key (SubjectPublicKeyInfo, "BEGIN PUBLIC KEY") or a private
 * key (PKCS#8, "BEGIN PRIVATE KEY", not encrypted) of X25519 into its
 * raw 32 bytes (and, for a private key, its public key).  0, or -1 with
 * a reason.
 */
int	jobseal_public_pem(const void *, size_t, uint8_t pub[JOBSEAL_KEY_LEN],
	    char *err, size_t errlen);
int	jobseal_private_pem(const void *, size_t,
	    uint8_t priv[JOBSEAL_KEY_LEN], uint8_t pub[JOBSEAL_KEY_LEN],
	    char *err, size_t errlen);

#endif /* CALLHOME_JOBSEAL_H */
