/* The console's words for expected against observed traffic, without a
 * terminal: the title line and the rule that shortens it, the diverged
 * banner, the markers' target, and the DNS panel's lines in each phase
 * of a change (waiting for the manager: no countdown; moving: a
 * countdown per resolver; drained only when nothing is left). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#include "engine/engine.h"
#include "glyphs.h"
#include "model/profile.h"
#include "text.h"
#include "truth.h"
#include "view.h"
#include "view_details.h"
#include "view_ttl.h"

static const char profile_json[] =
    "{\"service\":\"svc\",\"dns\":{\"name\":\"svc.example.test\",\"ttl\":30,"
    "\"resolvers\":[{\"addr\":\"10.0.0.1\",\"name\":\"tm-ns\","
    "\"authoritative\":true},{\"addr\":\"10.0.0.2\",\"name\":\"isp-a\"},"
    "{\"addr\":\"10.0.0.3\",\"name\":\"isp-b\"}]},"
    "\"routing\":{\"manager\":\"%s\"},"
    "\"endpoints\":[{\"name\":\"eu20\",\"target\":\"http://127.0.0.1:9/\"},"
    "{\"name\":\"us21\",\"target\":\"http://127.0.0.1:9/\"}]}";

typedef struct {
	Profile *p;
	EndpointSnap eps[2];
	Snapshot s;
	UiState u;
} Fx;

static Profile *
load(const char *manager)
{
	char json[1024];
	ErrList errs;
	Profile *p;

	snprintf(json, sizeof(json), profile_json, manager);
	errlist_init(&errs);
	p = profile_parse(json, strlen(json), "t.json", "/tmp", &errs);
	if (p == NULL)
		errlist_print(&errs, stderr);
	errlist_fini(&errs);
	assert_non_null(p);
	return p;
}

/* Three resolvers all answering `ans` with ttl; the expected route
 * `route`; DNS observed (tm-ns authoritative). */
static void
world(Fx *f, const char *ans, const char *route, bool utf8)
{
	static const char *names[3] = {"tm-ns", "isp-a", "isp-b"};
	Snapshot *s = &f->s;

	memset(s, 0, sizeof(*s));
	s->now = 100;
	s->nendpoints = 2;
	s->endpoints = f->eps;
	s->routed = route != NULL;
	if (route)
		strcpy(s->route_to, route);
	s->nresolvers = 3;
	for (int i = 0; i < 3; i++) {
		ResolverSnap *r = &s->resolvers[i];
		snprintf(r->resolver, sizeof(r->resolver), "10.0.0.%d", i + 1);
		strcpy(r->name, names[i]);
		r->authoritative = i == 0;
		r->has_answer = true;
		r->last_t = 99;
		strcpy(r->last.endpoint, ans);
		strcpy(r->last.rcode, "NOERROR");
		r->last.ttl = 30;
		r->ttl_expires = 99 + 30;
		r->on_expected = route && strcmp(ans, route) == 0;
		r->converged_after = -1;
		r->drain_at = -1;
		r->ref_t = 80;
		r->ref_ttl = 30;
	}
	TrafficSnap *tt = &s->traffic;
	tt->observed = true;
	strcpy(tt->endpoint, ans);
	tt->count = tt->total = 3;
	tt->authoritative = true;
	tt->since = 10;
	/* the engine: only while both are known */
	tt->differs_since =
	    route && ans[0] && strcmp(ans, route) != 0 ? 88 : -1;
	tt->changed_at = -1;
	tt->moved_at = -1;
	tt->drain_at = -1;
	tt->all_converged_after = -1;
	tt->ttl = 30;
	strcpy(tt->note,
	    "clients may cache beyond the TTL: JVMs, browsers; "
	    "the countdown cannot see them");
	memset(&f->u, 0, sizeof(f->u));
	f->u.profile = f->p;
	f->u.snap = s;
	f->u.g = glyphs_select(utf8);
}

static int
setup_auto(void **state)
{
	Fx *f = calloc(1, sizeof(*f));

	f->p = load("automatic");
	*state = f;
	return 0;
}

static int
setup_manual(void **state)
{
	Fx *f = calloc(1, sizeof(*f));

	f->p = load("manual");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	Fx *f = *state;

	profile_free(f->p);
	free(f);
	return 0;
}

