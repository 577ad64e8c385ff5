/*
 * sim: the simulator's lifecycle, its configuration checks, the
 * accessors and the fault switch: sim_set_fault() on any thread, and
 * faults_apply() on the server thread, which makes the listeners follow
 * the faults and releases the callers waiting. See sim.h for the DESIGN;
 * sim_int.h says which file has the rest.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/thread.h"
#include "base/util.h"
#include "sim/httpd.h"
#include "sim/netaddr.h"
#include "sim/sim.h"
#include "sim/sim_int.h"
#include "sim/simdns.h"

/* ---- configuration ---- */

bool
sim_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= SIM_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		        (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		        c == '-'))
			return false;
	}
	return true;
}

bool
sim_addr_is_loopback(const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len;

	return netaddr_make(addr, 0, &ss, &len) == 0 &&
	    netaddr_is_loopback(&ss);
}

int
sim_config_check(const SimConfig *cfg, char *err, size_t cap)
{
	const char *bind = cfg->bind != NULL ? cfg->bind : "127.0.0.1";

	if (!sim_addr_is_loopback(bind)) {
		snprintf(err, cap,
		    "bind address \"%s\": must be a numeric loopback "
		    "address (127.0.0.0/8 or ::1)",
		    bind);
		return -1;
	}
	if (cfg->nregions < 1 || cfg->regions == NULL) {
		snprintf(err, cap, "regions: at least one region is needed");
		return -1;
	}
	if ((int)cfg->manager < 0 || cfg->manager >= SIM_TM__MANAGERS) {
		snprintf(err, cap, "manager: automatic or manual");
		return -1;
	}
	if (cfg->public_listen &&
	    (cfg->public_port < 0 || cfg->public_port > 65535)) {
		snprintf(err, cap, "public port %d: must be 0-65535",
		    cfg->public_port);
		return -1;
	}
	if (cfg->control_port < -1 || cfg->control_port > 65535) {
		snprintf(err, cap, "control port %d: must be 0-65535",
		    cfg->control_port);
		return -1;
	}
	for (int i = 0; i < cfg->nregions; i++) {
		const SimRegionSpec *r = &cfg->regions[i];
		if (r->name == NULL || !sim_name_valid(r->name)) {
			snprintf(err, cap,
			    "regions[%d]: \"%s\" is not a region name "
			    "(1-%d of A-Z a-z 0-9 . _ -)",
			    i, r->name != NULL ? r->name : "",
			    SIM_NAME_MAX - 1);
			return -1;
		}
		if (r->port < 0 || r->port > 65535) {
			snprintf(err, cap,
			    "regions[%d] (%s): port %d: must be 0-65535", i,
			    r->name, r->port);
			return -1;
		}
		for (int j = 0; j < i; j++) {
			if (strcmp(cfg->regions[j].name, r->name) == 0) {
				snprintf(err, cap,
				    "regions[%d]: \"%s\" appears twice", i,
				    r->name);
				return -1;
			}
			if (r->port != 0 && cfg->regions[j].port == r->port) {
				snprintf(err, cap,
				    "regions[%d] (%s): port %d is also "
				    "region %s's",
				    i, r->name, r->port, cfg->regions[j].name);
				return -1;
			}
		}
		if (r->port != 0 && r->port == cfg->control_port) {
			snprintf(err, cap,
			    "regions[%d] (%s): port %d is also the control "
			    "port",
			    i, r->name, r->port);
			return -1;
		}
	}
	return 0;
}

/* ---- the server thread ---- */

/*
 * The server's on_wake, between event batches: listeners follow the
 * faults, and kept-alive connections of refused regions are closed (a
 * client must not reach a refused region over an old connection); then
 * the sim_set_fault() callers waiting are released.
 */
static void
faults_apply(void *ctx)
{
	Sim *s = ctx;
	unsigned long long gen;

	pthread_mutex_lock(&s->lock);
	gen = s->gen_req;
	pthread_mutex_unlock(&s->lock);
	for (int i = 0; i < s->nregions; i++) {
		HttpdListener *l = s->regions[i].lst;
		HttpdListener *pub = s->regions[i].pub;
		region_reconcile(s, i);
		if (!httpd_listener_is_open(l))
			httpd_listener_drop_idle(s->httpd, l);
		if (pub != NULL && !httpd_listener_is_open(pub))
			httpd_listener_drop_idle(s->httpd, pub);
	}
	pthread_mutex_lock(&s->lock);
	if (gen > s->gen_done)
		s->gen_done = gen;
	pthread_cond_broadcast(&s->applied);
	pthread_mutex_unlock(&s->lock);
}

