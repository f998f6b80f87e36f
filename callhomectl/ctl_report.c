/*
 * callhomectl report html|csv|json: the readings and the transaction log
 * of a period, for people (one self-contained HTML file) and for
 * programs (RFC 4180 CSV, RFC 8259 JSON), straight from the database.
 *
 * Per device, its latest report collected in the period; the records of
 * the log written in the period; and the state of the whole hash chain,
 * checked as "callhomectl verify" checks it.  Everything is read in one
 * snapshot.
 *
 * Every string from a device or from the database is data: escaped for
 * HTML (common/json.h does it for JSON, ctl_csv_field() for CSV), and
 * never placed in a style, a URL or an attribute but as escaped text.
 * The HTML has no script, loads nothing (no link, image, font or
 * import; a Content-Security-Policy forbids it besides), and prints.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libgen.h>

#include <sqlite3.h>

#include "../auditd/db.h"
#include "callhomectl.h"
#include "ctl_readings.h"
#include "isotime.h"
#include "json.h"
#include "report.h"
#include "txlog.h"

#define DBERR(db)	errx(CTL_ERROR, "reading the database: %s",	\
			    sqlite3_errmsg(db))

/* ------------------------------------------------------------------ */
/* the output file */

static int	out_fd = -1;
static int	out_done;

/* a report that failed half-way leaves an empty file, not half a one */
static void
out_cleanup(void)
{
	if (out_fd != -1 && !out_done && ftruncate(out_fd, 0) == -1)
		warn("emptying the unfinished report");
}

/* the file (or directory) is the state directory or one of its files */
static int
in_state(const struct ctl *ctl, const struct stat *out, int dir)
{
	static const char *const files[] = { DB_FILE, DB_FILE "-wal",
	    DB_FILE "-shm", DB_FILE "-journal" };
	struct stat	 st;
	char		 p[sizeof(ctl->state) + 32];
	size_t		 i;

	if (stat(ctl->state, &st) == 0 && st.st_dev == out->st_dev &&
	    st.st_ino == out->st_ino)
		return 1;
	if (dir)
		return 0;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		(void)snprintf(p, sizeof(p), "%s/%s", ctl->state, files[i]);
		if (stat(p, &st) == 0 && st.st_dev == out->st_dev &&
		    st.st_ino == out->st_ino)
			return 1;
	}
	return 0;
}

FILE *
ctl_report_output(const struct ctl *ctl, const char *path)
{
	struct stat	 st;
	FILE		*fp;
	char		 dir[PATH_MAX];
	int		 fd, created = 0, fl;

	if (path == NULL)
		return stdout;
	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir))
		errx(CTL_ERROR, "%s: name too long", path);
	if (stat(dirname(dir), &st) == 0 && in_state(ctl, &st, 1))
		errx(CTL_ERROR, "%s: in the state directory: not written",
		    path);
	if (lstat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			errx(CTL_ERROR, "%s: not a regular file: not "
			    "overwritten", path);
	} else if (errno != ENOENT)
		err(CTL_ERROR, "%s", path);
	/* never blocks on a FIFO, never follows a link put there since */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0644);
	if (fd != -1)
		created = 1;
	else if (errno == EEXIST)
		fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ELOOP)
			errx(CTL_ERROR, "%s: a symbolic link: not overwritten",
			    path);
		err(CTL_ERROR, "%s", path);
	}
	if (fstat(fd, &st) == -1)
		err(CTL_ERROR, "%s", path);
	if (!S_ISREG(st.st_mode))
		errx(CTL_ERROR, "%s: not a regular file: not overwritten",
		    path);
	if (!created && st.st_nlink > 1)
		errx(CTL_ERROR, "%s: has other links: not overwritten", path);
	if (!created && in_state(ctl, &st, 0))
		errx(CTL_ERROR, "%s: the gateway's database: not overwritten",
		    path);
	if ((created && fchmod(fd, 0644) == -1) || ftruncate(fd, 0) == -1 ||
	    (fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1)
		err(CTL_ERROR, "%s", path);
	if ((fp = fdopen(fd, "w")) == NULL)
		err(CTL_ERROR, "%s", path);
	out_fd = fd;
	if (atexit(out_cleanup) != 0)
		errx(CTL_ERROR, "atexit failed");
	return fp;
}

/* ------------------------------------------------------------------ */
/* the devices of the period: ctl_readings.c reads them */

