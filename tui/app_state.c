#include "app_state.h"

#include <stdarg.h>
#include <stdio.h>

#include "base/dlog.h"

const Snapshot *
app_state_snap(const App *a)
{
	return a->cfg->replay ? replay_snapshot(a->cfg->replay)
	                      : engine_snapshot(a->cfg->engine);
}

void
app_state_message(App *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->ui.message, sizeof(a->ui.message), fmt, ap);
	va_end(ap);
	a->dirty[PANE_STATUS] = true;
}

void
app_state_debug(const App *a, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	(void)a;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	dlog("console: %s", line); /* a no-op without --debug-log */
}

void
app_state_mark_all(App *a, bool full)
{
	for (int p = 0; p < PANE__COUNT; p++) {
		a->dirty[p] = true;
		if (full)
			a->full[p] = true;
	}
	a->dlg_dirty = true;
	a->small_dirty = true;
}
