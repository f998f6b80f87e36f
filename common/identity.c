/*
 * A device's identity from raw SNMP values and its vendor profile: see
 * identity.h for the order of trust and the rules.
 *
 * Everything works on bounded NUL-terminated copies (struct text, at
 * most IDENTITY_RAW_MAX bytes); every loop is bounded by a length, a
 * fixed count of candidates or a profile limit.  The profile's text
 * rules are matched without backtracking: a "#" in a rule text takes
 * the whole run of digits, so a match at one position costs at most the
 * length of the rule text, and a search at most that times the length
 * of the value.
 */
#include <stdio.h>
#include <string.h>

#include "identity.h"

/* a working copy of one value */
struct text {
	size_t	 len;
	char	 s[IDENTITY_RAW_MAX + 1];
};

/* a model candidate and what cleaning it found */
struct mcand {
	enum identity_src src;
	int		 idx;
	int		 ok;
	int		 family;	/* was "... series" */
	int		 brand;		/* profile brand it began with, or -1 */
	char		 text[IDENTITY_TEXT];
};

/* sources 1-4 of identity.h: model OIDs, hrDeviceDescr, device ids,
 * sysDescr rules */
#define MCAND_MAX	(2 * PROFILE_MAX_IDENT + 3 + PROFILE_MAX_RULES)

static const char *const model_keys[] = { "MDL", "MODEL", NULL };
static const char *const mfg_keys[] = { "MFG", "MANUFACTURER", NULL };
static const char *const serial_keys[] = { "SN", "SERN", "SERIALNUMBER",
	NULL };
static const char *const devid_keys[] = { "MFG", "MANUFACTURER", "CMD",
	"COMMAND SET", NULL };
/* words of network cards and print servers, never in a model */
static const char *const nic_words[] = { "print server", "printserver",
	"ethernet", "jetdirect", "firmware", "kernel", NULL };
