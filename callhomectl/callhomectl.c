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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../auditd/db.h"
#include "callhomectl.h"
#include "config.h"
#include "log.h"
#include "msg.h"

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
	sqlite3_stmt	*q;
	int		 version = -1;

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
	if (sqlite3_open_v2(path, &ctl->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK)
		errx(CTL_ERROR, "%s: %s", path, ctl->db != NULL ?
		    sqlite3_errmsg(ctl->db) : "cannot open");
	/* the file is the daemon user's: trust nothing in its schema */
	(void)sqlite3_db_config(ctl->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	(void)sqlite3_db_config(ctl->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0,
	    NULL);
	(void)sqlite3_busy_timeout(ctl->db, 10000);

	if (sqlite3_prepare_v2(ctl->db, "PRAGMA user_version", -1, &q,
	    NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			version = sqlite3_column_int(q, 0);
		sqlite3_finalize(q);
	}
	if (version == -1)
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
	return ctl_live(ctl, command, json);
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
	{ "verify", "", "check the transaction log and the readings it seals",
	    cmd_verify },
	{ NULL, NULL, NULL, NULL }
};

static __dead void
usage(void)
{
	const struct command	*c;
	char			 synopsis[64];

	fprintf(stderr, "usage: callhomectl [-f file] [-s socket] command "
	    "[argument ...]\ncommands:\n");
	for (c = commands; c->name != NULL; c++) {
		(void)snprintf(synopsis, sizeof(synopsis), "%s %s", c->name,
		    c->args);
		fprintf(stderr, "\t%-16s%s\n", synopsis, c->help);
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
