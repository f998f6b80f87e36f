/*
 * uplinkd: speaks TLS and HTTP to the communication server over the one
 * connected socket the parent hands it.  It creates no socket, resolves
 * no name and touches no file: the CA, its certificate and key, and the
 * protocol schema all arrive from the parent as memory.
 *
 * One job at a time, from auditd: ask the parent to dial, TLS handshake
 * (server verified against the customer's CA, SNI and name check, the
 * optional pin), POST the exact bytes, read the response strictly within
 * deadlines, check the receipt's hash, answer auditd.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <tls.h>
#include <unistd.h>

#include "child.h"
#include "http.h"
#include "log.h"
#include "msg.h"
#include "net.h"
#include "receipt.h"
#include "xmlsafe.h"

#define DIAL_DEADLINE		45	/* seconds: the parent's dial */
#define HANDSHAKE_DEADLINE	30
#define REQUEST_DEADLINE	120
#define RESPONSE_DEADLINE	60
#define SOFTWARE		"callhome/0.1"

enum job_state { J_DIAL, J_HANDSHAKE, J_WRITE, J_READ };

struct job {
	uint64_t		 id;
	enum job_state		 state;
	char			 sha256[SHA256_HEX];
	uint8_t			*req;		/* headers and body */
	size_t			 reqlen, reqoff;
	uint8_t			*resp;
	size_t			 resplen;
	uint8_t			*body;		/* HTTP_MAX_BODY */
	int			 fd;
	struct tls		*tls;
	struct event		*ev_io;
	struct event		*ev_deadline;
	struct msg_upload_result res;
};

struct uplinkd {
	struct child		 c;
	struct imsgev		 auditd;
	struct imsgev		 signerd;
	struct uplink_conf	 conf;
	struct uplink_conf	 next;		/* a reload during a job */
	int			 have_next;
	struct tls_config	*tcfg;		/* made before the sandbox */
	struct xschema		*xs;
	struct job		*job;
	uint64_t		 jobs, delivered;
};

static void	job_step(struct uplinkd *);
static void	configure(struct uplinkd *);

static void
job_free(struct job *j)
{
	if (j->ev_io != NULL)
		event_free(j->ev_io);
	if (j->ev_deadline != NULL)
		event_free(j->ev_deadline);
	if (j->tls != NULL) {
		(void)tls_close(j->tls);	/* best effort, never waits */
		tls_free(j->tls);
	}
	if (j->fd != -1)
		close(j->fd);
	if (j->req != NULL)
		explicit_bzero(j->req, j->reqlen);	/* holds the token */
	free(j->req);
	free(j->resp);
	free(j->body);
	free(j);
}

/* the job ends: tell auditd what happened */
static void
job_end(struct uplinkd *ud, enum upload_status st, const char *fmt, ...)
    __attribute__((__format__(printf, 3, 4)));

static void
job_end(struct uplinkd *ud, enum upload_status st, const char *fmt, ...)
{
	struct job	*j = ud->job;
	struct wbuf	 w;
	va_list		 ap;

	j->res.status = (uint8_t)st;
	if (fmt != NULL) {
		va_start(ap, fmt);
		(void)vsnprintf(j->res.error, sizeof(j->res.error), fmt, ap);
		va_end(ap);
	}
	if (st == UP_DELIVERED) {
		ud->delivered++;
		log_info("job %llu delivered: server document %lld%s",
		    (unsigned long long)j->id, (long long)j->res.doc_id,
		    j->res.duplicate ? " (duplicate)" : "");
	} else
		log_warnx("job %llu: %s: %s", (unsigned long long)j->id,
		    upload_status_name(st), j->res.error);
	wbuf_init(&w);
	msg_upload_result_encode(&w, &j->res);
	imsgev_sendw(&ud->auditd, IMSG_UPLOAD_RESULT, 0, -1, &w);
	wbuf_free(&w);
	ud->job = NULL;
	job_free(j);
	if (ud->have_next)
		configure(ud);
}

