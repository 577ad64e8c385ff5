/*
 * actions: the runner with real child processes (sh scripts from
 * tests/integration/helpers/ and small scripts written into a temporary
 * profile directory). Arguments arrive verbatim, environment and cwd are
 * set, output is bounded, timeouts kill, runbooks stop at a failing step
 * and can be retried or aborted, and freeing the runner leaves no child
 * and no fd behind.
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
#include "base/clock.h"
#include "base/util.h"
#include "helpers.h"

/* Generous: the machine is shared. */
#define WAIT_S 60.0

static char root[PATH_MAX]; /* the source tree */
static char dir[PATH_MAX]; /* this test's profile directory */

/* ---- fixtures ---------------------------------------------------------- */

static void
find_root(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	/* ROOT/BUILD/tests/test_actions */
	assert_true(n > 0);
	exe[n] = '\0';
	for (int i = 0; i < 3; i++) {
		char *slash = strrchr(exe, '/');

		assert_non_null(slash);
		*slash = '\0';
	}
	snprintf(root, sizeof(root), "%s", exe);
}

static char *
helper(const char *name)
{
	return xasprintf("%s/tests/integration/helpers/%s", root, name);
}

static int
setup(void **state)
{
	(void)state;
	if (root[0] == '\0')
		find_root();
	th_tmpdir_make(dir, sizeof(dir), "actions");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return th_tmpdir_remove(dir);
}

