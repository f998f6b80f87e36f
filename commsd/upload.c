/*
 * What commsd does with a complete request: remove the Content-Encoding
 * (bounded), hash the document, check it (common/xmlsafe.c: strict SOAP
 * envelope, no DTD or entity, schema-valid ch:Upload), store it once
 * (store.c) and answer with a receipt; or refuse it with a SOAP Fault.
 * Every outcome is a record of the transaction log.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "commsd.h"
#include "check.h"
#include "digest.h"
#include "http.h"
#include "isotime.h"
#include "json.h"
#include "log.h"
#include "xmlsafe.h"

int
comms_inflate(const uint8_t *in, size_t inlen, size_t max, uint8_t **outp,
    size_t *outlenp, char *err, size_t errlen)
{
	z_stream	 z;
	uint8_t		*out, *nout;
	size_t		 cap, ncap;
	int		 zr, r = -1;

	*outp = NULL;
	*outlenp = 0;
	if (inlen > UINT32_MAX || max >= UINT32_MAX) {
		(void)snprintf(err, errlen, "gzip body too large");
		return -2;
	}
	memset(&z, 0, sizeof(z));
	/* 16 + 15: a gzip stream (not zlib, not raw deflate), 32 KiB window */
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		(void)snprintf(err, errlen, "inflateInit2 failed");
		return -1;
	}
	/* one byte more than allowed: a document of max + 1 bytes is found */
	cap = 64 * 1024;
	if (cap > max + 1)
		cap = max + 1;
	if ((out = malloc(cap)) == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		inflateEnd(&z);
		return -1;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)inlen;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	for (;;) {
		if (z.avail_out == 0) {
			if (cap > max) {
				(void)snprintf(err, errlen, "the inflated "
				    "document is larger than %zu bytes", max);
				r = -2;
				goto fail;
			}
			ncap = cap > (max + 1) / 2 ? max + 1 : cap * 2;
			if ((nout = realloc(out, ncap)) == NULL) {
				(void)snprintf(err, errlen, "out of memory");
				goto fail;
			}
			out = nout;
			z.next_out = out + cap;
			z.avail_out = (uInt)(ncap - cap);
			cap = ncap;
		}
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_OK)
			continue;
		if (zr == Z_BUF_ERROR && z.avail_in == 0)
			(void)snprintf(err, errlen, "gzip stream truncated");
		else
			(void)snprintf(err, errlen, "gzip: %s", z.msg != NULL ?
			    z.msg : "invalid data");
		goto fail;
	}
	if (z.total_out > max) {
		(void)snprintf(err, errlen, "the inflated document is larger "
		    "than %zu bytes", max);
		r = -2;
		goto fail;
	}
	if (z.avail_in != 0) {
		(void)snprintf(err, errlen, "data after the gzip stream");
		goto fail;
	}
	*outlenp = z.total_out;
	*outp = out;
	inflateEnd(&z);
	return 0;
 fail:
	free(out);
	inflateEnd(&z);
	return r;
}

void
comms_receipt_xml(struct wbuf *w, const char *sha256, int64_t id,
    const char *server_time, int duplicate)
{
	char	 buf[1024];
	int	 n;

	n = snprintf(buf, sizeof(buf),
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<env:Envelope xmlns:env=\"" SOAP_NS "\" "
	    "xmlns:ch=\"" CALLHOME_NS "\"><env:Body><ch:Receipt>"
	    "<ch:DocumentSha256>%s</ch:DocumentSha256>"
	    "<ch:DocumentId>%" PRId64 "</ch:DocumentId>"
	    "<ch:ServerTime>%s</ch:ServerTime>"
	    "<ch:Duplicate>%s</ch:Duplicate>"
	    "</ch:Receipt></env:Body></env:Envelope>\n",
	    sha256, id, server_time, duplicate ? "true" : "false");
	if (n < 0 || (size_t)n >= sizeof(buf))
		fatalx("%s: too long", __func__);
	wbuf_bytes(w, buf, (size_t)n);
}

