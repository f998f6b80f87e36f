/*
 * commsd.conf(5) (commsd/parse.y, commsd/conf.c): a full file, defaults,
 * the normalised printout as a fixed point, every error reported with its
 * line, the state directory rules, file permissions and includes; a
 * PostgreSQL database, its state directory, its password masked.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../commsd/commsd.h"
#include "log.h"
#include "test.h"

#define BASE \
	"listen on 127.0.0.1 port 8443\n" \
	"certificate \"/etc/commsd/server.crt\"\n" \
	"key \"/etc/commsd/server.key\"\n" \
	"client ca \"/etc/commsd/ca.pem\"\n" \
	"database \"/var/lib/commsd/commsd.db\"\n"

static char	 tmpdir[64];
static char	 errbuf[16384];

static struct comms_conf *
parse(const char *s)
{
	return comms_parse_config_buffer("test.conf", s, strlen(s));
}

/* parse with stderr captured into errbuf */
static struct comms_conf *
parse_errors(const char *s)
{
	struct comms_conf	*c;
	char			 path[128];
	ssize_t			 n;
	int			 fd, saved;

	(void)snprintf(path, sizeof(path), "%s/stderr", tmpdir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) == -1)
		abort();
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	c = parse(s);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, errbuf, sizeof(errbuf) - 1, 0);
	errbuf[n > 0 ? n : 0] = '\0';
	close(fd);
	return c;
}

static char *
print_mem(const struct comms_conf *c, int flags)
{
	char	*buf = NULL;
	size_t	 len;
	FILE	*fp;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		abort();
	comms_print_config(fp, c, flags);
	fclose(fp);
	return buf;
}

TEST(full)
{
	struct comms_conf	*c;
	char			 state[COMMS_STR_MAX];

	c = parse(
	    "dir = \"/var/lib/commsd\"\n"
	    "listen on 127.0.0.1 port 8443\t# a comment\n"
	    "listen on ::1 port 8443\n"
	    "listen on [::1] port 9443\n"
	    "listen on 0.0.0.0\n"
	    "certificate \"/etc/commsd/server.crt\"\n"
	    "key \"/etc/commsd/server.key\"\n"
	    "client ca \"/etc/commsd/gateways-ca.pem\"\n"
	    "protocols \"tlsv1.3\"\n"
	    "database \"/var/lib/commsd/commsd.db\"\n"
	    "packages \"/var/lib/commsd/pkg/incoming\"\n"
	    "instructions \"/var/lib/commsd/bundles\"\n"
	    "schema \"/usr/share/callhome/callhome.xsd\"\n"
	    "token \"s3cr3t-Token_~+/=\"\n"
	    "max document 1M\n"
	    "max connections 8\n"
	    "user \"_commsd\"\n"
	    "fault receipt-hash\n"
	    "fault delay 1500ms\n"
	    "fault close\n"
	    "fault replay\n"
	    "fault drip\n");
	CHECK(c != NULL);
	CHECK_STR(c->instructions, "/var/lib/commsd/bundles");
	CHECK_EQ_INT(c->nlisten, 4);
	CHECK_STR(c->listen[1].addr, "::1");
	CHECK_EQ_INT(c->listen[2].port, 9443);
	CHECK_EQ_INT(c->listen[3].port, 443);
	CHECK_EQ_INT(c->listen[1].ss.ss_family, AF_INET6);
	CHECK_EQ_INT(c->protocols, COMMS_TLSV1_3);
	CHECK_STR(c->token, "s3cr3t-Token_~+/=");
	CHECK_EQ_INT(c->max_document, 1 << 20);
	CHECK_EQ_INT(c->max_conns, 8);
	CHECK_EQ_INT(c->faults, COMMS_FAULT_RECEIPT_HASH | COMMS_FAULT_DELAY |
	    COMMS_FAULT_CLOSE | COMMS_FAULT_REPLAY | COMMS_FAULT_DRIP);
	CHECK_EQ_INT(c->fault_delay_ms, 1500);
	CHECK(comms_state_dir(c, state, sizeof(state)) == 0);
	CHECK_STR(state, "/var/lib/commsd");
	CHECK_STR(comms_db_name(c), "/commsd.db");
	comms_conf_free(c);
}

