/*
 * The channels: imsg framing (imsg.c), the channel table (proc.c), the
 * message types and their codecs (msg.c, buf.c).
 *
 * Everything travels over real socketpair(AF_UNIX, SOCK_STREAM)s.  Good
 * traffic is produced with imsg_compose*() and imsgbuf_write/flush();
 * malformed traffic is written by hand (raw frames built here from the
 * wire format in imsg.h, descriptors with our own sendmsg(2)), so that
 * the receiver is tested against the format, not against its own sender.
 * Sender-side checks are fatal: they run in forked children.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "imsg.h"
#include "log.h"
#include "chans.h"
#include "net.h"
#include "proc.h"
#include "test.h"

#define MiB		(1024U * 1024U)
#define SIGNER_MAX	(test_msgtype(IMSG_CONF_SIGNERD)->max)
#define NCHILD		4
static const enum proc_id children[NCHILD] = {
	PROC_COLLECTD, PROC_AUDITD, PROC_SIGNERD, PROC_UPLINKD
};
static const uint32_t conf_type[NCHILD] = {
	IMSG_CONF_COLLECTD, IMSG_CONF_AUDITD, IMSG_CONF_SIGNERD,
	IMSG_CONF_UPLINKD
};

/* ------------------------------------------------------------------ */
/* small utilities */

static int
count_fds(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int
fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* a descriptor whose content names `tag' (memfd or pipe read end) */
static int
tagged_fd(const char *tag, int use_pipe)
{
	int	 fd, p[2];
	size_t	 n = strlen(tag);

	if (use_pipe) {
		if (pipe2(p, O_CLOEXEC) == -1)
			return -1;
		if (write(p[1], tag, n) != (ssize_t)n) {
			close(p[0]);
			close(p[1]);
			return -1;
		}
		close(p[1]);
		return p[0];
	}
	if ((fd = memfd_create("test_imsg", MFD_CLOEXEC)) == -1)
		return -1;
	if (write(fd, tag, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return fd;
}

/* the content of a tagged descriptor, NUL-terminated ("" on error) */
static void
fd_content(int fd, char *buf, size_t sz)
{
	ssize_t	 n;

	n = pread(fd, buf, sz - 1, 0);
	if (n == -1 && errno == ESPIPE)
		n = read(fd, buf, sz - 1);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
}

static uint8_t *
xmalloc(size_t n)
{
	uint8_t	*p;

	if ((p = malloc(n ? n : 1)) == NULL)
		abort();
	return p;
}

static uint8_t *
xdup(const void *p, size_t n)
{
	uint8_t	*d = xmalloc(n);

	if (n > 0)
		memcpy(d, p, n);
	return d;
}

/* deterministic bytes: a different sequence for each seed */
static void
fill_pattern(uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t	 x = seed * 2654435761U + 12345;
	size_t		 i;

	for (i = 0; i < n; i++) {
		x = x * 1103515245U + 12345;
		p[i] = (uint8_t)(x >> 16);
	}
}

static int
err_is(const struct imsgbuf *ib, const char *substr)
{
	if (ib->err == NULL) {
		printf("# no ibuf->err (expected \"%s\")\n", substr);
		return 0;
	}
	if (strstr(ib->err, substr) == NULL) {
		printf("# ibuf->err \"%s\" (expected \"%s\")\n", ib->err,
		    substr);
		return 0;
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* a channel with an imsgbuf at both ends, both non-blocking */

struct duo {
	int		 sv[2];
	struct imsgbuf	 w;		/* sv[0]: from */
	struct imsgbuf	 r;		/* sv[1]: to */
};

static void
duo_open(struct duo *d, enum proc_id from, enum proc_id to)
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, d->sv) == -1) {
		perror("socketpair");
		abort();
	}
	set_nonblock(d->sv[0]);
	set_nonblock(d->sv[1]);
	imsgbuf_init(&d->w, d->sv[0], test_chan(from, to), from);
	imsgbuf_init(&d->r, d->sv[1], test_chan(to, from), to);
}

static void
duo_close(struct duo *d)
{
	imsgbuf_clear(&d->w);
	imsgbuf_clear(&d->r);
	close(d->sv[0]);
	close(d->sv[1]);
}

/*
 * Move bytes from writer to reader until one message is complete.
 * 1: a message; 0: nothing more will come; -1: protocol error (r.err);
 * -2: I/O error.
 */
static int
duo_get(struct duo *d, struct imsg *m)
{
	ssize_t	 n;
	int	 rv;

	for (;;) {
		if ((rv = imsg_get(&d->r, m)) != 0)
			return rv;
		if (imsgbuf_write(&d->w) == -1)
			return -2;
		n = imsgbuf_read(&d->r);
		if (n > 0)
			continue;
		if (n == 0)
			return 0;
		if (errno == EBADMSG)
			return -1;
		if (errno != EAGAIN)
			return -2;
		if (TAILQ_EMPTY(&d->w.outq))
			return 0;
	}
}

/* ------------------------------------------------------------------ */
/* raw frames, written by hand from the format in imsg.h */

static void
put_frame(struct wbuf *w, uint32_t type, uint32_t len, uint16_t flags,
    uint16_t resv, uint32_t peerid, const void *p, size_t plen)
{
	wbuf_u32(w, type);
	wbuf_u32(w, len);
	wbuf_u16(w, flags);
	wbuf_u16(w, resv);
	wbuf_u32(w, peerid);
	wbuf_u32(w, (uint32_t)getpid());
	wbuf_bytes(w, p, plen);
}

static void
frame(struct wbuf *w, uint32_t type, uint16_t flags, uint32_t peerid,
    const void *p, size_t plen)
{
	put_frame(w, type, (uint32_t)(IMSG_HDR_SIZE + plen), flags, 0, peerid,
	    p, plen);
}

static void
frame_begin(struct wbuf *w, uint32_t peerid, uint32_t type, uint64_t total)
{
	uint8_t		 b[12];
	struct wbuf	 t;

	wbuf_init(&t);
	wbuf_u32(&t, type);
	wbuf_u64(&t, total);
	memcpy(b, t.data, sizeof(b));
	wbuf_free(&t);
	frame(w, IMSG_STREAM_BEGIN, 0, peerid, b, sizeof(b));
}

/* a socket written by hand on one side, an imsgbuf on the other */
struct raw {
	int		 sv[2];
	struct imsgbuf	 r;
};

static void
raw_open(struct raw *c, enum proc_id self, enum proc_id peer)
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c->sv) == -1) {
		perror("socketpair");
		abort();
	}
	set_nonblock(c->sv[1]);
	imsgbuf_init(&c->r, c->sv[1], test_chan(self, peer), self);
}

static void
raw_close(struct raw *c)
{
	imsgbuf_clear(&c->r);
	if (c->sv[0] != -1)
		close(c->sv[0]);
	close(c->sv[1]);
}

/* write bytes with descriptors attached (nfd may be 0) in one sendmsg */
static int
raw_sendfds(struct raw *c, const void *p, size_t len, const int *fds,
    int nfd)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	char		*cbuf = NULL;
	size_t		 clen;
	ssize_t		 n;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = (void *)(uintptr_t)p;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfd > 0) {
		clen = CMSG_SPACE(sizeof(int) * (size_t)nfd);
		if ((cbuf = calloc(1, clen)) == NULL)
			abort();
		mh.msg_control = cbuf;
		mh.msg_controllen = clen;
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfd);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfd);
	}
	n = sendmsg(c->sv[0], &mh, MSG_NOSIGNAL);
	free(cbuf);
	return n == (ssize_t)len ? 0 : -1;
}

static int
raw_send(struct raw *c, const struct wbuf *w)
{
	return raw_sendfds(c, w->data, w->len, NULL, 0);
}

/* no more bytes: the reader sees EOF after what was written */
static void
raw_eof(struct raw *c)
{
	close(c->sv[0]);
	c->sv[0] = -1;
}

/*
 * Read and get until something ends it.  1: a message; 0: EOF (or no
 * more data); -1: protocol error from imsg_get() or imsgbuf_read(),
 * with r.err set; -2: I/O error.
 */
static int
raw_get(struct raw *c, struct imsg *m)
{
	ssize_t	 n;
	int	 rv;

	for (;;) {
		if ((rv = imsg_get(&c->r, m)) != 0)
			return rv;
		n = imsgbuf_read(&c->r);
		if (n > 0)
			continue;
		if (n == 0)
			return 0;
		if (errno == EBADMSG)
			return -1;
		return errno == EAGAIN ? 0 : -2;
	}
}

/*
 * Send the bytes of w to (self, peer), then EOF; expect `ngood' messages
 * and then imsg_get() to fail with a reason containing `why'.
 */
static int
rejects(enum proc_id self, enum proc_id peer, const struct wbuf *w,
    int ngood, const char *why)
{
	struct raw	 c;
	struct imsg	 m;
	int		 rv, n = 0, ok = 0;

	raw_open(&c, self, peer);
	if (raw_send(&c, w) == -1) {
		printf("# raw_send failed\n");
		raw_close(&c);
		return 0;
	}
	raw_eof(&c);
	while ((rv = raw_get(&c, &m)) == 1) {
		n++;
		imsg_free(&m);
	}
	if (rv != -1)
		printf("# %s <- %s: no error after %d messages (rv %d)\n",
		    proc_name(self), proc_name(peer), n, rv);
	else if (n != ngood)
		printf("# %d good messages before the error, expected %d\n",
		    n, ngood);
	else
		ok = err_is(&c.r, why);
	raw_close(&c);
	return ok;
}

/* the same bytes must be accepted: `nmsg' messages and a clean EOF */
static int
accepts(enum proc_id self, enum proc_id peer, const struct wbuf *w,
    int nmsg)
{
	struct raw	 c;
	struct imsg	 m;
	int		 rv, n = 0;

	raw_open(&c, self, peer);
	if (raw_send(&c, w) == -1) {
		raw_close(&c);
		return 0;
	}
	raw_eof(&c);
	while ((rv = raw_get(&c, &m)) == 1) {
		n++;
		imsg_free(&m);
	}
	if (rv != 0 || n != nmsg)
		printf("# accepts: rv %d, %d messages (expected %d), err %s\n",
		    rv, n, nmsg, c.r.err ? c.r.err : "-");
	raw_close(&c);
	return rv == 0 && n == nmsg;
}

/* ------------------------------------------------------------------ */
/* decoders as int f(payload, len), allocating and freeing as needed */

typedef int (*decfn)(const void *, size_t);

static int
dec_sandbox(const void *p, size_t n)
{
	struct msg_sandbox	 s;

	return msg_sandbox_decode(p, n, &s);
}

static int
dec_ping(const void *p, size_t n)
{
	struct msg_ping	 s;

	return msg_ping_decode(p, n, &s);
}

static int
dec_pong(const void *p, size_t n)
{
	struct msg_pong	 s;

	return msg_pong_decode(p, n, &s);
}

static int
dec_collectd(const void *p, size_t n)
{
	struct collectd_conf	*c;
	int			 rv;

	c = collectd_conf_new();
	rv = msg_conf_collectd_decode(p, n, c);
	collectd_conf_free(c);
	return rv;
}

/* a schema text carried by CONF_AUDITD */
static const uint8_t	 test_xsd[] = "<xs:schema/>";
#define TEST_XSD_LEN	(sizeof(test_xsd) - 1)

static int
dec_auditd(const void *p, size_t n)
{
	struct auditd_conf	 c;
	int			 rv;

	rv = msg_conf_auditd_decode(p, n, &c);
	if (rv == 0)
		auditd_conf_clear(&c);
	return rv;
}

static int
dec_signerd(const void *p, size_t n)
{
	struct signer_conf	 s;

	return msg_conf_signerd_decode(p, n, &s);
}

static int
dec_uplinkd(const void *p, size_t n)
{
	struct uplink_conf	 u;
	int			 rv;

	rv = msg_conf_uplinkd_decode(p, n, &u);
	if (rv == 0)
		uplink_conf_clear(&u);
	return rv;
}

/*
 * The length rules every decoder must keep: the payload decodes; every
 * proper prefix (0..len-1, each in a heap block of exactly that size so
 * that ASan sees any over-read) and the payload with one trailing byte
 * do not.  NULL or what failed.
 */
static const char *
length_rules(decfn dec, const uint8_t *p, size_t len)
{
	static char	 why[128];
	uint8_t		*b;
	size_t		 i;
	int		 rv;

	b = xdup(p, len);
	rv = dec(b, len);
	free(b);
	if (rv != 0)
		return "the payload itself does not decode";
	for (i = 0; i < len; i++) {
		b = xdup(p, i);
		rv = dec(b, i);
		free(b);
		if (rv != -1) {
			snprintf(why, sizeof(why), "truncated to %zu of %zu "
			    "bytes decodes", i, len);
			return why;
		}
	}
	b = xmalloc(len + 1);
	memcpy(b, p, len);
	b[len] = 0x00;
	rv = dec(b, len + 1);
	b[len] = 0xff;
	if (rv != -1 || dec(b, len + 1) != -1) {
		free(b);
		return "one trailing byte decodes";
	}
	free(b);
	return NULL;
}

/* offset of the only u32-length-prefixed occurrence of s in p, or -1 */
static ssize_t
find_blob(const uint8_t *p, size_t n, const void *s, size_t slen)
{
	uint8_t		*needle;
	const uint8_t	*hit, *again;
	ssize_t		 off;

	needle = xmalloc(slen + 4);
	needle[0] = slen >> 24;
	needle[1] = slen >> 16;
	needle[2] = slen >> 8;
	needle[3] = slen;
	memcpy(needle + 4, s, slen);
	hit = memmem(p, n, needle, slen + 4);
	if (hit == NULL) {
		free(needle);
		return -1;
	}
	off = hit - p;
	again = memmem(hit + 1, n - (size_t)off - 1, needle, slen + 4);
	free(needle);
	return again == NULL ? off : -1;
}

/* the payload with that blob one byte longer ('Z' appended) */
static uint8_t *
grow_blob(const uint8_t *p, size_t n, const void *s, size_t slen,
    size_t *outlen)
{
	uint8_t	*o;
	ssize_t	 off;
	size_t	 end;

	if ((off = find_blob(p, n, s, slen)) == -1)
		return NULL;
	end = (size_t)off + 4 + slen;
	o = xmalloc(n + 1);
	memcpy(o, p, end);
	o[end] = 'Z';
	memcpy(o + end + 1, p + end, n - end);
	o[off] = (slen + 1) >> 24;
	o[off + 1] = (slen + 1) >> 16;
	o[off + 2] = (slen + 1) >> 8;
	o[off + 3] = slen + 1;
	*outlen = n + 1;
	return o;
}

/* the payload with byte `at' of that string set to NUL */
static uint8_t *
nul_in_blob(const uint8_t *p, size_t n, const char *s, size_t at)
{
	uint8_t	*o;
	ssize_t	 off;

	if ((off = find_blob(p, n, s, strlen(s))) == -1)
		return NULL;
	o = xdup(p, n);
	o[(size_t)off + 4 + at] = '\0';
	return o;
}

/*
 * For each string: the payload with it one byte too long for its field,
 * and with a NUL inside it (at the start, middle, end), must not decode.
 * The strings must be unique in the payload.
 */
static const char *
string_rules(decfn dec, const uint8_t *p, size_t n, const char *const *strs,
    size_t nstr)
{
	static char	 why[160];
	uint8_t		*o;
	size_t		 i, j, on, slen, at[3];

	for (i = 0; i < nstr; i++) {
		slen = strlen(strs[i]);
		if ((o = grow_blob(p, n, strs[i], slen, &on)) == NULL) {
			snprintf(why, sizeof(why), "string %zu not found "
			    "(test bug)", i);
			return why;
		}
		if (dec(o, on) != -1) {
			free(o);
			snprintf(why, sizeof(why), "string %zu (\"%.20s...\") "
			    "one byte too long decodes", i, strs[i]);
			return why;
		}
		free(o);
		if (slen == 0)
			continue;
		at[0] = 0;
		at[1] = slen / 2;
		at[2] = slen - 1;
		for (j = 0; j < 3; j++) {
			o = nul_in_blob(p, n, strs[i], at[j]);
			if (o == NULL || dec(o, n) != -1) {
				free(o);
				snprintf(why, sizeof(why), "string %zu with a "
				    "NUL at %zu decodes", i, at[j]);
				return why;
			}
			free(o);
		}
	}
	return NULL;
}

/* a string of exactly len bytes: tag then filler, unique per tag */
static void
long_str(char *dst, size_t len, const char *tag)
{
	size_t	 t = strlen(tag), i;

	for (i = 0; i < len; i++)
		dst[i] = i < t ? tag[i] : (char)('a' + (i * 7 + t) % 26);
	dst[len] = '\0';
}

/* ------------------------------------------------------------------ */
/* example values for every codec */

static void
mk_sandbox(struct msg_sandbox *s, int maxstr)
{
	memset(s, 0, sizeof(*s));
	s->uid = 4294967294U;
	s->gid = 65534;
	if (maxstr)
		long_str(s->root, sizeof(s->root) - 1, "/var/empty/");
	else
		strlcpy(s->root, "/var/empty", sizeof(s->root));
}

static void
mk_pong(struct msg_pong *po, int maxstr)
{
	memset(po, 0, sizeof(*po));
	po->seq = 0xfeedf00d;
	po->proc = PROC_UPLINKD;
	po->pid = 123456;
	po->uptime = 0x0123456789abcdefULL;
	po->rss_kb = 1ULL << 40;
	if (maxstr)
		long_str(po->state, sizeof(po->state) - 1, "state:");
	else
		strlcpy(po->state, "idle, 3 jobs", sizeof(po->state));
}

static void
set_v4(struct sockaddr_storage *ss, const char *a, uint16_t port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	if (inet_pton(AF_INET, a, &sin->sin_addr) != 1)
		abort();
}

static void
set_v6(struct sockaddr_storage *ss, const char *a, uint16_t port,
    uint32_t scope)
{
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_scope_id = scope;
	if (inet_pton(AF_INET6, a, &sin6->sin6_addr) != 1)
		abort();
}

static struct v3user *
add_user(struct callhome_conf *c, const char *name, enum v3_auth a,
    const char *ap, enum v3_priv pr, const char *pp, const char *ctx)
{
	struct v3user	*u;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		abort();
	strlcpy(u->name, name, sizeof(u->name));
	u->auth = a;
	strlcpy(u->authpass, ap, sizeof(u->authpass));
	u->priv = pr;
	strlcpy(u->privpass, pp, sizeof(u->privpass));
	strlcpy(u->context, ctx, sizeof(u->context));
	u->allow_weak = a == V3_AUTH_MD5 || pr == V3_PRIV_DES;
	TAILQ_INSERT_TAIL(&c->v3users, u, entry);
	return u;
}

static struct device_conf *
add_device(struct callhome_conf *c, int v6, const char *a, uint16_t port,
    enum snmp_version_conf ver, const char *comm, const char *user)
{
	struct device_conf	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		abort();
	if (v6) {
		set_v6(&d->addr, a, 0, 7);
		d->addrlen = sizeof(struct sockaddr_in6);
	} else {
		set_v4(&d->addr, a, 0);
		d->addrlen = sizeof(struct sockaddr_in);
	}
	d->opts.port = port;
	d->opts.version = ver;
	strlcpy(d->opts.community, comm, sizeof(d->opts.community));
	strlcpy(d->opts.user, user, sizeof(d->opts.user));
	TAILQ_INSERT_TAIL(&c->devices, d, entry);
	return d;
}

static struct discover_conf *
add_discover(struct callhome_conf *c, int v6, const char *a, int plen,
    uint16_t port, enum snmp_version_conf ver, const char *comm,
    const char *user)
{
	struct discover_conf	*dc;

	if ((dc = calloc(1, sizeof(*dc))) == NULL)
		abort();
	if (v6)
		set_v6(&dc->net, a, 0, 0);
	else
		set_v4(&dc->net, a, 0);
	dc->prefixlen = plen;
	dc->opts.port = port;
	dc->opts.version = ver;
	strlcpy(dc->opts.community, comm, sizeof(dc->opts.community));
	strlcpy(dc->opts.user, user, sizeof(dc->opts.user));
	TAILQ_INSERT_TAIL(&c->discovers, dc, entry);
	return dc;
}

/* the strings of a maxstr configuration, for string_rules() */
#define MAXSTRS		16
struct strset {
	char		 s[MAXSTRS][CONF_STR_MAX];
	const char	*p[MAXSTRS];
	size_t		 n;
};

static const char *
strset_add(struct strset *ss, const char *tag, size_t len)
{
	if (ss->n == MAXSTRS)
		abort();
	long_str(ss->s[ss->n], len, tag);
	ss->p[ss->n] = ss->s[ss->n];
	return ss->s[ss->n++];
}

/*
 * A collectd configuration with v3 users, IPv4 and IPv6 devices and
 * discovers.  With ss, every string is as long as its field allows and
 * is recorded in ss.
 */
static struct callhome_conf *
mk_collectd(struct strset *ss)
{
	struct callhome_conf	*c;
	const size_t		 L = CONF_STR_MAX - 1;

	if ((c = config_new_default()) == NULL)
		abort();
	c->send = CAT_DEFAULTS | CAT_BIT(CAT_PII) | CAT_BIT(CAT_JOB_DATA);
	/* job data needs its key, which travels as its 32 raw bytes */
	memset(c->jobdata_pub, 0xa5, sizeof(c->jobdata_pub));
	c->jobdata_pub[31] = 0x5a;
	c->have_jobdata_pub = 1;
	c->snmp_version = SNMPV_3;
	c->snmp_timeout_ms = 1500;
	c->snmp_retries = 7;
	c->snmp_window = 17;
	c->snmp_rate = 333;
	c->discover_rate = 9;
	if (ss != NULL) {
		strlcpy(c->snmp_community, strset_add(ss, "gcomm", L),
		    sizeof(c->snmp_community));
		/* the passwords travel as keys: not strings of the wire */
		add_user(c, strset_add(ss, "uname", CONF_V3_NAME_MAX),
		    V3_AUTH_SHA512, "uauth-password", V3_PRIV_AES256,
		    "upriv-password", strset_add(ss, "uctx", L));
		add_device(c, 0, "192.0.2.77", 65535, SNMPV_3,
		    strset_add(ss, "d4comm", L), strset_add(ss, "d4user", L));
		add_device(c, 1, "2001:db8::77", 1, SNMPV_1,
		    strset_add(ss, "d6comm", L), strset_add(ss, "d6user", L));
		add_discover(c, 0, "198.51.100.0", 24, 161, SNMPV_2C,
		    strset_add(ss, "n4comm", L), strset_add(ss, "n4user", L));
		add_discover(c, 1, "2001:db8:100::", 48, 162, SNMPV_3,
		    strset_add(ss, "n6comm", L), strset_add(ss, "n6user", L));
		return c;
	}
	strlcpy(c->snmp_community, "s3cr3t-community",
	    sizeof(c->snmp_community));
	add_user(c, "alice", V3_AUTH_SHA256, "alice-auth-pass",
	    V3_PRIV_AES128, "alice-priv-pass", "");
	add_user(c, "bob", V3_AUTH_SHA512, "bob-auth", V3_PRIV_AES256,
	    "bob-priv", "ctx-bob");
	add_user(c, "nopriv", V3_AUTH_NONE, "", V3_PRIV_NONE, "", "c");
	add_user(c, "md5des", V3_AUTH_MD5, "md5-password", V3_PRIV_DES,
	    "des-password", "");
	add_device(c, 0, "192.0.2.10", 0, SNMPV_DEFAULT, "", "");
	add_device(c, 0, "255.255.255.254", 161, SNMPV_2C, "devcomm", "");
	add_device(c, 1, "2001:db8::1", 1161, SNMPV_3, "", "alice");
	add_device(c, 1, "fe80::1:2:3:4", 65535, SNMPV_1, "v1", "");
	add_discover(c, 0, "10.0.0.0", 8, 0, SNMPV_DEFAULT, "", "");
	add_discover(c, 0, "10.1.2.3", 32, 161, SNMPV_2C, "dcomm", "");
	add_discover(c, 0, "0.0.0.0", 0, 0, SNMPV_1, "", "");
	add_discover(c, 1, "2001:db8:1::", 48, 10161, SNMPV_3, "", "bob");
	add_discover(c, 1, "2001:db8:2::5", 128, 0, SNMPV_DEFAULT, "", "");
	return c;
}

static const char *
addr_diff(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6	*a6 = (const void *)a, *b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return "address family";
	if (a->ss_family == AF_INET) {
		if (memcmp(&a4->sin_addr, &b4->sin_addr, 4) != 0)
			return "IPv4 address";
		if (a4->sin_port != b4->sin_port)
			return "IPv4 port";
		return NULL;
	}
	if (a->ss_family == AF_INET6) {
		if (memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) != 0)
			return "IPv6 address";
		if (a6->sin6_port != b6->sin6_port)
			return "IPv6 port";
		if (a6->sin6_scope_id != b6->sin6_scope_id)
			return "IPv6 scope";
		return NULL;
	}
	return "unknown family";
}