static char *
path_in(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static bool
exists_in(const char *name)
{
	char *p = path_in(name);
	bool e = access(p, F_OK) == 0;

	free(p);
	return e;
}

/* Whole file into a malloc'd buffer; *len its size. */
static char *
slurp(const char *name, size_t *len)
{
	char *p = path_in(name);
	FILE *f = fopen(p, "rb");
	char *buf = xmalloc(1 << 16);
	size_t n;

	free(p);
	assert_non_null(f);
	n = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void
write_script(const char *name, const char *text, mode_t mode)
{
	char *p = path_in(name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
	free(p);
}

/* A NULL-terminated vector of copies of the arguments up to NULL. */
static char **
vec(const char *first, ...)
{
	char **v = xcalloc(64, sizeof(*v));
	va_list ap;
	int n = 0;

	va_start(ap, first);
	for (const char *s = first; s != NULL; s = va_arg(ap, const char *)) {
		assert_true(n < 63);
		v[n++] = xstrdup(s);
	}
	va_end(ap);
	return v;
}

static int
vec_len(char **v)
{
	int n = 0;

	while (v[n] != NULL)
		n++;
	return n;
}

static void
vec_free(char **v)
{
	for (int i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* An action of nsteps steps; step i has name names[i] (NULL allowed) and
 * argv argvs[i] (taken over). */
static Action
mk_action(int nsteps, const char *const *names, char ***argvs, double tmo)
{
	Action a = {.steps = xcalloc((size_t)nsteps, sizeof(ActionStep)),
	    .nsteps = nsteps};

	for (int i = 0; i < nsteps; i++) {
		a.steps[i].name = names && names[i] ? xstrdup(names[i]) : NULL;
		a.steps[i].argv = argvs[i];
		a.steps[i].argc = vec_len(argvs[i]);
		a.steps[i].timeout = tmo;
	}
	return a;
}

static Action
single(char **argv, double tmo)
{
	return mk_action(1, NULL, &argv, tmo);
}

static void
action_fini(Action *a)
{
	for (int i = 0; i < a->nsteps; i++) {
		free(a->steps[i].name);
		vec_free(a->steps[i].argv);
	}
	free(a->steps);
}

static Profile
mk_profile(void)
{
	Profile p;

	memset(&p, 0, sizeof(p));
	p.dir = dir;
	p.service = (char *)"cpi-prod";
	return p;
}

/* Events collected from the queue. */
typedef struct {
	Event *ev;
	size_t n, cap;
} Got;

static void
got_drain(Queue *q, Got *g)
{
	Event buf[256];
	size_t n;

	while ((n = queue_drain(q, buf, ARRAY_LEN(buf))) > 0) {
		if (g->n + n > g->cap) {
			g->cap = (g->n + n) * 2;
			g->ev = xrealloc(g->ev, g->cap, sizeof(Event));
		}
		memcpy(g->ev + g->n, buf, n * sizeof(Event));
		g->n += n;
	}
}

static void
got_free(Got *g)
{
	free(g->ev);
	memset(g, 0, sizeof(*g));
}

/* Collect events until the runner leaves ACTIONS_RUNNING (bounded). The
 * state change and its event are published together, so every event of
 * the run is in g afterwards. */
static void
wait_done(ActionRunner *r, Queue *q, Got *g, double limit)
{
	double end = mono_now() + limit;

	while (actions_running(r) && mono_now() < end) {
		struct pollfd pf = {.fd = queue_wake_fd(q), .events = POLLIN};

		poll(&pf, 1, 50);
		got_drain(q, g);
	}
	assert_false(actions_running(r));
	got_drain(q, g);
}

/* Collect events until pred(g) holds (bounded). */
static void
wait_for_line(ActionRunner *r, Queue *q, Got *g, const char *line)
{
	double end = mono_now() + WAIT_S;

	(void)r;
	for (;;) {
		got_drain(q, g);
		for (size_t i = 0; i < g->n; i++)
			if (g->ev[i].u.action.phase == ACT_OUTPUT &&
			    strcmp(g->ev[i].u.action.line, line) == 0)
				return;
		assert_true(mono_now() < end);
		struct pollfd pf = {.fd = queue_wake_fd(q), .events = POLLIN};
		poll(&pf, 1, 50);
	}
}

/* The k-th event (0-based) with this phase and step; NULL if none. */
static const ActionEvent *
find_ev(const Got *g, ActionPhase ph, const char *step, int k, double *t)
{
	for (size_t i = 0; i < g->n; i++) {
		const ActionEvent *a = &g->ev[i].u.action;

		assert_int_equal(g->ev[i].type, EV_ACTION);
		if (a->phase == ph && strcmp(a->step, step) == 0 && k-- == 0) {
			if (t != NULL)
				*t = g->ev[i].t;
			return a;
		}
	}
	return NULL;
}

static int
count_ev(const Got *g, ActionPhase ph, const char *step)
{
	int n = 0;

	while (find_ev(g, ph, step, n, NULL) != NULL)
		n++;
	return n;
}

static bool
has_line(const Got *g, const char *line)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->ev[i].u.action.phase == ACT_OUTPUT &&
		    strcmp(g->ev[i].u.action.line, line) == 0)
			return true;
	return false;
}

/* True when text has a line that is exactly word. */
static bool
has_word_line(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *s = text; s != NULL && *s != '\0';) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);

		if (len == n && strncmp(s, word, n) == 0)
			return true;
		s = nl ? nl + 1 : NULL;
	}
	return false;
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* True once no process of group pgid is left (bounded wait: killed
 * grandchildren are reaped by init, not by us). */
static bool
group_gone(pid_t pgid)
{
	double end = mono_now() + WAIT_S;

	while (kill(-pgid, 0) == 0 && mono_now() < end)
		usleep(10000);
	return kill(-pgid, 0) == -1 && errno == ESRCH;
}

/* Wait until the runner reports a child pid (bounded). */
static pid_t
wait_pid(ActionRunner *r)
{
	double end = mono_now() + WAIT_S;
	ActionStatus st;

	do {
		actions_status(r, &st);
		if (st.pid > 0)
			return st.pid;
		usleep(10000);
	} while (mono_now() < end);
	fail_msg("no child pid within %.0f s", WAIT_S);
	return 0;
}

/* ---- tests ------------------------------------------------------------- */

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
	char **argv = vec(NULL);
	Queue *q = queue_new(4096);
	Profile p = mk_profile();
	ActionRunner *r;
	Action a;
	Got g = {0};
	char err[256] = "", expect[4096], *buf;
	size_t len, off = 0;
	ActionStatus st;
	const ActionEvent *fin;
	int leak;

	(void)state;
	argv[0] = helper("record.sh");
	for (size_t i = 0; i < ARRAY_LEN(args); i++)
		argv[i + 1] = xstrdup(args[i]);
	a = single(argv, 30);
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
	wait_done(r, q, &g, WAIT_S);

	buf = slurp("argv.out", &len);
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		memcpy(expect + off, want[i], strlen(want[i]) + 1);
		off += strlen(want[i]) + 1;
	}
	assert_int_equal(len, off);
	assert_memory_equal(buf, expect, off);
	free(buf);

	buf = slurp("env.out", &len);
	static const char envwant[] = "FROM=eu20\0TO=us21\0SERVICE=cpi-prod\0"
	                              "ACTION=failover\0STEP=\0PARENT=yes";
	assert_int_equal(len, sizeof(envwant));
	assert_memory_equal(buf, envwant, sizeof(envwant));
	free(buf);

	buf = slurp("cwd.out", &len);
	assert_int_equal(len, strlen(dir) + 1);
	assert_memory_equal(buf, dir, strlen(dir));
	free(buf);
	buf = slurp("stdin.out", &len);
	assert_string_equal(buf, "/dev/null\n");
	free(buf);
	buf = slurp("sig.out", &len);
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
	buf = slurp("fds.out", &len);
	assert_false(has_word_line(buf, "77"));
	assert_true(has_word_line(buf, "0"));
	assert_true(has_word_line(buf, "1"));
	assert_true(has_word_line(buf, "2"));
	free(buf);

	/* Events: started, output (stdout and stderr), finished. */
	assert_int_equal(g.ev[0].u.action.phase, ACT_STARTED);
	assert_string_equal(g.ev[0].u.action.name, "failover");
	assert_string_equal(g.ev[0].u.action.from, "eu20");
	assert_string_equal(g.ev[0].u.action.to, "us21");
	assert_string_equal(g.ev[0].u.action.by, "operator");
	assert_string_equal(g.ev[0].u.action.step, "");
	assert_true(has_line(&g, "a b"));
	assert_true(has_line(&g, "line1"));
	assert_true(has_line(&g, "line2"));
	assert_true(has_line(&g, "$(echo x)"));
	assert_true(has_line(&g, "done"));
	assert_int_equal(count_ev(&g, ACT_STARTED, ""), 1);
	assert_int_equal(count_ev(&g, ACT_FINISHED, ""), 1);
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
	action_fini(&a);
	got_free(&g);
}

