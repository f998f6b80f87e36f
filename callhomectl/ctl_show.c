/*
 * callhomectl show: the exact bytes of one upload document, from the
 * outbox, found by a log record ("document", "upload" and "prune"
 * records name their outbox entry, "collect" records their cycle), by
 * its outbox id or by its cycle.
 *
 * Then, unless -r, the job data of the cycle (ctl_jobdata.c): what was
 * sealed and the hash of what was sent.
 *
 * The document is shown pretty-printed (parsed by libxml2 as data only:
 * no network, no DTD, no entities), or with -r as the exact bytes
 * stored.  Its SHA-256 is computed again from those bytes and compared
 * with what the outbox and the "document" record of the log say.
 */
#include <err.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <sqlite3.h>

#include "callhomectl.h"
#include "digest.h"
#include "txlog.h"
#include "xmlsafe.h"

#define DBERR(db)	errx(CTL_ERROR, "reading the database: %s",	\
			    sqlite3_errmsg(db))

struct doc {
	int64_t		 id;
	int64_t		 cycle;
	int64_t		 created;
	int64_t		 size;
	char		 sha256[TXLOG_HEX_LEN];	/* the outbox's */
	char		 state[16];
	int64_t		 delivered;		/* 0: not */
	void		*bytes;			/* NULL: pruned */
	size_t		 len;
	int64_t		 record;	/* its "document" record */
	char		 logged[TXLOG_HEX_LEN];	/* that record's hash */
	int64_t		 part;		/* part of parts of its cycle */
	int64_t		 parts;
	char		 pruned[64];	/* why its bytes went, or "" */
};

static const char *
col_text(sqlite3_stmt *q, int i)
{
	const unsigned char	*s;

	return (s = sqlite3_column_text(q, i)) != NULL ? (const char *)s : "";
}

/* the outbox entry that log record `seq' names */
static int64_t
outbox_of_record(sqlite3 *db, int64_t seq, int64_t *cycle)
{
	sqlite3_stmt	*q;
	char		 kind[32];
	const char	*detail;
	int64_t		 id = -1;
	int		 rc;

	*cycle = -1;
	if (sqlite3_prepare_v2(db, "SELECT kind, detail FROM txlog WHERE "
	    "seq = ?1", -1, &q, NULL) != SQLITE_OK)
		DBERR(db);
	sqlite3_bind_int64(q, 1, seq);
	if ((rc = sqlite3_step(q)) == SQLITE_DONE)
		errx(CTL_ERROR, "no record %" PRId64 " in the transaction log",
		    seq);
	if (rc != SQLITE_ROW)
		DBERR(db);
	(void)strlcpy(kind, col_text(q, 0), sizeof(kind));
	detail = col_text(q, 1);
	if (strcmp(kind, TXLOG_DOCUMENT) == 0 ||
	    strcmp(kind, TXLOG_UPLOAD) == 0 ||
	    strcmp(kind, TXLOG_PRUNE) == 0) {
		if (ctl_json_member_int(detail, "outbox", &id) == -1)
			errx(CTL_ERROR, "record %" PRId64 " (%s) names no "
			    "document: its detail has no \"outbox\"", seq,
			    kind);
	} else if (strcmp(kind, TXLOG_COLLECT) == 0) {
		if (ctl_json_member_int(detail, "cycle", cycle) == -1)
			errx(CTL_ERROR, "record %" PRId64 " (collect) names "
			    "no cycle", seq);
	} else {
		/* kind may be anything: print it safely */
		fprintf(stderr, "callhomectl: record %" PRId64 " is a \"", seq);
		ctl_print_safe(stderr, kind, 0);
		fprintf(stderr, "\" record: only document, upload, prune and "
		    "collect records have a document\n");
		exit(CTL_ERROR);
	}
	sqlite3_finalize(q);
	return id;
}

static int64_t
outbox_of_cycle(sqlite3 *db, int64_t cycle)
{
	sqlite3_stmt	*q;
	int64_t		 id;
	int		 rc;

	/* a cycle in parts: its first */
	if (sqlite3_prepare_v2(db, "SELECT id FROM outbox WHERE cycle_id = "
	    "?1 ORDER BY part LIMIT 1", -1, &q, NULL) != SQLITE_OK)
		DBERR(db);
	sqlite3_bind_int64(q, 1, cycle);
	if ((rc = sqlite3_step(q)) == SQLITE_DONE)
		errx(CTL_ERROR, "cycle %" PRId64 " has no document in the "
		    "outbox", cycle);
	if (rc != SQLITE_ROW)
		DBERR(db);
	id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return id;
}

