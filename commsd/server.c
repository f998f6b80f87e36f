/*
 * commsd's server: listening sockets, libtls (a client certificate from
 * the client CA is required), one bounded HTTP/1.1 request per
 * connection, deadlines for each phase, bounds on the connections and on
 * the memory their documents hold.
 *
 * A connection goes through
 *
 *	HANDSHAKE  ("handshake timeout" from accept)
 *	READ       the head (COMMS_HEADER_TIMEOUT from the handshake's end),
 *	           then the body (COMMS_BODY_TIMEOUT from the head's end);
 *	           "100 Continue" (CONTINUE) when the client expects it
 *	CHECK      the document is with a worker (worker.h), under the
 *	           pool's deadline
 *	DELAY      only with "fault delay"
 *	WRITE      the answer (COMMS_WRITE_TIMEOUT)
 *	SHUTDOWN   TLS close_notify
 *	LINGER     after a refusal before the body was read: the rest of
 *	           what the client sends is read and thrown away for a
 *	           moment, so that closing does not reset the connection
 *	           before the client has read the answer
 *
 * and is then closed, or, with keep-alive ("keep-alive timeout", "keep-
 * alive requests"), goes back to READ for the next request: idle until
 * the keep-alive timeout, then under the head's deadline again.  It is
 * closed after an answer when keep-alive is off, the client said
 * "Connection: close", the connection has served its requests, or the
 * request was refused before its body was read.  A request that misses
 * its deadline is answered 408; a handshake that misses it is closed;
 * an idle connection that reaches its timeout is closed, and so is the
 * idle connection of longest standing when a gateway's new one would
 * find no room ("max connections", "max connections per gateway").
 *
 * TLS sessions may be resumed ("session lifetime"): session tickets
 * whose keys are random, made at start and again every lifetime, in
 * memory only (libtls keeps the last four; each is wiped here once
 * libtls has its copy).  The client certificate of a resumed session is
 * the one of its full handshake.  Debian 12's libtls makes no ticket
 * (commsd.8): there every handshake is a full one.
 *
 * Anybody who reaches the port can open connections, so those that have
 * not completed their handshake have a budget of their own ("max
 * handshakes"), of which one address (an IPv6 /64) may hold only "max
 * handshakes per address"; when it is full, a new connection takes the
 * place of the oldest that has sent nothing yet, or else of the oldest
 * if it has been at it for more than a second: idle connections cannot
 * keep a gateway out, and a flood of them cannot close a gateway's
 * handshake in progress.  Only gateways that completed
 * the handshake count against "max connections", and one gateway (a
 * certificate's CN) against "max connections per gateway"; beyond them
 * they are answered 503.
 *
 * The documents in memory (the bodies, the inflated documents, the room
 * for a worker's extract) are bounded by "max inflight", of which one
 * gateway may hold half: a request that would need more is answered 503
 * with Retry-After, before its body is read.  Every connection, TLS
 * failure, upload and refusal is a record of the transaction log, with
 * one bound: anyone who reaches the port can fail a handshake, and each
 * record is a synchronous write on the one thread that serves everybody,
 * so TLS failures beyond COMMS_TLS_FAIL_BURST in an interval are only
 * counted, and the count is one record at the interval's end.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <tls.h>

#include "commsd.h"
#include "check.h"
#include "digest.h"
#include "http.h"
#include "log.h"
#include "net.h"
#include "txlog.h"
#include "worker.h"

#define LINGER_SECONDS		2
#define LINGER_MAX		(1024 * 1024)	/* bytes thrown away */
#define ACCEPT_BURST		16
#define HS_EVICT_AGE_MS		1000	/* a handshake safe from eviction */
#define COMMS_DRAIN_MS		2000	/* answers out, the database lost */

enum conn_state {
	C_HANDSHAKE,
	C_READ,
	C_CONTINUE,
	C_CHECK,
	C_DELAY,
	C_DRIP,		/* "fault drip": between two bytes */
	C_WRITE,
	C_SHUTDOWN,
	C_LINGER
};

struct comms_conn {
	TAILQ_ENTRY(comms_conn)	 entry;
	TAILQ_ENTRY(comms_conn)	 hs_entry;	/* in its handshake */
	struct comms_server	*sv;
	uint64_t		 id;
	int			 fd;
	uint8_t			 block[9];	/* family, address or /64 */
	struct tls		*tls;
	enum conn_state		 state;
	struct event		*ev;
	struct timespec		 deadline;
	struct comms_peer	 peer;
	int			 in_handshake;
	int			 hs_active;	/* it has sent something */
	struct timespec		 accepted;
	int			 continue_sent;
	int			 linger;	/* unread input is likely */
	size_t			 drained;
	struct wbuf		 out;
	size_t			 outoff;
	struct comms_http	 req;
	size_t			 reserved;	/* of "max inflight" */
	struct comms_work	 work;
	struct comms_result	 res;
	struct comms_job	*job;
	size_t			 drip;	/* "fault drip": the body from here */
	unsigned int		 nreq;	/* requests answered or being */
	int			 keep;	/* open after this answer */
	int			 client_close;	/* it said "Connection: close" */
	int			 resumed;	/* its TLS session */
	uint8_t			*rest;	/* read beyond the last request */
	size_t			 restlen;
};

struct comms_server {
	const struct comms_conf	*conf;
	struct event_base	*base;
	struct tls_config	*tlscfg;
	struct tls		*tls;
	int			 lfd[COMMS_MAX_LISTEN];
	struct event		*lev[COMMS_MAX_LISTEN];
	size_t			 nlisten;
	struct event		*resume;	/* accept again after EMFILE */
	struct event		*sig[3];
	TAILQ_HEAD(, comms_conn) conns;
	TAILQ_HEAD(, comms_conn) handshakes;	/* oldest first */
	unsigned int		 nconns;	/* handshake done */
	unsigned int		 nhandshakes;
	uint64_t		 nextid;
	uint64_t		 refused;	/* closed at once */
	uint64_t		 evicted;	/* oldest handshakes closed */
	uint64_t		 busy;		/* answered 503 */
	uint64_t		 requests;	/* answered */
	uint64_t		 resumed;	/* TLS sessions resumed */
	uint64_t		 idle_closed;	/* keep-alive connections */
	uint32_t		 keyrev;	/* the last ticket key's */
	struct event		*rekey;
	struct event		*drain;		/* the database is lost */
	time_t			 refused_logged;
	size_t			 inflight;	/* reserved, of max_inflight */
	size_t			 inflight_peak;
	struct comms_pool	*pool;
	struct event		*tlsfail_end;	/* the end of an interval */
	unsigned int		 tlsfail_logged;	/* records in it */
	uint64_t		 tlsfail_unlogged;	/* failures beyond */
	struct comms_ctx	 ctx;
	char			 instructions[COMMS_STR_MAX];	/* chroot's */
	char			 packages[COMMS_STR_MAX];
};

