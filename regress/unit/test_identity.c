/*
 * Identity (common/identity.c): decoding raw values, IEEE 1284 device
 * ids, the profile's text rules, bad input, sysDescr formats of other
 * models than the walks', and every walk of ../shared/walks (WALKS)
 * against regress/identity/expected.tsv (IDENTITY_EXPECTED), the vendor,
 * model and serial a person reading the walk writes down, whether it is
 * a printer, and the model the walk gives when cut down to a stub
 * (sysDescr and sysObjectID only).
 *
 * The walks are read by a small snmprec reader of this file (OID|TAG|
 * VALUE lines; tags 4, 4x, 6, the integers); the profiles are the real
 * etc/profiles, loaded with profile_load_dir() (or, where the files are
 * not root's, parsed one by one with profile_parse()); the profile is the
 * one profile_match() chooses.  A walk without a row, a row without a
 * walk, or no walks at all is a failure.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "identity.h"
#include "log.h"
#include "profile.h"
#include "report.h"
#include "snmp.h"
#include "test.h"

#define REAL_DIR	"etc/profiles"
#define EXPECTED	"regress/identity/expected.tsv"
#define WALK_LINE_MAX	(64 * 1024)	/* longest snmprec line */
#define WALK_RECS_MAX	200000		/* records in one walk */
#define WALKS_MAX	1024		/* walks in the directory */

static struct profile_set	 real;
static int			 real_ok;

/* snprintf that must not truncate */
#define FMT(buf, size, ...) do {					\
	int _n = snprintf((buf), (size), __VA_ARGS__);			\
	if (_n < 0 || (size_t)_n >= (size_t)(size))			\
		abort();						\
} while (0)

/*
 * A bounded snmprec reader.
 */

struct rec {
	uint32_t	*sub;		/* the OID */
	uint32_t	 len;
	int		 tag;		/* 4 octets, 6 OID, 2, 65... numbers */
	uint8_t		*v;		/* octets (NUL after them) */
	size_t		 vlen;
};

struct walk {
	struct rec	*r;
	size_t		 n, cap;
};

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
walk_free(struct walk *w)
{
	size_t	 i;

	for (i = 0; i < w->n; i++) {
		free(w->r[i].sub);
		free(w->r[i].v);
	}
	free(w->r);
	memset(w, 0, sizeof(*w));
}

/* one "OID|TAG|VALUE" line into a record; why set on error */
static int
rec_parse(char *line, struct rec *r, const char **why)
{
	struct snmp_oid	 o;
	char		*tag, *val, *end;
	size_t		 vl, i;
	int		 hex, hi, lo;
	long		 t;

	memset(r, 0, sizeof(*r));
	if ((tag = strchr(line, '|')) == NULL ||
	    (val = strchr(tag + 1, '|')) == NULL) {
		*why = "not OID|TAG|VALUE";
		return -1;
	}
	*tag++ = '\0';
	*val++ = '\0';
	if (snmp_oid_parse(line, &o) == -1) {
		*why = "bad OID";
		return -1;
	}
	errno = 0;
	t = strtol(tag, &end, 10);
	hex = *end == 'x' && end[1] == '\0';
	if (errno != 0 || end == tag || (*end != '\0' && !hex) || t < 0 ||
	    t > 255) {
		*why = "bad tag";
		return -1;
	}
	r->tag = (int)t;
	vl = strlen(val);
	if (hex) {
		if (vl % 2 != 0) {
			*why = "odd hex value";
			return -1;
		}
		vl /= 2;
	}
	if ((r->v = malloc(vl + 1)) == NULL ||
	    (r->sub = calloc(o.len ? o.len : 1, sizeof(*r->sub))) == NULL)
		abort();
	for (i = 0; i < vl; i++) {
		if (!hex) {
			r->v[i] = (uint8_t)val[i];
			continue;
		}
		if ((hi = hexval((unsigned char)val[2 * i])) < 0 ||
		    (lo = hexval((unsigned char)val[2 * i + 1])) < 0) {
			*why = "bad hex digit";
			return -1;
		}
		r->v[i] = (uint8_t)(hi << 4 | lo);
	}
	r->v[vl] = '\0';
	r->vlen = vl;
	memcpy(r->sub, o.sub, o.len * sizeof(*o.sub));
	r->len = o.len;
	return 0;
}

/* the whole file; -1 with a message on stdout */
static int
walk_read(const char *path, struct walk *w)
{
	FILE		*fp;
	char		*line;
	const char	*why = NULL;
	size_t		 len;
	void		*p;
	int		 lineno = 0, rv = 0;

	memset(w, 0, sizeof(*w));
	if ((fp = fopen(path, "r")) == NULL) {
		printf("# %s: %s\n", path, strerror(errno));
		return -1;
	}
	if ((line = malloc(WALK_LINE_MAX + 2)) == NULL)
		abort();
	while (fgets(line, WALK_LINE_MAX + 2, fp) != NULL) {
		lineno++;
		len = strlen(line);
		if (len > WALK_LINE_MAX) {
			why = "line too long";
			break;
		}
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (w->n == WALK_RECS_MAX) {
			why = "too many records";
			break;
		}
		if (w->n == w->cap) {
			if ((p = reallocarray(w->r, w->cap ? w->cap * 2 : 256,
			    sizeof(*w->r))) == NULL)
				abort();
			w->r = p;
			w->cap = w->cap ? w->cap * 2 : 256;
		}
		if (rec_parse(line, &w->r[w->n], &why) == -1) {
			free(w->r[w->n].sub);
			free(w->r[w->n].v);
			break;
		}
		w->n++;
		why = NULL;
	}
	if (why != NULL || ferror(fp)) {
		printf("# %s:%d: %s\n", path, lineno, why ? why : "read error");
		walk_free(w);
		rv = -1;
	}
	free(line);
	fclose(fp);
	return rv;
}

static int
rec_cmp(const struct rec *r, const struct snmp_oid *o)
{
	uint32_t	 i;

	for (i = 0; i < r->len && i < o->len; i++)
		if (r->sub[i] != o->sub[i])
			return r->sub[i] < o->sub[i] ? -1 : 1;
	return r->len < o->len ? -1 : r->len > o->len;
}

static int
rec_under(const struct rec *r, const struct snmp_oid *prefix)
{
	uint32_t	 i;

	if (r->len <= prefix->len)
		return 0;
	for (i = 0; i < prefix->len; i++)
		if (r->sub[i] != prefix->sub[i])
			return 0;
	return 1;
}

static const struct rec *
walk_get_oid(const struct walk *w, const struct snmp_oid *o)
{
	size_t	 i;

	for (i = 0; i < w->n; i++)
		if (rec_cmp(&w->r[i], o) == 0)
			return &w->r[i];
	return NULL;
}

static const struct rec *
walk_get(const struct walk *w, const char *oidtext)
{
	struct snmp_oid	 o;

	if (snmp_oid_parse(oidtext, &o) == -1)
		abort();
	return walk_get_oid(w, &o);
}

/* the first instance under a column or subtree (the least OID) */
static const struct rec *
walk_first(const struct walk *w, const char *prefixtext)
{
	struct snmp_oid		 o, best;
	const struct rec	*b = NULL;
	size_t			 i;

	if (snmp_oid_parse(prefixtext, &o) == -1)
		abort();
	for (i = 0; i < w->n; i++) {
		if (!rec_under(&w->r[i], &o))
			continue;
		if (b == NULL || rec_cmp(&w->r[i], &best) < 0) {
			b = &w->r[i];
			best.len = b->len;
			memcpy(best.sub, b->sub, b->len * sizeof(*b->sub));
		}
	}
	return b;
}

