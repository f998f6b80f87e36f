/*
 * auditd: the transaction log, the readings database, the outbox spool
 * and the package store, all in its state directory, which is its root.
 * No network at all.
 */
#include <sys/stat.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "msg.h"
#include "report.h"
#include "store.h"
#include "txlog.h"

struct auditd {
	struct child		 c;
	struct imsgev		 collectd;
	struct imsgev		 uplinkd;
	struct imsgev		 signerd;
	struct callhome_conf	*conf;
	struct blob		 xsd;		/* the protocol schema */
	struct db		 db;
	struct store		*store;
};

static void
parent_msg(struct child *c, struct imsg *m)
{
	struct auditd		*ad = c->ctx;
	struct callhome_conf	*nc;

	switch (m->hdr.type) {
	case IMSG_CONF_AUDITD:
		nc = config_new_default();
		blob_free(&ad->xsd);
		if (msg_conf_auditd_decode(m->data, m->len, nc, &ad->xsd) == -1)
			fatalx("bad CONF_AUDITD from parent");
		if (ad->conf != NULL)
			config_free(ad->conf);
		ad->conf = nc;
		store_set_send(ad->store, nc->send);
		child_ready(c);
		break;
	default:
		log_debug("%s from parent: not implemented yet",
		    msgtype_name(m->hdr.type));
		break;
	}
}

/* collectd's report stream: one transaction per cycle (store.c) */
static void
collectd_msg(struct imsgev *iev, struct imsg *m, void *arg)
{
	struct auditd		*ad = arg;
	struct rpt_cycle	 c;
	struct wbuf		 w;
	char			 summary[512];
	int			 r;

	r = store_imsg(ad->store, m->hdr.type, m->data, m->len, &c);
	if (r == -1)
		fatalx("storing collectd's reports: %s",
		    store_error(ad->store));
	if (r == 0)
		return;
	txlog_collect_summary(summary, sizeof(summary), c.id, &c);
	log_info("%s; transaction log record %" PRId64, summary, c.txseq);
	wbuf_init(&w);
	msg_cycle_encode(&w, &c);
	imsgev_sendw(&ad->c.parent, IMSG_CYCLE_STORED, 0, -1, &w);
	wbuf_free(&w);
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

static void
auditd_state(struct child *c, char *buf, size_t len)
{
	struct auditd	*ad = c->ctx;

	store_state(ad->store, buf, len);
}

int
main(int argc, char *argv[])
{
	static struct auditd	 ad;
	char			 err[512];
	int			 r;

	child_init(&ad.c, PROC_AUDITD, argc, argv);
	ad.c.ctx = &ad;
	ad.c.dispatch = parent_msg;
	ad.c.state = auditd_state;
	child_peer(&ad.c, &ad.collectd, PROC_COLLECTD, collectd_msg, &ad);
	child_peer(&ad.c, &ad.uplinkd, PROC_UPLINKD, uplinkd_msg, &ad);
	child_peer(&ad.c, &ad.signerd, PROC_SIGNERD, signerd_msg, &ad);
	/* libraries that read files on first use: before the chroot */
	txlog_init();
	if (db_init() == -1)
		fatalx("sqlite3_initialize");
	child_sandbox(&ad.c, &auditd_sandbox);

	/* the database lives in the state directory, now our root */
	(void)umask(077);
	if (db_open(&ad.db, DB_PATH, err, sizeof(err)) == -1)
		fatalx("database: %s", err);
	/* PII stays blank until the configuration says otherwise */
	if ((ad.store = store_new(&ad.db, CAT_DEFAULTS)) == NULL)
		fatal("store_new");
	log_debug("database %s open, schema version %d", DB_PATH,
	    db_schema_version(&ad.db));

	r = child_run(&ad.c);
	store_free(ad.store);	/* rolls back a cycle left open */
	db_close(&ad.db);
	if (ad.conf != NULL)
		config_free(ad.conf);
	return r;
}
