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
 *
 * Retention (retention.h) prunes old readings and delivered documents'
 * bytes in short steps between everything else: after each cycle, at
 * start and every RETENTION_CHECK seconds.
 *
 * Check-ins (gateway.h) share uplinkd with the outbox: one job at a time,
 * the check-in first when both wait.  Their results, signerd's verdicts,
 * the parent's word on each instruction and each installed package are
 * records of the log.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chan/auditd_uplinkd.h"
#include "chan/collectd_auditd.h"
#include "chan/parent_auditd.h"
#include "chan/signerd_auditd.h"
#include "child.h"
#include "clock.h"
#include "db.h"
#include "gateway.h"
#include "incident.h"
#include "log.h"
#include "outbox.h"
#include "report.h"
#include "retention.h"
#include "store.h"
#include "txlog.h"
#include "xmlsafe.h"

/* the parent's events wait while a cycle's transaction is open */
#define EVENTS_MAX	32

struct auditd {
	struct child		 c;
	struct imsgev		 collectd;
	struct imsgev		 uplinkd;
	struct imsgev		 signerd;
	struct auditd_conf	 conf;
	struct msg_audit_event	*events;	/* EVENTS_MAX, waiting */
	size_t			 nevents;
	struct db		 db;
	struct rpt_device	 dev;		/* large: decoded here */
	struct store		*store;
	struct outbox		*outbox;
	struct event		*ev_outbox;	/* the next attempt is due */
	struct retention	*retention;
	struct event		*ev_retention;	/* its next step */
	struct gateway		*gw;		/* check-ins and packages */
	struct wbuf		 checkin_doc;
	uint64_t		 checkin_job;	/* in flight, 0: none */
	uint64_t		 checkin_jobs;
	int			 checkin_wanted;
	struct event		*ev_checkin;	/* after a Retry-After */
	int			 started;	/* state sent to the parent */
};

