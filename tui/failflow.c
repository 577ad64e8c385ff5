#include "failflow.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "engine/autofail.h"
#include "lineedit.h"

static const char *const state_names[FF__COUNT] = {
    [FF_IDLE] = "IDLE",
    [FF_DIALOG] = "DIALOG",
    [FF_SECOND_CONFIRM] = "SECOND_CONFIRM",
    [FF_RUNNING] = "RUNNING",
    [FF_ROUTE_APPLIED] = "ROUTE_APPLIED",
    [FF_FAILED] = "FAILED",
};

/* Every legal edge (from, to): the one list of transitions. */
#define I FF_IDLE
#define D FF_DIALOG
#define S FF_SECOND_CONFIRM
#define R FF_RUNNING
#define A FF_ROUTE_APPLIED
#define F FF_FAILED
static const bool legal[FF__COUNT][FF__COUNT] = {
    /* f/b opens the dialog; an action starts; an outcome arrives after
     * the runner was seen idle */
    [I] = {[D] = true, [R] = true, [A] = true},
    /* the name: run, route at once, or ask again; Esc: back */
    [D] = {[S] = true, [R] = true, [A] = true, [I] = true, [F] = true},
    /* yes: run or route at once; Esc: back */
    [S] = {[R] = true, [A] = true, [I] = true, [F] = true},
    /* the outcome; a step failed; the action could not start; f/b */
    [R] = {[A] = true, [I] = true, [F] = true, [D] = true},
    /* R retried; A aborted; a retry's outcome; f/b */
    [F] = {[R] = true, [I] = true, [A] = true, [D] = true},
    /* Esc hides the result; f/b; the next action */
    [A] = {[I] = true, [D] = true, [R] = true},
};
#undef I
#undef D
#undef S
#undef R
#undef A
#undef F

/* The one place the state changes. An edge not in the table is a bug:
 * die() (not assert) so the console's terminal is restored first. */
static void
transition(FailFlow *ff, FailState to)
{
	if (ff->state != to && !legal[ff->state][to])
		die("failflow: no transition %s -> %s", state_names[ff->state],
		    state_names[to]);
	ff->state = to;
}

/* What happened to the action: the state, or, while the dialog is open
 * over it, the state Esc returns to. */
static void
action_moved(FailFlow *ff, FailState to)
{
	if (failflow_dialog_open(ff))
		ff->back = to;
	else
		transition(ff, to);
}

static void note(FailFlow *ff, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(FailFlow *ff, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ff->note, sizeof(ff->note), fmt, ap);
	va_end(ap);
}

static void
free_argv(FailFlow *ff)
{
	if (ff->argv)
		actions_preview_free(ff->argv, ff->nsteps);
	ff->argv = NULL;
	ff->nsteps = 0;
}

void
failflow_init(FailFlow *ff)
{
	memset(ff, 0, sizeof(*ff));
	ff->state = ff->back = FF_IDLE;
}

void
failflow_fini(FailFlow *ff)
{
	free_argv(ff);
	failflow_init(ff);
}

const char *
failflow_state_name(FailState s)
{
	if ((int)s < 0 || s >= FF__COUNT)
		return "?";
	return state_names[s];
}

bool
failflow_dialog_open(const FailFlow *ff)
{
	return ff->state == FF_DIALOG || ff->state == FF_SECOND_CONFIRM;
}

/* The best-priority ONLINE endpoint other than except, or NULL. */
static const char *
best_online(const Profile *p, const Snapshot *s, const char *except)
{
	const Endpoint *best = NULL;

	for (int i = 0; i < p->nendpoints && i < s->nendpoints; i++) {
		const Endpoint *ep = &p->endpoints[i];
		if (s->endpoints[i].state != HEALTH_ONLINE ||
		    (except && strcmp(ep->name, except) == 0))
			continue;
		if (best == NULL || ep->priority < best->priority)
			best = ep;
	}
	return best ? best->name : NULL;
}

bool
failflow_pick(const Profile *p, const Snapshot *s, char kind, int selected,
    char *from, char *to, char *note_buf, size_t cap)
{
	const char *f = s->route_to, *t = NULL;

	if (!s->routed) {
		snprintf(note_buf, cap, "no route yet");
		return false;
	}
	/* from where DNS is observed to answer: that is what the action
	 * moves (the expected route only when DNS is not observed) */
	if (s->traffic.observed && s->traffic.endpoint[0])
		f = s->traffic.endpoint;
	if (s->rec_key == kind && s->rec_to[0]) {
		f = s->rec_from[0] ? s->rec_from : f;
		t = s->rec_to;
	} else if (kind == 'f') {
		int i = selected;
		if (i >= 0 && i < p->nendpoints && i < s->nendpoints &&
		    strcmp(p->endpoints[i].name, f) != 0 &&
		    s->endpoints[i].state != HEALTH_DISABLED)
			t = p->endpoints[i].name;
		else
			t = best_online(p, s, f);
	} else {
		t = best_online(p, s, NULL);
		if (t && strcmp(t, f) == 0 && !s->manual_override)
			t = NULL;
	}
	if (t == NULL || strcmp(t, f) == 0) {
		snprintf(note_buf, cap, "%s",
		    kind == 'f' ? "select the endpoint to fail over to"
		                : "nothing to fail back to");
		return false;
	}
	str_copy(from, EV_NAME_MAX, f);
	str_copy(to, EV_NAME_MAX, t);
	return true;
}

