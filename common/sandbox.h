/*
 * Sandboxes.  Each child declares its whole sandbox in one table (its
 * <child>/sandbox.c); sandbox_enter() applies it in a fixed order:
 *
 *	1. network namespace (an empty one, when declared)
 *	2. chroot to the given directory
 *	3. drop groups, gid and uid (and check they cannot come back)
 *	4. no new privileges; not dumpable
 *	5. rlimits
 *	6. Landlock, best effort: the highest ABI the kernel offers
 *	7. seccomp-bpf allowlist: installing it is fatal if it fails, and a
 *	   call outside the list kills the whole process
 *
 * The same code runs in the daemons and in regress/sandbox/probe.c.
 */
#ifndef CALLHOME_SANDBOX_H
#define CALLHOME_SANDBOX_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

/* one allowed system call, optionally with conditions on its arguments */
#define SB_MAXCOND	2
struct sb_cond {
	uint8_t		 arg;	/* argument number, 0..5 */
	uint32_t	 mask;	/* (low 32 bits of arg & mask) == value */
	uint32_t	 value;
};
struct sb_syscall {
	int		 nr;
	const char	*name;
	int		 errnum;	/* 0: allow; else fail with this errno */
	uint8_t		 ncond;
	struct sb_cond	 cond[SB_MAXCOND];
};

