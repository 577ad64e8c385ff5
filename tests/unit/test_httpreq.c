/*
 * httpreq: the simulator's HTTP request parser on byte strings, no
 * socket: whole, partial and pipelined requests, keep-alive, bodies,
 * the size limits, malformed request lines and headers, and query
 * values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "sim/httpreq.h"

static HttpReqParse
parse(const char *text, HttpReq *r)
{
	return httpreq_parse(text, strlen(text), r);
}

/* text must be refused with status. */
static void
expect_bad(const char *text, int status)
{
	HttpReq r;
	HttpReqParse rc = parse(text, &r);

	if (rc != HTTPREQ_BAD || r.status != status)
		fail_msg("\"%s\": got %d/%d, want BAD/%d", text, (int)rc,
		    r.status, status);
	assert_non_null(r.error);
	assert_true(strlen(r.error) > 0);
}

static void
test_whole_request(void **state)
{
	static const char get[] =
	    "GET /health?x=1 HTTP/1.1\r\nHost: sim\r\nAccept: */*\r\n\r\n";
	HttpReq r;

	(void)state;
	assert_int_equal(parse(get, &r), HTTPREQ_DONE);
	assert_string_equal(r.method, "GET");
	assert_string_equal(r.target, "/health?x=1");
	assert_true(r.http11);
	assert_true(r.keep_alive);
	assert_int_equal(r.head_len, strlen(get));
	assert_int_equal(r.body_len, 0);
	assert_int_equal(r.len, strlen(get));
	/* Bare LF line ends, HTTP/1.0, no headers at all. */
	assert_int_equal(parse("HEAD / HTTP/1.0\n\n", &r), HTTPREQ_DONE);
	assert_string_equal(r.method, "HEAD");
	assert_string_equal(r.target, "/");
	assert_false(r.http11);
	assert_false(r.keep_alive);
	assert_int_equal(r.len, 17);
}

static void
test_partial_requests(void **state)
{
	static const char post[] =
	    "POST /regions/eu20/fault HTTP/1.1\r\nHost: sim\r\n"
	    "Content-Length: 10\r\n\r\nstatus 500";
	size_t n = strlen(post);
	HttpReq r;

	(void)state;
	/* Every strict prefix, in the head or in the body, asks for more. */
	for (size_t i = 0; i < n; i++) {
		HttpReqParse rc = httpreq_parse(post, i, &r);
		if (rc != HTTPREQ_MORE)
			fail_msg("prefix of %zu bytes: %d", i, (int)rc);
	}
	assert_int_equal(httpreq_parse(post, n, &r), HTTPREQ_DONE);
	assert_int_equal(r.body_len, 10);
	assert_ptr_equal(r.body, post + n - 10);
	assert_memory_equal(r.body, "status 500", 10);
	assert_int_equal(r.head_len, n - 10);
	assert_int_equal(r.len, n);
}

static void
test_pipelined(void **state)
{
	static const char two[] =
	    "GET /a HTTP/1.1\r\n\r\n"
	    "GET /b HTTP/1.1\r\nConnection: close\r\n\r\n";
	HttpReq r;

	(void)state;
	assert_int_equal(parse(two, &r), HTTPREQ_DONE);
	assert_string_equal(r.target, "/a");
	assert_true(r.keep_alive);
	assert_int_equal(r.len, strlen("GET /a HTTP/1.1\r\n\r\n"));
	assert_int_equal(parse(two + r.len, &r), HTTPREQ_DONE);
	assert_string_equal(r.target, "/b");
	assert_false(r.keep_alive);
	/* Empty lines before a request are skipped by the caller. */
	assert_int_equal(httpreq_blank_prefix("\r\n\n\r\nGET", 8), 5);
	assert_int_equal(httpreq_blank_prefix("GET", 3), 0);
	assert_int_equal(httpreq_blank_prefix("\r\n", 0), 0);
	assert_int_equal(httpreq_blank_prefix("\r\n\r\n", 4), 4);
}

static void
test_keep_alive(void **state)
{
	static const struct {
		const char *req;
		bool keep;
	} t[] = {
	    {"GET / HTTP/1.1\r\n\r\n", true},
	    {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false},
	    {"GET / HTTP/1.1\r\nCONNECTION:   Close  \r\n\r\n", false},
	    {"GET / HTTP/1.1\r\nConnection: keep-alive, close\r\n\r\n", false},
	    {"GET / HTTP/1.1\r\nX-Connection: close\r\n\r\n", true},
	    {"GET / HTTP/1.0\r\n\r\n", false},
	    {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true},
	    {"GET / HTTP/1.0\r\nConnection: close\r\n\r\n", false},
	};
	HttpReq r;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		assert_int_equal(parse(t[i].req, &r), HTTPREQ_DONE);
		if (r.keep_alive != t[i].keep)
			fail_msg("\"%s\": keep_alive %d", t[i].req,
			    (int)r.keep_alive);
	}
}

