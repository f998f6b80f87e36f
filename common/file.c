/*
 * Reading a whole small file: see file.h.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "log.h"

static const char *const file_errors[] = {
	[FILE_OK] =		"no error",
	[FILE_EOPEN] =		NULL,		/* errno */
	[FILE_EREAD] =		NULL,		/* errno */
	[FILE_ELINK] =		"refusing a symbolic link",
	[FILE_ENOTREG] =	"not a regular file",
	[FILE_EOWNER] =		"not owned by root",
	[FILE_EMODE] =		"writable by group or others",
	[FILE_EBIG] =		"file too large",
};

static int
file_open(const char *path, int flags, int *fdp)
{
	int	 oflags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;

	if (!(flags & FILE_FOLLOW))
		oflags |= O_NOFOLLOW;
	if ((*fdp = open(path, oflags)) != -1)
		return FILE_OK;
	/* O_NOFOLLOW and a link at the end of the path */
	if (errno == ELOOP && !(flags & FILE_FOLLOW))
		return FILE_ELINK;
	return FILE_EOPEN;
}

static int
file_check(const struct stat *st, size_t max, int flags)
{
	if (!S_ISREG(st->st_mode))
		return FILE_ENOTREG;
	if ((flags & FILE_ROOT) && st->st_uid != 0)
		return FILE_EOWNER;
	if ((flags & FILE_ROOT) && (st->st_mode & (S_IWGRP | S_IWOTH)))
		return FILE_EMODE;
	if (st->st_size < 0 || (uintmax_t)st->st_size > max)
		return FILE_EBIG;
	return FILE_OK;
}

static void
file_free(char *buf, size_t len, int secret)
{
	if (secret)
		explicit_bzero(buf, len);
	free(buf);
}

/* a copy of len bytes in cap; no realloc(), which could leave a copy */
static char *
file_grow(char *buf, size_t len, size_t cap, int secret)
{
	char	*nbuf;

	if ((nbuf = malloc(cap)) == NULL)
		fatal("%s", __func__);
	memcpy(nbuf, buf, len);
	file_free(buf, len, secret);
	return nbuf;
}

/*
 * fd to its end, at most max bytes, in a buffer first of hint + 1 bytes
 * (the size fstat() gave: the file may have changed since).  cap never
 * exceeds max + 1, so that a buffer full at that size is one byte too
 * many, and a read that ends below cap leaves room for the NUL.
 */
static int
file_read_fd(int fd, size_t max, size_t hint, int secret, char **bufp,
    size_t *lenp)
{
	char	*buf;
	size_t	 len = 0, cap = hint + 1, ncap;
	ssize_t	 n;
	int	 saved;

	if ((buf = malloc(cap)) == NULL)
		fatal("%s", __func__);
	for (;;) {
		if (len == cap) {
			if (cap > max) {
				file_free(buf, len, secret);
				return FILE_EBIG;
			}
			ncap = cap > max / 2 ? max + 1 : cap * 2;
			buf = file_grow(buf, len, ncap, secret);
			cap = ncap;
		}
		if ((n = read(fd, buf + len, cap - len)) == -1) {
			if (errno == EINTR)
				continue;
			saved = errno;
			file_free(buf, len, secret);
			errno = saved;
			return FILE_EREAD;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return FILE_OK;
}

void *
file_read(const char *path, size_t max, int flags, size_t *lenp,
    struct stat *stp, int *errorp)
{
	struct stat	 st;
	char		*buf = NULL;
	int		 fd, error, saved;

	*lenp = 0;
	if ((error = file_open(path, flags, &fd)) != FILE_OK)
		goto done;
	if (fstat(fd, &st) == -1)
		error = FILE_EOPEN;
	else if ((error = file_check(&st, max, flags)) == FILE_OK)
		error = file_read_fd(fd, max, (size_t)st.st_size,
		    flags & FILE_SECRET, &buf, lenp);
	saved = errno;
	close(fd);
	errno = saved;
	if (error == FILE_OK && stp != NULL)
		*stp = st;
 done:
	if (errorp != NULL)
		*errorp = error;
	return buf;
}

const char *
file_strerror(int error)
{
	if (error < 0 || (size_t)error >= sizeof(file_errors) /
	    sizeof(file_errors[0]))
		return "unknown error";
	if (file_errors[error] == NULL)
		return strerror(errno);
	return file_errors[error];
}

char *
file_read_conf(const char *path, size_t max, int permcheck, size_t *lenp,
    struct stat *st, const char **why)
{
	char	*data;
	int	 error;

	if ((data = file_read(path, max, FILE_FOLLOW | FILE_SECRET |
	    (permcheck ? FILE_ROOT : 0), lenp, st, &error)) != NULL)
		return data;
	if (error == FILE_EOWNER || error == FILE_EMODE)
		*why = "must be owned by root and not writable by group or "
		    "others";
	else
		*why = file_strerror(error);
	return NULL;
}