TEST(defaults)
{
	struct comms_conf	*c;

	CHECK((c = parse(BASE)) != NULL);
	CHECK_EQ_INT(c->protocols, COMMS_TLSV1_2 | COMMS_TLSV1_3);
	CHECK_EQ_INT(c->max_document, 16 << 20);
	CHECK_EQ_INT(c->max_conns, 64);
	CHECK_STR(c->user, "_commsd");
	CHECK_STR(c->schema, comms_default_schema);
	CHECK_STR(c->packages, "/var/lib/commsd/packages");
	CHECK_STR(c->instructions, "/var/lib/commsd/instructions");
	CHECK_STR(c->token, "");
	CHECK_EQ_INT(c->faults, 0);
	/* the limits against hostile clients */
	CHECK_EQ_INT(c->max_conns_gw, 4);
	CHECK_EQ_INT(c->max_handshakes, 16);
	CHECK_EQ_INT(c->max_handshakes_addr, 4);
	CHECK_EQ_INT(c->handshake_timeout_ms, 5000);
	CHECK_EQ_INT(c->max_inflight, 64 << 20);
	CHECK_STR(c->ciphers, "ECDHE+AESGCM:ECDHE+CHACHA20");
	CHECK_EQ_INT(c->workers, 2);
	CHECK_EQ_INT(c->check_timeout_ms, 10000);
	CHECK_EQ_INT(c->max_attrs, 64);
	CHECK_EQ_INT(c->max_nodes, 1000000);
	CHECK_EQ_INT(c->worker_memory, (256 << 20) + 16 * (16 << 20));
	/* connections that cost less */
	CHECK_EQ_INT(c->keepalive_timeout_ms, 5000);
	CHECK_EQ_INT(c->keepalive_requests, 100);
	CHECK_EQ_INT(c->session_lifetime, 7200);
	comms_conf_free(c);
	/* derived from max document when not given */
	CHECK((c = parse(BASE "max document 32M\n")) != NULL);
	CHECK_EQ_INT(c->max_inflight, 128 << 20);
	CHECK_EQ_INT(c->worker_memory, (256 << 20) + 16 * (32 << 20));
	comms_conf_free(c);
}

