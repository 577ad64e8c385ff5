#include "journal/report_json.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

/* Shortest text that reads back as the same double (Python's repr). */
static void
fmt_num(char *buf, size_t cap, double v)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, cap, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	/* A locale with ',' must never leak into the output. */
	for (char *p = buf; *p; p++)
		if (*p == ',')
			*p = '.';
}

static void
json_num(FILE *f, double v)
{
	char buf[40];

	if (!isfinite(v)) {
		fputs("null", f);
		return;
	}
	fmt_num(buf, sizeof(buf), v);
	fputs(buf, f);
}

static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	report_fmt_esc(f, s, REPORT_ESC_JSON);
	fputc('"', f);
}

static void
json_str_or_null(FILE *f, const char *s)
{
	if (s[0] == '\0')
		fputs("null", f);
	else
		json_str(f, s);
}

static void
json_key(FILE *f, bool *first, const char *k)
{
	if (!*first)
		fputc(',', f);
	*first = false;
	json_str(f, k);
	fputc(':', f);
}

static void
json_bool_or_null(FILE *f, int v)
{
	fputs(v < 0 ? "null" : v ? "true" : "false", f);
}

/* A time as a report gives it: from the drill's start. */
static void
json_time(FILE *f, const Report *r, double t)
{
	json_num(f, t - r->t0);
}

static const char *
restored_by_name(ReportRestoredBy by)
{
	return by == REPORT_RESTORED_PUBLIC   ? "public"
	    : by == REPORT_RESTORED_CONVERGED ? "converged"
	                                      : "";
}

static const char *
err_class(int e)
{
	const char *s = probe_error_name((ProbeError)e);
	return s ? s : "unknown";
}

static void
json_metrics(FILE *f, const Report *r)
{
	bool first = true;

	fputc('{', f);
	json_key(f, &first, "detect_s");
	json_num(f, r->detect_s);
	json_key(f, &first, "failover_s");
	json_num(f, r->failover_s);
	json_key(f, &first, "converged_s");
	fputc('{', f);
	for (int i = 0; i < r->nresolvers; i++) {
		json_str(f, r->resolvers[i].name);
		fputc(':', f);
		json_num(f, r->resolvers[i].converged_s);
		fputc(',', f);
	}
	fputs("\"all\":", f);
	json_num(f, r->converged_all_s);
	fputc('}', f);
	json_key(f, &first, "restored_s");
	json_num(f, r->restored_s);
	json_key(f, &first, "rto_s");
	json_num(f, r->rto_s);
	json_key(f, &first, "rto_target");
	json_num(f, r->rto_target);
	json_key(f, &first, "rto_met");
	json_bool_or_null(f, r->rto_met);
	json_key(f, &first, "bound_s");
	json_num(f, r->bound_s);
	json_key(f, &first, "bound_exceeded");
	json_bool_or_null(f, r->bound_exceeded);
	fputc('}', f);
}

static void
json_phases(FILE *f, const Report *r)
{
	bool first = true;

	fputc('{', f);
	for (int i = 0; i < DRILL__COUNT; i++) {
		json_key(f, &first, drill_phase_name((DrillPhase)i));
		json_time(f, r, r->phase[i]);
	}
	fputc('}', f);
}

/* {"probes": ..., "availability": ...} */
static void
json_endpoint(FILE *f, const ReportEndpoint *e)
{
	bool first = true;

	fprintf(
	    f, "{\"probes\":%lu,\"ok\":%lu,\"failures\":{", e->count, e->ok);
	for (int c = 0; c < PERR__COUNT; c++)
		if (e->failures[c] > 0) {
			json_key(f, &first, err_class(c));
			fprintf(f, "%lu", e->failures[c]);
		}
	fputs("},\"p50_ms\":", f);
	json_num(f, e->p50_ms);
	fputs(",\"p95_ms\":", f);
	json_num(f, e->p95_ms);
	fputs(",\"availability\":", f);
	json_num(f, e->availability);
	fputc('}', f);
}

/* "endpoints" and "public" (the client's-eye probe, null without). */
static void
json_endpoints(FILE *f, const Report *r)
{
	fputs("\"endpoints\":{", f);
	for (int i = 0; i < r->nendpoints; i++) {
		if (i > 0)
			fputc(',', f);
		json_str(f, r->endpoints[i].name);
		fputc(':', f);
		json_endpoint(f, &r->endpoints[i]);
	}
	fputs("},\"public\":", f);
	if (r->public_ep.nprobes > 0)
		json_endpoint(f, &r->public_ep);
	else
		fputs("null", f);
}

