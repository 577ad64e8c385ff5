#include "app_model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app_drill.h"
#include "app_fail.h"
#include "app_replay.h"

/* The last probes of endpoint i, for the details dialog. */
static void
keep_probe(App *a, const Event *ev)
{
	const Profile *p = a->cfg->profile;
	/* the client's-eye probe's are kept after the endpoints' */
	int i = ev->u.probe.via_public ? (p->public_ep ? p->nendpoints : -1)
	                               : profile_find(p, ev->u.probe.endpoint);
	ProbeLog *pl;
	int at;

	if (i < 0)
		return;
	pl = &a->ui.probes[i];
	if (pl->len < UI_PROBES_KEPT)
		at = (pl->start + pl->len++) % UI_PROBES_KEPT;
	else {
		at = pl->start;
		pl->start = (pl->start + 1) % UI_PROBES_KEPT;
	}
	pl->p[at] = ev->u.probe;
	pl->t[at] = ev->t;
	if (a->dialog == DLG_DETAILS && i == a->ui.selected)
		a->dlg_dirty = true;
}

void
app_model_on_event(void *ctx, const Event *ev)
{
	App *a = ctx;

	if (ev->type == EV_PROBE)
		keep_probe(a, ev);
	if (ev->type == EV_ERROR && strcmp(ev->u.error.source, "local") == 0) {
		/* loud until it clears: not a region's trouble, this
		 * machine's */
		if (strstr(ev->u.error.message, "cleared") != NULL)
			a->ui.local_line[0] = '\0';
		else
			snprintf(a->ui.local_line, sizeof(a->ui.local_line),
			    "THIS MACHINE: %.200s", ev->u.error.message);
		a->dirty[PANE_STATUS] = true;
	}
	/* an operator's action succeeded: the route follows it once the
	 * drain is over (never from inside the engine's sink) */
	if (ev->type == EV_ACTION &&
	    failflow_outcome(&a->ff, &ev->u.action, a->cfg->engine != NULL))
		app_state_message(a, "%s", a->ff.note);
	if (ev->type == EV_HEALTH)
		view_timeline_mark(&a->tl, a->cfg->profile, ev->t, 'H');
	if (ev->type == EV_ROUTE)
		view_timeline_mark(&a->tl, a->cfg->profile, ev->t, 'R');
	if (view_events_add(&a->evlog, &a->ui, ev))
		a->dirty[PANE_EVENTS] = true;
}

static unsigned long
hash_str(unsigned long h, const char *p)
{
	for (; *p; p++)
		h = h * 33 + (unsigned char)*p;
	return h * 33;
}

/* A cheap signature of what the map shows: states, shares, the expected
 * route and the observed traffic of its title (tui/truth). */
static unsigned long
map_signature(const Snapshot *s)
{
	const TrafficSnap *tt = &s->traffic;
	unsigned long h = 5381;

	for (int i = 0; i < s->nendpoints; i++) {
		h = h * 33 + (unsigned long)s->endpoints[i].state;
		h = h * 33 + (unsigned long)(s->endpoints[i].share * 1000);
	}
	h = hash_str(h, s->route_to);
	h = hash_str(h, tt->endpoint);
	h = h * 33 + (unsigned long)tt->count * 7 + (unsigned long)tt->total;
	h = h * 33 + (unsigned long)tt->authoritative +
	    (unsigned long)(tt->differs_since >= 0) * 2;
	for (int i = 0; i < s->nresolvers; i++)
		h = h * 33 + (unsigned long)s->resolvers[i].has_answer;
	return h * 33 + (unsigned long)s->fail_open * 7 + s->routed;
}

/* A new snapshot: what it changes. */
static void
snapshot_changed(App *a, const Snapshot *s)
{
	if (s->version == a->last_version)
		return;
	a->last_version = s->version;
	a->dirty[PANE_ENDPOINTS] = true;
	a->dirty[PANE_TIMELINE] = true;
	a->dirty[PANE_TTL] = true;
	a->dirty[PANE_STATUS] = true;
	unsigned long sig = map_signature(s);
	/* while the title counts how long the expected route has differed,
	 * it is redrawn with the DNS panel, so the two never disagree */
	if (sig != a->map_sig || s->traffic.differs_since >= 0) {
		a->map_sig = sig;
		a->dirty[PANE_MAP] = true;
		a->small_dirty = true;
	}
	if (a->dialog == DLG_DETAILS)
		a->dlg_dirty = true;
}

/* The clock's second and the timeline's slot; returns true on a new
 * second. */
static bool
time_changed(App *a)
{
	long second = (long)floor(a->cfg->start_real + a->ui.t);
	int64_t slot =
	    (int64_t)floor(a->ui.t / view_timeline_slot(a->cfg->profile));
	bool new_second = second != a->last_second;

	if (new_second) {
		a->last_second = second;
		a->dirty[PANE_STATUS] = true;
		a->dirty[PANE_TTL] = true;
		/* the title counts how long the expected route has differed;
		 * a diverged banner how long past its TTL */
		const Snapshot *s = a->ui.snap;
		bool diverged = false;
		for (int i = 0; s && i < s->nresolvers; i++)
			diverged = diverged || s->resolvers[i].diverged;
		if (s && s->traffic.differs_since >= 0)
			a->dirty[PANE_MAP] = true;
		if (diverged) {
			a->dirty[PANE_ENDPOINTS] = true;
			a->dirty[PANE_TIMELINE] = true;
		}
	}
	if (slot != a->last_slot) {
		a->last_slot = slot;
		a->dirty[PANE_TIMELINE] = true;
	}
	return new_second;
}

/* Probes in flight, the queue's overflow count, the transient note. */
static void
status_changed(App *a, bool new_second)
{
	/* probes in flight are sampled with the clock, once a second: a
	 * value that flickers with every probe tells nobody anything */
	int inf = a->ui.in_flight;
	if (new_second && a->cfg->runtime)
		inf = runtime_in_flight(a->cfg->runtime);
	uint64_t ovf =
	    a->cfg->session ? session_in_dropped(a->cfg->session) : 0;
	uint64_t behind =
	    a->cfg->session ? session_out_dropped(a->cfg->session) : 0;
	char rerr[EV_TEXT_MAX];
	unsigned long lost = a->cfg->session
	    ? session_record_lost(a->cfg->session, rerr, sizeof(rerr))
	    : 0;

	if (inf != a->ui.in_flight || ovf != a->ui.overflow ||
	    behind != a->ui.display_dropped) {
		a->ui.in_flight = inf;
		a->ui.overflow = ovf;
		a->ui.display_dropped = behind;
		a->dirty[PANE_STATUS] = true;
	}
	if (lost != a->record_lost) {
		a->record_lost = lost;
		app_state_message(a, "NOT RECORDED (%lu lost): %s", lost, rerr);
	}
}

void
app_model_update(App *a)
{
	const Snapshot *s = app_state_snap(a);

	a->ui.snap = s;
	snapshot_changed(a, s);
	status_changed(a, time_changed(a));
	app_fail_update(a);
	app_replay_update(a);
	if (a->cfg->demo)
		for (int i = 0; i < 3; i++)
			a->ui.faults[i] = demo_fault_label(a->cfg->demo, i);
	app_drill_update(a);
}

void
app_model_forget(App *a)
{
	view_events_clear(&a->evlog, &a->ui);
	view_timeline_reset(&a->tl);
	memset(a->ui.probes, 0,
	    ((size_t)a->cfg->profile->nendpoints + 1) * sizeof(ProbeLog));
	a->last_version = (uint64_t)-1;
	a->map_sig = 0;
	app_state_mark_all(a, true);
}
