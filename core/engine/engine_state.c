/* engine_state: see engine_state.h. */
#include "engine/engine_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "engine/engine_int.h"

void
engine_state_export(const Engine *e, EngineState *st)
{
	const Snapshot *s = &e->snap;

	memset(st, 0, sizeof(*st));
	st->now = s->now;
	st->n = e->n;
	st->endpoints =
	    xcalloc(e->n > 0 ? (size_t)e->n : 1, sizeof(*st->endpoints));
	for (int i = 0; i < e->n; i++) {
		EngineEndpointState *x = &st->endpoints[i];
		const EndpointSnap *es = &s->endpoints[i];
		const Recent *r = &e->recent[i];

		str_copy(x->name, sizeof(x->name), eng_name(e, i));
		x->health = e->health[i];
		x->state_since = es->state_since;
		x->nrecent = r->len;
		x->recent_pos = r->pos;
		memcpy(x->recent, r->ms, sizeof(x->recent));
		x->share = e->shares[i];
		x->probes = es->probes;
		x->failures = es->failures;
		x->cert_known = es->cert_known;
		x->cert_days = es->cert_days;
		str_copy(
		    x->last_reason, sizeof(x->last_reason), es->last_reason);
	}
	st->routed = s->routed;
	str_copy(st->route_to, sizeof(st->route_to), s->route_to);
	str_copy(st->route_from, sizeof(st->route_from), s->route_from);
	st->route_cause = s->route_cause;
	st->route_since = s->route_since;
	st->fail_open = s->fail_open;
	st->manual = e->manual;
	st->manual_override = s->manual_override;
	str_copy(st->failed_from, sizeof(st->failed_from),
	    eng_name(e, e->failed_from));
	st->first_deadline = e->first_deadline;
	st->due = e->due;
	st->failback_at = s->failback_at;
	st->action_busy = e->action_busy;
	st->dns_moved = e->dns_moved;
	st->has_public = s->has_public;
	st->traffic = e->traffic;
}

int
engine_state_import(Engine *e, const EngineState *st, char *err, size_t cap)
{
	Snapshot *s = &e->snap;
	int cur = -1, failed = -1;

	for (int k = 0; k < st->n; k++)
		if (eng_find(e, st->endpoints[k].name) < 0) {
			snprintf(err, cap,
			    "state: endpoint \"%s\" is not in the profile",
			    st->endpoints[k].name);
			return -1;
		}
	if (st->routed && (cur = eng_find(e, st->route_to)) < 0) {
		snprintf(err, cap, "state: route to \"%s\": not an endpoint",
		    st->route_to);
		return -1;
	}
	if (st->failed_from[0] != '\0' &&
	    (failed = eng_find(e, st->failed_from)) < 0) {
		snprintf(err, cap, "state: \"%s\" is not an endpoint",
		    st->failed_from);
		return -1;
	}
	for (int k = 0; k < st->n; k++) {
		const EngineEndpointState *x = &st->endpoints[k];
		int i = eng_find(e, x->name);
		EndpointSnap *es = &s->endpoints[i];
		Recent *r = &e->recent[i];

		e->health[i] = x->health;
		es->state = x->health.state;
		es->state_since = x->state_since;
		es->consecutive_failures = x->health.failures;
		es->consecutive_successes = x->health.successes;
		r->len = x->nrecent < 0        ? 0
		    : x->nrecent > PERF_WINDOW ? PERF_WINDOW
		                               : x->nrecent;
		r->pos = x->recent_pos >= 0 && x->recent_pos < PERF_WINDOW
		    ? x->recent_pos
		    : 0;
		memcpy(r->ms, x->recent, sizeof(r->ms));
		es->median_ms = eng_median(r);
		e->shares[i] = x->share;
		es->share = x->share;
		es->probes = x->probes;
		es->failures = x->failures;
		es->cert_known = x->cert_known;
		es->cert_days = x->cert_days;
		str_copy(
		    es->last_reason, sizeof(es->last_reason), x->last_reason);
	}
	s->now = st->now;
	s->routed = st->routed;
	str_copy(s->route_to, sizeof(s->route_to), st->route_to);
	str_copy(s->route_from, sizeof(s->route_from), st->route_from);
	s->route_cause = st->route_cause;
	s->route_since = st->route_since;
	s->fail_open = st->fail_open;
	s->manual_override = st->manual_override;
	s->failback_at = st->failback_at;
	e->current = cur;
	e->manual = st->manual;
	e->failed_from = failed;
	e->first_deadline = st->first_deadline;
	e->due = st->due;
	e->action_busy = st->action_busy;
	e->dns_moved = st->dns_moved;
	s->has_public = s->has_public || st->has_public;
	e->traffic = st->traffic;
	eng_sync_traffic(e);
	/* The recommendation follows from the state, as the live engine
	 * would have it after its last call. */
	eng_recommend_now(e);
	s->version++;
	return 0;
}

void
engine_state_fini(EngineState *st)
{
	free(st->endpoints);
	st->endpoints = NULL;
	st->n = 0;
}