static void
load_doc(sqlite3 *db, int64_t id, struct doc *d)
{
	sqlite3_stmt	*q;
	const void	*b;
	const char	*detail;
	int64_t		 v;
	int		 rc;

	memset(d, 0, sizeof(*d));
	d->record = -1;
	if (sqlite3_prepare_v2(db, "SELECT id, cycle_id, created, sha256, "
	    "size, document, state, delivered, part, parts, prune_reason "
	    "FROM outbox WHERE id = ?1", -1, &q, NULL) != SQLITE_OK)
		DBERR(db);
	sqlite3_bind_int64(q, 1, id);
	if ((rc = sqlite3_step(q)) == SQLITE_DONE)
		errx(CTL_ERROR, "no document outbox:%" PRId64 " in the outbox",
		    id);
	if (rc != SQLITE_ROW)
		DBERR(db);
	d->id = sqlite3_column_int64(q, 0);
	d->cycle = sqlite3_column_int64(q, 1);
	d->created = sqlite3_column_int64(q, 2);
	(void)strlcpy(d->sha256, col_text(q, 3), sizeof(d->sha256));
	d->size = sqlite3_column_int64(q, 4);
	if (sqlite3_column_type(q, 5) != SQLITE_NULL) {
		b = sqlite3_column_blob(q, 5);
		d->len = (size_t)sqlite3_column_bytes(q, 5);
		if ((d->bytes = malloc(d->len + 1)) == NULL)
			err(CTL_ERROR, NULL);
		if (d->len > 0)
			memcpy(d->bytes, b, d->len);
	}
	(void)strlcpy(d->state, col_text(q, 6), sizeof(d->state));
	d->delivered = sqlite3_column_type(q, 7) == SQLITE_NULL ? 0 :
	    sqlite3_column_int64(q, 7);
	d->part = sqlite3_column_int64(q, 8);
	d->parts = sqlite3_column_int64(q, 9);
	(void)strlcpy(d->pruned, col_text(q, 10), sizeof(d->pruned));
	sqlite3_finalize(q);

	/* the "document" record that logged it */
	if (sqlite3_prepare_v2(db, "SELECT seq, detail FROM txlog WHERE "
	    "kind = '" TXLOG_DOCUMENT "' ORDER BY seq", -1, &q, NULL) !=
	    SQLITE_OK)
		DBERR(db);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		detail = col_text(q, 1);
		if (ctl_json_member_int(detail, "outbox", &v) == -1 ||
		    v != d->id)
			continue;
		d->record = sqlite3_column_int64(q, 0);
		if (ctl_json_member_hex(detail, "sha256", d->logged,
		    sizeof(d->logged)) == -1)
			d->logged[0] = '\0';
		break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		DBERR(db);
	sqlite3_finalize(q);
}

/* text for a terminal: controls but newline and tab, and C1, as '?' */
static void
print_text(FILE *fp, const unsigned char *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if ((p[i] < 0x20 && p[i] != '\n' && p[i] != '\t') ||
		    p[i] == 0x7f)
			putc('?', fp);
		else if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f) {
			putc('?', fp);
			i++;
		} else
			putc(p[i], fp);
	}
}

