#include "journal/report_fmt.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "base/util.h"

int
report_format_from_name(const char *name)
{
	if (strcmp(name, "md") == 0 || strcmp(name, "markdown") == 0)
		return REPORT_FMT_MD;
	if (strcmp(name, "json") == 0)
		return REPORT_FMT_JSON;
	if (strcmp(name, "html") == 0)
		return REPORT_FMT_HTML;
	return -1;
}

/* ---- text helpers ------------------------------------------------------- */

enum { ESC_JSON, ESC_XML, ESC_MD };

/* Write s escaped for one of the outputs; bad UTF-8 becomes U+FFFD. */
static void
put_esc(FILE *f, const char *s, int how)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_next((const char *)p, NULL);
		if (n == 0) {
			fputs("\xef\xbf\xbd", f);
			p++;
			continue;
		}
		if (n > 1) {
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		unsigned char c = *p++;
		if (how == ESC_JSON) {
			if (c == '"' || c == '\\')
				fprintf(f, "\\%c", c);
			else if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		} else if (how == ESC_XML) {
			if (c == '&')
				fputs("&amp;", f);
			else if (c == '<')
				fputs("&lt;", f);
			else if (c == '>')
				fputs("&gt;", f);
			else if (c == '"')
				fputs("&quot;", f);
			else if (c == '\'')
				fputs("&#39;", f);
			else if (c < 0x20 || c == 0x7f)
				fputc(' ', f);
			else
				fputc(c, f);
		} else {
			if (c == '|' || c == '\\' || c == '`' || c == '*' ||
			    c == '_' || c == '<' || c == '>' || c == '[' ||
			    c == ']')
				fprintf(f, "\\%c", c);
			else if (c < 0x20 || c == 0x7f)
				fputc(' ', f);
			else
				fputc(c, f);
		}
	}
}

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
	put_esc(f, s, ESC_JSON);
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

static const char *
err_class(int e)
{
	const char *s = probe_error_name((ProbeError)e);
	return s ? s : "unknown";
}

/* ---- JSON ----------------------------------------------------------------- */

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
	fputs(r->rto_met < 0 ? "null" : r->rto_met ? "true" : "false", f);
	fputc('}', f);
}

static void
json_phases(FILE *f, const Report *r)
{
	bool first = true;

	fputc('{', f);
	for (int i = 0; i < DRILL__COUNT; i++) {
		json_key(f, &first, drill_phase_name((DrillPhase)i));
		json_num(f, r->phase[i]);
	}
	fputc('}', f);
}