static void	conn_step(struct comms_conn *);
static void	conn_read(struct comms_conn *);
static void	conn_write(struct comms_conn *);
static void	conn_free(struct comms_conn *);
static void	conn_shutdown(struct comms_conn *);
static void	conn_start_write(struct comms_conn *);

/*
 * Start-up, before the sandbox.
 */

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct comms_server	*sv = arg;

	switch (sig) {
	case SIGHUP:
		log_info("SIGHUP ignored: restart commsd to read its "
		    "configuration again");
		break;
	default:
		log_info("signal %d: exiting", (int)sig);
		event_base_loopbreak(sv->base);
		break;
	}
}

/* a new session ticket key: random, and only in libtls's memory */
static void
ticket_rekey(struct comms_server *sv)
{
	uint8_t	 key[TLS_TICKET_KEY_SIZE];

	arc4random_buf(key, sizeof(key));
	if (tls_config_add_ticket_key(sv->tlscfg, ++sv->keyrev, key,
	    sizeof(key)) == -1)
		fatalx("session ticket key: %s", tls_config_error(sv->tlscfg));
	explicit_bzero(key, sizeof(key));
}

static void
on_rekey(evutil_socket_t fd, short what, void *arg)
{
	struct comms_server	*sv = arg;
	struct timeval		 tv = { sv->conf->session_lifetime, 0 };

	ticket_rekey(sv);
	log_debug("session ticket key %u", sv->keyrev);
	evtimer_add(sv->rekey, &tv);
}

/* warn when the server's own certificate is not valid now */
static void
check_own_cert(const uint8_t *pem, size_t len)
{
	BIO	*bio;
	X509	*x;

	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		fatalx("BIO_new_mem_buf");
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL)
		fatalx("certificate: no PEM certificate");
	if (X509_cmp_current_time(X509_get0_notAfter(x)) <= 0)
		log_warnx("WARNING: the server certificate has expired: "
		    "gateways will refuse it");
	else if (X509_cmp_current_time(X509_get0_notBefore(x)) >= 0)
		log_warnx("WARNING: the server certificate is not valid yet: "
		    "gateways will refuse it");
	X509_free(x);
}

struct comms_server *
comms_server_new(const struct comms_conf *conf, struct comms_tls_files *f)
{
	static const int	 sigs[3] = { SIGTERM, SIGINT, SIGHUP };
	struct comms_server	*sv;
	uint32_t		 protos = 0;
	uint8_t			 sid[TLS_MAX_SESSION_ID_LENGTH];
	int			 i;

	if ((sv = calloc(1, sizeof(*sv))) == NULL)
		fatal(NULL);
	sv->conf = conf;
	TAILQ_INIT(&sv->conns);
	TAILQ_INIT(&sv->handshakes);
	for (i = 0; i < COMMS_MAX_LISTEN; i++)
		sv->lfd[i] = -1;

	if (tls_init() == -1)
		fatalx("tls_init");
	if ((sv->tlscfg = tls_config_new()) == NULL)
		fatalx("tls_config_new");
	if (conf->protocols & COMMS_TLSV1_2)
		protos |= TLS_PROTOCOL_TLSv1_2;
	if (conf->protocols & COMMS_TLSV1_3)
		protos |= TLS_PROTOCOL_TLSv1_3;
	check_own_cert(f->cert, f->certlen);
	if (tls_config_set_protocols(sv->tlscfg, protos) == -1 ||
	    tls_config_set_keypair_mem(sv->tlscfg, f->cert, f->certlen,
	    f->key, f->keylen) == -1 ||
	    tls_config_set_ca_mem(sv->tlscfg, f->ca, f->calen) == -1 ||
	    tls_config_set_ciphers(sv->tlscfg, conf->ciphers) == -1 ||
	    tls_config_set_alpn(sv->tlscfg, "http/1.1") == -1)
		fatalx("TLS configuration: %s", tls_config_error(sv->tlscfg));
	tls_config_verify_client(sv->tlscfg);
	if (conf->session_lifetime > 0) {
		/* the id context of this server's sessions */
		arc4random_buf(sid, sizeof(sid));
		if (tls_config_set_session_id(sv->tlscfg, sid,
		    sizeof(sid)) == -1 || tls_config_set_session_lifetime(
		    sv->tlscfg, (int)conf->session_lifetime) == -1)
			fatalx("TLS sessions: %s", tls_config_error(
			    sv->tlscfg));
		ticket_rekey(sv);
	}
	if ((sv->tls = tls_server()) == NULL)
		fatalx("tls_server");
	if (tls_configure(sv->tls, sv->tlscfg) == -1)
		fatalx("TLS: %s", tls_error(sv->tls));
	/* the key lives in the TLS context now, and nowhere else */
	tls_config_clear_keys(sv->tlscfg);
	explicit_bzero(f->key, f->keylen);

	signal(SIGPIPE, SIG_IGN);
	if ((sv->base = event_base_new()) == NULL)
		fatalx("event_base_new");
	for (i = 0; i < 3; i++) {
		sv->sig[i] = evsignal_new(sv->base, sigs[i], on_signal, sv);
		if (sv->sig[i] == NULL || event_add(sv->sig[i], NULL) == -1)
			fatalx("evsignal_new");
	}
	return sv;
}

/* the configuration's listening sockets, bound as root: how many */
size_t
comms_listen_bind(const struct comms_conf *conf, int fds[COMMS_MAX_LISTEN])
{
	const struct comms_listen	*l;
	size_t				 i;
	int				 fd, one = 1;

	for (i = 0; i < conf->nlisten && i < COMMS_MAX_LISTEN; i++) {
		l = &conf->listen[i];
		fd = socket(l->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd == -1)
			fatal("socket");
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one)) == -1)
			fatal("setsockopt SO_REUSEADDR");
		if (l->ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
		    IPV6_V6ONLY, &one, sizeof(one)) == -1)
			fatal("setsockopt IPV6_V6ONLY");
		if (bind(fd, (const struct sockaddr *)&l->ss, l->sslen) == -1)
			fatal("bind %s port %u", l->addr, l->port);
		if (listen(fd, 128) == -1)
			fatal("listen %s port %u", l->addr, l->port);
		fds[i] = fd;
	}
	return i;
}

/* the server's listening sockets: those given, or bound now */
void
comms_server_listen(struct comms_server *sv, const int *fds, size_t n)
{
	size_t	 i;

	if (fds == NULL)
		n = comms_listen_bind(sv->conf, sv->lfd);
	else
		for (i = 0; i < n && i < COMMS_MAX_LISTEN; i++)
			sv->lfd[i] = fds[i];
	sv->nlisten = n;
}

