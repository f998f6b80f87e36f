/*
 * Small socket helpers shared by the parent, the children and commsd:
 * non-blocking descriptors, and addresses as people read them.
 */
#ifndef CALLHOME_NET_H
#define CALLHOME_NET_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>

/* O_NONBLOCK on fd; fatal when fcntl fails */
void		 set_nonblock(int);

/* the address alone: "192.0.2.1", "2001:db8::1"; "?" for another family */
const char	*addr_ntop(const struct sockaddr *, char *, size_t);
/* with its port: "192.0.2.1:161", "[2001:db8::1]:161" */
const char	*addr_fmt(const struct sockaddr *, char *, size_t);
/*
 * A configured name and a port: "printer.example:443"; an IPv6 literal
 * in brackets, "[2001:db8::1]:443".  -1 when buf is too small.
 */
int		 hostport_fmt(char *, size_t, const char *, unsigned int);

#endif /* CALLHOME_NET_H */
