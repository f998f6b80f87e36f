/*
 * The control socket: a Unix socket, mode 0660, owned by root and the
 * configured group; a client must be root or in that group (the file
 * mode says so to the kernel, SO_PEERCRED and SO_PEERGROUPS say so to
 * us, without reading the group database).  Each client sends one request
 * and gets reply lines and an end.
 *
 * A client is not trusted to read: its answer waits in a bounded queue
 * (CTL_MAX_QUEUED) written only when the socket takes it, and a client
 * that has not read it after CTL_WRITE_WAIT seconds is dropped.  Nothing
 * here ever waits for a client.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "callhomed.h"
#include "clock.h"
#include "log.h"
#include "upload_status.h"

#define CTL_MAX_CLIENTS		16
#define CTL_STATUS_WAIT		5	/* seconds for auditd's part */
#define CTL_MAX_QUEUED		(256 * 1024)	/* bytes waiting per client */
#define CTL_WRITE_WAIT		10	/* seconds for a client to read */

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn)	 entry;
	uint32_t		 id;
	uid_t			 uid;
	struct imsgev		 iev;
	struct callhomed	*ch;
	struct event		*ev_wait;
	int			 waiting;	/* a status in the making */
	int			 op_waiting;	/* an outbox op at auditd */
	int			 inc_waiting;	/* an incident at auditd */
	int			 inc_send;	/* ... with --send */
	int			 closing;	/* its answer is on its way */
	uint32_t		 ping_seq;	/* status: pongs to wait for */
	int			 have_outbox;
	struct msg_outbox_status outbox;
};

static void
conn_close(struct ctl_conn *c)
{
	struct control	*ctl = &c->ch->ctl;

	TAILQ_REMOVE(&ctl->conns, c, entry);
	ctl->nconns--;
	if (c->ev_wait != NULL)
		event_free(c->ev_wait);
	imsgev_clear(&c->iev);
	free(c);
}

/* the answer is written (or will never be): the connection goes */
static void
conn_written(struct imsgev *iev, void *arg)
{
	struct ctl_conn	*c = arg;

	if (c->iev.overflow || !TAILQ_EMPTY(&c->iev.ibuf.outq))
		log_warnx("control: dropped a client (uid %u) that did not "
		    "read its answer", (unsigned)c->uid);
	conn_close(c);
}

/* close once the queued answer is written, never waiting for it */
static void
conn_finish(struct ctl_conn *c)
{
	c->closing = 1;
	imsgev_finish(&c->iev, CTL_WRITE_WAIT, conn_written);
}

void
ctl_reply(struct ctl_conn *c, const char *key, const char *fmt, ...)
{
	struct msg_ctl_reply	 r;
	va_list			 ap;

	memset(&r, 0, sizeof(r));
	(void)strlcpy(r.key, key, sizeof(r.key));
	va_start(ap, fmt);
	(void)vsnprintf(r.value, sizeof(r.value), fmt, ap);
	va_end(ap);
	msg_ctl_reply_send(&c->iev, &r);
}

static void
ctl_end(struct ctl_conn *c, int code)
{
	struct msg_ctl_end	 e;

	e.code = code;
	msg_ctl_end_send(&c->iev, &e);
	conn_finish(c);
}

