/*
 * The spawner and the workers it forks (see worker.h).
 *
 * The spawner is forked by commsd before the server's key is read, so
 * that neither it nor any worker ever holds the key in its memory; it
 * keeps nothing of the configuration but the limits of the check.
 * Each worker checks one document and exits.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commsd.h"
#include "log.h"
#include "sandbox.h"
#include "worker.h"
#include "xmlsafe.h"

#define WORKER_NOFILE	8	/* standard descriptors, its socket */

struct spawner {
	int				 chan;
	struct xschema			*xs;
	struct comms_check_limits	 limits;
	unsigned int			 cpu_seconds;
	uint64_t			 max_memory;
	unsigned int			 max_workers;
	pid_t				 pids[COMMS_MAX_WORKERS * 2];
	unsigned int			 npids;
};

int
comms_result_head_check(const struct comms_result_head *h, size_t doclen)
{
	if (h->magic != COMMS_RESULT_MAGIC ||
	    h->reasonlen >= COMMS_REASON_MAX)
		return -1;
	if (h->status == 0)
		return h->reasonlen == 0 && h->extractlen > 0 &&
		    h->extractlen <= doclen ? 0 : -1;
	if (h->status != 400 && h->status != 413 && h->status != 500)
		return -1;
	return h->extractlen == 0 ? 0 : -1;
}

/*
 * The worker.
 */

static int
read_full(int fd, void *buf, size_t len)
{
	uint8_t	*p = buf;
	ssize_t	 n;

	while (len > 0) {
		n = read(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
write_full(int fd, const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
limit(int res, const char *what, rlim_t soft, rlim_t hard)
{
	struct rlimit	 rl;

	rl.rlim_cur = soft;
	rl.rlim_max = hard;
	if (setrlimit(res, &rl) == -1)
		fatal("worker: setrlimit %s", what);
}

/* in the worker, before it reads anything */
static void
worker_enter(struct spawner *sp, pid_t spawner)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		fatal("worker: PR_SET_PDEATHSIG");
	if (getppid() != spawner)
		_exit(1);		/* the spawner is already gone */
	(void)prctl(PR_SET_NAME, "commsd-worker");
	/* SIGXCPU at the soft limit, SIGKILL a second later */
	limit(RLIMIT_CPU, "CPU", sp->cpu_seconds, sp->cpu_seconds + 1);
	limit(RLIMIT_AS, "AS", sp->max_memory, sp->max_memory);
	limit(RLIMIT_NOFILE, "NOFILE", WORKER_NOFILE, WORKER_NOFILE);
	limit(RLIMIT_NPROC, "NPROC", 0, 0);
	/* nested in the spawner's: no fork, no kill, no file */
	sandbox_enter_layers(&commsd_worker_sandbox, NULL,
	    SB_LAYER_LANDLOCK | SB_LAYER_SECCOMP);
}

static __dead void
worker_main(struct spawner *sp, int fd, pid_t spawner)
{
	struct comms_job_head		 jh;
	struct comms_result_head	 rh;
	struct wbuf			 out;
	uint8_t				*doc;
	char				 reason[COMMS_REASON_MAX];
	int				 status;

	worker_enter(sp, spawner);
	if (read_full(fd, &jh, sizeof(jh)) == -1 ||
	    jh.magic != COMMS_JOB_MAGIC || jh.len == 0 ||
	    jh.len > sp->limits.max_document)
		_exit(1);
	if ((doc = malloc(jh.len)) == NULL || read_full(fd, doc, jh.len) == -1)
		_exit(1);
	wbuf_init(&out);
	memset(&rh, 0, sizeof(rh));
	rh.magic = COMMS_RESULT_MAGIC;
	if (comms_check_document(sp->xs, &sp->limits, doc, jh.len, &out,
	    &status, reason, sizeof(reason)) == 0) {
		rh.extractlen = (uint32_t)out.len;
	} else {
		rh.status = status;
		rh.reasonlen = (uint32_t)strnlen(reason, sizeof(reason) - 1);
	}
	if (write_full(fd, &rh, sizeof(rh)) == -1 ||
	    write_full(fd, reason, rh.reasonlen) == -1 ||
	    write_full(fd, out.data, rh.extractlen) == -1)
		_exit(1);
	_exit(0);
}

/*
 * The spawner.
 */

static void
send_msg(struct spawner *sp, uint32_t type, pid_t pid, int status, int fd)
{
	struct comms_spawn_msg	 m;
	struct msghdr		 mh;
	struct iovec		 iov;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	}			 cm;
	struct cmsghdr		*c;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.pid = (int32_t)pid;
	m.status = status;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = &m;
	iov.iov_len = sizeof(m);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd != -1) {
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	while (sendmsg(sp->chan, &mh, 0) == -1) {
		if (errno == EINTR)
			continue;
		if (errno == EPIPE || errno == ECONNRESET)
			_exit(0);	/* the server is gone */
		fatal("spawner: sendmsg");
	}
}

static void
spawn(struct spawner *sp)
{
	pid_t	 pid, self = getpid();
	int	 pair[2], fl;

	if (sp->npids >= sp->max_workers * 2) {
		send_msg(sp, SPAWN_FAILED, 0, EAGAIN, -1);
		return;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == -1) {
		send_msg(sp, SPAWN_FAILED, 0, errno, -1);
		return;
	}
	switch ((pid = fork())) {
	case -1:
		send_msg(sp, SPAWN_FAILED, 0, errno, -1);
		close(pair[0]);
		close(pair[1]);
		return;
	case 0:
		close(sp->chan);
		close(pair[0]);
		worker_main(sp, pair[1], self);
	}
	close(pair[1]);
	/* the server's end does not block it */
	if ((fl = fcntl(pair[0], F_GETFL)) == -1 ||
	    fcntl(pair[0], F_SETFL, fl | O_NONBLOCK) == -1)
		fatal("spawner: fcntl");
	sp->pids[sp->npids++] = pid;
	send_msg(sp, SPAWN_WORKER, pid, 0, pair[0]);
	close(pair[0]);
}

static void
kill_worker(struct spawner *sp, pid_t pid)
{
	unsigned int	 i;

	/* only its own workers, and only while they live */
	for (i = 0; i < sp->npids; i++)
		if (sp->pids[i] == pid && pid > 0) {
			(void)kill(pid, SIGKILL);
			return;
		}
}

static void
reap(struct spawner *sp)
{
	unsigned int	 i;
	pid_t		 pid;
	int		 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < sp->npids; i++)
			if (sp->pids[i] == pid) {
				sp->pids[i] = sp->pids[--sp->npids];
				break;
			}
		send_msg(sp, SPAWN_EXITED, pid, status, -1);
	}
}

