/*
 * report_table: what a drill report says -- the summary facts above the
 * tables, then the tables of phases, metrics, endpoints, route changes,
 * diverged resolvers, actions, markers and errors -- computed once from
 * a finished Report (and the what-if run, when there is one) so that
 * the Markdown and the HTML report (report_md, report_html) print the
 * same facts and sections with the same rows and the same text.
 *
 * Every cell is final text: seconds with three decimals, availability as
 * a percentage, "—" for a value that never happened, "(unknown)" and
 * "(first route)" where the log has nothing, the what-if column present
 * exactly when a what-if report is. Times count from the drill's start
 * (Report.t0); the phases and the diverged resolvers also give the
 * session t. An emitter only adds its syntax and its escaping. The
 * summary facts (report_summary) say what the report could not observe:
 * a failover that is only the expected route, the definition `restored`
 * used, and DNS convergence against the bound `drtop check` prints.
 * Pure: no I/O.
 *
 * A ReportTable has one owner; it is not locked. Its cells are its own;
 * the title and the what-if settings are borrowed from the Report and
 * the ReportWhatIf.
 */
#ifndef DRTOP_REPORT_TABLE_H
#define DRTOP_REPORT_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "journal/report.h"
#include "journal/report_fmt.h"

#define REPORT_TABLE_COLS_MAX 7
#define REPORT_TABLE_SECTIONS_MAX 9
#define REPORT_TABLE_LINES_MAX 10
#define REPORT_LINE_SEGS_MAX 6

typedef enum { REPORT_ALIGN_LEFT, REPORT_ALIGN_RIGHT } ReportAlign;

typedef struct {
	const char *head; /* static text */
	ReportAlign align; /* RIGHT for numbers */
} ReportColumn;

/*
 * One cell. Its first `fixed` bytes are drtop's own words (labels,
 * numbers, "did not run"), which Markdown prints as they are; the rest
 * comes from the log (names, notes, messages) and is escaped by every
 * emitter. A NULL text is a row without a value in that column (the
 * what-if column of rto_target), printed blank.
 */
typedef struct {
	char *text; /* owned; NULL = no value */
	size_t fixed;
} ReportCell;

typedef struct {
	const char *title; /* static text: "Phases", "Metrics"... */
	ReportColumn cols[REPORT_TABLE_COLS_MAX];
	int ncols;
	ReportCell *cells; /* nrows * ncols, row after row */
	size_t nrows, cap;
	bool none_if_empty; /* no rows: "None." instead of an empty table */
	/* The what-if settings, listed before the table; borrowed from the
	 * ReportWhatIf; nsets 0 = none. */
	const char *const *sets;
	int nsets;
} ReportSection;

/*
 * One fact of the summary: "label: text verdict". The text is segments
 * printed one after the other, each a ReportCell (drtop's words, then
 * text from the log), so a name from the log can stand in the middle of
 * a sentence. The verdict, when there is one, ends the line and is set
 * off by the emitter (Markdown bold, HTML a coloured span).
 */
typedef enum {
	REPORT_TONE_NEUTRAL, /* n/a, unknown, expected */
	REPORT_TONE_GOOD, /* met, within the bound */
	REPORT_TONE_BAD /* MISSED, EXCEEDED */
} ReportTone;

typedef struct {
	const char *label; /* static: "Service", "Failover", "DNS bound"... */
	ReportCell segs[REPORT_LINE_SEGS_MAX];
	int nsegs;
	const char *verdict; /* static: "met", "EXCEEDED"...; NULL = none */
	ReportTone tone; /* of the verdict */
} ReportLine;

typedef struct {
	const char *drill; /* the title: the Report's drill name */
	ReportLine lines[REPORT_TABLE_LINES_MAX];
	int nlines;
	ReportSection sections[REPORT_TABLE_SECTIONS_MAX];
	int nsections;
} ReportTable;

/*
 * The facts and tables of r (finished) and, when whatif is not NULL,
 * the what-if column of the metrics. The facts, in order (each only
 * when it applies): Service, Started, RTO, Traffic at the fault,
 * Failover, Restored, DNS bound, Log, Warning. The sections: Phases,
 * Metrics, Endpoints, Route changes, Diverged resolvers, Actions,
 * Markers, then Errors only when the log has errors. The caller owns
 * the result (report_table_free); r and whatif must outlive it. Never
 * fails (out of memory is fatal).
 */
ReportTable *report_table_new(const Report *r, const ReportWhatIf *whatif);

/* report_table_free(NULL) is safe. */
void report_table_free(ReportTable *t);

/* The cell at row, col of s (row < nrows, col < ncols). */
static inline const ReportCell *
report_table_cell(const ReportSection *s, size_t row, int col)
{
	return &s->cells[row * (size_t)s->ncols + (size_t)col];
}

/* The line of t with that label, or NULL. */
const ReportLine *report_table_line(const ReportTable *t, const char *label);

/*
 * For report_summary, which fills the facts. Set c (its text NULL, or
 * freed first by the caller) to drtop's words followed by data from the
 * log ("" for none); c owns the copy.
 */
void report_table_cell_set(ReportCell *c, const char *words, const char *data);

/* Seconds (or milliseconds) with three decimals into buf; "—" for null
 * (NAN). */
void report_table_fmt_s(char *buf, size_t cap, double v);

#endif