static const char *
topts_diff(const struct snmp_target_opts *a, const struct snmp_target_opts *b)
{
	if (a->port != b->port)
		return "opts.port";
	if (a->version != b->version)
		return "opts.version";
	if (strcmp(a->community, b->community) != 0)
		return "opts.community";
	if (strcmp(a->user, b->user) != 0)
		return "opts.user";
	return NULL;
}

/* the key the password makes, as the parent sends it? */
static const char *
key_diff(enum usm_auth a, const char *pass, const uint8_t *ku)
{
	uint8_t	 k[USM_MAX_KEY];

	if (a == USM_AUTH_NONE)
		return NULL;
	if (usm_password_to_key(a, pass, strlen(pass), k) == -1)
		return "v3 password to key";
	if (memcmp(k, ku, usm_key_len(a)) != 0)
		return "v3 key";
	return NULL;
}

/* what differs in collectd's part of two configurations, or NULL */
static const char *
collectd_diff(const struct callhome_conf *a, const struct collectd_conf *b)
{
	const struct v3user		*ua;
	const struct collectd_user	*ub;
	const struct device_conf	*da, *db;
	const struct discover_conf	*na, *nb;
	const char			*w;

	if (a->send != b->send)
		return "send";
	if (strcmp(a->snmp_community, b->snmp_community) != 0)
		return "snmp_community";
	if (a->snmp_version != b->snmp_version)
		return "snmp_version";
	if (a->snmp_timeout_ms != b->snmp_timeout_ms)
		return "snmp_timeout_ms";
	if (a->snmp_retries != b->snmp_retries)
		return "snmp_retries";
	if (a->snmp_window != b->snmp_window)
		return "snmp_window";
	if (a->snmp_rate != b->snmp_rate)
		return "snmp_rate";
	if (a->discover_rate != b->discover_rate)
		return "discover_rate";
	if (a->have_jobdata_pub != b->have_jobkey || (b->have_jobkey &&
	    memcmp(a->jobdata_pub, b->jobkey, sizeof(b->jobkey)) != 0))
		return "job-data key";
	ub = TAILQ_FIRST(&b->users);
	TAILQ_FOREACH(ua, &a->v3users, entry) {
		if (ub == NULL)
			return "fewer v3 users";
		if (strcmp(ua->name, ub->name) != 0)
			return "v3 name";
		if ((int)ua->auth != (int)ub->usm.auth)
			return "v3 auth";
		if ((int)ua->priv != (int)ub->usm.priv)
			return "v3 priv";
		if (strcmp(ua->context, ub->context) != 0)
			return "v3 context";
		if (ua->allow_weak != ub->allow_weak)
			return "v3 allow_weak";
		/* the keys of the passwords arrived, never the passwords */
		if ((w = key_diff((enum usm_auth)ua->auth, ua->authpass,
		    ub->usm.auth_ku)) != NULL ||
		    (ua->priv != V3_PRIV_NONE && (w = key_diff(
		    (enum usm_auth)ua->auth, ua->privpass,
		    ub->usm.priv_ku)) != NULL))
			return w;
		ub = TAILQ_NEXT(ub, entry);
	}
	if (ub != NULL)
		return "more v3 users";
	db = TAILQ_FIRST(&b->devices);
	TAILQ_FOREACH(da, &a->devices, entry) {
		if (db == NULL)
			return "fewer devices";
		if ((w = addr_diff(&da->addr, &db->addr)) != NULL)
			return w;
		if (da->addrlen != db->addrlen)
			return "device addrlen";
		if ((w = topts_diff(&da->opts, &db->opts)) != NULL)
			return w;
		db = TAILQ_NEXT(db, entry);
	}
	if (db != NULL)
		return "more devices";
	nb = TAILQ_FIRST(&b->discovers);
	TAILQ_FOREACH(na, &a->discovers, entry) {
		if (nb == NULL)
			return "fewer discovers";
		if ((w = addr_diff(&na->net, &nb->net)) != NULL)
			return w;
		if (na->prefixlen != nb->prefixlen)
			return "discover prefixlen";
		if ((w = topts_diff(&na->opts, &nb->opts)) != NULL)
			return w;
		nb = TAILQ_NEXT(nb, entry);
	}
	if (nb != NULL)
		return "more discovers";
	return NULL;
}

static struct callhome_conf *
mk_auditd(struct strset *ss)
{
	struct callhome_conf	*c;
	const size_t		 L = CONF_STR_MAX - 1;

	if ((c = config_new_default()) == NULL)
		abort();
	if (ss != NULL) {
		strlcpy(c->gateway, strset_add(ss, "gw", L),
		    sizeof(c->gateway));
		strlcpy(c->site, strset_add(ss, "site", L), sizeof(c->site));
		strlcpy(c->server.name, strset_add(ss, "srv", L),
		    sizeof(c->server.name));
	} else {
		strlcpy(c->gateway, "gw-0042", sizeof(c->gateway));
		strlcpy(c->site, "Building 7, 3rd floor", sizeof(c->site));
		strlcpy(c->server.name, "comms.example.net",
		    sizeof(c->server.name));
	}
	c->server.port = 8443;
	c->authorize_upload = 1;
	c->send = CAT_BIT(CAT_METERS) | CAT_BIT(CAT_DEVICE_ADDRESS);
	c->retention_days = 3650;
	c->spool_limit = (5ULL << 32) + 17;
	c->part_limit = CONF_PART_LIMIT_MAX - 3;
	c->checkin_every = 0xfffffff0U;
	return c;
}

static const char *
auditd_diff(const struct callhome_conf *a, const struct auditd_conf *b)
{
	if (strcmp(a->gateway, b->gateway) != 0)
		return "gateway";
	if (strcmp(a->site, b->site) != 0)
		return "site";
	if (strcmp(a->server.name, b->server) != 0)
		return "server.name";
	if (a->server.port != b->port)
		return "server.port";
	if (a->authorize_upload != b->authorize_upload)
		return "authorize_upload";
	if (a->send != b->send)
		return "send";
	if (a->retention_days != b->retention_days)
		return "retention_days";
	if (a->spool_limit != b->spool_limit)
		return "spool_limit";
	if (a->part_limit != b->part_limit)
		return "part_limit";
	if (a->checkin_every != b->checkin_every)
		return "checkin_every";
	return NULL;
}

static void
mk_signer(struct signer_conf *s, size_t ilen, size_t plen)
{
	memset(s, 0, sizeof(*s));
	(void)strlcpy(s->gateway, "gw-7", sizeof(s->gateway));
	fill_pattern(s->instr_key, ilen, 1);
	s->instr_keylen = ilen;
	fill_pattern(s->pkg_key, plen, 2);
	s->pkg_keylen = plen;
	if (ilen > 3)
		s->instr_key[3] = '\0';	/* blobs may hold NULs */
}

/* a PEM-looking blob of exactly len bytes, unique per tag */
static uint8_t *
mk_pem(const char *tag, size_t len)
{
	uint8_t	*b = xmalloc(len);
	char	 head[64];
	size_t	 i, h;

	h = (size_t)snprintf(head, sizeof(head),
	    "-----BEGIN %s-----\n", tag);
	for (i = 0; i < len; i++)
		b[i] = i < h ? (uint8_t)head[i] :
		    (uint8_t)("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789+/")[(i * 31 + h) % 64];
	if (len > h + 1)
		b[len - 1] = '\n';
	return b;
}

