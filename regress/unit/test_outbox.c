/*
 * auditd's outbox (auditd/outbox.c) and upload documents
 * (auditd/document.c), driven through the store without imsg: documents
 * of synthetic cycles validate against etc/callhome.xsd, are
 * deterministic, hold only the categories switched on, name devices by
 * stable keys that name no address; gzip round trips; jobs go out oldest
 * first, one at a time; results, backoff, kicks; spool pruning with its
 * log records; the transaction log still verifies, and notices changed
 * documents.  The status message's codec.
 *
 * Run from the top of the tree (etc/callhome.xsd is read from there).
 *
 * Environment:
 *	TEST_OUTBOX_BENCH=n	build the document of a cycle of n devices x
 *				25 rows and print the time taken (default
 *				10,000; 1,000 under a sanitizer)
 *	TEST_OUTBOX_SHOW=1	print a small document
 *	TEST_OUTBOX_DB=path	leave the benchmark's database at path
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <zlib.h>

#include "../../auditd/db.h"
#include "../../auditd/document.h"
#include "../../auditd/gateway.h"
#include "../../auditd/incident.h"
#include "../../auditd/outbox.h"
#include "../../auditd/retention.h"
#include "../../auditd/store.h"
#include "buf.h"
#include "config.h"
#include "gz.h"
#include "digest.h"
#include "log.h"
#include "chans.h"
#include "report.h"
#include "test.h"
#include "txlog.h"
#include "xmlsafe.h"

#if defined(__SANITIZE_ADDRESS__)
#define BENCH_DEFAULT	1000
#else
#define BENCH_DEFAULT	10000
#endif

#define SCHEMA_FILE	"etc/callhome.xsd"
#define NOW		INT64_C(1800000000)

/* ------------------------------------------------------------------ */
/* a database in a fresh temporary directory */

static char	tmpdir[64];
static char	dbpath[128];

static void
rm_db(const char *path)
{
	char	 p[256];

	(void)unlink(path);
	(void)snprintf(p, sizeof(p), "%s-wal", path);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", path);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-journal", path);
	(void)unlink(p);
}

static int
open_db(struct db *db, int fresh)
{
	char	 err[256];

	if (tmpdir[0] == '\0') {
		(void)strlcpy(tmpdir, "/tmp/test_outbox.XXXXXX",
		    sizeof(tmpdir));
		if (mkdtemp(tmpdir) == NULL)
			return -1;
		(void)snprintf(dbpath, sizeof(dbpath), "%s/%s", tmpdir,
		    DB_FILE);
	}
	if (fresh)
		rm_db(dbpath);
	if (db_open(db, dbpath, err, sizeof(err)) == -1) {
		printf("# db_open: %s\n", err);
		return -1;
	}
	return 0;
}

static void
cleanup(void)
{
	if (tmpdir[0] == '\0')
		return;
	rm_db(dbpath);
	(void)rmdir(tmpdir);
}

static int64_t
q_int(struct db *db, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 v = -999;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) {
		printf("# %s: %s\n", sql, sqlite3_errmsg(db->h));
		return -998;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -997 :
		    sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static char q_buf[4096];

static const char *
q_text(struct db *db, const char *sql)
{
	sqlite3_stmt		*st;
	const unsigned char	*t;

	(void)strlcpy(q_buf, "(no row)", sizeof(q_buf));
	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return "(bad sql)";
	if (sqlite3_step(st) == SQLITE_ROW) {
		if ((t = sqlite3_column_text(st, 0)) == NULL)
			(void)strlcpy(q_buf, "(null)", sizeof(q_buf));
		else
			(void)strlcpy(q_buf, (const char *)t, sizeof(q_buf));
	}
	sqlite3_finalize(st);
	return q_buf;
}

/* the stored document of a cycle, NUL-terminated (free it) */
static char *
stored_doc(struct db *db, int64_t cycle, size_t *len)
{
	sqlite3_stmt	*st;
	char		*d = NULL;

	*len = 0;
	if (sqlite3_prepare_v2(db->h, "SELECT document FROM outbox WHERE "
	    "cycle_id = ?", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, cycle);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) == SQLITE_BLOB) {
		*len = (size_t)sqlite3_column_bytes(st, 0);
		if ((d = malloc(*len + 1)) != NULL) {
			memcpy(d, sqlite3_column_blob(st, 0), *len);
			d[*len] = '\0';
		}
	}
	sqlite3_finalize(st);
	return d;
}

static int
verify_ok(struct db *db, int64_t *nrec)
{
	int64_t	 bad, n;
	char	 why[512];
	int	 r;

	r = txlog_verify(db->h, nrec != NULL ? nrec : &n, &bad, why,
	    sizeof(why));
	if (r != 0)
		printf("# verify: %s\n", why);
	return r;
}

/* ------------------------------------------------------------------ */
/* the schema */

static char		*xsd;
static size_t		 xsdlen;
static struct xschema	*schema;

static int
load_schema(void)
{
	FILE	*fp;
	long	 n;
	char	 err[256];

	if ((fp = fopen(SCHEMA_FILE, "r")) == NULL) {
		printf("# %s: cannot open (run from the top of the tree)\n",
		    SCHEMA_FILE);
		return -1;
	}
	if (fseek(fp, 0, SEEK_END) == -1 || (n = ftell(fp)) <= 0 ||
	    fseek(fp, 0, SEEK_SET) == -1 ||
	    (xsd = malloc((size_t)n + 1)) == NULL ||
	    fread(xsd, 1, (size_t)n, fp) != (size_t)n) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	xsdlen = (size_t)n;
	xsd[n] = '\0';
	if ((schema = xschema_load(xsd, xsdlen, err, sizeof(err))) == NULL) {
		printf("# schema: %s\n", err);
		return -1;
	}
	return 0;
}

/* 0 when the document is a valid Upload */
static int
valid(const void *doc, size_t len)
{
	xmlDocPtr	 x;
	xmlNodePtr	 payload;
	char		 err[512];

	if ((x = soap_parse(schema, doc, len, OUTBOX_DOC_MAX, "Upload",
	    &payload, err, sizeof(err))) == NULL) {
		printf("# not valid: %s\n", err);
		return -1;
	}
	xmlFreeDoc(x);
	return 0;
}

/* ------------------------------------------------------------------ */
/* synthetic reports */

static void
fill_device(struct rpt_device *d, int i)
{
	memset(d, 0, sizeof(*d));
	(void)snprintf(d->address, sizeof(d->address), "10.77.%d.%d:161",
	    (i >> 8) & 0xff, i & 0xff);
	d->outcome = DEV_OK;
	d->collected = 1700000000 + i;
	d->requests = 12;
	(void)strlcpy(d->sysdescr, "HP ETHERNET MULTI-ENVIRONMENT",
	    sizeof(d->sysdescr));
	(void)strlcpy(d->sysobjectid, "1.3.6.1.4.1.11.2.3.9.1",
	    sizeof(d->sysobjectid));
	d->enterprise = 11;
	(void)strlcpy(d->vendor, "HP", sizeof(d->vendor));
	(void)strlcpy(d->model, "HP LaserJet M607", sizeof(d->model));
	(void)strlcpy(d->model_source, "1.3.6.1.2.1.25.3.2.1.3.1",
	    sizeof(d->model_source));
	/* every third device has no serial number: an anonymous key */
	if (i % 3 != 0) {
		(void)snprintf(d->serial, sizeof(d->serial), "SN%06d", i);
		(void)strlcpy(d->serial_source, "1.3.6.1.2.1.43.5.1.1.17.1",
		    sizeof(d->serial_source));
	}
	(void)strlcpy(d->firmware, "2409048_052604", sizeof(d->firmware));
	(void)strlcpy(d->firmware_source, "1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.6",
	    sizeof(d->firmware_source));
	(void)strlcpy(d->profile, "hp", sizeof(d->profile));
	(void)snprintf(d->sysname, sizeof(d->sysname), "prn-%d", i);
	(void)strlcpy(d->syscontact, "ops@example.com",
	    sizeof(d->syscontact));
	(void)strlcpy(d->syslocation, "Floor 3", sizeof(d->syslocation));
	d->uptime = 123456;
	d->device_status = 2;
	d->printer_status = 3;
	d->errors = 1 << 2;
}

static void
fill_meter(struct rpt_meter *m, int k)
{
	static const char *const names[] = { "total", "black", "color",
	    "copies", "prints", "duplex", "scans", "fax" };

	memset(m, 0, sizeof(*m));
	(void)strlcpy(m->name, names[k % 8], sizeof(m->name));
	(void)strlcpy(m->unit, "impressions", sizeof(m->unit));
	m->value = 100000 + k;
	(void)snprintf(m->source, sizeof(m->source),
	    "1.3.6.1.2.1.43.10.2.1.4.1.%d", k + 1);
}

static void
fill_supply(struct rpt_supply *s, int k)
{
	static const char *const colors[] = { "black", "cyan", "magenta",
	    "yellow" };

	memset(s, 0, sizeof(*s));
	(void)snprintf(s->index, sizeof(s->index), "1.%d", k + 1);
	(void)snprintf(s->description, sizeof(s->description),
	    "%s Cartridge HP 37A", colors[k % 4]);
	(void)strlcpy(s->class, "consumed", sizeof(s->class));
	(void)strlcpy(s->type, "toner", sizeof(s->type));
	(void)strlcpy(s->color, colors[k % 4], sizeof(s->color));
	(void)strlcpy(s->unit, "percent", sizeof(s->unit));
	s->max = 100;
	s->level = 40 + k;
	s->percent = report_percent(s->level, s->max);
	/* the special values are kept as such */
	if (k == 1) {
		s->max = -2;
		s->level = -3;
		s->percent = REPORT_NONE;
	}
}

static void
fill_alert(struct rpt_alert *a, int k)
{
	memset(a, 0, sizeof(*a));
	(void)snprintf(a->index, sizeof(a->index), "1.%d", k + 1);
	(void)strlcpy(a->severity, "warning", sizeof(a->severity));
	(void)strlcpy(a->group, "markerSupplies", sizeof(a->group));
	(void)strlcpy(a->code, "markerTonerAlmostEmpty", sizeof(a->code));
	(void)strlcpy(a->description, "Black cartridge <low> & \"odd\"",
	    sizeof(a->description));
	a->time = 9999;
}

/* a device of odd values the schema would refuse as they are */
static void
fill_odd_device(struct rpt_device *d)
{
	fill_device(d, 250);
	/* U+FFFF and U+FFFE are UTF-8 but no XML characters */
	(void)strlcpy(d->sysdescr, "odd \xef\xbf\xbf and \xef\xbf\xbe, "
	    "at 10.77.0.250 (see 10.77.0.250:161)", sizeof(d->sysdescr));
	(void)strlcpy(d->reason, "timeout talking to 10.77.0.250",
	    sizeof(d->reason));
	(void)strlcpy(d->sysobjectid, ".1.3.6", sizeof(d->sysobjectid));
	(void)strlcpy(d->model_source, "not an oid", sizeof(d->model_source));
	d->enterprise = -5;
	d->device_status = 77;
	d->errors = -1;
	memset(d->model, 'M', 1000);
	d->model[1000] = '\0';
	(void)strlcat(d->model, " 10.77.0.250 10.77.0.250",
	    sizeof(d->model));
}

/* when the next cycles start (retention's tests move it) */
static int64_t	 cycle_start = 1700000000;

static void
fill_cycle(struct rpt_cycle *c, uint64_t token, uint32_t n)
{
	memset(c, 0, sizeof(*c));
	c->token = token;
	c->started = cycle_start;
	c->finished = cycle_start + 60;
	(void)strlcpy(c->reason, "manual", sizeof(c->reason));
	c->ndevices = n;
	c->requests = 12ULL * n;
}

/* a whole cycle of n devices, nm/ns/na rows each; odd: add an odd one */
static int
store_cycle(struct store *st, uint64_t token, int n, int nm, int ns, int na,
    int odd, struct rpt_cycle *stored)
{
	static struct rpt_device	 d;
	struct rpt_cycle		 c;
	struct rpt_meter		 m;
	struct rpt_supply		 s;
	struct rpt_alert		 a;
	int				 i, k;

	fill_cycle(&c, token, (uint32_t)(n + (odd ? 1 : 0)));
	if (store_cycle_begin(st, &c) == -1)
		goto fail;
	for (i = 0; i < n + (odd ? 1 : 0); i++) {
		if (i == n)
			fill_odd_device(&d);
		else
			fill_device(&d, i);
		if (store_device(st, &d) == -1)
			goto fail;
		for (k = 0; k < nm; k++) {
			fill_meter(&m, k);
			if (i == n && k == 0)
				(void)strlcpy(m.source, "1..2",
				    sizeof(m.source));
			if (i == n && k == 1)
				m.value = REPORT_NONE;
			if (store_meter(st, &m) == -1)
				goto fail;
		}
		for (k = 0; k < ns; k++) {
			fill_supply(&s, k);
			if (i == n && k == 0)
				s.percent = 250;
			if (store_supply(st, &s) == -1)
				goto fail;
		}
		for (k = 0; k < na; k++) {
			fill_alert(&a, k);
			if (store_alert(st, &a) == -1)
				goto fail;
		}
		if (store_device_end(st) == -1)
			goto fail;
	}
	c.count[DEV_OK] = (uint32_t)(n + (odd ? 1 : 0));
	c.finished = cycle_start + 60;
	if (store_cycle_end(st, &c, stored) == -1)
		goto fail;
	return 0;
 fail:
	printf("# store: %s\n", store_error(st));
	return -1;
}

