/* health: the exact probe that changes state, reasons, disabled. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "engine/health.h"

static ProbeEvent
ok_probe(void)
{
	ProbeEvent p;

	memset(&p, 0, sizeof(p));
	p.ok = true;
	p.status = 200;
	return p;
}

static ProbeEvent
bad_probe(ProbeError err, int status)
{
	ProbeEvent p;

	memset(&p, 0, sizeof(p));
	p.ok = false;
	p.error = err;
	p.status = status;
	return p;
}

/* Feed `count` probes; return the 1-based probe that changed the state
 * (0 = none) and check that no other probe changed it. */
static int
probe_changes(Health *h, const ProbeEvent *p, int count, int tolerated,
    int rise, HealthState want, char *reason, size_t cap)
{
	int at = 0;

	for (int i = 1; i <= count; i++) {
		HealthState from;
		char r[EV_TEXT_MAX];

		if (health_probe(h, p, tolerated, rise, &from, r, sizeof(r))) {
			assert_int_equal(at, 0); /* changes only once */
			assert_int_equal(h->state, want);
			at = i;
			snprintf(reason, cap, "%s", r);
		}
	}
	return at;
}

static void
test_degraded_at_exact_probe(void **state)
{
	static const struct {
		int tolerated;
		int degraded_at; /* probe number */
	} table[] = {{0, 1}, {1, 2}, {3, 4}, {9, 10}};

	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(table); k++) {
		int tol = table[k].tolerated;
		Health h;
		ProbeEvent ok = ok_probe(), bad = bad_probe(PERR_STATUS, 500);
		char reason[EV_TEXT_MAX], want[EV_TEXT_MAX];

		/* From online. */
		health_init(&h, false);
		assert_int_equal(probe_changes(&h, &ok, 1, tol, 1,
		                     HEALTH_ONLINE, reason, sizeof(reason)),
		    1);
		assert_string_equal(reason, "1 consecutive success");
		assert_int_equal(probe_changes(&h, &bad, 12, tol, 1,
		                     HEALTH_DEGRADED, reason, sizeof(reason)),
		    table[k].degraded_at);
		snprintf(want, sizeof(want),
		    "%d consecutive failure%s (last: status 500)",
		    table[k].degraded_at, table[k].degraded_at == 1 ? "" : "s");
		assert_string_equal(reason, want);
		assert_int_equal(h.failures, 12);

		/* From checking: the same count. */
		health_init(&h, false);
		assert_int_equal(probe_changes(&h, &bad, 12, tol, 1,
		                     HEALTH_DEGRADED, reason, sizeof(reason)),
		    table[k].degraded_at);

		/* A success in between restarts the count. */
		health_init(&h, false);
		for (int i = 0; i < tol; i++)
			assert_false(
			    health_probe(&h, &bad, tol, 1, NULL, NULL, 0));
		assert_true(health_probe(&h, &ok, tol, 1, NULL, NULL, 0));
		assert_int_equal(h.state, HEALTH_ONLINE);
		assert_int_equal(probe_changes(&h, &bad, 12, tol, 1,
		                     HEALTH_DEGRADED, reason, sizeof(reason)),
		    table[k].degraded_at);
	}
}

static void
test_recovery_rise(void **state)
{
	static const struct {
		int rise;
		int online_at;
	} table[] = {{1, 1}, {2, 2}, {3, 3}};

	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(table); k++) {
		int rise = table[k].rise;
		Health h;
		ProbeEvent ok = ok_probe(), bad = bad_probe(PERR_TIMEOUT, 0);
		char reason[EV_TEXT_MAX], want[EV_TEXT_MAX];

		health_init(&h, false);
		assert_int_equal(probe_changes(&h, &bad, 2, 1, rise,
		                     HEALTH_DEGRADED, reason, sizeof(reason)),
		    2);
		assert_string_equal(
		    reason, "2 consecutive failures (last: timeout)");
		/* rise - 1 successes, then a failure: still degraded. */
		for (int i = 0; i < rise - 1; i++)
			assert_false(
			    health_probe(&h, &ok, 1, rise, NULL, NULL, 0));
		assert_false(health_probe(&h, &bad, 1, rise, NULL, NULL, 0));
		assert_int_equal(h.state, HEALTH_DEGRADED);
		assert_int_equal(probe_changes(&h, &ok, 5, 1, rise,
		                     HEALTH_ONLINE, reason, sizeof(reason)),
		    table[k].online_at);
		snprintf(want, sizeof(want), "%d consecutive success%s", rise,
		    rise == 1 ? "" : "es");
		assert_string_equal(reason, want);
	}
}

