/*
 * The upload document of a stored cycle: see document.h.
 *
 * The readings are read back with one cursor per table over the whole
 * cycle (reports by ordinal; meters, supplies and alerts by report and
 * ordinal, walked alongside), not with one query per report: a cycle of
 * 10,000 devices is 40,000 queries fewer.  Reports of a cycle are stored
 * in one transaction in ordinal order, so their ids ascend with the
 * ordinal; the builder checks that it is so.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "config.h"
#include "digest.h"
#include "document.h"
#include "isotime.h"
#include "log.h"
#include "report.h"
#include "txlog.h"
#include "xmlsafe.h"

#define XS_TEXT	1023	/* ch:Text, in characters */
#define XS_NAME	63	/* ch:Name */
#define XS_OID		511	/* ch:Oid */

struct docw {
	char			*o;		/* the document */
	size_t			 len;
	size_t			 cap;
	const struct doc_params	*p;
	int			 depth;
	/* the device's host, replaced in its texts unless addresses go */
	char			 host[REPORT_NAME];
	size_t			 hostlen;
	char			 tmp[4 * XS_TEXT + 16];
	uint8_t			 cls[256];	/* see put_value() */
};

#define C_SLOW		0x01
#define C_ESC		0x02
#define C_HOST		0x04

static void
cls_init(struct docw *dw)
{
	int	 c;

	for (c = 0; c < 256; c++)
		dw->cls[c] = c < 0x20 || c > 0x7e ? C_SLOW : 0;
	dw->cls['&'] = dw->cls['<'] = dw->cls['>'] = dw->cls['"'] = C_ESC;
}

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((__format__(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* xs:dateTime in UTC; years 0001..9999 are all any reader handles */
void
document_time(int64_t t, char *buf, size_t len)
{
	if (t < 0)
		t = 0;
	if (t > INT64_C(253402300799))
		t = INT64_C(253402300799);
	(void)iso_time(t, buf, len);
}

/*
 * Text.
 */

/* one UTF-8 sequence at p: its length, or 0 when it is not valid */
static int
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
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static int
xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 &&
	    c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
	    (c >= 0x10000 && c <= 0x10ffff);
}

static size_t
utf8_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * Does s (n bytes) end in the start of the host, cut when the device's
 * text was cut to fit?  At least HOST_TAIL_MIN characters of it must be
 * there ("10.0." is an address cut short, "1" is just a one).
 */
#define HOST_TAIL_MIN	5

static int
host_tail(struct docw *dw, const char *s, size_t n)
{
	size_t	 k;

	for (k = dw->hostlen - 1; k >= HOST_TAIL_MIN; k--)
		if (k <= n && memcmp(s + n - k, dw->host, k) == 0)
			return 1;
	return 0;
}

/* the rest of the text, from p, is all of the host or its cut start */
static int
host_at(struct docw *dw, const char *p)
{
	size_t	 rest;

	if (strncmp(p, dw->host, dw->hostlen) == 0)
		return 1;
	rest = strnlen(p, dw->hostlen);
	return rest < dw->hostlen && rest >= HOST_TAIL_MIN &&
	    p[rest] == '\0' && memcmp(p, dw->host, rest) == 0;
}

static const char *
xtext_slow(struct docw *dw, const char *s, size_t max)
{
	static const char	 repl[] = "[address]";
	const unsigned char	*p = (const unsigned char *)s;
	char			*o = dw->tmp;
	size_t			 n = 0;
	uint32_t		 cp;
	int			 len;

	while (*p != '\0' && n < max) {
		if (dw->hostlen > 0 && *p == (unsigned char)dw->host[0] &&
		    host_at(dw, (const char *)p)) {
			if (n + sizeof(repl) - 1 > max)
				break;	/* never half an address */
			memcpy(o, repl, sizeof(repl) - 1);
			o += sizeof(repl) - 1;
			n += sizeof(repl) - 1;
			p += strnlen((const char *)p, dw->hostlen);
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
	return dw->tmp;
}

/* ch:Oid: dotted decimal, at most 511 characters */
static int
valid_oid(const char *s)
{
	size_t	 n = 0;
	int	 digit = 0;

	for (; *s != '\0'; s++, n++) {
		if (*s >= '0' && *s <= '9')
			digit = 1;
		else if (*s == '.' && digit)
			digit = 0;
		else
			return 0;
	}
	return digit && n <= XS_OID;
}

/*
 * The writer: straight into a buffer of its own that grows with
 * realloc() (a general XML writer costs five times as much for a large
 * cycle, and growing a wbuf copies and wipes at every step, which a
 * document that is going to be sent does not need).  What it writes is
 * simple enough to check by eye: elements of our namespace (prefix ch),
 * one per line and indented one space per level down to the Device
 * elements, one device per line; attributes in the order the calls
 * give; text and attribute values escaped (& < > in text; & < > " and
 * white space other than the space in attributes).
 */

#define DOC_CHUNK	(1024 * 1024)

/* room for n more bytes */
static inline char *
room(struct docw *dw, size_t n)
{
	size_t	 ncap;
	char	*p;

	if (dw->len + n > dw->cap) {
		ncap = dw->cap > 0 ? dw->cap : DOC_CHUNK;
		while (ncap < dw->len + n)
			ncap *= 2;
		if ((p = realloc(dw->o, ncap)) == NULL)
			fatal("document");
		dw->o = p;
		dw->cap = ncap;
	}
	return dw->o + dw->len;
}

static inline void
put(struct docw *dw, const char *s, size_t n)
{
	memcpy(room(dw, n), s, n);
	dw->len += n;
}

#define PUTS(dw, lit)	put((dw), (lit), sizeof(lit) - 1)

static void
put_int(struct docw *dw, int64_t v)
{
	char		 num[24], *p = num + sizeof(num);
	uint64_t	 u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	put(dw, p, (size_t)(num + sizeof(num) - p));
}

/*
 * A new line at the current depth, down to the start of each Device:
 * a device is one line.  Deeper white space would only cost (every
 * indentation is one more text node for whoever parses the document,
 * and there are 25 rows per device); "xmllint --format" shows it
 * indented.
 */
#define LINE_DEPTH	4	/* Device */

static void
newline(struct docw *dw)
{
	static const char	 ind[] = "\n    ";

	if (dw->depth <= LINE_DEPTH)
		put(dw, ind, 1 + (size_t)dw->depth);
}

/* s (already XML characters) escaped for text or an attribute */
static void
put_escaped(struct docw *dw, const char *s, size_t n, int attr)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			*o;
	size_t			 i;

	o = room(dw, 6 * n);
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
	dw->len = (size_t)(o - dw->o);
}

/*
 * A value as the document may hold it: XML characters only, the
 * device's host replaced unless addresses are sent, at most max
 * characters (xtext_slow()), escaped.  Nearly every value is short
 * ASCII with nothing to replace or escape and is copied as it is; one
 * table lookup per byte tells (dw->cls: C_SLOW for control characters
 * and non-ASCII, C_ESC for what needs escaping, C_HOST for the first
 * character of the host to replace).
 */
static void
put_value(struct docw *dw, const char *s, size_t max, int attr)
{
	const unsigned char	*p;
	unsigned int		 f = 0;
	size_t			 n;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		f |= dw->cls[*p];
	n = (size_t)(p - (const unsigned char *)s);
	if ((f & C_SLOW) || n > max || ((f & C_HOST) &&
	    (strstr(s, dw->host) != NULL || host_tail(dw, s, n)))) {
		s = xtext_slow(dw, s, max);
		put_escaped(dw, s, strlen(s), attr);
	} else if (f & C_ESC)
		put_escaped(dw, s, n, attr);
	else
		put(dw, s, n);
}

/*
 * Element and attribute names are literals: their lengths are known at
 * compile time (the macros below).
 */

/* "<ch:name" on a line of its own: attributes follow */
static void
stag_n(struct docw *dw, const char *name, size_t len)
{
	newline(dw);
	PUTS(dw, "<ch:");
	put(dw, name, len);
}
#define stag(dw, lit)	stag_n((dw), (lit), sizeof(lit) - 1)

/* ">": the element has content on the lines that follow */
static void
stag_end(struct docw *dw)
{
	PUTS(dw, ">");
	dw->depth++;
}

static void
etag_n(struct docw *dw, const char *name, size_t len)
{
	if (--dw->depth < LINE_DEPTH)
		newline(dw);
	PUTS(dw, "</ch:");
	put(dw, name, len);
	PUTS(dw, ">");
}
#define etag(dw, lit)	etag_n((dw), (lit), sizeof(lit) - 1)

/* "</ch:name>" right after text content */
static void
etag_inline_n(struct docw *dw, const char *name, size_t len)
{
	PUTS(dw, "</ch:");
	put(dw, name, len);
	PUTS(dw, ">");
}
#define etag_inline(dw, lit) etag_inline_n((dw), (lit), sizeof(lit) - 1)

/* ' name="' */
static void
attr_start(struct docw *dw, const char *name, size_t len)
{
	char	*o = room(dw, len + 3);

	*o++ = ' ';
	memcpy(o, name, len);
	o += len;
	*o++ = '=';
	*o++ = '"';
	dw->len += len + 3;
}

static void
attr_n(struct docw *dw, const char *name, size_t len, const char *v,
    size_t max)
{
	attr_start(dw, name, len);
	put_value(dw, v, max, 1);
	PUTS(dw, "\"");
}
#define attr(dw, lit, v, max)	attr_n((dw), (lit), sizeof(lit) - 1, (v), \
				    (max))

/* left out when empty */
#define attr_opt(dw, lit, v, max) do {					\
	const char	*v_ = (v);					\
									\
	if (v_[0] != '\0')						\
		attr((dw), lit, v_, (max));				\
} while (0)

/*
 * A value of our own making, short ASCII that needs no escaping (OIDs
 * checked by valid_oid(), names of our tables, times): as it is, and
 * never rewritten (an OID may contain an address's digits by chance).
 */
static void
attr_raw_n(struct docw *dw, const char *name, size_t len, const char *v)
{
	attr_start(dw, name, len);
	put(dw, v, strlen(v));
	PUTS(dw, "\"");
}
#define attr_raw(dw, lit, v)	attr_raw_n((dw), (lit), sizeof(lit) - 1, (v))

static void
attr_int_n(struct docw *dw, const char *name, size_t len, int64_t v)
{
	attr_start(dw, name, len);
	put_int(dw, v);
	PUTS(dw, "\"");
}
#define attr_int(dw, lit, v)	attr_int_n((dw), (lit), sizeof(lit) - 1, (v))

/* left out when the device did not say */
#define attr_int_opt(dw, lit, v) do {					\
	int64_t	 v_ = (v);						\
									\
	if (v_ != REPORT_NONE)						\
		attr_int((dw), lit, v_);				\
} while (0)

