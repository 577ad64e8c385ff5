/*
 * sim: simulated regions on loopback. See sim.h for the DESIGN comment;
 * the HTTP server under the regions and the control interface is
 * core/sim/httpd, the fault model core/sim/fault.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/jsonw.h"
#include "base/thread.h"
#include "base/util.h"
#include "sim/httpd.h"
#include "sim/httpreq.h"
#include "sim/netaddr.h"
#include "sim/sim.h"

#define SIM_MAX_ROUTES 32
#define SIM_HUGE_CHUNK (64 * 1024)
#define SIM_RESET_CLAIMED 1000 /* Content-Length claimed by `reset` */
#define SIM_SERVER "drtop-sim" /* the Server header */

typedef struct {
	Sim *sim;
	char name[SIM_NAME_MAX];
	char url[128];
	HttpdListener *lst; /* owned by s->httpd */
	/* Under Sim.lock: */
	SimFault fault;
	long long requests;
	unsigned long long fault_requests; /* under the current fault */
	char err[192]; /* why the last re-listen failed, or "" */
} Region;

typedef struct {
	char method[16]; /* "" = any */
	char prefix[128];
	SimRouteFn fn;
	void *ctx;
} Route;

struct Sim {
	/* Immutable after sim_start. */
	char bind[64];
	Region *regions;
	int nregions;
	Httpd *httpd;
	HttpdListener *control; /* NULL without a control interface */
	pthread_t thread;
	bool started;
	void (*log)(void *ctx, const char *msg);
	void *log_ctx;

	/* Sim.lock guards the Region fields marked so, and: */
	pthread_mutex_t lock;
	pthread_cond_t applied; /* gen_done moved */
	unsigned long long gen_req, gen_done;
	bool dead; /* the server thread has returned */
	char forced[SIM_NAME_MAX]; /* "" = automatic */
	Route routes[SIM_MAX_ROUTES];
	int nroutes;
};

static const char filler[] =
    "drtop simulated endless body: "
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n";
static char huge_chunk[SIM_HUGE_CHUNK];
static pthread_once_t huge_once = PTHREAD_ONCE_INIT;

static void
huge_init(void)
{
	size_t n = sizeof(filler) - 1;

	for (size_t i = 0; i < sizeof(huge_chunk); i++)
		huge_chunk[i] = filler[i % n];
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

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

/* ---- region answers ---- */

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
		    rg->name, SIM_RESET_CLAIMED, rg->name);
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
		    huge_chunk, sizeof(huge_chunk));
		break;
	case SIM_ANSWER_GARBAGE:
		httpconn_send_raw(c, garbage_bytes, sizeof(garbage_bytes) - 1,
		    HTTPCONN_THEN_CLOSE, NULL, 0);
		break;
	}
}

/* ---- control interface ---- */

static void control_dispatch(Sim *s, const SimRequest *req, SimResponse *resp);

static void
control_answer(void *ctx, HttpConn *c, const HttpReq *r)
{
	Sim *s = ctx;
	char *body = xstrndup(r->body, r->body_len);
	char *path = xstrdup(r->target);
	char *q = strchr(path, '?');
	SimRequest req = {
	    .method = r->method,
	    .path = path,
	    .query = "",
	    .body = body,
	    .body_len = strlen(body),
	};
	SimResponse resp = {.status = 404, .content_type = NULL, .body = NULL};

	if (q != NULL) {
		*q = '\0';
		req.query = q + 1;
	}
	control_dispatch(s, &req, &resp);
	const char *b = resp.body != NULL ? resp.body : "";
	httpconn_respond(c, resp.status, NULL,
	    resp.content_type != NULL ? resp.content_type : "application/json",
	    b, strlen(b), strcmp(r->method, "HEAD") == 0);
	free(resp.body);
	free(path);
	free(body);
}

/* ---- listeners follow the faults (server thread) ---- */

