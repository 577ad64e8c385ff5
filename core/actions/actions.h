/*
 * actions: runs the profile's failover and failback actions (a single
 * argv, or a runbook of named steps) as child processes, and reports
 * every attempt as `action` events on the queue.
 *
 * Threads: the main thread (console, runtime) calls every function here
 * but actions_state() and actions_status(), which any thread may call.
 * Each run of steps happens on one worker thread; the DESIGN comment at
 * the top of actions.c says who owns what. A step's program runs with
 * posix_spawn (child.h: an argument vector, never a shell; its own
 * process group; stdin /dev/null, stdout and stderr on one pipe) in the
 * profile's directory, with the parent's environment plus DRTOP_FROM,
 * DRTOP_TO, DRTOP_SERVICE, DRTOP_ACTION and DRTOP_STEP. At the step's
 * timeout its process group gets SIGTERM, and SIGKILL after the grace
 * period. Its output becomes events as outbuf.h describes, only as fast
 * as the queue has room (a quarter is left to other producers).
 *
 * States: IDLE -> RUNNING -> IDLE (done: success, failure of a single
 * action, or aborted) or -> FAILED (a runbook step failed; the runbook
 * waits for actions_retry_step() or actions_abort()).
 *
 * Events (ActionEvent): every attempt is bracketed by `started` and
 * `finished` events with step "" (the whole action); that `finished`
 * is the outcome: success is exit_code 0, signal 0 and error "". A
 * runbook adds `started`/`output`/`finished` per step with the step's
 * name in `step`; a single action's output lines carry step "".
 * See doc/actions.md.
 */
#ifndef DRTOP_ACTIONS_H
#define DRTOP_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/clock.h"
#include "model/event.h"
#include "model/profile.h"
#include "model/queue.h"

/*
 * Output of a step attempt becomes `output` events, one per line ('\r'
 * dropped; control characters but tab and invalid UTF-8 become '?'; a
 * line over EV_TEXT_MAX - 1 bytes is split into several events, never
 * inside a UTF-8 character), for its first ACTIONS_OUTPUT_KEEP bytes or
 * ACTIONS_OUTPUT_MAX_LINES lines, whichever ends first. The rest is read,
 * counted and dropped; then one line "[drtop: N bytes of output dropped
 * after K kept; the last M lines follow]" and those last lines (at most
 * ACTIONS_TAIL_LINES) end the step's output.
 */
#define ACTIONS_OUTPUT_KEEP (64 * 1024)
#define ACTIONS_OUTPUT_MAX_LINES 1000
/* Output lines remembered for actions_status(). */
#define ACTIONS_TAIL_LINES 10
/* Step timeout used when a step's timeout is <= 0. */
#define ACTIONS_DEFAULT_TIMEOUT 60.0
/* Seconds between SIGTERM and SIGKILL, unless actions_set_grace(). */
#define ACTIONS_DEFAULT_GRACE 5.0

typedef struct ActionRunner ActionRunner;

typedef enum {
	ACTIONS_IDLE, /* nothing running; a new action may start */
	ACTIONS_RUNNING, /* a step's child is starting or running */
	ACTIONS_FAILED /* a runbook step failed: retry or abort */
} ActionsState;

/* Outcome of one step attempt or of a whole action. */
typedef struct {
	int exit_code; /* exit status; -1 = none (signalled, not started) */
	int signal; /* killing signal; 0 = none */
	char error[EV_TEXT_MAX]; /* "" or why: exec failure, timeout, abort */
	bool ok; /* exit_code 0, no signal, no error */
} ActionResult;