static void
title(Fx *f, int width, char *buf, size_t cap)
{
	TruthLine l;

	truth_title(&f->s, f->p, f->u.g, width, &l);
	truth_line_text(&l, buf, cap);
	assert_int_equal(l.width, text_width(buf));
}

static void
test_title_agree(void **state)
{
	Fx *f = *state;
	char buf[256];

	world(f, "eu20", "eu20", false);
	title(f, 80, buf, sizeof(buf));
	assert_string_equal(buf, "DNS -> eu20 3/3 (authoritative)");
	/* "(authoritative)" is the first to go */
	title(f, 20, buf, sizeof(buf));
	assert_string_equal(buf, "DNS -> eu20 3/3");
	world(f, "eu20", "eu20", true);
	title(f, 41, buf, sizeof(buf));
	assert_string_equal(buf, "DNS \u2192 eu20 3/3 (authoritative)");
	/* majority, no authoritative answer */
	f->s.traffic.authoritative = false;
	f->s.traffic.count = 2;
	title(f, 80, buf, sizeof(buf));
	assert_string_equal(buf, "DNS \u2192 eu20 2/3");
}

static void
test_title_differs(void **state)
{
	Fx *f = *state;
	char buf[256];

	/* the expected route moved 12 s ago; DNS did not */
	world(f, "eu20", "us21", true);
	title(f, 40, buf, sizeof(buf));
	assert_string_equal(
	    buf, "DNS \u2192 eu20 3/3 \u00b7 expected us21 for 12 s");
	world(f, "eu20", "us21", false);
	title(f, 40, buf, sizeof(buf));
	assert_string_equal(buf, "DNS -> eu20 3/3 | expected us21 for 12 s");
	title(f, 80, buf, sizeof(buf));
	assert_string_equal(
	    buf, "DNS -> eu20 3/3 (authoritative) | expected us21 for 12 s");
	/* the duration goes before the endpoints */
	title(f, 35, buf, sizeof(buf));
	assert_string_equal(buf, "DNS -> eu20 3/3 | expected us21");
	/* never cut: the shortest form is returned wider than asked, the
	 * caller cuts the end */
	TruthLine l;
	truth_title(&f->s, f->p, f->u.g, 20, &l);
	truth_line_text(&l, buf, sizeof(buf));
	assert_string_equal(buf, "DNS -> eu20 3/3 | expected us21");
	assert_true(l.width > 20);
	/* minutes */
	f->s.now = 88 + 300;
	title(f, 80, buf, sizeof(buf));
	assert_non_null(strstr(buf, "expected us21 for 5 min"));
	/* FAIL-OPEN stays longer than the duration */
	f->s.fail_open = true;
	title(f, 44, buf, sizeof(buf));
	assert_string_equal(buf, "DNS -> eu20 3/3 | expected us21 | FAIL-OPEN");
	/* no endpoint maps: said so, and what is expected */
	world(f, "", "us21", false);
	f->s.traffic.count = 0;
	title(f, 80, buf, sizeof(buf));
	assert_string_equal(buf, "DNS -> no endpoint | expected us21");
	/* no answer yet, no route yet */
	world(f, "", NULL, false);
	for (int i = 0; i < 3; i++)
		f->s.resolvers[i].has_answer = false;
	title(f, 80, buf, sizeof(buf));
	assert_string_equal(
	    buf, "DNS -> no answer yet | no expected route yet");
}

static void
test_title_not_observed(void **state)
{
	Fx *f = *state;
	char buf[256];

	world(f, "", "us21", true);
	memset(&f->s.traffic, 0, sizeof(f->s.traffic));
	f->s.nresolvers = 0;
	title(f, 41, buf, sizeof(buf));
	assert_string_equal(buf, "expected \u2192 us21 (DNS not observed)");
	/* the markers: the expected route is all there is */
	assert_string_equal(truth_target(&f->s), "us21");
	assert_null(truth_expected_apart(&f->s));
	f->s.routed = false;
	title(f, 41, buf, sizeof(buf));
	assert_string_equal(buf, "no route yet (DNS not observed)");
	assert_null(truth_target(&f->s));
}

