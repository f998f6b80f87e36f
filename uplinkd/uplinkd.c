/*
 * uplinkd: speaks TLS and HTTP to the communication server over the one
 * connected socket the parent hands it.  It creates no socket, resolves
 * no name and touches no file: the CA, its certificate and key, and the
 * protocol schema all arrive from the parent as memory.
 *
 * One job at a time: ask the parent to dial, TLS handshake (server
 * verified against the customer's CA, SNI and name check, the optional
 * pin), send the request, read the response strictly within deadlines.
 * A job is one of:
 *
 *	auditd's upload	POST the exact bytes, check the receipt's hash,
 *			answer auditd
 *	auditd's check-in  POST the CheckIn, hand each bundle of the answer
 *			to signerd unread, answer auditd
 *	a package	for the parent's FETCH (a verified, allowed
 *			instruction): GET the file, stopping at the signed
 *			size, then GET its signature, within an overall
 *			deadline; give both to signerd, or say why not
 *
 * auditd sends one job at a time; fetches wait in a short queue, and a
 * package's two GETs run back to back.
 *
 * The connection of a job whose answer said nothing against it stays
 * open (HTTP keep-alive) for the next job, KEEP_IDLE seconds at most; it
 * goes when the server closes it (or sends anything), or on a reload.  A
 * job that finds it closed before any answer came dials again, once.
 * A new dial is a full TLS handshake: the session is not kept between
 * dials (uplinkd.8, CAVEATS).
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

#include "chan/auditd_uplinkd.h"
#include "chan/parent_uplinkd.h"
#include "chan/uplinkd_signerd.h"
#include "child.h"
#include "http.h"
#include "log.h"
#include "net.h"
#include "pin.h"
#include "receipt.h"
#include "signify.h"
#include "version.h"
#include "xmlsafe.h"

#define DIAL_DEADLINE		45	/* seconds: the parent's dial */
#define HANDSHAKE_DEADLINE	30
#define REQUEST_DEADLINE	120
#define RESPONSE_DEADLINE	60
/* a package's two GETs together: 20 s, and 1 s for each 32 KiB */
#define FETCH_DEADLINE(size)	(20 + (time_t)((size) / (32 * 1024)))
#define FETCH_QUEUE		8
#define CHUNK_SLACK		65536	/* chunk framing beyond the body */
#define KEEP_IDLE		30	/* seconds: a connection kept */

enum job_state { J_DIAL, J_HANDSHAKE, J_WRITE, J_READ };
enum job_kind { JK_AUDITD, JK_FILE, JK_SIG };

struct job {
	uint64_t		 id;
	enum job_kind		 jk;
	enum job_state		 state;
	char			 sha256[SHA256_HEX];
	uint8_t			*req;		/* headers and body */
	size_t			 reqlen, reqoff;
	uint8_t			*resp;		/* cap bytes */
	size_t			 resplen, cap;
	size_t			 parsed, need;	/* when to parse again */
	uint8_t			*body;		/* body_cap bytes */
	size_t			 body_cap, body_len;
	int			 too_large;
	int			 keep, reused;	/* the connection */
	int			 fd;
	struct tls		*tls;
	struct event		*ev_io;
	struct event		*ev_deadline;
	struct msg_upload_result res;
};

/* a package being fetched: its file, then its signature */
struct fetch {
	struct msg_fetch	 f;
	uint8_t			*file;
	size_t			 filelen;
	struct event		*ev_deadline;	/* the overall one */
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
	struct job		*waiting;	/* auditd's, behind a fetch */
	struct fetch		*fetch;		/* the one in progress */
	struct msg_fetch	 fetchq[FETCH_QUEUE];
	size_t			 nfetchq;
	uint64_t		 jobs, delivered, fetched, reused;
	struct tls		*ktls;		/* the connection kept */
	int			 kfd;
	struct event		*kev;		/* its idle end */
	struct msg_upload_result kres;		/* its server, TLS, via */
};

static void	job_step(struct uplinkd *);
static int	job_redial(struct uplinkd *);
static void	configure(struct uplinkd *);
static void	next_job(struct uplinkd *);

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