static __dead void
spawner_exit(struct spawner *sp)
{
	unsigned int	 i;

	for (i = 0; i < sp->npids; i++)
		(void)kill(sp->pids[i], SIGKILL);
	_exit(0);
}

static __dead void
spawner_main(struct spawner *sp)
{
	struct comms_spawn_msg	 m;
	struct pollfd		 pfd;
	ssize_t			 n;

	for (;;) {
		pfd.fd = sp->chan;
		pfd.events = POLLIN;
		pfd.revents = 0;
		/* a short wait: children are reaped without SIGCHLD */
		if (poll(&pfd, 1, 100) == -1 && errno != EINTR)
			fatal("spawner: poll");
		reap(sp);
		if (pfd.revents == 0)
			continue;
		n = read(sp->chan, &m, sizeof(m));
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			spawner_exit(sp);	/* the server is gone */
		if ((size_t)n != sizeof(m))
			fatalx("spawner: a message of %zd bytes", n);
		switch (m.type) {
		case SPAWN_REQUEST:
			spawn(sp);
			break;
		case SPAWN_KILL:
			kill_worker(sp, (pid_t)m.pid);
			break;
		default:
			fatalx("spawner: message type %u", m.type);
		}
	}
}

int
comms_spawner_start(const struct comms_spawn_params *p)
{
	struct sandbox_params	 sbp;
	struct spawner		 sp;
	char			 err[512];
	int			 pair[2], fd;

	if (p->max_workers == 0 || p->max_workers > COMMS_MAX_WORKERS)
		fatalx("%s: %u workers", __func__, p->max_workers);
	/* the server's end never blocks; the spawner's does */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, pair) == -1)
		fatal("socketpair");
	switch (fork()) {
	case -1:
		fatal("fork");
	case 0:
		break;
	default:
		close(pair[1]);
		return pair[0];
	}

	close(pair[0]);
	/* no secret of the server's in here */
	comms_conf_free(p->conf);
	if ((fd = fcntl(pair[1], F_GETFL)) == -1 ||
	    fcntl(pair[1], F_SETFL, fd & ~O_NONBLOCK) == -1)
		fatal("fcntl");
	memset(&sp, 0, sizeof(sp));
	sp.chan = pair[1];
	sp.limits = p->limits;
	sp.cpu_seconds = p->cpu_seconds;
	sp.max_memory = p->max_memory;
	sp.max_workers = p->max_workers;
	/* its own session: no signal from a terminal */
	(void)setsid();
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGHUP, SIG_IGN);
	(void)signal(SIGPIPE, SIG_IGN);
	/* no file may grow: a log line to a file is lost, not fatal */
	(void)signal(SIGXFSZ, SIG_IGN);
	(void)prctl(PR_SET_NAME, "commsd-spawner");
	if (p->quiet && (fd = open("/dev/null", O_RDWR)) != -1) {
		(void)dup2(fd, STDIN_FILENO);
		(void)dup2(fd, STDOUT_FILENO);
		(void)dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	xmlsafe_init();
	if ((sp.xs = xschema_load(p->xsd, p->xsdlen, err, sizeof(err))) ==
	    NULL)
		fatalx("spawner: schema: %s", err);
	memset(&sbp, 0, sizeof(sbp));
	sbp.uid = p->uid;
	sbp.gid = p->gid;
	sbp.root = p->root;
	sandbox_enter(&commsd_spawner_sandbox, &sbp);
	spawner_main(&sp);
}
