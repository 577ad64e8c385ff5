/*
 * cmd_sim: `drtop sim` runs the simulated world (core/sim/simworld:
 * regions, the traffic manager's name server, resolvers in front of it)
 * standalone until SIGINT or SIGTERM. It prints one line per region,
 * the control URL, the DNS servers and "ready", so scripts can read the
 * ports from stdout; --write-profile writes a profile for it first.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/dlog.h"
#include "base/limits.h"
#include "base/util.h"
#include "cmd.h"
#include "sim/sim.h"
#include "sim/simprofile.h"
#include "sim/simworld.h"

#define SIM_DEFAULT_REGIONS "eu20,us21,ap10"
#define SIM_DEFAULT_CONTROL 18080
#define SIM_DEFAULT_BASE 18081
#define SIM_MAX_REGIONS 4096
#define SIM_DEFAULT_DNS 15353
#define SIM_DEFAULT_TTL 30
#define SIM_DEFAULT_STALE 15

static volatile sig_atomic_t sim_quit;

/* --debug-log (opened by main through core/dlog): one line per change. */
static void
log_line(void *ctx, const char *msg)
{
	(void)ctx;
	dlog("sim: %s", msg);
}

static void
on_signal(int sig)
{
	(void)sig;
	sim_quit = 1;
}

static const char sim_usage[] =
    "usage: drtop sim [--regions a,b,c] [--control PORT] [--base-port N]\n"
    "                 [--bind 127.0.0.1] [--dns-port N|off] [--dns-name NAME]\n"
    "                 [--ttl S] [--dns-caching] [--manager automatic|manual]\n"
    "                 [--resolvers [NAME=]caching|stale,...] [--stale S]\n"
    "                 [--public-port N|off] [--write-profile FILE]\n"
    "                 [--debug-log FILE]\n";

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("drtop sim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	fputs(sim_usage, stderr);
	return 2;
}

/* A port 0-65535; -1 when text is not one. */
static int
parse_port(const char *text)
{
	char *end;
	long v;

	if (text == NULL || *text < '0' || *text > '9')
		return -1;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > 65535)
		return -1;
	return (int)v;
}

/* Seconds 0-604800; -1 when text is not that. */
static int
parse_seconds(const char *text)
{
	char *end;
	long v;

	if (text == NULL || *text < '0' || *text > '9')
		return -1;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > 604800)
		return -1;
	return (int)v;
}

/*
 * --resolvers: "[NAME=]ROLE,..." (ROLE caching or stale; a name without
 * one is isp-a, isp-b, ...) into res[] (names point into list, which
 * is cut). Returns the count, or -1 with err set.
 */
