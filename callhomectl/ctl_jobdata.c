/*
 * callhomectl show: the job data of a document's cycle.  The document
 * carries each printer's job data sealed to the vendor's key, opaque;
 * the database keeps the plaintext that was sealed, which is the
 * customer's.  Both are shown: the plaintext, and the SHA-256 of the
 * sealed form that was sent (the vendor's commsd -q jobdata lists the
 * same hash), checked against the stored bytes and found in the
 * document.
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <sqlite3.h>

#include "b64.h"
#include "callhomectl.h"
#include "digest.h"

/* the sealed form's base64 is in the document, as document.c writes it */
static int
in_document(const void *sealed, int n, const void *doc, size_t doclen)
{
	uint8_t	*t;
	int	 len, found;

	if (doc == NULL || n <= 0)
		return 0;
	if ((t = malloc(B64_ENCODED_LEN((size_t)n) + 1)) == NULL)
		err(CTL_ERROR, NULL);
	len = EVP_EncodeBlock(t, sealed, n);
	found = memmem(doc, doclen, t, (size_t)len) != NULL;
	free(t);
	return found;
}

int
ctl_show_jobdata(sqlite3 *db, int64_t cycle, const void *doc, size_t doclen)
{
	sqlite3_stmt	*q;
	const void	*sealed;
	const char	*plain, *stored;
	char		 hex[SHA256_HEX];
	int		 n, rc, bad = 0, any = 0;

	/* a database before schema 6 has no job data */
	if (sqlite3_prepare_v2(db, "SELECT r.address, j.sealed_sha256, "
	    "j.sealed, j.plain FROM jobdata j JOIN reports r ON "
	    "r.id = j.report_id WHERE r.cycle_id = ?1 ORDER BY r.ordinal",
	    -1, &q, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(q, 1, cycle);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (!any)
			printf("job data of cycle %" PRId64 " (sent sealed to "
			    "the job-data key; the plaintext is kept here "
			    "only):\n", cycle);
		any = 1;
		sealed = sqlite3_column_blob(q, 2);
		n = sqlite3_column_bytes(q, 2);
		stored = (const char *)sqlite3_column_text(q, 1);
		plain = (const char *)sqlite3_column_text(q, 3);
		if (sha256_hex(sealed != NULL ? sealed : "", (size_t)n,
		    hex) == -1)
			errx(CTL_ERROR, "computing SHA-256 failed");
		printf("device ");
		ctl_print_safe(stdout, (const char *)sqlite3_column_text(q, 0),
		    0);
		printf(": sealed %d bytes, sha256 %s", n, hex);
		if (stored == NULL || strcmp(stored, hex) != 0) {
			printf(" *** MISMATCH: stored as ");
			ctl_print_safe(stdout, stored != NULL ? stored :
			    "(none)", 0);
			bad = 1;
		}
		if (in_document(sealed, n, doc, doclen))
			printf(", in the document\n");
		else if (doc != NULL) {
			printf(" *** NOT in the document\n");
			bad = 1;
		} else
			putchar('\n');
		ctl_print_safe(stdout, plain != NULL ? plain : "", 0);
		putchar('\n');
	}
	if (rc != SQLITE_DONE)
		errx(CTL_ERROR, "reading the database: %s", sqlite3_errmsg(db));
	sqlite3_finalize(q);
	return bad;
}
