/*
 * The probe core's private parts, shared by probe.c (the thread, control
 * and stats), probe_setup.c (handles built before the thread starts) and
 * probe_cert.c (the certificate fetch). Ownership rules are in probe.c.
 */
#ifndef DRTOP_PROBE_INT_H
#define DRTOP_PROBE_INT_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "probe/bodymatch.h"
#include "probe/probe.h"
#include "probe/schedule.h"

#define LINE_MAX_BYTES 64 /* first body line kept for identify */

typedef struct {
	Prober *pr;
	int idx;
	const Endpoint *ep;
	CURL *easy;
	struct curl_slist *headers;
	struct curl_slist *connect_to;
	bool tcp, tls;
	bool need_body; /* body_contains set */
	bool need_line; /* identify from the body */
	bool want_header; /* identify from a header */
	/* Per probe, probe thread only. */
	BodyMatch bm;
	char line[LINE_MAX_BYTES];
	size_t line_len;
	bool line_done;
	uint64_t body_bytes;
	char served_by[EV_NAME_MAX];
	bool aborted; /* the write callback stopped the body on purpose */
	bool in_flight;
	bool pending; /* a slot came while in flight */
	double pending_due;
	bool cert_known;
	int cert_days;
	int local_errno; /* socket() failed here this probe: this machine */
	/* The certificate fetch (https endpoints but the client's-eye
	 * probe; probe thread). */
	CURL *cert_easy; /* NULL: no certificate to fetch */
	bool cert_in_flight;
	double cert_last; /* mono time of the last fetch; -1 = never */
	char cert_ip[48]; /* what the probe before it connected to, */
	long cert_port;
	int cert_outcome; /* and its TLS outcome (tls_outcome()) */
	char ip[48]; /* the address the last probe connected to */
	long port; /* and its port */
	/* The client's-eye probe only (idx == nendpoints). */
	bool is_public;
	struct curl_slist *resolve; /* CURLOPT_RESOLVE pin; probe thread */
	char pinned[48]; /* the address it pins (probe thread) */
	/* Any thread. */
	_Atomic bool disabled;
	_Atomic bool want_reprobe;
} ProbeCtx;

struct Prober {
	const Profile *p;
	Queue *q;
	double t0;
	CURLM *multi;
	ProbeCtx *ctx;
	int n;
	Schedule sched; /* probe thread */
	int tfd; /* timerfd armed at the next due slot; -1 = none */
	double armed; /* due time tfd is armed for (probe thread) */
	pthread_t thread;
	bool started; /* main thread */
	_Atomic bool stop;
	_Atomic bool control; /* some disabled/want_reprobe flag changed */
	_Atomic int nflight;
	pthread_mutex_t stats_lock;
	ProberStats stats; /* stats_lock */
	/* this machine's own trouble (probe thread): since when, how many
	 * probes it kept from counting, what */
	bool local_active;
	unsigned long local_probes;
	int local_errno;
	/* The client's-eye probe through a resolver of the profile: the
	 * address and endpoint its latest answer gave (answer_lock). */
	pthread_mutex_t answer_lock;
	bool public_via_observer; /* public.resolver is not "system" */
	char answer_addr[48];
	char answer_ep[EV_NAME_MAX];
};

/* probe_setup.c: one endpoint's handles (main thread, prober_new). */
int probe_ctx_setup(Prober *pr, ProbeCtx *c, char *err, size_t errcap);

/* probe_cert.c: the certificate fetch of an https endpoint. */
int probe_cert_setup(ProbeCtx *c, long timeout_ms, char *err, size_t errcap);
void probe_cert_maybe_fetch(
    Prober *pr, ProbeCtx *c, const ProbeEvent *pe, bool reached);
void probe_cert_detach(Prober *pr, ProbeCtx *c);
void probe_cert_finish(Prober *pr, ProbeCtx *c, CURLcode code);

#endif