/* <ch:name>v</ch:name> on a line, left out when v is empty */
static void
leaf_n(struct docw *dw, const char *name, size_t len, const char *v,
    size_t max)
{
	if (v[0] == '\0')
		return;
	stag_n(dw, name, len);
	PUTS(dw, ">");
	put_value(dw, v, max, 0);
	etag_inline_n(dw, name, len);
}
#define leaf(dw, lit, v, max)	leaf_n((dw), (lit), sizeof(lit) - 1, (v), \
				    (max))

/* the same for a value of our own making (see attr_raw()) */
static void
leaf_raw_n(struct docw *dw, const char *name, size_t len, const char *v)
{
	stag_n(dw, name, len);
	PUTS(dw, ">");
	put(dw, v, strlen(v));
	etag_inline_n(dw, name, len);
}
#define leaf_raw(dw, lit, v)	leaf_raw_n((dw), (lit), sizeof(lit) - 1, (v))

/* a ch:Sourced element: the value and the OID it came from */
static void
sourced_n(struct docw *dw, const char *name, size_t len, const char *v,
    const char *src)
{
	if (v[0] == '\0')
		return;
	stag_n(dw, name, len);
	if (valid_oid(src))
		attr_raw(dw, "source", src);
	PUTS(dw, ">");
	put_value(dw, v, XS_TEXT, 0);
	etag_inline_n(dw, name, len);
}
#define sourced(dw, lit, v, src) sourced_n((dw), (lit), sizeof(lit) - 1, \
				    (v), (src))

