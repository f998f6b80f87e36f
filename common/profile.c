/*
 * Vendor profiles: a small hand-written lexer and statement parser for the
 * files of etc/profiles, loading a directory of them, choosing one for a
 * device, naming the rows of vendor counter tables, and the imsg codec
 * that carries a parsed set to collectd.
 *
 * The lexer turns the text into words, quoted strings, "{", "}" and ends
 * of lines; "#" starts a comment and a backslash at the end of a line
 * joins it to the next.  The parser reads one statement per line (a
 * meter-table's map block spans lines).  Every error is logged as
 * "file:line: why" and parsing goes on with the next line, so that one
 * run shows them all.  The decoder holds what it receives to the same
 * rules as the parser (profile_check()), so that collectd never works on
 * a profile the parser would have refused.
 */
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "log.h"
#include "profile.h"

#define PROFILE_SUFFIX		".profile"
#define TOKEN_MAX		SNMP_OID_STRLEN	/* longest word, NUL excluded */

/* sysObjectID of enterprise N: 1.3.6.1.4.1.N... */
static const uint32_t	 enterprises[] = { 1, 3, 6, 1, 4, 1 };
#define ENTERPRISES_LEN		(sizeof(enterprises) / sizeof(enterprises[0]))

static const char *const units[] = {
	"impressions", "sheets", "pages", "lines", "characters", "feet",
	"meters", "hours", "items", "percent", "other", NULL
};

/* the operations of text rules, indexed by enum profile_op_kind */
static const char *const op_names[] = {
	NULL, "after", "before", "cut", "drop-prefix", "drop-suffix",
	"unless", "require"
};
_Static_assert(sizeof(op_names) / sizeof(op_names[0]) == PROFILE_OP_MAX + 1,
    "op_names and enum profile_op_kind disagree");

const char *
profile_op_name(int kind)
{
	if (kind < 1 || kind > PROFILE_OP_MAX)
		return NULL;
	return op_names[kind];
}

/*
 * The checks shared by the parser and the decoder.  Each returns NULL when
 * the value is acceptable, else why not.
 */

static int
is_lower_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int
is_alnum(int c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static int
ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* length of the UTF-8 sequence at s (NUL-terminated), or 0 if invalid */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned char	 c = s[0], lo = 0x80, hi = 0xbf;
	size_t		 n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;		/* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;		/* nothing above U+10FFFF */
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;		/* also stops at the NUL */
		lo = 0x80;
		hi = 0xbf;
	}
	return n;
}

/* a vendor, brand or descr string: 1..REPORT_NAME-1 bytes of UTF-8 text */
static const char *
text_err(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 len = strlen(s), i, n;

	if (len == 0)
		return "empty string";
	if (len >= REPORT_NAME)
		return "string too long";
	for (i = 0; i < len; i += n) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			return "control character in string";
		if ((n = utf8_len(u + i)) == 0)
			return "string is not valid UTF-8";
	}
	return NULL;
}

/* a map row name: a text that also has no blank at either end */
static const char *
map_text_err(const char *s)
{
	const char	*why;
	size_t		 len;

	if ((why = text_err(s)) != NULL)
		return why;
	len = strlen(s);
	if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
	    s[len - 1] == '\t')
		return "row name begins or ends with a blank (rows are "
		    "matched after trimming)";
	return NULL;
}

/* our meter names: [a-z0-9-]+, "x-" kept for unmapped table rows */
static const char *
meter_name_err(const char *s)
{
	size_t	 len = strlen(s), i;

	if (len == 0)
		return "empty meter name";
	if (len >= REPORT_NAME)
		return "meter name too long";
	for (i = 0; i < len; i++)
		if (!is_lower_alnum((unsigned char)s[i]) && s[i] != '-')
			return "a meter name is made of a-z, 0-9 and \"-\"";
	if (strncmp(s, "x-", 2) == 0)
		return "meter names beginning with \"x-\" are kept for "
		    "unmapped table rows";
	return NULL;
}

static const char *
unit_err(const char *s)
{
	size_t	 i;

	for (i = 0; units[i] != NULL; i++)
		if (strcmp(s, units[i]) == 0)
			return NULL;
	return "unknown unit (impressions sheets pages lines characters "
	    "feet meters hours items percent other)";
}

/* what an SNMP request can carry: at least two arcs, valid first arcs */
static const char *
oid_err(const struct snmp_oid *o)
{
	if (o->len < 2 || o->len > SNMP_MAX_SUBIDS)
		return "an OID needs 2 to 128 arcs";
	if (o->sub[0] > 2 || (o->sub[0] < 2 && o->sub[1] >= 40))
		return "bad first arcs in OID";
	return NULL;
}

