/* views without a terminal: the map canvas and marker cells, the event
 * log's lines, the TTL countdown text and bar, the timeline's probe
 * codes, the details dialog (no header value ever), the help text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#include "actions/actions.h"
#include "engine/engine.h"
#include "glyphs.h"
#include "model/profile.h"
#include "text.h"
#include "view.h"
#include "view_action.h"
#include "view_details.h"
#include "view_events.h"
#include "view_failover.h"
#include "view_help.h"
#include "view_map.h"
#include "view_timeline.h"
#include "view_ttl.h"

static const char profile_json[] =
    "{\"service\":\"svc\",\"dns\":{\"name\":\"svc.example.test\",\"ttl\":30,"
    "\"resolvers\":[\"127.0.0.1:5353\"]},"
    "\"monitor\":{\"interval\":2,\"timeout\":1,\"tolerated_failures\":2,"
    "\"expected_status\":[\"200-299\",\"401\"],"
    "\"headers\":{\"Authorization\":\"Bearer s3cr3t-value\"},"
    "\"body_contains\":\"UP\"},"
    "\"endpoints\":[{\"name\":\"eu20\",\"region\":\"Europe (Frankfurt)\","
    "\"lat\":50.1,\"lon\":8.7,\"target\":\"http://127.0.0.1:9/h\"},"
    "{\"name\":\"us21\",\"lat\":38.9,\"lon\":-77.0,"
    "\"target\":\"http://127.0.0.1:9/h\"}]}";

static Profile *
load(void)
{
	ErrList errs;
	Profile *p;

	errlist_init(&errs);
	p = profile_parse(
	    profile_json, strlen(profile_json), "t.json", "/tmp", &errs);
	if (p == NULL)
		errlist_print(&errs, stderr);
	errlist_fini(&errs);
	assert_non_null(p);
	return p;
}

static void
test_map_canvas(void **state)
{
	char(*cells)[5] = calloc(7 * 46, sizeof(*cells));
	const Glyphs *a = glyphs_select(false), *u = glyphs_select(true);
	int row, col, land = 0;

	(void)state;
	view_map_canvas(7, 46, false, a, cells);
	for (int i = 0; i < 7 * 46; i++) {
		assert_true(
		    strcmp(cells[i], ".") == 0 || strcmp(cells[i], " ") == 0);
		land += cells[i][0] == '.';
	}
	/* roughly a third of the map is land; neither empty nor full */
	assert_true(land > 40 && land < 200);
	view_map_cell(50.1, 8.7, 7, 46, &row, &col);
	assert_int_equal(row, 1);
	assert_int_equal(col, 24);
	assert_string_equal(cells[row * 46 + col], ".");
	/* mid-Atlantic is water */
	view_map_cell(35.0, -40.0, 7, 46, &row, &col);
	assert_string_equal(cells[row * 46 + col], " ");
	view_map_canvas(7, 46, true, u, cells);
	view_map_cell(50.1, 8.7, 7, 46, &row, &col);
	/* a braille cell with dots: U+2801..U+28FF is E2 A0 81 .. E2 A3 BF */
	assert_int_equal((unsigned char)cells[row * 46 + col][0], 0xe2);
	assert_true((unsigned char)cells[row * 46 + col][1] >= 0xa0);
	free(cells);
}

