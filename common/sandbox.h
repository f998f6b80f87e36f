/*
 * Sandboxes.  Each child declares its whole sandbox in one table (its
 * <child>/sandbox.c); sandbox_enter() applies it in a fixed order:
 *
 *	1. network namespace (an empty one, when declared)
 *	2. chroot to the given directory (not the parent: keep_root)
 *	3. drop groups, gid and uid (and check they cannot come back; not
 *	   the parent, which stays root to read its root-owned files)
 *	4. no new privileges; not dumpable; killed when the parent dies
 *	5. rlimits
 *	6. Landlock, best effort: the highest ABI the kernel offers; the
 *	   declaration's paths and the ones known at run time (params)
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
#define SB_FS_REMOVE	0x04	/* remove files (the parent's control socket) */
struct sb_path {
	const char	*path;
	int		 access;
};

struct sandbox {
	const char		*name;
	int			 new_netns;	/* empty network namespace */
	int			 die_with_parent; /* SIGKILL at its death */
	const struct sb_path	*paths;		/* Landlock: all else denied */
	size_t			 npaths;
	int			 deny_tcp;	/* Landlock: no TCP bind/connect,
						   but connect to params' ports */
	int			 keep_root;	/* no chroot, no new credentials */
	int			 scope_signals;	/* Landlock: signal nobody outside */
	/* rlimits */
	uint64_t		 max_files;	/* RLIMIT_NOFILE */
	int			 allow_file_growth; /* else RLIMIT_FSIZE 0 */
	uint64_t		 max_procs;	/* RLIMIT_NPROC; 0: none */
	const struct sb_syscall	*syscalls;
	size_t			 nsyscalls;
};

/* what the parent tells a child before it enters the sandbox */
struct sandbox_params {
	uid_t		 uid;
	gid_t		 gid;
	const char	*root;		/* chroot directory */
	pid_t		 ppid;		/* the parent (die_with_parent) */
	/* known at run time only: more Landlock paths, TCP ports to dial */
	const struct sb_path *paths;
	size_t		 npaths;
	const uint16_t	*tcp_ports;
	size_t		 ntcp_ports;
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
extern const struct sandbox	callhomed_sandbox;	/* the parent's */

/*
 * Calls every sandboxed process needs.  Each one is made after the
 * sandbox is entered (strace of a whole daemon life: start, cycles,
 * uploads, reload, stop), or is named for a path that run cannot show:
 *
 *	read, write, close		descriptors; libevent's signal pipe
 *	sendmsg, recvmsg		imsg channels, descriptor passing
 *	epoll_wait, epoll_ctl		libevent's loop
 *	rt_sigreturn			return from a signal handler
 *	exit_group			exit
 *	brk, mmap (no exec), munmap	malloc
 *	mremap				realloc of a large block
 *	futex				glibc's locks (stdio, atexit)
 *	getpid, getrusage		logging, the state line
 *	getrandom			arc4random
 *	clock_gettime, gettimeofday	the vDSO falls back to them on some
 *					clock sources
 *	newfstatat (empty path)		fstat: stdio's first write
 *	pread64				the peak RSS from /proc/self/status
 *	writev				glibc's last words on heap corruption
 *					or a fortify check, before it dies
 */
#define SB_BASE_SYSCALLS						\
	SB_ALLOW(read), SB_ALLOW(write), SB_ALLOW(close),		\
	SB_ALLOW(sendmsg), SB_ALLOW(recvmsg),				\
	SB_ALLOW(epoll_wait), SB_ALLOW(epoll_ctl),			\
	SB_ALLOW(rt_sigreturn), SB_ALLOW(exit_group),			\
	SB_ALLOW(brk), SB_ALLOW_ARG_MASK(mmap, 2, PROT_READ | PROT_WRITE),\
	SB_ALLOW(munmap), SB_ALLOW(mremap), SB_ALLOW(futex),		\
	SB_ALLOW(getpid), SB_ALLOW(getrusage), SB_ALLOW(getrandom),	\
	SB_ALLOW(clock_gettime), SB_ALLOW(gettimeofday),		\
	SB_ALLOW_ARG(newfstatat, 3, AT_EMPTY_PATH), SB_ALLOW(writev),	\
	SB_ALLOW(pread64)

/*
 * What SQLite needs for a database in a (chroot) directory: opening
 * (lstat and stat are newfstatat, the journal's existence access, a
 * symbolic link is resolved with readlink), positioned reads and writes,
 * fdatasync (of the directory too), truncating and unlinking the journal
 * and WAL files, fchmod when a new journal's mode must match the
 * database's, geteuid (it would chown as root), its POSIX advisory
 * locks, and a sleep while another connection holds the lock.
 */
#define SB_SQLITE_SYSCALLS						\
	SB_ALLOW(openat), SB_ALLOW(newfstatat), SB_ALLOW(access),	\
	SB_ALLOW(readlink), SB_ALLOW(pwrite64),				\
	SB_ALLOW(fdatasync), SB_ALLOW(ftruncate), SB_ALLOW(unlink),	\
	SB_ALLOW(fchmod), SB_ALLOW(geteuid),				\
	SB_ALLOW_ARG(fcntl, 1, F_GETLK), SB_ALLOW_ARG(fcntl, 1, F_SETLK),\
	SB_ALLOW(clock_nanosleep)

#endif /* CALLHOME_SANDBOX_H */
