/*
 * common/file.c: a whole small file into memory, with its bound, its
 * refusals (missing, directory, FIFO, link, owner, mode, too big) and
 * the configuration files' wording.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "test.h"

#define FMT(b, n, ...) do {						\
	if (snprintf((b), (n), __VA_ARGS__) >= (int)(n))		\
		abort();						\
} while (0)

static char	 tmpdir[64];

static const char *
tpath(const char *name)
{
	static char	 path[PATH_MAX];

	FMT(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

/* name in tmpdir with len bytes of 'x', mode; 0 or -1 */
static int
put(const char *name, size_t len, mode_t mode)
{
	char	*b;
	int	 fd, r = 0;

	if ((b = malloc(len + 1)) == NULL)
		abort();
	memset(b, 'x', len);
	(void)unlink(tpath(name));
	if ((fd = open(tpath(name), O_WRONLY | O_CREAT | O_TRUNC, mode)) ==
	    -1 || write(fd, b, len) != (ssize_t)len || fchmod(fd, mode) == -1)
		r = -1;
	if (fd != -1)
		close(fd);
	free(b);
	return r;
}

/* what file_read() makes of name: FILE_OK (the bytes freed) or why not */
static int
verdict(const char *name, size_t max, int flags)
{
	char	*b;
	size_t	 len;
	int	 error;

	if ((b = file_read(tpath(name), max, flags, &len, NULL,
	    &error)) == NULL)
		return error;
	free(b);
	return FILE_OK;
}

TEST(regular_and_bounds)
{
	struct stat	 st;
	char		*b;
	size_t		 len;
	int		 error;

	/* empty: a buffer holding its NUL */
	CHECK(put("empty", 0, 0644) == 0);
	CHECK((b = file_read(tpath("empty"), 16, 0, &len, &st, &error)) !=
	    NULL);
	CHECK_EQ_INT(error, FILE_OK);
	CHECK_EQ_INT(len, 0);
	CHECK_EQ_INT(b[0], '\0');
	CHECK(S_ISREG(st.st_mode));
	free(b);

	/* exactly the bound; one byte more is too big */
	CHECK(put("exact", 100, 0644) == 0);
	CHECK((b = file_read(tpath("exact"), 100, 0, &len, NULL, &error)) !=
	    NULL);
	CHECK_EQ_INT(len, 100);
	CHECK_EQ_INT(b[99], 'x');
	CHECK_EQ_INT(b[100], '\0');
	CHECK_EQ_INT(strlen(b), 100);
	free(b);
	CHECK(file_read(tpath("exact"), 99, 0, &len, NULL, &error) == NULL);
	CHECK_EQ_INT(error, FILE_EBIG);
	CHECK_EQ_INT(len, 0);
	CHECK_STR(file_strerror(error), "file too large");
	CHECK_EQ_INT(verdict("empty", 0, 0), FILE_OK);
	/* no error pointer is needed */
	CHECK(file_read(tpath("exact"), 0, 0, &len, NULL, NULL) == NULL);

	/* secrets take the same path */
	CHECK((b = file_read(tpath("exact"), 1000, FILE_SECRET, &len, NULL,
	    &error)) != NULL);
	CHECK_EQ_INT(len, 100);
	free(b);
}

TEST(refusals)
{
	char	 target[PATH_MAX];
	char	*b;
	size_t	 len;
	int	 error;

	/* missing: errno tells */
	errno = 0;
	CHECK(file_read(tpath("none"), 16, 0, &len, NULL, &error) == NULL);
	CHECK_EQ_INT(error, FILE_EOPEN);
	CHECK_EQ_INT(errno, ENOENT);
	CHECK_STR(file_strerror(error), strerror(ENOENT));

	/* a directory, a FIFO (without blocking) */
	CHECK(mkdir(tpath("dir"), 0755) == 0);
	CHECK_EQ_INT(verdict("dir", 16, 0), FILE_ENOTREG);
	CHECK_STR(file_strerror(FILE_ENOTREG), "not a regular file");
	CHECK(mkfifo(tpath("fifo"), 0644) == 0);
	CHECK_EQ_INT(verdict("fifo", 16, 0), FILE_ENOTREG);

	/* a symbolic link: refused, unless followed */
	CHECK(put("target", 5, 0644) == 0);
	FMT(target, sizeof(target), "%s", tpath("target"));
	CHECK(symlink(target, tpath("link")) == 0);
	CHECK_EQ_INT(verdict("link", 16, 0), FILE_ELINK);
	CHECK_STR(file_strerror(FILE_ELINK), "refusing a symbolic link");
	CHECK((b = file_read(tpath("link"), 16, FILE_FOLLOW, &len, NULL,
	    &error)) != NULL);
	CHECK_EQ_INT(len, 5);
	free(b);
	/* a link to a directory is still not a regular file */
	CHECK(symlink("dir", tpath("dirlink")) == 0);
	CHECK_EQ_INT(verdict("dirlink", 16, FILE_FOLLOW), FILE_ENOTREG);

	CHECK_STR(file_strerror(-1), "unknown error");
	CHECK_STR(file_strerror(FILE_EBIG + 1), "unknown error");
}

