/*
 * The outbox: the upload documents of every stored cycle, their exact
 * bytes and SHA-256, and their delivery to the communication server
 * through uplinkd.  Table: auditd/schema-5.sql (db.c).
 *
 * Storing.  outbox_add() runs inside the cycle's own transaction (a hook
 * of store.c, called just before the commit): it builds the cycle's
 * documents from the rows just stored (document.h), in parts of at most
 * "part limit" bytes each ("part I of N", whole devices, a device larger
 * than the limit alone in its part), and stores each part as its own
 * 'pending' row with its hash and a "document" record in the transaction
 * log.  A part is written once and hashed once: the count N of the parts
 * before the last is put in place in the stored bytes when the last is
 * cut, and only then is each hash finished (document.h says how).  Parts
 * up to OUTBOX_CHECK_MAX bytes are validated against the protocol schema
 * (one that does not validate is a bug: fatal).  Then the spool limit:
 * while the undelivered documents (pending and refused) together exceed
 * it, the oldest one is pruned (its bytes deleted, its hash kept) with a
 * "prune" record.  So a cycle and its documents are never separated,
 * nothing disappears without a record, and auditd never holds more than
 * one part of a cycle in memory.  Documents are built whether or not
 * uploading is authorized, so that they can be inspected first.
 *
 * Delivery.  Only with "authorize upload yes", one document at a time,
 * oldest first: outbox_pump() hands the oldest pending document to the
 * sender (uplinkd) once it is due; outbox_result() takes uplinkd's
 * answer.  A receipt carrying the document's own hash marks it delivered
 * and the next one goes at once.  A permanent refusal sets the document
 * aside ('refused', with an "upload" record saying so, its bytes kept)
 * and the next one goes at once too: an answer 413 (too large: no
 * retry can change that) or 400 (the server says the document itself is
 * wrong), or a document larger than an upload may carry (OUTBOX_DOC_MAX,
 * found when it is stored).  Anything else (no connection, TLS, 5xx, a
 * receipt for other bytes...) is one more attempt, and the whole queue
 * waits
 *
 *	min(6 h, 30 s * 2^(attempts - 1)) + up to 10% random jitter
 *
 * (or the server's Retry-After, if longer) before trying again.  Every
 * result is one "upload" record.  Nothing is marked sent before its
 * receipt: after a crash the document in flight is simply sent again
 * (the server is idempotent by hash).  outbox_kick() makes every pending
 * document due now ("callhomectl send").
 *
 * The operator (callhomectl outbox requeue|drop ID, through the parent;
 * OUTBOX_OP_* of chan/parent_auditd.h):
 * requeue makes a refused or pending document pending and due now, its
 * attempts counted from 0 (an "outbox" record); drop deletes the bytes
 * of a refused or pending document that is not in flight (a "prune"
 * record, reason "dropped by the operator").
 */
#ifndef CALLHOME_OUTBOX_H
#define CALLHOME_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "chan/auditd_uplinkd.h"
#include "chan/parent_auditd.h"
#include "db.h"
#include "report.h"

/* documents up to this size are checked against the schema when built */
#define OUTBOX_CHECK_MAX	(1024 * 1024)

#define OUTBOX_GZIP_MIN		4096	/* larger documents go gzip'd */
#define OUTBOX_BACKOFF_FIRST	30		/* seconds */
#define OUTBOX_BACKOFF_CAP	(6 * 60 * 60)
/*
 * The largest document an UPLOAD_JOB can carry (the job's stream holds
 * the headers' worth more).  "part limit" is at most 16M, so only a
 * single device larger than that could make a part this large.
 */
#define OUTBOX_DOC_MAX		(UPLOAD_JOB_MAX - 4096)

struct outbox;

/* hands a job to uplinkd; job->body is valid during the call only */
typedef void	(*outbox_send_fn)(void *, const struct msg_upload_job *);

/*
 * Open the outbox of an open database; creates the site's salt for
 * device keys when there is none yet.  NULL with a reason in err.
 */
struct outbox	*outbox_new(struct db *, char *err, size_t);
void		 outbox_free(struct outbox *);
const char	*outbox_error(const struct outbox *);

/*
 * The configuration (copied: conf may be freed after) with its schema
 * text; -1 with a reason when the schema does not compile.
 */
int		 outbox_configure(struct outbox *,
		    const struct auditd_conf *, char *err, size_t);
void		 outbox_set_sender(struct outbox *, outbox_send_fn, void *);

/*
 * Build, check and store the documents of cycle c inside the caller's
 * open transaction, log them and enforce the spool limit.  -1 on a
 * database error (outbox_error() says which).
 */
int		 outbox_add(struct outbox *, const struct rpt_cycle *,
		    int64_t now);
/* the same as a store hook (store_set_hook()): arg is the outbox */
int		 outbox_store_hook(void *, const struct rpt_cycle *, char *,
		    size_t);

/*
 * Send the oldest pending document if uploading is authorized, nothing
 * is in flight and it is due.  Returns 1 when a job was handed to the
 * sender, 0 when not; *wake gets the time a waiting document becomes
 * due (0: nothing to wait for).  -1 on a database error.
 */
int		 outbox_pump(struct outbox *, int64_t now, int64_t *wake);
/*
 * uplinkd's answer for the job in flight.  -1 when there is no such job
 * in flight (a protocol error) or on a database error.
 */
int		 outbox_result(struct outbox *,
		    const struct msg_upload_result *, int64_t now);
/* every pending document due now; -1 on a database error */
int		 outbox_kick(struct outbox *, int64_t now);
/*
 * The operator's request: OUTBOX_OP_REQUEUE or OUTBOX_OP_DROP of
 * document id, for the log with the client's uid.  0 when done, 1 when
 * refused (no such document, in flight, delivered or pruned), both with
 * a sentence in text; -1 on a database error.
 */
int		 outbox_op(struct outbox *, int op, int64_t id, uint32_t uid,
		    int64_t now, char *text, size_t);
int		 outbox_status(struct outbox *, int64_t now,
		    struct msg_outbox_status *);
/* one short line for the status ping */
void		 outbox_state(struct outbox *, int64_t now, char *, size_t);
/* the outbox id of the job in flight, 0 when none */
uint64_t	 outbox_inflight(const struct outbox *);

/* the wait after `attempts' failed attempts, before jitter (seconds) */
int64_t		 outbox_backoff(int64_t attempts);
/* is an HTTP answer to an upload a permanent refusal (413, 400)? */
int		 outbox_permanent(int http_status);

#endif /* CALLHOME_OUTBOX_H */
