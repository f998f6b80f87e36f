/*
 * commsd.conf(5): a yacc grammar and its hand-written lexer, in the
 * manner of callhome.conf's (common/parse.y) and the OpenBSD daemons'.
 *
 * Every error is reported as "file:line: message" through log_warnx() and
 * parsing goes on to the end of the line, so one run shows all the errors
 * of a file; the result is then NULL.  The state of one run lives in the
 * statics below and is reset before and after each run, so that
 * comms_parse_config_buffer() can be called again and again (fuzzing).
 * Every string the lexer returns lives in a pool wiped and freed at the
 * end of the run; the token (a secret) passes through the file buffer,
 * the lexer, the pool and the macro table, all wiped before being freed.
 *
 * byacc's global symbols are renamed comms_yy*, apart from the gateway's
 * parser (conf_yy*): both are linked into the unit tests.
 */

%{
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "commsd.h"
#include "config.h"
#include "file.h"
#include "storage.h"
#include "log.h"
#include "worker.h"

#define yyparse		comms_yyparse
#define yylval		comms_yylval
#define yyval		comms_yyval
#define yychar		comms_yychar
#define yydebug		comms_yydebug
#define yynerrs		comms_yynerrs
#define yyerrflag	comms_yyerrflag
#define YY_NO_LEAKS	1		/* free the parser's stacks */
#define YYERROR_CALL(msg)	yacc_error(msg)

#define CONF_MAX_FILE_SIZE	(1024 * 1024)
#define PUSHBACK_MAX		(COMMS_STR_MAX + 16)
#define PB_MACRO		0x100	/* pushed back, from a macro */

struct file {
	struct file		*parent;
	const char		*name;		/* in the pool */
	char			*data;		/* owned, or NULL */
	const unsigned char	*buf;
	size_t			 len;
	size_t			 off;
	int			 lineno;
	int			 eof;		/* at EOF, '\n' given */
	int			 pending_nl;	/* ends "include" */
	int			 depth;
	dev_t			 dev;
	ino_t			 ino;
	int			 pb[PUSHBACK_MAX];
	size_t			 npb;
};

struct macro {
	struct macro		*next;
	char			*name;
	char			*value;
};

struct poolent {
	struct poolent		*next;
	size_t			 len;
	char			 data[];
};

typedef struct {
	union {
		int64_t		 number;
		char		*string;
	} v;
	int lineno;
} YYSTYPE;
#define YYSTYPE_IS_DECLARED	1

static struct comms_conf	*conf;
static struct file		*file;		/* the one being read */
static int			 parse_opts;
static int			 from_buffer;
static int			 errors;
static int			 lex_from_macro;
static char			 lexbuf[COMMS_STR_MAX];
static struct macro		*macros;
static struct poolent		*pool;

/* the settings given once only, and where: for the checks at the end */
enum setting {
	S_CERT, S_KEY, S_CA, S_PROTOCOLS, S_DATABASE, S_PACKAGES,
	S_INSTRUCTIONS, S_SCHEMA, S_TOKEN, S_MAXDOC, S_MAXCONN, S_USER,
	S_FAULTHASH, S_FAULTDELAY, S_FAULTCLOSE, S_CIPHERS, S_MAXHS,
	S_MAXHSADDR, S_HSTIMEOUT, S_MAXINFLIGHT, S_WORKERS, S_CHECKTIMEOUT,
	S_MAXATTRS, S_MAXNODES, S_WORKERMEM, S_MAXCONNGW, S_FAULTREPLAY,
	S_FAULTDRIP, S_STATEDIR, S_KATIMEOUT, S_KAREQUESTS, S_SESSION, S_MAX
};
static const char *const setting_names[S_MAX] = {
	"certificate", "key", "client ca", "protocols", "database",
	"packages", "instructions", "schema", "token", "max document",
	"max connections", "user", "fault receipt-hash", "fault delay",
	"fault close", "ciphers", "max handshakes",
	"max handshakes per address", "handshake timeout", "max inflight",
	"workers", "check timeout", "max attributes", "max nodes",
	"worker memory", "max connections per gateway", "fault replay",
	"fault drip", "state directory", "keep-alive timeout",
	"keep-alive requests", "session lifetime",
};
static const char	*set_file[S_MAX];	/* in the pool */
static int		 set_line[S_MAX];

static int	 yylex(void);
static int	 yyerror(const char *, ...)
		    __attribute__((__format__(printf, 1, 2)));
static void	 yacc_error(const char *);
static void	 conf_error_at(const char *, int, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));
static char	*pool_strdup(const char *);
static int	 findeol(void);
static int	 pushfile_path(const char *, int);
static int	 once(enum setting);
static int	 set_str(char *, size_t, const char *, const char *);
static int	 set_path(char *, size_t, const char *, const char *);
static int	 get_number(const char *, long long, long long, const char *,
		    long long *);
static int	 get_port(const char *, uint16_t *);
static int	 get_duration(const char *, uint64_t, uint64_t, const char *,
		    uint64_t *);
static int	 get_size(const char *, uint64_t, uint64_t, const char *,
		    uint64_t *);
static int	 get_protocols(const char *, uint32_t *);
static int	 get_ciphers(const char *, char *, size_t);
static int	 get_count(const char *, long long, long long, const char *,
		    uint32_t *);
