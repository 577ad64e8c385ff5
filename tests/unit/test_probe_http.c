/*
 * probe: what one probe reports against a recording HTTP server thread
 * on loopback (tests/unit/probe_fx.c): headers sent, Host and
 * connect_to, identify, body match, status ranges, tcp, and connections
 * fresh or reused (its connect timing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "probe/probe.h"
#include "probe_fx.h"
#include "sim/sim.h"

static const char resp_301[] = "HTTP/1.1 301 Moved Permanently\r\n"
                               "Location: http://127.0.0.1:1/elsewhere\r\n"
                               "Content-Length: 0\r\n"
                               "Connection: close\r\n\r\n";

/* Headers are sent, identify by header, Host is the URL's host. */
static void
test_headers_and_identify(void **state)
{
	RecServer s;
	Run r;
	Event ev;
	char req[4096];

	(void)state;
	pb_rec_start(&s, pb_resp_ok);
	char *url = pb_url_for(s.port, "/http/health?x=1");
	EpSpec e = {.name = "eu20",
	    .url = url,
	    .proto = PROTO_HTTP,
	    .body_contains = "UP",
	    .identify = IDENTIFY_HEADER,
	    .identify_header = "x-REGION",
	    .hname = {"Authorization", "X-Empty"},
	    .hvalue = {"Bearer s3cret-token", ""},
	    .nheaders = 2};
	pb_run_start(&r, &e, 1);
	assert_true(pb_next_event(r.q, EV_PROBE, "eu20", 10, &ev));
	assert_true(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.status, 200);
	assert_int_equal(ev.u.probe.error, PERR_NONE);
	assert_string_equal(ev.u.probe.served_by, "eu20");
	assert_true(ev.u.probe.ms.total > 0);
	assert_true(ev.u.probe.ms.connect >= 0 && ev.u.probe.ms.ttfb >= 0);
	assert_true(ev.u.probe.ms.tls < 0); /* http: null */
	pb_run_stop(&r);
	pthread_mutex_lock(&s.lock);
	str_copy(req, sizeof(req), s.last_request);
	pthread_mutex_unlock(&s.lock);
	assert_non_null(strstr(req, "GET /http/health?x=1 HTTP/1.1\r\n"));
	assert_non_null(
	    strstr(req, "\r\nAuthorization: Bearer s3cret-token\r\n"));
	assert_non_null(strstr(req, "\r\nX-Empty:"));
	char *host = xasprintf("\r\nHost: 127.0.0.1:%d\r\n", s.port);
	assert_non_null(strstr(req, host));
	free(host);
	pb_rec_stop(&s);
	free(url);
}

/* connect_to: the URL's name as Host, the connection to loopback; the
 * name itself is never resolved (.invalid cannot be). */
static void
test_connect_to(void **state)
{
	RecServer s;
	Run r;
	Event ev;

	(void)state;
	pb_rec_start(&s, pb_resp_ok);
	char *url = xasprintf("http://cpi.example.invalid:%d/health", s.port);
	char *to = xasprintf("127.0.0.1:%d", s.port);
	EpSpec e = {.name = "us21",
	    .url = url,
	    .connect_to = to,
	    .proto = PROTO_HTTP,
	    .identify = IDENTIFY_BODY};
	pb_run_start(&r, &e, 1);
	assert_true(pb_next_event(r.q, EV_PROBE, "us21", 10, &ev));
	assert_true(ev.u.probe.ok);
	/* identify from the body's first line */
	assert_string_equal(ev.u.probe.served_by, "ap10");
	pb_run_stop(&r);
	char *host = xasprintf("\r\nHost: cpi.example.invalid:%d\r\n", s.port);
	pthread_mutex_lock(&s.lock);
	assert_non_null(strstr(s.last_request, host));
	pthread_mutex_unlock(&s.lock);
	free(host);
	pb_rec_stop(&s);
	free(url);
	free(to);
}

