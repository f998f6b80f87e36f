/*
 * snmpv3get: SNMPv3 requests through the project's own codec and USM
 * (common/snmp.c, common/usm.c), for the interoperability tests and for
 * capturing fuzz seeds.
 *
 *	snmpv3get -u user [-a auth -A password [-x priv -X password]] [-W]
 *	    [-n context] [-t get|getnext|bulk|walk] [-r maxrep] [-c count]
 *	    [-p] [-e] [-v] [-o dir] host[:port] OID ...
 *
 * -a and -x take net-snmp's names (SHA, SHA-256, AES, AES-256...); MD5
 * needs -W.  Discovers the engine, then sends the request; "walk" walks
 * each OID's subtree with GetBulk.  Prints the variable bindings, one per
 * line, as OID|TAG|VALUE (snmp_value_fmt).  -c repeats the whole run with
 * the same engine state, -p waits for a line on stdin before each
 * repetition (so that a test can restart the agent in between); -e prints
 * "engine ID boots N time N" on stderr after each run; -v prints each USM
 * step on stderr; -o writes every datagram sent and received to dir.
 * Waits 2 s for each answer and sends once more.
 *
 * Exit status: 0 answered without error; 2 a Response with a non-zero
 * error-status; 3 an authentication failure (the report named on stderr:
 * "auth-failure: wrongDigest"); 4 another report that ends the exchange;
 * 1 anything else (timeout, bad arguments).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "snmp.h"
#include "usm.h"

#define TIMEOUT_MS	2000
#define TRIES		2
#define MAX_STEPS	4	/* discovery, a resync, the request... */
#define MAX_WALK	100000	/* bindings per walk */

static struct usm_user	 user;
static struct usm_agent	 agent;
static struct snmp_msg	 msg;
static struct snmp_oid	 oids[SNMP_MAX_VARBINDS];
static uint8_t		 req[SNMP_MAX_MSGLEN];
static uint8_t		 resp[SNMP_MAX_MSGLEN + 1];
static char		 line[2 * SNMP_MAX_MSGLEN + SNMP_OID_STRLEN + 64];
static int		 verbose;
static const char	*capdir;
static unsigned int	 ncap;

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: snmpv3get -u user [-a auth -A password "
	    "[-x priv -X password]] [-W]\n"
	    "           [-n context] [-t get|getnext|bulk|walk] [-r maxrep] "
	    "[-c count]\n"
	    "           [-p] [-e] [-v] [-o dir] host[:port] OID ...\n");
	exit(1);
}

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(1, "clock_gettime");
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "host", "host:port", "[v6addr]:port" or a bare IPv6 address */
static int
udp_connect(const char *target)
{
	struct addrinfo	 hints, *res, *ai;
	char		 host[256];
	const char	*port = "161";
	char		*p;
	int		 s = -1, e;

	if (strlcpy(host, target, sizeof(host)) >= sizeof(host))
		errx(1, "%s: target too long", target);
	if (host[0] == '[') {
		if ((p = strchr(host, ']')) == NULL)
			errx(1, "%s: bad target", target);
		*p++ = '\0';
		if (*p == ':')
			port = p + 1;
		else if (*p != '\0')
			errx(1, "%s: bad target", target);
		memmove(host, host + 1, strlen(host + 1) + 1);
	} else if ((p = strchr(host, ':')) != NULL &&
	    strchr(p + 1, ':') == NULL) {
		*p = '\0';
		port = p + 1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0)
		errx(1, "%s: %s", target, gai_strerror(e));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((s = socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol)) == -1)
			continue;
		if (connect(s, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(s);
		s = -1;
	}
	freeaddrinfo(res);
	if (s == -1)
		err(1, "%s", target);
	return s;
}

