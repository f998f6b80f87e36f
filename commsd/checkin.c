/*
 * Check-ins and package fetches, the server's part.  commsd holds no
 * signing key: operators sign bundles and packages offline (commsd.8
 * has the commands) and leave them in two directories inside the state
 * directory, which commsd serves as they are:
 *
 *	instructions/GATEWAY/NAME.sig	bundles for the gateway whose client
 *					certificate's CN is GATEWAY; a check-in
 *					gets those whose sequence is above its
 *					LastSequence, lowest first, at most
 *					CHECKIN_MAX_BUNDLES
 *	packages/NAME-VERSION[.sig]	package files and their signatures
 *
 * The server reads a bundle only to find its sequence (the third line of
 * its message); it checks no signature: the gateway (signerd) does, and
 * the server's word counts for nothing.  Every check-in and every file
 * served or refused is a record of the server's transaction log.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "chan/pkg.h"
#include "check.h"
#include "checkin.h"
#include "commsd.h"
#include "digest.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "signify.h"
#include "storage.h"
#include "xmlsafe.h"

#define DIR_MAX_FILES	1024	/* files looked at in a gateway's directory */

struct served {
	uint64_t	 seq;
	char		 file[NAME_MAX + 1];
	uint8_t		*data;
	size_t		 len;
};

/*
 * A regular file of at most max bytes, opened without following a link;
 * NULL with errno (EFBIG beyond max).
 */
static uint8_t *
read_file(int dfd, const char *name, size_t max, size_t *lenp)
{
	struct stat	 st;
	uint8_t		*buf;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd, e;

	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > max) {
		e = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		close(fd);
		errno = e;
		return NULL;
	}
	if ((buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1)) == NULL)
		fatal(NULL);
	while (len < (size_t)st.st_size &&
	    (n = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	e = errno;
	close(fd);
	if (len != (size_t)st.st_size) {
		free(buf);
		errno = e != 0 ? e : EIO;
		return NULL;
	}
	*lenp = len;
	return buf;
}

/* the "sequence N" line of a bundle's message, 0 when there is none */
static uint64_t
bundle_sequence(const uint8_t *file, size_t len)
{
	struct signify_sig	 sig;
	const uint8_t		*msg, *p, *nl;
	size_t			 msglen;
	uint64_t		 v = 0;
	char			 line[40], *end;
	int			 i;

	if (signify_parse_embedded(file, len, &sig, &msg, &msglen, NULL,
	    0) == -1)
		return 0;
	p = msg;
	for (i = 0; i < 5 && p < msg + msglen; i++) {
		if ((nl = memchr(p, '\n', msg + msglen - p)) == NULL)
			break;
		if ((size_t)(nl - p) < sizeof(line) && nl - p > 9 &&
		    memcmp(p, "sequence ", 9) == 0) {
			memcpy(line, p + 9, nl - p - 9);
			line[nl - p - 9] = '\0';
			errno = 0;
			v = strtoull(line, &end, 10);
			if (*end != '\0' || errno != 0 || line[0] == '0' ||
			    v > BUNDLE_SEQ_MAX)
				v = 0;
			break;
		}
		p = nl + 1;
	}
	return v;
}

static int
served_cmp(const void *a, const void *b)
{
	const struct served	*x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return strcmp(x->file, y->file);
}

static void
served_free(struct served *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(s[i].data);
}

/*
 * The bundles of the gateway's directory above last (every one with
 * "fault replay"), lowest first, at most CHECKIN_MAX_BUNDLES: into s,
 * their number returned.
 */
static size_t
bundles_for(const struct comms_ctx *cx, const char *gw, uint64_t last,
    struct served *s)
{
	struct served	 all[CHECKIN_MAX_BUNDLES + 1], one;
	struct dirent	*de;
	DIR		*d;
	char		 path[COMMS_STR_MAX + BUNDLE_NAME_MAX + 2];
	size_t		 n = 0, seen = 0, len, nl, i;
	uint64_t	 seq;
	uint8_t		*data;
	int		 dfd;

	if (!pkg_name_valid(gw)) {
		log_warnx("gateway \"%s\": not a name a directory of %s may "
		    "have: no bundles", gw, cx->instructions);
		return 0;
	}
	(void)snprintf(path, sizeof(path), "%s/%s", cx->instructions, gw);
	if ((d = opendir(path)) == NULL) {
		if (errno != ENOENT)
			log_warn("%s", path);
		return 0;
	}
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL && seen++ < DIR_MAX_FILES) {
		nl = strlen(de->d_name);
		if (de->d_name[0] == '.' || nl < 5 ||
		    strcmp(de->d_name + nl - 4, ".sig") != 0)
			continue;
		if ((data = read_file(dfd, de->d_name, BUNDLE_MAX, &len)) ==
		    NULL) {
			log_warn("%s/%s: not served", path, de->d_name);
			continue;
		}
		if ((seq = bundle_sequence(data, len)) == 0) {
			log_warnx("%s/%s: no sequence in a signify file with "
			    "an embedded message: not served", path,
			    de->d_name);
			free(data);
			continue;
		}
		if (seq <= last && !(cx->faults & COMMS_FAULT_REPLAY)) {
			free(data);
			continue;
		}
		one.seq = seq;
		(void)strlcpy(one.file, de->d_name, sizeof(one.file));
		one.data = data;
		one.len = len;
		/*
		 * Kept sorted by insertion (glibc's qsort() may call
		 * sysinfo(2), which the sandbox does not allow); the highest
		 * beyond the limit goes
		 */
		for (i = n; i > 0 && served_cmp(&all[i - 1], &one) > 0; i--)
			all[i] = all[i - 1];
		all[i] = one;
		if (++n > CHECKIN_MAX_BUNDLES)
			free(all[--n].data);
	}
	closedir(d);
	memcpy(s, all, n * sizeof(all[0]));
	return n;
}