/* profile names come from file names: [A-Za-z0-9._-]+, alnum first */
static const char *
profile_name_err(const char *s)
{
	size_t	 len = strlen(s), i;

	if (len == 0 || len >= REPORT_NAME)
		return "profile name must be 1 to 63 characters";
	if (!is_alnum((unsigned char)s[0]))
		return "profile name must begin with a letter or digit";
	for (i = 0; i < len; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			return "profile name is made of letters, digits, "
			    "\".\", \"_\" and \"-\"";
	return NULL;
}

static int
ascii_casecmp(const char *a, const char *b)
{
	int	 ca, cb;

	for (;; a++, b++) {
		ca = ascii_lower((unsigned char)*a);
		cb = ascii_lower((unsigned char)*b);
		if (ca != cb || ca == '\0')
			return ca - cb;
	}
}

/* does a scalar meter or a map row of p already use this meter name? */
static int
meter_name_used(const struct profile *p, const char *name, size_t nmeter)
{
	size_t	 i;

	for (i = 0; i < nmeter; i++)
		if (strcmp(p->meter[i].name, name) == 0)
			return 1;
	return 0;
}

static int
map_name_used(const struct profile *p, const char *name)
{
	size_t	 i, j;

	for (i = 0; i < p->ntable; i++)
		for (j = 0; j < p->table[i].nmap; j++)
			if (strcmp(p->table[i].map[j].name, name) == 0)
				return 1;
	return 0;
}

/* a text rule: 1 to PROFILE_MAX_OPS known operations, each with a text */
static const char *
rule_err(const struct profile_rule *r)
{
	const char	*why;
	size_t		 i;

	if (r->nop == 0 || r->nop > PROFILE_MAX_OPS)
		return "a rule has 1 to 6 operations";
	for (i = 0; i < r->nop; i++) {
		if (profile_op_name(r->op[i].kind) == NULL)
			return "unknown operation";
		if ((why = text_err(r->op[i].text)) != NULL)
			return why;
	}
	return NULL;
}

static const char *
rules_err(const struct profile_rule *list, size_t n)
{
	const char	*why;
	size_t		 i;

	if (n > PROFILE_MAX_RULES)
		return "too many rules";
	for (i = 0; i < n; i++)
		if ((why = rule_err(&list[i])) != NULL)
			return why;
	return NULL;
}

/* the identity statements of a profile */
static const char *
identity_check(const struct profile *p)
{
	const char	*why;
	size_t		 i;

	if (p->ndevid > PROFILE_MAX_IDENT ||
	    p->nnot_model > PROFILE_MAX_NOTMODEL)
		return "too many entries";
	for (i = 0; i < p->ndevid; i++)
		if ((why = oid_err(&p->devid[i])) != NULL)
			return why;
	if ((why = rules_err(p->descr_model, p->ndescr_model)) != NULL ||
	    (why = rules_err(p->descr_serial, p->ndescr_serial)) != NULL ||
	    (why = rules_err(p->model_edit, p->nmodel_edit)) != NULL)
		return why;
	for (i = 0; i < p->nnot_model; i++)
		if ((why = text_err(p->not_model[i])) != NULL)
			return why;
	return NULL;
}

/* the whole profile, as the parser would have left it */
static const char *
profile_check(const struct profile *p)
{
	const struct profile_table	*t;
	const char			*why;
	size_t				 i, j, k;

	if ((why = profile_name_err(p->name)) != NULL)
		return why;
	if ((why = text_err(p->vendor)) != NULL)
		return why;
	if (p->nenterprise > PROFILE_MAX_MATCH ||
	    p->noid > PROFILE_MAX_MATCH || p->ndescr > PROFILE_MAX_MATCH ||
	    p->nbrand > PROFILE_MAX_BRANDS || p->nserial > PROFILE_MAX_IDENT ||
	    p->nmodel > PROFILE_MAX_IDENT ||
	    p->nfirmware > PROFILE_MAX_IDENT ||
	    p->nmeter > PROFILE_MAX_METERS || p->ntable > PROFILE_MAX_TABLES)
		return "too many entries";
	if (p->nenterprise + p->noid + p->ndescr + p->nbrand == 0)
		return "no match line";
	for (i = 0; i < p->noid; i++)
		if ((why = oid_err(&p->oid[i])) != NULL)
			return why;
	for (i = 0; i < p->ndescr; i++)
		if ((why = text_err(p->descr[i])) != NULL)
			return why;
	for (i = 0; i < p->nbrand; i++)
		if ((why = text_err(p->brand[i].name)) != NULL ||
		    (why = text_err(p->brand[i].descr)) != NULL)
			return why;
	for (i = 0; i < p->nserial; i++)
		if ((why = oid_err(&p->serial[i])) != NULL)
			return why;
	for (i = 0; i < p->nmodel; i++)
		if ((why = oid_err(&p->model[i])) != NULL)
			return why;
	for (i = 0; i < p->nfirmware; i++)
		if ((why = oid_err(&p->firmware[i])) != NULL)
			return why;
	for (i = 0; i < p->nmeter; i++) {
		if ((why = meter_name_err(p->meter[i].name)) != NULL ||
		    (why = unit_err(p->meter[i].unit)) != NULL ||
		    (why = oid_err(&p->meter[i].oid)) != NULL)
			return why;
		if (meter_name_used(p, p->meter[i].name, i))
			return "meter name used twice";
	}
	for (i = 0; i < p->ntable; i++) {
		t = &p->table[i];
		if ((why = oid_err(&t->values)) != NULL ||
		    (why = oid_err(&t->names)) != NULL ||
		    (why = unit_err(t->unit)) != NULL)
			return why;
		if (t->nmap > PROFILE_MAX_MAP)
			return "too many map rows";
		for (j = 0; j < t->nmap; j++) {
			if ((why = map_text_err(t->map[j].text)) != NULL ||
			    (why = meter_name_err(t->map[j].name)) != NULL)
				return why;
			if (meter_name_used(p, t->map[j].name, p->nmeter))
				return "map row uses the name of a meter";
			for (k = 0; k < j; k++)
				if (ascii_casecmp(t->map[k].text,
				    t->map[j].text) == 0)
					return "map row given twice";
		}
	}
	return identity_check(p);
}

/*
 * The lexer.
 */

enum token {
	T_EOF,
	T_NL,
	T_WORD,
	T_STRING,
	T_LBRACE,
	T_RBRACE,
	T_ERROR		/* already reported; the rest of its line is gone */
};

struct lexer {
	const char		*file;
	const unsigned char	*p, *end;
	int			 line;		/* where p is */
	int			 nerr;
	enum token		 t;		/* the current token */
	int			 tline;		/* its line */
	size_t			 tlen;
	char			 text[TOKEN_MAX + 1];
};

static void perr(struct lexer *, int, const char *, ...)
    __attribute__((__format__(printf, 3, 4)));

static void
perr(struct lexer *lx, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[512];

	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		(void)strlcpy(msg, "error", sizeof(msg));
	va_end(ap);
	log_warnx("%s:%d: %s", lx->file, line, msg);
	lx->nerr++;
}

/* a word: printable ASCII but blanks and " { } # \ */
static int
word_char(int c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != '{' && c != '}' &&
	    c != '#' && c != '\\';
}

/* a backslash that ends the line joins the next one */
static int
continuation(struct lexer *lx)
{
	const unsigned char	*p = lx->p;

	if (p + 1 < lx->end && p[1] == '\n') {
		lx->p += 2;
		lx->line++;
		return 1;
	}
	if (p + 2 < lx->end && p[1] == '\r' && p[2] == '\n') {
		lx->p += 3;
		lx->line++;
		return 1;
	}
	return 0;
}

/* after an error: drop the rest of the line, not its end */
static void
lex_fail(struct lexer *lx)
{
	while (lx->p < lx->end && *lx->p != '\n')
		lx->p++;
	lx->t = T_ERROR;
	lx->tlen = 0;
	lx->text[0] = '\0';
}

static void
lex_string(struct lexer *lx)
{
	const char	*why;
	int		 c, toolong = 0;

	lx->p++;				/* the opening quote */
	for (;;) {
		if (lx->p >= lx->end || *lx->p == '\n') {
			perr(lx, lx->tline, "unterminated string");
			lex_fail(lx);
			return;
		}
		c = *lx->p++;
		if (c == '"')
			break;
		if (c == '\\') {
			if (lx->p >= lx->end || (*lx->p != '"' &&
			    *lx->p != '\\')) {
				perr(lx, lx->tline, "only \\\" and \\\\ may "
				    "be escaped in a string");
				lex_fail(lx);
				return;
			}
			c = *lx->p++;
		} else if (c < 0x20 || c == 0x7f) {
			perr(lx, lx->tline, "%s in string", c == 0 ?
			    "NUL byte" : "control character");
			lex_fail(lx);
			return;
		}
		if (lx->tlen < REPORT_NAME - 1)
			lx->text[lx->tlen++] = c;
		else
			toolong = 1;
	}
	lx->text[lx->tlen] = '\0';
	if (toolong) {
		perr(lx, lx->tline, "string longer than %d bytes",
		    REPORT_NAME - 1);
		lex_fail(lx);
		return;
	}
	/* empty strings are judged by the statement that reads them */
	if (lx->tlen > 0 && (why = text_err(lx->text)) != NULL) {
		perr(lx, lx->tline, "%s", why);
		lex_fail(lx);
		return;
	}
	lx->t = T_STRING;
}

static void
lex_word(struct lexer *lx)
{
	while (lx->p < lx->end && word_char(*lx->p)) {
		if (lx->tlen == TOKEN_MAX) {
			perr(lx, lx->tline, "word longer than %d bytes",
			    TOKEN_MAX);
			lex_fail(lx);
			return;
		}
		lx->text[lx->tlen++] = *lx->p++;
	}
	lx->text[lx->tlen] = '\0';
	lx->t = T_WORD;
}

static void
lex_next(struct lexer *lx)
{
	int	 c;

	while (lx->p < lx->end) {
		c = *lx->p;
		if (c == ' ' || c == '\t' || c == '\r')
			lx->p++;
		else if (c == '\\' && continuation(lx))
			continue;
		else if (c == '#') {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else
			break;
	}
	lx->tline = lx->line;
	lx->tlen = 0;
	lx->text[0] = '\0';
	if (lx->p >= lx->end) {
		lx->t = T_EOF;
		return;
	}
	c = *lx->p;
	if (c == '\n') {
		lx->p++;
		lx->line++;
		lx->t = T_NL;
	} else if (c == '{') {
		lx->p++;
		lx->t = T_LBRACE;
	} else if (c == '}') {
		lx->p++;
		lx->t = T_RBRACE;
	} else if (c == '"')
		lex_string(lx);
	else if (word_char(c))
		lex_word(lx);
	else {
		if (c == '\\')
			perr(lx, lx->tline, "a backslash may only end a line");
		else if (c == 0)
			perr(lx, lx->tline, "NUL byte");
		else
			perr(lx, lx->tline, "unexpected character 0x%02x", c);
		lex_fail(lx);
	}
}

/*
 * The parser: one function per statement.  Each reads its tokens and
 * stops on the token after them; on an error it reports (unless the lexer
 * already did) and returns -1, and the caller skips the rest of the
 * statement.
 */

static const char *
token_desc(const struct lexer *lx, char *buf, size_t bufsz)
{
	switch (lx->t) {
	case T_EOF:
		return "end of file";
	case T_NL:
		return "end of line";
	case T_LBRACE:
		return "\"{\"";
	case T_RBRACE:
		return "\"}\"";
	case T_WORD:
		(void)snprintf(buf, bufsz, "\"%.40s\"", lx->text);
		return buf;
	case T_STRING:
		(void)snprintf(buf, bufsz, "string \"%.40s\"", lx->text);
		return buf;
	default:
		return "an error";
	}
}

static int
expected(struct lexer *lx, const char *what)
{
	char	 buf[64];

	if (lx->t != T_ERROR)
		perr(lx, lx->tline, "expected %s, got %s", what,
		    token_desc(lx, buf, sizeof(buf)));
	return -1;
}

/* a string value: quoted, or a single word */
static int
get_text(struct lexer *lx, char *dst, const char *what)
{
	const char	*why;

	if (lx->t != T_STRING && lx->t != T_WORD)
		return expected(lx, what);
	if (lx->tlen == 0) {
		perr(lx, lx->tline, "empty %s", what);
		return -1;
	}
	if ((why = text_err(lx->text)) != NULL) {
		perr(lx, lx->tline, "%s: %s", what, why);
		return -1;
	}
	(void)strlcpy(dst, lx->text, REPORT_NAME);
	lex_next(lx);
	return 0;
}

static int
get_oid(struct lexer *lx, struct snmp_oid *o, const char *what)
{
	const char	*why;

	if (lx->t != T_WORD)
		return expected(lx, what);
	if (snmp_oid_parse(lx->text, o) == -1) {
		perr(lx, lx->tline, "bad OID \"%.40s\"", lx->text);
		return -1;
	}
	if ((why = oid_err(o)) != NULL) {
		perr(lx, lx->tline, "%s: \"%.40s\"", why, lx->text);
		return -1;
	}
	lex_next(lx);
	return 0;
}

static int
get_keyword(struct lexer *lx, const char *kw)
{
	char	 what[32];

	if (lx->t != T_WORD || strcmp(lx->text, kw) != 0) {
		(void)snprintf(what, sizeof(what), "\"%s\"", kw);
		return expected(lx, what);
	}
	lex_next(lx);
	return 0;
}

static int
get_meter_name(struct lexer *lx, char *dst)
{
	const char	*why;

	if (lx->t != T_WORD)
		return expected(lx, "a meter name");
	if ((why = meter_name_err(lx->text)) != NULL) {
		perr(lx, lx->tline, "%s: \"%.40s\"", why, lx->text);
		return -1;
	}
	(void)strlcpy(dst, lx->text, REPORT_NAME);
	lex_next(lx);
	return 0;
}

static int
get_unit(struct lexer *lx, char *dst)
{
	const char	*why;

	if (get_keyword(lx, "unit") == -1)
		return -1;
	if (lx->t != T_WORD)
		return expected(lx, "a unit");
	if ((why = unit_err(lx->text)) != NULL) {
		perr(lx, lx->tline, "%s: \"%.40s\"", why, lx->text);
		return -1;
	}
	(void)strlcpy(dst, lx->text, REPORT_NAME);
	lex_next(lx);
	return 0;
}

/* room for one more, or a message naming the limit */
static int
room(struct lexer *lx, int line, size_t n, size_t max, const char *what)
{
	if (n < max)
		return 0;
	perr(lx, line, "too many %s (at most %zu)", what, max);
	return -1;
}

struct parser {
	struct lexer	 lx;
	struct profile	*p;
	int		 vendor_line;
};

static int
st_vendor(struct parser *ps, int line)
{
	struct lexer	*lx = &ps->lx;

	if (ps->vendor_line != 0) {
		perr(lx, line, "vendor given twice (first on line %d)",
		    ps->vendor_line);
		return -1;
	}
	if (get_text(lx, ps->p->vendor, "vendor name") == -1)
		return -1;
	ps->vendor_line = line;
	return 0;
}

static int
st_match(struct parser *ps, int line)
{
	struct lexer	*lx = &ps->lx;
	struct profile	*p = ps->p;
	const char	*errstr;
	long long	 n;

	if (lx->t != T_WORD)
		return expected(lx, "\"enterprise\", \"oid\" or \"descr\"");
	if (strcmp(lx->text, "enterprise") == 0) {
		if (room(lx, line, p->nenterprise, PROFILE_MAX_MATCH,
		    "\"match enterprise\" lines") == -1)
			return -1;
		lex_next(lx);
		if (lx->t != T_WORD)
			return expected(lx, "an enterprise number");
		n = strtonum(lx->text, 0, UINT32_MAX, &errstr);
		if (errstr != NULL || lx->text[0] < '0' || lx->text[0] > '9') {
			perr(lx, lx->tline, "bad enterprise number \"%.40s\"",
			    lx->text);
			return -1;
		}
		p->enterprise[p->nenterprise++] = (uint32_t)n;
		lex_next(lx);
	} else if (strcmp(lx->text, "oid") == 0) {
		if (room(lx, line, p->noid, PROFILE_MAX_MATCH,
		    "\"match oid\" lines") == -1)
			return -1;
		lex_next(lx);
		if (get_oid(lx, &p->oid[p->noid], "an OID") == -1)
			return -1;
		p->noid++;
	} else if (strcmp(lx->text, "descr") == 0) {
		if (room(lx, line, p->ndescr, PROFILE_MAX_MATCH,
		    "\"match descr\" lines") == -1)
			return -1;
		lex_next(lx);
		if (get_text(lx, p->descr[p->ndescr], "descr text") == -1)
			return -1;
		p->ndescr++;
	} else
		return expected(lx, "\"enterprise\", \"oid\" or \"descr\"");
	return 0;
}

static int
st_brand(struct parser *ps, int line)
{
	struct lexer		*lx = &ps->lx;
	struct profile		*p = ps->p;
	struct profile_brand	*b;

	if (room(lx, line, p->nbrand, PROFILE_MAX_BRANDS,
	    "brand lines") == -1)
		return -1;
	b = &p->brand[p->nbrand];
	if (get_text(lx, b->name, "brand name") == -1 ||
	    get_keyword(lx, "descr") == -1 ||
	    get_text(lx, b->descr, "descr text") == -1)
		return -1;
	p->nbrand++;
	return 0;
}

static int
st_ident(struct lexer *lx, int line, struct snmp_oid *list, size_t *n,
    const char *kw)
{
	char	 what[32];

	(void)snprintf(what, sizeof(what), "%s lines", kw);
	if (room(lx, line, *n, PROFILE_MAX_IDENT, what) == -1)
		return -1;
	if (get_oid(lx, &list[*n], "an OID") == -1)
		return -1;
	(*n)++;
	return 0;
}

static int
st_serial(struct parser *ps, int line)
{
	return st_ident(&ps->lx, line, ps->p->serial, &ps->p->nserial,
	    "serial");
}

static int
st_model(struct parser *ps, int line)
{
	return st_ident(&ps->lx, line, ps->p->model, &ps->p->nmodel,
	    "model");
}

static int
st_firmware(struct parser *ps, int line)
{
	return st_ident(&ps->lx, line, ps->p->firmware, &ps->p->nfirmware,
	    "firmware");
}

static int
st_devid(struct parser *ps, int line)
{
	return st_ident(&ps->lx, line, ps->p->devid, &ps->p->ndevid,
	    "device-id");
}

/* OP TEXT [OP TEXT ...] up to the end of the line */
static int
get_rule(struct lexer *lx, struct profile_rule *r)
{
	struct profile_op	*op;
	int			 k;

	r->nop = 0;
	if (lx->t != T_WORD)
		return expected(lx, "an operation (after, before, cut, "
		    "drop-prefix, drop-suffix, unless, require)");
	while (lx->t != T_NL && lx->t != T_EOF) {
		if (lx->t != T_WORD)
			return expected(lx, "an operation");
		for (k = 1; k <= PROFILE_OP_MAX; k++)
			if (strcmp(lx->text, op_names[k]) == 0)
				break;
		if (k > PROFILE_OP_MAX) {
			perr(lx, lx->tline, "unknown operation \"%.40s\" "
			    "(after, before, cut, drop-prefix, drop-suffix, "
			    "unless, require)", lx->text);
			return -1;
		}
		if (r->nop == PROFILE_MAX_OPS) {
			perr(lx, lx->tline, "too many operations in a rule "
			    "(at most %d)", PROFILE_MAX_OPS);
			return -1;
		}
		op = &r->op[r->nop];
		lex_next(lx);
		if (get_text(lx, op->text, "the text of the operation") == -1)
			return -1;
		op->kind = (uint8_t)k;
		r->nop++;
	}
	return 0;
}

static int
st_rule(struct lexer *lx, int line, struct profile_rule *list, size_t *n,
    const char *kw)
{
	char	 what[32];

	(void)snprintf(what, sizeof(what), "%s lines", kw);
	if (room(lx, line, *n, PROFILE_MAX_RULES, what) == -1)
		return -1;
	if (get_rule(lx, &list[*n]) == -1) {
		memset(&list[*n], 0, sizeof(list[*n]));
		return -1;
	}
	(*n)++;
	return 0;
}

static int
st_descr_model(struct parser *ps, int line)
{
	return st_rule(&ps->lx, line, ps->p->descr_model,
	    &ps->p->ndescr_model, "descr-model");
}

static int
st_descr_serial(struct parser *ps, int line)
{
	return st_rule(&ps->lx, line, ps->p->descr_serial,
	    &ps->p->ndescr_serial, "descr-serial");
}

static int
st_model_edit(struct parser *ps, int line)
{
	return st_rule(&ps->lx, line, ps->p->model_edit,
	    &ps->p->nmodel_edit, "model-edit");
}

static int
st_not_model(struct parser *ps, int line)
{
	struct lexer	*lx = &ps->lx;
	struct profile	*p = ps->p;

	if (room(lx, line, p->nnot_model, PROFILE_MAX_NOTMODEL,
	    "not-model lines") == -1)
		return -1;
	if (get_text(lx, p->not_model[p->nnot_model], "not-model text") == -1)
		return -1;
	p->nnot_model++;
	return 0;
}

static int
st_meter(struct parser *ps, int line)
{
	struct lexer		*lx = &ps->lx;
	struct profile		*p = ps->p;
	struct profile_meter	*m;
	int			 nameline;

	if (room(lx, line, p->nmeter, PROFILE_MAX_METERS,
	    "meter lines") == -1)
		return -1;
	m = &p->meter[p->nmeter];
	nameline = lx->tline;
	if (get_meter_name(lx, m->name) == -1)
		return -1;
	if (meter_name_used(p, m->name, p->nmeter) ||
	    map_name_used(p, m->name)) {
		perr(lx, nameline, "meter name \"%s\" used twice", m->name);
		return -1;
	}
	if (get_oid(lx, &m->oid, "an OID") == -1 ||
	    get_unit(lx, m->unit) == -1)
		return -1;
	p->nmeter++;
	return 0;
}

/* in a map block, skip what is left of a bad row */
static void
skip_row(struct lexer *lx)
{
	while (lx->t != T_NL && lx->t != T_EOF && lx->t != T_RBRACE)
		lex_next(lx);
}

static int
map_row(struct parser *ps, struct profile_table *t)
{
	struct lexer		*lx = &ps->lx;
	struct profile_map	*m;
	const char		*why;
	size_t			 i;
	int			 line = lx->tline;

	if (room(lx, line, t->nmap, PROFILE_MAX_MAP, "rows in a map") == -1)
		return -1;
	m = &t->map[t->nmap];
	if (get_text(lx, m->text, "row name") == -1)
		return -1;
	if ((why = map_text_err(m->text)) != NULL) {
		perr(lx, line, "%s", why);
		return -1;
	}
	for (i = 0; i < t->nmap; i++)
		if (ascii_casecmp(t->map[i].text, m->text) == 0) {
			perr(lx, line, "row \"%s\" mapped twice", m->text);
			return -1;
		}
	if (get_meter_name(lx, m->name) == -1)
		return -1;
	if (meter_name_used(ps->p, m->name, ps->p->nmeter)) {
		perr(lx, line, "meter name \"%s\" is already used by a meter "
		    "line", m->name);
		return -1;
	}
	if (lx->t != T_NL)
		return expected(lx, "end of line");
	t->nmap++;
	return 0;
}

/* { "row name" meter-name ... }, the brace on the meter-table line */
static int
map_block(struct parser *ps, struct profile_table *t)
{
	struct lexer	*lx = &ps->lx;
	int		 open = lx->tline, bad = 0;

	lex_next(lx);				/* past "{" */
	if (lx->t != T_NL && lx->t != T_EOF) {
		bad = expected(lx, "end of line after \"{\"");
		skip_row(lx);
	}
	for (;;) {
		switch (lx->t) {
		case T_NL:
			lex_next(lx);
			break;
		case T_EOF:
			perr(lx, open, "\"{\" is never closed");
			return -1;
		case T_RBRACE:
			lex_next(lx);
			return bad;
		default:
			if (map_row(ps, t) == -1) {
				bad = -1;
				skip_row(lx);
			}
			break;
		}
	}
}

static int
st_meter_table(struct parser *ps, int line)
{
	struct lexer		*lx = &ps->lx;
	struct profile		*p = ps->p;
	struct profile_table	*t;

	if (room(lx, line, p->ntable, PROFILE_MAX_TABLES,
	    "meter-table lines") == -1)
		return -1;
	t = &p->table[p->ntable];
	if (get_oid(lx, &t->values, "the OID of the values column") == -1 ||
	    get_keyword(lx, "names") == -1 ||
	    get_oid(lx, &t->names, "the OID of the names column") == -1 ||
	    get_unit(lx, t->unit) == -1)
		return -1;
	p->ntable++;
	if (lx->t == T_LBRACE)
		return map_block(ps, t);
	return 0;
}

static const struct {
	const char	*kw;
	int		(*fn)(struct parser *, int);
} statements[] = {
	{ "vendor",		st_vendor },
	{ "match",		st_match },
	{ "brand",		st_brand },
	{ "serial",		st_serial },
	{ "model",		st_model },
	{ "firmware",		st_firmware },
	{ "device-id",		st_devid },
	{ "descr-model",	st_descr_model },
	{ "descr-serial",	st_descr_serial },
	{ "model-edit",		st_model_edit },
	{ "not-model",		st_not_model },
	{ "meter",		st_meter },
	{ "meter-table",	st_meter_table },
};

/* after a bad statement: on to its end, over a whole map block */
static void
skip_statement(struct lexer *lx)
{
	int	 depth = 0, open = 0;

	while (lx->t != T_EOF && (depth > 0 || lx->t != T_NL)) {
		if (lx->t == T_LBRACE) {
			if (depth++ == 0)
				open = lx->tline;
		} else if (lx->t == T_RBRACE && depth > 0)
			depth--;
		lex_next(lx);
	}
	if (depth > 0)
		perr(lx, open, "\"{\" is never closed");
}

static void
parse_statements(struct parser *ps)
{
	struct lexer	*lx = &ps->lx;
	size_t		 i;
	int		 line, r;

	lex_next(lx);
	while (lx->t != T_EOF) {
		if (lx->t == T_NL) {
			lex_next(lx);
			continue;
		}
		if (lx->t != T_WORD) {
			(void)expected(lx, "a keyword");
			skip_statement(lx);
			continue;
		}
		for (i = 0; i < sizeof(statements) / sizeof(statements[0]); i++)
			if (strcmp(lx->text, statements[i].kw) == 0)
				break;
		if (i == sizeof(statements) / sizeof(statements[0])) {
			perr(lx, lx->tline, "unknown keyword \"%.40s\"",
			    lx->text);
			skip_statement(lx);
			continue;
		}
		line = lx->tline;
		lex_next(lx);
		r = statements[i].fn(ps, line);
		if (r == 0 && lx->t != T_NL && lx->t != T_EOF)
			r = expected(lx, "end of line");
		if (r == -1)
			skip_statement(lx);
	}
}

/* "dir/hp.profile" -> "hp" */
static void
profile_name_from(const char *path, char *dst, size_t dstsz)
{
	const char	*base = strrchr(path, '/');
	size_t		 len, sl = strlen(PROFILE_SUFFIX);

	base = base != NULL ? base + 1 : path;
	len = strlen(base);
	if (len > sl && strcmp(base + len - sl, PROFILE_SUFFIX) == 0)
		len -= sl;
	if (len >= dstsz) {
		dst[0] = '\0';			/* too long: refused below */
		return;
	}
	memcpy(dst, base, len);
	dst[len] = '\0';
}

int
profile_parse(const char *name, const char *buf, size_t len,
    struct profile *p)
{
	struct parser	*ps;
	const char	*why;
	int		 nerr, last;

	memset(p, 0, sizeof(*p));
	if (len > PROFILE_FILE_MAX) {
		log_warnx("%s: larger than %d bytes", name, PROFILE_FILE_MAX);
		return -1;
	}
	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		fatal("profile_parse");
	ps->p = p;
	ps->lx.file = name;
	ps->lx.p = (const unsigned char *)buf;
	ps->lx.end = ps->lx.p + len;
	ps->lx.line = 1;

	profile_name_from(name, p->name, sizeof(p->name));
	if ((why = profile_name_err(p->name)) != NULL) {
		log_warnx("%s: %s", name, why);
		ps->lx.nerr++;
	}
	parse_statements(ps);
	/* what the file lacks is reported on its last line */
	last = ps->lx.line;
	if (last > 1 && len > 0 && buf[len - 1] == '\n')
		last--;
	if (ps->vendor_line == 0)
		perr(&ps->lx, last, "no vendor line");
	if (p->nenterprise + p->noid + p->ndescr + p->nbrand == 0)
		perr(&ps->lx, last, "no match or brand line: the profile "
		    "would never be used");
	if (ps->lx.nerr == 0 && (why = profile_check(p)) != NULL)
		perr(&ps->lx, last, "%s", why);		/* cannot happen */
	nerr = ps->lx.nerr;
	free(ps);
	return nerr ? -1 : 0;
}

/*
 * Loading a directory.
 */

static int
load_file(const char *path, struct profile *p)
{
	char	*buf;
	size_t	 len;
	int	 error, r;

	if ((buf = file_read(path, PROFILE_FILE_MAX, FILE_ROOT, &len, NULL,
	    &error)) == NULL) {
		if (error == FILE_EBIG)
			log_warnx("%s: larger than %d bytes", path,
			    PROFILE_FILE_MAX);
		else
			log_warnx("%s: %s", path, file_strerror(error));
		return -1;
	}
	r = profile_parse(path, buf, len, p);
	free(buf);
	return r;
}

static int
stem_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
profile_load_dir(const char *dir, struct profile_set *set)
{
	DIR		*d;
	struct dirent	*de;
	char		*stems[PROFILE_MAX], path[PATH_MAX];
	size_t		 nstems = 0, len, sl = strlen(PROFILE_SUFFIX), i;
	int		 bad = 0;

	set->p = NULL;
	set->n = 0;
	if ((d = opendir(dir)) == NULL) {
		log_warn("%s", dir);
		return -1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0) {
				log_warn("%s", dir);
				bad = 1;
			}
			break;
		}
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= sl ||
		    strcmp(de->d_name + len - sl, PROFILE_SUFFIX) != 0)
			continue;
		if (nstems == PROFILE_MAX) {
			log_warnx("%s: more than %d profiles", dir,
			    PROFILE_MAX);
			bad = 1;
			break;
		}
		if ((stems[nstems] = strndup(de->d_name, len - sl)) == NULL)
			fatal("profile");
		nstems++;
	}
	closedir(d);
	/* sorted by profile name, the order ties are broken in */
	qsort(stems, nstems, sizeof(stems[0]), stem_cmp);
	if (nstems > 0 && (set->p = calloc(nstems, sizeof(*set->p))) == NULL)
		fatal("profile");
	/* every file, so that every error is seen at once */
	for (i = 0; i < nstems; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s%s", dir,
		    stems[i], PROFILE_SUFFIX) >= sizeof(path)) {
			log_warnx("%s/%s%s: path too long", dir, stems[i],
			    PROFILE_SUFFIX);
			bad = 1;
		} else if (load_file(path, &set->p[set->n]) == 0)
			set->n++;
		else
			bad = 1;
		free(stems[i]);
	}
	if (bad) {
		profile_set_free(set);
		return -1;
	}
	return 0;
}