/* the arc after prefix (a row's first index), or 0 */
static uint32_t
first_index(const struct rec *r, size_t prefixlen)
{
	return r != NULL && r->len > prefixlen ? r->sub[prefixlen] : 0;
}

/*
 * The real profiles.
 */

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct profile *)a)->name,
	    ((const struct profile *)b)->name);
}

/* etc/profiles with profile_parse(), for files that are not root's */
static int
parse_each(const char *dir, struct profile_set *set)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[1024], *buf;
	size_t		 len, n;
	int		 error, bad = 0;

	set->n = 0;
	if ((set->p = calloc(PROFILE_MAX, sizeof(*set->p))) == NULL)
		abort();
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n <= 8 ||
		    strcmp(de->d_name + n - 8, ".profile") != 0)
			continue;
		if (set->n == PROFILE_MAX) {
			bad = 1;
			break;
		}
		FMT(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((buf = file_read(path, PROFILE_FILE_MAX, 0, &len, NULL,
		    &error)) == NULL) {
			bad = 1;
			continue;
		}
		if (profile_parse(path, buf, len, &set->p[set->n]) == 0)
			set->n++;
		else
			bad = 1;
		free(buf);
	}
	closedir(d);
	qsort(set->p, set->n, sizeof(*set->p), name_cmp);
	return bad ? -1 : 0;
}

static int
load_real(void)
{
	struct stat	 st;

	if (stat(REAL_DIR "/hp.profile", &st) == 0 && st.st_uid == 0)
		return profile_load_dir(REAL_DIR, &real);
	printf("# " REAL_DIR " is not root's: parsed file by file\n");
	return parse_each(REAL_DIR, &real);
}

static const struct profile *
real_profile(const char *name)
{
	size_t	 i;

	for (i = 0; i < real.n; i++)
		if (strcmp(real.p[i].name, name) == 0)
			return &real.p[i];
	return NULL;
}

/*
 * A device made of C strings, for the cases written here.
 */

struct vval {
	const char	*oid;
	const char	*val;
};

struct dev {
	const char	*descr, *soid, *hr, *hrtype, *devid, *prtserial;
	int		 prtmib;
	struct vval	 v[8];		/* vendor OIDs' values */
};

static struct identity_value
sval(const char *s)
{
	struct identity_value	 v;

	v.s = (const uint8_t *)s;
	v.len = s != NULL ? strlen(s) : 0;
	return v;
}

static const char *
vlookup(const struct dev *d, const struct snmp_oid *o)
{
	struct snmp_oid	 x;
	size_t		 i;

	for (i = 0; i < 8 && d->v[i].oid != NULL; i++)
		if (snmp_oid_parse(d->v[i].oid, &x) == 0 &&
		    snmp_oid_cmp(&x, o) == 0)
			return d->v[i].val;
	return NULL;
}

/* profile_match() and identity_build() on d; the profile's name or "" */
static const char *
run_dev(const struct dev *d, struct identity *id)
{
	struct identity_in	 in;
	struct snmp_oid		 soid, hrtype;
	const struct profile	*p;
	const char		*v;
	char			 clean[REPORT_STR];
	size_t			 i;

	memset(&in, 0, sizeof(in));
	soid.len = 0;
	if (d->soid != NULL && snmp_oid_parse(d->soid, &soid) == -1)
		abort();
	if (d->hrtype != NULL && snmp_oid_parse(d->hrtype, &hrtype) == -1)
		abort();
	clean[0] = '\0';
	if (d->descr != NULL)
		report_str_clean((const uint8_t *)d->descr, strlen(d->descr),
		    clean, sizeof(clean));
	p = profile_match(&real, soid.len ? &soid : NULL, clean, &v);
	in.sysdescr = sval(d->descr);
	in.sysobjectid = soid.len ? &soid : NULL;
	in.prtserial = sval(d->prtserial);
	in.hrdescr = sval(d->hr);
	in.hrtype = d->hrtype != NULL ? &hrtype : NULL;
	in.devid = sval(d->devid);
	in.printer_mib = d->prtmib;
	for (i = 0; p != NULL && i < p->nserial; i++)
		in.v_serial[i] = sval(vlookup(d, &p->serial[i]));
	for (i = 0; p != NULL && i < p->nmodel; i++)
		in.v_model[i] = sval(vlookup(d, &p->model[i]));
	for (i = 0; p != NULL && i < p->nfirmware; i++)
		in.v_firmware[i] = sval(vlookup(d, &p->firmware[i]));
	for (i = 0; p != NULL && i < p->ndevid; i++)
		in.v_devid[i] = sval(vlookup(d, &p->devid[i]));
	identity_build(&in, p, id);
	return p != NULL ? p->name : "";
}

/*
 * The cases.
 */

static int
decodes(const char *s, size_t n, const char *want)
{
	char	 out[IDENTITY_RAW_MAX + 1];
	int	 r;

	r = identity_decode((const uint8_t *)s, n, out, sizeof(out));
	if (want == NULL)
		return r == -1 && out[0] == '\0';
	return r == 0 && strcmp(out, want) == 0;
}

TEST(decode)
{
	static char	 big[IDENTITY_RAW_MAX + 2];
	char		 small[4];

	CHECK(decodes("FS-1028MFP", 10, "FS-1028MFP"));
	CHECK(decodes("  Aficio   MP  C3002 ", 21, "Aficio MP C3002"));
	CHECK(decodes("QUV9600664\0\0", 12, "QUV9600664"));	/* C strings */
	CHECK(decodes("", 0, NULL));
	CHECK(decodes("   ", 3, NULL));
	CHECK(decodes("\0\0", 2, NULL));
	CHECK(identity_decode(NULL, 3, small, sizeof(small)) == -1);
	/* control characters, anywhere */
	CHECK(decodes("FS-1028\nMFP", 11, NULL));
	CHECK(decodes("FS-1028MFP\r\n", 12, NULL));
	CHECK(decodes("\tFS-1028MFP", 11, NULL));
	CHECK(decodes("FS\0-1028MFP", 11, NULL));
	CHECK(decodes("FS-1028MFP\x7f", 11, NULL));
	CHECK(decodes("FS-1028\xc2\x85MFP", 12, NULL));	/* C1: NEL */
	CHECK(decodes("\x1b[31mFS", 7, NULL));
	/* not UTF-8 */
	CHECK(decodes("Imprimante \xe9", 12, NULL));		/* Latin-1 */
	CHECK(decodes("\xc3\x28", 2, NULL));
	CHECK(decodes("\xed\xa0\x80", 3, NULL));		/* surrogate */
	CHECK(decodes("\xf4\x90\x80\x80", 4, NULL));		/* > U+10FFFF */
	CHECK(decodes("\xe2\x82", 2, NULL));			/* cut short */
	CHECK(decodes("Stra\xc3\x9f" "e 5", 9, "Stra\xc3\x9f" "e 5"));
	/* binary type/length prefixes */
	CHECK(decodes("\x04\x0a" "FS-1028MFP", 12, "FS-1028MFP"));
	CHECK(decodes("\x04\x81\x0a" "FS-1028MFP", 13, "FS-1028MFP"));
	CHECK(decodes("\x00\x0c" "FS-1028MFP", 12, "FS-1028MFP"));	/* BE */
	CHECK(decodes("\x00\x0a" "FS-1028MFP", 12, "FS-1028MFP"));
	CHECK(decodes("\x0c\x00" "FS-1028MFP", 12, "FS-1028MFP"));	/* LE */
	CHECK(decodes("\x0a" "FS-1028MFP", 11, "FS-1028MFP"));
	CHECK(decodes("\x04\x0a" "FS-1028MFP\0", 13, "FS-1028MFP"));
	/* a prefix whose length is wrong is no prefix: refused */
	CHECK(decodes("\x04\x09" "FS-1028MFP", 12, NULL));
	CHECK(decodes("\x00\x30" "FS-1028MFP", 12, NULL));
	CHECK(decodes("\x05" "FS-1028MFP", 11, NULL));
	CHECK(decodes("\x04\x0a" "FS-1028\x01MFP", 13, NULL));
	/* a printable first byte is never a prefix */
	CHECK(decodes("\x0b" "A", 2, NULL));
	CHECK(decodes("A" "\x01", 2, NULL));
	/* over-long: refused whole */
	memset(big, 'A', sizeof(big));
	CHECK(decodes(big, IDENTITY_RAW_MAX, NULL) == 0);
	CHECK(identity_decode((const uint8_t *)big, IDENTITY_RAW_MAX + 1,
	    small, sizeof(small)) == -1);
	CHECK(small[0] == '\0');
	/* what does not fit the destination */
	CHECK(identity_decode((const uint8_t *)"ABCD", 4, small,
	    sizeof(small)) == -1);
	CHECK(small[0] == '\0');
	CHECK(identity_decode((const uint8_t *)"ABC", 3, small,
	    sizeof(small)) == 0);
	CHECK_STR(small, "ABC");
	CHECK(identity_decode((const uint8_t *)"ABC", 3, small, 0) == -1);
}

