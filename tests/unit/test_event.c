/* event: JSON round trip of every type, null handling, decoding errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "helpers.h"
#include "model/event.h"

static void
roundtrip(const Event *in, Event *out)
{
	char buf[EVENT_JSON_MAX], buf2[EVENT_JSON_MAX], err[128];
	size_t n = event_to_json(in, buf, sizeof(buf));

	assert_true(n > 0);
	assert_int_equal(buf[n - 1], '\n');
	assert_int_equal(event_from_json(buf, n, out, err, sizeof(err)), 1);
	/* Encoding the decoded event gives the same bytes. */
	assert_int_equal(event_to_json(out, buf2, sizeof(buf2)), n);
	assert_string_equal(buf, buf2);
}

static void
test_probe_roundtrip(void **state)
{
	Event in, out;
	char buf[EVENT_JSON_MAX];

	(void)state;
	event_init(&in, EV_PROBE, 1.204518);
	strcpy(in.u.probe.endpoint, "eu20");
	in.u.probe.status = 500;
	in.u.probe.error = PERR_STATUS;
	in.u.probe.ms = (ProbeTimes){0.4, 1.1, 6.2, 20.3, 20.9};
	strcpy(in.u.probe.served_by, "eu20");
	event_to_json(&in, buf, sizeof(buf));
	assert_string_equal(buf,
	    "{\"t\":1.204518,\"type\":\"probe\",\"endpoint\":\"eu20\","
	    "\"ok\":false,\"status\":500,\"error\":\"status\",\"ms\":{\"dns\":"
	    "0.4,"
	    "\"connect\":1.1,\"tls\":6.2,\"ttfb\":20.3,\"total\":20.9},"
	    "\"served_by\":\"eu20\"}\n");
	roundtrip(&in, &out);
	assert_string_equal(out.u.probe.endpoint, "eu20");
	assert_false(out.u.probe.ok);
	assert_int_equal(out.u.probe.status, 500);
	assert_int_equal(out.u.probe.error, PERR_STATUS);
	assert_double_equal(out.u.probe.ms.tls, 6.2, 1e-9);

	/* A tcp probe that timed out: nulls survive the trip. */
	event_init(&in, EV_PROBE, 3);
	strcpy(in.u.probe.endpoint, "us21");
	in.u.probe.error = PERR_TIMEOUT;
	in.u.probe.ms.total = 5000;
	roundtrip(&in, &out);
	assert_int_equal(out.u.probe.status, 0);
	assert_true(out.u.probe.ms.dns < 0);
	assert_string_equal(out.u.probe.served_by, "");
}

/* The TLS reason: written after "error" only when the error is tls and
 * the reason known; read back; ignored beside any other error; a
 * reason this version does not know is no reason, not a bad line. */
static void
test_probe_tls_reason(void **state)
{
	static const char *const names[] = {
	    "expired", "not_yet_valid", "untrusted", "hostname", "handshake"};
	Event in, out;
	char buf[EVENT_JSON_MAX], err[128];
	const char *line;

	(void)state;
	for (int r = TLSR_EXPIRED; r < TLSR__COUNT; r++) {
		char want[64];

		event_init(&in, EV_PROBE, 2);
		strcpy(in.u.probe.endpoint, "eu20");
		in.u.probe.error = PERR_TLS;
		in.u.probe.tls = (TlsReason)r;
		event_to_json(&in, buf, sizeof(buf));
		snprintf(want, sizeof(want),
		    "\"error\":\"tls\",\"tls\":\"%s\","
		    "\"ms\":",
		    names[r - 1]);
		assert_non_null(strstr(buf, want));
		assert_string_equal(
		    tls_reason_name((TlsReason)r), names[r - 1]);
		assert_int_equal(tls_reason_from_name(names[r - 1]), r);
		assert_true(tls_reason_text((TlsReason)r)[0] != '\0');
		roundtrip(&in, &out);
		assert_int_equal(out.u.probe.error, PERR_TLS);
		assert_int_equal(out.u.probe.tls, r);
	}
	assert_null(tls_reason_name(TLSR_NONE));
	assert_string_equal(tls_reason_text(TLSR_NONE), "");
	assert_int_equal(tls_reason_from_name(""), -1);
	assert_int_equal(tls_reason_from_name("tls"), -1);

	/* tls without a reason (an old log): no field, none read. */
	in.u.probe.tls = TLSR_NONE;
	event_to_json(&in, buf, sizeof(buf));
	assert_null(strstr(buf, "\"tls\":\""));
	roundtrip(&in, &out);
	assert_int_equal(out.u.probe.tls, TLSR_NONE);

	/* A reason beside another error is never written, never read. */
	in.u.probe.error = PERR_TIMEOUT;
	in.u.probe.tls = TLSR_EXPIRED;
	event_to_json(&in, buf, sizeof(buf));
	assert_null(strstr(buf, "expired"));
	line = "{\"t\":1,\"type\":\"probe\",\"endpoint\":\"a\",\"ok\":false,"
	       "\"error\":\"timeout\",\"tls\":\"expired\"}";
	assert_int_equal(
	    event_from_json(line, strlen(line), &out, err, 128), 1);
	assert_int_equal(out.u.probe.error, PERR_TIMEOUT);
	assert_int_equal(out.u.probe.tls, TLSR_NONE);

	/* A newer writer's reason: the line still reads, without it. */
	line = "{\"t\":1,\"type\":\"probe\",\"endpoint\":\"a\",\"ok\":false,"
	       "\"error\":\"tls\",\"tls\":\"revoked\"}";
	assert_int_equal(
	    event_from_json(line, strlen(line), &out, err, 128), 1);
	assert_int_equal(out.u.probe.error, PERR_TLS);
	assert_int_equal(out.u.probe.tls, TLSR_NONE);
	line = "{\"t\":1,\"type\":\"probe\",\"endpoint\":\"a\",\"ok\":false,"
	       "\"error\":\"tls\",\"tls\":null}";
	assert_int_equal(
	    event_from_json(line, strlen(line), &out, err, 128), 1);
	assert_int_equal(out.u.probe.tls, TLSR_NONE);
	/* The wrong type is an error, as for every other field. */
	line = "{\"t\":1,\"type\":\"probe\",\"endpoint\":\"a\",\"ok\":false,"
	       "\"error\":\"tls\",\"tls\":3}";
	assert_int_equal(
	    event_from_json(line, strlen(line), &out, err, 128), -1);
	assert_non_null(strstr(err, "tls"));
}

