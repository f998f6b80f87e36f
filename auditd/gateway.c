/*
 * Check-ins, instructions and packages, auditd's part: see gateway.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkin.h"
#include "digest.h"
#include "gateway.h"
#include "json.h"
#include "log.h"
#include "txlog.h"
#include "upload_status.h"
#include "version.h"

struct gateway {
	struct db	*db;
	char		 name[CONF_STR_MAX];	/* callhome.conf's gateway */
	char		 pkgdir[64];
	char		 err[512];
	int		 own_tx;	/* else a savepoint of a cycle's */
};

static int
gerr(struct gateway *g, const char *fmt, ...)
    __attribute__((__format__(printf, 2, 3)));

static int
gerr(struct gateway *g, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(g->err, sizeof(g->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int
dberr(struct gateway *g, const char *what)
{
	return gerr(g, "%s: %s", what, sqlite3_errmsg(g->db->h));
}

const char *
gateway_error(const struct gateway *g)
{
	return g->err;
}

struct gateway *
gateway_new(struct db *db, const char *pkgdir)
{
	struct gateway	*g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->db = db;
	if (strlcpy(g->pkgdir, pkgdir, sizeof(g->pkgdir)) >= sizeof(g->pkgdir))
		fatalx("%s: %s too long", __func__, pkgdir);
	return g;
}

void
gateway_free(struct gateway *g)
{
	free(g);
}

void
gateway_configure(struct gateway *g, const struct auditd_conf *c)
{
	(void)strlcpy(g->name, c->gateway, sizeof(g->name));
}

/*
 * One statement with its parameters bound from a format: i int64, t
 * text, run to its end.  -1 with the error set.
 */
static int
exec_bound(struct gateway *g, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt	*st;
	va_list		 ap;
	int		 i, rc = SQLITE_OK;

	if (sqlite3_prepare_v2(g->db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return dberr(g, "prepare");
	va_start(ap, fmt);
	for (i = 0; fmt[i] != '\0' && rc == SQLITE_OK; i++) {
		if (fmt[i] == 'i')
			rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		else
			rc = sqlite3_bind_text(st, i + 1,
			    va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
	}
	va_end(ap);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return dberr(g, "update");
	}
	sqlite3_finalize(st);
	return 0;
}

/* a record and the state changes before it, in one transaction */
static int
record(struct gateway *g, int64_t now, const char *kind,
    const char *summary, char *detail)
{
	int64_t	 seq;
	int	 rc;

	rc = txlog_append(g->db->h, now, kind, summary, detail, &seq);
	free(detail);
	if (rc == -1)
		return dberr(g, "appending to the transaction log");
	log_info("%s: %s; transaction log record %" PRId64, kind, summary,
	    seq);
	return 0;
}

/*
 * A transaction of its own; or, when a check-in's result, a verdict or
 * an instruction comes while a cycle's transaction is open (collectd
 * streams a cycle for as long as it polls, and nothing orders uplinkd's,
 * signerd's and the parent's messages after its start), a savepoint of
 * that transaction, as the outbox does: committed with the cycle.
 */
static int
begin(struct gateway *g)
{
	if (db_unit_begin(g->db, &g->own_tx) == -1)
		return dberr(g, "begin");
	return 0;
}

static int
commit(struct gateway *g)
{
	if (db_unit_commit(g->db, g->own_tx) == -1) {
		(void)dberr(g, "commit");
		db_unit_rollback(g->db, g->own_tx);
		return -1;
	}
	return 0;
}

static int
fail(struct gateway *g)
{
	db_unit_rollback(g->db, g->own_tx);
	return -1;
}

/*
 * The state.
 */

int
gateway_state(struct gateway *g, struct gw_state *s)
{
	sqlite3_stmt	*st;
	const char	*name, *kind;
	int		 rc;

	memset(s, 0, sizeof(*s));
	if (sqlite3_prepare_v2(g->db->h, "SELECT last_seq, sched_minute, "
	    "checkin_every FROM gateway_state WHERE id = 1", -1, &st, NULL) !=
	    SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return dberr(g, "reading the gateway's state");
	}
	s->last_seq = (uint64_t)sqlite3_column_int64(st, 0);
	s->sched_minute = sqlite3_column_int(st, 1);
	s->checkin_every = (uint32_t)sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	/* sqlite: with max(), the other columns are of the row it chose */
	if (sqlite3_prepare_v2(g->db->h, "SELECT kind, name, max(version) "
	    "FROM packages GROUP BY name ORDER BY name", -1, &st, NULL) !=
	    SQLITE_OK)
		return dberr(g, "reading the packages");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (s->npkgs == PKG_STATE_MAX) {
			sqlite3_finalize(st);
			return gerr(g, "more than %d packages installed",
			    PKG_STATE_MAX);
		}
		kind = (const char *)sqlite3_column_text(st, 0);
		name = (const char *)sqlite3_column_text(st, 1);
		s->pkgs[s->npkgs].kind = strcmp(kind, "profile") == 0 ?
		    PKG_PROFILE : PKG_SOFTWARE;
		(void)strlcpy(s->pkgs[s->npkgs].name, name,
		    sizeof(s->pkgs[s->npkgs].name));
		s->pkgs[s->npkgs].version =
		    (uint64_t)sqlite3_column_int64(st, 2);
		s->npkgs++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return dberr(g, "reading the packages");
	return 0;
}

/* a package's file: PKGDIR/NAME-VERSION, or its temporary .NAME-... */
static void
pkg_path(const struct gateway *g, const struct pkg_id *id, int tmp,
    char *buf, size_t len)
{
	int	 n;

	n = snprintf(buf, len, "%s/%s%s-%" PRIu64 "%s", g->pkgdir,
	    tmp ? "." : "", id->name, id->version, tmp ? ".tmp" : "");
	if (n < 0 || (size_t)n >= len)
		fatalx("%s: path too long", __func__);
}

/* the whole file, at most max bytes; NULL with errno */
static uint8_t *
read_all(const char *path, size_t max, size_t *lenp)
{
	uint8_t	*buf;
	ssize_t	 n;
	size_t	 len = 0;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return NULL;
	if ((buf = malloc(max + 1)) == NULL)
		fatal(NULL);
	while (len <= max && (n = read(fd, buf + len, max + 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (len > max) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	*lenp = len;
	return buf;
}

int
gateway_profiles(struct gateway *g,
    void (*fn)(void *, const struct msg_profile_package *), void *arg)
{
	struct msg_profile_package	 pp;
	struct gw_state			 s;
	sqlite3_stmt			*st;
	char				 path[256], hex[SHA256_HEX];
	char				 got[SHA256_HEX];
	uint8_t				*buf;
	size_t				 len;
	uint32_t			 i;

	if (gateway_state(g, &s) == -1)
		return -1;
	for (i = 0; i < s.npkgs; i++) {
		if (s.pkgs[i].kind != PKG_PROFILE)
			continue;
		if (sqlite3_prepare_v2(g->db->h, "SELECT sha256 FROM packages "
		    "WHERE name = ?1 AND version = ?2", -1, &st, NULL) !=
		    SQLITE_OK ||
		    sqlite3_bind_text(st, 1, s.pkgs[i].name, -1,
		    SQLITE_STATIC) != SQLITE_OK ||
		    sqlite3_bind_int64(st, 2, (int64_t)s.pkgs[i].version) !=
		    SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_finalize(st);
			return dberr(g, "reading a package");
		}
		(void)strlcpy(hex, (const char *)sqlite3_column_text(st, 0),
		    sizeof(hex));
		sqlite3_finalize(st);
		pkg_path(g, &s.pkgs[i], 0, path, sizeof(path));
		if ((buf = read_all(path, PROFILE_PACKAGE_MAX, &len)) == NULL) {
			log_warn("profile package %s: not used", path);
			continue;
		}
		if (sha256_hex(buf, len, got) == -1)
			fatalx("SHA-256 failed");
		if (strcmp(got, hex) != 0) {
			log_warnx("profile package %s: changed since it was "
			    "installed (SHA-256 %s, not %s): not used", path,
			    got, hex);
			free(buf);
			continue;
		}
		pp.id = s.pkgs[i];
		pp.data = buf;
		pp.len = len;
		fn(arg, &pp);
		free(buf);
	}
	return 0;
}

/*
 * Check-in.
 */

int
gateway_checkin_job(struct gateway *g, uint64_t job, struct wbuf *doc,
    struct msg_upload_job *j)
{
	struct checkin_package	 pkgs[PKG_STATE_MAX];
	struct checkin		 ci;
	struct gw_state		 s;
	char			 err[256];
	uint32_t		 i;

	if (gateway_state(g, &s) == -1)
		return -1;
	memset(&ci, 0, sizeof(ci));
	ci.gateway = g->name;
	ci.software = CALLHOME_SOFTWARE;
	ci.last_sequence = s.last_seq;
	for (i = 0; i < s.npkgs; i++) {
		(void)strlcpy(pkgs[i].name, s.pkgs[i].name,
		    sizeof(pkgs[i].name));
		pkgs[i].version = s.pkgs[i].version;
	}
	ci.packages = pkgs;
	ci.npackages = s.npkgs;
	wbuf_reset(doc);
	if (checkin_build(&ci, doc, err, sizeof(err)) == -1)
		return gerr(g, "the check-in document: %s", err);
	memset(j, 0, sizeof(*j));
	j->job = job;
	j->kind = JOB_CHECKIN;
	if (sha256_hex(doc->data, doc->len, j->sha256) == -1)
		fatalx("SHA-256 failed");
	j->doclen = doc->len;
	j->body = doc->data;
	j->bodylen = doc->len;
	return 0;
}

int
gateway_checkin_result(struct gateway *g, const struct msg_upload_result *r,
    int64_t now, int64_t again)
{
	struct json_mem	 d;
	char		 summary[512];
	const char	*result = upload_status_name(r->status);
	int		 ok = r->status == UP_DELIVERED;

	if (ok)
		(void)snprintf(summary, sizeof(summary), "check-in at %s: %u "
		    "bundles", r->server, r->bundles);
	else
		(void)snprintf(summary, sizeof(summary), "check-in at %s: %s: "
		    "%.200s", r->server, result, r->error);
	if (again > 0)
		(void)strlcat(summary, "; again after the server's "
		    "Retry-After", sizeof(summary));
	json_mem_begin(&d);
	json_kv_string(&d.j, "result", result);
	json_kv_string(&d.j, "server", r->server);
	json_kv_string_or_null(&d.j, "via", r->via);
	json_kv_string_or_null(&d.j, "cert_hash", r->cert_hash);
	json_kv_string_or_null(&d.j, "tls_version", r->tls_version);
	if (r->http_status != 0)
		json_kv_int(&d.j, "http_status", r->http_status);
	else
		json_kv_null(&d.j, "http_status");
	json_kv_string_or_null(&d.j, "server_time", r->server_time);
	json_kv_uint(&d.j, "bundles", r->bundles);
	json_kv_uint(&d.j, "bytes_sent", r->bytes_sent);
	json_kv_uint(&d.j, "bytes_received", r->bytes_received);
	json_kv_string_or_null(&d.j, "error", ok ? NULL : r->error);
	if (r->retry_after > 0)
		json_kv_uint(&d.j, "retry_after", r->retry_after);
	if (again > 0)
		json_kv_int(&d.j, "next_attempt", again);
	if (begin(g) == -1)
		return -1;
	if (exec_bound(g, "UPDATE gateway_state SET checkin_time = ?1, "
	    "checkin_result = ?2, checkin_bundles = ?3, checkin_error = ?4 "
	    "WHERE id = 1", "iiit", now, (int64_t)r->status,
	    (int64_t)r->bundles, ok ? "" : r->error) == -1 ||
	    record(g, now, TXLOG_CHECKIN, summary, json_mem_end(&d)) == -1)
		return fail(g);
	return commit(g);
}

/*
 * Verdicts and instructions.
 */

static void
kv_pkg(struct json *j, const struct pkg_id *id)
{
	json_key(j, "package");
	json_object_begin(j);
	json_kv_string(j, "kind", package_kind_name(id->kind));
	json_kv_string(j, "name", id->name);
	json_kv_uint(j, "version", id->version);
	json_object_end(j);
}

int
gateway_verdict(struct gateway *g, const struct msg_verdict *v, int64_t now)
{
	struct json_mem	 d;
	char		 summary[512];

	if (v->ok && v->what == VERDICT_PACKAGE)
		return 0;	/* its download record follows */
	if (v->ok) {
		if (begin(g) == -1)
			return -1;
		if (exec_bound(g, "UPDATE gateway_state SET last_seq = "
		    "max(last_seq, ?1) WHERE id = 1", "i",
		    (int64_t)v->sequence) == -1)
			return fail(g);
		return commit(g);
	}
	if (v->what == VERDICT_BUNDLE)
		(void)snprintf(summary, sizeof(summary), "bundle refused: %s: "
		    "%.300s", v->reason, v->error);
	else
		(void)snprintf(summary, sizeof(summary), "package %s-%" PRIu64
		    " refused: %s: %.300s", v->pkg.name, v->pkg.version,
		    v->reason, v->error);
	json_mem_begin(&d);
	json_kv_string(&d.j, "what", v->what == VERDICT_BUNDLE ? "bundle" :
	    "package");
	json_kv_string(&d.j, "reason", v->reason);
	json_kv_string_or_null(&d.j, "sha256", v->sha256);
	if (v->what == VERDICT_PACKAGE)
		kv_pkg(&d.j, &v->pkg);
	json_kv_string(&d.j, "error", v->error);
	if (begin(g) == -1)
		return -1;
	if (record(g, now, TXLOG_VERIFY_FAILURE, summary,
	    json_mem_end(&d)) == -1)
		return fail(g);
	return commit(g);
}

int
gateway_instruction(struct gateway *g, const struct msg_instruction_done *i,
    int64_t now)
{
	struct json_mem	 d;
	char		 summary[512];

	(void)snprintf(summary, sizeof(summary), "bundle %" PRIu64
	    " instruction %u: %s%s%s", i->sequence, i->index + 1,
	    i->done ? "" : "refused: ", i->done ? "" : i->reason, i->done ?
	    i->text : "");
	if (!i->done)
		(void)snprintf(summary + strlen(summary), sizeof(summary) -
		    strlen(summary), ": %s", i->text);
	json_mem_begin(&d);
	json_kv_uint(&d.j, "sequence", i->sequence);
	json_kv_uint(&d.j, "index", i->index + 1);
	json_kv_string(&d.j, "instruction", bundle_kind_name(i->item.kind));
	json_kv_bool(&d.j, "done", i->done);
	json_kv_string_or_null(&d.j, "reason", i->reason);
	json_kv_string(&d.j, "text", i->text);
	if (begin(g) == -1)
		return -1;
	if (exec_bound(g, "UPDATE gateway_state SET instruction_time = ?1, "
	    "instruction = ?2 WHERE id = 1", "it", now, summary) == -1)
		return fail(g);
	if (i->done && i->item.kind == BI_SCHEDULE_DAILY &&
	    exec_bound(g, "UPDATE gateway_state SET sched_minute = ?1 "
	    "WHERE id = 1", "i", (int64_t)i->item.u.minute) == -1)
		return fail(g);
	if (i->done && i->item.kind == BI_CHECKIN_EVERY &&
	    exec_bound(g, "UPDATE gateway_state SET checkin_every = ?1 "
	    "WHERE id = 1", "i", (int64_t)i->item.u.seconds) == -1)
		return fail(g);
	if (record(g, now, TXLOG_INSTRUCTION, summary, json_mem_end(&d)) ==
	    -1)
		return fail(g);
	return commit(g);
}

/*
 * Packages.
 */

/* write, sync, rename, sync the directory: -1 with the error set */
static int
write_durably(struct gateway *g, const struct pkg_id *id, const uint8_t *p,
    size_t len)
{
	char	 tmp[256], path[256];
	size_t	 off = 0;
	ssize_t	 n;
	int	 fd, dfd;

	pkg_path(g, id, 1, tmp, sizeof(tmp));
	pkg_path(g, id, 0, path, sizeof(path));
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1)
		return gerr(g, "%s: %s", tmp, strerror(errno));
	while (off < len) {
		if ((n = write(fd, p + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)n;
	}
	if (off < len || fsync(fd) == -1) {
		(void)gerr(g, "%s: %s", tmp, strerror(errno));
		close(fd);
		(void)unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		(void)gerr(g, "rename %s to %s: %s", tmp, path,
		    strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	if ((dfd = open(g->pkgdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || fsync(dfd) == -1) {
		(void)gerr(g, "%s: %s", g->pkgdir, strerror(errno));
		if (dfd != -1)
			close(dfd);
		return -1;
	}
	close(dfd);
	return 0;
}

int
gateway_install(struct gateway *g, const struct msg_package_store *ps,
    int64_t now)
{
	struct json_mem	 d;
	char		 hex[SHA256_HEX], summary[512], file[128], *detail;
	int64_t		 seq;
	int		 rc;

	/* what signerd verified is what is written */
	if (sha256_hex(ps->file, ps->filelen, hex) == -1)
		fatalx("SHA-256 failed");
	if (strcmp(hex, ps->sha256) != 0) {
		log_warnx("package %s-%" PRIu64 ": its bytes are not the ones "
		    "signerd verified: not installed", ps->id.name,
		    ps->id.version);
		return 0;
	}
	if (ps->id.kind == PKG_PROFILE && ps->filelen > PROFILE_PACKAGE_MAX) {
		log_warnx("profile package %s-%" PRIu64 ": %zu bytes, more "
		    "than a profile may have (%d): not installed",
		    ps->id.name, ps->id.version, ps->filelen,
		    PROFILE_PACKAGE_MAX);
		return 0;
	}
	if (write_durably(g, &ps->id, ps->file, ps->filelen) == -1)
		return -1;
	(void)snprintf(summary, sizeof(summary), "%s package %s-%" PRIu64
	    " installed: %zu bytes, sha256 %s%s",
	    package_kind_name(ps->id.kind), ps->id.name, ps->id.version,
	    ps->filelen, hex, ps->id.kind == PKG_SOFTWARE ?
	    " (staged, not run)" : "");
	json_mem_begin(&d);
	kv_pkg(&d.j, &ps->id);
	json_kv_uint(&d.j, "size", ps->filelen);
	json_kv_string(&d.j, "sha256", hex);
	(void)snprintf(file, sizeof(file), PKG_DIR "/%s-%" PRIu64,
	    ps->id.name, ps->id.version);
	json_kv_string(&d.j, "file", file);
	detail = json_mem_end(&d);
	if (begin(g) == -1) {
		free(detail);
		return -1;
	}
	rc = txlog_append(g->db->h, now, TXLOG_DOWNLOAD, summary, detail,
	    &seq);
	free(detail);
	if (rc == -1) {
		(void)dberr(g, "appending to the transaction log");
		return fail(g);
	}
	if (exec_bound(g, "INSERT INTO packages (kind, name, version, sha256, "
	    "size, installed, txseq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	    "ttitiii", package_kind_name(ps->id.kind), ps->id.name,
	    (int64_t)ps->id.version, hex, (int64_t)ps->filelen, now, seq) ==
	    -1)
		return fail(g);
	if (commit(g) == -1)
		return -1;
	log_info("%s: %s; transaction log record %" PRId64, TXLOG_DOWNLOAD,
	    summary, seq);
	return 1;
}

/*
 * Status.
 */

int
gateway_status(struct gateway *g, struct msg_outbox_status *s)
{
	sqlite3_stmt	*st;
	const char	*t;

	if (sqlite3_prepare_v2(g->db->h, "SELECT checkin_time, "
	    "checkin_result, checkin_bundles, checkin_error, "
	    "instruction_time, instruction FROM gateway_state WHERE id = 1",
	    -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return dberr(g, "status");
	}
	s->checkin_time = sqlite3_column_int64(st, 0);
	s->checkin_result = sqlite3_column_int(st, 1);
	if (s->checkin_result < -1 || s->checkin_result >= UP_STATUS_MAX)
		s->checkin_result = -1;
	s->checkin_bundles = (uint32_t)sqlite3_column_int64(st, 2);
	t = (const char *)sqlite3_column_text(st, 3);
	(void)strlcpy(s->checkin_error, t ? t : "", sizeof(s->checkin_error));
	s->instruction_time = sqlite3_column_int64(st, 4);
	t = (const char *)sqlite3_column_text(st, 5);
	(void)strlcpy(s->instruction, t ? t : "", sizeof(s->instruction));
	sqlite3_finalize(st);
	return 0;
}
