/*
 * signerd: verifies signed instruction bundles and packages.  It owns no
 * keys to sign anything, touches no disk and no network: public keys come
 * from the parent, blobs from uplinkd, verdicts go to auditd and verified
 * instructions to the parent.
 */
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "log.h"
#include "msg.h"

struct signerd {
	struct child		 c;
	struct imsgev		 uplinkd;
	struct imsgev		 auditd;
	struct signer_conf	 conf;
};

static void
parent_msg(struct child *c, struct imsg *m)
{
	struct signerd	*sd = c->ctx;

	switch (m->hdr.type) {
	case IMSG_CONF_SIGNERD:
		if (msg_conf_signerd_decode(m->data, m->len, &sd->conf) == -1)
			fatalx("bad CONF_SIGNERD from parent");
		log_debug("configuration: instruction key %zu bytes, "
		    "package key %zu bytes", sd->conf.instr_keylen,
		    sd->conf.pkg_keylen);
		child_ready(c);
		break;
	default:
		fatalx("unexpected %s from parent", msgtype_name(m->hdr.type));
	}
}

static void
uplinkd_msg(struct imsgev *iev, struct imsg *m, void *arg)
{
	switch (m->hdr.type) {
	case IMSG_SIGNED_BLOB:
		log_warnx("signed blob of %zu bytes: verification not "
		    "implemented yet", m->len);
		break;
	default:
		fatalx("unexpected %s from uplinkd", msgtype_name(m->hdr.type));
	}
}

int
main(int argc, char *argv[])
{
	static struct signerd	 sd;

	child_init(&sd.c, PROC_SIGNERD, argc, argv);
	sd.c.ctx = &sd;
	sd.c.dispatch = parent_msg;
	child_peer(&sd.c, &sd.uplinkd, PROC_UPLINKD, uplinkd_msg, &sd);
	child_peer(&sd.c, &sd.auditd, PROC_AUDITD, NULL, &sd);
	child_sandbox(&sd.c, &signerd_sandbox);
	return child_run(&sd.c);
}
