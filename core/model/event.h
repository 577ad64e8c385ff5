/*
 * event: the event model shared by the probe, DNS and action threads, the
 * engine, the recorder, `watch --json`, replay and report.
 *
 * An Event is a fixed-size value: it is copied into the queue, the engine
 * and the console without allocation. Strings are fixed arrays, always
 * NUL-terminated; an empty string stands for JSON null / absent. Numbers
 * that may be null use the sentinels documented per field.
 *
 * The JSON form is DESIGN.md's "Event log" (one object per line). The
 * session header is not an Event (it carries the profile); see
 * event_session_line() and event_parse_session().
 */
#ifndef DRTOP_EVENT_H
#define DRTOP_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#define EV_NAME_MAX 32 /* endpoint names, action names */
#define EV_RESOLVER_MAX 64 /* "system", "127.0.0.1:5353", "[::1]:53" */
#define EV_HOST_MAX 256 /* DNS names: 253 characters + NUL fit */
#define EV_ANSWERS_MAX 8 /* answers kept per dns event */
#define EV_TEXT_MAX 256 /* reasons, notes, messages, output lines */
#define EV_SHARES_MAX 16 /* weighted shares carried per route event */

typedef enum {
	EV_PROBE,
	EV_HEALTH,
	EV_ROUTE,
	EV_DNS,
	EV_CONVERGED,
	EV_DIVERGED,
	EV_CERT,
	EV_ACTION,
	EV_DRILL,
	EV_MARKER,
	EV_ERROR,
	EV__COUNT
} EventType;

typedef enum {
	PERR_NONE,
	PERR_TIMEOUT,
	PERR_REFUSED,
	PERR_DNS,
	PERR_TLS,
	PERR_STATUS,
	PERR_BODY,
	PERR_RESET,
	PERR__COUNT
} ProbeError;

/* Why a probe failed as PERR_TLS ("tls" in JSON, doc/probe.md).
 * TLSR_NONE: not a tls failure, or a tls failure without a finer
 * reason (an old log, a failure on the prober's side). */
typedef enum {
	TLSR_NONE,
	TLSR_EXPIRED, /* the certificate's notAfter has passed */
	TLSR_NOT_YET_VALID, /* its notBefore is still to come */
	TLSR_UNTRUSTED, /* self-signed, unknown issuer, broken chain */
	TLSR_HOSTNAME, /* valid, but for another host name */
	TLSR_HANDSHAKE, /* no agreement: protocol, cipher, reset */
	TLSR__COUNT
} TlsReason;

typedef enum {
	HEALTH_CHECKING,
	HEALTH_ONLINE,
	HEALTH_DEGRADED,
	HEALTH_DISABLED,
	HEALTH__COUNT
} HealthState;

typedef enum {
	CAUSE_AUTO,
	CAUSE_MANUAL,
	CAUSE_FAILBACK,
	CAUSE_DNS, /* a manual manager's DNS was seen to move by itself */
	CAUSE__COUNT
} RouteCause;

typedef enum { ACT_STARTED, ACT_OUTPUT, ACT_FINISHED, ACT__COUNT } ActionPhase;

typedef enum {
	DRILL_START,
	DRILL_FAULT,
	DRILL_DETECTED,
	DRILL_FAILOVER,
	DRILL_CONVERGED,
	DRILL_RESTORED,
	DRILL_END,
	DRILL__COUNT
} DrillPhase;

/* Timings in milliseconds; a negative value is null (not measured). */
typedef struct {
	double dns, connect, tls, ttfb, total;
} ProbeTimes;

/* The endpoint name of the client's-eye probe (`public` in the profile),
 * whose probe events carry "via": "public". No endpoint may take it. */
#define EV_PUBLIC "public"

typedef struct {
	char endpoint[EV_NAME_MAX]; /* EV_PUBLIC for the client's-eye probe */
	bool via_public; /* "via": "public": resolved as a client does */
	bool ok;
	int status; /* HTTP status; 0 = null (tcp, no answer) */
	ProbeError error; /* PERR_NONE when ok */
	TlsReason tls; /* PERR_TLS only (else TLSR_NONE): why */
	ProbeTimes ms;
	char served_by[EV_NAME_MAX]; /* "" = unknown (null) */
} ProbeEvent;

typedef struct {
	char endpoint[EV_NAME_MAX];
	HealthState from, to;
	char reason[EV_TEXT_MAX];
} HealthEvent;

typedef struct {
	char name[EV_NAME_MAX];
	double share;
} RouteShare;

typedef struct {
	char from[EV_NAME_MAX]; /* "" = null: the first route */
	char to[EV_NAME_MAX];
	RouteCause cause;
	bool fail_open;
	int nshares; /* > 0 only for weighted routing */
	RouteShare shares[EV_SHARES_MAX];
} RouteEvent;

typedef struct {
	char resolver[EV_RESOLVER_MAX]; /* the address polled */
	char resolver_name[EV_NAME_MAX]; /* its display name; "" = absent */
	char name[EV_HOST_MAX]; /* the name queried */
	char rcode[16]; /* NOERROR, NXDOMAIN, SERVFAIL, REFUSED, TIMEOUT, ... */
	int nanswers;
	char answers[EV_ANSWERS_MAX][EV_HOST_MAX];
	char endpoint[EV_NAME_MAX]; /* "" = null: no endpoint matched */
	int ttl; /* seconds the resolver returned; -1 = null */
	double ms; /* query time; negative = null */
} DnsEvent;

