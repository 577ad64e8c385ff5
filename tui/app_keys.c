#include "app_keys.h"

#include <stdio.h>
#include <string.h>

#include "app_draw.h"
#include "app_drill.h"
#include "app_fail.h"
#include "app_replay.h"
#include "lineedit.h"
#include "view_confirm.h"
#include "view_endpoints.h"

/* A key's handler: act is its action in the context, ch the key. */
typedef void (*KeyFn)(App *a, KeyAction act, int ch);

/* One context's handlers: fn[act] for each action its table binds;
 * fn[KA_NONE], when set, takes every other key (typed text). */
typedef struct {
	KeyContext ctx;
	KeyFn fn[KA__COUNT];
} KeyHandlers;

/* The console's own keys. */

static void
on_quit(App *a, KeyAction act, int ch)
{
	(void)act;
	(void)ch;
	if (a->cfg->actions && actions_running(a->cfg->actions) &&
	    !a->quit_asked) {
		a->quit_asked = true;
		app_state_message(
		    a, "an action is running: q again stops it and quits");
		return;
	}
	a->quit = true;
}

static void
on_failover(App *a, KeyAction act, int ch)
{
	(void)ch;
	app_fail_open(a, act == KA_FAILBACK ? 'b' : 'f');
}

static void
on_help(App *a, KeyAction act, int ch)
{
	(void)act;
	(void)ch;
	app_draw_open_dialog(a, DLG_HELP);
}

static void
on_details(App *a, KeyAction act, int ch)
{
	(void)act;
	(void)ch;
	if (a->ui.selected >= 0)
		app_draw_open_dialog(a, DLG_DETAILS);
}

static void
on_theme(App *a, KeyAction act, int ch)
{
	int cur = 0, n = 0;

	(void)act;
	(void)ch;
	if (!a->color) {
		app_state_message(a, "no colours here: theme mono");
		return;
	}
	while (theme_cycle[n])
		n++;
	for (int i = 0; i < n; i++)
		if (strcmp(theme_cycle[i], a->theme.name) == 0)
			cur = i;
	for (int k = 1; k <= n; k++) {
		ErrList errs;
		const char *name = theme_cycle[(cur + k) % n];
		errlist_init(&errs);
		bool ok = app_draw_theme(a, name, &errs);
		errlist_fini(&errs);
		if (ok) {
			app_state_message(a, "theme %s", name);
			app_state_debug(a, "theme %s", name);
			app_state_mark_all(a, true);
			return;
		}
	}
	app_state_message(a, "no other theme could be loaded");
}

static void
on_focus(App *a, KeyAction act, int ch)
{
	static const PaneId order[] = {
	    PANE_ENDPOINTS, PANE_TIMELINE, PANE_EVENTS};
	int k = 0, dir = act == KA_PREV_PANE ? -1 : 1;

	(void)ch;
	for (int i = 0; i < 3; i++)
		if (order[i] == a->ui.focus)
			k = i;
	k = (k + dir + 3) % 3;
	a->dirty[a->ui.focus] = true;
	a->ui.focus = order[k];
	a->dirty[a->ui.focus] = true;
}

/* Up, Down, PgUp, PgDn, Home, End: the focused pane's. */
static void
on_pane(App *a, KeyAction act, int ch)
{
	const ViewOps *ops = a->ui.focus == PANE_ENDPOINTS ? &view_endpoints_ops
	    : a->ui.focus == PANE_TIMELINE                 ? &view_timeline_ops
	                                                   : &view_events_ops;
	int before = a->ui.selected;

	(void)ch;
	if (ops->key && ops->key(&a->ui, act)) {
		a->dirty[a->ui.focus] = true;
		if (a->ui.selected != before) {
			a->dirty[PANE_ENDPOINTS] = true;
			a->dirty[PANE_TIMELINE] = true;
		}
	}
}

