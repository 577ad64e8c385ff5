#include "actions/child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"

/* Output read after the child exited, at most (from grandchildren). */
#define CHILD_LATE_OUTPUT (1024 * 1024)
/* Poll tick when pidfd_open() is unavailable (old kernels only). */
#define CHILD_FALLBACK_TICK_MS 50
/* Poll tick while ops->room allows no output to be read. */
#define CHILD_ROOM_TICK_MS 20
/* After the child exited, wait at most this long for room. */
#define CHILD_LATE_WAIT_MS 5000
/* Longest sleep in one poll() (seconds); deadlines are looked at again
 * after it. */
#define CHILD_MAX_SLEEP 60.0

/* One child_run(): the child and what is known about it. */
typedef struct {
	const ChildSpec *spec;
	const ChildOps *ops;
	void *ctx;
	pid_t pid;
	int out_fd, pidfd; /* -1 = none */
	int status; /* from waitpid(), once exited */
	bool out_open, exited;
	bool term_sent, kill_sent, timed_out, stopped;
	double deadline, kill_at; /* mono */
	char why[64]; /* ops->stop's reason, once stopped */
	char buf[16384];
} Run;

static void
drain_fd(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static int
spawn(const ChildSpec *spec, int wfd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int rc;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr,
	    POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
	        POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, wfd, 1);
	posix_spawn_file_actions_adddup2(&fa, wfd, 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (spec->dir != NULL)
		posix_spawn_file_actions_addchdir_np(&fa, spec->dir);
	rc = posix_spawnp(
	    pid, spec->argv[0], &fa, &attr, spec->argv, spec->envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return rc;
}

/* Check the directory, make the pipe, spawn. -1 with res->error when the
 * child could not be started. */
static int
start(Run *c, ChildResult *res)
{
	const char *dir = c->spec->dir;
	int fds[2], rc;
	struct stat sb;

	if (dir != NULL && stat(dir, &sb) != 0) {
		snprintf(res->error, sizeof(res->error),
		    "cannot run in directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (dir != NULL && !S_ISDIR(sb.st_mode)) {
		snprintf(res->error, sizeof(res->error),
		    "cannot run in directory %s: not a directory", dir);
		return -1;
	}
	if (pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(res->error, sizeof(res->error), "pipe: %s",
		    strerror(errno));
		return -1;
	}
	c->out_fd = fds[0];
	rc = spawn(c->spec, fds[1], &c->pid);
	close(fds[1]);
	if (rc != 0) {
		snprintf(res->error, sizeof(res->error), "%s: %s", strerror(rc),
		    c->spec->argv[0]);
		return -1;
	}
	fcntl(c->out_fd, F_SETFL, fcntl(c->out_fd, F_GETFL) | O_NONBLOCK);
	c->pidfd = pidfd_open(c->pid, 0);
	c->out_open = true;
	c->ops->spawned(c->ctx, c->pid);
	c->deadline = mono_now() + c->spec->timeout;
	return 0;
}

static void
terminate(Run *c, double now)
{
	kill(-c->pid, SIGTERM);
	c->term_sent = true;
	c->kill_at = now + c->spec->grace;
}

/* SIGTERM at the timeout or on a stop request, SIGKILL after grace. */
static void
signal_due(Run *c, double now)
{
	if (!c->term_sent && now >= c->deadline) {
		c->timed_out = true;
		terminate(c, now);
	}
	if (!c->term_sent && c->ops->stop(c->ctx, c->why, sizeof(c->why))) {
		c->stopped = true;
		terminate(c, now);
	}
	if (c->term_sent && !c->kill_sent && now >= c->kill_at) {
		kill(-c->pid, SIGKILL);
		c->kill_sent = true;
	}
}

/* How long poll() may sleep (ms): until the next signal is due, shorter
 * when only a tick can tell that something changed. */
static int
sleep_ms(const Run *c, double now, size_t room)
{
	double until = !c->term_sent ? c->deadline
	    : !c->kill_sent          ? c->kill_at
	                             : now + CHILD_MAX_SLEEP;
	int tmo;

	if (until - now > CHILD_MAX_SLEEP)
		until = now + CHILD_MAX_SLEEP;
	tmo = until > now ? (int)((until - now) * 1000.0) + 1 : 0;
	if (c->pidfd < 0 && tmo > CHILD_FALLBACK_TICK_MS)
		tmo = CHILD_FALLBACK_TICK_MS;
	if (c->out_open && room == 0 && tmo > CHILD_ROOM_TICK_MS)
		tmo = CHILD_ROOM_TICK_MS;
	return tmo;
}

/* Until the child exited: signals when due, output as room allows. */
static void
supervise(Run *c)
{
	while (!c->exited) {
		struct pollfd pf[3];
		int nf = 0, ip = -1, iw, id = -1;
		double now = mono_now();
		size_t room;

		signal_due(c, now);
		room = c->out_open ? c->ops->room(c->ctx, sizeof(c->buf)) : 0;
		if (room > 0) {
			pf[nf] =
			    (struct pollfd){.fd = c->out_fd, .events = POLLIN};
			ip = nf++;
		}
		/* poll() ignores a negative fd: no wake fd, no event. */
		pf[nf] =
		    (struct pollfd){.fd = c->spec->wake_fd, .events = POLLIN};
		iw = nf++;
		if (c->pidfd >= 0) {
			pf[nf] =
			    (struct pollfd){.fd = c->pidfd, .events = POLLIN};
			id = nf++;
		}
		if (poll(pf, (nfds_t)nf, sleep_ms(c, now, room)) < 0) {
			if (errno == EINTR)
				continue;
			/* Cannot happen with valid fds; never leave the
			 * child behind. */
			kill(-c->pid, SIGKILL);
			c->kill_sent = true;
			if (waitpid(c->pid, &c->status, 0) == c->pid)
				c->exited = true;
			return;
		}
		if (ip >= 0 && pf[ip].revents != 0) {
			ssize_t n = read(c->out_fd, c->buf, room);

			if (n > 0)
				c->ops->output(c->ctx, c->buf, (size_t)n);
			else if (n == 0 || (errno != EAGAIN && errno != EINTR))
				c->out_open = false;
		}
		if (pf[iw].revents != 0)
			drain_fd(c->spec->wake_fd);
		if (id < 0 || pf[id].revents != 0) {
			if (waitpid(c->pid, &c->status, WNOHANG) == c->pid)
				c->exited = true;
		}
	}
}

/* What the child wrote before it exited is in the pipe. A leftover
 * grandchild holding the pipe is not waited for, and what it keeps
 * writing is read only up to a bound. */
static void
read_late(Run *c)
{
	for (size_t late = 0, waited = 0;
	     c->out_open && late < CHILD_LATE_OUTPUT;) {
		size_t room = c->ops->room(c->ctx, sizeof(c->buf));
		ssize_t n;

		if (room == 0 && waited < CHILD_LATE_WAIT_MS &&
		    !c->ops->stop(c->ctx, NULL, 0)) {
			poll(NULL, 0, CHILD_ROOM_TICK_MS);
			waited += CHILD_ROOM_TICK_MS;
			continue;
		}
		n = read(c->out_fd, c->buf, room > 0 ? room : sizeof(c->buf));
		if (n > 0) {
			c->ops->output(c->ctx, c->buf, (size_t)n);
			late += (size_t)n;
		} else {
			c->out_open = false;
		}
	}
}

static void
finish(const Run *c, ChildResult *res)
{
	if (!c->exited) {
		snprintf(res->error, sizeof(res->error),
		    "lost track of process %ld", (long)c->pid);
		return;
	}
	if (WIFEXITED(c->status))
		res->exit_code = WEXITSTATUS(c->status);
	else if (WIFSIGNALED(c->status))
		res->signal = WTERMSIG(c->status);
	if (c->timed_out)
		snprintf(res->error, sizeof(res->error),
		    "timed out after %g s%s", c->spec->timeout,
		    c->kill_sent ? " (killed after the grace period)" : "");
	else if (c->stopped)
		snprintf(res->error, sizeof(res->error), "%s", c->why);
}

void
child_run(
    const ChildSpec *spec, const ChildOps *ops, void *ctx, ChildResult *res)
{
	Run c = {
	    .spec = spec, .ops = ops, .ctx = ctx, .out_fd = -1, .pidfd = -1};

	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	if (start(&c, res) == 0) {
		supervise(&c);
		read_late(&c);
		finish(&c, res);
	}
	if (c.pidfd >= 0)
		close(c.pidfd);
	if (c.out_fd >= 0)
		close(c.out_fd);
}
