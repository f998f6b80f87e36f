/*
 * Starting and supervising the children.  Each is fork+exec'd from the
 * libexec directory with its channels on the descriptors the channel table
 * assigns; if any of them dies, the others are stopped and callhomed exits
 * non-zero (fail closed).
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "callhomed.h"
#include "log.h"
#include "net.h"

/* the parent's side of its channel to each child */
static const struct chan_def *const kid_chan[PROC_MAX] = {
	[PROC_COLLECTD] = &chan_parent_collectd,
	[PROC_AUDITD] = &chan_parent_auditd,
	[PROC_SIGNERD] = &chan_parent_signerd,
	[PROC_UPLINKD] = &chan_parent_uplinkd,
};

/* both ends of every channel of the table, before the children start */
struct wiring {
	int	 fd[16][2];	/* [row][0] is end a, [row][1] end b */
};

static void
wire(struct wiring *w)
{
	size_t	 i;

	if (proc_nlinks > 16)
		fatalx("channel table too large");
	for (i = 0; i < proc_nlinks; i++) {
		w->fd[i][0] = w->fd[i][1] = -1;
		if (proc_links[i].a == PROC_CONTROL ||
		    proc_links[i].b == PROC_CONTROL)
			continue;
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
		    w->fd[i]) == -1)
			fatal("socketpair");
	}
}

/* the end of table row i that belongs to process p, or -1 */
static int
end_of(const struct wiring *w, size_t i, enum proc_id p)
{
	if (proc_links[i].a == p)
		return w->fd[i][0];
	if (proc_links[i].b == p)
		return w->fd[i][1];
	return -1;
}

/*
 * In the forked child: move each channel end to its known number.  All
 * sources are first copied above every target so no dup2 clobbers one.
 */
static void
place_fds(const struct wiring *w, enum proc_id self, int logfd)
{
	int	 src[16], dst[16], tmp[16], n = 0, i, maxfd = PROC_PARENT_FD;
	size_t	 r;

	for (r = 0; r < proc_nlinks; r++) {
		enum proc_id	 peer;
		int		 e;

		if ((e = end_of(w, r, self)) == -1)
			continue;
		peer = proc_links[r].a == self ? proc_links[r].b :
		    proc_links[r].a;
		src[n] = e;
		if ((dst[n] = chan_fd(self, peer)) == -1)
			_exit(127);
		if (dst[n] > maxfd)
			maxfd = dst[n];
		n++;
	}
	for (i = 0; i < n; i++)
		if ((tmp[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 64)) == -1)
			_exit(127);
	if (logfd != -1 && dup2(logfd, STDERR_FILENO) == -1)
		_exit(127);
	for (i = 0; i < n; i++)
		if (dup2(tmp[i], dst[i]) == -1)
			_exit(127);
	closefrom(maxfd + 1);
}

static void
exec_child(struct callhomed *ch, const struct wiring *w, enum proc_id id,
    int logfd)
{
	char	 path[PATH_MAX];
	char	*argv[4];
	int	 nullfd, i = 0;

	if ((nullfd = open("/dev/null", O_RDWR)) == -1 ||
	    dup2(nullfd, STDIN_FILENO) == -1 ||
	    dup2(nullfd, STDOUT_FILENO) == -1)
		_exit(127);
	place_fds(w, id, logfd);
	/* a child runs with default signal dispositions and mask */
	signal(SIGPIPE, SIG_DFL);
	if (snprintf(path, sizeof(path), "%s/%s", callhome_libexec,
	    proc_name(id)) >= (int)sizeof(path))
		_exit(127);
	argv[i++] = (char *)proc_name(id);
	if (ch->verbose > 0)
		argv[i++] = ch->verbose > 1 ? "-vv" : "-v";
	argv[i] = NULL;
	execv(path, argv);
	dprintf(STDERR_FILENO, "%s: cannot execute %s: %s\n",
	    proc_name(id), path, strerror(errno));
	_exit(127);
}

/*
 * Children log to a pipe (a file as stderr would break their RLIMIT_FSIZE
 * of 0); the parent relays each line to its own stderr in the foreground
 * or to syslog, with control characters made harmless.
 */