static void
test_event_lines(void **state)
{
	const Glyphs *g = glyphs_select(false);
	EventLog *lg = calloc(1, sizeof(*lg));
	UiState u;
	Event ev;
	char buf[256];
	Role r;

	(void)state;
	assert_non_null(lg);
	memset(&u, 0, sizeof(u));
	u.g = g;
	u.events = lg;
	view_events_clear(lg, &u);
	event_init(&ev, EV_PROBE, 1.0);
	assert_false(view_events_format(g, &ev, buf, sizeof(buf), &r));
	event_init(&ev, EV_HEALTH, 2.0);
	strcpy(ev.u.health.endpoint, "eu20");
	ev.u.health.from = HEALTH_ONLINE;
	ev.u.health.to = HEALTH_DEGRADED;
	strcpy(ev.u.health.reason, "3 consecutive failures");
	assert_true(view_events_format(g, &ev, buf, sizeof(buf), &r));
	assert_string_equal(
	    buf, "HEALTH eu20 online -> degraded: 3 consecutive failures");
	assert_int_equal(r, ROLE_DEGRADED);
	event_init(&ev, EV_ROUTE, 2.0);
	strcpy(ev.u.route.from, "eu20");
	strcpy(ev.u.route.to, "us21");
	ev.u.route.fail_open = true;
	assert_true(view_events_format(g, &ev, buf, sizeof(buf), &r));
	assert_non_null(strstr(buf, "eu20 -> us21 (auto)"));
	assert_non_null(strstr(buf, "FAIL-OPEN"));
	assert_int_equal(r, ROLE_FAILOPEN);
	/* DNS answers are listed only when they change */
	event_init(&ev, EV_DNS, 3.0);
	strcpy(ev.u.dns.resolver, "127.0.0.1:5353");
	strcpy(ev.u.dns.name, "svc.example.test");
	strcpy(ev.u.dns.rcode, "NOERROR");
	strcpy(ev.u.dns.endpoint, "eu20");
	ev.u.dns.ttl = 30;
	assert_true(view_events_add(lg, &u, &ev));
	assert_int_equal(lg->len, 1);
	ev.u.dns.ttl = 29;
	assert_false(view_events_add(lg, &u, &ev));
	assert_int_equal(lg->len, 1);
	strcpy(ev.u.dns.endpoint, "us21");
	assert_true(view_events_add(lg, &u, &ev));
	assert_int_equal(lg->len, 2);
	assert_non_null(strstr(lg->lines[1].text, "-> us21 ttl 29"));
	/* probes are never listed */
	event_init(&ev, EV_PROBE, 4.0);
	assert_false(view_events_add(lg, &u, &ev));
	/* an operator scrolled up keeps their place as lines arrive */
	u.events_scroll = 1;
	event_init(&ev, EV_MARKER, 5.0);
	strcpy(ev.u.marker.note, "m");
	assert_true(view_events_add(lg, &u, &ev));
	assert_int_equal(u.events_scroll, 2);
	view_events_clear(lg, &u);
	assert_int_equal(lg->len, 0);
	assert_int_equal(u.events_scroll, 0);
	free(lg);
}

static void
test_ttl_text(void **state)
{
	char buf[256];
	const Glyphs *a = glyphs_select(false);

	(void)state;
	view_ttl_mmss(0, buf, sizeof(buf));
	assert_string_equal(buf, "00:00");
	view_ttl_mmss(-3, buf, sizeof(buf));
	assert_string_equal(buf, "00:00");
	view_ttl_mmss(29.2, buf, sizeof(buf));
	assert_string_equal(buf, "00:30");
	view_ttl_mmss(61, buf, sizeof(buf));
	assert_string_equal(buf, "01:01");
	view_ttl_mmss(1e9, buf, sizeof(buf));
	assert_string_equal(buf, "99:59");
	view_ttl_bar(a, 0.5, 10, buf, sizeof(buf));
	assert_string_equal(buf, "#####.....");
	view_ttl_bar(a, 2.0, 4, buf, sizeof(buf));
	assert_string_equal(buf, "####");
	view_ttl_bar(a, -1.0, 4, buf, sizeof(buf));
	assert_string_equal(buf, "....");
	/* the buffer bounds the bar */
	view_ttl_bar(glyphs_select(true), 1.0, 10, buf, 8);
	assert_int_equal(strlen(buf), 6); /* two 3-byte blocks */
}

