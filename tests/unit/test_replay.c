/*
 * replay: a session recorded here through the engine, the drill tracker
 * and the recorder (with live-like ticks between events, an operator's
 * failback and disable) replays at 1x, 4x and 64x to the same events,
 * and re-derives exactly the recorded health/route/convergence; pause
 * stops time; seeks land on the right events and a seek back rebuilds
 * the same state; --set is a what-if; a truncated last line is
 * tolerated; a bad log fails with the reader's line-numbered error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine/drill.h"
#include "engine/engine.h"
#include "helpers.h"
#include "journal/logread.h"
#include "journal/recorder.h"
#include "journal/replay.h"
#include "journal/state.h"
#include "model/profile.h"

static char dir[64];
static char log_path[128];

/* ---- recording ---------------------------------------------------------- */

static Recorder *rec;
static Recorder *mid; /* a drill log begun part-way; NULL = none */
static Drill drill;

static void
rec_phase(void *ctx, const Event *ev)
{
	(void)ctx;
	assert_int_equal(recorder_write(rec, ev), 0);
	if (mid != NULL)
		assert_int_equal(recorder_write(mid, ev), 0);
}

static const EventSink phase_sink = {rec_phase, NULL};

static void
rec_out(void *ctx, const Event *ev)
{
	(void)ctx;
	assert_int_equal(recorder_write(rec, ev), 0);
	if (mid != NULL)
		assert_int_equal(recorder_write(mid, ev), 0);
	drill_feed(&drill, ev, &phase_sink);
}

static const EventSink rec_sink = {rec_out, NULL};

static const char prof_json[] =
    "{\"service\":\"demo\",\"dns\":{\"name\":\"demo.test\","
    "\"ttl\":5,\"resolvers\":[\"127.0.0.1:5353\",\"127.0.0.2:53\"]},"
    "\"monitor\":{\"interval\":1,\"timeout\":0.5,"
    "\"tolerated_failures\":2},\"endpoints\":["
    "{\"name\":\"eu20\",\"target\":\"http://127.0.0.1:1/\"},"
    "{\"name\":\"us21\",\"target\":\"http://127.0.0.1:2/\"},"
    "{\"name\":\"ap10\",\"target\":\"http://127.0.0.1:3/\"}],"
    "\"drill\":{\"rto_target\":10}}";

static Profile *
load(void)
{
	ErrList errs;
	Profile *p;

	errlist_init(&errs);
	p = profile_parse(
	    prof_json, strlen(prof_json), "demo.json", "/tmp", &errs);
	if (p == NULL)
		fail_msg("%s", errs.count ? errs.msgs[0] : "?");
	errlist_fini(&errs);
	return p;
}

/*
 * 60 s: ap10 never answers (the first route comes at the deadline, from
 * a tick), eu20 fails from 15.5 to 35, an operator disables ap10 at 5
 * and fails back to eu20 at 45. Ticks fall between events, as in the
 * live loop.
 */
/* The session of record_session; from step mid_step on, its events also
 * go to mid_path, a log that begins there, with the engine's state line
 * when with_state (as a drill started part-way through a session). */
static void record_session_mid(
    const char *path, const char *mid_path, int mid_step, bool with_state);

static void
record_session(const char *path)
{
	record_session_mid(path, NULL, 0, false);
}

