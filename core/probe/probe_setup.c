/*
 * Building the prober: every endpoint's easy handle configured once,
 * before the probe thread starts (main thread), and the callbacks that
 * libcurl calls on those handles during a probe (probe thread).
 */
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include "base/util.h"
#include "probe/classify.h"
#include "probe/probe_int.h"

/* ---- callbacks (probe thread, inside curl_multi_perform) ---- */

static size_t
on_header(char *buf, size_t size, size_t nmemb, void *arg)
{
	ProbeCtx *c = arg;
	size_t len = size * nmemb;

	if (c->want_header && c->served_by[0] == '\0')
		classify_header(buf, len, c->ep->monitor.identify_header,
		    c->served_by, sizeof(c->served_by));
	return len;
}

static void
line_feed(ProbeCtx *c, const char *buf, size_t len)
{
	size_t room = sizeof(c->line) - c->line_len;
	size_t take = len < room ? len : room;

	memcpy(c->line + c->line_len, buf, take);
	c->line_len += take;
	if (memchr(buf, '\n', take) != NULL || c->line_len == sizeof(c->line))
		c->line_done = true;
}

/*
 * The body goes to the matcher and the identify line, never to memory;
 * at BODYMATCH_CAP the transfer is stopped (returning 0 gives
 * CURLE_WRITE_ERROR, excused by c->aborted). A smaller body is read to
 * its end even when the verdict is already known, so that a connection
 * cut mid-body is still seen as `reset`.
 */
static size_t
on_body(char *buf, size_t size, size_t nmemb, void *arg)
{
	ProbeCtx *c = arg;
	size_t len = size * nmemb;

	c->body_bytes += len;
	if (c->need_line && !c->line_done)
		line_feed(c, buf, len);
	if (c->need_body)
		bodymatch_feed(&c->bm, buf, len);
	if (c->body_bytes >= BODYMATCH_CAP) {
		c->aborted = true;
		return 0;
	}
	return len;
}

/*
 * libcurl opens its sockets through here, so drtop sees why one could
 * not be opened: no descriptors or no buffers is this machine's trouble,
 * not the endpoint's (probe thread).
 */
static curl_socket_t
open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	ProbeCtx *c = arg;
	int fd;

	(void)purpose;
	fd = socket(a->family, a->socktype, a->protocol);
	if (fd < 0)
		c->local_errno = errno;
	return fd < 0 ? CURL_SOCKET_BAD : fd;
}