void
profile_set_free(struct profile_set *set)
{
	free(set->p);
	set->p = NULL;
	set->n = 0;
}

/*
 * Matching.
 */

/* does hay contain needle, ignoring the case of ASCII letters? */
static int
ci_contains(const char *hay, const char *needle)
{
	/* the daemons run in the C locale: ASCII case folding only */
	if (needle[0] == '\0')
		return 0;
	return strcasestr(hay, needle) != NULL;
}

const struct profile *
profile_match(const struct profile_set *set,
    const struct snmp_oid *sysobjectid, const char *sysdescr,
    const char **vendor)
{
	const struct profile		*p, *best = NULL;
	const struct profile_brand	*brand, *bestbrand = NULL;
	size_t				 i, j;
	uint32_t			 plen, bestlen = 0;
	int				 score, bestscore = 0, descr, oid;
	int				 under_enterprises = 0;

	if (sysdescr != NULL && sysdescr[0] == '\0')
		sysdescr = NULL;
	if (sysobjectid != NULL && sysobjectid->len == 0)
		sysobjectid = NULL;
	if (sysobjectid != NULL && sysobjectid->len > ENTERPRISES_LEN) {
		under_enterprises = 1;
		for (i = 0; i < ENTERPRISES_LEN; i++)
			if (sysobjectid->sub[i] != enterprises[i])
				under_enterprises = 0;
	}
	for (i = 0; set != NULL && i < set->n; i++) {
		p = &set->p[i];
		score = 0;
		plen = 0;
		brand = NULL;
		descr = oid = 0;
		if (sysdescr != NULL) {
			for (j = 0; j < p->ndescr; j++)
				if (ci_contains(sysdescr, p->descr[j]))
					descr = 1;
			for (j = 0; j < p->nbrand; j++)
				if (ci_contains(sysdescr, p->brand[j].descr)) {
					descr = 1;
					if (brand == NULL)
						brand = &p->brand[j];
				}
		}
		if (sysobjectid != NULL) {
			for (j = 0; j < p->noid; j++)
				if (snmp_oid_is_prefix(&p->oid[j],
				    sysobjectid)) {
					oid = 1;
					if (p->oid[j].len > plen)
						plen = p->oid[j].len;
				}
		}
		if (descr)
			score += 3;
		if (oid)
			score += 2;
		if (under_enterprises) {
			for (j = 0; j < p->nenterprise; j++)
				if (p->enterprise[j] ==
				    sysobjectid->sub[ENTERPRISES_LEN])
					break;
			if (j < p->nenterprise) {
				score += 1;
				if (plen < ENTERPRISES_LEN + 1)
					plen = ENTERPRISES_LEN + 1;
			}
		}
		if (score == 0)
			continue;
		if (score > bestscore ||
		    (score == bestscore && plen > bestlen)) {
			best = p;
			bestbrand = brand;
			bestscore = score;
			bestlen = plen;
		}
	}
	if (vendor != NULL)
		*vendor = best == NULL ? NULL :
		    bestbrand != NULL ? bestbrand->name : best->vendor;
	return best;
}

