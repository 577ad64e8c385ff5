#include "view_ttl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

void
view_ttl_mmss(double secs, char *buf, size_t cap)
{
	long s = secs <= 0 ? 0 : (long)ceil(secs - 1e-9);
	char tmp[48];

	if (s > 99 * 60 + 59)
		s = 99 * 60 + 59;
	snprintf(tmp, sizeof(tmp), "%02ld:%02ld", s / 60, s % 60);
	str_copy(buf, cap, tmp);
}

void
view_ttl_bar(const Glyphs *g, double frac, int width, char *buf, size_t cap)
{
	size_t o = 0;
	int full;

	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	full = (int)floor(frac * width + 1e-9);
	buf[0] = '\0';
	for (int i = 0; i < width; i++) {
		const char *s = i < full ? g->bar_full : g->bar_empty;
		size_t n = strlen(s);
		if (o + n + 1 > cap)
			break;
		memcpy(buf + o, s, n);
		o += n;
	}
	buf[o] = '\0';
}

/* Where the tracked change is. */
typedef enum {
	PH_NONE, /* no change from one endpoint to another tracked */
	PH_WAIT, /* the route changed; no answer for the new one yet */
	PH_MOVING, /* DNS moved; draining, or resolvers not converged */
	PH_DONE /* every resolver converged and every drain ran out */
} Phase;

static Phase
phase_of(const TrafficSnap *tt)
{
	if (!tt->change)
		return PH_NONE;
	if (!tt->moved)
		return PH_WAIT;
	return tt->active ? PH_MOVING : PH_DONE;
}

#define LEVELS 3 /* wordings of a state or summary, longest first */

static void
line_add(TruthLine *l, Role r, const char *s)
{
	if (*s == '\0' || l->n >= TRUTH_SEGS_MAX)
		return;
	str_copy(l->seg[l->n].text, sizeof(l->seg[l->n].text), s);
	l->seg[l->n].role = r;
	l->width += text_width(s);
	l->n++;
}

/* s cut to w columns (ellipsis) and padded to w, left or right. */
static void
line_col(
    TruthLine *l, Role r, const Glyphs *g, const char *s, int w, bool right)
{
	char fit[96], out[96 + 64];
	size_t o = 0, n;
	int fw;

	if (w <= 0)
		return;
	if (w > 64)
		w = 64;
	fw = text_fit(s, w, g->ellipsis, fit, sizeof(fit));
	n = strlen(fit);
	if (right) {
		memset(out, ' ', (size_t)(w - fw));
		o = (size_t)(w - fw);
	}
	memcpy(out + o, fit, n);
	o += n;
	if (!right) {
		memset(out + o, ' ', (size_t)(w - fw));
		o += (size_t)(w - fw);
	}
	out[o] = '\0';
	line_add(l, r, out);
}

/*
 * A resolver as its row names it in w columns: its name when the profile
 * gave one, else its address without the default port ":53". An address
 * too wide is cut at the left ("~0.0.2:5353"): hosts and ports differ at
 * the end, so the tail is what tells two resolvers apart.
 */
static void
resolver_label(const char *name, int w, const Glyphs *g, char *out, size_t cap)
{
	size_t n = strlen(name);
	bool addr = name[0] == '[' || (name[0] >= '0' && name[0] <= '9');
	int cut;

	if (addr && n > 3 && strcmp(name + n - 3, ":53") == 0)
		n -= 3;
	snprintf(out, cap, "%.*s", (int)n, name);
	if (!addr || w <= 1 || text_width(out) <= w)
		return;
	cut = text_width(out) - (w - text_width(g->ellipsis));
	if (cut > 0 && (size_t)cut < n) {
		char tail[96];

		snprintf(tail, sizeof(tail), "%s", out + cut);
		snprintf(out, cap, "%s%s", g->ellipsis, tail);
	}
}

