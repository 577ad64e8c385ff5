/*
 * sim_int: what the files of the simulator share; not for use outside
 * core/sim/. sim.c has the lifecycle, the configuration checks and the
 * fault switch (sim_set_fault and the server thread's side of it);
 * region.c what a region answers and its listener; control.c the
 * control interface, its routes and the state as JSON; tm.c the
 * traffic manager's decision. Threads and locks: see the DESIGN in
 * sim.h and httpd.h.
 */
#ifndef DRTOP_SIM_INT_H
#define DRTOP_SIM_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "sim/httpd.h"
#include "sim/sim.h"

#define SIM_SERVER "drtop-sim" /* the Server header */
#define SIM_MAX_ROUTES 32

typedef struct {
	Sim *sim;
	char name[SIM_NAME_MAX];
	char url[128];
	HttpdListener *lst; /* owned by Sim.httpd */
	HttpdListener *pub; /* on 127.0.0.n; NULL without public listeners */
	/* Under Sim.lock: */
	SimFault fault;
	long long requests;
	unsigned long long fault_requests; /* under the current fault */
	char err[192]; /* why the last re-listen failed, or "" */
} Region;

typedef struct {
	char method[16]; /* "" = any */
	char prefix[128];
	SimRouteFn fn;
	void *ctx;
} Route;

struct Sim {
	/* Immutable after sim_start. */
	char bind[64];
	Region *regions;
	int nregions;
	Httpd *httpd;
	HttpdListener *control; /* NULL without a control interface */
	int public_port; /* shared by every Region.pub; -1 = none */
	pthread_t thread;
	bool started;
	void (*log)(void *ctx, const char *msg);
	void *log_ctx;

	/* Sim.lock guards the Region fields marked so, and: */
	pthread_mutex_t lock;
	pthread_cond_t applied; /* gen_done moved */
	unsigned long long gen_req, gen_done;
	bool dead; /* the server thread has returned */
	char forced[SIM_NAME_MAX]; /* what the TM was told; "" = nothing */
	SimTmManager manager;
	Route routes[SIM_MAX_ROUTES];
	int nroutes;
};

/* ---- region.c ---- */

/*
 * Set up region rg of s from spec: name, the X-Region header, its
 * listener, bound now, and its URL; with public_port >= 0 also its
 * public listener on its DNS address at that port. Returns 0, or -1
 * with err set (the listeners stay with s->httpd, which frees them).
 * sim_start only.
 */
int region_init(Sim *s, Region *rg, const SimRegionSpec *spec, int public_port,
    char *err, size_t cap);

/*
 * Open or close region i's listeners to match its fault; when it cannot
 * listen again, the fault becomes refuse and Region.err says why.
 * Server thread; takes s->lock for moments.
 */
void region_reconcile(Sim *s, int i);

/* ---- control.c ---- */

/* The control listener's handler (ctx: the Sim). Server thread. */
void control_answer(void *ctx, HttpConn *c, const HttpReq *r);

/* ---- tm.c ---- */

/* sim_tm_choice() with s->lock held. */
bool tm_choice_locked(Sim *s, char *out, size_t cap);

/* ---- sim.c ---- */

/* Hand msg to the configured log callback, if any. Any thread, no lock
 * held. */
void sim_log(Sim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
