/*
 * runtime: the producers of a live session around one queue.
 *
 * DESIGN
 * - The prober, the DNS observer and the action runner each own their
 *   thread(s); this module only creates them (everything they need
 *   exists before they start), forwards the console's requests, and
 *   stops them (flag, wake, join) in reverse order of creation. The
 *   action runner starts a worker only per action (actions_start).
 * - It holds no shared state of its own: every call is from the main
 *   thread.
 */
#include "live/runtime.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "dns/dns.h"
#include "probe/probe.h"

struct Runtime {
	ActionRunner *actions;
	Prober *prober;
	DnsObserver *dns; /* NULL when the profile has no dns.name */
};

Runtime *
runtime_start(const Profile *p, Queue *q, double t0, char *err, size_t errcap)
{
	Runtime *r = xcalloc(1, sizeof(*r));

	r->prober = prober_new(p, q, t0, err, errcap);
	if (r->prober == NULL)
		goto fail;
	if (p->dns.name != NULL) {
		r->dns = dns_observer_new(p, q, t0, err, errcap);
		if (r->dns == NULL)
			goto fail;
	}
	r->actions = actions_new(p, q, t0);
	if (r->actions == NULL) {
		snprintf(err, errcap, "cannot create the action runner: %s",
		    strerror(errno));
		goto fail;
	}
	if (prober_start(r->prober) != 0) {
		snprintf(err, errcap, "cannot start the probe thread");
		goto fail;
	}
	if (r->dns != NULL && dns_observer_start(r->dns, err, errcap) != 0)
		goto fail;
	return r;
fail:
	runtime_stop(r);
	return NULL;
}

void
runtime_observe(Runtime *r, const Event *ev)
{
	if (r != NULL && ev->type == EV_DNS)
		prober_public_answer(r->prober, &ev->u.dns);
}

void
runtime_reprobe(Runtime *r, int idx)
{
	prober_reprobe(r->prober, idx);
}

void
runtime_set_disabled(Runtime *r, int idx, bool disabled)
{
	prober_set_disabled(r->prober, idx, disabled);
}

int
runtime_in_flight(Runtime *r)
{
	return prober_in_flight(r->prober);
}

ActionRunner *
runtime_actions(Runtime *r)
{
	return r->actions;
}

void
runtime_stop(Runtime *r)
{
	if (r == NULL)
		return;
	/* The action first: its `finished` event still finds the queue. */
	actions_free(r->actions);
	dns_observer_free(r->dns);
	prober_free(r->prober);
	free(r);
}
