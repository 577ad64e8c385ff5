/*
 * drill: the tracker fed synthetic streams emits each phase once, in
 * order, at the causing event's t; out-of-order situations; a fault on
 * an endpoint without traffic; a drill without a fault mark; the file
 * name helper; and a scripted drill through engine -> tracker ->
 * recorder whose recorded phases equal what `drtop report` derives
 * from the same log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/drill.h"
#include "engine/engine.h"
#include "helpers.h"
#include "journal/logfile.h"
#include "journal/logread.h"
#include "journal/recorder.h"
#include "journal/report.h"
#include "model/profile.h"

/* ---- a sink that keeps what the tracker emits --------------------------- */

#define OUT_MAX 64

static Event out[OUT_MAX];
static int nout;

static void
keep(void *ctx, const Event *ev)
{
	(void)ctx;
	assert_true(nout < OUT_MAX);
	out[nout++] = *ev;
}

static const EventSink keep_sink = {keep, NULL};

#define R1 "127.0.0.1:1053"
#define R2 "127.0.0.2:1053"

static Drill d;

static void
feed(const Event *ev)
{
	drill_feed(&d, ev, &keep_sink);
}

static void
probe(double t, const char *ep, bool ok)
{
	Event ev = th_probe(t, ep, ok, PERR_STATUS, -1);

	feed(&ev);
}

static void
health(double t, const char *ep, HealthState from, HealthState to)
{
	Event ev = th_health(t, ep, from, to, NULL);

	feed(&ev);
}

static void
route(double t, const char *from, const char *to)
{
	Event ev = th_route(t, from, to, CAUSE_AUTO);

	feed(&ev);
}

static void
converged(double t, const char *res, const char *ep)
{
	Event ev = th_converged(t, res, ep, -1);

	feed(&ev);
}

/* The emitted phases, in order, as "detected@7.5 failover@7.5 ...". */
static const char *
phases(void)
{
	static char buf[512];
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < nout; i++) {
		assert_int_equal(out[i].type, EV_DRILL);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s@%g",
		    n ? " " : "", drill_phase_name(out[i].u.drill.phase),
		    out[i].t);
	}
	return buf;
}

static Profile *
load(const char *json)
{
	ErrList errs;
	Profile *p;

	errlist_init(&errs);
	p = profile_parse(json, strlen(json), "t.json", "/tmp", &errs);
	if (p == NULL)
		fail_msg("%s", errs.count ? errs.msgs[0] : "?");
	errlist_fini(&errs);
	return p;
}

static const char prof_ab[] =
    "{\"service\":\"svc\",\"dns\":{\"name\":\"svc.test\","
    "\"resolvers\":[\"127.0.0.1:1053\",\"127.0.0.2:1053\"]},\"endpoints\":["
    "{\"name\":\"a\",\"target\":\"http://127.0.0.1:1/\"},"
    "{\"name\":\"b\",\"target\":\"http://127.0.0.1:2/\"}]}";

static void
init_ab(bool with_resolvers)
{
	Profile *p = load(with_resolvers ? prof_ab
	                                 : "{\"service\":\"s\",\"endpoints\":["
	                                   "{\"name\":\"a\",\"target\":"
	                                   "\"http://127.0.0.1:1/\"}]}");
	drill_init(&d, p);
	profile_free(p);
	nout = 0;
}

/* ---- every phase -------------------------------------------------------- */

