/*
 * detect_bench: how long after the deciding probe completes does the
 * `health` event come out of the engine? The live path is measured
 * whole: probe thread -> queue -> wake fd -> poll -> drain -> engine.
 *
 * 40 simulated regions in this process answer `flap` (200, 500, 200, ...)
 * and are probed every 0.1 s with tolerated_failures 0 and rise 1, so
 * every probe changes a health state. Latency = the clock when the
 * engine emits the health event minus (t0 + the probe's t), the moment
 * the probe thread knew the result. As the floor of this machine in the
 * same run: a bare pipe write -> poll wake-up between two threads.
 */
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/util.h"
#include "engine/engine.h"
#include "model/queue.h"
#include "probe/probe.h"
#include "sim/sim.h"

#define REGIONS 40
#define MAX_SAMPLES 200000

static double samples[MAX_SAMPLES];
static int nsamples;
static double bench_t0;

static void
on_event(void *ctx, const Event *ev)
{
	(void)ctx;
	if (ev->type == EV_HEALTH && nsamples < MAX_SAMPLES)
		samples[nsamples++] = (mono_now() - (bench_t0 + ev->t)) * 1e3;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double
pct(double *v, int n, double q)
{
	int i = (int)ceil(q * n) - 1;
	return n == 0 ? NAN : v[i < 0 ? 0 : i];
}

/* The floor: one thread writes a byte and its timestamp, the other is
 * woken by poll and takes the difference. */
static int floor_fds[2];
static double floor_ms[2000];

static void *
floor_writer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2000; i++) {
		double now = mono_now();
		if (write(floor_fds[1], &now, sizeof(now)) != sizeof(now))
			break;
		usleep(2000);
	}
	return NULL;
}

static void
measure_floor(void)
{
	pthread_t th;

	if (pipe(floor_fds) != 0)
		die("pipe");
	pthread_create(&th, NULL, floor_writer, NULL);
	for (int i = 0; i < 2000; i++) {
		struct pollfd p = {.fd = floor_fds[0], .events = POLLIN};
		double sent;
		poll(&p, 1, 1000);
		if (read(floor_fds[0], &sent, sizeof(sent)) != sizeof(sent))
			die("read");
		floor_ms[i] = (mono_now() - sent) * 1e3;
	}
	pthread_join(th, NULL);
	close(floor_fds[0]);
	close(floor_fds[1]);
	qsort(floor_ms, 2000, sizeof(double), cmp);
}

int
main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 8;
	SimRegionSpec specs[REGIONS];
	char names[REGIONS][16], err[256];
	SimConfig sc = {0};
	SimFault flap = {SIM_FAULT_FLAP, 0};
	Sim *sim;
	ErrList errs;
	Profile *p;
	Queue *q;
	Engine *e;
	Prober *pr;
	EventSink sink = {on_event, NULL};
	static Event batch[512];
	char *json;
	size_t len = 0, cap = 65536;

	probe_global_init();
	for (int i = 0; i < REGIONS; i++) {
		snprintf(names[i], sizeof(names[i]), "r%d", i);
		specs[i] = (SimRegionSpec){names[i], 0};
	}
	sc.regions = specs;
	sc.nregions = REGIONS;
	sc.control_port = -1;
	if ((sim = sim_start(&sc, err, sizeof(err))) == NULL)
		die("sim: %s", err);
	json = xmalloc(cap);
	len += (size_t)snprintf(json + len, cap - len,
	    "{\"service\":\"bench\",\"monitor\":{\"interval\":0.1,"
	    "\"timeout\":0.09,\"tolerated_failures\":0,\"rise\":1},"
	    "\"endpoints\":[");
	for (int i = 0; i < REGIONS; i++) {
		sim_set_fault(sim, names[i], &flap, err, sizeof(err));
		len += (size_t)snprintf(json + len, cap - len,
		    "%s{\"name\":\"%s\",\"target\":\"%s\"}", i ? "," : "",
		    names[i], sim_region_url(sim, i));
	}
	len += (size_t)snprintf(json + len, cap - len, "]}");
	errlist_init(&errs);
	p = profile_parse(json, len, "(bench)", "/tmp", &errs);
	if (p == NULL)
		die("profile: %s", errs.count ? errs.msgs[0] : "?");
	q = queue_new(4096);
	e = engine_new(p);
	bench_t0 = mono_now();
	pr = prober_new(p, q, bench_t0, err, sizeof(err));
	if (pr == NULL || prober_start(pr) != 0)
		die("prober: %s", err);
	while (mono_now() - bench_t0 < seconds) {
		struct pollfd pfd = {.fd = queue_wake_fd(q), .events = POLLIN};
		size_t n;
		poll(&pfd, 1, 100);
		while ((n = queue_drain(q, batch, 512)) > 0)
			for (size_t k = 0; k < n; k++)
				engine_feed(e, &batch[k], &sink);
	}
	prober_free(pr);
	measure_floor();
	qsort(samples, (size_t)nsamples, sizeof(double), cmp);
	printf("detection: %d health events from %d endpoints @ 0.1 s over "
	       "%.0f s\n",
	    nsamples, REGIONS, seconds);
	printf("  probe done -> health event: p50 %.3f ms, p99 %.3f ms, "
	       "max %.3f ms (target p99 < 5 ms)\n",
	    pct(samples, nsamples, 0.5), pct(samples, nsamples, 0.99),
	    nsamples ? samples[nsamples - 1] : NAN);
	printf("  floor, bare pipe wake-up between threads: p50 %.3f ms, "
	       "p99 %.3f ms\n",
	    pct(floor_ms, 2000, 0.5), pct(floor_ms, 2000, 0.99));
	printf("  ratio p99 / floor p99: %.1fx\n",
	    pct(samples, nsamples, 0.99) / pct(floor_ms, 2000, 0.99));
	engine_free(e);
	queue_free(q);
	profile_free(p);
	free(json);
	errlist_fini(&errs);
	sim_stop(sim);
	probe_global_cleanup();
	return nsamples > 0 ? 0 : 1;
}
