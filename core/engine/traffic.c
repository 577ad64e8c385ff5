/* traffic: see traffic.h. */
#include "engine/traffic.h"

#include <string.h>

#include "base/util.h"

#define NO_TIME (-1.0)

static void
resolver_reset(ResolverSnap *r, double t)
{
	r->on_expected = false;
	r->converged = false;
	r->converged_after = NO_TIME;
	r->diverged = false;
	r->drain_at = NO_TIME;
	r->ref_t = t;
	r->ref_ttl = -1;
	r->off_polls = 0;
}

void
traffic_init(TrafficModel *m, const TrafficConfig *cfg)
{
	TrafficSnap *s = &m->snap;

	memset(m, 0, sizeof(*m));
	m->interval = cfg->interval > 0 ? cfg->interval : 0;
	for (int i = 0; i < cfg->nresolvers && i < PROFILE_MAX_RESOLVERS; i++) {
		const TrafficResolver *c = &cfg->resolvers[i];
		ResolverSnap *r = &m->resolvers[m->nresolvers++];

		str_copy(r->resolver, sizeof(r->resolver), c->addr);
		str_copy(r->name, sizeof(r->name),
		    c->name != NULL && c->name[0] != '\0' ? c->name : c->addr);
		r->authoritative = c->authoritative;
		r->ttl_expires = NO_TIME;
		resolver_reset(r, 0);
	}
	s->observed = m->nresolvers > 0;
	s->total = m->nresolvers;
	s->since = NO_TIME;
	s->differs_since = NO_TIME;
	s->moved_at = NO_TIME;
	s->all_converged_after = NO_TIME;
	s->drain_at = NO_TIME;
	s->ttl = cfg->ttl > 0 ? cfg->ttl : 0;
	str_copy(s->note, sizeof(s->note), TRAFFIC_NOTE);
}

int
traffic_resolver(const TrafficModel *m, const char *addr)
{
	for (int i = 0; i < m->nresolvers; i++)
		if (strcmp(m->resolvers[i].resolver, addr) == 0)
			return i;
	return -1;
}

/* The endpoint resolver r's latest answer maps to ("" = none). */
static const char *
answer_of(const ResolverSnap *r)
{
	return r->has_answer ? r->last.endpoint : "";
}

/* How many resolvers (authoritative ones only, when auth) answer ep. */
static int
votes(const TrafficModel *m, const char *ep, bool auth)
{
	int n = 0;

	for (int i = 0; i < m->nresolvers; i++)
		if ((!auth || m->resolvers[i].authoritative) &&
		    strcmp(answer_of(&m->resolvers[i]), ep) == 0)
			n++;
	return n;
}

/* The endpoint most resolvers of the class answer; ties keep prev, else
 * resolver order. "" when none of them maps to an endpoint. */
static const char *
plurality(const TrafficModel *m, bool auth, const char *prev)
{
	const char *best = "";
	int best_n = 0;

	for (int i = 0; i < m->nresolvers; i++) {
		const char *ep = answer_of(&m->resolvers[i]);
		int n;

		if (ep[0] == '\0' || (auth && !m->resolvers[i].authoritative))
			continue;
		n = votes(m, ep, auth);
		if (n > best_n ||
		    (n == best_n && strcmp(ep, prev) == 0 && prev[0] != '\0')) {
			best = ep;
			best_n = n;
		}
	}
	return best;
}

static void
update_differs(TrafficModel *m, double t)
{
	TrafficSnap *s = &m->snap;
	bool differ = m->have_route && s->endpoint[0] != '\0' &&
	    strcmp(s->endpoint, m->expected) != 0;

	if (!differ)
		s->differs_since = NO_TIME;
	else if (s->differs_since < 0)
		s->differs_since = t;
}

