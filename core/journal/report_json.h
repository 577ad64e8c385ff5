/*
 * report_json: a finished Report as the JSON object of DESIGN.md
 * "Reports" (doc/report.md has every field): one line, keys in a fixed
 * order, numbers as the shortest text that reads back as the same
 * double, null where a value never happened. Every time counts from
 * the drill's start ("t0" gives its session t); metrics count from the
 * fault. JSON is not tables: it does not go through report_table. Any
 * thread; no state.
 */
#ifndef DRTOP_REPORT_JSON_H
#define DRTOP_REPORT_JSON_H

#include <stdio.h>

#include "journal/report.h"
#include "journal/report_fmt.h"

/* Write r (finished, borrowed) and, when whatif is not NULL, its
 * "whatif" object to f. Write errors are left in ferror(f). */
void report_json_write(const Report *r, const ReportWhatIf *whatif, FILE *f);

#endif
