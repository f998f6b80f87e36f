/*
 * commsd's storage: the one interface between the server and its
 * database.  The rest of commsd calls the comms_db_*() functions of
 * commsd.h, which dispatch through the back end's table below; which
 * back end a handle has is decided once, by comms_db_open(), from the
 * configured "database": a PostgreSQL connection URI
 * ("postgresql://..." or "postgres://...") or else a SQLite file.
 *
 *	store_sqlite.c	one file in the state directory (the default: one
 *			node)
 *	store_pg.c	PostgreSQL through libpq: any number of nodes on
 *			one database
 *	store.c		what both share: the dispatch, the log records'
 *			summaries and details, the extract's integers
 *
 * Both keep the same tables with the same meaning (store_sqlite.c
 * describes them column by column; store_pg.c says how its types map),
 * the same transaction log (common/txlog.h's chain), and answer the same
 * queries (enum comms_query) with the same columns, so that query.c
 * prints the same "commsd -q" output from either.
 *
 * Guarantees each back end gives, and how:
 *   - a document is stored once per gateway and SHA-256: a unique key
 *     on (gateway, sha256) in the database; a second copy is a
 *     duplicate with the first one's number;
 *   - every store, check-in and package served is one transaction with
 *     its log record;
 *   - the log is one hash chain: appends are serialised by the database
 *     (SQLite: BEGIN IMMEDIATE, one writer; PostgreSQL: a transaction
 *     advisory lock, see store_pg.c);
 *   - a gateway's check-ins are serialised on its row, so bundles are
 *     served in order and a bundle in flight is not served twice;
 *   - a document's job data and incidents are stored in the document's
 *     own transaction; an incident once per gateway and number: a
 *     unique key on (gateway, incident number), the first document that
 *     carries it stores it with its supplies, later ones (every part of
 *     a cycle carries it, a document may come again) leave it;
 *   - an incident's status is set in one transaction with its
 *     "incident" record.
 */
#ifndef COMMSD_STORAGE_H
#define COMMSD_STORAGE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct comms_conf;
struct comms_db;
struct comms_peer;
struct comms_doc;
struct comms_stored;
struct sandbox;

/*
 * The queries of "commsd -q", by number; each back end has the SQL of
 * each.  Their columns, in order:
 */
enum comms_query {
	/* id, gateway cn, sha256, received, size, encoding, cycle_id,
	 * ndevices, duplicates_seen, part, parts: by id */
	CQ_DOCUMENTS,
	/* cn, cycle_id, cycle_started, parts, received, devices,
	 * first_received, completed, gateway_id: by id */
	CQ_CYCLES,
	/* (gateway_id, cycle_id, cycle_started): the distinct parts, in
	 * order */
	CQ_CYCLE_PARTS,
	/* (id): bytes */
	CQ_DOCUMENT,
	/* the latest document's id, 0 when none */
	CQ_LATEST,
	/* (document): ordinal, device_key, address, outcome, serial,
	 * vendor, enterprise, model, firmware, device_status,
	 * printer_status, errors, reason, sysdescr, sysobjectid,
	 * model_source, serial_source, firmware_source, sysname,
	 * syscontact, syslocation, uptime, collected: by ordinal */
	CQ_REPORTS,
	/* (document, device ordinal): name, unit, value, source */
	CQ_METERS,
	/* (document, device ordinal): idx, description, class, type,
	 * color, unit, max, level, percent */
	CQ_SUPPLIES,
	/* (document, device ordinal): idx, severity, grp, code,
	 * description, time */
	CQ_ALERTS,
	/* seq, time, kind, summary, detail, hash: by seq */
	CQ_LOG,
	/* cn, checkins, last_checkin, last_sequence, software: by cn */
	CQ_CHECKINS,
	/* cn, sequence, file, sha256, first_served, last_served,
	 * times_served, acknowledged: by cn, sequence */
	CQ_DELIVERIES,
	/* id, gateway cn, incident_id, kind, origin, device_key, created,
	 * status, problem, contact_name, contact_email, contact_phone,
	 * supplies (their indexes in byte order, one space between; NULL
	 * when none), document_id, status_time: by id */
	CQ_INCIDENTS,
	/* id, document_id, gateway cn, device_key, received (of the
	 * document), sealed: by id */
	CQ_JOBDATA,
	/* (id): sealed */
	CQ_JOBDATA_ONE,
	CQ_NQUERIES
};

/* a query's parameter: an integer, or text when s is not NULL */
struct comms_qarg {
	int64_t		 i;
	const char	*s;
};
#define COMMS_QARGS_MAX	3

/* one bundle a check-in may be given (checkin.c reads the directory) */
struct comms_bundle {
	uint64_t	 seq;
	const char	*file;		/* in the gateway's directory */
	char		 sha256[65];
	size_t		 len;
};

/* what a check-in says, and how it is answered */
struct comms_checkin {
	uint64_t	 last;		/* the gateway's LastSequence */
	const char	*software;
	int		 replay;	/* "fault replay": serve everything */
	/*
	 * Its log record, once the back end knows how many of the
	 * bundles (the first nserved) go out and how many it held back
	 * (nheld: in flight to another check-in): the summary into
	 * summary, the detail returned (to free()).
	 */
	char		*(*record)(void *arg, size_t nserved, size_t nheld,
			    char *summary, size_t len);
	/*
	 * The gateway's incidents received since incidents_since, the
	 * highest number first, at most incidents_max: each given to
	 * incident() (its number and status) inside the transaction,
	 * before record() is called.
	 */
	int64_t		 incidents_since;
	size_t		 incidents_max;
	void		 (*incident)(void *arg, int64_t number,
			    const char *status);
	void		*arg;
};