static void	 macro_set(const char *, const char *);
static int	 is_keyword(const char *);
static void	 include_file(const char *);
static void	 listen_add(const char *, int64_t);
static void	 inside_state(char *, size_t, const char *, const char *,
		    enum setting);
static int	 check_pg_uri(void);
%}

%token	ADDRESS ATTRIBUTES CA CERTIFICATE CHECK CIPHERS CLIENT CLOSE
%token	CONNECTIONS DATABASE DELAY DIRECTORY DOCUMENT FAULT GATEWAY HANDSHAKE
%token	HANDSHAKES STATE
%token	INCLUDE INFLIGHT INSTRUCTION INSTRUCTIONS KEEPALIVE KEY LIFETIME LISTEN
%token	MAX MEMORY NODES ON PACKAGES
%token	PER PORT PROTOCOLS RECEIPTHASH REQUESTS SCHEMA SESSION TIMEOUT TOKEN
%token	USER WORKER
%token	WORKERS
%token	ERROR
%token	<v.string>	STRING
%type	<v.number>	optport

%%

grammar		: /* empty */
		| grammar '\n'
		| grammar include '\n'
		| grammar varset '\n'
		| grammar main '\n'
		| grammar error '\n'		{ yyerrok; }
		;

include		: INCLUDE STRING		{ include_file($2); }
		;

varset		: STRING '=' STRING		{ macro_set($1, $3); }
		;

optport		: /* empty */			{ $$ = COMMS_DEFAULT_PORT; }
		| PORT STRING			{
			uint16_t	 port;

			if (get_port($2, &port) == -1)
				$$ = -1;
			else
				$$ = port;
		}
		;

main		: LISTEN ON STRING optport	{ listen_add($3, $4); }
		| CERTIFICATE STRING {
			if (once(S_CERT))
				set_path(conf->cert, sizeof(conf->cert), $2,
				    "certificate");
		}
		| KEY STRING {
			if (once(S_KEY))
				set_path(conf->key, sizeof(conf->key), $2,
				    "key");
		}
		| CLIENT CA STRING {
			if (once(S_CA))
				set_path(conf->client_ca,
				    sizeof(conf->client_ca), $3, "client ca");
		}
		| PROTOCOLS STRING {
			if (once(S_PROTOCOLS))
				get_protocols($2, &conf->protocols);
		}
		| DATABASE STRING {
			if (once(S_DATABASE)) {
				if (comms_db_is_pg($2))
					set_str(conf->database,
					    sizeof(conf->database), $2,
					    "database");
				else
					set_path(conf->database,
					    sizeof(conf->database), $2,
					    "database");
			}
		}
		| STATE DIRECTORY STRING {
			if (once(S_STATEDIR))
				set_path(conf->statedir,
				    sizeof(conf->statedir), $3,
				    "state directory");
		}
		| PACKAGES STRING {
			if (once(S_PACKAGES))
				set_path(conf->packages,
				    sizeof(conf->packages), $2, "packages");
		}
		| INSTRUCTIONS STRING {
			if (once(S_INSTRUCTIONS))
				set_path(conf->instructions,
				    sizeof(conf->instructions), $2,
				    "instructions");
		}
		| INSTRUCTION KEY STRING {
			yyerror("\"instruction key\" is gone: commsd holds no "
			    "signing key (operators sign bundles offline and "
			    "leave them in the instructions directory: see "
			    "commsd.8)");
		}
		| SCHEMA STRING {
			if (once(S_SCHEMA))
				set_path(conf->schema, sizeof(conf->schema),
				    $2, "schema");
		}
		| TOKEN STRING {
			const char	*p;
			int		 ok = 1;

			/* it goes into an HTTP field: token68 characters */
			for (p = $2; *p != '\0'; p++)
				if (!isalnum((unsigned char)*p) &&
				    strchr("-._~+/=", *p) == NULL)
					ok = 0;
			if (!ok)
				yyerror("token may hold only letters, digits "
				    "and -._~+/=");
			else if (once(S_TOKEN))
				set_str(conf->token, sizeof(conf->token), $2,
				    "token");
		}
		| MAX DOCUMENT STRING {
			if (once(S_MAXDOC))
				get_size($3, 1ULL << 10, 1ULL << 30,
				    "max document", &conf->max_document);
		}
		| MAX CONNECTIONS STRING {
			long long	 n;

			if (once(S_MAXCONN) && get_number($3, 1,
			    COMMS_MAX_CONNS_LIMIT,
			    "max connections", &n) == 0)
				conf->max_conns = n;
		}
		| MAX CONNECTIONS PER GATEWAY STRING {
			if (once(S_MAXCONNGW))
				get_count($5, 1, COMMS_MAX_CONNS_LIMIT,
				    "max connections per gateway",
				    &conf->max_conns_gw);
		}
		| CIPHERS STRING {
			if (once(S_CIPHERS))
				get_ciphers($2, conf->ciphers,
				    sizeof(conf->ciphers));
		}
		| MAX HANDSHAKES STRING {
			if (once(S_MAXHS))
				get_count($3, 1, COMMS_MAX_CONNS_LIMIT,
				    "max handshakes", &conf->max_handshakes);
		}
		| MAX HANDSHAKES PER ADDRESS STRING {
			if (once(S_MAXHSADDR))
				get_count($5, 1, COMMS_MAX_CONNS_LIMIT,
				    "max handshakes per address",
				    &conf->max_handshakes_addr);
		}
		| HANDSHAKE TIMEOUT STRING {
			if (once(S_HSTIMEOUT))
				get_duration($3, 100, 60 * 1000,
				    "handshake timeout",
				    &conf->handshake_timeout_ms);
		}
		| KEEPALIVE TIMEOUT STRING {
			if (once(S_KATIMEOUT))
				get_duration($3, 0, 5 * 60 * 1000,
				    "keep-alive timeout",
				    &conf->keepalive_timeout_ms);
		}
		| KEEPALIVE REQUESTS STRING {
			if (once(S_KAREQUESTS))
				get_count($3, 1, COMMS_MAX_KEEPALIVE_REQUESTS,
				    "keep-alive requests",
				    &conf->keepalive_requests);
		}
		| SESSION LIFETIME STRING {
			uint64_t	 ms;

			if (once(S_SESSION) && get_duration($3, 0,
			    COMMS_MAX_SESSION_LIFETIME * 1000ULL,
			    "session lifetime", &ms) == 0) {
				if (ms != 0 && ms < 60 * 1000)
					yyerror("session lifetime %s: 0 (no "
					    "resumption) or at least 1m", $3);
				conf->session_lifetime = (uint32_t)(ms / 1000);
			}
		}
		| MAX INFLIGHT STRING {
			if (once(S_MAXINFLIGHT))
				get_size($3, 1ULL << 10, 1ULL << 36,
				    "max inflight", &conf->max_inflight);
		}
		| WORKERS STRING {
			if (once(S_WORKERS))
				get_count($2, 1, COMMS_MAX_WORKERS, "workers",
				    &conf->workers);
		}
		| CHECK TIMEOUT STRING {
			if (once(S_CHECKTIMEOUT))
				get_duration($3, 100, 5 * 60 * 1000,
				    "check timeout", &conf->check_timeout_ms);
		}
		| MAX ATTRIBUTES STRING {
			if (once(S_MAXATTRS))
				get_count($3, 8, 10000000, "max attributes",
				    &conf->max_attrs);
		}
		| MAX NODES STRING {
			if (once(S_MAXNODES))
				get_count($3, 1000, 100000000, "max nodes",
				    &conf->max_nodes);
		}
		| WORKER MEMORY STRING {
			if (once(S_WORKERMEM))
				get_size($3, 64ULL << 20, 1ULL << 36,
				    "worker memory", &conf->worker_memory);
		}
		| USER STRING {
			if (once(S_USER))
				set_str(conf->user, sizeof(conf->user), $2,
				    "user");
		}
		| FAULT RECEIPTHASH {
			if (once(S_FAULTHASH))
				conf->faults |= COMMS_FAULT_RECEIPT_HASH;
		}
		| FAULT DELAY STRING {
			uint64_t	 ms;

			if (once(S_FAULTDELAY) && get_duration($3, 1,
			    300 * 1000, "fault delay", &ms) == 0) {
				conf->faults |= COMMS_FAULT_DELAY;
				conf->fault_delay_ms = ms;
			}
		}
		| FAULT CLOSE {
			if (once(S_FAULTCLOSE))
				conf->faults |= COMMS_FAULT_CLOSE;
		}
		| FAULT STRING {
			if (strcmp($2, "replay") == 0) {
				if (once(S_FAULTREPLAY))
					conf->faults |= COMMS_FAULT_REPLAY;
			} else if (strcmp($2, "drip") == 0) {
				if (once(S_FAULTDRIP))
					conf->faults |= COMMS_FAULT_DRIP;
			} else
				yyerror("unknown fault \"%s\" (receipt-hash, "
				    "delay, close, replay or drip)", $2);
		}
		;

