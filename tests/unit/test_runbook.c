/*
 * actions: runbooks with real child processes. A failing step stops the
 * runbook until it is retried or aborted, one action runs at a time, and
 * freeing the runner kills its child and leaves no fd behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "actions/actions.h"
#include "actions_fx.h"
#include "base/clock.h"
#include "base/util.h"
#include "helpers.h"

/* Wait until the runner leaves RUNNING, as wait_done, and check that it
 * stopped in state want. */
static void
wait_state(ActionRunner *r, Queue *q, Got *g, ActionsState want)
{
	ax_wait_done(r, q, g, WAIT_S);
	assert_int_equal(actions_state(r), want);
}

static void
test_runbook_fails_retry_succeeds(void **state)
{
	Queue *q = queue_new(256);
	Profile p = ax_mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = ax_mk_runbook(), other = ax_single(ax_vec("true", NULL), 30);
	Got g = {0};
	char err[256] = "", *log;
	size_t len;
	ActionStatus st;
	const ActionEvent *ev;

	(void)state;
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	wait_state(r, q, &g, ACTIONS_FAILED);
	assert_true(ax_exists_in("s1.done"));
	assert_false(ax_exists_in("s2.done"));
	assert_false(ax_exists_in("s3.done"));
	/* started(all), started/output/finished per step run, no end. */
	assert_int_equal(g.ev[0].u.action.phase, ACT_STARTED);
	assert_string_equal(g.ev[0].u.action.step, "");
	assert_int_equal(g.ev[1].u.action.phase, ACT_STARTED);
	assert_string_equal(g.ev[1].u.action.step, "stop ops");
	ev = ax_find_ev(&g, ACT_FINISHED, "stop ops", 0, NULL);
	assert_non_null(ev);
	assert_int_equal(ev->exit_code, 0);
	ev = ax_find_ev(&g, ACT_FINISHED, "switch", 0, NULL);
	assert_non_null(ev);
	assert_int_equal(ev->exit_code, 3);
	assert_int_equal(ax_count_ev(&g, ACT_STARTED, "verify"), 0);
	assert_int_equal(ax_count_ev(&g, ACT_FINISHED, ""), 0);
	assert_true(ax_has_line(&g, "missing fix"));
	assert_string_equal(g.ev[g.n - 1].u.action.step, "switch");

	actions_status(r, &st);
	assert_int_equal(st.state, ACTIONS_FAILED);
	assert_true(st.runbook);
	assert_int_equal(st.nsteps, 3);
	assert_int_equal(st.failed_step, 1);
	assert_int_equal(st.step, 1);
	assert_string_equal(st.step_name, "switch");
	assert_int_equal(st.step_result.exit_code, 3);
	assert_false(st.has_result);
	assert_int_equal(st.nlines, 2);
	assert_string_equal(st.lines[0], "step s2");
	assert_string_equal(st.lines[1], "missing fix");

	/* One action at a time: a waiting runbook refuses a new one. */
	assert_int_equal(actions_start(r, "failback", &other, "us21", "eu20",
	                     "operator", err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "retry or abort"));
	assert_non_null(strstr(err, "step 2/3 \"switch\""));

	/* Retry without the fix fails again at the same step. */
	ax_got_free(&g);
	assert_int_equal(actions_retry_step(r, err, sizeof(err)), 0);
	wait_state(r, q, &g, ACTIONS_FAILED);
	assert_int_equal(ax_count_ev(&g, ACT_STARTED, ""), 0);
	assert_int_equal(ax_count_ev(&g, ACT_STARTED, "switch"), 1);
	assert_int_equal(ax_count_ev(&g, ACT_STARTED, "stop ops"), 0);

	/* With the fix the step passes and the runbook goes on. */
	ax_write_script("fix", "", 0644);
	ax_got_free(&g);
	assert_int_equal(actions_retry_step(r, err, sizeof(err)), 0);
	wait_state(r, q, &g, ACTIONS_IDLE);
	assert_true(ax_exists_in("s2.done"));
	assert_true(ax_exists_in("s3.done"));
	log = ax_slurp("runs.log", &len);
	assert_string_equal(log, "s1\ns2\ns2\ns2\ns3\n");
	free(log);
	ev = ax_find_ev(&g, ACT_FINISHED, "verify", 0, NULL);
	assert_non_null(ev);
	assert_int_equal(ev->exit_code, 0);
	/* A step's `finished` is not the outcome; the last event is. */
	{
		bool ok = true;
		int outcomes = 0;

		assert_false(event_action_outcome(ev, &ok));
		assert_false(ok);
		for (size_t i = 0; i < g.n; i++)
			outcomes +=
			    event_action_outcome(&g.ev[i].u.action, NULL);
		assert_int_equal(outcomes, 1);
		assert_true(event_action_outcome(&g.ev[g.n - 1].u.action, &ok));
		assert_true(ok);
	}
	ev = &g.ev[g.n - 1].u.action;
	assert_int_equal(ev->phase, ACT_FINISHED);
	assert_string_equal(ev->step, "");
	assert_int_equal(ev->exit_code, 0);
	assert_string_equal(ev->error, "");
	actions_status(r, &st);
	assert_true(st.has_result);
	assert_true(st.result.ok);
	assert_int_equal(st.failed_step, -1);
	/* Nothing to retry or abort any more. */
	assert_int_equal(actions_retry_step(r, err, sizeof(err)), -1);
	assert_int_equal(actions_abort(r, err, sizeof(err)), -1);
	assert_string_equal(err, "abort: no action is running");

	actions_free(r);
	queue_free(q);
	ax_action_fini(&a);
	ax_action_fini(&other);
	ax_got_free(&g);
}