void
comms_server_forked(struct comms_server *sv)
{
	if (event_reinit(sv->base) == -1)
		fatalx("event_reinit");
}

/*
 * Connections.
 */

static void
mono_now(struct timespec *ts)
{
	if (clock_gettime(CLOCK_MONOTONIC, ts) == -1)
		fatal("clock_gettime");
}

static void
set_deadline_ms(struct comms_conn *c, uint64_t ms)
{
	mono_now(&c->deadline);
	c->deadline.tv_sec += (time_t)(ms / 1000);
	c->deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (c->deadline.tv_nsec >= 1000000000L) {
		c->deadline.tv_sec++;
		c->deadline.tv_nsec -= 1000000000L;
	}
}

static void
set_deadline(struct comms_conn *c, int seconds)
{
	set_deadline_ms(c, (uint64_t)seconds * 1000);
}

static void
conn_cb(evutil_socket_t fd, short what, void *arg);

/* wait for the socket (EV_READ or EV_WRITE) until the deadline */
static void
conn_want(struct comms_conn *c, short what)
{
	struct timespec	 now;
	struct timeval	 tv;

	mono_now(&now);
	tv.tv_sec = tv.tv_usec = 0;
	if (now.tv_sec < c->deadline.tv_sec ||
	    (now.tv_sec == c->deadline.tv_sec &&
	    now.tv_nsec < c->deadline.tv_nsec)) {
		tv.tv_sec = c->deadline.tv_sec - now.tv_sec;
		if (c->deadline.tv_nsec >= now.tv_nsec)
			tv.tv_usec = (c->deadline.tv_nsec - now.tv_nsec) / 1000;
		else {
			tv.tv_sec--;
			tv.tv_usec = (1000000000L + c->deadline.tv_nsec -
			    now.tv_nsec) / 1000;
		}
	}
	event_del(c->ev);
	if (event_assign(c->ev, c->sv->base, c->fd, what, conn_cb, c) == -1 ||
	    event_add(c->ev, &tv) == -1)
		fatalx("event_add");
}

/* a TLS_WANT_POLLIN or _POLLOUT: wait for the socket and say 1 */
static int
conn_tls_wait(struct comms_conn *c, ssize_t r)
{
	if (r == TLS_WANT_POLLIN)
		conn_want(c, EV_READ);
	else if (r == TLS_WANT_POLLOUT)
		conn_want(c, EV_WRITE);
	else
		return 0;
	return 1;
}

static void
on_drained(evutil_socket_t fd, short what, void *arg)
{
	struct comms_server	*sv = arg;

	log_warnx("the database is lost: the server ends, to be started "
	    "again by commsd's keeper");
	event_base_loopbreak(sv->base);
}

/*
 * The database is gone (PostgreSQL: storage.h's lost): accept nothing
 * more (what waits in the listening sockets' backlog is for the next
 * server), give the answers being sent, all 503 by now, COMMS_DRAIN_MS,
 * then end (comms_server_run returns; commsd exits COMMS_EXIT_DBLOST).
 */
static void
db_check(struct comms_server *sv)
{
	struct timeval	 tv = { COMMS_DRAIN_MS / 1000,
			    (COMMS_DRAIN_MS % 1000) * 1000 };
	size_t		 i;

	if (sv->drain != NULL || sv->ctx.db == NULL ||
	    !comms_db_lost(sv->ctx.db))
		return;
	for (i = 0; i < sv->nlisten; i++)
		if (sv->lev[i] != NULL)
			event_del(sv->lev[i]);
	evtimer_del(sv->resume);
	if ((sv->drain = evtimer_new(sv->base, on_drained, sv)) == NULL ||
	    evtimer_add(sv->drain, &tv) == -1)
		fatalx("evtimer_new");
}

static void
log_record(struct comms_server *sv, const char *kind, const char *summary,
    struct comms_detail *dt)
{
	char	*detail;

	detail = comms_detail_end(dt);
	if (comms_db_log(sv->ctx.db, (int64_t)time(NULL), kind, summary,
	    detail) == -1) {
		log_warnx("transaction log: %s", comms_db_errmsg(sv->ctx.db));
		db_check(sv);
	}
	free(detail);
}

/* an interval of TLS failures is over: those not recorded, in one record */
static void
tls_failures_end(struct comms_server *sv)
{
	struct comms_detail	 dt;
	char			 summary[256];

	if (sv->tlsfail_unlogged > 0) {
		(void)snprintf(summary, sizeof(summary), "TLS failures: %"
		    PRIu64 " more within %d s, not recorded one by one",
		    sv->tlsfail_unlogged, COMMS_TLS_FAIL_INTERVAL);
		log_warnx("%s", summary);
		comms_detail_begin(&dt);
		json_kv_uint(&dt.j, "suppressed", sv->tlsfail_unlogged);
		json_kv_int(&dt.j, "interval", COMMS_TLS_FAIL_INTERVAL);
		json_kv_string(&dt.j, "error", summary);
		log_record(sv, COMMS_LOG_TLS_FAILURE, summary, &dt);
	}
	sv->tlsfail_logged = 0;
	sv->tlsfail_unlogged = 0;
}

static void
on_tlsfail_end(evutil_socket_t fd, short what, void *arg)
{
	tls_failures_end(arg);
}

static void
log_tls_failure(struct comms_conn *c, const char *why)
{
	struct comms_server	*sv = c->sv;
	struct comms_detail	 dt;
	struct timeval		 tv = { COMMS_TLS_FAIL_INTERVAL, 0 };
	char			 summary[512];

	(void)snprintf(summary, sizeof(summary), "TLS failure with %s: %s",
	    c->peer.address, why);
	log_warnx("%s", summary);
	if (sv->tlsfail_logged == 0 && evtimer_add(sv->tlsfail_end, &tv) == -1)
		fatalx("evtimer_add");
	if (sv->tlsfail_logged >= COMMS_TLS_FAIL_BURST) {
		sv->tlsfail_unlogged++;
		return;
	}
	sv->tlsfail_logged++;
	comms_detail_begin(&dt);
	comms_detail_peer(&dt, &c->peer);
	json_kv_uint(&dt.j, "connection", c->id);
	json_kv_string(&dt.j, "error", why);
	log_record(sv, COMMS_LOG_TLS_FAILURE, summary, &dt);
}