TEST(hostile_limits)
{
	struct comms_conf	*c;

	CHECK((c = parse(BASE
	    "max connections 100\n"
	    "max connections per gateway 2\n"
	    "max handshakes 32\n"
	    "max handshakes per address 8\n"
	    "handshake timeout 1500ms\n"
	    "max inflight 40M\n"
	    "ciphers \"ECDHE+CHACHA20\"\n"
	    "workers 4\n"
	    "check timeout 30s\n"
	    "max attributes 128\n"
	    "max nodes 5000\n"
	    "worker memory 1G\n")) != NULL);
	CHECK_EQ_INT(c->max_conns_gw, 2);
	CHECK_EQ_INT(c->max_handshakes, 32);
	CHECK_EQ_INT(c->max_handshakes_addr, 8);
	CHECK_EQ_INT(c->handshake_timeout_ms, 1500);
	CHECK_EQ_INT(c->max_inflight, 40 << 20);
	CHECK_STR(c->ciphers, "ECDHE+CHACHA20");
	CHECK_EQ_INT(c->workers, 4);
	CHECK_EQ_INT(c->check_timeout_ms, 30000);
	CHECK_EQ_INT(c->max_attrs, 128);
	CHECK_EQ_INT(c->max_nodes, 5000);
	CHECK_EQ_INT(c->worker_memory, 1 << 30);
	comms_conf_free(c);
	CHECK((c = parse(BASE "keep-alive timeout 0\nkeep-alive requests 1\n"
	    "session lifetime 0\n")) != NULL);
	CHECK_EQ_INT(c->keepalive_timeout_ms, 0);
	CHECK_EQ_INT(c->keepalive_requests, 1);
	CHECK_EQ_INT(c->session_lifetime, 0);
	comms_conf_free(c);
	CHECK((c = parse(BASE "keep-alive timeout 5m\nkeep-alive requests "
	    "100000\nsession lifetime 24h\n")) != NULL);
	CHECK_EQ_INT(c->keepalive_timeout_ms, 300000);
	CHECK_EQ_INT(c->keepalive_requests, 100000);
	CHECK_EQ_INT(c->session_lifetime, 86400);
	comms_conf_free(c);
	CHECK((c = parse(BASE "session lifetime 1m\n")) != NULL);
	CHECK_EQ_INT(c->session_lifetime, 60);
	comms_conf_free(c);
	CHECK(parse_errors(BASE "keep-alive timeout 6m\n") == NULL);
	CHECK(strstr(errbuf, "test.conf:6: keep-alive timeout 6m out of "
	    "range") != NULL);
	CHECK(parse_errors(BASE "keep-alive requests 0\n") == NULL);
	CHECK(parse_errors(BASE "keep-alive requests 100001\n") == NULL);
	CHECK(parse_errors(BASE "keep-alive requests x\n") == NULL);
	CHECK(parse_errors(BASE "session lifetime 59s\n") == NULL);
	CHECK(strstr(errbuf, "test.conf:6: session lifetime 59s: 0 (no "
	    "resumption) or at least 1m") != NULL);
	CHECK(parse_errors(BASE "session lifetime 25h\n") == NULL);
	CHECK(parse_errors(BASE "session lifetime -1\n") == NULL);
	CHECK(parse_errors(BASE "keep-alive requests 2\n"
	    "keep-alive requests 3\n") == NULL);
	CHECK(strstr(errbuf, "keep-alive requests given twice") != NULL);
	CHECK((c = parse(BASE "ciphers secure\n")) != NULL);
	CHECK_STR(c->ciphers, "ECDHE+AESGCM:ECDHE+CHACHA20");
	comms_conf_free(c);

	/* each refused with its reason */
	CHECK(parse_errors(BASE "workers 17\n") == NULL);
	CHECK(strstr(errbuf, "test.conf:6: workers 17 out of range") != NULL);
	CHECK(parse_errors(BASE "max document 16M\nmax inflight 31M\n") ==
	    NULL);
	CHECK(strstr(errbuf, "max inflight must be at least twice max "
	    "document") != NULL);
	CHECK(parse_errors(BASE "max handshakes 4\n"
	    "max handshakes per address 5\n") == NULL);
	CHECK(strstr(errbuf, "test.conf:7: max handshakes per address is more "
	    "than max handshakes") != NULL);
	CHECK(parse_errors(BASE "max connections 3\n") == NULL);
	CHECK(strstr(errbuf, "per gateway is more than max connections") !=
	    NULL);
	CHECK(parse_errors(BASE "ciphers \"NOSUCHCIPHER\"\n") == NULL);
	CHECK(strstr(errbuf, "test.conf:6: ciphers \"NOSUCHCIPHER\"") != NULL);
	CHECK(parse_errors(BASE "ciphers all\n") == NULL);
	CHECK(strstr(errbuf, "not allowed: name the suites") != NULL);
	CHECK(parse_errors(BASE "ciphers \"A B\"\n") == NULL);
	CHECK(parse_errors(BASE "check timeout 50ms\n") == NULL);
	CHECK(parse_errors(BASE "handshake timeout 2m\n") == NULL);
	CHECK(parse_errors(BASE "max attributes 7\n") == NULL);
	CHECK(parse_errors(BASE "worker memory 1M\n") == NULL);
	CHECK(parse_errors(BASE "workers 2\nworkers 3\n") == NULL);
	CHECK(strstr(errbuf, "workers given twice") != NULL);
}

