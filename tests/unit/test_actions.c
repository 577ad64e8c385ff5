/*
 * actions: the runner with real child processes (sh scripts from
 * tests/integration/helpers/ and small scripts written into a temporary
 * profile directory). Arguments arrive verbatim, environment and cwd are
 * set, output is bounded and paced, timeouts kill, and nothing is left
 * behind. Runbooks are in test_runbook.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "actions/actions.h"
#include "actions_fx.h"
#include "base/clock.h"
#include "base/util.h"
#include "helpers.h"

static void
test_argv_verbatim_env_cwd(void **state)
{
	static const char *const args[] = {"a b", "\"double\" 'single'",
	    "$(echo x)", "`echo y`", "a;b", "a|b", "*", "line1\nline2",
	    "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80", "",
	    "  lead and trail  ", "\\n\\t", ">out.txt", "$HOME",
	    "{from}->{to}@{service}", "{{to}}", "{x}"};
	static const char *const want[] = {"a b", "\"double\" 'single'",
	    "$(echo x)", "`echo y`", "a;b", "a|b", "*", "line1\nline2",
	    "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80", "",
	    "  lead and trail  ", "\\n\\t", ">out.txt", "$HOME",
	    "eu20->us21@cpi-prod", "{us21}", "{x}"};
	char **argv = ax_vec(NULL);
	Queue *q = queue_new(4096);
	Profile p = ax_mk_profile();
	ActionRunner *r;
	Action a;
	Got g = {0};
	char err[256] = "", expect[4096], *buf;
	size_t len, off = 0;
	ActionStatus st;
	const ActionEvent *fin;
	int leak;

	(void)state;
	argv[0] = ax_helper("record.sh");
	for (size_t i = 0; i < ARRAY_LEN(args); i++)
		argv[i + 1] = xstrdup(args[i]);
	a = ax_single(argv, 30);
	/* A stale variable is replaced; the rest of the environment is
	 * passed on; a non-CLOEXEC fd of ours is not inherited. */
	setenv("DRTOP_FROM", "stale", 1);
	setenv("DRTOP_TEST_PARENT", "yes", 1);
	/* The child starts with no signal blocked or ignored, whatever we
	 * block or ignore. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	leak = open("/dev/null", O_RDONLY);
	assert_true(leak >= 0);
	assert_int_equal(dup2(leak, 77), 77);
	close(leak);

	r = actions_new(&p, q, mono_now());
	assert_non_null(r);
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	ax_wait_done(r, q, &g, WAIT_S);

	buf = ax_slurp("argv.out", &len);
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		memcpy(expect + off, want[i], strlen(want[i]) + 1);
		off += strlen(want[i]) + 1;
	}
	assert_int_equal(len, off);
	assert_memory_equal(buf, expect, off);
	free(buf);

	buf = ax_slurp("env.out", &len);
	static const char envwant[] = "FROM=eu20\0TO=us21\0SERVICE=cpi-prod\0"
	                              "ACTION=failover\0STEP=\0PARENT=yes";
	assert_int_equal(len, sizeof(envwant));
	assert_memory_equal(buf, envwant, sizeof(envwant));
	free(buf);

	buf = ax_slurp("cwd.out", &len);
	assert_int_equal(len, strlen(ax_dir) + 1);
	assert_memory_equal(buf, ax_dir, strlen(ax_dir));
	free(buf);
	buf = ax_slurp("stdin.out", &len);
	assert_string_equal(buf, "/dev/null\n");
	free(buf);
	buf = ax_slurp("sig.out", &len);
	{
		unsigned long long blk = 1, ign = 1;

		assert_int_equal(
		    sscanf(buf, "SigBlk:\t%llx\nSigIgn:\t%llx", &blk, &ign), 2);
		assert_int_equal(blk, 0);
		/* glibc's posix_spawn sets its two internal signals (32, 33:
		 * thread cancellation and setxid, below SIGRTMIN) to SIG_IGN
		 * in the child; no program uses them. */
		assert_int_equal(ign & ~0x180000000ULL, 0);
	}
	free(buf);
	buf = ax_slurp("fds.out", &len);
	assert_false(ax_has_word_line(buf, "77"));
	assert_true(ax_has_word_line(buf, "0"));
	assert_true(ax_has_word_line(buf, "1"));
	assert_true(ax_has_word_line(buf, "2"));
	free(buf);

	/* Events: started, output (stdout and stderr), finished. */
	assert_int_equal(g.ev[0].u.action.phase, ACT_STARTED);
	assert_string_equal(g.ev[0].u.action.name, "failover");
	assert_string_equal(g.ev[0].u.action.from, "eu20");
	assert_string_equal(g.ev[0].u.action.to, "us21");
	assert_string_equal(g.ev[0].u.action.by, "operator");
	assert_string_equal(g.ev[0].u.action.step, "");
	assert_true(ax_has_line(&g, "a b"));
	assert_true(ax_has_line(&g, "line1"));
	assert_true(ax_has_line(&g, "line2"));
	assert_true(ax_has_line(&g, "$(echo x)"));
	assert_true(ax_has_line(&g, "done"));
	assert_int_equal(ax_count_ev(&g, ACT_STARTED, ""), 1);
	assert_int_equal(ax_count_ev(&g, ACT_FINISHED, ""), 1);
	fin = &g.ev[g.n - 1].u.action;
	assert_int_equal(fin->phase, ACT_FINISHED);
	assert_int_equal(fin->exit_code, 0);
	assert_int_equal(fin->signal, 0);
	assert_string_equal(fin->error, "");

	actions_status(r, &st);
	assert_int_equal(st.state, ACTIONS_IDLE);
	assert_true(st.has_result);
	assert_true(st.result.ok);
	assert_int_equal(st.failed_step, -1);
	assert_false(st.runbook);
	assert_int_equal(st.nlines, ACTIONS_TAIL_LINES);
	assert_string_equal(st.lines[ACTIONS_TAIL_LINES - 1], "done");
	assert_int_equal(st.pid, 0);
	assert_true(st.elapsed >= 0 && st.elapsed < WAIT_S);

	actions_free(r);
	queue_free(q);
	close(77);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	unsetenv("DRTOP_FROM");
	unsetenv("DRTOP_TEST_PARENT");
	ax_action_fini(&a);
	ax_got_free(&g);
}

