/* the failover flow's state machine without a terminal or a runner:
 * the dialog takes only the target's exact name, a target that is not
 * ONLINE asks for "yes", Esc cancels (and never stops an action), the
 * outcome moves the route or leaves it, a failed runbook step is
 * retried with R or aborted with A, and f/b pick the right endpoints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "failflow.h"

static const char profile_json[] =
    "{\"service\":\"svc\",\"endpoints\":["
    "{\"name\":\"eu20\",\"target\":\"http://127.0.0.1:9/\",\"priority\":1},"
    "{\"name\":\"us21\",\"target\":\"http://127.0.0.1:9/\",\"priority\":2},"
    "{\"name\":\"ap10\",\"target\":\"http://127.0.0.1:9/\",\"priority\":3}],"
    "\"actions\":{\"failover\":{\"argv\":[\"./fo.sh\",\"{from}\",\"{to}\"]},"
    "\"failback\":{\"argv\":[\"./fb.sh\",\"{from}\",\"{to}\"]}}}";

typedef struct {
	Profile *p;
	FailFlow ff;
	FailEnv env;
} Fixture;

static int
setup(void **state)
{
	Fixture *f = calloc(1, sizeof(*f));
	ErrList errs;

	errlist_init(&errs);
	f->p = profile_parse(
	    profile_json, strlen(profile_json), "t.json", "/tmp", &errs);
	errlist_print(&errs, stderr);
	errlist_fini(&errs);
	if (f->p == NULL)
		return -1;
	failflow_init(&f->ff);
	f->env = (FailEnv){
	    .has_runner = true, .runner = ACTIONS_IDLE, .target_online = true};
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	Fixture *f = *state;

	failflow_fini(&f->ff);
	profile_free(f->p);
	free(f);
	return 0;
}

/* Type s into the dialog, key by key. */
static void
type(Fixture *f, const char *s)
{
	for (; *s; s++)
		assert_int_equal(
		    failflow_key(&f->ff, KA_NONE, (unsigned char)*s, &f->env),
		    FF_REDRAW);
}

static FailEffect
key(Fixture *f, KeyAction act)
{
	return failflow_key(&f->ff, act, 0, &f->env);
}

static void
open_failover(Fixture *f)
{
	failflow_open(
	    &f->ff, 'f', "eu20", "us21", &f->p->failover, f->p->service);
	assert_int_equal(f->ff.state, FF_DIALOG);
}

/* An action event: the whole action's outcome. */
static ActionEvent
outcome(const char *name, const char *by, bool ok)
{
	ActionEvent x;

	memset(&x, 0, sizeof(x));
	str_copy(x.name, sizeof(x.name), name);
	str_copy(x.by, sizeof(x.by), by);
	str_copy(x.from, sizeof(x.from), "eu20");
	str_copy(x.to, sizeof(x.to), "us21");
	x.phase = ACT_FINISHED;
	x.exit_code = ok ? 0 : 3;
	return x;
}

static void
test_wrong_name_stays(void **state)
{
	Fixture *f = *state;

	open_failover(f);
	assert_int_equal(f->ff.nsteps, 1);
	assert_string_equal(f->ff.argv[0][1], "eu20");
	assert_string_equal(f->ff.argv[0][2], "us21");
	type(f, "eu20");
	assert_false(failflow_matches(&f->ff));
	assert_int_equal(key(f, KA_CONFIRM), FF_REDRAW);
	assert_int_equal(f->ff.state, FF_DIALOG);
	assert_string_equal(f->ff.note, "type us21 exactly, or Esc");
	/* a prefix is not the name either */
	for (int i = 0; i < 4; i++)
		assert_int_equal(key(f, KA_ERASE), FF_REDRAW);
	assert_string_equal(f->ff.text, "");
	type(f, "us2");
	assert_int_equal(key(f, KA_CONFIRM), FF_REDRAW);
	assert_int_equal(f->ff.state, FF_DIALOG);
	assert_false(f->ff.route_pending);
}

