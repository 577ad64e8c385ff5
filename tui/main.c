/*
 * main: the command line of DESIGN.md. Parses the mode and hands over to
 * one cmd_* function; only this layer picks exit codes (0 success,
 * 1 runtime failure, 2 bad usage, bad profile or bad log).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/dlog.h"
#include "base/limits.h"
#include "base/util.h"
#include "cmd.h"
#include "probe/probe.h"

static const char usage_text[] =
    "usage:\n"
    "  drtop [--theme NAME] [--ascii] [--record FILE] (PROFILE | --demo)\n"
    "  drtop check PROFILE\n"
    "  drtop watch --json [--duration S] [--record FILE] PROFILE\n"
    "  drtop sim [--regions a,b,c] [--control PORT] [--manager "
    "automatic|manual]\n"
    "            [--resolvers [NAME=]caching|stale,...] [--write-profile "
    "FILE]\n"
    "            (drtop sim --help lists them all)\n"
    "  drtop replay [--speed X] [--set KEY=VALUE]... LOG\n"
    "  drtop report [--format md|json|html] [-o FILE] [--set KEY=VALUE]... "
    "LOG\n"
    "  drtop --help | --version\n"
    "Any mode also takes --debug-log FILE.\n"
    "Exit status: 0 success, 1 runtime failure, 2 bad usage, profile or log.\n";

void
cmd_usage(FILE *f)
{
	fputs(usage_text, f);
}

typedef struct {
	const char *name;
	int (*run)(int argc, char **argv);
} Command;

/* One line per mode; the table ends with a NULL name. */
static const Command commands[] = {
    {"check", cmd_check},
    {"sim", cmd_sim},
    {"report", cmd_report},
    {"watch", cmd_watch},
    {"replay", cmd_replay},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	if (argc >= 2 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		cmd_usage(stdout);
		return 0;
	}
	/* `drtop MODE --help` (sim has its own, longer one). */
	for (int i = 2; i < argc && strcmp(argv[1], "sim") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			cmd_usage(stdout);
			return 0;
		}
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("drtop %s\n", DRTOP_VERSION);
		return 0;
	}
	/* Every mode takes --debug-log FILE; modes skip it in their own
	 * parsing. */
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--debug-log") == 0) {
			char err[512];
			if (dlog_open(argv[i + 1], err, sizeof(err)) != 0) {
				/* A file that cannot be opened is a runtime
				 * failure, like a port in use. */
				fprintf(stderr, "drtop: --debug-log %s\n", err);
				return 1;
			}
			dlog("drtop %s: %s started", DRTOP_VERSION,
			    argc > 1 ? argv[1] : "");
			break;
		}
	/* One socket per probe in flight: the hard limit is what this
	 * machine allows, the soft one only a default. */
	limits_raise_nofile();
	/* A file-size limit is a write error (EFBIG) the recorder reports
	 * and survives, not a signal that kills drtop mid-line. */
	signal(SIGXFSZ, SIG_IGN);
	if (probe_global_init() != 0) {
		fprintf(stderr, "drtop: libcurl failed to initialise\n");
		return 1;
	}
	for (size_t i = 0; argc >= 2 && commands[i].name != NULL; i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			int rc = commands[i].run(argc - 1, argv + 1);
			probe_global_cleanup();
			dlog("%s exited with status %d", commands[i].name, rc);
			dlog_close();
			return rc;
		}
	/* not a mode: the console (PROFILE or --demo) */
	int rc = cmd_console(argc, argv);
	probe_global_cleanup();
	return rc;
}
