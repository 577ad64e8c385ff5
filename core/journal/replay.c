/*
 * replay: a drill log played back at virtual time (see replay.h).
 */
#include "journal/replay.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "journal/logread.h"
#include "journal/state.h"

typedef struct {
	double t;
	uint8_t type;
} Mark;

/* One side of the determinism check waiting for its pair. */
typedef struct {
	Event ev;
	long line; /* recorded side: its log line */
	bool tail; /* re-derived from the log's last event */
} Pending;

struct Replay {
	char *path;
	SessionHeader hdr;
	Profile *profile;
	bool whatif;

	LogRead *lr;
	Engine *eng;
	Drill drill;
	EventSink sink; /* the engine's output: into engine_out() */
	EventSink phase_sink; /* the tracker's phases: into forward() */
	const EventSink *out; /* the caller's, during one call */

	Event next; /* read ahead, not fed yet */
	long next_line;
	bool have_next;
	long cur_line; /* the line of the event being fed */
	bool in_last; /* feeding the log's last event */

	double pos, first_t, last_t;
	unsigned long nevents, fed;
	double speed;
	bool paused;
	double now; /* the engine's time */
	bool ticked;
	char warning[512];
	char error[512];

	Mark *marks;
	size_t nmarks, mcap;

	bool seeking;
	unsigned seek_kinds;
	bool seek_hit;
	double seek_t;

	/* Determinism check: a FIFO of the side that is ahead. */
	Pending *fifo;
	size_t fhead, flen, fcap;
	bool fifo_recorded; /* the FIFO holds recorded events */
	unsigned long c_recorded, c_rederived, c_mismatch;
	long first_line;
	char first[1024];
};

/* ---- the determinism check --------------------------------------------- */

static void
compare(Replay *r, const Event *rec, const Event *re, long line)
{
	char a[EVENT_JSON_MAX], b[EVENT_JSON_MAX];
	size_t na = event_to_json(rec, a, sizeof(a));
	size_t nb = event_to_json(re, b, sizeof(b));

	if ((na == nb && memcmp(a, b, na) == 0))
		return;
	r->c_mismatch++;
	if (r->first_line != 0)
		return;
	r->first_line = line > 0 ? line : 1;
	if (na > 0)
		a[na - 1] = '\0'; /* the newline */
	if (nb > 0)
		b[nb - 1] = '\0';
	snprintf(r->first, sizeof(r->first),
	    "recorded %.500s re-derived %.500s", a, b);
}

/* A derived event that will never have its pair: a mismatch. */
static void
unpaired(Replay *r, const Pending *p, bool recorded)
{
	char j[EVENT_JSON_MAX];
	size_t n;

	r->c_mismatch++;
	if (r->first_line != 0)
		return;
	n = event_to_json(&p->ev, j, sizeof(j));
	if (n > 0)
		j[n - 1] = '\0';
	r->first_line = recorded && p->line > 0 ? p->line : 1;
	snprintf(r->first, sizeof(r->first), "%s %.900s (unpaired)",
	    recorded ? "recorded" : "re-derived", j);
}

/* A derived event from one side: pair it with the other side's oldest
 * waiting one, or wait. Past REPLAY_PENDING_MAX waiting, the oldest is
 * given up as unpaired: the sides are too far apart for the count to
 * say more than that they differ, and a crafted log cannot make the
 * queue grow with it. */
static void
pair(Replay *r, const Event *ev, bool recorded, long line)
{
	if (r->flen > 0 && r->fifo_recorded != recorded) {
		Pending *p = &r->fifo[r->fhead++];
		r->flen--;
		if (recorded)
			compare(r, ev, &p->ev, line);
		else
			compare(r, &p->ev, ev, p->line);
		if (r->flen == 0)
			r->fhead = 0;
		return;
	}
	if (r->flen == REPLAY_PENDING_MAX) {
		unpaired(r, &r->fifo[r->fhead], recorded);
		r->fhead++;
		r->flen--;
	}
	if (r->fhead + r->flen == r->fcap) {
		/* Moved down only once half of it is behind the head, so each
		 * waiting event is moved O(1) times however long it waits. */
		if (r->fhead > 0 && r->fhead >= r->fcap / 2) {
			memmove(r->fifo, r->fifo + r->fhead,
			    r->flen * sizeof(*r->fifo));
			r->fhead = 0;
		} else {
			r->fcap = r->fcap ? r->fcap * 2 : 16;
			r->fifo = xrealloc(r->fifo, r->fcap, sizeof(*r->fifo));
		}
	}
	r->fifo[r->fhead + r->flen].ev = *ev;
	r->fifo[r->fhead + r->flen].line = line;
	r->fifo[r->fhead + r->flen].tail = !recorded && r->in_last;
	r->flen++;
	r->fifo_recorded = recorded;
}

