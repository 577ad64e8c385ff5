/*
 * keys: the key tables as data. One table per context maps a key to an
 * action with its help text; the same rows drive dispatch (keys_lookup),
 * the `?` help screen (keys_help) and the key bar (keys_bar). Handlers
 * act on KeyAction values, never on raw keys.
 */
#ifndef DRTOP_KEYS_H
#define DRTOP_KEYS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
	KA_NONE,
	KA_UP,
	KA_DOWN,
	KA_PGUP,
	KA_PGDN,
	KA_HOME,
	KA_END,
	KA_NEXT_PANE,
	KA_PREV_PANE,
	KA_DETAILS,
	KA_REPROBE,
	KA_DISABLE,
	KA_THEME,
	KA_HELP,
	KA_QUIT,
	KA_CLOSE,
	KA_CONFIRM,
	KA_ERASE,
	KA_FAILOVER,
	KA_FAILBACK,
	KA_PAUSE,
	KA_FASTER,
	KA_SLOWER,
	KA_SEEK_NEXT,
	KA_SEEK_PREV,
	KA_SEEK_START,
	KA_SEEK_END,
	KA_FAULT1,
	KA_FAULT2,
	KA_FAULT3,
	KA_DRILL, /* D: start or end a recorded drill */
	KA_MARK_FAULT, /* i: mark the drill's fault */
	KA_MARKER, /* m: a free-text marker */
	KA_RETRY,
	KA_ABORT,
	KA_DISMISS,
	KA__COUNT
} KeyAction;

typedef enum {
	KCTX_MAIN, /* the console's panes */
	KCTX_DEMO, /* added in --demo */
	KCTX_REPLAY, /* added in replay */
	KCTX_DIALOG, /* help and details */
	KCTX_CONFIRM, /* typing a name to confirm; other keys are text */
	KCTX_DRILL, /* D, i, m: after KCTX_MAIN, in the console and demo */
	KCTX_RUNBOOK, /* the action panel: R/A shown only when a step failed */
	KCTX_VIEW, /* the console's panes in a replay: KCTX_MAIN's rows
	              that do not act on a live session */
	KCTX__COUNT
} KeyContext;

typedef struct {
	int key; /* curses key code or character */
	KeyAction action;
	const char *name; /* "Up", "k", "Enter": ASCII */
	const char *bar; /* short label for the key bar; NULL = not shown */
	const char *help; /* one line for `?` */
} KeyBinding;

/* The rows of ctx, in display order; *n gets the count. KCTX_VIEW has
 * KCTX_MAIN's rows: its live ones are bound (a replay answers that it is
 * read-only) but never shown in its help or key bar. */
const KeyBinding *keys_table(KeyContext ctx, size_t *n);

/* The action bound to key in ctx, or KA_NONE. */
KeyAction keys_lookup(KeyContext ctx, int key);

/* Title of a context for the help screen ("Console", "Demo", ...). */
const char *keys_context_title(KeyContext ctx);

/*
 * The help lines of ctx, one per action in table order: every key bound
 * to it joined by ", ", padded to a column, then the help text
 * ("Up, k           select the previous row"). Writes up to max lines of
 * cap bytes each into lines; returns how many.
 */
int keys_help(KeyContext ctx, char (*lines)[128], int max);

/*
 * The key bar for ctx (KCTX_MAIN or KCTX_VIEW; and KCTX_DEMO, KCTX_REPLAY
 * or KCTX_RUNBOOK first
 * when extra is that context): "name label" pairs
 * separated by two blanks, only as many whole pairs as fit in width
 * columns. Returns the length written into buf.
 */
size_t keys_bar(
    KeyContext ctx, KeyContext extra, int width, char *buf, size_t cap);

#endif