/*
 * Device keys.
 */

static void
salted_key(const struct doc_params *p, const char *s, char *key)
{
	EVP_MD_CTX	*ctx;
	uint8_t		 h[TXLOG_HASH_LEN];
	char		 hex[TXLOG_HEX_LEN];
	unsigned int	 hl;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, p->salt, DOC_SALT_LEN) != 1 ||
	    EVP_DigestUpdate(ctx, s, strlen(s)) != 1 ||
	    EVP_DigestFinal_ex(ctx, h, &hl) != 1 || hl != sizeof(h))
		fatalx("SHA-256 of a device key");
	EVP_MD_CTX_free(ctx);
	digest_hex(h, hex);
	(void)snprintf(key, DOC_KEY_MAX, "anon:%.32s", hex);
}

void
document_device_key(const struct doc_params *p, const char *address,
    const char *vendor, const char *serial, char *key)
{
	char	 sk[REPORT_NAME + REPORT_STR + 16];

	if (serial[0] == '\0') {
		salted_key(p, address, key);
		return;
	}
	(void)snprintf(sk, sizeof(sk), "serial:%s:%s", vendor, serial);
	if ((p->send & CAT_BIT(CAT_IDENTITY)) && utf8_chars(sk) <= XS_TEXT)
		(void)strlcpy(key, sk, DOC_KEY_MAX);
	else
		salted_key(p, sk, key);
}

