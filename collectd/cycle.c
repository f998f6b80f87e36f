/*
 * A collection cycle: every configured device, then every address of the
 * discovery ranges (expanded as they are needed, never all at once), with
 * at most max_active devices being collected at a time.  Each finished
 * device is reported to auditd at once and forgotten; the cycle ends with
 * its counts, to auditd and to the parent.
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
		return device_new(cd, &dv->addr, dv->addrlen, &dv->opts, 0);
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
		    -1)
			continue;
		cy->summary.probed++;
		return device_new(cd, &ss, sslen, &cy->next_disc->opts, 1);
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
	cy->running = 0;
	collectd_cycle_ended(cd);
}

void
cycle_device_done(struct collectd *cd, struct device *d, int reported,
    int outcome)
{
	struct cycle	*cy = &cd->cycle;

	if (reported) {
		cy->summary.ndevices++;
		if (outcome >= 0 && outcome < DEV_OUTCOME_MAX)
			cy->summary.count[outcome]++;
	}
	cy->active--;
	device_free(d);
	fill(cd);
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
	memset(cy, 0, sizeof(*cy));
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
