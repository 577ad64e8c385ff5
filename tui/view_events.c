#include "view_events.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

void
view_events_clear(EventLog *lg, UiState *u)
{
	memset(lg, 0, sizeof(*lg));
	u->events_scroll = 0;
}

/* True when this resolver's answer changed (and remembers it). */
static bool
dns_changed(EventLog *lg, const DnsEvent *d)
{
	int i;

	for (i = 0; i < lg->ndns; i++)
		if (strcmp(lg->dns[i].resolver, d->resolver) == 0)
			break;
	if (i == lg->ndns) {
		if (lg->ndns == PROFILE_MAX_RESOLVERS)
			return true;
		lg->ndns++;
		str_copy(lg->dns[i].resolver, sizeof(lg->dns[i].resolver),
		    d->resolver);
		lg->dns[i].endpoint[0] = '\0';
		lg->dns[i].rcode[0] = '\0';
		str_copy(lg->dns[i].endpoint, sizeof(lg->dns[i].endpoint),
		    d->endpoint);
		str_copy(lg->dns[i].rcode, sizeof(lg->dns[i].rcode), d->rcode);
		return true;
	}
	if (strcmp(lg->dns[i].endpoint, d->endpoint) == 0 &&
	    strcmp(lg->dns[i].rcode, d->rcode) == 0)
		return false;
	str_copy(lg->dns[i].endpoint, sizeof(lg->dns[i].endpoint), d->endpoint);
	str_copy(lg->dns[i].rcode, sizeof(lg->dns[i].rcode), d->rcode);
	return true;
}

static Role
health_role(HealthState s)
{
	return view_state_role(s);
}

bool
view_events_format(
    const Glyphs *g, const Event *ev, char *buf, size_t cap, Role *role)
{
	const char *a = g->arrow;

	*role = ROLE_DEFAULT;
	switch (ev->type) {
	case EV_PROBE:
		return false;
	case EV_HEALTH: {
		const HealthEvent *h = &ev->u.health;
		snprintf(buf, cap, "HEALTH %s %s %s %s%s%s", h->endpoint,
		    health_state_name(h->from), a, health_state_name(h->to),
		    h->reason[0] ? ": " : "", h->reason);
		*role = health_role(h->to);
		return true;
	}
	case EV_ROUTE: {
		const RouteEvent *r = &ev->u.route;
		/* a route is the expected route, never traffic observed */
		int o = snprintf(buf, cap, "ROUTE  expected %s %s %s (%s)%s",
		    r->from[0] ? r->from : "start", a, r->to,
		    route_cause_name(r->cause),
		    r->fail_open ? " FAIL-OPEN: every endpoint degraded" : "");
		for (int i = 0; i < r->nshares && o > 0 && (size_t)o < cap; i++)
			o += snprintf(buf + o, cap - (size_t)o, " %s %.0f%%",
			    r->shares[i].name, r->shares[i].share * 100);
		*role = r->fail_open ? ROLE_FAILOPEN : ROLE_TARGET;
		return true;
	}
	case EV_DNS: {
		/* by the resolver's display name; the name queried is the
		 * DNS pane's title */
		const DnsEvent *d = &ev->u.dns;
		const char *who =
		    d->resolver_name[0] ? d->resolver_name : d->resolver;
		if (d->ttl >= 0)
			snprintf(buf, cap, "DNS    %s %s %s ttl %d %s", who, a,
			    d->endpoint[0]    ? d->endpoint
			        : d->nanswers ? d->answers[0]
			                      : "?",
			    d->ttl, d->rcode);
		else
			snprintf(buf, cap, "DNS    %s: %s %s", who, d->name,
			    d->rcode);
		*role = strcmp(d->rcode, "NOERROR") == 0 ? ROLE_DEFAULT
		                                         : ROLE_DEGRADED;
		return true;
	}
	case EV_CONVERGED: {
		const ConvergeEvent *c = &ev->u.conv;
		const char *who =
		    c->resolver_name[0] ? c->resolver_name : c->resolver;
		if (c->after >= 0)
			snprintf(buf, cap,
			    "DNS    %s converged on %s after %.1fs", who,
			    c->endpoint, c->after);
		else
			snprintf(buf, cap, "DNS    %s converged on %s", who,
			    c->endpoint);
		*role = ROLE_CONVERGED;
		return true;
	}
	case EV_DIVERGED: {
		const ConvergeEvent *c = &ev->u.conv;
		const char *who =
		    c->resolver_name[0] ? c->resolver_name : c->resolver;
		snprintf(buf, cap, "DNS    %s DIVERGED: still answers %s%s%s%s",
		    who, c->endpoint[0] ? c->endpoint : "no endpoint",
		    c->expected[0] ? " (expected " : "", c->expected,
		    c->expected[0] ? ")" : "");
		*role = ROLE_DEGRADED;
		return true;
	}
	case EV_CERT:
		snprintf(buf, cap, "CERT   %s: %d days left%s",
		    ev->u.cert.endpoint, ev->u.cert.days_left,
		    ev->u.cert.warning ? " (warning)" : "");
		*role = ev->u.cert.warning ? ROLE_DEGRADED : ROLE_DEFAULT;
		return true;
	case EV_ACTION: {
		const ActionEvent *x = &ev->u.action;
		if (x->phase == ACT_OUTPUT)
			snprintf(buf, cap, "ACTION %s| %s", x->name, x->line);
		else if (x->phase == ACT_STARTED)
			snprintf(buf, cap, "ACTION %s %s %s %s started by %s",
			    x->name, x->from, a, x->to, x->by);
		else if (x->step[0] &&
		    (x->error[0] || x->signal || x->exit_code != 0)) {
			/* a runbook stops at a failed step and waits */
			char why[EV_TEXT_MAX + 16];

			if (x->error[0])
				snprintf(why, sizeof(why), "%s", x->error);
			else if (x->signal)
				snprintf(
				    why, sizeof(why), "signal %d", x->signal);
			else
				snprintf(
				    why, sizeof(why), "exit %d", x->exit_code);
			snprintf(buf, cap,
			    "ACTION %s step %s failed (%s): waits for R retry "
			    "or A abort",
			    x->name, x->step, why);
		} else if (x->step[0])
			snprintf(buf, cap, "ACTION %s step %s done", x->name,
			    x->step);
		else if (x->error[0])
			snprintf(buf, cap, "ACTION %s failed: %s", x->name,
			    x->error);
		else if (x->signal)
			snprintf(buf, cap, "ACTION %s killed by signal %d",
			    x->name, x->signal);
		else
			snprintf(buf, cap, "ACTION %s finished, exit %d",
			    x->name, x->exit_code);
		*role = (x->phase == ACT_FINISHED &&
		            (x->exit_code != 0 || x->error[0] || x->signal))
		    ? ROLE_DEGRADED
		    : ROLE_DEFAULT;
		return true;
	}
	case EV_DRILL:
		snprintf(buf, cap, "DRILL  %s%s%s",
		    drill_phase_name(ev->u.drill.phase),
		    ev->u.drill.note[0] ? ": " : "", ev->u.drill.note);
		*role = ROLE_BANNER;
		return true;
	case EV_MARKER:
		snprintf(buf, cap, "MARK   %s", ev->u.marker.note);
		*role = ROLE_CHANGE;
		return true;
	case EV_ERROR:
		snprintf(buf, cap, "ERROR  %s: %s", ev->u.error.source,
		    ev->u.error.message);
		*role = ROLE_DEGRADED;
		return true;
	default:
		return false;
	}
}

