/*
 * The upload document of a stored cycle: see document.h.
 *
 * The readings are read back with one cursor per table over the whole
 * cycle (reports by ordinal; meters, supplies and alerts by report and
 * ordinal, walked alongside), not with one query per report: a cycle of
 * 10,000 devices is 40,000 queries fewer.  Reports of a cycle are stored
 * in one transaction in ordinal order, so their ids ascend with the
 * ordinal; the builder checks that it is so.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "b64.h"
#include "config.h"
#include "digest.h"
#include "document.h"
#include "isotime.h"
#include "jobseal.h"
#include "log.h"
#include "report.h"
#include "txlog.h"
#include "xmlsafe.h"
#include "xmlw.h"

#define XS_TEXT	1023	/* ch:Text, in characters */
#define XS_NAME	63	/* ch:Name */
#define XS_OID		511	/* ch:Oid */

struct docw {
	struct xmlw		 w;
	const struct doc_params	*p;
};

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((__format__(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* xs:dateTime in UTC; years 0001..9999 are all any reader handles */
void
document_time(int64_t t, char *buf, size_t len)
{
	if (t < 0)
		t = 0;
	if (t > INT64_C(253402300799))
		t = INT64_C(253402300799);
	(void)iso_time(t, buf, len);
}

/*
 * Values.
 */

/* ch:Oid: dotted decimal, at most 511 characters */
static int
valid_oid(const char *s)
{
	size_t	 n = 0;
	int	 digit = 0;

	for (; *s != '\0'; s++, n++) {
		if (*s >= '0' && *s <= '9')
			digit = 1;
		else if (*s == '.' && digit)
			digit = 0;
		else
			return 0;
	}
	return digit && n <= XS_OID;
}

/* left out when empty, or when the device did not say */
#define attr_opt(w, lit, v, max) do {					\
	const char	*v_ = (v);					\
									\
	if (v_[0] != '\0')						\
		xmlw_attr((w), lit, v_, (max));				\
} while (0)
#define attr_int_opt(w, lit, v) do {					\
	int64_t	 v_ = (v);						\
									\
	if (v_ != REPORT_NONE)						\
		xmlw_attr_int((w), lit, v_);				\
} while (0)

/* a ch:Sourced element: the value and the OID it came from */
static void
sourced_n(struct xmlw *w, const char *name, size_t len, const char *v,
    const char *src)
{
	if (v[0] == '\0')
		return;
	xmlw_stag_n(w, name, len);
	if (valid_oid(src))
		xmlw_attr_raw(w, "source", src);
	XMLW_PUTS(w, ">");
	xmlw_value(w, v, XS_TEXT, 0);
	xmlw_etag_inline_n(w, name, len);
}
#define sourced(w, lit, v, src) sourced_n((w), (lit), sizeof(lit) - 1, \
				    (v), (src))

/*
 * Device keys.
 */

/* "anon:" and the start of SHA-256(salt || s) */
static void
salted_key(const struct doc_params *p, const char *s, char *key)
{
	uint8_t	 buf[DOC_SALT_LEN + REPORT_NAME + REPORT_STR + 16];
	size_t	 n = strlen(s);
	char	 hex[SHA256_HEX];

	if (n > sizeof(buf) - DOC_SALT_LEN)
		fatalx("device key too long");
	memcpy(buf, p->salt, DOC_SALT_LEN);
	memcpy(buf + DOC_SALT_LEN, s, n);
	if (sha256_hex(buf, DOC_SALT_LEN + n, hex) == -1)
		fatalx("SHA-256 of a device key");
	explicit_bzero(buf, sizeof(buf));
	(void)snprintf(key, DOC_KEY_MAX, "anon:%.32s", hex);
}

void
document_device_key(const struct doc_params *p, const char *address,
    const char *vendor, const char *serial, char *key)
{
	char	 sk[REPORT_NAME + REPORT_STR + 16];

	if (serial[0] == '\0') {
		salted_key(p, address, key);
		return;
	}
	(void)snprintf(sk, sizeof(sk), "serial:%s:%s", vendor, serial);
	if ((p->send & CAT_BIT(CAT_IDENTITY)) && utf8_chars(sk) <= XS_TEXT)
		(void)strlcpy(key, sk, DOC_KEY_MAX);
	else
		salted_key(p, sk, key);
}

/*
 * Reading the cycle back.
 */