static void
record_session_mid(
    const char *path, const char *mid_path, int mid_step, bool with_state)
{
	static const double lag[] = {2.2, 4.9};
	Profile *p = load();
	Engine *eng = engine_new(p);
	char err[256], *pj, *hdr;
	double route_change = NAN;
	Event ev;

	pj = profile_to_json(p, true);
	hdr = event_session_line("2026-11-21T08:00:00.000Z", "live", pj);
	rec = recorder_open(path, hdr, NULL, err, sizeof(err));
	free(hdr);
	free(pj);
	assert_non_null(rec);
	drill_init(&drill, p);
	for (int step = 1; step <= 600; step++) {
		double t = step * 0.1;
		const Snapshot *snap;

		if (mid_path != NULL && step == mid_step) {
			char *mhdr,
			    *st = with_state ? state_line_of(eng, t) : NULL;

			pj = profile_to_json(p, true);
			mhdr = event_session_line(
			    "2026-11-21T08:00:00.000Z", "live", pj);
			unlink(mid_path);
			mid =
			    recorder_open(mid_path, mhdr, st, err, sizeof(err));
			assert_non_null(mid);
			free(mhdr);
			free(pj);
			free(st);
		}
		if (step == 20) {
			ev = drill_start(&drill, t, "replayed");
			engine_feed(eng, &ev, &rec_sink);
		}
		if (step == 50)
			engine_set_disabled(eng, t, "ap10", true, &rec_sink);
		if (step == 150) {
			ev = drill_fault(&drill, t, "eu20 returns 500");
			engine_feed(eng, &ev, &rec_sink);
		}
		if (step == 300) {
			ev = drill_marker(&drill, t, "checked by hand");
			engine_feed(eng, &ev, &rec_sink);
		}
		if (step == 450)
			assert_int_equal(
			    engine_route_manual(eng, t, NULL, CAUSE_FAILBACK,
			        &rec_sink, err, sizeof(err)),
			    0);
		if (step % 10 == 3 || step % 10 == 7) {
			const char *ep = step % 10 == 3 ? "eu20" : "us21";
			bool ok =
			    !(t > 15.5 && t < 35 && strcmp(ep, "eu20") == 0);
			event_init(&ev, EV_PROBE, t);
			strcpy(ev.u.probe.endpoint, ep);
			ev.u.probe.ok = ok;
			ev.u.probe.status = ok ? 200 : 500;
			ev.u.probe.error = ok ? PERR_NONE : PERR_STATUS;
			ev.u.probe.ms.total = 10 + step % 13;
			engine_feed(eng, &ev, &rec_sink);
		}
		snap = engine_snapshot(eng);
		if (isnan(route_change) && snap->routed &&
		    strcmp(snap->route_to, "us21") == 0)
			route_change = t;
		if (step % 10 == 6) /* never at the first route's deadline */
			for (int k = 0; k < 2; k++) {
				bool moved = !isnan(route_change) &&
				    t >= route_change + lag[k] && t < 45;
				event_init(&ev, EV_DNS, t);
				strcpy(ev.u.dns.resolver,
				    p->dns.resolvers[k].addr);
				strcpy(ev.u.dns.name, "demo.test");
				strcpy(ev.u.dns.rcode, "NOERROR");
				strcpy(
				    ev.u.dns.endpoint, moved ? "us21" : "eu20");
				ev.u.dns.ttl = 5;
				engine_feed(eng, &ev, &rec_sink);
			}
		engine_tick(eng, t + 0.037, &rec_sink);
	}
	ev = drill_end(&drill, 60.05);
	engine_feed(eng, &ev, &rec_sink);
	engine_free(eng);
	profile_free(p);
	assert_int_equal(recorder_close(rec, err, sizeof(err)), 0);
	if (mid != NULL)
		assert_int_equal(recorder_close(mid, err, sizeof(err)), 0);
	mid = NULL;
}

/* ---- collecting output -------------------------------------------------- */

typedef struct {
	char *buf;
	size_t len, cap;
	unsigned long n;
	bool derived_only;
} Text;

static void
text_add(void *ctx, const Event *ev)
{
	Text *x = ctx;
	char line[EVENT_JSON_MAX];
	size_t n;

	if (x->derived_only && !engine_derives(ev->type))
		return;
	n = event_to_json(ev, line, sizeof(line));
	assert_true(n > 0);
	if (x->len + n + 1 > x->cap) {
		x->cap = (x->len + n + 1) * 2;
		x->buf = realloc(x->buf, x->cap);
		assert_non_null(x->buf);
	}
	memcpy(x->buf + x->len, line, n);
	x->len += n;
	x->buf[x->len] = '\0';
	x->n++;
}

