/*
 * What collectd keeps beyond one device, in its context (struct
 * collectd), never in globals:
 *
 *	targets		per address, across cycles: it answered in its last
 *			cycle, or went silent after answering (the next
 *			cycle waits longer for it);
 *	match		the profile of each (sysObjectID, sysDescr) seen,
 *			until the profiles change;
 *	cycle sets	per cycle: the configured addresses (discovery
 *			skips them), the serial numbers reported (one
 *			printer answering on two addresses is one device),
 *			the SNMPv3 engine ids met (two agents with one id
 *			are named).
 *
 * The sets are bounded by what is polled: at most CONF_MAX_DEVICES
 * configured devices and the printers of the discovery ranges.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chan/collectd_auditd.h"
#include "collectd.h"
#include "log.h"
#include "net.h"

/* FNV-1a, for the profile cache */
static uint32_t
hash(const uint8_t *k, size_t n)
{
	uint32_t	 h = 2166136261U;
	size_t		 i;

	for (i = 0; i < n; i++)
		h = (h ^ k[i]) * 16777619U;
	return h;
}

size_t
addr_key(const struct sockaddr_storage *ss, uint8_t *k, size_t max)
{
	const struct sockaddr_in	*sin = (const void *)ss;
	const struct sockaddr_in6	*sin6 = (const void *)ss;

	if (max < ADDR_KEY_MAX)
		fatalx("addr_key: buffer too small");
	k[0] = (uint8_t)ss->ss_family;
	if (ss->ss_family == AF_INET) {
		memcpy(k + 1, &sin->sin_port, 2);
		memcpy(k + 3, &sin->sin_addr, 4);
		return 7;
	}
	if (ss->ss_family == AF_INET6) {
		memcpy(k + 1, &sin6->sin6_port, 2);
		memcpy(k + 3, &sin6->sin6_addr, 16);
		return 19;
	}
	return 1;
}

/* --- vendor profiles --- */

void
collectd_forget_profiles(struct collectd *cd)
{
	size_t	 i;

	for (i = 0; i < MATCH_CACHE; i++) {
		free(cd->match[i].key);
		memset(&cd->match[i], 0, sizeof(cd->match[i]));
	}
}

const struct profile *
collectd_match_profile(struct collectd *cd, const struct scalar *soid,
    const struct scalar *descr, const char **vendor)
{
	const struct profile_set *set = cd->conf->profile_set;
	const struct snmp_oid	*o = NULL;
	struct snmp_oid		 oid;
	struct match_entry	*e;
	char			 text[REPORT_STR];
	uint8_t			 key[SNMP_MAX_SUBIDS * 4 + SCALAR_RAW_MAX + 1];
	size_t			 n = 0, i;
	uint32_t		 h;

	*vendor = NULL;
	if (set == NULL)
		return NULL;
	if (scalar_oid(soid, &oid) == 0)
		o = &oid;
	/* the key: the arcs, a separator, sysDescr's raw octets */
	for (i = 0; o != NULL && i < o->len; i++) {
		memcpy(key + n, &o->sub[i], 4);
		n += 4;
	}
	key[n++] = 0xff;
	if (descr->have && descr->s != NULL && descr->type != SNMP_T_OID) {
		memcpy(key + n, descr->s, descr->slen);
		n += descr->slen;
	}
	/* four ways: a fleet's few dozen models do not evict each other */
	h = hash(key, n);
	for (i = 0; i < MATCH_WAYS; i++) {
		e = &cd->match[(h + i) % MATCH_CACHE];
		if (e->key != NULL && e->keylen == n &&
		    memcmp(e->key, key, n) == 0) {
			*vendor = e->vendor;
			return e->p;
		}
	}
	for (i = 0; i < MATCH_WAYS; i++) {
		e = &cd->match[(h + i) % MATCH_CACHE];
		if (e->key == NULL)
			break;
	}
	if (i == MATCH_WAYS)	/* all taken: one of them, in turn */
		e = &cd->match[(h + cd->match_next++ % MATCH_WAYS) %
		    MATCH_CACHE];
	free(e->key);
	if ((e->key = malloc(n)) == NULL)
		fatal(NULL);
	memcpy(e->key, key, n);
	e->keylen = n;
	e->vendor = NULL;
	/* as the profiles are matched everywhere: on the cleaned text */
	text[0] = '\0';
	if (descr->have && descr->s != NULL && descr->type != SNMP_T_OID)
		report_str_clean(descr->s, descr->slen, text, sizeof(text));
	e->p = profile_match(set, o, text, &e->vendor);
	*vendor = e->vendor;
	return e->p;
}

/* --- addresses across cycles --- */

/* the flags of an address: the configured device's, or the set's */
static uint8_t *
tgt_flags(struct collectd *cd, int slot, const struct sockaddr_storage *ss,
    int add)
{
	struct kset_entry	*e;
	uint8_t			 k[ADDR_KEY_MAX];
	size_t			 n;

	if (slot >= 0)
		return (size_t)slot < cd->ndev_tgt ? &cd->dev_tgt[slot] : NULL;
	n = addr_key(ss, k, sizeof(k));
	if ((e = kset_get(&cd->targets, k, n)) == NULL && add)
		e = kset_put(&cd->targets, k, n);
	return e != NULL ? (uint8_t *)&e->val : NULL;
}

int
collectd_asleep(struct collectd *cd, int slot,
    const struct sockaddr_storage *ss)
{
	uint8_t	*f = tgt_flags(cd, slot, ss, 0);

	return f != NULL && (*f & TGT_ASLEEP);
}

