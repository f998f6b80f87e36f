/*
 * sandbox_enter(): the mechanism behind the per-process declarations.
 * Linux only: namespaces, chroot, credentials, rlimits, Landlock, seccomp.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"

/*
 * Landlock, with the constants Debian 12's headers lack (ABI 1..6).
 */
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset	444
#define __NR_landlock_add_rule		445
#define __NR_landlock_restrict_self	446
#endif
#define LL_CREATE_RULESET_VERSION	(1U << 0)
#define LL_RULE_PATH_BENEATH		1
#define LL_RULE_NET_PORT		2

#define LL_FS_EXECUTE		(1ULL << 0)
#define LL_FS_WRITE_FILE	(1ULL << 1)
#define LL_FS_READ_FILE		(1ULL << 2)
#define LL_FS_READ_DIR		(1ULL << 3)
#define LL_FS_REMOVE_DIR	(1ULL << 4)
#define LL_FS_REMOVE_FILE	(1ULL << 5)
#define LL_FS_MAKE_CHAR		(1ULL << 6)
#define LL_FS_MAKE_DIR		(1ULL << 7)
#define LL_FS_MAKE_REG		(1ULL << 8)
#define LL_FS_MAKE_SOCK		(1ULL << 9)
#define LL_FS_MAKE_FIFO		(1ULL << 10)
#define LL_FS_MAKE_BLOCK	(1ULL << 11)
#define LL_FS_MAKE_SYM		(1ULL << 12)
#define LL_FS_REFER		(1ULL << 13)	/* ABI 2 */
#define LL_FS_TRUNCATE		(1ULL << 14)	/* ABI 3 */
#define LL_FS_IOCTL_DEV		(1ULL << 15)	/* ABI 5 */
#define LL_NET_BIND_TCP		(1ULL << 0)	/* ABI 4 */
#define LL_NET_CONNECT_TCP	(1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX	(1ULL << 0)	/* ABI 6 */
#define LL_SCOPE_SIGNAL		(1ULL << 1)

struct ll_ruleset_attr {
	uint64_t	 handled_access_fs;
	uint64_t	 handled_access_net;
	uint64_t	 scoped;
};

struct ll_path_beneath_attr {
	uint64_t	 allowed_access;
	int32_t		 parent_fd;
} __attribute__((packed));

struct ll_net_port_attr {
	uint64_t	 allowed_access;
	uint64_t	 port;
};

/* the system call tables are x86_64's */
#if defined(__x86_64__)
#define SB_AUDIT_ARCH	AUDIT_ARCH_X86_64
#else
#error "the seccomp tables are written for x86_64 only"
#endif

#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif

/* low 32 bits of argument n (little-endian) */
#define ARG_LO(n)	(offsetof(struct seccomp_data, args) + (n) * 8)

static void
enter_netns(const struct sandbox *sb)
{
	if (!sb->new_netns)
		return;
	if (unshare(CLONE_NEWNET) == -1)
		fatal("unshare(CLONE_NEWNET)");
}

static void
enter_chroot(const struct sandbox *sb, const char *root)
{
	struct stat	 st;

	if (stat(root, &st) == -1)
		fatal("stat %s", root);
	if (!S_ISDIR(st.st_mode))
		fatalx("%s is not a directory", root);
	if (chroot(root) == -1)
		fatal("chroot %s", root);
	if (chdir("/") == -1)
		fatal("chdir /");
}

static void
drop_privileges(const struct sandbox *sb, uid_t uid, gid_t gid)
{
	uid_t	 ru, eu, su;
	gid_t	 rg, eg, sg;

	if (uid == 0 || gid == 0)
		fatalx("refusing to run as root");
	if (setgroups(1, &gid) == -1)
		fatal("setgroups");
	if (setresgid(gid, gid, gid) == -1)
		fatal("setresgid");
	if (setresuid(uid, uid, uid) == -1)
		fatal("setresuid");
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1)
		fatal("getresuid");
	if (ru != uid || eu != uid || su != uid ||
	    rg != gid || eg != gid || sg != gid)
		fatalx("credentials did not change");
	if (setuid(0) != -1 || setgid(0) != -1)
		fatalx("could regain root");
}

static void
no_new_privs(const struct sandbox *sb, pid_t ppid)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("PR_SET_NO_NEW_PRIVS");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("PR_SET_DUMPABLE");
	/*
	 * After the credentials: changing them clears it.  A parent that
	 * died before we asked is caught by its pid: we were adopted.
	 */
	if (sb->die_with_parent) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
			fatal("PR_SET_PDEATHSIG");
		if (ppid != 0 && getppid() != ppid)
			fatalx("the parent died while %s started", sb->name);
	}
}

static void
set_limit(const struct sandbox *sb, int res, const char *what, rlim_t v)
{
	struct rlimit	 rl;

	rl.rlim_cur = rl.rlim_max = v;
	if (setrlimit(res, &rl) == -1)
		fatal("setrlimit %s", what);
}