/* the kept connection goes */
static void
kept_drop(struct uplinkd *ud)
{
	if (ud->ktls == NULL)
		return;
	event_free(ud->kev);
	(void)tls_close(ud->ktls);
	tls_free(ud->ktls);
	close(ud->kfd);
	ud->ktls = NULL;
	ud->kev = NULL;
}

/* idle too long, or the server closed it (or sent what nobody asked) */
static void
on_kept(evutil_socket_t fd, short ev, void *arg)
{
	kept_drop(arg);
}

/* the job's connection waits for the next job */
static void
kept_take(struct uplinkd *ud, struct job *j)
{
	struct timeval	 tv = { KEEP_IDLE, 0 };

	ud->ktls = j->tls;
	ud->kfd = j->fd;
	ud->kres = j->res;
	j->tls = NULL;
	j->fd = -1;
	if ((ud->kev = event_new(ud->c.base, ud->kfd, EV_READ, on_kept,
	    ud)) == NULL || event_add(ud->kev, &tv) == -1)
		fatalx("event_add");
}

static void
fetch_free(struct fetch *f)
{
	if (f->ev_deadline != NULL)
		event_free(f->ev_deadline);
	free(f->file);
	free(f);
}

/* a fetch got nothing to verify: signerd says so in its verdict */
static void
fetch_failed(struct uplinkd *ud, struct job *j)
{
	struct msg_fetch_failed	 mf;

	memset(&mf, 0, sizeof(mf));
	mf.id = ud->fetch->f.id;
	(void)strlcpy(mf.reason, j->too_large ? "size-exceeded" :
	    j->res.status == UP_TIMEOUT ? "timeout" : "fetch-failed",
	    sizeof(mf.reason));
	(void)snprintf(mf.error, sizeof(mf.error), "%s%.200s",
	    j->jk == JK_SIG ? "the signature: " : "", j->res.error);
	msg_fetch_failed_send(&ud->signerd, &mf);
	fetch_free(ud->fetch);
	ud->fetch = NULL;
}

/* a fetch's GET is over */
static void
fetch_step(struct uplinkd *ud, struct job *j)
{
	struct fetch		*f = ud->fetch;
	struct msg_package	 mp;

	if (j->res.status != UP_DELIVERED) {
		log_warnx("package %s-%llu: %s", f->f.id.name,
		    (unsigned long long)f->f.id.version, j->res.error);
		fetch_failed(ud, j);
		return;
	}
	if (j->jk == JK_FILE) {
		f->file = j->body;	/* the job's body is the file */
		f->filelen = j->body_len;
		j->body = NULL;
		return;		/* next_job() asks for the signature */
	}
	memset(&mp, 0, sizeof(mp));
	mp.id = f->f.id;
	mp.file = f->file;
	mp.filelen = f->filelen;
	mp.sig = j->body;
	mp.siglen = j->body_len;
	msg_package_send(&ud->signerd, &mp);
	ud->fetched++;
	log_info("package %s-%llu fetched: %zu bytes and its signature",
	    f->f.id.name, (unsigned long long)f->f.id.version, f->filelen);
	fetch_free(f);
	ud->fetch = NULL;
}

/* the job ends: tell auditd what happened */
static void
job_end(struct uplinkd *ud, enum upload_status st, const char *fmt, ...)
    __attribute__((__format__(printf, 3, 4)));

