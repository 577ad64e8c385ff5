/*
 * fault: the simulated regions' fault model, pure. What a fault is
 * called ("status 500", "slow 800"), whether a prober would call a region
 * with it healthy, and what a region with it does with a request. No
 * sockets, no threads, no clock: every function here may be called from
 * any thread and depends only on its arguments.
 *
 * The server that carries the faults out is core/sim/region.c; this
 * header is included by sim/sim.h, so callers of the simulator get it
 * with sim/sim.h.
 */
#ifndef DRTOP_SIM_FAULT_H
#define DRTOP_SIM_FAULT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
	SIM_FAULT_OK,
	SIM_FAULT_STATUS, /* answer with status arg */
	SIM_FAULT_REFUSE, /* listener closed: connects are refused */
	SIM_FAULT_BLACKHOLE, /* accept and read, never answer */
	SIM_FAULT_SLOW, /* answer ok after arg milliseconds */
	SIM_FAULT_FLAP, /* alternate ok / 500 per request */
	SIM_FAULT_RESET, /* part of a response, then RST */
	SIM_FAULT_HUGE, /* 200 with an endless body */
	SIM_FAULT_GARBAGE, /* bytes that are not HTTP, then close */
} SimFaultKind;

typedef struct {
	SimFaultKind kind;
	int arg; /* status for STATUS (200-599), milliseconds for SLOW */
} SimFault;

/* Longest fault text sim_fault_format() writes, with the NUL. */
#define SIM_FAULT_TEXT_MAX 32
/* Upper bound on SimFault.arg for SLOW: ten minutes. */
#define SIM_SLOW_MAX_MS 600000

/*
 * Parse a fault text: "ok", "status N" (200-599), "refuse", "blackhole",
 * "slow MS" (1-600000), "flap", "reset", "huge", "garbage". Case and
 * surrounding white space are ignored. Returns 0, or -1 with a message
 * in err naming the text ("fault \"status 99\": status must be
 * 200-599"); *out is untouched then.
 */
int sim_fault_parse(const char *text, SimFault *out, char *err, size_t cap);

/* Write the canonical text of f ("ok", "status 500", "slow 800"); "?"
 * for a kind outside the enum. sim_fault_parse() reads it back. */
void sim_fault_format(const SimFault *f, char *buf, size_t cap);

/*
 * True when a prober would call a region with this fault healthy: ok,
 * slow below 1000 ms, or a status in 200-299.
 */
bool sim_fault_healthy(const SimFault *f);

/* True when a region with this fault keeps its port open (every fault
 * but refuse). */
bool sim_fault_listens(const SimFault *f);

/* What a region does with one request; see sim_fault_answer(). */
typedef enum {
	SIM_ANSWER_STATUS, /* a complete answer with .status */
	SIM_ANSWER_DROP, /* close without an answer: the region is gone */
	SIM_ANSWER_DELAY, /* a 200 answer, sent after .delay_ms */
	SIM_ANSWER_SILENCE, /* keep reading, never answer */
	SIM_ANSWER_RESET, /* the start of a 200 answer, then RST */
	SIM_ANSWER_ENDLESS, /* 200 headers, then a body without end */
	SIM_ANSWER_GARBAGE, /* bytes that are not HTTP, then close */
} SimAnswerKind;

typedef struct {
	SimAnswerKind kind;
	int status; /* STATUS: 200-599; RESET, ENDLESS, DELAY: 200; else 0 */
	int delay_ms; /* DELAY only */
} SimAnswer;

/*
 * What a region with fault f does with a request: n counts the requests
 * it received under f before this one, from 0 when f was set (flap
 * answers 200 to even n, 500 to odd n; no other fault looks at n).
 * A connection from before a refuse is dropped without an answer.
 */
SimAnswer sim_fault_answer(const SimFault *f, unsigned long long n);

#endif
