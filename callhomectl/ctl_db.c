/*
 * callhomectl's commands that read auditd's database: devices, verify.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "callhomectl.h"
#include "json.h"
#include "report.h"
#include "txlog.h"

/* one device's latest report, as much as sorting and the table need */
struct devrow {
	int64_t		 report;
	int64_t		 cycle;
	/* the address, parsed for sorting */
	int		 family;	/* 4, 6, or 0: not an address */
	uint8_t		 addr[16];
	long		 port;
	char		 address[REPORT_NAME];
	/* for the table */
	int		 outcome;
	char		 vendor[REPORT_NAME];
	char		 model[128];
	char		 serial[128];
	int64_t		 printer_status;
	int64_t		 pages;		/* the meter "total" */
	int64_t		 alerts;
};

/* "1.2.3.4:161" or "[::1]:161" */
static void
parse_address(struct devrow *r)
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
devrow_cmp(const void *a, const void *b)
{
	const struct devrow	*x = a, *y = b;
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

/* the latest report of every device, sorted by address */
static struct devrow *
load_devices(sqlite3 *db, size_t *np)
{
	static const char	 sql[] =
	    "SELECT r.id, r.cycle_id, r.address, r.outcome, r.vendor, "
	    "r.model, r.serial, r.printer_status, "
	    "(SELECT value FROM meters WHERE report_id = r.id AND "
	    "name = 'total' ORDER BY ordinal LIMIT 1), "
	    "(SELECT count(*) FROM alerts WHERE report_id = r.id) "
	    "FROM reports r WHERE r.id IN "
	    "(SELECT max(id) FROM reports GROUP BY device_id)";
	sqlite3_stmt		*q;
	struct devrow		*v = NULL, *nv, *r;
	size_t			 n = 0, cap = 0;
	int			 rc;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		errx(CTL_ERROR, "reading devices: %s", sqlite3_errmsg(db));
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
		r->printer_status = sqlite3_column_type(q, 7) == SQLITE_NULL ?
		    REPORT_NONE : sqlite3_column_int64(q, 7);
		r->pages = sqlite3_column_type(q, 8) == SQLITE_NULL ?
		    REPORT_NONE : sqlite3_column_int64(q, 8);
		r->alerts = sqlite3_column_int64(q, 9);
		parse_address(r);
	}
	if (rc != SQLITE_DONE)
		errx(CTL_ERROR, "reading devices: %s", sqlite3_errmsg(db));
	sqlite3_finalize(q);
	if (n > 0)
		qsort(v, n, sizeof(*v), devrow_cmp);
	*np = n;
	return v;
}

/* ------------------------------------------------------------------ */
/* the table */

static const char *
or_dash(const char *s)
{
	return s != NULL && *s != '\0' ? s : "-";
}

#define NCOLS	8
#define COLMAX	32	/* widest column of the table */

/* the cells of one line: the heading for r == NULL */
static void
table_cells(const struct devrow *r, const char *cell[NCOLS],
    char pages[32], char alerts[32])
{
	static const char *const head[NCOLS] = { "ADDRESS", "STATUS",
	    "VENDOR", "MODEL", "SERIAL", "PRINTER", "PAGES", "ALERTS" };
	int	 k;

	if (r == NULL) {
		for (k = 0; k < NCOLS; k++)
			cell[k] = head[k];
		return;
	}
	if (r->pages == REPORT_NONE)
		(void)strlcpy(pages, "-", 32);
	else
		(void)snprintf(pages, 32, "%" PRId64, r->pages);
	(void)snprintf(alerts, 32, "%" PRId64, r->alerts);
	cell[0] = r->address;
	cell[1] = dev_outcome_name(r->outcome);
	cell[2] = or_dash(r->vendor);
	cell[3] = or_dash(r->model);
	cell[4] = or_dash(r->serial);
	cell[5] = or_dash(hr_printer_status_name(r->printer_status));
	cell[6] = pages;
	cell[7] = alerts;
}