/* "resolver_names": display names by address, for those that have one. */
static void
json_resolver_names(FILE *f, const Report *r)
{
	bool first = true;

	fputs("\"resolver_names\":{", f);
	for (int i = 0; i < r->nresolvers; i++)
		if (r->resolvers[i].label[0] != '\0') {
			json_key(f, &first, r->resolvers[i].name);
			json_str(f, r->resolvers[i].label);
		}
	fputc('}', f);
}

static void
json_diverged(FILE *f, const Report *r)
{
	bool first = true;

	fputs("\"diverged\":[", f);
	for (size_t i = 0; i < r->nconvs; i++) {
		const ReportConv *c = &r->convs[i];
		const ReportResolver *res = &r->resolvers[c->resolver];
		if (!c->diverged)
			continue;
		fputs(first ? "{\"resolver\":" : ",{\"resolver\":", f);
		first = false;
		json_str(f, res->name);
		fputs(",\"name\":", f);
		json_str_or_null(f, res->label);
		fputs(",\"t\":", f);
		json_time(f, r, c->t);
		fputs(",\"endpoint\":", f);
		json_str_or_null(f, c->endpoint);
		fputs(",\"expected\":", f);
		json_str_or_null(f, c->expected);
		fputc('}', f);
	}
	fputc(']', f);
}

/* What was expected and what observed: failover_observed, the route
 * change, and the definition `restored` used. */
static void
json_truth(FILE *f, const Report *r)
{
	fputs(",\"failover_observed\":", f);
	fputs(r->failover_observed ? "true" : "false", f);
	fputs(",\"route_change\":", f);
	json_time(f, r, r->failover_route_t);
	fputs(",\"restored_by\":", f);
	json_str_or_null(f, restored_by_name(r->restored_by));
	if (!isnan(r->fault_mark_late)) {
		fputs(",\"fault_mark_late\":", f);
		json_time(f, r, r->fault_mark_late);
	}
}

/* The "routes" array; the what-if's leaves out fail_open. */
static void
json_routes(FILE *f, const Report *r, bool fail_open)
{
	fputs("\"routes\":[", f);
	for (size_t i = 0; i < r->nroutes; i++) {
		const ReportRoute *x = &r->routes[i];
		fprintf(f, "%s{\"t\":", i ? "," : "");
		json_time(f, r, x->t);
		fputs(",\"from\":", f);
		json_str_or_null(f, x->from);
		fputs(",\"to\":", f);
		json_str(f, x->to);
		fprintf(f, ",\"cause\":\"%s\"", route_cause_name(x->cause));
		if (fail_open && x->fail_open)
			fputs(",\"fail_open\":true", f);
		fputc('}', f);
	}
	fputc(']', f);
}

static void
json_actions(FILE *f, const Report *r)
{
	fputs("\"actions\":[", f);
	for (size_t i = 0; i < r->nactions; i++) {
		const ReportAction *a = &r->actions[i];
		fprintf(f, "%s{\"t\":", i ? "," : "");
		json_time(f, r, a->t);
		fputs(",\"name\":", f);
		json_str(f, a->name);
		if (a->step[0] != '\0') {
			fputs(",\"step\":", f);
			json_str(f, a->step);
		}
		fputs(",\"by\":", f);
		json_str_or_null(f, a->by);
		fputs(",\"from\":", f);
		json_str_or_null(f, a->from);
		fputs(",\"to\":", f);
		json_str_or_null(f, a->to);
		fputs(",\"exit\":", f);
		if (a->exit_code < 0)
			fputs("null", f);
		else
			fprintf(f, "%d", a->exit_code);
		if (a->signal > 0)
			fprintf(f, ",\"signal\":%d", a->signal);
		if (a->error[0] != '\0') {
			fputs(",\"error\":", f);
			json_str(f, a->error);
		}
		fputs(",\"duration_s\":", f);
		json_num(f, a->duration_s);
		fputc('}', f);
	}
	fputc(']', f);
}