static void
test_title_manual(void **state)
{
	Fx *f = *state;
	char buf[256];

	world(f, "eu20", "eu20", false);
	title(f, 41, buf, sizeof(buf));
	assert_string_equal(buf, "DNS -> eu20 3/3 | manual manager");
	/* an operator's route the manager has not carried out yet */
	world(f, "eu20", "us21", false);
	title(f, 80, buf, sizeof(buf));
	assert_string_equal(buf,
	    "DNS -> eu20 3/3 (authoritative) | expected "
	    "us21 for 12 s | manual manager");
	title(f, 70, buf, sizeof(buf));
	assert_string_equal(
	    buf, "DNS -> eu20 3/3 | expected us21 for 12 s | manual manager");
	title(f, 50, buf, sizeof(buf));
	assert_string_equal(
	    buf, "DNS -> eu20 3/3 | expected us21 for 12 s | manual");
	/* 80 columns: the map's title has 40; the label stays, the
	 * duration goes (the DNS panel counts it) */
	title(f, 40, buf, sizeof(buf));
	assert_string_equal(buf, "DNS -> eu20 3/3 | expected us21 | manual");
	title(f, 35, buf, sizeof(buf));
	assert_string_equal(buf, "DNS -> eu20 3/3 | expected us21");
	/* markers: DNS's endpoint is the target, the route apart */
	assert_string_equal(truth_target(&f->s), "eu20");
	assert_string_equal(truth_expected_apart(&f->s), "us21");
	assert_string_equal(truth_observed(&f->s), "eu20");
}

static void
test_diverged_banner(void **state)
{
	Fx *f = *state;
	char buf[512];

	world(f, "eu20", "us21", false);
	assert_false(truth_diverged(&f->s, buf, sizeof(buf)));
	assert_string_equal(buf, "");
	/* isp-b answered eu20 with TTL 30 at the reference t 50: its cache
	 * ran out at 80, now is 125 */
	f->s.now = 125;
	f->s.resolvers[2].diverged = true;
	f->s.resolvers[2].ref_t = 50;
	assert_true(truth_diverged(&f->s, buf, sizeof(buf)));
	assert_string_equal(
	    buf, "isp-b still answers eu20 (expected us21) 45 s after its TTL");
	/* an authoritative one has no cache: how long it has answered */
	f->s.resolvers[0].diverged = true;
	f->s.resolvers[0].ref_t = 113;
	assert_true(truth_diverged(&f->s, buf, sizeof(buf)));
	assert_string_equal(buf,
	    "tm-ns (authoritative) still answers eu20 "
	    "(expected us21) for 12 s; 1 more diverged");
}

/* The panel's lines as text, one per row. */
static int
panel(Fx *f, int width, int rows, char out[][256])
{
	TruthLine lines[VIEW_TTL_LINES_MAX];
	int n = view_ttl_lines(&f->u, width, rows, lines);

	assert_true(n <= rows);
	for (int i = 0; i < n; i++) {
		truth_line_text(&lines[i], out[i], 256);
		assert_true(text_width(out[i]) <= width);
	}
	return n;
}

static bool
any_has(char out[][256], int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strstr(out[i], s))
			return true;
	return false;
}

/* mm:ss anywhere: a countdown */
static bool
any_countdown(char out[][256], int n)
{
	for (int i = 0; i < n; i++)
		for (const char *p = out[i]; *p; p++)
			if (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' &&
			    p[1] <= '9' && p[2] == ':' && p[3] >= '0' &&
			    p[3] <= '9' && p[4] >= '0' && p[4] <= '9')
				return true;
	return false;
}

/* eu20 -> us21 at 88: the route changed, DNS did not move yet. */
static void
wait_for_manager(Fx *f)
{
	world(f, "eu20", "us21", false);
	TrafficSnap *tt = &f->s.traffic;
	tt->change = true;
	strcpy(tt->from, "eu20");
	strcpy(tt->to, "us21");
	tt->changed_at = 88;
	tt->active = true;
}