static void
test_runbook_abort(void **state)
{
	Queue *q = queue_new(256);
	Profile p = ax_mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = ax_mk_runbook();
	Got g = {0};
	char err[256];
	ActionStatus st;
	const ActionEvent *ev;

	(void)state;
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	wait_state(r, q, &g, ACTIONS_FAILED);
	assert_int_equal(actions_abort(r, err, sizeof(err)), 0);
	ax_got_drain(q, &g);
	assert_int_equal(actions_state(r), ACTIONS_IDLE);
	ev = &g.ev[g.n - 1].u.action;
	assert_int_equal(ev->phase, ACT_FINISHED);
	assert_string_equal(ev->step, "");
	assert_int_equal(ev->exit_code, 3);
	assert_string_equal(ev->error,
	    "aborted by operator after step 2/3 \"switch\" failed: exit "
	    "status 3");
	{
		bool ok = true;

		assert_true(event_action_outcome(ev, &ok));
		assert_false(ok);
	}
	assert_false(ax_exists_in("s3.done"));
	assert_int_equal(ax_count_ev(&g, ACT_STARTED, "verify"), 0);
	actions_status(r, &st);
	assert_true(st.has_result);
	assert_false(st.result.ok);
	assert_int_equal(st.failed_step, 1);
	actions_free(r);
	queue_free(q);
	ax_action_fini(&a);
	ax_got_free(&g);
}

static void
test_one_at_a_time_and_abort_running(void **state)
{
	Queue *q = queue_new(256);
	Profile p = ax_mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = ax_single(ax_vec("sleep", "30", NULL), 60);
	Action b = ax_single(ax_vec("true", NULL), 60);
	Got g = {0};
	char err[256];
	const ActionEvent *fin;

	(void)state;
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	assert_true(actions_running(r));
	assert_int_equal(actions_start(r, "failover", &b, "eu20", "ap10",
	                     "auto", err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "already running"));
	assert_non_null(strstr(err, "eu20 -> us21"));
	ax_wait_pid(r);
	assert_int_equal(actions_abort(r, err, sizeof(err)), 0);
	ax_wait_done(r, q, &g, WAIT_S);
	fin = ax_find_ev(&g, ACT_FINISHED, "", 0, NULL);
	assert_non_null(fin);
	assert_int_equal(fin->signal, SIGTERM);
	assert_string_equal(fin->error, "aborted by operator");
	assert_int_equal(ax_count_ev(&g, ACT_FINISHED, ""), 1);

	/* Idle again: the next action runs. */
	ax_got_free(&g);
	assert_int_equal(actions_start(r, "failover", &b, "eu20", "ap10",
	                     "auto", err, sizeof(err)),
	    0);
	ax_wait_done(r, q, &g, WAIT_S);
	fin = ax_find_ev(&g, ACT_FINISHED, "", 0, NULL);
	assert_non_null(fin);
	assert_int_equal(fin->exit_code, 0);
	assert_string_equal(fin->to, "ap10");
	actions_free(r);
	queue_free(q);
	ax_action_fini(&a);
	ax_action_fini(&b);
	ax_got_free(&g);
}

