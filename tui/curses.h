/*
 * curses: the one place tui/ includes ncursesw, with the wide-character
 * API enabled. core/ never includes this (make check-layers).
 */
#ifndef DRTOP_TUI_CURSES_H
#define DRTOP_TUI_CURSES_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <ncursesw/curses.h>

#endif
