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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