static void
log_relay(evutil_socket_t fd, short ev, void *arg)
{
	struct kid	*k = arg;
	ssize_t		 n;
	size_t		 i, start;

	n = read(fd, k->logbuf + k->loglen, sizeof(k->logbuf) - k->loglen);
	if (n <= 0) {
		event_del(k->ev_log);
		return;
	}
	k->loglen += (size_t)n;
	start = 0;
	for (i = 0; i < k->loglen; i++) {
		if (k->logbuf[i] != '\n' && i + 1 < sizeof(k->logbuf))
			continue;
		k->logbuf[i] = '\0';
		/* the child's text is not trusted: no control characters */
		for (size_t j = start; j < i; j++)
			if ((unsigned char)k->logbuf[j] < 0x20 ||
			    k->logbuf[j] == 0x7f)
				k->logbuf[j] = '?';
		if (k->foreground)
			dprintf(STDERR_FILENO, "%s\n", k->logbuf + start);
		else
			syslog(LOG_NOTICE, "%s", k->logbuf + start);
		start = i + 1;
	}
	memmove(k->logbuf, k->logbuf + start, k->loglen - start);
	k->loglen -= start;
}

/*
 * A child closed its channel: normally it died and SIGCHLD tells why.  One
 * that closes the channel but lives on is stopped after a moment.
 */
static void
kid_eof_timeout(evutil_socket_t fd, short ev, void *arg)
{
	struct callhomed	*ch = arg;
	int			 id;

	kids_reap(ch);
	for (id = PROC_COLLECTD; id <= PROC_UPLINKD; id++) {
		if (ch->kids[id].alive && !ch->kids[id].iev.active &&
		    !ch->stopping) {
			log_warnx("%s closed its channel: stopping the other "
			    "processes", proc_name(id));
			parent_shutdown(ch, 1);
			return;
		}
	}
}

static void
kid_eof(struct imsgev *iev, void *arg)
{
	struct callhomed	*ch = arg;
	struct timeval		 tv = { 1, 0 };

	log_debug("%s closed its channel", imsgev_peer(iev));
	if (event_base_once(ch->base, -1, EV_TIMEOUT, kid_eof_timeout, ch,
	    &tv) == -1)
		fatalx("event_base_once");
}

void
kids_spawn(struct callhomed *ch)
{
	struct wiring	 w;
	struct kid	*k;
	int		 id, logp[2];
	size_t		 r;

	wire(&w);
	for (id = PROC_COLLECTD; id <= PROC_UPLINKD; id++) {
		k = &ch->kids[id];
		memset(k, 0, sizeof(*k));
		k->id = id;
		k->logfd = -1;
		logp[0] = logp[1] = -1;
		k->foreground = ch->foreground;
		if (pipe2(logp, O_CLOEXEC) == -1)
			fatal("pipe2");
		set_nonblock(logp[0]);
		switch (k->pid = fork()) {
		case -1:
			fatal("fork");
		case 0:
			exec_child(ch, &w, id, logp[1]);
			/* NOTREACHED */
		}
		k->alive = 1;
		if (logp[1] != -1) {
			close(logp[1]);
			k->logfd = logp[0];
			k->ev_log = event_new(ch->base, k->logfd,
			    EV_READ | EV_PERSIST, log_relay, k);
			if (k->ev_log == NULL ||
			    event_add(k->ev_log, NULL) == -1)
				fatalx("event_add");
		}
		log_debug("started %s, pid %d", proc_name(id), (int)k->pid);
	}
	/* keep the parent's end of each parent channel; close the rest */
	for (r = 0; r < proc_nlinks; r++) {
		if (proc_links[r].a == PROC_CONTROL ||
		    proc_links[r].b == PROC_CONTROL)
			continue;
		if (proc_links[r].a == PROC_PARENT) {
			k = &ch->kids[proc_links[r].b];
			close(w.fd[r][1]);
			set_nonblock(w.fd[r][0]);
			imsgev_init(&k->iev, ch->base, w.fd[r][0],
			    kid_chan[k->id], PROC_PARENT,
			    parent_dispatch[k->id], kid_eof, ch);
		} else {
			close(w.fd[r][0]);
			close(w.fd[r][1]);
		}
	}
}

static const char *
root_of(const struct callhome_conf *conf, enum proc_id id)
{
	return id == PROC_AUDITD ? conf->state : EMPTY_DIR;
}

