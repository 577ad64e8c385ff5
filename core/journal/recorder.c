#include "journal/recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

struct Recorder {
	int fd;
	char *path;
	char *header; /* pending session line; NULL once written */
	off_t good_size; /* bytes of whole lines in the file */
	bool seekable; /* a regular file: short writes can be cut back */
	unsigned long written;
	unsigned long lost;
	unsigned long lost_reported; /* lost events already noted in the log */
	char lost_reason[128];
	char err[EV_TEXT_MAX + 64];
	bool has_err;
};

static void
rec_fail(Recorder *r, const char *what, int errnum)
{
	snprintf(r->err, sizeof(r->err), "%s: %s: %s", r->path, what,
	    strerror(errnum));
	str_copy(r->lost_reason, sizeof(r->lost_reason), strerror(errnum));
	r->has_err = true;
}

/*
 * One write(2) for the whole line (retried only on EINTR or, after a
 * short write, for the rest). On failure the file is cut back to the last
 * whole line when it can be. Returns 0 or -1 (error remembered).
 */
static int
put_line(Recorder *r, const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(r->fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : ENOSPC;
			if (done > 0 && r->seekable &&
			    ftruncate(r->fd, r->good_size) != 0)
				rec_fail(r, "cutting back a torn line", errno);
			rec_fail(r, "write", e);
			return -1;
		}
		done += (size_t)n;
	}
	r->good_size += (off_t)len;
	return 0;
}

static int
put_header(Recorder *r)
{
	if (r->header == NULL)
		return 0;
	if (put_line(r, r->header, strlen(r->header)) != 0)
		return -1;
	free(r->header);
	r->header = NULL;
	return 0;
}

/* Make the new file's directory entry durable too (best effort). */
static void
sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir =
	    slash ? xstrndup(path, (size_t)(slash - path + 1)) : xstrdup(".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

/* A new file, never an existing one (a log is evidence: it is never
 * truncated); an existing FIFO or device (/dev/null) is written to. */
static int
open_new(const char *path)
{
	struct stat st;
	int fd = open(
	    path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);

	if (fd >= 0 || errno != EEXIST)
		return fd;
	if (stat(path, &st) != 0 || S_ISREG(st.st_mode) ||
	    S_ISDIR(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	return open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
}

Recorder *
recorder_open(const char *path, const char *session_line,
    const char *state_line, char *err, size_t cap)
{
	Recorder *r;
	struct stat st;
	int fd;

	fd = open_new(path);
	if (fd < 0) {
		int e = errno;

		if (e == EEXIST)
			snprintf(err, cap,
			    "%s: the file exists (a log is never overwritten: "
			    "remove it or choose another name)",
			    path);
		else
			snprintf(err, cap, "%s: %s", path, strerror(e));
		errno = e; /* callers may retry another name on EEXIST */
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->fd = fd;
	r->path = xstrdup(path);
	r->header = state_line != NULL
	    ? xasprintf("%s%s", session_line, state_line)
	    : xstrdup(session_line);
	r->seekable = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	if (r->seekable)
		sync_dir(path);
	if (put_header(r) == 0 && fsync(r->fd) != 0 && errno != EINVAL &&
	    errno != EROFS)
		rec_fail(r, "fsync", errno);
	return r;
}

static bool
wants_sync(const Event *ev)
{
	return ev->type == EV_DRILL || ev->type == EV_MARKER;
}

/* After failures, tell the log how many events it is missing. */
static int
put_gap(Recorder *r, double t)
{
	char buf[EVENT_JSON_MAX];
	Event gap;
	size_t n;

	if (r->lost == r->lost_reported)
		return 0;
	event_init(&gap, EV_ERROR, t);
	str_copy(gap.u.error.source, sizeof(gap.u.error.source), "recorder");
	snprintf(gap.u.error.message, sizeof(gap.u.error.message),
	    "%lu events not recorded: %s", r->lost - r->lost_reported,
	    r->lost_reason);
	n = event_to_json(&gap, buf, sizeof(buf));
	if (n == 0 || put_line(r, buf, n) != 0)
		return -1;
	r->lost_reported = r->lost;
	return 0;
}

int
recorder_write(Recorder *r, const Event *ev)
{
	char buf[EVENT_JSON_MAX];
	size_t n;

	n = event_to_json(ev, buf, sizeof(buf));
	if (n == 0) {
		snprintf(r->err, sizeof(r->err),
		    "%s: an event could not be encoded", r->path);
		r->has_err = true;
		r->lost++;
		return -1;
	}
	if (put_header(r) != 0 || put_gap(r, ev->t) != 0 ||
	    put_line(r, buf, n) != 0) {
		r->lost++;
		return -1;
	}
	r->written++;
	if (wants_sync(ev) && fsync(r->fd) != 0 && errno != EINVAL &&
	    errno != EROFS) {
		rec_fail(r, "fsync", errno);
		return -1;
	}
	return 0;
}

const char *
recorder_error(const Recorder *r)
{
	return r->has_err ? r->err : NULL;
}

unsigned long
recorder_lost(const Recorder *r)
{
	return r->lost;
}

unsigned long
recorder_written(const Recorder *r)
{
	return r->written;
}

int
recorder_close(Recorder *r, char *err, size_t cap)
{
	int rc = 0;

	if (r == NULL)
		return 0;
	if (fsync(r->fd) != 0 && errno != EINVAL && errno != EROFS)
		rec_fail(r, "fsync", errno);
	if (close(r->fd) != 0)
		rec_fail(r, "close", errno);
	if (r->has_err) {
		rc = -1;
		if (err != NULL && cap > 0)
			str_copy(err, cap, r->err);
	}
	free(r->header);
	free(r->path);
	free(r);
	return rc;
}
