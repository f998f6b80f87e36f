/*
 * commsd's sandboxes: the server's, the spawner's and the workers' (see
 * worker.h).
 *
 * The server's, entered once start-up is done: the listening sockets
 * are bound, the TLS context holds the certificate and key, the schema is
 * compiled, the database exists.
 *
 *	network namespace	the host's: it must accept connections
 *	chroot			the state directory (the database's)
 *	user			the configured one ("user", _commsd)
 *	Landlock		files beneath the chroot only (read, write,
 *				create, remove; no directory is made or
 *				removed); no TCP bind or connect (the sockets
 *				are bound)
 *	rlimits			no fork; files may grow (the database)
 *	seccomp			the table below: accept4 on the listening
 *				sockets, I/O on connections, the event loop,
 *				sqlite's file calls inside the chroot.  No
 *				socket(), connect(), bind(), listen(), execve(),
 *				fork, ptrace...: a call outside the table kills
 *				the process.
 *
 * With PostgreSQL (commsd_pg_sandbox, below) the same, but for the
 * database: its connection was made before, and the filter allows only
 * what libpq does on that connected socket (send, recv, poll); no file
 * is written, so Landlock allows reading only.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/sched.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>

#include "commsd.h"
#include "sandbox.h"
#include "worker.h"

static const struct sb_path commsd_paths[] = {
	/* the database and its -wal and -shm files: no directories */
	{ "/", SB_FS_READ | SB_FS_WRITE },
};

static const struct sb_syscall commsd_syscalls[] = {
	SB_BASE_SYSCALLS,
	/* connections: only new non-blocking, close-on-exec sockets */
	SB_ALLOW_ARG(accept4, 3, SOCK_NONBLOCK | SOCK_CLOEXEC),
	/* the write side, before throwing away what a refused client sends */
	SB_ALLOW(shutdown),
	/* has a connection in its handshake sent anything (server.c) */
	SB_ALLOW_ARG(ioctl, 1, FIONREAD),
	/* syslog(3): send(2) on the socket it opened before the sandbox */
	SB_ALLOW(sendto),
	/*
	 * syslog(3) reconnects with socket() when syslogd restarted: it
	 * fails harmlessly, the message is lost, commsd goes on
	 */
	SB_ERRNO(socket, EACCES),
	/* the database, inside the chroot */
	SB_SQLITE_SYSCALLS,
	/* the bundles of a gateway's directory (checkin.c) */
	SB_ALLOW(getdents64),
};

const struct sandbox commsd_sandbox = {
	.name = "commsd",
	.new_netns = 0,
	.paths = commsd_paths,
	.npaths = sizeof(commsd_paths) / sizeof(commsd_paths[0]),
	.deny_tcp = 1,
	/*
	 * the connections and the handshakes, the listeners, the database,
	 * syslog, the spawner and the workers
	 */
	.max_files = 2 * COMMS_MAX_CONNS_LIMIT + COMMS_MAX_WORKERS + 64,
	.allow_file_growth = 1,
	.syscalls = commsd_syscalls,
	.nsyscalls = sizeof(commsd_syscalls) / sizeof(commsd_syscalls[0]),
};

/*
 * The server on PostgreSQL: the connection to the database is made
 * before the sandbox (over a Unix socket or TCP), and only used in it.
 * Compared with commsd_sandbox: no file may be written (Landlock), no
 * SQLite calls; libpq's recv(2) (recvfrom) and poll(2) on the connected
 * socket (send(2) is sendto, syslog's too).  It cannot connect again:
 * socket() fails, and Landlock forbids any TCP connect; a server whose
 * connection is lost answers 503 and ends, and commsd's keeper starts
 * another, which connects before its own sandbox (keeper.c).
 */
static const struct sb_path commsd_pg_paths[] = {
	/* the instructions and packages directories: read only */
	{ "/", SB_FS_READ },
};

static const struct sb_syscall commsd_pg_syscalls[] = {
	SB_BASE_SYSCALLS,
	SB_ALLOW_ARG(accept4, 3, SOCK_NONBLOCK | SOCK_CLOEXEC),
	SB_ALLOW(shutdown),
	SB_ALLOW_ARG(ioctl, 1, FIONREAD),
	/* syslog(3)'s send(2), libpq's send(2) on its connection */
	SB_ALLOW(sendto),
	SB_ERRNO(socket, EACCES),
	/* libpq: recv(2) on its connection, and poll(2) waiting on it */
	SB_ALLOW(recvfrom),
	SB_ALLOW(poll),
	/* the bundles and packages: opened and read (checkin.c) */
	SB_ALLOW(openat),
	SB_ALLOW(getdents64),
};