%%

/*
 * Reporting.
 */

static int
yyerror(const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	errors++;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("%s", __func__);
	va_end(ap);
	log_warnx("%s:%d: %s", file->name, yylval.lineno, msg);
	free(msg);
	return 0;
}

/* byacc's own messages ("syntax error") */
static void
yacc_error(const char *msg)
{
	/* the lexer has already said what is wrong with this token */
	if (yychar == ERROR) {
		errors++;
		return;
	}
	yyerror("%s", msg);
}

static void
conf_error_at(const char *name, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	errors++;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("%s", __func__);
	va_end(ap);
	if (name != NULL)
		log_warnx("%s:%d: %s", name, line, msg);
	else
		log_warnx("%s", msg);
	free(msg);
}

/* a setting given a second time is an error, reported at both lines */
static int
once(enum setting s)
{
	if (set_file[s] != NULL) {
		yyerror("%s given twice (first at %s:%d)", setting_names[s],
		    set_file[s], set_line[s]);
		return 0;
	}
	set_file[s] = file->name;
	set_line[s] = yylval.lineno;
	return 1;
}

/*
 * The string pool: everything the lexer hands to the grammar.
 */

static char *
pool_strdup(const char *s)
{
	struct poolent	*p;
	size_t		 len = strlen(s);

	if ((p = malloc(sizeof(*p) + len + 1)) == NULL)
		fatal("%s", __func__);
	memcpy(p->data, s, len + 1);
	p->len = len;
	p->next = pool;
	pool = p;
	return p->data;
}

static void
pool_free(void)
{
	struct poolent	*p;

	while ((p = pool) != NULL) {
		pool = p->next;
		explicit_bzero(p->data, p->len);
		free(p);
	}
}

