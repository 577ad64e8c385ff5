/*
 * app_fail: the console's side of the failover flow (tui/failflow): it
 * opens the dialog for f and b, carries out the effects the machine
 * returns for a key (start, retry or abort the action through the
 * runner, close or reshape the dialog, notes on the status line),
 * applies the route the machine holds after the drain, keeps the
 * machine and the action panel in step with the runner, and runs
 * routing.auto_failover's actions. Main thread only.
 */
#ifndef DRTOP_APP_FAIL_H
#define DRTOP_APP_FAIL_H

#include <stdbool.h>

#include "app_state.h"
#include "keys.h"

/* f (kind 'f') or b ('b'): open the dialog, or say why not. */
void app_fail_open(App *a, char kind);

/* A key for the failover dialog (act in KCTX_CONFIRM). */
void app_fail_dialog_key(App *a, KeyAction act, int ch);

/* A key for the action panel (R, A, Esc) with no dialog open; false
 * when the flow does not use it. */
bool app_fail_panel_key(App *a, int ch);

/* After the drain: the route the flow holds (an operator's action
 * succeeded, or there was none), applied once. */
void app_fail_apply_route(App *a);

/* Once a loop: the runner's status into the status line, the action
 * panel and the flow. */
void app_fail_update(App *a);

#endif