enum { CUR_METERS, CUR_SUPPLIES, CUR_ALERTS, CUR_JOBDATA, NCUR };

struct cursor {
	sqlite3_stmt	*st;
	int64_t		 report;	/* of the current row; INT64_MAX: done */
	int		 failed;
};

static void
cur_next(struct cursor *c)
{
	int	 rc;

	if ((rc = sqlite3_step(c->st)) == SQLITE_ROW)
		c->report = sqlite3_column_int64(c->st, 0);
	else {
		c->report = INT64_MAX;
		if (rc != SQLITE_DONE)
			c->failed = 1;
	}
}

/* a column as text, "" for NULL */
static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char	*s = sqlite3_column_text(st, i);

	return s != NULL ? (const char *)s : "";
}

static int64_t
col_opt(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return REPORT_NONE;
	return sqlite3_column_int64(st, i);
}

/* skip rows of reports before this one (none in a well-formed cycle) */
static int
cur_at(struct cursor *c, int64_t report)
{
	while (c->report < report)
		cur_next(c);
	return c->report == report;
}

static void
write_meters(struct docw *dw, struct cursor *c, int64_t report)
{
	sqlite3_stmt	*st = c->st;
	int		 open = 0;
	int64_t		 v, flag;

	/* report_id, name, unit, value, source, flag, previous */
	for (; cur_at(c, report); cur_next(c)) {
		if ((v = col_opt(st, 3)) == REPORT_NONE)
			continue;		/* no reading, no meter */
		if (!open) {
			xmlw_stag(&dw->w, "Meters");
			xmlw_stag_end(&dw->w);
			open = 1;
		}
		xmlw_stag(&dw->w, "Meter");
		xmlw_attr(&dw->w, "name", col(st, 1), XS_NAME);
		attr_opt(&dw->w, "unit", col(st, 2), XS_NAME);
		if (valid_oid(col(st, 4)))
			xmlw_attr_raw(&dw->w, "source", col(st, 4));
		flag = col_opt(st, 5);
		if (flag > METER_FLAG_NONE && flag < METER_FLAG_MAX) {
			xmlw_attr_raw(&dw->w, "flag", meter_flag_name(
			    (int)flag));
			attr_int_opt(&dw->w, "previous", col_opt(st, 6));
		}
		XMLW_PUTS(&dw->w, ">");
		xmlw_int(&dw->w, v);
		xmlw_etag_inline(&dw->w, "Meter");
	}
	if (open)
		xmlw_etag(&dw->w, "Meters");
}

static void
write_supplies(struct docw *dw, struct cursor *c, int64_t report)
{
	sqlite3_stmt	*st = c->st;
	const char	*descr, *color;
	int64_t		 pct;
	int		 open = 0;

	/* report_id, idx, description, class, type, color, unit, max,
	 * level, percent */
	for (; cur_at(c, report); cur_next(c)) {
		if (!open) {
			xmlw_stag(&dw->w, "Supplies");
			xmlw_stag_end(&dw->w);
			open = 1;
		}
		xmlw_stag(&dw->w, "Supply");
		xmlw_attr(&dw->w, "index", col(st, 1), XS_NAME);
		attr_opt(&dw->w, "class", col(st, 3), XS_NAME);
		attr_opt(&dw->w, "type", col(st, 4), XS_NAME);
		attr_opt(&dw->w, "unit", col(st, 6), XS_NAME);
		/* -1 other, -2 unknown, -3 some remaining: as they are */
		attr_int_opt(&dw->w, "max", col_opt(st, 7));
		attr_int_opt(&dw->w, "level", col_opt(st, 8));
		pct = col_opt(st, 9);
		if (pct >= 0 && pct <= 100)
			xmlw_attr_int(&dw->w, "percent", pct);
		descr = col(st, 2);
		color = col(st, 5);
		if (descr[0] == '\0' && color[0] == '\0') {
			XMLW_PUTS(&dw->w, "/>");
			continue;
		}
		xmlw_stag_end(&dw->w);
		xmlw_leaf(&dw->w, "Description", descr, XS_TEXT);
		xmlw_leaf(&dw->w, "Color", color, XS_NAME);
		xmlw_etag(&dw->w, "Supply");
	}
	if (open)
		xmlw_etag(&dw->w, "Supplies");
}