void
failflow_open(FailFlow *ff, char kind, const char *from, const char *to,
    const Action *a, const char *service)
{
	int n = 0;

	free_argv(ff);
	ff->kind = kind;
	str_copy(ff->from, sizeof(ff->from), from);
	str_copy(ff->to, sizeof(ff->to), to);
	ff->action = a && a->nsteps > 0 ? a : NULL;
	ff->argv = ff->action
	    ? actions_preview(ff->action, from, to, service, &n)
	    : NULL;
	ff->nsteps = n;
	ff->text[0] = '\0';
	ff->scroll = 0;
	ff->note[0] = '\0';
	if (!failflow_dialog_open(ff))
		ff->back = ff->state;
	transition(ff, FF_DIALOG);
}

bool
failflow_matches(const FailFlow *ff)
{
	if (ff->state == FF_SECOND_CONFIRM)
		return strcmp(ff->text, "yes") == 0;
	return ff->to[0] && strcmp(ff->text, ff->to) == 0;
}

/* The route follows the operator now (after the drain). */
static void
route_follows(FailFlow *ff, RouteCause cause, const char *to)
{
	ff->route_pending = true;
	ff->route_cause = cause;
	str_copy(ff->route_to, sizeof(ff->route_to), to);
}

/* Typing into the dialog: Backspace drops a whole UTF-8 character,
 * printable bytes are appended while they fit, Up/Down scroll. */
static FailEffect
edit(FailFlow *ff, KeyAction act, int ch)
{
	switch (act) {
	case KA_UP:
		if (ff->scroll > 0)
			ff->scroll--;
		return FF_REDRAW;
	case KA_DOWN:
		if (ff->scroll < 200)
			ff->scroll++;
		return FF_REDRAW;
	case KA_ERASE:
		lineedit_erase(ff->text);
		return FF_REDRAW;
	case KA_NONE:
		if (ch < 0x20 || ch > 0xff || ch == 0x7f)
			return FF_NONE;
		lineedit_type(ff->text, sizeof(ff->text), ch);
		return FF_REDRAW;
	default:
		return FF_NONE;
	}
}

/* Enter with a confirming text: run the action, or move the route. */
static FailEffect
confirmed(FailFlow *ff, const FailEnv *env)
{
	if (ff->action && env->has_runner) {
		transition(ff, FF_RUNNING);
		return FF_START;
	}
	/* nothing to run: drtop's route changes at once */
	route_follows(ff, ff->kind == 'f' ? CAUSE_MANUAL : CAUSE_FAILBACK,
	    ff->kind == 'f' ? ff->to : "");
	transition(ff, FF_ROUTE_APPLIED);
	return FF_ROUTE;
}

/* Esc in the dialog: back to what it was opened over. */
static FailEffect
cancel(FailFlow *ff)
{
	transition(ff, ff->back);
	note(ff, "cancelled");
	return FF_CLOSE;
}

/*
 * The dialog's keys, in either of its states: Esc cancels, other keys
 * edit the text. Enter is refused (a note) unless the text confirms and
 * no action runs; then *go is set and the caller decides.
 */
static FailEffect
typed(FailFlow *ff, KeyAction act, int ch, const FailEnv *env, bool *go)
{
	*go = false;
	if (act == KA_CLOSE)
		return cancel(ff);
	if (act != KA_CONFIRM)
		return edit(ff, act, ch);
	if (!failflow_matches(ff)) {
		note(ff, "type %s exactly, or Esc",
		    ff->state == FF_SECOND_CONFIRM ? "yes" : ff->to);
		return FF_REDRAW;
	}
	if (env->runner != ACTIONS_IDLE) {
		note(ff, "an action is running: one at a time (Esc)");
		return FF_NONE;
	}
	*go = true;
	return FF_NONE;
}

static FailEffect
key_dialog(FailFlow *ff, KeyAction act, int ch, const FailEnv *env)
{
	bool go;
	FailEffect fx = typed(ff, act, ch, env, &go);

	if (!go)
		return fx;
	if (!env->target_online) {
		/* the target is not ONLINE: ask a second time */
		ff->text[0] = '\0';
		transition(ff, FF_SECOND_CONFIRM);
		return FF_ASK_AGAIN;
	}
	return confirmed(ff, env);
}

