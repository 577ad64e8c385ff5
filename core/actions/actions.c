/*
 * actions: the runbook state machine behind the public ActionRunner:
 * which step runs, waiting on a failed step, retry and abort, and the
 * events that report it. child.c runs one step's program; outbuf.c turns
 * its output into bounded lines.
 *
 * DESIGN
 * - The main thread (console, runtime) calls every public function;
 *   actions_state() and actions_status() may be called from any thread.
 *   Each run of steps happens on one worker thread, started with
 *   thread_start() (SIGINT, SIGTERM, SIGHUP, SIGWINCH and SIGPIPE
 *   blocked) and joined by the main thread before the next run starts
 *   and in actions_free(). At most one worker exists at a time.
 * - The worker runs each step with child_run(), which sleeps in poll()
 *   on the output pipe, the control pipe r->ctl and a pidfd of the child.
 *   A byte on r->ctl (written by actions_abort and actions_free, read
 *   empty by child_run) means "look at abort_req".
 * - r->lock guards the state, abort_req and abort_why, the status st and
 *   the mono times; the worker holds it only to copy values in or out.
 *   Events go into the queue by value (queue_try_push, never blocking);
 *   end_run() and the move to ACTIONS_FAILED push while holding r->lock,
 *   so the lock order is r->lock, then the queue's lock.
 * - Output is read only as fast as the queue has room (a quarter is left
 *   to other producers), so a chatty action slows itself down instead of
 *   overflowing the queue; the step's timeout keeps running meanwhile.
 * - A step's Outbuf belongs to the worker alone; after every chunk its
 *   counts and tail are copied into st under the lock for
 *   actions_status().
 * - Argument vectors and environments are built on the main thread in
 *   actions_start(), so the worker never touches the Profile or environ.
 *   The fields of the current run (steps, name, from, to, ...) are
 *   written by the main thread only while no worker runs.
 */
#include "actions/actions.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions/child.h"
#include "actions/outbuf.h"
#include "base/clock.h"
#include "base/thread.h"
#include "base/util.h"
#include "model/argsubst.h"

extern char **environ;

/* One step of the current run, fully prepared by the main thread. */
typedef struct {
	char *name; /* NULL for a single action */
	char **argv; /* substituted */
	char **envp; /* environ + DRTOP_* */
	double timeout;
} Step;

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
};

