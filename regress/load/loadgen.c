/*
 * loadgen: plays N gateways against commsd nodes (make loadtest).
 *
 * Each gateway has its own client certificate (CN lg-NNNNN, signed by
 * the test CA; made once with libcrypto and cached in a directory), checks
 * in every M seconds (the first at a random moment of the first interval,
 * or all within S seconds with -s: a storm after an outage) and uploads
 * its daily document once, at a random moment of the first U seconds:
 * the document given with -f, or for L% of them (-L, 10 by default),
 * large sites, the parts given with -g (real documents a gateway built,
 * its name and cycle number put in), over the real protocol: a visit is
 * one TLS
 * connection with keep-alive (-k), the parts then the check-in, or one
 * connection per request.  Every receipt's SHA-256 must be the one of the
 * bytes sent; a check-in answer must be a 200 CheckInResponse.
 *
 * A 503 is honoured: the visit comes back after its Retry-After and up to
 * a tenth more; a failed connection comes back in 1 to 2 s, to the next
 * node (-p takes several ports).  Nothing is asserted here: the report
 * says requests per second, latency percentiles per kind, errors by kind,
 * receipts verified, duplicates, and for each node pid (-P) its CPU per
 * request (itself and its children, from /proc/PID/stat) and resident
 * set.
 *
 * usage: loadgen -c cadir -C certdir -f doc [-g part...] [-L percent]
 *	  -p port[,port] [-n gateways] [-m interval] [-s storm] [-u window]
 *	  [-d seconds] [-e] [-j concurrency] [-k] [-r checkins]
 *	  [-P pid[,pid]] [-x done-file]
 *
 * -e ends the run as soon as every gateway has had a check-in answered
 * (the storm: how long until all are served).
 *
 * -r K makes each visit K check-ins in a row on its kept connection
 * (with -k): what a node serves when the handshake is paid once for K
 * exchanges, as for a gateway whose connection the server keeps between
 * its check-ins.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <tls.h>

#include "buf.h"
#include "checkin.h"
#include "uplinkd/http.h"

#define MAX_PARTS	64
#define MAX_PERCONN	100	/* -r */
#define MAX_PORTS	8
#define MAX_PIDS	8
#define RESP_CAP	(HTTP_MAX_HEADERS + HTTP_MAX_BODY)
#define REQ_DEADLINE	60	/* seconds: a request, connection to answer */
#define MAX_SAMPLES	(4 * 1024 * 1024)

enum kind { K_CHECKIN, K_UPLOAD, K_HANDSHAKE, K_MAX };
static const char *const kind_name[K_MAX] = {
	"checkin", "upload", "handshake"
};

struct gw {
	int		 idx;
	char		 cn[16];
	struct tls_config *cfg;		/* made on first use */
	double		 next;		/* when to visit, seconds from start */
	int		 upload_due;	/* its daily document waits */
	double		 upload_at;
	uint64_t	 cycle;
	int		 visiting;
	int		 served;	/* a check-in answered */
	int		 tried;		/* its document was sent */
	size_t		 heap;		/* its place in the heap */
};

struct req {
	enum kind	 kind;
	int		 part;		/* K_UPLOAD: which part */
	int		 large;		/* of the large site's parts */
};

struct visit {
	TAILQ_ENTRY(visit) entry;
	struct gw	*g;
	struct req	 reqs[MAX_PARTS + MAX_PERCONN];
	int		 nreq, cur;
	int		 fd;
	struct tls	*tls;
	struct event	*ev;
	int		 state;		/* V_* */
	uint8_t		*out;		/* the request being sent */
	size_t		 outlen, outoff;
	char		 sha[65];	/* of the upload being sent */
	uint8_t		*resp;
	size_t		 resplen;
	double		 t0, hs0;	/* request, connection start */
	int		 port;
};
enum { V_CONNECT, V_HANDSHAKE, V_WRITE, V_READ };

struct samples {
	double		*v;
	size_t		 n, cap;
};