/*
 * A bundle served and not yet acknowledged (by a LastSequence at least
 * its sequence) is not served again, nor anything after it, for this
 * long: a check-in on another node at the same time gets nothing rather
 * than the same bundles twice; a lost answer is made good after it.
 */
#define COMMS_REDELIVER_SECONDS	60

struct comms_q;		/* the rows of one query */

struct comms_db_ops {
	const char	*name;		/* "sqlite", "postgresql" */
	/* the server's sandbox with this back end (sandbox.c) */
	const struct sandbox *sandbox;

	/*
	 * The server's database, in two steps: as root before the
	 * sandbox, once the workers' spawner runs (SQLite: the file made
	 * or migrated by a child in the chroot, as the user; PostgreSQL:
	 * connected, the schema made or checked), then in the sandbox
	 * (SQLite: opened inside the chroot; PostgreSQL: nothing more).
	 */
	int		 (*start)(struct comms_db *, const struct comms_conf *,
			    const char *state, uid_t, gid_t, char *err,
			    size_t errlen);
	int		 (*sandboxed)(struct comms_db *,
			    const struct comms_conf *, char *err,
			    size_t errlen);
	/* open (and create or migrate, unless read-only): -q, tests */
	int		 (*open)(struct comms_db *, const char *, int flags,
			    char *err, size_t errlen);
	void		 (*close)(struct comms_db *);
	const char	*(*errmsg)(const struct comms_db *);
	/*
	 * 1 when the connection to the database is gone (PostgreSQL): the
	 * server cannot make another in its sandbox, so it answers 503 and
	 * ends, and commsd's keeper starts a new one (commsd.c); SQLite: 0
	 */
	int		 (*lost)(const struct comms_db *);

	/* writes, each its own transaction with its log record */
	int		 (*log)(struct comms_db *, int64_t now,
			    const char *kind, const char *summary,
			    const char *detail);
	int		 (*store)(struct comms_db *, const struct comms_peer *,
			    const struct comms_doc *, int64_t now,
			    struct comms_stored *, char *err, size_t errlen);
	/*
	 * A check-in of the gateway: records it (checkins), acknowledges
	 * the bundles up to ci->last, chooses which of b (sorted by
	 * sequence, all above ci->last) go out and records them
	 * (deliveries): *nserved, the first ones of b.  -1 on a database
	 * error.
	 */
	int		 (*checkin)(struct comms_db *,
			    const struct comms_peer *, int64_t now,
			    const struct comms_checkin *,
			    const struct comms_bundle *b, size_t n,
			    size_t *nserved);
	/*
	 * The status of incident id (commsd's number, CQ_INCIDENTS' id),
	 * with its "incident" record (summary, detail): 0; 1 when there is
	 * no such incident (nothing written); -1 on a database error.
	 */
	int		 (*incident_status)(struct comms_db *, int64_t id,
			    const char *status, int64_t now,
			    const char *summary, const char *detail);
	/* a package file sent (packages_served), and its record */
	int		 (*package)(struct comms_db *,
			    const struct comms_peer *, int64_t now,
			    const char *file, const char *sha256, size_t len,
			    const char *summary, const char *detail);

	/* queries: rows one at a time, read-only */
	struct comms_q	*(*q_open)(struct comms_db *, enum comms_query,
			    const struct comms_qarg *, size_t nargs);
	/* 1: a row; 0: no more; -1: an error (errmsg says it) */
	int		 (*q_next)(struct comms_q *);
	int		 (*q_null)(struct comms_q *, int col);
	int64_t		 (*q_int)(struct comms_q *, int col);
	/* NULL for NULL */
	const char	*(*q_text)(struct comms_q *, int col);
	const void	*(*q_blob)(struct comms_q *, int col, size_t *len);
	void		 (*q_close)(struct comms_q *);
	/* several queries that must see one state: 0 or -1 */
	int		 (*snapshot)(struct comms_db *, int begin);
	/*
	 * The log's chain, as txlog_verify_chain() checks it and with its
	 * messages: 0 intact, -1 broken (bad, why), -2 unreadable (why).
	 */
	int		 (*verify)(struct comms_db *, int64_t *nrec,
			    int64_t *bad, char *why, size_t whylen);
};

extern const struct comms_db_ops	comms_sqlite_ops;
extern const struct comms_db_ops	comms_pg_ops;

/* the SQLite back end's handle: unit tests and fuzzers only */
struct sqlite3	*comms_db_sqlite(struct comms_db *);

/* "postgresql://" or "postgres://": 1 */
int		 comms_db_is_pg(const char *database);
/* the file of a back end that keeps one (its owner may write it), or NULL */
const char	*comms_db_file(const char *database);

/*
 * What both back ends share (store.c).
 */
/* an incident's status: "received", "shipped" or "closed": 1 */
int		 comms_incident_status_ok(const char *);
/* an xs:long (or narrower) as the schema checked it: white space around */
int		 comms_parse_long(const char *, size_t, int64_t *);
/* the "upload" or "duplicate" record: summary, and the detail to free() */
char		*comms_upload_record(const struct comms_peer *,
		    const struct comms_doc *, const struct comms_stored *,
		    char *summary, size_t len);
/* the "cycle" record of a cycle whose last part came: likewise */
char		*comms_cycle_record(const struct comms_peer *,
		    const struct comms_stored *, int64_t devices,
		    char *summary, size_t len);

#endif /* COMMSD_STORAGE_H */
