/*
 * The devices' readings in auditd's database, for "callhomectl devices"
 * (ctl_db.c) and "callhomectl report" (ctl_report.c): the latest report
 * of each device, sorted by address, and a device as JSON.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "callhomectl.h"
#include "ctl_readings.h"
#include "json.h"
#include "report.h"
#include "txlog.h"

#define DBERR(db)	errx(CTL_ERROR, "reading the database: %s",	\
			    sqlite3_errmsg(db))

/* ------------------------------------------------------------------ */
/* the devices, sorted */

/* "1.2.3.4:161" or "[::1]:161" */
static void
parse_address(struct ctl_dev *r)
{
	char	 host[REPORT_NAME], *port = NULL, *p, *end;

	r->family = 0;
	r->port = -1;
	(void)strlcpy(host, r->address, sizeof(host));
	if (host[0] == '[') {
		if ((p = strchr(host, ']')) == NULL)
			return;
		*p++ = '\0';
		if (*p == ':')
			port = p + 1;
		else if (*p != '\0')
			return;
		if (inet_pton(AF_INET6, host + 1, r->addr) != 1)
			return;
		r->family = 6;
	} else {
		if ((p = strrchr(host, ':')) != NULL) {
			*p = '\0';
			port = p + 1;
		}
		if (inet_pton(AF_INET, host, r->addr) != 1)
			return;
		r->family = 4;
	}
	if (port != NULL) {
		r->port = strtol(port, &end, 10);
		if (end == port || *end != '\0')
			r->port = -1;
	}
}

/* IPv4 by number, then IPv6, then anything else by text; then port */
static int
dev_cmp(const void *a, const void *b)
{
	const struct ctl_dev	*x = a, *y = b;
	int			 c;

	if (x->family != y->family) {
		if (x->family == 0 || y->family == 0)
			return x->family == 0 ? 1 : -1;
		return x->family - y->family;
	}
	if (x->family == 0)
		c = strcmp(x->address, y->address);
	else
		c = memcmp(x->addr, y->addr, x->family == 4 ? 4 : 16);
	if (c != 0)
		return c;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x->report < y->report ? -1 : x->report > y->report;
}

static void
copy_col(sqlite3_stmt *q, int i, char *dst, size_t len)
{
	const unsigned char	*s;

	if ((s = sqlite3_column_text(q, i)) == NULL)
		dst[0] = '\0';
	else
		(void)strlcpy(dst, (const char *)s, len);
}

static int64_t
col_opt(sqlite3_stmt *q, int i)
{
	return sqlite3_column_type(q, i) == SQLITE_NULL ? REPORT_NONE :
	    sqlite3_column_int64(q, i);
}

/* the latest report of each device collected in [since, until) */
struct ctl_dev *
ctl_load_devices(sqlite3 *db, int64_t since, int64_t until, size_t *np)
{
	static const char	 sql[] =
	    "SELECT r.id, r.cycle_id, r.address, r.outcome, r.vendor, "
	    "r.model, r.serial, r.printer_status, "
	    "(SELECT value FROM meters WHERE report_id = r.id AND "
	    "name = 'total' ORDER BY ordinal LIMIT 1), "
	    "(SELECT count(*) FROM alerts WHERE report_id = r.id), "
	    "r.state, r.state_since "
	    "FROM reports r WHERE r.id IN "
	    "(SELECT max(id) FROM reports WHERE "
	    "(?1 IS NULL OR collected >= ?1) AND "
	    "(?2 IS NULL OR collected < ?2) GROUP BY device_id)";
	sqlite3_stmt		*q;
	struct ctl_dev		*v = NULL, *nv, *r;
	size_t			 n = 0, cap = 0;
	int			 rc;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		DBERR(db);
	ctl_bind_period(q, since, until);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL)
				err(CTL_ERROR, NULL);
			v = nv;
		}
		r = &v[n++];
		memset(r, 0, sizeof(*r));
		r->report = sqlite3_column_int64(q, 0);
		r->cycle = sqlite3_column_int64(q, 1);
		copy_col(q, 2, r->address, sizeof(r->address));
		r->outcome = sqlite3_column_int(q, 3);
		copy_col(q, 4, r->vendor, sizeof(r->vendor));
		copy_col(q, 5, r->model, sizeof(r->model));
		copy_col(q, 6, r->serial, sizeof(r->serial));
		r->printer_status = col_opt(q, 7);
		r->pages = col_opt(q, 8);
		r->alerts = sqlite3_column_int64(q, 9);
		r->state = sqlite3_column_int(q, 10);
		if (r->state < 0 || r->state >= DEV_STATE_MAX)
			r->state = DEV_STATE_NONE;
		r->state_since = sqlite3_column_int64(q, 11);
		parse_address(r);
	}
	if (rc != SQLITE_DONE)
		DBERR(db);
	sqlite3_finalize(q);
	if (n > 0)
		qsort(v, n, sizeof(*v), dev_cmp);
	*np = n;
	return v;
}