/* a wrong hash, for "fault receipt-hash": every digit changed */
static void
wrong_hash(const char *in, char out[65])
{
	static const char	 digits[] = "0123456789abcdef";
	const char		*p;
	int			 i;

	for (i = 0; i < 64; i++) {
		p = strchr(digits, in[i]);
		out[i] = digits[((p != NULL ? p - digits : 0) + 1) % 16];
	}
	out[64] = '\0';
}

void
comms_reject(struct comms_ctx *cx, const struct comms_peer *peer,
    struct comms_http *h, int64_t now, int status, const char *reason,
    struct wbuf *out)
{
	struct comms_detail	 dt;
	char			 summary[512];
	char			*detail;
	const char		*kind;

	kind = status >= 500 ? COMMS_LOG_ERROR : COMMS_LOG_REJECT;
	(void)snprintf(summary, sizeof(summary), "%s from %s (%s): %d %s",
	    status >= 500 ? "failed request" : "rejected request",
	    peer->cn[0] != '\0' ? peer->cn : "?", peer->address, status,
	    reason);
	log_warnx("%s", summary);
	comms_detail_begin(&dt);
	comms_detail_peer(&dt, peer);
	json_kv_int(&dt.j, "status", status);
	json_kv_string(&dt.j, "reason", reason);
	if (h != NULL) {
		json_kv_string_or_null(&dt.j, "method", h->method);
		json_kv_string_or_null(&dt.j, "target", h->target);
		json_kv_uint(&dt.j, "received", h->received);
		if (h->have_sha256)
			json_kv_string(&dt.j, "claimed_sha256", h->sha256);
		if (h->user_agent[0] != '\0')
			json_kv_string(&dt.j, "user_agent", h->user_agent);
	}
	detail = comms_detail_end(&dt);
	if (comms_db_log(cx->db, now, kind, summary, detail) == -1)
		log_warnx("transaction log: %s", comms_db_errmsg(cx->db));
	free(detail);
	if (out != NULL)
		comms_http_fault(out, status, (time_t)now, reason);
}

/* a refusal of the upload: logged with the document's hash when known */
static void
upload_reject(struct comms_ctx *cx, const struct comms_peer *peer,
    struct comms_http *h, int64_t now, size_t len, struct comms_result *res,
    struct wbuf *out)
{
	char	 why[1024];

	if (res->sha256[0] != '\0') {
		(void)snprintf(why, sizeof(why), "%s (document sha256 %s, %zu "
		    "bytes)", res->reason, res->sha256, len);
		comms_reject(cx, peer, h, now, res->status, why, NULL);
	} else
		comms_reject(cx, peer, h, now, res->status, res->reason,
		    NULL);
	if (out != NULL)
		comms_http_fault(out, res->status, (time_t)now, res->reason);
}

void
comms_work_free(struct comms_work *w)
{
	free(w->inflated);
	memset(w, 0, sizeof(*w));
}

int
comms_upload_begin(struct comms_ctx *cx, const struct comms_peer *peer,
    struct comms_http *h, int64_t now, size_t room, struct comms_work *w,
    struct comms_result *res, struct wbuf *out)
{
	size_t	 max;
	char	 err[400];
	int	 r;

	memset(res, 0, sizeof(*res));
	memset(w, 0, sizeof(*w));
	(void)iso_time(now, res->server_time, sizeof(res->server_time));
	w->wire_len = h->bodylen;
	w->gzip = h->gzip;
	if (h->gzip) {
		max = room < cx->max_document ? room : cx->max_document;
		r = comms_inflate(h->body, h->bodylen, max, &w->inflated,
		    &w->len, err, sizeof(err));
		if (r == -2 && max < cx->max_document) {
			res->status = 503;
			(void)snprintf(res->reason, sizeof(res->reason),
			    "the server is busy: try again later");
			goto reject;
		}
		if (r != 0) {
			res->status = r == -2 ? 413 : 400;
			(void)snprintf(res->reason, sizeof(res->reason),
			    "%s", err);
			goto reject;
		}
		/* the body is not needed any more: only its length */
		free(h->body);
		h->body = NULL;
		w->bytes = w->inflated != NULL ? w->inflated :
		    (const uint8_t *)"";
	} else {
		w->bytes = h->body != NULL ? h->body : (const uint8_t *)"";
		w->len = h->bodylen;
	}
	if (sha256_hex(w->bytes, w->len, res->sha256) == -1)
		fatalx("SHA-256 failed");
	if (h->have_sha256 && strcmp(h->sha256, res->sha256) != 0) {
		res->status = 400;
		(void)snprintf(res->reason, sizeof(res->reason),
		    "X-Callhome-Document-Sha256 %s does not match the "
		    "document received", h->sha256);
		goto reject;
	}
	return 0;
 reject:
	upload_reject(cx, peer, h, now, w->len, res, out);
	comms_work_free(w);
	return -1;
}

