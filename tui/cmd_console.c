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

#include "actions.h"
#include "app.h"
#include "cmd.h"
#include "demo.h"
#include "engine.h"
#include "profile.h"
#include "queue.h"
#include "recorder.h"
#include "runtime.h"
#include "sigpipe.h"
#include "theme.h"
#include "util.h"

#define QUEUE_CAPACITY 8192

static int
usage(const char *msg)
{
	if (msg)
		fprintf(stderr, "drtop: %s\n", msg);
	cmd_usage(stderr);
	return 2;
}

static Recorder *
open_record(const char *path, const Profile *p, double start_real, bool demo)
{
	char started[40], err[512];
	char *pj, *line;
	Recorder *r;

	event_format_utc(start_real, started, sizeof(started));
	pj = profile_to_json(p, true); /* header values redacted */
	line = event_session_line(started, demo ? "demo" : "live", pj);
	r = recorder_open(path, line, err, sizeof(err));
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
	const char *theme = NULL, *record_path = NULL, *debug_path = NULL;
	const char *profile_path = NULL;
	bool demo_mode = false, ascii = false;
	Demo *demo = NULL;
	Profile *owned = NULL;
	const Profile *p = NULL;
	Queue *q = NULL;
	Engine *e = NULL;
	Runtime *rt = NULL;
	Recorder *record = NULL;
	FILE *debug_log = NULL;
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
			debug_path = argv[++i];
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

	if (theme) {
		/* a bad --theme is bad usage: say so before anything starts */
		Theme t;
		ErrList errs;
		errlist_init(&errs);
		if (theme_load(&t, theme, &errs) != 0) {
			errlist_print(&errs, stderr);
			errlist_fini(&errs);
			return 2;
		}
		errlist_fini(&errs);
	}
	setlocale(LC_CTYPE, "");
	if (sigpipe_install() != 0) {
		fprintf(stderr, "drtop: signals: %s\n", strerror(errno));
		return 1;
	}
	die_set_hook(app_die_hook);

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
	if (debug_path) {
		debug_log = fopen(debug_path, "a");
		if (debug_log == NULL) {
			fprintf(stderr, "drtop: %s: %s\n", debug_path,
			    strerror(errno));
			rc = 2;
			goto out;
		}
	}
	q = queue_new(QUEUE_CAPACITY);
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
	    .debug_log = debug_log,
	};
	cfg.t0 = mono_now();
	cfg.start_real = real_now();
	if (record_path) {
		record = open_record(record_path, p, cfg.start_real, demo_mode);
		if (record == NULL)
			goto out;
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
	if (debug_log)
		fclose(debug_log);
	return rc;
}
