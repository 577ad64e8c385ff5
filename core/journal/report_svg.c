#include "journal/report_svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "journal/report_fmt.h"

#define SVG_W 960.0
#define SVG_LEFT 130.0
#define SVG_RIGHT 20.0
#define SVG_ROW 18.0
#define SVG_MAX_STRIPS 200
#define SVG_CELL 2.0 /* px per probe-strip cell */

typedef struct {
	double t0, t1; /* session t at the left and right end */
	double start; /* the drill's start: tick labels count from it */
} Axis;

/* x of session time t; anything before the axis sits at its left end. */
static double
ax_x(const Axis *a, double t)
{
	double w = SVG_W - SVG_LEFT - SVG_RIGHT;
	return SVG_LEFT + (fmax(t, a->t0) - a->t0) / (a->t1 - a->t0) * w;
}

/* "<title>" text: the time from the drill's start and the session t. */
static void
svg_when(FILE *f, const Axis *a, double t)
{
	fprintf(f, "%.3f s from start (session t %.3f)", t - a->start, t);
}

static double
nice_step(double span)
{
	double raw = span / 8, p = pow(10, floor(log10(raw)));
	double m[] = {1, 2, 5, 10};

	for (size_t i = 0; i < ARRAY_LEN(m); i++)
		if (m[i] * p >= raw)
			return m[i] * p;
	return 10 * p;
}

static void
svg_text(FILE *f, double x, double y, const char *cls, const char *anchor,
    const char *s)
{
	fprintf(f,
	    "<text x=\"%.1f\" y=\"%.1f\" class=\"%s\" "
	    "text-anchor=\"%s\">",
	    x, y, cls, anchor);
	report_fmt_esc(f, s, REPORT_ESC_XML);
	fputs("</text>\n", f);
}

/*
 * One endpoint's probe strip. Each probe colours the cells from its time
 * up to the next probe (at most three average intervals), so the strip
 * reads as the state over time; a cell with any failure is red. Runs of
 * same-state cells become single rects.
 */
static int
cell_of(const Axis *a, double t, int ncells)
{
	int c = (int)((ax_x(a, t) - SVG_LEFT) / SVG_CELL);
	return c < 0 ? 0 : c >= ncells ? ncells - 1 : c;
}

static void
svg_strip(FILE *f, const Axis *a, const ReportEndpoint *e, double y)
{
	int ncells = (int)((SVG_W - SVG_LEFT - SVG_RIGHT) / SVG_CELL);
	unsigned char *cell =
	    xcalloc((size_t)ncells, 1); /* 0 none 1 ok 2 bad */
	double avg = e->nprobes > 1
	    ? (e->probes[e->nprobes - 1].t - e->probes[0].t) /
	        (double)(e->nprobes - 1)
	    : 0;

	for (size_t i = 0; i < e->nprobes; i++) {
		double t = e->probes[i].t, until = t;
		if (i + 1 < e->nprobes)
			until = fmin(e->probes[i + 1].t, t + 3 * avg);
		if (until < a->t0)
			continue; /* before the axis */
		int c0 = cell_of(a, t, ncells), c1 = cell_of(a, until, ncells);
		if (c1 > c0 && i + 1 < e->nprobes &&
		    until == e->probes[i + 1].t)
			c1--; /* the next probe owns its own cell */
		for (int c = c0; c <= c1; c++) {
			if (!e->probes[i].ok)
				cell[c] = 2;
			else if (cell[c] == 0)
				cell[c] = 1;
		}
	}
	for (int i = 0; i < ncells;) {
		int j = i;
		while (j < ncells && cell[j] == cell[i])
			j++;
		if (cell[i] != 0)
			fprintf(f,
			    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"%.1f\" class=\"%s\"/>\n",
			    SVG_LEFT + i * SVG_CELL, y, (j - i) * SVG_CELL,
			    SVG_ROW - 6, cell[i] == 2 ? "bad" : "ok");
		i = j;
	}
	free(cell);
}