static void
json_endpoints(FILE *f, const Report *r)
{
	fputc('{', f);
	for (int i = 0; i < r->nendpoints; i++) {
		const ReportEndpoint *e = &r->endpoints[i];
		bool first = true;
		if (i > 0)
			fputc(',', f);
		json_str(f, e->name);
		fprintf(f, ":{\"probes\":%lu,\"ok\":%lu,\"failures\":{",
		    e->count, e->ok);
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
	fputc('}', f);
}

static void
json_lists(FILE *f, const Report *r)
{
	fputs(",\"routes\":[", f);
	for (size_t i = 0; i < r->nroutes; i++) {
		const ReportRoute *x = &r->routes[i];
		fprintf(f, "%s{\"t\":", i ? "," : "");
		json_num(f, x->t);
		fputs(",\"from\":", f);
		json_str_or_null(f, x->from);
		fputs(",\"to\":", f);
		json_str(f, x->to);
		fprintf(f, ",\"cause\":\"%s\"", route_cause_name(x->cause));
		if (x->fail_open)
			fputs(",\"fail_open\":true", f);
		fputc('}', f);
	}
	fputs("],\"actions\":[", f);
	for (size_t i = 0; i < r->nactions; i++) {
		const ReportAction *a = &r->actions[i];
		fprintf(f, "%s{\"t\":", i ? "," : "");
		json_num(f, a->t);
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
	fputs("],\"markers\":[", f);
	for (size_t i = 0; i < r->nmarkers; i++) {
		fprintf(f, "%s{\"t\":", i ? "," : "");
		json_num(f, r->markers[i].t);
		fputs(",\"note\":", f);
		json_str(f, r->markers[i].text);
		fputc('}', f);
	}
	fputs("],\"errors\":[", f);
	for (size_t i = 0; i < r->nerrors; i++) {
		fprintf(f, "%s{\"t\":", i ? "," : "");
		json_num(f, r->errors[i].t);
		fputs(",\"source\":", f);
		json_str(f, r->errors[i].source);
		fputs(",\"message\":", f);
		json_str(f, r->errors[i].text);
		fputc('}', f);
	}
	fputc(']', f);
}

static void
write_json(const Report *r, const ReportWhatIf *w, FILE *f)
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
	fputs(",\"fault_endpoint\":", f);
	json_str_or_null(f, r->fault_endpoint);
	fputs(",\"failover_to\":", f);
	json_str_or_null(f, r->new_endpoint);
	fputs(",\"phases\":", f);
	json_phases(f, r);
	fputs(",\"metrics\":", f);
	json_metrics(f, r);
	fputs(",\"endpoints\":", f);
	json_endpoints(f, r);
	json_lists(f, r);
	fprintf(f,
	    ",\"log\":{\"events\":%lu,\"skipped_unknown\":%lu,"
	    "\"truncated_last_line\":%s,\"dropped\":%lu}",
	    r->nevents, r->log_skipped, r->log_warning[0] ? "true" : "false",
	    r->dropped);
	if (w != NULL && w->report != NULL) {
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
		fputs(",\"phases\":", f);
		json_phases(f, w->report);
		fputs(",\"metrics\":", f);
		json_metrics(f, w->report);
		fputs(",\"routes\":[", f);
		for (size_t i = 0; i < w->report->nroutes; i++) {
			const ReportRoute *x = &w->report->routes[i];
			fprintf(f, "%s{\"t\":", i ? "," : "");
			json_num(f, x->t);
			fputs(",\"from\":", f);
			json_str_or_null(f, x->from);
			fputs(",\"to\":", f);
			json_str(f, x->to);
			fprintf(f, ",\"cause\":\"%s\"}",
			    route_cause_name(x->cause));
		}
		fputs("]}", f);
	}
	fputs("}\n", f);
}

/* ---- shared table text -------------------------------------------------- */

static void
fmt_s(char *buf, size_t cap, double v)
{
	if (isnan(v))
		snprintf(buf, cap, "—");
	else
		snprintf(buf, cap, "%.3f", v);
}

static const char *
phase_label(int i)
{
	static const char *const labels[DRILL__COUNT] = {"start", "fault",
	    "detected", "failover", "converged", "restored", "end"};
	return labels[i];
}

static const char *
rto_word(const Report *r)
{
	return r->rto_met < 0 ? "n/a" : r->rto_met ? "met" : "MISSED";
}

static void
fmt_failures(char *buf, size_t cap, const ReportEndpoint *e)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int c = 0; c < PERR__COUNT && n < cap; c++)
		if (e->failures[c] > 0)
			n += (size_t)snprintf(buf + n, cap - n, "%s%s %lu",
			    n ? ", " : "", err_class(c), e->failures[c]);
	if (buf[0] == '\0')
		snprintf(buf, cap, "none");
}

static void
fmt_avail(char *buf, size_t cap, double a)
{
	if (isnan(a))
		snprintf(buf, cap, "—");
	else
		snprintf(buf, cap, "%.2f%%", a * 100.0);
}

/* ---- Markdown ----------------------------------------------------------- */

static void
md_metrics_rows(FILE *f, const Report *r, const Report *w)
{
	char a[32], b[32];
	struct {
		const char *name;
		double v, wv;
	} rows[] = {
	    {"detect_s (fault → detected)", r->detect_s, w ? w->detect_s : NAN},
	    {"failover_s (fault → failover)", r->failover_s,
	        w ? w->failover_s : NAN},
	    {"converged_s, all resolvers", r->converged_all_s,
	        w ? w->converged_all_s : NAN},
	    {"restored_s (fault → restored)", r->restored_s,
	        w ? w->restored_s : NAN},
	    {"rto_s", r->rto_s, w ? w->rto_s : NAN},
	};

	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		fmt_s(a, sizeof(a), rows[i].v);
		fmt_s(b, sizeof(b), rows[i].wv);
		fprintf(f, "| %s | %s |", rows[i].name, a);
		if (w)
			fprintf(f, " %s |", b);
		fputc('\n', f);
	}
	for (int i = 0; i < r->nresolvers; i++) {
		fmt_s(a, sizeof(a), r->resolvers[i].converged_s);
		fputs("| converged_s, resolver ", f);
		put_esc(f, r->resolvers[i].name, ESC_MD);
		fprintf(f, " | %s |", a);
		if (w) {
			int j = report_resolver_index(w, r->resolvers[i].name);
			fmt_s(b, sizeof(b),
			    j >= 0 ? w->resolvers[j].converged_s : NAN);
			fprintf(f, " %s |", b);
		}
		fputc('\n', f);
	}
	fmt_s(a, sizeof(a), r->rto_target);
	fprintf(f, "| rto_target | %s |%s\n", a, w ? " |" : "");
	fprintf(f, "| rto_met | %s |", rto_word(r));
	if (w)
		fprintf(f, " %s |", rto_word(w));
	fputc('\n', f);
}