static void *
server_main(void *arg)
{
	Sim *s = arg;

	httpd_run(s->httpd);
	/* Release any sim_set_fault() still waiting (epoll failed). */
	pthread_mutex_lock(&s->lock);
	s->dead = true;
	pthread_cond_broadcast(&s->applied);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* ---- lifecycle ---- */

/*
 * The port the public listeners share: port when it is not 0; else a
 * port the kernel gives on the first region's address that is also
 * free on every other region's (tried a few times). Two regions with
 * one address are an error naming them. Returns the port, or -1 with
 * err set. sim_start only.
 */
static void
public_addr(const char *region, char *out, size_t cap)
{
	uint8_t a[4];

	simdns_region_addr(region, a);
	snprintf(out, cap, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

static int
public_port_pick(const SimConfig *cfg, char *err, size_t cap)
{
	const SimRegionSpec *r = cfg->regions;
	int n_regions = cfg->nregions, port = cfg->public_port;
	char addr[16], other[16];
	struct sockaddr_storage ss;
	socklen_t len;
	int *fds = xcalloc((size_t)n_regions, sizeof(*fds));
	int got = -1;

	for (int i = 0; i < n_regions; i++) {
		public_addr(r[i].name, addr, sizeof(addr));
		for (int j = 0; j < i; j++) {
			public_addr(r[j].name, other, sizeof(other));
			if (strcmp(addr, other) == 0) {
				snprintf(err, cap,
				    "regions %s and %s: one public address "
				    "(%s); rename one",
				    r[j].name, r[i].name, addr);
				goto out;
			}
		}
	}
	if (port != 0) {
		got = port;
		goto out;
	}
	for (int attempt = 0; attempt < 8 && got < 0; attempt++) {
		int n = 0, p = -1;

		for (; n < n_regions; n++) {
			public_addr(r[n].name, addr, sizeof(addr));
			netaddr_make(addr, p < 0 ? 0 : p, &ss, &len);
			fds[n] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (fds[n] < 0 ||
			    bind(fds[n], (struct sockaddr *)&ss, len) != 0)
				break;
			if (p < 0)
				p = netaddr_bound_port(fds[n]);
		}
		if (n == n_regions)
			got = p;
		else if (fds[n] >= 0)
			close(fds[n]);
		for (int k = 0; k < n; k++)
			close(fds[k]);
	}
	if (got < 0)
		snprintf(err, cap,
		    "public listeners: no port free on every "
		    "region's address");
out:
	free(fds);
	return got;
}

Sim *
sim_start(const SimConfig *cfg, char *err, size_t cap)
{
	char herr[256];
	Sim *s;

	if (sim_config_check(cfg, err, cap) != 0)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->applied, NULL);
	str_copy(s->bind, sizeof(s->bind),
	    cfg->bind != NULL ? cfg->bind : "127.0.0.1");
	s->log = cfg->log;
	s->log_ctx = cfg->log_ctx;
	HttpdConfig hc = {.bind = s->bind,
	    .server = SIM_SERVER,
	    .on_wake = faults_apply,
	    .ctx = s};
	s->httpd = httpd_new(&hc, herr, sizeof(herr));
	if (s->httpd == NULL) {
		snprintf(err, cap, "sim: %s", herr);
		goto fail;
	}
	s->manager = cfg->manager;
	s->nregions = cfg->nregions;
	s->regions = xcalloc((size_t)cfg->nregions, sizeof(*s->regions));
	s->public_port = -1;
	if (cfg->public_listen &&
	    (s->public_port = public_port_pick(cfg, err, cap)) < 0)
		goto fail;
	for (int i = 0; i < s->nregions; i++)
		if (region_init(s, &s->regions[i], &cfg->regions[i],
		        s->public_port, err, cap) != 0)
			goto fail;
	if (cfg->control_port >= 0) {
		s->control = httpd_listener_new(s->httpd, "control",
		    cfg->control_port, NULL, control_answer, s);
		if (httpd_listener_open(s->httpd, s->control, err, cap) != 0)
			goto fail;
	}
	int rc = thread_start(&s->thread, server_main, s);
	if (rc != 0) {
		snprintf(err, cap, "sim: thread: %s", strerror(rc));
		goto fail;
	}
	s->started = true;
	return s;
fail:
	sim_stop(s);
	return NULL;
}

void
sim_stop(Sim *s)
{
	if (s == NULL)
		return;
	if (s->started) {
		httpd_stop(s->httpd);
		pthread_join(s->thread, NULL);
	}
	httpd_free(s->httpd);
	pthread_cond_destroy(&s->applied);
	pthread_mutex_destroy(&s->lock);
	free(s->regions);
	free(s);
}

/* ---- accessors ---- */

int
sim_region_count(const Sim *s)
{
	return s->nregions;
}

const char *
sim_region_name(const Sim *s, int i)
{
	return s->regions[i].name;
}

int
sim_region_port(const Sim *s, int i)
{
	return httpd_listener_port(s->regions[i].lst);
}

const char *
sim_region_url(const Sim *s, int i)
{
	return s->regions[i].url;
}

int
sim_region_find(const Sim *s, const char *name)
{
	for (int i = 0; i < s->nregions; i++)
		if (strcmp(s->regions[i].name, name) == 0)
			return i;
	return -1;
}

int
sim_public_port(const Sim *s)
{
	return s->public_port;
}

void
sim_region_public_addr(const Sim *s, int i, char *out, size_t cap)
{
	public_addr(s->regions[i].name, out, cap);
}

int
sim_control_port(const Sim *s)
{
	return s->control != NULL ? httpd_listener_port(s->control) : -1;
}

const char *
sim_bind_addr(const Sim *s)
{
	return s->bind;
}

/* ---- the fault switch ---- */

void
sim_log(Sim *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (s->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->log(s->log_ctx, msg);
}

int
sim_set_fault(
    Sim *s, const char *region, const SimFault *f, char *err, size_t cap)
{
	int i = sim_region_find(s, region);
	char ferr[128];
	char text[SIM_FAULT_TEXT_MAX];
	int rc = 0;

	if (i < 0) {
		snprintf(err, cap, "region \"%s\": no such region", region);
		return -1;
	}
	/* Validate through the text form so every way in agrees. */
	sim_fault_format(f, text, sizeof(text));
	SimFault chk;
	if (sim_fault_parse(text, &chk, ferr, sizeof(ferr)) != 0 ||
	    chk.kind != f->kind || chk.arg != f->arg) {
		snprintf(err, cap, "region %s: %s", region, ferr);
		return -1;
	}
	Region *rg = &s->regions[i];
	pthread_mutex_lock(&s->lock);
	rg->fault = *f;
	rg->fault_requests = 0;
	rg->err[0] = '\0';
	unsigned long long my = ++s->gen_req;
	pthread_mutex_unlock(&s->lock);
	if (httpd_on_server_thread(s->httpd)) {
		/* From a route handler, inside an event batch: the listener
		 * now, idle connections after the batch (faults_apply). */
		region_reconcile(s, i);
		httpd_wake(s->httpd);
	} else if (s->started) {
		httpd_wake(s->httpd);
		pthread_mutex_lock(&s->lock);
		while (s->gen_done < my && !s->dead)
			pthread_cond_wait(&s->applied, &s->lock);
		pthread_mutex_unlock(&s->lock);
	}
	pthread_mutex_lock(&s->lock);
	if (rg->err[0] != '\0') {
		snprintf(err, cap, "region %s: cannot listen again: %s", region,
		    rg->err);
		rc = -1;
	}
	pthread_mutex_unlock(&s->lock);
	if (rc == 0)
		sim_log(s, "%s: fault %s", region, text);
	else
		sim_log(s, "%s", err);
	return rc;
}

SimFault
sim_get_fault(Sim *s, int i)
{
	SimFault f;

	pthread_mutex_lock(&s->lock);
	f = s->regions[i].fault;
	pthread_mutex_unlock(&s->lock);
	return f;
}

long long
sim_region_requests(Sim *s, int i)
{
	long long n;

	pthread_mutex_lock(&s->lock);
	n = s->regions[i].requests;
	pthread_mutex_unlock(&s->lock);
	return n;
}