/* the client certificate: its subject's one CN, and its SHA-256 */
static int
conn_peer(struct comms_conn *c, char *why, size_t whylen)
{
	const uint8_t		*pem;
	const char		*s;
	BIO			*bio;
	X509			*x;
	X509_NAME		*name;
	ASN1_STRING		*data;
	unsigned char		*cn = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen, i;
	size_t			 len;
	int			 idx, n, r = -1;

	if (!tls_peer_cert_provided(c->tls) ||
	    (pem = tls_peer_cert_chain_pem(c->tls, &len)) == NULL) {
		(void)snprintf(why, whylen, "no client certificate");
		return -1;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		fatalx("BIO_new_mem_buf");
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL) {
		(void)snprintf(why, whylen, "unreadable client certificate");
		return -1;
	}
	if (X509_digest(x, EVP_sha256(), md, &mdlen) != 1 ||
	    mdlen != TXLOG_HASH_LEN)
		fatalx("X509_digest");
	digest_hex(md, c->peer.cert_sha256);
	name = X509_get_subject_name(x);
	if ((idx = X509_NAME_get_index_by_NID(name, NID_commonName,
	    -1)) < 0) {
		(void)snprintf(why, whylen, "client certificate without a "
		    "subject CN");
		goto done;
	}
	if (X509_NAME_get_index_by_NID(name, NID_commonName, idx) >= 0) {
		(void)snprintf(why, whylen, "client certificate with more "
		    "than one subject CN");
		goto done;
	}
	data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
	if ((n = ASN1_STRING_to_UTF8(&cn, data)) < 0) {
		(void)snprintf(why, whylen, "client certificate CN is not "
		    "text");
		goto done;
	}
	if (n == 0 || (size_t)n >= sizeof(c->peer.cn) ||
	    strlen((char *)cn) != (size_t)n) {
		(void)snprintf(why, whylen, "client certificate CN empty or "
		    "too long");
		goto done;
	}
	for (i = 0; i < (unsigned int)n; i++)
		if (cn[i] < 0x20 || cn[i] == 0x7f) {
			(void)snprintf(why, whylen, "client certificate CN "
			    "with control characters");
			goto done;
		}
	memcpy(c->peer.cn, cn, (size_t)n + 1);
	r = 0;
 done:
	OPENSSL_free(cn);
	X509_free(x);
	if ((s = tls_conn_version(c->tls)) != NULL)
		(void)strlcpy(c->peer.tls_version, s,
		    sizeof(c->peer.tls_version));
	if ((s = tls_conn_cipher(c->tls)) != NULL)
		(void)strlcpy(c->peer.cipher, s, sizeof(c->peer.cipher));
	return r;
}

static void
conn_start_write(struct comms_conn *c)
{
	const struct comms_conf	*conf = c->sv->conf;

	c->nreq++;
	c->sv->requests++;
	/* open after this answer, or not: the answer says which */
	c->keep = conf->keepalive_timeout_ms > 0 &&
	    c->nreq < conf->keepalive_requests && !c->linger &&
	    !c->client_close && comms_http_keep(&c->out) == 0;
	db_check(c->sv);
	if (c->sv->drain != NULL)
		c->keep = 0;	/* this server is ending */
	c->state = C_WRITE;
	c->outoff = 0;
	set_deadline(c, COMMS_WRITE_TIMEOUT);
	conn_write(c);
}

/* give back what the connection holds of "max inflight" */
static void
conn_release(struct comms_conn *c)
{
	c->sv->inflight -= c->reserved;
	c->reserved = 0;
}

/* what this connection's gateway holds: connections, bytes reserved */
static void
gateway_holds(struct comms_conn *c, unsigned int *nconns, size_t *bytes)
{
	struct comms_conn	*o;

	*nconns = 0;
	*bytes = 0;
	TAILQ_FOREACH(o, &c->sv->conns, entry) {
		if (o->in_handshake || strcmp(o->peer.cn, c->peer.cn) != 0)
			continue;
		(*nconns)++;
		*bytes += o->reserved;
	}
}

/*
 * The bytes of "max inflight" this connection may still hold: what is
 * left of it, and of its gateway's share.  One gateway may hold half of
 * it (at least two of the largest documents), so that one cannot keep
 * the others out.
 */
static size_t
conn_room(struct comms_conn *c)
{
	struct comms_server	*sv = c->sv;
	unsigned int		 nc;
	size_t			 share, mine, room;

	room = sv->conf->max_inflight - sv->inflight;
	share = sv->conf->max_inflight / 2;
	if (share < 2 * sv->conf->max_document)
		share = 2 * sv->conf->max_document;
	gateway_holds(c, &nc, &mine);
	if (mine >= share)
		return 0;
	return share - mine < room ? share - mine : room;
}

/* hold n bytes more of "max inflight": 0, or -1 when there is no room */
static int
conn_reserve(struct comms_conn *c, size_t n)
{
	struct comms_server	*sv = c->sv;

	if (n > conn_room(c))
		return -1;
	sv->inflight += n;
	c->reserved += n;
	if (sv->inflight > sv->inflight_peak)
		sv->inflight_peak = sv->inflight;
	return 0;
}

/* a refusal: logged, answered with a Fault, the input drained after */
static void
conn_refuse(struct comms_conn *c, int status, const char *reason)
{
	wbuf_reset(&c->out);
	comms_reject(&c->sv->ctx, &c->peer, &c->req, (int64_t)time(NULL),
	    status, reason, &c->out);
	if (status == 503)
		c->sv->busy++;
	/* nothing of the request is needed any more */
	comms_http_free(&c->req);
	comms_work_free(&c->work);
	conn_release(c);
	c->linger = 1;
	conn_start_write(c);
}

/* waiting for the next request on a kept connection, with none begun */
static int
conn_idle(const struct comms_conn *c)
{
	return c->state == C_READ && c->nreq > 0 && c->req.received == 0 &&
	    c->restlen == 0;
}

/*
 * Close the idle connection of longest standing (of the gateway cn, if
 * not NULL): 1, or 0 when there is none.
 */
static int
idle_close(struct comms_server *sv, const char *cn)
{
	struct comms_conn	*c;

	TAILQ_FOREACH(c, &sv->conns, entry)
		if (!c->in_handshake && conn_idle(c) &&
		    (cn == NULL || strcmp(c->peer.cn, cn) == 0))
			break;
	if (c == NULL)
		return 0;
	log_debug("connection %" PRIu64 " (%s): idle, closed for a new one",
	    c->id, c->peer.address);
	sv->idle_closed++;
	conn_free(c);
	return 1;
}