static void
test_panel_waits_for_the_manager(void **state)
{
	Fx *f = *state;
	char out[VIEW_TTL_LINES_MAX][256];
	int n;

	wait_for_manager(f);
	/* 80x24: 35 columns, 7 rows: two rows per resolver */
	n = panel(f, 35, 7, out);
	assert_int_equal(n, 7);
	assert_string_equal(out[0], "manager has not moved yet, 12 s");
	assert_string_equal(out[1], "*tm-ns -> eu20! ttl 29s NOERROR");
	assert_string_equal(out[2], "  waiting for the manager");
	assert_false(any_countdown(out, n));
	assert_false(any_has(out, n, "drain"));
	/* wider: the change named */
	n = panel(f, 60, 12, out);
	assert_string_equal(
	    out[0], "eu20 -> us21: manager has not moved yet, 12 s");
	assert_false(any_countdown(out, n));
	/* a public row takes two rows at 80x24: one row each */
	n = panel(f, 35, 5, out);
	assert_string_equal(out[0], "manager has not moved yet, 12 s");
	assert_string_equal(out[1], "*tm-ns eu20! 29s NOERROR waiting");
	assert_false(any_countdown(out, n));
}

static void
test_panel_counts_down_once_moved(void **state)
{
	Fx *f = *state;
	char out[VIEW_TTL_LINES_MAX][256];
	TrafficSnap *tt = &f->s.traffic;
	int n;

	wait_for_manager(f);
	/* tm-ns showed us21 at 95 (DNS moved): its clients' eu20 may live
	 * until 125; isp-a still hands out eu20 until 120; isp-b too, and
	 * keeps doing so past its TTL */
	tt->moved = true;
	tt->moved_at = 95;
	strcpy(tt->endpoint, "us21");
	tt->count = 1;
	ResolverSnap *r = f->s.resolvers;
	strcpy(r[0].last.endpoint, "us21");
	r[0].on_expected = r[0].converged = true;
	r[0].converged_after = 7;
	r[0].drain_at = 125;
	r[1].drain_at = 120;
	r[1].ttl_expires = 120;
	r[2].drain_at = 129;
	tt->drain_at = 129;
	n = panel(f, 35, 7, out);
	assert_string_equal(out[0], "eu20 -> us21 drain 00:29");
	assert_string_equal(out[1], "*tm-ns -> us21= ttl 29s NOERROR");
	assert_string_equal(out[2], "  converged +7.0s, drain 00:25");
	assert_string_equal(out[4], "  still answers eu20, drain 00:20");
	assert_false(any_has(out, n, "drained"));
	/* compact, with the bar's row: the state, the TTL left and the
	 * rcode whole */
	n = panel(f, 35, 5, out);
	assert_string_equal(out[1], "####..........................  15%");
	assert_string_equal(out[2], "*tm-ns us21= 29s NOERROR +7s 00:25");
	/* isp-b diverged: the count never says drained, the bar never
	 * fills */
	r[2].diverged = true;
	r[2].ref_t = 50;
	n = panel(f, 35, 12, out);
	assert_true(any_has(out, n, "DIVERGED"));
	assert_false(any_has(out, n, "drained"));
	assert_false(any_has(out, n, "100%"));
	/* every drain ran out, isp-a not converged: no countdown at 00:00,
	 * no "drained" */
	f->s.now = 130;
	r[2].diverged = false;
	n = panel(f, 35, 12, out);
	assert_string_equal(out[0], "eu20 -> us21: 1/3 converged");
	assert_false(any_has(out, n, "drained"));
	/* done: only when the engine says nothing is active */
	for (int i = 1; i < 3; i++) {
		strcpy(r[i].last.endpoint, "us21");
		r[i].on_expected = r[i].converged = true;
		r[i].converged_after = 30;
	}
	tt->all_converged = true;
	tt->all_converged_after = 30;
	tt->active = false;
	n = panel(f, 35, 12, out);
	assert_string_equal(out[0], "eu20 -> us21 drained");
	assert_true(any_has(out, n, "100%"));
	/* one row each: the shortest wording keeps the names whole */
	n = panel(f, 35, 5, out);
	assert_string_equal(out[2], "*tm-ns us21= 0s NOERROR conv +7s");
	assert_string_equal(out[3], " isp-a us21= 0s NOERROR conv +30s");
	/* the note when room allows, else its first words */
	n = panel(f, 35, 12, out);
	assert_string_equal(out[n - 1], "cannot see them");
	n = panel(f, 35, 9, out);
	assert_string_equal(out[n - 1], "clients may cache beyond the TTL~");
}