/* The recorded derived events, straight from the file. */
static Text
recorded_derived(const char *path)
{
	Text x = {NULL, 0, 0, 0, true};
	char err[256];
	SessionHeader h;
	LogRead *lr = logread_open(path, &h, err, sizeof(err));
	Event ev;

	assert_non_null(lr);
	while (logread_next(lr, &ev, err, sizeof(err)) == 1)
		text_add(&x, &ev);
	logread_close(lr);
	session_header_fini(&h);
	return x;
}

static Replay *
open_ok(const char *path, const char *const *sets, int nsets)
{
	char err[512];
	Replay *r = replay_open(path, sets, nsets, err, sizeof(err));

	if (r == NULL)
		fail_msg("%s", err);
	return r;
}

/* ---- tests -------------------------------------------------------------- */

static void
test_speeds_agree(void **state)
{
	static const double speeds[] = {1, 4, 64};
	Text rec_d = recorded_derived(log_path);
	Text all[3];

	(void)state;
	assert_true(rec_d.n > 8);
	for (int k = 0; k < 3; k++) {
		Replay *r = open_ok(log_path, NULL, 0);
		Text der = {NULL, 0, 0, 0, true};
		EventSink both[1];
		ReplayCheck c;
		int calls = 0;

		memset(&all[k], 0, sizeof(all[k]));
		both[0] = (EventSink){text_add, &all[k]};
		replay_set_speed(r, speeds[k]);
		assert_double_equal(replay_speed(r), speeds[k], 0);
		assert_double_equal(replay_position(r), replay_first_t(r), 0);
		while (!replay_at_end(r)) {
			double before = replay_position(r);
			replay_advance(r, 0.05, &both[0]);
			assert_true(calls++ < 100000);
			/* time moves by wall_dt * speed, up to the end */
			assert_double_equal(replay_position(r),
			    fmin(before + 0.05 * speeds[k], replay_last_t(r)),
			    1e-9);
		}
		assert_int_equal(replay_fed(r), replay_nevents(r));
		assert_double_equal(replay_position(r), 60.05, 1e-9);
		/* duration / (0.05 s * speed) calls, give or take one */
		assert_true(
		    fabs(calls - replay_duration(r) / (0.05 * speeds[k])) <= 2);
		replay_check(r, &c);
		assert_int_equal(c.mismatches, 0);
		assert_int_equal(c.recorded, rec_d.n);
		assert_int_equal(c.rederived, rec_d.n);
		assert_string_equal(c.first, "");
		/* The re-derived events, taken from the output, are the
		 * recorded ones, byte for byte. */
		for (size_t i = 0, s = 0; i < all[k].len; i++)
			if (all[k].buf[i] == '\n') {
				char *line = all[k].buf + s;
				size_t n = i + 1 - s;
				Event ev;
				char err[128];
				assert_int_equal(event_from_json(line, n, &ev,
				                     err, sizeof(err)),
				    1);
				text_add(&der, &ev);
				s = i + 1;
			}
		assert_string_equal(der.buf, rec_d.buf);
		/* The tracker in the replay reached every phase too. */
		assert_true(replay_drill(r)->reached[DRILL_RESTORED]);
		assert_true(replay_drill(r)->reached[DRILL_CONVERGED]);
		/* The operator's failback was replayed. */
		assert_string_equal(replay_snapshot(r)->route_to, "eu20");
		assert_int_equal(
		    replay_snapshot(r)->endpoints[2].state, HEALTH_DISABLED);
		free(der.buf);
		replay_free(r);
	}
	assert_string_equal(all[0].buf, all[1].buf);
	assert_string_equal(all[0].buf, all[2].buf);
	for (int k = 0; k < 3; k++)
		free(all[k].buf);
	free(rec_d.buf);
}

