/*
 * commsd's handling of an upload (commsd/upload.c, commsd/store.c): the
 * receipt (valid against etc/callhome.xsd, the hash of the bytes after
 * any Content-Encoding), idempotency per gateway, gzip and its bounds,
 * refusals with a Fault, the readings stored from the document, the
 * transaction log and its chain, the test-only faults.
 *
 * Run from the top of the tree: etc/callhome.xsd and the sample
 * documents of regress/fuzz/corpus/upload/.
 */
#include <sys/stat.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#include <zlib.h>

#include "../../commsd/commsd.h"
#include "../../commsd/http.h"
#include "../../commsd/storage.h"
#include "digest.h"
#include "isotime.h"
#include "log.h"
#include "test.h"
#include "txlog.h"
#include "xmlsafe.h"

#define NOW		1700000000	/* 2023-11-14T22:13:20Z */
#define FULL		"regress/fuzz/corpus/upload/upload-full.xml"
#define ADDRESS		"regress/fuzz/corpus/upload/upload-address.xml"
#define MINIMAL		"regress/fuzz/corpus/upload/upload-min.xml"

static struct xschema	*xs;
static struct comms_db	 db;
static struct comms_ctx	 cx;
static char		 tmpdir[64], dbpath[128];
static char		*full, *address, *minimal;
static size_t		 full_len, address_len, minimal_len;

struct receipt {
	char		 sha256[80];
	int64_t		 id;
	char		 time[40];
	int		 duplicate;
};

static char *
slurp(const char *path, size_t *len)
{
	FILE	*fp;
	char	*b;
	long	 n;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == -1 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) == -1 || (b = malloc(n + 1)) == NULL ||
	    fread(b, 1, n, fp) != (size_t)n) {
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	b[n] = '\0';
	*len = n;
	return b;
}

static void
rm_db(void)
{
	char	 p[256];

	(void)unlink(dbpath);
	(void)snprintf(p, sizeof(p), "%s-wal", dbpath);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", dbpath);
	(void)unlink(p);
}

static int
fresh_db(void)
{
	char	 err[256];

	if (db.ops != NULL)
		comms_db_close(&db);
	rm_db();
	if (comms_db_open(&db, dbpath, COMMS_DB_CREATE, err,
	    sizeof(err)) == -1) {
		printf("# %s\n", err);
		return -1;
	}
	memset(&cx, 0, sizeof(cx));
	cx.db = &db;
	cx.schema = xs;
	cx.max_document = 1 << 20;
	return 0;
}

static void
peer_of(struct comms_peer *p, const char *cn)
{
	memset(p, 0, sizeof(*p));
	(void)strlcpy(p->address, "127.0.0.1:4711", sizeof(p->address));
	(void)strlcpy(p->cn, cn, sizeof(p->cn));
	memset(p->cert_sha256, 'a', 64);
	(void)strlcpy(p->tls_version, "TLSv1.3", sizeof(p->tls_version));
}

/* a complete request with this body, as the parser leaves it */
static void
request(struct comms_http *h, const void *body, size_t len, int gzip,
    const char *claimed)
{
	comms_http_init(h, cx.max_document, NULL);
	(void)strlcpy(h->method, "POST", sizeof(h->method));
	(void)strlcpy(h->target, COMMS_UPLOAD_PATH, sizeof(h->target));
	h->content_length = (int64_t)len;
	if ((h->body = malloc(len + 1)) == NULL)
		abort();
	memcpy(h->body, body, len);
	h->bodylen = len;
	h->received = len;
	h->gzip = gzip;
	if (claimed != NULL) {
		(void)strlcpy(h->sha256, claimed, sizeof(h->sha256));
		h->have_sha256 = 1;
	}
	h->state = COMMS_HTTP_DONE;
}

/* upload; the answer's status, and its receipt when 200 */
static int
upload(const char *cn, const void *body, size_t len, int gzip,
    const char *claimed, struct receipt *r, char *fault, size_t faultlen)
{
	struct comms_http	 h;
	struct comms_peer	 p;
	struct comms_result	 res;
	struct wbuf		 out;
	xmlDocPtr		 d;
	xmlNodePtr		 rc;
	char			 err[512];
	const char		*b, *s;
	int			 status;

	peer_of(&p, cn);
	request(&h, body, len, gzip, claimed);
	wbuf_init(&out);
	comms_upload(&cx, &p, &h, NOW, &res, &out);
	comms_http_free(&h);
	wbuf_u8(&out, '\0');
	if (sscanf((char *)out.data, "HTTP/1.1 %d ", &status) != 1 ||
	    status != res.status ||
	    (b = strstr((char *)out.data, "\r\n\r\n")) == NULL) {
		wbuf_free(&out);
		return -1;
	}
	b += 4;
	d = soap_parse(xs, b, strlen(b), 1 << 20, "Receipt", &rc, err,
	    sizeof(err));
	if (status == 200) {
		if (d == NULL) {
			printf("# receipt: %s\n", err);
			wbuf_free(&out);
			return -1;
		}
		memset(r, 0, sizeof(*r));
		(void)strlcpy(r->sha256, (const char *)xml_child_text(rc,
		    "DocumentSha256"), sizeof(r->sha256));
		r->id = strtoll((const char *)xml_child_text(rc, "DocumentId"),
		    NULL, 10);
		(void)strlcpy(r->time, (const char *)xml_child_text(rc,
		    "ServerTime"), sizeof(r->time));
		s = (const char *)xml_child_text(rc, "Duplicate");
		r->duplicate = strcmp(s, "true") == 0;
		xmlFreeDoc(d);
	} else if (fault != NULL) {
		/* a Fault: soap_parse says so, with its reason */
		(void)strlcpy(fault, d == NULL ? err : "(not a fault)",
		    faultlen);
		if (d != NULL)
			xmlFreeDoc(d);
	}
	wbuf_free(&out);
	return status;
}

