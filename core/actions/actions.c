#include "actions/actions.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/thread.h"
#include "base/utf8.h"
#include "base/util.h"
#include "model/argsubst.h"

extern char **environ;

/* Output read after the child exited, at most (from grandchildren). */
#define ACTIONS_LATE_OUTPUT (1024 * 1024)
/* Poll tick when pidfd_open() is unavailable (old kernels only). */
#define ACTIONS_FALLBACK_TICK_MS 50
/* Poll tick while the queue is too full to take more output lines. */
#define ACTIONS_QUEUE_TICK_MS 20
/* After the child exited, wait at most this long for queue space. */
#define ACTIONS_LATE_WAIT_MS 5000

/* One step of the current run, fully prepared by the main thread. */
typedef struct {
	char *name; /* NULL for a single action */
	char **argv; /* substituted */
	char **envp; /* environ + DRTOP_* */
	double timeout;
} Step;

/* One remembered output line; sent = already passed on as an event. */
typedef struct {
	char text[EV_TEXT_MAX];
	bool sent;
} TailLine;

struct ActionRunner {
	Queue *q; /* borrowed */
	double t0;
	char *dir; /* NULL = current directory */
	char *service;
	double grace; /* main thread only; copied into run_grace */
	int ctl[2]; /* control pipe: a byte = look at abort_req */

	/* Main thread only. */
	pthread_t thread;
	bool thread_live; /* a worker was started and not joined */

	/*
	 * The current run. Written by the main thread only while no worker
	 * runs (before pthread_create, after pthread_join); read by the
	 * worker in between.
	 */
	Step *steps;
	int nsteps;
	int first_step; /* where the worker starts */
	bool emit_start; /* the worker emits the whole action's `started` */
	bool runbook;
	char name[EV_NAME_MAX], from[EV_NAME_MAX], to[EV_NAME_MAX], by[16];
	double run_grace;

	pthread_mutex_t lock;
	/* Guarded by lock. */
	ActionsState state;
	bool abort_req;
	char abort_why[64]; /* "aborted by operator", ... */
	ActionStatus st; /* elapsed fields are computed on read */
	double run_start, run_end; /* mono; run_end < 0 while not ended */
	double step_start, step_end; /* mono; step_end < 0 while running */
	TailLine tail[ACTIONS_TAIL_LINES];
	int tail_head, tail_count; /* ring: oldest at tail_head */
};

/* ---- small helpers ----------------------------------------------------- */

static void
result_none(ActionResult *res)
{
	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
}

static void
result_finish(ActionResult *res)
{
	res->ok =
	    res->exit_code == 0 && res->signal == 0 && res->error[0] == '\0';
}

