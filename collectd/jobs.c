/*
 * A printer's job data, from the Job Monitoring MIB (RFC 2707), as the
 * JSON object of callhome-jobdata(5):
 *
 *	{"format":"callhome-jobs","version":1,
 *	 "collected":"2026-11-21T10:00:00Z","uptime":360000,
 *	 "jobs":[{"set":1,"job":42,"state":"completed","owner":"alice",
 *	          "name":"report.pdf","impressions":3,...},...],
 *	 "truncated":false}
 *
 * One member per thing the printer said, none for what it did not (or
 * said as a negative value: other, unknown).  The Job MIB's times are
 * seconds since the printer booted; with sysUpTime they become dates.
 * Strings are the cleaned text of the octets (report_str_clean()), cut
 * to JOB_STR_MAX bytes.  This file only builds: collectd seals it.
 */
#include <stdio.h>
#include <string.h>

#include "build.h"
#include "isotime.h"

/* the attributes of jmAttributeTable kept (JmAttributeTypeTC) */
static const struct {
	uint32_t	 type;
	const char	*name;
	int		 time;		/* JmTimeStampTC: seconds since boot */
	int		 octets;	/* jmAttributeValueAsOctets */
} attrs[] = {
	{ 23, "name", 0, 1 },			/* jobName */
	{ 90, "copiesRequested", 0, 0 },	/* jobCopiesRequested */
	{ 91, "copies", 0, 0 },			/* jobCopiesCompleted */
	{ 114, "colorImpressions", 0, 0 },	/* fullColorImpressions... */
	{ 130, "pagesRequested", 0, 0 },	/* pagesRequested */
	{ 131, "pages", 0, 0 },			/* pagesCompleted */
	{ 151, "sheets", 0, 0 },		/* sheetsCompleted */
	{ 191, "submitted", 1, 0 },		/* jobSubmissionTime */
	{ 193, "started", 1, 0 },		/* jobStartedProcessingTime */
	{ 194, "completed", 1, 0 },		/* jobCompletionTime */
};
#define NATTRS	(sizeof(attrs) / sizeof(attrs[0]))

/* JmJobStateTC */
static const char *const states[] = {
	NULL, "other", "unknown", "pending", "pendingHeld", "processing",
	"processingStopped", "canceled", "aborted", "completed"
};

static void
put(struct wbuf *w, const char *s)
{
	wbuf_bytes(w, s, strlen(s));
}

/* a JSON string: quote, backslash and controls escaped */
static void
put_str(struct wbuf *w, const char *s)
{
	char		 u[8];
	unsigned char	 c;

	wbuf_u8(w, '"');
	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (c == '"' || c == '\\') {
			wbuf_u8(w, '\\');
			wbuf_u8(w, c);
		} else if (c < 0x20 || c == 0x7f) {
			(void)snprintf(u, sizeof(u), "\\u%04x", c);
			put(w, u);
		} else
			wbuf_u8(w, c);
	}
	wbuf_u8(w, '"');
}

static void
put_key(struct wbuf *w, const char *k)
{
	wbuf_u8(w, ',');
	put_str(w, k);
	wbuf_u8(w, ':');
}

static void
put_int(struct wbuf *w, int64_t v)
{
	char	 num[24];

	(void)snprintf(num, sizeof(num), "%lld", (long long)v);
	put(w, num);
}

static void
put_time(struct wbuf *w, int64_t t)
{
	char	 when[32];

	put_str(w, iso_time(t, when, sizeof(when)));
}

/* the instance 1 of an attribute of job (set, job), or NULL */
static const struct row *
attr_row(const struct rowset *rs, const struct rowkey *job, uint32_t type)
{
	const struct row	*r;
	size_t			 i;

	for (i = 0; i < rs->n; i++) {
		r = &rs->r[i];
		if (r->k.len == 4 && r->k.a[0] == job->a[0] &&
		    r->k.a[1] == job->a[1] && r->k.a[2] == type &&
		    r->k.a[3] == 1)
			return r;
	}
	return NULL;
}

