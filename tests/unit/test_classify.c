/* classify: CURLcode classes, status ranges, verdicts, identify parsing,
 * timings, certificate expiry. */
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