static void
fmt_time(time_t t, char *buf, size_t len)
{
	struct tm	 tm;

	if (t <= 0 || localtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
		(void)strlcpy(buf, "-", len);
}

/* what the parent knows itself, with the children's fresh answers */
static void
status_parent(struct ctl_conn *c)
{
	struct callhomed	*ch = c->ch;
	const struct rpt_cycle	*lc = &ch->last_cycle;
	char			 t[64], line[512];
	int			 id;

	ctl_reply(c, "uploading", "%s", ch->conf->authorize_upload ?
	    "authorized" : "not authorized (authorize upload no)");
	if (ch->conf->have_server)
		ctl_reply(c, "server", "%s port %u%s%s", ch->conf->server.name,
		    ch->conf->server.port, ch->conf->server.proxy[0] ?
		    " via proxy " : "", ch->conf->server.proxy);
	else
		ctl_reply(c, "server", "none configured");
	if (ch->collecting)
		ctl_reply(c, "collection", "running");
	/* this run's, else the newest in the database */
	if (lc->id == 0 && c->have_outbox)
		lc = &c->outbox.last_cycle;
	if (lc->id > 0) {
		fmt_time((time_t)lc->finished, t, sizeof(t));
		rpt_cycle_summary(line, sizeof(line), lc->id, lc);
		ctl_reply(c, "last collection", "%s at %s", line, t);
	}
	fmt_time(ch->next_collect, t, sizeof(t));
	ctl_reply(c, "next collection", "%s (daily %02d:%02d, up to %u s "
	    "later)", t, sched_minute_now(ch) / 60, sched_minute_now(ch) % 60,
	    ch->conf->sched_jitter);
	if (checkin_every_now(ch) == 0)
		ctl_reply(c, "next check-in", "never (%s)",
		    ch->conf->trust_instructions[0] == '\0' ?
		    "no trust instructions" : "checkin never");
	else {
		fmt_time(ch->next_checkin, t, sizeof(t));
		ctl_reply(c, "next check-in", "%s, then every %u s%s", t,
		    checkin_every_now(ch), ch->gw.checkin_every != 0 &&
		    checkin_every_now(ch) == ch->gw.checkin_every ?
		    " (instructed)" : "");
	}
	for (id = PROC_COLLECTD; id <= PROC_UPLINKD; id++) {
		const struct kid	*k = &ch->kids[id];

		if (!k->alive)
			ctl_reply(c, proc_name(id), "not running");
		else if (k->pong.seq < c->ping_seq)	/* a later ping counts */
			ctl_reply(c, proc_name(id), "alive, pid %d, did not "
			    "answer in time", (int)k->pid);
		else
			ctl_reply(c, proc_name(id), "alive, pid %d, up %llu s, "
			    "max rss %llu KiB, %s", (int)k->pid,
			    (unsigned long long)k->pong.uptime,
			    (unsigned long long)k->pong.rss_kb, k->pong.state);
	}
}

/* a size for people: 1.5 MiB */
static void
fmt_bytes(uint64_t n, char *buf, size_t len)
{
	if (n >= 1024 * 1024)
		(void)snprintf(buf, len, "%.1f MiB", n / (1024.0 * 1024));
	else if (n >= 1024)
		(void)snprintf(buf, len, "%.1f KiB", n / 1024.0);
	else
		(void)snprintf(buf, len, "%llu bytes", (unsigned long long)n);
}

/* the database's size, and what retention keeps */
static void
control_print_database(struct ctl_conn *c, const struct msg_outbox_status *s)
{
	char	 size[32], freeb[32], t[64];

	fmt_bytes(s->db_bytes, size, sizeof(size));
	fmt_bytes(s->db_free, freeb, sizeof(freeb));
	if (s->oldest_readings > 0)
		fmt_time((time_t)s->oldest_readings, t, sizeof(t));
	else
		(void)strlcpy(t, "none", sizeof(t));
	ctl_reply(c, "database", "%s (%s of it free), readings kept %u "
	    "days, the oldest of %s%s%s", size, freeb,
	    c->ch->conf->retention_days, t, s->retention[0] ? "; " : "",
	    s->retention);
}

/* auditd's part of status: the outbox */
static void
control_print_outbox(struct ctl_conn *c, const struct msg_outbox_status *s)
{
	char	 t[64];

	ctl_reply(c, "outbox", "%u pending (%llu bytes), %llu delivered",
	    s->pending, (unsigned long long)s->pending_bytes,
	    (unsigned long long)s->delivered);
	if (s->last_attempt > 0) {
		fmt_time(s->last_attempt, t, sizeof(t));
		ctl_reply(c, "last upload", "%s: %s%s%s", t,
		    upload_status_name(s->last_result),
		    s->last_error[0] ? ": " : "", s->last_error);
	} else
		ctl_reply(c, "last upload", "never");
	if (s->last_success > 0) {
		fmt_time(s->last_success, t, sizeof(t));
		ctl_reply(c, "last success", "%s, document sha256 %s", t,
		    s->last_sha256);
	} else
		ctl_reply(c, "last success", "never");
	if (s->next_attempt > 0 && s->pending > 0) {
		fmt_time(s->next_attempt, t, sizeof(t));
		ctl_reply(c, "next upload", "%s", t);
	}
	/* a permanent refusal: clear, and what to do about it */
	if (s->refused > 0)
		ctl_reply(c, "refused", "%u documents set aside (%llu bytes), "
		    "not retried; the newest: %s; callhomectl outbox requeue "
		    "ID or drop ID", s->refused,
		    (unsigned long long)s->refused_bytes, s->last_refused);
	if (s->lc_parts > 1 || s->lc_refused + s->lc_pruned > 0)
		ctl_reply(c, "last cycle's documents", "%u parts: %u delivered, "
		    "%u pending, %u refused, %u pruned", s->lc_parts,
		    s->lc_delivered, s->lc_parts - s->lc_delivered -
		    s->lc_refused - s->lc_pruned, s->lc_refused, s->lc_pruned);
	control_print_database(c, s);
	if (s->checkin_time > 0) {
		fmt_time(s->checkin_time, t, sizeof(t));
		ctl_reply(c, "last check-in", "%s: %s%s%s, %u bundles", t,
		    upload_status_name(s->checkin_result),
		    s->checkin_error[0] ? ": " : "", s->checkin_error,
		    s->checkin_bundles);
	} else
		ctl_reply(c, "last check-in", "never");
	if (s->instruction_time > 0) {
		fmt_time(s->instruction_time, t, sizeof(t));
		ctl_reply(c, "last instruction", "%s: %s", t, s->instruction);
	} else
		ctl_reply(c, "last instruction", "none");
}

/* everything in (or the time is up): the whole status at once */
static void
status_finish(struct ctl_conn *c, int complete)
{
	c->waiting = 0;
	status_parent(c);
	if (c->have_outbox)
		control_print_outbox(c, &c->outbox);
	else
		ctl_reply(c, "outbox", "auditd did not answer in time");
	ctl_end(c, complete ? 0 : 1);
}

static int
pongs_in(const struct ctl_conn *c)
{
	int	 id;

	for (id = PROC_COLLECTD; id <= PROC_UPLINKD; id++)
		if (c->ch->kids[id].alive &&
		    c->ch->kids[id].pong.seq < c->ping_seq)
			return 0;
	return 1;
}

static void
status_timeout(evutil_socket_t fd, short ev, void *arg)
{
	status_finish(arg, 0);
}

static struct ctl_conn *
conn_by_id(struct control *ctl, uint32_t id)
{
	struct ctl_conn	*c;

	TAILQ_FOREACH(c, &ctl->conns, entry)
		if (c->id == id && !c->closing)
			return c;
	return NULL;
}

/* auditd's OUTBOX_STATUS, for a waiting client (peer id = client id) */
void
control_outbox_status(struct callhomed *ch, struct imsg *m)
{
	struct msg_outbox_status	 s;
	struct ctl_conn			*c;

	/* decoded even when nobody waits: a bad one is always fatal */
	if (msg_outbox_status_decode(m->data, m->len, &s) == -1)
		fatalx("bad OUTBOX_STATUS from auditd");
	/*
	 * -1: auditd answers in order, so the answer to the request sent
	 * after the kick is the first status that knows of the kick; the
	 * results reported before it (peer id 0) are of older attempts.
	 */
	if (m->hdr.peerid == ONCE_PEERID) {
		ch->once_armed = 1;
		once_outbox(ch, &s);
		return;
	}
	if (m->hdr.peerid == 0) {
		once_outbox(ch, &s);
		checkin_outbox_news(ch, &s);
		return;
	}
	if ((c = conn_by_id(&ch->ctl, m->hdr.peerid)) == NULL || !c->waiting)
		return;
	c->outbox = s;
	c->have_outbox = 1;
	if (pongs_in(c))
		status_finish(c, 1);
}

/* auditd's answer to an operator's requeue or drop (peer id = client) */
void
control_outbox_op_done(struct callhomed *ch, struct imsg *m)
{
	struct msg_outbox_op_done	 d;
	struct ctl_conn			*c;

	if (msg_outbox_op_done_decode(m->data, m->len, &d) == -1)
		fatalx("bad OUTBOX_OP_DONE from auditd");
	if ((c = conn_by_id(&ch->ctl, m->hdr.peerid)) == NULL ||
	    !c->op_waiting)
		return;
	c->op_waiting = 0;
	if (c->ev_wait != NULL)
		evtimer_del(c->ev_wait);
	ctl_reply(c, "outbox", "%s", d.text);
	ctl_end(c, d.ok ? 0 : 1);
}

static void
op_timeout(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl_conn	*c = arg;

	if (c->inc_waiting) {
		c->inc_waiting = 0;
		ctl_reply(c, "incident", "auditd did not answer in time");
		ctl_end(c, 1);
		return;
	}
	c->op_waiting = 0;
	ctl_reply(c, "outbox", "auditd did not answer in time");
	ctl_end(c, 1);
}

/*
 * auditd recorded an incident, or says why not (peer id = client).  With
 * --send, a collection now: its document carries every incident not sent
 * yet (after the running one, if one runs: that may have been built
 * before the incident was recorded).
 */
void
control_incident_done(struct callhomed *ch, struct imsg *m)
{
	struct incident_done	 d;
	struct ctl_conn		*c;

	if (msg_incident_done_decode(m->data, m->len, &d) == -1)
		fatalx("bad INCIDENT_DONE from auditd");
	if ((c = conn_by_id(&ch->ctl, m->hdr.peerid)) == NULL ||
	    !c->inc_waiting)
		return;
	c->inc_waiting = 0;
	if (c->ev_wait != NULL)
		evtimer_del(c->ev_wait);
	ctl_reply(c, "incident", "%s", d.text);
	if (d.result != INC_DONE_OK) {
		ctl_end(c, d.result == INC_DONE_BUSY ? 75 : 1);
		return;
	}
	if (!c->inc_send)
		ctl_reply(c, "send", "with the next upload document");
	else if (!ch->conf->authorize_upload)
		ctl_reply(c, "send", "uploading is not authorized (authorize "
		    "upload no): kept for the first upload document");
	else if (ch->collecting) {
		ch->incident_cycle = 1;
		ctl_reply(c, "send", "a collection runs: the one after it "
		    "carries the incident");
	} else {
		collect_now(ch, "incident");
		ctl_reply(c, "send", "collection started: its document "
		    "carries the incident");
	}
	ctl_end(c, 0);
}

static void
handle_incident(struct ctl_conn *c, struct incident_req *r)
{
	struct callhomed	*ch = c->ch;
	struct timeval		 tv = { CTL_STATUS_WAIT, 0 };

	log_info("control: incident %s for \"%s\"%s from uid %u",
	    incident_kind_name(r->kind), r->device, r->send ? ", send" : "",
	    (unsigned)c->uid);
	r->uid = (uint32_t)c->uid;
	c->inc_waiting = 1;
	c->inc_send = r->send;
	if ((c->ev_wait = evtimer_new(ch->base, op_timeout, c)) == NULL)
		fatalx("evtimer_new");
	evtimer_add(c->ev_wait, &tv);
	msg_incident_new_send(&ch->kids[PROC_AUDITD].iev, c->id, r);
}

/* a child answered a ping: a waiting status may be complete now */
void
control_pong(struct callhomed *ch)
{
	struct ctl_conn	*c, *next;

	for (c = TAILQ_FIRST(&ch->ctl.conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->waiting && c->have_outbox && pongs_in(c))
			status_finish(c, 1);
	}
}

static void
handle_request(struct ctl_conn *c, const struct msg_ctl_request *r)
{
	struct callhomed	*ch = c->ch;
	struct timeval		 tv = { CTL_STATUS_WAIT, 0 };
	struct msg_outbox_op	 op;

	if (r->arg != 0)
		log_info("control: %s %lld from uid %u",
		    ctl_command_name(r->command), (long long)r->arg,
		    (unsigned)c->uid);
	else
		log_info("control: %s from uid %u",
		    ctl_command_name(r->command), (unsigned)c->uid);
	switch (r->command) {
	case CTL_STATUS:
		/* fresh words from every child, and the outbox from auditd */
		c->ping_seq = kids_ping(ch);
		c->waiting = 1;
		if ((c->ev_wait = evtimer_new(ch->base, status_timeout, c)) ==
		    NULL)
			fatalx("evtimer_new");
		evtimer_add(c->ev_wait, &tv);
		msg_outbox_status_req_send(&ch->kids[PROC_AUDITD].iev, c->id);
		return;
	case CTL_COLLECT:
		if (ch->collecting) {
			ctl_reply(c, "collect", "a collection is running");
			ctl_end(c, 1);
			return;
		}
		collect_now(ch, "manual");
		ctl_reply(c, "collect", "collection started");
		ctl_end(c, 0);
		return;
	case CTL_SEND:
		if (!ch->conf->authorize_upload) {
			ctl_reply(c, "send", "uploading is not authorized "
			    "(authorize upload no)");
			ctl_end(c, 1);
			return;
		}
		msg_outbox_kick_send(&ch->kids[PROC_AUDITD].iev);
		ctl_reply(c, "send", "delivery of the outbox requested");
		ctl_end(c, 0);
		return;
	case CTL_CHECKIN:
		if (ch->conf->trust_instructions[0] == '\0') {
			ctl_reply(c, "checkin", "no check-in: no trust "
			    "instructions (the keys that sign them) in the "
			    "configuration");
			ctl_end(c, 1);
		} else if (!ch->conf->have_server) {
			ctl_reply(c, "checkin", "no check-in: no server is "
			    "configured");
			ctl_end(c, 1);
		} else if (checkin_now(ch, "manual") == -1) {
			ctl_reply(c, "checkin", "no check-in yet: auditd has "
			    "not given its state; try again");
			ctl_end(c, 1);
		} else {
			ctl_reply(c, "checkin", "check-in requested");
			ctl_end(c, 0);
		}
		return;
	case CTL_OUTBOX_REQUEUE:
	case CTL_OUTBOX_DROP:
		op.op = r->command == CTL_OUTBOX_DROP ? OUTBOX_OP_DROP :
		    OUTBOX_OP_REQUEUE;
		op.id = r->arg;
		op.uid = (uint32_t)c->uid;
		c->op_waiting = 1;
		if ((c->ev_wait = evtimer_new(ch->base, op_timeout, c)) ==
		    NULL)
			fatalx("evtimer_new");
		evtimer_add(c->ev_wait, &tv);
		msg_outbox_op_send(&ch->kids[PROC_AUDITD].iev, c->id, &op);
		return;
	case CTL_RELOAD:
		if (reload(ch) == 0) {
			ctl_reply(c, "reload", "configuration reloaded");
			ctl_end(c, 0);
		} else {
			ctl_reply(c, "reload", "failed: the running "
			    "configuration is kept (see the log)");
			ctl_end(c, 1);
		}
		return;
	}
	ctl_end(c, 2);
}

static void
conn_dispatch(struct imsgev *iev, struct imsg *m, void *arg)
{
	struct ctl_conn		*c = arg;
	struct msg_ctl_request	 r;
	struct incident_req	 inc;
	int			 busy;

	/* one request at a time; a client is not trusted to be
	 * well-formed: anything else drops it, nothing more */
	busy = c->waiting || c->op_waiting || c->inc_waiting || c->closing;
	switch (m->hdr.type) {
	case IMSG_CTL_REQUEST:
		if (busy || msg_ctl_request_decode(m->data, m->len, &r) == -1)
			break;
		handle_request(c, &r);
		return;
	case IMSG_CTL_INCIDENT:
		if (busy || msg_incident_req_decode(m->data, m->len,
		    &inc) == -1)
			break;
		handle_incident(c, &inc);
		return;
	default:
		break;
	}
	log_warnx("control: bad request from uid %u", (unsigned)c->uid);
	conn_close(c);
}

static void
conn_eof(struct imsgev *iev, void *arg)
{
	conn_close(arg);
}

/* a client is not trusted to be well-formed: it is dropped, nothing more */
static void
conn_error(struct imsgev *iev, const char *why, void *arg)
{
	struct ctl_conn	*c = arg;

	log_warnx("control: dropped a client (uid %u): %s", (unsigned)c->uid,
	    why);
	conn_close(c);
}

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS	59	/* Linux 4.13; Debian 12's headers have it */
#endif

/*
 * Root, or the configured group as the peer's primary or supplementary
 * group, as the kernel saw them when it connected (no group database).
 */
static int
peer_allowed(const struct control *ctl, int fd, uid_t uid, gid_t gid)
{
	gid_t		 groups[NGROUPS_MAX_CTL];
	socklen_t	 len = sizeof(groups);
	size_t		 i;

	if (uid == 0 || (ctl->gid != 0 && gid == ctl->gid))
		return 1;
	if (ctl->gid == 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == -1) {
		log_warn("control: SO_PEERGROUPS");
		return 0;
	}
	for (i = 0; i < len / sizeof(groups[0]); i++)
		if (groups[i] == ctl->gid)
			return 1;
	return 0;
}

static void
on_accept(evutil_socket_t lfd, short ev, void *arg)
{
	struct callhomed	*ch = arg;
	struct control		*ctl = &ch->ctl;
	struct ctl_conn		*c;
	struct ucred		 cred;
	socklen_t		 len = sizeof(cred);
	int			 fd;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("control: accept");
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
	    !peer_allowed(ctl, fd, cred.uid, cred.gid)) {
		log_warnx("control: refused a client (uid %d)",
		    len == sizeof(cred) ? (int)cred.uid : -1);
		close(fd);
		return;
	}
	if (ctl->nconns >= CTL_MAX_CLIENTS) {
		log_warnx("control: too many clients");
		close(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal(NULL);
	c->ch = ch;
	c->uid = cred.uid;
	c->id = ctl->next_id++;
	if (ctl->next_id == 0 || ctl->next_id == ONCE_PEERID)
		ctl->next_id = 1;
	imsgev_init(&c->iev, ch->base, fd, &chan_control, PROC_PARENT,
	    conn_dispatch, conn_eof, c);
	imsgev_on_error(&c->iev, conn_error);
	imsgev_limit_output(&c->iev, CTL_MAX_QUEUED);
	TAILQ_INSERT_TAIL(&ctl->conns, c, entry);
	ctl->nconns++;
}

/* before daemonising: a stale socket is replaced, anything else refused */
void
control_init(struct callhomed *ch)
{
	struct control		*ctl = &ch->ctl;
	struct sockaddr_un	 sun;
	struct group		*gr;
	struct stat		 st;
	const char		*path = ch->conf->socket;
	mode_t			 old;

	TAILQ_INIT(&ctl->conns);
	ctl->next_id = 1;
	ctl->listen_fd = -1;
	ctl->gid = 0;
	if (ch->conf->socket_group[0] != '\0') {
		if ((gr = getgrnam(ch->conf->socket_group)) == NULL)
			fatalx("control socket group \"%s\" does not exist",
			    ch->conf->socket_group);
		ctl->gid = gr->gr_gid;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		fatalx("control socket path too long: %s", path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			fatalx("%s exists and is not a socket", path);
		if (unlink(path) == -1)
			fatal("unlink %s", path);
	}
	if ((ctl->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		fatal("control socket");
	old = umask(0117);
	if (bind(ctl->listen_fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("bind %s", path);
	umask(old);
	if (chown(path, 0, ctl->gid) == -1 || chmod(path, 0660) == -1)
		fatal("permissions of %s", path);
	if (listen(ctl->listen_fd, 8) == -1)
		fatal("listen %s", path);
	(void)strlcpy(ctl->path, path, sizeof(ctl->path));
}

void
control_listen(struct callhomed *ch)
{
	struct control	*ctl = &ch->ctl;

	if ((ctl->ev_accept = event_new(ch->base, ctl->listen_fd,
	    EV_READ | EV_PERSIST, on_accept, ch)) == NULL ||
	    event_add(ctl->ev_accept, NULL) == -1)
		fatalx("control: event_add");
}

void
control_cleanup(struct callhomed *ch)
{
	struct control	*ctl = &ch->ctl;
	struct ctl_conn	*c;

	while ((c = TAILQ_FIRST(&ctl->conns)) != NULL)
		conn_close(c);
	if (ctl->ev_accept != NULL)
		event_free(ctl->ev_accept);
	if (ctl->listen_fd != -1)
		close(ctl->listen_fd);
	if (ctl->path[0] != '\0')
		(void)unlink(ctl->path);
}