/* ------------------------------------------------------------------ */
/* an outbox with a sender that keeps what it was given */

struct sent {
	int		 n;
	struct msg_upload_job job;
	struct wbuf	 body;
};
static struct sent	 sent;

static void
sender(void *arg, const struct msg_upload_job *job)
{
	struct sent	*s = arg;

	s->n++;
	s->job = *job;
	wbuf_reset(&s->body);
	wbuf_bytes(&s->body, job->body, job->bodylen);
	s->job.body = NULL;
}

/* the part limit of the next configure(); 0: the default */
static uint64_t	 part_limit;

struct fixture {
	struct db	 db;
	struct store	*st;
	struct outbox	*ob;
};

static int
configure(struct fixture *f, uint32_t send, int authorized,
    uint64_t spool_limit)
{
	struct auditd_conf	 conf;
	char			 err[256];
	int			 r;

	memset(&conf, 0, sizeof(conf));
	(void)strlcpy(conf.gateway, "gw-test-01", sizeof(conf.gateway));
	(void)strlcpy(conf.site, "Example Ltd, building 4 & <annex>",
	    sizeof(conf.site));
	(void)strlcpy(conf.server, "comms.example.net", sizeof(conf.server));
	conf.port = 443;
	conf.send = send;
	conf.authorize_upload = authorized;
	conf.spool_limit = spool_limit;
	conf.part_limit = part_limit;
	conf.xsd = (uint8_t *)xsd;
	conf.xsdlen = xsdlen;
	r = outbox_configure(f->ob, &conf, err, sizeof(err));
	if (r == -1)
		printf("# configure: %s\n", err);
	store_set_send(f->st, send);
	return r;
}

static int
setup(struct fixture *f, int fresh, uint32_t send, int authorized,
    uint64_t spool_limit)
{
	char	 err[256];

	memset(f, 0, sizeof(*f));
	if (open_db(&f->db, fresh) == -1)
		return -1;
	if ((f->st = store_new(&f->db, send)) == NULL)
		return -1;
	if ((f->ob = outbox_new(&f->db, err, sizeof(err))) == NULL) {
		printf("# outbox_new: %s\n", err);
		return -1;
	}
	store_set_hook(f->st, outbox_store_hook, f->ob);
	outbox_set_sender(f->ob, sender, &sent);
	sent.n = 0;
	return configure(f, send, authorized, spool_limit);
}

static void
teardown(struct fixture *f)
{
	outbox_free(f->ob);
	store_free(f->st);
	db_close(&f->db);
}

static const struct msg_upload_result *
result(uint64_t job, int status, const char *receipt)
{
	static struct msg_upload_result	 r;

	memset(&r, 0, sizeof(r));
	r.job = job;
	r.status = (uint8_t)status;
	r.http_status = status == UP_DIAL || status == UP_TLS ? 0 : 200;
	(void)strlcpy(r.server, "comms.example.net:443", sizeof(r.server));
	(void)strlcpy(r.via, "192.0.2.10:443", sizeof(r.via));
	if (status != UP_DIAL) {
		(void)strlcpy(r.tls_version, "TLSv1.3",
		    sizeof(r.tls_version));
		(void)strlcpy(r.cert_hash, "SHA256:0123abcd",
		    sizeof(r.cert_hash));
	}
	if (receipt != NULL) {
		(void)strlcpy(r.receipt_sha256, receipt,
		    sizeof(r.receipt_sha256));
		r.doc_id = 4242;
		(void)strlcpy(r.server_time, "2027-01-15T08:00:00Z",
		    sizeof(r.server_time));
	}
	if (status != UP_DELIVERED)
		(void)strlcpy(r.error, "something failed", sizeof(r.error));
	r.bytes_sent = 1234;
	return &r;
}

#define ALL_CATS	((1U << CAT_MAX) - 1)

/* ------------------------------------------------------------------ */

TEST(schema_v2)
{
	struct db	 db;
	char		 err[256];

	CHECK(open_db(&db, 1) == 0);
	CHECK_EQ_INT(db_schema_version(&db), DB_VERSION);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM sqlite_schema WHERE "
	    "type = 'table' AND name IN ('outbox', 'secrets')"), 2);
	/* a version 1 database is migrated, through 2, 3 and 4 */
	CHECK(db_exec(&db, "DROP TABLE outbox; DROP TABLE secrets; "
	    "DROP TABLE gateway_state; DROP TABLE packages; "
	    "DROP TABLE targets; DROP TABLE jobdata; "
	    "DROP TABLE incident_supplies; DROP TABLE incidents; "
	    "DROP TABLE supply_watch; DROP TABLE site_info; "
	    "ALTER TABLE cycles DROP COLUMN n_auth_failure; "
	    "ALTER TABLE cycles DROP COLUMN answered; "
	    "ALTER TABLE cycles DROP COLUMN printers; "
	    "ALTER TABLE cycles DROP COLUMN skipped; "
	    "ALTER TABLE cycles DROP COLUMN duplicates; "
	    "ALTER TABLE reports DROP COLUMN waited; "
	    "ALTER TABLE reports DROP COLUMN state; "
	    "ALTER TABLE reports DROP COLUMN state_since; "
	    "ALTER TABLE meters DROP COLUMN flag; "
	    "ALTER TABLE meters DROP COLUMN previous; "
	    "ALTER TABLE cycles DROP COLUMN pruned; "
	    "PRAGMA user_version = 1") == 0);
	db_close(&db);
	CHECK(db_open(&db, dbpath, err, sizeof(err)) == 0);
	CHECK_EQ_INT(db_schema_version(&db), DB_VERSION);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM sqlite_schema WHERE "
	    "type = 'table' AND name IN ('outbox', 'secrets', "
	    "'gateway_state', 'packages', 'targets')"), 5);
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM pragma_table_info("
	    "'meters') WHERE name IN ('flag', 'previous')"), 2);
	/* version 3: one state row, its defaults */
	CHECK_EQ_INT(q_int(&db, "SELECT count(*) FROM gateway_state"), 1);
	CHECK_EQ_INT(q_int(&db, "SELECT sched_minute FROM gateway_state"),
	    -1);
	/* a pruned document has no bytes, any other has them */
	CHECK(db_exec(&db, "INSERT INTO outbox (cycle_id, created, sha256, "
	    "size, document, state) VALUES (1, 1, 'x', 0, NULL, "
	    "'pending')") == -1);
	CHECK(db_exec(&db, "INSERT INTO outbox (cycle_id, created, sha256, "
	    "size, document, state) VALUES (1, 1, 'x', 1, x'00', "
	    "'pruned')") == -1);
	CHECK(db_exec(&db, "INSERT INTO outbox (cycle_id, created, sha256, "
	    "size, document, state, pruned) VALUES (1, 1, 'x', 1, NULL, "
	    "'refused', 1)") == -1);
	/* version 5: parts of a cycle, each once; a delivered one may lose
	 * its bytes (retention), saying when */
	CHECK(db_exec(&db, "INSERT INTO outbox (cycle_id, part, parts, "
	    "created, sha256, size, document, state) VALUES (1, 3, 2, 1, "
	    "'x', 1, x'00', 'pending')") == -1);
	CHECK(db_exec(&db, "INSERT INTO outbox (cycle_id, part, parts, "
	    "created, sha256, size, document, state) VALUES (1, 1, 2, 1, "
	    "'x', 1, x'00', 'pending')") == 0);
	CHECK(db_exec(&db, "INSERT INTO outbox (cycle_id, part, parts, "
	    "created, sha256, size, document, state) VALUES (1, 1, 2, 1, "
	    "'y', 1, x'00', 'pending')") == -1);
	CHECK(db_exec(&db, "INSERT INTO outbox (cycle_id, part, parts, "
	    "created, sha256, size, document, state, pruned) VALUES (1, 2, "
	    "2, 1, 'x', 1, NULL, 'delivered', 5)") == 0);
	CHECK(db_exec(&db, "DELETE FROM outbox") == 0);
	CHECK_EQ_INT(q_int(&db, "PRAGMA auto_vacuum"), 2);
	CHECK(db_exec(&db, "INSERT INTO outbox (cycle_id, created, sha256, "
	    "size, document, state) VALUES (1, 1, 'x', 1, x'00', "
	    "'sent')") == -1);
	db_close(&db);
}

/* a stored cycle has its document, valid, logged, in one transaction */
TEST(document_stored)
{
	struct fixture		 f;
	struct rpt_cycle	 c;
	char			*doc, hex[TXLOG_HEX_LEN];
	uint8_t			 h[32];
	unsigned int		 hl;
	size_t			 len;
	int64_t			 nrec;

	CHECK(setup(&f, 1, CAT_DEFAULTS, 0, 1ULL << 30) == 0);
	CHECK(store_cycle(f.st, 1, 5, 4, 2, 1, 0, &c) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM outbox"), 1);
	CHECK_STR(q_text(&f.db, "SELECT state FROM outbox"), "pending");
	CHECK_EQ_INT(q_int(&f.db, "SELECT cycle_id FROM outbox"), c.id);
	CHECK((doc = stored_doc(&f.db, c.id, &len)) != NULL);
	CHECK_EQ_INT(q_int(&f.db, "SELECT size FROM outbox"), len);
	CHECK(EVP_Digest(doc, len, h, &hl, EVP_sha256(), NULL) == 1);
	digest_hex(h, hex);
	CHECK_STR(q_text(&f.db, "SELECT sha256 FROM outbox"), hex);
	CHECK(strncmp(doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/"
	    "soap-envelope\">", 95) == 0);
	CHECK(strstr(doc, "<ch:Upload xmlns:ch=\"urn:callhome:protocol:1\" "
	    "version=\"1\">") != NULL);
	CHECK(strstr(doc, "<ch:Gateway id=\"gw-test-01\" "
	    "software=\"callhome/0.1\"/>") != NULL);
	CHECK(strstr(doc, "<ch:Site>Example Ltd, building 4 &amp; "
	    "&lt;annex&gt;</ch:Site>") != NULL);
	CHECK(strstr(doc, "<ch:Cycle id=\"1\" reason=\"manual\" "
	    "started=\"2023-11-14T22:13:20Z\" "
	    "finished=\"2023-11-14T22:14:20Z\"/>") != NULL);
	CHECK(strstr(doc, "<ch:Categories>meters supplies alerts identity "
	    "site-info</ch:Categories>") != NULL);
	CHECK(strstr(doc, "max=\"-2\" level=\"-3\"") != NULL);
	CHECK(strstr(doc, "&lt;low&gt; &amp; \"odd\"") != NULL);
	CHECK(valid(doc, len) == 0);
	if (getenv("TEST_OUTBOX_SHOW") != NULL)
		printf("%s", doc);
	free(doc);

	/* logged after the cycle, in the same transaction */
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM txlog"), 2);
	CHECK_STR(q_text(&f.db, "SELECT kind FROM txlog WHERE seq = 2"),
	    "document");
	CHECK(strstr(q_text(&f.db, "SELECT detail FROM txlog WHERE seq = 2"),
	    hex) != NULL);
	CHECK(strstr(q_text(&f.db, "SELECT summary FROM txlog WHERE "
	    "seq = 2"), "not authorized") != NULL);
	CHECK(verify_ok(&f.db, &nrec) == 0);
	CHECK_EQ_INT(nrec, 2);
	/* not authorized: nothing is ever sent */
	{
		int64_t	 wake;

		CHECK_EQ_INT(outbox_pump(f.ob, NOW, &wake), 0);
		CHECK_EQ_INT(wake, 0);
		CHECK_EQ_INT(sent.n, 0);
		CHECK(outbox_kick(f.ob, NOW) == 0);
		CHECK_EQ_INT(outbox_pump(f.ob, NOW, &wake), 0);
		CHECK_EQ_INT(sent.n, 0);
	}
	teardown(&f);
}

/* a failing document build rolls the cycle back with it */
static int
failing_hook(void *arg, const struct rpt_cycle *c, char *err, size_t len)
{
	struct outbox	*ob = arg;

	if (outbox_add(ob, c, NOW) == -1)
		return -1;
	(void)strlcpy(err, "injected", len);
	return -1;
}

TEST(together_or_not_at_all)
{
	struct fixture		 f;
	struct rpt_cycle	 c;

	CHECK(setup(&f, 1, CAT_DEFAULTS, 0, 1ULL << 30) == 0);
	store_set_hook(f.st, failing_hook, f.ob);
	CHECK(store_cycle(f.st, 1, 2, 1, 1, 1, 0, &c) == -1);
	CHECK(strstr(store_error(f.st), "injected") != NULL);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM cycles"), 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM outbox"), 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM txlog"), 0);
	teardown(&f);
}

