/*
 * demo: the embedded world of `drtop --demo`.
 *
 * DESIGN: core/simworld starts the regions and the simulated DNS (each
 * owns its thread; the DNS asks the regions' traffic manager which
 * region to answer with, and ages its answers like a resolver's cache so
 * the TTL countdown has something to show). The built-in
 * profile is JSON text with the ports filled in, loaded through
 * profile_parse so it is validated like any user's profile. The demo's
 * fault rotation state belongs to the main thread.
 *
 * The built-in failover action is a real process started by the action
 * runner, as a user's would be: the `curl` command-line tool posting the
 * target region to the simulator's control interface (`POST /tm/force`,
 * on an ephemeral loopback port), so the simulated traffic manager
 * answers with it and the DNS panel shows the failover propagating. The
 * failback action posts "auto": the traffic manager follows the regions'
 * health again (the best healthy region by priority). curl gets -q (no
 * ~/.curlrc) and --noproxy '*' (a proxy from the environment must not
 * see loopback requests).
 */
#include "sim/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "sim/simworld.h"

#define DEMO_REGIONS 3
#define DEMO_TTL 30

static const char *const region_names[DEMO_REGIONS] = {"eu20", "us21", "ap10"};

/* The fault rotation of keys 1, 2, 3. */
static const char *const rotation[] = {
    "ok", "status 500", "refuse", "blackhole"};

struct Demo {
	SimWorld *world;
	Sim *sim; /* the world's regions */
	Profile *profile;
	int fault_step[DEMO_REGIONS];
};

/* The argument vector before the body: curl, quiet but for errors,
 * failing on an HTTP error status, bounded in time. */
#define DEMO_CURL                                                              \
	"\"curl\",\"-q\",\"-fsS\",\"--noproxy\",\"*\",\"--max-time\",\"5\","   \
	"\"-X\",\"POST\",\"--data-binary\""

static char *
demo_profile_json(const Demo *d)
{
	int dns_port = simdns_port(simworld_dns(d->world));
	char force[128];

	snprintf(force, sizeof(force), "\"http://127.0.0.1:%d/tm/force\"",
	    sim_control_port(d->sim));

	return xasprintf(
	    "{\"service\":\"demo\","
	    "\"dns\":{\"name\":\"" SIMWORLD_DNS_NAME "\",\"ttl\":%d,"
	    "\"resolvers\":[\"127.0.0.1:%d\"],\"interval\":1},"
	    "\"routing\":{\"method\":\"priority\",\"failback\":\"manual\","
	    "\"hold_down\":10},"
	    "\"monitor\":{\"protocol\":\"http\",\"path\":\"/health\","
	    "\"interval\":1,\"timeout\":0.5,\"tolerated_failures\":1,"
	    "\"expected_status\":[\"200\"],"
	    "\"identify\":{\"header\":\"X-Region\"}},"
	    "\"endpoints\":["
	    "{\"name\":\"eu20\",\"region\":\"Europe (Frankfurt)\","
	    "\"lat\":50.1,\"lon\":8.7,\"target\":\"%s\",\"priority\":1,"
	    "\"dns_answers\":[\"eu20." SIMDNS_ZONE "\"]},"
	    "{\"name\":\"us21\",\"region\":\"US East (Virginia)\","
	    "\"lat\":38.9,\"lon\":-77.0,\"target\":\"%s\",\"priority\":2,"
	    "\"dns_answers\":[\"us21." SIMDNS_ZONE "\"]},"
	    "{\"name\":\"ap10\",\"region\":\"Asia Pacific (Sydney)\","
	    "\"lat\":-33.9,\"lon\":151.2,\"target\":\"%s\",\"priority\":3,"
	    "\"dns_answers\":[\"ap10." SIMDNS_ZONE "\"]}],"
	    "\"actions\":{"
	    "\"failover\":{\"argv\":[" DEMO_CURL ",\"{to}\",%s],"
	    "\"timeout\":10},"
	    "\"failback\":{\"argv\":[" DEMO_CURL ",\"auto\",%s],"
	    "\"timeout\":10}},"
	    "\"drill\":{\"rto_target\":120,\"dir\":\"drills\"}}",
	    DEMO_TTL, dns_port, sim_region_url(d->sim, 0),
	    sim_region_url(d->sim, 1), sim_region_url(d->sim, 2), force, force);
}

Demo *
demo_start(char *err, size_t errcap)
{
	SimRegionSpec specs[DEMO_REGIONS];
	SimWorldConfig wc;
	Demo *d = xcalloc(1, sizeof(*d));
	ErrList errs;
	char *json, cwd[4096];

	for (int i = 0; i < DEMO_REGIONS; i++)
		specs[i] = (SimRegionSpec){region_names[i], 0};
	memset(&wc, 0, sizeof(wc));
	wc.sim.regions = specs;
	wc.sim.nregions = DEMO_REGIONS;
	wc.sim.control_port = 0; /* ephemeral, loopback: the actions' */
	wc.dns_port = 0;
	wc.ttl = DEMO_TTL;
	wc.caching = true; /* answers age like a resolver's cache */
	d->world = simworld_start(&wc, err, errcap);
	if (d->world == NULL)
		goto fail;
	d->sim = simworld_sim(d->world);
	json = demo_profile_json(d);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		str_copy(cwd, sizeof(cwd), "/tmp");
	errlist_init(&errs);
	d->profile =
	    profile_parse(json, strlen(json), "(demo profile)", cwd, &errs);
	free(json);
	if (d->profile == NULL) {
		snprintf(err, errcap, "%s",
		    errs.count > 0 ? errs.msgs[0] : "demo profile invalid");
		errlist_fini(&errs);
		goto fail;
	}
	errlist_fini(&errs);
	return d;
fail:
	demo_stop(d);
	return NULL;
}

const Profile *
demo_profile(const Demo *d)
{
	return d->profile;
}

void
demo_cycle_fault(Demo *d, int region, char *label, size_t cap)
{
	SimFault f;
	char err[128];
	int step;

	if (region < 0 || region >= DEMO_REGIONS)
		return;
	step = (d->fault_step[region] + 1) % (int)ARRAY_LEN(rotation);
	if (sim_fault_parse(rotation[step], &f, err, sizeof(err)) != 0 ||
	    sim_set_fault(d->sim, region_names[region], &f, err, sizeof(err)) !=
	        0) {
		if (label != NULL)
			snprintf(label, cap, "error: %s", err);
		return;
	}
	d->fault_step[region] = step;
	if (label != NULL)
		str_copy(label, cap, rotation[step]);
}

const char *
demo_fault_label(const Demo *d, int region)
{
	if (region < 0 || region >= DEMO_REGIONS)
		return "";
	return rotation[d->fault_step[region]];
}

bool
demo_tm_choice(const Demo *d, char *out, size_t cap)
{
	return sim_tm_choice(d->sim, out, cap);
}

int
demo_control_port(const Demo *d)
{
	return sim_control_port(d->sim);
}

void
demo_stop(Demo *d)
{
	if (d == NULL)
		return;
	profile_free(d->profile);
	simworld_stop(d->world);
	free(d);
}
