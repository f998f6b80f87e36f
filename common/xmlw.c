/*
 * The XML writer: see xmlw.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmlw.h"

#define C_SLOW		0x01	/* control or non-ASCII: the careful way */
#define C_ESC		0x02	/* needs escaping */
#define C_REDACT	0x04	/* the first byte of the text to redact */

#define XMLW_CHUNK	(1024 * 1024)

/*
 * Text.
 */

int
utf8_decode(const unsigned char *p, uint32_t *cp)
{
	uint32_t	 c;
	int		 n, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)	/* the NUL stops here too */
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int
xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 &&
	    c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
	    (c >= 0x10000 && c <= 0x10ffff);
}

size_t
utf8_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * The buffer.
 */

void
xmlw_init(struct xmlw *w, const char *prefix, int line_depth)
{
	int	 c;

	memset(w, 0, sizeof(*w));
	w->line_depth = line_depth;
	if ((w->prefixlen = strlcpy(w->prefix, prefix, sizeof(w->prefix))) >=
	    sizeof(w->prefix))
		fatalx("xmlw: prefix too long");
	for (c = 0; c < 256; c++)
		w->cls[c] = c < 0x20 || c > 0x7e ? C_SLOW : 0;
	w->cls['&'] = w->cls['<'] = w->cls['>'] = w->cls['"'] = C_ESC;
}

char *
xmlw_take(struct xmlw *w, size_t *len)
{
	char	*o = w->o;

	*len = w->len;
	w->o = NULL;
	w->len = w->cap = 0;
	return o;
}

void
xmlw_free(struct xmlw *w)
{
	free(w->o);
	w->o = NULL;
	w->len = w->cap = 0;
}

void
xmlw_redact(struct xmlw *w, const char *s)
{
	size_t	 n = strlen(s);

	if (w->redactlen > 0)
		w->cls[(unsigned char)w->redact[0]] &= ~C_REDACT;
	w->redact[0] = '\0';
	w->redactlen = 0;
	if (n == 0 || n >= sizeof(w->redact))
		return;
	memcpy(w->redact, s, n + 1);
	w->redactlen = n;
	w->cls[(unsigned char)w->redact[0]] |= C_REDACT;
}

/* room for n more bytes */
static inline char *
room(struct xmlw *w, size_t n)
{
	size_t	 ncap;
	char	*p;

	if (n > SIZE_MAX / 2 - w->len)
		fatalx("xmlw: document too large");
	if (w->len + n > w->cap) {
		ncap = w->cap > 0 ? w->cap : XMLW_CHUNK;
		while (ncap < w->len + n)
			ncap *= 2;
		if ((p = realloc(w->o, ncap)) == NULL)
			fatal("xmlw");
		w->o = p;
		w->cap = ncap;
	}
	return w->o + w->len;
}

void
xmlw_put(struct xmlw *w, const char *s, size_t n)
{
	memcpy(room(w, n), s, n);
	w->len += n;
}

void
xmlw_int(struct xmlw *w, int64_t v)
{
	char		 num[24], *p = num + sizeof(num);
	uint64_t	 u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	xmlw_put(w, p, (size_t)(num + sizeof(num) - p));
}

/*
 * Values.
 */

/*
 * Does s (n bytes) end in the start of the redacted text, cut when the
 * value was cut to fit?  At least REDACT_TAIL_MIN characters of it must
 * be there ("10.0." is an address cut short, "1" is just a one).
 */
#define REDACT_TAIL_MIN	5

static int
redact_tail(struct xmlw *w, const char *s, size_t n)
{
	size_t	 k;

	for (k = w->redactlen - 1; k >= REDACT_TAIL_MIN; k--)
		if (k <= n && memcmp(s + n - k, w->redact, k) == 0)
			return 1;
	return 0;
}

/* the rest of the value, from p, is all of the text or its cut start */
static int
redact_at(struct xmlw *w, const char *p)
{
	size_t	 rest;

	if (strncmp(p, w->redact, w->redactlen) == 0)
		return 1;
	rest = strnlen(p, w->redactlen);
	return rest < w->redactlen && rest >= REDACT_TAIL_MIN &&
	    p[rest] == '\0' && memcmp(p, w->redact, rest) == 0;
}

/* the careful way: characters checked one by one, redaction, the cut */
static const char *
value_slow(struct xmlw *w, const char *s, size_t max)
{
	static const char	 repl[] = "[address]";
	const unsigned char	*p = (const unsigned char *)s;
	char			*o = w->tmp;
	size_t			 n = 0;
	uint32_t		 cp;
	int			 len;

	if (max > XMLW_TEXT_MAX)
		max = XMLW_TEXT_MAX;
	while (*p != '\0' && n < max) {
		if (w->redactlen > 0 && *p == (unsigned char)w->redact[0] &&
		    redact_at(w, (const char *)p)) {
			if (n + sizeof(repl) - 1 > max)
				break;	/* never half an address */
			memcpy(o, repl, sizeof(repl) - 1);
			o += sizeof(repl) - 1;
			n += sizeof(repl) - 1;
			p += strnlen((const char *)p, w->redactlen);
			continue;
		}
		if ((len = utf8_decode(p, &cp)) == 0 || !xml_char(cp)) {
			memcpy(o, "\xef\xbf\xbd", 3);	/* U+FFFD */
			o += 3;
			p += len > 0 ? len : 1;
		} else {
			memcpy(o, p, (size_t)len);
			o += len;
			p += len;
		}
		n++;
	}
	*o = '\0';
	return w->tmp;
}