/*
 * Keywords, recognised as bare words only: "user" in quotes is a string.
 */

static const struct keyword {
	const char	*name;
	int		 token;
} keywords[] = {
	{ "address",		ADDRESS },
	{ "attributes",		ATTRIBUTES },
	{ "ca",			CA },
	{ "certificate",	CERTIFICATE },
	{ "check",		CHECK },
	{ "ciphers",		CIPHERS },
	{ "client",		CLIENT },
	{ "close",		CLOSE },
	{ "connections",	CONNECTIONS },
	{ "database",		DATABASE },
	{ "delay",		DELAY },
	{ "directory",		DIRECTORY },
	{ "document",		DOCUMENT },
	{ "fault",		FAULT },
	{ "gateway",		GATEWAY },
	{ "handshake",		HANDSHAKE },
	{ "handshakes",		HANDSHAKES },
	{ "include",		INCLUDE },
	{ "inflight",		INFLIGHT },
	{ "instruction",	INSTRUCTION },
	{ "instructions",	INSTRUCTIONS },
	{ "keep-alive",		KEEPALIVE },
	{ "key",		KEY },
	{ "lifetime",		LIFETIME },
	{ "listen",		LISTEN },
	{ "max",		MAX },
	{ "memory",		MEMORY },
	{ "nodes",		NODES },
	{ "on",			ON },
	{ "packages",		PACKAGES },
	{ "per",		PER },
	{ "port",		PORT },
	{ "protocols",		PROTOCOLS },
	{ "receipt-hash",	RECEIPTHASH },
	{ "requests",		REQUESTS },
	{ "schema",		SCHEMA },
	{ "session",		SESSION },
	{ "state",		STATE },
	{ "timeout",		TIMEOUT },
	{ "token",		TOKEN },
	{ "user",		USER },
	{ "worker",		WORKER },
	{ "workers",		WORKERS },
};

static int
kw_cmp(const void *k, const void *e)
{
	return strcmp(k, ((const struct keyword *)e)->name);
}

static int
lookup(const char *s)
{
	const struct keyword	*kw;

	kw = bsearch(s, keywords, sizeof(keywords) / sizeof(keywords[0]),
	    sizeof(keywords[0]), kw_cmp);
	return kw != NULL ? kw->token : STRING;
}

static int
is_keyword(const char *s)
{
	return lookup(s) != STRING;
}

/*
 * Reading characters.  A file (or the buffer) is held in memory; a
 * backslash before a newline joins the lines (and reads as a blank).
 * Pushed-back characters, and the text of an expanded macro, come first;
 * those of a macro carry PB_MACRO, so that a '$' inside a macro's value
 * is not expanded again.
 */

static int
file_getc(void)
{
	int	 c;

	if (file->off >= file->len)
		return EOF;
	c = file->buf[file->off++];
	if (c == '\\') {
		if (file->off < file->len && file->buf[file->off] == '\n') {
			file->off++;
			file->lineno++;
			return ' ';
		}
		if (file->off + 1 < file->len &&
		    file->buf[file->off] == '\r' &&
		    file->buf[file->off + 1] == '\n') {
			file->off += 2;
			file->lineno++;
			return ' ';
		}
	}
	return c;
}

static int
lgetc(void)
{
	int	 c;

	if (file->npb > 0) {
		c = file->pb[--file->npb];
		lex_from_macro = (c & PB_MACRO) != 0;
		return c & 0xff;
	}
	lex_from_macro = 0;
	return file_getc();
}

static void
lungetc(int c)
{
	if (c == EOF)
		return;
	if (file->npb >= PUSHBACK_MAX)
		fatalx("%s: pushback overflow", __func__);
	file->pb[file->npb++] = c | (lex_from_macro ? PB_MACRO : 0);
}

/* skip to the end of the line, leaving the newline for the grammar */
static int
findeol(void)
{
	int	 c;

	while ((c = lgetc()) != '\n' && c != EOF)
		;
	lungetc(c);
	return ERROR;
}

static int
is_word_char(int c)
{
	if (c == EOF || c < 0x21 || c > 0x7e)
		return 0;
	return c != '{' && c != '}' && c != '=' && c != '#' && c != '"';
}

static int
is_macro_char(int c)
{
	return c != EOF && c < 0x80 && (isalnum(c) || c == '_');
}

