/*
 * sandbox-probe: applies a child's real sandbox declaration (the code the
 * daemons run) in a forked process, then attempts one operation there and
 * reports what happened:
 *
 *	<proc> <op> allowed | denied <errno name> | killed <signal name>
 *
 * usage: sandbox-probe [-l layers] -u user -e emptydir -s statedir
 *	      -c confdir [proc [op]]
 *        sandbox-probe -A		(prints the kernel's Landlock ABI)
 * Without proc/op it runs every operation for every process.  -l restricts
 * the sandbox to some layers (netns,chroot,creds,landlock,seccomp), to
 * prove that one layer alone denies an operation.
 *
 * The parent (callhomed) is probed with what it knows at run time as
 * callhomed.c gives it: confdir (holding callhome.conf) readable, and TCP
 * connections allowed to the probe's own listener's port only.
 */
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "chan/pkg.h"
#include "log.h"
#include "sandbox.h"
#include "signify.h"

struct probe_env {
	struct sandbox_params	 params_empty;
	struct sandbox_params	 params_state;
	int			 layers;
	int			 tcp_listen;	/* 127.0.0.1, listening */
	struct sockaddr_in	 tcp_addr;
	int			 udp_recv;	/* 127.0.0.1, receives probes */
	struct sockaddr_in	 udp_addr;
	int			 pre_tcp;	/* made before the sandbox */
	pid_t			 victim;	/* what ptrace tries to attach */
	const char		*confdir;
	char			 conffile[PATH_MAX];
	struct sb_path		 parent_path;
	uint16_t		 parent_port;
	struct sandbox_params	 params_parent;
	/* what signerd does: a key and a signature made before */
	struct signify_keyring	 ring;
	struct signify_sig	 sig;
};

#define PROBE_MSG	"callhome-instructions 1\n"

enum { IN_EMPTY, IN_STATE, IN_PARENT };
static const struct {
	const char		*name;
	const struct sandbox	*sb;
	int			 where;
} procs[] = {
	{ "collectd", &collectd_sandbox, IN_EMPTY },
	{ "auditd", &auditd_sandbox, IN_STATE },
	{ "signerd", &signerd_sandbox, IN_EMPTY },
	{ "uplinkd", &uplinkd_sandbox, IN_EMPTY },
	{ "callhomed", &callhomed_sandbox, IN_PARENT },
};

