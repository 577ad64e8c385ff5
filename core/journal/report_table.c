#include "journal/report_table.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "journal/report_summary.h"

void
report_table_fmt_s(char *buf, size_t cap, double v)
{
	if (isnan(v))
		snprintf(buf, cap, "—");
	else
		snprintf(buf, cap, "%.3f", v);
}

void
report_table_cell_set(ReportCell *c, const char *words, const char *data)
{
	size_t n = strlen(words), m = strlen(data);

	c->text = xmalloc(n + m + 1);
	memcpy(c->text, words, n);
	memcpy(c->text + n, data, m + 1);
	c->fixed = n;
}

static void
cell_set(ReportCell *c, const char *words, const char *data)
{
	report_table_cell_set(c, words, data);
}

static void
cell_s(ReportCell *c, double v)
{
	char buf[32];

	report_table_fmt_s(buf, sizeof(buf), v);
	cell_set(c, buf, "");
}

/* A time as it shows: from the drill's start. */
static double
rel(const Report *r, double t)
{
	return isnan(t) ? NAN : t - r->t0;
}

static const char *
rto_word(const Report *r)
{
	return r->rto_met < 0 ? "n/a" : r->rto_met ? "met" : "MISSED";
}

static const char *
bound_word(const Report *r)
{
	return r->bound_exceeded < 0 ? "n/a"
	    : r->bound_exceeded      ? "EXCEEDED"
	                             : "within";
}

static ReportSection *
section_add(ReportTable *t, const char *title, const ReportColumn *cols,
    int ncols, bool none_if_empty)
{
	ReportSection *s;

	assert(t->nsections < REPORT_TABLE_SECTIONS_MAX);
	assert(ncols > 0 && ncols <= REPORT_TABLE_COLS_MAX);
	s = &t->sections[t->nsections++];
	s->title = title;
	memcpy(s->cols, cols, (size_t)ncols * sizeof(*cols));
	s->ncols = ncols;
	s->none_if_empty = none_if_empty;
	return s;
}

/* A new row at the end of s; its ncols cells, every one NULL. */
static ReportCell *
row_add(ReportSection *s)
{
	size_t n = (size_t)s->ncols;
	ReportCell *c;

	if (s->nrows == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		s->cells = xrealloc(s->cells, s->cap * n, sizeof(*s->cells));
	}
	c = &s->cells[s->nrows++ * n];
	memset(c, 0, n * sizeof(*c));
	return c;
}

/* The note of a derived phase: how it was decided (drtop's words, then
 * the endpoint's name). */
static void
derived_note(ReportCell *c, const Report *r, int i)
{
	const char *e = r->fault_endpoint, *n = r->new_endpoint;

	switch (i) {
	case DRILL_FAULT:
		if (!isnan(r->fault_mark_late)) {
			char w[160];

			snprintf(w, sizeof(w),
			    "marked at %.3f s, after the phases had begun, so "
			    "not used; "
			    "first failed probe of ",
			    r->fault_mark_late - r->t0);
			cell_set(c, w, e);
		} else
			cell_set(c, "first failed probe of ", e);
		break;
	case DRILL_DETECTED:
		cell_set(c, "first degraded of ", e);
		break;
	case DRILL_FAILOVER:
		if (r->failover_observed)
			cell_set(c, "DNS moved: first resolver to answer ", n);
		else
			cell_set(c, "the route change to ", n);
		break;
	case DRILL_CONVERGED:
		cell_set(c, "every resolver answers ", n);
		break;
	case DRILL_RESTORED:
		if (r->restored_by == REPORT_RESTORED_PUBLIC)
			cell_set(c,
			    "first client's-eye probe served by another "
			    "healthy endpoint",
			    "");
		else
			cell_set(c,
			    "later of every resolver converging and the "
			    "first successful probe of ",
			    n);
		break;
	default:
		cell_set(c, "", "");
	}
}

