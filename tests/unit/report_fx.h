/*
 * The report tests' fixture (tests/unit/report_fx.c), shared by
 * test_report.c, test_report_render.c, test_report_truth.c and
 * test_report_engine.c.
 */
#ifndef DRTOP_TEST_REPORT_FX_H
#define DRTOP_TEST_REPORT_FX_H

#include <cJSON.h>
#include <stdbool.h>

#include "journal/report.h"
#include "journal/report_fmt.h"

/* The group's setup and teardown: a temporary directory for the logs. */
int rf_setup(void **state);
int rf_teardown(void **state);

/* ---- a tiny script language for drills ---------------------------------- */

/* A new recording name (in the group's directory) with this profile in
 * its header; every call below writes one event into it. Returns its
 * path (static, until the next call). */
const char *rf_start_log(const char *name, const char *profile);
/* Close the recording and compute its report through logread. */
Report *rf_finish_log(const char *path);

void rf_put(const Event *ev);
void rf_probe(double t, const char *ep, bool ok, ProbeError err, double total);
void rf_route(double t, const char *from, const char *to);
void rf_health(double t, const char *ep, HealthState from, HealthState to);
void rf_drill(double t, DrillPhase p, const char *note);
void rf_converged(double t, const char *res, const char *ep);
/* Action "failover" a -> b by the operator. */
void rf_action(double t, ActionPhase ph, int exit_code);
void rf_marker(double t, const char *note);
/* A client's-eye probe ("via": "public") served by served_by ("" =
 * unknown). */
void rf_public_probe(double t, bool ok, const char *served_by);
void rf_converged_named(
    double t, const char *res, const char *name, const char *ep);
void rf_diverged(double t, const char *res, const char *name, const char *ep,
    const char *expected);

/* ---- drills ------------------------------------------------------------- */

/* Endpoints a and b, resolvers r1 and r2, rto_target 60. */
extern const char rf_profile_ab[];
/* The full drill of the comment in each step; expected values by hand
 * in test_recorded_drill and test_renderings. */
Report *rf_drill_a(void);
/* Endpoints a and b with targets, two resolvers, dns TTL ttl, monitor
 * interval 2, timeout 1, tolerated failures 2, rto_target 60. */
const char *rf_spread_profile(int ttl);

/* ---- renderings --------------------------------------------------------- */

/* r rendered in fmt (malloc'd). */
char *rf_render(const Report *r, ReportFormat fmt);
/* o[a] (o[a][b] when b is not NULL), a number or null (NAN). */
double rf_num_at(const cJSON *o, const char *a, const char *b);
/* o[k], which must be there; NULL when it is not a string. */
const char *rf_str_at(const cJSON *o, const char *k);
/* o[k]: -1 null, 0 false, 1 true */
int rf_bool_at(const cJSON *o, const char *k);
/* Fails, printing text, when want is not in it. */
void rf_assert_has(const char *text, const char *what, const char *want);
/*
 * md, json and html of r agree on every number (see report_fx.c).
 * Returns the parsed JSON (caller deletes).
 */
cJSON *rf_assert_agree(const Report *r);

#endif