void
report_svg_write(const Report *r, FILE *f)
{
	Axis a = {0, 1, r->t0};
	int nstrips =
	    r->nendpoints < SVG_MAX_STRIPS ? r->nendpoints : SVG_MAX_STRIPS;
	double top = 64, y, h;
	char buf[EV_TEXT_MAX + 64];

	/* The axis starts at the drill's start (without one, at session 0
	 * or the first event) and spans every later event and phase. */
	a.t0 = r->recorded[DRILL_START] ? r->t0
	    : isnan(r->t_first)         ? 0
	                                : fmin(0, r->t_first);
	a.t1 = isnan(r->t_last) ? 1 : r->t_last;
	for (int i = 0; i < DRILL__COUNT; i++)
		if (!isnan(r->phase[i]))
			a.t1 = fmax(a.t1, r->phase[i]);
	if (!(a.t1 > a.t0))
		a.t1 = a.t0 + 1;
	bool pub = r->public_ep.nprobes > 0;
	h = top + SVG_ROW * (2 + nstrips + pub + r->nresolvers) + 30;

	fprintf(f,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
	    "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n",
	    SVG_W, h, SVG_W, h);
	fputs("<title>Drill timeline</title>\n", f);
	fprintf(f,
	    "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" "
	    "class=\"bg\"/>\n",
	    SVG_W, h);

	/* Time axis with ticks, labelled from the drill's start. */
	double step = nice_step(a.t1 - a.t0);
	y = h - 22;
	fprintf(f,
	    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "class=\"axis\"/>\n",
	    SVG_LEFT, y, SVG_W - SVG_RIGHT, y);
	for (double t = ceil((a.t0 - a.start) / step) * step;
	     a.start + t <= a.t1 + 1e-9; t += step) {
		double x = ax_x(&a, a.start + t);
		fprintf(f,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" class=\"axis\"/>\n",
		    x, y, x, y + 4);
		snprintf(buf, sizeof(buf), "%gs", t);
		svg_text(f, x, y + 15, "tick", "middle", buf);
	}

	/* Rows: route, markers, endpoints, resolvers. */
	y = top;
	double label_end = 0; /* right end of the last route label drawn */
	svg_text(f, SVG_LEFT - 6, y + 11, "lbl", "end", "route");
	for (size_t i = 0; i < r->nroutes; i++) {
		const ReportRoute *x = &r->routes[i];
		double px = ax_x(&a, x->t);
		fputs("<g class=\"route\"><title>", f);
		svg_when(f, &a, x->t);
		fputs(" route ", f);
		report_fmt_esc(
		    f, x->from[0] ? x->from : "(first)", REPORT_ESC_XML);
		fputs(" -&gt; ", f);
		report_fmt_esc(f, x->to, REPORT_ESC_XML);
		fprintf(f, " (%s)</title>", route_cause_name(x->cause));
		fprintf(f, "<path d=\"M%.1f %.1f l5 6 l-5 6 l-5 -6 z\"/></g>\n",
		    px, y);
		snprintf(buf, sizeof(buf), "→ %s", x->to);
		double w = 6 * (double)strlen(x->to) + 14;
		if (px + 7 > label_end && px + 7 + w <= SVG_W) {
			svg_text(f, px + 7, y + 11, "rtext", "start", buf);
			label_end = px + 7 + w;
		} else if (px - 7 - w > label_end && px + 7 + w > SVG_W) {
			svg_text(f, px - 7, y + 11, "rtext", "end", buf);
			label_end = px;
		}
	}
	y += SVG_ROW;
	svg_text(f, SVG_LEFT - 6, y + 11, "lbl", "end", "markers");
	for (size_t i = 0; i < r->nmarkers; i++) {
		fputs("<g class=\"marker\"><title>", f);
		svg_when(f, &a, r->markers[i].t);
		fputc(' ', f);
		report_fmt_esc(f, r->markers[i].text, REPORT_ESC_XML);
		fprintf(f,
		    "</title><circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\"/></g>\n",
		    ax_x(&a, r->markers[i].t), y + 6);
	}
	y += SVG_ROW;
	for (int i = 0; i < nstrips; i++) {
		svg_text(f, SVG_LEFT - 6, y + 10, "lbl", "end",
		    r->endpoints[i].name);
		svg_strip(f, &a, &r->endpoints[i], y + 1);
		y += SVG_ROW;
	}
	if (pub) {
		svg_text(f, SVG_LEFT - 6, y + 10, "lbl", "end",
		    "public (client's eye)");
		svg_strip(f, &a, &r->public_ep, y + 1);
		y += SVG_ROW;
	}
	for (int i = 0; i < r->nresolvers; i++) {
		const ReportResolver *res = &r->resolvers[i];
		snprintf(buf, sizeof(buf), "dns %s",
		    res->label[0] ? res->label : res->name);
		svg_text(f, SVG_LEFT - 6, y + 10, "lbl", "end", buf);
		fprintf(f,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" class=\"res\"/>\n",
		    SVG_LEFT, y + 6, SVG_W - SVG_RIGHT, y + 6);
		for (size_t j = 0; j < r->nconvs; j++) {
			const ReportConv *c = &r->convs[j];
			if (c->resolver != i)
				continue;
			fprintf(f, "<g class=\"%s\"><title>",
			    c->diverged ? "div" : "conv");
			svg_when(f, &a, c->t);
			fputs(c->diverged ? " diverged: answered "
			                  : " converged on ",
			    f);
			report_fmt_esc(f, c->endpoint, REPORT_ESC_XML);
			if (c->diverged) {
				fputs(", expected ", f);
				report_fmt_esc(f, c->expected, REPORT_ESC_XML);
			}
			fprintf(f,
			    "</title><path d=\"M%.1f %.1f l5 5 l-5 5 l-5 -5 "
			    "z\"/></g>\n",
			    ax_x(&a, c->t), y + 1);
		}
		y += SVG_ROW;
	}

	/* Phases: vertical lines over every row; labels in time order, each
	 * in the first of four rows on top where it does not overlap. */
	int order[DRILL__COUNT], n = 0;
	double rowend[4] = {-1e9, -1e9, -1e9, -1e9};
	for (int i = 0; i < DRILL__COUNT; i++)
		if (!isnan(r->phase[i])) {
			int j = n++;
			while (j > 0 && r->phase[order[j - 1]] > r->phase[i]) {
				order[j] = order[j - 1];
				j--;
			}
			order[j] = i;
		}
	for (int k = 0; k < n; k++) {
		int i = order[k], row = 0;
		bool expected = i == DRILL_FAILOVER && !r->failover_observed;
		const char *name =
		    expected ? "failover (expected)" : drill_phase_name(i);
		double x = ax_x(&a, r->phase[i]);
		double w = 6.5 * (double)strlen(name) + 6;
		fprintf(f,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		    "class=\"phase%s\"><title>%s at ",
		    x, top - 4, x, h - 22,
		    r->recorded[i] && !expected ? "" : " derived", name);
		svg_when(f, &a, r->phase[i]);
		fprintf(f, " (%s%s)</title></line>\n",
		    r->recorded[i] ? "recorded" : "derived",
		    expected ? "; expected, not observed" : "");
		for (int q = 0; q < 4; q++)
			if (x - w / 2 > rowend[q]) {
				row = q;
				break;
			} else if (rowend[q] < rowend[row])
				row = q;
		rowend[row] = x + w / 2;
		svg_text(f, fmin(fmax(x, w / 2), SVG_W - w / 2), 12 + 13 * row,
		    "ptext", "middle", name);
	}
	if (r->nendpoints > nstrips) {
		snprintf(buf, sizeof(buf), "%d more endpoints not drawn",
		    r->nendpoints - nstrips);
		svg_text(f, SVG_LEFT, h - 4, "tick", "start", buf);
	}
	fputs("</svg>\n", f);
}
