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


#include "config.h"
#include "db.h"
#include "digest.h"
#include "document.h"
#include "gz.h"
#include "json.h"
#include "log.h"
#include "outbox.h"
#include "report.h"
#include "txlog.h"
#include "xmlsafe.h"

#define SALT_NAME	"device-key-salt"
struct outbox {
	struct db		*db;
	char			 err[512];
	uint8_t			 salt[DOC_SALT_LEN];

	/* the configuration, copied */
	int			 configured;
	char			 gateway[CONF_STR_MAX];
	char			 site[CONF_STR_MAX];
	char			 server[CONF_STR_MAX + 8];	/* name:port */
	uint32_t		 send;
	int			 authorized;
	uint64_t		 spool_limit;
	struct xschema		*xs;

	outbox_send_fn		 sendfn;
	void			*sendarg;

	/* the job in flight */
	uint64_t		 inflight;
	int64_t			 inflight_cycle;
	char			 inflight_sha[TXLOG_HEX_LEN];

	int			 own_tx;	/* tx_begin() began it */
	struct wbuf		 doc;		/* scratch */
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

/*
 * Transactions: our own, or a savepoint inside the cycle's transaction
 * when one is open (results and kicks may arrive while a cycle is being
 * stored; their changes then commit with it).
 */
static int
tx_begin(struct outbox *ob)
{
	if (sqlite3_get_autocommit(ob->db->h)) {
		ob->own_tx = 1;
		return db_begin(ob->db);
	}
	ob->own_tx = 0;
	return db_exec(ob->db, "SAVEPOINT outbox");
}

static int
tx_commit(struct outbox *ob)
{
	return db_exec(ob->db, ob->own_tx ? "COMMIT" : "RELEASE outbox");
}

static void
tx_rollback(struct outbox *ob)
{
	if (ob->own_tx)
		(void)db_rollback(ob->db);
	else
		(void)db_exec(ob->db, "ROLLBACK TO outbox; RELEASE outbox");
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
	wbuf_init(&ob->doc);
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
	wbuf_free(&ob->doc);
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
	if (conf->server[0] != '\0')
		(void)snprintf(ob->server, sizeof(ob->server), "%s:%u",
		    conf->server, (unsigned)conf->port);
	else
		ob->server[0] = '\0';
	ob->send = conf->send;
	ob->authorized = conf->authorize_upload != 0;
	ob->spool_limit = conf->spool_limit;
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
 * Storing a cycle's document.
 */

static int64_t
ms_now(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* documents pending, and their bytes */
static int
pending_totals(struct outbox *ob, int64_t *count, int64_t *bytes)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(ob->db->h, "SELECT count(*), "
	    "coalesce(sum(size), 0) FROM outbox WHERE state = 'pending'", -1,
	    &st, NULL) != SQLITE_OK)
		return dberr(ob, "counting");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*count = sqlite3_column_int64(st, 0);
		*bytes = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : dberr(ob, "counting");
}

/* mark one document pruned and say so in the log */
static int
prune_one(struct outbox *ob, int64_t id, int64_t cycle, int64_t size,
    const char *sha, int64_t now, const char *why, int64_t pending_bytes)
{
	struct json_mem	 d;
	sqlite3_stmt	*st;
	char		 summary[512];

	if (sqlite3_prepare_v2(ob->db->h, "UPDATE outbox SET state = "
	    "'pruned', document = NULL WHERE id = ?1 AND state = 'pending'",
	    -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE ||
	    sqlite3_changes(ob->db->h) != 1) {
		sqlite3_finalize(st);
		return dberr(ob, "pruning");
	}
	sqlite3_finalize(st);

	(void)snprintf(summary, sizeof(summary), "document of cycle %"
	    PRId64 " pruned, never sent: %" PRId64 " bytes, sha256 %.16s "
	    "(%s)", cycle, size, sha, why);
	json_mem_begin(&d);
	json_kv_int(&d.j, "cycle", cycle);
	json_kv_int(&d.j, "outbox", id);
	json_kv_int(&d.j, "size", size);
	json_kv_string(&d.j, "sha256", sha);
	json_kv_string(&d.j, "reason", why);
	json_kv_uint(&d.j, "spool_limit", ob->spool_limit);
	json_kv_int(&d.j, "pending_bytes", pending_bytes);
	return log_record(ob, now, TXLOG_PRUNE, summary, json_mem_end(&d));
}

/*
 * While the pending documents exceed the spool limit, prune the oldest
 * (never the one in flight: its bytes are being sent).
 */
static int
prune_spool(struct outbox *ob, int64_t now)
{
	sqlite3_stmt	*st;
	int64_t		 n, bytes, id, cycle, size;
	char		 sha[TXLOG_HEX_LEN], lim[32], why[64];
	int		 rc;

	if (pending_totals(ob, &n, &bytes) == -1)
		return -1;
	config_fmt_size(lim, sizeof(lim), ob->spool_limit);
	(void)snprintf(why, sizeof(why), "spool limit %s exceeded", lim);
	while (bytes > 0 && (uint64_t)bytes > ob->spool_limit) {
		if (sqlite3_prepare_v2(ob->db->h, "SELECT id, cycle_id, size, "
		    "sha256 FROM outbox WHERE state = 'pending' AND id != ?1 "
		    "ORDER BY id LIMIT 1", -1, &st, NULL) != SQLITE_OK ||
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
		(void)strlcpy(sha, (const char *)sqlite3_column_text(st, 3),
		    sizeof(sha));
		sqlite3_finalize(st);
		if (prune_one(ob, id, cycle, size, sha, now, why, bytes) ==
		    -1)
			return -1;
		log_warnx("outbox: the spool exceeds its limit: the document "
		    "of cycle %" PRId64 " (%" PRId64 " bytes) was pruned "
		    "without being sent", cycle, size);
		bytes -= size;
	}
	return 0;
}

int
outbox_add(struct outbox *ob, const struct rpt_cycle *c, int64_t now)
{
	struct json_mem	 d;
	struct doc_params p;
	sqlite3_stmt	*st;
	xmlDocPtr	 x;
	xmlNodePtr	 payload;
	char		 hex[TXLOG_HEX_LEN], why[512], summary[512];
	char		 cats[256];
	int64_t		 id, t0, t1, t2;
	int		 large;

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
	wbuf_reset(&ob->doc);
	t0 = ms_now();
	if (document_build(ob->db->h, c->id, &p, &ob->doc, why,
	    sizeof(why)) == -1)
		return oerr(ob, "outbox: building the document: %s", why);
	t1 = ms_now();
	if (sha256_hex(ob->doc.data, ob->doc.len, hex) == -1)
		fatalx("SHA-256");

	/*
	 * Both sides validate: what does not pass is our bug.  Up to
	 * OUTBOX_CHECK_MAX (a site of some hundred printers); beyond, parsing
	 * costs as much as everything else auditd does for a cycle, and the
	 * builder's escaping and bounds (tested against the schema) and the
	 * server's validation of every upload stand in for it.
	 */
	large = ob->doc.len > OUTBOX_DOC_MAX;
	if (!large && ob->doc.len <= OUTBOX_CHECK_MAX) {
		if ((x = soap_parse(ob->xs, ob->doc.data, ob->doc.len,
		    OUTBOX_DOC_MAX, "Upload", &payload, why,
		    sizeof(why))) == NULL)
			fatalx("the upload document of cycle %" PRId64 " is "
			    "not valid: %s", c->id, why);
		xmlFreeDoc(x);
	}
	t2 = ms_now();
	log_debug("outbox: document of cycle %" PRId64 ": %zu bytes, built "
	    "in %" PRId64 " ms, checked in %" PRId64 " ms", c->id,
	    ob->doc.len, t1 - t0, t2 - t1);

	if (sqlite3_prepare_v2(ob->db->h, "INSERT INTO outbox (cycle_id, "
	    "created, sha256, size, document, state) VALUES (?1, ?2, ?3, "
	    "?4, ?5, 'pending')", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, c->id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, now) != SQLITE_OK ||
	    sqlite3_bind_text(st, 3, hex, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, (int64_t)ob->doc.len) != SQLITE_OK ||
	    sqlite3_bind_blob64(st, 5, ob->doc.data, ob->doc.len,
	    SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return dberr(ob, "storing the document");
	}
	sqlite3_finalize(st);
	id = sqlite3_last_insert_rowid(ob->db->h);

	(void)snprintf(summary, sizeof(summary), "document of cycle %" PRId64
	    ": %zu bytes, sha256 %.16s, %s", c->id, ob->doc.len, hex,
	    ob->authorized ? "to be sent" : "kept (upload not authorized)");
	json_mem_begin(&d);
	json_kv_int(&d.j, "cycle", c->id);
	json_kv_int(&d.j, "outbox", id);
	json_kv_uint(&d.j, "size", ob->doc.len);
	json_kv_string(&d.j, "sha256", hex);
	json_kv_uint(&d.j, "devices", c->ndevices);
	json_kv_string(&d.j, "categories", category_list(ob->send, cats,
	    sizeof(cats)));
	json_kv_bool(&d.j, "authorized", ob->authorized);
	if (log_record(ob, now, TXLOG_DOCUMENT, summary, json_mem_end(&d)) ==
	    -1)
		return -1;

	if (large) {
		log_warnx("outbox: the document of cycle %" PRId64 " has %zu "
		    "bytes, more than an upload may carry", c->id,
		    ob->doc.len);
		if (prune_one(ob, id, c->id, (int64_t)ob->doc.len, hex, now,
		    "too large to send", (int64_t)ob->doc.len) == -1)
			return -1;
	}
	if (ob->doc.cap > 4 * 1024 * 1024)
		wbuf_free(&ob->doc);	/* do not keep a huge scratch */
	return prune_spool(ob, now);
}

int
outbox_store_hook(void *arg, const struct rpt_cycle *c, char *err,
    size_t errlen)
{
	struct outbox	*ob = arg;

	if (outbox_add(ob, c, time(NULL)) == -1) {
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

int
outbox_pump(struct outbox *ob, int64_t now, int64_t *wake)
{
	struct msg_upload_job	 job;
	sqlite3_stmt		*st;
	const void		*doc;
	char			 hex[TXLOG_HEX_LEN];
	int64_t			 id, due, size;
	int			 rc;

	*wake = 0;
	if (!ob->configured || !ob->authorized || ob->inflight != 0 ||
	    ob->sendfn == NULL)
		return 0;
	/* the oldest first; the whole queue waits for the latest wait */
	if (sqlite3_prepare_v2(ob->db->h, "SELECT id, cycle_id, sha256, "
	    "size, document, (SELECT max(next_attempt) FROM outbox WHERE "
	    "state = 'pending') FROM outbox WHERE state = 'pending' "
	    "ORDER BY id LIMIT 1", -1, &st, NULL) != SQLITE_OK)
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
	(void)strlcpy(ob->inflight_sha, hex, sizeof(ob->inflight_sha));
	log_info("outbox: sending the document of cycle %" PRId64 " (%" PRId64
	    " bytes%s)", ob->inflight_cycle, size, job.gzip ? ", gzip" : "");
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
	char		 wait[32];
	int64_t		 attempts, next = 0, delay;
	int		 status, ok, rc;

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
	if (status == UP_DELIVERED && !ok) {
		status = UP_MISMATCH;
		(void)snprintf(error, sizeof(error), "the receipt names "
		    "sha256 %s, not the document's %s%s%s",
		    r->receipt_sha256[0] ? r->receipt_sha256 : "(none)",
		    ob->inflight_sha, r->error[0] ? ": " : "", r->error);
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

	if (ok)
		(void)snprintf(summary, sizeof(summary), "upload of cycle %"
		    PRId64 " to %s: delivered, server document %" PRId64 "%s",
		    ob->inflight_cycle, server, r->doc_id,
		    r->duplicate ? " (a duplicate)" : "");
	else {
		fmt_wait(wait, sizeof(wait), next - now);
		(void)snprintf(summary, sizeof(summary), "upload of cycle %"
		    PRId64 " to %s: %s: %.200s; attempt %" PRId64 ", next "
		    "in %s", ob->inflight_cycle, server,
		    upload_status_name(status), error, attempts, wait);
	}
	json_mem_begin(&d);
	json_kv_int(&d.j, "cycle", ob->inflight_cycle);
	json_kv_int(&d.j, "outbox", (int64_t)r->job);
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
	if (ok)
		json_kv_null(&d.j, "next_attempt");
	else
		json_kv_int(&d.j, "next_attempt", next);
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
	"c.probed, c.requests, c.txseq FROM (SELECT 1) "
	"LEFT JOIN (SELECT last_attempt, last_status, last_error FROM outbox "
	"WHERE last_attempt IS NOT NULL ORDER BY last_attempt DESC, id DESC "
	"LIMIT 1) a "
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
	if (pending_totals(ob, &n, &bytes) == -1)
		return -1;
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
	sqlite3_finalize(st);
	return 0;
}

void
outbox_state(struct outbox *ob, int64_t now, char *buf, size_t len)
{
	struct msg_outbox_status	 s;
	char				 wait[32];

	if (outbox_status(ob, now, &s) == -1) {
		(void)snprintf(buf, len, "outbox unreadable");
		return;
	}
	if (s.pending == 0)
		(void)snprintf(buf, len, "outbox empty");
	else if (!s.authorized)
		(void)snprintf(buf, len, "outbox %u kept (%" PRIu64 " B), "
		    "upload not authorized", s.pending, s.pending_bytes);
	else if (ob->inflight != 0)
		(void)snprintf(buf, len, "outbox %u pending (%" PRIu64 " B), "
		    "sending", s.pending, s.pending_bytes);
	else {
		fmt_wait(wait, sizeof(wait), s.next_attempt > now ?
		    s.next_attempt - now : 0);
		(void)snprintf(buf, len, "outbox %u pending (%" PRIu64 " B), "
		    "next in %s", s.pending, s.pending_bytes, wait);
	}
}
