/*
 * callhomectl [-f file] command [argument ...]
 *
 * Commands that read the database work while callhomed is stopped: the
 * configuration is read only to learn the state directory, whose
 * database is opened read-only after becoming the directory's owner, so
 * that any file sqlite creates there (the WAL index) belongs to the
 * daemon's user and never to root.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../auditd/db.h"
#include "callhomectl.h"
#include "config.h"
#include "log.h"
#include "chan/control.h"
#include "sqlutil.h"

struct command {
	const char	*name;
	const char	*args;
	const char	*help;
	int		(*run)(struct ctl *, int, char **);
};

static __dead void	usage(void);

void
ctl_load_config(struct ctl *ctl)
{
	struct callhome_conf	*conf;

	if ((conf = parse_config(ctl->conffile, 0)) == NULL)
		errx(CTL_ERROR, "%s: cannot use the configuration",
		    ctl->conffile);
	if (strlcpy(ctl->state, conf->state, sizeof(ctl->state)) >=
	    sizeof(ctl->state) || strlcpy(ctl->socket, conf->socket,
	    sizeof(ctl->socket)) >= sizeof(ctl->socket))
		errx(CTL_ERROR, "state directory or socket name too long");
	(void)strlcpy(ctl->gateway, conf->gateway, sizeof(ctl->gateway));
	config_free(conf);
}

/* root becomes the owner of the state directory; others stay who they are */
static void
become_owner(const struct stat *st)
{
	uid_t	 ru, eu, su;
	gid_t	 rg, eg, sg;

	if (geteuid() != 0 || st->st_uid == 0)
		return;
	if (setgroups(1, &st->st_gid) == -1 ||
	    setresgid(st->st_gid, st->st_gid, st->st_gid) == -1 ||
	    setresuid(st->st_uid, st->st_uid, st->st_uid) == -1)
		err(CTL_ERROR, "becoming the owner of the state directory");
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    ru != st->st_uid || eu != st->st_uid || su != st->st_uid ||
	    rg != st->st_gid || eg != st->st_gid || sg != st->st_gid)
		errx(CTL_ERROR, "could not become the state directory's owner");
}

void
ctl_open_db(struct ctl *ctl)
{
	struct stat	 st;
	char		 path[sizeof(ctl->state) + sizeof(DB_FILE) + 1];
	char		 why[sizeof(path) + 256];
	int		 version;

	if (stat(ctl->state, &st) == -1) {
		if (errno == ENOENT)
			errx(CTL_ERROR, "no database in %s: has callhomed run?",
			    ctl->state);
		err(CTL_ERROR, "%s", ctl->state);
	}
	if (!S_ISDIR(st.st_mode))
		errx(CTL_ERROR, "%s is not a directory", ctl->state);
	become_owner(&st);

	(void)snprintf(path, sizeof(path), "%s/%s", ctl->state, DB_FILE);
	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			errx(CTL_ERROR, "no database in %s: has callhomed run?",
			    ctl->state);
		err(CTL_ERROR, "%s", path);
	}
	if (!S_ISREG(st.st_mode))
		errx(CTL_ERROR, "%s is not a regular file", path);
	/* the file is the daemon user's: trust nothing in its schema */
	if (sql_open(path, SQLITE_OPEN_READONLY, 10000, &ctl->db, why,
	    sizeof(why)) == -1)
		errx(CTL_ERROR, "%s", why);
	if ((version = sql_user_version(ctl->db)) == -1)
		errx(CTL_ERROR, "%s: %s", path, sqlite3_errmsg(ctl->db));
	if (version == 0)
		errx(CTL_ERROR, "no database in %s: has callhomed run?",
		    ctl->state);
	if (version > DB_VERSION)
		errx(CTL_ERROR, "%s has schema version %d; this callhomectl "
		    "knows version %d at most", path, version, DB_VERSION);
}

void
ctl_close_db(struct ctl *ctl)
{
	if (ctl->db != NULL)
		sqlite3_close(ctl->db);
	ctl->db = NULL;
}

