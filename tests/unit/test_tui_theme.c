/* theme: files parse into roles, errors name file and line, the shipped
 * dark and mono files equal the built-in tables, every shipped theme
 * loads; on 8, 16 and 256 colours no role of any shipped theme draws
 * black text on the default background or text in its own background
 * colour, and 8 colours never get a colour above 7. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "colourfit.h"
#include "theme.h"

static void
test_parse_roles(void **state)
{
	Theme t;
	ErrList errs;
	const char *text = "# a comment\n"
	                   "\n"
	                   "degraded = bright-red on black bold underline\n"
	                   "  online=green   # trailing comment\n"
	                   "selected = 17 on 231 reverse\n";

	(void)state;
	errlist_init(&errs);
	theme_builtin(&t, false);
	assert_int_equal(theme_parse(&t, text, strlen(text), "x", &errs), 0);
	assert_int_equal(errs.count, 0);
	assert_int_equal(t.roles[ROLE_DEGRADED].fg, 9);
	assert_int_equal(t.roles[ROLE_DEGRADED].bg, 0);
	assert_int_equal(t.roles[ROLE_DEGRADED].attrs, TA_BOLD | TA_UNDERLINE);
	assert_int_equal(t.roles[ROLE_ONLINE].fg, 2);
	assert_int_equal(t.roles[ROLE_ONLINE].bg, -1);
	assert_int_equal(t.roles[ROLE_ONLINE].attrs, 0);
	assert_int_equal(t.roles[ROLE_SELECTED].fg, 17);
	assert_int_equal(t.roles[ROLE_SELECTED].bg, 231);
	assert_int_equal(t.roles[ROLE_SELECTED].attrs, TA_REVERSE);
	errlist_fini(&errs);
}

static void
test_errors_by_line(void **state)
{
	Theme t;
	ErrList errs;
	const char *text = "online = green\n"
	                   "bogus = red\n"
	                   "degraded = purple\n"
	                   "checking yellow\n"
	                   "target = red on\n"
	                   "land = 256\n"
	                   "marker =\n"
	                   "title = blue\n";

	(void)state;
	errlist_init(&errs);
	theme_builtin(&t, false);
	assert_int_equal(
	    theme_parse(&t, text, strlen(text), "my.theme", &errs), -1);
	assert_int_equal(errs.count, 6);
	assert_string_equal(errs.msgs[0], "my.theme:2: unknown role \"bogus\"");
	assert_string_equal(errs.msgs[1],
	    "my.theme:3: degraded: \"purple\" is not a colour or attribute");
	assert_string_equal(
	    errs.msgs[2], "my.theme:4: expected \"role = colours\"");
	assert_string_equal(errs.msgs[3],
	    "my.theme:5: target: \"on\" needs a background colour");
	assert_string_equal(errs.msgs[4],
	    "my.theme:6: land: \"256\" is not a colour or attribute");
	assert_string_equal(
	    errs.msgs[5], "my.theme:7: marker: no colour or attribute");
	/* the good lines still applied */
	assert_int_equal(t.roles[ROLE_ONLINE].fg, 2);
	assert_int_equal(t.roles[ROLE_TITLE].fg, 4);
	errlist_fini(&errs);
}

static void
test_shipped_files(void **state)
{
	const char *root = getenv("DRTOP_ROOT");
	char path[4096];
	Theme t, builtin;
	ErrList errs;

	(void)state;
	errlist_init(&errs);
	snprintf(path, sizeof(path), "%s/themes/dark", root ? root : ".");
	assert_int_equal(theme_load(&t, path, &errs), 0);
	theme_builtin(&builtin, false);
	assert_memory_equal(t.roles, builtin.roles, sizeof(t.roles));
	assert_false(t.mono);
	snprintf(path, sizeof(path), "%s/themes/mono", root ? root : ".");
	assert_int_equal(theme_load(&t, path, &errs), 0);
	theme_builtin(&builtin, true);
	assert_memory_equal(t.roles, builtin.roles, sizeof(t.roles));
	assert_true(t.mono);
	for (int i = 0; theme_cycle[i]; i++) {
		snprintf(path, sizeof(path), "%s/themes/%s", root ? root : ".",
		    theme_cycle[i]);
		assert_int_equal(theme_load(&t, path, &errs), 0);
		assert_string_equal(t.name, theme_cycle[i]);
	}
	assert_int_equal(errs.count, 0);
	/* an unknown name is an error naming it; dark works without files */
	assert_int_equal(theme_load(&t, "no-such-theme", &errs), -1);
	assert_int_equal(errs.count, 1);
	assert_non_null(strstr(errs.msgs[0], "no-such-theme"));
	errlist_fini(&errs);
}

