/*
 * cmd_console: `drtop [--theme NAME] [--ascii] [--record FILE]
 * [--debug-log FILE] (PROFILE | --demo)`: wires a live session (or the
 * embedded demo) to the console. Order matters: locale, signal pipe and
 * die hook first, then the producer threads, then curses (app_run);
 * threads are stopped after the terminal is restored.
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actions/actions.h"
#include "app.h"
#include "base/clock.h"
#include "base/util.h"
#include "cmd.h"
#include "engine/engine.h"
#include "journal/recorder.h"
#include "journal/replay.h"
#include "live/runtime.h"
#include "model/profile.h"
#include "model/queue.h"
#include "sigpipe.h"
#include "sim/demo.h"
#include "term.h"
#include "theme.h"

#define QUEUE_CAPACITY 8192

/*
 * Tests only: DRTOP_TEST_QUEUE_CAPACITY=N (1 to QUEUE_CAPACITY) shrinks
 * the event queue, so that a screen test can make it overflow honestly
 * (the real producers against the real consumer) and check the count on
 * the status line. The name says what it is for; nothing else sets it,
 * it can only make the queue smaller, and without it (or with anything
 * but a number in range) the capacity is QUEUE_CAPACITY.
 */
static size_t
console_queue_capacity(void)
{
	const char *v = getenv("DRTOP_TEST_QUEUE_CAPACITY");
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return QUEUE_CAPACITY;
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < 1 || n > QUEUE_CAPACITY)
		return QUEUE_CAPACITY;
	return (size_t)n;
}

static int
usage(const char *msg)
{
	if (msg)
		fprintf(stderr, "drtop: %s\n", msg);
	fputs("usage: drtop [--theme NAME] [--ascii] [--record FILE] "
	      "(PROFILE | --demo)\n"
	      "       drtop replay [--speed X] [--set KEY=VALUE]... LOG\n"
	      "       drtop --help (every mode)\n",
	    stderr);
	return 2;
}
/* A bad --theme is bad usage: say so (by line) before anything starts.
 * NULL (no --theme) is fine. */
static bool
theme_ok(const char *theme)
{
	ErrList errs;
	Theme t;
	bool ok;

	if (theme == NULL)
		return true;
	errlist_init(&errs);
	ok = theme_load(&t, theme, &errs) == 0;
	errlist_print(&errs, stderr);
	errlist_fini(&errs);
	return ok;
}

static Recorder *
open_record(const char *path, const Profile *p, double start_real, bool demo)
{
	char started[40], err[512];
	char *pj, *line;
	Recorder *r;

	clock_format_utc(start_real, started, sizeof(started));
	pj = profile_to_json(p, true); /* header values redacted */
	line = event_session_line(started, demo ? "demo" : "live", pj);
	r = recorder_open(path, line, NULL, err, sizeof(err));
	if (r == NULL)
		fprintf(stderr, "drtop: %s\n", err);
	free(line);
	free(pj);
	return r;
}

static void
record_event(void *ctx, const Event *ev)
{
	recorder_write(ctx, ev);
}

int
cmd_console(int argc, char **argv)
{
	const char *theme = NULL, *record_path = NULL;
	const char *profile_path = NULL;
	bool demo_mode = false, ascii = false;
	Demo *demo = NULL;
	Profile *owned = NULL;
	const Profile *p = NULL;
	Queue *q = NULL;
	Engine *e = NULL;
	Runtime *rt = NULL;
	Recorder *record = NULL;
	char err[512];
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--demo") == 0)
			demo_mode = true;
		else if (strcmp(a, "--ascii") == 0)
			ascii = true;
		else if (strcmp(a, "--theme") == 0 && i + 1 < argc)
			theme = argv[++i];
		else if (strcmp(a, "--record") == 0 && i + 1 < argc)
			record_path = argv[++i];
		else if (strcmp(a, "--debug-log") == 0 && i + 1 < argc)
			i++; /* opened by main (core/dlog) */
		else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "drtop: unknown option %s\n", a);
			return usage(NULL);
		} else if (profile_path == NULL)
			profile_path = a;
		else
			return usage("one profile at a time");
	}
	if (demo_mode == (profile_path != NULL))
		return usage(demo_mode ? "--demo takes no profile"
		                       : "a PROFILE or --demo is needed");

	if (!theme_ok(theme))
		return 2;
	setlocale(LC_CTYPE, "");
	if (sigpipe_install() != 0) {
		fprintf(stderr, "drtop: signals: %s\n", strerror(errno));
		return 1;
	}
	die_set_hook(term_die_hook);

	if (demo_mode) {
		demo = demo_start(err, sizeof(err));
		if (demo == NULL) {
			fprintf(stderr, "drtop: demo: %s\n", err);
			return 1;
		}
		p = demo_profile(demo);
	} else {
		ErrList errs;
		errlist_init(&errs);
		owned = profile_load(profile_path, &errs);
		if (owned == NULL) {
			errlist_print(&errs, stderr);
			errlist_fini(&errs);
			return 2;
		}
		errlist_fini(&errs);
		p = owned;
	}
	q = queue_new(console_queue_capacity());
	if (q == NULL) {
		fprintf(stderr, "drtop: event queue: %s\n", strerror(errno));
		goto out;
	}
	e = engine_new(p);

	AppConfig cfg = {
	    .profile = p,
	    .engine = e,
	    .queue = q,
	    .demo = demo,
	    .ascii = ascii,
	    .theme = theme,
	    .record_path = record_path,
	};
	cfg.t0 = mono_now();
	cfg.start_real = real_now();
	if (record_path) {
		record = open_record(record_path, p, cfg.start_real, demo_mode);
		if (record == NULL) {
			rc = 2; /* as watch: the FILE given cannot be a log */
			goto out;
		}
		cfg.record = record;
	}
	rt = runtime_start(p, q, cfg.t0, err, sizeof(err));
	if (rt == NULL) {
		fprintf(stderr, "drtop: %s\n", err);
		goto out;
	}
	cfg.runtime = rt;
	/* failover/failback run through the session's runner */
	cfg.actions = runtime_actions(rt);
	rc = app_run(&cfg);
