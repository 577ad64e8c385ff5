/*
 * report_fmt: renders a finished Report (report.h) as JSON (DESIGN.md
 * "Reports"), Markdown for an incident ticket, or one self-contained
 * XHTML file with an inline SVG timeline (phases, per-endpoint probe
 * strips, route changes, resolver convergence, markers).
 *
 * The public entry of the report renderers, and the escaping they
 * share. JSON is written by report_json; Markdown (report_md) and HTML
 * (report_html, with report_svg's timeline) print the same tables, which
 * report_table computes once.
 *
 * Output is UTF-8; invalid byte sequences and control characters from a
 * log are replaced, so the HTML always parses as XML and the JSON as
 * JSON. Numbers are printed with '.' (callers never set LC_NUMERIC).
 * Any thread; no state.
 */
#ifndef DRTOP_REPORT_FMT_H
#define DRTOP_REPORT_FMT_H

#include <stdio.h>

#include "journal/report.h"

typedef enum { REPORT_FMT_MD, REPORT_FMT_JSON, REPORT_FMT_HTML } ReportFormat;

/* "md", "json", "html" -> format; -1 for anything else. */
int report_format_from_name(const char *name);

/*
 * A what-if run to print next to the recorded metrics: the report of the
 * same log with the engine re-run on modified settings (`--set`).
 */
typedef struct {
	const Report *report;
	const char *const *sets; /* the KEY=VALUE assignments */
	int nsets;
} ReportWhatIf;

/*
 * Write r (finished) in fmt to f; whatif may be NULL. Returns 0, or -1
 * when f reported a write error.
 */
int report_write(
    const Report *r, const ReportWhatIf *whatif, ReportFormat fmt, FILE *f);

/* The escaping of one output, for report_fmt_esc. */
typedef enum {
	REPORT_ESC_JSON, /* inside a JSON string: \" \\ and \u00XX */
	REPORT_ESC_XML, /* XML text or attribute: & < > " ' as entities */
	/*
	 * Markdown text in the middle of a line (a table cell, a list item
	 * after its label): a backslash goes before exactly what could end
	 * a table cell or start inline markup there -- | \\ ` * < [ ~ $
	 * always; _ unless between two ASCII letters or digits (intraword,
	 * never emphasis); & when a letter, digit or # follows (an entity);
	 * the : of "://" and the . of "www." (GFM autolinks, inside which
	 * escapes would show). Nothing else: -> stays ->. Line-start markup
	 * (# > - + 1.) cannot start where drtop prints log text, which
	 * always follows its own words on the line.
	 */
	REPORT_ESC_MD,
	/* REPORT_ESC_MD in an ATX heading: also # after a space or at the
	 * start (a closing sequence would be cut from the title). */
	REPORT_ESC_MD_HEADING,
} ReportEsc;

/*
 * Write s (NUL-terminated, any bytes, usually from a log) to f escaped
 * for how. A byte that does not start a valid UTF-8 sequence becomes
 * U+FFFD; XML and Markdown get a space for each control character
 * (JSON: \u00XX). Any thread.
 */
void report_fmt_esc(FILE *f, const char *s, ReportEsc how);

#endif