static void
test_every_phase(void **state)
{
	Event ev;
	DrillSnap s;
	char status[256];

	(void)state;
	init_ab(true);
	assert_int_equal(d.nresolvers, 2);
	route(1, "", "a"); /* before the drill: tracked all the same */
	ev = drill_start(&d, 2, "game day");
	assert_int_equal(ev.type, EV_DRILL);
	assert_int_equal(ev.u.drill.phase, DRILL_START);
	assert_string_equal(ev.u.drill.note, "game day");
	assert_double_equal(ev.t, 2, 0);
	probe(3, "a", true);
	ev = drill_fault(&d, 4, "kill a");
	assert_int_equal(ev.u.drill.phase, DRILL_FAULT);
	assert_string_equal(ev.u.drill.note, "kill a");
	feed(&ev); /* drill events fed back change nothing */
	probe(5, "a", false);
	probe(5.5, "b", true);
	probe(6, "a", false);
	health(6, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	route(6, "a", "b");
	converged(6.5, R1, "a"); /* the wrong endpoint: not counted */
	probe(7, "b", true);
	converged(8, R2, "b");
	drill_snapshot(&d, 8.5, &s);
	assert_true(s.recording);
	assert_double_equal(s.elapsed, 6.5, 1e-9);
	assert_false(s.reached[DRILL_CONVERGED]);
	converged(9, R1, "b");
	converged(10, R1, "b"); /* again: nothing */
	probe(11, "b", true);
	health(12, "a", HEALTH_DEGRADED, HEALTH_ONLINE);
	ev = drill_marker(&d, 12.5, "called b");
	assert_int_equal(ev.type, EV_MARKER);
	assert_string_equal(ev.u.marker.note, "called b");
	ev = drill_end(&d, 13);
	assert_int_equal(ev.u.drill.phase, DRILL_END);

	/* Four different times: detected at 6 (the route change too, an
	 * expectation), DNS moved at 8 (R2 answers b), every resolver at 9,
	 * and b's first success after DNS moved at 11 (its success at 7,
	 * before DNS moved, does not count). */
	assert_string_equal(
	    phases(), "detected@6 failover@8 converged@9 restored@11");
	assert_string_equal(out[0].u.drill.note, "a degraded");
	assert_string_equal(out[1].u.drill.note, "DNS moved: " R2 " answers b");
	assert_string_equal(out[2].u.drill.note, "2 resolvers on b");
	assert_string_equal(
	    out[3].u.drill.note, "b answered and every resolver answers it");

	drill_snapshot(&d, 20, &s);
	assert_false(s.recording);
	assert_double_equal(s.elapsed, 11, 1e-9);
	assert_string_equal(s.fault_endpoint, "a");
	assert_string_equal(s.new_endpoint, "b");
	assert_true(s.have_fault);
	assert_double_equal(s.fault_t, 4, 0);
	for (int p = 0; p < DRILL__COUNT; p++)
		assert_true(s.reached[p]);
	assert_double_equal(s.at[DRILL_CONVERGED], 9, 0);
	drill_status(&s, status, sizeof(status));
	assert_string_equal(status,
	    "drill game day 00:11 ended  fault +0.0s  detected +2.0s  "
	    "failover +4.0s  converged +5.0s  restored +7.0s");
	drill_status(&s, status, 12); /* truncated, terminated */
	assert_string_equal(status, "drill game ");
}

/* ---- out of order ------------------------------------------------------- */

static void
test_out_of_order(void **state)
{
	(void)state;
	init_ab(true);
	route(0.5, "", "a");
	drill_start(&d, 1, "x");
	drill_fault(&d, 2, NULL);
	/* b answers before any failover: not restored. */
	probe(3, "b", true);
	converged(3.5, R1, "b"); /* no failover yet: not counted */
	/* An operator fails over before a is degraded. */
	route(4, "a", "b");
	/* A second route change (failback, then away again): failover is
	 * not emitted twice. */
	route(5, "b", "a");
	route(6, "a", "b");
	health(7, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	health(8, "a", HEALTH_DEGRADED, HEALTH_ONLINE);
	health(9, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	converged(9.5, R1, "b");
	converged(9.7, R2, "b");
	probe(10, "b", true);
	probe(11, "b", true);
	/* The operator's route came at 4, but clients moved only when DNS
	 * did, at 9.5: failover is that observation, after detection. */
	assert_string_equal(
	    phases(), "detected@7 failover@9.5 converged@9.7 restored@10");

	/* Without DNS observation the route change stands in for
	 * failover, and says so; nothing converges, so nothing restores. */
	init_ab(false);
	route(0.5, "", "a");
	drill_start(&d, 1, "y");
	drill_fault(&d, 2, NULL);
	probe(3, "b", true);
	route(3, "a", "b");
	probe(4, "b", true);
	assert_string_equal(phases(), "failover@3");
	assert_string_equal(
	    out[0].u.drill.note, "a -> b (auto): expected, not observed");

	/* Phases stop at the end of the drill. */
	init_ab(true);
	route(0.5, "", "a");
	drill_start(&d, 1, "z");
	drill_fault(&d, 2, NULL);
	health(3, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	drill_end(&d, 4);
	route(5, "a", "b");
	probe(6, "b", true);
	assert_string_equal(phases(), "detected@3");
}

/* ---- a fault on an endpoint without traffic ---------------------------- */

static void
test_fault_without_traffic(void **state)
{
	DrillSnap s;

	(void)state;
	init_ab(true);
	route(0.5, "", "a");
	drill_start(&d, 1, "b breaks");
	drill_fault(&d, 2, "b returns 500");
	probe(3, "b", false);
	probe(4, "b", false);
	health(4, "b", HEALTH_ONLINE, HEALTH_DEGRADED);
	probe(5, "a", true);
	assert_string_equal(phases(), "");
	drill_snapshot(&d, 6, &s);
	assert_string_equal(s.fault_endpoint, "a");
	assert_false(s.reached[DRILL_DETECTED]);

	/* A fault marked before any route: the first endpoint to fail
	 * after it is the one that had traffic. */
	init_ab(true);
	drill_start(&d, 0, "early");
	drill_fault(&d, 0.5, NULL);
	probe(1, "b", false);
	route(1.5, "", "a"); /* the first route: not a failover */
	health(2, "b", HEALTH_CHECKING, HEALTH_DEGRADED);
	assert_string_equal(phases(), "detected@2");
	assert_string_equal(d.fault_ep, "b");
}

/* ---- no fault mark ------------------------------------------------------ */

static void
test_without_fault(void **state)
{
	DrillSnap s;
	char status[256];

	(void)state;
	init_ab(false); /* no resolvers: never converged */
	probe(0.5, "a", false); /* before the start, before a route */
	route(1, "", "a");
	drill_start(&d, 2, "");
	assert_string_equal(d.name, "drill");
	probe(3, "b", false); /* not the routed endpoint */
	probe(4, "a", false); /* F */
	probe(5, "a", false);
	health(5, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	route(5, "a", "b");
	probe(6, "b", true);
	assert_string_equal(phases(), "detected@5 failover@5");
	drill_snapshot(&d, 7, &s);
	assert_true(s.have_fault);
	assert_false(s.reached[DRILL_FAULT]);
	assert_double_equal(s.fault_t, 4, 0);
	drill_status(&s, status, sizeof(status));
	assert_string_equal(
	    status, "DRILL REC drill 00:05  detected +1.0s  failover +1.0s");

	/* A mark after a phase was derived changes nothing. */
	drill_fault(&d, 8, NULL);
	assert_double_equal(d.fault_t, 4, 0);
	assert_true(d.reached[DRILL_FAULT]);

	/* A new drill forgets the last one's phases, keeps the route. */
	nout = 0;
	drill_start(&d, 10, "again");
	assert_false(d.reached[DRILL_DETECTED]);
	assert_string_equal(d.route_to, "b");
	probe(11, "b", false);
	health(11, "b", HEALTH_ONLINE, HEALTH_DEGRADED);
	assert_string_equal(phases(), "detected@11");
}

/* ---- restored from a client's eye --------------------------------------- */

static Event
public_probe(double t, bool ok, const char *served_by)
{
	Event ev = th_probe(t, EV_PUBLIC, ok, PERR_TIMEOUT, -1);

	ev.u.probe.via_public = true;
	str_copy(ev.u.probe.served_by, EV_NAME_MAX, served_by);
	return ev;
}

static void
test_restored_by_public_probe(void **state)
{
	Event ev;

	(void)state;
	init_ab(true);
	route(0.5, "", "a");
	ev = public_probe(1, true, "a");
	feed(&ev);
	drill_start(&d, 2, "public");
	drill_fault(&d, 3, NULL);
	health(5, "a", HEALTH_ONLINE, HEALTH_DEGRADED);
	route(5, "a", "b");
	ev = public_probe(6, false, "");
	feed(&ev);
	ev = public_probe(7, true, "a"); /* still the faulted one */
	feed(&ev);
	converged(8, R1, "b");
	converged(9, R2, "b");
	probe(9.5, "b", true); /* would restore without a public probe */
	health(10, "c", HEALTH_ONLINE, HEALTH_DEGRADED);
	ev = public_probe(11, true, "c"); /* served by a degraded one */
	feed(&ev);
	ev = public_probe(12, true, "b");
	feed(&ev);
	assert_string_equal(
	    phases(), "detected@5 failover@8 converged@9 restored@12");
	assert_string_equal(
	    out[3].u.drill.note, "a client's request was served by b");
}

/* ---- file names --------------------------------------------------------- */

static void
test_log_name(void **state)
{
	char buf[128];

	(void)state;
	/* 2026-11-21T08:00:00Z */
	assert_true(logfile_drill_name(
	    "cpi-prod", 1795248000.75, "game day #3", buf, sizeof(buf)));
	assert_string_equal(buf, "cpi-prod-20261121T080000Z-game_day__3.jsonl");
	assert_true(logfile_drill_name(
	    "../x/y", 0, "../../etc/passwd", buf, sizeof(buf)));
	assert_string_equal(
	    buf, "_._x_y-19700101T000000Z-_._.._etc_passwd.jsonl");
	assert_true(logfile_drill_name("", 0, NULL, buf, sizeof(buf)));
	assert_string_equal(buf, "drtop-19700101T000000Z-drill.jsonl");
	assert_true(
	    logfile_drill_name("s", 0, "caf\xc3\xa9", buf, sizeof(buf)));
	assert_string_equal(buf, "s-19700101T000000Z-caf__.jsonl");
	assert_false(logfile_drill_name("svc", 0, "n", buf, 10));
	assert_int_equal(strlen(buf), 9);
}

/* ---- engine -> tracker -> recorder, then the report --------------------- */

static char dir[64];
static Recorder *rec;
static Engine *eng;

/* Everything the engine emits is recorded and goes to the tracker,
 * whose phases are recorded right after their cause. */
static void
rec_phase(void *ctx, const Event *ev)
{
	(void)ctx;
	assert_int_equal(recorder_write(rec, ev), 0);
	keep(NULL, ev);
}

static const EventSink phase_sink = {rec_phase, NULL};

static void
from_engine(void *ctx, const Event *ev)
{
	(void)ctx;
	assert_int_equal(recorder_write(rec, ev), 0);
	drill_feed(&d, ev, &phase_sink);
}

static const EventSink engine_sink = {from_engine, NULL};

static void
input(const Event *ev)
{
	engine_feed(eng, ev, &engine_sink);
}

/* A report of the log at path; skip_derived drops the recorded
 * detected/failover/converged/restored so the report derives them. */
static Report *
report_of(const char *path, bool skip_derived)
{
	char err[256];
	SessionHeader h;
	LogRead *lr;
	Report *r;
	Event ev;
	int rc;

	lr = logread_open(path, &h, err, sizeof(err));
	if (lr == NULL)
		fail_msg("%s", err);
	r = report_new(&h, path);
	while ((rc = logread_next(lr, &ev, err, sizeof(err))) == 1) {
		if (skip_derived && ev.type == EV_DRILL &&
		    ev.u.drill.phase != DRILL_START &&
		    ev.u.drill.phase != DRILL_FAULT &&
		    ev.u.drill.phase != DRILL_END)
			continue;
		report_feed(r, &ev);
	}
	assert_int_equal(rc, 0);
	report_finish(r);
	logread_close(lr);
	session_header_fini(&h);
	return r;
}

/* One scripted session: eu20 fails at fault_at (or never when < 0);
 * resolvers follow the route after their lag. mark: record a fault. */
static void
scripted(const char *path, const Profile *p, double fault_at, bool mark)
{
	static const double lag[] = {2.2, 4.9};
	char err[256], *pj, *hdr;
	double route_change = NAN;
	Event ev;

	pj = profile_to_json(p, true);
	hdr = event_session_line("2026-11-21T08:00:00.000Z", "live", pj);
	rec = recorder_open(path, hdr, NULL, err, sizeof(err));
	free(hdr);
	free(pj);
	assert_non_null(rec);
	eng = engine_new(p);
	drill_init(&d, p);
	nout = 0;
	for (int step = 1; step <= 500; step++) {
		double t = step * 0.1;
		const Snapshot *snap;

		engine_tick(eng, t, &engine_sink);
		if (step == 50) {
			ev = drill_start(&d, t, "scripted");
			input(&ev);
		}
		if (mark && step == 150) {
			ev = drill_fault(&d, t, "eu20 returns 500");
			input(&ev);
		}
		if (step % 10 == 3 || step % 10 == 7) {
			const char *ep = step % 10 == 3 ? "eu20" : "us21";
			bool ok = !(fault_at >= 0 && t > fault_at &&
			    strcmp(ep, "eu20") == 0);
			event_init(&ev, EV_PROBE, t);
			strcpy(ev.u.probe.endpoint, ep);
			ev.u.probe.ok = ok;
			ev.u.probe.status = ok ? 200 : 500;
			ev.u.probe.error = ok ? PERR_NONE : PERR_STATUS;
			ev.u.probe.ms.total = 10 + step % 13;
			input(&ev);
		}
		snap = engine_snapshot(eng);
		if (isnan(route_change) && snap->routed &&
		    strcmp(snap->route_to, "us21") == 0)
			route_change = t;
		if (step % 10 == 5)
			for (int k = 0; k < p->dns.nresolvers; k++) {
				bool moved = !isnan(route_change) &&
				    t >= route_change + lag[k];
				event_init(&ev, EV_DNS, t);
				strcpy(ev.u.dns.resolver,
				    p->dns.resolvers[k].addr);
				strcpy(ev.u.dns.name, "demo.test");
				strcpy(ev.u.dns.rcode, "NOERROR");
				strcpy(
				    ev.u.dns.endpoint, moved ? "us21" : "eu20");
				ev.u.dns.ttl = 5;
				input(&ev);
			}
	}
	ev = drill_end(&d, 50.05);
	input(&ev);
	engine_free(eng);
	assert_int_equal(recorder_close(rec, err, sizeof(err)), 0);
}

static void
test_agrees_with_report(void **state)
{
	static const char prof[] =
	    "{\"service\":\"demo\",\"dns\":{\"name\":\"demo.test\","
	    "\"ttl\":5,\"resolvers\":[\"127.0.0.1:5353\",\"127.0.0.2:53\"]},"
	    "\"monitor\":{\"interval\":1,\"timeout\":0.5,"
	    "\"tolerated_failures\":2},\"endpoints\":["
	    "{\"name\":\"eu20\",\"target\":\"http://127.0.0.1:1/\"},"
	    "{\"name\":\"us21\",\"target\":\"http://127.0.0.1:2/\"}],"
	    "\"drill\":{\"rto_target\":10}}";
	static const DrillPhase derived[] = {
	    DRILL_DETECTED, DRILL_FAILOVER, DRILL_CONVERGED, DRILL_RESTORED};
	Profile *p = load(prof);
	char path[128];

	(void)state;
	/* k = 0: a marked fault; k = 1: no mark (F = the first failure). */
	for (int k = 0; k < 2; k++) {
		Report *rec_r, *der_r;

		snprintf(path, sizeof(path), "%s/agree%d.jsonl", dir, k);
		scripted(path, p, 15.5, k == 0);
		assert_int_equal(nout, 4);
		rec_r = report_of(path, false);
		der_r = report_of(path, true);
		for (size_t i = 0; i < sizeof(derived) / sizeof(*derived);
		     i++) {
			DrillPhase ph = derived[i];
			assert_true(d.reached[ph]);
			assert_true(rec_r->recorded[ph]);
			assert_false(der_r->recorded[ph]);
			assert_double_equal(rec_r->phase[ph], d.at[ph], 0);
			assert_double_equal(der_r->phase[ph], d.at[ph], 0);
		}
		assert_double_equal(der_r->phase[DRILL_FAULT], d.fault_t, 0);
		assert_string_equal(der_r->fault_endpoint, d.fault_ep);
		assert_string_equal(der_r->new_endpoint, d.new_ep);
		assert_double_equal(rec_r->detect_s, der_r->detect_s, 0);
		assert_double_equal(rec_r->failover_s, der_r->failover_s, 0);
		assert_double_equal(
		    rec_r->converged_all_s, der_r->converged_all_s, 0);
		assert_double_equal(rec_r->restored_s, der_r->restored_s, 0);
		/* Hand-checked: eu20 fails from its probe at 16.3;
		 * three failures (tolerated 2) at 1 s intervals. */
		assert_double_equal(d.at[DRILL_DETECTED], 18.3, 1e-9);
		assert_double_equal(d.fault_t, k == 0 ? 15.0 : 16.3, 1e-9);
		report_free(rec_r);
		report_free(der_r);
	}

	/* No fault at all: no derived phase, and the report agrees. */
	snprintf(path, sizeof(path), "%s/quiet.jsonl", dir);
	scripted(path, p, -1, false);
	assert_int_equal(nout, 0);
	{
		Report *r = report_of(path, true);
		for (int ph = DRILL_DETECTED; ph <= DRILL_RESTORED; ph++)
			assert_true(isnan(r->phase[ph]));
		report_free(r);
	}
	profile_free(p);
}

static int
setup(void **state)
{
	(void)state;
	th_tmpdir_make(dir, sizeof(dir), "drill");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return th_tmpdir_remove(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_phase),
	    cmocka_unit_test(test_out_of_order),
	    cmocka_unit_test(test_fault_without_traffic),
	    cmocka_unit_test(test_without_fault),
	    cmocka_unit_test(test_restored_by_public_probe),
	    cmocka_unit_test(test_log_name),
	    cmocka_unit_test(test_agrees_with_report),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
