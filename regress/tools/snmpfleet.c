/*
 * snmpfleet: a fast SNMP v1/v2c agent simulator for benchmarks and tests.
 * It serves snmprec walks (the format of snmpsim) for many IPv4 addresses
 * at once from one UDP socket, so that a benchmark measures the collector,
 * not the simulator.
 *
 *	snmpfleet [-dv] [-b bindaddr] [-c community] [-L latency_ms]
 *	    [-m mode[,mode...]] [-P pidfile] [-p port] [-S statsfile]
 *	    [-u user:auth:pass[:priv:pass]] [-W oid] MAP
 *	snmpfleet [options] -r START COUNT DIR
 *
 * MAP is a file of lines "ADDRESS SNMPREC-FILE [COMMUNITY [MODES]]"
 * ('#' starts a comment).  COMMUNITY "-" stands for the -c community;
 * MODES is a comma-separated list of the modes below, added to those of -m
 * for that address only.  A relative SNMPREC-FILE is taken relative to
 * the directory of MAP.  With -r, COUNT consecutive IPv4 addresses from
 * START (host octets .0 and .255 skipped) are given round-robin to the
 * *.snmprec files of DIR, sorted by name.  Each distinct file is loaded
 * once and shared by all its addresses.
 *
 *	-b addr		bind to this IPv4 address (default 0.0.0.0)
 *	-c community	the community of every device (default "public")
 *	-d		stay in the foreground (it always does)
 *	-L ms		answer ms milliseconds late: every device when no
 *			device has the mode "slow", else the slow ones only
 *			(-L 0: no delay at all)
 *	-m modes	modes of every device:
 *			getnext-only  GetBulk requests are ignored (Get and
 *				      GetNext answered, in v1 and v2c)
 *			bulk-broken   GetBulk answered with genErr
 *			slow	      answers delayed by -L ms (1000 without -L)
 *			drop=N	      every Nth request to a device is dropped
 *			no-answer     nothing is ever answered
 *	-P file		write the process id to file (removed at exit)
 *	-p port		UDP port (default 1161)
 *	-S file		on SIGUSR1 and at exit write "requests N",
 *			"responses N", "bytes_in N", "bytes_out N" (totals of
 *			all devices; requests counts every datagram received)
 *	-u spec		every device is also an SNMPv3 agent with this one
 *			user: "name:SHA-256:authpass:AES:privpass" (names as
 *			net-snmp's -a and -x; "name" alone: noAuthNoPriv)
 *	-v		log undecodable requests and other details
 *	-W oid		watch a subtree: "watched N" in the -S file counts the
 *			requests that name an OID inside it (a test proves
 *			what was never asked; the answer to a walk past the
 *			end of the table before it may still hold its first
 *			object, as any agent's would)
 *
 * SNMPv3 (-u): each device is an engine of its own, its id made of its
 * address, booted once when snmpfleet started; the user's keys are
 * localised to it when it is first asked.  A discovery probe (no engine
 * id) gets the unknownEngineID report; a request of the user at its
 * level is checked and decrypted (common/usm.c's usm_open) and answered
 * as in v2c, sealed (usm_seal); anything else is counted and ignored
 * (no time window: a benchmark's collector is in step by construction).
 *
 * It prints "ready" on stdout once the walks are loaded and the socket is
 * bound, and exits cleanly on SIGTERM and SIGINT.
 *
 * Parsing follows snmpsim 0.4.5: each line is stripped of surrounding
 * white space; empty lines and lines starting with '#' are skipped;
 * "OID|TAG|VALUE" with the value being the rest of the line (it may hold
 * '|'); TAG is decimal, a trailing 'x' means a hex value and a trailing 'e'
 * a value with Python escapes; tags 2 4 5 6 64 65 66 67 68 70 and the
 * exceptions 128 129 130.  Empty OID components are ignored (".1.3" and
 * "1..3" are 1.3), as pyasn1 does.  Records are sorted by OID; of
 * duplicates the first in the file is kept.  Malformed lines and
 * duplicates are skipped with a warning and counted.
 *
 * Semantics: the destination address of a request (IP_PKTINFO) picks the
 * device, and the answer is sent from that address.  A wrong community,
 * an undecodable message, a PDU that is not a request, or an address that
 * is not a device gets no answer.  Get in v2c answers noSuchInstance when
 * some record lies under the parent of the requested OID, else
 * noSuchObject; in v1 it answers noSuchName with error-index.  GetNext
 * answers endOfMibView at the end (v1: noSuchName).  An SNMPv1 request
 * does not see Counter64 and exception records (RFC 3584 section 4.1.2.1).
 * GetBulk answers at most BULK_MAX_VARBINDS variable bindings and at most
 * BULK_MAX_BYTES octets, truncating at any variable binding (RFC 3416
 * section 4.2.3); a first variable binding larger than that is still
 * sent alone, and tooBig answers when not even one fits a UDP datagram.
 * A repeater of a GetBulk that reaches the end answers endOfMibView; a
 * row in which all repeaters are at the end is the last.  Set answers
 * readOnly (v1) or noAccess (v2c), error-index 1.  A Get or GetNext
 * answer larger than a UDP datagram is replaced by tooBig (v2c: no
 * variable bindings; v1: those of the request).  drop=N counts the
 * requests of each device that would be answered.
 *
 * Latency is the same for every delayed device, so the pending answers
 * form a FIFO: the requests themselves (not the answers) are queued in a
 * ring buffer (RING_SIZE octets; when full, answers are dropped and
 * counted) with their due time and answered when due; other devices are
 * served meanwhile.  Nothing is allocated per packet; requests and answers
 * move in batches (recvmmsg/sendmmsg).  The counters beyond those of -S
 * are logged on stderr on SIGUSR1 and at exit.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "snmp.h"
#include "usm.h"

#define DEFAULT_PORT		1161
#define DEFAULT_COMMUNITY	"public"
#define DEFAULT_SLOW_MS		1000
#define BULK_MAX_VARBINDS	64	/* snmpsim's default */
#define BULK_MAX_BYTES		1472	/* an Ethernet frame's UDP payload */
#define REPLY_MAX		65507	/* largest IPv4 UDP payload */
#define IN_MAX			65536
#define BATCH			64
#ifndef RING_SIZE
#define RING_SIZE		(64 * 1024 * 1024)
#endif
#define SOCKBUF			(32 * 1024 * 1024)
#define READS_PER_TURN		32	/* batches before serving the queue */

#define M_GETNEXT_ONLY		0x01
#define M_BULK_BROKEN		0x02
#define M_SLOW			0x04
#define M_NO_ANSWER		0x08
#define M_DROP			0x10

/* one OID|TAG|VALUE record; OIDs and values live in the walk's pools */
struct rec {
	uint32_t	 oid;		/* first arc, in arcs[] */
	uint32_t	 oidlen;
	uint32_t	 val;		/* OID value: in arcs[]; else in bytes[] */
	uint32_t	 vlen;		/* arcs or octets */
	uint32_t	 vbsize;	/* encoded size of the variable binding */
	uint32_t	 line;
	uint8_t		 type;		/* enum snmp_type */
	int64_t		 i;
	uint64_t	 u;
};

struct walk {
	char		*path;
	struct rec	*recs;
	size_t		 nrecs, recsz;
	uint32_t	*arcs;
	size_t		 narcs, arcsz;
	uint8_t		*bytes;
	size_t		 nbytes, bytesz;
};

struct device {
	struct in_addr	 addr;
	struct walk	*walk;
	const char	*community;
	size_t		 clen;
	unsigned int	 modes;
	uint32_t	 drop_every;
	uint32_t	 nreq;
	/* SNMPv3 (-u) */
	uint8_t		 engineid[14];
	int		 keyed;		/* keys localised */
	uint8_t		 akey[USM_MAX_KEY];
	uint8_t		 pkey[USM_MAX_PRIVKEY];
	uint64_t	 salt;
};
#define V3_ENGINEID	"\x80\x00\x1f\x88\x04" "fleet"	/* + address */