static void
mk_uplink(struct uplink_conf *u, struct strset *ss, size_t pemlen)
{
	const size_t	 L = CONF_STR_MAX - 1;

	memset(u, 0, sizeof(*u));
	if (ss != NULL) {
		strlcpy(u->server, strset_add(ss, "server", L),
		    sizeof(u->server));
		strlcpy(u->pin, strset_add(ss, "pin", L), sizeof(u->pin));
		strlcpy(u->token, strset_add(ss, "token", L),
		    sizeof(u->token));
		strlcpy(u->gateway, strset_add(ss, "gateway", L),
		    sizeof(u->gateway));
		strlcpy(u->ciphers, strset_add(ss, "ciphers", L),
		    sizeof(u->ciphers));
	} else {
		strlcpy(u->server, "comms.example.net", sizeof(u->server));
		strlcpy(u->pin, "sha256:0123456789abcdef", sizeof(u->pin));
		strlcpy(u->token, "enrol-TOKEN-xyz", sizeof(u->token));
		strlcpy(u->gateway, "gw-0042", sizeof(u->gateway));
		strlcpy(u->ciphers, CONF_DEFAULT_CIPHERS, sizeof(u->ciphers));
	}
	u->port = 443;
	u->protocols = CONF_TLSV1_2 | CONF_TLSV1_3;
	u->ca = mk_pem("CERTIFICATE", pemlen);
	u->calen = pemlen;
	u->cert = mk_pem("CLIENT CERTIFICATE", pemlen > 7 ? pemlen - 7 : 0);
	u->certlen = pemlen > 7 ? pemlen - 7 : 0;
	u->key = mk_pem("PRIVATE KEY", pemlen / 2);
	u->keylen = pemlen / 2;
}

static void
free_uplink(struct uplink_conf *u)
{
	free(u->ca);
	free(u->cert);
	free(u->key);
	memset(u, 0, sizeof(*u));
}

static int
blob_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen)
		return 0;
	if (alen == 0)
		return 1;
	return a != NULL && b != NULL && memcmp(a, b, alen) == 0;
}

static const char *
uplink_diff(const struct uplink_conf *a, const struct uplink_conf *b)
{
	if (strcmp(a->server, b->server) != 0)
		return "server";
	if (a->port != b->port)
		return "port";
	if (a->protocols != b->protocols)
		return "protocols";
	if (strcmp(a->ciphers, b->ciphers) != 0)
		return "ciphers";
	if (strcmp(a->pin, b->pin) != 0)
		return "pin";
	if (strcmp(a->token, b->token) != 0)
		return "token";
	if (strcmp(a->gateway, b->gateway) != 0)
		return "gateway";
	if (!blob_eq(a->ca, a->calen, b->ca, b->calen))
		return "ca";
	if (!blob_eq(a->cert, a->certlen, b->cert, b->certlen))
		return "cert";
	if (!blob_eq(a->key, a->keylen, b->key, b->keylen))
		return "key";
	/* the decoded PEM blobs are NUL-terminated for the TLS library */
	if (b->ca == NULL || b->ca[b->calen] != '\0' ||
	    b->cert == NULL || b->cert[b->certlen] != '\0' ||
	    b->key == NULL || b->key[b->keylen] != '\0')
		return "decoded blob not NUL-terminated";
	return NULL;
}

/* ------------------------------------------------------------------ */
/* round trips of every message type that has a codec */

/* send w from -> to (streamed or not), receive one message of type */
static int
transfer(enum proc_id from, enum proc_id to, uint32_t type, int stream,
    const struct wbuf *w, uint8_t **out, size_t *outlen)
{
	struct duo	 d;
	struct imsg	 m;
	int		 rv, ok = 0;

	*out = NULL;
	*outlen = 0;
	duo_open(&d, from, to);
	if (stream)
		rv = imsg_compose_stream(&d.w, type, 77, w->data, w->len);
	else
		rv = imsg_compose(&d.w, type, 77, -1, w->data, w->len);
	if (rv == -1) {
		printf("# compose %s: %s\n", imsg_type_name(type),
		    strerror(errno));
		duo_close(&d);
		return 0;
	}
	rv = duo_get(&d, &m);
	if (rv != 1)
		printf("# %s -> %s %s: duo_get %d (%s)\n", proc_name(from),
		    proc_name(to), imsg_type_name(type), rv,
		    d.r.err ? d.r.err : "-");
	else if (m.hdr.type != type || m.hdr.peerid != 77 || m.fd != -1 ||
	    m.len != w->len || m.hdr.pid != (uint32_t)getpid() ||
	    ((m.hdr.flags & IMSGF_STREAMED) != 0) != stream)
		printf("# %s: bad header (type %u len %zu flags %#x)\n",
		    imsg_type_name(type), m.hdr.type, m.len, m.hdr.flags);
	else {
		*out = xdup(m.data, m.len);
		*outlen = m.len;
		ok = 1;
	}
	if (ok && duo_get(&d, &m) != 0) {
		printf("# more than one message arrived\n");
		ok = 0;
	}
	duo_close(&d);
	return ok;
}

TEST(roundtrip_sandbox)
{
	struct msg_sandbox	 a, b;
	struct wbuf		 w;
	uint8_t			*p;
	size_t			 n;
	int			 i, maxstr;

	for (maxstr = 0; maxstr < 2; maxstr++) {
		for (i = 0; i < NCHILD; i++) {
			mk_sandbox(&a, maxstr);
			a.uid = 1000 + i;
			wbuf_init(&w);
			msg_sandbox_encode(&w, &a);
			CHECK(transfer(PROC_PARENT, children[i], IMSG_SANDBOX, 0,
			    &w, &p, &n));
			wbuf_free(&w);
			memset(&b, 0xa5, sizeof(b));
			CHECK_EQ_INT(msg_sandbox_decode(p, n, &b), 0);
			free(p);
			CHECK_EQ_INT(b.uid, a.uid);
			CHECK_EQ_INT(b.gid, a.gid);
			CHECK_STR(b.root, a.root);
		}
	}
}

TEST(roundtrip_ping_pong_ready)
{
	struct msg_ping	 pa, pb;
	struct msg_pong	 qa, qb;
	struct wbuf	 w;
	uint8_t		*p;
	size_t		 n;
	int		 i;

	for (i = 0; i < NCHILD; i++) {
		pa.seq = 0x80000001U + i;
		wbuf_init(&w);
		msg_ping_encode(&w, &pa);
		CHECK_EQ_INT(w.len, 4);
		CHECK(transfer(PROC_PARENT, children[i], IMSG_PING, 0, &w,
		    &p, &n));
		wbuf_free(&w);
		CHECK_EQ_INT(msg_ping_decode(p, n, &pb), 0);
		free(p);
		CHECK_EQ_INT(pb.seq, pa.seq);

		mk_pong(&qa, i & 1);
		qa.proc = children[i];
		wbuf_init(&w);
		msg_pong_encode(&w, &qa);
		CHECK(transfer(children[i], PROC_PARENT, IMSG_PONG, 0, &w,
		    &p, &n));
		wbuf_free(&w);
		memset(&qb, 0x5a, sizeof(qb));
		CHECK_EQ_INT(msg_pong_decode(p, n, &qb), 0);
		free(p);
		CHECK_EQ_INT(qb.seq, qa.seq);
		CHECK_EQ_INT(qb.proc, qa.proc);
		CHECK_EQ_INT(qb.pid, qa.pid);
		CHECK(qb.uptime == qa.uptime);
		CHECK(qb.rss_kb == qa.rss_kb);
		CHECK_STR(qb.state, qa.state);

		/* READY: empty */
		wbuf_init(&w);
		CHECK(transfer(children[i], PROC_PARENT, IMSG_READY, 0, &w,
		    &p, &n));
		wbuf_free(&w);
		CHECK_EQ_INT(n, 0);
		CHECK_EQ_INT(msg_empty_decode(p, n), 0);
		free(p);
	}
}

TEST(roundtrip_conf_collectd)
{
	struct callhome_conf	*a;
	struct collectd_conf	*b;
	struct strset		 ss;
	struct wbuf		 w;
	uint8_t			*p;
	size_t			 n;
	const char		*diff;
	int			 maxstr;

	for (maxstr = 0; maxstr < 2; maxstr++) {
		memset(&ss, 0, sizeof(ss));
		a = mk_collectd(maxstr ? &ss : NULL);
		wbuf_init(&w);
		msg_conf_collectd_encode(&w, a);
		CHECK(transfer(PROC_PARENT, PROC_COLLECTD, IMSG_CONF_COLLECTD,
		    1, &w, &p, &n));
		wbuf_free(&w);
		b = collectd_conf_new();
		CHECK_EQ_INT(msg_conf_collectd_decode(p, n, b), 0);
		free(p);
		diff = collectd_diff(a, b);
		config_free(a);
		collectd_conf_free(b);
		if (diff != NULL)
			printf("# differs: %s\n", diff);
		CHECK(diff == NULL);
	}
}

/* an empty configuration (no users, devices, discovers) round-trips */
TEST(roundtrip_conf_collectd_empty_lists)
{
	struct callhome_conf	*a;
	struct collectd_conf	*b;
	struct wbuf		 w;
	const char		*diff;

	CHECK((a = config_new_default()) != NULL);
	b = collectd_conf_new();
	wbuf_init(&w);
	msg_conf_collectd_encode(&w, a);
	CHECK_EQ_INT(msg_conf_collectd_decode(w.data, w.len, b), 0);
	wbuf_free(&w);
	diff = collectd_diff(a, b);
	config_free(a);
	collectd_conf_free(b);
	CHECK(diff == NULL);
}

TEST(roundtrip_conf_auditd)
{
	struct callhome_conf	*a;
	struct auditd_conf	 b;
	struct strset		 ss;
	struct wbuf		 w;
	uint8_t			*p;
	size_t			 n;
	const char		*diff;
	int			 maxstr, auth;

	for (maxstr = 0; maxstr < 2; maxstr++) {
		for (auth = 0; auth < 2; auth++) {
			memset(&ss, 0, sizeof(ss));
			a = mk_auditd(maxstr ? &ss : NULL);
			a->authorize_upload = auth;
			wbuf_init(&w);
			msg_conf_auditd_encode(&w, a, test_xsd, TEST_XSD_LEN);
			CHECK(transfer(PROC_PARENT, PROC_AUDITD,
			    IMSG_CONF_AUDITD, 1, &w, &p, &n));
			wbuf_free(&w);
			b.authorize_upload = !auth;
			CHECK_EQ_INT(msg_conf_auditd_decode(p, n, &b), 0);
			CHECK_EQ_INT(b.xsdlen, TEST_XSD_LEN);
			CHECK(memcmp(b.xsd, test_xsd, TEST_XSD_LEN) == 0);
			free(p);
			diff = auditd_diff(a, &b);
			config_free(a);
			auditd_conf_clear(&b);
			if (diff != NULL)
				printf("# differs: %s\n", diff);
			CHECK(diff == NULL);
		}
	}
}

TEST(roundtrip_conf_signerd)
{
	static const size_t	 lens[][2] = {
		{ 0, 0 }, { 32, 0 }, { 0, 56 }, { 120, 121 }, { 256, 256 },
	};
	struct signer_conf	 a, b;
	struct wbuf		 w;
	uint8_t			*p;
	size_t			 n, i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		mk_signer(&a, lens[i][0], lens[i][1]);
		wbuf_init(&w);
		msg_conf_signerd_encode(&w, &a);
		CHECK(transfer(PROC_PARENT, PROC_SIGNERD, IMSG_CONF_SIGNERD, 1,
		    &w, &p, &n));
		wbuf_free(&w);
		memset(&b, 0xee, sizeof(b));
		CHECK_EQ_INT(msg_conf_signerd_decode(p, n, &b), 0);
		free(p);
		CHECK_STR(b.gateway, a.gateway);
		CHECK_EQ_INT(b.instr_keylen, a.instr_keylen);
		CHECK_EQ_INT(b.pkg_keylen, a.pkg_keylen);
		CHECK(memcmp(a.instr_key, b.instr_key, a.instr_keylen) == 0);
		CHECK(memcmp(a.pkg_key, b.pkg_key, a.pkg_keylen) == 0);
	}
}

TEST(roundtrip_conf_uplinkd)
{
	static const size_t	 pems[] = { 0, 1, 1800, UPLINK_PEM_MAX };
	struct uplink_conf	 a, b;
	struct strset		 ss;
	struct wbuf		 w;
	uint8_t			*p;
	size_t			 n, i;
	const char		*diff;

	for (i = 0; i < sizeof(pems) / sizeof(pems[0]); i++) {
		memset(&ss, 0, sizeof(ss));
		mk_uplink(&a, (i & 1) ? &ss : NULL, pems[i]);
		wbuf_init(&w);
		msg_conf_uplinkd_encode(&w, &a);
		CHECK(transfer(PROC_PARENT, PROC_UPLINKD, IMSG_CONF_UPLINKD, 1,
		    &w, &p, &n));
		wbuf_free(&w);
		CHECK_EQ_INT(msg_conf_uplinkd_decode(p, n, &b), 0);
		free(p);
		diff = uplink_diff(&a, &b);
		uplink_conf_clear(&b);
		free_uplink(&a);
		if (diff != NULL)
			printf("# pem %zu: differs: %s\n", pems[i], diff);
		CHECK(diff == NULL);
		/* cleared: nothing left behind */
		CHECK(b.ca == NULL && b.cert == NULL && b.key == NULL);
		CHECK(b.token[0] == '\0' && b.keylen == 0);
	}
}

/* ------------------------------------------------------------------ */
/* decoders reject what is not exactly right */

TEST(decode_sandbox_rejects)
{
	struct msg_sandbox	 s;
	struct wbuf		 w;
	const char		*why;
	const char		*root[1];

	mk_sandbox(&s, 0);
	wbuf_init(&w);
	msg_sandbox_encode(&w, &s);
	why = length_rules(dec_sandbox, w.data, w.len);
	wbuf_free(&w);
	if (why)
		printf("# %s\n", why);
	CHECK(why == NULL);

	mk_sandbox(&s, 1);
	CHECK_EQ_INT(strlen(s.root), CONF_STR_MAX - 1);
	wbuf_init(&w);
	msg_sandbox_encode(&w, &s);
	CHECK_EQ_INT(dec_sandbox(w.data, w.len), 0);
	root[0] = s.root;
	why = string_rules(dec_sandbox, w.data, w.len, root, 1);
	wbuf_free(&w);
	if (why)
		printf("# %s\n", why);
	CHECK(why == NULL);

	/* the chroot must be absolute, and not empty */
	mk_sandbox(&s, 0);
	strlcpy(s.root, "var/empty", sizeof(s.root));
	wbuf_init(&w);
	msg_sandbox_encode(&w, &s);
	CHECK_EQ_INT(dec_sandbox(w.data, w.len), -1);
	wbuf_reset(&w);
	s.root[0] = '\0';
	msg_sandbox_encode(&w, &s);
	CHECK_EQ_INT(dec_sandbox(w.data, w.len), -1);
	wbuf_free(&w);
}

TEST(decode_ping_pong_empty_rejects)
{
	struct msg_ping	 pi = { 42 };
	struct msg_pong	 po;
	struct wbuf	 w;
	const char	*why, *state[1];
	static const uint32_t bad_proc[] = { PROC_MAX, PROC_MAX + 1,
	    0x7fffffffU, 0xffffffffU };
	uint8_t		 one = 0;
	size_t		 i;

	wbuf_init(&w);
	msg_ping_encode(&w, &pi);
	why = length_rules(dec_ping, w.data, w.len);
	wbuf_free(&w);
	CHECK(why == NULL);

	mk_pong(&po, 0);
	wbuf_init(&w);
	msg_pong_encode(&w, &po);
	why = length_rules(dec_pong, w.data, w.len);
	wbuf_free(&w);
	if (why)
		printf("# %s\n", why);
	CHECK(why == NULL);

	mk_pong(&po, 1);
	CHECK_EQ_INT(strlen(po.state), sizeof(po.state) - 1);
	wbuf_init(&w);
	msg_pong_encode(&w, &po);
	CHECK_EQ_INT(dec_pong(w.data, w.len), 0);
	state[0] = po.state;
	why = string_rules(dec_pong, w.data, w.len, state, 1);
	wbuf_free(&w);
	if (why)
		printf("# %s\n", why);
	CHECK(why == NULL);

	/* proc is an enum proc_id */
	for (i = 0; i < sizeof(bad_proc) / sizeof(bad_proc[0]); i++) {
		mk_pong(&po, 0);
		po.proc = bad_proc[i];
		wbuf_init(&w);
		msg_pong_encode(&w, &po);
		CHECK_EQ_INT(dec_pong(w.data, w.len), -1);
		wbuf_free(&w);
	}
	mk_pong(&po, 0);
	po.proc = PROC_MAX - 1;
	wbuf_init(&w);
	msg_pong_encode(&w, &po);
	CHECK_EQ_INT(dec_pong(w.data, w.len), 0);
	wbuf_free(&w);

	/* READY: nothing but the empty payload */
	CHECK_EQ_INT(msg_empty_decode(&one, 0), 0);
	CHECK_EQ_INT(msg_empty_decode(&one, 1), -1);
}

