/*
 * dns: the DNS observer. Polls the profile's dns.name on every configured
 * resolver every dns.interval seconds and pushes one `dns` event per
 * resolver per poll (DESIGN.md, "Event log"), plus an `error` event
 * (source "dns") for each poll that met a bad packet.
 *
 * DESIGN
 * - One thread per resolver (at most PROFILE_MAX_RESOLVERS = 8). A
 *   resolver that never answers then costs only its own thread's time:
 *   the others keep their schedules without any shared poll loop. Each
 *   thread owns its UDP socket (a fresh connected one per poll, so the
 *   kernel drops datagrams from any other address and the source port
 *   changes every poll) and its schedule; it shares nothing mutable with
 *   the others except the queue (which has its own lock).
 * - Schedule: poll k happens at start + k * interval. A poll that runs
 *   past its next slot (timeouts, CNAME re-queries) skips the missed
 *   slots rather than bursting.
 * - A and AAAA are sent together; each waits at most dns.timeout, with
 *   poll() at millisecond resolution (not res_nquery's whole seconds).
 * - A datagram that does not parse, has the wrong ID or answers another
 *   question is dropped and reported (one error event per poll), and
 *   the wait goes on: a spoofed or stale packet must not end the query.
 *   If no valid A response arrives before the timeout the poll's rcode is
 *   TIMEOUT. A response with the TC bit is retried over TCP within the
 *   same timeout; if that fails, the truncated answer is used as it is
 *   and an error event says so.
 * - Stop: an atomic flag plus a byte in a stop pipe that every thread
 *   polls together with its socket; then join. Threads start with
 *   SIGINT, SIGTERM, SIGHUP, SIGWINCH and SIGPIPE blocked.
 * - Events are pushed with queue_try_push (never blocks; overflow is the
 *   queue's to count) with t = mono_now() - t0 when the answer is known.
 */
#ifndef DRTOP_DNS_H
#define DRTOP_DNS_H

#include <stddef.h>
#include <sys/socket.h>

#include "base/clock.h"
#include "model/event.h"
#include "model/profile.h"
#include "model/queue.h"

typedef struct DnsObserver DnsObserver;

/*
 * Create an observer for p->dns (borrowed: p and q must outlive the
 * observer). Resolves every resolver spec now ("system" reads
 * /etc/resolv.conf once, via res_ninit, and takes its first nameserver).
 * When p->dns.name is NULL the observer has no resolvers and start/free
 * do nothing. Returns NULL with err set ("dns.resolvers[1]: ...") when a
 * resolver spec is not valid. Main thread.
 */
DnsObserver *dns_observer_new(
    const Profile *p, Queue *q, double t0, char *err, size_t errcap);

/* Start one thread per resolver; the first poll happens at once.
 * Returns 0, or -1 with err set when a thread or pipe cannot be created
 * (threads already started are stopped). Main thread. */
int dns_observer_start(DnsObserver *o, char *err, size_t errcap);

/* Number of resolvers observed (0 when the profile has no dns.name). */
int dns_observer_count(const DnsObserver *o);

/* Stop (flag, wake, join) and free. dns_observer_free(NULL) is safe.
 * Main thread. */
void dns_observer_free(DnsObserver *o);

/*
 * Parse one resolver spec: "system", "ADDR" (port 53), "ADDR:PORT",
 * "[V6]:PORT" or a bare IPv6 address. Fills *ss / *sl. Returns 0, or -1
 * with err set (without a JSON path; callers prefix it). Any thread
 * (res_ninit uses a private resolver state).
 */
int dns_resolver_parse(const char *spec, struct sockaddr_storage *ss,
    socklen_t *sl, char *err, size_t errcap);

/*
 * The endpoint a dns event's answers point at: the first answer (in
 * order: chain, then addresses) that equals one of an endpoint's
 * dns_answers, or, for an endpoint without dns_answers, its target host
 * (case-insensitive, trailing dot ignored). Ties go to the first
 * endpoint in profile order. Returns the index or -1. Pure.
 */
int dns_match_endpoint(const Profile *p, const DnsEvent *ev);

#endif
