/*
 * profile_monitor: a profile's "monitor" objects (the top-level one and
 * each endpoint's) and the Monitor they add up to: Traffic Manager's
 * defaults, then the top level's fields, then the endpoint's own.
 *
 * Internal to the profile module; one thread per parse.
 */
#ifndef DRTOP_PROFILE_MONITOR_H
#define DRTOP_PROFILE_MONITOR_H

#include "model/pcheck.h"
#include "model/profile.h"

/* The fields of a monitor object, in profile_monitor_keys order. */
typedef enum {
	MF_PROTOCOL,
	MF_PATH,
	MF_PORT,
	MF_INTERVAL,
	MF_TIMEOUT,
	MF_TOLERATED,
	MF_RISE,
	MF_EXPECTED,
	MF_HEADERS,
	MF_BODY,
	MF_IDENTIFY,
	MF_REUSE,
	MF__COUNT
} MonitorField;

/* The keys of a monitor object, indexed by MonitorField, NULL-ended. */
extern const char *const profile_monitor_keys[];

/* One monitor object as written: which fields it sets (and sets
 * validly), and their values. Zero it before use; its strings are owned
 * (profile_monitor_fini(&spec.m)). */
typedef struct {
	unsigned set; /* 1u << MF_* */
	Monitor m;
} MonitorSpec;

/* Parse the monitor object obj at path into s, reporting every error
 * into c. A field with an error is left out of s->set. */
void profile_monitor_parse(
    PCheck *c, const cJSON *obj, const char *path, MonitorSpec *s);

/* The same for an object that holds other keys too (checked by the
 * caller): only the monitor fields are read. */
void profile_monitor_parse_fields(
    PCheck *c, const cJSON *obj, const char *path, MonitorSpec *s);

/* m = the defaults: interval 30 s, timeout 10 s, 3 tolerated failures,
 * rise 1, expected status 200; no strings (path is filled in later). */
void profile_monitor_defaults(Monitor *m);

/* Copy the fields s sets over dst (deep copies; what they replace is
 * freed). */
void profile_monitor_merge(Monitor *dst, const MonitorSpec *s);

/* The Protocol named name ("http", "https" or "tcp") into *out; false
 * when name is none of them. */
bool profile_monitor_protocol(const char *name, Protocol *out);

/* Free what m owns (header values wiped first) and zero it. */
void profile_monitor_fini(Monitor *m);

#endif