static void
write_md(const Report *r, const ReportWhatIf *wi, FILE *f)
{
	const Report *w = wi ? wi->report : NULL;
	char a[64], b[64], c[2 * EV_TEXT_MAX];

	fputs("# Drill report: ", f);
	put_esc(f, r->drill, ESC_MD);
	fputs("\n\n", f);
	fputs("- **Service:** ", f);
	put_esc(f, r->service[0] ? r->service : "(unknown)", ESC_MD);
	fputs("\n- **Started:** ", f);
	put_esc(f, r->started[0] ? r->started : "(unknown)", ESC_MD);
	fputs(" (t = 0)\n", f);
	fmt_s(a, sizeof(a), r->rto_s);
	fmt_s(b, sizeof(b), r->rto_target);
	fprintf(f, "- **RTO:** %s s against a target of %s s: **%s**\n", a, b,
	    rto_word(r));
	if (r->fault_endpoint[0]) {
		fputs("- **Traffic at the fault:** ", f);
		put_esc(f, r->fault_endpoint, ESC_MD);
		fputs(
		    r->new_endpoint[0] ? ", failed over to " : ", no failover",
		    f);
		put_esc(f, r->new_endpoint, ESC_MD);
		fputc('\n', f);
	}
	if (r->log_path[0]) {
		fputs("- **Log:** ", f);
		put_esc(f, r->log_path, ESC_MD);
		fprintf(f, " (%lu events)\n", r->nevents);
	}
	if (r->log_warning[0]) {
		fputs("- **Warning:** ", f);
		put_esc(f, r->log_warning, ESC_MD);
		fputc('\n', f);
	}

	fputs("\n## Phases\n\n| Phase | t (s) | since fault (s) | source "
	      "| note |\n|---|---:|---:|---|---|\n",
	    f);
	for (int i = 0; i < DRILL__COUNT; i++) {
		double s = (isnan(r->phase[i]) || isnan(r->phase[DRILL_FAULT]))
		    ? NAN
		    : r->phase[i] - r->phase[DRILL_FAULT];
		fmt_s(a, sizeof(a), r->phase[i]);
		fmt_s(b, sizeof(b), s);
		fprintf(f, "| %s | %s | %s | %s | ", phase_label(i), a, b,
		    isnan(r->phase[i])   ? "never happened"
		        : r->recorded[i] ? "recorded"
		                         : "derived");
		put_esc(f, r->note[i], ESC_MD);
		fputs(" |\n", f);
	}

	fputs("\n## Metrics\n\n", f);
	if (w) {
		fputs("What-if settings:", f);
		for (int i = 0; i < wi->nsets; i++) {
			fputs(" `", f);
			fputs(wi->sets[i], f);
			fputc('`', f);
		}
		fputs("\n\n| Metric | Recorded (s) | What-if (s) |\n"
		      "|---|---:|---:|\n",
		    f);
	} else {
		fputs("| Metric | Value (s) |\n|---|---:|\n", f);
	}
	md_metrics_rows(f, r, w);

	fputs("\n## Endpoints\n\n| Endpoint | Probes | Failures | p50 ms | "
	      "p95 ms | Availability |\n|---|---:|---|---:|---:|---:|\n",
	    f);
	for (int i = 0; i < r->nendpoints; i++) {
		const ReportEndpoint *e = &r->endpoints[i];
		fputs("| ", f);
		put_esc(f, e->name, ESC_MD);
		fmt_failures(c, sizeof(c), e);
		fmt_s(a, sizeof(a), e->p50_ms);
		fmt_s(b, sizeof(b), e->p95_ms);
		fprintf(f, " | %lu | %s | %s | %s | ", e->count, c, a, b);
		fmt_avail(a, sizeof(a), e->availability);
		fprintf(f, "%s |\n", a);
	}

	fputs("\n## Route changes\n\n", f);
	if (r->nroutes == 0)
		fputs("None.\n", f);
	else
		fputs("| t (s) | From | To | Cause |\n|---:|---|---|---|\n", f);
	for (size_t i = 0; i < r->nroutes; i++) {
		const ReportRoute *x = &r->routes[i];
		fmt_s(a, sizeof(a), x->t);
		fprintf(f, "| %s | ", a);
		put_esc(f, x->from[0] ? x->from : "(first route)", ESC_MD);
		fputs(" | ", f);
		put_esc(f, x->to, ESC_MD);
		fprintf(f, " | %s%s |\n", route_cause_name(x->cause),
		    x->fail_open ? " (fail open)" : "");
	}

	fputs("\n## Actions\n\n", f);
	if (r->nactions == 0)
		fputs("None.\n", f);
	else
		fputs("| t (s) | Action | By | From | To | Exit | Duration "
		      "(s) |\n|---:|---|---|---|---|---|---:|\n",
		    f);
	for (size_t i = 0; i < r->nactions; i++) {
		const ReportAction *x = &r->actions[i];
		fmt_s(a, sizeof(a), x->t);
		fprintf(f, "| %s | ", a);
		put_esc(f, x->name, ESC_MD);
		if (x->step[0]) {
			fputs(" / ", f);
			put_esc(f, x->step, ESC_MD);
		}
		fputs(" | ", f);
		put_esc(f, x->by, ESC_MD);
		fputs(" | ", f);
		put_esc(f, x->from, ESC_MD);
		fputs(" | ", f);
		put_esc(f, x->to, ESC_MD);
		if (x->signal > 0)
			snprintf(c, sizeof(c), "signal %d", x->signal);
		else if (x->exit_code >= 0)
			snprintf(c, sizeof(c), "%d", x->exit_code);
		else
			snprintf(c, sizeof(c), "did not run");
		fprintf(f, " | %s", c);
		if (x->error[0]) {
			fputs(": ", f);
			put_esc(f, x->error, ESC_MD);
		}
		fmt_s(a, sizeof(a), x->duration_s);
		fprintf(f, " | %s |\n", a);
	}

	fputs("\n## Markers\n\n", f);
	if (r->nmarkers == 0)
		fputs("None.\n", f);
	else
		fputs("| t (s) | Note |\n|---:|---|\n", f);
	for (size_t i = 0; i < r->nmarkers; i++) {
		fmt_s(a, sizeof(a), r->markers[i].t);
		fprintf(f, "| %s | ", a);
		put_esc(f, r->markers[i].text, ESC_MD);
		fputs(" |\n", f);
	}
	if (r->nerrors > 0) {
		fputs("\n## Errors\n\n| t (s) | Source | Message |\n"
		      "|---:|---|---|\n",
		    f);
		for (size_t i = 0; i < r->nerrors; i++) {
			fmt_s(a, sizeof(a), r->errors[i].t);
			fprintf(f, "| %s | ", a);
			put_esc(f, r->errors[i].source, ESC_MD);
			fputs(" | ", f);
			put_esc(f, r->errors[i].text, ESC_MD);
			fputs(" |\n", f);
		}
	}
}