/* columns a string takes: UTF-8 continuation bytes take none */
int
ctl_width(const char *s)
{
	int	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

void
ctl_print_safe(FILE *fp, const char *s, int width)
{
	const unsigned char	*p = (const unsigned char *)s;
	int			 n = 0;

	while (*p != '\0') {
		if (width > 0 && n == width)
			break;
		if (*p < 0x20 || *p == 0x7f)
			putc('?', fp);
		else {
			putc(*p, fp);
			/* the rest of a UTF-8 character */
			while ((p[1] & 0xc0) == 0x80) {
				p++;
				putc(*p, fp);
			}
		}
		p++;
		n++;
	}
	for (; n < width; n++)
		putc(' ', fp);
}

static int
cmd_devices(struct ctl *ctl, int argc, char **argv)
{
	int	 json = 0, i, r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-j") == 0)
			json = 1;
		else
			usage();
	}
	ctl_load_config(ctl);
	ctl_open_db(ctl);
	r = ctl_devices(ctl, json);
	ctl_close_db(ctl);
	return r;
}

static int
cmd_verify(struct ctl *ctl, int argc, char **argv)
{
	int	 r;

	if (argc != 1)
		usage();
	ctl_load_config(ctl);
	ctl_open_db(ctl);
	r = ctl_verify(ctl);
	ctl_close_db(ctl);
	return r;
}

/*
 * The value of option `name' at argv[*i]: "-n 5", "-n5", "--since T" or
 * "--since=T"; NULL when argv[*i] is another option.
 */
static const char *
optval(int argc, char **argv, int *i, const char *name)
{
	size_t	 n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] != '\0') {
		if (name[1] == '-' && argv[*i][n] == '=')
			return argv[*i] + n + 1;
		if (name[1] != '-')
			return argv[*i] + n;
		return NULL;
	}
	if (*i + 1 >= argc) {
		warnx("%s needs an argument", name);
		usage();
	}
	return argv[++*i];
}

static int64_t
opt_time(const char *name, const char *arg)
{
	int64_t	 t;
	char	 why[128];

	if (ctl_parse_time(arg, &t, why, sizeof(why)) == -1)
		errx(CTL_USAGE, "%s \"%s\": %s; a time is YYYY-MM-DD, "
		    "\"YYYY-MM-DD HH:MM[:SS]\" (local time) or @seconds "
		    "(since 1970, UTC)", name, arg, why);
	return t;
}

static void
check_period(int64_t since, int64_t until)
{
	if (since != CTL_TIME_MIN && until != CTL_TIME_MAX && since >= until)
		errx(CTL_USAGE, "the period is empty: --since must be before "
		    "--until");
}

static int
cmd_log(struct ctl *ctl, int argc, char **argv)
{
	const char	*a, *errstr;
	int64_t		 count = -1, since = CTL_TIME_MIN,
			 until = CTL_TIME_MAX;
	int		 json = 0, i, r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-j") == 0)
			json = 1;
		else if ((a = optval(argc, argv, &i, "-n")) != NULL) {
			count = strtonum(a, 0, LLONG_MAX, &errstr);
			if (errstr != NULL)
				errx(CTL_USAGE, "-n \"%s\": the number of "
				    "records is %s", a, errstr);
		} else if ((a = optval(argc, argv, &i, "--since")) != NULL)
			since = opt_time("--since", a);
		else if ((a = optval(argc, argv, &i, "--until")) != NULL)
			until = opt_time("--until", a);
		else
			usage();
	}
	check_period(since, until);
	ctl_load_config(ctl);
	ctl_open_db(ctl);
	r = ctl_log(ctl, json, count, since, until);
	ctl_close_db(ctl);
	return r;
}