static void
test_ansi16(void **state)
{
	(void)state;
	assert_int_equal(colourfit_ansi16(3), 3); /* ANSI stays */
	assert_int_equal(colourfit_ansi16(244), 8); /* mid grey */
	assert_int_equal(colourfit_ansi16(254), 7); /* light grey */
	assert_int_equal(colourfit_ansi16(233), 0); /* near black */
	assert_int_equal(colourfit_ansi16(160), 1); /* red3 */
	assert_int_equal(colourfit_ansi16(22), 2); /* dark green */
	assert_int_equal(colourfit_ansi16(130), 3); /* dark orange */
	assert_int_equal(colourfit_ansi16(220), 11); /* gold */
	assert_int_equal(colourfit_ansi16(90), 5); /* purple */
	assert_int_equal(colourfit_ansi16(110), 6); /* steel blue */
	assert_int_equal(colourfit_ansi16(21), 12); /* blue1 */
}

static void
test_fit_rules(void **state)
{
	ColourFit f;

	(void)state;
	/* 8 colours: bright-black is the default colour, dim */
	f = colourfit(8, -1, 0, 8);
	assert_int_equal(f.fg, -1);
	assert_true(f.attrs & TA_DIM);
	/* 16 colours keep it: grey shows on dark and light alike */
	f = colourfit(8, -1, 0, 16);
	assert_int_equal(f.fg, 8);
	assert_false(f.attrs & TA_DIM);
	/* 8 colours: bright-yellow is yellow in bold, as a background yellow */
	f = colourfit(11, 11, 0, 8);
	assert_int_equal(f.fg, 3);
	assert_int_equal(f.bg, 3);
	assert_true(f.attrs & TA_BOLD);
	/* black on the default background is the default colour anywhere */
	f = colourfit(0, -1, TA_UNDERLINE, 256);
	assert_int_equal(f.fg, -1);
	assert_int_equal(f.attrs, TA_UNDERLINE);
	/* black on a colour stays black */
	f = colourfit(0, 6, 0, 8);
	assert_int_equal(f.fg, 0);
	assert_int_equal(f.bg, 6);
	/* 256-colour values pass through where there are 256 */
	f = colourfit(244, 153, 0, 256);
	assert_int_equal(f.fg, 244);
	assert_int_equal(f.bg, 153);
}

static void
test_shipped_on_every_terminal(void **state)
{
	const char *root = getenv("DRTOP_ROOT");
	static const int ncolors[] = {8, 16, 256};
	char path[4096];
	Theme t;
	ErrList errs;

	(void)state;
	errlist_init(&errs);
	for (int i = 0; theme_cycle[i]; i++) {
		snprintf(path, sizeof(path), "%s/themes/%s", root ? root : ".",
		    theme_cycle[i]);
		assert_int_equal(theme_load(&t, path, &errs), 0);
		for (size_t n = 0; n < sizeof(ncolors) / sizeof(*ncolors); n++)
			for (int r = 0; r < ROLE__COUNT; r++) {
				const RoleStyle *st = &t.roles[r];
				ColourFit f = colourfit(
				    st->fg, st->bg, st->attrs, ncolors[n]);

				if (f.bg == -1 && f.fg == 0)
					fail_msg("%s/%s on %d colours: black "
					         "on the default background",
					    theme_cycle[i], theme_role_name(r),
					    ncolors[n]);
				if (f.fg != -1 && f.fg == f.bg)
					fail_msg("%s/%s on %d colours: text in "
					         "its background colour",
					    theme_cycle[i], theme_role_name(r),
					    ncolors[n]);
				assert_true(f.fg < ncolors[n]);
				assert_true(f.bg < ncolors[n]);
			}
	}
	errlist_fini(&errs);
}

static void
test_role_names(void **state)
{
	(void)state;
	assert_string_equal(theme_role_name(ROLE_DEGRADED), "degraded");
	assert_string_equal(theme_role_name(ROLE_DEFAULT), "default");
	assert_null(theme_role_name(ROLE__COUNT));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_roles),
	    cmocka_unit_test(test_errors_by_line),
	    cmocka_unit_test(test_shipped_files),
	    cmocka_unit_test(test_role_names),
	    cmocka_unit_test(test_ansi16),
	    cmocka_unit_test(test_fit_rules),
	    cmocka_unit_test(test_shipped_on_every_terminal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