/* a request waiting for its latency, in the ring; packet follows */
struct pend {
	int64_t			 due;		/* ns, CLOCK_MONOTONIC */
	struct sockaddr_in	 from;
	struct in_addr		 to;
	uint32_t		 len;
};
#define PEND_WRAP	UINT32_MAX	/* len of a wrap marker */

struct stats {
	uint64_t	 requests, responses, bytes_in, bytes_out;
	uint64_t	 watched;	/* -W: requests touching the subtree */
	uint64_t	 unknown, malformed, badcommunity, ignored, dropped;
	uint64_t	 delayed, overflow, toobig, senderr, sizeerr;
	uint64_t	 v3discovery, v3refused;
};

union ctlbuf {
	struct cmsghdr	 hdr;
	uint8_t		 buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
};

static struct walk	**walks;
static size_t		  nwalks;
static struct device	 *devs;
static size_t		  ndevs;
static uint32_t		 *htab;		/* device index + 1; 0 is empty */
static uint32_t		  hmask;
static size_t		  malformed_lines;

static const char	 *def_community = DEFAULT_COMMUNITY;
static unsigned int	  gmodes;
static uint32_t		  gdrop;
static int64_t		  latency_ns = -1;
static int		  sock = -1;
static struct stats	  st;

static uint8_t		 *ring;
static size_t		  rhead, rtail, rused;

static struct snmp_msg	  req, resp;
static struct snmp_oid	  watch;	/* -W; len 0: none */

static uint8_t		  inbuf[BATCH][IN_MAX];
static struct mmsghdr	  inmsg[BATCH];
static struct iovec	  iniov[BATCH];
static struct sockaddr_in infrom[BATCH];
static union ctlbuf	  inctl[BATCH];

static uint8_t		  outbuf[BATCH][REPLY_MAX];
static struct mmsghdr	  outmsg[BATCH];
static struct iovec	  outiov[BATCH];
static struct sockaddr_in outto[BATCH];
static union ctlbuf	  outctl[BATCH];
static int		  nout;

static volatile sig_atomic_t	 got_term, got_usr1;

/* SNMPv3 (-u): the user, and the engine's boots and start */
static int		  v3;
static struct usm_user	  v3user;
static int64_t		  v3start;
static struct snmp_v3	  v3req;
static struct snmp_scoped v3scoped;

static __dead void
usage(void)
{
	fprintf(stderr, "usage: snmpfleet [-dv] [-b bindaddr] [-c community] "
	    "[-L latency_ms]\n"
	    "                 [-m mode[,mode...]] [-P pidfile] [-p port] "
	    "[-S statsfile]\n"
	    "                 [-u user:auth:pass[:priv:pass]] [-W oid] MAP\n"
	    "       snmpfleet [options] -r START COUNT DIR\n");
	exit(1);
}

static int64_t
now_ns(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Sizes of BER encodings, as common/ber.c writes them (minimal lengths
 * and integers), to fill a GetBulk answer up to its limit.
 */
static size_t
ber_lenlen(size_t n)
{
	if (n < 0x80)
		return 1;
	if (n < 0x100)
		return 2;
	if (n < 0x10000)
		return 3;
	if (n < 0x1000000)
		return 4;
	return 5;
}

static size_t
ber_tlv(size_t n)
{
	return 1 + ber_lenlen(n) + n;
}

static size_t
ber_arclen(uint64_t v)
{
	size_t	 n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static size_t
ber_oidlen(const uint32_t *a, size_t n)
{
	size_t	 len, i;

	len = ber_arclen((uint64_t)a[0] * 40 + a[1]);
	for (i = 2; i < n; i++)
		len += ber_arclen(a[i]);
	return ber_tlv(len);
}

static size_t
ber_intlen(int64_t v)
{
	size_t	 n = 1;

	while (n < 8 && (v < -((int64_t)1 << (8 * n - 1)) ||
	    v >= ((int64_t)1 << (8 * n - 1))))
		n++;
	return ber_tlv(n);
}

static size_t
ber_uintlen(uint64_t u)
{
	size_t	 n = 1;

	while (n < 8 && (u >> (8 * n)) != 0)
		n++;
	if ((u >> (8 * n - 1)) & 1)
		n++;
	return ber_tlv(n);
}

/* the whole message around variable bindings of vbsum octets */
static size_t
msg_size(int version, size_t clen, int32_t reqid, int32_t err,
    int32_t idx, size_t vbsum)
{
	size_t	 pdu;

	pdu = ber_intlen(reqid) + ber_intlen(err) + ber_intlen(idx) +
	    ber_tlv(vbsum);
	return ber_tlv(ber_intlen(version) + ber_tlv(clen) + ber_tlv(pdu));
}

/*
 * Loading snmprec files.
 */

static int
arcs_cmp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen)
{
	size_t	 i, n = alen < blen ? alen : blen;

	for (i = 0; i < n; i++) {
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	}
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return 0;
}

static void *
grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t	 n = *cap;

	if (need <= n)
		return p;
	if (n == 0)
		n = 64;
	while (n < need)
		n *= 2;
	if ((p = reallocarray(p, n, size)) == NULL)
		fatal("reallocarray");
	*cap = n;
	return p;
}

static uint32_t
add_arcs(struct walk *w, const struct snmp_oid *o)
{
	uint32_t	 off = w->narcs;

	if (w->narcs + o->len > UINT32_MAX)
		fatalx("%s: too many OIDs", w->path);
	w->arcs = grow(w->arcs, &w->arcsz, w->narcs + o->len,
	    sizeof(*w->arcs));
	memcpy(w->arcs + w->narcs, o->sub, o->len * sizeof(*o->sub));
	w->narcs += o->len;
	return off;
}

static uint32_t
add_bytes(struct walk *w, const uint8_t *p, size_t n)
{
	uint32_t	 off = w->nbytes;

	if (w->nbytes + n > UINT32_MAX)
		fatalx("%s: too much data", w->path);
	w->bytes = grow(w->bytes, &w->bytesz, w->nbytes + n, 1);
	if (n > 0)
		memcpy(w->bytes + w->nbytes, p, n);
	w->nbytes += n;
	return off;
}

/*
 * An OID as pyasn1 reads it (empty components ignored), parsed by
 * snmp_oid_parse(); it must be encodable in a message.
 */
static int
parse_oid(const char *s, size_t len, struct snmp_oid *o)
{
	char	 buf[SNMP_OID_STRLEN + 1];
	size_t	 i, n = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '.' && (n == 0 || buf[n - 1] == '.'))
			continue;
		if (n >= sizeof(buf) - 1)
			return -1;
		buf[n++] = s[i];
	}
	if (n > 0 && buf[n - 1] == '.')
		n--;
	buf[n] = '\0';
	if (snmp_oid_parse(buf, o) == -1)
		return -1;
	if (o->len < 2 || o->sub[0] > 2 || (o->sub[0] < 2 && o->sub[1] > 39) ||
	    o->sub[1] > UINT32_MAX - 80)
		return -1;
	return 0;
}

/* an integer as Python's int() reads it, without underscores */
static int
parse_int(const char *s, size_t len, int *neg, uint64_t *mag)
{
	const char	*end = s + len;
	uint64_t	 v = 0;

	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*neg = 0;
	if (s < end && (*s == '-' || *s == '+'))
		*neg = *s++ == '-';
	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*mag = v;
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* hex digits in pairs into out (room for len / 2); -1 when malformed */
static ssize_t
parse_hex(const char *s, size_t len, uint8_t *out)
{
	size_t	 i;
	int	 hi, lo;

	if (len % 2 != 0)
		return -1;
	for (i = 0; i < len; i += 2) {
		if ((hi = hexval((unsigned char)s[i])) == -1 ||
		    (lo = hexval((unsigned char)s[i + 1])) == -1)
			return -1;
		out[i / 2] = hi << 4 | lo;
	}
	return len / 2;
}

/* Python string escapes, as snmpsim's 'e' encoding evaluates them */
static ssize_t
parse_escaped(const char *s, size_t len, uint8_t *out)
{
	size_t	 i, n = 0;
	int	 hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] != '\\') {
			out[n++] = s[i];
			continue;
		}
		if (++i == len)
			return -1;
		switch (s[i]) {
		case '\\':	out[n++] = '\\'; break;
		case '\'':	out[n++] = '\''; break;
		case '"':	out[n++] = '"'; break;
		case 'a':	out[n++] = 7; break;
		case 'b':	out[n++] = 8; break;
		case 'f':	out[n++] = 12; break;
		case 'n':	out[n++] = 10; break;
		case 'r':	out[n++] = 13; break;
		case 't':	out[n++] = 9; break;
		case 'v':	out[n++] = 11; break;
		case 'x':
			if (i + 2 >= len ||
			    (hi = hexval((unsigned char)s[i + 1])) == -1 ||
			    (lo = hexval((unsigned char)s[i + 2])) == -1)
				return -1;
			out[n++] = hi << 4 | lo;
			i += 2;
			break;
		default:
			return -1;
		}
	}
	return n;
}

