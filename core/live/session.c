/* session: see session.h for the DESIGN. */
#include "live/session.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/dlog.h"
#include "base/thread.h"
#include "base/util.h"
#include "engine/autofail.h"

#define BATCH 64 /* events taken from the in queue per lock hold */
#define OUT_MIN 256
#define OUT_MAX 2048 /* the display's: dropping there loses nothing */
#define TRIM_EVERY 60.0 /* seconds between handing freed memory back */

struct Session {
	SessionConfig cfg;
	pthread_t thread;
	pthread_mutex_t lock; /* the session lock (see session.h) */
	int stop_r, stop_w;
	_Atomic bool stopping;
	_Atomic bool done;
	/* Owned by whoever holds the lock: */
	Queue *out;
	EventSink sink;
	DrillCtl *dc;
	Autofail *af;
	bool operator_routing; /* the operator's route: not autofail's */
	/* a gap of the out queue not yet written (evidence mode) */
	uint64_t out_gap;
	double out_gap_from, out_gap_to;
	_Atomic uint64_t out_dropped;
	_Atomic uint64_t in_dropped;
	bool halted; /* reader thread */
};

/* ---- the sink: everything the engine emits ---------------------------- */

static void
out_push(Session *s, const Event *ev)
{
	if (queue_try_push(s->out, ev))
		return;
	atomic_fetch_add(&s->out_dropped, 1);
	if (s->cfg.out_kind != SESSION_OUT_EVIDENCE)
		return;
	if (s->out_gap++ == 0)
		s->out_gap_from = ev->t;
	s->out_gap_to = ev->t;
}

/* A gap as an `error` event: into the record, and to the reader. */
static void
gap_event(Session *s, const char *source, double t, uint64_t n, double from,
    double to, const char *why)
{
	Event ev;

	event_init(&ev, EV_ERROR, t);
	str_copy(ev.u.error.source, sizeof(ev.u.error.source), source);
	snprintf(ev.u.error.message, sizeof(ev.u.error.message),
	    "%lu events lost from %.6f to %.6f: %s", (unsigned long)n, from, to,
	    why);
	ev.u.error.gap_count = (unsigned long)n;
	ev.u.error.gap_from = from;
	ev.u.error.gap_to = to;
	dlog("session: %s", ev.u.error.message);
	engine_feed(s->cfg.engine, &ev, &s->sink);
}

static void
sink_fn(void *ctx, const Event *ev)
{
	Session *s = ctx;

	if (ev->type == EV_DNS)
		runtime_observe(s->cfg.rt, ev);
	if (s->cfg.record != NULL)
		recorder_write(s->cfg.record, ev);
	if (s->af != NULL && !s->operator_routing)
		autofail_feed(s->af, ev);
	/* the stdout gap ends once the reader has room again: tell both */
	if (s->out_gap > 0 && queue_length(s->out) < queue_capacity(s->out)) {
		uint64_t n = s->out_gap;

		s->out_gap = 0;
		gap_event(s, "stdout", ev->t, n, s->out_gap_from, s->out_gap_to,
		    "the reader of stdout fell behind");
	}
	out_push(s, ev);
	/* last: the drill log, and the phases this event caused (they come
	 * back through this sink) */
	drillctl_on_event(s->dc, ev, &s->sink);
}

/* ---- automatic failover ------------------------------------------------ */

