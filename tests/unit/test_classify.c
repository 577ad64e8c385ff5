/* classify: CURLcode classes, TLS reasons, status ranges, verdicts,
 * identify parsing, timings, certificate expiry and its warning, when a
 * certificate is fetched again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <string.h>

#include "helpers.h"
#include "model/profile.h"
#include "probe/classify.h"

static void
test_curl_codes(void **state)
{
	(void)state;
	assert_int_equal(classify_curl(CURLE_OK, false), PERR_NONE);
	/* Our own abort of the body is not the endpoint's fault. */
	assert_int_equal(classify_curl(CURLE_WRITE_ERROR, true), PERR_NONE);
	assert_int_equal(classify_curl(CURLE_WRITE_ERROR, false), PERR_RESET);
	assert_int_equal(
	    classify_curl(CURLE_OPERATION_TIMEDOUT, false), PERR_TIMEOUT);
	assert_int_equal(
	    classify_curl(CURLE_COULDNT_CONNECT, false), PERR_REFUSED);
	assert_int_equal(
	    classify_curl(CURLE_COULDNT_RESOLVE_HOST, false), PERR_DNS);
	assert_int_equal(
	    classify_curl(CURLE_PEER_FAILED_VERIFICATION, false), PERR_TLS);
	assert_int_equal(
	    classify_curl(CURLE_SSL_CONNECT_ERROR, false), PERR_TLS);
	assert_int_equal(
	    classify_curl(CURLE_SSL_CACERT_BADFILE, false), PERR_TLS);
	assert_int_equal(classify_curl(CURLE_RECV_ERROR, false), PERR_RESET);
	assert_int_equal(classify_curl(CURLE_SEND_ERROR, false), PERR_RESET);
	assert_int_equal(classify_curl(CURLE_GOT_NOTHING, false), PERR_RESET);
	assert_int_equal(classify_curl(CURLE_PARTIAL_FILE, false), PERR_RESET);
	assert_int_equal(
	    classify_curl(CURLE_WEIRD_SERVER_REPLY, false), PERR_STATUS);
	assert_int_equal(
	    classify_curl(CURLE_UNSUPPORTED_PROTOCOL, false), PERR_STATUS);
	/* The abort flag only excuses a write error. */
	assert_int_equal(
	    classify_curl(CURLE_OPERATION_TIMEDOUT, true), PERR_TIMEOUT);
}

static void
test_status_ranges(void **state)
{
	/* The prober asks the profile (profile_status_expected): the
	 * boundaries of what it accepts. */
	Monitor m = {.expected = {{200, 299}, {401, 401}}, .nexpected = 2};
	Monitor none = {.nexpected = 0};
	Monitor only401 = {.expected = {{401, 401}}, .nexpected = 1};

	(void)state;
	assert_true(profile_status_expected(&m, 200));
	assert_true(profile_status_expected(&m, 204));
	assert_true(profile_status_expected(&m, 299));
	assert_true(profile_status_expected(&m, 401));
	assert_false(profile_status_expected(&m, 199));
	assert_false(profile_status_expected(&m, 300));
	assert_false(profile_status_expected(&m, 301));
	assert_false(profile_status_expected(&m, 400));
	assert_false(profile_status_expected(&m, 402));
	assert_false(profile_status_expected(&m, 500));
	assert_false(profile_status_expected(&m, 0));
	assert_false(profile_status_expected(&none, 200));
	assert_true(profile_status_expected(&only401, 401));
}

static void
test_verdict(void **state)
{
	(void)state;
	assert_int_equal(
	    classify_verdict(PERR_NONE, false, true, true), PERR_NONE);
	assert_int_equal(
	    classify_verdict(PERR_NONE, false, false, true), PERR_STATUS);
	/* A wrong status wins over a missing body match. */
	assert_int_equal(
	    classify_verdict(PERR_NONE, false, false, false), PERR_STATUS);
	assert_int_equal(
	    classify_verdict(PERR_NONE, false, true, false), PERR_BODY);
	assert_int_equal(
	    classify_verdict(PERR_RESET, false, true, true), PERR_RESET);
	/* tcp: connecting is all. */
	assert_int_equal(
	    classify_verdict(PERR_NONE, true, false, false), PERR_NONE);
	assert_int_equal(
	    classify_verdict(PERR_REFUSED, true, false, false), PERR_REFUSED);
}

