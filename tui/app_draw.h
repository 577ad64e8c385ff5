/*
 * app_draw: the console's windows and its one draw. One window per pane
 * from the layout, the too-small screen, one dialog window over the
 * panes; the one resize path (layout, windows, full repaint); the theme
 * (colour pairs); and the draw that repaints the dirty panes with
 * wnoutrefresh and calls doupdate once. Main thread only; nothing else
 * calls curses' output functions.
 */
#ifndef DRTOP_APP_DRAW_H
#define DRTOP_APP_DRAW_H

#include <stdbool.h>

#include "app_state.h"

/* The one resize path: layout from LINES x COLS, new windows, a full
 * repaint. */
void app_draw_relayout(App *a);

/* SIGWINCH (or KEY_RESIZE): take the terminal's new size, relayout
 * when it changed. */
void app_draw_resize(App *a);

/* Open dialog d (its window, its key context for the key bar). */
void app_draw_open_dialog(App *a, Dialog d);

/* The open dialog's size may have changed: a new window for it. */
void app_draw_reshape_dialog(App *a);

/* Close the open dialog; the panes underneath come back as they are. */
void app_draw_close_dialog(App *a);

/* Theme name (built-in mono without colours): load it, define its
 * colour pairs and make it the views' (UiState.theme). False (nothing
 * changed) when it cannot be loaded; errs says why. */
bool app_draw_theme(App *a, const char *name, ErrList *errs);

/* True when something needs drawing. */
bool app_draw_dirty(const App *a);

/* Repaint what is dirty into curses' buffers (wnoutrefresh); the caller
 * calls doupdate() once, after the session lock is released. */
void app_draw_frame(App *a);

/* Delete every window (the end, or before a relayout). */
void app_draw_free(App *a);

#endif
