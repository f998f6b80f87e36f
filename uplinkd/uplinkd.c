/*
 * uplinkd: speaks TLS and HTTP to the communication server over the one
 * connected socket the parent hands it.  It creates no socket, resolves
 * no name and touches no file.
 */
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "log.h"
#include "msg.h"

struct uplinkd {
	struct child		 c;
	struct imsgev		 auditd;
	struct imsgev		 signerd;
	struct uplink_conf	 conf;
};

static void
parent_msg(struct child *c, struct imsg *m)
{
	struct uplinkd	*ud = c->ctx;

	switch (m->hdr.type) {
	case IMSG_CONF_UPLINKD:
		uplink_conf_clear(&ud->conf);
		if (msg_conf_uplinkd_decode(m->data, m->len, &ud->conf) == -1)
			fatalx("bad CONF_UPLINKD from parent");
		child_ready(c);
		break;
	case IMSG_DIAL_RESULT:
		log_warnx("dial result: uploads not implemented yet");
		break;
	default:
		fatalx("unexpected %s from parent", msgtype_name(m->hdr.type));
	}
}

static void
auditd_msg(struct imsgev *iev, struct imsg *m, void *arg)
{
	switch (m->hdr.type) {
	case IMSG_UPLOAD_JOB:
		log_warnx("upload job of %zu bytes: not implemented yet",
		    m->len);
		break;
	default:
		fatalx("unexpected %s from auditd", msgtype_name(m->hdr.type));
	}
}

int
main(int argc, char *argv[])
{
	static struct uplinkd	 ud;

	child_init(&ud.c, PROC_UPLINKD, argc, argv);
	ud.c.ctx = &ud;
	ud.c.dispatch = parent_msg;
	child_peer(&ud.c, &ud.auditd, PROC_AUDITD, auditd_msg, &ud);
	child_peer(&ud.c, &ud.signerd, PROC_SIGNERD, NULL, &ud);
	child_sandbox(&ud.c, &uplinkd_sandbox);
	return child_run(&ud.c);
}
