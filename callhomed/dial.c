/*
 * Dialing for uplinkd.  The parent connects to the one configured server,
 * or to the one configured proxy and asks it (CONNECT, optional Basic
 * authentication) for a tunnel to that server, and hands the connected
 * socket to uplinkd.  Nothing is dialed unless uploading is authorized.
 * The only bytes the parent reads from the network are the proxy's
 * answer, through proxy_response_status(), and, when the server or proxy
 * is given by name, the DNS answers for that name, through libevent's
 * evdns (resolvers from /etc/resolv.conf, names from /etc/hosts, both
 * read at start).  A configuration with numeric addresses makes no DNS
 * query at all.  Nothing here blocks: the lookup, the connect and the
 * proxy's answer are all events.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/dns.h>
#include <openssl/evp.h>

#include "callhomed.h"
#include "log.h"
#include "net.h"
#include "proxy.h"

#define CONNECT_TIMEOUT	10	/* seconds, per address */
#define PROXY_TIMEOUT	15	/* the proxy's answer */
#define DNS_TIMEOUT	"3"	/* seconds, per try */
#define DNS_ATTEMPTS	"2"

enum dial_stage { D_CONNECT, D_PROXY_WRITE, D_PROXY_READ };

struct dial {
	uint64_t		 job;
	enum dial_stage		 stage;
	struct evdns_getaddrinfo_request *dnsreq;	/* while resolving */
	int			 resolving;
	int			 abandoned;	/* freed when the lookup ends */
	struct addrinfo		*res, *cur;
	int			 fd;
	int			 proxy;
	char			 target[CONF_STR_MAX + 8];	/* host:port */
	char			 via[256];
	char			 proxyname[CONF_STR_MAX + 8];	/* host:port */
	char			 errors[256];
	char			 req[1024];
	size_t			 reqlen, reqoff;
	char			 resp[PROXY_MAX_RESPONSE];
	size_t			 resplen;
	struct event		*ev;
	struct callhomed	*ch;
};

static void	dial_next(struct dial *);

static void
dial_free(struct dial *d)
{
	if (d->ch->dial == d)
		d->ch->dial = NULL;
	if (d->resolving) {
		/* its callback comes with EVUTIL_EAI_CANCEL and frees it */
		d->abandoned = 1;
		evdns_getaddrinfo_cancel(d->dnsreq);
		return;
	}
	if (d->ev != NULL)
		event_free(d->ev);
	if (d->res != NULL)
		evutil_freeaddrinfo(d->res);
	if (d->fd != -1)
		close(d->fd);
	explicit_bzero(d->req, sizeof(d->req));
	free(d);
}

static void
answer(struct callhomed *ch, uint64_t job, int fd, const char *via,
    const char *error)
{
	struct msg_dial_result	 dr;

	memset(&dr, 0, sizeof(dr));
	dr.job = job;
	dr.ok = fd != -1;
	(void)strlcpy(dr.via, via ? via : "", sizeof(dr.via));
	(void)strlcpy(dr.error, error ? error : "", sizeof(dr.error));
	/* the descriptor goes with the message and is closed once sent */
	msg_dial_result_send(&ch->kids[PROC_UPLINKD].iev, &dr, fd);
	if (fd != -1)
		log_debug("dial for job %llu: connected via %s",
		    (unsigned long long)job, via);
	else
		log_warnx("dial for job %llu failed: %s",
		    (unsigned long long)job, error);
}

static void
dial_fail(struct dial *d, const char *fmt, ...)
    __attribute__((__format__(printf, 2, 3)));

static void
dial_fail(struct dial *d, const char *fmt, ...)
{
	char	 why[256];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	answer(d->ch, d->job, -1, d->via, why);
	dial_free(d);
}

static void
dial_success(struct dial *d)
{
	char	 via[sizeof(d->via)];
	int	 fd = d->fd;

	d->fd = -1;
	if (d->proxy)
		(void)snprintf(via, sizeof(via), "proxy %.240s", d->via);
	else
		(void)strlcpy(via, d->via, sizeof(via));
	answer(d->ch, d->job, fd, via, NULL);
	dial_free(d);
}

static void
note_error(struct dial *d, const char *fmt, ...)
    __attribute__((__format__(printf, 2, 3)));

static void
note_error(struct dial *d, const char *fmt, ...)
{
	size_t	 n = strlen(d->errors);
	va_list	 ap;

	if (n > 0 && n < sizeof(d->errors) - 2) {
		d->errors[n++] = ';';
		d->errors[n++] = ' ';
		d->errors[n] = '\0';
	}
	va_start(ap, fmt);
	(void)vsnprintf(d->errors + n, sizeof(d->errors) - n, fmt, ap);
	va_end(ap);
}

