/*
 * commsd: the reference communication server of callhome.  See commsd.h
 * for the parts, commsd(8) for the use.
 *
 * Start-up, as root: parse the configuration; read the certificate,
 * client CA and schema into memory; check that the schema compiles;
 * prepare the state directory and create the database in it (in a child
 * that is already chrooted to it and runs as the unprivileged user, so
 * that everything it creates is that user's); fork the spawner of the
 * workers that check documents (worker.h), which never sees the key;
 * read the key and configure TLS; bind the listening sockets; then enter
 * the sandbox (sandbox.c), open the database inside it and serve.
 *
 * On PostgreSQL the listening sockets are bound first, and commsd stays
 * their keeper (keeper.c): from the spawner on, all of the above is done
 * by a server it forks, and again by a new one whenever a server lost
 * its database (a restart of PostgreSQL).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <grp.h>
#include <malloc.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commsd.h"
#include "file.h"
#include "log.h"
#include "sandbox.h"
#include "storage.h"
#include "txlog.h"
#include "worker.h"
#include "xmlsafe.h"

static __dead void
usage(void)
{
	fprintf(stderr,
	    "usage: commsd [-dnv] [-f file]\n"
	    "       commsd [-j] [-f file] -q documents | cycles | devices | "
	    "checkins |\n"
	    "                                    incidents | log | verify\n"
	    "       commsd [-f file] -S received | shipped | closed -q "
	    "incident id\n"
	    "       commsd [-f file] -q document id\n"
	    "       commsd [-j] [-f file] -q jobdata\n"
	    "       commsd [-f file] [-k keyfile] -q jobdata id\n");
	exit(1);
}

/* a whole file into memory; the key's must not be readable by others */
static uint8_t *
read_whole(const char *what, const char *path, int secret, size_t *lenp)
{
	struct stat	 st;
	uint8_t		*buf;
	int		 error;

	if ((buf = file_read(path, COMMS_MAX_FILE, FILE_FOLLOW |
	    (secret ? FILE_SECRET : 0), lenp, &st, &error)) == NULL) {
		if (error == FILE_EOPEN || error == FILE_EREAD)
			fatal("%s %s", what, path);
		if (error == FILE_EBIG)
			fatalx("%s %s: larger than %d bytes", what, path,
			    COMMS_MAX_FILE);
		fatalx("%s %s: %s", what, path, file_strerror(error));
	}
	if (secret && (st.st_mode & (S_IRWXG | S_IRWXO)))
		log_warnx("WARNING: %s %s is accessible to group or others "
		    "(mode %04o): make it 0600", what, path,
		    (unsigned int)(st.st_mode & 07777));
	if (*lenp == 0)
		fatalx("%s %s is empty", what, path);
	return buf;
}

/* the state directory exists, is a directory, is the user's */
static void
prepare_state(const char *dir, const char *user, uid_t uid, gid_t gid)
{
	struct stat	 st;

	if (mkdir(dir, 0700) == 0) {
		if (chown(dir, uid, gid) == -1)
			fatal("chown %s", dir);
		log_info("created the state directory %s", dir);
	} else if (errno != EEXIST)
		fatal("mkdir %s", dir);
	if (lstat(dir, &st) == -1)
		fatal("%s", dir);
	if (!S_ISDIR(st.st_mode))
		fatalx("state directory %s is not a directory", dir);
	if (st.st_uid != uid)
		fatalx("state directory %s must be owned by %s (uid %u), not "
		    "uid %u", dir, user, (unsigned int)uid,
		    (unsigned int)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		fatalx("state directory %s must not be writable by group or "
		    "others", dir);
}

/* a directory inside the chroot and those above it, as the user */
static void
mkdirs(const char *state, const char *path)
{
	char	 dir[COMMS_STR_MAX], *p;

	/* "/" and its path there */
	(void)strlcpy(dir, path + strlen(state), sizeof(dir));
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			char	 c = *p;

			*p = '\0';
			if (mkdir(dir, 0700) == -1 && errno != EEXIST)
				fatal("mkdir %s%s", state, dir);
			*p = c;
		}
		if (*p == '\0')
			break;
	}
}

