/*
 * The workers' spawner, started (see worker.h): commsd forks, and the
 * child execs commsd-check (commsd-check/commsd-check.c), the program
 * of the spawner and its workers, with the channel on descriptor 3 and
 * its parameters on 4: a memory file holding a struct
 * comms_check_params and the schema.  This happens before the server's
 * key is read, and exec leaves nothing of commsd's memory behind.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commsd.h"
#include "log.h"
#include "worker.h"

#ifndef COMMS_CHECKER
#error "COMMS_CHECKER: the path of commsd-check, from the Makefile"
#endif

int
comms_result_head_check(const struct comms_result_head *h, size_t doclen)
{
	if (h->magic != COMMS_RESULT_MAGIC ||
	    h->reasonlen >= COMMS_REASON_MAX)
		return -1;
	if (h->status == 0)
		return h->reasonlen == 0 && h->extractlen > 0 &&
		    h->extractlen <= doclen ? 0 : -1;
	if (h->status != 400 && h->status != 413 && h->status != 500)
		return -1;
	return h->extractlen == 0 ? 0 : -1;
}

/* the parameters of commsd-check, in a memory file at its start */
static int
check_params(const struct comms_spawn_params *p)
{
	struct comms_check_params	 cp;
	int				 fd;

	memset(&cp, 0, sizeof(cp));
	cp.magic = COMMS_CHECK_MAGIC;
	if (p->xsdlen == 0 || p->xsdlen > COMMS_MAX_FILE)
		fatalx("%s: a schema of %zu bytes", __func__, p->xsdlen);
	cp.xsdlen = (uint32_t)p->xsdlen;
	cp.limits = p->limits;
	cp.cpu_seconds = p->cpu_seconds;
	cp.max_memory = p->max_memory;
	cp.max_workers = p->max_workers;
	cp.uid = (uint32_t)p->uid;
	cp.gid = (uint32_t)p->gid;
	cp.quiet = p->quiet != 0;
	if (strlcpy(cp.root, p->root, sizeof(cp.root)) >= sizeof(cp.root))
		fatalx("%s: %s: too long", __func__, p->root);
	if ((fd = memfd_create("commsd-check", MFD_CLOEXEC)) == -1)
		fatal("memfd_create");
	if (comms_write_full(fd, &cp, sizeof(cp)) == -1 ||
	    comms_write_full(fd, p->xsd, p->xsdlen) == -1 ||
	    lseek(fd, 0, SEEK_SET) == -1)
		fatal("the parameters of commsd-check");
	return fd;
}

static char *const empty_env[] = { NULL };

int
comms_spawner_start(const struct comms_spawn_params *p)
{
	int	 pair[2], params;

	if (p->max_workers == 0 || p->max_workers > COMMS_MAX_WORKERS)
		fatalx("%s: %u workers", __func__, p->max_workers);
	/* the server's end never blocks; the spawner's does */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, pair) == -1)
		fatal("socketpair");
	params = check_params(p);
	switch (fork()) {
	case -1:
		fatal("fork");
	case 0:
		break;
	default:
		close(pair[1]);
		close(params);
		return pair[0];
	}
	/* dup2() clears close-on-exec on the copies; all else is closed */
	if (dup2(pair[1], COMMS_CHECK_CHAN_FD) == -1 ||
	    dup2(params, COMMS_CHECK_PARAMS_FD) == -1)
		fatal("dup2");
	closefrom(COMMS_CHECK_PARAMS_FD + 1);
	/* no environment: nothing of the caller's reaches libxml2 */
	execle(COMMS_CHECKER, "commsd-check", (char *)NULL, empty_env);
	log_warn("exec %s", COMMS_CHECKER);
	_exit(127);
}
