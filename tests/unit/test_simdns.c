/* simdns: every mode answered as documented, over real UDP on loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/util.h"
#include "dns/dnswire.h"
#include "sim/simdns.h"

#define NAME "demo.sim.drtop.test"

typedef struct {
	pthread_mutex_t lock;
	char region[32]; /* "" = none healthy */
	int calls;
} Choice;

static int
choose(void *ctx, char *region, size_t cap)
{
	Choice *c = ctx;
	int rc;

	pthread_mutex_lock(&c->lock);
	c->calls++;
	snprintf(region, cap, "%s", c->region);
	rc = c->region[0] ? 0 : -1;
	pthread_mutex_unlock(&c->lock);
	return rc;
}

static void
set_region(Choice *c, const char *r)
{
	pthread_mutex_lock(&c->lock);
	snprintf(c->region, sizeof(c->region), "%s", r);
	pthread_mutex_unlock(&c->lock);
}

/* Send one query; returns the response length (0 = none within wait_ms). */
static size_t
ask(int port, uint16_t id, const char *name, uint16_t qtype, uint8_t *resp,
    size_t cap, int wait_ms)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	uint8_t q[512];
	size_t qlen = dnswire_build_query(id, name, qtype, true, q, sizeof(q));
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct pollfd pf = {.fd = fd, .events = POLLIN};
	ssize_t k = 0;

	assert_true(qlen > 0);
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(send(fd, q, qlen, 0), (ssize_t)qlen);
	if (poll(&pf, 1, wait_ms) == 1)
		k = recv(fd, resp, cap, 0);
	close(fd);
	return k > 0 ? (size_t)k : 0;
}

typedef struct {
	Choice choice;
	SimDns *s;
	int port;
	DnsMessage *m;
	DnsChain *c;
} Fix;

static int
setup(void **state)
{
	Fix *f = calloc(1, sizeof(*f));
	SimDnsConfig cfg = {.name = NAME, .ttl = 30, .choose = choose};
	char err[200];

	pthread_mutex_init(&f->choice.lock, NULL);
	snprintf(f->choice.region, sizeof(f->choice.region), "eu20");
	cfg.ctx = &f->choice;
	f->s = simdns_start(&cfg, err, sizeof(err));
	if (!f->s) {
		fprintf(stderr, "simdns_start: %s\n", err);
		return -1;
	}
	f->port = simdns_port(f->s);
	f->m = malloc(sizeof(*f->m));
	f->c = malloc(sizeof(*f->c));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	Fix *f = *state;

	simdns_stop(f->s);
	pthread_mutex_destroy(&f->choice.lock);
	free(f->m);
	free(f->c);
	free(f);
	return 0;
}

/* Query and parse; asserts a valid reply to the question. */
static void
query_ok(Fix *f, const char *name, uint16_t qtype)
{
	uint8_t r[DNSWIRE_UDP_MAX];
	char err[200];
	size_t n = ask(f->port, 4242, name, qtype, r, sizeof(r), 2000);

	assert_true(n > 0);
	assert_int_equal(dnswire_parse(r, n, f->m, err, sizeof(err)), 0);
	assert_int_equal(
	    dnswire_check_reply(f->m, 4242, name, qtype, err, sizeof(err)), 0);
	dnswire_follow(f->m, name, f->c);
}

