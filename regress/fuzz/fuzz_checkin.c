/*
 * libFuzzer target: the server's answer to a check-in
 * (checkin_response_parse(), common/checkin.c, on xmlsafe and the
 * schema of etc/callhome.xsd, read once from the repository).  An
 * accepted answer holds at most CHECKIN_MAX_BUNDLES bundles of 1 to
 * BUNDLE_MAX bytes and a server time; a refused one holds nothing.
 *
 * Seeds: regress/fuzz/corpus/checkin, answers with no bundle and with
 * bundles signed by signify-openbsd.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkin.h"
#include "log.h"
#include "xmlsafe.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

static struct xschema	*xs;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE	*f;
	char	*buf, err[256];
	size_t	 n;

	log_init("fuzz_checkin", LOG_TO_STDERR, 0);
	xmlsafe_init();
	if ((f = fopen("etc/callhome.xsd", "r")) == NULL &&
	    (f = fopen(getenv("CALLHOME_XSD") ? getenv("CALLHOME_XSD") : "",
	    "r")) == NULL) {
		fprintf(stderr, "fuzz_checkin: run from the repository root "
		    "or set CALLHOME_XSD\n");
		exit(1);
	}
	if ((buf = malloc(256 * 1024)) == NULL)
		exit(1);
	n = fread(buf, 1, 256 * 1024, f);
	fclose(f);
	if ((xs = xschema_load(buf, n, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_checkin: %s\n", err);
		exit(1);
	}
	free(buf);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct checkin_response	 r;
	char			 err[256];
	size_t			 i;

	if (checkin_response_parse(xs, data, len, &r, err, sizeof(err)) ==
	    -1) {
		if (r.nbundles != 0 || err[0] == '\0')
			abort();
		return 0;
	}
	if (r.nbundles > CHECKIN_MAX_BUNDLES || r.server_time[0] == '\0')
		abort();
	for (i = 0; i < r.nbundles; i++)
		if (r.bundles[i].data == NULL || r.bundles[i].len < 1 ||
		    r.bundles[i].len > BUNDLE_MAX)
			abort();
	checkin_response_free(&r);
	return 0;
}
