/* cmd_console and cmd_console_replay refuse bad command lines with exit
 * status 2 before touching the terminal or starting anything. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd.h"

static int
run(int (*fn)(int, char **), int argc, const char *const *argv)
{
	return fn(argc, (char **)argv);
}

static void
test_console_usage(void **state)
{
	const char *none[] = {"drtop", "--ascii"};
	const char *both[] = {"drtop", "--demo", "p.json"};
	const char *two[] = {"drtop", "a.json", "b.json"};
	const char *unknown[] = {"drtop", "--demo", "--bogus"};
	const char *theme[] = {"drtop", "--theme", "no-such-theme", "--demo"};
	const char *missing[] = {"drtop", "/nonexistent/profile.json"};

	(void)state;
	assert_int_equal(run(cmd_console, 2, none), 2);
	assert_int_equal(run(cmd_console, 3, both), 2);
	assert_int_equal(run(cmd_console, 3, two), 2);
	assert_int_equal(run(cmd_console, 3, unknown), 2);
	assert_int_equal(run(cmd_console, 4, theme), 2);
	assert_int_equal(run(cmd_console, 2, missing), 2);
}

static void
test_replay_usage(void **state)
{
	const char *none[] = {"replay"};
	const char *speed[] = {"replay", "--speed", "100", "x.jsonl"};
	const char *nan[] = {"replay", "--speed", "fast", "x.jsonl"};
	const char *missing[] = {"replay", "/nonexistent/drill.jsonl"};
	const char *two[] = {"replay", "a.jsonl", "b.jsonl"};
	char path[] = "/tmp/drtop-test-badlog-XXXXXX";
	int fd = mkstemp(path);
	const char *bad[] = {"replay", path};

	(void)state;
	assert_true(fd >= 0);
	/* not a session header on line 1 */
	assert_true(write(fd, "{\"type\":\"probe\"}\n", 17) == 17);
	close(fd);
	assert_int_equal(run(cmd_console_replay, 1, none), 2);
	assert_int_equal(run(cmd_console_replay, 4, speed), 2);
	assert_int_equal(run(cmd_console_replay, 4, nan), 2);
	assert_int_equal(run(cmd_console_replay, 2, missing), 2);
	assert_int_equal(run(cmd_console_replay, 3, two), 2);
	assert_int_equal(run(cmd_console_replay, 2, bad), 2);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_console_usage),
	    cmocka_unit_test(test_replay_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
