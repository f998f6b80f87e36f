/*
 * Incidents and supply requests, auditd's part: see incident.h.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checkin.h"
#include "incident.h"
#include "json.h"
#include "log.h"
#include "txlog.h"

#define TXLOG_INCIDENT	"incident"

static int	set_err(char *, size_t, const char *, ...)
		    __attribute__((__format__(printf, 3, 4)));

static int
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void
supply_policy_set(struct supply_policy *sp, const struct auditd_conf *c)
{
	memset(sp, 0, sizeof(*sp));
	sp->enabled = c->supply_requests;
	sp->threshold = c->supply_threshold;
	sp->nrules = c->nsupply_rules;
	memcpy(sp->rules, c->supply_rules, sizeof(sp->rules));
}

uint32_t
supply_threshold(const struct supply_policy *sp, const char *vendor,
    const char *type)
{
	const struct supply_rule	*r;
	uint32_t			 i, best = sp->threshold;
	int				 n, most = 0;

	for (i = 0; i < sp->nrules; i++) {
		r = &sp->rules[i];
		n = 0;
		if (r->vendor[0] != '\0') {
			if (strcasecmp(r->vendor, vendor) != 0)
				continue;
			n++;
		}
		if (r->type[0] != '\0') {
			if (strcmp(r->type, type) != 0)
				continue;
			n++;
		}
		if (n >= most) {
			most = n;
			best = r->percent;
		}
	}
	return best;
}

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char	*s = sqlite3_column_text(st, i);

	return s != NULL ? (const char *)s : "";
}

static void
bind_or_null(sqlite3_stmt *st, int i, const char *s, int *rc)
{
	if (*rc != SQLITE_OK)
		return;
	if (s == NULL || *s == '\0')
		*rc = sqlite3_bind_null(st, i);
	else
		*rc = sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* one incident's row, its record first (the row names it) */
struct inc_row {
	int64_t		 id;
	const char	*kind, *origin;
	int64_t		 uid;		/* -1: none */
	int64_t		 device;
	const char	*device_key;
	const char	*problem;
	const char	*name, *email, *phone;
};

static int
insert_incident(sqlite3 *h, const struct inc_row *ir, int64_t now,
    const char *summary, char *detail, char *err, size_t errlen)
{
	sqlite3_stmt	*st = NULL;
	int64_t		 seq;
	int		 rc;

	rc = txlog_append(h, now, TXLOG_INCIDENT, summary, detail, &seq);
	free(detail);
	if (rc == -1)
		return set_err(err, errlen, "logging incident %" PRId64 ": %s",
		    ir->id, sqlite3_errmsg(h));
	if (sqlite3_prepare_v2(h, "INSERT INTO incidents (id, created, kind, "
	    "origin, uid, device_id, problem, contact_name, contact_email, "
	    "contact_phone, txseq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "?9, ?10, ?11)", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	rc = sqlite3_bind_int64(st, 1, ir->id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, now);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 3, ir->kind, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 4, ir->origin, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = ir->uid < 0 ? sqlite3_bind_null(st, 5) :
		    sqlite3_bind_int64(st, 5, ir->uid);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 6, ir->device);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 7, ir->problem, -1, SQLITE_STATIC);
	bind_or_null(st, 8, ir->name, &rc);
	bind_or_null(st, 9, ir->email, &rc);
	bind_or_null(st, 10, ir->phone, &rc);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 11, seq);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	return 0;
 fail:
	sqlite3_finalize(st);
	return set_err(err, errlen, "storing incident %" PRId64 ": %s", ir->id,
	    sqlite3_errmsg(h));
}

/* a supply of report `report' copied into the request: 1, 0 none, -1 */
static int
copy_supply(sqlite3 *h, int64_t incident, int64_t report, const char *idx)
{
	sqlite3_stmt	*st = NULL;
	int		 rc;

	if (sqlite3_prepare_v2(h, "INSERT INTO incident_supplies "
	    "(incident_id, idx, description, type, color, max, level, "
	    "percent) SELECT ?1, idx, description, type, color, max, level, "
	    "percent FROM supplies WHERE report_id = ?2 AND idx = ?3 "
	    "ORDER BY ordinal LIMIT 1", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, incident) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, report) != SQLITE_OK ||
	    sqlite3_bind_text(st, 3, idx, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return -1;
	}
	rc = sqlite3_changes(h);
	sqlite3_finalize(st);
	return rc;
}

