/*
 * report_table: the tables of a drill report -- phases, metrics,
 * endpoints, route changes, actions, markers and errors -- computed once
 * from a finished Report (and the what-if run, when there is one) so
 * that the Markdown and the HTML report (report_md, report_html) print
 * the same sections with the same rows and the same text.
 *
 * Every cell is final text: seconds with three decimals, availability as
 * a percentage, "—" for a value that never happened, "(unknown)" and
 * "(first route)" where the log has nothing, the what-if column present
 * exactly when a what-if report is. An emitter only adds its syntax and
 * its escaping. Pure: no I/O.
 *
 * A ReportTable has one owner; it is not locked. Its cells are its own;
 * the summary strings and the what-if settings are borrowed from the
 * Report and the ReportWhatIf.
 */
#ifndef DRTOP_REPORT_TABLE_H
#define DRTOP_REPORT_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "journal/report.h"
#include "journal/report_fmt.h"

#define REPORT_TABLE_COLS_MAX 7
#define REPORT_TABLE_SECTIONS_MAX 8

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

typedef struct {
	/* The summary above the tables (borrowed or static text). */
	const char *drill, *service, *started; /* "(unknown)" when absent */
	char rto_s[32], rto_target[32]; /* seconds, or "—" */
	const char *rto_word; /* "met", "MISSED" or "n/a" */
	ReportSection sections[REPORT_TABLE_SECTIONS_MAX];
	int nsections;
} ReportTable;

/*
 * The tables of r (finished) and, when whatif is not NULL, the what-if
 * column of the metrics. The sections, in order: Phases, Metrics,
 * Endpoints, Route changes, Actions, Markers, then Errors only when the
 * log has errors. The caller owns the result (report_table_free); r and
 * whatif must outlive it. Never fails (out of memory is fatal).
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

#endif