/*
 * Reading the cycle back.
 */

enum { CUR_METERS, CUR_SUPPLIES, CUR_ALERTS, NCUR };

struct cursor {
	sqlite3_stmt	*st;
	int64_t		 report;	/* of the current row; INT64_MAX: done */
	int		 failed;
};

static void
cur_next(struct cursor *c)
{
	int	 rc;

	if ((rc = sqlite3_step(c->st)) == SQLITE_ROW)
		c->report = sqlite3_column_int64(c->st, 0);
	else {
		c->report = INT64_MAX;
		if (rc != SQLITE_DONE)
			c->failed = 1;
	}
}

/* a column as text, "" for NULL */
static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char	*s = sqlite3_column_text(st, i);

	return s != NULL ? (const char *)s : "";
}

static int64_t
col_opt(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return REPORT_NONE;
	return sqlite3_column_int64(st, i);
}

/* skip rows of reports before this one (none in a well-formed cycle) */
static int
cur_at(struct cursor *c, int64_t report)
{
	while (c->report < report)
		cur_next(c);
	return c->report == report;
}

static void
write_meters(struct docw *dw, struct cursor *c, int64_t report)
{
	sqlite3_stmt	*st = c->st;
	int		 open = 0;
	int64_t		 v;

	/* report_id, name, unit, value, source */
	for (; cur_at(c, report); cur_next(c)) {
		if ((v = col_opt(st, 3)) == REPORT_NONE)
			continue;		/* no reading, no meter */
		if (!open) {
			stag(dw, "Meters");
			stag_end(dw);
			open = 1;
		}
		stag(dw, "Meter");
		attr(dw, "name", col(st, 1), XS_NAME);
		attr_opt(dw, "unit", col(st, 2), XS_NAME);
		if (valid_oid(col(st, 4)))
			attr_raw(dw, "source", col(st, 4));
		PUTS(dw, ">");
		put_int(dw, v);
		etag_inline(dw, "Meter");
	}
	if (open)
		etag(dw, "Meters");
}

static void
write_supplies(struct docw *dw, struct cursor *c, int64_t report)
{
	sqlite3_stmt	*st = c->st;
	const char	*descr, *color;
	int64_t		 pct;
	int		 open = 0;

	/* report_id, idx, description, class, type, color, unit, max,
	 * level, percent */
	for (; cur_at(c, report); cur_next(c)) {
		if (!open) {
			stag(dw, "Supplies");
			stag_end(dw);
			open = 1;
		}
		stag(dw, "Supply");
		attr(dw, "index", col(st, 1), XS_NAME);
		attr_opt(dw, "class", col(st, 3), XS_NAME);
		attr_opt(dw, "type", col(st, 4), XS_NAME);
		attr_opt(dw, "unit", col(st, 6), XS_NAME);
		/* -1 other, -2 unknown, -3 some remaining: as they are */
		attr_int_opt(dw, "max", col_opt(st, 7));
		attr_int_opt(dw, "level", col_opt(st, 8));
		pct = col_opt(st, 9);
		if (pct >= 0 && pct <= 100)
			attr_int(dw, "percent", pct);
		descr = col(st, 2);
		color = col(st, 5);
		if (descr[0] == '\0' && color[0] == '\0') {
			PUTS(dw, "/>");
			continue;
		}
		stag_end(dw);
		leaf(dw, "Description", descr, XS_TEXT);
		leaf(dw, "Color", color, XS_NAME);
		etag(dw, "Supply");
	}
	if (open)
		etag(dw, "Supplies");
}