static int
cmd_show(struct ctl *ctl, int argc, char **argv)
{
	enum ctl_show_by	 by = CTL_SHOW_RECORD;
	const char		*id = NULL, *num, *errstr;
	int64_t			 n;
	int			 raw = 0, i, r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-r") == 0)
			raw = 1;
		else if (id == NULL && argv[i][0] != '-')
			id = argv[i];
		else
			usage();
	}
	if (id == NULL)
		usage();
	num = id;
	if (strncmp(id, "outbox:", 7) == 0) {
		by = CTL_SHOW_OUTBOX;
		num = id + 7;
	} else if (strncmp(id, "cycle:", 6) == 0) {
		by = CTL_SHOW_CYCLE;
		num = id + 6;
	}
	n = strtonum(num, 1, LLONG_MAX, &errstr);
	if (errstr != NULL)
		errx(CTL_USAGE, "\"%s\": not a log record number, outbox:N "
		    "or cycle:N", id);
	ctl_load_config(ctl);
	ctl_open_db(ctl);
	r = ctl_show(ctl, by, n, raw);
	ctl_close_db(ctl);
	return r;
}

static int
cmd_report(struct ctl *ctl, int argc, char **argv)
{
	enum ctl_report_format	 fmt = CTL_REPORT_HTML;
	const char		*a, *format = NULL, *path = NULL;
	int64_t			 since = CTL_TIME_MIN;
	int64_t			 until = CTL_TIME_MAX;
	FILE			*out;
	int			 i, r;

	for (i = 1; i < argc; i++) {
		if ((a = optval(argc, argv, &i, "-o")) != NULL)
			path = a;
		else if ((a = optval(argc, argv, &i, "--since")) != NULL)
			since = opt_time("--since", a);
		else if ((a = optval(argc, argv, &i, "--until")) != NULL)
			until = opt_time("--until", a);
		else if (format == NULL && argv[i][0] != '-')
			format = argv[i];
		else
			usage();
	}
	if (format == NULL)
		usage();
	if (strcmp(format, "html") == 0)
		fmt = CTL_REPORT_HTML;
	else if (strcmp(format, "csv") == 0)
		fmt = CTL_REPORT_CSV;
	else if (strcmp(format, "json") == 0)
		fmt = CTL_REPORT_JSON;
	else
		errx(CTL_USAGE, "\"%s\": a report is html, csv or json",
		    format);
	if (path != NULL && *path == '\0')
		errx(CTL_USAGE, "-o needs a file name");
	check_period(since, until);
	ctl_load_config(ctl);
	/* as the invoking user, before becoming the database's owner */
	out = ctl_report_output(ctl, path);
	ctl_open_db(ctl);
	r = ctl_report(ctl, fmt, out, since, until);
	ctl_close_db(ctl);
	return r;
}

/* live commands: the socket from -s, else from the configuration */
static int
live(struct ctl *ctl, int argc, char **argv, int command, int may_json)
{
	int	 json = 0, i;

	for (i = 1; i < argc; i++) {
		if (may_json && strcmp(argv[i], "-j") == 0)
			json = 1;
		else
			usage();
	}
	if (ctl->sockopt != NULL) {
		if (strlcpy(ctl->socket, ctl->sockopt, sizeof(ctl->socket)) >=
		    sizeof(ctl->socket))
			errx(CTL_USAGE, "socket path too long");
	} else
		ctl_load_config(ctl);
	return ctl_live(ctl, command, 0, json);
}

/*
 * outbox [-a] [-j]: what waits (read from the database);
 * outbox requeue ID, outbox drop ID: through the daemon
 */
