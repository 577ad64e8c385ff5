/*
 * The DNS observer tests' fixture: a hand-built profile, the events an
 * observer pushes collected, a simulated DNS whose region the tests
 * choose, and an observer started and stopped.
 */
#include "dns_fx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"

/* Endpoints: eu20 (dns_answers eu20.sim.drtop.test + 127.0.0.21),
 * us21 (no dns_answers: its target host us21.sim.drtop.test),
 * ap10 (dns_answers 127.0.0.22). */
Prof *
df_mkprof(const char *name, double interval, int nres, ...)
{
	Prof *f = calloc(1, sizeof(*f));
	static const char *const names[3] = {"eu20", "us21", "ap10"};
	va_list ap;

	snprintf(f->name, sizeof(f->name), "%s", name);
	f->p.service = f->name;
	f->p.dns.name = f->name;
	f->p.dns.ttl = 60;
	f->p.dns.interval = interval;
	f->p.dns.timeout = interval < 1 ? interval : 1;
	va_start(ap, nres);
	for (int i = 0; i < nres; i++) {
		snprintf(f->res[i], sizeof(f->res[i]), "%s",
		    va_arg(ap, const char *));
		f->p.dns.resolvers[i].addr = f->res[i];
		f->p.dns.resolvers[i].name = f->res[i];
	}
	va_end(ap);
	f->p.dns.nresolvers = nres;
	for (int i = 0; i < 3; i++) {
		snprintf(f->ep[i].name, sizeof(f->ep[i].name), "%s", names[i]);
		snprintf(f->hosts[i], sizeof(f->hosts[i]), "%s.sim.drtop.test",
		    names[i]);
		f->ep[i].host = f->hosts[i];
		f->ep[i].priority = i + 1;
	}
	snprintf(f->answers[0][0], 64, "EU20.sim.drtop.test.");
	snprintf(f->answers[0][1], 64, "127.0.0.21");
	f->ep[0].dns_answers[0] = f->answers[0][0];
	f->ep[0].dns_answers[1] = f->answers[0][1];
	f->ep[0].ndns_answers = 2;
	snprintf(f->answers[2][0], 64, "127.0.0.22");
	f->ep[2].dns_answers[0] = f->answers[2][0];
	f->ep[2].ndns_answers = 1;
	f->p.endpoints = f->ep;
	f->p.nendpoints = 3;
	return f;
}

/* Drain q into lg until pred(lg) or timeout seconds. */
bool
df_collect(Queue *q, Log *lg, double timeout,
    bool (*pred)(const Log *, const void *), const void *arg)
{
	double end = mono_now() + timeout;

	for (;;) {
		struct pollfd pf = {.fd = queue_wake_fd(q), .events = POLLIN};
		Event tmp[64];
		size_t n = queue_drain(q, tmp, 64);

		for (size_t i = 0; i < n && lg->n < MAXEV; i++)
			lg->ev[lg->n++] = tmp[i];
		if (pred && pred(lg, arg))
			return true;
		if (mono_now() >= end || lg->n >= MAXEV)
			return false;
		poll(&pf, 1, 50);
	}
}

int
df_count_dns(const Log *lg, const char *resolver, const char *rcode)
{
	int c = 0;

	for (int i = 0; i < lg->n; i++)
		if (lg->ev[i].type == EV_DNS &&
		    (!resolver ||
		        strcmp(lg->ev[i].u.dns.resolver, resolver) == 0) &&
		    (!rcode || strcmp(lg->ev[i].u.dns.rcode, rcode) == 0))
			c++;
	return c;
}

const DnsEvent *
df_last_dns(const Log *lg)
{
	for (int i = lg->n - 1; i >= 0; i--)
		if (lg->ev[i].type == EV_DNS)
			return &lg->ev[i].u.dns;
	return NULL;
}

const ErrorEvent *
df_first_error(const Log *lg)
{
	for (int i = 0; i < lg->n; i++)
		if (lg->ev[i].type == EV_ERROR)
			return &lg->ev[i].u.error;
	return NULL;
}

/* pred: a dns event with rcode (arg) arrived */
bool
df_has_rcode(const Log *lg, const void *arg)
{
	return df_count_dns(lg, NULL, arg) > 0;
}

/* pred: the last dns event maps to endpoint arg */
bool
df_last_endpoint_is(const Log *lg, const void *arg)
{
	const DnsEvent *d = df_last_dns(lg);

	return d && strcmp(d->endpoint, arg) == 0;
}

int
df_choose(void *ctx, char *region, size_t cap)
{
	Choice *c = ctx;

	pthread_mutex_lock(&c->lock);
	snprintf(region, cap, "%s", c->region);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

void
df_set_region(Choice *c, const char *r)
{
	pthread_mutex_lock(&c->lock);
	snprintf(c->region, sizeof(c->region), "%s", r);
	pthread_mutex_unlock(&c->lock);
}

Choice df_choice = {PTHREAD_MUTEX_INITIALIZER, "eu20"};

SimDns *
df_sim(int ttl)
{
	SimDnsConfig cfg = {
	    .name = NAME, .ttl = ttl, .choose = df_choose, .ctx = &df_choice};
	char err[200];
	SimDns *s = simdns_start(&cfg, err, sizeof(err));

	if (!s)
		fail_msg("simdns_start: %s", err);
	return s;
}

void
df_obs_start(Obs *ob, Prof *pf)
{
	char err[200];

	ob->pf = pf;
	ob->q = queue_new(1024);
	ob->lg = calloc(1, sizeof(Log));
	assert_non_null(ob->q);
	ob->o = dns_observer_new(&pf->p, ob->q, mono_now(), err, sizeof(err));
	if (!ob->o)
		fail_msg("dns_observer_new: %s", err);
	assert_int_equal(dns_observer_start(ob->o, err, sizeof(err)), 0);
}

void
df_obs_stop(Obs *ob)
{
	double t = mono_now();

	dns_observer_free(ob->o);
	/* Stopping is prompt even in the middle of a query. */
	assert_true(mono_now() - t < 2.0);
	queue_free(ob->q);
	free(ob->lg);
	free(ob->pf);
}
