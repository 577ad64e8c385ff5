/*
 * cmd_report: `drtop report [--format md|json|html] [-o FILE]
 * [--set KEY=VALUE]... LOG` -- reads a drill log (logread), computes the
 * drill metrics (report) and renders them (report_fmt). Exit 0, 1 when
 * the output cannot be written (saying why; -o FILE is then left as it
 * was), 2 for bad usage or a bad log.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "cmd.h"
#include "cmdout.h"
#include "journal/logread.h"
#include "journal/report.h"
#include "journal/report_fmt.h"
#include "journal/state.h"

#define REPORT_MAX_SETS 32

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("drtop report: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nusage: drtop report [--format md|json|html] [-o FILE] "
	      "[--set KEY=VALUE]... LOG\n",
	    stderr);
	return 2;
}

/* "--opt VALUE" or "--opt=VALUE"; advances *i. NULL when missing. */
static const char *
opt_value(int argc, char **argv, int *i, const char *opt)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n) == 0 && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (strcmp(argv[*i], opt) != 0)
		return NULL;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static bool
is_opt(const char *arg, const char *opt)
{
	size_t n = strlen(opt);
	return strncmp(arg, opt, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* A drill log's state line: the report (and the what-if engine) start
 * from it. -1 with the message printed when it does not read. */
static int
apply_state(LogRead *lr, const char *path, Report *r, ReportWhatIfRun *w)
{
	size_t len;
	const char *text = logread_state(lr, &len);
	EngineState st;
	char why[512];
	int rc = 0;

	if (text == NULL)
		return 0;
	if (state_parse(text, len, &st, why, sizeof(why)) != 0) {
		fprintf(stderr, "%s:2: %s\n", path, why);
		return -1;
	}
	report_start_state(r, &st);
	if (w != NULL && report_whatif_state(w, &st, why, sizeof(why)) != 0) {
		fprintf(stderr, "%s:2: %s\n", path, why);
		rc = -1;
	}
	engine_state_fini(&st);
	return rc;
}

/* Read the whole log into a finished report (and, with sets, a what-if
 * report into *whatif); NULL with the exit status. */
static Report *
build(const char *path, const char *const *sets, int nsets, Report **whatif,
    int *status)
{
	ReportWhatIfRun *w = NULL;
	char err[1024];
	SessionHeader hdr;
	LogRead *lr;
	Report *r;
	Event *ev;
	int rc;

	lr = logread_open(path, &hdr, err, sizeof(err));
	if (lr == NULL) {
		fprintf(stderr, "%s\n", err);
		*status = 2;
		return NULL;
	}
	/* Only for `make bench`, to measure what the probe fast path buys. */
	if (getenv("DRTOP_NO_FASTPROBE") != NULL)
		logread_set_fast(lr, false);
	r = report_new(&hdr, path);
	if (nsets > 0) {
		w = report_whatif_new(
		    &hdr, path, sets, nsets, err, sizeof(err));
		if (w == NULL) {
			fprintf(stderr, "drtop report: %s\n", err);
			report_free(r);
			r = NULL;
			*status = 2;
			goto out;
		}
	}
	if (apply_state(lr, path, r, w) != 0) {
		report_free(r);
		report_whatif_free(w);
		r = NULL;
		*status = 2;
		goto out;
	}
	ev = xmalloc(sizeof(*ev));
	while ((rc = logread_next(lr, ev, err, sizeof(err))) == 1) {
		report_feed(r, ev);
		if (w != NULL)
			report_whatif_feed(w, ev);
	}
	free(ev);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err);
		report_free(r);
		report_whatif_free(w);
		r = NULL;
		*status = 2;
		goto out;
	}
	if (logread_warning(lr) != NULL) {
		fprintf(
		    stderr, "drtop report: warning: %s\n", logread_warning(lr));
		str_copy(r->log_warning, sizeof(r->log_warning),
		    logread_warning(lr));
	}
	r->log_skipped = logread_skipped(lr);
	report_finish(r);
	if (w != NULL)
		*whatif = report_whatif_finish(w);
out:
	logread_close(lr);
	session_header_fini(&hdr);
	return r;
}

int
cmd_report(int argc, char **argv)
{
	const char *sets[REPORT_MAX_SETS];
	const char *out = NULL, *log = NULL, *v;
	int fmt = REPORT_FMT_MD, nsets = 0, status = 0;
	Report *r, *whatif = NULL;
	ReportWhatIf wi = {NULL, sets, 0};
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (is_opt(a, "--format")) {
			if ((v = opt_value(argc, argv, &i, "--format")) == NULL)
				return usage_error("%s needs a value", a);
			if ((fmt = report_format_from_name(v)) < 0)
				return usage_error(
				    "unknown format \"%s\" (md, json, html)",
				    v);
		} else if (is_opt(a, "-o") || is_opt(a, "--output")) {
			const char *o = a[1] == 'o' ? "-o" : "--output";
			if ((out = opt_value(argc, argv, &i, o)) == NULL)
				return usage_error("%s needs a file", a);
		} else if (is_opt(a, "--set")) {
			if ((v = opt_value(argc, argv, &i, "--set")) == NULL ||
			    strchr(v, '=') == NULL)
				return usage_error(
				    "%s needs KEY=VALUE", "--set");
			if (nsets == REPORT_MAX_SETS)
				return usage_error("too many %s", "--set");
			sets[nsets++] = v;
		} else if (is_opt(a, "--debug-log")) {
			if (opt_value(argc, argv, &i, "--debug-log") == NULL)
				return usage_error("%s needs a file", a);
		} else if (strcmp(a, "--") == 0 && i + 1 < argc && !log) {
			log = argv[++i];
		} else if (a[0] == '-' && a[1] != '\0') {
			return usage_error("unknown option %s", a);
		} else if (log != NULL) {
			return usage_error("only one LOG, got also %s", a);
		} else {
			log = a;
		}
	}
	if (log == NULL)
		return usage_error("%s", "no LOG given");
	r = build(log, sets, nsets, &whatif, &status);
	if (r == NULL)
		return status;
	wi.report = whatif;
	wi.nsets = nsets;
	/* Rendered whole first: a write that fails can then say why, and
	 * -o FILE gets all of the report or is left as it was. */
	f = open_memstream(&buf, &len);
	if (f == NULL ||
	    report_write(r, whatif ? &wi : NULL, (ReportFormat)fmt, f) != 0 ||
	    fclose(f) != 0)
		die("open_memstream: %s", strerror(errno));
	if (out == NULL ? cmdout_write(STDOUT_FILENO, buf, len) != 0
	                : cmdout_replace(out, buf, len) != 0) {
		if (out == NULL)
			fprintf(stderr,
			    "drtop report: writing the report: %s\n",
			    strerror(errno));
		else
			fprintf(stderr, "drtop report: writing %s: %s\n", out,
			    strerror(errno));
		status = 1;
	}
	free(buf);
	report_free(r);
	report_free(whatif);
	return status;
}