TEST(deterministic)
{
	struct fixture		 f;
	struct rpt_cycle	 c;
	struct doc_params	 p;
	struct wbuf		 a, b;
	uint8_t			 salt[DOC_SALT_LEN];
	char			*doc, err[256];
	size_t			 len;

	CHECK(setup(&f, 1, ALL_CATS, 0, 1ULL << 30) == 0);
	CHECK(store_cycle(f.st, 1, 20, 8, 4, 2, 1, &c) == 0);
	CHECK((doc = stored_doc(&f.db, c.id, &len)) != NULL);
	CHECK(valid(doc, len) == 0);

	memset(salt, 0, sizeof(salt));
	CHECK(sqlite3_exec(f.db.h, "SELECT 1", NULL, NULL, NULL) ==
	    SQLITE_OK);
	{
		sqlite3_stmt	*st;

		CHECK(sqlite3_prepare_v2(f.db.h, "SELECT value FROM secrets",
		    -1, &st, NULL) == SQLITE_OK);
		CHECK(sqlite3_step(st) == SQLITE_ROW);
		CHECK_EQ_INT(sqlite3_column_bytes(st, 0), DOC_SALT_LEN);
		memcpy(salt, sqlite3_column_blob(st, 0), DOC_SALT_LEN);
		sqlite3_finalize(st);
	}
	p.gateway = "gw-test-01";
	p.site = "Example Ltd, building 4 & <annex>";
	p.send = ALL_CATS;
	p.salt = salt;
	wbuf_init(&a);
	wbuf_init(&b);
	CHECK(document_build(f.db.h, c.id, &p, &a, err, sizeof(err)) == 0);
	CHECK(document_build(f.db.h, c.id, &p, &b, err, sizeof(err)) == 0);
	CHECK_EQ_INT(a.len, b.len);
	CHECK(memcmp(a.data, b.data, a.len) == 0);
	/* and the same as what was stored */
	CHECK_EQ_INT(a.len, len);
	CHECK(memcmp(a.data, doc, len) == 0);
	/* a cycle that is not there */
	CHECK(document_build(f.db.h, 99, &p, &a, err, sizeof(err)) == -1);
	CHECK(strstr(err, "not stored") != NULL);
	wbuf_free(&a);
	wbuf_free(&b);
	free(doc);
	teardown(&f);
}

/* the document of the last cycle under send mask `send' */
static char *
doc_with(struct fixture *f, uint32_t send, size_t *len)
{
	struct rpt_cycle	 c;
	char			*doc;

	if (setup(f, 1, send, 0, 1ULL << 30) == -1)
		return NULL;
	if (store_cycle(f->st, 1, 6, 3, 2, 2, 1, &c) == -1)
		return NULL;
	if ((doc = stored_doc(&f->db, c.id, len)) == NULL)
		return NULL;
	if (valid(doc, *len) == -1) {
		free(doc);
		return NULL;
	}
	return doc;
}

TEST(categories)
{
	struct fixture	 f;
	char		*doc;
	size_t		 len;

	/* everything */
	CHECK((doc = doc_with(&f, ALL_CATS, &len)) != NULL);
	teardown(&f);
	CHECK(strstr(doc, "<ch:Address>10.77.0.1:161</ch:Address>") != NULL);
	CHECK(strstr(doc, "<ch:SysName>prn-1</ch:SysName>") != NULL);
	CHECK(strstr(doc, "<ch:SysContact>") != NULL);
	CHECK(strstr(doc, "<ch:SysLocation>") != NULL);
	CHECK(strstr(doc, "<ch:Meters>") != NULL);
	CHECK(strstr(doc, "<ch:Supplies>") != NULL);
	CHECK(strstr(doc, "<ch:Alerts>") != NULL);
	CHECK(strstr(doc, "<ch:Status device=\"running\" printer=\"idle\" "
	    "uptime=\"123456\" errorsReported=\"true\"><ch:Error>lowToner"
	    "</ch:Error></ch:Status>") != NULL);
	CHECK(strstr(doc, "<ch:Identity>") != NULL);
	CHECK(strstr(doc, "<ch:Site>") != NULL);
	CHECK(strstr(doc, "key=\"serial:HP:SN000001\"") != NULL);
	CHECK(strstr(doc, "<ch:Serial source=\"1.3.6.1.2.1.43.5.1.1.17.1\">"
	    "SN000001</ch:Serial>") != NULL);
	CHECK(strstr(doc, "meters supplies alerts identity site-info "
	    "device-address pii job-data") != NULL);
	/* with addresses on, texts keep them */
	CHECK(strstr(doc, "at 10.77.0.250 (") != NULL);
	free(doc);

	/* the defaults: no PII, no addresses anywhere */
	CHECK((doc = doc_with(&f, CAT_DEFAULTS, &len)) != NULL);
	teardown(&f);
	CHECK(strstr(doc, "SysName") == NULL);
	CHECK(strstr(doc, "SysContact") == NULL);
	CHECK(strstr(doc, "SysLocation") == NULL);
	CHECK(strstr(doc, "prn-") == NULL);
	CHECK(strstr(doc, "ops@example.com") == NULL);
	CHECK(strstr(doc, "<ch:Contact") == NULL);
	CHECK(strstr(doc, "<ch:Address") == NULL);
	if (strstr(doc, "10.77.") != NULL)
		printf("# %.300s\n", strstr(doc, "10.77.") - 200);
	CHECK(strstr(doc, "10.77.") == NULL);
	CHECK(strstr(doc, "at [address] (see [address]:161)") != NULL);
	CHECK(strstr(doc, "timeout talking to [address]") != NULL);
	CHECK(strstr(doc, "<ch:Meters>") != NULL);
	CHECK(strstr(doc, "device-address") == NULL);
	CHECK(strstr(doc, " pii") == NULL);
	free(doc);

	/* meters off */
	CHECK((doc = doc_with(&f, CAT_DEFAULTS & ~CAT_BIT(CAT_METERS),
	    &len)) != NULL);
	teardown(&f);
	CHECK(strstr(doc, "Meter") == NULL);
	CHECK(strstr(doc, "<ch:Supplies>") != NULL);
	CHECK(strstr(doc, "<ch:Categories>supplies alerts") != NULL);
	free(doc);

	/* supplies off */
	CHECK((doc = doc_with(&f, CAT_DEFAULTS & ~CAT_BIT(CAT_SUPPLIES),
	    &len)) != NULL);
	teardown(&f);
	CHECK(strstr(doc, "<ch:Suppl") == NULL);
	CHECK(strstr(doc, "Cartridge") == NULL);
	free(doc);

	/* alerts off: no alerts and no status */
	CHECK((doc = doc_with(&f, CAT_DEFAULTS & ~CAT_BIT(CAT_ALERTS),
	    &len)) != NULL);
	teardown(&f);
	CHECK(strstr(doc, "Alert") == NULL);
	CHECK(strstr(doc, "<ch:Status") == NULL);
	CHECK(strstr(doc, "<ch:Error") == NULL);
	free(doc);

	/* identity off: no identity, and no serial in the keys either */
	CHECK((doc = doc_with(&f, CAT_DEFAULTS & ~CAT_BIT(CAT_IDENTITY),
	    &len)) != NULL);
	teardown(&f);
	CHECK(strstr(doc, "Identity") == NULL);
	CHECK(strstr(doc, "SN0000") == NULL);
	CHECK(strstr(doc, "serial:") == NULL);
	CHECK(strstr(doc, "LaserJet") == NULL);
	CHECK(strstr(doc, "key=\"anon:") != NULL);
	free(doc);

	/* site-info off */
	CHECK((doc = doc_with(&f, CAT_DEFAULTS & ~CAT_BIT(CAT_SITE_INFO),
	    &len)) != NULL);
	teardown(&f);
	CHECK(strstr(doc, "Site") == NULL);
	CHECK(strstr(doc, "Example Ltd") == NULL);
	free(doc);

	/* nothing at all: still a valid document, devices and outcomes */
	CHECK((doc = doc_with(&f, 0, &len)) != NULL);
	teardown(&f);
	CHECK(strstr(doc, "<ch:Categories></ch:Categories>") != NULL ||
	    strstr(doc, "<ch:Categories/>") != NULL);
	CHECK(strstr(doc, "outcome=\"ok\"") != NULL);
	CHECK(strstr(doc, "<ch:Identity") == NULL);
	CHECK(strstr(doc, "<ch:Meters") == NULL);
	free(doc);
}

/* values the schema would refuse are cleaned or left out */
TEST(odd_values)
{
	struct fixture	 f;
	char		*doc, *p;
	size_t		 len;

	CHECK((doc = doc_with(&f, ALL_CATS, &len)) != NULL);
	teardown(&f);
	/* U+FFFF and U+FFFE became U+FFFD */
	CHECK(strstr(doc, "odd \xef\xbf\xbd and \xef\xbf\xbd, at") != NULL);
	CHECK(strstr(doc, "\xef\xbf\xbf") == NULL);
	/* no OID that is not one, no enterprise out of range */
	CHECK(strstr(doc, "not an oid") == NULL);
	CHECK(strstr(doc, ">.1.3.6<") == NULL);
	CHECK(strstr(doc, "1..2") == NULL);
	CHECK(strstr(doc, "<ch:Enterprise>-5") == NULL);
	/* an unknown status by number; no percent of 250 */
	CHECK(strstr(doc, "device=\"77\"") != NULL);
	CHECK(strstr(doc, "percent=\"250\"") == NULL);
	free(doc);

	/* address scrubbing may lengthen a text: cut at 1023 characters */
	CHECK((doc = doc_with(&f, CAT_DEFAULTS, &len)) != NULL);
	teardown(&f);
	CHECK((p = strstr(doc, "<ch:Model>MMM")) != NULL);
	CHECK(strstr(p, "M [address] [address]</ch:Model>") != NULL);
	free(doc);
}

TEST(device_keys)
{
	struct fixture		 f;
	struct rpt_cycle	 c;
	struct doc_params	 p;
	uint8_t			 salt[DOC_SALT_LEN];
	char			 k1[DOC_KEY_MAX], k2[DOC_KEY_MAX];
	char			 k3[DOC_KEY_MAX], sql[256], key0[128];

	memset(salt, 7, sizeof(salt));
	p.gateway = "g";
	p.site = "";
	p.send = CAT_DEFAULTS;
	p.salt = salt;
	document_device_key(&p, "10.0.0.1:161", "HP", "", k1);
	document_device_key(&p, "10.0.0.1:161", "HP", "", k2);
	document_device_key(&p, "10.0.0.2:161", "HP", "", k3);
	CHECK_STR(k1, k2);
	CHECK(strcmp(k1, k3) != 0);
	CHECK_EQ_INT(strlen(k1), 5 + 32);
	CHECK(strncmp(k1, "anon:", 5) == 0);
	CHECK(strstr(k1, "10.0.0.1") == NULL);
	/* the first 128 bits of SHA-256(salt || address) */
	{
		uint8_t		 buf[DOC_SALT_LEN + 32], h[32];
		char		 hex[TXLOG_HEX_LEN];
		unsigned int	 hl;

		memcpy(buf, salt, DOC_SALT_LEN);
		memcpy(buf + DOC_SALT_LEN, "10.0.0.1:161", 12);
		CHECK(EVP_Digest(buf, DOC_SALT_LEN + 12, h, &hl,
		    EVP_sha256(), NULL) == 1);
		digest_hex(h, hex);
		CHECK(strncmp(k1 + 5, hex, 32) == 0);
	}
	/* another salt, another key */
	salt[0] = 8;
	document_device_key(&p, "10.0.0.1:161", "HP", "", k2);
	CHECK(strcmp(k1, k2) != 0);
	document_device_key(&p, "10.0.0.1:161", "HP", "X1", k1);
	CHECK_STR(k1, "serial:HP:X1");
	p.send &= ~CAT_BIT(CAT_IDENTITY);
	document_device_key(&p, "10.0.0.1:161", "HP", "X1", k1);
	CHECK(strncmp(k1, "anon:", 5) == 0);

	/* stable across cycles and across restarts: the salt is kept */
	CHECK(setup(&f, 1, CAT_DEFAULTS, 0, 1ULL << 30) == 0);
	CHECK(store_cycle(f.st, 1, 4, 1, 0, 0, 0, &c) == 0);
	(void)snprintf(sql, sizeof(sql), "SELECT substr(document, "
	    "instr(document, 'key=\"anon:'), 42) FROM outbox WHERE "
	    "cycle_id = %" PRId64, c.id);
	(void)strlcpy(key0, q_text(&f.db, sql), sizeof(key0));
	CHECK(strncmp(key0, "key=\"anon:", 10) == 0);
	teardown(&f);
	CHECK(setup(&f, 0, CAT_DEFAULTS, 0, 1ULL << 30) == 0);
	CHECK(store_cycle(f.st, 2, 4, 1, 0, 0, 0, &c) == 0);
	CHECK_EQ_INT(c.id, 2);
	(void)snprintf(sql, sizeof(sql), "SELECT substr(document, "
	    "instr(document, 'key=\"anon:'), 42) FROM outbox WHERE "
	    "cycle_id = %" PRId64, c.id);
	CHECK_STR(q_text(&f.db, sql), key0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM secrets"), 1);
	/* each device its own key: 4 devices, 4 keys per document */
	CHECK_EQ_INT(q_int(&f.db, "WITH RECURSIVE k(n, rest, key) AS ("
	    "SELECT 0, CAST(document AS TEXT), NULL FROM outbox WHERE "
	    "cycle_id = 2 UNION ALL SELECT n + 1, substr(rest, instr(rest, "
	    "' key=\"') + 6), substr(rest, instr(rest, ' key=\"') + 6, 20) "
	    "FROM k WHERE instr(rest, ' key=\"') > 0) "
	    "SELECT count(DISTINCT key) FROM k WHERE key IS NOT NULL"), 4);
	teardown(&f);
}

static int
gunzip(const uint8_t *p, size_t len, struct wbuf *out)
{
	z_stream	 zs;
	uint8_t		 chunk[16384];
	int		 rc;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)(uintptr_t)p;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END) {
			inflateEnd(&zs);
			return -1;
		}
		wbuf_bytes(out, chunk, sizeof(chunk) - zs.avail_out);
	} while (rc != Z_STREAM_END);
	rc = zs.avail_in == 0 ? 0 : -1;
	inflateEnd(&zs);
	return rc;
}