static void
wait_fd(struct dial *d, short what, int seconds, event_callback_fn cb)
{
	struct timeval	 tv = { seconds, 0 };

	if (d->ev != NULL)
		event_free(d->ev);
	if ((d->ev = event_new(d->ch->base, d->fd, what, cb, d)) == NULL ||
	    event_add(d->ev, &tv) == -1)
		fatalx("dial: event_add");
}

static void	proxy_io(evutil_socket_t, short, void *);

/* the proxy's answer: a 200 opens the tunnel */
static void
proxy_read(struct dial *d)
{
	ssize_t	 n;
	int	 code;

	n = read(d->fd, d->resp + d->resplen, sizeof(d->resp) - d->resplen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
		wait_fd(d, EV_READ, PROXY_TIMEOUT, proxy_io);
		return;
	}
	if (n <= 0) {
		dial_fail(d, "proxy %s closed the connection during CONNECT",
		    d->via);
		return;
	}
	d->resplen += (size_t)n;
	code = proxy_response_status(d->resp, d->resplen);
	if (code == 0) {
		wait_fd(d, EV_READ, PROXY_TIMEOUT, proxy_io);
		return;
	}
	if (code == -1)
		dial_fail(d, "proxy %s sent a malformed answer to CONNECT",
		    d->via);
	else if (code == 407 || code == 401)
		dial_fail(d, "proxy %s refused: authentication required or "
		    "wrong (%d)", d->via, code);
	else if (code != 200)
		dial_fail(d, "proxy %s refused CONNECT to %s: status %d",
		    d->via, d->target, code);
	else
		dial_success(d);
}

static void
proxy_io(evutil_socket_t fd, short ev, void *arg)
{
	struct dial	*d = arg;
	ssize_t		 n;

	if (ev & EV_TIMEOUT) {
		dial_fail(d, "proxy %s did not answer CONNECT in time",
		    d->via);
		return;
	}
	if (d->stage == D_PROXY_WRITE) {
		n = write(d->fd, d->req + d->reqoff, d->reqlen - d->reqoff);
		if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
			wait_fd(d, EV_WRITE, PROXY_TIMEOUT, proxy_io);
			return;
		}
		if (n <= 0) {
			dial_fail(d, "proxy %s: %s", d->via, strerror(errno));
			return;
		}
		d->reqoff += (size_t)n;
		if (d->reqoff < d->reqlen) {
			wait_fd(d, EV_WRITE, PROXY_TIMEOUT, proxy_io);
			return;
		}
		explicit_bzero(d->req, sizeof(d->req));
		d->stage = D_PROXY_READ;
	}
	proxy_read(d);
}

static int
proxy_request(struct dial *d, const struct server_conf *s)
{
	char		 cred[2 * CONF_STR_MAX + 2];
	unsigned char	 b64[((sizeof(cred) + 2) / 3) * 4 + 1];
	int		 n, clen;

	b64[0] = '\0';
	if (s->proxy_user[0] != '\0') {
		clen = snprintf(cred, sizeof(cred), "%s:%s", s->proxy_user,
		    s->proxy_pass);
		if (clen < 0 || (size_t)clen >= sizeof(cred))
			return -1;
		EVP_EncodeBlock(b64, (unsigned char *)cred, clen);
		explicit_bzero(cred, sizeof(cred));
	}
	n = snprintf(d->req, sizeof(d->req),
	    "CONNECT %s HTTP/1.1\r\nHost: %s\r\n%s%s%s\r\n", d->target,
	    d->target, b64[0] ? "Proxy-Authorization: Basic " : "",
	    (char *)b64, b64[0] ? "\r\n" : "");
	explicit_bzero(b64, sizeof(b64));
	if (n < 0 || (size_t)n >= sizeof(d->req))
		return -1;
	d->reqlen = (size_t)n;
	return 0;
}

/* the TCP connection is up: done, or talk to the proxy */
static void
connected(struct dial *d)
{
	const struct server_conf	*s = &d->ch->conf->server;

	if (d->res != NULL) {
		evutil_freeaddrinfo(d->res);
		d->res = d->cur = NULL;
	}
	if (!d->proxy) {
		dial_success(d);
		return;
	}
	if (proxy_request(d, s) == -1) {
		dial_fail(d, "proxy credentials too long");
		return;
	}
	d->stage = D_PROXY_WRITE;
	proxy_io(d->fd, EV_WRITE, d);
}