static size_t
rec_vbsize(const struct walk *w, const struct rec *r)
{
	size_t	 v;

	switch (r->type) {
	case SNMP_T_INTEGER:
		v = ber_intlen(r->i);
		break;
	case SNMP_T_COUNTER32:
	case SNMP_T_GAUGE32:
	case SNMP_T_TIMETICKS:
	case SNMP_T_COUNTER64:
		v = ber_uintlen(r->u);
		break;
	case SNMP_T_OID:
		v = ber_oidlen(w->arcs + r->val, r->vlen);
		break;
	case SNMP_T_OCTETS:
	case SNMP_T_IPADDR:
	case SNMP_T_OPAQUE:
		v = ber_tlv(r->vlen);
		break;
	default:		/* NULL and the exceptions */
		v = ber_tlv(0);
		break;
	}
	return ber_tlv(ber_oidlen(w->arcs + r->oid, r->oidlen) + v);
}

/* the value of a record; *why tells what is wrong with it */
static int
parse_value(struct walk *w, struct rec *r, unsigned int tag, int enc,
    const char *v, size_t vlen, uint8_t *tmp, const char **why)
{
	static struct snmp_oid	 o;
	struct in_addr		 ia;
	char			 ipbuf[INET_ADDRSTRLEN];
	ssize_t			 n;
	uint64_t		 mag;
	int			 neg;

	r->type = tag;
	r->i = 0;
	r->u = 0;
	r->val = r->vlen = 0;
	if (enc != 0 && tag != SNMP_T_OCTETS && tag != SNMP_T_IPADDR &&
	    tag != SNMP_T_OPAQUE) {
		*why = "encoded value for a type that is not a string";
		return -1;
	}
	switch (tag) {
	case SNMP_T_INTEGER:
		if (parse_int(v, vlen, &neg, &mag) == -1 ||
		    mag > (neg ? (uint64_t)INT32_MAX + 1 : INT32_MAX)) {
			*why = "bad INTEGER";
			return -1;
		}
		r->i = neg ? -(int64_t)mag : (int64_t)mag;
		break;
	case SNMP_T_COUNTER32:
	case SNMP_T_GAUGE32:
	case SNMP_T_TIMETICKS:
	case SNMP_T_COUNTER64:
		if (parse_int(v, vlen, &neg, &mag) == -1 ||
		    (neg && mag != 0) ||
		    (tag != SNMP_T_COUNTER64 && mag > UINT32_MAX)) {
			*why = "bad unsigned number";
			return -1;
		}
		r->u = mag;
		break;
	case SNMP_T_NULL:
		if (vlen != 0) {
			*why = "NULL with a value";
			return -1;
		}
		break;
	case SNMP_T_OID:
		if (parse_oid(v, vlen, &o) == -1) {
			*why = "bad OBJECT IDENTIFIER value";
			return -1;
		}
		r->val = add_arcs(w, &o);
		r->vlen = o.len;
		break;
	case SNMP_T_OCTETS:
	case SNMP_T_IPADDR:
	case SNMP_T_OPAQUE:
		if (enc == 'x')
			n = parse_hex(v, vlen, tmp);
		else if (enc == 'e')
			n = parse_escaped(v, vlen, tmp);
		else if (tag == SNMP_T_IPADDR && vlen < sizeof(ipbuf)) {
			memcpy(ipbuf, v, vlen);
			ipbuf[vlen] = '\0';
			if (inet_pton(AF_INET, ipbuf, &ia) == 1) {
				memcpy(tmp, &ia, 4);
				n = 4;
			} else {
				/* pysnmp takes 4 characters as the octets */
				memcpy(tmp, v, vlen);
				n = vlen;
			}
		} else {
			memcpy(tmp, v, vlen);
			n = vlen;
		}
		if (n == -1) {
			*why = "bad hex or escaped value";
			return -1;
		}
		if (tag == SNMP_T_IPADDR && n != 4) {
			*why = "IpAddress not of 4 octets";
			return -1;
		}
		r->val = add_bytes(w, tmp, n);
		r->vlen = n;
		break;
	case SNMP_T_NOSUCHOBJECT:
	case SNMP_T_NOSUCHINSTANCE:
	case SNMP_T_ENDOFMIBVIEW:
		break;		/* the value is ignored */
	default:
		*why = "unsupported tag";
		return -1;
	}
	return 0;
}

static int
strip_char(int c)
{
	/* Python's str.strip() on a latin-1 line */
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c &&
	    c <= 0x1f) || c == 0x85 || c == 0xa0;
}

static struct walk	*sort_walk;

static int
rec_cmp(const void *va, const void *vb)
{
	const struct rec	*a = va, *b = vb;
	int			 c;

	c = arcs_cmp(sort_walk->arcs + a->oid, a->oidlen,
	    sort_walk->arcs + b->oid, b->oidlen);
	if (c != 0)
		return c;
	return a->line < b->line ? -1 : a->line > b->line;
}

static struct walk *
load_walk(const char *path)
{
	static struct snmp_oid	 o;
	struct walk		*w;
	struct rec		*r;
	FILE			*fp;
	char			*line = NULL, *s, *e, *p1, *p2;
	uint8_t			*tmp = NULL;
	size_t			 linesz = 0, tmpsz = 0, i, j, bad = 0;
	ssize_t			 len;
	unsigned int		 tag;
	uint32_t		 lineno = 0;
	const char		*why;
	int			 enc;

	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->path = strdup(path)) == NULL)
		fatal("calloc");
	if ((fp = fopen(path, "r")) == NULL)
		fatal("%s", path);
	while ((len = getline(&line, &linesz, fp)) != -1) {
		lineno++;
		s = line;
		e = line + len;
		while (s < e && strip_char((unsigned char)*s))
			s++;
		while (e > s && strip_char((unsigned char)e[-1]))
			e--;
		if (s == e || *s == '#')
			continue;
		why = "not OID|TAG|VALUE";
		if ((p1 = memchr(s, '|', e - s)) == NULL ||
		    (p2 = memchr(p1 + 1, '|', e - p1 - 1)) == NULL ||
		    p1 == s || p2 == p1 + 1)
			goto bad;
		why = "bad OID";
		if (parse_oid(s, p1 - s, &o) == -1)
			goto bad;
		enc = 0;
		if (p2[-1] == 'x' || p2[-1] == 'e')
			enc = p2[-1];
		why = "bad tag";
		for (tag = 0, s = p1 + 1; s < p2 - (enc != 0); s++) {
			if (*s < '0' || *s > '9' || tag > 1000)
				goto bad;
			tag = tag * 10 + (*s - '0');
		}
		if (s == p1 + 1)
			goto bad;
		tmp = grow(tmp, &tmpsz, e - p2, 1);
		w->recs = grow(w->recs, &w->recsz, w->nrecs + 1,
		    sizeof(*w->recs));
		r = &w->recs[w->nrecs];
		r->line = lineno;
		if (parse_value(w, r, tag, enc, p2 + 1, e - p2 - 1, tmp,
		    &why) == -1)
			goto bad;
		r->oid = add_arcs(w, &o);
		r->oidlen = o.len;
		w->nrecs++;
		continue;
 bad:
		log_warnx("%s:%u: %s, line skipped", path, lineno, why);
		bad++;
	}
	if (ferror(fp))
		fatal("%s", path);
	fclose(fp);
	free(line);
	free(tmp);

	sort_walk = w;
	if (w->nrecs > 0)
		qsort(w->recs, w->nrecs, sizeof(*w->recs), rec_cmp);
	for (i = j = 0; i < w->nrecs; i++) {
		r = &w->recs[i];
		if (j > 0 && arcs_cmp(w->arcs + r->oid, r->oidlen,
		    w->arcs + w->recs[j - 1].oid,
		    w->recs[j - 1].oidlen) == 0) {
			log_warnx("%s:%u: duplicate of the OID of line %u, "
			    "line skipped", path, r->line,
			    w->recs[j - 1].line);
			bad++;
			continue;
		}
		r->vbsize = rec_vbsize(w, r);
		w->recs[j++] = *r;
	}
	w->nrecs = j;
	malformed_lines += bad;
	log_debug("%s: %zu records, %zu lines skipped", path, w->nrecs, bad);
	return w;
}

