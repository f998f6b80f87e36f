/*
 * libFuzzer target: what commsd does with the body of an upload
 * (commsd/upload.c, commsd/store.c): gzip when the input starts with its
 * magic number, the strict SOAP parser and the schema, storing the
 * readings in a real database (a temporary one, without fsync), the
 * receipt and the transaction log.
 *
 *	- the answer is 200, 400 or 413: never 500, which would mean that a
 *	  document the schema accepts could not be stored, or that its
 *	  extract was larger than the document (commsd/check.c: the server
 *	  reserves no more room for it);
 *	- a 200 carries a receipt that is valid against the schema, with the
 *	  SHA-256 of the (inflated) document, whose exact bytes are stored;
 *	- every answer is a record of the transaction log.
 *
 * Run from the top of the tree (etc/callhome.xsd), or set
 * COMMSD_FUZZ_SCHEMA.  Seeds: regress/fuzz/corpus/upload/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../commsd/commsd.h"
#include "../../commsd/http.h"
#include "../../commsd/storage.h"
#include "log.h"
#include "txlog.h"
#include "xmlsafe.h"

#define MAXDOC		(256 * 1024)

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct xschema	*xs;
static struct comms_db	 db;
static struct comms_ctx	 cx;
static struct comms_peer peer;
static char		 dir[64], path[128];
static unsigned int	 runs;

static void
cleanup(void)
{
	char	 p[160];

	comms_db_close(&db);
	(void)unlink(path);
	(void)snprintf(p, sizeof(p), "%s-wal", path);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", path);
	(void)unlink(p);
	(void)rmdir(dir);
	xschema_free(xs);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char	 flag[] = "-close_fd_mask=2";
	const char	*xsd;
	char		 err[256], *buf, **nargv;
	FILE		*fp;
	long		 n;
	int		 i;

	log_init("fuzz_upload", LOG_TO_STDERR, 0);
	xmlsafe_init();
	txlog_init();
	if ((xsd = getenv("COMMSD_FUZZ_SCHEMA")) == NULL)
		xsd = "etc/callhome.xsd";
	if ((fp = fopen(xsd, "r")) == NULL) {
		fprintf(stderr, "%s: run from the top of the tree\n", xsd);
		exit(1);
	}
	if (fseek(fp, 0, SEEK_END) == -1 || (n = ftell(fp)) <= 0 ||
	    fseek(fp, 0, SEEK_SET) == -1 || (buf = malloc(n)) == NULL ||
	    fread(buf, 1, n, fp) != (size_t)n)
		exit(1);
	fclose(fp);
	if ((xs = xschema_load(buf, n, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s: %s\n", xsd, err);
		exit(1);
	}
	free(buf);

	(void)strlcpy(dir, "/tmp/fuzz_upload.XXXXXX", sizeof(dir));
	if (mkdtemp(dir) == NULL)
		exit(1);
	(void)snprintf(path, sizeof(path), "%s/commsd.db", dir);
	if (comms_db_open(&db, path, COMMS_DB_CREATE, err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	/* speed, not durability */
	(void)sqlite3_exec(comms_db_sqlite(&db), "PRAGMA synchronous = OFF", NULL, NULL,
	    NULL);
	atexit(cleanup);
	cx.db = &db;
	cx.schema = xs;
	cx.max_document = MAXDOC;
	(void)strlcpy(peer.address, "127.0.0.1:4711", sizeof(peer.address));
	(void)strlcpy(peer.cn, "gw1", sizeof(peer.cn));
	memset(peer.cert_sha256, 'a', 64);

	/* the rejections are logged to stderr: keep libFuzzer's only */
	for (i = 1; i < *argc; i++)
		if (strncmp((*argv)[i], "-close_fd_mask=", 15) == 0)
			return 0;
	if ((nargv = calloc(*argc + 2, sizeof(*nargv))) == NULL)
		return 0;
	nargv[0] = (*argv)[0];
	nargv[1] = flag;
	for (i = 1; i < *argc; i++)
		nargv[i + 1] = (*argv)[i];
	*argc += 1;
	*argv = nargv;
	return 0;
}

static void
check_receipt(const struct comms_result *res, const struct wbuf *out,
    const uint8_t *data, size_t size, int gzip)
{
	sqlite3_stmt	*st;
	xmlDocPtr	 d;
	xmlNodePtr	 p;
	char		 err[512];
	const char	*body, *s;

	body = memmem(out->data, out->len, "\r\n\r\n", 4);
	if (body == NULL)
		abort();
	body += 4;
	d = soap_parse(xs, body, out->len - (body - (const char *)out->data),
	    1 << 20, "Receipt", &p, err, sizeof(err));
	if (d == NULL) {
		fprintf(stderr, "receipt not valid: %s\n", err);
		abort();
	}
	s = (const char *)xml_child_text(p, "DocumentSha256");
	if (s == NULL || strcmp(s, res->sha256) != 0)
		abort();
	xmlFreeDoc(d);
	/* the exact bytes, kept */
	if (sqlite3_prepare_v2(comms_db_sqlite(&db), "SELECT bytes FROM documents WHERE "
	    "id = ?", -1, &st, NULL) != SQLITE_OK)
		abort();
	sqlite3_bind_int64(st, 1, res->doc.id);
	if (sqlite3_step(st) != SQLITE_ROW)
		abort();
	if (!gzip && ((size_t)sqlite3_column_bytes(st, 0) != size ||
	    memcmp(sqlite3_column_blob(st, 0), data, size) != 0))
		abort();
	sqlite3_finalize(st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct comms_http	 h;
	struct comms_result	 res;
	struct wbuf		 out;
	int			 gzip;

	if (size > MAXDOC)
		return 0;
	gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
	comms_http_init(&h, MAXDOC, NULL);
	(void)strlcpy(h.method, "POST", sizeof(h.method));
	(void)strlcpy(h.target, COMMS_UPLOAD_PATH, sizeof(h.target));
	h.content_length = (int64_t)size;
	if ((h.body = malloc(size + 1)) == NULL)
		abort();
	if (size > 0)
		memcpy(h.body, data, size);
	h.bodylen = size;
	h.gzip = gzip;
	h.state = COMMS_HTTP_DONE;

	wbuf_init(&out);
	comms_upload(&cx, &peer, &h, 1700000000, &res, &out);
	switch (res.status) {
	case 200:
		check_receipt(&res, &out, data, size, gzip);
		break;
	case 400:
	case 413:
		break;
	default:
		fprintf(stderr, "status %d: %s\n", res.status, res.reason);
		abort();
	}
	wbuf_free(&out);
	comms_http_free(&h);

	/* keep the database small */
	if (++runs % 512 == 0 && sqlite3_exec(comms_db_sqlite(&db),
	    "DELETE FROM jobdata; DELETE FROM incident_supplies; "
	    "DELETE FROM incidents; DELETE FROM meters; DELETE FROM supplies; "
	    "DELETE FROM alerts; DELETE FROM device_reports; "
	    "DELETE FROM devices; DELETE FROM documents; "
	    "DELETE FROM cycles; DELETE FROM gateways; "
	    "DELETE FROM txlog",
	    NULL, NULL, NULL) != SQLITE_OK)
		abort();
	return 0;
}
