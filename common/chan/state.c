/*
 * One instruction of a bundle and the gateway's state on the channels:
 * see pkg.h.
 */
#include <string.h>

#include "chan/pkg.h"
#include "digest.h"

void
wbuf_bundle_item(struct wbuf *w, const struct bundle_item *it)
{
	wbuf_u8(w, it->kind);
	switch (it->kind) {
	case BI_SCHEDULE_DAILY:
		wbuf_u32(w, (uint32_t)it->u.minute);
		break;
	case BI_CHECKIN_EVERY:
		wbuf_u32(w, it->u.seconds);
		break;
	case BI_PACKAGE:
		wbuf_u8(w, it->u.pkg.kind);
		wbuf_str(w, it->u.pkg.name);
		wbuf_u64(w, it->u.pkg.version);
		wbuf_str(w, it->u.pkg.sha256);
		wbuf_u64(w, it->u.pkg.size);
		break;
	default:
		break;
	}
}

void
rbuf_bundle_item(struct rbuf *r, struct bundle_item *it)
{
	struct bundle_package	*p = &it->u.pkg;
	uint32_t		 v;

	memset(it, 0, sizeof(*it));
	it->kind = rbuf_u8(r);
	switch (it->kind) {
	case BI_COLLECT_NOW:
	case BI_UPLOAD_NOW:
		break;
	case BI_SCHEDULE_DAILY:
		if ((v = rbuf_u32(r)) >= 24 * 60)
			r->err = 1;
		it->u.minute = (int)v;
		break;
	case BI_CHECKIN_EVERY:
		it->u.seconds = rbuf_u32(r);
		if (it->u.seconds < BUNDLE_CHECKIN_MIN ||
		    it->u.seconds > BUNDLE_CHECKIN_MAX)
			r->err = 1;
		break;
	case BI_PACKAGE:
		p->kind = rbuf_u8(r);
		rbuf_str(r, p->name, sizeof(p->name));
		p->version = rbuf_u64(r);
		rbuf_str(r, p->sha256, sizeof(p->sha256));
		p->size = rbuf_u64(r);
		if (!r->err && (p->kind > PKG_SOFTWARE ||
		    !pkg_name_valid(p->name) || p->version == 0 ||
		    p->version > BUNDLE_SEQ_MAX || !valid_hex64(p->sha256) ||
		    p->size == 0 || p->size > BUNDLE_PKG_SIZE_MAX))
			r->err = 1;
		break;
	default:
		r->err = 1;
	}
}

void
wbuf_gw_state(struct wbuf *w, const struct gw_state *s)
{
	uint32_t	 i;

	wbuf_u64(w, s->last_seq);
	wbuf_u32(w, (uint32_t)s->sched_minute);
	wbuf_u32(w, s->checkin_every);
	wbuf_u32(w, s->npkgs);
	for (i = 0; i < s->npkgs && i < PKG_STATE_MAX; i++)
		wbuf_pkg_id(w, &s->pkgs[i]);
}

void
rbuf_gw_state(struct rbuf *r, struct gw_state *s)
{
	uint32_t	 i;

	memset(s, 0, sizeof(*s));
	s->last_seq = rbuf_u64(r);
	s->sched_minute = (int32_t)rbuf_u32(r);
	s->checkin_every = rbuf_u32(r);
	if ((s->npkgs = rbuf_u32(r)) > PKG_STATE_MAX ||
	    s->last_seq > BUNDLE_SEQ_MAX || s->sched_minute < -1 ||
	    s->sched_minute >= 24 * 60 || (s->checkin_every != 0 &&
	    (s->checkin_every < BUNDLE_CHECKIN_MIN ||
	    s->checkin_every > BUNDLE_CHECKIN_MAX))) {
		r->err = 1;
		s->npkgs = 0;
	}
	for (i = 0; i < s->npkgs && !r->err; i++)
		rbuf_pkg_id(r, &s->pkgs[i]);
}