static struct walk *
get_walk(const char *path)
{
	size_t	 i;

	for (i = nwalks; i > 0; i--) {
		if (strcmp(walks[i - 1]->path, path) == 0)
			return walks[i - 1];
	}
	if ((walks = reallocarray(walks, nwalks + 1, sizeof(*walks))) == NULL)
		fatal("reallocarray");
	walks[nwalks] = load_walk(path);
	return walks[nwalks++];
}

static int
parse_modes(const char *s, unsigned int *modes, uint32_t *drop)
{
	char		 buf[256], *p, *q;
	const char	*errstr;

	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		return -1;
	for (p = buf; (q = strsep(&p, ",")) != NULL;) {
		if (strcmp(q, "getnext-only") == 0)
			*modes |= M_GETNEXT_ONLY;
		else if (strcmp(q, "bulk-broken") == 0)
			*modes |= M_BULK_BROKEN;
		else if (strcmp(q, "slow") == 0)
			*modes |= M_SLOW;
		else if (strcmp(q, "no-answer") == 0)
			*modes |= M_NO_ANSWER;
		else if (strncmp(q, "drop=", 5) == 0) {
			*drop = strtonum(q + 5, 1, UINT32_MAX, &errstr);
			if (errstr != NULL)
				return -1;
			*modes |= M_DROP;
		} else
			return -1;
	}
	return 0;
}

static struct device *
add_device(struct in_addr a, struct walk *w, const char *community,
    unsigned int modes, uint32_t drop)
{
	struct device	*d;

	if ((devs = reallocarray(devs, ndevs + 1, sizeof(*devs))) == NULL)
		fatal("reallocarray");
	d = &devs[ndevs++];
	d->addr = a;
	d->walk = w;
	d->community = community;
	d->clen = strlen(community);
	if (d->clen > SNMP_MAX_COMMUNITY)
		fatalx("community too long");
	d->modes = modes;
	d->drop_every = drop;
	d->nreq = 0;
	memcpy(d->engineid, V3_ENGINEID, 10);
	memcpy(d->engineid + 10, &a.s_addr, 4);
	d->keyed = 0;
	d->salt = arc4random();
	return d;
}

