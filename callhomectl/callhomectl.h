/*
 * callhomectl: the control and audit tool.
 */
#ifndef CALLHOME_CALLHOMECTL_H
#define CALLHOME_CALLHOMECTL_H

#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

/* exit statuses */
#define CTL_OK		0
#define CTL_ERROR	1	/* also: the log is broken (verify) */
#define CTL_USAGE	2

struct ctl {
	const char	*conffile;
	const char	*sockopt;	/* -s: the control socket */
	char		 state[256];	/* the state directory */
	char		 socket[256];	/* the control socket */
	char		 gateway[256];	/* "gateway" of the configuration */
	sqlite3		*db;		/* read-only, once opened */
};

/* read the configuration for the state directory; exits on error */
void	ctl_load_config(struct ctl *);
/*
 * Become the state directory's owner (when root) and open its database
 * read-only; exits with a clear message when there is none.
 */
void	ctl_open_db(struct ctl *);
void	ctl_close_db(struct ctl *);

/* the commands that read the database (ctl_db.c): exit statuses */
int	ctl_devices(struct ctl *, int json);
int	ctl_verify(struct ctl *);

/*
 * The audit commands (ctl_log.c, ctl_show.c, ctl_report.c).  A period is
 * [since, until): CTL_TIME_MIN and CTL_TIME_MAX leave it open.
 */
#define CTL_TIME_MIN	INT64_MIN
#define CTL_TIME_MAX	INT64_MAX

struct json;

/* the transaction log, oldest first; count -1: all records */
int	ctl_log(struct ctl *, int json, int64_t count, int64_t since,
	    int64_t until);
/*
 * The records of a period (the last `count' of them, unless count is -1),
 * oldest first, with the columns CTL_TXLOG_COLS; exits on error.
 */
#define CTL_TXLOG_COLS	"seq, time, kind, summary, detail, hash"
sqlite3_stmt *ctl_txlog_query(sqlite3 *, int64_t count, int64_t since,
	    int64_t until);
/*
 * Bind a period to the parameters ?1 (since) and ?2 (until) of a
 * statement; an open end stays NULL.
 */
void	ctl_bind_period(sqlite3_stmt *, int64_t since, int64_t until);
/* the current row of that query as a JSON object */
void	ctl_json_txrecord(struct json *, sqlite3_stmt *);
/* a document by a log record's number, an outbox id or a cycle id */
enum ctl_show_by { CTL_SHOW_RECORD, CTL_SHOW_OUTBOX, CTL_SHOW_CYCLE };
int	ctl_show(struct ctl *, enum ctl_show_by, int64_t, int raw);
/*
 * The job data of a cycle, printed: each plaintext and the SHA-256 of
 * its sealed form, checked against the stored hash and found in the
 * document's bytes (doc, or NULL).  1 when something does not match.
 */
int	ctl_show_jobdata(sqlite3 *, int64_t cycle, const void *doc,
	    size_t doclen);

enum ctl_report_format { CTL_REPORT_HTML, CTL_REPORT_CSV, CTL_REPORT_JSON };
/*
 * Open the report's output file before the database (so that it is
 * opened as the invoking user): NULL for stdout.  Only a regular file is
 * replaced, never one of the state directory.  Exits on error.
 */
FILE	*ctl_report_output(const struct ctl *, const char *path);
int	ctl_report(struct ctl *, enum ctl_report_format, FILE *,
	    int64_t since, int64_t until);

/* pure helpers (ctl_fmt.c), tested by regress/unit/test_ctl_report.c */

/* HTML text or attribute value: & < > " ' escaped, controls as '?' */
void	ctl_html_escape(FILE *, const char *);
/*
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or
 * LF, or begins or ends with a blank; quotes doubled.  NULL: empty.
 */
void	ctl_csv_field(FILE *, const char *);
/*
 * A time from the command line: "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]"
 * (or with a T) in local time, or "@seconds" since the epoch.  -1 with
 * a reason when it is not one.
 */
int	ctl_parse_time(const char *, int64_t *, char *why, size_t);
/* local time "2026-01-02 04:04:05" (UTC: iso_time() in isotime.h) */
void	ctl_time_local(int64_t, char *, size_t);
/* 1 when the text is exactly one valid JSON object (RFC 8259) */
int	ctl_json_is_object(const char *);
/*
 * A member of such an object, at the top level: its value's text as
 * written; -1 when the text is not an object, or has the key not once.
 */
int	ctl_json_member(const char *, const char *key, const char **,
	    size_t *);
/* an integer member; -1 when absent or not an integer */
int	ctl_json_member_int(const char *, const char *key, int64_t *);
/* a string member of hex digits (a hash), into dst; -1 when not one */
int	ctl_json_member_hex(const char *, const char *key, char *, size_t);
/* "other", "unknown", "some remaining" for -1, -2, -3; else NULL */
const char *ctl_level_word(int64_t);

/* a live command through callhomed's control socket (ctl_live.c) */
int	ctl_live(struct ctl *, int command, int64_t arg, int json);
struct incident_req;
int	ctl_incident(struct ctl *, const struct incident_req *);
/* the incidents and supply requests, read-only (ctl_incidents.c) */
int	ctl_incidents(struct ctl *, int json);

/* the outbox, from the database (ctl_outbox.c); -a: delivered too */
int	ctl_outbox(struct ctl *, int json, int all);

/*
 * A string for a terminal: control characters shown as '?', cut and
 * padded to width columns (when width > 0) on UTF-8 character boundaries.
 */
void	ctl_print_safe(FILE *, const char *, int width);
int	ctl_width(const char *);	/* columns of a string */

#endif /* CALLHOME_CALLHOMECTL_H */
