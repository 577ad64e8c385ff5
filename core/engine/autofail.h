/*
 * autofail: the policy of opt-in automatic failover
 * (`routing.auto_failover`). It watches the engine's own route decisions
 * and says when drtop should run the failover (or failback) action by
 * itself. Pure: no clock, no I/O; the caller passes time in and starts
 * the action (core/actions) itself. Single-threaded: one owner (the
 * main loop of `watch` or the console) calls everything.
 *
 * Rules (doc/actions.md, "Automatic failover"):
 *   - Only with auto_failover true; otherwise nothing is ever requested
 *     (the console only recommends).
 *   - A request comes from a route event the engine emitted by itself
 *     that moves traffic from one endpoint to another: cause auto runs
 *     `failover`; cause failback (automatic failback after hold_down)
 *     runs `failback` when the profile has one, else `failover`. The
 *     first route (from null) and a route whose from equals to (fail
 *     open entered or left on the same endpoint, weighted shares
 *     changing) request nothing.
 *   - hold_down: at most one automatic action starts per hold_down
 *     seconds (counted from the start of the previous one: its
 *     `started` event once fed, else the time it was handed out). Requests
 *     that come sooner, or while any action runs, are coalesced into one
 *     pending request: from the first pending route's from to the latest
 *     route's to (when those are equal again, nothing is pending). It
 *     starts when the runner is idle and hold_down has passed, so the
 *     traffic manager ends where the engine's route is, with one action
 *     per hold_down however often a region flaps.
 *   - An operator's route (autofail_operator_route, or a route event of
 *     cause manual) drops the pending request: the operator decided.
 *   - A failed automatic action is not retried by itself; the next route
 *     change requests again (after hold_down).
 */
#ifndef DRTOP_AUTOFAIL_H
#define DRTOP_AUTOFAIL_H

#include <stdbool.h>
#include <stdint.h>

#include "model/event.h"
#include "model/profile.h"

/* One action to start: actions_start(r, name, action, from, to, "auto"). */
typedef struct {
	char name[EV_NAME_MAX]; /* "failover" or "failback" */
	char from[EV_NAME_MAX];
	char to[EV_NAME_MAX];
} AutofailRequest;

typedef struct Autofail Autofail;

/* The policy for profile p (read now: routing.auto_failover, hold_down,
 * whether actions.failback is configured; p is not kept). */
Autofail *autofail_new(const Profile *p);
/* autofail_free(NULL) is safe. */
void autofail_free(Autofail *a);

/* Whether the profile enables automatic failover. */
bool autofail_enabled(const Autofail *a);

/*
 * Feed one event the engine emitted from engine_feed() or engine_tick(),
 * in order (route events, and the `started` of automatic actions; other
 * types are ignored). Do not feed the route
 * events engine_route_manual() emits for the operator: call
 * autofail_operator_route() instead (a cause failback route is
 * otherwise taken for an automatic failback).
 */
void autofail_feed(Autofail *a, const Event *ev);

/* The operator routed traffic (manual failover or failback): the
 * pending automatic request, if any, is dropped. */
void autofail_operator_route(Autofail *a);

/*
 * The request to start now, if any: true and *out filled when one is
 * pending, busy is false (no action running or waiting: the runner's
 * state is ACTIONS_IDLE) and hold_down has passed since the previous
 * automatic action. The request is then taken: the caller starts it at
 * `now` (hold_down counts from now, even when actions_start refuses, so
 * a broken action is not retried in a loop).
 */
bool autofail_next(Autofail *a, double now, bool busy, AutofailRequest *out);

/* True when a request is pending (waiting for hold_down or the runner). */
bool autofail_pending(const Autofail *a);

/* The earliest t at which the pending request may start (hold_down
 * ending; the runner must also be idle then); < 0 when none is pending.
 * For the caller's poll timeout. */
double autofail_due(const Autofail *a);

/* Automatic actions handed out by autofail_next() so far. */
uint64_t autofail_started(const Autofail *a);

/*
 * The route an action's outcome calls for when the action was the
 * operator's: for the final `finished` event (step "") of a successful
 * action with by "operator", true with *cause CAUSE_MANUAL and `to` set
 * to the target (failover), or *cause CAUSE_FAILBACK and to "" (the
 * rules' choice: engine_route_manual(e, t, NULL, CAUSE_FAILBACK, ...)).
 * False for anything else, in particular automatic actions: the engine
 * already moved the route before they started. Pure.
 */
bool autofail_manual_route(
    const ActionEvent *ev, RouteCause *cause, char *to, size_t cap);

#endif
