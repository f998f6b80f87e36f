/*
 * A collection cycle: every configured device, then every address of the
 * discovery ranges (expanded as they are needed, never all at once), with
 * at most max_active devices being collected at a time.  Each finished
 * device is reported to auditd at once and forgotten; the cycle ends with
 * its counts, to auditd and to the parent.
 *
 * Every address is polled once per cycle: discovery skips the addresses
 * of configured devices and those of an earlier range (same port).
 * Discovery reports printers only; the other addresses that answered are
 * counted (skipped), and so are the printers already reported at another
 * address (duplicates: the same vendor and serial number).
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chan/collectd_auditd.h"
#include "collectd.h"
#include "clock.h"
#include "log.h"

/* the addresses of a range, never more than the parser allows */
static uint64_t
range_size(const struct discover_conf *dc)
{
	int	 hostbits, max;

	hostbits = (dc->net.ss_family == AF_INET ? 32 : 128) - dc->prefixlen;
	max = dc->net.ss_family == AF_INET ? 32 - CONF_MIN_PREFIX4 :
	    128 - CONF_MIN_PREFIX6;
	return (uint64_t)1 << (hostbits < max ? hostbits : max);
}

/* the n-th address of a range (IPv4: skipping network and broadcast) */
static int
range_addr(const struct discover_conf *dc, uint64_t n,
    struct sockaddr_storage *ss, socklen_t *sslen)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	uint64_t		 size = range_size(dc);
	uint32_t		 a;
	int			 i;

	memcpy(ss, &dc->net, sizeof(*ss));
	if (dc->net.ss_family == AF_INET) {
		if (size > 2 && (n == 0 || n == size - 1))
			return -1;
		a = ntohl(sin->sin_addr.s_addr) + (uint32_t)n;
		sin->sin_addr.s_addr = htonl(a);
		*sslen = sizeof(*sin);
		return 0;
	}
	for (i = 15; i >= 0 && n > 0; i--) {
		uint32_t	 sum = sin6->sin6_addr.s6_addr[i] + (n & 0xff);

		sin6->sin6_addr.s6_addr[i] = (uint8_t)sum;
		n = (n >> 8) + (sum >> 8);
	}
	*sslen = sizeof(*sin6);
	return 0;
}

/* is ss (of the same family and port) inside the range? */
static int
in_range(const struct discover_conf *dc, const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*a4 = (const void *)ss;
	const struct sockaddr_in	*n4 = (const void *)&dc->net;
	const struct sockaddr_in6	*a6 = (const void *)ss;
	const struct sockaddr_in6	*n6 = (const void *)&dc->net;
	uint32_t			 mask;
	int				 i, bits;

	if (ss->ss_family != dc->net.ss_family)
		return 0;
	if (ss->ss_family == AF_INET) {
		mask = dc->prefixlen == 0 ? 0 :
		    htonl(0xffffffffU << (32 - dc->prefixlen));
		return a4->sin_port == n4->sin_port &&
		    (a4->sin_addr.s_addr & mask) ==
		    (n4->sin_addr.s_addr & mask);
	}
	if (a6->sin6_port != n6->sin6_port)
		return 0;
	for (i = 0, bits = dc->prefixlen; i < 16 && bits > 0; i++, bits -= 8) {
		uint8_t	 m = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		if ((a6->sin6_addr.s6_addr[i] & m) !=
		    (n6->sin6_addr.s6_addr[i] & m))
			return 0;
	}
	return 1;
}

/* polled already in this cycle: a configured device, an earlier range */
static int
polled_already(struct collectd *cd, const struct discover_conf *cur,
    const struct sockaddr_storage *ss)
{
	const struct discover_conf	*dc;
	uint8_t				 k[ADDR_KEY_MAX];
	size_t				 n = addr_key(ss, k, sizeof(k));

	if (kset_get(&cd->cycle.configured, k, n) != NULL)
		return 1;
	TAILQ_FOREACH(dc, &cd->conf->discovers, entry) {
		if (dc == cur)
			break;
		if (in_range(dc, ss))
			return 1;
	}
	return 0;
}

/* the next target, or NULL when there is none left */
static struct device *
next_device(struct collectd *cd)
{
	struct cycle		*cy = &cd->cycle;
	struct device_conf	*dv;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;

	if ((dv = cy->next_dev) != NULL) {
		cy->next_dev = TAILQ_NEXT(dv, entry);
		return device_new(cd, &dv->addr, dv->addrlen, &dv->opts, 0,
		    cy->dev_pos++);
	}
	while (cy->next_disc != NULL) {
		if (cy->disc_pos >= cy->disc_count) {
			cy->next_disc = TAILQ_NEXT(cy->next_disc, entry);
			cy->disc_pos = 0;
			if (cy->next_disc != NULL)
				cy->disc_count = range_size(cy->next_disc);
			continue;
		}
		if (range_addr(cy->next_disc, cy->disc_pos++, &ss, &sslen) ==
		    -1 || polled_already(cd, cy->next_disc, &ss))
			continue;
		cy->summary.probed++;
		return device_new(cd, &ss, sslen, &cy->next_disc->opts, 1, -1);
	}
	return NULL;
}

static void	cycle_end(struct collectd *);

