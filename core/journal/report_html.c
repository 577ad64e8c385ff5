#include "journal/report_html.h"

#include "journal/report_svg.h"

static const char html_css[] =
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:0.5em 0 1.5em}"
    "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".missed{color:#b00;font-weight:bold}.met{color:#070;font-weight:bold}"
    ".na{font-weight:bold}"
    "svg .bg{fill:#fff}svg .axis{stroke:#888}svg .tick{font-size:10px;"
    "fill:#555}svg .lbl{font-size:11px;fill:#222}"
    "svg .ok{fill:#3a3}svg .bad{fill:#d33}svg .route path{fill:#36c}"
    "svg .rtext{font-size:10px;fill:#36c}svg .marker circle{fill:#c80}"
    "svg .res{stroke:#ddd}svg .conv path{fill:#3a3}svg .div path{fill:#d33}"
    "svg .phase{stroke:#000;stroke-width:1.2}"
    "svg .phase.derived{stroke:#555;stroke-dasharray:4 3}"
    "svg .ptext{font-size:11px;fill:#000}";

static void
xml_esc(FILE *f, const char *s)
{
	report_fmt_esc(f, s, REPORT_ESC_XML);
}

static void
html_line(const ReportLine *l, FILE *f)
{
	static const char *const cls[] = {
	    [REPORT_TONE_NEUTRAL] = "na",
	    [REPORT_TONE_GOOD] = "met",
	    [REPORT_TONE_BAD] = "missed",
	};

	fputs("<li><b>", f);
	xml_esc(f, l->label);
	fputs(":</b> ", f);
	for (int i = 0; i < l->nsegs; i++)
		xml_esc(f, l->segs[i].text);
	if (l->verdict != NULL) {
		fprintf(f, "<strong class=\"%s\">", cls[l->tone]);
		xml_esc(f, l->verdict);
		fputs("</strong>", f);
	}
	fputs("</li>\n", f);
}

static void
html_header(const ReportTable *t, FILE *f)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
	      "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
	      "<head><meta charset=\"UTF-8\"/><title>Drill report: ",
	    f);
	xml_esc(f, t->drill);
	fprintf(f, "</title>\n<style>%s</style></head>\n<body>\n", html_css);
	fputs("<h1>Drill report: ", f);
	xml_esc(f, t->drill);
	fputs("</h1>\n<ul class=\"facts\">\n", f);
	for (int i = 0; i < t->nlines; i++)
		html_line(&t->lines[i], f);
	fputs("</ul>\n", f);
}

static void
html_section(const ReportSection *s, FILE *f)
{
	fputs("<h2>", f);
	xml_esc(f, s->title);
	fputs("</h2>\n", f);
	if (s->nsets > 0) {
		fputs("<p>What-if settings:", f);
		for (int i = 0; i < s->nsets; i++) {
			fputs(" <code>", f);
			xml_esc(f, s->sets[i]);
			fputs("</code>", f);
		}
		fputs("</p>\n", f);
	}
	if (s->nrows == 0 && s->none_if_empty) {
		fputs("<p>None.</p>\n", f);
		return;
	}
	fputs("<table><tr>", f);
	for (int i = 0; i < s->ncols; i++) {
		fputs("<th>", f);
		xml_esc(f, s->cols[i].head);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (size_t row = 0; row < s->nrows; row++) {
		fputs("<tr>", f);
		for (int i = 0; i < s->ncols; i++) {
			const ReportCell *c = report_table_cell(s, row, i);
			fputs(s->cols[i].align == REPORT_ALIGN_RIGHT
			        ? "<td class=\"n\">"
			        : "<td>",
			    f);
			if (c->text != NULL)
				xml_esc(f, c->text);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

void
report_html_write(const Report *r, const ReportTable *t, FILE *f)
{
	html_header(t, f);
	fputs("<h2>Timeline</h2>\n", f);
	report_svg_write(r, f);
	for (int i = 0; i < t->nsections; i++)
		html_section(&t->sections[i], f);
	fputs("</body>\n</html>\n", f);
}
