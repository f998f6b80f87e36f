/*
 * callhome configuration: the parsed form of callhome.conf(5).
 *
 * The parent (callhomed) parses the file with parse_config(); each child
 * receives only its part over its channel (see msg.h), secrets only to the
 * child that uses them.
 */
#ifndef CALLHOME_CONFIG_H
#define CALLHOME_CONFIG_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <stdint.h>
#include <stdio.h>

#include "category.h"

#define CONF_DEFAULT_FILE	"/etc/callhome/callhome.conf"
#define CONF_DEFAULT_USER	"_callhome"
#define CONF_DEFAULT_STATE	"/var/lib/callhome"
#define CONF_DEFAULT_SOCKET	"/run/callhome.sock"
#define CONF_DEFAULT_PROFILES	"/etc/callhome/profiles"

#define CONF_STR_MAX		256	/* names, paths, secrets */
#define CONF_MAX_INCLUDE_DEPTH	8
#define CONF_MAX_FILES		32	/* recorded: the file and its includes */
#define CONF_MAX_ERRORS		25	/* shown; the rest are counted */
#define CONF_MAX_DEVICES	65536
#define CONF_MAX_DISCOVER	1024
#define CONF_MAX_V3USERS	64
/*
 * "part limit": the largest upload document (one part of a cycle), in
 * bytes.  The highest is commsd's default "max document" (16M), so that a
 * gateway never builds a part that a default server refuses; the default
 * leaves room for servers configured lower and keeps each process's share
 * of a part small (auditd/outbox.h, docs/design.md "Limits").
 */
#define CONF_PART_LIMIT_MIN	(64ULL * 1024)
#define CONF_PART_LIMIT_MAX	(16ULL * 1024 * 1024)
#define CONF_PART_LIMIT_DEFAULT	(4ULL * 1024 * 1024)
/* discovery ranges: at most 65,536 addresses each */
#define CONF_MIN_PREFIX4	16
#define CONF_MIN_PREFIX6	112

enum snmp_version_conf {
	SNMPV_DEFAULT = 0,	/* inherit the global "snmp version" */
	SNMPV_1,
	SNMPV_2C,
	SNMPV_3
};

enum v3_auth { V3_AUTH_NONE, V3_AUTH_MD5, V3_AUTH_SHA1, V3_AUTH_SHA224,
	V3_AUTH_SHA256, V3_AUTH_SHA384, V3_AUTH_SHA512 };
enum v3_priv { V3_PRIV_NONE, V3_PRIV_DES, V3_PRIV_AES128, V3_PRIV_AES192,
	V3_PRIV_AES256 };

/* TLS protocol bits, same values as libtls TLS_PROTOCOL_* */
#define CONF_TLSV1_2		(1 << 3)
#define CONF_TLSV1_3		(1 << 4)

struct v3user {
	TAILQ_ENTRY(v3user)	 entry;
	char			 name[CONF_STR_MAX];
	enum v3_auth		 auth;
	char			 authpass[CONF_STR_MAX];	/* secret */
	enum v3_priv		 priv;
	char			 privpass[CONF_STR_MAX];	/* secret */
	char			 context[CONF_STR_MAX];
	int			 allow_weak;	/* MD5 or DES, with warnings */
};
TAILQ_HEAD(v3users, v3user);
#define CONF_V3_NAME_MAX	32	/* user and context names, octets */

/* per-target SNMP settings; empty string / 0 means "inherit the global" */
struct snmp_target_opts {
	uint16_t		 port;		/* 0: 161 */
	enum snmp_version_conf	 version;
	char			 community[CONF_STR_MAX];	/* secret */
	char			 user[CONF_STR_MAX];		/* v3 user */
};

struct device_conf {
	TAILQ_ENTRY(device_conf) entry;
	struct sockaddr_storage	 addr;		/* numeric address */
	socklen_t		 addrlen;
	struct snmp_target_opts	 opts;
};
TAILQ_HEAD(devices, device_conf);