static void
test_pause_and_speed(void **state)
{
	Replay *r = open_ok(log_path, NULL, 0);
	double pos;
	unsigned long fed;

	(void)state;
	replay_advance(r, 0, NULL);
	replay_advance(r, 2.0, NULL);
	pos = replay_position(r);
	fed = replay_fed(r);
	assert_true(fed > 0);
	replay_pause(r);
	assert_true(replay_paused(r));
	for (int i = 0; i < 10; i++)
		replay_advance(r, 5.0, NULL);
	assert_double_equal(replay_position(r), pos, 0);
	assert_int_equal(replay_fed(r), fed);
	replay_resume(r);
	assert_false(replay_paused(r));
	replay_advance(r, 1.0, NULL);
	assert_double_equal(replay_position(r), pos + 1.0, 1e-9);
	assert_true(replay_fed(r) > fed);

	replay_set_speed(r, 1000);
	assert_double_equal(replay_speed(r), REPLAY_SPEED_MAX, 0);
	replay_faster(r);
	assert_double_equal(replay_speed(r), 64, 0);
	for (int i = 0; i < 20; i++)
		replay_slower(r);
	assert_double_equal(replay_speed(r), 0.25, 0);
	replay_faster(r);
	assert_double_equal(replay_speed(r), 0.5, 0);
	replay_set_speed(r, NAN);
	assert_double_equal(replay_speed(r), 0.25, 0);
	replay_free(r);
}

/* The times of the log's health, route and drill events, in order, each
 * distinct t once. */
static int
stops(const char *path, double *t, int cap)
{
	char err[256];
	SessionHeader h;
	LogRead *lr = logread_open(path, &h, err, sizeof(err));
	Event ev;
	int n = 0;

	assert_non_null(lr);
	while (logread_next(lr, &ev, err, sizeof(err)) == 1)
		if ((REPLAY_SEEK_DEFAULT & REPLAY_KIND(ev.type)) &&
		    (n == 0 || ev.t > t[n - 1])) {
			assert_true(n < cap);
			t[n++] = ev.t;
		}
	logread_close(lr);
	session_header_fini(&h);
	return n;
}

static void
test_seeks(void **state)
{
	double t[256];
	int n = stops(log_path, t, 256);
	Replay *r = open_ok(log_path, NULL, 0);
	Snapshot at[256]; /* endpoints not kept: they belong to the engine */
	HealthState states[256][3];
	Text x = {NULL, 0, 0, 0, false};
	EventSink sink = {text_add, &x};

	(void)state;
	assert_true(n > 10);
	/* ] walks every stop in order; the snapshot there is kept. */
	for (int i = 0; i < n; i++) {
		assert_true(replay_seek_next(r, REPLAY_SEEK_DEFAULT, &sink));
		assert_double_equal(replay_position(r), t[i], 0);
		at[i] = *replay_snapshot(r);
		assert_int_equal(at[i].nendpoints, 3);
		for (int k = 0; k < 3; k++)
			states[i][k] = at[i].endpoints[k].state;
		at[i].endpoints = NULL;
	}
	assert_false(replay_seek_next(r, REPLAY_SEEK_DEFAULT, &sink));
	assert_true(replay_at_end(r));
	assert_double_equal(replay_position(r), replay_last_t(r), 0);
	assert_int_equal(x.n, replay_nevents(r));

	/* [ walks them back, and rebuilds the same engine state. */
	assert_double_equal(t[n - 1], replay_last_t(r), 0); /* the end */
	for (int i = n - 2; i >= 0; i--) {
		const Snapshot *s;
		assert_true(replay_seek_prev(r, REPLAY_SEEK_DEFAULT, NULL));
		assert_double_equal(replay_position(r), t[i], 0);
		s = replay_snapshot(r);
		assert_int_equal(s->events_in, at[i].events_in);
		assert_int_equal(s->routed, at[i].routed);
		assert_string_equal(s->route_to, at[i].route_to);
		for (int k = 0; k < s->nendpoints; k++)
			assert_int_equal(s->endpoints[k].state, states[i][k]);
	}
	assert_false(replay_seek_prev(r, REPLAY_SEEK_DEFAULT, NULL));
	assert_double_equal(replay_position(r), replay_first_t(r), 0);

	/* Only routes: the first is the deadline's first route. */
	assert_true(replay_seek_next(r, REPLAY_KIND(EV_ROUTE), NULL));
	assert_double_equal(replay_position(r), 1.537, 1e-9);
	assert_true(replay_snapshot(r)->routed);
	assert_false(replay_at_end(r));

	/* G, then g. */
	replay_seek_end(r, NULL);
	assert_true(replay_at_end(r));
	assert_int_equal(replay_fed(r), replay_nevents(r));
	assert_double_equal(replay_position(r), replay_last_t(r), 0);
	replay_seek_start(r, NULL);
	assert_double_equal(replay_position(r), replay_first_t(r), 0);
	/* eu20's first probe and its health event */
	assert_int_equal(replay_fed(r), 2);
	assert_double_equal(replay_first_t(r), 0.3, 1e-9);
	free(x.buf);
	replay_free(r);
}