static void
on_deadline(evutil_socket_t fd, short ev, void *arg)
{
	struct uplinkd	*ud = arg;
	static const char *const what[] = {
		"the parent's dial", "the TLS handshake",
		"sending the request", "the response",
	};

	if (ud->job == NULL)
		return;
	job_end(ud, UP_TIMEOUT, "deadline passed during %s",
	    what[ud->job->state]);
}

static void
set_deadline(struct uplinkd *ud, int seconds)
{
	struct timeval	 tv = { seconds, 0 };

	evtimer_add(ud->job->ev_deadline, &tv);
}

static void
on_io(evutil_socket_t fd, short ev, void *arg)
{
	job_step(arg);
}

/* wait for the socket as libtls asks, then step again */
static void
want(struct uplinkd *ud, ssize_t r)
{
	struct job	*j = ud->job;
	short		 what = r == TLS_WANT_POLLOUT ? EV_WRITE : EV_READ;

	if (j->ev_io != NULL)
		event_free(j->ev_io);
	j->ev_io = event_new(ud->c.base, j->fd, what, on_io, ud);
	if (j->ev_io == NULL || event_add(j->ev_io, NULL) == -1)
		fatalx("event_add");
}

/* "sha256:<hex>" in the configuration, "SHA256:<hex>" from libtls */
static int
pin_matches(const char *pin, const char *hash)
{
	if (pin[0] == '\0')
		return 1;
	if (hash == NULL)
		return 0;
	return strcasecmp(pin, hash) == 0;
}

static void
handshake_done(struct uplinkd *ud)
{
	struct job	*j = ud->job;
	const char	*h, *v;

	h = tls_peer_cert_hash(j->tls);
	v = tls_conn_version(j->tls);
	(void)strlcpy(j->res.cert_hash, h ? h : "", sizeof(j->res.cert_hash));
	(void)strlcpy(j->res.tls_version, v ? v : "",
	    sizeof(j->res.tls_version));
	if (!pin_matches(ud->conf.pin, h)) {
		job_end(ud, UP_TLS, "server certificate %s does not match "
		    "the pin %s", h ? h : "(none)", ud->conf.pin);
		return;
	}
	log_debug("job %llu: %s, server certificate %s",
	    (unsigned long long)j->id, j->res.tls_version, j->res.cert_hash);
	j->state = J_WRITE;
	set_deadline(ud, REQUEST_DEADLINE);
	job_step(ud);
}

static void
response_done(struct uplinkd *ud, struct http_response *hr)
{
	struct job	*j = ud->job;
	struct receipt	 rc;
	char		 err[256];
	int64_t		 wait;

	j->res.http_status = hr->status;
	if (hr->status != 200) {
		/* how long the server asks us to wait, if it says */
		if ((wait = http_retry_after(hr->retry_after, time(NULL))) > 0)
			j->res.retry_after = (uint32_t)wait;
		/* a Fault says why; its reason is for the log */
		(void)receipt_parse(ud->xs, hr->body, hr->body_len, &rc, err,
		    sizeof(err));
		job_end(ud, UP_HTTP, "server answered %d %s%s%s", hr->status,
		    hr->reason, strncmp(err, "SOAP Fault", 10) == 0 ? ": " : "",
		    strncmp(err, "SOAP Fault", 10) == 0 ? err : "");
		return;
	}
	if (receipt_parse(ud->xs, hr->body, hr->body_len, &rc, err,
	    sizeof(err)) == -1) {
		job_end(ud, UP_PROTOCOL, "bad receipt: %s", err);
		return;
	}
	(void)strlcpy(j->res.receipt_sha256, rc.sha256,
	    sizeof(j->res.receipt_sha256));
	j->res.doc_id = rc.doc_id;
	(void)strlcpy(j->res.server_time, rc.server_time,
	    sizeof(j->res.server_time));
	j->res.duplicate = rc.duplicate ? 1 : 0;
	if (strcmp(rc.sha256, j->sha256) != 0) {
		job_end(ud, UP_MISMATCH, "receipt names %s, we sent %s",
		    rc.sha256, j->sha256);
		return;
	}
	job_end(ud, UP_DELIVERED, NULL);
}

