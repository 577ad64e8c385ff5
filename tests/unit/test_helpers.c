/*
 * helpers: the shared test helpers must be able to fail. The double
 * comparison runs in a child process (a failed cmocka assertion outside
 * a test ends the process with a non-zero status): exactly one NaN
 * fails, two NaNs pass (null == null), eps is honoured. The temp dir is
 * made and removed with what is in it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

/* Exit status of a child that compares a and b. */
static int
compare_in_child(double a, double b, double eps)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		/* cmocka prints the failure; keep the test log quiet */
		if (freopen("/dev/null", "w", stderr) == NULL ||
		    freopen("/dev/null", "w", stdout) == NULL)
			_exit(3);
		th_assert_double(a, b, eps, "a", "b", __FILE__, __LINE__);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
test_double_compare(void **state)
{
	(void)state;
	assert_int_equal(compare_in_child(1.5, 1.5, 0), 0);
	assert_int_equal(compare_in_child(NAN, NAN, 0), 0);
	assert_int_equal(compare_in_child(1.0, 1.0 + 1e-12, 1e-9), 0);
	assert_int_not_equal(compare_in_child(1.0, NAN, 1e9), 0);
	assert_int_not_equal(compare_in_child(NAN, 0.0, 1e9), 0);
	assert_int_not_equal(compare_in_child(1.0, 1.001, 1e-9), 0);
	/* what cmocka's float assert gets wrong: 1e-9 apart as floats */
	assert_int_not_equal(compare_in_child(16777216.0, 16777217.0, 0), 0);
}

static void
test_tmpdir(void **state)
{
	char dir[128], sub[192], file[256];
	struct stat st;
	FILE *f;

	(void)state;
	th_tmpdir_make(dir, sizeof(dir), "helpers");
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	snprintf(sub, sizeof(sub), "%s/a", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(file, sizeof(file), "%s/f.txt", sub);
	f = fopen(file, "w");
	assert_non_null(f);
	fputs("x\n", f);
	fclose(f);
	assert_int_equal(th_tmpdir_remove(dir), 0);
	assert_int_not_equal(stat(dir, &st), 0);
}

static void
test_builders(void **state)
{
	Event p = th_probe(1.5, "eu20", false, PERR_TIMEOUT, -1);
	Event d = th_dns(2, "127.0.0.1:53", NULL, -1);

	(void)state;
	assert_int_equal(p.type, EV_PROBE);
	assert_double_equal(p.t, 1.5, 0);
	assert_string_equal(p.u.probe.endpoint, "eu20");
	assert_int_equal(p.u.probe.status, 0);
	assert_int_equal(p.u.probe.error, PERR_TIMEOUT);
	assert_true(p.u.probe.ms.total < 0);
	assert_string_equal(d.u.dns.endpoint, "");
	assert_int_equal(d.u.dns.ttl, -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_double_compare),
	    cmocka_unit_test(test_tmpdir),
	    cmocka_unit_test(test_builders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