static void
set_rlimits(const struct sandbox *sb)
{
	set_limit(sb, RLIMIT_NPROC, "NPROC", sb->max_procs);
	set_limit(sb, RLIMIT_CORE, "CORE", 0);
	set_limit(sb, RLIMIT_MEMLOCK, "MEMLOCK", 0);
	if (sb->max_files > 0)
		set_limit(sb, RLIMIT_NOFILE, "NOFILE", sb->max_files);
	if (!sb->allow_file_growth)
		set_limit(sb, RLIMIT_FSIZE, "FSIZE", 0);
}

int
sandbox_landlock_abi(void)
{
	long	 abi;

	abi = syscall(__NR_landlock_create_ruleset, NULL, 0,
	    LL_CREATE_RULESET_VERSION);
	return abi < 0 ? 0 : (int)abi;
}

static uint64_t
ll_fs_rights(int abi)
{
	uint64_t	 r;

	r = LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE |
	    LL_FS_READ_DIR | LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE |
	    LL_FS_MAKE_CHAR | LL_FS_MAKE_DIR | LL_FS_MAKE_REG |
	    LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO | LL_FS_MAKE_BLOCK |
	    LL_FS_MAKE_SYM;
	if (abi >= 2)
		r |= LL_FS_REFER;
	if (abi >= 3)
		r |= LL_FS_TRUNCATE;
	if (abi >= 5)
		r |= LL_FS_IOCTL_DEV;
	return r;
}

/* the rights a file (not a directory) can be given */
#define LL_FS_FILE_RIGHTS	(LL_FS_EXECUTE | LL_FS_WRITE_FILE | \
				    LL_FS_READ_FILE | LL_FS_TRUNCATE | \
				    LL_FS_IOCTL_DEV)

static uint64_t
ll_path_rights(int access, uint64_t handled, int is_dir)
{
	uint64_t	 r = 0;

	if (access & SB_FS_READ)
		r |= LL_FS_READ_FILE | LL_FS_READ_DIR;
	if (access & SB_FS_WRITE)
		r |= LL_FS_WRITE_FILE | LL_FS_MAKE_REG | LL_FS_REMOVE_FILE |
		    LL_FS_TRUNCATE;
	if (access & SB_FS_REMOVE)
		r |= LL_FS_REMOVE_FILE;
	if (!is_dir)
		r &= LL_FS_FILE_RIGHTS;
	return r & handled;
}

/* a declared path must exist; one named at run time may be gone */
static void
ll_add_path(const struct sandbox *sb, int rfd, const struct sb_path *sp,
    uint64_t handled, int required)
{
	struct ll_path_beneath_attr	 pb;
	struct stat			 st;
	int				 pfd;

	if ((pfd = open(sp->path, O_PATH | O_CLOEXEC)) == -1) {
		if (required)
			fatal("%s: landlock path %s", sb->name, sp->path);
		log_debug("%s: landlock path %s: %s", sb->name, sp->path,
		    strerror(errno));
		return;
	}
	if (fstat(pfd, &st) == -1)
		fatal("%s: landlock path %s", sb->name, sp->path);
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = ll_path_rights(sp->access, handled,
	    S_ISDIR(st.st_mode));
	pb.parent_fd = pfd;
	if (pb.allowed_access != 0 && syscall(__NR_landlock_add_rule, rfd,
	    LL_RULE_PATH_BENEATH, &pb, 0) == -1)
		fatal("%s: landlock_add_rule %s", sb->name, sp->path);
	close(pfd);
}

static void
ll_add_port(const struct sandbox *sb, int rfd, uint16_t port)
{
	struct ll_net_port_attr	 np;

	memset(&np, 0, sizeof(np));
	np.allowed_access = LL_NET_CONNECT_TCP;
	np.port = port;
	if (syscall(__NR_landlock_add_rule, rfd, LL_RULE_NET_PORT, &np, 0) ==
	    -1)
		fatal("%s: landlock_add_rule port %u", sb->name, port);
}

static void
enter_landlock(const struct sandbox *sb, const struct sandbox_params *p)
{
	struct ll_ruleset_attr		 attr;
	size_t				 attrsz, i;
	int				 abi, rfd;

	if ((abi = sandbox_landlock_abi()) == 0) {
		log_debug("no Landlock in this kernel");
		return;
	}
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = ll_fs_rights(abi);
	attrsz = sizeof(attr.handled_access_fs);
	if (abi >= 4) {
		if (sb->deny_tcp)
			attr.handled_access_net = LL_NET_BIND_TCP |
			    LL_NET_CONNECT_TCP;
		attrsz = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		/* the parent must still signal its children, outside */
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX |
		    (sb->scope_signals ? LL_SCOPE_SIGNAL : 0);
		attrsz = sizeof(attr);
	}
	rfd = (int)syscall(__NR_landlock_create_ruleset, &attr, attrsz, 0);
	if (rfd == -1)
		fatal("landlock_create_ruleset");
	for (i = 0; i < sb->npaths; i++)
		ll_add_path(sb, rfd, &sb->paths[i], attr.handled_access_fs, 1);
	for (i = 0; i < p->npaths; i++)
		ll_add_path(sb, rfd, &p->paths[i], attr.handled_access_fs, 0);
	if (attr.handled_access_net != 0)
		for (i = 0; i < p->ntcp_ports; i++)
			ll_add_port(sb, rfd, p->tcp_ports[i]);
	if (syscall(__NR_landlock_restrict_self, rfd, 0) == -1)
		fatal("landlock_restrict_self");
	close(rfd);
	log_debug("Landlock ABI %d applied", abi);
}