void
profile_table_name(const struct profile_table *t, const char *text,
    char *dst, size_t dstsz)
{
	const char	*s = text != NULL ? text : "", *m;
	size_t		 len, i, k, n, max;
	int		 c, dash = 0;

	if (dstsz == 0)
		return;
	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	for (i = 0; t != NULL && i < t->nmap && i < PROFILE_MAX_MAP; i++) {
		m = t->map[i].text;
		if (strlen(m) != len)
			continue;
		for (k = 0; k < len; k++)
			if (ascii_lower((unsigned char)m[k]) !=
			    ascii_lower((unsigned char)s[k]))
				break;
		if (k == len) {
			(void)strlcpy(dst, t->map[i].name, dstsz);
			return;
		}
	}

	/* "x-" and a slug: a-z0-9 runs joined by single dashes */
	max = (dstsz < REPORT_NAME ? dstsz : REPORT_NAME) - 1;
	(void)strlcpy(dst, "x-", dstsz);
	n = strlen(dst);
	for (i = 0; i < len; i++) {
		c = ascii_lower((unsigned char)s[i]);
		if (!is_lower_alnum(c)) {
			dash = 1;
			continue;
		}
		if (dash && n > 2) {
			if (n + 2 > max)
				break;
			dst[n++] = '-';
		}
		dash = 0;
		if (n + 1 > max)
			break;
		dst[n++] = c;
	}
	if (n < dstsz)
		dst[n] = '\0';
	if (n == 2)
		(void)strlcat(dst, "unnamed", max + 1);
}

