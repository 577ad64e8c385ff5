/*
 * cmd: the modes of the command line, one function each. Each takes the
 * arguments after "drtop" with argv[0] the mode's name, runs in the main
 * thread, and returns the process exit status (0, 1 or 2).
 */
#ifndef DRTOP_CMD_H
#define DRTOP_CMD_H

#include <stdio.h>

void cmd_usage(FILE *f);
/* drtop sim: simulated regions until SIGINT/SIGTERM (tui/cmd_sim.c). */
int cmd_sim(int argc, char **argv);

/* drtop check PROFILE: 0 valid (summary on stdout, warnings on stderr),
 * 2 invalid or bad usage (every error on stderr). */
int cmd_check(int argc, char **argv);

/* drtop report [--format md|json|html] [-o FILE] [--set K=V]... LOG */
int cmd_report(int argc, char **argv);
/* drtop watch --json: headless live session as JSONL (tui/cmd_watch.c). */
int cmd_watch(int argc, char **argv);
/* drtop replay --check [--set K=V]... LOG: headless determinism check
 * (tui/cmd_replay.c); 0 equal, 1 not, 2 bad usage or log. */
int cmd_replay(int argc, char **argv);

/* The console: drtop [--theme NAME] [--ascii] [--record FILE]
 * (PROFILE | --demo). Takes main's argc/argv (argv[0] = "drtop"). */
int cmd_console(int argc, char **argv);

/* The console on a drill log: drtop replay [--speed X] [--set K=V]...
 * [--theme NAME] [--ascii] LOG (argv[0] = "replay"). For cmd_replay
 * without --check. */
int cmd_console_replay(int argc, char **argv);

#endif
