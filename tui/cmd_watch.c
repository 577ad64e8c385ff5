/*
 * cmd_watch: `drtop watch --json [--duration S] [--record FILE] PROFILE`.
 * Headless: runs the prober, the DNS observer and the engine, and prints
 * the session header and every event as JSON Lines on stdout until
 * SIGINT/SIGTERM or the duration ends (exit 0). Startup problems exit 2.
 *
 * The session (core/live/session) runs the engine, --record and
 * automatic failover on its own thread; this thread only writes what it
 * emits to stdout. A reader of stdout that is slow or stopped delays
 * stdout, never the record: what stdout had no room for is a gap, an
 * `error` event (source "stdout") in the record and, once there is room
 * again, on stdout too. A reader that leaves (EPIPE) ends watch at once
 * with exit 0; any other write error ends it with exit 1 and a message.
 * On exit a running action is stopped and its `finished` event written
 * before watch ends.
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

#include "base/clock.h"
#include "base/dlog.h"
#include "base/util.h"
#include "cmd.h"
#include "engine/engine.h"
#include "journal/recorder.h"
#include "live/runtime.h"
#include "live/session.h"
#include "model/event.h"
#include "model/profile.h"
#include "model/queue.h"
#include "sigpipe.h"

#define DRAIN_BATCH 256

/* stdout as watch sees it: writing, its reader gone, or failing. */
typedef enum { OUT_OK, OUT_GONE, OUT_FAILED } OutState;

typedef struct {
	OutState state;
	int err; /* errno of the failure */
} Out;

/* Write all of buf to stdout (blocking: the session records meanwhile).
 * EPIPE: the reader left (OUT_GONE); anything else fails. */
static int
write_out(const char *buf, size_t len, Out *w)
{
	while (len > 0 && w->state == OUT_OK) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			w->err = n < 0 ? errno : EIO;
			w->state = w->err == EPIPE ? OUT_GONE : OUT_FAILED;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return w->state == OUT_OK ? 0 : -1;
}

/* What the session emitted, as JSON lines on stdout, a batch per write. */
static void
write_events(Session *s, Out *w)
{
	static Event batch[DRAIN_BATCH];
	static char buf[64 * 1024];
	size_t n;

	while (w->state == OUT_OK &&
	    (n = session_out_drain(s, batch, DRAIN_BATCH)) > 0) {
		size_t len = 0;

		for (size_t k = 0; k < n && w->state == OUT_OK; k++) {
			char line[EVENT_JSON_MAX];
			size_t m = event_to_json(&batch[k], line, sizeof(line));

			if (len + m > sizeof(buf)) {
				write_out(buf, len, w);
				len = 0;
			}
			memcpy(buf + len, line, m);
			len += m;
		}
		if (len > 0)
			write_out(buf, len, w);
	}
}

/*
 * Tests only: DRTOP_TEST_OUT_CAPACITY shrinks the room for stdout so
 * that a test can make a stalled reader miss events in seconds and check
 * that the gap is written down. It can only make the room smaller;
 * nothing else sets it.
 */
static size_t
test_capacity(size_t cap)
{
	const char *v = getenv("DRTOP_TEST_OUT_CAPACITY");
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return cap;
	n = strtol(v, &end, 10);
	return *end == '\0' && n >= 1 && (size_t)n < cap ? (size_t)n : cap;
}

/* Room for what stdout may be behind before the session counts a gap:
 * about four seconds of this profile's events, at least 512, at most
 * 4,096 (an event is ~2.4 KiB today: 10 MiB). */
static size_t
watch_out_capacity(const Profile *p)
{
	size_t cap = (size_t)(session_event_rate(p) * 4.0);

	cap = cap < 512 ? 512 : cap > 4096 ? 4096 : cap;
	return test_capacity(cap);
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
	Recorder *rec = NULL;
	Session *s = NULL;
	Out w = {OUT_OK, 0};
	char err[256], started[40], *pjson = NULL, *header = NULL;
	double t0 = mono_now(), end;
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
	t0 = mono_now();
	clock_format_utc(real_now(), started, sizeof(started));
	pjson = profile_to_json(p, true);
	header = event_session_line(started, "live", pjson);
	if (record_path != NULL) {
		rec =
		    recorder_open(record_path, header, NULL, err, sizeof(err));
		if (rec == NULL) {
			fprintf(stderr, "drtop watch: %s\n", err);
			rc = 2;
			goto out;
		}
	}
	if (write_out(header, strlen(header), &w) != 0)
		goto stopped;

	rt = runtime_start(p, q, t0, err, sizeof(err));
	if (rt == NULL) {
		fprintf(stderr, "drtop watch: %s\n", err);
		dlog("watch: cannot start: %s", err);
		goto out;
	}
	{
		SessionConfig sc = {.p = p,
		    .engine = e,
		    .in = q,
		    .rt = rt,
		    .record = rec,
		    .t0 = t0,
		    .start_real = real_now() - (mono_now() - t0),
		    .out_kind = SESSION_OUT_EVIDENCE,
		    .out_capacity = watch_out_capacity(p),
		    .duration = duration};

		s = session_start(&sc, err, sizeof(err));
	}
	if (s == NULL) {
		fprintf(stderr, "drtop watch: %s\n", err);
		goto out;
	}
	dlog("watch: %s: %d endpoints, %d resolvers, session %s", profile_path,
	    p->nendpoints, p->dns.nresolvers, started);
	end = duration > 0 ? t0 + duration : INFINITY;
	while (!sigpipe_stop_requested() && w.state == OUT_OK) {
		struct pollfd pfd[2] = {
		    {.fd = session_out_fd(s), .events = POLLIN},
		    {.fd = sigpipe_fd(), .events = POLLIN},
		};
		double now = mono_now(), wait = fmin(0.25, end - now);

		if (now >= end || session_done(s))
			break;
		poll(pfd, 2, (int)ceil(fmax(wait, 0) * 1000));
		sigpipe_consume();
		write_events(s, &w);
	}
stopped:
	dlog("watch: stopping (%s)",
	    sigpipe_stop_requested()    ? "signal"
	        : w.state == OUT_GONE   ? "stdout closed by its reader"
	        : w.state == OUT_FAILED ? "stdout write error"
	                                : "duration");
	/* Stop the producers (a running action first: its `finished`
	 * event is queued), then the session, which records whatever they
	 * had queued; stdout gets the rest while it can take it. */
	runtime_stop(rt);
	rt = NULL;
	if (s != NULL) {
		session_halt(s, mono_now() - t0);
		write_events(s, &w);
	}
	if (s != NULL && session_in_dropped(s) > 0)
		fprintf(stderr,
		    "drtop watch: %llu events dropped (queue full); the record "
		    "says where\n",
		    (unsigned long long)session_in_dropped(s));
	if (w.state == OUT_FAILED)
		fprintf(stderr, "drtop watch: writing to stdout: %s\n",
		    strerror(w.err));
	rc = w.state == OUT_FAILED ? 1 : 0;
	if (rec != NULL && recorder_error(rec) != NULL) {
		fprintf(stderr, "drtop watch: recording: %s\n",
		    recorder_error(rec));
		rc = 1;
	}
out:
	runtime_stop(rt);
	session_stop(s, mono_now() - t0);
	if (rec != NULL && recorder_close(rec, err, sizeof(err)) != 0) {
		fprintf(stderr, "drtop watch: recording: %s\n", err);
		if (rc == 0)
			rc = 1;
	}
	engine_free(e);
	queue_free(q);
	free(header);
	free(pjson);
	profile_free(p);
	return rc;
}
