/*
 * helpers: what the unit tests share. Include after <cmocka.h>.
 *
 * - assert_double_equal(a, b, eps): cmocka's own float assert casts to
 *   float and passes when either side is NaN, and NaN is how reports
 *   store null. This one compares doubles, passes when both are NaN
 *   (null == null) and fails when exactly one is.
 * - th_tmpdir_make / th_tmpdir_remove: a private directory under /tmp,
 *   removed with everything in it (no shell).
 * - th_*: events built by value, every field the tests do not name left
 *   as event_init() leaves it.
 */
#ifndef DRTOP_TEST_HELPERS_H
#define DRTOP_TEST_HELPERS_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "model/event.h"

#define assert_double_equal(a, b, eps)                                         \
	th_assert_double((a), (b), (eps), #a, #b, __FILE__, __LINE__)
#define assert_double_null(a)                                                  \
	th_assert_double((a), TH_NAN, 0, #a, "null", __FILE__, __LINE__)
#define TH_NAN NAN

void th_assert_double(double a, double b, double eps, const char *as,
    const char *bs, const char *file, int line);

/* Make /tmp/drtop-<tag>-XXXXXX into buf (cap >= 64) with its real path;
 * the test fails when it cannot. Returns buf. */
char *th_tmpdir_make(char *buf, size_t cap, const char *tag);
/* Remove dir and everything under it; 0 or -1 (errno set). */
int th_tmpdir_remove(const char *dir);

/* Connect a blocking TCP socket to 127.0.0.1:port (the loopback servers
 * the tests start). Returns the fd, or -errno (-ECONNREFUSED when
 * nothing listens there). */
int th_dial(int port);

/* A probe result: status 200 when ok, else 500 for PERR_STATUS and 0
 * for the transport errors; total_ms < 0 leaves the timings null. */
Event th_probe(
    double t, const char *ep, bool ok, ProbeError err, double total_ms);
Event th_health(double t, const char *ep, HealthState from, HealthState to,
    const char *reason);
Event th_route(double t, const char *from, const char *to, RouteCause cause);
/* endpoint NULL or "": the answer maps to no endpoint; ttl < 0: null. */
Event th_dns(double t, const char *resolver, const char *endpoint, int ttl);
Event th_converged(
    double t, const char *resolver, const char *endpoint, double after);
Event th_drill(double t, DrillPhase phase, const char *note);
Event th_marker(double t, const char *note);

#endif