/* ---- output ------------------------------------------------------------ */

static void
forward(Replay *r, const Event *ev)
{
	if (ev->type != EV_PROBE && ev->type != EV_DNS) {
		if (r->nmarks == r->mcap) {
			r->mcap = r->mcap ? r->mcap * 2 : 64;
			r->marks =
			    xrealloc(r->marks, r->mcap, sizeof(*r->marks));
		}
		r->marks[r->nmarks++] = (Mark){ev->t, (uint8_t)ev->type};
	}
	if (r->seeking && !r->seek_hit &&
	    (r->seek_kinds & REPLAY_KIND(ev->type))) {
		r->seek_hit = true;
		r->seek_t = ev->t;
	}
	if (r->out != NULL)
		r->out->fn(r->out->ctx, ev);
}

static void
phase_out(void *ctx, const Event *ev)
{
	forward(ctx, ev);
}

static void
engine_out(void *ctx, const Event *ev)
{
	Replay *r = ctx;

	if (engine_derives(ev->type)) {
		r->c_rederived++;
		pair(r, ev, false, 0);
	}
	forward(r, ev);
	drill_feed(&r->drill, ev, r->whatif ? &r->phase_sink : NULL);
}

/* ---- reading ----------------------------------------------------------- */

static void
load_next(Replay *r)
{
	char err[512];
	int rc;

	r->have_next = false;
	if (r->lr == NULL)
		return;
	rc = logread_next(r->lr, &r->next, err, sizeof(err));
	r->next_line = logread_line(r->lr);
	if (rc == 1) {
		r->have_next = true;
		return;
	}
	if (rc < 0 && r->error[0] == '\0')
		str_copy(r->error, sizeof(r->error), err);
}

/* An operator's act recorded as a derived event: do it again. */
static void
replay_operator(Replay *r, const Event *ev)
{
	char err[256];

	if (ev->type == EV_ROUTE &&
	    (ev->u.route.cause == CAUSE_MANUAL ||
	        ev->u.route.cause == CAUSE_FAILBACK)) {
		const RouteEvent *re = &ev->u.route;
		engine_route_manual(r->eng, ev->t,
		    re->cause == CAUSE_FAILBACK ? NULL : re->to, re->cause,
		    &r->sink, err, sizeof(err));
	} else if (ev->type == EV_HEALTH &&
	    (ev->u.health.to == HEALTH_DISABLED) !=
	        (ev->u.health.from == HEALTH_DISABLED)) {
		engine_set_disabled(r->eng, ev->t, ev->u.health.endpoint,
		    ev->u.health.to == HEALTH_DISABLED, &r->sink);
	}
}

static void
process(Replay *r, const Event *ev)
{
	r->fed++;
	if (!r->ticked || ev->t > r->now) {
		r->now = ev->t;
		r->ticked = true;
		engine_tick(r->eng, ev->t, &r->sink);
	}
	if (engine_derives(ev->type)) {
		r->c_recorded++;
		pair(r, ev, true, r->cur_line);
		replay_operator(r, ev);
		return;
	}
	if (ev->type == EV_DRILL) {
		const DrillEvent *d = &ev->u.drill;
		switch (d->phase) {
		case DRILL_START:
			drill_start(&r->drill, ev->t, d->note);
			break;
		case DRILL_FAULT:
			drill_fault(&r->drill, ev->t, d->note);
			break;
		case DRILL_END:
			drill_end(&r->drill, ev->t);
			break;
		default:
			if (r->whatif) /* the tracker re-derives it */
				return;
			break;
		}
	}
	engine_feed(r->eng, ev, &r->sink);
}

/* Feed the read-ahead event and read the next one. */
static void
feed_one(Replay *r)
{
	Event ev = r->next;

	r->cur_line = r->next_line;
	load_next(r);
	r->in_last = !r->have_next;
	process(r, &ev);
	r->in_last = false;
}

static void
feed_until(Replay *r, double limit)
{
	while (r->have_next && r->next.t <= limit)
		feed_one(r);
}

/* A drill log begins with the engine's state at the drill's start: the
 * engine and the tracker take it before the first event. */
