/*
 * callhomectl's pure helpers for the audit commands (log, show, report):
 * HTML escaping, CSV fields, times given on the command line and shown,
 * a strict JSON checker for the log's details, and the words for the
 * Printer-MIB's special supply levels.  Nothing here touches the
 * database or the process state, so that regress/unit/test_ctl_report.c
 * can test it alone.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "callhomectl.h"

void
ctl_html_escape(FILE *fp, const char *s)
{
	const unsigned char	*p;

	if (s == NULL)
		return;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		case '\'':
			fputs("&#39;", fp);
			break;
		case '\t':
		case '\n':
			putc(*p, fp);
			break;
		default:
			/* control characters are not allowed in HTML text */
			if (*p < 0x20 || *p == 0x7f)
				putc('?', fp);
			else
				putc(*p, fp);
		}
	}
}

void
ctl_csv_field(FILE *fp, const char *s)
{
	size_t	 n;

	if (s == NULL || *s == '\0')
		return;
	n = strlen(s);
	/* RFC 4180 quotes these; blanks at either end too, to keep them */
	if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' && s[0] != '\t' &&
	    s[n - 1] != ' ' && s[n - 1] != '\t') {
		fputs(s, fp);
		return;
	}
	putc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putc('"', fp);
		putc(*s, fp);
	}
	putc('"', fp);
}

/* ------------------------------------------------------------------ */
/* times */

/* exactly n digits at p, as a number */
static int
digits(const char *p, int n, int *v)
{
	int	 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		*v = *v * 10 + (p[i] - '0');
	}
	return 0;
}

static int
days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* 9999-12-31 23:59:59 UTC */
#define TIME_MAX	INT64_C(253402300799)

int
ctl_parse_time(const char *s, int64_t *t, char *why, size_t whylen)
{
	struct tm	 tm, want;
	const char	*p;
	char		*end;
	long long	 v;
	size_t		 len;
	int		 y, mo, d, h = 0, mi = 0, sec = 0;
	time_t		 tt;

	if (*s == '@') {
		p = s + 1;
		if (!isdigit((unsigned char)*p)) {
			(void)snprintf(why, whylen, "not a number of seconds "
			    "after @");
			return -1;
		}
		errno = 0;
		v = strtoll(p, &end, 10);
		if (*end != '\0') {
			(void)snprintf(why, whylen, "not a number of seconds "
			    "after @");
			return -1;
		}
		if (errno == ERANGE || v > TIME_MAX) {
			(void)snprintf(why, whylen, "a time after the year "
			    "9999");
			return -1;
		}
		*t = v;
		return 0;
	}

	len = strlen(s);
	if ((len != 10 && len != 16 && len != 19) ||
	    digits(s, 4, &y) == -1 || s[4] != '-' ||
	    digits(s + 5, 2, &mo) == -1 || s[7] != '-' ||
	    digits(s + 8, 2, &d) == -1 ||
	    (len > 10 && ((s[10] != ' ' && s[10] != 'T') ||
	    digits(s + 11, 2, &h) == -1 || s[13] != ':' ||
	    digits(s + 14, 2, &mi) == -1)) ||
	    (len > 16 && (s[16] != ':' || digits(s + 17, 2, &sec) == -1))) {
		(void)snprintf(why, whylen, "not a date");
		return -1;
	}
	if (y < 1970) {
		(void)snprintf(why, whylen, "a year before 1970");
		return -1;
	}
	if (mo < 1 || mo > 12) {
		(void)snprintf(why, whylen, "no month %d", mo);
		return -1;
	}
	if (d < 1 || d > days_in_month(y, mo)) {
		(void)snprintf(why, whylen, "no day %d in %04d-%02d", d, y, mo);
		return -1;
	}
	if (h > 23 || mi > 59 || sec > 59) {
		(void)snprintf(why, whylen, "no time %02d:%02d:%02d", h, mi,
		    sec);
		return -1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	want = tm;
	if ((tt = mktime(&tm)) == (time_t)-1 && (tm.tm_year != want.tm_year ||
	    tm.tm_sec != want.tm_sec)) {
		(void)snprintf(why, whylen, "cannot be represented");
		return -1;
	}
	/* mktime() moves a time that a clock change skipped */
	if (tm.tm_year != want.tm_year || tm.tm_mon != want.tm_mon ||
	    tm.tm_mday != want.tm_mday || tm.tm_hour != want.tm_hour ||
	    tm.tm_min != want.tm_min || tm.tm_sec != want.tm_sec) {
		(void)snprintf(why, whylen, "no such local time (a clock "
		    "change skips it)");
		return -1;
	}
	*t = (int64_t)tt;
	return 0;
}

void
ctl_time_local(int64_t t, char *buf, size_t len)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		(void)snprintf(buf, len, "@%" PRId64, t);
}