static void
test_every_type_roundtrips(void **state)
{
	Event in, out;

	(void)state;
	event_init(&in, EV_HEALTH, 2);
	strcpy(in.u.health.endpoint, "eu20");
	in.u.health.from = HEALTH_ONLINE;
	in.u.health.to = HEALTH_DEGRADED;
	strcpy(in.u.health.reason, "3 consecutive failures (last: status 500)");
	roundtrip(&in, &out);
	assert_int_equal(out.u.health.to, HEALTH_DEGRADED);
	assert_string_equal(out.u.health.reason, in.u.health.reason);

	event_init(&in, EV_ROUTE, 2);
	strcpy(in.u.route.from, "eu20");
	strcpy(in.u.route.to, "us21");
	in.u.route.cause = CAUSE_MANUAL;
	in.u.route.fail_open = true;
	in.u.route.nshares = 2;
	in.u.route.shares[0] = (RouteShare){"us21", 0.75};
	in.u.route.shares[1] = (RouteShare){"ap10", 0.25};
	roundtrip(&in, &out);
	assert_int_equal(out.u.route.cause, CAUSE_MANUAL);
	assert_true(out.u.route.fail_open);
	assert_int_equal(out.u.route.nshares, 2);
	assert_string_equal(out.u.route.shares[1].name, "ap10");
	assert_double_equal(out.u.route.shares[0].share, 0.75, 1e-9);

	event_init(&in, EV_DNS, 2.0012);
	strcpy(in.u.dns.resolver, "127.0.0.1:5353");
	strcpy(in.u.dns.name, "cpi.example.com");
	strcpy(in.u.dns.rcode, "NOERROR");
	in.u.dns.nanswers = 2;
	strcpy(in.u.dns.answers[0], "us21.cpi.example.net");
	strcpy(in.u.dns.answers[1], "192.0.2.7");
	strcpy(in.u.dns.endpoint, "us21");
	in.u.dns.ttl = 60;
	in.u.dns.ms = 0.8;
	roundtrip(&in, &out);
	assert_int_equal(out.u.dns.nanswers, 2);
	assert_string_equal(out.u.dns.answers[1], "192.0.2.7");
	assert_int_equal(out.u.dns.ttl, 60);

	event_init(&in, EV_DNS, 3);
	strcpy(in.u.dns.resolver, "system");
	strcpy(in.u.dns.rcode, "TIMEOUT");
	roundtrip(&in, &out);
	assert_int_equal(out.u.dns.ttl, -1);
	assert_string_equal(out.u.dns.endpoint, "");

	event_init(&in, EV_CONVERGED, 4);
	strcpy(in.u.conv.resolver, "system");
	strcpy(in.u.conv.endpoint, "us21");
	in.u.conv.after = 0.796669;
	roundtrip(&in, &out);
	assert_double_equal(out.u.conv.after, 0.796669, 1e-9);

	event_init(&in, EV_DIVERGED, 4);
	strcpy(in.u.conv.resolver, "system");
	strcpy(in.u.conv.endpoint, "eu20");
	roundtrip(&in, &out);
	assert_int_equal(out.type, EV_DIVERGED);

	event_init(&in, EV_CERT, 5);
	strcpy(in.u.cert.endpoint, "eu20");
	in.u.cert.days_left = 9;
	in.u.cert.warning = true;
	roundtrip(&in, &out);
	assert_int_equal(out.u.cert.days_left, 9);
	assert_true(out.u.cert.warning);

	event_init(&in, EV_ACTION, 5);
	strcpy(in.u.action.name, "failover");
	strcpy(in.u.action.from, "eu20");
	strcpy(in.u.action.to, "us21");
	strcpy(in.u.action.by, "operator");
	in.u.action.phase = ACT_FINISHED;
	in.u.action.exit_code = 0;
	roundtrip(&in, &out);
	assert_int_equal(out.u.action.exit_code, 0);
	in.u.action.phase = ACT_OUTPUT;
	strcpy(in.u.action.line, "tab\there \"quoted\" \\ back\x01");
	roundtrip(&in, &out);
	assert_string_equal(out.u.action.line, in.u.action.line);

	event_init(&in, EV_DRILL, 6);
	in.u.drill.phase = DRILL_FAULT;
	strcpy(in.u.drill.note, "health iFlow returns 500");
	roundtrip(&in, &out);
	assert_int_equal(out.u.drill.phase, DRILL_FAULT);

	event_init(&in, EV_MARKER, 7);
	strcpy(in.u.marker.note, "Postman call served by us21 \xc3\xbc");
	roundtrip(&in, &out);
	assert_string_equal(out.u.marker.note, in.u.marker.note);

	event_init(&in, EV_ERROR, 8);
	strcpy(in.u.error.source, "dns");
	strcpy(in.u.error.message, "malformed response from 127.0.0.1:53");
	roundtrip(&in, &out);
	assert_string_equal(out.u.error.source, "dns");
}

