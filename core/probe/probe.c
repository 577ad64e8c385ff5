/*
 * DESIGN
 * - Threads: prober_start() creates one probe thread (signals blocked in
 *   it). It alone touches the multi handle, every easy handle, every
 *   ProbeCtx's per-probe fields and the Schedule. Other threads only
 *   call the control functions, which set _Atomic flags and call
 *   curl_multi_wakeup() (documented as callable from any thread).
 * - Loop: apply control flags, start every due probe, curl_multi_perform,
 *   reap finished transfers (push events), then curl_multi_poll with a
 *   timeout up to the next due probe (libcurl shortens it for its own
 *   timers) and a timerfd armed at that instant as an extra fd, for
 *   sub-millisecond start accuracy. No fdset/select, no fixed-period
 *   polling.
 * - Handles: one easy handle per endpoint, configured once in
 *   prober_new() (everything is created before the thread starts) and
 *   re-added for each probe; its ProbeCtx is in CURLOPT_PRIVATE. An
 *   https endpoint has a second one, cert_easy (same ProbeCtx), that
 *   only does a TLS handshake with verification off and
 *   CURLOPT_CERTINFO on: the certificate's days left whether or not it
 *   verifies, fetched right after a probe when classify_cert_due() says
 *   so (first probe, hourly, a changed connection), never per probe. An
 *   endpoint has at most one transfer at a time: a slot that comes while
 *   its probe runs is kept as "pending" and starts when it ends (only the
 *   latest such slot; missed slots are never run in a burst).
 * - Shared state: ProbeCtx.disabled and .want_reprobe, Prober.stop,
 *   .control and .nflight are _Atomic; ProberStats is behind stats_lock
 *   (held only to copy or bump counters). Events go into the queue by
 *   value; a full queue drops and counts (queue_overflow).
 * - Stop: flag, wake, join; then the main thread owns the handles again
 *   and frees them.
 */
#include "probe/probe.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/thread.h"
#include "base/util.h"
#include "probe/bodymatch.h"
#include "probe/classify.h"
#include "probe/probe_int.h"
#include "probe/schedule.h"

int
probe_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
probe_global_cleanup(void)
{
	curl_global_cleanup();
}

/* ---- the probe thread ---- */

static size_t
late_bin(double late)
{
	double us = late * 1e6;

	if (us < 0)
		us = 0;
	if (us < 1000)
		return (size_t)us;
	if (us < 11000)
		return 1000 + (size_t)((us - 1000) / 10);
	if (us < 1011000)
		return 2000 + (size_t)((us - 11000) / 1000);
	return PROBER_LATE_BINS - 1;
}

static double
bin_upper(size_t i)
{
	if (i < 1000)
		return (double)(i + 1) / 1e6;
	if (i < 2000)
		return (1000.0 + (double)(i - 1000 + 1) * 10) / 1e6;
	return (11000.0 + (double)(i - 2000 + 1) * 1000) / 1e6;
}

/* The client's-eye probe through a profile resolver: connect to the
 * address its latest answer gave (CURLOPT_RESOLVE). Without one, a
 * client of that resolver could not resolve the name: the probe fails
 * at once as `dns` (pushed here) and false is returned. */
static bool
pin_answer(Prober *pr, ProbeCtx *c)
{
	char addr[48], line[EV_HOST_MAX + 80];
	Event ev;

	pthread_mutex_lock(&pr->answer_lock);
	str_copy(addr, sizeof(addr), pr->answer_addr);
	pthread_mutex_unlock(&pr->answer_lock);
	if (addr[0] == '\0') {
		event_init(&ev, EV_PROBE, mono_now() - pr->t0);
		str_copy(ev.u.probe.endpoint, EV_NAME_MAX, EV_PUBLIC);
		ev.u.probe.via_public = true;
		ev.u.probe.error = PERR_DNS;
		queue_try_push(pr->q, &ev);
		return false;
	}
	if (strcmp(addr, c->pinned) != 0) {
		snprintf(line, sizeof(line), "%s:%d:%s%s%s", c->ep->host,
		    c->ep->monitor.port, strchr(addr, ':') ? "[" : "", addr,
		    strchr(addr, ':') ? "]" : "");
		curl_slist_free_all(c->resolve);
		c->resolve = curl_slist_append(NULL, line);
		if (c->resolve == NULL)
			die("out of memory (curl_slist_append)");
		curl_easy_setopt(c->easy, CURLOPT_RESOLVE, c->resolve);
		str_copy(c->pinned, sizeof(c->pinned), addr);
	}
	return true;
}