/* Recompute observed traffic; true when it took a new non-empty value. */
static bool
observe(TrafficModel *m, double t)
{
	TrafficSnap *s = &m->snap;
	char prev[EV_NAME_MAX];
	const char *ep;
	bool auth;

	str_copy(prev, sizeof(prev), s->endpoint);
	ep = plurality(m, true, prev);
	auth = ep[0] != '\0';
	if (!auth)
		ep = plurality(m, false, prev);
	str_copy(s->endpoint, sizeof(s->endpoint), ep);
	s->authoritative = auth;
	s->count = ep[0] != '\0' ? votes(m, ep, false) : 0;
	if (strcmp(prev, s->endpoint) != 0)
		s->since = t;
	update_differs(m, t);
	return s->endpoint[0] != '\0' && strcmp(prev, s->endpoint) != 0;
}

static bool
all_converged(const TrafficModel *m)
{
	if (m->nresolvers == 0)
		return false;
	for (int i = 0; i < m->nresolvers; i++)
		if (!m->resolvers[i].converged)
			return false;
	return true;
}

static double
latest_drain(const TrafficModel *m)
{
	double d = NO_TIME;

	for (int i = 0; i < m->nresolvers; i++)
		if (m->resolvers[i].drain_at > d)
			d = m->resolvers[i].drain_at;
	return d;
}

static void
conv_event(const TrafficModel *m, const ResolverSnap *r, EventType type,
    double t, Event *out)
{
	const TrafficSnap *s = &m->snap;

	event_init(out, type, t);
	str_copy(
	    out->u.conv.resolver, sizeof(out->u.conv.resolver), r->resolver);
	if (strcmp(r->name, r->resolver) != 0)
		str_copy(out->u.conv.resolver_name,
		    sizeof(out->u.conv.resolver_name), r->name);
	str_copy(
	    out->u.conv.endpoint, sizeof(out->u.conv.endpoint), answer_of(r));
	if (type == EV_DIVERGED)
		str_copy(out->u.conv.expected, sizeof(out->u.conv.expected),
		    m->expected);
	out->u.conv.after = s->change ? t - s->changed_at : NO_TIME;
}

/* DNS moved at t, shown by resolver `by`: each resolver's drain starts
 * from the TTL it last returned. */
static void
dns_moved(TrafficModel *m, double t, const ResolverSnap *by)
{
	TrafficSnap *s = &m->snap;

	s->moved = true;
	s->moved_at = t;
	str_copy(s->moved_by, sizeof(s->moved_by), by->resolver);
	for (int i = 0; i < m->nresolvers; i++) {
		ResolverSnap *r = &m->resolvers[i];
		int ttl =
		    r->has_answer && r->last.ttl >= 0 ? r->last.ttl : s->ttl;

		r->drain_at = t + ttl;
	}
	s->drain_at = latest_drain(m);
}

/* Resolver r's answer at t maps to the expected route: converged (when
 * a change is tracked and it had not yet), the episode ends. */
static bool
answer_expected(TrafficModel *m, ResolverSnap *r, double t, Event *out)
{
	TrafficSnap *s = &m->snap;
	bool emit = false;

	r->on_expected = true;
	r->diverged = false;
	r->ref_t = t;
	r->ref_ttl = -1;
	r->off_polls = 0;
	if (s->change && strcmp(m->expected, s->to) == 0) {
		if (!s->moved)
			dns_moved(m, t, r);
		if (!r->converged) {
			r->converged = true;
			r->converged_after = t - s->changed_at;
			conv_event(m, r, EV_CONVERGED, t, out);
			emit = true;
			s->all_converged = all_converged(m);
			s->all_converged_after =
			    s->all_converged ? t - s->changed_at : NO_TIME;
		}
	}
	return emit;
}