static struct {
	const char	*cadir, *certdir, *donefile;
	int		 ports[MAX_PORTS], nports, nextport;
	int		 pids[MAX_PIDS], npids;
	int		 n, interval, storm, upwin, duration, conc, keep;
	int		 perconn;	/* -r: check-ins a visit */
	int		 endall;	/* -e: end once all are served */
	int		 served;
	double		 last_served;
	uint8_t		*part[MAX_PARTS];
	size_t		 partlen[MAX_PARTS];
	int		 nparts;
	uint8_t		*lpart[MAX_PARTS];	/* a large site's */
	size_t		 lpartlen[MAX_PARTS];
	int		 nlparts, large;
	uint8_t		*ca;
	size_t		 calen;
	struct gw	*gws;
	struct gw	**heap;
	size_t		 nheap;
	TAILQ_HEAD(, visit) active;
	int		 nactive;
	struct event_base *base;
	struct event	*tick;
	struct timespec	 start;
	int		 stopping;
	/* figures */
	struct samples	 lat[K_MAX];
	uint64_t	 ok[K_MAX], errs[K_MAX];
	uint64_t	 receipts, dup, visits, conns, busy, bundles;
	char		 errname[32][48];
	uint64_t	 errcount[32];
	int		 nerr;
	double		 cpu0[MAX_PIDS], self0[MAX_PIDS];
} L;

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)(ts.tv_sec - L.start.tv_sec) +
	    (double)(ts.tv_nsec - L.start.tv_nsec) / 1e9;
}

static void
sample(enum kind k, double ms)
{
	struct samples	*s = &L.lat[k];

	if (s->n == s->cap) {
		if (s->cap == MAX_SAMPLES)
			return;
		s->cap = s->cap ? s->cap * 2 : 4096;
		if ((s->v = reallocarray(s->v, s->cap, sizeof(double))) ==
		    NULL)
			err(1, NULL);
	}
	s->v[s->n++] = ms;
}

static void
count_err(enum kind k, const char *what)
{
	int	 i;

	L.errs[k]++;
	for (i = 0; i < L.nerr; i++)
		if (strcmp(L.errname[i], what) == 0)
			break;
	if (i == L.nerr) {
		if (L.nerr == 32)
			i = 31;
		else
			L.nerr++;
		(void)snprintf(L.errname[i], sizeof(L.errname[i]), "%s",
		    i == 31 ? "other" : what);
	}
	L.errcount[i]++;
}

/*
 * Certificates: one per gateway, made once.
 */

static void *
slurp(const char *path, size_t *len)
{
	struct stat	 st;
	uint8_t		*b;
	int		 fd;
	ssize_t		 n;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || st.st_size < 0 || st.st_size > (1 << 26))
		errx(1, "%s: not a file of at most 64M", path);
	if ((b = malloc((size_t)st.st_size + 1)) == NULL)
		err(1, NULL);
	if ((n = read(fd, b, (size_t)st.st_size)) != st.st_size)
		errx(1, "%s: short read", path);
	close(fd);
	b[n] = '\0';
	*len = (size_t)n;
	return b;
}

/* DIR/lg-NNNNN.pem: key and certificate, made now if missing */
static void
make_cert(const char *cn, const char *path, EVP_PKEY *cakey, X509 *cacert)
{
	EVP_PKEY	*key;
	X509		*x;
	X509_NAME	*name;
	FILE		*fp;
	char		 tmp[1100];
	int		 fd;

	if ((key = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL)
		errx(1, "EC key");
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)arc4random());
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"callhome load test", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(cacert));
	if (X509_sign(x, cakey, EVP_sha256()) == 0)
		errx(1, "X509_sign");
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		errx(1, "path too long");
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || (fp = fdopen(fd, "w")) == NULL)
		err(1, "%s", tmp);
	if (!PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_X509(fp, x) || fclose(fp) != 0)
		errx(1, "%s: write", tmp);
	if (rename(tmp, path) == -1)
		err(1, "rename %s", tmp);
	X509_free(x);
	EVP_PKEY_free(key);
}

static void
certs(void)
{
	EVP_PKEY	*cakey = NULL;
	X509		*cacert = NULL;
	FILE		*fp;
	char		 path[1024];
	int		 i, made = 0;

	(void)mkdir(L.certdir, 0700);
	for (i = 0; i < L.n; i++) {
		(void)snprintf(path, sizeof(path), "%s/lg-%05d.pem", L.certdir,
		    i);
		if (access(path, R_OK) == 0)
			continue;
		if (cakey == NULL) {
			(void)snprintf(path, sizeof(path), "%s/ca.key",
			    L.cadir);
			if ((fp = fopen(path, "r")) == NULL ||
			    (cakey = PEM_read_PrivateKey(fp, NULL, NULL,
			    NULL)) == NULL)
				errx(1, "%s: no key", path);
			fclose(fp);
			(void)snprintf(path, sizeof(path), "%s/ca.crt",
			    L.cadir);
			if ((fp = fopen(path, "r")) == NULL ||
			    (cacert = PEM_read_X509(fp, NULL, NULL, NULL)) ==
			    NULL)
				errx(1, "%s: no certificate", path);
			fclose(fp);
			(void)snprintf(path, sizeof(path), "%s/lg-%05d.pem",
			    L.certdir, i);
		}
		make_cert(L.gws[i].cn, path, cakey, cacert);
		made++;
	}
	if (made > 0)
		fprintf(stderr, "loadgen: %d client certificates made in %s\n",
		    made, L.certdir);
	EVP_PKEY_free(cakey);
	X509_free(cacert);
}

