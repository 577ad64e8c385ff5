/*
 * probe: the client's-eye probe (p->public_ep): the service's own name
 * resolved as the system does, or through a resolver of the profile
 * (the DNS observer's answers), and served by the endpoint whose probes
 * reach that address; against recording HTTP servers on loopback
 * (tests/unit/probe_fx.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/util.h"
#include "helpers.h"
#include "probe/probe.h"
#include "probe_fx.h"

static const char resp_plain[] = "HTTP/1.1 200 OK\r\n"
                                 "Content-Length: 3\r\n"
                                 "Connection: close\r\n\r\n"
                                 "UP\n";

/* An Endpoint for p->public_ep: url, host and port as the loader sets. */
static Endpoint *
mk_public(const char *url, const char *host, int port)
{
	Endpoint *e = xcalloc(1, sizeof(*e));

	str_copy(e->name, sizeof(e->name), EV_PUBLIC);
	e->url = xstrdup(url);
	e->host = xstrdup(host);
	e->monitor.protocol = PROTO_HTTP;
	e->monitor.port = port;
	e->monitor.interval = 0.2;
	e->monitor.timeout = 1;
	e->monitor.nexpected = 1;
	e->monitor.expected[0] = (StatusRange){200, 200};
	return e;
}

static void
free_public(Profile *p)
{
	free(p->public_ep->url);
	free(p->public_ep->host);
	free(p->public_ep);
	free(p->public_resolver);
	p->public_ep = NULL;
}

static void
test_public_probe(void **state)
{
	RecServer a, b;
	char *ua, *ub, *up, err[256] = "";
	Run r;
	Event ev, d;
	bool served = false;

	(void)state;
	pb_rec_start(&a, resp_plain);
	pb_rec_start(&b, resp_plain);
	ua = pb_url_for(a.port, "/");
	ub = pb_url_for(b.port, "/");
	{
		EpSpec e[] = {{.name = "a", .url = ua, .interval = 0.2},
		    {.name = "b", .url = ub, .interval = 0.2}};

		/* 1. Resolved as the system does (a literal here): served by
		 * the endpoint whose own probes reach that address and port. */
		r.p = pb_profile(e, 2);
		up = pb_url_for(b.port, "/");
		r.p->public_ep = mk_public(up, "127.0.0.1", b.port);
		r.p->public_resolver = xstrdup("system");
		r.q = queue_new(4096);
		r.pr = prober_new(r.p, r.q, mono_now(), err, sizeof(err));
		assert_non_null(r.pr);
		assert_int_equal(prober_start(r.pr), 0);
		for (int i = 0; i < 20 && !served; i++) {
			assert_true(
			    pb_next_event(r.q, EV_PROBE, EV_PUBLIC, 5, &ev));
			assert_true(ev.u.probe.via_public);
			assert_true(ev.u.probe.ok);
			served = strcmp(ev.u.probe.served_by, "b") == 0;
			/* never the other endpoint */
			assert_true(ev.u.probe.served_by[0] == '\0' || served);
		}
		assert_true(served);
		prober_free(r.pr);
		queue_free(r.q);
		free(up);
		free_public(r.p);

		/* 2. Through a resolver of the profile: nothing to connect to
		 * until the observer's answer comes (dns), then its address,
		 * with the Host the client uses, served by its endpoint. */
		up = xasprintf("http://svc.test:%d/", a.port);
		r.p->public_ep = mk_public(up, "svc.test", a.port);
		r.p->public_resolver = xstrdup("10.9.9.9:53");
		r.q = queue_new(4096);
		r.pr = prober_new(r.p, r.q, mono_now(), err, sizeof(err));
		assert_non_null(r.pr);
		assert_int_equal(prober_start(r.pr), 0);
		assert_true(pb_next_event(r.q, EV_PROBE, EV_PUBLIC, 5, &ev));
		assert_false(ev.u.probe.ok);
		assert_int_equal(ev.u.probe.error, PERR_DNS);
		d = th_dns(0, "10.9.9.8:53", "b", 60); /* another resolver */
		d.u.dns.nanswers = 1;
		str_copy(d.u.dns.answers[0], EV_HOST_MAX, "127.0.0.2");
		prober_public_answer(r.pr, &d.u.dns);
		d = th_dns(0, "10.9.9.9:53", "a", 60);
		d.u.dns.nanswers = 2;
		str_copy(d.u.dns.answers[0], EV_HOST_MAX, "a.svc.test");
		str_copy(d.u.dns.answers[1], EV_HOST_MAX, "127.0.0.1");
		prober_public_answer(r.pr, &d.u.dns);
		served = false;
		for (int i = 0; i < 20 && !served; i++) {
			assert_true(
			    pb_next_event(r.q, EV_PROBE, EV_PUBLIC, 5, &ev));
			served = ev.u.probe.ok;
		}
		assert_true(served);
		assert_string_equal(ev.u.probe.served_by, "a");
		{
			char req[4096];

			pthread_mutex_lock(&a.lock);
			str_copy(req, sizeof(req), a.last_request);
			pthread_mutex_unlock(&a.lock);
			assert_non_null(strstr(req, "Host: svc.test"));
		}
		prober_free(r.pr);
		queue_free(r.q);
		free(up);
		free_public(r.p);
		pb_profile_free(r.p);
	}
	free(ua);
	free(ub);
	pb_rec_stop(&a);
	pb_rec_stop(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_public_probe),
	};

	signal(SIGPIPE, SIG_IGN);
	if (probe_global_init() != 0)
		return 1;
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	probe_global_cleanup();
	return rc;
}
