/*
 * signerd's sandbox: nothing but its pipes.  Public keys arrive over imsg;
 * it verifies signatures in memory.  Empty network namespace, empty chroot,
 * no files, no sockets.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <fcntl.h>

#include "sandbox.h"

static const struct sb_syscall signerd_syscalls[] = {
	SB_BASE_SYSCALLS,
};

const struct sandbox signerd_sandbox = {
	.name = "signerd",
	.new_netns = 1,
	.die_with_parent = 1,
	.paths = NULL,
	.npaths = 0,
	.deny_tcp = 1,
	.scope_signals = 1,
	.max_files = 16,
	.allow_file_growth = 0,
	.syscalls = signerd_syscalls,
	.nsyscalls = sizeof(signerd_syscalls) / sizeof(signerd_syscalls[0]),
};
