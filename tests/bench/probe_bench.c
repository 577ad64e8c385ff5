/*
 * probe_bench: probe capacity, CPU cost and schedule accuracy of the
 * prober (core/probe) against simulated regions on loopback, and in the
 * same run the same figures for the baselines a user would otherwise
 * use: the curl command line (one process per probe) and Prometheus's
 * blackbox_exporter (driven over HTTP on its /probe endpoint).
 *
 * Run by tests/bench/probe_bench.sh (from run.sh), which starts `drtop sim` (a separate
 * process, so its CPU is not counted here) and the exporter.
 *
 * usage: probe_bench [--endpoints N] [--interval S] [--duration S]
 *                    [--cap-interval S] [--cap-duration S]
 *                    [--curl-count N] [--blackbox PORT PID] URL...
 */
#include <curl/curl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/util.h"
#include "model/queue.h"
#include "probe/bodymatch.h"
#include "probe/probe.h"

extern char **environ;

typedef struct {
	const char *tool;
	long long probes, ok;
	double wall, cpu;
	bool have;
} Result;

static double
tv(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

static double
self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return tv(ru.ru_utime) + tv(ru.ru_stime);
}

static double
children_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return tv(ru.ru_utime) + tv(ru.ru_stime);
}

static Profile *
bench_profile(char **urls, int nurls, int n, double interval, double timeout)
{
	Profile *p = xcalloc(1, sizeof(*p));

	p->nendpoints = n;
	p->endpoints = xcalloc((size_t)n, sizeof(Endpoint));
	for (int i = 0; i < n; i++) {
		Endpoint *e = &p->endpoints[i];

		snprintf(e->name, sizeof(e->name), "ep%d", i);
		e->url = urls[i % nurls];
		e->monitor.protocol = PROTO_HTTP;
		e->monitor.interval = interval;
		e->monitor.timeout = timeout;
		e->monitor.nexpected = 1;
		e->monitor.expected[0] = (StatusRange){200, 299};
	}
	return p;
}

/* Run the prober for duration seconds; the main thread drains events
 * like the engine's loop would. */
static Result
run_drtop(const char *label, char **urls, int nurls, int n, double interval,
    double timeout, double duration, ProberStats *st)
{
	Profile *p = bench_profile(urls, nurls, n, interval, timeout);
	Queue *q = queue_new(65536);
	char err[256];
	Result r = {.tool = label, .have = true};
	Event *buf = xcalloc(4096, sizeof(Event));
	double t0 = mono_now(), c0 = self_cpu(), end;
	Prober *pr = prober_new(p, q, t0, err, sizeof(err));

	if (pr == NULL || prober_start(pr) != 0)
		die("prober: %s", err);
	end = t0 + duration;
	for (double now = t0; now < end; now = mono_now()) {
		struct pollfd pf = {.fd = queue_wake_fd(q), .events = POLLIN};
		size_t got;

		poll(&pf, 1, (int)((end - now) * 1000) + 1);
		while ((got = queue_drain(q, buf, 4096)) > 0)
			for (size_t i = 0; i < got; i++)
				if (buf[i].type == EV_PROBE) {
					r.probes++;
					r.ok += buf[i].u.probe.ok;
				}
	}
	prober_stats(pr, st);
	r.wall = mono_now() - t0;
	prober_free(pr);
	r.cpu = self_cpu() - c0;
	if (queue_overflow(q))
		fprintf(stderr, "probe_bench: %llu events dropped\n",
		    (unsigned long long)queue_overflow(q));
	queue_free(q);
	free(buf);
	free(p->endpoints);
	free(p);
	return r;
}

/* One `curl` process per probe, `par` at a time. */
static Result
run_curl(char **urls, int nurls, int count, int par)
{
	Result r = {.tool = "curl CLI (1 process/probe)", .have = true};
	double t0 = mono_now(), c0 = children_cpu();
	int running = 0, started = 0;

	while (started < count || running > 0) {
		int st;

		while (running < par && started < count) {
			char *url = urls[started % nurls];
			const char *argv[] = {"curl", "-s", "-o", "/dev/null",
			    "--max-time", "2", "-w", "", url, NULL};
			pid_t pid;

			if (posix_spawnp(&pid, "curl", NULL, NULL,
			        (char *const *)argv, environ) != 0)
				return (Result){0};
			running++;
			started++;
		}
		if (wait(&st) > 0) {
			running--;
			r.probes++;
			r.ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
		}
	}
	r.wall = mono_now() - t0;
	r.cpu = children_cpu() - c0;
	return r;
}

