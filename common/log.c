#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char	*log_name = "callhome";
static int		 log_dest = LOG_TO_STDERR;
static int		 log_verbose;

void
log_init(const char *procname, int dest, int verbose)
{
	log_name = procname;
	log_dest = dest;
	log_verbose = verbose;
	if (dest == LOG_TO_SYSLOG)
		openlog(procname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}


void
log_setverbose(int v)
{
	log_verbose = v;
}


void
vlog(int pri, const char *fmt, va_list ap)
{
	char	 line[2048];
	int	 saved = errno;

	if (pri == LOG_DEBUG && log_verbose < 1)
		return;
	if (vsnprintf(line, sizeof(line), fmt, ap) < 0)
		(void)strlcpy(line, "(unprintable log message)", sizeof(line));
	if (log_dest == LOG_TO_SYSLOG)
		syslog(pri, "%s", line);
	else {
		/* one write(2): lines of concurrent processes do not mix */
		char	 out[2200];
		int	 n;

		n = snprintf(out, sizeof(out), "%s: %s\n", log_name, line);
		if (n < 0)
			n = 0;
		if ((size_t)n >= sizeof(out)) {
			n = sizeof(out) - 1;
			out[n - 1] = '\n';
		}
		if (write(STDERR_FILENO, out, n) == -1)
			errno = saved;	/* nowhere left to report it */
	}
	errno = saved;
}

void
logit(int pri, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

static void vwarn_errno(int, const char *, va_list)
    __attribute__((__format__(printf, 2, 0)));
static __dead void vfatal(int, const char *, va_list)
    __attribute__((__format__(printf, 2, 0)));

static void
vwarn_errno(int pri, const char *fmt, va_list ap)
{
	char	 msg[1024];
	int	 saved = errno;

	if (fmt == NULL) {
		logit(pri, "%s", strerror(saved));
		return;
	}
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	logit(pri, "%s: %s", msg, strerror(saved));
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vwarn_errno(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

static __dead void
vfatal(int with_errno, const char *fmt, va_list ap)
{
	char	 msg[1024];
	int	 saved = errno;

	if (fmt == NULL) {
		/* fatal(NULL): the error alone */
		logit(LOG_CRIT, "fatal: %s", strerror(saved));
		exit(1);
	}
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	if (with_errno)
		logit(LOG_CRIT, "fatal: %s: %s", msg, strerror(saved));
	else
		logit(LOG_CRIT, "fatal: %s", msg);
	exit(1);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vfatal(1, fmt, ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vfatal(0, fmt, ap);
}