TEST(print_fixed_point)
{
	struct comms_conf	*c, *again;
	char			*p1, *p2, *masked;

	CHECK((c = parse(BASE "token \"abc\"\nfault delay 2m\n"
	    "protocols \"secure\"\nlisten on ::1 port 1\n"
	    "handshake timeout 1500ms\nciphers \"ECDHE+CHACHA20\"\n"
	    "max inflight 100M\nkeep-alive timeout 1500ms\n"
	    "keep-alive requests 7\nsession lifetime 90s\n")) != NULL);
	p1 = print_mem(c, COMMS_PRINT_SECRETS);
	CHECK(strstr(p1, "keep-alive timeout 1500ms\n") != NULL);
	CHECK(strstr(p1, "keep-alive requests 7\n") != NULL);
	CHECK(strstr(p1, "session lifetime 90s\n") != NULL);
	CHECK(strstr(p1, "token \"abc\"\n") != NULL);
	CHECK(strstr(p1, "fault delay 2m\n") != NULL);
	CHECK(strstr(p1, "protocols \"tlsv1.2,tlsv1.3\"\n") != NULL);
	CHECK(strstr(p1, "listen on ::1 port 1\n") != NULL);
	CHECK((again = parse(p1)) != NULL);
	p2 = print_mem(again, COMMS_PRINT_SECRETS);
	CHECK_STR(p1, p2);
	masked = print_mem(c, 0);
	CHECK(strstr(masked, "abc") == NULL);
	CHECK(strstr(masked, "token \"********\"") != NULL);
	free(p1);
	free(p2);
	free(masked);
	comms_conf_free(c);
	comms_conf_free(again);
}

TEST(macros_and_lines)
{
	struct comms_conf	*c;

	CHECK((c = parse("port = \"8443\"\n" BASE)) == NULL);	/* keyword */
	CHECK((c = parse("p = \"8443\"\nhost = \"::1\"\n"
	    "listen on $host port $p\n"
	    "certificate \\\n \"/c\"\nkey \"/k\"\nclient ca \"/ca\"\n"
	    "database \"/d/db\"\n")) != NULL);
	CHECK_EQ_INT(c->listen[0].port, 8443);
	CHECK_STR(c->cert, "/c");
	comms_conf_free(c);
}

TEST(all_errors_with_lines)
{
	struct comms_conf	*c;

	c = parse_errors(
	    BASE				/* lines 1-5 */
	    "listen on 127.0.0.1 port 8443\n"	/* 6: twice */
	    "protocols \"tlsv1.1\"\n"		/* 7: too old */
	    "certificate \"/x\"\n"		/* 8: twice */
	    "schema relative\n"			/* 9: not absolute */
	    "listen on example.com\n"		/* 10: not numeric */
	    "listen on 127.0.0.1 port 70000\n"	/* 11: port */
	    "max document 2G\n"			/* 12: too large */
	    "max connections 0\n"		/* 13: too few */
	    "fault sometimes\n"			/* 14: unknown fault */
	    "fault delay forever\n"		/* 15: not a duration */
	    "token \"a b\"\n"			/* 16: not token68 */
	    "bogus statement\n"			/* 17: syntax */
	    "listen on $nomacro\n"		/* 18: macro */
	    "include \"/etc/passwd\"\n"		/* 19: not from memory */
	    "user \"\"\n");			/* 20: empty */
	CHECK(c == NULL);
	CHECK(strstr(errbuf, "test.conf:6: listen on 127.0.0.1 port 8443 "
	    "given twice") != NULL);
	CHECK(strstr(errbuf, "test.conf:7: protocol \"tlsv1.1\" not allowed")
	    != NULL);
	CHECK(strstr(errbuf, "test.conf:8: certificate given twice (first at "
	    "test.conf:2)") != NULL);
	CHECK(strstr(errbuf, "test.conf:9: schema \"relative\" must be an "
	    "absolute path") != NULL);
	CHECK(strstr(errbuf, "test.conf:10: listen on \"example.com\"") !=
	    NULL);
	CHECK(strstr(errbuf, "test.conf:11: port 70000 out of range") != NULL);
	CHECK(strstr(errbuf, "test.conf:12: max document 2G out of range") !=
	    NULL);
	CHECK(strstr(errbuf, "test.conf:13: max connections 0 out of range") !=
	    NULL);
	CHECK(strstr(errbuf, "test.conf:14: unknown fault \"sometimes\"") !=
	    NULL);
	CHECK(strstr(errbuf, "test.conf:15: fault delay \"forever\" is not a "
	    "duration") != NULL);
	CHECK(strstr(errbuf, "test.conf:16: token may hold only") != NULL);
	CHECK(strstr(errbuf, "test.conf:17: syntax error") != NULL);
	CHECK(strstr(errbuf, "test.conf:18: macro \"nomacro\" not defined") !=
	    NULL);
	CHECK(strstr(errbuf, "test.conf:19: include is not allowed") != NULL);
	CHECK(strstr(errbuf, "test.conf:20: user must not be empty") != NULL);
}