static void
conn_handshake(struct comms_conn *c)
{
	struct comms_server	*sv = c->sv;
	struct comms_detail	 dt;
	char			 why[256], summary[512];
	size_t			 mine;
	unsigned int		 nc;
	int			 r;

	r = tls_handshake(c->tls);
	if (conn_tls_wait(c, r))
		return;
	if (r == -1) {
		const char	*e = tls_error(c->tls);

		log_tls_failure(c, e != NULL ? e : "handshake failed");
		conn_free(c);
		return;
	}
	if (conn_peer(c, why, sizeof(why)) == -1) {
		log_tls_failure(c, why);
		conn_free(c);
		return;
	}
	/* a gateway now: out of the handshakes' budget, into the other */
	TAILQ_REMOVE(&sv->handshakes, c, hs_entry);
	c->in_handshake = 0;
	sv->nhandshakes--;
	sv->nconns++;
	if ((c->resumed = tls_conn_session_resumed(c->tls) == 1))
		sv->resumed++;
	(void)snprintf(summary, sizeof(summary), "connection from %s (%s), "
	    "%s, %s%s", c->peer.cn, c->peer.address, c->peer.tls_version,
	    c->peer.cipher, c->resumed ? ", resumed" : "");
	log_debug("%s", summary);
	comms_detail_begin(&dt);
	comms_detail_peer(&dt, &c->peer);
	json_kv_uint(&dt.j, "connection", c->id);
	json_kv_bool(&dt.j, "resumed", c->resumed);
	log_record(sv, COMMS_LOG_CONNECT, summary, &dt);

	c->state = C_READ;
	set_deadline(c, COMMS_HEADER_TIMEOUT);
	/* an idle connection makes room for a gateway's new one */
	if (sv->nconns > sv->conf->max_conns)
		idle_close(sv, NULL);
	gateway_holds(c, &nc, &mine);
	if (nc > sv->conf->max_conns_gw && idle_close(sv, c->peer.cn))
		gateway_holds(c, &nc, &mine);
	if (sv->nconns > sv->conf->max_conns) {
		(void)snprintf(why, sizeof(why), "more than %u connections: "
		    "try again later", sv->conf->max_conns);
		conn_refuse(c, 503, why);
		return;
	}
	if (nc > sv->conf->max_conns_gw) {
		(void)snprintf(why, sizeof(why), "more than %u connections "
		    "from this gateway: try again later",
		    sv->conf->max_conns_gw);
		conn_refuse(c, 503, why);
		return;
	}
	conn_read(c);
}

/* the answer is ready: send it (or, with a fault, do not, or later) */
static void
conn_answer(struct comms_conn *c)
{
	const struct comms_conf	*conf = c->sv->conf;
	struct timeval		 tv;

	if (conf->faults & COMMS_FAULT_CLOSE) {
		log_warnx("fault close: connection %" PRIu64 " closed without "
		    "an answer (%d)", c->id, c->res.status);
		c->state = C_SHUTDOWN;
		set_deadline(c, COMMS_WRITE_TIMEOUT);
		conn_shutdown(c);
		return;
	}
	if (conf->faults & COMMS_FAULT_DELAY) {
		log_warnx("fault delay: answering connection %" PRIu64
		    " in %u ms", c->id, conf->fault_delay_ms);
		c->state = C_DELAY;
		tv.tv_sec = conf->fault_delay_ms / 1000;
		tv.tv_usec = (conf->fault_delay_ms % 1000) * 1000;
		event_del(c->ev);
		if (event_assign(c->ev, c->sv->base, -1, 0, conn_cb, c) == -1 ||
		    event_add(c->ev, &tv) == -1)
			fatalx("event_add");
		return;
	}
	conn_start_write(c);
}

/* the worker's verdict on the document */
static void
conn_checked(void *arg, int status, const char *reason, uint8_t *extract,
    size_t extractlen)
{
	struct comms_conn	*c = arg;

	c->job = NULL;
	wbuf_reset(&c->out);
	(c->req.route == COMMS_ROUTE_CHECKIN ? comms_checkin_end :
	    comms_upload_end)(&c->sv->ctx, &c->peer, &c->req,
	    (int64_t)time(NULL), &c->work, status, reason, extract,
	    extractlen, &c->res, &c->out);
	free(extract);
	comms_http_free(&c->req);
	conn_release(c);
	conn_answer(c);
}

/* a package's file: at once, within the room this gateway has */
static void
conn_package(struct comms_conn *c)
{
	struct comms_server	*sv = c->sv;
	size_t			 hdr;

	if (comms_package(&sv->ctx, &c->peer, &c->req, (int64_t)time(NULL),
	    conn_room(c), &c->out) == 0) {
		(void)conn_reserve(c, c->out.len);	/* it had room */
		if (sv->conf->faults & COMMS_FAULT_DRIP) {
			hdr = (size_t)((uint8_t *)memmem(c->out.data,
			    c->out.len, "\r\n\r\n", 4) - c->out.data) + 4;
			c->drip = hdr;
			log_warnx("fault drip: connection %" PRIu64 " gets its "
			    "%zu bytes of body one a second", c->id,
			    c->out.len - hdr);
		}
	}
	comms_http_free(&c->req);
	conn_answer(c);
}

/* a whole request: inflate, hash, then to a worker */
static void
conn_process(struct comms_conn *c)
{
	struct comms_server	*sv = c->sv;
	size_t			 room;

	wbuf_reset(&c->out);
	event_del(c->ev);
	if (c->req.route == COMMS_ROUTE_PACKAGE) {
		conn_package(c);
		return;
	}
	room = conn_room(c);
	if (comms_upload_begin(&sv->ctx, &c->peer, &c->req,
	    (int64_t)time(NULL), room, &c->work, &c->res, &c->out) == -1) {
		if (c->res.status == 503)
			sv->busy++;
		comms_http_free(&c->req);
		conn_release(c);
		conn_answer(c);
		return;
	}
	/*
	 * The body became the inflated document (which had room while the
	 * body was held); then room for the extract
	 */
	if (c->req.gzip) {
		conn_release(c);
		if (conn_reserve(c, c->work.len) == -1) {
			conn_refuse(c, 503, "the server is busy: try again "
			    "later");
			return;
		}
	}
	if (conn_reserve(c, c->work.len) == -1) {
		conn_refuse(c, 503, "the server is busy: try again later");
		return;
	}
	c->state = C_CHECK;
	if ((c->job = comms_pool_submit(sv->pool, c->work.bytes, c->work.len,
	    c->peer.cn, conn_checked, c)) == NULL)
		conn_refuse(c, 503, "every document checker is busy: try "
		    "again later");
}

/*
 * Feed n bytes read to the request: 1 when the connection has moved on
 * (the request is complete or refused, or 100 Continue is being sent),
 * 0 for more.  What is beyond a complete request is kept for the next.
 */