static void
test_size_limits(void **state)
{
	char *big = xmalloc(HTTPREQ_HEAD_MAX + 64);
	char req[256];
	HttpReq r;

	(void)state;
	/* A head that has not ended: more, up to the limit; then 431. */
	memset(big, 'a', HTTPREQ_HEAD_MAX + 64);
	memcpy(big, "GET / HTTP/1.1\r\nX-Junk: ", 24);
	assert_int_equal(
	    httpreq_parse(big, HTTPREQ_HEAD_MAX - 1, &r), HTTPREQ_MORE);
	assert_int_equal(httpreq_parse(big, HTTPREQ_HEAD_MAX, &r), HTTPREQ_BAD);
	assert_int_equal(r.status, 431);
	assert_non_null(strstr(r.error, "too large"));
	free(big);
	/* A body over the limit is refused before it arrives. */
	snprintf(req, sizeof(req),
	    "POST / HTTP/1.1\r\nContent-Length: %d\r\n\r\n",
	    HTTPREQ_BODY_MAX + 1);
	expect_bad(req, 413);
	/* At the limit it is awaited. */
	snprintf(req, sizeof(req),
	    "POST / HTTP/1.1\r\nContent-Length: %d\r\n\r\n", HTTPREQ_BODY_MAX);
	assert_int_equal(parse(req, &r), HTTPREQ_MORE);
	assert_int_equal(r.body_len, HTTPREQ_BODY_MAX);
	/* Chunked bodies are not taken. */
	expect_bad("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	           "4\r\nap10\r\n0\r\n\r\n",
	    411);
}

static void
test_malformed(void **state)
{
	static const char *lines[] = {
	    "HELLO THERE\r\n\r\n",
	    "GET /\r\n\r\n",
	    "GET\r\n\r\n",
	    " / HTTP/1.1\r\n\r\n",
	    "GET  HTTP/1.1\r\n\r\n",
	    "get / HTTP/1.1\r\n\r\n",
	    "G3T / HTTP/1.1\r\n\r\n",
	    "GET / HTTP/2.0\r\n\r\n",
	    "GET / HTTP/1.1 extra\r\n\r\n",
	    "GET / http/1.1\r\n\r\n",
	    "GET / HTTP/1.\r\n\r\n",
	    "ABCDEFGHIJKLMNOP / HTTP/1.1\r\n\r\n",
	    "GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
	    "GET / HTTP/1.1\r\nContent-Length:\r\n\r\n",
	    "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
	    "GET / HTTP/1.1\r\nContent-Length: 1234567890123\r\n\r\n",
	};
	char *longtarget = xmalloc(2100);
	HttpReq r;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(lines); i++)
		expect_bad(lines[i], 400);
	/* The longest method and target that fit. */
	assert_int_equal(
	    parse("ABCDEFGHIJKLMNO / HTTP/1.1\r\n\r\n", &r), HTTPREQ_DONE);
	assert_string_equal(r.method, "ABCDEFGHIJKLMNO");
	snprintf(longtarget, 2100, "GET /%02046d HTTP/1.1\r\n\r\n", 0);
	assert_int_equal(parse(longtarget, &r), HTTPREQ_DONE);
	assert_int_equal(strlen(r.target), 2047);
	snprintf(longtarget, 2100, "GET /%02047d HTTP/1.1\r\n\r\n", 0);
	expect_bad(longtarget, 400);
	free(longtarget);
	/* A Content-Length of twelve digits is a number (and too big). */
	expect_bad(
	    "GET / HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n", 413);
}

static void
test_query(void **state)
{
	static const struct {
		const char *query, *key, *want; /* want NULL: not there */
	} t[] = {
	    {"set=slow%20800", "set", "slow 800"},
	    {"x=1&set=status+500&y=2", "set", "status 500"},
	    {"x=1&set=a", "x", "1"},
	    {"settle=1", "set", NULL},
	    {"set", "set", NULL},
	    {"", "set", NULL},
	    {"set=", "set", ""},
	    {"set=%zz%", "set", "%zz%"},
	    {"set=%00x", "set", "%00x"},
	    {"set=%41%62", "set", "Ab"},
	    {"a=1&&set=2", "set", "2"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		char *v = httpreq_query_get(t[i].query, t[i].key);
		if (t[i].want == NULL) {
			if (v != NULL)
				fail_msg("%s: got \"%s\"", t[i].query, v);
			continue;
		}
		if (v == NULL || strcmp(v, t[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", t[i].query,
			    v != NULL ? v : "(null)", t[i].want);
		free(v);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_whole_request),
	    cmocka_unit_test(test_partial_requests),
	    cmocka_unit_test(test_pipelined),
	    cmocka_unit_test(test_keep_alive),
	    cmocka_unit_test(test_size_limits),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_query),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