static void
load_map(const char *map)
{
	FILE		*fp;
	char		*line = NULL, *p, *f[5], *dir, *slash;
	char		 path[PATH_MAX];
	struct in_addr	 a;
	size_t		 linesz = 0;
	unsigned int	 lineno = 0, modes;
	uint32_t	 drop;
	int		 n;

	if ((dir = strdup(map)) == NULL)
		fatal("strdup");
	if ((slash = strrchr(dir, '/')) != NULL)
		slash[1] = '\0';
	else
		dir[0] = '\0';
	if ((fp = fopen(map, "r")) == NULL)
		fatal("%s", map);
	while (getline(&line, &linesz, fp) != -1) {
		lineno++;
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		p = line;
		for (n = 0; n < 5 && (f[n] = strsep(&p, " \t\r\n")) != NULL;) {
			if (*f[n] != '\0')
				n++;
		}
		if (n == 0)
			continue;
		if (n < 2 || n > 4)
			fatalx("%s:%u: want ADDRESS FILE [COMMUNITY [MODES]]",
			    map, lineno);
		if (inet_pton(AF_INET, f[0], &a) != 1)
			fatalx("%s:%u: bad IPv4 address %s", map, lineno, f[0]);
		if (snprintf(path, sizeof(path), "%s%s",
		    f[1][0] == '/' ? "" : dir, f[1]) >= (int)sizeof(path))
			fatalx("%s:%u: path too long", map, lineno);
		modes = gmodes;
		drop = gdrop;
		if (n == 4 && parse_modes(f[3], &modes, &drop) == -1)
			fatalx("%s:%u: bad modes %s", map, lineno, f[3]);
		add_device(a, get_walk(path), n >= 3 && strcmp(f[2], "-") != 0 ?
		    strdup(f[2]) : def_community, modes, drop);
		if (devs[ndevs - 1].community == NULL)
			fatal("strdup");
	}
	if (ferror(fp))
		fatal("%s", map);
	fclose(fp);
	free(line);
	free(dir);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
load_range(const char *start, const char *count, const char *dir)
{
	struct in_addr	 a;
	glob_t		 g;
	char		 pat[PATH_MAX];
	const char	*errstr;
	uint64_t	 h;
	size_t		 n, i;

	if (inet_pton(AF_INET, start, &a) != 1)
		fatalx("bad IPv4 address %s", start);
	n = strtonum(count, 1, 16 * 1024 * 1024, &errstr);
	if (errstr != NULL)
		fatalx("count %s: %s", count, errstr);
	if (snprintf(pat, sizeof(pat), "%s/*.snmprec", dir) >=
	    (int)sizeof(pat))
		fatalx("%s: path too long", dir);
	if (glob(pat, 0, NULL, &g) != 0 || g.gl_pathc == 0)
		fatalx("%s: no *.snmprec files", dir);
	qsort(g.gl_pathv, g.gl_pathc, sizeof(*g.gl_pathv), str_cmp);
	for (i = 0; i < g.gl_pathc; i++)
		(void)get_walk(g.gl_pathv[i]);
	if ((devs = reallocarray(devs, n, sizeof(*devs))) == NULL)
		fatal("reallocarray");
	h = ntohl(a.s_addr);
	for (i = 0; i < n; i++, h++) {
		while ((h & 0xff) == 0 || (h & 0xff) == 0xff)
			h++;
		if (h > UINT32_MAX)
			fatalx("address range beyond 255.255.255.255");
		a.s_addr = htonl((uint32_t)h);
		add_device(a, walks[i % nwalks], def_community, gmodes,
		    gdrop);
	}
	globfree(&g);
}

static uint32_t
addr_hash(uint32_t a)
{
	return (a * 2654435761U) ^ (a >> 16);
}

static void
build_hash(void)
{
	size_t		 size = 16, i;
	uint32_t	 h;

	while (size < ndevs * 2)
		size *= 2;
	if ((htab = calloc(size, sizeof(*htab))) == NULL)
		fatal("calloc");
	hmask = size - 1;
	for (i = 0; i < ndevs; i++) {
		for (h = addr_hash(devs[i].addr.s_addr) & hmask; htab[h] != 0;
		    h = (h + 1) & hmask) {
			if (devs[htab[h] - 1].addr.s_addr ==
			    devs[i].addr.s_addr)
				fatalx("address %s given twice",
				    inet_ntoa(devs[i].addr));
		}
		htab[h] = i + 1;
	}
}

static struct device *
find_device(struct in_addr a)
{
	uint32_t	 h;

	for (h = addr_hash(a.s_addr) & hmask; htab[h] != 0;
	    h = (h + 1) & hmask) {
		if (devs[htab[h] - 1].addr.s_addr == a.s_addr)
			return &devs[htab[h] - 1];
	}
	return NULL;
}

/*
 * Answering.
 */

/* the first record > o (after > 0) or >= o (after == 0) */
static size_t
lower_bound(const struct walk *w, const struct snmp_oid *o, int after)
{
	size_t	 lo = 0, hi = w->nrecs, mid;
	int	 c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = arcs_cmp(w->arcs + w->recs[mid].oid, w->recs[mid].oidlen,
		    o->sub, o->len);
		if (c < 0 || (after && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* SNMPv1 does not see Counter64 and the exception values */
static int
visible(const struct rec *r, int version)
{
	return version != SNMP_V1 || (r->type != SNMP_T_COUNTER64 &&
	    r->type < SNMP_T_NOSUCHOBJECT);
}

static void
set_rec(struct snmp_varbind *vb, const struct walk *w, const struct rec *r)
{
	struct snmp_value	*v = &vb->v;

	memcpy(vb->oid.sub, w->arcs + r->oid, r->oidlen * sizeof(uint32_t));
	vb->oid.len = r->oidlen;
	v->type = r->type;
	v->i = r->i;
	v->u = r->u;
	v->s = NULL;
	v->slen = 0;
	v->oid.len = 0;
	switch (r->type) {
	case SNMP_T_OID:
		memcpy(v->oid.sub, w->arcs + r->val,
		    r->vlen * sizeof(uint32_t));
		v->oid.len = r->vlen;
		break;
	case SNMP_T_OCTETS:
	case SNMP_T_IPADDR:
	case SNMP_T_OPAQUE:
		v->s = w->bytes + r->val;
		v->slen = r->vlen;
		break;
	}
}

static void
set_exception(struct snmp_varbind *vb, const struct snmp_oid *o,
    uint8_t type)
{
	memcpy(vb->oid.sub, o->sub, o->len * sizeof(uint32_t));
	vb->oid.len = o->len;
	memset(&vb->v, 0, offsetof(struct snmp_value, oid));
	vb->v.type = type;
	vb->v.oid.len = 0;
}

static void
copy_vb(struct snmp_varbind *dst, const struct snmp_varbind *src)
{
	memcpy(dst->oid.sub, src->oid.sub, src->oid.len * sizeof(uint32_t));
	dst->oid.len = src->oid.len;
	dst->v.type = src->v.type;
	dst->v.i = src->v.i;
	dst->v.u = src->v.u;
	dst->v.s = src->v.s;
	dst->v.slen = src->v.slen;
	memcpy(dst->v.oid.sub, src->v.oid.sub,
	    src->v.oid.len * sizeof(uint32_t));
	dst->v.oid.len = src->v.oid.len;
}

/* an error answer carrying the variable bindings of the request */
static void
error_answer(int32_t status, int32_t index)
{
	size_t	 i;

	resp.error_status = status;
	resp.error_index = index;
	for (i = 0; i < req.nvarbinds; i++)
		copy_vb(&resp.vb[i], &req.vb[i]);
	resp.nvarbinds = req.nvarbinds;
}

static uint8_t
missing(const struct walk *w, const struct snmp_oid *o)
{
	static struct snmp_oid	 parent_oid;
	struct snmp_oid		*parent = &parent_oid;
	const struct rec	*r;
	size_t		 i;

	if (o->len < 2)
		return SNMP_T_NOSUCHOBJECT;
	memcpy(parent->sub, o->sub, (o->len - 1) * sizeof(uint32_t));
	parent->len = o->len - 1;
	i = lower_bound(w, parent, 1);	/* skip a record equal to parent */
	if (i < w->nrecs) {
		r = &w->recs[i];
		if (r->oidlen > parent->len && arcs_cmp(w->arcs + r->oid,
		    parent->len, parent->sub, parent->len) == 0)
			return SNMP_T_NOSUCHINSTANCE;
	}
	return SNMP_T_NOSUCHOBJECT;
}

static void
answer_get(const struct walk *w, int next)
{
	const struct snmp_oid	*o;
	size_t			 i, k;

	for (i = 0; i < req.nvarbinds; i++) {
		o = &req.vb[i].oid;
		k = lower_bound(w, o, next);
		if (req.version == SNMP_V1) {
			while (next && k < w->nrecs &&
			    !visible(&w->recs[k], SNMP_V1))
				k++;
			if (k >= w->nrecs || !visible(&w->recs[k], SNMP_V1) ||
			    (!next && arcs_cmp(w->arcs + w->recs[k].oid,
			    w->recs[k].oidlen, o->sub, o->len) != 0)) {
				error_answer(SNMP_ERR_NOSUCHNAME, i + 1);
				return;
			}
			set_rec(&resp.vb[i], w, &w->recs[k]);
		} else if (k >= w->nrecs)
			set_exception(&resp.vb[i], o, next ?
			    SNMP_T_ENDOFMIBVIEW : missing(w, o));
		else if (!next && arcs_cmp(w->arcs + w->recs[k].oid,
		    w->recs[k].oidlen, o->sub, o->len) != 0)
			set_exception(&resp.vb[i], o, missing(w, o));
		else
			set_rec(&resp.vb[i], w, &w->recs[k]);
	}
	resp.nvarbinds = req.nvarbinds;
}

/* per repeater of a GetBulk: next record, and the last one answered */
static size_t	bulk_next[SNMP_MAX_VARBINDS];
static ssize_t	bulk_last[SNMP_MAX_VARBINDS];
static size_t	bulk_size;	/* the size answer_bulk() expects */

static void
answer_bulk(const struct walk *w)
{
	const struct snmp_oid	*o;
	size_t			 nonrep, nrep, n = 0, sum = 0, vbs, i, j, k;
	int32_t			 maxrep, rep;
	int			 allend;

	nonrep = req.non_repeaters < 0 ? 0 : (size_t)req.non_repeaters;
	if (nonrep > req.nvarbinds)
		nonrep = req.nvarbinds;
	nrep = req.nvarbinds - nonrep;
	maxrep = req.max_repetitions < 0 ? 0 : req.max_repetitions;

	/* a first binding larger than BULK_MAX_BYTES still goes alone */
#define FITS(sz) (n < BULK_MAX_VARBINDS && msg_size(req.version,	\
	req.community_len, req.request_id, 0, 0, sum + (sz)) <=		\
	(n == 0 ? REPLY_MAX : BULK_MAX_BYTES))

	for (i = 0; i < nonrep; i++) {
		o = &req.vb[i].oid;
		k = lower_bound(w, o, 1);
		vbs = k < w->nrecs ? w->recs[k].vbsize : ber_tlv(ber_oidlen(
		    o->sub, o->len) + ber_tlv(0));
		if (!FITS(vbs))
			goto done;
		if (k < w->nrecs)
			set_rec(&resp.vb[n++], w, &w->recs[k]);
		else
			set_exception(&resp.vb[n++], o, SNMP_T_ENDOFMIBVIEW);
		sum += vbs;
	}
	for (j = 0; j < nrep; j++) {
		bulk_next[j] = lower_bound(w, &req.vb[nonrep + j].oid, 1);
		bulk_last[j] = -1;
	}
	for (rep = 0; rep < maxrep && nrep > 0; rep++) {
		allend = 1;
		for (j = 0; j < nrep; j++) {
			k = bulk_next[j];
			if (k < w->nrecs)
				vbs = w->recs[k].vbsize;
			else if (bulk_last[j] >= 0)
				vbs = ber_tlv(ber_oidlen(w->arcs +
				    w->recs[bulk_last[j]].oid,
				    w->recs[bulk_last[j]].oidlen) + ber_tlv(0));
			else {
				o = &req.vb[nonrep + j].oid;
				vbs = ber_tlv(ber_oidlen(o->sub, o->len) +
				    ber_tlv(0));
			}
			if (!FITS(vbs))
				goto done;
			if (k < w->nrecs) {
				set_rec(&resp.vb[n], w, &w->recs[k]);
				bulk_last[j] = k;
				bulk_next[j] = k + 1;
				allend = 0;
			} else if (bulk_last[j] >= 0) {
				set_rec(&resp.vb[n], w,
				    &w->recs[bulk_last[j]]);
				resp.vb[n].v.type = SNMP_T_ENDOFMIBVIEW;
			} else
				set_exception(&resp.vb[n],
				    &req.vb[nonrep + j].oid,
				    SNMP_T_ENDOFMIBVIEW);
			n++;
			sum += vbs;
		}
		if (allend)
			break;
	}
#undef FITS
 done:
	resp.nvarbinds = n;
	if (n == 0 && (nonrep > 0 || (nrep > 0 && maxrep > 0)))
		resp.error_status = SNMP_ERR_TOOBIG;	/* nothing fits */
	bulk_size = msg_size(req.version, req.community_len, req.request_id,
	    0, 0, sum);
}

/* the next free answer of the batch, sending the batch when full */
static void	flush_out(void);

static int
out_slot(void)
{
	if (nout == BATCH)
		flush_out();
	return nout;
}

static void
flush_out(void)
{
	int	 i = 0, r;
	size_t	 k;

	while (i < nout) {
		r = sendmmsg(sock, outmsg + i, nout - i, 0);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			if (st.senderr++ < 10)
				log_warn("sendmmsg to %s",
				    inet_ntoa(outto[i].sin_addr));
			i++;
			continue;
		}
		for (k = i; k < (size_t)(i + r); k++) {
			st.responses++;
			st.bytes_out += outmsg[k].msg_len;
		}
		i += r;
	}
	nout = 0;
}

static void
queue_request(const uint8_t *pkt, size_t len, const struct sockaddr_in *from,
    struct in_addr to, int64_t now)
{
	struct pend	*p;
	size_t		 need, end;

	need = (sizeof(*p) + len + 7) & ~(size_t)7;
	if (rused == 0)
		rhead = rtail = 0;
	if (rused > 0 && rhead == rtail)
		goto full;
	if (rhead >= rtail) {
		end = RING_SIZE - rhead;
		if (end < need) {
			if (rtail <= need)
				goto full;
			if (end >= sizeof(*p))
				((struct pend *)(ring + rhead))->len =
				    PEND_WRAP;
			rused += end;
			rhead = 0;
		}
	} else if (rtail - rhead < need)
		goto full;
	p = (struct pend *)(ring + rhead);
	p->due = now + latency_ns;
	p->from = *from;
	p->to = to;
	p->len = len;
	memcpy(p + 1, pkt, len);
	rhead += need;
	rused += need;
	st.delayed++;
	return;
 full:
	if (st.overflow++ == 0)
		log_warnx("latency queue full: answers dropped");
}

/* the oldest queued request, or NULL */
static struct pend *
ring_peek(void)
{
	struct pend	*p;

	if (rused == 0)
		return NULL;
	if (RING_SIZE - rtail < sizeof(*p) ||
	    ((struct pend *)(ring + rtail))->len == PEND_WRAP) {
		rused -= RING_SIZE - rtail;
		rtail = 0;
	}
	p = (struct pend *)(ring + rtail);
	return p;
}

static void
ring_pop(void)
{
	struct pend	*p = (struct pend *)(ring + rtail);
	size_t		 need = (sizeof(*p) + p->len + 7) & ~(size_t)7;

	rtail += need;
	rused -= need;
	if (rused == 0)
		rhead = rtail = 0;
}

/* the answer in outbuf[slot] goes to from, from the address to */
static void
send_slot(int slot, size_t outlen, const struct sockaddr_in *from,
    struct in_addr to)
{
	struct msghdr	*mh;
	struct cmsghdr	*cm;
	struct in_pktinfo *pi;

	outto[slot] = *from;
	outiov[slot].iov_base = outbuf[slot];
	outiov[slot].iov_len = outlen;
	mh = &outmsg[slot].msg_hdr;
	memset(mh, 0, sizeof(*mh));
	mh->msg_name = &outto[slot];
	mh->msg_namelen = sizeof(outto[slot]);
	mh->msg_iov = &outiov[slot];
	mh->msg_iovlen = 1;
	mh->msg_control = outctl[slot].buf;
	mh->msg_controllen = sizeof(outctl[slot].buf);
	cm = CMSG_FIRSTHDR(mh);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(*pi));
	pi = (struct in_pktinfo *)CMSG_DATA(cm);
	memset(pi, 0, sizeof(*pi));
	pi->ipi_spec_dst = to;
	nout++;
}