/* serial numbers that say there is none */
static const char *const no_serial[] = { "unknown", "none", "n/a", "na",
	"null", "not available", "not set", "default", "serial number",
	NULL };

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* length of the UTF-8 sequence at s (n bytes left), 0 if invalid */
static size_t
utf8_seq(const uint8_t *s, size_t n)
{
	uint8_t	 c = s[0], lo = 0x80, hi = 0xbf;
	size_t	 len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;		/* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;		/* nothing above U+10FFFF */
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

/* UTF-8 without C0, DEL or C1 control characters (NUL included) */
static int
text_ok(const uint8_t *s, size_t n)
{
	size_t	 i, seq;

	for (i = 0; i < n; i += seq) {
		/* printable ASCII, the most of every value: no decoding */
		if (s[i] >= 0x20 && s[i] < 0x7f) {
			seq = 1;
			continue;
		}
		if ((seq = utf8_seq(s + i, n - i)) == 0)
			return 0;
		if (seq == 1 && (s[i] < 0x20 || s[i] == 0x7f))
			return 0;
		if (seq == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0)
			return 0;
	}
	return 1;
}

static int
len_is(size_t l, size_t k, size_t n, size_t n0)
{
	return (n >= k && l == n - k) || (n0 >= k && l == n0 - k);
}

/*
 * The length of a binary prefix some agents put before the text: a type
 * byte and a length (BER short or 0x81 long form), an IEEE 1284 style
 * 2-byte length (big or little endian, counting itself or not) or a
 * 1-byte length.  n is the length without trailing NULs, n0 with them;
 * a length must match one of them exactly and the prefix must hold a
 * control byte, so that no text is ever taken for a prefix.  0: none.
 */
static size_t
prefix_len(const uint8_t *s, size_t n, size_t n0)
{
	size_t	 be, le;

	if (n < 2)
		return 0;
	if (n >= 3 && s[0] < 0x20 && s[1] == 0x81 && len_is(s[2], 3, n, n0))
		return 3;
	if (s[0] < 0x20 && len_is(s[1], 2, n, n0))
		return 2;
	be = (size_t)s[0] << 8 | s[1];
	le = (size_t)s[1] << 8 | s[0];
	if ((s[0] < 0x20 || s[1] < 0x20) &&
	    (len_is(be, 0, n, n0) || len_is(be, 2, n, n0) ||
	    len_is(le, 0, n, n0) || len_is(le, 2, n, n0)))
		return 2;
	if (s[0] < 0x20 && len_is(s[0], 1, n, n0))
		return 1;
	return 0;
}

int
identity_decode(const uint8_t *s, size_t n0, char *dst, size_t dstsz)
{
	size_t	 n = n0, k, i, o = 0;
	int	 blank = 0;

	if (dstsz == 0)
		return -1;
	dst[0] = '\0';
	if (s == NULL || n0 > IDENTITY_RAW_MAX)
		return -1;
	while (n > 0 && s[n - 1] == '\0')
		n--;
	if ((k = prefix_len(s, n, n0)) > 0) {
		s += k;
		n -= k;
	}
	if (!text_ok(s, n))
		return -1;
	/* blanks: none at either end, runs made one */
	for (i = 0; i < n; i++) {
		if (s[i] == ' ') {
			blank = o > 0;
			continue;
		}
		if (o + (size_t)blank + 1 >= dstsz) {
			dst[0] = '\0';
			return -1;
		}
		if (blank)
			dst[o++] = ' ';
		blank = 0;
		dst[o++] = (char)s[i];
	}
	dst[o] = '\0';
	return o > 0 ? 0 : -1;
}

/*
 * IEEE 1284 device ids.
 */

static int
key_is(const char *k, size_t klen, const char *want)
{
	size_t	 i;

	if (strlen(want) != klen)
		return 0;
	for (i = 0; i < klen; i++)
		if (lower((unsigned char)k[i]) != lower((unsigned char)want[i]))
			return 0;
	return 1;
}

static void
trim_range(const char **a, const char **b)
{
	while (*a < *b && **a == ' ')
		(*a)++;
	while (*b > *a && (*b)[-1] == ' ')
		(*b)--;
}

int
identity_devid_get(const char *devid, const char *const *keys, char *dst,
    size_t dstsz)
{
	const char	*p = devid, *end, *colon, *k, *ke, *v, *ve;
	size_t		 i, field;

	if (dstsz == 0)
		return -1;
	dst[0] = '\0';
	if (devid == NULL)
		return -1;
	for (field = 0; *p != '\0' && field < IDENTITY_DEVID_FIELDS; field++) {
		if ((end = strchr(p, ';')) == NULL)
			end = p + strlen(p);
		colon = memchr(p, ':', (size_t)(end - p));
		if (colon != NULL) {
			k = p;
			ke = colon;
			v = colon + 1;
			ve = end;
			trim_range(&k, &ke);
			trim_range(&v, &ve);
			for (i = 0; keys[i] != NULL; i++)
				if (key_is(k, (size_t)(ke - k), keys[i]))
					break;
			if (keys[i] != NULL && ve > v &&
			    (size_t)(ve - v) < dstsz) {
				memcpy(dst, v, (size_t)(ve - v));
				dst[ve - v] = '\0';
				return 0;
			}
		}
		p = *end != '\0' ? end + 1 : end;
	}
	return -1;
}

/* is this text (sysDescr) an IEEE 1284 device id? */
static int
is_devid(const char *s)
{
	char	 buf[IDENTITY_TEXT];

	return strchr(s, ';') != NULL &&
	    identity_devid_get(s, model_keys, buf, sizeof(buf)) == 0 &&
	    identity_devid_get(s, devid_keys, buf, sizeof(buf)) == 0;
}

/*
 * Rule texts: ASCII letters in any case, "#" a run of digits.
 */

/* the length of the match of pat at s, or -1 */
static long
pat_at(const char *s, const char *pat)
{
	const char	*q = s;

	for (; *pat != '\0'; pat++) {
		if (*pat == '#') {
			if (!is_digit((unsigned char)*q))
				return -1;
			while (is_digit((unsigned char)*q))
				q++;
			continue;
		}
		if (*q == '\0' ||
		    lower((unsigned char)*q) != lower((unsigned char)*pat))
			return -1;
		q++;
	}
	return (long)(q - s);
}

/* where pat first matches in t (and *mlen), or -1 */
static long
pat_find(const struct text *t, const char *pat, size_t *mlen)
{
	size_t	 i;
	long	 r;

	for (i = 0; i < t->len; i++)
		if ((r = pat_at(t->s + i, pat)) >= 0) {
			*mlen = (size_t)r;
			return (long)i;
		}
	return -1;
}

static void
text_set(struct text *t, const char *s)
{
	size_t	 n = strlen(s);

	if (n > IDENTITY_RAW_MAX)
		n = IDENTITY_RAW_MAX;		/* cannot happen: decoded */
	memcpy(t->s, s, n);
	t->s[n] = '\0';
	t->len = n;
}

static void
text_trim(struct text *t)
{
	size_t	 a = 0;

	while (t->len > 0 && t->s[t->len - 1] == ' ')
		t->len--;
	while (a < t->len && t->s[a] == ' ')
		a++;
	memmove(t->s, t->s + a, t->len - a);
	t->len -= a;
	t->s[t->len] = '\0';
}

/* keep [a, b) of t, trimmed */
static void
text_keep(struct text *t, size_t a, size_t b)
{
	if (b > t->len)
		b = t->len;
	if (a > b)
		a = b;
	memmove(t->s, t->s + a, b - a);
	t->len = b - a;
	t->s[t->len] = '\0';
	text_trim(t);
}

static int
apply_op(struct text *t, const struct profile_op *op)
{
	size_t	 mlen = 0, i;
	long	 at, r;

	switch (op->kind) {
	case PROFILE_OP_AFTER:
		if ((at = pat_find(t, op->text, &mlen)) < 0)
			return -1;
		text_keep(t, (size_t)at + mlen, t->len);
		break;
	case PROFILE_OP_BEFORE:
		if ((at = pat_find(t, op->text, &mlen)) < 0)
			return -1;
		text_keep(t, 0, (size_t)at);
		break;
	case PROFILE_OP_CUT:
		if ((at = pat_find(t, op->text, &mlen)) >= 0)
			text_keep(t, 0, (size_t)at);
		break;
	case PROFILE_OP_DROP_PREFIX:
		if ((r = pat_at(t->s, op->text)) >= 0)
			text_keep(t, (size_t)r, t->len);
		break;
	case PROFILE_OP_DROP_SUFFIX:
		for (i = 0; i < t->len; i++)
			if ((r = pat_at(t->s + i, op->text)) >= 0 &&
			    (size_t)r == t->len - i) {
				text_keep(t, 0, i);
				break;
			}
		break;
	case PROFILE_OP_UNLESS:
		if (pat_find(t, op->text, &mlen) >= 0)
			return -1;
		break;
	case PROFILE_OP_REQUIRE:
		if (pat_find(t, op->text, &mlen) < 0)
			return -1;
		break;
	default:
		return -1;			/* the parser allows no other */
	}
	return 0;
}

/* every operation of the rule in turn; -1 when one fails */
static int
apply_rule(struct text *t, const struct profile_rule *rule)
{
	size_t	 i;

	for (i = 0; i < rule->nop && i < PROFILE_MAX_OPS; i++)
		if (apply_op(t, &rule->op[i]) == -1)
			return -1;
	return 0;
}

/*
 * Cleaning a model.
 */

/* does t begin with name (any case) followed by a blank or its end? */
static size_t
begins_with_word(const struct text *t, const char *name)
{
	size_t	 n = strlen(name), i;

	while (n > 0 && name[n - 1] == ' ')
		n--;
	if (n == 0 || n > t->len)
		return 0;
	for (i = 0; i < n; i++)
		if (lower((unsigned char)t->s[i]) !=
		    lower((unsigned char)name[i]))
			return 0;
	if (t->s[n] != '\0' && t->s[n] != ' ')
		return 0;
	return n;
}

/* the index of the profile's brand t begins with, or -1 */
static int
brand_prefix(const struct text *t, const struct profile *p)
{
	size_t	 i;

	for (i = 0; p != NULL && i < p->nbrand && i < PROFILE_MAX_BRANDS;
	    i++)
		if (begins_with_word(t, p->brand[i].name) ||
		    begins_with_word(t, p->brand[i].descr))
			return (int)i;
	return -1;
}

/* drop leading vendor and brand names, as many as there are */
static void
drop_names(struct text *t, const struct profile *p, const char *vendor)
{
	size_t	 n, i, round;
	int	 again = 1;

	for (round = 0; again && round < 4; round++) {
		again = 0;
		if (vendor != NULL && (n = begins_with_word(t, vendor)) > 0) {
			text_keep(t, n, t->len);
			again = 1;
			continue;
		}
		if (p == NULL)
			continue;
		if ((n = begins_with_word(t, p->vendor)) > 0) {
			text_keep(t, n, t->len);
			again = 1;
			continue;
		}
		for (i = 0; i < p->nbrand && i < PROFILE_MAX_BRANDS; i++)
			if ((n = begins_with_word(t, p->brand[i].name)) > 0 ||
			    (n = begins_with_word(t, p->brand[i].descr)) > 0) {
				text_keep(t, n, t->len);
				again = 1;
				break;
			}
	}
}

/* a word that is the serial number, or its part before a separator */
static int
word_is_serial(const char *w, size_t wl, const char *serial)
{
	size_t	 i;

	if (serial == NULL || wl < 4 || strlen(serial) < wl)
		return 0;
	for (i = 0; i < wl; i++)
		if (lower((unsigned char)w[i]) !=
		    lower((unsigned char)serial[i]))
			return 0;
	return !is_alnum((unsigned char)serial[wl]);
}

/* a firmware code: two dots or more and a digit ("LW62.DN4.P636") */
static int
word_is_fwcode(const char *w, size_t wl)
{
	size_t	 i, dots = 0, digits = 0;

	for (i = 0; i < wl; i++) {
		if (w[i] == '.')
			dots++;
		else if (is_digit((unsigned char)w[i]))
			digits++;
	}
	return dots >= 2 && digits > 0;
}

/* cut t before the first word that is the serial or a firmware code */
static void
cut_words(struct text *t, const char *serial)
{
	size_t	 a = 0, b;

	while (a < t->len) {
		for (b = a; b < t->len && t->s[b] != ' '; b++)
			;
		if (word_is_serial(t->s + a, b - a, serial) ||
		    word_is_fwcode(t->s + a, b - a)) {
			text_keep(t, 0, a);
			return;
		}
		a = b + 1;
	}
}

static int
ends_with_ci(const struct text *t, const char *suffix)
{
	size_t	 n = strlen(suffix), i;

	if (n > t->len)
		return 0;
	for (i = 0; i < n; i++)
		if (lower((unsigned char)t->s[t->len - n + i]) !=
		    lower((unsigned char)suffix[i]))
			return 0;
	return 1;
}

static int
has_digit(const char *s)
{
	for (; *s != '\0'; s++)
		if (is_digit((unsigned char)*s))
			return 1;
	return 0;
}

/* does t contain word, in any case of the ASCII letters? */
static int
contains_ci(const struct text *t, const char *word)
{
	size_t	 n = strlen(word), i, k;

	for (i = 0; i + n <= t->len; i++) {
		for (k = 0; k < n; k++)
			if (lower((unsigned char)t->s[i + k]) !=
			    lower((unsigned char)word[k]))
				break;
		if (k == n)
			return 1;
	}
	return 0;
}

static int
not_model(const struct text *t, const struct profile *p)
{
	size_t	 i, n, k;

	for (i = 0; nic_words[i] != NULL; i++)
		if (contains_ci(t, nic_words[i]))
			return 1;

	for (i = 0; p != NULL && i < p->nnot_model &&
	    i < PROFILE_MAX_NOTMODEL; i++) {
		n = strlen(p->not_model[i]);
		if (n > t->len)
			continue;
		for (k = 0; k < n; k++)
			if (lower((unsigned char)t->s[k]) !=
			    lower((unsigned char)p->not_model[i][k]))
				break;
		if (k == n)
			return 1;
	}
	return 0;
}

/* the model in text s, cleaned into c; c->ok says if it is one */
static void
model_clean(const char *s, const struct profile *p, const char *vendor,
    const char *serial, struct mcand *c)
{
	struct text	 t, save;
	size_t		 i;

	c->ok = c->family = 0;
	c->brand = -1;
	c->text[0] = '\0';
	text_set(&t, s);
	for (i = 0; p != NULL && i < p->nmodel_edit &&
	    i < PROFILE_MAX_RULES; i++) {
		text_set(&save, t.s);
		if (apply_rule(&t, &p->model_edit[i]) == -1)
			text_set(&t, save.s);	/* a failed edit changes nothing */
	}
	cut_words(&t, serial);
	while (t.len > 0 && strchr(",;:", t.s[t.len - 1]) != NULL)
		text_keep(&t, 0, t.len - 1);
	c->brand = brand_prefix(&t, p);
	drop_names(&t, p, vendor);
	if (t.len > 7 && ends_with_ci(&t, " series")) {
		text_keep(&t, 0, t.len - 7);
		c->family = 1;
	}
	if (t.len == 0 || t.len >= sizeof(c->text) || !has_digit(t.s) ||
	    not_model(&t, p))
		return;
	memcpy(c->text, t.s, t.len + 1);
	c->ok = 1;
}

/* "M408x" is a family: "M4080FX" is one of it */
static int
refines(const struct mcand *family, const struct mcand *c)
{
	size_t	 n = strlen(family->text), i;

	/* "M408x": the x stands for a digit or more */
	while (n > 1 && lower((unsigned char)family->text[n - 1]) == 'x' &&
	    (is_digit((unsigned char)family->text[n - 2]) ||
	    lower((unsigned char)family->text[n - 2]) == 'x'))
		n--;
	if (strlen(c->text) <= n)
		return 0;
	for (i = 0; i < n; i++)
		if (lower((unsigned char)c->text[i]) !=
		    lower((unsigned char)family->text[i]))
			return 0;
	return 1;
}

/*
 * Serial numbers.
 */

static int
ci_equal(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (lower((unsigned char)*a) != lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

static int
serial_ok(const char *s)
{
	size_t	 i, alnum = 0, zeros = 0;

	if (s[0] == '\0' || strlen(s) >= IDENTITY_TEXT)
		return 0;
	for (i = 0; no_serial[i] != NULL; i++)
		if (ci_equal(s, no_serial[i]))
			return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (is_alnum((unsigned char)s[i])) {
			alnum++;
			if (s[i] == '0')
				zeros++;
		}
	return alnum > 0 && zeros < alnum;
}

/*
 * Putting it together.
 */

/* the decoded values identity_build() looks at */
struct decoded {
	int	 descr_ok, devid_ok, descr_devid;
	int	 vdevid_ok[PROFILE_MAX_IDENT];
	char	 descr[IDENTITY_RAW_MAX + 1];
	char	 devid[IDENTITY_RAW_MAX + 1];
	char	 vdevid[PROFILE_MAX_IDENT][IDENTITY_RAW_MAX + 1];
	char	 buf[IDENTITY_RAW_MAX + 1];
};

static int
decode_value(const struct identity_value *v, char *dst, size_t dstsz)
{
	if (v->s == NULL)
		return -1;
	return identity_decode(v->s, v->len, dst, dstsz);
}

static void
field_set(struct identity_field *f, const char *text, enum identity_src src,
    int idx)
{
	(void)strlcpy(f->text, text, sizeof(f->text));
	f->src = src;
	f->idx = idx;
}

static void
field_clear(struct identity_field *f)
{
	f->text[0] = '\0';
	f->src = IDSRC_NONE;
	f->idx = -1;
}

/* does the raw sysDescr contain needle, in any case of ASCII letters? */
static int
raw_contains(const struct identity_value *v, const char *needle)
{
	size_t	 n = strlen(needle), i, k, len;

	if (v->s == NULL || n == 0)
		return 0;
	len = v->len < IDENTITY_RAW_MAX ? v->len : IDENTITY_RAW_MAX;
	for (i = 0; i + n <= len; i++) {
		for (k = 0; k < n; k++)
			if (lower(v->s[i + k]) != lower((unsigned char)needle[k]))
				break;
		if (k == n)
			return 1;
	}
	return 0;
}

static void
build_vendor(const struct identity_in *in, const struct profile *p,
    const struct decoded *d, struct identity *id)
{
	char	 mfg[IDENTITY_TEXT];
	size_t	 i;

	field_clear(&id->vendor);
	if (p != NULL) {
		/* as profile_match(): the first brand named in sysDescr */
		for (i = 0; i < p->nbrand && i < PROFILE_MAX_BRANDS; i++)
			if (raw_contains(&in->sysdescr, p->brand[i].descr)) {
				field_set(&id->vendor, p->brand[i].name,
				    IDSRC_BRAND, (int)i);
				return;
			}
		field_set(&id->vendor, p->vendor, IDSRC_PROFILE, -1);
		return;
	}
	if (d->devid_ok &&
	    identity_devid_get(d->devid, mfg_keys, mfg, sizeof(mfg)) == 0)
		field_set(&id->vendor, mfg, IDSRC_DEVID, -1);
	else if (d->descr_devid &&
	    identity_devid_get(d->descr, mfg_keys, mfg, sizeof(mfg)) == 0)
		field_set(&id->vendor, mfg, IDSRC_SYSDESCR_DEVID, -1);
}

static void
build_serial(const struct identity_in *in, const struct profile *p,
    struct decoded *d, struct identity *id)
{
	struct text	 t;
	size_t		 i;

	field_clear(&id->serial);
	if (decode_value(&in->prtserial, d->buf, sizeof(d->buf)) == 0 &&
	    serial_ok(d->buf)) {
		field_set(&id->serial, d->buf, IDSRC_PRTSERIAL, -1);
		return;
	}
	for (i = 0; p != NULL && i < p->nserial && i < PROFILE_MAX_IDENT; i++)
		if (decode_value(&in->v_serial[i], d->buf,
		    sizeof(d->buf)) == 0 && serial_ok(d->buf)) {
			field_set(&id->serial, d->buf, IDSRC_VENDOR_OID,
			    (int)i);
			return;
		}
	for (i = 0; p != NULL && d->descr_ok && i < p->ndescr_serial &&
	    i < PROFILE_MAX_RULES; i++) {
		text_set(&t, d->descr);
		if (apply_rule(&t, &p->descr_serial[i]) == 0 &&
		    serial_ok(t.s)) {
			field_set(&id->serial, t.s, IDSRC_SYSDESCR, (int)i);
			return;
		}
	}
	if (d->devid_ok && identity_devid_get(d->devid, serial_keys, d->buf,
	    IDENTITY_TEXT) == 0 && serial_ok(d->buf)) {
		field_set(&id->serial, d->buf, IDSRC_DEVID, -1);
		return;
	}
	for (i = 0; p != NULL && i < p->ndevid && i < PROFILE_MAX_IDENT; i++)
		if (d->vdevid_ok[i] && identity_devid_get(d->vdevid[i],
		    serial_keys, d->buf, IDENTITY_TEXT) == 0 &&
		    serial_ok(d->buf)) {
			field_set(&id->serial, d->buf, IDSRC_VENDOR_DEVID,
			    (int)i);
			return;
		}
	if (d->descr_devid && identity_devid_get(d->descr, serial_keys,
	    d->buf, IDENTITY_TEXT) == 0 && serial_ok(d->buf))
		field_set(&id->serial, d->buf, IDSRC_SYSDESCR_DEVID, -1);
}

/* a candidate from text s, if s is one */
static void
add_cand(struct mcand *c, size_t *n, const char *s, enum identity_src src,
    int idx, const struct profile *p, const char *vendor, const char *serial)
{
	if (*n >= MCAND_MAX)
		return;
	model_clean(s, p, vendor, serial, &c[*n]);
	c[*n].src = src;
	c[*n].idx = idx;
	if (c[*n].ok)
		(*n)++;
}

/* the MDL of a device id, as a candidate */
static void
add_devid_cand(struct mcand *c, size_t *n, const char *devid,
    enum identity_src src, int idx, const struct profile *p,
    const char *vendor, const char *serial)
{
	char	 mdl[IDENTITY_TEXT];

	if (identity_devid_get(devid, model_keys, mdl, sizeof(mdl)) == 0)
		add_cand(c, n, mdl, src, idx, p, vendor, serial);
}

static void
build_model(const struct identity_in *in, const struct profile *p,
    struct decoded *d, struct identity *id)
{
	struct mcand	 c[MCAND_MAX];
	struct text	 t;
	const char	*vendor = id->vendor.text[0] ? id->vendor.text : NULL;
	const char	*serial = id->serial.text[0] ? id->serial.text : NULL;
	size_t		 n = 0, i, best;

	field_clear(&id->model);
	for (i = 0; p != NULL && i < p->nmodel && i < PROFILE_MAX_IDENT; i++)
		if (decode_value(&in->v_model[i], d->buf, sizeof(d->buf)) == 0)
			add_cand(c, &n, d->buf, IDSRC_VENDOR_OID, (int)i, p,
			    vendor, serial);
	if (decode_value(&in->hrdescr, d->buf, sizeof(d->buf)) == 0)
		add_cand(c, &n, d->buf, IDSRC_HRDESCR, -1, p, vendor, serial);
	if (d->devid_ok)
		add_devid_cand(c, &n, d->devid, IDSRC_DEVID, -1, p, vendor,
		    serial);
	for (i = 0; p != NULL && i < p->ndevid && i < PROFILE_MAX_IDENT; i++)
		if (d->vdevid_ok[i])
			add_devid_cand(c, &n, d->vdevid[i], IDSRC_VENDOR_DEVID,
			    (int)i, p, vendor, serial);
	if (d->descr_devid)
		add_devid_cand(c, &n, d->descr, IDSRC_SYSDESCR_DEVID, -1, p,
		    vendor, serial);
	for (i = 0; p != NULL && d->descr_ok && i < p->ndescr_model &&
	    i < PROFILE_MAX_RULES; i++) {
		text_set(&t, d->descr);
		if (apply_rule(&t, &p->descr_model[i]) == 0)
			add_cand(c, &n, t.s, IDSRC_SYSDESCR, (int)i, p,
			    vendor, serial);
	}
	if (n == 0)
		return;
	best = 0;
	if (c[0].family)
		for (i = 1; i < n; i++)
			if (!c[i].family && refines(&c[0], &c[i])) {
				best = i;
				break;
			}
	field_set(&id->model, c[best].text, c[best].src, c[best].idx);
	/* a model sold under one of the vendor's brands: that brand */
	if (p != NULL && c[best].brand >= 0 &&
	    (size_t)c[best].brand < p->nbrand &&
	    strcmp(id->vendor.text, p->brand[c[best].brand].name) != 0)
		field_set(&id->vendor, p->brand[c[best].brand].name,
		    IDSRC_MODEL_BRAND, c[best].brand);
}

static void
build_firmware(const struct identity_in *in, const struct profile *p,
    struct decoded *d, struct identity *id)
{
	size_t	 i;

	field_clear(&id->firmware);
	for (i = 0; p != NULL && i < p->nfirmware && i < PROFILE_MAX_IDENT;
	    i++)
		if (decode_value(&in->v_firmware[i], d->buf,
		    sizeof(d->buf)) == 0 && strlen(d->buf) < IDENTITY_TEXT) {
			field_set(&id->firmware, d->buf, IDSRC_VENDOR_OID,
			    (int)i);
			return;
		}
}

enum identity_printer
identity_printer(const struct identity_in *in, const struct profile *p)
{
	struct snmp_oid	 prt;
	size_t		 i;

	if (in->printer_mib)
		return IDP_PRINTER_MIB;
	if (in->hrtype != NULL &&
	    snmp_oid_parse(IDENTITY_OID_HRPRINTER, &prt) == 0 &&
	    snmp_oid_cmp(in->hrtype, &prt) == 0)
		return IDP_HRTYPE;
	if (p != NULL && in->sysobjectid != NULL && in->sysobjectid->len > 0)
		for (i = 0; i < p->noid && i < PROFILE_MAX_MATCH; i++)
			if (snmp_oid_is_prefix(&p->oid[i], in->sysobjectid))
				return IDP_PROFILE;
	return IDP_NOT;
}

void
identity_build(const struct identity_in *in, const struct profile *p,
    struct identity *id)
{
	struct decoded	 d;
	size_t		 i;

	memset(id, 0, sizeof(*id));
	d.descr_ok = decode_value(&in->sysdescr, d.descr,
	    sizeof(d.descr)) == 0;
	d.devid_ok = decode_value(&in->devid, d.devid, sizeof(d.devid)) == 0;
	d.descr_devid = d.descr_ok && is_devid(d.descr);
	for (i = 0; i < PROFILE_MAX_IDENT; i++)
		d.vdevid_ok[i] = p != NULL && i < p->ndevid &&
		    decode_value(&in->v_devid[i], d.vdevid[i],
		    sizeof(d.vdevid[i])) == 0;

	build_vendor(in, p, &d, id);
	build_serial(in, p, &d, id);
	build_model(in, p, &d, id);
	build_firmware(in, p, &d, id);
	id->printer = identity_printer(in, p);
}

const char *
identity_src_name(enum identity_src src)
{
	switch (src) {
	case IDSRC_NONE:
		return "none";
	case IDSRC_PROFILE:
		return "profile";
	case IDSRC_BRAND:
		return "brand";
	case IDSRC_MODEL_BRAND:
		return "model-brand";
	case IDSRC_PRTSERIAL:
		return "prtGeneralSerialNumber";
	case IDSRC_VENDOR_OID:
		return "vendor-oid";
	case IDSRC_HRDESCR:
		return "hrDeviceDescr";
	case IDSRC_DEVID:
		return "ppmPrinterIEEE1284DeviceId";
	case IDSRC_VENDOR_DEVID:
		return "vendor-device-id";
	case IDSRC_SYSDESCR_DEVID:
		return "sysDescr-device-id";
	case IDSRC_SYSDESCR:
		return "sysDescr";
	}
	return "unknown";
}

const char *
identity_printer_name(enum identity_printer why)
{
	switch (why) {
	case IDP_NOT:
		return "not-a-printer";
	case IDP_PRINTER_MIB:
		return "printer-mib";
	case IDP_HRTYPE:
		return "hrDeviceType";
	case IDP_PROFILE:
		return "profile";
	}
	return "unknown";
}