static void
test_timeline_codes(void **state)
{
	Profile *p = load();
	const Monitor *m = &p->endpoints[0].monitor; /* timeout 1 s */
	ProbeMark k = {.t = 1, .total_ms = 1.0f, .ok = 1, .status = 200};
	int lo, hi;

	(void)state;
	lo = view_timeline_code(&k, m);
	assert_true(lo >= 1 && lo <= GLYPH_SPARK_LEVELS);
	k.total_ms = 300.0f;
	hi = view_timeline_code(&k, m);
	assert_true(hi > lo && hi <= GLYPH_SPARK_LEVELS);
	k.total_ms = 600.0f; /* over half the timeout */
	assert_int_equal(view_timeline_code(&k, m), TL_SLOW);
	k.ok = 0;
	k.error = PERR_STATUS;
	assert_int_equal(view_timeline_code(&k, m), TL_FAIL);
	k.error = PERR_TIMEOUT;
	assert_int_equal(view_timeline_code(&k, m), TL_TIMEOUT);
	assert_true(view_timeline_slot(p) == 2.0);
	profile_free(p);
}

static void
discard(void *ctx, const Event *ev)
{
	(void)ctx;
	(void)ev;
}

/* Cells of tl that changed since the last draw; *at gets the last. */
static int
changed_cells(const TimelineState *tl, size_t *at)
{
	int n = 0;

	for (size_t i = 0; i < (size_t)tl->n * tl->width; i++)
		if (tl->changed[i]) {
			n++;
			*at = i;
		}
	return n;
}

/* The timeline's state lives outside the view: the console takes the
 * snapshot's probes in before a draw, and a draw repaints only what
 * changed since the last one. */
static void
test_timeline_state(void **state)
{
	EventSink sink = {discard, NULL};
	Profile *p = load(); /* interval 2, timeout 1: 2 s slots */
	Engine *e = engine_new(p);
	TimelineState tl;
	UiState u;
	Event ev;
	size_t at = 0;

	(void)state;
	memset(&tl, 0, sizeof(tl));
	view_timeline_reset(&tl);
	assert_int_equal(tl.drawn_first, -1);
	memset(&u, 0, sizeof(u));
	u.profile = p;
	u.g = glyphs_select(false);
	ev = th_probe(1.0, "eu20", true, PERR_NONE, 20.0);
	engine_feed(e, &ev, &sink);
	u.snap = engine_snapshot(e);
	u.t = 1.0;
	view_timeline_update(&tl, &u, 80);
	assert_int_equal(tl.n, 2);
	assert_int_equal(tl.width, 80 - 12); /* "eu20" + " 1234ms" + 1 */
	assert_true(tl.redraw);
	assert_int_equal(changed_cells(&tl, &at), 1);
	assert_int_equal(at, 0); /* eu20's first column */
	assert_true(tl.cell[0] >= 1 && tl.cell[0] <= GLYPH_SPARK_LEVELS);
	view_timeline_drawn(&tl, &u, 6);
	assert_false(tl.redraw);
	assert_int_equal(tl.drawn_first, 0);
	assert_int_equal(changed_cells(&tl, &at), 0);

	/* a timeout on us21 started at 2.0: its own cell, nothing else */
	ev = th_probe(3.0, "us21", false, PERR_TIMEOUT, -1);
	engine_feed(e, &ev, &sink);
	u.snap = engine_snapshot(e);
	u.t = 3.0;
	view_timeline_update(&tl, &u, 80);
	assert_false(tl.redraw);
	assert_int_equal(changed_cells(&tl, &at), 1);
	assert_int_equal(at, (size_t)tl.width + 1);
	assert_int_equal(tl.cell[at], TL_TIMEOUT);
	view_timeline_drawn(&tl, &u, 6);
	/* nothing new: nothing to draw */
	view_timeline_update(&tl, &u, 80);
	assert_int_equal(changed_cells(&tl, &at), 0);
	/* another width starts over from the snapshot */
	view_timeline_update(&tl, &u, 100);
	assert_true(tl.redraw);
	assert_int_equal(tl.width, 100 - 12);
	assert_int_equal(changed_cells(&tl, &at), 2);

	view_timeline_mark(&tl, p, 4.5, 'R');
	assert_int_equal(tl.nmarks, 1);
	assert_int_equal(tl.marks[0].slot, 2);
	assert_int_equal(tl.marks[0].kind, 'R');
	view_timeline_reset(&tl);
	assert_int_equal(tl.nmarks, 0);
	assert_null(tl.cell);
	engine_free(e);
	profile_free(p);
}