typedef struct {
	ActionsState state;
	bool has_run; /* false until the first actions_start() */
	char name[EV_NAME_MAX]; /* "failover" / "failback" of the current or
	                           last action */
	char from[EV_NAME_MAX], to[EV_NAME_MAX], by[16];
	bool runbook; /* named steps (see actions_start) */
	int nsteps;
	int step; /* 0-based: running, failed, or last run step */
	char step_name[EV_NAME_MAX]; /* "" for a single action */
	pid_t pid; /* the running child, 0 when none */
	double elapsed; /* seconds since the action started; its total
	                   duration once it ended */
	double step_elapsed; /* the same for the current/last step */
	/* The last output lines of the current or last step, oldest first. */
	int nlines;
	char lines[ACTIONS_TAIL_LINES][EV_TEXT_MAX];
	uint64_t kept_bytes; /* output bytes of the current/last step passed
	                        on as `output` events (<= ACTIONS_OUTPUT_KEEP) */
	uint64_t dropped_bytes; /* output bytes read beyond that, dropped */
	int failed_step; /* index of the step that failed, -1 = none */
	ActionResult step_result; /* of the last finished step attempt */
	bool has_result; /* an action ended (result below is valid) */
	ActionResult result; /* of the last action that ended */
} ActionStatus;

/*
 * A runner for profile p (borrowed: service and dir are read in
 * actions_start; NULL means no service and the current directory)
 * pushing events into q (borrowed; it must outlive the runner), with
 * event times mono_now() - t0. Returns NULL with errno set when the
 * control pipe cannot be made.
 */
ActionRunner *actions_new(const Profile *p, Queue *q, double t0);

/* The SIGTERM -> SIGKILL grace period in seconds (> 0) for later steps;
 * tests shorten it. Main thread. */
void actions_set_grace(ActionRunner *r, double seconds);

/*
 * Start action a under the name action_name ("failover" or "failback")
 * to move traffic from `from` to `to`; by is "operator" or "auto". The
 * action is a runbook when it has more than one step or its first step
 * has a name. Argument templates are substituted with argsubst() now.
 * Returns 0 once the worker runs (every outcome, even a program that
 * cannot be executed, is then reported by events), or -1 with a message
 * in err when an action is running or a runbook waits for retry/abort
 * (one action at a time), when a is NULL or has no steps ("no failover
 * action configured"), or a step has an empty argv. Main thread.
 */
int actions_start(ActionRunner *r, const char *action_name, const Action *a,
    const char *from, const char *to, const char *by, char *err, size_t cap);

/* Re-run the failed runbook step, then the steps after it. -1 with err
 * unless the state is ACTIONS_FAILED. Main thread. */
int actions_retry_step(ActionRunner *r, char *err, size_t cap);

/*
 * Abort: in ACTIONS_FAILED, end the runbook now (state IDLE, `finished`
 * events with an "aborted" error); in ACTIONS_RUNNING, ask the worker to
 * stop the step (SIGTERM to its process group, SIGKILL after the grace
 * period) and run no further step; returns without waiting. -1 with err
 * when nothing is running or waiting. Main thread.
 */
int actions_abort(ActionRunner *r, char *err, size_t cap);

/* True while a child is starting or running (ACTIONS_RUNNING). */
bool actions_running(ActionRunner *r);

/* The current state (any thread). */
ActionsState actions_state(ActionRunner *r);

/* A consistent copy of the runner's status. Any thread. */
void actions_status(ActionRunner *r, ActionStatus *out);

/*
 * The exact argument vectors action a would run, after substitution, one
 * per step: a malloc'd array of a->nsteps NULL-terminated vectors
 * (*nsteps_out set), for the failover dialog. Returns NULL (nsteps 0)
 * when a is NULL or has no steps. Free with actions_preview_free().
 */
char ***actions_preview(const Action *a, const char *from, const char *to,
    const char *service, int *nsteps_out);
void actions_preview_free(char ***argvs, int nsteps);

/*
 * Stop everything and free: a running child's process group gets SIGTERM
 * and, after the grace period, SIGKILL; the child is reaped, the worker
 * joined (so this may block up to the grace period). A waiting runbook
 * is ended as by actions_abort(). actions_free(NULL) is safe. Main
 * thread.
 */
void actions_free(ActionRunner *r);

/* Name of a state: "idle", "running", "failed". */
const char *actions_state_name(ActionsState s);

#endif