static void
test_decode_rules(void **state)
{
	Event ev;
	char err[128];
	const char *unk = "{\"t\":1,\"type\":\"future-thing\",\"x\":1}";
	const char *extra =
	    "{\"t\":1.5,\"type\":\"marker\",\"note\":\"n\",\"new_field\":[1]}";
	const char *wrong = "{\"t\":1,\"type\":\"probe\",\"endpoint\":5,"
	                    "\"ok\":true}";
	const char *notype = "{\"t\":1}";
	const char *arr = "[1,2]";
	const char *trunc = "{\"t\":1,\"type\":\"mar";

	(void)state;
	assert_int_equal(event_from_json(unk, strlen(unk), &ev, err, 128), 0);
	assert_int_equal(
	    event_from_json(extra, strlen(extra), &ev, err, 128), 1);
	assert_double_equal(ev.t, 1.5, 0);
	assert_int_equal(
	    event_from_json(wrong, strlen(wrong), &ev, err, 128), -1);
	assert_non_null(strstr(err, "endpoint"));
	assert_int_equal(
	    event_from_json(notype, strlen(notype), &ev, err, 128), -1);
	assert_int_equal(event_from_json(arr, strlen(arr), &ev, err, 128), -1);
	assert_int_equal(
	    event_from_json(trunc, strlen(trunc), &ev, err, 128), -1);
	/* times count from the session's start: never negative */
	const char *neg = "{\"t\":-0.5,\"type\":\"marker\",\"note\":\"n\"}";
	assert_int_equal(event_from_json(neg, strlen(neg), &ev, err, 128), -1);
	assert_string_equal(err,
	    "field \"t\" is negative (it counts seconds from the session's "
	    "start)");
}

static void
test_truncation_keeps_utf8(void **state)
{
	Event in, out;
	char note[600];

	(void)state;
	/* 300 two-byte characters do not fit in EV_TEXT_MAX. */
	for (int i = 0; i < 300; i++) {
		note[2 * i] = (char)0xc3;
		note[2 * i + 1] = (char)0xa9;
	}
	note[600 - 1] = '\0';
	note[598] = '\0';
	char line[1024];
	snprintf(line, sizeof(line),
	    "{\"t\":1,\"type\":\"marker\",\"note\":\"%s\"}", note);
	char err[64];
	assert_int_equal(event_from_json(line, strlen(line), &in, err, 64), 1);
	size_t n = strlen(in.u.marker.note);
	assert_true(n < EV_TEXT_MAX);
	assert_int_equal(n % 2, 0); /* no half character */
	roundtrip(&in, &out);
}

static void
test_session_header(void **state)
{
	char *line;
	SessionHeader h;
	char err[128];
	char when[32];

	(void)state;
	clock_format_utc(1795248000.25, when, sizeof(when));
	assert_string_equal(when, "2026-11-21T08:00:00.250Z");
	line = event_session_line(when, "live", "{\"service\":\"cpi-prod\"}");
	assert_int_equal(
	    event_parse_session(line, strlen(line), &h, err, 128), 0);
	assert_int_equal(h.v, 1);
	assert_string_equal(h.started, when);
	assert_string_equal(h.mode, "live");
	assert_string_equal(h.profile_json, "{\"service\":\"cpi-prod\"}");
	session_header_fini(&h);
	free(line);
	assert_int_equal(event_parse_session(
	                     "{\"t\":1,\"type\":\"marker\"}", 24, &h, err, 128),
	    -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_probe_roundtrip),
	    cmocka_unit_test(test_probe_tls_reason),
	    cmocka_unit_test(test_every_type_roundtrips),
	    cmocka_unit_test(test_decode_rules),
	    cmocka_unit_test(test_truncation_keeps_utf8),
	    cmocka_unit_test(test_session_header),
	};
	setlocale(LC_ALL, "C");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