/* the decoded error bits, space-separated; "" when none or unknown */
static void
error_names(int32_t errors, char *buf, size_t len)
{
	const char	*name;
	int		 bit;

	buf[0] = '\0';
	if (errors == -1)
		return;
	for (bit = 0; bit < PRT_ERR_BITS; bit++) {
		if (!(errors & (1 << bit)) || (name = prt_error_name(bit)) ==
		    NULL)
			continue;
		if (buf[0] != '\0')
			(void)strlcat(buf, " ", len);
		(void)strlcat(buf, name, len);
	}
}

/* ------------------------------------------------------------------ */
/* the whole report */

struct rep {
	struct ctl	*ctl;
	FILE		*out;
	int64_t		 since, until;
	int64_t		 now;
	/* the chain */
	int		 intact;
	int64_t		 nrec, bad;
	char		 why[512];
	/* the period */
	struct ctl_dev	*dev;
	size_t		 ndev;
	int64_t		 ntx;
	struct ctl_rq	 rq;
	struct ctl_full	 f;
};

/* ---- HTML ---- */

#define H(s)	ctl_html_escape(r->out, (s))

static const char html_style[] =
	":root { color-scheme: light; }\n"
	"body { font: 14px/1.4 system-ui, -apple-system, \"Segoe UI\", "
	"Roboto, \"Helvetica Neue\", Arial, sans-serif; color: #1b1b1b; "
	"background: #fff; margin: 2em auto; max-width: 78em; "
	"padding: 0 1.5em; }\n"
	"h1 { font-size: 1.6em; margin: 0 0 .4em; }\n"
	"h2 { font-size: 1.3em; margin: 1.6em 0 .5em; padding-bottom: .2em; "
	"border-bottom: 2px solid #2b5797; }\n"
	"h3 { font-size: 1.05em; margin: 1.2em 0 .4em; color: #2b5797; }\n"
	"table { border-collapse: collapse; width: 100%; "
	"margin: .3em 0 1em; }\n"
	"th, td { text-align: left; vertical-align: top; padding: .25em .5em; "
	"border-bottom: 1px solid #d8d8d8; overflow-wrap: break-word; }\n"
	"th { white-space: nowrap; }\n"
	"td.long, td.mono, table.kv td { overflow-wrap: anywhere; }\n"
	"thead th { background: #eef2f8; border-bottom: 2px solid #9fb3d1; }\n"
	"table.kv th { width: 12em; font-weight: 600; background: #f7f7f7; }\n"
	"table.meta { width: auto; }\n"
	"td.num { text-align: right; font-variant-numeric: tabular-nums; "
	"white-space: nowrap; }\n"
	".mono, td.hash { font-family: ui-monospace, \"DejaVu Sans Mono\", "
	"Menlo, Consolas, monospace; font-size: .9em; }\n"
	"td.hash { word-break: break-all; }\n"
	".ok { color: #17692f; font-weight: 600; }\n"
	".broken { color: #fff; background: #b3261e; font-weight: 700; "
	"padding: .2em .5em; }\n"
	".none { color: #666; font-style: italic; }\n"
	".sev-critical { color: #b3261e; font-weight: 700; }\n"
	".sev-warning { color: #8a5a00; font-weight: 600; }\n"
	".st-bad { color: #b3261e; font-weight: 600; }\n"
	"td.level { white-space: nowrap; }\n"
	".bar { display: inline-block; vertical-align: middle; width: 8em; "
	"height: .9em; border: 1px solid #7a7a7a; background: #fff; "
	"margin-right: .5em; }\n"
	".fill { height: 100%; background: #2f7d3a; }\n"
	".fill.low { background: #c62828; }\n"
	".fill.mid { background: #d99000; }\n"
	".receptacle .fill { background: #6d5a8c; }\n"
	".receptacle .fill.full { background: #c62828; }\n"
	".word { font-style: italic; }\n"
	".swatch { display: inline-block; width: .8em; height: .8em; "
	"border: 1px solid #555; margin-right: .3em; "
	"vertical-align: -.05em; }\n"
	".c-black { background: #000; } .c-cyan { background: #00aeef; }\n"
	".c-magenta { background: #ec008c; }\n"
	".c-yellow { background: #fff200; }\n"
	".c-red { background: #e00; } .c-green { background: #0a0; }\n"
	".c-blue { background: #00e; } .c-white { background: #fff; }\n"
	"footer { margin-top: 2em; color: #555; font-size: .9em; }\n"
	"@page { margin: 14mm; }\n"
	"@media print {\n"
	"  body { font-size: 10pt; margin: 0; max-width: none; padding: 0; }\n"
	"  section.device, section.txlog { break-before: page; "
	"page-break-before: always; }\n"
	"  h2, h3 { break-after: avoid; page-break-after: avoid; }\n"
	"  tr { break-inside: avoid; page-break-inside: avoid; }\n"
	"  thead { display: table-header-group; }\n"
	"  a { color: inherit; text-decoration: none; }\n"
	"  .bar, .fill, .swatch, .broken, thead th { "
	"-webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
	"}\n";

