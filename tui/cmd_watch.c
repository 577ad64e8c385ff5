/*
 * cmd_watch: `drtop watch --json [--duration S] [--record FILE] PROFILE`.
 * Headless: runs the prober, the DNS observer and the engine, and prints
 * the session header and every event as JSON Lines on stdout until
 * SIGINT/SIGTERM or the duration ends (exit 0). Startup problems exit 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "dlog.h"
#include "engine.h"
#include "event.h"
#include "profile.h"
#include "queue.h"
#include "recorder.h"
#include "runtime.h"
#include "sigpipe.h"
#include "util.h"

#define DRAIN_BATCH 256

typedef struct {
	FILE *out;
	Recorder *rec;
	bool out_broken; /* stdout closed by the reader (EPIPE) */
	bool out_failed; /* any other write error */
} WatchSink;

static void
watch_emit(void *ctx, const Event *ev)
{
	WatchSink *ws = ctx;
	char line[EVENT_JSON_MAX];
	size_t n = event_to_json(ev, line, sizeof(line));

	if (n == 0)
		return;
	if (ws->rec != NULL)
		recorder_write(ws->rec, ev);
	if (ws->out_broken || ws->out_failed)
		return;
	if (fwrite(line, 1, n, ws->out) != n) {
		if (errno == EPIPE)
			ws->out_broken = true;
		else
			ws->out_failed = true;
	}
}

static int
usage_error(const char *msg)
{
	fprintf(stderr, "drtop watch: %s\n", msg);
	fprintf(stderr,
	    "usage: drtop watch --json [--duration S] "
	    "[--record FILE] PROFILE\n");
	return 2;
}

int
cmd_watch(int argc, char **argv)
{
	const char *profile_path = NULL, *record_path = NULL;
	double duration = -1;
	bool json = false;
	ErrList errs;
	Profile *p = NULL;
	Queue *q = NULL;
	Engine *e = NULL;
	Runtime *rt = NULL;
	WatchSink ws = {stdout, NULL, false, false};
	EventSink sink = {watch_emit, &ws};
	static Event batch[DRAIN_BATCH];
	char err[256], started[40], *pjson = NULL, *session = NULL;
	double t0, end;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--duration") == 0 && i + 1 < argc) {
			char *endp;
			duration = strtod(argv[++i], &endp);
			if (*endp != '\0' || !(duration > 0) ||
			    !isfinite(duration))
				return usage_error(
				    "--duration takes seconds > 0");
		} else if (strcmp(argv[i], "--record") == 0 && i + 1 < argc) {
			record_path = argv[++i];
		} else if (strcmp(argv[i], "--debug-log") == 0 &&
		    i + 1 < argc) {
			i++; /* opened by main */
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "drtop watch: unknown option %s\n",
			    argv[i]);
			return usage_error("see drtop --help");
		} else if (profile_path == NULL) {
			profile_path = argv[i];
		} else {
			return usage_error("one profile only");
		}
	}
	if (profile_path == NULL)
		return usage_error("no profile given");
	if (!json)
		return usage_error(
		    "--json is the only output format (give --json)");

	errlist_init(&errs);
	p = profile_load(profile_path, &errs);
	if (p == NULL) {
		errlist_print(&errs, stderr);
		errlist_fini(&errs);
		return 2;
	}
	errlist_fini(&errs);

	if (sigpipe_install() != 0) {
		fprintf(stderr, "drtop watch: cannot set up signals: %s\n",
		    strerror(errno));
		goto out;
	}
	q = queue_new(1024 + 8 * (size_t)p->nendpoints);
	if (q == NULL) {
		fprintf(stderr, "drtop watch: %s\n", strerror(errno));
		goto out;
	}
	e = engine_new(p);
	t0 = mono_now();
	event_format_utc(real_now(), started, sizeof(started));
	pjson = profile_to_json(p, true);
	session = event_session_line(started, "live", pjson);
	if (record_path != NULL) {
		ws.rec = recorder_open(record_path, session, err, sizeof(err));
		if (ws.rec == NULL) {
			fprintf(stderr, "drtop watch: %s\n", err);
			rc = 2;
			goto out;
		}
	}
	fputs(session, stdout);
	fflush(stdout);

	rt = runtime_start(p, q, t0, err, sizeof(err));
	if (rt == NULL) {
		fprintf(stderr, "drtop watch: %s\n", err);
		dlog("watch: cannot start: %s", err);
		goto out;
	}
	dlog("watch: %s: %d endpoints, %d resolvers, session %s", profile_path,
	    p->nendpoints, p->dns.nresolvers, started);
	end = duration > 0 ? t0 + duration : INFINITY;
	while (!sigpipe_stop_requested() && !ws.out_broken && !ws.out_failed) {
		struct pollfd pfd[2] = {
		    {.fd = queue_wake_fd(q), .events = POLLIN},
		    {.fd = sigpipe_fd(), .events = POLLIN},
		};
		double now = mono_now(), wait = fmin(0.1, end - now);
		size_t n;

		if (now >= end)
			break;
		poll(pfd, 2, (int)ceil(fmax(wait, 0) * 1000));
		sigpipe_consume();
		now = mono_now();
		while ((n = queue_drain(q, batch, DRAIN_BATCH)) > 0)
			for (size_t k = 0; k < n; k++)
				engine_feed(e, &batch[k], &sink);
		engine_tick(e, fmin(now, end) - t0, &sink);
		fflush(stdout);
	}
	dlog("watch: stopping (%s)",
	    sigpipe_stop_requested() ? "signal"
	        : ws.out_broken      ? "stdout closed"
	        : ws.out_failed      ? "stdout write error"
	                             : "duration");
	/* Stop the producers, then write whatever they had queued. */
	runtime_stop(rt);
	rt = NULL;
	{
		size_t n;
		while ((n = queue_drain(q, batch, DRAIN_BATCH)) > 0)
			for (size_t k = 0; k < n; k++)
				engine_feed(e, &batch[k], &sink);
	}
	fflush(stdout);
	if (queue_overflow(q) > 0)
		fprintf(stderr,
		    "drtop watch: %llu events dropped (queue full)\n",
		    (unsigned long long)queue_overflow(q));
	rc = ws.out_failed ? 1 : 0;
	if (ws.rec != NULL && recorder_error(ws.rec) != NULL) {
		fprintf(stderr, "drtop watch: recording: %s\n",
		    recorder_error(ws.rec));
		rc = 1;
	}
out:
	runtime_stop(rt);
	if (ws.rec != NULL && recorder_close(ws.rec, err, sizeof(err)) != 0) {
		fprintf(stderr, "drtop watch: recording: %s\n", err);
		if (rc == 0)
			rc = 1;
	}
	engine_free(e);
	queue_free(q);
	free(session);
	free(pjson);
	profile_free(p);
	return rc;
}
