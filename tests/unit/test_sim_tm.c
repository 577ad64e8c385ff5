/*
 * sim: the traffic-manager decision: automatic (the first healthy
 * region, fail open), forced, manual, and read by another thread while
 * faults change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "sim/sim.h"
#include "sim_fx.h"

static void
test_tm_choice(void **state)
{
	Sim *s = *state;
	char r[SIM_NAME_MAX], err[256];

	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "eu20");
	sm_set(s, "eu20", "status 500");
	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "us21");
	sm_set(s, "us21", "slow 500");
	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "us21");
	sm_set(s, "us21", "slow 1500");
	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "ap10");
	sm_set(s, "ap10", "refuse");
	assert_false(sim_tm_choice(s, r, sizeof(r))); /* fail open */
	assert_string_equal(r, "eu20");
	sm_set(s, "eu20", "status 204");
	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "eu20");
	assert_int_equal(sim_tm_force(s, "ap10", err, sizeof(err)), 0);
	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "ap10");
	sim_tm_forced(s, r, sizeof(r));
	assert_string_equal(r, "ap10");
	assert_int_equal(sim_tm_force(s, "mars", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mars"));
	assert_int_equal(sim_tm_force(s, "auto", err, sizeof(err)), 0);
	sim_tm_forced(s, r, sizeof(r));
	assert_string_equal(r, "");
	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "eu20");
	assert_int_equal(sim_tm_force(s, NULL, err, sizeof(err)), 0);
}

/*
 * A manual manager answers what it was last told and never moves by
 * health: its primary (the first region) until told otherwise, even
 * failing; a forced region stays forced when it fails; "auto" returns
 * it to its primary, not to the best healthy region. Switching back to
 * automatic follows health again.
 */
static void
test_tm_manual(void **state)
{
	Sim *s = *state;
	char r[SIM_NAME_MAX], err[256], body[2048];

	assert_int_equal(sim_tm_manager(s), SIM_TM_AUTOMATIC);
	sim_tm_set_manager(s, SIM_TM_MANUAL);
	assert_int_equal(sim_tm_manager(s), SIM_TM_MANUAL);
	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "eu20");
	/* eu20 fails: a manual manager keeps answering it. */
	sm_set(s, "eu20", "refuse");
	assert_false(sim_tm_choice(s, r, sizeof(r))); /* not healthy */
	assert_string_equal(r, "eu20");
	sm_set(s, "eu20", "status 500");
	assert_false(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "eu20");
	/* Told us21 (the failover action): us21, also when it fails. */
	assert_int_equal(sim_tm_force(s, "us21", err, sizeof(err)), 0);
	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "us21");
	sm_set(s, "us21", "blackhole");
	sm_set(s, "eu20", "ok");
	assert_true(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "us21");
	/* auto: its primary, whatever is healthy. */
	sm_set(s, "eu20", "status 500");
	assert_int_equal(sim_tm_force(s, "auto", err, sizeof(err)), 0);
	assert_false(sim_tm_choice(s, r, sizeof(r)));
	assert_string_equal(r, "eu20");
	/* The control interface shows and switches the manager. */
	assert_int_equal(
	    sm_control(s, "GET", "/tm", "", body, sizeof(body)), 200);
	assert_non_null(strstr(body, "\"manager\":\"manual\""));
	assert_int_equal(sm_control(s, "POST", "/tm/manager", "sideways\n",
	                     body, sizeof(body)),
	    400);
	assert_int_equal(sm_control(s, "POST", "/tm/manager", "automatic\n",
	                     body, sizeof(body)),
	    200);
	assert_non_null(strstr(body, "\"manager\":\"automatic\""));
	/* Automatic again: the first healthy region (ap10: us21 is a
	 * black hole, eu20 fails). */
	assert_non_null(strstr(body, "\"choice\":\"ap10\""));
	assert_int_equal(sim_tm_manager(s), SIM_TM_AUTOMATIC);
	assert_int_equal(sm_control(s, "GET", "/tm/manager?set=manual", "",
	                     body, sizeof(body)),
	    200);
	assert_int_equal(sim_tm_manager(s), SIM_TM_MANUAL);
	assert_string_equal(sim_tm_manager_name(SIM_TM_MANUAL), "manual");
	assert_int_equal(
	    sim_tm_manager_from_name("automatic"), SIM_TM_AUTOMATIC);
	assert_int_equal(sim_tm_manager_from_name("auto"), -1);
	assert_null(sim_tm_manager_name(SIM_TM__MANAGERS));
}

/* Another thread reading the decision while faults change. */
static void *
tm_reader(void *arg)
{
	Sim *s = arg;
	char r[SIM_NAME_MAX];
	long bad = 0;

	for (int i = 0; i < 20000; i++) {
		sim_tm_choice(s, r, sizeof(r));
		if (strcmp(r, "eu20") != 0 && strcmp(r, "us21") != 0)
			bad++;
	}
	return (void *)bad;
}

static void
test_tm_threads(void **state)
{
	Sim *s = *state;
	pthread_t t;
	void *bad;

	assert_int_equal(pthread_create(&t, NULL, tm_reader, s), 0);
	for (int i = 0; i < 200; i++)
		sm_set(s, "eu20", i % 2 ? "ok" : "refuse");
	pthread_join(t, &bad);
	assert_int_equal((long)bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_tm_choice, sm_setup, sm_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_tm_threads, sm_setup, sm_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_tm_manual, sm_setup, sm_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