static void
test_details_never_show_header_values(void **state)
{
	EventSink sink = {discard, NULL};
	Profile *p = load();
	Engine *e = engine_new(p);
	UiState u;
	ProbeLog logs[2];
	char lines[64][160];
	Event ev;
	int n;
	bool names = false, probe = false;

	(void)state;
	memset(&u, 0, sizeof(u));
	memset(logs, 0, sizeof(logs));
	event_init(&ev, EV_PROBE, 1.5);
	strcpy(ev.u.probe.endpoint, "eu20");
	ev.u.probe.ok = true;
	ev.u.probe.status = 200;
	ev.u.probe.ms = (ProbeTimes){0.4, 1.1, -1, 20.3, 20.9};
	engine_feed(e, &ev, &sink);
	logs[0].p[0] = ev.u.probe;
	logs[0].t[0] = ev.t;
	logs[0].len = 1;
	u.profile = p;
	u.snap = engine_snapshot(e);
	u.g = glyphs_select(false);
	u.probes = logs;
	n = view_details_lines(&u, 0, lines, 64);
	assert_true(n > 8);
	for (int i = 0; i < n; i++) {
		assert_null(strstr(lines[i], "s3cr3t"));
		assert_null(strstr(lines[i], "Bearer"));
		if (strstr(lines[i], "Authorization") &&
		    strstr(lines[i], "values hidden"))
			names = true;
		if (strstr(lines[i], "20.9") && strstr(lines[i], "0.4"))
			probe = true;
	}
	assert_true(names);
	assert_true(probe);
	engine_free(e);
	profile_free(p);
}

/* Five arguments of 4,000 bytes each: nothing is capped, so every
 * argument is there in full and the prompt is still the last line. */
static void
test_failover_dialog_huge_arguments(void **state)
{
	char *json, *arg = xmalloc(4001);
	ErrList errs;
	Profile *p;
	UiState u;
	FailFlow ff;
	char(*lines)[256];
	int n, count, found[5] = {0};

	(void)state;
	for (int i = 0; i < 4000; i++)
		arg[i] = (char)('a' + i % 26);
	arg[4000] = '\0';
	json =
	    xasprintf("{\"service\":\"svc\",\"endpoints\":["
	              "{\"name\":\"eu20\",\"target\":\"http://127.0.0.1:9/\"},"
	              "{\"name\":\"us21\",\"target\":\"http://127.0.0.1:9/\"}"
	              "],\"actions\":{\"failover\":{\"argv\":[\"/bin/true\","
	              "\"1%s\",\"2%s\",\"3%s\",\"4%s\",\"5%s\"]}}}",
	        arg, arg, arg, arg, arg);
	errlist_init(&errs);
	p = profile_parse(json, strlen(json), "t.json", "/tmp", &errs);
	errlist_print(&errs, stderr);
	errlist_fini(&errs);
	assert_non_null(p);
	memset(&u, 0, sizeof(u));
	u.profile = p;
	u.g = glyphs_select(false);
	failflow_init(&ff);
	failflow_open(&ff, 'f', "eu20", "us21", &p->failover, p->service);
	u.ff = &ff;
	count = view_failover_lines(&u, 76, NULL, 0);
	assert_true(count > 5 * 4000 / 76);
	lines = xcalloc((size_t)count, 256);
	n = view_failover_lines(&u, 76, lines, count);
	assert_int_equal(n, count);
	assert_non_null(strstr(lines[n - 1], "Type us21"));
	for (int i = 0; i < n; i++)
		for (int a = 0; a < 5; a++) {
			char head[32];

			snprintf(
			    head, sizeof(head), "argv[%d] %d", a + 1, a + 1);
			if (strstr(lines[i], head))
				found[a]++;
		}
	for (int a = 0; a < 5; a++)
		assert_int_equal(found[a], 1);
	/* the last argument's last letters are on a line before the prompt */
	{
		const char *tail = arg + 4000 - 10;
		bool seen = false;

		for (int i = 0; i < n - 1; i++)
			seen = seen || strstr(lines[i], tail) != NULL;
		assert_true(seen);
	}
	free(lines);
	failflow_fini(&ff);
	profile_free(p);
	free(json);
	free(arg);
}

