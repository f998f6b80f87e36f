/*
 * callhome configuration: defaults, freeing, names, and the normalised
 * printout of callhome.conf(5) (callhomed -nv).  The parser is parse.y.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <tls.h>

#include "config.h"
#include "net.h"
#include "profile.h"

static const struct {
	const char	*name;
	enum v3_auth	 auth;
} auth_names[] = {
	{ "md5",	V3_AUTH_MD5 },
	{ "sha1",	V3_AUTH_SHA1 },		/* first: printed */
	{ "sha",	V3_AUTH_SHA1 },
	{ "sha224",	V3_AUTH_SHA224 },
	{ "sha256",	V3_AUTH_SHA256 },
	{ "sha384",	V3_AUTH_SHA384 },
	{ "sha512",	V3_AUTH_SHA512 },
};

static const struct {
	const char	*name;
	enum v3_priv	 priv;
} priv_names[] = {
	{ "des",	V3_PRIV_DES },
	{ "aes128",	V3_PRIV_AES128 },	/* first: printed */
	{ "aes",	V3_PRIV_AES128 },
	{ "aes192",	V3_PRIV_AES192 },
	{ "aes256",	V3_PRIV_AES256 },
};

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

struct callhome_conf *
config_new_default(void)
{
	struct callhome_conf	*conf;

	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		return NULL;
	(void)strlcpy(conf->user, CONF_DEFAULT_USER, sizeof(conf->user));
	(void)strlcpy(conf->state, CONF_DEFAULT_STATE, sizeof(conf->state));
	(void)strlcpy(conf->socket, CONF_DEFAULT_SOCKET, sizeof(conf->socket));
	(void)strlcpy(conf->profiles, CONF_DEFAULT_PROFILES,
	    sizeof(conf->profiles));
	conf->server.port = 443;
	conf->server.protocols = CONF_TLSV1_2 | CONF_TLSV1_3;
	(void)strlcpy(conf->server.ciphers, CONF_DEFAULT_CIPHERS,
	    sizeof(conf->server.ciphers));
	conf->authorize_upload = 0;
	conf->send = CAT_DEFAULTS;
	conf->sched_minute = 2 * 60;
	conf->sched_jitter = 30 * 60;
	conf->checkin_every = 6 * 3600;
	conf->policy.instructions = POL_DEFAULT;
	conf->policy.sched_from = 0;
	conf->policy.sched_to = 24 * 60 - 1;
	conf->policy.checkin_min = 15 * 60;
	conf->policy.packages = 0;
	conf->retention_days = 400;
	conf->spool_limit = 1ULL << 30;
	conf->part_limit = CONF_PART_LIMIT_DEFAULT;
	conf->supply_threshold = CONF_SUPPLY_THRESHOLD;
	(void)strlcpy(conf->snmp_community, "public",
	    sizeof(conf->snmp_community));
	conf->snmp_version = SNMPV_2C;
	conf->snmp_timeout_ms = 2000;
	conf->snmp_retries = 2;
	conf->snmp_window = 256;
	conf->snmp_rate = 500;
	conf->discover_rate = 50;
	TAILQ_INIT(&conf->v3users);
	TAILQ_INIT(&conf->devices);
	TAILQ_INIT(&conf->discovers);
	return conf;
}

/* everything is wiped: communities, passwords and the token are secrets */
void
config_free(struct callhome_conf *conf)
{
	struct v3user		*u;
	struct device_conf	*d;
	struct discover_conf	*dc;

	if (conf == NULL)
		return;
	while ((u = TAILQ_FIRST(&conf->v3users)) != NULL) {
		TAILQ_REMOVE(&conf->v3users, u, entry);
		explicit_bzero(u, sizeof(*u));
		free(u);
	}
	while ((d = TAILQ_FIRST(&conf->devices)) != NULL) {
		TAILQ_REMOVE(&conf->devices, d, entry);
		explicit_bzero(d, sizeof(*d));
		free(d);
	}
	while ((dc = TAILQ_FIRST(&conf->discovers)) != NULL) {
		TAILQ_REMOVE(&conf->discovers, dc, entry);
		explicit_bzero(dc, sizeof(*dc));
		free(dc);
	}
	if (conf->profile_set != NULL) {
		profile_set_free(conf->profile_set);
		free(conf->profile_set);
	}
	explicit_bzero(conf, sizeof(*conf));
	free(conf);
}

