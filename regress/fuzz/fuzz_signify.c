/*
 * libFuzzer target: the signify readers of common/signify.c, all of them
 * on every input, with invariants:
 *
 *	signify_parse_keys()	1 to SIGNIFY_MAX_KEYS keys, no two with one
 *				key number; nothing on failure
 *	signify_parse_sig()	a file of the one size a section can have
 *	signify_parse_embedded() the message is the end of the input
 *	signify_verify_*()	a result of the four, and the message of an
 *				accepted file is the end of the input
 *	b64_decode_strict()	canonical: what decodes encodes back to the
 *				very input (libcrypto's encoder)
 *
 * Verification uses the key of the seeds (regress/fuzz/corpus/signify,
 * made by signify-openbsd): seed.pub, two keys, a detached signature of
 * "body", a bundle with an embedded message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "log.h"
#include "signify.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define SEED_PUB \
	"untrusted comment: callhome fuzz seeds public key\n" \
	"RWSqjykDcawH+konpE0HZyBQPa+OsvfH2zBiHOlxtH8NBI2ojXZpf4X6\n"

static struct signify_keyring	 ring;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	 err[256];

	log_init("fuzz_signify", LOG_TO_STDERR, 0);
	if (signify_parse_keys((const uint8_t *)SEED_PUB, strlen(SEED_PUB),
	    &ring, err, sizeof(err)) == -1)
		abort();
	return 0;
}

static void
keys(const uint8_t *data, size_t len)
{
	struct signify_keyring	 r;
	char			 err[256];
	size_t			 i, j;

	if (signify_parse_keys(data, len, &r, err, sizeof(err)) == -1) {
		if (r.nkeys != 0 || err[0] == '\0')
			abort();
		return;
	}
	if (r.nkeys < 1 || r.nkeys > SIGNIFY_MAX_KEYS ||
	    len > SIGNIFY_KEYFILE_MAX)
		abort();
	for (i = 0; i < r.nkeys; i++)
		for (j = i + 1; j < r.nkeys; j++)
			if (memcmp(r.keys[i].keynum, r.keys[j].keynum,
			    SIGNIFY_KEYNUM_LEN) == 0)
				abort();
	(void)signify_keyrings_overlap(&r, &ring);
}

static void
sigs(const uint8_t *data, size_t len)
{
	struct signify_sig	 s;
	const uint8_t		*msg;
	size_t			 mlen;
	char			 err[256];
	enum signify_result	 v;

	if (signify_parse_sig(data, len, &s, err, sizeof(err)) == 0 &&
	    (len > SIGNIFY_SIGFILE_MAX ||
	    len < sizeof(SIGNIFY_COMMENT_HDR) + 1 + SIGNIFY_SIG_B64LEN + 1))
		abort();
	if (signify_parse_embedded(data, len, &s, &msg, &mlen, err,
	    sizeof(err)) == 0 && (msg < data || msg + mlen != data + len))
		abort();
	v = signify_verify_detached(&ring, data, len, "body", 4, err,
	    sizeof(err));
	if (v != SIGNIFY_OK && v != SIGNIFY_MALFORMED &&
	    v != SIGNIFY_UNKNOWN_KEY && v != SIGNIFY_BAD_SIGNATURE)
		abort();
	v = signify_verify_embedded(&ring, data, len, &msg, &mlen, err,
	    sizeof(err));
	if (v == SIGNIFY_OK ? msg + mlen != data + len :
	    msg != NULL || mlen != 0)
		abort();
}

static void
base64(const uint8_t *data, size_t len)
{
	uint8_t		 out[768], back[1100];
	size_t		 n;

	if (len > 1024)
		return;
	if (b64_decode_strict((const char *)data, len, out, sizeof(out),
	    &n) == -1)
		return;
	if (n > B64_DECODED_MAX(len) ||
	    EVP_EncodeBlock(back, out, (int)n) != (int)len ||
	    memcmp(back, data, len) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	keys(data, len);
	sigs(data, len);
	base64(data, len);
	return 0;
}
