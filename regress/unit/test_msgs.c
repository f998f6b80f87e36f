/*
 * The codecs of the collection, upload and control messages: each value
 * sent over a real socketpair on its own channel (so the channel table
 * lets it through), decoded, compared field by field, re-encoded to the
 * same bytes; and every truncation of it refused.
 */
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"
#include "log.h"
#include "chans.h"
#include "report.h"
#include "test.h"

#define SHA_A "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define SHA_B "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

/* send w as type from one process to another; the received payload */
static int
transfer(enum proc_id from, enum proc_id to, uint32_t type,
    const struct wbuf *w, uint8_t **out, size_t *outlen)
{
	struct imsgbuf	 tx, rx;
	struct imsg	 m;
	int		 sv[2], r;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return 0;
	imsgbuf_init(&tx, sv[0], test_chan(from, to), from);
	imsgbuf_init(&rx, sv[1], test_chan(to, from), to);
	if (test_msgtype(type)->flags & MT_STREAM)
		r = imsg_compose_stream(&tx, type, 7, w->data, w->len);
	else
		r = imsg_compose(&tx, type, 7, -1, w->data, w->len);
	if (r == -1 || imsgbuf_flush(&tx) == -1)
		return 0;
	if (imsg_read_one(&rx, &m) != 1 || m.hdr.type != type ||
	    m.hdr.peerid != 7)
		return 0;
	*outlen = m.len;
	if ((*out = malloc(m.len ? m.len : 1)) == NULL)
		return 0;
	memcpy(*out, m.data, m.len);
	imsgbuf_clear(&tx);
	imsgbuf_clear(&rx);
	close(sv[0]);
	close(sv[1]);
	return 1;
}

/* every proper prefix of an encoding must be refused */
#define TRUNCATIONS(dec, type_t, w) do {				\
	type_t	 _x;							\
	size_t	 _n;							\
	for (_n = 0; _n < (w)->len; _n++)				\
		CHECK(dec((w)->data, _n, &_x) == -1);			\
} while (0)

TEST(collect_start)
{
	struct msg_collect_start	 a, b;
	struct wbuf			 w, w2;
	uint8_t				*p;
	size_t				 n;

	memset(&a, 0, sizeof(a));
	a.token = 0x0123456789abcdefULL;
	(void)strlcpy(a.reason, "manual", sizeof(a.reason));
	wbuf_init(&w);
	msg_collect_start_encode(&w, &a);
	CHECK(transfer(PROC_PARENT, PROC_COLLECTD, IMSG_COLLECT_START, &w,
	    &p, &n));
	CHECK_EQ_INT(msg_collect_start_decode(p, n, &b), 0);
	CHECK(b.token == a.token);
	CHECK_STR(b.reason, "manual");
	wbuf_init(&w2);
	msg_collect_start_encode(&w2, &b);
	CHECK(w2.len == w.len && memcmp(w2.data, w.data, w.len) == 0);
	TRUNCATIONS(msg_collect_start_decode, struct msg_collect_start, &w);
	free(p);
	wbuf_free(&w);
	wbuf_free(&w2);
}

