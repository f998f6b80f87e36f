/*
 * uplinkd's sandbox: the one connected socket the parent hands it, and its
 * pipes.  It speaks TLS on that socket but cannot create a socket, connect,
 * bind, or touch a file.  Its network namespace is empty, so even a socket
 * it somehow obtained could reach nothing; the parent's socket was made in
 * the host namespace and keeps working.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "sandbox.h"

static const struct sb_syscall uplinkd_syscalls[] = {
	SB_BASE_SYSCALLS,
	SB_ALLOW(shutdown),
	SB_ALLOW(getsockopt),
	SB_ALLOW_ARG2(setsockopt, 1, IPPROTO_TCP, 2, TCP_NODELAY, 0),
	SB_ALLOW(getpeername),
	SB_ALLOW(getsockname),
};

const struct sandbox uplinkd_sandbox = {
	.name = "uplinkd",
	.new_netns = 1,
	.paths = NULL,
	.npaths = 0,
	.deny_tcp = 1,
	.max_files = 16,
	.allow_file_growth = 0,
	.syscalls = uplinkd_syscalls,
	.nsyscalls = sizeof(uplinkd_syscalls) / sizeof(uplinkd_syscalls[0]),
};