static struct macro *
macro_find(const char *name)
{
	struct macro	*m;

	for (m = macros; m != NULL; m = m->next)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

/* read the name after '$' and push the macro's value back */
static int
expand_macro(void)
{
	struct macro	*m;
	size_t		 i, len;
	int		 c;

	i = 0;
	while (is_macro_char(c = lgetc()) && !lex_from_macro) {
		if (i >= sizeof(lexbuf) - 1) {
			yyerror("macro name too long");
			return findeol();
		}
		lexbuf[i++] = c;
	}
	lungetc(c);
	lexbuf[i] = '\0';
	if (i == 0) {
		yyerror("macro name expected after \"$\"");
		return findeol();
	}
	if ((m = macro_find(lexbuf)) == NULL) {
		yyerror("macro \"%s\" not defined", lexbuf);
		return findeol();
	}
	len = strlen(m->value);
	/* cannot happen: values are shorter than a string */
	if (file->npb + len > PUSHBACK_MAX)
		fatalx("%s: macro too long", __func__);
	lex_from_macro = 1;
	while (len > 0)
		lungetc((unsigned char)m->value[--len]);
	return 0;
}

static int
lex_quoted(void)
{
	size_t	 i = 0;
	int	 c, next;

	for (;;) {
		c = lgetc();
		if (c == EOF || c == '\n') {
			lungetc(c);
			yyerror("unterminated quoted string");
			return ERROR;
		}
		if (c == '"')
			break;
		if (c == '\\') {
			next = lgetc();
			if (next != '"' && next != '\\') {
				lungetc(next);
				if (next == EOF || next == '\n')
					yyerror("unterminated quoted string");
				else
					yyerror("invalid escape \"\\%c\" in "
					    "quoted string (only \\\" and "
					    "\\\\)",
					    isprint(next) ? next : '?');
				return findeol();
			}
			c = next;
		} else if (c == 0x7f || (c < 0x20 && c != '\t')) {
			yyerror("invalid character 0x%02x in quoted string",
			    c);
			return findeol();
		}
		if (i >= sizeof(lexbuf) - 1) {
			yyerror("string too long (max %d bytes)",
			    COMMS_STR_MAX - 1);
			return findeol();
		}
		lexbuf[i++] = c;
	}
	lexbuf[i] = '\0';
	yylval.v.string = pool_strdup(lexbuf);
	explicit_bzero(lexbuf, i);
	return STRING;
}

static int
lex_word(int c)
{
	size_t	 i = 0;
	int	 token;

	do {
		if (i >= sizeof(lexbuf) - 1) {
			yyerror("string too long (max %d bytes)",
			    COMMS_STR_MAX - 1);
			return findeol();
		}
		lexbuf[i++] = c;
	} while (is_word_char(c = lgetc()));
	lungetc(c);
	lexbuf[i] = '\0';

	token = lookup(lexbuf);
	if (token != STRING) {
		/* "keyword = value" is a macro definition: let it fail there */
		while ((c = lgetc()) == ' ' || c == '\t' || c == '\r')
			;
		lungetc(c);
		if (c == '=')
			token = STRING;
	}
	if (token == STRING)
		yylval.v.string = pool_strdup(lexbuf);
	explicit_bzero(lexbuf, i);
	return token;
}

static void popfile(void);

static int
yylex(void)
{
	int	 c;

top:
	if (file->pending_nl) {
		file->pending_nl = 0;
		yylval.lineno = file->lineno;
		return '\n';
	}
	while ((c = lgetc()) == ' ' || c == '\t' || c == '\r')
		;
	yylval.lineno = file->lineno;
	if (c == '#')
		while ((c = lgetc()) != '\n' && c != EOF)
			;
	if (c == '$' && !lex_from_macro) {
		if (expand_macro() == ERROR)
			return ERROR;
		goto top;
	}

	switch (c) {
	case EOF:
		if (!file->eof) {
			/* end the last line even without a newline */
			file->eof = 1;
			return '\n';
		}
		if (file->parent != NULL) {
			popfile();
			goto top;
		}
		return 0;
	case '\n':
		file->lineno++;
		return '\n';
	case '=':
		return '=';
	case '"':
		return lex_quoted();
	}
	if (is_word_char(c))
		return lex_word(c);
	/* a control character, a brace or a byte outside ASCII */
	yyerror("unexpected character 0x%02x", c);
	return findeol();
}

/*
 * Files.
 */

static struct file *
file_new(const char *name)
{
	struct file	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		fatal("%s", __func__);
	f->name = pool_strdup(name);
	f->lineno = 1;
	return f;
}

static void
file_free(struct file *f)
{
	if (f->data != NULL) {
		explicit_bzero(f->data, f->len);
		free(f->data);
	}
	explicit_bzero(f, sizeof(*f));
	free(f);
}

static void
popfile(void)
{
	struct file	*f = file;

	file = f->parent;
	file_free(f);
}

/*
 * Push a file named path.  Top level: errors are "path: reason"; an
 * include: "including-file:line: path: reason".
 */
static int
pushfile_path(const char *path, int depth)
{
	struct file	*f, *p;
	struct stat	 st;
	const char	*why;
	size_t		 len;
	char		*data;

	if ((data = file_read_conf(path, CONF_MAX_FILE_SIZE,
	    !(parse_opts & COMMS_CONF_NOPERMCHECK), &len, &st, &why)) == NULL) {
		if (file == NULL) {
			log_warnx("%s: %s", path, why);
			errors++;
		} else
			yyerror("%s: %s", path, why);
		return -1;
	}
	for (p = file; p != NULL; p = p->parent) {
		if (p->dev == st.st_dev && p->ino == st.st_ino) {
			yyerror("%s: include loop", path);
			explicit_bzero(data, len);
			free(data);
			return -1;
		}
	}
	f = file_new(path);
	f->data = data;
	f->buf = (const unsigned char *)data;
	f->len = len;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->depth = depth;
	f->parent = file;
	file = f;
	return 0;
}

static void
include_file(const char *name)
{
	char		 path[PATH_MAX];
	const char	*slash;
	int		 n;

	if (from_buffer) {
		yyerror("include is not allowed when parsing from memory");
		return;
	}
	if (*name == '\0') {
		yyerror("include: empty file name");
		return;
	}
	if (file->depth >= COMMS_MAX_INCLUDE_DEPTH) {
		yyerror("%s: includes nested too deeply (max %d)", name,
		    COMMS_MAX_INCLUDE_DEPTH);
		return;
	}
	/* a relative name is relative to the including file's directory */
	if (name[0] != '/' && (slash = strrchr(file->name, '/')) != NULL)
		n = snprintf(path, sizeof(path), "%.*s/%s",
		    (int)(slash - file->name), file->name, name);
	else
		n = snprintf(path, sizeof(path), "%s", name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		yyerror("include path too long");
		return;
	}
	/* the include statement ends before the new file starts */
	if (pushfile_path(path, file->depth + 1) == 0)
		file->pending_nl = 1;
}

/*
 * Values.
 */

static int
set_str(char *dst, size_t size, const char *s, const char *what)
{
	if (*s == '\0') {
		yyerror("%s must not be empty", what);
		return -1;
	}
	if (strlcpy(dst, s, size) >= size) {
		yyerror("%s too long (max %zu bytes)", what, size - 1);
		dst[0] = '\0';
		return -1;
	}
	return 0;
}

static int
set_path(char *dst, size_t size, const char *s, const char *what)
{
	if (*s != '/') {
		yyerror("%s \"%s\" must be an absolute path", what, s);
		return -1;
	}
	return set_str(dst, size, s, what);
}

/* a decimal number; *endp (when given) gets the rest of the string */
static int
parse_digits(const char *s, unsigned long long max, unsigned long long *out,
    const char **endp)
{
	unsigned long long	 n = 0;
	const char		*p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (n > (max - (*p - '0')) / 10)
			n = max + 1;		/* saturate: out of range */
		else
			n = n * 10 + (*p - '0');
	}
	if (p == s)
		return -1;
	if (endp != NULL)
		*endp = p;
	else if (*p != '\0')
		return -1;
	*out = n;
	return 0;
}