/* resp from req, as the device's walk says */
static void
answer(struct device *d)
{
	resp.version = req.version;
	resp.community = req.community;
	resp.community_len = req.community_len;
	resp.pdu_type = SNMP_PDU_RESPONSE;
	resp.request_id = req.request_id;
	resp.error_status = resp.error_index = 0;
	resp.non_repeaters = resp.max_repetitions = 0;
	resp.nvarbinds = 0;
	switch (req.pdu_type) {
	case SNMP_PDU_GET:
		answer_get(d->walk, 0);
		break;
	case SNMP_PDU_GETNEXT:
		answer_get(d->walk, 1);
		break;
	case SNMP_PDU_GETBULK:
		if (d->modes & M_BULK_BROKEN)
			error_answer(SNMP_ERR_GENERR, 0);
		else
			answer_bulk(d->walk);
		break;
	case SNMP_PDU_SET:
		error_answer(req.version == SNMP_V1 ? SNMP_ERR_READONLY :
		    SNMP_ERR_NOACCESS, 1);
		break;
	}
}

/* a request that may be answered now, or queued, dropped, ignored */
static int
admit(struct device *d, const uint8_t *pkt, size_t len,
    const struct sockaddr_in *from, struct in_addr to, int64_t now,
    int queued)
{
	switch (req.pdu_type) {
	case SNMP_PDU_GET:
	case SNMP_PDU_GETNEXT:
	case SNMP_PDU_GETBULK:
	case SNMP_PDU_SET:
		break;
	default:
		st.ignored++;
		return 0;
	}
	if (queued)
		return 1;
	if ((d->modes & M_NO_ANSWER) || ((d->modes & M_GETNEXT_ONLY) &&
	    req.pdu_type == SNMP_PDU_GETBULK)) {
		st.ignored++;
		return 0;
	}
	if ((d->modes & M_DROP) && ++d->nreq % d->drop_every == 0) {
		st.dropped++;
		return 0;
	}
	if (d->modes & M_SLOW) {
		queue_request(pkt, len, from, to, now);
		return 0;
	}
	return 1;
}

/*
 * SNMPv3: the ScopedPDU of the answer in outbuf[slot], sealed at the
 * level of the request (the report of a discovery at noAuthNoPriv).
 */
static int
v3_seal(struct device *d, int slot, int report, size_t *outlen)
{
	static const uint32_t	 unknown_engine[] = { 1, 3, 6, 1, 6, 3, 15,
	    1, 1, 4, 0 };
	struct snmp_scoped	 sc;
	struct snmp_v3		 h;
	uint8_t			 salt[USM_SALT_LEN];
	size_t			 slen;
	int			 i;

	sc.ctx_engineid = d->engineid;
	sc.ctx_engineid_len = sizeof(d->engineid);
	sc.ctx_name = report ? NULL : v3scoped.ctx_name;
	sc.ctx_name_len = report ? 0 : v3scoped.ctx_name_len;
	if (report) {
		resp.pdu_type = SNMP_PDU_REPORT;
		resp.error_status = resp.error_index = 0;
		resp.nvarbinds = 1;
		memcpy(resp.vb[0].oid.sub, unknown_engine,
		    sizeof(unknown_engine));
		resp.vb[0].oid.len = sizeof(unknown_engine) /
		    sizeof(unknown_engine[0]);
		memset(&resp.vb[0].v, 0, offsetof(struct snmp_value, oid));
		resp.vb[0].v.type = SNMP_T_COUNTER32;
		resp.vb[0].v.u = st.v3discovery;
		resp.vb[0].v.oid.len = 0;
	}
	resp.version = SNMP_V2C;
	if (snmp_scoped_encode(&sc, &resp, outbuf[slot], REPLY_MAX, &slen) ==
	    -1)
		return -1;
	memset(&h, 0, sizeof(h));
	h.msgid = v3req.msgid;
	h.maxsize = USM_MAXSIZE;
	h.flags = report ? 0 : v3req.flags & (SNMP_V3_F_AUTH | SNMP_V3_F_PRIV);
	h.engineid = d->engineid;
	h.engineid_len = sizeof(d->engineid);
	h.boots = 1;
	h.time = (int32_t)((now_ns() - v3start) / 1000000000);
	h.user = report ? NULL : v3user.name;
	h.user_len = report ? 0 : v3user.name_len;
	if (h.flags & SNMP_V3_F_PRIV) {
		for (i = 0; i < USM_SALT_LEN; i++)
			salt[i] = (uint8_t)(d->salt >> (8 * i));
		d->salt++;
		h.privp = salt;
		h.privp_len = sizeof(salt);
	}
	return usm_seal(&h, v3user.auth, d->akey, v3user.priv, d->pkey,
	    outbuf[slot], REPLY_MAX, slen, outlen);
}