/* Set res->error from a format (truncated to fit, never cutting UTF-8). */
static void __attribute__((format(printf, 2, 3)))
set_error(ActionResult *res, const char *fmt, ...)
{
	char buf[2 * EV_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	str_copy(res->error, sizeof(res->error), buf);
}

static void
describe_result(const ActionResult *res, char *buf, size_t cap)
{
	if (res->error[0] != '\0')
		snprintf(buf, cap, "%s", res->error);
	else if (res->signal > 0)
		snprintf(buf, cap, "killed by signal %d", res->signal);
	else
		snprintf(buf, cap, "exit status %d", res->exit_code);
}

static void
emit(ActionRunner *r, ActionPhase phase, const char *step, const char *line,
    const ActionResult *res)
{
	Event ev;
	ActionEvent *a = &ev.u.action;

	event_init(&ev, EV_ACTION, mono_now() - r->t0);
	str_copy(a->name, sizeof(a->name), r->name);
	str_copy(a->step, sizeof(a->step), step ? step : "");
	str_copy(a->from, sizeof(a->from), r->from);
	str_copy(a->to, sizeof(a->to), r->to);
	str_copy(a->by, sizeof(a->by), r->by);
	a->phase = phase;
	a->exit_code = -1;
	if (line != NULL)
		str_copy(a->line, sizeof(a->line), line);
	if (res != NULL) {
		a->exit_code = res->exit_code;
		a->signal = res->signal;
		str_copy(a->error, sizeof(a->error), res->error);
	}
	queue_try_push(r->q, &ev);
}

/*
 * The whole action ended with res: status, state IDLE and the final
 * `finished` event in one lock hold, so whoever sees that event and then
 * asks actions_state() sees IDLE. Called with lock NOT held.
 */
static void
end_run(ActionRunner *r, const ActionResult *res)
{
	pthread_mutex_lock(&r->lock);
	r->st.result = *res;
	r->st.has_result = true;
	r->run_end = mono_now();
	r->state = ACTIONS_IDLE;
	r->abort_req = false;
	emit(r, ACT_FINISHED, "", NULL, res);
	pthread_mutex_unlock(&r->lock);
}

static void
steps_free(Step *steps, int n)
{
	for (int i = 0; i < n; i++) {
		free(steps[i].name);
		argsubst_argv_free(steps[i].argv);
		argsubst_argv_free(steps[i].envp);
	}
	free(steps);
}

/* environ without any DRTOP_* variable we set, plus ours. */
static char **
build_env(const ActionRunner *r, const char *service, const char *step)
{
	static const char *const ours[] = {"DRTOP_FROM=", "DRTOP_TO=",
	    "DRTOP_SERVICE=", "DRTOP_ACTION=", "DRTOP_STEP="};
	const char *vals[] = {r->from, r->to, service, r->name, step};
	size_t n = 0, k = 0;
	char **env;

	while (environ != NULL && environ[n] != NULL)
		n++;
	env = xcalloc(n + ARRAY_LEN(ours) + 1, sizeof(*env));
	for (size_t i = 0; i < n; i++) {
		bool skip = false;

		for (size_t j = 0; j < ARRAY_LEN(ours); j++)
			if (str_starts(environ[i], ours[j]))
				skip = true;
		if (!skip)
			env[k++] = xstrdup(environ[i]);
	}
	for (size_t j = 0; j < ARRAY_LEN(ours); j++)
		env[k++] = xasprintf("%s%s", ours[j], vals[j] ? vals[j] : "");
	env[k] = NULL;
	return env;
}

/* ---- output: lines, bounds, tail --------------------------------------- */

typedef struct {
	char cur[EV_TEXT_MAX];
	size_t len;
	bool head; /* still passing output on as events */
	int lines_sent;
	uint64_t kept, dropped;
} Output;

static void
tail_add(ActionRunner *r, const char *text, bool sent)
{
	int idx;

	pthread_mutex_lock(&r->lock);
	if (r->tail_count < ACTIONS_TAIL_LINES) {
		idx = (r->tail_head + r->tail_count) % ACTIONS_TAIL_LINES;
		r->tail_count++;
	} else {
		idx = r->tail_head;
		r->tail_head = (r->tail_head + 1) % ACTIONS_TAIL_LINES;
	}
	str_copy(r->tail[idx].text, sizeof(r->tail[idx].text), text);
	r->tail[idx].sent = sent;
	pthread_mutex_unlock(&r->lock);
}

/* A complete line of len bytes (<= EV_TEXT_MAX - 1) from o->cur. */
static void
line_done(ActionRunner *r, Output *o, const char *step, size_t len)
{
	char text[EV_TEXT_MAX];
	bool sent = o->head;

	memcpy(text, o->cur, len);
	text[len] = '\0';
	utf8_sanitize(text, len, '?');
	if (sent) {
		emit(r, ACT_OUTPUT, step, text, NULL);
		if (++o->lines_sent >= ACTIONS_OUTPUT_MAX_LINES)
			o->head = false;
	}
	tail_add(r, text, sent);
}

/* Make room for one more byte c: when cur is full, pass on its longest
 * prefix that does not cut a UTF-8 sequence and keep the rest. */
static void
make_room(ActionRunner *r, Output *o, const char *step, unsigned char c)
{
	size_t cut = o->len;

	if (o->len < EV_TEXT_MAX - 1)
		return;
	if ((c & 0xC0) == 0x80) {
		size_t j = o->len;

		while (j > 0 && ((unsigned char)o->cur[j - 1] & 0xC0) == 0x80)
			j--;
		if (j > 0 && ((unsigned char)o->cur[j - 1] & 0xC0) == 0xC0 &&
		    o->len - j < 3)
			cut = j - 1;
	}
	if (cut == 0)
		cut = o->len;
	{
		size_t rest = o->len - cut;
		char keep[4];

		memcpy(keep, o->cur + cut, rest);
		o->len = cut;
		line_done(r, o, step, cut);
		memcpy(o->cur, keep, rest);
		o->len = rest;
	}
}

static void
output_feed(
    ActionRunner *r, Output *o, const char *step, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		/* Count a byte where it ends up: make_room() may pass on the
		 * line that reaches the line cap before c joins the next. */
		if (c != '\n' && c != '\r')
			make_room(r, o, step, c);
		if (o->head)
			o->kept++;
		else
			o->dropped++;
		if (c == '\n') {
			line_done(r, o, step, o->len);
			o->len = 0;
		} else if (c != '\r') {
			o->cur[o->len++] = (char)c;
		}
		if (o->head && o->kept >= ACTIONS_OUTPUT_KEEP) {
			/* Budget spent: what is pending is the last kept
			 * piece; the rest of its line is dropped. */
			if (o->len > 0)
				line_done(r, o, step, o->len);
			o->len = 0;
			o->head = false;
		}
	}
	pthread_mutex_lock(&r->lock);
	r->st.kept_bytes = o->kept;
	r->st.dropped_bytes = o->dropped;
	pthread_mutex_unlock(&r->lock);
}