struct discover_conf {
	TAILQ_ENTRY(discover_conf) entry;
	struct sockaddr_storage	 net;		/* network address */
	int			 prefixlen;
	struct snmp_target_opts	 opts;
};
TAILQ_HEAD(discovers, discover_conf);

struct server_conf {
	char			 name[CONF_STR_MAX];	/* DNS name, SNI */
	uint16_t		 port;
	char			 ca[CONF_STR_MAX];	/* paths */
	char			 cert[CONF_STR_MAX];
	char			 key[CONF_STR_MAX];
	char			 pin[CONF_STR_MAX];	/* SPKI pin, base64, or "" */
	uint32_t		 protocols;		/* CONF_TLSV1_* */
	char			 ciphers[CONF_STR_MAX];	/* TLS 1.2 */
	char			 token[CONF_STR_MAX];	/* secret, or "" */
	char			 proxy[CONF_STR_MAX];	/* "" when direct */
	uint16_t		 proxy_port;
	char			 proxy_user[CONF_STR_MAX];
	char			 proxy_pass[CONF_STR_MAX]; /* secret */
};

struct profile_set;

/*
 * What the customer lets signed instructions do (the "allow" statements);
 * anything else a verified bundle asks is refused with reason "policy".
 */
#define POL_COLLECT		0x01	/* collect now */
#define POL_UPLOAD		0x02	/* upload now */
#define POL_CHECKIN		0x04	/* checkin every */
#define POL_SCHEDULE		0x08	/* schedule daily */
#define POL_DEFAULT		(POL_COLLECT | POL_UPLOAD | POL_CHECKIN)
#define POL_PKG_PROFILE		0x01
#define POL_PKG_SOFTWARE	0x02
struct policy_conf {
	uint32_t		 instructions;	/* POL_* */
	int			 sched_from;	/* minutes of the day: the */
	int			 sched_to;	/* window schedules may use */
	uint32_t		 checkin_min;	/* seconds: the shortest */
	uint32_t		 packages;	/* POL_PKG_*: kinds fetched */
};

/*
 * Automatic supply requests: a supply at or below its threshold (percent
 * remaining) makes one request until it rises above it again.  The rule
 * with the most qualifiers that all match wins (the later one of a tie);
 * no rule matching: supply_threshold.
 */
#define CONF_SUPPLY_RULES_MAX	32
#define CONF_SUPPLY_THRESHOLD	10	/* percent, the default */
struct supply_rule {
	uint32_t		 percent;	/* 1..99 */
	char			 vendor[64];	/* "" any */
	char			 type[32];	/* prtMarkerSuppliesType name */
};

struct callhome_conf {
	char			 gateway[CONF_STR_MAX];
	char			 site[CONF_STR_MAX];	/* site-info text */
	char			 user[CONF_STR_MAX];
	char			 state[CONF_STR_MAX];
	char			 socket[CONF_STR_MAX];
	char			 socket_group[CONF_STR_MAX]; /* "" = root only */
	char			 profiles[CONF_STR_MAX];
	int			 have_server;
	struct server_conf	 server;
	int			 authorize_upload;	/* default 0 */
	uint32_t		 send;			/* CAT_BIT() mask */
	int			 sched_minute;		/* minute of day */
	uint32_t		 sched_jitter;		/* seconds */
	uint32_t		 checkin_every;		/* seconds, 0 = never */
	int			 checkin_set;		/* said explicitly */
	struct policy_conf	 policy;
	uint32_t		 retention_days;
	uint64_t		 spool_limit;		/* bytes */
	uint64_t		 part_limit;		/* bytes */
	int			 supply_requests;	/* automatic; 0 */
	uint32_t		 supply_threshold;	/* percent */
	struct supply_rule	 supply_rules[CONF_SUPPLY_RULES_MAX];
	uint32_t		 nsupply_rules;