/* an SNMPv3 request: req and v3scoped hold its PDU; 0, or -1: ignore */
static int
v3_open(struct device *d, uint8_t *pkt, size_t len, int *report)
{
	const char	*errstr;
	uint8_t		 level;

	*report = 0;
	if (!v3 || snmp_v3_decode(pkt, len, &v3req, &errstr) == -1)
		return -1;
	level = v3req.flags & (SNMP_V3_F_AUTH | SNMP_V3_F_PRIV);
	if (v3req.engineid_len == 0) {
		/* discovery: the probe's request id for the report */
		if (level != 0 || snmp_scoped_decode(v3req.data,
		    v3req.data_len, &v3scoped, &req, &errstr) == -1)
			return -1;
		st.v3discovery++;
		*report = 1;
		return 0;
	}
	if (v3req.engineid_len != sizeof(d->engineid) ||
	    memcmp(v3req.engineid, d->engineid, sizeof(d->engineid)) != 0 ||
	    v3req.user_len != v3user.name_len ||
	    memcmp(v3req.user, v3user.name, v3user.name_len) != 0 ||
	    level != usm_user_level(&v3user))
		return -1;
	if (!d->keyed) {
		if ((v3user.auth != USM_AUTH_NONE && usm_localize(v3user.auth,
		    v3user.auth_ku, d->engineid, sizeof(d->engineid),
		    d->akey) == -1) || (v3user.priv != USM_PRIV_NONE &&
		    usm_privkey(v3user.auth, v3user.priv, v3user.priv_ku,
		    d->engineid, sizeof(d->engineid), d->pkey) == -1))
			fatalx("SNMPv3 key localisation");
		d->keyed = 1;
	}
	if (usm_open(&v3req, v3user.auth, d->akey, v3user.priv, d->pkey, pkt,
	    len, &errstr) == -1 ||
	    snmp_scoped_decode(v3req.data, v3req.data_len, &v3scoped, &req,
	    &errstr) == -1) {
		log_debug("%s: SNMPv3: %s", inet_ntoa(d->addr), errstr);
		return -1;
	}
	return 0;
}

/* a varbind of m inside the -W subtree */
static int
touches_watch(const struct snmp_msg *m)
{
	size_t	 i;

	for (i = 0; watch.len > 0 && i < m->nvarbinds; i++)
		if (snmp_oid_is_prefix(&watch, &m->vb[i].oid))
			return 1;
	return 0;
}

static void
handle(const uint8_t *pkt, size_t len, const struct sockaddr_in *from,
    struct in_addr to, int64_t now, int queued)
{
	static uint8_t	 v3pkt[IN_MAX];
	struct device	*d;
	const char	*errstr;
	size_t		 outlen;
	int		 slot, isv3 = 0, report = 0, watched;

	if ((d = find_device(to)) == NULL) {
		st.unknown++;
		return;
	}
	if (snmp_decode(pkt, len, &req, &errstr) == -1) {
		/* usm_open() decrypts in place: a copy (pkt may be queued) */
		memcpy(v3pkt, pkt, len);
		if (v3_open(d, v3pkt, len, &report) == -1) {
			if (v3)
				st.v3refused++;
			else
				st.malformed++;
			log_debug("%s: from %s: %s", inet_ntoa(to),
			    inet_ntoa(from->sin_addr), errstr);
			return;
		}
		isv3 = 1;
	} else if (req.community_len != d->clen ||
	    memcmp(req.community, d->community, d->clen) != 0) {
		st.badcommunity++;
		return;
	}
	if (!report && !admit(d, pkt, len, from, to, now, queued))
		return;
	watched = touches_watch(&req);

	if (isv3) {
		if (!report)
			answer(d);
		st.watched += watched;
		slot = out_slot();
		if (v3_seal(d, slot, report, &outlen) == -1) {
			st.toobig++;
			resp.error_status = SNMP_ERR_TOOBIG;
			resp.error_index = 0;
			resp.nvarbinds = 0;
			if (v3_seal(d, slot, report, &outlen) == -1) {
				log_warnx("cannot encode an SNMPv3 answer");
				return;
			}
		}
		send_slot(slot, outlen, from, to);
		return;
	}

	answer(d);
	st.watched += watched;
	slot = out_slot();
	if (snmp_encode(&resp, outbuf[slot], REPLY_MAX, &outlen) == -1) {
		st.toobig++;
		if (req.version == SNMP_V1)
			error_answer(SNMP_ERR_TOOBIG, 0);
		else {
			resp.error_status = SNMP_ERR_TOOBIG;
			resp.error_index = 0;
			resp.nvarbinds = 0;
		}
		if (snmp_encode(&resp, outbuf[slot], REPLY_MAX, &outlen) ==
		    -1) {
			resp.nvarbinds = 0;
			if (snmp_encode(&resp, outbuf[slot], REPLY_MAX,
			    &outlen) == -1) {
				log_warnx("cannot encode an answer");
				return;
			}
		}
	}

	if (req.pdu_type == SNMP_PDU_GETBULK && resp.error_status == 0 &&
	    outlen != bulk_size && st.sizeerr++ == 0)
		log_warnx("GetBulk answer of %zu octets, %zu expected",
		    outlen, bulk_size);
	send_slot(slot, outlen, from, to);
}

/* -u name[:auth:pass[:priv:pass]] */
static void
parse_user(char *spec)
{
	enum usm_auth	 a = USM_AUTH_NONE;
	enum usm_priv	 p = USM_PRIV_NONE;
	char		*f[5];
	const char	*errstr;
	int		 n;

	for (n = 0; n < 5 && (f[n] = strsep(&spec, ":")) != NULL; n++)
		;
	if (spec != NULL || (n != 1 && n != 3 && n != 5))
		fatalx("-u: want name[:auth:pass[:priv:pass]]");
	if (n >= 3 && usm_auth_from_name(f[1], &a) == -1)
		fatalx("-u: unknown authentication protocol %s", f[1]);
	if (n == 5 && usm_priv_from_name(f[3], &p) == -1)
		fatalx("-u: unknown privacy protocol %s", f[3]);
	if (usm_user_init(&v3user, f[0], a, n >= 3 ? f[2] : NULL, p,
	    n == 5 ? f[4] : NULL, 1, &errstr) == -1)
		fatalx("-u: %s", errstr);
	v3 = 1;
	v3start = now_ns();
}

static void
read_batch(int64_t now, int *more)
{
	struct msghdr	*mh;
	struct cmsghdr	*cm;
	struct in_pktinfo pi;
	struct in_addr	 to;
	int		 i, n, found;

	for (i = 0; i < BATCH; i++) {
		iniov[i].iov_base = inbuf[i];
		iniov[i].iov_len = sizeof(inbuf[i]);
		mh = &inmsg[i].msg_hdr;
		mh->msg_name = &infrom[i];
		mh->msg_namelen = sizeof(infrom[i]);
		mh->msg_iov = &iniov[i];
		mh->msg_iovlen = 1;
		mh->msg_control = inctl[i].buf;
		mh->msg_controllen = sizeof(inctl[i].buf);
		mh->msg_flags = 0;
	}
	*more = 0;
	if ((n = recvmmsg(sock, inmsg, BATCH, MSG_DONTWAIT, NULL)) == -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			log_warn("recvmmsg");
		return;
	}
	*more = n == BATCH;
	for (i = 0; i < n; i++) {
		mh = &inmsg[i].msg_hdr;
		st.requests++;
		st.bytes_in += inmsg[i].msg_len;
		found = 0;
		for (cm = CMSG_FIRSTHDR(mh); cm != NULL;
		    cm = CMSG_NXTHDR(mh, cm)) {
			if (cm->cmsg_level == IPPROTO_IP &&
			    cm->cmsg_type == IP_PKTINFO) {
				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				to = pi.ipi_addr;
				found = 1;
			}
		}
		if (!found || (mh->msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
		    mh->msg_namelen != sizeof(struct sockaddr_in)) {
			st.malformed++;
			continue;
		}
		handle(inbuf[i], inmsg[i].msg_len, &infrom[i], to, now, 0);
	}
}

static void
serve_due(int64_t now)
{
	struct pend	*p;

	while ((p = ring_peek()) != NULL && p->due <= now) {
		handle((const uint8_t *)(p + 1), p->len, &p->from, p->to,
		    now, 1);
		ring_pop();
	}
}

static void
write_stats(const char *path)
{
	char	 tmp[PATH_MAX], buf[256];
	int	 fd, n;

	if (path == NULL)
		return;
	n = snprintf(buf, sizeof(buf), "requests %llu\nresponses %llu\n"
	    "bytes_in %llu\nbytes_out %llu\nwatched %llu\n",
	    (unsigned long long)st.requests, (unsigned long long)st.responses,
	    (unsigned long long)st.bytes_in, (unsigned long long)st.bytes_out,
	    (unsigned long long)st.watched);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		log_warnx("%s: path too long", path);
		return;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1) {
		log_warn("%s", tmp);
		return;
	}
	if (write(fd, buf, n) != n || close(fd) == -1) {
		log_warn("%s", tmp);
		(void)unlink(tmp);
		return;
	}
	if (rename(tmp, path) == -1)
		log_warn("rename %s", path);
}

