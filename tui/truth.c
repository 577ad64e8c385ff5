#include "truth.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "text.h"

const char *
truth_observed(const Snapshot *s)
{
	if (!s->traffic.observed || s->traffic.endpoint[0] == '\0')
		return NULL;
	return s->traffic.endpoint;
}

const char *
truth_target(const Snapshot *s)
{
	if (s->traffic.observed)
		return truth_observed(s);
	return s->routed && s->route_to[0] ? s->route_to : NULL;
}

const char *
truth_expected_apart(const Snapshot *s)
{
	const char *t = truth_target(s);

	if (!s->routed || s->route_to[0] == '\0')
		return NULL;
	if (t != NULL && strcmp(t, s->route_to) == 0)
		return NULL;
	return s->route_to;
}

void
truth_secs(double secs, char *buf, size_t cap)
{
	long s = secs <= 0 ? 0 : (long)floor(secs + 1e-9);

	if (s < 120)
		snprintf(buf, cap, "%ld s", s);
	else if (s < 120 * 60)
		snprintf(buf, cap, "%ld min", s / 60);
	else
		snprintf(buf, cap, "%ld h", s / 3600);
}

/* The parts of the title; "" = absent. */
typedef struct {
	char head[96]; /* "DNS → eu20 3/3" or "expected → us21" */
	Role head_role;
	char not_observed[32]; /* " (DNS not observed)" */
	char auth[32]; /* " (authoritative)" */
	char expected[64]; /* "expected us21", "no expected route yet" */
	Role expected_role;
	char dur[32]; /* " for 12 s" */
	char man_long[32], man_short[16];
	char failopen[16];
} Parts;

static void
parts_of(const Snapshot *s, const Profile *p, const Glyphs *g, Parts *o)
{
	const TrafficSnap *tt = &s->traffic;

	memset(o, 0, sizeof(*o));
	o->head_role = ROLE_TARGET;
	o->expected_role = ROLE_CHANGE;
	if (p && p->routing.manager == MANAGER_MANUAL) {
		snprintf(o->man_long, sizeof(o->man_long), "manual manager");
		snprintf(o->man_short, sizeof(o->man_short), "manual");
	}
	if (s->fail_open)
		snprintf(o->failopen, sizeof(o->failopen), "FAIL-OPEN");
	if (!tt->observed) {
		if (s->routed)
			snprintf(o->head, sizeof(o->head), "expected %s %s",
			    g->arrow, s->route_to);
		else {
			snprintf(o->head, sizeof(o->head), "no route yet");
			o->head_role = ROLE_DIM;
		}
		snprintf(o->not_observed, sizeof(o->not_observed),
		    " (DNS not observed)");
		return;
	}
	if (tt->endpoint[0]) {
		snprintf(o->head, sizeof(o->head), "DNS %s %s %d/%d", g->arrow,
		    tt->endpoint, tt->count, tt->total);
		if (tt->authoritative)
			snprintf(o->auth, sizeof(o->auth), " (authoritative)");
	} else {
		bool any = false;
		for (int i = 0; i < s->nresolvers; i++)
			any = any || s->resolvers[i].has_answer;
		snprintf(o->head, sizeof(o->head), "DNS %s %s", g->arrow,
		    any ? "no endpoint" : "no answer yet");
		o->head_role = ROLE_DEGRADED;
	}
	if (!s->routed) {
		snprintf(
		    o->expected, sizeof(o->expected), "no expected route yet");
		o->expected_role = ROLE_DIM;
	} else if (strcmp(tt->endpoint, s->route_to) != 0) {
		snprintf(o->expected, sizeof(o->expected), "expected %s",
		    s->route_to);
		if (tt->differs_since >= 0) {
			char d[24];
			truth_secs(s->now - tt->differs_since, d, sizeof(d));
			snprintf(o->dur, sizeof(o->dur), " for %s", d);
		}
	}
}

