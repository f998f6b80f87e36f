/*
 * auditd: the transaction log, the readings database, the outbox spool
 * and the package store, all in its state directory, which is its root.
 * No network at all.
 */
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "config.h"
#include "log.h"
#include "msg.h"

struct auditd {
	struct child		 c;
	struct imsgev		 collectd;
	struct imsgev		 uplinkd;
	struct imsgev		 signerd;
	struct callhome_conf	*conf;
};

static void
parent_msg(struct child *c, struct imsg *m)
{
	struct auditd		*ad = c->ctx;
	struct callhome_conf	*nc;

	switch (m->hdr.type) {
	case IMSG_CONF_AUDITD:
		nc = config_new_default();
		if (msg_conf_auditd_decode(m->data, m->len, nc) == -1)
			fatalx("bad CONF_AUDITD from parent");
		if (ad->conf != NULL)
			config_free(ad->conf);
		ad->conf = nc;
		child_ready(c);
		break;
	default:
		log_debug("%s from parent: not implemented yet",
		    msgtype_name(m->hdr.type));
		break;
	}
}

static void
collectd_msg(struct imsgev *iev, struct imsg *m, void *arg)
{
	log_debug("%s from collectd: not implemented yet",
	    msgtype_name(m->hdr.type));
}

static void
uplinkd_msg(struct imsgev *iev, struct imsg *m, void *arg)
{
	log_debug("%s from uplinkd: not implemented yet",
	    msgtype_name(m->hdr.type));
}

static void
signerd_msg(struct imsgev *iev, struct imsg *m, void *arg)
{
	log_debug("%s from signerd: not implemented yet",
	    msgtype_name(m->hdr.type));
}

int
main(int argc, char *argv[])
{
	static struct auditd	 ad;

	child_init(&ad.c, PROC_AUDITD, argc, argv);
	ad.c.ctx = &ad;
	ad.c.dispatch = parent_msg;
	child_peer(&ad.c, &ad.collectd, PROC_COLLECTD, collectd_msg, &ad);
	child_peer(&ad.c, &ad.uplinkd, PROC_UPLINKD, uplinkd_msg, &ad);
	child_peer(&ad.c, &ad.signerd, PROC_SIGNERD, signerd_msg, &ad);
	child_sandbox(&ad.c, &auditd_sandbox);
	return child_run(&ad.c);
}
