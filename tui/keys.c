#include "keys.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "curses.h"

#define KEY_ESC 27
#define KEY_TAB '\t'

/* Table order is the key bar's priority: what does not fit is left out. */
static const KeyBinding main_keys[] = {
    {'?', KA_HELP, "?", "? help", "this help"},
    {'q', KA_QUIT, "q", "q quit", "quit (asks while an action runs)"},
    {'\n', KA_DETAILS, "Enter", "Enter details",
        "details of the selected endpoint"},
    {'\r', KA_DETAILS, NULL, NULL, NULL},
    {KEY_ENTER, KA_DETAILS, NULL, NULL, NULL},
    {'f', KA_FAILOVER, "f", "f failover",
        "fail over (to the recommended or selected endpoint; asks)"},
    {'b', KA_FAILBACK, "b", "b failback",
        "fail back to the rules' choice (asks)"},
    {'x', KA_DISABLE, "x", "x disable",
        "disable or enable the selected endpoint (asks its name)"},
    {'r', KA_REPROBE, "r", "r probe", "probe the selected endpoint now"},
    {'t', KA_THEME, "t", "t theme", "next theme"},
    /* moving around: two keys to a help line, so that the whole help
     * fits at 80x24 (a row without help text is listed with none) */
    {KEY_TAB, KA_NEXT_PANE, "Tab", "Tab pane",
        "next pane (endpoints, timeline, events); S-Tab back"},
    {KEY_BTAB, KA_PREV_PANE, "S-Tab", NULL, NULL},
    {KEY_UP, KA_UP, "Up", NULL,
        "select the previous row or scroll up; Down, j the next"},
    {'k', KA_UP, "k", NULL, NULL},
    {KEY_DOWN, KA_DOWN, "Down", NULL, NULL},
    {'j', KA_DOWN, "j", "j/k select", NULL},
    {KEY_PPAGE, KA_PGUP, "PgUp", NULL,
        "a page up, PgDn down; Home, End: first, last row (follow)"},
    {KEY_NPAGE, KA_PGDN, "PgDn", NULL, NULL},
    {KEY_HOME, KA_HOME, "Home", NULL, NULL},
    {KEY_END, KA_END, "End", NULL, NULL},
};

static const KeyBinding drill_keys[] = {
    {'D', KA_DRILL, "D", "D drill",
        "start a recorded drill (asks for a name); D again ends it"},
    {'i', KA_MARK_FAULT, "i", NULL,
        "mark the drill's fault now (asks for an optional note)"},
    {'m', KA_MARKER, "m", NULL, "add a marker to the log (asks for a note)"},
};

static const KeyBinding demo_keys[] = {
    {'1', KA_FAULT1, "1", "1-3 fault",
        "region 1's fault: ok, 500, refuse, blackhole; 2, 3 alike"},
    {'2', KA_FAULT2, "2", NULL, NULL},
    {'3', KA_FAULT3, "3", NULL, NULL},
};

static const KeyBinding replay_keys[] = {
    {' ', KA_PAUSE, "Space", "Space pause", "pause or resume the replay"},
    {'+', KA_FASTER, "+", "+/- speed", "twice as fast"},
    {'-', KA_SLOWER, "-", NULL, "half as fast"},
    {']', KA_SEEK_NEXT, "]", "[/] change",
        "jump to the next health, route or drill event"},
    {'[', KA_SEEK_PREV, "[", NULL, "jump back to the previous one"},
    {'g', KA_SEEK_START, "g", "g/G start/end", "back to the start"},
    {'G', KA_SEEK_END, "G", NULL, "to the end of the log"},
    {'0', KA_SEEK_START, NULL, NULL, NULL},
    {'$', KA_SEEK_END, NULL, NULL, NULL},
};

static const KeyBinding dialog_keys[] = {
    {KEY_ESC, KA_CLOSE, "Esc", "Esc close", "close the dialog"},
    {'q', KA_CLOSE, "q", NULL, NULL},
    {'?', KA_CLOSE, "?", NULL, NULL},
    {'\n', KA_CLOSE, "Enter", NULL, NULL},
    {'\r', KA_CLOSE, NULL, NULL, NULL},
    {KEY_ENTER, KA_CLOSE, NULL, NULL, NULL},
    {KEY_UP, KA_UP, "Up", "Up/Dn scroll", "scroll up"},
    {'k', KA_UP, "k", NULL, NULL},
    {KEY_DOWN, KA_DOWN, "Down", NULL, "scroll down"},
    {'j', KA_DOWN, "j", NULL, NULL},
};

static const KeyBinding confirm_keys[] = {
    {KEY_ESC, KA_CLOSE, "Esc", "Esc cancel", "cancel"},
    {'\n', KA_CONFIRM, "Enter", "Enter confirm",
        "confirm when the typed name matches"},
    {'\r', KA_CONFIRM, NULL, NULL, NULL},
    {KEY_ENTER, KA_CONFIRM, NULL, NULL, NULL},
    {KEY_BACKSPACE, KA_ERASE, "Backspace", NULL, "erase a character"},
    {KEY_UP, KA_UP, "Up", NULL, "scroll a long dialog up"},
    {KEY_DOWN, KA_DOWN, "Down", NULL, "scroll a long dialog down"},
    {127, KA_ERASE, NULL, NULL, NULL},
    {8, KA_ERASE, NULL, NULL, NULL},
};

