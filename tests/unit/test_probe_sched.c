/*
 * probe: the prober's life and schedule (tests/unit/probe_fx.c):
 * prober_new's refusals and the probe thread's signal mask; disabled
 * endpoints, re-probes off the schedule, a fresh connection per probe,
 * one probe per endpoint at a time and no burst after lateness.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/util.h"
#include "probe/probe.h"
#include "probe_fx.h"
#include "sim/sim.h"

/* Threads of this process whose blocked set holds SIGHUP, SIGINT,
 * SIGPIPE, SIGTERM and SIGWINCH, from /proc/self/task/ * /status. */
static int
blocked_threads(void)
{
	const unsigned long long want = (1ull << (SIGHUP - 1)) |
	    (1ull << (SIGINT - 1)) | (1ull << (SIGPIPE - 1)) |
	    (1ull << (SIGTERM - 1)) | (1ull << (SIGWINCH - 1));
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char path[300], line[256];
		unsigned long long blk;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status",
		    de->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "SigBlk: %llx", &blk) == 1 &&
			    (blk & want) == want)
				n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

static void
test_new_errors(void **state)
{
	char err[256] = "";
	EpSpec e = {.name = "nourl", .url = ""};
	Profile *p = pb_profile(&e, 1);
	Queue *q = queue_new(8);

	(void)state;
	assert_null(prober_new(p, q, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "nourl"));
	/* A zero interval would spin the scheduler: refused. */
	free(p->endpoints[0].url);
	p->endpoints[0].url = xstrdup("http://127.0.0.1:1/");
	p->endpoints[0].monitor.interval = 0;
	assert_null(prober_new(p, q, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "interval"));
	p->endpoints[0].monitor.interval = 30;
	/* A prober that never started frees cleanly. */
	Prober *pr = prober_new(p, q, 0, err, sizeof(err));
	assert_non_null(pr);
	assert_int_equal(prober_in_flight(pr), 0);
	prober_free(pr);
	/* The probe thread runs with the console's signals blocked, and
	 * the main thread's mask is left as it was. */
	pr = prober_new(p, q, 0, err, sizeof(err));
	assert_non_null(pr);
	assert_int_equal(blocked_threads(), 0);
	assert_int_equal(prober_start(pr), 0);
#ifdef __SANITIZE_THREAD__
	/* ThreadSanitizer starts a helper thread of its own with signals
	 * blocked when the first thread is created. */
	assert_true(blocked_threads() >= 1);
#else
	assert_int_equal(blocked_threads(), 1);
#endif
	prober_free(pr);
	prober_free(NULL);
	queue_free(q);
	pb_profile_free(p);
}

/* Disabled endpoints are never probed; re-probe runs off schedule; each
 * probe has its own connection; the schedule keeps its interval. */
static void
test_disable_reprobe_fresh(void **state)
{
	RecServer a, b;
	Run r;
	Event ev;
	int conns;

	(void)state;
	pb_rec_start(&a, pb_resp_ok);
	pb_rec_start(&b, pb_resp_ok);
	char *ua = pb_url_for(a.port, "/a"), *ub = pb_url_for(b.port, "/b");
	EpSpec e[] = {
	    {.name = "fast", .url = ua, .interval = 0.2, .timeout = 0.2},
	    {.name = "off", .url = ub, .interval = 0.2, .disabled = true},
	};
	pb_run_start(&r, e, 2);
	/* Several probes of "fast": the first at once, then every 0.2 s. */
	double first = 0;
	for (int i = 0; i < 5; i++) {
		assert_true(pb_next_event(r.q, EV_PROBE, "fast", 10, &ev));
		assert_true(ev.u.probe.ok);
		if (i == 0)
			first = ev.t;
	}
	/* 4 intervals later, give or take the machine's load. */
	assert_true(ev.t - first > 4 * 0.2 - 0.15);
	assert_int_equal(pb_rec_count(&b, NULL), 0);
	/* A re-probe of a disabled endpoint does nothing either. */
	prober_reprobe(r.pr, 1);
	/* Enable it: it is probed on its grid. */
	prober_set_disabled(r.pr, 1, false);
	assert_true(pb_next_event(r.q, EV_PROBE, "off", 10, &ev));
	assert_true(ev.u.probe.ok);
	/* Disable "fast"; after the in-flight one (if any) no more. */
	prober_set_disabled(r.pr, 0, true);
	/* Let the thread apply it, and a "fast" request already sent reach
	 * the server: two more "off" probes (0.2 s apart). */
	assert_true(pb_next_event(r.q, EV_PROBE, "off", 10, &ev));
	assert_true(pb_next_event(r.q, EV_PROBE, "off", 10, &ev));
	int before = pb_rec_count(&a, NULL);
	for (int i = 0; i < 3; i++)
		assert_true(pb_next_event(r.q, EV_PROBE, "off", 10, &ev));
	assert_int_equal(pb_rec_count(&a, NULL), before);
	pb_run_stop(&r);
	/* Fresh connection per probe. */
	int n = pb_rec_count(&a, &conns);
	assert_true(n >= 5);
	assert_int_equal(conns, n);
	pb_rec_stop(&a);
	pb_rec_stop(&b);
	free(ua);
	free(ub);
}

