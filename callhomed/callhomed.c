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
#include <unistd.h>

#include "callhomed.h"
#include "log.h"
#include "msg.h"

#ifndef LIBEXECDIR
#define LIBEXECDIR	"/usr/local/libexec/callhome"
#endif
const char	*callhome_libexec = LIBEXECDIR;

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

void
parent_shutdown(struct callhomed *ch, int code)
{
	if (ch->stopping)
		return;
	ch->exitcode = code;
	kids_stop(ch);
	event_base_loopbreak(ch->base);
}

static void
reload(struct callhomed *ch)
{
	struct callhome_conf	*nc;

	log_info("reloading %s", ch->conffile);
	if ((nc = parse_config(ch->conffile, 0)) == NULL) {
		log_warnx("reload failed: keeping the running configuration");
		return;
	}
	if (strcmp(nc->user, ch->conf->user) != 0 ||
	    strcmp(nc->state, ch->conf->state) != 0) {
		log_warnx("reload: user and state only change with a "
		    "restart: keeping the running configuration");
		config_free(nc);
		return;
	}
	if (conf_parts_check(nc) == -1) {
		log_warnx("reload failed: keeping the running configuration");
		config_free(nc);
		return;
	}
	conf_send_all(ch, nc);
	config_free(ch->conf);
	ch->conf = nc;
	log_info("configuration reloaded");
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
		reload(ch);
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
	k->pong_time = time(NULL);
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
	if (++ch->nready == PROC_NCHILDREN)
		log_info("startup complete: collectd %d, auditd %d, "
		    "signerd %d, uplinkd %d",
		    (int)ch->kids[PROC_COLLECTD].pid,
		    (int)ch->kids[PROC_AUDITD].pid,
		    (int)ch->kids[PROC_SIGNERD].pid,
		    (int)ch->kids[PROC_UPLINKD].pid);
}

void
parent_dispatch(struct imsgev *iev, struct imsg *m, void *arg)
{
	struct callhomed	*ch = arg;
	struct kid		*k = &ch->kids[iev->ibuf.peer];

	switch (m->hdr.type) {
	case IMSG_READY:
		handle_ready(ch, k, m);
		break;
	case IMSG_PONG:
		handle_pong(ch, k, m);
		break;
	default:
		log_debug("%s from %s: not handled yet",
		    msgtype_name(m->hdr.type), proc_name(k->id));
		break;
	}
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
	struct timeval		 tv = { 1, 0 };
	const char		*file = CONF_DEFAULT_FILE;
	int			 c, noaction = 0;

	log_init("callhomed", LOG_TO_STDERR, 1);
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
	if (strlcpy(ch.conffile, file, sizeof(ch.conffile)) >=
	    sizeof(ch.conffile))
		fatalx("configuration path too long");

	if (!noaction && geteuid() != 0)
		fatalx("callhomed must be started as root: it sandboxes its "
		    "children with chroot, namespaces and other users");
	if ((ch.conf = parse_config(ch.conffile, 0)) == NULL)
		exit(1);
	if (noaction) {
		/* the file itself; the files it names are read at start-up */
		if (ch.verbose)
			print_config(stdout, ch.conf);
		printf("configuration OK\n");
		exit(0);
	}
	if (conf_parts_check(ch.conf) == -1)
		exit(1);
	lookup_user(&ch, ch.conf);
	prepare_empty();
	prepare_state(&ch, ch.conf->state);

	if (!ch.foreground) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init("callhomed", LOG_TO_SYSLOG, ch.verbose);
	}
	if ((ch.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	setup_signals(&ch);
	kids_spawn(&ch);
	kids_configure(&ch, ch.conf);
	ch.ev_ping = evtimer_new(ch.base, on_ping, &ch);
	if (ch.ev_ping == NULL)
		fatalx("evtimer_new");
	evtimer_add(ch.ev_ping, &tv);
	log_info("started, configuration %s", ch.conffile);

	event_base_dispatch(ch.base);
	if (!ch.stopping)
		kids_stop(&ch);
	log_info("exiting with status %d", ch.exitcode);
	config_free(ch.conf);
	return ch.exitcode;
}
