/*
 * report_summary: the facts above a report's tables (ReportLine in
 * report_table.h), in words a post-mortem can quote: the service and
 * the drill's start every time counts from; the RTO verdict; the
 * endpoint that had traffic and the expected route; when DNS moved,
 * or that the failover is only the expected route change ("expected,
 * not observed") when DNS was not observed; which definition
 * `restored` used, or why it never happened or cannot be observed; DNS
 * convergence against the bound `drtop check` prints for the faulted
 * endpoint (within, EXCEEDED, or why it is not known); the log. Pure:
 * no I/O. Any thread; no state.
 */
#ifndef DRTOP_REPORT_SUMMARY_H
#define DRTOP_REPORT_SUMMARY_H

#include "journal/report.h"
#include "journal/report_table.h"

/* Append the facts of r (finished, borrowed) to t's lines, in the order
 * report_table_new names. Called by report_table_new only. */
void report_summary_add(ReportTable *t, const Report *r);

#endif