/* the document pretty-printed; -1 (and a warning) when it is not XML */
static int
print_pretty(const struct doc *d)
{
	xmlDocPtr	 x;
	const xmlError	*e;
	xmlChar		*mem = NULL;
	int		 size = 0;

	if (d->len > INT_MAX) {
		warnx("the document is too large to parse");
		return -1;
	}
	/* ours never has one: a DTD could declare entities */
	if (memmem(d->bytes, d->len, "<!DOCTYPE", 9) != NULL) {
		warnx("the document has a document type declaration, which "
		    "callhome never writes: not parsed");
		return -1;
	}
	xmlsafe_init();
	xmlResetLastError();
	x = xmlReadMemory(d->bytes, (int)d->len, "document", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (x == NULL) {
		e = xmlGetLastError();
		if (e != NULL && e->message != NULL)
			warnx("the document is not well-formed XML: line %d: "
			    "%.*s", e->line, (int)strcspn(e->message, "\n"),
			    e->message);
		else
			warnx("the document is not well-formed XML");
		return -1;
	}
	if (x->intSubset != NULL || x->extSubset != NULL) {
		xmlFreeDoc(x);
		warnx("the document has a document type declaration, which "
		    "callhome never writes");
		return -1;
	}
	xmlDocDumpFormatMemoryEnc(x, &mem, &size, "UTF-8", 1);
	xmlFreeDoc(x);
	if (mem == NULL || size < 0)
		errx(CTL_ERROR, "formatting the document failed");
	print_text(stdout, mem, (size_t)size);
	xmlFree(mem);
	return 0;
}

int
ctl_show(struct ctl *ctl, enum ctl_show_by by, int64_t n, int raw)
{
	struct doc	 d;
	char		 hex[TXLOG_HEX_LEN], created[32], when[32];
	int64_t		 id = -1, cycle = -1;
	int		 bad = 0, notxml = 0;
	FILE		*msg = raw ? stderr : stdout;

	if (sqlite3_exec(ctl->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		DBERR(ctl->db);
	switch (by) {
	case CTL_SHOW_RECORD:
		if ((id = outbox_of_record(ctl->db, n, &cycle)) == -1)
			id = outbox_of_cycle(ctl->db, cycle);
		break;
	case CTL_SHOW_OUTBOX:
		id = n;
		break;
	case CTL_SHOW_CYCLE:
		id = outbox_of_cycle(ctl->db, n);
		break;
	}
	load_doc(ctl->db, id, &d);
	(void)sqlite3_exec(ctl->db, "COMMIT", NULL, NULL, NULL);

	ctl_time_local(d.created, created, sizeof(created));
	if (!raw) {
		printf("document of cycle %" PRId64 " (outbox:%" PRId64,
		    d.cycle, d.id);
		if (d.record != -1)
			printf(", log record %" PRId64, d.record);
		if (d.parts > 1)
			printf(", part %" PRId64 " of %" PRId64, d.part,
			    d.parts);
		printf("): %" PRId64 " bytes, created %s, ", d.size, created);
		ctl_print_safe(stdout, d.state, 0);
		if (d.delivered != 0) {
			ctl_time_local(d.delivered, when, sizeof(when));
			printf(" %s", when);
		}
		putchar('\n');
	}
	if (d.bytes == NULL) {
		fprintf(msg, "the document was pruned%s%s: its bytes are no "
		    "longer kept\nhash: ", d.pruned[0] ? " by " : "",
		    strcmp(d.pruned, "retention") == 0 ? "retention" :
		    strcmp(d.pruned, "dropped") == 0 ? "the operator" :
		    strcmp(d.pruned, "spool limit") == 0 ? "the spool limit" :
		    d.pruned[0] ? "an older release" : "");
		ctl_print_safe(msg, d.sha256, 0);
		fprintf(msg, " (as logged, of %" PRId64 " bytes)\n", d.size);
		if (fflush(stdout) == EOF || ferror(stdout))
			errx(CTL_ERROR, "writing the output failed");
		return CTL_ERROR;
	}

	if (raw) {
		if (fwrite(d.bytes, 1, d.len, stdout) != d.len)
			errx(CTL_ERROR, "writing the document failed");
	} else if (print_pretty(&d) == -1) {
		notxml = 1;
		printf("--- the stored bytes, as text:\n");
		print_text(stdout, d.bytes, d.len);
		if (d.len > 0 && ((char *)d.bytes)[d.len - 1] != '\n')
			putchar('\n');
		printf("---\n");
	}

	if (sha256_hex(d.bytes, d.len, hex) == -1)
		errx(CTL_ERROR, "computing SHA-256 failed");
	if (strcmp(hex, d.sha256) != 0 || (d.record != -1 &&
	    strcmp(hex, d.logged) != 0) || d.record == -1 ||
	    (int64_t)d.len != d.size)
		bad = 1;
	if (!raw)
		printf("hash: %s%s\n", hex, bad ? "" : " (matches the log)");
	if (bad) {
		fprintf(msg, "*** MISMATCH: these bytes hash to %s, but\n",
		    hex);
		if (strcmp(hex, d.sha256) != 0) {
			fprintf(msg, "***   the outbox records sha256 ");
			ctl_print_safe(msg, d.sha256, 0);
			fputc('\n', msg);
		}
		if (d.record == -1)
			fprintf(msg, "***   no \"document\" record in the log "
			    "names outbox:%" PRId64 "\n", d.id);
		else if (strcmp(hex, d.logged) != 0)
			fprintf(msg, "***   log record %" PRId64 " records "
			    "sha256 %s\n", d.record,
			    d.logged[0] != '\0' ? d.logged : "(none)");
		if ((int64_t)d.len != d.size)
			fprintf(msg, "***   the outbox records %" PRId64
			    " bytes, %zu are stored\n", d.size, d.len);
		fprintf(msg, "*** the stored document is not the one that "
		    "was logged: run callhomectl verify\n");
	}
	if (!raw && ctl_show_jobdata(ctl->db, d.cycle, d.bytes, d.len))
		bad = 1;
	free(d.bytes);
	if (fflush(stdout) == EOF || ferror(stdout))
		errx(CTL_ERROR, "writing the output failed");
	return bad || notxml ? CTL_ERROR : CTL_OK;
}