static double
proc_cpu(int pid)
{
	char path[64], buf[2048];
	FILE *f;
	unsigned long ut = 0, stime = 0;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	p = strrchr(buf, ')'); /* after the command name */
	if (p == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	        &ut, &stime) != 2)
		return -1;
	return (double)(ut + stime) / (double)sysconf(_SC_CLK_TCK);
}

typedef struct {
	BodyMatch bm; /* "probe_success 1" in the exporter's answer */
} BbxCtx;

static size_t
bbx_write(char *b, size_t s, size_t n, void *arg)
{
	BbxCtx *c = arg;

	bodymatch_feed(&c->bm, b, s * n);
	return s * n;
}

/* Drive the exporter's /probe with `par` requests in flight (connections
 * kept alive) for duration seconds; count its CPU from /proc. */
static Result
run_blackbox(int port, int pid, char **urls, int nurls, double duration)
{
	enum { PAR = 16 };
	Result r = {.tool = "blackbox_exporter 0.23", .have = true};
	CURLM *m = curl_multi_init();
	CURL *e[PAR];
	BbxCtx ctx[PAR];
	char *u[PAR];
	double t0, c0, end;
	int running;

	for (int i = 0; i < PAR; i++) {
		e[i] = curl_easy_init();
		u[i] = xasprintf("http://127.0.0.1:%d/probe?module=http_2xx"
		                 "&target=%s",
		    port, urls[i % nurls]);
		curl_easy_setopt(e[i], CURLOPT_URL, u[i]);
		curl_easy_setopt(e[i], CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(e[i], CURLOPT_WRITEFUNCTION, bbx_write);
		curl_easy_setopt(e[i], CURLOPT_WRITEDATA, &ctx[i]);
		curl_easy_setopt(e[i], CURLOPT_PRIVATE, &ctx[i]);
		bodymatch_init(&ctx[i].bm, "probe_success 1");
		curl_multi_add_handle(m, e[i]);
	}
	t0 = mono_now();
	c0 = proc_cpu(pid);
	end = t0 + duration;
	while (mono_now() < end) {
		CURLMsg *msg;
		int left;

		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			BbxCtx *c;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(
			    msg->easy_handle, CURLINFO_PRIVATE, &c);
			r.probes++;
			r.ok += msg->data.result == CURLE_OK &&
			    bodymatch_found(&c->bm);
			bodymatch_reset(&c->bm);
			curl_multi_remove_handle(m, msg->easy_handle);
			curl_multi_add_handle(m, msg->easy_handle);
		}
		curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	r.wall = mono_now() - t0;
	r.cpu = proc_cpu(pid) - c0;
	for (int i = 0; i < PAR; i++) {
		curl_multi_remove_handle(m, e[i]);
		curl_easy_cleanup(e[i]);
		bodymatch_fini(&ctx[i].bm);
		free(u[i]);
	}
	curl_multi_cleanup(m);
	if (c0 < 0)
		r.have = false;
	return r;
}

static double
us_per(const Result *r)
{
	return r->probes ? r->cpu / (double)r->probes * 1e6 : 0;
}

static void
print_row(const Result *r)
{
	if (!r->have) {
		printf("%-34s %s\n", r->tool ? r->tool : "?", "not run");
		return;
	}
	printf("%-34s %8lld %6.1f%% %10.0f %12.1f\n", r->tool, r->probes,
	    r->probes ? 100.0 * (double)r->ok / (double)r->probes : 0,
	    r->probes / r->wall, us_per(r));
}

int
main(int argc, char **argv)
{
	int n = 1000, curl_count = 300, bb_port = 0, bb_pid = 0, nurls;
	double interval = 1, duration = 8, cap_interval = 0.1, cap_duration = 5;
	char **urls;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (i + 1 >= argc)
			die("probe_bench: %s needs a value", a);
		if (strcmp(a, "--endpoints") == 0)
			n = atoi(argv[++i]);
		else if (strcmp(a, "--interval") == 0)
			interval = atof(argv[++i]);
		else if (strcmp(a, "--duration") == 0)
			duration = atof(argv[++i]);
		else if (strcmp(a, "--cap-interval") == 0)
			cap_interval = atof(argv[++i]);
		else if (strcmp(a, "--cap-duration") == 0)
			cap_duration = atof(argv[++i]);
		else if (strcmp(a, "--curl-count") == 0)
			curl_count = atoi(argv[++i]);
		else if (strcmp(a, "--blackbox") == 0 && i + 2 < argc) {
			bb_port = atoi(argv[++i]);
			bb_pid = atoi(argv[++i]);
		} else
			die("probe_bench: unknown option %s", a);
	}
	urls = argv + i;
	nurls = argc - i;
	if (nurls < 1 || n < 1 || interval <= 0 || cap_interval <= 0)
		die("usage: probe_bench [options] URL...");
	for (int k = 0; k < nurls; k++)
		if (!str_starts(urls[k], "http://127.") &&
		    !str_starts(urls[k], "http://[::1]"))
			die("probe_bench: %s is not loopback", urls[k]);
	if (probe_global_init() != 0)
		die("curl_global_init failed");

	ProberStats sched_st, cap_st;
	char l1[64], l2[64];
	snprintf(l1, sizeof(l1), "drtop %d endpoints @ %gs", n, interval);
	snprintf(l2, sizeof(l2), "drtop %d @ %gs (saturated)", n, cap_interval);
	/* Schedule accuracy: the interval offered, timeout = interval. */
	Result rs = run_drtop(l1, urls, nurls, n, interval,
	    interval < 2 ? interval : 2, duration, &sched_st);
	/* Capacity: more probes offered than two cores can run, a 2 s
	 * timeout; an endpoint whose probe is still running skips its
	 * slots, so this measures what the machine sustains. */
	Result rc = run_drtop(
	    l2, urls, nurls, n, cap_interval, 2, cap_duration, &cap_st);
	Result cl = run_curl(urls, nurls, curl_count, 2);
	Result bb = {.tool = "blackbox_exporter 0.23"};
	if (bb_port > 0)
		bb = run_blackbox(bb_port, bb_pid, urls, nurls, 5);

	printf("\nprobes: fresh connection per probe, loopback, %d sim "
	       "regions in a separate process\n",
	    nurls);
	printf("%-34s %8s %7s %10s %12s\n", "tool", "probes", "ok", "probes/s",
	    "cpu_us/probe");
	print_row(&rs);
	print_row(&rc);
	print_row(&cl);
	print_row(&bb);
	printf("probe thread alone: %.1f us/probe @ %gs, %.1f us/probe @ "
	       "%gs\n",
	    sched_st.done ? sched_st.cpu / (double)sched_st.done * 1e6 : 0,
	    interval, cap_st.done ? cap_st.cpu / (double)cap_st.done * 1e6 : 0,
	    cap_interval);
	printf("start lateness @ %gs, %d endpoints (%llu starts): p50 %.3f ms "
	       " p99 %.3f ms  max %.3f ms   (target p99 < 2 ms)\n",
	    interval, n, (unsigned long long)sched_st.late_count,
	    prober_stats_lateness(&sched_st, 0.50) * 1e3,
	    prober_stats_lateness(&sched_st, 0.99) * 1e3,
	    prober_stats_lateness(&sched_st, 1.0) * 1e3);
	printf("start lateness @ %gs (saturated: slots skipped while a probe "
	       "runs): p50 %.3f ms  p99 %.3f ms  max %.3f ms\n",
	    cap_interval, prober_stats_lateness(&cap_st, 0.50) * 1e3,
	    prober_stats_lateness(&cap_st, 0.99) * 1e3,
	    prober_stats_lateness(&cap_st, 1.0) * 1e3);
	printf("ratios (baseline / drtop, cpu per probe; drtop @ %gs):\n",
	    cap_interval);
	if (cl.have && cl.probes)
		printf("  curl CLI:          %6.1fx cpu/probe, %6.2fx "
		       "probes/s  (drtop/curl)\n",
		    us_per(&cl) / us_per(&rc),
		    (rc.probes / rc.wall) / (cl.probes / cl.wall));
	if (bb.have && bb.probes)
		printf("  blackbox_exporter: %6.1fx cpu/probe, %6.2fx "
		       "probes/s  (target >= 5x cpu)\n",
		    us_per(&bb) / us_per(&rc),
		    (rc.probes / rc.wall) / (bb.probes / bb.wall));
	else
		printf("  blackbox_exporter: not run (not installed)\n");
	probe_global_cleanup();
	return 0;
}
