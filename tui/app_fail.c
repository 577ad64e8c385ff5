#include "app_fail.h"

#include <stdio.h>
#include <string.h>

#include "app_draw.h"
#include "view_action.h"
#include "view_failover.h"

void
app_fail_open(App *a, char kind)
{
	const Profile *p = a->cfg->profile;
	char from[EV_NAME_MAX], to[EV_NAME_MAX], why[128];

	if (!failflow_pick(p, app_state_snap(a), kind, a->ui.selected, from, to,
	        why, sizeof(why))) {
		app_state_message(a, "%s", why);
		return;
	}
	failflow_open(&a->ff, kind, from, to,
	    kind == 'f' ? &p->failover : &p->failback, p->service);
	app_draw_open_dialog(a, DLG_FAILOVER);
}

/* What the flow needs to know about the console now. */
static FailEnv
env_now(App *a)
{
	FailEnv env = {
	    .has_runner = a->cfg->actions != NULL,
	    .runner =
	        a->cfg->actions ? actions_state(a->cfg->actions) : ACTIONS_IDLE,
	    .panel_shown = a->ui.act_show,
	};

	/* the machine sees the runner as it is now, not a loop ago */
	if (a->cfg->actions)
		failflow_runner(&a->ff, env.runner);
	env.target_online =
	    failflow_dialog_open(&a->ff) && view_failover_target_online(&a->ui);
	return env;
}

static void
start(App *a)
{
	char err[256];
	const char *name = a->ff.kind == 'f' ? "failover" : "failback";

	/* the route follows the action's successful outcome */
	if (actions_start(a->cfg->actions, name, a->ff.action, a->ff.from,
	        a->ff.to, "operator", err, sizeof(err)) != 0) {
		failflow_start_failed(&a->ff, err);
		app_state_message(a, "%s", a->ff.note);
	} else
		app_state_message(a, "%s action started", name);
}

/* The panel after R or A: shown, repainted, with the runner's word. */
static void
panel_changed(App *a, const char *note)
{
	if (note[0])
		app_state_message(a, "%s", note);
	a->ui.act_show = true;
	a->dirty[PANE_MAP] = a->full[PANE_MAP] = true;
	a->dirty[PANE_STATUS] = true;
}

/* Carry out what the flow asked for. */
static void
effect(App *a, FailEffect fx)
{
	ActionRunner *r = a->cfg->actions;
	char err[EV_TEXT_MAX], note[EV_TEXT_MAX + 32];
	const char *name = a->ff.kind == 'f' ? "failover" : "failback";

	if (a->ff.note[0] && fx != FF_START && fx != FF_CLOSE)
		app_state_message(a, "%s", a->ff.note);
	switch (fx) {
	case FF_UNUSED:
	case FF_NONE:
		break;
	case FF_REDRAW:
		a->dlg_dirty = true;
		break;
	case FF_CLOSE:
		app_draw_close_dialog(a);
		app_state_message(a, "%s", a->ff.note);
		break;
	case FF_ASK_AGAIN:
		app_draw_reshape_dialog(a);
		break;
	case FF_START:
	case FF_ROUTE:
		if (fx == FF_START)
			start(a);
		app_state_debug(a, "%s %s -> %s by the operator", name,
		    a->ff.from, a->ff.to);
		app_draw_close_dialog(a);
		break;
	case FF_RETRY:
		if (actions_retry_step(r, err, sizeof(err)) != 0)
			snprintf(note, sizeof(note), "retry: %s", err);
		else
			snprintf(note, sizeof(note), "retrying step %d",
			    a->ui.act.failed_step + 1);
		panel_changed(a, note);
		break;
	case FF_ABORT:
		if (actions_abort(r, err, sizeof(err)) != 0)
			snprintf(note, sizeof(note), "abort: %s", err);
		else
			snprintf(
			    note, sizeof(note), "%s aborted", a->ui.act.name);
		panel_changed(a, note);
		break;
	case FF_HIDE:
		a->ui.act_show = false;
		a->dirty[PANE_MAP] = a->full[PANE_MAP] = true;
		a->dirty[PANE_STATUS] = true;
		break;
	}
}

void
app_fail_dialog_key(App *a, KeyAction act, int ch)
{
	FailEnv env = env_now(a);

	effect(a, failflow_key(&a->ff, act, ch, &env));
}

bool
app_fail_panel_key(App *a, int ch)
{
	KeyAction act = keys_lookup(KCTX_RUNBOOK, ch);
	FailEnv env;
	FailEffect fx;

	if (act == KA_NONE)
		return false;
	env = env_now(a);
	fx = failflow_key(&a->ff, act, ch, &env);
	effect(a, fx);
	return fx != FF_UNUSED;
}

void
app_fail_apply_route(App *a)
{
	char err[256], to[EV_NAME_MAX];
	RouteCause cause;
	int rc;

	if (!failflow_take_route(&a->ff, &cause, to, sizeof(to)))
		return;
	rc = session_route_manual(a->cfg->session, a->ui.t, to[0] ? to : NULL,
	    cause, err, sizeof(err));
	if (rc != 0) {
		app_state_message(a, "route: %s", err);
		return;
	}
	/* the route is what is expected now; traffic follows when DNS
	 * does (the title and the DNS panel show whether it did) */
	app_state_message(a, "%s: expected route %s %s",
	    cause == CAUSE_MANUAL ? "failed over" : "failed back",
	    a->ui.g->arrow, app_state_snap(a)->route_to);
}

void
app_fail_update(App *a)
{
	ActionStatus st;
	char line[EV_TEXT_MAX] = "";

	if (a->cfg->actions == NULL)
		return;
	actions_status(a->cfg->actions, &st);
	if (st.state == ACTIONS_RUNNING)
		snprintf(line, sizeof(line), "%s running %.0fs%s%s", st.name,
		    st.elapsed, st.runbook ? " step " : "",
		    st.runbook ? st.step_name : "");
	else if (st.state == ACTIONS_FAILED)
		snprintf(line, sizeof(line), "%s step %d failed", st.name,
		    st.failed_step + 1);
	if (strcmp(line, a->ui.action_line) != 0) {
		str_copy(a->ui.action_line, sizeof(a->ui.action_line), line);
		a->dirty[PANE_STATUS] = true;
	}
	failflow_runner(&a->ff, st.state);
	if (view_action_update(&a->ui, a->cfg->actions)) {
		a->dirty[PANE_MAP] = a->full[PANE_MAP] = true;
		a->dirty[PANE_STATUS] = true;
		if (a->dialog == DLG_FAILOVER)
			a->dlg_dirty = true;
	}
}
