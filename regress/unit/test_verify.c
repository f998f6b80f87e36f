/*
 * signerd/verify.c: the verdicts on bundles and packages, each reason
 * word produced, and the order of the checks: nothing of a message
 * counts before its signature verified.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "log.h"
#include "sigtest.h"
#include "signerd/verify.h"
#include "test.h"

#define NOW		1795255200LL	/* 2026-11-21T10:00:00Z */
#define GW		"site-01"

static char			 err[1024];
static struct tkey		 instr_key, pkg_key, stranger;
static struct signify_keyring	 instr_ring, pkg_ring;
static struct bundle		 b;

static const uint8_t	 num_i[8] = "instr-01";
static const uint8_t	 num_p[8] = "pkgkey01";
static const uint8_t	 num_s[8] = "stranger";

static void
ring_of(const struct tkey *k, struct signify_keyring *ring)
{
	char	 pub[512];
	size_t	 len = 0;

	tkey_pubfile(k, "signify public key", pub, sizeof(pub), &len);
	if (signify_parse_keys((const uint8_t *)pub, len, ring, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "ring_of: %s\n", err);
		exit(2);
	}
}

/* a bundle message for GW, sequence seq, issued and expiring as given */
static void
message(char *buf, size_t size, const char *gw, uint64_t seq,
    const char *issued, const char *expires, const char *instrs)
{
	(void)snprintf(buf, size, "callhome-instructions 1\ngateway %s\n"
	    "sequence %llu\nissued %s\nexpires %s\n%s", gw,
	    (unsigned long long)seq, issued, expires, instrs);
}

/* the verdict on a bundle of msg signed by k */
static enum verdict
signed_by(const struct tkey *k, const char *msg, uint64_t last,
    int64_t now)
{
	uint8_t		*f;
	size_t		 len;
	enum verdict	 v;

	f = tkey_embedded(k, msg, strlen(msg), &len);
	v = verify_bundle(&instr_ring, f, len, GW, last, now, &b, err,
	    sizeof(err));
	free(f);
	return v;
}

/* the usual bundle: sequence 5, valid for a week from NOW */
static enum verdict
usual(const char *gw, uint64_t seq, const char *instrs, uint64_t last,
    int64_t now)
{
	char	 msg[4096];

	message(msg, sizeof(msg), gw, seq, "2026-11-21T10:00:00Z",
	    "2026-11-28T10:00:00Z", instrs);
	return signed_by(&instr_key, msg, last, now);
}

TEST(names)
{
	static const char *const want[V_NVERDICTS] = {
		"ok", "malformed", "unknown-key", "bad-signature",
		"unknown-instruction", "wrong-gateway", "replay", "expired",
		"not-yet-valid", "size-exceeded", "hash-mismatch", "rollback"
	};
	int	 v;

	for (v = 0; v < V_NVERDICTS; v++)
		CHECK_STR(verdict_name(v), want[v]);
	CHECK_STR(verdict_name(V_NVERDICTS), "malformed");
}

TEST(bundle_ok)
{
	CHECK_EQ_INT(usual(GW, 5, "collect now\nupload now\n", 4, NOW), V_OK);
	CHECK_STR(b.gateway, GW);
	CHECK_EQ_INT(b.sequence, 5);
	CHECK_EQ_INT(b.nitems, 2);
	CHECK_EQ_INT(b.items[0].kind, BI_COLLECT_NOW);
	CHECK_EQ_INT(b.items[1].kind, BI_UPLOAD_NOW);
	/* the first bundle ever */
	CHECK_EQ_INT(usual(GW, 1, "collect now\n", 0, NOW), V_OK);
}

