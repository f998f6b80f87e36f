/*
 * Each child's part of the configuration.  The parent reads key files and
 * certificates itself; children get contents, never paths, and secrets go
 * only to the child that uses them (SNMP communities and v3 passwords to
 * collectd, the TLS key and token to uplinkd).
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "callhomed.h"
#include "file.h"
#include "jobseal.h"
#include "log.h"
#include "profile.h"
#include "signify.h"

/* read a whole small file into a fresh buffer; NULL with a logged reason */
static uint8_t *
read_small(const char *path, size_t max, size_t *lenp)
{
	uint8_t	*buf;
	int	 error;

	if ((buf = file_read(path, max, FILE_SECRET, lenp, NULL,
	    &error)) != NULL)
		return buf;
	if (error == FILE_EREAD)
		log_warn("%s: read", path);
	else if (error == FILE_ENOTREG || error == FILE_EBIG)
		log_warnx("%s: not a regular file of at most %zu bytes",
		    path, max);
	else
		log_warnx("%s: %s", path, file_strerror(error));
	return NULL;
}

static int
load_key(const char *path, uint8_t *dst, size_t dstsz, size_t *lenp)
{
	uint8_t	*b;
	size_t	 n;

	*lenp = 0;
	if (path[0] == '\0')
		return 0;
	if ((b = read_small(path, dstsz, &n)) == NULL)
		return -1;
	memcpy(dst, b, n);
	*lenp = n;
	explicit_bzero(b, n);
	free(b);
	return 0;
}

/* a trust file must be signify public keys: said now, not at first use */
static int
check_keys(const char *path, const uint8_t *k, size_t len,
    struct signify_keyring *ring)
{
	char	 err[256];

	memset(ring, 0, sizeof(*ring));
	if (len == 0)
		return 0;
	if (signify_parse_keys(k, len, ring, err, sizeof(err)) == -1) {
		log_warnx("%s: not a file of signify public keys: %s", path,
		    err);
		return -1;
	}
	return 0;
}

static int
signer_part(const struct callhome_conf *c, struct signer_conf *s)
{
	struct signify_keyring	 instr, pkg;

	memset(s, 0, sizeof(*s));
	(void)strlcpy(s->gateway, c->gateway, sizeof(s->gateway));
	if (load_key(c->trust_instructions, s->instr_key,
	    sizeof(s->instr_key), &s->instr_keylen) == -1 ||
	    load_key(c->trust_packages, s->pkg_key, sizeof(s->pkg_key),
	    &s->pkg_keylen) == -1 ||
	    check_keys(c->trust_instructions, s->instr_key, s->instr_keylen,
	    &instr) == -1 ||
	    check_keys(c->trust_packages, s->pkg_key, s->pkg_keylen,
	    &pkg) == -1)
		return -1;
	if (signify_keyrings_overlap(&instr, &pkg)) {
		log_warnx("%s and %s share a key: instructions and packages "
		    "must be signed with distinct keys, or a package could pass "
		    "for an instruction", c->trust_instructions,
		    c->trust_packages);
		return -1;
	}
	return 0;
}

static int
uplink_part(const struct callhome_conf *c, const struct conf_parts *p,
    struct uplink_conf *u)
{
	memset(u, 0, sizeof(*u));
	(void)strlcpy(u->gateway, c->gateway, sizeof(u->gateway));
	if (!c->have_server)
		return 0;
	if ((u->xsd = malloc(p->xsdlen + 1)) == NULL)
		fatal(NULL);
	memcpy(u->xsd, p->xsd, p->xsdlen);
	u->xsd[p->xsdlen] = '\0';
	u->xsdlen = p->xsdlen;
	(void)strlcpy(u->server, c->server.name, sizeof(u->server));
	u->port = c->server.port;
	u->protocols = c->server.protocols;
	(void)strlcpy(u->ciphers, c->server.ciphers, sizeof(u->ciphers));
	(void)strlcpy(u->pin, c->server.pin, sizeof(u->pin));
	(void)strlcpy(u->token, c->server.token, sizeof(u->token));
	if (c->server.ca[0] != '\0' &&
	    (u->ca = read_small(c->server.ca, UPLINK_PEM_MAX, &u->calen)) ==
	    NULL)
		goto fail;
	if (c->server.cert[0] != '\0' &&
	    (u->cert = read_small(c->server.cert, UPLINK_PEM_MAX,
	    &u->certlen)) == NULL)
		goto fail;
	if (c->server.key[0] != '\0' &&
	    (u->key = read_small(c->server.key, UPLINK_PEM_MAX,
	    &u->keylen)) == NULL)
		goto fail;
	return 0;
 fail:
	uplink_conf_clear(u);
	return -1;
}