static int
load_state(Replay *r, char *err, size_t cap)
{
	size_t len;
	const char *text = logread_state(r->lr, &len);
	EngineState st;
	char why[256];

	if (text == NULL)
		return 0;
	if (state_parse(text, len, &st, why, sizeof(why)) != 0 ||
	    engine_state_import(r->eng, &st, why, sizeof(why)) != 0) {
		snprintf(err, cap, "%s:2: %s", r->path, why);
		engine_state_fini(&st);
		return -1;
	}
	engine_state_fini(&st);
	drill_sync(&r->drill, engine_snapshot(r->eng), r->profile);
	return 0;
}

/* (Re)open the reader with a fresh engine, tracker and check. */
static int
start(Replay *r, char *err, size_t cap)
{
	SessionHeader h;

	r->lr = logread_open(r->path, &h, err, cap);
	if (r->lr == NULL)
		return -1;
	session_header_fini(&h);
	r->eng = engine_new(r->profile);
	drill_init(&r->drill, r->profile);
	if (load_state(r, err, cap) != 0) {
		logread_close(r->lr);
		r->lr = NULL;
		engine_free(r->eng);
		r->eng = NULL;
		return -1;
	}
	r->sink = (EventSink){engine_out, r};
	r->phase_sink = (EventSink){phase_out, r};
	r->fed = 0;
	r->ticked = false;
	r->now = 0;
	r->nmarks = 0;
	r->fhead = r->flen = 0;
	r->c_recorded = r->c_rederived = r->c_mismatch = 0;
	r->first_line = 0;
	r->first[0] = '\0';
	r->pos = r->first_t;
	load_next(r);
	return 0;
}

static void
restart(Replay *r)
{
	char err[512];

	logread_close(r->lr);
	r->lr = NULL;
	engine_free(r->eng);
	r->eng = NULL;
	if (start(r, err, sizeof(err)) != 0) {
		/* The file went away: play an empty log, say why. */
		if (r->error[0] == '\0')
			str_copy(r->error, sizeof(r->error), err);
		r->eng = engine_new(r->profile);
		drill_init(&r->drill, r->profile);
		r->have_next = false;
	}
}

/* ---- public ------------------------------------------------------------ */

Replay *
replay_open(
    const char *path, const char *const *sets, int nsets, char *err, size_t cap)
{
	Replay *r = xcalloc(1, sizeof(*r));
	LogRead *lr;
	ErrList errs;
	Event ev;
	int rc;
	char why[512];

	r->path = xstrdup(path);
	r->speed = 1;
	r->first_t = r->last_t = 0;
	lr = logread_open(path, &r->hdr, err, cap);
	if (lr == NULL) {
		free(r->path);
		free(r);
		return NULL;
	}
	while ((rc = logread_next(lr, &ev, err, cap)) == 1) {
		if (r->nevents == 0 || ev.t < r->first_t)
			r->first_t = ev.t;
		if (r->nevents == 0 || ev.t > r->last_t)
			r->last_t = ev.t;
		r->nevents++;
	}
	if (rc == 0 && logread_warning(lr) != NULL)
		str_copy(r->warning, sizeof(r->warning), logread_warning(lr));
	logread_close(lr);
	if (rc < 0)
		goto fail;
	if (r->hdr.profile_json == NULL) {
		snprintf(
		    err, cap, "%s: the session header has no profile", path);
		goto fail;
	}
	errlist_init(&errs);
	r->profile = profile_parse_flags(r->hdr.profile_json,
	    strlen(r->hdr.profile_json), path, ".", PROFILE_NO_ENV, &errs,
	    NULL);
	if (r->profile == NULL) {
		snprintf(err, cap, "%s: the recorded profile does not load: %s",
		    path, errs.count > 0 ? errs.msgs[0] : "?");
		errlist_fini(&errs);
		goto fail;
	}
	errlist_fini(&errs);
	for (int i = 0; i < nsets; i++)
		if (profile_set(r->profile, sets[i], why, sizeof(why)) != 0) {
			snprintf(err, cap, "%s", why);
			goto fail;
		}
	r->whatif = nsets > 0;
	if (start(r, err, cap) != 0)
		goto fail;
	return r;
fail:
	replay_free(r);
	return NULL;
}

void
replay_free(Replay *r)
{
	if (r == NULL)
		return;
	logread_close(r->lr);
	engine_free(r->eng);
	profile_free(r->profile);
	session_header_fini(&r->hdr);
	free(r->marks);
	free(r->fifo);
	free(r->path);
	free(r);
}

const SessionHeader *
replay_header(const Replay *r)
{
	return &r->hdr;
}

const Profile *
replay_profile(const Replay *r)
{
	return r->profile;
}

const Snapshot *
replay_snapshot(const Replay *r)
{
	return engine_snapshot(r->eng);
}