/* ---- HTML + SVG --------------------------------------------------------- */

#define SVG_W 960.0
#define SVG_LEFT 130.0
#define SVG_RIGHT 20.0
#define SVG_ROW 18.0
#define SVG_MAX_STRIPS 200
#define SVG_CELL 2.0 /* px per probe-strip cell */

typedef struct {
	double t0, t1;
} Axis;

static double
ax_x(const Axis *a, double t)
{
	double w = SVG_W - SVG_LEFT - SVG_RIGHT;
	return SVG_LEFT + (t - a->t0) / (a->t1 - a->t0) * w;
}

static double
nice_step(double span)
{
	double raw = span / 8, p = pow(10, floor(log10(raw)));
	double m[] = {1, 2, 5, 10};

	for (size_t i = 0; i < ARRAY_LEN(m); i++)
		if (m[i] * p >= raw)
			return m[i] * p;
	return 10 * p;
}

static void
svg_text(FILE *f, double x, double y, const char *cls, const char *anchor,
    const char *s)
{
	fprintf(f,
	    "<text x=\"%.1f\" y=\"%.1f\" class=\"%s\" "
	    "text-anchor=\"%s\">",
	    x, y, cls, anchor);
	put_esc(f, s, ESC_XML);
	fputs("</text>\n", f);
}

/*
 * One endpoint's probe strip. Each probe colours the cells from its time
 * up to the next probe (at most three average intervals), so the strip
 * reads as the state over time; a cell with any failure is red. Runs of
 * same-state cells become single rects.
 */