/* read what is there; parse when something arrived */
static void
read_response(struct uplinkd *ud)
{
	struct job		*j = ud->job;
	struct http_response	 hr;
	enum http_result	 res;
	const char		*err;
	ssize_t			 n;
	size_t			 cap = HTTP_MAX_HEADERS + HTTP_MAX_BODY + 65536;
	int			 eof = 0;

	for (;;) {
		if (j->resplen == cap) {
			job_end(ud, UP_PROTOCOL, "response too large");
			return;
		}
		n = tls_read(j->tls, j->resp + j->resplen, cap - j->resplen);
		if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT) {
			want(ud, n);
			break;
		}
		if (n == -1) {
			job_end(ud, UP_TLS, "reading: %s", tls_error(j->tls));
			return;
		}
		if (n == 0) {
			eof = 1;
			break;
		}
		j->resplen += (size_t)n;
		j->res.bytes_received += (uint64_t)n;
	}
	memset(&hr, 0, sizeof(hr));
	hr.body = j->body;
	res = http_response_parse(j->resp, j->resplen, eof, &hr, &err);
	if (res == HTTP_ERROR)
		job_end(ud, UP_PROTOCOL, "bad HTTP response: %s", err);
	else if (res == HTTP_DONE)
		response_done(ud, &hr);
}

static void
job_step(struct uplinkd *ud)
{
	struct job	*j = ud->job;
	ssize_t		 n;

	if (j == NULL)
		return;
	switch (j->state) {
	case J_DIAL:
		break;
	case J_HANDSHAKE:
		n = tls_handshake(j->tls);
		if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT)
			want(ud, n);
		else if (n == -1)
			job_end(ud, UP_TLS, "TLS handshake with %s: %s",
			    j->res.server, tls_error(j->tls));
		else
			handshake_done(ud);
		break;
	case J_WRITE:
		while (j->reqoff < j->reqlen) {
			n = tls_write(j->tls, j->req + j->reqoff,
			    j->reqlen - j->reqoff);
			if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT) {
				want(ud, n);
				return;
			}
			if (n == -1) {
				job_end(ud, UP_TLS, "sending: %s",
				    tls_error(j->tls));
				return;
			}
			j->reqoff += (size_t)n;
			j->res.bytes_sent += (uint64_t)n;
		}
		j->state = J_READ;
		set_deadline(ud, RESPONSE_DEADLINE);
		/* FALLTHROUGH */
	case J_READ:
		read_response(ud);
		break;
	}
}

/* the request: fixed headers, then the exact body auditd gave us */
static int
build_request(struct uplinkd *ud, struct job *j,
    const struct msg_upload_job *mj)
{
	char	 host[300], auth[CONF_STR_MAX + 32], hdr[2048];
	int	 n;

	if (hostport_fmt(host, sizeof(host), ud->conf.server, ud->conf.port) ==
	    -1)
		return -1;
	if (ud->conf.port == 443)	/* the default port goes unsaid */
		*strrchr(host, ':') = '\0';
	auth[0] = '\0';
	if (ud->conf.token[0] != '\0')
		(void)snprintf(auth, sizeof(auth), "Authorization: Bearer "
		    "%s\r\n", ud->conf.token);
	n = snprintf(hdr, sizeof(hdr),
	    "POST /callhome/1/upload HTTP/1.1\r\n"
	    "Host: %s\r\n"
	    "User-Agent: " SOFTWARE "\r\n"
	    "Content-Type: application/soap+xml; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n"
	    "%s%s"
	    "X-Callhome-Document-Sha256: %s\r\n"
	    "Connection: close\r\n"
	    "\r\n", host, mj->bodylen,
	    mj->gzip ? "Content-Encoding: gzip\r\n" : "", auth, mj->sha256);
	explicit_bzero(auth, sizeof(auth));
	if (n < 0 || (size_t)n >= sizeof(hdr))
		return -1;
	j->reqlen = (size_t)n + mj->bodylen;
	if ((j->req = malloc(j->reqlen)) == NULL)
		fatal(NULL);
	memcpy(j->req, hdr, (size_t)n);
	memcpy(j->req + n, mj->body, mj->bodylen);
	explicit_bzero(hdr, sizeof(hdr));
	return 0;
}