static void
add_phases(ReportTable *t, const Report *r)
{
	static const ReportColumn cols[] = {{"Phase", REPORT_ALIGN_LEFT},
	    {"from start (s)", REPORT_ALIGN_RIGHT},
	    {"session t (s)", REPORT_ALIGN_RIGHT},
	    {"since fault (s)", REPORT_ALIGN_RIGHT},
	    {"source", REPORT_ALIGN_LEFT}, {"note", REPORT_ALIGN_LEFT}};
	ReportSection *s =
	    section_add(t, "Phases", cols, (int)ARRAY_LEN(cols), false);
	double fault = r->phase[DRILL_FAULT];

	for (int i = 0; i < DRILL__COUNT; i++) {
		double p = r->phase[i];
		bool expected = i == DRILL_FAILOVER && !r->failover_observed;
		ReportCell *c = row_add(s);
		cell_set(&c[0], drill_phase_name((DrillPhase)i), "");
		cell_s(&c[1], rel(r, p));
		cell_s(&c[2], p);
		cell_s(&c[3], isnan(p) || isnan(fault) ? NAN : p - fault);
		if (isnan(p))
			cell_set(&c[4], "never happened", "");
		else if (expected)
			cell_set(&c[4],
			    r->recorded[i] ? "recorded; expected, not observed"
			                   : "derived; expected, not observed",
			    "");
		else
			cell_set(
			    &c[4], r->recorded[i] ? "recorded" : "derived", "");
		if (r->recorded[i] || isnan(p))
			cell_set(&c[5], "", r->note[i]);
		else
			derived_note(&c[5], r, i);
	}
}

/* A metric row: its name (words, then a name from the log), the value
 * and, in a what-if table, the what-if value (NULL: blank). */
static void
metric_row(ReportSection *s, const char *words, const char *data, const char *v,
    const char *wv)
{
	ReportCell *c = row_add(s);

	cell_set(&c[0], words, data);
	cell_set(&c[1], v, "");
	if (s->ncols > 2 && wv != NULL)
		cell_set(&c[2], wv, "");
}

static void
metric_s(
    ReportSection *s, const char *words, const char *data, double v, double wv)
{
	char a[32], b[32];

	report_table_fmt_s(a, sizeof(a), v);
	report_table_fmt_s(b, sizeof(b), wv);
	metric_row(s, words, data, a, b);
}

static void
add_metrics(ReportTable *t, const Report *r, const ReportWhatIf *wi)
{
	const Report *w = wi != NULL ? wi->report : NULL;
	const ReportColumn cols[] = {{"Metric", REPORT_ALIGN_LEFT},
	    {w ? "Recorded (s)" : "Value (s)", REPORT_ALIGN_RIGHT},
	    {"What-if (s)", REPORT_ALIGN_RIGHT}};
	ReportSection *s = section_add(t, "Metrics", cols, w ? 3 : 2, false);
	const struct {
		const char *name;
		double v, wv;
		ReportMetric m;
	} rows[] = {
	    {"detect_s (fault → detected)", r->detect_s, w ? w->detect_s : NAN,
	        REPORT_M_DETECT},
	    {r->failover_observed
	            ? "failover_s (fault → DNS moved)"
	            : "failover_s (fault → route change; expected, not "
	              "observed)",
	        r->failover_s, w ? w->failover_s : NAN, REPORT_M_FAILOVER},
	    {"converged_s, all resolvers", r->converged_all_s,
	        w ? w->converged_all_s : NAN, REPORT_M_CONVERGED},
	    {"restored_s (fault → restored)", r->restored_s,
	        w ? w->restored_s : NAN, REPORT_M_RESTORED},
	    {"rto_s", r->rto_s, w ? w->rto_s : NAN, REPORT_M_RESTORED},
	};
	char a[32];

	if (w != NULL) {
		s->sets = wi->sets;
		s->nsets = wi->nsets;
	}
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char name[160];

		snprintf(name, sizeof(name), "%s%s", rows[i].name,
		    r->gap_in[rows[i].m] ? " [GAP in the record in this window]"
		                         : "");
		metric_s(s, name, "", rows[i].v, rows[i].wv);
	}
	for (int i = 0; i < r->nresolvers; i++) {
		const ReportResolver *x = &r->resolvers[i];
		int j = w ? report_resolver_index(w, x->name) : -1;
		metric_s(s, "converged_s, resolver ",
		    x->label[0] ? x->label : x->name, x->converged_s,
		    j >= 0 ? w->resolvers[j].converged_s : NAN);
	}
	report_table_fmt_s(a, sizeof(a), r->rto_target);
	metric_row(s, "rto_target", "", a, NULL);
	metric_row(s, "rto_met", "", rto_word(r), w ? rto_word(w) : NULL);
	metric_s(s, "bound_s (drtop check's worst case)", "", r->bound_s,
	    w ? w->bound_s : NAN);
	metric_row(
	    s, "bound_exceeded", "", bound_word(r), w ? bound_word(w) : NULL);
}

/* "status 2, timeout 1", or "none". */
static void
fmt_failures(char *buf, size_t cap, const ReportEndpoint *e)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int c = 0; c < PERR__COUNT && n < cap; c++) {
		const char *name = probe_error_name((ProbeError)c);
		if (e->failures[c] > 0)
			n += (size_t)snprintf(buf + n, cap - n, "%s%s %lu",
			    n ? ", " : "", name ? name : "unknown",
			    e->failures[c]);
	}
	if (buf[0] == '\0')
		snprintf(buf, cap, "none");
}