static int
parse_resolvers(
    char *list, SimWorldResolver *res, char names[][8], char *err, size_t cap)
{
	int n = 0;
	char *save = NULL;

	for (char *tok = strtok_r(list, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strrchr(tok, '=');
		const char *role = eq != NULL ? eq + 1 : tok;
		int r = simdns_role_from_name(role);

		if (n == SIMWORLD_MAX_RESOLVERS) {
			snprintf(err, cap, "at most %d resolvers",
			    SIMWORLD_MAX_RESOLVERS);
			return -1;
		}
		if (r != SIMDNS_CACHING && r != SIMDNS_STALE) {
			snprintf(err, cap,
			    "\"%s\": a resolver is [NAME=]caching or "
			    "[NAME=]stale",
			    tok);
			return -1;
		}
		if (eq != NULL)
			*eq = '\0';
		snprintf(names[n], sizeof(names[n]), "isp-%c", 'a' + n);
		res[n].name = eq != NULL ? tok : names[n];
		res[n].role = (SimDnsRole)r;
		res[n].port = 0;
		n++;
	}
	if (n == 0) {
		snprintf(err, cap, "give one or more resolvers");
		return -1;
	}
	return n;
}

/* Write text to path through a temporary file and rename, so a reader
 * never sees half a profile. 0, or -1 with err set. */
static int
write_file(const char *path, const char *text, char *err, size_t cap)
{
	char *tmp = xasprintf("%s.tmp", path);
	size_t len = strlen(text), off = 0;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int rc = -1;

	if (fd < 0) {
		snprintf(err, cap, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(
			    err, cap, "%s: write: %s", tmp, strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (close(fd) != 0) {
		fd = -1;
		snprintf(err, cap, "%s: close: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* Split list on commas into names (pointers into list). */
static int
split_regions(char *list, char **names, int cap)
{
	int n = 0;
	char *save = NULL;

	for (char *tok = strtok_r(list, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == cap)
			return -1;
		names[n++] = tok;
	}
	return n;
}

int
cmd_sim(int argc, char **argv)
{
	const char *regions_arg = SIM_DEFAULT_REGIONS;
	const char *bind = "127.0.0.1";
	const char *log_path = NULL;
	int control = SIM_DEFAULT_CONTROL;
	int base = SIM_DEFAULT_BASE;
	int dns_port = SIM_DEFAULT_DNS;
	const char *dns_name = SIMWORLD_DNS_NAME;
	int ttl = SIM_DEFAULT_TTL;
	int stale = SIM_DEFAULT_STALE;
	bool dns_caching = false;
	SimTmManager manager = SIM_TM_AUTOMATIC;
	const char *resolvers_arg = NULL, *profile_path = NULL;
	bool public_listen = false;
	int public_port = 0;
	char err[512];
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(sim_usage, stdout);
			return 0;
		}
		if (strcmp(a, "--dns-caching") == 0) {
			dns_caching = true;
			continue;
		}
		if (strcmp(a, "--regions") != 0 &&
		    strcmp(a, "--control") != 0 &&
		    strcmp(a, "--base-port") != 0 && strcmp(a, "--bind") != 0 &&
		    strcmp(a, "--debug-log") != 0 &&
		    strcmp(a, "--dns-port") != 0 &&
		    strcmp(a, "--dns-name") != 0 && strcmp(a, "--ttl") != 0 &&
		    strcmp(a, "--manager") != 0 &&
		    strcmp(a, "--resolvers") != 0 &&
		    strcmp(a, "--stale") != 0 &&
		    strcmp(a, "--public-port") != 0 &&
		    strcmp(a, "--write-profile") != 0)
			return usage_error("unknown argument \"%s\"", a);
		if (v == NULL)
			return usage_error("%s needs a value", a);
		i++;
		if (strcmp(a, "--regions") == 0)
			regions_arg = v;
		else if (strcmp(a, "--bind") == 0)
			bind = v;
		else if (strcmp(a, "--debug-log") == 0)
			log_path = v;
		else if (strcmp(a, "--dns-name") == 0)
			dns_name = v;
		else if (strcmp(a, "--dns-port") == 0) {
			if (strcmp(v, "off") == 0)
				dns_port = -1;
			else if ((dns_port = parse_port(v)) < 0)
				return usage_error(
				    "--dns-port \"%s\": not a port (0-65535) "
				    "or off",
				    v);
		} else if (strcmp(a, "--ttl") == 0) {
			if ((ttl = parse_seconds(v)) < 0)
				return usage_error(
				    "--ttl \"%s\": seconds from 0 to 604800",
				    v);
		} else if (strcmp(a, "--stale") == 0) {
			if ((stale = parse_seconds(v)) < 0)
				return usage_error(
				    "--stale \"%s\": seconds from 0 to 604800",
				    v);
		} else if (strcmp(a, "--manager") == 0) {
			int m = sim_tm_manager_from_name(v);
			if (m < 0)
				return usage_error("--manager \"%s\": "
				                   "automatic or manual",
				    v);
			manager = (SimTmManager)m;
		} else if (strcmp(a, "--resolvers") == 0) {
			resolvers_arg = v;
		} else if (strcmp(a, "--write-profile") == 0) {
			profile_path = v;
		} else if (strcmp(a, "--public-port") == 0) {
			public_listen = strcmp(v, "off") != 0;
			if (public_listen && (public_port = parse_port(v)) < 0)
				return usage_error(
				    "--public-port \"%s\": not a port "
				    "(0-65535) or off",
				    v);
		} else if (strcmp(a, "--control") == 0) {
			if ((control = parse_port(v)) < 0)
				return usage_error(
				    "--control \"%s\": not a port (0-65535)",
				    v);
		} else if (strcmp(a, "--base-port") == 0) {
			if ((base = parse_port(v)) < 0)
				return usage_error(
				    "--base-port \"%s\": not a port (0-65535)",
				    v);
		}
	}
	if (!sim_addr_is_loopback(bind))
		return usage_error("--bind \"%s\": only loopback addresses "
		                   "(127.0.0.0/8 or ::1) are allowed",
		    bind);

	char *list = xstrdup(regions_arg);
	char *rlist = xstrdup(resolvers_arg != NULL ? resolvers_arg : "");
	char **names = xcalloc(SIM_MAX_REGIONS, sizeof(*names));
	SimRegionSpec *specs = xcalloc(SIM_MAX_REGIONS, sizeof(*specs));
	SimWorldResolver res[SIMWORLD_MAX_RESOLVERS];
	char res_names[SIMWORLD_MAX_RESOLVERS][8];
	char *profile_text = NULL;
	SimWorld *world = NULL;
	Sim *sim = NULL;
	int nres = 0;
	int n = split_regions(list, names, SIM_MAX_REGIONS);
	if (resolvers_arg != NULL) {
		if (dns_port < 0) {
			rc = usage_error("--resolvers needs the DNS "
			                 "(not --dns-port off)");
			goto out;
		}
		nres = parse_resolvers(rlist, res, res_names, err, sizeof(err));
		if (nres < 0) {
			rc = usage_error("--resolvers: %s", err);
			goto out;
		}
		/* With a fixed DNS port, the resolvers take the next ones. */
		for (int i = 0; i < nres; i++)
			res[i].port = dns_port == 0 ? 0 : dns_port + 1 + i;
		if (dns_port != 0 && dns_port + nres > 65535) {
			rc = usage_error("--dns-port %d: the resolvers' ports "
			                 "would pass 65535",
			    dns_port);
			goto out;
		}
	}
	if (n <= 0) {
		rc = usage_error("--regions \"%s\": give 1 to 4096 names "
		                 "separated by commas",
		    regions_arg);
		goto out;
	}
	if (base != 0 && base + n - 1 > 65535) {
		snprintf(err, sizeof(err),
		    "--base-port %d: the last region's port would be %d, "
		    "above 65535",
		    base, base + n - 1);
		rc = usage_error("%s", err);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		specs[i].name = names[i];
		specs[i].port = base == 0 ? 0 : base + i;
	}
	SimConfig cfg = {
	    .regions = specs,
	    .nregions = n,
	    .control_port = control,
	    .bind = bind,
	    .manager = manager,
	    .public_listen = public_listen,
	    .public_port = public_port,
	};
	if (sim_config_check(&cfg, err, sizeof(err)) != 0) {
		rc = usage_error("%s", err);
		goto out;
	}
	if (log_path != NULL)
		cfg.log = log_line;

	/* Signals: handlers only set a flag; they stay blocked except
	 * inside sigsuspend, so no wake-up is lost. */
	sigset_t block, old;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	limits_raise_nofile();

	SimWorldConfig wcfg = {
	    .sim = cfg,
	    .dns_port = dns_port,
	    .dns_name = dns_name,
	    .ttl = ttl,
	    .caching = dns_caching,
	    .resolvers = res,
	    .nresolvers = nres,
	    .stale = stale,
	    .stale_ttl = 1,
	};
	if (simworld_config_check(&wcfg, err, sizeof(err)) != 0) {
		rc = usage_error("%s", err);
		sigprocmask(SIG_SETMASK, &old, NULL);
		goto out;
	}
	world = simworld_start(&wcfg, err, sizeof(err));
	if (world != NULL)
		sim = simworld_sim(world);
	if (world == NULL) {
		fprintf(stderr, "drtop sim: %s\n", err);
		rc = 1;
		sigprocmask(SIG_SETMASK, &old, NULL);
		goto out;
	}
	for (int i = 0; i < sim_region_count(sim); i++)
		printf("region %s %s\n", sim_region_name(sim, i),
		    sim_region_url(sim, i));
	if (sim_control_port(sim) >= 0) {
		const char *b = sim_bind_addr(sim);
		bool v6 = strchr(b, ':') != NULL;
		printf("control http://%s%s%s:%d\n", v6 ? "[" : "", b,
		    v6 ? "]" : "", sim_control_port(sim));
	}
	if (simworld_dns(world) != NULL) {
		const char *b = sim_bind_addr(sim);
		bool v6 = strchr(b, ':') != NULL;
		printf("dns %s%s%s:%d %s\n", v6 ? "[" : "", b, v6 ? "]" : "",
		    simdns_port(simworld_dns(world)), dns_name);
		/* The name last: it may hold spaces. */
		for (int i = 0; i < simworld_resolver_count(world); i++) {
			SimDns *r = simworld_resolver(world, i);
			printf("resolver %s%s%s:%d %s %s\n", v6 ? "[" : "", b,
			    v6 ? "]" : "", simdns_port(r),
			    simdns_role_name(simdns_role(r)),
			    simworld_resolver_name(world, i));
		}
	}
	for (int i = 0; public_listen && i < sim_region_count(sim); i++) {
		char addr[16];
		sim_region_public_addr(sim, i, addr, sizeof(addr));
		printf("public %s http://%s:%d/health\n",
		    sim_region_name(sim, i), addr, sim_public_port(sim));
	}
	if (profile_path != NULL) {
		profile_text = simprofile_json(world, NULL);
		if (write_file(profile_path, profile_text, err, sizeof(err)) !=
		    0) {
			fprintf(stderr, "drtop sim: --write-profile %s\n", err);
			rc = 1;
			sigprocmask(SIG_SETMASK, &old, NULL);
			goto out;
		}
		printf("profile %s\n", profile_path);
	}
	printf("ready\n");
	fflush(stdout);
	if (log_path != NULL)
		for (int i = 0; i < sim_region_count(sim); i++) {
			snprintf(err, sizeof(err), "region %s %s",
			    sim_region_name(sim, i), sim_region_url(sim, i));
			log_line(NULL, err);
		}

	sigset_t wait_mask = old;
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);
	while (!sim_quit)
		sigsuspend(&wait_mask);
	sigprocmask(SIG_SETMASK, &old, NULL);
	rc = 0;
out:
	simworld_stop(world);
	if (log_path != NULL && rc == 0)
		log_line(NULL, "stopped");
	free(profile_text);
	free(specs);
	free(names);
	free(rlist);
	free(list);
	return rc;
}
