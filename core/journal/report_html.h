/*
 * report_html: the HTML report, one self-contained XHTML file (no
 * scripts, no external resources; it parses as XML): the facts of a
 * ReportTable as a list (verdicts in a coloured <strong>), the SVG
 * timeline (report_svg), then every section as a <table> ("None." for
 * an empty list) -- the same facts, sections, rows and text as the
 * Markdown report. Everything is XML-escaped
 * (report_fmt_esc, REPORT_ESC_XML). Any thread; no state.
 */
#ifndef DRTOP_REPORT_HTML_H
#define DRTOP_REPORT_HTML_H

#include <stdio.h>

#include "journal/report.h"
#include "journal/report_table.h"

/* Write the report of r (finished) with its tables t (report_table_new
 * of r) to f; both borrowed. Write errors are left in ferror(f). */
void report_html_write(const Report *r, const ReportTable *t, FILE *f);

#endif
