/*
 * The channel between callhomed and signerd.
 *
 *	parent -> signerd	SANDBOX, PING (lifecycle.h)
 *				CONF_SIGNERD	the trusted public keys, as the
 *						contents of the trust files
 *	signerd -> parent	READY, PONG (lifecycle.h)
 */
#ifndef CALLHOME_CHAN_PARENT_SIGNERD_H
#define CALLHOME_CHAN_PARENT_SIGNERD_H

#include "chan/lifecycle.h"

extern const struct chan_def	chan_parent_signerd;

/* IMSG_CONF_SIGNERD: public keys as the files' contents */
#define SIGNER_KEYFILE_MAX	4096
struct signer_conf {
	uint8_t		 instr_key[SIGNER_KEYFILE_MAX];
	size_t		 instr_keylen;
	uint8_t		 pkg_key[SIGNER_KEYFILE_MAX];
	size_t		 pkg_keylen;
};
void	msg_conf_signerd_encode(struct wbuf *, const struct signer_conf *);
int	msg_conf_signerd_decode(const void *, size_t, struct signer_conf *);
void	msg_conf_signerd_send(struct imsgev *, const struct signer_conf *);

#endif /* CALLHOME_CHAN_PARENT_SIGNERD_H */
