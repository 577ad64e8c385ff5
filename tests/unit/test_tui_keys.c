/* keys, glyphs and text: the key table drives lookup, help and the key
 * bar; ASCII glyphs are pure ASCII; truncation counts display width. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <locale.h>
#include <string.h>

#include "app_keys.h"
#include "glyphs.h"
#include "keys.h"
#include "text.h"

static void
test_lookup(void **state)
{
	(void)state;
	assert_int_equal(keys_lookup(KCTX_MAIN, 'q'), KA_QUIT);
	assert_int_equal(keys_lookup(KCTX_MAIN, 'j'), KA_DOWN);
	assert_int_equal(keys_lookup(KCTX_MAIN, KEY_DOWN), KA_DOWN);
	assert_int_equal(keys_lookup(KCTX_MAIN, 'k'), KA_UP);
	assert_int_equal(keys_lookup(KCTX_MAIN, '\t'), KA_NEXT_PANE);
	assert_int_equal(keys_lookup(KCTX_MAIN, '\n'), KA_DETAILS);
	assert_int_equal(keys_lookup(KCTX_MAIN, 'r'), KA_REPROBE);
	assert_int_equal(keys_lookup(KCTX_MAIN, 'x'), KA_DISABLE);
	assert_int_equal(keys_lookup(KCTX_MAIN, 't'), KA_THEME);
	assert_int_equal(keys_lookup(KCTX_MAIN, '?'), KA_HELP);
	assert_int_equal(keys_lookup(KCTX_MAIN, 'z'), KA_NONE);
	/* Esc only closes dialogs */
	assert_int_equal(keys_lookup(KCTX_MAIN, 27), KA_NONE);
	assert_int_equal(keys_lookup(KCTX_DIALOG, 27), KA_CLOSE);
	assert_int_equal(keys_lookup(KCTX_CONFIRM, 27), KA_CLOSE);
	assert_int_equal(keys_lookup(KCTX_CONFIRM, '\n'), KA_CONFIRM);
	assert_int_equal(keys_lookup(KCTX_CONFIRM, 'q'), KA_NONE);
	assert_int_equal(keys_lookup(KCTX_DEMO, '1'), KA_FAULT1);
	assert_int_equal(keys_lookup(KCTX_DEMO, '3'), KA_FAULT3);
	assert_int_equal(keys_lookup(KCTX_REPLAY, ' '), KA_PAUSE);
	assert_int_equal(keys_lookup(KCTX_REPLAY, ']'), KA_SEEK_NEXT);
}

/* Every key the tables bind (and so the help screen and the key bar
 * show) does something: a handler table entry per action. */
static void
test_every_bound_key_has_a_handler(void **state)
{
	char missing[128] = "";

	(void)state;
	if (!app_keys_complete(missing, sizeof(missing)))
		fail_msg("no handler for %s", missing);
}

static void
test_help_from_table(void **state)
{
	char lines[64][128];
	int n;
	bool up = false, quit = false;

	(void)state;
	n = keys_help(KCTX_MAIN, lines, 64);
	/* one line per row with help text, and that is most actions */
	{
		size_t rows, helps = 0;
		const KeyBinding *t = keys_table(KCTX_MAIN, &rows);

		for (size_t i = 0; i < rows; i++)
			helps += t[i].help != NULL;
		assert_int_equal(n, (int)helps);
		assert_true(n >= 10);
	}
	for (int i = 0; i < n; i++) {
		if (strncmp(lines[i], "Up, k ", 6) == 0) {
			up = true;
			assert_non_null(strstr(lines[i], "previous"));
		}
		if (strncmp(lines[i], "q ", 2) == 0) {
			quit = true;
			assert_non_null(strstr(lines[i], "quit"));
		}
	}
	assert_true(up);
	assert_true(quit);
	n = keys_help(KCTX_DIALOG, lines, 64);
	assert_true(n >= 1);
	assert_true(strncmp(lines[0], "Esc, q, ?, Enter ", 17) == 0);
	assert_int_equal(keys_help(KCTX_MAIN, lines, 2), 2);
}

