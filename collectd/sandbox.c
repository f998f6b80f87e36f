/*
 * collectd's sandbox: SNMP over UDP to the customer network, nothing else.
 * Stays in the host's network namespace (it must reach the printers) but
 * may create only UDP sockets; no files, no TCP (seccomp and Landlock).
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <fcntl.h>

#include "sandbox.h"

static const struct sb_syscall collectd_syscalls[] = {
	SB_BASE_SYSCALLS,
	/* UDP sockets for SNMP, IPv4 and IPv6 only */
	SB_ALLOW_ARG2(socket, 0, AF_INET, 1, SOCK_DGRAM,
	    SOCK_NONBLOCK | SOCK_CLOEXEC),
	SB_ALLOW_ARG2(socket, 0, AF_INET6, 1, SOCK_DGRAM,
	    SOCK_NONBLOCK | SOCK_CLOEXEC),
	/* requests one by one, answers in batches (the sockets were sized
	 * before the sandbox) */
	SB_ALLOW(sendto), SB_ALLOW(recvmmsg),
};

const struct sandbox collectd_sandbox = {
	.name = "collectd",
	.new_netns = 0,
	.die_with_parent = 1,
	.paths = NULL,
	.npaths = 0,
	.deny_tcp = 1,
	.scope_signals = 1,
	.max_files = 64,
	.allow_file_growth = 0,
	.syscalls = collectd_syscalls,
	.nsyscalls = sizeof(collectd_syscalls) / sizeof(collectd_syscalls[0]),
};