static int
devid_is(const char *devid, const char *const *keys, const char *want)
{
	char	 out[IDENTITY_TEXT];
	int	 r;

	r = identity_devid_get(devid, keys, out, sizeof(out));
	if (want == NULL)
		return r == -1 && out[0] == '\0';
	return r == 0 && strcmp(out, want) == 0;
}

TEST(devid)
{
	static const char *const mdl[] = { "MDL", "MODEL", NULL };
	static const char *const sn[] = { "SN", "SERN", NULL };
	static char	 many[8192];
	size_t		 i, o = 0;

	CHECK(devid_is("MFG:Brother;CMD:PJL,PCL;MDL:HL-5370DW series;"
	    "CLS:PRINTER;", mdl, "HL-5370DW series"));
	CHECK(devid_is("MFG:Xerox; CMD:PCL, PJL; MDL:AltaLink C8045; CLS:",
	    mdl, "AltaLink C8045"));
	CHECK(devid_is("COMMAND SET:;MODEL:Dell S5830dn", mdl,
	    "Dell S5830dn"));
	CHECK(devid_is("mfg:acme;model: Laser 1 ;", mdl, "Laser 1"));
	CHECK(devid_is("MFG:Acme;SERN:X123;SN:Y456;", sn, "X123"));
	/* malformed */
	CHECK(devid_is("", mdl, NULL));
	CHECK(devid_is(";;;;;", mdl, NULL));
	CHECK(devid_is("MDL", mdl, NULL));
	CHECK(devid_is("MDL;", mdl, NULL));
	CHECK(devid_is("MDL:;", mdl, NULL));
	CHECK(devid_is("MDL:   ;", mdl, NULL));
	CHECK(devid_is(":Laser 1;", mdl, NULL));
	CHECK(devid_is("MDLX:Laser 1;", mdl, NULL));
	CHECK(devid_is("XMDL:Laser 1;", mdl, NULL));
	CHECK(devid_is("MDL:;MODEL:Laser 2", mdl, "Laser 2"));
	CHECK(devid_is("MDL:Laser:3;", mdl, "Laser:3"));
	CHECK(devid_is("MDL:Laser 1", mdl, "Laser 1"));	/* no final ";" */
	CHECK(devid_is(NULL, mdl, NULL));
	/* a value that does not fit is none */
	for (i = 0; i < IDENTITY_TEXT + 10; i++)
		many[i] = 'x';
	memcpy(many, "MDL:", 4);
	many[IDENTITY_TEXT + 10] = '\0';
	CHECK(devid_is(many, mdl, NULL));
	/* at most IDENTITY_DEVID_FIELDS fields are looked at */
	o = 0;
	for (i = 0; i < IDENTITY_DEVID_FIELDS - 1; i++) {
		memcpy(many + o, "X:1;", 4);
		o += 4;
	}
	memcpy(many + o, "MDL:Laser 9;", 13);
	CHECK(devid_is(many, mdl, "Laser 9"));
	memmove(many + 4, many, strlen(many) + 1);
	memcpy(many, "Y:2;", 4);
	CHECK(devid_is(many, mdl, NULL));
}

/* a profile of the test's own, parsed from text */
static int
parse_profile(const char *text, struct profile *p)
{
	return profile_parse("t.profile", text, strlen(text), p);
}

static const char *
model_of(const struct profile *p, const char *descr, const char *hr)
{
	static struct identity	 id;
	struct identity_in	 in;

	memset(&in, 0, sizeof(in));
	in.sysdescr = sval(descr);
	in.hrdescr = sval(hr);
	identity_build(&in, p, &id);
	return id.model.text;
}