static void
print_table(const struct devrow *v, size_t n)
{
	const char	*cell[NCOLS];
	char		 pages[32], alerts[32];
	int		 w[NCOLS], k;
	size_t		 i;

	if (n == 0) {
		printf("no devices reported yet\n");
		return;
	}
	memset(w, 0, sizeof(w));
	/* long names are cut: the JSON output has them whole */
	for (i = 0; i <= n; i++) {
		table_cells(i == 0 ? NULL : &v[i - 1], cell, pages, alerts);
		for (k = 0; k < NCOLS; k++)
			if (ctl_width(cell[k]) > w[k])
				w[k] = ctl_width(cell[k]);
	}
	for (k = 0; k < NCOLS; k++)
		if (w[k] > COLMAX)
			w[k] = COLMAX;
	for (i = 0; i <= n; i++) {
		table_cells(i == 0 ? NULL : &v[i - 1], cell, pages, alerts);
		for (k = 0; k < NCOLS - 1; k++) {
			ctl_print_safe(stdout, cell[k], w[k]);
			fputs("  ", stdout);
		}
		ctl_print_safe(stdout, cell[k], 0);
		putchar('\n');
	}
}

/* ------------------------------------------------------------------ */
/* JSON */

struct rowq {
	sqlite3_stmt	*report;
	sqlite3_stmt	*meters;
	sqlite3_stmt	*supplies;
	sqlite3_stmt	*alerts;
};

static void
kv_opt(struct json *j, const char *k, int64_t v)
{
	if (v == REPORT_NONE)
		json_kv_null(j, k);
	else
		json_kv_int(j, k, v);
}

static void
json_device(struct json *j, sqlite3 *db, struct rowq *rq,
    const struct devrow *r)
{
	static struct rpt_device	 d;
	struct rpt_meter		 m;
	struct rpt_supply		 s;
	struct rpt_alert		 a;
	int				 bit, rc;

	sqlite3_reset(rq->report);
	sqlite3_bind_int64(rq->report, 1, r->report);
	if (sqlite3_step(rq->report) != SQLITE_ROW)
		errx(CTL_ERROR, "reading report %" PRId64 ": %s", r->report,
		    sqlite3_errmsg(db));
	readings_column_device(rq->report, 0, &d);
	sqlite3_reset(rq->report);

	json_object_begin(j);
	json_kv_string(j, "address", d.address);
	json_kv_string(j, "status", dev_outcome_name(d.outcome));
	json_kv_string_or_null(j, "serial", d.serial);
	json_kv_string_or_null(j, "vendor", d.vendor);
	kv_opt(j, "enterprise", d.enterprise);
	json_kv_string_or_null(j, "model", d.model);
	json_kv_string_or_null(j, "firmware", d.firmware);
	json_kv_string_or_null(j, "device_status",
	    hr_device_status_name(d.device_status));
	json_kv_string_or_null(j, "printer_status",
	    hr_printer_status_name(d.printer_status));
	json_key(j, "errors");
	if (d.errors == -1)
		json_null(j);
	else {
		json_array_begin(j);
		for (bit = 0; bit < PRT_ERR_BITS; bit++)
			if (d.errors & (1 << bit))
				json_string(j, prt_error_name(bit));
		json_array_end(j);
	}

	json_key(j, "meters");
	json_array_begin(j);
	sqlite3_reset(rq->meters);
	sqlite3_bind_int64(rq->meters, 1, r->report);
	while ((rc = sqlite3_step(rq->meters)) == SQLITE_ROW) {
		readings_column_meter(rq->meters, 0, &m);
		json_object_begin(j);
		json_kv_string_or_null(j, "name", m.name);
		json_kv_string_or_null(j, "unit", m.unit);
		kv_opt(j, "value", m.value);
		json_kv_string_or_null(j, "source", m.source);
		json_object_end(j);
	}
	if (rc != SQLITE_DONE)
		errx(CTL_ERROR, "reading meters: %s", sqlite3_errmsg(db));
	json_array_end(j);

	json_key(j, "supplies");
	json_array_begin(j);
	sqlite3_reset(rq->supplies);
	sqlite3_bind_int64(rq->supplies, 1, r->report);
	while ((rc = sqlite3_step(rq->supplies)) == SQLITE_ROW) {
		readings_column_supply(rq->supplies, 0, &s);
		json_object_begin(j);
		json_kv_string_or_null(j, "index", s.index);
		json_kv_string_or_null(j, "description", s.description);
		json_kv_string_or_null(j, "class", s.class);
		json_kv_string_or_null(j, "type", s.type);
		json_kv_string_or_null(j, "color", s.color);
		json_kv_string_or_null(j, "unit", s.unit);
		kv_opt(j, "max", s.max);
		kv_opt(j, "level", s.level);
		kv_opt(j, "percent", s.percent);
		json_object_end(j);
	}
	if (rc != SQLITE_DONE)
		errx(CTL_ERROR, "reading supplies: %s", sqlite3_errmsg(db));
	json_array_end(j);

	json_key(j, "alerts");
	json_array_begin(j);
	sqlite3_reset(rq->alerts);
	sqlite3_bind_int64(rq->alerts, 1, r->report);
	while ((rc = sqlite3_step(rq->alerts)) == SQLITE_ROW) {
		readings_column_alert(rq->alerts, 0, &a);
		json_object_begin(j);
		json_kv_string_or_null(j, "index", a.index);
		json_kv_string_or_null(j, "severity", a.severity);
		json_kv_string_or_null(j, "group", a.group);
		json_kv_string_or_null(j, "code", a.code);
		json_kv_string_or_null(j, "description", a.description);
		kv_opt(j, "time", a.time);
		json_object_end(j);
	}
	if (rc != SQLITE_DONE)
		errx(CTL_ERROR, "reading alerts: %s", sqlite3_errmsg(db));
	json_array_end(j);

	/* more than the fixed shape, after it */
	json_kv_string_or_null(j, "reason", d.reason);
	json_kv_string_or_null(j, "sysdescr", d.sysdescr);
	json_kv_string_or_null(j, "sysobjectid", d.sysobjectid);
	json_kv_string_or_null(j, "model_source", d.model_source);
	json_kv_string_or_null(j, "serial_source", d.serial_source);
	json_kv_string_or_null(j, "firmware_source", d.firmware_source);
	json_kv_string_or_null(j, "profile", d.profile);
	json_kv_string_or_null(j, "sysname", d.sysname);
	json_kv_string_or_null(j, "syscontact", d.syscontact);
	json_kv_string_or_null(j, "syslocation", d.syslocation);
	kv_opt(j, "uptime", d.uptime);
	json_kv_int(j, "collected", d.collected);
	json_kv_uint(j, "requests", d.requests);
	json_kv_int(j, "cycle", r->cycle);
	json_object_end(j);
}

