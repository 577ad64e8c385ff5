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
#include "keysman.h"
#include "probe/probe.h"

/*
 * The help of each mode: its synopsis, then its options. `drtop --help`
 * prints every block; `drtop MODE --help` prints that mode's, exit 0.
 */
typedef struct {
	const char *mode; /* NULL: the console */
	const char *text;
} ModeHelp;

static const ModeHelp mode_help[] = {
    {NULL,
        "  drtop [--theme NAME] [--ascii] [--record FILE] (PROFILE | "
        "--demo)\n"
        "      the console, on a profile or on simulated regions (--demo)\n"
        "      --theme NAME    dark, light, high-contrast or mono\n"
        "      --ascii         draw with ASCII only\n"
        "      --record FILE   write every event to FILE (never "
        "overwritten)\n"},
    {"check",
        "  drtop check PROFILE\n"
        "      validate a profile; print a summary with detection and "
        "failover bounds\n"},
    {"watch",
        "  drtop watch --json [--duration S] [--record FILE] PROFILE\n"
        "      headless: the session header and every event as JSONL on "
        "stdout\n"
        "      --duration S    stop after S seconds (default: at SIGINT "
        "or SIGTERM)\n"
        "      --record FILE   also write the log to FILE, durably\n"},
    {"sim",
        "  drtop sim [OPTION]...\n"
        "      simulated regions, traffic manager and DNS on loopback\n"
        "      --regions a,b,c     region names in priority order "
        "(eu20,us21,ap10)\n"
        "      --control PORT      control interface port (18080; 0 a "
        "free one)\n"
        "      --base-port N       region i listens on N+i (18081; 0 free "
        "ports)\n"
        "      --bind ADDR         a loopback address (127.0.0.1)\n"
        "      --dns-port N|off    the name server's UDP port (15353; 0 a "
        "free one)\n"
        "      --dns-name NAME     the name it answers "
        "(demo.sim.drtop.test)\n"
        "      --ttl S             the name server's TTL (30)\n"
        "      --dns-caching       the name server ages its answers like a "
        "cache\n"
        "      --manager automatic|manual   who moves the answer "
        "(automatic)\n"
        "      --resolvers [NAME=]caching|stale,...   up to 7 resolvers "
        "in front\n"
        "      --stale S           seconds a stale resolver serves an "
        "expired answer (15)\n"
        "      --public-port N|off every region also listens on its DNS "
        "address (off)\n"
        "      --write-profile FILE   write a profile for this world "
        "before \"ready\"\n"},
    {"replay",
        "  drtop replay [--speed X] [--set KEY=VALUE]... [--theme NAME] "
        "[--ascii] LOG\n"
        "  drtop replay --check [--set KEY=VALUE]... LOG\n"
        "      play a recorded log in the console; --check re-derives "
        "health and\n"
        "      routes headless and compares them with the recording (exit "
        "0 equal,\n"
        "      1 not)\n"
        "      --speed X       0.25 to 64 (1)\n"
        "      --set KEY=VALUE replay with a changed profile (what-if)\n"},
    {"report",
        "  drtop report [--format md|json|html] [-o FILE] [--set "
        "KEY=VALUE]... LOG\n"
        "      a drill report on stdout, or in FILE with -o\n"
        "      --format F      md (default), json or html\n"
        "      --set KEY=VALUE re-run the engine with a changed profile "
        "(what-if)\n"},
};

static const char usage_tail[] =
    "  drtop --help | --version | MODE --help\n"
    "Any mode also takes --debug-log FILE.\n"
    "Exit status: 0 success, 1 runtime failure, 2 bad usage, profile or "
    "log\n"
    "(replay --check: 1 when the replay differs from the recording).\n"
    "The manual: man drtop.\n";

void
cmd_usage(FILE *f)
{
	fputs("usage:\n", f);
	for (size_t i = 0; i < ARRAY_LEN(mode_help); i++)
		fputs(mode_help[i].text, f);
	fputs(usage_tail, f);
}

/* The help of one mode (NULL: the console), with the common lines. */
static void
mode_usage(const char *mode, FILE *f)
{
	fputs("usage:\n", f);
	for (size_t i = 0; i < ARRAY_LEN(mode_help); i++)
		if ((mode == NULL && mode_help[i].mode == NULL) ||
		    (mode != NULL && mode_help[i].mode != NULL &&
		        strcmp(mode, mode_help[i].mode) == 0))
			fputs(mode_help[i].text, f);
	fputs("Any mode also takes --debug-log FILE. drtop --help lists "
	      "every mode.\n",
	    f);
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
	/* `drtop MODE --help`: that mode's usage; the console's for
	 * `drtop --demo --help` and anything that is not a mode. A value
	 * that happens to read "--help" (-o --help) is taken as a help
	 * request too: asking is cheaper than writing a file so named. */
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			const char *mode = NULL;
			for (size_t k = 0; k < ARRAY_LEN(mode_help); k++)
				if (mode_help[k].mode != NULL &&
				    strcmp(argv[1], mode_help[k].mode) == 0)
					mode = argv[1];
			mode_usage(mode, stdout);
			return 0;
		}
	/* Not in the usage: the manual's key section, from the key tables
	 * (make man-keys). */
	if (argc == 2 && strcmp(argv[1], "--keys-man") == 0)
		return keys_man(stdout) == 0 && fflush(stdout) == 0 ? 0 : 1;
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
