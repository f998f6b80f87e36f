/*
 * The channel between callhomed and signerd.
 *
 *	parent -> signerd	SANDBOX, PING (lifecycle.h)
 *				CONF_SIGNERD	the gateway's name and the
 *						trusted public keys, as the
 *						contents of the trust files
 *				SIGNER_STATE	the last accepted sequence and
 *						the installed packages, as
 *						auditd keeps them
 *	signerd -> parent	READY, PONG (lifecycle.h)
 *				INSTRUCTIONS	a verified bundle's sequence
 *						and instructions, for the
 *						customer's policy
 */
#ifndef CALLHOME_CHAN_PARENT_SIGNERD_H
#define CALLHOME_CHAN_PARENT_SIGNERD_H

#include "chan/lifecycle.h"
#include "chan/pkg.h"
#include "signify.h"

extern const struct chan_def	chan_parent_signerd;

/* IMSG_CONF_SIGNERD: the trust files as they are */
#define SIGNER_KEYFILE_MAX	SIGNIFY_KEYFILE_MAX
struct signer_conf {
	char		 gateway[BUNDLE_GATEWAY_MAX + 1];
	uint8_t		 instr_key[SIGNER_KEYFILE_MAX];
	size_t		 instr_keylen;
	uint8_t		 pkg_key[SIGNER_KEYFILE_MAX];
	size_t		 pkg_keylen;
};
void	msg_conf_signerd_encode(struct wbuf *, const struct signer_conf *);
int	msg_conf_signerd_decode(const void *, size_t, struct signer_conf *);
void	msg_conf_signerd_send(struct imsgev *, const struct signer_conf *);

/* IMSG_SIGNER_STATE: struct gw_state (chan/pkg.h) */
void	msg_signer_state_encode(struct wbuf *, const struct gw_state *);
int	msg_signer_state_decode(const void *, size_t, struct gw_state *);
void	msg_signer_state_send(struct imsgev *, const struct gw_state *);

/* IMSG_INSTRUCTIONS */
struct msg_instructions {
	uint64_t		 sequence;
	int64_t			 issued;
	int64_t			 expires;
	uint32_t		 nitems;
	struct bundle_item	 items[BUNDLE_MAX_ITEMS];
};
void	msg_instructions_encode(struct wbuf *, const struct msg_instructions *);
int	msg_instructions_decode(const void *, size_t, struct msg_instructions *);
void	msg_instructions_send(struct imsgev *, const struct msg_instructions *);

#endif /* CALLHOME_CHAN_PARENT_SIGNERD_H */