static int
get_number(const char *s, long long min, long long max, const char *what,
    long long *out)
{
	unsigned long long	 n;

	if (parse_digits(s, (unsigned long long)max, &n, NULL) == -1) {
		yyerror("%s \"%s\" is not a number", what, s);
		return -1;
	}
	if (n < (unsigned long long)min || n > (unsigned long long)max) {
		yyerror("%s %s out of range %lld..%lld", what, s, min, max);
		return -1;
	}
	*out = n;
	return 0;
}

static int
get_port(const char *s, uint16_t *port)
{
	long long	 n;

	if (get_number(s, 1, 65535, "port", &n) == -1)
		return -1;
	*port = n;
	return 0;
}

/* a duration: a number followed by ms, s, m or h (none: seconds) */
static int
get_duration(const char *s, uint64_t min, uint64_t max, const char *what,
    uint64_t *out)
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
	};
	unsigned long long	 n;
	const char		*end;
	char			 lo[32], hi[32];
	size_t			 i;

	if (parse_digits(s, 1000000000ULL, &n, &end) == 0) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (strcmp(end, units[i].suffix) != 0)
				continue;
			n *= units[i].ms;
			if (n < min || n > max) {
				config_fmt_duration(lo, sizeof(lo), min);
				config_fmt_duration(hi, sizeof(hi), max);
				yyerror("%s %s out of range %s..%s", what, s,
				    lo, hi);
				return -1;
			}
			*out = n;
			return 0;
		}
	}
	yyerror("%s \"%s\" is not a duration (a number with ms, s, m or h)",
	    what, s);
	return -1;
}

/* a size: a number of bytes, or with K, M or G (binary multiples) */
static int
get_size(const char *s, uint64_t min, uint64_t max, const char *what,
    uint64_t *out)
{
	unsigned long long	 n;
	const char		*end;
	char			 lo[32], hi[32];
	uint64_t		 mult;

	if (parse_digits(s, 1ULL << 40, &n, &end) == -1)
		goto bad;
	if (*end == '\0')
		mult = 1;
	else if (end[1] != '\0')
		goto bad;
	else if (*end == 'K' || *end == 'k')
		mult = 1ULL << 10;
	else if (*end == 'M' || *end == 'm')
		mult = 1ULL << 20;
	else if (*end == 'G' || *end == 'g')
		mult = 1ULL << 30;
	else
		goto bad;
	if (n > max / mult || n * mult < min) {
		config_fmt_size(lo, sizeof(lo), min);
		config_fmt_size(hi, sizeof(hi), max);
		yyerror("%s %s out of range %s..%s", what, s, lo, hi);
		return -1;
	}
	*out = n * mult;
	return 0;
 bad:
	yyerror("%s \"%s\" is not a size (a number with K, M or G)", what, s);
	return -1;
}

static int
get_count(const char *s, long long min, long long max, const char *what,
    uint32_t *out)
{
	long long	 n;

	if (get_number(s, min, max, what, &n) == -1)
		return -1;
	*out = (uint32_t)n;
	return 0;
}

/* the TLS 1.2 cipher suites (config.c: config_ciphers) */
static int
get_ciphers(const char *s, char *out, size_t outlen)
{
	char	 err[256];

	if (config_ciphers(s, out, outlen, err, sizeof(err)) == -1) {
		yyerror("%s", err);
		return -1;
	}
	return 0;
}