static void
write_alerts(struct docw *dw, struct cursor *c, int64_t report)
{
	sqlite3_stmt	*st = c->st;
	const char	*descr;
	int		 open = 0;

	/* report_id, idx, severity, grp, code, description, time */
	for (; cur_at(c, report); cur_next(c)) {
		if (!open) {
			xmlw_stag(&dw->w, "Alerts");
			xmlw_stag_end(&dw->w);
			open = 1;
		}
		xmlw_stag(&dw->w, "Alert");
		xmlw_attr(&dw->w, "index", col(st, 1), XS_NAME);
		attr_opt(&dw->w, "severity", col(st, 2), XS_NAME);
		attr_opt(&dw->w, "group", col(st, 3), XS_NAME);
		attr_opt(&dw->w, "code", col(st, 4), XS_NAME);
		attr_int_opt(&dw->w, "time", col_opt(st, 6));
		if ((descr = col(st, 5))[0] == '\0') {
			XMLW_PUTS(&dw->w, "/>");
			continue;
		}
		xmlw_stag_end(&dw->w);
		xmlw_leaf(&dw->w, "Description", descr, XS_TEXT);
		xmlw_etag(&dw->w, "Alert");
	}
	if (open)
		xmlw_etag(&dw->w, "Alerts");
}

/* the report's sealed job data (callhome-jobdata(5)), as base64 */
static void
write_jobdata(struct docw *dw, struct cursor *c, int64_t report)
{
	const uint8_t	*b;
	uint8_t		*t;
	int		 n;

	if (!cur_at(c, report))
		return;
	b = sqlite3_column_blob(c->st, 1);
	n = sqlite3_column_bytes(c->st, 1);
	if (b == NULL || n <= 0 || n > REPORT_JOBS_PLAIN_MAX +
	    JOBSEAL_OVERHEAD)
		return;		/* cannot be: store.c wrote it */
	if ((t = malloc(B64_ENCODED_LEN((size_t)n) + 1)) == NULL)
		fatal(NULL);
	n = EVP_EncodeBlock(t, b, n);
	xmlw_stag(&dw->w, "JobData");
	XMLW_PUTS(&dw->w, ">");
	xmlw_put(&dw->w, (const char *)t, (size_t)n);
	xmlw_etag_inline(&dw->w, "JobData");
	free(t);
	cur_next(c);
}

/*
 * The host part of "1.2.3.4:161" or "[::1]:161": replaced in the
 * device's texts unless addresses are sent.
 */
static void
device_host(struct docw *dw, const char *address)
{
	char		 host[XMLW_REDACT_MAX + 1];
	const char	*p;
	size_t		 n;

	xmlw_redact(&dw->w, "");
	if (dw->p->send & CAT_BIT(CAT_DEVICE_ADDRESS))
		return;
	if (address[0] == '[') {
		address++;
		n = (p = strchr(address, ']')) != NULL ?
		    (size_t)(p - address) : strlen(address);
	} else if ((p = strchr(address, ':')) != NULL &&
	    strchr(p + 1, ':') == NULL)
		n = (size_t)(p - address);	/* IPv4 with a port */
	else
		n = strlen(address);
	if (n == 0 || n >= sizeof(host))
		return;
	memcpy(host, address, n);
	host[n] = '\0';
	xmlw_redact(&dw->w, host);
}

static void
write_status(struct docw *dw, const struct rpt_device *d)
{
	const char	*name;
	int		 i, any = 0;

	if (d->device_status == REPORT_NONE &&
	    d->printer_status == REPORT_NONE && d->uptime == REPORT_NONE &&
	    d->errors == -1)
		return;
	xmlw_stag(&dw->w, "Status");
	if (d->device_status != REPORT_NONE) {
		if ((name = hr_device_status_name(d->device_status)) != NULL)
			xmlw_attr_raw(&dw->w, "device", name);
		else
			xmlw_attr_int(&dw->w, "device", d->device_status);
	}
	if (d->printer_status != REPORT_NONE) {
		if ((name = hr_printer_status_name(d->printer_status)) !=
		    NULL)
			xmlw_attr_raw(&dw->w, "printer", name);
		else
			xmlw_attr_int(&dw->w, "printer", d->printer_status);
	}
	attr_int_opt(&dw->w, "uptime", d->uptime);
	if (d->errors != -1)
		xmlw_attr_raw(&dw->w, "errorsReported", "true");
	for (i = 0; d->errors != -1 && i < PRT_ERR_BITS; i++) {
		if (!(d->errors & (1 << i)))
			continue;
		if (!any)
			xmlw_stag_end(&dw->w);
		any = 1;
		xmlw_leaf_raw(&dw->w, "Error", prt_error_name(i));
	}
	if (any)
		xmlw_etag(&dw->w, "Status");
	else
		XMLW_PUTS(&dw->w, "/>");
}

