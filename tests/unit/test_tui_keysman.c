/* keysman: the manual's KEYS section holds every row of every key table
 * (its title, each help line, each named key in bold), in table order,
 * roff-escaped; and nothing that is not in a table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "keysman.h"

static char *
man_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(keys_man(f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* name as the manual writes it: bold, '-' as "\-" */
static void
bold(char *out, size_t cap, const char *name)
{
	size_t n = (size_t)snprintf(out, cap, "\\fB");

	for (; *name != '\0' && n + 4 < cap; name++) {
		if (*name == '-')
			out[n++] = '\\';
		out[n++] = *name;
	}
	snprintf(out + n, cap - n, "\\fR");
}

static void
test_every_row_in_order(void **state)
{
	char *text = man_text();
	const char *at = text;
	int tps = 0, helps = 0;

	(void)state;
	for (int c = 0; c < KCTX__COUNT; c++) {
		size_t n;
		const KeyBinding *t = keys_table((KeyContext)c, &n);
		char want[160];

		if (c == KCTX_VIEW) { /* the Console's rows, less the acting */
			snprintf(want, sizeof(want), ".SS %s\n",
			    keys_context_title((KeyContext)c));
			assert_null(strstr(text, want));
			continue;
		}
		snprintf(want, sizeof(want), ".SS %s\n",
		    keys_context_title((KeyContext)c));
		at = strstr(at, want);
		if (at == NULL)
			fail_msg("no section %s", want);
		for (size_t i = 0; i < n; i++) {
			const char *line;
			char key[64];

			if (t[i].help == NULL)
				continue;
			helps++;
			/* the help line, after the keys of its action */
			snprintf(want, sizeof(want), "\n%s\n", t[i].help);
			line = strstr(at, want);
			if (line == NULL)
				fail_msg(
				    "context %d: no help \"%s\"", c, t[i].help);
			for (size_t j = 0; j < n; j++) {
				const char *k;
				if (t[j].action != t[i].action ||
				    t[j].name == NULL)
					continue;
				bold(key, sizeof(key), t[j].name);
				k = strstr(at, key);
				if (k == NULL || k > line)
					fail_msg("context %d: key %s not "
					         "before \"%s\"",
					    c, key, t[i].help);
			}
			at = line + 1;
		}
	}
	for (const char *p = text; (p = strstr(p, ".TP\n")) != NULL; p++)
		tps++;
	/* one .TP per help line, none invented */
	assert_int_equal(tps, helps);
	assert_true(helps >= 30);
	free(text);
}

static void
test_roff_safe(void **state)
{
	char *text = man_text();

	(void)state;
	/* no line starts a request by accident, no bare '-' in a key */
	for (const char *l = text; *l != '\0';) {
		const char *nl = strchr(l, '\n');
		assert_non_null(nl);
		if (l[0] == '.')
			assert_true(strncmp(l, ".SS ", 4) == 0 ||
			    strncmp(l, ".TP\n", 4) == 0);
		assert_false(l[0] == '\'');
		l = nl + 1;
	}
	assert_non_null(strstr(text, "S-Tab back")); /* in Tab's help */
	assert_non_null(strstr(text, "\\fBPgUp\\fR"));
	assert_non_null(strstr(text, "\\fB\\-\\fR"));
	assert_null(strstr(text, "\\fB-"));
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_row_in_order),
	    cmocka_unit_test(test_roff_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