const char *
snmp_version_name(enum snmp_version_conf v)
{
	switch (v) {
	case SNMPV_1:
		return "1";
	case SNMPV_2C:
		return "2c";
	case SNMPV_3:
		return "3";
	default:
		return "default";
	}
}

const char *
v3_auth_name(enum v3_auth a)
{
	size_t	 i;

	for (i = 0; i < nitems(auth_names); i++)
		if (auth_names[i].auth == a)
			return auth_names[i].name;
	return "none";
}

const char *
v3_priv_name(enum v3_priv p)
{
	size_t	 i;

	for (i = 0; i < nitems(priv_names); i++)
		if (priv_names[i].priv == p)
			return priv_names[i].name;
	return "none";
}

int
v3_auth_from_name(const char *name)
{
	size_t	 i;

	for (i = 0; i < nitems(auth_names); i++)
		if (strcmp(auth_names[i].name, name) == 0)
			return auth_names[i].auth;
	return -1;
}

int
v3_priv_from_name(const char *name)
{
	size_t	 i;

	for (i = 0; i < nitems(priv_names); i++)
		if (strcmp(priv_names[i].name, name) == 0)
			return priv_names[i].priv;
	return -1;
}

const struct v3user *
config_find_v3user(const struct callhome_conf *conf, const char *name)
{
	const struct v3user	*u;

	TAILQ_FOREACH(u, &conf->v3users, entry)
		if (strcmp(u->name, name) == 0)
			return u;
	return NULL;
}

static void
print_policy(FILE *fp, const struct policy_conf *p)
{
	char	 num[32];

	fprintf(fp, "allow instructions");
	if (p->instructions == 0)
		fprintf(fp, " none");
	fprintf(fp, "%s%s%s%s\n", p->instructions & POL_COLLECT ?
	    " collect" : "", p->instructions & POL_UPLOAD ? " upload" : "",
	    p->instructions & POL_CHECKIN ? " checkin" : "",
	    p->instructions & POL_SCHEDULE ? " schedule" : "");
	fprintf(fp, "allow schedule %02d:%02d-%02d:%02d\n",
	    p->sched_from / 60, p->sched_from % 60, p->sched_to / 60,
	    p->sched_to % 60);
	config_fmt_duration(num, sizeof(num), p->checkin_min * 1000ULL);
	fprintf(fp, "allow checkin every %s\n", num);
	fprintf(fp, "allow packages%s%s%s\n", p->packages == 0 ? " none" : "",
	    p->packages & POL_PKG_PROFILE ? " profile" : "",
	    p->packages & POL_PKG_SOFTWARE ? " software" : "");
}

static void
print_secret(FILE *fp, const char *s, int flags)
{
	config_print_quoted(fp, (flags & CONF_PRINT_SECRETS) ? s :
	    CONF_SECRET_MASK);
}

static void
print_target_opts(FILE *fp, const struct snmp_target_opts *o, int flags)
{
	fprintf(fp, " port %u", o->port != 0 ? o->port : 161);
	if (o->version != SNMPV_DEFAULT)
		fprintf(fp, " version %s", snmp_version_name(o->version));
	if (o->community[0] != '\0') {
		fprintf(fp, " community ");
		print_secret(fp, o->community, flags);
	}
	if (o->user[0] != '\0') {
		fprintf(fp, " user ");
		config_print_quoted(fp, o->user);
	}
	putc('\n', fp);
}

static const char *
protocols_name(uint32_t p)
{
	switch (p & (CONF_TLSV1_2 | CONF_TLSV1_3)) {
	case CONF_TLSV1_2:
		return "tlsv1.2";
	case CONF_TLSV1_3:
		return "tlsv1.3";
	default:
		return "tlsv1.2,tlsv1.3";
	}
}

