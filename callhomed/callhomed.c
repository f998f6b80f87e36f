/*
 * callhomed [-dnv1] [-f file]
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "callhomed.h"
#include "clock.h"
#include "jobseal.h"
#include "log.h"
#include "usm.h"
#include "upload_status.h"

#ifndef LIBEXECDIR
#define LIBEXECDIR	"/usr/local/libexec/callhome"
#endif
const char	*callhome_libexec = LIBEXECDIR;
#ifndef SCHEMA_PATH
#define SCHEMA_PATH	"/usr/local/share/callhome/callhome.xsd"
#endif
const char	*callhome_schema = SCHEMA_PATH;

#define PING_INTERVAL	30	/* seconds */

static __dead void
usage(void)
{
	fprintf(stderr, "usage: callhomed [-dnv1] [-f file]\n");
	exit(1);
}

/* the unprivileged user of the children */
static void
lookup_user(struct callhomed *ch, const struct callhome_conf *c)
{
	struct passwd	*pw;

	if ((pw = getpwnam(c->user)) == NULL)
		fatalx("user \"%s\" does not exist (create it, e.g. with "
		    "useradd --system %s)", c->user, c->user);
	if (pw->pw_uid == 0 || pw->pw_gid == 0)
		fatalx("user \"%s\" must not be root", c->user);
	ch->uid = pw->pw_uid;
	ch->gid = pw->pw_gid;
}

/* the chroot of collectd, signerd and uplinkd: empty and root's */
static void
prepare_empty(void)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;

	if (mkdir(EMPTY_DIR, 0755) == -1 && errno != EEXIST)
		fatal("mkdir %s", EMPTY_DIR);
	if (lstat(EMPTY_DIR, &st) == -1)
		fatal("%s", EMPTY_DIR);
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)))
		fatalx("%s must be a directory owned by root and writable "
		    "only by root", EMPTY_DIR);
	if ((d = opendir(EMPTY_DIR)) == NULL)
		fatal("%s", EMPTY_DIR);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			fatalx("%s must be empty (it holds %s)", EMPTY_DIR,
			    de->d_name);
	closedir(d);
}

/* auditd's root: owned by the children's user, private */
static void
prepare_state(const struct callhomed *ch, const char *dir)
{
	struct stat	 st;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		fatal("mkdir %s", dir);
	if (lstat(dir, &st) == -1)
		fatal("%s", dir);
	if (!S_ISDIR(st.st_mode))
		fatalx("%s is not a directory", dir);
	if (st.st_uid != ch->uid || st.st_gid != ch->gid) {
		if (chown(dir, ch->uid, ch->gid) == -1)
			fatal("chown %s", dir);
	}
	if ((st.st_mode & 07777) != 0700 && chmod(dir, 0700) == -1)
		fatal("chmod %s", dir);
}

/* auditd's directories inside it, which its sandbox cannot make */
static void
prepare_state_dirs(const struct callhomed *ch, const char *dir)
{
	char	 path[PATH_MAX];
	int	 n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, PKG_DIR);
	if (n < 0 || (size_t)n >= sizeof(path))
		fatalx("%s: path too long", dir);
	prepare_state(ch, path);
}

void
parent_shutdown(struct callhomed *ch, int code)
{
	if (ch->stopping)
		return;
	ch->exitcode = code;
	kids_stop(ch);
	event_base_loopbreak(ch->base);
}

void
collect_now(struct callhomed *ch, const char *reason)
{
	struct msg_collect_start	 cs;

	if (ch->collecting) {
		log_warnx("a collection is running: %s request ignored",
		    reason);
		return;
	}
	memset(&cs, 0, sizeof(cs));
	cs.token = ((uint64_t)arc4random() << 32) | arc4random();
	(void)strlcpy(cs.reason, reason, sizeof(cs.reason));
	ch->cycle_token = cs.token;
	ch->collecting = 1;
	clock_gettime(CLOCK_MONOTONIC, &ch->collect_started);
	msg_collect_start_send(&ch->kids[PROC_COLLECTD].iev, &cs);
	log_info("collection started (%s)", reason);
}

static void
on_collect_timer(evutil_socket_t fd, short ev, void *arg)
{
	struct callhomed	*ch = arg;

	collect_now(ch, "schedule");
	sched_collect(ch, 0);
}

/*
 * The next collection (schedule.c).  At start, a gateway that comes up
 * after today's slot (it was off, or restarts) says that it waits for
 * the next one: there is no catching up.
 */
