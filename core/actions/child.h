/*
 * child: one program run as a supervised child process, from spawn to
 * reaping, on the calling thread.
 *
 * - child_run() spawns argv with posix_spawn: an argument vector, never
 *   a shell; PATH is searched only for an argv[0] without '/'. The child
 *   gets its own process group, default signal dispositions, an empty
 *   signal mask, stdin /dev/null, stdout and stderr on one pipe, no other
 *   inherited fd, dir as its cwd and envp as its environment.
 * - While it runs, the caller's thread sleeps in poll() on the output
 *   pipe, the caller's wake fd and a pidfd of the child (a short tick
 *   where pidfd_open() is missing). Output is read only as fast as
 *   ops->room allows; the timeout keeps running meanwhile.
 * - At the timeout, or once ops->stop says so, the child's process group
 *   gets SIGTERM, and SIGKILL after the grace period.
 * - After the child exited, what is left in the pipe is read; a leftover
 *   background process holding the pipe is not waited for, and what it
 *   keeps writing is read only up to a bound.
 *
 * No thread, no lock, no state of its own: what it shares with other
 * threads it reaches through the ops, which it calls on the thread that
 * called child_run().
 */
#ifndef DRTOP_CHILD_H
#define DRTOP_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "model/event.h"

typedef struct {
	char *const *argv; /* NULL-terminated, argv[0] non-empty */
	char *const *envp; /* NULL-terminated */
	const char *dir; /* working directory; NULL = the current one */
	double timeout; /* seconds (> 0) until SIGTERM */
	double grace; /* seconds (> 0) from SIGTERM to SIGKILL */
	int wake_fd; /* readable: call ops->stop again (child_run reads it
	                empty); -1 = none */
} ChildSpec;

/* The caller's side, all called on child_run()'s thread with ctx. */
typedef struct {
	/* How many output bytes may be read now, at most cap; 0 = not now
	 * (asked again after a short tick). */
	size_t (*room)(void *ctx, size_t cap);
	/* The next n (> 0) bytes of output. */
	void (*output)(void *ctx, const char *buf, size_t n);
	/* True when the run is to stop; then, when why is not NULL, the
	 * reason ("aborted by operator") is copied into why (cap bytes). */
	bool (*stop)(void *ctx, char *why, size_t cap);
	/* The child runs as pid (also its process group). */
	void (*spawned)(void *ctx, pid_t pid);
} ChildOps;

typedef struct {
	int exit_code; /* exit status; -1 = none (signalled, not started) */
	int signal; /* killing signal; 0 = none */
	char error[EV_TEXT_MAX]; /* "" or why: cannot start, timeout, stop */
} ChildResult;

/*
 * Run spec's program to its end and its output to EOF (or the bound)
 * and put the outcome in *res: the exit status or the killing signal,
 * and in error "" or one of "cannot run in directory D: ...", "pipe:
 * ...", "<strerror>: <argv[0]>" (not started), "timed out after T s"
 * (plus " (killed after the grace period)" when SIGKILL was sent), the
 * reason ops->stop gave, or "lost track of process P" (waitpid failed).
 * The child is reaped here (SIGCHLD must not be ignored) and every fd
 * made for it is closed before this returns. Blocks; any thread.
 */
void child_run(
    const ChildSpec *spec, const ChildOps *ops, void *ctx, ChildResult *res);

#endif