static int64_t
next_id(sqlite3 *h)
{
	sqlite3_stmt	*st = NULL;
	int64_t		 id = -1;

	if (sqlite3_prepare_v2(h, "SELECT coalesce(max(id), 0) + 1 FROM "
	    "incidents", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

/*
 * The device an administrator named: its number, its key or its last
 * address (with or without the port).  1 found, 0 not, -1 error.
 */
static int
find_device(sqlite3 *h, const char *name, int64_t *id, int64_t *report,
    char *key, size_t keylen)
{
	sqlite3_stmt	*st = NULL;
	int		 rc;

	if (sqlite3_prepare_v2(h, "SELECT id, coalesce(last_report, 0), key "
	    "FROM devices WHERE CAST(id AS TEXT) = ?1 OR key = ?1 OR "
	    "last_address = ?1 OR substr(last_address, 1, length(?1) + 1) = "
	    "?1 || ':' ORDER BY CAST(id AS TEXT) = ?1 DESC, last_seen DESC, "
	    "id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC) != SQLITE_OK) {
		sqlite3_finalize(st);
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*report = sqlite3_column_int64(st, 1);
		(void)strlcpy(key, col(st, 2), keylen);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
refuse(struct incident_done *d, const char *fmt, ...)
    __attribute__((__format__(printf, 2, 3)));

static int
refuse(struct incident_done *d, const char *fmt, ...)
{
	va_list	 ap;

	d->result = INC_DONE_REFUSED;
	d->id = 0;
	va_start(ap, fmt);
	(void)vsnprintf(d->text, sizeof(d->text), fmt, ap);
	va_end(ap);
	return 0;
}

/* the work of incident_record() inside its transaction */
static int
record_tx(sqlite3 *h, const struct incident_req *r, int64_t now,
    struct incident_done *d, char *err, size_t errlen)
{
	struct inc_row	 ir;
	struct json_mem	 jm;
	char		 key[512], list[INC_SUPPLIES_MAX * INC_INDEX_MAX];
	char		 summary[sizeof(list) + 128];
	int64_t		 report;
	uint32_t	 i;
	int		 rc;

	memset(&ir, 0, sizeof(ir));
	if ((rc = find_device(h, r->device, &ir.device, &report, key,
	    sizeof(key))) == -1)
		return set_err(err, errlen, "finding device: %s",
		    sqlite3_errmsg(h));
	if (rc == 0)
		return refuse(d, "no device \"%s\" (callhomectl devices lists "
		    "them)", r->device);
	if ((ir.id = next_id(h)) <= 0)
		return set_err(err, errlen, "numbering: %s",
		    sqlite3_errmsg(h));
	ir.kind = incident_kind_name(r->kind);
	ir.origin = "operator";
	ir.uid = r->uid;
	ir.device_key = key;
	ir.problem = r->problem;
	ir.name = r->name;
	ir.email = r->email;
	ir.phone = r->phone;

	list[0] = '\0';
	for (i = 0; i < r->nsupplies; i++) {
		if (i > 0)
			(void)strlcat(list, " ", sizeof(list));
		(void)strlcat(list, r->supplies[i], sizeof(list));
	}
	if (r->kind == INC_SERVICE)
		(void)snprintf(summary, sizeof(summary), "incident %" PRId64
		    ": service for device %" PRId64 " by uid %u%s", ir.id,
		    ir.device, (unsigned)r->uid, r->name[0] != '\0' ?
		    ", with a contact typed in" : "");
	else
		(void)snprintf(summary, sizeof(summary), "incident %" PRId64
		    ": supply request for device %" PRId64 " (supplies %s) "
		    "by uid %u", ir.id, ir.device, list, (unsigned)r->uid);
	json_mem_begin(&jm);
	json_kv_int(&jm.j, "incident", ir.id);
	json_kv_string(&jm.j, "kind", ir.kind);
	json_kv_string(&jm.j, "origin", ir.origin);
	json_kv_uint(&jm.j, "uid", r->uid);
	json_kv_int(&jm.j, "device", ir.device);
	json_kv_string(&jm.j, "device_key", key);
	if (r->kind == INC_SERVICE) {
		json_kv_string(&jm.j, "problem", r->problem);
		/* personal data: that it was given, not what */
		json_kv_bool(&jm.j, "contact", r->name[0] != '\0');
	} else
		json_kv_string(&jm.j, "supplies", list);
	json_kv_bool(&jm.j, "send_now", r->send);
	if (insert_incident(h, &ir, now, summary, json_mem_end(&jm), err,
	    errlen) == -1)
		return -1;
	for (i = 0; i < r->nsupplies; i++) {
		if ((rc = copy_supply(h, ir.id, report, r->supplies[i])) == -1)
			return set_err(err, errlen, "storing a supply: %s",
			    sqlite3_errmsg(h));
		if (rc == 0)
			return refuse(d, "device %" PRId64 " has no supply "
			    "\"%s\" in its last report (callhomectl show "
			    "lists them)", ir.device, r->supplies[i]);
	}
	d->result = INC_DONE_OK;
	d->id = ir.id;
	(void)snprintf(d->text, sizeof(d->text), "recorded as incident %"
	    PRId64 " (%s, device %" PRId64 ")", ir.id, ir.kind, ir.device);
	return 0;
}

int
incident_record(struct db *db, const struct incident_req *r, int64_t now,
    struct incident_done *d, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	if (db_begin(db) == -1)
		return set_err(err, errlen, "begin: %s", db_errmsg(db));
	if (record_tx(db->h, r, now, d, err, errlen) == -1) {
		(void)db_rollback(db);
		return -1;
	}
	if (d->result != INC_DONE_OK) {
		/* a refusal leaves nothing behind, not even its record */
		if (db_rollback(db) == -1)
			return set_err(err, errlen, "rollback: %s",
			    db_errmsg(db));
		return 0;
	}
	if (db_commit(db) == -1)
		return set_err(err, errlen, "commit: %s", db_errmsg(db));
	log_info("%s", d->text);
	return 0;
}

/*
 * Automatic supply requests.
 */

/* the alert codes that say a supply is (almost) empty */
static int
empty_code(const char *code)
{
	static const char *const codes[] = { "markerTonerEmpty",
	    "markerInkEmpty", "markerPrintRibbonEmpty",
	    "markerTonerAlmostEmpty", "markerInkAlmostEmpty",
	    "markerPrintRibbonAlmostEmpty", "markerDeveloperAlmostEmpty",
	    "markerDeveloperEmpty", "subunitAlmostEmpty", "subunitEmpty" };
	size_t	 i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

/*
 * A supply without a maximum is low when the report has an (almost)
 * empty alert of the markerSupplies or marker group that names its
 * description, or, when the device has one such supply only, any such
 * alert.
 */
static int
alert_low(sqlite3 *h, int64_t report, const char *description, int only,
    int *low)
{
	sqlite3_stmt	*st = NULL;
	int		 rc;

	*low = 0;
	if (sqlite3_prepare_v2(h, "SELECT code, description FROM alerts WHERE "
	    "report_id = ?1 AND grp IN ('markerSupplies', 'marker')", -1, &st,
	    NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, report) != SQLITE_OK) {
		sqlite3_finalize(st);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (empty_code(col(st, 0)) && (only || (description[0] !=
		    '\0' && strcasestr(col(st, 1), description) != NULL)))
			*low = 1;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

struct watch {
	int		 have;
	int		 low;
	int64_t		 percent;	/* -1: none */
	int64_t		 incident;
};

static int
watch_get(sqlite3 *h, int64_t device, const char *idx, struct watch *w)
{
	sqlite3_stmt	*st = NULL;
	int		 rc;

	memset(w, 0, sizeof(*w));
	if (sqlite3_prepare_v2(h, "SELECT low, coalesce(percent, -1), "
	    "coalesce(incident_id, 0) FROM supply_watch WHERE device_id = ?1 "
	    "AND idx = ?2", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, device) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, idx, -1, SQLITE_STATIC) != SQLITE_OK) {
		sqlite3_finalize(st);
		return -1;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		w->have = 1;
		w->low = sqlite3_column_int(st, 0);
		w->percent = sqlite3_column_int64(st, 1);
		w->incident = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int
watch_put(sqlite3 *h, int64_t device, const char *idx, int low,
    int64_t percent, int64_t incident, int changed, int64_t now)
{
	sqlite3_stmt	*st = NULL;
	int		 rc;

	if (sqlite3_prepare_v2(h, "INSERT INTO supply_watch (device_id, idx, "
	    "low, percent, incident_id, since) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6) ON CONFLICT (device_id, idx) DO UPDATE SET low = ?3, "
	    "percent = ?4, incident_id = ?5, since = CASE WHEN ?7 THEN ?6 "
	    "ELSE since END", -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_bind_int64(st, 1, device);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 2, idx, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 3, low);
	if (rc == SQLITE_OK)
		rc = percent < 0 ? sqlite3_bind_null(st, 4) :
		    sqlite3_bind_int64(st, 4, percent);
	if (rc == SQLITE_OK)
		rc = incident <= 0 ? sqlite3_bind_null(st, 5) :
		    sqlite3_bind_int64(st, 5, incident);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 6, now);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 7, changed);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : -1;
}

/* one supply of the cycle, as read */
struct sup {
	int64_t		 report, device;
	const char	*vendor, *idx, *description, *type, *cls, *key;
	int		 has_level, has_max, has_percent;
	int64_t		 level, max, percent;
};

static int
auto_request(sqlite3 *h, const struct sup *s, int64_t pct, uint32_t thr,
    int64_t now, int64_t *id, char *err, size_t errlen)
{
	struct inc_row	 ir;
	struct json_mem	 jm;
	char		 summary[512], how[64];

	memset(&ir, 0, sizeof(ir));
	if ((ir.id = next_id(h)) <= 0)
		return set_err(err, errlen, "numbering: %s",
		    sqlite3_errmsg(h));
	ir.kind = "supply";
	ir.origin = "automatic";
	ir.uid = -1;
	ir.device = s->device;
	ir.device_key = s->key;
	ir.problem = "";
	if (pct >= 0)
		(void)snprintf(how, sizeof(how), "%" PRId64 "%% left, "
		    "threshold %u%%", pct, thr);
	else
		(void)strlcpy(how, "the printer's low-supply alert",
		    sizeof(how));
	(void)snprintf(summary, sizeof(summary), "incident %" PRId64 ": "
	    "automatic supply request for device %" PRId64 " supply %s (%s)",
	    ir.id, s->device, s->idx, how);
	json_mem_begin(&jm);
	json_kv_int(&jm.j, "incident", ir.id);
	json_kv_string(&jm.j, "kind", ir.kind);
	json_kv_string(&jm.j, "origin", ir.origin);
	json_kv_int(&jm.j, "device", s->device);
	json_kv_string(&jm.j, "device_key", s->key);
	json_kv_string(&jm.j, "supplies", s->idx);
	if (pct >= 0) {
		json_kv_int(&jm.j, "percent", pct);
		json_kv_uint(&jm.j, "threshold", thr);
	} else
		json_kv_string(&jm.j, "by", "alert");
	json_kv_int(&jm.j, "report", s->report);
	if (insert_incident(h, &ir, now, summary, json_mem_end(&jm), err,
	    errlen) == -1)
		return -1;
	if (copy_supply(h, ir.id, s->report, s->idx) != 1)
		return set_err(err, errlen, "storing a supply: %s",
		    sqlite3_errmsg(h));
	log_info("%s", summary);
	*id = ir.id;
	return 0;
}

static int
refill_record(sqlite3 *h, const struct sup *s, const struct watch *w,
    int64_t pct, int64_t now, char *err, size_t errlen)
{
	struct json_mem	 jm;
	char		 summary[512], *detail;
	int64_t		 seq;
	int		 rc;

	if (pct >= 0)
		(void)snprintf(summary, sizeof(summary), "supply refilled: "
		    "device %" PRId64 " supply %s, %" PRId64 "%% left (request "
		    "%" PRId64 ")", s->device, s->idx, pct, w->incident);
	else
		(void)snprintf(summary, sizeof(summary), "supply refilled: "
		    "device %" PRId64 " supply %s, its low alert gone "
		    "(request %" PRId64 ")", s->device, s->idx, w->incident);
	json_mem_begin(&jm);
	json_kv_string(&jm.j, "event", "refill");
	json_kv_int(&jm.j, "device", s->device);
	json_kv_string(&jm.j, "supply", s->idx);
	if (pct >= 0)
		json_kv_int(&jm.j, "percent", pct);
	if (w->percent >= 0)
		json_kv_int(&jm.j, "previous_percent", w->percent);
	json_kv_int(&jm.j, "request", w->incident);
	json_kv_int(&jm.j, "report", s->report);
	detail = json_mem_end(&jm);
	rc = txlog_append(h, now, TXLOG_INCIDENT, summary, detail, &seq);
	free(detail);
	if (rc == -1)
		return set_err(err, errlen, "logging a refill: %s",
		    sqlite3_errmsg(h));
	log_info("%s", summary);
	return 0;
}

static int
one_supply(sqlite3 *h, const struct supply_policy *sp, const struct sup *s,
    int only, int64_t now, char *err, size_t errlen)
{
	struct watch	 w;
	uint32_t	 thr = supply_threshold(sp, s->vendor, s->type);
	int64_t		 pct = -1, id = 0;
	int		 low;

	/* a receptacle fills up; -1, -2, -3 and no level say nothing */
	if (strcmp(s->cls, "receptacle") == 0 || !s->has_level ||
	    s->level < 0)
		return 0;
	if (s->has_max && s->max > 0) {
		pct = s->has_percent ? s->percent : s->level * 100 / s->max;
		if (pct < 0 || pct > 100)
			return 0;
		low = pct <= (int64_t)thr;
	} else if (alert_low(h, s->report, s->description, only, &low) == -1)
		return set_err(err, errlen, "reading alerts: %s",
		    sqlite3_errmsg(h));
	if (watch_get(h, s->device, s->idx, &w) == -1)
		return set_err(err, errlen, "reading a supply's watch: %s",
		    sqlite3_errmsg(h));
	if (low && !(w.have && w.low)) {
		if (auto_request(h, s, pct, thr, now, &id, err, errlen) == -1)
			return -1;
		return watch_put(h, s->device, s->idx, 1, pct, id, 1, now) ==
		    -1 ? set_err(err, errlen, "a supply's watch: %s",
		    sqlite3_errmsg(h)) : 0;
	}
	if (!low && w.have && w.low) {
		if (refill_record(h, s, &w, pct, now, err, errlen) == -1)
			return -1;
		return watch_put(h, s->device, s->idx, 0, pct, 0, 1, now) ==
		    -1 ? set_err(err, errlen, "a supply's watch: %s",
		    sqlite3_errmsg(h)) : 0;
	}
	return watch_put(h, s->device, s->idx, low, pct, w.incident, !w.have,
	    now) == -1 ? set_err(err, errlen, "a supply's watch: %s",
	    sqlite3_errmsg(h)) : 0;
}

static int
auto_supplies(sqlite3 *h, int64_t cycle, const struct supply_policy *sp,
    int64_t now, char *err, size_t errlen)
{
	sqlite3_stmt	*st = NULL;
	struct sup	 s;
	int		 rc, ret = -1;

	/* only: the report's supplies without a maximum, for alert_low() */
	if (sqlite3_prepare_v2(h, "SELECT r.id, r.device_id, d.vendor, s.idx, "
	    "s.description, s.type, s.class, d.key, s.level, s.max, "
	    "s.percent, (SELECT count(*) FROM supplies t WHERE t.report_id = "
	    "r.id AND coalesce(t.max, -1) <= 0 AND t.class != "
	    "'receptacle') FROM reports r JOIN devices d ON d.id "
	    "= r.device_id JOIN supplies s ON s.report_id = r.id WHERE "
	    "r.cycle_id = ?1 ORDER BY r.id, s.ordinal", -1, &st, NULL) !=
	    SQLITE_OK || sqlite3_bind_int64(st, 1, cycle) != SQLITE_OK) {
		set_err(err, errlen, "reading supplies: %s", sqlite3_errmsg(h));
		goto done;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&s, 0, sizeof(s));
		s.report = sqlite3_column_int64(st, 0);
		s.device = sqlite3_column_int64(st, 1);
		s.vendor = col(st, 2);
		s.idx = col(st, 3);
		s.description = col(st, 4);
		s.type = col(st, 5);
		s.cls = col(st, 6);
		s.key = col(st, 7);
		s.has_level = sqlite3_column_type(st, 8) != SQLITE_NULL;
		s.level = sqlite3_column_int64(st, 8);
		s.has_max = sqlite3_column_type(st, 9) != SQLITE_NULL;
		s.max = sqlite3_column_int64(st, 9);
		s.has_percent = sqlite3_column_type(st, 10) != SQLITE_NULL;
		s.percent = sqlite3_column_int64(st, 10);
		if (one_supply(h, sp, &s, sqlite3_column_int(st, 11) == 1, now,
		    err, errlen) == -1)
			goto done;
	}
	if (rc != SQLITE_DONE) {
		set_err(err, errlen, "reading supplies: %s", sqlite3_errmsg(h));
		goto done;
	}
	ret = 0;
 done:
	sqlite3_finalize(st);
	return ret;
}

int
incident_cycle(sqlite3 *h, int64_t cycle, const struct supply_policy *sp,
    int64_t now, char *err, size_t errlen)
{
	sqlite3_stmt	*st = NULL;
	int		 ok;

	if (sp->enabled && auto_supplies(h, cycle, sp, now, err, errlen) == -1)
		return -1;
	ok = sqlite3_prepare_v2(h, "UPDATE incidents SET cycle_id = ?1 WHERE "
	    "id IN (SELECT id FROM incidents WHERE cycle_id IS NULL ORDER BY "
	    "id LIMIT ?2)", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_int64(st, 1, cycle) == SQLITE_OK &&
	    sqlite3_bind_int(st, 2, INCIDENTS_PER_CYCLE) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_DONE;
	sqlite3_finalize(st);
	if (!ok)
		return set_err(err, errlen, "assigning incidents: %s",
		    sqlite3_errmsg(h));
	return 0;
}

/*
 * The server's word.
 */

static int
status_tx(sqlite3 *h, const struct checkin_incident *ci, size_t n,
    int64_t now, char *err, size_t errlen)
{
	sqlite3_stmt	*st = NULL, *up = NULL;
	struct json_mem	 jm;
	char		 summary[256], *detail;
	const char	*name, *old;
	int64_t		 seq;
	size_t		 i;
	int		 rc, ret = -1;

	if (sqlite3_prepare_v2(h, "SELECT coalesce(server_status, '') FROM "
	    "incidents WHERE id = ?1", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "UPDATE incidents SET server_status = ?2, "
	    "server_seen = ?3 WHERE id = ?1", -1, &up, NULL) != SQLITE_OK)
		goto dberr;
	for (i = 0; i < n; i++) {
		name = checkin_incident_status(ci[i].status);
		sqlite3_reset(st);
		if (name == NULL ||
		    sqlite3_bind_int64(st, 1, ci[i].id) != SQLITE_OK)
			goto dberr;
		if ((rc = sqlite3_step(st)) == SQLITE_DONE)
			continue;	/* not one of ours */
		if (rc != SQLITE_ROW)
			goto dberr;
		old = col(st, 0);
		if (strcmp(old, name) != 0) {
			(void)snprintf(summary, sizeof(summary), "incident %"
			    PRId64 ": the server says %s%s%s", ci[i].id, name,
			    old[0] != '\0' ? ", was " : "", old);
			json_mem_begin(&jm);
			json_kv_int(&jm.j, "incident", ci[i].id);
			json_kv_string(&jm.j, "server_status", name);
			json_kv_string_or_null(&jm.j, "previous",
			    old[0] != '\0' ? old : NULL);
			detail = json_mem_end(&jm);
			rc = txlog_append(h, now, TXLOG_INCIDENT, summary,
			    detail, &seq);
			free(detail);
			if (rc == -1)
				goto dberr;
			log_info("%s", summary);
		}
		sqlite3_reset(up);
		if (sqlite3_bind_int64(up, 1, ci[i].id) != SQLITE_OK ||
		    sqlite3_bind_text(up, 2, name, -1, SQLITE_STATIC) !=
		    SQLITE_OK || sqlite3_bind_int64(up, 3, now) != SQLITE_OK ||
		    sqlite3_step(up) != SQLITE_DONE)
			goto dberr;
	}
	ret = 0;
	goto done;
 dberr:
	set_err(err, errlen, "the server's status: %s", sqlite3_errmsg(h));
 done:
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	return ret;
}

int
incident_server_status(struct db *db, const struct checkin_incident *ci,
    size_t n, int64_t now, char *err, size_t errlen)
{
	int	 own;

	if (n == 0)
		return 0;
	/* inside a cycle's transaction, a savepoint: it commits with it */
	if (db_unit_begin(db, &own) == -1)
		return set_err(err, errlen, "begin: %s", db_errmsg(db));
	if (status_tx(db->h, ci, n, now, err, errlen) == -1) {
		db_unit_rollback(db, own);
		return -1;
	}
	if (db_unit_commit(db, own) == -1)
		return set_err(err, errlen, "commit: %s", db_errmsg(db));
	return 0;
}