static int
cell_of(const Axis *a, double t, int ncells)
{
	int c = (int)((ax_x(a, t) - SVG_LEFT) / SVG_CELL);
	return c < 0 ? 0 : c >= ncells ? ncells - 1 : c;
}

static void
svg_strip(FILE *f, const Axis *a, const ReportEndpoint *e, double y)
{
	int ncells = (int)((SVG_W - SVG_LEFT - SVG_RIGHT) / SVG_CELL);
	unsigned char *cell =
	    xcalloc((size_t)ncells, 1); /* 0 none 1 ok 2 bad */
	double avg = e->nprobes > 1
	    ? (e->probes[e->nprobes - 1].t - e->probes[0].t) /
	        (double)(e->nprobes - 1)
	    : 0;

	for (size_t i = 0; i < e->nprobes; i++) {
		double t = e->probes[i].t, until = t;
		if (i + 1 < e->nprobes)
			until = fmin(e->probes[i + 1].t, t + 3 * avg);
		int c0 = cell_of(a, t, ncells), c1 = cell_of(a, until, ncells);
		if (c1 > c0 && i + 1 < e->nprobes &&
		    until == e->probes[i + 1].t)
			c1--; /* the next probe owns its own cell */
		for (int c = c0; c <= c1; c++) {
			if (!e->probes[i].ok)
				cell[c] = 2;
			else if (cell[c] == 0)
				cell[c] = 1;
		}
	}
	for (int i = 0; i < ncells;) {
		int j = i;
		while (j < ncells && cell[j] == cell[i])
			j++;
		if (cell[i] != 0)
			fprintf(f,
			    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"%.1f\" class=\"%s\"/>\n",
			    SVG_LEFT + i * SVG_CELL, y, (j - i) * SVG_CELL,
			    SVG_ROW - 6, cell[i] == 2 ? "bad" : "ok");
		i = j;
	}
	free(cell);
}

