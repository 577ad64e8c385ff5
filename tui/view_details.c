#include "view_details.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

static void
ms(char *buf, size_t cap, double v)
{
	if (v < 0)
		snprintf(buf, cap, "-");
	else
		snprintf(buf, cap, "%.1f", v);
}

/* A probe's result column: a TLS failure names its reason (13 columns
 * at most); anything else as view_probe_result() words it. */
static void
result_text(const ProbeEvent *p, char *buf, size_t cap)
{
	static const char *const tls_short[TLSR__COUNT] = {
	    [TLSR_EXPIRED] = "expired",
	    [TLSR_NOT_YET_VALID] = "not yet",
	    [TLSR_UNTRUSTED] = "untrusted",
	    [TLSR_HOSTNAME] = "hostname",
	    [TLSR_HANDSHAKE] = "handshake",
	};

	if (p->error == PERR_TLS && p->tls > TLSR_NONE && p->tls < TLSR__COUNT)
		snprintf(buf, cap, "tls %s", tls_short[p->tls]);
	else
		view_probe_result(p, buf, cap);
}

static void add_line(char (*lines)[160], int *n, int max, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
add_line(char (*lines)[160], int *n, int max, const char *fmt, ...)
{
	va_list ap;

	if (*n >= max)
		return;
	va_start(ap, fmt);
	vsnprintf(lines[*n], 160, fmt, ap);
	va_end(ap);
	(*n)++;
}

#define ADD(...) add_line(lines, &n, max, __VA_ARGS__)

/* The client's-eye probe's head: what it is, and what it got last. */
static int
public_head(const UiState *u, char (*lines)[160], int max)
{
	const Profile *p = u->profile;
	const Endpoint *ep = p->public_ep;
	const Snapshot *s = u->snap;
	const EndpointSnap *es = s->has_public ? &s->public_probe : NULL;
	char when[16], res[32];
	int n = 0;

	ADD("%s  the client's-eye probe (no health state of its own)",
	    EV_PUBLIC);
	ADD("resolves its name as a client does, via %s",
	    profile_resolver_name(p, p->public_resolver));
	ADD("probe %s", ep->url ? ep->url : ep->target);
	if (es == NULL || !es->has_probe) {
		ADD("no probe yet");
		return n;
	}
	view_clock(u, es->last_probe_t, when, sizeof(when));
	view_probe_result(&es->last_probe, res, sizeof(res));
	const char *sb = es->last_probe.served_by;
	ADD("last %s at %s, served by %s%s%s%s", res, when,
	    sb[0] ? sb : "unknown", s->routed ? " (expected route " : "",
	    s->routed ? s->route_to : "", s->routed ? ")" : "");
	ADD("probes %llu, failures %llu, median %s ms",
	    (unsigned long long)es->probes, (unsigned long long)es->failures,
	    es->median_ms >= 0
	        ? (snprintf(when, sizeof(when), "%.1f", es->median_ms), when)
	        : "-");
	return n;
}

int
view_details_lines(const UiState *u, int idx, char (*lines)[160], int max)
{
	bool pub = view_row_is_public(u, idx);
	const Endpoint *ep =
	    pub ? u->profile->public_ep : &u->profile->endpoints[idx];
	const EndpointSnap *es =
	    pub ? &u->snap->public_probe : &u->snap->endpoints[idx];
	const Monitor *m = &ep->monitor;
	char when[16], buf[160];
	int n = 0;

	if (pub) {
		n = public_head(u, lines, max);
		goto monitor;
	}
	view_clock(u, es->state_since, when, sizeof(when));
	ADD("%s  %s", ep->name, ep->region);
	ADD("state %s since %s  (now %d failures, %d successes in a row)",
	    view_state_word(es->state), when, es->consecutive_failures,
	    es->consecutive_successes);
	/* the reason is the change's, when it happened; the counts above
	 * are today's */
	if (es->last_reason[0])
		ADD("  changed at %s: %s", when, es->last_reason);
	ADD("probe %s", ep->url ? ep->url : ep->target);
	if (!es->cert_known)
		snprintf(buf, sizeof(buf), "unknown");
	else if (es->cert_days >= 0)
		snprintf(buf, sizeof(buf), "%d days left%s", es->cert_days,
		    es->cert_days < 14 ? " (WARNING)" : "");
	else if (es->cert_days == -1)
		snprintf(buf, sizeof(buf), "EXPIRED less than a day ago");
	else
		snprintf(buf, sizeof(buf), "EXPIRED %d days ago",
		    -es->cert_days - 1);
	/* a certificate only where there is one */
	bool tls = m->protocol == PROTO_HTTPS || es->cert_known;
	ADD("probes %llu, failures %llu, median %s ms%s%s",
	    (unsigned long long)es->probes, (unsigned long long)es->failures,
	    es->median_ms >= 0
	        ? (snprintf(when, sizeof(when), "%.1f", es->median_ms), when)
	        : "-",
	    tls ? ", certificate " : "", tls ? buf : "");
monitor:
	ADD("%s", "");
	ADD("Monitor (effective)");
	ADD("  %s, interval %gs, timeout %gs, tolerated failures %d, rise %d",
	    protocol_name(m->protocol), m->interval, m->timeout,
	    m->tolerated_failures, m->rise);
	int o = 0;
	buf[0] = '\0';
	for (int i = 0; i < m->nexpected && o < (int)sizeof(buf) - 16; i++) {
		if (m->expected[i].lo == m->expected[i].hi)
			o += snprintf(buf + o, sizeof(buf) - (size_t)o, "%s%d",
			    i ? ", " : "", m->expected[i].lo);
		else
			o += snprintf(buf + o, sizeof(buf) - (size_t)o,
			    "%s%d-%d", i ? ", " : "", m->expected[i].lo,
			    m->expected[i].hi);
	}
	ADD("  expected status %s%s%s%s", buf,
	    m->body_contains ? ", body contains \"" : "",
	    m->body_contains ? m->body_contains : "",
	    m->body_contains ? "\"" : "");
	if (m->nheaders > 0) {
		o = 0;
		buf[0] = '\0';
		for (int i = 0; i < m->nheaders && o < (int)sizeof(buf) - 40;
		     i++)
			o += snprintf(buf + o, sizeof(buf) - (size_t)o,
			    "%s%.40s", i ? ", " : "", m->headers[i].name);
		ADD("  headers %s (values hidden)", buf);
	}
	if (m->identify == IDENTIFY_HEADER && m->identify_header)
		ADD("  served_by from header %s", m->identify_header);
	if (!pub)
		ADD("  degraded within %.1fs of a fault (interval x "
		    "(tolerated + 1) + timeout)",
		    m->interval * (m->tolerated_failures + 1) + m->timeout);
	ADD("%s", "");
	ADD("Last probes (ms)");
	ADD("  %-8s  %-13s %7s %7s %7s %7s %7s  %s", "time", "result", "dns",
	    "connect", "tls", "ttfb", "total", "served_by");
	const ProbeLog *pl = u->probes ? &u->probes[idx] : NULL;
	if (pl == NULL || pl->len == 0)
		ADD("  (none yet)");
	for (int k = pl ? pl->len - 1 : -1; k >= 0; k--) {
		int at = (pl->start + k) % UI_PROBES_KEPT;
		const ProbeEvent *p = &pl->p[at];
		char res[32], d[16], c[16], t[16], f[16], tot[16];
		view_clock(u, pl->t[at], when, sizeof(when));
		result_text(p, res, sizeof(res));
		ms(d, sizeof(d), p->ms.dns);
		ms(c, sizeof(c), p->ms.connect);
		ms(t, sizeof(t), p->ms.tls);
		ms(f, sizeof(f), p->ms.ttfb);
		ms(tot, sizeof(tot), p->ms.total);
		ADD("  %-8s  %-13s %7s %7s %7s %7s %7s  %s", when, res, d, c, t,
		    f, tot, p->served_by[0] ? p->served_by : "-");
	}
	return n;
}

static void
draw(WINDOW *w, const UiState *u, bool full)
{
	char lines[64][160];
	int h = getmaxy(w), cols = getmaxx(w);
	int n, rows = h - 2, first;

	(void)full;
	if (u->selected < 0 || u->selected >= view_rows(u)) {
		view_box(w, u, "Details");
		return;
	}
	n = view_details_lines(u, u->selected, lines, 64);
	first = u->dialog_scroll;
	if (first > n - rows)
		first = n - rows;
	if (first < 0)
		first = 0;
	view_box(w, u, "Details");
	for (int r = 0; r < rows && first + r < n; r++) {
		const char *l = lines[first + r];
		Role role = ROLE_DIALOG;
		if (first + r == 0 || strcmp(l, "Monitor (effective)") == 0 ||
		    strcmp(l, "Last probes (ms)") == 0)
			role = ROLE_TITLE;
		else if (first + r == 1 && !view_row_is_public(u, u->selected))
			role = view_state_role(
			    u->snap->endpoints[u->selected].state);
		text_put(w, 1 + r, 2, cols - 4, 0, theme_attr(u->theme, role),
		    u->g->ellipsis, l);
	}
}

const ViewOps view_details_ops = {.draw = draw, .key = NULL};
