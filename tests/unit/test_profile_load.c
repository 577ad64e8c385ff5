/* profile: loading from a file: the file's errors, and relative paths
 * resolved against the profile's directory. */
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

static void
test_load_file(void **state)
{
	char dir[256], path[320], want[400];
	ErrList e;
	Profile *p;
	FILE *f;

	(void)state;
	errlist_init(&e);
	assert_null(profile_load("/nonexistent/x.json", &e));
	assert_int_equal(e.count, 1);
	assert_string_equal(
	    e.msgs[0], "/nonexistent/x.json: No such file or directory");
	errlist_fini(&e);

	th_tmpdir_make(dir, sizeof(dir), "profile");
	errlist_init(&e);
	assert_null(profile_load(dir, &e));
	assert_int_equal(e.count, 1);
	snprintf(want, sizeof(want), "%s: Is a directory", dir);
	assert_string_equal(e.msgs[0], want);
	errlist_fini(&e);

	snprintf(path, sizeof(path), "%s/p.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"service\":\"s\",\"endpoints\":[{\"name\":\"a\",\"target\":"
	      "\"http://127.0.0.1:1/\"}],\"actions\":{\"failover\":{\"argv\":"
	      "[\"./bin/go\"]}},\"drill\":{\"dir\":\"./logs\"}}\n",
	    f);
	fclose(f);
	errlist_init(&e);
	p = profile_load(path, &e);
	pf_print_errs(&e);
	assert_non_null(p);
	assert_string_equal(p->file, path);
	assert_string_equal(p->dir, dir);
	snprintf(want, sizeof(want), "%s/bin/go", dir);
	assert_string_equal(p->failover.steps[0].argv[0], want);
	snprintf(want, sizeof(want), "%s/logs", dir);
	assert_string_equal(p->drill_dir, want);
	profile_free(p);
	errlist_fini(&e);
	assert_int_equal(th_tmpdir_remove(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_load_file),
	};

	return cmocka_run_group_tests(tests, pf_env_setup, pf_env_teardown);
}
