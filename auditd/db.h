/*
 * auditd's database: opening, creating and migrating callhome.db, and the
 * prepared statements of the hot paths.  The schema is described at the
 * top of db.c.
 */
#ifndef CALLHOME_DB_H
#define CALLHOME_DB_H

#include <stddef.h>

#include <sqlite3.h>

#define DB_FILE		"callhome.db"	/* in the state directory */
/* the same inside auditd's root, the state directory */
#define DB_PATH		"/" DB_FILE
#define DB_VERSION	6		/* PRAGMA user_version written */

/* statements kept prepared for as long as the database is open */
enum db_stmt {
	DB_CYCLE_INSERT,	/* token, reason, started, planned */
	DB_CYCLE_FINISH,	/* id, finished, ndevices, n_*, probed,
				   requests, readings_sha256, txseq,
				   n_auth_failure, answered, printers,
				   skipped, duplicates */
	DB_DEVICE_FIND,		/* key; returns id, last_report */
	DB_DEVICE_INSERT,	/* key, vendor, model, serial, seen,
				   address */
	DB_DEVICE_UPDATE,	/* id, vendor, model, serial, seen,
				   address, last_report */
	DB_REPORT_INSERT,	/* cycle_id, device_id, ordinal, device cols */
	DB_DEVICE_LAST,		/* id; returns last_report */
	DB_TARGETS,		/* returns address, state, since, device_id */
	DB_REPORT_METERS,	/* report_id; returns name, value */
	DB_JOBDATA_INSERT,	/* report_id, sealed_sha256, sealed, plain */
	DB_NSTMT
};

/*
 * The rows of a report are inserted up to DB_BATCH at a time, each row
 * as (report_id, ordinal, the table's columns): one statement per row
 * would cost twice as much.
 */
enum db_rows {
	DB_METERS,
	DB_SUPPLIES,
	DB_ALERTS,
	DB_NROWS
};
#define DB_BATCH	16
/* the targets' rows likewise: address, state, since, device_id */
#define DB_TARGET_WIDTH	4

struct db {
	sqlite3		*h;
	sqlite3_stmt	*stmt[DB_NSTMT];
	sqlite3_stmt	*rows[DB_NROWS][DB_BATCH];	/* on first use */
	sqlite3_stmt	*targets[DB_BATCH];		/* on first use */
};

/* configure and initialise sqlite (before the sandbox); -1 on failure */
int		 db_init(void);
/*
 * Open (creating it when missing) the database at path, set the
 * connection's pragmas, and create or migrate the schema to DB_VERSION.
 * -1 with a message in err on failure.
 */
int		 db_open(struct db *, const char *path, char *err, size_t);
void		 db_close(struct db *);
/* a prepared statement, reset (callers bind every parameter); NULL on error */
sqlite3_stmt	*db_stmt(struct db *, enum db_stmt);
/* the INSERT of n rows (1..DB_BATCH) into a readings table, likewise */
sqlite3_stmt	*db_rows_stmt(struct db *, enum db_rows, int n);
/* parameters of one row of db_rows_stmt() */
int		 db_rows_width(enum db_rows);
/* the upsert of n rows (1..DB_BATCH) of targets, likewise */
sqlite3_stmt	*db_targets_stmt(struct db *, int n);
int		 db_exec(struct db *, const char *);
int		 db_begin(struct db *);		/* BEGIN IMMEDIATE */
int		 db_commit(struct db *);
int		 db_rollback(struct db *);
/*
 * A unit of work: a transaction of its own, or, while one is open (a
 * cycle's: results, verdicts and instructions arrive while a cycle is
 * being stored), a savepoint of it, which commits with it.  *own says
 * which; commit and rollback take it back.
 */
int		 db_unit_begin(struct db *, int *own);
int		 db_unit_commit(struct db *, int own);
void		 db_unit_rollback(struct db *, int own);
const char	*db_errmsg(struct db *);
/* PRAGMA user_version, or -1 */
int		 db_schema_version(struct db *);

#endif /* CALLHOME_DB_H */