static void
endpoint_row(ReportSection *s, const ReportEndpoint *e, const char *words,
    const char *data)
{
	ReportCell *c = row_add(s);
	char buf[256];

	cell_set(&c[0], words, data);
	snprintf(buf, sizeof(buf), "%lu", e->count);
	cell_set(&c[1], buf, "");
	fmt_failures(buf, sizeof(buf), e);
	cell_set(&c[2], buf, "");
	cell_s(&c[3], e->p50_ms);
	cell_s(&c[4], e->p95_ms);
	if (isnan(e->availability))
		snprintf(buf, sizeof(buf), "—");
	else
		snprintf(buf, sizeof(buf), "%.2f%%", e->availability * 100.0);
	cell_set(&c[5], buf, "");
}

static void
add_endpoints(ReportTable *t, const Report *r)
{
	static const ReportColumn cols[] = {{"Endpoint", REPORT_ALIGN_LEFT},
	    {"Probes", REPORT_ALIGN_RIGHT}, {"Failures", REPORT_ALIGN_LEFT},
	    {"p50 ms", REPORT_ALIGN_RIGHT}, {"p95 ms", REPORT_ALIGN_RIGHT},
	    {"Availability", REPORT_ALIGN_RIGHT}};
	ReportSection *s =
	    section_add(t, "Endpoints", cols, (int)ARRAY_LEN(cols), false);

	for (int i = 0; i < r->nendpoints; i++)
		endpoint_row(s, &r->endpoints[i], "", r->endpoints[i].name);
	if (r->public_ep.nprobes > 0)
		endpoint_row(s, &r->public_ep, "public (client's eye)", "");
}

static void
add_routes(ReportTable *t, const Report *r)
{
	static const ReportColumn cols[] = {
	    {"from start (s)", REPORT_ALIGN_RIGHT}, {"From", REPORT_ALIGN_LEFT},
	    {"To", REPORT_ALIGN_LEFT}, {"Cause", REPORT_ALIGN_LEFT}};
	ReportSection *s =
	    section_add(t, "Route changes", cols, (int)ARRAY_LEN(cols), true);
	char buf[64];

	for (size_t i = 0; i < r->nroutes; i++) {
		const ReportRoute *x = &r->routes[i];
		ReportCell *c = row_add(s);
		cell_s(&c[0], rel(r, x->t));
		if (x->from[0] != '\0')
			cell_set(&c[1], "", x->from);
		else
			cell_set(&c[1], "(first route)", "");
		cell_set(&c[2], "", x->to);
		snprintf(buf, sizeof(buf), "%s%s", route_cause_name(x->cause),
		    x->fail_open ? " (fail open)" : "");
		cell_set(&c[3], buf, "");
	}
}

static void
add_diverged(ReportTable *t, const Report *r)
{
	static const ReportColumn cols[] = {{"Resolver", REPORT_ALIGN_LEFT},
	    {"from start (s)", REPORT_ALIGN_RIGHT},
	    {"session t (s)", REPORT_ALIGN_RIGHT},
	    {"Answered", REPORT_ALIGN_LEFT}, {"Expected", REPORT_ALIGN_LEFT}};
	ReportSection *s = section_add(
	    t, "Diverged resolvers", cols, (int)ARRAY_LEN(cols), true);

	for (size_t i = 0; i < r->nconvs; i++) {
		const ReportConv *x = &r->convs[i];
		const ReportResolver *res = &r->resolvers[x->resolver];
		ReportCell *c;
		if (!x->diverged)
			continue;
		c = row_add(s);
		cell_set(&c[0], "", res->label[0] ? res->label : res->name);
		cell_s(&c[1], rel(r, x->t));
		cell_s(&c[2], x->t);
		if (x->endpoint[0] != '\0')
			cell_set(&c[3], "", x->endpoint);
		else
			cell_set(&c[3], "(no endpoint)", "");
		cell_set(&c[4], "", x->expected);
	}
}

