/*
 * The certificate fetch of an https endpoint: a second easy handle that
 * only does a TLS handshake, verification off and CERTINFO on, so the
 * certificate's days left are known whether or not it verifies. Fetched
 * right after a probe when classify_cert_due() says so (first probe,
 * hourly, a changed connection), never per probe. Probe thread, except
 * probe_cert_setup() (main thread, in prober_new()).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/util.h"
#include "probe/classify.h"
#include "probe/probe_int.h"

/*
 * The certificate fetch handle of an https endpoint: the same URL and
 * connect_to, a TLS handshake and nothing more (CONNECT_ONLY: no
 * request, so no headers and no secrets), verification off so that a
 * certificate that fails it is still read, CERTINFO on, a fresh
 * connection and a full handshake (no session reuse: a resumed session
 * could show a replaced certificate's predecessor). Main thread, in
 * prober_new().
 */
int
probe_cert_setup(ProbeCtx *c, long timeout_ms, char *err, size_t errcap)
{
	CURL *h = curl_easy_init();

	if (h == NULL) {
		snprintf(err, errcap, "probe: %s: curl_easy_init failed",
		    c->ep->name);
		return -1;
	}
	c->cert_easy = h;
	curl_easy_setopt(h, CURLOPT_URL, c->ep->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(h, CURLOPT_PRIVATE, c);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
	if (c->connect_to)
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, c->connect_to);
	return 0;
}

/* A probe's TLS outcome, to notice a changed certificate: 0 when TLS
 * did not fail, else 1 + its reason. */
static int
tls_outcome(const ProbeEvent *pe)
{
	return pe->error == PERR_TLS ? 1 + (int)pe->tls : 0;
}

/* Start a certificate fetch when one is due (probe thread, right after
 * probe pe of c, which reached the server when reached). */
void
probe_cert_maybe_fetch(
    Prober *pr, ProbeCtx *c, const ProbeEvent *pe, bool reached)
{
	double now = mono_now();
	bool changed;

	if (c->cert_easy == NULL || c->cert_in_flight || !reached)
		return;
	changed = strcmp(c->ip, c->cert_ip) != 0 || c->port != c->cert_port ||
	    tls_outcome(pe) != c->cert_outcome;
	if (!classify_cert_due(c->cert_last, changed, now))
		return;
	if (curl_multi_add_handle(pr->multi, c->cert_easy) != CURLM_OK)
		return; /* tried again after the next probe */
	c->cert_in_flight = true;
	c->cert_last = now;
	str_copy(c->cert_ip, sizeof(c->cert_ip), c->ip);
	c->cert_port = c->port;
	c->cert_outcome = tls_outcome(pe);
	pthread_mutex_lock(&pr->stats_lock);
	pr->stats.cert_fetches++;
	pthread_mutex_unlock(&pr->stats_lock);
}

void
probe_cert_detach(Prober *pr, ProbeCtx *c)
{
	curl_multi_remove_handle(pr->multi, c->cert_easy);
	c->cert_in_flight = false;
}

/*
 * A certificate fetch ended: the leaf's "Expire date" gives the days
 * left; a `cert` event goes out the first time they are known and
 * whenever they change. A fetch that failed (no handshake) changes
 * nothing. Probe thread.
 */
void
probe_cert_finish(Prober *pr, ProbeCtx *c, CURLcode code)
{
	struct curl_certinfo *ci = NULL;
	const char *expire = NULL, *subject = NULL;
	int days;
	Event ev;

	probe_cert_detach(pr, c);
	if (code != CURLE_OK ||
	    curl_easy_getinfo(c->cert_easy, CURLINFO_CERTINFO, &ci) !=
	        CURLE_OK ||
	    ci == NULL || ci->num_of_certs < 1)
		return;
	for (struct curl_slist *l = ci->certinfo[0]; l; l = l->next) {
		if (str_starts(l->data, "Expire date:"))
			expire = l->data + strlen("Expire date:");
		else if (str_starts(l->data, "Subject:"))
			subject = l->data + strlen("Subject:");
	}
	if (expire == NULL || !classify_cert_days(expire, real_now(), &days))
		return;
	if (c->cert_known && c->cert_days == days)
		return;
	c->cert_known = true;
	c->cert_days = days;
	event_init(&ev, EV_CERT, mono_now() - pr->t0);
	str_copy(ev.u.cert.endpoint, sizeof(ev.u.cert.endpoint), c->ep->name);
	ev.u.cert.days_left = days;
	ev.u.cert.warning = classify_cert_warning(days);
	if (subject)
		str_copy(ev.u.cert.subject, sizeof(ev.u.cert.subject), subject);
	queue_try_push(pr->q, &ev);
}