static void
html_num(struct rep *r, int64_t v)
{
	if (v == REPORT_NONE)
		fputs("<span class=\"none\">-</span>", r->out);
	else
		fprintf(r->out, "%" PRId64, v);
}

/* a cell of text; "-" when empty; long: may break anywhere */
static void
html_cell(struct rep *r, const char *s, int long_text)
{
	fputs(long_text ? "<td class=\"long\">" : "<td>", r->out);
	if (s == NULL || *s == '\0')
		fputs("<span class=\"none\">-</span>", r->out);
	else
		H(s);
	fputs("</td>", r->out);
}

#define html_td(r, s)		html_cell((r), (s), 0)
#define html_td_long(r, s)	html_cell((r), (s), 1)

static void
html_kv(struct rep *r, const char *key, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	fprintf(r->out, "<tr><th>%s</th><td>", key);
	H(value);
	fputs("</td></tr>\n", r->out);
}

/* hundredths of a second of uptime: "3d 04:05:06.07" */
static void
fmt_uptime(int64_t v, char *buf, size_t len)
{
	int64_t	 s;

	if (v == REPORT_NONE || v < 0) {
		(void)snprintf(buf, len, "%s", v == REPORT_NONE ? "" : "?");
		return;
	}
	s = v / 100;
	if (s >= 86400)
		(void)snprintf(buf, len, "%" PRId64 "d %02d:%02d:%02d.%02d",
		    s / 86400, (int)(s % 86400 / 3600), (int)(s % 3600 / 60),
		    (int)(s % 60), (int)(v % 100));
	else
		(void)snprintf(buf, len, "%02d:%02d:%02d.%02d",
		    (int)(s / 3600), (int)(s % 3600 / 60), (int)(s % 60),
		    (int)(v % 100));
}

/* a known colorant gets a swatch: only our own class names reach CSS */
static void
html_color(struct rep *r, const char *color)
{
	static const char *const known[] = { "black", "cyan", "magenta",
	    "yellow", "red", "green", "blue", "white" };
	size_t	 i;

	fputs("<td>", r->out);
	if (*color == '\0') {
		fputs("<span class=\"none\">-</span></td>", r->out);
		return;
	}
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcasecmp(color, known[i]) == 0) {
			fprintf(r->out, "<span class=\"swatch c-%s\"></span>",
			    known[i]);
			break;
		}
	H(color);
	fputs("</td>", r->out);
}

/*
 * A supply's level.  A container's level is what is left; a
 * receptacle's (waste toner) is the space left in it (RFC 3805,
 * prtMarkerSuppliesLevel), so it is drawn as filling up: full is
 * 100 - percent.
 */
static void
html_level(struct rep *r, const struct rpt_supply *s)
{
	const char	*word, *cls;
	int64_t		 pct, shown;
	int		 recept = strcmp(s->class, "receptacle") == 0;

	fputs("<td class=\"level\">", r->out);
	if (s->level == REPORT_NONE) {
		fputs("<span class=\"none\">not reported</span></td>", r->out);
		return;
	}
	if ((word = ctl_level_word(s->level)) != NULL) {
		fprintf(r->out, "<span class=\"word\">%s</span></td>", word);
		return;
	}
	if (s->level < 0) {
		fprintf(r->out, "%" PRId64 "</td>", s->level);
		return;
	}
	if ((pct = s->percent) != REPORT_NONE) {
		if (pct < 0)
			pct = 0;
		if (pct > 100)
			pct = 100;
		shown = recept ? 100 - pct : pct;
		if (recept)
			cls = shown >= 90 ? " full" : "";
		else
			cls = shown <= 10 ? " low" : shown <= 25 ? " mid" : "";
		fprintf(r->out, "<span class=\"bar%s\"><span class=\"fill%s\" "
		    "style=\"display:block;width:%" PRId64 "%%\"></span>"
		    "</span>%" PRId64 "%% %s", recept ? " receptacle" : "", cls,
		    shown, shown, recept ? "full" : "left");
		if (recept)
			fprintf(r->out, " <span class=\"none\">(space left: "
			    "%" PRId64 "%%)</span>", pct);
	} else
		fprintf(r->out, "%" PRId64 "%s", s->level,
		    recept ? " (space left)" : "");
	fputs("</td>", r->out);
}

static void
html_max(struct rep *r, int64_t max)
{
	const char	*word;

	fputs("<td class=\"num\">", r->out);
	if ((word = ctl_level_word(max)) != NULL && max != -3)
		fprintf(r->out, "<span class=\"word\">%s</span>", word);
	else
		html_num(r, max);
	fputs("</td>", r->out);
}