static void
add(TruthLine *l, Role r, const char *s)
{
	if (*s == '\0' || l->n >= TRUTH_SEGS_MAX)
		return;
	str_copy(l->seg[l->n].text, sizeof(l->seg[l->n].text), s);
	l->seg[l->n].role = r;
	l->width += text_width(s);
	l->n++;
}

/* What of the optional parts a form keeps. */
typedef struct {
	bool auth, man_long, dur, man, failopen;
} Form;

static void
build(const Parts *pt, const Glyphs *g, Form f, TruthLine *l)
{
	memset(l, 0, sizeof(*l));
	add(l, pt->head_role, pt->head);
	if (f.auth)
		add(l, ROLE_DIM, pt->auth);
	add(l, ROLE_DIM, pt->not_observed);
	if (pt->expected[0]) {
		add(l, ROLE_DIM, g->sep);
		add(l, pt->expected_role, pt->expected);
		if (f.dur)
			add(l, pt->expected_role, pt->dur);
	}
	if (f.failopen && pt->failopen[0]) {
		add(l, ROLE_DIM, g->sep);
		add(l, ROLE_FAILOPEN, pt->failopen);
	}
	if (f.man && pt->man_short[0]) {
		add(l, ROLE_DIM, g->sep);
		add(l, ROLE_DIM, f.man_long ? pt->man_long : pt->man_short);
	}
}

void
truth_title(const Snapshot *s, const Profile *p, const Glyphs *g, int width,
    TruthLine *out)
{
	/* from the longest form to the shortest (truth.h gives the order) */
	static const Form forms[] = {
	    {true, true, true, true, true},
	    {false, true, true, true, true},
	    {false, false, true, true, true},
	    {false, false, false, true, true},
	    {false, false, false, false, true},
	    {false, false, false, false, false},
	};
	Parts pt;

	parts_of(s, p, g, &pt);
	for (size_t i = 0; i < ARRAY_LEN(forms); i++) {
		build(&pt, g, forms[i], out);
		if (out->width <= width)
			return;
	}
}

void
truth_line_text(const TruthLine *l, char *buf, size_t cap)
{
	size_t o = 0;

	if (cap == 0)
		return;
	buf[0] = '\0';
	for (int i = 0; i < l->n; i++) {
		size_t n = strlen(l->seg[i].text);
		if (o + n + 1 > cap)
			n = cap - o - 1;
		memcpy(buf + o, l->seg[i].text, n);
		o += n;
		buf[o] = '\0';
	}
}

bool
truth_diverged(const Snapshot *s, char *buf, size_t cap)
{
	const ResolverSnap *first = NULL;
	int more = 0;
	char d[24], tail[48] = "";

	buf[0] = '\0';
	for (int i = 0; i < s->nresolvers; i++) {
		if (!s->resolvers[i].diverged)
			continue;
		if (first == NULL)
			first = &s->resolvers[i];
		else
			more++;
	}
	if (first == NULL)
		return false;
	const char *ans = first->has_answer && first->last.endpoint[0]
	    ? first->last.endpoint
	    : "no endpoint";
	if (first->authoritative) {
		truth_secs(s->now - first->ref_t, d, sizeof(d));
		snprintf(buf, cap,
		    "%s (authoritative) still answers %s "
		    "(expected %s) for %s",
		    first->name, ans, s->routed ? s->route_to : "none", d);
	} else {
		int ttl = first->ref_ttl >= 0 ? first->ref_ttl
		    : first->last.ttl >= 0    ? first->last.ttl
		                              : 0;
		truth_secs(s->now - (first->ref_t + ttl), d, sizeof(d));
		snprintf(buf, cap,
		    "%s still answers %s (expected %s) %s after "
		    "its TTL",
		    first->name, ans, s->routed ? s->route_to : "none", d);
	}
	if (more > 0) {
		snprintf(tail, sizeof(tail), "; %d more diverged", more);
		size_t o = strlen(buf);
		if (o + strlen(tail) + 1 <= cap)
			memcpy(buf + o, tail, strlen(tail) + 1);
	}
	return true;
}