static void
test_normal_answers(void **state)
{
	Fix *f = *state;
	uint8_t a[4], b[4];
	char addr[32];

	simdns_region_addr("eu20", a);
	simdns_region_addr("EU20", b);
	assert_memory_equal(a, b, 4);
	assert_int_equal(a[0], 127);
	assert_true(a[3] >= 2 && a[3] <= 254);
	snprintf(addr, sizeof(addr), "127.0.0.%u", a[3]);

	query_ok(f, NAME, DNSWIRE_T_A);
	assert_int_equal(f->m->rcode, DNSWIRE_RCODE_NOERROR);
	assert_true(f->m->aa);
	assert_int_equal(f->m->nanswers, 2);
	assert_int_equal(f->c->nchain, 1);
	assert_string_equal(f->c->chain[0], "eu20.sim.drtop.test");
	assert_int_equal(f->c->naddrs, 1);
	assert_string_equal(f->c->addrs[0], addr);
	assert_int_equal(f->c->min_ttl, 30);

	/* AAAA: the CNAME and no address, NOERROR. */
	query_ok(f, NAME, DNSWIRE_T_AAAA);
	assert_int_equal(f->m->rcode, DNSWIRE_RCODE_NOERROR);
	assert_int_equal(f->m->nanswers, 1);
	assert_int_equal(f->c->nchain, 1);
	assert_int_equal(f->c->naddrs, 0);

	/* A region's own name: A directly. */
	query_ok(f, "us21.sim.drtop.test", DNSWIRE_T_A);
	assert_int_equal(f->m->nanswers, 1);
	assert_int_equal(f->c->nchain, 0);
	assert_int_equal(f->c->naddrs, 1);

	/* Anything else: NXDOMAIN. */
	query_ok(f, "other.example.com", DNSWIRE_T_A);
	assert_int_equal(f->m->rcode, DNSWIRE_RCODE_NXDOMAIN);
	assert_int_equal(f->m->nanswers, 0);
	query_ok(f, "a.b.sim.drtop.test", DNSWIRE_T_A);
	assert_int_equal(f->m->rcode, DNSWIRE_RCODE_NXDOMAIN);

	/* The region follows choose(); the TTL follows set_ttl. */
	set_region(&f->choice, "us21");
	simdns_set_ttl(f->s, 7);
	query_ok(f, NAME, DNSWIRE_T_A);
	assert_string_equal(f->c->chain[0], "us21.sim.drtop.test");
	assert_int_equal(f->c->min_ttl, 7);
	/* No region: SERVFAIL. */
	set_region(&f->choice, "");
	query_ok(f, NAME, DNSWIRE_T_A);
	assert_int_equal(f->m->rcode, DNSWIRE_RCODE_SERVFAIL);
	assert_int_equal(simdns_queries(f->s), 7);
}

static void
test_error_modes(void **state)
{
	Fix *f = *state;
	static const struct {
		SimDnsMode mode;
		int rcode;
	} cases[] = {
	    {SIMDNS_NXDOMAIN, DNSWIRE_RCODE_NXDOMAIN},
	    {SIMDNS_SERVFAIL, DNSWIRE_RCODE_SERVFAIL},
	    {SIMDNS_REFUSED, DNSWIRE_RCODE_REFUSED},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		simdns_set_mode(f->s, cases[i].mode);
		assert_int_equal(simdns_mode(f->s), cases[i].mode);
		query_ok(f, NAME, DNSWIRE_T_A);
		assert_int_equal(f->m->rcode, cases[i].rcode);
		assert_int_equal(f->m->nanswers, 0);
	}
	simdns_set_mode(f->s, SIMDNS_NORMAL);
	query_ok(f, NAME, DNSWIRE_T_A);
	assert_int_equal(f->m->rcode, DNSWIRE_RCODE_NOERROR);
}

static void
test_silent_garbage_truncated(void **state)
{
	Fix *f = *state;
	uint8_t r[DNSWIRE_UDP_MAX];
	char err[200];
	uint64_t before;
	size_t n;

	simdns_set_mode(f->s, SIMDNS_SILENT);
	before = simdns_queries(f->s);
	assert_int_equal(
	    ask(f->port, 1, NAME, DNSWIRE_T_A, r, sizeof(r), 300), 0);
	assert_int_equal(simdns_queries(f->s), before + 1);

	simdns_set_mode(f->s, SIMDNS_GARBAGE);
	for (int i = 0; i < 20; i++) {
		n = ask(f->port, 77, NAME, DNSWIRE_T_A, r, sizeof(r), 2000);
		assert_true(n >= 1 && n <= 64);
		/* Garbage is never a valid reply to the question. */
		assert_true(dnswire_parse(r, n, f->m, err, sizeof(err)) < 0 ||
		    dnswire_check_reply(
		        f->m, 77, NAME, DNSWIRE_T_A, err, sizeof(err)) < 0);
	}

	simdns_set_mode(f->s, SIMDNS_TRUNCATED);
	n = ask(f->port, 78, NAME, DNSWIRE_T_A, r, sizeof(r), 2000);
	assert_true(n > 12);
	assert_int_equal(dnswire_parse(r, n, f->m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "answer 2"));
	/* Back to normal: the server still answers. */
	simdns_set_mode(f->s, SIMDNS_NORMAL);
	query_ok(f, NAME, DNSWIRE_T_A);
}

static void
test_chain_mode(void **state)
{
	Fix *f = *state;

	simdns_set_mode(f->s, SIMDNS_CHAIN);
	query_ok(f, NAME, DNSWIRE_T_A);
	assert_int_equal(f->m->rcode, DNSWIRE_RCODE_NOERROR);
	assert_int_equal(f->c->nchain, 2);
	assert_string_equal(f->c->chain[0], "tm-eu20.alias.sim.drtop.test");
	assert_string_equal(f->c->chain[1], "eu20.sim.drtop.test");
	assert_int_equal(f->c->naddrs, 1);
	/* The alias answers on its own too. */
	query_ok(f, "tm-eu20.alias.sim.drtop.test", DNSWIRE_T_A);
	assert_int_equal(f->c->nchain, 1);
	assert_int_equal(f->c->naddrs, 1);
	simdns_set_mode(f->s, SIMDNS_NORMAL);
}