static void
write_svg(const Report *r, FILE *f)
{
	Axis a = {0, 1};
	int nstrips =
	    r->nendpoints < SVG_MAX_STRIPS ? r->nendpoints : SVG_MAX_STRIPS;
	double top = 64, y, h;
	char buf[EV_TEXT_MAX + 64];

	/* The axis spans every event and every phase. */
	a.t0 = isnan(r->t_first) ? 0 : fmin(0, r->t_first);
	a.t1 = isnan(r->t_last) ? 1 : r->t_last;
	for (int i = 0; i < DRILL__COUNT; i++)
		if (!isnan(r->phase[i]))
			a.t1 = fmax(a.t1, r->phase[i]);
	if (!(a.t1 > a.t0))
		a.t1 = a.t0 + 1;
	h = top + SVG_ROW * (2 + nstrips + r->nresolvers) + 30;

	fprintf(f,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
	    "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n",
	    SVG_W, h, SVG_W, h);
	fputs("<title>Drill timeline</title>\n", f);
	fprintf(f,
	    "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" "
	    "class=\"bg\"/>\n",
	    SVG_W, h);

	/* Time axis with ticks. */
	double step = nice_step(a.t1 - a.t0);
	y = h - 22;
	fprintf(f,
	    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "class=\"axis\"/>\n",
	    SVG_LEFT, y, SVG_W - SVG_RIGHT, y);
	for (double t = ceil(a.t0 / step) * step; t <= a.t1 + 1e-9; t += step) {
		double x = ax_x(&a, t);
		fprintf(f,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" class=\"axis\"/>\n",
		    x, y, x, y + 4);
		snprintf(buf, sizeof(buf), "%gs", t);
		svg_text(f, x, y + 15, "tick", "middle", buf);
	}

	/* Rows: route, markers, endpoints, resolvers. */
	y = top;
	double label_end = 0; /* right end of the last route label drawn */
	svg_text(f, SVG_LEFT - 6, y + 11, "lbl", "end", "route");
	for (size_t i = 0; i < r->nroutes; i++) {
		const ReportRoute *x = &r->routes[i];
		double px = ax_x(&a, x->t);
		fprintf(f, "<g class=\"route\"><title>t=%.3f route %s", x->t,
		    x->from[0] ? "" : "(first) ");
		put_esc(f, x->from, ESC_XML);
		fputs(" -&gt; ", f);
		put_esc(f, x->to, ESC_XML);
		fprintf(f, " (%s)</title>", route_cause_name(x->cause));
		fprintf(f, "<path d=\"M%.1f %.1f l5 6 l-5 6 l-5 -6 z\"/></g>\n",
		    px, y);
		snprintf(buf, sizeof(buf), "→ %s", x->to);
		double w = 6 * (double)strlen(x->to) + 14;
		if (px + 7 > label_end && px + 7 + w <= SVG_W) {
			svg_text(f, px + 7, y + 11, "rtext", "start", buf);
			label_end = px + 7 + w;
		} else if (px - 7 - w > label_end && px + 7 + w > SVG_W) {
			svg_text(f, px - 7, y + 11, "rtext", "end", buf);
			label_end = px;
		}
	}
	y += SVG_ROW;
	svg_text(f, SVG_LEFT - 6, y + 11, "lbl", "end", "markers");
	for (size_t i = 0; i < r->nmarkers; i++) {
		fprintf(
		    f, "<g class=\"marker\"><title>t=%.3f ", r->markers[i].t);
		put_esc(f, r->markers[i].text, ESC_XML);
		fprintf(f,
		    "</title><circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\"/></g>\n",
		    ax_x(&a, r->markers[i].t), y + 6);
	}
	y += SVG_ROW;
	for (int i = 0; i < nstrips; i++) {
		svg_text(f, SVG_LEFT - 6, y + 10, "lbl", "end",
		    r->endpoints[i].name);
		svg_strip(f, &a, &r->endpoints[i], y + 1);
		y += SVG_ROW;
	}
	for (int i = 0; i < r->nresolvers; i++) {
		snprintf(buf, sizeof(buf), "dns %s", r->resolvers[i].name);
		svg_text(f, SVG_LEFT - 6, y + 10, "lbl", "end", buf);
		fprintf(f,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" class=\"res\"/>\n",
		    SVG_LEFT, y + 6, SVG_W - SVG_RIGHT, y + 6);
		for (size_t j = 0; j < r->nconvs; j++) {
			const ReportConv *c = &r->convs[j];
			if (c->resolver != i)
				continue;
			fprintf(f, "<g class=\"%s\"><title>t=%.3f %s ",
			    c->diverged ? "div" : "conv", c->t,
			    c->diverged ? "diverged to" : "converged on");
			put_esc(f, c->endpoint, ESC_XML);
			fprintf(f,
			    "</title><path d=\"M%.1f %.1f l5 5 l-5 5 l-5 -5 "
			    "z\"/></g>\n",
			    ax_x(&a, c->t), y + 1);
		}
		y += SVG_ROW;
	}

	/* Phases: vertical lines over every row; labels in time order, each
	 * in the first of four rows on top where it does not overlap. */
	int order[DRILL__COUNT], n = 0;
	double rowend[4] = {-1e9, -1e9, -1e9, -1e9};
	for (int i = 0; i < DRILL__COUNT; i++)
		if (!isnan(r->phase[i])) {
			int j = n++;
			while (j > 0 && r->phase[order[j - 1]] > r->phase[i]) {
				order[j] = order[j - 1];
				j--;
			}
			order[j] = i;
		}
	for (int k = 0; k < n; k++) {
		int i = order[k], row = 0;
		double x = ax_x(&a, r->phase[i]);
		double w = 6.5 * (double)strlen(phase_label(i)) + 6;
		fprintf(f,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		    "class=\"phase%s\"><title>%s at t=%.3f (%s)</title>"
		    "</line>\n",
		    x, top - 4, x, h - 22, r->recorded[i] ? "" : " derived",
		    phase_label(i), r->phase[i],
		    r->recorded[i] ? "recorded" : "derived");
		for (int q = 0; q < 4; q++)
			if (x - w / 2 > rowend[q]) {
				row = q;
				break;
			} else if (rowend[q] < rowend[row])
				row = q;
		rowend[row] = x + w / 2;
		svg_text(f, fmin(fmax(x, w / 2), SVG_W - w / 2), 12 + 13 * row,
		    "ptext", "middle", phase_label(i));
	}
	if (r->nendpoints > nstrips) {
		snprintf(buf, sizeof(buf), "%d more endpoints not drawn",
		    r->nendpoints - nstrips);
		svg_text(f, SVG_LEFT, h - 4, "tick", "start", buf);
	}
	fputs("</svg>\n", f);
}

