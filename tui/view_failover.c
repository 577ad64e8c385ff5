#include "view_failover.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "truth.h"

/* The snapshot entry of endpoint name, or NULL. */
static const EndpointSnap *
ep_snap(const UiState *u, const char *name)
{
	int i = u->profile ? profile_find(u->profile, name) : -1;

	if (i < 0 || u->snap == NULL || i >= u->snap->nendpoints)
		return NULL;
	return &u->snap->endpoints[i];
}

const char *
view_failover_target_state(const UiState *u)
{
	const EndpointSnap *e = ep_snap(u, u->ff->to);

	return e ? view_state_word(e->state) : "";
}

bool
view_failover_target_online(const UiState *u)
{
	const EndpointSnap *e = ep_snap(u, u->ff->to);

	return e == NULL || e->state == HEALTH_ONLINE;
}

/* "eu20 ONLINE 42 ms" */
static void
ep_line(const UiState *u, const char *name, char *buf, size_t cap)
{
	const EndpointSnap *e = ep_snap(u, name);
	double ms = e ? e->last_probe.ms.total : -1;
	char m[16];

	view_ms(ms, m, sizeof(m)); /* as the endpoints table: "<1" */
	if (e == NULL)
		snprintf(buf, cap, "%s", name);
	else if (ms >= 0)
		snprintf(buf, cap, "%s %s %s ms", name,
		    view_state_word(e->state), m);
	else
		snprintf(buf, cap, "%s %s, no latency yet", name,
		    view_state_word(e->state));
}

/* Append s to lines, wrapped at width display columns between whole
 * characters; continuation lines are indented by indent. With lines
 * NULL only count them (max is then ignored). */
static int
add_wrapped(char (*lines)[256], int n, int max, int width, const char *first,
    int indent, const char *s)
{
	const char *p = s;
	bool head = true;

	do {
		char buf[256];
		size_t o = 0;
		int w = 0;
		if (indent > 64)
			indent = 64;
		int room = width - (head ? text_width(first) : indent);
		if (room < 8)
			room = 8;
		while (*p) {
			unsigned char c = (unsigned char)*p;
			size_t len = c < 0x80 ? 1
			    : c >= 0xf0       ? 4
			    : c >= 0xe0       ? 3
			    : c >= 0xc0       ? 2
			                      : 1;
			char ch[8] = "";
			len = strnlen(p, len);
			memcpy(ch, p, len);
			int cw = text_width(ch);
			if (w + cw > room || o + len + 1 > sizeof(buf))
				break;
			memcpy(buf + o, p, len);
			o += len;
			w += cw;
			p += len;
		}
		buf[o] = '\0';
		if (o == 0 && *p) {
			p++; /* cannot happen with room >= 8; never loop */
			continue;
		}
		if (lines == NULL) {
			n++;
		} else if (n < max) {
			char *l = lines[n++];
			int pre = head ? 0 : indent;
			const char *parts[2] = {head ? first : "", buf};
			size_t len = (size_t)pre;
			memset(l, ' ', len);
			for (int k = 0; k < 2; k++) {
				size_t m = strlen(parts[k]);
				if (len + m > 255)
					m = 255 - len;
				memcpy(l + len, parts[k], m);
				len += m;
			}
			l[len] = '\0';
		}
		head = false;
	} while (*p && (lines == NULL || n < max));
	return n;
}

