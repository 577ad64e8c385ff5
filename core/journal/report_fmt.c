#include "journal/report_fmt.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "base/util.h"
#include "journal/report_json.h"
#include "journal/report_svg.h"

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

void
report_fmt_esc(FILE *f, const char *s, ReportEsc how)
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
		if (how == REPORT_ESC_JSON) {
			if (c == '"' || c == '\\')
				fprintf(f, "\\%c", c);
			else if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		} else if (how == REPORT_ESC_XML) {
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

static const char *
err_class(int e)
{
	const char *s = probe_error_name((ProbeError)e);
	return s ? s : "unknown";
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
		report_fmt_esc(f, r->resolvers[i].name, REPORT_ESC_MD);
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
	report_fmt_esc(f, r->drill, REPORT_ESC_MD);
	fputs("\n\n", f);
	fputs("- **Service:** ", f);
	report_fmt_esc(
	    f, r->service[0] ? r->service : "(unknown)", REPORT_ESC_MD);
	fputs("\n- **Started:** ", f);
	report_fmt_esc(
	    f, r->started[0] ? r->started : "(unknown)", REPORT_ESC_MD);
	fputs(" (t = 0)\n", f);
	fmt_s(a, sizeof(a), r->rto_s);
	fmt_s(b, sizeof(b), r->rto_target);
	fprintf(f, "- **RTO:** %s s against a target of %s s: **%s**\n", a, b,
	    rto_word(r));
	if (r->fault_endpoint[0]) {
		fputs("- **Traffic at the fault:** ", f);
		report_fmt_esc(f, r->fault_endpoint, REPORT_ESC_MD);
		fputs(
		    r->new_endpoint[0] ? ", failed over to " : ", no failover",
		    f);
		report_fmt_esc(f, r->new_endpoint, REPORT_ESC_MD);
		fputc('\n', f);
	}
	if (r->log_path[0]) {
		fputs("- **Log:** ", f);
		report_fmt_esc(f, r->log_path, REPORT_ESC_MD);
		fprintf(f, " (%lu events)\n", r->nevents);
	}
	if (r->log_warning[0]) {
		fputs("- **Warning:** ", f);
		report_fmt_esc(f, r->log_warning, REPORT_ESC_MD);
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
		report_fmt_esc(f, r->note[i], REPORT_ESC_MD);
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
		report_fmt_esc(f, e->name, REPORT_ESC_MD);
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
		report_fmt_esc(
		    f, x->from[0] ? x->from : "(first route)", REPORT_ESC_MD);
		fputs(" | ", f);
		report_fmt_esc(f, x->to, REPORT_ESC_MD);
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
		report_fmt_esc(f, x->name, REPORT_ESC_MD);
		if (x->step[0]) {
			fputs(" / ", f);
			report_fmt_esc(f, x->step, REPORT_ESC_MD);
		}
		fputs(" | ", f);
		report_fmt_esc(f, x->by, REPORT_ESC_MD);
		fputs(" | ", f);
		report_fmt_esc(f, x->from, REPORT_ESC_MD);
		fputs(" | ", f);
		report_fmt_esc(f, x->to, REPORT_ESC_MD);
		if (x->signal > 0)
			snprintf(c, sizeof(c), "signal %d", x->signal);
		else if (x->exit_code >= 0)
			snprintf(c, sizeof(c), "%d", x->exit_code);
		else
			snprintf(c, sizeof(c), "did not run");
		fprintf(f, " | %s", c);
		if (x->error[0]) {
			fputs(": ", f);
			report_fmt_esc(f, x->error, REPORT_ESC_MD);
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
		report_fmt_esc(f, r->markers[i].text, REPORT_ESC_MD);
		fputs(" |\n", f);
	}
	if (r->nerrors > 0) {
		fputs("\n## Errors\n\n| t (s) | Source | Message |\n"
		      "|---:|---|---|\n",
		    f);
		for (size_t i = 0; i < r->nerrors; i++) {
			fmt_s(a, sizeof(a), r->errors[i].t);
			fprintf(f, "| %s | ", a);
			report_fmt_esc(f, r->errors[i].source, REPORT_ESC_MD);
			fputs(" | ", f);
			report_fmt_esc(f, r->errors[i].text, REPORT_ESC_MD);
			fputs(" |\n", f);
		}
	}
}

/* ---- HTML + SVG --------------------------------------------------------- */

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
	report_fmt_esc(f, s, REPORT_ESC_XML);
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
	report_fmt_esc(f, r->drill, REPORT_ESC_XML);
	fprintf(f, "</title>\n<style>%s</style></head>\n<body>\n", html_css);
	fputs("<h1>Drill report: ", f);
	report_fmt_esc(f, r->drill, REPORT_ESC_XML);
	fputs("</h1>\n<p>Service <b>", f);
	report_fmt_esc(
	    f, r->service[0] ? r->service : "(unknown)", REPORT_ESC_XML);
	fputs("</b>, started ", f);
	report_fmt_esc(
	    f, r->started[0] ? r->started : "(unknown)", REPORT_ESC_XML);
	fmt_s(a, sizeof(a), r->rto_s);
	fmt_s(b, sizeof(b), r->rto_target);
	fprintf(f,
	    ". RTO %s s against a target of %s s: <span class=\"%s\">%s"
	    "</span>.</p>\n",
	    a, b, r->rto_met == 0 ? "missed" : "met", rto_word(r));
	if (r->log_warning[0]) {
		fputs("<p class=\"missed\">", f);
		report_fmt_esc(f, r->log_warning, REPORT_ESC_XML);
		fputs("</p>\n", f);
	}
	fputs("<h2>Timeline</h2>\n", f);
	report_svg_write(r, f);

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
			report_fmt_esc(f, wi->sets[i], REPORT_ESC_XML);
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
		report_json_write(r, whatif, f);
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