static void
test_whatif(void **state)
{
	const char *sets[] = {"monitor.tolerated_failures=0"};
	const char *bad[] = {"monitor.nonsense=1"};
	char err[512];
	Replay *r, *base;
	ReplayCheck c;

	(void)state;
	base = open_ok(log_path, NULL, 0);
	r = open_ok(log_path, sets, 1);
	assert_true(replay_whatif(r));
	assert_false(replay_whatif(base));
	assert_int_equal(
	    replay_profile(r)->endpoints[0].monitor.tolerated_failures, 0);
	replay_seek_end(r, NULL);
	replay_seek_end(base, NULL);
	/* Detected on the first failure (16.3) rather than the third. */
	assert_true(replay_drill(r)->reached[DRILL_DETECTED]);
	assert_double_equal(replay_drill(r)->at[DRILL_DETECTED], 16.3, 1e-9);
	assert_double_equal(replay_drill(base)->at[DRILL_DETECTED], 18.3, 1e-9);
	replay_check(r, &c);
	assert_true(c.mismatches > 0);
	assert_true(c.first_line > 1);
	assert_non_null(strstr(c.first, "recorded {"));
	replay_free(r);
	replay_free(base);

	assert_null(replay_open(log_path, bad, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "--set monitor.nonsense"));
}

/* Copy the log's first nlines lines into path, then append tail. */
static void
write_variant(const char *path, int nlines, const char *tail)
{
	FILE *in = fopen(log_path, "r"), *o = fopen(path, "w");
	char *line = NULL;
	size_t cap = 0;
	int k = 0;

	assert_non_null(in);
	assert_non_null(o);
	while (k < nlines && getline(&line, &cap, in) > 0) {
		fputs(line, o);
		k++;
	}
	fputs(tail, o);
	free(line);
	fclose(in);
	fclose(o);
}

/* How many derived events right after line n of the log were caused by
 * line n's event (consecutive, same t): what a cut there loses. */
static unsigned long
cut_tail(int n)
{
	FILE *in = fopen(log_path, "r");
	char *line = NULL, err[128];
	size_t cap = 0;
	ssize_t len;
	unsigned long tail = 0;
	double t = NAN;
	Event ev;

	assert_non_null(in);
	for (int k = 1; (len = getline(&line, &cap, in)) > 0; k++) {
		if (k < n)
			continue;
		assert_int_equal(
		    event_from_json(line, (size_t)len, &ev, err, sizeof(err)),
		    1);
		if (k == n) {
			assert_false(engine_derives(ev.type));
			t = ev.t;
		} else if (engine_derives(ev.type) && ev.t == t) {
			tail++;
		} else {
			break;
		}
	}
	free(line);
	fclose(in);
	return tail;
}