static void
test_relative_program_exit_code(void **state)
{
	Queue *q = queue_new(256);
	Profile p = ax_mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = ax_single(ax_vec("./local.sh", "{to}", NULL), 30);
	Got g = {0};
	char err[256];
	ActionStatus st;
	const ActionEvent *fin;

	(void)state;
	ax_write_script("local.sh",
	    "#!/bin/sh\necho \"local $1\"\necho 'to stderr' >&2\nexit 4\n",
	    0755);
	assert_int_equal(actions_start(r, "failback", &a, "us21", "eu20",
	                     "auto", err, sizeof(err)),
	    0);
	ax_wait_done(r, q, &g, WAIT_S);
	assert_true(ax_has_line(&g, "local eu20"));
	assert_true(ax_has_line(&g, "to stderr"));
	fin = ax_find_ev(&g, ACT_FINISHED, "", 0, NULL);
	assert_non_null(fin);
	assert_string_equal(fin->name, "failback");
	assert_string_equal(fin->by, "auto");
	assert_int_equal(fin->exit_code, 4);
	assert_int_equal(fin->signal, 0);
	assert_string_equal(fin->error, "");
	actions_status(r, &st);
	assert_false(st.result.ok);
	assert_int_equal(st.result.exit_code, 4);
	assert_int_equal(st.failed_step, 0);
	/* A failed single action ends: the next one may start. */
	assert_int_equal(st.state, ACTIONS_IDLE);
	actions_free(r);
	queue_free(q);
	ax_action_fini(&a);
	ax_got_free(&g);
}