static void
autofail_round(Session *s, double t)
{
	ActionRunner *ar = s->cfg.rt ? runtime_actions(s->cfg.rt) : NULL;
	const Profile *p = s->cfg.p;
	AutofailRequest req;
	ActionStatus st;
	ActionsState state;
	char err[EV_TEXT_MAX];
	Event ev;

	if (s->af == NULL || ar == NULL)
		return;
	state = actions_state(ar);
	if (state == ACTIONS_FAILED) {
		/* a runbook of ours that waits for a retry nobody gives */
		actions_status(ar, &st);
		if (strcmp(st.by, "auto") == 0 &&
		    actions_abort(ar, err, sizeof(err)) == 0)
			dlog("session: automatic %s: step %d failed, aborted",
			    st.name, st.failed_step + 1);
		return;
	}
	if (!autofail_next(s->af, t, state != ACTIONS_IDLE, &req))
		return;
	if (actions_start(ar, req.name,
	        strcmp(req.name, "failback") == 0 ? &p->failback : &p->failover,
	        req.from, req.to, "auto", err, sizeof(err)) == 0) {
		dlog("session: automatic %s from %s to %s started", req.name,
		    req.from, req.to);
		return;
	}
	event_init(&ev, EV_ERROR, t);
	str_copy(ev.u.error.source, sizeof(ev.u.error.source), "autofail");
	snprintf(ev.u.error.message, sizeof(ev.u.error.message),
	    "automatic %s from %s to %s: %.100s", req.name, req.from, req.to,
	    err);
	engine_feed(s->cfg.engine, &ev, &s->sink);
}

/* ---- the thread -------------------------------------------------------- */

/* One round with the lock held: the in queue's gap, a batch of events,
 * the tick, automatic failover. Returns true when events remain. */
static bool
round_locked(Session *s, double t)
{
	Event evs[BATCH];
	double from, to;
	uint64_t lost = queue_take_gap(s->cfg.in, &from, &to);
	size_t n;

	if (lost > 0) {
		atomic_fetch_add(&s->in_dropped, lost);
		gap_event(s, "queue", t, lost, from, to,
		    "the producers were faster than the engine");
	}
	n = queue_drain(s->cfg.in, evs, BATCH);
	for (size_t i = 0; i < n; i++)
		engine_feed(s->cfg.engine, &evs[i], &s->sink);
	engine_tick(s->cfg.engine, t, &s->sink);
	autofail_round(s, t);
	return n == BATCH;
}

static void *
session_main(void *arg)
{
	Session *s = arg;
	bool more = false;
	double next_trim = TRIM_EVERY;

	while (!atomic_load(&s->stopping)) {
		struct pollfd pfd[2] = {
		    {.fd = queue_wake_fd(s->cfg.in), .events = POLLIN},
		    {.fd = s->stop_r, .events = POLLIN},
		};
		double t;

		if (!more && poll(pfd, 2, (int)(SESSION_TICK * 1000)) < 0 &&
		    errno != EINTR)
			break;
		if (atomic_load(&s->stopping))
			break;
		t = mono_now() - s->cfg.t0;
		if (s->cfg.duration > 0 && t >= s->cfg.duration) {
			atomic_store(&s->done, true);
			/* wake the reader through its own fd */
			pthread_mutex_lock(&s->lock);
			engine_tick(s->cfg.engine, s->cfg.duration, &s->sink);
			pthread_mutex_unlock(&s->lock);
			break;
		}
		pthread_mutex_lock(&s->lock);
		more = round_locked(s, t);
		pthread_mutex_unlock(&s->lock);
		/* A burst (a region that hangs with every probe in flight)
		 * leaves freed memory in the allocator's arenas; once a minute
		 * it goes back to the system, so a long session's RSS follows
		 * what it holds, not the worst minute it had. */
		if (t >= next_trim) {
			malloc_trim(0);
			next_trim = t + TRIM_EVERY;
		}
	}
	return NULL;
}

double
session_event_rate(const Profile *p)
{
	double rate = 0;

	for (int i = 0; i < p->nendpoints; i++)
		if (p->endpoints[i].monitor.interval > 0)
			rate += 2.0 / p->endpoints[i].monitor.interval;
	if (p->dns.name != NULL && p->dns.interval > 0)
		rate += 2.0 * p->dns.nresolvers / p->dns.interval;
	return rate;
}

static size_t
auto_capacity(const Profile *p)
{
	size_t cap = (size_t)(session_event_rate(p) * 2.0); /* two seconds */

	return cap < OUT_MIN ? OUT_MIN : cap > OUT_MAX ? OUT_MAX : cap;
}