static struct tls_config *
gw_config(struct gw *g)
{
	char	 path[1024];
	uint8_t	*pem;
	size_t	 len;

	if (g->cfg != NULL)
		return g->cfg;
	(void)snprintf(path, sizeof(path), "%s/lg-%05d.pem", L.certdir,
	    g->idx);
	if ((pem = slurp(path, &len)) == NULL)
		err(1, "%s", path);
	if ((g->cfg = tls_config_new()) == NULL ||
	    tls_config_set_ca_mem(g->cfg, L.ca, L.calen) == -1 ||
	    tls_config_set_keypair_mem(g->cfg, pem, len, pem, len) == -1)
		errx(1, "%s: %s", path, g->cfg ? tls_config_error(g->cfg) :
		    "tls_config_new");
	explicit_bzero(pem, len);
	free(pem);
	return g->cfg;
}

/*
 * The schedule: a binary heap of gateways by their next visit.
 */

static void
heap_swap(size_t a, size_t b)
{
	struct gw	*t = L.heap[a];

	L.heap[a] = L.heap[b];
	L.heap[b] = t;
	L.heap[a]->heap = a;
	L.heap[b]->heap = b;
}

static void
heap_push(struct gw *g)
{
	size_t	 i = L.nheap++;

	L.heap[i] = g;
	g->heap = i;
	while (i > 0 && L.heap[(i - 1) / 2]->next > L.heap[i]->next) {
		heap_swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static struct gw *
heap_pop(void)
{
	struct gw	*g = L.heap[0];
	size_t		 i = 0, c;

	L.heap[0] = L.heap[--L.nheap];
	L.heap[0]->heap = 0;
	for (;;) {
		c = 2 * i + 1;
		if (c >= L.nheap)
			break;
		if (c + 1 < L.nheap && L.heap[c + 1]->next < L.heap[c]->next)
			c++;
		if (L.heap[i]->next <= L.heap[c]->next)
			break;
		heap_swap(i, c);
		i = c;
	}
	return g;
}

static double
frand(void)
{
	return (double)arc4random() / 4294967296.0;
}

/*
 * Visits: a connection (or one per request), its requests in turn.
 */

static void	visit_step(struct visit *);
static void	visit_end(struct visit *, double again);

static void
on_io(evutil_socket_t fd, short what, void *arg)
{
	struct visit	*v = arg;

	if (what & EV_TIMEOUT) {
		count_err(v->reqs[v->cur].kind, "timeout");
		visit_end(v, 1 + frand());
		return;
	}
	visit_step(v);
}

static void
want(struct visit *v, short what)
{
	struct timeval	 tv = { REQ_DEADLINE, 0 };

	event_del(v->ev);
	if (event_assign(v->ev, L.base, v->fd, what, on_io, v) == -1 ||
	    event_add(v->ev, &tv) == -1)
		errx(1, "event_add");
}

static void
conn_close(struct visit *v)
{
	if (v->tls != NULL) {
		(void)tls_close(v->tls);
		tls_free(v->tls);
		v->tls = NULL;
	}
	if (v->fd != -1)
		close(v->fd);
	v->fd = -1;
}

/* the gateway goes back to the schedule: its next check-in, or again */
static void
visit_end(struct visit *v, double again)
{
	struct gw	*g = v->g;

	conn_close(v);
	event_free(v->ev);
	free(v->out);
	free(v->resp);
	TAILQ_REMOVE(&L.active, v, entry);
	L.nactive--;
	g->visiting = 0;
	g->next = again > 0 ? now_s() + again : g->next + L.interval;
	if (g->next < now_s())
		g->next = now_s();
	heap_push(g);
	free(v);
}

static int
conn_open(struct visit *v)
{
	struct sockaddr_in	 sin;
	int			 one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	v->port = L.ports[L.nextport++ % L.nports];
	sin.sin_port = htons((uint16_t)v->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((v->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return -1;
	(void)setsockopt(v->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(v->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != EINPROGRESS)
		return -1;
	if ((v->tls = tls_client()) == NULL ||
	    tls_configure(v->tls, gw_config(v->g)) == -1 ||
	    tls_connect_socket(v->tls, v->fd, "localhost") == -1)
		return -1;
	L.conns++;
	v->hs0 = now_s();
	v->state = V_CONNECT;
	want(v, EV_WRITE);
	return 0;
}

/* the gateway's document, part p, with its name and cycle put in */
static uint8_t *
make_part(struct gw *g, const struct req *r, size_t *len)
{
	const uint8_t	*src = r->large ? L.lpart[r->part] : L.part[r->part];
	size_t		 n = r->large ? L.lpartlen[r->part] :
			    L.partlen[r->part];
	int		 p = r->part;
	struct wbuf	 w;
	const char	*a, *b, *c;
	char		 num[32];

	if ((a = memmem(src, n, "<ch:Gateway id=\"", 16)) == NULL ||
	    (b = memchr(a + 16, '"', n - (size_t)(a + 16 - (const char *)
	    src))) == NULL ||
	    (c = memmem(b, n - (size_t)(b - (const char *)src),
	    "<ch:Cycle id=\"", 14)) == NULL ||
	    memchr(c + 14, '"', n - (size_t)(c + 14 - (const char *)src)) ==
	    NULL)
		errx(1, "part %d: no Gateway id or Cycle id", p + 1);
	wbuf_init(&w);
	wbuf_bytes(&w, src, (size_t)(a + 16 - (const char *)src));
	wbuf_bytes(&w, g->cn, strlen(g->cn));
	wbuf_bytes(&w, b, (size_t)(c + 14 - b));
	(void)snprintf(num, sizeof(num), "%" PRIu64, g->cycle);
	wbuf_bytes(&w, num, strlen(num));
	c = memchr(c + 14, '"', n - (size_t)(c + 14 - (const char *)src));
	wbuf_bytes(&w, c, n - (size_t)(c - (const char *)src));
	*len = w.len;
	return w.data;
}

static void	bprintf(struct wbuf *, const char *, ...)
		    __attribute__((__format__(printf, 2, 3)));

static void
bprintf(struct wbuf *w, const char *fmt, ...)
{
	char	 line[1024];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		errx(1, "request head too long");
	wbuf_bytes(w, line, (size_t)n);
}

static void
sha_hex(const uint8_t *p, size_t n, char out[65])
{
	uint8_t		 md[32];
	unsigned int	 mdlen;
	int		 i;

	if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) != 1)
		errx(1, "EVP_Digest");
	for (i = 0; i < 32; i++)
		(void)snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* the next request of the visit, as bytes */
static void
req_build(struct visit *v)
{
	struct req	*r = &v->reqs[v->cur];
	struct checkin	 ci;
	struct wbuf	 body, w;
	char		 err[128];
	uint8_t		*doc;
	size_t		 len;
	int		 last = v->cur == v->nreq - 1;

	wbuf_init(&w);
	if (r->kind == K_UPLOAD) {
		doc = make_part(v->g, r, &len);
		sha_hex(doc, len, v->sha);
	} else {
		memset(&ci, 0, sizeof(ci));
		ci.gateway = v->g->cn;
		ci.software = "loadgen/1";
		wbuf_init(&body);
		if (checkin_build(&ci, &body, err, sizeof(err)) == -1)
			errx(1, "check-in: %s", err);
		doc = body.data;
		len = body.len;
	}
	bprintf(&w, "POST /callhome/1/%s HTTP/1.1\r\nHost: localhost\r\n"
	    "User-Agent: loadgen/1\r\n"
	    "Content-Type: application/soap+xml; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n%s%s%s",
	    r->kind == K_UPLOAD ? "upload" : "checkin", len,
	    r->kind == K_UPLOAD ? "X-Callhome-Document-Sha256: " : "",
	    r->kind == K_UPLOAD ? v->sha : "",
	    r->kind == K_UPLOAD ? "\r\n" : "");
	if (!L.keep || last)
		bprintf(&w, "Connection: close\r\n");
	bprintf(&w, "\r\n");
	wbuf_bytes(&w, doc, len);
	free(doc);
	free(v->out);
	v->out = w.data;
	v->outlen = w.len;
	v->outoff = 0;
	v->resplen = 0;
	v->t0 = now_s();
}

/* the answer: judged, counted; 1 when the visit goes on */
static int
answer(struct visit *v, struct http_response *hr)
{
	struct req	*r = &v->reqs[v->cur];
	const char	*p, *e;
	char		 what[48];
	int64_t		 wait;

	if (hr->status == 503) {
		L.busy++;
		count_err(r->kind, "http-503");
		wait = http_retry_after(hr->retry_after, time(NULL));
		if (wait <= 0)
			wait = 5;
		/* Retry-After, and up to a tenth more */
		visit_end(v, (double)wait * (1 + frand() / 10));
		return 0;
	}
	if (hr->status != 200) {
		(void)snprintf(what, sizeof(what), "http-%d", hr->status);
		count_err(r->kind, what);
		visit_end(v, 0);
		return 0;
	}
	p = (const char *)hr->body;
	if (r->kind == K_UPLOAD) {
		if ((p = memmem(p, hr->body_len, "<ch:DocumentSha256>", 19)) ==
		    NULL || (size_t)((const char *)hr->body + hr->body_len -
		    p) < 19 + 64 + 20 || memcmp(p + 19, v->sha, 64) != 0 ||
		    memcmp(p + 19 + 64, "</ch:DocumentSha256>", 20) != 0) {
			count_err(r->kind, "receipt-mismatch");
			visit_end(v, 0);
			return 0;
		}
		L.receipts++;
		e = (const char *)hr->body + hr->body_len;
		if (memmem(p, (size_t)(e - p), "<ch:Duplicate>true", 18) !=
		    NULL)
			L.dup++;
		if (v->cur + 1 < v->nreq && v->reqs[v->cur + 1].kind !=
		    K_UPLOAD)
			v->g->upload_due = 0;	/* its last part */
	} else {
		if (memmem(p, hr->body_len, "<ch:CheckInResponse", 19) ==
		    NULL) {
			count_err(r->kind, "not-a-checkin-response");
			visit_end(v, 0);
			return 0;
		}
	}
	L.ok[r->kind]++;
	sample(r->kind, (now_s() - v->t0) * 1000);
	if (r->kind == K_CHECKIN && !v->g->served) {
		v->g->served = 1;
		L.served++;
		L.last_served = now_s();
	}
	if (++v->cur == v->nreq) {
		visit_end(v, 0);
		return 0;
	}
	if (!L.keep || hr->close) {
		conn_close(v);
		if (conn_open(v) == -1) {
			count_err(K_HANDSHAKE, "connect");
			visit_end(v, 1 + frand());
			return 0;
		}
		req_build(v);
		return 0;
	}
	req_build(v);
	v->state = V_WRITE;
	return 1;
}

static void
visit_step(struct visit *v)
{
	static uint8_t		 body[HTTP_MAX_BODY];	/* one at a time */
	struct http_response	 hr;
	const char		*err;
	enum http_result	 res;
	ssize_t			 n;
	int			 eof;

	for (;;) {
		switch (v->state) {
		case V_CONNECT:
		case V_HANDSHAKE:
			v->state = V_HANDSHAKE;
			n = tls_handshake(v->tls);
			if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT) {
				want(v, n == TLS_WANT_POLLIN ? EV_READ :
				    EV_WRITE);
				return;
			}
			if (n == -1) {
				count_err(K_HANDSHAKE, "tls");
				visit_end(v, 1 + frand());
				return;
			}
			L.ok[K_HANDSHAKE]++;
			sample(K_HANDSHAKE, (now_s() - v->hs0) * 1000);
			v->state = V_WRITE;
			break;
		case V_WRITE:
			while (v->outoff < v->outlen) {
				n = tls_write(v->tls, v->out + v->outoff,
				    v->outlen - v->outoff);
				if (n == TLS_WANT_POLLIN ||
				    n == TLS_WANT_POLLOUT) {
					want(v, n == TLS_WANT_POLLIN ?
					    EV_READ : EV_WRITE);
					return;
				}
				if (n == -1) {
					count_err(v->reqs[v->cur].kind,
					    "write");
					visit_end(v, 1 + frand());
					return;
				}
				v->outoff += (size_t)n;
			}
			v->state = V_READ;
			break;
		case V_READ:
			eof = 0;
			if (v->resplen == RESP_CAP) {
				count_err(v->reqs[v->cur].kind, "too-large");
				visit_end(v, 0);
				return;
			}
			n = tls_read(v->tls, v->resp + v->resplen,
			    RESP_CAP - v->resplen);
			if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT) {
				want(v, n == TLS_WANT_POLLIN ? EV_READ :
				    EV_WRITE);
				return;
			}
			if (n == -1 || n == 0)
				eof = 1;
			else
				v->resplen += (size_t)n;
			memset(&hr, 0, sizeof(hr));
			hr.body = body;
			hr.body_cap = sizeof(body);
			res = http_response_parse(v->resp, v->resplen, eof,
			    &hr, &err);
			if (res == HTTP_MORE)
				break;
			if (res == HTTP_ERROR) {
				count_err(v->reqs[v->cur].kind, v->resplen ?
				    "bad-response" : "closed");
				visit_end(v, 1 + frand());
				return;
			}
			n = answer(v, &hr);
			if (n == 0)
				return;
			break;
		}
	}
}

static void
visit_start(struct gw *g)
{
	struct visit	*v;
	int		 i, large;

	if ((v = calloc(1, sizeof(*v))) == NULL ||
	    (v->resp = malloc(RESP_CAP)) == NULL)
		err(1, NULL);
	v->g = g;
	v->fd = -1;
	g->visiting = 1;
	if (g->upload_due && now_s() >= g->upload_at) {
		if (!g->tried)
			g->cycle++;	/* the same cycle when sent again */
		g->tried = 1;
		large = L.nlparts > 0 && g->idx % 100 < L.large;
		for (i = 0; i < (large ? L.nlparts : L.nparts); i++) {
			v->reqs[v->nreq].kind = K_UPLOAD;
			v->reqs[v->nreq].large = large;
			v->reqs[v->nreq++].part = i;
		}
	}
	for (i = 0; i < L.perconn; i++)
		v->reqs[v->nreq++].kind = K_CHECKIN;
	if ((v->ev = event_new(L.base, -1, 0, on_io, v)) == NULL)
		errx(1, "event_new");
	TAILQ_INSERT_TAIL(&L.active, v, entry);
	L.nactive++;
	L.visits++;
	if (conn_open(v) == -1) {
		count_err(K_HANDSHAKE, "connect");
		visit_end(v, 1 + frand());
		return;
	}
	req_build(v);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct timeval	 tv = { 0, 5000 };
	double		 t = now_s();

	if (t >= L.duration || (L.endall && L.served == L.n))
		L.stopping = 1;
	while (!L.stopping && L.nheap > 0 && L.heap[0]->next <= t &&
	    L.nactive < L.conc)
		visit_start(heap_pop());
	if (L.stopping && L.nactive == 0) {
		event_base_loopbreak(L.base);
		return;
	}
	if (t > L.duration + REQ_DEADLINE + 5) {
		event_base_loopbreak(L.base);
		return;
	}
	evtimer_add(L.tick, &tv);
}

/*
 * The report.
 */

static int
cmp_d(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(struct samples *s, double p)
{
	size_t	 i;

	if (s->n == 0)
		return NAN;
	i = (size_t)ceil(p / 100 * (double)s->n);
	return s->v[i > 0 ? i - 1 : 0];
}

/*
 * CPU seconds of pid and its descendants (reaped ones in cutime); the
 * process alone in *self when not NULL
 */
static double
cpu_tree(int pid, double *self)
{
	char		 path[64], buf[1024], *p;
	unsigned long	 ut, st;
	long		 cut, cst, ppid;
	double		 total = 0;
	DIR		*d;
	struct dirent	*de;
	FILE		*fp;
	int		 child;

	(void)snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return NAN;
	if (fgets(buf, sizeof(buf), fp) == NULL ||
	    (p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu "
	    "%lu %ld %ld", &ut, &st, &cut, &cst) != 4) {
		fclose(fp);
		return NAN;
	}
	fclose(fp);
	total = (double)(ut + st + (unsigned long)cut + (unsigned long)cst) /
	    (double)sysconf(_SC_CLK_TCK);
	if (self != NULL)
		*self = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	if ((d = opendir("/proc")) == NULL)
		return total;
	while ((de = readdir(d)) != NULL) {
		if ((child = atoi(de->d_name)) <= 0)
			continue;
		(void)snprintf(path, sizeof(path), "/proc/%d/stat", child);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof(buf), fp) != NULL &&
		    (p = strrchr(buf, ')')) != NULL &&
		    sscanf(p + 2, "%*c %ld", &ppid) == 1 && ppid == pid) {
			fclose(fp);
			total += cpu_tree(child, NULL);
			continue;
		}
		fclose(fp);
	}
	closedir(d);
	return total;
}

static long
rss_kib(int pid, const char *field)
{
	char	 path[64], line[256];
	FILE	*fp;
	long	 v = -1;

	(void)snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, field, strlen(field)) == 0)
			v = atol(line + strlen(field));
	fclose(fp);
	return v;
}