/* Run argv to its end; return the final `finished` event's error. */
static void
expect_exec_error(ActionRunner *r, Queue *q, const char *prog, const char *want)
{
	Action a = ax_single(ax_vec(prog, "x", NULL), 30);
	Got g = {0};
	char err[256];
	const ActionEvent *fin;

	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	ax_wait_done(r, q, &g, WAIT_S);
	assert_int_equal(ax_count_ev(&g, ACT_STARTED, ""), 1);
	fin = ax_find_ev(&g, ACT_FINISHED, "", 0, NULL);
	assert_non_null(fin);
	assert_int_equal(fin->exit_code, -1);
	assert_int_equal(fin->signal, 0);
	assert_string_equal(fin->error, want);
	ax_action_fini(&a);
	ax_got_free(&g);
}

static void
test_missing_executable(void **state)
{
	Queue *q = queue_new(256);
	Profile p = ax_mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	ActionStatus st;

	(void)state;
	ax_write_script("noexec.sh", "#!/bin/sh\necho never\n", 0644);
	expect_exec_error(
	    r, q, "./missing.sh", "No such file or directory: ./missing.sh");
	expect_exec_error(r, q, "drtop-no-such-program-4711",
	    "No such file or directory: drtop-no-such-program-4711");
	expect_exec_error(
	    r, q, "./noexec.sh", "Permission denied: ./noexec.sh");
	/* A name without '/' is looked up in PATH only, never in the
	 * profile directory (even though the file is there). */
	{
		char *path = xstrdup(getenv("PATH"));

		ax_write_script("here.sh", "#!/bin/sh\necho ran\n", 0755);
		setenv("PATH", "/usr/bin:/bin", 1);
		expect_exec_error(
		    r, q, "here.sh", "No such file or directory: here.sh");
		setenv("PATH", path, 1);
		free(path);
	}
	actions_status(r, &st);
	assert_false(st.result.ok);
	assert_string_equal(
	    st.result.error, "No such file or directory: here.sh");
	actions_free(r);

	/* A profile directory that is gone is reported as such. */
	Profile gone = ax_mk_profile();
	gone.dir = (char *)"/nonexistent/drtop-test";
	r = actions_new(&gone, q, mono_now());
	expect_exec_error(r, q, "sh",
	    "cannot run in directory /nonexistent/drtop-test: No such file "
	    "or directory");
	actions_free(r);
	queue_free(q);
}

static void
test_timeout_sigkill_after_grace(void **state)
{
	const double tmo = 0.5, grace = 0.5;
	Queue *q = queue_new(256);
	Profile p = ax_mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = ax_single(ax_vec(NULL), tmo);
	Got g = {0};
	char err[256];
	const ActionEvent *fin;
	double t_start = -1, t_fin = -1;
	pid_t pid;

	(void)state;
	a.steps[0].argv[0] = ax_helper("ignore_term.sh");
	a.steps[0].argc = 1;
	actions_set_grace(r, grace);
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	pid = ax_wait_pid(r);
	ax_wait_done(r, q, &g, WAIT_S);
	assert_true(ax_has_line(&g, "ready"));
	assert_non_null(ax_find_ev(&g, ACT_STARTED, "", 0, &t_start));
	fin = ax_find_ev(&g, ACT_FINISHED, "", 0, &t_fin);
	assert_non_null(fin);
	assert_int_equal(fin->signal, SIGKILL);
	assert_int_equal(fin->exit_code, -1);
	assert_non_null(strstr(fin->error, "timed out after 0.5 s"));
	assert_non_null(strstr(fin->error, "killed"));
	/* SIGKILL came only after timeout + grace (10 ms of clock slack),
	 * and not long after (generous bound for a shared machine). */
	assert_true(t_fin - t_start >= tmo + grace - 0.01);
	assert_true(t_fin - t_start < tmo + grace + 20.0);
	/* The child is reaped and its whole process group is gone. */
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_true(ax_group_gone(pid));
	actions_free(r);
	queue_free(q);
	ax_action_fini(&a);
	ax_got_free(&g);
}