/* "tlsv1.2,tlsv1.3", "secure", "default": never older than TLS 1.2 */
static int
get_protocols(const char *s, uint32_t *out)
{
	char		 buf[COMMS_STR_MAX], *p, *word;
	uint32_t	 protos = 0;
	int		 ret = 0;

	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf)) {
		yyerror("protocols too long");
		return -1;
	}
	p = buf;
	while ((word = strsep(&p, ",:")) != NULL) {
		if (strcasecmp(word, "tlsv1.2") == 0)
			protos |= COMMS_TLSV1_2;
		else if (strcasecmp(word, "tlsv1.3") == 0)
			protos |= COMMS_TLSV1_3;
		else if (strcasecmp(word, "secure") == 0 ||
		    strcasecmp(word, "default") == 0)
			protos |= COMMS_TLSV1_2 | COMMS_TLSV1_3;
		else if (strcasecmp(word, "tlsv1.0") == 0 ||
		    strcasecmp(word, "tlsv1.1") == 0 ||
		    strcasecmp(word, "tlsv1") == 0 ||
		    strcasecmp(word, "all") == 0 ||
		    strcasecmp(word, "legacy") == 0) {
			yyerror("protocol \"%s\" not allowed: TLS 1.2 is the "
			    "minimum", word);
			ret = -1;
		} else {
			yyerror("unknown TLS protocol \"%s\" (tlsv1.2, "
			    "tlsv1.3, secure or default)", word);
			ret = -1;
		}
	}
	if (ret == 0)
		*out = protos;
	return ret;
}

static void
macro_set(const char *name, const char *value)
{
	struct macro	*m;
	const char	*p;

	if (!isalpha((unsigned char)name[0])) {
		yyerror("invalid macro name \"%s\"", name);
		return;
	}
	for (p = name; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_') {
			yyerror("invalid macro name \"%s\"", name);
			return;
		}
	}
	if (is_keyword(name)) {
		yyerror("macro name \"%s\" is a reserved keyword", name);
		return;
	}
	if ((m = macro_find(name)) == NULL) {
		if ((m = calloc(1, sizeof(*m))) == NULL ||
		    (m->name = strdup(name)) == NULL)
			fatal("%s", __func__);
		m->next = macros;
		macros = m;
	} else {
		explicit_bzero(m->value, strlen(m->value));
		free(m->value);
	}
	if ((m->value = strdup(value)) == NULL)
		fatal("%s", __func__);
}

static void
macros_free(void)
{
	struct macro	*m;

	while ((m = macros) != NULL) {
		macros = m->next;
		explicit_bzero(m->value, strlen(m->value));
		free(m->value);
		free(m->name);
		free(m);
	}
}

/*
 * Statements.
 */

static void
listen_add(const char *addr, int64_t port)
{
	struct comms_listen	*l;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	char			 buf[64];
	size_t			 len, i;

	if (port == -1)
		return;			/* already reported */
	/* "[::1]" as well as "::1" */
	len = strlen(addr);
	if (len >= 2 && addr[0] == '[' && addr[len - 1] == ']') {
		if (len - 2 >= sizeof(buf))
			goto bad;
		memcpy(buf, addr + 1, len - 2);
		buf[len - 2] = '\0';
	} else if (strlcpy(buf, addr, sizeof(buf)) >= sizeof(buf))
		goto bad;
	if (conf->nlisten >= COMMS_MAX_LISTEN) {
		yyerror("too many listen statements (max %d)",
		    COMMS_MAX_LISTEN);
		return;
	}
	l = &conf->listen[conf->nlisten];
	memset(l, 0, sizeof(*l));
	sin = (struct sockaddr_in *)&l->ss;
	sin6 = (struct sockaddr_in6 *)&l->ss;
	if (inet_pton(AF_INET, buf, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		l->sslen = sizeof(*sin);
		if (inet_ntop(AF_INET, &sin->sin_addr, l->addr,
		    sizeof(l->addr)) == NULL)
			goto bad;
	} else if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		l->sslen = sizeof(*sin6);
		if (inet_ntop(AF_INET6, &sin6->sin6_addr, l->addr,
		    sizeof(l->addr)) == NULL)
			goto bad;
	} else
		goto bad;
	l->port = (uint16_t)port;
	for (i = 0; i < conf->nlisten; i++)
		if (strcmp(conf->listen[i].addr, l->addr) == 0 &&
		    conf->listen[i].port == l->port) {
			yyerror("listen on %s port %u given twice", l->addr,
			    l->port);
			return;
		}
	conf->nlisten++;
	return;
 bad:
	yyerror("listen on \"%s\": not a numeric IPv4 or IPv6 address", addr);
}

