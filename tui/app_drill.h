/*
 * app_drill: drills in the console (keys D, i, m): the glue between the
 * keys, the engine and tui/drillctl. Every drill event goes through the
 * engine, so --record, the event log and the drill log all get it.
 * Main thread only.
 */
#ifndef DRTOP_APP_DRILL_H
#define DRTOP_APP_DRILL_H

#include "app_state.h"
#include "keys.h"

/* D (start, or end a running drill), i (mark the fault), m (a marker):
 * open the prompt, or end the drill. */
void app_drill_key(App *a, KeyAction act, int ch);

/* Esc in the prompt: cancelled. */
void app_drill_cancel(App *a, KeyAction act, int ch);

/* Enter in the prompt: start the drill, mark the fault, add the
 * marker. */
void app_drill_submit(App *a, KeyAction act, int ch);

/* Any other key in the prompt: edit its text. */
void app_drill_edit(App *a, KeyAction act, int ch);

/* The demo switched region's fault to label: a drill's first fault is
 * marked with it. */
void app_drill_demo_fault(App *a, int region, const char *label);

/* Once a loop: the status line's drill text, when it changed. */
void app_drill_update(App *a);

/* End a drill still running (the session ends). */
void app_drill_stop(App *a);

#endif