/* Which endpoint served the client's-eye probe that reached ip: the
 * one its resolver's answer mapped to, else the endpoint whose
 * dns_answers hold its address, else the one whose own probes connect
 * to the same address and port. Reads other contexts' ip/port: probe
 * thread only. */
static void
public_served_by(Prober *pr, const ProbeCtx *pc, char *out, size_t cap)
{
	const Profile *p = pr->p;
	const char *ip = pc->ip;

	if (pr->public_via_observer) {
		pthread_mutex_lock(&pr->answer_lock);
		str_copy(out, cap, pr->answer_ep);
		pthread_mutex_unlock(&pr->answer_lock);
		if (out[0] != '\0')
			return;
	}
	if (ip[0] == '\0')
		return;
	for (int i = 0; i < p->nendpoints; i++)
		for (int k = 0; k < p->endpoints[i].ndns_answers; k++)
			if (strcmp(p->endpoints[i].dns_answers[k], ip) == 0) {
				str_copy(out, cap, p->endpoints[i].name);
				return;
			}
	for (int i = 0; i < p->nendpoints; i++)
		if (strcmp(pr->ctx[i].ip, ip) == 0 &&
		    pr->ctx[i].port == pc->port) {
			str_copy(out, cap, p->endpoints[i].name);
			return;
		}
}

static void
probe_start(Prober *pr, ProbeCtx *c, double due, bool scheduled)
{
	double now = mono_now();
	CURLMcode rc;

	bodymatch_reset(&c->bm);
	c->line_len = 0;
	c->line_done = false;
	c->body_bytes = 0;
	c->served_by[0] = '\0';
	c->aborted = false;
	c->pending = false;
	c->local_errno = 0;
	if (c->is_public && pr->public_via_observer && !pin_answer(pr, c))
		return;
	rc = curl_multi_add_handle(pr->multi, c->easy);
	if (rc != CURLM_OK) {
		Event ev;

		event_init(&ev, EV_ERROR, mono_now() - pr->t0);
		str_copy(ev.u.error.source, sizeof(ev.u.error.source), "probe");
		snprintf(ev.u.error.message, sizeof(ev.u.error.message),
		    "%s: cannot start a probe: %s", c->ep->name,
		    curl_multi_strerror(rc));
		queue_try_push(pr->q, &ev);
		return;
	}
	c->in_flight = true;
	atomic_fetch_add(&pr->nflight, 1);
	pthread_mutex_lock(&pr->stats_lock);
	pr->stats.started++;
	if (scheduled) {
		double late = now - due;

		pr->stats.late_hist[late_bin(late)]++;
		pr->stats.late_count++;
		if (late > pr->stats.late_max)
			pr->stats.late_max = late;
	}
	pthread_mutex_unlock(&pr->stats_lock);
}

/* Take the transfer out of the multi handle (probe thread). */
static void
probe_detach(Prober *pr, ProbeCtx *c)
{
	curl_multi_remove_handle(pr->multi, c->easy);
	c->in_flight = false;
	atomic_fetch_sub(&pr->nflight, 1);
}

static bool
is_local(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM ||
	    e == ENETUNREACH;
}