static void
test_caching_holds_and_counts_down(void **state)
{
	Fix *f = *state;
	double t0, end;
	int prev_ttl = 1000, distinct = 0;

	simdns_set_ttl(f->s, 3);
	simdns_set_role(f->s, SIMDNS_CACHING);
	assert_int_equal(simdns_role(f->s), SIMDNS_CACHING);
	query_ok(f, NAME, DNSWIRE_T_A);
	t0 = mono_now();
	assert_string_equal(f->c->chain[0], "eu20.sim.drtop.test");
	assert_int_equal(f->c->min_ttl, 3);
	/* The traffic manager moves on; the cache still holds eu20. */
	set_region(&f->choice, "us21");
	end = t0 + 8;
	for (;;) {
		query_ok(f, NAME, DNSWIRE_T_A);
		if (strcmp(f->c->chain[0], "us21.sim.drtop.test") == 0)
			break;
		assert_string_equal(f->c->chain[0], "eu20.sim.drtop.test");
		/* The TTL counts down: never up, never above 3. */
		assert_true((int)f->c->min_ttl <= prev_ttl);
		assert_true(f->c->min_ttl >= 1 && f->c->min_ttl <= 3);
		if ((int)f->c->min_ttl < prev_ttl)
			distinct++;
		prev_ttl = (int)f->c->min_ttl;
		assert_true(mono_now() < end);
		usleep(100 * 1000);
	}
	/* Held for about its TTL (loose lower bound), then re-fetched. */
	assert_true(mono_now() - t0 > 2.0);
	assert_true(distinct >= 2);
	assert_int_equal(f->c->min_ttl, 3);
	/* A resolver's answer is not authoritative. */
	assert_false(f->m->aa);
	assert_true(f->m->ra);
	/* Authoritative again: the answer follows choose() at once. */
	simdns_set_role(f->s, SIMDNS_AUTHORITATIVE);
	set_region(&f->choice, "ap10");
	query_ok(f, NAME, DNSWIRE_T_A);
	assert_string_equal(f->c->chain[0], "ap10.sim.drtop.test");
}

/* One query to port and the region its answer names ("" for none);
 * *ttl the answer's smallest TTL, *rcode its rcode, *aa its AA bit. */
static void
ask_region(int port, char *region, size_t cap, int *ttl, int *rcode, bool *aa)
{
	DnsMessage *m = malloc(sizeof(*m));
	DnsChain *c = malloc(sizeof(*c));
	uint8_t r[DNSWIRE_UDP_MAX];
	char err[200];
	size_t n = ask(port, 99, NAME, DNSWIRE_T_A, r, sizeof(r), 3000);

	assert_true(n > 0);
	assert_int_equal(dnswire_parse(r, n, m, err, sizeof(err)), 0);
	dnswire_follow(m, NAME, c);
	region[0] = '\0';
	if (c->nchain > 0)
		snprintf(region, cap, "%.*s",
		    (int)(strlen(c->final_name) - strlen(".sim.drtop.test")),
		    c->final_name);
	*ttl = c->has_ttl ? (int)c->min_ttl : -1;
	*rcode = m->rcode;
	if (aa != NULL)
		*aa = m->aa;
	free(c);
	free(m);
}

/* A resolver in front of the fixture's authoritative server. */
static SimDns *
resolver_start(Fix *f, SimDnsRole role, int stale)
{
	char up[64], err[200];
	SimDnsConfig cfg = {.name = NAME,
	    .ttl = 99,
	    .role = role,
	    .stale = stale,
	    .stale_ttl = 1};
	SimDns *r;

	snprintf(up, sizeof(up), "127.0.0.1:%d", f->port);
	cfg.upstream = up;
	r = simdns_start(&cfg, err, sizeof(err));
	if (r == NULL)
		fail_msg("resolver: %s", err);
	return r;
}

/*
 * The demo's DNS path: an authoritative server (the manager's) and two
 * resolvers in front of it, one honouring the TTL, one serving stale.
 * The authoritative server answers a new choice at once; the caching
 * resolver holds the old answer until its TTL runs out, counting down,
 * then fetches again; the stale one answers the expired record with TTL
 * 1 for its stale window, then fetches. Each holds its own cache.
 */
