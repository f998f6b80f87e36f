/*
 * What several channels say about check-in and packages, encoded one way
 * everywhere: a package's identity, one instruction of a bundle, and the
 * gateway's state that auditd keeps (the last accepted sequence, the
 * schedule and check-in interval instructions set, the packages
 * installed).
 */
#ifndef CALLHOME_CHAN_PKG_H
#define CALLHOME_CHAN_PKG_H

#include <stdint.h>

#include "buf.h"
#include "bundle.h"

#define PKG_STATE_MAX	64	/* packages a state names */
#define PKG_SIG_MAX	2048	/* a detached signature file */
/* auditd's package store, in the state directory (the parent makes it) */
#define PKG_DIR		"packages"

struct pkg_id {
	uint8_t		 kind;			/* enum package_kind */
	char		 name[BUNDLE_NAME_MAX + 1];
	uint64_t	 version;
};

struct gw_state {
	uint64_t	 last_seq;	/* 0: none accepted yet */
	int32_t		 sched_minute;	/* set by an instruction; -1: none */
	uint32_t	 checkin_every;	/* seconds, by an instruction; 0 */
	uint32_t	 npkgs;
	struct pkg_id	 pkgs[PKG_STATE_MAX];	/* the latest of each name */
};

/* [A-Za-z0-9._-], 1 to BUNDLE_NAME_MAX, not starting with '.' or '-' */
int	pkg_name_valid(const char *);

void	wbuf_pkg_id(struct wbuf *, const struct pkg_id *);
void	rbuf_pkg_id(struct rbuf *, struct pkg_id *);	/* errors: r->err */
void	wbuf_bundle_item(struct wbuf *, const struct bundle_item *);
void	rbuf_bundle_item(struct rbuf *, struct bundle_item *);
void	wbuf_gw_state(struct wbuf *, const struct gw_state *);
void	rbuf_gw_state(struct rbuf *, struct gw_state *);

#endif /* CALLHOME_CHAN_PKG_H */
