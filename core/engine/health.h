/*
 * health: the per-endpoint health state machine of DESIGN.md "Health and
 * routing". Pure: no clock, no I/O, no allocation. The engine owns one
 * Health per endpoint and calls these from its single thread.
 *
 * An endpoint starts HEALTH_CHECKING. It becomes HEALTH_ONLINE after
 * `rise` consecutive successes and HEALTH_DEGRADED after
 * `tolerated_failures + 1` consecutive failures, from any enabled state.
 * HEALTH_DISABLED is left only through health_set_disabled(), and back
 * into HEALTH_CHECKING with fresh counters.
 */
#ifndef DRTOP_HEALTH_H
#define DRTOP_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

#include "model/event.h"

typedef struct {
	HealthState state;
	int failures; /* consecutive failures, 0 after a success */
	int successes; /* consecutive successes, 0 after a failure */
	ProbeError last_error; /* of the last failed probe */
	int last_status; /* HTTP status of the last failed probe; 0 = none */
} Health;

/* Start in `checking` with zero counters (or `disabled`). */
void health_init(Health *h, bool disabled);

/*
 * Count one probe result. tolerated >= 0, rise >= 1 (smaller values are
 * treated as 0 and 1). Returns true when the state changed; then *from
 * holds the previous state and reason (cap bytes, may be NULL) a text
 * such as "3 consecutive failures (last: status 500)" or
 * "1 consecutive success". A disabled endpoint ignores probes (returns
 * false, counters untouched).
 */
bool health_probe(Health *h, const ProbeEvent *p, int tolerated, int rise,
    HealthState *from, char *reason, size_t cap);

/*
 * Disable (any state -> disabled) or re-enable (disabled -> checking,
 * counters reset). Returns true when the state changed, with *from and
 * a reason ("disabled by operator", "enabled by operator").
 */
bool health_set_disabled(
    Health *h, bool disabled, HealthState *from, char *reason, size_t cap);

/* "status 500", "timeout", "refused", "tls: certificate expired", ...
 * for a failed probe (tls is its TLS reason, named after "tls: " when
 * err is PERR_TLS and tls is not TLSR_NONE); "ok" for a success. Writes
 * into buf (cap bytes) and returns buf. */
const char *health_failure_text(
    ProbeError err, TlsReason tls, int status, bool ok, char *buf, size_t cap);

#endif
