/*
 * The simulator tests' fixture (tests/unit/sim_fx.c), shared by
 * test_sim_config.c, test_sim_answers.c, test_sim_clients.c,
 * test_sim_tm.c and test_sim_control.c: a plain client on loopback and
 * the control interface.
 */
#ifndef DRTOP_TEST_SIM_FX_H
#define DRTOP_TEST_SIM_FX_H

#include <stddef.h>

#include "sim/sim.h"

#define SM_DEADLINE_MS 10000 /* generous: 2 cores shared by many builds */

long long sm_ms_now(void);
void sm_send_all(int fd, const char *s);
/*
 * Read into buf until EOF, an error, cap-1 bytes, or the deadline.
 * Returns bytes read; *why gets 0 for EOF, ETIMEDOUT, ENOBUFS (full)
 * or the socket error (ECONNRESET).
 */
size_t sm_read_until(int fd, char *buf, size_t cap, int timeout_ms, int *why);
/* GET path with Connection: close; the whole answer into buf. */
size_t sm_get(int port, const char *path, char *buf, size_t cap, int *why);
/* The answer's HTTP status, -1 when it has none. */
int sm_status_of(const char *resp);
/* The answer's body ("" when it has none). */
const char *sm_body_of(const char *resp);
/* One control request; returns the status, the body into buf. */
int sm_control(Sim *s, const char *method, const char *path, const char *body,
    char *buf, size_t cap);

/* eu20, us21, ap10 on ephemeral ports. */
extern const SimRegionSpec sm_three[3];
/* Set region's fault from its text; the test fails when it cannot. */
void sm_set(Sim *s, const char *region, const char *text);
/* *state: a simulator of sm_three with a control port; sm_teardown
 * stops it. */
int sm_setup(void **state);
int sm_teardown(void **state);

#endif
