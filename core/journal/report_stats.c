/*
 * report_stats: per-endpoint statistics over the drill window (probes,
 * failures by class, p50/p95, availability) and the nearest-rank
 * percentile they use.
 */
#include "journal/report.h"

#include <math.h>

#include "journal/report_int.h"

static void
swap_d(double *a, double *b)
{
	double t = *a;
	*a = *b;
	*b = t;
}

/* Reorder v so that v[k] is the k-th smallest (0-based): Wirth's
 * selection (Hoare partitioning around v[k]), O(n) on average. */
static double
select_kth(double *v, size_t n, size_t k)
{
	long l = 0, m = (long)n - 1, kk = (long)k;

	while (l < m) {
		double x = v[kk];
		long i = l, j = m;
		do {
			while (v[i] < x)
				i++;
			while (x < v[j])
				j--;
			if (i <= j) {
				swap_d(&v[i], &v[j]);
				i++;
				j--;
			}
		} while (i <= j);
		if (j < kk)
			l = i;
		if (kk < i)
			m = j;
	}
	return v[kk];
}

double
report_percentile(double *v, size_t n, double p)
{
	size_t rank;

	if (n == 0)
		return NAN;
	rank = (size_t)ceil(p / 100.0 * (double)n);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return select_kth(v, n, rank - 1);
}

void
rpt_endpoint_stats(Report *r, ReportEndpoint *e, double *scratch)
{
	double lo =
	    r->recorded[DRILL_START] ? r->phase[DRILL_START] : -INFINITY;
	double hi = r->recorded[DRILL_END] ? r->phase[DRILL_END] : INFINITY;
	size_t n = 0;

	for (size_t i = 0; i < e->nprobes; i++) {
		const ReportProbe *p = &e->probes[i];
		if (p->t < lo || p->t > hi)
			continue;
		e->count++;
		if (p->ok)
			e->ok++;
		else
			e->failures[p->error < PERR__COUNT ? p->error : 0]++;
		if (p->us >= 0)
			scratch[n++] = p->us / 1000.0;
	}
	e->p50_ms = report_percentile(scratch, n, 50);
	e->p95_ms = report_percentile(scratch, n, 95);
	e->availability = e->count ? (double)e->ok / (double)e->count : NAN;
}