static const char *
outcome_class(int outcome)
{
	return outcome == DEV_OK ? "ok" : "st-bad";
}

static void
html_head(struct rep *r)
{
	char	 t[32], iso[32], t2[32];

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
	    "form-action 'none'\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"generator\" content=\"callhomectl report\">\n"
	    "<title>callhome report", r->out);
	if (r->ctl->gateway[0] != '\0') {
		fputs(": ", r->out);
		H(r->ctl->gateway);
	}
	fprintf(r->out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n",
	    html_style);

	fputs("<header>\n<h1>callhome report</h1>\n"
	    "<table class=\"kv meta\">\n<tr><th>Gateway</th><td>", r->out);
	if (r->ctl->gateway[0] != '\0')
		H(r->ctl->gateway);
	else
		fputs("<span class=\"none\">(no name configured)</span>",
		    r->out);
	ctl_time_local(r->now, t, sizeof(t));
	(void)iso_time(r->now, iso, sizeof(iso));
	fputs("</td></tr>\n<tr><th>Generated</th><td>", r->out);
	H(t);
	fputs(" <span class=\"none\">(", r->out);
	H(iso);
	fputs(")</span></td></tr>\n<tr><th>Period</th><td>", r->out);
	if (r->since == CTL_TIME_MIN && r->until == CTL_TIME_MAX)
		fputs("everything in the database", r->out);
	else {
		if (r->since != CTL_TIME_MIN) {
			ctl_time_local(r->since, t, sizeof(t));
			fputs("from ", r->out);
			H(t);
		}
		if (r->until != CTL_TIME_MAX) {
			ctl_time_local(r->until, t2, sizeof(t2));
			fputs(r->since != CTL_TIME_MIN ? " until " : "until ",
			    r->out);
			H(t2);
			fputs(" (excluded)", r->out);
		}
		fputs(" <span class=\"none\">(local time)</span>", r->out);
	}
	fputs("</td></tr>\n<tr><th>Transaction log</th><td>", r->out);
	if (r->intact)
		fprintf(r->out, "<span class=\"ok\">intact: %" PRId64
		    " records</span>", r->nrec);
	else {
		fputs("<span class=\"broken\">BROKEN: ", r->out);
		H(r->why);
		fputs("</span>", r->out);
	}
	fprintf(r->out, "</td></tr>\n<tr><th>Devices</th><td>%zu</td></tr>\n"
	    "<tr><th>Transactions</th><td>%" PRId64 " in the period</td></tr>\n"
	    "</table>\n</header>\n", r->ndev, r->ntx);
}

static void
html_overview(struct rep *r)
{
	const struct ctl_dev	*d;
	size_t			 i;

	fputs("<section class=\"overview\">\n<h2>Devices</h2>\n", r->out);
	if (r->ndev == 0) {
		fputs("<p class=\"none\">No device was collected in this "
		    "period.</p>\n</section>\n", r->out);
		return;
	}
	fputs("<table>\n<thead><tr><th>Address</th><th>Status</th>"
	    "<th>State</th><th>Vendor</th><th>Model</th><th>Serial</th>"
	    "<th>Printer</th><th>Pages</th><th>Alerts</th></tr></thead>\n"
	    "<tbody>\n", r->out);
	for (i = 0; i < r->ndev; i++) {
		d = &r->dev[i];
		fprintf(r->out, "<tr><td><a href=\"#dev-%zu\">", i + 1);
		H(d->address);
		fprintf(r->out, "</a></td><td class=\"%s\">",
		    outcome_class(d->outcome));
		H(dev_outcome_name(d->outcome));
		fputs("</td>", r->out);
		html_td(r, dev_state_name(d->state));
		html_td(r, d->vendor);
		html_td_long(r, d->model);
		html_td_long(r, d->serial);
		html_td(r, hr_printer_status_name(d->printer_status));
		fputs("<td class=\"num\">", r->out);
		html_num(r, d->pages);
		fprintf(r->out, "</td><td class=\"num\">%" PRId64
		    "</td></tr>\n", d->alerts);
	}
	fputs("</tbody>\n</table>\n</section>\n", r->out);
}