static void
test_checking_to_online_needs_rise(void **state)
{
	Health h;
	ProbeEvent ok = ok_probe();

	(void)state;
	health_init(&h, false);
	assert_int_equal(h.state, HEALTH_CHECKING);
	assert_false(health_probe(&h, &ok, 3, 2, NULL, NULL, 0));
	assert_int_equal(h.state, HEALTH_CHECKING);
	assert_true(health_probe(&h, &ok, 3, 2, NULL, NULL, 0));
	assert_int_equal(h.state, HEALTH_ONLINE);
}

static void
test_reason_names_last_failure(void **state)
{
	static const struct {
		ProbeError err;
		int status;
		const char *text;
		TlsReason tls;
	} table[] = {
	    {PERR_STATUS, 503, "status 503", TLSR_NONE},
	    {PERR_TIMEOUT, 0, "timeout", TLSR_NONE},
	    {PERR_REFUSED, 0, "refused", TLSR_NONE},
	    {PERR_TLS, 0, "tls", TLSR_NONE}, /* an old log: no reason */
	    {PERR_TLS, 0, "tls: certificate expired", TLSR_EXPIRED},
	    {PERR_TLS, 0, "tls: certificate not yet valid", TLSR_NOT_YET_VALID},
	    {PERR_TLS, 0,
	        "tls: certificate not trusted (self-signed or unknown "
	        "issuer)",
	        TLSR_UNTRUSTED},
	    {PERR_TLS, 0, "tls: certificate for another host name",
	        TLSR_HOSTNAME},
	    {PERR_TLS, 0, "tls: handshake failed", TLSR_HANDSHAKE},
	    {PERR_BODY, 200, "body", TLSR_NONE},
	    {PERR_DNS, 0, "dns", TLSR_NONE},
	    {PERR_RESET, 0, "reset", TLSR_NONE},
	};

	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(table); k++) {
		Health h;
		ProbeEvent first = bad_probe(PERR_TLS, 0);
		ProbeEvent last = bad_probe(table[k].err, table[k].status);
		HealthState from;
		char reason[EV_TEXT_MAX], want[EV_TEXT_MAX], text[96];

		/* The first failures' reason is not the one named. */
		first.tls = TLSR_NOT_YET_VALID;
		last.tls = table[k].tls;
		assert_string_equal(
		    health_failure_text(table[k].err, table[k].tls,
		        table[k].status, false, text, sizeof(text)),
		    table[k].text);
		health_init(&h, false);
		assert_false(health_probe(&h, &first, 2, 1, NULL, NULL, 0));
		assert_false(health_probe(&h, &first, 2, 1, NULL, NULL, 0));
		assert_true(health_probe(
		    &h, &last, 2, 1, &from, reason, sizeof(reason)));
		assert_int_equal(from, HEALTH_CHECKING);
		snprintf(want, sizeof(want),
		    "3 consecutive failures (last: %s)", table[k].text);
		assert_string_equal(reason, want);
	}
}

static void
test_disabled(void **state)
{
	Health h;
	ProbeEvent ok = ok_probe(), bad = bad_probe(PERR_REFUSED, 0);
	HealthState from;
	char reason[EV_TEXT_MAX];

	(void)state;
	health_init(&h, true);
	assert_int_equal(h.state, HEALTH_DISABLED);
	assert_false(health_probe(&h, &ok, 0, 1, NULL, NULL, 0));
	assert_int_equal(h.state, HEALTH_DISABLED);
	assert_int_equal(h.successes, 0);
	assert_false(
	    health_set_disabled(&h, true, &from, reason, sizeof(reason)));
	assert_true(
	    health_set_disabled(&h, false, &from, reason, sizeof(reason)));
	assert_int_equal(from, HEALTH_DISABLED);
	assert_int_equal(h.state, HEALTH_CHECKING);
	assert_string_equal(reason, "enabled by operator");

	/* Counters restart after re-enabling. */
	assert_false(health_probe(&h, &bad, 1, 1, NULL, NULL, 0));
	assert_true(
	    health_set_disabled(&h, true, &from, reason, sizeof(reason)));
	assert_int_equal(from, HEALTH_CHECKING);
	assert_string_equal(reason, "disabled by operator");
	assert_true(health_set_disabled(&h, false, NULL, NULL, 0));
	assert_int_equal(h.failures, 0);
	assert_false(health_probe(&h, &bad, 1, 1, NULL, NULL, 0));
	assert_true(health_probe(&h, &bad, 1, 1, NULL, NULL, 0));
	assert_int_equal(h.state, HEALTH_DEGRADED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_degraded_at_exact_probe),
	    cmocka_unit_test(test_recovery_rise),
	    cmocka_unit_test(test_checking_to_online_needs_rise),
	    cmocka_unit_test(test_reason_names_last_failure),
	    cmocka_unit_test(test_disabled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
