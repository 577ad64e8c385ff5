/*
 * report: the drill metrics of DESIGN.md "Reports", computed from a
 * stream of events. Pure: no I/O, no clock; the same events always give
 * the same Report. Rendering lives in report_fmt (the entry), which
 * writes JSON with report_json and Markdown and HTML with report_md and
 * report_html from the tables of report_table.
 *
 * Feed the session header and then every event in log order
 * (report_new, report_feed...), then report_finish() derives phases and
 * metrics. Memory is O(probes) at 16 bytes a probe (kept for the
 * latency percentiles and the timeline), plus the few other events.
 *
 * Definitions (doc/report.md has the long form):
 * - Recorded `drill` phases win; the first of each phase counts.
 * - The endpoint that had traffic, E: the route's `to` when the recorded
 *   `fault` phase happened; without one, the fault time F is the first
 *   failed probe of the endpoint that was the route's `to` when it
 *   failed, and E is that endpoint. (No route ever: the first failed
 *   probe of any endpoint.)
 * - detected: first health event E -> degraded at t >= F.
 * - the route change: first route event from E to another endpoint N at
 *   t >= F. It is the expected route, not a phase.
 * - failover: DNS moved: the first `converged` event on N at or after
 *   the route change. Only when DNS is not observed (no resolver known)
 *   is it the route change, and failover_observed is false ("expected,
 *   not observed").
 * - converged (per resolver): its first `converged` event at or after
 *   that route change; the phase is the last resolver's, null while any
 *   known resolver (the profile's dns.resolvers when dns.name is set,
 *   plus any seen in the log) has not converged.
 * - restored: when the log holds client's-eye probes ("via": "public"),
 *   the first successful one at t >= F served by an endpoint other than
 *   E that was not degraded or disabled then (restored_by
 *   REPORT_RESTORED_PUBLIC); otherwise the later of `converged` and N's
 *   first successful probe at or after `failover`
 *   (REPORT_RESTORED_CONVERGED). rto_s = restored - F.
 * - metrics are phase - F, unrounded; NAN (JSON null) when either is
 *   missing. rto_met: null without a target or without F, or when
 *   nothing could observe a restore (no resolver, no client's-eye
 *   probe); false when never restored, else rto_s <= rto_target.
 * - bound_s: the worst case `drtop check` prints for E (detection bound
 *   plus the record's TTL); bound_exceeded when the last convergence
 *   came later than F + bound_s, or never came and the log runs past it.
 * - t0: the recorded `start` phase (0 without one); every time a report
 *   shows counts from it.
 * - per endpoint statistics count the probes between the recorded
 *   `start` and `end` phases (the whole log when they are absent).
 *   p50/p95 are nearest-rank percentiles (the value at rank
 *   ceil(p/100 * n) of the sorted measured totals, failed probes
 *   included, microsecond resolution); availability = ok / probes.
 *
 * Names: with a profile in the header, the endpoints are exactly its
 * endpoints: an event naming another adds no row (logread refuses such
 * events) and a client's-eye probe whose served_by names no endpoint was
 * served by none. Without one, the names events use, up to
 * REPORT_MAX_ENDPOINTS; resolvers up to REPORT_MAX_RESOLVERS. What
 * comes past a cap is not counted.
 *
 * A Report has one owner; it is not locked.
 */
#ifndef DRTOP_REPORT_H
#define DRTOP_REPORT_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/event.h"

/* Null numbers are NAN. */
static inline bool
report_is_null(double v)
{
	return isnan(v);
}

/* One probe kept for percentiles and the timeline. */
typedef struct {
	double t;
	int32_t us; /* total latency in microseconds; -1 = not measured */
	uint8_t ok;
	uint8_t error; /* ProbeError */
} ReportProbe;

typedef struct {
	char name[EV_NAME_MAX];
	ReportProbe *probes; /* every probe of the log, in order */
	size_t nprobes, cap;
	/* Computed by report_finish over the drill window: */
	unsigned long count, ok;
	unsigned long failures[PERR__COUNT]; /* [PERR_NONE]: no class */
	double p50_ms, p95_ms, availability; /* NAN when no probes */
	double bound_s; /* check's worst case for it; NAN = unknown */
} ReportEndpoint;