static void
connect_done(evutil_socket_t fd, short ev, void *arg)
{
	struct dial	*d = arg;
	socklen_t	 sl = sizeof(int);
	int		 err = 0;

	if (ev & EV_TIMEOUT)
		err = ETIMEDOUT;
	else if (getsockopt(d->fd, SOL_SOCKET, SO_ERROR, &err, &sl) == -1)
		err = errno;
	if (err != 0) {
		note_error(d, "%s: %s", d->via, strerror(err));
		close(d->fd);
		d->fd = -1;
		d->cur = d->cur->ai_next;
		dial_next(d);
		return;
	}
	connected(d);
}

/* try the next address of the name */
static void
dial_next(struct dial *d)
{
	struct addrinfo	*ai;

	for (ai = d->cur; ai != NULL; ai = ai->ai_next) {
		d->cur = ai;
		(void)addr_fmt(ai->ai_addr, d->via, sizeof(d->via));
		d->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (d->fd == -1) {
			note_error(d, "%s: socket: %s", d->via,
			    strerror(errno));
			continue;
		}
		if (connect(d->fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			connected(d);
			return;
		}
		if (errno == EINPROGRESS) {
			wait_fd(d, EV_WRITE, CONNECT_TIMEOUT, connect_done);
			return;
		}
		note_error(d, "%s: %s", d->via, strerror(errno));
		close(d->fd);
		d->fd = -1;
	}
	if (d->proxy)
		dial_fail(d, "cannot connect to proxy %s (for %s): %s",
		    d->proxyname, d->target, d->errors);
	else
		dial_fail(d, "cannot connect to %s: %s", d->target, d->errors);
}

/* the name is resolved (or not): connect to its addresses in turn */
static void
resolved(int err, struct evutil_addrinfo *res, void *arg)
{
	struct dial	*d = arg;

	d->resolving = 0;
	d->dnsreq = NULL;
	if (d->abandoned) {
		if (res != NULL)
			evutil_freeaddrinfo(res);
		dial_free(d);
		return;
	}
	if (err != 0) {
		dial_fail(d, "cannot resolve %s%s: %s", d->proxy ? "proxy " :
		    "", d->proxy ? d->proxyname : d->target,
		    evutil_gai_strerror(err));
		return;
	}
	d->res = d->cur = res;
	d->stage = D_CONNECT;
	dial_next(d);
}

/* before the sandbox: the resolvers and the hosts file */
void
dial_init(struct callhomed *ch)
{
	if ((ch->dns = evdns_base_new(ch->base,
	    EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE)) == NULL)
		fatalx("evdns_base_new");
	if (evdns_base_set_option(ch->dns, "timeout:", DNS_TIMEOUT) == -1 ||
	    evdns_base_set_option(ch->dns, "attempts:", DNS_ATTEMPTS) == -1)
		fatalx("evdns_base_set_option");
}

void
dial_cleanup(struct callhomed *ch)
{
	if (ch->dial != NULL)
		dial_free(ch->dial);
	if (ch->dns != NULL)
		evdns_base_free(ch->dns, 1);
	ch->dns = NULL;
}

void
dial_request(struct callhomed *ch, struct imsg *m)
{
	const struct server_conf	*s = &ch->conf->server;
	struct msg_dial_req		 dr;
	struct evutil_addrinfo		 hints;
	struct evdns_getaddrinfo_request *req;
	struct dial			*d;
	char				 port[8];
	const char			*host;

	if (msg_dial_req_decode(m->data, m->len, &dr) == -1)
		fatalx("bad DIAL_REQ from uplinkd");
	if (ch->dial != NULL) {
		/* uplinkd gave up on the previous one */
		log_debug("dial for job %llu abandoned",
		    (unsigned long long)ch->dial->job);
		dial_free(ch->dial);
	}
	if (!ch->conf->authorize_upload) {
		answer(ch, dr.job, -1, NULL, "uploading is not authorized "
		    "(authorize upload no)");
		return;
	}
	if (!ch->conf->have_server) {
		answer(ch, dr.job, -1, NULL, "no server configured");
		return;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		fatal(NULL);
	d->ch = ch;
	d->job = dr.job;
	d->fd = -1;
	/* each fits: a name of CONF_STR_MAX, brackets and ":65535" */
	if (hostport_fmt(d->target, sizeof(d->target), s->name, s->port) ==
	    -1 || hostport_fmt(d->proxyname, sizeof(d->proxyname), s->proxy,
	    s->proxy_port) == -1)
		fatalx("dial: server name too long");
	d->proxy = s->proxy[0] != '\0';
	host = d->proxy ? s->proxy : s->name;
	(void)snprintf(port, sizeof(port), "%u", d->proxy ? s->proxy_port :
	    s->port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	ch->dial = d;
	/* a numeric address or a name of the hosts file answers at once */
	d->resolving = 1;
	req = evdns_getaddrinfo(ch->dns, host, port, &hints, resolved, d);
	if (d->resolving)
		d->dnsreq = req;
}