static void
test_bar_fits(void **state)
{
	char buf[256];
	size_t len;

	(void)state;
	len = keys_bar(KCTX_MAIN, KCTX_DEMO, 79, buf, sizeof(buf));
	assert_int_equal(len, strlen(buf));
	assert_true(len <= 79);
	assert_non_null(strstr(buf, "1-3 fault"));
	assert_non_null(strstr(buf, "q quit"));
	assert_non_null(strstr(buf, "? help"));
	len = keys_bar(KCTX_MAIN, KCTX_MAIN, 200, buf, sizeof(buf));
	assert_null(strstr(buf, "fault"));
	assert_non_null(strstr(buf, "j/k select"));
	len = keys_bar(KCTX_MAIN, KCTX_MAIN, 20, buf, sizeof(buf));
	assert_true(len <= 20 && len > 0);
	len = keys_bar(KCTX_MAIN, KCTX_MAIN, 3, buf, sizeof(buf));
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
}

static void
test_glyph_tables(void **state)
{
	const Glyphs *a = glyphs_select(false), *u = glyphs_select(true);

	(void)state;
	assert_false(a->utf8);
	assert_true(u->utf8);
	assert_true(glyphs_is_ascii(a));
	assert_false(glyphs_is_ascii(u));
	assert_string_equal(a->hline, "-");
	assert_string_equal(a->vline, "|");
	assert_string_equal(a->corner_tl, "+");
}

static void
test_text_width_and_fit(void **state)
{
	char out[64];

	(void)state;
	assert_non_null(setlocale(LC_CTYPE, "C.UTF-8"));
	text_set_ascii(false);
	assert_int_equal(text_width("eu20"), 4);
	assert_int_equal(text_width("Z\xc3\xbcrich"), 6); /* Zürich */
	assert_int_equal(text_width("\xe6\x9d\xb1\xe4\xba\xac"), 4); /* 東京 */
	/* a wide character is never cut in half */
	assert_int_equal(
	    text_fit("\xe6\x9d\xb1\xe4\xba\xac", 3, NULL, out, sizeof(out)), 2);
	assert_string_equal(out, "\xe6\x9d\xb1");
	/* truncation leaves room for the ellipsis */
	assert_int_equal(text_fit("Frankfurt", 6, "~", out, sizeof(out)), 6);
	assert_string_equal(out, "Frank~");
	assert_int_equal(text_fit("Frankfurt", 9, "~", out, sizeof(out)), 9);
	assert_string_equal(out, "Frankfurt");
	assert_int_equal(text_fit("\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd", 5,
	                     "\xe2\x80\xa6", out, sizeof(out)),
	    5);
	assert_string_equal(out, "\xe6\x9d\xb1\xe4\xba\xac\xe2\x80\xa6");
	/* ASCII mode: every non-ASCII character becomes one '?' */
	text_set_ascii(true);
	assert_int_equal(text_width("\xe6\x9d\xb1\xe4\xba\xac"), 2);
	text_fit("Z\xc3\xbcrich \xe6\x9d\xb1", 20, "~", out, sizeof(out));
	assert_string_equal(out, "Z?rich ?");
	text_fit("bad \xff\xfe byte\x01", 20, NULL, out, sizeof(out));
	assert_string_equal(out, "bad ?? byte?");
	text_set_ascii(false);
	/* the buffer bounds the copy */
	assert_int_equal(text_fit("abcdef", 10, NULL, out, 4), 3);
	assert_string_equal(out, "abc");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lookup),
	    cmocka_unit_test(test_every_bound_key_has_a_handler),
	    cmocka_unit_test(test_help_from_table),
	    cmocka_unit_test(test_bar_fits),
	    cmocka_unit_test(test_glyph_tables),
	    cmocka_unit_test(test_text_width_and_fit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