static void
test_panel_names_give_way(void **state)
{
	Fx *f = *state;
	char out[VIEW_TTL_LINES_MAX][256];
	int n;

	wait_for_manager(f);
	strcpy(f->s.resolvers[1].name, "a-very-long-resolver-name");
	strcpy(f->s.resolvers[1].last.rcode, "SERVFAIL");
	f->s.resolvers[2].diverged = true;
	n = panel(f, 35, 5, out);
	assert_int_equal(n, 5);
	/* the state, TTL left and rcode whole; the name cut */
	assert_non_null(strstr(out[2], "29s SERVFAIL waiting"));
	assert_non_null(strstr(out[2], "~"));
	assert_non_null(strstr(out[3], "29s NOERROR  DIVERGED"));
	/* fewer rows than resolvers: say how many are not shown */
	n = panel(f, 35, 3, out);
	assert_string_equal(out[2], "+2 more resolvers");
}

/* The client's-eye probe's row: the rows count it, its details say what
 * it is, through which resolver, and who served it. */
static void
test_public_row(void **state)
{
	static const char json[] =
	    "{\"service\":\"svc\",\"dns\":{\"name\":\"svc.example.test\","
	    "\"resolvers\":[{\"addr\":\"10.0.0.2\",\"name\":\"isp-a\"}]},"
	    "\"monitor\":{\"headers\":{\"X-Token\":\"s3cr3t-value\"}},"
	    "\"public\":{\"url\":\"https://svc.example.test/health\","
	    "\"interval\":5,\"resolver\":\"10.0.0.2\"},"
	    "\"endpoints\":[{\"name\":\"eu20\",\"target\":\"http://127.0.0.1:9/"
	    "\"},"
	    "{\"name\":\"us21\",\"target\":\"http://127.0.0.1:9/\"}]}";
	Fx *f = *state;
	ErrList errs;
	Profile *p;
	char lines[64][160], all[64 * 160] = "";
	int n;

	errlist_init(&errs);
	p = profile_parse(json, strlen(json), "t.json", "/tmp", &errs);
	errlist_print(&errs, stderr);
	errlist_fini(&errs);
	assert_non_null(p);
	world(f, "us21", "us21", false);
	f->u.profile = p;
	assert_int_equal(view_rows(&f->u), 3);
	assert_false(view_row_is_public(&f->u, 1));
	assert_true(view_row_is_public(&f->u, 2));
	/* before its first probe */
	n = view_details_lines(&f->u, 2, lines, 64);
	assert_true(n > 3);
	assert_string_equal(lines[0],
	    "public  the client's-eye probe (no health state of its own)");
	assert_string_equal(
	    lines[1], "resolves its name as a client does, via isp-a");
	assert_string_equal(lines[3], "no probe yet");
	/* served by us21, the expected route */
	EndpointSnap *pp = &f->s.public_probe;
	f->s.has_public = true;
	pp->has_probe = true;
	pp->last_probe_t = 99;
	pp->last_probe.ok = true;
	pp->last_probe.status = 200;
	strcpy(pp->last_probe.served_by, "us21");
	pp->probes = 4;
	pp->median_ms = -1;
	n = view_details_lines(&f->u, 2, lines, 64);
	for (int i = 0; i < n; i++) {
		strcat(all, lines[i]);
		strcat(all, "\n");
	}
	assert_non_null(strstr(all, "served by us21 (expected route us21)"));
	assert_non_null(strstr(all, "X-Token"));
	assert_null(strstr(all, "s3cr3t-value"));
	assert_null(strstr(all, "degraded within"));
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_title_agree, setup_auto, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_title_differs, setup_auto, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_title_not_observed, setup_auto, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_title_manual, setup_manual, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_diverged_banner, setup_auto, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_panel_waits_for_the_manager, setup_auto, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_panel_counts_down_once_moved, setup_auto, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_panel_names_give_way, setup_auto, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_public_row, setup_auto, teardown),
	};
	setlocale(LC_CTYPE, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