/* payload with the byte at off replaced by v */
static int
dec_with_byte(decfn dec, const struct wbuf *w, size_t off, uint8_t v)
{
	uint8_t	*b = xdup(w->data, w->len);
	int	 rv;

	if (off >= w->len)
		abort();
	b[off] = v;
	rv = dec(b, w->len);
	free(b);
	return rv;
}

static int
dec_with_u32(decfn dec, const struct wbuf *w, size_t off, uint32_t v)
{
	uint8_t	*b = xdup(w->data, w->len);
	int	 rv;

	if (off + 4 > w->len)
		abort();
	b[off] = v >> 24;
	b[off + 1] = v >> 16;
	b[off + 2] = v >> 8;
	b[off + 3] = v;
	rv = dec(b, w->len);
	free(b);
	return rv;
}

/* offset of the only occurrence of a byte sequence, or abort */
static size_t
find_seq(const struct wbuf *w, const void *s, size_t n)
{
	const uint8_t	*hit;

	hit = memmem(w->data, w->len, s, n);
	if (hit == NULL || memmem(hit + 1, w->len - (size_t)(hit - w->data) - 1,
	    s, n) != NULL)
		abort();
	return (size_t)(hit - w->data);
}

TEST(decode_collectd_lengths_and_strings)
{
	struct callhome_conf	*c;
	struct strset		 ss;
	struct wbuf		 w;
	const char		*why;

	c = mk_collectd(NULL);
	wbuf_init(&w);
	msg_conf_collectd_encode(&w, c);
	config_free(c);
	why = length_rules(dec_collectd, w.data, w.len);
	wbuf_free(&w);
	if (why)
		printf("# %s\n", why);
	CHECK(why == NULL);

	memset(&ss, 0, sizeof(ss));
	c = mk_collectd(&ss);
	wbuf_init(&w);
	msg_conf_collectd_encode(&w, c);
	config_free(c);
	CHECK_EQ_INT(dec_collectd(w.data, w.len), 0);
	CHECK_EQ_INT(ss.n, 11);
	why = string_rules(dec_collectd, w.data, w.len, ss.p, ss.n);
	wbuf_free(&w);
	if (why)
		printf("# %s\n", why);
	CHECK(why == NULL);
}

/*
 * Out-of-range values, each in an otherwise valid configuration.  The
 * encoder writes what the struct holds, so most are set in the struct;
 * address families and counts are patched in the bytes.
 */
static int
collectd_with(void (*mod)(struct callhome_conf *))
{
	struct callhome_conf	*c;
	struct wbuf		 w;
	int			 rv;

	c = mk_collectd(NULL);
	mod(c);
	wbuf_init(&w);
	msg_conf_collectd_encode(&w, c);
	config_free(c);
	rv = dec_collectd(w.data, w.len);
	wbuf_free(&w);
	return rv;
}

static void
mod_none(struct callhome_conf *c)
{
}

static void
mod_version(struct callhome_conf *c)
{
	c->snmp_version = SNMPV_3 + 1;
}

static void
mod_version255(struct callhome_conf *c)
{
	c->snmp_version = 255;
}

static void
mod_window0(struct callhome_conf *c)
{
	c->snmp_window = 0;
}

static void
mod_rate0(struct callhome_conf *c)
{
	c->snmp_rate = 0;
}

static void
mod_timeout0(struct callhome_conf *c)
{
	c->snmp_timeout_ms = 0;
}

/*
 * The parent cannot encode a user it cannot make keys for: the users'
 * out-of-range values are set in a decoded configuration, encoded again.
 */
static int
collectd_users_with(void (*mod)(struct collectd_conf *))
{
	struct callhome_conf	*c;
	struct collectd_conf	*cc;
	struct wbuf		 w;
	int			 rv;

	c = mk_collectd(NULL);
	wbuf_init(&w);
	msg_conf_collectd_encode(&w, c);
	config_free(c);
	cc = collectd_conf_new();
	if (msg_conf_collectd_decode(w.data, w.len, cc) == -1)
		abort();
	wbuf_free(&w);
	mod(cc);
	wbuf_init(&w);
	collectd_conf_encode(&w, cc);
	collectd_conf_free(cc);
	rv = dec_collectd(w.data, w.len);
	wbuf_free(&w);
	return rv;
}

static void
modu_none(struct collectd_conf *c)
{
}

static void
mod_auth(struct collectd_conf *c)
{
	TAILQ_LAST(&c->users, collectd_users)->usm.auth = USM_AUTH_SHA512 + 1;
}

static void
mod_priv(struct collectd_conf *c)
{
	TAILQ_FIRST(&c->users)->usm.priv = USM_PRIV_AES256 + 1;
}

/* MD5 or DES without allow weak, privacy without authentication */
static void
mod_weak(struct collectd_conf *c)
{
	TAILQ_LAST(&c->users, collectd_users)->allow_weak = 0;
}

static void
mod_privnoauth(struct collectd_conf *c)
{
	struct collectd_user	*u;

	TAILQ_FOREACH(u, &c->users, entry)
		if (u->usm.auth == USM_AUTH_NONE)
			u->usm.priv = USM_PRIV_AES128;
}

static void
mod_longname(struct collectd_conf *c)
{
	struct collectd_user	*u = TAILQ_FIRST(&c->users);

	memset(u->name, 'u', SNMP_V3_MAX_USER + 1);
	u->name[SNMP_V3_MAX_USER + 1] = '\0';
}

static void
mod_devver(struct callhome_conf *c)
{
	TAILQ_LAST(&c->devices, devices)->opts.version = SNMPV_3 + 1;
}

static void
mod_discver(struct callhome_conf *c)
{
	TAILQ_FIRST(&c->discovers)->opts.version = 200;
}

static void
mod_v4prefix(struct callhome_conf *c)
{
	TAILQ_FIRST(&c->discovers)->prefixlen = 33;
}

/* job data without its key: collectd could not seal it */
static void
mod_nojobkey(struct callhome_conf *c)
{
	c->have_jobdata_pub = 0;
}

static void
mod_v6prefix(struct callhome_conf *c)
{
	TAILQ_LAST(&c->discovers, discovers)->prefixlen = 129;
}

TEST(decode_collectd_rejects_out_of_range)
{
	struct callhome_conf	*c;
	struct wbuf		 w;
	static const uint8_t	 dev4[] = { 4, 192, 0, 2, 10 };
	static const uint8_t	 dev6[] = { 6, 0xfe, 0x80, 0, 0 };
	static const uint8_t	 net4[] = { 4, 10, 1, 2, 3 };
	static const uint8_t	 disc0[] = { 4, 10, 0, 0, 0 };
	static const uint8_t	 fams[] = { 0, 1, 5, 7, 10, 255 };
	size_t			 off, fam;

	CHECK_EQ_INT(collectd_with(mod_none), 0);
	CHECK_EQ_INT(collectd_with(mod_version), -1);
	CHECK_EQ_INT(collectd_with(mod_version255), -1);
	CHECK_EQ_INT(collectd_with(mod_window0), -1);
	CHECK_EQ_INT(collectd_with(mod_rate0), -1);
	CHECK_EQ_INT(collectd_with(mod_timeout0), -1);
	CHECK_EQ_INT(collectd_with(mod_nojobkey), -1);
	CHECK_EQ_INT(collectd_users_with(modu_none), 0);
	CHECK_EQ_INT(collectd_users_with(mod_auth), -1);
	CHECK_EQ_INT(collectd_users_with(mod_priv), -1);
	CHECK_EQ_INT(collectd_users_with(mod_weak), -1);
	CHECK_EQ_INT(collectd_users_with(mod_privnoauth), -1);
	CHECK_EQ_INT(collectd_users_with(mod_longname), -1);
	CHECK_EQ_INT(collectd_with(mod_devver), -1);
	CHECK_EQ_INT(collectd_with(mod_discver), -1);
	CHECK_EQ_INT(collectd_with(mod_v4prefix), -1);
	CHECK_EQ_INT(collectd_with(mod_v6prefix), -1);

	c = mk_collectd(NULL);
	wbuf_init(&w);
	msg_conf_collectd_encode(&w, c);
	config_free(c);
	/* address families other than 4 and 6, and 4 <-> 6 swapped */
	for (fam = 0; fam < sizeof(fams); fam++) {
		off = find_seq(&w, dev4, sizeof(dev4));
		CHECK_EQ_INT(dec_with_byte(dec_collectd, &w, off, fams[fam]),
		    -1);
		off = find_seq(&w, dev6, sizeof(dev6));
		CHECK_EQ_INT(dec_with_byte(dec_collectd, &w, off, fams[fam]),
		    -1);
		off = find_seq(&w, net4, sizeof(net4));
		CHECK_EQ_INT(dec_with_byte(dec_collectd, &w, off, fams[fam]),
		    -1);
	}
	off = find_seq(&w, dev4, sizeof(dev4));
	CHECK_EQ_INT(dec_with_byte(dec_collectd, &w, off, 6), -1);
	off = find_seq(&w, dev6, sizeof(dev6));
	CHECK_EQ_INT(dec_with_byte(dec_collectd, &w, off, 4), -1);

	/*
	 * List counts: u32 after the fixed part (send, community, version,
	 * 5 u32s).  Above the limit, and one more than is present.
	 */
	off = 4 + 4 + strlen("s3cr3t-community") + 1 + 5 * 4;
	CHECK_EQ_INT(dec_with_u32(dec_collectd, &w, off, 4), 0);
	CHECK_EQ_INT(dec_with_u32(dec_collectd, &w, off, 5), -1);
	CHECK_EQ_INT(dec_with_u32(dec_collectd, &w, off, 3), -1);
	CHECK_EQ_INT(dec_with_u32(dec_collectd, &w, off,
	    CONF_MAX_V3USERS + 1), -1);
	CHECK_EQ_INT(dec_with_u32(dec_collectd, &w, off, 0xffffffffU), -1);
	/* the device count follows the last user: fe80 device count */
	off = find_seq(&w, dev4, sizeof(dev4)) - 4;
	CHECK_EQ_INT(dec_with_u32(dec_collectd, &w, off, 4), 0);
	CHECK_EQ_INT(dec_with_u32(dec_collectd, &w, off, 5), -1);
	CHECK_EQ_INT(dec_with_u32(dec_collectd, &w, off,
	    CONF_MAX_DEVICES + 1), -1);
	CHECK_EQ_INT(dec_with_u32(dec_collectd, &w, off, 0xffffffffU), -1);
	off = find_seq(&w, disc0, sizeof(disc0)) - 4;
	CHECK_EQ_INT(dec_with_u32(dec_collectd, &w, off, 5), 0);
	CHECK_EQ_INT(dec_with_u32(dec_collectd, &w, off, 6), -1);
	CHECK_EQ_INT(dec_with_u32(dec_collectd, &w, off,
	    CONF_MAX_DISCOVER + 1), -1);
	wbuf_free(&w);
}

/* the list limits: exactly the maximum decodes, one more does not */
TEST(decode_collectd_list_limits)
{
	struct callhome_conf	*c;
	struct wbuf		 w;
	char			 name[32];
	int			 i, extra;

	for (extra = 0; extra < 2; extra++) {
		CHECK((c = config_new_default()) != NULL);
		for (i = 0; i < CONF_MAX_V3USERS + extra; i++) {
			snprintf(name, sizeof(name), "u%d", i);
			add_user(c, name, V3_AUTH_SHA1, "auth-pass",
			    V3_PRIV_AES128, "priv-pass", "");
		}
		wbuf_init(&w);
		msg_conf_collectd_encode(&w, c);
		config_free(c);
		CHECK_EQ_INT(dec_collectd(w.data, w.len), extra ? -1 : 0);
		wbuf_free(&w);

		CHECK((c = config_new_default()) != NULL);
		for (i = 0; i < CONF_MAX_DISCOVER + extra; i++)
			add_discover(c, i & 1, i & 1 ? "2001:db8::" : "10.0.0.0",
			    i % 33, 0, SNMPV_DEFAULT, "", "");
		wbuf_init(&w);
		msg_conf_collectd_encode(&w, c);
		config_free(c);
		CHECK_EQ_INT(dec_collectd(w.data, w.len), extra ? -1 : 0);
		wbuf_free(&w);

		CHECK((c = config_new_default()) != NULL);
		for (i = 0; i < CONF_MAX_DEVICES + extra; i++)
			add_device(c, 0, "192.0.2.1", (uint16_t)i, SNMPV_2C,
			    "", "");
		wbuf_init(&w);
		msg_conf_collectd_encode(&w, c);
		config_free(c);
		CHECK(w.len <= test_msgtype(IMSG_CONF_COLLECTD)->max);
		CHECK_EQ_INT(dec_collectd(w.data, w.len), extra ? -1 : 0);
		wbuf_free(&w);
	}
}

/*
 * An unknown address family must be refused for itself, not only
 * because what follows no longer lines up: here the address bytes are
 * cut out, so that only the family byte is wrong.
 */
TEST(decode_collectd_unknown_family)
{
	struct callhome_conf	*c;
	struct wbuf		 w;
	static const uint8_t	 dev4[] = { 4, 192, 0, 2, 10 };
	static const uint8_t	 fams[] = { 0, 1, 2, 5, 10, 44, 255 };
	uint8_t			*b;
	size_t			 off, i;

	c = mk_collectd(NULL);
	wbuf_init(&w);
	msg_conf_collectd_encode(&w, c);
	config_free(c);
	off = find_seq(&w, dev4, sizeof(dev4));
	b = xmalloc(w.len);
	/* family, then (without 4 address and 2 port bytes) the options */
	memcpy(b, w.data, off + 1);
	memcpy(b + off + 1, w.data + off + 7, w.len - off - 7);
	for (i = 0; i < sizeof(fams); i++) {
		b[off] = fams[i];
		CHECK_EQ_INT(dec_collectd(b, w.len - 6), -1);
	}
	free(b);
	wbuf_free(&w);
}

TEST(decode_auditd_rejects)
{
	struct callhome_conf	*c;
	struct strset		 ss;
	struct wbuf		 w;
	const char		*why;
	size_t			 off;
	unsigned		 v;

	c = mk_auditd(NULL);
	wbuf_init(&w);
	msg_conf_auditd_encode(&w, c, test_xsd, TEST_XSD_LEN);
	why = length_rules(dec_auditd, w.data, w.len);
	if (why)
		printf("# %s\n", why);
	CHECK(why == NULL);
	/* authorize_upload is a boolean byte after the server port */
	off = 3 * 4 + strlen(c->gateway) + strlen(c->site) +
	    strlen(c->server.name) + 2;
	config_free(c);
	CHECK_EQ_INT(w.data[off], 1);
	CHECK_EQ_INT(dec_with_byte(dec_auditd, &w, off, 0), 0);
	for (v = 2; v < 256; v++)
		CHECK_EQ_INT(dec_with_byte(dec_auditd, &w, off, (uint8_t)v),
		    -1);
	wbuf_free(&w);

	memset(&ss, 0, sizeof(ss));
	c = mk_auditd(&ss);
	wbuf_init(&w);
	msg_conf_auditd_encode(&w, c, test_xsd, TEST_XSD_LEN);
	config_free(c);
	CHECK_EQ_INT(dec_auditd(w.data, w.len), 0);
	why = string_rules(dec_auditd, w.data, w.len, ss.p, ss.n);
	wbuf_free(&w);
	if (why)
		printf("# %s\n", why);
	CHECK(why == NULL);
}

