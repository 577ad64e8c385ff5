/*
 * view_drill: the drill prompts (keys D, i, m): one line of text typed
 * into u->drill_text; Enter accepts (an empty text is fine), Esc
 * cancels. u->drill_ask says which prompt: 'D' the drill's name, 'i' a
 * note for the fault mark, 'm' a marker's text.
 */
#ifndef DRTOP_VIEW_DRILL_H
#define DRTOP_VIEW_DRILL_H

#include "view.h"

extern const ViewOps view_drill_ops;

/*
 * Edit u->drill_text with key ch (its action in KCTX_CONFIRM is act):
 * KA_ERASE drops the last UTF-8 character, printable bytes are
 * appended while they fit. Returns true when the text changed.
 */
bool view_drill_edit(UiState *u, KeyAction act, int ch);

#endif