TEST(gzip_round_trip)
{
	struct fixture		 f;
	struct rpt_cycle	 c;
	struct wbuf		 z1, z2, back;
	char			*doc;
	size_t			 len;

	CHECK(setup(&f, 1, CAT_DEFAULTS, 0, 1ULL << 30) == 0);
	CHECK(store_cycle(f.st, 1, 50, 8, 4, 2, 0, &c) == 0);
	CHECK((doc = stored_doc(&f.db, c.id, &len)) != NULL);
	teardown(&f);
	wbuf_init(&z1);
	wbuf_init(&z2);
	wbuf_init(&back);
	CHECK(gz_deflate(doc, len, &z1) == 0);
	CHECK(gz_deflate(doc, len, &z2) == 0);
	/* deterministic: no name, no time */
	CHECK_EQ_INT(z1.len, z2.len);
	CHECK(memcmp(z1.data, z2.data, z1.len) == 0);
	CHECK(z1.len > 18 && z1.data[0] == 0x1f && z1.data[1] == 0x8b);
	CHECK_EQ_INT(z1.data[3], 0);		/* FLG: no name, no extra */
	CHECK(z1.data[4] == 0 && z1.data[5] == 0 && z1.data[6] == 0 &&
	    z1.data[7] == 0);			/* MTIME 0 */
	CHECK(z1.len < len / 5);
	CHECK(gunzip(z1.data, z1.len, &back) == 0);
	CHECK_EQ_INT(back.len, len);
	CHECK(memcmp(back.data, doc, len) == 0);
	/* the empty input too */
	wbuf_reset(&z1);
	wbuf_reset(&back);
	CHECK(gz_deflate("", 0, &z1) == 0);
	CHECK(gunzip(z1.data, z1.len, &back) == 0);
	CHECK_EQ_INT(back.len, 0);
	wbuf_free(&z1);
	wbuf_free(&z2);
	wbuf_free(&back);
	free(doc);
}

TEST(backoff)
{
	CHECK_EQ_INT(outbox_backoff(1), 30);
	CHECK_EQ_INT(outbox_backoff(2), 60);
	CHECK_EQ_INT(outbox_backoff(3), 120);
	CHECK_EQ_INT(outbox_backoff(6), 960);
	CHECK_EQ_INT(outbox_backoff(10), 15360);
	CHECK_EQ_INT(outbox_backoff(11), 6 * 3600);
	CHECK_EQ_INT(outbox_backoff(1000), 6 * 3600);
	CHECK_EQ_INT(outbox_backoff(INT64_MAX), 6 * 3600);
}

/* the sha256 of outbox document `id' */
static const char *
doc_sha(struct fixture *f, int64_t id)
{
	static char	 sha[TXLOG_HEX_LEN];
	char		 sql[128];

	(void)snprintf(sql, sizeof(sql), "SELECT sha256 FROM outbox WHERE "
	    "id = %" PRId64, id);
	(void)strlcpy(sha, q_text(&f->db, sql), sizeof(sha));
	return sha;
}

TEST(jobs_in_order)
{
	struct fixture		 f;
	struct rpt_cycle	 c;
	struct wbuf		 back;
	char			*doc;
	size_t			 len;
	int64_t			 wake;
	int			 i;

	CHECK(setup(&f, 1, CAT_DEFAULTS, 1, 1ULL << 30) == 0);
	/* a big one (gzip'd) and two small ones (plain) */
	CHECK(store_cycle(f.st, 1, 20, 8, 4, 2, 0, &c) == 0);
	CHECK(store_cycle(f.st, 2, 1, 0, 0, 0, 0, &c) == 0);
	CHECK(store_cycle(f.st, 3, 1, 1, 0, 0, 0, &c) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM outbox WHERE "
	    "state = 'pending'"), 3);

	CHECK_EQ_INT(outbox_pump(f.ob, NOW, &wake), 1);
	CHECK_EQ_INT(sent.n, 1);
	CHECK_EQ_INT(sent.job.job, 1);
	CHECK_EQ_INT(sent.job.kind, JOB_UPLOAD);
	CHECK_STR(sent.job.sha256, doc_sha(&f, 1));
	CHECK((doc = stored_doc(&f.db, 1, &len)) != NULL);
	CHECK(len > OUTBOX_GZIP_MIN);
	CHECK_EQ_INT(sent.job.doclen, len);
	CHECK_EQ_INT(sent.job.gzip, 1);
	wbuf_init(&back);
	CHECK(gunzip(sent.body.data, sent.body.len, &back) == 0);
	CHECK_EQ_INT(back.len, len);
	CHECK(memcmp(back.data, doc, len) == 0);
	wbuf_free(&back);
	free(doc);
	/* the job encodes and decodes as uplinkd will see it */
	{
		struct msg_upload_job	 j = sent.job, d;
		struct wbuf		 w;

		j.body = sent.body.data;
		j.bodylen = sent.body.len;
		wbuf_init(&w);
		msg_upload_job_encode(&w, &j);
		CHECK(msg_upload_job_decode(w.data, w.len, &d) == 0);
		CHECK_EQ_INT(d.job, 1);
		CHECK_EQ_INT(d.bodylen, sent.body.len);
		wbuf_free(&w);
	}

	/* one job at a time */
	CHECK_EQ_INT(outbox_inflight(f.ob), 1);
	CHECK_EQ_INT(outbox_pump(f.ob, NOW, &wake), 0);
	CHECK_EQ_INT(sent.n, 1);
	CHECK(outbox_kick(f.ob, NOW) == 0);
	CHECK_EQ_INT(outbox_pump(f.ob, NOW, &wake), 0);
	CHECK_EQ_INT(sent.n, 1);

	/* delivered: the next goes at once, oldest first, each once */
	for (i = 1; i <= 3; i++) {
		CHECK_EQ_INT(sent.job.job, i);
		CHECK(outbox_result(f.ob, result((uint64_t)i, UP_DELIVERED,
		    doc_sha(&f, i)), NOW + i) == 0);
		CHECK_EQ_INT(outbox_inflight(f.ob), 0);
		CHECK_EQ_INT(outbox_pump(f.ob, NOW + i, &wake),
		    i < 3 ? 1 : 0);
		CHECK_EQ_INT(wake, 0);
	}
	CHECK_EQ_INT(sent.n, 3);
	CHECK_EQ_INT(sent.job.gzip, 0);		/* the small ones */
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM outbox WHERE "
	    "state = 'delivered' AND attempts = 1 AND server_doc_id = 4242 "
	    "AND receipt_sha256 = sha256 AND document IS NOT NULL AND "
	    "tls_version = 'TLSv1.3' AND cert_hash = 'SHA256:0123abcd'"), 3);
	CHECK_EQ_INT(q_int(&f.db, "SELECT delivered FROM outbox WHERE "
	    "id = 2"), NOW + 2);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM txlog WHERE "
	    "kind = 'upload'"), 3);
	CHECK(strstr(q_text(&f.db, "SELECT summary FROM txlog WHERE "
	    "kind = 'upload' ORDER BY seq LIMIT 1"), "upload of cycle 1 to "
	    "comms.example.net:443: delivered, server document 4242") !=
	    NULL);
	{
		const char	*d = q_text(&f.db, "SELECT detail FROM txlog "
		    "WHERE kind = 'upload' ORDER BY seq LIMIT 1");

		CHECK(strstr(d, "\"via\":\"192.0.2.10:443\"") != NULL);
		CHECK(strstr(d, "\"tls_version\":\"TLSv1.3\"") != NULL);
		CHECK(strstr(d, "\"cert_hash\":\"SHA256:0123abcd\"") != NULL);
		CHECK(strstr(d, "\"http_status\":200") != NULL);
		CHECK(strstr(d, "\"bytes_sent\":1234") != NULL);
		CHECK(strstr(d, "\"server_doc_id\":4242") != NULL);
		CHECK(strstr(d, "\"duplicate\":false") != NULL);
		CHECK(strstr(d, "\"error\":null") != NULL);
		CHECK(strstr(d, doc_sha(&f, 1)) != NULL);
	}
	/* nothing left */
	CHECK_EQ_INT(outbox_pump(f.ob, NOW + 10, &wake), 0);
	CHECK_EQ_INT(wake, 0);
	CHECK(verify_ok(&f.db, NULL) == 0);
	teardown(&f);
}

TEST(results_and_backoff)
{
	struct fixture			 f;
	struct rpt_cycle		 c;
	struct msg_upload_result	 r;
	struct msg_outbox_status	 s;
	int64_t				 wake, next, t;
	int				 i;

	CHECK(setup(&f, 1, CAT_DEFAULTS, 1, 1ULL << 30) == 0);
	CHECK(store_cycle(f.st, 1, 2, 1, 1, 1, 0, &c) == 0);
	CHECK(store_cycle(f.st, 2, 2, 1, 1, 1, 0, &c) == 0);

	/* no job in flight, or another one: refused */
	CHECK(outbox_result(f.ob, result(1, UP_DELIVERED, doc_sha(&f, 1)),
	    NOW) == -1);
	CHECK(strstr(outbox_error(f.ob), "no job is in flight") != NULL);
	CHECK_EQ_INT(outbox_pump(f.ob, NOW, &wake), 1);
	CHECK(outbox_result(f.ob, result(2, UP_DELIVERED, doc_sha(&f, 2)),
	    NOW) == -1);
	CHECK(strstr(outbox_error(f.ob), "job 1 is in flight") != NULL);

	/* a receipt for other bytes is a mismatch, not a delivery */
	CHECK(outbox_result(f.ob, result(1, UP_DELIVERED, doc_sha(&f, 2)),
	    NOW) == 0);
	CHECK_STR(q_text(&f.db, "SELECT state FROM outbox WHERE id = 1"),
	    "pending");
	CHECK_EQ_INT(q_int(&f.db, "SELECT attempts FROM outbox WHERE "
	    "id = 1"), 1);
	CHECK_EQ_INT(q_int(&f.db, "SELECT last_status FROM outbox WHERE "
	    "id = 1"), UP_MISMATCH);
	CHECK(strstr(q_text(&f.db, "SELECT last_error FROM outbox WHERE "
	    "id = 1"), "the receipt names sha256") != NULL);
	next = q_int(&f.db, "SELECT next_attempt FROM outbox WHERE id = 1");
	CHECK(next >= NOW + 30 && next <= NOW + 33);
	CHECK(strstr(q_text(&f.db, "SELECT summary FROM txlog ORDER BY seq "
	    "DESC LIMIT 1"), "receipt-mismatch") != NULL);

	/* the whole queue waits: not the next document either */
	CHECK_EQ_INT(outbox_pump(f.ob, NOW + 1, &wake), 0);
	CHECK_EQ_INT(wake, next);
	CHECK_EQ_INT(sent.n, 1);
	CHECK(outbox_status(f.ob, NOW + 1, &s) == 0);
	CHECK_EQ_INT(s.pending, 2);
	CHECK_EQ_INT(s.delivered, 0);
	CHECK_EQ_INT(s.last_attempt, NOW);
	CHECK_EQ_INT(s.last_result, UP_MISMATCH);
	CHECK_EQ_INT(s.next_attempt, next);
	CHECK_EQ_INT(s.last_success, 0);
	CHECK_EQ_INT(s.authorized, 1);

	/* failures: the wait doubles, with at most 10% jitter, up to 6 h */
	t = next;
	for (i = 2; i <= 13; i++) {
		CHECK_EQ_INT(outbox_pump(f.ob, t, &wake), 1);
		CHECK_EQ_INT(sent.job.job, 1);
		CHECK(outbox_result(f.ob, result(1, i % 2 ? UP_TLS : UP_DIAL,
		    NULL), t) == 0);
		next = q_int(&f.db, "SELECT next_attempt FROM outbox WHERE "
		    "id = 1");
		CHECK(next >= t + outbox_backoff(i));
		CHECK(next <= t + outbox_backoff(i) + outbox_backoff(i) / 10);
		CHECK_EQ_INT(q_int(&f.db, "SELECT attempts FROM outbox WHERE "
		    "id = 1"), i);
		t = next;
	}
	CHECK(next - (t - (next - t)) >= 0);
	CHECK_STR(q_text(&f.db, "SELECT last_error FROM outbox WHERE id = 1"),
	    "something failed");
	CHECK(strstr(q_text(&f.db, "SELECT summary FROM txlog ORDER BY seq "
	    "DESC LIMIT 1"), "attempt 13, next in 6h") != NULL ||
	    strstr(q_text(&f.db, "SELECT summary FROM txlog ORDER BY seq "
	    "DESC LIMIT 1"), "attempt 13, next in 3") != NULL);

	/* "send now": due at once */
	CHECK_EQ_INT(outbox_pump(f.ob, NOW + 100, &wake), 0);
	CHECK(wake > NOW + 100);
	CHECK(outbox_kick(f.ob, NOW + 100) == 0);
	/* a server that asks for more than our backoff: its wait, jittered */
	CHECK_EQ_INT(outbox_pump(f.ob, NOW + 100, &wake), 1);
	r = *result(1, UP_HTTP, NULL);
	r.http_status = 503;
	r.retry_after = 50000;
	CHECK(outbox_result(f.ob, &r, NOW + 100) == 0);
	next = q_int(&f.db, "SELECT next_attempt FROM outbox WHERE id = 1");
	CHECK(next >= NOW + 100 + 50000 && next <= NOW + 100 + 55000);
	CHECK(strstr(q_text(&f.db, "SELECT detail FROM txlog ORDER BY seq "
	    "DESC LIMIT 1"), "\"retry_after\":50000") != NULL);
	/* and one that asks for less: our backoff */
	CHECK(outbox_kick(f.ob, NOW + 100) == 0);
	CHECK_EQ_INT(outbox_pump(f.ob, NOW + 100, &wake), 1);
	r.retry_after = 5;
	CHECK(outbox_result(f.ob, &r, NOW + 100) == 0);
	next = q_int(&f.db, "SELECT next_attempt FROM outbox WHERE id = 1");
	CHECK(next >= NOW + 100 + outbox_backoff(15));
	CHECK_EQ_INT(outbox_pump(f.ob, NOW + 100, &wake), 0);
	CHECK(wake > NOW + 100);
	CHECK(outbox_kick(f.ob, NOW + 100) == 0);
	CHECK_EQ_INT(outbox_pump(f.ob, NOW + 100, &wake), 1);
	CHECK_EQ_INT(sent.job.job, 1);
	r = *result(1, UP_DELIVERED, doc_sha(&f, 1));
	r.duplicate = 1;
	CHECK(outbox_result(f.ob, &r, NOW + 101) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT attempts FROM outbox WHERE id = 1"),
	    16);
	CHECK_EQ_INT(q_int(&f.db, "SELECT duplicate FROM outbox WHERE "
	    "id = 1"), 1);
	CHECK_EQ_INT(q_int(&f.db, "SELECT last_error IS NULL FROM outbox "
	    "WHERE id = 1"), 1);
	/* and the next one goes */
	CHECK_EQ_INT(outbox_pump(f.ob, NOW + 101, &wake), 1);
	CHECK_EQ_INT(sent.job.job, 2);
	CHECK(outbox_status(f.ob, NOW + 101, &s) == 0);
	CHECK_EQ_INT(s.delivered, 1);
	CHECK_EQ_INT(s.last_success, NOW + 101);
	CHECK_STR(s.last_sha256, doc_sha(&f, 1));
	CHECK_EQ_INT(s.last_result, UP_DELIVERED);
	CHECK_STR(s.last_error, "");

	/* a restart forgets the job in flight: it is simply sent again */
	teardown(&f);
	CHECK(setup(&f, 0, CAT_DEFAULTS, 1, 1ULL << 30) == 0);
	CHECK_EQ_INT(outbox_inflight(f.ob), 0);
	CHECK_EQ_INT(outbox_pump(f.ob, NOW + 102, &wake), 1);
	CHECK_EQ_INT(sent.job.job, 2);
	CHECK(outbox_result(f.ob, result(2, UP_DELIVERED, doc_sha(&f, 2)),
	    NOW + 103) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM outbox WHERE "
	    "state = 'delivered'"), 2);
	/* and uploading switched off: nothing more is sent */
	CHECK(store_cycle(f.st, 3, 1, 1, 1, 1, 0, &c) == 0);
	CHECK(configure(&f, CAT_DEFAULTS, 0, 1ULL << 30) == 0);
	CHECK_EQ_INT(outbox_pump(f.ob, NOW + 200, &wake), 0);
	CHECK(outbox_status(f.ob, NOW + 200, &s) == 0);
	CHECK_EQ_INT(s.authorized, 0);
	CHECK_EQ_INT(s.pending, 1);
	CHECK_EQ_INT(s.next_attempt, 0);
	CHECK(verify_ok(&f.db, NULL) == 0);
	teardown(&f);
}