static void
test_resolvers_in_front(void **state)
{
	Fix *f = *state;
	SimDns *cach, *stal, *late;
	char reg[32], held[32];
	int ttl, rc, prev = 100;
	bool aa, saw_stale = false;
	double t0, t_cach = -1, t_stal = -1, left;

	simdns_set_ttl(f->s, 2);
	cach = resolver_start(f, SIMDNS_CACHING, 0);
	stal = resolver_start(f, SIMDNS_STALE, 2);
	assert_int_equal(simdns_role(stal), SIMDNS_STALE);
	/* Nothing held before the first query. */
	assert_false(simdns_cache_state(cach, held, sizeof(held), &left));
	assert_string_equal(held, "");

	ask_region(simdns_port(cach), reg, sizeof(reg), &ttl, &rc, &aa);
	t0 = mono_now();
	assert_int_equal(rc, DNSWIRE_RCODE_NOERROR);
	assert_string_equal(reg, "eu20");
	assert_int_equal(ttl, 2); /* the authoritative TTL, not its own 99 */
	assert_false(aa);
	ask_region(simdns_port(stal), reg, sizeof(reg), &ttl, &rc, NULL);
	assert_string_equal(reg, "eu20");
	/* One fetch each, by a real query to the authoritative server. */
	assert_int_equal(simdns_fetches(cach), 1);
	assert_int_equal(simdns_fetches(stal), 1);
	assert_int_equal(simdns_queries(f->s), 2);
	assert_true(simdns_cache_state(cach, held, sizeof(held), &left));
	assert_string_equal(held, "eu20");
	assert_true(left > 0 && left <= 2.0);

	/* The manager moves: its name server answers at once, with its
	 * constant TTL and AA. */
	set_region(&f->choice, "us21");
	ask_region(f->port, reg, sizeof(reg), &ttl, &rc, &aa);
	assert_string_equal(reg, "us21");
	assert_int_equal(ttl, 2);
	assert_true(aa);
	/* A resolver that never fetched before gets us21 now: caches are
	 * not shared. */
	late = resolver_start(f, SIMDNS_CACHING, 0);
	ask_region(simdns_port(late), reg, sizeof(reg), &ttl, &rc, NULL);
	assert_string_equal(reg, "us21");

	/* Poll both every 100 ms (bounded: 10 s). */
	for (int i = 0; i < 100 && (t_cach < 0 || t_stal < 0); i++) {
		double now;

		ask_region(
		    simdns_port(cach), reg, sizeof(reg), &ttl, &rc, NULL);
		now = mono_now();
		if (t_cach < 0 && strcmp(reg, "us21") == 0)
			t_cach = now;
		if (t_cach < 0) {
			assert_string_equal(reg, "eu20");
			assert_true(ttl >= 1 && ttl <= prev);
			prev = ttl;
		}
		ask_region(
		    simdns_port(stal), reg, sizeof(reg), &ttl, &rc, NULL);
		if (t_stal < 0 && strcmp(reg, "us21") == 0)
			t_stal = mono_now();
		if (t_stal < 0 && now - t0 > 2.2) {
			/* Past the TTL: the old record, TTL 1. */
			assert_string_equal(reg, "eu20");
			assert_int_equal(ttl, 1);
			saw_stale = true;
			assert_true(simdns_cache_state(
			    stal, held, sizeof(held), &left));
			assert_string_equal(held, "eu20");
			assert_true(left < 0);
		}
		usleep(100 * 1000);
	}
	assert_true(t_cach > 0 && t_stal > 0);
	/* The caching resolver moved when the TTL ran out (fetched at t0
	 * or slightly before: loose bounds for a loaded machine). */
	assert_true(t_cach - t0 > 1.5 && t_cach - t0 < 4.0);
	/* The stale one only after TTL + its 2 s window. */
	assert_true(saw_stale);
	assert_true(t_stal - t0 > 3.5 && t_stal - t0 < 7.0);
	assert_true(t_stal > t_cach + 1.5);
	/* The stale one fetched once more; the caching one once per TTL
	 * (it has fetched us21 again meanwhile). */
	assert_int_equal(simdns_fetches(stal), 2);
	assert_true(simdns_fetches(cach) >= 2 &&
	    simdns_fetches(cach) <= 1 + (uint64_t)((t_stal - t0) / 2.0) + 1);
	assert_int_equal(simdns_fetches(late), 1);
	simdns_stop(late);
	simdns_stop(stal);
	simdns_stop(cach);
}

