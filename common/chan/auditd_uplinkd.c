/*
 * The channel between auditd and uplinkd: see auditd_uplinkd.h.
 */
#include <string.h>

#include "chan/auditd_uplinkd.h"

static const struct chan_msg auditd_to_uplinkd[] = {
	{ IMSG_UPLOAD_JOB, MT_STREAM, UPLOAD_JOB_MAX },
};
static const struct chan_msg uplinkd_to_auditd[] = {
	{ IMSG_UPLOAD_RESULT, 0, 8 * 1024 + CHECKIN_MAX_INCIDENTS * 9 },
};

const struct chan_def chan_auditd_uplinkd = {
	"auditd-uplinkd", PROC_AUDITD, PROC_UPLINKD,
	CHAN_MSGS(auditd_to_uplinkd), CHAN_MSGS(uplinkd_to_auditd),
};

void
msg_upload_job_encode(struct wbuf *w, const struct msg_upload_job *j)
{
	wbuf_u64(w, j->job);
	wbuf_u8(w, j->kind);
	wbuf_str(w, j->sha256);
	wbuf_u8(w, j->gzip);
	wbuf_u64(w, j->doclen);
	wbuf_blob(w, j->body, j->bodylen);
}

int
msg_upload_job_decode(const void *p, size_t len, struct msg_upload_job *j)
{
	struct rbuf	 r;

	memset(j, 0, sizeof(*j));
	rbuf_init(&r, p, len);
	j->job = rbuf_u64(&r);
	j->kind = rbuf_u8(&r);
	rbuf_str(&r, j->sha256, sizeof(j->sha256));
	j->gzip = rbuf_u8(&r);
	j->doclen = rbuf_u64(&r);
	j->body = rbuf_blob(&r, &j->bodylen, UPLOAD_JOB_MAX);
	if (rbuf_done(&r) == -1 || (j->kind != JOB_UPLOAD &&
	    j->kind != JOB_CHECKIN) || j->gzip > 1 ||
	    !valid_hex64(j->sha256) || j->doclen > UPLOAD_JOB_MAX)
		return -1;
	return 0;
}

void
msg_upload_job_send(struct imsgev *iev, const struct msg_upload_job *j)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_upload_job_encode(w, j);
	imsgev_sendw(iev, IMSG_UPLOAD_JOB, 0, -1, w);
}

void
msg_upload_result_encode(struct wbuf *w, const struct msg_upload_result *u)
{
	uint32_t	 i;

	wbuf_u64(w, u->job);
	wbuf_u8(w, u->kind);
	wbuf_u32(w, u->bundles);
	wbuf_u8(w, u->status);
	wbuf_u32(w, (uint32_t)u->http_status);
	wbuf_str(w, u->server);
	wbuf_str(w, u->via);
	wbuf_str(w, u->tls_version);
	wbuf_str(w, u->cert_hash);
	wbuf_str(w, u->receipt_sha256);
	wbuf_i64(w, u->doc_id);
	wbuf_str(w, u->server_time);
	wbuf_u8(w, u->duplicate);
	wbuf_u64(w, u->bytes_sent);
	wbuf_u64(w, u->bytes_received);
	wbuf_str(w, u->error);
	wbuf_u32(w, u->retry_after);
	wbuf_u32(w, u->nincidents);
	for (i = 0; i < u->nincidents && i < CHECKIN_MAX_INCIDENTS; i++) {
		wbuf_i64(w, u->incidents[i].id);
		wbuf_u8(w, u->incidents[i].status);
	}
}

int
msg_upload_result_decode(const void *p, size_t len,
    struct msg_upload_result *u)
{
	struct rbuf	 r;
	uint32_t	 i;

	memset(u, 0, sizeof(*u));
	rbuf_init(&r, p, len);
	u->job = rbuf_u64(&r);
	u->kind = rbuf_u8(&r);
	u->bundles = rbuf_u32(&r);
	u->status = rbuf_u8(&r);
	u->http_status = (int32_t)rbuf_u32(&r);
	rbuf_str(&r, u->server, sizeof(u->server));
	rbuf_str(&r, u->via, sizeof(u->via));
	rbuf_str(&r, u->tls_version, sizeof(u->tls_version));
	rbuf_str(&r, u->cert_hash, sizeof(u->cert_hash));
	rbuf_str(&r, u->receipt_sha256, sizeof(u->receipt_sha256));
	u->doc_id = rbuf_i64(&r);
	rbuf_str(&r, u->server_time, sizeof(u->server_time));
	u->duplicate = rbuf_u8(&r);
	u->bytes_sent = rbuf_u64(&r);
	u->bytes_received = rbuf_u64(&r);
	rbuf_str(&r, u->error, sizeof(u->error));
	u->retry_after = rbuf_u32(&r);
	if ((u->nincidents = rbuf_u32(&r)) > CHECKIN_MAX_INCIDENTS)
		return -1;
	for (i = 0; i < u->nincidents; i++) {
		u->incidents[i].id = rbuf_i64(&r);
		u->incidents[i].status = rbuf_u8(&r);
		if (u->incidents[i].id <= 0 ||
		    checkin_incident_status(u->incidents[i].status) == NULL)
			return -1;
	}
	if (rbuf_done(&r) == -1 || u->status >= UP_STATUS_MAX ||
	    (u->kind == JOB_UPLOAD && u->nincidents != 0) ||
	    u->retry_after > UP_RETRY_AFTER_MAX ||
	    (u->kind != JOB_UPLOAD && u->kind != JOB_CHECKIN) ||
	    (u->kind == JOB_UPLOAD && u->bundles != 0) ||
	    u->duplicate > 1 || u->http_status < 0 || u->http_status > 999 ||
	    (u->receipt_sha256[0] != '\0' && !valid_hex64(u->receipt_sha256)))
		return -1;
	return 0;
}

void
msg_upload_result_send(struct imsgev *iev, const struct msg_upload_result *u)
{
	struct wbuf	*w = imsgev_wbuf(iev);

	msg_upload_result_encode(w, u);
	imsgev_sendw(iev, IMSG_UPLOAD_RESULT, 0, -1, w);
}
