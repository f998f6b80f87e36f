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

#include "sandbox.h"

static const struct sb_syscall uplinkd_syscalls[] = {
	/* TLS over the parent's socket is reads and writes: nothing more */
	SB_BASE_SYSCALLS,
};

const struct sandbox uplinkd_sandbox = {
	.name = "uplinkd",
	.new_netns = 1,
	.die_with_parent = 1,
	.paths = NULL,
	.npaths = 0,
	.deny_tcp = 1,
	.scope_signals = 1,
	.max_files = 16,
	.allow_file_growth = 0,
	.syscalls = uplinkd_syscalls,
	.nsyscalls = sizeof(uplinkd_syscalls) / sizeof(uplinkd_syscalls[0]),
};