TEST(decode_signerd_rejects)
{
	struct signer_conf	 s;
	struct wbuf		 w;
	uint8_t			*o;
	size_t			 on;
	const char		*why;

	mk_signer(&s, 32, 44);
	wbuf_init(&w);
	msg_conf_signerd_encode(&w, &s);
	why = length_rules(dec_signerd, w.data, w.len);
	wbuf_free(&w);
	if (why)
		printf("# %s\n", why);
	CHECK(why == NULL);

	/* keys fill their fields exactly; one byte more does not fit */
	mk_signer(&s, SIGNER_KEYFILE_MAX, SIGNER_KEYFILE_MAX);
	wbuf_init(&w);
	msg_conf_signerd_encode(&w, &s);
	CHECK_EQ_INT(dec_signerd(w.data, w.len), 0);
	CHECK((o = grow_blob(w.data, w.len, s.instr_key, SIGNER_KEYFILE_MAX,
	    &on)) != NULL);
	CHECK_EQ_INT(dec_signerd(o, on), -1);
	free(o);
	CHECK((o = grow_blob(w.data, w.len, s.pkg_key, SIGNER_KEYFILE_MAX,
	    &on)) != NULL);
	CHECK_EQ_INT(dec_signerd(o, on), -1);
	free(o);
	/* a length of 2^32-1 must not be believed */
	CHECK_EQ_INT(dec_with_u32(dec_signerd, &w, 0, 0xffffffffU), -1);
	CHECK_EQ_INT(dec_with_u32(dec_signerd, &w, 8, 0xffffffffU), -1);
	CHECK_EQ_INT(dec_with_u32(dec_signerd, &w, 12 + SIGNER_KEYFILE_MAX,
	    0xffffffffU), -1);
	wbuf_free(&w);
}

TEST(decode_uplinkd_rejects)
{
	struct uplink_conf	 u;
	struct strset		 ss;
	struct wbuf		 w;
	uint8_t			*o;
	size_t			 on;
	const char		*why;

	/* every truncation of a configuration with small PEM blobs */
	mk_uplink(&u, NULL, 300);
	wbuf_init(&w);
	msg_conf_uplinkd_encode(&w, &u);
	free_uplink(&u);
	why = length_rules(dec_uplinkd, w.data, w.len);
	wbuf_free(&w);
	if (why)
		printf("# %s\n", why);
	CHECK(why == NULL);

	/* strings at their limit, and PEM blobs at UPLINK_PEM_MAX */
	memset(&ss, 0, sizeof(ss));
	mk_uplink(&u, &ss, UPLINK_PEM_MAX);
	wbuf_init(&w);
	msg_conf_uplinkd_encode(&w, &u);
	CHECK_EQ_INT(dec_uplinkd(w.data, w.len), 0);
	why = string_rules(dec_uplinkd, w.data, w.len, ss.p, ss.n);
	if (why)
		printf("# %s\n", why);
	CHECK(why == NULL);
	CHECK((o = grow_blob(w.data, w.len, u.ca, u.calen, &on)) != NULL);
	CHECK_EQ_INT(dec_uplinkd(o, on), -1);
	free(o);
	/* a failed decode leaves nothing allocated behind */
	o = xmalloc(w.len + 1);
	memcpy(o, w.data, w.len);
	o[w.len] = 0;
	free_uplink(&u);
	memset(&u, 0x11, sizeof(u));
	CHECK_EQ_INT(msg_conf_uplinkd_decode(o, w.len + 1, &u), -1);
	free(o);
	CHECK(u.ca == NULL && u.cert == NULL && u.key == NULL);
	CHECK(u.keylen == 0 && u.token[0] == '\0');
	/* the key is half as long: grow it twice over the limit */
	mk_uplink(&u, NULL, 2 * (UPLINK_PEM_MAX + 1));
	free(u.ca);
	free(u.cert);
	u.ca = mk_pem("CERTIFICATE", 10);
	u.calen = 10;
	u.cert = mk_pem("CLIENT CERTIFICATE", 10);
	u.certlen = 10;
	wbuf_reset(&w);
	msg_conf_uplinkd_encode(&w, &u);
	free_uplink(&u);
	CHECK_EQ_INT(dec_uplinkd(w.data, w.len), -1);
	wbuf_free(&w);
}

/* ------------------------------------------------------------------ */
/* framing errors, written by hand */

TEST(framing_good_raw_frames_accepted)
{
	struct wbuf	 w;
	uint8_t		 big[IMSG_MAX_PAYLOAD];
	uint8_t		 ping[4] = { 0, 0, 0, 1 };

	/* the reference: hand-made frames that must pass */
	wbuf_init(&w);
	frame(&w, IMSG_PING, 0, 0, ping, 4);
	frame(&w, IMSG_PING, 0, 0xffffffffU, ping, 4);
	frame_begin(&w, 5, IMSG_CONF_SIGNERD, 3);
	frame(&w, IMSG_STREAM_DATA, 0, 5, "abc", 3);
	frame_begin(&w, 6, IMSG_CONF_SIGNERD, 0);
	CHECK(accepts(PROC_SIGNERD, PROC_PARENT, &w, 4));
	wbuf_free(&w);

	/* a message of exactly IMSG_MAX_SIZE bytes */
	memset(big, 'x', sizeof(big));
	wbuf_init(&w);
	frame(&w, IMSG_DEV_BEGIN, 0, 0, big, sizeof(big));
	CHECK_EQ_INT(w.len, IMSG_MAX_SIZE);
	frame(&w, IMSG_DEV_END, 0, 0, NULL, 0);
	CHECK(accepts(PROC_AUDITD, PROC_COLLECTD, &w, 2));
	wbuf_free(&w);
}

TEST(framing_bad_length)
{
	static const uint32_t	 lens[] = { 0, 1, 19, IMSG_MAX_SIZE + 1,
	    IMSG_MAX_SIZE + 4096, 0x7fffffffU, 0xffffffffU };
	struct wbuf		 w;
	uint8_t			 ping[4] = { 0 };
	size_t			 i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		wbuf_init(&w);
		frame(&w, IMSG_PING, 0, 0, ping, 4);
		put_frame(&w, IMSG_PING, lens[i], 0, 0, 0, ping, 4);
		/* enough bytes behind it for any length check to run */
		while (w.len < 200)
			wbuf_u8(&w, 0);
		CHECK(rejects(PROC_COLLECTD, PROC_PARENT, &w, 1,
		    "bad message length"));
		wbuf_free(&w);
	}
	/* a length that disagrees with the type's payload size */
	wbuf_init(&w);
	frame(&w, IMSG_PING, 0, 0, "12345", 5);
	CHECK(rejects(PROC_COLLECTD, PROC_PARENT, &w, 0,
	    "too long for its type"));
	wbuf_free(&w);
}

TEST(framing_bad_flags)
{
	static const uint16_t	 flags[] = { 0x0002, 0x0004, 0x0100, 0x4000,
	    IMSGF_STREAMED, IMSGF_STREAMED | IMSGF_HASFD, 0xffff };
	struct wbuf		 w;
	uint8_t			 ping[4] = { 0 };
	size_t			 i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		wbuf_init(&w);
		put_frame(&w, IMSG_PING, 24, flags[i], 0, 0, ping, 4);
		CHECK(rejects(PROC_UPLINKD, PROC_PARENT, &w, 0,
		    "bad message flags"));
		wbuf_free(&w);
	}
	/* the reserved u16 after the flags */
	wbuf_init(&w);
	put_frame(&w, IMSG_PING, 24, 0, 0x0001, 0, ping, 4);
	CHECK(rejects(PROC_UPLINKD, PROC_PARENT, &w, 0, "bad message flags"));
	wbuf_reset(&w);
	put_frame(&w, IMSG_PING, 24, 0, 0x8000, 0, ping, 4);
	CHECK(rejects(PROC_UPLINKD, PROC_PARENT, &w, 0, "bad message flags"));
	wbuf_free(&w);
}

TEST(framing_type_not_allowed)
{
	struct wbuf	 w;
	uint8_t		 z[64] = { 0 };
	uint32_t	 t;
	int		 i;

	/* collectd may not configure auditd */
	wbuf_init(&w);
	frame(&w, IMSG_CYCLE_BEGIN, 0, 0, z, 8);
	frame(&w, IMSG_CONF_AUDITD, 0, 0, z, 8);
	CHECK(rejects(PROC_AUDITD, PROC_COLLECTD, &w, 1, "not allowed"));
	wbuf_reset(&w);
	/* ... not even as a stream */
	frame_begin(&w, 0, IMSG_CONF_AUDITD, 8);
	CHECK(rejects(PROC_AUDITD, PROC_COLLECTD, &w, 0, "not allowed"));
	wbuf_reset(&w);
	/* one-way channels, the wrong way: auditd -> collectd */
	frame(&w, IMSG_CYCLE_BEGIN, 0, 0, z, 8);
	CHECK(rejects(PROC_COLLECTD, PROC_AUDITD, &w, 0, "not allowed"));
	wbuf_reset(&w);
	/* signerd -> uplinkd: nothing, either way, yet */
	frame_begin(&w, 0, IMSG_UPLOAD_JOB, 8);
	CHECK(rejects(PROC_UPLINKD, PROC_SIGNERD, &w, 0, "not allowed"));
	wbuf_reset(&w);
	frame(&w, IMSG_PING, 0, 0, z, 4);
	CHECK(rejects(PROC_SIGNERD, PROC_UPLINKD, &w, 0, "not allowed"));
	wbuf_reset(&w);
	/* auditd -> signerd */
	frame(&w, IMSG_CYCLE_BEGIN, 0, 0, z, 8);
	CHECK(rejects(PROC_SIGNERD, PROC_AUDITD, &w, 0, "not allowed"));
	wbuf_reset(&w);
	/* no channel at all: uplinkd and collectd have no module to link */
	CHECK(test_chan(PROC_COLLECTD, PROC_UPLINKD) == NULL);
	/* a child's message back to itself: parent-only types from a child */
	frame(&w, IMSG_DIAL_RESULT, 0, 0, z, 8);
	CHECK(rejects(PROC_PARENT, PROC_UPLINKD, &w, 0, "not allowed"));
	wbuf_reset(&w);
	/* unknown and framing-internal types as messages */
	for (t = IMSG_TYPE_MAX; t < IMSG_TYPE_MAX + 3; t++) {
		frame(&w, t, 0, 0, z, 0);
		CHECK(rejects(PROC_COLLECTD, PROC_PARENT, &w, 0,
		    "not allowed"));
		wbuf_reset(&w);
	}
	frame(&w, 0xffffffffU, 0, 0, z, 0);
	CHECK(rejects(PROC_COLLECTD, PROC_PARENT, &w, 0, "not allowed"));
	wbuf_reset(&w);
	frame(&w, IMSG_NONE, 0, 0, z, 0);
	CHECK(rejects(PROC_COLLECTD, PROC_PARENT, &w, 0, "not allowed"));
	wbuf_reset(&w);
	/*
	 * Exhaustively: every type from every process to every other is
	 * accepted exactly when the table allows it.
	 */
	for (i = 0; i < PROC_MAX * PROC_MAX; i++) {
		enum proc_id	 from = i / PROC_MAX, to = i % PROC_MAX;

		/* no channel, no imsgbuf: nothing can arrive at all */
		if (from == to || test_chan(from, to) == NULL)
			continue;
		for (t = IMSG_SANDBOX; t < IMSG_TYPE_MAX; t++) {
			const struct chan_msg *mt = test_msgtype(t);

			if (mt->flags & (MT_STREAM | MT_FD))
				continue;
			wbuf_reset(&w);
			frame(&w, t, 0, 0, z, 0);
			if (test_chan_allows(from, to, t))
				CHECK(accepts(to, from, &w, 1));
			else
				CHECK(rejects(to, from, &w, 0, "not allowed"));
		}
	}
	wbuf_free(&w);
}

TEST(framing_stream_misuse)
{
	struct wbuf	 w;
	uint8_t		 z[32] = { 0 };

	wbuf_init(&w);
	/* a streamed type as one plain message */
	frame(&w, IMSG_CONF_COLLECTD, 0, 0, z, 16);
	CHECK(rejects(PROC_COLLECTD, PROC_PARENT, &w, 0,
	    "streamed type sent as one message"));
	wbuf_reset(&w);
	frame(&w, IMSG_UPLOAD_JOB, 0, 0, z, 0);
	CHECK(rejects(PROC_UPLINKD, PROC_AUDITD, &w, 0,
	    "streamed type sent as one message"));
	wbuf_reset(&w);
	/* a plain type as a stream */
	frame_begin(&w, 0, IMSG_PING, 4);
	frame(&w, IMSG_STREAM_DATA, 0, 0, z, 4);
	CHECK(rejects(PROC_COLLECTD, PROC_PARENT, &w, 0,
	    "may not be streamed"));
	wbuf_reset(&w);
	frame_begin(&w, 0, IMSG_DIAL_RESULT, 0);
	CHECK(rejects(PROC_UPLINKD, PROC_PARENT, &w, 0,
	    "may not be streamed"));
	wbuf_reset(&w);
	/* stream frames are never in the channel table */
	frame_begin(&w, 0, IMSG_STREAM_BEGIN, 12);
	CHECK(rejects(PROC_COLLECTD, PROC_PARENT, &w, 0, "not allowed"));
	wbuf_reset(&w);
	frame_begin(&w, 0, IMSG_STREAM_DATA, 12);
	CHECK(rejects(PROC_COLLECTD, PROC_PARENT, &w, 0, "not allowed"));
	wbuf_reset(&w);
	/* total above the type's maximum (CONF_SIGNERD: two key files) */
	frame_begin(&w, 0, IMSG_CONF_SIGNERD, SIGNER_MAX + 1);
	CHECK(rejects(PROC_SIGNERD, PROC_PARENT, &w, 0, "too large"));
	wbuf_reset(&w);
	frame_begin(&w, 0, IMSG_CONF_SIGNERD, SIGNER_MAX);
	CHECK(accepts(PROC_SIGNERD, PROC_PARENT, &w, 0));
	wbuf_reset(&w);
	frame_begin(&w, 0, IMSG_CONF_SIGNERD, 0);
	frame_begin(&w, 0, IMSG_CONF_SIGNERD, SIGNER_MAX + 1);
	CHECK(rejects(PROC_SIGNERD, PROC_PARENT, &w, 1, "too large"));
	wbuf_reset(&w);
	/* above IMSG_MAX_STREAM, and with the high word set */
	frame_begin(&w, 0, IMSG_UPLOAD_JOB, (uint64_t)IMSG_MAX_STREAM + 1);
	CHECK(rejects(PROC_UPLINKD, PROC_AUDITD, &w, 0, "too large"));
	wbuf_reset(&w);
	frame_begin(&w, 0, IMSG_UPLOAD_JOB, (1ULL << 32) + 5);
	CHECK(rejects(PROC_UPLINKD, PROC_AUDITD, &w, 0, "too large"));
	wbuf_reset(&w);
	frame_begin(&w, 0, IMSG_UPLOAD_JOB, UINT64_MAX);
	CHECK(rejects(PROC_UPLINKD, PROC_AUDITD, &w, 0, "too large"));
	wbuf_reset(&w);
	/* a bad STREAM_BEGIN payload */
	frame(&w, IMSG_STREAM_BEGIN, 0, 0, z, 11);
	CHECK(rejects(PROC_UPLINKD, PROC_AUDITD, &w, 0,
	    "bad stream header length"));
	wbuf_reset(&w);
	frame(&w, IMSG_STREAM_BEGIN, 0, 0, z, 13);
	CHECK(rejects(PROC_UPLINKD, PROC_AUDITD, &w, 0,
	    "bad stream header length"));
	wbuf_reset(&w);
	/* data beyond the declared total: in one chunk, or the last one */
	frame_begin(&w, 0, IMSG_UPLOAD_JOB, 10);
	frame(&w, IMSG_STREAM_DATA, 0, 0, z, 11);
	CHECK(rejects(PROC_UPLINKD, PROC_AUDITD, &w, 0,
	    "exceeds declared total"));
	wbuf_reset(&w);
	frame_begin(&w, 0, IMSG_UPLOAD_JOB, 10);
	frame(&w, IMSG_STREAM_DATA, 0, 0, z, 6);
	frame(&w, IMSG_STREAM_DATA, 0, 0, z, 5);
	CHECK(rejects(PROC_UPLINKD, PROC_AUDITD, &w, 0,
	    "exceeds declared total"));
	wbuf_reset(&w);
	/* an empty chunk could keep a stream open forever */
	frame_begin(&w, 0, IMSG_UPLOAD_JOB, 10);
	frame(&w, IMSG_STREAM_DATA, 0, 0, z, 0);
	CHECK(rejects(PROC_UPLINKD, PROC_AUDITD, &w, 0,
	    "exceeds declared total"));
	wbuf_reset(&w);
	/* data after a complete stream */
	frame_begin(&w, 0, IMSG_UPLOAD_JOB, 4);
	frame(&w, IMSG_STREAM_DATA, 0, 0, z, 4);
	frame(&w, IMSG_STREAM_DATA, 0, 0, z, 1);
	CHECK(rejects(PROC_UPLINKD, PROC_AUDITD, &w, 1,
	    "stream data outside a stream"));
	wbuf_reset(&w);
	frame(&w, IMSG_STREAM_DATA, 0, 0, z, 1);
	CHECK(rejects(PROC_UPLINKD, PROC_AUDITD, &w, 0,
	    "stream data outside a stream"));
	wbuf_reset(&w);
	/* a chunk with another peer id */
	frame_begin(&w, 7, IMSG_UPLOAD_JOB, 10);
	frame(&w, IMSG_STREAM_DATA, 0, 7, z, 5);
	frame(&w, IMSG_STREAM_DATA, 0, 8, z, 5);
	CHECK(rejects(PROC_UPLINKD, PROC_AUDITD, &w, 0, "another peer id"));
	wbuf_reset(&w);
	/* a normal message inside a stream, and a stream in a stream */
	frame_begin(&w, 0, IMSG_CONF_COLLECTD, 10);
	frame(&w, IMSG_STREAM_DATA, 0, 0, z, 5);
	frame(&w, IMSG_PING, 0, 0, z, 4);
	CHECK(rejects(PROC_COLLECTD, PROC_PARENT, &w, 0,
	    "message inside a stream"));
	wbuf_reset(&w);
	frame_begin(&w, 0, IMSG_CONF_COLLECTD, 10);
	frame_begin(&w, 0, IMSG_CONF_COLLECTD, 1);
	CHECK(rejects(PROC_COLLECTD, PROC_PARENT, &w, 0,
	    "stream begins inside a stream"));
	wbuf_reset(&w);
	/* even an unknown type inside a stream is refused */
	frame_begin(&w, 0, IMSG_CONF_COLLECTD, 10);
	frame(&w, 999, 0, 0, z, 4);
	CHECK(rejects(PROC_COLLECTD, PROC_PARENT, &w, 0, "inside a stream"));
	wbuf_reset(&w);
	/* a descriptor flag on stream frames */
	frame_begin(&w, 0, IMSG_CONF_COLLECTD, 10);
	frame(&w, IMSG_STREAM_DATA, IMSGF_HASFD, 0, z, 5);
	CHECK(rejects(PROC_COLLECTD, PROC_PARENT, &w, 0,
	    "descriptor on a stream frame"));
	wbuf_free(&w);
}

