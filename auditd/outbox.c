/*
 * The outbox: see outbox.h; the table is described in db.c.
 */
#include <sys/param.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "digest.h"
#include "document.h"
#include "gz.h"
#include "json.h"
#include "incident.h"
#include "log.h"
#include "outbox.h"
#include "report.h"
#include "site.h"
#include "txlog.h"
#include "xmlsafe.h"

#define SALT_NAME	"device-key-salt"

/* a part stored by outbox_add(), until its hash is known */
struct part_build {
	int64_t			 id;		/* its outbox row */
	uint32_t		 first;		/* its devices */
	uint32_t		 devices;
	size_t			 size;
	size_t			 tail;		/* where its Part element is */
	EVP_MD_CTX		*md;		/* over the bytes before it */
	char			 sha[TXLOG_HEX_LEN];	/* the last part's */
};

struct outbox {
	struct db		*db;
	char			 err[512];
	uint8_t			 salt[DOC_SALT_LEN];

	/* the configuration, copied */
	int			 configured;
	struct supply_policy	 supplies;	/* automatic requests */
	char			 tzname[64];	/* for the site information */
	char			 gateway[CONF_STR_MAX];
	char			 site[CONF_STR_MAX];
	char			 server[CONF_STR_MAX + 8];	/* name:port */
	uint32_t		 send;
	int			 authorized;
	uint64_t		 spool_limit;
	uint64_t		 part_limit;
	struct xschema		*xs;

	outbox_send_fn		 sendfn;
	void			*sendarg;

	/* the job in flight */
	uint64_t		 inflight;
	int64_t			 inflight_cycle;
	int64_t			 inflight_part;
	int64_t			 inflight_parts;
	int64_t			 inflight_size;
	char			 inflight_sha[TXLOG_HEX_LEN];

	/* the parts of the cycle being stored (outbox_add) */
	struct part_build	*pb;
	size_t			 npb, pbcap;
	int64_t			 build_cycle;
	int64_t			 build_now;

	int			 own_tx;	/* tx_begin() began it */
	struct wbuf		 body;
};

static int
oerr(struct outbox *ob, const char *fmt, ...)
	__attribute__((__format__(printf, 2, 3)));