static void
put_b64(struct wbuf *w, const uint8_t *p, size_t len)
{
	uint8_t	*out;
	int	 n;

	if ((out = malloc(B64_ENCODED_LEN(len) + 1)) == NULL)
		fatal(NULL);
	n = EVP_EncodeBlock(out, p, (int)len);
	wbuf_bytes(w, out, (size_t)n);
	free(out);
}

#define PUTS(w, lit)	wbuf_bytes((w), (lit), sizeof(lit) - 1)

/*
 * The check-in answer lists this gateway's incidents of the last 30 days
 * (by the time they came) with their status, the highest number first,
 * at most CHECKIN_MAX_INCIDENTS.
 */
#define CHECKIN_INCIDENT_DAYS	30

/* the CheckInResponse document */
static void
checkin_xml(struct wbuf *w, const char *server_time, const struct served *s,
    size_t n, const struct wbuf *statuses)
{
	size_t	 i;

	PUTS(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<env:Envelope xmlns:env=\"" SOAP_NS "\" "
	    "xmlns:ch=\"" CALLHOME_NS "\"><env:Body><ch:CheckInResponse>"
	    "<ch:ServerTime>");
	wbuf_bytes(w, server_time, strlen(server_time));	/* ISO 8601 */
	PUTS(w, "</ch:ServerTime>");
	for (i = 0; i < n; i++) {
		PUTS(w, "<ch:Bundle>");
		put_b64(w, s[i].data, s[i].len);
		PUTS(w, "</ch:Bundle>");
	}
	wbuf_bytes(w, statuses->data, statuses->len);
	PUTS(w, "</ch:CheckInResponse></env:Body></env:Envelope>\n");
}

/* the check-in's fields, from its extract */
struct ci_fields {
	char		 gateway[COMMS_STR_MAX];
	char		 software[64];
	uint64_t	 last;
	size_t		 npkgs;
};

static int
checkin_fields(const uint8_t *x, size_t xlen, struct ci_fields *f,
    struct json *j)
{
	struct comms_record	 r;
	size_t			 off = 0;
	char			 num[24], *end;

	memset(f, 0, sizeof(*f));
	if (!comms_extract_next(x, xlen, &off, &r) ||
	    r.tag != COMMS_REC_CHECKIN ||
	    r.f[XC_LAST_SEQUENCE].len >= sizeof(num))
		return -1;
	(void)snprintf(f->gateway, sizeof(f->gateway), "%.*s",
	    (int)r.f[XC_GATEWAY].len, r.f[XC_GATEWAY].s);
	(void)snprintf(f->software, sizeof(f->software), "%.*s",
	    (int)r.f[XC_SOFTWARE].len, r.f[XC_SOFTWARE].s);
	memcpy(num, r.f[XC_LAST_SEQUENCE].s, r.f[XC_LAST_SEQUENCE].len);
	num[r.f[XC_LAST_SEQUENCE].len] = '\0';
	errno = 0;
	f->last = strtoull(num, &end, 10);
	if (num[0] == '\0' || *end != '\0' || errno != 0)
		return -1;
	json_key(j, "packages");
	json_array_begin(j);
	while (comms_extract_next(x, xlen, &off, &r)) {
		json_object_begin(j);
		json_key(j, "name");
		json_stringn(j, r.f[XP_NAME].s, r.f[XP_NAME].len);
		json_key(j, "version");
		json_stringn(j, r.f[XP_VERSION].s, r.f[XP_VERSION].len);
		json_object_end(j);
		f->npkgs++;
	}
	json_array_end(j);
	return 0;
}

