/*
 * callhomed's own sandbox, entered once its children run.  It stays root
 * (its configuration and keys are root's, 0600) but may do only what is
 * left of its job: read its configuration and key files again on reload,
 * serve the control socket, resolve and dial the one server or proxy,
 * and supervise (wait for, signal) the children it already started.
 *
 * No exec, no fork, no ptrace, no listening or bound socket, no file
 * opened for writing (seccomp: such a call kills it).  Landlock (where the
 * kernel has it) allows reading the directories of its configuration
 * files, its key files, the schema, the vendor profiles and the time zone
 * only, removing its control socket at exit, and TCP connections to the
 * server's (or proxy's) port only: the paths and the port are known at
 * run time, see parent_sandbox() in callhomed.c.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <fcntl.h>

#include "sandbox.h"

/* files are opened for reading only: O_WRONLY, O_RDWR, O_CREAT, O_TRUNC,
 * O_APPEND... make open a forbidden call */
#define OPEN_READ_FLAGS	(O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | \
			    O_NOFOLLOW | O_DIRECTORY | O_LARGEFILE)

static const struct sb_syscall callhomed_syscalls[] = {
	SB_BASE_SYSCALLS,
	/* reload: the configuration, its includes, keys, schema, profiles;
	 * the time zone file when the schedule is computed again */
	SB_ALLOW_ARG_MASK(openat, 2, OPEN_READ_FLAGS),
	SB_ALLOW(newfstatat), SB_ALLOW(getdents64), SB_ALLOW(lseek),
	/* the control socket: clients, their credentials and groups */
	SB_ALLOW(accept4), SB_ALLOW(getsockopt),
	/* dialing the server or proxy (TCP), evdns (UDP to the resolvers),
	 * syslog (a datagram Unix socket) */
	SB_ALLOW_ARG(socket, 0, AF_INET), SB_ALLOW_ARG(socket, 0, AF_INET6),
	SB_ALLOW_ARG(socket, 0, AF_UNIX),
	SB_ALLOW(connect), SB_ALLOW(sendto), SB_ALLOW(recvfrom),
	SB_ALLOW(getsockname),
	SB_ALLOW_ARG(fcntl, 1, F_GETFL), SB_ALLOW_ARG(fcntl, 1, F_SETFL),
	SB_ALLOW_ARG(fcntl, 1, F_GETFD), SB_ALLOW_ARG(fcntl, 1, F_SETFD),
	/* supervising the children: reaping, stopping, the grace period */
	SB_ALLOW(wait4), SB_ALLOW(kill), SB_ALLOW(clock_nanosleep),
	/* the control socket's file, at exit */
	SB_ALLOW(unlink),
};

const struct sandbox callhomed_sandbox = {
	.name = "callhomed",
	.new_netns = 0,			/* it dials the server */
	.die_with_parent = 0,		/* the service manager is its parent */
	.paths = NULL,			/* all known at run time only */
	.npaths = 0,
	.deny_tcp = 1,			/* but the port of params */
	.keep_root = 1,
	.scope_signals = 0,		/* it signals its children */
	.max_files = 256,
	.allow_file_growth = 1,		/* stderr may be a log file */
	.syscalls = callhomed_syscalls,
	.nsyscalls = sizeof(callhomed_syscalls) / sizeof(callhomed_syscalls[0]),
};