static void
html_device(struct rep *r, size_t i)
{
	const struct rpt_device	*d = &r->f.d;
	const struct rpt_supply	*s;
	const struct rpt_alert	*a;
	char			 buf[512], t[32], iso[32];
	size_t			 k;

	fprintf(r->out, "<section class=\"device\" id=\"dev-%zu\">\n<h2>",
	    i + 1);
	H(d->address);
	if (d->vendor[0] != '\0' || d->model[0] != '\0') {
		fputs(" &mdash; ", r->out);
		H(d->vendor);
		if (d->vendor[0] != '\0' && d->model[0] != '\0')
			putc(' ', r->out);
		H(d->model);
	}
	fputs("</h2>\n<table class=\"kv\">\n", r->out);
	fprintf(r->out, "<tr><th>Status</th><td class=\"%s\">",
	    outcome_class(d->outcome));
	H(dev_outcome_name(d->outcome));
	if (d->reason[0] != '\0') {
		fputs(": ", r->out);
		H(d->reason);
	}
	fputs("</td></tr>\n", r->out);
	if (d->state != DEV_STATE_NONE) {
		ctl_time_local(d->state_since, t, sizeof(t));
		(void)snprintf(buf, sizeof(buf), "%s since %s",
		    dev_state_name(d->state), t);
		html_kv(r, "State", buf);
	}
	html_kv(r, "Serial number", d->serial);
	html_kv(r, "Vendor", d->vendor);
	html_kv(r, "Model", d->model);
	html_kv(r, "Firmware", d->firmware);
	html_kv(r, "System description", d->sysdescr);
	html_kv(r, "System object ID", d->sysobjectid);
	html_kv(r, "Vendor profile", d->profile);
	html_kv(r, "Device status", hr_device_status_name(d->device_status));
	html_kv(r, "Printer status",
	    hr_printer_status_name(d->printer_status));
	error_names(d->errors, buf, sizeof(buf));
	html_kv(r, "Errors", d->errors == -1 ? "not reported" :
	    buf[0] == '\0' ? "none" : buf);
	html_kv(r, "System name", d->sysname);
	html_kv(r, "Contact", d->syscontact);
	html_kv(r, "Location", d->syslocation);
	fmt_uptime(d->uptime, buf, sizeof(buf));
	html_kv(r, "Uptime", buf);
	ctl_time_local(d->collected, t, sizeof(t));
	(void)iso_time(d->collected, iso, sizeof(iso));
	(void)snprintf(buf, sizeof(buf), "%s (%s), cycle %" PRId64, t, iso,
	    r->f.cycle);
	html_kv(r, "Collected", buf);
	fputs("</table>\n", r->out);

	fputs("<h3>Meters</h3>\n", r->out);
	if (r->f.nm == 0)
		fputs("<p class=\"none\">No meters.</p>\n", r->out);
	else {
		fputs("<table>\n<thead><tr><th>Name</th><th>Value</th>"
		    "<th>Unit</th><th>Source OID</th><th>Not usage</th>"
		    "</tr></thead>\n<tbody>\n", r->out);
		for (k = 0; k < r->f.nm; k++) {
			fputs("<tr>", r->out);
			html_td(r, r->f.m[k].name);
			fputs("<td class=\"num\">", r->out);
			html_num(r, r->f.m[k].value);
			fputs("</td>", r->out);
			html_td(r, r->f.m[k].unit);
			fputs("<td class=\"mono\">", r->out);
			H(r->f.m[k].source);
			fputs("</td>", r->out);
			if (r->f.m[k].flag != METER_FLAG_NONE) {
				(void)snprintf(buf, sizeof(buf), "%s, "
				    "previously %" PRId64, meter_flag_name(
				    r->f.m[k].flag), r->f.m[k].previous);
				html_td(r, buf);
			} else
				html_td(r, "");
			fputs("</tr>\n", r->out);
		}
		fputs("</tbody>\n</table>\n", r->out);
	}

	fputs("<h3>Supplies</h3>\n", r->out);
	if (r->f.ns == 0)
		fputs("<p class=\"none\">No supplies.</p>\n", r->out);
	else {
		fputs("<table>\n<thead><tr><th>Index</th><th>Description</th>"
		    "<th>Type</th><th>Colour</th><th>Level</th><th>Max</th>"
		    "<th>Unit</th></tr></thead>\n<tbody>\n", r->out);
		for (k = 0; k < r->f.ns; k++) {
			s = &r->f.s[k];
			fputs("<tr>", r->out);
			html_td(r, s->index);
			html_td_long(r, s->description);
			fputs("<td>", r->out);
			H(s->type[0] != '\0' ? s->type : "-");
			if (s->class[0] != '\0' &&
			    strcmp(s->class, "consumed") != 0) {
				fputs(" <span class=\"none\">(", r->out);
				H(s->class);
				fputs(")</span>", r->out);
			}
			fputs("</td>", r->out);
			html_color(r, s->color);
			html_level(r, s);
			html_max(r, s->max);
			html_td(r, s->unit);
			fputs("</tr>\n", r->out);
		}
		fputs("</tbody>\n</table>\n", r->out);
	}

	fputs("<h3>Alerts</h3>\n", r->out);
	if (r->f.na == 0)
		fputs("<p class=\"none\">No alerts.</p>\n", r->out);
	else {
		fputs("<table>\n<thead><tr><th>Index</th><th>Severity</th>"
		    "<th>Group</th><th>Code</th><th>Description</th>"
		    "<th>At uptime</th></tr></thead>\n<tbody>\n", r->out);
		for (k = 0; k < r->f.na; k++) {
			a = &r->f.a[k];
			fputs("<tr>", r->out);
			html_td(r, a->index);
			if (strcmp(a->severity, "critical") == 0)
				fputs("<td class=\"sev-critical\">", r->out);
			else if (strcmp(a->severity, "warning") == 0)
				fputs("<td class=\"sev-warning\">", r->out);
			else
				fputs("<td>", r->out);
			H(a->severity);
			fputs("</td>", r->out);
			html_td(r, a->group);
			html_td(r, a->code);
			html_td_long(r, a->description);
			fmt_uptime(a->time, buf, sizeof(buf));
			fputs("<td class=\"num\">", r->out);
			if (buf[0] == '\0')
				fputs("<span class=\"none\">-</span>", r->out);
			else
				H(buf);
			fputs("</td></tr>\n", r->out);
		}
		fputs("</tbody>\n</table>\n", r->out);
	}
	fputs("</section>\n", r->out);
}