out:
	runtime_stop(rt);
	if (record) {
		/* the producers have stopped: what they left in the queue
		 * still goes through the engine into the log */
		EventSink sink = {record_event, record};
		Event evs[64];
		size_t n;
		char rerr[512];
		while (e && q && (n = queue_drain(q, evs, 64)) > 0)
			for (size_t i = 0; i < n; i++)
				engine_feed(e, &evs[i], &sink);
		if (recorder_close(record, rerr, sizeof(rerr)) != 0) {
			fprintf(stderr, "drtop: --record: %s\n", rerr);
			if (rc == 0)
				rc = 1;
		}
	}
	engine_free(e);
	queue_free(q);
	demo_stop(demo);
	profile_free(owned);
	return rc;
}

/* "2026-11-21T08:00:00.000Z" as CLOCK_REALTIME seconds; 0 when it is
 * not that form. */
static double
parse_started(const char *s)
{
	struct tm tm;
	int ms = 0;
	char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL)
		return 0;
	if (*end == '.')
		ms = atoi(end + 1);
	return (double)timegm(&tm) + ms / 1000.0;
}

int
cmd_console_replay(int argc, char **argv)
{
	const char *theme = NULL, *log = NULL;
	const char *sets[64];
	int nsets = 0, rc = 1;
	bool ascii = false;
	double speed = 1.0;
	Replay *r = NULL;
	char err[1024];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--ascii") == 0)
			ascii = true;
		else if (strcmp(a, "--theme") == 0 && i + 1 < argc)
			theme = argv[++i];
		else if (strcmp(a, "--debug-log") == 0 && i + 1 < argc)
			i++; /* opened by main (core/dlog) */
		else if (strcmp(a, "--speed") == 0 && i + 1 < argc) {
			char *end;
			speed = strtod(argv[++i], &end);
			if (*end != '\0' ||
			    !(speed >= REPLAY_SPEED_MIN &&
			        speed <= REPLAY_SPEED_MAX))
				return usage(
				    "--speed: a number from 0.25 to 64");
		} else if (strcmp(a, "--set") == 0 && i + 1 < argc) {
			if (nsets == (int)ARRAY_LEN(sets))
				return usage("too many --set");
			sets[nsets++] = argv[++i];
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "drtop replay: unknown option %s\n", a);
			return usage(NULL);
		} else if (log == NULL)
			log = a;
		else
			return usage("one log at a time");
	}
	if (log == NULL)
		return usage("replay needs a LOG");
	if (!theme_ok(theme))
		return 2;
	r = replay_open(log, sets, nsets, err, sizeof(err));
	if (r == NULL) {
		fprintf(stderr, "drtop: %s\n", err);
		return 2;
	}
	replay_set_speed(r, speed);
	setlocale(LC_CTYPE, "");
	if (sigpipe_install() != 0) {
		fprintf(stderr, "drtop: signals: %s\n", strerror(errno));
		goto out;
	}
	die_set_hook(term_die_hook);
	AppConfig cfg = {
	    .profile = replay_profile(r),
	    .replay = r,
	    .ascii = ascii,
	    .theme = theme,
	    .t0 = mono_now(),
	    .start_real = parse_started(replay_header(r)->started),
	};
	rc = app_run(&cfg);
out:
	replay_free(r);
	return rc;
}
