/*
 * The action runner tests' fixture (tests/unit/actions_fx.c), shared by
 * test_actions.c and test_runbook.c.
 */
#ifndef DRTOP_TEST_ACTIONS_FX_H
#define DRTOP_TEST_ACTIONS_FX_H

#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "actions/actions.h"

/* Generous: the machine is shared. */
#define WAIT_S 60.0

extern char ax_root[PATH_MAX]; /* the source tree */
extern char ax_dir[PATH_MAX]; /* this test's profile directory */

typedef struct {
	Event *ev;
	size_t n, cap;
} Got;

char *ax_helper(const char *name);
int ax_setup(void **state);
int ax_teardown(void **state);
char *ax_path_in(const char *name);
bool ax_exists_in(const char *name);
/* Whole file into a malloc'd buffer; *len its size. */
char *ax_slurp(const char *name, size_t *len);
void ax_write_script(const char *name, const char *text, mode_t mode);
/* A NULL-terminated vector of copies of the arguments up to NULL. */
char **ax_vec(const char *first, ...);
int ax_vec_len(char **v);
void ax_vec_free(char **v);
/* An action of nsteps steps; step i has name names[i] (NULL allowed) and
 * argv argvs[i] (taken over). */
Action ax_mk_action(
    int nsteps, const char *const *names, char ***argvs, double tmo);
Action ax_single(char **argv, double tmo);
void ax_action_fini(Action *a);
Profile ax_mk_profile(void);
/* Events collected from the queue. */
void ax_got_drain(Queue *q, Got *g);
void ax_got_free(Got *g);
/* Collect events until the runner leaves ACTIONS_RUNNING (bounded). The
 * state change and its event are published together, so every event of
 * the run is in g afterwards. */
void ax_wait_done(ActionRunner *r, Queue *q, Got *g, double limit);
/* Collect events until pred(g) holds (bounded). */
void ax_wait_for_line(ActionRunner *r, Queue *q, Got *g, const char *line);
/* The k-th event (0-based) with this phase and step; NULL if none. */
const ActionEvent *ax_find_ev(
    const Got *g, ActionPhase ph, const char *step, int k, double *t);
int ax_count_ev(const Got *g, ActionPhase ph, const char *step);
bool ax_has_line(const Got *g, const char *line);
/* True when text has a line that is exactly word. */
bool ax_has_word_line(const char *text, const char *word);
int ax_count_fds(void);
/* True once no process of group pgid is left (bounded wait: killed
 * grandchildren are reaped by init, not by us). */
bool ax_group_gone(pid_t pgid);
/* Wait until the runner reports a child pid (bounded). */
pid_t ax_wait_pid(ActionRunner *r);
/* The three-step runbook of step.sh: "stop ops", "switch" (fails
 * until its fix file exists), "verify". */
Action ax_mk_runbook(void);

#endif
