/*
 * utf8: the one decoder's rules (shortest form, no surrogates, nothing
 * above U+10FFFF, no cut sequence), the control classes, and the
 * sanitiser the action runner uses on output lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "base/utf8.h"

static void
test_decode(void **state)
{
	unsigned cp = 0;

	(void)state;
	assert_int_equal(utf8_next("A", &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(utf8_next("\xc3\xa9", &cp), 2); /* é */
	assert_int_equal(cp, 0xe9);
	assert_int_equal(utf8_next("\xe2\x86\x92", &cp), 3); /* → */
	assert_int_equal(cp, 0x2192);
	assert_int_equal(utf8_next("\xf0\x9f\x99\x82", &cp), 4);
	assert_int_equal(cp, 0x1f642);
	assert_int_equal(utf8_next("\xf4\x8f\xbf\xbf", &cp), 4);
	assert_int_equal(cp, 0x10ffff);
	/* overlongs, surrogates, above U+10FFFF, bad lead and continuation */
	assert_int_equal(utf8_next("\xc0\xaf", NULL), 0);
	assert_int_equal(utf8_next("\xc1\xbf", NULL), 0);
	assert_int_equal(utf8_next("\xe0\x80\xaf", NULL), 0);
	assert_int_equal(utf8_next("\xf0\x80\x80\xaf", NULL), 0);
	assert_int_equal(utf8_next("\xed\xa0\x80", NULL), 0);
	assert_int_equal(utf8_next("\xf4\x90\x80\x80", NULL), 0);
	assert_int_equal(utf8_next("\xf5\x80\x80\x80", NULL), 0);
	assert_int_equal(utf8_next("\x80", NULL), 0);
	assert_int_equal(utf8_next("\xe2\x86"
	                           "A",
	                     NULL),
	    0);
	/* cut by the end of the input (len), or by the NUL */
	assert_int_equal(utf8_decode("\xe2\x86\x92", 2, NULL), 0);
	assert_int_equal(utf8_next("\xe2\x86", NULL), 0);
	/* cp is untouched on failure */
	cp = 7;
	assert_int_equal(utf8_next("\xff", &cp), 0);
	assert_int_equal(cp, 7);
}

static void
test_controls(void **state)
{
	(void)state;
	assert_true(utf8_is_control(0));
	assert_true(utf8_is_control('\n'));
	assert_true(utf8_is_control(0x1b));
	assert_true(utf8_is_control(0x7f));
	assert_true(utf8_is_control(0x9b)); /* C1 CSI */
	assert_false(utf8_is_control(' '));
	assert_false(utf8_is_control(0xa0));
	assert_true(utf8_printable("eu20 Frankfurt \xe2\x86\x92 us21"));
	assert_true(utf8_printable(""));
	assert_false(utf8_printable("a\tb"));
	assert_false(utf8_printable("a\x1b[2Jb"));
	assert_false(utf8_printable("a\xc2\x9b"
	                            "2Jb"));
	assert_false(utf8_printable("caf\xe9"));
}

/* The bidirectional controls: each one, and its neighbours, which are
 * ordinary characters. */
static void
test_bidi(void **state)
{
	static const unsigned bidi[] = {0x061C, 0x200E, 0x200F, 0x202A, 0x202B,
	    0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069};
	static const unsigned not_bidi[] = {0x061B, 0x061D, 0x200D, 0x2010,
	    0x2029, 0x202F, 0x2065, 0x206A, 'A', 0xa0, 0xfffd};

	(void)state;
	for (size_t i = 0; i < sizeof(bidi) / sizeof(bidi[0]); i++) {
		assert_true(utf8_is_bidi(bidi[i]));
		assert_false(utf8_is_control(bidi[i]));
	}
	for (size_t i = 0; i < sizeof(not_bidi) / sizeof(not_bidi[0]); i++)
		assert_false(utf8_is_bidi(not_bidi[i]));
	/* Not printable, wherever they are in the string. */
	assert_false(utf8_printable("\xe2\x80\xae"
	                            "evil"));
	assert_false(utf8_printable("eu20\xe2\x80\x8f"));
	assert_false(utf8_printable("a\xd8\x9c"
	                            "b"));
	assert_false(utf8_printable("\xe2\x81\xa6x\xe2\x81\xa9"));
	/* U+202F (narrow no-break space) right next to them is fine. */
	assert_true(utf8_printable("a\xe2\x80\xaf"
	                           "b"));
}

static void
test_escape(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(utf8_escape(out, sizeof(out), "eu20"), "eu20");
	assert_string_equal(
	    utf8_escape(out, sizeof(out), "a\"b\\c"), "a\\\"b\\\\c");
	/* ESC, a bidi override (all three bytes), a bad byte, a C1 */
	assert_string_equal(utf8_escape(out, sizeof(out),
	                        "\x1b[2J\xe2\x80\xae"
	                        "x\xff\xc2\x9b"),
	    "\\x1b[2J\\xe2\\x80\\xaex\\xff\\xc2\\x9b");
	/* é and → are printable: kept as they are */
	assert_string_equal(
	    utf8_escape(out, sizeof(out), "caf\xc3\xa9\xe2\x86\x92"),
	    "caf\xc3\xa9\xe2\x86\x92");
	/* cut short at a character boundary, never mid-escape */
	assert_string_equal(utf8_escape(out, 8,
	                        "abc\x1b"
	                        "def"),
	    "abc\\x1b");
	assert_string_equal(utf8_escape(out, 7,
	                        "abc\x1b"
	                        "def"),
	    "abc");
	assert_string_equal(
	    utf8_escape(out, 5, "ab\xc3\xa9\xc3\xa9"), "ab\xc3\xa9");
	assert_string_equal(utf8_escape(out, 1, "abc"), "");
}

static void
test_sanitize(void **state)
{
	char s[] = "ok\tx\x1b[1m\xc2\x9b\xff\xc3\xa9\x7f";

	(void)state;
	utf8_sanitize(s, strlen(s), '?');
	/* tab kept, ESC, C1 (both bytes), bad byte and DEL replaced, é kept */
	assert_string_equal(s, "ok\tx?[1m???\xc3\xa9?");
	/* a sequence cut by len is replaced byte by byte, not read past */
	char t[] = "a\xe2\x86\x92";
	utf8_sanitize(t, 3, '?');
	assert_string_equal(t, "a??\x92");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_controls),
	    cmocka_unit_test(test_sanitize),
	    cmocka_unit_test(test_bidi),
	    cmocka_unit_test(test_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
