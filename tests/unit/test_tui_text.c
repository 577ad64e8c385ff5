/* text: what the console draws as is. Bidirectional controls in any
 * text (a marker the operator typed, a note or an action's output in a
 * log) are drawn as '?', in UTF-8 and in ASCII mode alike, so nothing
 * can reorder the screen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <locale.h>
#include <string.h>

#include "helpers.h"
#include "text.h"

static void
test_bidi_drawn_as_question_marks(void **state)
{
	/* each of the bidirectional controls, in UTF-8 */
	static const char *const bidi[] = {"\xd8\x9c", "\xe2\x80\x8e",
	    "\xe2\x80\x8f", "\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac",
	    "\xe2\x80\xad", "\xe2\x80\xae", "\xe2\x81\xa6", "\xe2\x81\xa7",
	    "\xe2\x81\xa8", "\xe2\x81\xa9"};
	char in[64], out[64];

	(void)state;
	assert_non_null(setlocale(LC_CTYPE, "C.UTF-8"));
	for (int ascii = 0; ascii < 2; ascii++) {
		text_set_ascii(ascii);
		for (size_t i = 0; i < sizeof(bidi) / sizeof(bidi[0]); i++) {
			snprintf(in, sizeof(in), "ab%scd", bidi[i]);
			assert_int_equal(text_width(in), 5);
			assert_int_equal(
			    text_fit(in, 20, NULL, out, sizeof(out)), 5);
			assert_string_equal(out, "ab?cd");
		}
	}
	text_set_ascii(false);
	/* a marker as an attacker would type it: shown in the order it
	 * was typed, the override as '?'; the other characters as they are */
	assert_int_equal(text_fit("Postman \xe2\x80\xae"
	                          "cod.exe \xc3\xa9",
	                     40, NULL, out, sizeof(out)),
	    18);
	assert_string_equal(out, "Postman ?cod.exe \xc3\xa9");
	/* cut with an ellipsis, the '?' counts one column */
	assert_int_equal(text_fit("\xe2\x80\xae"
	                          "abcdef",
	                     4, "~", out, sizeof(out)),
	    4);
	assert_string_equal(out, "?ab~");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bidi_drawn_as_question_marks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