/* End of a step's output: the unterminated last line, then, when output
 * was dropped, a note and the remembered lines never passed on. */
static void
output_end(ActionRunner *r, Output *o, const char *step)
{
	TailLine unsent[ACTIONS_TAIL_LINES];
	int nunsent = 0;
	char note[EV_TEXT_MAX];

	if (o->len > 0)
		line_done(r, o, step, o->len);
	o->len = 0;
	if (o->dropped == 0)
		return;
	pthread_mutex_lock(&r->lock);
	for (int i = 0; i < r->tail_count; i++) {
		const TailLine *t =
		    &r->tail[(r->tail_head + i) % ACTIONS_TAIL_LINES];
		if (!t->sent)
			unsent[nunsent++] = *t;
	}
	pthread_mutex_unlock(&r->lock);
	snprintf(note, sizeof(note),
	    "[drtop: %llu bytes of output dropped after %llu kept; the last "
	    "%d lines follow]",
	    (unsigned long long)o->dropped, (unsigned long long)o->kept,
	    nunsent);
	emit(r, ACT_OUTPUT, step, note, NULL);
	for (int i = 0; i < nunsent; i++)
		emit(r, ACT_OUTPUT, step, unsent[i].text, NULL);
}

/* ---- one step ---------------------------------------------------------- */

/*
 * How many bytes of output to read now. While output still becomes
 * events, a read of n bytes can make about n of them (one-byte lines), so
 * read no more than the queue can take while keeping a quarter free for
 * the other producers; 0 = wait for the consumer (the child then blocks
 * on a full pipe, and its timeout still runs). Once output is only
 * counted, read at full speed.
 */
static size_t
read_allowance(ActionRunner *r, const Output *o, size_t bufsize)
{
	size_t cap, len, high;

	if (!o->head)
		return bufsize;
	cap = queue_capacity(r->q);
	len = queue_length(r->q);
	high = cap - cap / 4;
	if (len + 2 >= high)
		return 0;
	return high - len - 2 < bufsize ? high - len - 2 : bufsize;
}

