/*
 * Package identities on the channels: see pkg.h.  (Instructions and the
 * gateway's state are in state.c: uplinkd, which names packages only,
 * links none of it.)
 */
#include <string.h>

#include "chan/pkg.h"
#include "digest.h"

int
pkg_name_valid(const char *s)
{
	size_t	 i;

	if (s[0] == '\0' || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i == BUNDLE_NAME_MAX)
			return 0;
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	}
	return 1;
}

void
wbuf_pkg_id(struct wbuf *w, const struct pkg_id *p)
{
	wbuf_u8(w, p->kind);
	wbuf_str(w, p->name);
	wbuf_u64(w, p->version);
}

void
rbuf_pkg_id(struct rbuf *r, struct pkg_id *p)
{
	p->kind = rbuf_u8(r);
	rbuf_str(r, p->name, sizeof(p->name));
	p->version = rbuf_u64(r);
	if (!r->err && (p->kind > PKG_SOFTWARE || !pkg_name_valid(p->name) ||
	    p->version == 0 || p->version > BUNDLE_SEQ_MAX))
		r->err = 1;
}
