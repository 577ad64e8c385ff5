#include "journal/report_fmt.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "base/util.h"
#include "journal/report_json.h"
#include "journal/report_md.h"
#include "journal/report_svg.h"
#include "journal/report_table.h"

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
	ReportTable *t;

	switch (fmt) {
	case REPORT_FMT_JSON:
		report_json_write(r, whatif, f);
		break;
	case REPORT_FMT_MD:
		t = report_table_new(r, whatif);
		report_md_write(r, t, f);
		report_table_free(t);
		break;
	case REPORT_FMT_HTML:
		write_html(r, whatif, f);
		break;
	}
	return ferror(f) ? -1 : 0;
}