/* "27s"; "4m" from 1000 s on. */
static void
short_secs(double secs, char *buf, size_t cap)
{
	long s = secs <= 0 ? 0 : (long)ceil(secs - 1e-9);

	if (s < 1000)
		snprintf(buf, cap, "%lds", s);
	else
		snprintf(buf, cap, "%ldm", s / 60);
}

/* "+2.1s", as the event log has it, below 100 s; then "+123s". */
static void
after_secs(double secs, char *buf, size_t cap)
{
	if (secs < 0)
		secs = 0;
	if (secs < 99.95)
		snprintf(buf, cap, "+%.1fs", secs);
	else
		snprintf(buf, cap, "+%.0fs", floor(secs));
}

/*
 * Resolver r's state in wording level (0 longest), into buf; returns its
 * role. "" when there is nothing to say at that level.
 */
static Role
state_text(
    const UiState *u, const ResolverSnap *r, int level, char *buf, size_t cap)
{
	const Snapshot *s = u->snap;
	const TrafficSnap *tt = &s->traffic;
	const char *ans = r->has_answer ? r->last.endpoint : "";
	char mm[16], d[24];

	buf[0] = '\0';
	if (!r->has_answer) {
		snprintf(
		    buf, cap, "%s", level == 0 ? "no answer yet" : "waiting");
		return ROLE_DIM;
	}
	if (r->diverged) {
		/* how long past what its cache could explain */
		int ttl = r->ref_ttl >= 0 ? r->ref_ttl
		    : r->last.ttl >= 0    ? r->last.ttl
		                          : 0;
		double past = r->authoritative ? s->now - r->ref_t
		                               : s->now - (r->ref_t + ttl);
		snprintf(d, sizeof(d), "%lds",
		    past <= 0 ? 0L : (long)floor(past + 1e-9));
		if (level == 0)
			snprintf(buf, cap,
			    r->authoritative ? "DIVERGED for %s"
			                     : "DIVERGED %s past TTL",
			    d);
		else if (level == 1)
			snprintf(buf, cap, "DIVERGED %s", d);
		else
			snprintf(buf, cap, "DIVERGED");
		return ROLE_DEGRADED;
	}
	switch (phase_of(tt)) {
	case PH_WAIT:
		/* the manager has not moved: nothing counts down */
		snprintf(buf, cap, "%s",
		    level == 0 ? "waiting for the manager" : "waiting");
		return ROLE_DIM;
	case PH_MOVING:
	case PH_DONE: {
		double left = r->drain_at - s->now;
		bool drain = r->drain_at >= 0 && left > 0;
		view_ttl_mmss(left, mm, sizeof(mm));
		if (r->converged) {
			after_secs(r->converged_after, d, sizeof(d));
			if (level == 0)
				snprintf(buf, cap, "converged %s%s%s", d,
				    drain ? ", drain " : "", drain ? mm : "");
			else if (level == 1)
				snprintf(buf, cap, "%s %s%s%s",
				    drain ? "conv" : "converged", d,
				    drain ? " " : "", drain ? mm : "");
			else if (drain)
				snprintf(buf, cap, "+%lds %s",
				    (long)floor(r->converged_after + 1e-9), mm);
			else
				snprintf(buf, cap, "conv +%lds",
				    (long)floor(r->converged_after + 1e-9));
			return ROLE_CONVERGED;
		}
		if (ans[0] && strcmp(ans, tt->from) == 0) {
			if (level == 0)
				snprintf(buf, cap, "still answers %s%s%s", ans,
				    drain ? ", drain " : "", drain ? mm : "");
			else if (level == 1)
				snprintf(buf, cap, "%s%s",
				    drain ? "old, drain " : "still old",
				    drain ? mm : "");
			else
				snprintf(buf, cap, "old%s%s", drain ? " " : "",
				    drain ? mm : "");
			return ROLE_CHECKING;
		}
		if (level == 0)
			snprintf(buf, cap, "not converged%s%s",
			    drain ? ", drain " : "", drain ? mm : "");
		else
			snprintf(buf, cap, "%s%s%s",
			    level == 1 || !drain ? "not conv" : "no",
			    drain ? " " : "", drain ? mm : "");
		return ROLE_CHECKING;
	}
	case PH_NONE:
	default:
		if (!s->routed) {
			if (level == 0)
				snprintf(buf, cap, "no expected route yet");
			return ROLE_DIM;
		}
		if (r->on_expected) {
			if (level < 2)
				snprintf(buf, cap, "%s",
				    level == 0 ? "on the expected route"
				               : "expected");
			return ROLE_DIM;
		}
		if (level < 2)
			snprintf(buf, cap, "%s",
			    !ans[0]          ? "no endpoint"
			        : level == 0 ? "not the expected route"
			                     : "not expected");
		return ROLE_CHECKING;
	}
}