/* An `error` event of this machine's own (source "local"). */
static void local_event(Prober *pr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
local_event(Prober *pr, const char *fmt, ...)
{
	va_list ap;
	Event ev;

	event_init(&ev, EV_ERROR, mono_now() - pr->t0);
	str_copy(ev.u.error.source, sizeof(ev.u.error.source), "local");
	va_start(ap, fmt);
	vsnprintf(ev.u.error.message, sizeof(ev.u.error.message), fmt, ap);
	va_end(ap);
	queue_try_push(pr->q, &ev);
}

/*
 * Whether this probe failed for a reason of this machine's (no file
 * descriptors, no buffers, no route from here): then it is no verdict
 * on the endpoint and pushes no probe event. The trouble is reported
 * once when it starts and once when it ends (probe thread).
 */
static bool
local_trouble(Prober *pr, ProbeCtx *c, CURLcode code)
{
	long oe = 0;
	int e = c->local_errno;

	if (e == 0 && code != CURLE_OK) {
		curl_easy_getinfo(c->easy, CURLINFO_OS_ERRNO, &oe);
		if (oe == ENETUNREACH)
			e = (int)oe;
	}
	if (e != 0 && is_local(e)) {
		if (!pr->local_active)
			local_event(pr,
			    "this machine cannot probe (%s, first on %s): "
			    "such probes are not counted toward any endpoint's "
			    "health until it clears",
			    strerror(e), c->ep->name);
		pr->local_active = true;
		pr->local_errno = e;
		pr->local_probes++;
		return true;
	}
	if (pr->local_active) {
		local_event(pr,
		    "this machine's trouble cleared (%s): %lu probes were not "
		    "counted",
		    strerror(pr->local_errno), pr->local_probes);
		pr->local_active = false;
		pr->local_probes = 0;
	}
	return false;
}

static void
probe_finish(Prober *pr, ProbeCtx *c, CURLcode code)
{
	const Monitor *m = &c->ep->monitor;
	ClassifyTimes ct = {0};
	long status = 0;
	ProbeError transport, verdict;
	bool status_ok, body_ok, reached;
	Event ev;
	ProbeEvent *pe = &ev.u.probe;

	if (local_trouble(pr, c, code)) {
		probe_detach(pr, c);
		pthread_mutex_lock(&pr->stats_lock);
		pr->stats.done++;
		pr->stats.local++;
		pthread_mutex_unlock(&pr->stats_lock);
		return;
	}
	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c->easy, CURLINFO_NAMELOOKUP_TIME_T, &ct.namelookup);
	curl_easy_getinfo(c->easy, CURLINFO_CONNECT_TIME_T, &ct.connect);
	curl_easy_getinfo(c->easy, CURLINFO_APPCONNECT_TIME_T, &ct.appconnect);
	curl_easy_getinfo(
	    c->easy, CURLINFO_PRETRANSFER_TIME_T, &ct.pretransfer);
	curl_easy_getinfo(
	    c->easy, CURLINFO_STARTTRANSFER_TIME_T, &ct.starttransfer);
	curl_easy_getinfo(c->easy, CURLINFO_TOTAL_TIME_T, &ct.total);

	transport = classify_curl(code, c->aborted);
	reached = ct.connect > 0 ||
	    (transport != PERR_DNS && transport != PERR_REFUSED &&
	        transport != PERR_TIMEOUT);
	status_ok = profile_status_expected(m, status);
	body_ok = !c->need_body || bodymatch_found(&c->bm);
	verdict = classify_verdict(transport, c->tcp, status_ok, body_ok);
	if (c->need_line && c->line_len > 0)
		classify_first_line(
		    c->line, c->line_len, c->served_by, sizeof(c->served_by));

	{
		char *ip = NULL;

		curl_easy_getinfo(c->easy, CURLINFO_PRIMARY_IP, &ip);
		curl_easy_getinfo(c->easy, CURLINFO_PRIMARY_PORT, &c->port);
		str_copy(c->ip, sizeof(c->ip), ip != NULL ? ip : "");
	}
	if (c->is_public && c->served_by[0] == '\0')
		public_served_by(pr, c, c->served_by, sizeof(c->served_by));
	event_init(&ev, EV_PROBE, mono_now() - pr->t0);
	str_copy(pe->endpoint, sizeof(pe->endpoint), c->ep->name);
	pe->via_public = c->is_public;
	pe->ok = verdict == PERR_NONE;
	pe->status = c->tcp ? 0 : (int)status;
	pe->error = verdict;
	if (verdict == PERR_TLS) {
		long vr = 1; /* libcurl's own "not judged" */

		curl_easy_getinfo(c->easy, CURLINFO_SSL_VERIFYRESULT, &vr);
		pe->tls = classify_tls(code, vr);
	}
	classify_times(&ct, c->tls, &pe->ms);
	if (c->tcp)
		pe->ms.ttfb = -1;
	str_copy(pe->served_by, sizeof(pe->served_by), c->served_by);
	probe_detach(pr, c);
	/* Counters first (cert_fetches too): whoever sees the event sees
	 * them updated. */
	pthread_mutex_lock(&pr->stats_lock);
	pr->stats.done++;
	pr->stats.errors[verdict]++;
	pthread_mutex_unlock(&pr->stats_lock);
	probe_cert_maybe_fetch(pr, c, pe, reached);
	queue_try_push(pr->q, &ev);
}

