/* argsubst: placeholders inside one argument, literal braces, one pass,
 * and the check for unknown placeholder names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "model/argsubst.h"

static const ArgVars vars = {
    .from = "eu20", .to = "us21", .service = "cpi-prod"};

static void
expect_subst(const char *tmpl, const ArgVars *v, const char *want)
{
	char *got = argsubst(tmpl, v);

	assert_string_equal(got, want);
	free(got);
}

static void
test_placeholders(void **state)
{
	(void)state;
	expect_subst("{from}", &vars, "eu20");
	expect_subst("--to={to}", &vars, "--to=us21");
	expect_subst("{service}/{from}->{to}!", &vars, "cpi-prod/eu20->us21!");
	expect_subst("{to}{to}", &vars, "us21us21");
	expect_subst("", &vars, "");
	expect_subst("plain", &vars, "plain");
}

static void
test_literal_braces_and_unknown(void **state)
{
	(void)state;
	/* No escape syntax: doubled braces are text, so JSON survives. */
	expect_subst("{{to}}", &vars, "{us21}");
	expect_subst("}}", &vars, "}}");
	expect_subst("{\"Changes\":[{\"Set\":{\"Id\":\"{from}\"}}]}", &vars,
	    "{\"Changes\":[{\"Set\":{\"Id\":\"eu20\"}}]}");
	expect_subst("{x}", &vars, "{x}");
	expect_subst("{\"a\":1}", &vars, "{\"a\":1}");
	expect_subst("{", &vars, "{");
	expect_subst("}", &vars, "}");
	expect_subst("a{b", &vars, "a{b");
	expect_subst("{fro}{from", &vars, "{fro}{from");
	expect_subst("{To}", &vars, "{To}");
}

static void
test_values_verbatim_one_pass(void **state)
{
	/* Values are inserted as they are and never substituted again. */
	ArgVars v = {
	    .from = "{to}", .to = "a b;$(echo x)`id`\n\"'*", .service = NULL};

	(void)state;
	expect_subst("{from}", &v, "{to}");
	expect_subst("<{to}>", &v, "<a b;$(echo x)`id`\n\"'*>");
	expect_subst("[{service}]", &v, "[]");
}

static void
test_argv(void **state)
{
	char t0[] = "./tm.sh", t1[] = "{from}", t2[] = "--target",
	     t3[] = "{to} now";
	char *tmpl[] = {t0, t1, t2, t3, NULL};
	char **argv;

	(void)state;
	argv = argsubst_argv(tmpl, &vars);
	assert_string_equal(argv[0], "./tm.sh");
	assert_string_equal(argv[1], "eu20");
	assert_string_equal(argv[2], "--target");
	assert_string_equal(argv[3], "us21 now");
	assert_null(argv[4]);
	argsubst_argv_free(argv);
	argsubst_argv_free(NULL);

	char *empty[] = {NULL};
	argv = argsubst_argv(empty, &vars);
	assert_null(argv[0]);
	argsubst_argv_free(argv);
}

static void
test_check(void **state)
{
	char err[256] = "";

	(void)state;
	assert_int_equal(argsubst_check("{from}-{to}-{service}", err, 256), 0);
	assert_int_equal(argsubst_check("{\"a\":{\"b\":1}}", err, 256), 0);
	assert_int_equal(argsubst_check("{\"a\":1}", err, 256), 0);
	assert_int_equal(argsubst_check("{X}", err, 256), 0);
	assert_int_equal(argsubst_check("{ from }", err, 256), 0);
	assert_int_equal(argsubst_check("lone { and }", err, 256), 0);
	assert_int_equal(argsubst_check("x{form}y", err, 256), -1);
	assert_non_null(strstr(err, "unknown placeholder {form}"));
	assert_int_equal(argsubst_check("{to}{region_2}", err, 256), -1);
	assert_non_null(strstr(err, "{region_2}"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_placeholders),
	    cmocka_unit_test(test_literal_braces_and_unknown),
	    cmocka_unit_test(test_values_verbatim_one_pass),
	    cmocka_unit_test(test_argv),
	    cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