static int
oerr(struct outbox *ob, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(ob->err, sizeof(ob->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int
dberr(struct outbox *ob, const char *what)
{
	return oerr(ob, "outbox: %s: %s", what, db_errmsg(ob->db));
}

const char *
outbox_error(const struct outbox *ob)
{
	return ob->err;
}

uint64_t
outbox_inflight(const struct outbox *ob)
{
	return ob->inflight;
}

/* units of work (db.h): results and kicks may come during a cycle */
static int
tx_begin(struct outbox *ob)
{
	return db_unit_begin(ob->db, &ob->own_tx);
}

static int
tx_commit(struct outbox *ob)
{
	return db_unit_commit(ob->db, ob->own_tx);
}

static void
tx_rollback(struct outbox *ob)
{
	db_unit_rollback(ob->db, ob->own_tx);
}

static int
log_record(struct outbox *ob, int64_t now, const char *kind,
    const char *summary, char *detail)
{
	int64_t	 seq;
	int	 rc;

	rc = txlog_append(ob->db->h, now, kind, summary, detail, &seq);
	free(detail);
	return rc == -1 ? dberr(ob, "appending to the transaction log") : 0;
}

/* the parts of a cycle being stored: their digests go */
static void
parts_free(struct outbox *ob)
{
	size_t	 i;

	for (i = 0; i < ob->npb; i++)
		EVP_MD_CTX_free(ob->pb[i].md);
	ob->npb = 0;
}

/*
 * Opening and configuring.
 */

/* the salt of the device keys: made once in the life of the database,
 * never from sqlite's PRNG, and read back */
static int
load_salt(struct outbox *ob)
{
	sqlite3_stmt	*st = NULL;
	const void	*v;
	int		 ok;

	arc4random_buf(ob->salt, sizeof(ob->salt));
	if (sqlite3_prepare_v2(ob->db->h, "INSERT OR IGNORE INTO secrets "
	    "(name, value) VALUES ('" SALT_NAME "', ?1)", -1, &st, NULL) !=
	    SQLITE_OK || sqlite3_bind_blob(st, 1, ob->salt, sizeof(ob->salt),
	    SQLITE_STATIC) != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return dberr(ob, "storing the salt");
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(ob->db->h, "SELECT value FROM secrets WHERE "
	    "name = '" SALT_NAME "'", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return dberr(ob, "reading the salt");
	}
	v = sqlite3_column_blob(st, 0);
	if ((ok = v != NULL && sqlite3_column_bytes(st, 0) == DOC_SALT_LEN))
		memcpy(ob->salt, v, DOC_SALT_LEN);
	sqlite3_finalize(st);
	return ok ? 0 : oerr(ob, "outbox: the salt of device keys is damaged");
}

struct outbox *
outbox_new(struct db *db, char *err, size_t errlen)
{
	struct outbox	*ob;

	if ((ob = calloc(1, sizeof(*ob))) == NULL)
		fatal(NULL);
	ob->db = db;
	ob->part_limit = CONF_PART_LIMIT_DEFAULT;
	wbuf_init(&ob->body);
	if (load_salt(ob) == -1) {
		(void)strlcpy(err, ob->err, errlen);
		outbox_free(ob);
		return NULL;
	}
	return ob;
}

void
outbox_free(struct outbox *ob)
{
	if (ob == NULL)
		return;
	xschema_free(ob->xs);
	parts_free(ob);
	free(ob->pb);
	wbuf_free(&ob->body);
	explicit_bzero(ob->salt, sizeof(ob->salt));
	free(ob);
}

int
outbox_configure(struct outbox *ob, const struct auditd_conf *conf,
    char *err, size_t errlen)
{
	struct xschema	*xs;

	if ((xs = xschema_load(conf->xsd, conf->xsdlen, err, errlen)) == NULL)
		return -1;
	xschema_free(ob->xs);
	ob->xs = xs;
	(void)strlcpy(ob->gateway, conf->gateway, sizeof(ob->gateway));
	(void)strlcpy(ob->site, conf->site, sizeof(ob->site));
	supply_policy_set(&ob->supplies, conf);
	(void)strlcpy(ob->tzname, conf->tzname, sizeof(ob->tzname));
	if (conf->server[0] != '\0')
		(void)snprintf(ob->server, sizeof(ob->server), "%s:%u",
		    conf->server, (unsigned)conf->port);
	else
		ob->server[0] = '\0';
	ob->send = conf->send;
	ob->authorized = conf->authorize_upload != 0;
	ob->spool_limit = conf->spool_limit;
	/* 0: a configuration made by hand (tests) takes the default */
	ob->part_limit = conf->part_limit != 0 ? conf->part_limit :
	    CONF_PART_LIMIT_DEFAULT;
	ob->configured = 1;
	return 0;
}

void
outbox_set_sender(struct outbox *ob, outbox_send_fn fn, void *arg)
{
	ob->sendfn = fn;
	ob->sendarg = arg;
}

/*
 * Storing a cycle's documents.
 */

static int64_t
ms_now(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "cycle 12" or "cycle 12 (part 3 of 16)": how the log names a part */
static void
part_name(char *buf, size_t len, int64_t cycle, int64_t part, int64_t parts)
{
	if (parts <= 1)
		(void)snprintf(buf, len, "cycle %" PRId64, cycle);
	else
		(void)snprintf(buf, len, "cycle %" PRId64 " (part %" PRId64
		    " of %" PRId64 ")", cycle, part, parts);
}

/* documents waiting (pending or set aside), and their bytes */
static int
spool_totals(struct outbox *ob, int64_t *count, int64_t *bytes)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(ob->db->h, "SELECT count(*), "
	    "coalesce(sum(size), 0) FROM outbox WHERE state IN ('pending', "
	    "'refused')", -1, &st, NULL) != SQLITE_OK)
		return dberr(ob, "counting");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*count = sqlite3_column_int64(st, 0);
		*bytes = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : dberr(ob, "counting");
}

/*
 * Delete the bytes of one undelivered document and say so in the log:
 * `why' for the record, `reason' for the row ("spool limit",
 * "dropped").
 */
static int
prune_one(struct outbox *ob, int64_t id, int64_t now, const char *reason,
    const char *why, int64_t spool_bytes)
{
	struct json_mem	 d;
	sqlite3_stmt	*st;
	char		 summary[512], name[96], sha[TXLOG_HEX_LEN];
	int64_t		 cycle, part, parts, size;
	int		 rc;

	if (sqlite3_prepare_v2(ob->db->h, "SELECT cycle_id, part, parts, "
	    "size, sha256 FROM outbox WHERE id = ?1 AND state IN ('pending', "
	    "'refused')", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    (rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return dberr(ob, "pruning");
	}
	cycle = sqlite3_column_int64(st, 0);
	part = sqlite3_column_int64(st, 1);
	parts = sqlite3_column_int64(st, 2);
	size = sqlite3_column_int64(st, 3);
	(void)strlcpy(sha, (const char *)sqlite3_column_text(st, 4),
	    sizeof(sha));
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(ob->db->h, "UPDATE outbox SET state = "
	    "'pruned', document = NULL, pruned = ?2, prune_reason = ?3 "
	    "WHERE id = ?1", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, now) != SQLITE_OK ||
	    sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE ||
	    sqlite3_changes(ob->db->h) != 1) {
		sqlite3_finalize(st);
		return dberr(ob, "pruning");
	}
	sqlite3_finalize(st);

	part_name(name, sizeof(name), cycle, part, parts);
	(void)snprintf(summary, sizeof(summary), "document of %s pruned, "
	    "never sent: %" PRId64 " bytes, sha256 %.16s (%s)", name, size,
	    sha, why);
	json_mem_begin(&d);
	json_kv_int(&d.j, "cycle", cycle);
	json_kv_int(&d.j, "outbox", id);
	json_kv_int(&d.j, "part", part);
	json_kv_int(&d.j, "parts", parts);
	json_kv_int(&d.j, "size", size);
	json_kv_string(&d.j, "sha256", sha);
	json_kv_string(&d.j, "reason", why);
	json_kv_uint(&d.j, "spool_limit", ob->spool_limit);
	if (spool_bytes >= 0)
		json_kv_int(&d.j, "spool_bytes", spool_bytes);
	return log_record(ob, now, TXLOG_PRUNE, summary, json_mem_end(&d));
}

/*
 * While the undelivered documents exceed the spool limit, prune the
 * oldest (never the one in flight: its bytes are being sent).
 */
static int
prune_spool(struct outbox *ob, int64_t now)
{
	sqlite3_stmt	*st;
	int64_t		 n = 0, bytes = 0, id, cycle, size;
	char		 lim[32], why[64];
	int		 rc;

	if (spool_totals(ob, &n, &bytes) == -1)
		return -1;
	config_fmt_size(lim, sizeof(lim), ob->spool_limit);
	(void)snprintf(why, sizeof(why), "spool limit %s exceeded", lim);
	while (bytes > 0 && (uint64_t)bytes > ob->spool_limit) {
		if (sqlite3_prepare_v2(ob->db->h, "SELECT id, cycle_id, size "
		    "FROM outbox WHERE state IN ('pending', 'refused') AND "
		    "id != ?1 ORDER BY id LIMIT 1", -1, &st, NULL) !=
		    SQLITE_OK ||
		    sqlite3_bind_int64(st, 1, (int64_t)ob->inflight) !=
		    SQLITE_OK)
			return dberr(ob, "finding the oldest document");
		if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
			sqlite3_finalize(st);
			if (rc != SQLITE_DONE)
				return dberr(ob, "finding the oldest "
				    "document");
			break;		/* only the one in flight is left */
		}
		id = sqlite3_column_int64(st, 0);
		cycle = sqlite3_column_int64(st, 1);
		size = sqlite3_column_int64(st, 2);
		sqlite3_finalize(st);
		if (prune_one(ob, id, now, "spool limit", why, bytes) == -1)
			return -1;
		log_warnx("outbox: the spool exceeds its limit: a document "
		    "of cycle %" PRId64 " (%" PRId64 " bytes) was pruned "
		    "without being sent", cycle, size);
		bytes -= size;
	}
	return 0;
}

/* a part is cut (document.h): check it, store it, hash what is final */
static int
part_store(void *arg, const struct doc_part *pt, char *err, size_t errlen)
{
	struct outbox		*ob = arg;
	struct part_build	*b;
	sqlite3_stmt		*st;
	xmlDocPtr		 x;
	xmlNodePtr		 payload;
	EVP_MD_CTX		*md;
	uint8_t			 h[SHA256_LEN];
	char			 hex[TXLOG_HEX_LEN], why[512];

	/*
	 * Both sides validate: what does not pass is our bug.  Up to
	 * OUTBOX_CHECK_MAX (a site of some hundred printers, or the last
	 * part of a large cycle); beyond, parsing costs as much as
	 * everything else auditd does for the part, and the builder's
	 * escaping and bounds (tested against the schema) and the server's
	 * validation of every upload stand in for it.
	 */
	if (pt->len <= OUTBOX_CHECK_MAX) {
		if ((x = soap_parse(ob->xs, pt->data, pt->len,
		    OUTBOX_CHECK_MAX, "Upload", &payload, why,
		    sizeof(why))) == NULL)
			fatalx("the upload document of cycle %" PRId64 ", part "
			    "%u, is not valid: %s", ob->build_cycle,
			    pt->number, why);
		xmlFreeDoc(x);
	}
	if (ob->npb == ob->pbcap) {
		ob->pbcap = ob->pbcap == 0 ? 16 : 2 * ob->pbcap;
		if ((ob->pb = reallocarray(ob->pb, ob->pbcap,
		    sizeof(*ob->pb))) == NULL)
			fatal(NULL);
	}
	/* the bytes before the Part element are final: hash them now */
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, pt->data, pt->tail) != 1)
		fatalx("SHA-256");
	b = &ob->pb[ob->npb++];
	memset(b, 0, sizeof(*b));
	b->md = md;
	b->first = pt->first;
	b->devices = pt->devices;
	b->size = pt->len;
	b->tail = pt->tail;
	hex[0] = '\0';
	if (pt->last) {
		/* the last part's count is its own number: final already */
		if (EVP_DigestUpdate(md, pt->data + pt->tail,
		    pt->len - pt->tail) != 1 ||
		    EVP_DigestFinal_ex(md, h, NULL) != 1)
			fatalx("SHA-256");
		digest_hex(h, hex);
	}
	if (sqlite3_prepare_v2(ob->db->h, "INSERT INTO outbox (cycle_id, "
	    "part, parts, first_device, devices, created, sha256, size, "
	    "document, state) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "'pending')", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, ob->build_cycle) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, pt->number) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, pt->first) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, pt->devices) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 5, ob->build_now) != SQLITE_OK ||
	    sqlite3_bind_text(st, 6, hex, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 7, (int64_t)pt->len) != SQLITE_OK ||
	    sqlite3_bind_blob64(st, 8, pt->data, pt->len, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		(void)snprintf(err, errlen, "storing part %u: %s", pt->number,
		    db_errmsg(ob->db));
		return -1;
	}
	sqlite3_finalize(st);
	b->id = sqlite3_last_insert_rowid(ob->db->h);
	if (pt->last) {
		EVP_MD_CTX_free(b->md);
		b->md = NULL;
		(void)strlcpy(b->sha, hex, sizeof(b->sha));
	}
	return 0;
}

/*
 * The parts before the last: their count goes in place in the stored
 * bytes (a tail of the same length), and their hash is finished.
 */
static int
part_finish(struct outbox *ob, size_t i, uint32_t n, char *hex)
{
	struct part_build	*b = &ob->pb[i];
	sqlite3_blob		*blob;
	uint8_t			 h[SHA256_LEN];
	char			 tail[DOC_TAIL_MAX];
	size_t			 len;

	len = document_tail(tail, (uint32_t)i + 1, b->first, b->devices, n);
	if (b->tail + len != b->size)
		fatalx("outbox: part %zu: its tail changed length", i + 1);
	if (sqlite3_blob_open(ob->db->h, "main", "outbox", "document", b->id,
	    1, &blob) != SQLITE_OK)
		return dberr(ob, "opening a part");
	if (sqlite3_blob_write(blob, tail, (int)len, (int)b->tail) !=
	    SQLITE_OK) {
		(void)sqlite3_blob_close(blob);
		return dberr(ob, "writing a part's count");
	}
	if (sqlite3_blob_close(blob) != SQLITE_OK)
		return dberr(ob, "writing a part's count");
	if (EVP_DigestUpdate(b->md, tail, len) != 1 ||
	    EVP_DigestFinal_ex(b->md, h, NULL) != 1)
		fatalx("SHA-256");
	EVP_MD_CTX_free(b->md);
	b->md = NULL;
	digest_hex(h, hex);
	return 0;
}

/* set a document aside (in the caller's transaction), with no record */
static int
set_aside(struct outbox *ob, int64_t id, int64_t now, const char *error)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(ob->db->h, "UPDATE outbox SET state = "
	    "'refused', refused = ?2, last_error = ?3 WHERE id = ?1 AND "
	    "state = 'pending'", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, now) != SQLITE_OK ||
	    sqlite3_bind_text(st, 3, error, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE ||
	    sqlite3_changes(ob->db->h) != 1) {
		sqlite3_finalize(st);
		return dberr(ob, "setting a document aside");
	}
	sqlite3_finalize(st);
	return 0;
}

/* the hash and count of part i, and its "document" record */
static int
part_record(struct outbox *ob, const struct rpt_cycle *c, size_t i,
    uint32_t n, const char *hex, int64_t now)
{
	struct part_build	*b = &ob->pb[i];
	struct json_mem		 d;
	sqlite3_stmt		*st;
	char			 summary[512], name[96], cats[256], lim[32];
	char			 error[256];

	if (sqlite3_prepare_v2(ob->db->h, "UPDATE outbox SET sha256 = ?2, "
	    "parts = ?3 WHERE id = ?1", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, b->id) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, hex, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, n) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE ||
	    sqlite3_changes(ob->db->h) != 1) {
		sqlite3_finalize(st);
		return dberr(ob, "storing a part's hash");
	}
	sqlite3_finalize(st);

	part_name(name, sizeof(name), c->id, (int64_t)i + 1, n);
	(void)snprintf(summary, sizeof(summary), "document of %s: %zu bytes, "
	    "%u devices, sha256 %.16s, %s", name, b->size, b->devices, hex,
	    ob->authorized ? "to be sent" : "kept (upload not authorized)");
	json_mem_begin(&d);
	json_kv_int(&d.j, "cycle", c->id);
	json_kv_int(&d.j, "outbox", b->id);
	json_kv_uint(&d.j, "part", i + 1);
	json_kv_uint(&d.j, "parts", n);
	json_kv_uint(&d.j, "first_device", b->first);
	json_kv_uint(&d.j, "devices", b->devices);
	json_kv_uint(&d.j, "cycle_devices", c->ndevices);
	json_kv_uint(&d.j, "size", b->size);
	json_kv_string(&d.j, "sha256", hex);
	json_kv_string(&d.j, "categories", category_list(ob->send, cats,
	    sizeof(cats)));
	json_kv_uint(&d.j, "part_limit", ob->part_limit);
	json_kv_bool(&d.j, "authorized", ob->authorized);
	if (log_record(ob, now, TXLOG_DOCUMENT, summary, json_mem_end(&d)) ==
	    -1)
		return -1;
	if (b->size <= OUTBOX_DOC_MAX)
		return 0;
	/* only a single device larger than an upload can get here */
	config_fmt_size(lim, sizeof(lim), OUTBOX_DOC_MAX);
	(void)snprintf(error, sizeof(error), "set aside: %zu bytes, more than "
	    "an upload may carry (%s)", b->size, lim);
	log_warnx("outbox: the document of %s: %s", name, error);
	if (set_aside(ob, b->id, now, error) == -1)
		return -1;
	(void)snprintf(summary, sizeof(summary), "upload of %s: refused: %s",
	    name, error);
	json_mem_begin(&d);
	json_kv_int(&d.j, "cycle", c->id);
	json_kv_int(&d.j, "outbox", b->id);
	json_kv_uint(&d.j, "part", i + 1);
	json_kv_uint(&d.j, "parts", n);
	json_kv_int(&d.j, "attempt", 0);
	json_kv_string(&d.j, "result", "refused");
	json_kv_string(&d.j, "document_sha256", hex);
	json_kv_string(&d.j, "error", error);
	json_kv_bool(&d.j, "set_aside", 1);
	return log_record(ob, now, TXLOG_UPLOAD, summary, json_mem_end(&d));
}