static void
test_identify(void **state)
{
	char out[EV_NAME_MAX];
	const char *l;

	(void)state;
	l = "X-Region: eu20\r\n";
	assert_true(
	    classify_header(l, strlen(l), "X-Region", out, sizeof(out)));
	assert_string_equal(out, "eu20");
	l = "x-region:us21 \r\n";
	assert_true(
	    classify_header(l, strlen(l), "X-Region", out, sizeof(out)));
	assert_string_equal(out, "us21");
	l = "X-Regional: eu20\r\n"; /* a longer name is another header */
	assert_false(
	    classify_header(l, strlen(l), "X-Region", out, sizeof(out)));
	l = "X-Region: \r\n"; /* empty */
	assert_false(
	    classify_header(l, strlen(l), "X-Region", out, sizeof(out)));
	l = "X-Region: 0123456789012345678901234567890123\r\n"; /* too long */
	assert_false(
	    classify_header(l, strlen(l), "X-Region", out, sizeof(out)));
	assert_string_equal(out, "");
	l = "HTTP/1.1 200 OK\r\n";
	assert_false(
	    classify_header(l, strlen(l), "X-Region", out, sizeof(out)));

	l = "  eu20\r\nUP\n";
	assert_true(classify_first_line(l, strlen(l), out, sizeof(out)));
	assert_string_equal(out, "eu20");
	l = "ap10"; /* no newline: the whole (complete) body */
	assert_true(classify_first_line(l, strlen(l), out, sizeof(out)));
	assert_string_equal(out, "ap10");
	l = "Europe (Frankfurt)\n";
	assert_true(classify_first_line(l, strlen(l), out, sizeof(out)));
	assert_string_equal(out, "Europe (Frankfurt)");
	/* Exactly 31 characters fit; 32 do not. */
	l = "abcdefghijklmnopqrstuvwxyz01234\n";
	assert_true(classify_first_line(l, strlen(l), out, sizeof(out)));
	l = "abcdefghijklmnopqrstuvwxyz012345\n";
	assert_false(classify_first_line(l, strlen(l), out, sizeof(out)));
	/* Not printable: binary, a control character, UTF-8. */
	assert_false(classify_first_line("\x01\x02", 2, out, sizeof(out)));
	assert_false(classify_first_line("eu\x1b[2J", 7, out, sizeof(out)));
	assert_false(
	    classify_first_line("z\xc3\xbcrich\n", 8, out, sizeof(out)));
	assert_false(classify_first_line("\n", 1, out, sizeof(out)));
	assert_false(classify_first_line("<html>\n", 0, out, sizeof(out)));
}

static void
test_times(void **state)
{
	ClassifyTimes t = {.namelookup = 400,
	    .connect = 1500,
	    .appconnect = 7700,
	    .pretransfer = 7800,
	    .starttransfer = 28100,
	    .total = 28700};
	ProbeTimes ms;

	(void)state;
	classify_times(&t, true, &ms);
	assert_double_equal(ms.dns, 0.4, 1e-9);
	assert_double_equal(ms.connect, 1.1, 1e-9);
	assert_double_equal(ms.tls, 6.2, 1e-9);
	assert_double_equal(ms.ttfb, 20.3, 1e-9);
	assert_double_equal(ms.total, 28.7, 1e-9);
	/* http: no tls phase. */
	classify_times(&t, false, &ms);
	assert_true(ms.tls < 0);
	/* Refused: resolved, never connected, no first byte. */
	ClassifyTimes r = {.namelookup = 30, .total = 200};
	classify_times(&r, true, &ms);
	assert_double_equal(ms.dns, 0.03, 1e-9);
	assert_true(ms.connect < 0 && ms.tls < 0 && ms.ttfb < 0);
	assert_double_equal(ms.total, 0.2, 1e-9);
}

