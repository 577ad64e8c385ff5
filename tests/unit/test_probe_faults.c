/*
 * probe: fault classes against the simulator (core/sim, in-process):
 * every fault a region can show, each as the prober classifies it, its
 * timing bounded by the timeout, an endless body read in flat memory,
 * and recovery when the fault goes away.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <signal.h>
#include <stdio.h>

#include "probe/probe.h"
#include "probe_fx.h"
#include "sim/sim.h"

static long
rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void
test_sim_faults(void **state)
{
	static const char *const names[] = {"eu20", "s500", "refuse",
	    "blackhole", "huge", "reset", "garbage", "slow", "s301"};
	static const char *const faults[] = {"ok", "status 500", "refuse",
	    "blackhole", "huge", "reset", "garbage", "slow 5000", "status 301"};
	enum { N = 9 };
	const double timeout = 1.0;
	SimRegionSpec rs[N];
	SimConfig cfg = {.regions = rs, .nregions = N, .control_port = -1};
	char err[256];
	EpSpec e[N + 2];
	Run r;
	Event ev;

	(void)state;
	for (int i = 0; i < N; i++)
		rs[i] = (SimRegionSpec){.name = names[i], .port = 0};
	Sim *sim = sim_start(&cfg, err, sizeof(err));
	if (sim == NULL)
		fail_msg("sim_start: %s", err);
	for (int i = 0; i < N; i++)
		pb_set_fault(sim, names[i], faults[i]);
	for (int i = 0; i < N; i++)
		e[i] = (EpSpec){.name = names[i],
		    .url = sim_region_url(sim, i),
		    .interval = 3,
		    .timeout = timeout,
		    .identify = IDENTIFY_HEADER,
		    .identify_header = "X-Region"};
	/* 301 expected is fine; a huge body without the needle fails. */
	e[N] = e[8];
	e[N].name = "s301-expected";
	e[N].expect[0] = (StatusRange){301, 301};
	e[N].nexpect = 1;
	e[N + 1] = e[4];
	e[N + 1].name = "huge-body";
	e[N + 1].body_contains = "no such text in the endless body";

	long rss0 = rss_kib();
	pb_run_start(&r, e, N + 2);
	/* Every first probe comes within its slot (<= 3 s) + timeout. */
	const double limit = 3 + timeout + 30; /* generous: shared cores */
	assert_true(pb_next_event(r.q, EV_PROBE, "eu20", limit, &ev));
	assert_true(ev.u.probe.ok);
	assert_string_equal(ev.u.probe.served_by, "eu20");

	assert_true(pb_next_event(r.q, EV_PROBE, "s500", limit, &ev));
	assert_false(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.error, PERR_STATUS);
	assert_int_equal(ev.u.probe.status, 500);
	assert_string_equal(ev.u.probe.served_by, "s500");

	/* refused on the very first probe */
	assert_true(pb_next_event(r.q, EV_PROBE, "refuse", limit, &ev));
	assert_int_equal(ev.u.probe.error, PERR_REFUSED);
	assert_int_equal(ev.u.probe.status, 0);

	/* blackhole: ends at the timeout, not later */
	assert_true(pb_next_event(r.q, EV_PROBE, "blackhole", limit, &ev));
	assert_int_equal(ev.u.probe.error, PERR_TIMEOUT);
	assert_true(ev.u.probe.ms.total >= timeout * 1000 - 5);
	assert_true(ev.u.probe.ms.total <= timeout * 1000 + 1000);

	/* huge: stopped at 64 KiB, long before the timeout */
	assert_true(pb_next_event(r.q, EV_PROBE, "huge", limit, &ev));
	assert_true(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.status, 200);
	assert_true(ev.u.probe.ms.total < timeout * 1000);

	assert_true(pb_next_event(r.q, EV_PROBE, "reset", limit, &ev));
	assert_false(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.error, PERR_RESET);

	/* garbage: no HTTP status at all is a `status` failure */
	assert_true(pb_next_event(r.q, EV_PROBE, "garbage", limit, &ev));
	assert_false(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.error, PERR_STATUS);
	assert_int_equal(ev.u.probe.status, 0);

	/* slow beyond the timeout */
	assert_true(pb_next_event(r.q, EV_PROBE, "slow", limit, &ev));
	assert_int_equal(ev.u.probe.error, PERR_TIMEOUT);
	assert_true(ev.u.probe.ms.total <= timeout * 1000 + 1000);

	assert_true(pb_next_event(r.q, EV_PROBE, "s301", limit, &ev));
	assert_int_equal(ev.u.probe.error, PERR_STATUS);
	assert_int_equal(ev.u.probe.status, 301);
	assert_true(pb_next_event(r.q, EV_PROBE, "s301-expected", limit, &ev));
	assert_true(ev.u.probe.ok);

	assert_true(pb_next_event(r.q, EV_PROBE, "huge-body", limit, &ev));
	assert_int_equal(ev.u.probe.error, PERR_BODY);
	assert_true(ev.u.probe.ms.total < timeout * 1000);

	/* Eight more probes of the endless body: memory stays flat. */
	for (int i = 0; i < 8; i++) {
		prober_reprobe(r.pr, N + 1);
		assert_true(pb_next_event(r.q, EV_PROBE, "huge-body", 10, &ev));
		assert_int_equal(ev.u.probe.error, PERR_BODY);
	}
	assert_true(rss_kib() - rss0 < 16 * 1024);

	/* The fault goes away: the next probe is ok again. */
	pb_set_fault(sim, "s500", "ok");
	prober_reprobe(r.pr, 1);
	/* (a scheduled probe already in flight may still see the 500) */
	bool recovered = false;
	for (int i = 0; i < 3 && !recovered; i++)
		recovered = pb_next_event(r.q, EV_PROBE, "s500", 10, &ev) &&
		    ev.u.probe.ok;
	assert_true(recovered);
	pb_run_stop(&r);
	sim_stop(sim);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sim_faults),
	};

	signal(SIGPIPE, SIG_IGN);
	if (probe_global_init() != 0)
		return 1;
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	probe_global_cleanup();
	return rc;
}