#define SB_ALLOW(sc) \
	{ __NR_##sc, #sc, 0, 0, { { 0, 0, 0 } } }
/* allowed when argument n equals v */
#define SB_ALLOW_ARG(sc, n, v) \
	{ __NR_##sc, #sc, 0, 1, { { n, 0xffffffffU, (uint32_t)(v) } } }
/* allowed when argument n has no bits outside m */
#define SB_ALLOW_ARG_MASK(sc, n, m) \
	{ __NR_##sc, #sc, 0, 1, { { n, ~(uint32_t)(m), 0 } } }
/* allowed when argument n equals v and argument k, less the bits in
 * ignore, equals w */
#define SB_ALLOW_ARG2(sc, n, v, k, w, ignore) \
	{ __NR_##sc, #sc, 0, 2, { { n, 0xffffffffU, (uint32_t)(v) }, \
	    { k, ~(uint32_t)(ignore), (uint32_t)(w) } } }
/* fails harmlessly with errno e (for calls libraries try and can do without) */
#define SB_ERRNO(sc, e) \
	{ __NR_##sc, #sc, e, 0, { { 0, 0, 0 } } }

/* Landlock filesystem access on a path inside the chroot */
#define SB_FS_READ	0x01
#define SB_FS_WRITE	0x02	/* write, truncate, create and remove files */
#define SB_FS_DIRS	0x04	/* create and remove directories */
struct sb_path {
	const char	*path;
	int		 access;
};

struct sandbox {
	const char		*name;
	int			 new_netns;	/* empty network namespace */
	const struct sb_path	*paths;		/* Landlock: all else denied */
	size_t			 npaths;
	int			 deny_tcp;	/* Landlock: no TCP bind/connect */
	/* rlimits */
	uint64_t		 max_files;	/* RLIMIT_NOFILE */
	int			 allow_file_growth; /* else RLIMIT_FSIZE 0 */
	const struct sb_syscall	*syscalls;
	size_t			 nsyscalls;
};

/* what the parent tells a child before it enters the sandbox */
struct sandbox_params {
	uid_t		 uid;
	gid_t		 gid;
	const char	*root;		/* chroot directory */
};

void	sandbox_enter(const struct sandbox *, const struct sandbox_params *);
/* the same, with only some layers: for the probe that proves each one */
#define SB_LAYER_NETNS		0x01
#define SB_LAYER_CHROOT		0x02
#define SB_LAYER_CREDS		0x04	/* with no-new-privs and rlimits */
#define SB_LAYER_LANDLOCK	0x08
#define SB_LAYER_SECCOMP	0x10
#define SB_LAYER_ALL		0x1f
void	sandbox_enter_layers(const struct sandbox *,
	    const struct sandbox_params *, int);
/* the Landlock ABI of the running kernel, 0 when there is none */
int	sandbox_landlock_abi(void);

/* the declarations, one per child (in each child's directory) */
extern const struct sandbox	collectd_sandbox;
extern const struct sandbox	auditd_sandbox;
extern const struct sandbox	signerd_sandbox;
extern const struct sandbox	uplinkd_sandbox;

/* calls every sandboxed process needs (event loop, imsg, memory, exit) */
#define SB_BASE_SYSCALLS						\
	SB_ALLOW(read), SB_ALLOW(write), SB_ALLOW(readv),		\
	SB_ALLOW(writev), SB_ALLOW(close), SB_ALLOW(exit),		\
	SB_ALLOW(exit_group), SB_ALLOW(rt_sigreturn),			\
	SB_ALLOW(rt_sigprocmask), SB_ALLOW(sendmsg), SB_ALLOW(recvmsg),	\
	SB_ALLOW(sendto), SB_ALLOW(recvfrom),	\
	SB_ALLOW(epoll_wait), SB_ALLOW(epoll_pwait), SB_ALLOW(epoll_ctl),\
	SB_ALLOW(poll), SB_ALLOW(ppoll),				\
	SB_ALLOW(clock_gettime), SB_ALLOW(gettimeofday),		\
	SB_ALLOW(clock_nanosleep), SB_ALLOW(nanosleep),			\
	SB_ALLOW(getpid), SB_ALLOW(gettid), SB_ALLOW(getrandom),	\
	SB_ALLOW(getrusage), SB_ALLOW(brk), SB_ALLOW(munmap),		\
	SB_ALLOW(mremap), SB_ALLOW(madvise), SB_ALLOW(futex),		\
	SB_ALLOW_ARG_MASK(mmap, 2, PROT_READ | PROT_WRITE),		\
	SB_ALLOW_ARG_MASK(mprotect, 2, PROT_READ | PROT_WRITE),	\
	SB_ALLOW_ARG(fcntl, 1, F_GETFL), SB_ALLOW_ARG(fcntl, 1, F_SETFL),\
	SB_ALLOW_ARG(fcntl, 1, F_GETFD), SB_ALLOW_ARG(fcntl, 1, F_SETFD),\
	SB_ALLOW(fstat), SB_ALLOW_ARG(newfstatat, 3, AT_EMPTY_PATH)

/* what sqlite needs for a database in a (chroot) directory */
#define SB_SQLITE_SYSCALLS						\
	SB_ALLOW(openat), SB_ALLOW(newfstatat), SB_ALLOW(lstat),	\
	SB_ALLOW(stat), SB_ALLOW(access), SB_ALLOW(faccessat),		\
	SB_ALLOW(pread64), SB_ALLOW(pwrite64), SB_ALLOW(lseek),		\
	SB_ALLOW(fsync), SB_ALLOW(fdatasync), SB_ALLOW(ftruncate),	\
	SB_ALLOW(unlink), SB_ALLOW(unlinkat), SB_ALLOW(getcwd),		\
	SB_ALLOW(geteuid), SB_ALLOW(fchmod), SB_ALLOW(readlink),	\
	/* its POSIX advisory locks */					\
	SB_ALLOW_ARG(fcntl, 1, F_GETLK), SB_ALLOW_ARG(fcntl, 1, F_SETLK),\
	SB_ALLOW_ARG(fcntl, 1, F_SETLKW),				\
	SB_ALLOW_ARG(fcntl, 1, F_OFD_GETLK),				\
	SB_ALLOW_ARG(fcntl, 1, F_OFD_SETLK),				\
	SB_ALLOW_ARG(fcntl, 1, F_DUPFD_CLOEXEC)

#endif /* CALLHOME_SANDBOX_H */