const struct sandbox commsd_pg_sandbox = {
	.name = "commsd",
	.new_netns = 0,
	/* a server dies with its keeper (keeper.c) */
	.die_with_parent = 1,
	.paths = commsd_pg_paths,
	.npaths = sizeof(commsd_pg_paths) / sizeof(commsd_pg_paths[0]),
	.deny_tcp = 1,
	.max_files = 2 * COMMS_MAX_CONNS_LIMIT + COMMS_MAX_WORKERS + 64,
	/* its standard error may be a file (-d); Landlock allows no other */
	.allow_file_growth = 1,
	.syscalls = commsd_pg_syscalls,
	.nsyscalls = sizeof(commsd_pg_syscalls) /
	    sizeof(commsd_pg_syscalls[0]),
};

/*
 * The spawner, forked before the server reads its key; as root it
 * compiles the schema, then enters this for good:
 *
 *	network namespace	an empty one: no network at all
 *	chroot			the state directory, but no file may be
 *				opened: Landlock allows nothing, and the
 *				seccomp table has no call that names a path
 *	user			the configured one
 *	rlimits			RLIMIT_NPROC 256 (processes of that user,
 *				all of them: its workers are at most twice
 *				"workers", those killed and not yet reaped
 *				included); no file may grow
 *	seccomp			below: fork (clone as glibc's fork makes it,
 *				nothing else), wait4 and kill for its
 *				workers, socketpair and descriptor passing
 *				for their sockets, poll; and what a worker
 *				calls between fork and its own sandbox
 *				(rlimits, prctl, Landlock, seccomp)
 */
#define COMMS_FORK_FLAGS	(CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | \
				    SIGCHLD)

static const struct sb_syscall spawner_syscalls[] = {
	SB_BASE_SYSCALLS,
	SB_ALLOW(poll),
	SB_ALLOW(restart_syscall),	/* poll, after SIGCHLD */
	SB_ALLOW(wait4),
	SB_ALLOW(kill),
	SB_ALLOW_ARG(clone, 0, COMMS_FORK_FLAGS),
	SB_ALLOW(set_robust_list),	/* glibc, in the child of fork */
	SB_ALLOW_ARG(socketpair, 0, AF_UNIX),
	SB_ALLOW_ARG(fcntl, 1, F_GETFL),
	SB_ALLOW_ARG(fcntl, 1, F_SETFL),
	/* the worker, on its way into its own sandbox */
	SB_ALLOW(getppid),
	SB_ALLOW(prlimit64),
	SB_ALLOW_ARG(prctl, 0, PR_SET_PDEATHSIG),
	SB_ALLOW_ARG(prctl, 0, PR_SET_NAME),
	SB_ALLOW_ARG(prctl, 0, PR_SET_NO_NEW_PRIVS),
	SB_ALLOW_ARG(prctl, 0, PR_SET_DUMPABLE),
	SB_ALLOW(landlock_create_ruleset),
	SB_ALLOW(landlock_add_rule),
	SB_ALLOW(landlock_restrict_self),
	SB_ALLOW_ARG(seccomp, 0, SECCOMP_SET_MODE_FILTER),
};

const struct sandbox commsd_spawner_sandbox = {
	.name = "commsd-spawner",
	.new_netns = 1,
	.paths = NULL,
	.npaths = 0,
	.deny_tcp = 1,
	.max_files = 64,
	.allow_file_growth = 0,
	.max_procs = 256,
	.syscalls = spawner_syscalls,
	.nsyscalls = sizeof(spawner_syscalls) / sizeof(spawner_syscalls[0]),
};

/*
 * A worker: the spawner's sandbox (it is its child), and nested in it
 * another Landlock domain (nothing allowed; no signal outside it) and
 * this seccomp table: the base calls only.  It reads the document from
 * its socket, computes, writes the answer and exits; it may not fork,
 * kill, open, connect or create anything.  Its rlimits (spawner.c):
 * RLIMIT_CPU, RLIMIT_AS, RLIMIT_NOFILE 8, RLIMIT_NPROC 0.
 */
static const struct sb_syscall worker_syscalls[] = {
	SB_BASE_SYSCALLS,
};

const struct sandbox commsd_worker_sandbox = {
	.name = "commsd-worker",
	.deny_tcp = 1,
	.syscalls = worker_syscalls,
	.nsyscalls = sizeof(worker_syscalls) / sizeof(worker_syscalls[0]),
};
