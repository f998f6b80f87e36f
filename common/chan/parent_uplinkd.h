/*
 * The channel between callhomed and uplinkd.
 *
 *	parent -> uplinkd	SANDBOX, PING (lifecycle.h)
 *				CONF_UPLINKD	the server, the TLS material
 *						and the schema, as memory
 *				DIAL_RESULT	the connected socket, or why not
 *				FETCH		fetch a package (and its
 *						signature) for signerd: one a
 *						verified instruction names
 *						and the policy allows
 *	uplinkd -> parent	READY, PONG (lifecycle.h)
 *				DIAL_REQ	connect me to the server
 *
 * uplinkd can only ask for "the server": the request names no host or
 * port, so a compromised uplinkd cannot make the parent dial elsewhere.
 */
#ifndef CALLHOME_CHAN_PARENT_UPLINKD_H
#define CALLHOME_CHAN_PARENT_UPLINKD_H

#include "chan/lifecycle.h"
#include "chan/pkg.h"
#include "config.h"

extern const struct chan_def	chan_parent_uplinkd;

/* IMSG_CONF_UPLINKD: the server and TLS material, read by the parent */
#define UPLINK_PEM_MAX		(64 * 1024)
#define UPLINK_SCHEMA_MAX	(256 * 1024)
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
void	msg_conf_uplinkd_send(struct imsgev *, const struct uplink_conf *);
void	uplink_conf_clear(struct uplink_conf *);	/* wipes and frees */

/* IMSG_DIAL_REQ */
struct msg_dial_req {
	uint64_t	 job;
};
void	msg_dial_req_encode(struct wbuf *, const struct msg_dial_req *);
int	msg_dial_req_decode(const void *, size_t, struct msg_dial_req *);
void	msg_dial_req_send(struct imsgev *, const struct msg_dial_req *);

/* IMSG_DIAL_RESULT: carries the connected socket when ok */
struct msg_dial_result {
	uint64_t	 job;
	uint8_t		 ok;
	char		 via[256];
	char		 error[256];
};
void	msg_dial_result_encode(struct wbuf *, const struct msg_dial_result *);
int	msg_dial_result_decode(const void *, size_t, struct msg_dial_result *);
/* fd: the socket (handed over, closed once sent) or -1 */
void	msg_dial_result_send(struct imsgev *, const struct msg_dial_result *,
	    int fd);

/* IMSG_FETCH */
struct msg_fetch {
	struct pkg_id	 id;
	uint64_t	 size;		/* the signed size: never more */
};
void	msg_fetch_encode(struct wbuf *, const struct msg_fetch *);
int	msg_fetch_decode(const void *, size_t, struct msg_fetch *);
void	msg_fetch_send(struct imsgev *, const struct msg_fetch *);

#endif /* CALLHOME_CHAN_PARENT_UPLINKD_H */
