/*
 * commsd-check: the workers' spawner and its workers (see commsd's
 * worker.h), a program of its own.  commsd forks and execs it at
 * start-up, as root, before the server's key is read; it gets the
 * channel to the server on descriptor 3 and its parameters on 4 (a
 * struct comms_check_params and the schema, written by commsd: see
 * commsd/spawner.c), compiles the schema, enters its sandbox and forks
 * a worker whenever the server asks.  Each worker checks one document
 * and exits.
 *
 * Why a program of its own: a worker is a fork of the spawner, and one
 * is forked and torn down for every document and check-in.  Forked from
 * commsd, each carried commsd's 213 mappings (libpq with its LDAP, SASL
 * and GnuTLS, OpenSSL, SQLite); this program links libxml2 and what the
 * check needs, so a worker costs less to make and to end, and the
 * processes that parse what anybody sends have neither the database's
 * nor TLS's code in their address space, nor anything of commsd's
 * memory (exec, not only fork).
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../commsd/commsd.h"
#include "log.h"
#include "sandbox.h"
#include "../commsd/worker.h"
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
	if (comms_read_full(fd, &jh, sizeof(jh)) == -1 ||
	    jh.magic != COMMS_JOB_MAGIC || jh.len == 0 ||
	    jh.len > sp->limits.max_document)
		_exit(1);
	if ((doc = malloc(jh.len)) == NULL ||
	    comms_read_full(fd, doc, jh.len) == -1)
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
	if (comms_write_full(fd, &rh, sizeof(rh)) == -1 ||
	    comms_write_full(fd, reason, rh.reasonlen) == -1 ||
	    comms_write_full(fd, out.data, rh.extractlen) == -1)
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

/*
 * The parameters commsd wrote, checked: NULL when they are not a whole
 * struct comms_check_params and its schema, and nothing more.
 */
static uint8_t *
read_params(int fd, struct comms_check_params *cp)
{
	uint8_t	*xsd;
	char	 extra;

	if (comms_read_full(fd, cp, sizeof(*cp)) == -1 ||
	    cp->magic != COMMS_CHECK_MAGIC || cp->xsdlen == 0 ||
	    cp->xsdlen > COMMS_MAX_FILE || cp->max_workers == 0 ||
	    cp->max_workers > COMMS_MAX_WORKERS || cp->cpu_seconds == 0 ||
	    cp->limits.max_document == 0 ||
	    memchr(cp->root, '\0', sizeof(cp->root)) == NULL ||
	    cp->root[0] != '/' || cp->uid == 0 || cp->gid == 0)
		return NULL;
	if ((xsd = malloc(cp->xsdlen)) == NULL)
		fatal(NULL);
	if (comms_read_full(fd, xsd, cp->xsdlen) == -1 ||
	    read(fd, &extra, 1) != 0) {
		free(xsd);
		return NULL;
	}
	return xsd;
}

int
main(int argc, char *argv[])
{
	struct comms_check_params	 cp;
	struct sandbox_params		 sbp;
	struct spawner			 sp;
	struct stat			 st;
	uint8_t				*xsd;
	char				 err[512];
	int				 fd;

	(void)argv;
	log_init("commsd", LOG_TO_STDERR, 0);
	if (argc != 1 || fstat(COMMS_CHECK_CHAN_FD, &st) == -1 ||
	    !S_ISSOCK(st.st_mode))
		fatalx("commsd-check is started by commsd(8) only");
	if ((xsd = read_params(COMMS_CHECK_PARAMS_FD, &cp)) == NULL)
		fatalx("commsd-check: bad parameters from commsd");
	close(COMMS_CHECK_PARAMS_FD);
	if ((fd = fcntl(COMMS_CHECK_CHAN_FD, F_GETFL)) == -1 ||
	    fcntl(COMMS_CHECK_CHAN_FD, F_SETFL, fd & ~O_NONBLOCK) == -1 ||
	    fcntl(COMMS_CHECK_CHAN_FD, F_SETFD, FD_CLOEXEC) == -1)
		fatal("fcntl");
	memset(&sp, 0, sizeof(sp));
	sp.chan = COMMS_CHECK_CHAN_FD;
	sp.limits = cp.limits;
	sp.cpu_seconds = cp.cpu_seconds;
	sp.max_memory = cp.max_memory;
	sp.max_workers = cp.max_workers;
	/* its own session: no signal from a terminal */
	(void)setsid();
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGHUP, SIG_IGN);
	(void)signal(SIGPIPE, SIG_IGN);
	/* no file may grow: a log line to a file is lost, not fatal */
	(void)signal(SIGXFSZ, SIG_IGN);
	(void)prctl(PR_SET_NAME, "commsd-spawner");
	if (cp.quiet && (fd = open("/dev/null", O_RDWR)) != -1) {
		(void)dup2(fd, STDIN_FILENO);
		(void)dup2(fd, STDOUT_FILENO);
		(void)dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	xmlsafe_init();
	if ((sp.xs = xschema_load(xsd, cp.xsdlen, err, sizeof(err))) == NULL)
		fatalx("spawner: schema: %s", err);
	free(xsd);
	memset(&sbp, 0, sizeof(sbp));
	sbp.uid = (uid_t)cp.uid;
	sbp.gid = (gid_t)cp.gid;
	sbp.root = cp.root;
	sandbox_enter(&commsd_spawner_sandbox, &sbp);
	spawner_main(&sp);
}
