/*
 * commsd: the reference communication server of callhome.
 *
 * One process.  As root it parses commsd.conf(5), reads the certificate,
 * key, client CA and schema into memory, binds its listening sockets and
 * creates its database; then it chroots to the database's directory (its
 * state directory), drops to an unprivileged user and enters the sandbox
 * declared in sandbox.c.  Inside, a libevent loop accepts connections,
 * speaks TLS with libtls (a client certificate from the client CA is
 * required), reads one bounded HTTP/1.1 request per connection (http.c),
 * validates and stores uploads (upload.c, store.c) and answers with a
 * receipt.
 *
 *	commsd.c	main, start-up, the -q queries' dispatch
 *	parse.y		commsd.conf(5)
 *	conf.c		defaults, printing (-nv), freeing
 *	http.c		the request parser and the responses
 *	upload.c	gzip, SHA-256, the schema check, the receipt
 *	checkin.c	check-ins: the bundles an operator left; packages
 *	storage.h	the database's interface: one table of functions
 *	store.c		its dispatch, and what its back ends share
 *	store_sqlite.c	SQLite: schema, storing, the transaction log
 *	store_pg.c	PostgreSQL: the same, for several nodes
 *	query.c		-q documents, document, devices, log, verify
 *	server.c	sockets, TLS, connections, deadlines
 *	sandbox.c	the sandbox declaration
 *
 * Every global symbol starts with comms_ (or COMMS_): unit tests and
 * fuzzers link all the programs' libraries together.
 */
#ifndef COMMSD_H
#define COMMSD_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libxml/tree.h>

#include "buf.h"
#include "config.h"
#include "json.h"

#define COMMS_CONF_FILE		"/etc/commsd/commsd.conf"
#define COMMS_DEFAULT_USER	"_commsd"
#define COMMS_DEFAULT_PORT	443
#define COMMS_DEFAULT_MAX_DOC	(16ULL * 1024 * 1024)
#define COMMS_DEFAULT_MAX_CONNS	64
#define COMMS_MAX_CONNS_LIMIT	1000	/* "max connections" at most */
#define COMMS_DEFAULT_MAX_CONNS_GW 4	/* of one gateway (CN) */
#define COMMS_DEFAULT_MAX_HS	16	/* connections before TLS is done */
#define COMMS_DEFAULT_MAX_HS_ADDR 4	/* of them from one address */
#define COMMS_DEFAULT_HS_TIMEOUT 5000	/* ms */
#define COMMS_DEFAULT_INFLIGHT	(64ULL * 1024 * 1024)	/* at least */
#define COMMS_DEFAULT_WORKERS	2
#define COMMS_DEFAULT_CHECK_TIMEOUT 10000	/* ms */
/* TLS 1.2: ECDHE and AEAD only (config.h: CONF_DEFAULT_CIPHERS) */
#define COMMS_DEFAULT_CIPHERS	CONF_DEFAULT_CIPHERS
/* keep-alive: an idle connection's wait, the requests of one connection */
#define COMMS_DEFAULT_KA_TIMEOUT 5000	/* ms; 0: one request each */
#define COMMS_DEFAULT_KA_REQUESTS 100
#define COMMS_MAX_KEEPALIVE_REQUESTS 100000
/* TLS session resumption: how long a session or ticket is good */
#define COMMS_DEFAULT_SESSION_LIFETIME 7200	/* s; 0: none */
#define COMMS_MAX_SESSION_LIFETIME (24 * 60 * 60)
/* a refusal for want of room: "Retry-After", seconds */
#define COMMS_RETRY_AFTER	60

#define COMMS_STR_MAX		256	/* paths, names, the token */
#define COMMS_MAX_LISTEN	16
#define COMMS_MAX_INCLUDE_DEPTH	8
#define COMMS_MAX_FILE		(1024 * 1024)	/* certificates, keys, schema */

/* deadlines, in seconds (the handshake's is configured) */
#define COMMS_HEADER_TIMEOUT	10
#define COMMS_BODY_TIMEOUT	60
#define COMMS_WRITE_TIMEOUT	30

