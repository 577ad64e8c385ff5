/*
 * app_model: what changed, and so which panes are dirty. The engine's
 * sink (every event, input and derived, in order) feeds --record, the
 * details' probe log, autofail, the failover flow's outcomes, the
 * timeline's marks, the event log and the drill log; once a loop,
 * app_model_update() compares the snapshot, the clock, the runner and
 * the replay with what the panes showed and marks the ones to redraw.
 * Nothing here draws. Main thread only.
 */
#ifndef DRTOP_APP_MODEL_H
#define DRTOP_APP_MODEL_H

#include "app_state.h"

/* The engine's (or the replay's) sink; ctx is the App. */
void app_model_on_event(void *ctx, const Event *ev);

/* Once a loop, after the drain: mark what changed as dirty. */
void app_model_update(App *a);

/* A replay that starts over re-feeds everything: forget what the views
 * built from the earlier output (replay.h). */
void app_model_forget(App *a);

#endif