static int
enterprise_ok(int64_t e)
{
	return e >= 0 && e <= (int64_t)UINT32_MAX;
}

/*
 * A report without a serial number (a silent printer) is keyed as the
 * device it was stored for, when that one has a serial: its state
 * belongs to that printer.
 */
static void
write_device(struct docw *dw, const struct rpt_device *d, int64_t report,
    struct cursor *cur, const char *dev_vendor, const char *dev_serial)
{
	uint32_t	 send = dw->p->send;
	char		 key[DOC_KEY_MAX], when[32];

	device_host(dw, d->address);
	if (d->serial[0] == '\0' && dev_serial[0] != '\0')
		document_device_key(dw->p, d->address, dev_vendor,
		    dev_serial, key);
	else
		document_device_key(dw->p, d->address, d->vendor, d->serial,
		    key);
	document_time(d->collected, when, sizeof(when));

	xmlw_stag(&dw->w, "Device");
	xmlw_attr(&dw->w, "key", key, XS_TEXT);
	xmlw_attr_raw(&dw->w, "outcome", dev_outcome_name(d->outcome));
	xmlw_attr_raw(&dw->w, "collected", when);
	if (d->state > DEV_STATE_NONE && d->state < DEV_STATE_MAX) {
		xmlw_attr_raw(&dw->w, "state", dev_state_name(d->state));
		document_time(d->state_since, when, sizeof(when));
		xmlw_attr_raw(&dw->w, "stateSince", when);
	}
	xmlw_stag_end(&dw->w);
	if (send & CAT_BIT(CAT_DEVICE_ADDRESS))
		xmlw_leaf(&dw->w, "Address", d->address, XS_NAME);
	xmlw_leaf(&dw->w, "Reason", d->reason, XS_TEXT);

	if ((send & CAT_BIT(CAT_IDENTITY)) && (d->vendor[0] != '\0' ||
	    d->model[0] != '\0' || d->serial[0] != '\0' ||
	    d->firmware[0] != '\0' || valid_oid(d->sysobjectid) ||
	    enterprise_ok(d->enterprise) || d->sysdescr[0] != '\0')) {
		xmlw_stag(&dw->w, "Identity");
		xmlw_stag_end(&dw->w);
		xmlw_leaf(&dw->w, "Vendor", d->vendor, XS_NAME);
		sourced(&dw->w, "Model", d->model, d->model_source);
		sourced(&dw->w, "Serial", d->serial, d->serial_source);
		sourced(&dw->w, "Firmware", d->firmware, d->firmware_source);
		if (valid_oid(d->sysobjectid))
			xmlw_leaf_raw(&dw->w, "SysObjectID", d->sysobjectid);
		if (enterprise_ok(d->enterprise)) {
			xmlw_stag(&dw->w, "Enterprise");
			XMLW_PUTS(&dw->w, ">");
			xmlw_int(&dw->w, d->enterprise);
			xmlw_etag_inline(&dw->w, "Enterprise");
		}
		xmlw_leaf(&dw->w, "SysDescr", d->sysdescr, XS_TEXT);
		xmlw_etag(&dw->w, "Identity");
	}
	if ((send & CAT_BIT(CAT_PII)) && (d->sysname[0] != '\0' ||
	    d->syscontact[0] != '\0' || d->syslocation[0] != '\0')) {
		xmlw_stag(&dw->w, "Contact");
		xmlw_stag_end(&dw->w);
		xmlw_leaf(&dw->w, "SysName", d->sysname, XS_TEXT);
		xmlw_leaf(&dw->w, "SysContact", d->syscontact, XS_TEXT);
		xmlw_leaf(&dw->w, "SysLocation", d->syslocation, XS_TEXT);
		xmlw_etag(&dw->w, "Contact");
	}
	if (send & CAT_BIT(CAT_ALERTS))
		write_status(dw, d);
	if (cur[CUR_METERS].st != NULL)
		write_meters(dw, &cur[CUR_METERS], report);
	if (cur[CUR_SUPPLIES].st != NULL)
		write_supplies(dw, &cur[CUR_SUPPLIES], report);
	if (cur[CUR_ALERTS].st != NULL)
		write_alerts(dw, &cur[CUR_ALERTS], report);
	if (cur[CUR_JOBDATA].st != NULL)
		write_jobdata(dw, &cur[CUR_JOBDATA], report);
	xmlw_etag(&dw->w, "Device");
}