/*
 * TLS failures in the transaction log: at most COMMS_TLS_FAIL_BURST
 * records in an interval of COMMS_TLS_FAIL_INTERVAL seconds (from its
 * first failure), then one record with the count of the others
 */
#define COMMS_TLS_FAIL_BURST	10
#define COMMS_TLS_FAIL_INTERVAL	10

/* TLS protocol bits: the values of libtls's TLS_PROTOCOL_TLSv1_2/1_3 */
#define COMMS_TLSV1_2		(1 << 3)
#define COMMS_TLSV1_3		(1 << 4)

/* fault injection, for tests of the gateway only */
#define COMMS_FAULT_RECEIPT_HASH 0x01	/* the receipt carries a wrong hash */
#define COMMS_FAULT_DELAY	0x02	/* wait before answering an upload */
#define COMMS_FAULT_CLOSE	0x04	/* close instead of answering */
#define COMMS_FAULT_REPLAY	0x08	/* serve every bundle, old ones too */
#define COMMS_FAULT_DRIP	0x10	/* send packages a byte a second */

struct comms_listen {
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 addr[64];	/* as written, normalised */
	uint16_t		 port;
};

struct comms_conf {
	struct comms_listen	 listen[COMMS_MAX_LISTEN];
	size_t			 nlisten;
	char			 cert[COMMS_STR_MAX];
	char			 key[COMMS_STR_MAX];
	char			 client_ca[COMMS_STR_MAX];
	uint32_t		 protocols;	/* COMMS_TLSV1_* */
	char			 database[COMMS_STR_MAX]; /* file or URI */
	char			 statedir[COMMS_STR_MAX]; /* PostgreSQL's */
	char			 packages[COMMS_STR_MAX];
	char			 instructions[COMMS_STR_MAX];	/* bundles */
	char			 schema[COMMS_STR_MAX];
	char			 token[COMMS_STR_MAX];	/* secret, or "" */
	uint64_t		 max_document;	/* bytes */
	uint32_t		 max_conns;	/* with TLS established */
	uint32_t		 max_conns_gw;	/* of one gateway */
	uint32_t		 max_handshakes;	/* before */
	uint32_t		 max_handshakes_addr;	/* one address's */
	uint64_t		 handshake_timeout_ms;
	uint64_t		 keepalive_timeout_ms;	/* 0: none */
	uint32_t		 keepalive_requests;	/* of one connection */
	uint32_t		 session_lifetime;	/* s; 0: no resumption */
	uint64_t		 max_inflight;	/* bytes of documents held */
	char			 ciphers[COMMS_STR_MAX];
	uint32_t		 workers;
	uint64_t		 check_timeout_ms;
	uint32_t		 max_attrs;	/* per element */
	uint32_t		 max_nodes;
	uint64_t		 worker_memory;	/* a worker's address space */
	char			 user[COMMS_STR_MAX];
	int			 faults;	/* COMMS_FAULT_* */
	uint32_t		 fault_delay_ms;
};

/* parse.y */
#define COMMS_CONF_NOPERMCHECK	0x01	/* unit tests and fuzzing only */
struct comms_conf	*comms_parse_config(const char *, int);
/* from memory; includes are refused */
struct comms_conf	*comms_parse_config_buffer(const char *, const char *,
			    size_t);

/* conf.c */
/* SHAREDIR "/callhome.xsd": the Makefile may set SHAREDIR for conf.c */
extern const char	 comms_default_schema[];
struct comms_conf	*comms_conf_new(void);
void			 comms_conf_free(struct comms_conf *);
/* the settings that default to a function of others, once parsed */
void			 comms_conf_derive(struct comms_conf *);
#define COMMS_PRINT_SECRETS	0x01	/* the token itself, not "********" */
void			 comms_print_config(FILE *, const struct comms_conf *,
			    int);
/* the directory of the database: commsd's state directory and root */
int			 comms_state_dir(const struct comms_conf *, char *,
			    size_t);
/* the database's path inside the chroot: "/" and its file name */
const char		*comms_db_name(const struct comms_conf *);
/*
 * A PostgreSQL URI with its password, if any, as "********" (in the
 * user information or a password= parameter): for printing and logs
 */