/* The details pane names each probe's TLS reason and the certificate's
 * days left, or how long ago it expired. */
static void
test_details_tls_and_certificate(void **state)
{
	EventSink sink = {discard, NULL};
	static const struct {
		TlsReason tls;
		const char *word;
	} probes[] = {
	    {TLSR_EXPIRED, "tls expired "},
	    {TLSR_NOT_YET_VALID, "tls not yet "},
	    {TLSR_UNTRUSTED, "tls untrusted "},
	    {TLSR_HOSTNAME, "tls hostname "},
	    {TLSR_HANDSHAKE, "tls handshake "},
	    {TLSR_NONE, "  tls           "}, /* no reason: the word */
	};
	static const struct {
		int days;
		const char *text;
	} certs[] = {
	    {10, "certificate 10 days left (WARNING)"},
	    {14, "certificate 14 days left"},
	    {-5, "certificate EXPIRED 4 days ago"},
	};
	Profile *p = load();
	Engine *e = engine_new(p);
	UiState u;
	ProbeLog logs[2];
	char lines[64][160];
	Event ev;
	int n;

	(void)state;
	memset(&u, 0, sizeof(u));
	memset(logs, 0, sizeof(logs));
	for (size_t k = 0; k < ARRAY_LEN(probes); k++) {
		event_init(&ev, EV_PROBE, 1.0 + (double)k);
		strcpy(ev.u.probe.endpoint, "eu20");
		ev.u.probe.error = PERR_TLS;
		ev.u.probe.tls = probes[k].tls;
		engine_feed(e, &ev, &sink);
		logs[0].p[k] = ev.u.probe;
		logs[0].t[k] = ev.t;
		logs[0].len++;
	}
	u.profile = p;
	u.g = glyphs_select(false);
	u.probes = logs;
	/* http, no certificate seen: details name none ("unknown" read as
	 * a fault) */
	u.snap = engine_snapshot(e);
	n = view_details_lines(&u, 0, lines, 64);
	for (int i = 0; i < n; i++)
		assert_null(strstr(lines[i], ", certificate"));
	for (size_t c = 0; c < ARRAY_LEN(certs); c++) {
		bool seen = false;

		event_init(&ev, EV_CERT, 10.0 + (double)c);
		strcpy(ev.u.cert.endpoint, "eu20");
		ev.u.cert.days_left = certs[c].days;
		engine_feed(e, &ev, &sink);
		u.snap = engine_snapshot(e);
		n = view_details_lines(&u, 0, lines, 64);
		for (int i = 0; i < n; i++)
			if (strstr(lines[i], certs[c].text) != NULL &&
			    (certs[c].days < 0 || certs[c].days >= 14 ||
			        strstr(lines[i], "WARNING") != NULL))
				seen = true;
		if (!seen)
			fail_msg("no \"%s\"", certs[c].text);
		if (certs[c].days >= 14)
			for (int i = 0; i < n; i++)
				assert_null(strstr(lines[i], "WARNING"));
	}
	for (size_t k = 0; k < ARRAY_LEN(probes); k++) {
		bool seen = false;

		for (int i = 0; i < n; i++)
			if (strstr(lines[i], probes[k].word) != NULL)
				seen = true;
		if (!seen)
			fail_msg("no probe row with \"%s\"", probes[k].word);
	}
	engine_free(e);
	profile_free(p);
}