static void
job_end(struct uplinkd *ud, enum upload_status st, const char *fmt, ...)
{
	struct job	*j = ud->job;
	va_list		 ap;

	j->res.status = (uint8_t)st;
	if (fmt != NULL) {
		va_start(ap, fmt);
		(void)vsnprintf(j->res.error, sizeof(j->res.error), fmt, ap);
		va_end(ap);
	}
	ud->job = NULL;
	if (j->jk != JK_AUDITD)
		fetch_step(ud, j);
	else {
		if (st == UP_DELIVERED && j->res.kind == JOB_UPLOAD) {
			ud->delivered++;
			log_info("job %llu delivered: server document %lld%s",
			    (unsigned long long)j->id,
			    (long long)j->res.doc_id,
			    j->res.duplicate ? " (duplicate)" : "");
		} else if (st == UP_DELIVERED)
			log_info("check-in %llu: %u bundles",
			    (unsigned long long)j->id, j->res.bundles);
		else
			log_warnx("job %llu: %s: %s",
			    (unsigned long long)j->id,
			    upload_status_name(st), j->res.error);
		msg_upload_result_send(&ud->auditd, &j->res);
	}
	if (j->keep)
		kept_take(ud, j);
	job_free(j);
	if (ud->have_next)
		configure(ud);
	next_job(ud);
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

/* the server's public key against the configured pin-sha256, if any */
static int
pin_matches(struct tls *tls, const char *pin, char *got, size_t gotlen)
{
	const uint8_t	*chain;
	size_t		 len;

	(void)strlcpy(got, "(none)", gotlen);
	if (pin[0] == '\0')
		return 1;
	if ((chain = tls_peer_cert_chain_pem(tls, &len)) == NULL ||
	    pin_of_pem(chain, len, got, gotlen) == -1)
		return 0;
	return strcmp(pin, got) == 0;
}

static void
handshake_done(struct uplinkd *ud)
{
	struct job	*j = ud->job;
	const char	*h, *v;
	char		 got[PIN_B64_LEN];

	h = tls_peer_cert_hash(j->tls);
	v = tls_conn_version(j->tls);
	(void)strlcpy(j->res.cert_hash, h ? h : "", sizeof(j->res.cert_hash));
	(void)strlcpy(j->res.tls_version, v ? v : "",
	    sizeof(j->res.tls_version));
	if (!pin_matches(j->tls, ud->conf.pin, got, sizeof(got))) {
		job_end(ud, UP_TLS, "the server's public key (pin-sha256 "
		    "\"%s\") does not match the pin \"%s\"", got,
		    ud->conf.pin);
		return;
	}
	log_debug("job %llu: %s, server certificate %s",
	    (unsigned long long)j->id, j->res.tls_version, j->res.cert_hash);
	j->state = J_WRITE;
	set_deadline(ud, REQUEST_DEADLINE);
	job_step(ud);
}

/* a check-in's answer: each bundle to signerd, as it came */
static enum upload_status
checkin_done(struct uplinkd *ud, struct http_response *hr)
{
	struct checkin_response	 cr;
	struct msg_bundle	 mb;
	enum upload_status	 st;
	size_t			 i;

	if ((st = checkin_judge(ud->xs, hr, &cr, &ud->job->res)) !=
	    UP_DELIVERED)
		return st;
	for (i = 0; i < cr.nbundles; i++) {
		mb.data = cr.bundles[i].data;
		mb.len = cr.bundles[i].len;
		msg_bundle_send(&ud->signerd, &mb);
	}
	checkin_response_free(&cr);
	return st;
}

static void
response_done(struct uplinkd *ud, struct http_response *hr)
{
	struct job	*j = ud->job;
	int64_t		 wait;

	/* how long the server asks us to wait, if it says */
	if (hr->status != 200 && (wait = http_retry_after(hr->retry_after,
	    time(NULL))) > 0)
		j->res.retry_after = (uint32_t)wait;

	j->keep = !hr->close;
	if (j->jk != JK_AUDITD) {
		j->res.http_status = hr->status;
		j->body_len = hr->body_len;
		if (hr->status == 200)
			job_end(ud, UP_DELIVERED, NULL);
		else
			job_end(ud, UP_HTTP, "server answered %d %s",
			    hr->status, hr->reason);
	} else if (j->res.kind == JOB_CHECKIN)
		job_end(ud, checkin_done(ud, hr), NULL);
	else
		job_end(ud, upload_judge(ud->xs, hr, j->sha256, &j->res),
		    NULL);
}

/*
 * Read what is there; parse when the whole response may be in (its
 * length is known), or a quarter more has come: the parse starts over
 * each time, and a package may be large.
 */
static void
read_response(struct uplinkd *ud)
{
	struct job		*j = ud->job;
	struct http_response	 hr;
	enum http_result	 res;
	const char		*err;
	ssize_t			 n;
	int			 eof = 0;

	for (;;) {
		if (j->resplen == j->cap) {
			j->too_large = 1;
			job_end(ud, UP_PROTOCOL, "response too large: more "
			    "than %zu bytes", j->cap);
			return;
		}
		n = tls_read(j->tls, j->resp + j->resplen, j->cap - j->resplen);
		if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT) {
			want(ud, n);
			break;
		}
		if ((n == -1 || n == 0) && job_redial(ud))
			return;
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
	if (!eof && j->resplen < j->need &&
	    j->resplen - j->parsed < j->parsed / 4)
		return;
	memset(&hr, 0, sizeof(hr));
	hr.body = j->body;
	hr.body_cap = j->body_cap;
	res = http_response_parse(j->resp, j->resplen, eof, &hr, &err);
	j->parsed = j->resplen;
	if (res == HTTP_MORE && hr.header_len > 0 && !hr.chunked &&
	    hr.content_length >= 0)
		j->need = hr.header_len + (size_t)hr.content_length;
	if (res == HTTP_ERROR) {
		j->too_large = hr.too_large;
		job_end(ud, UP_PROTOCOL, "bad HTTP response: %s", err);
	} else if (res == HTTP_DONE)
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
			if (n == -1 && job_redial(ud))
				return;
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

/* the request: fixed headers, then the exact body, if any */
static int
build_request(struct uplinkd *ud, struct job *j, const char *method,
    const char *path, const char *more, const uint8_t *body, size_t bodylen)
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
	    "%s %s HTTP/1.1\r\n"
	    "Host: %s\r\n"
	    "User-Agent: " CALLHOME_SOFTWARE "\r\n"
	    "%s%s"
	    "\r\n", method, path, host, more, auth);
	explicit_bzero(auth, sizeof(auth));
	if (n < 0 || (size_t)n >= sizeof(hdr))
		return -1;
	j->reqlen = (size_t)n + bodylen;
	if ((j->req = malloc(j->reqlen)) == NULL)
		fatal(NULL);
	memcpy(j->req, hdr, (size_t)n);
	if (bodylen > 0)
		memcpy(j->req + n, body, bodylen);
	explicit_bzero(hdr, sizeof(hdr));
	return 0;
}