static void
html_txlog(struct rep *r)
{
	sqlite3_stmt	*q;
	const char	*s;
	char		 t[32];
	int		 rc;

	fputs("<section class=\"txlog\">\n<h2>Transactions</h2>\n", r->out);
	if (r->ntx == 0) {
		fputs("<p class=\"none\">No transaction was logged in this "
		    "period.</p>\n</section>\n", r->out);
		return;
	}
	fputs("<p>Each record's hash is the SHA-256 of the hash before it "
	    "and of the record: <span class=\"mono\">callhomectl verify"
	    "</span> checks the chain, <span class=\"mono\">callhomectl show"
	    "</span> <i>seq</i> shows a document's exact bytes.</p>\n"
	    "<table>\n<thead><tr><th>Seq</th><th>Time</th><th>Kind</th>"
	    "<th>Summary</th><th>Hash</th></tr></thead>\n<tbody>\n", r->out);
	q = ctl_txlog_query(r->ctl->db, -1, r->since, r->until);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		fprintf(r->out, "<tr><td class=\"num\">%" PRId64 "</td>",
		    (int64_t)sqlite3_column_int64(q, 0));
		ctl_time_local(sqlite3_column_int64(q, 1), t, sizeof(t));
		fputs("<td class=\"num\">", r->out);
		H(t);
		fputs("</td>", r->out);
		html_td(r, (const char *)sqlite3_column_text(q, 2));
		html_td_long(r, (const char *)sqlite3_column_text(q, 3));
		fputs("<td class=\"hash\">", r->out);
		if ((s = (const char *)sqlite3_column_text(q, 5)) != NULL)
			H(s);
		fputs("</td></tr>\n", r->out);
	}
	if (rc != SQLITE_DONE)
		DBERR(r->ctl->db);
	sqlite3_finalize(q);
	fputs("</tbody>\n</table>\n</section>\n", r->out);
}

static void
report_html(struct rep *r)
{
	size_t	 i;

	html_head(r);
	html_overview(r);
	for (i = 0; i < r->ndev; i++) {
		ctl_load_full(&r->rq, &r->dev[i], &r->f);
		html_device(r, i);
	}
	html_txlog(r);
	fputs("<footer>Written by callhomectl report from the gateway's "
	    "database. Strings are shown as the devices reported them, "
	    "with invalid bytes and control characters as \\xNN.</footer>\n"
	    "</body>\n</html>\n", r->out);
}

#undef H

/* ---- CSV ---- */

static const char *const csv_cols[] = {
	"section", "address", "serial", "vendor", "model", "firmware",
	"status", "printer_status", "errors", "collected", "cycle",
	"name", "index", "description", "class", "type", "color", "unit",
	"value", "max", "level", "level_text", "percent",
	"severity", "group", "code", "time", "source",
	"seq", "kind", "summary", "detail", "hash",
	"state", "state_since", "flag", "previous"
};
#define NCSV	(sizeof(csv_cols) / sizeof(csv_cols[0]))
/* the columns after the device's */
#define CSV_DEVCOLS	11