/* the check-in's record, once the database said what goes out */
struct ci_record {
	struct comms_detail		 dt;
	const struct comms_peer		*peer;
	const struct ci_fields		*f;
	const struct served		*s;
	const struct comms_bundle	*b;
	struct wbuf			 statuses; /* ch:IncidentStatus */
	size_t				 nincidents;
	int				 ended;	/* the detail is built */
};

/* one of the gateway's incidents, from the database */
static void
ci_incident(void *arg, int64_t number, const char *status)
{
	struct ci_record	*cr = arg;
	char			 num[32];

	(void)snprintf(num, sizeof(num), "%" PRId64, number);
	PUTS(&cr->statuses, "<ch:IncidentStatus id=\"");
	wbuf_bytes(&cr->statuses, num, strlen(num));
	PUTS(&cr->statuses, "\" status=\"");
	/* the schema's CHECK keeps it one of the three words */
	wbuf_bytes(&cr->statuses, status, strlen(status));
	PUTS(&cr->statuses, "\"/>");
	cr->nincidents++;
}

static char *
checkin_record(void *arg, size_t nserved, size_t nheld, char *summary,
    size_t len)
{
	struct ci_record	*cr = arg;
	size_t			 i, o;

	json_kv_string(&cr->dt.j, "gateway_id", cr->f->gateway);
	json_kv_string(&cr->dt.j, "software", cr->f->software);
	json_kv_uint(&cr->dt.j, "last_sequence", cr->f->last);
	json_key(&cr->dt.j, "bundles");
	json_array_begin(&cr->dt.j);
	(void)snprintf(summary, len, "check-in from %s (%s): last "
	    "sequence %" PRIu64 ", %zu packages; %zu bundles", cr->peer->cn,
	    cr->peer->address, cr->f->last, cr->f->npkgs, nserved);
	for (i = 0; i < nserved; i++) {
		json_object_begin(&cr->dt.j);
		json_kv_uint(&cr->dt.j, "sequence", cr->s[i].seq);
		json_kv_string(&cr->dt.j, "file", cr->s[i].file);
		json_kv_uint(&cr->dt.j, "bytes", cr->s[i].len);
		json_kv_string(&cr->dt.j, "sha256", cr->b[i].sha256);
		json_object_end(&cr->dt.j);
		o = strlen(summary);
		(void)snprintf(summary + o, len - o, "%s%" PRIu64,
		    i == 0 ? " served: " : ", ", cr->s[i].seq);
	}
	json_array_end(&cr->dt.j);
	json_kv_uint(&cr->dt.j, "incident_statuses", cr->nincidents);
	if (nheld > 0) {
		/* in flight to another check-in of the gateway */
		json_kv_uint(&cr->dt.j, "held", nheld);
		o = strlen(summary);
		(void)snprintf(summary + o, len - o, "; %zu held back: "
		    "served to another check-in less than %d s ago", nheld,
		    COMMS_REDELIVER_SECONDS);
	}
	cr->ended = 1;
	return comms_detail_end(&cr->dt);
}

void
comms_checkin_end(struct comms_ctx *cx, const struct comms_peer *peer,
    struct comms_http *h, int64_t now, struct comms_work *w, int status,
    const char *reason, const uint8_t *extract, size_t extractlen,
    struct comms_result *res, struct wbuf *out)
{
	struct served		 s[CHECKIN_MAX_BUNDLES];
	struct comms_bundle	 b[CHECKIN_MAX_BUNDLES];
	struct ci_fields	 f;
	struct ci_record	 cr;
	struct comms_checkin	 ci;
	struct wbuf		 body;
	uint64_t		 nd;
	size_t			 n, i, nserved;
	char			 err[400];