static void
test_failover_dialog_shows_every_argument(void **state)
{
	static const char json[] =
	    "{\"service\":\"svc\",\"endpoints\":["
	    "{\"name\":\"eu20\",\"target\":\"http://127.0.0.1:9/\"},"
	    "{\"name\":\"us21\",\"target\":\"http://127.0.0.1:9/\"}],"
	    "\"actions\":{\"failover\":{\"argv\":[\"./tm-priority.sh\","
	    "\"--from={from}\",\"--to={to}\",\"--note=a very long argument "
	    "that cannot fit on one line of a narrow dialog, $(not a shell) "
	    "and it must be shown in full for {service}\"],\"timeout\":30}}}";
	ErrList errs;
	Profile *p;
	UiState u;
	FailFlow ff;
	char lines[64][256];
	char joined[2048] = "";
	int n;

	(void)state;
	errlist_init(&errs);
	p = profile_parse(json, strlen(json), "t.json", "/tmp", &errs);
	errlist_print(&errs, stderr);
	errlist_fini(&errs);
	assert_non_null(p);
	memset(&u, 0, sizeof(u));
	u.profile = p;
	u.g = glyphs_select(false);
	failflow_init(&ff);
	failflow_open(&ff, 'f', "eu20", "us21", &p->failover, p->service);
	u.ff = &ff;
	assert_int_equal(ff.nsteps, 1);
	n = view_failover_lines(&u, 40, lines, 64);
	assert_true(n > 6);
	for (int i = 0; i < n; i++) {
		assert_true(text_width(lines[i]) <= 40);
		/* continuation lines of argv[3] are indented; join them */
		if (strstr(lines[i], "argv[3] "))
			strcat(joined, strstr(lines[i], "argv[3] ") + 8);
		else if (joined[0] && strncmp(lines[i], "          ", 10) == 0)
			strcat(joined, lines[i] + 10);
	}
	assert_string_equal(lines[0], "Traffic: eu20 -> us21");
	int st = 0;
	while (st < n && strstr(lines[st], "step 1 (timeout 30s)") == NULL)
		st++;
	assert_true(st < n - 4);
	assert_string_equal(lines[st + 1], "  argv[0] /tmp/tm-priority.sh");
	assert_string_equal(lines[st + 2], "  argv[1] --from=eu20");
	assert_string_equal(lines[st + 3], "  argv[2] --to=us21");
	assert_string_equal(joined,
	    "--note=a very long argument that cannot fit on one line of a "
	    "narrow dialog, $(not a shell) and it must be shown in full for "
	    "svc");
	assert_non_null(strstr(lines[n - 1], "Type us21"));
	strcpy(ff.text, "us2");
	assert_false(failflow_matches(&ff));
	strcpy(ff.text, "us21");
	assert_true(failflow_matches(&ff));

	/* with a snapshot: states, latency, TTL and every warning */
	EndpointSnap eps[2];
	Snapshot snap;
	memset(eps, 0, sizeof(eps));
	memset(&snap, 0, sizeof(snap));
	eps[0].state = HEALTH_ONLINE;
	eps[0].last_probe.ms.total = 42;
	eps[1].state = HEALTH_DEGRADED;
	eps[1].last_probe.ms.total = -1;
	snap.nendpoints = 2;
	snap.endpoints = eps;
	snap.routed = true;
	strcpy(snap.route_to, "us21");
	snap.fail_open = true;
	u.snap = &snap;
	u.act.state = ACTIONS_RUNNING;
	strcpy(u.act.name, "failover");
	n = view_failover_lines(&u, 78, lines, 64);
	memset(joined, 0, sizeof(joined));
	for (int i = 0; i < n; i++) {
		strcat(joined, lines[i]);
		strcat(joined, "|");
	}
	assert_non_null(strstr(joined,
	    "Traffic: eu20 ONLINE 42 ms -> us21 DEGRADED, no latency yet"));
	assert_non_null(strstr(joined, "TTL 60s: clients follow within ~60s"));
	assert_non_null(strstr(joined, "WARNING: us21 is DEGRADED"));
	/* without DNS observation the route is only expected */
	assert_non_null(
	    strstr(joined, "DNS not observed; expected route us21."));
	assert_non_null(strstr(joined,
	    "WARNING: us21 is the expected route already (DNS not observed)"));
	assert_null(strstr(joined, "current route"));
	assert_non_null(strstr(joined, "WARNING: failover is running"));
	assert_non_null(strstr(joined, "WARNING: all regions degraded"));
	assert_null(strstr(joined, "no failover action configured"));
	/* DNS observed answering eu20 while us21 is expected: nothing is
	 * "already" there */
	snap.traffic.observed = true;
	strcpy(snap.traffic.endpoint, "eu20");
	snap.traffic.count = snap.traffic.total = 3;
	n = view_failover_lines(&u, 78, lines, 64);
	memset(joined, 0, sizeof(joined));
	for (int i = 0; i < n; i++) {
		strcat(joined, lines[i]);
		strcat(joined, "|");
	}
	assert_non_null(strstr(
	    joined, "DNS answers eu20 (3/3 resolvers); expected route us21."));
	assert_null(strstr(joined, "route already"));
	/* DNS observably answers the target: the warning */
	strcpy(snap.traffic.endpoint, "us21");
	snap.traffic.count = 2;
	n = view_failover_lines(&u, 78, lines, 64);
	memset(joined, 0, sizeof(joined));
	for (int i = 0; i < n; i++) {
		strcat(joined, lines[i]);
		strcat(joined, "|");
	}
	assert_non_null(strstr(joined,
	    "WARNING: us21 is the current route already (DNS answers it, "
	    "2/3)."));
	/* not ONLINE: the name moves to a second confirmation */
	assert_false(view_failover_target_online(&u));
	FailEnv env = {.has_runner = true,
	    .runner = ACTIONS_IDLE,
	    .target_online = view_failover_target_online(&u)};
	assert_int_equal(
	    failflow_key(&ff, KA_CONFIRM, '\n', &env), FF_ASK_AGAIN);
	assert_int_equal(ff.state, FF_SECOND_CONFIRM);
	assert_false(failflow_matches(&ff));
	strcpy(ff.text, "us21");
	assert_false(failflow_matches(&ff));
	strcpy(ff.text, "yes");
	assert_true(failflow_matches(&ff));
	n = view_failover_lines(&u, 78, lines, 64);
	assert_non_null(strstr(lines[n - 1], "us21 is DEGRADED: type yes"));
	assert_int_equal(failflow_key(&ff, KA_CONFIRM, '\n', &env), FF_START);
	failflow_fini(&ff);
	profile_free(p);
}

