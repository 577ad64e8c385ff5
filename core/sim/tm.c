/*
 * tm: the simulated traffic manager's decision, which the simulated DNS
 * (core/sim/simdns, through simworld) answers with: what it was told
 * (the forced region), else, automatic: the first healthy region in
 * priority order, else the first region (fail open); manual: the first
 * region, never moved by health. Reads and writes Sim.forced,
 * Sim.manager and the faults under Sim.lock; any thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "sim/fault.h"
#include "sim/sim_int.h"

static const char *const manager_names[SIM_TM__MANAGERS] = {
    [SIM_TM_AUTOMATIC] = "automatic",
    [SIM_TM_MANUAL] = "manual",
};

const char *
sim_tm_manager_name(SimTmManager m)
{
	if ((int)m < 0 || m >= SIM_TM__MANAGERS)
		return NULL;
	return manager_names[m];
}

int
sim_tm_manager_from_name(const char *name)
{
	for (int i = 0; i < SIM_TM__MANAGERS; i++)
		if (strcmp(manager_names[i], name) == 0)
			return i;
	return -1;
}

bool
tm_choice_locked(Sim *s, char *out, size_t cap)
{
	if (s->forced[0] != '\0') {
		str_copy(out, cap, s->forced);
		return true;
	}
	if (s->manager == SIM_TM_MANUAL) {
		str_copy(out, cap, s->regions[0].name);
		return sim_fault_healthy(&s->regions[0].fault);
	}
	for (int i = 0; i < s->nregions; i++) {
		if (sim_fault_healthy(&s->regions[i].fault)) {
			str_copy(out, cap, s->regions[i].name);
			return true;
		}
	}
	str_copy(out, cap, s->regions[0].name);
	return false;
}

bool
sim_tm_choice(Sim *s, char *out, size_t cap)
{
	bool ok;

	pthread_mutex_lock(&s->lock);
	ok = tm_choice_locked(s, out, cap);
	pthread_mutex_unlock(&s->lock);
	return ok;
}

int
sim_tm_force(Sim *s, const char *region, char *err, size_t cap)
{
	bool automatic = region == NULL || strcmp(region, "auto") == 0;

	if (!automatic && sim_region_find(s, region) < 0) {
		snprintf(err, cap, "tm force \"%s\": no such region", region);
		return -1;
	}
	SimTmManager m;

	pthread_mutex_lock(&s->lock);
	str_copy(s->forced, sizeof(s->forced), automatic ? "" : region);
	m = s->manager;
	pthread_mutex_unlock(&s->lock);
	if (automatic && m == SIM_TM_MANUAL)
		sim_log(s, "tm: nothing forced: manual, answers its primary %s",
		    s->regions[0].name);
	else if (automatic)
		sim_log(s, "tm: automatic");
	else
		sim_log(s, "tm: forced %s", region);
	return 0;
}

void
sim_tm_forced(Sim *s, char *out, size_t cap)
{
	pthread_mutex_lock(&s->lock);
	str_copy(out, cap, s->forced);
	pthread_mutex_unlock(&s->lock);
}

void
sim_tm_set_manager(Sim *s, SimTmManager m)
{
	if ((int)m < 0 || m >= SIM_TM__MANAGERS)
		return;
	pthread_mutex_lock(&s->lock);
	s->manager = m;
	pthread_mutex_unlock(&s->lock);
	sim_log(s, "tm: manager %s", manager_names[m]);
}

SimTmManager
sim_tm_manager(Sim *s)
{
	SimTmManager m;

	pthread_mutex_lock(&s->lock);
	m = s->manager;
	pthread_mutex_unlock(&s->lock);
	return m;
}
