/*
 * probe: the threaded probe core. One thread owns a libcurl multi handle
 * and one easy handle per endpoint, probes every enabled endpoint on a
 * fixed schedule (core/schedule) and pushes one `probe` event per result
 * (and `cert` events: an https endpoint's certificate is fetched on a
 * second handle, verification off, on its first probe, hourly and when
 * its connection changes) into the queue. See probe.c's DESIGN and
 * doc/probe.md for timing and classification.
 */
#ifndef DRTOP_PROBE_H
#define DRTOP_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "model/event.h"
#include "model/profile.h"
#include "model/queue.h"

/* Initialise libcurl once, in main, before any thread starts.
 * Returns 0, or -1 when libcurl cannot initialise. */
int probe_global_init(void);
void probe_global_cleanup(void);

typedef struct Prober Prober;

/* Start lateness histogram: actual start minus scheduled start, for
 * scheduled probes only (not re-probes). Bins: 1 us wide below 1 ms,
 * 10 us below 11 ms, 1 ms below 1.011 s, then one overflow bin. */
#define PROBER_LATE_BINS 3001

typedef struct {
	uint64_t started; /* probes started (scheduled and re-probes) */
	uint64_t done; /* probes finished (events pushed or dropped) */
	uint64_t errors[PERR__COUNT]; /* done, by class; [0] = ok */
	uint64_t local; /* done without a verdict: this machine's trouble */
	uint64_t cert_fetches; /* certificate fetches started (https) */
	uint64_t late_count; /* samples in late_hist */
	uint64_t late_hist[PROBER_LATE_BINS];
	double late_max; /* seconds, exact */
	double cpu; /* seconds of CPU used by the probe thread so far */
} ProberStats;

/*
 * A probe that fails for a reason of this machine's (no file
 * descriptors or buffers to open a socket, no route from here) is no
 * verdict on the endpoint: no probe event, and an `error` event (source
 * "local") when such trouble starts and when it clears.
 *
 * A prober for every endpoint of p (and the client's-eye probe when p
 * has one: index p->nendpoints, events "via": "public"), pushing events with
 * t = mono_now() - t0 at completion into q. p and q are borrowed and
 * must outlive the prober. Creates every curl handle now; the thread
 * starts in prober_start(). Endpoints with `disabled` start disabled.
 * Returns NULL with err ("probe: ...") when libcurl fails to give a
 * handle or an endpoint cannot be probed (no URL). Main thread.
 */
Prober *prober_new(
    const Profile *p, Queue *q, double t0, char *err, size_t errcap);

/* Start the probe thread (signals blocked in it). First probes are
 * spread over each endpoint's interval from now. Returns 0, or -1 with
 * errno when the thread cannot be created. Call once. */
int prober_start(Prober *pr);

/*
 * Thread-safe control (any thread, until prober_free begins); each sets
 * a flag, wakes the probe thread with curl_multi_wakeup and returns.
 * reprobe: probe endpoint idx now, off its schedule (no effect while
 * its probe is in flight or it is disabled). set_disabled: a disabled
 * endpoint is never probed; a probe in flight is abandoned without an
 * event. Out-of-range idx is ignored.
 */
void prober_reprobe(Prober *pr, int idx);
void prober_set_disabled(Prober *pr, int idx, bool disabled);

/*
 * The client's-eye probe (profile `public`) resolves its name as a
 * client does. With public.resolver "system" libcurl resolves it; with
 * a resolver of the profile, the DNS observer already asks that
 * resolver for the name: pass every `dns` event here (any thread) and
 * the probe connects to the first address of that resolver's latest
 * answer, with served_by the endpoint the answer maps to (a timeout
 * leaves no address: the probe then fails as `dns`). Events of other
 * resolvers are ignored; pr may be NULL.
 *
 * served_by of a client's-eye probe otherwise comes from identify, or
 * the endpoint whose dns_answers hold the address it reached, or the
 * endpoint whose own probes connect to that address.
 */
void prober_public_answer(Prober *pr, const DnsEvent *d);

/* Probes in flight right now (any thread). */
int prober_in_flight(Prober *pr);

/* A consistent copy of the counters (any thread, once prober_start has
 * returned; cpu is 0 before). */
void prober_stats(Prober *pr, ProberStats *out);

/* The q-quantile (0..1) of the lateness histogram in seconds (the upper
 * edge of its bin; late_max for q = 1); 0 when there are no samples. */
double prober_stats_lateness(const ProberStats *s, double q);

/* Stop (flag, curl_multi_wakeup, join), then free every handle and
 * context. Probes in flight are abandoned without events. Main thread;
 * prober_free(NULL) is safe. */
void prober_free(Prober *pr);

#endif
