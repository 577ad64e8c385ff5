/*
 * cmd_watch: `drtop watch --json [--duration S] [--record FILE] PROFILE`.
 * Headless: runs the prober, the DNS observer and the engine, and prints
 * the session header and every event as JSON Lines on stdout until
 * SIGINT/SIGTERM or the duration ends (exit 0). Startup problems exit 2.
 *
 * With routing.auto_failover, the engine's own route changes run the
 * failover (or failback) action through the runtime's action runner,
 * by "auto", as core/autofail decides (hold_down, coalescing); its
 * `action` events come back through the queue and the engine like any
 * other. The engine already moved the route, so no route event is added
 * for an automatic action. A runbook step that fails is aborted at once
 * (nobody is there to retry it). On exit a running action is stopped
 * and its `finished` event written before watch ends.
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

#include "actions/actions.h"
#include "base/clock.h"
#include "base/dlog.h"
#include "base/util.h"
#include "cmd.h"
#include "engine/autofail.h"
#include "engine/engine.h"
#include "journal/recorder.h"
#include "live/runtime.h"
#include "model/event.h"
#include "model/profile.h"
#include "model/queue.h"
#include "sigpipe.h"

#define DRAIN_BATCH 256

typedef struct {
	FILE *out;
	Recorder *rec;
	Autofail *af; /* fed every event the engine emits; NULL = none */
	Runtime *rt; /* shown every input (runtime_observe); may be NULL */
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
	if (ws->af != NULL)
		autofail_feed(ws->af, ev);
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

/* Feed one queued event to the engine; an operator's successful action
 * (none in watch today, but the rule is the caller's) then routes. That
 * route is the operator's, not the engine's: autofail is told so instead
 * of being fed it. */
static void
watch_feed(Engine *e, const Event *ev, const EventSink *sink)
{
	WatchSink *ws = sink->ctx;
	Autofail *af = ws->af;
	RouteCause cause;
	char to[EV_NAME_MAX], err[256];

	runtime_observe(ws->rt, ev);
	engine_feed(e, ev, sink);
	if (ev->type != EV_ACTION ||
	    !autofail_manual_route(&ev->u.action, &cause, to, sizeof(to)))
		return;
	ws->af = NULL;
	if (engine_route_manual(e, ev->t, to[0] != '\0' ? to : NULL, cause,
	        sink, err, sizeof(err)) == 0 &&
	    af != NULL)
		autofail_operator_route(af);
	ws->af = af;
}

/* An `error` event from watch itself, at t, through the engine. */
static void
watch_error(Engine *e, double t, const char *msg, const EventSink *sink)
{
	Event ev;

	memset(&ev, 0, sizeof(ev));
	ev.t = t;
	ev.type = EV_ERROR;
	str_copy(ev.u.error.source, sizeof(ev.u.error.source), "autofail");
	str_copy(ev.u.error.message, sizeof(ev.u.error.message), msg);
	engine_feed(e, &ev, sink);
}

/* Automatic failover: start what autofail asks for; abort a runbook of
 * ours that waits for a retry nobody can give. */
static void
watch_autofail(Autofail *af, ActionRunner *ar, const Profile *p, Engine *e,
    double t, const EventSink *sink)
{
	AutofailRequest req;
	ActionStatus st;
	char err[EV_TEXT_MAX];
	ActionsState state = actions_state(ar);

	if (state == ACTIONS_FAILED) {
		actions_status(ar, &st);
		if (strcmp(st.by, "auto") == 0 &&
		    actions_abort(ar, err, sizeof(err)) == 0)
			dlog("watch: automatic %s: step %d failed, runbook "
			     "aborted",
			    st.name, st.failed_step + 1);
		return;
	}
	if (!autofail_next(af, t, state != ACTIONS_IDLE, &req))
		return;
	if (actions_start(ar, req.name,
	        strcmp(req.name, "failback") == 0 ? &p->failback : &p->failover,
	        req.from, req.to, "auto", err, sizeof(err)) != 0) {
		char msg[EV_TEXT_MAX];

		snprintf(msg, sizeof(msg), "automatic %s from %s to %s: %.100s",
		    req.name, req.from, req.to, err);
		dlog("watch: %s", msg);
		watch_error(e, t, msg, sink);
		return;
	}
	dlog("watch: automatic %s from %s to %s started", req.name, req.from,
	    req.to);
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
	Autofail *af = NULL;
	WatchSink ws = {.out = stdout};
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
	/*
	 * The loop drains at least every 100 ms; one probe event per
	 * endpoint per interval plus DNS and action events fit many times
	 * over. Each slot is an Event (~2.4 KiB), so the capacity is most of
	 * a large session's memory: 1,000 endpoints take ~7 MiB here.
	 */
	q = queue_new(1024 + 2 * (size_t)p->nendpoints);
	if (q == NULL) {
		fprintf(stderr, "drtop watch: %s\n", strerror(errno));
		goto out;
	}
	e = engine_new(p);
	af = autofail_new(p);
	if (autofail_enabled(af))
		ws.af = af;
	t0 = mono_now();
	clock_format_utc(real_now(), started, sizeof(started));
	pjson = profile_to_json(p, true);
	session = event_session_line(started, "live", pjson);
	if (record_path != NULL) {
		ws.rec =
		    recorder_open(record_path, session, NULL, err, sizeof(err));
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
	ws.rt = rt;
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
				watch_feed(e, &batch[k], &sink);
		engine_tick(e, fmin(now, end) - t0, &sink);
		if (ws.af != NULL)
			watch_autofail(af, runtime_actions(rt), p, e,
			    engine_snapshot(e)->now, &sink);
		fflush(stdout);
	}
	dlog("watch: stopping (%s)",
	    sigpipe_stop_requested() ? "signal"
	        : ws.out_broken      ? "stdout closed"
	        : ws.out_failed      ? "stdout write error"
	                             : "duration");
	/* Stop the producers (a running action first: its `finished`
	 * event is queued), then write whatever they had queued. */
	ws.af = NULL;
	runtime_stop(rt);
	rt = NULL;
	{
		size_t n;
		while ((n = queue_drain(q, batch, DRAIN_BATCH)) > 0)
			for (size_t k = 0; k < n; k++)
				watch_feed(e, &batch[k], &sink);
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
	autofail_free(af);
	queue_free(q);
	free(session);
	free(pjson);
	profile_free(p);
	return rc;
}