static void
reap(Prober *pr)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(pr->multi, &left)) != NULL) {
		ProbeCtx *c = NULL;
		CURL *easy;
		CURLcode result;

		if (msg->msg != CURLMSG_DONE)
			continue;
		/* msg is not valid once its handle leaves the multi. */
		easy = msg->easy_handle;
		result = msg->data.result;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, &c);
		if (easy == c->cert_easy) {
			probe_cert_finish(pr, c, result);
			continue;
		}
		probe_finish(pr, c, result);
		/* A slot came while it ran: start it now, late. */
		if (c->pending && !atomic_load(&c->disabled))
			probe_start(pr, c, c->pending_due, true);
	}
}

static void
apply_control(Prober *pr)
{
	for (int i = 0; i < pr->n; i++) {
		ProbeCtx *c = &pr->ctx[i];
		bool off = atomic_load(&c->disabled);

		if (off) {
			c->pending = false;
			if (c->in_flight)
				probe_detach(pr, c); /* abandoned: no event */
			if (c->cert_in_flight)
				probe_cert_detach(pr, c);
		}
		if (atomic_exchange(&c->want_reprobe, false) && !off &&
		    !c->in_flight)
			probe_start(pr, c, 0, false);
	}
}

static void
start_due(Prober *pr)
{
	ScheduleItem it;
	double now = mono_now();

	while (schedule_peek(&pr->sched, &it) && it.due <= now) {
		ProbeCtx *c = &pr->ctx[it.idx];

		schedule_pop(&pr->sched, &it);
		schedule_push(&pr->sched,
		    schedule_next_due(it.due, c->ep->monitor.interval, now),
		    it.idx);
		if (atomic_load(&c->disabled))
			continue;
		if (c->in_flight) {
			c->pending = true;
			c->pending_due = it.due;
			continue;
		}
		probe_start(pr, c, it.due, true);
	}
}

/*
 * Sleep in curl_multi_poll until the next due slot. The timeout is in
 * whole milliseconds (rounded up: never early); a timerfd armed at the
 * exact due time (CLOCK_MONOTONIC, as mono_now) is passed as an extra
 * fd so the wake-up is not late by up to a millisecond of rounding.
 */
static void
sleep_until_due(Prober *pr)
{
	ScheduleItem it;
	struct curl_waitfd wfd = {.fd = pr->tfd, .events = CURL_WAIT_POLLIN};
	int timeout = 1000, nfd = 0;

	if (schedule_peek(&pr->sched, &it)) {
		double wait = (it.due - mono_now()) * 1000.0;

		timeout = wait <= 0 ? 0 : wait > 1000 ? 1000 : (int)ceil(wait);
		if (pr->tfd >= 0 && timeout > 0) {
			if (it.due != pr->armed) {
				struct itimerspec ts = {{0, 0}, {0, 0}};

				ts.it_value.tv_sec = (time_t)it.due;
				ts.it_value.tv_nsec =
				    (long)((it.due -
				               (double)ts.it_value.tv_sec) *
				        1e9);
				if (timerfd_settime(pr->tfd, TFD_TIMER_ABSTIME,
				        &ts, NULL) == 0)
					pr->armed = it.due;
			}
			if (it.due == pr->armed)
				nfd = 1;
		}
	}
	curl_multi_poll(
	    pr->multi, nfd ? &wfd : NULL, (unsigned)nfd, timeout, NULL);
	if (nfd && (wfd.revents & CURL_WAIT_POLLIN)) {
		uint64_t ticks;
		ssize_t r = read(pr->tfd, &ticks, sizeof(ticks));

		(void)r; /* EAGAIN: nothing to clear */
		pr->armed = -1;
	}
}

static void *
prober_main(void *arg)
{
	Prober *pr = arg;
	double start = mono_now();
	int running;

	for (int i = 0; i < pr->n; i++)
		schedule_push(&pr->sched,
		    schedule_first_due(
		        start, pr->ctx[i].ep->monitor.interval, i, pr->n),
		    i);
	while (!atomic_load(&pr->stop)) {
		if (atomic_exchange(&pr->control, false))
			apply_control(pr);
		start_due(pr);
		curl_multi_perform(pr->multi, &running);
		reap(pr);
		if (atomic_load(&pr->stop))
			break;
		sleep_until_due(pr);
	}
	return NULL;
}