typedef struct {
	char name[EV_RESOLVER_MAX]; /* the address, as events carry it */
	char label[EV_NAME_MAX]; /* display name; "" = the address */
	double converged_t; /* NAN = never after the failover */
	double converged_s; /* converged_t - fault */
	bool diverged; /* a diverged event in the log */
} ReportResolver;

typedef struct {
	double t;
	char from[EV_NAME_MAX], to[EV_NAME_MAX]; /* from "" = first route */
	RouteCause cause;
	bool fail_open;
} ReportRoute;

typedef struct {
	double t;
	int endpoint; /* index into endpoints */
	HealthState from, to;
} ReportHealth;

typedef struct {
	double t;
	int resolver; /* index into resolvers */
	bool diverged;
	char endpoint[EV_NAME_MAX];
	char expected[EV_NAME_MAX]; /* diverged: the expected route */
} ReportConv;

/* How `restored` was decided (the report names it). */
typedef enum {
	REPORT_RESTORED_NONE, /* not restored */
	REPORT_RESTORED_PUBLIC, /* a client's-eye probe served elsewhere */
	REPORT_RESTORED_CONVERGED /* converged and N answered */
} ReportRestoredBy;

/* A finished action. */
typedef struct {
	double t;
	char name[EV_NAME_MAX], step[EV_NAME_MAX];
	char from[EV_NAME_MAX], to[EV_NAME_MAX], by[16];
	int exit_code; /* -1 = null */
	int signal; /* 0 = none */
	char error[EV_TEXT_MAX];
	double duration_s; /* since its `started`; NAN when not recorded */
} ReportAction;

typedef struct {
	double t;
	char text[EV_TEXT_MAX]; /* marker note, or error "source: message" */
	char source[EV_NAME_MAX]; /* errors only */
} ReportNote;

/* A gap in the record: events a queue or a writer dropped (an `error`
 * event with "gap"). */
typedef struct {
	double t; /* when it was written down */
	char source[EV_NAME_MAX]; /* "queue", "stdout", "recorder", ... */
	double from, to; /* the first and last t of what was lost */
	unsigned long count;
} ReportGap;

/* The metrics a gap can fall into: each one's window is [fault, its
 * phase] (to the log's end while the phase is null). */
typedef enum {
	REPORT_M_DETECT,
	REPORT_M_FAILOVER,
	REPORT_M_CONVERGED,
	REPORT_M_RESTORED, /* restored_s and rto_s */
	REPORT_M__COUNT
} ReportMetric;

#define REPORT_LIST_MAX 10000 /* routes, actions, markers, errors kept */
/* Endpoints and resolvers a report holds without a profile (logread's
 * caps: a log read through it never names more). */
#define REPORT_MAX_ENDPOINTS 4096
#define REPORT_MAX_RESOLVERS 64

