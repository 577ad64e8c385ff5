/*
 * failflow: the operator's failover and failback as one explicit state
 * machine, from the dialog to the outcome, and the action panel's keys
 * (R retry, A abort, Esc hide) for whichever action runs.
 *
 * DESIGN
 * - No curses and no runner here: the machine takes keys (a KeyAction of
 *   KCTX_CONFIRM or KCTX_RUNBOOK, and the raw key for typed text) and
 *   what the console observes (the runner's state, an action's outcome
 *   event), changes state in one place (static transition()), and
 *   returns an effect that the console carries out: start the action,
 *   retry, abort, close the dialog. So it is unit-tested without a
 *   terminal or child processes.
 * - One key function per state; the dialog's data (both endpoints, the
 *   action and the exact argument vectors it would run, the typed text)
 *   lives here and view_failover draws it read-only.
 * - The route follows an operator's action only when it succeeded (its
 *   `finished` outcome event), or at once when no action is configured;
 *   either way the machine holds it until the console takes it
 *   (failflow_take_route) after the drain, never inside the engine's
 *   sink.
 *
 * States and transitions:
 *
 *   IDLE ----------- f/b (failflow_open) --------------> DIALOG
 *   DIALOG --------- the target's name, Enter ---------> RUNNING (START)
 *                    ... and no action configured -----> ROUTE_APPLIED
 *                    ... and the target is not ONLINE --> SECOND_CONFIRM
 *   SECOND_CONFIRM - "yes", Enter ---------------------> RUNNING (START)
 *                    ... and no action configured -----> ROUTE_APPLIED
 *   DIALOG, SECOND_CONFIRM - Esc ----------------------> the state the
 *                    dialog was opened over (IDLE, or RUNNING/FAILED/
 *                    ROUTE_APPLIED: the action goes on underneath)
 *   RUNNING -------- the operator's action succeeded --> ROUTE_APPLIED
 *   RUNNING -------- the action failed ----------------> IDLE
 *   RUNNING -------- a runbook step failed (runner) ---> FAILED
 *   RUNNING -------- A (stop the step; the outcome follows)  RUNNING
 *   FAILED --------- R (retry the step) ---------------> RUNNING
 *   FAILED --------- A (abort the runbook) ------------> IDLE
 *   ROUTE_APPLIED -- Esc (hide the result) ------------> IDLE
 *   IDLE, ROUTE_APPLIED - an action starts (runner) ---> RUNNING
 *
 * A wrong name, or anything but "yes" at the second confirmation, keeps
 * the dialog where it is; Enter while another action runs is refused
 * (one at a time). Esc never stops or aborts an action: only A does.
 *
 * Main thread only (the console's loop).
 */
#ifndef DRTOP_FAILFLOW_H
#define DRTOP_FAILFLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "actions/actions.h"
#include "engine/engine.h"
#include "keys.h"
#include "model/event.h"
#include "model/profile.h"

typedef enum {
	FF_IDLE, /* no dialog; no action runs or waits */
	FF_DIALOG, /* the dialog: type the target's name */
	FF_SECOND_CONFIRM, /* the target is not ONLINE: type yes */
	FF_RUNNING, /* an action runs (the operator's or an automatic one) */
	FF_ROUTE_APPLIED, /* the operator's failover/failback succeeded (or
	                     had no action): the route follows it */
	FF_FAILED, /* a runbook step failed: R retries it, A aborts */
	FF__COUNT
} FailState;

/* What the console must do after a key. */
typedef enum {
	FF_UNUSED, /* not the flow's key: offer it to the next context */
	FF_NONE, /* used; nothing more (a note may be set) */
	FF_REDRAW, /* the dialog's text or scroll changed */
	FF_CLOSE, /* the dialog closes: cancelled */
	FF_ASK_AGAIN, /* the dialog asks for "yes" now (its text changed) */
	FF_START, /* start ff->action (failflow_start_failed on error);
	             the dialog closes */
	FF_ROUTE, /* no action: the route follows now; the dialog closes */
	FF_RETRY, /* retry the runbook's failed step */
	FF_ABORT, /* abort the waiting runbook / stop the running action */
	FF_HIDE /* hide the action panel's result */
} FailEffect;

