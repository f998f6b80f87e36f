/*
 * The pre-scan of an uploaded document: one linear pass over its bytes,
 * before libxml2 is given them, that refuses what would make libxml2
 * work too hard (see check.h).  It recognises just enough of XML to
 * count: markup starts with '<'; comments, CDATA sections and processing
 * instructions are skipped to their end; a start tag is a name and
 * name="value" pairs; an end tag is a name.  Anything it does not
 * recognise there is refused, which is no loss: libxml2 would refuse it
 * as not well-formed.  What it lets through, libxml2 still parses in full.
 *
 * It counts, never fewer than libxml2 builds:
 *	attributes of one element	every name="value" pair, namespace
 *					declarations too
 *	nesting depth			the root element is at depth 1
 *	nodes				each element; each attribute twice
 *					(the attribute and its text); each run
 *					of text, comment, CDATA section and
 *					processing instruction; one more for
 *					each '&' (a reference may split text)
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "xmlsafe.h"

struct scanner {
	const uint8_t			*p;
	size_t				 len;
	size_t				 i;
	const struct comms_scan_limits	*lim;
	struct comms_scan		*sc;
	char				*err;
	size_t				 errlen;
};

static int	scan_fail(struct scanner *, enum comms_scan_why, const char *,
		    ...) __attribute__((__format__(printf, 3, 4)));

static int
scan_fail(struct scanner *s, enum comms_scan_why why, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[256];

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->sc->why = why;
	s->sc->where = s->i;
	if (s->err != NULL && s->errlen > 0)
		(void)snprintf(s->err, s->errlen, "%s (at byte %zu)", msg,
		    s->i);
	return -1;
}

static int
add_nodes(struct scanner *s, uint64_t n)
{
	s->sc->nodes += n;
	if (s->sc->nodes > s->lim->max_nodes)
		return scan_fail(s, COMMS_SCAN_LIMIT, "more than %u XML "
		    "nodes", s->lim->max_nodes);
	return 0;
}

static int
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* what ends a name */
static int
is_delim(uint8_t c)
{
	return is_space(c) || c == '/' || c == '>' || c == '=' || c == '<' ||
	    c == '"' || c == '\'' || c == '?' || c == '!';
}

static void
skip_space(struct scanner *s)
{
	while (s->i < s->len && is_space(s->p[s->i]))
		s->i++;
}

/* '&' in [from, to): each may become a node of its own */
static uint64_t
count_amps(const uint8_t *p, size_t from, size_t to)
{
	uint64_t	 n = 0;

	for (; from < to; from++)
		if (p[from] == '&')
			n++;
	return n;
}

/* a name at s->i: its length, or -1 when empty or too long */
static int
scan_name(struct scanner *s, const char *what)
{
	size_t	 start = s->i;

	while (s->i < s->len && !is_delim(s->p[s->i]))
		s->i++;
	if (s->i == start)
		return scan_fail(s, COMMS_SCAN_MALFORMED, "malformed %s",
		    what);
	if (s->i - start > s->lim->max_name) {
		s->i = start;
		return scan_fail(s, COMMS_SCAN_LIMIT, "%s name longer than "
		    "%u bytes", what, s->lim->max_name);
	}
	return 0;
}

/* skip past the first occurrence of end (from s->i): one node */
static int
skip_to(struct scanner *s, const char *end, const char *what)
{
	const uint8_t	*e;
	size_t		 elen = strlen(end);

	e = memmem(s->p + s->i, s->len - s->i, end, elen);
	if (e == NULL)
		return scan_fail(s, COMMS_SCAN_MALFORMED, "unterminated %s",
		    what);
	s->i = (size_t)(e - s->p) + elen;
	return add_nodes(s, 1);
}

/* one name="value" at s->i */
static int
scan_attribute(struct scanner *s)
{
	const uint8_t	*q;
	size_t		 vstart;

	if (scan_name(s, "attribute") == -1)
		return -1;
	skip_space(s);
	if (s->i >= s->len || s->p[s->i] != '=')
		return scan_fail(s, COMMS_SCAN_MALFORMED, "attribute without "
		    "a value");
	s->i++;
	skip_space(s);
	if (s->i >= s->len || (s->p[s->i] != '"' && s->p[s->i] != '\''))
		return scan_fail(s, COMMS_SCAN_MALFORMED, "attribute value "
		    "not quoted");
	vstart = s->i + 1;
	q = memchr(s->p + vstart, s->p[s->i], s->len - vstart);
	if (q == NULL)
		return scan_fail(s, COMMS_SCAN_MALFORMED, "unterminated "
		    "attribute value");
	if (memchr(s->p + vstart, '<', (size_t)(q - s->p) - vstart) != NULL)
		return scan_fail(s, COMMS_SCAN_MALFORMED, "'<' in an "
		    "attribute value");
	s->i = (size_t)(q - s->p) + 1;
	return add_nodes(s, 2 + count_amps(s->p, vstart, s->i - 1));
}