typedef struct {
	char drill[EV_TEXT_MAX];
	char service[EV_TEXT_MAX];
	char started[40];
	char mode[16];
	double rto_target; /* NAN = none */

	double phase[DRILL__COUNT]; /* NAN = never happened */
	bool recorded[DRILL__COUNT]; /* from a drill event, not derived */
	char note[DRILL__COUNT][EV_TEXT_MAX]; /* recorded notes */
	char fault_endpoint[EV_NAME_MAX]; /* E; "" = unknown */
	char new_endpoint[EV_NAME_MAX]; /* N; "" = no failover */
	double failover_route_t; /* the route change used; NAN = none */
	/* A fault mark recorded after `detected` or `failover` was: like the
	 * live tracker, it changes nothing (F is the first failed probe);
	 * its session t, NAN when there was none such. */
	double fault_mark_late;
	bool failover_observed; /* false: the route change stands in */
	ReportRestoredBy restored_by;
	double t0; /* the drill's start (session t); 0 without one */

	double detect_s, failover_s, restored_s, rto_s, converged_all_s;
	int rto_met; /* -1 null, 0 false, 1 true */
	double bound_s; /* check's worst case for E; NAN = unknown */
	int bound_exceeded; /* -1 unknown, 0 no, 1 yes */

	ReportEndpoint *endpoints;
	int nendpoints;
	/* The client's-eye probe (endpoint EV_PUBLIC, "via": "public"): its
	 * statistics, and per probe the endpoint that served it (-1 none). */
	ReportEndpoint public_ep;
	int32_t *public_served;
	ReportResolver *resolvers;
	int nresolvers;

	ReportRoute *routes;
	size_t nroutes;
	ReportHealth *healths;
	size_t nhealths;
	ReportConv *convs;
	size_t nconvs;
	ReportAction *actions;
	size_t nactions;
	ReportNote *markers;
	size_t nmarkers;
	ReportNote *errors;
	size_t nerrors;
	ReportGap *gaps; /* in log order */
	size_t ngaps;
	/* a gap overlaps the metric's window: the figure may be wrong */
	bool gap_in[REPORT_M__COUNT];
	unsigned long dropped; /* list entries beyond REPORT_LIST_MAX */

	double t_first, t_last; /* times of the first and last event */
	unsigned long nevents;
	/* Set by the caller for the renderers (report_fmt): */
	char log_path[EV_TEXT_MAX];
	char log_warning[2 * EV_TEXT_MAX]; /* "" = none */
	unsigned long log_skipped; /* lines of unknown types */
	bool finished;
	struct ReportTrack *track; /* ingest state (opaque) */
} Report;

/*
 * A new report for the session of hdr (borrowed). log_path names the
 * drill when no `start` phase carries a note (its basename is used).
 * The profile inside the header gives the service, rto_target and the
 * endpoint and resolver lists; it may be absent.
 */
Report *report_new(const SessionHeader *hdr, const char *log_path);

struct EngineState; /* engine/engine_state.h */

/* A drill log's `state` line (core/journal/state), before the first
 * event: where the expected route pointed and which endpoints were
 * degraded or disabled when the log began. */
void report_start_state(Report *r, const struct EngineState *st);

/* Take one event, in log order. Not after report_finish. */
void report_feed(Report *r, const Event *ev);

/* Derive phases, metrics and endpoint statistics. Call once. */
void report_finish(Report *r);

/* report_free(NULL) is safe. */
void report_free(Report *r);

/* Index of an endpoint or resolver by name, or -1. */
int report_endpoint_index(const Report *r, const char *name);
int report_resolver_index(const Report *r, const char *name);

/*
 * What-if (`drtop report --set KEY=VALUE`): re-run the engine over the
 * recorded input events (probe, dns, action, drill start/fault/end,
 * marker, error, cert) with the header's profile modified by sets
 * (profile_set), and compute the report of what the engine derives
 * instead of what was recorded. Recorded health, route, converged and
 * diverged events and the derived drill phases (detected, failover,
 * converged, restored) are dropped; recorded operator routes (cause
 * manual or failback) are replayed as operator routes at their time.
 *
 * report_whatif_new returns NULL with err set when the header has no
 * profile, the profile does not load, or an assignment is rejected
 * ("--set KEY=VALUE: reason"). Feed every event of the log in order;
 * report_whatif_finish returns the finished what-if Report (caller
 * frees it with report_free) and frees w.
 */
typedef struct ReportWhatIfRun ReportWhatIfRun;

ReportWhatIfRun *report_whatif_new(const SessionHeader *hdr,
    const char *log_path, const char *const *sets, int nsets, char *err,
    size_t cap);
void report_whatif_feed(ReportWhatIfRun *w, const Event *ev);
/* The log's state line, before the first event: the what-if engine
 * starts from it. Returns 0, or -1 with err. */
int report_whatif_state(
    ReportWhatIfRun *w, const struct EngineState *st, char *err, size_t cap);
Report *report_whatif_finish(ReportWhatIfRun *w);
/* Abandon a run; NULL is safe. */
void report_whatif_free(ReportWhatIfRun *w);

/* Nearest-rank percentile (0 < p <= 100) of n values, which it reorders;
 * NAN when n == 0. Exposed for tests. */
double report_percentile(double *v, size_t n, double p);

#endif