const Drill *
replay_drill(const Replay *r)
{
	return &r->drill;
}

bool
replay_whatif(const Replay *r)
{
	return r->whatif;
}

void
replay_advance(Replay *r, double wall_dt, const EventSink *out)
{
	r->out = out;
	if (!r->paused && wall_dt > 0)
		r->pos = fmin(r->last_t, r->pos + wall_dt * r->speed);
	feed_until(r, r->pos);
	r->out = NULL;
}

void
replay_set_speed(Replay *r, double speed)
{
	if (!(speed >= REPLAY_SPEED_MIN))
		speed = REPLAY_SPEED_MIN;
	if (speed > REPLAY_SPEED_MAX)
		speed = REPLAY_SPEED_MAX;
	r->speed = speed;
}

void
replay_faster(Replay *r)
{
	replay_set_speed(r, r->speed * 2);
}

void
replay_slower(Replay *r)
{
	replay_set_speed(r, r->speed / 2);
}

double
replay_speed(const Replay *r)
{
	return r->speed;
}

void
replay_pause(Replay *r)
{
	r->paused = true;
}

void
replay_resume(Replay *r)
{
	r->paused = false;
}

bool
replay_paused(const Replay *r)
{
	return r->paused;
}

bool
replay_seek_next(Replay *r, unsigned kinds, const EventSink *out)
{
	bool hit;

	r->out = out;
	r->seeking = true;
	r->seek_kinds = kinds;
	r->seek_hit = false;
	while (r->have_next && !r->seek_hit)
		feed_one(r);
	r->seeking = false;
	hit = r->seek_hit;
	if (hit) {
		if (r->seek_t > r->pos)
			r->pos = fmin(r->seek_t, r->last_t);
		feed_until(r, r->pos);
	} else {
		r->pos = r->last_t;
	}
	r->out = NULL;
	return hit;
}

bool
replay_seek_prev(Replay *r, unsigned kinds, const EventSink *out)
{
	double target = NAN;

	for (size_t i = r->nmarks; i-- > 0;)
		if ((kinds & REPLAY_KIND(r->marks[i].type)) &&
		    r->marks[i].t < r->pos) {
			target = r->marks[i].t;
			break;
		}
	if (isnan(target)) {
		replay_seek_start(r, out);
		return false;
	}
	restart(r);
	r->out = out;
	r->pos = target;
	feed_until(r, target);
	r->out = NULL;
	return true;
}

void
replay_seek_start(Replay *r, const EventSink *out)
{
	restart(r);
	r->out = out;
	r->pos = r->first_t;
	feed_until(r, r->pos);
	r->out = NULL;
}

void
replay_seek_end(Replay *r, const EventSink *out)
{
	r->out = out;
	feed_until(r, INFINITY);
	r->pos = r->last_t;
	r->out = NULL;
}

double
replay_position(const Replay *r)
{
	return r->pos;
}

double
replay_first_t(const Replay *r)
{
	return r->first_t;
}

double
replay_last_t(const Replay *r)
{
	return r->last_t;
}

double
replay_duration(const Replay *r)
{
	return r->last_t - r->first_t;
}

bool
replay_at_end(const Replay *r)
{
	return !r->have_next;
}

unsigned long
replay_nevents(const Replay *r)
{
	return r->nevents;
}

unsigned long
replay_fed(const Replay *r)
{
	return r->fed;
}

const char *
replay_warning(const Replay *r)
{
	return r->warning[0] ? r->warning : NULL;
}

const char *
replay_error(const Replay *r)
{
	return r->error[0] ? r->error : NULL;
}

void
replay_check(const Replay *r, ReplayCheck *out)
{
	memset(out, 0, sizeof(*out));
	out->recorded = r->c_recorded;
	out->rederived = r->c_rederived;
	for (size_t i = 0; i < r->flen; i++)
		if (r->fifo[r->fhead + i].tail)
			out->tail++;
	out->mismatches = r->c_mismatch + r->flen - out->tail;
	out->first_line = r->first_line;
	str_copy(out->first, sizeof(out->first), r->first);
	if (r->first_line == 0 && r->flen > out->tail) {
		const Pending *p = &r->fifo[r->fhead];
		char j[EVENT_JSON_MAX];
		size_t n = event_to_json(&p->ev, j, sizeof(j));
		if (n > 0)
			j[n - 1] = '\0';
		out->first_line = r->fifo_recorded ? p->line : 0;
		snprintf(out->first, sizeof(out->first), "%s %.900s (unpaired)",
		    r->fifo_recorded ? "recorded" : "re-derived", j);
	}
}