static int
cmd_outbox(struct ctl *ctl, int argc, char **argv)
{
	const char	*errstr;
	int64_t		 id;
	int		 json = 0, all = 0, i, r, command;

	if (argc >= 2 && (strcmp(argv[1], "requeue") == 0 ||
	    strcmp(argv[1], "drop") == 0)) {
		if (argc != 3)
			usage();
		command = strcmp(argv[1], "drop") == 0 ? CTL_OUTBOX_DROP :
		    CTL_OUTBOX_REQUEUE;
		id = strtonum(argv[2], 1, LLONG_MAX, &errstr);
		if (errstr != NULL)
			errx(CTL_USAGE, "\"%s\": a document's id is %s (the ID "
			    "column of callhomectl outbox)", argv[2], errstr);
		if (ctl->sockopt != NULL) {
			if (strlcpy(ctl->socket, ctl->sockopt,
			    sizeof(ctl->socket)) >= sizeof(ctl->socket))
				errx(CTL_USAGE, "socket path too long");
		} else
			ctl_load_config(ctl);
		return ctl_live(ctl, command, id, 0);
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-j") == 0)
			json = 1;
		else if (strcmp(argv[i], "-a") == 0)
			all = 1;
		else
			usage();
	}
	ctl_load_config(ctl);
	ctl_open_db(ctl);
	r = ctl_outbox(ctl, json, all);
	ctl_close_db(ctl);
	return r;
}

static void
live_socket(struct ctl *ctl)
{
	if (ctl->sockopt != NULL) {
		if (strlcpy(ctl->socket, ctl->sockopt, sizeof(ctl->socket)) >=
		    sizeof(ctl->socket))
			errx(CTL_USAGE, "socket path too long");
	} else
		ctl_load_config(ctl);
}

static void
copy_arg(char *dst, size_t len, const char *s, const char *what)
{
	if (strlcpy(dst, s, len) >= len)
		errx(CTL_USAGE, "%s too long (at most %zu bytes)", what,
		    len - 1);
}

/*
 * incident service DEVICE --problem TEXT [--contact NAME,EMAIL,PHONE]
 *     [--send]
 * incident supply DEVICE SUPPLY-INDEX... [--send]
 */
static int
cmd_incident(struct ctl *ctl, int argc, char **argv)
{
	struct incident_req	 r;
	const char		*why;
	char			 contact[3 * INC_NAME_MAX], *p, *q;
	int			 i;

	memset(&r, 0, sizeof(r));
	if (argc < 3)
		usage();
	if (strcmp(argv[1], "service") == 0)
		r.kind = INC_SERVICE;
	else if (strcmp(argv[1], "supply") == 0)
		r.kind = INC_SUPPLY;
	else
		usage();
	copy_arg(r.device, sizeof(r.device), argv[2], "the device");
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--send") == 0)
			r.send = 1;
		else if (r.kind == INC_SERVICE &&
		    strcmp(argv[i], "--problem") == 0 && i + 1 < argc)
			copy_arg(r.problem, sizeof(r.problem), argv[++i],
			    "the problem");
		else if (r.kind == INC_SERVICE &&
		    strcmp(argv[i], "--contact") == 0 && i + 1 < argc) {
			copy_arg(contact, sizeof(contact), argv[++i],
			    "the contact");
			/* NAME,EMAIL,PHONE: the name may not hold a comma */
			p = contact;
			if ((q = strchr(p, ',')) == NULL)
				errx(CTL_USAGE, "--contact NAME,EMAIL,PHONE");
			*q++ = '\0';
			copy_arg(r.name, sizeof(r.name), p, "the name");
			p = q;
			if ((q = strchr(p, ',')) == NULL)
				errx(CTL_USAGE, "--contact NAME,EMAIL,PHONE");
			*q++ = '\0';
			copy_arg(r.email, sizeof(r.email), p, "the e-mail");
			copy_arg(r.phone, sizeof(r.phone), q, "the phone");
		} else if (r.kind == INC_SUPPLY && argv[i][0] != '-') {
			if (r.nsupplies >= INC_SUPPLIES_MAX)
				errx(CTL_USAGE, "at most %d supplies",
				    INC_SUPPLIES_MAX);
			copy_arg(r.supplies[r.nsupplies],
			    sizeof(r.supplies[0]), argv[i], "a supply index");
			r.nsupplies++;
		} else
			usage();
	}
	if (incident_req_check(&r, &why) == -1)
		errx(CTL_USAGE, "%s", why);
	live_socket(ctl);
	return ctl_incident(ctl, &r);
}