static void
print_server(FILE *fp, const struct server_conf *s, int flags)
{
	fprintf(fp, "server ");
	config_print_quoted(fp, s->name);
	fprintf(fp, " port %u {\n", s->port);
	if (s->ca[0] != '\0') {
		fprintf(fp, "\tca ");
		config_print_quoted(fp, s->ca);
		putc('\n', fp);
	}
	if (s->cert[0] != '\0') {
		fprintf(fp, "\tcertificate ");
		config_print_quoted(fp, s->cert);
		putc('\n', fp);
	}
	if (s->key[0] != '\0') {
		fprintf(fp, "\tkey ");
		config_print_quoted(fp, s->key);
		putc('\n', fp);
	}
	if (s->pin[0] != '\0') {
		fprintf(fp, "\tpin-sha256 ");
		config_print_quoted(fp, s->pin);
		putc('\n', fp);
	}
	fprintf(fp, "\tprotocols \"%s\"\n", protocols_name(s->protocols));
	fprintf(fp, "\tciphers ");
	config_print_quoted(fp, s->ciphers);
	putc('\n', fp);
	if (s->token[0] != '\0') {
		fprintf(fp, "\ttoken ");
		print_secret(fp, s->token, flags);
		putc('\n', fp);
	}
	if (s->proxy[0] != '\0') {
		fprintf(fp, "\tproxy ");
		config_print_quoted(fp, s->proxy);
		fprintf(fp, " port %u", s->proxy_port);
		if (s->proxy_user[0] != '\0') {
			fprintf(fp, " user ");
			config_print_quoted(fp, s->proxy_user);
			fprintf(fp, " password ");
			print_secret(fp, s->proxy_pass, flags);
		}
		putc('\n', fp);
	}
	fprintf(fp, "}\n");
}

void
print_config_flags(FILE *fp, const struct callhome_conf *conf, int flags)
{
	const struct v3user		*u;
	const struct device_conf	*d;
	const struct discover_conf	*dc;
	char				 buf[INET6_ADDRSTRLEN];
	const struct supply_rule	*r;
	char				 num[32];
	uint32_t			 i;
	int				 c;

	if (conf->gateway[0] != '\0') {
		fprintf(fp, "gateway ");
		config_print_quoted(fp, conf->gateway);
		putc('\n', fp);
	}
	if (conf->site[0] != '\0') {
		fprintf(fp, "site ");
		config_print_quoted(fp, conf->site);
		putc('\n', fp);
	}
	fprintf(fp, "user ");
	config_print_quoted(fp, conf->user);
	fprintf(fp, "\nstate ");
	config_print_quoted(fp, conf->state);
	fprintf(fp, "\nsocket ");
	config_print_quoted(fp, conf->socket);
	if (conf->socket_group[0] != '\0') {
		fprintf(fp, " group ");
		config_print_quoted(fp, conf->socket_group);
	}
	fprintf(fp, "\nprofiles ");
	config_print_quoted(fp, conf->profiles);
	putc('\n', fp);

	if (conf->have_server)
		print_server(fp, &conf->server, flags);

	fprintf(fp, "authorize upload %s\n",
	    conf->authorize_upload ? "yes" : "no");
	for (c = 0; c < CAT_MAX; c++)
		fprintf(fp, "send %s %s\n", category_name(c),
		    (conf->send & CAT_BIT(c)) ? "yes" : "no");
	config_fmt_duration(num, sizeof(num), conf->sched_jitter * 1000ULL);
	fprintf(fp, "schedule daily %02d:%02d jitter %s\n",
	    conf->sched_minute / 60, conf->sched_minute % 60, num);
	/* without the keys of instructions there is no periodic check-in */
	if (conf->checkin_every == 0 || conf->trust_instructions[0] == '\0')
		fprintf(fp, "checkin never\n");
	else {
		config_fmt_duration(num, sizeof(num),
		    conf->checkin_every * 1000ULL);
		fprintf(fp, "checkin every %s\n", num);
	}
	print_policy(fp, &conf->policy);
	fprintf(fp, "retention %u days\n", conf->retention_days);
	config_fmt_size(num, sizeof(num), conf->spool_limit);
	fprintf(fp, "spool limit %s\n", num);
	config_fmt_size(num, sizeof(num), conf->part_limit);
	fprintf(fp, "part limit %s\n", num);
	fprintf(fp, "supply requests %s\n", conf->supply_requests ? "yes" :
	    "no");
	fprintf(fp, "supply threshold %u%%\n", conf->supply_threshold);
	for (i = 0; i < conf->nsupply_rules; i++) {
		r = &conf->supply_rules[i];
		fprintf(fp, "supply threshold %u%%", r->percent);
		if (r->vendor[0] != '\0') {
			fprintf(fp, " vendor ");
			config_print_quoted(fp, r->vendor);
		}
		if (r->type[0] != '\0')
			fprintf(fp, " type %s", r->type);
		fputc('\n', fp);
	}

	fprintf(fp, "snmp community ");
	print_secret(fp, conf->snmp_community, flags);
	fprintf(fp, "\nsnmp version %s\n",
	    snmp_version_name(conf->snmp_version));
	config_fmt_duration(num, sizeof(num), conf->snmp_timeout_ms);
	fprintf(fp, "snmp timeout %s retries %u window %u rate %u\n", num,
	    conf->snmp_retries, conf->snmp_window, conf->snmp_rate);
	fprintf(fp, "discover rate %u\n", conf->discover_rate);

	TAILQ_FOREACH(u, &conf->v3users, entry) {
		fprintf(fp, "snmpv3 user ");
		config_print_quoted(fp, u->name);
		if (u->auth != V3_AUTH_NONE) {
			fprintf(fp, " auth %s ", v3_auth_name(u->auth));
			print_secret(fp, u->authpass, flags);
		}
		if (u->priv != V3_PRIV_NONE) {
			fprintf(fp, " priv %s ", v3_priv_name(u->priv));
			print_secret(fp, u->privpass, flags);
		}
		if (u->context[0] != '\0') {
			fprintf(fp, " context ");
			config_print_quoted(fp, u->context);
		}
		if (u->allow_weak)
			fprintf(fp, " allow weak");
		putc('\n', fp);
	}
	TAILQ_FOREACH(d, &conf->devices, entry) {
		fprintf(fp, "device %s", addr_ntop((const struct sockaddr *)
		    &d->addr, buf, sizeof(buf)));
		print_target_opts(fp, &d->opts, flags);
	}
	TAILQ_FOREACH(dc, &conf->discovers, entry) {
		fprintf(fp, "discover %s/%d",
		    addr_ntop((const struct sockaddr *)&dc->net,
		    buf, sizeof(buf)), dc->prefixlen);
		print_target_opts(fp, &dc->opts, flags);
	}

	if (conf->trust_instructions[0] != '\0') {
		fprintf(fp, "trust instructions ");
		config_print_quoted(fp, conf->trust_instructions);
		putc('\n', fp);
	}
	if (conf->trust_packages[0] != '\0') {
		fprintf(fp, "trust packages ");
		config_print_quoted(fp, conf->trust_packages);
		putc('\n', fp);
	}
	if (conf->jobdata_key[0] != '\0') {
		fprintf(fp, "job-data key ");
		config_print_quoted(fp, conf->jobdata_key);
		putc('\n', fp);
	}
}

