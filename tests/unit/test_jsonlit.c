/* jsonlit: string literals found without parsing, and the NULs in them
 * (raw 0x00 bytes and \u0000 escapes) that cJSON would drop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "base/jsonlit.h"
#include "helpers.h"

#define LIT(s) s, sizeof(s) - 1

static void
test_literals_in_order(void **state)
{
	static const char s[] = "{\"a\":\"x\\\"y\",\"b\":[\"\\\\\",1]}";
	size_t pos = 0;
	JsonLit lit;
	size_t opens[8];
	int n = 0;

	(void)state;
	while (jsonlit_next(s, sizeof(s) - 1, &pos, &lit)) {
		assert_int_equal(lit.nul, JSONLIT_NUL_NONE);
		assert_true(s[lit.open] == '"' && s[lit.close] == '"');
		opens[n++] = lit.open;
	}
	/* "a", "x\"y" (the escaped quote does not end it), "b", "\\" */
	assert_int_equal(n, 4);
	assert_int_equal(opens[0], 1);
	assert_int_equal(opens[1], 5);
	assert_int_equal(opens[2], 12);
	assert_int_equal(opens[3], 17);
	assert_int_equal(pos, sizeof(s) - 1); /* no literal left */
}

static void
test_nuls(void **state)
{
	size_t at = 99;

	(void)state;
	assert_int_equal(
	    jsonlit_first_nul(LIT("{\"a\":\"xy\"}"), &at), JSONLIT_NUL_NONE);
	assert_int_equal(at, 99);
	assert_int_equal(jsonlit_first_nul(LIT("{\"a\":\"x\\u0000y\"}"), &at),
	    JSONLIT_NUL_ESCAPE);
	assert_int_equal(at, 7);
	assert_int_equal(
	    jsonlit_first_nul(LIT("{\"a\":\"x\0y\"}"), &at), JSONLIT_NUL_RAW);
	assert_int_equal(at, 7);
	/* in a key too */
	assert_int_equal(
	    jsonlit_first_nul(LIT("{\"\0\":1}"), &at), JSONLIT_NUL_RAW);
	assert_int_equal(at, 2);
	/* an escaped backslash, then u0000: text, not a NUL */
	assert_int_equal(jsonlit_first_nul(LIT("{\"a\":\"\\\\u0000\"}"), &at),
	    JSONLIT_NUL_NONE);
	/* \u0001 and \u00000 are not \u0000 ... the latter is */
	assert_int_equal(
	    jsonlit_first_nul(LIT("[\"\\u0001\"]"), &at), JSONLIT_NUL_NONE);
	assert_int_equal(
	    jsonlit_first_nul(LIT("[\"\\u00000\"]"), &at), JSONLIT_NUL_ESCAPE);
	/* a 0x00 byte outside a literal is not this module's business */
	assert_int_equal(
	    jsonlit_first_nul(LIT("{\0\"a\":1}"), &at), JSONLIT_NUL_NONE);
	/* a literal cut by the end of the input, a backslash last */
	assert_int_equal(
	    jsonlit_first_nul(LIT("[\"ab\\"), &at), JSONLIT_NUL_NONE);
	assert_int_equal(
	    jsonlit_first_nul(LIT("[\"ab\\u000"), &at), JSONLIT_NUL_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_literals_in_order),
	    cmocka_unit_test(test_nuls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
