/*
 * sim: the control interface (regions, faults and the traffic manager
 * over HTTP, and routes other modules add) and the log of what changed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "helpers.h"
#include "sim/sim.h"
#include "sim_fx.h"

static void
custom_route(Sim *s, const SimRequest *req, SimResponse *resp, void *ctx)
{
	(void)s;
	resp->status = 201;
	resp->content_type = "text/plain";
	resp->body = xasprintf("%s %s %s q=%s body=%s\n", (const char *)ctx,
	    req->method, req->path, req->query, req->body);
}

static void
test_control(void **state)
{
	Sim *s = *state;
	char body[8192], buf[1024];
	int why;

	assert_true(sim_control_port(s) > 0);
	assert_int_equal(
	    sm_control(s, "GET", "/regions", "", body, sizeof(body)), 200);
	assert_true(str_starts(body, "{\"regions\":[{\"name\":\"eu20\""));
	assert_non_null(strstr(body, "\"fault\":\"ok\""));
	assert_non_null(strstr(body,
	    "\"tm\":{\"manager\":\"automatic\",\"forced\":null,"
	    "\"choice\":\"eu20\""));
	char *direct = sim_state_json(s);
	assert_string_equal(direct, body);
	free(direct);
	assert_int_equal(
	    sm_control(s, "GET", "/", "", body, sizeof(body)), 200);

	assert_int_equal(sm_control(s, "POST", "/regions/eu20/fault",
	                     "status 503\n", body, sizeof(body)),
	    200);
	assert_non_null(strstr(body, "\"fault\":\"status 503\""));
	sm_get(sim_region_port(s, 0), "/", buf, sizeof(buf), &why);
	assert_int_equal(sm_status_of(buf), 503);

	assert_int_equal(sm_control(s, "POST", "/regions/eu20/fault", "bogus",
	                     body, sizeof(body)),
	    400);
	assert_non_null(strstr(body, "\"error\":"));
	assert_int_equal(sm_control(s, "POST", "/regions/mars/fault", "ok",
	                     body, sizeof(body)),
	    404);
	int kept = th_dial(sim_region_port(s, 0));
	assert_true(kept >= 0);
	assert_int_equal(sm_control(s, "GET", "/regions/eu20/fault?set=refuse",
	                     "", body, sizeof(body)),
	    200);
	assert_int_equal(th_dial(sim_region_port(s, 0)), -ECONNREFUSED);
	assert_int_equal(
	    sm_read_until(kept, buf, sizeof(buf), SM_DEADLINE_MS, &why), 0);
	assert_true(why == 0 || why == ECONNRESET);
	close(kept);
	assert_int_equal(
	    sm_control(s, "GET", "/regions/eu20/fault?set=slow%20300", "", body,
	        sizeof(body)),
	    200);
	assert_non_null(strstr(body, "\"fault\":\"slow 300\""));
	assert_int_equal(sim_get_fault(s, 0).kind, SIM_FAULT_SLOW);
	sm_get(sim_region_port(s, 0), "/", buf, sizeof(buf), &why);
	assert_int_equal(sm_status_of(buf), 200);

	assert_int_equal(
	    sm_control(s, "POST", "/tm/force", "ap10\n", body, sizeof(body)),
	    200);
	assert_non_null(strstr(body, "\"forced\":\"ap10\""));
	assert_int_equal(
	    sm_control(s, "POST", "/tm/force", "mars", body, sizeof(body)),
	    404);
	assert_int_equal(
	    sm_control(s, "POST", "/tm/force", "auto", body, sizeof(body)),
	    200);
	assert_non_null(strstr(body, "\"forced\":null"));
	assert_int_equal(
	    sm_control(s, "GET", "/nothing", "", body, sizeof(body)), 404);
	assert_int_equal(
	    sm_control(s, "DELETE", "/regions", "", body, sizeof(body)), 405);

	/* A route added by another module, tried before the built-ins. */
	assert_int_equal(
	    sim_add_route(s, "POST", "/dns/", custom_route, (void *)"dns"), 0);
	assert_int_equal(sm_control(s, "POST", "/dns/answer?x=1", "servfail",
	                     body, sizeof(body)),
	    201);
	assert_string_equal(body, "dns POST /dns/answer q=x=1 body=servfail\n");
	/* Method filter: GET does not reach it. */
	assert_int_equal(
	    sm_control(s, "GET", "/dns/answer", "", body, sizeof(body)), 404);
}

typedef struct {
	pthread_mutex_t lock;
	char text[4096];
} LogBuf;

static void
log_to_buf(void *ctx, const char *msg)
{
	LogBuf *b = ctx;

	pthread_mutex_lock(&b->lock);
	size_t n = strlen(b->text);
	snprintf(b->text + n, sizeof(b->text) - n, "%s\n", msg);
	pthread_mutex_unlock(&b->lock);
}

static void
test_log(void **state)
{
	static LogBuf b = {.lock = PTHREAD_MUTEX_INITIALIZER};
	char err[256], body[1024];
	SimConfig cfg = {.regions = sm_three,
	    .nregions = 3,
	    .control_port = 0,
	    .log = log_to_buf,
	    .log_ctx = &b};
	Sim *s = sim_start(&cfg, err, sizeof(err));

	(void)state;
	assert_non_null(s);
	sm_set(s, "us21", "slow 300");
	/* Through the control interface: logged on the server thread. */
	assert_int_equal(sm_control(s, "POST", "/regions/ap10/fault", "flap",
	                     body, sizeof(body)),
	    200);
	assert_int_equal(sm_control(s, "POST", "/regions/ap10/fault", "bad",
	                     body, sizeof(body)),
	    400);
	assert_int_equal(sim_tm_force(s, "us21", err, sizeof(err)), 0);
	assert_int_equal(sim_tm_force(s, "auto", err, sizeof(err)), 0);
	sim_stop(s);
	assert_string_equal(b.text,
	    "us21: fault slow 300\n"
	    "ap10: fault flap\n"
	    "tm: forced us21\n"
	    "tm: automatic\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_control, sm_setup, sm_teardown),
	    cmocka_unit_test(test_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