static void
write_alerts(struct docw *dw, struct cursor *c, int64_t report)
{
	sqlite3_stmt	*st = c->st;
	const char	*descr;
	int		 open = 0;

	/* report_id, idx, severity, grp, code, description, time */
	for (; cur_at(c, report); cur_next(c)) {
		if (!open) {
			stag(dw, "Alerts");
			stag_end(dw);
			open = 1;
		}
		stag(dw, "Alert");
		attr(dw, "index", col(st, 1), XS_NAME);
		attr_opt(dw, "severity", col(st, 2), XS_NAME);
		attr_opt(dw, "group", col(st, 3), XS_NAME);
		attr_opt(dw, "code", col(st, 4), XS_NAME);
		attr_int_opt(dw, "time", col_opt(st, 6));
		if ((descr = col(st, 5))[0] == '\0') {
			PUTS(dw, "/>");
			continue;
		}
		stag_end(dw);
		leaf(dw, "Description", descr, XS_TEXT);
		etag(dw, "Alert");
	}
	if (open)
		etag(dw, "Alerts");
}

/* the host part of "1.2.3.4:161" or "[::1]:161" */
static void
device_host(struct docw *dw, const char *address)
{
	const char	*p;
	size_t		 n;

	dw->cls[(unsigned char)dw->host[0]] &= ~C_HOST;
	dw->host[0] = '\0';
	dw->hostlen = 0;
	if (dw->p->send & CAT_BIT(CAT_DEVICE_ADDRESS))
		return;
	if (address[0] == '[') {
		address++;
		n = (p = strchr(address, ']')) != NULL ?
		    (size_t)(p - address) : strlen(address);
	} else if ((p = strchr(address, ':')) != NULL &&
	    strchr(p + 1, ':') == NULL)
		n = (size_t)(p - address);	/* IPv4 with a port */
	else
		n = strlen(address);
	if (n == 0 || n >= sizeof(dw->host))
		return;
	memcpy(dw->host, address, n);
	dw->host[n] = '\0';
	dw->hostlen = n;
	dw->cls[(unsigned char)dw->host[0]] |= C_HOST;
}

static void
write_status(struct docw *dw, const struct rpt_device *d)
{
	const char	*name;
	int		 i, any = 0;

	if (d->device_status == REPORT_NONE &&
	    d->printer_status == REPORT_NONE && d->uptime == REPORT_NONE &&
	    d->errors == -1)
		return;
	stag(dw, "Status");
	if (d->device_status != REPORT_NONE) {
		if ((name = hr_device_status_name(d->device_status)) != NULL)
			attr_raw(dw, "device", name);
		else
			attr_int(dw, "device", d->device_status);
	}
	if (d->printer_status != REPORT_NONE) {
		if ((name = hr_printer_status_name(d->printer_status)) !=
		    NULL)
			attr_raw(dw, "printer", name);
		else
			attr_int(dw, "printer", d->printer_status);
	}
	attr_int_opt(dw, "uptime", d->uptime);
	if (d->errors != -1)
		attr_raw(dw, "errorsReported", "true");
	for (i = 0; d->errors != -1 && i < PRT_ERR_BITS; i++) {
		if (!(d->errors & (1 << i)))
			continue;
		if (!any)
			stag_end(dw);
		any = 1;
		leaf_raw(dw, "Error", prt_error_name(i));
	}
	if (any)
		etag(dw, "Status");
	else
		PUTS(dw, "/>");
}

static int
enterprise_ok(int64_t e)
{
	return e >= 0 && e <= (int64_t)UINT32_MAX;
}

static void
write_device(struct docw *dw, const struct rpt_device *d, int64_t report,
    struct cursor *cur)
{
	uint32_t	 send = dw->p->send;
	char		 key[DOC_KEY_MAX], when[32];

	device_host(dw, d->address);
	document_device_key(dw->p, d->address, d->vendor, d->serial, key);
	document_time(d->collected, when, sizeof(when));

