/*
 * commsd's sandbox, entered once start-up is done: the listening sockets
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
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>

#include "commsd.h"
#include "sandbox.h"

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
	/* syslog(3): send(2) on the socket it opened before the sandbox */
	SB_ALLOW(sendto),
	/*
	 * syslog(3) reconnects with socket() when syslogd restarted: it
	 * fails harmlessly, the message is lost, commsd goes on
	 */
	SB_ERRNO(socket, EACCES),
	/* the database, inside the chroot */
	SB_SQLITE_SYSCALLS,
};

const struct sandbox commsd_sandbox = {
	.name = "commsd",
	.new_netns = 0,
	.paths = commsd_paths,
	.npaths = sizeof(commsd_paths) / sizeof(commsd_paths[0]),
	.deny_tcp = 1,
	/* the connections, the listeners, the database, syslog */
	.max_files = COMMS_MAX_CONNS_LIMIT + 64,
	.allow_file_growth = 1,
	.syscalls = commsd_syscalls,
	.nsyscalls = sizeof(commsd_syscalls) / sizeof(commsd_syscalls[0]),
};
