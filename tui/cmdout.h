/*
 * cmdout: what a command-line mode (check, report) writes, written whole
 * or not at all where that can be had, every failure with its errno so
 * the message can say why ("No space left on device", not "write
 * failed"). The caller renders into memory first (open_memstream), so
 * the only writes are these. Main thread; no state.
 */
#ifndef DRTOP_CMDOUT_H
#define DRTOP_CMDOUT_H

#include <stddef.h>

/* Write the len bytes at buf to fd, retrying short writes and EINTR.
 * Returns 0, or -1 with errno set (EPIPE too: SIGPIPE is the caller's
 * to ignore). */
int cmdout_write(int fd, const char *buf, size_t len);

/*
 * Make path hold exactly the len bytes at buf: they go to a new file
 * beside it (".NAME.PID.N", mode 0666 less the umask) that is renamed
 * over path once every byte is written and the file is closed, so a
 * failure -- a full disk -- leaves path as it was (or absent) and no
 * file behind. A symbolic link is followed: its target is replaced. A
 * path that exists and is not a regular file (a device such as
 * /dev/stdout or /dev/full, a FIFO) is written in place.
 * Returns 0, or -1 with errno set.
 */
int cmdout_replace(const char *path, const char *buf, size_t len);

#endif
