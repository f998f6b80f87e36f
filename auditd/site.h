/*
 * Site information ("send site-info yes"): the gateway's own facts as a
 * managed-print provider's agent reports them, gathered by auditd when a
 * cycle is stored and kept with it (table site_info), so that its
 * documents carry them (ch:SiteInfo) and a rebuilt document is the same.
 *
 * auditd gathers them because it may inside its sandbox: the database
 * and the state directory's file system are its own, the kernel's names
 * (uname), memory (sysinfo) and the processors it may run on
 * (sched_getaffinity) are system calls that read no file and reach no
 * network; the parent, which may not write a file, gives only the time
 * zone's name.  No address is gathered at all (auditd lives in an empty
 * network namespace); the host name only with "send pii yes".
 */
#ifndef CALLHOME_SITE_H
#define CALLHOME_SITE_H

#include <stdint.h>

#include <sqlite3.h>

/*
 * Gather and store the facts of cycle `cycle' inside its transaction;
 * pii: the host name too.  -1 on a database error, with a reason in err.
 */
int	site_info_store(sqlite3 *, int64_t cycle, const char *tzname, int pii,
	    char *err, size_t errlen);

#endif /* CALLHOME_SITE_H */
