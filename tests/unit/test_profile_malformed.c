/* profile: text that is not JSON, located by line and column.
 *
 *   malformed_cases  bytes that are not JSON -> the located error
 * A failing row is named on stderr before the assertion that fails.
 * Inputs built in code are a test of their own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "profile_fx.h"

/* ---- malformed JSON: located by line and column ---- */

typedef struct {
	const char *name;
	const char *json;
	size_t len; /* the text need not end in NUL */
	const char *msg; /* the full message */
} MalformedCase;

#define BYTES(s) s, sizeof(s) - 1

static const MalformedCase malformed_cases[] = {
    {"missing value", BYTES("{\n  \"a\": [1,\n  }"),
        "p.json:3:3: malformed JSON near '}'"},
    {"text after the object", BYTES("{\"service\":\"x\"} x"),
        "p.json:1:17: unexpected text after the JSON object"},
    {"empty file", BYTES(""), "p.json:1:1: malformed JSON: empty file"},
    {"blank file", BYTES(" \n "), "p.json:2:2: malformed JSON: empty file"},
    /* a trailing comma is pointed at, not where cJSON gave up */
    {"trailing comma in an array",
        BYTES("{\n  \"service\": \"s\",\n  \"endpoints\": [\n"
              "    {\"name\": \"a\", \"target\": \"http://x:1/\"},\n"
              "  ]\n}\n"),
        "p.json:4:43: malformed JSON: a comma before ']' (JSON allows no "
        "trailing comma; remove it)"},
    {"trailing comma in an object",
        BYTES("{\n  \"dns\": {\"ttl\": 5,},\n  \"service\": \"s\"\n}"),
        "p.json:2:19: malformed JSON: a comma before '}' (JSON allows no "
        "trailing comma; remove it)"},
    {"trailing comma at the end, before a blank line",
        BYTES("{\"service\": \"s\",\n\n}"),
        "p.json:1:16: malformed JSON: a comma before '}' (JSON allows no "
        "trailing comma; remove it)"},
    {"a comma inside a string is no trailing comma",
        BYTES("{\"a\": \",]\", \"b\": [1,, 2]}"),
        "p.json:1:21: malformed JSON near ','"},
    /* columns count characters, not bytes */
    {"after a UTF-8 string", BYTES("{\"r\":\"Zürich\" x}"),
        "p.json:1:15: malformed JSON near 'x'"},
};

static void
test_malformed_json(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(malformed_cases); i++) {
		const MalformedCase *mc = &malformed_cases[i];
		ErrList e;
		Profile *p;

		errlist_init(&e);
		p = profile_parse(mc->json, mc->len, "p.json", BASEDIR, &e);
		if (p != NULL || e.count != 1 ||
		    strcmp(e.msgs[0], mc->msg) != 0) {
			bad++;
			fprintf(stderr, "case \"%s\"\n  want: %s\n", mc->name,
			    mc->msg);
			pf_print_errs(&e);
		}
		profile_free(p);
		errlist_fini(&e);
	}
	assert_int_equal(bad, 0);
}

/* Inputs built in code, or where only the place is pinned down. */
static void
test_malformed_json_other(void **state)
{
	char deep[3000];
	/* Not NUL-terminated: the parser must stay inside len. */
	char raw[] = {'{', '"', 'a'};
	ErrList e;

	(void)state;
	memset(deep, '[', sizeof(deep));
	errlist_init(&e);
	assert_null(profile_parse(deep, sizeof(deep), "p.json", BASEDIR, &e));
	assert_int_equal(e.count, 1);
	assert_string_equal(e.msgs[0],
	    "p.json:1:1001: malformed JSON: nested more than 1000 levels deep");
	errlist_fini(&e);

	errlist_init(&e);
	assert_null(profile_parse("\x01\x02", 2, "p.json", NULL, &e));
	assert_int_equal(e.count, 1);
	assert_true(str_starts(e.msgs[0], "p.json:1:"));
	assert_non_null(strstr(e.msgs[0], "malformed JSON near byte 0x0"));
	errlist_fini(&e);

	errlist_init(&e);
	assert_null(profile_parse(raw, sizeof(raw), "p.json", NULL, &e));
	assert_int_equal(e.count, 1);
	assert_true(str_starts(e.msgs[0], "p.json:1:"));
	errlist_fini(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_malformed_json),
	    cmocka_unit_test(test_malformed_json_other),
	};

	return cmocka_run_group_tests(tests, pf_env_setup, pf_env_teardown);
}