static void
test_small_formats(void **state)
{
	char buf[64];
	ProbeEvent p;

	(void)state;
	view_ms(-1, buf, sizeof(buf));
	assert_string_equal(buf, "");
	view_ms(0.4, buf, sizeof(buf));
	assert_string_equal(buf, "<1");
	view_ms(12.4, buf, sizeof(buf));
	assert_string_equal(buf, "12");
	memset(&p, 0, sizeof(p));
	p.ok = true;
	p.status = 200;
	view_probe_result(&p, buf, sizeof(buf));
	assert_string_equal(buf, "200");
	p.ok = false;
	p.status = 500;
	p.error = PERR_STATUS;
	view_probe_result(&p, buf, sizeof(buf));
	assert_string_equal(buf, "500 status");
	p.status = 0;
	p.error = PERR_REFUSED;
	view_probe_result(&p, buf, sizeof(buf));
	assert_string_equal(buf, "refused");
	p.ok = true;
	p.error = PERR_NONE;
	view_probe_result(&p, buf, sizeof(buf)); /* tcp: no status */
	assert_string_equal(buf, "ok");
	assert_string_equal(view_state_word(HEALTH_DEGRADED), "DEGRADED");
	assert_int_equal(view_state_role(HEALTH_ONLINE), ROLE_ONLINE);
}