/* ------------------------------------------------------------------ */
/* one report whole */

void
ctl_rq_prepare(sqlite3 *db, struct ctl_rq *rq)
{
	rq->db = db;
	if (sqlite3_prepare_v2(db, "SELECT " READINGS_DEVICE_COLS
	    " FROM reports WHERE id = ?", -1, &rq->report, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT " READINGS_METER_COLS
	    " FROM meters WHERE report_id = ? ORDER BY ordinal", -1,
	    &rq->meters, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT " READINGS_SUPPLY_COLS
	    " FROM supplies WHERE report_id = ? ORDER BY ordinal", -1,
	    &rq->supplies, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT " READINGS_ALERT_COLS
	    " FROM alerts WHERE report_id = ? ORDER BY ordinal", -1,
	    &rq->alerts, NULL) != SQLITE_OK)
		DBERR(db);
}

void
ctl_rq_finalize(struct ctl_rq *rq)
{
	sqlite3_finalize(rq->report);
	sqlite3_finalize(rq->meters);
	sqlite3_finalize(rq->supplies);
	sqlite3_finalize(rq->alerts);
}

/* room for one more row of `size' bytes in *v */
static void *
grow(void *v, size_t n, size_t *cap, size_t size)
{
	void	*nv;

	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	if ((nv = reallocarray(v, *cap, size)) == NULL)
		err(CTL_ERROR, NULL);
	return nv;
}

void
ctl_load_full(struct ctl_rq *rq, const struct ctl_dev *r,
    struct ctl_full *f)
{
	int	 rc;

	f->nm = f->ns = f->na = 0;
	f->cycle = r->cycle;
	sqlite3_reset(rq->report);
	sqlite3_bind_int64(rq->report, 1, r->report);
	if (sqlite3_step(rq->report) != SQLITE_ROW)
		DBERR(rq->db);
	readings_column_device(rq->report, 0, &f->d);
	sqlite3_reset(rq->report);

	sqlite3_reset(rq->meters);
	sqlite3_bind_int64(rq->meters, 1, r->report);
	while ((rc = sqlite3_step(rq->meters)) == SQLITE_ROW) {
		f->m = grow(f->m, f->nm, &f->cm, sizeof(*f->m));
		readings_column_meter(rq->meters, 0, &f->m[f->nm++]);
	}
	if (rc != SQLITE_DONE)
		DBERR(rq->db);
	sqlite3_reset(rq->supplies);
	sqlite3_bind_int64(rq->supplies, 1, r->report);
	while ((rc = sqlite3_step(rq->supplies)) == SQLITE_ROW) {
		f->s = grow(f->s, f->ns, &f->cs, sizeof(*f->s));
		readings_column_supply(rq->supplies, 0, &f->s[f->ns++]);
	}
	if (rc != SQLITE_DONE)
		DBERR(rq->db);
	sqlite3_reset(rq->alerts);
	sqlite3_bind_int64(rq->alerts, 1, r->report);
	while ((rc = sqlite3_step(rq->alerts)) == SQLITE_ROW) {
		f->a = grow(f->a, f->na, &f->ca, sizeof(*f->a));
		readings_column_alert(rq->alerts, 0, &f->a[f->na++]);
	}
	if (rc != SQLITE_DONE)
		DBERR(rq->db);
}

void
ctl_full_free(struct ctl_full *f)
{
	free(f->m);
	free(f->s);
	free(f->a);
	f->m = NULL;
	f->s = NULL;
	f->a = NULL;
	f->nm = f->cm = f->ns = f->cs = f->na = f->ca = 0;
}

/* ------------------------------------------------------------------ */
/* JSON */

static void
kv_opt(struct json *j, const char *k, int64_t v)
{
	if (v == REPORT_NONE)
		json_kv_null(j, k);
	else
		json_kv_int(j, k, v);
}