static void
test_free_kills_child(void **state)
{
	Queue *q = queue_new(256);
	Profile p = ax_mk_profile();
	int fds0 = ax_count_fds();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = ax_single(ax_vec(NULL), 60);
	Got g = {0};
	char err[256];
	const ActionEvent *fin;
	pid_t pid;
	int status;

	(void)state;
	a.steps[0].argv[0] = ax_helper("ignore_term.sh");
	actions_set_grace(r, 0.3);
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	pid = ax_wait_pid(r);
	ax_wait_for_line(r, q, &g, "ready");
	actions_free(r);
	/* Reaped (not a zombie), its group gone, no child left, no fd. */
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_true(ax_group_gone(pid));
	assert_int_equal(waitpid(-1, &status, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_int_equal(ax_count_fds(), fds0);
	ax_got_drain(q, &g);
	fin = ax_find_ev(&g, ACT_FINISHED, "", 0, NULL);
	assert_non_null(fin);
	assert_int_equal(fin->signal, SIGKILL);
	assert_string_equal(fin->error, "stopped: drtop is exiting");
	queue_free(q);
	ax_action_fini(&a);
	ax_got_free(&g);
}

static void
test_free_idle_and_waiting(void **state)
{
	Queue *q = queue_new(256);
	Profile p = ax_mk_profile();
	int fds0 = ax_count_fds();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = ax_mk_runbook();
	Got g = {0};
	char err[256];
	const ActionEvent *fin;

	(void)state;
	actions_free(NULL);
	actions_free(r);
	assert_int_equal(ax_count_fds(), fds0);
	/* Freed while a runbook waits: it is ended, with an event. */
	r = actions_new(&p, q, mono_now());
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	wait_state(r, q, &g, ACTIONS_FAILED);
	actions_free(r);
	ax_got_drain(q, &g);
	fin = &g.ev[g.n - 1].u.action;
	assert_int_equal(fin->phase, ACT_FINISHED);
	assert_string_equal(fin->step, "");
	assert_non_null(strstr(fin->error, "stopped: drtop is exiting"));
	assert_int_equal(ax_count_fds(), fds0);
	queue_free(q);
	ax_action_fini(&a);
	ax_got_free(&g);
}

static void
test_runbook_env_step(void **state)
{
	static const char *const names[] = {"record"};
	char **argv = ax_vec(NULL);
	Action a;
	Queue *q = queue_new(256);
	Profile p = ax_mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Got g = {0};
	char err[256], *buf;
	size_t len;

	(void)state;
	argv[0] = ax_helper("record.sh");
	a = ax_mk_action(1, names, &argv, 30);
	assert_int_equal(actions_start(r, "failback", &a, "us21", "eu20",
	                     "operator", err, sizeof(err)),
	    0);
	ax_wait_done(r, q, &g, WAIT_S);
	buf = ax_slurp("env.out", &len);
	assert_non_null(memmem(buf, len, "ACTION=failback\0STEP=record\0", 28));
	free(buf);
	/* A named single step is a runbook: bracket plus step events. */
	assert_int_equal(ax_count_ev(&g, ACT_STARTED, ""), 1);
	assert_int_equal(ax_count_ev(&g, ACT_STARTED, "record"), 1);
	assert_int_equal(ax_count_ev(&g, ACT_FINISHED, "record"), 1);
	assert_int_equal(ax_count_ev(&g, ACT_FINISHED, ""), 1);
	assert_true(ax_has_line(&g, "done"));
	assert_string_equal(
	    ax_find_ev(&g, ACT_OUTPUT, "record", 0, NULL)->line, "done");
	actions_free(r);
	queue_free(q);
	ax_action_fini(&a);
	ax_got_free(&g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_runbook_fails_retry_succeeds, ax_setup, ax_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_runbook_abort, ax_setup, ax_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_one_at_a_time_and_abort_running, ax_setup, ax_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_free_kills_child, ax_setup, ax_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_free_idle_and_waiting, ax_setup, ax_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_runbook_env_step, ax_setup, ax_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
