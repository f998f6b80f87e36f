/*
 * The message of an instruction bundle: see bundle.h and
 * callhome-instructions(5).
 *
 * One pass over the whole message checks the bytes (printable ASCII and
 * LF only, the last byte an LF); then each line is read in turn, the
 * five headers in their order first, then the instructions.  The first
 * line at fault ends the parse.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bundle.h"
#include "chan/pkg.h"

#define MAX_WORDS	8	/* package has 6; more is never valid */

static const char *const header_names[] = {
	"callhome-instructions", "gateway", "sequence", "issued", "expires"
};
#define NHEADERS	(sizeof(header_names) / sizeof(header_names[0]))

struct word {
	const char	*s;
	size_t		 len;
};

struct parser {
	struct bundle	*b;
	const char	*line;		/* the current line, without its LF */
	size_t		 len;
	int		 lineno;
	struct word	 w[MAX_WORDS];
	size_t		 nw;		/* words of the line, all counted */
	unsigned int	 seen;		/* 1 << kind of the instructions read */
	char		*err;
	size_t		 errlen;
};

static const char *const kind_names[] = {
	[BI_COLLECT_NOW] = "collect now",
	[BI_UPLOAD_NOW] = "upload now",
	[BI_SCHEDULE_DAILY] = "schedule daily",
	[BI_CHECKIN_EVERY] = "checkin every",
	[BI_PACKAGE] = "package",
};

const char *
bundle_kind_name(enum bundle_kind k)
{
	if ((size_t)k >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "?";
	return kind_names[k];
}

const char *
package_kind_name(enum package_kind k)
{
	return k == PKG_PROFILE ? "profile" : k == PKG_SOFTWARE ? "software" :
	    "?";
}

const char *
bundle_result_name(enum bundle_result r)
{
	switch (r) {
	case BUNDLE_OK:
		return "ok";
	case BUNDLE_UNKNOWN_INSTRUCTION:
		return "unknown-instruction";
	case BUNDLE_MALFORMED:
	default:
		return "malformed";
	}
}

static enum bundle_result perr(struct parser *, enum bundle_result,
		    const char *, ...) __attribute__((__format__(printf, 3, 4)));

static enum bundle_result
perr(struct parser *p, enum bundle_result r, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[200];

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err != NULL && p->errlen > 0) {
		if (p->lineno > 0)
			(void)snprintf(p->err, p->errlen, "line %d: %s",
			    p->lineno, msg);
		else
			(void)snprintf(p->err, p->errlen, "%s", msg);
	}
	return r;
}

/* word w of the line is lit */
static int
word_is(const struct parser *p, size_t i, const char *lit)
{
	size_t	 n = strlen(lit);

	return i < p->nw && i < MAX_WORDS && p->w[i].len == n &&
	    memcmp(p->w[i].s, lit, n) == 0;
}

/* the line in words of one space; -1 on an empty word */
static int
split(struct parser *p)
{
	const char	*s = p->line, *end = p->line + p->len, *sp;

	p->nw = 0;
	for (;;) {
		sp = memchr(s, ' ', (size_t)(end - s));
		if (sp == NULL)
			sp = end;
		if (sp == s)
			return -1;	/* leading, trailing or double space */
		if (p->nw < MAX_WORDS) {
			p->w[p->nw].s = s;
			p->w[p->nw].len = (size_t)(sp - s);
		}
		p->nw++;
		if (sp == end)
			return 0;
		s = sp + 1;
	}
}

/*
 * Values.
 */