/* an unfinished stream at EOF delivers nothing */
TEST(framing_stream_unfinished)
{
	struct wbuf	 w;
	uint8_t		 z[8] = { 0 };

	wbuf_init(&w);
	frame_begin(&w, 0, IMSG_UPLOAD_JOB, 10);
	frame(&w, IMSG_STREAM_DATA, 0, 0, z, 8);
	CHECK(accepts(PROC_UPLINKD, PROC_AUDITD, &w, 0));
	wbuf_free(&w);
}

TEST(framing_descriptor_errors)
{
	struct raw	 c;
	struct wbuf	 w;
	struct imsg	 m;
	uint8_t		 z[8] = { 0 };
	int		 fd, before;

	before = count_fds();

	/* HASFD on a type without descriptors, with a descriptor sent */
	raw_open(&c, PROC_UPLINKD, PROC_PARENT);
	wbuf_init(&w);
	frame(&w, IMSG_PING, IMSGF_HASFD, 0, z, 4);
	CHECK((fd = tagged_fd("ping", 0)) != -1);
	CHECK(raw_sendfds(&c, w.data, w.len, &fd, 1) == 0);
	close(fd);
	CHECK_EQ_INT(raw_get(&c, &m), -1);
	CHECK(err_is(&c.r, "descriptor on a type without one"));
	raw_close(&c);

	/* HASFD without any descriptor */
	raw_open(&c, PROC_UPLINKD, PROC_PARENT);
	wbuf_reset(&w);
	frame(&w, IMSG_DIAL_RESULT, IMSGF_HASFD, 0, z, 8);
	CHECK(raw_send(&c, &w) == 0);
	CHECK_EQ_INT(raw_get(&c, &m), -1);
	CHECK(err_is(&c.r, "did not arrive"));
	raw_close(&c);

	/* two flagged messages, one descriptor: the second one fails */
	raw_open(&c, PROC_UPLINKD, PROC_PARENT);
	wbuf_reset(&w);
	frame(&w, IMSG_DIAL_RESULT, IMSGF_HASFD, 1, z, 8);
	frame(&w, IMSG_DIAL_RESULT, IMSGF_HASFD, 2, z, 8);
	CHECK((fd = tagged_fd("first", 0)) != -1);
	CHECK(raw_sendfds(&c, w.data, w.len, &fd, 1) == 0);
	close(fd);
	CHECK_EQ_INT(raw_get(&c, &m), 1);
	CHECK_EQ_INT(m.hdr.peerid, 1);
	CHECK(m.fd != -1);
	imsg_free(&m);
	CHECK_EQ_INT(m.fd, -1);
	CHECK_EQ_INT(raw_get(&c, &m), -1);
	CHECK(err_is(&c.r, "did not arrive"));
	raw_close(&c);

	/* the flag on a type that may carry one but from the wrong peer */
	raw_open(&c, PROC_PARENT, PROC_UPLINKD);
	wbuf_reset(&w);
	frame(&w, IMSG_DIAL_RESULT, IMSGF_HASFD, 0, z, 8);
	CHECK((fd = tagged_fd("x", 1)) != -1);
	CHECK(raw_sendfds(&c, w.data, w.len, &fd, 1) == 0);
	close(fd);
	CHECK_EQ_INT(raw_get(&c, &m), -1);
	CHECK(err_is(&c.r, "not allowed"));
	raw_close(&c);
	wbuf_free(&w);

	CHECK_EQ_INT(count_fds(), before);
}

/*
 * MT_FD ("always carries exactly one descriptor"): every such type, from
 * every peer that may send it, is refused without HASFD.  (No type uses
 * MT_FD today; the loop keeps the rule tested when one does.)
 */
TEST(framing_mt_fd_without_descriptor)
{
	struct wbuf	 w;
	uint8_t		 z[8] = { 0 };
	uint32_t	 t;
	int		 i, nfdtypes = 0;

	wbuf_init(&w);
	for (t = 0; t < IMSG_TYPE_MAX; t++) {
		if (!(test_msgtype(t)->flags & MT_FD))
			continue;
		nfdtypes++;
		for (i = 0; i < PROC_MAX * PROC_MAX; i++) {
			enum proc_id	 from = i / PROC_MAX, to = i % PROC_MAX;

			if (!test_chan_allows(from, to, t))
				continue;
			wbuf_reset(&w);
			frame(&w, t, 0, 0, z, 8);
			CHECK(rejects(to, from, &w, 0, "lacks its descriptor"));
		}
	}
	wbuf_free(&w);
	printf("# %d message types with MT_FD\n", nfdtypes);
}

/* the descriptor queue is bounded; nothing leaks when it overflows */
TEST(framing_too_many_descriptors)
{
	struct raw	 c;
	struct wbuf	 w;
	int		 fds[IMSG_MAX_FDQUEUE + 1], i, before;
	uint8_t		 z[8] = { 0 };
	ssize_t		 n;

	before = count_fds();
	for (i = 0; i < IMSG_MAX_FDQUEUE + 1; i++)
		CHECK((fds[i] = tagged_fd("q", 0)) != -1);

	/* more than fit in one control message: truncated */
	raw_open(&c, PROC_UPLINKD, PROC_PARENT);
	wbuf_init(&w);
	frame(&w, IMSG_DIAL_RESULT, IMSGF_HASFD, 0, z, 8);
	CHECK(raw_sendfds(&c, w.data, w.len, fds, IMSG_MAX_FDQUEUE + 1) == 0);
	n = imsgbuf_read(&c.r);
	CHECK_EQ_INT(n, -1);
	CHECK(err_is(&c.r, "descriptors truncated"));
	raw_close(&c);
	CHECK_EQ_INT(count_fds(), before + IMSG_MAX_FDQUEUE + 1);

	/* a full queue, then one more, read before any imsg_get() */
	raw_open(&c, PROC_UPLINKD, PROC_PARENT);
	CHECK(raw_sendfds(&c, w.data, 1, fds, IMSG_MAX_FDQUEUE) == 0);
	CHECK(raw_sendfds(&c, w.data + 1, 1, fds, 1) == 0);
	CHECK_EQ_INT(imsgbuf_read(&c.r), 1);
	CHECK_EQ_INT(c.r.nfdq, IMSG_MAX_FDQUEUE);
	CHECK_EQ_INT(imsgbuf_read(&c.r), -1);
	CHECK(err_is(&c.r, "too many descriptors"));
	raw_close(&c);
	CHECK_EQ_INT(count_fds(), before + IMSG_MAX_FDQUEUE + 1);

	/*
	 * The overflow in the middle of a control message: 15 queued, then
	 * 3 more arrive together.  The ones after the first that does not
	 * fit must be closed too.
	 */
	raw_open(&c, PROC_UPLINKD, PROC_PARENT);
	CHECK(raw_sendfds(&c, w.data, 1, fds, IMSG_MAX_FDQUEUE - 1) == 0);
	CHECK(raw_sendfds(&c, w.data + 1, 1, fds, 3) == 0);
	CHECK_EQ_INT(imsgbuf_read(&c.r), 1);
	CHECK_EQ_INT(imsgbuf_read(&c.r), -1);
	CHECK(err_is(&c.r, "too many descriptors"));
	raw_close(&c);
	wbuf_free(&w);
	for (i = 0; i < IMSG_MAX_FDQUEUE + 1; i++)
		close(fds[i]);
	CHECK_EQ_INT(count_fds(), before);
}

/*
 * A descriptor sent with a message that does not announce one must not
 * be handed to a later message that does ("a descriptor nobody claims
 * is a protocol error", imsg.h).
 */
TEST(framing_unclaimed_descriptor)
{
	struct raw	 c;
	struct wbuf	 w;
	struct imsg	 m;
	char		 got[32];
	uint8_t		 z[8] = { 0 };
	int		 stray, legit, rv, before;

	before = count_fds();
	raw_open(&c, PROC_UPLINKD, PROC_PARENT);
	wbuf_init(&w);
	frame(&w, IMSG_PING, 0, 1, z, 4);		/* no HASFD */
	CHECK((stray = tagged_fd("stray", 0)) != -1);
	CHECK(raw_sendfds(&c, w.data, w.len, &stray, 1) == 0);
	close(stray);
	wbuf_reset(&w);
	frame(&w, IMSG_DIAL_RESULT, IMSGF_HASFD, 2, z, 8);
	CHECK((legit = tagged_fd("legit", 0)) != -1);
	CHECK(raw_sendfds(&c, w.data, w.len, &legit, 1) == 0);
	close(legit);
	wbuf_free(&w);
	raw_eof(&c);

	got[0] = '\0';
	while ((rv = raw_get(&c, &m)) == 1) {
		if (m.hdr.type == IMSG_DIAL_RESULT && m.fd != -1)
			fd_content(m.fd, got, sizeof(got));
		imsg_free(&m);
	}
	raw_close(&c);
	CHECK_EQ_INT(count_fds(), before);
	if (rv != -1)
		printf("# DIAL_RESULT received the descriptor \"%s\"\n", got);
	/* either refused, or at least not handed to the wrong message */
	CHECK(rv == -1 || strcmp(got, "legit") == 0);
	CHECK_EQ_INT(rv, -1);
}

/* ------------------------------------------------------------------ */
/* descriptor passing under load */

#define LOAD_N		2000

static size_t
load_payload(uint32_t i, uint8_t *buf)
{
	size_t	 n = 4 + (i * 37) % 300, k;

	buf[0] = i >> 24;
	buf[1] = i >> 16;
	buf[2] = i >> 8;
	buf[3] = i;
	for (k = 4; k < n; k++)
		buf[k] = (uint8_t)(i + k);
	return n;
}

static int
load_compose(struct imsgbuf *w, uint32_t i)
{
	uint8_t	 buf[512];
	char	 tag[32];
	size_t	 n;
	int	 fd = -1;

	n = load_payload(i, buf);
	if (i % 3 == 0) {
		snprintf(tag, sizeof(tag), "message %u", i);
		if ((fd = tagged_fd(tag, i % 2)) == -1)
			return -1;
	}
	return imsg_compose(w, IMSG_DIAL_RESULT, i, fd, buf, n);
}

/* check one received load message; NULL or what is wrong */
static const char *
load_check(struct imsg *m, uint32_t i)
{
	uint8_t	 buf[512];
	char	 tag[32], got[32];
	size_t	 n;

	n = load_payload(i, buf);
	if (m->hdr.type != IMSG_DIAL_RESULT)
		return "type";
	if (m->hdr.peerid != i)
		return "out of order";
	if (m->len != n || memcmp(m->data, buf, n) != 0)
		return "payload";
	if (i % 3 != 0)
		return m->fd == -1 ? NULL : "a descriptor on a message "
		    "that sent none";
	if (m->fd == -1)
		return "descriptor missing";
	snprintf(tag, sizeof(tag), "message %u", i);
	fd_content(m->fd, got, sizeof(got));
	if (strcmp(got, tag) != 0) {
		printf("# message %u got the descriptor of \"%s\"\n", i, got);
		return "descriptor of another message";
	}
	return NULL;
}

/* xorshift for burst sizes and read patterns */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* drain every complete message; -1 on any error */
static int
load_drain(struct imsgbuf *r, uint32_t *next, const char **why)
{
	struct imsg	 m;
	int		 rv;

	while ((rv = imsg_get(r, &m)) == 1) {
		if (*next >= LOAD_N) {
			*why = "more messages than sent";
			imsg_free(&m);
			return -1;
		}
		*why = load_check(&m, *next);
		imsg_free(&m);
		if (*why != NULL) {
			printf("# at message %u\n", *next);
			return -1;
		}
		(*next)++;
	}
	if (rv == -1) {
		printf("# imsg_get at %u: %s\n", *next, r->err);
		*why = "imsg_get failed";
		return -1;
	}
	return 0;
}

/* one process, writer and reader interleaved, with a given send buffer */
static const char *
load_one_process(int sndbuf, uint32_t seed)
{
	struct duo	 d;
	const char	*why = NULL;
	uint32_t	 sent = 0, next = 0, s = seed, burst, k;
	ssize_t		 n;
	int		 reads, iter;

	duo_open(&d, PROC_PARENT, PROC_UPLINKD);
	if (sndbuf > 0 && setsockopt(d.sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf,
	    sizeof(sndbuf)) == -1) {
		duo_close(&d);
		return "SO_SNDBUF";
	}
	for (iter = 0; next < LOAD_N && iter < 1000000; iter++) {
		/* a burst of 1..97 messages, then one non-blocking write */
		burst = 1 + rnd(&s) % 97;
		for (k = 0; k < burst && sent < LOAD_N; k++, sent++)
			if (load_compose(&d.w, sent) == -1) {
				why = "compose";
				goto done;
			}
		if (imsgbuf_write(&d.w) == -1) {
			why = "imsgbuf_write";
			goto done;
		}
		/* 0..3 reads, sometimes two in a row before parsing */
		reads = rnd(&s) % 4;
		if (sent == LOAD_N)
			reads = 1 + reads;
		while (reads-- > 0) {
			n = imsgbuf_read(&d.r);
			if (n == -1 && errno != EAGAIN && errno != ENOBUFS) {
				why = d.r.err ? d.r.err : "imsgbuf_read";
				goto done;
			}
			if (n == 0) {
				why = "EOF";
				goto done;
			}
			if (rnd(&s) % 3 == 0 && n > 0 && reads > 0)
				continue;
			if (load_drain(&d.r, &next, &why) == -1)
				goto done;
		}
		if (load_drain(&d.r, &next, &why) == -1)
			goto done;
	}
	if (next != LOAD_N)
		why = "not every message arrived";
	else if (d.r.nfdq != 0 || !TAILQ_EMPTY(&d.w.outq))
		why = "descriptors or bytes left over";
 done:
	duo_close(&d);
	return why;
}