int
outbox_add(struct outbox *ob, const struct rpt_cycle *c, int64_t now)
{
	struct doc_params p;
	char		 why[512], hex[TXLOG_HEX_LEN];
	int64_t		 t0, t1;
	size_t		 i, bytes = 0;
	uint32_t	 n;

	if (!ob->configured)
		return oerr(ob, "outbox: cycle %" PRId64 " stored before the "
		    "configuration arrived", c->id);
	if (sqlite3_get_autocommit(ob->db->h))
		return oerr(ob, "outbox: cycle %" PRId64 ": not inside the "
		    "cycle's transaction", c->id);
	p.gateway = ob->gateway;
	p.site = ob->site;
	p.send = ob->send;
	p.salt = ob->salt;
	parts_free(ob);
	ob->build_cycle = c->id;
	ob->build_now = now;
	t0 = ms_now();
	/* what goes with this cycle: its supply requests, waiting incidents */
	if (incident_cycle(ob->db->h, c->id, &ob->supplies, now, why,
	    sizeof(why)) == -1)
		return oerr(ob, "outbox: %s", why);
	if ((ob->send & CAT_BIT(CAT_SITE_INFO)) && site_info_store(ob->db->h,
	    c->id, ob->tzname, (ob->send & CAT_BIT(CAT_PII)) != 0, why,
	    sizeof(why)) == -1)
		return oerr(ob, "outbox: %s", why);
	if (document_parts(ob->db->h, c->id, &p, (size_t)ob->part_limit,
	    part_store, ob, why, sizeof(why)) == -1) {
		parts_free(ob);
		return oerr(ob, "outbox: building the documents: %s", why);
	}
	n = (uint32_t)ob->npb;
	for (i = 0; i < ob->npb; i++) {
		bytes += ob->pb[i].size;
		if (i + 1 == ob->npb)
			(void)strlcpy(hex, ob->pb[i].sha, sizeof(hex));
		else if (part_finish(ob, i, n, hex) == -1) {
			parts_free(ob);
			return -1;
		}
		if (part_record(ob, c, i, n, hex, now) == -1) {
			parts_free(ob);
			return -1;
		}
	}
	parts_free(ob);
	t1 = ms_now();
	log_debug("outbox: cycle %" PRId64 ": %u documents, %zu bytes, built, "
	    "checked and stored in %" PRId64 " ms", c->id, n, bytes, t1 - t0);
	if (ob->pbcap > 4096) {
		free(ob->pb);	/* do not keep a huge scratch */
		ob->pb = NULL;
		ob->pbcap = 0;
	}
	return prune_spool(ob, now);
}