/* a result that arrives while a cycle is being stored */
TEST(result_during_cycle)
{
	static struct rpt_device	 d;
	struct fixture			 f;
	struct rpt_cycle		 c, stored;
	int64_t				 wake;

	CHECK(setup(&f, 1, CAT_DEFAULTS, 1, 1ULL << 30) == 0);
	CHECK(store_cycle(f.st, 1, 2, 1, 1, 1, 0, &c) == 0);
	CHECK_EQ_INT(outbox_pump(f.ob, NOW, &wake), 1);
	fill_cycle(&c, 2, 1);
	CHECK(store_cycle_begin(f.st, &c) == 0);
	fill_device(&d, 1);
	CHECK(store_device(f.st, &d) == 0);
	CHECK(outbox_result(f.ob, result(1, UP_DELIVERED, doc_sha(&f, 1)),
	    NOW) == 0);
	CHECK(outbox_kick(f.ob, NOW) == 0);
	CHECK(store_device_end(f.st) == 0);
	c.count[DEV_OK] = 1;
	CHECK(store_cycle_end(f.st, &c, &stored) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM outbox WHERE "
	    "state = 'delivered'"), 1);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM outbox WHERE "
	    "state = 'pending'"), 1);
	CHECK(verify_ok(&f.db, NULL) == 0);
	teardown(&f);
}

/*
 * The end of an instruction (or a verdict, a check-in) that the parent
 * reports while a cycle is being stored: recorded inside the cycle's
 * transaction, committed with it (it was "cannot start a transaction
 * within a transaction", and auditd died)
 */
TEST(instruction_during_cycle)
{
	static struct rpt_device	 d;
	struct msg_instruction_done	 done;
	struct fixture			 f;
	struct rpt_cycle		 c, stored;
	struct gateway			*g;

	CHECK(setup(&f, 1, CAT_DEFAULTS, 0, 1ULL << 30) == 0);
	CHECK((g = gateway_new(&f.db, "/nonexistent")) != NULL);
	memset(&done, 0, sizeof(done));
	done.sequence = 7;
	done.item.kind = BI_COLLECT_NOW;
	done.done = 1;
	(void)strlcpy(done.text, "started", sizeof(done.text));
	fill_cycle(&c, 1, 1);
	CHECK(store_cycle_begin(f.st, &c) == 0);
	fill_device(&d, 1);
	CHECK(store_device(f.st, &d) == 0);
	if (gateway_instruction(g, &done, NOW) == -1)
		printf("# %s\n", gateway_error(g));
	CHECK(sqlite3_get_autocommit(f.db.h) == 0);	/* still the cycle's */
	CHECK(store_device_end(f.st) == 0);
	c.count[DEV_OK] = 1;
	CHECK(store_cycle_end(f.st, &c, &stored) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM txlog WHERE kind = "
	    "'instruction'"), 1);
	CHECK_STR(q_text(&f.db, "SELECT instruction FROM gateway_state"),
	    "bundle 7 instruction 1: started");
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM cycles"), 1);
	/* and outside a cycle, its own transaction */
	done.index = 1;
	CHECK(gateway_instruction(g, &done, NOW) == 0);
	CHECK(sqlite3_get_autocommit(f.db.h) != 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM txlog WHERE kind = "
	    "'instruction'"), 2);
	CHECK(verify_ok(&f.db, NULL) == 0);
	gateway_free(g);
	teardown(&f);
}

TEST(spool_pruning)
{
	struct fixture		 f;
	struct rpt_cycle	 c;
	int64_t			 size, wake, n;
	char			 sha1[TXLOG_HEX_LEN];

	/* measure one document, then allow a little over two */
	CHECK(setup(&f, 1, CAT_DEFAULTS, 1, 1ULL << 30) == 0);
	CHECK(store_cycle(f.st, 1, 10, 4, 2, 1, 0, &c) == 0);
	size = q_int(&f.db, "SELECT size FROM outbox");
	teardown(&f);
	CHECK(size > 1000);

	CHECK(setup(&f, 1, CAT_DEFAULTS, 0, (uint64_t)(size * 5 / 2)) == 0);
	CHECK(store_cycle(f.st, 1, 10, 4, 2, 1, 0, &c) == 0);
	CHECK(store_cycle(f.st, 2, 10, 4, 2, 1, 0, &c) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM outbox WHERE "
	    "state = 'pending'"), 2);
	(void)strlcpy(sha1, doc_sha(&f, 1), sizeof(sha1));
	/* the third is one too many: the oldest goes, with a record */
	CHECK(store_cycle(f.st, 3, 10, 4, 2, 1, 0, &c) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM outbox WHERE "
	    "state = 'pending'"), 2);
	CHECK_STR(q_text(&f.db, "SELECT state FROM outbox WHERE id = 1"),
	    "pruned");
	CHECK_EQ_INT(q_int(&f.db, "SELECT document IS NULL FROM outbox "
	    "WHERE id = 1"), 1);
	CHECK_STR(doc_sha(&f, 1), sha1);
	CHECK_EQ_INT(q_int(&f.db, "SELECT size FROM outbox WHERE id = 1"),
	    size);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM txlog WHERE "
	    "kind = 'prune'"), 1);
	/* in the same transaction as the cycle that made room short */
	CHECK_EQ_INT(q_int(&f.db, "SELECT max(seq) FROM txlog"), 7);
	CHECK_STR(q_text(&f.db, "SELECT kind FROM txlog WHERE seq = 5"),
	    "collect");
	CHECK_STR(q_text(&f.db, "SELECT kind FROM txlog WHERE seq = 6"),
	    "document");
	CHECK_STR(q_text(&f.db, "SELECT kind FROM txlog WHERE seq = 7"),
	    "prune");
	CHECK(strstr(q_text(&f.db, "SELECT summary FROM txlog WHERE "
	    "seq = 7"), "document of cycle 1 pruned, never sent") != NULL);
	CHECK(strstr(q_text(&f.db, "SELECT detail FROM txlog WHERE seq = 7"),
	    sha1) != NULL);
	CHECK(verify_ok(&f.db, NULL) == 0);

	/* never the one in flight */
	CHECK(configure(&f, CAT_DEFAULTS, 1, (uint64_t)(size * 5 / 2)) == 0);
	CHECK_EQ_INT(outbox_pump(f.ob, NOW, &wake), 1);
	CHECK_EQ_INT(sent.job.job, 2);
	CHECK(configure(&f, CAT_DEFAULTS, 1, (uint64_t)size / 2) == 0);
	CHECK(store_cycle(f.st, 4, 10, 4, 2, 1, 0, &c) == 0);
	CHECK_STR(q_text(&f.db, "SELECT state FROM outbox WHERE id = 2"),
	    "pending");
	CHECK_STR(q_text(&f.db, "SELECT state FROM outbox WHERE id = 3"),
	    "pruned");
	CHECK_STR(q_text(&f.db, "SELECT state FROM outbox WHERE id = 4"),
	    "pruned");
	n = q_int(&f.db, "SELECT count(*) FROM txlog WHERE kind = 'prune'");
	CHECK_EQ_INT(n, 3);
	CHECK(outbox_result(f.ob, result(2, UP_DELIVERED, doc_sha(&f, 2)),
	    NOW) == 0);
	CHECK_STR(q_text(&f.db, "SELECT state FROM outbox WHERE id = 2"),
	    "delivered");
	CHECK_EQ_INT(outbox_pump(f.ob, NOW, &wake), 0);
	CHECK(verify_ok(&f.db, NULL) == 0);
	teardown(&f);
}

/* 0 when verification finds the expected breakage */
static int
tamper(struct fixture *f, const char *sql, const char *expect)
{
	int64_t	 nrec, bad;
	char	 why[512];
	int	 r;

	if (db_exec(&f->db, "SAVEPOINT t") == -1 ||
	    db_exec(&f->db, sql) == -1) {
		printf("# %s: %s\n", sql, db_errmsg(&f->db));
		return -1;
	}
	r = txlog_verify(f->db.h, &nrec, &bad, why, sizeof(why));
	(void)db_exec(&f->db, "ROLLBACK TO t; RELEASE t");
	if (r != -1 || strstr(why, expect) == NULL) {
		printf("# %s: verify %d: %s\n", sql, r, why);
		return -1;
	}
	return 0;
}

TEST(verify_notices)
{
	struct fixture		 f;
	struct rpt_cycle	 c;
	int64_t			 wake, nrec;

	CHECK(setup(&f, 1, CAT_DEFAULTS, 1, 1ULL << 30) == 0);
	CHECK(store_cycle(f.st, 1, 3, 2, 1, 1, 0, &c) == 0);
	CHECK(store_cycle(f.st, 2, 3, 2, 1, 1, 0, &c) == 0);
	CHECK_EQ_INT(outbox_pump(f.ob, NOW, &wake), 1);
	CHECK(outbox_result(f.ob, result(1, UP_DELIVERED, doc_sha(&f, 1)),
	    NOW) == 0);
	CHECK(verify_ok(&f.db, &nrec) == 0);
	CHECK_EQ_INT(nrec, 5);

	CHECK(tamper(&f, "UPDATE outbox SET document = "
	    "CAST(replace(CAST(document AS TEXT), 'HP', 'XX') AS BLOB) "
	    "WHERE id = 2", "record 4 (document 2): the document's bytes "
	    "changed") == 0);
	CHECK(tamper(&f, "UPDATE outbox SET sha256 = "
	    "'00000000000000000000000000000000000000000000000000000000000000"
	    "00' WHERE id = 2", "outbox row changed (sha256)") == 0);
	CHECK(tamper(&f, "UPDATE outbox SET size = size + 1 WHERE id = 1",
	    "outbox row changed (size)") == 0);
	CHECK(tamper(&f, "UPDATE outbox SET state = 'pruned', document = "
	    "NULL, pruned = 1 WHERE id = 1", "outbox row changed (delivery)") ==
	    0);
	/* the bytes of a delivered document, gone without retention */
	CHECK(tamper(&f, "UPDATE outbox SET document = NULL, pruned = 1 "
	    "WHERE id = 1", "the document's bytes are missing") == 0);
	/* marked delivered without a receipt: it would never be sent */
	CHECK(tamper(&f, "UPDATE outbox SET state = 'delivered' WHERE id = 2",
	    "2 documents marked delivered, but 1 deliveries") == 0);
	CHECK(tamper(&f, "DELETE FROM outbox WHERE id = 2",
	    "its document is missing") == 0);
	CHECK(tamper(&f, "INSERT INTO outbox (cycle_id, created, sha256, "
	    "size, document, state) VALUES (77, 1, 'x', 1, x'00', "
	    "'pending')", "3 documents in the outbox, but 2 document "
	    "records") == 0);
	/* a pruned document verifies by its hash alone */
	CHECK(configure(&f, CAT_DEFAULTS, 1, 10) == 0);
	CHECK(store_cycle(f.st, 3, 3, 2, 1, 1, 0, &c) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM outbox WHERE "
	    "state = 'pruned'"), 2);
	CHECK(verify_ok(&f.db, &nrec) == 0);
	CHECK_EQ_INT(nrec, 9);
	CHECK(tamper(&f, "UPDATE outbox SET state = 'pending', document = "
	    "x'00', pruned = NULL WHERE id = 3", "document 3): the document's "
	    "bytes") == 0);
	teardown(&f);
}