/* What the console knows when a key arrives. */
typedef struct {
	bool has_runner; /* actions can run (live, not a replay) */
	ActionsState runner; /* the runner's state now */
	bool target_online; /* ff->to is ONLINE in the snapshot now */
	bool panel_shown; /* the action panel is over the map */
} FailEnv;

typedef struct {
	FailState state;
	FailState back; /* where Esc returns from the dialog */
	/* the dialog */
	char kind; /* 'f' failover or 'b' failback */
	char from[EV_NAME_MAX], to[EV_NAME_MAX];
	const Action *action; /* the profile's (borrowed); NULL = none */
	char ***argv; /* actions_preview() of it: nsteps vectors */
	int nsteps;
	char text[EV_NAME_MAX * 4]; /* what the operator typed */
	int scroll; /* the dialog's first line shown */
	/* the route to apply after the drain (failflow_take_route) */
	bool route_pending;
	RouteCause route_cause; /* CAUSE_MANUAL or CAUSE_FAILBACK */
	char route_to[EV_NAME_MAX]; /* "" = the rules' choice */
	/* a note for the status line from the last step; "" = none */
	char note[128];
} FailFlow;

/* An idle flow. */
void failflow_init(FailFlow *ff);

/* Free the argument vectors; ff is idle again. */
void failflow_fini(FailFlow *ff);

/* The name of a state: "IDLE", "DIALOG", ... (tests, debug log). */
const char *failflow_state_name(FailState s);

/*
 * Which failover (kind 'f') or failback ('b') the keys f/b offer, from
 * the snapshot s of profile p with endpoint `selected` selected. `from`
 * is where DNS is observed to answer (the engine's rec_from when it
 * recommends; the expected route only when DNS is not observed): that
 * is what the action moves. `to`: the engine's recommendation when it
 * names one, else for 'f' the selected endpoint (when it is not `from`
 * and not disabled) or the best-priority ONLINE one, for 'b' the rules'
 * choice. Writes from/to (EV_NAME_MAX each) and returns true; false with
 * a note in note (cap bytes) when there is nothing to offer.
 */
bool failflow_pick(const Profile *p, const Snapshot *s, char kind, int selected,
    char *from, char *to, char *note, size_t cap);

/*
 * Open the dialog for kind ('f' or 'b') from `from` to `to` running
 * action a (NULL or without steps: none configured; borrowed, with
 * service for its argument templates). The state the flow was in is
 * kept for Esc.
 */
void failflow_open(FailFlow *ff, char kind, const char *from, const char *to,
    const Action *a, const char *service);

/* True while the dialog is open (DIALOG or SECOND_CONFIRM). */
bool failflow_dialog_open(const FailFlow *ff);

/* True when the typed text confirms: the target's name in DIALOG,
 * "yes" in SECOND_CONFIRM. */
bool failflow_matches(const FailFlow *ff);

/*
 * A key: act is its action in KCTX_CONFIRM while the dialog is open,
 * else in KCTX_RUNBOOK; ch the raw key (typed text). Sets ff->note
 * ("" for none) and returns what the console must do.
 */
FailEffect failflow_key(
    FailFlow *ff, KeyAction act, int ch, const FailEnv *env);

/* FF_START could not start the action (err says why): back to where the
 * dialog was opened over, with the reason in the note. */
void failflow_start_failed(FailFlow *ff, const char *err);

/* The runner's state, each loop and before a key: an action that
 * started, a step that failed, a runbook retried or ended. */
void failflow_runner(FailFlow *ff, ActionsState st);

/*
 * An action event from the engine's sink. On an outcome (the whole
 * action's `finished`): a success by the operator sets the route to
 * follow (when follow: live, not a replay) and moves RUNNING to
 * ROUTE_APPLIED; a failure moves to IDLE and sets the note. Returns true
 * when it set a note.
 */
bool failflow_outcome(FailFlow *ff, const ActionEvent *x, bool follow);

/* The route to apply now, once: true with cause and to (cap bytes; ""
 * for the rules' choice) when one is pending. */
bool failflow_take_route(FailFlow *ff, RouteCause *cause, char *to, size_t cap);

#endif
