/*
 * The storage interface (storage.h): the one place that chooses a back
 * end, the dispatch of the comms_db_*() functions, and what both back
 * ends share: the log records of uploads and cycles, the extract's
 * integers, the details as JSON objects.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commsd.h"
#include "check.h"
#include "json.h"
#include "log.h"
#include "storage.h"

int
comms_db_is_pg(const char *database)
{
	return strncmp(database, "postgresql://", 13) == 0 ||
	    strncmp(database, "postgres://", 11) == 0;
}

const char *
comms_db_file(const char *database)
{
	return comms_db_is_pg(database) ? NULL : database;
}

int
comms_incident_status_ok(const char *s)
{
	return strcmp(s, "received") == 0 || strcmp(s, "shipped") == 0 ||
	    strcmp(s, "closed") == 0;
}

int
comms_db_open(struct comms_db *db, const char *database, int flags,
    char *err, size_t errlen)
{
	const struct comms_db_ops	*ops;

	ops = comms_db_is_pg(database) ? &comms_pg_ops : &comms_sqlite_ops;
	memset(db, 0, sizeof(*db));
	if (ops->open(db, database, flags, err, errlen) == -1) {
		memset(db, 0, sizeof(*db));
		return -1;
	}
	db->ops = ops;
	db->readonly = (flags & COMMS_DB_READONLY) != 0;
	return 0;
}

int
comms_db_start(struct comms_db *db, const struct comms_conf *conf,
    const char *state, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	const struct comms_db_ops	*ops;

	ops = comms_db_is_pg(conf->database) ? &comms_pg_ops :
	    &comms_sqlite_ops;
	memset(db, 0, sizeof(*db));
	db->ops = ops;
	if (ops->start(db, conf, state, uid, gid, err, errlen) == -1) {
		comms_db_close(db);
		return -1;
	}
	return 0;
}

int
comms_db_sandboxed(struct comms_db *db, const struct comms_conf *conf,
    char *err, size_t errlen)
{
	if (db->ops == NULL)
		fatalx("%s: no database", __func__);
	return db->ops->sandboxed(db, conf, err, errlen);
}

void
comms_db_close(struct comms_db *db)
{
	if (db->ops != NULL)
		db->ops->close(db);
	memset(db, 0, sizeof(*db));
}

const char *
comms_db_errmsg(const struct comms_db *db)
{
	return db->ops != NULL ? db->ops->errmsg(db) : "no database";
}

int
comms_db_lost(const struct comms_db *db)
{
	return db->ops != NULL && db->ops->lost(db);
}

const struct sandbox *
comms_db_sandbox(const struct comms_db *db)
{
	if (db->ops == NULL)
		fatalx("%s: no database", __func__);
	return db->ops->sandbox;
}

int
comms_db_log(struct comms_db *db, int64_t now, const char *kind,
    const char *summary, const char *detail)
{
	if (db->ops == NULL || db->readonly)
		return -1;
	return db->ops->log(db, now, kind, summary, detail);
}

int
comms_db_store(struct comms_db *db, const struct comms_peer *peer,
    const struct comms_doc *doc, int64_t now, struct comms_stored *out,
    char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (db->ops == NULL || db->readonly) {
		(void)snprintf(err, errlen, "no database to write");
		return -1;
	}
	return db->ops->store(db, peer, doc, now, out, err, errlen);
}

int
comms_db_checkin(struct comms_db *db, const struct comms_peer *peer,
    int64_t now, const struct comms_checkin *ci, const struct comms_bundle *b,
    size_t n, size_t *nserved)
{
	*nserved = 0;
	if (db->ops == NULL || db->readonly)
		return -1;
	return db->ops->checkin(db, peer, now, ci, b, n, nserved);
}

int
comms_db_package(struct comms_db *db, const struct comms_peer *peer,
    int64_t now, const char *file, const char *sha256, size_t len,
    const char *summary, const char *detail)
{
	if (db->ops == NULL || db->readonly)
		return -1;
	return db->ops->package(db, peer, now, file, sha256, len, summary,
	    detail);
}

int
comms_db_incident_status(struct comms_db *db, int64_t id, const char *status,
    int64_t now, const char *summary, const char *detail)
{
	if (db->ops == NULL || db->readonly ||
	    !comms_incident_status_ok(status))
		return -1;
	return db->ops->incident_status(db, id, status, now, summary, detail);
}

int
comms_parse_long(const char *s, size_t len, int64_t *v)
{
	const char	*p = s, *e = s + len;
	int		 neg = 0;
	uint64_t	 n = 0, lim;

	if (s == NULL)
		return -1;
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (p < e && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	if (p == e || *p < '0' || *p > '9')
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; p < e && *p >= '0' && *p <= '9'; p++) {
		if (n > (lim - (uint64_t)(*p - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (p != e)
		return -1;
	*v = neg ? (int64_t)(0 - n) : (int64_t)n;
	return 0;
}

char *
comms_cycle_record(const struct comms_peer *peer,
    const struct comms_stored *out, int64_t devices, char *summary,
    size_t len)
{
	struct comms_detail	 dt;

	(void)snprintf(summary, len, "cycle %" PRId64 " of %s complete: %"
	    PRId64 " parts, %" PRId64 " devices", out->cycle, peer->cn,
	    out->parts, devices);
	comms_detail_begin(&dt);
	comms_detail_peer(&dt, peer);
	json_kv_int(&dt.j, "cycle", out->cycle);
	json_kv_int(&dt.j, "parts", out->parts);
	json_kv_int(&dt.j, "devices", devices);
	json_kv_int(&dt.j, "last_document", out->id);
	return comms_detail_end(&dt);
}

char *
comms_upload_record(const struct comms_peer *peer,
    const struct comms_doc *doc, const struct comms_stored *out,
    char *summary, size_t len)
{
	struct comms_detail	 dt;
	struct comms_record	 r;
	char			*claimed;
	size_t			 off = 0;

	if (out->duplicate)
		(void)snprintf(summary, len, "duplicate upload "
		    "from %s: document %" PRId64 " received again (duplicate "
		    "%" PRId64 "), sha256 %.16s", peer->cn, out->id,
		    out->duplicates, doc->sha256);
	else if (out->parts > 1)
		(void)snprintf(summary, len, "upload from %s: "
		    "document %" PRId64 ", cycle %" PRId64 " (part %" PRId64
		    " of %" PRId64 "), %" PRId64 " devices, %zu bytes (%s), "
		    "sha256 %.16s", peer->cn, out->id, out->cycle, out->part,
		    out->parts, out->ndevices, doc->len, doc->encoding,
		    doc->sha256);
	else
		(void)snprintf(summary, len, "upload from %s: "
		    "document %" PRId64 ", cycle %" PRId64 ", %" PRId64
		    " devices, %zu bytes (%s), sha256 %.16s", peer->cn,
		    out->id, out->cycle, out->ndevices, doc->len,
		    doc->encoding, doc->sha256);
	comms_detail_begin(&dt);
	comms_detail_peer(&dt, peer);
	json_kv_int(&dt.j, "document", out->id);
	json_kv_string(&dt.j, "sha256", doc->sha256);
	json_kv_uint(&dt.j, "size", doc->len);
	json_kv_uint(&dt.j, "wire_size", doc->wire_len);
	json_kv_string(&dt.j, "encoding", doc->encoding);
	json_kv_int(&dt.j, "cycle", out->cycle);
	json_kv_int(&dt.j, "part", out->part);
	json_kv_int(&dt.j, "parts", out->parts);
	json_kv_int(&dt.j, "devices", out->ndevices);
	json_kv_bool(&dt.j, "duplicate", out->duplicate);
	if (out->duplicate)
		json_kv_int(&dt.j, "duplicates_seen", out->duplicates);
	if (doc->claimed_sha256 != NULL) {
		json_kv_string(&dt.j, "claimed_sha256", doc->claimed_sha256);
		json_kv_bool(&dt.j, "claimed_sha256_matches",
		    strcmp(doc->claimed_sha256, doc->sha256) == 0);
	}
	if (doc->user_agent != NULL && doc->user_agent[0] != '\0')
		json_kv_string(&dt.j, "user_agent", doc->user_agent);
	/* the certificate names the gateway; the document's claim differs */
	if (comms_extract_next(doc->extract, doc->extractlen, &off, &r) &&
	    r.tag == COMMS_REC_UPLOAD && r.f[XU_GATEWAY].s != NULL) {
		if ((claimed = strndup(r.f[XU_GATEWAY].s,
		    r.f[XU_GATEWAY].len)) == NULL)
			fatal("%s", __func__);
		if (strcmp(claimed, peer->cn) != 0) {
			log_warnx("%s (%s): the document says it is from "
			    "gateway \"%.64s\"", peer->cn, peer->address,
			    claimed);
			json_kv_string(&dt.j, "claimed_gateway", claimed);
		}
		free(claimed);
	}
	return comms_detail_end(&dt);
}

/*
 * Details of log records: JSON objects in memory.
 */

void
comms_detail_begin(struct comms_detail *dt)
{
	memset(dt, 0, sizeof(*dt));
	if ((dt->fp = open_memstream(&dt->buf, &dt->len)) == NULL)
		fatal("open_memstream");
	json_init(&dt->j, dt->fp);
	json_object_begin(&dt->j);
}

void
comms_detail_peer(struct comms_detail *dt, const struct comms_peer *peer)
{
	json_kv_string(&dt->j, "peer", peer->address);
	json_kv_string_or_null(&dt->j, "gateway", peer->cn);
	json_kv_string_or_null(&dt->j, "cert_sha256", peer->cert_sha256);
	json_kv_string_or_null(&dt->j, "tls", peer->tls_version);
	json_kv_string_or_null(&dt->j, "cipher", peer->cipher);
}

char *
comms_detail_end(struct comms_detail *dt)
{
	json_object_end(&dt->j);
	if (json_finish(&dt->j) == -1 || fclose(dt->fp) != 0)
		fatalx("building a log record failed");
	return dt->buf;
}