TEST(bundle_bad_signature)
{
	char	 msg[512];
	uint8_t	*f;
	size_t	 len, i, sigline;

	message(msg, sizeof(msg), GW, 5, "2026-11-21T10:00:00Z",
	    "2026-11-28T10:00:00Z", "collect now\n");
	f = tkey_embedded(&instr_key, msg, strlen(msg), &len);
	CHECK_EQ_INT(verify_bundle(&instr_ring, f, len, GW, 4, NOW, &b, err,
	    sizeof(err)), V_OK);
	/* every byte of the message, changed */
	for (i = len - strlen(msg); i < len; i++) {
		f[i] ^= 0x01;
		CHECK_EQ_INT(verify_bundle(&instr_ring, f, len, GW, 4, NOW, &b,
		    err, sizeof(err)), V_BAD_SIGNATURE);
		CHECK_EQ_INT(b.nitems, 0);
		f[i] ^= 0x01;
	}
	/* a byte of the signature itself, base64 still valid */
	sigline = (size_t)((uint8_t *)memchr(f, '\n', len) - f) + 1;
	f[sigline + 50] = f[sigline + 50] == 'A' ? 'B' : 'A';
	CHECK_EQ_INT(verify_bundle(&instr_ring, f, len, GW, 4, NOW, &b, err,
	    sizeof(err)), V_BAD_SIGNATURE);
	free(f);
	/* a message cut or lengthened */
	f = tkey_embedded(&instr_key, msg, strlen(msg), &len);
	CHECK_EQ_INT(verify_bundle(&instr_ring, f, len - 1, GW, 4, NOW, &b,
	    err, sizeof(err)), V_BAD_SIGNATURE);
	free(f);
}

TEST(bundle_unknown_key)
{
	char	 msg[512];

	message(msg, sizeof(msg), GW, 5, "2026-11-21T10:00:00Z",
	    "2026-11-28T10:00:00Z", "collect now\n");
	CHECK_EQ_INT(signed_by(&stranger, msg, 4, NOW), V_UNKNOWN_KEY);
	/* the package key signs no instruction */
	CHECK_EQ_INT(signed_by(&pkg_key, msg, 4, NOW), V_UNKNOWN_KEY);
	CHECK(strstr(err, "706b676b65793031") != NULL);	/* "pkgkey01" */
	CHECK_EQ_INT(b.nitems, 0);
}

TEST(bundle_malformed)
{
	uint8_t		*big, *f;
	size_t		 len;

	CHECK_EQ_INT(verify_bundle(&instr_ring, (const uint8_t *)"", 0, GW,
	    0, NOW, &b, err, sizeof(err)), V_MALFORMED);
	CHECK_EQ_INT(verify_bundle(&instr_ring, (const uint8_t *)
	    "callhome-instructions 1\n", 24, GW, 0, NOW, &b, err,
	    sizeof(err)), V_MALFORMED);
	/* signed, but no bundle inside */
	CHECK_EQ_INT(usual(GW, 5, "", 4, NOW), V_MALFORMED);
	CHECK_EQ_INT(signed_by(&instr_key, "hello\n", 4, NOW), V_MALFORMED);
	CHECK_EQ_INT(signed_by(&instr_key, "", 4, NOW), V_MALFORMED);
	CHECK_EQ_INT(usual(GW, 5, "collect now\r\n", 4, NOW), V_MALFORMED);
	CHECK_EQ_INT(usual(GW, 5, "collect now", 4, NOW), V_MALFORMED);
	/* a whole file over 64 KiB, validly signed */
	if ((big = malloc(BUNDLE_MAX)) == NULL)
		abort();
	memset(big, 'x', BUNDLE_MAX);
	big[BUNDLE_MAX - 1] = '\n';
	f = tkey_embedded(&instr_key, big, BUNDLE_MAX, &len);
	CHECK(len > BUNDLE_MAX);
	CHECK_EQ_INT(verify_bundle(&instr_ring, f, len, GW, 0, NOW, &b, err,
	    sizeof(err)), V_MALFORMED);
	CHECK(strstr(err, "at most") != NULL);
	free(f);
	free(big);
}

TEST(bundle_unknown_instruction)
{
	CHECK_EQ_INT(usual(GW, 5, "collect now\nreboot now\n", 4, NOW),
	    V_UNKNOWN_INSTRUCTION);
	CHECK_EQ_INT(b.nitems, 0);
	CHECK_EQ_INT(usual(GW, 5, "scan 0.0.0.0/0\n", 4, NOW),
	    V_UNKNOWN_INSTRUCTION);
}

TEST(bundle_wrong_gateway)
{
	CHECK_EQ_INT(usual("site-02", 5, "collect now\n", 4, NOW),
	    V_WRONG_GATEWAY);
	CHECK(strstr(err, "site-02") != NULL);
	CHECK_EQ_INT(usual("site-0", 5, "collect now\n", 4, NOW),
	    V_WRONG_GATEWAY);
	CHECK_EQ_INT(usual("site-01 ", 5, "collect now\n", 4, NOW),
	    V_MALFORMED);
	CHECK_EQ_INT(usual("Site-01", 5, "collect now\n", 4, NOW),
	    V_WRONG_GATEWAY);
	CHECK_EQ_INT(b.nitems, 0);
}