static void
log_stats(void)
{
	log_info("requests %llu responses %llu bytes_in %llu bytes_out %llu "
	    "unknown-address %llu malformed %llu bad-community %llu "
	    "ignored %llu dropped %llu delayed %llu queue-full %llu "
	    "toobig %llu send-errors %llu size-errors %llu "
	    "v3-discoveries %llu v3-refused %llu",
	    (unsigned long long)st.requests, (unsigned long long)st.responses,
	    (unsigned long long)st.bytes_in, (unsigned long long)st.bytes_out,
	    (unsigned long long)st.unknown, (unsigned long long)st.malformed,
	    (unsigned long long)st.badcommunity,
	    (unsigned long long)st.ignored, (unsigned long long)st.dropped,
	    (unsigned long long)st.delayed, (unsigned long long)st.overflow,
	    (unsigned long long)st.toobig, (unsigned long long)st.senderr,
	    (unsigned long long)st.sizeerr,
	    (unsigned long long)st.v3discovery,
	    (unsigned long long)st.v3refused);
}

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
}

static void
open_socket(struct in_addr bindaddr, int port)
{
	struct sockaddr_in	 sin;
	int			 one = 1, sz = SOCKBUF;

	if ((sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	if (setsockopt(sock, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) == -1)
		fatal("IP_PKTINFO");
	if (setsockopt(sock, SOL_SOCKET, SO_RCVBUFFORCE, &sz,
	    sizeof(sz)) == -1)
		(void)setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	sz = SOCKBUF / 4;
	if (setsockopt(sock, SOL_SOCKET, SO_SNDBUFFORCE, &sz,
	    sizeof(sz)) == -1)
		(void)setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = bindaddr;
	sin.sin_port = htons(port);
	if (bind(sock, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		fatal("bind %s:%d", inet_ntoa(bindaddr), port);
}

int
main(int argc, char *argv[])
{
	struct in_addr	 bindaddr;
	struct sigaction sa;
	struct pollfd	 pfd;
	struct timespec	 ts, *tsp;
	struct pend	*p;
	sigset_t	 block, waitmask;
	const char	*errstr, *pidfile = NULL, *statsfile = NULL;
	FILE		*fp;
	int64_t		 now, wait;
	size_t		 i, nrecs = 0;
	int		 ch, port = DEFAULT_PORT, range = 0, verbose = 0;
	int		 more, turns, any_slow_line = 0;
	long long	 lat = -1;

	log_init("snmpfleet", LOG_TO_STDERR, 0);
	bindaddr.s_addr = htonl(INADDR_ANY);
	while ((ch = getopt(argc, argv, "b:c:dL:m:P:p:rS:u:vW:")) != -1) {
		switch (ch) {
		case 'b':
			if (inet_pton(AF_INET, optarg, &bindaddr) != 1)
				fatalx("bad IPv4 address %s", optarg);
			break;
		case 'c':
			def_community = optarg;
			if (strlen(optarg) > SNMP_MAX_COMMUNITY)
				fatalx("community too long");
			break;
		case 'd':
			break;
		case 'L':
			lat = strtonum(optarg, 0, 3600 * 1000, &errstr);
			if (errstr != NULL)
				fatalx("latency %s: %s", optarg, errstr);
			break;
		case 'm':
			if (parse_modes(optarg, &gmodes, &gdrop) == -1)
				fatalx("bad modes %s", optarg);
			break;
		case 'P':
			pidfile = optarg;
			break;
		case 'p':
			port = strtonum(optarg, 1, 65535, &errstr);
			if (errstr != NULL)
				fatalx("port %s: %s", optarg, errstr);
			break;
		case 'r':
			range = 1;
			break;
		case 'S':
			statsfile = optarg;
			break;
		case 'W':
			if (snmp_oid_parse(optarg, &watch) == -1)
				fatalx("-W: not an OID: %s", optarg);
			break;
		case 'u':
			parse_user(optarg);
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != (range ? 3 : 1))
		usage();
	log_setverbose(verbose);

	if (range)
		load_range(argv[0], argv[1], argv[2]);
	else
		load_map(argv[0]);
	if (ndevs == 0)
		fatalx("no devices");

	/* -L delays every device, unless some device is named slow */
	for (i = 0; i < ndevs; i++) {
		if (devs[i].modes & M_SLOW) {
			any_slow_line = 1;
			break;
		}
	}
	if (lat >= 0 && !any_slow_line) {
		for (i = 0; i < ndevs; i++)
			devs[i].modes |= M_SLOW;
	}
	latency_ns = (lat >= 0 ? lat : DEFAULT_SLOW_MS) * 1000000LL;
	if (lat == 0) {
		for (i = 0; i < ndevs; i++)
			devs[i].modes &= ~M_SLOW;
	}
	for (i = 0; i < ndevs; i++) {
		if (devs[i].modes & M_SLOW)
			break;
	}
	if (i < ndevs && (ring = malloc(RING_SIZE)) == NULL)
		fatal("malloc");

	build_hash();
	for (i = 0; i < nwalks; i++)
		nrecs += walks[i]->nrecs;
	log_info("%zu devices, %zu walks, %zu records, %zu lines skipped",
	    ndevs, nwalks, nrecs, malformed_lines);

	open_socket(bindaddr, port);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGUSR1, &sa, NULL) == -1)
		fatal("sigaction");
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &block, &waitmask) == -1)
		fatal("sigprocmask");
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGUSR1);

	if (pidfile != NULL) {
		if ((fp = fopen(pidfile, "w")) == NULL)
			fatal("%s", pidfile);
		fprintf(fp, "%ld\n", (long)getpid());
		if (fclose(fp) == EOF)
			fatal("%s", pidfile);
	}
	printf("ready\n");
	fflush(stdout);

	pfd.fd = sock;
	pfd.events = POLLIN;
	while (!got_term) {
		if (got_usr1) {
			got_usr1 = 0;
			write_stats(statsfile);
			log_stats();
		}
		tsp = NULL;
		if ((p = ring_peek()) != NULL) {
			wait = p->due - now_ns();
			if (wait < 0)
				wait = 0;
			ts.tv_sec = wait / 1000000000;
			ts.tv_nsec = wait % 1000000000;
			tsp = &ts;
		}
		if (ppoll(&pfd, 1, tsp, &waitmask) == -1) {
			if (errno == EINTR)
				continue;
			fatal("ppoll");
		}
		now = now_ns();
		if (pfd.revents & POLLIN) {
			turns = 0;
			do {
				read_batch(now, &more);
			} while (more && ++turns < READS_PER_TURN);
		}
		serve_due(now_ns());
		flush_out();
	}

	write_stats(statsfile);
	log_stats();
	if (pidfile != NULL)
		(void)unlink(pidfile);
	return 0;
}