/* a datagram to the capture directory: NNN-sent, NNN-recv */
static void
capture(const char *what, const uint8_t *p, size_t n)
{
	char	 path[1024];
	int	 fd, r;

	if (capdir == NULL)
		return;
	r = snprintf(path, sizeof(path), "%s/%03u-%s", capdir, ncap++, what);
	if (r < 0 || (size_t)r >= sizeof(path))
		errx(1, "%s: path too long", capdir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		err(1, "%s", path);
	if (write(fd, p, n) != (ssize_t)n)
		err(1, "%s", path);
	if (close(fd) == -1)
		err(1, "%s", path);
}

static void
vlog(const char *what, const char *arg)
{
	if (verbose)
		fprintf(stderr, "usm: %s%s\n", what, arg);
}

static void
print_engine(FILE *f)
{
	size_t	 i;

	fprintf(f, "engine ");
	for (i = 0; i < agent.engineid_len; i++)
		fprintf(f, "%02x", agent.engineid[i]);
	fprintf(f, " boots %d time %d\n", agent.boots,
	    usm_agent_time(&agent, now_ms() / 1000));
}

/*
 * One PDU to the agent, through discovery and resynchronisation: the
 * Response in msg.  Exits on failures.
 */
static void
exchange(int s, uint8_t pdu, int32_t maxrep, const struct snmp_oid *o,
    size_t n)
{
	struct pollfd		 pfd;
	struct usm_sent		 sent;
	enum usm_status		 st;
	const char		*why;
	int64_t			 deadline, left;
	int32_t			 msgid, reqid;
	size_t			 reqlen;
	ssize_t			 r;
	int			 step, try, k;

	pfd.fd = s;
	pfd.events = POLLIN;
	for (step = 0; step < MAX_STEPS; step++) {
		msgid = arc4random() & INT32_MAX;
		reqid = (arc4random() & 0x3fffffff) + 1;
		if (agent.engineid_len == 0) {
			vlog("discovery probe", "");
			if (usm_encode_probe(msgid, reqid, &sent, req,
			    sizeof(req), &reqlen) == -1)
				errx(1, "cannot encode the probe");
		} else if (usm_encode_request(&user, &agent, now_ms() / 1000,
		    msgid, pdu, reqid, 0, maxrep, o, n, &sent, req,
		    sizeof(req), &reqlen) == -1)
			errx(1, "cannot encode the request");
		st = USM_DROP;
		for (try = 0; try < TRIES && st == USM_DROP; try++) {
			if (send(s, req, reqlen, 0) != (ssize_t)reqlen)
				err(1, "send");
			capture("sent", req, reqlen);
			deadline = now_ms() + TIMEOUT_MS;
			while (st == USM_DROP &&
			    (left = deadline - now_ms()) > 0) {
				if ((k = poll(&pfd, 1, (int)left)) == -1) {
					if (errno == EINTR)
						continue;
					err(1, "poll");
				}
				if (k == 0)
					break;
				if ((r = recv(s, resp, sizeof(resp), 0)) == -1) {
					if (errno == EINTR)
						continue;
					err(1, "recv");
				}
				capture("recv", resp, r);
				st = usm_decode(&user, &agent, now_ms() / 1000,
				    &sent, resp, r, &msg, &why);
				if (st == USM_DROP)
					vlog("dropped: ", why);
			}
		}
		switch (st) {
		case USM_OK:
			if (!sent.probe)
				return;
			errx(1, "a Response to the discovery probe");
		case USM_DROP:
			errx(1, "no response");
		case USM_DISCOVERED:
			if (verbose) {
				fprintf(stderr, "usm: discovered ");
				print_engine(stderr);
			}
			continue;
		case USM_RESYNCED:
			if (verbose) {
				fprintf(stderr, "usm: resynced ");
				print_engine(stderr);
			}
			continue;
		case USM_FAILED:
			errx(1, "local failure: %s", why);
		default:
			if (usm_status_auth_failure(st)) {
				fprintf(stderr, "auth-failure: %s\n",
				    usm_status_name(st));
				exit(3);
			}
			fprintf(stderr, "report: %s\n", usm_status_name(st));
			exit(4);
		}
	}
	errx(1, "no answer after %d USM steps", MAX_STEPS);
}

static void
print_vb(const struct snmp_varbind *vb)
{
	size_t	 len;

	if (snmp_oid_fmt(&vb->oid, line, sizeof(line)) == -1)
		errx(1, "OID too long to print");
	len = strlen(line);
	line[len++] = '|';
	if (snmp_value_fmt(&vb->v, line + len, sizeof(line) - len) == -1)
		errx(1, "value too long to print");
	if (puts(line) == EOF)
		err(1, "stdout");
}

static int
check_error(void)
{
	if (msg.error_status == SNMP_ERR_NOERROR)
		return 0;
	fprintf(stderr, "snmpv3get: error-status %s (%d) error-index %d\n",
	    snmp_error_name(msg.error_status), msg.error_status,
	    msg.error_index);
	return 2;
}

/* GetBulk through the subtree of root */
static int
walk(int s, const struct snmp_oid *root, int32_t maxrep)
{
	struct snmp_oid		 cur;
	const struct snmp_varbind *vb;
	size_t			 i, total = 0;

	snmp_oid_copy(&cur, root);
	for (;;) {
		exchange(s, SNMP_PDU_GETBULK, maxrep, &cur, 1);
		if (check_error())
			return 2;
		if (msg.nvarbinds == 0)
			errx(1, "empty GetBulk response");
		for (i = 0; i < msg.nvarbinds; i++) {
			vb = &msg.vb[i];
			if (vb->v.type == SNMP_T_ENDOFMIBVIEW ||
			    !snmp_oid_is_prefix(root, &vb->oid) ||
			    snmp_oid_cmp(&vb->oid, root) == 0)
				return 0;
			if (snmp_oid_cmp(&vb->oid, &cur) <= 0)
				errx(1, "OIDs not increasing");
			print_vb(vb);
			snmp_oid_copy(&cur, &vb->oid);
			if (++total > MAX_WALK)
				errx(1, "walk too long");
		}
	}
}

static int
run(int s, int mode, int32_t maxrep, size_t noids)
{
	size_t	 i;
	int	 rv = 0;

	if (mode == SNMP_PDU_GETNEXT + 0x100) {	/* walk */
		for (i = 0; i < noids && rv == 0; i++)
			rv = walk(s, &oids[i], maxrep);
		return rv;
	}
	exchange(s, mode, maxrep, oids, noids);
	for (i = 0; i < msg.nvarbinds; i++)
		print_vb(&msg.vb[i]);
	return check_error();
}

int
main(int argc, char *argv[])
{
	const char	*name = NULL, *apass = NULL, *ppass = NULL;
	const char	*context = "", *errstr;
	enum usm_auth	 auth = USM_AUTH_NONE;
	enum usm_priv	 priv = USM_PRIV_NONE;
	int		 ch, s, mode = SNMP_PDU_GET, weak = 0, pause = 0;
	int		 engine = 0, count = 1, i, rv = 0;
	int32_t		 maxrep = 10;
	uint64_t	 salt;
	size_t		 noids, k;
	char		 buf[16];

	while ((ch = getopt(argc, argv, "A:a:c:en:o:pr:t:u:vWX:x:")) != -1) {
		switch (ch) {
		case 'A':
			apass = optarg;
			break;
		case 'a':
			if (usm_auth_from_name(optarg, &auth) == -1)
				errx(1, "%s: unknown authentication protocol",
				    optarg);
			break;
		case 'c':
			count = strtonum(optarg, 1, 100, &errstr);
			if (errstr != NULL)
				errx(1, "count %s: %s", optarg, errstr);
			break;
		case 'e':
			engine = 1;
			break;
		case 'n':
			context = optarg;
			break;
		case 'o':
			capdir = optarg;
			break;
		case 'p':
			pause = 1;
			break;
		case 'r':
			maxrep = strtonum(optarg, 1, 1000, &errstr);
			if (errstr != NULL)
				errx(1, "max-repetitions %s: %s", optarg,
				    errstr);
			break;
		case 't':
			if (strcmp(optarg, "get") == 0)
				mode = SNMP_PDU_GET;
			else if (strcmp(optarg, "getnext") == 0)
				mode = SNMP_PDU_GETNEXT;
			else if (strcmp(optarg, "bulk") == 0)
				mode = SNMP_PDU_GETBULK;
			else if (strcmp(optarg, "walk") == 0)
				mode = SNMP_PDU_GETNEXT + 0x100;
			else
				usage();
			break;
		case 'u':
			name = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'W':
			weak = 1;
			break;
		case 'X':
			ppass = optarg;
			break;
		case 'x':
			if (usm_priv_from_name(optarg, &priv) == -1)
				errx(1, "%s: unknown privacy protocol",
				    optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || name == NULL)
		usage();
	noids = argc - 1;
	if (noids > SNMP_MAX_VARBINDS)
		errx(1, "too many OIDs");
	for (k = 0; k < noids; k++) {
		if (snmp_oid_parse(argv[k + 1], &oids[k]) == -1)
			errx(1, "%s: bad OID", argv[k + 1]);
	}
	if (usm_user_init(&user, name, auth, apass, priv, ppass, weak,
	    &errstr) == -1)
		errx(1, "user %s: %s", name, errstr);
	if (apass != NULL)
		explicit_bzero((char *)apass, strlen(apass));
	if (ppass != NULL)
		explicit_bzero((char *)ppass, strlen(ppass));
	arc4random_buf(&salt, sizeof(salt));
	if (usm_agent_init(&agent, salt, context) == -1)
		errx(1, "context name longer than 32 octets");

	s = udp_connect(argv[0]);
	for (i = 0; i < count && rv == 0; i++) {
		if (i > 0 && pause && fgets(buf, sizeof(buf), stdin) == NULL)
			errx(1, "stdin closed");
		rv = run(s, mode, maxrep, noids);
		if (engine)
			print_engine(stderr);
		if (fflush(stdout) == EOF)
			err(1, "stdout");
	}
	usm_agent_clear(&agent);
	usm_user_clear(&user);
	return rv;
}
