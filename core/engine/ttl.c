/* ttl: see ttl.h. */
#include "engine/ttl.h"

#include <string.h>

#include "base/util.h"

static int
effective_ttl(const TtlModel *m)
{
	return m->max_seen_ttl > m->profile_ttl ? m->max_seen_ttl
	                                        : m->profile_ttl;
}

static ResolverSnap *
resolver_slot(TtlModel *m, const char *name)
{
	ResolverSnap *r;

	for (int i = 0; i < m->nresolvers; i++)
		if (strcmp(m->resolvers[i].resolver, name) == 0)
			return &m->resolvers[i];
	if (m->nresolvers == PROFILE_MAX_RESOLVERS || name[0] == '\0')
		return NULL;
	r = &m->resolvers[m->nresolvers++];
	memset(r, 0, sizeof(*r));
	str_copy(r->resolver, sizeof(r->resolver), name);
	r->ttl_expires = -1;
	r->converged_after = -1;
	/* A resolver that appears during a countdown has not converged. */
	m->snap.all_converged = false;
	m->snap.all_converged_after = -1;
	return r;
}

void
ttl_init(TtlModel *m, int profile_ttl, char *const *resolvers, int n)
{
	memset(m, 0, sizeof(*m));
	m->profile_ttl = profile_ttl > 0 ? profile_ttl : 0;
	m->max_seen_ttl = -1;
	m->snap.ttl = m->profile_ttl;
	m->snap.all_converged_after = -1;
	str_copy(m->snap.note, sizeof(m->snap.note), TTL_NOTE);
	for (int i = 0; i < n && i < PROFILE_MAX_RESOLVERS; i++)
		if (resolvers[i] != NULL)
			resolver_slot(m, resolvers[i]);
}

static bool
all_converged(const TtlModel *m)
{
	if (m->nresolvers == 0)
		return false;
	for (int i = 0; i < m->nresolvers; i++)
		if (!m->resolvers[i].converged)
			return false;
	return true;
}

bool
ttl_route(TtlModel *m, double t, const char *from, const char *to)
{
	TtlSnap *s = &m->snap;

	if (from == NULL || to == NULL || from[0] == '\0' || to[0] == '\0' ||
	    strcmp(from, to) == 0)
		return false;
	s->active = true;
	str_copy(s->from, sizeof(s->from), from);
	str_copy(s->to, sizeof(s->to), to);
	s->changed_at = t;
	s->ttl = effective_ttl(m);
	s->drain_at = t + s->ttl;
	s->all_converged = false;
	s->all_converged_after = -1;
	for (int i = 0; i < m->nresolvers; i++) {
		m->resolvers[i].converged = false;
		m->resolvers[i].converged_after = -1;
		m->resolvers[i].diverged = false;
	}
	return true;
}

bool
ttl_dns(TtlModel *m, double t, const DnsEvent *d, Event *out)
{
	TtlSnap *s = &m->snap;
	ResolverSnap *r;
	bool changed = false;

	if (d->ttl > m->max_seen_ttl)
		m->max_seen_ttl = d->ttl;
	s->ttl = effective_ttl(m);
	if (s->to[0] != '\0')
		s->drain_at = s->changed_at + s->ttl;
	r = resolver_slot(m, d->resolver);
	if (r == NULL)
		return false;
	r->has_answer = true;
	r->last_t = t;
	r->last = *d;
	r->ttl_expires = d->ttl >= 0 ? t + d->ttl : -1;
	if (s->to[0] == '\0' || d->endpoint[0] == '\0' || t < s->changed_at)
		return false;
	if (!r->converged && strcmp(d->endpoint, s->to) == 0) {
		r->converged = true;
		r->diverged = false;
		r->converged_after = t - s->changed_at;
		event_init(out, EV_CONVERGED, t);
		changed = true;
	} else if (r->converged && strcmp(d->endpoint, s->to) != 0) {
		r->converged = false;
		r->diverged = true;
		r->converged_after = -1;
		event_init(out, EV_DIVERGED, t);
		changed = true;
	}
	if (!changed)
		return false;
	str_copy(
	    out->u.conv.resolver, sizeof(out->u.conv.resolver), r->resolver);
	str_copy(
	    out->u.conv.endpoint, sizeof(out->u.conv.endpoint), d->endpoint);
	out->u.conv.after = t - s->changed_at;
	s->all_converged = all_converged(m);
	s->all_converged_after = s->all_converged ? t - s->changed_at : -1;
	ttl_tick(m, t);
	return true;
}

bool
ttl_tick(TtlModel *m, double now)
{
	TtlSnap *s = &m->snap;
	bool active;

	if (s->to[0] == '\0')
		return false;
	active = now < s->drain_at || (m->nresolvers > 0 && !s->all_converged);
	if (active == s->active)
		return false;
	s->active = active;
	return true;
}
