#include "app_drill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_draw.h"
#include "journal/state.h"
#include "view_drill.h"

void
app_drill_stop(App *a)
{
	char err[512] = "";
	Event ev;

	if (a->dc == NULL || !drillctl_active(a->dc))
		return;
	ev = drillctl_end(a->dc, a->ui.t);
	session_feed(a->cfg->session, &ev);
	if (drillctl_finish(a->dc, err, sizeof(err)) != 0)
		app_state_message(a, "drill log incomplete: %s", err);
	else
		app_state_message(a, "drill log: %s", drillctl_shown(a->dc));
	app_state_debug(a, "drill ended: %s", drillctl_path(a->dc));
}

void
app_drill_key(App *a, KeyAction act, int ch)
{
	(void)ch;
	if (a->dc == NULL) {
		app_state_message(a, "a replay is read-only: no drills");
		return;
	}
	if (act == KA_DRILL && drillctl_active(a->dc)) {
		app_drill_stop(a);
		return;
	}
	if (act != KA_DRILL && act != KA_MARKER && !drillctl_active(a->dc))
		app_state_message(
		    a, "no drill is running: the fault mark is logged only");
	/* The fault happens when i is pressed, not when its note is
	 * typed: the fault is written now, the note follows as a marker. */
	if (act == KA_MARK_FAULT) {
		Event ev = drillctl_fault(a->dc, a->ui.t, "");

		session_feed(a->cfg->session, &ev);
		a->ui.drill_fault_t = a->ui.t;
	}
	a->ui.drill_ask = act == KA_DRILL ? 'D'
	    : act == KA_MARK_FAULT        ? 'i'
	                                  : 'm';
	a->ui.drill_text[0] = '\0';
	app_draw_open_dialog(a, DLG_DRILL);
}

void
app_drill_cancel(App *a, KeyAction act, int ch)
{
	(void)act;
	(void)ch;
	app_draw_close_dialog(a);
	app_state_message(a,
	    a->ui.drill_ask == 'i' ? "fault marked, without a note"
	                           : "cancelled");
}

void
app_drill_submit(App *a, KeyAction act, int ch)
{
	char err[512];
	const char *text = a->ui.drill_text;
	Event ev;

	(void)act;
	(void)ch;
	app_draw_close_dialog(a);
	if (a->ui.drill_ask == 'D') {
		if (drillctl_active(a->dc))
			return;
		char *state = state_line_of(a->cfg->engine, a->ui.t);
		int rc = drillctl_start(
		    a->dc, a->ui.t, text, state, &ev, err, sizeof(err));

		free(state);
		if (rc != 0) {
			app_state_message(a, "DRILL NOT STARTED: %s", err);
			snprintf(a->ui.drill_line, sizeof(a->ui.drill_line),
			    "DRILL NOT STARTED: %.200s", err);
			a->ui.drill_error = true;
			a->dirty[PANE_STATUS] = true;
			app_state_debug(a, "drill not started: %s", err);
			return;
		}
		app_state_debug(a, "drill started: %s", drillctl_path(a->dc));
	} else if (a->ui.drill_ask == 'i') {
		char note[EV_TEXT_MAX];

		if (text[0] == '\0')
			return;
		snprintf(note, sizeof(note), "fault: %s", text);
		ev = drillctl_marker(a->dc, a->ui.t, note);
	} else
		ev = drillctl_marker(a->dc, a->ui.t, text);
	session_feed(a->cfg->session, &ev);
}

void
app_drill_edit(App *a, KeyAction act, int ch)
{
	if (view_drill_edit(&a->ui, act, ch))
		a->dlg_dirty = true;
}

void
app_drill_demo_fault(App *a, int region, const char *label)
{
	char note[EV_TEXT_MAX];
	Event ev;

	if (a->dc == NULL || strcmp(label, "ok") == 0)
		return;
	snprintf(note, sizeof(note), "demo: %s %s",
	    a->cfg->profile->endpoints[region].name, label);
	if (drillctl_demo_fault(a->dc, a->ui.t, note, &ev))
		session_feed(a->cfg->session, &ev);
}

void
app_drill_update(App *a)
{
	char line[sizeof(a->ui.drill_line)];
	bool error = false;

	if (a->dc == NULL)
		return;
	drillctl_status(a->dc, a->ui.t, line, sizeof(line), &error);
	if (strncmp(a->ui.drill_line, "DRILL NOT STARTED", 17) == 0 &&
	    !drillctl_active(a->dc))
		return; /* the error stays until a drill starts */
	drillctl_status_short(
	    a->dc, a->ui.t, a->ui.drill_short, sizeof(a->ui.drill_short));
	if (error && !a->ui.drill_error && strstr(line, "NOT RECORDED"))
		/* the reason, whole, on the notice line */
		app_state_message(
		    a, "drill log %s", strstr(line, "NOT RECORDED"));
	if (strcmp(line, a->ui.drill_line) != 0 || error != a->ui.drill_error) {
		str_copy(a->ui.drill_line, sizeof(a->ui.drill_line), line);
		a->ui.drill_error = error;
		a->dirty[PANE_STATUS] = true;
	}
}
