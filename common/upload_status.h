/*
 * What became of one upload attempt, as uplinkd reports it to auditd and
 * auditd to the parent and the log.
 */
#ifndef CALLHOME_UPLOAD_STATUS_H
#define CALLHOME_UPLOAD_STATUS_H

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

/* "delivered", "receipt-mismatch", ...; "unknown" otherwise */
const char	*upload_status_name(int);

#endif /* CALLHOME_UPLOAD_STATUS_H */