TEST(owner_and_mode)
{
	CHECK(put("gw", 3, 0664) == 0);
	CHECK(put("ow", 3, 0646) == 0);
	CHECK(put("ok", 3, 0640) == 0);
	/* without FILE_ROOT nobody asks */
	CHECK_EQ_INT(verdict("gw", 16, 0), FILE_OK);
	if (geteuid() != 0) {
		/* our own files are not root's */
		CHECK_EQ_INT(verdict("ok", 16, FILE_ROOT), FILE_EOWNER);
		printf("# owner_and_mode: not root, modes not tested\n");
		return;
	}
	CHECK_EQ_INT(verdict("ok", 16, FILE_ROOT), FILE_OK);
	CHECK_EQ_INT(verdict("gw", 16, FILE_ROOT), FILE_EMODE);
	CHECK_EQ_INT(verdict("ow", 16, FILE_ROOT), FILE_EMODE);
	CHECK_STR(file_strerror(FILE_EMODE), "writable by group or others");
	CHECK(chown(tpath("ok"), 1, 1) == 0);
	CHECK_EQ_INT(verdict("ok", 16, FILE_ROOT), FILE_EOWNER);
	CHECK_STR(file_strerror(FILE_EOWNER), "not owned by root");
	/* the owner is checked before the size */
	CHECK_EQ_INT(verdict("ok", 1, FILE_ROOT), FILE_EOWNER);
}

/*
 * A regular file whose fstat() size is 0 but that has bytes (procfs):
 * the buffer grows as it reads, up to the bound and not past it.
 */
TEST(grows_past_its_size)
{
	char	*b;
	size_t	 len;
	int	 error;

	if ((b = file_read("/proc/self/status", 1 << 20, FILE_FOLLOW |
	    FILE_SECRET, &len, NULL, &error)) == NULL) {
		printf("# grows_past_its_size: no /proc/self/status\n");
		return;
	}
	CHECK(len > 64);
	CHECK_EQ_INT(strlen(b), len);
	CHECK(strncmp(b, "Name:", 5) == 0);
	free(b);
	CHECK(file_read("/proc/self/status", 20, FILE_FOLLOW | FILE_SECRET,
	    &len, NULL, &error) == NULL);
	CHECK_EQ_INT(error, FILE_EBIG);
	CHECK(file_read("/proc/self/status", 64, FILE_FOLLOW, &len, NULL,
	    &error) == NULL);
	CHECK_EQ_INT(error, FILE_EBIG);
}

TEST(conf_wording)
{
	struct stat	 st;
	const char	*why;
	char		*b;
	size_t		 len;

	CHECK(put("c.conf", 10, 0644) == 0);
	CHECK((b = file_read_conf(tpath("c.conf"), 10, 0, &len, &st,
	    &why)) != NULL);
	CHECK_EQ_INT(len, 10);
	CHECK_EQ_INT(st.st_size, 10);
	free(b);
	CHECK(file_read_conf(tpath("c.conf"), 9, 0, &len, &st, &why) ==
	    NULL);
	CHECK_STR(why, "file too large");
	CHECK(file_read_conf(tpath("none.conf"), 10, 0, &len, &st, &why) ==
	    NULL);
	CHECK_STR(why, strerror(ENOENT));
	CHECK(file_read_conf(tmpdir, 10, 0, &len, &st, &why) == NULL);
	CHECK_STR(why, "not a regular file");
	/* links are followed */
	CHECK(symlink("c.conf", tpath("l.conf")) == 0);
	CHECK((b = file_read_conf(tpath("l.conf"), 10, 0, &len, &st,
	    &why)) != NULL);
	free(b);
	CHECK(chmod(tpath("c.conf"), 0664) == 0);
	CHECK(file_read_conf(tpath("l.conf"), 10, 1, &len, &st, &why) ==
	    NULL);
	CHECK_STR(why, "must be owned by root and not writable by group or "
	    "others");
}

static void
cleanup(void)
{
	char	 cmd[128];

	FMT(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
}

TEST_MAIN_BEGIN("test_file")
	FMT(tmpdir, sizeof(tmpdir), "/tmp/test_file.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		abort();
	RUN(regular_and_bounds);
	RUN(refusals);
	RUN(owner_and_mode);
	RUN(grows_past_its_size);
	RUN(conf_wording);
	cleanup();
TEST_MAIN_END