int
prober_start(Prober *pr)
{
	int rc;

	if (pr->started) {
		errno = EINVAL;
		return -1;
	}
	rc = thread_start(&pr->thread, prober_main, pr);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	pr->started = true;
	return 0;
}

/* ---- control and stats (any thread) ---- */

void
prober_public_answer(Prober *pr, const DnsEvent *d)
{
	const char *addr = "";

	if (pr == NULL || !pr->public_via_observer ||
	    strcmp(d->resolver, pr->p->public_resolver) != 0)
		return;
	/* The first address of the answer (after the CNAME chain): what a
	 * client would connect to. */
	for (int i = 0; i < d->nanswers; i++)
		if (strspn(d->answers[i], "0123456789.") ==
		        strlen(d->answers[i]) ||
		    strchr(d->answers[i], ':') != NULL) {
			addr = d->answers[i];
			break;
		}
	pthread_mutex_lock(&pr->answer_lock);
	str_copy(pr->answer_addr, sizeof(pr->answer_addr), addr);
	str_copy(pr->answer_ep, sizeof(pr->answer_ep), d->endpoint);
	pthread_mutex_unlock(&pr->answer_lock);
}

static void
wake(Prober *pr)
{
	atomic_store(&pr->control, true);
	curl_multi_wakeup(pr->multi);
}

void
prober_reprobe(Prober *pr, int idx)
{
	if (pr == NULL || idx < 0 || idx >= pr->n)
		return;
	atomic_store(&pr->ctx[idx].want_reprobe, true);
	wake(pr);
}

void
prober_set_disabled(Prober *pr, int idx, bool disabled)
{
	if (pr == NULL || idx < 0 || idx >= pr->n)
		return;
	atomic_store(&pr->ctx[idx].disabled, disabled);
	wake(pr);
}

int
prober_in_flight(Prober *pr)
{
	return atomic_load(&pr->nflight);
}

void
prober_stats(Prober *pr, ProberStats *out)
{
	struct timespec ts;
	clockid_t cid;

	pthread_mutex_lock(&pr->stats_lock);
	*out = pr->stats;
	pthread_mutex_unlock(&pr->stats_lock);
	out->cpu = 0;
	if (pr->started && pthread_getcpuclockid(pr->thread, &cid) == 0 &&
	    clock_gettime(cid, &ts) == 0)
		out->cpu = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
prober_stats_lateness(const ProberStats *s, double q)
{
	uint64_t want, seen = 0;

	if (s->late_count == 0)
		return 0;
	if (q >= 1.0)
		return s->late_max;
	want = (uint64_t)ceil(q * (double)s->late_count);
	if (want == 0)
		want = 1;
	for (size_t i = 0; i < PROBER_LATE_BINS; i++) {
		seen += s->late_hist[i];
		if (seen >= want)
			return i == PROBER_LATE_BINS - 1 ? s->late_max
			                                 : bin_upper(i);
	}
	return s->late_max;
}

void
prober_free(Prober *pr)
{
	if (pr == NULL)
		return;
	if (pr->started) {
		atomic_store(&pr->stop, true);
		curl_multi_wakeup(pr->multi);
		pthread_join(pr->thread, NULL);
	}
	for (int i = 0; i < pr->n; i++) {
		ProbeCtx *c = &pr->ctx[i];

		if (c->in_flight)
			probe_detach(pr, c);
		if (c->cert_in_flight)
			probe_cert_detach(pr, c);
		if (c->easy)
			curl_easy_cleanup(c->easy);
		if (c->cert_easy)
			curl_easy_cleanup(c->cert_easy);
		curl_slist_free_all(c->headers);
		curl_slist_free_all(c->connect_to);
		curl_slist_free_all(c->resolve);
		bodymatch_fini(&c->bm);
	}
	if (pr->multi)
		curl_multi_cleanup(pr->multi);
	if (pr->tfd >= 0)
		close(pr->tfd);
	schedule_fini(&pr->sched);
	pthread_mutex_destroy(&pr->stats_lock);
	pthread_mutex_destroy(&pr->answer_lock);
	free(pr->ctx);
	free(pr);
}
