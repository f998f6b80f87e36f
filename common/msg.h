/*
 * Message types and their codecs: one encode and one decode function per
 * type (bgpd style).  Encoders append to a wbuf; decoders read the whole
 * payload with an rbuf and return -1 unless every field is well-formed
 * and the payload is used up exactly (receivers treat -1 as fatal).
 *
 * msgtype_info() gives each type's wire rules, which imsg_get() enforces
 * before any decoder runs: whether it carries a descriptor, whether it
 * travels as a stream, and its largest payload.
 */
#ifndef CALLHOME_MSG_H
#define CALLHOME_MSG_H

#include <sys/types.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"

enum imsg_type {
	IMSG_NONE = 0,
	/* framing (imsg.c) */
	IMSG_STREAM_BEGIN,
	IMSG_STREAM_DATA,

	/* parent -> every child */
	IMSG_SANDBOX,		/* uid, gid, chroot: the first message */
	IMSG_CONF_COLLECTD,
	IMSG_CONF_AUDITD,
	IMSG_CONF_SIGNERD,
	IMSG_CONF_UPLINKD,
	IMSG_PING,
	/* every child -> parent */
	IMSG_READY,		/* sandboxed and configured */
	IMSG_PONG,

	/* parent -> collectd */
	IMSG_COLLECT_START,
	/* collectd -> auditd */
	IMSG_CYCLE_BEGIN,
	IMSG_DEV_BEGIN,
	IMSG_DEV_METER,
	IMSG_DEV_SUPPLY,
	IMSG_DEV_ALERT,
	IMSG_DEV_END,
	IMSG_CYCLE_END,
	/* auditd -> parent */
	IMSG_CYCLE_STORED,
	/* parent -> auditd */
	IMSG_AUDIT_EVENT,	/* a transaction the parent saw */
	IMSG_OUTBOX_KICK,	/* try to deliver now */
	IMSG_OUTBOX_STATUS_REQ,
	IMSG_OUTBOX_STATUS,

	/* auditd <-> uplinkd */
	IMSG_UPLOAD_JOB,
	IMSG_UPLOAD_RESULT,
	/* uplinkd <-> parent */
	IMSG_DIAL_REQ,
	IMSG_DIAL_RESULT,	/* carries the connected socket */
	/* uplinkd -> signerd */
	IMSG_SIGNED_BLOB,
	/* signerd -> auditd, signerd -> parent */
	IMSG_VERDICT,
	IMSG_PACKAGE_STORE,
	IMSG_INSTRUCTIONS,

	/* control socket: callhomectl <-> parent */
	IMSG_CTL_REQUEST,
	IMSG_CTL_REPLY,
	IMSG_CTL_END,

	IMSG_TYPE_MAX
};

#define MT_FD		0x01	/* always carries exactly one descriptor */
#define MT_FD_OPT	0x02	/* may carry one descriptor */
#define MT_STREAM	0x04	/* always sent with imsg_compose_stream() */

struct msgtype {
	const char	*name;
	uint8_t		 flags;
	uint32_t	 max;	/* largest payload (streams: total) */
};

const struct msgtype	*msgtype_info(uint32_t);
const char		*msgtype_name(uint32_t);

/* IMSG_SANDBOX */
struct msg_sandbox {
	uid_t		 uid;
	gid_t		 gid;
	char		 root[CONF_STR_MAX];	/* chroot directory */
};
void	msg_sandbox_encode(struct wbuf *, const struct msg_sandbox *);
int	msg_sandbox_decode(const void *, size_t, struct msg_sandbox *);

/* IMSG_PING, IMSG_PONG */
struct msg_ping {
	uint32_t	 seq;
};
void	msg_ping_encode(struct wbuf *, const struct msg_ping *);
int	msg_ping_decode(const void *, size_t, struct msg_ping *);

struct msg_pong {
	uint32_t	 seq;
	uint32_t	 proc;		/* enum proc_id */
	uint32_t	 pid;
	uint64_t	 uptime;	/* seconds */
	uint64_t	 rss_kb;
	char		 state[128];	/* one line of process-specific state */
};
void	msg_pong_encode(struct wbuf *, const struct msg_pong *);
int	msg_pong_decode(const void *, size_t, struct msg_pong *);

/* IMSG_COLLECT_START: parent -> collectd */
struct msg_collect_start {
	uint64_t	 token;
	char		 reason[64];	/* schedule, manual, instruction, once */
};
void	msg_collect_start_encode(struct wbuf *, const struct msg_collect_start *);
int	msg_collect_start_decode(const void *, size_t, struct msg_collect_start *);
/*
 * IMSG_CYCLE_BEGIN, IMSG_CYCLE_END, IMSG_CYCLE_STORED
 * carry a struct rpt_cycle, IMSG_DEV_* the other report structures; their
 * codecs are in report.h.
 */

/* IMSG_READY: no payload */
int	msg_empty_decode(const void *, size_t);

/*
 * Configuration parts.  Each child decodes into a callhome_conf of its own
 * that holds only what it was sent; everything else keeps its default.
 */
void	msg_conf_collectd_encode(struct wbuf *, const struct callhome_conf *);
int	msg_conf_collectd_decode(const void *, size_t, struct callhome_conf *);
/* auditd also gets the schema text, to check each document it builds */
#define SCHEMA_MAX	(256 * 1024)
struct blob {
	uint8_t		*data;
	size_t		 len;
};
void	msg_conf_auditd_encode(struct wbuf *, const struct callhome_conf *,
	    const struct blob *xsd);