	if (status != 0) {
		comms_reject(cx, peer, h, now, status, reason, out);
		comms_work_free(w);
		return;
	}
	memset(&cr, 0, sizeof(cr));
	comms_detail_begin(&cr.dt);
	comms_detail_peer(&cr.dt, peer);
	if (comms_extract_check(extract, extractlen, &nd, err,
	    sizeof(err)) == -1 || checkin_fields(extract, extractlen, &f,
	    &cr.dt.j) == -1) {
		free(comms_detail_end(&cr.dt));
		comms_reject(cx, peer, h, now, extractlen > 0 &&
		    extract[0] == COMMS_REC_UPLOAD ? 400 : 500,
		    extractlen > 0 && extract[0] == COMMS_REC_UPLOAD ?
		    "an Upload sent to the check-in address" :
		    "the document's check gave no valid answer", out);
		comms_work_free(w);
		return;
	}
	n = bundles_for(cx, peer->cn, f.last, s);
	memset(b, 0, sizeof(b));
	for (i = 0; i < n; i++) {
		if (sha256_hex(s[i].data, s[i].len, b[i].sha256) == -1)
			fatalx("SHA-256 failed");
		b[i].seq = s[i].seq;
		b[i].file = s[i].file;
		b[i].len = s[i].len;
	}
	cr.peer = peer;
	cr.f = &f;
	cr.s = s;
	cr.b = b;
	memset(&ci, 0, sizeof(ci));
	ci.last = f.last;
	ci.software = f.software;
	ci.replay = (cx->faults & COMMS_FAULT_REPLAY) != 0;
	ci.record = checkin_record;
	ci.incidents_since = now - CHECKIN_INCIDENT_DAYS * 86400;
	ci.incidents_max = CHECKIN_MAX_INCIDENTS;
	ci.incident = ci_incident;
	ci.arg = &cr;
	wbuf_init(&cr.statuses);
	if (comms_db_checkin(cx->db, peer, now, &ci, b, n, &nserved) == -1) {
		log_warnx("check-in of %s: %s", peer->cn,
		    comms_db_errmsg(cx->db));
		if (!cr.ended)	/* else the back end freed it */
			free(comms_detail_end(&cr.dt));
		wbuf_free(&cr.statuses);
		served_free(s, n);
		if (comms_db_lost(cx->db))
			comms_reject(cx, peer, h, now, 503,
			    COMMS_DBLOST_REASON, out);
		else
			comms_reject(cx, peer, h, now, 500, "the check-in "
			    "could not be recorded", out);
		comms_work_free(w);
		return;
	}
	log_info("check-in from %s (%s): last sequence %" PRIu64 ", %zu of %zu "
	    "bundles served", peer->cn, peer->address, f.last, nserved, n);
	res->status = 200;
	wbuf_init(&body);
	checkin_xml(&body, res->server_time, s, nserved, &cr.statuses);
	wbuf_free(&cr.statuses);
	comms_http_response(out, 200, (time_t)now, COMMS_SOAP_CTYPE,
	    body.data, body.len);
	wbuf_free(&body);
	served_free(s, n);
	comms_work_free(w);
}

int
comms_package(struct comms_ctx *cx, const struct comms_peer *peer,
    struct comms_http *h, int64_t now, size_t room, struct wbuf *out)
{
	struct comms_detail	 dt;
	uint8_t			*data;
	size_t			 len, max;
	char			 summary[512], sha[SHA256_HEX], *detail;
	int			 dfd, e;

	max = BUNDLE_PKG_SIZE_MAX + 1;	/* one more: the gateway says so */
	if (room < max)
		max = room;
	if ((dfd = open(cx->packages, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		data = NULL;
	else {
		data = read_file(dfd, h->file, max, &len);
		e = errno;
		close(dfd);
		errno = e;
	}
	if (data == NULL) {
		if (errno == EFBIG && max < BUNDLE_PKG_SIZE_MAX + 1) {
			comms_reject(cx, peer, h, now, 503, "the server is "
			    "busy: try again later", out);
			return -1;
		}
		comms_reject(cx, peer, h, now, 404, errno == ENOENT ?
		    "no such package" : "the package cannot be served", out);
		return -1;
	}
	if (sha256_hex(data, len, sha) == -1)
		fatalx("SHA-256 failed");
	(void)snprintf(summary, sizeof(summary), "package %s sent to %s (%s): "
	    "%zu bytes", h->file, peer->cn, peer->address, len);
	comms_detail_begin(&dt);
	comms_detail_peer(&dt, peer);
	json_kv_string(&dt.j, "file", h->file);
	json_kv_uint(&dt.j, "bytes", len);
	json_kv_string(&dt.j, "sha256", sha);
	detail = comms_detail_end(&dt);
	if (comms_db_package(cx->db, peer, now, h->file, sha, len, summary,
	    detail) == -1) {
		log_warnx("transaction log: %s", comms_db_errmsg(cx->db));
		if (comms_db_lost(cx->db)) {
			/* nothing goes out that the log does not hold */
			free(detail);
			free(data);
			comms_reject(cx, peer, h, now, 503,
			    COMMS_DBLOST_REASON, out);
			return -1;
		}
	}
	free(detail);
	log_info("%s", summary);
	comms_http_response(out, 200, (time_t)now, "application/octet-stream",
	    data, len);
	free(data);
	return 0;
}