/* a field of the extract as an integer: 0, or -1 when not one */
static int
field_int(const struct comms_field *f, int64_t *v)
{
	char		 buf[24], *end;
	long long	 n;

	if (f->s == NULL || f->len == 0 || f->len >= sizeof(buf))
		return -1;
	memcpy(buf, f->s, f->len);
	buf[f->len] = '\0';
	errno = 0;
	n = strtoll(buf, &end, 10);
	if (errno != 0 || *end != '\0' || buf[0] == ' ')
		return -1;
	*v = n;
	return 0;
}

void
comms_upload_part(const struct comms_record *u, int64_t *part,
    int64_t *parts, int64_t *first)
{
	*part = *parts = 1;
	*first = 0;
	if (u->f[XU_PART].s == NULL)
		return;
	(void)field_int(&u->f[XU_PART], part);
	(void)field_int(&u->f[XU_PARTS], parts);
	(void)field_int(&u->f[XU_FIRST_DEVICE], first);
}

/*
 * An upload's Part, if any, against itself and its devices: all four
 * attributes (the schema says so, the worker's extract must too), the
 * number within the count, and as many devices as it says.  0, or -1
 * with a reason.
 */
static int
part_check(const uint8_t *extract, size_t len, uint64_t ndevices,
    char *err, size_t errlen)
{
	struct comms_record	 u;
	size_t			 off = 0;
	int64_t			 part, parts, first, devices;
	int			 n;

	if (!comms_extract_next(extract, len, &off, &u) ||
	    u.tag != COMMS_REC_UPLOAD) {
		(void)snprintf(err, errlen, "no upload record");
		return -1;
	}
	n = (u.f[XU_PART].s != NULL) + (u.f[XU_PARTS].s != NULL) +
	    (u.f[XU_FIRST_DEVICE].s != NULL) +
	    (u.f[XU_PART_DEVICES].s != NULL);
	if (n == 0)
		return 0;		/* the whole cycle in one document */
	if (n != 4 || field_int(&u.f[XU_PART], &part) == -1 ||
	    field_int(&u.f[XU_PARTS], &parts) == -1 ||
	    field_int(&u.f[XU_FIRST_DEVICE], &first) == -1 ||
	    field_int(&u.f[XU_PART_DEVICES], &devices) == -1) {
		(void)snprintf(err, errlen, "the Part element is incomplete");
		return -1;
	}
	if (part < 1 || part > parts || parts > COMMS_MAX_PARTS ||
	    first < 0) {
		(void)snprintf(err, errlen, "Part number=\"%lld\" of=\"%lld\" "
		    "is not a part of a cycle", (long long)part,
		    (long long)parts);
		return -1;
	}
	if ((uint64_t)devices != ndevices) {
		(void)snprintf(err, errlen, "Part says %lld devices, the "
		    "document has %llu", (long long)devices,
		    (unsigned long long)ndevices);
		return -1;
	}
	return 0;
}

void
comms_upload_end(struct comms_ctx *cx, const struct comms_peer *peer,
    struct comms_http *h, int64_t now, struct comms_work *w, int status,
    const char *reason, const uint8_t *extract, size_t extractlen,
    struct comms_result *res, struct wbuf *out)
{
	struct comms_doc	 doc;
	struct wbuf		 body;
	char			 err[400], sha[65];
	int			 r;