TEST(fd_load_one_process)
{
	static const int	 sndbufs[] = { 4096, 0, 1 << 20 };
	const char		*why;
	size_t			 i;
	int			 before;

	before = count_fds();
	for (i = 0; i < sizeof(sndbufs) / sizeof(sndbufs[0]); i++) {
		why = load_one_process(sndbufs[i], 0x9e3779b9U + (uint32_t)i);
		if (why != NULL)
			printf("# SO_SNDBUF %d: %s\n", sndbufs[i], why);
		CHECK(why == NULL);
		CHECK_EQ_INT(count_fds(), before);
	}
}

/* a forked writer: realistic coalescing of the kernel's buffers */
static void
load_writer(int sock, int sndbuf, uint32_t seed)
{
	struct imsgbuf	 w;
	uint32_t	 sent = 0, s = seed, burst, k;

	if (sndbuf > 0)
		(void)setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &sndbuf,
		    sizeof(sndbuf));
	imsgbuf_init(&w, sock, test_chan(PROC_PARENT, PROC_UPLINKD), PROC_PARENT);
	while (sent < LOAD_N) {
		burst = 1 + rnd(&s) % 64;
		for (k = 0; k < burst && sent < LOAD_N; k++, sent++)
			if (load_compose(&w, sent) == -1)
				_exit(2);
		if (rnd(&s) % 2) {
			if (imsgbuf_flush(&w) == -1)
				_exit(3);
		} else if (imsgbuf_write(&w) == -1)
			_exit(3);
		if (rnd(&s) % 8 == 0)
			usleep(rnd(&s) % 300);
	}
	if (imsgbuf_flush(&w) == -1)
		_exit(3);
	imsgbuf_clear(&w);
	_exit(0);
}

static const char *
load_forked(int sndbuf, uint32_t seed)
{
	struct imsgbuf	 r;
	struct pollfd	 pfd;
	const char	*why = NULL;
	uint32_t	 next = 0, s = seed;
	pid_t		 pid;
	ssize_t		 n;
	int		 sv[2], status, eof = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return "socketpair";
	fflush(stdout);
	if ((pid = fork()) == -1)
		return "fork";
	if (pid == 0) {
		close(sv[1]);
		set_nonblock(sv[0]);
		load_writer(sv[0], sndbuf, seed);
	}
	close(sv[0]);
	set_nonblock(sv[1]);
	imsgbuf_init(&r, sv[1], test_chan(PROC_UPLINKD, PROC_PARENT), PROC_UPLINKD);
	while (!eof) {
		/* sometimes let data pile up: large reads */
		if (rnd(&s) % 4 == 0)
			usleep(rnd(&s) % 400);
		n = imsgbuf_read(&r);
		if (n == 0)
			eof = 1;
		else if (n == -1) {
			if (errno != EAGAIN) {
				why = r.err ? r.err : "imsgbuf_read";
				break;
			}
			pfd.fd = sv[1];
			pfd.events = POLLIN;
			if (poll(&pfd, 1, 10000) != 1) {
				why = "timeout";
				break;
			}
			continue;
		}
		if (load_drain(&r, &next, &why) == -1)
			break;
	}
	if (why == NULL && next != LOAD_N)
		why = "not every message arrived";
	if (why == NULL && r.nfdq != 0)
		why = "descriptors left in the queue";
	imsgbuf_clear(&r);
	close(sv[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		why = why ? why : "writer failed";
	return why;
}

TEST(fd_load_forked_writer)
{
	static const int	 sndbufs[] = { 0, 4096, 1 << 20, 0 };
	const char		*why;
	size_t			 i;
	int			 before;

	before = count_fds();
	for (i = 0; i < sizeof(sndbufs) / sizeof(sndbufs[0]); i++) {
		why = load_forked(sndbufs[i], 0x51ed2701U * (uint32_t)(i + 1));
		if (why != NULL)
			printf("# run %zu: %s\n", i, why);
		CHECK(why == NULL);
		CHECK_EQ_INT(count_fds(), before);
	}
}

/* the basics: the sender's copy is closed once sent, the receiver owns */
TEST(fd_basic)
{
	struct duo	 d;
	struct imsg	 m;
	char		 got[32];
	int		 fd, before, rfd;

	before = count_fds();
	duo_open(&d, PROC_PARENT, PROC_UPLINKD);
	CHECK((fd = tagged_fd("connected socket", 0)) != -1);
	CHECK_EQ_INT(imsg_compose(&d.w, IMSG_DIAL_RESULT, 9, fd, "ok", 2), 0);
	CHECK(fd_is_open(fd));			/* queued, not yet sent */
	CHECK_EQ_INT(imsgbuf_flush(&d.w), 0);
	CHECK(!fd_is_open(fd));
	CHECK_EQ_INT(duo_get(&d, &m), 1);
	CHECK(m.fd != -1);
	rfd = m.fd;
	CHECK(fcntl(rfd, F_GETFD) & FD_CLOEXEC);
	fd_content(rfd, got, sizeof(got));
	CHECK_STR(got, "connected socket");
	CHECK_EQ_INT(m.len, 2);
	CHECK(memcmp(m.data, "ok", 2) == 0);
	CHECK((m.hdr.flags & IMSGF_HASFD) != 0);
	imsg_free(&m);
	CHECK(!fd_is_open(rfd));
	/* MT_FD_OPT: also without one */
	CHECK_EQ_INT(imsg_compose(&d.w, IMSG_DIAL_RESULT, 10, -1, "no", 2), 0);
	CHECK_EQ_INT(duo_get(&d, &m), 1);
	CHECK_EQ_INT(m.fd, -1);
	CHECK_EQ_INT(m.hdr.flags & IMSGF_HASFD, 0);
	/* queued and never sent: imsgbuf_clear() closes it */
	CHECK((fd = tagged_fd("never sent", 0)) != -1);
	CHECK_EQ_INT(imsg_compose(&d.w, IMSG_DIAL_RESULT, 11, fd, "x", 1), 0);
	duo_close(&d);
	CHECK(!fd_is_open(fd));
	CHECK_EQ_INT(count_fds(), before);
}

/* descriptors on both sides of a big message: partial writes */
TEST(fd_around_partial_writes)
{
	struct duo	 d;
	struct imsg	 m;
	char		 got[32], tag[32];
	uint8_t		 big[1024];
	int		 fd, i, before, sndbuf = 4096;

	before = count_fds();
	duo_open(&d, PROC_PARENT, PROC_UPLINKD);
	CHECK(setsockopt(d.sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf,
	    sizeof(sndbuf)) == 0);
	memset(big, 'b', sizeof(big));
	for (i = 0; i < 64; i++) {
		snprintf(tag, sizeof(tag), "fd %d", i);
		CHECK((fd = tagged_fd(tag, i & 1)) != -1);
		CHECK_EQ_INT(imsg_compose(&d.w, IMSG_DIAL_RESULT, i, fd, big,
		    sizeof(big)), 0);
	}
	for (i = 0; i < 64; i++) {
		CHECK_EQ_INT(duo_get(&d, &m), 1);
		CHECK_EQ_INT(m.hdr.peerid, i);
		CHECK(m.fd != -1);
		snprintf(tag, sizeof(tag), "fd %d", i);
		fd_content(m.fd, got, sizeof(got));
		CHECK_STR(got, tag);
		imsg_free(&m);
	}
	CHECK_EQ_INT(duo_get(&d, &m), 0);
	duo_close(&d);
	CHECK_EQ_INT(count_fds(), before);
}

/* ------------------------------------------------------------------ */
/* streams */

/* PING, a stream of `len' pattern bytes, PING: all exact */
static const char *
stream_sandwich(enum proc_id from, enum proc_id to, uint32_t type,
    uint32_t small, size_t len, uint32_t seed)
{
	struct duo	 d;
	struct imsg	 m;
	uint8_t		*src;
	const char	*why = NULL;
	uint8_t		 sm[4] = { 's', 'm', 'a', 'l' };
	int		 rv;

	src = xmalloc(len);
	fill_pattern(src, len, seed);
	duo_open(&d, from, to);
	if ((small == type ? imsg_compose_stream(&d.w, small, 1, sm, 4) :
	    imsg_compose(&d.w, small, 1, -1, sm, 4)) == -1 ||
	    imsg_compose_stream(&d.w, type, 2, src, len) == -1 ||
	    (small == type ? imsg_compose_stream(&d.w, small, 3, sm, 3) :
	    imsg_compose(&d.w, small, 3, -1, sm, 3)) == -1) {
		why = "compose";
		goto done;
	}
	if ((rv = duo_get(&d, &m)) != 1 || m.hdr.peerid != 1 ||
	    m.len != 4 || memcmp(m.data, sm, 4) != 0) {
		why = "message before";
		goto done;
	}
	if ((rv = duo_get(&d, &m)) != 1) {
		printf("# duo_get %d: %s\n", rv, d.r.err ? d.r.err : "-");
		why = "no stream";
		goto done;
	}
	if (m.hdr.type != type || m.hdr.peerid != 2 || m.fd != -1 ||
	    !(m.hdr.flags & IMSGF_STREAMED) ||
	    m.hdr.pid != (uint32_t)getpid())
		why = "stream header";
	else if (m.len != len)
		why = "stream length";
	else if (len > 0 && memcmp(m.data, src, len) != 0)
		why = "stream bytes";
	if (why != NULL)
		goto done;
	if ((rv = duo_get(&d, &m)) != 1 || m.hdr.peerid != 3 ||
	    m.len != 3 || memcmp(m.data, sm, 3) != 0) {
		why = "message after";
		goto done;
	}
	if (duo_get(&d, &m) != 0)
		why = "extra message";
 done:
	duo_close(&d);
	free(src);
	return why;
}

TEST(stream_sizes)
{
	static const size_t	 sizes[] = { 0, 1, 2, 16383, 16384, 16385,
	    2 * 16384, 2 * 16384 + 1, 100000, 20 * MiB };
	const char		*why;
	size_t			 i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		why = stream_sandwich(PROC_PARENT, PROC_COLLECTD,
		    IMSG_CONF_COLLECTD, IMSG_PING, sizes[i], (uint32_t)i);
		if (why != NULL)
			printf("# %zu bytes: %s\n", sizes[i], why);
		CHECK(why == NULL);
	}
	/* between two processes that only stream: auditd's jobs */
	why = stream_sandwich(PROC_AUDITD, PROC_UPLINKD, IMSG_UPLOAD_JOB,
	    IMSG_UPLOAD_JOB, 3 * MiB + 5, 99);
	CHECK(why == NULL);
}

/* the largest stream there is: 64 MiB, auditd -> uplinkd */
TEST(stream_64mib_limit)
{
	struct duo	 d;
	const char	*why;
	uint8_t		 b = 0;

	why = stream_sandwich(PROC_AUDITD, PROC_UPLINKD, IMSG_UPLOAD_JOB,
	    IMSG_UPLOAD_JOB, IMSG_MAX_STREAM, 64);
	if (why != NULL)
		printf("# %s\n", why);
	CHECK(why == NULL);
	/* one byte more is refused by the sender, without a fatal error */
	duo_open(&d, PROC_AUDITD, PROC_UPLINKD);
	errno = 0;
	CHECK_EQ_INT(imsg_compose_stream(&d.w, IMSG_UPLOAD_JOB, 0, &b,
	    (size_t)IMSG_MAX_STREAM + 1), -1);
	CHECK_EQ_INT(errno, EMSGSIZE);
	CHECK(TAILQ_EMPTY(&d.w.outq));
	duo_close(&d);
}

TEST(stream_interleaved_many)
{
	struct duo	 d;
	struct imsg	 m;
	uint8_t		*src;
	size_t		 i, len;
	int		 rv;

	/* many streams back to back; data pointers stay valid until next */
	src = xmalloc(70000);
	fill_pattern(src, 70000, 7);
	duo_open(&d, PROC_PARENT, PROC_COLLECTD);
	for (i = 0; i < 40; i++) {
		len = (i * 7919) % 70000;
		CHECK_EQ_INT(imsg_compose_stream(&d.w, IMSG_CONF_COLLECTD,
		    (uint32_t)i, src, len), 0);
		CHECK_EQ_INT(imsg_compose(&d.w, IMSG_PING, (uint32_t)i, -1,
		    "pppp", 4), 0);
	}
	for (i = 0; i < 40; i++) {
		len = (i * 7919) % 70000;
		CHECK_EQ_INT(rv = duo_get(&d, &m), 1);
		CHECK_EQ_INT(m.hdr.type, IMSG_CONF_COLLECTD);
		CHECK_EQ_INT(m.hdr.peerid, i);
		CHECK_EQ_INT(m.len, len);
		CHECK(len == 0 || memcmp(m.data, src, len) == 0);
		CHECK_EQ_INT(duo_get(&d, &m), 1);
		CHECK_EQ_INT(m.hdr.type, IMSG_PING);
		CHECK_EQ_INT(m.len, 4);
	}
	CHECK_EQ_INT(duo_get(&d, &m), 0);
	duo_close(&d);
	free(src);
}

/* a hand-made stream in many small chunks is reassembled the same */
TEST(stream_raw_small_chunks)
{
	struct raw	 c;
	struct wbuf	 w;
	struct imsg	 m;
	uint8_t		 src[1000];
	size_t		 off, n;
	int		 rv = 0;

	fill_pattern(src, sizeof(src), 3);
	wbuf_init(&w);
	frame_begin(&w, 42, IMSG_UPLOAD_JOB, sizeof(src));
	for (off = 0; off < sizeof(src); off += n) {
		n = 1 + off % 13;
		if (n > sizeof(src) - off)
			n = sizeof(src) - off;
		frame(&w, IMSG_STREAM_DATA, 0, 42, src + off, n);
	}
	raw_open(&c, PROC_UPLINKD, PROC_AUDITD);
	/* and the bytes trickle in one at a time, each read at once */
	for (off = 0; off < w.len; off++) {
		CHECK(raw_sendfds(&c, w.data + off, 1, NULL, 0) == 0);
		CHECK_EQ_INT(imsgbuf_read(&c.r), 1);
		rv = imsg_get(&c.r, &m);
		if (off + 1 < w.len)
			CHECK_EQ_INT(rv, 0);
	}
	CHECK_EQ_INT(rv, 1);
	CHECK_EQ_INT(m.hdr.type, IMSG_UPLOAD_JOB);
	CHECK_EQ_INT(m.hdr.peerid, 42);
	CHECK_EQ_INT(m.len, sizeof(src));
	CHECK(memcmp(m.data, src, sizeof(src)) == 0);
	raw_eof(&c);
	CHECK_EQ_INT(raw_get(&c, &m), 0);
	raw_close(&c);
	wbuf_free(&w);
}

/* imsg_read_one() on a blocking socket: messages, then 0 at EOF */
TEST(read_one_blocking)
{
	struct imsgbuf	 w, r;
	struct imsg	 m;
	int		 sv[2];
	uint8_t		 b[4] = { 1, 2, 3, 4 };

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	imsgbuf_init(&w, sv[0], test_chan(PROC_SIGNERD, PROC_PARENT), PROC_SIGNERD);
	imsgbuf_init(&r, sv[1], test_chan(PROC_PARENT, PROC_SIGNERD), PROC_PARENT);
	CHECK_EQ_INT(imsg_compose(&w, IMSG_PONG, 1, -1, b, 4), 0);
	CHECK_EQ_INT(imsg_compose(&w, IMSG_READY, 2, -1, NULL, 0), 0);
	CHECK_EQ_INT(imsgbuf_flush(&w), 0);
	CHECK_EQ_INT(imsg_read_one(&r, &m), 1);
	CHECK_EQ_INT(m.hdr.type, IMSG_PONG);
	CHECK_EQ_INT(imsg_read_one(&r, &m), 1);
	CHECK_EQ_INT(m.hdr.type, IMSG_READY);
	CHECK_EQ_INT(m.len, 0);
	imsgbuf_clear(&w);
	close(sv[0]);
	CHECK_EQ_INT(imsg_read_one(&r, &m), 0);
	imsgbuf_clear(&r);
	close(sv[1]);
}

/* ------------------------------------------------------------------ */
/* sender-side checks: fatal, so in a child */

static struct imsgbuf	 child_ib;

/* run fn in a child; 1 if it exited non-zero saying `expect' */
static int
dies_with(void (*fn)(void), const char *expect)
{
	char	 out[4096];
	size_t	 off = 0;
	ssize_t	 n;
	pid_t	 pid;
	int	 p[2], status;

	if (pipe(p) == -1)
		return 0;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		return 0;
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], STDERR_FILENO);
		fn();
		_exit(0);
	}
	close(p[1]);
	while (off < sizeof(out) - 1 &&
	    (n = read(p[0], out + off, sizeof(out) - 1 - off)) > 0)
		off += (size_t)n;
	out[off] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid)
		return 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 0) {
		printf("# child: status %#x, stderr \"%s\"\n", status, out);
		return 0;
	}
	if (strstr(out, expect) == NULL) {
		printf("# child stderr \"%s\", expected \"%s\"\n", out, expect);
		return 0;
	}
	return 1;
}