/* a start tag, s->i on its '<' */
static int
scan_start_tag(struct scanner *s, uint32_t *depth)
{
	uint32_t	 nattrs = 0, level = *depth + 1;

	if (level > s->lim->max_depth)
		return scan_fail(s, COMMS_SCAN_LIMIT, "elements nested deeper "
		    "than %u", s->lim->max_depth);
	if (level > s->sc->max_depth_seen)
		s->sc->max_depth_seen = level;
	s->i++;
	if (scan_name(s, "element") == -1 || add_nodes(s, 1) == -1)
		return -1;
	for (;;) {
		skip_space(s);
		if (s->i >= s->len)
			return scan_fail(s, COMMS_SCAN_MALFORMED,
			    "unterminated start tag");
		if (s->p[s->i] == '>') {
			s->i++;
			*depth = level;
			return 0;
		}
		if (s->p[s->i] == '/') {
			if (s->i + 1 >= s->len || s->p[s->i + 1] != '>')
				return scan_fail(s, COMMS_SCAN_MALFORMED,
				    "malformed start tag");
			s->i += 2;
			return 0;
		}
		if (++nattrs > s->lim->max_attrs)
			return scan_fail(s, COMMS_SCAN_LIMIT, "more than %u "
			    "attributes on one element", s->lim->max_attrs);
		if (nattrs > s->sc->max_attrs_seen)
			s->sc->max_attrs_seen = nattrs;
		if (scan_attribute(s) == -1)
			return -1;
	}
}

/* an end tag, s->i on its '<' */
static int
scan_end_tag(struct scanner *s, uint32_t *depth)
{
	if (*depth == 0)
		return scan_fail(s, COMMS_SCAN_MALFORMED, "an end tag without "
		    "a start tag");
	s->i += 2;
	if (scan_name(s, "end tag") == -1)
		return -1;
	skip_space(s);
	if (s->i >= s->len || s->p[s->i] != '>')
		return scan_fail(s, COMMS_SCAN_MALFORMED, "malformed end "
		    "tag");
	s->i++;
	(*depth)--;
	return 0;
}

static int
starts(const struct scanner *s, const char *what)
{
	size_t	 n = strlen(what);

	return s->len - s->i >= n && memcmp(s->p + s->i, what, n) == 0;
}

static int
scan_markup(struct scanner *s, uint32_t *depth)
{
	if (s->i + 1 >= s->len)
		return scan_fail(s, COMMS_SCAN_MALFORMED, "truncated markup");
	switch (s->p[s->i + 1]) {
	case '?':
		s->i += 2;
		return skip_to(s, "?>", "processing instruction");
	case '!':
		if (starts(s, "<!--")) {
			s->i += 4;
			return skip_to(s, "-->", "comment");
		}
		if (starts(s, "<![CDATA[")) {
			s->i += 9;
			return skip_to(s, "]]>", "CDATA section");
		}
		return scan_fail(s, COMMS_SCAN_DECLARATION, "a markup "
		    "declaration is not allowed");
	case '/':
		return scan_end_tag(s, depth);
	default:
		return scan_start_tag(s, depth);
	}
}

int
comms_prescan(const uint8_t *p, size_t len,
    const struct comms_scan_limits *lim, struct comms_scan *sc, char *err,
    size_t errlen)
{
	struct scanner	 s;
	const uint8_t	*lt;
	size_t		 end;
	uint32_t	 depth = 0;

	memset(sc, 0, sizeof(*sc));
	memset(&s, 0, sizeof(s));
	s.p = p;
	s.len = len;
	s.lim = lim;
	s.sc = sc;
	s.err = err;
	s.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	while (s.i < len) {
		if (p[s.i] == '<') {
			if (scan_markup(&s, &depth) == -1)
				return -1;
			continue;
		}
		/* a run of text, to the next markup */
		lt = memchr(p + s.i, '<', len - s.i);
		end = lt != NULL ? (size_t)(lt - p) : len;
		if (add_nodes(&s, 1 + count_amps(p, s.i, end)) == -1)
			return -1;
		s.i = end;
	}
	return 0;
}

void
comms_scan_limits_default(struct comms_scan_limits *lim)
{
	lim->max_attrs = COMMS_DEFAULT_MAX_ATTRS;
	lim->max_nodes = COMMS_DEFAULT_MAX_NODES;
	lim->max_name = COMMS_SCAN_MAX_NAME;
	lim->max_depth = XML_MAX_DEPTH;
}
