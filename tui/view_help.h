/*
 * view_help: the `?` dialog, generated from the key tables (keys_help),
 * so help can never disagree with dispatch. Scrolls with Up/Down.
 */
#ifndef DRTOP_VIEW_HELP_H
#define DRTOP_VIEW_HELP_H

#include "view.h"

extern const ViewOps view_help_ops;

/* The help text's lines into lines (extra: KCTX_DEMO or KCTX_REPLAY
 * adds that context), heading[i] true for a context's title, then what
 * the marks mean in glyphs g; returns the count. */
int view_help_lines(const Glyphs *g, KeyContext extra, char (*lines)[128],
    bool *heading, int max);

#endif