/* a job, its buffers sized for the body it may get */
static struct job *
job_new(struct uplinkd *ud, enum job_kind jk, uint64_t id, size_t body_cap)
{
	struct job	*j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		fatal(NULL);
	j->jk = jk;
	j->fd = -1;
	j->id = id;
	j->res.job = id;
	j->body_cap = body_cap;
	j->cap = HTTP_MAX_HEADERS + body_cap + CHUNK_SLACK;
	/* a body of exactly body_cap bytes parses; one more does not */
	if ((j->resp = malloc(j->cap)) == NULL ||
	    (j->body = malloc(body_cap)) == NULL)
		fatal(NULL);
	if (hostport_fmt(j->res.server, sizeof(j->res.server),
	    ud->conf.server, ud->conf.port) == -1)
		(void)strlcpy(j->res.server, ud->conf.server,
		    sizeof(j->res.server));
	if ((j->ev_deadline = evtimer_new(ud->c.base, on_deadline, ud)) ==
	    NULL)
		fatalx("evtimer_new");
	return j;
}

/* the job goes: the parent dials for it */
static void
job_launch(struct uplinkd *ud, struct job *j, int ok, const char *why)
{
	struct msg_dial_req	 dr;

	ud->job = j;
	ud->jobs++;
	if (ud->conf.server[0] == '\0' || ud->xs == NULL) {
		job_end(ud, UP_DIAL, "no server configured");
		return;
	}
	if (!ok) {
		job_end(ud, UP_PROTOCOL, "%s", why);
		return;
	}
	if (ud->ktls != NULL) {		/* the last job's connection */
		event_free(ud->kev);
		j->tls = ud->ktls;
		j->fd = ud->kfd;
		ud->ktls = NULL;
		ud->kev = NULL;
		j->reused = 1;
		ud->reused++;
		memcpy(j->res.via, ud->kres.via, sizeof(j->res.via));
		memcpy(j->res.cert_hash, ud->kres.cert_hash,
		    sizeof(j->res.cert_hash));
		memcpy(j->res.tls_version, ud->kres.tls_version,
		    sizeof(j->res.tls_version));
		j->state = J_WRITE;
		set_deadline(ud, REQUEST_DEADLINE);
		job_step(ud);
		return;
	}
	j->state = J_DIAL;
	set_deadline(ud, DIAL_DEADLINE);
	dr.job = j->id;
	msg_dial_req_send(&ud->c.parent, &dr);
}

