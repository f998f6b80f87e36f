/*
 * libFuzzer target: vendor profiles.  The first byte of the input picks
 * what the rest is fed to:
 *
 *	odd	profile_parse(), as the text of a file.  A profile that
 *		parses must pass the imsg codec unchanged (the decoder takes
 *		all the parser takes), and match a device made of its own
 *		match lines.
 *	even	msg_profiles_decode(), as a CONF_COLLECTD payload.  What
 *		decodes must encode to the very bytes it was read from (the
 *		encoding is canonical), and survive profile_match() and
 *		profile_table_name().
 *
 * Either way each profile then runs identity_build() (common/identity.c)
 * on a device made of its own texts, so that its descr-model,
 * descr-serial, model-edit and not-model rules are applied as parsed:
 * the texts that come out are UTF-8 without control characters.
 *
 * Seeds: regress/fuzz/corpus/profile, text files starting with "#" (odd)
 * and encoded sets starting with a zero byte (even).
 *
 * The parser logs every error to stderr; LLVMFuzzerInitialize() adds
 * -close_fd_mask=2 unless the caller chose a mask, so that libFuzzer's
 * own reports (kept on a duplicate of stderr) are not drowned.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "identity.h"
#include "log.h"
#include "profile.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct profile	 parsed;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char	 mask[] = "-close_fd_mask=2";
	char		**av;
	int		 i;

	log_init("fuzz_profile", LOG_TO_STDERR, 0);
	for (i = 1; i < *argc; i++)
		if (strncmp((*argv)[i], "-close_fd_mask=", 15) == 0)
			return 0;
	/* libFuzzer keeps using the vector: it is never freed */
	if ((av = calloc(*argc + 2, sizeof(*av))) == NULL)
		return 0;
	av[0] = (*argv)[0];
	av[1] = mask;
	memcpy(av + 2, *argv + 1, (*argc - 1) * sizeof(*av));
	*argc += 1;
	*argv = av;
	return 0;
}

/* append s and a blank to buf (n used of sz), as far as it fits */
static void
append(char *buf, size_t *n, size_t sz, const char *s)
{
	size_t	 l = strlen(s);

	if (*n + l + 1 >= sz)
		return;
	memcpy(buf + *n, s, l);
	buf[*n + l] = ' ';
	*n += l + 1;
	buf[*n] = '\0';
}

static void
check_text(const char *s)
{
	char	 again[IDENTITY_TEXT];

	if (s[0] != '\0' && (identity_decode((const uint8_t *)s, strlen(s),
	    again, sizeof(again)) == -1 || strcmp(again, s) != 0))
		abort();
}

/* identity_build() on a device made of the profile's rule texts */
static void
use_identity(const struct profile *p)
{
	static char		 descr[IDENTITY_RAW_MAX];
	char			 hr[IDENTITY_TEXT];
	struct identity_in	 in;
	struct identity		 id;
	const struct profile_rule *rules[3];
	size_t			 nrules[3], k, i, j, n = 0;

	descr[0] = '\0';
	rules[0] = p->descr_model;
	nrules[0] = p->ndescr_model;
	rules[1] = p->descr_serial;
	nrules[1] = p->ndescr_serial;
	rules[2] = p->model_edit;
	nrules[2] = p->nmodel_edit;
	append(descr, &n, sizeof(descr), p->vendor);
	for (k = 0; k < 3; k++)
		for (i = 0; i < nrules[k]; i++)
			for (j = 0; j < rules[k][i].nop; j++) {
				append(descr, &n, sizeof(descr),
				    rules[k][i].op[j].text);
				append(descr, &n, sizeof(descr), "7");
			}
	(void)snprintf(hr, sizeof(hr), "%s 12 series",
	    p->nbrand > 0 ? p->brand[0].name : p->vendor);
	memset(&in, 0, sizeof(in));
	in.sysdescr.s = (const uint8_t *)descr;
	in.sysdescr.len = strlen(descr);
	in.hrdescr.s = (const uint8_t *)hr;
	in.hrdescr.len = strlen(hr);
	in.v_model[0] = in.sysdescr;
	in.v_serial[0] = in.hrdescr;
	identity_build(&in, p, &id);
	check_text(id.vendor.text);
	check_text(id.model.text);
	check_text(id.serial.text);
	check_text(id.firmware.text);
}

/* everything a collector would do with a set */
static void
use_set(const struct profile_set *set)
{
	static const uint32_t	 ent[] = { 1, 3, 6, 1, 4, 1 };
	const struct profile	*p, *m;
	const struct snmp_oid	*oid;
	struct snmp_oid		 o;
	const char		*vendor, *descr;
	char			 name[REPORT_NAME], tiny[5];
	size_t			 i, j, k;

	for (i = 0; i < set->n; i++) {
		p = &set->p[i];
		/* a device made of the profile's own match lines */
		oid = NULL;
		if (p->noid > 0)
			oid = &p->oid[0];
		else if (p->nenterprise > 0) {
			memcpy(o.sub, ent, sizeof(ent));
			o.sub[6] = p->enterprise[0];
			o.sub[7] = 1;
			o.len = 8;
			oid = &o;
		}
		descr = p->ndescr > 0 ? p->descr[0] :
		    p->nbrand > 0 ? p->brand[0].descr : NULL;
		m = profile_match(set, oid, descr, &vendor);
		if (m == NULL || vendor == NULL)
			abort();	/* every profile matches something */
		use_identity(p);
		for (j = 0; j < p->ntable; j++) {
			for (k = 0; k < p->table[j].nmap; k++) {
				profile_table_name(&p->table[j],
				    p->table[j].map[k].text, name,
				    sizeof(name));
				if (strcmp(name, p->table[j].map[k].name) != 0)
					abort();
			}
			profile_table_name(&p->table[j], p->vendor, name,
			    sizeof(name));
			profile_table_name(&p->table[j], p->vendor, tiny,
			    sizeof(tiny));
		}
	}
}

static void
fuzz_text(const uint8_t *data, size_t size)
{
	struct profile_set	 in, out;
	struct wbuf		 w, w2;
	struct rbuf		 r;

	if (profile_parse("fuzz.profile", (const char *)data, size,
	    &parsed) == -1)
		return;
	in.p = &parsed;
	in.n = 1;
	wbuf_init(&w);
	msg_profiles_encode(&w, &in);
	rbuf_init(&r, w.data, w.len);
	if (msg_profiles_decode(&r, &out) == -1 || rbuf_done(&r) == -1 ||
	    out.n != 1)
		abort();		/* the decoder refused the parser's */
	wbuf_init(&w2);
	msg_profiles_encode(&w2, &out);
	if (w2.len != w.len || memcmp(w.data, w2.data, w.len) != 0)
		abort();
	use_set(&out);
	profile_set_free(&out);
	wbuf_free(&w2);
	wbuf_free(&w);
}

static void
fuzz_message(const uint8_t *data, size_t size)
{
	struct profile_set	 set;
	struct wbuf		 w;
	struct rbuf		 r;

	rbuf_init(&r, data, size);
	if (msg_profiles_decode(&r, &set) == -1) {
		if (set.p != NULL || set.n != 0)
			abort();
		return;
	}
	wbuf_init(&w);
	msg_profiles_encode(&w, &set);
	if (w.len != r.off || memcmp(w.data, data, w.len) != 0)
		abort();		/* not canonical */
	use_set(&set);
	profile_set_free(&set);
	wbuf_free(&w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		fuzz_text(data + 1, size - 1);
	else
		fuzz_message(data + 1, size - 1);
	return 0;
}
