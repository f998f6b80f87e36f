/*
 * Socket addresses on a channel: family, address bytes, port (and the
 * IPv6 scope).  Used by the channels that carry targets.
 */
#ifndef CALLHOME_CHAN_ADDR_H
#define CALLHOME_CHAN_ADDR_H

#include <sys/socket.h>

#include "buf.h"

void	wbuf_addr(struct wbuf *, const struct sockaddr_storage *);
/* a bad family sets the reader's error */
void	rbuf_addr(struct rbuf *, struct sockaddr_storage *, socklen_t *);

#endif /* CALLHOME_CHAN_ADDR_H */