/*
 * The kept connection was closed before any answer came: a new one, once
 * (1); or 0, and the job fails.
 */
static int
job_redial(struct uplinkd *ud)
{
	struct job	*j = ud->job;

	if (!j->reused || j->resplen > 0)
		return 0;
	log_debug("job %llu: the kept connection was closed: dialing",
	    (unsigned long long)j->id);
	if (j->ev_io != NULL)
		event_free(j->ev_io);
	j->ev_io = NULL;
	tls_free(j->tls);
	j->tls = NULL;
	close(j->fd);
	j->fd = -1;
	j->reused = 0;
	j->reqoff = 0;
	j->res.bytes_sent = 0;
	ud->jobs--;
	job_launch(ud, j, 1, NULL);
	return 1;
}

/* auditd's job: an upload or a check-in, now or behind a fetch */
static void
job_start(struct uplinkd *ud, const struct msg_upload_job *mj)
{
	struct job	*j;
	char		 more[256];
	int		 ok;

	if (ud->waiting != NULL || (ud->job != NULL && ud->job->jk ==
	    JK_AUDITD))
		fatalx("auditd sent a job while one of its own is running");
	j = job_new(ud, JK_AUDITD, mj->job, HTTP_MAX_BODY);
	j->res.kind = mj->kind;
	(void)strlcpy(j->sha256, mj->sha256, sizeof(j->sha256));
	(void)snprintf(more, sizeof(more),
	    "Content-Type: application/soap+xml; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n"
	    "%s"
	    "X-Callhome-Document-Sha256: %s\r\n", mj->bodylen,
	    mj->gzip ? "Content-Encoding: gzip\r\n" : "", mj->sha256);
	ok = build_request(ud, j, "POST", mj->kind == JOB_CHECKIN ?
	    "/callhome/1/checkin" : "/callhome/1/upload", more, mj->body,
	    mj->bodylen) == 0;
	if (!ok) {
		j->reqlen = 0;
		j->req = NULL;
	}
	if (ud->job != NULL) {
		ud->waiting = j;	/* a fetch runs: after it */
		if (!ok)
			fatalx("request headers too long");
		return;
	}
	job_launch(ud, j, ok, "request headers too long");
}

/* one GET of a package: its file (at most the signed size) or signature */
static void
fetch_get(struct uplinkd *ud, enum job_kind jk)
{
	struct fetch	*f = ud->fetch;
	struct job	*j;
	char		 path[128];
	int		 ok;

	j = job_new(ud, jk, f->f.id.version, jk == JK_FILE ?
	    (size_t)f->f.size : SIGNIFY_SIGFILE_MAX);
	j->res.kind = JOB_UPLOAD;	/* unused: never sent to auditd */
	ok = snprintf(path, sizeof(path), "/callhome/1/package/%s-%llu%s",
	    f->f.id.name, (unsigned long long)f->f.id.version,
	    jk == JK_SIG ? ".sig" : "") < (int)sizeof(path) &&
	    build_request(ud, j, "GET", path, "", NULL, 0) == 0;
	job_launch(ud, j, ok, "request headers too long");
}

/* the overall deadline of a fetch: whatever its GETs are doing */
static void
on_fetch_deadline(evutil_socket_t fd, short ev, void *arg)
{
	struct uplinkd	*ud = arg;

	if (ud->job == NULL || ud->job->jk == JK_AUDITD)
		return;
	job_end(ud, UP_TIMEOUT, "the fetch took more than %lld s",
	    (long long)FETCH_DEADLINE(ud->fetch->f.size));
}