/* ------------------------------------------------------------------ */
/* JSON: RFC 8259, strictly, for details read back from the database */

#define CHECK_DEPTH	64

struct jscan {
	const unsigned char	*p;
	const unsigned char	*end;
};

static void
ws(struct jscan *js)
{
	while (js->p < js->end && (*js->p == ' ' || *js->p == '\t' ||
	    *js->p == '\n' || *js->p == '\r'))
		js->p++;
}

static int
hex4(const unsigned char *p, unsigned *v)
{
	int	 i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		*v <<= 4;
		if (p[i] >= '0' && p[i] <= '9')
			*v |= p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			*v |= p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			*v |= p[i] - 'A' + 10;
		else
			return -1;
	}
	return 0;
}

/* one UTF-8 character at js->p (first byte >= 0x80), well-formed */
static int
utf8_char(struct jscan *js)
{
	const unsigned char	*p = js->p;
	size_t			 left = (size_t)(js->end - p), n, i;
	uint32_t		 cp, min;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f, min = 0x80;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f, min = 0x800;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07, min = 0x10000;
	else
		return -1;
	if (left < n)
		return -1;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	js->p += n;
	return 0;
}

static int
jstring(struct jscan *js)
{
	unsigned	 u, lo;

	if (js->p >= js->end || *js->p != '"')
		return -1;
	js->p++;
	while (js->p < js->end) {
		if (*js->p == '"') {
			js->p++;
			return 0;
		}
		if (*js->p < 0x20)
			return -1;
		if (*js->p >= 0x80) {
			if (utf8_char(js) == -1)
				return -1;
			continue;
		}
		if (*js->p != '\\') {
			js->p++;
			continue;
		}
		if (js->end - js->p < 2)
			return -1;
		switch (js->p[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			js->p += 2;
			break;
		case 'u':
			if (js->end - js->p < 6 || hex4(js->p + 2, &u) == -1)
				return -1;
			js->p += 6;
			/* a surrogate comes in pairs */
			if (u >= 0xdc00 && u <= 0xdfff)
				return -1;
			if (u >= 0xd800 && u <= 0xdbff) {
				if (js->end - js->p < 6 || js->p[0] != '\\' ||
				    js->p[1] != 'u' ||
				    hex4(js->p + 2, &lo) == -1 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return -1;
				js->p += 6;
			}
			break;
		default:
			return -1;
		}
	}
	return -1;
}

/* a number; *integer set when it has no fraction and no exponent */
static int
jnumber(struct jscan *js, int *integer)
{
	const unsigned char	*p = js->p, *e = js->end;

	*integer = 1;
	if (p < e && *p == '-')
		p++;
	if (p >= e || !isdigit(*p))
		return -1;
	if (*p == '0')
		p++;
	else
		while (p < e && isdigit(*p))
			p++;
	if (p < e && *p == '.') {
		*integer = 0;
		p++;
		if (p >= e || !isdigit(*p))
			return -1;
		while (p < e && isdigit(*p))
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		*integer = 0;
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e || !isdigit(*p))
			return -1;
		while (p < e && isdigit(*p))
			p++;
	}
	js->p = p;
	return 0;
}

static int
jliteral(struct jscan *js, const char *lit)
{
	size_t	 n = strlen(lit);

	if ((size_t)(js->end - js->p) < n || memcmp(js->p, lit, n) != 0)
		return -1;
	js->p += n;
	return 0;
}

static int
jvalue(struct jscan *js, int depth)
{
	int	 integer;

	ws(js);
	if (js->p >= js->end)
		return -1;
	switch (*js->p) {
	case '{':
	case '[':
		if (depth >= CHECK_DEPTH)
			return -1;
		if (*js->p++ == '{') {
			ws(js);
			if (js->p < js->end && *js->p == '}') {
				js->p++;
				return 0;
			}
			for (;;) {
				ws(js);
				if (jstring(js) == -1)
					return -1;
				ws(js);
				if (js->p >= js->end || *js->p++ != ':')
					return -1;
				if (jvalue(js, depth + 1) == -1)
					return -1;
				ws(js);
				if (js->p >= js->end)
					return -1;
				if (*js->p == '}') {
					js->p++;
					return 0;
				}
				if (*js->p++ != ',')
					return -1;
			}
		}
		ws(js);
		if (js->p < js->end && *js->p == ']') {
			js->p++;
			return 0;
		}
		for (;;) {
			if (jvalue(js, depth + 1) == -1)
				return -1;
			ws(js);
			if (js->p >= js->end)
				return -1;
			if (*js->p == ']') {
				js->p++;
				return 0;
			}
			if (*js->p++ != ',')
				return -1;
		}
	case '"':
		return jstring(js);
	case 't':
		return jliteral(js, "true");
	case 'f':
		return jliteral(js, "false");
	case 'n':
		return jliteral(js, "null");
	default:
		return jnumber(js, &integer);
	}
}

int
ctl_json_is_object(const char *s)
{
	struct jscan	 js;

	js.p = (const unsigned char *)s;
	js.end = js.p + strlen(s);
	ws(&js);
	if (js.p >= js.end || *js.p != '{')
		return 0;
	if (jvalue(&js, 0) == -1)
		return 0;
	ws(&js);
	return js.p == js.end;
}

int
ctl_json_member(const char *s, const char *key, const char **val,
    size_t *vlen)
{
	struct jscan		 js;
	const unsigned char	*k, *v;
	size_t			 klen = strlen(key);
	int			 found = 0, match;

	if (!ctl_json_is_object(s))
		return -1;
	js.p = (const unsigned char *)s;
	js.end = js.p + strlen(s);
	ws(&js);
	js.p++;				/* '{' */
	ws(&js);
	if (*js.p == '}')
		return -1;
	/* checked already: every step below succeeds */
	for (;;) {
		ws(&js);
		k = js.p + 1;
		(void)jstring(&js);
		/* keys compared as written: ours have no escapes */
		match = (size_t)(js.p - 1 - k) == klen &&
		    memcmp(k, key, klen) == 0;
		ws(&js);
		js.p++;			/* ':' */
		ws(&js);
		v = js.p;
		(void)jvalue(&js, 1);
		if (match) {
			if (found)
				return -1;	/* the same key twice */
			found = 1;
			*val = (const char *)v;
			*vlen = (size_t)(js.p - v);
		}
		ws(&js);
		if (*js.p++ == '}')
			break;
	}
	return found ? 0 : -1;
}

int
ctl_json_member_int(const char *s, const char *key, int64_t *v)
{
	const char	*val, *p;
	char		 num[32];
	size_t		 len;
	long long	 n;

	if (ctl_json_member(s, key, &val, &len) == -1 || len == 0 ||
	    len >= sizeof(num))
		return -1;
	for (p = val; p < val + len; p++)
		if (!isdigit((unsigned char)*p) && !(p == val && *p == '-'))
			return -1;	/* null, a string, a fraction */
	memcpy(num, val, len);
	num[len] = '\0';
	errno = 0;
	n = strtoll(num, NULL, 10);
	if (errno == ERANGE)
		return -1;
	*v = n;
	return 0;
}

int
ctl_json_member_hex(const char *s, const char *key, char *dst, size_t len)
{
	const char	*val;
	size_t		 vlen, i;

	if (ctl_json_member(s, key, &val, &vlen) == -1 || vlen < 2 ||
	    val[0] != '"' || vlen - 2 >= len)
		return -1;
	for (i = 1; i < vlen - 1; i++)
		if (!isxdigit((unsigned char)val[i]))
			return -1;
	memcpy(dst, val + 1, vlen - 2);
	dst[vlen - 2] = '\0';
	return 0;
}

/* ------------------------------------------------------------------ */
/* supplies */

const char *
ctl_level_word(int64_t v)
{
	switch (v) {
	case -1:
		return "other";
	case -2:
		return "unknown";
	case -3:
		return "some remaining";
	default:
		return NULL;
	}
}