int
probe_ctx_setup(Prober *pr, ProbeCtx *c, char *err, size_t errcap)
{
	const Endpoint *e = c->ep;
	const Monitor *m = &e->monitor;
	char *url = NULL;
	long ms;

	c->easy = curl_easy_init();
	if (c->easy == NULL) {
		snprintf(
		    err, errcap, "probe: %s: curl_easy_init failed", e->name);
		return -1;
	}
	if (e->url == NULL || e->url[0] == '\0') {
		snprintf(err, errcap, "probe: %s: no URL to probe", e->name);
		return -1;
	}
	if (!(m->interval > 0) || !(m->timeout > 0)) {
		snprintf(err, errcap,
		    "probe: %s: interval and timeout must be > 0", e->name);
		return -1;
	}
	c->tcp = m->protocol == PROTO_TCP;
	c->tls = m->protocol == PROTO_HTTPS;
	c->need_body = !c->tcp && m->body_contains && m->body_contains[0];
	c->need_line = !c->tcp && m->identify == IDENTIFY_BODY;
	c->want_header = !c->tcp && m->identify == IDENTIFY_HEADER &&
	    m->identify_header && m->identify_header[0];
	bodymatch_init(&c->bm, c->need_body ? m->body_contains : NULL);
	atomic_init(&c->disabled, e->disabled);
	atomic_init(&c->want_reprobe, false);

	if (c->tcp) {
		/* libcurl has no tcp:// scheme: connect-only over http://. */
		const char *rest = strstr(e->url, "://");
		url = xasprintf("http://%s/", rest ? rest + 3 : e->url);
		curl_easy_setopt(c->easy, CURLOPT_URL, url);
		curl_easy_setopt(c->easy, CURLOPT_CONNECT_ONLY, 1L);
		free(url);
	} else {
		curl_easy_setopt(c->easy, CURLOPT_URL, e->url);
		curl_easy_setopt(c->easy, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(c->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->easy, CURLOPT_PRIVATE, c);
	curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->easy, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(c->easy, CURLOPT_OPENSOCKETDATA, c);
	curl_easy_setopt(c->easy, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(c->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c->easy, CURLOPT_USERAGENT, "drtop/" DRTOP_VERSION);
	ms = (long)ceil(m->timeout * 1000.0);
	curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, ms > 0 ? ms : 1L);
	if (!m->reuse_connections) {
		curl_easy_setopt(c->easy, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(c->easy, CURLOPT_FORBID_REUSE, 1L);
	}
	curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c->easy, CURLOPT_HEADERDATA, c);
	for (int i = 0; i < m->nheaders; i++) {
		const Header *h = &m->headers[i];
		/* "Name;" is curl's way to send a header with no value. */
		char *line = h->value && h->value[0]
		    ? xasprintf("%s: %s", h->name, h->value)
		    : xasprintf("%s;", h->name);
		struct curl_slist *l = curl_slist_append(c->headers, line);

		/* The line holds a secret: wipe our copy. */
		memset(line, 0, strlen(line));
		free(line);
		if (l == NULL)
			die("out of memory (curl_slist_append)");
		c->headers = l;
	}
	if (c->headers)
		curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->headers);
	if (e->connect_to && e->connect_to[0]) {
		char *line = xasprintf("::%s", e->connect_to);

		c->connect_to = curl_slist_append(NULL, line);
		free(line);
		if (c->connect_to == NULL)
			die("out of memory (curl_slist_append)");
		curl_easy_setopt(c->easy, CURLOPT_CONNECT_TO, c->connect_to);
	}
	if (c->tls) {
		curl_easy_setopt(
		    c->easy, CURLOPT_SSL_VERIFYPEER, e->insecure ? 0L : 1L);
		curl_easy_setopt(
		    c->easy, CURLOPT_SSL_VERIFYHOST, e->insecure ? 0L : 2L);
	}
	c->cert_last = -1;
	if (c->tls && !c->is_public)
		return probe_cert_setup(c, ms > 0 ? ms : 1L, err, errcap);
	(void)pr;
	return 0;
}

Prober *
prober_new(const Profile *p, Queue *q, double t0, char *err, size_t errcap)
{
	Prober *pr = xcalloc(1, sizeof(*pr));

	pr->p = p;
	pr->q = q;
	pr->t0 = t0;
	pr->n = p->nendpoints + (p->public_ep != NULL ? 1 : 0);
	pthread_mutex_init(&pr->answer_lock, NULL);
	pr->public_via_observer =
	    p->public_ep != NULL && strcmp(p->public_resolver, "system") != 0;
	atomic_init(&pr->stop, false);
	atomic_init(&pr->control, false);
	atomic_init(&pr->nflight, 0);
	pthread_mutex_init(&pr->stats_lock, NULL);
	schedule_init(&pr->sched);
	/* Without a timerfd the poll timeout alone (ms) wakes the thread. */
	pr->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	pr->armed = -1;
	pr->ctx = xcalloc(pr->n > 0 ? (size_t)pr->n : 1, sizeof(*pr->ctx));
	pr->multi = curl_multi_init();
	if (pr->multi == NULL) {
		snprintf(err, errcap, "probe: curl_multi_init failed");
		goto fail;
	}
	for (int i = 0; i < pr->n; i++) {
		ProbeCtx *c = &pr->ctx[i];

		c->pr = pr;
		c->idx = i;
		c->is_public = i == p->nendpoints;
		c->ep = c->is_public ? p->public_ep : &p->endpoints[i];
		if (probe_ctx_setup(pr, c, err, errcap) < 0)
			goto fail;
	}
	return pr;
fail:
	prober_free(pr);
	return NULL;
}