/* r and x act on the selected endpoint. */
static void
on_selected(App *a, KeyAction act, int ch)
{
	const Profile *p = a->cfg->profile;
	int i = a->ui.selected;

	(void)ch;
	if (p->public_ep != NULL && i == p->nendpoints) {
		app_state_message(a, "%s %s", EV_PUBLIC,
		    act == KA_REPROBE ? "probes on its own schedule"
		                      : "is never disabled");
		return;
	}
	if (i < 0 || i >= p->nendpoints)
		return;
	const Endpoint *ep = &p->endpoints[i];
	const Snapshot *s = app_state_snap(a);
	bool disabled =
	    i < s->nendpoints && s->endpoints[i].state == HEALTH_DISABLED;

	if (act == KA_REPROBE) {
		if (disabled) {
			app_state_message(
			    a, "%s is disabled: x enables it", ep->name);
			return;
		}
		if (a->cfg->runtime)
			runtime_reprobe(a->cfg->runtime, i);
		app_state_message(a, "probing %s now", ep->name);
	} else {
		a->ui.confirm_idx = i;
		a->ui.confirm_disable = !disabled;
		a->ui.confirm_text[0] = '\0';
		app_draw_open_dialog(a, DLG_CONFIRM);
	}
}

static void
on_read_only(App *a, KeyAction act, int ch)
{
	(void)act;
	(void)ch;
	app_state_message(a, "a replay is read-only");
}

static void
on_demo_fault(App *a, KeyAction act, int ch)
{
	const Profile *p = a->cfg->profile;
	int region = act - KA_FAULT1;
	char label[64];
	Event ev;

	(void)ch;
	if (a->cfg->demo == NULL || region >= p->nendpoints)
		return;
	demo_cycle_fault(a->cfg->demo, region, label, sizeof(label));
	event_init(&ev, EV_MARKER, a->ui.t);
	snprintf(ev.u.marker.note, sizeof(ev.u.marker.note),
	    "demo: %s fault %s", p->endpoints[region].name, label);
	session_feed(a->cfg->session, &ev);
	app_state_message(a, "%s fault: %s", p->endpoints[region].name, label);
	app_drill_demo_fault(a, region, label);
	a->dirty[PANE_ENDPOINTS] = true;
}

/* Dialogs: help and details. */

static void
on_close(App *a, KeyAction act, int ch)
{
	(void)act;
	(void)ch;
	app_draw_close_dialog(a);
}

static void
on_scroll(App *a, KeyAction act, int ch)
{
	(void)ch;
	if (act == KA_UP && a->ui.dialog_scroll > 0)
		a->ui.dialog_scroll--;
	else if (act == KA_DOWN && a->ui.dialog_scroll < 200)
		a->ui.dialog_scroll++;
	else
		return;
	a->dlg_dirty = true;
}

/* The disable / enable confirmation: type the endpoint's name. */

static void
on_confirm_cancel(App *a, KeyAction act, int ch)
{
	(void)act;
	(void)ch;
	app_draw_close_dialog(a);
	app_state_message(a, "cancelled");
}

static void
on_confirm(App *a, KeyAction act, int ch)
{
	int i = a->ui.confirm_idx;
	bool dis = a->ui.confirm_disable;

	(void)act;
	(void)ch;
	if (!view_confirm_matches(&a->ui)) {
		app_state_message(
		    a, "type the endpoint's name exactly, or Esc");
		a->dlg_dirty = true;
		return;
	}
	const char *name = a->cfg->profile->endpoints[i].name;
	session_set_disabled(a->cfg->session, a->ui.t, name, dis);
	if (a->cfg->runtime)
		runtime_set_disabled(a->cfg->runtime, i, dis);
	app_draw_close_dialog(a);
	app_state_message(a, "%s %s", name, dis ? "disabled" : "enabled");
	app_state_debug(
	    a, "%s %s by the operator", name, dis ? "disabled" : "enabled");
}