static void
test_timeout_sigterm(void **state)
{
	Queue *q = queue_new(256);
	Profile p = ax_mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = ax_single(ax_vec("sleep", "30", NULL), 0.3);
	Got g = {0};
	char err[256];
	const ActionEvent *fin;

	(void)state;
	/* A long grace: a process that obeys SIGTERM never waits for it. */
	actions_set_grace(r, 30);
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	ax_wait_done(r, q, &g, WAIT_S);
	fin = ax_find_ev(&g, ACT_FINISHED, "", 0, NULL);
	assert_non_null(fin);
	assert_int_equal(fin->signal, SIGTERM);
	assert_string_equal(fin->error, "timed out after 0.3 s");
	actions_free(r);
	queue_free(q);
	ax_action_fini(&a);
	ax_got_free(&g);
}

static long
maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void
test_output_bound_100mb(void **state)
{
	const long total = 100L * 1024 * 1024;
	Queue *q = queue_new(4096);
	Profile p = ax_mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = ax_single(ax_vec(NULL), 300);
	Got g = {0};
	char err[256], note[256];
	ActionStatus st;
	size_t i, sum = 0, head = 0, after = 0;
	long rss0 = maxrss_kb();
	const ActionEvent *fin;

	(void)state;
	free(a.steps[0].argv);
	a.steps[0].argv = ax_vec("x", "104857600", "201", NULL);
	free(a.steps[0].argv[0]);
	a.steps[0].argv[0] = ax_helper("flood.sh");
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	ax_wait_done(r, q, &g, 300);
	fin = ax_find_ev(&g, ACT_FINISHED, "", 0, NULL);
	assert_non_null(fin);
	assert_int_equal(fin->exit_code, 0);

	/* 65536 = 326 lines of 201 bytes + 10 bytes of the 327th. */
	actions_status(r, &st);
	assert_int_equal(st.kept_bytes, ACTIONS_OUTPUT_KEEP);
	assert_int_equal(st.dropped_bytes, total - ACTIONS_OUTPUT_KEEP);
	snprintf(note, sizeof(note),
	    "[drtop: %ld bytes of output dropped after %d kept; the last %d "
	    "lines follow]",
	    total - ACTIONS_OUTPUT_KEEP, ACTIONS_OUTPUT_KEEP,
	    ACTIONS_TAIL_LINES);
	for (i = 1; i < g.n && g.ev[i].u.action.phase == ACT_OUTPUT; i++) {
		const char *line = g.ev[i].u.action.line;

		if (strcmp(line, note) == 0)
			break;
		sum += strlen(line);
		head++;
	}
	assert_int_equal(head, 327);
	assert_int_equal(sum, 326 * 200 + 10);
	assert_true(i < g.n);
	assert_string_equal(g.ev[i].u.action.line, note);
	for (i++; i < g.n && g.ev[i].u.action.phase == ACT_OUTPUT; i++) {
		/* 104857600 = 521679 * 201 + 121: the last line is cut. */
		assert_int_equal(
		    strlen(g.ev[i].u.action.line), i == g.n - 2 ? 121 : 200);
		after++;
	}
	assert_int_equal(after, ACTIONS_TAIL_LINES);
	assert_int_equal(i, g.n - 1);
	/* The tail of the status is the end of the output, the last line cut
	 * by the byte count: 104857600 = 521679 * 201 + 121. */
	assert_int_equal(st.nlines, ACTIONS_TAIL_LINES);
	assert_int_equal(strlen(st.lines[ACTIONS_TAIL_LINES - 1]), 121);
	/* Memory stayed bounded: nowhere near the 100 MB that went by. */
	assert_true(maxrss_kb() - rss0 < 32 * 1024);
	actions_free(r);
	queue_free(q);
	ax_action_fini(&a);
	ax_got_free(&g);
}