static void
test_relative_program_exit_code(void **state)
{
	Queue *q = queue_new(256);
	Profile p = mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = single(vec("./local.sh", "{to}", NULL), 30);
	Got g = {0};
	char err[256];
	ActionStatus st;
	const ActionEvent *fin;

	(void)state;
	write_script("local.sh",
	    "#!/bin/sh\necho \"local $1\"\necho 'to stderr' >&2\nexit 4\n",
	    0755);
	assert_int_equal(actions_start(r, "failback", &a, "us21", "eu20",
	                     "auto", err, sizeof(err)),
	    0);
	wait_done(r, q, &g, WAIT_S);
	assert_true(has_line(&g, "local eu20"));
	assert_true(has_line(&g, "to stderr"));
	fin = find_ev(&g, ACT_FINISHED, "", 0, NULL);
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
	action_fini(&a);
	got_free(&g);
}

/* Run argv to its end; return the final `finished` event's error. */
static void
expect_exec_error(ActionRunner *r, Queue *q, const char *prog, const char *want)
{
	Action a = single(vec(prog, "x", NULL), 30);
	Got g = {0};
	char err[256];
	const ActionEvent *fin;

	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	wait_done(r, q, &g, WAIT_S);
	assert_int_equal(count_ev(&g, ACT_STARTED, ""), 1);
	fin = find_ev(&g, ACT_FINISHED, "", 0, NULL);
	assert_non_null(fin);
	assert_int_equal(fin->exit_code, -1);
	assert_int_equal(fin->signal, 0);
	assert_string_equal(fin->error, want);
	action_fini(&a);
	got_free(&g);
}

static void
test_missing_executable(void **state)
{
	Queue *q = queue_new(256);
	Profile p = mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	ActionStatus st;

	(void)state;
	write_script("noexec.sh", "#!/bin/sh\necho never\n", 0644);
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

		write_script("here.sh", "#!/bin/sh\necho ran\n", 0755);
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
	Profile gone = mk_profile();
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
	Profile p = mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = single(vec(NULL), tmo);
	Got g = {0};
	char err[256];
	const ActionEvent *fin;
	double t_start = -1, t_fin = -1;
	pid_t pid;

	(void)state;
	a.steps[0].argv[0] = helper("ignore_term.sh");
	a.steps[0].argc = 1;
	actions_set_grace(r, grace);
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	pid = wait_pid(r);
	wait_done(r, q, &g, WAIT_S);
	assert_true(has_line(&g, "ready"));
	assert_non_null(find_ev(&g, ACT_STARTED, "", 0, &t_start));
	fin = find_ev(&g, ACT_FINISHED, "", 0, &t_fin);
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
	assert_true(group_gone(pid));
	actions_free(r);
	queue_free(q);
	action_fini(&a);
	got_free(&g);
}

