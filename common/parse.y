/*
 * callhome.conf(5): a yacc grammar and its hand-written lexer, in the
 * manner of the OpenBSD daemons' parse.y files.
 *
 * Every error is reported as "file:line: message" through log_warnx() and
 * parsing goes on to the end of the line (yacc error recovery), so one run
 * shows all the errors of a file; the result is then NULL.  Nothing of a
 * failed parse survives: all the state of one run lives in the statics
 * below and is wiped and reset by parse_reset() before and after each
 * run, so that parse_config_buffer() can be called again and again
 * (fuzzing).
 *
 * Memory: every string the lexer returns lives in a pool that is wiped
 * and freed at the end of the run, so tokens thrown away by error recovery
 * leak nothing.  Secrets (passwords, communities, the token) pass through
 * the file buffer, the lexer, the pool and the macro table: all of them
 * are wiped with explicit_bzero() before being freed.
 */

%{
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "config.h"
#include "file.h"
#include "report.h"
#include "log.h"

/* keep byacc's global symbols apart from any other parser's */
#define yyparse		conf_yyparse
#define yylval		conf_yylval
#define yyval		conf_yyval
#define yychar		conf_yychar
#define yydebug		conf_yydebug
#define yynerrs		conf_yynerrs
#define yyerrflag	conf_yyerrflag
#define YY_NO_LEAKS	1		/* free the parser's stacks */
#define YYERROR_CALL(msg)	yacc_error(msg)

#define CONF_MAX_FILE_SIZE	(32 * 1024 * 1024)
#define PUSHBACK_MAX		(CONF_STR_MAX + 16)
#define PB_MACRO		0x100	/* pushed back, from a macro */

#define DEFAULT_SNMP_PORT	161
#define DEFAULT_SERVER_PORT	443

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
	int			 braces;	/* open '{' */
	int			 brace_line;
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

/* a device or discover line, for the checks made after parsing */
struct target_ref {
	int			 is_discover;
	void			*target;
	struct snmp_target_opts	*opts;
	const char		*file;		/* in the pool */
	int			 line;
};

/* duplicate device detection: open addressing over (address, port) */
struct devhash {
	struct device_conf	**slot;
	size_t			  size;		/* 2^n, or 0 */
	size_t			  used;
};

typedef struct {
	union {
		int64_t		 number;
		char		*string;
	} v;
	int lineno;
} YYSTYPE;
#define YYSTYPE_IS_DECLARED	1

static struct callhome_conf	*conf;
static struct file		*file;		/* the one being read */
static int			 parse_opts;
static int			 from_buffer;
static int			 errors;
static int			 lex_abort;	/* unclosed block at EOF */
static int			 lex_from_macro; /* from a macro: lgetc() */
static char			 lexbuf[CONF_STR_MAX];
static struct macro		*macros;
static struct poolent		*pool;
static struct target_ref	*refs;
static size_t			 nrefs, refs_cap;
static struct devhash		 devhash;
static int			 ndevices, ndiscovers, nv3users;

/* statement being built */
static struct snmp_target_opts	 topts;
static int			 topts_set;
static int			 topts_line;
#define TOPT_PORT		0x01
#define TOPT_COMMUNITY		0x02
#define TOPT_VERSION		0x04
#define TOPT_USER		0x08

static struct v3user		 v3cur;
static int			 v3_set;
#define V3_PRIV			0x01
#define V3_CONTEXT		0x02
#define V3_WEAK			0x04
#define V3_NOAUTH		0x08

static struct server_conf	 server_scratch; /* a second server block */
static struct server_conf	*srv;
static int			 srv_set;
static int			 srv_line;
#define SRV_CA			0x01
#define SRV_CERT		0x02
#define SRV_KEY			0x04
#define SRV_PIN			0x08
#define SRV_PROTOCOLS		0x10
#define SRV_TOKEN		0x20
#define SRV_PROXY		0x40
#define SRV_PROXY_USER		0x80
#define SRV_PROXY_PASS		0x100
#define SRV_CIPHERS		0x200

/* where the settings that are checked after parsing were made */
static const char		*jobdata_file, *upload_file, *checkin_file;
static const char		*pkg_file;
static int			 jobdata_line, upload_line, checkin_line;
static int			 pkg_line;

/* an "allow" list being read: of packages (1) or instructions (0) */
static int			 allow_pkgs;
static uint32_t			 allow_bits;

static int	 yylex(void);
static int	 yyerror(const char *, ...)
		    __attribute__((__format__(printf, 1, 2)));
static void	 yacc_error(const char *);
static void	 conf_error_at(const char *, int, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));
static char	*pool_strdup(const char *);
static int	 findeol(void);
static int	 pushfile_path(const char *, int);

static int	 set_str(char *, size_t, const char *, const char *);
static int	 set_path(char *, size_t, const char *, const char *);
static void	 supply_rule(const char *, const char *, const char *);
static int	 get_number(const char *, long long, long long, const char *,
		    long long *);
static int	 get_duration(const char *, uint64_t, uint64_t, const char *,
		    uint64_t *);
static int	 get_seconds(const char *, uint64_t, uint64_t, const char *,
		    uint32_t *);
static int	 get_size(const char *, uint64_t, uint64_t, const char *,
		    uint64_t *);
static int	 get_port(const char *, const char *, uint16_t *);
static int	 get_version(const char *, enum snmp_version_conf *);
static int	 get_protocols(const char *, uint32_t *);
static int	 get_pin(const char *, char *, size_t);
static int	 get_hostname(const char *, const char *, char *, size_t);
static void	 macro_set(const char *, const char *);
static int	 is_keyword(const char *);

static void	 include_file(const char *);
static void	 topts_begin(void);
static void	 device_add(const char *);
static void	 discover_add(const char *);
static void	 v3_begin(const char *, const char *, const char *);
static void	 v3_end(void);
static void	 server_begin(const char *, int64_t);
static void	 server_end(void);
static void	 proxy_begin(const char *, const char *);
static void	 proxy_end(void);
static void	 set_schedule(const char *, const char *);
static void	 set_window(const char *);
static void	 allow_begin(int);
static void	 allow_word(const char *);
static void	 allow_end(void);
%}

