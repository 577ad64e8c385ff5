/*
 * The action runner tests' fixture: a temporary profile directory per
 * test, scripts, argument vectors, actions, and the events a runner emits.
 */
#include "actions_fx.h"

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

char ax_root[PATH_MAX]; /* the source tree */
char ax_dir[PATH_MAX]; /* this test's profile directory */

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
	snprintf(ax_root, sizeof(ax_root), "%s", exe);
}

char *
ax_helper(const char *name)
{
	return xasprintf("%s/tests/integration/helpers/%s", ax_root, name);
}

int
ax_setup(void **state)
{
	(void)state;
	if (ax_root[0] == '\0')
		find_root();
	th_tmpdir_make(ax_dir, sizeof(ax_dir), "actions");
	return 0;
}

int
ax_teardown(void **state)
{
	(void)state;
	return th_tmpdir_remove(ax_dir);
}

char *
ax_path_in(const char *name)
{
	return xasprintf("%s/%s", ax_dir, name);
}

bool
ax_exists_in(const char *name)
{
	char *p = ax_path_in(name);
	bool e = access(p, F_OK) == 0;

	free(p);
	return e;
}

/* Whole file into a malloc'd buffer; *len its size. */
char *
ax_slurp(const char *name, size_t *len)
{
	char *p = ax_path_in(name);
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

void
ax_write_script(const char *name, const char *text, mode_t mode)
{
	char *p = ax_path_in(name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
	free(p);
}

/* A NULL-terminated vector of copies of the arguments up to NULL. */
char **
ax_vec(const char *first, ...)
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

int
ax_vec_len(char **v)
{
	int n = 0;

	while (v[n] != NULL)
		n++;
	return n;
}

void
ax_vec_free(char **v)
{
	for (int i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* An action of nsteps steps; step i has name names[i] (NULL allowed) and
 * argv argvs[i] (taken over). */
Action
ax_mk_action(int nsteps, const char *const *names, char ***argvs, double tmo)
{
	Action a = {.steps = xcalloc((size_t)nsteps, sizeof(ActionStep)),
	    .nsteps = nsteps};

	for (int i = 0; i < nsteps; i++) {
		a.steps[i].name = names && names[i] ? xstrdup(names[i]) : NULL;
		a.steps[i].argv = argvs[i];
		a.steps[i].argc = ax_vec_len(argvs[i]);
		a.steps[i].timeout = tmo;
	}
	return a;
}

Action
ax_single(char **argv, double tmo)
{
	return ax_mk_action(1, NULL, &argv, tmo);
}

void
ax_action_fini(Action *a)
{
	for (int i = 0; i < a->nsteps; i++) {
		free(a->steps[i].name);
		ax_vec_free(a->steps[i].argv);
	}
	free(a->steps);
}

Profile
ax_mk_profile(void)
{
	Profile p;

	memset(&p, 0, sizeof(p));
	p.dir = ax_dir;
	p.service = (char *)"cpi-prod";
	return p;
}

/* Events collected from the queue. */
void
ax_got_drain(Queue *q, Got *g)
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

void
ax_got_free(Got *g)
{
	free(g->ev);
	memset(g, 0, sizeof(*g));
}

/* Collect events until the runner leaves ACTIONS_RUNNING (bounded). The
 * state change and its event are published together, so every event of
 * the run is in g afterwards. */
void
ax_wait_done(ActionRunner *r, Queue *q, Got *g, double limit)
{
	double end = mono_now() + limit;

	while (actions_running(r) && mono_now() < end) {
		struct pollfd pf = {.fd = queue_wake_fd(q), .events = POLLIN};

		poll(&pf, 1, 50);
		ax_got_drain(q, g);
	}
	assert_false(actions_running(r));
	ax_got_drain(q, g);
}

/* Collect events until pred(g) holds (bounded). */
void
ax_wait_for_line(ActionRunner *r, Queue *q, Got *g, const char *line)
{
	double end = mono_now() + WAIT_S;

	(void)r;
	for (;;) {
		ax_got_drain(q, g);
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
const ActionEvent *
ax_find_ev(const Got *g, ActionPhase ph, const char *step, int k, double *t)
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

int
ax_count_ev(const Got *g, ActionPhase ph, const char *step)
{
	int n = 0;

	while (ax_find_ev(g, ph, step, n, NULL) != NULL)
		n++;
	return n;
}

bool
ax_has_line(const Got *g, const char *line)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->ev[i].u.action.phase == ACT_OUTPUT &&
		    strcmp(g->ev[i].u.action.line, line) == 0)
			return true;
	return false;
}

/* True when text has a line that is exactly word. */
bool
ax_has_word_line(const char *text, const char *word)
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

int
ax_count_fds(void)
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
bool
ax_group_gone(pid_t pgid)
{
	double end = mono_now() + WAIT_S;

	while (kill(-pgid, 0) == 0 && mono_now() < end)
		usleep(10000);
	return kill(-pgid, 0) == -1 && errno == ESRCH;
}

/* Wait until the runner reports a child pid (bounded). */
pid_t
ax_wait_pid(ActionRunner *r)
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

Action
ax_mk_runbook(void)
{
	static const char *const names[] = {"stop ops", "switch", "verify"};
	char **argvs[3] = {ax_vec("x", "s1", NULL),
	    ax_vec("x", "s2", "fix", NULL), ax_vec("x", "s3", NULL)};

	for (int i = 0; i < 3; i++) {
		free(argvs[i][0]);
		argvs[i][0] = ax_helper("step.sh");
	}
	return ax_mk_action(3, names, argvs, 30);
}
