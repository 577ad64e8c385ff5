#include "app_replay.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app_model.h"

void
app_replay_key(App *a, KeyAction act, int ch)
{
	Replay *r = a->cfg->replay;

	(void)ch;
	switch (act) {
	case KA_PAUSE:
		if (replay_paused(r))
			replay_resume(r);
		else
			replay_pause(r);
		break;
	case KA_FASTER:
		replay_faster(r);
		break;
	case KA_SLOWER:
		replay_slower(r);
		break;
	case KA_SEEK_NEXT:
		if (!replay_seek_next(r, REPLAY_SEEK_DEFAULT, &a->sink))
			app_state_message(a, "no later change: at the end");
		break;
	case KA_SEEK_PREV:
		app_model_forget(a);
		if (!replay_seek_prev(r, REPLAY_SEEK_DEFAULT, &a->sink))
			app_state_message(a, "no earlier change: at the start");
		break;
	case KA_SEEK_START:
		app_model_forget(a);
		replay_seek_start(r, &a->sink);
		break;
	case KA_SEEK_END:
		replay_seek_end(r, &a->sink);
		break;
	default:
		return;
	}
	a->ui.t = replay_position(r);
	a->dirty[PANE_STATUS] = true;
	a->dirty[PANE_TIMELINE] = true;
}

void
app_replay_update(App *a)
{
	Replay *r = a->cfg->replay;
	char m[48], at[24];

	if (r == NULL)
		return;
	/* Where in the log, as mm:ss of mm:ss (whole seconds, so the
	 * status line changes once a second at most). */
	int pos = (int)fmax(0, replay_position(r) - replay_first_t(r));
	int len = (int)fmax(0, replay_duration(r));
	snprintf(at, sizeof(at), "%02d:%02d/%02d:%02d", pos / 60 % 100,
	    pos % 60, len / 60 % 100, len % 60);
	if (replay_at_end(r))
		snprintf(m, sizeof(m), "REPLAY END %s", at);
	else if (replay_paused(r))
		snprintf(m, sizeof(m), "REPLAY PAUSED %s", at);
	else
		snprintf(m, sizeof(m), "REPLAY x%g %s", replay_speed(r), at);
	if (strcmp(m, a->mode_buf) != 0) {
		str_copy(a->mode_buf, sizeof(a->mode_buf), m);
		a->dirty[PANE_STATUS] = true;
	}
}