/* decimal 1..max, no sign, no leading zero */
static int
parse_dec(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t	 v = 0;
	size_t		 i;

	if (n == 0 || n > 20 || s[0] == '0')
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (max - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* n digits at s */
static int
digits(const char *s, size_t n, int *out)
{
	int	 v = 0;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* days since 1970-01-01 (H. Hinnant's days_from_civil) */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t	 yy = y - (m <= 2), era, yoe, doy, doe;

	era = yy / 400;			/* yy >= 1969: no negative era */
	yoe = yy - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
bundle_parse_time(const char *s, size_t n, int64_t *out)
{
	static const int	 mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int			 y, mo, d, h, mi, se, dim;

	if (n != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != 'Z' ||
	    digits(s, 4, &y) == -1 || digits(s + 5, 2, &mo) == -1 ||
	    digits(s + 8, 2, &d) == -1 || digits(s + 11, 2, &h) == -1 ||
	    digits(s + 14, 2, &mi) == -1 || digits(s + 17, 2, &se) == -1)
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || h > 23 || mi > 59 || se > 59)
		return -1;
	dim = mdays[mo - 1] + (mo == 2 && leap(y));
	if (d < 1 || d > dim)
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	return 0;
}

int
bundle_valid_name(const char *s)
{
	return pkg_name_valid(s);
}

static int
valid_sha256(const char *s, size_t n)
{
	size_t	 i;

	if (n != 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * A duration as callhome.conf writes one (common/parse.y): a number and
 * a unit, ms, s, m, h or d, or none for seconds; here a whole number of
 * seconds from BUNDLE_CHECKIN_MIN to BUNDLE_CHECKIN_MAX.  Leading zeros
 * are allowed, as there.
 */
static int
parse_duration(const char *s, size_t n, uint32_t *out)
{
	static const struct {
		const char	*suffix;
		uint64_t	 ms;
	} units[] = {
		{ "",	1000 },
		{ "ms",	1 },
		{ "s",	1000 },
		{ "m",	60 * 1000 },
		{ "h",	60 * 60 * 1000 },
		{ "d",	24 * 60 * 60 * 1000 },
	};
	uint64_t	 v = 0, ms;
	size_t		 i, k;

	for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v <= 1000000000ULL)		/* saturate, as the config */
			v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0)
		return -1;
	for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
		if (strlen(units[k].suffix) != n - i ||
		    memcmp(s + i, units[k].suffix, n - i) != 0)
			continue;
		ms = v * units[k].ms;
		if (ms % 1000 != 0 || ms / 1000 < BUNDLE_CHECKIN_MIN ||
		    ms / 1000 > BUNDLE_CHECKIN_MAX)
			return -1;
		*out = (uint32_t)(ms / 1000);
		return 0;
	}
	return -1;
}

/* "HH:MM", 00:00..23:59, into minutes of the day */
static int
parse_hhmm(const char *s, size_t n, int *out)
{
	int	 h, m;

	if (n != 5 || s[2] != ':' || digits(s, 2, &h) == -1 ||
	    digits(s + 3, 2, &m) == -1 || h > 23 || m > 59)
		return -1;
	*out = h * 60 + m;
	return 0;
}

/*
 * Headers.
 */

/* which header the line's first word names, or -1 */
static int
header_of(const char *line, size_t len)
{
	const char	*sp = memchr(line, ' ', len);
	size_t		 n = sp != NULL ? (size_t)(sp - line) : len, i;

	for (i = 0; i < NHEADERS; i++)
		if (strlen(header_names[i]) == n &&
		    memcmp(line, header_names[i], n) == 0)
			return (int)i;
	return -1;
}

static enum bundle_result
read_header(struct parser *p, size_t which)
{
	struct bundle	*b = p->b;
	const char	*name = header_names[which], *v;
	size_t		 nlen = strlen(name), vlen;
	uint64_t	 seq;
	int64_t		*t;
	int		 h;

	if ((h = header_of(p->line, p->len)) != (int)which) {
		if (h == -1)
			return perr(p, BUNDLE_MALFORMED, "not the header "
			    "\"%s\"", name);
		return perr(p, BUNDLE_MALFORMED, "the header \"%s\" out of "
		    "place (expected \"%s\")", header_names[h], name);
	}
	if (p->len <= nlen + 1)
		return perr(p, BUNDLE_MALFORMED, "\"%s\" without a value",
		    name);
	v = p->line + nlen + 1;
	vlen = p->len - nlen - 1;
	switch (which) {
	case 0:
		if (vlen != 1 || v[0] != '0' + BUNDLE_VERSION)
			return perr(p, BUNDLE_MALFORMED, "not version %d of "
			    "the format", BUNDLE_VERSION);
		break;
	case 1:
		if (vlen > BUNDLE_GATEWAY_MAX || v[0] == ' ' ||
		    v[vlen - 1] == ' ')
			return perr(p, BUNDLE_MALFORMED, "a gateway name of "
			    "more than %d bytes or with white space around "
			    "it", BUNDLE_GATEWAY_MAX);
		memcpy(b->gateway, v, vlen);
		b->gateway[vlen] = '\0';
		break;
	case 2:
		if (parse_dec(v, vlen, BUNDLE_SEQ_MAX, &seq) == -1)
			return perr(p, BUNDLE_MALFORMED, "a sequence number "
			    "that is not 1 to %lld", (long long)BUNDLE_SEQ_MAX);
		b->sequence = seq;
		break;
	default:
		t = which == 3 ? &b->issued : &b->expires;
		if (bundle_parse_time(v, vlen, t) == -1)
			return perr(p, BUNDLE_MALFORMED, "a time that is not "
			    "YYYY-MM-DDTHH:MM:SSZ");
		if (which == 4 && b->expires <= b->issued)
			return perr(p, BUNDLE_MALFORMED, "expires before it "
			    "is issued");
		break;
	}
	return BUNDLE_OK;
}

/*
 * Instructions.
 */

static enum bundle_result
read_package(struct parser *p, struct bundle_package *pkg)
{
	const struct word	*w = p->w;
	size_t			 i;

	if (p->nw != 6)
		return perr(p, BUNDLE_MALFORMED, "package takes KIND NAME "
		    "VERSION SHA256 SIZE");
	if (word_is(p, 1, "profile"))
		pkg->kind = PKG_PROFILE;
	else if (word_is(p, 1, "software"))
		pkg->kind = PKG_SOFTWARE;
	else
		return perr(p, BUNDLE_MALFORMED, "a package kind that is "
		    "not profile or software");
	if (w[2].len > BUNDLE_NAME_MAX)
		return perr(p, BUNDLE_MALFORMED, "a package name of more than "
		    "%d characters", BUNDLE_NAME_MAX);
	memcpy(pkg->name, w[2].s, w[2].len);
	pkg->name[w[2].len] = '\0';
	if (!bundle_valid_name(pkg->name))
		return perr(p, BUNDLE_MALFORMED, "a package name that is not "
		    "[A-Za-z0-9._-] or starts with \".\" or \"-\"");
	if (parse_dec(w[3].s, w[3].len, BUNDLE_SEQ_MAX, &pkg->version) == -1)
		return perr(p, BUNDLE_MALFORMED, "a package version that is "
		    "not 1 to %lld", (long long)BUNDLE_SEQ_MAX);
	if (!valid_sha256(w[4].s, w[4].len))
		return perr(p, BUNDLE_MALFORMED, "a SHA-256 that is not 64 "
		    "lowercase hex digits");
	memcpy(pkg->sha256, w[4].s, 64);
	pkg->sha256[64] = '\0';
	if (parse_dec(w[5].s, w[5].len, BUNDLE_PKG_SIZE_MAX, &pkg->size) == -1)
		return perr(p, BUNDLE_MALFORMED, "a package size that is not "
		    "1 to %d bytes", BUNDLE_PKG_SIZE_MAX);
	/* one version of a name in one bundle */
	for (i = 0; i < p->b->nitems; i++)
		if (p->b->items[i].kind == BI_PACKAGE &&
		    strcmp(p->b->items[i].u.pkg.name, pkg->name) == 0)
			return perr(p, BUNDLE_MALFORMED, "package %s again",
			    pkg->name);
	return BUNDLE_OK;
}

/* the instruction the line's first words name, or -1 */
static int
instruction_of(struct parser *p)
{
	if (word_is(p, 0, "collect") && word_is(p, 1, "now"))
		return BI_COLLECT_NOW;
	if (word_is(p, 0, "upload") && word_is(p, 1, "now"))
		return BI_UPLOAD_NOW;
	if (word_is(p, 0, "schedule") && word_is(p, 1, "daily"))
		return BI_SCHEDULE_DAILY;
	if (word_is(p, 0, "checkin") && word_is(p, 1, "every"))
		return BI_CHECKIN_EVERY;
	if (word_is(p, 0, "package"))
		return BI_PACKAGE;
	return -1;
}

static enum bundle_result
read_instruction(struct parser *p)
{
	struct bundle_item	*it;
	enum bundle_result	 r;
	int			 k;

	if (header_of(p->line, p->len) != -1)
		return perr(p, BUNDLE_MALFORMED, "a header again");
	if (split(p) == -1)
		return perr(p, BUNDLE_MALFORMED, "a space at the start or the "
		    "end, or two spaces");
	if ((k = instruction_of(p)) == -1)
		return perr(p, BUNDLE_UNKNOWN_INSTRUCTION, "not an "
		    "instruction: \"%.*s\"", p->len > 40 ? 40 : (int)p->len,
		    p->line);	/* not NUL-terminated */
	if (p->b->nitems == BUNDLE_MAX_ITEMS)
		return perr(p, BUNDLE_MALFORMED, "more than %d instructions",
		    BUNDLE_MAX_ITEMS);
	if (k != BI_PACKAGE && (p->seen & (1U << k)))
		return perr(p, BUNDLE_MALFORMED, "%s again",
		    bundle_kind_name(k));
	it = &p->b->items[p->b->nitems];
	memset(it, 0, sizeof(*it));
	it->kind = k;
	switch (k) {
	case BI_COLLECT_NOW:
	case BI_UPLOAD_NOW:
		if (p->nw != 2)
			return perr(p, BUNDLE_MALFORMED, "words after %s",
			    bundle_kind_name(k));
		break;
	case BI_SCHEDULE_DAILY:
		if (p->nw != 3 || parse_hhmm(p->w[2].s, p->w[2].len,
		    &it->u.minute) == -1)
			return perr(p, BUNDLE_MALFORMED, "schedule daily "
			    "takes HH:MM, 00:00 to 23:59");
		break;
	case BI_CHECKIN_EVERY:
		if (p->nw != 3 || parse_duration(p->w[2].s, p->w[2].len,
		    &it->u.seconds) == -1)
			return perr(p, BUNDLE_MALFORMED, "checkin every takes "
			    "a duration of %d s to %d d, in whole seconds",
			    BUNDLE_CHECKIN_MIN, BUNDLE_CHECKIN_MAX / 86400);
		break;
	case BI_PACKAGE:
		if ((r = read_package(p, &it->u.pkg)) != BUNDLE_OK)
			return r;
		break;
	}
	p->seen |= 1U << k;
	p->b->nitems++;
	return BUNDLE_OK;
}

/* printable ASCII and LF only, ending in LF */
static enum bundle_result
check_bytes(struct parser *p, const uint8_t *msg, size_t len)
{
	size_t	 i;
	int	 line = 1;

	for (i = 0; i < len; i++) {
		p->lineno = line;
		if (msg[i] == '\n')
			line++;
		else if (msg[i] == '\0')
			return perr(p, BUNDLE_MALFORMED, "a NUL byte");
		else if (msg[i] == '\r')
			return perr(p, BUNDLE_MALFORMED, "a carriage return "
			    "(lines end with LF alone)");
		else if (msg[i] < 0x20 || msg[i] > 0x7e)
			return perr(p, BUNDLE_MALFORMED, "byte 0x%02x, not "
			    "printable ASCII", msg[i]);
	}
	if (msg[len - 1] != '\n')
		return perr(p, BUNDLE_MALFORMED, "the last line does not end "
		    "with a newline");
	p->lineno = 0;
	return BUNDLE_OK;
}

enum bundle_result
bundle_parse(const uint8_t *msg, size_t len, struct bundle *b, char *err,
    size_t errlen)
{
	struct parser		 p;
	const uint8_t		*s, *nl, *end = msg + len;
	enum bundle_result	 r;
	size_t			 nlines = 0;

	memset(b, 0, sizeof(*b));
	memset(&p, 0, sizeof(p));
	p.b = b;
	p.err = err;
	p.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (len == 0 || len > BUNDLE_MAX) {
		r = perr(&p, BUNDLE_MALFORMED, "a message of %zu bytes (1 to "
		    "%d)", len, BUNDLE_MAX);
		goto fail;
	}
	if ((r = check_bytes(&p, msg, len)) != BUNDLE_OK)
		goto fail;
	for (s = msg; s < end; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(end - s));	/* there is one */
		p.line = (const char *)s;
		p.len = (size_t)(nl - s);
		p.lineno = (int)++nlines;
		if (p.len == 0) {
			r = perr(&p, BUNDLE_MALFORMED, "an empty line");
			goto fail;
		}
		if (p.len > BUNDLE_LINE_MAX) {
			r = perr(&p, BUNDLE_MALFORMED, "a line of more than "
			    "%d bytes", BUNDLE_LINE_MAX);
			goto fail;
		}
		if (nlines <= NHEADERS)
			r = read_header(&p, nlines - 1);
		else
			r = read_instruction(&p);
		if (r != BUNDLE_OK)
			goto fail;
	}
	p.lineno = 0;
	if (nlines < NHEADERS) {
		r = perr(&p, BUNDLE_MALFORMED, "no \"%s\" header",
		    header_names[nlines]);
		goto fail;
	}
	if (b->nitems == 0) {
		r = perr(&p, BUNDLE_MALFORMED, "no instruction");
		goto fail;
	}
	return BUNDLE_OK;
 fail:
	memset(b, 0, sizeof(*b));
	return r;
}