TEST(rules)
{
	static struct profile	 p;
	struct identity		 id;
	struct identity_in	 in;

	CHECK(parse_profile("vendor Acme\nmatch descr Acme\n"
	    "brand \"Roadrunner\" descr \"RR\"\n"
	    "descr-model require \"Laser\" after \"Attached to \" "
	    "cut \" Rev.\" cut \" :\"\n"
	    "descr-model unless \"Server\" before \" / \" cut \" #.#\"\n"
	    "descr-model drop-prefix \"Acme Corp \" drop-suffix \"-#dpi\" "
	    "require \"ZT\"\n"
	    "descr-serial after \"S/N \" cut \";\"\n"
	    "model-edit drop-prefix \"ACT \"\n"
	    "model-edit cut \" (#)\"\n"
	    "not-model \"Generic \"\n", &p) == 0);
	CHECK_EQ_INT(p.ndescr_model, 3);
	CHECK_EQ_INT(p.descr_model[0].nop, 4);
	CHECK_EQ_INT(p.descr_model[0].op[0].kind, PROFILE_OP_REQUIRE);
	CHECK_STR(p.descr_model[0].op[1].text, "Attached to ");
	/* after, cut; require */
	CHECK_STR(model_of(&p, "Acme Laser Server: Attached to MC342 "
	    "Rev.02.70 : Copyright", NULL), "MC342");
	CHECK_STR(model_of(&p, "Acme Server: Attached to MC342 Rev.02.70",
	    NULL), "");
	/* before, "#.#", unless; the vendor dropped */
	CHECK_STR(model_of(&p, "ACME MP 3053 1.09 / ACME Network Printer",
	    NULL), "MP 3053");
	CHECK_STR(model_of(&p, "Acme MP 3053 / Acme Network Printer", NULL),
	    "MP 3053");
	CHECK_STR(model_of(&p, "Acme Server 12 / X", NULL), "");
	/* drop-prefix, drop-suffix with "#" */
	CHECK_STR(model_of(&p, "Acme Corp ZT410-203dpi", NULL), "ZT410");
	CHECK_STR(model_of(&p, "Acme Corp ZT410-dpi", NULL), "ZT410-dpi");
	/* model-edit on every source; a failing edit changes nothing */
	CHECK_STR(model_of(&p, NULL, "ACT Laser 5 (2)"), "Laser 5");
	/* not-model, series, brand */
	CHECK_STR(model_of(&p, NULL, "Generic 28C-1"), "");
	CHECK_STR(model_of(&p, NULL, "Acme L-300 Series"), "L-300");
	memset(&in, 0, sizeof(in));
	in.hrdescr = sval("Roadrunner X-9");
	in.sysdescr = sval("Acme Laser");
	identity_build(&in, &p, &id);
	CHECK_STR(id.model.text, "X-9");
	CHECK_STR(id.vendor.text, "Roadrunner");
	CHECK_EQ_INT(id.vendor.src, IDSRC_MODEL_BRAND);
	/* serial out of sysDescr */
	memset(&in, 0, sizeof(in));
	in.sysdescr = sval("Acme 1;S/N ZX81;V2");
	identity_build(&in, &p, &id);
	CHECK_STR(id.serial.text, "ZX81");
	CHECK_EQ_INT(id.serial.src, IDSRC_SYSDESCR);
	CHECK_EQ_INT(id.serial.idx, 0);
	CHECK_STR(id.vendor.text, "Acme");
	CHECK_EQ_INT(id.vendor.src, IDSRC_PROFILE);
	/* a brand named in sysDescr is the vendor */
	in.sysdescr = sval("RR Laser 7 / x");
	identity_build(&in, &p, &id);
	CHECK_STR(id.vendor.text, "Roadrunner");
	CHECK_EQ_INT(id.vendor.src, IDSRC_BRAND);
	CHECK_STR(id.model.text, "Laser 7");

	/* parser errors of the new statements, with their lines */
	CHECK(parse_profile("vendor A\nmatch descr A\ndescr-model\n", &p) ==
	    -1);
	CHECK(parse_profile("vendor A\nmatch descr A\ndescr-model cut\n",
	    &p) == -1);
	CHECK(parse_profile("vendor A\nmatch descr A\ndescr-model cut \"\"\n",
	    &p) == -1);
	CHECK(parse_profile("vendor A\nmatch descr A\n"
	    "descr-model chop \";\"\n", &p) == -1);
	CHECK(parse_profile("vendor A\nmatch descr A\ndescr-model cut a "
	    "cut b cut c cut d cut e cut f cut g\n", &p) == -1);
	CHECK(parse_profile("vendor A\nmatch descr A\ndescr-model cut a "
	    "cut b cut c cut d cut e cut f\n", &p) == 0);
	CHECK(parse_profile("vendor A\nmatch descr A\nnot-model\n", &p) ==
	    -1);
	CHECK(parse_profile("vendor A\nmatch descr A\ndevice-id 1.3.6\n"
	    "device-id x\n", &p) == -1);
	CHECK(parse_profile("vendor A\nmatch descr A\n"
	    "model-edit cut \"a\x01\"\n", &p) == -1);
}

TEST(rule_limits)
{
	static struct profile	 p;
	static char		 text[8192];
	size_t			 o = 0, i;

	FMT(text, sizeof(text), "vendor A\nmatch descr A\n");
	o = strlen(text);
	for (i = 0; i < PROFILE_MAX_RULES; i++) {
		FMT(text + o, sizeof(text) - o, "descr-model cut \"%zu\"\n"
		    "descr-serial cut \"%zu\"\nmodel-edit cut \"%zu\"\n"
		    "not-model \"%zu\"\n", i, i, i, i);
		o += strlen(text + o);
	}
	for (i = 0; i < PROFILE_MAX_IDENT; i++) {
		FMT(text + o, sizeof(text) - o, "device-id 1.3.6.%zu\n", i);
		o += strlen(text + o);
	}
	CHECK(parse_profile(text, &p) == 0);
	CHECK_EQ_INT(p.ndescr_model, PROFILE_MAX_RULES);
	CHECK_EQ_INT(p.ndescr_serial, PROFILE_MAX_RULES);
	CHECK_EQ_INT(p.nmodel_edit, PROFILE_MAX_RULES);
	CHECK_EQ_INT(p.nnot_model, PROFILE_MAX_NOTMODEL);
	CHECK_EQ_INT(p.ndevid, PROFILE_MAX_IDENT);
	FMT(text + o, sizeof(text) - o, "descr-model cut x\n");
	CHECK(parse_profile(text, &p) == -1);
	text[o] = '\0';
	FMT(text + o, sizeof(text) - o, "not-model x\n");
	CHECK(parse_profile(text, &p) == -1);
	text[o] = '\0';
	FMT(text + o, sizeof(text) - o, "device-id 1.3.6.99\n");
	CHECK(parse_profile(text, &p) == -1);
}