/*
 * The document.
 */

static const char *const rows_sql[NCUR] = {
	"SELECT report_id, " READINGS_METER_COLS " FROM meters "
	    "WHERE report_id BETWEEN ?1 AND ?2 ORDER BY report_id, ordinal",
	"SELECT report_id, " READINGS_SUPPLY_COLS " FROM supplies "
	    "WHERE report_id BETWEEN ?1 AND ?2 ORDER BY report_id, ordinal",
	"SELECT report_id, " READINGS_ALERT_COLS " FROM alerts "
	    "WHERE report_id BETWEEN ?1 AND ?2 ORDER BY report_id, ordinal",
	("SELECT report_id, sealed FROM jobdata "
	    "WHERE report_id BETWEEN ?1 AND ?2 ORDER BY report_id"),
};
static const enum category rows_cat[NCUR] = {
	CAT_METERS, CAT_SUPPLIES, CAT_ALERTS, CAT_JOB_DATA
};

/*
 * The incidents the cycle carries (auditd/incident.h), in the head of
 * every part.  The device is named by the key its readings use; the
 * problem and contact are the administrator's own words.
 */
static int
write_incidents(struct docw *dw, sqlite3 *db, int64_t cycle)
{
	sqlite3_stmt	*st = NULL, *sup = NULL;
	char		 key[DOC_KEY_MAX], when[32];
	int		 rc, open = 0;

	if (sqlite3_prepare_v2(db, "SELECT i.id, i.kind, i.origin, i.created, "
	    "i.problem, i.contact_name, i.contact_email, i.contact_phone, "
	    "d.last_address, d.vendor, d.serial FROM incidents i JOIN devices "
	    "d ON d.id = i.device_id WHERE i.cycle_id = ?1 ORDER BY i.id", -1,
	    &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, cycle) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT idx, description, type, color, max, "
	    "level, percent FROM incident_supplies WHERE incident_id = ?1 "
	    "ORDER BY idx", -1, &sup, NULL) != SQLITE_OK) {
		rc = SQLITE_ERROR;
		goto done;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!open) {
			xmlw_stag(&dw->w, "Incidents");
			xmlw_stag_end(&dw->w);
			open = 1;
		}
		document_device_key(dw->p, col(st, 8), col(st, 9), col(st, 10),
		    key);
		xmlw_stag(&dw->w, "Incident");
		xmlw_attr_int(&dw->w, "id", sqlite3_column_int64(st, 0));
		xmlw_attr(&dw->w, "kind", col(st, 1), XS_NAME);
		xmlw_attr(&dw->w, "origin", col(st, 2), XS_NAME);
		xmlw_attr(&dw->w, "device", key, XS_TEXT);
		document_time(sqlite3_column_int64(st, 3), when, sizeof(when));
		xmlw_attr_raw(&dw->w, "created", when);
		xmlw_stag_end(&dw->w);
		xmlw_leaf(&dw->w, "Problem", col(st, 4), XS_TEXT);
		if (col(st, 5)[0] != '\0') {
			xmlw_stag(&dw->w, "Contact");
			xmlw_stag_end(&dw->w);
			xmlw_leaf(&dw->w, "Name", col(st, 5), XS_TEXT);
			xmlw_leaf(&dw->w, "Email", col(st, 6), XS_TEXT);
			xmlw_leaf(&dw->w, "Phone", col(st, 7), XS_TEXT);
			xmlw_etag(&dw->w, "Contact");
		}
		sqlite3_reset(sup);
		if (sqlite3_bind_int64(sup, 1, sqlite3_column_int64(st, 0)) !=
		    SQLITE_OK)
			goto done;
		while ((rc = sqlite3_step(sup)) == SQLITE_ROW) {
			xmlw_stag(&dw->w, "Supply");
			xmlw_attr(&dw->w, "index", col(sup, 0), XS_NAME);
			attr_opt(&dw->w, "type", col(sup, 2), XS_NAME);
			attr_int_opt(&dw->w, "max", col_opt(sup, 4));
			attr_int_opt(&dw->w, "level", col_opt(sup, 5));
			if (col_opt(sup, 6) >= 0 && col_opt(sup, 6) <= 100)
				xmlw_attr_int(&dw->w, "percent",
				    col_opt(sup, 6));
			if (col(sup, 1)[0] == '\0' && col(sup, 3)[0] == '\0') {
				XMLW_PUTS(&dw->w, "/>");
				continue;
			}
			xmlw_stag_end(&dw->w);
			xmlw_leaf(&dw->w, "Description", col(sup, 1), XS_TEXT);
			xmlw_leaf(&dw->w, "Color", col(sup, 3), XS_NAME);
			xmlw_etag(&dw->w, "Supply");
		}
		if (rc != SQLITE_DONE)
			goto done;
		xmlw_etag(&dw->w, "Incident");
	}
	if (open)
		xmlw_etag(&dw->w, "Incidents");
 done:
	sqlite3_finalize(st);
	sqlite3_finalize(sup);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * The site information stored with the cycle (auditd/site.h), with "send
 * site-info yes" only; the host name only when it was stored (pii).
 */