static void
test_right_name_online_runs(void **state)
{
	Fixture *f = *state;
	RouteCause cause;
	char to[EV_NAME_MAX];

	open_failover(f);
	type(f, "us21");
	assert_true(failflow_matches(&f->ff));
	assert_int_equal(key(f, KA_CONFIRM), FF_START);
	assert_int_equal(f->ff.state, FF_RUNNING);
	assert_false(failflow_dialog_open(&f->ff));
	/* nothing moves until the action's outcome */
	assert_false(failflow_take_route(&f->ff, &cause, to, sizeof(to)));
	failflow_runner(&f->ff, ACTIONS_RUNNING);
	assert_int_equal(f->ff.state, FF_RUNNING);
	ActionEvent x = outcome("failover", "operator", true);
	assert_false(failflow_outcome(&f->ff, &x, true));
	assert_int_equal(f->ff.state, FF_ROUTE_APPLIED);
	assert_true(failflow_take_route(&f->ff, &cause, to, sizeof(to)));
	assert_int_equal(cause, CAUSE_MANUAL);
	assert_string_equal(to, "us21");
	/* once */
	assert_false(failflow_take_route(&f->ff, &cause, to, sizeof(to)));
	failflow_runner(&f->ff, ACTIONS_IDLE);
	assert_int_equal(f->ff.state, FF_ROUTE_APPLIED);
	/* Esc hides the result */
	f->env.panel_shown = true;
	assert_int_equal(key(f, KA_DISMISS), FF_HIDE);
	assert_int_equal(f->ff.state, FF_IDLE);
}

static void
test_not_online_asks_yes(void **state)
{
	Fixture *f = *state;

	open_failover(f);
	f->env.target_online = false;
	type(f, "us21");
	assert_int_equal(key(f, KA_CONFIRM), FF_ASK_AGAIN);
	assert_int_equal(f->ff.state, FF_SECOND_CONFIRM);
	assert_string_equal(f->ff.text, "");
	/* the name again is not "yes" */
	type(f, "us21");
	assert_int_equal(key(f, KA_CONFIRM), FF_REDRAW);
	assert_int_equal(f->ff.state, FF_SECOND_CONFIRM);
	assert_string_equal(f->ff.note, "type yes exactly, or Esc");
	for (int i = 0; i < 4; i++)
		key(f, KA_ERASE);
	type(f, "yes");
	assert_true(failflow_matches(&f->ff));
	assert_int_equal(key(f, KA_CONFIRM), FF_START);
	assert_int_equal(f->ff.state, FF_RUNNING);
}

