/*
 * The configuration parser: defaults, every statement, the lexer's corner
 * cases, the errors (all of them, with their lines), includes and file
 * permissions, and print -> parse -> print being a fixed point.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "test.h"

static char	 errbuf[1 << 16];	/* what the last parse logged */
static char	 tmpdir[64];

/* snprintf that must not truncate */
#define FMT(buf, size, ...) do {					\
	int _n = snprintf((buf), (size), __VA_ARGS__);			\
	if (_n < 0 || (size_t)_n >= (size_t)(size))			\
		abort();						\
} while (0)

static const char full_conf[] =
	"# a bit of everything\n"
	"lan = \"10.1.2.0/24\"\n"
	"ro = public\n"
	"gateway \"site-01\"\n"
	"site \"Building 4, 2nd floor \\\"east\\\" \\\\ wing\"\n"
	"user \"_callhome\"\n"
	"state \"/var/lib/callhome\"\n"
	"socket \"/run/callhome.sock\" group \"callhome\"\n"
	"profiles \"/etc/callhome/profiles\"\n"
	"server \"comms.example.net\" port 8443 {\n"
	"\tca \"/etc/callhome/ca.pem\"\n"
	"\n"
	"\tcertificate \"/etc/callhome/gateway.crt\"\n"
	"\tkey \"/etc/callhome/gateway.key\"\n"
	"\tpin-sha256 \"ASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4mrze8=\"\n"
	"\tprotocols \"tlsv1.3\"\n"
	"\ttoken \"enrol-8f3a\"\n"
	"\tproxy \"proxy.example.net\" port 3128 user \"u\" password \"p$w\"\n"
	"}\n"
	"authorize upload yes\n"
	"send pii yes\n"
	"send job-data yes\n"
	"send meters no\n"
	"schedule daily 03:15 jitter 1h\n"
	"checkin every 90m\n"
	"retention 30 days\n"
	"spool limit 512M\n"
	"snmp community $ro\n"
	"snmp version 1\n"
	"snmp timeout 1500ms retries 3 window 64 rate 200\n"
	"snmp retries 4\n"
	"discover rate 20\n"
	"snmpv3 user \"monitor\" auth sha256 \"authpass1\" priv aes "
	    "\"privpass1\" context \"ctx\"\n"
	"snmpv3 user legacy auth sha1 \"12345678\"\n"
	"snmpv3 user open\n"
	"device 10.1.2.3 port 1161 community \"private\" version 2c\n"
	"device 10.1.2.4 user \"monitor\"\n"
	"device 10.1.2.5 \\\n"
	"    user legacy\n"
	"device fe80::1\n"
	"device \"2001:db8::5\" port 1161\n"
	"discover $lan community \"public\"\n"
	"discover 2001:db8::/112 user monitor\n"
	"trust instructions \"/etc/callhome/instructions.pub\"\n"
	"trust packages \"/etc/callhome/packages.pub\"\n"
	"job-data key \"/etc/callhome/jobdata.pub\"\n";

/* parse from memory; what was logged is left in errbuf */
static struct callhome_conf *
parse_capture(const char *buf, size_t len)
{
	struct callhome_conf	*conf;
	FILE			*tmp;
	size_t			 n;
	int			 saved;

	fflush(stderr);
	if ((tmp = tmpfile()) == NULL || (saved = dup(STDERR_FILENO)) == -1)
		abort();
	dup2(fileno(tmp), STDERR_FILENO);
	conf = parse_config_buffer("test.conf", buf, len);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(errbuf, 1, sizeof(errbuf) - 1, tmp);
	errbuf[n] = '\0';
	fclose(tmp);
	return conf;
}

static struct callhome_conf *
parse_str(const char *s)
{
	return parse_capture(s, strlen(s));
}

/* the same for a file */
static struct callhome_conf *
parse_file_capture(const char *path, int opts)
{
	struct callhome_conf	*conf;
	FILE			*tmp;
	size_t			 n;
	int			 saved;

	fflush(stderr);
	if ((tmp = tmpfile()) == NULL || (saved = dup(STDERR_FILENO)) == -1)
		abort();
	dup2(fileno(tmp), STDERR_FILENO);
	conf = parse_config(path, opts);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(errbuf, 1, sizeof(errbuf) - 1, tmp);
	errbuf[n] = '\0';
	fclose(tmp);
	return conf;
}

/* parsing s fails, and the log holds exactly these lines */
static int
fails_with(const char *s, const char *expected)
{
	struct callhome_conf	*conf;

	if ((conf = parse_str(s)) != NULL) {
		config_free(conf);
		printf("# parse of \"%s\" succeeded\n", s);
		return 0;
	}
	if (strcmp(errbuf, expected) != 0) {
		printf("# expected:\n%s# got:\n%s", expected, errbuf);
		return 0;
	}
	return 1;
}

static int
parses(const char *s)
{
	struct callhome_conf	*conf;

	if ((conf = parse_str(s)) == NULL) {
		printf("# parse of \"%s\" failed:\n%s", s, errbuf);
		return 0;
	}
	config_free(conf);
	return 1;
}

static int
count_lines(const char *s)
{
	int	 n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n')
			n++;
	return n;
}

static char *
print_str(const struct callhome_conf *conf, int flags)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		abort();
	print_config_flags(fp, conf, flags);
	fclose(fp);
	return buf;
}

static int
write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char	 path[PATH_MAX];
	int	 fd;
	size_t	 len = strlen(text);

	FMT(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	fchmod(fd, mode);
	close(fd);
	return 0;
}

