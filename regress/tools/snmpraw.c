/*
 * snmpraw: one SNMP v1/v2c request, encoded and decoded by the project's
 * own codec (common/snmp.c), for tests and for capturing fuzz seeds.
 *
 *	snmpraw [-1] [-c community] [-t get|getnext|bulk] [-n nonrep]
 *	    [-r maxrep] [-o outfile] host[:port] OID ...
 *
 * Waits 2 s for the response and retries once.  Writes the raw response
 * datagram to outfile and prints the variable bindings, one per line, in
 * snmprec format (OID|TAG|VALUE).  Exit status: 0 on a response without
 * error, 2 on a response with a non-zero error-status (reported on stderr),
 * 1 on anything else (timeout, undecodable response).
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

#define TIMEOUT_MS	2000
#define TRIES		2

static struct snmp_msg	 msg;
static struct snmp_oid	 oids[SNMP_MAX_VARBINDS];
static uint8_t		 req[SNMP_MAX_MSGLEN];
static uint8_t		 resp[SNMP_MAX_MSGLEN + 1];
static char		 line[2 * SNMP_MAX_MSGLEN + SNMP_OID_STRLEN + 64];

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: snmpraw [-1] [-c community] "
	    "[-t get|getnext|bulk] [-n nonrep] [-r maxrep]\n"
	    "               [-o outfile] host[:port] OID ...\n");
	exit(1);
}

static long long
now_ms(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(1, "clock_gettime");
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

static void
save(const char *file, const uint8_t *p, size_t n)
{
	int	 fd;

	if (file == NULL)
		return;
	if ((fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		err(1, "%s", file);
	if (write(fd, p, n) != (ssize_t)n)
		err(1, "%s", file);
	if (close(fd) == -1)
		err(1, "%s", file);
}

int
main(int argc, char *argv[])
{
	struct pollfd	 pfd;
	const char	*community = "public", *outfile = NULL, *errstr;
	uint8_t		 pdu = SNMP_PDU_GET;
	int		 version = SNMP_V2C, ch, s, try, n;
	int32_t		 reqid, nonrep = 0, maxrep = 10;
	long long	 deadline, left;
	size_t		 reqlen, noids, len, i;
	ssize_t		 r;

	while ((ch = getopt(argc, argv, "1c:n:o:r:t:")) != -1) {
		switch (ch) {
		case '1':
			version = SNMP_V1;
			break;
		case 'c':
			community = optarg;
			break;
		case 'n':
			nonrep = strtonum(optarg, 0, INT32_MAX, &errstr);
			if (errstr != NULL)
				errx(1, "non-repeaters %s: %s", optarg, errstr);
			break;
		case 'o':
			outfile = optarg;
			break;
		case 'r':
			maxrep = strtonum(optarg, 0, INT32_MAX, &errstr);
			if (errstr != NULL)
				errx(1, "max-repetitions %s: %s", optarg,
				    errstr);
			break;
		case 't':
			if (strcmp(optarg, "get") == 0)
				pdu = SNMP_PDU_GET;
			else if (strcmp(optarg, "getnext") == 0)
				pdu = SNMP_PDU_GETNEXT;
			else if (strcmp(optarg, "bulk") == 0)
				pdu = SNMP_PDU_GETBULK;
			else
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		usage();
	if (pdu == SNMP_PDU_GETBULK && version == SNMP_V1)
		errx(1, "GetBulk needs SNMPv2c");
	noids = argc - 1;
	if (noids > SNMP_MAX_VARBINDS)
		errx(1, "too many OIDs");
	for (i = 0; i < noids; i++) {
		if (snmp_oid_parse(argv[i + 1], &oids[i]) == -1)
			errx(1, "%s: bad OID", argv[i + 1]);
	}

	reqid = arc4random() & INT32_MAX;
	if (snmp_encode_request(version, community, pdu, reqid, nonrep, maxrep,
	    oids, noids, req, sizeof(req), &reqlen) == -1)
		errx(1, "cannot encode the request");

	s = udp_connect(argv[0]);
	pfd.fd = s;
	pfd.events = POLLIN;
	for (try = 0; try < TRIES; try++) {
		if (send(s, req, reqlen, 0) != (ssize_t)reqlen)
			err(1, "send");
		deadline = now_ms() + TIMEOUT_MS;
		while ((left = deadline - now_ms()) > 0) {
			if ((n = poll(&pfd, 1, (int)left)) == -1) {
				if (errno == EINTR)
					continue;
				err(1, "poll");
			}
			if (n == 0)
				break;
			if ((r = recv(s, resp, sizeof(resp), 0)) == -1) {
				if (errno == EINTR)
					continue;
				err(1, "recv");
			}
			if (snmp_decode(resp, r, &msg, &errstr) == -1) {
				save(outfile, resp, r);
				errx(1, "undecodable response (%zd bytes): %s",
				    r, errstr);
			}
			if (msg.request_id != reqid) {
				warnx("ignoring response with request-id %d",
				    msg.request_id);
				continue;
			}
			goto got;
		}
	}
	errx(1, "%s: no response", argv[0]);

 got:
	save(outfile, resp, r);
	if (msg.pdu_type != SNMP_PDU_RESPONSE)
		errx(1, "unexpected %s PDU", snmp_pdu_name(msg.pdu_type));
	if (msg.version != version)
		warnx("response has version %d, request had %d",
		    msg.version, version);
	for (i = 0; i < msg.nvarbinds; i++) {
		if (snmp_oid_fmt(&msg.vb[i].oid, line, sizeof(line)) == -1)
			errx(1, "OID too long to print");
		len = strlen(line);
		line[len++] = '|';
		if (snmp_value_fmt(&msg.vb[i].v, line + len,
		    sizeof(line) - len) == -1)
			errx(1, "value too long to print");
		if (puts(line) == EOF)
			err(1, "stdout");
	}
	if (fflush(stdout) == EOF)
		err(1, "stdout");
	if (msg.error_status != SNMP_ERR_NOERROR) {
		fprintf(stderr, "snmpraw: error-status %s (%d) "
		    "error-index %d\n", snmp_error_name(msg.error_status),
		    msg.error_status, msg.error_index);
		return 2;
	}
	return 0;
}