static void
test_esc_cancels_from_each_state(void **state)
{
	Fixture *f = *state;

	/* IDLE: Esc is not the flow's unless a result is shown */
	assert_int_equal(key(f, KA_DISMISS), FF_UNUSED);
	f->env.panel_shown = true;
	assert_int_equal(key(f, KA_DISMISS), FF_HIDE);
	assert_int_equal(f->ff.state, FF_IDLE);
	f->env.panel_shown = false;

	/* DIALOG */
	open_failover(f);
	type(f, "us2");
	assert_int_equal(key(f, KA_CLOSE), FF_CLOSE);
	assert_int_equal(f->ff.state, FF_IDLE);
	assert_string_equal(f->ff.note, "cancelled");
	assert_false(f->ff.route_pending);

	/* SECOND_CONFIRM */
	open_failover(f);
	f->env.target_online = false;
	type(f, "us21");
	assert_int_equal(key(f, KA_CONFIRM), FF_ASK_AGAIN);
	type(f, "ye");
	assert_int_equal(key(f, KA_CLOSE), FF_CLOSE);
	assert_int_equal(f->ff.state, FF_IDLE);
	assert_false(f->ff.route_pending);
	f->env.target_online = true;

	/* RUNNING: Esc never stops an action */
	open_failover(f);
	type(f, "us21");
	assert_int_equal(key(f, KA_CONFIRM), FF_START);
	f->env.runner = ACTIONS_RUNNING;
	failflow_runner(&f->ff, ACTIONS_RUNNING);
	assert_int_equal(key(f, KA_DISMISS), FF_UNUSED);
	assert_int_equal(f->ff.state, FF_RUNNING);

	/* a dialog over the running action: Esc goes back to RUNNING, and
	 * Enter cannot start a second action */
	failflow_open(
	    &f->ff, 'f', "eu20", "ap10", &f->p->failover, f->p->service);
	type(f, "ap10");
	assert_int_equal(key(f, KA_CONFIRM), FF_NONE);
	assert_string_equal(
	    f->ff.note, "an action is running: one at a time (Esc)");
	assert_int_equal(f->ff.state, FF_DIALOG);
	assert_int_equal(key(f, KA_CLOSE), FF_CLOSE);
	assert_int_equal(f->ff.state, FF_RUNNING);

	/* FAILED: Esc neither retries nor aborts */
	f->env.runner = ACTIONS_FAILED;
	failflow_runner(&f->ff, ACTIONS_FAILED);
	assert_int_equal(f->ff.state, FF_FAILED);
	assert_int_equal(key(f, KA_DISMISS), FF_UNUSED);
	assert_int_equal(f->ff.state, FF_FAILED);

	/* ROUTE_APPLIED: Esc hides the result (tested above too) */
	f->env.runner = ACTIONS_IDLE;
	ActionEvent x = outcome("failover", "operator", true);
	failflow_outcome(&f->ff, &x, true);
	assert_int_equal(f->ff.state, FF_ROUTE_APPLIED);
	f->env.panel_shown = true;
	assert_int_equal(key(f, KA_DISMISS), FF_HIDE);
	assert_int_equal(f->ff.state, FF_IDLE);
}

static void
test_failed_step_retry_abort(void **state)
{
	Fixture *f = *state;
	RouteCause cause;
	char to[EV_NAME_MAX];

	open_failover(f);
	type(f, "us21");
	assert_int_equal(key(f, KA_CONFIRM), FF_START);
	f->env.runner = ACTIONS_RUNNING;
	failflow_runner(&f->ff, ACTIONS_RUNNING);
	/* R does nothing while the step runs */
	assert_int_equal(key(f, KA_RETRY), FF_UNUSED);
	/* step 2 failed: the runbook waits */
	f->env.runner = ACTIONS_FAILED;
	failflow_runner(&f->ff, ACTIONS_FAILED);
	assert_int_equal(f->ff.state, FF_FAILED);
	assert_int_equal(key(f, KA_RETRY), FF_RETRY);
	assert_int_equal(f->ff.state, FF_RUNNING);
	f->env.runner = ACTIONS_RUNNING;
	failflow_runner(&f->ff, ACTIONS_RUNNING);
	/* it fails again: A aborts, the route stays */
	f->env.runner = ACTIONS_FAILED;
	failflow_runner(&f->ff, ACTIONS_FAILED);
	assert_int_equal(key(f, KA_ABORT), FF_ABORT);
	assert_int_equal(f->ff.state, FF_IDLE);
	f->env.runner = ACTIONS_IDLE;
	failflow_runner(&f->ff, ACTIONS_IDLE);
	ActionEvent x = outcome("failover", "operator", false);
	assert_true(failflow_outcome(&f->ff, &x, true));
	assert_string_equal(
	    f->ff.note, "operator failover failed: the route is unchanged");
	assert_int_equal(f->ff.state, FF_IDLE);
	assert_false(failflow_take_route(&f->ff, &cause, to, sizeof(to)));

	/* A also stops a running action; its outcome follows */
	open_failover(f);
	type(f, "us21");
	assert_int_equal(key(f, KA_CONFIRM), FF_START);
	f->env.runner = ACTIONS_RUNNING;
	failflow_runner(&f->ff, ACTIONS_RUNNING);
	assert_int_equal(key(f, KA_ABORT), FF_ABORT);
	assert_int_equal(f->ff.state, FF_RUNNING);
	x = outcome("failover", "operator", false);
	assert_true(failflow_outcome(&f->ff, &x, true));
	assert_int_equal(f->ff.state, FF_IDLE);

	/* retried successfully: the route follows */
	open_failover(f);
	f->env.runner = ACTIONS_IDLE;
	type(f, "us21");
	assert_int_equal(key(f, KA_CONFIRM), FF_START);
	f->env.runner = ACTIONS_FAILED;
	failflow_runner(&f->ff, ACTIONS_FAILED);
	assert_int_equal(key(f, KA_RETRY), FF_RETRY);
	x = outcome("failover", "operator", true);
	failflow_outcome(&f->ff, &x, true);
	assert_int_equal(f->ff.state, FF_ROUTE_APPLIED);
	assert_true(failflow_take_route(&f->ff, &cause, to, sizeof(to)));
	assert_string_equal(to, "us21");
}