/* the checks that need the whole file */
static void
check_config(void)
{
	static const struct {
		enum setting	 s;
		const char	*what;
	} required[] = {
		{ S_CERT,	"certificate" },
		{ S_KEY,	"key" },
		{ S_CA,		"client ca" },
		{ S_DATABASE,	"database" },
	};
	const char	*top = file != NULL ? file->name : "commsd.conf";
	char		 state[COMMS_STR_MAX];
	size_t		 i;

	if (conf->nlisten == 0)
		conf_error_at(NULL, 0, "%s: no \"listen on\" statement", top);
	comms_conf_derive(conf);
	if (conf->max_inflight < 2 * conf->max_document)
		conf_error_at(set_file[S_MAXINFLIGHT], set_line[S_MAXINFLIGHT],
		    "max inflight must be at least twice max document (a "
		    "document and what is made of it)");
	if (conf->max_conns_gw > conf->max_conns)
		conf_error_at(set_file[S_MAXCONNGW], set_line[S_MAXCONNGW],
		    "max connections per gateway is more than max "
		    "connections");
	if (conf->max_handshakes_addr > conf->max_handshakes)
		conf_error_at(set_file[S_MAXHSADDR], set_line[S_MAXHSADDR],
		    "max handshakes per address is more than max "
		    "handshakes");
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (set_file[required[i].s] == NULL)
			conf_error_at(NULL, 0, "%s: \"%s\" is required", top,
			    required[i].what);
	if (conf->database[0] == '\0')
		return;
	if (comms_db_is_pg(conf->database)) {
		if (!check_pg_uri())
			return;
	} else if (set_file[S_STATEDIR] != NULL) {
		conf_error_at(set_file[S_STATEDIR], set_line[S_STATEDIR],
		    "state directory is for a PostgreSQL database only: the "
		    "state directory is the database file's");
		return;
	}
	if (comms_state_dir(conf, state, sizeof(state)) == -1) {
		conf_error_at(set_file[S_DATABASE], set_line[S_DATABASE],
		    "database \"%s\" must be a file in a directory other "
		    "than /", conf->database);
		return;
	}
	inside_state(conf->packages, sizeof(conf->packages), state,
	    "packages", S_PACKAGES);
	inside_state(conf->instructions, sizeof(conf->instructions), state,
	    "instructions", S_INSTRUCTIONS);
}

/*
 * A PostgreSQL database: a URI libpq's own parser takes, with nothing
 * but its keywords, and a state directory for the files.  1 when good.
 */
static int
check_pg_uri(void)
{
	PQconninfoOption	*opts;
	char			*msg = NULL;

	if ((opts = PQconninfoParse(conf->database, &msg)) == NULL) {
		conf_error_at(set_file[S_DATABASE], set_line[S_DATABASE],
		    "database: not a PostgreSQL connection URI: %s",
		    msg != NULL ? msg : "out of memory");
		PQfreemem(msg);
		return 0;
	}
	PQconninfoFree(opts);
	if (set_file[S_STATEDIR] == NULL) {
		conf_error_at(set_file[S_DATABASE], set_line[S_DATABASE],
		    "a PostgreSQL database needs a \"state directory\" (the "
		    "instructions and packages, commsd's root)");
		return 0;
	}
	if (comms_path_has_dots(conf->statedir) ||
	    strspn(conf->statedir, "/") == strlen(conf->statedir)) {
		conf_error_at(set_file[S_STATEDIR], set_line[S_STATEDIR],
		    "state directory \"%s\" must be a directory other than /",
		    conf->statedir);
		return 0;
	}
	return 1;
}

/*
 * A directory commsd serves from: inside its state directory (its
 * chroot), by default state/WHAT.
 */
static void
inside_state(char *dir, size_t len, const char *state, const char *what,
    enum setting s)
{
	size_t	 n = strlen(state);

	if (dir[0] == '\0') {
		if ((size_t)snprintf(dir, len, "%s/%s", state, what) >= len)
			conf_error_at(set_file[S_DATABASE],
			    set_line[S_DATABASE], "database path too long");
		return;
	}
	if (strncmp(dir, state, n) != 0 || dir[n] != '/' ||
	    dir[n + 1] == '\0' || comms_path_has_dots(dir))
		conf_error_at(set_file[s], set_line[s], "%s \"%s\" must be "
		    "inside the state directory %s", what, dir, state);
}

/*
 * One run.
 */

static void
parse_reset(void)
{
	while (file != NULL)
		popfile();
	macros_free();
	pool_free();
	explicit_bzero(lexbuf, sizeof(lexbuf));
	memset(set_file, 0, sizeof(set_file));
	memset(set_line, 0, sizeof(set_line));
	errors = 0;
	lex_from_macro = 0;
	parse_opts = 0;
	from_buffer = 0;
	memset(&yylval, 0, sizeof(yylval));
	conf = NULL;
}

static struct comms_conf *
parse_run(void)
{
	struct comms_conf	*c;
	int			 r;

	r = yyparse();
	if (r == 0)
		check_config();
	else if (errors == 0) {
		/* cannot happen: a failed parse has reported something */
		log_warnx("%s: parse failed", file != NULL ? file->name : "?");
		errors++;
	}
	c = conf;
	if (errors > 0) {
		comms_conf_free(c);
		c = NULL;
	}
	conf = NULL;
	parse_reset();
	return c;
}

struct comms_conf *
comms_parse_config(const char *filename, int opts)
{
	parse_reset();
	parse_opts = opts;
	if ((conf = comms_conf_new()) == NULL) {
		log_warn("%s", __func__);
		return NULL;
	}
	if (pushfile_path(filename, 0) == -1) {
		comms_conf_free(conf);
		parse_reset();
		return NULL;
	}
	return parse_run();
}

struct comms_conf *
comms_parse_config_buffer(const char *name, const char *buf, size_t len)
{
	parse_reset();
	parse_opts = COMMS_CONF_NOPERMCHECK;
	from_buffer = 1;
	if ((conf = comms_conf_new()) == NULL) {
		log_warn("%s", __func__);
		return NULL;
	}
	file = file_new(name);
	file->buf = (const unsigned char *)buf;
	file->len = len;
	return parse_run();
}
