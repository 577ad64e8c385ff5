/*
 * app_replay: a replay in the console: its keys (pause, speed, seek)
 * and the status line's mode word with the position in the log. A
 * replay is read-only: no probes, routes, actions or drills. Main
 * thread only.
 */
#ifndef DRTOP_APP_REPLAY_H
#define DRTOP_APP_REPLAY_H

#include "app_state.h"
#include "keys.h"

/* Space, +, -, ], [, g, G: act is a KCTX_REPLAY action. */
void app_replay_key(App *a, KeyAction act, int ch);

/* Once a loop: the mode word ("REPLAY x2 00:12/01:30", "REPLAY PAUSED
 * ...", "REPLAY END ...") when it changed. A no-op live. */
void app_replay_update(App *a);

#endif
