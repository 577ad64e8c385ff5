/*
 * cmd_replay: `drtop replay --check [--speed X] [--set KEY=VALUE]... LOG`
 * -- the headless replay: plays the log through core/replay at maximum
 * speed without a terminal, prints the re-derived health and route
 * events as JSON Lines, then one line comparing every re-derived
 * health/route/converged/diverged event with the recorded ones:
 *   {"type":"replay_check","equal":true,"recorded":N,"rederived":N,
 *    "mismatches":0,"tail":0,"first_line":null,"first":null,
 *    "events":N,"whatif":false}
 * Exit 0 when equal, 1 when not (a what-if under --set usually is not),
 * 2 for bad usage or a bad log. Without --check, the log plays in the
 * console (cmd_console_replay in tui/cmd_console.c).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonw.h"
#include "base/util.h"
#include "cmd.h"
#include "engine/engine.h"
#include "journal/replay.h"
#include "model/event.h"

#define REPLAY_MAX_SETS 32

static const char replay_usage[] =
    "usage: drtop replay [--speed X] [--set KEY=VALUE]... LOG\n"
    "       drtop replay --check [--set KEY=VALUE]... LOG\n";

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("drtop replay: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(replay_usage, stderr);
	return 2;
}

/* "--opt VALUE" or "--opt=VALUE"; advances *i. NULL when not this
 * option; *missing set when it is but has no value. */
static const char *
opt_value(int argc, char **argv, int *i, const char *opt, bool *missing)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n) == 0 && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (strcmp(argv[*i], opt) != 0)
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

typedef struct {
	FILE *out;
	bool failed;
} CheckOut;

static void
print_derived(void *ctx, const Event *ev)
{
	CheckOut *c = ctx;
	char line[EVENT_JSON_MAX];
	size_t n;

	if (ev->type != EV_HEALTH && ev->type != EV_ROUTE)
		return;
	n = event_to_json(ev, line, sizeof(line));
	if (n > 0 && fwrite(line, 1, n, c->out) != n)
		c->failed = true;
}

static int
run_check(const char *path, const char *const *sets, int nsets, double speed)
{
	CheckOut co = {stdout, false};
	EventSink sink = {print_derived, &co};
	ReplayCheck chk;
	char err[1024], line[2048];
	JsonW w;
	Replay *r;
	size_t n;
	int rc;

	r = replay_open(path, sets, nsets, err, sizeof(err));
	if (r == NULL) {
		fprintf(stderr, "drtop replay: %s\n", err);
		return 2;
	}
	if (replay_warning(r) != NULL)
		fprintf(
		    stderr, "drtop replay: warning: %s\n", replay_warning(r));
	replay_set_speed(r, speed);
	/* Maximum speed: the whole log at once, in one call. */
	replay_seek_end(r, &sink);
	if (replay_error(r) != NULL) {
		fprintf(stderr, "drtop replay: %s\n", replay_error(r));
		replay_free(r);
		return 2;
	}
	replay_check(r, &chk);
	jsonw_init(&w, line, sizeof(line));
	jsonw_obj_open(&w);
	jsonw_key_str(&w, "type", "replay_check");
	jsonw_key_bool(&w, "equal", chk.mismatches == 0);
	jsonw_key_int(&w, "recorded", (long long)chk.recorded);
	jsonw_key_int(&w, "rederived", (long long)chk.rederived);
	jsonw_key_int(&w, "mismatches", (long long)chk.mismatches);
	jsonw_key_int(&w, "tail", (long long)chk.tail);
	if (chk.first_line > 0)
		jsonw_key_int(&w, "first_line", chk.first_line);
	else
		jsonw_key_null(&w, "first_line");
	if (chk.first[0] != '\0')
		jsonw_key_str(&w, "first", chk.first);
	else
		jsonw_key_null(&w, "first");
	jsonw_key_int(&w, "events", (long long)replay_fed(r));
	jsonw_key_bool(&w, "whatif", replay_whatif(r));
	jsonw_obj_close(&w);
	n = jsonw_finish(&w);
	if (n == 0 || fwrite(line, 1, n, stdout) != n ||
	    fputc('\n', stdout) == EOF)
		co.failed = true;
	if (fflush(stdout) != 0)
		co.failed = true;
	rc = co.failed ? 1 : chk.mismatches == 0 ? 0 : 1;
	if (chk.mismatches > 0)
		fprintf(stderr,
		    "drtop replay: %lu re-derived event%s differ%s from the "
		    "recording%s%s%s\n",
		    chk.mismatches, chk.mismatches == 1 ? "" : "s",
		    chk.mismatches == 1 ? "s" : "",
		    replay_whatif(r) ? " (a what-if under --set)" : "",
		    chk.first[0] ? "; first: " : "", chk.first);
	if (co.failed)
		fprintf(stderr, "drtop replay: cannot write the output\n");
	replay_free(r);
	return rc;
}

int
cmd_replay(int argc, char **argv)
{
	const char *sets[REPLAY_MAX_SETS], *path = NULL, *v;
	double speed = 1;
	bool check = false;
	int nsets = 0;

	/* Without --check the log plays in the console, which parses its
	 * own options (--ascii, --theme as well as these). */
	for (int i = 1; i < argc && !check; i++)
		check = strcmp(argv[i], "--check") == 0;
	if (!check)
		return cmd_console_replay(argc, argv);
	for (int i = 1; i < argc; i++) {
		bool missing = false;

		if (strcmp(argv[i], "--check") == 0) {
			/* seen above */
		} else if (opt_value(argc, argv, &i, "--debug-log", &missing) !=
		    NULL) {
			/* opened by main */
		} else if ((v = opt_value(
		                argc, argv, &i, "--speed", &missing)) != NULL) {
			char *end;
			speed = strtod(v, &end);
			if (*end != '\0' || !(speed >= REPLAY_SPEED_MIN) ||
			    speed > REPLAY_SPEED_MAX)
				return usage_error(
				    "--speed \"%s\": from 0.25 to 64", v);
		} else if ((v = opt_value(argc, argv, &i, "--set", &missing)) !=
		    NULL) {
			if (nsets == REPLAY_MAX_SETS)
				return usage_error(
				    "at most %d --set", REPLAY_MAX_SETS);
			sets[nsets++] = v;
		} else if (missing) {
			return usage_error("%s needs a value", argv[i]);
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return usage_error("unknown option %s", argv[i]);
		} else if (path == NULL) {
			path = argv[i];
		} else {
			return usage_error("one log only");
		}
	}
	if (path == NULL)
		return usage_error("no log given");
	return run_check(path, sets, nsets, speed);
}
