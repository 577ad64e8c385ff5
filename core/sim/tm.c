/*
 * tm: the simulated traffic manager's decision, which the simulated DNS
 * (core/sim/simdns, through simworld) answers with: the forced region,
 * else the first healthy region in priority order, else the first
 * region (fail open). Reads and writes Sim.forced and the faults under
 * Sim.lock; any thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "sim/fault.h"
#include "sim/sim_int.h"

bool
tm_choice_locked(Sim *s, char *out, size_t cap)
{
	if (s->forced[0] != '\0') {
		str_copy(out, cap, s->forced);
		return true;
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
	pthread_mutex_lock(&s->lock);
	str_copy(s->forced, sizeof(s->forced), automatic ? "" : region);
	pthread_mutex_unlock(&s->lock);
	if (automatic)
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