static void
job_start(struct uplinkd *ud, const struct msg_upload_job *mj)
{
	struct job		*j;
	struct msg_dial_req	 dr;
	struct wbuf		 w;

	if (ud->job != NULL)
		fatalx("auditd sent a job while one is running");
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->resp = malloc(HTTP_MAX_HEADERS + HTTP_MAX_BODY + 65536)) ==
	    NULL || (j->body = malloc(HTTP_MAX_BODY)) == NULL)
		fatal(NULL);
	j->fd = -1;
	j->id = mj->job;
	j->res.job = mj->job;
	(void)strlcpy(j->sha256, mj->sha256, sizeof(j->sha256));
	if (hostport_fmt(j->res.server, sizeof(j->res.server),
	    ud->conf.server, ud->conf.port) == -1)
		(void)strlcpy(j->res.server, ud->conf.server,
		    sizeof(j->res.server));
	if ((j->ev_deadline = evtimer_new(ud->c.base, on_deadline, ud)) ==
	    NULL)
		fatalx("evtimer_new");
	ud->job = j;
	ud->jobs++;
	if (ud->conf.server[0] == '\0' || ud->xs == NULL) {
		job_end(ud, UP_DIAL, "no server configured");
		return;
	}
	if (build_request(ud, j, mj) == -1) {
		job_end(ud, UP_PROTOCOL, "request headers too long");
		return;
	}
	j->state = J_DIAL;
	set_deadline(ud, DIAL_DEADLINE);
	dr.job = j->id;
	wbuf_init(&w);
	msg_dial_req_encode(&w, &dr);
	imsgev_sendw(&ud->c.parent, IMSG_DIAL_REQ, 0, -1, &w);
	wbuf_free(&w);
}

/* the parent answered: a connected socket, or why not */
static void
dialed(struct uplinkd *ud, struct imsg *m)
{
	struct msg_dial_result	 dr;
	struct job		*j = ud->job;
	int			 fd = m->fd;

	m->fd = -1;
	if (msg_dial_result_decode(m->data, m->len, &dr) == -1)
		fatalx("bad DIAL_RESULT from parent");
	if (j == NULL || j->state != J_DIAL || dr.job != j->id) {
		/* a late answer to a job that timed out */
		if (fd != -1)
			close(fd);
		return;
	}
	(void)strlcpy(j->res.via, dr.via, sizeof(j->res.via));
	if (!dr.ok || fd == -1) {
		if (fd != -1)
			close(fd);
		job_end(ud, UP_DIAL, "%s", dr.error);
		return;
	}
	j->fd = fd;
	if ((j->tls = tls_client()) == NULL)
		fatalx("tls_client");
	if (tls_configure(j->tls, ud->tcfg) == -1) {
		job_end(ud, UP_TLS, "tls_configure: %s", tls_error(j->tls));
		return;
	}
	if (tls_connect_socket(j->tls, fd, ud->conf.server) == -1) {
		job_end(ud, UP_TLS, "tls_connect_socket: %s",
		    tls_error(j->tls));
		return;
	}
	j->state = J_HANDSHAKE;
	set_deadline(ud, HANDSHAKE_DEADLINE);
	job_step(ud);
}

/*
 * The TLS configuration from the parent's files, all as memory.  A job
 * keeps the server, schema and TLS settings it started with: a reload
 * that comes during one waits in ud->next until the job ends.
 */