static void
print_json(sqlite3 *db, const struct devrow *v, size_t n)
{
	struct json	 j;
	struct rowq	 rq;
	size_t		 i;

	if (sqlite3_prepare_v2(db, "SELECT " READINGS_DEVICE_COLS
	    " FROM reports WHERE id = ?", -1, &rq.report, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT " READINGS_METER_COLS
	    " FROM meters WHERE report_id = ? ORDER BY ordinal", -1,
	    &rq.meters, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT " READINGS_SUPPLY_COLS
	    " FROM supplies WHERE report_id = ? ORDER BY ordinal", -1,
	    &rq.supplies, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT " READINGS_ALERT_COLS
	    " FROM alerts WHERE report_id = ? ORDER BY ordinal", -1,
	    &rq.alerts, NULL) != SQLITE_OK)
		errx(CTL_ERROR, "reading devices: %s", sqlite3_errmsg(db));
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "devices");
	json_array_begin(&j);
	for (i = 0; i < n; i++)
		json_device(&j, db, &rq, &v[i]);
	json_array_end(&j);
	json_object_end(&j);
	putchar('\n');
	if (json_finish(&j) == -1)
		errx(CTL_ERROR, "writing the JSON output failed");
	sqlite3_finalize(rq.report);
	sqlite3_finalize(rq.meters);
	sqlite3_finalize(rq.supplies);
	sqlite3_finalize(rq.alerts);
}

int
ctl_devices(struct ctl *ctl, int json)
{
	struct devrow	*v;
	size_t		 n;

	/* one snapshot while auditd may be writing */
	if (sqlite3_exec(ctl->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		errx(CTL_ERROR, "reading devices: %s",
		    sqlite3_errmsg(ctl->db));
	v = load_devices(ctl->db, &n);
	if (json)
		print_json(ctl->db, v, n);
	else
		print_table(v, n);
	(void)sqlite3_exec(ctl->db, "COMMIT", NULL, NULL, NULL);
	free(v);
	if (fflush(stdout) == EOF || ferror(stdout))
		errx(CTL_ERROR, "writing the output failed");
	return CTL_OK;
}

int
ctl_verify(struct ctl *ctl)
{
	int64_t	 nrec, bad;
	char	 why[512];

	switch (txlog_verify(ctl->db, &nrec, &bad, why, sizeof(why))) {
	case 0:
		printf("transaction log intact: %" PRId64 " records\n", nrec);
		return CTL_OK;
	case -1:
		printf("%s\n", why);
		return CTL_ERROR;
	default:
		errx(CTL_ERROR, "%s", why);
	}
}