/* What becomes of a step's output (see ACTIONS_OUTPUT_KEEP). */
static const OutbufLimits output_limits = {
    .keep_bytes = ACTIONS_OUTPUT_KEEP,
    .max_lines = ACTIONS_OUTPUT_MAX_LINES,
    .tail_lines = ACTIONS_TAIL_LINES,
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
 * The whole action ended with res (its ok is computed here): status,
 * state IDLE and the final `finished` event in one lock hold, so whoever
 * sees that event and then asks actions_state() sees IDLE. Called with
 * lock NOT held.
 */
static void
end_run(ActionRunner *r, const ActionResult *res)
{
	ActionResult fin = *res;

	result_finish(&fin);
	pthread_mutex_lock(&r->lock);
	r->st.result = fin;
	r->st.has_result = true;
	r->run_end = mono_now();
	r->state = ACTIONS_IDLE;
	r->abort_req = false;
	emit(r, ACT_FINISHED, "", NULL, &fin);
	pthread_mutex_unlock(&r->lock);
}

/* The whole action ended with an error and no exit status: "error". */
static void
end_run_error(ActionRunner *r, const char *error)
{
	ActionResult res;

	result_none(&res);
	str_copy(res.error, sizeof(res.error), error);
	end_run(r, &res);
}

/*
 * The whole action was stopped at or after a failed step whose outcome
 * is step: it ends with the step's exit status and signal and the error
 * "<where>: <what happened to the step>" (where formatted from fmt,
 * never cutting UTF-8). Lock not held.
 */
static void __attribute__((format(printf, 3, 4)))
end_after_step(ActionRunner *r, const ActionResult *step, const char *fmt, ...)
{
	ActionResult all = *step;
	char where[EV_TEXT_MAX], what[EV_TEXT_MAX];
	char buf[sizeof(where) + sizeof(what) + 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(where, sizeof(where), fmt, ap);
	va_end(ap);
	describe_result(step, what, sizeof(what));
	snprintf(buf, sizeof(buf), "%s: %s", where, what);
	str_copy(all.error, sizeof(all.error), buf);
	end_run(r, &all);
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

/* ---- one step: child_run's ops ----------------------------------------- */

/* One attempt of one step, as the worker sees it. */
typedef struct {
	ActionRunner *r;
	const char *step; /* its name; "" for a single action */
	Outbuf *out; /* the worker's alone */
} StepRun;

static void
step_line(void *ctx, const char *line)
{
	StepRun *s = ctx;

	emit(s->r, ACT_OUTPUT, s->step, line, NULL);
}

/* The output's counts and tail into the status. */
static void
step_publish(StepRun *s)
{
	ActionRunner *r = s->r;

	pthread_mutex_lock(&r->lock);
	r->st.kept_bytes = outbuf_kept(s->out);
	r->st.dropped_bytes = outbuf_dropped(s->out);
	r->st.nlines = outbuf_tail(s->out, r->st.lines, ACTIONS_TAIL_LINES);
	pthread_mutex_unlock(&r->lock);
}

static void
step_output(void *ctx, const char *buf, size_t n)
{
	StepRun *s = ctx;

	outbuf_feed(s->out, buf, n);
	step_publish(s);
}

/*
 * How many bytes of output to read now. While output still becomes
 * events, a read of n bytes can make about n of them (one-byte lines), so
 * read no more than the queue can take while keeping a quarter free for
 * the other producers; 0 = wait for the consumer (the child then blocks
 * on a full pipe, and its timeout still runs). Once output is only
 * counted, read at full speed.
 */
static size_t
step_room(void *ctx, size_t bufsize)
{
	StepRun *s = ctx;
	size_t cap, len, high;

	if (!outbuf_passing(s->out))
		return bufsize;
	cap = queue_capacity(s->r->q);
	len = queue_length(s->r->q);
	high = cap - cap / 4;
	if (len + 2 >= high)
		return 0;
	return high - len - 2 < bufsize ? high - len - 2 : bufsize;
}

static bool
step_stop(void *ctx, char *why, size_t cap)
{
	StepRun *s = ctx;

	return abort_requested(s->r, why, cap);
}

static void
step_spawned(void *ctx, pid_t pid)
{
	StepRun *s = ctx;

	pthread_mutex_lock(&s->r->lock);
	s->r->st.pid = pid;
	pthread_mutex_unlock(&s->r->lock);
}

static const ChildOps step_ops = {
    .room = step_room,
    .output = step_output,
    .stop = step_stop,
    .spawned = step_spawned,
};

/* Run step i to its end; res gets its outcome. Worker thread. */
static void
run_step(ActionRunner *r, int i, ActionResult *res)
{
	const Step *st = &r->steps[i];
	StepRun s = {.r = r, .step = st->name ? st->name : ""};
	ChildSpec spec = {.argv = st->argv,
	    .envp = st->envp,
	    .dir = r->dir,
	    .timeout = st->timeout,
	    .grace = r->run_grace,
	    .wake_fd = r->ctl[0]};
	ChildResult cr;

	s.out = outbuf_new(&output_limits, step_line, &s);
	child_run(&spec, &step_ops, &s, &cr);
	outbuf_end(s.out);
	step_publish(&s);
	outbuf_free(s.out);
	result_none(res);
	res->exit_code = cr.exit_code;
	res->signal = cr.signal;
	str_copy(res->error, sizeof(res->error), cr.error);
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
	char why[64], msg[EV_TEXT_MAX];

	if (r->emit_start)
		emit(r, ACT_STARTED, "", NULL, NULL);
	for (int i = r->first_step; i < r->nsteps; i++) {
		const char *step = r->steps[i].name ? r->steps[i].name : "";

		if (abort_requested(r, why, sizeof(why))) {
			snprintf(msg, sizeof(msg),
			    "%s before step %d/%d \"%s\"", why, i + 1,
			    r->nsteps, step);
			end_run_error(r, msg);
			return NULL;
		}
		pthread_mutex_lock(&r->lock);
		r->st.step = i;
		str_copy(r->st.step_name, sizeof(r->st.step_name), step);
		r->step_start = mono_now();
		r->step_end = -1;
		r->st.kept_bytes = r->st.dropped_bytes = 0;
		r->st.nlines = 0;
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
		end_after_step(r, &res, "%s at step %d/%d \"%s\"", why, i + 1,
		    r->nsteps, step);
		return NULL;
	}
	result_none(&res);
	res.exit_code = 0;
	end_run(r, &res);
	return NULL;
}

/* Start the worker with the signals the main thread handles blocked, so
 * they are never delivered to it. A byte left on the control pipe by an
 * earlier abort costs the worker one extra look at abort_req. Main
 * thread. */
static int
start_worker(ActionRunner *r, char *err, size_t cap)
{
	int rc = thread_start(&r->thread, worker, r);

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
	char why[EV_TEXT_MAX];

	actions_status(r, &st);
	if (st.state == ACTIONS_IDLE)
		return 0;
	if (st.state == ACTIONS_RUNNING)
		snprintf(why, sizeof(why),
		    "is already running (step %d/%d, %.0f s); one action at "
		    "a time",
		    st.step + 1, st.nsteps, st.elapsed);
	else
		snprintf(why, sizeof(why),
		    "stopped at failed step %d/%d \"%s\"; retry or abort it "
		    "first",
		    st.failed_step + 1, st.nsteps, st.step_name);
	snprintf(err, cap, "%s: refused: %s %s -> %s %s", action_name, st.name,
	    st.from, st.to, why);
	return -1;
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
	pthread_mutex_unlock(&r->lock);

	if (start_worker(r, err, cap) != 0) {
		end_run_error(r, err);
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

	join_worker(r);
	actions_status(r, &st);
	end_after_step(r, &st.step_result, "%s after step %d/%d \"%s\" failed",
	    why, st.failed_step + 1, st.nsteps, st.step_name);
}

/* Ask a running worker to stop for why; returns the state it was in.
 * Main thread. */
static ActionsState
request_abort(ActionRunner *r, const char *why, char *err, size_t cap)
{
	ActionsState s;

	pthread_mutex_lock(&r->lock);
	s = r->state;
	if (s == ACTIONS_RUNNING) {
		r->abort_req = true;
		str_copy(r->abort_why, sizeof(r->abort_why), why);
	}
	pthread_mutex_unlock(&r->lock);
	/* EAGAIN: a byte is already waiting. */
	if (s == ACTIONS_RUNNING && write(r->ctl[1], "a", 1) < 0 &&
	    errno != EAGAIN && err != NULL)
		snprintf(err, cap, "abort: %s", strerror(errno));
	return s;
}

int
actions_abort(ActionRunner *r, char *err, size_t cap)
{
	switch (request_abort(r, "aborted by operator", err, cap)) {
	case ACTIONS_RUNNING:
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
	if (r == NULL)
		return;
	request_abort(r, "stopped: drtop is exiting", NULL, 0);
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
