/* health: see health.h. */
#include "engine/health.h"

#include <stdio.h>

#include "base/util.h"

void
health_init(Health *h, bool disabled)
{
	h->state = disabled ? HEALTH_DISABLED : HEALTH_CHECKING;
	h->failures = 0;
	h->successes = 0;
	h->last_error = PERR_NONE;
	h->last_status = 0;
}

const char *
health_failure_text(
    ProbeError err, TlsReason tls, int status, bool ok, char *buf, size_t cap)
{
	const char *name = probe_error_name(err);

	if (ok)
		snprintf(buf, cap, "ok");
	else if (err == PERR_TLS && tls != TLSR_NONE &&
	    tls_reason_text(tls)[0] != '\0')
		snprintf(buf, cap, "%s: %s", name, tls_reason_text(tls));
	else if (err == PERR_STATUS && status > 0)
		snprintf(buf, cap, "status %d", status);
	else if (name != NULL)
		snprintf(buf, cap, "%s", name);
	else if (status > 0)
		snprintf(buf, cap, "status %d", status);
	else
		snprintf(buf, cap, "failed");
	return buf;
}

/* p is the probe that changed the state: when it failed, the last
 * failure (its TLS reason is not kept in Health). */
static void
set_reason(const Health *h, const ProbeEvent *p, char *reason, size_t cap)
{
	char last[96];
	bool failed = !p->ok;

	if (reason == NULL || cap == 0)
		return;
	if (failed) {
		health_failure_text(h->last_error, p->tls, h->last_status,
		    false, last, sizeof(last));
		snprintf(reason, cap, "%d consecutive failure%s (last: %s)",
		    h->failures, h->failures == 1 ? "" : "s", last);
	} else {
		snprintf(reason, cap, "%d consecutive success%s", h->successes,
		    h->successes == 1 ? "" : "es");
	}
}

bool
health_probe(Health *h, const ProbeEvent *p, int tolerated, int rise,
    HealthState *from, char *reason, size_t cap)
{
	HealthState next = h->state;

	if (h->state == HEALTH_DISABLED)
		return false;
	if (tolerated < 0)
		tolerated = 0;
	if (rise < 1)
		rise = 1;
	if (p->ok) {
		h->successes++;
		h->failures = 0;
		if (h->state != HEALTH_ONLINE && h->successes >= rise)
			next = HEALTH_ONLINE;
	} else {
		h->failures++;
		h->successes = 0;
		h->last_error = p->error;
		h->last_status = p->status;
		if (h->state != HEALTH_DEGRADED && h->failures > tolerated)
			next = HEALTH_DEGRADED;
	}
	if (next == h->state)
		return false;
	if (from != NULL)
		*from = h->state;
	h->state = next;
	set_reason(h, p, reason, cap);
	return true;
}

bool
health_set_disabled(
    Health *h, bool disabled, HealthState *from, char *reason, size_t cap)
{
	HealthState prev = h->state;

	if (disabled == (prev == HEALTH_DISABLED))
		return false;
	health_init(h, disabled);
	if (from != NULL)
		*from = prev;
	if (reason != NULL && cap > 0)
		str_copy(reason, cap,
		    disabled ? "disabled by operator" : "enabled by operator");
	return true;
}
