/*
 * The probe tests' fixture (tests/unit/probe_fx.c), shared by
 * test_probe_http.c, test_probe_public.c, test_probe_sched.c,
 * test_probe_tls.c and test_probe_faults.c: they run the real probe
 * thread against servers on loopback.
 */
#ifndef DRTOP_TEST_PROBE_FX_H
#define DRTOP_TEST_PROBE_FX_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "probe/probe.h"
#include "sim/sim.h"

/* ---- hand-built profiles (core/profile is not needed) ---- */

typedef struct {
	const char *name, *url, *connect_to, *body_contains, *identify_header;
	Protocol proto;
	double interval, timeout;
	IdentifyMode identify;
	bool insecure, disabled, reuse;
	StatusRange expect[2];
	int nexpect;
	const char *hname[2], *hvalue[2];
	int nheaders;
} EpSpec;

/* n endpoints as spec says; interval 30, timeout 2 and expected 200
 * where spec leaves them 0. */
Profile *pb_profile(const EpSpec *spec, int n);
void pb_profile_free(Profile *p);
/* Wait (bounded) for the next event of type (and endpoint, if not
 * NULL). Other events are skipped. Returns false on timeout. */
bool pb_next_event(
    Queue *q, EventType type, const char *ep, double limit, Event *out);

/* ---- a recording HTTP server (one thread, one connection at a time) */

typedef struct {
	int fd, port;
	pthread_t thread;
	pthread_mutex_t lock;
	char last_request[4096]; /* lock */
	int requests, connections; /* lock */
	const char *response; /* fixed; NULL = answer the region line */
	_Atomic int stop; /* main thread sets, server thread polls */
} RecServer;

/* A socket listening on 127.0.0.1 at a port the kernel picks (*port). */
int pb_listen_loopback(int *port);
/* s answers every request with response and records it. */
void pb_rec_start(RecServer *s, const char *response);
void pb_rec_stop(RecServer *s);
/* Requests answered so far; *connections (if not NULL) accepted. */
int pb_rec_count(RecServer *s, int *connections);

/* 200, X-Region: eu20, body "ap10\nUP\n". */
extern const char pb_resp_ok[];

/* ---- a prober running over a hand-built profile ---- */

typedef struct {
	Profile *p;
	Queue *q;
	Prober *pr;
} Run;

void pb_run_start(Run *r, const EpSpec *spec, int n);
void pb_run_stop(Run *r);
/* http://127.0.0.1:port path, malloc'd. */
char *pb_url_for(int port, const char *path);

/* ---- the simulator (core/sim, in-process) ---- */

/* Set region's fault from its text; the test fails when it cannot. */
void pb_set_fault(Sim *sim, const char *region, const char *text);

#endif
