/*
 * region: what a simulated region answers, given its fault
 * (sim_fault_answer in core/sim/fault), and its listeners (the region's
 * own, and the public one on its DNS address when there is one), which
 * are open unless the fault is refuse. Handlers run on the server thread (see
 * sim.h and httpd.h); the Region fields they read under Sim.lock are
 * the fault and the counters.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "sim/fault.h"
#include "sim/httpd.h"
#include "sim/sim_int.h"

#define REGION_RESET_CLAIMED 1000 /* Content-Length claimed by `reset` */
#define REGION_ENDLESS_CHUNK (64 * 1024)

static const char filler[] =
    "drtop simulated endless body: "
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n";
/* What `huge` repeats: filled once, then read-only from any thread. */
static char endless_chunk[REGION_ENDLESS_CHUNK];
static pthread_once_t endless_once = PTHREAD_ONCE_INIT;

static void
endless_init(void)
{
	size_t n = sizeof(filler) - 1;

	for (size_t i = 0; i < sizeof(endless_chunk); i++)
		endless_chunk[i] = filler[i % n];
}

static const char garbage_bytes[] =
    "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"
    "\xde\xad\xbe\xef drtop-sim garbage: this is not HTTP \x00\xff\xfe\r\n"
    "\x7f\x45\x4c\x46\x02\x01\x01\r\n\r\n";

static void
region_answer(void *ctx, HttpConn *c, const HttpReq *r)
{
	Region *rg = ctx;
	Sim *s = rg->sim;
	bool head = strcmp(r->method, "HEAD") == 0;
	SimFault f;
	SimAnswer a;
	unsigned long long n;
	char body[SIM_NAME_MAX + 64], extra[128] = "", raw[512];
	size_t len;

	pthread_mutex_lock(&s->lock);
	rg->requests++;
	f = rg->fault;
	n = rg->fault_requests++;
	pthread_mutex_unlock(&s->lock);
	a = sim_fault_answer(&f, n);

	if (!head && strcmp(r->method, "GET") != 0) {
		httpconn_respond_error(c, 405, "only GET and HEAD");
		return;
	}
	switch (a.kind) {
	case SIM_ANSWER_STATUS:
		if (a.status != 200)
			len = (size_t)snprintf(body, sizeof(body),
			    "%s\nsimulated status %d\n", rg->name, a.status);
		else
			len = (size_t)snprintf(
			    body, sizeof(body), "%s\n", rg->name);
		if (a.status >= 300 && a.status <= 399)
			snprintf(extra, sizeof(extra),
			    "Location: http://%s:%d/moved\r\n",
			    httpd_host(s->httpd), httpd_listener_port(rg->lst));
		httpconn_respond(
		    c, a.status, extra, "text/plain", body, len, head);
		break;
	case SIM_ANSWER_DROP:
		/* A connection from before the listener closed: the region
		 * is gone, close without an answer. */
		httpconn_drop(c);
		break;
	case SIM_ANSWER_DELAY:
		/* The body goes out for HEAD too, as it always has. */
		len = (size_t)snprintf(body, sizeof(body), "%s\n", rg->name);
		httpconn_respond(c, 200, NULL, "text/plain", body, len, false);
		httpconn_hold(c, a.delay_ms);
		break;
	case SIM_ANSWER_SILENCE:
		httpconn_ignore(c);
		break;
	case SIM_ANSWER_RESET:
		len = (size_t)snprintf(raw, sizeof(raw),
		    "HTTP/1.1 200 OK\r\nX-Region: %s\r\n"
		    "Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
		    "%s\npartial",
		    rg->name, REGION_RESET_CLAIMED, rg->name);
		httpconn_send_raw(c, raw, len, HTTPCONN_THEN_RESET, NULL, 0);
		break;
	case SIM_ANSWER_ENDLESS:
		len = (size_t)snprintf(raw, sizeof(raw),
		    "HTTP/1.1 200 OK\r\nServer: " SIM_SERVER "\r\n"
		    "X-Region: %s\r\nContent-Type: text/plain\r\n"
		    "Connection: close\r\n\r\n%s%s",
		    rg->name, head ? "" : rg->name, head ? "" : "\n");
		httpconn_send_raw(c, raw, len,
		    head ? HTTPCONN_THEN_CLOSE : HTTPCONN_THEN_ENDLESS,
		    endless_chunk, sizeof(endless_chunk));
		break;
	case SIM_ANSWER_GARBAGE:
		httpconn_send_raw(c, garbage_bytes, sizeof(garbage_bytes) - 1,
		    HTTPCONN_THEN_CLOSE, NULL, 0);
		break;
	}
}

int
region_init(Sim *s, Region *rg, const SimRegionSpec *spec, int public_port,
    char *err, size_t cap)
{
	char hdr[SIM_NAME_MAX + 16], name[SIM_NAME_MAX + 16], addr[16];

	pthread_once(&endless_once, endless_init);
	rg->sim = s;
	str_copy(rg->name, sizeof(rg->name), spec->name);
	snprintf(hdr, sizeof(hdr), "X-Region: %s\r\n", rg->name);
	rg->lst = httpd_listener_new(
	    s->httpd, rg->name, spec->port, hdr, region_answer, rg);
	if (httpd_listener_open(s->httpd, rg->lst, err, cap) != 0)
		return -1;
	snprintf(rg->url, sizeof(rg->url), "http://%s:%d/health",
	    httpd_host(s->httpd), httpd_listener_port(rg->lst));
	if (public_port < 0)
		return 0;
	/* The same answers on the region's DNS address, where a client
	 * that resolved the service name connects. */
	snprintf(name, sizeof(name), "%s public", rg->name);
	sim_region_public_addr(s, (int)(rg - s->regions), addr, sizeof(addr));
	rg->pub = httpd_listener_new(
	    s->httpd, name, public_port, hdr, region_answer, rg);
	if (httpd_listener_set_addr(rg->pub, addr) != 0) {
		snprintf(err, cap, "%s: bad address %s", name, addr);
		return -1;
	}
	return httpd_listener_open(s->httpd, rg->pub, err, cap);
}

void
region_reconcile(Sim *s, int i)
{
	Region *rg = &s->regions[i];
	char err[sizeof(rg->err)];
	bool want;

	pthread_mutex_lock(&s->lock);
	want = sim_fault_listens(&rg->fault);
	pthread_mutex_unlock(&s->lock);
	if (!want) {
		httpd_listener_close(s->httpd, rg->lst);
		if (rg->pub != NULL)
			httpd_listener_close(s->httpd, rg->pub);
		return;
	}
	if (httpd_listener_open(s->httpd, rg->lst, err, sizeof(err)) == 0 &&
	    (rg->pub == NULL ||
	        httpd_listener_open(s->httpd, rg->pub, err, sizeof(err)) == 0))
		return;
	/* Either could not listen again: refuse on both. */
	httpd_listener_close(s->httpd, rg->lst);
	if (rg->pub != NULL)
		httpd_listener_close(s->httpd, rg->pub);
	pthread_mutex_lock(&s->lock);
	rg->fault = (SimFault){.kind = SIM_FAULT_REFUSE, .arg = 0};
	str_copy(rg->err, sizeof(rg->err), err);
	pthread_mutex_unlock(&s->lock);
}