void			 comms_uri_mask(const char *, char *, size_t);
/* the password in conf->database, once connected: wiped, masked */
void			 comms_conf_hide_database(struct comms_conf *);
/* a "." or ".." component */
int			 comms_path_has_dots(const char *);
void			 comms_conf_warn_faults(const struct comms_conf *);

/*
 * The peer of one connection, as TLS established it.
 */
struct comms_peer {
	char		 address[64];	/* "127.0.0.1:4711", "[::1]:4711" */
	char		 cn[COMMS_STR_MAX];	/* client certificate's CN */
	char		 cert_sha256[65];	/* SHA-256 of its DER, hex */
	char		 tls_version[16];
	char		 cipher[64];
};

/*
 * The database, through the storage interface (storage.h): SQLite
 * (store_sqlite.c) or PostgreSQL (store_pg.c), chosen by comms_db_open()
 * from the configured "database".
 */
struct comms_db_ops;
struct comms_db {
	const struct comms_db_ops *ops;
	void		*be;		/* the back end's connection */
	int		 readonly;
};

/* SQLite: PRAGMA user_version; PostgreSQL: commsd_schema.version */
#define COMMS_DB_VERSION	5
#define COMMS_DB_CREATE		0x01
#define COMMS_DB_READONLY	0x02

/* transaction log kinds */
#define COMMS_LOG_START		"start"
#define COMMS_LOG_STOP		"stop"
#define COMMS_LOG_CONNECT	"connect"
#define COMMS_LOG_TLS_FAILURE	"tls-failure"
#define COMMS_LOG_UPLOAD	"upload"
#define COMMS_LOG_DUPLICATE	"duplicate"
#define COMMS_LOG_REJECT	"reject"
#define COMMS_LOG_ERROR		"error"
#define COMMS_LOG_CHECKIN	"checkin"	/* and the bundles served */
#define COMMS_LOG_PACKAGE	"package"	/* a package file served */
#define COMMS_LOG_CYCLE		"cycle"		/* all parts of one arrived */
#define COMMS_LOG_INCIDENT	"incident"	/* an operator's status */

/*
 * A database file (inside the chroot, or its whole path read-only) or a
 * PostgreSQL URI; created or migrated unless read-only.  -1 with err.
 */
int		 comms_db_open(struct comms_db *, const char *, int, char *,
		    size_t);
void		 comms_db_close(struct comms_db *);
const char	*comms_db_errmsg(const struct comms_db *);
/* the connection to the database is gone (storage.h's lost): 1 */
int		 comms_db_lost(const struct comms_db *);
/*
 * A server that lost its database ends with this status; commsd's
 * keeper starts another, which connects again (commsd.c).  Meanwhile a
 * request that needs the database is answered 503 with this reason.
 */
#define COMMS_EXIT_DBLOST	75	/* EX_TEMPFAIL */
#define COMMS_DBLOST_REASON	"the database is not reachable: try again " \
				"later"
/* one record in its own transaction; -1 on a database error */
int		 comms_db_log(struct comms_db *, int64_t, const char *,
		    const char *, const char *);

/* an accepted, schema-valid upload, as store.c receives it */
struct comms_doc {
	const uint8_t	*bytes;		/* the document, inflated */
	size_t		 len;
	size_t		 wire_len;	/* the body as it came */
	const char	*encoding;	/* "identity" or "gzip" */
	char		 sha256[65];
	const uint8_t	*extract;	/* checked: comms_extract_check() */
	size_t		 extractlen;
	uint64_t	 ndevices;
	const char	*claimed_sha256; /* X-Callhome-Document-Sha256 */
	const char	*user_agent;
};
struct comms_stored {
	int64_t		 id;
	int		 duplicate;
	int64_t		 cycle;
	int64_t		 ndevices;
	int64_t		 duplicates;	/* duplicates_seen, this one included */
	int64_t		 txseq;
	int64_t		 part;		/* ch:Part: 1 of 1 without one */
	int64_t		 parts;
	int64_t		 received;	/* the cycle's distinct parts so far */
	int		 completed;	/* this one completed the cycle */
};
/*
 * Store a document with its readings, job data and incidents (each
 * incident once per gateway and number), or find it again (same
 * gateway, same SHA-256), and its transaction log record ("upload" or
 * "duplicate"), all in one transaction; a part that completes its cycle
 * adds a "cycle" record.
 * -1 on a database error, -2 when the document's Part disagrees with the
 * parts of its cycle stored before (another count): err says it.
 */