/* The summary in wording level, into buf; its role. "" = none. */
static Role
summary_text(const UiState *u, int level, char *buf, size_t cap)
{
	const Snapshot *s = u->snap;
	const TrafficSnap *tt = &s->traffic;
	const char *a = u->g->arrow;
	char d[24], mm[16];
	int conv = 0;

	buf[0] = '\0';
	for (int i = 0; i < s->nresolvers; i++)
		conv += s->resolvers[i].converged;
	switch (phase_of(tt)) {
	case PH_WAIT:
		truth_secs(s->now - tt->changed_at, d, sizeof(d));
		if (level == 0)
			snprintf(buf, cap,
			    "%s %s %s: manager has not moved yet, %s", tt->from,
			    a, tt->to, d);
		else if (level == 1)
			snprintf(buf, cap, "manager has not moved yet, %s", d);
		else
			snprintf(buf, cap, "not moved yet, %s", d);
		return ROLE_CHANGE;
	case PH_MOVING:
		if (tt->drain_at > s->now) {
			view_ttl_mmss(tt->drain_at - s->now, mm, sizeof(mm));
			if (level == 0)
				snprintf(buf, cap,
				    "%s %s %s drain %s, %d/%d converged",
				    tt->from, a, tt->to, mm, conv,
				    s->nresolvers);
			else if (level == 1)
				snprintf(buf, cap, "%s %s %s drain %s",
				    tt->from, a, tt->to, mm);
			else
				snprintf(buf, cap, "drain %s", mm);
		} else if (level < 2)
			snprintf(buf, cap, "%s %s %s: %d/%d converged",
			    tt->from, a, tt->to, conv, s->nresolvers);
		else
			snprintf(
			    buf, cap, "%d/%d converged", conv, s->nresolvers);
		return ROLE_CHANGE;
	case PH_DONE:
		after_secs(tt->all_converged_after, d, sizeof(d));
		if (level == 0)
			snprintf(buf, cap, "%s %s %s drained, converged %s",
			    tt->from, a, tt->to, d);
		else if (level == 1)
			snprintf(
			    buf, cap, "%s %s %s drained", tt->from, a, tt->to);
		else
			snprintf(buf, cap, "drained");
		return ROLE_CONVERGED;
	case PH_NONE:
	default:
		if (s->routed && tt->endpoint[0] &&
		    strcmp(tt->endpoint, s->route_to) != 0) {
			if (level < 2)
				snprintf(buf, cap,
				    "DNS answers %s, expected %s", tt->endpoint,
				    s->route_to);
			else
				snprintf(buf, cap, "expected %s", s->route_to);
			return ROLE_CHANGE;
		}
		return ROLE_DIM;
	}
}

/* The longest wording of resolver r's state (r NULL: of the summary)
 * that fits width; the shortest when none does. */
static Role
fitted(
    const UiState *u, const ResolverSnap *r, int width, char *buf, size_t cap)
{
	Role role = ROLE_DIM;

	for (int level = 0; level < LEVELS; level++) {
		role = r ? state_text(u, r, level, buf, cap)
		         : summary_text(u, level, buf, cap);
		if (text_width(buf) <= width)
			break;
	}
	return role;
}