static const char html_css[] =
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:0.5em 0 1.5em}"
    "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".missed{color:#b00;font-weight:bold}.met{color:#070;font-weight:bold}"
    "svg .bg{fill:#fff}svg .axis{stroke:#888}svg .tick{font-size:10px;"
    "fill:#555}svg .lbl{font-size:11px;fill:#222}"
    "svg .ok{fill:#3a3}svg .bad{fill:#d33}svg .route path{fill:#36c}"
    "svg .rtext{font-size:10px;fill:#36c}svg .marker circle{fill:#c80}"
    "svg .res{stroke:#ddd}svg .conv path{fill:#3a3}svg .div path{fill:#d33}"
    "svg .phase{stroke:#000;stroke-width:1.2}"
    "svg .phase.derived{stroke:#555;stroke-dasharray:4 3}"
    "svg .ptext{font-size:11px;fill:#000}";

static void
html_td(FILE *f, const char *s, bool num)
{
	fputs(num ? "<td class=\"n\">" : "<td>", f);
	put_esc(f, s, ESC_XML);
	fputs("</td>", f);
}

static void
html_metric(FILE *f, const char *name, double v, bool has_w, double wv)
{
	char a[32];

	fputs("<tr>", f);
	html_td(f, name, false);
	fmt_s(a, sizeof(a), v);
	html_td(f, a, true);
	if (has_w) {
		fmt_s(a, sizeof(a), wv);
		html_td(f, a, true);
	}
	fputs("</tr>\n", f);
}

static void
write_html(const Report *r, const ReportWhatIf *wi, FILE *f)
{
	const Report *w = wi ? wi->report : NULL;
	char a[64], b[64], c[2 * EV_TEXT_MAX];

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
	      "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
	      "<head><meta charset=\"UTF-8\"/><title>Drill report: ",
	    f);
	put_esc(f, r->drill, ESC_XML);
	fprintf(f, "</title>\n<style>%s</style></head>\n<body>\n", html_css);
	fputs("<h1>Drill report: ", f);
	put_esc(f, r->drill, ESC_XML);
	fputs("</h1>\n<p>Service <b>", f);
	put_esc(f, r->service[0] ? r->service : "(unknown)", ESC_XML);
	fputs("</b>, started ", f);
	put_esc(f, r->started[0] ? r->started : "(unknown)", ESC_XML);
	fmt_s(a, sizeof(a), r->rto_s);
	fmt_s(b, sizeof(b), r->rto_target);
	fprintf(f,
	    ". RTO %s s against a target of %s s: <span class=\"%s\">%s"
	    "</span>.</p>\n",
	    a, b, r->rto_met == 0 ? "missed" : "met", rto_word(r));
	if (r->log_warning[0]) {
		fputs("<p class=\"missed\">", f);
		put_esc(f, r->log_warning, ESC_XML);
		fputs("</p>\n", f);
	}
	fputs("<h2>Timeline</h2>\n", f);
	write_svg(r, f);

	fputs("<h2>Phases</h2>\n<table><tr><th>Phase</th><th>t (s)</th>"
	      "<th>since fault (s)</th><th>source</th><th>note</th></tr>\n",
	    f);
	for (int i = 0; i < DRILL__COUNT; i++) {
		double s = (isnan(r->phase[i]) || isnan(r->phase[DRILL_FAULT]))
		    ? NAN
		    : r->phase[i] - r->phase[DRILL_FAULT];
		fputs("<tr>", f);
		html_td(f, phase_label(i), false);
		fmt_s(a, sizeof(a), r->phase[i]);
		html_td(f, a, true);
		fmt_s(a, sizeof(a), s);
		html_td(f, a, true);
		html_td(f,
		    isnan(r->phase[i])   ? "never happened"
		        : r->recorded[i] ? "recorded"
		                         : "derived",
		    false);
		html_td(f, r->note[i], false);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n<h2>Metrics</h2>\n", f);
	if (w) {
		fputs("<p>What-if settings:", f);
		for (int i = 0; i < wi->nsets; i++) {
			fputs(" <code>", f);
			put_esc(f, wi->sets[i], ESC_XML);
			fputs("</code>", f);
		}
		fputs("</p>\n", f);
	}
	fprintf(f, "<table><tr><th>Metric</th><th>%s (s)</th>%s</tr>\n",
	    w ? "Recorded" : "Value", w ? "<th>What-if (s)</th>" : "");
	html_metric(f, "detect_s", r->detect_s, w, w ? w->detect_s : NAN);
	html_metric(f, "failover_s", r->failover_s, w, w ? w->failover_s : NAN);
	html_metric(f, "converged_s (all)", r->converged_all_s, w,
	    w ? w->converged_all_s : NAN);
	for (int i = 0; i < r->nresolvers; i++) {
		int j = w ? report_resolver_index(w, r->resolvers[i].name) : -1;
		snprintf(
		    c, sizeof(c), "converged_s (%s)", r->resolvers[i].name);
		html_metric(f, c, r->resolvers[i].converged_s, w,
		    j >= 0 ? w->resolvers[j].converged_s : NAN);
	}
	html_metric(f, "restored_s", r->restored_s, w, w ? w->restored_s : NAN);
	html_metric(f, "rto_s", r->rto_s, w, w ? w->rto_s : NAN);
	html_metric(f, "rto_target", r->rto_target, w, r->rto_target);
	fputs("</table>\n", f);

	fputs("<h2>Endpoints</h2>\n<table><tr><th>Endpoint</th><th>Probes"
	      "</th><th>Failures</th><th>p50 ms</th><th>p95 ms</th>"
	      "<th>Availability</th></tr>\n",
	    f);
	for (int i = 0; i < r->nendpoints; i++) {
		const ReportEndpoint *e = &r->endpoints[i];
		fputs("<tr>", f);
		html_td(f, e->name, false);
		snprintf(a, sizeof(a), "%lu", e->count);
		html_td(f, a, true);
		fmt_failures(c, sizeof(c), e);
		html_td(f, c, false);
		fmt_s(a, sizeof(a), e->p50_ms);
		html_td(f, a, true);
		fmt_s(a, sizeof(a), e->p95_ms);
		html_td(f, a, true);
		fmt_avail(a, sizeof(a), e->availability);
		html_td(f, a, true);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n<h2>Actions</h2>\n", f);
	if (r->nactions == 0)
		fputs("<p>None.</p>\n", f);
	else
		fputs("<table><tr><th>t (s)</th><th>Action</th><th>By</th>"
		      "<th>From</th><th>To</th><th>Exit</th><th>Duration (s)"
		      "</th></tr>\n",
		    f);
	for (size_t i = 0; i < r->nactions; i++) {
		const ReportAction *x = &r->actions[i];
		fputs("<tr>", f);
		fmt_s(a, sizeof(a), x->t);
		html_td(f, a, true);
		snprintf(c, sizeof(c), "%s%s%s", x->name,
		    x->step[0] ? " / " : "", x->step);
		html_td(f, c, false);
		html_td(f, x->by, false);
		html_td(f, x->from, false);
		html_td(f, x->to, false);
		if (x->signal > 0)
			snprintf(c, sizeof(c), "signal %d", x->signal);
		else if (x->exit_code >= 0)
			snprintf(c, sizeof(c), "%d", x->exit_code);
		else
			snprintf(c, sizeof(c), "did not run: %s", x->error);
		html_td(f, c, false);
		fmt_s(a, sizeof(a), x->duration_s);
		html_td(f, a, true);
		fputs("</tr>\n", f);
	}
	if (r->nactions > 0)
		fputs("</table>\n", f);
	fputs("<h2>Markers</h2>\n", f);
	if (r->nmarkers == 0)
		fputs("<p>None.</p>\n", f);
	else
		fputs("<table><tr><th>t (s)</th><th>Note</th></tr>\n", f);
	for (size_t i = 0; i < r->nmarkers; i++) {
		fputs("<tr>", f);
		fmt_s(a, sizeof(a), r->markers[i].t);
		html_td(f, a, true);
		html_td(f, r->markers[i].text, false);
		fputs("</tr>\n", f);
	}
	if (r->nmarkers > 0)
		fputs("</table>\n", f);
	if (r->nerrors > 0) {
		fputs("<h2>Errors</h2>\n<table><tr><th>t (s)</th><th>Source"
		      "</th><th>Message</th></tr>\n",
		    f);
		for (size_t i = 0; i < r->nerrors; i++) {
			fputs("<tr>", f);
			fmt_s(a, sizeof(a), r->errors[i].t);
			html_td(f, a, true);
			html_td(f, r->errors[i].source, false);
			html_td(f, r->errors[i].text, false);
			fputs("</tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	fputs("</body>\n</html>\n", f);
}

int
report_write(
    const Report *r, const ReportWhatIf *whatif, ReportFormat fmt, FILE *f)
{
	switch (fmt) {
	case REPORT_FMT_JSON:
		write_json(r, whatif, f);
		break;
	case REPORT_FMT_MD:
		write_md(r, whatif, f);
		break;
	case REPORT_FMT_HTML:
		write_html(r, whatif, f);
		break;
	}
	return ferror(f) ? -1 : 0;
}