TEST(required_and_state)
{
	struct comms_conf	*c;

	CHECK((c = parse_errors("")) == NULL);
	CHECK(strstr(errbuf, "no \"listen on\" statement") != NULL);
	CHECK(strstr(errbuf, "\"certificate\" is required") != NULL);
	CHECK(strstr(errbuf, "\"key\" is required") != NULL);
	CHECK(strstr(errbuf, "\"client ca\" is required") != NULL);
	CHECK(strstr(errbuf, "\"database\" is required") != NULL);

	/* the state directory is the database's, never / */
	CHECK(parse_errors("listen on ::1\ncertificate \"/c\"\nkey \"/k\"\n"
	    "client ca \"/a\"\ndatabase \"/commsd.db\"\n") == NULL);
	CHECK(strstr(errbuf, "test.conf:5: database \"/commsd.db\" must be a "
	    "file in a directory other than /") != NULL);
	CHECK(parse_errors("listen on ::1\ncertificate \"/c\"\nkey \"/k\"\n"
	    "client ca \"/a\"\ndatabase \"/var/lib/\"\n") == NULL);
	CHECK(parse_errors("listen on ::1\ncertificate \"/c\"\nkey \"/k\"\n"
	    "client ca \"/a\"\ndatabase \"/var/../db\"\n") == NULL);
	/* instructions inside it; no signing key at all */
	CHECK(parse_errors(BASE "instructions \"/etc/commsd/bundles\"\n") ==
	    NULL);
	CHECK(strstr(errbuf, "test.conf:6: instructions \"/etc/commsd/"
	    "bundles\" must be inside the state directory") != NULL);
	CHECK(parse_errors(BASE "instructions \"/var/lib/commsd/../x\"\n") ==
	    NULL);
	CHECK(parse_errors(BASE "instruction key \"/etc/commsd/i.sec\"\n") ==
	    NULL);
	CHECK(strstr(errbuf, "\"instruction key\" is gone: commsd holds no "
	    "signing key") != NULL);
	CHECK(parse_errors(BASE "fault sometimes\n") == NULL);
	CHECK(strstr(errbuf, "unknown fault \"sometimes\" (receipt-hash, "
	    "delay, close, replay or drip)") != NULL);
	/* packages inside it */
	CHECK(parse_errors(BASE "packages \"/var/lib/packages\"\n") == NULL);
	CHECK(strstr(errbuf, "test.conf:6: packages \"/var/lib/packages\" "
	    "must be inside the state directory /var/lib/commsd") != NULL);
	CHECK(parse_errors(BASE "packages \"/var/lib/commsdx/p\"\n") == NULL);
	CHECK(parse_errors(BASE "packages \"/var/lib/commsd/../x\"\n") ==
	    NULL);
	CHECK(parse_errors(BASE "packages \"/var/lib/commsd\"\n") == NULL);
	CHECK((c = parse(BASE "packages \"/var/lib/commsd/p/q\"\n")) != NULL);
	comms_conf_free(c);
}

#define PGBASE \
	"listen on 127.0.0.1 port 8443\n" \
	"certificate \"/etc/commsd/server.crt\"\n" \
	"key \"/etc/commsd/server.key\"\n" \
	"client ca \"/etc/commsd/ca.pem\"\n"