static void
configure(struct uplinkd *ud)
{
	char	 err[256];

	if (ud->job != NULL)
		return;
	uplink_conf_clear(&ud->conf);
	ud->conf = ud->next;
	memset(&ud->next, 0, sizeof(ud->next));
	ud->have_next = 0;
	xschema_free(ud->xs);
	ud->xs = NULL;
	if (ud->conf.server[0] == '\0')
		return;
	if ((ud->xs = xschema_load(ud->conf.xsd, ud->conf.xsdlen, err,
	    sizeof(err))) == NULL)
		fatalx("the protocol schema: %s", err);
	if (tls_config_set_protocols(ud->tcfg, ud->conf.protocols) == -1 ||
	    tls_config_set_ciphers(ud->tcfg, ud->conf.ciphers) == -1 ||
	    tls_config_set_ca_mem(ud->tcfg, ud->conf.ca, ud->conf.calen) == -1)
		fatalx("TLS: server CA, protocols or ciphers: %s",
		    tls_config_error(ud->tcfg));
	if (ud->conf.certlen > 0 && tls_config_set_keypair_mem(ud->tcfg,
	    ud->conf.cert, ud->conf.certlen, ud->conf.key, ud->conf.keylen) ==
	    -1)
		fatalx("TLS: client certificate and key: %s",
		    tls_config_error(ud->tcfg));
	/* libtls keeps its own copy of the key */
	if (ud->conf.key != NULL)
		explicit_bzero(ud->conf.key, ud->conf.keylen);
	log_debug("TLS configured for %s:%u", ud->conf.server, ud->conf.port);
}

static void
parent_msg(struct child *c, struct imsg *m)
{
	struct uplinkd	*ud = c->ctx;

	switch (m->hdr.type) {
	case IMSG_CONF_UPLINKD:
		uplink_conf_clear(&ud->next);
		if (msg_conf_uplinkd_decode(m->data, m->len, &ud->next) == -1)
			fatalx("bad CONF_UPLINKD from parent");
		ud->have_next = 1;
		if (ud->job != NULL)
			log_debug("new configuration waits for job %llu",
			    (unsigned long long)ud->job->id);
		configure(ud);
		child_ready(c);
		break;
	case IMSG_DIAL_RESULT:
		dialed(ud, m);
		break;
	default:
		fatalx("unexpected %s from parent", msgtype_name(m->hdr.type));
	}
}

static void
auditd_msg(struct imsgev *iev, struct imsg *m, void *arg)
{
	struct uplinkd		*ud = arg;
	struct msg_upload_job	 mj;

	switch (m->hdr.type) {
	case IMSG_UPLOAD_JOB:
		if (msg_upload_job_decode(m->data, m->len, &mj) == -1)
			fatalx("bad UPLOAD_JOB from auditd");
		job_start(ud, &mj);
		break;
	default:
		fatalx("unexpected %s from auditd", msgtype_name(m->hdr.type));
	}
}

static void
state_line(struct child *c, char *buf, size_t len)
{
	struct uplinkd	*ud = c->ctx;

	(void)snprintf(buf, len, "%s, %llu jobs, %llu delivered",
	    ud->job ? "uploading" : "idle", (unsigned long long)ud->jobs,
	    (unsigned long long)ud->delivered);
}

int
main(int argc, char *argv[])
{
	static struct uplinkd	 ud;

	child_init(&ud.c, PROC_UPLINKD, argc, argv);
	ud.c.ctx = &ud;
	ud.c.dispatch = parent_msg;
	ud.c.state = state_line;
	child_peer(&ud.c, &ud.auditd, PROC_AUDITD, auditd_msg, &ud);
	child_peer(&ud.c, &ud.signerd, PROC_SIGNERD, NULL, &ud);
	/* libraries that may read files do so now, before the sandbox */
	if (tls_init() == -1 || (ud.tcfg = tls_config_new()) == NULL)
		fatalx("libtls initialisation failed");
	xmlsafe_init();
	child_sandbox(&ud.c, &uplinkd_sandbox);
	return child_run(&ud.c);
}
