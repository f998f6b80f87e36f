/*
 * Reading a whole small file into memory: the configuration and its
 * includes, profiles, keys, certificates and schemas.
 */
#ifndef CALLHOME_FILE_H
#define CALLHOME_FILE_H

#include <sys/types.h>
#include <sys/stat.h>
#include <stddef.h>

/* file_read() flags */
#define FILE_FOLLOW	0x01	/* a symbolic link: follow, not refuse */
#define FILE_ROOT	0x02	/* root's, group and others cannot write */
#define FILE_SECRET	0x04	/* wipe every copy of the bytes freed */

/* why file_read() failed */
enum file_error {
	FILE_OK,
	FILE_EOPEN,		/* open or fstat failed: errno says why */
	FILE_EREAD,		/* read failed: errno says why */
	FILE_ELINK,		/* a symbolic link, without FILE_FOLLOW */
	FILE_ENOTREG,		/* not a regular file */
	FILE_EOWNER,		/* FILE_ROOT: not owned by root */
	FILE_EMODE,		/* FILE_ROOT: writable by group or others */
	FILE_EBIG		/* more than max bytes */
};

/*
 * The whole regular file at path, of at most max bytes (max < SIZE_MAX),
 * in a fresh buffer with a NUL after its *lenp bytes; st (unless NULL)
 * gets its fstat().  Never blocks on a FIFO, never becomes a controlling
 * terminal.  On failure NULL, *error (unless NULL) set and, for
 * FILE_EOPEN and FILE_EREAD, errno kept; fatal when out of memory.
 */
void		*file_read(const char *path, size_t max, int flags,
		    size_t *lenp, struct stat *st, int *error);
/* the reason for a file_read() error, strerror(errno) for those of errno */
const char	*file_strerror(int error);
/*
 * A configuration file or one it includes (callhome.conf, commsd.conf):
 * followed if a link, wiped when freed and, when permcheck, root's and
 * not writable by group or others.  NULL with *why the reason.
 */
char		*file_read_conf(const char *path, size_t max, int permcheck,
		    size_t *lenp, struct stat *st, const char **why);

#endif /* CALLHOME_FILE_H */
