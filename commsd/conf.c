/*
 * commsd.conf(5): defaults, the normalised printout (commsd -nv), the
 * state directory.  The parser is parse.y.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commsd.h"
#include "check.h"
#include "config.h"
#include "log.h"
#include "storage.h"
#include "worker.h"

#ifndef SHAREDIR
#define SHAREDIR	"/usr/local/share/callhome"
#endif
const char	comms_default_schema[] = SHAREDIR "/callhome.xsd";

struct comms_conf *
comms_conf_new(void)
{
	struct comms_conf	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->protocols = COMMS_TLSV1_2 | COMMS_TLSV1_3;
	(void)strlcpy(c->schema, comms_default_schema, sizeof(c->schema));
	(void)strlcpy(c->user, COMMS_DEFAULT_USER, sizeof(c->user));
	c->max_document = COMMS_DEFAULT_MAX_DOC;
	c->max_conns = COMMS_DEFAULT_MAX_CONNS;
	c->max_conns_gw = COMMS_DEFAULT_MAX_CONNS_GW;
	c->max_handshakes = COMMS_DEFAULT_MAX_HS;
	c->max_handshakes_addr = COMMS_DEFAULT_MAX_HS_ADDR;
	c->handshake_timeout_ms = COMMS_DEFAULT_HS_TIMEOUT;
	c->keepalive_timeout_ms = COMMS_DEFAULT_KA_TIMEOUT;
	c->keepalive_requests = COMMS_DEFAULT_KA_REQUESTS;
	c->session_lifetime = COMMS_DEFAULT_SESSION_LIFETIME;
	(void)strlcpy(c->ciphers, COMMS_DEFAULT_CIPHERS, sizeof(c->ciphers));
	c->workers = COMMS_DEFAULT_WORKERS;
	c->check_timeout_ms = COMMS_DEFAULT_CHECK_TIMEOUT;
	c->max_attrs = COMMS_DEFAULT_MAX_ATTRS;
	c->max_nodes = COMMS_DEFAULT_MAX_NODES;
	return c;
}

void
comms_conf_derive(struct comms_conf *c)
{
	/* four of the largest documents at once */
	if (c->max_inflight == 0) {
		c->max_inflight = 4 * c->max_document;
		if (c->max_inflight < COMMS_DEFAULT_INFLIGHT)
			c->max_inflight = COMMS_DEFAULT_INFLIGHT;
	}
	/* the libraries, and libxml2's tree of the largest document */
	if (c->worker_memory == 0)
		c->worker_memory = COMMS_WORKER_MEMORY_BASE +
		    COMMS_WORKER_MEMORY_FACTOR * c->max_document;
}

void
comms_conf_free(struct comms_conf *c)
{
	if (c == NULL)
		return;
	explicit_bzero(c, sizeof(*c));		/* the token */
	free(c);
}

int
comms_path_has_dots(const char *p)
{
	const char	*c;

	for (c = p; c != NULL; c = strchr(c + 1, '/')) {
		if (*c != '/')
			continue;
		if ((c[1] == '.' && (c[2] == '/' || c[2] == '\0')) ||
		    (c[1] == '.' && c[2] == '.' &&
		    (c[3] == '/' || c[3] == '\0')))
			return 1;
	}
	return 0;
}

/*
 * The state directory: "state directory" with PostgreSQL, else the
 * database's directory; without a trailing slash, never "/"
 */
int
comms_state_dir(const struct comms_conf *c, char *buf, size_t len)
{
	const char	*slash;
	size_t		 n;

	if (comms_db_is_pg(c->database)) {
		n = strlen(c->statedir);
		while (n > 0 && c->statedir[n - 1] == '/')
			n--;
		if (c->statedir[0] != '/' || n == 0 || n >= len ||
		    comms_path_has_dots(c->statedir))
			return -1;
		memcpy(buf, c->statedir, n);
		buf[n] = '\0';
		return 0;
	}
	if (c->database[0] != '/' || comms_path_has_dots(c->database))
		return -1;
	slash = strrchr(c->database, '/');
	if (slash[1] == '\0')
		return -1;		/* no file name */
	n = slash - c->database;
	while (n > 0 && c->database[n - 1] == '/')
		n--;
	if (n == 0 || n >= len)
		return -1;		/* "/" itself, or too long */
	memcpy(buf, c->database, n);
	buf[n] = '\0';
	return 0;
}