/* ------------------------------------------------------------------ */
/* parts */

/* the Device lines of a document, one after the other */
static size_t
device_lines(const char *doc, size_t len, struct wbuf *out)
{
	const char	*p = doc, *e = doc + len, *nl;
	size_t		 n = 0;

	while (p < e && (p = memmem(p, (size_t)(e - p), "\n    <ch:Device ",
	    16)) != NULL) {
		if ((nl = memchr(p + 1, '\n', (size_t)(e - p - 1))) == NULL)
			break;
		wbuf_bytes(out, p, (size_t)(nl - p));
		n++;
		p = nl;
	}
	return n;
}

/* one row's document (free it) */
static char *
doc_of(struct db *db, int64_t id, size_t *len)
{
	sqlite3_stmt	*st;
	char		*d = NULL;

	*len = 0;
	if (sqlite3_prepare_v2(db->h, "SELECT document FROM outbox WHERE "
	    "id = ?", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) == SQLITE_BLOB) {
		*len = (size_t)sqlite3_column_bytes(st, 0);
		if ((d = malloc(*len + 1)) != NULL) {
			memcpy(d, sqlite3_column_blob(st, 0), *len);
			d[*len] = '\0';
		}
	}
	sqlite3_finalize(st);
	return d;
}

/*
 * A cycle of 300 devices with the smallest part limit: many parts, each
 * a valid document within the limit, with its Part element (number, of
 * put in place, first device, devices), its own hash and record; their
 * devices, in order, are the cycle's, as one document would hold them.
 */
TEST(parts)
{
	struct fixture		 f;
	struct rpt_cycle	 c;
	struct doc_params	 p;
	struct wbuf		 all, one;
	char			*d, want[256], sql[256], hex[TXLOG_HEX_LEN];
	size_t			 len;
	int64_t			 n, i, id, first = 0, nrec;

	part_limit = CONF_PART_LIMIT_MIN;
	CHECK(setup(&f, 1, CAT_DEFAULTS, 0, 1ULL << 30) == 0);
	part_limit = 0;
	CHECK(store_cycle(f.st, 1, 300, 10, 8, 7, 0, &c) == 0);
	n = q_int(&f.db, "SELECT count(*) FROM outbox");
	CHECK(n > 10);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM outbox WHERE "
	    "parts = (SELECT count(*) FROM outbox)"), n);
	CHECK_EQ_INT(q_int(&f.db, "SELECT sum(devices) FROM outbox"), 300);
	CHECK_EQ_INT(q_int(&f.db, "SELECT max(size) <= 65536 FROM outbox"),
	    1);
	wbuf_init(&all);
	wbuf_init(&one);
	for (i = 1; i <= n; i++) {
		(void)snprintf(sql, sizeof(sql), "SELECT id FROM outbox WHERE "
		    "part = %" PRId64, i);
		CHECK((id = q_int(&f.db, sql)) > 0);
		CHECK((d = doc_of(&f.db, id, &len)) != NULL);
		CHECK(valid(d, len) == 0);
		/* its hash is the hash of its bytes, as finished */
		CHECK(sha256_hex(d, len, hex) == 0);
		CHECK_STR(doc_sha(&f, id), hex);
		(void)snprintf(sql, sizeof(sql), "SELECT devices FROM outbox "
		    "WHERE id = %" PRId64, id);
		(void)snprintf(want, sizeof(want), "<ch:Part number=\"%" PRId64
		    "\" firstDevice=\"%" PRId64 "\" devices=\"%" PRId64 "\" "
		    "of=\"%" PRId64 "\"", i, first, q_int(&f.db, sql), n);
		if (strstr(d, want) == NULL)
			printf("# part %" PRId64 " lacks %s\n", i, want);
		CHECK(strstr(d, want) != NULL);
		CHECK_EQ_INT(device_lines(d, len, &all), q_int(&f.db, sql));
		first += q_int(&f.db, sql);
		free(d);
	}
	/* the same devices as the whole cycle in one document */
	memset(&p, 0, sizeof(p));
	p.gateway = "gw-test-01";
	p.site = "Example Ltd, building 4 & <annex>";
	p.send = CAT_DEFAULTS;
	p.salt = (const uint8_t *)q_text(&f.db, "SELECT hex(value) FROM "
	    "secrets");
	{
		uint8_t		 salt[DOC_SALT_LEN];
		sqlite3_stmt	*st;

		CHECK(sqlite3_prepare_v2(f.db.h, "SELECT value FROM secrets",
		    -1, &st, NULL) == SQLITE_OK);
		CHECK(sqlite3_step(st) == SQLITE_ROW);
		memcpy(salt, sqlite3_column_blob(st, 0), DOC_SALT_LEN);
		sqlite3_finalize(st);
		p.salt = salt;
		wbuf_reset(&one);
		CHECK(document_build(f.db.h, c.id, &p, &one, sql,
		    sizeof(sql)) == 0);
	}
	CHECK(valid(one.data, one.len) == 0);
	CHECK(strstr((char *)one.data, "of=\"1\"") != NULL);
	{
		struct wbuf	 lines;

		wbuf_init(&lines);
		CHECK_EQ_INT(device_lines((char *)one.data, one.len, &lines),
		    300);
		CHECK_EQ_INT(lines.len, all.len);
		CHECK(memcmp(lines.data, all.data, all.len) == 0);
		wbuf_free(&lines);
	}
	/* a document record for each part, naming it */
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM txlog WHERE kind = "
	    "'document' AND json_extract(detail, '$.parts') = (SELECT "
	    "count(*) FROM outbox)"), n);
	CHECK(strstr(q_text(&f.db, "SELECT summary FROM txlog WHERE kind = "
	    "'document' ORDER BY seq LIMIT 1"), "document of cycle 1 (part 1 "
	    "of ") != NULL);
	CHECK(verify_ok(&f.db, &nrec) == 0);
	CHECK_EQ_INT(nrec, 1 + n);
	wbuf_free(&all);
	wbuf_free(&one);
	teardown(&f);
}

/* a small cycle is one part, 1 of 1, as before in everything else */
TEST(one_part)
{
	struct fixture		 f;
	struct rpt_cycle	 c;
	char			*d;
	size_t			 len;

	CHECK(setup(&f, 1, CAT_DEFAULTS, 0, 1ULL << 30) == 0);
	CHECK(store_cycle(f.st, 1, 20, 10, 8, 7, 0, &c) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM outbox"), 1);
	CHECK((d = stored_doc(&f.db, c.id, &len)) != NULL);
	CHECK(strstr(d, "<ch:Part number=\"1\" firstDevice=\"0\" "
	    "devices=\"20\" of=\"1\"") != NULL);
	CHECK(strstr(q_text(&f.db, "SELECT summary FROM txlog WHERE kind = "
	    "'document'"), "document of cycle 1: ") != NULL);
	free(d);
	teardown(&f);
}

static const struct msg_upload_result *
refusal(uint64_t job, int http)
{
	static struct msg_upload_result	 r;

	r = *result(job, UP_HTTP, NULL);
	r.http_status = http;
	(void)snprintf(r.error, sizeof(r.error), "server answered %d %s: the "
	    "inflated document is larger than 16777216 bytes", http,
	    http == 413 ? "Content Too Large" : "Whatever");
	return &r;
}

/*
 * A 413 sets the part aside and the next part goes at once; a 503 does
 * not (backoff, the queue waits).  The status says so; -1's view of the
 * cycle counts it.  The operator requeues it (sent again, delivered) and
 * drops another; neither works on a delivered document, one in flight
 * or one that does not exist.  The log verifies all along.
 */
TEST(refused)
{
	struct fixture			 f;
	struct rpt_cycle		 c;
	static struct msg_outbox_status	 s;
	char				 text[512];
	int64_t				 wake, n;

	part_limit = CONF_PART_LIMIT_MIN;
	CHECK(setup(&f, 1, CAT_DEFAULTS, 1, 1ULL << 30) == 0);
	part_limit = 0;
	CHECK(store_cycle(f.st, 1, 60, 10, 8, 7, 0, &c) == 0);
	n = q_int(&f.db, "SELECT count(*) FROM outbox");
	CHECK(n >= 3);
	/* part 1: refused for good */
	CHECK_EQ_INT(outbox_pump(f.ob, NOW, &wake), 1);
	CHECK_EQ_INT(sent.job.job, 1);
	CHECK(outbox_result(f.ob, refusal(1, 413), NOW) == 0);
	CHECK_STR(q_text(&f.db, "SELECT state FROM outbox WHERE id = 1"),
	    "refused");
	CHECK(strstr(q_text(&f.db, "SELECT last_error FROM outbox WHERE "
	    "id = 1"), "413 Content Too Large") != NULL);
	CHECK(strstr(q_text(&f.db, "SELECT last_error FROM outbox WHERE "
	    "id = 1"), "part limit 64K") != NULL);
	CHECK(strstr(q_text(&f.db, "SELECT summary FROM txlog WHERE kind = "
	    "'upload' ORDER BY seq DESC LIMIT 1"), "refused: set aside") !=
	    NULL);
	CHECK_EQ_INT(q_int(&f.db, "SELECT json_extract(detail, "
	    "'$.set_aside') FROM txlog WHERE kind = 'upload'"), 1);
	CHECK(outbox_status(f.ob, NOW, &s) == 0);
	CHECK_EQ_INT(s.refused, 1);
	CHECK_EQ_INT(s.last_set_aside, 1);
	CHECK(strstr(s.last_refused, "document 1 of cycle 1 (part 1 of") !=
	    NULL);
	/* the next part goes now, not after a backoff */
	CHECK_EQ_INT(outbox_pump(f.ob, NOW, &wake), 1);
	CHECK_EQ_INT(sent.job.job, 2);
	/* a 503 is retried: the queue waits */
	CHECK(outbox_result(f.ob, refusal(2, 503), NOW) == 0);
	CHECK_STR(q_text(&f.db, "SELECT state FROM outbox WHERE id = 2"),
	    "pending");
	CHECK_EQ_INT(outbox_pump(f.ob, NOW, &wake), 0);
	CHECK(wake > NOW);
	CHECK(outbox_kick(f.ob, NOW) == 0);
	/* the rest delivered */
	while (outbox_pump(f.ob, NOW, &wake) == 1)
		CHECK(outbox_result(f.ob, result(sent.job.job, UP_DELIVERED,
		    doc_sha(&f, (int64_t)sent.job.job)), NOW) == 0);
	CHECK(outbox_status(f.ob, NOW, &s) == 0);
	CHECK_EQ_INT(s.pending, 0);
	CHECK_EQ_INT(s.lc_parts, n);
	CHECK_EQ_INT(s.lc_delivered, n - 1);
	CHECK_EQ_INT(s.lc_refused, 1);
	CHECK(verify_ok(&f.db, NULL) == 0);

	/* what the operator may not do */
	CHECK_EQ_INT(outbox_op(f.ob, OUTBOX_OP_REQUEUE, 2, 0, NOW, text,
	    sizeof(text)), 1);
	CHECK(strstr(text, "is delivered") != NULL);
	CHECK_EQ_INT(outbox_op(f.ob, OUTBOX_OP_DROP, 999, 0, NOW, text,
	    sizeof(text)), 1);
	CHECK(strstr(text, "no document 999") != NULL);
	/* requeue: pending, due now, attempts from 0, an "outbox" record */
	CHECK_EQ_INT(outbox_op(f.ob, OUTBOX_OP_REQUEUE, 1, 1000, NOW, text,
	    sizeof(text)), 0);
	CHECK_STR(q_text(&f.db, "SELECT state || ' ' || attempts || ' ' || "
	    "next_attempt FROM outbox WHERE id = 1"), "pending 0 0");
	CHECK(strstr(q_text(&f.db, "SELECT summary FROM txlog WHERE kind = "
	    "'outbox'"), "requeued by the operator (uid 1000)") != NULL);
	CHECK_EQ_INT(outbox_pump(f.ob, NOW, &wake), 1);
	CHECK_EQ_INT(sent.job.job, 1);
	/* in flight: neither */
	CHECK_EQ_INT(outbox_op(f.ob, OUTBOX_OP_DROP, 1, 0, NOW, text,
	    sizeof(text)), 1);
	CHECK(strstr(text, "being sent") != NULL);
	CHECK(outbox_result(f.ob, result(1, UP_DELIVERED, doc_sha(&f, 1)),
	    NOW) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM outbox WHERE state "
	    "= 'delivered'"), n);
	CHECK(verify_ok(&f.db, NULL) == 0);

	/* a second cycle: its first part refused (400), then dropped */
	CHECK(store_cycle(f.st, 2, 60, 10, 8, 7, 0, &c) == 0);
	CHECK_EQ_INT(outbox_pump(f.ob, NOW, &wake), 1);
	CHECK(outbox_result(f.ob, refusal(sent.job.job, 400), NOW) == 0);
	CHECK_EQ_INT(outbox_op(f.ob, OUTBOX_OP_DROP, (int64_t)sent.job.job,
	    0, NOW, text, sizeof(text)), 0);
	CHECK(strstr(text, "dropped") != NULL);
	CHECK_STR(q_text(&f.db, "SELECT state || ' ' || prune_reason || ' ' "
	    "|| (document IS NULL) FROM outbox WHERE state = 'pruned'"),
	    "pruned dropped 1");
	CHECK(strstr(q_text(&f.db, "SELECT summary FROM txlog WHERE kind = "
	    "'prune'"), "dropped by the operator (uid 0)") != NULL);
	CHECK(verify_ok(&f.db, NULL) == 0);
	CHECK(outbox_status(f.ob, NOW, &s) == 0);
	CHECK_EQ_INT(s.lc_pruned, 1);
	CHECK_EQ_INT(s.refused, 0);
	teardown(&f);
}