/* hand uplinkd the next document if one is due, else wait for it */
static void
outbox_go(struct auditd *ad)
{
	struct timeval	 tv;
	int64_t		 now = clock_now(), wake;

	if (ad->checkin_job != 0)	/* uplinkd takes one job at a time */
		return;
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

/*
 * Retention's next step (retention.h), never while a cycle's transaction
 * is open: the cycle's end calls it again.  Each step is one short
 * transaction; between two, the event loop serves everything else.
 */
static void
retention_go(struct auditd *ad)
{
	struct timeval	 tv = { 0, 0 };
	int		 r;

	if (store_busy(ad->store) || !ad->started)
		return;
	if ((r = retention_step(ad->retention, clock_now())) == -1)
		fatalx("%s", retention_error(ad->retention));
	if (r == 0)
		tv.tv_sec = RETENTION_CHECK;
	evtimer_add(ad->ev_retention, &tv);
}

static void
on_retention_timer(evutil_socket_t fd, short ev, void *arg)
{
	retention_go(arg);
}

/* a check-in asked for goes as soon as uplinkd is free */
static void
checkin_go(struct auditd *ad)
{
	struct msg_upload_job	 j;

	if (!ad->checkin_wanted || ad->checkin_job != 0 ||
	    outbox_inflight(ad->outbox) != 0)
		return;
	ad->checkin_wanted = 0;
	if (gateway_checkin_job(ad->gw, ++ad->checkin_jobs, &ad->checkin_doc,
	    &j) == -1)
		fatalx("check-in: %s", gateway_error(ad->gw));
	ad->checkin_job = j.job;
	msg_upload_job_send(&ad->uplinkd, &j);
}

static void
send_profile(void *arg, const struct msg_profile_package *pp)
{
	struct auditd	*ad = arg;

	msg_profile_package_send(&ad->c.parent, pp);
}

/* what the parent and signerd need of the gateway's state */
static void
send_gateway_state(struct auditd *ad)
{
	struct gw_state	 s;

	if (gateway_state(ad->gw, &s) == -1)
		fatalx("%s", gateway_error(ad->gw));
	msg_gateway_state_send(&ad->c.parent, &s);
}

/* outbox.c's sender: the job, streamed to uplinkd */
static void
send_job(void *arg, const struct msg_upload_job *job)
{
	struct auditd	*ad = arg;

	msg_upload_job_send(&ad->uplinkd, job);
}

/* the outbox for the parent: asked (peer id of the asker) or after an
 * upload result (peer id 0) */
static void
send_outbox_status(struct auditd *ad, uint32_t peerid)
{
	struct msg_outbox_status	 s;

	if (outbox_status(ad->outbox, clock_now(), &s) == -1)
		fatalx("%s", outbox_error(ad->outbox));
	if (gateway_status(ad->gw, &s) == -1)
		fatalx("%s", gateway_error(ad->gw));
	if (retention_status(ad->retention, &s) == -1)
		fatalx("%s", retention_error(ad->retention));
	s.inflight = s.inflight || ad->checkin_job != 0;
	msg_outbox_status_send(&ad->c.parent, peerid, &s);
}

/* the parent's records, once no cycle's transaction is open */
static void
events_flush(struct auditd *ad)
{
	struct msg_audit_event	*e;
	size_t			 i;
	int64_t			 seq;

	if (store_busy(ad->store) || ad->nevents == 0)
		return;
	if (db_begin(&ad->db) == -1)
		fatalx("transaction log: %s", db_errmsg(&ad->db));
	for (i = 0; i < ad->nevents; i++) {
		e = &ad->events[i];
		if (txlog_append(ad->db.h, e->time, e->kind, e->summary,
		    e->detail, &seq) == -1)
			fatalx("transaction log: %s", db_errmsg(&ad->db));
		log_info("%s: %s; transaction log record %" PRId64, e->kind,
		    e->summary, seq);
	}
	if (db_commit(&ad->db) == -1)
		fatalx("transaction log: %s", db_errmsg(&ad->db));
	explicit_bzero(ad->events, ad->nevents * sizeof(*ad->events));
	ad->nevents = 0;
}

static void
audit_event(struct auditd *ad, struct imsg *m)
{
	if (ad->nevents == EVENTS_MAX)
		fatalx("more than %d transactions from the parent wait for "
		    "the end of a cycle", EVENTS_MAX);
	if (msg_audit_event_decode(m->data, m->len,
	    &ad->events[ad->nevents]) == -1)
		fatalx("bad AUDIT_EVENT from parent");
	ad->nevents++;
	events_flush(ad);
}

static void
configure(struct auditd *ad, struct imsg *m)
{
	struct auditd_conf	 nc;
	char			 err[512];

	if (msg_conf_auditd_decode(m->data, m->len, &nc) == -1)
		fatalx("bad CONF_AUDITD from parent");
	if (outbox_configure(ad->outbox, &nc, err, sizeof(err)) == -1)
		fatalx("the protocol schema: %s", err);
	auditd_conf_clear(&ad->conf);
	ad->conf = nc;
	store_set_send(ad->store, nc.send);
	retention_configure(ad->retention, nc.retention_days);
	gateway_configure(ad->gw, &ad->conf);
	if (!ad->started) {
		/* the installed profiles, then the state: the parent sends
		 * collectd its profiles before the first cycle can start */
		if (gateway_profiles(ad->gw, send_profile, ad) == -1)
			fatalx("%s", gateway_error(ad->gw));
		send_gateway_state(ad);
		ad->started = 1;
	}
	child_ready(&ad->c);
	outbox_go(ad);
	retention_go(ad);
}

/*
 * The operator's requeue or drop, answered to the parent for its client
 * (the peer id).  While a cycle's transaction is open it is refused: the
 * change would commit with the cycle, or not at all.
 */
static void
outbox_operator(struct auditd *ad, struct imsg *m)
{
	struct msg_outbox_op		 op;
	struct msg_outbox_op_done	 d;
	int				 r;

	if (msg_outbox_op_decode(m->data, m->len, &op) == -1)
		fatalx("bad OUTBOX_OP from parent");
	memset(&d, 0, sizeof(d));
	if (store_busy(ad->store)) {
		(void)strlcpy(d.text, "a cycle is being stored: try again "
		    "when it is", sizeof(d.text));
		r = 1;
	} else if ((r = outbox_op(ad->outbox, op.op, op.id, op.uid,
	    clock_now(), d.text, sizeof(d.text))) == -1)
		fatalx("%s", outbox_error(ad->outbox));
	d.ok = r == 0;
	msg_outbox_op_done_send(&ad->c.parent, m->hdr.peerid, &d);
	if (r == 0)
		outbox_go(ad);
}

/* an incident the administrator typed: recorded, or why not */
static void
incident_new(struct auditd *ad, struct imsg *m)
{
	struct incident_req	 r;
	struct incident_done	 d;
	char			 err[512];

	if (msg_incident_req_decode(m->data, m->len, &r) == -1)
		fatalx("bad INCIDENT_NEW from parent");
	if (store_busy(ad->store)) {
		memset(&d, 0, sizeof(d));
		d.result = INC_DONE_BUSY;
		(void)strlcpy(d.text, "a cycle is being stored: try again "
		    "when it is", sizeof(d.text));
	} else if (incident_record(&ad->db, &r, clock_now(), &d, err,
	    sizeof(err)) == -1)
		fatalx("incident: %s", err);
	msg_incident_done_send(&ad->c.parent, m->hdr.peerid, &d);
}

/* parent -> auditd (the lifecycle messages are child.c's) */
static void
parent_msg(struct child *c, struct imsg *m)
{
	struct auditd			*ad = c->ctx;
	struct msg_instruction_done	 d;

	switch (m->hdr.type) {
	case IMSG_CONF_AUDITD:
		configure(ad, m);
		break;
	case IMSG_AUDIT_EVENT:
		audit_event(ad, m);
		break;
	case IMSG_OUTBOX_KICK:
		if (msg_empty_decode(m->data, m->len) == -1)
			fatalx("bad OUTBOX_KICK from parent");
		if (outbox_kick(ad->outbox, clock_now()) == -1)
			fatalx("%s", outbox_error(ad->outbox));
		outbox_go(ad);
		break;
	case IMSG_OUTBOX_STATUS_REQ:
		if (msg_empty_decode(m->data, m->len) == -1)
			fatalx("bad OUTBOX_STATUS_REQ from parent");
		send_outbox_status(ad, m->hdr.peerid);
		break;
	case IMSG_CHECKIN_NOW:
		if (msg_empty_decode(m->data, m->len) == -1)
			fatalx("bad CHECKIN_NOW from parent");
		ad->checkin_wanted = 1;
		checkin_go(ad);
		break;
	case IMSG_INSTRUCTION_DONE:
		if (msg_instruction_done_decode(m->data, m->len, &d) == -1)
			fatalx("bad INSTRUCTION_DONE from parent");
		if (gateway_instruction(ad->gw, &d, clock_now()) == -1)
			fatalx("%s", gateway_error(ad->gw));
		break;
	case IMSG_OUTBOX_OP:
		outbox_operator(ad, m);
		break;
	case IMSG_INCIDENT_NEW:
		incident_new(ad, m);
		break;
	default:
		imsgev_unexpected(&c->parent, m);
	}
}

/* a stored cycle: tell the parent, and its document may go */
static void
cycle_stored(struct auditd *ad, const struct rpt_cycle *c)
{
	char	 summary[512];

	rpt_cycle_summary(summary, sizeof(summary), c->id, c);
	log_info("%s; transaction log record %" PRId64, summary, c->txseq);
	msg_cycle_stored_send(&ad->c.parent, c);
	events_flush(ad);
	outbox_go(ad);
	retention_go(ad);
}

/* collectd -> auditd: the report stream, one transaction per cycle */
static void
collectd_msg(struct imsgev *iev, struct imsg *m, void *arg)
{
	struct auditd		*ad = arg;
	struct store		*st = ad->store;
	union {
		struct rpt_cycle	 c;
		struct rpt_meter	 m;
		struct rpt_supply	 s;
		struct rpt_alert	 a;
		struct rpt_jobdata	 j;
	}			 u;
	struct rpt_cycle	 stored;
	const char		*what = imsg_type_name(m->hdr.type);
	int			 r;

	switch (m->hdr.type) {
	case IMSG_CYCLE_BEGIN:
		if (msg_cycle_decode(m->data, m->len, &u.c) == -1)
			fatalx("bad %s from collectd", what);
		r = store_cycle_begin(st, &u.c);
		break;
	case IMSG_DEV_BEGIN:
		/* decoded where the store keeps it: no copy of 7 KB */
		if (msg_device_decode(m->data, m->len,
		    store_device_buf(st)) == -1)
			fatalx("bad %s from collectd", what);
		r = store_device(st, store_device_buf(st));
		break;
	case IMSG_DEV_METER:
		if (msg_meter_decode(m->data, m->len, &u.m) == -1)
			fatalx("bad %s from collectd", what);
		r = store_meter(st, &u.m);
		break;
	case IMSG_DEV_SUPPLY:
		if (msg_supply_decode(m->data, m->len, &u.s) == -1)
			fatalx("bad %s from collectd", what);
		r = store_supply(st, &u.s);
		break;
	case IMSG_DEV_ALERT:
		if (msg_alert_decode(m->data, m->len, &u.a) == -1)
			fatalx("bad %s from collectd", what);
		r = store_alert(st, &u.a);
		break;
	case IMSG_DEV_JOBDATA:
		if (msg_jobdata_decode(m->data, m->len, &u.j) == -1)
			fatalx("bad %s from collectd", what);
		r = store_jobdata(st, &u.j);
		break;
	case IMSG_DEV_END:
		if (msg_empty_decode(m->data, m->len) == -1)
			fatalx("bad %s from collectd", what);
		r = store_device_end(st);
		break;
	case IMSG_CYCLE_END:
		if (msg_cycle_decode(m->data, m->len, &u.c) == -1)
			fatalx("bad %s from collectd", what);
		if ((r = store_cycle_end(st, &u.c, &stored)) == 0)
			cycle_stored(ad, &stored);
		break;
	default:
		imsgev_unexpected(iev, m);
	}
	if (r == -1)
		fatalx("storing collectd's %s: %s", what, store_error(st));
}

static void
on_checkin_again(evutil_socket_t fd, short ev, void *arg)
{
	struct auditd	*ad = arg;

	ad->checkin_wanted = 1;
	checkin_go(ad);
}

/*
 * A busy server said when to come back (Retry-After): the check-in is
 * tried again then, and up to a tenth later, so that gateways refused
 * together do not come back together.  The seconds until then.
 */
static int64_t
checkin_again(struct auditd *ad, uint32_t retry_after)
{
	struct timeval	 tv;

	tv.tv_sec = (time_t)retry_after + arc4random_uniform(retry_after /
	    10 + 1);
	tv.tv_usec = 0;
	evtimer_add(ad->ev_checkin, &tv);
	return tv.tv_sec;
}

/* uplinkd -> auditd: the result of the job in flight */
static void
uplinkd_msg(struct imsgev *iev, struct imsg *m, void *arg)
{
	struct auditd			*ad = arg;
	struct msg_upload_result	 r;
	int64_t				 now, again = 0;
	char				 err[512];

	switch (m->hdr.type) {
	case IMSG_UPLOAD_RESULT:
		if (msg_upload_result_decode(m->data, m->len, &r) == -1)
			fatalx("bad UPLOAD_RESULT from uplinkd");
		if (r.kind == JOB_CHECKIN) {
			if (r.job != ad->checkin_job)
				fatalx("uplinkd: a result for check-in %"
				    PRIu64 ", which is not in flight", r.job);
			ad->checkin_job = 0;
			now = clock_now();
			if (r.status != UP_DELIVERED && r.retry_after > 0)
				again = checkin_again(ad, r.retry_after);
			if (gateway_checkin_result(ad->gw, &r, now, again ?
			    now + again : 0) == -1)
				fatalx("%s", gateway_error(ad->gw));
			if (r.status == UP_DELIVERED &&
			    incident_server_status(&ad->db, r.incidents,
			    r.nincidents, clock_now(), err, sizeof(err)) == -1)
				fatalx("%s", err);
		} else if (outbox_result(ad->outbox, &r, clock_now()) == -1)
			fatalx("uplinkd: %s", outbox_error(ad->outbox));
		checkin_go(ad);
		outbox_go(ad);
		send_outbox_status(ad, 0);
		break;
	default:
		imsgev_unexpected(iev, m);
	}
}

/* signerd -> auditd: verdicts, and verified packages to install */
static void
signerd_msg(struct imsgev *iev, struct imsg *m, void *arg)
{
	struct auditd			*ad = arg;
	struct msg_verdict		 v;
	struct msg_package_store	 ps;
	struct msg_profile_package	 pp;
	int				 r;

	switch (m->hdr.type) {
	case IMSG_VERDICT:
		if (msg_verdict_decode(m->data, m->len, &v) == -1)
			fatalx("bad VERDICT from signerd");
		if (gateway_verdict(ad->gw, &v, clock_now()) == -1)
			fatalx("%s", gateway_error(ad->gw));
		break;
	case IMSG_PACKAGE_STORE:
		if (msg_package_store_decode(m->data, m->len, &ps) == -1)
			fatalx("bad PACKAGE_STORE from signerd");
		if ((r = gateway_install(ad->gw, &ps, clock_now())) == -1)
			fatalx("installing package %s: %s", ps.id.name,
			    gateway_error(ad->gw));
		if (r == 0)
			break;
		if (ps.id.kind == PKG_PROFILE) {
			pp.id = ps.id;
			pp.data = ps.file;
			pp.len = ps.filelen;
			msg_profile_package_send(&ad->c.parent, &pp);
		}
		send_gateway_state(ad);
		break;
	default:
		imsgev_unexpected(iev, m);
	}
}

static void
auditd_state(struct child *c, char *buf, size_t len)
{
	struct auditd	*ad = c->ctx;
	size_t		 n;

	store_state(ad->store, buf, len);
	if ((n = strlen(buf)) + 3 < len) {
		(void)strlcat(buf, "; ", len);
		outbox_state(ad->outbox, clock_now(), buf + n + 2, len - n - 2);
	}
}

static void
lock_state(const char *dir)
{
	int	 fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("state directory %s", dir);
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			fatalx("state directory %s is in use by another auditd",
			    dir);
		fatal("locking the state directory %s", dir);
	}
}