static int
cmd_incidents(struct ctl *ctl, int argc, char **argv)
{
	int	 json = 0, i, r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-j") == 0)
			json = 1;
		else
			usage();
	}
	ctl_load_config(ctl);
	ctl_open_db(ctl);
	r = ctl_incidents(ctl, json);
	ctl_close_db(ctl);
	return r;
}

static int
cmd_status(struct ctl *ctl, int argc, char **argv)
{
	return live(ctl, argc, argv, CTL_STATUS, 1);
}

static int
cmd_collect(struct ctl *ctl, int argc, char **argv)
{
	return live(ctl, argc, argv, CTL_COLLECT, 0);
}

static int
cmd_send(struct ctl *ctl, int argc, char **argv)
{
	return live(ctl, argc, argv, CTL_SEND, 0);
}

static int
cmd_checkin(struct ctl *ctl, int argc, char **argv)
{
	return live(ctl, argc, argv, CTL_CHECKIN, 0);
}

static int
cmd_reload(struct ctl *ctl, int argc, char **argv)
{
	return live(ctl, argc, argv, CTL_RELOAD, 0);
}

static const struct command commands[] = {
	{ "status", "[-j]", "the daemon: collections, uploads, processes",
	    cmd_status },
	{ "collect", "", "collect now", cmd_collect },
	{ "send", "", "deliver the outbox now", cmd_send },
	{ "checkin", "", "check in with the server now", cmd_checkin },
	{ "reload", "", "re-read the configuration", cmd_reload },
	{ "devices", "[-j]", "the latest report of every device",
	    cmd_devices },
	{ "incident", "service device --problem text [--contact "
	    "name,email,phone] [--send]", "ask the vendor for service",
	    cmd_incident },
	{ "incident", "supply device supply-index ... [--send]",
	    "ask the vendor for supplies", cmd_incident },
	{ "incidents", "[-j]", "incidents and supply requests, and their "
	    "state", cmd_incidents },
	{ "verify", "", "check the transaction log and the readings it seals",
	    cmd_verify },
	{ "outbox", "[-a] [-j] | requeue id | drop id",
	    "the documents waiting; send again or drop one", cmd_outbox },
	{ "log", "[-j] [-n count] [--since time] [--until time]",
	    "the transaction log, oldest first", cmd_log },
	{ "show", "[-r] seq | outbox:id | cycle:id",
	    "an upload document's exact bytes and hash", cmd_show },
	{ "report", "html | csv | json [-o file] [--since time] "
	    "[--until time]", "the readings and the log of a period",
	    cmd_report },
	{ NULL, NULL, NULL, NULL }
};

static __dead void
usage(void)
{
	const struct command	*c;
	char			 synopsis[160];

	fprintf(stderr, "usage: callhomectl [-f file] [-s socket] command "
	    "[argument ...]\ncommands:\n");
	for (c = commands; c->name != NULL; c++) {
		(void)snprintf(synopsis, sizeof(synopsis), "%s %s", c->name,
		    c->args);
		if (strlen(synopsis) < 16)
			fprintf(stderr, "\t%-16s%s\n", synopsis, c->help);
		else
			fprintf(stderr, "\t%s\n\t%-16s%s\n", synopsis, "",
			    c->help);
	}
	exit(CTL_USAGE);
}

int
main(int argc, char *argv[])
{
	struct ctl	 ctl;
	const struct command *c;
	int		 ch;

	memset(&ctl, 0, sizeof(ctl));
	ctl.conffile = CONF_DEFAULT_FILE;
	log_init("callhomectl", LOG_TO_STDERR, 0);
	/* options end at the command: its own options follow it */
	while ((ch = getopt(argc, argv, "+f:s:")) != -1) {
		switch (ch) {
		case 'f':
			ctl.conffile = optarg;
			break;
		case 's':
			ctl.sockopt = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	for (c = commands; c->name != NULL; c++)
		if (strcmp(argv[0], c->name) == 0)
			return c->run(&ctl, argc, argv);
	warnx("unknown command: %s", argv[0]);
	usage();
}