static void
report(double secs)
{
	uint64_t	 reqs = L.ok[K_CHECKIN] + L.ok[K_UPLOAD];
	FILE		*fp;
	double		 cpu, self;
	int		 k, i, pending = 0;

	printf("loadgen: %d gateways, a document of %zu bytes, %d%% of "
	    "them %d parts, %s, %.1f s\n", L.n, L.partlen[0],
	    L.nlparts ? L.large : 0, L.nlparts,
	    L.keep ? "keep-alive" : "a connection per request", secs);
	printf("visits %" PRIu64 ", connections %" PRIu64 ", requests %"
	    PRIu64 " (%.1f/s), check-ins %" PRIu64 " (%.1f/s), uploads %"
	    PRIu64 " (%.1f/s)\n", L.visits, L.conns, reqs, reqs / secs,
	    L.ok[K_CHECKIN], L.ok[K_CHECKIN] / secs, L.ok[K_UPLOAD],
	    L.ok[K_UPLOAD] / secs);
	printf("receipts verified %" PRIu64 ", duplicates %" PRIu64
	    ", 503 answers %" PRIu64 "\n", L.receipts, L.dup, L.busy);
	printf("gateways served (a check-in answered) %d of %d, the last "
	    "%.1f s after the start\n", L.served, L.n, L.last_served);
	for (i = 0; i < L.n; i++)
		pending += L.gws[i].tried && L.gws[i].upload_due;
	printf("documents sent and not yet receipted (refused or failed, "
	    "to be sent again): %d\n", pending);
	for (k = 0; k < K_MAX; k++) {
		qsort(L.lat[k].v, L.lat[k].n, sizeof(double), cmp_d);
		printf("latency %-9s n %-8zu p50 %7.2f ms  p95 %7.2f ms  p99 "
		    "%7.2f ms  max %7.2f ms  errors %" PRIu64 "\n",
		    kind_name[k], L.lat[k].n, pct(&L.lat[k], 50),
		    pct(&L.lat[k], 95), pct(&L.lat[k], 99),
		    pct(&L.lat[k], 100), L.errs[k]);
	}
	for (i = 0; i < L.nerr; i++)
		printf("error %s: %" PRIu64 "\n", L.errname[i], L.errcount[i]);
	for (i = 0; i < L.npids; i++) {
		cpu = cpu_tree(L.pids[i], &self) - L.cpu0[i];
		self -= L.self0[i];
		printf("node %d: cpu %.2f s (the server process %.2f s, its "
		    "workers the rest), %.3f ms per request, rss %ld KiB, "
		    "peak %ld KiB\n", L.pids[i], cpu, self,
		    reqs ? cpu * 1000 / (double)reqs / L.npids : NAN,
		    rss_kib(L.pids[i], "VmRSS:"),
		    rss_kib(L.pids[i], "VmHWM:"));
	}
	fflush(stdout);
	if (L.donefile != NULL && (fp = fopen(L.donefile, "w")) != NULL) {
		fprintf(fp, "requests %" PRIu64 "\nreceipts %" PRIu64
		    "\nuploads %" PRIu64 "\ncheckins %" PRIu64 "\nerrors %"
		    PRIu64 "\nduplicates %" PRIu64 "\n", reqs, L.receipts,
		    L.ok[K_UPLOAD], L.ok[K_CHECKIN], L.errs[K_CHECKIN] +
		    L.errs[K_UPLOAD] + L.errs[K_HANDSHAKE], L.dup);
		fclose(fp);
	}
}