/*
 * Answered: remembered.  Silent after answering: asleep, the next cycle
 * waits longer.  Silent while asleep (the longer wait was tried), or
 * anything else: forgotten, until it answers again.
 */
void
collectd_device_answered(struct collectd *cd, int slot,
    const struct sockaddr_storage *ss, int answered, int outcome)
{
	uint8_t	*f = tgt_flags(cd, slot, ss, answered);

	if (f == NULL)
		return;
	if (answered)
		*f = TGT_ANSWERED;
	else if (outcome == DEV_TIMEOUT && (*f & TGT_ANSWERED))
		*f = TGT_ASLEEP;
	else
		*f = 0;
}

void
collectd_targets_remap(struct collectd *cd, const struct collectd_conf *old,
    const struct collectd_conf *new)
{
	const struct device_conf	*d;
	struct kset			 byaddr;
	struct kset_entry		*e;
	uint8_t				 k[ADDR_KEY_MAX];
	size_t				 n, i = 0;

	memset(&byaddr, 0, sizeof(byaddr));
	if (old != NULL)
		TAILQ_FOREACH(d, &old->devices, entry) {
			if (i < cd->ndev_tgt && cd->dev_tgt[i] != 0) {
				n = addr_key(&d->addr, k, sizeof(k));
				kset_put(&byaddr, k, n)->val = cd->dev_tgt[i];
			}
			i++;
		}
	free(cd->dev_tgt);
	n = 0;
	TAILQ_FOREACH(d, &new->devices, entry)
		n++;
	if ((cd->dev_tgt = calloc(n ? n : 1, 1)) == NULL)
		fatal(NULL);
	cd->ndev_tgt = n;
	i = 0;
	TAILQ_FOREACH(d, &new->devices, entry) {
		n = addr_key(&d->addr, k, sizeof(k));
		if ((e = kset_get(&byaddr, k, n)) != NULL)
			cd->dev_tgt[i] = (uint8_t)e->val;
		i++;
	}
	kset_free(&byaddr);
}

/* --- within a cycle --- */

void
collectd_engine_seen(struct collectd *cd, const struct sockaddr_storage *ss,
    const uint8_t *id, size_t len, const char *serial, char *note,
    size_t notesz)
{
	struct kset_entry	*e;
	char			 addr[REPORT_NAME], hex[2 * 32 + 1];
	size_t			 i;

	if (len == 0 || len > 32)
		return;
	for (i = 0; i < len; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", id[i]);
	(void)addr_fmt((const struct sockaddr *)ss, addr, sizeof(addr));
	e = kset_put(&cd->cycle.engines, id, len);
	if (e->text == NULL) {
		if ((e->text = strdup(addr)) == NULL ||
		    (e->aux = strdup(serial)) == NULL)
			fatal(NULL);
		return;
	}
	if (strcmp(e->text, addr) == 0)
		return;
	if (serial[0] != '\0' && strcmp(e->aux, serial) == 0) {
		log_debug("%s: SNMPv3 engine id %s and serial number of %s: "
		    "one agent on two addresses", addr, hex, e->text);
		return;
	}
	log_warnx("%s: SNMPv3 engine id %s is also %s's, another device's: "
	    "two agents with one engine id share their localised keys", addr,
	    hex, e->text);
	(void)snprintf(note, notesz, "SNMPv3 engine id %s is also %s's, "
	    "another device's", hex, e->text);
}

int
collectd_duplicate(struct collectd *cd, const struct sockaddr_storage *ss,
    int discovered, const struct dev_report *rep)
{
	struct kset_entry	*e;
	const struct identity	*id = &rep->id;
	char			 key[2 * IDENTITY_TEXT + 2], addr[REPORT_NAME];
	int			 n;

	/* only discovery can find a printer twice */
	if (id->serial.text[0] == '\0' || TAILQ_EMPTY(&cd->conf->discovers))
		return 0;
	n = snprintf(key, sizeof(key), "%s|%s", id->vendor.text,
	    id->serial.text);
	if (n < 0 || (size_t)n >= sizeof(key))
		return 0;
	(void)addr_fmt((const struct sockaddr *)ss, addr, sizeof(addr));
	e = kset_put(&cd->cycle.serials, key, (size_t)n);
	if (e->text == NULL) {
		if ((e->text = strdup(addr)) == NULL)
			fatal(NULL);
		return 0;
	}
	if (!discovered)
		return 0;	/* configured: always reported */
	log_info("%s is the printer reported at %s (%s, serial %s): not "
	    "reported twice", addr, e->text, id->vendor.text,
	    id->serial.text);
	return 1;
}

void
collectd_send_report(struct collectd *cd, const struct dev_report *rep)
{
	struct rpt_jobdata	 j;
	size_t			 i;

	msg_dev_begin_send(&cd->auditd, &rep->dev);
	for (i = 0; i < rep->nmeters; i++)
		msg_dev_meter_send(&cd->auditd, &rep->meters[i]);
	for (i = 0; i < rep->nsupplies; i++)
		msg_dev_supply_send(&cd->auditd, &rep->supplies[i]);
	for (i = 0; i < rep->nalerts; i++)
		msg_dev_alert_send(&cd->auditd, &rep->alerts[i]);
	if (rep->have_jobs) {
		j.plain = rep->jobs_plain.data;
		j.plainlen = rep->jobs_plain.len;
		j.sealed = rep->jobs_sealed.data;
		j.sealedlen = rep->jobs_sealed.len;
		msg_dev_jobdata_send(&cd->auditd, &j);
	}
	msg_dev_end_send(&cd->auditd);
}