/* bad values in identity_build(): never used, never copied */
TEST(bad_input)
{
	static struct profile	 p;
	static uint8_t		 big[IDENTITY_RAW_MAX + 16];
	struct identity_in	 in;
	struct identity		 id;

	CHECK(parse_profile("vendor Acme\nmatch descr Acme\n"
	    "model 1.3.6.1.4.1.99999.1.0\nserial 1.3.6.1.4.1.99999.2.0\n"
	    "firmware 1.3.6.1.4.1.99999.3.0\n"
	    "descr-model cut \";\"\n", &p) == 0);
	/* control characters: the next source is used */
	memset(&in, 0, sizeof(in));
	in.v_model[0] = sval("Laser\n5000");
	in.hrdescr = sval("Acme Laser 5100");
	in.prtserial = sval("AB\x07" "12345");
	in.v_serial[0] = sval("AB12345");
	in.v_firmware[0] = sval("1.0\r");
	identity_build(&in, &p, &id);
	CHECK_STR(id.model.text, "Laser 5100");
	CHECK_EQ_INT(id.model.src, IDSRC_HRDESCR);
	CHECK_STR(id.serial.text, "AB12345");
	CHECK_EQ_INT(id.serial.src, IDSRC_VENDOR_OID);
	CHECK_STR(id.firmware.text, "");
	CHECK_EQ_INT(id.firmware.src, IDSRC_NONE);
	/* a control character in sysDescr: no model from it */
	memset(&in, 0, sizeof(in));
	in.sysdescr = sval("Acme Laser 5100\r\n");
	identity_build(&in, &p, &id);
	CHECK_STR(id.model.text, "");
	CHECK_STR(id.vendor.text, "Acme");
	/* invalid UTF-8 */
	memset(&in, 0, sizeof(in));
	in.v_model[0] = sval("Laser \xff" "5000");
	in.hrdescr = sval("Acme Laser \xc3");
	in.prtserial = sval("\xc0\xaf" "1234");
	identity_build(&in, &p, &id);
	CHECK_STR(id.model.text, "");
	CHECK_STR(id.serial.text, "");
	/* binary-prefixed vendor values */
	memset(&in, 0, sizeof(in));
	in.v_model[0].s = (const uint8_t *)"\x04\x0a" "Laser 5000";
	in.v_model[0].len = 12;
	in.v_serial[0].s = (const uint8_t *)"\x00\x09" "AB1234567\0";
	in.v_serial[0].len = 12;
	identity_build(&in, &p, &id);
	CHECK_STR(id.model.text, "Laser 5000");
	CHECK_STR(id.serial.text, "AB1234567");
	/* over-long values: refused whole, never cut */
	memset(big, 'A', sizeof(big));
	big[1] = '1';
	memset(&in, 0, sizeof(in));
	in.v_model[0].s = big;
	in.v_model[0].len = sizeof(big);
	in.hrdescr.s = big;
	in.hrdescr.len = 80;		/* decodes, but too long for a model */
	in.prtserial.s = big;
	in.prtserial.len = 64;
	in.sysdescr.s = big;
	in.sysdescr.len = sizeof(big);
	identity_build(&in, &p, &id);
	CHECK_STR(id.model.text, "");
	CHECK_STR(id.serial.text, "");
	in.prtserial.len = 63;
	identity_build(&in, &p, &id);
	CHECK_EQ_INT(strlen(id.serial.text), 63);
	/* empty and blank values, placeholders */
	memset(&in, 0, sizeof(in));
	in.v_model[0] = sval("");
	in.hrdescr = sval("   ");
	in.prtserial = sval("unknown");
	in.v_serial[0] = sval("0000000000");
	in.sysdescr = sval("Acme Laser;");
	identity_build(&in, &p, &id);
	CHECK_STR(id.model.text, "");
	CHECK_STR(id.serial.text, "");
	in.v_serial[0] = sval(" -- ");
	identity_build(&in, &p, &id);
	CHECK_STR(id.serial.text, "");
	/* a model has a digit, and names no network card */
	in.hrdescr = sval("Acme Printer");
	identity_build(&in, &p, &id);
	CHECK_STR(id.model.text, "");
	in.hrdescr = sval("Acme 10/100 Ethernet Card");
	identity_build(&in, &p, &id);
	CHECK_STR(id.model.text, "");
	in.hrdescr = sval("Acme NetPrintServer 3");
	identity_build(&in, &p, &id);
	CHECK_STR(id.model.text, "");
	/* malformed device ids */
	memset(&in, 0, sizeof(in));
	in.devid = sval("MDL");
	identity_build(&in, &p, &id);
	CHECK_STR(id.model.text, "");
	in.devid = sval("MFG:Acme;MDL:;SN:;");
	identity_build(&in, &p, &id);
	CHECK_STR(id.model.text, "");
	CHECK_STR(id.serial.text, "");
	in.devid = sval("MFG:Acme;MDL:Laser\t9;");
	identity_build(&in, &p, &id);
	CHECK_STR(id.model.text, "");
	in.devid.s = (const uint8_t *)"\x00\x17" "MFG:Acme;MDL:Laser 9;";
	in.devid.len = 23;
	identity_build(&in, &p, &id);
	CHECK_STR(id.model.text, "Laser 9");
	CHECK_EQ_INT(id.model.src, IDSRC_DEVID);
	/* nothing at all */
	memset(&in, 0, sizeof(in));
	identity_build(&in, NULL, &id);
	CHECK_STR(id.vendor.text, "");
	CHECK_STR(id.model.text, "");
	CHECK_STR(id.serial.text, "");
	CHECK_STR(id.firmware.text, "");
	CHECK_EQ_INT(id.model.src, IDSRC_NONE);
	CHECK_EQ_INT(id.printer, IDP_NOT);
}

TEST(printer_class)
{
	static struct profile	 p;
	struct identity_in	 in;
	struct identity		 id;
	struct snmp_oid		 soid, type;

	CHECK(parse_profile("vendor Acme\nmatch enterprise 99999\n"
	    "match oid 1.3.6.1.4.1.99999.1\n", &p) == 0);
	memset(&in, 0, sizeof(in));
	identity_build(&in, &p, &id);
	CHECK_EQ_INT(id.printer, IDP_NOT);
	/* under the enterprise but not under a match oid: no claim */
	CHECK(snmp_oid_parse("1.3.6.1.4.1.99999.2.1", &soid) == 0);
	in.sysobjectid = &soid;
	identity_build(&in, &p, &id);
	CHECK_EQ_INT(id.printer, IDP_NOT);
	CHECK(snmp_oid_parse("1.3.6.1.4.1.99999.1.7", &soid) == 0);
	identity_build(&in, &p, &id);
	CHECK_EQ_INT(id.printer, IDP_PROFILE);
	identity_build(&in, NULL, &id);
	CHECK_EQ_INT(id.printer, IDP_NOT);
	CHECK(snmp_oid_parse("1.3.6.1.2.1.25.3.1.3", &type) == 0);
	in.hrtype = &type;				/* a processor */
	identity_build(&in, NULL, &id);
	CHECK_EQ_INT(id.printer, IDP_NOT);
	CHECK(snmp_oid_parse("1.3.6.1.2.1.25.3.1.5", &type) == 0);
	identity_build(&in, NULL, &id);
	CHECK_EQ_INT(id.printer, IDP_HRTYPE);
	in.printer_mib = 1;
	identity_build(&in, NULL, &id);
	CHECK_EQ_INT(id.printer, IDP_PRINTER_MIB);
	CHECK_STR(identity_printer_name(IDP_HRTYPE), "hrDeviceType");
	CHECK_STR(identity_src_name(IDSRC_SYSDESCR), "sysDescr");
}

/*
 * Other models than the walks', as their sysDescr and the like look, with
 * the real profiles: the rules are per vendor, never per walk.
 */

struct synth {
	struct dev	 d;
	const char	*profile, *vendor, *model, *serial;
};