static void
test_timeout_sigterm(void **state)
{
	Queue *q = queue_new(256);
	Profile p = mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = single(vec("sleep", "30", NULL), 0.3);
	Got g = {0};
	char err[256];
	const ActionEvent *fin;

	(void)state;
	/* A long grace: a process that obeys SIGTERM never waits for it. */
	actions_set_grace(r, 30);
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	wait_done(r, q, &g, WAIT_S);
	fin = find_ev(&g, ACT_FINISHED, "", 0, NULL);
	assert_non_null(fin);
	assert_int_equal(fin->signal, SIGTERM);
	assert_string_equal(fin->error, "timed out after 0.3 s");
	actions_free(r);
	queue_free(q);
	action_fini(&a);
	got_free(&g);
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
	Profile p = mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = single(vec(NULL), 300);
	Got g = {0};
	char err[256], note[256];
	ActionStatus st;
	size_t i, sum = 0, head = 0, after = 0;
	long rss0 = maxrss_kb();
	const ActionEvent *fin;

	(void)state;
	free(a.steps[0].argv);
	a.steps[0].argv = vec("x", "104857600", "201", NULL);
	free(a.steps[0].argv[0]);
	a.steps[0].argv[0] = helper("flood.sh");
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	wait_done(r, q, &g, 300);
	fin = find_ev(&g, ACT_FINISHED, "", 0, NULL);
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
	action_fini(&a);
	got_free(&g);
}

static void
test_output_line_cap(void **state)
{
	Queue *q = queue_new(4096);
	Profile p = mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = single(vec("x", "1000000", "17", NULL), 60);
	Got g = {0};
	char err[256];
	ActionStatus st;

	(void)state;
	free(a.steps[0].argv[0]);
	a.steps[0].argv[0] = helper("flood.sh");
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	wait_done(r, q, &g, WAIT_S);
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
	action_fini(&a);
	got_free(&g);
}

static void
test_long_lines_split_and_sanitized(void **state)
{
	char big[603], *joined;
	Queue *q = queue_new(256);
	Profile p = mk_profile();
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
	a = single(vec("sh", "-c",
	               "printf '%s\\n' \"$1\"; printf 'a\\033[31mb\\001\\377c'",
	               "sh", big, NULL),
	    30);
	r = actions_new(&p, q, mono_now());
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	wait_done(r, q, &g, WAIT_S);
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
	assert_true(has_line(&g, "a?[31mb??c"));
	free(joined);
	actions_free(r);
	queue_free(q);
	action_fini(&a);
	got_free(&g);
}

static Action
mk_runbook(void)
{
	static const char *const names[] = {"stop ops", "switch", "verify"};
	char **argvs[3] = {vec("x", "s1", NULL), vec("x", "s2", "fix", NULL),
	    vec("x", "s3", NULL)};

	for (int i = 0; i < 3; i++) {
		free(argvs[i][0]);
		argvs[i][0] = helper("step.sh");
	}
	return mk_action(3, names, argvs, 30);
}

/* Wait until the runner leaves RUNNING, as wait_done, and check that it
 * stopped in state want. */
static void
wait_state(ActionRunner *r, Queue *q, Got *g, ActionsState want)
{
	wait_done(r, q, g, WAIT_S);
	assert_int_equal(actions_state(r), want);
}