TEST(bundle_replay)
{
	CHECK_EQ_INT(usual(GW, 5, "collect now\n", 5, NOW), V_REPLAY);
	CHECK_EQ_INT(usual(GW, 5, "collect now\n", 6, NOW), V_REPLAY);
	CHECK_EQ_INT(usual(GW, 5, "collect now\n", UINT64_MAX, NOW), V_REPLAY);
	CHECK_EQ_INT(b.nitems, 0);
	CHECK_EQ_INT(usual(GW, 5, "collect now\n", 4, NOW), V_OK);
}

TEST(bundle_expiry)
{
	/* valid from 10:00 on the 21st to 10:00 on the 28th */
	CHECK_EQ_INT(usual(GW, 5, "collect now\n", 4, NOW + 7 * 86400 - 1),
	    V_OK);
	CHECK_EQ_INT(usual(GW, 5, "collect now\n", 4, NOW + 7 * 86400),
	    V_EXPIRED);
	CHECK(strstr(err, "2026-11-28T10:00:00Z") != NULL);
	CHECK_EQ_INT(usual(GW, 5, "collect now\n", 4, NOW + 365 * 86400),
	    V_EXPIRED);
	CHECK_EQ_INT(b.nitems, 0);
}

TEST(bundle_not_yet_valid)
{
	/* the gateway's clock may be up to 5 minutes behind */
	CHECK_EQ_INT(usual(GW, 5, "collect now\n", 4, NOW - 300), V_OK);
	CHECK_EQ_INT(usual(GW, 5, "collect now\n", 4, NOW - 301),
	    V_NOT_YET_VALID);
	CHECK_EQ_INT(usual(GW, 5, "collect now\n", 4, NOW - 86400),
	    V_NOT_YET_VALID);
	CHECK_EQ_INT(usual(GW, 5, "collect now\n", 4, 0), V_NOT_YET_VALID);
	/* any clock at all: no overflow (UBSan) */
	CHECK_EQ_INT(usual(GW, 5, "collect now\n", 4, INT64_MIN),
	    V_NOT_YET_VALID);
	CHECK_EQ_INT(usual(GW, 5, "collect now\n", 4, INT64_MAX), V_EXPIRED);
	CHECK_EQ_INT(b.nitems, 0);
}

TEST(bundle_order)
{
	char	 msg[512];
	uint8_t	*f;
	size_t	 len;

	/* for another gateway, replayed, expired, unknown: signature first */
	message(msg, sizeof(msg), "other", 1, "2020-01-01T00:00:00Z",
	    "2020-01-02T00:00:00Z", "reboot\n");
	CHECK_EQ_INT(signed_by(&stranger, msg, 4, NOW), V_UNKNOWN_KEY);
	f = tkey_embedded(&instr_key, msg, strlen(msg), &len);
	f[len - 2] ^= 1;
	CHECK_EQ_INT(verify_bundle(&instr_ring, f, len, GW, 4, NOW, &b, err,
	    sizeof(err)), V_BAD_SIGNATURE);
	free(f);
	/* then the format */
	CHECK_EQ_INT(signed_by(&instr_key, msg, 4, NOW),
	    V_UNKNOWN_INSTRUCTION);
	/* then the gateway, the sequence, the expiry, the issue time */
	message(msg, sizeof(msg), "other", 1, "2020-01-01T00:00:00Z",
	    "2020-01-02T00:00:00Z", "collect now\n");
	CHECK_EQ_INT(signed_by(&instr_key, msg, 4, NOW), V_WRONG_GATEWAY);
	message(msg, sizeof(msg), GW, 1, "2020-01-01T00:00:00Z",
	    "2020-01-02T00:00:00Z", "collect now\n");
	CHECK_EQ_INT(signed_by(&instr_key, msg, 4, NOW), V_REPLAY);
	message(msg, sizeof(msg), GW, 5, "2020-01-01T00:00:00Z",
	    "2020-01-02T00:00:00Z", "collect now\n");
	CHECK_EQ_INT(signed_by(&instr_key, msg, 4, NOW), V_EXPIRED);
	CHECK_EQ_INT(signed_by(&instr_key, msg, 4, 0), V_NOT_YET_VALID);
}

