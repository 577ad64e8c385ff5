/*
 * report_md: the Markdown report, a summary for an incident ticket:
 * the facts of a ReportTable as a list ("- **Label:** text", verdicts
 * in bold), then every section as a pipe table ("None." for an empty
 * list). Text from the log is escaped (report_fmt_esc, REPORT_ESC_MD;
 * the drill's name in the title REPORT_ESC_MD_HEADING) so it can never
 * break a table or become markup. Any thread; no state.
 */
#ifndef DRTOP_REPORT_MD_H
#define DRTOP_REPORT_MD_H

#include <stdio.h>

#include "journal/report.h"
#include "journal/report_table.h"

/* Write the report whose facts and tables are t (report_table_new of a
 * finished Report; borrowed) to f. Write errors are left in ferror(f). */
void report_md_write(const ReportTable *t, FILE *f);

#endif
