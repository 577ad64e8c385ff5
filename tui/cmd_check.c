/*
 * cmd_check: `drtop check PROFILE`. Loads the profile the way the console
 * would, except that a missing ${env:NAME} is only a warning (a jump host
 * validates profiles without the secrets), and prints what drtop will do
 * with it: effective monitor settings, the detection bound and the
 * worst-case failover a client sees. Header values are never printed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/limits.h"
#include "base/util.h"
#include "cmd.h"
#include "cmdout.h"
#include "model/profile.h"

/* Seconds without trailing zeros ("30", "0.5"). LC_NUMERIC stays "C". */
static const char *
secs(char *buf, size_t cap, double v)
{
	snprintf(buf, cap, "%.6g", v);
	return buf;
}

/* One argument as a shell would need it (for reading, never run). */
static void
print_arg(FILE *f, const char *s)
{
	bool plain = s[0] != '\0' && strpbrk(s, " \t\"'\\") == NULL;

	if (plain) {
		fputs(s, f);
		return;
	}
	if (strchr(s, '\'') == NULL) {
		fprintf(f, "'%s'", s);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
print_ranges(FILE *f, const Monitor *m)
{
	for (int i = 0; i < m->nexpected; i++) {
		if (m->expected[i].lo == m->expected[i].hi)
			fprintf(f, "%s%d", i ? ", " : "", m->expected[i].lo);
		else
			fprintf(f, "%s%d-%d", i ? ", " : "", m->expected[i].lo,
			    m->expected[i].hi);
	}
}

static void
print_endpoint(FILE *f, const Profile *p, const Endpoint *e)
{
	const Monitor *m = &e->monitor;
	char a[32], b[32], c[32];
	double bound = profile_detection_bound(e);

	fprintf(f, "\n  %s", e->name);
	if (e->region[0] != '\0')
		fprintf(f, "  %s", e->region);
	if (e->has_pos)
		fprintf(f, "  (%s, %s)", secs(a, sizeof(a), e->lat),
		    secs(b, sizeof(b), e->lon));
	if (e->disabled)
		fputs("  [disabled: not probed, not routed to]", f);
	fputc('\n', f);
	fprintf(f, "    target      %s\n", e->target);
	fprintf(f, "    probe       %s%s%s%s\n", e->url,
	    e->connect_to ? "  via " : "", e->connect_to ? e->connect_to : "",
	    e->insecure ? "  (TLS not verified)" : "");
	/* Both, so the numbers are there when routing.method changes. */
	fprintf(f, "    priority    %d, weight %s\n", e->priority,
	    secs(a, sizeof(a), e->weight));
	fprintf(f,
	    "    monitor     every %s s, timeout %s s, tolerated failures "
	    "%d, rise %d, %s connection\n",
	    secs(a, sizeof(a), m->interval), secs(b, sizeof(b), m->timeout),
	    m->tolerated_failures, m->rise,
	    m->reuse_connections ? "reused" : "fresh");
	if (m->protocol != PROTO_TCP) {
		fputs("    expect      ", f);
		print_ranges(f, m);
		if (m->body_contains != NULL)
			fprintf(f, "; body contains \"%s\"", m->body_contains);
		fputc('\n', f);
		if (m->nheaders > 0) {
			fputs("    headers     ", f);
			for (int i = 0; i < m->nheaders; i++)
				fprintf(f, "%s%s", i ? ", " : "",
				    m->headers[i].name);
			fputs(" (values hidden)\n", f);
		}
		if (m->identify == IDENTIFY_HEADER)
			fprintf(f, "    identify    response header %s\n",
			    m->identify_header);
		else if (m->identify == IDENTIFY_BODY)
			fputs("    identify    first line of the body\n", f);
	} else {
		fputs("    expect      a TCP connection\n", f);
	}
	if (e->ndns_answers > 0) {
		fputs("    dns answers ", f);
		for (int i = 0; i < e->ndns_answers; i++)
			fprintf(f, "%s%s", i ? ", " : "", e->dns_answers[i]);
		fputc('\n', f);
	}
	fprintf(f,
	    "    detection   <= %s s after a fault (interval %s x "
	    "(tolerated %d + 1) + timeout %s)\n",
	    secs(a, sizeof(a), bound), secs(b, sizeof(b), m->interval),
	    m->tolerated_failures, secs(c, sizeof(c), m->timeout));
	fprintf(f,
	    "    failover    <= %s s until clients follow (detection %s + "
	    "TTL %d)\n",
	    secs(a, sizeof(a), profile_worst_failover(p, e)),
	    secs(b, sizeof(b), bound), p->dns.ttl);
}

static void
print_action(FILE *f, const char *label, const Action *a)
{
	char t[32];

	if (a->nsteps == 0) {
		fprintf(f, "  %-9s (none)\n", label);
		return;
	}
	if (a->nsteps == 1 && a->steps[0].name == NULL) {
		fprintf(f, "  %-9s timeout %s s: ", label,
		    secs(t, sizeof(t), a->steps[0].timeout));
		for (int i = 0; i < a->steps[0].argc; i++) {
			if (i > 0)
				fputc(' ', f);
			print_arg(f, a->steps[0].argv[i]);
		}
		fputc('\n', f);
		return;
	}
	fprintf(f, "  %-9s runbook of %d steps\n", label, a->nsteps);
	for (int s = 0; s < a->nsteps; s++) {
		const ActionStep *st = &a->steps[s];

		fprintf(f, "    %d. %s (timeout %s s): ", s + 1, st->name,
		    secs(t, sizeof(t), st->timeout));
		for (int i = 0; i < st->argc; i++) {
			if (i > 0)
				fputc(' ', f);
			print_arg(f, st->argv[i]);
		}
		fputc('\n', f);
	}
}

static void
print_summary(FILE *f, const Profile *p)
{
	char a[32], b[32], c[32];
	double worst = 0;

	fprintf(f, "profile     %s\n", p->file);
	fprintf(f, "service     %s\n", p->service);
	if (p->dns.name != NULL)
		fprintf(
		    f, "dns         %s, TTL %d s\n", p->dns.name, p->dns.ttl);
	else
		fprintf(f, "dns         (no name: not observed), TTL %d s\n",
		    p->dns.ttl);
	fputs("resolvers   ", f);
	for (int i = 0; i < p->dns.nresolvers; i++) {
		const Resolver *r = &p->dns.resolvers[i];

		fprintf(f, "%s%s", i ? ", " : "", r->name);
		if (strcmp(r->name, r->addr) != 0)
			fprintf(f, " (%s)", r->addr);
		if (r->authoritative)
			fputs(" [authoritative]", f);
	}
	fprintf(f, " (polled every %s s, query timeout %s s)\n",
	    secs(a, sizeof(a), p->dns.interval),
	    secs(b, sizeof(b), p->dns.timeout));
	fprintf(f,
	    "routing     %s, failback %s, hold_down %s s, auto_failover %s\n",
	    route_method_name(p->routing.method),
	    p->routing.failback_auto ? "auto" : "manual",
	    secs(c, sizeof(c), p->routing.hold_down),
	    p->routing.auto_failover ? "on" : "off");
	fprintf(f, "manager     %s: %s\n",
	    route_manager_name(p->routing.manager),
	    p->routing.manager == MANAGER_MANUAL
	        ? "DNS moves only when an action (or someone) changes it; "
	          "health gives recommendations, the route follows DNS"
	        : "the traffic manager moves DNS by itself; drtop's route is "
	          "what it expects, DNS shows what happened");
	if (p->public_ep != NULL)
		fprintf(f,
		    "public      %s every %s s, resolved as a client does "
		    "(resolver %s)\n",
		    p->public_ep->url,
		    secs(a, sizeof(a), p->public_ep->monitor.interval),
		    profile_resolver_name(p, p->public_resolver));
	fprintf(f, "\nendpoints (%d):\n", p->nendpoints);
	for (int i = 0; i < p->nendpoints; i++) {
		print_endpoint(f, p, &p->endpoints[i]);
		if (!p->endpoints[i].disabled &&
		    profile_worst_failover(p, &p->endpoints[i]) > worst)
			worst = profile_worst_failover(p, &p->endpoints[i]);
	}
	fputs(
	    "\nactions ({from}, {to}, {service} are filled in when run)\n", f);
	print_action(f, "failover", &p->failover);
	print_action(f, "failback", &p->failback);
	fputs("\ndrill       ", f);
	if (p->rto_target >= 0)
		fprintf(
		    f, "RTO target %s s", secs(a, sizeof(a), p->rto_target));
	else
		fputs("no RTO target", f);
	fprintf(f, ", logs in %s\n", p->drill_dir);
	{
		long soft = limits_raise_nofile();
		long room = limits_endpoints_for(soft);

		if (soft >= 0)
			fprintf(f,
			    "\nopen files  %ld here: up to %ld endpoints "
			    "probed "
			    "at once%s\n",
			    soft, room,
			    p->nendpoints > room
			        ? " -- FEWER than this profile "
			          "has (raise ulimit -n)"
			        : "");
	}
	fprintf(f,
	    "\nOK: %d endpoint%s; worst-case failover a client sees: %s s\n",
	    p->nendpoints, p->nendpoints == 1 ? "" : "s",
	    secs(a, sizeof(a), worst));
}

/* A program given by path that cannot run here is worth a warning (the
 * profile may be checked on another host than the one that runs it). */
static void
warn_programs(const Profile *p, const char *label, const Action *a)
{
	for (int i = 0; i < a->nsteps; i++) {
		const char *prog = a->steps[i].argv[0];

		if (strchr(prog, '/') != NULL && access(prog, X_OK) != 0)
			fprintf(stderr,
			    "%s: actions.%s: warning: %s is not an executable "
			    "file here (%s)\n",
			    p->file, label, prog, strerror(errno));
	}
}

/* The summary on stdout, rendered first so that a write that fails
 * (stdout on a full disk, a closed pipe) says why: 0, or 1 after
 * "drtop check: writing the summary: REASON". */
static int
write_summary(const Profile *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int rc = 0;

	if (m == NULL)
		die("open_memstream: %s", strerror(errno));
	print_summary(m, p);
	if (fclose(m) != 0)
		die("open_memstream: %s", strerror(errno));
	fflush(stdout); /* nothing is in it; keep the order if there were */
	if (cmdout_write(STDOUT_FILENO, buf, len) != 0) {
		fprintf(stderr, "drtop check: writing the summary: %s\n",
		    strerror(errno));
		rc = 1;
	}
	free(buf);
	return rc;
}

int
cmd_check(int argc, char **argv)
{
	ErrList errs, warns;
	Profile *p;
	const char *path = NULL;
	int npaths = 0, rc;

	for (int i = 1; i < argc; i++) {
		/* Every mode takes --debug-log; check has nothing to log. */
		if (strcmp(argv[i], "--debug-log") == 0 && i + 1 < argc) {
			i++;
			continue;
		}
		if (argv[i][0] == '-' || argv[i][0] == '\0') {
			fprintf(stderr, "drtop check: unknown option '%s'\n",
			    argv[i]);
			cmd_usage(stderr);
			return 2;
		}
		path = argv[i];
		npaths++;
	}
	if (npaths != 1) {
		fputs("drtop check: expected exactly one PROFILE\n", stderr);
		cmd_usage(stderr);
		return 2;
	}
	errlist_init(&errs);
	errlist_init(&warns);
	p = profile_load_flags(path, PROFILE_ENV_OPTIONAL, &errs, &warns);
	errlist_print(&warns, stderr);
	if (p == NULL) {
		errlist_print(&errs, stderr);
		errlist_fini(&errs);
		errlist_fini(&warns);
		return 2;
	}
	warn_programs(p, "failover", &p->failover);
	warn_programs(p, "failback", &p->failback);
	rc = write_summary(p);
	profile_free(p);
	errlist_fini(&errs);
	errlist_fini(&warns);
	return rc;
}
