/*
 * auditd: the transaction log, the readings database, the outbox spool
 * and the package store, all in its state directory, which is its root.
 * No network at all.
 *
 * The outbox (outbox.h): each cycle's upload document is built and
 * stored in the cycle's transaction (a store hook); with "authorize
 * upload yes" the oldest pending document goes to uplinkd, one job at a
 * time, when it is due: after a cycle is stored, after each result, when
 * the retry timer fires, on the parent's OUTBOX_KICK, and whenever a
 * configuration arrives (so documents left from before a restart go).
 */
#include <sys/stat.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "child.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "msg.h"
#include "outbox.h"
#include "outbox_msg.h"
#include "report.h"
#include "store.h"
#include "txlog.h"
#include "xmlsafe.h"

struct auditd {
	struct child		 c;
	struct imsgev		 collectd;
	struct imsgev		 uplinkd;
	struct imsgev		 signerd;
	struct callhome_conf	*conf;
	struct blob		 xsd;		/* the protocol schema */
	struct db		 db;
	struct store		*store;
	struct outbox		*outbox;
	struct event		*ev_outbox;	/* the next attempt is due */
};

/* hand uplinkd the next document if one is due, else wait for it */
static void
outbox_go(struct auditd *ad)
{
	struct timeval	 tv;
	int64_t		 now = time(NULL), wake;

	if (outbox_pump(ad->outbox, now, &wake) == -1)
		fatalx("%s", outbox_error(ad->outbox));
	if (wake > 0) {
		tv.tv_sec = wake > now ? wake - now : 0;
		tv.tv_usec = 0;
		evtimer_add(ad->ev_outbox, &tv);
	} else
		evtimer_del(ad->ev_outbox);
}

static void
on_outbox_timer(evutil_socket_t fd, short ev, void *arg)
{
	outbox_go(arg);
}

/* outbox.c's sender: the job, streamed to uplinkd */
static void
send_job(void *arg, const struct msg_upload_job *job)
{
	struct auditd	*ad = arg;
	struct wbuf	 w;

	wbuf_init(&w);
	msg_upload_job_encode(&w, job);
	imsgev_sendw(&ad->uplinkd, IMSG_UPLOAD_JOB, 0, -1, &w);
	wbuf_free(&w);
}

/* the outbox for the parent: asked (peer id of the asker) or after an
 * upload result (peer id 0) */
static void
send_outbox_status(struct auditd *ad, uint32_t peerid)
{
	struct msg_outbox_status	 s;
	struct wbuf			 w;

	if (outbox_status(ad->outbox, time(NULL), &s) == -1)
		fatalx("%s", outbox_error(ad->outbox));
	wbuf_init(&w);
	msg_outbox_status_encode(&w, &s);
	imsgev_sendw(&ad->c.parent, IMSG_OUTBOX_STATUS, peerid, -1, &w);
	wbuf_free(&w);
}

static void
outbox_status_reply(struct auditd *ad, struct imsg *m)
{
	if (msg_empty_decode(m->data, m->len) == -1)
		fatalx("bad OUTBOX_STATUS_REQ from parent");
	send_outbox_status(ad, m->hdr.peerid);
}

static void
parent_msg(struct child *c, struct imsg *m)
{
	struct auditd		*ad = c->ctx;
	struct callhome_conf	*nc;
	char			 err[512];

	switch (m->hdr.type) {
	case IMSG_CONF_AUDITD:
		nc = config_new_default();
		blob_free(&ad->xsd);
		if (msg_conf_auditd_decode(m->data, m->len, nc, &ad->xsd) == -1)
			fatalx("bad CONF_AUDITD from parent");
		if (outbox_configure(ad->outbox, nc, ad->xsd.data, ad->xsd.len,
		    err, sizeof(err)) == -1)
			fatalx("the protocol schema: %s", err);
		if (ad->conf != NULL)
			config_free(ad->conf);
		ad->conf = nc;
		store_set_send(ad->store, nc->send);
		child_ready(c);
		outbox_go(ad);
		break;
	case IMSG_OUTBOX_KICK:
		if (msg_empty_decode(m->data, m->len) == -1)
			fatalx("bad OUTBOX_KICK from parent");
		if (outbox_kick(ad->outbox, time(NULL)) == -1)
			fatalx("%s", outbox_error(ad->outbox));
		outbox_go(ad);
		break;
	case IMSG_OUTBOX_STATUS_REQ:
		outbox_status_reply(ad, m);
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
	/* its document is in the outbox now */
	outbox_go(ad);
}

/* the result of the job in flight; any other is a protocol error */
static void
uplinkd_msg(struct imsgev *iev, struct imsg *m, void *arg)
{
	struct auditd			*ad = arg;
	struct msg_upload_result	 r;

	switch (m->hdr.type) {
	case IMSG_UPLOAD_RESULT:
		if (msg_upload_result_decode(m->data, m->len, &r) == -1)
			fatalx("bad UPLOAD_RESULT from uplinkd");
		if (outbox_result(ad->outbox, &r, time(NULL)) == -1)
			fatalx("uplinkd: %s", outbox_error(ad->outbox));
		outbox_go(ad);
		send_outbox_status(ad, 0);
		break;
	default:
		fatalx("unexpected %s from uplinkd",
		    msgtype_name(m->hdr.type));
	}
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
	size_t		 n;

	store_state(ad->store, buf, len);
	if ((n = strlen(buf)) + 3 < len) {
		(void)strlcat(buf, "; ", len);
		outbox_state(ad->outbox, time(NULL), buf + n + 2, len - n - 2);
	}
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
	xmlsafe_init();
	if (db_init() == -1)
		fatalx("sqlite3_initialize");
	/* the database's files are created 0600 */
	(void)umask(077);
	child_sandbox(&ad.c, &auditd_sandbox);

	/* the database lives in the state directory, now our root */
	if (db_open(&ad.db, DB_PATH, err, sizeof(err)) == -1)
		fatalx("database: %s", err);
	/* PII stays blank until the configuration says otherwise */
	if ((ad.store = store_new(&ad.db, CAT_DEFAULTS)) == NULL)
		fatal("store_new");
	if ((ad.outbox = outbox_new(&ad.db, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	/* a cycle and its document commit together */
	store_set_hook(ad.store, outbox_store_hook, ad.outbox);
	outbox_set_sender(ad.outbox, send_job, &ad);
	if ((ad.ev_outbox = evtimer_new(ad.c.base, on_outbox_timer, &ad)) ==
	    NULL)
		fatalx("evtimer_new");
	log_debug("database %s open, schema version %d", DB_PATH,
	    db_schema_version(&ad.db));

	r = child_run(&ad.c);
	store_free(ad.store);	/* rolls back a cycle left open */
	event_free(ad.ev_outbox);
	outbox_free(ad.outbox);
	db_close(&ad.db);
	if (ad.conf != NULL)
		config_free(ad.conf);
	return r;
}
