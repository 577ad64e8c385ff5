/*
 * fuzz_theme: libFuzzer harness for the theme file parser (tui/theme).
 *
 * Any input must parse or be refused with at least one error naming the
 * file and a line inside the input, never crash or leak; every role keeps
 * colours in -1..255 and only known attribute bits. Build and run with
 * tests/fuzz/Makefile (`make -f tests/fuzz/Makefile fuzz-theme`).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Theme t;
	ErrList errs;
	size_t lines = 1;
	const unsigned all =
	    TA_BOLD | TA_DIM | TA_UNDERLINE | TA_REVERSE | TA_STANDOUT;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	errlist_init(&errs);
	theme_builtin(&t, false);
	int rc = theme_parse(&t, (const char *)data, size, "fuzz", &errs);
	if ((rc == 0) != (errs.count == 0))
		abort();
	for (int i = 0; i < errs.count; i++) {
		unsigned long line;
		if (sscanf(errs.msgs[i], "fuzz:%lu:", &line) != 1 || line < 1 ||
		    line > lines)
			abort();
	}
	for (int r = 0; r < ROLE__COUNT; r++) {
		const RoleStyle *s = &t.roles[r];
		if (s->fg < -1 || s->fg > 255 || s->bg < -1 || s->bg > 255 ||
		    (s->attrs & ~all) != 0)
			abort();
	}
	errlist_fini(&errs);
	return 0;
}
