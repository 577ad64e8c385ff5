#include "cmdout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

int
cmdout_write(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) { /* not for regular files; never loop on it */
			errno = EIO;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write everything and close fd; -1 with the first errno. */
static int
write_close(int fd, const char *buf, size_t len)
{
	int rc = cmdout_write(fd, buf, len), saved = errno;

	if (close(fd) != 0 && rc == 0)
		return -1;
	errno = saved;
	return rc;
}

/* A new file beside path, opened for writing: its name into *tmp
 * (malloc'd). -1 with errno when none can be made. */
static int
open_beside(const char *path, char **tmp)
{
	const char *slash = strrchr(path, '/');
	int dlen = slash ? (int)(slash - path + 1) : 0;

	for (unsigned k = 0;; k++) {
		int fd;

		*tmp = xasprintf("%.*s.%s.%ld.%u", dlen, path,
		    slash ? slash + 1 : path, (long)getpid(), k);
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0)
			return fd;
		free(*tmp);
		*tmp = NULL;
		if (errno != EEXIST || k == 100)
			return -1;
	}
}

int
cmdout_replace(const char *path, const char *buf, size_t len)
{
	struct stat st;
	char *real, *tmp = NULL;
	int fd, rc = -1, saved;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (fd < 0)
			return -1;
		return write_close(fd, buf, len);
	}
	real = realpath(path, NULL); /* a link's target; NULL: not there */
	fd = open_beside(real ? real : path, &tmp);
	if (fd < 0)
		goto out;
	if (write_close(fd, buf, len) == 0 &&
	    rename(tmp, real ? real : path) == 0) {
		rc = 0;
		goto out;
	}
	saved = errno;
	unlink(tmp);
	errno = saved;
out:
	saved = errno;
	free(tmp);
	free(real);
	errno = saved;
	return rc;
}
