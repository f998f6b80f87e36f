/*
 * libFuzzer: uplinkd's receipt parser (xmlsafe envelope checks and the
 * schema of etc/callhome.xsd, read once from the repository).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uplinkd/receipt.h"
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

	xmlsafe_init();
	if ((f = fopen("etc/callhome.xsd", "r")) == NULL &&
	    (f = fopen(getenv("CALLHOME_XSD") ? getenv("CALLHOME_XSD") : "",
	    "r")) == NULL) {
		fprintf(stderr, "fuzz_receipt: run from the repository root "
		    "or set CALLHOME_XSD\n");
		exit(1);
	}
	if ((buf = malloc(256 * 1024)) == NULL)
		exit(1);
	n = fread(buf, 1, 256 * 1024, f);
	fclose(f);
	if ((xs = xschema_load(buf, n, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_receipt: %s\n", err);
		exit(1);
	}
	free(buf);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct receipt	 r;
	char		 err[256];

	if (receipt_parse(xs, data, len, &r, err, sizeof(err)) == 0 &&
	    strlen(r.sha256) != 64)
		abort();
	return 0;
}
