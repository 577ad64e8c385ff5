/*
 * The DNS observer tests' fixture (tests/unit/dns_fx.c), shared by the
 * test_dns_*.c files.
 */
#ifndef DRTOP_TEST_DNS_FX_H
#define DRTOP_TEST_DNS_FX_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "dns/dns.h"
#include "sim/simdns.h"

#define NAME "demo.sim.drtop.test"

/* --- a hand-built profile (core/model/profile.c is another module) --- */

typedef struct {
	Profile p;
	Endpoint ep[3];
	char name[EV_HOST_MAX];
	char res[PROFILE_MAX_RESOLVERS][EV_RESOLVER_MAX];
	char hosts[3][64];
	char answers[3][2][64];
} Prof;

/* Endpoints: eu20 (dns_answers eu20.sim.drtop.test + 127.0.0.21),
 * us21 (no dns_answers: its target host us21.sim.drtop.test),
 * ap10 (dns_answers 127.0.0.22). */
Prof *df_mkprof(const char *name, double interval, int nres, ...);

/* --- collecting events --- */

#define MAXEV 512

typedef struct {
	Event ev[MAXEV];
	int n;
} Log;

/* Drain q into lg until pred(lg) or timeout seconds. */
bool df_collect(Queue *q, Log *lg, double timeout,
    bool (*pred)(const Log *, const void *), const void *arg);
/* DNS events from resolver with rcode (NULL: any). */
int df_count_dns(const Log *lg, const char *resolver, const char *rcode);
/* The last dns event, the first error event; NULL if none. */
const DnsEvent *df_last_dns(const Log *lg);
const ErrorEvent *df_first_error(const Log *lg);
/* pred: a dns event with rcode (arg) arrived */
bool df_has_rcode(const Log *lg, const void *arg);
/* pred: the last dns event maps to endpoint arg */
bool df_last_endpoint_is(const Log *lg, const void *arg);

/* --- simdns fixture --- */

/* The region simdns answers with (its choose callback and ctx). */
typedef struct {
	pthread_mutex_t lock;
	char region[32];
} Choice;

int df_choose(void *ctx, char *region, size_t cap);
void df_set_region(Choice *c, const char *r);
/* The region df_sim's servers answer with; "eu20" at the start. */
extern Choice df_choice;
/* A simdns for NAME on 127.0.0.1 with this TTL, answering df_choice. */
SimDns *df_sim(int ttl);

typedef struct {
	Prof *pf;
	Queue *q;
	DnsObserver *o;
	Log *lg;
} Obs;

/* An observer on pf (which df_obs_stop frees) pushing into a new queue. */
void df_obs_start(Obs *ob, Prof *pf);
/* Stop it (promptly, even in the middle of a query) and free it all. */
void df_obs_stop(Obs *ob);

#endif