/*
 * The imsg codec.  OIDs are a u32 count and u32 arcs; strings as in
 * buf.h; every list is a u32 count and its entries.
 */

static void
enc_oid(struct wbuf *w, const struct snmp_oid *o)
{
	uint32_t	 i;

	wbuf_u32(w, o->len);
	for (i = 0; i < o->len; i++)
		wbuf_u32(w, o->sub[i]);
}

static void
enc_oids(struct wbuf *w, const struct snmp_oid *list, size_t n)
{
	size_t	 i;

	wbuf_u32(w, (uint32_t)n);
	for (i = 0; i < n; i++)
		enc_oid(w, &list[i]);
}

static void
enc_rules(struct wbuf *w, const struct profile_rule *list, size_t n)
{
	size_t	 i, j;

	wbuf_u32(w, (uint32_t)n);
	for (i = 0; i < n; i++) {
		wbuf_u32(w, (uint32_t)list[i].nop);
		for (j = 0; j < list[i].nop; j++) {
			wbuf_u32(w, list[i].op[j].kind);
			wbuf_str(w, list[i].op[j].text);
		}
	}
}

static void
enc_profile(struct wbuf *w, const struct profile *p)
{
	const struct profile_table	*t;
	size_t				 i, j;

	wbuf_str(w, p->name);
	wbuf_str(w, p->vendor);
	wbuf_u32(w, (uint32_t)p->nenterprise);
	for (i = 0; i < p->nenterprise; i++)
		wbuf_u32(w, p->enterprise[i]);
	enc_oids(w, p->oid, p->noid);
	wbuf_u32(w, (uint32_t)p->ndescr);
	for (i = 0; i < p->ndescr; i++)
		wbuf_str(w, p->descr[i]);
	wbuf_u32(w, (uint32_t)p->nbrand);
	for (i = 0; i < p->nbrand; i++) {
		wbuf_str(w, p->brand[i].name);
		wbuf_str(w, p->brand[i].descr);
	}
	enc_oids(w, p->serial, p->nserial);
	enc_oids(w, p->model, p->nmodel);
	enc_oids(w, p->firmware, p->nfirmware);
	wbuf_u32(w, (uint32_t)p->nmeter);
	for (i = 0; i < p->nmeter; i++) {
		wbuf_str(w, p->meter[i].name);
		wbuf_str(w, p->meter[i].unit);
		enc_oid(w, &p->meter[i].oid);
	}
	wbuf_u32(w, (uint32_t)p->ntable);
	for (i = 0; i < p->ntable; i++) {
		t = &p->table[i];
		enc_oid(w, &t->values);
		enc_oid(w, &t->names);
		wbuf_str(w, t->unit);
		wbuf_u32(w, (uint32_t)t->nmap);
		for (j = 0; j < t->nmap; j++) {
			wbuf_str(w, t->map[j].text);
			wbuf_str(w, t->map[j].name);
		}
	}
	enc_oids(w, p->devid, p->ndevid);
	enc_rules(w, p->descr_model, p->ndescr_model);
	enc_rules(w, p->descr_serial, p->ndescr_serial);
	enc_rules(w, p->model_edit, p->nmodel_edit);
	wbuf_u32(w, (uint32_t)p->nnot_model);
	for (i = 0; i < p->nnot_model; i++)
		wbuf_str(w, p->not_model[i]);
}

