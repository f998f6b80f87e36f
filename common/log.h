/*
 * Logging: stderr in the foreground, syslog otherwise, one prefix per
 * process.  Children always write to stderr: callhomed hands them either
 * its own stderr (-d) or a pipe that it relays to syslog, so a sandboxed
 * child never needs a syslog socket.
 */
#ifndef CALLHOME_LOG_H
#define CALLHOME_LOG_H

#include <stdarg.h>

#ifndef __dead
#define __dead		__attribute__((__noreturn__))
#endif

#define LOG_TO_STDERR	0
#define LOG_TO_SYSLOG	1

void	log_init(const char *procname, int dest, int verbose);
void	log_setverbose(int);
void	log_warn(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	logit(int, const char *, ...) __attribute__((__format__(printf, 2, 3)));
void	vlog(int, const char *, va_list) __attribute__((__format__(printf, 2, 0)));
__dead void fatal(const char *, ...) __attribute__((__format__(printf, 1, 2)));
__dead void fatalx(const char *, ...) __attribute__((__format__(printf, 1, 2)));

#endif /* CALLHOME_LOG_H */