static int
conn_feed(struct comms_conn *c, const uint8_t *buf, size_t n)
{
	enum comms_http_state	 before, st;
	size_t			 used;

	if (c->req.received == 0 && c->nreq > 0)
		set_deadline(c, COMMS_HEADER_TIMEOUT);	/* not idle now */
	before = c->req.state;
	st = comms_http_feed(&c->req, buf, n, &used);
	if (st == COMMS_HTTP_FAIL) {
		conn_refuse(c, c->req.status, c->req.error);
		return 1;
	}
	/* the head is complete: the body must have room */
	if (before == COMMS_HTTP_HEAD && st != COMMS_HTTP_HEAD &&
	    conn_reserve(c, (size_t)c->req.content_length) == -1) {
		conn_refuse(c, 503, "the server is busy: try again later");
		return 1;
	}
	if (st == COMMS_HTTP_DONE) {
		c->client_close = c->req.conn_close;
		if (used < n) {
			if ((c->rest = malloc(n - used)) == NULL)
				fatal(NULL);
			memcpy(c->rest, buf + used, n - used);
			c->restlen = n - used;
		}
		conn_process(c);
		return 1;
	}
	if (before == COMMS_HTTP_HEAD && st == COMMS_HTTP_BODY) {
		set_deadline(c, COMMS_BODY_TIMEOUT);
		if (c->req.expect_continue && c->req.bodylen == 0 &&
		    !c->continue_sent) {
			c->continue_sent = 1;
			wbuf_reset(&c->out);
			wbuf_bytes(&c->out, COMMS_HTTP_CONTINUE,
			    strlen(COMMS_HTTP_CONTINUE));
			c->outoff = 0;
			c->state = C_CONTINUE;
			conn_write(c);
			return 1;
		}
	}
	return 0;
}

static void
conn_read(struct comms_conn *c)
{
	uint8_t			 buf[16 * 1024];
	ssize_t			 n;

	if (c->restlen > 0) {
		/* the start of this request came with the last one */
		n = (ssize_t)c->restlen;
		memcpy(buf, c->rest, c->restlen);
		free(c->rest);
		c->rest = NULL;
		c->restlen = 0;
		if (conn_feed(c, buf, (size_t)n))
			return;
	}
	for (;;) {
		n = tls_read(c->tls, buf, sizeof(buf));
		if (conn_tls_wait(c, n))
			return;
		if ((n == -1 || n == 0) && conn_idle(c)) {
			/* the client closed a kept connection: its right */
			log_debug("connection %" PRIu64 " (%s): closed by the "
			    "client after %u requests", c->id,
			    c->peer.address, c->nreq);
			conn_free(c);
			return;
		}
		if (n == -1 || n == 0) {
			const char	*e = n == -1 ? tls_error(c->tls) : NULL;
			char		 why[300];

			(void)snprintf(why, sizeof(why), "connection %s after "
			    "%zu bytes, before the request was complete",
			    n == 0 ? "closed" : "failed", c->req.received);
			if (e != NULL)
				(void)snprintf(why + strlen(why),
				    sizeof(why) - strlen(why), ": %s", e);
			comms_reject(&c->sv->ctx, &c->peer, &c->req,
			    (int64_t)time(NULL), 400, why, NULL);
			conn_free(c);
			return;
		}
		if (conn_feed(c, buf, (size_t)n))
			return;
	}
}

/* the answer went: the next request, on the same connection */
static void
conn_next(struct comms_conn *c)
{
	struct comms_server	*sv = c->sv;

	wbuf_reset(&c->out);
	c->outoff = 0;
	comms_http_free(&c->req);
	comms_work_free(&c->work);
	conn_release(c);
	memset(&c->res, 0, sizeof(c->res));
	c->continue_sent = 0;
	c->drip = 0;
	c->keep = 0;
	comms_http_init(&c->req, sv->ctx.max_document, sv->conf->token);
	c->state = C_READ;
	set_deadline_ms(c, sv->conf->keepalive_timeout_ms);
	conn_read(c);
}

static void
conn_shutdown(struct comms_conn *c)
{
	int	 r;

	r = tls_close(c->tls);
	if (conn_tls_wait(c, r))
		return;
	if (!c->linger || shutdown(c->fd, SHUT_WR) == -1) {
		conn_free(c);
		return;
	}
	c->state = C_LINGER;
	set_deadline(c, LINGER_SECONDS);
	conn_want(c, EV_READ);
}

/* throw away what the client still sends, until it closes or time is up */
static void
conn_linger(struct comms_conn *c)
{
	uint8_t	 buf[16 * 1024];
	ssize_t	 n;

	for (;;) {
		n = read(c->fd, buf, sizeof(buf));
		if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
			conn_want(c, EV_READ);
			return;
		}
		if (n <= 0 || (c->drained += (size_t)n) > LINGER_MAX) {
			conn_free(c);
			return;
		}
	}
}

/* "fault drip": the next byte in a second */
static void
conn_drip(struct comms_conn *c)
{
	struct timeval	 tv = { 1, 0 };

	c->state = C_DRIP;
	event_del(c->ev);
	if (event_assign(c->ev, c->sv->base, -1, 0, conn_cb, c) == -1 ||
	    event_add(c->ev, &tv) == -1)
		fatalx("event_add");
}

static void
conn_write(struct comms_conn *c)
{
	ssize_t	 n;
	size_t	 len;

	while (c->outoff < c->out.len) {
		len = c->out.len - c->outoff;
		if (c->drip > 0 && c->outoff < c->drip)
			len = c->drip - c->outoff;	/* the head at once */
		else if (c->drip > 0) {
			if (c->outoff > c->drip) {
				c->drip++;	/* one byte went: wait */
				conn_drip(c);
				return;
			}
			len = 1;
		}
		n = tls_write(c->tls, c->out.data + c->outoff, len);
		if (conn_tls_wait(c, n))
			return;
		if (n == -1) {
			log_warnx("connection %" PRIu64 " (%s): writing the "
			    "answer: %s", c->id, c->peer.address,
			    tls_error(c->tls));
			conn_free(c);
			return;
		}
		c->outoff += (size_t)n;
	}
	if (c->state == C_CONTINUE) {
		/* back to the body, under its deadline */
		wbuf_reset(&c->out);
		c->outoff = 0;
		c->state = C_READ;
		conn_read(c);
		return;
	}
	if (c->keep) {
		conn_next(c);
		return;
	}
	c->state = C_SHUTDOWN;
	conn_shutdown(c);
}

