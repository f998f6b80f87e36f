/*
 * common/net.c: addresses as people read them, and host:port with an
 * IPv6 literal in brackets (CONNECT and Host need them).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "net.h"
#include "test.h"

TEST(v4_with_port)
{
	struct sockaddr_in	 sin;
	char			 buf[64];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(161);
	CHECK(inet_pton(AF_INET, "192.0.2.7", &sin.sin_addr) == 1);
	CHECK_STR(addr_fmt((struct sockaddr *)&sin, buf, sizeof(buf)),
	    "192.0.2.7:161");
	CHECK_STR(addr_ntop((struct sockaddr *)&sin, buf, sizeof(buf)),
	    "192.0.2.7");
}

TEST(v6_with_port)
{
	struct sockaddr_in6	 sin6;
	char			 buf[64];

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(8443);
	CHECK(inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr) == 1);
	CHECK_STR(addr_fmt((struct sockaddr *)&sin6, buf, sizeof(buf)),
	    "[2001:db8::1]:8443");
	CHECK_STR(addr_ntop((struct sockaddr *)&sin6, buf, sizeof(buf)),
	    "2001:db8::1");
}

TEST(other_family_and_short_buffers)
{
	struct sockaddr_in6	 sin6;
	struct sockaddr		 sa;
	char			 buf[64], small[8];

	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	CHECK_STR(addr_fmt(&sa, buf, sizeof(buf)), "?");
	CHECK_STR(addr_ntop(&sa, buf, sizeof(buf)), "?");
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(161);
	CHECK(inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr) == 1);
	/* never a cut address: "?" instead */
	CHECK_STR(addr_fmt((struct sockaddr *)&sin6, small, sizeof(small)),
	    "?");
	CHECK_STR(addr_ntop((struct sockaddr *)&sin6, small, sizeof(small)),
	    "?");
}

TEST(hostport)
{
	char	 buf[32], small[10];

	CHECK(hostport_fmt(buf, sizeof(buf), "printer.example", 443) == 0);
	CHECK_STR(buf, "printer.example:443");
	CHECK(hostport_fmt(buf, sizeof(buf), "::1", 8443) == 0);
	CHECK_STR(buf, "[::1]:8443");
	CHECK(hostport_fmt(buf, sizeof(buf), "10.0.0.1", 65535) == 0);
	CHECK_STR(buf, "10.0.0.1:65535");
	/* exactly full: "[::1]:443" is 9 bytes and its NUL */
	CHECK(hostport_fmt(small, sizeof(small), "::1", 443) == 0);
	CHECK_STR(small, "[::1]:443");
	CHECK(hostport_fmt(small, sizeof(small), "::1", 4430) == -1);
	CHECK(hostport_fmt(small, sizeof(small), "a-long-name", 1) == -1);
}

TEST(nonblock)
{
	int	 p[2];

	CHECK(pipe(p) == 0);
	CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) == 0);
	set_nonblock(p[0]);
	CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
	CHECK((fcntl(p[1], F_GETFL) & O_NONBLOCK) == 0);
	close(p[0]);
	close(p[1]);
}

TEST_MAIN_BEGIN("test_net")
	log_init("test_net", LOG_TO_STDERR, 0);
	RUN(v4_with_port);
	RUN(v6_with_port);
	RUN(other_family_and_short_buffers);
	RUN(hostport);
	RUN(nonblock);
TEST_MAIN_END