int	msg_conf_auditd_decode(const void *, size_t, struct callhome_conf *,
	    struct blob *xsd);
void	blob_free(struct blob *);

/* signerd: public keys as the files' contents */
struct signer_conf {
	uint8_t		 instr_key[256];
	size_t		 instr_keylen;
	uint8_t		 pkg_key[256];
	size_t		 pkg_keylen;
};
void	msg_conf_signerd_encode(struct wbuf *, const struct signer_conf *);
int	msg_conf_signerd_decode(const void *, size_t, struct signer_conf *);

/* uplinkd: the server and TLS material, read by the parent */
#define UPLINK_PEM_MAX	(64 * 1024)
struct uplink_conf {
	char		 server[CONF_STR_MAX];
	uint16_t	 port;
	uint32_t	 protocols;
	char		 ciphers[CONF_STR_MAX];		/* TLS 1.2 */
	char		 pin[CONF_STR_MAX];
	char		 token[CONF_STR_MAX];		/* secret */
	char		 gateway[CONF_STR_MAX];
	uint8_t		*ca;		/* PEM */
	size_t		 calen;
	uint8_t		*cert;
	size_t		 certlen;
	uint8_t		*key;		/* secret */
	size_t		 keylen;
	uint8_t		*xsd;		/* the protocol schema */
	size_t		 xsdlen;
};
void	msg_conf_uplinkd_encode(struct wbuf *, const struct uplink_conf *);
int	msg_conf_uplinkd_decode(const void *, size_t, struct uplink_conf *);
void	uplink_conf_clear(struct uplink_conf *);	/* wipes and frees */

/*
 * The upload path: auditd hands uplinkd the exact bytes (IMSG_UPLOAD_JOB,
 * streamed); uplinkd asks the parent for a connected socket (DIAL_REQ,
 * DIAL_RESULT with the descriptor) and answers auditd (UPLOAD_RESULT).
 */
#define JOB_UPLOAD	1
/* 64 lowercase hex digits, then the end of the string */
int	valid_hex64(const char *);
#define SHA256_HEX	65	/* 64 hex digits and NUL */

struct msg_upload_job {
	uint64_t	 job;		/* outbox id */
	uint8_t		 kind;		/* JOB_UPLOAD */
	char		 sha256[SHA256_HEX];	/* of the document itself */
	uint8_t		 gzip;		/* body is the gzip of it */
	uint64_t	 doclen;	/* the document's length */
	const uint8_t	*body;		/* the bytes to send (decode: view) */
	size_t		 bodylen;
};
void	msg_upload_job_encode(struct wbuf *, const struct msg_upload_job *);
int	msg_upload_job_decode(const void *, size_t, struct msg_upload_job *);

enum upload_status {
	UP_DELIVERED,		/* receipt with our hash */
	UP_MISMATCH,		/* receipt with another hash */
	UP_DIAL,		/* no connection (or not authorized) */
	UP_TLS,			/* handshake or certificate refused */
	UP_HTTP,		/* an HTTP status other than 200 */
	UP_PROTOCOL,		/* a malformed response or receipt */
	UP_TIMEOUT,		/* a deadline passed */
	UP_STATUS_MAX
};
const char	*upload_status_name(int);

struct msg_upload_result {
	uint64_t	 job;
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
};
#define UP_RETRY_AFTER_MAX	(24 * 60 * 60)
void	msg_upload_result_encode(struct wbuf *, const struct msg_upload_result *);
int	msg_upload_result_decode(const void *, size_t, struct msg_upload_result *);

struct msg_dial_req {
	uint64_t	 job;
};
void	msg_dial_req_encode(struct wbuf *, const struct msg_dial_req *);
int	msg_dial_req_decode(const void *, size_t, struct msg_dial_req *);

/* carries the connected socket when ok */
struct msg_dial_result {
	uint64_t	 job;
	uint8_t		 ok;
	char		 via[256];
	char		 error[256];
};
void	msg_dial_result_encode(struct wbuf *, const struct msg_dial_result *);
int	msg_dial_result_decode(const void *, size_t, struct msg_dial_result *);

/*
 * The control socket: callhomectl sends one CTL_REQUEST, the parent
 * answers with CTL_REPLY lines (key and value) and one CTL_END.
 */
enum ctl_command {
	CTL_STATUS = 1,
	CTL_COLLECT,
	CTL_SEND,
	CTL_CHECKIN,
	CTL_RELOAD,
	CTL_COMMAND_MAX
};
const char	*ctl_command_name(int);

struct msg_ctl_request {
	uint32_t	 command;	/* enum ctl_command */
};
void	msg_ctl_request_encode(struct wbuf *, const struct msg_ctl_request *);
int	msg_ctl_request_decode(const void *, size_t, struct msg_ctl_request *);

struct msg_ctl_reply {
	char		 key[64];
	char		 value[4096];
};
void	msg_ctl_reply_encode(struct wbuf *, const struct msg_ctl_reply *);
int	msg_ctl_reply_decode(const void *, size_t, struct msg_ctl_reply *);

struct msg_ctl_end {
	int32_t		 code;		/* 0 success, else the exit status */
};
void	msg_ctl_end_encode(struct wbuf *, const struct msg_ctl_end *);
int	msg_ctl_end_decode(const void *, size_t, struct msg_ctl_end *);

#endif /* CALLHOME_MSG_H */
