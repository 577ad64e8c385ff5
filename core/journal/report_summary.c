#include "journal/report_summary.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static ReportLine *
line_add(ReportTable *t, const char *label)
{
	ReportLine *l;

	assert(t->nlines < REPORT_TABLE_LINES_MAX);
	l = &t->lines[t->nlines++];
	l->label = label;
	return l;
}

/* One more segment of l: drtop's words (printf-formatted), then data
 * from the log. */
__attribute__((format(printf, 3, 4))) static void
seg(ReportLine *l, const char *data, const char *fmt, ...)
{
	char words[256];
	va_list ap;

	assert(l->nsegs < REPORT_LINE_SEGS_MAX);
	va_start(ap, fmt);
	vsnprintf(words, sizeof(words), fmt, ap);
	va_end(ap);
	report_table_cell_set(&l->segs[l->nsegs++], words, data);
}

static void
verdict(ReportLine *l, const char *word, ReportTone tone)
{
	l->verdict = word;
	l->tone = tone;
}

/* Seconds as a report shows them ("—" for null), by value: secs(v).s
 * lives until the end of the full expression that calls secs. */
typedef struct {
	char s[32];
} Secs;

static Secs
secs(double v)
{
	Secs x;

	report_table_fmt_s(x.s, sizeof(x.s), v);
	return x;
}

/* An endpoint name from the log, or drtop's words when it is unknown. */
static void
seg_ep(ReportLine *l, const char *name, const char *unknown)
{
	if (name[0] != '\0')
		seg(l, name, "%s", "");
	else
		seg(l, "", "%s", unknown);
}

static void
add_head(ReportTable *t, const Report *r)
{
	ReportLine *l = line_add(t, "Service");

	seg_ep(l, r->service, "(unknown)");
	l = line_add(t, "Started");
	seg_ep(l, r->started, "(unknown)");
	if (r->recorded[DRILL_START])
		seg(l, "",
		    "; times count from the drill's start, at session t %s s",
		    secs(r->t0).s);
	else
		seg(l, "",
		    "; times count from the session's start (the log has no "
		    "start phase)");
	l = line_add(t, "RTO");
	seg(l, "", "%s s against a target of %s s: ", secs(r->rto_s).s,
	    secs(r->rto_target).s);
	if (r->rto_met < 0)
		verdict(l, "n/a", REPORT_TONE_NEUTRAL);
	else if (r->rto_met)
		verdict(l, "met", REPORT_TONE_GOOD);
	else
		verdict(l, "MISSED", REPORT_TONE_BAD);
	if (r->fault_endpoint[0] == '\0')
		return;
	l = line_add(t, "Traffic at the fault");
	seg(l, r->fault_endpoint, "%s", "");
	if (r->new_endpoint[0] == '\0') {
		seg(l, "", "; the expected route never left it");
		return;
	}
	seg(l, r->new_endpoint, "; the expected route changed to ");
	seg(l, "", " at %s s", secs(r->failover_route_t - r->t0).s);
}

/* The resolver whose convergence is at t (DNS moved), or NULL. */
static const ReportResolver *
first_resolver(const Report *r, double t)
{
	for (int i = 0; i < r->nresolvers; i++)
		if (r->resolvers[i].converged_t == t)
			return &r->resolvers[i];
	return NULL;
}

static void
add_failover(ReportTable *t, const Report *r, double f)
{
	double fo = r->phase[DRILL_FAILOVER];
	ReportLine *l = line_add(t, "Failover");

	if (!isnan(fo) && r->failover_observed) {
		const ReportResolver *first = first_resolver(r, fo);
		if (first != NULL)
			seg(l, first->label[0] ? first->label : first->name,
			    "DNS moved at %s s, %s s after the fault: ",
			    secs(fo - r->t0).s, secs(fo - f).s);
		else
			seg(l, "",
			    "DNS moved at %s s, %s s after the fault: a "
			    "resolver",
			    secs(fo - r->t0).s, secs(fo - f).s);
		seg(l, r->new_endpoint, " answered ");
		seg(l, "", " first");
	} else if (!isnan(fo)) {
		seg(l, "",
		    "at %s s, %s s after the fault: the route change to ",
		    secs(fo - r->t0).s, secs(fo - f).s);
		seg_ep(l, r->new_endpoint, "another endpoint");
		seg(l, "", "; DNS was not observed (no resolver): ");
		verdict(l, "expected, not observed", REPORT_TONE_NEUTRAL);
	} else if (r->new_endpoint[0] != '\0') {
		seg(l, r->new_endpoint,
		    "DNS never moved: no resolver answered ");
		seg(l, "", " after the route change at %s s",
		    secs(r->failover_route_t - r->t0).s);
	} else {
		seg(l, "", "none: the expected route never left ");
		seg_ep(l, r->fault_endpoint, "the endpoint that had traffic");
	}
}