int		 comms_db_store(struct comms_db *, const struct comms_peer *,
		    const struct comms_doc *, int64_t now,
		    struct comms_stored *, char *, size_t);
/* a check-in, a package served: storage.h, struct comms_db_ops */
struct comms_checkin;
struct comms_bundle;
int		 comms_db_checkin(struct comms_db *, const struct comms_peer *,
		    int64_t, const struct comms_checkin *,
		    const struct comms_bundle *, size_t, size_t *);
int		 comms_db_package(struct comms_db *, const struct comms_peer *,
		    int64_t, const char *file, const char *sha256, size_t,
		    const char *summary, const char *detail);
/*
 * An incident's status (received, shipped, closed) and its "incident"
 * record: 0; 1 when there is no incident id; -1 on a database error.
 */
int		 comms_db_incident_status(struct comms_db *, int64_t id,
		    const char *status, int64_t now, const char *summary,
		    const char *detail);
/* the server's sandbox with this database */
const struct sandbox *comms_db_sandbox(const struct comms_db *);
/*
 * The server's database: comms_db_start() as root before the sandbox,
 * once the workers' spawner runs; comms_db_sandboxed() in the sandbox.
 * -1 with err.
 */
int		 comms_db_start(struct comms_db *, const struct comms_conf *,
		    const char *state, uid_t, gid_t, char *, size_t);
int		 comms_db_sandboxed(struct comms_db *,
		    const struct comms_conf *, char *, size_t);

/* the detail of a log record: a JSON object built in memory */
struct comms_detail {
	FILE		*fp;
	char		*buf;
	size_t		 len;
	struct json	 j;
};
void		 comms_detail_begin(struct comms_detail *);
/* peer, gateway, cert_sha256, tls, cipher */
void		 comms_detail_peer(struct comms_detail *,
		    const struct comms_peer *);
/* the text, to free() */
char		*comms_detail_end(struct comms_detail *);

/*
 * upload.c: what the server does with a complete request.
 */
struct comms_scan_limits;
struct comms_ctx {
	struct comms_db		*db;
	struct xschema		*schema;	/* comms_upload() only */
	const struct comms_scan_limits *scan;	/* NULL: the defaults */
	size_t			 max_document;
	int			 faults;
	const char		*instructions;	/* inside the chroot */
	const char		*packages;
};

struct comms_http;

struct comms_result {
	int		 status;	/* HTTP status of the answer */
	char		 reason[512];	/* why, when it is not 200 */
	char		 sha256[65];	/* of the inflated document */
	struct comms_stored doc;
	char		 server_time[32];
};

/*
 * Handle one parsed request: inflate, hash, validate, store, log.  The
 * answer (a receipt or a SOAP Fault, with its HTTP head) is appended to
 * out.  Every outcome is logged in the database.  This is the three
 * steps below, with the check made in this process: for unit tests and
 * fuzzers (the server has it made by a worker, worker.c).
 */
void		 comms_upload(struct comms_ctx *, const struct comms_peer *,
		    struct comms_http *, int64_t now, struct comms_result *,
		    struct wbuf *);
/* an upload between its steps */
struct comms_work {
	uint8_t		*inflated;	/* owned, or NULL */
	const uint8_t	*bytes;		/* the document: inflated or the body */
	size_t		 len;
	size_t		 wire_len;
	int		 gzip;
};
/*
 * 1. Remove the Content-Encoding, into at most room bytes (beyond that,
 * 503: the server is busy); the body is freed once inflated.  Hash the
 * document; refuse it when X-Callhome-Document-Sha256 names another
 * hash.  0: the document in w is to be checked; -1: refused, answered
 * in out and logged.
 */
int		 comms_upload_begin(struct comms_ctx *,
		    const struct comms_peer *, struct comms_http *, int64_t,
		    size_t room, struct comms_work *, struct comms_result *,
		    struct wbuf *);