/* Column widths of the resolver rows. */
typedef struct {
	int name, ep, ttl, rcode; /* as wide as the widest */
	bool arrow, ttl_word; /* "→ " before the answer, "ttl " */
	int level; /* the state's wording on the row; -1 = second row */
} Cols;

typedef struct {
	char ep[EV_NAME_MAX + 8];
	char ttl[24];
	const char *mark;
	Role ep_role;
} Cell;

static void
cell_of(const UiState *u, const ResolverSnap *r, Cell *c)
{
	const Snapshot *s = u->snap;

	c->mark = " ";
	c->ep_role = ROLE_DIM;
	snprintf(c->ep, sizeof(c->ep), "%s",
	    !r->has_answer            ? "-"
	        : r->last.endpoint[0] ? r->last.endpoint
	                              : "none");
	if (r->has_answer && r->last.endpoint[0] && s->routed) {
		c->mark = r->on_expected ? u->g->match : u->g->mismatch;
		c->ep_role = r->on_expected ? ROLE_TARGET : ROLE_DEGRADED;
	}
	if (r->has_answer && r->ttl_expires >= 0)
		short_secs(r->ttl_expires - s->now, c->ttl, sizeof(c->ttl));
	else
		snprintf(c->ttl, sizeof(c->ttl), "-");
}

/* Width of a resolver row without its name and state. */
static int
fixed_width(const UiState *u, const Cols *c)
{
	return 1 + 1 + (c->arrow ? text_width(u->g->arrow) + 1 : 0) + c->ep +
	    1 + 1 + (c->ttl_word ? 4 : 0) + c->ttl + 1 + c->rcode;
}

static void
resolver_line(const UiState *u, const ResolverSnap *r, const Cols *c, int width,
    TruthLine *l)
{
	Cell cell;
	char st[128];

	memset(l, 0, sizeof(*l));
	cell_of(u, r, &cell);
	line_add(l, ROLE_TITLE, r->authoritative ? u->g->auth : " ");
	char label[96];

	resolver_label(r->name, c->name, u->g, label, sizeof(label));
	line_col(l, ROLE_DEFAULT, u->g, label, c->name, false);
	line_add(l, ROLE_DEFAULT, " ");
	if (c->arrow) {
		line_add(l, ROLE_DIM, u->g->arrow);
		line_add(l, ROLE_DIM, " ");
	}
	line_col(l, cell.ep_role, u->g, cell.ep, c->ep, false);
	line_add(l, cell.ep_role, cell.mark);
	line_add(l, ROLE_DEFAULT, " ");
	if (c->ttl_word)
		line_add(l, ROLE_DIM, "ttl ");
	line_col(l, ROLE_DEFAULT, u->g, cell.ttl, c->ttl, true);
	line_add(l, ROLE_DEFAULT, " ");
	line_col(l,
	    !r->has_answer || strcmp(r->last.rcode, "NOERROR") == 0
	        ? ROLE_DEFAULT
	        : ROLE_DEGRADED,
	    u->g, r->has_answer ? r->last.rcode : "", c->rcode, false);
	if (c->level >= 0) {
		Role role = state_text(u, r, c->level, st, sizeof(st));
		if (st[0] && l->width + 1 + text_width(st) > width)
			role =
			    fitted(u, r, width - l->width - 1, st, sizeof(st));
		if (st[0]) {
			line_add(l, ROLE_DEFAULT, " ");
			line_add(l, role, st);
		}
	}
}

/* The columns for resolvers 0..n-1 in width; level -1 (two rows each)
 * or the wording that lets every state fit on the row. */