/*
 * The packages and instructions directories, created by a child in the
 * conditions of the sandbox: chrooted to the state directory, as the
 * user.  Errors are reported before commsd goes to the background.
 */
static void
prepare_dirs(const struct comms_conf *conf, const char *state, uid_t uid,
    gid_t gid)
{
	pid_t		 pid;
	int		 status;

	switch ((pid = fork())) {
	case -1:
		fatal("fork");
	case 0:
		if (chroot(state) == -1 || chdir("/") == -1)
			fatal("chroot %s", state);
		if (setgroups(1, &gid) == -1 ||
		    setresgid(gid, gid, gid) == -1 ||
		    setresuid(uid, uid, uid) == -1)
			fatal("dropping privileges");
		(void)umask(077);
		mkdirs(state, conf->packages);
		mkdirs(state, conf->instructions);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) == -1)
		fatal("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fatalx("the directories of %s could not be made", state);
}

int
main(int argc, char *argv[])
{
	struct comms_tls_files	 files;
	struct comms_spawn_params wp;
	struct sandbox_params	 sp;
	struct comms_conf	*conf;
	struct comms_server	*sv;
	struct comms_db		 db;
	struct passwd		*pw;
	struct xschema		*schema;
	const char		*file = COMMS_CONF_FILE, *query = NULL;
	const char		*status = NULL;
	const char		*keyfile = NULL;
	char			 state[COMMS_STR_MAX], err[1024];
	char			 dbname[COMMS_STR_MAX];	/* no password */
	uint8_t			*xsd;
	size_t			 xsdlen;
	uid_t			 uid;
	gid_t			 gid;
	int			 c, foreground = 0, noaction = 0, verbose = 0;
	int			 json = 0, spawner;
	int			 kept = 0, again = 0, lost;
	int			 lfd[COMMS_MAX_LISTEN];
	size_t			 nlfd = 0;

	log_init("commsd", LOG_TO_STDERR, 1);
	while ((c = getopt(argc, argv, "df:jk:nq:S:v")) != -1) {
		switch (c) {
		case 'd':
			foreground = 1;
			break;
		case 'f':
			file = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'n':
			noaction = 1;
			break;
		case 'q':
			query = optarg;
			break;
		case 'S':
			status = optarg;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	log_setverbose(verbose);

	if (query != NULL) {
		if (foreground || noaction || argc > 1)
			usage();
		if ((conf = comms_parse_config(file, 0)) == NULL)
			exit(1);
		if (status != NULL) {
			if (strcmp(query, "incident") != 0 || argc != 1 ||
			    json || keyfile != NULL)
				usage();
			c = comms_incident_status(conf, argv[0], status);
		} else if (strcmp(query, "jobdata") == 0)
			c = comms_query_jobdata(conf, argc == 1 ? argv[0] :
			    NULL, keyfile, json);
		else if (keyfile != NULL)
			usage();
		else
			c = comms_query(conf, query, argc == 1 ? argv[0] : NULL,
			    json);
		comms_conf_free(conf);
		return c;
	}
	if (argc != 0 || json || keyfile != NULL || status != NULL)
		usage();
	if (!noaction && geteuid() != 0)
		fatalx("commsd must be started as root: it binds its port, "
		    "chroots and drops to its user");
	if ((conf = comms_parse_config(file, 0)) == NULL)
		exit(1);
	comms_conf_warn_faults(conf);
	if (noaction) {
		if (verbose)
			comms_print_config(stdout, conf, 0);
		printf("configuration OK\n");
		comms_conf_free(conf);
		return 0;
	}
	comms_uri_mask(conf->database, dbname, sizeof(dbname));
	if (comms_state_dir(conf, state, sizeof(state)) == -1)
		fatalx("database %s: no state directory", dbname);
	if ((pw = getpwnam(conf->user)) == NULL)
		fatalx("user \"%s\" does not exist (create it, e.g. with "
		    "useradd --system %s)", conf->user, conf->user);
	if (pw->pw_uid == 0 || pw->pw_gid == 0)
		fatalx("user \"%s\" must not be root", conf->user);
	uid = pw->pw_uid;
	gid = pw->pw_gid;

	/* everything commsd reads from files but the key, read now */
	memset(&files, 0, sizeof(files));
	files.cert = read_whole("certificate", conf->cert, 0, &files.certlen);
	files.ca = read_whole("client ca", conf->client_ca, 0, &files.calen);
	xsd = read_whole("schema", conf->schema, 0, &xsdlen);

	/* libraries that would read files or load modules on first use */
	xmlsafe_init();
	/* the workers compile it again: here it is only checked */
	if ((schema = xschema_load(xsd, xsdlen, err, sizeof(err))) == NULL)
		fatalx("schema %s: %s", conf->schema, err);
	xschema_free(schema);
	txlog_init();

	prepare_state(state, conf->user, uid, gid);
	prepare_dirs(conf, state, uid, gid);
	if (comms_db_is_pg(conf->database)) {
		/* the keeper's: every server it forks serves them */
		nlfd = comms_listen_bind(conf, lfd);
		if (!foreground) {
			if (daemon(0, 0) == -1)
				fatal("daemon");
			log_init("commsd", LOG_TO_SYSLOG, verbose);
		}
		kept = 1;
		again = comms_keeper();
	}

	/* before the key is read: the workers never hold it */
	memset(&wp, 0, sizeof(wp));
	wp.conf = conf;
	wp.xsd = xsd;
	wp.xsdlen = xsdlen;
	wp.limits.max_document = (size_t)conf->max_document;
	comms_scan_limits_default(&wp.limits.scan);
	wp.limits.scan.max_attrs = conf->max_attrs;
	wp.limits.scan.max_nodes = conf->max_nodes;
	/* the CPU limit backs the deadline, which the server enforces */
	wp.cpu_seconds = (unsigned int)(conf->check_timeout_ms / 1000) + 1;
	wp.max_memory = conf->worker_memory;
	wp.max_workers = conf->workers;
	wp.uid = uid;
	wp.gid = gid;
	wp.root = state;
	wp.quiet = !foreground;
	spawner = comms_spawner_start(&wp);
	free(xsd);

	/*
	 * After the spawner, which must never hold the database's
	 * connection or password: SQLite's file made by a child in the
	 * chroot, or PostgreSQL connected for good (its password, if the
	 * URI had one, is wiped from the configuration then)
	 */
	if (comms_db_start(&db, conf, state, uid, gid, err, sizeof(err)) ==
	    -1) {
		if (again) {
			/* down still: the keeper tries again later */
			log_warnx("database %s: %s", dbname, err);
			exit(COMMS_EXIT_DBLOST);
		}
		fatalx("database %s: %s", dbname, err);
	}
	comms_conf_hide_database(conf);

	files.key = read_whole("key", conf->key, 1, &files.keylen);
	sv = comms_server_new(conf, &files);
	explicit_bzero(files.key, files.keylen);
	free(files.key);
	free(files.cert);
	free(files.ca);
	comms_server_listen(sv, kept ? lfd : NULL, nlfd);

	if (!foreground && !kept) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		/* connected now: there is no /dev/log in the chroot */
		log_init("commsd", LOG_TO_SYSLOG, verbose);
		comms_server_forked(sv);
	}

	memset(&sp, 0, sizeof(sp));
	sp.uid = uid;
	sp.gid = gid;
	sp.root = state;
	sp.ppid = kept ? getppid() : 0;	/* the keeper */
	(void)umask(077);
	sandbox_enter(comms_db_sandbox(&db), &sp);
	if (comms_db_sandboxed(&db, conf, err, sizeof(err)) == -1)
		fatalx("database %s: %s", dbname, err);
	log_debug("sandboxed in %s as %s, database %s", state, conf->user,
	    dbname);

	/* large buffers (documents) go back to the system when freed */
	(void)mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	comms_server_run(sv, &db, spawner);

	lost = comms_db_lost(&db);
	comms_db_close(&db);
	comms_conf_free(conf);
	if (lost)
		exit(COMMS_EXIT_DBLOST);	/* to the keeper */
	log_info("exiting");
	return 0;
}
