/*
 * demo: the embedded world of `drtop --demo`.
 *
 * DESIGN: core/sim/simworld starts the regions, the manual traffic
 * manager's name server and the two resolvers in front of it; each owns
 * its thread (the name server asks the regions' traffic manager which
 * region to answer with; the resolvers ask the name server over UDP and
 * cache what it says, each on its own). The built-in profile is
 * core/sim/simprofile's JSON text for this world, loaded through
 * profile_parse so it is validated like any user's profile. The demo's
 * fault rotation state belongs to the main thread.
 *
 * The built-in failover action is a real process started by the action
 * runner, as a user's would be: the `curl` command-line tool posting the
 * target region to the simulator's control interface (`POST /tm/force`,
 * on an ephemeral loopback port), so the manager answers with it: the
 * name server at once, each resolver when its cached answer runs out,
 * the stale one DEMO_STALE seconds later. The failback action posts its
 * {to}, the region the rules pick (the preferred online region): a
 * manual manager is only ever told. curl gets -q (no ~/.curlrc) and
 * --noproxy '*' (a proxy from the environment must not see loopback
 * requests).
 */
#include "sim/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "sim/simprofile.h"

#define DEMO_REGIONS 3

static const char *const region_names[DEMO_REGIONS] = {"eu20", "us21", "ap10"};

static const SimWorldResolver demo_resolvers[] = {
    {"isp-a", SIMDNS_CACHING, 0},
    {"isp-b stale", SIMDNS_STALE, 0},
};

/* The fault rotation of keys 1, 2, 3. */
static const char *const rotation[] = {
    "ok", "status 500", "refuse", "blackhole"};

struct Demo {
	SimWorld *world;
	Sim *sim; /* the world's regions */
	Profile *profile;
	int fault_step[DEMO_REGIONS];
};

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
	wc.sim.manager = SIM_TM_MANUAL;
	wc.sim.public_listen = true; /* the client's-eye probe's */
	wc.sim.public_port = 0;
	wc.dns_port = 0;
	wc.ttl = DEMO_TTL;
	wc.resolvers = demo_resolvers;
	wc.nresolvers = (int)ARRAY_LEN(demo_resolvers);
	wc.stale = DEMO_STALE;
	wc.stale_ttl = 1;
	d->world = simworld_start(&wc, err, errcap);
	if (d->world == NULL)
		goto fail;
	d->sim = simworld_sim(d->world);
	json = simprofile_json(d->world, NULL);
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

SimWorld *
demo_world(const Demo *d)
{
	return d->world;
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