static Cols
columns(const UiState *u, int n, int width, bool two_rows)
{
	const Snapshot *s = u->snap;
	Cols c = {4, 1, 1, 0, false, false, -1};
	int names = 1;
	char st[128];

	for (int i = 0; i < n; i++) {
		const ResolverSnap *r = &s->resolvers[i];
		Cell cell;
		cell_of(u, r, &cell);
		char label[96];

		resolver_label(r->name, 0, u->g, label, sizeof(label));
		if (text_width(label) > names)
			names = text_width(label);
		if (text_width(cell.ep) > c.ep)
			c.ep = text_width(cell.ep);
		if (text_width(cell.ttl) > c.ttl)
			c.ttl = text_width(cell.ttl);
		if (r->has_answer && text_width(r->last.rcode) > c.rcode)
			c.rcode = text_width(r->last.rcode);
	}
	c.name = names;
	int sw = 0;
	if (!two_rows) {
		/* the longest wording that leaves the names whole, else the
		 * longest that leaves them 8, then 4 columns, else the shortest */
		int sws[LEVELS], pick = -1;
		for (int lv = 0; lv < LEVELS; lv++) {
			sws[lv] = 0;
			for (int i = 0; i < n; i++) {
				state_text(
				    u, &s->resolvers[i], lv, st, sizeof(st));
				if (text_width(st) > sws[lv])
					sws[lv] = text_width(st);
			}
		}
		for (int want = names; pick < 0 && want >= 1; want = want > 8
		         ? 8
		         : want > 4 ? 4
		                    : 0)
			for (int lv = 0; lv < LEVELS && pick < 0; lv++) {
				int room = width - fixed_width(u, &c) -
				    (sws[lv] ? sws[lv] + 1 : 0);
				if (room >= want)
					pick = lv;
			}
		c.level = pick >= 0 ? pick : LEVELS - 1;
		sw = sws[c.level];
	}
	int room = width - fixed_width(u, &c) - (sw ? sw + 1 : 0);
	if (room < c.name)
		c.name = room;
	if (c.name < 3) {
		/* the answer gives way next; the state never does */
		c.ep -= 3 - c.name;
		if (c.ep < 3)
			c.ep = 3;
		c.name = 3;
	}
	/* room to spare: "ttl " and the arrow, in that order */
	if (c.name == names && room - names >= 4) {
		c.ttl_word = true;
		room -= 4;
		if (room - names >= text_width(u->g->arrow) + 1)
			c.arrow = true;
	}
	return c;
}

/* Words of s wrapped at width into out (up to max lines); returns the
 * count, or max + 1 when s does not fit in max lines. */
static int
wrap(const char *s, int width, Role role, TruthLine *out, int max)
{
	int n = 0;

	while (*s) {
		char line[256];
		int len = (int)strlen(s), k = 0, brk = -1;
		while (k < len && k < width && k < (int)sizeof(line) - 1) {
			if (s[k] == ' ')
				brk = k;
			k++;
		}
		if (k < len && brk > 0)
			k = brk;
		if (n == max)
			return max + 1;
		snprintf(line, sizeof(line), "%.*s", k, s);
		memset(&out[n], 0, sizeof(out[n]));
		line_add(&out[n++], role, line);
		s += k;
		while (*s == ' ')
			s++;
	}
	return n;
}