int
main(int argc, char *argv[])
{
	static struct auditd	 ad;
	char			 err[512];
	int			 r;

	child_init(&ad.c, &chan_parent_auditd, argc, argv);
	ad.c.ctx = &ad;
	ad.c.dispatch = parent_msg;
	ad.c.state = auditd_state;
	child_peer(&ad.c, &ad.collectd, &chan_collectd_auditd, collectd_msg,
	    &ad);
	child_peer(&ad.c, &ad.uplinkd, &chan_auditd_uplinkd, uplinkd_msg, &ad);
	child_peer(&ad.c, &ad.signerd, &chan_signerd_auditd, signerd_msg, &ad);
	if ((ad.events = calloc(EVENTS_MAX, sizeof(*ad.events))) == NULL)
		fatal(NULL);
	/*
	 * One auditd per state directory: a second one (another callhomed
	 * on the same state, or a restart while the old one lingers) stops
	 * here.  The lock lives as long as this descriptor, our whole life.
	 */
	lock_state(ad.c.sbp.root);
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
	ad.retention = retention_new(&ad.db);
	if ((ad.ev_retention = evtimer_new(ad.c.base, on_retention_timer,
	    &ad)) == NULL)
		fatalx("evtimer_new");
	if ((ad.ev_checkin = evtimer_new(ad.c.base, on_checkin_again,
	    &ad)) == NULL)
		fatalx("evtimer_new");
	if ((ad.gw = gateway_new(&ad.db, "/" PKG_DIR)) == NULL)
		fatal("gateway_new");
	wbuf_init(&ad.checkin_doc);
	log_debug("database %s open, schema version %d", DB_PATH,
	    db_schema_version(&ad.db));

	r = child_run(&ad.c);
	store_free(ad.store);	/* rolls back a cycle left open */
	event_free(ad.ev_outbox);
	event_free(ad.ev_retention);
	event_free(ad.ev_checkin);
	retention_free(ad.retention);
	outbox_free(ad.outbox);
	gateway_free(ad.gw);
	wbuf_free(&ad.checkin_doc);
	db_close(&ad.db);
	auditd_conf_clear(&ad.conf);
	free(ad.events);
	return r;
}
