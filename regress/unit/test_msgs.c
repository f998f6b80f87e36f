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
#include "msg.h"
#include "outbox_msg.h"
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
	imsgbuf_init(&tx, sv[0], from, to);
	imsgbuf_init(&rx, sv[1], to, from);
	if (msgtype_info(type)->flags & MT_STREAM)
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
	struct msg_upload_result	 a, b;
	struct wbuf			 w, w2;
	uint8_t				*p;
	size_t				 n;

	memset(&a, 0, sizeof(a));
	a.job = 12;
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
	free(p);
	wbuf_free(&w);
	wbuf_free(&w2);
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

/* the channel table refuses these types from the wrong sender */
TEST(wrong_senders)
{
	CHECK(!chan_allows(PROC_UPLINKD, PROC_COLLECTD, IMSG_COLLECT_START));
	CHECK(!chan_allows(PROC_UPLINKD, PROC_PARENT, IMSG_UPLOAD_RESULT));
	CHECK(!chan_allows(PROC_AUDITD, PROC_COLLECTD, IMSG_DEV_BEGIN));
	CHECK(!chan_allows(PROC_CONTROL, PROC_PARENT, IMSG_CTL_REPLY));
	CHECK(!chan_allows(PROC_AUDITD, PROC_PARENT, IMSG_DIAL_REQ));
	CHECK(!chan_allows(PROC_SIGNERD, PROC_UPLINKD, IMSG_UPLOAD_JOB));
	CHECK(!chan_allows(PROC_COLLECTD, PROC_UPLINKD, IMSG_CYCLE_BEGIN));
}

TEST_MAIN_BEGIN("test_msgs")
	log_init("test_msgs", LOG_TO_STDERR, 0);
	RUN(collect_start);
	RUN(cycle);
	RUN(device);
	RUN(rows);
	RUN(upload_job);
	RUN(upload_result);
	RUN(dial);
	RUN(outbox_status);
	RUN(control);
	RUN(wrong_senders);
TEST_MAIN_END