/* database "postgresql://...": a state directory of its own */
TEST(postgresql)
{
	struct comms_conf	*c;
	char			 state[COMMS_STR_MAX], *p;

	CHECK((c = parse(PGBASE "database \"postgresql://commsd:s3cret@db1:"
	    "5432/commsd?sslmode=verify-full\"\n"
	    "state directory \"/var/lib/commsd/\"\n")) != NULL);
	if (c == NULL)
		return;
	CHECK(comms_state_dir(c, state, sizeof(state)) == 0);
	CHECK_STR(state, "/var/lib/commsd");
	CHECK_STR(c->packages, "/var/lib/commsd/packages");
	CHECK_STR(c->instructions, "/var/lib/commsd/instructions");
	/* printed: the password masked, unless asked for */
	p = print_mem(c, 0);
	CHECK(strstr(p, "database \"postgresql://commsd:********@db1:5432/"
	    "commsd?sslmode=verify-full\"\n") != NULL);
	CHECK(strstr(p, "s3cret") == NULL);
	CHECK(strstr(p, "state directory \"/var/lib/commsd/\"\n") != NULL);
	free(p);
	p = print_mem(c, COMMS_PRINT_SECRETS);
	CHECK(strstr(p, "commsd:s3cret@db1") != NULL);
	free(p);
	/* once connected, the configuration keeps no password */
	comms_conf_hide_database(c);
	CHECK_STR(c->database, "postgresql://commsd:********@db1:5432/"
	    "commsd?sslmode=verify-full");
	comms_conf_free(c);

	CHECK((c = parse(PGBASE "database \"postgres:///commsd?host="
	    "/run/postgresql\"\nstate directory \"/srv/c\"\n"
	    "packages \"/srv/c/p\"\n")) != NULL);
	comms_conf_free(c);

	/* refused: no state directory; one with a file; a bad URI; / */
	CHECK(parse_errors(PGBASE "database \"postgresql:///commsd\"\n") ==
	    NULL);
	CHECK(strstr(errbuf, "test.conf:5: a PostgreSQL database needs a "
	    "\"state directory\"") != NULL);
	CHECK(parse_errors(BASE "state directory \"/var/lib/commsd\"\n") ==
	    NULL);
	CHECK(strstr(errbuf, "test.conf:6: state directory is for a "
	    "PostgreSQL database only") != NULL);
	CHECK(parse_errors(PGBASE "database \"postgresql://h/d?nosuch=1\"\n"
	    "state directory \"/srv/c\"\n") == NULL);
	CHECK(strstr(errbuf, "test.conf:5: database: not a PostgreSQL "
	    "connection URI: ") != NULL);
	CHECK(parse_errors(PGBASE "database \"postgresql:///d\"\n"
	    "state directory \"/\"\n") == NULL);
	CHECK(strstr(errbuf, "must be a directory other than /") != NULL);
	CHECK(parse_errors(PGBASE "database \"postgresql:///d\"\n"
	    "state directory \"/srv/../c\"\n") == NULL);
	CHECK(parse_errors(PGBASE "database \"postgresql:///d\"\n"
	    "state directory \"srv\"\n") == NULL);
	CHECK(strstr(errbuf, "state directory \"srv\" must be an absolute "
	    "path") != NULL);
	CHECK(parse_errors(PGBASE "database \"postgresql:///d\"\n"
	    "state directory \"/srv/c\"\npackages \"/var/p\"\n") == NULL);
	CHECK(strstr(errbuf, "packages \"/var/p\" must be inside the state "
	    "directory /srv/c") != NULL);
}

