#include "sigpipe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t resized;
static int pipe_fds[2] = {-1, -1};

static void
on_signal(int sig)
{
	int saved = errno;
	char b = 1;

	if (sig == SIGWINCH)
		resized = 1;
	else
		stop_signal = sig;
	if (write(pipe_fds[1], &b, 1) < 0) {
		/* Full pipe: the main loop is awake already. */
	}
	errno = saved;
}

int
sigpipe_install(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGWINCH};
	struct sigaction sa;

	if (pipe_fds[0] < 0 && pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) != 0)
			return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

int
sigpipe_fd(void)
{
	return pipe_fds[0];
}

void
sigpipe_consume(void)
{
	char buf[64];

	while (pipe_fds[0] >= 0 && read(pipe_fds[0], buf, sizeof(buf)) > 0)
		;
}

int
sigpipe_stop_requested(void)
{
	return stop_signal;
}

bool
sigpipe_take_resize(void)
{
	if (!resized)
		return false;
	resized = 0;
	return true;
}