static void
json_notes(FILE *f, const Report *r)
{
	fputs("\"markers\":[", f);
	for (size_t i = 0; i < r->nmarkers; i++) {
		fprintf(f, "%s{\"t\":", i ? "," : "");
		json_time(f, r, r->markers[i].t);
		fputs(",\"note\":", f);
		json_str(f, r->markers[i].text);
		fputc('}', f);
	}
	fputs("],\"errors\":[", f);
	for (size_t i = 0; i < r->nerrors; i++) {
		fprintf(f, "%s{\"t\":", i ? "," : "");
		json_time(f, r, r->errors[i].t);
		fputs(",\"source\":", f);
		json_str(f, r->errors[i].source);
		fputs(",\"message\":", f);
		json_str(f, r->errors[i].text);
		fputc('}', f);
	}
	fputs("],\"gaps\":[", f);
	for (size_t i = 0; i < r->ngaps; i++) {
		fprintf(f, "%s{\"source\":", i ? "," : "");
		json_str(f, r->gaps[i].source);
		fputs(",\"from\":", f);
		json_time(f, r, r->gaps[i].from);
		fputs(",\"to\":", f);
		json_time(f, r, r->gaps[i].to);
		fprintf(f, ",\"count\":%lu}", r->gaps[i].count);
	}
	fputs("],\"metrics_with_gaps\":[", f);
	{
		static const char *const names[REPORT_M__COUNT] = {
		    "detect_s", "failover_s", "converged_s", "restored_s"};
		bool first = true;

		for (int m = 0; m < REPORT_M__COUNT; m++)
			if (r->gap_in[m]) {
				fprintf(
				    f, "%s\"%s\"", first ? "" : ",", names[m]);
				first = false;
				if (m == REPORT_M_RESTORED)
					fputs(",\"rto_s\"", f);
			}
	}
	fputc(']', f);
}

static void
json_whatif(FILE *f, const ReportWhatIf *w)
{
	fputs(",\"whatif\":{\"set\":[", f);
	for (int i = 0; i < w->nsets; i++) {
		if (i)
			fputc(',', f);
		json_str(f, w->sets[i]);
	}
	fputs("],\"fault_endpoint\":", f);
	json_str_or_null(f, w->report->fault_endpoint);
	fputs(",\"failover_to\":", f);
	json_str_or_null(f, w->report->new_endpoint);
	json_truth(f, w->report);
	fputs(",\"phases\":", f);
	json_phases(f, w->report);
	fputs(",\"metrics\":", f);
	json_metrics(f, w->report);
	fputc(',', f);
	json_routes(f, w->report, false);
	fputc('}', f);
}

void
report_json_write(const Report *r, const ReportWhatIf *whatif, FILE *f)
{
	fputs("{\"drill\":", f);
	json_str(f, r->drill);
	fputs(",\"service\":", f);
	json_str_or_null(f, r->service);
	fputs(",\"started\":", f);
	json_str_or_null(f, r->started);
	fputs(",\"mode\":", f);
	json_str_or_null(f, r->mode);
	fputs(",\"rto_target\":", f);
	json_num(f, r->rto_target);
	fputs(",\"t0\":", f);
	json_num(f, r->t0);
	fputs(",\"fault_endpoint\":", f);
	json_str_or_null(f, r->fault_endpoint);
	fputs(",\"failover_to\":", f);
	json_str_or_null(f, r->new_endpoint);
	json_truth(f, r);
	fputs(",\"phases\":", f);
	json_phases(f, r);
	fputs(",\"metrics\":", f);
	json_metrics(f, r);
	fputc(',', f);
	json_resolver_names(f, r);
	fputc(',', f);
	json_endpoints(f, r);
	fputc(',', f);
	json_routes(f, r, true);
	fputc(',', f);
	json_diverged(f, r);
	fputc(',', f);
	json_actions(f, r);
	fputc(',', f);
	json_notes(f, r);
	fprintf(f,
	    ",\"log\":{\"events\":%lu,\"skipped_unknown\":%lu,"
	    "\"truncated_last_line\":%s,\"dropped\":%lu}",
	    r->nevents, r->log_skipped, r->log_warning[0] ? "true" : "false",
	    r->dropped);
	if (whatif != NULL && whatif->report != NULL)
		json_whatif(f, whatif);
	fputs("}\n", f);
}