static void
test_bad_logs(void **state)
{
	char path[160], err[512], want[320];
	Replay *r;
	ReplayCheck c;

	(void)state;
	/* A truncated last line: skipped with a warning. */
	snprintf(path, sizeof(path), "%s/cut.jsonl", dir);
	write_variant(path, 200, "{\"t\":40.1,\"type\":\"probe\",\"endp");
	r = open_ok(path, NULL, 0);
	assert_non_null(replay_warning(r));
	assert_non_null(strstr(replay_warning(r), ":201: truncated"));
	assert_int_equal(replay_nevents(r), 199);
	replay_seek_end(r, NULL);
	assert_null(replay_error(r));
	replay_check(r, &c);
	assert_int_equal(c.mismatches, 0);
	assert_int_equal(c.tail, cut_tail(200));
	assert_true(c.tail > 0); /* the cut does lose one */
	replay_free(r);

	/* Garbage in the middle: the reader's error with its line. */
	snprintf(path, sizeof(path), "%s/garbage.jsonl", dir);
	write_variant(
	    path, 120, "this is not json\n{\"t\":99,\"type\":\"x\"}\n");
	assert_null(replay_open(path, NULL, 0, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:121:", path);
	assert_non_null(strstr(err, want));

	/* No profile in the header. */
	snprintf(path, sizeof(path), "%s/noprof.jsonl", dir);
	{
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs("{\"type\":\"session\",\"v\":1,\"version\":\"0.1.0\","
		      "\"started\":\"2026-11-21T08:00:00.000Z\","
		      "\"mode\":\"live\"}\n",
		    f);
		fclose(f);
	}
	assert_null(replay_open(path, NULL, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "has no profile"));

	/* Not there at all. */
	snprintf(path, sizeof(path), "%s/missing.jsonl", dir);
	assert_null(replay_open(path, NULL, 0, err, sizeof(err)));
	assert_non_null(strstr(err, path));

	/* A recorded derived event that the engine would not derive: the
	 * check says where. */
	snprintf(path, sizeof(path), "%s/forged.jsonl", dir);
	write_variant(path, 30,
	    "{\"t\":3.0,\"type\":\"health\",\"endpoint\":\"us21\","
	    "\"from\":\"online\",\"to\":\"degraded\",\"reason\":\"forged\"}"
	    "\n");
	r = open_ok(path, NULL, 0);
	replay_seek_end(r, NULL);
	replay_check(r, &c);
	assert_true(c.mismatches >= 1);
	assert_int_equal(c.first_line, 31);
	assert_non_null(strstr(c.first, "forged"));
	replay_free(r);

	/* An event naming an endpoint the profile does not have. */
	snprintf(path, sizeof(path), "%s/stranger.jsonl", dir);
	write_variant(path, 30,
	    "{\"t\":3.0,\"type\":\"health\",\"endpoint\":\"zz99\","
	    "\"from\":\"online\",\"to\":\"degraded\",\"reason\":\"x\"}\n");
	assert_null(replay_open(path, NULL, 0, err, sizeof(err)));
	snprintf(want, sizeof(want),
	    "%s:31: endpoint \"zz99\" is not in the session's profile", path);
	assert_string_equal(err, want);
}

/* Recorded derived events the engine never derives wait for a pair: a
 * crafted log of many of them must not make that queue grow with it
 * (uncapped, 50,000 of them held 125 MB). */
static void
test_pending_bounded(void **state)
{
	char path[160];
	struct rusage before, after;
	unsigned long n = 50000;
	Replay *r;
	ReplayCheck c;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/flood.jsonl", dir);
	write_variant(path, 30, "");
	f = fopen(path, "a");
	assert_non_null(f);
	for (unsigned long i = 0; i < n; i++)
		fprintf(f,
		    "{\"t\":3.0,\"type\":\"health\",\"endpoint\":\"us21\","
		    "\"from\":\"online\",\"to\":\"degraded\",\"reason\":"
		    "\"forged %lu\"}\n",
		    i);
	fclose(f);
	getrusage(RUSAGE_SELF, &before);
	r = open_ok(path, NULL, 0);
	replay_seek_end(r, NULL);
	getrusage(RUSAGE_SELF, &after);
	replay_check(r, &c);
	replay_free(r);
	assert_true(c.mismatches >= n);
	assert_int_equal(c.first_line, 31);
	assert_non_null(strstr(c.first, "forged 0\""));
	/* REPLAY_PENDING_MAX events of a few KB, not n of them. (Under
	 * AddressSanitizer freed memory stays in its quarantine: the peak
	 * says nothing there.) */
#ifndef __SANITIZE_ADDRESS__
	assert_true(after.ru_maxrss - before.ru_maxrss < 48 * 1024);
#else
	(void)before;
	(void)after;
#endif
}

/* The log with its first converged event's `after` moved by delta. */
static void
write_after(const char *path, double delta)
{
	FILE *in = fopen(log_path, "r"), *o = fopen(path, "w");
	char *line = NULL, err[128], buf[EVENT_JSON_MAX];
	size_t cap = 0;
	ssize_t len;
	bool done = false;
	Event ev;

	assert_non_null(in);
	assert_non_null(o);
	while ((len = getline(&line, &cap, in)) > 0) {
		if (!done && strstr(line, "\"converged\"") != NULL &&
		    event_from_json(line, (size_t)len, &ev, err, sizeof(err)) ==
		        1) {
			ev.u.conv.after += delta;
			assert_true(event_to_json(&ev, buf, sizeof(buf)) > 0);
			fputs(buf, o);
			done = true;
			continue;
		}
		fputs(line, o);
	}
	assert_true(done);
	free(line);
	fclose(in);
	fclose(o);
}

/* The engine works in the log's microseconds, so a replay re-derives
 * `after` exactly: an untouched log matches, and a difference of one
 * microsecond is already a mismatch. */
static void
test_rounding(void **state)
{
	char path[160];
	ReplayCheck c;
	Replay *r;

	(void)state;
	snprintf(path, sizeof(path), "%s/round.jsonl", dir);
	for (int k = 0; k < 2; k++) {
		write_after(path, k == 0 ? 0 : 1e-6);
		r = open_ok(path, NULL, 0);
		replay_seek_end(r, NULL);
		replay_check(r, &c);
		assert_int_equal(c.mismatches, k == 0 ? 0 : 1);
		if (k == 1)
			assert_non_null(strstr(c.first, "converged"));
		replay_free(r);
	}
}

static int
setup(void **state)
{
	(void)state;
	th_tmpdir_make(dir, sizeof(dir), "replay");
	snprintf(log_path, sizeof(log_path), "%s/session.jsonl", dir);
	record_session(log_path);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return th_tmpdir_remove(dir);
}

/* A drill log begun part-way through a session replays byte for byte
 * what the live engine derived, because it begins with the engine's
 * state; without that line the same events derive differently. */
static void
test_check_mid_session(void **state)
{
	char with[160], without[160], err[512];
	const int steps[] = {160, 251, 377};
	ReplayCheck c;
	Replay *r;

	(void)state;
	snprintf(with, sizeof(with), "%s/mid-state.jsonl", dir);
	snprintf(without, sizeof(without), "%s/mid-bare.jsonl", dir);
	for (size_t k = 0; k < ARRAY_LEN(steps); k++) {
		char other[160];

		snprintf(other, sizeof(other), "%s/whole-%zu.jsonl", dir, k);
		unlink(other);
		record_session_mid(other, with, steps[k], true);
		r = replay_open(with, NULL, 0, err, sizeof(err));
		if (r == NULL)
			fail_msg("%s", err);
		replay_seek_end(r, NULL);
		replay_check(r, &c);
		if (c.mismatches != 0)
			fail_msg("step %d: %lu mismatches: line %ld: %s",
			    steps[k], c.mismatches, c.first_line, c.first);
		if (c.recorded < 2)
			fail_msg("step %d: recorded %lu rederived %lu",
			    steps[k], c.recorded, c.rederived);
		assert_int_equal(c.recorded, c.rederived);
		replay_free(r);
	}
	/* the control: the same log without its state line differs */
	{
		char other[160];

		snprintf(other, sizeof(other), "%s/whole-bare.jsonl", dir);
		unlink(other);
		record_session_mid(other, without, 251, false);
	}
	r = replay_open(without, NULL, 0, err, sizeof(err));
	assert_non_null(r);
	replay_seek_end(r, NULL);
	replay_check(r, &c);
	assert_true(c.mismatches > 0);
	replay_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_speeds_agree),
	    cmocka_unit_test(test_pause_and_speed),
	    cmocka_unit_test(test_seeks),
	    cmocka_unit_test(test_whatif),
	    cmocka_unit_test(test_bad_logs),
	    cmocka_unit_test(test_pending_bounded),
	    cmocka_unit_test(test_rounding),
	    cmocka_unit_test(test_check_mid_session),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
