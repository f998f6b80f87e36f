/*
 * sigverify: signerd's verdicts (signerd/verify.c) and the signify
 * reader (common/signify.c) on files, for regress/t/signify-interop.sh.
 *
 *	sigverify detached KEYS SIGFILE FILE
 *	sigverify embedded KEYS SIGNED [MSGOUT]
 *	sigverify bundle KEYS BUNDLE GATEWAY LAST-SEQUENCE NOW
 *	sigverify package KEYS FILE SIGFILE SHA256 SIZE VERSION INSTALLED
 *	sigverify response SCHEMA ANSWER KEYS GATEWAY LAST-SEQUENCE NOW
 *	sigverify checkin GATEWAY LAST-SEQUENCE [NAME VERSION ...]
 *
 * KEYS is a trust file of signify public keys.  The first line printed
 * is the verdict's reason word: ok, malformed, unknown-key,
 * bad-signature, and for bundles and packages the others of
 * signerd/verify.h.  "bundle" then prints the sequence and the
 * instructions of an accepted bundle; "embedded" writes the message to
 * MSGOUT; "response" parses a CheckInResponse (common/checkin.c) and
 * prints one verdict per bundle, "none" when there is none, accepting
 * each bundle's sequence as the last one for the next.  "checkin" prints
 * the CheckIn document common/checkin.c builds.  Exit status 0
 * when every verdict is ok, 1 when one is not, 2 on a usage error, a
 * file that cannot be read or a trust file that is not valid.
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkin.h"
#include "file.h"
#include "log.h"
#include "signerd/verify.h"
#include "signify.h"

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr,
	    "usage: sigverify detached keys sigfile file\n"
	    "       sigverify embedded keys signed [msgout]\n"
	    "       sigverify bundle keys bundle gateway last now\n"
	    "       sigverify package keys file sigfile sha256 size version "
	    "installed\n"
	    "       sigverify response schema answer keys gateway last now\n"
	    "       sigverify checkin gateway last [name version ...]\n");
	exit(2);
}

static uint8_t *
slurp(const char *path, size_t max, size_t *len)
{
	uint8_t	*p;
	int	 e;

	if ((p = file_read(path, max, FILE_FOLLOW, len, NULL, &e)) == NULL)
		errx(2, "%s: %s", path, file_strerror(e));
	return p;
}

static uint64_t
number(const char *s)
{
	char			*end;
	unsigned long long	 v;

	if (s[0] < '0' || s[0] > '9')
		errx(2, "%s: not a number", s);
	v = strtoull(s, &end, 10);
	if (*end != '\0')
		errx(2, "%s: not a number", s);
	return v;
}

static void
keys(const char *path, struct signify_keyring *ring)
{
	uint8_t	*p;
	size_t	 len;
	char	 why[256];

	p = slurp(path, SIGNIFY_KEYFILE_MAX, &len);
	if (signify_parse_keys(p, len, ring, why, sizeof(why)) == -1)
		errx(2, "%s: %s", path, why);
	free(p);
}

static int
report(const char *word, const char *why)
{
	printf("%s\n", word);
	if (strcmp(word, "ok") != 0) {
		fprintf(stderr, "sigverify: %s: %s\n", word, why);
		return 1;
	}
	return 0;
}

static int
cmd_detached(char **av)
{
	struct signify_keyring	 ring;
	uint8_t			*sig, *msg;
	size_t			 siglen, len;
	char			 why[256] = "";
	enum signify_result	 r;

	keys(av[0], &ring);
	sig = slurp(av[1], SIGNIFY_SIGFILE_MAX + 1, &siglen);
	msg = slurp(av[2], BUNDLE_PKG_SIZE_MAX + 1, &len);
	r = signify_verify_detached(&ring, sig, siglen, msg, len, why,
	    sizeof(why));
	free(sig);
	free(msg);
	return report(signify_result_name(r), why);
}

static int
cmd_embedded(char **av, int ac)
{
	struct signify_keyring	 ring;
	uint8_t			*f;
	const uint8_t		*msg;
	size_t			 len, mlen;
	char			 why[256] = "";
	enum signify_result	 r;
	FILE			*out;

	keys(av[0], &ring);
	f = slurp(av[1], BUNDLE_PKG_SIZE_MAX + 1, &len);
	r = signify_verify_embedded(&ring, f, len, &msg, &mlen, why,
	    sizeof(why));
	if (r == SIGNIFY_OK && ac == 3) {
		if ((out = fopen(av[2], "w")) == NULL ||
		    fwrite(msg, 1, mlen, out) != mlen || fclose(out) != 0)
			err(2, "%s", av[2]);
	}
	free(f);
	return report(signify_result_name(r), why);
}

static void
print_bundle(const struct bundle *b)
{
	const struct bundle_item	*it;
	size_t				 i;

	printf("sequence %" PRIu64 "\n", b->sequence);
	for (i = 0; i < b->nitems; i++) {
		it = &b->items[i];
		switch (it->kind) {
		case BI_SCHEDULE_DAILY:
			printf("schedule daily %02d:%02d\n", it->u.minute / 60,
			    it->u.minute % 60);
			break;
		case BI_CHECKIN_EVERY:
			printf("checkin every %us\n", it->u.seconds);
			break;
		case BI_PACKAGE:
			printf("package %s %s %" PRIu64 " %s %" PRIu64 "\n",
			    package_kind_name(it->u.pkg.kind), it->u.pkg.name,
			    it->u.pkg.version, it->u.pkg.sha256,
			    it->u.pkg.size);
			break;
		default:
			printf("%s\n", bundle_kind_name(it->kind));
			break;
		}
	}
}

static int
cmd_bundle(char **av)
{
	struct signify_keyring	 ring;
	struct bundle		 b;
	uint8_t			*f;
	size_t			 len;
	char			 why[512] = "";
	enum verdict		 v;
	int			 rc;

	keys(av[0], &ring);
	f = slurp(av[1], BUNDLE_MAX + 1, &len);
	v = verify_bundle(&ring, f, len, av[2], number(av[3]),
	    (int64_t)number(av[4]), &b, why, sizeof(why));
	free(f);
	rc = report(verdict_name(v), why);
	if (v == V_OK)
		print_bundle(&b);
	return rc;
}

static int
cmd_package(char **av)
{
	struct signify_keyring	 ring;
	struct bundle_package	 want;
	uint8_t			*f, *sig;
	size_t			 len, siglen;
	char			 why[512] = "";
	enum verdict		 v;

	keys(av[0], &ring);
	f = slurp(av[1], BUNDLE_PKG_SIZE_MAX + 1, &len);
	sig = slurp(av[2], SIGNIFY_SIGFILE_MAX + 1, &siglen);
	memset(&want, 0, sizeof(want));
	if (strlcpy(want.sha256, av[3], sizeof(want.sha256)) >=
	    sizeof(want.sha256))
		errx(2, "%s: not a SHA-256", av[3]);
	want.size = number(av[4]);
	want.version = number(av[5]);
	(void)strlcpy(want.name, "package", sizeof(want.name));
	v = verify_package(&ring, f, len, sig, siglen, &want, number(av[6]),
	    why, sizeof(why));
	free(f);
	free(sig);
	return report(verdict_name(v), why);
}

static int
cmd_response(char **av)
{
	struct signify_keyring	 ring;
	struct checkin_response	 r;
	struct xschema		*xs;
	struct bundle		 b;
	uint8_t			*xsd, *doc;
	size_t			 len, i;
	uint64_t		 last = number(av[4]);
	char			 why[512];
	enum verdict		 v;
	int			 rc = 0;

	xmlsafe_init();
	xsd = slurp(av[0], 1024 * 1024, &len);
	if ((xs = xschema_load(xsd, len, why, sizeof(why))) == NULL)
		errx(2, "%s: %s", av[0], why);
	free(xsd);
	keys(av[2], &ring);
	doc = slurp(av[1], CHECKIN_RESPONSE_MAX + 1, &len);
	if (checkin_response_parse(xs, doc, len, &r, why, sizeof(why)) ==
	    -1) {
		free(doc);
		xschema_free(xs);
		return report("malformed", why);
	}
	free(doc);
	if (r.nbundles == 0)
		printf("none\n");
	for (i = 0; i < r.nbundles; i++) {
		why[0] = '\0';
		v = verify_bundle(&ring, r.bundles[i].data, r.bundles[i].len,
		    av[3], last, (int64_t)number(av[5]), &b, why,
		    sizeof(why));
		rc |= report(verdict_name(v), why);
		if (v == V_OK)
			last = b.sequence;
	}
	checkin_response_free(&r);
	xschema_free(xs);
	return rc;
}

static int
cmd_checkin(char **av, int ac)
{
	struct checkin_package	 pk[CHECKIN_MAX_PACKAGES];
	struct checkin		 c;
	struct wbuf		 w;
	char			 why[256];
	int			 i;

	if (ac % 2 != 0 || (ac - 2) / 2 > CHECKIN_MAX_PACKAGES)
		usage();
	memset(&c, 0, sizeof(c));
	c.gateway = av[0];
	c.software = "callhome/0.1";
	c.last_sequence = number(av[1]);
	for (i = 2; i < ac; i += 2) {
		if (strlcpy(pk[c.npackages].name, av[i],
		    sizeof(pk[c.npackages].name)) >= sizeof(pk[0].name))
			errx(2, "%s: name too long", av[i]);
		pk[c.npackages++].version = number(av[i + 1]);
	}
	c.packages = pk;
	wbuf_init(&w);
	if (checkin_build(&c, &w, why, sizeof(why)) == -1)
		errx(1, "%s", why);
	if (fwrite(w.data, 1, w.len, stdout) != w.len)
		err(2, "stdout");
	wbuf_free(&w);
	return 0;
}

int
main(int argc, char *argv[])
{
	log_init("sigverify", LOG_TO_STDERR, 0);
	if (argc < 2)
		usage();
	argc -= 2;
	if (strcmp(argv[1], "detached") == 0 && argc == 3)
		return cmd_detached(argv + 2);
	if (strcmp(argv[1], "embedded") == 0 && (argc == 2 || argc == 3))
		return cmd_embedded(argv + 2, argc);
	if (strcmp(argv[1], "bundle") == 0 && argc == 5)
		return cmd_bundle(argv + 2);
	if (strcmp(argv[1], "package") == 0 && argc == 7)
		return cmd_package(argv + 2);
	if (strcmp(argv[1], "response") == 0 && argc == 6)
		return cmd_response(argv + 2);
	if (strcmp(argv[1], "checkin") == 0 && argc >= 2)
		return cmd_checkin(argv + 2, argc);
	usage();
}