	/* global SNMP defaults */
	char			 snmp_community[CONF_STR_MAX];	/* secret */
	enum snmp_version_conf	 snmp_version;
	uint32_t		 snmp_timeout_ms;
	uint32_t		 snmp_retries;
	uint32_t		 snmp_window;		/* requests in flight */
	uint32_t		 snmp_rate;		/* packets per second */
	uint32_t		 discover_rate;		/* probes per second */

	struct v3users		 v3users;
	struct devices		 devices;
	struct discovers	 discovers;

	/* vendor profiles: loaded by the parent after parsing, not by it */
	struct profile_set	*profile_set;

	/* the files it was read from (the first CONF_MAX_FILES of them) */
	char			 files[CONF_MAX_FILES][CONF_STR_MAX];
	size_t			 nfiles;

	char			 trust_instructions[CONF_STR_MAX];
	char			 trust_packages[CONF_STR_MAX];
	char			 jobdata_key[CONF_STR_MAX];
	/* the raw X25519 key of that file: read by the parent, not by
	 * the parser (conf_load_jobkey() in callhomed/confsend.c) */
	uint8_t			 jobdata_pub[32];
	int			 have_jobdata_pub;
	/* the gateway's time zone (IANA name, "" unknown), for the site
	 * information: found by the parent (conf_load_tzname()) */
	char			 tzname[64];
};

#define CONF_OPT_NOPERMCHECK	0x01	/* fuzzing and unit tests only */

/*
 * Parse file into a freshly allocated configuration.  All errors are
 * reported (as "file:line: message" through log_warnx) before returning
 * NULL; nothing is half-applied.
 */
struct callhome_conf	*parse_config(const char *file, int opts);
/* Same, but from memory (fuzzing); includes are refused. */
struct callhome_conf	*parse_config_buffer(const char *name,
			    const char *buf, size_t len);
struct callhome_conf	*config_new_default(void);
void			 config_free(struct callhome_conf *);
/* Print the normalised configuration (secrets shown as "********"). */
void			 print_config(FILE *, const struct callhome_conf *);
/*
 * The same with flags: CONF_PRINT_SECRETS prints the secrets themselves,
 * so that the output parses back to the same configuration (tests).
 */
#define CONF_PRINT_SECRETS	0x01
void			 print_config_flags(FILE *,
			    const struct callhome_conf *, int);


/* names as written in callhome.conf; from_name: -1 when unknown */
const char		*snmp_version_name(enum snmp_version_conf);
const char		*v3_auth_name(enum v3_auth);
const char		*v3_priv_name(enum v3_priv);
int			 v3_auth_from_name(const char *);
int			 v3_priv_from_name(const char *);
const struct v3user	*config_find_v3user(const struct callhome_conf *,
			    const char *);
/* "30m", "1500ms", "1G": the largest unit that divides exactly */
void			 config_fmt_duration(char *, size_t, uint64_t ms);
void			 config_fmt_size(char *, size_t, uint64_t bytes);
/*
 * A string as the parsers read it back: quoted, '"' and '\' escaped
 * (they accept no control characters in strings).  commsd.conf uses it
 * too, and CONF_SECRET_MASK for the secrets it does not show.
 */
#define CONF_SECRET_MASK	"********"
void			 config_print_quoted(FILE *, const char *);
/*
 * TLS 1.2 cipher suites, for callhome.conf and commsd.conf: ECDHE and
 * authenticated encryption only (AES-GCM, ChaCha20-Poly1305) by default.
 * A list in OpenSSL's syntax as the operator wrote it: "secure" and
 * "default" are the default; "all", "compat", "legacy", "insecure", a
 * list libtls refuses or one with a character outside letters, digits
 * and "+-!:@=._" are refused.  0, or -1 with why.
 */
#define CONF_DEFAULT_CIPHERS	"ECDHE+AESGCM:ECDHE+CHACHA20"
int			 config_ciphers(const char *, char *, size_t,
			    char *err, size_t errlen);

#endif /* CALLHOME_CONFIG_H */