TEST(uri_mask)
{
	char	 out[COMMS_STR_MAX], small[16];

	comms_uri_mask("/var/lib/commsd/commsd.db", out, sizeof(out));
	CHECK_STR(out, "/var/lib/commsd/commsd.db");
	comms_uri_mask("postgresql://u:p@h/d", out, sizeof(out));
	CHECK_STR(out, "postgresql://u:********@h/d");
	comms_uri_mask("postgresql://u@h/d", out, sizeof(out));
	CHECK_STR(out, "postgresql://u@h/d");
	comms_uri_mask("postgresql://u:@h", out, sizeof(out));
	CHECK_STR(out, "postgresql://u:********@h");
	/* the last @ ends the user information */
	comms_uri_mask("postgres://u:a@b@h:5/d?x=1", out, sizeof(out));
	CHECK_STR(out, "postgres://u:********@h:5/d?x=1");
	comms_uri_mask("postgresql:///d?host=/run&password=pw&port=5", out,
	    sizeof(out));
	CHECK_STR(out, "postgresql:///d?host=/run&password=********&port=5");
	comms_uri_mask("postgresql://h?password=a&password=b", out,
	    sizeof(out));
	CHECK_STR(out, "postgresql://h?password=********&password=********");
	comms_uri_mask("postgresql://h?passwordx=a&&x", out, sizeof(out));
	CHECK_STR(out, "postgresql://h?passwordx=a&&x");
	comms_uri_mask("postgresql://", out, sizeof(out));
	CHECK_STR(out, "postgresql://");
	/* cut to the buffer, always terminated, the secret never in it */
	comms_uri_mask("postgresql://user:secret@host/d", small,
	    sizeof(small));
	CHECK_STR(small, "postgresql://us");
	comms_uri_mask("postgresql://u:secret@host/d", small, sizeof(small));
	CHECK_STR(small, "postgresql://u:");
}

TEST(files)
{
	struct comms_conf	*c;
	char			 path[128], inc[128];
	FILE			*fp;

	(void)snprintf(path, sizeof(path), "%s/commsd.conf", tmpdir);
	(void)snprintf(inc, sizeof(inc), "%s/tls.conf", tmpdir);
	CHECK((fp = fopen(inc, "w")) != NULL);
	fprintf(fp, "certificate \"/c\"\nkey \"/k\"\nclient ca \"/a\"\n");
	fclose(fp);
	CHECK((fp = fopen(path, "w")) != NULL);
	fprintf(fp, "listen on ::1\ninclude \"tls.conf\"\n"
	    "database \"/d/db\"\n");
	fclose(fp);
	CHECK(chmod(path, 0644) == 0 && chmod(inc, 0600) == 0);
	CHECK((c = comms_parse_config(path, COMMS_CONF_NOPERMCHECK)) != NULL);
	CHECK_STR(c->client_ca, "/a");
	comms_conf_free(c);
	if (geteuid() == 0) {
		/* owned by root, not writable by others */
		CHECK((c = comms_parse_config(path, 0)) != NULL);
		comms_conf_free(c);
		CHECK(chmod(path, 0666) == 0);
		CHECK(comms_parse_config(path, 0) == NULL);
		CHECK(chmod(path, 0644) == 0);
		CHECK(chmod(inc, 0620) == 0);
		CHECK(comms_parse_config(path, 0) == NULL);
	}
	CHECK(comms_parse_config("/nonexistent/commsd.conf", 0) == NULL);
	(void)unlink(path);
	(void)unlink(inc);
}

TEST(dots)
{
	CHECK(!comms_path_has_dots("/var/lib/commsd"));
	CHECK(!comms_path_has_dots("/var/lib/.commsd/..x"));
	CHECK(comms_path_has_dots("/var/./lib"));
	CHECK(comms_path_has_dots("/var/.."));
	CHECK(comms_path_has_dots("/var/."));
	CHECK(comms_path_has_dots("/../x"));
}

TEST_MAIN_BEGIN("test_commsd_config")
	char	 p[128];

	log_init("test_commsd_config", LOG_TO_STDERR, 0);
	(void)strlcpy(tmpdir, "/tmp/test_commsd_config.XXXXXX",
	    sizeof(tmpdir));
	if (mkdtemp(tmpdir) == NULL) {
		printf("not ok test_commsd_config mkdtemp\n");
		return 1;
	}
	RUN(full);
	RUN(defaults);
	RUN(hostile_limits);
	RUN(print_fixed_point);
	RUN(macros_and_lines);
	RUN(all_errors_with_lines);
	RUN(required_and_state);
	RUN(postgresql);
	RUN(uri_mask);
	RUN(files);
	RUN(dots);
	(void)snprintf(p, sizeof(p), "%s/stderr", tmpdir);
	(void)unlink(p);
	(void)rmdir(tmpdir);
TEST_MAIN_END
