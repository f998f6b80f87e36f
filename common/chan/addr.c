/*
 * Socket addresses on a channel: see addr.h.
 */
#include <netinet/in.h>

#include <string.h>

#include "chan/addr.h"
#include "log.h"

void
wbuf_addr(struct wbuf *w, const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET) {
		wbuf_u8(w, 4);
		wbuf_bytes(w, &sin->sin_addr, 4);
		wbuf_u16(w, ntohs(sin->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		wbuf_u8(w, 6);
		wbuf_bytes(w, &sin6->sin6_addr, 16);
		wbuf_u16(w, ntohs(sin6->sin6_port));
		wbuf_u32(w, sin6->sin6_scope_id);
	} else
		fatalx("wbuf_addr: address family %d", ss->ss_family);
}

void
rbuf_addr(struct rbuf *r, struct sockaddr_storage *ss, socklen_t *slen)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	const uint8_t		*a;
	uint8_t			 fam;

	memset(ss, 0, sizeof(*ss));
	*slen = 0;
	fam = rbuf_u8(r);
	if (fam == 4) {
		if ((a = rbuf_bytes(r, 4)) == NULL)
			return;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a, 4);
		sin->sin_port = htons(rbuf_u16(r));
		*slen = sizeof(*sin);
	} else if (fam == 6) {
		if ((a = rbuf_bytes(r, 16)) == NULL)
			return;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, a, 16);
		sin6->sin6_port = htons(rbuf_u16(r));
		sin6->sin6_scope_id = rbuf_u32(r);
		*slen = sizeof(*sin6);
	} else
		r->err = 1;
}
