/*
 * signerd's verdicts on what the server sent: pure functions over bytes
 * in memory, no IPC, no clock of their own (the caller says what time it
 * is), no state (the caller says what was accepted and installed).
 *
 * An instruction bundle (callhome-instructions(5)) is checked in this
 * order, and the first failure is the verdict:
 *
 *	1. at most BUNDLE_MAX bytes, a signify signature section and a
 *	   message (malformed)
 *	2. the signature's key number is one of the trusted instruction
 *	   keys (unknown-key)
 *	3. that key's Ed25519 signature over the message (bad-signature)
 *
 * Nothing in the message is read before this point.  Then:
 *
 *	4. the message's format (malformed, unknown-instruction)
 *	5. its gateway is this gateway (wrong-gateway)
 *	6. its sequence is above the last accepted one (replay)
 *	7. now is before its expiry (expired)
 *	8. it was not issued more than VERIFY_CLOCK_SKEW seconds after now
 *	   (not-yet-valid)
 *
 * A package (the file NAME-VERSION and its detached signature
 * NAME-VERSION.sig) is checked against the package instruction of a
 * bundle that verify_bundle() accepted:
 *
 *	1. the file is not longer than the instruction's size
 *	   (size-exceeded): a bound that needs nothing from the download
 *	2. the signature file is a signify signature (malformed)
 *	3. its key number is one of the trusted package keys (unknown-key):
 *	   a package signed with an instruction key fails here, as long as
 *	   the two sets of keys are distinct (signify_keyrings_overlap())
 *	4. that key's signature over the file (bad-signature)
 *	5. the file's size and SHA-256 are the instruction's (hash-mismatch)
 *	6. the version is above the installed one of that name (rollback)
 */
#ifndef SIGNERD_VERIFY_H
#define SIGNERD_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "bundle.h"
#include "signify.h"

/* how far in the future a bundle's "issued" may be: clocks differ */
#define VERIFY_CLOCK_SKEW	300

enum verdict {
	V_OK,
	V_MALFORMED,
	V_UNKNOWN_KEY,
	V_BAD_SIGNATURE,
	V_UNKNOWN_INSTRUCTION,
	V_WRONG_GATEWAY,
	V_REPLAY,
	V_EXPIRED,
	V_NOT_YET_VALID,
	V_SIZE_EXCEEDED,
	V_HASH_MISMATCH,
	V_ROLLBACK,
	V_NVERDICTS
};

/*
 * The reason word of a verdict, as the transaction log records it: "ok",
 * "malformed", "unknown-key", "bad-signature", "unknown-instruction",
 * "wrong-gateway", "replay", "expired", "not-yet-valid", "size-exceeded",
 * "hash-mismatch", "rollback".
 */
const char	*verdict_name(enum verdict);

/*
 * The signed bundle file blob (len bytes, as the server sent it) for the
 * gateway named gateway, whose last accepted sequence is last_seq, at
 * unix time now.  On V_OK *b holds the parsed bundle; otherwise *b is
 * zeroed and err says why (for the log, never the comment of the file).
 */
enum verdict	 verify_bundle(const struct signify_keyring *instr_keys,
		    const uint8_t *blob, size_t len, const char *gateway,
		    uint64_t last_seq, int64_t now, struct bundle *b,
		    char *err, size_t errlen);

/*
 * The package file (len bytes) and its detached signature file (siglen
 * bytes) against the instruction that asked for it; installed is the
 * version installed of that name, 0 for none.
 */
enum verdict	 verify_package(const struct signify_keyring *pkg_keys,
		    const uint8_t *file, size_t len, const uint8_t *sig,
		    size_t siglen, const struct bundle_package *want,
		    uint64_t installed, char *err, size_t errlen);

#endif /* SIGNERD_VERIFY_H */