/* one row: v[i] is column i's text or NULL */
static void
csv_row(FILE *fp, const char *const v[NCSV])
{
	size_t	 i;

	for (i = 0; i < NCSV; i++) {
		if (i > 0)
			putc(',', fp);
		ctl_csv_field(fp, v[i]);
	}
	fputs("\r\n", fp);
}

static const char *
num(char *buf, size_t len, int64_t v)
{
	if (v == REPORT_NONE)
		return NULL;
	(void)snprintf(buf, len, "%" PRId64, v);
	return buf;
}

static void
csv_device(struct rep *r)
{
	const struct rpt_device	*d = &r->f.d;
	const struct rpt_meter	*m;
	const struct rpt_supply	*s;
	const struct rpt_alert	*a;
	const char		*v[NCSV];
	char			 errs[512], coll[32], cyc[32], since[32];
	char			 n1[32], n2[32], n3[32], n4[32];
	size_t			 k;

	memset(v, 0, sizeof(v));
	error_names(d->errors, errs, sizeof(errs));
	(void)iso_time(d->collected, coll, sizeof(coll));
	(void)snprintf(cyc, sizeof(cyc), "%" PRId64, r->f.cycle);
	v[1] = d->address;
	v[2] = d->serial;
	v[3] = d->vendor;
	v[4] = d->model;
	v[5] = d->firmware;
	v[6] = dev_outcome_name(d->outcome);
	v[7] = hr_printer_status_name(d->printer_status);
	v[8] = errs;
	v[9] = coll;
	v[10] = cyc;

	v[0] = "device";
	v[13] = d->sysdescr;
	if (d->state != DEV_STATE_NONE) {
		(void)iso_time(d->state_since, since, sizeof(since));
		v[33] = dev_state_name(d->state);
		v[34] = since;
	}
	csv_row(r->out, v);
	v[13] = v[33] = v[34] = NULL;

	for (k = 0; k < r->f.nm; k++) {
		m = &r->f.m[k];
		v[0] = "meter";
		v[11] = m->name;
		v[17] = m->unit;
		v[18] = num(n1, sizeof(n1), m->value);
		v[27] = m->source;
		v[35] = v[36] = NULL;
		if (m->flag != METER_FLAG_NONE) {
			v[35] = meter_flag_name(m->flag);
			v[36] = num(n2, sizeof(n2), m->previous);
		}
		csv_row(r->out, v);
	}
	v[11] = v[17] = v[18] = v[27] = v[35] = v[36] = NULL;

	for (k = 0; k < r->f.ns; k++) {
		s = &r->f.s[k];
		v[0] = "supply";
		v[12] = s->index;
		v[13] = s->description;
		v[14] = s->class;
		v[15] = s->type;
		v[16] = s->color;
		v[17] = s->unit;
		v[19] = num(n1, sizeof(n1), s->max);
		v[20] = num(n2, sizeof(n2), s->level);
		v[21] = s->level != REPORT_NONE ? ctl_level_word(s->level) :
		    NULL;
		v[22] = num(n3, sizeof(n3), s->percent);
		csv_row(r->out, v);
	}
	for (k = 12; k <= 22; k++)
		v[k] = NULL;

	for (k = 0; k < r->f.na; k++) {
		a = &r->f.a[k];
		v[0] = "alert";
		v[12] = a->index;
		v[13] = a->description;
		v[23] = a->severity;
		v[24] = a->group;
		v[25] = a->code;
		v[26] = num(n4, sizeof(n4), a->time);
		csv_row(r->out, v);
	}
}

static void
report_csv(struct rep *r)
{
	sqlite3_stmt	*q;
	const char	*v[NCSV];
	char		 seq[32], t[32];
	size_t		 i;
	int		 rc;

	for (i = 0; i < NCSV; i++)
		v[i] = csv_cols[i];
	csv_row(r->out, v);
	for (i = 0; i < r->ndev; i++) {
		ctl_load_full(&r->rq, &r->dev[i], &r->f);
		csv_device(r);
	}
	memset(v, 0, sizeof(v));
	v[0] = "transaction";
	q = ctl_txlog_query(r->ctl->db, -1, r->since, r->until);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		(void)snprintf(seq, sizeof(seq), "%" PRId64,
		    (int64_t)sqlite3_column_int64(q, 0));
		(void)iso_time(sqlite3_column_int64(q, 1), t, sizeof(t));
		v[26] = t;
		v[28] = seq;
		v[29] = (const char *)sqlite3_column_text(q, 2);
		v[30] = (const char *)sqlite3_column_text(q, 3);
		v[31] = (const char *)sqlite3_column_text(q, 4);
		v[32] = (const char *)sqlite3_column_text(q, 5);
		csv_row(r->out, v);
	}
	if (rc != SQLITE_DONE)
		DBERR(r->ctl->db);
	sqlite3_finalize(q);
}