static const struct synth synths[] = {
	/* a JetDirect names the card; the printer is in hrDeviceDescr */
	{ { "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM "
	    "JDI23900009,CIDATE 09/11/2015", "1.3.6.1.4.1.11.2.3.9.1", NULL,
	    NULL, NULL, NULL, 0, { { NULL, NULL } } },
	    "hp", "HP", "", "" },
	{ { "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM "
	    "JDI23900009,CIDATE 09/11/2015", "1.3.6.1.4.1.11.2.3.9.1",
	    "HP LaserJet 600 M602", NULL, NULL, "CZC1234567", 1,
	    { { NULL, NULL } } },
	    "hp", "HP", "LaserJet 600 M602", "CZC1234567" },
	{ { "HP ETHERNET MULTI-ENVIRONMENT,SN:CNB9K12345,FN:XX,SVCID:12345,"
	    "PID:HP LaserJet MFP M426fdw", "1.3.6.1.4.1.11.2.3.9.1", NULL,
	    NULL, NULL, NULL, 0, { { NULL, NULL } } },
	    "hp", "HP", "LaserJet MFP M426fdw", "CNB9K12345" },
	{ { "HP LaserJet 4250", "1.3.6.1.4.1.11.2.3.9.1", NULL, NULL, NULL,
	    NULL, 0, { { NULL, NULL } } },
	    "hp", "HP", "LaserJet 4250", "" },
	{ { "Xerox WorkCentre 7855 v1 Multifunction System; System Software "
	    "071.040.004.09100, ESS 071.044.35300.LL, IOT 46.5.0",
	    "1.3.6.1.4.1.253.8.62.1.20.2.1.1.1", NULL, NULL, NULL, NULL, 0,
	    { { NULL, NULL } } },
	    "xerox", "Xerox", "WorkCentre 7855", "" },
	{ { "Xerox VersaLink C405 MFP; SS 66.50.71, NC 66.50.71",
	    "1.3.6.1.4.1.253.8.62.1.29.2.1.1", NULL, NULL, NULL, NULL, 0,
	    { { NULL, NULL } } },
	    "xerox", "Xerox", "VersaLink C405 MFP", "" },
	{ { "KONICA MINOLTA bizhub C458", "1.3.6.1.4.1.18334.1.1.1.2.1.168.2.4",
	    NULL, NULL, NULL, NULL, 0, { { NULL, NULL } } },
	    "konica", "Konica Minolta", "bizhub C458", "" },
	{ { "Develop ineo+ 450i", "1.3.6.1.4.1.18334.1.1.1.2.1.150.2.4",
	    "Generic 45C-9", NULL, NULL, NULL, 0, { { NULL, NULL } } },
	    "konica", "Develop", "ineo+ 450i", "" },
	{ { "Brother NC-8300h, Firmware Ver.1.08  (09.03.26),MID 8C5-E11,"
	    "FID 2", "1.3.6.1.4.1.2435.2.3.9.1", NULL, NULL, NULL, NULL, 0,
	    { { NULL, NULL } } },
	    "brother", "Brother", "", "" },
	{ { "Brother NC-8300h, Firmware Ver.1.08  (09.03.26),MID 8C5-E11,"
	    "FID 2", "1.3.6.1.4.1.2435.2.3.9.1", NULL, NULL,
	    "MFG:Brother;CMD:PJL,PCL,PCLXL;MDL:HL-L8350CDW series;"
	    "CLS:PRINTER;", NULL, 0, { { NULL, NULL } } },
	    "brother", "Brother", "HL-L8350CDW", "" },
	{ { "RICOH IM C3000 1.02 / RICOH Network Printer C model / RICOH "
	    "Network Scanner C model", "1.3.6.1.4.1.367.1.1", NULL, NULL, NULL,
	    NULL, 0, { { NULL, NULL } } },
	    "ricoh", "Ricoh", "IM C3000", "" },
	{ { "LANIER MP C3004 1.02 / LANIER Network Printer C model",
	    "1.3.6.1.4.1.367.1.1", NULL, NULL, NULL, NULL, 0,
	    { { NULL, NULL } } },
	    "ricoh", "Lanier", "MP C3004", "" },
	{ { "RICOH SP C250DN 1.05 / RICOH Network Printer C model",
	    "1.3.6.1.4.1.367.1.1", NULL, NULL, NULL, NULL, 0,
	    { { "1.3.6.1.4.1.367.3.2.1.2.1.4.0", "W123P456789" },
	    { NULL, NULL } } },
	    "ricoh", "Ricoh", "SP C250DN", "W123P456789" },
	{ { "Canon iR-ADV C5535 /P", "1.3.6.1.4.1.1602.4.7", NULL, NULL, NULL,
	    NULL, 0, { { NULL, NULL } } },
	    "canon", "Canon", "iR-ADV C5535", "" },
	{ { "Canon LBP6670 /P", "1.3.6.1.4.1.1602.4.9", NULL, NULL, NULL,
	    NULL, 0, { { NULL, NULL } } },
	    "canon", "Canon", "LBP6670", "" },
	{ { "ZTC ZT410-203dpi ZPL", "1.3.6.1.4.1.10642.1.1", NULL,
	    "1.3.6.1.2.1.25.3.1.5", NULL, NULL, 0,
	    { { "1.3.6.1.4.1.10642.1.9.0", "18J123456789" }, { NULL, NULL } } },
	    "zebra", "Zebra", "ZT410", "18J123456789" },
	{ { "ZebraNet Wired PS ZTC ZD420-300dpi ZPL", "1.3.6.1.4.1.10642.1.1",
	    NULL, NULL, NULL, NULL, 0,
	    { { "1.3.6.1.4.1.10642.1.1.0", "ZTC ZD420-300dpi ZPL" },
	    { NULL, NULL } } },
	    "zebra", "Zebra", "ZD420", "" },
	{ { "OKI OkiLAN 8100e Rev.01.05 10/100BASE Ethernet PrintServer",
	    "1.3.6.1.4.1.2001.1.1.1.1", NULL, NULL, NULL, NULL, 0,
	    { { NULL, NULL } } },
	    "oki", "OKI", "", "" },
	{ { "OKI OkiLAN 8200e Rev.01.10 10/100BASE Ethernet PrintServer: "
	    "Attached to C5650 Rev.N1.04 : Copyright (c)2006 Oki Data "
	    "Corporation.", "1.3.6.1.4.1.2001.1.1.1.1", NULL, NULL, NULL,
	    NULL, 0, { { NULL, NULL } } },
	    "oki", "OKI", "C5650", "" },
	{ { "Lexmark MS610de version MSNGM.052.025 kernel 4.11.12-yocto-"
	    "standard All-N-1", "1.3.6.1.4.1.641.1.5.7.75", NULL, NULL, NULL,
	    NULL, 0, { { NULL, NULL } } },
	    "lexmark", "Lexmark", "MS610de", "" },
	{ { "Lexmark CX725 version CXTPC.052.025 kernel 4.11.12 All-N-1",
	    "1.3.6.1.4.1.641.1.5.7.99",
	    "Lexmark CX725 7528-635 CXTPC.052.025", NULL, NULL, NULL, 1,
	    { { NULL, NULL } } },
	    "lexmark", "Lexmark", "CX725", "" },
	{ { "Dell Color MFP H825cdw; Net 1.2, Controller 201901, Engine 1.0",
	    "1.3.6.1.4.1.674.10898.100.2.1.2.1", NULL, NULL, NULL, NULL, 0,
	    { { NULL, NULL } } },
	    "dell", "Dell", "Color MFP H825cdw", "" },
	{ { "Samsung ProXpress M4020ND; V3.00.01.30 APR-15-2015;Engine "
	    "V1.00.27;NIC V6.01.00;S/N ZDD4B07K123456A",
	    "1.3.6.1.4.1.236.11.5.11.55.1", NULL, NULL, NULL, NULL, 0,
	    { { NULL, NULL } } },
	    "samsung", "Samsung", "ProXpress M4020ND", "ZDD4B07K123456A" },
	{ { "SHARP MX-M365N", "1.3.6.1.4.1.2385.3.1.99", NULL, NULL, NULL,
	    NULL, 0, { { NULL, NULL } } },
	    "sharp", "Sharp", "MX-M365N", "" },
	{ { "TOSHIBA e-STUDIO5015AC", "1.3.6.1.4.1.1129.2.3.99.1", NULL, NULL,
	    NULL, NULL, 0, { { NULL, NULL } } },
	    "toshiba", "Toshiba", "e-STUDIO5015AC", "" },
	{ { "EPSON Built-in", "1.3.6.1.4.1.1248.1.1.2.1.3.5.69.69.80.83.50",
	    NULL, NULL, NULL, NULL, 0, { { NULL, NULL } } },
	    "epson", "Epson", "", "" },
	{ { "EPSON Type-B 10Base-T/100Base-TX Print Server",
	    "1.3.6.1.4.1.1248.1.1.2.1.3.5.69.69.80.83.50", NULL, NULL, NULL,
	    NULL, 0, { { NULL, NULL } } },
	    "epson", "Epson", "", "" },
	{ { "EPSON WF-C5790 Series", "1.3.6.1.4.1.1248.1.1.2.1.3.5.69.69.80.83."
	    "50", NULL, NULL, NULL, NULL, 0, { { NULL, NULL } } },
	    "epson", "Epson", "WF-C5790", "" },
	{ { "KYOCERA Document Solutions Printing System",
	    "1.3.6.1.4.1.1347.41", NULL, NULL, NULL, NULL, 0,
	    { { "1.3.6.1.4.1.1347.43.5.1.1.1.1", "\x04\x0f" "ECOSYS P3055dn" },
	    { NULL, NULL } } },
	    "kyocera", "Kyocera", "", "" },
	{ { "KYOCERA Document Solutions Printing System",
	    "1.3.6.1.4.1.1347.41", NULL, NULL, NULL, NULL, 0,
	    { { "1.3.6.1.4.1.1347.43.5.1.1.1.1", "\x04\x0e" "ECOSYS P3055dn" },
	    { NULL, NULL } } },
	    "kyocera", "Kyocera", "ECOSYS P3055dn", "" },
	{ { "FUJI XEROX DocuCentre-V C2263; ESS 1.2", "1.3.6.1.4.1.297.1.11.93.1.9",
	    NULL, NULL, NULL, NULL, 0, { { NULL, NULL } } },
	    "fujifilm", "Fuji Xerox", "DocuCentre-V C2263", "" },
	/* no profile: a 1284 device id for a sysDescr (Pantum) */
	{ { "MFG:Pantum;CMD:ACL,PJL,PCL;MDL:BM5100ADW series;CID:Pantum "
	    "BM5100ADW series;CLS:PRINTER;", "1.3.6.1.4.1.40093.1.1", NULL,
	    NULL, NULL, NULL, 0, { { NULL, NULL } } },
	    "", "Pantum", "BM5100ADW", "" },
	/* no profile, no printer: nothing from sysDescr */
	{ { "Linux gw 6.1.0-13-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1",
	    "1.3.6.1.4.1.8072.3.2.10", NULL, NULL, NULL, NULL, 0,
	    { { NULL, NULL } } },
	    "", "", "", "" },
};