%token	ALLOW AUTH AUTHORIZE CA CERTIFICATE CHECKIN CIPHERS COMMUNITY CONTEXT DAILY
%token	DAYS DEVICE DISCOVER EVERY GATEWAY GROUP INCLUDE INSTRUCTIONS
%token	JITTER JOBDATA KEY LIMIT NEVER NO PACKAGES PART PASSWORD PIN PINSHA256 PORT PRIV
%token	PROFILES PROTOCOLS PROXY RATE RETENTION RETRIES SCHEDULE SEND
%token	SERVER SITE SNMP SNMPV3 SOCKET SPOOL STATE TIMEOUT TOKEN TRUST
%token	SUPPLY REQUESTS THRESHOLD VENDOR TYPE
%token	UPLOAD USER VERSION WEAK WINDOW YES
%token	ERROR
%token	<v.string>	STRING
%type	<v.number>	yesno optport
%type	<v.string>	category optgroup optjitter word optvendor opttype

%%

grammar		: /* empty */
		| grammar '\n'
		| grammar include '\n'
		| grammar varset '\n'
		| grammar main '\n'
		| grammar server '\n'
		| grammar error '\n'		{ yyerrok; }
		;

include		: INCLUDE STRING		{ include_file($2); }
		;

varset		: STRING '=' STRING		{ macro_set($1, $3); }
		;

yesno		: YES				{ $$ = 1; }
		| NO				{ $$ = 0; }
		;

category	: STRING			{ $$ = $1; }
		| JOBDATA			{
			$$ = pool_strdup("job-data");
		}
		;

/* a word that may also be a keyword, in the lists of "allow" */
word		: STRING			{ $$ = $1; }
		| UPLOAD			{ $$ = pool_strdup("upload"); }
		| CHECKIN			{ $$ = pool_strdup("checkin"); }
		| SCHEDULE			{ $$ = pool_strdup("schedule"); }
		;

kinds		: word				{ allow_word($1); }
		| kinds word			{ allow_word($2); }
		;

optgroup	: /* empty */			{ $$ = NULL; }
		| GROUP STRING			{ $$ = $2; }
		;

optjitter	: /* empty */			{ $$ = NULL; }
		| JITTER STRING			{ $$ = $2; }
		;

optvendor	: /* empty */			{ $$ = NULL; }
		| VENDOR STRING			{ $$ = $2; }
		;

opttype		: /* empty */			{ $$ = NULL; }
		| TYPE STRING			{ $$ = $2; }
		;

optport		: /* empty */			{ $$ = -1; }
		| PORT STRING			{
			uint16_t	 port;

			if (get_port($2, "port", &port) == -1)
				$$ = -1;
			else
				$$ = port;
		}
		;

main		: GATEWAY STRING {
			set_str(conf->gateway, sizeof(conf->gateway), $2,
			    "gateway");
		}
		| SITE STRING {
			set_str(conf->site, sizeof(conf->site), $2, "site");
		}
		| USER STRING {
			set_str(conf->user, sizeof(conf->user), $2, "user");
		}
		| STATE STRING {
			set_path(conf->state, sizeof(conf->state), $2, "state");
		}
		| SOCKET STRING optgroup {
			struct sockaddr_un	 sa_un;

			if (set_path(conf->socket, sizeof(conf->socket), $2,
			    "socket") == 0 &&
			    strlen(conf->socket) >= sizeof(sa_un.sun_path))
				yyerror("socket path \"%s\" too long (max %zu "
				    "bytes)", $2, sizeof(sa_un.sun_path) - 1);
			conf->socket_group[0] = '\0';
			if ($3 != NULL)
				set_str(conf->socket_group,
				    sizeof(conf->socket_group), $3, "group");
		}
		| PROFILES STRING {
			set_path(conf->profiles, sizeof(conf->profiles), $2,
			    "profiles");
		}
		| AUTHORIZE UPLOAD yesno {
			conf->authorize_upload = $3;
			upload_file = file->name;
			upload_line = yylval.lineno;
		}
		| SEND category yesno {
			int	 c;

			if ((c = category_from_name($2)) == -1)
				yyerror("unknown category \"%s\"", $2);
			else {
				if ($3)
					conf->send |= CAT_BIT(c);
				else
					conf->send &= ~CAT_BIT(c);
				if (c == CAT_JOB_DATA) {
					jobdata_file = file->name;
					jobdata_line = yylval.lineno;
				}
			}
		}
		| SCHEDULE DAILY STRING optjitter {
			set_schedule($3, $4);
		}
		| CHECKIN EVERY STRING {
			/* a bad interval is its own error, not this one too */
			if (get_seconds($3, 10 * 1000ULL, 30 * 86400 * 1000ULL,
			    "checkin interval", &conf->checkin_every) == 0) {
				conf->checkin_set = 1;
				checkin_file = file->name;
				checkin_line = yylval.lineno;
			}
		}
		| CHECKIN NEVER {
			conf->checkin_every = 0;
			conf->checkin_set = 1;
		}
		| ALLOW INSTRUCTIONS {
			allow_begin(0);
		} kinds {
			allow_end();
		}
		| ALLOW PACKAGES {
			allow_begin(1);
		} kinds {
			allow_end();
		}
		| ALLOW SCHEDULE STRING {
			set_window($3);
		}
		| ALLOW CHECKIN EVERY STRING {
			get_seconds($4, 60 * 1000ULL, 30 * 86400 * 1000ULL,
			    "shortest checkin interval",
			    &conf->policy.checkin_min);
		}
		| RETENTION STRING DAYS {
			long long	 n;

			if (get_number($2, 1, 36500, "retention", &n) == 0)
				conf->retention_days = n;
		}
		| SPOOL LIMIT STRING {
			get_size($3, 1ULL << 20, 1ULL << 40, "spool limit",
			    &conf->spool_limit);
		}
		| PART LIMIT STRING {
			get_size($3, CONF_PART_LIMIT_MIN, CONF_PART_LIMIT_MAX,
			    "part limit", &conf->part_limit);
		}
		| SUPPLY REQUESTS yesno {
			conf->supply_requests = $3;
		}
		| SUPPLY THRESHOLD STRING optvendor opttype {
			supply_rule($3, $4, $5);
		}
		| SNMP snmpopts_l
		| DISCOVER RATE STRING {
			long long	 n;

			if (get_number($3, 1, 10000, "discover rate", &n) == 0)
				conf->discover_rate = n;
		}
		| SNMPV3 USER STRING AUTH STRING STRING {
			v3_begin($3, $5, $6);
		} v3opts {
			v3_end();
		}
		| SNMPV3 USER STRING {
			v3_begin($3, NULL, NULL);
		} v3opts {
			v3_end();
		}
		| DEVICE STRING {
			topts_begin();
		} targetopts {
			device_add($2);
		}
		| DISCOVER STRING {
			topts_begin();
		} targetopts {
			discover_add($2);
		}
		| TRUST INSTRUCTIONS STRING {
			set_path(conf->trust_instructions,
			    sizeof(conf->trust_instructions), $3,
			    "trust instructions");
		}
		| TRUST PACKAGES STRING {
			set_path(conf->trust_packages,
			    sizeof(conf->trust_packages), $3, "trust packages");
		}
		| JOBDATA KEY STRING {
			set_path(conf->jobdata_key, sizeof(conf->jobdata_key),
			    $3, "job-data key");
		}
		;

