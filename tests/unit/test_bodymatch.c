/* bodymatch: a needle found across every split point, the 64 KiB cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "probe/bodymatch.h"

/* Feed body split at a and b (a <= b <= len) into three chunks. */
static bool
found3(const char *needle, const char *body, size_t a, size_t b)
{
	BodyMatch m;
	size_t len = strlen(body);
	bool f;

	bodymatch_init(&m, needle);
	bodymatch_feed(&m, body, a);
	bodymatch_feed(&m, body + a, b - a);
	bodymatch_feed(&m, body + b, len - b);
	f = bodymatch_found(&m);
	bodymatch_fini(&m);
	return f;
}

static void
test_every_split(void **state)
{
	const char *needle = "\"status\":\"UP\"";
	const char *body =
	    "{\"x\":\"status\",\"status\":\"U\",\"status\":\"UP\"}";
	size_t len = strlen(body);

	(void)state;
	for (size_t a = 0; a <= len; a++)
		for (size_t b = a; b <= len; b++)
			assert_true(found3(needle, body, a, b));
	/* Almost there is not there, at every split. */
	body = "{\"status\":\"U\",\"status\":\"DOWN\",\"status\":\"UP";
	len = strlen(body);
	for (size_t a = 0; a <= len; a++)
		for (size_t b = a; b <= len; b++)
			assert_false(found3(needle, body, a, b));
}

static void
test_one_byte_chunks_self_overlap(void **state)
{
	/* Needles whose prefixes recur exercise the failure table. */
	const char *cases[][2] = {
	    {"aab", "aaab"},
	    {"abab", "abaabab"},
	    {"aaaa", "aaabaaaa"},
	    {"abcabd", "abcabcabd"},
	    {"UP", "U U UP"},
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		BodyMatch m;
		const char *b = cases[c][1];

		bodymatch_init(&m, cases[c][0]);
		for (size_t i = 0; b[i]; i++)
			bodymatch_feed(&m, b + i, 1);
		assert_true(bodymatch_found(&m));
		bodymatch_reset(&m);
		assert_false(bodymatch_found(&m));
		bodymatch_feed(&m, "zzz", 3);
		assert_false(bodymatch_found(&m));
		bodymatch_fini(&m);
	}
}

static void
test_cap(void **state)
{
	BodyMatch m;
	char *chunk = malloc(10000);

	(void)state;
	memset(chunk, 'x', 10000);
	bodymatch_init(&m, "UP");
	/* 65,534 bytes of x, then "UP" straddling the cap: not seen. */
	size_t fed = 0;
	while (fed + 10000 <= BODYMATCH_CAP - 2) {
		assert_false(bodymatch_feed(&m, chunk, 10000));
		fed += 10000;
	}
	assert_false(bodymatch_feed(&m, chunk, BODYMATCH_CAP - 1 - fed));
	assert_false(bodymatch_full(&m));
	assert_true(bodymatch_feed(&m, "UP", 2));
	assert_true(bodymatch_full(&m));
	assert_false(bodymatch_found(&m));
	/* Anything after the cap is ignored, however large. */
	assert_true(bodymatch_feed(&m, "UPUP", 4));
	assert_false(bodymatch_found(&m));
	assert_int_equal(m.seen, BODYMATCH_CAP);

	/* The last byte inside the cap still counts. */
	bodymatch_reset(&m);
	for (fed = 0; fed + 10000 <= BODYMATCH_CAP - 2; fed += 10000)
		bodymatch_feed(&m, chunk, 10000);
	bodymatch_feed(&m, chunk, BODYMATCH_CAP - 2 - fed);
	assert_true(bodymatch_feed(&m, "UP", 2));
	assert_true(bodymatch_found(&m));
	bodymatch_fini(&m);
	free(chunk);
}

static void
test_no_needle(void **state)
{
	BodyMatch m;

	(void)state;
	bodymatch_init(&m, NULL);
	assert_true(bodymatch_found(&m));
	assert_true(bodymatch_feed(&m, "abc", 3));
	bodymatch_fini(&m);
	bodymatch_init(&m, "");
	assert_true(bodymatch_found(&m));
	bodymatch_fini(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_split),
	    cmocka_unit_test(test_one_byte_chunks_self_overlap),
	    cmocka_unit_test(test_cap),
	    cmocka_unit_test(test_no_needle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