/* append one BPF instruction, bounds checked */
static void
emit(struct sock_filter *prog, size_t *n, size_t max, struct sock_filter ins)
{
	if (*n >= max)
		fatalx("seccomp program too long");
	prog[(*n)++] = ins;
}

#define STMT(c, k)		((struct sock_filter)BPF_STMT(c, k))
#define JUMP(c, k, t, f)	((struct sock_filter)BPF_JUMP(c, k, t, f))

/*
 * For each table entry:
 *	ld nr; jeq entry.nr ? next : skip-entry
 *	per condition: ld arg; and mask; jeq value ? next : skip-entry
 *	ret allow (or errno)
 * and at the end: ret kill-process.
 */
static void
build_filter(const struct sandbox *sb, struct sock_filter *prog, size_t *n,
    size_t max)
{
	const struct sb_syscall	*sc;
	size_t			 i, c, len;
	uint32_t		 ret;

	emit(prog, n, max, STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch)));
	emit(prog, n, max, JUMP(BPF_JMP | BPF_JEQ | BPF_K, SB_AUDIT_ARCH, 1, 0));
	emit(prog, n, max, STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
	for (i = 0; i < sb->nsyscalls; i++) {
		sc = &sb->syscalls[i];
		/* instructions after the nr test: 3 per condition + ret */
		len = 3 * sc->ncond + 1;
		emit(prog, n, max, STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)));
		emit(prog, n, max, JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		    (uint32_t)sc->nr, 0, (uint8_t)len));
		for (c = 0; c < sc->ncond; c++) {
			len -= 3;
			emit(prog, n, max, STMT(BPF_LD | BPF_W | BPF_ABS,
			    ARG_LO(sc->cond[c].arg)));
			emit(prog, n, max, STMT(BPF_ALU | BPF_AND | BPF_K,
			    sc->cond[c].mask));
			emit(prog, n, max, JUMP(BPF_JMP | BPF_JEQ | BPF_K,
			    sc->cond[c].value, 0, (uint8_t)len));
		}
		ret = sc->errnum ? SECCOMP_RET_ERRNO |
		    ((uint32_t)sc->errnum & SECCOMP_RET_DATA) :
		    SECCOMP_RET_ALLOW;
		emit(prog, n, max, STMT(BPF_RET | BPF_K, ret));
	}
	emit(prog, n, max, STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
}

static void
enter_seccomp(const struct sandbox *sb)
{
	struct sock_fprog	 fprog;
	struct sock_filter	*prog;
	size_t			 n = 0, max, i;

	for (i = 0; i < sb->nsyscalls; i++)
		if (sb->syscalls[i].ncond > SB_MAXCOND ||
		    sb->syscalls[i].nr < 0)
			fatalx("%s: bad seccomp entry %s", sb->name,
			    sb->syscalls[i].name);
	if (sb->nsyscalls > 1000)
		fatalx("seccomp table too long");
	max = 4 + sb->nsyscalls * (3 + 3 * SB_MAXCOND);
	if ((prog = reallocarray(NULL, max, sizeof(*prog))) == NULL)
		fatal(NULL);
	build_filter(sb, prog, &n, max);
	fprog.len = (unsigned short)n;
	fprog.filter = prog;
	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) == -1)
		fatal("installing the seccomp filter");
	free(prog);
}

void
sandbox_enter_layers(const struct sandbox *sb, const struct sandbox_params *p,
    int layers)
{
	static const struct sandbox_params	 none;

	/* a nested sandbox (commsd's workers) has nothing to add */
	if (p == NULL)
		p = &none;
	if (layers & SB_LAYER_NETNS)
		enter_netns(sb);
	if ((layers & SB_LAYER_CHROOT) && !sb->keep_root)
		enter_chroot(sb, p->root);
	if (layers & SB_LAYER_CREDS) {
		if (!sb->keep_root)
			drop_privileges(sb, p->uid, p->gid);
		no_new_privs(sb, p->ppid);
		set_rlimits(sb);
	} else if (layers & (SB_LAYER_LANDLOCK | SB_LAYER_SECCOMP))
		no_new_privs(sb, p->ppid);	/* both require it */
	if (layers & SB_LAYER_LANDLOCK)
		enter_landlock(sb, p);
	if (layers & SB_LAYER_SECCOMP)
		enter_seccomp(sb);
}

void
sandbox_enter(const struct sandbox *sb, const struct sandbox_params *p)
{
	sandbox_enter_layers(sb, p, SB_LAYER_ALL);
}
