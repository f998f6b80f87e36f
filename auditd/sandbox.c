/*
 * auditd's sandbox: its state directory (the database and the package
 * store) and nothing else.  chroot to that directory, an empty network
 * namespace, Landlock allowing files beneath it only (no directories), no
 * sockets.
 * It is the only process allowed to grow files.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <fcntl.h>

#include "sandbox.h"

static const struct sb_path auditd_paths[] = {
	/* the database and its -journal, -wal and -shm files */
	{ "/", SB_FS_READ | SB_FS_WRITE },
};

static const struct sb_syscall auditd_syscalls[] = {
	SB_BASE_SYSCALLS,
	/* the database, inside the chroot */
	SB_SQLITE_SYSCALLS,
	/*
	 * The package store (gateway.c): a temporary file synced, renamed
	 * into place in the same directory, and the directory synced.  The
	 * directory itself is made by the parent before auditd starts.
	 */
	SB_ALLOW(fsync), SB_ALLOW(rename),
	/*
	 * Site information (site.c): the kernel's names, its memory, the
	 * processors it may run on, the state directory's file system.
	 * None reads a file or reaches a network.
	 */
	SB_ALLOW(uname), SB_ALLOW(sysinfo), SB_ALLOW(sched_getaffinity),
	SB_ALLOW(statfs),
	/*
	 * The outbox (building, checking, hashing and gzipping documents,
	 * the salt from arc4random(), retry timers) needs nothing more
	 * than the base: memory, getrandom and the clock.
	 */
};

const struct sandbox auditd_sandbox = {
	.name = "auditd",
	.new_netns = 1,
	.die_with_parent = 1,
	.paths = auditd_paths,
	.npaths = sizeof(auditd_paths) / sizeof(auditd_paths[0]),
	.deny_tcp = 1,
	.scope_signals = 1,
	.max_files = 64,
	.allow_file_growth = 1,
	.syscalls = auditd_syscalls,
	.nsyscalls = sizeof(auditd_syscalls) / sizeof(auditd_syscalls[0]),
};