/* What a resolver answers when its upstream fails: SERVFAIL for a
 * silent or failing server (and no fetch again for a moment after a
 * timeout), NXDOMAIN passed on; it recovers with the upstream. */
static void
test_resolver_upstream_failures(void **state)
{
	Fix *f = *state;
	SimDns *r = resolver_start(f, SIMDNS_CACHING, 0);
	char reg[32];
	int ttl, rc;
	double t;

	simdns_set_ttl(f->s, 0); /* nothing is held: every query fetches */
	simdns_set_mode(f->s, SIMDNS_SILENT);
	t = mono_now();
	ask_region(simdns_port(r), reg, sizeof(reg), &ttl, &rc, NULL);
	assert_int_equal(rc, DNSWIRE_RCODE_SERVFAIL);
	assert_true(mono_now() - t >= SIMDNS_UPSTREAM_WAIT_MS / 1000.0 - 0.05);
	/* Held off: SERVFAIL at once, without asking. */
	t = mono_now();
	ask_region(simdns_port(r), reg, sizeof(reg), &ttl, &rc, NULL);
	assert_int_equal(rc, DNSWIRE_RCODE_SERVFAIL);
	assert_true(mono_now() - t < 0.4);
	usleep(1100 * 1000);
	simdns_set_mode(f->s, SIMDNS_NXDOMAIN);
	ask_region(simdns_port(r), reg, sizeof(reg), &ttl, &rc, NULL);
	assert_int_equal(rc, DNSWIRE_RCODE_NXDOMAIN);
	simdns_set_mode(f->s, SIMDNS_GARBAGE);
	ask_region(simdns_port(r), reg, sizeof(reg), &ttl, &rc, NULL);
	assert_int_equal(rc, DNSWIRE_RCODE_SERVFAIL);
	usleep(1100 * 1000);
	/* A chain upstream still names the region at its end. */
	simdns_set_mode(f->s, SIMDNS_CHAIN);
	ask_region(simdns_port(r), reg, sizeof(reg), &ttl, &rc, NULL);
	assert_int_equal(rc, DNSWIRE_RCODE_NOERROR);
	assert_string_equal(reg, "eu20");
	assert_int_equal(ttl, 0);
	simdns_stop(r);
}

static void
test_config_errors(void **state)
{
	SimDnsConfig cfg = {.name = NAME, .ttl = 5, .choose = choose};
	char err[200];

	(void)state;
	cfg.bind_addr = "10.0.0.1";
	assert_null(simdns_start(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "loopback"));
	cfg.bind_addr = "0.0.0.0";
	assert_null(simdns_start(&cfg, err, sizeof(err)));
	cfg.bind_addr = NULL;
	cfg.name = "bad..name";
	assert_null(simdns_start(&cfg, err, sizeof(err)));
	assert_int_equal(simdns_mode_from_name("garbage"), SIMDNS_GARBAGE);
	assert_int_equal(simdns_mode_from_name("nope"), -1);
	assert_string_equal(simdns_mode_name(SIMDNS_SILENT), "silent");
	assert_null(simdns_mode_name(SIMDNS__COUNT));
	assert_string_equal(simdns_role_name(SIMDNS_STALE), "stale");
	assert_int_equal(simdns_role_from_name("caching"), SIMDNS_CACHING);
	assert_int_equal(simdns_role_from_name("recursive"), -1);
	assert_null(simdns_role_name(SIMDNS__ROLES));
	/* A caching server needs an upstream or choose(); the upstream is
	 * a loopback ADDR:PORT; an authoritative one needs choose(). */
	cfg.name = NAME;
	cfg.choose = NULL;
	assert_null(simdns_start(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "choose"));
	cfg.role = SIMDNS_CACHING;
	assert_null(simdns_start(&cfg, err, sizeof(err)));
	cfg.upstream = "10.0.0.1:53";
	assert_null(simdns_start(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "upstream"));
	cfg.upstream = "127.0.0.1";
	assert_null(simdns_start(&cfg, err, sizeof(err)));
	cfg.upstream = "[::1]:53";
	SimDns *ok = simdns_start(&cfg, err, sizeof(err));
	if (ok == NULL) /* no IPv6 loopback here: the check still ran */
		assert_non_null(strstr(err, "::1"));
	simdns_stop(ok);
	simdns_stop(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_normal_answers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_error_modes, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_silent_garbage_truncated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chain_mode, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_caching_holds_and_counts_down, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_resolvers_in_front, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_resolver_upstream_failures, setup, teardown),
	    cmocka_unit_test(test_config_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