const char *
comms_db_name(const struct comms_conf *c)
{
	static char	 name[COMMS_STR_MAX + 1];
	const char	*slash;

	slash = strrchr(c->database, '/');
	(void)snprintf(name, sizeof(name), "/%s",
	    slash != NULL ? slash + 1 : c->database);
	return name;
}

#define URI_MASK	"********"

/* append [p, p + n) to out at *o, as far as it goes (always terminated) */
static void
mask_put(char *out, size_t len, size_t *o, const char *p, size_t n)
{
	if (*o >= len)
		return;
	if (n > len - 1 - *o)
		n = len - 1 - *o;
	memcpy(out + *o, p, n);
	*o += n;
	out[*o] = '\0';
}

void
comms_uri_mask(const char *uri, char *out, size_t len)
{
	const char	*p, *auth, *end, *at, *colon, *amp, *eq;
	size_t		 o = 0;

	if (len == 0)
		return;
	out[0] = '\0';
	if (!comms_db_is_pg(uri)) {
		mask_put(out, len, &o, uri, strlen(uri));
		return;
	}
	/* scheme://[user[:password]@]hosts[/db][?params] */
	auth = strstr(uri, "://") + 3;
	end = auth + strcspn(auth, "/?");
	at = NULL;
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;		/* the last one ends the user part */
	mask_put(out, len, &o, uri, (size_t)(auth - uri));
	if (at != NULL) {
		colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon != NULL) {
			mask_put(out, len, &o, auth,
			    (size_t)(colon + 1 - auth));
			mask_put(out, len, &o, URI_MASK, strlen(URI_MASK));
			mask_put(out, len, &o, at, (size_t)(end - at));
		} else
			mask_put(out, len, &o, auth, (size_t)(end - auth));
	} else
		mask_put(out, len, &o, auth, (size_t)(end - auth));
	/* the path, then each parameter; password=... masked */
	p = end;
	end = p + strcspn(p, "?");
	mask_put(out, len, &o, p, (size_t)(end - p));
	if (*end != '?')
		return;
	p = end;
	while (*p != '\0') {
		mask_put(out, len, &o, p, 1);	/* '?' or '&' */
		p++;
		amp = p + strcspn(p, "&");
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq != NULL && (size_t)(eq - p) == 8 &&
		    strncmp(p, "password", 8) == 0) {
			mask_put(out, len, &o, p, 9);
			mask_put(out, len, &o, URI_MASK, strlen(URI_MASK));
		} else
			mask_put(out, len, &o, p, (size_t)(amp - p));
		p = amp;
	}
}

void
comms_conf_hide_database(struct comms_conf *c)
{
	char	 masked[sizeof(c->database)];

	comms_uri_mask(c->database, masked, sizeof(masked));
	explicit_bzero(c->database, sizeof(c->database));
	(void)strlcpy(c->database, masked, sizeof(c->database));
	explicit_bzero(masked, sizeof(masked));
}

static void
print_kv(FILE *fp, const char *k, const char *v)
{
	fprintf(fp, "%s ", k);
	config_print_quoted(fp, v);
	putc('\n', fp);
}