static const char *
tpath(const char *name)
{
	static char	 path[PATH_MAX];

	FMT(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static const char *
addr_of(const struct sockaddr_storage *ss)
{
	static char	 buf[INET6_ADDRSTRLEN];
	const void	*a;

	if (ss->ss_family == AF_INET)
		a = &((const struct sockaddr_in *)ss)->sin_addr;
	else
		a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	return inet_ntop(ss->ss_family, a, buf, sizeof(buf));
}

TEST(defaults)
{
	struct callhome_conf	*conf, *def;
	char			*a, *b;

	def = config_new_default();
	CHECK(def != NULL);
	CHECK_STR(def->gateway, "");
	CHECK_STR(def->user, CONF_DEFAULT_USER);
	CHECK_STR(def->state, CONF_DEFAULT_STATE);
	CHECK_STR(def->socket, CONF_DEFAULT_SOCKET);
	CHECK_STR(def->profiles, CONF_DEFAULT_PROFILES);
	CHECK_EQ_INT(def->have_server, 0);
	CHECK_EQ_INT(def->authorize_upload, 0);
	CHECK_EQ_INT(def->send, CAT_DEFAULTS);
	CHECK_EQ_INT(def->sched_minute, 120);
	CHECK_EQ_INT(def->sched_jitter, 1800);
	CHECK_EQ_INT(def->checkin_every, 6 * 3600);
	CHECK_EQ_INT(def->retention_days, 400);
	CHECK_EQ_INT(def->spool_limit, 1024 * 1024 * 1024);
	CHECK_STR(def->snmp_community, "public");
	CHECK_EQ_INT(def->snmp_version, SNMPV_2C);
	CHECK_EQ_INT(def->snmp_timeout_ms, 2000);
	CHECK_EQ_INT(def->snmp_retries, 2);
	CHECK_EQ_INT(def->snmp_window, 256);
	CHECK_EQ_INT(def->snmp_rate, 500);
	CHECK_EQ_INT(def->discover_rate, 50);
	CHECK(TAILQ_EMPTY(&def->devices));

	/* an empty file is the defaults; so is one of comments */
	conf = parse_str("");
	CHECK(conf != NULL);
	a = print_str(conf, CONF_PRINT_SECRETS);
	b = print_str(def, CONF_PRINT_SECRETS);
	CHECK_STR(a, b);
	free(a);
	config_free(conf);
	conf = parse_str("# nothing\n\n   \t# more nothing");
	CHECK(conf != NULL);
	a = print_str(conf, CONF_PRINT_SECRETS);
	CHECK_STR(a, b);
	free(a);
	free(b);
	config_free(conf);
	config_free(def);
	config_free(NULL);
}

TEST(default_print)
{
	struct callhome_conf	*conf;
	char			*out;

	conf = parse_str("");
	CHECK(conf != NULL);
	out = print_str(conf, 0);
	config_free(conf);
	CHECK_STR(out,
	    "user \"_callhome\"\n"
	    "state \"/var/lib/callhome\"\n"
	    "socket \"/run/callhome.sock\"\n"
	    "profiles \"/etc/callhome/profiles\"\n"
	    "authorize upload no\n"
	    "send meters yes\n"
	    "send supplies yes\n"
	    "send alerts yes\n"
	    "send identity yes\n"
	    "send site-info yes\n"
	    "send device-address no\n"
	    "send pii no\n"
	    "send job-data no\n"
	    "schedule daily 02:00 jitter 30m\n"
	    "checkin never\n"
	    "allow instructions collect upload checkin\n"
	    "allow schedule 00:00-23:59\n"
	    "allow checkin every 15m\n"
	    "allow packages none\n"
	    "retention 400 days\n"
	    "spool limit 1G\n"
	    "part limit 4M\n"
	    "supply requests no\n" "supply threshold 10%\n"
	    "snmp community \"********\"\n"
	    "snmp version 2c\n"
	    "snmp timeout 2s retries 2 window 256 rate 500\n"
	    "discover rate 50\n");
	free(out);
}

TEST(full)
{
	struct callhome_conf	*conf;
	const struct v3user	*u;
	struct device_conf	*d;
	struct discover_conf	*dc;

	conf = parse_str(full_conf);
	if (conf == NULL)
		printf("# %s", errbuf);
	CHECK(conf != NULL);
	CHECK_STR(errbuf, "");
	CHECK_STR(conf->gateway, "site-01");
	CHECK_STR(conf->site, "Building 4, 2nd floor \"east\" \\ wing");
	CHECK_STR(conf->socket_group, "callhome");
	CHECK(conf->have_server);
	CHECK_STR(conf->server.name, "comms.example.net");
	CHECK_EQ_INT(conf->server.port, 8443);
	CHECK_STR(conf->server.ca, "/etc/callhome/ca.pem");
	CHECK_STR(conf->server.cert, "/etc/callhome/gateway.crt");
	CHECK_STR(conf->server.key, "/etc/callhome/gateway.key");
	CHECK_STR(conf->server.pin,
	    "ASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4mrze8=");
	CHECK_EQ_INT(conf->server.protocols, CONF_TLSV1_3);
	CHECK_STR(conf->server.token, "enrol-8f3a");
	CHECK_STR(conf->server.proxy, "proxy.example.net");
	CHECK_EQ_INT(conf->server.proxy_port, 3128);
	CHECK_STR(conf->server.proxy_user, "u");
	CHECK_STR(conf->server.proxy_pass, "p$w");
	CHECK_EQ_INT(conf->authorize_upload, 1);
	CHECK_EQ_INT(conf->send, (CAT_DEFAULTS & ~CAT_BIT(CAT_METERS)) |
	    CAT_BIT(CAT_PII) | CAT_BIT(CAT_JOB_DATA));
	CHECK_EQ_INT(conf->sched_minute, 3 * 60 + 15);
	CHECK_EQ_INT(conf->sched_jitter, 3600);
	CHECK_EQ_INT(conf->checkin_every, 90 * 60);
	CHECK_EQ_INT(conf->retention_days, 30);
	CHECK_EQ_INT(conf->spool_limit, 512 * 1024 * 1024);
	CHECK_STR(conf->snmp_community, "public");
	CHECK_EQ_INT(conf->snmp_version, SNMPV_1);
	CHECK_EQ_INT(conf->snmp_timeout_ms, 1500);
	CHECK_EQ_INT(conf->snmp_retries, 4);
	CHECK_EQ_INT(conf->snmp_window, 64);
	CHECK_EQ_INT(conf->snmp_rate, 200);
	CHECK_EQ_INT(conf->discover_rate, 20);

	u = config_find_v3user(conf, "monitor");
	CHECK(u != NULL);
	CHECK_EQ_INT(u->auth, V3_AUTH_SHA256);
	CHECK_STR(u->authpass, "authpass1");
	CHECK_EQ_INT(u->priv, V3_PRIV_AES128);
	CHECK_STR(u->privpass, "privpass1");
	CHECK_STR(u->context, "ctx");
	u = config_find_v3user(conf, "legacy");
	CHECK(u != NULL);
	CHECK_EQ_INT(u->auth, V3_AUTH_SHA1);
	CHECK_EQ_INT(u->priv, V3_PRIV_NONE);
	CHECK_EQ_INT(u->allow_weak, 0);
	u = config_find_v3user(conf, "open");		/* noAuthNoPriv */
	CHECK(u != NULL);
	CHECK_EQ_INT(u->auth, V3_AUTH_NONE);
	CHECK_EQ_INT(u->priv, V3_PRIV_NONE);
	CHECK(config_find_v3user(conf, "nobody") == NULL);

	d = TAILQ_FIRST(&conf->devices);
	CHECK(d != NULL);
	CHECK_STR(addr_of(&d->addr), "10.1.2.3");
	CHECK_EQ_INT(d->addr.ss_family, AF_INET);
	CHECK_EQ_INT(d->addrlen, sizeof(struct sockaddr_in));
	CHECK_EQ_INT(ntohs(((struct sockaddr_in *)&d->addr)->sin_port), 1161);
	CHECK_EQ_INT(d->opts.port, 1161);
	CHECK_EQ_INT(d->opts.version, SNMPV_2C);
	CHECK_STR(d->opts.community, "private");
	d = TAILQ_NEXT(d, entry);
	CHECK(d != NULL);
	CHECK_STR(addr_of(&d->addr), "10.1.2.4");
	CHECK_EQ_INT(d->opts.port, 0);
	CHECK_EQ_INT(ntohs(((struct sockaddr_in *)&d->addr)->sin_port), 161);
	CHECK_EQ_INT(d->opts.version, SNMPV_3);	/* a user implies v3 */
	CHECK_STR(d->opts.user, "monitor");
	d = TAILQ_NEXT(d, entry);
	CHECK(d != NULL);
	CHECK_STR(d->opts.user, "legacy");	/* continued line */
	d = TAILQ_NEXT(d, entry);
	CHECK(d != NULL);
	CHECK_EQ_INT(d->addr.ss_family, AF_INET6);
	CHECK_EQ_INT(d->addrlen, sizeof(struct sockaddr_in6));
	CHECK_STR(addr_of(&d->addr), "fe80::1");
	CHECK_EQ_INT(d->opts.version, SNMPV_DEFAULT);
	CHECK_STR(d->opts.community, "");
	d = TAILQ_NEXT(d, entry);
	CHECK(d != NULL);
	CHECK_STR(addr_of(&d->addr), "2001:db8::5");
	CHECK(TAILQ_NEXT(d, entry) == NULL);

	dc = TAILQ_FIRST(&conf->discovers);
	CHECK(dc != NULL);
	CHECK_STR(addr_of(&dc->net), "10.1.2.0");
	CHECK_EQ_INT(dc->prefixlen, 24);
	CHECK_STR(dc->opts.community, "public");
	dc = TAILQ_NEXT(dc, entry);
	CHECK(dc != NULL);
	CHECK_STR(addr_of(&dc->net), "2001:db8::");
	CHECK_EQ_INT(dc->prefixlen, 112);
	CHECK_STR(dc->opts.user, "monitor");
	CHECK(TAILQ_NEXT(dc, entry) == NULL);

	CHECK_STR(conf->trust_instructions, "/etc/callhome/instructions.pub");
	CHECK_STR(conf->trust_packages, "/etc/callhome/packages.pub");
	CHECK_STR(conf->jobdata_key, "/etc/callhome/jobdata.pub");
	config_free(conf);
}

/* print (secrets shown) -> parse -> print is a fixed point */
TEST(roundtrip)
{
	struct callhome_conf	*a, *b;
	char			*pa, *pb, *ma, *mb;

	a = parse_str(full_conf);
	CHECK(a != NULL);
	pa = print_str(a, CONF_PRINT_SECRETS);
	b = parse_str(pa);
	if (b == NULL)
		printf("# %s# %s", pa, errbuf);
	CHECK(b != NULL);
	pb = print_str(b, CONF_PRINT_SECRETS);
	CHECK_STR(pa, pb);
	CHECK(strstr(pa, "\"enrol-8f3a\"") != NULL);
	CHECK(strstr(pa, "\"p$w\"") != NULL);
	CHECK(strstr(pa, "\"private\"") != NULL);
	CHECK(strstr(pa, "\"authpass1\"") != NULL);

	/* masked output: no secret in it, still a valid configuration */
	ma = print_str(a, 0);
	CHECK(strstr(ma, "enrol-8f3a") == NULL);
	CHECK(strstr(ma, "p$w") == NULL);
	CHECK(strstr(ma, "private") == NULL);
	CHECK(strstr(ma, "authpass1") == NULL);
	CHECK(strstr(ma, "privpass1") == NULL);
	CHECK(strstr(ma, "\"public\"") == NULL);
	config_free(b);
	b = parse_str(ma);
	CHECK(b != NULL);
	mb = print_str(b, 0);
	CHECK_STR(ma, mb);
	free(pa);
	free(pb);
	free(ma);
	free(mb);
	config_free(a);
	config_free(b);
}

TEST(names)
{
	int	 c;

	for (c = 0; c < CAT_MAX; c++)
		CHECK_EQ_INT(category_from_name(category_name(c)), c);
	CHECK_STR(category_name(CAT_SITE_INFO), "site-info");
	CHECK_STR(category_name(CAT_DEVICE_ADDRESS), "device-address");
	CHECK_STR(category_name(CAT_JOB_DATA), "job-data");
	CHECK_EQ_INT(category_from_name("foo"), -1);
	CHECK_EQ_INT(category_from_name(""), -1);
	CHECK_STR(category_name(CAT_MAX), "unknown");
	CHECK_EQ_INT(v3_auth_from_name("sha"), V3_AUTH_SHA1);
	CHECK_EQ_INT(v3_auth_from_name("sha1"), V3_AUTH_SHA1);
	CHECK_EQ_INT(v3_auth_from_name("sha512"), V3_AUTH_SHA512);
	CHECK_EQ_INT(v3_auth_from_name("none"), -1);
	CHECK_STR(v3_auth_name(V3_AUTH_SHA1), "sha1");
	CHECK_EQ_INT(v3_priv_from_name("aes"), V3_PRIV_AES128);
	CHECK_EQ_INT(v3_priv_from_name("aes256"), V3_PRIV_AES256);
	CHECK_EQ_INT(v3_priv_from_name("blowfish"), -1);
	CHECK_STR(v3_priv_name(V3_PRIV_AES128), "aes128");
	CHECK_STR(snmp_version_name(SNMPV_2C), "2c");
}

/* the documents' <Categories> and the outbox's "categories" */
TEST(category_lists)
{
	char	 b[256], small[12];

	CHECK_STR(category_list(CAT_DEFAULTS, b, sizeof(b)),
	    "meters supplies alerts identity site-info");
	CHECK_STR(category_list(0, b, sizeof(b)), "");
	CHECK_STR(category_list(CAT_BIT(CAT_PII), b, sizeof(b)), "pii");
	CHECK_STR(category_list(CAT_BIT(CAT_JOB_DATA) | CAT_BIT(CAT_METERS),
	    b, sizeof(b)), "meters job-data");
	/* every category, and bits past the last ignored */
	CHECK_STR(category_list(UINT32_MAX, b, sizeof(b)), "meters supplies "
	    "alerts identity site-info device-address pii job-data");
	/* cut, never overrun */
	CHECK_STR(category_list(CAT_DEFAULTS, small, sizeof(small)),
	    "meters supp");
	small[0] = 'x';
	CHECK(category_list(CAT_DEFAULTS, small, 0) == small);
	CHECK_EQ_INT(small[0], 'x');
}

TEST(formats)
{
	char	 b[32];

	config_fmt_duration(b, sizeof(b), 0);
	CHECK_STR(b, "0s");
	config_fmt_duration(b, sizeof(b), 1500);
	CHECK_STR(b, "1500ms");
	config_fmt_duration(b, sizeof(b), 2000);
	CHECK_STR(b, "2s");
	config_fmt_duration(b, sizeof(b), 90 * 1000);
	CHECK_STR(b, "90s");
	config_fmt_duration(b, sizeof(b), 30 * 60 * 1000);
	CHECK_STR(b, "30m");
	config_fmt_duration(b, sizeof(b), 6 * 3600 * 1000);
	CHECK_STR(b, "6h");
	config_fmt_duration(b, sizeof(b), 2 * 86400 * 1000);
	CHECK_STR(b, "2d");
	config_fmt_size(b, sizeof(b), 0);
	CHECK_STR(b, "0");
	config_fmt_size(b, sizeof(b), 1000);
	CHECK_STR(b, "1000");
	config_fmt_size(b, sizeof(b), 1536);
	CHECK_STR(b, "1536");
	config_fmt_size(b, sizeof(b), 3072);
	CHECK_STR(b, "3K");
	config_fmt_size(b, sizeof(b), 1024 * 1024 * 3 / 2);
	CHECK_STR(b, "1536K");
	config_fmt_size(b, sizeof(b), 1ULL << 30);
	CHECK_STR(b, "1G");
	config_fmt_size(b, sizeof(b), 1ULL << 40);
	CHECK_STR(b, "1024G");
}

TEST(values)
{
	struct callhome_conf	*c;

	c = parse_str("checkin never\nspool limit 1048576\n"
	    "snmp timeout 100ms\nschedule daily 0:05 jitter 0\n"
	    "retention 36500 days\nsnmp window 65536 rate 100000 retries 0\n");
	CHECK(c != NULL);
	CHECK_EQ_INT(c->checkin_every, 0);
	CHECK_EQ_INT(c->spool_limit, 1024 * 1024);
	CHECK_EQ_INT(c->snmp_timeout_ms, 100);
	CHECK_EQ_INT(c->sched_minute, 5);
	CHECK_EQ_INT(c->sched_jitter, 0);
	CHECK_EQ_INT(c->retention_days, 36500);
	CHECK_EQ_INT(c->snmp_window, 65536);
	CHECK_EQ_INT(c->snmp_rate, 100000);
	CHECK_EQ_INT(c->snmp_retries, 0);
	config_free(c);

	c = parse_str("trust instructions \"/k/i.pub\"\n"
	    "checkin every 1d\nspool limit 1024G\nsnmp timeout 60\n"
	    "schedule daily 23:59 jitter 12h\nsnmp version 3\n"
	    "checkin every 7200\n");
	CHECK(c != NULL);
	CHECK_EQ_INT(c->checkin_every, 7200);	/* the last one counts */
	CHECK_EQ_INT(c->spool_limit, 1ULL << 40);
	CHECK_EQ_INT(c->snmp_timeout_ms, 60000);
	CHECK_EQ_INT(c->sched_minute, 23 * 60 + 59);
	CHECK_EQ_INT(c->sched_jitter, 12 * 3600);
	CHECK_EQ_INT(c->snmp_version, SNMPV_3);
	config_free(c);

	c = parse_str("spool limit 2g\nsnmp timeout 1s\n");
	CHECK(c != NULL);
	CHECK_EQ_INT(c->spool_limit, 2ULL << 30);
	CHECK_EQ_INT(c->part_limit, 4ULL << 20);	/* the default */
	config_free(c);

	/* the part limit: 64K to commsd's default 16M */
	c = parse_str("part limit 64K\npart limit 16m\n");
	CHECK(c != NULL);
	CHECK_EQ_INT(c->part_limit, 16ULL << 20);
	config_free(c);
	CHECK(fails_with("part limit 65535\npart limit 16385K\n"
	    "part limit 1x\n",
	    "test: test.conf:1: part limit 65535 out of range 64K..16M\n"
	    "test: test.conf:2: part limit 16385K out of range 64K..16M\n"
	    "test: test.conf:3: part limit \"1x\" is not a size (a number "
	    "with K, M or G)\n"));

	CHECK(fails_with("retries = 3\n",
	    "test: test.conf:1: macro name \"retries\" is a reserved "
	    "keyword\n"));
	CHECK(fails_with("snmp retries 11\nsnmp window 0\nsnmp rate 100001\n"
	    "discover rate 0\nretention 36501 days\n",
	    "test: test.conf:1: snmp retries 11 out of range 0..10\n"
	    "test: test.conf:2: snmp window 0 out of range 1..65536\n"
	    "test: test.conf:3: snmp rate 100001 out of range 1..100000\n"
	    "test: test.conf:4: discover rate 0 out of range 1..10000\n"
	    "test: test.conf:5: retention 36501 out of range 1..36500\n"));
	CHECK(fails_with("snmp timeout 99ms\nsnmp timeout 61s\n"
	    "snmp timeout 2x\nsnmp timeout -1\nsnmp timeout s\n",
	    "test: test.conf:1: snmp timeout 99ms out of range 100ms..1m\n"
	    "test: test.conf:2: snmp timeout 61s out of range 100ms..1m\n"
	    "test: test.conf:3: snmp timeout \"2x\" is not a duration "
	    "(a number with ms, s, m, h or d)\n"
	    "test: test.conf:4: snmp timeout \"-1\" is not a duration "
	    "(a number with ms, s, m, h or d)\n"
	    "test: test.conf:5: snmp timeout \"s\" is not a duration "
	    "(a number with ms, s, m, h or d)\n"));
	CHECK(fails_with("checkin every 10500ms\ncheckin every 9s\n"
	    "checkin every 31d\ncheckin every 99999999999999999999d\n"
	    "trust instructions \"/k/i.pub\"\n",
	    "test: test.conf:1: checkin interval 10500ms is not a whole "
	    "number of seconds\n"
	    "test: test.conf:2: checkin interval 9s out of range 10s..30d\n"
	    "test: test.conf:3: checkin interval 31d out of range 10s..30d\n"
	    "test: test.conf:4: checkin interval 99999999999999999999d out "
	    "of range 10s..30d\n"));
	c = parse_str("checkin every 10s\ntrust instructions \"/k/i\"\n");
	CHECK(c != NULL);
	CHECK_EQ_INT(c->checkin_every, 10);
	config_free(c);
	CHECK(fails_with("spool limit 1023K\nspool limit 1025G\n"
	    "spool limit 99999999999999G\nspool limit 1T\nspool limit 1KB\n",
	    "test: test.conf:1: spool limit 1023K out of range 1M..1024G\n"
	    "test: test.conf:2: spool limit 1025G out of range 1M..1024G\n"
	    "test: test.conf:3: spool limit 99999999999999G out of range "
	    "1M..1024G\n"
	    "test: test.conf:4: spool limit \"1T\" is not a size (a number "
	    "with K, M or G)\n"
	    "test: test.conf:5: spool limit \"1KB\" is not a size (a number "
	    "with K, M or G)\n"));
	CHECK(fails_with("schedule daily 2:5\nschedule daily 24:00\n"
	    "schedule daily 12:60\nschedule daily 123:00\n"
	    "schedule daily 02:00 jitter 1500ms\n",
	    "test: test.conf:1: schedule time \"2:5\" is not HH:MM "
	    "(00:00..23:59)\n"
	    "test: test.conf:2: schedule time \"24:00\" is not HH:MM "
	    "(00:00..23:59)\n"
	    "test: test.conf:3: schedule time \"12:60\" is not HH:MM "
	    "(00:00..23:59)\n"
	    "test: test.conf:4: schedule time \"123:00\" is not HH:MM "
	    "(00:00..23:59)\n"
	    "test: test.conf:5: jitter 1500ms is not a whole number of "
	    "seconds\n"));
	CHECK(fails_with("device 10.0.0.1 port 0\ndevice 10.0.0.2 port 65536\n"
	    "device 10.0.0.3 port 70000\ndevice 10.0.0.4 port http\n",
	    "test: test.conf:1: port 0 out of range 1..65535\n"
	    "test: test.conf:2: port 65536 out of range 1..65535\n"
	    "test: test.conf:3: port 70000 out of range 1..65535\n"
	    "test: test.conf:4: port \"http\" is not a number\n"));
}

TEST(strings)
{
	struct callhome_conf	*c;
	char			 buf[600], exp[600], s255[256];

	/* 255 bytes fit, 256 do not: never truncated */
	memset(s255, 'a', 255);
	s255[255] = '\0';
	FMT(buf, sizeof(buf), "gateway \"%s\"\n", s255);
	c = parse_str(buf);
	CHECK(c != NULL);
	CHECK_EQ_INT(strlen(c->gateway), 255);
	config_free(c);
	FMT(buf, sizeof(buf), "gateway \"%sa\"\n", s255);
	CHECK(fails_with(buf, "test: test.conf:1: string too long (max 255 "
	    "bytes)\n"));
	FMT(buf, sizeof(buf), "gateway %sa\n", s255);
	CHECK(fails_with(buf, "test: test.conf:1: string too long (max 255 "
	    "bytes)\n"));
	FMT(buf, sizeof(buf), "m = \"%s\"\nsite \"$m\"\nsite $m\n", s255);
	c = parse_str(buf);
	CHECK(c != NULL);
	CHECK_STR(c->site, s255);
	config_free(c);

	c = parse_str("site \"tab\there, UTF-8 B\xc3\xa4ume\"\n");
	CHECK(c != NULL);
	CHECK_STR(c->site, "tab\there, UTF-8 B\xc3\xa4ume");
	config_free(c);

	CHECK(fails_with("gateway \"\"\nsite \"\"\nuser \"\"\n",
	    "test: test.conf:1: gateway must not be empty\n"
	    "test: test.conf:2: site must not be empty\n"
	    "test: test.conf:3: user must not be empty\n"));
	CHECK(fails_with("gateway \"a\\q\"\ngateway \"abc\nsite \"x\x01y\"\n"
	    "site \"x\\\n",
	    "test: test.conf:1: invalid escape \"\\q\" in quoted string "
	    "(only \\\" and \\\\)\n"
	    "test: test.conf:2: unterminated quoted string\n"
	    "test: test.conf:3: invalid character 0x01 in quoted string\n"
	    "test: test.conf:4: unterminated quoted string\n"));
	CHECK(fails_with("gateway x\x7fy\n", "test: test.conf:1: unexpected "
	    "character 0x7f\n"));
	CHECK(fails_with("gateway \xc3\xa4\n", "test: test.conf:1: unexpected "
	    "character 0xc3\n"));
	CHECK(fails_with("gateway a{\n", "test: test.conf:1: syntax error\n"
	    "test: test.conf:1: \"{\" not closed at end of file\n"));

	/* absolute paths */
	CHECK(fails_with("state \"var/lib\"\nsocket \"x.sock\"\n"
	    "profiles \"./p\"\nserver s {\nca ca.pem\ncertificate c\nkey k\n}\n"
	    "trust instructions \"i.pub\"\ntrust packages \"p.pub\"\n"
	    "job-data key \"j.pub\"\n",
	    "test: test.conf:1: state \"var/lib\" must be an absolute path\n"
	    "test: test.conf:2: socket \"x.sock\" must be an absolute path\n"
	    "test: test.conf:3: profiles \"./p\" must be an absolute path\n"
	    "test: test.conf:5: ca \"ca.pem\" must be an absolute path\n"
	    "test: test.conf:6: certificate \"c\" must be an absolute path\n"
	    "test: test.conf:7: key \"k\" must be an absolute path\n"
	    "test: test.conf:9: trust instructions \"i.pub\" must be an "
	    "absolute path\n"
	    "test: test.conf:10: trust packages \"p.pub\" must be an "
	    "absolute path\n"
	    "test: test.conf:11: job-data key \"j.pub\" must be an absolute "
	    "path\n"));
	memset(s255, 'a', 120);
	s255[0] = '/';
	s255[120] = '\0';
	FMT(buf, sizeof(buf), "socket \"%s\"\n", s255);
	FMT(exp, sizeof(exp), "test: test.conf:1: socket path \"%s\" too "
	    "long (max 107 bytes)\n", s255);
	CHECK(fails_with(buf, exp));
}

TEST(lexer)
{
	struct callhome_conf	*c;
	struct device_conf	*d;

	/* no final newline; CRLF; continuation; comments after statements */
	c = parse_str("gateway \"a\"\r\nsnmp \\\r\n version 2c # the default\n"
	    "site \"b\"");
	CHECK(c != NULL);
	CHECK_STR(c->gateway, "a");
	CHECK_STR(c->site, "b");
	config_free(c);

	/* keywords in quotes are strings; words are case sensitive */
	c = parse_str("gateway \"server\"\nsite \"user\"\n");
	CHECK(c != NULL);
	CHECK_STR(c->gateway, "server");
	CHECK_STR(c->site, "user");
	config_free(c);
	CHECK(fails_with("site user\nGATEWAY x\n",
	    "test: test.conf:1: syntax error\n"
	    "test: test.conf:2: syntax error\n"));

	/* 2c and 1 as words, IPv6 bare and quoted, a bare community */
	c = parse_str("snmp version 2c\ndevice ::1 version 1 community pub!ic\n"
	    "device \"::ffff:10.0.0.1\" version 2c\n");
	CHECK(c != NULL);
	d = TAILQ_FIRST(&c->devices);
	CHECK(d != NULL);
	CHECK_STR(addr_of(&d->addr), "::1");
	CHECK_EQ_INT(d->opts.version, SNMPV_1);
	CHECK_STR(d->opts.community, "pub!ic");
	d = TAILQ_NEXT(d, entry);
	CHECK_STR(addr_of(&d->addr), "::ffff:10.0.0.1");
	config_free(c);

	/* a NUL byte */
	c = parse_capture("gateway \"a\"\n\0site \"b\"\n", 22);
	CHECK(c == NULL);
	CHECK_STR(errbuf, "test: test.conf:2: unexpected character 0x00\n");
	c = parse_capture("gateway \"a\0b\"\n", 14);
	CHECK(c == NULL);
	CHECK_STR(errbuf, "test: test.conf:1: invalid character 0x00 in "
	    "quoted string\n");

	/* the line of an error after continued lines */
	CHECK(fails_with("gateway \\\n \\\n bogus extra\n",
	    "test: test.conf:3: syntax error\n"));
}

TEST(macros)
{
	struct callhome_conf	*c;
	struct device_conf	*d;

	c = parse_str("opts = \"port 1161 community \\\"x y\\\" version 1\"\n"
	    "net = 10.9.0\n"
	    "dollar = \"$opts\"\n"
	    "device $net.1 $opts\n"
	    "site \"$opts\"\n"
	    "gateway $dollar\n"
	    "net = 10.8.0\n"
	    "device $net.1\n");
	if (c == NULL)
		printf("# %s", errbuf);
	CHECK(c != NULL);
	d = TAILQ_FIRST(&c->devices);
	CHECK(d != NULL);
	CHECK_STR(addr_of(&d->addr), "10.9.0.1");
	CHECK_EQ_INT(d->opts.port, 1161);
	CHECK_STR(d->opts.community, "x y");
	CHECK_EQ_INT(d->opts.version, SNMPV_1);
	CHECK_STR(c->site, "$opts");		/* no expansion in quotes */
	CHECK_STR(c->gateway, "$opts");		/* nor twice */
	d = TAILQ_NEXT(d, entry);
	CHECK(d != NULL);
	CHECK_STR(addr_of(&d->addr), "10.8.0.1");
	config_free(c);

	CHECK(fails_with("device $nope\nuser = x\n\"yes\" = 1\n2c = x\n"
	    "a-b = x\ngateway $\nx = y\nsite $x$x\n",
	    "test: test.conf:1: macro \"nope\" not defined\n"
	    "test: test.conf:2: macro name \"user\" is a reserved keyword\n"
	    "test: test.conf:3: macro name \"yes\" is a reserved keyword\n"
	    "test: test.conf:4: invalid macro name \"2c\"\n"
	    "test: test.conf:5: invalid macro name \"a-b\"\n"
	    "test: test.conf:6: macro name expected after \"$\"\n"));
	/* "$x$x": the second '$' is inside a word, so it stays */
	c = parse_str("x = y\nsite $x$x\n");
	CHECK(c != NULL);
	CHECK_STR(c->site, "y$x");
	config_free(c);
	/* macros are gone after a run */
	CHECK(fails_with("site $x\n",
	    "test: test.conf:1: macro \"x\" not defined\n"));
}

TEST(errors_all_reported)
{
	struct callhome_conf	*c;

	c = parse_str("gateway\nsend foo yes\nbogus line here\n"
	    "device 10.0.0.1 port 70000\nx = $y\nsnmp version 4\n"
	    "gateway \"ok\"\nsend pii maybe\n");
	CHECK(c == NULL);
	CHECK_STR(errbuf,
	    "test: test.conf:1: syntax error\n"
	    "test: test.conf:2: unknown category \"foo\"\n"
	    "test: test.conf:3: syntax error\n"
	    "test: test.conf:4: port 70000 out of range 1..65535\n"
	    "test: test.conf:5: macro \"y\" not defined\n"
	    "test: test.conf:6: unknown SNMP version \"4\" (1, 2c or 3)\n"
	    "test: test.conf:8: syntax error\n");
	/* errors on consecutive lines are all reported */
	c = parse_str("a\nb\nc\nd\n");
	CHECK(c == NULL);
	CHECK_EQ_INT(count_lines(errbuf), 4);
}

TEST(server)
{
	struct callhome_conf	*c;

	c = parse_str("server comms.example.net { ca /ca\ncertificate /c\n"
	    "key /k }\n");
	if (c == NULL)
		printf("# %s", errbuf);
	CHECK(c != NULL);
	CHECK_EQ_INT(c->server.port, 443);
	CHECK_EQ_INT(c->server.protocols, CONF_TLSV1_2 | CONF_TLSV1_3);
	CHECK_STR(c->server.ciphers, "ECDHE+AESGCM:ECDHE+CHACHA20");
	CHECK_STR(c->server.pin, "");
	CHECK_STR(c->server.proxy, "");
	config_free(c);

	/* the TLS 1.2 suites: ECDHE and AEAD unless the operator says */
	c = parse_str("server s {\n ca /ca\n certificate /c\n key /k\n"
	    " ciphers \"ECDHE+CHACHA20\"\n}\n");
	CHECK(c != NULL);
	CHECK_STR(c->server.ciphers, "ECDHE+CHACHA20");
	config_free(c);
	c = parse_str("server s {\n ca /ca\n certificate /c\n key /k\n"
	    " ciphers secure\n}\n");
	CHECK(c != NULL);
	CHECK_STR(c->server.ciphers, CONF_DEFAULT_CIPHERS);
	config_free(c);
	CHECK(fails_with("server s {\nca /a\ncertificate /c\nkey /k\n"
	    "ciphers all\nciphers \"NO-SUCH\"\n}\n",
	    "test: test.conf:5: ciphers \"all\" not allowed: name the "
	    "suites\n"
	    "test: test.conf:6: ciphers given twice\n"
	    "test: test.conf:6: ciphers \"NO-SUCH\": no ciphers for "
	    "'NO-SUCH'\n"));
	CHECK(parse_str("server s {\nca /a\ncertificate /c\nkey /k\n"
	    "ciphers \"NO-SUCH-SUITE\"\n}\n") == NULL);
	CHECK(strstr(errbuf, "test.conf:5: ciphers \"NO-SUCH-SUITE\":") !=
	    NULL);

	c = parse_str("server s {\n ca /ca\n certificate /c\n key /k\n"
	    " protocols secure\n}\n");
	CHECK(c != NULL);
	CHECK_EQ_INT(c->server.protocols, CONF_TLSV1_2 | CONF_TLSV1_3);
	config_free(c);
	c = parse_str("server s {\n ca /ca\n certificate /c\n key /k\n"
	    " protocols \"tlsv1.2\"\n}\n");
	CHECK(c != NULL);
	CHECK_EQ_INT(c->server.protocols, CONF_TLSV1_2);
	config_free(c);
	c = parse_str("server s {\n ca /ca\n certificate /c\n key /k\n"
	    " protocols default\n}\n");
	CHECK(c != NULL);
	CHECK_EQ_INT(c->server.protocols, CONF_TLSV1_2 | CONF_TLSV1_3);
	config_free(c);

	CHECK(fails_with("server s {\nprotocols \"tlsv1.0\"\n}\n"
	    "server t {\nca /a\ncertificate /c\nkey /k\nprotocols all\n"
	    "protocols legacy\nprotocols \"tlsv1.1,tlsv1.2\"\n"
	    "protocols sslv3\n}\n",
	    "test: test.conf:2: protocol \"tlsv1.0\" not allowed: TLS 1.2 is "
	    "the minimum\n"
	    "test: test.conf:1: server block: \"ca\" missing\n"
	    "test: test.conf:1: server block: \"certificate\" missing\n"
	    "test: test.conf:1: server block: \"key\" missing\n"
	    "test: test.conf:4: only one server block is allowed\n"
	    "test: test.conf:8: protocol \"all\" not allowed: TLS 1.2 is the "
	    "minimum\n"
	    "test: test.conf:9: protocols given twice\n"
	    "test: test.conf:9: protocol \"legacy\" not allowed: TLS 1.2 is "
	    "the minimum\n"
	    "test: test.conf:10: protocols given twice\n"
	    "test: test.conf:10: protocol \"tlsv1.1\" not allowed: TLS 1.2 is "
	    "the minimum\n"
	    "test: test.conf:11: protocols given twice\n"
	    "test: test.conf:11: unknown TLS protocol \"sslv3\" (tlsv1.2, "
	    "tlsv1.3, secure or default)\n"));
	CHECK(fails_with("server s port 0 {\nca /a\ncertificate /c\nkey /k\n"
	    "pin-sha256 \"abc=\"\n"
	    "proxy p port 3128 user u\n"
	    "}\n",
	    "test: test.conf:1: port 0 out of range 1..65535\n"
	    "test: test.conf:5: pin-sha256 \"abc=\" is not the base64 of a "
	    "SHA-256 hash (44 characters ending in \"=\")\n"
	    "test: test.conf:6: proxy user and password must be given "
	    "together\n"));
	CHECK(fails_with("server \"bad name\" {\nca /a\ncertificate /c\n"
	    "key /k\nproxy \"x/y\" port 99999 password p\n}\n",
	    "test: test.conf:1: server \"bad name\" is not a valid host "
	    "name\n"
	    "test: test.conf:5: proxy \"x/y\" is not a valid host name\n"
	    "test: test.conf:5: proxy port 99999 out of range 1..65535\n"
	    "test: test.conf:5: proxy user and password must be given "
	    "together\n"));
	/* errors inside a block do not end it */
	CHECK(fails_with("server s {\nca /a\nbogus\ncertificate /c\nkey /k\n}\n"
	    "gateway \"g\"\n",
	    "test: test.conf:3: syntax error\n"));
	/* an unclosed block is reported where it starts */
	CHECK(fails_with("gateway g\nserver s {\nca /a\n",
	    "test: test.conf:2: \"{\" not closed at end of file\n"));
	CHECK(fails_with("authorize upload yes\n",
	    "test: test.conf:1: authorize upload requires a server block\n"));
	CHECK(fails_with("send job-data yes\n",
	    "test: test.conf:1: send job-data requires a job-data key\n"));
	CHECK(parses("send job-data yes\njob-data key \"/k\"\n"));
	CHECK(parses("send job-data yes\nsend job-data no\n"));
}

TEST(snmpv3)
{
	struct callhome_conf	*c;
	char			*buf, *p;
	int			 i;

	CHECK(fails_with(
	    "snmpv3 user a auth sha \"1234567\"\n"
	    "snmpv3 user b auth sha3 \"12345678\" priv aes \"1234567\"\n"
	    "snmpv3 user c auth sha \"12345678\" priv rc4 \"12345678\"\n"
	    "snmpv3 user c auth sha \"12345678\"\n"
	    "snmpv3 user d auth sha \"12345678\" context x context y\n"
	    "snmpv3 user \"\" auth sha \"12345678\"\n"
	    "snmpv3 user e auth sha\n",
	    "test: test.conf:1: auth password must be at least 8 characters\n"
	    "test: test.conf:2: unknown authentication protocol \"sha3\" (md5, "
	    "sha, sha1, sha224, sha256, sha384 or sha512)\n"
	    "test: test.conf:2: priv password must be at least 8 characters\n"
	    "test: test.conf:3: unknown privacy protocol \"rc4\" (des, aes, "
	    "aes128, aes192 or aes256)\n"
	    "test: test.conf:4: duplicate snmpv3 user \"c\"\n"
	    "test: test.conf:5: context given twice\n"
	    "test: test.conf:6: snmpv3 user must not be empty\n"
	    "test: test.conf:7: syntax error\n"));

	/* weak algorithms: only with "allow weak", then with a warning */
	CHECK(fails_with(
	    "snmpv3 user m auth md5 \"12345678\"\n"
	    "snmpv3 user d auth sha \"12345678\" priv des \"12345678\"\n"
	    "snmpv3 user b auth md5 \"12345678\" priv des \"12345678\"\n"
	    "snmpv3 user n priv aes \"12345678\"\n"
	    "snmpv3 user \"123456789012345678901234567890123\" auth sha "
	    "\"12345678\"\n"
	    "snmpv3 user w auth sha \"12345678\" allow weak allow weak\n",
	    "test: test.conf:1: snmpv3 user \"m\": md5 authentication is weak: "
	    "refused unless the user says \"allow weak\"\n"
	    "test: test.conf:2: snmpv3 user \"d\": des privacy is weak: "
	    "refused unless the user says \"allow weak\"\n"
	    "test: test.conf:3: snmpv3 user \"b\": md5 authentication and des "
	    "privacy are weak: refused unless the user says \"allow weak\"\n"
	    "test: test.conf:4: snmpv3 user \"n\": priv requires auth\n"
	    "test: test.conf:5: snmpv3 user \"12345678901234567890123456789012"
	    "3\": names are at most 32 octets\n"
	    "test: test.conf:6: allow weak given twice\n"));
	c = parse_str("snmpv3 user m auth md5 \"12345678\" priv des "
	    "\"87654321\" allow weak\n");
	CHECK(c != NULL);
	CHECK_STR(errbuf, "test: test.conf:1: snmpv3 user \"m\": md5 "
	    "authentication and des privacy are weak (allowed by \"allow "
	    "weak\")\n");
	CHECK(TAILQ_FIRST(&c->v3users)->allow_weak);
	p = print_str(c, CONF_PRINT_SECRETS);
	CHECK(strstr(p, "snmpv3 user \"m\" auth md5 \"12345678\" priv des "
	    "\"87654321\" allow weak\n") != NULL);
	free(p);
	config_free(c);

	/* a user may be defined after the devices that use it */
	CHECK(parses("device 10.0.0.1 user late\n"
	    "snmpv3 user late auth sha512 \"12345678\" priv aes256 "
	    "\"abcdefgh\"\n"));
	CHECK(fails_with("device 10.0.0.1 user nobody\n"
	    "discover 10.0.0.0/24 user nobody\n"
	    "device 10.0.0.2 version 3\n"
	    "device 10.0.0.3 version 2c user x\n"
	    "device 10.0.0.4 community c user x\n"
	    "device 10.0.0.5 port 1 port 2\n"
	    "snmpv3 user x auth sha \"12345678\"\n",
	    "test: test.conf:3: version 3 requires a user\n"
	    "test: test.conf:4: user requires version 3\n"
	    "test: test.conf:5: community cannot be used with version 3\n"
	    "test: test.conf:6: port given twice\n"
	    "test: test.conf:1: device 10.0.0.1: snmpv3 user \"nobody\" not "
	    "defined\n"
	    "test: test.conf:2: discover 10.0.0.0/24: snmpv3 user \"nobody\" "
	    "not defined\n"));
	/* "snmp version 3" needs a user on every target */
	CHECK(fails_with("device 10.0.0.1\nsnmp version 3\n"
	    "device 10.0.0.2 version 2c\n",
	    "test: test.conf:1: device 10.0.0.1: \"snmp version 3\" requires "
	    "a user\n"));

	/* the limit */
	if ((buf = malloc((CONF_MAX_V3USERS + 1) * 64)) == NULL)
		abort();
	p = buf;
	for (i = 0; i < CONF_MAX_V3USERS; i++)
		p += sprintf(p, "snmpv3 user u%d auth sha \"12345678\"\n", i);
	CHECK(parses(buf));
	sprintf(p, "snmpv3 user extra auth sha \"12345678\"\n");
	c = parse_str(buf);
	free(buf);
	CHECK(c == NULL);
	CHECK(strstr(errbuf, "test.conf:65: too many snmpv3 users (max 64)\n")
	    != NULL);
}

TEST(devices)
{
	struct callhome_conf	*c;
	struct device_conf	*d;
	char			*buf, *p;
	int			 i, n;

	CHECK(fails_with("device 10.0.0.1\ndevice 10.0.0.1 port 161\n"
	    "device 10.0.0.1 port 162\ndevice 10.0.0.01\n"
	    "device 2001:db8::1\ndevice 2001:DB8:0::1\n"
	    "device host.example.com\ndevice 10.0.0.0/24\n",
	    "test: test.conf:2: duplicate device 10.0.0.1 port 161\n"
	    "test: test.conf:4: device address \"10.0.0.01\" is not a numeric "
	    "IPv4 or IPv6 address\n"
	    "test: test.conf:6: duplicate device 2001:db8::1 port 161\n"
	    "test: test.conf:7: device address \"host.example.com\" is not a "
	    "numeric IPv4 or IPv6 address\n"
	    "test: test.conf:8: device address \"10.0.0.0/24\" is not a "
	    "numeric IPv4 or IPv6 address\n"));

	/* a refused device is not remembered (it was, once: use after free) */
	CHECK(fails_with("device 10.0.0.1 version 3\ndevice 10.0.0.1\n"
	    "device 10.0.0.1 community x user y\ndevice 10.0.0.1\n",
	    "test: test.conf:1: version 3 requires a user\n"
	    "test: test.conf:3: community cannot be used with version 3\n"
	    "test: test.conf:4: duplicate device 10.0.0.1 port 161\n"));

	/* CONF_MAX_DEVICES, fast: duplicates are found with a hash */
	n = CONF_MAX_DEVICES;
	if ((buf = malloc((size_t)(n + 1) * 32)) == NULL)
		abort();
	p = buf;
	for (i = 0; i < n; i++)
		p += sprintf(p, "device 10.%d.%d.%d\n", i >> 16,
		    (i >> 8) & 0xff, i & 0xff);
	c = parse_str(buf);
	CHECK(c != NULL);
	i = 0;
	TAILQ_FOREACH(d, &c->devices, entry)
		i++;
	CHECK_EQ_INT(i, n);
	d = TAILQ_LAST(&c->devices, devices);
	CHECK_STR(addr_of(&d->addr), "10.0.255.255");
	config_free(c);
	sprintf(p, "device 10.1.0.0\n");
	c = parse_str(buf);
	free(buf);
	CHECK(c == NULL);
	CHECK_STR(errbuf, "test: test.conf:65537: too many devices (max "
	    "65536)\n");
}

TEST(discover)
{
	struct callhome_conf	*c;
	struct discover_conf	*dc;

	c = parse_str("discover 10.1.0.0/16\ndiscover 10.2.3.4/32 port 1161\n"
	    "discover fd00::/112 version 1\ndiscover \"fd00::1:0/128\"\n");
	if (c == NULL)
		printf("# %s", errbuf);
	CHECK(c != NULL);
	dc = TAILQ_FIRST(&c->discovers);
	CHECK_EQ_INT(dc->prefixlen, 16);
	dc = TAILQ_NEXT(dc, entry);
	CHECK_EQ_INT(dc->opts.port, 1161);
	dc = TAILQ_NEXT(dc, entry);
	CHECK_STR(addr_of(&dc->net), "fd00::");
	CHECK_EQ_INT(dc->opts.version, SNMPV_1);
	dc = TAILQ_NEXT(dc, entry);
	CHECK_EQ_INT(dc->prefixlen, 128);
	config_free(c);

	CHECK(fails_with("discover 10.0.0.0/8\ndiscover fd00::/64\n"
	    "discover 10.1.2.1/24\ndiscover fd00::1/112\n"
	    "discover 10.1.2.0\ndiscover 10.1.2.0/33\ndiscover 10.1.2.0/x\n"
	    "discover 10.1.2.0/24\ndiscover 10.1.2.0/24 port 161\n"
	    "discover 10.1.2.0/24 port 162\ndiscover nohost/24\n"
	    "discover fd00::/129\n",
	    "test: test.conf:1: discover 10.0.0.0/8: prefix length must be at "
	    "least 16 for IPv4 (at most 65536 addresses per range)\n"
	    "test: test.conf:2: discover fd00::/64: prefix length must be at "
	    "least 112 for IPv6 (at most 65536 addresses per range)\n"
	    "test: test.conf:3: discover 10.1.2.1/24: host bits must be zero "
	    "(did you mean 10.1.2.0/24?)\n"
	    "test: test.conf:4: discover fd00::1/112: host bits must be zero "
	    "(did you mean fd00::/112?)\n"
	    "test: test.conf:5: discover \"10.1.2.0\": not a network in CIDR "
	    "notation (address/prefix)\n"
	    "test: test.conf:6: discover 10.1.2.0/33: invalid prefix length "
	    "\"33\" (0..32)\n"
	    "test: test.conf:7: discover 10.1.2.0/x: invalid prefix length "
	    "\"x\" (0..32)\n"
	    "test: test.conf:9: duplicate discover 10.1.2.0/24 port 161\n"
	    "test: test.conf:11: discover \"nohost/24\": \"nohost\" is not a "
	    "numeric IPv4 or IPv6 address\n"
	    "test: test.conf:12: discover fd00::/129: invalid prefix length "
	    "\"129\" (0..128)\n"));
}

TEST(includes)
{
	struct callhome_conf	*c;
	char			 buf[PATH_MAX + 64];
	int			 i;

	CHECK(fails_with("include \"/etc/passwd\"\n",
	    "test: test.conf:1: include is not allowed when parsing from "
	    "memory\n"));

	CHECK(mkdir(tpath("sub"), 0700) == 0);
	CHECK(write_file(tmpdir, "main.conf", "gateway \"g\"\n"
	    "include \"sub/a.conf\"\nsite \"after\"\n", 0644) == 0);
	/* relative to the including file: sub/b.conf */
	CHECK(write_file(tmpdir, "sub/a.conf", "include \"b.conf\"\n"
	    "device 10.0.0.1", 0644) == 0);
	CHECK(write_file(tmpdir, "sub/b.conf", "lan = 10.9.9.0/24\n"
	    "discover $lan\n", 0644) == 0);
	c = parse_file_capture(tpath("main.conf"), CONF_OPT_NOPERMCHECK);
	if (c == NULL)
		printf("# %s", errbuf);
	CHECK(c != NULL);
	CHECK_STR(c->gateway, "g");
	CHECK_STR(c->site, "after");
	CHECK(!TAILQ_EMPTY(&c->devices));
	CHECK(!TAILQ_EMPTY(&c->discovers));
	config_free(c);

	/* errors name the included file and its lines */
	CHECK(write_file(tmpdir, "sub/b.conf", "\n\nsend nothing yes\n",
	    0644) == 0);
	c = parse_file_capture(tpath("main.conf"), CONF_OPT_NOPERMCHECK);
	CHECK(c == NULL);
	FMT(buf, sizeof(buf), "test: %s/sub/b.conf:3: unknown category "
	    "\"nothing\"\n", tmpdir);
	CHECK_STR(errbuf, buf);

	/* a missing file */
	CHECK(write_file(tmpdir, "sub/b.conf", "include \"nothere.conf\"\n"
	    "gateway x y\n", 0644) == 0);
	c = parse_file_capture(tpath("main.conf"), CONF_OPT_NOPERMCHECK);
	CHECK(c == NULL);
	FMT(buf, sizeof(buf), "test: %s/sub/b.conf:1: %s/sub/nothere.conf:"
	    " No such file or directory\ntest: %s/sub/b.conf:2: syntax error\n",
	    tmpdir, tmpdir, tmpdir);
	CHECK_STR(errbuf, buf);

	/* a loop */
	CHECK(write_file(tmpdir, "sub/b.conf", "include \"a.conf\"\n",
	    0644) == 0);
	c = parse_file_capture(tpath("main.conf"), CONF_OPT_NOPERMCHECK);
	CHECK(c == NULL);
	FMT(buf, sizeof(buf), "test: %s/sub/b.conf:1: %s/sub/a.conf: "
	    "include loop\n", tmpdir, tmpdir);
	CHECK_STR(errbuf, buf);

	/* depth: main -> d1 -> ... -> d8 is fine, d9 is not */
	for (i = 1; i <= 9; i++) {
		char	 name[32], text[64];

		FMT(name, sizeof(name), "d%d.conf", i);
		FMT(text, sizeof(text), "include \"d%d.conf\"\n", i + 1);
		CHECK(write_file(tmpdir, name, i == 8 ? "site \"deep\"\n" :
		    text, 0644) == 0);
	}
	CHECK(write_file(tmpdir, "main.conf", "include \"d1.conf\"\n",
	    0644) == 0);
	c = parse_file_capture(tpath("main.conf"), CONF_OPT_NOPERMCHECK);
	if (c == NULL)
		printf("# %s", errbuf);
	CHECK(c != NULL);
	CHECK_STR(c->site, "deep");
	config_free(c);
	CHECK(write_file(tmpdir, "d8.conf", "include \"d9.conf\"\n",
	    0644) == 0);
	CHECK(write_file(tmpdir, "d9.conf", "site \"too deep\"\n", 0644) == 0);
	c = parse_file_capture(tpath("main.conf"), CONF_OPT_NOPERMCHECK);
	CHECK(c == NULL);
	FMT(buf, sizeof(buf), "test: %s/d8.conf:1: d9.conf: includes "
	    "nested too deeply (max 8)\n", tmpdir);
	CHECK_STR(errbuf, buf);

	/* an included block must be closed in its own file */
	CHECK(write_file(tmpdir, "main.conf", "include \"open.conf\"\n"
	    "gateway g\n", 0644) == 0);
	CHECK(write_file(tmpdir, "open.conf", "server s {\nca /ca\n", 0644)
	    == 0);
	c = parse_file_capture(tpath("main.conf"), CONF_OPT_NOPERMCHECK);
	CHECK(c == NULL);
	FMT(buf, sizeof(buf), "test: %s/open.conf:1: \"{\" not closed "
	    "at end of file\n", tmpdir);
	CHECK_STR(errbuf, buf);

	/* not a regular file, missing top-level file */
	c = parse_file_capture(tpath("sub"), CONF_OPT_NOPERMCHECK);
	CHECK(c == NULL);
	FMT(buf, sizeof(buf), "test: %s/sub: not a regular file\n",
	    tmpdir);
	CHECK_STR(errbuf, buf);
	c = parse_file_capture(tpath("none.conf"), CONF_OPT_NOPERMCHECK);
	CHECK(c == NULL);
	FMT(buf, sizeof(buf), "test: %s/none.conf: No such file or "
	    "directory\n", tmpdir);
	CHECK_STR(errbuf, buf);
}

TEST(permissions)
{
	struct callhome_conf	*c;
	struct passwd		*pw;
	char			 buf[PATH_MAX + 128];

	CHECK(write_file(tmpdir, "perm.conf", "gateway g\n", 0644) == 0);
	if (getuid() != 0) {
		/* not root: every file is refused unless told otherwise */
		c = parse_file_capture(tpath("perm.conf"), 0);
		CHECK(c == NULL);
		c = parse_file_capture(tpath("perm.conf"),
		    CONF_OPT_NOPERMCHECK);
		CHECK(c != NULL);
		config_free(c);
		printf("# permissions: not root, ownership not tested\n");
		return;
	}
	c = parse_file_capture(tpath("perm.conf"), 0);
	CHECK(c != NULL);
	config_free(c);
	FMT(buf, sizeof(buf), "test: %s/perm.conf: must be owned by root "
	    "and not writable by group or others\n", tmpdir);

	CHECK(chmod(tpath("perm.conf"), 0664) == 0);
	c = parse_file_capture(tpath("perm.conf"), 0);
	CHECK(c == NULL);
	CHECK_STR(errbuf, buf);
	c = parse_file_capture(tpath("perm.conf"), CONF_OPT_NOPERMCHECK);
	CHECK(c != NULL);
	config_free(c);

	CHECK(chmod(tpath("perm.conf"), 0646) == 0);
	c = parse_file_capture(tpath("perm.conf"), 0);
	CHECK(c == NULL);
	CHECK_STR(errbuf, buf);

	CHECK(chmod(tpath("perm.conf"), 0600) == 0);
	if ((pw = getpwnam("nobody")) != NULL) {
		CHECK(chown(tpath("perm.conf"), pw->pw_uid, 0) == 0);
		c = parse_file_capture(tpath("perm.conf"), 0);
		CHECK(c == NULL);
		CHECK_STR(errbuf, buf);
		CHECK(chown(tpath("perm.conf"), 0, 0) == 0);
	}

	/* an included file is held to the same rule */
	CHECK(write_file(tmpdir, "perm-main.conf", "include \"perm.conf\"\n",
	    0600) == 0);
	CHECK(chmod(tpath("perm.conf"), 0620) == 0);
	c = parse_file_capture(tpath("perm-main.conf"), 0);
	CHECK(c == NULL);
	FMT(buf, sizeof(buf), "test: %s/perm-main.conf:1: %s/perm.conf: "
	    "must be owned by root and not writable by group or others\n",
	    tmpdir, tmpdir);
	CHECK_STR(errbuf, buf);
	CHECK(chmod(tpath("perm.conf"), 0400) == 0);
	c = parse_file_capture(tpath("perm-main.conf"), 0);
	CHECK(c != NULL);
	config_free(c);
}

/* nothing of one run leaks into the next */
TEST(reset)
{
	static const char	*junk[] = {
		"a = b\nsite \"unterminated",
		"server s {\nca /x\n",
		"x = \"port 1 community",
		"device 10.0.0.1 $",
		"gateway \\\n",
		"snmpv3 user u auth sha \"12345678\" priv aes \"12345678\" {{{",
		"send job-data yes\nauthorize upload yes\n",
	};
	struct callhome_conf	*c;
	char			*ref, *out;
	size_t			 i;

	c = parse_str(full_conf);
	CHECK(c != NULL);
	ref = print_str(c, CONF_PRINT_SECRETS);
	config_free(c);
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		c = parse_str(junk[i]);
		CHECK(c == NULL);
		c = parse_str(full_conf);
		CHECK(c != NULL);
		out = print_str(c, CONF_PRINT_SECRETS);
		config_free(c);
		CHECK_STR(out, ref);
		free(out);
		/* the lexer ends at the end of the buffer, not beyond */
		c = parse_capture(full_conf, 20);
		CHECK(c != NULL);
		CHECK(TAILQ_EMPTY(&c->devices));
		config_free(c);
	}
	free(ref);
}

static void
cleanup(void)
{
	char	 cmd[PATH_MAX + 16];

	if (tmpdir[0] != '\0') {
		FMT(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmpdir);
	}
}

TEST(policy)
{
	struct callhome_conf	*c;
	char			*out;

	/* the defaults: collect, upload and checkin; no schedule, no package */
	c = parse_str("");
	CHECK(c != NULL);
	CHECK_EQ_INT(c->policy.instructions, POL_COLLECT | POL_UPLOAD |
	    POL_CHECKIN);
	CHECK_EQ_INT(c->policy.sched_from, 0);
	CHECK_EQ_INT(c->policy.sched_to, 23 * 60 + 59);
	CHECK_EQ_INT(c->policy.checkin_min, 15 * 60);
	CHECK_EQ_INT(c->policy.packages, 0);
	config_free(c);

	c = parse_str("trust instructions \"/k/i.pub\"\n"
	    "trust packages \"/k/p.pub\"\n"
	    "allow instructions collect schedule\n"
	    "allow schedule 01:30-04:00\n"
	    "allow checkin every 1h\n"
	    "allow packages profile software\n");
	CHECK(c != NULL);
	CHECK_EQ_INT(c->policy.instructions, POL_COLLECT | POL_SCHEDULE);
	CHECK_EQ_INT(c->policy.sched_from, 90);
	CHECK_EQ_INT(c->policy.sched_to, 240);
	CHECK_EQ_INT(c->policy.checkin_min, 3600);
	CHECK_EQ_INT(c->policy.packages, POL_PKG_PROFILE | POL_PKG_SOFTWARE);
	out = print_str(c, 0);
	CHECK(strstr(out, "allow instructions collect schedule\n"
	    "allow schedule 01:30-04:00\nallow checkin every 1h\n"
	    "allow packages profile software\n") != NULL);
	free(out);
	config_free(c);

	c = parse_str("allow instructions none\nallow packages none\n");
	CHECK(c != NULL);
	CHECK_EQ_INT(c->policy.instructions, 0);
	CHECK_EQ_INT(c->policy.packages, 0);
	config_free(c);

	CHECK(fails_with("allow instructions collect reboot\n"
	    "allow packages firmware\n"
	    "allow schedule 04:00-01:00\n"
	    "allow schedule 25:00-26:00\n"
	    "allow checkin every 30s\n",
	    "test: test.conf:1: allow instructions: unknown word \"reboot\" "
	    "(collect, upload, checkin, schedule or none)\n"
	    "test: test.conf:2: allow packages: unknown word \"firmware\" "
	    "(profile, software or none)\n"
	    "test: test.conf:3: allow schedule \"04:00-01:00\" is not a "
	    "window HH:MM-HH:MM of one day\n"
	    "test: test.conf:4: allow schedule \"25:00-26:00\" is not a "
	    "window HH:MM-HH:MM of one day\n"
	    "test: test.conf:5: shortest checkin interval 30s out of range "
	    "1m..30d\n"));
	/* packages need their keys; an explicit interval needs the other */
	CHECK(fails_with("allow packages profile\n",
	    "test: test.conf:1: allow packages requires trust packages (the "
	    "keys that sign them)\n"));
	CHECK(fails_with("checkin every 1h\n",
	    "test: test.conf:1: checkin every requires trust instructions "
	    "(the keys that sign them), or checkin never\n"));
	c = parse_str("checkin never\n");
	CHECK(c != NULL);
	config_free(c);
}

TEST_MAIN_BEGIN("test_config")
	log_init("test", LOG_TO_STDERR, 0);
	FMT(tmpdir, sizeof(tmpdir), "/tmp/test_config.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	atexit(cleanup);
	RUN(defaults);
	RUN(default_print);
	RUN(full);
	RUN(roundtrip);
	RUN(names);
	RUN(category_lists);
	RUN(formats);
	RUN(values);
	RUN(strings);
	RUN(lexer);
	RUN(macros);
	RUN(errors_all_reported);
	RUN(server);
	RUN(snmpv3);
	RUN(devices);
	RUN(discover);
	RUN(includes);
	RUN(permissions);
	RUN(reset);
	RUN(policy);
TEST_MAIN_END
