/*
 * Small socket helpers: see net.h.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "net.h"

void
set_nonblock(int fd)
{
	int	 fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		fatal("fcntl");
}

const char *
addr_ntop(const struct sockaddr *sa, char *buf, size_t len)
{
	const void	*a = NULL;

	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr;
	if (a == NULL || inet_ntop(sa->sa_family, a, buf, len) == NULL)
		(void)strlcpy(buf, "?", len);
	return buf;
}

const char *
addr_fmt(const struct sockaddr *sa, char *buf, size_t len)
{
	char		 a[INET6_ADDRSTRLEN];
	unsigned int	 port = 0;

	if (sa->sa_family == AF_INET)
		port = ntohs(((const struct sockaddr_in *)(const void *)sa)->
		    sin_port);
	else if (sa->sa_family == AF_INET6)
		port = ntohs(((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_port);
	else {
		(void)strlcpy(buf, "?", len);
		return buf;
	}
	(void)addr_ntop(sa, a, sizeof(a));
	if (hostport_fmt(buf, len, a, port) == -1)
		(void)strlcpy(buf, "?", len);
	return buf;
}

int
hostport_fmt(char *buf, size_t len, const char *host, unsigned int port)
{
	int	 n;

	n = snprintf(buf, len, strchr(host, ':') != NULL ? "[%s]:%u" :
	    "%s:%u", host, port);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return 0;
}