bool
view_events_add(EventLog *lg, UiState *u, const Event *ev)
{
	char body[180], when[16];
	Role role;
	EventLogLine *l;

	if (ev->type == EV_DNS && !dns_changed(lg, &ev->u.dns))
		return false;
	if (!view_events_format(u->g, ev, body, sizeof(body), &role))
		return false;
	view_clock(u, ev->t, when, sizeof(when));
	if (lg->len < EVLOG_LINES)
		l = &lg->lines[(lg->start + lg->len++) % EVLOG_LINES];
	else {
		l = &lg->lines[lg->start];
		lg->start = (lg->start + 1) % EVLOG_LINES;
	}
	snprintf(l->text, sizeof(l->text), "%s  %s", when, body);
	l->role = role;
	if (u->events_scroll > 0 && u->events_scroll < lg->len)
		u->events_scroll++; /* keep the operator's place */
	return true;
}

/* Rows of text in the pane (below its title row). */
static int
pane_rows(const UiState *u)
{
	return u->layout->pane[PANE_EVENTS].h - 1;
}

/* The furthest the log scrolls up with rows rows shown. */
static int
max_scroll(const EventLog *lg, int rows)
{
	return lg->len > rows ? lg->len - rows : 0;
}

static void
draw(WINDOW *w, const UiState *u, bool full)
{
	const EventLog *lg = u->events;
	int rows = getmaxy(w) - 1, cols = getmaxx(w);
	char extra[64] = "";
	int scroll = u->events_scroll;

	(void)full;
	if (scroll > max_scroll(lg, rows))
		scroll = max_scroll(lg, rows);
	if (scroll > 0)
		snprintf(extra, sizeof(extra), "%s %d more below (End follows)",
		    u->g->down, scroll);
	view_title(w, u, "Events", u->focus == PANE_EVENTS, extra, ROLE_BANNER);
	int first = lg->len - rows - scroll;
	if (first < 0)
		first = 0;
	for (int r = 0; r < rows; r++) {
		int i = first + r;
		wmove(w, 1 + r, 0);
		wclrtoeol(w);
		if (i >= lg->len || i >= lg->len - scroll)
			continue;
		const EventLogLine *l =
		    &lg->lines[(lg->start + i) % EVLOG_LINES];
		/* the time in its own role, the rest in the event's */
		text_put(w, 1 + r, 1, 8, 0,
		    theme_attr(u->theme, ROLE_EVENT_TIME), NULL, l->text);
		text_put(w, 1 + r, 9, cols - 9, 0,
		    theme_attr(u->theme, l->role), u->g->ellipsis, l->text + 8);
	}
}

static bool
key(UiState *u, KeyAction a)
{
	const EventLog *lg = u->events;
	int page = u->layout->pane[PANE_EVENTS].h - 2;
	int scroll = u->events_scroll;

	if (page < 1)
		page = 1;
	/* from where the pane shows it (the draw clamps to the top) */
	if (scroll > max_scroll(lg, pane_rows(u)))
		scroll = max_scroll(lg, pane_rows(u));
	switch (a) {
	case KA_UP:
		scroll++;
		break;
	case KA_DOWN:
		scroll--;
		break;
	case KA_PGUP:
		scroll += page;
		break;
	case KA_PGDN:
		scroll -= page;
		break;
	case KA_HOME:
		scroll = lg->len;
		break;
	case KA_END:
		scroll = 0;
		break;
	default:
		return false;
	}
	if (scroll < 0)
		scroll = 0;
	if (scroll > lg->len)
		scroll = lg->len;
	u->events_scroll = scroll;
	return true;
}

const ViewOps view_events_ops = {.draw = draw, .key = key};