/*
 * Start devices while there is room; the one place a cycle ends.  A
 * device may finish inside device_start() (SNMPv3, a failed send): that
 * comes back here through cycle_device_done(), and the outer loop goes on
 * instead of a nested one.
 */
static void
fill(struct collectd *cd)
{
	struct cycle	*cy = &cd->cycle;
	struct device	*d;

	if (cy->filling)
		return;
	cy->filling = 1;
	while (cy->active < cy->max_active && (d = next_device(cd)) != NULL) {
		cy->active++;
		device_start(d);
	}
	cy->filling = 0;
	if (cy->active == 0 && cy->running)
		cycle_end(cd);
}

static void
cycle_end(struct collectd *cd)
{
	struct cycle	*cy = &cd->cycle;
	struct rusage	 ru;

	cy->summary.finished = clock_now();
	cy->summary.requests = engine_stats(cd->eng)->sent - cy->sent_before;
	msg_cycle_end_send(&cd->auditd, &cy->summary);
	if (getrusage(RUSAGE_SELF, &ru) == -1)
		memset(&ru, 0, sizeof(ru));
	log_info("cycle done: %u devices, %u ok, %llu requests, "
	    "max rss %ld KiB", cy->summary.ndevices,
	    cy->summary.count[DEV_OK],
	    (unsigned long long)cy->summary.requests, ru.ru_maxrss);
	if (cy->summary.probed > 0)
		log_info("discovery: %u addresses probed, %u answered, %u "
		    "printers, %u not printers, %u printers seen at another "
		    "address", cy->summary.probed, cy->summary.answered,
		    cy->summary.printers, cy->summary.skipped,
		    cy->summary.duplicates);
	cy->running = 0;
	cycle_free(cy);
	collectd_cycle_ended(cd);
}

void
cycle_discovered(struct collectd *cd, int answered)
{
	if (answered)
		cd->cycle.summary.answered++;
}

void
cycle_device_done(struct collectd *cd, struct device *d, int discovered,
    int reported, int outcome)
{
	struct cycle	*cy = &cd->cycle;

	if (reported) {
		cy->summary.ndevices++;
		if (outcome >= 0 && outcome < DEV_OUTCOME_MAX)
			cy->summary.count[outcome]++;
		if (discovered)
			cy->summary.printers++;
	} else if (outcome == DEV_OUTCOME_MAX)
		cy->summary.duplicates++;
	else if (outcome == DEV_NOT_PRINTER)
		cy->summary.skipped++;
	cy->active--;
	device_free(d);
	fill(cd);
}

void
cycle_free(struct cycle *cy)
{
	kset_free(&cy->configured);
	kset_free(&cy->serials);
	kset_free(&cy->engines);
}

/* the configured devices' addresses: discovery does not poll them again */
static void
configured_set(struct collectd *cd)
{
	const struct device_conf	*d;
	uint8_t				 k[ADDR_KEY_MAX];
	size_t				 n;

	if (TAILQ_EMPTY(&cd->conf->discovers))
		return;
	TAILQ_FOREACH(d, &cd->conf->devices, entry) {
		n = addr_key(&d->addr, k, sizeof(k));
		(void)kset_put(&cd->cycle.configured, k, n);
	}
}

static uint32_t
planned(const struct collectd_conf *c)
{
	const struct device_conf	*d;
	uint32_t			 n = 0;

	TAILQ_FOREACH(d, &c->devices, entry)
		n++;
	return n;
}

void
cycle_start(struct collectd *cd, uint64_t token, const char *reason)
{
	struct cycle		*cy = &cd->cycle;
	struct engine_conf	 ec;

	if (cy->running) {
		log_warnx("a cycle is running: collection request ignored");
		return;
	}
	memset(&ec, 0, sizeof(ec));
	ec.timeout_ms = cd->conf->snmp_timeout_ms;
	ec.retries = cd->conf->snmp_retries;
	ec.window = cd->conf->snmp_window;
	ec.rate = cd->conf->snmp_rate;
	ec.discover_rate = cd->conf->discover_rate;
	engine_configure(cd->eng, &ec);
	cycle_free(cy);
	memset(cy, 0, sizeof(*cy));
	configured_set(cd);
	cy->sent_before = engine_stats(cd->eng)->sent;
	cy->running = 1;
	cy->summary.token = token;
	cy->summary.started = clock_now();
	(void)strlcpy(cy->summary.reason, reason, sizeof(cy->summary.reason));
	cy->summary.ndevices = planned(cd->conf);
	cy->next_dev = TAILQ_FIRST(&cd->conf->devices);
	cy->next_disc = TAILQ_FIRST(&cd->conf->discovers);
	if (cy->next_disc != NULL)
		cy->disc_count = range_size(cy->next_disc);
	/* a device has at most three requests in flight at a time */
	cy->max_active = cd->conf->snmp_window / 2;
	if (cy->max_active < 1)
		cy->max_active = 1;

	msg_cycle_begin_send(&cd->auditd, &cy->summary);
	log_info("cycle started (%s): %u devices, %s", reason,
	    cy->summary.ndevices, TAILQ_EMPTY(&cd->conf->discovers) ?
	    "no discovery" : "with discovery");
	cy->summary.ndevices = 0;	/* counted again as they end */
	fill(cd);
}
