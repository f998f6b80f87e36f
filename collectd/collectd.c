/*
 * collectd: polls printers over SNMP (UDP) and streams typed device
 * reports to auditd.  No disk, no TCP, no TLS, no channel to uplinkd.
 */
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "chan/collectd_auditd.h"
#include "collectd.h"
#include "jobseal.h"
#include "log.h"

/* a new configuration waits for the end of a running cycle */
static void
apply_conf(struct collectd *cd)
{
	if (cd->pending_conf == NULL || cd->cycle.running)
		return;
	collectd_forget_profiles(cd);
	collectd_targets_remap(cd, cd->conf, cd->pending_conf);
	collectd_conf_free(cd->conf);
	cd->conf = cd->pending_conf;
	cd->pending_conf = NULL;
	log_debug("configuration applied: %zu vendor profiles",
	    cd->conf->profile_set ? cd->conf->profile_set->n : 0);
}

static void
parent_msg(struct child *c, struct imsg *m)
{
	struct collectd			*cd = c->ctx;
	struct collectd_conf		*nc;
	struct msg_collect_start	 cs;

	switch (m->hdr.type) {
	case IMSG_CONF_COLLECTD:
		nc = collectd_conf_new();
		if (msg_conf_collectd_decode(m->data, m->len, nc) == -1)
			fatalx("bad CONF_COLLECTD from parent");
		collectd_conf_free(cd->pending_conf);
		cd->pending_conf = nc;
		apply_conf(cd);
		child_ready(c);
		break;
	case IMSG_COLLECT_START:
		if (msg_collect_start_decode(m->data, m->len, &cs) == -1)
			fatalx("bad COLLECT_START from parent");
		if (cd->conf == NULL)
			fatalx("COLLECT_START before configuration");
		cycle_start(cd, cs.token, cs.reason);
		break;
	default:
		imsgev_unexpected(&c->parent, m);
	}
}

static void
state_line(struct child *c, char *buf, size_t len)
{
	struct collectd		*cd = c->ctx;
	const struct engine_stats *st = engine_stats(cd->eng);

	(void)snprintf(buf, len, "%s, %zu devices active, %llu sent, "
	    "%llu received, %llu timeouts, %llu dropped, %llu SNMPv3 answers "
	    "refused", cd->cycle.running ? "collecting" : "idle",
	    cd->cycle.active, (unsigned long long)st->sent,
	    (unsigned long long)st->received,
	    (unsigned long long)st->timeouts, (unsigned long long)st->dropped,
	    (unsigned long long)st->usm_dropped);
}

/* called by cycle.c when a cycle has ended */
void
collectd_cycle_ended(struct collectd *cd)
{
	apply_conf(cd);
}

int
main(int argc, char *argv[])
{
	static struct collectd	 cd;
	int			 fd4, fd6;

	child_init(&cd.c, &chan_parent_collectd, argc, argv);
	cd.c.ctx = &cd;
	cd.c.dispatch = parent_msg;
	cd.c.state = state_line;
	device_oids_init(&cd.oids);
	/* libcrypto's algorithms for SNMPv3, before the sandbox */
	if (usm_init() == -1)
		fatalx("libcrypto lacks an SNMPv3 algorithm");
	/* and for sealing job data */
	if (jobseal_init() == -1)
		fatalx("libcrypto lacks X25519, HKDF or an AEAD for job data");
	/* large socket buffers need root: make the sockets now */
	if ((fd4 = engine_socket(AF_INET)) == -1)
		fatal("UDP socket");
	if ((fd6 = engine_socket(AF_INET6)) == -1)
		log_debug("no IPv6 socket: IPv6 printers are unreachable");
	child_peer(&cd.c, &cd.auditd, &chan_collectd_auditd, NULL, &cd);
	child_sandbox(&cd.c, &collectd_sandbox);
	cd.eng = engine_new(cd.c.base, fd4, fd6);
	return child_run(&cd.c);
}