static void
child_open(enum proc_id self, enum proc_id peer)
{
	int	 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		_exit(0);
	imsgbuf_init(&child_ib, sv[0], test_chan(self, peer), self);
}

static void
send_conf_auditd_from_collectd(void)
{
	child_open(PROC_COLLECTD, PROC_AUDITD);
	(void)imsg_compose_stream(&child_ib, IMSG_CONF_AUDITD, 0, "x", 1);
}

static void
send_cycle_begin_to_collectd(void)
{
	child_open(PROC_AUDITD, PROC_COLLECTD);
	(void)imsg_compose(&child_ib, IMSG_CYCLE_BEGIN, 0, -1, NULL, 0);
}

/* uplinkd has no channel to collectd: it cannot even open one */
static void
send_ping_uplinkd_to_collectd(void)
{
	int	 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		_exit(0);
	imsgbuf_init(&child_ib, sv[0], &chan_parent_collectd, PROC_UPLINKD);
	(void)imsg_compose(&child_ib, IMSG_PONG, 0, -1, NULL, 0);
}

static void
send_stream_type_plain(void)
{
	child_open(PROC_PARENT, PROC_COLLECTD);
	(void)imsg_compose(&child_ib, IMSG_CONF_COLLECTD, 0, -1, "x", 1);
}

static void
send_plain_type_streamed(void)
{
	child_open(PROC_PARENT, PROC_COLLECTD);
	(void)imsg_compose_stream(&child_ib, IMSG_PING, 0, "abcd", 4);
}

static void
send_fd_on_ping(void)
{
	child_open(PROC_PARENT, PROC_UPLINKD);
	(void)imsg_compose(&child_ib, IMSG_PING, 0, STDIN_FILENO, "abcd", 4);
}

static void
send_stream_frame_directly(void)
{
	child_open(PROC_PARENT, PROC_COLLECTD);
	(void)imsg_compose(&child_ib, IMSG_STREAM_DATA, 0, -1, "abcd", 4);
}

static void
send_dial_result_from_uplinkd(void)
{
	child_open(PROC_UPLINKD, PROC_PARENT);
	(void)imsg_compose(&child_ib, IMSG_DIAL_RESULT, 0, -1, NULL, 0);
}

static void
send_ok(void)
{
	child_open(PROC_PARENT, PROC_UPLINKD);
	if (imsg_compose(&child_ib, IMSG_PING, 0, -1, "abcd", 4) == 0)
		fatalx("control: reached the end");
}

TEST(sender_checks_are_fatal)
{
	/* the harness itself: a child that gets through says so */
	CHECK(dies_with(send_ok, "control: reached the end"));
	CHECK(dies_with(send_conf_auditd_from_collectd,
	    "collectd may not send CONF_AUDITD to auditd"));
	CHECK(dies_with(send_cycle_begin_to_collectd,
	    "auditd may not send CYCLE_BEGIN to collectd"));
	CHECK(dies_with(send_ping_uplinkd_to_collectd,
	    "uplinkd is not on channel parent-collectd"));
	CHECK(dies_with(send_dial_result_from_uplinkd, "may not send"));
	CHECK(dies_with(send_stream_type_plain, "must be streamed"));
	CHECK(dies_with(send_plain_type_streamed, "must not be streamed"));
	CHECK(dies_with(send_fd_on_ping, "carries no descriptor"));
	CHECK(dies_with(send_stream_frame_directly, "may not send"));
}

/* too long for the type: an error the caller handles, not fatal */
TEST(sender_size_limits)
{
	struct duo	 d;
	static uint8_t	 big[IMSG_MAX_PAYLOAD + 1];
	int		 fd;

	duo_open(&d, PROC_PARENT, PROC_UPLINKD);
	errno = 0;
	CHECK_EQ_INT(imsg_compose(&d.w, IMSG_PING, 0, -1, big, 5), -1);
	CHECK_EQ_INT(errno, EMSGSIZE);
	CHECK_EQ_INT(imsg_compose(&d.w, IMSG_DIAL_RESULT, 0, -1, big,
	    1024 + 1), -1);
	CHECK_EQ_INT(imsg_compose(&d.w, IMSG_DIAL_RESULT, 0, -1, big,
	    1024), 0);
	errno = 0;
	CHECK_EQ_INT(imsg_compose_stream(&d.w, IMSG_CONF_UPLINKD, 0, big,
	    0), 0);
	/* a descriptor with a refused message stays the caller's */
	CHECK((fd = tagged_fd("mine", 0)) != -1);
	CHECK_EQ_INT(imsg_compose(&d.w, IMSG_DIAL_RESULT, 0, fd, big, 2000),
	    -1);
	CHECK(fd_is_open(fd));
	close(fd);
	duo_close(&d);

	duo_open(&d, PROC_PARENT, PROC_SIGNERD);
	CHECK_EQ_INT(imsg_compose_stream(&d.w, IMSG_CONF_SIGNERD, 0, big,
	    SIGNER_MAX + 1), -1);
	CHECK_EQ_INT(errno, EMSGSIZE);
	CHECK(TAILQ_EMPTY(&d.w.outq));
	duo_close(&d);

	duo_open(&d, PROC_COLLECTD, PROC_AUDITD);
	CHECK_EQ_INT(imsg_compose(&d.w, IMSG_DEV_BEGIN, 0, -1, big,
	    IMSG_MAX_PAYLOAD), 0);
	CHECK_EQ_INT(imsg_compose(&d.w, IMSG_DEV_BEGIN, 0, -1, big,
	    IMSG_MAX_PAYLOAD + 1), -1);
	CHECK_EQ_INT(d.w.outq_len, IMSG_MAX_SIZE);
	duo_close(&d);
}

/* ------------------------------------------------------------------ */
/* the channel table */

TEST(chan_fd_layout)
{
	static const struct {
		enum proc_id	 self, peer;
		int		 fd;
	} want[] = {
		/* the design's table, in chan_table order */
		{ PROC_COLLECTD, PROC_PARENT, PROC_PARENT_FD },
		{ PROC_COLLECTD, PROC_AUDITD, PROC_PEER_FD0 },
		{ PROC_AUDITD, PROC_PARENT, PROC_PARENT_FD },
		{ PROC_AUDITD, PROC_COLLECTD, PROC_PEER_FD0 },
		{ PROC_AUDITD, PROC_UPLINKD, PROC_PEER_FD0 + 1 },
		{ PROC_AUDITD, PROC_SIGNERD, PROC_PEER_FD0 + 2 },
		{ PROC_SIGNERD, PROC_PARENT, PROC_PARENT_FD },
		{ PROC_SIGNERD, PROC_UPLINKD, PROC_PEER_FD0 },
		{ PROC_SIGNERD, PROC_AUDITD, PROC_PEER_FD0 + 1 },
		{ PROC_UPLINKD, PROC_PARENT, PROC_PARENT_FD },
		{ PROC_UPLINKD, PROC_AUDITD, PROC_PEER_FD0 },
		{ PROC_UPLINKD, PROC_SIGNERD, PROC_PEER_FD0 + 1 },
		/* no channel */
		{ PROC_COLLECTD, PROC_UPLINKD, -1 },
		{ PROC_UPLINKD, PROC_COLLECTD, -1 },
		{ PROC_COLLECTD, PROC_SIGNERD, -1 },
		{ PROC_SIGNERD, PROC_COLLECTD, -1 },
		{ PROC_COLLECTD, PROC_COLLECTD, -1 },
		{ PROC_COLLECTD, PROC_CONTROL, -1 },
		{ PROC_PARENT, PROC_COLLECTD, -1 },
		{ PROC_CONTROL, PROC_PARENT, -1 },
	};
	size_t	 i;
	int	 c, p, q, fd, seen[64], expect;

	CHECK(PROC_PEER_FD0 == PROC_PARENT_FD + 1);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		fd = chan_fd(want[i].self, want[i].peer);
		if (fd != want[i].fd)
			printf("# chan_fd(%s, %s) = %d, want %d\n",
			    proc_name(want[i].self), proc_name(want[i].peer),
			    fd, want[i].fd);
		CHECK_EQ_INT(fd, want[i].fd);
	}
	/*
	 * And from the table itself: per child, the parent on
	 * PROC_PARENT_FD, peers consecutive from PROC_PEER_FD0 in table
	 * order, all distinct, -1 exactly where no channel exists.
	 */
	for (c = 0; c < NCHILD; c++) {
		memset(seen, 0, sizeof(seen));
		expect = PROC_PEER_FD0;
		for (i = 0; i < proc_nlinks; i++) {
			const struct proc_link *l = &proc_links[i];

			if (l->a == PROC_PARENT || l->b == PROC_PARENT ||
			    (l->a != children[c] && l->b != children[c]))
				continue;
			q = l->a == children[c] ? l->b : l->a;
			CHECK_EQ_INT(chan_fd(children[c], q), expect);
			expect++;
		}
		for (p = 0; p < PROC_MAX; p++) {
			fd = chan_fd(children[c], p);
			if (p == PROC_PARENT) {
				CHECK_EQ_INT(fd, PROC_PARENT_FD);
			} else if (p == PROC_CONTROL ||
			    !proc_linked(children[c], p)) {
				CHECK_EQ_INT(fd, -1);
				continue;
			}
			CHECK(fd >= PROC_PARENT_FD && fd < expect);
			CHECK(fd < 64);
			CHECK_EQ_INT(seen[fd], 0);
			seen[fd] = 1;
		}
		for (fd = PROC_PARENT_FD; fd < expect; fd++)
			CHECK(seen[fd]);
	}
}

/* the topology and the channel modules describe the same channels */
TEST(chan_table_consistent)
{
	const struct chan_msg	*l;
	size_t			 i, k, n;
	uint32_t		 t;
	int			 used[IMSG_TYPE_MAX];
	int			 j;

	memset(used, 0, sizeof(used));
	CHECK_EQ_INT(test_nchans, proc_nlinks);
	for (i = 0; i < proc_nlinks; i++) {
		CHECK(proc_links[i].a != proc_links[i].b);
		CHECK(test_chan(proc_links[i].a, proc_links[i].b) != NULL);
		for (k = 0; k < i; k++)		/* one row per pair */
			CHECK(!((proc_links[k].a == proc_links[i].a &&
			    proc_links[k].b == proc_links[i].b) ||
			    (proc_links[k].a == proc_links[i].b &&
			    proc_links[k].b == proc_links[i].a)));
	}
	for (i = 0; i < test_nchans; i++) {
		const struct chan_def *c = test_chans[i];

		CHECK(c->a != c->b);
		CHECK((unsigned)c->a < PROC_MAX && (unsigned)c->b < PROC_MAX);
		CHECK(proc_linked(c->a, c->b));
		CHECK(chan_peer(c, c->a) == c->b && chan_peer(c, c->b) == c->a);
		for (j = 0; j < 2; j++) {
			l = j ? c->b_to_a : c->a_to_b;
			n = j ? c->n_b_to_a : c->n_a_to_b;
			CHECK(chan_sends(c, j ? c->b : c->a) == (n > 0));
			for (k = 0; k < n; k++) {
				t = l[k].type;
				CHECK(t < IMSG_TYPE_MAX);
				CHECK(strcmp(imsg_type_name(t), "UNKNOWN") != 0);
				CHECK(t != IMSG_NONE &&
				    t != IMSG_STREAM_BEGIN &&
				    t != IMSG_STREAM_DATA);
				used[t]++;
				CHECK(chan_msg(c, j ? c->b : c->a, t) == &l[k]);
				if (l[k].flags & MT_STREAM) {
					CHECK(l[k].max <= IMSG_MAX_STREAM);
					CHECK(!(l[k].flags &
					    (MT_FD | MT_FD_OPT)));
				} else
					CHECK(l[k].max <= IMSG_MAX_PAYLOAD);
				CHECK(!((l[k].flags & MT_FD) &&
				    (l[k].flags & MT_FD_OPT)));
			}
		}
	}
	/* every real type has a name and exactly one channel and sender,
	 * but the lifecycle ones, which every parent channel has */
	for (t = IMSG_SANDBOX; t < IMSG_TYPE_MAX; t++) {
		if (used[t] != (t >= IMSG_SANDBOX && t <= IMSG_PONG ?
		    NCHILD : 1))
			printf("# %s is on %d channels\n", imsg_type_name(t),
			    used[t]);
		CHECK(used[t] == (t >= IMSG_SANDBOX && t <= IMSG_PONG ?
		    NCHILD : 1));
	}
	CHECK_STR(imsg_type_name(IMSG_TYPE_MAX), "UNKNOWN");
	CHECK_STR(imsg_type_name(0xffffffffU), "UNKNOWN");
	CHECK_STR(imsg_type_name(IMSG_DIAL_RESULT), "DIAL_RESULT");
	/* the design's guarantees */
	CHECK(!proc_linked(PROC_UPLINKD, PROC_COLLECTD));
	CHECK(!chan_sends(&chan_collectd_auditd, PROC_AUDITD));
	CHECK(chan_sends(&chan_collectd_auditd, PROC_COLLECTD));
	CHECK(!chan_sends(&chan_uplinkd_signerd, PROC_SIGNERD));
	CHECK(!chan_sends(&chan_signerd_auditd, PROC_AUDITD));
	CHECK(test_chan_allows(PROC_PARENT, PROC_UPLINKD, IMSG_DIAL_RESULT));
	CHECK(!test_chan_allows(PROC_UPLINKD, PROC_PARENT, IMSG_DIAL_RESULT));
	CHECK(test_msgtype(IMSG_DIAL_RESULT)->flags & MT_FD_OPT);
	/* configuration only from the parent, each to its own child */
	for (i = 0; i < NCHILD; i++)
		for (j = 0; j < PROC_MAX; j++)
			for (k = 0; k < PROC_MAX; k++)
				CHECK(test_chan_allows(j, k, conf_type[i]) ==
				    (j == PROC_PARENT &&
				    (int)k == (int)children[i]));
	CHECK_STR(proc_name(PROC_MAX), "unknown");
	CHECK_STR(proc_name(PROC_UPLINKD), "uplinkd");
}

TEST_MAIN_BEGIN("test_imsg")
	log_init("test_imsg", LOG_TO_STDERR, 0);
	RUN(roundtrip_sandbox);
	RUN(roundtrip_ping_pong_ready);
	RUN(roundtrip_conf_collectd);
	RUN(roundtrip_conf_collectd_empty_lists);
	RUN(roundtrip_conf_auditd);
	RUN(roundtrip_conf_signerd);
	RUN(roundtrip_conf_uplinkd);
	RUN(decode_sandbox_rejects);
	RUN(decode_ping_pong_empty_rejects);
	RUN(decode_collectd_lengths_and_strings);
	RUN(decode_collectd_rejects_out_of_range);
	RUN(decode_collectd_list_limits);
	RUN(decode_collectd_unknown_family);
	RUN(decode_auditd_rejects);
	RUN(decode_signerd_rejects);
	RUN(decode_uplinkd_rejects);
	RUN(framing_good_raw_frames_accepted);
	RUN(framing_bad_length);
	RUN(framing_bad_flags);
	RUN(framing_type_not_allowed);
	RUN(framing_stream_misuse);
	RUN(framing_stream_unfinished);
	RUN(framing_descriptor_errors);
	RUN(framing_mt_fd_without_descriptor);
	RUN(framing_too_many_descriptors);
	RUN(framing_unclaimed_descriptor);
	RUN(fd_basic);
	RUN(fd_around_partial_writes);
	RUN(fd_load_one_process);
	RUN(fd_load_forked_writer);
	RUN(stream_sizes);
	RUN(stream_64mib_limit);
	RUN(stream_interleaved_many);
	RUN(stream_raw_small_chunks);
	RUN(read_one_blocking);
	RUN(sender_checks_are_fatal);
	RUN(sender_size_limits);
	RUN(chan_fd_layout);
	RUN(chan_table_consistent);
TEST_MAIN_END
