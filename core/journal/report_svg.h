/*
 * report_svg: the drill timeline of the HTML report, one inline SVG
 * element: a time axis; the phases as vertical lines with labels (dashed
 * when derived); a route row with each change; a marker row; a probe
 * strip per endpoint (at most 200); a row per resolver with its
 * convergence and divergence marks. Hover titles give exact times. The
 * classes it uses are styled by report_html. Any thread; no state.
 */
#ifndef DRTOP_REPORT_SVG_H
#define DRTOP_REPORT_SVG_H

#include <stdio.h>

#include "journal/report.h"

/* Write the <svg> element of r (finished, borrowed) to f, XML-escaped.
 * Write errors are left in ferror(f). */
void report_svg_write(const Report *r, FILE *f);

#endif