/* ------------------------------------------------------------------ */
/* retention */

static int
retention_all(struct retention *rt, int64_t now, int *steps)
{
	int	 r;

	*steps = 0;
	while ((r = retention_step(rt, now)) == 1)
		if (++*steps > 100000)
			return -1;
	if (r == -1)
		printf("# %s\n", retention_error(rt));
	return r;
}

/*
 * Three cycles, two days apart, retention 3 days: the two old ones lose
 * their readings (a record each), the delivered document of the oldest
 * its bytes (the pending one of the other keeps them, until delivered);
 * the newest is untouched; the log verifies, and notices readings gone
 * without a retention record.  A large cycle goes RETENTION_BATCH reports
 * per step.  Free pages go back to the file system.
 */
TEST(retention)
{
	struct fixture		 f;
	struct rpt_cycle	 c;
	struct retention	*rt;
	int64_t			 wake, t0 = 1700000000, now, pages;
	int			 steps;

	CHECK(setup(&f, 1, CAT_DEFAULTS, 1, 1ULL << 30) == 0);
	rt = retention_new(&f.db);
	retention_configure(rt, 3);
	cycle_start = t0;
	CHECK(store_cycle(f.st, 1, 40, 10, 8, 7, 0, &c) == 0);
	CHECK_EQ_INT(outbox_pump(f.ob, NOW, &wake), 1);
	CHECK(outbox_result(f.ob, result(1, UP_DELIVERED, doc_sha(&f, 1)),
	    NOW) == 0);
	cycle_start = t0 + 2 * 86400;
	CHECK(store_cycle(f.st, 2, 40, 10, 8, 7, 0, &c) == 0);
	cycle_start = t0 + 5 * 86400;
	CHECK(store_cycle(f.st, 3, 40, 10, 8, 7, 0, &c) == 0);
	cycle_start = 1700000000;
	/* nothing is old yet */
	CHECK(retention_all(rt, t0 + 2 * 86400, &steps) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM cycles WHERE pruned "
	    "IS NOT NULL"), 0);
	pages = q_int(&f.db, "PRAGMA page_count");
	/* five days and a bit later: cycles 1 and 2 are past three days */
	now = t0 + 5 * 86400 + 60;
	CHECK(retention_all(rt, now, &steps) == 0);
	CHECK(steps >= 4);
	CHECK_STR(q_text(&f.db, "SELECT group_concat(id || ':' || (pruned IS "
	    "NOT NULL), ',') FROM cycles"), "1:1,2:1,3:0");
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM reports WHERE "
	    "cycle_id IN (1, 2)"), 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM reports WHERE "
	    "cycle_id = 3"), 40);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM meters"), 400);
	CHECK_STR(q_text(&f.db, "SELECT group_concat(state || ':' || "
	    "(document IS NULL) || ':' || coalesce(prune_reason, '-'), ',') "
	    "FROM outbox"), "delivered:1:retention,pending:0:-,pending:0:-");
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM txlog WHERE kind = "
	    "'prune' AND json_extract(detail, '$.reason') = 'retention'"), 2);
	CHECK(strstr(q_text(&f.db, "SELECT summary FROM txlog WHERE kind = "
	    "'prune' ORDER BY seq LIMIT 1"), "retention: cycle 1 of ") !=
	    NULL);
	CHECK(verify_ok(&f.db, NULL) == 0);
	/* pages went back: the file is smaller, nothing is left free */
	CHECK(q_int(&f.db, "PRAGMA page_count") < pages);
	CHECK_EQ_INT(q_int(&f.db, "PRAGMA freelist_count"), 0);
	/* cycle 2's document, delivered now, loses its bytes too */
	CHECK_EQ_INT(outbox_pump(f.ob, NOW, &wake), 1);
	CHECK_EQ_INT(sent.job.job, 2);
	CHECK(outbox_result(f.ob, result(2, UP_DELIVERED, doc_sha(&f, 2)),
	    NOW) == 0);
	CHECK(retention_all(rt, now, &steps) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT document IS NULL FROM outbox "
	    "WHERE id = 2"), 1);
	CHECK(verify_ok(&f.db, NULL) == 0);
	/* readings gone from a cycle retention did not name: found */
	CHECK(tamper(&f, "DELETE FROM reports WHERE cycle_id = 3",
	    "readings changed") == 0);

	/* a large cycle, a batch of reports at a time */
	cycle_start = t0 + 6 * 86400;
	CHECK(store_cycle(f.st, 4, 3 * RETENTION_BATCH + 5, 1, 1, 0, 0,
	    &c) == 0);
	cycle_start = 1700000000;
	CHECK_EQ_INT(retention_step(rt, t0 + 10 * 86400), 1);	/* 3: mark */
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM cycles WHERE "
	    "pruned IS NOT NULL"), 3);
	CHECK_EQ_INT(retention_step(rt, t0 + 10 * 86400), 1);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM reports WHERE "
	    "cycle_id = 3"), 0);
	CHECK(retention_all(rt, t0 + 10 * 86400, &steps) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM reports"), 0);
	CHECK(verify_ok(&f.db, NULL) == 0);
	retention_free(rt);
	teardown(&f);
}

/* one batch of a large marked cycle per step, no more */
TEST(retention_batches)
{
	struct fixture		 f;
	struct rpt_cycle	 c;
	struct retention	*rt;
	int64_t			 t0 = 1700000000, n = 3 * RETENTION_BATCH + 5;
	int			 steps;

	CHECK(setup(&f, 1, CAT_DEFAULTS, 0, 1ULL << 30) == 0);
	rt = retention_new(&f.db);
	retention_configure(rt, 1);
	cycle_start = t0;
	CHECK(store_cycle(f.st, 1, (int)n, 2, 1, 1, 0, &c) == 0);
	cycle_start = 1700000000;
	CHECK_EQ_INT(retention_step(rt, t0 + 2 * 86400), 1);	/* marked */
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM reports"), n);
	CHECK_EQ_INT(retention_step(rt, t0 + 2 * 86400), 1);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM reports"),
	    n - RETENTION_BATCH);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM meters"),
	    2 * (n - RETENTION_BATCH));
	/* verify accepts a cycle half pruned */
	CHECK(verify_ok(&f.db, NULL) == 0);
	CHECK(retention_all(rt, t0 + 2 * 86400, &steps) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM reports"), 0);
	CHECK(verify_ok(&f.db, NULL) == 0);
	retention_free(rt);
	teardown(&f);
}

TEST(status_codec)
{
	struct msg_outbox_status	 s, b;
	struct wbuf			 w;

	memset(&s, 0, sizeof(s));
	s.pending = 3;
	s.pending_bytes = 1ULL << 40;
	s.delivered = 17;
	s.last_attempt = NOW;
	s.last_result = UP_TLS;
	(void)strlcpy(s.last_error, "certificate verify failed",
	    sizeof(s.last_error));
	s.last_success = NOW - 86400;
	memset(s.last_sha256, 'a', 64);
	s.next_attempt = NOW + 30;
	s.authorized = 1;
	wbuf_init(&w);
	msg_outbox_status_encode(&w, &s);
	CHECK(msg_outbox_status_decode(w.data, w.len, &b) == 0);
	CHECK(memcmp(&s, &b, sizeof(s)) == 0);
	CHECK(w.len <= test_msgtype(IMSG_OUTBOX_STATUS)->max);
	CHECK(msg_outbox_status_decode(w.data, w.len - 1, &b) == -1);

	/* the empty state, and bad values */
	memset(&s, 0, sizeof(s));
	s.last_result = -1;
	wbuf_reset(&w);
	msg_outbox_status_encode(&w, &s);
	CHECK(msg_outbox_status_decode(w.data, w.len, &b) == 0);
	CHECK_EQ_INT(b.last_result, -1);
	s.last_result = UP_STATUS_MAX;
	wbuf_reset(&w);
	msg_outbox_status_encode(&w, &s);
	CHECK(msg_outbox_status_decode(w.data, w.len, &b) == -1);
	s.last_result = -1;
	s.authorized = 2;
	wbuf_reset(&w);
	msg_outbox_status_encode(&w, &s);
	CHECK(msg_outbox_status_decode(w.data, w.len, &b) == -1);
	s.authorized = 0;
	(void)strlcpy(s.last_sha256, "ABC", sizeof(s.last_sha256));
	wbuf_reset(&w);
	msg_outbox_status_encode(&w, &s);
	CHECK(msg_outbox_status_decode(w.data, w.len, &b) == -1);
	wbuf_free(&w);
}

TEST(state_line)
{
	struct fixture		 f;
	struct rpt_cycle	 c;
	char			 line[128];
	int64_t			 wake;

	CHECK(setup(&f, 1, CAT_DEFAULTS, 0, 1ULL << 30) == 0);
	outbox_state(f.ob, NOW, line, sizeof(line));
	CHECK_STR(line, "outbox empty");
	CHECK(store_cycle(f.st, 1, 1, 1, 0, 0, 0, &c) == 0);
	outbox_state(f.ob, NOW, line, sizeof(line));
	CHECK(strncmp(line, "outbox 1 kept (", 15) == 0);
	CHECK(strstr(line, "not authorized") != NULL);
	CHECK(configure(&f, CAT_DEFAULTS, 1, 1ULL << 30) == 0);
	outbox_state(f.ob, NOW, line, sizeof(line));
	CHECK(strstr(line, "1 pending") != NULL);
	CHECK(strstr(line, "next in 0s") != NULL);
	CHECK_EQ_INT(outbox_pump(f.ob, NOW, &wake), 1);
	outbox_state(f.ob, NOW, line, sizeof(line));
	CHECK(strstr(line, "sending") != NULL);
	teardown(&f);
}

static double
tv_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/* a big cycle: building its document must stay cheap */
TEST(build_speed)
{
	struct fixture		 f;
	struct rpt_cycle	 c;
	struct doc_params	 p;
	struct wbuf		 w, z;
	struct rusage		 r0, r1, r2, r3;
	uint8_t			 salt[DOC_SALT_LEN];
	const char		*env;
	char			 err[256];
	double			 build, check, gz;
	int			 n = BENCH_DEFAULT;

	if ((env = getenv("TEST_OUTBOX_BENCH")) != NULL && atoi(env) > 0)
		n = atoi(env);
	CHECK(setup(&f, 1, CAT_DEFAULTS, 0, 1ULL << 40) == 0);
	/* 10 meters, 8 supplies, 7 alerts: 25 rows */
	store_set_hook(f.st, NULL, NULL);
	CHECK(store_cycle(f.st, 1, n, 10, 8, 7, 0, &c) == 0);

	memset(salt, 1, sizeof(salt));
	p.gateway = "gw";
	p.site = "site";
	p.send = CAT_DEFAULTS;
	p.salt = salt;
	wbuf_init(&w);
	wbuf_init(&z);
	(void)getrusage(RUSAGE_SELF, &r0);
	CHECK(document_build(f.db.h, c.id, &p, &w, err, sizeof(err)) == 0);
	(void)getrusage(RUSAGE_SELF, &r1);
	CHECK(valid(w.data, w.len) == 0);
	(void)getrusage(RUSAGE_SELF, &r2);
	CHECK(gz_deflate(w.data, w.len, &z) == 0);
	(void)getrusage(RUSAGE_SELF, &r3);
	build = tv_s(&r1.ru_utime) + tv_s(&r1.ru_stime) -
	    tv_s(&r0.ru_utime) - tv_s(&r0.ru_stime);
	check = tv_s(&r2.ru_utime) + tv_s(&r2.ru_stime) -
	    tv_s(&r1.ru_utime) - tv_s(&r1.ru_stime);
	gz = tv_s(&r3.ru_utime) + tv_s(&r3.ru_stime) -
	    tv_s(&r2.ru_utime) - tv_s(&r2.ru_stime);
	printf("# document of %d devices x 25 rows: %zu bytes (gzip %zu): "
	    "build %.3f s CPU, validate %.3f s, gzip %.3f s; max rss %ld "
	    "MiB\n", n, w.len, z.len, build, check, gz,
	    r3.ru_maxrss / 1024);
	/* the target is 0.3 s for 10,000; loose here for slow machines */
	CHECK(build < 0.3 * 4 * ((double)n / 10000 + 0.1));
	/* and through the hook, as auditd does it, all at once */
	store_set_hook(f.st, outbox_store_hook, f.ob);
	(void)getrusage(RUSAGE_SELF, &r0);
	CHECK(store_cycle(f.st, 2, n, 10, 8, 7, 0, &c) == 0);
	(void)getrusage(RUSAGE_SELF, &r1);
	printf("# cycle of %d devices stored with its document: %.3f s CPU\n",
	    n, tv_s(&r1.ru_utime) + tv_s(&r1.ru_stime) - tv_s(&r0.ru_utime) -
	    tv_s(&r0.ru_stime));
	if ((env = getenv("TEST_OUTBOX_DB")) != NULL && *env != '\0') {
		char	 sql[512];

		(void)unlink(env);
		(void)snprintf(sql, sizeof(sql), "VACUUM INTO '%s'", env);
		CHECK(db_exec(&f.db, sql) == 0);
	}
	wbuf_free(&w);
	wbuf_free(&z);
	teardown(&f);
}