/* Resolver r's answer at t maps to another endpoint than expected. */
static bool
answer_other(TrafficModel *m, ResolverSnap *r, double t, Event *out)
{
	TrafficSnap *s = &m->snap;
	int ttl = r->last.ttl >= 0 ? r->last.ttl : 0;
	bool expired;

	r->on_expected = false;
	if (s->moved && t + ttl > r->drain_at) {
		r->drain_at = t + ttl;
		s->drain_at = latest_drain(m);
	}
	if (r->ref_ttl < 0)
		r->ref_ttl = ttl;
	r->off_polls++;
	if (r->authoritative)
		expired = r->off_polls >= 2;
	else
		expired = t > r->ref_t + r->ref_ttl + 2 * m->interval;
	if (r->diverged || !expired || !m->have_route)
		return false;
	r->diverged = true;
	if (r->converged) {
		r->converged = false;
		r->converged_after = NO_TIME;
		s->all_converged = false;
		s->all_converged_after = NO_TIME;
	}
	conv_event(m, r, EV_DIVERGED, t, out);
	return true;
}

bool
traffic_dns(
    TrafficModel *m, double t, const DnsEvent *d, Event *out, bool *moved)
{
	int i = traffic_resolver(m, d->resolver);
	ResolverSnap *r;
	bool emit = false;

	*moved = false;
	if (i < 0)
		return false;
	r = &m->resolvers[i];
	r->has_answer = true;
	r->last_t = t;
	r->last = *d;
	r->ttl_expires = d->ttl >= 0 ? t + d->ttl : NO_TIME;
	if (m->have_route && d->endpoint[0] != '\0') {
		if (strcmp(d->endpoint, m->expected) == 0)
			emit = answer_expected(m, r, t, out);
		else
			emit = answer_other(m, r, t, out);
	} else if (d->endpoint[0] == '\0') {
		r->on_expected = false;
	}
	*moved = observe(m, t);
	traffic_tick(m, t);
	return emit;
}

int
traffic_route(
    TrafficModel *m, double t, const char *from, const char *to, Event *out)
{
	TrafficSnap *s = &m->snap;
	int n = 0;

	/* A route that keeps its target (fail-open, an operator confirming
	 * it) changes nothing that is observed. */
	if (m->have_route && to != NULL && strcmp(m->expected, to) == 0)
		return 0;
	m->have_route = to != NULL && to[0] != '\0';
	str_copy(m->expected, sizeof(m->expected), m->have_route ? to : "");
	for (int i = 0; i < m->nresolvers; i++)
		resolver_reset(&m->resolvers[i], t);
	if (from != NULL && from[0] != '\0' && m->have_route &&
	    strcmp(from, to) != 0) {
		s->change = true;
		str_copy(s->from, sizeof(s->from), from);
		str_copy(s->to, sizeof(s->to), to);
		s->changed_at = t;
		s->moved = false;
		s->moved_at = NO_TIME;
		s->moved_by[0] = '\0';
		s->all_converged = false;
		s->all_converged_after = NO_TIME;
		s->drain_at = NO_TIME;
		s->active = true;
	}
	/* Answers already in at t count from the route on (a manual
	 * manager's DNS moving by itself causes the route it shows). */
	for (int i = 0; i < m->nresolvers; i++) {
		ResolverSnap *r = &m->resolvers[i];

		if (!r->has_answer || r->last_t < t || !m->have_route)
			continue;
		if (strcmp(answer_of(r), to) == 0) {
			if (answer_expected(m, r, t, &out[n]))
				n++;
		}
	}
	for (int i = 0; i < m->nresolvers; i++)
		if (m->resolvers[i].has_answer &&
		    strcmp(answer_of(&m->resolvers[i]), m->expected) == 0)
			m->resolvers[i].on_expected = true;
	update_differs(m, t);
	traffic_tick(m, t);
	return n;
}

bool
traffic_tick(TrafficModel *m, double now)
{
	TrafficSnap *s = &m->snap;
	bool active;

	if (!s->change)
		return false;
	active = !s->moved || now < s->drain_at ||
	    (m->nresolvers > 0 && !s->all_converged);
	if (active == s->active)
		return false;
	s->active = active;
	return true;
}
