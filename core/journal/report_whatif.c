/*
 * report_whatif: `drtop report --set KEY=VALUE`: the recorded inputs
 * re-run through an engine on the modified profile, and the report of
 * what it derives (see report.h).
 */
#include "journal/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "engine/engine.h"
#include "engine/engine_state.h"
#include "model/profile.h"

struct ReportWhatIfRun {
	Profile *profile;
	Engine *engine;
	Report *report;
	EventSink sink;
	double now;
	bool started;
};

static void
whatif_sink(void *ctx, const Event *ev)
{
	report_feed(ctx, ev);
}

ReportWhatIfRun *
report_whatif_new(const SessionHeader *hdr, const char *log_path,
    const char *const *sets, int nsets, char *err, size_t cap)
{
	ReportWhatIfRun *w;
	SessionHeader mod;
	ErrList errs;
	Profile *p;
	char why[512];

	if (hdr->profile_json == NULL) {
		snprintf(err, cap, "%s: the session header has no profile",
		    log_path);
		return NULL;
	}
	errlist_init(&errs);
	p = profile_parse_flags(hdr->profile_json, strlen(hdr->profile_json),
	    log_path, ".", PROFILE_NO_ENV, &errs, NULL);
	if (p == NULL) {
		snprintf(err, cap, "%s: the recorded profile does not load: %s",
		    log_path, errs.count > 0 ? errs.msgs[0] : "?");
		errlist_fini(&errs);
		return NULL;
	}
	errlist_fini(&errs);
	for (int i = 0; i < nsets; i++)
		if (profile_set(p, sets[i], why, sizeof(why)) != 0) {
			snprintf(err, cap, "%s", why);
			profile_free(p);
			return NULL;
		}
	w = xcalloc(1, sizeof(*w));
	w->profile = p;
	w->engine = engine_new(p);
	/* The what-if report reads its targets from the modified profile. */
	mod = *hdr;
	mod.profile_json = profile_to_json(p, true);
	w->report = report_new(&mod, log_path);
	free(mod.profile_json);
	w->sink = (EventSink){whatif_sink, w->report};
	return w;
}

void
report_whatif_feed(ReportWhatIfRun *w, const Event *ev)
{
	char err[256];

	if (!w->started || ev->t > w->now) {
		w->now = ev->t;
		w->started = true;
		engine_tick(w->engine, w->now, &w->sink);
	}
	if (engine_derives(ev->type)) {
		const RouteEvent *r = &ev->u.route;
		if (ev->type == EV_ROUTE &&
		    (r->cause == CAUSE_MANUAL || r->cause == CAUSE_FAILBACK))
			engine_route_manual(w->engine, ev->t,
			    r->cause == CAUSE_FAILBACK ? NULL : r->to, r->cause,
			    &w->sink, err, sizeof(err));
		return;
	}
	if (ev->type == EV_DRILL && ev->u.drill.phase != DRILL_START &&
	    ev->u.drill.phase != DRILL_FAULT && ev->u.drill.phase != DRILL_END)
		return;
	engine_feed(w->engine, ev, &w->sink);
}

int
report_whatif_state(
    ReportWhatIfRun *w, const EngineState *st, char *err, size_t cap)
{
	if (engine_state_import(w->engine, st, err, cap) != 0)
		return -1;
	report_start_state(w->report, st);
	return 0;
}

Report *
report_whatif_finish(ReportWhatIfRun *w)
{
	Report *r = w->report;

	w->report = NULL;
	report_finish(r);
	report_whatif_free(w);
	return r;
}

void
report_whatif_free(ReportWhatIfRun *w)
{
	if (w == NULL)
		return;
	engine_free(w->engine);
	profile_free(w->profile);
	report_free(w->report);
	free(w);
}