/* the contract of "callhomectl devices -j": the fixed shape, then more */
static void
json_device(struct json *j, const struct ctl_full *f)
{
	const struct rpt_device	*d = &f->d;
	const struct rpt_supply	*s;
	const struct rpt_alert	*a;
	size_t			 k;
	int			 bit;

	json_object_begin(j);
	json_kv_string(j, "address", d->address);
	json_kv_string(j, "status", dev_outcome_name(d->outcome));
	json_kv_string_or_null(j, "serial", d->serial);
	json_kv_string_or_null(j, "vendor", d->vendor);
	kv_opt(j, "enterprise", d->enterprise);
	json_kv_string_or_null(j, "model", d->model);
	json_kv_string_or_null(j, "firmware", d->firmware);
	json_kv_string_or_null(j, "device_status",
	    hr_device_status_name(d->device_status));
	json_kv_string_or_null(j, "printer_status",
	    hr_printer_status_name(d->printer_status));
	json_key(j, "errors");
	if (d->errors == -1)
		json_null(j);
	else {
		json_array_begin(j);
		for (bit = 0; bit < PRT_ERR_BITS; bit++)
			if (d->errors & (1 << bit))
				json_string(j, prt_error_name(bit));
		json_array_end(j);
	}

	json_key(j, "meters");
	json_array_begin(j);
	for (k = 0; k < f->nm; k++) {
		json_object_begin(j);
		json_kv_string_or_null(j, "name", f->m[k].name);
		json_kv_string_or_null(j, "unit", f->m[k].unit);
		kv_opt(j, "value", f->m[k].value);
		json_kv_string_or_null(j, "source", f->m[k].source);
		if (f->m[k].flag != METER_FLAG_NONE) {
			json_kv_string(j, "flag",
			    meter_flag_name(f->m[k].flag));
			kv_opt(j, "previous", f->m[k].previous);
		}
		json_object_end(j);
	}
	json_array_end(j);

	json_key(j, "supplies");
	json_array_begin(j);
	for (k = 0; k < f->ns; k++) {
		s = &f->s[k];
		json_object_begin(j);
		json_kv_string_or_null(j, "index", s->index);
		json_kv_string_or_null(j, "description", s->description);
		json_kv_string_or_null(j, "class", s->class);
		json_kv_string_or_null(j, "type", s->type);
		json_kv_string_or_null(j, "color", s->color);
		json_kv_string_or_null(j, "unit", s->unit);
		kv_opt(j, "max", s->max);
		kv_opt(j, "level", s->level);
		kv_opt(j, "percent", s->percent);
		json_object_end(j);
	}
	json_array_end(j);

	json_key(j, "alerts");
	json_array_begin(j);
	for (k = 0; k < f->na; k++) {
		a = &f->a[k];
		json_object_begin(j);
		json_kv_string_or_null(j, "index", a->index);
		json_kv_string_or_null(j, "severity", a->severity);
		json_kv_string_or_null(j, "group", a->group);
		json_kv_string_or_null(j, "code", a->code);
		json_kv_string_or_null(j, "description", a->description);
		kv_opt(j, "time", a->time);
		json_object_end(j);
	}
	json_array_end(j);

	/* more than the fixed shape, after it */
	json_kv_string_or_null(j, "reason", d->reason);
	json_kv_string_or_null(j, "sysdescr", d->sysdescr);
	json_kv_string_or_null(j, "sysobjectid", d->sysobjectid);
	json_kv_string_or_null(j, "model_source", d->model_source);
	json_kv_string_or_null(j, "serial_source", d->serial_source);
	json_kv_string_or_null(j, "firmware_source", d->firmware_source);
	json_kv_string_or_null(j, "profile", d->profile);
	json_kv_string_or_null(j, "sysname", d->sysname);
	json_kv_string_or_null(j, "syscontact", d->syscontact);
	json_kv_string_or_null(j, "syslocation", d->syslocation);
	kv_opt(j, "uptime", d->uptime);
	json_kv_int(j, "collected", d->collected);
	json_kv_uint(j, "requests", d->requests);
	json_kv_int(j, "cycle", f->cycle);
	/* the address's state, and since when (none before schema 4) */
	json_kv_string_or_null(j, "state", dev_state_name(d->state));
	if (d->state != DEV_STATE_NONE)
		json_kv_int(j, "state_since", d->state_since);
	else
		json_kv_null(j, "state_since");
	json_object_end(j);
}


void
ctl_json_devices(struct json *j, struct ctl_rq *rq, struct ctl_full *f,
    const struct ctl_dev *v, size_t n)
{
	size_t	 i;

	json_key(j, "devices");
	json_array_begin(j);
	for (i = 0; i < n; i++) {
		ctl_load_full(rq, &v[i], f);
		json_device(j, f);
	}
	json_array_end(j);
}