/*
 * The vendor profiles the configuration points to.  A missing directory
 * leaves only the standard MIBs (logged); a bad profile is an error.
 */
int
conf_load_profiles(struct callhome_conf *c)
{
	struct stat	 st;

	if (c->profile_set != NULL)
		return 0;
	if ((c->profile_set = calloc(1, sizeof(*c->profile_set))) == NULL)
		fatal(NULL);
	if (stat(c->profiles, &st) == -1 && errno == ENOENT) {
		log_warnx("%s: no vendor profiles: only the standard MIBs "
		    "will be read", c->profiles);
		return 0;
	}
	if (profile_load_dir(c->profiles, c->profile_set) == -1)
		return -1;
	return 0;
}

/*
 * The job-data key: a PEM X25519 public key (callhome-jobdata(5)), read
 * and checked here, its raw 32 bytes for collectd.  -1 with the reason
 * logged.
 */
int
conf_load_jobkey(struct callhome_conf *c)
{
	uint8_t	*b;
	size_t	 n;
	char	 err[256];
	int	 rv = 0;

	c->have_jobdata_pub = 0;
	if (c->jobdata_key[0] == '\0')
		return 0;
	if ((b = read_small(c->jobdata_key, JOBSEAL_PEM_MAX, &n)) == NULL)
		return -1;
	if (jobseal_public_pem(b, n, c->jobdata_pub, err, sizeof(err)) == -1) {
		log_warnx("%s: job-data key: %s", c->jobdata_key, err);
		rv = -1;
	} else
		c->have_jobdata_pub = 1;
	free(b);
	return rv;
}

/*
 * The time zone's name for the site information: TZ, else where
 * /etc/localtime points beneath a zoneinfo directory; "" when neither
 * says.  Found once, before the sandbox (a reload reuses it).
 */
void
conf_load_tzname(struct callhome_conf *c)
{
	static char	 name[64];
	static int	 done;
	const char	*tz, *p;
	char		 link[256];
	ssize_t		 n;

	if (!done) {
		done = 1;
		if ((tz = getenv("TZ")) != NULL && *tz != '\0') {
			if (*tz == ':')
				tz++;
			if ((p = strstr(tz, "zoneinfo/")) != NULL)
				tz = p + strlen("zoneinfo/");
			(void)strlcpy(name, tz, sizeof(name));
		} else if ((n = readlink("/etc/localtime", link,
		    sizeof(link) - 1)) > 0) {
			link[n] = '\0';
			if ((p = strstr(link, "zoneinfo/")) != NULL)
				(void)strlcpy(name, p + strlen("zoneinfo/"),
				    sizeof(name));
		}
		/* a name, nothing else: letters, digits, "/_+-" */
		for (p = name; *p != '\0'; p++)
			if (!isalnum((unsigned char)*p) &&
			    strchr("/_+-", *p) == NULL) {
				name[0] = '\0';
				break;
			}
	}
	(void)strlcpy(c->tzname, name, sizeof(c->tzname));
}

/*
 * Read every file the children's parts name, once: -1 with each reason
 * logged.  The parts hold secrets until conf_parts_free().
 */
int
conf_parts_load(const struct callhome_conf *c, struct conf_parts *p)
{
	int	 rv = 0;

	memset(p, 0, sizeof(*p));
	if ((p->xsd = read_small(callhome_schema, SCHEMA_MAX,
	    &p->xsdlen)) == NULL)
		rv = -1;
	if (signer_part(c, &p->signer) == -1)
		rv = -1;
	if (p->xsd != NULL && uplink_part(c, p, &p->uplink) == -1)
		rv = -1;
	if (rv == -1)
		conf_parts_free(p);
	return rv;
}

void
conf_parts_free(struct conf_parts *p)
{
	free(p->xsd);
	p->xsd = NULL;
	uplink_conf_clear(&p->uplink);
	explicit_bzero(&p->signer, sizeof(p->signer));
}

/* each child its part */
void
conf_send_all(struct callhomed *ch, const struct callhome_conf *c,
    const struct conf_parts *p)
{
	msg_conf_collectd_send(&ch->kids[PROC_COLLECTD].iev, c);
	msg_conf_auditd_send(&ch->kids[PROC_AUDITD].iev, c, p->xsd,
	    p->xsdlen);
	msg_conf_signerd_send(&ch->kids[PROC_SIGNERD].iev, &p->signer);
	msg_conf_uplinkd_send(&ch->kids[PROC_UPLINKD].iev, &p->uplink);
}