	stag(dw, "Device");
	attr(dw, "key", key, XS_TEXT);
	attr_raw(dw, "outcome", dev_outcome_name(d->outcome));
	attr_raw(dw, "collected", when);
	stag_end(dw);
	if (send & CAT_BIT(CAT_DEVICE_ADDRESS))
		leaf(dw, "Address", d->address, XS_NAME);
	leaf(dw, "Reason", d->reason, XS_TEXT);

	if ((send & CAT_BIT(CAT_IDENTITY)) && (d->vendor[0] != '\0' ||
	    d->model[0] != '\0' || d->serial[0] != '\0' ||
	    d->firmware[0] != '\0' || valid_oid(d->sysobjectid) ||
	    enterprise_ok(d->enterprise) || d->sysdescr[0] != '\0')) {
		stag(dw, "Identity");
		stag_end(dw);
		leaf(dw, "Vendor", d->vendor, XS_NAME);
		sourced(dw, "Model", d->model, d->model_source);
		sourced(dw, "Serial", d->serial, d->serial_source);
		sourced(dw, "Firmware", d->firmware, d->firmware_source);
		if (valid_oid(d->sysobjectid))
			leaf_raw(dw, "SysObjectID", d->sysobjectid);
		if (enterprise_ok(d->enterprise)) {
			stag(dw, "Enterprise");
			PUTS(dw, ">");
			put_int(dw, d->enterprise);
			etag_inline(dw, "Enterprise");
		}
		leaf(dw, "SysDescr", d->sysdescr, XS_TEXT);
		etag(dw, "Identity");
	}
	if ((send & CAT_BIT(CAT_PII)) && (d->sysname[0] != '\0' ||
	    d->syscontact[0] != '\0' || d->syslocation[0] != '\0')) {
		stag(dw, "Contact");
		stag_end(dw);
		leaf(dw, "SysName", d->sysname, XS_TEXT);
		leaf(dw, "SysContact", d->syscontact, XS_TEXT);
		leaf(dw, "SysLocation", d->syslocation, XS_TEXT);
		etag(dw, "Contact");
	}
	if (send & CAT_BIT(CAT_ALERTS))
		write_status(dw, d);
	if (cur[CUR_METERS].st != NULL)
		write_meters(dw, &cur[CUR_METERS], report);
	if (cur[CUR_SUPPLIES].st != NULL)
		write_supplies(dw, &cur[CUR_SUPPLIES], report);
	if (cur[CUR_ALERTS].st != NULL)
		write_alerts(dw, &cur[CUR_ALERTS], report);
	etag(dw, "Device");
}

/*
 * The document.
 */

static const char *const rows_sql[NCUR] = {
	"SELECT report_id, " READINGS_METER_COLS " FROM meters "
	    "WHERE report_id BETWEEN ?1 AND ?2 ORDER BY report_id, ordinal",
	"SELECT report_id, " READINGS_SUPPLY_COLS " FROM supplies "
	    "WHERE report_id BETWEEN ?1 AND ?2 ORDER BY report_id, ordinal",
	"SELECT report_id, " READINGS_ALERT_COLS " FROM alerts "
	    "WHERE report_id BETWEEN ?1 AND ?2 ORDER BY report_id, ordinal",
};
static const enum category rows_cat[NCUR] = {
	CAT_METERS, CAT_SUPPLIES, CAT_ALERTS
};

/* the envelope's start, up to and with Devices */
static void
write_head(struct docw *dw, int64_t cycle, const char *reason,
    int64_t started, int64_t finished)
{
	const struct doc_params	*p = dw->p;
	char			 cats[256], when[32];

	PUTS(dw, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<env:Envelope xmlns:env=\"" SOAP_NS "\">\n"
	    " <env:Body>\n"
	    "  <ch:Upload xmlns:ch=\"" CALLHOME_NS "\" version=\"1\">");
	dw->depth = 3;

	stag(dw, "Gateway");
	attr(dw, "id", p->gateway, XS_TEXT);
	attr_raw(dw, "software", DOC_SOFTWARE);
	PUTS(dw, "/>");
	if (p->send & CAT_BIT(CAT_SITE_INFO))
		leaf(dw, "Site", p->site, XS_TEXT);

	stag(dw, "Cycle");
	attr_int(dw, "id", cycle);
	attr(dw, "reason", reason, XS_NAME);
	document_time(started, when, sizeof(when));
	attr_raw(dw, "started", when);
	document_time(finished, when, sizeof(when));
	attr_raw(dw, "finished", when);
	PUTS(dw, "/>");

	leaf_raw(dw, "Categories", category_list(p->send, cats,
	    sizeof(cats)));
	stag(dw, "Devices");
	stag_end(dw);
}