/* ------------------------------------------------------------------ */
/* incidents and supply requests (auditd/incident.h) */

TEST(incidents)
{
	struct fixture		 f;
	struct rpt_cycle	 stored;
	static struct incident_req r;
	struct incident_done	 d;
	struct supply_policy	 sp;
	char			 err[256], *doc;
	size_t			 len;
	int64_t			 nlog;

	if (setup(&f, 1, CAT_DEFAULTS, 1, 1ULL << 30) == -1 ||
	    store_cycle(f.st, 1, 2, 1, 4, 1, 0, &stored) == -1) {
		CHECK(0);
		return;
	}
	/* typed in: a service incident with a contact, a supply request */
	memset(&r, 0, sizeof(r));
	r.kind = INC_SERVICE;
	r.uid = 1000;
	(void)strlcpy(r.device, "10.77.0.1", sizeof(r.device));
	(void)strlcpy(r.problem, "Jam <in> tray & 2", sizeof(r.problem));
	(void)strlcpy(r.name, "Ann Admin", sizeof(r.name));
	(void)strlcpy(r.email, "ann@example.com", sizeof(r.email));
	CHECK_EQ_INT(incident_record(&f.db, &r, 1700000100, &d, err,
	    sizeof(err)), 0);
	CHECK_EQ_INT(d.result, INC_DONE_OK);
	CHECK_EQ_INT(d.id, 1);
	memset(&r, 0, sizeof(r));
	r.kind = INC_SUPPLY;
	(void)strlcpy(r.device, "2", sizeof(r.device));
	r.nsupplies = 1;
	(void)strlcpy(r.supplies[0], "1.3", sizeof(r.supplies[0]));
	CHECK_EQ_INT(incident_record(&f.db, &r, 1700000100, &d, err,
	    sizeof(err)), 0);
	CHECK_EQ_INT(d.result, INC_DONE_OK);
	/* refused: nothing stored, nothing logged */
	nlog = q_int(&f.db, "SELECT count(*) FROM txlog");
	(void)strlcpy(r.supplies[0], "7.7", sizeof(r.supplies[0]));
	CHECK_EQ_INT(incident_record(&f.db, &r, 1700000100, &d, err,
	    sizeof(err)), 0);
	CHECK_EQ_INT(d.result, INC_DONE_REFUSED);
	(void)strlcpy(r.device, "10.99.0.1", sizeof(r.device));
	CHECK_EQ_INT(incident_record(&f.db, &r, 1700000100, &d, err,
	    sizeof(err)), 0);
	CHECK_EQ_INT(d.result, INC_DONE_REFUSED);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM incidents"), 2);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM txlog"), nlog);

	/* the next cycle carries both, in a valid document */
	CHECK(store_cycle(f.st, 2, 2, 1, 4, 1, 0, &stored) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM incidents WHERE "
	    "cycle_id = 2"), 2);
	if ((doc = stored_doc(&f.db, 2, &len)) != NULL) {
		CHECK(valid(doc, len) == 0);
		CHECK(strstr(doc, "<ch:Incident id=\"1\" kind=\"service\" "
		    "origin=\"operator\"") != NULL);
		CHECK(strstr(doc, "<ch:Problem>Jam &lt;in&gt; tray &amp; 2"
		    "</ch:Problem>") != NULL);
		CHECK(strstr(doc, "<ch:Name>Ann Admin</ch:Name>") != NULL);
		CHECK(strstr(doc, "<ch:Phone>") == NULL);
		CHECK(strstr(doc, "<ch:Supply index=\"1.3\" type=\"toner\" "
		    "max=\"100\" level=\"42\" percent=\"42\">") != NULL);
		CHECK(strstr(doc, "10.77.") == NULL);	/* no address */
		free(doc);
	} else
		CHECK(0);
	/* the one after carries none */
	CHECK(store_cycle(f.st, 3, 2, 1, 4, 1, 0, &stored) == 0);
	if ((doc = stored_doc(&f.db, 3, &len)) != NULL) {
		CHECK(strstr(doc, "Incident") == NULL);
		free(doc);
	}

	/* thresholds: the most qualified matching rule, the later of two */
	memset(&sp, 0, sizeof(sp));
	sp.enabled = 1;
	sp.threshold = 10;
	sp.nrules = 4;
	sp.rules[0].percent = 40;
	(void)strlcpy(sp.rules[0].vendor, "HP", sizeof(sp.rules[0].vendor));
	sp.rules[1].percent = 45;
	(void)strlcpy(sp.rules[1].type, "toner", sizeof(sp.rules[1].type));
	sp.rules[2].percent = 50;
	(void)strlcpy(sp.rules[2].vendor, "HP", sizeof(sp.rules[2].vendor));
	(void)strlcpy(sp.rules[2].type, "toner", sizeof(sp.rules[2].type));
	sp.rules[3].percent = 30;
	(void)strlcpy(sp.rules[3].vendor, "hp", sizeof(sp.rules[3].vendor));
	CHECK_EQ_INT(supply_threshold(&sp, "HP", "toner"), 50);
	CHECK_EQ_INT(supply_threshold(&sp, "Hp", "ink"), 30);
	CHECK_EQ_INT(supply_threshold(&sp, "Xerox", "toner"), 45);
	CHECK_EQ_INT(supply_threshold(&sp, "Xerox", "ink"), 10);

	/* automatic: 40 % and 42 % at a 42 % threshold, not 43 %, not -3 */
	sp.nrules = 0;
	sp.threshold = 42;
	CHECK(db_begin(&f.db) == 0);
	CHECK_EQ_INT(incident_cycle(f.db.h, 3, &sp, 1700000200, err,
	    sizeof(err)), 0);
	CHECK(db_commit(&f.db) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM incidents WHERE "
	    "origin = 'automatic'"), 4);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM incident_supplies s "
	    "JOIN incidents i ON i.id = s.incident_id WHERE origin = "
	    "'automatic' AND idx IN ('1.2', '1.4')"), 0);
	/* still low: no second request */
	CHECK(db_begin(&f.db) == 0);
	CHECK_EQ_INT(incident_cycle(f.db.h, 3, &sp, 1700000300, err,
	    sizeof(err)), 0);
	CHECK(db_commit(&f.db) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM incidents WHERE "
	    "origin = 'automatic'"), 4);
	/* a lower threshold: above it, refilled (recorded), no request */
	sp.threshold = 20;
	CHECK(db_begin(&f.db) == 0);
	CHECK_EQ_INT(incident_cycle(f.db.h, 3, &sp, 1700000400, err,
	    sizeof(err)), 0);
	CHECK(db_commit(&f.db) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM txlog WHERE summary "
	    "LIKE 'supply refilled:%'"), 4);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM supply_watch WHERE "
	    "low = 1"), 0);
	/* low again: new requests */
	sp.threshold = 42;
	CHECK(db_begin(&f.db) == 0);
	CHECK_EQ_INT(incident_cycle(f.db.h, 3, &sp, 1700000500, err,
	    sizeof(err)), 0);
	CHECK(db_commit(&f.db) == 0);
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM incidents WHERE "
	    "origin = 'automatic'"), 8);
	CHECK(verify_ok(&f.db, NULL) == 0);
	/* verify finds a changed, a removed and an added incident */
	CHECK(db_exec(&f.db, "SAVEPOINT t; UPDATE incidents SET problem = "
	    "'Jam' WHERE id = 1") == 0);
	CHECK(verify_ok(&f.db, NULL) != 0);
	CHECK(db_exec(&f.db, "ROLLBACK TO t; UPDATE incidents SET "
	    "contact_name = NULL WHERE id = 1") == 0);
	CHECK(verify_ok(&f.db, NULL) != 0);
	CHECK(db_exec(&f.db, "ROLLBACK TO t; DELETE FROM incident_supplies "
	    "WHERE incident_id = 2") == 0);
	CHECK(verify_ok(&f.db, NULL) != 0);
	CHECK(db_exec(&f.db, "ROLLBACK TO t; "
	    "DELETE FROM incident_supplies WHERE incident_id = 9; DELETE "
	    "FROM incidents WHERE id = 9") == 0);
	CHECK(verify_ok(&f.db, NULL) != 0);
	CHECK(db_exec(&f.db, "ROLLBACK TO t; INSERT INTO incidents (id, "
	    "created, kind, origin, device_id, problem, txseq) SELECT 99, "
	    "created, kind, origin, device_id, problem, txseq FROM incidents "
	    "WHERE id = 1") == 0);
	CHECK(verify_ok(&f.db, NULL) != 0);
	CHECK(db_exec(&f.db, "ROLLBACK TO t; RELEASE t") == 0);
	CHECK(verify_ok(&f.db, NULL) == 0);
	teardown(&f);
}

/* site information: the facts, valid, a host name only with pii */
TEST(site_info)
{
	struct fixture		 f;
	struct rpt_cycle	 stored;
	struct utsname		 u;
	char			*doc;
	size_t			 len;

	if (setup(&f, 1, CAT_DEFAULTS, 1, 1ULL << 30) == -1 ||
	    store_cycle(f.st, 1, 2, 1, 1, 1, 0, &stored) == -1) {
		CHECK(0);
		return;
	}
	CHECK(uname(&u) == 0);
	if ((doc = stored_doc(&f.db, 1, &len)) == NULL) {
		CHECK(0);
		teardown(&f);
		return;
	}
	CHECK(valid(doc, len) == 0);
	CHECK(strstr(doc, "<ch:SiteInfo software=\"" DOC_SOFTWARE "\" os=\"")
	    != NULL);
	CHECK(strstr(doc, " memory=\"") != NULL);
	CHECK(strstr(doc, " diskFree=\"") != NULL);
	CHECK(strstr(doc, " devicesInScope=\"2\"") != NULL);
	CHECK(strstr(doc, "hostName") == NULL);
	CHECK(u.nodename[0] == '\0' || strstr(doc, u.nodename) == NULL);
	free(doc);
	/* with pii: the host name; without site-info: no SiteInfo */
	CHECK(configure(&f, CAT_DEFAULTS | CAT_BIT(CAT_PII), 1,
	    1ULL << 30) == 0);
	CHECK(store_cycle(f.st, 2, 2, 1, 1, 1, 0, &stored) == 0);
	if ((doc = stored_doc(&f.db, 2, &len)) != NULL) {
		CHECK(valid(doc, len) == 0);
		CHECK(strstr(doc, " hostName=\"") != NULL);
		free(doc);
	}
	CHECK(configure(&f, CAT_DEFAULTS & ~CAT_BIT(CAT_SITE_INFO), 1,
	    1ULL << 30) == 0);
	CHECK(store_cycle(f.st, 3, 2, 1, 1, 1, 0, &stored) == 0);
	if ((doc = stored_doc(&f.db, 3, &len)) != NULL) {
		CHECK(strstr(doc, "SiteInfo") == NULL);
		free(doc);
	}
	CHECK_EQ_INT(q_int(&f.db, "SELECT count(*) FROM site_info"), 2);
	teardown(&f);
}

TEST_MAIN_BEGIN("test_outbox")
	log_init("test_outbox", LOG_TO_STDERR, 0);
	txlog_init();
	xmlsafe_init();
	if (load_schema() == -1) {
		printf("not ok test_outbox schema: %s not loaded\n",
		    SCHEMA_FILE);
		test_nfail++;
	} else {
		RUN(schema_v2);
		RUN(incidents);
		RUN(site_info);
		RUN(document_stored);
		RUN(together_or_not_at_all);
		RUN(deterministic);
		RUN(categories);
		RUN(odd_values);
		RUN(device_keys);
		RUN(gzip_round_trip);
		RUN(backoff);
		RUN(jobs_in_order);
		RUN(results_and_backoff);
		RUN(result_during_cycle);
	RUN(instruction_during_cycle);
		RUN(spool_pruning);
		RUN(verify_notices);
		RUN(parts);
		RUN(one_part);
		RUN(refused);
		RUN(retention);
		RUN(retention_batches);
		RUN(status_codec);
		RUN(state_line);
		RUN(build_speed);
	}
	xschema_free(schema);
	free(xsd);
	wbuf_free(&sent.body);
	cleanup();
TEST_MAIN_END