void
sched_collect(struct callhomed *ch, int at_start)
{
	struct timeval	 tv;
	time_t		 now = clock_now(), today;
	char		 when[64];
	struct tm	 tm;
	int		 minute = sched_minute_now(ch);

	if (ch->oneshot)
		return;
	ch->next_collect = sched_next_collect(now, minute,
	    ch->conf->sched_jitter);
	tv.tv_sec = ch->next_collect > now ? ch->next_collect - now : 0;
	tv.tv_usec = 0;
	if (ch->ev_collect == NULL &&
	    (ch->ev_collect = evtimer_new(ch->base, on_collect_timer, ch)) ==
	    NULL)
		fatalx("evtimer_new");
	evtimer_add(ch->ev_collect, &tv);
	if (localtime_r(&ch->next_collect, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
		(void)strlcpy(when, "?", sizeof(when));
	if (!at_start || localtime_r(&now, &tm) == NULL) {
		log_debug("next collection at %s", when);
		return;
	}
	tm.tm_hour = minute / 60;
	tm.tm_min = minute % 60;
	tm.tm_sec = 0;
	if ((today = sched_local(&tm)) != -1 && today <= now)
		log_info("schedule: started after today's slot (daily "
		    "%02d:%02d, up to %u s later): no collection until the "
		    "next one, at %s", minute / 60, minute % 60,
		    ch->conf->sched_jitter, when);
	else
		log_info("schedule: the next collection is at %s (daily "
		    "%02d:%02d, up to %u s later)", when, minute / 60,
		    minute % 60, ch->conf->sched_jitter);
}

/* auditd stored a cycle: the end of a collection */
static void
handle_cycle_stored(struct callhomed *ch, struct imsg *m)
{
	struct rpt_cycle	 c;
	struct timespec		 now;
	char			 line[512];

	if (msg_cycle_decode(m->data, m->len, &c) == -1)
		fatalx("bad CYCLE_STORED from auditd");
	if (!ch->collecting || c.token != ch->cycle_token) {
		log_warnx("auditd stored a cycle nobody started");
		return;
	}
	ch->collecting = 0;
	ch->last_cycle = c;
	if (ch->incident_cycle && !ch->oneshot) {
		/* an incident sent during this cycle: the next carries it */
		ch->incident_cycle = 0;
		collect_now(ch, "incident");
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	rpt_cycle_summary(line, sizeof(line), c.id, &c);
	log_info("%s; collected and stored in %lld ms, %llu requests", line,
	    (long long)(now.tv_sec - ch->collect_started.tv_sec) * 1000 +
	    (now.tv_nsec - ch->collect_started.tv_nsec) / 1000000,
	    (unsigned long long)c.requests);
	if (ch->oneshot) {
		printf("%s\n", line);
		fflush(stdout);
		ch->once_code = c.count[DEV_OK] == c.ndevices ? 0 : 1;
		if (!ch->conf->authorize_upload) {
			parent_shutdown(ch, ch->once_code);
			return;
		}
		/* then the upload, now: auditd says how the outbox fares */
		ch->once_upload = 1;
		ch->once_since = clock_now();
		msg_outbox_kick_send(&ch->kids[PROC_AUDITD].iev);
		msg_outbox_status_req_send(&ch->kids[PROC_AUDITD].iev,
		    ONCE_PEERID);
	}
}

/*
 * -1 with uploading authorized: done when nothing is pending any more, or
 * at the first attempt that failed and will be retried (the server or
 * the network is down: the rest would fail the same way).  A document
 * set aside (a permanent refusal) does not stop the others; at the end,
 * the cycle's own documents say the outcome: all delivered, or not.
 */
void
once_outbox(struct callhomed *ch, const struct msg_outbox_status *s)
{
	uint32_t	 lost;

	if (!ch->once_upload || !ch->once_armed)
		return;
	/* its result brings another status */
	if (s->inflight)
		return;
	lost = s->lc_refused + s->lc_pruned;
	if (s->pending == 0 && lost == 0) {
		printf("upload: outbox delivered (%llu documents delivered "
		    "in all)\n", (unsigned long long)s->delivered);
		fflush(stdout);
		parent_shutdown(ch, ch->once_code);
	} else if (s->pending == 0) {
		printf("upload failed: cycle %lld: %u of its %u documents "
		    "not delivered (%u refused and set aside, %u pruned "
		    "unsent)%s%s\n", (long long)s->last_cycle.id, lost,
		    s->lc_parts, s->lc_refused, s->lc_pruned,
		    s->last_refused[0] ? "; " : "", s->last_refused);
		fflush(stdout);
		parent_shutdown(ch, 1);
	} else if (s->last_attempt >= ch->once_since &&
	    s->last_result != UP_DELIVERED && s->last_result != -1 &&
	    !s->last_set_aside) {
		printf("upload failed: %s%s%s; %u documents wait in the "
		    "outbox\n", upload_status_name(s->last_result),
		    s->last_error[0] ? ": " : "", s->last_error, s->pending);
		fflush(stdout);
		parent_shutdown(ch, 1);
	}
	/* else: another document is on its way */
}

int
reload(struct callhomed *ch)
{
	struct callhome_conf	*nc;
	struct conf_parts	 parts;

	log_info("reloading %s", ch->conffile);
	if ((nc = parse_config(ch->conffile, 0)) == NULL) {
		log_warnx("reload failed: keeping the running configuration");
		return -1;
	}
	conf_load_tzname(nc);
	if (conf_load_profiles(nc) == -1 || conf_load_jobkey(nc) == -1 ||
	    profiles_merge(ch, nc->profile_set) == -1) {
		log_warnx("reload failed: keeping the running configuration");
		config_free(nc);
		return -1;
	}
	if (strcmp(nc->user, ch->conf->user) != 0 ||
	    strcmp(nc->state, ch->conf->state) != 0 ||
	    strcmp(nc->socket, ch->conf->socket) != 0 ||
	    strcmp(nc->socket_group, ch->conf->socket_group) != 0) {
		log_warnx("reload: user, state and socket only change with a "
		    "restart: keeping the running configuration");
		config_free(nc);
		return -1;
	}
	if (nc->have_server && (nc->server.proxy[0] != '\0' ?
	    nc->server.proxy_port : nc->server.port) != ch->dial_port) {
		log_warnx("reload: the port dialed (the server's, or the "
		    "proxy's) only changes with a restart: the sandbox allows "
		    "port %u: keeping the running configuration",
		    ch->dial_port);
		config_free(nc);
		return -1;
	}
	if (conf_parts_load(nc, &parts) == -1) {
		log_warnx("reload failed: keeping the running configuration");
		config_free(nc);
		return -1;
	}
	conf_send_all(ch, nc, &parts);
	conf_parts_free(&parts);
	(void)conf_record(ch, ch->conf, nc);
	config_free(ch->conf);
	ch->conf = nc;
	sched_collect(ch, 0);
	checkin_schedule(ch, 0);
	log_info("configuration reloaded");
	return 0;
}

static void
on_signal(evutil_socket_t sig, short ev, void *arg)
{
	struct callhomed	*ch = arg;

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("shutting down on signal %d", (int)sig);
		parent_shutdown(ch, 0);
		break;
	case SIGHUP:
		(void)reload(ch);
		break;
	case SIGCHLD:
		kids_reap(ch);
		break;
	}
}

static void
on_ping(evutil_socket_t fd, short ev, void *arg)
{
	struct callhomed	*ch = arg;
	struct timeval		 tv = { PING_INTERVAL, 0 };

	kids_ping(ch);
	evtimer_add(ch->ev_ping, &tv);
}

static void
handle_pong(struct callhomed *ch, struct kid *k, struct imsg *m)
{
	struct msg_pong	 po;

	if (msg_pong_decode(m->data, m->len, &po) == -1 || po.proc != k->id)
		fatalx("bad PONG from %s", proc_name(k->id));
	k->pong = po;
	control_pong(ch);
	log_debug("%s: pid %u, up %llus, max rss %llu KiB, %s",
	    proc_name(k->id), po.pid, (unsigned long long)po.uptime,
	    (unsigned long long)po.rss_kb, po.state);
}

static void
handle_ready(struct callhomed *ch, struct kid *k, struct imsg *m)
{
	if (msg_empty_decode(m->data, m->len) == -1 || k->ready)
		fatalx("bad READY from %s", proc_name(k->id));
	k->ready = 1;
	if (++ch->nready == PROC_NCHILDREN) {
		log_info("startup complete: collectd %d, auditd %d, "
		    "signerd %d, uplinkd %d",
		    (int)ch->kids[PROC_COLLECTD].pid,
		    (int)ch->kids[PROC_AUDITD].pid,
		    (int)ch->kids[PROC_SIGNERD].pid,
		    (int)ch->kids[PROC_UPLINKD].pid);
		if (ch->oneshot)
			collect_now(ch, "once");
	}
}

/*
 * One dispatch function per child: every message its channel lets it
 * send has a case; the framing layer refused the others already.
 */

/* READY and PONG, which every child sends */
static int
lifecycle_msg(struct callhomed *ch, struct kid *k, struct imsg *m)
{
	switch (m->hdr.type) {
	case IMSG_READY:
		handle_ready(ch, k, m);
		return 1;
	case IMSG_PONG:
		handle_pong(ch, k, m);
		return 1;
	}
	return 0;
}

/* collectd -> parent */
static void
collectd_msg(struct imsgev *iev, struct imsg *m, void *arg)
{
	struct callhomed	*ch = arg;

	if (lifecycle_msg(ch, &ch->kids[PROC_COLLECTD], m))
		return;
	imsgev_unexpected(iev, m);
}

/* auditd -> parent */
static void
auditd_msg(struct imsgev *iev, struct imsg *m, void *arg)
{
	struct callhomed	*ch = arg;

	if (lifecycle_msg(ch, &ch->kids[PROC_AUDITD], m))
		return;
	switch (m->hdr.type) {
	case IMSG_CYCLE_STORED:
		handle_cycle_stored(ch, m);
		break;
	case IMSG_OUTBOX_STATUS:
		control_outbox_status(ch, m);
		break;
	case IMSG_OUTBOX_OP_DONE:
		control_outbox_op_done(ch, m);
		break;
	case IMSG_INCIDENT_DONE:
		control_incident_done(ch, m);
		break;
	case IMSG_GATEWAY_STATE:
		gateway_state_handle(ch, m);
		break;
	case IMSG_PROFILE_PACKAGE:
		profile_package_handle(ch, m);
		break;
	default:
		imsgev_unexpected(iev, m);
	}
}

/* signerd -> parent */
static void
signerd_msg(struct imsgev *iev, struct imsg *m, void *arg)
{
	struct callhomed	*ch = arg;

	if (lifecycle_msg(ch, &ch->kids[PROC_SIGNERD], m))
		return;
	switch (m->hdr.type) {
	case IMSG_INSTRUCTIONS:
		instructions_handle(ch, m);
		break;
	default:
		imsgev_unexpected(iev, m);
	}
}

/* uplinkd -> parent */
static void
uplinkd_msg(struct imsgev *iev, struct imsg *m, void *arg)
{
	struct callhomed	*ch = arg;

	if (lifecycle_msg(ch, &ch->kids[PROC_UPLINKD], m))
		return;
	switch (m->hdr.type) {
	case IMSG_DIAL_REQ:
		dial_request(ch, m);
		break;
	default:
		imsgev_unexpected(iev, m);
	}
}

const imsgev_dispatch parent_dispatch[PROC_MAX] = {
	[PROC_COLLECTD] = collectd_msg,
	[PROC_AUDITD] = auditd_msg,
	[PROC_SIGNERD] = signerd_msg,
	[PROC_UPLINKD] = uplinkd_msg,
};

/* the directory of a path ("." for a bare name) into dir */
static void
dir_of(const char *path, char *dir, size_t len)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		(void)strlcpy(dir, ".", len);
	else if (slash == path)
		(void)strlcpy(dir, "/", len);
	else
		(void)snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/*
 * The parent's sandbox (callhomed/sandbox.c) with what only the running
 * configuration knows: the files it may read again on reload, the control
 * socket's directory, and the one port it may dial.
 */
#define PARENT_MAX_PATHS	(CONF_MAX_FILES + 12)
static void
parent_sandbox(struct callhomed *ch)
{
	char			 dirs[CONF_MAX_FILES + 2][PATH_MAX];
	struct sb_path		 paths[PARENT_MAX_PATHS];
	struct sandbox_params	 p;
	const struct callhome_conf *c = ch->conf;
	const char		*files[] = {
		c->server.ca, c->server.cert, c->server.key,
		c->trust_instructions, c->trust_packages, c->jobdata_key,
		callhome_schema, c->profiles, "/etc/localtime",
	};
	size_t			 i, n = 0, nd = 0;

	for (i = 0; i < c->nfiles && nd < CONF_MAX_FILES; i++) {
		dir_of(c->files[i], dirs[nd], sizeof(dirs[nd]));
		paths[n].path = dirs[nd++];
		paths[n++].access = SB_FS_READ;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (files[i][0] == '\0')
			continue;
		paths[n].path = files[i];
		paths[n++].access = SB_FS_READ;
	}
	dir_of(c->socket, dirs[nd], sizeof(dirs[nd]));
	paths[n].path = dirs[nd++];
	paths[n++].access = SB_FS_REMOVE;
	memset(&p, 0, sizeof(p));
	p.paths = paths;
	p.npaths = n;
	ch->dial_port = c->server.proxy[0] != '\0' ? c->server.proxy_port :
	    c->server.port;
	if (c->have_server) {
		p.tcp_ports = &ch->dial_port;
		p.ntcp_ports = 1;
	}
	sandbox_enter(&callhomed_sandbox, &p);
	log_debug("sandboxed: %zu paths readable, TCP to port %u only", n,
	    c->have_server ? ch->dial_port : 0);
}

static void
setup_signals(struct callhomed *ch)
{
	const int	 sigs[4] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };
	int		 i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < 4; i++) {
		ch->ev_sig[i] = evsignal_new(ch->base, sigs[i], on_signal, ch);
		if (ch->ev_sig[i] == NULL || event_add(ch->ev_sig[i], NULL) == -1)
			fatalx("evsignal_new");
	}
}