static int64_t
count(const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 n = -1;

	if (sqlite3_prepare_v2(comms_db_sqlite(&db), sql, -1, &st, NULL) !=
	    SQLITE_OK) {
		printf("# %s: %s\n", sql, sqlite3_errmsg(comms_db_sqlite(&db)));
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* the text of the first column of the first row, or "(null)" */
static const char *
text1(const char *sql)
{
	static char	 buf[4096];
	sqlite3_stmt	*st;
	const char	*s;

	(void)strlcpy(buf, "(error)", sizeof(buf));
	if (sqlite3_prepare_v2(comms_db_sqlite(&db), sql, -1, &st, NULL) !=
	    SQLITE_OK)
		return buf;
	if (sqlite3_step(st) == SQLITE_ROW) {
		s = (const char *)sqlite3_column_text(st, 0);
		(void)strlcpy(buf, s != NULL ? s : "(null)", sizeof(buf));
	} else
		(void)strlcpy(buf, "(no row)", sizeof(buf));
	sqlite3_finalize(st);
	return buf;
}

static uint8_t *
gzip_of(const void *p, size_t len, size_t *outlen)
{
	z_stream	 z;
	uint8_t		*out;
	size_t		 cap = len + 1024;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK || (out = malloc(cap)) == NULL)
		abort();
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = len;
	z.next_out = out;
	z.avail_out = cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	*outlen = z.total_out;
	deflateEnd(&z);
	return out;
}

TEST(sha256_and_time)
{
	char	 hex[65], t[32];

	CHECK(sha256_hex("abc", 3, hex) == 0);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	(void)iso_time(NOW, t, sizeof(t));
	CHECK_STR(t, "2023-11-14T22:13:20Z");
}

TEST(receipt_xml_valid)
{
	struct wbuf	 w;
	xmlDocPtr	 d;
	xmlNodePtr	 p;
	char		 err[256];

	wbuf_init(&w);
	comms_receipt_xml(&w, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad", INT64_MAX,
	    "2026-11-21T10:00:00Z", 1);
	d = soap_parse(xs, w.data, w.len, 1 << 20, "Receipt", &p, err,
	    sizeof(err));
	CHECK(d != NULL);
	CHECK_STR((const char *)xml_child_text(p, "DocumentId"),
	    "9223372036854775807");
	CHECK_STR((const char *)xml_child_text(p, "Duplicate"), "true");
	xmlFreeDoc(d);
	wbuf_free(&w);
}

TEST(receipt)
{
	struct receipt	 r;
	char		 sha[65];

	CHECK(fresh_db() == 0);
	CHECK(sha256_hex(full, full_len, sha) == 0);
	CHECK_EQ_INT(upload("gw1", full, full_len, 0, NULL, &r, NULL, 0), 200);
	CHECK_STR(r.sha256, sha);
	CHECK_EQ_INT(r.id, 1);
	CHECK_STR(r.time, "2023-11-14T22:13:20Z");
	CHECK(!r.duplicate);
	CHECK_EQ_INT(count("SELECT count(*) FROM documents"), 1);
	CHECK_STR(text1("SELECT sha256 FROM documents"), sha);
	CHECK_EQ_INT(count("SELECT size FROM documents"), full_len);
	CHECK_STR(text1("SELECT encoding FROM documents"), "identity");
	/* the exact bytes */
	CHECK_EQ_INT(count("SELECT length(bytes) FROM documents"), full_len);
	CHECK_STR(text1("SELECT bytes FROM documents"), full);
	CHECK_STR(text1("SELECT cn FROM gateways"), "gw1");
}

TEST(duplicate)
{
	struct receipt	 r;
	char		 sha[65];

	CHECK(fresh_db() == 0);
	CHECK(sha256_hex(full, full_len, sha) == 0);
	CHECK_EQ_INT(upload("gw1", full, full_len, 0, NULL, &r, NULL, 0), 200);
	CHECK_EQ_INT(r.id, 1);
	CHECK_EQ_INT(upload("gw1", full, full_len, 0, NULL, &r, NULL, 0), 200);
	CHECK_EQ_INT(r.id, 1);
	CHECK(r.duplicate);
	CHECK_STR(r.sha256, sha);
	CHECK_EQ_INT(upload("gw1", full, full_len, 0, NULL, &r, NULL, 0), 200);
	CHECK(r.duplicate);
	CHECK_EQ_INT(count("SELECT count(*) FROM documents"), 1);
	CHECK_EQ_INT(count("SELECT duplicates_seen FROM documents"), 2);
	CHECK_EQ_INT(count("SELECT count(*) FROM device_reports"), 2);
	CHECK_EQ_INT(count("SELECT count(*) FROM txlog WHERE kind = 'upload'"),
	    1);
	CHECK_EQ_INT(count("SELECT count(*) FROM txlog WHERE "
	    "kind = 'duplicate'"), 2);
	/* the same bytes gzip-encoded are the same document */
	{
		uint8_t	*gz;
		size_t	 gzlen;

		gz = gzip_of(full, full_len, &gzlen);
		CHECK_EQ_INT(upload("gw1", gz, gzlen, 1, NULL, &r, NULL, 0),
		    200);
		free(gz);
		CHECK(r.duplicate);
		CHECK_EQ_INT(r.id, 1);
	}
	/* another gateway: its own document */
	CHECK_EQ_INT(upload("gw2", full, full_len, 0, NULL, &r, NULL, 0), 200);
	CHECK_EQ_INT(r.id, 2);
	CHECK(!r.duplicate);
	CHECK_EQ_INT(count("SELECT count(*) FROM gateways"), 2);
	/* which says it is gw1: the certificate counts, the claim is noted */
	CHECK_STR(text1("SELECT cn FROM gateways g JOIN documents d ON "
	    "d.gateway_id = g.id WHERE d.id = 2"), "gw2");
	CHECK(strstr(text1("SELECT detail FROM txlog WHERE kind = 'upload' "
	    "ORDER BY seq DESC"), "\"claimed_gateway\":\"gw1\"") != NULL);
	CHECK(strstr(text1("SELECT detail FROM txlog WHERE kind = 'upload' "
	    "ORDER BY seq"), "claimed_gateway") == NULL);
	/* another document of the first */
	CHECK_EQ_INT(upload("gw1", minimal, minimal_len, 0, NULL, &r, NULL,
	    0), 200);
	CHECK_EQ_INT(r.id, 3);
	CHECK(!r.duplicate);
}

TEST(readings)
{
	struct receipt	 r;

	CHECK(fresh_db() == 0);
	CHECK_EQ_INT(upload("gw1", full, full_len, 0, NULL, &r, NULL, 0), 200);
	CHECK_STR(text1("SELECT site FROM documents"), "Head office & annex");
	CHECK_STR(text1("SELECT categories FROM documents"),
	    "meters supplies alerts identity site-info");
	CHECK_EQ_INT(count("SELECT cycle_id FROM documents"), 7);
	CHECK_STR(text1("SELECT cycle_reason FROM documents"), "schedule");
	CHECK_STR(text1("SELECT claimed_id FROM documents"), "gw1");
	CHECK_STR(text1("SELECT software FROM documents"), "callhome 0.1");
	CHECK_EQ_INT(count("SELECT ndevices FROM documents"), 2);

	CHECK_EQ_INT(count("SELECT count(*) FROM device_reports"), 2);
	CHECK_STR(text1("SELECT device_key FROM device_reports WHERE "
	    "ordinal = 0"), "VND|CNB1234567");
	CHECK_STR(text1("SELECT outcome FROM device_reports WHERE "
	    "ordinal = 0"), "ok");
	CHECK_STR(text1("SELECT model || '/' || model_source || '/' || "
	    "serial || '/' || firmware || '/' || enterprise || '/' || "
	    "sysobjectid FROM device_reports WHERE ordinal = 0"),
	    "HP LaserJet M252dw/1.3.6.1.2.1.25.3.2.1.3.1/CNB1234567/"
	    "20190819/11/1.3.6.1.4.1.11.2.3.9.1");
	CHECK_STR(text1("SELECT errors FROM device_reports WHERE "
	    "ordinal = 0"), "low-toner door-open");
	CHECK_STR(text1("SELECT device_status || '/' || printer_status || "
	    "'/' || uptime FROM device_reports WHERE ordinal = 0"),
	    "running/idle/123456");
	CHECK_STR(text1("SELECT address FROM device_reports WHERE "
	    "ordinal = 0"), "(null)");
	/* the second: a timeout, nothing but its reason */
	CHECK_STR(text1("SELECT outcome || '/' || reason FROM device_reports "
	    "WHERE ordinal = 1"), "timeout/no answer after 3 tries");
	CHECK_STR(text1("SELECT errors FROM device_reports WHERE "
	    "ordinal = 1"), "(null)");
	CHECK_STR(text1("SELECT vendor FROM device_reports WHERE "
	    "ordinal = 1"), "(null)");

	CHECK_EQ_INT(count("SELECT count(*) FROM meters"), 2);
	CHECK_EQ_INT(count("SELECT value FROM meters WHERE name = 'total'"),
	    12345);
	CHECK_STR(text1("SELECT source FROM meters WHERE name = 'color'"),
	    "(null)");
	CHECK_EQ_INT(count("SELECT count(*) FROM supplies"), 2);
	/* the special values kept as the device said them */
	CHECK_EQ_INT(count("SELECT level FROM supplies WHERE idx = '1'"), -3);
	CHECK_EQ_INT(count("SELECT max FROM supplies WHERE idx = '2'"), -2);
	CHECK_EQ_INT(count("SELECT percent IS NULL FROM supplies WHERE "
	    "idx = '2'"), 1);
	CHECK_STR(text1("SELECT description || '/' || color FROM supplies "
	    "WHERE idx = '1'"), "Black Cartridge HP CF400A/black");
	CHECK_EQ_INT(count("SELECT count(*) FROM alerts"), 1);
	CHECK_STR(text1("SELECT severity || '/' || grp || '/' || code || '/' "
	    "|| description || '/' || time FROM alerts"),
	    "warning/marker-supplies/toner-almost-empty/Black cartridge low/"
	    "1200");
	/* the devices table: one per key of the gateway */
	CHECK_EQ_INT(count("SELECT count(*) FROM devices"), 2);
	CHECK_STR(text1("SELECT vendor || '/' || serial FROM devices WHERE "
	    "key = 'VND|CNB1234567'"), "HP/CNB1234567");
}

TEST(device_identity_kept)
{
	static const char	 doc[] =
	    "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/"
	    "soap-envelope\"><env:Body><ch:Upload xmlns:ch=\"urn:callhome:"
	    "protocol:1\" version=\"1\"><ch:Gateway id=\"gw1\" "
	    "software=\"x\"/><ch:Cycle id=\"9\" reason=\"manual\" "
	    "started=\"2026-11-21T02:00:00Z\" "
	    "finished=\"2026-11-21T02:00:00Z\"/><ch:Categories>meters"
	    "</ch:Categories><ch:Devices><ch:Device key=\"VND|CNB1234567\" "
	    "outcome=\"timeout\" collected=\"2026-11-21T02:00:00Z\"/>"
	    "</ch:Devices></ch:Upload></env:Body></env:Envelope>";
	struct receipt		 r;

	CHECK(fresh_db() == 0);
	CHECK_EQ_INT(upload("gw1", full, full_len, 0, NULL, &r, NULL, 0), 200);
	CHECK_EQ_INT(upload("gw1", doc, sizeof(doc) - 1, 0, NULL, &r, NULL,
	    0), 200);
	CHECK_EQ_INT(r.id, 2);
	CHECK_STR(text1("SELECT vendor || '/' || model || '/' || "
	    "last_document FROM devices WHERE key = 'VND|CNB1234567'"),
	    "HP/HP LaserJet M252dw/2");
}

/* schema 4's attributes: a device's state, a meter's flag and previous */
TEST(state_and_flags)
{
	static const char	 doc[] =
	    "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/"
	    "soap-envelope\"><env:Body><ch:Upload xmlns:ch=\"urn:callhome:"
	    "protocol:1\" version=\"1\"><ch:Gateway id=\"gw1\" "
	    "software=\"x\"/><ch:Cycle id=\"9\" reason=\"manual\" "
	    "started=\"2026-11-21T02:00:00Z\" "
	    "finished=\"2026-11-21T02:00:00Z\"/><ch:Categories>meters"
	    "</ch:Categories><ch:Devices><ch:Device key=\"VND|A1\" "
	    "outcome=\"ok\" collected=\"2026-11-21T02:00:00Z\" "
	    "state=\"answering\" stateSince=\"2026-11-20T02:00:00Z\">"
	    "<ch:Meters><ch:Meter name=\"total\" flag=\"reset\" "
	    "previous=\"900\">12</ch:Meter><ch:Meter name=\"color\">5"
	    "</ch:Meter></ch:Meters></ch:Device><ch:Device key=\"VND|B2\" "
	    "outcome=\"auth-failure\" collected=\"2026-11-21T02:00:00Z\" "
	    "state=\"auth-failure\" stateSince=\"2026-11-21T02:00:00Z\"/>"
	    "</ch:Devices></ch:Upload></env:Body></env:Envelope>";
	struct receipt		 r;

	CHECK(fresh_db() == 0);
	CHECK_EQ_INT(upload("gw1", doc, sizeof(doc) - 1, 0, NULL, &r, NULL,
	    0), 200);
	CHECK_STR(text1("SELECT state || '/' || state_since FROM "
	    "device_reports WHERE ordinal = 0"),
	    "answering/2026-11-20T02:00:00Z");
	CHECK_STR(text1("SELECT outcome || '/' || state FROM device_reports "
	    "WHERE ordinal = 1"), "auth-failure/auth-failure");
	CHECK_STR(text1("SELECT flag || '/' || previous || '/' || value FROM "
	    "meters WHERE name = 'total'"), "reset/900/12");
	CHECK_EQ_INT(count("SELECT typeof(previous) = 'integer' FROM meters "
	    "WHERE name = 'total'"), 1);
	CHECK_EQ_INT(count("SELECT flag IS NULL AND previous IS NULL FROM "
	    "meters WHERE name = 'color'"), 1);
}

TEST(gzip_upload)
{
	struct receipt	 r;
	uint8_t		*gz;
	size_t		 gzlen;
	char		 sha[65];

	CHECK(fresh_db() == 0);
	gz = gzip_of(address, address_len, &gzlen);
	CHECK(sha256_hex(address, address_len, sha) == 0);
	CHECK_EQ_INT(upload("gw1", gz, gzlen, 1, sha, &r, NULL, 0), 200);
	free(gz);
	/* the hash of the inflated bytes, which are what is kept */
	CHECK_STR(r.sha256, sha);
	CHECK_STR(text1("SELECT encoding FROM documents"), "gzip");
	CHECK_EQ_INT(count("SELECT wire_size FROM documents"), gzlen);
	CHECK_EQ_INT(count("SELECT size FROM documents"), address_len);
	CHECK_STR(text1("SELECT bytes FROM documents"), address);
	CHECK_STR(text1("SELECT address || '/' || sysname || '/' || "
	    "syscontact || '/' || syslocation FROM device_reports"),
	    "192.0.2.10/printer-2f/it@example.com/2nd floor");
	CHECK(strstr(text1("SELECT detail FROM txlog WHERE kind = 'upload'"),
	    "\"claimed_sha256_matches\":true") != NULL);
}

TEST(gzip_refused)
{
	struct receipt	 r;
	uint8_t		*big, *gz;
	size_t		 gzlen;
	char		 fault[512];

	CHECK(fresh_db() == 0);
	cx.max_document = 64 * 1024;
	/* a small body that inflates beyond the limit */
	CHECK((big = calloc(1, 1 << 20)) != NULL);
	gz = gzip_of(big, 1 << 20, &gzlen);
	free(big);
	CHECK(gzlen < 4096);
	CHECK_EQ_INT(upload("gw1", gz, gzlen, 1, NULL, &r, fault,
	    sizeof(fault)), 413);
	CHECK(strstr(fault, "larger than 65536") != NULL);
	/* cut short, even before the limit */
	CHECK_EQ_INT(upload("gw1", gz, gzlen / 2, 1, NULL, &r, fault,
	    sizeof(fault)), 413);
	free(gz);
	gz = gzip_of(minimal, minimal_len, &gzlen);
	CHECK_EQ_INT(upload("gw1", gz, gzlen - 4, 1, NULL, &r, fault,
	    sizeof(fault)), 400);
	CHECK(strstr(fault, "truncated") != NULL);
	/* something after the stream */
	CHECK((gz = realloc(gz, gzlen + 3)) != NULL);
	memcpy(gz + gzlen, "xyz", 3);
	CHECK_EQ_INT(upload("gw1", gz, gzlen + 3, 1, NULL, &r, fault,
	    sizeof(fault)), 400);
	CHECK(strstr(fault, "after the gzip stream") != NULL);
	/* a corrupted stream */
	gz[gzlen / 2] ^= 0x55;
	gz[gzlen / 2 + 1] ^= 0x55;
	CHECK_EQ_INT(upload("gw1", gz, gzlen, 1, NULL, &r, fault,
	    sizeof(fault)), 400);
	free(gz);
	/* not gzip at all */
	CHECK_EQ_INT(upload("gw1", minimal, minimal_len, 1, NULL, &r, fault,
	    sizeof(fault)), 400);
	CHECK_EQ_INT(count("SELECT count(*) FROM documents"), 0);
	CHECK_EQ_INT(count("SELECT count(*) FROM txlog WHERE kind = 'reject'"),
	    6);
}

/* the first step: no room for the inflated document is 503, not 413 */
TEST(begin_room)
{
	struct comms_http	 h;
	struct comms_peer	 p;
	struct comms_result	 res;
	struct comms_work	 w;
	struct wbuf		 out;
	uint8_t			*gz;
	size_t			 gzlen;

	CHECK(fresh_db() == 0);
	peer_of(&p, "gw1");
	gz = gzip_of(full, full_len, &gzlen);
	request(&h, gz, gzlen, 1, NULL);
	wbuf_init(&out);
	CHECK_EQ_INT(comms_upload_begin(&cx, &p, &h, NOW, full_len - 1, &w,
	    &res, &out), -1);
	CHECK_EQ_INT(res.status, 503);
	wbuf_u8(&out, '\0');
	CHECK(strstr((char *)out.data, "\r\nRetry-After: 60\r\n") != NULL);
	comms_http_free(&h);
	/* with the room: the inflated document, and the body gone */
	request(&h, gz, gzlen, 1, NULL);
	wbuf_reset(&out);
	CHECK_EQ_INT(comms_upload_begin(&cx, &p, &h, NOW, full_len, &w, &res,
	    &out), 0);
	CHECK(h.body == NULL && w.wire_len == gzlen);
	CHECK(w.len == full_len && memcmp(w.bytes, full, full_len) == 0);
	CHECK_EQ_INT(out.len, 0);
	comms_work_free(&w);
	comms_http_free(&h);
	free(gz);
	wbuf_free(&out);
	CHECK_EQ_INT(count("SELECT count(*) FROM txlog WHERE kind = 'error' "
	    "AND summary LIKE '%503 the server is busy%'"), 1);
}

TEST(inflate_bounds)
{
	uint8_t	*gz, *out, *in;
	size_t	 gzlen, outlen;
	char	 err[256];

	CHECK((in = malloc(1000)) != NULL);
	memset(in, 'x', 1000);
	gz = gzip_of(in, 1000, &gzlen);
	CHECK_EQ_INT(comms_inflate(gz, gzlen, 1000, &out, &outlen, err,
	    sizeof(err)), 0);
	CHECK_EQ_INT(outlen, 1000);
	CHECK(memcmp(out, in, 1000) == 0);
	free(out);
	CHECK_EQ_INT(comms_inflate(gz, gzlen, 999, &out, &outlen, err,
	    sizeof(err)), -2);
	CHECK(out == NULL);
	CHECK_EQ_INT(comms_inflate(gz, gzlen, 1, &out, &outlen, err,
	    sizeof(err)), -2);
	free(gz);
	/* an empty document inflates to nothing, which is no error here */
	gz = gzip_of("", 0, &gzlen);
	CHECK_EQ_INT(comms_inflate(gz, gzlen, 10, &out, &outlen, err,
	    sizeof(err)), 0);
	CHECK_EQ_INT(outlen, 0);
	free(out);
	free(gz);
	/* a raw zlib stream is not gzip */
	{
		uLongf	 zl = compressBound(1000);
		uint8_t	*z = malloc(zl);

		CHECK(z != NULL);
		CHECK(compress(z, &zl, in, 1000) == Z_OK);
		CHECK_EQ_INT(comms_inflate(z, zl, 2000, &out, &outlen, err,
		    sizeof(err)), -1);
		free(z);
	}
	free(in);
}

TEST(invalid_documents)
{
	static const char	*bad[] = {
		/* schema-invalid: no Categories */
		"<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/"
		"soap-envelope\"><env:Body><ch:Upload xmlns:ch=\"urn:callhome:"
		"protocol:1\" version=\"1\"><ch:Gateway id=\"gw1\" "
		"software=\"x\"/><ch:Cycle id=\"9\" reason=\"manual\" "
		"started=\"2026-11-21T02:00:00Z\" finished=\"2026-11-21T02:00:"
		"00Z\"/><ch:Devices/></ch:Upload></env:Body></env:Envelope>",
		/* version 2 */
		"<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/"
		"soap-envelope\"><env:Body><ch:Upload xmlns:ch=\"urn:callhome:"
		"protocol:1\" version=\"2\"><ch:Gateway id=\"gw1\" "
		"software=\"x\"/><ch:Cycle id=\"9\" reason=\"manual\" "
		"started=\"2026-11-21T02:00:00Z\" finished=\"2026-11-21T02:00:"
		"00Z\"/><ch:Categories/><ch:Devices/></ch:Upload></env:Body>"
		"</env:Envelope>",
		/* a DTD */
		"<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>",
		/* a Receipt is not an Upload */
		"<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/"
		"soap-envelope\"><env:Body><ch:Receipt xmlns:ch=\"urn:callhome:"
		"protocol:1\"/></env:Body></env:Envelope>",
		/* not XML */
		"hello",
		/* empty */
		"",
	};
	struct receipt		 r;
	char			 fault[512];
	size_t			 i;

	CHECK(fresh_db() == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ_INT(upload("gw1", bad[i], strlen(bad[i]), 0, NULL, &r,
		    fault, sizeof(fault)), 400);
		CHECK(strstr(fault, "SOAP Fault: document not valid") != NULL);
	}
	CHECK_EQ_INT(count("SELECT count(*) FROM documents"), 0);
	CHECK_EQ_INT(count("SELECT count(*) FROM txlog WHERE kind = 'reject'"),
	    (int64_t)(sizeof(bad) / sizeof(bad[0])));
	CHECK(strstr(text1("SELECT summary FROM txlog WHERE seq = 1"),
	    "rejected request from gw1 (127.0.0.1:4711): 400 document not "
	    "valid") != NULL);
	CHECK(strstr(text1("SELECT detail FROM txlog WHERE seq = 1"),
	    "\"status\":400") != NULL);
}

TEST(reject_and_error_records)
{
	struct comms_peer	 p;
	struct wbuf		 out;

	CHECK(fresh_db() == 0);
	peer_of(&p, "gw1");
	wbuf_init(&out);
	comms_reject(&cx, &p, NULL, NOW, 408, "too slow", &out);
	wbuf_u8(&out, '\0');
	CHECK(strncmp((char *)out.data, "HTTP/1.1 408 Request Timeout\r\n",
	    30) == 0);
	CHECK(strstr((char *)out.data, "too slow") != NULL);
	wbuf_free(&out);
	comms_reject(&cx, &p, NULL, NOW, 500, "disk full", NULL);
	CHECK_STR(text1("SELECT kind FROM txlog WHERE seq = 1"), "reject");
	CHECK_STR(text1("SELECT kind FROM txlog WHERE seq = 2"), "error");
	CHECK_EQ_INT(count("SELECT time FROM txlog WHERE seq = 2"), NOW);
}

TEST(claimed_hash_mismatch)
{
	struct receipt	 r;
	char		 sha[65], fault[512];
	uint8_t		*gz;
	size_t		 gzlen;

	CHECK(fresh_db() == 0);
	memset(sha, '0', 64);
	sha[64] = '\0';
	/* refused: the gateway sends again, and nothing is stored */
	CHECK_EQ_INT(upload("gw1", full, full_len, 0, sha, &r, fault,
	    sizeof(fault)), 400);
	CHECK(strstr(fault, "X-Callhome-Document-Sha256 0000") != NULL);
	CHECK(strstr(fault, "does not match") != NULL);
	CHECK_EQ_INT(count("SELECT count(*) FROM documents"), 0);
	CHECK(strstr(text1("SELECT summary FROM txlog WHERE kind = 'reject'"),
	    "400 X-Callhome-Document-Sha256") != NULL);
	CHECK(strstr(text1("SELECT detail FROM txlog WHERE kind = 'reject'"),
	    "\"claimed_sha256\":\"0000") != NULL);
	/* gzip: the claim is the inflated document's hash, not the body's */
	gz = gzip_of(full, full_len, &gzlen);
	CHECK(sha256_hex(gz, gzlen, sha) == 0);
	CHECK_EQ_INT(upload("gw1", gz, gzlen, 1, sha, &r, NULL, 0), 400);
	CHECK(sha256_hex(full, full_len, sha) == 0);
	CHECK_EQ_INT(upload("gw1", gz, gzlen, 1, sha, &r, NULL, 0), 200);
	free(gz);
	CHECK_STR(r.sha256, sha);
	CHECK(strstr(text1("SELECT detail FROM txlog WHERE kind = 'upload'"),
	    "\"claimed_sha256_matches\":true") != NULL);
}

TEST(fault_receipt_hash)
{
	struct receipt	 r;
	char		 sha[65];

	CHECK(fresh_db() == 0);
	cx.faults = COMMS_FAULT_RECEIPT_HASH;
	CHECK(sha256_hex(full, full_len, sha) == 0);
	CHECK_EQ_INT(upload("gw1", full, full_len, 0, NULL, &r, NULL, 0), 200);
	CHECK_EQ_INT(strlen(r.sha256), 64);
	CHECK(strcmp(r.sha256, sha) != 0);
	/* what is stored is right all the same */
	CHECK_STR(text1("SELECT sha256 FROM documents"), sha);
}

/* part `number' of `of' of cycle `cycle': `devices' devices from `first' */
static char *
part_doc(int cycle, int number, int of, int first, int devices,
    int claimed, size_t *len)
{
	struct wbuf	 w;
	char		 buf[512];
	int		 i;

	wbuf_init(&w);
	(void)snprintf(buf, sizeof(buf), "<?xml version=\"1.0\"?>\n"
	    "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/"
	    "soap-envelope\"><env:Body><ch:Upload xmlns:ch=\"urn:callhome:"
	    "protocol:1\" version=\"1\"><ch:Gateway id=\"gw1\" software="
	    "\"callhome\"/><ch:Cycle id=\"%d\" reason=\"schedule\" started="
	    "\"2026-11-21T02:00:00Z\" finished=\"2026-11-21T02:00:09Z\"/>"
	    "<ch:Categories>meters</ch:Categories><ch:Devices>", cycle);
	wbuf_bytes(&w, buf, strlen(buf));
	for (i = 0; i < devices; i++) {
		(void)snprintf(buf, sizeof(buf), "<ch:Device key=\"anon:%d\" "
		    "outcome=\"ok\" collected=\"2026-11-21T02:00:01Z\"/>",
		    first + i);
		wbuf_bytes(&w, buf, strlen(buf));
	}
	(void)snprintf(buf, sizeof(buf), "</ch:Devices><ch:Part number="
	    "\"%d\" firstDevice=\"%d\" devices=\"%d\" of=\"%d\"   />"
	    "</ch:Upload></env:Body></env:Envelope>\n", number, first,
	    claimed, of);
	wbuf_bytes(&w, buf, strlen(buf));
	wbuf_u8(&w, '\0');
	*len = w.len - 1;
	return (char *)w.data;
}

/*
 * Incidents (schema 5): each stored once per gateway and number, from
 * every part of a cycle and a document sent again; another gateway's
 * number 3 is its own; the contact only where it came; a document with
 * a number twice, a supply twice or a number 0 refused (400).
 */
static char *
incident_doc(int cycle, int part, const char *extra, size_t *len)
{
	struct wbuf	 w;
	char		 buf[1024];

	wbuf_init(&w);
	(void)snprintf(buf, sizeof(buf), "<env:Envelope xmlns:env=\"http://"
	    "www.w3.org/2003/05/soap-envelope\"><env:Body><ch:Upload "
	    "xmlns:ch=\"urn:callhome:protocol:1\" version=\"1\"><ch:Gateway "
	    "id=\"gw1\" software=\"x\"/><ch:Cycle id=\"%d\" reason="
	    "\"incident\" started=\"2026-11-21T02:00:00Z\" finished="
	    "\"2026-11-21T02:00:00Z\"/><ch:Categories>meters</ch:Categories>"
	    "<ch:Incidents><ch:Incident id=\"3\" kind=\"service\" origin="
	    "\"operator\" device=\"VND|A1\" created=\"2026-11-21T01:00:00Z\">"
	    "<ch:Problem>Jam</ch:Problem><ch:Contact><ch:Name>Ann</ch:Name>"
	    "<ch:Phone>+1 555</ch:Phone></ch:Contact></ch:Incident>"
	    "<ch:Incident id=\"4\" kind=\"supply\" origin=\"automatic\" "
	    "device=\"VND|A1\" created=\"2026-11-21T01:30:00Z\"><ch:Supply "
	    "index=\"1.1\" type=\"toner\" max=\"100\" level=\"5\" "
	    "percent=\"5\"/>%s</ch:Incident></ch:Incidents><ch:Devices>"
	    "<ch:Device key=\"VND|A%d\" outcome=\"ok\" collected=\"2026-11-21"
	    "T02:00:00Z\"/></ch:Devices><ch:Part number=\"%d\" firstDevice="
	    "\"%d\" devices=\"1\" of=\"2\"/></ch:Upload></env:Body>"
	    "</env:Envelope>", cycle, extra, part, part, part - 1);
	wbuf_bytes(&w, buf, strlen(buf));
	wbuf_u8(&w, '\0');
	*len = w.len - 1;
	return (char *)w.data;
}

TEST(incidents)
{
	struct receipt	 r;
	char		*d, fault[256];
	size_t		 len;

	CHECK(fresh_db() == 0);
	d = incident_doc(5, 1, "", &len);
	CHECK_EQ_INT(upload("gw1", d, len, 0, NULL, &r, NULL, 0), 200);
	CHECK_EQ_INT(upload("gw1", d, len, 0, NULL, &r, NULL, 0), 200);
	CHECK(r.duplicate);
	free(d);
	d = incident_doc(5, 2, "", &len);
	CHECK_EQ_INT(upload("gw1", d, len, 0, NULL, &r, NULL, 0), 200);
	CHECK_EQ_INT(upload("gw2", d, len, 0, NULL, &r, NULL, 0), 200);
	free(d);
	CHECK_EQ_INT(count("SELECT count(*) FROM incidents"), 4);
	CHECK_EQ_INT(count("SELECT count(*) FROM incidents i JOIN gateways "
	    "g ON g.id = i.gateway_id WHERE g.cn = 'gw1'"), 2);
	CHECK_EQ_INT(count("SELECT count(*) FROM incident_supplies"), 2);
	CHECK_STR(text1("SELECT kind || '/' || origin || '/' || problem || "
	    "'/' || contact_name || '/' || coalesce(contact_email, '-') || "
	    "'/' || contact_phone || '/' || status FROM incidents WHERE "
	    "incident_id = 3 AND document_id = 1"),
	    "service/operator/Jam/Ann/-/+1 555/received");
	CHECK_EQ_INT(count("SELECT count(*) FROM incidents WHERE "
	    "incident_id = 4 AND contact_name IS NULL AND problem IS NULL"),
	    2);
	CHECK_STR(text1("SELECT idx || '/' || type || '/' || level || '/' || "
	    "max || '/' || percent FROM incident_supplies LIMIT 1"),
	    "1.1/toner/5/100/5");
	/* refused by the schema: a supply twice, a number twice, number 0 */
	d = incident_doc(6, 1, "<ch:Supply index=\"1.1\"/>", &len);
	CHECK_EQ_INT(upload("gw1", d, len, 0, NULL, &r, fault,
	    sizeof(fault)), 400);
	free(d);
	d = incident_doc(6, 1, "", &len);
	memcpy(strstr(d, "id=\"4\""), "id=\"3\"", 6);
	CHECK_EQ_INT(upload("gw1", d, len, 0, NULL, &r, fault,
	    sizeof(fault)), 400);
	memcpy(strstr(d, "id=\"3\" kind=\"supply\""), "id=\"0\"", 6);
	CHECK_EQ_INT(upload("gw1", d, len, 0, NULL, &r, fault,
	    sizeof(fault)), 400);
	free(d);
	CHECK_EQ_INT(count("SELECT count(*) FROM incidents"), 4);
}

/* the incidents a check-in is given (storage.h), one "NUM STATUS;" each */
static char	 seen[256];
static void
seen_incident(void *arg, int64_t number, const char *status)
{
	size_t	 o = strlen(seen);

	(void)snprintf(seen + o, sizeof(seen) - o, "%" PRId64 " %s;", number,
	    status);
}

/* a check-in's record, and how many incidents it was given before */
static size_t	 seen_before_record;
static char *
record_plain(void *arg, size_t nserved, size_t nheld, char *summary,
    size_t len)
{
	char	*d;

	seen_before_record = strlen(seen);
	(void)snprintf(summary, len, "check-in");
	if ((d = strdup("{}")) == NULL)
		abort();
	return d;
}

static const char *
incidents_of(const char *cn, int64_t since, size_t max)
{
	struct comms_checkin	 ci;
	struct comms_peer	 p;
	size_t			 served;

	peer_of(&p, cn);
	memset(&ci, 0, sizeof(ci));
	ci.software = "callhome/0.1";
	ci.record = record_plain;
	ci.incidents_since = since;
	ci.incidents_max = max;
	ci.incident = seen_incident;
	seen[0] = '\0';
	seen_before_record = 0;
	if (comms_db_checkin(&db, &p, time(NULL), &ci, NULL, 0, &served) ==
	    -1)
		return "error";
	/* all of them given before the record was built */
	if (seen_before_record != strlen(seen))
		return "after the record";
	return seen;
}

/*
 * An incident's status (storage.h's incident_status): set with its
 * "incident" record, none for an incident that is not there or a status
 * that is not one of the three; a check-in is given the gateway's own,
 * the highest number first, at most as many as asked, received since
 * the time asked.
 */
TEST(incident_status)
{
	struct receipt	 r;
	char		*d;
	size_t		 len;

	CHECK(fresh_db() == 0);
	d = incident_doc(5, 1, "", &len);
	CHECK_EQ_INT(upload("gw1", d, len, 0, NULL, &r, NULL, 0), 200);
	CHECK_EQ_INT(upload("gw2", d, len, 0, NULL, &r, NULL, 0), 200);
	free(d);
	CHECK_EQ_INT(comms_db_incident_status(&db, 1, "shipped", 1000,
	    "incident 1: shipped", "{}"), 0);
	CHECK_STR(text1("SELECT status || '/' || status_time FROM incidents "
	    "i JOIN gateways g ON g.id = i.gateway_id WHERE g.cn = 'gw1' AND "
	    "incident_id = 3"), "shipped/1000");
	CHECK_EQ_INT(count("SELECT count(*) FROM txlog WHERE kind = "
	    "'incident' AND summary = 'incident 1: shipped'"), 1);
	CHECK_EQ_INT(comms_db_incident_status(&db, 99, "closed", 1000,
	    "incident 99: closed", "{}"), 1);
	CHECK_EQ_INT(comms_db_incident_status(&db, 1, "lost", 1000,
	    "incident 1: lost", "{}"), -1);
	CHECK_EQ_INT(count("SELECT count(*) FROM txlog WHERE kind = "
	    "'incident'"), 1);
	CHECK_EQ_INT(count("SELECT count(*) FROM incidents WHERE status = "
	    "'received'"), 3);
	CHECK_STR(incidents_of("gw1", 0, 256), "4 received;3 shipped;");
	CHECK_STR(incidents_of("gw2", 0, 256), "4 received;3 received;");
	CHECK_STR(incidents_of("gw1", 0, 1), "4 received;");
	CHECK_STR(incidents_of("gw1", time(NULL) + 86400, 256), "");
	CHECK_STR(incidents_of("gw3", 0, 256), "");
}

/*
 * A cycle in three parts, out of order and one twice: commsd stores each
 * part, counts the distinct ones, calls the cycle partial until the last
 * missing part comes, then complete, with a "cycle" record; the parts
 * must agree on their count, say their devices right and be within it.
 */
TEST(parts)
{
	struct receipt	 r;
	char		*d, fault[256];
	size_t		 len;

	CHECK(fresh_db() == 0);
	d = part_doc(7, 2, 3, 5, 4, 4, &len);
	CHECK_EQ_INT(upload("gw1", d, len, 0, NULL, &r, NULL, 0), 200);
	free(d);
	CHECK_STR(text1("SELECT part || '/' || parts || '/' || first_device "
	    "FROM documents"), "2/3/5");
	CHECK_STR(text1("SELECT received || '/' || parts || '/' || devices "
	    "|| '/' || coalesce(completed, 'partial') FROM cycles"),
	    "1/3/4/partial");
	CHECK(strstr(text1("SELECT summary FROM txlog WHERE kind = "
	    "'upload'"), "cycle 7 (part 2 of 3)") != NULL);
	d = part_doc(7, 1, 3, 0, 5, 5, &len);
	CHECK_EQ_INT(upload("gw1", d, len, 0, NULL, &r, NULL, 0), 200);
	/* again: a duplicate, counted once */
	CHECK_EQ_INT(upload("gw1", d, len, 0, NULL, &r, NULL, 0), 200);
	CHECK(r.duplicate);
	free(d);
	CHECK_STR(text1("SELECT received || '/' || devices || '/' || "
	    "coalesce(completed, 'partial') FROM cycles"), "2/9/partial");
	CHECK_EQ_INT(count("SELECT count(*) FROM txlog WHERE kind = "
	    "'cycle'"), 0);
	/* parts that do not fit: the count, the devices, the number */
	d = part_doc(7, 3, 4, 9, 1, 1, &len);
	CHECK_EQ_INT(upload("gw1", d, len, 0, NULL, &r, fault,
	    sizeof(fault)), 400);
	CHECK(strstr(fault, "says the cycle has 4 parts") != NULL);
	free(d);
	d = part_doc(7, 3, 3, 9, 2, 3, &len);
	CHECK_EQ_INT(upload("gw1", d, len, 0, NULL, &r, fault,
	    sizeof(fault)), 400);
	CHECK(strstr(fault, "Part says 3 devices, the document has 2") !=
	    NULL);
	free(d);
	d = part_doc(7, 4, 3, 9, 2, 2, &len);
	CHECK_EQ_INT(upload("gw1", d, len, 0, NULL, &r, fault,
	    sizeof(fault)), 400);
	free(d);
	CHECK_EQ_INT(count("SELECT count(*) FROM documents"), 2);
	CHECK_STR(text1("SELECT received FROM cycles"), "2");
	/* the last one: complete, and said so */
	d = part_doc(7, 3, 3, 9, 2, 2, &len);
	CHECK_EQ_INT(upload("gw1", d, len, 0, NULL, &r, NULL, 0), 200);
	free(d);
	CHECK_STR(text1("SELECT received || '/' || devices || '/' || "
	    "completed FROM cycles"), "3/11/1700000000");
	CHECK_STR(text1("SELECT summary FROM txlog WHERE kind = 'cycle'"),
	    "cycle 7 of gw1 complete: 3 parts, 11 devices");
	/* another gateway's cycle 7 is its own; a whole cycle, 1 of 1 */
	CHECK_EQ_INT(upload("gw2", full, full_len, 0, NULL, &r, NULL, 0), 200);
	CHECK_EQ_INT(count("SELECT count(*) FROM cycles"), 2);
	CHECK_STR(text1("SELECT parts || '/' || received || '/' || "
	    "(completed IS NOT NULL) FROM cycles WHERE id = 2"), "1/1/1");
	CHECK_EQ_INT(count("SELECT count(*) FROM txlog WHERE kind = "
	    "'cycle'"), 1);
	{
		int64_t	 n, bad;
		char	 why[256];

		CHECK(txlog_verify_chain(comms_db_sqlite(&db), &n, &bad, why,
		    sizeof(why)) == 0);
	}
}

TEST(log_chain)
{
	struct comms_conf	*conf;
	struct receipt		 r;

	CHECK(fresh_db() == 0);
	CHECK(comms_db_log(&db, NOW, COMMS_LOG_START, "started", "{}") == 0);
	CHECK_EQ_INT(upload("gw1", full, full_len, 0, NULL, &r, NULL, 0), 200);
	CHECK_EQ_INT(upload("gw1", full, full_len, 0, NULL, &r, NULL, 0), 200);
	CHECK_EQ_INT(upload("gw1", "x", 1, 0, NULL, &r, NULL, 0), 400);
	CHECK_EQ_INT(count("SELECT count(*) FROM txlog"), 4);
	CHECK_EQ_INT(count("SELECT txseq FROM documents"), 2);
	/* the read-only query checks the chain */
	CHECK((conf = comms_conf_new()) != NULL);
	(void)strlcpy(conf->database, dbpath, sizeof(conf->database));
	CHECK_EQ_INT(comms_query(conf, "verify", NULL, 0), 0);
	/* a changed summary is found */
	CHECK(sqlite3_exec(comms_db_sqlite(&db), "UPDATE txlog SET summary = "
	    "'x' WHERE seq = 3", NULL, NULL, NULL) == SQLITE_OK);
	CHECK_EQ_INT(comms_query(conf, "verify", NULL, 0), 1);
	comms_conf_free(conf);
}

/* the check-in's record: summary and detail, as checkin.c builds them */
static size_t	 rec_served, rec_held;
static char *
record(void *arg, size_t nserved, size_t nheld, char *summary, size_t len)
{
	char	*d;

	rec_served = nserved;
	rec_held = nheld;
	(void)snprintf(summary, len, "check-in: %zu served, %zu held",
	    nserved, nheld);
	if ((d = strdup("{}")) == NULL)
		abort();
	return d;
}

static size_t
checkin(const char *cn, int64_t now, uint64_t last,
    const struct comms_bundle *b, size_t n, int replay)
{
	struct comms_checkin	 ci;
	struct comms_peer	 p;
	size_t			 served = 99;

	peer_of(&p, cn);
	memset(&ci, 0, sizeof(ci));
	ci.last = last;
	ci.software = "callhome/0.1";
	ci.replay = replay;
	ci.record = record;
	rec_served = rec_held = 0;
	if (comms_db_checkin(&db, &p, now, &ci, b, n, &served) == -1)
		return 99;
	/* the record said what went out, and what was held */
	if (served != rec_served || served + rec_held != n)
		return 98;
	return served;
}

/* the statements the database ran, in order (sqlite3_trace_v2) */
static char	 traced[8192];

static int
trace_stmt(unsigned int what, void *arg, void *p, void *x)
{
	const char	*sql = x;

	(void)what;
	(void)arg;
	(void)p;
	if (strncmp(sql, "PRAGMA synchronous", 18) == 0 ||
	    strcmp(sql, "BEGIN IMMEDIATE") == 0 || strcmp(sql, "COMMIT") == 0 ||
	    strncmp(sql, "INSERT INTO documents", 21) == 0) {
		(void)strlcat(traced, sql, sizeof(traced));
		(void)strlcat(traced, ";", sizeof(traced));
	}
	return 0;
}

/*
 * A log record of its own and a check-in commit without waiting for the
 * disk (synchronous=NORMAL), a document with it (FULL, before its
 * receipt); FULL again after each
 */
TEST(lazy_commits)
{
	const char	*lazy = "PRAGMA synchronous = NORMAL;BEGIN IMMEDIATE;"
			    "COMMIT;PRAGMA synchronous = FULL;";
	struct receipt	 r;
	sqlite3		*h;

	CHECK(fresh_db() == 0);
	h = comms_db_sqlite(&db);
	traced[0] = '\0';
	CHECK(sqlite3_trace_v2(h, SQLITE_TRACE_STMT, trace_stmt, NULL) ==
	    SQLITE_OK);
	CHECK(comms_db_log(&db, NOW, COMMS_LOG_START, "started", "{}") == 0);
	CHECK_STR(traced, lazy);
	CHECK_EQ_INT(count("PRAGMA synchronous"), 2);
	traced[0] = '\0';
	CHECK(checkin("lazy-gw", NOW, 0, NULL, 0, 0) == 0);
	CHECK_STR(traced, lazy);
	CHECK_EQ_INT(count("PRAGMA synchronous"), 2);
	/* a document: no PRAGMA, FULL all along */
	traced[0] = '\0';
	CHECK_EQ_INT(upload("lazy-gw", full, full_len, 0, NULL, &r, NULL, 0),
	    200);
	CHECK(strstr(traced, "PRAGMA") == NULL);
	CHECK(strstr(traced, "INSERT INTO documents") != NULL);
	CHECK(sqlite3_trace_v2(h, 0, NULL, NULL) == SQLITE_OK);
}

/*
 * What check-ins leave (storage.h): served in order, a bundle in flight
 * held back with everything after it, acknowledged by a LastSequence,
 * served again once COMMS_REDELIVER_SECONDS passed unacknowledged;
 * packages sent recorded
 */
TEST(checkin_state)
{
	struct comms_bundle	 b[3];
	struct comms_peer	 p;
	int64_t			 n, bad;
	char			 why[256];
	int			 i;

	CHECK(fresh_db() == 0);
	memset(b, 0, sizeof(b));
	for (i = 0; i < 3; i++) {
		b[i].seq = (uint64_t)i + 1;
		b[i].file = i == 0 ? "1.sig" : i == 1 ? "2.sig" : "3.sig";
		memset(b[i].sha256, 'a' + i, 64);
		b[i].len = 100;
	}
	CHECK_EQ_INT(checkin("gw1", NOW, 0, b, 0, 0), 0);
	CHECK_EQ_INT(checkin("gw1", NOW + 1, 0, b, 2, 0), 2);
	/* again at once: both in flight, nothing */
	CHECK_EQ_INT(checkin("gw1", NOW + 2, 0, b, 2, 0), 0);
	/* another gateway is another story */
	CHECK_EQ_INT(checkin("gw2", NOW + 2, 0, b, 2, 0), 2);
	/* 1 acknowledged: 2 still in flight holds 2 and 3 */
	CHECK_EQ_INT(checkin("gw1", NOW + 3, 1, b + 1, 2, 0), 0);
	CHECK_EQ_INT(count("SELECT count(*) FROM deliveries d JOIN gateways g "
	    "ON g.id = d.gateway_id WHERE g.cn = 'gw1' AND sequence = 1 AND "
	    "acknowledged IS NOT NULL"), 1);
	/* 2 changed (another file of that sequence): served */
	memset(b[1].sha256, 'x', 64);
	CHECK_EQ_INT(checkin("gw1", NOW + 4, 1, b + 1, 2, 0), 2);
	/* lost, and the time passed: served again, counted */
	CHECK_EQ_INT(checkin("gw1", NOW + 4 + COMMS_REDELIVER_SECONDS, 1,
	    b + 1, 2, 0), 2);
	CHECK_EQ_INT(count("SELECT times_served FROM deliveries d JOIN "
	    "gateways g ON g.id = d.gateway_id WHERE g.cn = 'gw1' AND "
	    "sequence = 3"), 2);
	/* "fault replay": everything, always */
	CHECK_EQ_INT(checkin("gw1", NOW + 100, 3, b, 3, 1), 3);
	CHECK_EQ_INT(count("SELECT checkins FROM checkins c JOIN gateways g "
	    "ON g.id = c.gateway_id WHERE g.cn = 'gw1'"), 7);
	CHECK_EQ_INT(count("SELECT last_sequence FROM checkins c JOIN "
	    "gateways g ON g.id = c.gateway_id WHERE g.cn = 'gw1'"), 3);
	CHECK_EQ_INT(count("SELECT count(*) FROM txlog WHERE kind = "
	    "'checkin'"), 8);
	/* a package sent: its row and record, one transaction */
	peer_of(&p, "gw2");
	CHECK(comms_db_package(&db, &p, NOW + 5, "acme-3", b[0].sha256, 1234,
	    "package acme-3 sent", "{}") == 0);
	CHECK_EQ_INT(count("SELECT size FROM packages_served WHERE file = "
	    "'acme-3' AND txseq = (SELECT max(seq) FROM txlog WHERE kind = "
	    "'package')"), 1234);
	CHECK(txlog_verify_chain(comms_db_sqlite(&db), &n, &bad, why,
	    sizeof(why)) == 0);
	CHECK_EQ_INT(n, 9);
}

TEST_MAIN_BEGIN("test_commsd_upload")
	char	 err[256], *xsd;
	size_t	 len;

	log_init("test_commsd_upload", LOG_TO_STDERR, 0);
	xmlsafe_init();
	txlog_init();
	if ((xsd = slurp("etc/callhome.xsd", &len)) == NULL ||
	    (xs = xschema_load(xsd, len, err, sizeof(err))) == NULL ||
	    (full = slurp(FULL, &full_len)) == NULL ||
	    (address = slurp(ADDRESS, &address_len)) == NULL ||
	    (minimal = slurp(MINIMAL, &minimal_len)) == NULL) {
		printf("not ok test_commsd_upload setup: run from the top of "
		    "the tree\n");
		return 1;
	}
	free(xsd);
	(void)strlcpy(tmpdir, "/tmp/test_commsd.XXXXXX", sizeof(tmpdir));
	if (mkdtemp(tmpdir) == NULL) {
		printf("not ok test_commsd_upload mkdtemp\n");
		return 1;
	}
	(void)snprintf(dbpath, sizeof(dbpath), "%s/commsd.db", tmpdir);
	RUN(sha256_and_time);
	RUN(receipt_xml_valid);
	RUN(receipt);
	RUN(duplicate);
	RUN(readings);
	RUN(device_identity_kept);
	RUN(state_and_flags);
	RUN(gzip_upload);
	RUN(gzip_refused);
	RUN(begin_room);
	RUN(inflate_bounds);
	RUN(invalid_documents);
	RUN(reject_and_error_records);
	RUN(claimed_hash_mismatch);
	RUN(fault_receipt_hash);
	RUN(parts);
	RUN(incidents);
	RUN(incident_status);
	RUN(log_chain);
	RUN(checkin_state);
	RUN(lazy_commits);
	comms_db_close(&db);
	rm_db();
	(void)rmdir(tmpdir);
	xschema_free(xs);
	free(full);
	free(address);
	free(minimal);
TEST_MAIN_END
