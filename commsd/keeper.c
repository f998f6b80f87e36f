/*
 * The keeper of a server on PostgreSQL (commsd.c).
 *
 * A server's connection to PostgreSQL is made before its sandbox, which
 * allows no other: when the database restarts, the server answers 503
 * and ends with COMMS_EXIT_DBLOST (server.c).  So on PostgreSQL commsd
 * stays a keeper, as root, that does nothing but fork a server, wait
 * for it, and fork another when one ends with that status; each new
 * server connects again (and forks its own workers' spawner, and reads
 * the key) before entering its sandbox.  The listening sockets are the
 * keeper's, bound once: a gateway that connects between two servers
 * waits in their backlog for the next.
 *
 * While the database cannot be reached, a new server exits at once with
 * the same status, and the keeper waits longer each time (KEEP_WAIT_MIN
 * doubled up to KEEP_WAIT_MAX seconds; back to the least after a server
 * that ran KEEP_RAN_WELL seconds).  The first server's failure to
 * connect ends commsd, as without a keeper: a wrong URI must not loop.
 *
 * The keeper reads nothing from the network or from its servers but
 * their exit status; it holds the configuration (the database URI with
 * its password, if it has one: it is needed to connect again) and the
 * listening sockets.  Its signals are blocked and taken one at a time
 * (sigwaitinfo, sigtimedwait: no handler, no race with the wait):
 * SIGTERM, SIGINT and SIGHUP are passed on to the server, and after
 * SIGTERM or SIGINT the keeper ends with it.  A server dies with its
 * keeper (PR_SET_PDEATHSIG, set again by its sandbox after its
 * credentials change).
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commsd.h"
#include "log.h"

#define KEEP_WAIT_MIN	1	/* seconds before the next server */
#define KEEP_WAIT_MAX	30
#define KEEP_RAN_WELL	60

/* the signals the keeper waits for, blocked: taken by sigtimedwait(2) */
static void
keep_sigset(sigset_t *set)
{
	(void)sigemptyset(set);
	(void)sigaddset(set, SIGTERM);
	(void)sigaddset(set, SIGINT);
	(void)sigaddset(set, SIGHUP);
	(void)sigaddset(set, SIGCHLD);
}

/*
 * Wait for the server's end (pid > 0: its status in *status, 1), or
 * for seconds to pass (pid 0: 0); the signals to end are passed on to
 * the server, and make it return -1 when there is no server to wait for.
 */
static int
keep_wait(pid_t pid, unsigned int seconds, int *ending, int *status)
{
	struct timespec	 ts, now, end;
	sigset_t	 set;
	int		 sig;

	keep_sigset(&set);
	if (clock_gettime(CLOCK_MONOTONIC, &end) == -1)
		fatal("clock_gettime");
	end.tv_sec += (time_t)seconds;
	for (;;) {
		if (pid > 0 && waitpid(pid, status, WNOHANG) == pid)
			return 1;
		if (pid <= 0) {
			/* what is left of the pause, after any signal */
			if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
				fatal("clock_gettime");
			if (now.tv_sec > end.tv_sec || (now.tv_sec ==
			    end.tv_sec && now.tv_nsec >= end.tv_nsec))
				return 0;
			ts.tv_sec = end.tv_sec - now.tv_sec;
			ts.tv_nsec = end.tv_nsec - now.tv_nsec;
			if (ts.tv_nsec < 0) {
				ts.tv_sec--;
				ts.tv_nsec += 1000000000L;
			}
		}
		sig = pid > 0 ? sigwaitinfo(&set, NULL) :
		    sigtimedwait(&set, NULL, &ts);
		if (sig == -1 && errno == EAGAIN)
			return 0;	/* the time has passed */
		if (sig == -1 && errno == EINTR)
			continue;
		if (sig == -1)
			fatal("sigwaitinfo");
		if (sig == SIGCHLD)
			continue;
		if (sig != SIGHUP)
			*ending = 1;
		if (pid > 0)
			(void)kill(pid, sig);
		else if (*ending)
			return -1;
	}
}

int
comms_keeper(void)
{
	unsigned int	 gen, wait = KEEP_WAIT_MIN;
	time_t		 started;
	sigset_t	 set, old;
	pid_t		 pid, keeper = getpid();
	int		 status = 0, ending = 0;

	keep_sigset(&set);
	if (sigprocmask(SIG_BLOCK, &set, &old) == -1)
		fatal("sigprocmask");
	for (gen = 0;; gen++) {
		switch ((pid = fork())) {
		case -1:
			fatal("fork");
		case 0:
			if (sigprocmask(SIG_SETMASK, &old, NULL) == -1)
				fatal("sigprocmask");
			/* again once its credentials change (its sandbox) */
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
				fatal("prctl PR_SET_PDEATHSIG");
			if (getppid() != keeper)
				_exit(1);	/* it is gone already */
			return gen > 0;
		}
		started = time(NULL);
		(void)keep_wait(pid, 0, &ending, &status);
		if (ending || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != COMMS_EXIT_DBLOST)
			break;
		if (time(NULL) - started >= KEEP_RAN_WELL)
			wait = KEEP_WAIT_MIN;
		log_warnx("server %d: the database is lost: another in %u s",
		    (int)pid, wait);
		if (keep_wait(0, wait, &ending, &status) == -1)
			exit(0);
		if (wait < KEEP_WAIT_MAX)
			wait = wait * 2 > KEEP_WAIT_MAX ? KEEP_WAIT_MAX :
			    wait * 2;
	}
	if (WIFSIGNALED(status)) {
		log_warnx("server %d: killed by signal %d", (int)pid,
		    WTERMSIG(status));
		exit(1);
	}
	exit(WEXITSTATUS(status));
}
