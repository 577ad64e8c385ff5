/*
 * view_small: the screen below 80x24: says so and what it needs; the
 * console keeps running underneath and comes back on resize.
 */
#ifndef DRTOP_VIEW_SMALL_H
#define DRTOP_VIEW_SMALL_H

#include "view.h"

extern const ViewOps view_small_ops;

#endif
