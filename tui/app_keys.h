/*
 * app_keys: what a key does in the console. The key tables (tui/keys)
 * map a key to an action per context; here, per context, a table maps
 * each action to a small handler. A key goes to the open dialog's
 * context alone; with none open, to the action panel (the failover
 * flow's R, A, Esc), then the console's, the drills', the demo's and
 * the replay's contexts in that order. Handlers change state and set
 * dirty bits; they never draw. Main thread only.
 */
#ifndef DRTOP_APP_KEYS_H
#define DRTOP_APP_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "app_state.h"

/* One key from getch() (KEY_RESIZE included). */
void app_keys_handle(App *a, int ch);

/* For tests: true when every action the key tables bind in the console's
 * contexts has a handler; false with the first one missing named in
 * buf (cap bytes). */
bool app_keys_complete(char *buf, size_t cap);

#endif