static void
test_cert_days(void **state)
{
	int d = -99;
	/* 2026-11-21 08:00:00 UTC */
	double now = 1795248000.0;

	(void)state;
	assert_true(classify_cert_days("Nov 26 09:00:00 2026 GMT", now, &d));
	assert_int_equal(d, 5);
	assert_true(classify_cert_days("Nov 26 07:00:00 2026 GMT", now, &d));
	assert_int_equal(d, 4);
	/* OpenSSL pads single-digit days with a space. */
	assert_true(classify_cert_days("Dec  1 08:00:00 2026 GMT", now, &d));
	assert_int_equal(d, 10);
	assert_true(classify_cert_days("Nov 20 08:00:00 2026 GMT", now, &d));
	assert_int_equal(d, -1);
	assert_true(classify_cert_days("Nov 21 08:00:00 2027 GMT", now, &d));
	assert_int_equal(d, 365);
	assert_false(classify_cert_days("2026-11-26", now, &d));
	assert_false(classify_cert_days("", now, &d));
	assert_false(classify_cert_days("Nov 26 09:00:00 2026 PST", now, &d));
}

/* The warning boundary: days_left < 14, through the days computation
 * (whole days, rounded down) at 13, 14 and 15 days and one second
 * either side of 14. */
static void
test_cert_warning_boundary(void **state)
{
	static const struct {
		const char *expire;
		int days;
		bool warning;
	} t[] = {
	    {"Dec  4 08:00:00 2026 GMT", 13, true},
	    {"Dec  5 07:59:59 2026 GMT", 13, true},
	    {"Dec  5 08:00:00 2026 GMT", 14, false},
	    {"Dec  5 08:00:01 2026 GMT", 14, false},
	    {"Dec  6 08:00:00 2026 GMT", 15, false},
	    {"Nov 21 07:59:59 2026 GMT", -1, true}, /* expired a second ago */
	};
	double now = 1795248000.0; /* 2026-11-21 08:00:00 UTC */

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int d = -99;

		assert_true(classify_cert_days(t[i].expire, now, &d));
		assert_int_equal(d, t[i].days);
		assert_int_equal(classify_cert_warning(d), t[i].warning);
	}
	assert_true(classify_cert_warning(-400));
	assert_false(classify_cert_warning(3650));
}

/* Every TLS failure names its reason from the CURLcode and OpenSSL's
 * verify result, as libcurl 7.88 with OpenSSL 3 reports them (the
 * values seen against openssl s_server in tests/integration/
 * test_tls.py). */
