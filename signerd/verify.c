/*
 * Verdicts on bundles and packages: see verify.h.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "digest.h"
#include "isotime.h"
#include "log.h"
#include "verify.h"

static const char *const verdict_names[V_NVERDICTS] = {
	[V_OK] = "ok",
	[V_MALFORMED] = "malformed",
	[V_UNKNOWN_KEY] = "unknown-key",
	[V_BAD_SIGNATURE] = "bad-signature",
	[V_UNKNOWN_INSTRUCTION] = "unknown-instruction",
	[V_WRONG_GATEWAY] = "wrong-gateway",
	[V_REPLAY] = "replay",
	[V_EXPIRED] = "expired",
	[V_NOT_YET_VALID] = "not-yet-valid",
	[V_SIZE_EXCEEDED] = "size-exceeded",
	[V_HASH_MISMATCH] = "hash-mismatch",
	[V_ROLLBACK] = "rollback",
};

const char *
verdict_name(enum verdict v)
{
	if ((size_t)v >= V_NVERDICTS || verdict_names[v] == NULL)
		return "malformed";
	return verdict_names[v];
}

static enum verdict	 verr(enum verdict, char *, size_t, const char *, ...)
			    __attribute__((__format__(printf, 4, 5)));

static enum verdict
verr(enum verdict v, char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return v;
}

static enum verdict
from_signify(enum signify_result r)
{
	switch (r) {
	case SIGNIFY_OK:
		return V_OK;
	case SIGNIFY_UNKNOWN_KEY:
		return V_UNKNOWN_KEY;
	case SIGNIFY_BAD_SIGNATURE:
		return V_BAD_SIGNATURE;
	case SIGNIFY_MALFORMED:
	default:
		return V_MALFORMED;
	}
}

/* the checks of a bundle whose signature verified (5 to 8) */
static enum verdict
bundle_fresh(const struct bundle *b, const char *gateway, uint64_t last_seq,
    int64_t now, char *err, size_t errlen)
{
	char	 t[ISO_TIME_LEN], n[ISO_TIME_LEN];

	if (strcmp(b->gateway, gateway) != 0)
		return verr(V_WRONG_GATEWAY, err, errlen, "bundle %" PRIu64
		    " is for gateway \"%s\"", b->sequence, b->gateway);
	if (b->sequence <= last_seq)
		return verr(V_REPLAY, err, errlen, "bundle %" PRIu64 ", but "
		    "%" PRIu64 " was accepted already", b->sequence, last_seq);
	(void)iso_time(now, n, sizeof(n));
	if (now >= b->expires)
		return verr(V_EXPIRED, err, errlen, "bundle %" PRIu64
		    " expired at %s (now %s)", b->sequence,
		    iso_time(b->expires, t, sizeof(t)), n);
	/* issued >= 0 (bundle_parse()): no overflow, whatever now is */
	if (now < b->issued - VERIFY_CLOCK_SKEW)
		return verr(V_NOT_YET_VALID, err, errlen, "bundle %" PRIu64
		    " is issued at %s (now %s)", b->sequence,
		    iso_time(b->issued, t, sizeof(t)), n);
	return V_OK;
}

enum verdict
verify_bundle(const struct signify_keyring *instr_keys, const uint8_t *blob,
    size_t len, const char *gateway, uint64_t last_seq, int64_t now,
    struct bundle *b, char *err, size_t errlen)
{
	const uint8_t		*msg;
	size_t			 msglen;
	enum signify_result	 sr;
	enum bundle_result	 br;
	enum verdict		 v;
	char			 why[256];

	memset(b, 0, sizeof(*b));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (len > BUNDLE_MAX)
		return verr(V_MALFORMED, err, errlen, "a bundle of %zu bytes "
		    "(at most %d)", len, BUNDLE_MAX);
	/* 1 to 3: nothing of the message is looked at before this */
	sr = signify_verify_embedded(instr_keys, blob, len, &msg, &msglen,
	    why, sizeof(why));
	if (sr != SIGNIFY_OK)
		return verr(from_signify(sr), err, errlen, "bundle: %s", why);
	/* 4 */
	if ((br = bundle_parse(msg, msglen, b, why, sizeof(why))) !=
	    BUNDLE_OK)
		return verr(br == BUNDLE_UNKNOWN_INSTRUCTION ?
		    V_UNKNOWN_INSTRUCTION : V_MALFORMED, err, errlen,
		    "bundle message: %s", why);
	/* 5 to 8 */
	if ((v = bundle_fresh(b, gateway, last_seq, now, err, errlen)) !=
	    V_OK)
		memset(b, 0, sizeof(*b));
	return v;
}

enum verdict
verify_package(const struct signify_keyring *pkg_keys, const uint8_t *file,
    size_t len, const uint8_t *sig, size_t siglen,
    const struct bundle_package *want, uint64_t installed, char *err,
    size_t errlen)
{
	enum signify_result	 sr;
	char			 why[256], hex[65];

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	/* 1: the instruction's bound, before anything else is looked at */
	if (len > want->size)
		return verr(V_SIZE_EXCEEDED, err, errlen, "package %s-%" PRIu64
		    ": %zu bytes, more than the %" PRIu64 " declared",
		    want->name, want->version, len, want->size);
	/* 2 to 4 */
	sr = signify_verify_detached(pkg_keys, sig, siglen, file, len, why,
	    sizeof(why));
	if (sr != SIGNIFY_OK)
		return verr(from_signify(sr), err, errlen, "package %s-%"
		    PRIu64 ": %s", want->name, want->version, why);
	/* 5 */
	if (sha256_hex(len > 0 ? file : (const uint8_t *)"", len, hex) == -1)
		fatalx("%s: SHA-256 failed", __func__);
	if (len != want->size || strcmp(hex, want->sha256) != 0)
		return verr(V_HASH_MISMATCH, err, errlen, "package %s-%" PRIu64
		    ": %zu bytes of SHA-256 %s, the instruction says %" PRIu64
		    " bytes of SHA-256 %s", want->name, want->version, len, hex,
		    want->size, want->sha256);
	/* 6 */
	if (want->version <= installed)
		return verr(V_ROLLBACK, err, errlen, "package %s-%" PRIu64
		    ": version %" PRIu64 " is installed", want->name,
		    want->version, installed);
	return V_OK;
}
