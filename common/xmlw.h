/*
 * A small, fast XML writer for the documents callhome builds (uploads,
 * check-ins): straight into a buffer of its own that grows with
 * realloc() (a general XML writer cost five times as much for a large
 * cycle), elements of one namespace prefix, one per line and indented one
 * space per level down to line_depth (deeper, an element stays on its
 * parent's line: every indentation is one more text node for whoever
 * parses it), attributes in the order the calls give.
 *
 * Values are made safe as they are written: XML characters only (any
 * other byte becomes U+FFFD), at most a given number of characters, and
 * escaped (& < > in text; & < > " and white space other than the space in
 * attributes).  One text may be redacted: every occurrence of it in a
 * value, and its start when a value was cut in the middle of it, becomes
 * "[address]" (the device's own address, when addresses are not sent).
 * Nearly every value is short ASCII with nothing to do and is copied as
 * it is, after one table lookup per byte.
 *
 * Element and attribute names are literals: the macros pass their
 * lengths, known at compile time.  Values "of our own making" (the _raw
 * calls: OIDs checked by the caller, names of our tables, times) are
 * written as they are and never redacted.
 */
#ifndef CALLHOME_XMLW_H
#define CALLHOME_XMLW_H

#include <stddef.h>
#include <stdint.h>

#define XMLW_TEXT_MAX	1023	/* the longest value, in characters */
#define XMLW_REDACT_MAX	63	/* the longest text to redact, in bytes */

struct xmlw {
	char		*o;		/* the document */
	size_t		 len;
	size_t		 cap;
	int		 depth;		/* elements open */
	int		 line_depth;	/* lines and indents down to this */
	char		 prefix[16];	/* "ch:" */
	size_t		 prefixlen;
	char		 redact[XMLW_REDACT_MAX + 1];
	size_t		 redactlen;
	char		 tmp[4 * XMLW_TEXT_MAX + 16];
	uint8_t		 cls[256];
};

void	xmlw_init(struct xmlw *, const char *prefix, int line_depth);
/* the document, handed over (malloc'd; NULL if empty); the writer empty */
char	*xmlw_take(struct xmlw *, size_t *len);
void	xmlw_free(struct xmlw *);
/* the text to redact in the values from now on ("" for none) */
void	xmlw_redact(struct xmlw *, const char *);

void	xmlw_put(struct xmlw *, const char *, size_t);
#define XMLW_PUTS(w, lit)	xmlw_put((w), (lit), sizeof(lit) - 1)
void	xmlw_int(struct xmlw *, int64_t);
/* a value: safe, cut to max characters, escaped (attr: as an attribute) */
void	xmlw_value(struct xmlw *, const char *, size_t max, int attr);

void	xmlw_stag_n(struct xmlw *, const char *, size_t);	/* "<p:name" */
void	xmlw_stag_end(struct xmlw *);				/* ">", deeper */
void	xmlw_etag_n(struct xmlw *, const char *, size_t);	/* "</p:name>" */
void	xmlw_etag_inline_n(struct xmlw *, const char *, size_t);
void	xmlw_attr_n(struct xmlw *, const char *, size_t, const char *,
	    size_t max);
void	xmlw_attr_raw_n(struct xmlw *, const char *, size_t, const char *);
void	xmlw_attr_int_n(struct xmlw *, const char *, size_t, int64_t);
/* <p:name>v</p:name> on a line, left out when v is empty */
void	xmlw_leaf_n(struct xmlw *, const char *, size_t, const char *,
	    size_t max);
void	xmlw_leaf_raw_n(struct xmlw *, const char *, size_t, const char *);

#define xmlw_stag(w, lit)	xmlw_stag_n((w), (lit), sizeof(lit) - 1)
#define xmlw_etag(w, lit)	xmlw_etag_n((w), (lit), sizeof(lit) - 1)
#define xmlw_etag_inline(w, lit) xmlw_etag_inline_n((w), (lit), \
				    sizeof(lit) - 1)
#define xmlw_attr(w, lit, v, max) xmlw_attr_n((w), (lit), sizeof(lit) - 1, \
				    (v), (max))
#define xmlw_attr_raw(w, lit, v) xmlw_attr_raw_n((w), (lit), \
				    sizeof(lit) - 1, (v))
#define xmlw_attr_int(w, lit, v) xmlw_attr_int_n((w), (lit), \
				    sizeof(lit) - 1, (v))
#define xmlw_leaf(w, lit, v, max) xmlw_leaf_n((w), (lit), sizeof(lit) - 1, \
				    (v), (max))
#define xmlw_leaf_raw(w, lit, v) xmlw_leaf_raw_n((w), (lit), \
				    sizeof(lit) - 1, (v))

/* text helpers, also for other writers */
/* one UTF-8 sequence at p (NUL-terminated): its length, 0 if not valid */
int	utf8_decode(const unsigned char *, uint32_t *cp);
/* a character XML 1.0 allows */
int	xml_char(uint32_t);
/* characters (not bytes) of a valid UTF-8 string */
size_t	utf8_chars(const char *);

#endif /* CALLHOME_XMLW_H */