snmpopts_l	: snmpopt
		| snmpopts_l snmpopt
		;

snmpopt		: COMMUNITY STRING {
			set_str(conf->snmp_community,
			    sizeof(conf->snmp_community), $2, "community");
		}
		| VERSION STRING {
			enum snmp_version_conf	 v;

			if (get_version($2, &v) == 0)
				conf->snmp_version = v;
		}
		| TIMEOUT STRING {
			uint64_t	 ms;

			if (get_duration($2, 100, 60 * 1000, "snmp timeout",
			    &ms) == 0)
				conf->snmp_timeout_ms = ms;
		}
		| RETRIES STRING {
			long long	 n;

			if (get_number($2, 0, 10, "snmp retries", &n) == 0)
				conf->snmp_retries = n;
		}
		| WINDOW STRING {
			long long	 n;

			if (get_number($2, 1, 65536, "snmp window", &n) == 0)
				conf->snmp_window = n;
		}
		| RATE STRING {
			long long	 n;

			if (get_number($2, 1, 100000, "snmp rate", &n) == 0)
				conf->snmp_rate = n;
		}
		;

v3opts		: /* empty */
		| v3opts v3opt
		;

v3opt		: PRIV STRING STRING {
			int	 p;

			if (v3_set & V3_PRIV)
				yyerror("priv given twice");
			v3_set |= V3_PRIV;
			if ((p = v3_priv_from_name($2)) == -1)
				yyerror("unknown privacy protocol \"%s\" "
				    "(des, aes, aes128, aes192 or aes256)", $2);
			else
				v3cur.priv = p;
			if (strlen($3) < 8)
				yyerror("priv password must be at least 8 "
				    "characters");
			else
				set_str(v3cur.privpass, sizeof(v3cur.privpass),
				    $3, "priv password");
		}
		| ALLOW WEAK {
			if (v3_set & V3_WEAK)
				yyerror("allow weak given twice");
			v3_set |= V3_WEAK;
			v3cur.allow_weak = 1;
		}
		| CONTEXT STRING {
			if (v3_set & V3_CONTEXT)
				yyerror("context given twice");
			v3_set |= V3_CONTEXT;
			set_str(v3cur.context, sizeof(v3cur.context), $2,
			    "context");
		}
		;

targetopts	: /* empty */
		| targetopts targetopt
		;

targetopt	: PORT STRING {
			if (topts_set & TOPT_PORT)
				yyerror("port given twice");
			topts_set |= TOPT_PORT;
			get_port($2, "port", &topts.port);
		}
		| COMMUNITY STRING {
			if (topts_set & TOPT_COMMUNITY)
				yyerror("community given twice");
			topts_set |= TOPT_COMMUNITY;
			set_str(topts.community, sizeof(topts.community), $2,
			    "community");
		}
		| VERSION STRING {
			if (topts_set & TOPT_VERSION)
				yyerror("version given twice");
			topts_set |= TOPT_VERSION;
			get_version($2, &topts.version);
		}
		| USER STRING {
			if (topts_set & TOPT_USER)
				yyerror("user given twice");
			topts_set |= TOPT_USER;
			set_str(topts.user, sizeof(topts.user), $2, "user");
		}
		;

server		: SERVER STRING optport {
			server_begin($2, $3);
		} '{' serverbody optserveropt '}' {
			server_end();
		}
		;

serverbody	: /* empty */
		| serverbody '\n'
		| serverbody serveropt '\n'
		| serverbody error '\n'		{ yyerrok; }
		;

optserveropt	: /* empty */
		| serveropt
		;

serveropt	: CA STRING {
			if (srv_set & SRV_CA)
				yyerror("ca given twice");
			srv_set |= SRV_CA;
			set_path(srv->ca, sizeof(srv->ca), $2, "ca");
		}
		| CERTIFICATE STRING {
			if (srv_set & SRV_CERT)
				yyerror("certificate given twice");
			srv_set |= SRV_CERT;
			set_path(srv->cert, sizeof(srv->cert), $2,
			    "certificate");
		}
		| KEY STRING {
			if (srv_set & SRV_KEY)
				yyerror("key given twice");
			srv_set |= SRV_KEY;
			set_path(srv->key, sizeof(srv->key), $2, "key");
		}
		| PIN STRING {
			yyerror("pin \"%s\" pins the whole certificate, which "
			    "changes at every renewal: pin its public key "
			    "instead, pin-sha256 \"BASE64\", the base64 of "
			    "the SHA-256 of its SubjectPublicKeyInfo: openssl "
			    "x509 -in server.crt -noout -pubkey | openssl pkey "
			    "-pubin -outform der | openssl dgst -sha256 -binary "
			    "| openssl base64", $2);
		}
		| PINSHA256 STRING {
			if (srv_set & SRV_PIN)
				yyerror("pin given twice");
			srv_set |= SRV_PIN;
			get_pin($2, srv->pin, sizeof(srv->pin));
		}
		| PROTOCOLS STRING {
			if (srv_set & SRV_PROTOCOLS)
				yyerror("protocols given twice");
			srv_set |= SRV_PROTOCOLS;
			get_protocols($2, &srv->protocols);
		}
		| CIPHERS STRING {
			char	 err[256];

			if (srv_set & SRV_CIPHERS)
				yyerror("ciphers given twice");
			srv_set |= SRV_CIPHERS;
			if (config_ciphers($2, srv->ciphers,
			    sizeof(srv->ciphers), err, sizeof(err)) == -1)
				yyerror("%s", err);
		}
		| TOKEN STRING {
			if (srv_set & SRV_TOKEN)
				yyerror("token given twice");
			srv_set |= SRV_TOKEN;
			set_str(srv->token, sizeof(srv->token), $2, "token");
		}
		| PROXY STRING PORT STRING {
			proxy_begin($2, $4);
		} proxyauth {
			proxy_end();
		}
		;

