/*
 * The channel between callhomed and collectd.
 *
 *	parent -> collectd	SANDBOX, PING (lifecycle.h)
 *				CONF_COLLECTD	collectd's part of the
 *						configuration, secrets included
 *				COLLECT_START	start a cycle now
 *	collectd -> parent	READY, PONG (lifecycle.h)
 *
 * collectd's part is the SNMP settings, the targets, the v3 users, the
 * vendor profiles and the job-data public key: nothing about the server,
 * the other keys or the log.
 */
#ifndef CALLHOME_CHAN_PARENT_COLLECTD_H
#define CALLHOME_CHAN_PARENT_COLLECTD_H

#include "chan/lifecycle.h"
#include "config.h"
#include "jobseal.h"
#include "usm.h"

extern const struct chan_def	chan_parent_collectd;

/*
 * An SNMPv3 user as collectd gets it: its keys (Ku, from the passwords
 * by the parent: a password never reaches collectd), wiped when freed.
 */
struct collectd_user {
	TAILQ_ENTRY(collectd_user) entry;
	char			 name[CONF_STR_MAX];
	char			 context[CONF_STR_MAX];
	int			 allow_weak;	/* MD5 or DES allowed */
	struct usm_user		 usm;		/* secret: the keys */
};
TAILQ_HEAD(collectd_users, collectd_user);

/* IMSG_CONF_COLLECTD */
struct collectd_conf {
	uint32_t		 send;		/* CAT_BIT() mask */
	char			 snmp_community[CONF_STR_MAX];	/* secret */
	enum snmp_version_conf	 snmp_version;
	uint32_t		 snmp_timeout_ms;
	uint32_t		 snmp_retries;
	uint32_t		 snmp_window;
	uint32_t		 snmp_rate;
	uint32_t		 discover_rate;
	struct collectd_users	 users;		/* keys: secret */
	struct devices		 devices;
	struct discovers	 discovers;
	struct profile_set	*profile_set;	/* NULL: standard MIBs only */
	/* the job-data key (raw X25519 public key) job data is sealed to */
	uint8_t			 jobkey[JOBSEAL_KEY_LEN];
	int			 have_jobkey;
};
struct collectd_conf	*collectd_conf_new(void);
void			 collectd_conf_free(struct collectd_conf *); /* wipes */
const struct collectd_user *collectd_conf_user(const struct collectd_conf *,
			    const char *);
/*
 * The parent's encoder: from the whole configuration, each v3 user's
 * passwords turned into keys here (usm_password_to_key) and wiped after;
 * fatal if libcrypto fails.  collectd_conf_encode() encodes a decoded
 * part again (tests, fuzzing).
 */
void	msg_conf_collectd_encode(struct wbuf *, const struct callhome_conf *);
void	collectd_conf_encode(struct wbuf *, const struct collectd_conf *);
int	msg_conf_collectd_decode(const void *, size_t, struct collectd_conf *);
void	msg_conf_collectd_send(struct imsgev *, const struct callhome_conf *);

/* IMSG_COLLECT_START */
struct msg_collect_start {
	uint64_t	 token;
	char		 reason[64];	/* schedule, manual, instruction, once */
};
void	msg_collect_start_encode(struct wbuf *, const struct msg_collect_start *);
int	msg_collect_start_decode(const void *, size_t, struct msg_collect_start *);
void	msg_collect_start_send(struct imsgev *, const struct msg_collect_start *);

#endif /* CALLHOME_CHAN_PARENT_COLLECTD_H */