static void
on_confirm_edit(App *a, KeyAction act, int ch)
{
	char *text = a->ui.confirm_text;

	if (act == KA_UP || act == KA_DOWN) {
		a->ui.dialog_scroll += act == KA_UP ? -1 : 1;
		if (a->ui.dialog_scroll < 0)
			a->ui.dialog_scroll = 0;
		if (a->ui.dialog_scroll > 200)
			a->ui.dialog_scroll = 200;
	} else if (act == KA_ERASE)
		lineedit_erase(text);
	else if (!lineedit_type(text, sizeof(a->ui.confirm_text), ch))
		return;
	a->dlg_dirty = true;
}

static void
on_fail_dialog(App *a, KeyAction act, int ch)
{
	app_fail_dialog_key(a, act, ch);
}

/* The tables. */

/* The console's keys, live and in a replay alike. */
#define MAIN_KEYS                                                              \
	[KA_QUIT] = on_quit, [KA_HELP] = on_help, [KA_DETAILS] = on_details,   \
	[KA_THEME] = on_theme, [KA_NEXT_PANE] = on_focus,                      \
	[KA_PREV_PANE] = on_focus, [KA_UP] = on_pane, [KA_DOWN] = on_pane,     \
	[KA_PGUP] = on_pane, [KA_PGDN] = on_pane, [KA_HOME] = on_pane,         \
	[KA_END] = on_pane

static const KeyHandlers main_live = {KCTX_MAIN,
    {
        MAIN_KEYS,
        [KA_FAILOVER] = on_failover,
        [KA_FAILBACK] = on_failover,
        [KA_DISABLE] = on_selected,
        [KA_REPROBE] = on_selected,
    }};

/* A replay is read-only: f, b, x and r only say so. */
static const KeyHandlers main_replay = {KCTX_VIEW,
    {
        MAIN_KEYS,
        [KA_FAILOVER] = on_read_only,
        [KA_FAILBACK] = on_read_only,
        [KA_DISABLE] = on_read_only,
        [KA_REPROBE] = on_read_only,
    }};

static const KeyHandlers drill_keys = {KCTX_DRILL,
    {
        [KA_DRILL] = app_drill_key,
        [KA_MARK_FAULT] = app_drill_key,
        [KA_MARKER] = app_drill_key,
    }};

static const KeyHandlers demo_keys = {KCTX_DEMO,
    {
        [KA_FAULT1] = on_demo_fault,
        [KA_FAULT2] = on_demo_fault,
        [KA_FAULT3] = on_demo_fault,
    }};

static const KeyHandlers replay_keys = {KCTX_REPLAY,
    {
        [KA_PAUSE] = app_replay_key,
        [KA_FASTER] = app_replay_key,
        [KA_SLOWER] = app_replay_key,
        [KA_SEEK_NEXT] = app_replay_key,
        [KA_SEEK_PREV] = app_replay_key,
        [KA_SEEK_START] = app_replay_key,
        [KA_SEEK_END] = app_replay_key,
    }};

static const KeyHandlers dialog_keys = {KCTX_DIALOG,
    {
        [KA_CLOSE] = on_close,
        [KA_UP] = on_scroll,
        [KA_DOWN] = on_scroll,
    }};

static const KeyHandlers confirm_keys = {KCTX_CONFIRM,
    {
        [KA_CLOSE] = on_confirm_cancel,
        [KA_CONFIRM] = on_confirm,
        [KA_UP] = on_confirm_edit,
        [KA_DOWN] = on_confirm_edit,
        [KA_ERASE] = on_confirm_edit,
        [KA_NONE] = on_confirm_edit,
    }};

/* The failover flow takes every key while its dialog is open. */
static const KeyHandlers failover_keys = {KCTX_CONFIRM,
    {
        [KA_CLOSE] = on_fail_dialog,
        [KA_CONFIRM] = on_fail_dialog,
        [KA_UP] = on_fail_dialog,
        [KA_DOWN] = on_fail_dialog,
        [KA_ERASE] = on_fail_dialog,
        [KA_NONE] = on_fail_dialog,
    }};