proxyauth	: /* empty */
		| proxyauth USER STRING {
			if (srv_set & SRV_PROXY_USER)
				yyerror("proxy user given twice");
			srv_set |= SRV_PROXY_USER;
			set_str(srv->proxy_user, sizeof(srv->proxy_user), $3,
			    "proxy user");
		}
		| proxyauth PASSWORD STRING {
			if (srv_set & SRV_PROXY_PASS)
				yyerror("proxy password given twice");
			srv_set |= SRV_PROXY_PASS;
			set_str(srv->proxy_pass, sizeof(srv->proxy_pass), $3,
			    "proxy password");
		}
		;

%%

/*
 * Reporting.
 */

/*
 * The first CONF_MAX_ERRORS errors are shown, the rest counted: a broken
 * file (a megabyte of one repeated mistake) must not flood the log.
 */
static int
shown(void)
{
	return ++errors <= CONF_MAX_ERRORS;
}

static int
yyerror(const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (!shown() || lex_abort)
		return 0;
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

	if (!shown())
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("%s", __func__);
	va_end(ap);
	log_warnx("%s:%d: %s", name, line, msg);
	free(msg);
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
 * Keywords.  A keyword is only recognised as a bare word: "user" in
 * quotes is a string.
 */

static const struct keyword {
	const char	*name;
	int		 token;
} keywords[] = {
	{ "allow",		ALLOW },
	{ "auth",		AUTH },
	{ "authorize",		AUTHORIZE },
	{ "ca",			CA },
	{ "certificate",	CERTIFICATE },
	{ "checkin",		CHECKIN },
	{ "ciphers",		CIPHERS },
	{ "community",		COMMUNITY },
	{ "context",		CONTEXT },
	{ "daily",		DAILY },
	{ "days",		DAYS },
	{ "device",		DEVICE },
	{ "discover",		DISCOVER },
	{ "every",		EVERY },
	{ "gateway",		GATEWAY },
	{ "group",		GROUP },
	{ "include",		INCLUDE },
	{ "instructions",	INSTRUCTIONS },
	{ "jitter",		JITTER },
	{ "job-data",		JOBDATA },
	{ "key",		KEY },
	{ "limit",		LIMIT },
	{ "never",		NEVER },
	{ "no",			NO },
	{ "packages",		PACKAGES },
	{ "part",		PART },
	{ "password",		PASSWORD },
	{ "pin",		PIN },
	{ "pin-sha256",		PINSHA256 },
	{ "port",		PORT },
	{ "priv",		PRIV },
	{ "profiles",		PROFILES },
	{ "protocols",		PROTOCOLS },
	{ "proxy",		PROXY },
	{ "rate",		RATE },
	{ "requests",		REQUESTS },
	{ "retention",		RETENTION },
	{ "retries",		RETRIES },
	{ "schedule",		SCHEDULE },
	{ "send",		SEND },
	{ "server",		SERVER },
	{ "site",		SITE },
	{ "snmp",		SNMP },
	{ "snmpv3",		SNMPV3 },
	{ "socket",		SOCKET },
	{ "spool",		SPOOL },
	{ "state",		STATE },
	{ "supply",		SUPPLY },
	{ "threshold",		THRESHOLD },
	{ "timeout",		TIMEOUT },
	{ "token",		TOKEN },
	{ "trust",		TRUST },
	{ "type",		TYPE },
	{ "upload",		UPLOAD },
	{ "user",		USER },
	{ "vendor",		VENDOR },
	{ "version",		VERSION },
	{ "weak",		WEAK },
	{ "window",		WINDOW },
	{ "yes",		YES },
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

/* push back the character that lgetc() returned last */
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
	/* cannot happen: at most one character is pushed back here */
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
			    CONF_STR_MAX - 1);
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
			    CONF_STR_MAX - 1);
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
	if (lex_abort)
		return 0;
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
		if (file->braces > 0) {
			conf_error_at(file->name, file->brace_line,
			    "\"{\" not closed at end of file");
			lex_abort = 1;
			return 0;
		}
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
	case '{':
		if (file->braces++ == 0)
			file->brace_line = file->lineno;
		return '{';
	case '}':
		if (file->braces > 0)
			file->braces--;
		return '}';
	case '=':
		return '=';
	case '"':
		return lex_quoted();
	}
	if (is_word_char(c))
		return lex_word(c);
	/* a control character or a byte outside ASCII */
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
	    !(parse_opts & CONF_OPT_NOPERMCHECK), &len, &st, &why)) == NULL) {
		if (file == NULL) {
			if (shown())
				log_warnx("%s: %s", path, why);
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
	/* the parent's sandbox lets it read these again on reload */
	if (conf != NULL && conf->nfiles < CONF_MAX_FILES &&
	    strlcpy(conf->files[conf->nfiles], path, sizeof(conf->files[0])) <
	    sizeof(conf->files[0]))
		conf->nfiles++;
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
	if (file->depth >= CONF_MAX_INCLUDE_DEPTH) {
		yyerror("%s: includes nested too deeply (max %d)", name,
		    CONF_MAX_INCLUDE_DEPTH);
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

/* "supply threshold N% [vendor V] [type T]": the default, or a rule */
static void
supply_rule(const char *pct, const char *vendor, const char *type)
{
	struct supply_rule	*r;
	char			 num[16];
	size_t			 n = strlen(pct);
	long long		 v;
	int64_t			 t;
	const char		*name;

	if (n == 0 || n >= sizeof(num) || pct[n - 1] != '%') {
		yyerror("supply threshold \"%s\" is not a percentage "
		    "(\"10%%\")", pct);
		return;
	}
	memcpy(num, pct, n - 1);
	num[n - 1] = '\0';
	if (get_number(num, 1, 99, "supply threshold", &v) == -1)
		return;
	if (vendor == NULL && type == NULL) {
		conf->supply_threshold = (uint32_t)v;
		return;
	}
	if (conf->nsupply_rules >= CONF_SUPPLY_RULES_MAX) {
		yyerror("too many supply thresholds (max %d)",
		    CONF_SUPPLY_RULES_MAX);
		return;
	}
	if (type != NULL) {
		for (t = 1; t < 256; t++)
			if ((name = prt_supply_type_name(t)) != NULL &&
			    strcmp(name, type) == 0)
				break;
		if (t == 256) {
			yyerror("unknown supply type \"%s\" (a "
			    "prtMarkerSuppliesType name: toner, ink...)", type);
			return;
		}
	}
	r = &conf->supply_rules[conf->nsupply_rules];
	memset(r, 0, sizeof(*r));
	r->percent = (uint32_t)v;
	if (vendor != NULL && set_str(r->vendor, sizeof(r->vendor), vendor,
	    "vendor") == -1)
		return;
	if (type != NULL)
		(void)strlcpy(r->type, type, sizeof(r->type));
	conf->nsupply_rules++;
}

static int
get_port(const char *s, const char *what, uint16_t *port)
{
	long long	 n;

	if (get_number(s, 1, 65535, what, &n) == -1)
		return -1;
	*port = n;
	return 0;
}

/* a duration: a number followed by ms, s, m, h or d (none: seconds) */
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
		{ "d",	24 * 60 * 60 * 1000 },
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
	yyerror("%s \"%s\" is not a duration (a number with ms, s, m, h "
	    "or d)", what, s);
	return -1;
}

static int
get_seconds(const char *s, uint64_t min, uint64_t max, const char *what,
    uint32_t *out)
{
	uint64_t	 ms;

	if (get_duration(s, min, max, what, &ms) == -1)
		return -1;
	if (ms % 1000 != 0) {
		yyerror("%s %s is not a whole number of seconds", what, s);
		return -1;
	}
	*out = ms / 1000;
	return 0;
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
get_version(const char *s, enum snmp_version_conf *v)
{
	if (strcmp(s, "1") == 0)
		*v = SNMPV_1;
	else if (strcmp(s, "2c") == 0)
		*v = SNMPV_2C;
	else if (strcmp(s, "3") == 0)
		*v = SNMPV_3;
	else {
		yyerror("unknown SNMP version \"%s\" (1, 2c or 3)", s);
		return -1;
	}
	return 0;
}

/* "tlsv1.2,tlsv1.3", "secure", "default"...: never older than TLS 1.2 */
static int
get_protocols(const char *s, uint32_t *out)
{
	char		 buf[CONF_STR_MAX], *p, *word;
	uint32_t	 protos = 0;
	int		 ret = 0;

	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf)) {
		yyerror("protocols too long");
		return -1;
	}
	p = buf;
	while ((word = strsep(&p, ",:")) != NULL) {
		if (strcasecmp(word, "tlsv1.2") == 0)
			protos |= CONF_TLSV1_2;
		else if (strcasecmp(word, "tlsv1.3") == 0)
			protos |= CONF_TLSV1_3;
		else if (strcasecmp(word, "secure") == 0 ||
		    strcasecmp(word, "default") == 0)
			protos |= CONF_TLSV1_2 | CONF_TLSV1_3;
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

/* "sha256:" and 64 hex digits, kept in lower case */
/*
 * pin-sha256: the base64 of the SHA-256 of the server's public key (its
 * SubjectPublicKeyInfo), as HTTP public key pinning and curl write it:
 * 44 characters that decode to exactly 32 bytes.
 */
static int
get_pin(const char *s, char *dst, size_t size)
{
	unsigned char	 raw[48];
	size_t		 len = strlen(s), i;

	if (len != 44 || s[43] != '=' || s[42] == '=' || size <= len)
		goto bad;
	for (i = 0; i < 43; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '+' &&
		    s[i] != '/')
			goto bad;
	if (EVP_DecodeBlock(raw, (const unsigned char *)s, (int)len) != 33)
		goto bad;		/* 32 bytes and the padding's zero */
	(void)strlcpy(dst, s, size);
	return 0;
 bad:
	yyerror("pin-sha256 \"%s\" is not the base64 of a SHA-256 hash "
	    "(44 characters ending in \"=\")", s);
	return -1;
}

/* a DNS name or a numeric address */
static int
get_hostname(const char *s, const char *what, char *dst, size_t size)
{
	const char	*p;

	if (*s == '\0' || strlen(s) > 253) {
		yyerror("%s \"%s\" is not a valid host name", what, s);
		return -1;
	}
	for (p = s; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' &&
		    *p != ':' && *p != '_') {
			yyerror("%s \"%s\" is not a valid host name", what, s);
			return -1;
		}
	}
	return set_str(dst, size, s, what);
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
set_schedule(const char *at, const char *jitter)
{
	unsigned long long	 h, m;
	const char		*end;

	if (parse_digits(at, 99, &h, &end) == -1 || *end != ':' ||
	    end - at > 2 || strlen(end + 1) != 2 ||
	    parse_digits(end + 1, 99, &m, NULL) == -1 || h > 23 || m > 59)
		yyerror("schedule time \"%s\" is not HH:MM (00:00..23:59)",
		    at);
	else
		conf->sched_minute = h * 60 + m;
	if (jitter != NULL)
		get_seconds(jitter, 0, 12 * 3600 * 1000ULL, "jitter",
		    &conf->sched_jitter);
}

static void
topts_begin(void)
{
	explicit_bzero(&topts, sizeof(topts));
	topts_set = 0;
	topts_line = yylval.lineno;
}

/* checks of one device or discover line that need nothing else */
static int
topts_check(void)
{
	int	 ret = 0;

	if (topts.user[0] != '\0') {
		if (topts.version == SNMPV_DEFAULT)
			topts.version = SNMPV_3;
		else if (topts.version != SNMPV_3) {
			yyerror("user requires version 3");
			ret = -1;
		}
	} else if (topts.version == SNMPV_3) {
		yyerror("version 3 requires a user");
		ret = -1;
	}
	if (topts.community[0] != '\0' && topts.version == SNMPV_3) {
		yyerror("community cannot be used with version 3");
		ret = -1;
	}
	return ret;
}

static void
add_ref(int is_discover, void *target, struct snmp_target_opts *opts)
{
	struct target_ref	*n;

	if (nrefs == refs_cap) {
		refs_cap = refs_cap == 0 ? 64 : refs_cap * 2;
		if ((n = reallocarray(refs, refs_cap, sizeof(*refs))) == NULL)
			fatal("%s", __func__);
		refs = n;
	}
	refs[nrefs].is_discover = is_discover;
	refs[nrefs].target = target;
	refs[nrefs].opts = opts;
	refs[nrefs].file = file->name;
	refs[nrefs].line = topts_line;
	nrefs++;
}

static int
parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

static void
set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static const uint8_t *
addr_bytes(const struct sockaddr_storage *ss, size_t *len)
{
	if (ss->ss_family == AF_INET) {
		*len = 4;
		return (const uint8_t *)
		    &((const struct sockaddr_in *)ss)->sin_addr;
	}
	*len = 16;
	return (const uint8_t *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
}

static const char *
addr_str(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	size_t	 len;

	if (inet_ntop(ss->ss_family, addr_bytes(ss, &len), buf, size) == NULL)
		(void)strlcpy(buf, "?", size);
	return buf;
}

static uint16_t
eff_port(const struct snmp_target_opts *o)
{
	return o->port != 0 ? o->port : DEFAULT_SNMP_PORT;
}

static size_t
dev_hash(const struct device_conf *d)
{
	const uint8_t	*b;
	size_t		 len, i;
	uint64_t	 h = 14695981039346656037ULL;	/* FNV-1a */

	b = addr_bytes(&d->addr, &len);
	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	h = (h ^ (eff_port(&d->opts) & 0xff)) * 1099511628211ULL;
	h = (h ^ (eff_port(&d->opts) >> 8)) * 1099511628211ULL;
	return h;
}

static int
dev_same(const struct device_conf *a, const struct device_conf *b)
{
	const uint8_t	*ab, *bb;
	size_t		 alen, blen;

	if (a->addr.ss_family != b->addr.ss_family ||
	    eff_port(&a->opts) != eff_port(&b->opts))
		return 0;
	ab = addr_bytes(&a->addr, &alen);
	bb = addr_bytes(&b->addr, &blen);
	return alen == blen && memcmp(ab, bb, alen) == 0;
}

/* insert d unless an equal device is there; returns that one or NULL */
static struct device_conf *
devhash_insert(struct device_conf *d)
{
	struct device_conf	**nslot;
	size_t			  i, j, nsize;

	if ((devhash.used + 1) * 2 > devhash.size) {
		nsize = devhash.size == 0 ? 256 : devhash.size * 2;
		if ((nslot = calloc(nsize, sizeof(*nslot))) == NULL)
			fatal("%s", __func__);
		for (i = 0; i < devhash.size; i++) {
			if (devhash.slot[i] == NULL)
				continue;
			j = dev_hash(devhash.slot[i]) & (nsize - 1);
			while (nslot[j] != NULL)
				j = (j + 1) & (nsize - 1);
			nslot[j] = devhash.slot[i];
		}
		free(devhash.slot);
		devhash.slot = nslot;
		devhash.size = nsize;
	}
	j = dev_hash(d) & (devhash.size - 1);
	while (devhash.slot[j] != NULL) {
		if (dev_same(devhash.slot[j], d))
			return devhash.slot[j];
		j = (j + 1) & (devhash.size - 1);
	}
	devhash.slot[j] = d;
	devhash.used++;
	return NULL;
}

static void
device_add(const char *addr)
{
	struct device_conf	*d;
	char			 buf[INET6_ADDRSTRLEN];
	int			 ok;

	ok = topts_check() == 0;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		fatal("%s", __func__);
	if (parse_addr(addr, &d->addr, &d->addrlen) == -1) {
		yyerror("device address \"%s\" is not a numeric IPv4 or "
		    "IPv6 address", addr);
		free(d);
		return;
	}
	d->opts = topts;
	set_port(&d->addr, eff_port(&d->opts));
	if (ok && ndevices >= CONF_MAX_DEVICES) {
		yyerror("too many devices (max %d)", CONF_MAX_DEVICES);
		ok = 0;
	}
	/* only a device that is kept goes into the table */
	if (ok && devhash_insert(d) != NULL) {
		yyerror("duplicate device %s port %u",
		    addr_str(&d->addr, buf, sizeof(buf)), eff_port(&d->opts));
		ok = 0;
	}
	if (!ok) {
		explicit_bzero(d, sizeof(*d));
		free(d);
		return;
	}
	ndevices++;
	TAILQ_INSERT_TAIL(&conf->devices, d, entry);
	add_ref(0, d, &d->opts);
}

static void
discover_add(const char *cidr)
{
	struct discover_conf	*dc, *o;
	char			 abuf[CONF_STR_MAX], nbuf[INET6_ADDRSTRLEN];
	char			*slash;
	unsigned long long	 plen;
	const uint8_t		*b;
	uint8_t			 net[16];
	size_t			 len, i;
	int			 ok, minlen, maxlen, bad;

	ok = topts_check() == 0;
	if (strlcpy(abuf, cidr, sizeof(abuf)) >= sizeof(abuf) ||
	    (slash = strchr(abuf, '/')) == NULL) {
		yyerror("discover \"%s\": not a network in CIDR notation "
		    "(address/prefix)", cidr);
		return;
	}
	*slash = '\0';
	if ((dc = calloc(1, sizeof(*dc))) == NULL)
		fatal("%s", __func__);
	if (parse_addr(abuf, &dc->net, &(socklen_t){ 0 }) == -1) {
		yyerror("discover \"%s\": \"%s\" is not a numeric IPv4 or "
		    "IPv6 address", cidr, abuf);
		goto fail;
	}
	b = addr_bytes(&dc->net, &len);
	maxlen = len * 8;
	minlen = len == 4 ? CONF_MIN_PREFIX4 : CONF_MIN_PREFIX6;
	if (parse_digits(slash + 1, 999, &plen, NULL) == -1 ||
	    plen > (unsigned long long)maxlen) {
		yyerror("discover %s: invalid prefix length \"%s\" (0..%d)",
		    cidr, slash + 1, maxlen);
		goto fail;
	}
	if (plen < (unsigned long long)minlen) {
		yyerror("discover %s: prefix length must be at least %d for "
		    "%s (at most 65536 addresses per range)", cidr, minlen,
		    len == 4 ? "IPv4" : "IPv6");
		ok = 0;
	}
	dc->prefixlen = plen;
	memcpy(net, b, len);
	bad = 0;
	for (i = 0; i < len; i++) {
		int	 keep = (int)plen - (int)i * 8;
		uint8_t	 mask;

		mask = keep >= 8 ? 0xff : keep <= 0 ? 0 :
		    (uint8_t)(0xff << (8 - keep));
		if (net[i] & ~mask)
			bad = 1;
		net[i] &= mask;
	}
	if (bad) {
		yyerror("discover %s: host bits must be zero (did you mean "
		    "%s/%llu?)", cidr, inet_ntop(dc->net.ss_family, net, nbuf,
		    sizeof(nbuf)) != NULL ? nbuf : "?", plen);
		ok = 0;
	}
	dc->opts = topts;
	set_port(&dc->net, eff_port(&dc->opts));
	if (ndiscovers >= CONF_MAX_DISCOVER) {
		yyerror("too many discover ranges (max %d)",
		    CONF_MAX_DISCOVER);
		ok = 0;
	}
	if (ok) {
		TAILQ_FOREACH(o, &conf->discovers, entry) {
			size_t	 olen;

			if (o->net.ss_family == dc->net.ss_family &&
			    o->prefixlen == dc->prefixlen &&
			    eff_port(&o->opts) == eff_port(&dc->opts) &&
			    memcmp(addr_bytes(&o->net, &olen), b, len) == 0) {
				yyerror("duplicate discover %s port %u", cidr,
				    eff_port(&dc->opts));
				ok = 0;
				break;
			}
		}
	}
	if (!ok)
		goto fail;
	ndiscovers++;
	TAILQ_INSERT_TAIL(&conf->discovers, dc, entry);
	add_ref(1, dc, &dc->opts);
	return;
 fail:
	explicit_bzero(dc, sizeof(*dc));
	free(dc);
}

static void
v3_begin(const char *name, const char *auth, const char *pass)
{
	int	 a;

	explicit_bzero(&v3cur, sizeof(v3cur));
	v3_set = 0;
	set_str(v3cur.name, sizeof(v3cur.name), name, "snmpv3 user");
	if (auth == NULL) {
		v3_set |= V3_NOAUTH;
		return;		/* noAuthNoPriv */
	}
	if ((a = v3_auth_from_name(auth)) == -1)
		yyerror("unknown authentication protocol \"%s\" (md5, sha, "
		    "sha1, sha224, sha256, sha384 or sha512)", auth);
	else
		v3cur.auth = a;
	if (strlen(pass) < 8)
		yyerror("auth password must be at least 8 characters");
	else
		set_str(v3cur.authpass, sizeof(v3cur.authpass), pass,
		    "auth password");
}

/*
 * What usm.c would refuse, said here with the line: names of at most 32
 * octets (SnmpAdminString), privacy only with authentication, passwords
 * of at most 256 octets, and MD5 or DES only when the user's line says
 * "allow weak" (then a warning here, and one at each use).
 */
static void
v3_check(void)
{
	const char	*weak = NULL;

	if (strlen(v3cur.name) > CONF_V3_NAME_MAX)
		yyerror("snmpv3 user \"%s\": names are at most %d octets",
		    v3cur.name, CONF_V3_NAME_MAX);
	if (strlen(v3cur.context) > CONF_V3_NAME_MAX)
		yyerror("snmpv3 user \"%s\": context names are at most %d "
		    "octets", v3cur.name, CONF_V3_NAME_MAX);
	if (strlen(v3cur.authpass) > 256 || strlen(v3cur.privpass) > 256)
		yyerror("snmpv3 user \"%s\": passwords are at most 256 "
		    "octets", v3cur.name);
	if (v3cur.priv != V3_PRIV_NONE && (v3_set & V3_NOAUTH))
		yyerror("snmpv3 user \"%s\": priv requires auth",
		    v3cur.name);
	if (v3cur.auth == V3_AUTH_MD5 && v3cur.priv == V3_PRIV_DES)
		weak = "md5 authentication and des privacy are";
	else if (v3cur.auth == V3_AUTH_MD5)
		weak = "md5 authentication is";
	else if (v3cur.priv == V3_PRIV_DES)
		weak = "des privacy is";
	if (weak != NULL && !v3cur.allow_weak)
		yyerror("snmpv3 user \"%s\": %s weak: refused unless the "
		    "user says \"allow weak\"", v3cur.name, weak);
	else if (weak != NULL)
		log_warnx("%s:%d: snmpv3 user \"%s\": %s weak (allowed by "
		    "\"allow weak\")", file->name, yylval.lineno, v3cur.name,
		    weak);
}

static void
v3_end(void)
{
	struct v3user	*u;

	if (v3cur.name[0] == '\0')
		goto done;
	v3_check();
	if (config_find_v3user(conf, v3cur.name) != NULL) {
		yyerror("duplicate snmpv3 user \"%s\"", v3cur.name);
		goto done;
	}
	if (nv3users >= CONF_MAX_V3USERS) {
		yyerror("too many snmpv3 users (max %d)", CONF_MAX_V3USERS);
		goto done;
	}
	if ((u = malloc(sizeof(*u))) == NULL)
		fatal("%s", __func__);
	*u = v3cur;
	TAILQ_INSERT_TAIL(&conf->v3users, u, entry);
	nv3users++;
 done:
	explicit_bzero(&v3cur, sizeof(v3cur));
}

static void
server_begin(const char *name, int64_t port)
{
	if (conf->have_server) {
		yyerror("only one server block is allowed");
		srv = &server_scratch;
	} else {
		srv = &conf->server;
		conf->have_server = 1;
	}
	explicit_bzero(srv, sizeof(*srv));
	srv->port = DEFAULT_SERVER_PORT;
	srv->protocols = CONF_TLSV1_2 | CONF_TLSV1_3;
	(void)strlcpy(srv->ciphers, CONF_DEFAULT_CIPHERS, sizeof(srv->ciphers));
	srv_set = 0;
	srv_line = yylval.lineno;
	get_hostname(name, "server", srv->name, sizeof(srv->name));
	if (port > 0)
		srv->port = port;
}

static void
server_end(void)
{
	static const struct {
		int		 bit;
		const char	*what;
	} required[] = {
		{ SRV_CA,	"ca" },
		{ SRV_CERT,	"certificate" },
		{ SRV_KEY,	"key" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!(srv_set & required[i].bit))
			conf_error_at(file->name, srv_line, "server block: "
			    "\"%s\" missing", required[i].what);
	if (srv == &server_scratch)
		explicit_bzero(srv, sizeof(*srv));
}

static void
proxy_begin(const char *host, const char *port)
{
	if (srv_set & SRV_PROXY)
		yyerror("proxy given twice");
	srv_set |= SRV_PROXY;
	srv_set &= ~(SRV_PROXY_USER | SRV_PROXY_PASS);
	explicit_bzero(srv->proxy_user, sizeof(srv->proxy_user));
	explicit_bzero(srv->proxy_pass, sizeof(srv->proxy_pass));
	get_hostname(host, "proxy", srv->proxy, sizeof(srv->proxy));
	get_port(port, "proxy port", &srv->proxy_port);
}

static void
proxy_end(void)
{
	if (((srv_set & SRV_PROXY_USER) != 0) !=
	    ((srv_set & SRV_PROXY_PASS) != 0))
		yyerror("proxy user and password must be given together");
}

/*
 * The checks that need the whole file: a v3 user may be defined after the
 * devices that use it, "snmp version 3" may come after them, and so on.
 */
static void
check_config(void)
{
	struct target_ref	*r;
	char			 abuf[INET6_ADDRSTRLEN];
	char			 buf[INET6_ADDRSTRLEN + 8];
	const char		*what;
	size_t			 i;
	int			 n;

	for (i = 0; i < nrefs; i++) {
		r = &refs[i];
		if (r->is_discover) {
			struct discover_conf	*dc = r->target;

			what = "discover";
			n = snprintf(buf, sizeof(buf), "%s/%d",
			    addr_str(&dc->net, abuf, sizeof(abuf)),
			    dc->prefixlen);
		} else {
			what = "device";
			n = snprintf(buf, sizeof(buf), "%s", addr_str(
			    &((struct device_conf *)r->target)->addr, abuf,
			    sizeof(abuf)));
		}
		if (n < 0 || (size_t)n >= sizeof(buf))
			(void)strlcpy(buf, "?", sizeof(buf));
		if (r->opts->user[0] != '\0') {
			if (config_find_v3user(conf, r->opts->user) == NULL)
				conf_error_at(r->file, r->line, "%s %s: snmpv3 "
				    "user \"%s\" not defined", what, buf,
				    r->opts->user);
			continue;
		}
		/* an explicit "version 3" without a user is already an error */
		if (r->opts->version == SNMPV_DEFAULT &&
		    conf->snmp_version == SNMPV_3)
			conf_error_at(r->file, r->line, "%s %s: \"snmp "
			    "version 3\" requires a user", what, buf);
	}
	if ((conf->send & CAT_BIT(CAT_JOB_DATA)) &&
	    conf->jobdata_key[0] == '\0')
		conf_error_at(jobdata_file, jobdata_line,
		    "send job-data requires a job-data key");
	if (conf->authorize_upload && !conf->have_server)
		conf_error_at(upload_file, upload_line,
		    "authorize upload requires a server block");
	/* check-in is for signed instructions: without their key, none */
	if (conf->checkin_set && conf->checkin_every != 0 &&
	    conf->trust_instructions[0] == '\0')
		conf_error_at(checkin_file, checkin_line, "checkin every "
		    "requires trust instructions (the keys that sign them), "
		    "or checkin never");
	if (conf->policy.packages != 0 && conf->trust_packages[0] == '\0')
		conf_error_at(pkg_file, pkg_line, "allow packages requires "
		    "trust packages (the keys that sign them)");
}

/*
 * The policy: what verified instructions may do.
 */

static void
allow_begin(int pkgs)
{
	allow_pkgs = pkgs;
	allow_bits = 0;
}

static void
allow_word(const char *w)
{
	static const struct {
		const char	*name;
		int		 pkgs;
		uint32_t	 bit;
	} words[] = {
		{ "none", 0, 0 }, { "collect", 0, POL_COLLECT },
		{ "upload", 0, POL_UPLOAD }, { "checkin", 0, POL_CHECKIN },
		{ "schedule", 0, POL_SCHEDULE },
		{ "none", 1, 0 }, { "profile", 1, POL_PKG_PROFILE },
		{ "software", 1, POL_PKG_SOFTWARE },
	};
	size_t	 i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (words[i].pkgs == allow_pkgs &&
		    strcmp(words[i].name, w) == 0) {
			allow_bits |= words[i].bit;
			return;
		}
	yyerror("allow %s: unknown word \"%s\" (%s)", allow_pkgs ?
	    "packages" : "instructions", w, allow_pkgs ?
	    "profile, software or none" :
	    "collect, upload, checkin, schedule or none");
}

static void
allow_end(void)
{
	if (allow_pkgs) {
		conf->policy.packages = allow_bits;
		pkg_file = file->name;
		pkg_line = yylval.lineno;
	} else
		conf->policy.instructions = allow_bits;
}

/* "HH:MM-HH:MM": the minutes of the day a schedule may be moved to */
static void
set_window(const char *s)
{
	int	 h1, m1, h2, m2, n = 0;

	if (sscanf(s, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &n) != 4 ||
	    s[n] != '\0' || h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59 ||
	    h1 < 0 || h2 < 0 || m1 < 0 || m2 < 0 ||
	    h1 * 60 + m1 > h2 * 60 + m2) {
		yyerror("allow schedule \"%s\" is not a window HH:MM-HH:MM "
		    "of one day", s);
		return;
	}
	conf->policy.sched_from = h1 * 60 + m1;
	conf->policy.sched_to = h2 * 60 + m2;
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
	free(refs);
	refs = NULL;
	nrefs = refs_cap = 0;
	free(devhash.slot);
	memset(&devhash, 0, sizeof(devhash));
	ndevices = ndiscovers = nv3users = 0;
	explicit_bzero(lexbuf, sizeof(lexbuf));
	explicit_bzero(&topts, sizeof(topts));
	explicit_bzero(&v3cur, sizeof(v3cur));
	explicit_bzero(&server_scratch, sizeof(server_scratch));
	topts_set = topts_line = v3_set = srv_set = srv_line = 0;
	srv = NULL;
	jobdata_file = upload_file = checkin_file = pkg_file = NULL;
	jobdata_line = upload_line = checkin_line = pkg_line = 0;
	errors = 0;
	lex_abort = 0;
	lex_from_macro = 0;
	parse_opts = 0;
	from_buffer = 0;
	memset(&yylval, 0, sizeof(yylval));
	conf = NULL;
}

static struct callhome_conf *
parse_run(void)
{
	struct callhome_conf	*c;
	int			 r;

	r = yyparse();
	if (r == 0 && !lex_abort)
		check_config();
	else if (errors == 0) {
		/* cannot happen: a failed parse has reported something */
		log_warnx("%s: parse failed", file != NULL ? file->name : "?");
		errors++;
	}
	c = conf;
	if (errors > CONF_MAX_ERRORS)
		log_warnx("%s: %d more errors not shown (%d in all)",
		    c != NULL && c->nfiles > 0 ? c->files[0] : "configuration",
		    errors - CONF_MAX_ERRORS, errors);
	if (errors > 0) {
		config_free(c);
		c = NULL;
	}
	conf = NULL;
	parse_reset();
	return c;
}

struct callhome_conf *
parse_config(const char *filename, int opts)
{
	parse_reset();
	parse_opts = opts;
	if ((conf = config_new_default()) == NULL) {
		log_warn("%s", __func__);
		return NULL;
	}
	if (pushfile_path(filename, 0) == -1) {
		config_free(conf);
		parse_reset();
		return NULL;
	}
	return parse_run();
}

struct callhome_conf *
parse_config_buffer(const char *name, const char *buf, size_t len)
{
	parse_reset();
	parse_opts = CONF_OPT_NOPERMCHECK;
	from_buffer = 1;
	if ((conf = config_new_default()) == NULL) {
		log_warn("%s", __func__);
		return NULL;
	}
	file = file_new(name);
	file->buf = (const unsigned char *)buf;
	file->len = len;
	return parse_run();
}