/* the first case whose sysDescr begins with prefix */
static const struct dev *
synth(const char *prefix)
{
	size_t	 i;

	for (i = 0; i < sizeof(synths) / sizeof(synths[0]); i++)
		if (strncmp(synths[i].d.descr, prefix, strlen(prefix)) == 0)
			return &synths[i].d;
	abort();
}

TEST(other_models)
{
	struct identity	 id;
	const char	*pname;
	size_t		 i;
	int		 bad = 0;

	CHECK(real_ok);
	for (i = 0; i < sizeof(synths) / sizeof(synths[0]); i++) {
		pname = run_dev(&synths[i].d, &id);
		if (strcmp(pname, synths[i].profile) != 0 ||
		    strcmp(id.vendor.text, synths[i].vendor) != 0 ||
		    strcmp(id.model.text, synths[i].model) != 0 ||
		    strcmp(id.serial.text, synths[i].serial) != 0) {
			printf("# \"%.50s\": want %s/%s/%s/%s, got "
			    "%s/%s/%s/%s\n", synths[i].d.descr,
			    synths[i].profile, synths[i].vendor,
			    synths[i].model, synths[i].serial, pname,
			    id.vendor.text, id.model.text, id.serial.text);
			bad++;
		}
	}
	CHECK_EQ_INT(bad, 0);
	/* the Zebra: a printer by its hrDeviceType, not the Printer-MIB */
	run_dev(synth("ZTC ZT410"), &id);
	CHECK_EQ_INT(id.printer, IDP_HRTYPE);
	CHECK_EQ_INT(id.serial.src, IDSRC_VENDOR_OID);
	CHECK_EQ_INT(id.model.src, IDSRC_SYSDESCR);
	run_dev(synth("ZebraNet"), &id);
	CHECK_EQ_INT(id.printer, IDP_PROFILE);
	CHECK_EQ_INT(id.model.src, IDSRC_VENDOR_OID);
	run_dev(synth("Linux"), &id);
	CHECK_EQ_INT(id.printer, IDP_NOT);
	/* the Samsung serial came from sysDescr */
	run_dev(synth("Samsung ProXpress"), &id);
	CHECK_EQ_INT(id.serial.src, IDSRC_SYSDESCR);
	CHECK_EQ_INT(id.model.src, IDSRC_SYSDESCR);
	/* Pantum: from the device id in sysDescr */
	run_dev(synth("MFG:Pantum"), &id);
	CHECK_EQ_INT(id.vendor.src, IDSRC_SYSDESCR_DEVID);
	CHECK_EQ_INT(id.model.src, IDSRC_SYSDESCR_DEVID);
	/* the Brother's model came from the standard device id */
	for (i = 0; i < sizeof(synths) / sizeof(synths[0]); i++)
		if (synths[i].d.devid != NULL &&
		    strncmp(synths[i].d.descr, "Brother", 7) == 0)
			break;
	CHECK(i < sizeof(synths) / sizeof(synths[0]));
	run_dev(&synths[i].d, &id);
	CHECK_STR(id.model.text, "HL-L8350CDW");
	CHECK_EQ_INT(id.model.src, IDSRC_DEVID);
	CHECK(real_profile("zebra") != NULL);
	CHECK(real_profile("zebra")->nmeter >= 1);
}

/*
 * Every walk against the table.
 */

struct row {
	char	*file, *vendor, *model, *serial, *printer, *stub;
	int	 seen;
};

static const char *
dash(const char *s)
{
	return s[0] != '\0' ? s : "-";
}

static struct identity_value
rval(const struct rec *r)
{
	struct identity_value	 v;

	v.s = r != NULL && r->tag == 4 ? r->v : NULL;
	v.len = v.s != NULL ? r->vlen : 0;
	return v;
}

static int
has_under(const struct walk *w, const char *prefix)
{
	return walk_first(w, prefix) != NULL;
}

/* the printer's hrDeviceIndex, as collectd finds it */
static uint32_t
printer_index(const struct walk *w)
{
	const struct rec	*r;
	uint32_t		 i;

	if ((r = walk_first(w, "1.3.6.1.2.1.25.3.5.1.1")) != NULL &&
	    (i = first_index(r, 11)) != 0)
		return i;
	if ((r = walk_first(w, "1.3.6.1.2.1.43.5.1.1.17")) != NULL &&
	    (i = first_index(r, 11)) != 0)
		return i;
	if ((r = walk_first(w, "1.3.6.1.2.1.43.11.1.1")) != NULL &&
	    (i = first_index(r, 11)) != 0)
		return i;
	return 1;
}

/*
 * The identity of the walk; stub: as if it had answered sysDescr and
 * sysObjectID only (half the walks are such stubs: the rules must do
 * with sysDescr alone).
 */