/* Body and status verdicts; a 301 is not followed. */
static void
test_body_and_status(void **state)
{
	RecServer ok, moved;
	Run r;
	Event ev;

	(void)state;
	pb_rec_start(&ok, pb_resp_ok);
	pb_rec_start(&moved, resp_301);
	char *u1 = pb_url_for(ok.port, "/h"),
	     *u2 = pb_url_for(moved.port, "/h");
	EpSpec e[] = {
	    {.name = "nobody",
	        .url = u1,
	        .interval = 8,
	        .body_contains = "DOWN"},
	    {.name = "moved", .url = u2, .interval = 8},
	    {.name = "moved-ok",
	        .url = u2,
	        .interval = 8,
	        .expect = {{200, 299}, {301, 301}},
	        .nexpect = 2},
	    {.name = "wrong",
	        .url = u1,
	        .interval = 8,
	        .expect = {{204, 204}},
	        .nexpect = 1},
	};
	pb_run_start(&r, e, 4);
	assert_true(pb_next_event(r.q, EV_PROBE, "nobody", 60, &ev));
	assert_false(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.error, PERR_BODY);
	assert_int_equal(ev.u.probe.status, 200);
	assert_true(pb_next_event(r.q, EV_PROBE, "moved", 60, &ev));
	assert_false(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.error, PERR_STATUS);
	assert_int_equal(ev.u.probe.status, 301);
	assert_true(pb_next_event(r.q, EV_PROBE, "moved-ok", 60, &ev));
	assert_true(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.status, 301);
	assert_true(pb_next_event(r.q, EV_PROBE, "wrong", 60, &ev));
	assert_int_equal(ev.u.probe.error, PERR_STATUS);
	pb_run_stop(&r);
	/* The redirect target (port 1) was never asked: one request per
	 * probe of the two 301 endpoints (8 s interval: one probe each). */
	assert_true(pb_rec_count(&moved, NULL) >= 2);
	pb_rec_stop(&ok);
	pb_rec_stop(&moved);
	free(u1);
	free(u2);
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* tcp: connecting is ok; a closed port is refused; no fd leaks. */
static void
test_tcp(void **state)
{
	RecServer a;
	Run r;
	Event ev;
	int closed_port;
	int fd = pb_listen_loopback(&closed_port);

	(void)state;
	close(fd); /* nothing listens there now */
	pb_rec_start(&a, pb_resp_ok);
	char *u1 = xasprintf("tcp://127.0.0.1:%d", a.port);
	char *u2 = xasprintf("tcp://127.0.0.1:%d", closed_port);
	EpSpec e[] = {
	    {.name = "open", .url = u1, .proto = PROTO_TCP, .interval = 0.05},
	    {.name = "shut", .url = u2, .proto = PROTO_TCP, .interval = 0.05},
	};
	pb_run_start(&r, e, 2);
	assert_true(pb_next_event(r.q, EV_PROBE, "shut", 10, &ev));
	assert_false(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.error, PERR_REFUSED);
	assert_int_equal(ev.u.probe.status, 0);
	assert_true(pb_next_event(r.q, EV_PROBE, "open", 10, &ev));
	assert_true(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.status, 0);
	int fds = count_fds();
	for (int i = 0; i < 30; i++)
		assert_true(pb_next_event(r.q, EV_PROBE, "open", 10, &ev));
	assert_true(ev.u.probe.ok);
	/* 30 more probes, no more descriptors (some slack for curl). */
	assert_true(count_fds() <= fds + 3);
	pb_run_stop(&r);
	pb_rec_stop(&a);
	free(u1);
	free(u2);
}

/* reuse_connections: after the first probe the connection is reused
 * (curl reports no connect phase: connect is null); fresh connections
 * always connect. */
static void
test_reuse_connections(void **state)
{
	SimRegionSpec rs = {.name = "eu20", .port = 0};
	SimConfig cfg = {.regions = &rs, .nregions = 1, .control_port = -1};
	char err[256];
	Run r;
	Event ev;

	(void)state;
	Sim *sim = sim_start(&cfg, err, sizeof(err));
	if (sim == NULL)
		fail_msg("sim_start: %s", err);
	EpSpec e[] = {
	    {.name = "reuse",
	        .url = sim_region_url(sim, 0),
	        .interval = 0.2,
	        .reuse = true},
	    {.name = "fresh", .url = sim_region_url(sim, 0), .interval = 0.2},
	};
	pb_run_start(&r, e, 2);
	int reused = 0;
	for (int i = 0; i < 4; i++) {
		assert_true(pb_next_event(r.q, EV_PROBE, "reuse", 20, &ev));
		assert_true(ev.u.probe.ok);
		reused += ev.u.probe.ms.connect < 0;
	}
	assert_true(reused >= 2);
	for (int i = 0; i < 4; i++) {
		assert_true(pb_next_event(r.q, EV_PROBE, "fresh", 20, &ev));
		assert_true(ev.u.probe.ok);
		assert_true(ev.u.probe.ms.connect >= 0);
	}
	pb_run_stop(&r);
	sim_stop(sim);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_headers_and_identify),
	    cmocka_unit_test(test_connect_to),
	    cmocka_unit_test(test_body_and_status),
	    cmocka_unit_test(test_tcp),
	    cmocka_unit_test(test_reuse_connections),
	};

	signal(SIGPIPE, SIG_IGN);
	if (probe_global_init() != 0)
		return 1;
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	probe_global_cleanup();
	return rc;
}