static int
write_site_info(struct docw *dw, sqlite3 *db, int64_t cycle)
{
	static const char *const ints[] = { "cpus", "memory",
	    "memoryAvailable", "disk", "diskFree" };
	sqlite3_stmt	*st = NULL;
	char		 when[32];
	size_t		 i;
	int		 rc;

	if (!(dw->p->send & CAT_BIT(CAT_SITE_INFO)))
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT software, os_name, os_release, "
	    "machine, cpus, memory, memory_available, disk, disk_free, "
	    "time_zone, database, in_scope, out_of_scope, last_discovery, "
	    "host_name FROM site_info WHERE cycle_id = ?1", -1, &st, NULL) !=
	    SQLITE_OK || sqlite3_bind_int64(st, 1, cycle) != SQLITE_OK) {
		sqlite3_finalize(st);
		return -1;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		xmlw_stag(&dw->w, "SiteInfo");
		xmlw_attr(&dw->w, "software", col(st, 0), XS_NAME);
		xmlw_attr(&dw->w, "os", col(st, 1), XS_NAME);
		attr_opt(&dw->w, "osRelease", col(st, 2), XS_NAME);
		attr_opt(&dw->w, "machine", col(st, 3), XS_NAME);
		for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
			if (col_opt(st, 4 + (int)i) != REPORT_NONE)
				xmlw_attr_int_n(&dw->w, ints[i],
				    strlen(ints[i]), col_opt(st, 4 + (int)i));
		attr_opt(&dw->w, "timeZone", col(st, 9), XS_NAME);
		xmlw_attr_int(&dw->w, "database", sqlite3_column_int64(st,
		    10));
		xmlw_attr_int(&dw->w, "devicesInScope",
		    sqlite3_column_int64(st, 11));
		xmlw_attr_int(&dw->w, "devicesOutOfScope",
		    sqlite3_column_int64(st, 12));
		if (col_opt(st, 13) != REPORT_NONE) {
			document_time(col_opt(st, 13), when, sizeof(when));
			xmlw_attr_raw(&dw->w, "lastDiscovery", when);
		}
		attr_opt(&dw->w, "hostName", col(st, 14), XS_TEXT);
		XMLW_PUTS(&dw->w, "/>");
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* the envelope's start, up to and with Categories */
static void
write_head(struct docw *dw, int64_t cycle, const char *reason,
    int64_t started, int64_t finished)
{
	const struct doc_params	*p = dw->p;
	char			 cats[256], when[32];

	XMLW_PUTS(&dw->w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<env:Envelope xmlns:env=\"" SOAP_NS "\">\n"
	    " <env:Body>\n"
	    "  <ch:Upload xmlns:ch=\"" CALLHOME_NS "\" version=\"1\">");
	dw->w.depth = 3;

	xmlw_stag(&dw->w, "Gateway");
	xmlw_attr(&dw->w, "id", p->gateway, XS_TEXT);
	xmlw_attr_raw(&dw->w, "software", DOC_SOFTWARE);
	XMLW_PUTS(&dw->w, "/>");
	if (p->send & CAT_BIT(CAT_SITE_INFO))
		xmlw_leaf(&dw->w, "Site", p->site, XS_TEXT);

	xmlw_stag(&dw->w, "Cycle");
	xmlw_attr_int(&dw->w, "id", cycle);
	xmlw_attr(&dw->w, "reason", reason, XS_NAME);
	document_time(started, when, sizeof(when));
	xmlw_attr_raw(&dw->w, "started", when);
	document_time(finished, when, sizeof(when));
	xmlw_attr_raw(&dw->w, "finished", when);
	XMLW_PUTS(&dw->w, "/>");

	xmlw_leaf_raw(&dw->w, "Categories", category_list(p->send, cats,
	    sizeof(cats)));
}

/* the width of ' of="N"', padded: N has at most 7 digits (DOC_PARTS_MAX) */
#define OF_WIDTH	12

size_t
document_tail(char *buf, uint32_t number, uint32_t first, uint32_t devices,
    uint32_t of)
{
	char	 ofs[32];
	int	 n;

	n = snprintf(ofs, sizeof(ofs), " of=\"%u\"", of);
	if (n < 0 || n > OF_WIDTH || of > DOC_PARTS_MAX)
		fatalx("%s: %u parts", __func__, of);
	/* spaces before "/>" are allowed: the width stays the same */
	n = snprintf(buf, DOC_TAIL_MAX, "\n   <ch:Part number=\"%u\" "
	    "firstDevice=\"%u\" devices=\"%u\"%s%*s/>\n"
	    "  </ch:Upload>\n </env:Body>\n</env:Envelope>\n", number, first,
	    devices, ofs, OF_WIDTH - n, "");
	if (n < 0 || n >= DOC_TAIL_MAX)
		fatalx("%s: too long", __func__);
	return (size_t)n;
}

/*
 * Cutting parts: the head (envelope to Devices) is written once; after
 * it, the devices of the part being made.  A device that makes the part
 * too large moves to the next one (unless it is the part's only one).
 */
struct cutter {
	struct docw		*dw;
	size_t			 limit;
	size_t			 headlen;	/* the head's bytes */
	int			 headdepth;
	struct doc_part		 part;
	doc_part_fn		 fn;
	void			*arg;
	char			*err;
	size_t			 errlen;
	char			*moved;		/* a device for the next part */
	size_t			 movedcap;
};

/* close the part being made and hand it over; then start the next */
static int
cut_emit(struct cutter *ct, int last)
{
	struct xmlw	*w = &ct->dw->w;
	char		 tail[DOC_TAIL_MAX];
	size_t		 n;
	int		 r;

	xmlw_etag(w, "Devices");
	ct->part.last = last;
	ct->part.tail = w->len;
	/* "of" is the part's own number: final for the last one */
	n = document_tail(tail, ct->part.number, ct->part.first,
	    ct->part.devices, ct->part.number);
	xmlw_put(w, tail, n);
	ct->part.data = (const uint8_t *)w->o;
	ct->part.len = w->len;
	r = ct->fn(ct->arg, &ct->part, ct->err, ct->errlen);
	/* the next part: the same head, then its devices */
	w->len = ct->headlen;
	w->depth = ct->headdepth;
	ct->part.number++;
	ct->part.first += ct->part.devices;
	ct->part.devices = 0;
	return r;
}

/* a device was written from `mark' on: is it one too many for the part? */
static int
cut_device(struct cutter *ct, size_t mark)
{
	struct xmlw	*w = &ct->dw->w;
	size_t		 n;

	if (ct->part.devices > 0 &&
	    w->len + sizeof("\n   </ch:Devices>") + DOC_TAIL_MAX >
	    ct->limit) {
		n = w->len - mark;
		if (n > ct->movedcap) {
			free(ct->moved);
			if ((ct->moved = malloc(n)) == NULL)
				fatal(NULL);
			ct->movedcap = n;
		}
		memcpy(ct->moved, w->o + mark, n);
		w->len = mark;
		if (cut_emit(ct, 0) == -1)
			return -1;
		xmlw_put(w, ct->moved, n);
	}
	ct->part.devices++;
	return 0;
}

int
document_parts(sqlite3 *db, int64_t cycle, const struct doc_params *p,
    size_t limit, doc_part_fn fn, void *arg, char *err, size_t errlen)
{
	struct docw		 dw;
	struct cutter		 ct;
	struct rpt_device	*d;
	struct cursor		 cur[NCUR];
	sqlite3_stmt		*st = NULL, *rep = NULL;
	char			 reason[REPORT_NAME];
	int64_t			 started, finished, lo = 0, hi = -1, id,
				 last = INT64_MIN;
	size_t			 mark;
	int			 i, rc, ret = -1;

	memset(cur, 0, sizeof(cur));
	memset(&ct, 0, sizeof(ct));
	if ((d = malloc(sizeof(*d))) == NULL)
		fatal(NULL);
	/* lines and indentation down to the Device elements */
	xmlw_init(&dw.w, "ch:", 4);
	dw.p = p;

	/* the cycle and the range of its reports */
	if (sqlite3_prepare_v2(db, "SELECT c.reason, c.started, c.finished, "
	    "(SELECT min(id) FROM reports WHERE cycle_id = c.id), "
	    "(SELECT max(id) FROM reports WHERE cycle_id = c.id) "
	    "FROM cycles c WHERE c.id = ?1", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, cycle) != SQLITE_OK)
		goto dberr;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			goto dberr;
		set_err(err, errlen, "cycle %" PRId64 " is not stored",
		    cycle);
		goto done;
	}
	(void)strlcpy(reason, col(st, 0), sizeof(reason));
	started = sqlite3_column_int64(st, 1);
	finished = sqlite3_column_int64(st, 2);
	if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
		lo = sqlite3_column_int64(st, 3);
		hi = sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	st = NULL;

	if (sqlite3_prepare_v2(db, "SELECT id, " READINGS_DEVICE_COLS ", "
	    "(SELECT vendor FROM devices WHERE id = r.device_id), "
	    "(SELECT serial FROM devices WHERE id = r.device_id) "
	    "FROM reports r WHERE cycle_id = ?1 ORDER BY ordinal", -1, &rep,
	    NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(rep, 1, cycle) != SQLITE_OK)
		goto dberr;
	for (i = 0; i < NCUR; i++) {
		cur[i].report = INT64_MAX;
		if (!(p->send & CAT_BIT(rows_cat[i])))
			continue;	/* not sent, not read */
		if (sqlite3_prepare_v2(db, rows_sql[i], -1, &cur[i].st,
		    NULL) != SQLITE_OK ||
		    sqlite3_bind_int64(cur[i].st, 1, lo) != SQLITE_OK ||
		    sqlite3_bind_int64(cur[i].st, 2, hi) != SQLITE_OK)
			goto dberr;
		cur_next(&cur[i]);
	}

	write_head(&dw, cycle, reason, started, finished);
	if (write_site_info(&dw, db, cycle) == -1 ||
	    write_incidents(&dw, db, cycle) == -1)
		goto dberr;
	xmlw_stag(&dw.w, "Devices");
	xmlw_stag_end(&dw.w);
	ct.dw = &dw;
	ct.limit = limit;
	ct.headlen = dw.w.len;
	ct.headdepth = dw.w.depth;
	ct.part.number = 1;
	ct.fn = fn;
	ct.arg = arg;
	ct.err = err;
	ct.errlen = errlen;
	while ((rc = sqlite3_step(rep)) == SQLITE_ROW) {
		id = sqlite3_column_int64(rep, 0);
		if (id <= last) {
			set_err(err, errlen, "cycle %" PRId64 ": reports are "
			    "not stored in order", cycle);
			goto done;
		}
		last = id;
		readings_column_device(rep, 1, d);
		mark = dw.w.len;
		write_device(&dw, d, id, cur, col(rep,
		    1 + READINGS_DEVICE_NCOLS), col(rep,
		    2 + READINGS_DEVICE_NCOLS));
		if (cut_device(&ct, mark) == -1)
			goto done;
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	for (i = 0; i < NCUR; i++)
		if (cur[i].failed)
			goto dberr;
	if (cut_emit(&ct, 1) == -1)
		goto done;
	ret = 0;
	goto done;
 dberr:
	set_err(err, errlen, "reading cycle %" PRId64 ": %s", cycle,
	    sqlite3_errmsg(db));
 done:
	xmlw_free(&dw.w);
	free(ct.moved);
	free(d);
	sqlite3_finalize(st);
	sqlite3_finalize(rep);
	for (i = 0; i < NCUR; i++)
		sqlite3_finalize(cur[i].st);
	return ret;
}

/* document_build(): the one part, copied out */
static int
build_one(void *arg, const struct doc_part *pt, char *err, size_t errlen)
{
	wbuf_bytes(arg, pt->data, pt->len);
	return 0;
}

int
document_build(sqlite3 *db, int64_t cycle, const struct doc_params *p,
    struct wbuf *out, char *err, size_t errlen)
{
	return document_parts(db, cycle, p, SIZE_MAX, build_one, out, err,
	    errlen);
}