int
view_ttl_lines(const UiState *u, int width, int rows, TruthLine *out)
{
	const Snapshot *s = u->snap;
	const TrafficSnap *tt = &s->traffic;
	Phase ph = phase_of(tt);
	int n = s->nresolvers, y = 0;
	char buf[256];
	Role role;

	if (rows > VIEW_TTL_LINES_MAX)
		rows = VIEW_TTL_LINES_MAX;
	if (rows <= 0 || width <= 0)
		return 0;
	if (n == 0) {
		memset(&out[0], 0, sizeof(out[0]));
		line_add(&out[0], ROLE_DIM,
		    u->profile->dns.name ? "no resolvers to observe"
		                         : "no dns.name in the profile");
		return 1;
	}
	/* the summary first: "manager has not moved yet, 12 s", the
	 * drain countdown, "drained" */
	role = fitted(u, NULL, width, buf, sizeof(buf));
	if (buf[0]) {
		memset(&out[y], 0, sizeof(out[y]));
		line_add(&out[y++], role, buf);
	}
	int left = rows - y;
	bool bar = ph == PH_MOVING || ph == PH_DONE;
	bool two = 2 * n <= left;
	int shown = n <= left ? n : left - 1;
	if (shown < 0)
		shown = 0;
	/* one row more: the bar, when the resolvers leave one */
	int need = two ? 2 * n : shown;
	if (bar && left > need) {
		double span = tt->drain_at - tt->moved_at;
		double frac = span > 0 ? (s->now - tt->moved_at) / span : 1;
		char pct[16];
		/* full only when nothing is left to drain or converge */
		if (ph == PH_MOVING && frac > 0.99)
			frac = 0.99;
		if (ph == PH_DONE)
			frac = 1;
		if (frac < 0)
			frac = 0;
		int bw = width - 5;
		memset(&out[y], 0, sizeof(out[y]));
		view_ttl_bar(u->g, frac, bw, buf, sizeof(buf));
		line_add(&out[y], ROLE_PROGRESS, buf);
		snprintf(pct, sizeof(pct), " %3.0f%%", 100.0 * frac);
		line_add(&out[y++], ROLE_PROGRESS, pct);
	}
	Cols c = columns(u, shown, width, two);
	for (int i = 0; i < shown && y < rows; i++) {
		const ResolverSnap *r = &s->resolvers[i];
		resolver_line(u, r, &c, width, &out[y++]);
		if (two && y < rows) {
			role = fitted(u, r, width - 2, buf, sizeof(buf));
			memset(&out[y], 0, sizeof(out[y]));
			line_add(&out[y], ROLE_DEFAULT, "  ");
			line_add(&out[y++], role, buf);
		}
	}
	if (shown < n && y < rows) {
		snprintf(buf, sizeof(buf), "+%d more resolver%s", n - shown,
		    n - shown == 1 ? "" : "s");
		memset(&out[y], 0, sizeof(out[y]));
		line_add(&out[y++], ROLE_DIM, buf);
	}
	/* what the countdown cannot see, whole when it fits, else its
	 * first words */
	if (ph != PH_NONE && tt->note[0] && y < rows) {
		int k = wrap(tt->note, width, ROLE_DIM, &out[y], rows - y);
		if (k <= rows - y)
			y += k;
		else {
			const char *colon = strchr(tt->note, ':');
			int len = colon ? (int)(colon - tt->note)
			                : (int)strlen(tt->note);
			snprintf(buf, sizeof(buf), "%.*s%s", len, tt->note,
			    u->g->ellipsis);
			memset(&out[y], 0, sizeof(out[y]));
			line_add(&out[y++], ROLE_DIM, buf);
		}
	}
	return y;
}

static void
draw(WINDOW *w, const UiState *u, bool full)
{
	int h = getmaxy(w), cols = getmaxx(w);
	int width = cols - 1;
	char extra[160];
	TruthLine lines[VIEW_TTL_LINES_MAX];

	(void)full;
	if (u->profile->dns.name) {
		/* the TTL is never cut: the name gives way (" DNS " and a
		 * blank on each side of the title's text take 9 columns) */
		char ttl[24], name[128];
		int room;

		snprintf(ttl, sizeof(ttl), " ttl %ds", u->profile->dns.ttl);
		room = cols - 9 - text_width(ttl);
		text_fit(u->profile->dns.name, room < 1 ? 1 : room,
		    u->g->ellipsis, name, sizeof(name));
		snprintf(extra, sizeof(extra), "%s%s", name, ttl);
	} else
		snprintf(extra, sizeof(extra), "not observed");
	view_title(w, u, "DNS", false, extra, ROLE_DIM);
	view_clear_rows(w, 1);
	int n = view_ttl_lines(u, width, h - 1, lines);
	for (int y = 0; y < n; y++) {
		int x = 1;
		for (int k = 0; k < lines[y].n && x < cols; k++)
			x += text_put(w, 1 + y, x, cols - x, 0,
			    theme_attr(u->theme, lines[y].seg[k].role),
			    u->g->ellipsis, lines[y].seg[k].text);
	}
}

const ViewOps view_ttl_ops = {.draw = draw, .key = NULL};