int
view_failover_lines(const UiState *u, int width, char (*lines)[256], int max)
{
	const FailFlow *ff = u->ff;
	int n = 0;
	char buf[256];
	const char *what = ff->kind == 'b' ? "failback" : "failover";

	char from[96], to[96];
	int ttl = u->profile ? u->profile->dns.ttl : 0;
	const EndpointSnap *te = ep_snap(u, ff->to);

	const Snapshot *sn = u->snap;
	const char *obs = sn ? truth_observed(sn) : NULL;

	ep_line(u, ff->from, from, sizeof(from));
	ep_line(u, ff->to, to, sizeof(to));
	snprintf(buf, sizeof(buf), "Traffic: %s %s %s", from, u->g->arrow, to);
	n = add_wrapped(lines, n, max, width, "", 2, buf);
	/* where DNS answers (what the action moves) and what is expected:
	 * the same words as the title */
	if (sn && sn->traffic.observed)
		snprintf(buf, sizeof(buf),
		    "DNS answers %s (%d/%d resolvers); expected route %s.",
		    obs ? obs : "no endpoint", sn->traffic.count,
		    sn->traffic.total, sn->routed ? sn->route_to : "none yet");
	else
		snprintf(buf, sizeof(buf),
		    "DNS not observed; expected route %s.",
		    sn && sn->routed ? sn->route_to : "none yet");
	n = add_wrapped(lines, n, max, width, "", 2, buf);
	snprintf(buf, sizeof(buf),
	    "TTL %ds: clients follow within ~%ds after DNS changes.", ttl, ttl);
	n = add_wrapped(lines, n, max, width, "", 2, buf);
	/* every warning that applies, one per line */
	if (te && te->state != HEALTH_ONLINE) {
		snprintf(buf, sizeof(buf),
		    "WARNING: %s is %s, not ONLINE (asks twice).", ff->to,
		    view_state_word(te->state));
		n = add_wrapped(lines, n, max, width, "", 2, buf);
	}
	/* "already" only when DNS is seen answering the target: an
	 * expected route is not where traffic goes */
	if (obs && strcmp(obs, ff->to) == 0) {
		snprintf(buf, sizeof(buf),
		    "WARNING: %s is the current route already (DNS answers "
		    "it, %d/%d).",
		    ff->to, sn->traffic.count, sn->traffic.total);
		n = add_wrapped(lines, n, max, width, "", 2, buf);
	} else if (sn && !sn->traffic.observed && sn->routed &&
	    strcmp(sn->route_to, ff->to) == 0) {
		snprintf(buf, sizeof(buf),
		    "WARNING: %s is the expected route already (DNS not "
		    "observed).",
		    ff->to);
		n = add_wrapped(lines, n, max, width, "", 2, buf);
	}
	if (ff->action == NULL || ff->nsteps == 0) {
		snprintf(buf, sizeof(buf), "WARNING: no %s action configured.",
		    what);
		n = add_wrapped(lines, n, max, width, "", 2, buf);
	}
	if (u->act.state != ACTIONS_IDLE) {
		snprintf(buf, sizeof(buf),
		    "WARNING: %s is %s: this cannot be confirmed now.",
		    u->act.name, actions_state_name(u->act.state));
		n = add_wrapped(lines, n, max, width, "", 2, buf);
	}
	if (u->snap && u->snap->fail_open) {
		snprintf(buf, sizeof(buf),
		    "WARNING: all regions degraded (fail-open).");
		n = add_wrapped(lines, n, max, width, "", 2, buf);
	}
	if (ff->action == NULL || ff->nsteps == 0) {
		snprintf(buf, sizeof(buf),
		    "No %s action is configured: only drtop's route changes; "
		    "the traffic manager is not touched.",
		    what);
		n = add_wrapped(lines, n, max, width, "", 0, buf);
	} else {
		snprintf(buf, sizeof(buf),
		    "This runs the %s action, %d step%s, "
		    "each argument exactly as shown:",
		    what, ff->nsteps, ff->nsteps == 1 ? "" : "s");
		n = add_wrapped(lines, n, max, width, "", 0, buf);
		for (int s = 0; s < ff->nsteps && (!lines || n < max); s++) {
			const ActionStep *st = &ff->action->steps[s];
			snprintf(buf, sizeof(buf),
			    "step %d%s%s (timeout %gs):", s + 1,
			    st->name ? " " : "", st->name ? st->name : "",
			    st->timeout);
			n = add_wrapped(lines, n, max, width, "", 2, buf);
			char **argv = ff->argv[s];
			for (int a = 0; argv && argv[a] && (!lines || n < max);
			     a++) {
				char head[32];
				snprintf(head, sizeof(head), "  argv[%d] ", a);
				n = add_wrapped(lines, n, max, width, head,
				    (int)strlen(head), argv[a]);
			}
		}
	}
	if (lines == NULL)
		n++;
	else if (n < max)
		lines[n++][0] = '\0';
	if (ff->state == FF_SECOND_CONFIRM)
		snprintf(buf, sizeof(buf),
		    "%s is %s: type yes to fail over anyway; Esc cancels.",
		    ff->to, view_failover_target_state(u));
	else
		snprintf(buf, sizeof(buf),
		    "Type %s and press Enter; Esc cancels.", ff->to);
	n = add_wrapped(lines, n, max, width, "", 0, buf);
	return n;
}

static void
draw(WINDOW *w, const UiState *u, bool full)
{
	const FailFlow *ff = u->ff;
	int h = getmaxy(w), cols = getmaxx(w);
	/* box, the pinned prompt, input line, match line */
	int rows = h - 6;
	/* every line, however long the arguments: never capped, so no
	 * argument and never the prompt is dropped */
	int max = view_failover_lines(u, cols - 4, NULL, 0);
	char(*lines)[256] = xcalloc(max > 0 ? (size_t)max : 1, 256);
	int n = view_failover_lines(u, cols - 4, lines, max);
	int body = n > 0 ? n - 1 : 0; /* the last line is the prompt */
	int first = ff->scroll;

	(void)full;
	if (first > body - rows)
		first = body - rows;
	if (first < 0)
		first = 0;
	view_box(w, u, ff->kind == 'b' ? "Fail back" : "Fail over");
	for (int r = 0; r < rows && first + r < body; r++)
		text_put(w, 1 + r, 2, cols - 4, 0,
		    theme_attr(
		        u->theme, r + first == 0 ? ROLE_TITLE : ROLE_DIALOG),
		    NULL, lines[first + r]);
	if (first + rows < body)
		text_put(w, h - 1, cols - 16, 14, 0,
		    theme_attr(u->theme, ROLE_BANNER), NULL, " Down: more ");
	/* the prompt never scrolls away */
	if (n > 0)
		text_put(w, h - 4, 2, cols - 4, 0,
		    theme_attr(u->theme,
		        ff->state == FF_SECOND_CONFIRM ? ROLE_DEGRADED
		                                       : ROLE_TITLE),
		    NULL, lines[n - 1]);
	text_put(w, h - 3, 2, cols - 4, cols - 4,
	    theme_attr(u->theme, ROLE_INPUT), NULL, "");
	text_put(w, h - 3, 2, cols - 4, 0, theme_attr(u->theme, ROLE_INPUT),
	    NULL, ff->text);
	text_put(w, h - 2, 2, cols - 4, 0,
	    theme_attr(u->theme, failflow_matches(ff) ? ROLE_ONLINE : ROLE_DIM),
	    NULL,
	    failflow_matches(ff) ? "matches: Enter runs it"
	                         : "does not match yet");
	free(lines);
}

const ViewOps view_failover_ops = {.draw = draw, .key = NULL};
