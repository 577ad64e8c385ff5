/*
 * control: the simulator's control interface, HTTP on loopback. The
 * routes other modules add (sim_add_route), tried newest first, then the
 * built-in ones:
 *
 *   GET  /, /regions                   the state (sim_state_json)
 *   GET  /regions/NAME                 one region
 *   POST /regions/NAME/fault  TEXT     switch its fault; the region after
 *   GET  /regions/NAME/fault?set=TEXT  the same, for a browser
 *   GET  /tm                           the traffic manager's answer
 *   POST /tm/force  NAME|auto          tell it (GET ?set= as above)
 *   POST /tm/manager  automatic|manual switch the manager (GET ?set=)
 *
 * Answers are JSON; errors are {"error":"..."} with 400, 404 or 405.
 * Everything here runs on the server thread except sim_add_route and
 * sim_state_json (any thread); the route table and the state are read
 * under Sim.lock, and handlers run with no lock held.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonw.h"
#include "base/util.h"
#include "sim/fault.h"
#include "sim/httpreq.h"
#include "sim/sim_int.h"

/* Room for one region's JSON, and for the traffic manager's. */
#define REGION_JSON_CAP (3 * SIM_NAME_MAX + 512)
#define TM_JSON_CAP (3 * SIM_NAME_MAX + 128)

/* ---- the state as JSON (under Sim.lock) ---- */

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
	if (rg->pub != NULL) {
		char addr[16];

		sim_region_public_addr(s, i, addr, sizeof(addr));
		jsonw_key_str(w, "public", addr);
	}
	jsonw_key_int(w, "requests", rg->requests);
	if (rg->err[0] != '\0')
		jsonw_key_str(w, "error", rg->err);
	jsonw_obj_close(w);
}

static void
json_tm_locked(Sim *s, JsonW *w, int i)
{
	char choice[SIM_NAME_MAX];
	bool healthy = tm_choice_locked(s, choice, sizeof(choice));

	(void)i;
	jsonw_obj_open(w);
	jsonw_key_str(w, "manager", sim_tm_manager_name(s->manager));
	if (s->forced[0] != '\0')
		jsonw_key_str(w, "forced", s->forced);
	else
		jsonw_key_null(w, "forced");
	jsonw_key_str(w, "choice", choice);
	jsonw_key_bool(w, "healthy", healthy);
	jsonw_obj_close(w);
}

static void
json_state_locked(Sim *s, JsonW *w, int i)
{
	(void)i;
	jsonw_obj_open(w);
	jsonw_key(w, "regions");
	jsonw_arr_open(w);
	for (int k = 0; k < s->nregions; k++)
		json_region_locked(s, w, k);
	jsonw_arr_close(w);
	jsonw_key(w, "tm");
	json_tm_locked(s, w, -1);
	jsonw_obj_close(w);
}

/* What fn(s, w, i) writes under s->lock, and a newline, in a new string
 * of at most cap bytes (the caller frees). */
static char *
json_locked(Sim *s, size_t cap, void (*fn)(Sim *, JsonW *, int), int i)
{
	char *buf = xmalloc(cap);
	JsonW w;

	jsonw_init(&w, buf, cap);
	pthread_mutex_lock(&s->lock);
	fn(s, &w, i);
	pthread_mutex_unlock(&s->lock);
	jsonw_raw(&w, "\n", 1);
	if (jsonw_finish(&w) == 0)
		die("sim: state JSON does not fit in %zu bytes", cap);
	return buf;
}

char *
sim_state_json(Sim *s)
{
	size_t cap = 1024 + (size_t)s->nregions * REGION_JSON_CAP;

	return json_locked(s, cap, json_state_locked, -1);
}

static char *
region_json(Sim *s, int i)
{
	return json_locked(s, REGION_JSON_CAP, json_region_locked, i);
}

static char *
tm_json(Sim *s)
{
	return json_locked(s, TM_JSON_CAP, json_tm_locked, -1);
}

/* ---- answers ---- */

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

/* 200 with body (taken). */
static void
resp_ok(SimResponse *resp, char *body)
{
	resp->status = 200;
	resp->body = body;
}

static bool
is_get(const SimRequest *req)
{
	return strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0;
}

/* For a route that only shows something: true for GET and HEAD, else
 * false with a 405 in resp. */
static bool
only_get(const SimRequest *req, SimResponse *resp)
{
	if (is_get(req))
		return true;
	resp_error(resp, 405, "use GET");
	return false;
}