static const char *const ops[] = {
	"open_passwd", "create_file", "tcp_socket", "tcp_connect",
	"tcp_connect_other", "udp_sendto", "bind", "listen", "fork",
	"execve", "ptrace", "read_config", "write_config", "verify",
	"store_package",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* in the sandboxed child: 0 when the operation succeeded */
static int
attempt(const struct probe_env *env, const char *op)
{
	int	 fd, st;
	pid_t	 pid;

	if (strcmp(op, "open_passwd") == 0)
		return open("/etc/passwd", O_RDONLY) == -1 ? -1 : 0;
	if (strcmp(op, "create_file") == 0) {
		if ((fd = open("probe-created", O_WRONLY | O_CREAT | O_TRUNC,
		    0600)) == -1)
			return -1;
		if (write(fd, "x", 1) != 1)
			return -1;
		return unlink("probe-created");
	}
	if (strcmp(op, "tcp_socket") == 0)
		return socket(AF_INET, SOCK_STREAM, 0) == -1 ? -1 : 0;
	if (strcmp(op, "tcp_connect") == 0)
		return connect(env->pre_tcp, (const struct sockaddr *)
		    &env->tcp_addr, sizeof(env->tcp_addr));
	if (strcmp(op, "tcp_connect_other") == 0) {
		/* the next port: nobody listens, but the attempt is the test */
		struct sockaddr_in	 sin = env->tcp_addr;

		sin.sin_port = htons(ntohs(sin.sin_port) + 1);
		return connect(env->pre_tcp, (const struct sockaddr *)&sin,
		    sizeof(sin)) == -1 && errno == ECONNREFUSED ? 0 : -1;
	}
	if (strcmp(op, "listen") == 0)
		return listen(env->pre_tcp, 1);
	if (strcmp(op, "read_config") == 0) {
		char	 b[16];

		if ((fd = open(env->conffile, O_RDONLY | O_CLOEXEC)) == -1)
			return -1;
		return read(fd, b, sizeof(b)) == -1 ? -1 : 0;
	}
	if (strcmp(op, "write_config") == 0) {
		if ((fd = open(env->conffile, O_WRONLY | O_APPEND | O_CLOEXEC))
		    == -1)
			return -1;
		return write(fd, "", 0) == -1 ? -1 : 0;
	}
	if (strcmp(op, "udp_sendto") == 0) {
		if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
			return -1;
		if (sendto(fd, "probe", 5, 0, (const struct sockaddr *)
		    &env->udp_addr, sizeof(env->udp_addr)) != 5)
			return -1;
		return 0;
	}
	if (strcmp(op, "bind") == 0) {
		struct sockaddr_in	 sin;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return bind(env->pre_tcp, (struct sockaddr *)&sin,
		    sizeof(sin));
	}
	if (strcmp(op, "fork") == 0) {
		if ((pid = fork()) == -1)
			return -1;
		if (pid == 0)
			_exit(0);
		(void)waitpid(pid, &st, 0);
		return 0;
	}
	if (strcmp(op, "execve") == 0) {
		char	*argv[] = { "true", NULL };

		execv("/bin/true", argv);
		return -1;
	}
	if (strcmp(op, "ptrace") == 0)
		return ptrace(PTRACE_ATTACH, env->victim, NULL, NULL) == -1 ?
		    -1 : 0;
	/* signerd's job: a good signature verifies, a changed byte fails */
	if (strcmp(op, "verify") == 0) {
		errno = EBADMSG;
		return signify_verify(&env->ring, &env->sig, PROBE_MSG,
		    sizeof(PROBE_MSG) - 1) == SIGNIFY_OK &&
		    signify_verify(&env->ring, &env->sig, "X" PROBE_MSG,
		    sizeof(PROBE_MSG)) == SIGNIFY_BAD_SIGNATURE ? 0 : -1;
	}
	/* auditd's package store, as gateway.c does it */
	if (strcmp(op, "store_package") == 0) {
		int	 dfd;

		if ((fd = open("/" PKG_DIR "/.probe-1.tmp", O_WRONLY |
		    O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) == -1 ||
		    write(fd, "x", 1) != 1 || fsync(fd) == -1 ||
		    close(fd) == -1 ||
		    rename("/" PKG_DIR "/.probe-1.tmp", "/" PKG_DIR "/probe-1")
		    == -1 || (dfd = open("/" PKG_DIR, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) == -1 || fsync(dfd) == -1)
			return -1;
		close(dfd);
		return unlink("/" PKG_DIR "/probe-1");
	}
	fatalx("unknown operation %s", op);
}

static void
probe_one(struct probe_env *env, int pi, const char *op)
{
	const struct sandbox_params	*p;
	char				 buf[16];
	int				 status, pipefd[2], err = 0;
	pid_t				 pid;
	ssize_t				 n;

	if (pipe(pipefd) == -1)
		fatal("pipe");
	if ((env->pre_tcp = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		fatal("socket");
	p = procs[pi].where == IN_STATE ? &env->params_state :
	    procs[pi].where == IN_PARENT ? &env->params_parent :
	    &env->params_empty;
	fflush(stdout);
	/* a process of the probe's own to attach to, never the probe */
	if ((env->victim = fork()) == -1)
		fatal("fork");
	if (env->victim == 0) {
		for (;;)
			pause();
	}
	switch ((pid = fork())) {
	case -1:
		fatal("fork");
	case 0:
		close(pipefd[0]);
		sandbox_enter_layers(procs[pi].sb, p, env->layers);
		if (attempt(env, op) == 0)
			_exit(0);
		err = errno;
		/* report errno through the pipe; write(2) is always allowed */
		if (write(pipefd[1], &err, sizeof(err)) != sizeof(err))
			_exit(3);
		_exit(1);
	}
	close(pipefd[1]);
	close(env->pre_tcp);
	if (waitpid(pid, &status, 0) == -1)
		fatal("waitpid");
	(void)kill(env->victim, SIGKILL);
	(void)waitpid(env->victim, NULL, 0);
	n = read(pipefd[0], &err, sizeof(err));
	close(pipefd[0]);
	printf("%s %s ", procs[pi].name, op);
	if (WIFSIGNALED(status))
		printf("killed %s\n", sigabbrev_np(WTERMSIG(status)));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		/* prove a datagram really left the sandbox */
		if (strcmp(op, "udp_sendto") == 0) {
			n = recv(env->udp_recv, buf, sizeof(buf), MSG_DONTWAIT);
			printf("allowed%s\n", n == 5 && memcmp(buf, "probe", 5)
			    == 0 ? " received" : " not-received");
		} else
			printf("allowed\n");
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 1 &&
	    n == sizeof(err))
		printf("denied %s\n", strerrorname_np(err) ?
		    strerrorname_np(err) : "?");
	else
		printf("error exit %d\n", WEXITSTATUS(status));
}

/* an Ed25519 key and its signature of PROBE_MSG, as signify makes them */
static void
make_signature(struct probe_env *env)
{
	EVP_PKEY	*k = NULL;
	EVP_PKEY_CTX	*kc;
	EVP_MD_CTX	*mc;
	size_t		 len = SIGNIFY_PUBKEY_LEN, slen = SIGNIFY_SIG_LEN;

	signify_init();		/* libcrypto's providers, before a sandbox */
	if ((kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(kc) != 1 || EVP_PKEY_keygen(kc, &k) != 1 ||
	    EVP_PKEY_get_raw_public_key(k, env->ring.keys[0].pubkey,
	    &len) != 1 || (mc = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(mc, NULL, NULL, NULL, k) != 1 ||
	    EVP_DigestSign(mc, env->sig.sig, &slen,
	    (const uint8_t *)PROBE_MSG, sizeof(PROBE_MSG) - 1) != 1)
		fatalx("making a test signature");
	memcpy(env->ring.keys[0].keynum, "probe-01", SIGNIFY_KEYNUM_LEN);
	memcpy(env->sig.keynum, "probe-01", SIGNIFY_KEYNUM_LEN);
	env->ring.nkeys = 1;
	EVP_MD_CTX_free(mc);
	EVP_PKEY_CTX_free(kc);
	EVP_PKEY_free(k);
}

/* the package store's directory in the state directory, as callhomed
 * makes it */
static void
make_pkgdir(const char *state, uid_t uid, gid_t gid)
{
	char	 path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/" PKG_DIR, state) >=
	    (int)sizeof(path))
		fatalx("state directory too long");
	if ((mkdir(path, 0700) == -1 && errno != EEXIST) ||
	    chown(path, uid, gid) == -1)
		fatal("%s", path);
}

static int
parse_layers(const char *s)
{
	char	*dup, *tok, *save = NULL;
	int	 l = 0;

	if ((dup = strdup(s)) == NULL)
		fatal(NULL);
	for (tok = strtok_r(dup, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "netns") == 0)
			l |= SB_LAYER_NETNS;
		else if (strcmp(tok, "chroot") == 0)
			l |= SB_LAYER_CHROOT;
		else if (strcmp(tok, "creds") == 0)
			l |= SB_LAYER_CREDS;
		else if (strcmp(tok, "landlock") == 0)
			l |= SB_LAYER_LANDLOCK;
		else if (strcmp(tok, "seccomp") == 0)
			l |= SB_LAYER_SECCOMP;
		else if (strcmp(tok, "all") == 0)
			l |= SB_LAYER_ALL;
		else
			fatalx("unknown layer %s", tok);
	}
	free(dup);
	return l;
}

static void
listen_sockets(struct probe_env *env)
{
	socklen_t	 sl;

	memset(&env->tcp_addr, 0, sizeof(env->tcp_addr));
	env->tcp_addr.sin_family = AF_INET;
	env->tcp_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	env->udp_addr = env->tcp_addr;
	if ((env->tcp_listen = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(env->tcp_listen, (struct sockaddr *)&env->tcp_addr,
	    sizeof(env->tcp_addr)) == -1 || listen(env->tcp_listen, 16) == -1)
		fatal("tcp listener");
	sl = sizeof(env->tcp_addr);
	if (getsockname(env->tcp_listen, (struct sockaddr *)&env->tcp_addr,
	    &sl) == -1)
		fatal("getsockname");
	if ((env->udp_recv = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    bind(env->udp_recv, (struct sockaddr *)&env->udp_addr,
	    sizeof(env->udp_addr)) == -1)
		fatal("udp receiver");
	sl = sizeof(env->udp_addr);
	if (getsockname(env->udp_recv, (struct sockaddr *)&env->udp_addr,
	    &sl) == -1)
		fatal("getsockname");
}

int
main(int argc, char *argv[])
{
	struct probe_env	 env;
	struct passwd		*pw;
	const char		*user = NULL, *empty = NULL, *state = NULL;
	const char		*confdir = NULL;
	size_t			 i, j;
	int			 c, found = 0;

	log_init("sandbox-probe", LOG_TO_STDERR, 0);
	memset(&env, 0, sizeof(env));
	env.layers = SB_LAYER_ALL;
	while ((c = getopt(argc, argv, "Ac:e:l:s:u:")) != -1) {
		switch (c) {
		case 'A':
			printf("%d\n", sandbox_landlock_abi());
			return 0;
		case 'c':
			confdir = optarg;
			break;
		case 'e':
			empty = optarg;
			break;
		case 'l':
			env.layers = parse_layers(optarg);
			break;
		case 's':
			state = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (user == NULL || empty == NULL || state == NULL || confdir == NULL ||
	    argc > 2)
		goto usage;
	if ((pw = getpwnam(user)) == NULL)
		fatalx("no user %s", user);
	env.params_empty.uid = env.params_state.uid = pw->pw_uid;
	env.params_empty.gid = env.params_state.gid = pw->pw_gid;
	env.params_empty.root = empty;
	env.params_state.root = state;
	listen_sockets(&env);
	make_signature(&env);
	make_pkgdir(state, pw->pw_uid, pw->pw_gid);
	/* the parent's run-time part, as parent_sandbox() makes it */
	env.confdir = confdir;
	if (snprintf(env.conffile, sizeof(env.conffile), "%s/callhome.conf",
	    confdir) >= (int)sizeof(env.conffile))
		fatalx("confdir too long");
	env.parent_path.path = confdir;
	env.parent_path.access = SB_FS_READ;
	env.parent_port = ntohs(env.tcp_addr.sin_port);
	env.params_parent.paths = &env.parent_path;
	env.params_parent.npaths = 1;
	env.params_parent.tcp_ports = &env.parent_port;
	env.params_parent.ntcp_ports = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < NELEM(procs); i++) {
		if (argc >= 1 && strcmp(argv[0], procs[i].name) != 0)
			continue;
		for (j = 0; j < NELEM(ops); j++) {
			if (argc == 2 && strcmp(argv[1], ops[j]) != 0)
				continue;
			probe_one(&env, (int)i, ops[j]);
			found++;
		}
	}
	if (found == 0)
		fatalx("no such process or operation");
	return 0;
 usage:
	fprintf(stderr, "usage: sandbox-probe [-l layers] -u user -e emptydir "
	    "-s statedir -c confdir [proc [op]]\n");
	return 1;
}