/* The action panel's keys (view_action): main context, no dialog open. */
static const KeyBinding runbook_keys[] = {
    {'R', KA_RETRY, "R", "R retry step",
        "runbook: retry the failed step (then the steps after it)"},
    {'A', KA_ABORT, "A", "A abort",
        "abort the failed runbook, or stop the running action"},
    {KEY_ESC, KA_DISMISS, "Esc", NULL,
        "hide the action's result panel (the map comes back)"},
};

static const struct {
	const KeyBinding *rows;
	size_t n;
	const char *title;
	bool replay; /* leave the live rows out of help and key bar */
} tables[KCTX__COUNT] = {
    [KCTX_MAIN] = {main_keys, ARRAY_LEN(main_keys), "Console"},
    [KCTX_DEMO] = {demo_keys, ARRAY_LEN(demo_keys), "Demo"},
    [KCTX_REPLAY] = {replay_keys, ARRAY_LEN(replay_keys), "Replay"},
    [KCTX_DIALOG] = {dialog_keys, ARRAY_LEN(dialog_keys), "Dialogs"},
    [KCTX_CONFIRM] = {confirm_keys, ARRAY_LEN(confirm_keys),
        "Confirmation (type the endpoint's name)"},
    [KCTX_DRILL] = {drill_keys, ARRAY_LEN(drill_keys), "Drills"},
    [KCTX_RUNBOOK] = {runbook_keys, ARRAY_LEN(runbook_keys),
        "Action panel (R and A in the key bar once a step failed)"},
    [KCTX_VIEW] = {main_keys, ARRAY_LEN(main_keys), "Console (read-only)",
        true},
};

/* Whether a row of ctx's table is shown in its help and key bar: the
 * actions on a live session are not, in a replay. */
static bool
shown(KeyContext ctx, const KeyBinding *row)
{
	bool live = row->action == KA_FAILOVER || row->action == KA_FAILBACK ||
	    row->action == KA_DISABLE || row->action == KA_REPROBE;

	return !(live && tables[ctx].replay);
}

const KeyBinding *
keys_table(KeyContext ctx, size_t *n)
{
	if ((int)ctx < 0 || ctx >= KCTX__COUNT) {
		*n = 0;
		return NULL;
	}
	*n = tables[ctx].n;
	return tables[ctx].rows;
}

const char *
keys_context_title(KeyContext ctx)
{
	if ((int)ctx < 0 || ctx >= KCTX__COUNT)
		return "";
	return tables[ctx].title;
}

KeyAction
keys_lookup(KeyContext ctx, int key)
{
	size_t n;
	const KeyBinding *t = keys_table(ctx, &n);

	for (size_t i = 0; i < n; i++)
		if (t[i].key == key)
			return t[i].action;
	return KA_NONE;
}

int
keys_help(KeyContext ctx, char (*lines)[128], int max)
{
	size_t n;
	const KeyBinding *t = keys_table(ctx, &n);
	int out = 0;

	for (size_t i = 0; i < n && out < max; i++) {
		char names[64] = "";
		size_t len = 0;
		if (t[i].help == NULL || !shown(ctx, &t[i]))
			continue;
		/* every named key with this action, in table order */
		for (size_t j = 0; j < n; j++) {
			if (t[j].action != t[i].action || t[j].name == NULL)
				continue;
			int w = snprintf(names + len, sizeof(names) - len,
			    "%s%s", len ? ", " : "", t[j].name);
			if (w < 0 || (size_t)w >= sizeof(names) - len)
				break;
			len += (size_t)w;
		}
		snprintf(lines[out++], 128, "%-16s %s", names, t[i].help);
	}
	return out;
}

static size_t
bar_add(KeyContext ctx, int width, char *buf, size_t cap, size_t len)
{
	size_t n;
	const KeyBinding *t = keys_table(ctx, &n);

	for (size_t i = 0; i < n; i++) {
		if (t[i].bar == NULL || !shown(ctx, &t[i]))
			continue;
		size_t add = strlen(t[i].bar) + (len ? 2 : 0);
		if (len + add > (size_t)width || len + add + 1 > cap)
			continue; /* a shorter one further on may fit */
		len += (size_t)snprintf(
		    buf + len, cap - len, "%s%s", len ? "  " : "", t[i].bar);
	}
	return len;
}

size_t
keys_bar(KeyContext ctx, KeyContext extra, int width, char *buf, size_t cap)
{
	size_t len = 0;

	if (cap == 0)
		return 0;
	buf[0] = '\0';
	if ((ctx == KCTX_MAIN || ctx == KCTX_VIEW) &&
	    (extra == KCTX_DEMO || extra == KCTX_REPLAY ||
	        extra == KCTX_RUNBOOK))
		/* the demo's (replay's) keys go first: they are what it is for */
		len = bar_add(extra, width, buf, cap, len);
	return bar_add(ctx, width, buf, cap, len);
}