/*
 * What a setting route was asked to set: the body of a POST or PUT, or
 * ?set= of a GET or HEAD, in *text (the caller frees; NULL for a GET
 * without ?set=, which shows the current state). False with a 405 in
 * resp for any other method.
 */
static bool
set_text(const SimRequest *req, SimResponse *resp, char **text)
{
	*text = NULL;
	if (strcmp(req->method, "POST") == 0 ||
	    strcmp(req->method, "PUT") == 0) {
		*text = xstrdup(req->body);
		return true;
	}
	if (is_get(req)) {
		*text = httpreq_query_get(req->query, "set");
		return true;
	}
	resp_error(resp, 405, "use GET or POST");
	return false;
}

/* ---- built-in routes ---- */

static void
route_fault(Sim *s, const SimRequest *req, SimResponse *resp, int i)
{
	char err[256];
	SimFault f;
	char *text;

	if (!set_text(req, resp, &text))
		return;
	if (text == NULL)
		resp_ok(resp, region_json(s, i));
	else if (sim_fault_parse(text, &f, err, sizeof(err)) != 0)
		resp_error(resp, 400, err);
	else if (sim_set_fault(s, s->regions[i].name, &f, err, sizeof(err)) !=
	    0)
		resp_error(resp, 500, err);
	else
		resp_ok(resp, region_json(s, i));
	free(text);
}

/* Cut the white space around s (curl -d, echo) in place. */
static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 &&
	    (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
	        s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

static void
route_force(Sim *s, const SimRequest *req, SimResponse *resp)
{
	char err[256];
	char *text;

	if (!set_text(req, resp, &text))
		return;
	if (text == NULL) {
		resp_ok(resp, tm_json(s));
		return;
	}
	char *name = trim(text);
	if (name[0] == '\0')
		resp_error(
		    resp, 400, "tm force: body must be a region or auto");
	else if (sim_tm_force(s, name, err, sizeof(err)) != 0)
		resp_error(resp, 404, err);
	else
		resp_ok(resp, tm_json(s));
	free(text);
}

static void
route_manager(Sim *s, const SimRequest *req, SimResponse *resp)
{
	char *text;
	int m;

	if (!set_text(req, resp, &text))
		return;
	if (text == NULL) {
		resp_ok(resp, tm_json(s));
		return;
	}
	m = sim_tm_manager_from_name(trim(text));
	if (m < 0)
		resp_error(
		    resp, 400, "tm manager: body must be automatic or manual");
	else {
		sim_tm_set_manager(s, (SimTmManager)m);
		resp_ok(resp, tm_json(s));
	}
	free(text);
}

/* /regions/NAME and /regions/NAME/...; p points after "/regions/". */
static void
route_region(Sim *s, const SimRequest *req, SimResponse *resp, const char *p)
{
	const char *slash = strchr(p, '/');
	size_t nl = slash != NULL ? (size_t)(slash - p) : strlen(p);
	char name[SIM_NAME_MAX];
	int i = -1;

	if (nl < sizeof(name)) {
		memcpy(name, p, nl);
		name[nl] = '\0';
		i = sim_region_find(s, name);
	}
	if (i < 0) {
		char msg[128];
		snprintf(msg, sizeof(msg), "no such region \"%.*s\"",
		    (int)(nl < 64 ? nl : 64), p);
		resp_error(resp, 404, msg);
	} else if (slash == NULL || strcmp(slash, "/") == 0) {
		if (only_get(req, resp))
			resp_ok(resp, region_json(s, i));
	} else if (strcmp(slash, "/fault") == 0) {
		route_fault(s, req, resp, i);
	} else {
		resp_error(resp, 404, "no such route (see GET /regions)");
	}
}

static void
control_builtin(Sim *s, const SimRequest *req, SimResponse *resp)
{
	const char *p = req->path;

	if (strcmp(p, "/") == 0 || strcmp(p, "/regions") == 0 ||
	    strcmp(p, "/regions/") == 0) {
		if (only_get(req, resp))
			resp_ok(resp, sim_state_json(s));
	} else if (strcmp(p, "/tm") == 0) {
		if (only_get(req, resp))
			resp_ok(resp, tm_json(s));
	} else if (strcmp(p, "/tm/force") == 0) {
		route_force(s, req, resp);
	} else if (strcmp(p, "/tm/manager") == 0) {
		route_manager(s, req, resp);
	} else if (str_starts(p, "/regions/")) {
		route_region(s, req, resp, p + strlen("/regions/"));
	} else {
		resp_error(resp, 404, "no such route (see GET /regions)");
	}
}

/* ---- routes and dispatch ---- */

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

void
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