/*
 * 2. The check (check.h), by a worker.  3. Its outcome: status 0 and
 * the extract, stored and answered with a receipt; or a status and its
 * reason, refused.  w is freed.
 */
void		 comms_upload_end(struct comms_ctx *,
		    const struct comms_peer *, struct comms_http *, int64_t,
		    struct comms_work *, int status, const char *reason,
		    const uint8_t *extract, size_t extractlen,
		    struct comms_result *, struct wbuf *);
void		 comms_work_free(struct comms_work *);
/* an upload record's ch:Part (check.h): 1 of 1 from 0 when it has none */
struct comms_record;
#define COMMS_MAX_PARTS		1048576		/* the schema's PartNumber */
void		 comms_upload_part(const struct comms_record *, int64_t *part,
		    int64_t *parts, int64_t *first);
/*
 * checkin.c: the check-in's last step, once a worker has checked its
 * CheckIn (its steps before are the upload's): the bundles of the
 * gateway's directory it has not accepted yet, logged and answered.
 */
void		 comms_checkin_end(struct comms_ctx *,
		    const struct comms_peer *, struct comms_http *, int64_t,
		    struct comms_work *, int status, const char *reason,
		    const uint8_t *extract, size_t extractlen,
		    struct comms_result *, struct wbuf *);
/*
 * A package file or its signature (h->file) from the packages directory,
 * at most room bytes held (503 beyond), logged and answered in out.
 * 0, or -1 when refused (answered too).
 */
int		 comms_package(struct comms_ctx *, const struct comms_peer *,
		    struct comms_http *, int64_t now, size_t room,
		    struct wbuf *out);
/* log a rejected request (not 2xx) and build its answer */
void		 comms_reject(struct comms_ctx *, const struct comms_peer *,
		    struct comms_http *, int64_t now, int status,
		    const char *reason, struct wbuf *);
/*
 * gzip (one member, nothing after it) into at most max bytes.
 * 0, or -1 with err when invalid, -2 when larger than max.
 */
int		 comms_inflate(const uint8_t *, size_t, size_t, uint8_t **,
		    size_t *, char *, size_t);
/* the receipt document (no HTTP head) */
void		 comms_receipt_xml(struct wbuf *, const char *sha256,
		    int64_t id, const char *server_time, int duplicate);

/* query.c: -q, read-only, straight from the database */
int		 comms_query(const struct comms_conf *, const char *what,
		    const char *arg, int json);
/* jobdata.c: -q jobdata [ID [-k private key file]] */
int		 comms_incident_status(const struct comms_conf *,
		    const char *id, const char *status);
int		 comms_query_jobdata(const struct comms_conf *,
		    const char *arg, const char *keyfile, int json);

/* server.c */
struct comms_server;
struct comms_tls_files {
	uint8_t		*cert, *key, *ca;
	size_t		 certlen, keylen, calen;
};
struct comms_server *comms_server_new(const struct comms_conf *,
		    struct comms_tls_files *);
size_t		 comms_listen_bind(const struct comms_conf *,
		    int [COMMS_MAX_LISTEN]);
void		 comms_server_listen(struct comms_server *, const int *,
		    size_t);
/* in the child of daemon(3) */
void		 comms_server_forked(struct comms_server *);
/*
 * On PostgreSQL, commsd's keeper (keeper.c): returns only in a server
 * it forked, 0 in the first, 1 in those after a lost database; exits
 * as the last server did.
 */
int		 comms_keeper(void);
/*
 * In the sandbox, with the database inside the chroot and the channel to
 * the workers' spawner (worker.h): serve until SIGTERM or SIGINT.  Only
 * exit(3) may follow.
 */
void		 comms_server_run(struct comms_server *, struct comms_db *,
		    int);

/* sandbox.c */
struct sandbox;
extern const struct sandbox	commsd_sandbox;		/* SQLite's */
extern const struct sandbox	commsd_pg_sandbox;	/* PostgreSQL's */
extern const struct sandbox	commsd_spawner_sandbox;
extern const struct sandbox	commsd_worker_sandbox;

#endif /* COMMSD_H */