static void
add_restored(ReportTable *t, const Report *r, double f)
{
	double rs = r->phase[DRILL_RESTORED];
	ReportLine *l = line_add(t, "Restored");

	if (!isnan(rs)) {
		seg(l, "", "at %s s, %s s after the fault, by ",
		    secs(rs - r->t0).s, secs(rs - f).s);
		if (r->restored_by == REPORT_RESTORED_PUBLIC) {
			seg(l, "",
			    "the first client's-eye probe served by another "
			    "healthy endpoint");
		} else {
			seg(l, "",
			    "the later of every resolver converging and ");
			seg_ep(l, r->new_endpoint, "the new endpoint");
			seg(l, "", "'s first successful probe");
		}
	} else if (r->public_ep.nprobes > 0) {
		seg(l, "",
		    "never: no client's-eye probe was served by a healthy "
		    "endpoint other than ");
		seg_ep(l, r->fault_endpoint, "the faulted one");
	} else if (r->nresolvers > 0) {
		seg(l, "",
		    "never: it needs every resolver converging and the first "
		    "successful probe of ");
		seg_ep(l, r->new_endpoint, "the new endpoint");
	} else {
		seg(l, "",
		    "not observable: the log has no resolver and no "
		    "client's-eye probe");
	}
}

static void
add_bound(ReportTable *t, const Report *r, double f)
{
	const char *e = r->fault_endpoint;
	ReportLine *l;

	if (e[0] == '\0')
		return;
	l = line_add(t, "DNS bound");
	if (isnan(r->bound_s)) {
		seg(l, e,
		    "the profile in the log gives no drtop check bound for ");
		seg(l, "", " — ");
	} else if (r->nresolvers == 0) {
		seg(l, e, "DNS was not observed; drtop check bound for ");
		seg(l, "", ": %s s — ", secs(r->bound_s).s);
	} else if (!isnan(r->converged_all_s)) {
		seg(l, "",
		    "DNS convergence took %s s after the fault; drtop check "
		    "bound for ",
		    secs(r->converged_all_s).s);
		seg(l, e, "%s", "");
		seg(l, "", ": %s s — ", secs(r->bound_s).s);
	} else if (r->bound_exceeded == 1) {
		seg(l, "",
		    "DNS never converged; the log runs %s s past the fault, "
		    "beyond the drtop check bound for ",
		    secs(r->t_last - f).s);
		seg(l, e, "%s", "");
		seg(l, "", " of %s s — ", secs(r->bound_s).s);
	} else {
		seg(l, "",
		    "DNS had not converged when the log ended, %s s after "
		    "the fault; drtop check bound for ",
		    secs(r->t_last - f).s);
		seg(l, e, "%s", "");
		seg(l, "", ": %s s — ", secs(r->bound_s).s);
	}
	if (r->bound_exceeded < 0)
		verdict(l, "not known", REPORT_TONE_NEUTRAL);
	else if (r->bound_exceeded)
		verdict(l, "EXCEEDED", REPORT_TONE_BAD);
	else
		verdict(l, "within the bound", REPORT_TONE_GOOD);
}

void
report_summary_add(ReportTable *t, const Report *r)
{
	double f = r->phase[DRILL_FAULT];
	char n[32];
	ReportLine *l;

	add_head(t, r);
	if (!isnan(f)) {
		add_failover(t, r, f);
		add_restored(t, r, f);
		add_bound(t, r, f);
	}
	if (r->log_path[0] != '\0') {
		l = line_add(t, "Log");
		seg(l, r->log_path, "%s", "");
		snprintf(n, sizeof(n), " (%lu events)", r->nevents);
		seg(l, "", "%s", n);
	}
	if (r->log_warning[0] != '\0') {
		l = line_add(t, "Warning");
		seg(l, r->log_warning, "%s", "");
	}
}