static void
test_start_failure_and_no_action(void **state)
{
	Fixture *f = *state;
	RouteCause cause;
	char to[EV_NAME_MAX];

	open_failover(f);
	type(f, "us21");
	assert_int_equal(key(f, KA_CONFIRM), FF_START);
	failflow_start_failed(&f->ff, "no such file");
	assert_int_equal(f->ff.state, FF_IDLE);
	assert_string_equal(f->ff.note, "failover: no such file");

	/* no action configured: drtop's route changes at once */
	failflow_open(&f->ff, 'b', "us21", "eu20", NULL, f->p->service);
	assert_null(f->ff.action);
	assert_int_equal(f->ff.nsteps, 0);
	type(f, "eu20");
	assert_int_equal(key(f, KA_CONFIRM), FF_ROUTE);
	assert_int_equal(f->ff.state, FF_ROUTE_APPLIED);
	assert_true(failflow_take_route(&f->ff, &cause, to, sizeof(to)));
	assert_int_equal(cause, CAUSE_FAILBACK);
	assert_string_equal(to, ""); /* the rules' choice */

	/* without a runner (nothing can run) the same */
	open_failover(f);
	f->env.has_runner = false;
	type(f, "us21");
	assert_int_equal(key(f, KA_CONFIRM), FF_ROUTE);
	assert_true(failflow_take_route(&f->ff, &cause, to, sizeof(to)));
	assert_int_equal(cause, CAUSE_MANUAL);
	assert_string_equal(to, "us21");
}

static void
test_outcomes_of_others(void **state)
{
	Fixture *f = *state;
	RouteCause cause;
	char to[EV_NAME_MAX];
	ActionEvent x;

	/* an automatic action: the flow follows the runner, never the
	 * route (the engine's own route change started it) */
	failflow_runner(&f->ff, ACTIONS_RUNNING);
	assert_int_equal(f->ff.state, FF_RUNNING);
	x = outcome("failover", "auto", true);
	assert_false(failflow_outcome(&f->ff, &x, true));
	assert_int_equal(f->ff.state, FF_IDLE);
	assert_false(failflow_take_route(&f->ff, &cause, to, sizeof(to)));
	x = outcome("failover", "auto", false);
	assert_true(failflow_outcome(&f->ff, &x, true));
	assert_string_equal(
	    f->ff.note, "auto failover failed: see the event log");
	/* a replay: the recorded success moves nothing */
	x = outcome("failover", "operator", true);
	assert_false(failflow_outcome(&f->ff, &x, false));
	assert_false(failflow_take_route(&f->ff, &cause, to, sizeof(to)));
	assert_int_equal(f->ff.state, FF_IDLE);
	/* step events are not outcomes */
	x = outcome("failover", "operator", false);
	str_copy(x.step, sizeof(x.step), "switch dns");
	assert_false(failflow_outcome(&f->ff, &x, true));
	assert_string_equal(
	    failflow_state_name(FF_SECOND_CONFIRM), "SECOND_CONFIRM");
}