/* Open or close region i's listener to match its fault. */
static void
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
		return;
	}
	if (httpd_listener_open(s->httpd, rg->lst, err, sizeof(err)) == 0)
		return;
	pthread_mutex_lock(&s->lock);
	rg->fault = (SimFault){.kind = SIM_FAULT_REFUSE, .arg = 0};
	str_copy(rg->err, sizeof(rg->err), err);
	pthread_mutex_unlock(&s->lock);
}

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
		region_reconcile(s, i);
		if (!httpd_listener_is_open(l))
			httpd_listener_drop_idle(s->httpd, l);
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

Sim *
sim_start(const SimConfig *cfg, char *err, size_t cap)
{
	char herr[256];
	Sim *s;

	if (sim_config_check(cfg, err, cap) != 0)
		return NULL;
	pthread_once(&huge_once, huge_init);
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
	s->nregions = cfg->nregions;
	s->regions = xcalloc((size_t)cfg->nregions, sizeof(*s->regions));
	for (int i = 0; i < s->nregions; i++) {
		Region *rg = &s->regions[i];
		char hdr[SIM_NAME_MAX + 16];
		rg->sim = s;
		str_copy(rg->name, sizeof(rg->name), cfg->regions[i].name);
		snprintf(hdr, sizeof(hdr), "X-Region: %s\r\n", rg->name);
		rg->lst = httpd_listener_new(s->httpd, rg->name,
		    cfg->regions[i].port, hdr, region_answer, rg);
		if (httpd_listener_open(s->httpd, rg->lst, err, cap) != 0)
			goto fail;
		snprintf(rg->url, sizeof(rg->url), "http://%s:%d/health",
		    httpd_host(s->httpd), httpd_listener_port(rg->lst));
	}
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
sim_control_port(const Sim *s)
{
	return s->control != NULL ? httpd_listener_port(s->control) : -1;
}

const char *
sim_bind_addr(const Sim *s)
{
	return s->bind;
}

static void sim_log(Sim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
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

/* Under s->lock. */
static bool
tm_choice_locked(Sim *s, char *out, size_t cap)
{
	if (s->forced[0] != '\0') {
		str_copy(out, cap, s->forced);
		return true;
	}
	for (int i = 0; i < s->nregions; i++) {
		if (sim_fault_healthy(&s->regions[i].fault)) {
			str_copy(out, cap, s->regions[i].name);
			return true;
		}
	}
	str_copy(out, cap, s->regions[0].name);
	return false;
}

bool
sim_tm_choice(Sim *s, char *out, size_t cap)
{
	bool ok;

	pthread_mutex_lock(&s->lock);
	ok = tm_choice_locked(s, out, cap);
	pthread_mutex_unlock(&s->lock);
	return ok;
}

int
sim_tm_force(Sim *s, const char *region, char *err, size_t cap)
{
	if (region != NULL && strcmp(region, "auto") != 0 &&
	    sim_region_find(s, region) < 0) {
		snprintf(err, cap, "tm force \"%s\": no such region", region);
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	str_copy(s->forced, sizeof(s->forced),
	    region == NULL || strcmp(region, "auto") == 0 ? "" : region);
	pthread_mutex_unlock(&s->lock);
	if (region == NULL || strcmp(region, "auto") == 0)
		sim_log(s, "tm: automatic");
	else
		sim_log(s, "tm: forced %s", region);
	return 0;
}

void
sim_tm_forced(Sim *s, char *out, size_t cap)
{
	pthread_mutex_lock(&s->lock);
	str_copy(out, cap, s->forced);
	pthread_mutex_unlock(&s->lock);
}

/* Under s->lock. */
static void
json_region_locked(Sim *s, JsonW *w, int i)
{
	char text[SIM_FAULT_TEXT_MAX];
	Region *rg = &s->regions[i];

	sim_fault_format(&rg->fault, text, sizeof(text));
	jsonw_obj_open(w);
	jsonw_key_str(w, "name", rg->name);
	jsonw_key_str(w, "url", rg->url);
	jsonw_key_int(w, "port", httpd_listener_port(rg->lst));
	jsonw_key_str(w, "fault", text);
	jsonw_key_bool(w, "healthy", sim_fault_healthy(&rg->fault));
	jsonw_key_int(w, "requests", rg->requests);
	if (rg->err[0] != '\0')
		jsonw_key_str(w, "error", rg->err);
	jsonw_obj_close(w);
}

/* Under s->lock. */
static void
json_tm_locked(Sim *s, JsonW *w)
{
	char choice[SIM_NAME_MAX];
	bool healthy = tm_choice_locked(s, choice, sizeof(choice));

	jsonw_obj_open(w);
	if (s->forced[0] != '\0')
		jsonw_key_str(w, "forced", s->forced);
	else
		jsonw_key_null(w, "forced");
	jsonw_key_str(w, "choice", choice);
	jsonw_key_bool(w, "healthy", healthy);
	jsonw_obj_close(w);
}

static size_t
json_cap(const Sim *s)
{
	return 1024 + (size_t)s->nregions * (3 * SIM_NAME_MAX + 512);
}

char *
sim_state_json(Sim *s)
{
	size_t cap = json_cap(s);
	char *buf = xmalloc(cap);
	JsonW w;

	jsonw_init(&w, buf, cap);
	pthread_mutex_lock(&s->lock);
	jsonw_obj_open(&w);
	jsonw_key(&w, "regions");
	jsonw_arr_open(&w);
	for (int i = 0; i < s->nregions; i++)
		json_region_locked(s, &w, i);
	jsonw_arr_close(&w);
	jsonw_key(&w, "tm");
	json_tm_locked(s, &w);
	jsonw_obj_close(&w);
	pthread_mutex_unlock(&s->lock);
	jsonw_raw(&w, "\n", 1);
	if (jsonw_finish(&w) == 0)
		die("sim: state JSON does not fit in %zu bytes", cap);
	return buf;
}

int
sim_add_route(
    Sim *s, const char *method, const char *prefix, SimRouteFn fn, void *ctx)
{
	int rc = -1;

	pthread_mutex_lock(&s->lock);
	if (s->nroutes < SIM_MAX_ROUTES) {
		Route *r = &s->routes[s->nroutes++];
		str_copy(
		    r->method, sizeof(r->method), method != NULL ? method : "");
		str_copy(r->prefix, sizeof(r->prefix), prefix);
		r->fn = fn;
		r->ctx = ctx;
		rc = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- built-in control routes ---- */

static char *
json_error(const char *msg)
{
	char buf[512];
	JsonW w;

	jsonw_init(&w, buf, sizeof(buf));
	jsonw_obj_open(&w);
	jsonw_key_str(&w, "error", msg);
	jsonw_obj_close(&w);
	jsonw_raw(&w, "\n", 1);
	if (jsonw_finish(&w) == 0)
		return xstrdup("{\"error\":\"bad request\"}\n");
	return xstrdup(buf);
}

static void
resp_error(SimResponse *resp, int status, const char *msg)
{
	resp->status = status;
	resp->body = json_error(msg);
}

static char *
region_json(Sim *s, int i)
{
	size_t cap = 3 * SIM_NAME_MAX + 512;
	char *buf = xmalloc(cap);
	JsonW w;

	jsonw_init(&w, buf, cap);
	pthread_mutex_lock(&s->lock);
	json_region_locked(s, &w, i);
	pthread_mutex_unlock(&s->lock);
	jsonw_raw(&w, "\n", 1);
	if (jsonw_finish(&w) == 0)
		die("sim: region JSON does not fit");
	return buf;
}

static char *
tm_json(Sim *s)
{
	size_t cap = 3 * SIM_NAME_MAX + 128;
	char *buf = xmalloc(cap);
	JsonW w;

	jsonw_init(&w, buf, cap);
	pthread_mutex_lock(&s->lock);
	json_tm_locked(s, &w);
	pthread_mutex_unlock(&s->lock);
	jsonw_raw(&w, "\n", 1);
	if (jsonw_finish(&w) == 0)
		die("sim: tm JSON does not fit");
	return buf;
}

static void
route_fault(Sim *s, const SimRequest *req, SimResponse *resp, int i)
{
	char err[256];
	SimFault f;
	char *text = NULL;

	if (strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0)
		text = xstrdup(req->body);
	else if (strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0)
		text = httpreq_query_get(req->query, "set");
	else {
		resp_error(resp, 405, "use GET or POST");
		return;
	}
	if (text == NULL) { /* GET without ?set=: the current state */
		resp->status = 200;
		resp->body = region_json(s, i);
		return;
	}
	if (sim_fault_parse(text, &f, err, sizeof(err)) != 0) {
		resp_error(resp, 400, err);
	} else if (sim_set_fault(s, s->regions[i].name, &f, err, sizeof(err)) !=
	    0) {
		resp_error(resp, 500, err);
	} else {
		resp->status = 200;
		resp->body = region_json(s, i);
	}
	free(text);
}

static void
route_force(Sim *s, const SimRequest *req, SimResponse *resp)
{
	char err[256];
	char *text;

	if (strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0)
		text = xstrdup(req->body);
	else if (strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0)
		text = httpreq_query_get(req->query, "set");
	else {
		resp_error(resp, 405, "use GET or POST");
		return;
	}
	if (text == NULL) {
		resp->status = 200;
		resp->body = tm_json(s);
		return;
	}
	/* Trim white space (curl -d, echo). */
	char *b = text;
	while (is_space(*b))
		b++;
	size_t n = strlen(b);
	while (n > 0 && is_space(b[n - 1]))
		b[--n] = '\0';
	if (n == 0) {
		resp_error(
		    resp, 400, "tm force: body must be a region or auto");
	} else if (sim_tm_force(s, b, err, sizeof(err)) != 0) {
		resp_error(resp, 404, err);
	} else {
		resp->status = 200;
		resp->body = tm_json(s);
	}
	free(text);
}

static void
control_builtin(Sim *s, const SimRequest *req, SimResponse *resp)
{
	const char *p = req->path;
	bool get =
	    strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;

	if (strcmp(p, "/") == 0 || strcmp(p, "/regions") == 0 ||
	    strcmp(p, "/regions/") == 0) {
		if (!get) {
			resp_error(resp, 405, "use GET");
			return;
		}
		resp->status = 200;
		resp->body = sim_state_json(s);
		return;
	}
	if (strcmp(p, "/tm") == 0) {
		if (!get) {
			resp_error(resp, 405, "use GET");
			return;
		}
		resp->status = 200;
		resp->body = tm_json(s);
		return;
	}
	if (strcmp(p, "/tm/force") == 0) {
		route_force(s, req, resp);
		return;
	}
	if (str_starts(p, "/regions/")) {
		const char *name = p + strlen("/regions/");
		const char *slash = strchr(name, '/');
		size_t nl =
		    slash != NULL ? (size_t)(slash - name) : strlen(name);
		char rname[SIM_NAME_MAX];
		int i = -1;
		if (nl < sizeof(rname)) {
			memcpy(rname, name, nl);
			rname[nl] = '\0';
			i = sim_region_find(s, rname);
		}
		if (i < 0) {
			char msg[128];
			snprintf(msg, sizeof(msg), "no such region \"%.*s\"",
			    (int)(nl < 64 ? nl : 64), name);
			resp_error(resp, 404, msg);
			return;
		}
		if (slash == NULL || strcmp(slash, "/") == 0) {
			if (!get) {
				resp_error(resp, 405, "use GET");
				return;
			}
			resp->status = 200;
			resp->body = region_json(s, i);
			return;
		}
		if (strcmp(slash, "/fault") == 0) {
			route_fault(s, req, resp, i);
			return;
		}
	}
	resp_error(resp, 404, "no such route (see GET /regions)");
}

static void
control_dispatch(Sim *s, const SimRequest *req, SimResponse *resp)
{
	Route hit = {.fn = NULL};

	pthread_mutex_lock(&s->lock);
	for (int i = s->nroutes - 1; i >= 0; i--) {
		Route *r = &s->routes[i];
		if (r->method[0] != '\0' && strcmp(r->method, req->method) != 0)
			continue;
		if (!str_starts(req->path, r->prefix))
			continue;
		hit = *r;
		break;
	}
	pthread_mutex_unlock(&s->lock);
	if (hit.fn != NULL) {
		hit.fn(s, req, resp, hit.ctx);
		if (resp->status < 100 || resp->status > 599)
			resp->status = 500;
		return;
	}
	control_builtin(s, req, resp);
}