/* s (already XML characters) escaped for text or an attribute */
static void
put_escaped(struct xmlw *w, const char *s, size_t n, int attr)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			*o;
	size_t			 i;

	o = room(w, 6 * n);
	for (i = 0; i < n; i++) {
		switch (p[i]) {
		case '&':
			memcpy(o, "&amp;", 5);
			o += 5;
			break;
		case '<':
			memcpy(o, "&lt;", 4);
			o += 4;
			break;
		case '>':
			memcpy(o, "&gt;", 4);
			o += 4;
			break;
		case '"':
			if (!attr)
				goto plain;
			memcpy(o, "&quot;", 6);
			o += 6;
			break;
		case '\t':
		case '\n':
		case '\r':
			/* white space in an attribute would be normalized */
			if (!attr && p[i] != '\r')
				goto plain;
			o += snprintf(o, 6, "&#%d;", p[i]);
			break;
		default:
 plain:
			*o++ = (char)p[i];
			break;
		}
	}
	w->len = (size_t)(o - w->o);
}

void
xmlw_value(struct xmlw *w, const char *s, size_t max, int attr)
{
	const unsigned char	*p;
	unsigned int		 f = 0;
	size_t			 n;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		f |= w->cls[*p];
	n = (size_t)(p - (const unsigned char *)s);
	if ((f & C_SLOW) || n > max || ((f & C_REDACT) &&
	    (strstr(s, w->redact) != NULL || redact_tail(w, s, n)))) {
		s = value_slow(w, s, max);
		put_escaped(w, s, strlen(s), attr);
	} else if (f & C_ESC)
		put_escaped(w, s, n, attr);
	else
		xmlw_put(w, s, n);
}

/*
 * Elements and attributes.
 */

static void
newline(struct xmlw *w)
{
	static const char	 ind[] = "\n        ";

	if (w->depth <= w->line_depth && w->depth < (int)sizeof(ind) - 1)
		xmlw_put(w, ind, 1 + (size_t)w->depth);
}

void
xmlw_stag_n(struct xmlw *w, const char *name, size_t len)
{
	newline(w);
	XMLW_PUTS(w, "<");
	xmlw_put(w, w->prefix, w->prefixlen);
	xmlw_put(w, name, len);
}

void
xmlw_stag_end(struct xmlw *w)
{
	XMLW_PUTS(w, ">");
	w->depth++;
}

void
xmlw_etag_n(struct xmlw *w, const char *name, size_t len)
{
	if (--w->depth < w->line_depth)
		newline(w);
	xmlw_etag_inline_n(w, name, len);
}

void
xmlw_etag_inline_n(struct xmlw *w, const char *name, size_t len)
{
	XMLW_PUTS(w, "</");
	xmlw_put(w, w->prefix, w->prefixlen);
	xmlw_put(w, name, len);
	XMLW_PUTS(w, ">");
}

/* ' name="' */
static void
attr_start(struct xmlw *w, const char *name, size_t len)
{
	char	*o = room(w, len + 3);

	*o++ = ' ';
	memcpy(o, name, len);
	o += len;
	*o++ = '=';
	*o++ = '"';
	w->len += len + 3;
}

void
xmlw_attr_n(struct xmlw *w, const char *name, size_t len, const char *v,
    size_t max)
{
	attr_start(w, name, len);
	xmlw_value(w, v, max, 1);
	XMLW_PUTS(w, "\"");
}

void
xmlw_attr_raw_n(struct xmlw *w, const char *name, size_t len, const char *v)
{
	attr_start(w, name, len);
	xmlw_put(w, v, strlen(v));
	XMLW_PUTS(w, "\"");
}

void
xmlw_attr_int_n(struct xmlw *w, const char *name, size_t len, int64_t v)
{
	attr_start(w, name, len);
	xmlw_int(w, v);
	XMLW_PUTS(w, "\"");
}

void
xmlw_leaf_n(struct xmlw *w, const char *name, size_t len, const char *v,
    size_t max)
{
	if (v[0] == '\0')
		return;
	xmlw_stag_n(w, name, len);
	XMLW_PUTS(w, ">");
	xmlw_value(w, v, max, 0);
	xmlw_etag_inline_n(w, name, len);
}

void
xmlw_leaf_raw_n(struct xmlw *w, const char *name, size_t len, const char *v)
{
	xmlw_stag_n(w, name, len);
	XMLW_PUTS(w, ">");
	xmlw_put(w, v, strlen(v));
	xmlw_etag_inline_n(w, name, len);
}
