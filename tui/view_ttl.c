#include "view_ttl.h"

#include <math.h>
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

/* Wrap text into rows starting at y; returns the next free row. */
static int
wrap(WINDOW *w, int y, int maxy, int x, int width, attr_t a, const char *s)
{
	char line[256];

	while (*s && y < maxy) {
		int n = 0, last_space = -1;
		int len = (int)strlen(s);
		/* ASCII-width wrap is enough for the engine's note */
		while (n < len && n < width) {
			if (s[n] == ' ')
				last_space = n;
			n++;
		}
		if (n < len && last_space > 0)
			n = last_space;
		snprintf(line, sizeof(line), "%.*s", n, s);
		text_put(w, y++, x, width, width, a, NULL, line);
		s += n;
		while (*s == ' ')
			s++;
	}
	return y;
}

static void
draw(WINDOW *w, const UiState *u, bool full)
{
	const Snapshot *s = u->snap;
	const TrafficSnap *tt = &s->traffic;
	int h = getmaxy(w), cols = getmaxx(w);
	int y = 1, cw = cols - 1;
	char extra[160], buf[256], left[16];

	(void)full;
	if (u->profile->dns.name)
		snprintf(extra, sizeof(extra), "%s ttl %ds",
		    u->profile->dns.name, u->profile->dns.ttl);
	else
		snprintf(extra, sizeof(extra), "not observed");
	view_title(w, u, "DNS", false, extra, ROLE_DIM);
	view_clear_rows(w, 1);
	if (s->nresolvers == 0 && u->profile->dns.name == NULL) {
		text_put(w, y++, 1, cw, 0, theme_attr(u->theme, ROLE_DIM), NULL,
		    "no dns.name in the profile");
		return;
	}
	for (int i = 0; i < s->nresolvers && y < h; i++) {
		const ResolverSnap *r = &s->resolvers[i];
		int x = 1;
		x += text_put(w, y, x, cw - x, 0,
		    theme_attr(u->theme, ROLE_DEFAULT), u->g->ellipsis,
		    r->resolver);
		x++;
		if (!r->has_answer) {
			text_put(w, y, x, cols - x, 0,
			    theme_attr(u->theme, ROLE_DIM), NULL, "waiting");
			y++;
			continue;
		}
		const char *ep = r->last.endpoint[0] ? r->last.endpoint : "?";
		snprintf(buf, sizeof(buf), "%s %s", u->g->arrow, ep);
		x += text_put(w, y, x, cols - x, 0,
		    theme_attr(u->theme,
		        strcmp(ep, s->route_to) == 0 ? ROLE_TARGET
		                                     : ROLE_DEGRADED),
		    NULL, buf);
		x++;
		if (r->ttl_expires >= 0) {
			double l = r->ttl_expires - s->now;
			snprintf(left, sizeof(left), "%lds",
			    l <= 0 ? 0 : (long)ceil(l - 1e-9));
		} else
			snprintf(left, sizeof(left), "-");
		snprintf(buf, sizeof(buf), "%s %s", left, r->last.rcode);
		text_put(w, y, x, cols - x, 0,
		    theme_attr(u->theme,
		        strcmp(r->last.rcode, "NOERROR") == 0 ? ROLE_DEFAULT
		                                              : ROLE_DEGRADED),
		    NULL, buf);
		y++;
	}
	if (!tt->change)
		return;
	if (y < h) {
		double left_s = tt->moved ? tt->drain_at - s->now : tt->ttl;
		char mmss[16];
		view_ttl_mmss(left_s, mmss, sizeof(mmss));
		if (tt->active)
			snprintf(buf, sizeof(buf), "%s %s %s drain %s",
			    tt->from, u->g->arrow, tt->to, mmss);
		else
			snprintf(buf, sizeof(buf), "%s %s %s drained", tt->from,
			    u->g->arrow, tt->to);
		text_put(w, y++, 1, cw, 0, theme_attr(u->theme, ROLE_BANNER),
		    NULL, buf);
	}
	if (y < h && tt->ttl > 0) {
		double frac = tt->moved ? (s->now - tt->moved_at) / tt->ttl : 0;
		int bw = cw - 6;
		view_ttl_bar(
		    u->g, tt->active ? frac : 1.0, bw, buf, sizeof(buf));
		text_put(w, y, 1, bw, 0, theme_attr(u->theme, ROLE_PROGRESS),
		    NULL, buf);
		snprintf(buf, sizeof(buf), "%3.0f%%",
		    100.0 *
		        (tt->active ? (frac > 1          ? 1
		                              : frac < 0 ? 0
		                                         : frac)
		                    : 1.0));
		text_put(w, y++, 2 + bw, cols - 2 - bw, 0,
		    theme_attr(u->theme, ROLE_PROGRESS), NULL, buf);
	}
	for (int i = 0; i < s->nresolvers && y < h; i++) {
		const ResolverSnap *r = &s->resolvers[i];
		if (r->converged && r->converged_after >= 0)
			snprintf(buf, sizeof(buf), "%s converged +%.1fs",
			    r->resolver, r->converged_after);
		else if (r->diverged)
			snprintf(buf, sizeof(buf), "%s DIVERGED", r->resolver);
		else
			snprintf(buf, sizeof(buf), "%s not yet", r->resolver);
		text_put(w, y++, 1, cw, 0,
		    theme_attr(u->theme,
		        r->converged      ? ROLE_CONVERGED
		            : r->diverged ? ROLE_DEGRADED
		                          : ROLE_DIM),
		    u->g->ellipsis, buf);
	}
	if (y < h && tt->note[0])
		wrap(w, y, h, 1, cw, theme_attr(u->theme, ROLE_DIM), tt->note);
}

const ViewOps view_ttl_ops = {.draw = draw, .key = NULL};
