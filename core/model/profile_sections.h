/*
 * profile_sections: the sections of a profile other than the endpoints
 * and the monitor: "dns", "routing", "actions" (failover and failback,
 * each one command or a runbook of named steps) and "drill".
 *
 * Each parser takes the section's JSON value, reports every error (and
 * warning) into c and fills in what is valid over the defaults already
 * in place. Internal to the profile module; one thread per parse.
 */
#ifndef DRTOP_PROFILE_SECTIONS_H
#define DRTOP_PROFILE_SECTIONS_H

#include "model/pcheck.h"
#include "model/profile.h"

/* "dns": name, ttl, resolvers (replacing the default list), interval;
 * then the per-query timeout, min(1, interval). */
void profile_sections_dns(PCheck *c, const cJSON *obj, DnsConfig *d);

/* "routing": method, failback, hold_down, auto_failover. */
void profile_sections_routing(PCheck *c, const cJSON *obj, RoutingConfig *r);

/* "actions": p->failover and p->failback. A program path holding '/'
 * that is not absolute is made relative to p->dir; an unknown {word}
 * placeholder is an error. */
void profile_sections_actions(PCheck *c, const cJSON *obj, Profile *p);

/* "drill": p->rto_target and p->drill_dir (relative to p->dir). */
void profile_sections_drill(PCheck *c, const cJSON *obj, Profile *p);

/* Free what a owns and zero it. */
void profile_sections_action_free(Action *a);

/* dir/rel as a malloc'd string, dropping any leading "./" of rel
 * ("/" + rel when dir is "/"). */
char *profile_sections_join_dir(const char *dir, const char *rel);

/* The default resolver list, ["system"], into an empty d. */
void profile_sections_dns_default(DnsConfig *d);

/* Free what d owns (name and resolvers) and empty it. */
void profile_sections_dns_free(DnsConfig *d);

#endif