static void
test_output_line_cap(void **state)
{
	Queue *q = queue_new(4096);
	Profile p = ax_mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = ax_single(ax_vec("x", "1000000", "17", NULL), 60);
	Got g = {0};
	char err[256];
	ActionStatus st;

	(void)state;
	free(a.steps[0].argv[0]);
	a.steps[0].argv[0] = ax_helper("flood.sh");
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	ax_wait_done(r, q, &g, WAIT_S);
	actions_status(r, &st);
	/* 1000 lines of 17 bytes pass; the rest is counted. */
	assert_int_equal(st.kept_bytes, 17000);
	assert_int_equal(st.dropped_bytes, 1000000 - 17000);
	/* started + 1000 lines + note + 10 tail lines + finished */
	assert_int_equal(g.n, 1 + 1000 + 1 + ACTIONS_TAIL_LINES + 1);
	assert_string_equal(g.ev[1000].u.action.line, "xxxxxxxxxxxxxxxx");
	assert_non_null(strstr(g.ev[1001].u.action.line,
	    "983000 bytes of output dropped after 17000 kept"));
	actions_free(r);
	queue_free(q);
	ax_action_fini(&a);
	ax_got_free(&g);
}

static void
test_long_lines_split_and_sanitized(void **state)
{
	char big[603], *joined;
	Queue *q = queue_new(256);
	Profile p = ax_mk_profile();
	ActionRunner *r;
	Action a;
	Got g = {0};
	char err[256];
	size_t off = 0;
	int pieces = 0;

	(void)state;
	/* "ab" then 300 two-byte characters: a split at byte 255 would cut
	 * one in half. */
	big[0] = 'a';
	big[1] = 'b';
	for (int i = 0; i < 300; i++)
		memcpy(big + 2 + 2 * i, "\xc3\xa9", 2);
	big[602] = '\0';
	a = ax_single(
	    ax_vec("sh", "-c",
	        "printf '%s\\n' \"$1\"; printf 'a\\033[31mb\\001\\377c'", "sh",
	        big, NULL),
	    30);
	r = actions_new(&p, q, mono_now());
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	ax_wait_done(r, q, &g, WAIT_S);
	joined = xcalloc(1, 1024);
	for (size_t i = 0; i < g.n; i++) {
		const char *line = g.ev[i].u.action.line;

		if (g.ev[i].u.action.phase != ACT_OUTPUT || line[0] != 'a' ||
		    strchr(line, '?') != NULL)
			continue;
		assert_true(strlen(line) <= EV_TEXT_MAX - 1);
		memcpy(joined + off, line, strlen(line));
		off += strlen(line);
		pieces++;
	}
	/* Only the first piece starts with 'a'; collect the rest. */
	for (size_t i = 0; i < g.n; i++) {
		const char *line = g.ev[i].u.action.line;

		if (g.ev[i].u.action.phase == ACT_OUTPUT &&
		    (unsigned char)line[0] == 0xc3) {
			memcpy(joined + off, line, strlen(line));
			off += strlen(line);
			pieces++;
		}
	}
	assert_int_equal(pieces, 3);
	assert_string_equal(joined, big);
	/* Control characters and invalid UTF-8 become '?'; the last line
	 * has no newline and still arrives. */
	assert_true(ax_has_line(&g, "a?[31mb??c"));
	free(joined);
	actions_free(r);
	queue_free(q);
	ax_action_fini(&a);
	ax_got_free(&g);
}

/* Run argv with a small queue drained slowly, 8 events at a time: the
 * runner must wait for room instead of overflowing the queue. */
static void
expect_paced(char **argv, int want_lines)
{
	Queue *q = queue_new(64);
	Profile p = ax_mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = ax_single(argv, 120);
	Event buf[8];
	char err[256];
	double end = mono_now() + 120;
	int lines = 0;
	bool done = false;

	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	while (!done && mono_now() < end) {
		size_t n;

		usleep(5000);
		n = queue_drain(q, buf, ARRAY_LEN(buf));
		for (size_t i = 0; i < n; i++) {
			lines += buf[i].u.action.phase == ACT_OUTPUT;
			done = done ||
			    event_action_outcome(&buf[i].u.action, NULL);
		}
	}
	assert_true(done);
	assert_int_equal(queue_overflow(q), 0);
	assert_int_equal(lines, want_lines);
	actions_free(r);
	queue_free(q);
	ax_action_fini(&a);
}

