/*
 * report_int: the Report's insides, shared by the files of the report
 * (report.c: a report's life, the header's profile and the name index;
 * report_feed.c: taking events in; report_derive.c: phases and metrics;
 * report_stats.c: per-endpoint statistics and percentiles). Not for
 * anyone else: the rest of drtop uses report.h.
 */
#ifndef DRTOP_REPORT_INT_H
#define DRTOP_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "journal/report.h"

/* Ingest state: what report_feed needs to know as the log streams by. */
struct ReportTrack {
	int *hash; /* open addressing: endpoint index + 1, 0 = empty */
	size_t hcap;
	bool fixed; /* the endpoints are the profile's: none is added */
	int ecap, rcap;
	size_t route_cap, health_cap, conv_cap, action_cap, marker_cap,
	    error_cap, gap_cap;
	int cur_route; /* endpoint the traffic goes to; -1 = none yet */
	char *start_unhealthy; /* per endpoint: degraded/disabled at the
	                          log's state line; NULL = none given */
	int nstart;
	int fault_route; /* cur_route when the recorded fault happened */
	double f0_t; /* first failed probe of the routed endpoint */
	int f0_ep;
	double any_fail_t; /* first failed probe of any endpoint */
	int any_fail_ep;
	/* `started` actions waiting for their `finished` */
	ReportAction *open;
	size_t nopen, open_cap;
	bool have_event;
};

/* The index of an endpoint, added when new -- unless the profile fixed
 * the list or it is full: -1 then, and for "". */
int rpt_endpoint_get(Report *r, const char *name);
/* The index of a resolver, added when new -- -1 for "" and when the
 * list is full. */
int rpt_resolver_get(Report *r, const char *name);
/* e's count, failures, percentiles and availability over the drill
 * window; scratch has room for e->nprobes doubles. */
void rpt_endpoint_stats(Report *r, ReportEndpoint *e, double *scratch);

#endif
