/*
 * What auditd keeps of check-ins, instructions and packages (tables
 * gateway_state and packages, schema version 3), and the records they
 * make in the transaction log:
 *
 *	checkin		every check-in: its result, the bundles it brought
 *	verify-failure	every bundle or package signerd refused, with its
 *			reason word (verify.h), and every fetch that got
 *			nothing to verify (size-exceeded, timeout,
 *			fetch-failed)
 *	instruction	every verified instruction, done or refused by the
 *			policy (reason "policy")
 *	download	every package installed
 *
 * The check-in document (common/checkin.h) says what is stored here: the
 * last accepted sequence and the installed packages.
 *
 * A package is installed in two steps: its file is written to
 * packages/.NAME-VERSION.tmp in the state directory, synced, renamed to
 * packages/NAME-VERSION and the directory synced; then one transaction
 * inserts its row and its "download" record.  A crash between the two
 * leaves a file without a row, which is not installed (and is written
 * over if the same package comes again); a crash before leaves only a
 * temporary file.  Only signerd's verified packages get here, and the
 * file's size and SHA-256 are checked once more before it is written.
 */
#ifndef AUDITD_GATEWAY_H
#define AUDITD_GATEWAY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "chan/auditd_uplinkd.h"
#include "chan/parent_auditd.h"
#include "chan/signerd_auditd.h"
#include "db.h"


struct gateway;

/* pkgdir: the packages directory as auditd opens it ("/packages") */
struct gateway	*gateway_new(struct db *, const char *pkgdir);
void		 gateway_free(struct gateway *);
const char	*gateway_error(const struct gateway *);
void		 gateway_configure(struct gateway *, const struct auditd_conf *);

/* the state for the parent (and signerd): -1 on a database error */
int		 gateway_state(struct gateway *, struct gw_state *);
/*
 * Each installed profile package (the highest version of each name) to
 * fn, its file read back and checked against its row; a file that is
 * missing or changed is logged and skipped.  -1 on a database error.
 */
int		 gateway_profiles(struct gateway *,
		    void (*fn)(void *, const struct msg_profile_package *),
		    void *);

/*
 * The check-in document into doc and the job that carries it; -1 on a
 * database error or a state that does not make a document.
 */
int		 gateway_checkin_job(struct gateway *, uint64_t job,
		    struct wbuf *doc, struct msg_upload_job *);
/*
 * uplinkd's answer to it: the "checkin" record; again, when not 0, is
 * when the check-in is tried again (the server's Retry-After)
 */
int		 gateway_checkin_result(struct gateway *,
		    const struct msg_upload_result *, int64_t now,
		    int64_t again);

/* signerd's verdict: a failure is a "verify-failure" record; an
 * accepted bundle's sequence is kept */
int		 gateway_verdict(struct gateway *, const struct msg_verdict *,
		    int64_t now);
/* the parent's word on one instruction: an "instruction" record */
int		 gateway_instruction(struct gateway *,
		    const struct msg_instruction_done *, int64_t now);
/*
 * Install a verified package; 1 when installed, 0 when refused (logged:
 * its bytes do not match what signerd said), -1 on an error.
 */
int		 gateway_install(struct gateway *,
		    const struct msg_package_store *, int64_t now);

/* the check-in and instruction fields of the status */
int		 gateway_status(struct gateway *, struct msg_outbox_status *);

#endif /* AUDITD_GATEWAY_H */
