/*
 * The transaction log: one hash-chained record per transaction (collection
 * cycle, upload, check-in, instruction, download, verification failure,
 * configuration change, pruning), in the table txlog of auditd's database
 * (schema: auditd/db.c).  auditd appends; callhomectl verifies.  commsd
 * keeps a log of its own with the same chain (commsd/store.c).
 *
 *	hash(n) = SHA-256(prev_hash(n) || canonical(n)),
 *	prev_hash(n) = hash(n - 1), prev_hash(1) = 32 zero bytes,
 *	canonical(n) = netstrings "<decimal length>:<bytes>," of seq and time
 *	    (decimal text), kind, summary and detail, in that order.
 *
 * Hashes are stored as lowercase hex.  Sequence numbers start at 1 and
 * have no gaps.
 *
 * A "collect" record also seals the readings of its cycle: its detail is a
 * JSON object with the cycle's fields and "readings_sha256", the SHA-256
 * over every DEV_* message payload of the cycle in order, each framed as
 * u32 kind, u32 length (big-endian) and the bytes, the kind being one of
 * the TXLOG_RH_* numbers below.  txlog_verify()
 * rebuilds those payloads from the stored rows, so a changed reading,
 * report, cycle or record is found and named.
 *
 * This file also holds the one mapping between the readings tables' rows
 * and the report structures of report.h (bind for writing, column for
 * reading), so that what is stored re-encodes to exactly what was sent.
 */
#ifndef CALLHOME_TXLOG_H
#define CALLHOME_TXLOG_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "buf.h"
#include "report.h"

#define TXLOG_HASH_LEN		32
#define TXLOG_HEX_LEN		(2 * TXLOG_HASH_LEN + 1) /* with NUL */

/* record kinds */
#define TXLOG_COLLECT		"collect"
#define TXLOG_UPLOAD		"upload"
#define TXLOG_CHECKIN		"checkin"
#define TXLOG_INSTRUCTION	"instruction"
#define TXLOG_DOWNLOAD		"download"
#define TXLOG_VERIFY_FAILURE	"verify-failure"
#define TXLOG_CONFIG		"config"
#define TXLOG_DOCUMENT		"document"	/* a cycle's upload document */
#define TXLOG_PRUNE		"prune"
#define TXLOG_DISCOVER		"discover"	/* a cycle's discovery */
#define TXLOG_OUTBOX		"outbox"	/* the operator's requeue */

/*
 * The frame kinds of the readings digest.  They are part of the log's
 * format, fixed for good (they were the DEV_* message numbers when the
 * format was defined): renumbering messages must not change them.
 */
#define TXLOG_RH_DEVICE		13	/* DEV_BEGIN */
#define TXLOG_RH_METER		14
#define TXLOG_RH_SUPPLY		15
#define TXLOG_RH_ALERT		16
#define TXLOG_RH_END		17	/* DEV_END */
#define TXLOG_RH_JOBDATA	18	/* DEV_JOBDATA (schema 6) */

/* load libcrypto's digests; before the sandbox, which has no config file */
void	txlog_init(void);

/* the CREATE statements of the txlog table (run by the schema creation) */
extern const char	txlog_schema[];

/*
 * Append a record inside the caller's transaction; its number is returned
 * in *seq.  -1 on a database error (sqlite3_errmsg() says which).
 */
int	txlog_append(sqlite3 *, int64_t time, const char *kind,
	    const char *summary, const char *detail, int64_t *seq);

/*
 * Check the whole log in one read transaction.  Returns 0 when intact,
 * with the number of records in *nrec; -1 when broken, with the first
 * broken record in *bad_seq and why a full sentence naming it ("record 12
 * (cycle 7): readings changed"); -2 when the database could not be read
 * (why says so).
 */
int	txlog_verify(sqlite3 *, int64_t *nrec, int64_t *bad_seq, char *why,
	    size_t whylen);
/*
 * The chain alone, the same way and with the same messages: sequence
 * numbers, prev_hash and hash of every record, whatever its kind (a log
 * without auditd's tables: commsd's).  txlog_verify() is this walk with
 * each record also checked against the tables.
 */
int	txlog_verify_chain(sqlite3 *, int64_t *nrec, int64_t *bad_seq,
	    char *why, size_t whylen);

/*
 * The collect record of cycle `id', as auditd appends it and verification
 * reads it back.  The summary is rpt_cycle_summary() (report.h).  The
 * detail (malloc'd): a JSON object whose keys are the columns of the
 * cycles table ("cycle" for the id), readings_sha256 last.
 */
char	*txlog_collect_detail(int64_t id, const struct rpt_cycle *,
	    uint32_t planned, const uint8_t digest[TXLOG_HASH_LEN]);