static void
test_reprobe_now(void **state)
{
	RecServer a;
	Run r;
	Event ev;

	(void)state;
	pb_rec_start(&a, pb_resp_ok);
	char *u = pb_url_for(a.port, "/a");
	/* Index 1 of 2 with a 60 s interval: first due after 30 s. */
	EpSpec e[] = {
	    {.name = "x", .url = u, .interval = 60, .disabled = true},
	    {.name = "late", .url = u, .interval = 60},
	};
	pb_run_start(&r, e, 2);
	double t = mono_now();
	prober_reprobe(r.pr, 1);
	assert_true(pb_next_event(r.q, EV_PROBE, "late", 20, &ev));
	assert_true(ev.u.probe.ok);
	assert_true(mono_now() - t < 20);
	assert_int_equal(prober_in_flight(r.pr), 0);
	ProberStats st;
	prober_stats(r.pr, &st);
	assert_int_equal(st.done, 1);
	assert_int_equal(st.late_count, 0); /* re-probes are not scheduled */
	pb_run_stop(&r);
	pb_rec_stop(&a);
	free(u);
}

/* One probe per endpoint at a time: a 1 s answer with a 0.3 s interval
 * gives one probe per second, not three overlapping; when the answer is
 * fast again the grid resumes without a burst of missed slots. */
static void
test_no_overlap_no_burst(void **state)
{
	SimRegionSpec rs = {.name = "slow", .port = 0};
	SimConfig cfg = {.regions = &rs, .nregions = 1, .control_port = -1};
	char err[256];
	Run r;
	Event ev;

	(void)state;
	Sim *sim = sim_start(&cfg, err, sizeof(err));
	if (sim == NULL)
		fail_msg("sim_start: %s", err);
	pb_set_fault(sim, "slow", "slow 1000");
	EpSpec e = {.name = "slow",
	    .url = sim_region_url(sim, 0),
	    .interval = 0.3,
	    .timeout = 3};
	pb_run_start(&r, &e, 1);
	double prev = -1;
	for (int i = 0; i < 3; i++) {
		assert_true(pb_next_event(r.q, EV_PROBE, "slow", 20, &ev));
		assert_true(ev.u.probe.ok);
		assert_true(ev.u.probe.ms.total >= 990);
		assert_true(prober_in_flight(r.pr) <= 1);
		if (prev >= 0) /* each waited for the one before */
			assert_true(ev.t - prev >= 0.95);
		prev = ev.t;
	}
	pb_set_fault(sim, "slow", "ok");
	/* Drain the slow probe that may still run, then count. */
	for (int i = 0; i < 2; i++) {
		assert_true(pb_next_event(r.q, EV_PROBE, "slow", 20, &ev));
		if (ev.u.probe.ms.total < 900)
			break;
	}
	double t0 = ev.t;
	int n = 0;
	while (pb_next_event(r.q, EV_PROBE, "slow", 5, &ev) && ev.t - t0 < 1.5)
		n++;
	/* 1.5 s / 0.3 s = 5 slots; a burst would show many more. */
	assert_in_range(n, 2, 7);
	ProberStats st;
	prober_stats(r.pr, &st);
	assert_int_equal(st.errors[PERR_NONE], st.done);
	assert_true(st.late_count >= 5);
	pb_run_stop(&r);
	sim_stop(sim);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_errors),
	    cmocka_unit_test(test_disable_reprobe_fresh),
	    cmocka_unit_test(test_reprobe_now),
	    cmocka_unit_test(test_no_overlap_no_burst),
	};

	signal(SIGPIPE, SIG_IGN);
	if (probe_global_init() != 0)
		return 1;
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	probe_global_cleanup();
	return rc;
}