static void
test_output_paced_to_queue(void **state)
{
	char **flood = ax_vec("x", "1000000", "3", NULL);

	(void)state;
	free(flood[0]);
	flood[0] = ax_helper("flood.sh");
	/* While the child runs: 1000 lines + note + 10 tail lines. */
	expect_paced(flood, 1000 + 1 + ACTIONS_TAIL_LINES);
	/* All of it already in the pipe when the child exits. */
	expect_paced(ax_vec("seq", "1", "900", NULL), 900);
}

static void
test_leftover_background_process(void **state)
{
	/* The step exits, leaving `yes` in the background writing into the
	 * output pipe forever: the step still ends, with its own status,
	 * and reading stops after a bound. */
	Queue *q = queue_new(4096);
	Profile p = ax_mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a =
	    ax_single(ax_vec("sh", "-c",
	                  "echo $$ >pgid.out; yes & sleep 0.3; exit 5", NULL),
	        60);
	Got g = {0};
	char err[256], *buf;
	size_t len;
	ActionStatus st;
	const ActionEvent *fin;
	long pgid;

	(void)state;
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	ax_wait_done(r, q, &g, WAIT_S);
	buf = ax_slurp("pgid.out", &len);
	pgid = atol(buf);
	free(buf);
	assert_true(pgid > 1);
	/* yes dies of SIGPIPE once the runner closed the pipe; make sure. */
	kill(-(pid_t)pgid, SIGKILL);
	assert_true(ax_group_gone((pid_t)pgid));
	fin = ax_find_ev(&g, ACT_FINISHED, "", 0, NULL);
	assert_non_null(fin);
	assert_int_equal(fin->exit_code, 5);
	actions_status(r, &st);
	assert_int_equal(st.kept_bytes, 2 * 1000);
	assert_true(st.dropped_bytes > 0);
	assert_true(ax_has_line(&g, "y"));
	actions_free(r);
	queue_free(q);
	ax_action_fini(&a);
	ax_got_free(&g);
}

static void
test_preview_and_refusals(void **state)
{
	Action a = ax_mk_runbook(), empty = {0};
	Action bad = ax_single(ax_vec("", NULL), 30);
	Queue *q = queue_new(16);
	Profile p = ax_mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	char err[256], ***pv;
	int n = -1;

	(void)state;
	free(a.steps[1].argv[2]);
	a.steps[1].argv[2] = xstrdup("--to={to} from {from} ({service})");
	pv = actions_preview(&a, "eu20", "us21", "cpi-prod", &n);
	assert_int_equal(n, 3);
	assert_string_equal(pv[1][1], "s2");
	assert_string_equal(pv[1][2], "--to=us21 from eu20 (cpi-prod)");
	assert_null(pv[1][3]);
	assert_non_null(strstr(pv[0][0], "/step.sh"));
	actions_preview_free(pv, n);
	assert_null(actions_preview(&empty, "a", "b", "c", &n));
	assert_int_equal(n, 0);
	assert_null(actions_preview(NULL, "a", "b", "c", &n));

	assert_int_equal(actions_start(r, "failover", NULL, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    -1);
	assert_string_equal(err, "no failover action configured");
	assert_int_equal(actions_start(r, "failback", &empty, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    -1);
	assert_string_equal(err, "no failback action configured");
	assert_int_equal(actions_start(r, "failover", &bad, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    -1);
	assert_string_equal(err, "failover: step 1 has an empty argv");
	assert_int_equal(actions_state(r), ACTIONS_IDLE);
	assert_int_equal(queue_length(q), 0);
	assert_string_equal(actions_state_name(ACTIONS_FAILED), "failed");
	actions_free(r);
	queue_free(q);
	ax_action_fini(&a);
	ax_action_fini(&bad);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_argv_verbatim_env_cwd, ax_setup, ax_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_relative_program_exit_code, ax_setup, ax_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_missing_executable, ax_setup, ax_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_timeout_sigkill_after_grace, ax_setup, ax_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_timeout_sigterm, ax_setup, ax_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_output_bound_100mb, ax_setup, ax_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_output_line_cap, ax_setup, ax_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_long_lines_split_and_sanitized, ax_setup, ax_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_output_paced_to_queue, ax_setup, ax_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_leftover_background_process, ax_setup, ax_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_preview_and_refusals, ax_setup, ax_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
