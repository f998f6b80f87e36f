/*
 * The channel between auditd and uplinkd.
 *
 *	auditd -> uplinkd	UPLOAD_JOB	the exact bytes to send, with
 *						their SHA-256 (streamed)
 *	uplinkd -> auditd	UPLOAD_RESULT	what became of the job, with
 *						the server's receipt
 *
 * One job at a time: auditd sends the next only after the result.
 */
#ifndef CALLHOME_CHAN_AUDITD_UPLINKD_H
#define CALLHOME_CHAN_AUDITD_UPLINKD_H

#include "chan.h"
#include "checkin.h"
#include "digest.h"
#include "imsgev.h"
#include "upload_status.h"

extern const struct chan_def	chan_auditd_uplinkd;

/* IMSG_UPLOAD_JOB */
#define JOB_UPLOAD	1	/* POST /callhome/1/upload, a receipt back */
#define JOB_CHECKIN	2	/* POST /callhome/1/checkin, bundles back */
#define UPLOAD_JOB_MAX	(64U * 1024 * 1024)	/* the stream's limit */
struct msg_upload_job {
	uint64_t	 job;		/* outbox id; a check-in's own */
	uint8_t		 kind;		/* JOB_UPLOAD or JOB_CHECKIN */
	char		 sha256[SHA256_HEX];	/* of the document itself */
	uint8_t		 gzip;		/* body is the gzip of it */
	uint64_t	 doclen;	/* the document's length */
	const uint8_t	*body;		/* the bytes to send (decode: view) */
	size_t		 bodylen;
};
void	msg_upload_job_encode(struct wbuf *, const struct msg_upload_job *);
int	msg_upload_job_decode(const void *, size_t, struct msg_upload_job *);
void	msg_upload_job_send(struct imsgev *, const struct msg_upload_job *);

/* IMSG_UPLOAD_RESULT */
struct msg_upload_result {
	uint64_t	 job;
	uint8_t		 kind;		/* the job's */
	uint32_t	 bundles;	/* a check-in's answer: passed on */
	uint8_t		 status;	/* enum upload_status */
	int32_t		 http_status;	/* 0 if none */
	char		 server[256];	/* name:port */
	char		 via[256];	/* address dialed, or the proxy */
	char		 tls_version[32];
	char		 cert_hash[128];	/* server certificate, SHA256:hex */
	char		 receipt_sha256[SHA256_HEX];
	int64_t		 doc_id;		/* the server's document id */
	char		 server_time[40];
	uint8_t		 duplicate;
	uint64_t	 bytes_sent;
	uint64_t	 bytes_received;
	char		 error[512];
	uint32_t	 retry_after;	/* the server's Retry-After, seconds;
					   0: none */
	uint32_t	 nincidents;	/* a check-in's: the server's status */
	struct checkin_incident incidents[CHECKIN_MAX_INCIDENTS];
};
#define UP_RETRY_AFTER_MAX	(24 * 60 * 60)
void	msg_upload_result_encode(struct wbuf *,
	    const struct msg_upload_result *);
int	msg_upload_result_decode(const void *, size_t,
	    struct msg_upload_result *);
void	msg_upload_result_send(struct imsgev *,
	    const struct msg_upload_result *);

#endif /* CALLHOME_CHAN_AUDITD_UPLINKD_H */