static void
test_action_panel_lines(void **state)
{
	UiState u;
	char lines[16][256];
	int n;

	(void)state;
	memset(&u, 0, sizeof(u));
	u.g = glyphs_select(false);
	n = view_action_lines(&u, 60, lines, 16);
	assert_int_equal(n, 1);
	assert_string_equal(lines[0], "no action has run");

	ActionStatus *st = &u.act;
	st->has_run = true;
	strcpy(st->name, "failover");
	strcpy(st->from, "eu20");
	strcpy(st->to, "us21");
	st->runbook = true;
	st->nsteps = 3;
	st->state = ACTIONS_RUNNING;
	st->step = 1;
	strcpy(st->step_name, "switch dns");
	st->elapsed = 4.2;
	st->step_elapsed = 1.4;
	st->nlines = 2;
	strcpy(st->lines[0], "one");
	strcpy(st->lines[1], "two");
	n = view_action_lines(&u, 60, lines, 16);
	assert_int_equal(n, 4);
	assert_string_equal(lines[0], "failover eu20 -> us21 running 4s");
	assert_string_equal(lines[1], "step 2/3 switch dns, 1s");
	assert_string_equal(lines[3], "  two");

	st->state = ACTIONS_FAILED;
	st->failed_step = 1;
	st->step_result.exit_code = 3;
	n = view_action_lines(&u, 60, lines, 16);
	assert_string_equal(lines[0], "failover eu20 -> us21: step 2/3 FAILED");
	assert_string_equal(lines[1], "\"switch dns\": exit 3");
	assert_non_null(strstr(lines[2], "R retries"));
	assert_string_equal(lines[n - 1], "  two");
	/* only the last lines that fit */
	n = view_action_lines(&u, 60, lines, 4);
	assert_int_equal(n, 4);
	assert_string_equal(lines[3], "  two");

	st->state = ACTIONS_IDLE;
	st->has_result = true;
	st->result.exit_code = -1;
	st->result.signal = 9;
	strcpy(st->result.error, "timeout after 10s");
	n = view_action_lines(&u, 60, lines, 16);
	assert_string_equal(
	    lines[0], "failover eu20 -> us21 FAILED: signal 9, 4.2s");
	assert_string_equal(lines[1], "timeout after 10s");
}

static void
test_help_lines(void **state)
{
	char lines[96][128];
	bool heading[96];
	int n, demo_n, headings = 0;

	(void)state;
	n = view_help_lines(
	    glyphs_select(false), KCTX_MAIN, lines, heading, 96);
	demo_n = view_help_lines(
	    glyphs_select(false), KCTX_DEMO, lines, heading, 96);
	assert_true(demo_n > n);
	for (int i = 0; i < demo_n; i++)
		headings += heading[i];
	/* Console, Demo, Drills, Dialogs, Confirmation, Action panel,
	 * Marks */
	assert_int_equal(headings, 7);
	assert_true(heading[0]);
	assert_string_equal(lines[0], "Console");
	/* the marks, in the glyphs in use */
	assert_string_equal(lines[demo_n - 4],
	    "*  the endpoint DNS answers (observed traffic)");
	assert_string_equal(lines[demo_n - 3],
	    "@  the expected route, where DNS does not answer (yet)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_map_canvas),
	    cmocka_unit_test(test_event_lines),
	    cmocka_unit_test(test_ttl_text),
	    cmocka_unit_test(test_timeline_codes),
	    cmocka_unit_test(test_timeline_state),
	    cmocka_unit_test(test_details_never_show_header_values),
	    cmocka_unit_test(test_details_tls_and_certificate),
	    cmocka_unit_test(test_failover_dialog_shows_every_argument),
	    cmocka_unit_test(test_failover_dialog_huge_arguments),
	    cmocka_unit_test(test_small_formats),
	    cmocka_unit_test(test_action_panel_lines),
	    cmocka_unit_test(test_help_lines),
	};
	setlocale(LC_CTYPE, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