void
msg_profiles_encode(struct wbuf *w, const struct profile_set *set)
{
	size_t	 i;

	wbuf_u32(w, (uint32_t)set->n);
	for (i = 0; i < set->n; i++)
		enc_profile(w, &set->p[i]);
}

/* a count, refused (sticky error, 0) above max */
static size_t
dec_count(struct rbuf *r, size_t max)
{
	uint32_t	 n = rbuf_u32(r);

	if (r->err || n > max) {
		r->err = 1;
		return 0;
	}
	return n;
}

static void
dec_oid(struct rbuf *r, struct snmp_oid *o)
{
	size_t	 n = dec_count(r, SNMP_MAX_SUBIDS), i;

	o->len = 0;
	for (i = 0; i < n && !r->err; i++)
		o->sub[i] = rbuf_u32(r);
	if (!r->err)
		o->len = (uint32_t)n;
}

static size_t
dec_oids(struct rbuf *r, struct snmp_oid *list, size_t max)
{
	size_t	 n = dec_count(r, max), i;

	for (i = 0; i < n && !r->err; i++)
		dec_oid(r, &list[i]);
	return r->err ? 0 : n;
}

static size_t
dec_rules(struct rbuf *r, struct profile_rule *list, size_t max)
{
	size_t		 n = dec_count(r, max), i, j;
	uint32_t	 kind;

	for (i = 0; i < n && !r->err; i++) {
		list[i].nop = dec_count(r, PROFILE_MAX_OPS);
		for (j = 0; j < list[i].nop && !r->err; j++) {
			kind = rbuf_u32(r);
			if (kind > PROFILE_OP_MAX)
				r->err = 1;
			list[i].op[j].kind = (uint8_t)kind;
			rbuf_str(r, list[i].op[j].text,
			    sizeof(list[i].op[j].text));
		}
	}
	return r->err ? 0 : n;
}