static void
add_actions(ReportTable *t, const Report *r)
{
	static const ReportColumn cols[] = {
	    {"from start (s)", REPORT_ALIGN_RIGHT},
	    {"Action", REPORT_ALIGN_LEFT}, {"By", REPORT_ALIGN_LEFT},
	    {"From", REPORT_ALIGN_LEFT}, {"To", REPORT_ALIGN_LEFT},
	    {"Exit", REPORT_ALIGN_LEFT}, {"Duration (s)", REPORT_ALIGN_RIGHT}};
	ReportSection *s =
	    section_add(t, "Actions", cols, (int)ARRAY_LEN(cols), true);
	char name[2 * EV_NAME_MAX + 4], code[48];

	for (size_t i = 0; i < r->nactions; i++) {
		const ReportAction *x = &r->actions[i];
		ReportCell *c = row_add(s);
		cell_s(&c[0], rel(r, x->t));
		snprintf(name, sizeof(name), "%s%s%s", x->name,
		    x->step[0] ? " / " : "", x->step);
		cell_set(&c[1], "", name);
		cell_set(&c[2], "", x->by);
		cell_set(&c[3], "", x->from);
		cell_set(&c[4], "", x->to);
		if (x->signal > 0)
			snprintf(code, sizeof(code), "signal %d", x->signal);
		else if (x->exit_code >= 0)
			snprintf(code, sizeof(code), "%d", x->exit_code);
		else
			snprintf(code, sizeof(code), "did not run");
		if (x->error[0] != '\0')
			strcat(code, ": ");
		cell_set(&c[5], code, x->error);
		cell_s(&c[6], x->duration_s);
	}
}

static void
add_markers(ReportTable *t, const Report *r)
{
	static const ReportColumn cols[] = {
	    {"from start (s)", REPORT_ALIGN_RIGHT},
	    {"Note", REPORT_ALIGN_LEFT}};
	ReportSection *s =
	    section_add(t, "Markers", cols, (int)ARRAY_LEN(cols), true);

	for (size_t i = 0; i < r->nmarkers; i++) {
		ReportCell *c = row_add(s);
		cell_s(&c[0], rel(r, r->markers[i].t));
		cell_set(&c[1], "", r->markers[i].text);
	}
}

/* Only when the record has gaps: events lost, and where. */
static void
add_gaps(ReportTable *t, const Report *r)
{
	static const ReportColumn cols[] = {
	    {"lost from (s)", REPORT_ALIGN_RIGHT},
	    {"to (s)", REPORT_ALIGN_RIGHT}, {"Events", REPORT_ALIGN_RIGHT},
	    {"Where", REPORT_ALIGN_LEFT}};
	ReportSection *s;

	if (r->ngaps == 0)
		return;
	s = section_add(
	    t, "Gaps in the record", cols, (int)ARRAY_LEN(cols), false);
	for (size_t i = 0; i < r->ngaps; i++) {
		ReportCell *c = row_add(s);
		char n[32];

		cell_s(&c[0], rel(r, r->gaps[i].from));
		cell_s(&c[1], rel(r, r->gaps[i].to));
		snprintf(n, sizeof(n), "%lu", r->gaps[i].count);
		cell_set(&c[2], n, "");
		cell_set(&c[3], "", r->gaps[i].source);
	}
}

/* Only when the log has errors. */
static void
add_errors(ReportTable *t, const Report *r)
{
	static const ReportColumn cols[] = {
	    {"from start (s)", REPORT_ALIGN_RIGHT},
	    {"Source", REPORT_ALIGN_LEFT}, {"Message", REPORT_ALIGN_LEFT}};
	ReportSection *s;

	if (r->nerrors == 0)
		return;
	s = section_add(t, "Errors", cols, (int)ARRAY_LEN(cols), false);
	for (size_t i = 0; i < r->nerrors; i++) {
		ReportCell *c = row_add(s);
		cell_s(&c[0], rel(r, r->errors[i].t));
		cell_set(&c[1], "", r->errors[i].source);
		cell_set(&c[2], "", r->errors[i].text);
	}
}

ReportTable *
report_table_new(const Report *r, const ReportWhatIf *whatif)
{
	ReportTable *t = xcalloc(1, sizeof(*t));

	t->drill = r->drill;
	report_summary_add(t, r);
	add_phases(t, r);
	add_metrics(t, r, whatif);
	add_endpoints(t, r);
	add_routes(t, r);
	add_diverged(t, r);
	add_actions(t, r);
	add_markers(t, r);
	add_gaps(t, r);
	add_errors(t, r);
	return t;
}

const ReportLine *
report_table_line(const ReportTable *t, const char *label)
{
	for (int i = 0; i < t->nlines; i++)
		if (strcmp(t->lines[i].label, label) == 0)
			return &t->lines[i];
	return NULL;
}

void
report_table_free(ReportTable *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < t->nlines; i++)
		for (int k = 0; k < t->lines[i].nsegs; k++)
			free(t->lines[i].segs[k].text);
	for (int i = 0; i < t->nsections; i++) {
		ReportSection *s = &t->sections[i];
		for (size_t k = 0; k < s->nrows * (size_t)s->ncols; k++)
			free(s->cells[k].text);
		free(s->cells);
	}
	free(t);
}
