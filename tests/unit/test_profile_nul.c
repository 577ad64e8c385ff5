/* profile: a NUL in a string or key is refused at its JSON path; what
 * only looks like one is text.
 *
 *   nul_cases        text with a NUL -> every error, in order
 * A failing row is named on stderr before the assertion that fails. */
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

/* A NUL in a string or key: cJSON would cut the string there without a
 * word, so the loader refuses it at its JSON path. The texts are given
 * with their length: a raw 0x00 byte is part of them. */
typedef struct {
	const char *name;
	const char *json; /* ' for ", as elsewhere */
	size_t len; /* sizeof the literal - 1: the raw NULs included */
	const char *msgs[3]; /* every error, in order */
} NulCase;

#define NUL_CASE(name, json, ...)                                              \
	{                                                                      \
		name, json, sizeof(json) - 1,                                  \
		{                                                              \
			__VA_ARGS__                                            \
		}                                                              \
	}
#define NUL_STR "which no profile string may hold"

static const NulCase nul_cases[] = {
    NUL_CASE("escape in the service",
        "{'service':'cpi\\u0000prod','endpoints':[" MIN_EP "]}",
        "p.json: service: contains a NUL character (\\u0000), " NUL_STR),
    NUL_CASE("raw byte in an endpoint name",
        "{'service':'s','endpoints':[" MIN_EP
        ",{'name':'eu\0x','target':'https://b.example.com'}]}",
        "p.json: endpoints[1].name: contains a NUL byte (0x00), " NUL_STR),
    NUL_CASE("raw byte at the end of a string",
        "{'service':'s\0','endpoints':[" MIN_EP "]}",
        "p.json: service: contains a NUL byte (0x00), " NUL_STR),
    NUL_CASE("escape in an argv, with an escaped quote before it",
        "{'service':'s','endpoints':[" MIN_EP "],'actions':{'failover':"
        "{'argv':['./x','a\\'b\\u0000c']}}}",
        "p.json: actions.failover.argv[1]: contains a NUL character "
        "(\\u0000), " NUL_STR),
    NUL_CASE("escape in a key",
        "{'service':'s','endpoints':[" MIN_EP "],'monitor':{'headers':"
        "{'X-A\\u0000B':'v'}}}",
        "p.json: monitor.headers.X-A: the key contains a NUL character "
        "(\\u0000), which no profile key may hold"),
    NUL_CASE("every one is reported, in text order",
        "{'service':'a\\u0000','endpoints':[{'name':'a','target':"
        "'https://a.example.com','region':'r\0'}]}",
        "p.json: service: contains a NUL character (\\u0000), " NUL_STR,
        "p.json: endpoints[0].region: contains a NUL byte (0x00), " NUL_STR),
    NUL_CASE("raw byte between tokens is malformed JSON",
        "{'service':'s',\n \0'endpoints':[" MIN_EP "]}",
        "p.json:2:2: malformed JSON near byte 0x00"),
};

static void
test_nul(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(nul_cases); i++) {
		const NulCase *nc = &nul_cases[i];
		char *json = xmalloc(nc->len);
		int want = 0;
		ErrList e;
		Profile *p;

		memcpy(json, nc->json, nc->len);
		for (size_t k = 0; k < nc->len; k++)
			if (json[k] == '\'')
				json[k] = '"';
		while (want < 3 && nc->msgs[want] != NULL)
			want++;
		errlist_init(&e);
		p = profile_parse(json, nc->len, "p.json", BASEDIR, &e);
		bool ok = p == NULL && e.count == want;
		for (int k = 0; ok && k < want; k++)
			ok = strcmp(e.msgs[k], nc->msgs[k]) == 0;
		if (!ok) {
			bad++;
			fprintf(stderr, "case \"%s\"\n", nc->name);
			for (int k = 0; k < want; k++)
				fprintf(stderr, "  want: %s\n", nc->msgs[k]);
			pf_print_errs(&e);
		}
		profile_free(p);
		errlist_fini(&e);
		free(json);
	}
	assert_int_equal(bad, 0);
}

/* What only looks like a NUL is text: an escaped backslash before
 * "u0000" is the six characters \u0000. */
static void
test_nul_lookalike(void **state)
{
	Profile *p;

	(void)state;
	p = pf_must_load("escaped backslash, then u0000",
	    WRAP(",'monitor':{'body_contains':'a\\\\u0000'}", MIN_EP), 0);
	assert_string_equal(p->endpoints[0].monitor.body_contains, "a\\u0000");
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nul),
	    cmocka_unit_test(test_nul_lookalike),
	};

	return cmocka_run_group_tests(tests, pf_env_setup, pf_env_teardown);
}