static void
parse_list(char *s, int *out, int *n, int max, const char *what)
{
	char	*p;
	long	 v;

	while ((p = strsep(&s, ",")) != NULL) {
		if (*n == max)
			errx(1, "too many %s", what);
		v = strtol(p, NULL, 10);
		if (v <= 0 || v > 4194304)
			errx(1, "bad %s %s", what, p);
		out[(*n)++] = (int)v;
	}
}

static int
num(const char *s, int lo, int hi, const char *what)
{
	char	*end;
	long	 v;

	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		errx(1, "%s %s: from %d to %d", what, s, lo, hi);
	return (int)v;
}

static void
usage(void)
{
	fprintf(stderr, "usage: loadgen -c cadir -C certdir -f doc "
	    "[-g part...] [-L percent] -p port[,port]\n"
	    "\t[-n gateways] [-m interval] [-s storm] [-u window] "
	    "[-d seconds] [-e]\n\t[-j concurrency] [-k] [-r checkins] "
	    "[-P pid[,pid]] [-x done-file]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct timeval	 tv = { 0, 0 };
	char		 path[1024];
	double		 secs;
	int		 ch, i;

	L.n = 20;
	L.interval = 600;
	L.duration = 10;
	L.conc = 32;
	L.upwin = -1;
	L.large = 10;
	L.perconn = 1;
	/* a write to a node killed meanwhile is an error, not our death */
	(void)signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt(argc, argv, "c:C:d:ef:g:j:kL:m:n:p:P:r:s:u:x:")) !=
	    -1) {
		switch (ch) {
		case 'c': L.cadir = optarg; break;
		case 'C': L.certdir = optarg; break;
		case 'd': L.duration = num(optarg, 1, 86400, "duration"); break;
		case 'e': L.endall = 1; break;
		case 'f':
			if (L.nparts == 1)
				errx(1, "one document (-f); parts with -g");
			if (L.nparts == MAX_PARTS)
				errx(1, "more than %d parts", MAX_PARTS);
			if ((L.part[L.nparts] = slurp(optarg,
			    &L.partlen[L.nparts])) == NULL)
				err(1, "%s", optarg);
			L.nparts++;
			break;
		case 'g':
			if (L.nlparts == MAX_PARTS)
				errx(1, "more than %d parts", MAX_PARTS);
			if ((L.lpart[L.nlparts] = slurp(optarg,
			    &L.lpartlen[L.nlparts])) == NULL)
				err(1, "%s", optarg);
			L.nlparts++;
			break;
		case 'L': L.large = num(optarg, 0, 100, "percent"); break;
		case 'j': L.conc = num(optarg, 1, 4096, "concurrency"); break;
		case 'k': L.keep = 1; break;
		case 'r': L.perconn = num(optarg, 1, MAX_PERCONN,
			    "check-ins a visit"); break;
		case 'm': L.interval = num(optarg, 1, 86400, "interval"); break;
		case 'n': L.n = num(optarg, 1, 100000, "gateways"); break;
		case 'p':
			parse_list(optarg, L.ports, &L.nports, MAX_PORTS,
			    "ports");
			break;
		case 'P':
			parse_list(optarg, L.pids, &L.npids, MAX_PIDS, "pids");
			break;
		case 's': L.storm = num(optarg, 1, 86400, "storm"); break;
		case 'u': L.upwin = num(optarg, 0, 86400, "window"); break;
		case 'x': L.donefile = optarg; break;
		default: usage();
		}
	}
	if (L.cadir == NULL || L.certdir == NULL || L.nparts == 0 ||
	    L.nports == 0 || optind != argc)
		usage();
	if (L.upwin < 0)
		L.upwin = L.duration;
	(void)snprintf(path, sizeof(path), "%s/ca.crt", L.cadir);
	if ((L.ca = slurp(path, &L.calen)) == NULL)
		err(1, "%s", path);
	if ((L.gws = calloc((size_t)L.n, sizeof(*L.gws))) == NULL ||
	    (L.heap = calloc((size_t)L.n, sizeof(*L.heap))) == NULL)
		err(1, NULL);
	clock_gettime(CLOCK_MONOTONIC, &L.start);
	for (i = 0; i < L.n; i++) {
		L.gws[i].idx = i;
		(void)snprintf(L.gws[i].cn, sizeof(L.gws[i].cn), "lg-%05d", i);
		L.gws[i].cycle = (uint64_t)time(NULL);
		L.gws[i].upload_due = 1;
		L.gws[i].upload_at = frand() * L.upwin;
		/* the first check-in: spread over the interval, or a storm */
		L.gws[i].next = frand() * (L.storm ? L.storm : L.interval);
	}
	certs();
	if (tls_init() == -1)
		errx(1, "tls_init");
	clock_gettime(CLOCK_MONOTONIC, &L.start);
	for (i = 0; i < L.n; i++)
		heap_push(&L.gws[i]);
	for (i = 0; i < L.npids; i++)
		L.cpu0[i] = cpu_tree(L.pids[i], &L.self0[i]);
	TAILQ_INIT(&L.active);
	if ((L.base = event_base_new()) == NULL ||
	    (L.tick = evtimer_new(L.base, on_tick, NULL)) == NULL)
		errx(1, "libevent");
	evtimer_add(L.tick, &tv);
	event_base_dispatch(L.base);
	secs = now_s();
	if (secs > L.duration)
		secs = L.duration;
	if (L.endall && L.served == L.n)
		secs = L.last_served;
	report(secs);
	return L.errs[K_CHECKIN] + L.errs[K_UPLOAD] + L.errs[K_HANDSHAKE] >
	    0 ? 1 : 0;
}