static void
test_runbook_fails_retry_succeeds(void **state)
{
	Queue *q = queue_new(256);
	Profile p = mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = mk_runbook(), other = single(vec("true", NULL), 30);
	Got g = {0};
	char err[256] = "", *log;
	size_t len;
	ActionStatus st;
	const ActionEvent *ev;

	(void)state;
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	wait_state(r, q, &g, ACTIONS_FAILED);
	assert_true(exists_in("s1.done"));
	assert_false(exists_in("s2.done"));
	assert_false(exists_in("s3.done"));
	/* started(all), started/output/finished per step run, no end. */
	assert_int_equal(g.ev[0].u.action.phase, ACT_STARTED);
	assert_string_equal(g.ev[0].u.action.step, "");
	assert_int_equal(g.ev[1].u.action.phase, ACT_STARTED);
	assert_string_equal(g.ev[1].u.action.step, "stop ops");
	ev = find_ev(&g, ACT_FINISHED, "stop ops", 0, NULL);
	assert_non_null(ev);
	assert_int_equal(ev->exit_code, 0);
	ev = find_ev(&g, ACT_FINISHED, "switch", 0, NULL);
	assert_non_null(ev);
	assert_int_equal(ev->exit_code, 3);
	assert_int_equal(count_ev(&g, ACT_STARTED, "verify"), 0);
	assert_int_equal(count_ev(&g, ACT_FINISHED, ""), 0);
	assert_true(has_line(&g, "missing fix"));
	assert_string_equal(g.ev[g.n - 1].u.action.step, "switch");

	actions_status(r, &st);
	assert_int_equal(st.state, ACTIONS_FAILED);
	assert_true(st.runbook);
	assert_int_equal(st.nsteps, 3);
	assert_int_equal(st.failed_step, 1);
	assert_int_equal(st.step, 1);
	assert_string_equal(st.step_name, "switch");
	assert_int_equal(st.step_result.exit_code, 3);
	assert_false(st.has_result);
	assert_int_equal(st.nlines, 2);
	assert_string_equal(st.lines[0], "step s2");
	assert_string_equal(st.lines[1], "missing fix");

	/* One action at a time: a waiting runbook refuses a new one. */
	assert_int_equal(actions_start(r, "failback", &other, "us21", "eu20",
	                     "operator", err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "retry or abort"));
	assert_non_null(strstr(err, "step 2/3 \"switch\""));

	/* Retry without the fix fails again at the same step. */
	got_free(&g);
	assert_int_equal(actions_retry_step(r, err, sizeof(err)), 0);
	wait_state(r, q, &g, ACTIONS_FAILED);
	assert_int_equal(count_ev(&g, ACT_STARTED, ""), 0);
	assert_int_equal(count_ev(&g, ACT_STARTED, "switch"), 1);
	assert_int_equal(count_ev(&g, ACT_STARTED, "stop ops"), 0);

	/* With the fix the step passes and the runbook goes on. */
	write_script("fix", "", 0644);
	got_free(&g);
	assert_int_equal(actions_retry_step(r, err, sizeof(err)), 0);
	wait_state(r, q, &g, ACTIONS_IDLE);
	assert_true(exists_in("s2.done"));
	assert_true(exists_in("s3.done"));
	log = slurp("runs.log", &len);
	assert_string_equal(log, "s1\ns2\ns2\ns2\ns3\n");
	free(log);
	ev = find_ev(&g, ACT_FINISHED, "verify", 0, NULL);
	assert_non_null(ev);
	assert_int_equal(ev->exit_code, 0);
	/* A step's `finished` is not the outcome; the last event is. */
	{
		bool ok = true;
		int outcomes = 0;

		assert_false(event_action_outcome(ev, &ok));
		assert_false(ok);
		for (size_t i = 0; i < g.n; i++)
			outcomes +=
			    event_action_outcome(&g.ev[i].u.action, NULL);
		assert_int_equal(outcomes, 1);
		assert_true(event_action_outcome(&g.ev[g.n - 1].u.action, &ok));
		assert_true(ok);
	}
	ev = &g.ev[g.n - 1].u.action;
	assert_int_equal(ev->phase, ACT_FINISHED);
	assert_string_equal(ev->step, "");
	assert_int_equal(ev->exit_code, 0);
	assert_string_equal(ev->error, "");
	actions_status(r, &st);
	assert_true(st.has_result);
	assert_true(st.result.ok);
	assert_int_equal(st.failed_step, -1);
	/* Nothing to retry or abort any more. */
	assert_int_equal(actions_retry_step(r, err, sizeof(err)), -1);
	assert_int_equal(actions_abort(r, err, sizeof(err)), -1);
	assert_string_equal(err, "abort: no action is running");

	actions_free(r);
	queue_free(q);
	action_fini(&a);
	action_fini(&other);
	got_free(&g);
}