	if (status != 0) {
		res->status = status;
		(void)strlcpy(res->reason, reason, sizeof(res->reason));
		goto reject;
	}
	memset(&doc, 0, sizeof(doc));
	if (comms_extract_check(extract, extractlen, &doc.ndevices, err,
	    sizeof(err)) == -1) {
		res->status = 500;
		(void)snprintf(res->reason, sizeof(res->reason),
		    "the document's check gave no valid answer: %s", err);
		goto reject;
	}
	if (extract[0] != COMMS_REC_UPLOAD) {
		res->status = 400;
		(void)snprintf(res->reason, sizeof(res->reason),
		    "a CheckIn sent to the upload address");
		goto reject;
	}
	if (part_check(extract, extractlen, doc.ndevices, err,
	    sizeof(err)) == -1) {
		res->status = 400;
		(void)snprintf(res->reason, sizeof(res->reason), "%s", err);
		goto reject;
	}
	doc.bytes = w->bytes;
	doc.len = w->len;
	doc.wire_len = w->wire_len;
	doc.encoding = w->gzip ? "gzip" : "identity";
	memcpy(doc.sha256, res->sha256, sizeof(doc.sha256));
	doc.extract = extract;
	doc.extractlen = extractlen;
	doc.claimed_sha256 = h->have_sha256 ? h->sha256 : NULL;
	doc.user_agent = h->user_agent;
	if ((r = comms_db_store(cx->db, peer, &doc, now, &res->doc, err,
	    sizeof(err))) == -2) {
		res->status = 400;
		(void)snprintf(res->reason, sizeof(res->reason), "%s", err);
		goto reject;
	}
	if (r == -1 && comms_db_lost(cx->db)) {
		res->status = 503;
		(void)strlcpy(res->reason, COMMS_DBLOST_REASON,
		    sizeof(res->reason));
		goto reject;
	}
	if (r == -1) {
		res->status = 500;
		(void)snprintf(res->reason, sizeof(res->reason),
		    "the document could not be stored: %s", err);
		goto reject;
	}

	res->status = 200;
	log_info("%s from %s (%s): document %" PRId64 ", %zu bytes, sha256 "
	    "%s", res->doc.duplicate ? "duplicate upload" : "upload",
	    peer->cn, peer->address, res->doc.id, w->len, res->sha256);
	if (cx->faults & COMMS_FAULT_RECEIPT_HASH) {
		wrong_hash(res->sha256, sha);
		log_warnx("fault receipt-hash: the receipt says %s", sha);
	} else
		memcpy(sha, res->sha256, sizeof(sha));
	if (out != NULL) {
		wbuf_init(&body);
		comms_receipt_xml(&body, sha, res->doc.id, res->server_time,
		    res->doc.duplicate);
		comms_http_response(out, 200, (time_t)now, COMMS_SOAP_CTYPE,
		    body.data, body.len);
		wbuf_free(&body);
	}
	comms_work_free(w);
	return;
 reject:
	upload_reject(cx, peer, h, now, w->len, res, out);
	comms_work_free(w);
}

void
comms_upload(struct comms_ctx *cx, const struct comms_peer *peer,
    struct comms_http *h, int64_t now, struct comms_result *res,
    struct wbuf *out)
{
	struct comms_check_limits	 lim;
	struct comms_work		 w;
	struct wbuf			 extract;
	char				 reason[512];
	int				 status;

	if (comms_upload_begin(cx, peer, h, now, SIZE_MAX, &w, res,
	    out) == -1)
		return;
	if (cx->scan != NULL)
		lim.scan = *cx->scan;
	else
		comms_scan_limits_default(&lim.scan);
	lim.max_document = cx->max_document;
	wbuf_init(&extract);
	if (comms_check_document(cx->schema, &lim, w.bytes, w.len, &extract,
	    &status, reason, sizeof(reason)) == 0)
		status = 0;
	comms_upload_end(cx, peer, h, now, &w, status, reason, extract.data,
	    extract.len, res, out);
	wbuf_free(&extract);
}