TEST(bundle_comment_never_reported)
{
	char	 msg[512], sig[512], *f;
	size_t	 slen = 0, mlen;

	message(msg, sizeof(msg), "other", 5, "2026-11-21T10:00:00Z",
	    "2026-11-28T10:00:00Z", "collect now\n");
	tkey_sigfile(&instr_key, "verify with SECRET-COMMENT", msg,
	    strlen(msg), sig, sizeof(sig), &slen);
	mlen = strlen(msg);
	if ((f = malloc(slen + mlen)) == NULL)
		abort();
	memcpy(f, sig, slen);
	memcpy(f + slen, msg, mlen);
	CHECK_EQ_INT(verify_bundle(&instr_ring, (uint8_t *)f, slen + mlen, GW,
	    4, NOW, &b, err, sizeof(err)), V_WRONG_GATEWAY);
	CHECK(strstr(err, "SECRET") == NULL);
	f[slen + 3] ^= 1;
	CHECK_EQ_INT(verify_bundle(&instr_ring, (uint8_t *)f, slen + mlen, GW,
	    4, NOW, &b, err, sizeof(err)), V_BAD_SIGNATURE);
	CHECK(strstr(err, "SECRET") == NULL);
	free(f);
}

/*
 * Packages.
 */

struct pkgcase {
	uint8_t			 file[256];
	size_t			 len;
	char			 sig[512];
	size_t			 siglen;
	struct bundle_package	 want;
};

static void
pkg_make(struct pkgcase *pc, const struct tkey *signer)
{
	memset(pc, 0, sizeof(*pc));
	pc->len = (size_t)snprintf((char *)pc->file, sizeof(pc->file),
	    "profile \"extra\"\nmatch 1.3.6.1.4.1.11\n");
	tkey_sigfile(signer, "verify with packages.pub", pc->file, pc->len,
	    pc->sig, sizeof(pc->sig), &pc->siglen);
	pc->want.kind = PKG_PROFILE;
	(void)strlcpy(pc->want.name, "extra.profile", sizeof(pc->want.name));
	pc->want.version = 3;
	if (sha256_hex(pc->file, pc->len, pc->want.sha256) == -1)
		abort();
	pc->want.size = pc->len;
}

static enum verdict
pkg_verdict(const struct pkgcase *pc, uint64_t installed)
{
	return verify_package(&pkg_ring, pc->file, pc->len,
	    (const uint8_t *)pc->sig, pc->siglen, &pc->want, installed, err,
	    sizeof(err));
}

TEST(package_ok)
{
	struct pkgcase	 pc;

	pkg_make(&pc, &pkg_key);
	CHECK_EQ_INT(pkg_verdict(&pc, 0), V_OK);
	CHECK_EQ_INT(pkg_verdict(&pc, 2), V_OK);
}

TEST(package_signed_with_the_instruction_key)
{
	struct pkgcase	 pc;

	pkg_make(&pc, &instr_key);
	CHECK_EQ_INT(pkg_verdict(&pc, 0), V_UNKNOWN_KEY);
	pkg_make(&pc, &stranger);
	CHECK_EQ_INT(pkg_verdict(&pc, 0), V_UNKNOWN_KEY);
	CHECK(!signify_keyrings_overlap(&instr_ring, &pkg_ring));
}

TEST(package_bad_signature)
{
	struct pkgcase	 pc;
	size_t		 i;

	pkg_make(&pc, &pkg_key);
	for (i = 0; i < pc.len; i++) {
		pc.file[i] ^= 0x20;
		CHECK_EQ_INT(pkg_verdict(&pc, 0), V_BAD_SIGNATURE);
		pc.file[i] ^= 0x20;
	}
	CHECK_EQ_INT(pkg_verdict(&pc, 0), V_OK);
	/* the signature of another file */
	pc.siglen = 0;
	tkey_sigfile(&pkg_key, "c", "other", 5, pc.sig, sizeof(pc.sig),
	    &pc.siglen);
	CHECK_EQ_INT(pkg_verdict(&pc, 0), V_BAD_SIGNATURE);
}

