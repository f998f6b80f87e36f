/*
 * The channel from signerd to auditd: verdicts, for the log (and the
 * last accepted sequence, which auditd keeps), and verified packages to
 * install.
 *
 *	signerd -> auditd	VERDICT		a bundle accepted, or what was
 *						refused and why (its reason word)
 *				PACKAGE_STORE	a package whose signature, hash,
 *						size and version checked out
 *
 * auditd sends nothing back.
 */
#ifndef CALLHOME_CHAN_SIGNERD_AUDITD_H
#define CALLHOME_CHAN_SIGNERD_AUDITD_H

#include "chan.h"
#include "chan/pkg.h"
#include "digest.h"
#include "imsgev.h"

extern const struct chan_def	chan_signerd_auditd;

/* IMSG_VERDICT */
#define VERDICT_BUNDLE	0
#define VERDICT_PACKAGE	1
struct msg_verdict {
	uint8_t		 what;		/* VERDICT_BUNDLE or _PACKAGE */
	uint8_t		 ok;
	char		 reason[32];	/* "ok", "bad-signature", ... */
	uint64_t	 sequence;	/* a bundle's, when read */
	struct pkg_id	 pkg;		/* a package's (what = PACKAGE) */
	char		 sha256[SHA256_HEX];	/* of what was verified */
	char		 error[256];	/* for people */
};
void	msg_verdict_encode(struct wbuf *, const struct msg_verdict *);
int	msg_verdict_decode(const void *, size_t, struct msg_verdict *);
void	msg_verdict_send(struct imsgev *, const struct msg_verdict *);

/* IMSG_PACKAGE_STORE */
struct msg_package_store {
	struct pkg_id	 id;
	char		 sha256[SHA256_HEX];
	const uint8_t	*file;		/* decode: a view */
	size_t		 filelen;
};
void	msg_package_store_encode(struct wbuf *,
	    const struct msg_package_store *);
int	msg_package_store_decode(const void *, size_t,
	    struct msg_package_store *);
void	msg_package_store_send(struct imsgev *,
	    const struct msg_package_store *);

#endif /* CALLHOME_CHAN_SIGNERD_AUDITD_H */