/* one job: its members after the opening brace and "set" */
static void
put_job(struct wbuf *w, const struct dev_data *d, const struct row *j,
    int64_t boot)
{
	const struct rowset	*ra = &d->rs[RS_JOBATTRS];
	const struct row	*a;
	size_t			 i;
	int64_t			 st = j->v[JOB_STATE];

	put_key(w, "job");
	put_int(w, j->k.a[1]);
	if (st > 0 && st < (int64_t)(sizeof(states) / sizeof(states[0]))) {
		put_key(w, "state");
		put_str(w, states[st]);
	} else if (st != REPORT_NONE) {
		put_key(w, "state");
		put_int(w, st);
	}
	if (j->s[0] != NULL && j->s[0][0] != '\0') {
		put_key(w, "owner");
		put_str(w, j->s[0]);
	}
	if (j->v[JOB_IMPR] >= 0) {
		put_key(w, "impressions");
		put_int(w, j->v[JOB_IMPR]);
	}
	if (j->v[JOB_IMPR_REQ] >= 0) {
		put_key(w, "impressionsPerCopyRequested");
		put_int(w, j->v[JOB_IMPR_REQ]);
	}
	if (j->v[JOB_KOCTETS] >= 0) {
		put_key(w, "kOctets");
		put_int(w, j->v[JOB_KOCTETS]);
	}
	for (i = 0; i < NATTRS; i++) {
		if ((a = attr_row(ra, &j->k, attrs[i].type)) == NULL)
			continue;
		if (attrs[i].octets) {
			if (a->s[0] == NULL || a->s[0][0] == '\0')
				continue;
			put_key(w, attrs[i].name);
			put_str(w, a->s[0]);
		} else if (a->v[JATTR_INT] < 0)
			continue;	/* other, unknown, or not said */
		else if (attrs[i].time) {
			if (boot == INT64_MIN)
				continue;
			put_key(w, attrs[i].name);
			put_time(w, boot + a->v[JATTR_INT]);
		} else {
			put_key(w, attrs[i].name);
			put_int(w, a->v[JATTR_INT]);
		}
	}
}

int
build_jobs(const struct dev_data *d, int64_t collected, struct wbuf *w)
{
	const struct rowset	*rj = &d->rs[RS_JOBS];
	const struct scalar	*up = &d->sc[SC_SYSUPTIME];
	int64_t			 boot = INT64_MIN;
	size_t			 i, start = w->len, mark, n = 0;
	int			 truncated = 0;

	if (rj->n == 0)
		return -1;
	put(w, "{\"format\":\"callhome-jobs\",\"version\":1");
	put_key(w, "collected");
	put_time(w, collected);
	if (up->have && up->type == SNMP_T_TIMETICKS && up->i >= 0) {
		put_key(w, "uptime");
		put_int(w, up->i);
		boot = collected - up->i / 100;
	}
	put_key(w, "jobs");
	wbuf_u8(w, '[');
	for (i = 0; i < rj->n; i++) {
		const struct row	*j = &rj->r[i];

		if (j->k.len != 2)
			continue;	/* not (jmGeneralJobSetIndex, jmJobIndex) */
		if (n == JOBS_MAX) {
			truncated = 1;
			break;
		}
		mark = w->len;
		if (n > 0)
			wbuf_u8(w, ',');
		put(w, "{\"set\":");
		put_int(w, j->k.a[0]);
		put_job(w, d, j, boot);
		wbuf_u8(w, '}');
		/* room for the end: "],"truncated":false}" */
		if (w->len - start + 32 > REPORT_JOBS_PLAIN_MAX) {
			explicit_bzero(w->data + mark, w->len - mark);
			w->len = mark;
			truncated = 1;
			break;
		}
		n++;
	}
	put(w, "]");
	put_key(w, "truncated");
	put(w, truncated ? "true}" : "false}");
	return 0;
}