TEST(package_malformed)
{
	struct pkgcase	 pc;

	pkg_make(&pc, &pkg_key);
	pc.siglen = 0;
	CHECK_EQ_INT(pkg_verdict(&pc, 0), V_MALFORMED);
	pkg_make(&pc, &pkg_key);
	pc.sig[pc.siglen++] = '\n';
	CHECK_EQ_INT(pkg_verdict(&pc, 0), V_MALFORMED);
	pkg_make(&pc, &pkg_key);
	pc.sig[0] = 'U';
	CHECK_EQ_INT(pkg_verdict(&pc, 0), V_MALFORMED);
	/* an embedded signature is not a detached one */
	{
		uint8_t	*f;
		size_t	 len;

		pkg_make(&pc, &pkg_key);
		f = tkey_embedded(&pkg_key, pc.file, pc.len, &len);
		CHECK_EQ_INT(verify_package(&pkg_ring, pc.file, pc.len, f, len,
		    &pc.want, 0, err, sizeof(err)), V_MALFORMED);
		free(f);
	}
}

TEST(package_size_exceeded)
{
	struct pkgcase	 pc;

	/* one byte more than declared, validly signed */
	pkg_make(&pc, &pkg_key);
	pc.want.size = pc.len - 1;
	CHECK_EQ_INT(pkg_verdict(&pc, 0), V_SIZE_EXCEEDED);
	/* checked before the signature: no need to hold more */
	pkg_make(&pc, &pkg_key);
	pc.file[pc.len++] = 'x';
	CHECK_EQ_INT(pkg_verdict(&pc, 0), V_SIZE_EXCEEDED);
	pc.siglen = 0;
	CHECK_EQ_INT(pkg_verdict(&pc, 0), V_SIZE_EXCEEDED);
}

TEST(package_hash_mismatch)
{
	struct pkgcase	 pc;

	/* the signed file is not the one the instruction named */
	pkg_make(&pc, &pkg_key);
	pc.want.sha256[0] = pc.want.sha256[0] == '0' ? '1' : '0';
	CHECK_EQ_INT(pkg_verdict(&pc, 0), V_HASH_MISMATCH);
	/* shorter than declared */
	pkg_make(&pc, &pkg_key);
	pc.want.size = pc.len + 1;
	CHECK_EQ_INT(pkg_verdict(&pc, 0), V_HASH_MISMATCH);
	/* after the signature: a bad one is bad-signature */
	pkg_make(&pc, &pkg_key);
	pc.want.sha256[0] = pc.want.sha256[0] == '0' ? '1' : '0';
	pc.file[0] ^= 1;
	CHECK_EQ_INT(pkg_verdict(&pc, 0), V_BAD_SIGNATURE);
}

TEST(package_rollback)
{
	struct pkgcase	 pc;

	pkg_make(&pc, &pkg_key);
	CHECK_EQ_INT(pkg_verdict(&pc, 3), V_ROLLBACK);
	CHECK_EQ_INT(pkg_verdict(&pc, 4), V_ROLLBACK);
	CHECK_EQ_INT(pkg_verdict(&pc, UINT64_MAX), V_ROLLBACK);
	CHECK_EQ_INT(pkg_verdict(&pc, 2), V_OK);
	/* after the hash */
	pc.want.sha256[0] = pc.want.sha256[0] == '0' ? '1' : '0';
	CHECK_EQ_INT(pkg_verdict(&pc, 3), V_HASH_MISMATCH);
}

TEST_MAIN_BEGIN("test_verify")
	log_init("test_verify", LOG_TO_STDERR, 0);
	tkey_new(&instr_key, num_i);
	tkey_new(&pkg_key, num_p);
	tkey_new(&stranger, num_s);
	ring_of(&instr_key, &instr_ring);
	ring_of(&pkg_key, &pkg_ring);
	RUN(names);
	RUN(bundle_ok);
	RUN(bundle_bad_signature);
	RUN(bundle_unknown_key);
	RUN(bundle_malformed);
	RUN(bundle_unknown_instruction);
	RUN(bundle_wrong_gateway);
	RUN(bundle_replay);
	RUN(bundle_expiry);
	RUN(bundle_not_yet_valid);
	RUN(bundle_order);
	RUN(bundle_comment_never_reported);
	RUN(package_ok);
	RUN(package_signed_with_the_instruction_key);
	RUN(package_bad_signature);
	RUN(package_malformed);
	RUN(package_size_exceeded);
	RUN(package_hash_mismatch);
	RUN(package_rollback);
	tkey_free(&instr_key);
	tkey_free(&pkg_key);
	tkey_free(&stranger);
TEST_MAIN_END
