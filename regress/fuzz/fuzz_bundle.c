/*
 * libFuzzer target: the message of an instruction bundle
 * (common/bundle.c).  A message that parses must hold only what the
 * format allows (bounds, names, hashes, times in order), and written
 * back in the format's canonical form it must parse to the same bundle.
 * The input is also given to signerd's verify_bundle() as a whole
 * signed file, against the key of the signify seeds.
 *
 * Seeds: regress/fuzz/corpus/bundle, bundle messages and two bundles
 * signed by signify-openbsd.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "isotime.h"
#include "log.h"
#include "signerd/verify.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define SEED_PUB \
	"untrusted comment: callhome fuzz seeds public key\n" \
	"RWSqjykDcawH+konpE0HZyBQPa+OsvfH2zBiHOlxtH8NBI2ojXZpf4X6\n"

static struct signify_keyring	 ring;
static struct bundle		 b, again;
static char			 text[BUNDLE_MAX + 1];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	 err[256];

	log_init("fuzz_bundle", LOG_TO_STDERR, 0);
	if (signify_parse_keys((const uint8_t *)SEED_PUB, strlen(SEED_PUB),
	    &ring, err, sizeof(err)) == -1)
		abort();
	return 0;
}

static int
hex64(const char *s)
{
	size_t	 i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

static void
check(const struct bundle *p)
{
	const struct bundle_item	*it;
	size_t				 i;

	if (p->nitems < 1 || p->nitems > BUNDLE_MAX_ITEMS ||
	    p->gateway[0] == '\0' || p->gateway[0] == ' ' ||
	    strlen(p->gateway) > BUNDLE_GATEWAY_MAX ||
	    p->sequence < 1 || p->sequence > BUNDLE_SEQ_MAX ||
	    p->issued < 0 || p->expires <= p->issued ||
	    p->expires > INT64_C(253402300799))
		abort();
	for (i = 0; i < p->nitems; i++) {
		it = &p->items[i];
		switch (it->kind) {
		case BI_COLLECT_NOW:
		case BI_UPLOAD_NOW:
			break;
		case BI_SCHEDULE_DAILY:
			if (it->u.minute < 0 || it->u.minute >= 1440)
				abort();
			break;
		case BI_CHECKIN_EVERY:
			if (it->u.seconds < BUNDLE_CHECKIN_MIN ||
			    it->u.seconds > BUNDLE_CHECKIN_MAX)
				abort();
			break;
		case BI_PACKAGE:
			if (!bundle_valid_name(it->u.pkg.name) ||
			    !hex64(it->u.pkg.sha256) ||
			    it->u.pkg.version < 1 ||
			    it->u.pkg.version > BUNDLE_SEQ_MAX ||
			    it->u.pkg.size < 1 ||
			    it->u.pkg.size > BUNDLE_PKG_SIZE_MAX ||
			    (it->u.pkg.kind != PKG_PROFILE &&
			    it->u.pkg.kind != PKG_SOFTWARE))
				abort();
			break;
		default:
			abort();
		}
	}
}

/* the bundle in canonical form */
static size_t
write_back(const struct bundle *p)
{
	const struct bundle_item	*it;
	char				 is[ISO_TIME_LEN], ex[ISO_TIME_LEN];
	size_t				 len, i;
	int				 n;

	n = snprintf(text, sizeof(text), "callhome-instructions 1\n"
	    "gateway %s\nsequence %" PRIu64 "\nissued %s\nexpires %s\n",
	    p->gateway, p->sequence, iso_time(p->issued, is, sizeof(is)),
	    iso_time(p->expires, ex, sizeof(ex)));
	len = (size_t)n;
	for (i = 0; i < p->nitems; i++) {
		it = &p->items[i];
		switch (it->kind) {
		case BI_SCHEDULE_DAILY:
			n = snprintf(text + len, sizeof(text) - len,
			    "schedule daily %02d:%02d\n", it->u.minute / 60,
			    it->u.minute % 60);
			break;
		case BI_CHECKIN_EVERY:
			n = snprintf(text + len, sizeof(text) - len,
			    "checkin every %us\n", it->u.seconds);
			break;
		case BI_PACKAGE:
			n = snprintf(text + len, sizeof(text) - len,
			    "package %s %s %" PRIu64 " %s %" PRIu64 "\n",
			    package_kind_name(it->u.pkg.kind), it->u.pkg.name,
			    it->u.pkg.version, it->u.pkg.sha256,
			    it->u.pkg.size);
			break;
		default:
			n = snprintf(text + len, sizeof(text) - len, "%s\n",
			    bundle_kind_name(it->kind));
			break;
		}
		if (n < 0 || (size_t)n >= sizeof(text) - len)
			abort();
		len += (size_t)n;
	}
	return len;
}

static int
same(const struct bundle *x, const struct bundle *y)
{
	const struct bundle_item	*a, *c;
	size_t				 i;

	if (strcmp(x->gateway, y->gateway) != 0 ||
	    x->sequence != y->sequence || x->issued != y->issued ||
	    x->expires != y->expires || x->nitems != y->nitems)
		return 0;
	for (i = 0; i < x->nitems; i++) {
		a = &x->items[i];
		c = &y->items[i];
		if (a->kind != c->kind)
			return 0;
		if (a->kind == BI_SCHEDULE_DAILY && a->u.minute != c->u.minute)
			return 0;
		if (a->kind == BI_CHECKIN_EVERY && a->u.seconds != c->u.seconds)
			return 0;
		if (a->kind == BI_PACKAGE && (a->u.pkg.kind != c->u.pkg.kind ||
		    strcmp(a->u.pkg.name, c->u.pkg.name) != 0 ||
		    a->u.pkg.version != c->u.pkg.version ||
		    strcmp(a->u.pkg.sha256, c->u.pkg.sha256) != 0 ||
		    a->u.pkg.size != c->u.pkg.size))
			return 0;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char		 err[512];
	size_t		 n;
	enum verdict	 v;

	if (bundle_parse(data, len, &b, err, sizeof(err)) == BUNDLE_OK) {
		check(&b);
		n = write_back(&b);
		if (bundle_parse((const uint8_t *)text, n, &again, err,
		    sizeof(err)) != BUNDLE_OK || !same(&b, &again))
			abort();
	} else if (b.nitems != 0 || b.sequence != 0 || err[0] == '\0')
		abort();
	v = verify_bundle(&ring, data, len, "site-01", 4,
	    INT64_C(1795255200), &b, err, sizeof(err));
	if (v >= V_NVERDICTS || (v == V_OK) != (b.nitems > 0))
		abort();
	if (v == V_OK)
		check(&b);
	return 0;
}
