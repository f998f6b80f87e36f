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
 * The status of this gateway's incidents of the last 30 days (by the
 * time they came), the newest first, at most CHECKIN_MAX_INCIDENTS.
 */
#define CHECKIN_INCIDENT_DAYS	30
static void
incident_statuses(struct comms_db *db, const char *cn, int64_t now,
    struct wbuf *w, size_t *n)
{
	sqlite3_stmt	*st = NULL;
	char		 num[32];
	int		 rc;

	*n = 0;
	if (sqlite3_prepare_v2(db->h, "SELECT i.incident_id, i.status FROM "
	    "incidents i JOIN gateways g ON g.id = i.gateway_id WHERE g.cn = "
	    "?1 AND i.received >= ?2 ORDER BY i.incident_id DESC LIMIT ?3",
	    -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, cn, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, now - CHECKIN_INCIDENT_DAYS * 86400) !=
	    SQLITE_OK ||
	    sqlite3_bind_int(st, 3, CHECKIN_MAX_INCIDENTS) != SQLITE_OK) {
		log_warnx("incident statuses: %s", sqlite3_errmsg(db->h));
		sqlite3_finalize(st);
		return;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		(void)snprintf(num, sizeof(num), "%" PRId64,
		    (int64_t)sqlite3_column_int64(st, 0));
		PUTS(w, "<ch:IncidentStatus id=\"");
		wbuf_bytes(w, num, strlen(num));
		PUTS(w, "\" status=\"");
		/* the schema's CHECK keeps it one of the three words */
		wbuf_bytes(w, sqlite3_column_text(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1));
		PUTS(w, "\"/>");
		(*n)++;
	}
	if (rc != SQLITE_DONE)
		log_warnx("incident statuses: %s", sqlite3_errmsg(db->h));
	sqlite3_finalize(st);
}

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

void
comms_checkin_end(struct comms_ctx *cx, const struct comms_peer *peer,
    struct comms_http *h, int64_t now, struct comms_work *w, int status,
    const char *reason, const uint8_t *extract, size_t extractlen,
    struct comms_result *res, struct wbuf *out)
{
	struct served		 s[CHECKIN_MAX_BUNDLES];
	struct ci_fields	 f;
	struct comms_detail	 dt;
	struct wbuf		 body, statuses;
	uint64_t		 nd;
	size_t			 n, i, ninc;
	char			 summary[512], err[400], sha[SHA256_HEX];
	char			*detail;

	if (status != 0) {
		comms_reject(cx, peer, h, now, status, reason, out);
		comms_work_free(w);
		return;
	}
	comms_detail_begin(&dt);
	comms_detail_peer(&dt, peer);
	if (comms_extract_check(extract, extractlen, &nd, err,
	    sizeof(err)) == -1 || checkin_fields(extract, extractlen, &f,
	    &dt.j) == -1) {
		free(comms_detail_end(&dt));
		comms_reject(cx, peer, h, now, extractlen > 0 &&
		    extract[0] == COMMS_REC_UPLOAD ? 400 : 500,
		    extractlen > 0 && extract[0] == COMMS_REC_UPLOAD ?
		    "an Upload sent to the check-in address" :
		    "the document's check gave no valid answer", out);
		comms_work_free(w);
		return;
	}
	n = bundles_for(cx, peer->cn, f.last, s);
	json_kv_string(&dt.j, "gateway_id", f.gateway);
	json_kv_string(&dt.j, "software", f.software);
	json_kv_uint(&dt.j, "last_sequence", f.last);
	json_key(&dt.j, "bundles");
	json_array_begin(&dt.j);
	(void)snprintf(summary, sizeof(summary), "check-in from %s (%s): last "
	    "sequence %" PRIu64 ", %zu packages; %zu bundles", peer->cn,
	    peer->address, f.last, f.npkgs, n);
	for (i = 0; i < n; i++) {
		if (sha256_hex(s[i].data, s[i].len, sha) == -1)
			fatalx("SHA-256 failed");
		json_object_begin(&dt.j);
		json_kv_uint(&dt.j, "sequence", s[i].seq);
		json_kv_string(&dt.j, "file", s[i].file);
		json_kv_uint(&dt.j, "bytes", s[i].len);
		json_kv_string(&dt.j, "sha256", sha);
		json_object_end(&dt.j);
		(void)snprintf(summary + strlen(summary), sizeof(summary) -
		    strlen(summary), "%s%" PRIu64, i == 0 ? " served: " : ", ",
		    s[i].seq);
	}
	json_array_end(&dt.j);
	wbuf_init(&statuses);
	incident_statuses(cx->db, peer->cn, now, &statuses, &ninc);
	json_kv_uint(&dt.j, "incident_statuses", ninc);
	detail = comms_detail_end(&dt);
	if (comms_db_log(cx->db, now, COMMS_LOG_CHECKIN, summary, detail) ==
	    -1)
		log_warnx("transaction log: %s", comms_db_errmsg(cx->db));
	free(detail);
	log_info("%s", summary);
	res->status = 200;
	wbuf_init(&body);
	checkin_xml(&body, res->server_time, s, n, &statuses);
	wbuf_free(&statuses);
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
	if (comms_db_log(cx->db, now, COMMS_LOG_PACKAGE, summary, detail) ==
	    -1)
		log_warnx("transaction log: %s", comms_db_errmsg(cx->db));
	free(detail);
	log_info("%s", summary);
	comms_http_response(out, 200, (time_t)now, "application/octet-stream",
	    data, len);
	free(data);
	return 0;
}
