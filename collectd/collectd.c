/*
 * collectd: polls printers over SNMP (UDP) and streams typed device
 * reports to auditd.  No disk, no TCP, no TLS, no channel to uplinkd.
 */
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "config.h"
#include "log.h"
#include "msg.h"

struct collectd {
	struct child		 c;
	struct imsgev		 auditd;
	struct callhome_conf	*conf;
};

static void
parent_msg(struct child *c, struct imsg *m)
{
	struct collectd		*cd = c->ctx;
	struct callhome_conf	*nc;

	switch (m->hdr.type) {
	case IMSG_CONF_COLLECTD:
		nc = config_new_default();
		if (msg_conf_collectd_decode(m->data, m->len, nc) == -1)
			fatalx("bad CONF_COLLECTD from parent");
		if (cd->conf != NULL)
			config_free(cd->conf);
		cd->conf = nc;
		child_ready(c);
		break;
	case IMSG_COLLECT_START:
		log_warnx("collection not implemented yet");
		break;
	default:
		fatalx("unexpected %s from parent", msgtype_name(m->hdr.type));
	}
}

int
main(int argc, char *argv[])
{
	static struct collectd	 cd;

	child_init(&cd.c, PROC_COLLECTD, argc, argv);
	cd.c.ctx = &cd;
	cd.c.dispatch = parent_msg;
	child_peer(&cd.c, &cd.auditd, PROC_AUDITD, NULL, &cd);
	child_sandbox(&cd.c, &collectd_sandbox);
	return child_run(&cd.c);
}
