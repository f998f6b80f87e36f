/*
 * The channel from uplinkd to signerd: what the server sent, untouched
 * (uplinkd does not read it), for signerd to verify.
 *
 *	uplinkd -> signerd	BUNDLE		one signed instruction bundle
 *						of a check-in answer
 *				PACKAGE		a fetched package file and its
 *						detached signature
 *				FETCH_FAILED	why a fetch got nothing to
 *						verify (size-exceeded, timeout,
 *						an HTTP or TLS failure)
 *
 * signerd sends nothing back.
 */
#ifndef CALLHOME_CHAN_UPLINKD_SIGNERD_H
#define CALLHOME_CHAN_UPLINKD_SIGNERD_H

#include "chan.h"
#include "chan/pkg.h"
#include "imsgev.h"

extern const struct chan_def	chan_uplinkd_signerd;

/* IMSG_BUNDLE: the bundle file's bytes */
struct msg_bundle {
	const uint8_t	*data;		/* decode: a view into the message */
	size_t		 len;
};
void	msg_bundle_encode(struct wbuf *, const struct msg_bundle *);
int	msg_bundle_decode(const void *, size_t, struct msg_bundle *);
void	msg_bundle_send(struct imsgev *, const struct msg_bundle *);

/* IMSG_PACKAGE */
struct msg_package {
	struct pkg_id	 id;
	const uint8_t	*file;		/* decode: views */
	size_t		 filelen;
	const uint8_t	*sig;
	size_t		 siglen;
};
void	msg_package_encode(struct wbuf *, const struct msg_package *);
int	msg_package_decode(const void *, size_t, struct msg_package *);
void	msg_package_send(struct imsgev *, const struct msg_package *);

/* IMSG_FETCH_FAILED */
struct msg_fetch_failed {
	struct pkg_id	 id;
	char		 reason[32];	/* size-exceeded, timeout or fetch-failed */
	char		 error[256];
};
void	msg_fetch_failed_encode(struct wbuf *, const struct msg_fetch_failed *);
int	msg_fetch_failed_decode(const void *, size_t,
	    struct msg_fetch_failed *);
void	msg_fetch_failed_send(struct imsgev *, const struct msg_fetch_failed *);

#endif /* CALLHOME_CHAN_UPLINKD_SIGNERD_H */