int
main(int argc, char *argv[])
{
	static struct callhomed	 ch;
	struct conf_parts	 parts;
	struct timeval		 tv = { 1, 0 };
	const char		*file = CONF_DEFAULT_FILE;
	int			 c, noaction = 0;

	log_init("callhomed", LOG_TO_STDERR, 1);
	ch.gw.sched_minute = -1;	/* until auditd says */
	while ((c = getopt(argc, argv, "df:nv1")) != -1) {
		switch (c) {
		case 'd':
			ch.foreground = 1;
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			noaction = 1;
			break;
		case 'v':
			ch.verbose++;
			break;
		case '1':
			ch.oneshot = 1;
			ch.foreground = 1;
			break;
		default:
			usage();
		}
	}
	if (argc != optind)
		usage();
	log_setverbose(ch.verbose);
	if (clock_is_test())
		log_warnx("a test build: the clock is %lld s from the system's "
		    "(%s); never install it", (long long)(clock_now() -
		    time(NULL)), CLOCK_TEST_ENV);
	if (strlcpy(ch.conffile, file, sizeof(ch.conffile)) >=
	    sizeof(ch.conffile))
		fatalx("configuration path too long");

	if (!noaction && geteuid() != 0)
		fatalx("callhomed must be started as root: it sandboxes its "
		    "children with chroot, namespaces and other users");
	if ((ch.conf = parse_config(ch.conffile, 0)) == NULL)
		exit(1);
	if (!noaction && conf_load_profiles(ch.conf) == -1)
		exit(1);
	if (noaction) {
		/* the file itself; the files it names are read at start-up */
		if (ch.verbose)
			print_config(stdout, ch.conf);
		printf("configuration OK\n");
		exit(0);
	}
	if (conf_parts_load(ch.conf, &parts) == -1 ||
	    conf_load_jobkey(ch.conf) == -1)
		exit(1);
	conf_load_tzname(ch.conf);
	lookup_user(&ch, ch.conf);
	prepare_empty();
	prepare_state(&ch, ch.conf->state);
	prepare_state_dirs(&ch, ch.conf->state);

	control_init(&ch);
	if (!ch.foreground) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init("callhomed", LOG_TO_SYSLOG, ch.verbose);
	}
	if ((ch.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	setup_signals(&ch);
	dial_init(&ch);
	/* SNMPv3 keys are made here (collectd gets no password): libcrypto's
	 * algorithms before the sandbox, for a reload that adds a user */
	if (usm_init() == -1)
		fatalx("libcrypto lacks an SNMPv3 algorithm");
	/* a job-data key read again on reload: its PEM decoder loaded */
	if (jobseal_init() == -1)
		fatalx("libcrypto lacks X25519, HKDF or an AEAD for job data");
	kids_spawn(&ch);
	kids_configure(&ch, ch.conf, &parts);
	conf_parts_free(&parts);
	(void)conf_record(&ch, NULL, ch.conf);
	ch.ev_ping = evtimer_new(ch.base, on_ping, &ch);
	if (ch.ev_ping == NULL)
		fatalx("evtimer_new");
	evtimer_add(ch.ev_ping, &tv);
	control_listen(&ch);
	/* the time zone's file, before the sandbox: TZ may name one other
	 * than /etc/localtime */
	tzset();
	/* the children run: from here on, only what is left of the job */
	parent_sandbox(&ch);
	sched_collect(&ch, 1);
	log_info("started, configuration %s", ch.conffile);

	event_base_dispatch(ch.base);
	if (!ch.stopping)
		kids_stop(&ch);
	control_cleanup(&ch);
	dial_cleanup(&ch);
	log_info("exiting with status %d", ch.exitcode);
	config_free(ch.conf);
	return ch.exitcode;
}