static const KeyHandlers drill_prompt_keys = {KCTX_CONFIRM,
    {
        [KA_CLOSE] = app_drill_cancel,
        [KA_CONFIRM] = app_drill_submit,
        [KA_UP] = app_drill_edit,
        [KA_DOWN] = app_drill_edit,
        [KA_ERASE] = app_drill_edit,
        [KA_NONE] = app_drill_edit,
    }};

static const KeyHandlers *const dialog_tables[DLG__COUNT] = {
    [DLG_HELP] = &dialog_keys,
    [DLG_DETAILS] = &dialog_keys,
    [DLG_CONFIRM] = &confirm_keys,
    [DLG_FAILOVER] = &failover_keys,
    [DLG_DRILL] = &drill_prompt_keys,
};

static bool
is_live(const App *a)
{
	return a->cfg->replay == NULL;
}

static bool
is_replay(const App *a)
{
	return a->cfg->replay != NULL;
}

static bool
is_demo(const App *a)
{
	return a->cfg->demo != NULL;
}

static bool
always(const App *a)
{
	(void)a;
	return true;
}

/* With no dialog open, the contexts a key is looked up in, in order;
 * the first that binds it handles it. */
static const struct {
	const KeyHandlers *h;
	bool (*active)(const App *a);
} chain[] = {
    {&main_live, is_live},
    {&main_replay, is_replay},
    {&drill_keys, always},
    {&demo_keys, is_demo},
    {&replay_keys, is_replay},
};

static void
dispatch(App *a, const KeyHandlers *h, KeyAction act, int ch)
{
	if (h->fn[act])
		h->fn[act](a, act, ch);
}

void
app_keys_handle(App *a, int ch)
{
	const KeyHandlers *h = NULL;
	KeyAction act = KA_NONE;

	if (ch == KEY_RESIZE) {
		app_draw_resize(a);
		return;
	}
	if (a->ui.message[0]) { /* a key was pressed: the notice was seen */
		a->ui.message[0] = '\0';
		a->dirty[PANE_STATUS] = true;
	}
	if (a->dialog != DLG_NONE) {
		h = dialog_tables[a->dialog];
		dispatch(a, h, keys_lookup(h->ctx, ch), ch);
		return;
	}
	/* the action panel first: R, A, Esc while an action runs, waits or
	 * shows its result */
	if (a->cfg->actions && !a->cfg->replay && !a->layout.too_small &&
	    app_fail_panel_key(a, ch))
		return;
	for (size_t i = 0; i < ARRAY_LEN(chain) && act == KA_NONE; i++)
		if (chain[i].active(a)) {
			h = chain[i].h;
			act = keys_lookup(h->ctx, ch);
		}
	if (a->layout.too_small && act != KA_QUIT)
		return;
	if (act != KA_QUIT)
		a->quit_asked = false;
	if (act != KA_NONE)
		dispatch(a, h, act, ch);
}

bool
app_keys_complete(char *buf, size_t cap)
{
	const KeyHandlers *all[] = {&main_live, &main_replay, &drill_keys,
	    &demo_keys, &replay_keys, &dialog_keys, &confirm_keys,
	    &failover_keys, &drill_prompt_keys};

	for (size_t k = 0; k < ARRAY_LEN(all); k++) {
		size_t n;
		const KeyBinding *t = keys_table(all[k]->ctx, &n);
		for (size_t i = 0; i < n; i++)
			if (all[k]->fn[t[i].action] == NULL) {
				snprintf(buf, cap, "%s: %s (table %zu)",
				    keys_context_title(all[k]->ctx),
				    t[i].name ? t[i].name : "?", k);
				return false;
			}
	}
	return true;
}