static void
test_runbook_abort(void **state)
{
	Queue *q = queue_new(256);
	Profile p = mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = mk_runbook();
	Got g = {0};
	char err[256];
	ActionStatus st;
	const ActionEvent *ev;

	(void)state;
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	wait_state(r, q, &g, ACTIONS_FAILED);
	assert_int_equal(actions_abort(r, err, sizeof(err)), 0);
	got_drain(q, &g);
	assert_int_equal(actions_state(r), ACTIONS_IDLE);
	ev = &g.ev[g.n - 1].u.action;
	assert_int_equal(ev->phase, ACT_FINISHED);
	assert_string_equal(ev->step, "");
	assert_int_equal(ev->exit_code, 3);
	assert_string_equal(ev->error,
	    "aborted by operator after step 2/3 \"switch\" failed: exit "
	    "status 3");
	{
		bool ok = true;

		assert_true(event_action_outcome(ev, &ok));
		assert_false(ok);
	}
	assert_false(exists_in("s3.done"));
	assert_int_equal(count_ev(&g, ACT_STARTED, "verify"), 0);
	actions_status(r, &st);
	assert_true(st.has_result);
	assert_false(st.result.ok);
	assert_int_equal(st.failed_step, 1);
	actions_free(r);
	queue_free(q);
	action_fini(&a);
	got_free(&g);
}

static void
test_one_at_a_time_and_abort_running(void **state)
{
	Queue *q = queue_new(256);
	Profile p = mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = single(vec("sleep", "30", NULL), 60);
	Action b = single(vec("true", NULL), 60);
	Got g = {0};
	char err[256];
	const ActionEvent *fin;

	(void)state;
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	assert_true(actions_running(r));
	assert_int_equal(actions_start(r, "failover", &b, "eu20", "ap10",
	                     "auto", err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "already running"));
	assert_non_null(strstr(err, "eu20 -> us21"));
	wait_pid(r);
	assert_int_equal(actions_abort(r, err, sizeof(err)), 0);
	wait_done(r, q, &g, WAIT_S);
	fin = find_ev(&g, ACT_FINISHED, "", 0, NULL);
	assert_non_null(fin);
	assert_int_equal(fin->signal, SIGTERM);
	assert_string_equal(fin->error, "aborted by operator");
	assert_int_equal(count_ev(&g, ACT_FINISHED, ""), 1);

	/* Idle again: the next action runs. */
	got_free(&g);
	assert_int_equal(actions_start(r, "failover", &b, "eu20", "ap10",
	                     "auto", err, sizeof(err)),
	    0);
	wait_done(r, q, &g, WAIT_S);
	fin = find_ev(&g, ACT_FINISHED, "", 0, NULL);
	assert_non_null(fin);
	assert_int_equal(fin->exit_code, 0);
	assert_string_equal(fin->to, "ap10");
	actions_free(r);
	queue_free(q);
	action_fini(&a);
	action_fini(&b);
	got_free(&g);
}