static void
conn_timeout(struct comms_conn *c)
{
	char	 why[128];

	switch (c->state) {
	case C_HANDSHAKE:
		(void)snprintf(why, sizeof(why), "no TLS handshake within "
		    "%" PRIu64 " ms", c->sv->conf->handshake_timeout_ms);
		log_tls_failure(c, why);
		conn_free(c);
		break;
	case C_READ:
		if (conn_idle(c)) {
			/* kept open for nothing: closed, without a word */
			c->sv->idle_closed++;
			c->state = C_SHUTDOWN;
			set_deadline(c, COMMS_WRITE_TIMEOUT);
			conn_shutdown(c);
			break;
		}
		if (c->req.state == COMMS_HTTP_HEAD)
			(void)snprintf(why, sizeof(why), "request head not "
			    "complete within %d s", COMMS_HEADER_TIMEOUT);
		else
			(void)snprintf(why, sizeof(why), "request body not "
			    "complete within %d s", COMMS_BODY_TIMEOUT);
		comms_http_fail(&c->req, 408, "%s", why);
		conn_refuse(c, 408, why);
		break;
	case C_LINGER:
		conn_free(c);
		break;
	default:
		log_warnx("connection %" PRIu64 " (%s): the answer could not "
		    "be sent within %d s", c->id, c->peer.address,
		    COMMS_WRITE_TIMEOUT);
		conn_free(c);
		break;
	}
}

static void
conn_step(struct comms_conn *c)
{
	switch (c->state) {
	case C_HANDSHAKE:
		conn_handshake(c);
		break;
	case C_READ:
		conn_read(c);
		break;
	case C_DELAY:
		conn_start_write(c);
		break;
	case C_DRIP:
		c->state = C_WRITE;
		conn_write(c);
		break;
	case C_CHECK:
		break;			/* the pool calls conn_checked() */
	case C_CONTINUE:
	case C_WRITE:
		conn_write(c);
		break;
	case C_SHUTDOWN:
		conn_shutdown(c);
		break;
	case C_LINGER:
		conn_linger(c);
		break;
	}
}

static void
conn_cb(evutil_socket_t fd, short what, void *arg)
{
	struct comms_conn	*c = arg;

	if (what & (EV_READ | EV_WRITE))
		c->hs_active = 1;
	if ((what & EV_TIMEOUT) && c->state != C_DELAY && c->state != C_DRIP)
		conn_timeout(c);
	else
		conn_step(c);
}

static void
conn_free(struct comms_conn *c)
{
	struct comms_server	*sv = c->sv;

	if (c->job != NULL)
		comms_pool_cancel(sv->pool, c->job);
	if (c->ev != NULL)
		event_free(c->ev);
	if (c->tls != NULL)
		tls_free(c->tls);
	if (c->fd != -1)
		close(c->fd);
	comms_http_free(&c->req);
	comms_work_free(&c->work);
	conn_release(c);
	wbuf_free(&c->out);
	free(c->rest);
	TAILQ_REMOVE(&sv->conns, c, entry);
	if (c->in_handshake) {
		TAILQ_REMOVE(&sv->handshakes, c, hs_entry);
		sv->nhandshakes--;
	} else
		sv->nconns--;
	free(c);
}

/*
 * What counts as one address for "max handshakes per address": an IPv4
 * address, or an IPv6 /64 (what one site is usually given).
 */
static void
addr_block(const struct sockaddr_storage *ss, uint8_t block[9])
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	memset(block, 0, 9);
	block[0] = (uint8_t)ss->ss_family;
	if (ss->ss_family == AF_INET) {
		sin = (const struct sockaddr_in *)ss;
		memcpy(block + 1, &sin->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)ss;
		memcpy(block + 1, &sin6->sin6_addr, 8);
	}
}

/* milliseconds since the connection was accepted */
static uint64_t
conn_age_ms(const struct comms_conn *c, const struct timespec *now)
{
	if (now->tv_sec < c->accepted.tv_sec)
		return 0;
	return (uint64_t)(now->tv_sec - c->accepted.tv_sec) * 1000 +
	    (uint64_t)((now->tv_nsec - c->accepted.tv_nsec) / 1000000);
}

/* it has sent something, or something waits to be read */
static int
conn_has_input(struct comms_conn *c)
{
	int	 n = 0;

	if (!c->hs_active && ioctl(c->fd, FIONREAD, &n) == 0 && n > 0)
		c->hs_active = 1;
	return c->hs_active;
}

/*
 * The handshake to close for a new connection when they are all taken:
 * the oldest that has sent nothing at all, or else the oldest, if it has
 * been at it for more than HS_EVICT_AGE_MS; or none, and the new one is
 * closed.  A gateway's handshake takes a few round trips: it is safe from
 * a flood of idle connections as soon as its first message arrives, and
 * from slow ones for a second.
 */
static struct comms_conn *
handshake_victim(struct comms_server *sv)
{
	struct comms_conn	*c;
	struct timespec		 now;

	TAILQ_FOREACH(c, &sv->handshakes, hs_entry)
		if (!conn_has_input(c))
			return c;
	mono_now(&now);
	c = TAILQ_FIRST(&sv->handshakes);
	if (c != NULL && conn_age_ms(c, &now) >= HS_EVICT_AGE_MS)
		return c;
	return NULL;
}

/* a new connection may start its handshake: 1, or 0 when refused */
static int
handshake_room(struct comms_server *sv, const uint8_t block[9])
{
	struct comms_conn	*c, *oldest;
	unsigned int		 same = 0;

	TAILQ_FOREACH(c, &sv->handshakes, hs_entry)
		if (memcmp(c->block, block, sizeof(c->block)) == 0)
			same++;
	if (same >= sv->conf->max_handshakes_addr) {
		sv->refused++;
		return 0;
	}
	if (sv->nhandshakes < sv->conf->max_handshakes)
		return 1;
	if ((oldest = handshake_victim(sv)) == NULL) {
		sv->refused++;
		return 0;
	}
	sv->evicted++;
	log_debug("connection %" PRIu64 " (%s): handshake not complete, "
	    "closed for a new connection", oldest->id, oldest->peer.address);
	conn_free(oldest);
	return 1;
}

static void
conn_new(struct comms_server *sv, int fd, const struct sockaddr_storage *ss)
{
	struct comms_conn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("connection");
		close(fd);
		return;
	}
	c->sv = sv;
	c->fd = fd;
	c->id = ++sv->nextid;
	mono_now(&c->accepted);
	addr_block(ss, c->block);
	TAILQ_INSERT_TAIL(&sv->conns, c, entry);
	TAILQ_INSERT_TAIL(&sv->handshakes, c, hs_entry);
	c->in_handshake = 1;
	sv->nhandshakes++;
	wbuf_init(&c->out);
	comms_http_init(&c->req, sv->ctx.max_document, sv->conf->token);
	(void)addr_fmt((const struct sockaddr *)ss, c->peer.address,
	    sizeof(c->peer.address));
	if ((c->ev = event_new(sv->base, -1, 0, conn_cb, c)) == NULL)
		fatalx("event_new");
	if (tls_accept_socket(sv->tls, &c->tls, fd) == -1) {
		log_tls_failure(c, tls_error(sv->tls));
		conn_free(c);
		return;
	}
	c->state = C_HANDSHAKE;
	set_deadline_ms(c, sv->conf->handshake_timeout_ms);
	conn_handshake(c);
}