static int
run_walk(const char *path, int stub, struct identity *id,
    const char **pname)
{
	struct walk		 w;
	struct identity_in	 in;
	struct snmp_oid		 soid, hrtype;
	const struct rec	*r;
	const struct profile	*p;
	const char		*v;
	char			 clean[REPORT_STR], oid[64];
	uint32_t		 prt;
	size_t			 i;

	if (walk_read(path, &w) == -1)
		return -1;
	memset(&in, 0, sizeof(in));
	in.sysdescr = rval(walk_get(&w, "1.3.6.1.2.1.1.1.0"));
	soid.len = 0;
	if ((r = walk_get(&w, "1.3.6.1.2.1.1.2.0")) != NULL && r->tag == 6 &&
	    snmp_oid_parse((const char *)r->v, &soid) == -1) {
		printf("# %s: bad sysObjectID\n", path);
		walk_free(&w);
		return -1;
	}
	prt = printer_index(&w);
	FMT(oid, sizeof(oid), "1.3.6.1.2.1.43.5.1.1.17.%u", prt);
	in.prtserial = rval(walk_get(&w, oid));
	FMT(oid, sizeof(oid), "1.3.6.1.2.1.25.3.2.1.3.%u", prt);
	in.hrdescr = rval(walk_get(&w, oid));
	FMT(oid, sizeof(oid), "1.3.6.1.2.1.25.3.2.1.2.%u", prt);
	if ((r = walk_get(&w, oid)) != NULL && r->tag == 6 &&
	    snmp_oid_parse((const char *)r->v, &hrtype) == 0)
		in.hrtype = &hrtype;
	in.devid = rval(walk_first(&w, IDENTITY_OID_PPM_DEVID));
	/* what collectd reads of the Printer-MIB */
	in.printer_mib = has_under(&w, "1.3.6.1.2.1.43.5.1.1.17") ||
	    has_under(&w, "1.3.6.1.2.1.43.10.2.1") ||
	    has_under(&w, "1.3.6.1.2.1.43.11.1.1") ||
	    has_under(&w, "1.3.6.1.2.1.43.12.1.1.4") ||
	    has_under(&w, "1.3.6.1.2.1.43.18.1.1");
	in.sysobjectid = soid.len ? &soid : NULL;
	if (stub) {
		memset(&in, 0, sizeof(in));
		in.sysdescr = rval(walk_get(&w, "1.3.6.1.2.1.1.1.0"));
		in.sysobjectid = soid.len ? &soid : NULL;
	}
	/* as collectd: profile_match() on the cleaned sysDescr */
	clean[0] = '\0';
	if (in.sysdescr.s != NULL)
		report_str_clean(in.sysdescr.s, in.sysdescr.len, clean,
		    sizeof(clean));
	p = profile_match(&real, in.sysobjectid, clean, &v);
	for (i = 0; !stub && p != NULL && i < p->nserial; i++)
		in.v_serial[i] = rval(walk_get_oid(&w, &p->serial[i]));
	for (i = 0; !stub && p != NULL && i < p->nmodel; i++)
		in.v_model[i] = rval(walk_get_oid(&w, &p->model[i]));
	for (i = 0; !stub && p != NULL && i < p->nfirmware; i++)
		in.v_firmware[i] = rval(walk_get_oid(&w, &p->firmware[i]));
	for (i = 0; !stub && p != NULL && i < p->ndevid; i++)
		in.v_devid[i] = rval(walk_get_oid(&w, &p->devid[i]));
	identity_build(&in, p, id);
	*pname = p != NULL ? p->name : "-";
	walk_free(&w);
	return 0;
}

/* the table: file vendor model serial printer stub, "-" for none */
#define NCOLS	6
static int
read_expected(const char *path, struct row *rows, size_t max, size_t *n)
{
	FILE	*fp;
	char	 line[1024], *f[NCOLS], *s;
	size_t	 k;
	int	 lineno = 0;

	*n = 0;
	if ((fp = fopen(path, "r")) == NULL) {
		printf("# %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		s = line;
		for (k = 0; k < NCOLS; k++) {
			f[k] = s;
			if ((s = strchr(s, '\t')) != NULL)
				*s++ = '\0';
			else if (k < NCOLS - 1)
				break;
		}
		if (k < NCOLS || s != NULL || *n == max) {
			printf("# %s:%d: not %d tab-separated fields\n", path,
			    lineno, NCOLS);
			fclose(fp);
			return -1;
		}
		rows[*n].file = strdup(f[0]);
		rows[*n].vendor = strdup(f[1]);
		rows[*n].model = strdup(f[2]);
		rows[*n].serial = strdup(f[3]);
		rows[*n].printer = strdup(f[4]);
		rows[*n].stub = strdup(f[5]);
		rows[*n].seen = 0;
		if (rows[*n].file == NULL || rows[*n].vendor == NULL ||
		    rows[*n].model == NULL || rows[*n].serial == NULL ||
		    rows[*n].printer == NULL || rows[*n].stub == NULL)
			abort();
		(*n)++;
	}
	fclose(fp);
	return 0;
}

static const char *
walks_dir(void)
{
	const char	*e = getenv("WALKS");

	return e != NULL && e[0] != '\0' ? e : "../shared/walks";
}

TEST(real_walks)
{
	static struct row	 rows[WALKS_MAX];
	struct identity		 id, stub;
	DIR			*d;
	struct dirent		*de;
	const char		*dir = walks_dir(), *exp, *pname;
	char			 path[2048];
	size_t			 nrows = 0, i, n;
	int			 nwalks = 0, bad = 0;

	CHECK(real_ok);
	exp = getenv("IDENTITY_EXPECTED");
	if (exp == NULL || exp[0] == '\0')
		exp = EXPECTED;
	CHECK(read_expected(exp, rows, WALKS_MAX, &nrows) == 0);
	CHECK(nrows > 0);
	if ((d = opendir(dir)) == NULL) {
		printf("# walks directory %s: %s\n", dir, strerror(errno));
		CHECK(d != NULL);
	}
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n <= 8 || strcmp(de->d_name + n - 8, ".snmprec") != 0)
			continue;
		nwalks++;
		for (i = 0; i < nrows; i++)
			if (strcmp(rows[i].file, de->d_name) == 0)
				break;
		if (i == nrows) {
			printf("# %s: no row in %s\n", de->d_name, exp);
			bad++;
			continue;
		}
		rows[i].seen = 1;
		FMT(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (run_walk(path, 1, &id, &pname) == -1) {
			bad++;
			continue;
		}
		stub = id;
		if (run_walk(path, 0, &id, &pname) == -1) {
			bad++;
			continue;
		}
		printf("# %s\t%s\t%s\t%s\t%s\t%s\t(%s; model %s, serial "
		    "%s)\n", de->d_name, dash(id.vendor.text),
		    dash(id.model.text), dash(id.serial.text),
		    identity_printer_name(id.printer), dash(stub.model.text),
		    pname, identity_src_name(id.model.src),
		    identity_src_name(id.serial.src));
		if (strcmp(dash(id.vendor.text), rows[i].vendor) != 0 ||
		    strcmp(dash(id.model.text), rows[i].model) != 0 ||
		    strcmp(dash(id.serial.text), rows[i].serial) != 0 ||
		    strcmp(identity_printer_name(id.printer),
		    rows[i].printer) != 0 ||
		    strcmp(dash(stub.model.text), rows[i].stub) != 0) {
			printf("# %s: want %s | %s | %s | %s | %s\n",
			    de->d_name, rows[i].vendor, rows[i].model,
			    rows[i].serial, rows[i].printer, rows[i].stub);
			bad++;
		}
	}
	closedir(d);
	for (i = 0; i < nrows; i++)
		if (!rows[i].seen) {
			printf("# %s: in %s, not in %s\n", rows[i].file, exp,
			    dir);
			bad++;
		}
	for (i = 0; i < nrows; i++) {
		free(rows[i].file);
		free(rows[i].vendor);
		free(rows[i].model);
		free(rows[i].serial);
		free(rows[i].printer);
		free(rows[i].stub);
	}
	CHECK(nwalks > 0);
	CHECK_EQ_INT(bad, 0);
}

TEST_MAIN_BEGIN("test_identity")
	log_init("test_identity", LOG_TO_STDERR, 0);
	real_ok = load_real() == 0;
	if (!real_ok)
		printf("# " REAL_DIR " did not load\n");
	RUN(decode);
	RUN(devid);
	RUN(rules);
	RUN(rule_limits);
	RUN(bad_input);
	RUN(printer_class);
	RUN(other_models);
	RUN(real_walks);
	profile_set_free(&real);
TEST_MAIN_END
