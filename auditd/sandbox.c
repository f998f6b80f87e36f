/*
 * auditd's sandbox: its state directory (database, spool, packages) and
 * nothing else.  chroot to that directory, an empty network namespace,
 * Landlock allowing files and directories beneath it only, no sockets.
 * It is the only process allowed to grow files.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <fcntl.h>

#include "sandbox.h"

static const struct sb_path auditd_paths[] = {
	{ "/", SB_FS_READ | SB_FS_WRITE | SB_FS_DIRS },
};

static const struct sb_syscall auditd_syscalls[] = {
	SB_BASE_SYSCALLS,
	/* sqlite and the package store, inside the chroot */
	SB_ALLOW(openat),
	SB_ALLOW(newfstatat),
	SB_ALLOW(lstat),
	SB_ALLOW(stat),
	SB_ALLOW(access),
	SB_ALLOW(faccessat),
	SB_ALLOW(pread64),
	SB_ALLOW(pwrite64),
	SB_ALLOW(lseek),
	SB_ALLOW(fsync),
	SB_ALLOW(fdatasync),
	SB_ALLOW(ftruncate),
	SB_ALLOW(unlink),
	SB_ALLOW(unlinkat),
	SB_ALLOW(rename),
	SB_ALLOW(renameat),
	SB_ALLOW(mkdir),
	SB_ALLOW(mkdirat),
	SB_ALLOW(rmdir),
	SB_ALLOW(getcwd),
	SB_ALLOW(geteuid),
	SB_ALLOW(getdents64),
	SB_ALLOW(fchmod),
	SB_ALLOW(readlink),
	SB_ALLOW(umask),
	/* sqlite's POSIX advisory locks */
	SB_ALLOW_ARG(fcntl, 1, F_GETLK),
	SB_ALLOW_ARG(fcntl, 1, F_SETLK),
	SB_ALLOW_ARG(fcntl, 1, F_SETLKW),
	SB_ALLOW_ARG(fcntl, 1, F_OFD_GETLK),
	SB_ALLOW_ARG(fcntl, 1, F_OFD_SETLK),
	SB_ALLOW_ARG(fcntl, 1, F_DUPFD_CLOEXEC),
	/*
	 * The outbox (building, checking, hashing and gzipping documents,
	 * the salt from arc4random(), retry timers) needs nothing more
	 * than the base: memory (brk, mmap, mremap, madvise for
	 * malloc_trim()), getrandom and the clock.
	 */
};

const struct sandbox auditd_sandbox = {
	.name = "auditd",
	.new_netns = 1,
	.paths = auditd_paths,
	.npaths = sizeof(auditd_paths) / sizeof(auditd_paths[0]),
	.deny_tcp = 1,
	.max_files = 64,
	.allow_file_growth = 1,
	.syscalls = auditd_syscalls,
	.nsyscalls = sizeof(auditd_syscalls) / sizeof(auditd_syscalls[0]),
};