static void
test_free_kills_child(void **state)
{
	Queue *q = queue_new(256);
	Profile p = mk_profile();
	int fds0 = count_fds();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = single(vec(NULL), 60);
	Got g = {0};
	char err[256];
	const ActionEvent *fin;
	pid_t pid;
	int status;

	(void)state;
	a.steps[0].argv[0] = helper("ignore_term.sh");
	actions_set_grace(r, 0.3);
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	pid = wait_pid(r);
	wait_for_line(r, q, &g, "ready");
	actions_free(r);
	/* Reaped (not a zombie), its group gone, no child left, no fd. */
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_true(group_gone(pid));
	assert_int_equal(waitpid(-1, &status, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_int_equal(count_fds(), fds0);
	got_drain(q, &g);
	fin = find_ev(&g, ACT_FINISHED, "", 0, NULL);
	assert_non_null(fin);
	assert_int_equal(fin->signal, SIGKILL);
	assert_string_equal(fin->error, "stopped: drtop is exiting");
	queue_free(q);
	action_fini(&a);
	got_free(&g);
}

static void
test_free_idle_and_waiting(void **state)
{
	Queue *q = queue_new(256);
	Profile p = mk_profile();
	int fds0 = count_fds();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = mk_runbook();
	Got g = {0};
	char err[256];
	const ActionEvent *fin;

	(void)state;
	actions_free(NULL);
	actions_free(r);
	assert_int_equal(count_fds(), fds0);
	/* Freed while a runbook waits: it is ended, with an event. */
	r = actions_new(&p, q, mono_now());
	assert_int_equal(actions_start(r, "failover", &a, "eu20", "us21",
	                     "operator", err, sizeof(err)),
	    0);
	wait_state(r, q, &g, ACTIONS_FAILED);
	actions_free(r);
	got_drain(q, &g);
	fin = &g.ev[g.n - 1].u.action;
	assert_int_equal(fin->phase, ACT_FINISHED);
	assert_string_equal(fin->step, "");
	assert_non_null(strstr(fin->error, "stopped: drtop is exiting"));
	assert_int_equal(count_fds(), fds0);
	queue_free(q);
	action_fini(&a);
	got_free(&g);
}

static void
test_runbook_env_step(void **state)
{
	static const char *const names[] = {"record"};
	char **argv = vec(NULL);
	Action a;
	Queue *q = queue_new(256);
	Profile p = mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Got g = {0};
	char err[256], *buf;
	size_t len;

	(void)state;
	argv[0] = helper("record.sh");
	a = mk_action(1, names, &argv, 30);
	assert_int_equal(actions_start(r, "failback", &a, "us21", "eu20",
	                     "operator", err, sizeof(err)),
	    0);
	wait_done(r, q, &g, WAIT_S);
	buf = slurp("env.out", &len);
	assert_non_null(memmem(buf, len, "ACTION=failback\0STEP=record\0", 28));
	free(buf);
	/* A named single step is a runbook: bracket plus step events. */
	assert_int_equal(count_ev(&g, ACT_STARTED, ""), 1);
	assert_int_equal(count_ev(&g, ACT_STARTED, "record"), 1);
	assert_int_equal(count_ev(&g, ACT_FINISHED, "record"), 1);
	assert_int_equal(count_ev(&g, ACT_FINISHED, ""), 1);
	assert_true(has_line(&g, "done"));
	assert_string_equal(
	    find_ev(&g, ACT_OUTPUT, "record", 0, NULL)->line, "done");
	actions_free(r);
	queue_free(q);
	action_fini(&a);
	got_free(&g);
}

/* Run argv with a small queue drained slowly, 8 events at a time: the
 * runner must wait for room instead of overflowing the queue. */
static void
expect_paced(char **argv, int want_lines)
{
	Queue *q = queue_new(64);
	Profile p = mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = single(argv, 120);
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
	action_fini(&a);
}

static void
test_output_paced_to_queue(void **state)
{
	char **flood = vec("x", "1000000", "3", NULL);

	(void)state;
	free(flood[0]);
	flood[0] = helper("flood.sh");
	/* While the child runs: 1000 lines + note + 10 tail lines. */
	expect_paced(flood, 1000 + 1 + ACTIONS_TAIL_LINES);
	/* All of it already in the pipe when the child exits. */
	expect_paced(vec("seq", "1", "900", NULL), 900);
}

static void
test_leftover_background_process(void **state)
{
	/* The step exits, leaving `yes` in the background writing into the
	 * output pipe forever: the step still ends, with its own status,
	 * and reading stops after a bound. */
	Queue *q = queue_new(4096);
	Profile p = mk_profile();
	ActionRunner *r = actions_new(&p, q, mono_now());
	Action a = single(
	    vec("sh", "-c", "echo $$ >pgid.out; yes & sleep 0.3; exit 5", NULL),
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
	wait_done(r, q, &g, WAIT_S);
	buf = slurp("pgid.out", &len);
	pgid = atol(buf);
	free(buf);
	assert_true(pgid > 1);
	/* yes dies of SIGPIPE once the runner closed the pipe; make sure. */
	kill(-(pid_t)pgid, SIGKILL);
	assert_true(group_gone((pid_t)pgid));
	fin = find_ev(&g, ACT_FINISHED, "", 0, NULL);
	assert_non_null(fin);
	assert_int_equal(fin->exit_code, 5);
	actions_status(r, &st);
	assert_int_equal(st.kept_bytes, 2 * 1000);
	assert_true(st.dropped_bytes > 0);
	assert_true(has_line(&g, "y"));
	actions_free(r);
	queue_free(q);
	action_fini(&a);
	got_free(&g);
}

static void
test_preview_and_refusals(void **state)
{
	Action a = mk_runbook(), empty = {0};
	Action bad = single(vec("", NULL), 30);
	Queue *q = queue_new(16);
	Profile p = mk_profile();
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
	action_fini(&a);
	action_fini(&bad);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_argv_verbatim_env_cwd, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_relative_program_exit_code, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_missing_executable, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_timeout_sigkill_after_grace, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_timeout_sigterm, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_output_bound_100mb, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_output_line_cap, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_long_lines_split_and_sanitized, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_runbook_fails_retry_succeeds, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_runbook_abort, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_one_at_a_time_and_abort_running, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_free_kills_child, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_free_idle_and_waiting, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_runbook_env_step, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_output_paced_to_queue, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_leftover_background_process, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_preview_and_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