static void
listeners_enable(struct comms_server *sv, int on)
{
	size_t	 i;

	for (i = 0; i < sv->nlisten; i++)
		if (on)
			event_add(sv->lev[i], NULL);
		else
			event_del(sv->lev[i]);
}

static void
on_resume(evutil_socket_t fd, short what, void *arg)
{
	listeners_enable(arg, 1);
}

static void
on_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct comms_server	*sv = arg;
	struct sockaddr_storage	 ss;
	struct timeval		 tv = { 1, 0 };
	socklen_t		 len;
	time_t			 now;
	uint8_t			 block[9];
	int			 fd, i;

	for (i = 0; i < ACCEPT_BURST; i++) {
		len = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				log_warn("accept: pausing for a second");
				listeners_enable(sv, 0);
				evtimer_add(sv->resume, &tv);
			} else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("accept");
			return;
		}
		addr_block(&ss, block);
		if (!handshake_room(sv, block)) {
			close(fd);
			now = time(NULL);
			if (now - sv->refused_logged >= 10) {
				log_warnx("%u handshakes in progress, %u from "
				    "one address at most: closing new "
				    "connections (%" PRIu64 " so far, %"
				    PRIu64 " evicted)", sv->nhandshakes,
				    sv->conf->max_handshakes_addr,
				    sv->refused, sv->evicted);
				sv->refused_logged = now;
			}
			continue;
		}
		conn_new(sv, fd, &ss);
	}
}

/*
 * In the sandbox.
 */

void
comms_server_run(struct comms_server *sv, struct comms_db *db, int spawner)
{
	const struct comms_conf	*conf = sv->conf;
	struct comms_pool_stats	 ps;
	struct comms_detail	 dt;
	struct comms_conn	*c;
	char			 summary[512];
	size_t			 i, off;
	int			 n;

	sv->ctx.db = db;
	sv->ctx.max_document = (size_t)sv->conf->max_document;
	/* how many wait is measured (pool.c); this is the most */
	sv->pool = comms_pool_new(sv->base, spawner, conf->workers,
	    (unsigned int)conf->check_timeout_ms,
	    COMMS_QUEUE_PER_WORKER * conf->workers);
	sv->ctx.faults = sv->conf->faults;
	/* the directories served, as seen from inside the chroot */
	if (comms_state_dir(conf, summary, sizeof(summary)) == -1)
		fatalx("no state directory");
	(void)strlcpy(sv->instructions, conf->instructions + strlen(summary),
	    sizeof(sv->instructions));
	(void)strlcpy(sv->packages, conf->packages + strlen(summary),
	    sizeof(sv->packages));
	sv->ctx.instructions = sv->instructions;
	sv->ctx.packages = sv->packages;
	if ((sv->resume = evtimer_new(sv->base, on_resume, sv)) == NULL ||
	    (sv->tlsfail_end = evtimer_new(sv->base, on_tlsfail_end,
	    sv)) == NULL || (sv->rekey = evtimer_new(sv->base, on_rekey,
	    sv)) == NULL)
		fatalx("evtimer_new");
	if (conf->session_lifetime > 0) {
		struct timeval	 tv = { conf->session_lifetime, 0 };

		evtimer_add(sv->rekey, &tv);
	}
	for (i = 0; i < sv->nlisten; i++) {
		sv->lev[i] = event_new(sv->base, sv->lfd[i],
		    EV_READ | EV_PERSIST, on_accept, sv);
		if (sv->lev[i] == NULL || event_add(sv->lev[i], NULL) == -1)
			fatalx("event_new");
	}

	n = snprintf(summary, sizeof(summary), "started: listening on");
	off = n > 0 ? (size_t)n : 0;
	for (i = 0; i < sv->conf->nlisten && off < sizeof(summary); i++) {
		n = snprintf(summary + off, sizeof(summary) - off,
		    "%s %s port %u", i > 0 ? "," : "",
		    sv->conf->listen[i].addr, sv->conf->listen[i].port);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	comms_detail_begin(&dt);
	json_kv_uint(&dt.j, "pid", (uint64_t)getpid());
	json_kv_uint(&dt.j, "max_document", sv->conf->max_document);
	json_kv_uint(&dt.j, "max_inflight", sv->conf->max_inflight);
	json_kv_uint(&dt.j, "workers", sv->conf->workers);
	json_kv_bool(&dt.j, "token", sv->conf->token[0] != '\0');
	json_kv_int(&dt.j, "faults", sv->conf->faults);
	json_kv_uint(&dt.j, "keepalive_ms", sv->conf->keepalive_timeout_ms);
	json_kv_uint(&dt.j, "keepalive_requests",
	    sv->conf->keepalive_requests);
	json_kv_uint(&dt.j, "session_lifetime", sv->conf->session_lifetime);
	log_record(sv, COMMS_LOG_START, summary, &dt);
	log_info("startup complete, %s", summary + strlen("started: "));

	event_base_dispatch(sv->base);

	while ((c = TAILQ_FIRST(&sv->conns)) != NULL)
		conn_free(c);
	comms_pool_stats(sv->pool, &ps);
	comms_pool_free(sv->pool);
	tls_failures_end(sv);
	comms_detail_begin(&dt);
	json_kv_uint(&dt.j, "connections", sv->nextid);
	json_kv_uint(&dt.j, "refused", sv->refused);
	json_kv_uint(&dt.j, "evicted", sv->evicted);
	json_kv_uint(&dt.j, "busy", sv->busy);
	json_kv_uint(&dt.j, "requests", sv->requests);
	json_kv_uint(&dt.j, "resumed", sv->resumed);
	json_kv_uint(&dt.j, "idle_closed", sv->idle_closed);
	json_kv_uint(&dt.j, "inflight_peak", sv->inflight_peak);
	json_kv_uint(&dt.j, "checked", ps.done);
	json_kv_uint(&dt.j, "check_average_us", ps.avg_us);
	json_kv_uint(&dt.j, "workers_killed", ps.killed);
	json_kv_uint(&dt.j, "workers_died", ps.died);
	log_record(sv, COMMS_LOG_STOP, "stopped", &dt);
	for (i = 0; i < sv->nlisten; i++) {
		event_free(sv->lev[i]);
		close(sv->lfd[i]);
	}
	event_free(sv->resume);
	if (sv->drain != NULL)
		event_free(sv->drain);
	event_free(sv->tlsfail_end);
	event_free(sv->rekey);
	tls_free(sv->tls);
	tls_config_free(sv->tlscfg);
	/*
	 * The signal events and the base stay: freeing them would restore
	 * the old signal handlers, a call the sandbox does not allow, just
	 * before the process exits anyway.
	 */
}