static void
test_pick(void **state)
{
	Fixture *f = *state;
	EndpointSnap eps[3];
	Snapshot s;
	char from[EV_NAME_MAX], to[EV_NAME_MAX], why[128];

	memset(eps, 0, sizeof(eps));
	memset(&s, 0, sizeof(s));
	s.nendpoints = 3;
	s.endpoints = eps;
	assert_false(failflow_pick(f->p, &s, 'f', 0, from, to, why, 128));
	assert_string_equal(why, "no route yet");
	s.routed = true;
	strcpy(s.route_to, "eu20");
	for (int i = 0; i < 3; i++)
		eps[i].state = HEALTH_ONLINE;
	/* f: the selected endpoint, else the best other ONLINE one */
	assert_true(failflow_pick(f->p, &s, 'f', 2, from, to, why, 128));
	assert_string_equal(from, "eu20");
	assert_string_equal(to, "ap10");
	assert_true(failflow_pick(f->p, &s, 'f', 0, from, to, why, 128));
	assert_string_equal(to, "us21");
	eps[1].state = HEALTH_DEGRADED;
	eps[2].state = HEALTH_DISABLED;
	assert_false(failflow_pick(f->p, &s, 'f', 2, from, to, why, 128));
	assert_string_equal(why, "select the endpoint to fail over to");
	/* b: the rules' choice, when it is not the route already */
	assert_false(failflow_pick(f->p, &s, 'b', 0, from, to, why, 128));
	assert_string_equal(why, "nothing to fail back to");
	strcpy(s.route_to, "us21");
	s.manual_override = true;
	assert_true(failflow_pick(f->p, &s, 'b', 0, from, to, why, 128));
	assert_string_equal(from, "us21");
	assert_string_equal(to, "eu20");
	/* the engine's recommendation wins */
	s.rec_key = 'f';
	strcpy(s.rec_from, "us21");
	strcpy(s.rec_to, "ap10");
	assert_true(failflow_pick(f->p, &s, 'f', 0, from, to, why, 128));
	assert_string_equal(from, "us21");
	assert_string_equal(to, "ap10");
}

/* from is where DNS answers, not the expected route: an automatic
 * manager's route moved to us21 while DNS still answers eu20, so the
 * action to run is eu20 -> us21, and us21 can be selected as its
 * target. */
static void
test_pick_observed(void **state)
{
	Fixture *f = *state;
	EndpointSnap eps[3];
	Snapshot s;
	char from[EV_NAME_MAX], to[EV_NAME_MAX], why[128];

	memset(eps, 0, sizeof(eps));
	memset(&s, 0, sizeof(s));
	s.nendpoints = 3;
	s.endpoints = eps;
	eps[0].state = HEALTH_DEGRADED;
	eps[1].state = eps[2].state = HEALTH_ONLINE;
	s.routed = true;
	strcpy(s.route_to, "us21");
	s.traffic.observed = true;
	strcpy(s.traffic.endpoint, "eu20");
	s.traffic.count = s.traffic.total = 3;
	assert_true(failflow_pick(f->p, &s, 'f', 1, from, to, why, 128));
	assert_string_equal(from, "eu20");
	assert_string_equal(to, "us21");
	/* nothing selected that fits: the best ONLINE one but eu20 */
	assert_true(failflow_pick(f->p, &s, 'f', 0, from, to, why, 128));
	assert_string_equal(from, "eu20");
	assert_string_equal(to, "us21");
	/* no endpoint maps (yet): the expected route is all there is */
	s.traffic.endpoint[0] = '\0';
	assert_true(failflow_pick(f->p, &s, 'f', 2, from, to, why, 128));
	assert_string_equal(from, "us21");
	assert_string_equal(to, "ap10");
	/* b: the rules' choice (us21 here) is where DNS answers: nothing */
	eps[0].state = HEALTH_DISABLED;
	strcpy(s.traffic.endpoint, "us21");
	strcpy(s.route_to, "ap10");
	assert_false(failflow_pick(f->p, &s, 'b', 0, from, to, why, 128));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_wrong_name_stays, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_right_name_online_runs, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_not_online_asks_yes, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_esc_cancels_from_each_state, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_failed_step_retry_abort, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_start_failure_and_no_action, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_outcomes_of_others, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pick, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_pick_observed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