/* ---- JSON ---- */

static void
kv_time(struct json *j, const char *k, int64_t t, int64_t open)
{
	char	 iso[32];

	if (t == open)
		json_kv_null(j, k);
	else {
		(void)iso_time(t, iso, sizeof(iso));
		json_kv_string(j, k, iso);
	}
}

static void
report_json(struct rep *r)
{
	struct json	 j;
	sqlite3_stmt	*q;
	char		 now[32];
	int		 rc;

	json_init(&j, r->out);
	json_object_begin(&j);
	json_kv_string_or_null(&j, "gateway", r->ctl->gateway);
	(void)iso_time(r->now, now, sizeof(now));
	json_kv_string(&j, "generated", now);
	kv_time(&j, "since", r->since, CTL_TIME_MIN);
	kv_time(&j, "until", r->until, CTL_TIME_MAX);
	json_key(&j, "chain");
	json_object_begin(&j);
	json_kv_bool(&j, "intact", r->intact);
	json_kv_int(&j, "records", r->nrec);
	if (r->intact) {
		json_kv_null(&j, "first_broken");
		json_kv_null(&j, "reason");
	} else {
		json_kv_int(&j, "first_broken", r->bad);
		json_kv_string(&j, "reason", r->why);
	}
	json_object_end(&j);

	/* the shape of "callhomectl devices -j" */
	ctl_json_devices(&j, &r->rq, &r->f, r->dev, r->ndev);

	json_key(&j, "transactions");
	json_array_begin(&j);
	q = ctl_txlog_query(r->ctl->db, -1, r->since, r->until);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		ctl_json_txrecord(&j, q);
	if (rc != SQLITE_DONE)
		DBERR(r->ctl->db);
	sqlite3_finalize(q);
	json_array_end(&j);
	json_object_end(&j);
	putc('\n', r->out);
	if (json_finish(&j) == -1)
		errx(CTL_ERROR, "writing the JSON report failed");
}

/* ------------------------------------------------------------------ */

static int64_t
count_tx(sqlite3 *db, int64_t since, int64_t until)
{
	sqlite3_stmt	*q;
	int64_t		 n = 0;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM txlog WHERE "
	    "(?1 IS NULL OR time >= ?1) AND (?2 IS NULL OR time < ?2)", -1,
	    &q, NULL) != SQLITE_OK)
		DBERR(db);
	ctl_bind_period(q, since, until);
	if (sqlite3_step(q) != SQLITE_ROW)
		DBERR(db);
	n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

int
ctl_report(struct ctl *ctl, enum ctl_report_format fmt, FILE *out,
    int64_t since, int64_t until)
{
	static struct rep	 r;

	memset(&r, 0, sizeof(r));
	r.ctl = ctl;
	r.out = out;
	r.since = since;
	r.until = until;
	r.now = (int64_t)time(NULL);

	/* one snapshot for the chain, the readings and the records */
	if (sqlite3_exec(ctl->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		DBERR(ctl->db);
	switch (txlog_verify(ctl->db, &r.nrec, &r.bad, r.why,
	    sizeof(r.why))) {
	case 0:
		r.intact = 1;
		break;
	case -1:
		r.intact = 0;
		break;
	default:
		errx(CTL_ERROR, "%s", r.why);
	}
	r.dev = ctl_load_devices(ctl->db, since, until, &r.ndev);
	r.ntx = count_tx(ctl->db, since, until);
	ctl_rq_prepare(ctl->db, &r.rq);

	switch (fmt) {
	case CTL_REPORT_HTML:
		report_html(&r);
		break;
	case CTL_REPORT_CSV:
		report_csv(&r);
		break;
	case CTL_REPORT_JSON:
		report_json(&r);
		break;
	}

	ctl_rq_finalize(&r.rq);
	(void)sqlite3_exec(ctl->db, "COMMIT", NULL, NULL, NULL);
	free(r.dev);
	ctl_full_free(&r.f);
	if (fflush(out) == EOF || ferror(out))
		errx(CTL_ERROR, "writing the report failed");
	if (out != stdout) {
		if (fsync(fileno(out)) == -1 && errno != EINVAL)
			err(CTL_ERROR, "writing the report");
		out_done = 1;
		if (fclose(out) == EOF) {
			out_done = 0;
			err(CTL_ERROR, "writing the report");
		}
		out_fd = -1;
	}
	if (!r.intact) {
		warnx("the transaction log is broken: %s", r.why);
		return CTL_ERROR;
	}
	return CTL_OK;
}