static void
write_tail(struct docw *dw)
{
	etag(dw, "Devices");
	PUTS(dw, "\n  </ch:Upload>\n </env:Body>\n</env:Envelope>\n");
}

int
document_build(sqlite3 *db, int64_t cycle, const struct doc_params *p,
    struct wbuf *out, char *err, size_t errlen)
{
	static struct docw	 dw;
	static struct rpt_device d;
	struct cursor		 cur[NCUR];
	sqlite3_stmt		*st = NULL, *rep = NULL;
	char			 reason[REPORT_NAME];
	int64_t			 started, finished, lo = 0, hi = -1, id,
				 last = INT64_MIN;
	int			 i, rc, ret = -1;

	memset(cur, 0, sizeof(cur));
	dw.o = NULL;
	dw.cap = 0;
	dw.p = p;
	dw.len = 0;
	dw.depth = 0;
	dw.host[0] = '\0';
	dw.hostlen = 0;
	cls_init(&dw);

	/* the cycle and the range of its reports */
	if (sqlite3_prepare_v2(db, "SELECT c.reason, c.started, c.finished, "
	    "(SELECT min(id) FROM reports WHERE cycle_id = c.id), "
	    "(SELECT max(id) FROM reports WHERE cycle_id = c.id) "
	    "FROM cycles c WHERE c.id = ?1", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, cycle) != SQLITE_OK)
		goto dberr;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			goto dberr;
		set_err(err, errlen, "cycle %" PRId64 " is not stored",
		    cycle);
		goto done;
	}
	(void)strlcpy(reason, col(st, 0), sizeof(reason));
	started = sqlite3_column_int64(st, 1);
	finished = sqlite3_column_int64(st, 2);
	if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
		lo = sqlite3_column_int64(st, 3);
		hi = sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	st = NULL;

	if (sqlite3_prepare_v2(db, "SELECT id, " READINGS_DEVICE_COLS
	    " FROM reports WHERE cycle_id = ?1 ORDER BY ordinal", -1, &rep,
	    NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(rep, 1, cycle) != SQLITE_OK)
		goto dberr;
	for (i = 0; i < NCUR; i++) {
		cur[i].report = INT64_MAX;
		if (!(p->send & CAT_BIT(rows_cat[i])))
			continue;	/* not sent, not read */
		if (sqlite3_prepare_v2(db, rows_sql[i], -1, &cur[i].st,
		    NULL) != SQLITE_OK ||
		    sqlite3_bind_int64(cur[i].st, 1, lo) != SQLITE_OK ||
		    sqlite3_bind_int64(cur[i].st, 2, hi) != SQLITE_OK)
			goto dberr;
		cur_next(&cur[i]);
	}

	write_head(&dw, cycle, reason, started, finished);
	while ((rc = sqlite3_step(rep)) == SQLITE_ROW) {
		id = sqlite3_column_int64(rep, 0);
		if (id <= last) {
			set_err(err, errlen, "cycle %" PRId64 ": reports are "
			    "not stored in order", cycle);
			goto done;
		}
		last = id;
		readings_column_device(rep, 1, &d);
		write_device(&dw, &d, id, cur);
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	for (i = 0; i < NCUR; i++)
		if (cur[i].failed)
			goto dberr;
	write_tail(&dw);
	ret = 0;
	goto done;
 dberr:
	set_err(err, errlen, "reading cycle %" PRId64 ": %s", cycle,
	    sqlite3_errmsg(db));
 done:
	if (ret == 0 && out->len == 0) {
		/* hand the buffer over (a wbuf is malloc'd memory) */
		wbuf_free(out);
		out->data = (uint8_t *)dw.o;
		out->len = dw.len;
		out->cap = dw.cap;
	} else {
		if (ret == 0)
			wbuf_bytes(out, dw.o, dw.len);
		free(dw.o);
	}
	dw.o = NULL;
	dw.len = dw.cap = 0;
	sqlite3_finalize(st);
	sqlite3_finalize(rep);
	for (i = 0; i < NCUR; i++)
		sqlite3_finalize(cur[i].st);
	return ret;
}