static void
drain_fd(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static bool
abort_requested(ActionRunner *r, char *why, size_t cap)
{
	bool req;

	pthread_mutex_lock(&r->lock);
	req = r->abort_req;
	if (req && why != NULL)
		str_copy(why, cap, r->abort_why);
	pthread_mutex_unlock(&r->lock);
	return req;
}

static int
spawn_child(ActionRunner *r, const Step *s, int wfd, pid_t *pid)
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
	if (r->dir != NULL)
		posix_spawn_file_actions_addchdir_np(&fa, r->dir);
	rc = posix_spawnp(pid, s->argv[0], &fa, &attr, s->argv, s->envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return rc;
}

/* Run step i to its end; res gets its outcome. Worker thread. */
static void
run_step(ActionRunner *r, int i, ActionResult *res)
{
	const Step *s = &r->steps[i];
	const char *step = s->name ? s->name : "";
	Output o = {.head = true};
	int fds[2] = {-1, -1}, pidfd = -1, rc, status = 0;
	pid_t pid = 0;
	double now, deadline, kill_at = 0;
	bool term_sent = false, kill_sent = false, exited = false;
	bool timed_out = false, aborted = false, out_open = true;
	char why[64] = "";
	char buf[16384];
	struct stat sb;

	result_none(res);
	if (r->dir != NULL && stat(r->dir, &sb) != 0) {
		snprintf(res->error, sizeof(res->error),
		    "cannot run in directory %s: %s", r->dir, strerror(errno));
		goto out;
	}
	if (r->dir != NULL && !S_ISDIR(sb.st_mode)) {
		snprintf(res->error, sizeof(res->error),
		    "cannot run in directory %s: not a directory", r->dir);
		goto out;
	}
	if (pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(res->error, sizeof(res->error), "pipe: %s",
		    strerror(errno));
		goto out;
	}
	rc = spawn_child(r, s, fds[1], &pid);
	close(fds[1]);
	fds[1] = -1;
	if (rc != 0) {
		snprintf(res->error, sizeof(res->error), "%s: %s", strerror(rc),
		    s->argv[0]);
		pid = 0;
		goto out;
	}
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
	pidfd = pidfd_open(pid, 0);
	pthread_mutex_lock(&r->lock);
	r->st.pid = pid;
	pthread_mutex_unlock(&r->lock);

	deadline = mono_now() + s->timeout;
	while (!exited) {
		struct pollfd pf[3];
		int nf = 0, ip = -1, ic, id = -1, tmo;
		size_t allow;
		double until;

		now = mono_now();
		if (!term_sent && now >= deadline) {
			timed_out = true;
			kill(-pid, SIGTERM);
			term_sent = true;
			kill_at = now + r->run_grace;
		}
		if (!term_sent && abort_requested(r, why, sizeof(why))) {
			aborted = true;
			kill(-pid, SIGTERM);
			term_sent = true;
			kill_at = now + r->run_grace;
		}
		if (term_sent && !kill_sent && now >= kill_at) {
			kill(-pid, SIGKILL);
			kill_sent = true;
		}
		until = !term_sent ? deadline : !kill_sent ? kill_at : now + 60;
		if (until - now > 60)
			until = now + 60; /* re-evaluated each round */
		tmo = until > now ? (int)((until - now) * 1000.0) + 1 : 0;
		if (pidfd < 0 && tmo > ACTIONS_FALLBACK_TICK_MS)
			tmo = ACTIONS_FALLBACK_TICK_MS;
		allow = out_open ? read_allowance(r, &o, sizeof(buf)) : 0;
		if (out_open && allow == 0 && tmo > ACTIONS_QUEUE_TICK_MS)
			tmo = ACTIONS_QUEUE_TICK_MS;
		if (allow > 0) {
			pf[nf] =
			    (struct pollfd){.fd = fds[0], .events = POLLIN};
			ip = nf++;
		}
		pf[nf] = (struct pollfd){.fd = r->ctl[0], .events = POLLIN};
		ic = nf++;
		if (pidfd >= 0) {
			pf[nf] = (struct pollfd){.fd = pidfd, .events = POLLIN};
			id = nf++;
		}
		if (poll(pf, (nfds_t)nf, tmo) < 0) {
			if (errno == EINTR)
				continue;
			/* Cannot happen with valid fds; never leave the
			 * child behind. */
			kill(-pid, SIGKILL);
			kill_sent = true;
			if (waitpid(pid, &status, 0) == pid)
				exited = true;
			break;
		}
		if (ip >= 0 && pf[ip].revents != 0) {
			ssize_t n = read(fds[0], buf, allow);

			if (n > 0)
				output_feed(r, &o, step, buf, (size_t)n);
			else if (n == 0 || (errno != EAGAIN && errno != EINTR))
				out_open = false;
		}
		if (pf[ic].revents != 0)
			drain_fd(r->ctl[0]);
		if (id < 0 || pf[id].revents != 0) {
			pid_t w = waitpid(pid, &status, WNOHANG);

			if (w == pid)
				exited = true;
		}
	}
	/* What the child wrote before it exited is in the pipe. A leftover
	 * grandchild holding the pipe is not waited for, and what it keeps
	 * writing is read only up to a bound. */
	for (size_t late = 0, waited = 0;
	     out_open && late < ACTIONS_LATE_OUTPUT;) {
		size_t allow = read_allowance(r, &o, sizeof(buf));
		ssize_t n;

		if (allow == 0 && waited < ACTIONS_LATE_WAIT_MS &&
		    !abort_requested(r, NULL, 0)) {
			poll(NULL, 0, ACTIONS_QUEUE_TICK_MS);
			waited += ACTIONS_QUEUE_TICK_MS;
			continue;
		}
		n = read(fds[0], buf, allow > 0 ? allow : sizeof(buf));
		if (n > 0) {
			output_feed(r, &o, step, buf, (size_t)n);
			late += (size_t)n;
		} else {
			out_open = false;
		}
	}
	if (!exited) {
		snprintf(res->error, sizeof(res->error),
		    "lost track of process %ld", (long)pid);
		goto out;
	}
	if (WIFEXITED(status))
		res->exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		res->signal = WTERMSIG(status);
	if (timed_out)
		snprintf(res->error, sizeof(res->error),
		    "timed out after %g s%s", s->timeout,
		    kill_sent ? " (killed after the grace period)" : "");
	else if (aborted)
		snprintf(res->error, sizeof(res->error), "%s", why);
out:
	output_end(r, &o, step);
	if (pidfd >= 0)
		close(pidfd);
	if (fds[0] >= 0)
		close(fds[0]);
	result_finish(res);
	pthread_mutex_lock(&r->lock);
	r->st.pid = 0;
	r->step_end = mono_now();
	r->st.step_result = *res;
	pthread_mutex_unlock(&r->lock);
}

/* ---- the worker -------------------------------------------------------- */

static void *
worker(void *arg)
{
	ActionRunner *r = arg;
	ActionResult res;
	char why[64], what[EV_TEXT_MAX];

	if (r->emit_start)
		emit(r, ACT_STARTED, "", NULL, NULL);
	for (int i = r->first_step; i < r->nsteps; i++) {
		const char *step = r->steps[i].name ? r->steps[i].name : "";

		if (abort_requested(r, why, sizeof(why))) {
			result_none(&res);
			snprintf(res.error, sizeof(res.error),
			    "%s before step %d/%d \"%s\"", why, i + 1,
			    r->nsteps, step);
			result_finish(&res);
			end_run(r, &res);
			return NULL;
		}
		pthread_mutex_lock(&r->lock);
		r->st.step = i;
		str_copy(r->st.step_name, sizeof(r->st.step_name), step);
		r->step_start = mono_now();
		r->step_end = -1;
		r->st.kept_bytes = r->st.dropped_bytes = 0;
		r->tail_head = r->tail_count = 0;
		pthread_mutex_unlock(&r->lock);

		if (r->runbook)
			emit(r, ACT_STARTED, step, NULL, NULL);
		run_step(r, i, &res);
		if (res.ok) {
			if (r->runbook)
				emit(r, ACT_FINISHED, step, NULL, &res);
			continue;
		}
		pthread_mutex_lock(&r->lock);
		r->st.failed_step = i;
		if (!r->runbook) {
			pthread_mutex_unlock(&r->lock);
			end_run(r, &res);
			return NULL;
		}
		/* The step's `finished`, the abort check and the move to
		 * FAILED in one lock hold: an abort either sees FAILED or is
		 * seen here. */
		emit(r, ACT_FINISHED, step, NULL, &res);
		if (!r->abort_req) {
			r->state = ACTIONS_FAILED;
			pthread_mutex_unlock(&r->lock);
			return NULL;
		}
		str_copy(why, sizeof(why), r->abort_why);
		pthread_mutex_unlock(&r->lock);
		{
			ActionResult all = res;

			describe_result(&res, what, sizeof(what));
			set_error(&all, "%s at step %d/%d \"%s\": %s", why,
			    i + 1, r->nsteps, step, what);
			result_finish(&all);
			end_run(r, &all);
		}
		return NULL;
	}
	result_none(&res);
	res.exit_code = 0;
	result_finish(&res);
	end_run(r, &res);
	return NULL;
}

/* Start the worker with the signals the main thread handles blocked, so
 * they are never delivered to it. Main thread. */
static int
start_worker(ActionRunner *r, char *err, size_t cap)
{
	int rc;

	drain_fd(r->ctl[0]);
	rc = thread_start(&r->thread, worker, r);
	if (rc != 0) {
		snprintf(err, cap, "%s: cannot start a thread: %s", r->name,
		    strerror(rc));
		return -1;
	}
	r->thread_live = true;
	return 0;
}

static void
join_worker(ActionRunner *r)
{
	if (r->thread_live) {
		pthread_join(r->thread, NULL);
		r->thread_live = false;
	}
}

/* ---- public ------------------------------------------------------------ */

ActionRunner *
actions_new(const Profile *p, Queue *q, double t0)
{
	ActionRunner *r = xcalloc(1, sizeof(*r));

	if (pipe2(r->ctl, O_CLOEXEC | O_NONBLOCK) != 0) {
		free(r);
		return NULL;
	}
	r->q = q;
	r->t0 = t0;
	r->grace = ACTIONS_DEFAULT_GRACE;
	if (p != NULL && p->dir != NULL)
		r->dir = xstrdup(p->dir);
	if (p != NULL && p->service != NULL)
		r->service = xstrdup(p->service);
	pthread_mutex_init(&r->lock, NULL);
	r->state = ACTIONS_IDLE;
	r->st.failed_step = -1;
	r->run_end = r->step_end = -1;
	return r;
}

void
actions_set_grace(ActionRunner *r, double seconds)
{
	if (seconds > 0)
		r->grace = seconds;
}

const char *
actions_state_name(ActionsState s)
{
	switch (s) {
	case ACTIONS_IDLE:
		return "idle";
	case ACTIONS_RUNNING:
		return "running";
	case ACTIONS_FAILED:
		return "failed";
	}
	return "?";
}

/* -1 with err when the runner cannot take a new action. Main thread. */
static int
check_idle(ActionRunner *r, const char *action_name, char *err, size_t cap)
{
	ActionStatus st;

	actions_status(r, &st);
	if (st.state == ACTIONS_RUNNING) {
		snprintf(err, cap,
		    "%s: refused: %s %s -> %s is already running (step "
		    "%d/%d, %.0f s); one action at a time",
		    action_name, st.name, st.from, st.to, st.step + 1,
		    st.nsteps, st.elapsed);
		return -1;
	}
	if (st.state == ACTIONS_FAILED) {
		snprintf(err, cap,
		    "%s: refused: %s %s -> %s stopped at failed step %d/%d "
		    "\"%s\"; retry or abort it first",
		    action_name, st.name, st.from, st.to, st.failed_step + 1,
		    st.nsteps, st.step_name);
		return -1;
	}
	return 0;
}

int
actions_start(ActionRunner *r, const char *action_name, const Action *a,
    const char *from, const char *to, const char *by, char *err, size_t cap)
{
	ArgVars v = {.from = from, .to = to, .service = r->service};
	Step *steps;

	if (check_idle(r, action_name, err, cap) != 0)
		return -1;
	if (a == NULL || a->nsteps <= 0 || a->steps == NULL) {
		snprintf(err, cap, "no %s action configured", action_name);
		return -1;
	}
	for (int i = 0; i < a->nsteps; i++) {
		if (a->steps[i].argv == NULL || a->steps[i].argv[0] == NULL ||
		    a->steps[i].argv[0][0] == '\0') {
			snprintf(err, cap, "%s: step %d has an empty argv",
			    action_name, i + 1);
			return -1;
		}
	}
	join_worker(r);
	steps_free(r->steps, r->nsteps);

	str_copy(r->name, sizeof(r->name), action_name);
	str_copy(r->from, sizeof(r->from), from ? from : "");
	str_copy(r->to, sizeof(r->to), to ? to : "");
	str_copy(r->by, sizeof(r->by), by ? by : "");
	r->runbook = a->nsteps > 1 || a->steps[0].name != NULL;
	steps = xcalloc((size_t)a->nsteps, sizeof(*steps));
	for (int i = 0; i < a->nsteps; i++) {
		const ActionStep *as = &a->steps[i];

		steps[i].name = as->name ? xstrdup(as->name) : NULL;
		steps[i].argv = argsubst_argv(as->argv, &v);
		steps[i].envp = build_env(r, r->service, as->name);
		steps[i].timeout =
		    as->timeout > 0 ? as->timeout : ACTIONS_DEFAULT_TIMEOUT;
	}
	r->steps = steps;
	r->nsteps = a->nsteps;
	r->first_step = 0;
	r->emit_start = true;
	r->run_grace = r->grace;

	pthread_mutex_lock(&r->lock);
	r->state = ACTIONS_RUNNING;
	r->abort_req = false;
	memset(&r->st, 0, sizeof(r->st));
	r->st.state = ACTIONS_RUNNING;
	r->st.has_run = true;
	str_copy(r->st.name, sizeof(r->st.name), r->name);
	str_copy(r->st.from, sizeof(r->st.from), r->from);
	str_copy(r->st.to, sizeof(r->st.to), r->to);
	str_copy(r->st.by, sizeof(r->st.by), r->by);
	r->st.runbook = r->runbook;
	r->st.nsteps = r->nsteps;
	r->st.failed_step = -1;
	str_copy(r->st.step_name, sizeof(r->st.step_name),
	    steps[0].name ? steps[0].name : "");
	r->run_start = r->step_start = mono_now();
	r->run_end = r->step_end = -1;
	r->tail_head = r->tail_count = 0;
	pthread_mutex_unlock(&r->lock);

	if (start_worker(r, err, cap) != 0) {
		ActionResult res;

		result_none(&res);
		str_copy(res.error, sizeof(res.error), err);
		result_finish(&res);
		end_run(r, &res);
		return -1;
	}
	return 0;
}

int
actions_retry_step(ActionRunner *r, char *err, size_t cap)
{
	int failed;

	pthread_mutex_lock(&r->lock);
	if (r->state != ACTIONS_FAILED) {
		pthread_mutex_unlock(&r->lock);
		snprintf(err, cap, "retry: no runbook step has failed");
		return -1;
	}
	failed = r->st.failed_step;
	pthread_mutex_unlock(&r->lock);
	join_worker(r);

	r->first_step = failed;
	r->emit_start = false;
	r->run_grace = r->grace;
	pthread_mutex_lock(&r->lock);
	r->state = r->st.state = ACTIONS_RUNNING;
	r->st.failed_step = -1;
	r->abort_req = false;
	pthread_mutex_unlock(&r->lock);
	if (start_worker(r, err, cap) != 0) {
		pthread_mutex_lock(&r->lock);
		r->state = ACTIONS_FAILED;
		r->st.failed_step = failed;
		pthread_mutex_unlock(&r->lock);
		return -1;
	}
	return 0;
}

/* End a runbook waiting in ACTIONS_FAILED with why. Main thread, lock
 * not held; the worker has exited (joined here). */
static void
abort_failed(ActionRunner *r, const char *why)
{
	ActionStatus st;
	ActionResult all;
	char what[EV_TEXT_MAX];

	join_worker(r);
	actions_status(r, &st);
	all = st.step_result;
	describe_result(&st.step_result, what, sizeof(what));
	set_error(&all, "%s after step %d/%d \"%s\" failed: %s", why,
	    st.failed_step + 1, st.nsteps, st.step_name, what);
	result_finish(&all);
	end_run(r, &all);
}

int
actions_abort(ActionRunner *r, char *err, size_t cap)
{
	ActionsState s;

	pthread_mutex_lock(&r->lock);
	s = r->state;
	if (s == ACTIONS_RUNNING) {
		r->abort_req = true;
		str_copy(
		    r->abort_why, sizeof(r->abort_why), "aborted by operator");
	}
	pthread_mutex_unlock(&r->lock);
	switch (s) {
	case ACTIONS_RUNNING:
		if (write(r->ctl[1], "a", 1) < 0 && errno != EAGAIN)
			snprintf(err, cap, "abort: %s", strerror(errno));
		return 0;
	case ACTIONS_FAILED:
		abort_failed(r, "aborted by operator");
		return 0;
	case ACTIONS_IDLE:
		break;
	}
	snprintf(err, cap, "abort: no action is running");
	return -1;
}

bool
actions_running(ActionRunner *r)
{
	return actions_state(r) == ACTIONS_RUNNING;
}

ActionsState
actions_state(ActionRunner *r)
{
	ActionsState s;

	pthread_mutex_lock(&r->lock);
	s = r->state;
	pthread_mutex_unlock(&r->lock);
	return s;
}

void
actions_status(ActionRunner *r, ActionStatus *out)
{
	double now = mono_now();

	pthread_mutex_lock(&r->lock);
	*out = r->st;
	out->state = r->state;
	if (out->has_run) {
		out->elapsed =
		    (r->run_end >= 0 ? r->run_end : now) - r->run_start;
		out->step_elapsed =
		    (r->step_end >= 0 ? r->step_end : now) - r->step_start;
	}
	out->nlines = r->tail_count;
	for (int i = 0; i < r->tail_count; i++)
		str_copy(out->lines[i], sizeof(out->lines[i]),
		    r->tail[(r->tail_head + i) % ACTIONS_TAIL_LINES].text);
	pthread_mutex_unlock(&r->lock);
}

char ***
actions_preview(const Action *a, const char *from, const char *to,
    const char *service, int *nsteps_out)
{
	ArgVars v = {.from = from, .to = to, .service = service};
	char ***out;

	*nsteps_out = 0;
	if (a == NULL || a->nsteps <= 0 || a->steps == NULL)
		return NULL;
	out = xcalloc((size_t)a->nsteps, sizeof(*out));
	for (int i = 0; i < a->nsteps; i++) {
		char *empty[] = {NULL};

		out[i] = argsubst_argv(
		    a->steps[i].argv ? a->steps[i].argv : empty, &v);
	}
	*nsteps_out = a->nsteps;
	return out;
}

void
actions_preview_free(char ***argvs, int nsteps)
{
	if (argvs == NULL)
		return;
	for (int i = 0; i < nsteps; i++)
		argsubst_argv_free(argvs[i]);
	free(argvs);
}

void
actions_free(ActionRunner *r)
{
	ActionsState s;

	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	s = r->state;
	if (s == ACTIONS_RUNNING) {
		r->abort_req = true;
		str_copy(r->abort_why, sizeof(r->abort_why),
		    "stopped: drtop is exiting");
	}
	pthread_mutex_unlock(&r->lock);
	if (s == ACTIONS_RUNNING) {
		if (write(r->ctl[1], "x", 1) < 0) {
			/* EAGAIN: a byte is already waiting. */
		}
	}
	join_worker(r);
	if (actions_state(r) == ACTIONS_FAILED)
		abort_failed(r, "stopped: drtop is exiting");
	steps_free(r->steps, r->nsteps);
	close(r->ctl[0]);
	close(r->ctl[1]);
	pthread_mutex_destroy(&r->lock);
	free(r->dir);
	free(r->service);
	free(r);
}