/* what runs next: a fetch's signature, auditd's job, a queued fetch */
static void
next_job(struct uplinkd *ud)
{
	struct timeval	 tv;
	struct job	*j;

	if (ud->job != NULL)
		return;
	if (ud->fetch != NULL && ud->fetch->file != NULL) {
		fetch_get(ud, JK_SIG);
		return;
	}
	if (ud->waiting != NULL) {
		j = ud->waiting;
		ud->waiting = NULL;
		job_launch(ud, j, 1, NULL);
		return;
	}
	if (ud->nfetchq == 0 || ud->fetch != NULL)
		return;
	if ((ud->fetch = calloc(1, sizeof(*ud->fetch))) == NULL)
		fatal(NULL);
	ud->fetch->f = ud->fetchq[0];
	memmove(&ud->fetchq[0], &ud->fetchq[1],
	    --ud->nfetchq * sizeof(ud->fetchq[0]));
	if ((ud->fetch->ev_deadline = evtimer_new(ud->c.base,
	    on_fetch_deadline, ud)) == NULL)
		fatalx("evtimer_new");
	tv.tv_sec = FETCH_DEADLINE(ud->fetch->f.size);
	tv.tv_usec = 0;
	evtimer_add(ud->fetch->ev_deadline, &tv);
	fetch_get(ud, JK_FILE);
}

/* the parent asks for a package: it waits its turn */
static void
fetch_queue(struct uplinkd *ud, const struct msg_fetch *f)
{
	struct msg_fetch_failed	 mf;

	if (ud->nfetchq == FETCH_QUEUE) {
		memset(&mf, 0, sizeof(mf));
		mf.id = f->id;
		(void)strlcpy(mf.reason, "fetch-failed", sizeof(mf.reason));
		(void)snprintf(mf.error, sizeof(mf.error), "more than %d "
		    "packages wait to be fetched", FETCH_QUEUE);
		msg_fetch_failed_send(&ud->signerd, &mf);
		return;
	}
	ud->fetchq[ud->nfetchq++] = *f;
	next_job(ud);
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
	kept_drop(ud);		/* the server may be another one now */
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
	struct uplinkd		*ud = c->ctx;
	struct msg_fetch	 f;

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
	case IMSG_FETCH:
		if (msg_fetch_decode(m->data, m->len, &f) == -1)
			fatalx("bad FETCH from parent");
		fetch_queue(ud, &f);
		break;
	default:
		imsgev_unexpected(&c->parent, m);
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
		imsgev_unexpected(iev, m);
	}
}

static void
state_line(struct child *c, char *buf, size_t len)
{
	struct uplinkd	*ud = c->ctx;

	(void)snprintf(buf, len, "%s, %llu jobs, %llu delivered, %llu "
	    "packages fetched, %llu on a kept connection", ud->job == NULL ?
	    "idle" :
	    ud->job->jk != JK_AUDITD ? "fetching" :
	    ud->job->res.kind == JOB_CHECKIN ? "checking in" : "uploading",
	    (unsigned long long)ud->jobs, (unsigned long long)ud->delivered,
	    (unsigned long long)ud->fetched,
	    (unsigned long long)ud->reused);
}

int
main(int argc, char *argv[])
{
	static struct uplinkd	 ud;

	child_init(&ud.c, &chan_parent_uplinkd, argc, argv);
	ud.c.ctx = &ud;
	ud.c.dispatch = parent_msg;
	ud.c.state = state_line;
	child_peer(&ud.c, &ud.auditd, &chan_auditd_uplinkd, auditd_msg, &ud);
	child_peer(&ud.c, &ud.signerd, &chan_uplinkd_signerd, NULL, &ud);
	/* libraries that may read files do so now, before the sandbox */
	if (tls_init() == -1 || (ud.tcfg = tls_config_new()) == NULL)
		fatalx("libtls initialisation failed");
	xmlsafe_init();
	child_sandbox(&ud.c, &uplinkd_sandbox);
	return child_run(&ud.c);
}