/* converged and diverged */
typedef struct {
	char resolver[EV_RESOLVER_MAX];
	char resolver_name[EV_NAME_MAX]; /* display name; "" = absent */
	/* converged: the expected endpoint it now answers; diverged: the
	 * other endpoint it still answers */
	char endpoint[EV_NAME_MAX];
	char expected[EV_NAME_MAX]; /* diverged: the expected route */
	double after; /* seconds since the route change; negative = null */
} ConvergeEvent;

typedef struct {
	char endpoint[EV_NAME_MAX];
	int days_left;
	bool warning; /* days_left < 14 */
	char subject[EV_TEXT_MAX]; /* "" = unknown */
} CertEvent;

typedef struct {
	char name[EV_NAME_MAX]; /* "failover", "failback" */
	char step[EV_NAME_MAX]; /* runbook step name; "" = single action */
	char from[EV_NAME_MAX];
	char to[EV_NAME_MAX];
	char by[16]; /* "operator" or "auto" */
	ActionPhase phase;
	char line[EV_TEXT_MAX]; /* ACT_OUTPUT: one line of output */
	int exit_code; /* ACT_FINISHED: exit status; -1 = null */
	int signal; /* ACT_FINISHED: killing signal; 0 = none */
	char error
	    [EV_TEXT_MAX]; /* ACT_FINISHED: why it failed to run; "" = null */
} ActionEvent;

typedef struct {
	DrillPhase phase;
	char note[EV_TEXT_MAX];
} DrillEvent;

typedef struct {
	char note[EV_TEXT_MAX];
} MarkerEvent;

typedef struct {
	char source[EV_NAME_MAX]; /* "dns", "probe", "recorder", "local", ... */
	char message[EV_TEXT_MAX];
	/* A gap in the record (events a queue or a writer dropped): their
	 * count and the first and last t; gap_count 0 = not a gap. JSON:
	 * "gap": {"from": ..., "to": ..., "count": N}. */
	unsigned long gap_count;
	double gap_from, gap_to;
} ErrorEvent;

typedef struct {
	double t; /* seconds since session start */
	EventType type;
	union {
		ProbeEvent probe;
		HealthEvent health;
		RouteEvent route;
		DnsEvent dns;
		ConvergeEvent conv; /* EV_CONVERGED, EV_DIVERGED */
		CertEvent cert;
		ActionEvent action;
		DrillEvent drill;
		MarkerEvent marker;
		ErrorEvent error;
	} u;
} Event;

/* Names as they appear in JSON; NULL for an out-of-range value. */
const char *event_type_name(EventType t);
const char *probe_error_name(ProbeError e); /* PERR_NONE -> NULL */
const char *tls_reason_name(TlsReason r); /* TLSR_NONE -> NULL */
const char *health_state_name(HealthState s); /* "checking", ... */
const char *route_cause_name(RouteCause c);
const char *action_phase_name(ActionPhase p);
const char *drill_phase_name(DrillPhase p);

/* What a TLS reason means in words ("certificate expired"), for
 * health reasons and the console; "" for TLSR_NONE. */
const char *tls_reason_text(TlsReason r);

/* Reverse lookups: return -1 for an unknown name. */
int event_type_from_name(const char *s);
int probe_error_from_name(const char *s);
int tls_reason_from_name(const char *s); /* "" or unknown -> -1 */
int health_state_from_name(const char *s);
int route_cause_from_name(const char *s);
int action_phase_from_name(const char *s);
int drill_phase_from_name(const char *s);

/*
 * True when a is the outcome of an action attempt: its final `finished`
 * event (step ""). *ok (may be NULL) is set to success: exit 0, no
 * signal, no error. The console runs engine_route_manual() on an ok
 * outcome of an operator's failover; step `finished` events of a runbook
 * are not outcomes. Pure, any thread.
 */
bool event_action_outcome(const ActionEvent *a, bool *ok);

/* Zero an event and set its time and type. */
void event_init(Event *ev, EventType type, double t);

/*
 * Encode ev as one JSON object followed by '\n' into buf (cap bytes).
 * Returns the length written (without NUL), or 0 when buf is too small
 * (EVENT_JSON_MAX always suffices). Thread-safe, no allocation; numbers
 * are printed locale-independently.
 */
#define EVENT_JSON_MAX 8192
size_t event_to_json(const Event *ev, char *buf, size_t cap);

/*
 * Decode one JSON line (len bytes, no NUL needed) into ev.
 * Returns  1: decoded;
 *          0: a valid object of a type this version does not know (skip);
 *         -1: not an event (err holds why: not JSON, not an object, no
 *             "type", a field of the wrong type, a missing field, a
 *             negative "t").
 * Unknown fields are ignored. Strings longer than a field are truncated.
 */
int event_from_json(
    const char *line, size_t len, Event *ev, char *err, size_t errcap);

/*
 * The session header: {"type":"session","v":1,"version":...,"started":...,
 * "mode":...,"profile":<profile_json>}. profile_json is a JSON object text
 * with secrets already redacted (profile_to_json(p, true)). started is
 * ISO-8601 UTC with milliseconds. Returns a malloc'd line ending in '\n'.
 */
char *event_session_line(
    const char *started, const char *mode, const char *profile_json);

typedef struct {
	int v;
	char version[32];
	char started[40];
	char mode[16];
	char *profile_json; /* malloc'd object text, or NULL when absent */
} SessionHeader;

/*
 * Parse a session header line. Returns 0 on success (free with
 * session_header_fini), -1 with err set when the line is not a session
 * header.
 */
int event_parse_session(
    const char *line, size_t len, SessionHeader *out, char *err, size_t errcap);
void session_header_fini(SessionHeader *h);

#endif