/* the first message each child reads: where to chroot and as whom */
void
kids_configure(struct callhomed *ch, const struct callhome_conf *conf,
    const struct conf_parts *parts)
{
	struct msg_sandbox	 sb;
	int			 id;

	for (id = PROC_COLLECTD; id <= PROC_UPLINKD; id++) {
		memset(&sb, 0, sizeof(sb));
		sb.uid = ch->uid;
		sb.gid = ch->gid;
		if (strlcpy(sb.root, root_of(conf, id), sizeof(sb.root)) >=
		    sizeof(sb.root))
			fatalx("chroot path too long");
		msg_sandbox_send(&ch->kids[id].iev, &sb);
	}
	conf_send_all(ch, conf, parts);
}

static void
log_exit(const struct kid *k, int status)
{
	if (WIFEXITED(status))
		log_warnx("%s (pid %d) exited with status %d",
		    proc_name(k->id), (int)k->pid, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		log_warnx("%s (pid %d) was killed by signal %d (%s)%s",
		    proc_name(k->id), (int)k->pid, WTERMSIG(status),
		    strsignal(WTERMSIG(status)),
		    WTERMSIG(status) == SIGSYS ?
		    ": a system call outside its sandbox" : "");
}

static struct kid *
kid_by_pid(struct callhomed *ch, pid_t pid)
{
	int	 id;

	for (id = PROC_COLLECTD; id <= PROC_UPLINKD; id++)
		if (ch->kids[id].alive && ch->kids[id].pid == pid)
			return &ch->kids[id];
	return NULL;
}

/* collect every exited child; any death outside a shutdown is fatal */
void
kids_reap(struct callhomed *ch)
{
	struct kid	*k;
	pid_t		 pid;
	int		 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((k = kid_by_pid(ch, pid)) == NULL)
			continue;
		k->alive = 0;
		if (ch->stopping) {
			log_debug("%s stopped", proc_name(k->id));
			continue;
		}
		log_exit(k, status);
		log_warnx("%s is gone: stopping the other processes",
		    proc_name(k->id));
		parent_shutdown(ch, 1);
		return;
	}
}

int
kids_alive(const struct callhomed *ch)
{
	int	 id, n = 0;

	for (id = PROC_COLLECTD; id <= PROC_UPLINKD; id++)
		n += ch->kids[id].alive;
	return n;
}

static void
signal_all(struct callhomed *ch, int sig)
{
	int	 id;

	for (id = PROC_COLLECTD; id <= PROC_UPLINKD; id++)
		if (ch->kids[id].alive)
			(void)kill(ch->kids[id].pid, sig);
}

static void
log_usage(const struct kid *k, const struct rusage *ru)
{
	log_info("%s used %ld.%03ld s user, %ld.%03ld s system CPU",
	    proc_name(k->id), (long)ru->ru_utime.tv_sec,
	    (long)ru->ru_utime.tv_usec / 1000, (long)ru->ru_stime.tv_sec,
	    (long)ru->ru_stime.tv_usec / 1000);
}

/* SIGTERM, a grace period, then SIGKILL; returns with all reaped */
void
kids_stop(struct callhomed *ch)
{
	struct timespec	 ts = { 0, 10 * 1000 * 1000 };
	struct rusage	 ru;
	struct kid	*k;
	pid_t		 pid;
	int		 i, status;

	ch->stopping = 1;
	signal_all(ch, SIGTERM);
	for (i = 0; i < KILL_GRACE_MS / 10 && kids_alive(ch); i++) {
		while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0)
			if ((k = kid_by_pid(ch, pid)) != NULL) {
				k->alive = 0;
				log_usage(k, &ru);
			}
		if (kids_alive(ch))
			nanosleep(&ts, NULL);
	}
	if (kids_alive(ch)) {
		log_warnx("children did not stop in time: killing them");
		signal_all(ch, SIGKILL);
		while (kids_alive(ch) && (pid = waitpid(-1, &status, 0)) > 0)
			if ((k = kid_by_pid(ch, pid)) != NULL)
				k->alive = 0;
	}
}

uint32_t
kids_ping(struct callhomed *ch)
{
	struct msg_ping	 pi;
	int		 id;

	pi.seq = ++ch->ping_seq;
	for (id = PROC_COLLECTD; id <= PROC_UPLINKD; id++)
		if (ch->kids[id].alive && ch->kids[id].iev.active)
			msg_ping_send(&ch->kids[id].iev, &pi);
	return pi.seq;
}