static FailEffect
key_second_confirm(FailFlow *ff, KeyAction act, int ch, const FailEnv *env)
{
	bool go;
	FailEffect fx = typed(ff, act, ch, env, &go);

	return go ? confirmed(ff, env) : fx;
}

/* The action panel's keys with no action running or waiting: Esc hides
 * a result that is shown. */
static FailEffect
key_idle(FailFlow *ff, KeyAction act, int ch, const FailEnv *env)
{
	(void)ff;
	(void)ch;
	if (act == KA_DISMISS && env->panel_shown &&
	    env->runner == ACTIONS_IDLE)
		return FF_HIDE;
	return FF_UNUSED;
}

static FailEffect
key_running(FailFlow *ff, KeyAction act, int ch, const FailEnv *env)
{
	(void)ff;
	(void)ch;
	if (act == KA_ABORT && env->runner != ACTIONS_IDLE)
		return FF_ABORT; /* the outcome follows */
	return FF_UNUSED;
}

static FailEffect
key_route_applied(FailFlow *ff, KeyAction act, int ch, const FailEnv *env)
{
	(void)ch;
	if (act == KA_DISMISS && env->runner == ACTIONS_IDLE) {
		transition(ff, FF_IDLE);
		return env->panel_shown ? FF_HIDE : FF_NONE;
	}
	return FF_UNUSED;
}

static FailEffect
key_failed(FailFlow *ff, KeyAction act, int ch, const FailEnv *env)
{
	(void)ch;
	if (env->runner != ACTIONS_FAILED)
		return FF_UNUSED;
	if (act == KA_RETRY) {
		transition(ff, FF_RUNNING);
		return FF_RETRY;
	}
	if (act == KA_ABORT) {
		transition(ff, FF_IDLE);
		return FF_ABORT;
	}
	return FF_UNUSED;
}

typedef FailEffect (*StateKey)(
    FailFlow *ff, KeyAction act, int ch, const FailEnv *env);

static const StateKey state_keys[FF__COUNT] = {
    [FF_IDLE] = key_idle,
    [FF_DIALOG] = key_dialog,
    [FF_SECOND_CONFIRM] = key_second_confirm,
    [FF_RUNNING] = key_running,
    [FF_ROUTE_APPLIED] = key_route_applied,
    [FF_FAILED] = key_failed,
};

FailEffect
failflow_key(FailFlow *ff, KeyAction act, int ch, const FailEnv *env)
{
	ff->note[0] = '\0';
	return state_keys[ff->state](ff, act, ch, env);
}

void
failflow_start_failed(FailFlow *ff, const char *err)
{
	note(ff, "%s: %s", ff->kind == 'b' ? "failback" : "failover", err);
	if (ff->state == FF_RUNNING)
		transition(ff,
		    ff->back == FF_ROUTE_APPLIED ? FF_ROUTE_APPLIED : FF_IDLE);
}

void
failflow_runner(FailFlow *ff, ActionsState st)
{
	FailState cur = failflow_dialog_open(ff) ? ff->back : ff->state;

	if (st == ACTIONS_RUNNING && cur != FF_RUNNING)
		action_moved(ff, FF_RUNNING);
	else if (st == ACTIONS_FAILED && cur != FF_FAILED)
		action_moved(ff, FF_FAILED);
	else if (st == ACTIONS_IDLE && (cur == FF_RUNNING || cur == FF_FAILED))
		action_moved(ff, FF_IDLE); /* its outcome may follow */
}

bool
failflow_outcome(FailFlow *ff, const ActionEvent *x, bool follow)
{
	RouteCause cause;
	char to[EV_NAME_MAX];
	bool ok;

	if (!event_action_outcome(x, &ok))
		return false;
	if (follow && autofail_manual_route(x, &cause, to, sizeof(to))) {
		/* an operator's action succeeded: the route follows it */
		route_follows(ff, cause, to);
		action_moved(ff, FF_ROUTE_APPLIED);
		return false;
	}
	if (follow) {
		FailState cur = failflow_dialog_open(ff) ? ff->back : ff->state;
		if (cur == FF_RUNNING || cur == FF_FAILED)
			action_moved(ff, FF_IDLE);
	}
	if (ok)
		return false;
	note(ff, "%s %s failed: %s", x->by, x->name,
	    strcmp(x->by, "operator") == 0 ? "the route is unchanged"
	                                   : "see the event log");
	return true;
}

bool
failflow_take_route(FailFlow *ff, RouteCause *cause, char *to, size_t cap)
{
	if (!ff->route_pending)
		return false;
	ff->route_pending = false;
	*cause = ff->route_cause;
	str_copy(to, cap, ff->route_to);
	return true;
}
