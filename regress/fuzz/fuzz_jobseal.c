/*
 * libFuzzer target: sealed job data (common/jobseal.c), the format of
 * callhome-jobdata(5), and its key files.  The first byte picks:
 *
 *	0	jobseal_open() of the rest with a fixed private key: random
 *		bytes never open (a tag needs the key of an X25519 secret,
 *		which the input cannot know), and nothing is given out
 *	1	the rest sealed to the fixed public key and opened again: the
 *		very bytes; then one byte of the sealed form (at an offset
 *		the input gives) changed: never JOBSEAL_OK
 *	2	the rest as a PEM public key, then as a PEM private key:
 *		found or refused, within JOBSEAL_PEM_MAX bytes
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jobseal.h"
#include "log.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* RFC 7748 section 6.1: Alice's key pair */
static const uint8_t priv[JOBSEAL_KEY_LEN] = {
	0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1,
	0x72, 0x51, 0xb2, 0x66, 0x45, 0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0,
	0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a
};
static const uint8_t pub[JOBSEAL_KEY_LEN] = {
	0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d,
	0xdc, 0xb4, 0x3e, 0xf7, 0x5a, 0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38,
	0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_init("fuzz_jobseal", LOG_TO_STDERR, 0);
	if (jobseal_init() == -1)
		abort();
	return 0;
}

static void
open_random(const uint8_t *data, size_t len)
{
	struct wbuf	 o;
	char		 err[256];

	wbuf_init(&o);
	if (jobseal_open(priv, data, len, &o, err, sizeof(err)) ==
	    JOBSEAL_OK || o.len != 0)
		abort();
	wbuf_free(&o);
}

static void
round_trip(const uint8_t *data, size_t len)
{
	struct wbuf	 s, o;
	size_t		 at = 0;
	int		 aead;

	if (len < 3)
		return;
	aead = data[0] & 1 ? JOBSEAL_CHACHA20 : JOBSEAL_AES256GCM;
	at = data[1];
	data += 2;
	len -= 2;
	if (len > 4096)
		len = 4096;
	wbuf_init(&s);
	wbuf_init(&o);
	if (jobseal_seal(pub, aead, data, len, &s, NULL, 0) == -1 ||
	    s.len != len + JOBSEAL_OVERHEAD)
		abort();
	if (jobseal_open(priv, s.data, s.len, &o, NULL, 0) != JOBSEAL_OK ||
	    o.len != len || memcmp(o.data, data, len) != 0)
		abort();
	wbuf_reset(&o);
	at %= s.len;
	s.data[at] ^= 0x80;
	if (jobseal_open(priv, s.data, s.len, &o, NULL, 0) == JOBSEAL_OK ||
	    o.len != 0)
		abort();
	wbuf_free(&s);
	wbuf_free(&o);
}

static void
pem(const uint8_t *data, size_t len)
{
	uint8_t	 k[JOBSEAL_KEY_LEN], p[JOBSEAL_KEY_LEN];

	(void)jobseal_public_pem(data, len, k, NULL, 0);
	(void)jobseal_private_pem(data, len, k, p, NULL, 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (len == 0)
		return 0;
	switch (data[0] % 3) {
	case 0:
		open_random(data + 1, len - 1);
		break;
	case 1:
		round_trip(data + 1, len - 1);
		break;
	default:
		pem(data + 1, len - 1);
		break;
	}
	return 0;
}