static void
dec_profile(struct rbuf *r, struct profile *p)
{
	struct profile_table	*t;
	size_t			 i, j;

	rbuf_str(r, p->name, sizeof(p->name));
	rbuf_str(r, p->vendor, sizeof(p->vendor));
	p->nenterprise = dec_count(r, PROFILE_MAX_MATCH);
	for (i = 0; i < p->nenterprise && !r->err; i++)
		p->enterprise[i] = rbuf_u32(r);
	p->noid = dec_oids(r, p->oid, PROFILE_MAX_MATCH);
	p->ndescr = dec_count(r, PROFILE_MAX_MATCH);
	for (i = 0; i < p->ndescr && !r->err; i++)
		rbuf_str(r, p->descr[i], sizeof(p->descr[i]));
	p->nbrand = dec_count(r, PROFILE_MAX_BRANDS);
	for (i = 0; i < p->nbrand && !r->err; i++) {
		rbuf_str(r, p->brand[i].name, sizeof(p->brand[i].name));
		rbuf_str(r, p->brand[i].descr, sizeof(p->brand[i].descr));
	}
	p->nserial = dec_oids(r, p->serial, PROFILE_MAX_IDENT);
	p->nmodel = dec_oids(r, p->model, PROFILE_MAX_IDENT);
	p->nfirmware = dec_oids(r, p->firmware, PROFILE_MAX_IDENT);
	p->nmeter = dec_count(r, PROFILE_MAX_METERS);
	for (i = 0; i < p->nmeter && !r->err; i++) {
		rbuf_str(r, p->meter[i].name, sizeof(p->meter[i].name));
		rbuf_str(r, p->meter[i].unit, sizeof(p->meter[i].unit));
		dec_oid(r, &p->meter[i].oid);
	}
	p->ntable = dec_count(r, PROFILE_MAX_TABLES);
	for (i = 0; i < p->ntable && !r->err; i++) {
		t = &p->table[i];
		dec_oid(r, &t->values);
		dec_oid(r, &t->names);
		rbuf_str(r, t->unit, sizeof(t->unit));
		t->nmap = dec_count(r, PROFILE_MAX_MAP);
		for (j = 0; j < t->nmap && !r->err; j++) {
			rbuf_str(r, t->map[j].text, sizeof(t->map[j].text));
			rbuf_str(r, t->map[j].name, sizeof(t->map[j].name));
		}
	}
	p->ndevid = dec_oids(r, p->devid, PROFILE_MAX_IDENT);
	p->ndescr_model = dec_rules(r, p->descr_model, PROFILE_MAX_RULES);
	p->ndescr_serial = dec_rules(r, p->descr_serial, PROFILE_MAX_RULES);
	p->nmodel_edit = dec_rules(r, p->model_edit, PROFILE_MAX_RULES);
	p->nnot_model = dec_count(r, PROFILE_MAX_NOTMODEL);
	for (i = 0; i < p->nnot_model && !r->err; i++)
		rbuf_str(r, p->not_model[i], sizeof(p->not_model[i]));
}

int
msg_profiles_decode(struct rbuf *r, struct profile_set *set)
{
	size_t	 n, i;

	set->p = NULL;
	set->n = 0;
	n = dec_count(r, PROFILE_MAX);
	if (r->err)
		return -1;
	if (n > 0 && (set->p = calloc(n, sizeof(*set->p))) == NULL)
		fatal("msg_profiles_decode");
	for (i = 0; i < n; i++) {
		dec_profile(r, &set->p[i]);
		/* the parser's rules, and the order of profile_load_dir() */
		if (r->err || profile_check(&set->p[i]) != NULL ||
		    (i > 0 &&
		    strcmp(set->p[i - 1].name, set->p[i].name) >= 0)) {
			r->err = 1;
			profile_set_free(set);
			return -1;
		}
	}
	set->n = n;
	return 0;
}
