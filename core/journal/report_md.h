/*
 * report_md: the Markdown report, a summary for an incident ticket:
 * header facts (service, start, RTO verdict, the endpoint that had
 * traffic, the log), then every section of a ReportTable as a pipe
 * table ("None." for an empty list). Text from the log is escaped
 * (report_fmt_esc, REPORT_ESC_MD) so it can never break a table or
 * become markup. Any thread; no state.
 */
#ifndef DRTOP_REPORT_MD_H
#define DRTOP_REPORT_MD_H

#include <stdio.h>

#include "journal/report.h"
#include "journal/report_table.h"

/* Write the report of r (finished) with its tables t (report_table_new
 * of r) to f; both borrowed. Write errors are left in ferror(f). */
void report_md_write(const Report *r, const ReportTable *t, FILE *f);

#endif
