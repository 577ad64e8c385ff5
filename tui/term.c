#include "term.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "base/thread.h"
#include "base/util.h"
#include "theme.h"

#define RESTORE_MAX 256 /* bytes of the escape sequences that undo curses */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool on; /* curses owns the terminal */
static _Atomic pthread_t main_thread;
/* Written by term_start before `on` is set; read-only afterwards. */
static char restore[RESTORE_MAX];
static size_t restore_len;
static struct termios saved_modes;
static bool have_modes;

/* Append terminfo string capability cap (when the terminal has one). */
static void
add_cap(const char *cap)
{
	char *s = tigetstr(cap);
	size_t n;

	if (s == NULL || s == (char *)-1)
		return;
	n = strlen(s);
	if (restore_len + n > sizeof(restore))
		return;
	memcpy(restore + restore_len, s, n);
	restore_len += n;
}

SCREEN *
term_start(bool *color)
{
	const char *nc = getenv("NO_COLOR");
	SCREEN *s;

	*color = false;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr,
		    "drtop: the console needs a terminal "
		    "(use `drtop watch --json` without one)\n");
		return NULL;
	}
	have_modes = tcgetattr(STDIN_FILENO, &saved_modes) == 0;
	s = newterm(NULL, stdout, stdin);
	if (s == NULL) {
		fprintf(stderr, "drtop: cannot use terminal \"%s\"\n",
		    getenv("TERM") ? getenv("TERM") : "");
		return NULL;
	}
	pthread_mutex_lock(&lock);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	leaveok(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	/* what endwin() sends, for a thread that must not call it */
	restore_len = 0;
	add_cap("sgr0");
	add_cap("cnorm");
	add_cap("rmkx");
	add_cap("rmcup");
	atomic_store(&main_thread, pthread_self());
	atomic_store(&on, true);
	*color = has_colors() && !(nc && *nc);
	if (*color) {
		start_color();
		use_default_colors();
		if (COLORS < 8 || COLOR_PAIRS < ROLE__COUNT + 1)
			*color = false;
	}
	return s;
}

void
term_end(SCREEN *s)
{
	atomic_store(&on, false);
	endwin();
	delscreen(s);
	pthread_mutex_unlock(&lock);
}

void
term_release(void)
{
	pthread_mutex_unlock(&lock);
}

void
term_hold(void)
{
	pthread_mutex_lock(&lock);
}

/* write(2) all of buf to fd, giving up on an error or a terminal that
 * takes nothing for a second (a stalled session). */
static void
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		if (poll(&p, 1, 1000) <= 0)
			return;
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void
term_die_hook(void)
{
	struct timespec until;

	if (!atomic_load(&on))
		return;
	if (pthread_equal(pthread_self(), atomic_load(&main_thread))) {
		atomic_store(&on, false);
		endwin();
		return;
	}
	/* not the main thread: no curses. Wait (a bounded while) until the
	 * main thread is not drawing, and keep the lock: it never draws
	 * again. */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 1;
	(void)pthread_mutex_timedlock(&lock, &until);
	if (!atomic_exchange(&on, false))
		return; /* the main thread ended curses meanwhile */
	write_all(STDOUT_FILENO, restore, restore_len);
	if (have_modes)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_modes);
}

static void *
die_later(void *arg)
{
	double secs = *(double *)arg;
	struct timespec ts = {
	    .tv_sec = (time_t)secs,
	    .tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9),
	};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	die("test: die() from a background thread (DRTOP_TEST_DIE_AFTER)");
}

void
term_test_hooks(void)
{
	static double secs;
	const char *v = getenv("DRTOP_TEST_DIE_AFTER");
	pthread_t th;
	char *end;

	if (v == NULL || *v == '\0')
		return;
	secs = strtod(v, &end);
	if (*end != '\0' || !(secs >= 0 && secs <= 3600))
		return;
	if (thread_start(&th, die_later, &secs) == 0)
		pthread_detach(th);
}