TEST(cycle)
{
	struct rpt_cycle	 a, b;
	struct wbuf		 w, w2;
	uint8_t			*p;
	size_t			 n;
	int			 i;

	memset(&a, 0, sizeof(a));
	a.token = 42;
	a.id = 7;
	a.txseq = 19;
	a.started = 1795000000;
	a.finished = 1795000010;
	(void)strlcpy(a.reason, "schedule", sizeof(a.reason));
	a.ndevices = 6;
	for (i = 0; i < DEV_OUTCOME_MAX; i++)
		a.count[i] = (uint32_t)i + 1;
	a.probed = 254;
	a.requests = 1000;
	wbuf_init(&w);
	msg_cycle_encode(&w, &a);
	/* one codec, four channels */
	CHECK(transfer(PROC_COLLECTD, PROC_AUDITD, IMSG_CYCLE_END, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_cycle_decode(p, n, &b), 0);
	free(p);
	CHECK(transfer(PROC_AUDITD, PROC_PARENT, IMSG_CYCLE_STORED, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_cycle_decode(p, n, &b), 0);
	CHECK(b.token == 42 && b.id == 7 && b.txseq == 19);
	CHECK(b.started == a.started && b.finished == a.finished);
	CHECK_STR(b.reason, "schedule");
	CHECK(b.ndevices == 6 && b.probed == 254 && b.requests == 1000);
	for (i = 0; i < DEV_OUTCOME_MAX; i++)
		CHECK(b.count[i] == (uint32_t)i + 1);
	wbuf_init(&w2);
	msg_cycle_encode(&w2, &b);
	CHECK(w2.len == w.len && memcmp(w2.data, w.data, w.len) == 0);
	TRUNCATIONS(msg_cycle_decode, struct rpt_cycle, &w);
	free(p);
	wbuf_free(&w);
	wbuf_free(&w2);
}

TEST(device)
{
	static struct rpt_device	 a, b;
	struct wbuf			 w, w2;
	uint8_t				*p;
	size_t				 n;

	memset(&a, 0, sizeof(a));
	(void)strlcpy(a.address, "127.0.1.1:161", sizeof(a.address));
	a.outcome = DEV_PARTIAL;
	(void)strlcpy(a.reason, "vendor objects: timeout", sizeof(a.reason));
	a.collected = 1795000005;
	a.requests = 4;
	(void)strlcpy(a.sysdescr, "SHARP MX-3570N \\x01", sizeof(a.sysdescr));
	(void)strlcpy(a.sysobjectid, "1.3.6.1.4.1.2385.3.1.112.1.2",
	    sizeof(a.sysobjectid));
	a.enterprise = 2385;
	(void)strlcpy(a.vendor, "Sharp", sizeof(a.vendor));
	(void)strlcpy(a.model, "MX-3570N", sizeof(a.model));
	(void)strlcpy(a.serial, "6509415X00", sizeof(a.serial));
	(void)strlcpy(a.serial_source, "1.3.6.1.2.1.43.5.1.1.17.1",
	    sizeof(a.serial_source));
	(void)strlcpy(a.profile, "sharp", sizeof(a.profile));
	(void)strlcpy(a.syscontact, "\xe5\x90\x8d", sizeof(a.syscontact));
	a.uptime = REPORT_NONE;
	a.device_status = 3;
	a.printer_status = REPORT_NONE;
	a.errors = 1 << 2;
	wbuf_init(&w);
	msg_device_encode(&w, &a);
	CHECK(transfer(PROC_COLLECTD, PROC_AUDITD, IMSG_DEV_BEGIN, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_device_decode(p, n, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	wbuf_init(&w2);
	msg_device_encode(&w2, &b);
	CHECK(w2.len == w.len && memcmp(w2.data, w.data, w.len) == 0);
	TRUNCATIONS(msg_device_decode, struct rpt_device, &w);
	/* an outcome or error bits out of range */
	a.outcome = DEV_OUTCOME_MAX;
	wbuf_reset(&w);
	msg_device_encode(&w, &a);
	CHECK_EQ_INT(msg_device_decode(w.data, w.len, &b), -1);
	a.outcome = DEV_OK;
	a.errors = 1 << PRT_ERR_BITS;
	wbuf_reset(&w);
	msg_device_encode(&w, &a);
	CHECK_EQ_INT(msg_device_decode(w.data, w.len, &b), -1);
	free(p);
	wbuf_free(&w);
	wbuf_free(&w2);
}

TEST(rows)
{
	struct rpt_meter	 ma, mb;
	struct rpt_supply	 sa, sb;
	struct rpt_alert	 aa, ab;
	struct wbuf		 w;
	uint8_t			*p;
	size_t			 n;

	memset(&ma, 0, sizeof(ma));
	(void)strlcpy(ma.name, "total", sizeof(ma.name));
	(void)strlcpy(ma.unit, "impressions", sizeof(ma.unit));
	ma.value = 121104;
	(void)strlcpy(ma.source, "1.3.6.1.2.1.43.10.2.1.4.1.1",
	    sizeof(ma.source));
	wbuf_init(&w);
	msg_meter_encode(&w, &ma);
	CHECK(transfer(PROC_COLLECTD, PROC_AUDITD, IMSG_DEV_METER, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_meter_decode(p, n, &mb), 0);
	CHECK(memcmp(&ma, &mb, sizeof(ma)) == 0);
	TRUNCATIONS(msg_meter_decode, struct rpt_meter, &w);
	free(p);
	/* a meter without a name */
	ma.name[0] = '\0';
	wbuf_reset(&w);
	msg_meter_encode(&w, &ma);
	CHECK_EQ_INT(msg_meter_decode(w.data, w.len, &mb), -1);

	memset(&sa, 0, sizeof(sa));
	(void)strlcpy(sa.index, "1.4", sizeof(sa.index));
	(void)strlcpy(sa.description, "Waste Toner Box",
	    sizeof(sa.description));
	(void)strlcpy(sa.class, "receptacle", sizeof(sa.class));
	(void)strlcpy(sa.type, "wasteToner", sizeof(sa.type));
	(void)strlcpy(sa.unit, "percent", sizeof(sa.unit));
	sa.max = -2;
	sa.level = -3;
	sa.percent = REPORT_NONE;
	wbuf_reset(&w);
	msg_supply_encode(&w, &sa);
	CHECK(transfer(PROC_COLLECTD, PROC_AUDITD, IMSG_DEV_SUPPLY, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_supply_decode(p, n, &sb), 0);
	CHECK(memcmp(&sa, &sb, sizeof(sa)) == 0);
	TRUNCATIONS(msg_supply_decode, struct rpt_supply, &w);
	free(p);
	/* a percentage beyond 100 */
	sa.percent = 101;
	wbuf_reset(&w);
	msg_supply_encode(&w, &sa);
	CHECK_EQ_INT(msg_supply_decode(w.data, w.len, &sb), -1);

	memset(&aa, 0, sizeof(aa));
	(void)strlcpy(aa.index, "1.2", sizeof(aa.index));
	(void)strlcpy(aa.severity, "critical", sizeof(aa.severity));
	(void)strlcpy(aa.group, "mediaPath", sizeof(aa.group));
	(void)strlcpy(aa.code, "jam", sizeof(aa.code));
	(void)strlcpy(aa.description, "Paper jam in <tray 2>",
	    sizeof(aa.description));
	aa.time = 12345;
	wbuf_reset(&w);
	msg_alert_encode(&w, &aa);
	CHECK(transfer(PROC_COLLECTD, PROC_AUDITD, IMSG_DEV_ALERT, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_alert_decode(p, n, &ab), 0);
	CHECK(memcmp(&aa, &ab, sizeof(aa)) == 0);
	TRUNCATIONS(msg_alert_decode, struct rpt_alert, &w);
	free(p);
	wbuf_free(&w);
}

/*
 * The fields of schema 4 (report.h): on the wire only when set, so that
 * older readings re-encode as they were; a tail that says nothing, or
 * out of range, is refused, and so is a tail cut short.
 */
TEST(tails)
{
	static struct rpt_device	 a, b;
	struct rpt_meter		 ma, mb;
	struct wbuf			 w;
	size_t				 base, k;

	memset(&a, 0, sizeof(a));
	(void)strlcpy(a.address, "127.0.1.1:161", sizeof(a.address));
	a.outcome = DEV_TIMEOUT;
	a.errors = -1;
	wbuf_init(&w);
	msg_device_encode(&w, &a);
	base = w.len;
	a.waited = 1;
	a.state = DEV_STATE_UNREACHABLE;
	a.state_since = 1795000000;
	wbuf_reset(&w);
	msg_device_encode(&w, &a);
	CHECK_EQ_INT(w.len, base + 10);
	CHECK_EQ_INT(msg_device_decode(w.data, w.len, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	for (k = base + 1; k < w.len; k++)
		CHECK_EQ_INT(msg_device_decode(w.data, k, &b), -1);
	/* without the tail: the fields are not set */
	CHECK_EQ_INT(msg_device_decode(w.data, base, &b), 0);
	CHECK(b.waited == 0 && b.state == DEV_STATE_NONE &&
	    b.state_since == 0);
	/* out of range; a tail of nothing */
	w.data[base] = 2;
	CHECK_EQ_INT(msg_device_decode(w.data, w.len, &b), -1);
	w.data[base] = 0;
	w.data[base + 1] = DEV_STATE_MAX;
	CHECK_EQ_INT(msg_device_decode(w.data, w.len, &b), -1);
	w.data[base + 1] = DEV_STATE_NONE;
	CHECK_EQ_INT(msg_device_decode(w.data, w.len, &b), -1);
	w.data[base + 1] = DEV_STATE_ASLEEP;
	CHECK_EQ_INT(msg_device_decode(w.data, w.len, &b), 0);
	CHECK_EQ_INT(b.state, DEV_STATE_ASLEEP);

	memset(&ma, 0, sizeof(ma));
	(void)strlcpy(ma.name, "total", sizeof(ma.name));
	ma.value = 10;
	wbuf_reset(&w);
	msg_meter_encode(&w, &ma);
	base = w.len;
	ma.flag = METER_FLAG_RESET;
	ma.previous = 121104;
	wbuf_reset(&w);
	msg_meter_encode(&w, &ma);
	CHECK_EQ_INT(w.len, base + 9);
	CHECK_EQ_INT(msg_meter_decode(w.data, w.len, &mb), 0);
	CHECK(memcmp(&ma, &mb, sizeof(ma)) == 0);
	for (k = base + 1; k < w.len; k++)
		CHECK_EQ_INT(msg_meter_decode(w.data, k, &mb), -1);
	w.data[base] = METER_FLAG_NONE;
	CHECK_EQ_INT(msg_meter_decode(w.data, w.len, &mb), -1);
	w.data[base] = METER_FLAG_MAX;
	CHECK_EQ_INT(msg_meter_decode(w.data, w.len, &mb), -1);
	wbuf_free(&w);
}

/*
 * DEV_JOBDATA: the plaintext and its sealed form, as collectd sends them;
 * the form is checked (a NUL in the plaintext, a length that is not the
 * plaintext's and the overhead, not "CHJD" version 1), never opened.
 */
TEST(jobdata)
{
	struct rpt_jobdata	 a, b;
	struct wbuf		 w, w2;
	uint8_t			 plain[40000], sealed[40000 + 64], *p;
	size_t			 n, i;

	for (i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)('a' + i % 26);
	for (i = 0; i < sizeof(sealed); i++)
		sealed[i] = (uint8_t)(i * 13);
	memcpy(sealed, "CHJD\x01\x01\0\0", 8);
	a.plain = plain;
	a.plainlen = sizeof(plain);
	a.sealed = sealed;
	a.sealedlen = sizeof(sealed);
	wbuf_init(&w);
	msg_jobdata_encode(&w, &a);
	/* larger than one message: it is streamed */
	CHECK(transfer(PROC_COLLECTD, PROC_AUDITD, IMSG_DEV_JOBDATA, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_jobdata_decode(p, n, &b), 0);
	CHECK(b.plainlen == sizeof(plain) && memcmp(b.plain, plain,
	    sizeof(plain)) == 0);
	CHECK(b.sealedlen == sizeof(sealed) && memcmp(b.sealed, sealed,
	    sizeof(sealed)) == 0);
	wbuf_init(&w2);
	msg_jobdata_encode(&w2, &b);
	CHECK(w2.len == w.len && memcmp(w2.data, w.data, w.len) == 0);
	free(p);
	TRUNCATIONS(msg_jobdata_decode, struct rpt_jobdata, &w);
	/* a byte more */
	wbuf_u8(&w, 0);
	CHECK_EQ_INT(msg_jobdata_decode(w.data, w.len, &b), -1);
	/* the sealed form one byte short, not "CHJD", another version */
	a.sealedlen--;
	wbuf_reset(&w);
	msg_jobdata_encode(&w, &a);
	CHECK_EQ_INT(msg_jobdata_decode(w.data, w.len, &b), -1);
	a.sealedlen++;
	sealed[0] = 'X';
	wbuf_reset(&w);
	msg_jobdata_encode(&w, &a);
	CHECK_EQ_INT(msg_jobdata_decode(w.data, w.len, &b), -1);
	sealed[0] = 'C';
	sealed[4] = 2;
	wbuf_reset(&w);
	msg_jobdata_encode(&w, &a);
	CHECK_EQ_INT(msg_jobdata_decode(w.data, w.len, &b), -1);
	sealed[4] = 1;
	/* a NUL in the plaintext, which the database keeps as text */
	plain[7] = '\0';
	wbuf_reset(&w);
	msg_jobdata_encode(&w, &a);
	CHECK_EQ_INT(msg_jobdata_decode(w.data, w.len, &b), -1);
	plain[7] = 'x';
	wbuf_free(&w);
	wbuf_free(&w2);
}

TEST(upload_job)
{
	struct msg_upload_job	 a, b;
	struct wbuf		 w, w2;
	uint8_t			 body[3000], *p;
	size_t			 n, i;

	for (i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)(i * 7);
	memset(&a, 0, sizeof(a));
	a.job = 12;
	a.kind = JOB_UPLOAD;
	(void)strlcpy(a.sha256, SHA_A, sizeof(a.sha256));
	a.gzip = 1;
	a.doclen = 9000;
	a.body = body;
	a.bodylen = sizeof(body);
	wbuf_init(&w);
	msg_upload_job_encode(&w, &a);
	CHECK(transfer(PROC_AUDITD, PROC_UPLINKD, IMSG_UPLOAD_JOB, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_upload_job_decode(p, n, &b), 0);
	CHECK(b.job == 12 && b.kind == JOB_UPLOAD && b.gzip == 1 &&
	    b.doclen == 9000);
	CHECK_STR(b.sha256, SHA_A);
	CHECK(b.bodylen == sizeof(body) && memcmp(b.body, body,
	    sizeof(body)) == 0);
	wbuf_init(&w2);
	msg_upload_job_encode(&w2, &b);
	CHECK(w2.len == w.len && memcmp(w2.data, w.data, w.len) == 0);
	TRUNCATIONS(msg_upload_job_decode, struct msg_upload_job, &w);
	/* an upper-case hash, an unknown kind */
	(void)strlcpy(a.sha256, "0011223344556677889900AABBCCDDEEFF"
	    "001122334455667788990011223344", sizeof(a.sha256));
	wbuf_reset(&w);
	msg_upload_job_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_job_decode(w.data, w.len, &b), -1);
	(void)strlcpy(a.sha256, SHA_A, sizeof(a.sha256));
	a.kind = 9;
	wbuf_reset(&w);
	msg_upload_job_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_job_decode(w.data, w.len, &b), -1);
	free(p);
	wbuf_free(&w);
	wbuf_free(&w2);
}

TEST(upload_result)
{
	static struct msg_upload_result	 a, b;
	struct wbuf			 w, w2;
	uint8_t				*p;
	size_t				 n;

	memset(&a, 0, sizeof(a));
	a.job = 12;
	a.kind = JOB_UPLOAD;
	a.status = UP_DELIVERED;
	a.http_status = 200;
	(void)strlcpy(a.server, "comms.example.net:443", sizeof(a.server));
	(void)strlcpy(a.via, "proxy 127.0.0.1:3128", sizeof(a.via));
	(void)strlcpy(a.tls_version, "TLSv1.3", sizeof(a.tls_version));
	(void)strlcpy(a.cert_hash, "SHA256:" SHA_B, sizeof(a.cert_hash));
	(void)strlcpy(a.receipt_sha256, SHA_A, sizeof(a.receipt_sha256));
	a.doc_id = 99;
	(void)strlcpy(a.server_time, "2026-11-21T10:00:00Z",
	    sizeof(a.server_time));
	a.duplicate = 1;
	a.bytes_sent = 3300;
	a.bytes_received = 512;
	a.retry_after = 30;
	wbuf_init(&w);
	msg_upload_result_encode(&w, &a);
	CHECK(transfer(PROC_UPLINKD, PROC_AUDITD, IMSG_UPLOAD_RESULT, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_upload_result_decode(p, n, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	wbuf_init(&w2);
	msg_upload_result_encode(&w2, &b);
	CHECK(w2.len == w.len && memcmp(w2.data, w.data, w.len) == 0);
	TRUNCATIONS(msg_upload_result_decode, struct msg_upload_result, &w);
	/* a Retry-After of more than a day was never read */
	a.retry_after = UP_RETRY_AFTER_MAX + 1;
	wbuf_reset(&w);
	msg_upload_result_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_result_decode(w.data, w.len, &b), -1);
	a.retry_after = 0;
	a.status = UP_STATUS_MAX;
	wbuf_reset(&w);
	msg_upload_result_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_result_decode(w.data, w.len, &b), -1);
	/* a check-in's result may bring bundles; an upload's never */
	a.status = UP_DELIVERED;
	a.kind = JOB_CHECKIN;
	a.bundles = 3;
	wbuf_reset(&w);
	msg_upload_result_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_result_decode(w.data, w.len, &b), 0);
	CHECK_EQ_INT(b.bundles, 3);
	a.kind = JOB_UPLOAD;
	wbuf_reset(&w);
	msg_upload_result_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_result_decode(w.data, w.len, &b), -1);
	a.kind = 0;
	a.bundles = 0;
	wbuf_reset(&w);
	msg_upload_result_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_result_decode(w.data, w.len, &b), -1);
	/* a check-in's result: the server's status of incidents */
	a.kind = JOB_CHECKIN;
	a.nincidents = 2;
	a.incidents[0].id = 7;
	a.incidents[0].status = CHECKIN_INC_SHIPPED;
	a.incidents[1].id = INT64_MAX;
	a.incidents[1].status = CHECKIN_INC_CLOSED;
	wbuf_reset(&w);
	msg_upload_result_encode(&w, &a);
	CHECK(w.len <= chan_msg(&chan_auditd_uplinkd, PROC_UPLINKD,
	    IMSG_UPLOAD_RESULT)->max);
	CHECK_EQ_INT(msg_upload_result_decode(w.data, w.len, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	TRUNCATIONS(msg_upload_result_decode, struct msg_upload_result, &w);
	/* a status that is none, an id that is none, too many, an upload's */
	a.incidents[1].status = 4;
	wbuf_reset(&w);
	msg_upload_result_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_result_decode(w.data, w.len, &b), -1);
	a.incidents[1].status = CHECKIN_INC_CLOSED;
	a.incidents[0].id = 0;
	wbuf_reset(&w);
	msg_upload_result_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_result_decode(w.data, w.len, &b), -1);
	a.incidents[0].id = 7;
	a.kind = JOB_UPLOAD;
	wbuf_reset(&w);
	msg_upload_result_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_result_decode(w.data, w.len, &b), -1);
	/* the largest: every slot used, within the channel's limit */
	a.kind = JOB_CHECKIN;
	for (n = 0; n < CHECKIN_MAX_INCIDENTS; n++) {
		a.incidents[n].id = (int64_t)n + 1;
		a.incidents[n].status = CHECKIN_INC_RECEIVED;
	}
	a.nincidents = CHECKIN_MAX_INCIDENTS;
	memset(a.error, 'e', sizeof(a.error) - 1);
	wbuf_reset(&w);
	msg_upload_result_encode(&w, &a);
	CHECK(w.len <= chan_msg(&chan_auditd_uplinkd, PROC_UPLINKD,
	    IMSG_UPLOAD_RESULT)->max);
	CHECK_EQ_INT(msg_upload_result_decode(w.data, w.len, &b), 0);
	a.nincidents = CHECKIN_MAX_INCIDENTS + 1;
	wbuf_reset(&w);
	msg_upload_result_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_result_decode(w.data, w.len, &b), -1);
	free(p);
	wbuf_free(&w);
	wbuf_free(&w2);
}

TEST(dial)
{
	struct msg_dial_req	 qa, qb;
	struct msg_dial_result	 ra, rb;
	struct wbuf		 w;
	uint8_t			*p;
	size_t			 n;

	qa.job = 77;
	wbuf_init(&w);
	msg_dial_req_encode(&w, &qa);
	CHECK(transfer(PROC_UPLINKD, PROC_PARENT, IMSG_DIAL_REQ, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_dial_req_decode(p, n, &qb), 0);
	CHECK(qb.job == 77);
	TRUNCATIONS(msg_dial_req_decode, struct msg_dial_req, &w);
	free(p);

	memset(&ra, 0, sizeof(ra));
	ra.job = 77;
	ra.ok = 0;
	(void)strlcpy(ra.via, "127.0.0.1:8443", sizeof(ra.via));
	(void)strlcpy(ra.error, "uploading is not authorized",
	    sizeof(ra.error));
	wbuf_reset(&w);
	msg_dial_result_encode(&w, &ra);
	CHECK(transfer(PROC_PARENT, PROC_UPLINKD, IMSG_DIAL_RESULT, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_dial_result_decode(p, n, &rb), 0);
	CHECK(memcmp(&ra, &rb, sizeof(ra)) == 0);
	TRUNCATIONS(msg_dial_result_decode, struct msg_dial_result, &w);
	free(p);
	ra.ok = 2;
	wbuf_reset(&w);
	msg_dial_result_encode(&w, &ra);
	CHECK_EQ_INT(msg_dial_result_decode(w.data, w.len, &rb), -1);
	wbuf_free(&w);
}

TEST(outbox_status)
{
	static struct msg_outbox_status	 a, b;
	struct wbuf			 w, w2;
	uint8_t				*p;
	size_t				 n;

	memset(&a, 0, sizeof(a));
	a.pending = 3;
	a.pending_bytes = 123456;
	a.delivered = 40;
	a.last_attempt = 1795000100;
	a.last_result = UP_TLS;
	(void)strlcpy(a.last_error, "certificate has expired",
	    sizeof(a.last_error));
	a.last_success = 1795000000;
	(void)strlcpy(a.last_sha256, SHA_B, sizeof(a.last_sha256));
	a.next_attempt = 1795000130;
	a.authorized = 1;
	a.inflight = 1;
	a.last_cycle.id = 5;
	(void)strlcpy(a.last_cycle.reason, "manual",
	    sizeof(a.last_cycle.reason));
	a.last_cycle.ndevices = 20;
	a.last_cycle.count[DEV_OK] = 20;
	a.refused = 2;
	a.refused_bytes = 17000000;
	(void)strlcpy(a.last_refused, "document 7 of cycle 5 (part 2 of 3)",
	    sizeof(a.last_refused));
	a.last_set_aside = 1;
	a.lc_parts = 3;
	a.lc_delivered = 1;
	a.lc_refused = 1;
	a.lc_pruned = 1;
	a.db_bytes = 1 << 30;
	a.db_free = 1 << 20;
	a.oldest_readings = 1790000000;
	(void)strlcpy(a.retention, "retention is pruning cycle 1",
	    sizeof(a.retention));
	wbuf_init(&w);
	msg_outbox_status_encode(&w, &a);
	CHECK(transfer(PROC_AUDITD, PROC_PARENT, IMSG_OUTBOX_STATUS, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_outbox_status_decode(p, n, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	wbuf_init(&w2);
	msg_outbox_status_encode(&w2, &b);
	CHECK(w2.len == w.len && memcmp(w2.data, w.data, w.len) == 0);
	TRUNCATIONS(msg_outbox_status_decode, struct msg_outbox_status, &w);
	a.last_result = UP_STATUS_MAX;
	wbuf_reset(&w);
	msg_outbox_status_encode(&w, &a);
	CHECK_EQ_INT(msg_outbox_status_decode(w.data, w.len, &b), -1);
	/* more documents of the cycle done than it has, more free than all */
	a.last_result = UP_TLS;
	a.lc_delivered = 3;
	wbuf_reset(&w);
	msg_outbox_status_encode(&w, &a);
	CHECK_EQ_INT(msg_outbox_status_decode(w.data, w.len, &b), -1);
	a.lc_delivered = 1;
	a.db_free = a.db_bytes + 1;
	wbuf_reset(&w);
	msg_outbox_status_encode(&w, &a);
	CHECK_EQ_INT(msg_outbox_status_decode(w.data, w.len, &b), -1);
	a.db_free = 0;
	a.last_set_aside = 2;
	wbuf_reset(&w);
	msg_outbox_status_encode(&w, &a);
	CHECK_EQ_INT(msg_outbox_status_decode(w.data, w.len, &b), -1);
	free(p);
	wbuf_free(&w);
	wbuf_free(&w2);
}

TEST(outbox_op)
{
	struct msg_outbox_op		 a, b;
	static struct msg_outbox_op_done da, db;
	struct wbuf			 w;
	uint8_t				*p;
	size_t				 n;

	memset(&a, 0, sizeof(a));
	a.op = OUTBOX_OP_DROP;
	a.id = 77;
	a.uid = 1000;
	wbuf_init(&w);
	msg_outbox_op_encode(&w, &a);
	CHECK(transfer(PROC_PARENT, PROC_AUDITD, IMSG_OUTBOX_OP, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_outbox_op_decode(p, n, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	TRUNCATIONS(msg_outbox_op_decode, struct msg_outbox_op, &w);
	free(p);
	/* an operation that is none, a document that is none */
	a.op = 3;
	wbuf_reset(&w);
	msg_outbox_op_encode(&w, &a);
	CHECK_EQ_INT(msg_outbox_op_decode(w.data, w.len, &b), -1);
	a.op = OUTBOX_OP_REQUEUE;
	a.id = 0;
	wbuf_reset(&w);
	msg_outbox_op_encode(&w, &a);
	CHECK_EQ_INT(msg_outbox_op_decode(w.data, w.len, &b), -1);

	memset(&da, 0, sizeof(da));
	da.ok = 1;
	(void)strlcpy(da.text, "document 77 (cycle 5) requeued",
	    sizeof(da.text));
	wbuf_reset(&w);
	msg_outbox_op_done_encode(&w, &da);
	CHECK(transfer(PROC_AUDITD, PROC_PARENT, IMSG_OUTBOX_OP_DONE, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_outbox_op_done_decode(p, n, &db), 0);
	CHECK(memcmp(&da, &db, sizeof(da)) == 0);
	TRUNCATIONS(msg_outbox_op_done_decode, struct msg_outbox_op_done, &w);
	free(p);
	da.ok = 2;
	wbuf_reset(&w);
	msg_outbox_op_done_encode(&w, &da);
	CHECK_EQ_INT(msg_outbox_op_done_decode(w.data, w.len, &db), -1);
	da.ok = 0;
	da.text[0] = '\0';
	wbuf_reset(&w);
	msg_outbox_op_done_encode(&w, &da);
	CHECK_EQ_INT(msg_outbox_op_done_decode(w.data, w.len, &db), -1);
	wbuf_free(&w);
}

TEST(incident)
{
	static struct incident_req	 a, b;
	static struct incident_done	 da, db;
	const char			*why;
	struct wbuf			 w;
	uint8_t				*p;
	size_t				 n;

	memset(&a, 0, sizeof(a));
	a.kind = INC_SERVICE;
	a.send = 1;
	a.uid = 1000;
	(void)strlcpy(a.device, "127.0.1.1", sizeof(a.device));
	(void)strlcpy(a.problem, "Paper jam, tray 2", sizeof(a.problem));
	(void)strlcpy(a.name, "Ann Admin", sizeof(a.name));
	(void)strlcpy(a.email, "ann@example.com", sizeof(a.email));
	(void)strlcpy(a.phone, "+1 555 0100", sizeof(a.phone));
	wbuf_init(&w);
	wbuf_incident_req(&w, &a);
	/* the client's message and the parent's, the same encoding */
	CHECK(transfer(PROC_CONTROL, PROC_PARENT, IMSG_CTL_INCIDENT, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_incident_req_decode(p, n, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	free(p);
	CHECK(transfer(PROC_PARENT, PROC_AUDITD, IMSG_INCIDENT_NEW, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_incident_req_decode(p, n, &b), 0);
	free(p);
	TRUNCATIONS(msg_incident_req_decode, struct incident_req, &w);
	/* a supply request */
	memset(&a, 0, sizeof(a));
	a.kind = INC_SUPPLY;
	(void)strlcpy(a.device, "3", sizeof(a.device));
	a.nsupplies = 2;
	(void)strlcpy(a.supplies[0], "1.1", sizeof(a.supplies[0]));
	(void)strlcpy(a.supplies[1], "1.12", sizeof(a.supplies[1]));
	wbuf_reset(&w);
	wbuf_incident_req(&w, &a);
	CHECK_EQ_INT(msg_incident_req_decode(w.data, w.len, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);

	/* bad ones: each refused by the decoder, and by the check */
#define BAD(stmt) do {							\
	b = a;								\
	stmt;								\
	CHECK_EQ_INT(incident_req_check(&b, &why), -1);			\
	CHECK(why != NULL);						\
	wbuf_reset(&w);							\
	wbuf_incident_req(&w, &b);					\
	CHECK_EQ_INT(msg_incident_req_decode(w.data, w.len, &b), -1);	\
} while (0)
	BAD(b.kind = 3);
	BAD(b.send = 2);
	BAD(b.device[0] = '\0');
	BAD(b.device[0] = '\n');
	BAD(b.nsupplies = 0);
	BAD((void)strlcpy(b.supplies[1], "1.1", sizeof(b.supplies[1])));
	BAD((void)strlcpy(b.supplies[1], "1..2", sizeof(b.supplies[1])));
	BAD((void)strlcpy(b.supplies[1], ".1", sizeof(b.supplies[1])));
	BAD((void)strlcpy(b.supplies[1], "1.", sizeof(b.supplies[1])));
	BAD((void)strlcpy(b.supplies[1], "toner", sizeof(b.supplies[1])));
	BAD((void)strlcpy(b.problem, "x", sizeof(b.problem)));
	BAD((void)strlcpy(b.name, "x", sizeof(b.name)));
	b = a;
	b.kind = INC_SERVICE;
	b.nsupplies = 0;
	(void)strlcpy(b.problem, "x", sizeof(b.problem));
	a = b;
	CHECK_EQ_INT(incident_req_check(&a, &why), 0);
	BAD(b.problem[0] = '\0');
	BAD(b.nsupplies = 1);
	BAD((void)strlcpy(b.email, "a@b", sizeof(b.email)));
	BAD(((void)strlcpy(b.name, "A", sizeof(b.name)),
	    (void)strlcpy(b.email, "nobody", sizeof(b.email))));
	BAD((void)strlcpy(b.problem, "a\tb", sizeof(b.problem)));
#undef BAD
	/* more supplies than may be, a string longer than its field */
	wbuf_reset(&w);
	wbuf_u8(&w, INC_SUPPLY);
	wbuf_u8(&w, 0);
	wbuf_u32(&w, 0);
	wbuf_str(&w, "3");
	wbuf_str(&w, "");
	wbuf_str(&w, "");
	wbuf_str(&w, "");
	wbuf_str(&w, "");
	wbuf_u32(&w, INC_SUPPLIES_MAX + 1);
	CHECK_EQ_INT(msg_incident_req_decode(w.data, w.len, &b), -1);
	wbuf_reset(&w);
	wbuf_u8(&w, INC_SUPPLY);
	wbuf_u8(&w, 0);
	wbuf_u32(&w, 0);
	memset(b.problem, 'a', sizeof(b.problem) - 1);
	b.problem[sizeof(b.problem) - 1] = '\0';
	wbuf_str(&w, b.problem);	/* a device of 1023 bytes */
	CHECK(msg_incident_req_decode(w.data, w.len, &b) == -1);

	/* the answer */
	memset(&da, 0, sizeof(da));
	da.result = INC_DONE_OK;
	da.id = 12;
	(void)strlcpy(da.text, "recorded as incident 12", sizeof(da.text));
	wbuf_reset(&w);
	msg_incident_done_encode(&w, &da);
	CHECK(transfer(PROC_AUDITD, PROC_PARENT, IMSG_INCIDENT_DONE, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_incident_done_decode(p, n, &db), 0);
	CHECK(memcmp(&da, &db, sizeof(da)) == 0);
	free(p);
	TRUNCATIONS(msg_incident_done_decode, struct incident_done, &w);
	da.id = 0;		/* recorded, but no number */
	wbuf_reset(&w);
	msg_incident_done_encode(&w, &da);
	CHECK_EQ_INT(msg_incident_done_decode(w.data, w.len, &db), -1);
	da.result = INC_DONE_REFUSED;
	da.id = 5;		/* refused, with a number */
	wbuf_reset(&w);
	msg_incident_done_encode(&w, &da);
	CHECK_EQ_INT(msg_incident_done_decode(w.data, w.len, &db), -1);
	da.result = 3;
	da.id = 0;
	wbuf_reset(&w);
	msg_incident_done_encode(&w, &da);
	CHECK_EQ_INT(msg_incident_done_decode(w.data, w.len, &db), -1);
	wbuf_free(&w);
}

TEST(control)
{
	struct msg_ctl_request	 qa, qb;
	static struct msg_ctl_reply ra, rb;
	struct msg_ctl_end	 ea, eb;
	struct wbuf		 w;
	uint8_t			*p;
	size_t			 n;

	qa.command = CTL_RELOAD;
	qa.arg = 0;
	wbuf_init(&w);
	msg_ctl_request_encode(&w, &qa);
	CHECK(transfer(PROC_CONTROL, PROC_PARENT, IMSG_CTL_REQUEST, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_ctl_request_decode(p, n, &qb), 0);
	CHECK(qb.command == CTL_RELOAD);
	free(p);
	qa.command = CTL_COMMAND_MAX;
	wbuf_reset(&w);
	msg_ctl_request_encode(&w, &qa);
	CHECK_EQ_INT(msg_ctl_request_decode(w.data, w.len, &qb), -1);
	/* the outbox's commands name a document; the others nothing */
	qa.command = CTL_OUTBOX_DROP;
	qa.arg = 12;
	wbuf_reset(&w);
	msg_ctl_request_encode(&w, &qa);
	CHECK_EQ_INT(msg_ctl_request_decode(w.data, w.len, &qb), 0);
	CHECK(qb.command == CTL_OUTBOX_DROP && qb.arg == 12);
	qa.arg = 0;
	wbuf_reset(&w);
	msg_ctl_request_encode(&w, &qa);
	CHECK_EQ_INT(msg_ctl_request_decode(w.data, w.len, &qb), -1);
	qa.command = CTL_OUTBOX_REQUEUE;
	qa.arg = -1;
	wbuf_reset(&w);
	msg_ctl_request_encode(&w, &qa);
	CHECK_EQ_INT(msg_ctl_request_decode(w.data, w.len, &qb), -1);
	qa.command = CTL_STATUS;
	qa.arg = 1;
	wbuf_reset(&w);
	msg_ctl_request_encode(&w, &qa);
	CHECK_EQ_INT(msg_ctl_request_decode(w.data, w.len, &qb), -1);

	memset(&ra, 0, sizeof(ra));
	(void)strlcpy(ra.key, "outbox", sizeof(ra.key));
	(void)strlcpy(ra.value, "3 pending (123 bytes)", sizeof(ra.value));
	wbuf_reset(&w);
	msg_ctl_reply_encode(&w, &ra);
	CHECK(transfer(PROC_PARENT, PROC_CONTROL, IMSG_CTL_REPLY, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_ctl_reply_decode(p, n, &rb), 0);
	CHECK(memcmp(&ra, &rb, sizeof(ra)) == 0);
	TRUNCATIONS(msg_ctl_reply_decode, struct msg_ctl_reply, &w);
	free(p);

	ea.code = 1;
	wbuf_reset(&w);
	msg_ctl_end_encode(&w, &ea);
	CHECK(transfer(PROC_PARENT, PROC_CONTROL, IMSG_CTL_END, &w, &p, &n));
	CHECK_EQ_INT(msg_ctl_end_decode(p, n, &eb), 0);
	CHECK(eb.code == 1);
	TRUNCATIONS(msg_ctl_end_decode, struct msg_ctl_end, &w);
	free(p);
	ea.code = 256;
	wbuf_reset(&w);
	msg_ctl_end_encode(&w, &ea);
	CHECK_EQ_INT(msg_ctl_end_decode(w.data, w.len, &eb), -1);
	wbuf_free(&w);
}

/* ------------------------------------------------------------------ */
/* check-in and signed packages: chan/pkg.h and the messages using it */

/* the decoded value encodes again to the very same bytes */
#define REENCODES(enc, v, w) do {					\
	struct wbuf	 _w2;						\
	wbuf_init(&_w2);						\
	enc(&_w2, (v));							\
	CHECK(_w2.len == (w)->len &&					\
	    memcmp(_w2.data, (w)->data, (w)->len) == 0);		\
	wbuf_free(&_w2);						\
} while (0)

#define NAME64	"a123456789b123456789c123456789d123456789" \
		"e123456789f123456789g123"
#define NAME65	NAME64 "4"

static void
mk_pkg_id(struct pkg_id *id, uint8_t kind, const char *name,
    uint64_t version)
{
	memset(id, 0, sizeof(*id));
	id->kind = kind;
	(void)strlcpy(id->name, name, sizeof(id->name));
	id->version = version;
}

/* a package identity as the wire has it, whatever the values */
static void
put_pkg_id(struct wbuf *w, uint8_t kind, const char *name, uint64_t version)
{
	wbuf_u8(w, kind);
	wbuf_str(w, name);
	wbuf_u64(w, version);
}

static void
mk_package_item(struct bundle_item *it, enum package_kind kind,
    const char *name, uint64_t version, const char *sha, uint64_t size)
{
	memset(it, 0, sizeof(*it));
	it->kind = BI_PACKAGE;
	it->u.pkg.kind = kind;
	(void)strlcpy(it->u.pkg.name, name, sizeof(it->u.pkg.name));
	it->u.pkg.version = version;
	(void)strlcpy(it->u.pkg.sha256, sha, sizeof(it->u.pkg.sha256));
	it->u.pkg.size = size;
}

/* one instruction of each kind, as a bundle would give them */
#define NITEMS	6
static void
mk_items(struct bundle_item *it)
{
	memset(it, 0, NITEMS * sizeof(*it));
	it[0].kind = BI_COLLECT_NOW;
	it[1].kind = BI_UPLOAD_NOW;
	it[2].kind = BI_SCHEDULE_DAILY;
	it[2].u.minute = 2 * 60 + 30;
	it[3].kind = BI_CHECKIN_EVERY;
	it[3].u.seconds = 3600;
	mk_package_item(&it[4], PKG_PROFILE, "acme-mx3570.profile", 7,
	    SHA_A, 18432);
	mk_package_item(&it[5], PKG_SOFTWARE, "callhome_gw", 20261121,
	    SHA_B, 1536 * 1024);
}

TEST(pkg_name)
{
	static const char *const good[] = {
		"a", "Z", "9", "acme-mx3570.profile", "callhome_gw", "_x",
		"a..b", "x-", "x.", NAME64,
	};
	static const char *const bad[] = {
		"", ".", "..", ".hidden", "-rf", "-", "a/b", "/etc", "a b",
		"a\\b", "a:b", "a\tb", "caf\xc3\xa9", "a\nb", NAME65,
	};
	size_t	 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (!pkg_name_valid(good[i]))
			printf("# refused \"%s\"\n", good[i]);
		CHECK(pkg_name_valid(good[i]));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (pkg_name_valid(bad[i]))
			printf("# accepted \"%s\"\n", bad[i]);
		CHECK(!pkg_name_valid(bad[i]));
	}
}

TEST(conf_signerd)
{
	static const char		 ikey[] = "untrusted comment: "
	    "instructions public key\nRWQAAAAAAAAAAAAA=\n";
	static const char		 pkey[] = "untrusted comment: "
	    "packages public key\nRWRBBBBBBBBBBBBB=\n";
	static struct signer_conf	 a, b;
	struct wbuf			 w;
	char				 gw[BUNDLE_GATEWAY_MAX + 2];
	uint8_t				*p;
	size_t				 n;

	memset(&a, 0, sizeof(a));
	(void)strlcpy(a.gateway, "acme-hq-gw-01", sizeof(a.gateway));
	a.instr_keylen = sizeof(ikey) - 1;
	memcpy(a.instr_key, ikey, a.instr_keylen);
	a.pkg_keylen = sizeof(pkey) - 1;
	memcpy(a.pkg_key, pkey, a.pkg_keylen);
	wbuf_init(&w);
	msg_conf_signerd_encode(&w, &a);
	CHECK(transfer(PROC_PARENT, PROC_SIGNERD, IMSG_CONF_SIGNERD, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_conf_signerd_decode(p, n, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	CHECK_STR(b.gateway, "acme-hq-gw-01");
	REENCODES(msg_conf_signerd_encode, &b, &w);
	TRUNCATIONS(msg_conf_signerd_decode, struct signer_conf, &w);
	free(p);
	/* the gateway: BUNDLE_GATEWAY_MAX bytes fit, one more does not */
	memset(gw, 'g', sizeof(gw));
	gw[BUNDLE_GATEWAY_MAX] = '\0';
	wbuf_reset(&w);
	wbuf_str(&w, gw);
	wbuf_blob(&w, a.instr_key, a.instr_keylen);
	wbuf_blob(&w, a.pkg_key, a.pkg_keylen);
	CHECK_EQ_INT(msg_conf_signerd_decode(w.data, w.len, &b), 0);
	CHECK_EQ_INT(strlen(b.gateway), BUNDLE_GATEWAY_MAX);
	gw[BUNDLE_GATEWAY_MAX] = 'g';
	gw[BUNDLE_GATEWAY_MAX + 1] = '\0';
	wbuf_reset(&w);
	wbuf_str(&w, gw);
	wbuf_blob(&w, a.instr_key, a.instr_keylen);
	wbuf_blob(&w, a.pkg_key, a.pkg_keylen);
	CHECK_EQ_INT(msg_conf_signerd_decode(w.data, w.len, &b), -1);
	wbuf_free(&w);
}

static void
mk_gw_state(struct gw_state *s)
{
	memset(s, 0, sizeof(*s));
	s->last_seq = 41;
	s->sched_minute = 23 * 60 + 59;
	s->checkin_every = 6 * 3600;
	s->npkgs = 3;
	mk_pkg_id(&s->pkgs[0], PKG_PROFILE, "acme-mx3570.profile", 7);
	mk_pkg_id(&s->pkgs[1], PKG_PROFILE, "sharp", 2);
	mk_pkg_id(&s->pkgs[2], PKG_SOFTWARE, "callhome_gw", BUNDLE_SEQ_MAX);
}

/* dec(encoding of s): 0 or -1 */
static int
dec_state(int (*dec)(const void *, size_t, struct gw_state *),
    const struct gw_state *s)
{
	static struct gw_state	 x;
	struct wbuf		 w;
	int			 rv;

	wbuf_init(&w);
	wbuf_gw_state(&w, s);
	rv = dec(w.data, w.len, &x);
	wbuf_free(&w);
	return rv;
}

/*
 * What both GATEWAY_STATE and SIGNER_STATE (one codec) refuse; from
 * and to: the channel the message travels on.
 */
static void
gw_state_rules(const char *test_case_name, enum proc_id from,
    enum proc_id to, uint32_t type,
    void (*enc)(struct wbuf *, const struct gw_state *),
    int (*dec)(const void *, size_t, struct gw_state *))
{
	static struct gw_state	 a, b;
	struct wbuf		 w;
	uint8_t			*p;
	size_t			 n;
	uint32_t		 i;

	mk_gw_state(&a);
	wbuf_init(&w);
	enc(&w, &a);
	CHECK(transfer(from, to, type, &w, &p, &n));
	memset(&b, 0xa5, sizeof(b));
	CHECK_EQ_INT(dec(p, n, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	CHECK(b.last_seq == 41 && b.sched_minute == 1439 &&
	    b.checkin_every == 21600 && b.npkgs == 3);
	CHECK_STR(b.pkgs[2].name, "callhome_gw");
	CHECK(b.pkgs[2].kind == PKG_SOFTWARE &&
	    b.pkgs[2].version == BUNDLE_SEQ_MAX);
	REENCODES(enc, &b, &w);
	TRUNCATIONS(dec, struct gw_state, &w);
	free(p);

	/* nothing yet: no sequence, no schedule, no interval, no package */
	memset(&a, 0, sizeof(a));
	a.sched_minute = -1;
	wbuf_reset(&w);
	enc(&w, &a);
	CHECK_EQ_INT(w.len, 20);
	CHECK_EQ_INT(dec(w.data, w.len, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	wbuf_free(&w);

	/* the numbers, each just inside and just outside */
	mk_gw_state(&a);
	a.last_seq = BUNDLE_SEQ_MAX;
	CHECK_EQ_INT(dec_state(dec, &a), 0);
	a.last_seq = (uint64_t)BUNDLE_SEQ_MAX + 1;
	CHECK_EQ_INT(dec_state(dec, &a), -1);
	mk_gw_state(&a);
	a.sched_minute = 0;
	CHECK_EQ_INT(dec_state(dec, &a), 0);
	a.sched_minute = 24 * 60;
	CHECK_EQ_INT(dec_state(dec, &a), -1);
	a.sched_minute = -2;
	CHECK_EQ_INT(dec_state(dec, &a), -1);
	a.sched_minute = INT32_MIN;
	CHECK_EQ_INT(dec_state(dec, &a), -1);
	mk_gw_state(&a);
	a.checkin_every = 0;
	CHECK_EQ_INT(dec_state(dec, &a), 0);
	a.checkin_every = BUNDLE_CHECKIN_MIN;
	CHECK_EQ_INT(dec_state(dec, &a), 0);
	a.checkin_every = BUNDLE_CHECKIN_MIN - 1;
	CHECK_EQ_INT(dec_state(dec, &a), -1);
	a.checkin_every = 1;
	CHECK_EQ_INT(dec_state(dec, &a), -1);
	a.checkin_every = BUNDLE_CHECKIN_MAX;
	CHECK_EQ_INT(dec_state(dec, &a), 0);
	a.checkin_every = BUNDLE_CHECKIN_MAX + 1;
	CHECK_EQ_INT(dec_state(dec, &a), -1);

	/* PKG_STATE_MAX packages fit; one more (all its bytes there) not */
	memset(&a, 0, sizeof(a));
	a.sched_minute = -1;
	a.npkgs = PKG_STATE_MAX;
	for (i = 0; i < PKG_STATE_MAX; i++) {
		char	 name[16];

		(void)snprintf(name, sizeof(name), "pkg%u", i);
		mk_pkg_id(&a.pkgs[i], i & 1, name, i + 1);
	}
	CHECK_EQ_INT(dec_state(dec, &a), 0);
	wbuf_init(&w);
	enc(&w, &a);
	CHECK_EQ_INT(dec(w.data, w.len, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	w.data[16] = w.data[17] = w.data[18] = 0;
	w.data[19] = PKG_STATE_MAX + 1;
	put_pkg_id(&w, PKG_PROFILE, "one-more", 1);
	CHECK_EQ_INT(dec(w.data, w.len, &b), -1);
	CHECK_EQ_INT(b.npkgs, 0);
	/* a count with fewer packages than it says */
	w.data[19] = PKG_STATE_MAX - 1;
	CHECK_EQ_INT(dec(w.data, w.len, &b), -1);
	wbuf_free(&w);

	/* the packages' identities */
	mk_gw_state(&a);
	a.pkgs[1].kind = PKG_SOFTWARE + 1;
	CHECK_EQ_INT(dec_state(dec, &a), -1);
	mk_gw_state(&a);
	a.pkgs[1].version = 0;
	CHECK_EQ_INT(dec_state(dec, &a), -1);
	mk_gw_state(&a);
	a.pkgs[1].version = (uint64_t)BUNDLE_SEQ_MAX + 1;
	CHECK_EQ_INT(dec_state(dec, &a), -1);
	mk_gw_state(&a);
	(void)strlcpy(a.pkgs[1].name, ".sharp", sizeof(a.pkgs[1].name));
	CHECK_EQ_INT(dec_state(dec, &a), -1);
	mk_gw_state(&a);
	(void)strlcpy(a.pkgs[1].name, "-sharp", sizeof(a.pkgs[1].name));
	CHECK_EQ_INT(dec_state(dec, &a), -1);
	mk_gw_state(&a);
	(void)strlcpy(a.pkgs[1].name, "../sharp", sizeof(a.pkgs[1].name));
	CHECK_EQ_INT(dec_state(dec, &a), -1);
	mk_gw_state(&a);
	a.pkgs[1].name[0] = '\0';
	CHECK_EQ_INT(dec_state(dec, &a), -1);
}

TEST(gateway_state)
{
	gw_state_rules(test_case_name, PROC_AUDITD, PROC_PARENT,
	    IMSG_GATEWAY_STATE, msg_gateway_state_encode,
	    msg_gateway_state_decode);
}

TEST(signer_state)
{
	gw_state_rules(test_case_name, PROC_PARENT, PROC_SIGNERD,
	    IMSG_SIGNER_STATE, msg_signer_state_encode,
	    msg_signer_state_decode);
}

/* INSTRUCTIONS (sequence 5) whose one item is the bytes of item */
static int
dec_item(const struct wbuf *item)
{
	static struct msg_instructions	 x;
	struct wbuf			 w;
	int				 rv;

	wbuf_init(&w);
	wbuf_u64(&w, 5);
	wbuf_i64(&w, 1795000000);
	wbuf_i64(&w, 1795086400);
	wbuf_u32(&w, 1);
	wbuf_bytes(&w, item->data, item->len);
	rv = msg_instructions_decode(w.data, w.len, &x);
	wbuf_free(&w);
	return rv;
}

/* the same, of an item as wbuf_bundle_item() writes it */
static int
dec_item_enc(const struct bundle_item *it)
{
	struct wbuf	 w;
	int		 rv;

	wbuf_init(&w);
	wbuf_bundle_item(&w, it);
	rv = dec_item(&w);
	wbuf_free(&w);
	return rv;
}

TEST(instructions)
{
	static struct msg_instructions	 a, b;
	struct bundle_item		 it;
	struct wbuf			 w;
	uint8_t				*p;
	size_t				 n;
	uint32_t			 i;

	memset(&a, 0, sizeof(a));
	a.sequence = 42;
	a.issued = 1795000000;
	a.expires = 1795604800;
	a.nitems = NITEMS;
	mk_items(a.items);
	wbuf_init(&w);
	msg_instructions_encode(&w, &a);
	CHECK(transfer(PROC_SIGNERD, PROC_PARENT, IMSG_INSTRUCTIONS, &w, &p,
	    &n));
	memset(&b, 0xa5, sizeof(b));
	CHECK_EQ_INT(msg_instructions_decode(p, n, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	CHECK(b.sequence == 42 && b.issued == 1795000000 &&
	    b.expires == 1795604800 && b.nitems == NITEMS);
	CHECK(b.items[0].kind == BI_COLLECT_NOW);
	CHECK(b.items[1].kind == BI_UPLOAD_NOW);
	CHECK(b.items[2].kind == BI_SCHEDULE_DAILY &&
	    b.items[2].u.minute == 150);
	CHECK(b.items[3].kind == BI_CHECKIN_EVERY &&
	    b.items[3].u.seconds == 3600);
	CHECK(b.items[4].kind == BI_PACKAGE &&
	    b.items[4].u.pkg.kind == PKG_PROFILE &&
	    b.items[4].u.pkg.version == 7 && b.items[4].u.pkg.size == 18432);
	CHECK_STR(b.items[4].u.pkg.name, "acme-mx3570.profile");
	CHECK_STR(b.items[4].u.pkg.sha256, SHA_A);
	CHECK(b.items[5].kind == BI_PACKAGE &&
	    b.items[5].u.pkg.kind == PKG_SOFTWARE &&
	    b.items[5].u.pkg.version == 20261121 &&
	    b.items[5].u.pkg.size == 1536 * 1024);
	CHECK_STR(b.items[5].u.pkg.name, "callhome_gw");
	CHECK_STR(b.items[5].u.pkg.sha256, SHA_B);
	REENCODES(msg_instructions_encode, &b, &w);
	TRUNCATIONS(msg_instructions_decode, struct msg_instructions, &w);
	free(p);

	/* the sequence */
	a.sequence = BUNDLE_SEQ_MAX;
	wbuf_reset(&w);
	msg_instructions_encode(&w, &a);
	CHECK_EQ_INT(msg_instructions_decode(w.data, w.len, &b), 0);
	a.sequence = (uint64_t)BUNDLE_SEQ_MAX + 1;
	wbuf_reset(&w);
	msg_instructions_encode(&w, &a);
	CHECK_EQ_INT(msg_instructions_decode(w.data, w.len, &b), -1);
	a.sequence = 0;
	wbuf_reset(&w);
	msg_instructions_encode(&w, &a);
	CHECK_EQ_INT(msg_instructions_decode(w.data, w.len, &b), -1);
	a.sequence = 42;

	/* 1 to BUNDLE_MAX_ITEMS items */
	a.nitems = 0;
	wbuf_reset(&w);
	msg_instructions_encode(&w, &a);
	CHECK_EQ_INT(w.len, 28);
	CHECK_EQ_INT(msg_instructions_decode(w.data, w.len, &b), -1);
	a.nitems = 1;
	wbuf_reset(&w);
	msg_instructions_encode(&w, &a);
	CHECK_EQ_INT(msg_instructions_decode(w.data, w.len, &b), 0);
	a.nitems = BUNDLE_MAX_ITEMS;
	for (i = NITEMS; i < BUNDLE_MAX_ITEMS; i++)
		a.items[i].kind = (i & 1) ? BI_COLLECT_NOW : BI_UPLOAD_NOW;
	wbuf_reset(&w);
	msg_instructions_encode(&w, &a);
	CHECK_EQ_INT(msg_instructions_decode(w.data, w.len, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	/* one more, its bytes there */
	w.data[27] = BUNDLE_MAX_ITEMS + 1;
	wbuf_u8(&w, BI_COLLECT_NOW);
	CHECK_EQ_INT(msg_instructions_decode(w.data, w.len, &b), -1);
	/* a count lower than the items there, a huge one */
	w.data[27] = BUNDLE_MAX_ITEMS - 1;
	CHECK_EQ_INT(msg_instructions_decode(w.data, w.len, &b), -1);
	w.data[24] = 0x80;
	w.data[27] = 1;
	CHECK_EQ_INT(msg_instructions_decode(w.data, w.len, &b), -1);

	/* each item's rules, one item at a time: first the good ones */
	mk_items(a.items);
	for (i = 0; i < NITEMS; i++)
		CHECK_EQ_INT(dec_item_enc(&a.items[i]), 0);
	/* unknown kinds */
	wbuf_reset(&w);
	wbuf_u8(&w, BI_PACKAGE + 1);
	CHECK_EQ_INT(dec_item(&w), -1);
	wbuf_reset(&w);
	wbuf_u8(&w, 0xff);
	CHECK_EQ_INT(dec_item(&w), -1);
	/* schedule daily: minutes 0 to 1439 */
	memset(&it, 0, sizeof(it));
	it.kind = BI_SCHEDULE_DAILY;
	it.u.minute = 0;
	CHECK_EQ_INT(dec_item_enc(&it), 0);
	it.u.minute = 24 * 60 - 1;
	CHECK_EQ_INT(dec_item_enc(&it), 0);
	it.u.minute = 24 * 60;
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	it.u.minute = -1;
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	it.u.minute = -2;
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	/* checkin every: BUNDLE_CHECKIN_MIN to _MAX seconds */
	it.kind = BI_CHECKIN_EVERY;
	it.u.seconds = BUNDLE_CHECKIN_MIN;
	CHECK_EQ_INT(dec_item_enc(&it), 0);
	it.u.seconds = BUNDLE_CHECKIN_MIN - 1;
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	it.u.seconds = 0;
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	it.u.seconds = BUNDLE_CHECKIN_MAX;
	CHECK_EQ_INT(dec_item_enc(&it), 0);
	it.u.seconds = BUNDLE_CHECKIN_MAX + 1;
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	/* package: kind, name, version, hash, size */
	mk_package_item(&it, PKG_SOFTWARE, NAME64, BUNDLE_SEQ_MAX, SHA_A,
	    BUNDLE_PKG_SIZE_MAX);
	CHECK_EQ_INT(dec_item_enc(&it), 0);
	it.u.pkg.kind = PKG_SOFTWARE + 1;
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	mk_package_item(&it, PKG_PROFILE, "p", 1, SHA_A, 1);
	CHECK_EQ_INT(dec_item_enc(&it), 0);
	it.u.pkg.version = 0;
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	it.u.pkg.version = (uint64_t)BUNDLE_SEQ_MAX + 1;
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	it.u.pkg.version = 1;
	it.u.pkg.size = 0;
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	it.u.pkg.size = BUNDLE_PKG_SIZE_MAX + 1;
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	it.u.pkg.size = 1;
	(void)strlcpy(it.u.pkg.name, ".p", sizeof(it.u.pkg.name));
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	(void)strlcpy(it.u.pkg.name, "-p", sizeof(it.u.pkg.name));
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	(void)strlcpy(it.u.pkg.name, "a/p", sizeof(it.u.pkg.name));
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	it.u.pkg.name[0] = '\0';
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	(void)strlcpy(it.u.pkg.name, "p", sizeof(it.u.pkg.name));
	it.u.pkg.sha256[0] = 'A';	/* upper case */
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	it.u.pkg.sha256[0] = 'g';
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	it.u.pkg.sha256[0] = '0';
	it.u.pkg.sha256[63] = '\0';	/* 63 digits */
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	it.u.pkg.sha256[0] = '\0';
	CHECK_EQ_INT(dec_item_enc(&it), -1);
	/* a name one byte longer than BUNDLE_NAME_MAX, and 64 hex + 1 */
	wbuf_reset(&w);
	wbuf_u8(&w, BI_PACKAGE);
	wbuf_u8(&w, PKG_PROFILE);
	wbuf_str(&w, NAME64);
	wbuf_u64(&w, 1);
	wbuf_str(&w, SHA_A);
	wbuf_u64(&w, 1);
	CHECK_EQ_INT(dec_item(&w), 0);
	wbuf_reset(&w);
	wbuf_u8(&w, BI_PACKAGE);
	wbuf_u8(&w, PKG_PROFILE);
	wbuf_str(&w, NAME65);
	wbuf_u64(&w, 1);
	wbuf_str(&w, SHA_A);
	wbuf_u64(&w, 1);
	CHECK_EQ_INT(dec_item(&w), -1);
	wbuf_reset(&w);
	wbuf_u8(&w, BI_PACKAGE);
	wbuf_u8(&w, PKG_PROFILE);
	wbuf_str(&w, "p");
	wbuf_u64(&w, 1);
	wbuf_str(&w, SHA_A "0");
	wbuf_u64(&w, 1);
	CHECK_EQ_INT(dec_item(&w), -1);
	wbuf_free(&w);
}

TEST(outbox_status_checkin)
{
	static struct msg_outbox_status	 a, b;
	struct wbuf			 w;
	uint8_t				*p;
	size_t				 n;

	memset(&a, 0, sizeof(a));
	a.pending = 1;
	a.pending_bytes = 2048;
	a.delivered = 7;
	a.last_attempt = 1795000100;
	a.last_result = UP_DELIVERED;
	a.last_success = 1795000100;
	(void)strlcpy(a.last_sha256, SHA_A, sizeof(a.last_sha256));
	a.authorized = 1;
	a.last_cycle.id = 9;
	(void)strlcpy(a.last_cycle.reason, "schedule",
	    sizeof(a.last_cycle.reason));
	a.checkin_time = 1795000200;
	a.checkin_result = UP_HTTP;
	a.checkin_bundles = 2;
	(void)strlcpy(a.checkin_error, "HTTP 503 Service Unavailable",
	    sizeof(a.checkin_error));
	a.instruction_time = 1795000201;
	(void)strlcpy(a.instruction, "bundle 42: package profile "
	    "acme-mx3570.profile 7 refused by the policy",
	    sizeof(a.instruction));
	wbuf_init(&w);
	msg_outbox_status_encode(&w, &a);
	CHECK(transfer(PROC_AUDITD, PROC_PARENT, IMSG_OUTBOX_STATUS, &w, &p,
	    &n));
	memset(&b, 0xa5, sizeof(b));
	CHECK_EQ_INT(msg_outbox_status_decode(p, n, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	CHECK(b.checkin_time == 1795000200 && b.checkin_result == UP_HTTP &&
	    b.checkin_bundles == 2 && b.instruction_time == 1795000201);
	CHECK_STR(b.checkin_error, "HTTP 503 Service Unavailable");
	CHECK_STR(b.instruction, a.instruction);
	REENCODES(msg_outbox_status_encode, &b, &w);
	TRUNCATIONS(msg_outbox_status_decode, struct msg_outbox_status, &w);
	free(p);

	/* never checked in: result -1 */
	a.checkin_time = 0;
	a.checkin_result = -1;
	a.checkin_bundles = 0;
	a.checkin_error[0] = '\0';
	wbuf_reset(&w);
	msg_outbox_status_encode(&w, &a);
	CHECK_EQ_INT(msg_outbox_status_decode(w.data, w.len, &b), 0);
	CHECK_EQ_INT(b.checkin_result, -1);
	a.checkin_result = -2;
	wbuf_reset(&w);
	msg_outbox_status_encode(&w, &a);
	CHECK_EQ_INT(msg_outbox_status_decode(w.data, w.len, &b), -1);
	a.checkin_result = UP_STATUS_MAX - 1;
	wbuf_reset(&w);
	msg_outbox_status_encode(&w, &a);
	CHECK_EQ_INT(msg_outbox_status_decode(w.data, w.len, &b), 0);
	a.checkin_result = UP_STATUS_MAX;
	wbuf_reset(&w);
	msg_outbox_status_encode(&w, &a);
	CHECK_EQ_INT(msg_outbox_status_decode(w.data, w.len, &b), -1);
	a.checkin_result = UP_DELIVERED;
	/* times before 1970 */
	a.checkin_time = -1;
	wbuf_reset(&w);
	msg_outbox_status_encode(&w, &a);
	CHECK_EQ_INT(msg_outbox_status_decode(w.data, w.len, &b), -1);
	a.checkin_time = 1795000200;
	a.instruction_time = -1;
	wbuf_reset(&w);
	msg_outbox_status_encode(&w, &a);
	CHECK_EQ_INT(msg_outbox_status_decode(w.data, w.len, &b), -1);
	a.instruction_time = 0;
	wbuf_reset(&w);
	msg_outbox_status_encode(&w, &a);
	CHECK_EQ_INT(msg_outbox_status_decode(w.data, w.len, &b), 0);
	wbuf_free(&w);
}

TEST(checkin_now)
{
	struct wbuf	 w;
	uint8_t		*p, one = 0;
	size_t		 n;

	wbuf_init(&w);
	CHECK(transfer(PROC_PARENT, PROC_AUDITD, IMSG_CHECKIN_NOW, &w, &p,
	    &n));
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(msg_empty_decode(p, n), 0);
	free(p);
	CHECK_EQ_INT(msg_empty_decode(&one, 1), -1);
	/* no payload, and only the parent asks */
	CHECK_EQ_INT(test_msgtype(IMSG_CHECKIN_NOW)->max, 0);
	CHECK(test_chan_allows(PROC_PARENT, PROC_AUDITD, IMSG_CHECKIN_NOW));
	CHECK(!test_chan_allows(PROC_AUDITD, PROC_PARENT, IMSG_CHECKIN_NOW));
	wbuf_free(&w);
}

TEST(instruction_done)
{
	struct msg_instruction_done	 a, b;
	struct bundle_item		 items[NITEMS];
	struct wbuf			 w;
	uint8_t				*p;
	size_t				 n;
	int				 i, done;

	mk_items(items);
	wbuf_init(&w);
	for (i = 0; i < NITEMS; i++) {
		for (done = 0; done < 2; done++) {
			memset(&a, 0, sizeof(a));
			a.sequence = 42;
			a.index = (uint32_t)i;
			memcpy(&a.item, &items[i], sizeof(a.item));
			a.done = (uint8_t)done;
			if (!done)
				(void)strlcpy(a.reason, "policy",
				    sizeof(a.reason));
			(void)snprintf(a.text, sizeof(a.text), "%s %d",
			    done ? "done:" : "not allowed:", i);
			wbuf_reset(&w);
			msg_instruction_done_encode(&w, &a);
			CHECK(transfer(PROC_PARENT, PROC_AUDITD,
			    IMSG_INSTRUCTION_DONE, &w, &p, &n));
			memset(&b, 0xa5, sizeof(b));
			CHECK_EQ_INT(msg_instruction_done_decode(p, n, &b), 0);
			CHECK(memcmp(&a, &b, sizeof(a)) == 0);
			CHECK(b.item.kind == items[i].kind);
			CHECK_EQ_INT(b.done, done);
			CHECK_STR(b.reason, done ? "" : "policy");
			REENCODES(msg_instruction_done_encode, &b, &w);
			TRUNCATIONS(msg_instruction_done_decode,
			    struct msg_instruction_done, &w);
			free(p);
		}
	}

	/* refused: a reason is needed; done: there is none */
	memset(&a, 0, sizeof(a));
	a.sequence = 42;
	a.index = BUNDLE_MAX_ITEMS - 1;
	a.item = items[5];
	(void)strlcpy(a.reason, "policy", sizeof(a.reason));
	wbuf_reset(&w);
	msg_instruction_done_encode(&w, &a);
	CHECK_EQ_INT(msg_instruction_done_decode(w.data, w.len, &b), 0);
	a.reason[0] = '\0';
	wbuf_reset(&w);
	msg_instruction_done_encode(&w, &a);
	CHECK_EQ_INT(msg_instruction_done_decode(w.data, w.len, &b), -1);
	a.done = 1;
	wbuf_reset(&w);
	msg_instruction_done_encode(&w, &a);
	CHECK_EQ_INT(msg_instruction_done_decode(w.data, w.len, &b), 0);
	(void)strlcpy(a.reason, "policy", sizeof(a.reason));
	wbuf_reset(&w);
	msg_instruction_done_encode(&w, &a);
	CHECK_EQ_INT(msg_instruction_done_decode(w.data, w.len, &b), -1);
	a.reason[0] = '\0';
	a.done = 2;
	wbuf_reset(&w);
	msg_instruction_done_encode(&w, &a);
	CHECK_EQ_INT(msg_instruction_done_decode(w.data, w.len, &b), -1);
	a.done = 1;
	/* the index in a bundle, the bundle's sequence */
	a.index = BUNDLE_MAX_ITEMS;
	wbuf_reset(&w);
	msg_instruction_done_encode(&w, &a);
	CHECK_EQ_INT(msg_instruction_done_decode(w.data, w.len, &b), -1);
	a.index = 0;
	a.sequence = 0;
	wbuf_reset(&w);
	msg_instruction_done_encode(&w, &a);
	CHECK_EQ_INT(msg_instruction_done_decode(w.data, w.len, &b), -1);
	a.sequence = BUNDLE_SEQ_MAX;
	wbuf_reset(&w);
	msg_instruction_done_encode(&w, &a);
	CHECK_EQ_INT(msg_instruction_done_decode(w.data, w.len, &b), 0);
	a.sequence = (uint64_t)BUNDLE_SEQ_MAX + 1;
	wbuf_reset(&w);
	msg_instruction_done_encode(&w, &a);
	CHECK_EQ_INT(msg_instruction_done_decode(w.data, w.len, &b), -1);
	a.sequence = 42;
	/* the item is checked as in INSTRUCTIONS */
	a.item.kind = BI_PACKAGE + 1;
	wbuf_reset(&w);
	msg_instruction_done_encode(&w, &a);
	CHECK_EQ_INT(msg_instruction_done_decode(w.data, w.len, &b), -1);
	a.item = items[2];
	a.item.u.minute = 24 * 60;
	wbuf_reset(&w);
	msg_instruction_done_encode(&w, &a);
	CHECK_EQ_INT(msg_instruction_done_decode(w.data, w.len, &b), -1);
	a.item = items[4];
	a.item.u.pkg.size = 0;
	wbuf_reset(&w);
	msg_instruction_done_encode(&w, &a);
	CHECK_EQ_INT(msg_instruction_done_decode(w.data, w.len, &b), -1);
	wbuf_free(&w);
}

TEST(profile_package)
{
	struct msg_profile_package	 a, b;
	struct wbuf			 w;
	static uint8_t			 big[PROFILE_PACKAGE_MAX + 1];
	static const char		 prof[] =
	    "profile acme-mx3570 {\n\tmatch sysobjectid 1.3.6.1.4.1.2385\n"
	    "\tserial 1.3.6.1.2.1.43.5.1.1.17.1\n}\n";
	uint8_t				*p;
	size_t				 n;

	memset(&a, 0, sizeof(a));
	mk_pkg_id(&a.id, PKG_PROFILE, "acme-mx3570.profile", 7);
	a.data = (const uint8_t *)prof;
	a.len = sizeof(prof) - 1;
	wbuf_init(&w);
	msg_profile_package_encode(&w, &a);
	CHECK(transfer(PROC_AUDITD, PROC_PARENT, IMSG_PROFILE_PACKAGE, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_profile_package_decode(p, n, &b), 0);
	CHECK(b.id.kind == PKG_PROFILE && b.id.version == 7);
	CHECK_STR(b.id.name, "acme-mx3570.profile");
	CHECK(b.len == a.len && memcmp(b.data, prof, a.len) == 0);
	/* a view into the message */
	CHECK(b.data >= p && b.data + b.len == p + n);
	REENCODES(msg_profile_package_encode, &b, &w);
	TRUNCATIONS(msg_profile_package_decode, struct msg_profile_package,
	    &w);
	free(p);
	/* profiles only */
	a.id.kind = PKG_SOFTWARE;
	wbuf_reset(&w);
	msg_profile_package_encode(&w, &a);
	CHECK_EQ_INT(msg_profile_package_decode(w.data, w.len, &b), -1);
	a.id.kind = PKG_PROFILE;
	a.id.version = 0;
	wbuf_reset(&w);
	msg_profile_package_encode(&w, &a);
	CHECK_EQ_INT(msg_profile_package_decode(w.data, w.len, &b), -1);
	a.id.version = 7;
	(void)strlcpy(a.id.name, "-x", sizeof(a.id.name));
	wbuf_reset(&w);
	msg_profile_package_encode(&w, &a);
	CHECK_EQ_INT(msg_profile_package_decode(w.data, w.len, &b), -1);
	(void)strlcpy(a.id.name, "acme", sizeof(a.id.name));
	/* PROFILE_PACKAGE_MAX bytes, not one more */
	memset(big, 'x', sizeof(big));
	a.data = big;
	a.len = PROFILE_PACKAGE_MAX;
	wbuf_reset(&w);
	msg_profile_package_encode(&w, &a);
	CHECK_EQ_INT(msg_profile_package_decode(w.data, w.len, &b), 0);
	CHECK_EQ_INT(b.len, PROFILE_PACKAGE_MAX);
	a.len = PROFILE_PACKAGE_MAX + 1;
	wbuf_reset(&w);
	msg_profile_package_encode(&w, &a);
	CHECK_EQ_INT(msg_profile_package_decode(w.data, w.len, &b), -1);
	wbuf_free(&w);
}

/* FETCH of these values, as the wire has them */
static int
dec_fetch(uint8_t kind, const char *name, uint64_t version, uint64_t size)
{
	struct msg_fetch	 f;
	struct wbuf		 w;
	int			 rv;

	wbuf_init(&w);
	put_pkg_id(&w, kind, name, version);
	wbuf_u64(&w, size);
	rv = msg_fetch_decode(w.data, w.len, &f);
	wbuf_free(&w);
	return rv;
}

TEST(fetch)
{
	struct msg_fetch	 a, b;
	struct wbuf		 w;
	uint8_t			*p;
	size_t			 n;

	memset(&a, 0, sizeof(a));
	mk_pkg_id(&a.id, PKG_SOFTWARE, "callhome_gw", 20261121);
	a.size = 1536 * 1024;
	wbuf_init(&w);
	msg_fetch_encode(&w, &a);
	CHECK(transfer(PROC_PARENT, PROC_UPLINKD, IMSG_FETCH, &w, &p, &n));
	memset(&b, 0xa5, sizeof(b));
	CHECK_EQ_INT(msg_fetch_decode(p, n, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	CHECK(b.id.kind == PKG_SOFTWARE && b.id.version == 20261121 &&
	    b.size == 1536 * 1024);
	CHECK_STR(b.id.name, "callhome_gw");
	REENCODES(msg_fetch_encode, &b, &w);
	TRUNCATIONS(msg_fetch_decode, struct msg_fetch, &w);
	free(p);
	wbuf_free(&w);

	/* the package identity's rules (chan/pkg.c), here once for all */
	CHECK_EQ_INT(dec_fetch(PKG_PROFILE, "p", 1, 1), 0);
	CHECK_EQ_INT(dec_fetch(PKG_SOFTWARE, "p", 1, 1), 0);
	CHECK_EQ_INT(dec_fetch(PKG_SOFTWARE + 1, "p", 1, 1), -1);
	CHECK_EQ_INT(dec_fetch(0xff, "p", 1, 1), -1);
	CHECK_EQ_INT(dec_fetch(PKG_PROFILE, NAME64, 1, 1), 0);
	CHECK_EQ_INT(dec_fetch(PKG_PROFILE, NAME65, 1, 1), -1);
	CHECK_EQ_INT(dec_fetch(PKG_PROFILE, "", 1, 1), -1);
	CHECK_EQ_INT(dec_fetch(PKG_PROFILE, ".p", 1, 1), -1);
	CHECK_EQ_INT(dec_fetch(PKG_PROFILE, "..", 1, 1), -1);
	CHECK_EQ_INT(dec_fetch(PKG_PROFILE, "-p", 1, 1), -1);
	CHECK_EQ_INT(dec_fetch(PKG_PROFILE, "a/p", 1, 1), -1);
	CHECK_EQ_INT(dec_fetch(PKG_PROFILE, "p/", 1, 1), -1);
	CHECK_EQ_INT(dec_fetch(PKG_PROFILE, "p q", 1, 1), -1);
	CHECK_EQ_INT(dec_fetch(PKG_PROFILE, "p", 0, 1), -1);
	CHECK_EQ_INT(dec_fetch(PKG_PROFILE, "p", BUNDLE_SEQ_MAX, 1), 0);
	CHECK_EQ_INT(dec_fetch(PKG_PROFILE, "p", (uint64_t)BUNDLE_SEQ_MAX + 1,
	    1), -1);
	CHECK_EQ_INT(dec_fetch(PKG_PROFILE, "p", UINT64_MAX, 1), -1);
	/* the signed size: 1 to BUNDLE_PKG_SIZE_MAX */
	CHECK_EQ_INT(dec_fetch(PKG_PROFILE, "p", 1, 0), -1);
	CHECK_EQ_INT(dec_fetch(PKG_PROFILE, "p", 1, BUNDLE_PKG_SIZE_MAX), 0);
	CHECK_EQ_INT(dec_fetch(PKG_PROFILE, "p", 1, BUNDLE_PKG_SIZE_MAX + 1),
	    -1);
}

TEST(upload_job_checkin)
{
	static const char	 doc[] = "<checkin><gateway>acme-hq-gw-01"
	    "</gateway><last-sequence>41</last-sequence></checkin>\n";
	struct msg_upload_job	 a, b;
	struct wbuf		 w;
	uint8_t			*p;
	size_t			 n;

	memset(&a, 0, sizeof(a));
	a.job = 3;
	a.kind = JOB_CHECKIN;
	(void)strlcpy(a.sha256, SHA_B, sizeof(a.sha256));
	a.gzip = 0;
	a.doclen = sizeof(doc) - 1;
	a.body = (const uint8_t *)doc;
	a.bodylen = sizeof(doc) - 1;
	wbuf_init(&w);
	msg_upload_job_encode(&w, &a);
	CHECK(transfer(PROC_AUDITD, PROC_UPLINKD, IMSG_UPLOAD_JOB, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_upload_job_decode(p, n, &b), 0);
	CHECK(b.job == 3 && b.kind == JOB_CHECKIN && b.gzip == 0 &&
	    b.doclen == sizeof(doc) - 1);
	CHECK_STR(b.sha256, SHA_B);
	CHECK(b.bodylen == a.bodylen && memcmp(b.body, doc, a.bodylen) == 0);
	REENCODES(msg_upload_job_encode, &b, &w);
	TRUNCATIONS(msg_upload_job_decode, struct msg_upload_job, &w);
	free(p);
	/* JOB_UPLOAD or JOB_CHECKIN, nothing else */
	a.kind = JOB_UPLOAD;
	wbuf_reset(&w);
	msg_upload_job_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_job_decode(w.data, w.len, &b), 0);
	a.kind = 0;
	wbuf_reset(&w);
	msg_upload_job_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_job_decode(w.data, w.len, &b), -1);
	a.kind = JOB_CHECKIN + 1;
	wbuf_reset(&w);
	msg_upload_job_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_job_decode(w.data, w.len, &b), -1);
	a.kind = JOB_CHECKIN;
	a.gzip = 2;
	wbuf_reset(&w);
	msg_upload_job_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_job_decode(w.data, w.len, &b), -1);
	a.gzip = 0;
	a.doclen = UPLOAD_JOB_MAX + 1;
	wbuf_reset(&w);
	msg_upload_job_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_job_decode(w.data, w.len, &b), -1);
	wbuf_free(&w);
}

TEST(upload_result_checkin)
{
	struct msg_upload_result	 a, b;
	struct wbuf			 w;
	uint8_t				*p;
	size_t				 n;

	memset(&a, 0, sizeof(a));
	a.job = 3;
	a.kind = JOB_CHECKIN;
	a.bundles = 2;
	a.status = UP_DELIVERED;
	a.http_status = 200;
	(void)strlcpy(a.server, "comms.example.net:443", sizeof(a.server));
	(void)strlcpy(a.via, "192.0.2.10:443", sizeof(a.via));
	(void)strlcpy(a.tls_version, "TLSv1.3", sizeof(a.tls_version));
	(void)strlcpy(a.cert_hash, "SHA256:" SHA_A, sizeof(a.cert_hash));
	(void)strlcpy(a.server_time, "2026-11-21T10:00:00Z",
	    sizeof(a.server_time));
	a.bytes_sent = 812;
	a.bytes_received = 1400;
	wbuf_init(&w);
	msg_upload_result_encode(&w, &a);
	CHECK(transfer(PROC_UPLINKD, PROC_AUDITD, IMSG_UPLOAD_RESULT, &w, &p,
	    &n));
	memset(&b, 0xa5, sizeof(b));
	CHECK_EQ_INT(msg_upload_result_decode(p, n, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	CHECK(b.kind == JOB_CHECKIN && b.bundles == 2 && b.job == 3);
	CHECK_STR(b.receipt_sha256, "");
	REENCODES(msg_upload_result_encode, &b, &w);
	TRUNCATIONS(msg_upload_result_decode, struct msg_upload_result, &w);
	free(p);
	/* a failed check-in */
	a.bundles = 0;
	a.status = UP_TIMEOUT;
	a.http_status = 0;
	(void)strlcpy(a.error, "no answer in 30 s", sizeof(a.error));
	wbuf_reset(&w);
	msg_upload_result_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_result_decode(w.data, w.len, &b), 0);
	CHECK(b.status == UP_TIMEOUT && b.bundles == 0);
	/* many bundles: a check-in's answer may bring any number */
	a.bundles = UINT32_MAX;
	wbuf_reset(&w);
	msg_upload_result_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_result_decode(w.data, w.len, &b), 0);
	CHECK(b.bundles == UINT32_MAX);
	/* the kind: known, and an upload brings no bundle */
	a.kind = JOB_CHECKIN + 1;
	wbuf_reset(&w);
	msg_upload_result_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_result_decode(w.data, w.len, &b), -1);
	a.kind = JOB_UPLOAD;
	a.bundles = 1;
	wbuf_reset(&w);
	msg_upload_result_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_result_decode(w.data, w.len, &b), -1);
	a.bundles = 0;
	wbuf_reset(&w);
	msg_upload_result_encode(&w, &a);
	CHECK_EQ_INT(msg_upload_result_decode(w.data, w.len, &b), 0);
	wbuf_free(&w);
}

TEST(bundle)
{
	static const char	 text[] =
	    "untrusted comment: verify with instructions.pub\n"
	    "RWQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
	    "callhome-instructions 1\ngateway acme-hq-gw-01\nsequence 42\n"
	    "issued 2026-11-21T10:00:00Z\nexpires 2026-11-28T10:00:00Z\n"
	    "collect now\nupload now\nschedule daily 02:30\n"
	    "checkin every 1h\npackage profile acme-mx3570.profile 7 "
	    SHA_A " 18432\n";
	struct msg_bundle	 a, b;
	struct wbuf		 w;
	uint8_t			*p, *big;
	size_t			 n;

	a.data = (const uint8_t *)text;
	a.len = sizeof(text) - 1;
	wbuf_init(&w);
	msg_bundle_encode(&w, &a);
	CHECK(transfer(PROC_UPLINKD, PROC_SIGNERD, IMSG_BUNDLE, &w, &p, &n));
	CHECK_EQ_INT(msg_bundle_decode(p, n, &b), 0);
	CHECK(b.len == a.len && memcmp(b.data, text, a.len) == 0);
	CHECK(b.data == p + 4);
	REENCODES(msg_bundle_encode, &b, &w);
	TRUNCATIONS(msg_bundle_decode, struct msg_bundle, &w);
	free(p);
	/* 1 to BUNDLE_MAX bytes */
	a.len = 0;
	wbuf_reset(&w);
	msg_bundle_encode(&w, &a);
	CHECK_EQ_INT(w.len, 4);
	CHECK_EQ_INT(msg_bundle_decode(w.data, w.len, &b), -1);
	a.len = 1;
	wbuf_reset(&w);
	msg_bundle_encode(&w, &a);
	CHECK_EQ_INT(msg_bundle_decode(w.data, w.len, &b), 0);
	CHECK((big = calloc(1, BUNDLE_MAX + 1)) != NULL);
	a.data = big;
	a.len = BUNDLE_MAX;
	wbuf_reset(&w);
	msg_bundle_encode(&w, &a);
	CHECK_EQ_INT(msg_bundle_decode(w.data, w.len, &b), 0);
	CHECK_EQ_INT(b.len, BUNDLE_MAX);
	a.len = BUNDLE_MAX + 1;
	wbuf_reset(&w);
	msg_bundle_encode(&w, &a);
	CHECK_EQ_INT(msg_bundle_decode(w.data, w.len, &b), -1);
	/* nothing after the blob */
	a.len = 1;
	wbuf_reset(&w);
	msg_bundle_encode(&w, &a);
	wbuf_u8(&w, 0);
	CHECK_EQ_INT(msg_bundle_decode(w.data, w.len, &b), -1);
	free(big);
	wbuf_free(&w);
}

/* a file for the largest sizes: BUNDLE_PKG_SIZE_MAX + 2 bytes */
static uint8_t *
big_file(void)
{
	uint8_t	*big;
	size_t	 i;

	if ((big = malloc(BUNDLE_PKG_SIZE_MAX + 2)) == NULL)
		return NULL;
	for (i = 0; i < BUNDLE_PKG_SIZE_MAX + 2; i++)
		big[i] = (uint8_t)(i * 131 + 7);
	return big;
}

TEST(package)
{
	static const char	 sig[] =
	    "untrusted comment: verify with packages.pub\n"
	    "RWRAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
	struct msg_package	 a, b;
	struct wbuf		 w;
	uint8_t			 file[5000], *p, *big;
	size_t			 n, i;

	for (i = 0; i < sizeof(file); i++)
		file[i] = (uint8_t)(i * 13);
	memset(&a, 0, sizeof(a));
	mk_pkg_id(&a.id, PKG_SOFTWARE, "callhome_gw", 20261121);
	a.file = file;
	a.filelen = sizeof(file);
	a.sig = (const uint8_t *)sig;
	a.siglen = sizeof(sig) - 1;
	wbuf_init(&w);
	msg_package_encode(&w, &a);
	CHECK(transfer(PROC_UPLINKD, PROC_SIGNERD, IMSG_PACKAGE, &w, &p, &n));
	CHECK_EQ_INT(msg_package_decode(p, n, &b), 0);
	CHECK(b.id.kind == PKG_SOFTWARE && b.id.version == 20261121);
	CHECK_STR(b.id.name, "callhome_gw");
	CHECK(b.filelen == sizeof(file) &&
	    memcmp(b.file, file, sizeof(file)) == 0);
	CHECK(b.siglen == sizeof(sig) - 1 &&
	    memcmp(b.sig, sig, sizeof(sig) - 1) == 0);
	REENCODES(msg_package_encode, &b, &w);
	TRUNCATIONS(msg_package_decode, struct msg_package, &w);
	free(p);
	/* a bad identity */
	a.id.version = 0;
	wbuf_reset(&w);
	msg_package_encode(&w, &a);
	CHECK_EQ_INT(msg_package_decode(w.data, w.len, &b), -1);
	a.id.version = 1;
	(void)strlcpy(a.id.name, "../callhome_gw", sizeof(a.id.name));
	wbuf_reset(&w);
	msg_package_encode(&w, &a);
	CHECK_EQ_INT(msg_package_decode(w.data, w.len, &b), -1);
	(void)strlcpy(a.id.name, "callhome_gw", sizeof(a.id.name));
	/* the signature: PKG_SIG_MAX bytes, not one more */
	CHECK((big = big_file()) != NULL);
	a.sig = big;
	a.siglen = PKG_SIG_MAX;
	wbuf_reset(&w);
	msg_package_encode(&w, &a);
	CHECK_EQ_INT(msg_package_decode(w.data, w.len, &b), 0);
	a.siglen = PKG_SIG_MAX + 1;
	wbuf_reset(&w);
	msg_package_encode(&w, &a);
	CHECK_EQ_INT(msg_package_decode(w.data, w.len, &b), -1);
	a.sig = (const uint8_t *)sig;
	a.siglen = sizeof(sig) - 1;
	/*
	 * the file: one byte more than a package may have still comes
	 * through (signerd says size-exceeded); two do not
	 */
	a.file = big;
	a.filelen = BUNDLE_PKG_SIZE_MAX + 1;
	wbuf_reset(&w);
	msg_package_encode(&w, &a);
	CHECK_EQ_INT(msg_package_decode(w.data, w.len, &b), 0);
	CHECK_EQ_INT(b.filelen, BUNDLE_PKG_SIZE_MAX + 1);
	a.filelen = BUNDLE_PKG_SIZE_MAX + 2;
	wbuf_reset(&w);
	msg_package_encode(&w, &a);
	CHECK_EQ_INT(msg_package_decode(w.data, w.len, &b), -1);
	free(big);
	wbuf_free(&w);
}

TEST(fetch_failed)
{
	static const char *const reasons[] = {
		"size-exceeded", "timeout", "fetch-failed",
	};
	static const char *const bad[] = {
		"other", "", "Timeout", "timeout ", "size", "fetch-failed-",
	};
	struct msg_fetch_failed	 a, b;
	struct wbuf		 w;
	uint8_t			*p;
	size_t			 n, i;

	wbuf_init(&w);
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		memset(&a, 0, sizeof(a));
		mk_pkg_id(&a.id, PKG_PROFILE, "acme-mx3570.profile", 7);
		(void)strlcpy(a.reason, reasons[i], sizeof(a.reason));
		(void)strlcpy(a.error, "HTTP 404 Not Found", sizeof(a.error));
		wbuf_reset(&w);
		msg_fetch_failed_encode(&w, &a);
		CHECK(transfer(PROC_UPLINKD, PROC_SIGNERD, IMSG_FETCH_FAILED,
		    &w, &p, &n));
		memset(&b, 0xa5, sizeof(b));
		CHECK_EQ_INT(msg_fetch_failed_decode(p, n, &b), 0);
		CHECK(memcmp(&a, &b, sizeof(a)) == 0);
		CHECK_STR(b.reason, reasons[i]);
		CHECK_STR(b.id.name, "acme-mx3570.profile");
		REENCODES(msg_fetch_failed_encode, &b, &w);
		TRUNCATIONS(msg_fetch_failed_decode, struct msg_fetch_failed,
		    &w);
		free(p);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)strlcpy(a.reason, bad[i], sizeof(a.reason));
		wbuf_reset(&w);
		msg_fetch_failed_encode(&w, &a);
		CHECK_EQ_INT(msg_fetch_failed_decode(w.data, w.len, &b), -1);
	}
	(void)strlcpy(a.reason, "timeout", sizeof(a.reason));
	a.id.kind = PKG_SOFTWARE + 1;
	wbuf_reset(&w);
	msg_fetch_failed_encode(&w, &a);
	CHECK_EQ_INT(msg_fetch_failed_decode(w.data, w.len, &b), -1);
	wbuf_free(&w);
}

/* a VERDICT as the wire has it: pkg NULL for none, whatever the flag */
static void
put_verdict(struct wbuf *w, uint8_t what, uint8_t ok, const char *reason,
    uint64_t seq, uint8_t has_pkg, const struct pkg_id *pkg, const char *sha)
{
	wbuf_u8(w, what);
	wbuf_u8(w, ok);
	wbuf_str(w, reason);
	wbuf_u64(w, seq);
	wbuf_u8(w, has_pkg);
	if (pkg != NULL)
		wbuf_pkg_id(w, pkg);
	wbuf_str(w, sha);
	wbuf_str(w, "for people");
}

TEST(verdict)
{
	struct msg_verdict	 a, b;
	struct pkg_id		 id;
	struct wbuf		 w;
	uint8_t			*p;
	size_t			 n;

	/* a bundle accepted */
	memset(&a, 0, sizeof(a));
	a.what = VERDICT_BUNDLE;
	a.ok = 1;
	(void)strlcpy(a.reason, "ok", sizeof(a.reason));
	a.sequence = 42;
	(void)strlcpy(a.sha256, SHA_A, sizeof(a.sha256));
	wbuf_init(&w);
	msg_verdict_encode(&w, &a);
	CHECK(transfer(PROC_SIGNERD, PROC_AUDITD, IMSG_VERDICT, &w, &p, &n));
	memset(&b, 0xa5, sizeof(b));
	CHECK_EQ_INT(msg_verdict_decode(p, n, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	CHECK(b.what == VERDICT_BUNDLE && b.ok == 1 && b.sequence == 42);
	CHECK_STR(b.reason, "ok");
	CHECK_STR(b.pkg.name, "");
	REENCODES(msg_verdict_encode, &b, &w);
	TRUNCATIONS(msg_verdict_decode, struct msg_verdict, &w);
	free(p);

	/* a package refused */
	memset(&a, 0, sizeof(a));
	a.what = VERDICT_PACKAGE;
	a.ok = 0;
	(void)strlcpy(a.reason, "bad-signature", sizeof(a.reason));
	mk_pkg_id(&a.pkg, PKG_SOFTWARE, "callhome_gw", 20261121);
	(void)strlcpy(a.sha256, SHA_B, sizeof(a.sha256));
	(void)strlcpy(a.error, "signature verification failed",
	    sizeof(a.error));
	wbuf_reset(&w);
	msg_verdict_encode(&w, &a);
	CHECK(transfer(PROC_SIGNERD, PROC_AUDITD, IMSG_VERDICT, &w, &p, &n));
	memset(&b, 0xa5, sizeof(b));
	CHECK_EQ_INT(msg_verdict_decode(p, n, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	CHECK(b.what == VERDICT_PACKAGE && b.ok == 0 &&
	    b.pkg.kind == PKG_SOFTWARE && b.pkg.version == 20261121);
	CHECK_STR(b.pkg.name, "callhome_gw");
	CHECK_STR(b.reason, "bad-signature");
	REENCODES(msg_verdict_encode, &b, &w);
	TRUNCATIONS(msg_verdict_decode, struct msg_verdict, &w);
	free(p);
	/* a bundle that could not be read: no sequence, no hash */
	memset(&a, 0, sizeof(a));
	a.what = VERDICT_BUNDLE;
	(void)strlcpy(a.reason, "malformed", sizeof(a.reason));
	wbuf_reset(&w);
	msg_verdict_encode(&w, &a);
	CHECK_EQ_INT(msg_verdict_decode(w.data, w.len, &b), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);

	/* what, ok, reason, sequence, hash */
	a.what = VERDICT_PACKAGE + 1;
	wbuf_reset(&w);
	msg_verdict_encode(&w, &a);
	CHECK_EQ_INT(msg_verdict_decode(w.data, w.len, &b), -1);
	a.what = VERDICT_BUNDLE;
	a.ok = 2;
	wbuf_reset(&w);
	msg_verdict_encode(&w, &a);
	CHECK_EQ_INT(msg_verdict_decode(w.data, w.len, &b), -1);
	a.ok = 0;
	a.reason[0] = '\0';
	wbuf_reset(&w);
	msg_verdict_encode(&w, &a);
	CHECK_EQ_INT(msg_verdict_decode(w.data, w.len, &b), -1);
	(void)strlcpy(a.reason, "replayed", sizeof(a.reason));
	a.sequence = BUNDLE_SEQ_MAX;
	wbuf_reset(&w);
	msg_verdict_encode(&w, &a);
	CHECK_EQ_INT(msg_verdict_decode(w.data, w.len, &b), 0);
	a.sequence = (uint64_t)BUNDLE_SEQ_MAX + 1;
	wbuf_reset(&w);
	msg_verdict_encode(&w, &a);
	CHECK_EQ_INT(msg_verdict_decode(w.data, w.len, &b), -1);
	a.sequence = 42;
	(void)strlcpy(a.sha256, SHA_A, sizeof(a.sha256));
	a.sha256[10] = 'A';
	wbuf_reset(&w);
	msg_verdict_encode(&w, &a);
	CHECK_EQ_INT(msg_verdict_decode(w.data, w.len, &b), -1);
	a.sha256[10] = 'g';
	wbuf_reset(&w);
	msg_verdict_encode(&w, &a);
	CHECK_EQ_INT(msg_verdict_decode(w.data, w.len, &b), -1);
	a.sha256[10] = '0';
	a.sha256[63] = '\0';
	wbuf_reset(&w);
	msg_verdict_encode(&w, &a);
	CHECK_EQ_INT(msg_verdict_decode(w.data, w.len, &b), -1);

	/* the package: a package's verdict names one, a bundle's not */
	mk_pkg_id(&id, PKG_PROFILE, "sharp", 2);
	wbuf_reset(&w);
	put_verdict(&w, VERDICT_PACKAGE, 1, "ok", 0, 1, &id, SHA_A);
	CHECK_EQ_INT(msg_verdict_decode(w.data, w.len, &b), 0);
	CHECK_STR(b.pkg.name, "sharp");
	wbuf_reset(&w);
	put_verdict(&w, VERDICT_PACKAGE, 1, "ok", 0, 0, NULL, SHA_A);
	CHECK_EQ_INT(msg_verdict_decode(w.data, w.len, &b), -1);
	wbuf_reset(&w);
	put_verdict(&w, VERDICT_BUNDLE, 1, "ok", 42, 0, NULL, SHA_A);
	CHECK_EQ_INT(msg_verdict_decode(w.data, w.len, &b), 0);
	wbuf_reset(&w);
	put_verdict(&w, VERDICT_BUNDLE, 1, "ok", 42, 1, &id, SHA_A);
	CHECK_EQ_INT(msg_verdict_decode(w.data, w.len, &b), -1);
	/* its presence is 0 or 1: 2 would not encode back the same */
	wbuf_reset(&w);
	put_verdict(&w, VERDICT_PACKAGE, 1, "ok", 0, 2, &id, SHA_A);
	CHECK_EQ_INT(msg_verdict_decode(w.data, w.len, &b), -1);
	wbuf_reset(&w);
	put_verdict(&w, VERDICT_BUNDLE, 1, "ok", 42, 2, NULL, SHA_A);
	CHECK_EQ_INT(msg_verdict_decode(w.data, w.len, &b), -1);
	/* and a bad identity */
	id.version = 0;
	wbuf_reset(&w);
	put_verdict(&w, VERDICT_PACKAGE, 1, "ok", 0, 1, &id, SHA_A);
	CHECK_EQ_INT(msg_verdict_decode(w.data, w.len, &b), -1);
	wbuf_free(&w);
}

TEST(package_store)
{
	static const char	 prof[] = "profile sharp {\n}\n";
	struct msg_package_store a, b;
	struct wbuf		 w;
	uint8_t			*p, *big;
	size_t			 n;

	memset(&a, 0, sizeof(a));
	mk_pkg_id(&a.id, PKG_PROFILE, "sharp", 2);
	(void)strlcpy(a.sha256, SHA_B, sizeof(a.sha256));
	a.file = (const uint8_t *)prof;
	a.filelen = sizeof(prof) - 1;
	wbuf_init(&w);
	msg_package_store_encode(&w, &a);
	CHECK(transfer(PROC_SIGNERD, PROC_AUDITD, IMSG_PACKAGE_STORE, &w, &p,
	    &n));
	CHECK_EQ_INT(msg_package_store_decode(p, n, &b), 0);
	CHECK(b.id.kind == PKG_PROFILE && b.id.version == 2);
	CHECK_STR(b.id.name, "sharp");
	CHECK_STR(b.sha256, SHA_B);
	CHECK(b.filelen == a.filelen && memcmp(b.file, prof, a.filelen) == 0);
	REENCODES(msg_package_store_encode, &b, &w);
	TRUNCATIONS(msg_package_store_decode, struct msg_package_store, &w);
	free(p);
	/* the hash is needed, and well formed */
	a.sha256[0] = '\0';
	wbuf_reset(&w);
	msg_package_store_encode(&w, &a);
	CHECK_EQ_INT(msg_package_store_decode(w.data, w.len, &b), -1);
	(void)strlcpy(a.sha256, SHA_B, sizeof(a.sha256));
	a.sha256[0] = 'F';
	wbuf_reset(&w);
	msg_package_store_encode(&w, &a);
	CHECK_EQ_INT(msg_package_store_decode(w.data, w.len, &b), -1);
	a.sha256[0] = 'f';
	/* a bad identity */
	a.id.kind = PKG_SOFTWARE + 1;
	wbuf_reset(&w);
	msg_package_store_encode(&w, &a);
	CHECK_EQ_INT(msg_package_store_decode(w.data, w.len, &b), -1);
	a.id.kind = PKG_PROFILE;
	(void)strlcpy(a.id.name, ".sharp", sizeof(a.id.name));
	wbuf_reset(&w);
	msg_package_store_encode(&w, &a);
	CHECK_EQ_INT(msg_package_store_decode(w.data, w.len, &b), -1);
	(void)strlcpy(a.id.name, "sharp", sizeof(a.id.name));
	/* 1 to BUNDLE_PKG_SIZE_MAX bytes: what was verified */
	a.filelen = 0;
	wbuf_reset(&w);
	msg_package_store_encode(&w, &a);
	CHECK_EQ_INT(msg_package_store_decode(w.data, w.len, &b), -1);
	CHECK((big = big_file()) != NULL);
	a.file = big;
	a.filelen = BUNDLE_PKG_SIZE_MAX;
	wbuf_reset(&w);
	msg_package_store_encode(&w, &a);
	CHECK_EQ_INT(msg_package_store_decode(w.data, w.len, &b), 0);
	CHECK_EQ_INT(b.filelen, BUNDLE_PKG_SIZE_MAX);
	a.filelen = BUNDLE_PKG_SIZE_MAX + 1;
	wbuf_reset(&w);
	msg_package_store_encode(&w, &a);
	CHECK_EQ_INT(msg_package_store_decode(w.data, w.len, &b), -1);
	free(big);
	wbuf_free(&w);
}

/* the channel table refuses these types from the wrong sender */
TEST(wrong_senders)
{
	CHECK(!test_chan_allows(PROC_UPLINKD, PROC_COLLECTD, IMSG_COLLECT_START));
	CHECK(!test_chan_allows(PROC_UPLINKD, PROC_PARENT, IMSG_UPLOAD_RESULT));
	CHECK(!test_chan_allows(PROC_AUDITD, PROC_COLLECTD, IMSG_DEV_BEGIN));
	CHECK(!test_chan_allows(PROC_CONTROL, PROC_PARENT, IMSG_CTL_REPLY));
	CHECK(!test_chan_allows(PROC_AUDITD, PROC_PARENT, IMSG_DIAL_REQ));
	CHECK(!test_chan_allows(PROC_SIGNERD, PROC_UPLINKD, IMSG_UPLOAD_JOB));
	CHECK(!test_chan_allows(PROC_COLLECTD, PROC_UPLINKD, IMSG_CYCLE_BEGIN));
	/* check-in and packages */
	CHECK(!test_chan_allows(PROC_SIGNERD, PROC_PARENT, IMSG_SIGNER_STATE));
	CHECK(!test_chan_allows(PROC_PARENT, PROC_SIGNERD, IMSG_INSTRUCTIONS));
	CHECK(!test_chan_allows(PROC_AUDITD, PROC_SIGNERD, IMSG_VERDICT));
	CHECK(!test_chan_allows(PROC_UPLINKD, PROC_AUDITD,
	    IMSG_PACKAGE_STORE));
	CHECK(!test_chan_allows(PROC_SIGNERD, PROC_UPLINKD, IMSG_BUNDLE));
	CHECK(!test_chan_allows(PROC_PARENT, PROC_SIGNERD, IMSG_PACKAGE));
	CHECK(!test_chan_allows(PROC_UPLINKD, PROC_PARENT, IMSG_FETCH));
	CHECK(!test_chan_allows(PROC_PARENT, PROC_SIGNERD, IMSG_FETCH));
	CHECK(!test_chan_allows(PROC_SIGNERD, PROC_UPLINKD,
	    IMSG_FETCH_FAILED));
	CHECK(!test_chan_allows(PROC_PARENT, PROC_AUDITD, IMSG_GATEWAY_STATE));
	CHECK(!test_chan_allows(PROC_PARENT, PROC_AUDITD,
	    IMSG_PROFILE_PACKAGE));
	CHECK(!test_chan_allows(PROC_AUDITD, PROC_PARENT,
	    IMSG_INSTRUCTION_DONE));
	CHECK(!test_chan_allows(PROC_UPLINKD, PROC_AUDITD, IMSG_UPLOAD_JOB));
}

TEST_MAIN_BEGIN("test_msgs")
	log_init("test_msgs", LOG_TO_STDERR, 0);
	RUN(collect_start);
	RUN(cycle);
	RUN(device);
	RUN(rows);
	RUN(tails);
	RUN(jobdata);
	RUN(upload_job);
	RUN(upload_result);
	RUN(dial);
	RUN(outbox_status);
	RUN(outbox_op);
	RUN(control);
	RUN(pkg_name);
	RUN(conf_signerd);
	RUN(gateway_state);
	RUN(signer_state);
	RUN(instructions);
	RUN(outbox_status_checkin);
	RUN(checkin_now);
	RUN(instruction_done);
	RUN(profile_package);
	RUN(fetch);
	RUN(upload_job_checkin);
	RUN(upload_result_checkin);
	RUN(bundle);
	RUN(package);
	RUN(fetch_failed);
	RUN(verdict);
	RUN(package_store);
	RUN(incident);
	RUN(wrong_senders);
TEST_MAIN_END
