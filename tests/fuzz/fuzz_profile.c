/*
 * fuzz_profile: libFuzzer harness for the profile loader (core/profile).
 *
 * Any input must either load or be refused with at least one error, never
 * crash or leak. A loaded profile must survive its own JSON rendering:
 * profile_to_json() re-parses (PROFILE_NO_ENV) into a profile whose
 * rendering is byte-identical, and the redacted rendering never holds a
 * header value. Build and run with tests/fuzz/Makefile (`make fuzz`).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/profile.h"

#define SECRET "fuzz-secret-value-0123456789"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* So ${env:FUZZ_TOKEN} substitutes and ${env:OTHER} warns. */
	setenv("FUZZ_TOKEN", SECRET, 1);
	return 0;
}

/* The redacted rendering loads, every header value in it is
 * "<redacted>", and the substituted secret is nowhere in it (unless the
 * input itself spelled it out). */
static void
check_redacted(const char *red, const uint8_t *data, size_t size)
{
	ErrList errs;
	Profile *r;

	if (strstr(red, SECRET) != NULL &&
	    memmem(data, size, SECRET, strlen(SECRET)) == NULL)
		abort();
	errlist_init(&errs);
	r = profile_parse_flags(
	    red, strlen(red), "red.json", "/fuzz", PROFILE_NO_ENV, &errs, NULL);
	if (r == NULL)
		abort();
	for (int i = 0; i < r->nendpoints; i++) {
		const Monitor *m = &r->endpoints[i].monitor;

		for (int h = 0; h < m->nheaders; h++)
			if (strcmp(m->headers[h].value, "<redacted>") != 0)
				abort();
	}
	profile_free(r);
	errlist_fini(&errs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ErrList errs, warns, errs2;
	Profile *p, *q;
	char *clear, *red, *again, err[256];

	errlist_init(&errs);
	errlist_init(&warns);
	errlist_init(&errs2);
	p = profile_parse_flags((const char *)data, size, "fuzz.json", "/fuzz",
	    PROFILE_ENV_OPTIONAL, &errs, &warns);
	if (p == NULL) {
		if (errs.count == 0)
			abort(); /* refused without saying why */
		goto out;
	}
	if (errs.count != 0)
		abort();
	clear = profile_to_json(p, false);
	red = profile_to_json(p, true);
	check_redacted(red, data, size);
	q = profile_parse_flags(clear, strlen(clear), "again.json", "/fuzz",
	    PROFILE_NO_ENV, &errs2, NULL);
	if (q == NULL) {
		errlist_print(&errs2, stderr);
		fprintf(stderr, "rendering: %s\n", clear);
		abort(); /* the rendering of a valid profile must load */
	}
	again = profile_to_json(q, false);
	if (strcmp(again, clear) != 0) {
		fprintf(stderr, "first:  %s\nsecond: %s\n", clear, again);
		abort();
	}
	/* A what-if override must leave a loadable profile either way. */
	profile_set(q, "monitor.tolerated_failures=0", err, sizeof(err));
	profile_set(q, "dns.ttl=5", err, sizeof(err));
	free(again);
	profile_free(q);
	free(red);
	free(clear);
	profile_free(p);
out:
	errlist_fini(&errs);
	errlist_fini(&warns);
	errlist_fini(&errs2);
	return 0;
}