/*
 * The discover record of cycle `id' (one for each cycle that probed
 * discovery ranges, right after its collect record): the summary
 * and the detail, its cycle and the counts of the cycles table: probed,
 * answered, printers, skipped (not printers), duplicates.
 */
char	*txlog_discover_detail(int64_t id, const struct rpt_cycle *);
void	 txlog_discover_summary(char *, size_t, int64_t id,
	    const struct rpt_cycle *);

/* the hash of one record, as the chain defines it */
void	txlog_hash(const uint8_t prev[TXLOG_HASH_LEN], int64_t seq,
	    int64_t time, const char *kind, const char *summary,
	    const char *detail, uint8_t out[TXLOG_HASH_LEN]);

/*
 * The readings digest, fed one message at a time in arrival order: each
 * function encodes its structure with the msg_*_encode() of report.h,
 * which gives back a decoded payload byte for byte.  auditd hashes what
 * it stores (after its PII blanking, normally a no-op since collectd
 * filters first), so the stored rows always reproduce the digest.
 */
struct readings_hash {
	void		*ctx;		/* EVP_MD_CTX */
	struct wbuf	 w;		/* framed, not hashed yet */
};
void	readings_hash_init(struct readings_hash *);
void	readings_hash_device(struct readings_hash *,
	    const struct rpt_device *);
void	readings_hash_meter(struct readings_hash *,
	    const struct rpt_meter *);
void	readings_hash_supply(struct readings_hash *,
	    const struct rpt_supply *);
void	readings_hash_alert(struct readings_hash *,
	    const struct rpt_alert *);
void	readings_hash_jobdata(struct readings_hash *,
	    const struct rpt_jobdata *);
void	readings_hash_end(struct readings_hash *);	/* DEV_END */
void	readings_hash_final(struct readings_hash *,
	    uint8_t[TXLOG_HASH_LEN]);
void	readings_hash_free(struct readings_hash *);

/*
 * The readings over the stored rows of one cycle, rebuilt in stored order
 * (reports by ordinal; in each: meters, supplies, alerts by ordinal).
 * 0 with the digest; 1 when a row holds what no report can (a reader
 * below refused it): the rows were changed; -1 on a database error.
 */
int	readings_digest(sqlite3 *, int64_t cycle, uint8_t[TXLOG_HASH_LEN]);

/*
 * Rows <-> structures.  The column lists are in structure order; db.c
 * inserts with them, readers select with them.  Integers the device did
 * not report (REPORT_NONE) are NULL, unknown errors (-1) are NULL, other
 * integers are INTEGER, strings are TEXT as they are ('' when empty).
 */
#define READINGS_DEVICE_COLS						\
	"address, outcome, reason, collected, requests, sysdescr, "	\
	"sysobjectid, enterprise, vendor, model, model_source, serial, "\
	"serial_source, firmware, firmware_source, profile, sysname, "	\
	"syscontact, syslocation, uptime, device_status, printer_status, "\
	"errors, waited, state, state_since"
#define READINGS_DEVICE_NCOLS	26
#define READINGS_METER_COLS	"name, unit, value, source, flag, previous"
#define READINGS_METER_NCOLS	6
#define READINGS_SUPPLY_COLS						\
	"idx, description, class, type, color, unit, max, level, percent"
#define READINGS_SUPPLY_NCOLS	9
#define READINGS_ALERT_COLS						\
	"idx, severity, grp, code, description, time"
#define READINGS_ALERT_NCOLS	6

/* bind from parameter `first' on (1-based); an sqlite3 result code */
int	readings_bind_device(sqlite3_stmt *, int, const struct rpt_device *);
int	readings_bind_meter(sqlite3_stmt *, int, const struct rpt_meter *);
int	readings_bind_supply(sqlite3_stmt *, int, const struct rpt_supply *);
int	readings_bind_alert(sqlite3_stmt *, int, const struct rpt_alert *);
/*
 * Read from result column `first' on (0-based).  0 when the row holds
 * exactly what the binders can have written; -1 when a column holds
 * anything else: another type (a number as text or real, a BLOB, NULL
 * for a string), an integer out of its field's range or REPORT_NONE
 * itself, a string too long for its field or with a NUL inside.  The
 * structure is filled either way, as far as the row goes (strings cut,
 * numbers as sqlite converts them): good enough to show, never to hash.
 */
int	readings_column_device(sqlite3_stmt *, int, struct rpt_device *);
int	readings_column_meter(sqlite3_stmt *, int, struct rpt_meter *);
int	readings_column_supply(sqlite3_stmt *, int, struct rpt_supply *);
int	readings_column_alert(sqlite3_stmt *, int, struct rpt_alert *);

#endif /* CALLHOME_TXLOG_H */