void
print_config(FILE *fp, const struct callhome_conf *conf)
{
	print_config_flags(fp, conf, 0);
}

int
config_ciphers(const char *s, char *out, size_t outlen, char *err,
    size_t errlen)
{
	static const char *const refused[] = { "all", "compat", "legacy",
	    "insecure" };
	struct tls_config	*tc;
	const char		*p;
	size_t			 i;
	int			 r = 0;

	if (strcasecmp(s, "secure") == 0 || strcasecmp(s, "default") == 0)
		s = CONF_DEFAULT_CIPHERS;
	if (*s == '\0') {
		(void)snprintf(err, errlen, "ciphers must not be empty");
		return -1;
	}
	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("+-!:@=._", *p) !=
		    NULL)) {
			(void)snprintf(err, errlen, "ciphers: \"%c\" is not "
			    "allowed", *p);
			return -1;
		}
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strcasecmp(s, refused[i]) == 0) {
			(void)snprintf(err, errlen, "ciphers \"%s\" not "
			    "allowed: name the suites", s);
			return -1;
		}
	/* what libtls makes of it, now rather than at start-up */
	if ((tc = tls_config_new()) == NULL) {
		(void)snprintf(err, errlen, "tls_config_new failed");
		return -1;
	}
	if (tls_config_set_ciphers(tc, s) == -1) {
		(void)snprintf(err, errlen, "ciphers \"%s\": %s", s,
		    tls_config_error(tc));
		r = -1;
	}
	tls_config_free(tc);
	if (r == 0 && strlcpy(out, s, outlen) >= outlen) {
		(void)snprintf(err, errlen, "ciphers too long");
		r = -1;
	}
	return r;
}