static void
test_tls_reasons(void **state)
{
	static const struct {
		int code;
		long verify;
		TlsReason want;
	} t[] = {
	    /* OpenSSL judged the chain: its first error decides. */
	    {CURLE_PEER_FAILED_VERIFICATION, 10, TLSR_EXPIRED},
	    {CURLE_PEER_FAILED_VERIFICATION, 9, TLSR_NOT_YET_VALID},
	    {CURLE_PEER_FAILED_VERIFICATION, 18, TLSR_UNTRUSTED},
	    {CURLE_PEER_FAILED_VERIFICATION, 19, TLSR_UNTRUSTED},
	    {CURLE_PEER_FAILED_VERIFICATION, 20, TLSR_UNTRUSTED},
	    {CURLE_PEER_FAILED_VERIFICATION, 21, TLSR_UNTRUSTED},
	    {CURLE_PEER_FAILED_VERIFICATION, 2, TLSR_UNTRUSTED},
	    {CURLE_PEER_FAILED_VERIFICATION, 7, TLSR_UNTRUSTED},
	    {CURLE_PEER_FAILED_VERIFICATION, 23, TLSR_UNTRUSTED},
	    {CURLE_PEER_FAILED_VERIFICATION, 11, TLSR_UNTRUSTED},
	    /* The chain passed, the name did not: libcurl's own check
	     * leaves 1 (its value before OpenSSL judges) or 0; OpenSSL's
	     * own name check says 62 (64 for an IP address). */
	    {CURLE_PEER_FAILED_VERIFICATION, 1, TLSR_HOSTNAME},
	    {CURLE_PEER_FAILED_VERIFICATION, 0, TLSR_HOSTNAME},
	    {CURLE_PEER_FAILED_VERIFICATION, 62, TLSR_HOSTNAME},
	    {CURLE_PEER_FAILED_VERIFICATION, 64, TLSR_HOSTNAME},
	    /* A certificate rejected for other reasons. */
	    {CURLE_SSL_ISSUER_ERROR, 0, TLSR_UNTRUSTED},
	    {CURLE_SSL_PINNEDPUBKEYNOTMATCH, 0, TLSR_UNTRUSTED},
	    {CURLE_SSL_INVALIDCERTSTATUS, 0, TLSR_UNTRUSTED},
	    /* No handshake: the verify result means nothing (libcurl's 1,
	     * or a number left over from a previous transfer). */
	    {CURLE_SSL_CONNECT_ERROR, 1, TLSR_HANDSHAKE},
	    {CURLE_SSL_CONNECT_ERROR, 10, TLSR_HANDSHAKE},
	    {CURLE_SSL_CIPHER, 0, TLSR_HANDSHAKE},
	    {CURLE_SSL_SHUTDOWN_FAILED, 0, TLSR_HANDSHAKE},
	    {CURLE_USE_SSL_FAILED, 0, TLSR_HANDSHAKE},
	    /* The prober's own set-up: tls, without a reason. */
	    {CURLE_SSL_CACERT_BADFILE, 0, TLSR_NONE},
	    {CURLE_SSL_CERTPROBLEM, 0, TLSR_NONE},
	    {CURLE_SSL_CRL_BADFILE, 0, TLSR_NONE},
	    {CURLE_SSL_CLIENTCERT, 0, TLSR_NONE},
	    {CURLE_SSL_ENGINE_NOTFOUND, 0, TLSR_NONE},
	    /* Not tls at all. */
	    {CURLE_OK, 0, TLSR_NONE},
	    {CURLE_OPERATION_TIMEDOUT, 10, TLSR_NONE},
	    {CURLE_RECV_ERROR, 10, TLSR_NONE},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		TlsReason got = classify_tls(t[i].code, t[i].verify);

		if (got != t[i].want)
			fail_msg("code %d verify %ld: %d, want %d", t[i].code,
			    t[i].verify, (int)got, (int)t[i].want);
		/* A reason is named only for a tls error. */
		if (got != TLSR_NONE)
			assert_int_equal(
			    classify_curl(t[i].code, false), PERR_TLS);
	}
}

/* When an endpoint's certificate is fetched again: never on every
 * probe. */
static void
test_cert_due(void **state)
{
	double t0 = 1000.0;

	(void)state;
	/* Never fetched: at once, changed or not. */
	assert_true(classify_cert_due(-1, false, 0));
	assert_true(classify_cert_due(-1, true, 5));
	/* The same connection: hourly. */
	assert_false(classify_cert_due(t0, false, t0));
	assert_false(classify_cert_due(t0, false, t0 + 59));
	assert_false(classify_cert_due(t0, false, t0 + 3599.999));
	assert_true(classify_cert_due(t0, false, t0 + 3600));
	/* A changed connection: a minute after the last fetch at most. */
	assert_false(classify_cert_due(t0, true, t0 + 0.5));
	assert_false(classify_cert_due(t0, true, t0 + 59.999));
	assert_true(classify_cert_due(t0, true, t0 + 60));
	assert_true(classify_cert_due(t0, true, t0 + 4000));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_curl_codes),
	    cmocka_unit_test(test_status_ranges),
	    cmocka_unit_test(test_verdict),
	    cmocka_unit_test(test_identify),
	    cmocka_unit_test(test_times),
	    cmocka_unit_test(test_cert_days),
	    cmocka_unit_test(test_cert_warning_boundary),
	    cmocka_unit_test(test_tls_reasons),
	    cmocka_unit_test(test_cert_due),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