void
comms_print_config(FILE *fp, const struct comms_conf *c, int flags)
{
	char	 num[32];
	size_t	 i;

	for (i = 0; i < c->nlisten; i++)
		fprintf(fp, "listen on %s port %u\n", c->listen[i].addr,
		    c->listen[i].port);
	print_kv(fp, "certificate", c->cert);
	print_kv(fp, "key", c->key);
	print_kv(fp, "client ca", c->client_ca);
	switch (c->protocols) {
	case COMMS_TLSV1_2:
		print_kv(fp, "protocols", "tlsv1.2");
		break;
	case COMMS_TLSV1_3:
		print_kv(fp, "protocols", "tlsv1.3");
		break;
	default:
		print_kv(fp, "protocols", "tlsv1.2,tlsv1.3");
		break;
	}
	if (comms_db_is_pg(c->database)) {
		char	 masked[sizeof(c->database)];

		if (flags & COMMS_PRINT_SECRETS)
			(void)strlcpy(masked, c->database, sizeof(masked));
		else
			comms_uri_mask(c->database, masked, sizeof(masked));
		print_kv(fp, "database", masked);
		explicit_bzero(masked, sizeof(masked));
		print_kv(fp, "state directory", c->statedir);
	} else
		print_kv(fp, "database", c->database);
	print_kv(fp, "packages", c->packages);
	print_kv(fp, "instructions", c->instructions);
	print_kv(fp, "schema", c->schema);
	if (c->token[0] != '\0')
		print_kv(fp, "token", (flags & COMMS_PRINT_SECRETS) ?
		    c->token : CONF_SECRET_MASK);
	config_fmt_size(num, sizeof(num), c->max_document);
	fprintf(fp, "max document %s\n", num);
	fprintf(fp, "max connections %u\n", c->max_conns);
	fprintf(fp, "max connections per gateway %u\n", c->max_conns_gw);
	fprintf(fp, "max handshakes %u\n", c->max_handshakes);
	fprintf(fp, "max handshakes per address %u\n",
	    c->max_handshakes_addr);
	config_fmt_duration(num, sizeof(num), c->handshake_timeout_ms);
	fprintf(fp, "handshake timeout %s\n", num);
	config_fmt_duration(num, sizeof(num), c->keepalive_timeout_ms);
	fprintf(fp, "keep-alive timeout %s\n", num);
	fprintf(fp, "keep-alive requests %u\n", c->keepalive_requests);
	config_fmt_duration(num, sizeof(num),
	    (uint64_t)c->session_lifetime * 1000);
	fprintf(fp, "session lifetime %s\n", num);
	config_fmt_size(num, sizeof(num), c->max_inflight);
	fprintf(fp, "max inflight %s\n", num);
	print_kv(fp, "ciphers", c->ciphers);
	fprintf(fp, "workers %u\n", c->workers);
	config_fmt_duration(num, sizeof(num), c->check_timeout_ms);
	fprintf(fp, "check timeout %s\n", num);
	fprintf(fp, "max attributes %u\n", c->max_attrs);
	fprintf(fp, "max nodes %u\n", c->max_nodes);
	config_fmt_size(num, sizeof(num), c->worker_memory);
	fprintf(fp, "worker memory %s\n", num);
	print_kv(fp, "user", c->user);
	if (c->faults & COMMS_FAULT_RECEIPT_HASH)
		fprintf(fp, "fault receipt-hash\n");
	if (c->faults & COMMS_FAULT_DELAY) {
		config_fmt_duration(num, sizeof(num), c->fault_delay_ms);
		fprintf(fp, "fault delay %s\n", num);
	}
	if (c->faults & COMMS_FAULT_CLOSE)
		fprintf(fp, "fault close\n");
	if (c->faults & COMMS_FAULT_REPLAY)
		fprintf(fp, "fault replay\n");
	if (c->faults & COMMS_FAULT_DRIP)
		fprintf(fp, "fault drip\n");
}

void
comms_conf_warn_faults(const struct comms_conf *c)
{
	char	 num[32];

	if (c->faults == 0)
		return;
	log_warnx("WARNING: FAULT INJECTION IS ON -- FOR TESTS ONLY, NEVER "
	    "IN PRODUCTION");
	if (c->faults & COMMS_FAULT_RECEIPT_HASH)
		log_warnx("WARNING: fault receipt-hash: every receipt carries "
		    "a WRONG document hash");
	if (c->faults & COMMS_FAULT_DELAY) {
		config_fmt_duration(num, sizeof(num), c->fault_delay_ms);
		log_warnx("WARNING: fault delay %s: every upload is answered "
		    "late", num);
	}
	if (c->faults & COMMS_FAULT_CLOSE)
		log_warnx("WARNING: fault close: uploads are stored but NEVER "
		    "answered");
	if (c->faults & COMMS_FAULT_REPLAY)
		log_warnx("WARNING: fault replay: check-ins get EVERY bundle, "
		    "old ones too");
	if (c->faults & COMMS_FAULT_DRIP)
		log_warnx("WARNING: fault drip: packages are sent one byte a "
		    "second");
}