/* What session_new() made, freed (the thread is not running). */
static void
free_parts(Session *s)
{
	close(s->stop_r);
	close(s->stop_w);
	drillctl_free(s->dc);
	autofail_free(s->af);
	queue_free(s->out);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

Session *
session_start(const SessionConfig *cfg, char *err, size_t errcap)
{
	Session *s = xcalloc(1, sizeof(*s));
	int fds[2];

	s->cfg = *cfg;
	s->out = queue_new(
	    cfg->out_capacity ? cfg->out_capacity : auto_capacity(cfg->p));
	if (s->out == NULL || pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
		snprintf(err, errcap, "session: %s", strerror(errno));
		queue_free(s->out);
		free(s);
		return NULL;
	}
	s->stop_r = fds[0];
	s->stop_w = fds[1];
	pthread_mutex_init(&s->lock, NULL);
	s->sink = (EventSink){sink_fn, s};
	s->dc = drillctl_new(cfg->p, cfg->start_real, cfg->demo);
	s->af = autofail_new(cfg->p);
	if (!autofail_enabled(s->af)) {
		autofail_free(s->af);
		s->af = NULL;
	}
	if (thread_start(&s->thread, session_main, s) != 0) {
		snprintf(err, errcap, "session: cannot start its thread: %s",
		    strerror(errno));
		free_parts(s);
		return NULL;
	}
	return s;
}

void
session_halt(Session *s, double t)
{
	char b = 1, err[256];
	bool more = true;

	if (s == NULL || s->halted)
		return;
	s->halted = true;
	atomic_store(&s->stopping, true);
	while (write(s->stop_w, &b, 1) < 0 && errno == EINTR)
		;
	pthread_join(s->thread, NULL);
	/* what the producers left still goes into the record; they are
	 * stopped (runtime_stop may have freed them): forget them */
	pthread_mutex_lock(&s->lock);
	s->cfg.rt = NULL;
	for (int k = 0; more && k < 100000; k++)
		more = round_locked(s, t);
	if (drillctl_active(s->dc)) {
		Event ev = drillctl_end(s->dc, t);

		engine_feed(s->cfg.engine, &ev, &s->sink);
		drillctl_finish(s->dc, err, sizeof(err));
	}
	pthread_mutex_unlock(&s->lock);
}

void
session_stop(Session *s, double t)
{
	if (s == NULL)
		return;
	session_halt(s, t);
	free_parts(s);
}

int
session_out_fd(const Session *s)
{
	return queue_wake_fd(s->out);
}

size_t
session_out_drain(Session *s, Event *out, size_t max)
{
	return queue_drain(s->out, out, max);
}

uint64_t
session_out_dropped(const Session *s)
{
	return atomic_load(&s->out_dropped);
}

uint64_t
session_in_dropped(const Session *s)
{
	return atomic_load(&s->in_dropped);
}

bool
session_done(const Session *s)
{
	return atomic_load(&s->done);
}

void
session_lock(Session *s)
{
	pthread_mutex_lock(&s->lock);
}

void
session_unlock(Session *s)
{
	pthread_mutex_unlock(&s->lock);
}

int
session_route_manual(Session *s, double t, const char *to, RouteCause cause,
    char *err, size_t errcap)
{
	int rc;

	s->operator_routing = true;
	rc = engine_route_manual(
	    s->cfg.engine, t, to, cause, &s->sink, err, errcap);
	s->operator_routing = false;
	if (rc == 0 && s->af != NULL)
		autofail_operator_route(s->af);
	return rc;
}

void
session_set_disabled(Session *s, double t, const char *name, bool dis)
{
	engine_set_disabled(s->cfg.engine, t, name, dis, &s->sink);
}

void
session_feed(Session *s, const Event *ev)
{
	engine_feed(s->cfg.engine, ev, &s->sink);
}

DrillCtl *
session_drill(Session *s)
{
	return s->dc;
}

unsigned long
session_record_lost(const Session *s, char *err, size_t cap)
{
	const char *e;

	if (s->cfg.record == NULL) {
		if (cap > 0)
			err[0] = '\0';
		return 0;
	}
	e = recorder_error(s->cfg.record);
	str_copy(err, cap, e != NULL ? e : "");
	return recorder_lost(s->cfg.record);
}
