/*
 * libFuzzer target: identity_build() on raw values (common/identity.c).
 *
 * Input: a first byte, then fields separated by 0xff bytes (a byte that
 * is never part of UTF-8, so no value worth testing needs it):
 *
 *	0 sysDescr		5 the profile's model OID 1
 *	1 prtGeneralSerialNumber	6 its serial OID 0
 *	2 hrDeviceDescr		7 its firmware OID 0
 *	3 ppm 1284 device id	8 its device-id OID 0
 *	4 the profile's model OID 0	9 sysObjectID: each byte an arc,
 *				  under 1.3.6.1.4.1
 *
 * A missing field is no answer.  The first byte: bit 0 the Printer-MIB
 * answered, bit 1 hrDeviceType is a printer, bits 2-3 the profile (a
 * built-in one with every kind of rule, the same without its brands, or
 * none).  The input also goes to identity_decode() and, cut at its first
 * NUL, to identity_devid_get().
 *
 * Invariants: every text is NUL-terminated in its field, UTF-8 without
 * control characters, not blank at either end, and decodes to itself;
 * a field has a source exactly when it has a text; a model has a digit;
 * a second run gives the same identity.
 *
 * Seeds: regress/fuzz/corpus/identity, and corpus-identity.sh makes more
 * from the walks of $WALKS.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "log.h"
#include "profile.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NFIELDS		10

static const char acme[] =
	"vendor \"Acme\"\n"
	"match enterprise 4242\n"
	"match oid 1.3.6.1.4.1.4242.1\n"
	"match descr \"ACME\"\n"
	"brand \"Roadrunner\" descr \"RR \"\n"
	"brand \"Coyote\" descr \"Coyote\"\n"
	"model 1.3.6.1.4.1.4242.2.1.0\n"
	"model 1.3.6.1.4.1.4242.2.2.0\n"
	"serial 1.3.6.1.4.1.4242.3.0\n"
	"firmware 1.3.6.1.4.1.4242.4.0\n"
	"device-id 1.3.6.1.4.1.4242.5.0\n"
	"descr-model after \"Attached to \" cut \" Rev.\" cut \" :\"\n"
	"descr-model before \" / \" cut \" #.#\"\n"
	"descr-model require \"PID:\" after \"PID:\" cut \",\"\n"
	"descr-model unless \"NC-\" unless \"Server\" cut \";\" cut \",\"\n"
	"descr-serial after \"SN:\" cut \",\"\n"
	"descr-serial after \"S/N \" cut \";\"\n"
	"model-edit drop-prefix \"ZTC \"\n"
	"model-edit cut \"-#dpi\" drop-suffix \" ZPL\"\n"
	"model-edit drop-suffix \" /P\"\n"
	"model-edit cut \" #-#\"\n"
	"not-model \"Generic \"\n";

static struct profile	 prof[2];
static int		 nprof;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char	 nobrand[] = "vendor \"Acme\"\n"
	    "match enterprise 4242\n"
	    "model 1.3.6.1.4.1.4242.2.1.0\n"
	    "descr-model cut \";\"\n";

	(void)argc;
	(void)argv;
	log_init("fuzz_identity", LOG_TO_STDERR, 0);
	if (profile_parse("acme.profile", acme, strlen(acme), &prof[0]) == -1 ||
	    profile_parse("plain.profile", nobrand, strlen(nobrand),
	    &prof[1]) == -1)
		abort();		/* the built-in profiles are good */
	nprof = 2;
	return 0;
}

static int
is_text(const char *s, size_t max)
{
	const uint8_t	*u = (const uint8_t *)s;
	const char	*nul;
	static char	 again[IDENTITY_RAW_MAX + 1];
	size_t		 len;

	if ((nul = memchr(s, '\0', max)) == NULL)
		return 0;
	len = (size_t)(nul - s);
	if (len == 0)
		return 1;
	if (s[0] == ' ' || s[len - 1] == ' ')
		return 0;
	/* UTF-8 without controls: exactly what decodes to itself */
	if (identity_decode(u, len, again, sizeof(again)) == -1 ||
	    strcmp(again, s) != 0)
		return 0;
	return 1;
}

static void
check_field(const struct identity_field *f)
{
	if (!is_text(f->text, sizeof(f->text)))
		abort();
	if ((f->text[0] == '\0') != (f->src == IDSRC_NONE))
		abort();
	if (f->src == IDSRC_NONE && f->idx != -1)
		abort();
	if (strcmp(identity_src_name(f->src), "unknown") == 0)
		abort();
}

static void
check(const struct identity *id)
{
	const char	*s;

	check_field(&id->vendor);
	check_field(&id->model);
	check_field(&id->serial);
	check_field(&id->firmware);
	if (id->model.text[0] != '\0') {
		for (s = id->model.text; *s != '\0'; s++)
			if (*s >= '0' && *s <= '9')
				break;
		if (*s == '\0')
			abort();	/* a model has a digit */
	}
	if (strcmp(identity_printer_name(id->printer), "unknown") == 0)
		abort();
}

static void
fuzz_build(const uint8_t *data, size_t size)
{
	struct identity_value	 f[NFIELDS];
	struct identity_in	 in;
	struct identity		 a, b;
	struct snmp_oid		 soid, hrtype;
	const struct profile	*p;
	size_t			 i, n = 0, start = 1;
	uint8_t			 flags = data[0];

	memset(f, 0, sizeof(f));
	for (i = 1; i <= size && n < NFIELDS; i++)
		if (i == size || data[i] == 0xff) {
			f[n].s = data + start;
			f[n].len = i - start;
			n++;
			start = i + 1;
		}
	memset(&in, 0, sizeof(in));
	in.sysdescr = f[0];
	in.prtserial = f[1];
	in.hrdescr = f[2];
	in.devid = f[3];
	in.v_model[0] = f[4];
	in.v_model[1] = f[5];
	in.v_serial[0] = f[6];
	in.v_firmware[0] = f[7];
	in.v_devid[0] = f[8];
	in.printer_mib = flags & 1;
	if (flags & 2) {
		if (snmp_oid_parse(IDENTITY_OID_HRPRINTER, &hrtype) == -1)
			abort();
		in.hrtype = &hrtype;
	}
	if (f[9].s != NULL) {
		if (snmp_oid_parse("1.3.6.1.4.1", &soid) == -1)
			abort();
		for (i = 0; i < f[9].len && soid.len < SNMP_MAX_SUBIDS; i++)
			soid.sub[soid.len++] = f[9].s[i];
		in.sysobjectid = &soid;
	}
	p = (size_t)((flags >> 2) & 3) < (size_t)nprof ?
	    &prof[(flags >> 2) & 3] : NULL;

	identity_build(&in, p, &a);
	check(&a);
	identity_build(&in, p, &b);
	if (memcmp(&a, &b, sizeof(a)) != 0)
		abort();		/* no hidden state */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "MDL", "MODEL", "SN", NULL };
	char	 out[IDENTITY_RAW_MAX + 1], *text;
	int	 r;

	if (size == 0)
		return 0;
	fuzz_build(data, size);

	r = identity_decode(data, size, out, sizeof(out));
	if ((r == -1 && out[0] != '\0') || (r == 0 && !is_text(out,
	    sizeof(out))))
		abort();
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	r = identity_devid_get(text, keys, out, IDENTITY_TEXT);
	if ((r == -1 && out[0] != '\0') || (r == 0 && (out[0] == '\0' ||
	    strlen(out) >= IDENTITY_TEXT || strstr(text, out) == NULL)))
		abort();
	free(text);
	return 0;
}
