/*
 * callhomectl's commands that read auditd's database: devices, verify.
 * The devices are read and written as JSON by ctl_readings.c, as
 * "callhomectl report" reads and writes them.
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "callhomectl.h"
#include "ctl_readings.h"
#include "json.h"
#include "report.h"
#include "txlog.h"

/* ------------------------------------------------------------------ */
/* the table */

static const char *
or_dash(const char *s)
{
	return s != NULL && *s != '\0' ? s : "-";
}

#define NCOLS	10
#define COLMAX	32	/* widest column of the table */

/* the cells of one line: the heading for r == NULL */
static void
table_cells(const struct ctl_dev *r, const char *cell[NCOLS],
    char pages[32], char alerts[32], char since[32])
{
	static const char *const head[NCOLS] = { "ADDRESS", "STATUS",
	    "STATE", "SINCE", "VENDOR", "MODEL", "SERIAL", "PRINTER",
	    "PAGES", "ALERTS" };
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
	if (r->state != DEV_STATE_NONE)
		ctl_time_local(r->state_since, since, 32);
	else
		(void)strlcpy(since, "-", 32);
	cell[0] = r->address;
	cell[1] = dev_outcome_name(r->outcome);
	cell[2] = or_dash(dev_state_name(r->state));
	cell[3] = since;
	cell[4] = or_dash(r->vendor);
	cell[5] = or_dash(r->model);
	cell[6] = or_dash(r->serial);
	cell[7] = or_dash(hr_printer_status_name(r->printer_status));
	cell[8] = pages;
	cell[9] = alerts;
}

static void
print_table(const struct ctl_dev *v, size_t n)
{
	const char	*cell[NCOLS];
	char		 pages[32], alerts[32], since[32];
	int		 w[NCOLS], k;
	size_t		 i;

	if (n == 0) {
		printf("no devices reported yet\n");
		return;
	}
	memset(w, 0, sizeof(w));
	/* long names are cut: the JSON output has them whole */
	for (i = 0; i <= n; i++) {
		table_cells(i == 0 ? NULL : &v[i - 1], cell, pages, alerts,
		    since);
		for (k = 0; k < NCOLS; k++)
			if (ctl_width(cell[k]) > w[k])
				w[k] = ctl_width(cell[k]);
	}
	for (k = 0; k < NCOLS; k++)
		if (w[k] > COLMAX)
			w[k] = COLMAX;
	for (i = 0; i <= n; i++) {
		table_cells(i == 0 ? NULL : &v[i - 1], cell, pages, alerts,
		    since);
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

static void
print_json(sqlite3 *db, const struct ctl_dev *v, size_t n)
{
	static struct ctl_full	 f;
	struct ctl_rq		 rq;
	struct json		 j;

	ctl_rq_prepare(db, &rq);
	json_init(&j, stdout);
	json_object_begin(&j);
	ctl_json_devices(&j, &rq, &f, v, n);
	json_object_end(&j);
	putchar('\n');
	if (json_finish(&j) == -1)
		errx(CTL_ERROR, "writing the JSON output failed");
	ctl_rq_finalize(&rq);
	ctl_full_free(&f);
}

int
ctl_devices(struct ctl *ctl, int json)
{
	struct ctl_dev	*v;
	size_t		 n;

	/* one snapshot while auditd may be writing */
	if (sqlite3_exec(ctl->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		errx(CTL_ERROR, "reading devices: %s",
		    sqlite3_errmsg(ctl->db));
	v = ctl_load_devices(ctl->db, CTL_TIME_MIN, CTL_TIME_MAX, &n);
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
