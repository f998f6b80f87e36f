/*
 * signerd: verifies signed instruction bundles and packages.  It owns no
 * keys to sign anything, touches no disk and no network: public keys come
 * from the parent, blobs from uplinkd, verdicts go to auditd and verified
 * instructions to the parent.
 */
#include <stdlib.h>
#include <string.h>

#include "chan/parent_signerd.h"
#include "chan/signerd_auditd.h"
#include "chan/uplinkd_signerd.h"
#include "child.h"
#include "log.h"

struct signerd {
	struct child		 c;
	struct imsgev		 uplinkd;
	struct imsgev		 auditd;
	struct signer_conf	 conf;
};

/* parent -> signerd (the lifecycle messages are child.c's) */
static void
parent_msg(struct child *c, struct imsg *m)
{
	struct signerd	*sd = c->ctx;

	switch (m->hdr.type) {
	case IMSG_CONF_SIGNERD:
		if (msg_conf_signerd_decode(m->data, m->len, &sd->conf) == -1)
			fatalx("bad CONF_SIGNERD from parent");
		log_debug("configuration: instruction keys %zu bytes, "
		    "package keys %zu bytes", sd->conf.instr_keylen,
		    sd->conf.pkg_keylen);
		child_ready(c);
		break;
	default:
		imsgev_unexpected(&c->parent, m);
	}
}

/* uplinkd -> signerd: the channel lists no message yet */
static void
uplinkd_msg(struct imsgev *iev, struct imsg *m, void *arg)
{
	switch (m->hdr.type) {
	default:
		imsgev_unexpected(iev, m);
	}
}

int
main(int argc, char *argv[])
{
	static struct signerd	 sd;

	child_init(&sd.c, &chan_parent_signerd, argc, argv);
	sd.c.ctx = &sd;
	sd.c.dispatch = parent_msg;
	child_peer(&sd.c, &sd.uplinkd, &chan_uplinkd_signerd, uplinkd_msg,
	    &sd);
	child_peer(&sd.c, &sd.auditd, &chan_signerd_auditd, NULL, &sd);
	child_sandbox(&sd.c, &signerd_sandbox);
	return child_run(&sd.c);
}