int
outbox_store_hook(void *arg, const struct rpt_cycle *c, char *err,
    size_t errlen)
{
	struct outbox	*ob = arg;

	if (outbox_add(ob, c, clock_now()) == -1) {
		(void)strlcpy(err, ob->err, errlen);
		return -1;
	}
	return 0;
}

/*
 * Delivery.
 */

int64_t
outbox_backoff(int64_t attempts)
{
	int64_t	 d = OUTBOX_BACKOFF_FIRST;

	while (--attempts > 0 && d < OUTBOX_BACKOFF_CAP)
		d *= 2;
	return d < OUTBOX_BACKOFF_CAP ? d : OUTBOX_BACKOFF_CAP;
}

/*
 * 413: the server will never take so large a document; 400: it says the
 * document itself is wrong.  Sending the same bytes again cannot change
 * either answer, and would hold every later document back.
 */
int
outbox_permanent(int http_status)
{
	return http_status == 413 || http_status == 400;
}

int
outbox_pump(struct outbox *ob, int64_t now, int64_t *wake)
{
	struct msg_upload_job	 job;
	sqlite3_stmt		*st;
	const void		*doc;
	char			 hex[TXLOG_HEX_LEN], name[96];
	int64_t			 id, due, size;
	int			 rc;

	*wake = 0;
	if (!ob->configured || !ob->authorized || ob->inflight != 0 ||
	    ob->sendfn == NULL)
		return 0;
	/* the oldest first; the whole queue waits for the latest wait */
	if (sqlite3_prepare_v2(ob->db->h, "SELECT id, cycle_id, sha256, "
	    "size, document, (SELECT max(next_attempt) FROM outbox WHERE "
	    "state = 'pending'), part, parts FROM outbox WHERE state = "
	    "'pending' ORDER BY id LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return dberr(ob, "finding the next document");
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? 0 :
		    dberr(ob, "finding the next document");
	}
	id = sqlite3_column_int64(st, 0);
	due = sqlite3_column_int64(st, 5);
	if (due > now) {
		sqlite3_finalize(st);
		*wake = due;
		return 0;
	}
	size = sqlite3_column_int64(st, 3);
	doc = sqlite3_column_blob(st, 4);
	if (doc == NULL || sqlite3_column_bytes(st, 4) != size) {
		sqlite3_finalize(st);
		return oerr(ob, "outbox: document %" PRId64 " has lost its "
		    "bytes", id);
	}
	/* what goes out is what was logged, or nothing */
	if (sha256_hex(doc, (size_t)size, hex) == -1)
		fatalx("SHA-256");
	if (strcmp(hex, (const char *)sqlite3_column_text(st, 2)) != 0) {
		sqlite3_finalize(st);
		return oerr(ob, "outbox: document %" PRId64 " does not match "
		    "its logged hash: the database was changed", id);
	}

	memset(&job, 0, sizeof(job));
	job.job = (uint64_t)id;
	job.kind = JOB_UPLOAD;
	(void)strlcpy(job.sha256, hex, sizeof(job.sha256));
	job.doclen = (uint64_t)size;
	wbuf_reset(&ob->body);
	if (size > OUTBOX_GZIP_MIN) {
		if (gz_deflate(doc, (size_t)size, &ob->body) == -1) {
			sqlite3_finalize(st);
			return oerr(ob, "outbox: gzip failed");
		}
		job.gzip = 1;
		job.body = ob->body.data;
		job.bodylen = ob->body.len;
	} else {
		job.body = doc;
		job.bodylen = (size_t)size;
	}
	ob->inflight = (uint64_t)id;
	ob->inflight_cycle = sqlite3_column_int64(st, 1);
	ob->inflight_part = sqlite3_column_int64(st, 6);
	ob->inflight_parts = sqlite3_column_int64(st, 7);
	ob->inflight_size = size;
	(void)strlcpy(ob->inflight_sha, hex, sizeof(ob->inflight_sha));
	part_name(name, sizeof(name), ob->inflight_cycle, ob->inflight_part,
	    ob->inflight_parts);
	log_info("outbox: sending the document of %s (%" PRId64 " bytes%s)",
	    name, size, job.gzip ? ", gzip" : "");
	ob->sendfn(ob->sendarg, &job);
	sqlite3_finalize(st);
	if (ob->body.cap > 4 * 1024 * 1024)
		wbuf_free(&ob->body);
	return 1;
}

static void
fmt_wait(char *buf, size_t len, int64_t s)
{
	if (s >= 3600 && s % 3600 == 0)
		(void)snprintf(buf, len, "%" PRId64 "h", s / 3600);
	else if (s >= 60)
		(void)snprintf(buf, len, "%" PRId64 "m%02" PRId64 "s",
		    s / 60, s % 60);
	else
		(void)snprintf(buf, len, "%" PRId64 "s", s);
}

int
outbox_result(struct outbox *ob, const struct msg_upload_result *r,
    int64_t now)
{
	struct json_mem	 d;
	sqlite3_stmt	*st;
	const char	*server;
	char		 error[sizeof(r->error) + 256], summary[1024];
	char		 wait[32], name[96], lim[32];
	int64_t		 attempts, next = 0, delay;
	int		 status, ok, aside, rc;

	if (ob->inflight == 0)
		return oerr(ob, "outbox: a result for job %" PRIu64 ", but no "
		    "job is in flight", r->job);
	if (r->job != ob->inflight)
		return oerr(ob, "outbox: a result for job %" PRIu64 ", but "
		    "job %" PRIu64 " is in flight", r->job, ob->inflight);
	if (r->status >= UP_STATUS_MAX)
		return oerr(ob, "outbox: result status %u", r->status);

	/* delivered means: the server has exactly our bytes */
	status = r->status;
	(void)strlcpy(error, r->error, sizeof(error));
	ok = status == UP_DELIVERED &&
	    strcmp(r->receipt_sha256, ob->inflight_sha) == 0;
	aside = !ok && status == UP_HTTP && outbox_permanent(r->http_status);
	if (status == UP_DELIVERED && !ok) {
		status = UP_MISMATCH;
		(void)snprintf(error, sizeof(error), "the receipt names "
		    "sha256 %s, not the document's %s%s%s",
		    r->receipt_sha256[0] ? r->receipt_sha256 : "(none)",
		    ob->inflight_sha, r->error[0] ? ": " : "", r->error);
	} else if (aside) {
		/* the limit named: the server's words, and ours */
		config_fmt_size(lim, sizeof(lim), ob->part_limit);
		(void)snprintf(error, sizeof(error), "set aside: %s (the "
		    "document has %" PRId64 " bytes; part limit %s)",
		    r->error[0] ? r->error : upload_status_name(status),
		    ob->inflight_size, lim);
	} else if (!ok && error[0] == '\0')
		(void)strlcpy(error, upload_status_name(status),
		    sizeof(error));
	server = r->server[0] != '\0' ? r->server : ob->server;

	if (tx_begin(ob) == -1)
		return dberr(ob, "begin");
	if (sqlite3_prepare_v2(ob->db->h, "SELECT attempts FROM outbox "
	    "WHERE id = ?1 AND state = 'pending'", -1, &st, NULL) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, (int64_t)r->job) != SQLITE_OK) {
		sqlite3_finalize(st);
		goto dbfail;
	}
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			goto dbfail;
		tx_rollback(ob);
		return oerr(ob, "outbox: document %" PRIu64 " in flight is "
		    "no longer pending", r->job);
	}
	attempts = sqlite3_column_int64(st, 0) + 1;
	sqlite3_finalize(st);

	if (ok) {
		rc = sqlite3_prepare_v2(ob->db->h, "UPDATE outbox SET "
		    "state = 'delivered', attempts = ?2, last_attempt = ?3, "
		    "last_status = ?4, last_error = NULL, delivered = ?3, "
		    "receipt_sha256 = ?5, server_doc_id = ?6, "
		    "server_time = ?7, duplicate = ?8, cert_hash = ?9, "
		    "tls_version = ?10 WHERE id = ?1", -1, &st, NULL);
	} else if (aside) {
		/* no wait: the next document goes now */
		rc = sqlite3_prepare_v2(ob->db->h, "UPDATE outbox SET "
		    "state = 'refused', refused = ?3, attempts = ?2, "
		    "last_attempt = ?3, last_status = ?4, last_error = ?11, "
		    "next_attempt = ?12, cert_hash = ?9, tls_version = ?10 "
		    "WHERE id = ?1", -1, &st, NULL);
	} else {
		/* our backoff, or longer if the server asks (Retry-After) */
		delay = outbox_backoff(attempts);
		if ((int64_t)r->retry_after > delay)
			delay = (int64_t)r->retry_after;
		next = now + delay + arc4random_uniform(
		    (uint32_t)(delay / 10) + 1);
		rc = sqlite3_prepare_v2(ob->db->h, "UPDATE outbox SET "
		    "attempts = ?2, last_attempt = ?3, last_status = ?4, "
		    "last_error = ?11, next_attempt = ?12, cert_hash = ?9, "
		    "tls_version = ?10 WHERE id = ?1", -1, &st, NULL);
	}
	if (rc != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, (int64_t)r->job) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, attempts) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, now) != SQLITE_OK ||
	    sqlite3_bind_int(st, 4, status) != SQLITE_OK ||
	    (ok && (sqlite3_bind_text(st, 5, r->receipt_sha256, -1,
	    SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 6, r->doc_id) != SQLITE_OK ||
	    sqlite3_bind_text(st, 7, r->server_time, -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_int(st, 8, r->duplicate) != SQLITE_OK)) ||
	    sqlite3_bind_text(st, 9, r->cert_hash, -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(st, 10, r->tls_version, -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    (!ok && (sqlite3_bind_text(st, 11, error, -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(st, 12, next) != SQLITE_OK)) ||
	    sqlite3_step(st) != SQLITE_DONE ||
	    sqlite3_changes(ob->db->h) != 1) {
		sqlite3_finalize(st);
		goto dbfail;
	}
	sqlite3_finalize(st);

	part_name(name, sizeof(name), ob->inflight_cycle, ob->inflight_part,
	    ob->inflight_parts);
	if (ok)
		(void)snprintf(summary, sizeof(summary), "upload of %s to %s: "
		    "delivered, server document %" PRId64 "%s", name, server,
		    r->doc_id, r->duplicate ? " (a duplicate)" : "");
	else if (aside)
		(void)snprintf(summary, sizeof(summary), "upload of %s to %s: "
		    "refused: %.400s; attempt %" PRId64 ", not retried "
		    "(callhomectl outbox requeue %" PRIu64 " or drop %" PRIu64
		    ")", name, server, error, attempts, r->job, r->job);
	else {
		fmt_wait(wait, sizeof(wait), next - now);
		(void)snprintf(summary, sizeof(summary), "upload of %s to %s: "
		    "%s: %.200s; attempt %" PRId64 ", next in %s", name,
		    server, upload_status_name(status), error, attempts, wait);
	}
	json_mem_begin(&d);
	json_kv_int(&d.j, "cycle", ob->inflight_cycle);
	json_kv_int(&d.j, "outbox", (int64_t)r->job);
	json_kv_int(&d.j, "part", ob->inflight_part);
	json_kv_int(&d.j, "parts", ob->inflight_parts);
	json_kv_int(&d.j, "attempt", attempts);
	json_kv_string(&d.j, "result", upload_status_name(status));
	json_kv_string(&d.j, "server", server);
	json_kv_string_or_null(&d.j, "via", r->via);
	json_kv_string_or_null(&d.j, "cert_hash", r->cert_hash);
	json_kv_string_or_null(&d.j, "tls_version", r->tls_version);
	if (r->http_status != 0)
		json_kv_int(&d.j, "http_status", r->http_status);
	else
		json_kv_null(&d.j, "http_status");
	if (r->retry_after > 0)
		json_kv_uint(&d.j, "retry_after", r->retry_after);
	json_kv_uint(&d.j, "bytes_sent", r->bytes_sent);
	json_kv_uint(&d.j, "bytes_received", r->bytes_received);
	json_kv_string(&d.j, "document_sha256", ob->inflight_sha);
	json_kv_string_or_null(&d.j, "receipt_sha256", r->receipt_sha256);
	if (r->receipt_sha256[0] != '\0' || r->doc_id != 0) {
		json_kv_int(&d.j, "server_doc_id", r->doc_id);
		json_kv_string_or_null(&d.j, "server_time", r->server_time);
		json_kv_bool(&d.j, "duplicate", r->duplicate);
	} else {
		json_kv_null(&d.j, "server_doc_id");
		json_kv_null(&d.j, "server_time");
		json_kv_null(&d.j, "duplicate");
	}
	json_kv_string_or_null(&d.j, "error", ok ? NULL : error);
	if (ok || aside)
		json_kv_null(&d.j, "next_attempt");
	else
		json_kv_int(&d.j, "next_attempt", next);
	json_kv_bool(&d.j, "set_aside", aside);
	if (log_record(ob, now, TXLOG_UPLOAD, summary, json_mem_end(&d)) == -1) {
		tx_rollback(ob);
		return -1;
	}
	if (tx_commit(ob) == -1)
		goto dbfail;
	if (ok)
		log_info("outbox: %s", summary);
	else
		log_warnx("outbox: %s", summary);
	ob->inflight = 0;
	ob->inflight_cycle = 0;
	ob->inflight_sha[0] = '\0';
	return 0;
 dbfail:
	dberr(ob, "recording the result");
	tx_rollback(ob);
	return -1;
}

int
outbox_kick(struct outbox *ob, int64_t now)
{
	sqlite3_stmt	*st;

	if (tx_begin(ob) == -1)
		return dberr(ob, "begin");
	if (sqlite3_prepare_v2(ob->db->h, "UPDATE outbox SET next_attempt = "
	    "?1 WHERE state = 'pending' AND next_attempt > ?1", -1, &st,
	    NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, now) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		dberr(ob, "kick");
		tx_rollback(ob);
		return -1;
	}
	sqlite3_finalize(st);
	if (tx_commit(ob) == -1) {
		dberr(ob, "commit");
		tx_rollback(ob);
		return -1;
	}
	return 0;
}

/*
 * The operator's requeue and drop.
 */

static int
op_requeue(struct outbox *ob, int64_t id, const char *name, uint32_t uid,
    const char *state, int64_t now)
{
	struct json_mem	 d;
	sqlite3_stmt	*st;
	char		 summary[512];

	if (sqlite3_prepare_v2(ob->db->h, "UPDATE outbox SET state = "
	    "'pending', refused = NULL, attempts = 0, next_attempt = 0 "
	    "WHERE id = ?1 AND state IN ('pending', 'refused')", -1, &st,
	    NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE ||
	    sqlite3_changes(ob->db->h) != 1) {
		sqlite3_finalize(st);
		return dberr(ob, "requeueing");
	}
	sqlite3_finalize(st);
	(void)snprintf(summary, sizeof(summary), "document %" PRId64 " (%s) "
	    "requeued by the operator (uid %u): %s before, due now", id, name,
	    uid, state);
	json_mem_begin(&d);
	json_kv_int(&d.j, "outbox", id);
	json_kv_string(&d.j, "action", "requeue");
	json_kv_string(&d.j, "was", state);
	json_kv_uint(&d.j, "uid", uid);
	return log_record(ob, now, TXLOG_OUTBOX, summary, json_mem_end(&d));
}

int
outbox_op(struct outbox *ob, int op, int64_t id, uint32_t uid, int64_t now,
    char *text, size_t textlen)
{
	sqlite3_stmt	*st;
	char		 state[16], name[96], why[128];
	int64_t		 cycle, part, parts;
	int		 rc;

	if (sqlite3_prepare_v2(ob->db->h, "SELECT state, cycle_id, part, "
	    "parts FROM outbox WHERE id = ?1", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, id) != SQLITE_OK) {
		sqlite3_finalize(st);
		return dberr(ob, "finding the document");
	}
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return dberr(ob, "finding the document");
		(void)snprintf(text, textlen, "no document %" PRId64 " in the "
		    "outbox", id);
		return 1;
	}
	(void)strlcpy(state, (const char *)sqlite3_column_text(st, 0),
	    sizeof(state));
	cycle = sqlite3_column_int64(st, 1);
	part = sqlite3_column_int64(st, 2);
	parts = sqlite3_column_int64(st, 3);
	sqlite3_finalize(st);
	part_name(name, sizeof(name), cycle, part, parts);
	if ((uint64_t)id == ob->inflight) {
		(void)snprintf(text, textlen, "document %" PRId64 " (%s) is "
		    "being sent: try again when its attempt is over", id,
		    name);
		return 1;
	}
	if (strcmp(state, "pending") != 0 && strcmp(state, "refused") != 0) {
		(void)snprintf(text, textlen, "document %" PRId64 " (%s) is "
		    "%s: only a pending or refused document can be %s", id,
		    name, state, op == OUTBOX_OP_DROP ? "dropped" :
		    "requeued");
		return 1;
	}
	if (tx_begin(ob) == -1)
		return dberr(ob, "begin");
	if (op == OUTBOX_OP_DROP) {
		(void)snprintf(why, sizeof(why), "dropped by the operator "
		    "(uid %u)", uid);
		rc = prune_one(ob, id, now, "dropped", why, -1);
	} else
		rc = op_requeue(ob, id, name, uid, state, now);
	if (rc == -1 || tx_commit(ob) == -1) {
		if (rc != -1)
			dberr(ob, "commit");
		tx_rollback(ob);
		return -1;
	}
	if (op == OUTBOX_OP_DROP)
		(void)snprintf(text, textlen, "document %" PRId64 " (%s) "
		    "dropped: its bytes are deleted, its hash and records "
		    "kept", id, name);
	else
		(void)snprintf(text, textlen, "document %" PRId64 " (%s) "
		    "requeued: pending, due now", id, name);
	log_info("outbox: %s by the operator (uid %u)", text, uid);
	return 0;
}

/*
 * Status.
 */

/* one statement: the outbox's counts, its last attempt and success, and
 * the newest stored cycle (all NULL when there is none) */
static const char status_sql[] =
	"SELECT (SELECT count(*) FROM outbox WHERE state = 'delivered'), "
	"(SELECT max(next_attempt) FROM outbox WHERE state = 'pending'), "
	"a.last_attempt, a.last_status, a.last_error, d.delivered, d.sha256, "
	"c.id, c.token, c.reason, c.started, c.finished, c.ndevices, c.n_ok, "
	"c.n_partial, c.n_timeout, c.n_refused, c.n_not_printer, c.n_error, "
	"c.probed, c.requests, c.txseq, a.state "
	"FROM (SELECT 1) "
	"LEFT JOIN (SELECT last_attempt, last_status, last_error, state "
	"FROM outbox WHERE last_attempt IS NOT NULL ORDER BY last_attempt "
	"DESC, id DESC LIMIT 1) a "
	"LEFT JOIN (SELECT delivered, sha256 FROM outbox WHERE state = "
	"'delivered' ORDER BY delivered DESC, id DESC LIMIT 1) d "
	"LEFT JOIN (SELECT * FROM cycles WHERE finished IS NOT NULL "
	"ORDER BY id DESC LIMIT 1) c";

static void
col_str(sqlite3_stmt *st, int i, char *dst, size_t len)
{
	const unsigned char	*t = sqlite3_column_text(st, i);

	(void)strlcpy(dst, t != NULL ? (const char *)t : "", len);
}

/* the set-aside documents, the newest of them, the last cycle's parts */
static int
status_more(struct outbox *ob, struct msg_outbox_status *s)
{
	sqlite3_stmt	*st;
	char		 name[96], size[32];
	int		 rc;

	if (sqlite3_prepare_v2(ob->db->h, "SELECT count(*), "
	    "coalesce(sum(size), 0) FROM outbox WHERE state = 'refused'", -1,
	    &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return dberr(ob, "status");
	}
	s->refused = (uint32_t)sqlite3_column_int64(st, 0);
	s->refused_bytes = (uint64_t)sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	if (s->refused > 0) {
		if (sqlite3_prepare_v2(ob->db->h, "SELECT id, cycle_id, part, "
		    "parts, size, last_error FROM outbox WHERE state = "
		    "'refused' ORDER BY refused DESC, id DESC LIMIT 1", -1,
		    &st, NULL) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_finalize(st);
			return dberr(ob, "status");
		}
		part_name(name, sizeof(name), sqlite3_column_int64(st, 1),
		    sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3));
		config_fmt_size(size, sizeof(size),
		    (uint64_t)sqlite3_column_int64(st, 4));
		(void)snprintf(s->last_refused, sizeof(s->last_refused),
		    "document %" PRId64 " of %s, %s: %.300s",
		    (int64_t)sqlite3_column_int64(st, 0), name, size,
		    sqlite3_column_text(st, 5) != NULL ?
		    (const char *)sqlite3_column_text(st, 5) : "refused");
		sqlite3_finalize(st);
	}
	if (s->last_cycle.id <= 0)
		return 0;
	if (sqlite3_prepare_v2(ob->db->h, "SELECT count(*), "
	    "coalesce(sum(state = 'delivered'), 0), "
	    "coalesce(sum(state = 'refused'), 0), "
	    "coalesce(sum(state = 'pruned'), 0) FROM outbox WHERE "
	    "cycle_id = ?1", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, s->last_cycle.id) != SQLITE_OK ||
	    (rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return dberr(ob, "status");
	}
	s->lc_parts = (uint32_t)sqlite3_column_int64(st, 0);
	s->lc_delivered = (uint32_t)sqlite3_column_int64(st, 1);
	s->lc_refused = (uint32_t)sqlite3_column_int64(st, 2);
	s->lc_pruned = (uint32_t)sqlite3_column_int64(st, 3);
	sqlite3_finalize(st);
	return 0;
}

int
outbox_status(struct outbox *ob, int64_t now, struct msg_outbox_status *s)
{
	struct rpt_cycle	*c = &s->last_cycle;
	sqlite3_stmt		*st;
	int64_t			 n, bytes;
	int			 k;

	memset(s, 0, sizeof(*s));
	s->authorized = ob->authorized ? 1 : 0;
	s->inflight = ob->inflight != 0;
	if (sqlite3_prepare_v2(ob->db->h, "SELECT count(*), "
	    "coalesce(sum(size), 0) FROM outbox WHERE state = 'pending'", -1,
	    &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return dberr(ob, "counting");
	}
	n = sqlite3_column_int64(st, 0);
	bytes = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	s->pending = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	s->pending_bytes = (uint64_t)bytes;
	if (sqlite3_prepare_v2(ob->db->h, status_sql, -1, &st, NULL) !=
	    SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return dberr(ob, "status");
	}
	s->delivered = (uint64_t)sqlite3_column_int64(st, 0);
	if (n > 0 && ob->authorized)
		s->next_attempt = MAX(sqlite3_column_int64(st, 1), now);
	s->last_attempt = sqlite3_column_int64(st, 2);	/* NULL: 0 */
	s->last_result = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(st, 3);
	if (s->last_result < -1 || s->last_result >= UP_STATUS_MAX)
		s->last_result = -1;
	col_str(st, 4, s->last_error, sizeof(s->last_error));
	s->last_success = sqlite3_column_int64(st, 5);
	col_str(st, 6, s->last_sha256, sizeof(s->last_sha256));
	c->id = sqlite3_column_int64(st, 7);
	c->token = (uint64_t)sqlite3_column_int64(st, 8);
	col_str(st, 9, c->reason, sizeof(c->reason));
	c->started = sqlite3_column_int64(st, 10);
	c->finished = sqlite3_column_int64(st, 11);
	c->ndevices = (uint32_t)sqlite3_column_int64(st, 12);
	for (k = 0; k < DEV_OUTCOME_MAX; k++)
		c->count[k] = (uint32_t)sqlite3_column_int64(st, 13 + k);
	c->probed = (uint32_t)sqlite3_column_int64(st, 19);
	c->requests = (uint64_t)sqlite3_column_int64(st, 20);
	c->txseq = sqlite3_column_int64(st, 21);
	/* the last attempt set its document aside (it is still aside) */
	s->last_set_aside = sqlite3_column_type(st, 22) == SQLITE_TEXT &&
	    strcmp((const char *)sqlite3_column_text(st, 22), "refused") ==
	    0 ? 1 : 0;
	sqlite3_finalize(st);
	return status_more(ob, s);
}

void
outbox_state(struct outbox *ob, int64_t now, char *buf, size_t len)
{
	struct msg_outbox_status	 s;
	char				 wait[32], aside[64];

	if (outbox_status(ob, now, &s) == -1) {
		(void)snprintf(buf, len, "outbox unreadable");
		return;
	}
	aside[0] = '\0';
	if (s.refused > 0)
		(void)snprintf(aside, sizeof(aside), ", %u refused (set "
		    "aside)", s.refused);
	if (s.pending == 0)
		(void)snprintf(buf, len, "outbox empty%s", aside);
	else if (!s.authorized)
		(void)snprintf(buf, len, "outbox %u kept (%" PRIu64 " B)%s, "
		    "upload not authorized", s.pending, s.pending_bytes,
		    aside);
	else if (ob->inflight != 0)
		(void)snprintf(buf, len, "outbox %u pending (%" PRIu64 " B)%s, "
		    "sending", s.pending, s.pending_bytes, aside);
	else {
		fmt_wait(wait, sizeof(wait), s.next_attempt > now ?
		    s.next_attempt - now : 0);
		(void)snprintf(buf, len, "outbox %u pending (%" PRIu64 " B)%s, "
		    "next in %s", s.pending, s.pending_bytes, aside, wait);
	}
}
