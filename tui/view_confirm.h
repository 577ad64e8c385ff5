/*
 * view_confirm: the confirmation of a destructive action (disable or
 * enable an endpoint): the operator types the endpoint's name; Enter
 * confirms only on an exact match, Esc cancels.
 */
#ifndef DRTOP_VIEW_CONFIRM_H
#define DRTOP_VIEW_CONFIRM_H

#include "view.h"

extern const ViewOps view_confirm_ops;

/* True when the typed text matches the endpoint's name exactly. */
bool view_confirm_matches(const UiState *u);

#endif
