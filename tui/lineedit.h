/*
 * lineedit: a line of text typed into a dialog (a name to confirm, a
 * drill's name, a marker). The buffer holds UTF-8 as typed, byte by
 * byte from the keyboard. No curses; any thread may call these on its
 * own buffer.
 */
#ifndef DRTOP_LINEEDIT_H
#define DRTOP_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

/* Drop the last whole UTF-8 character of buf; false when it is empty. */
bool lineedit_erase(char *buf);

/* Append the byte of key ch to buf (cap bytes, NUL included) when it is
 * printable (0x20..0xff, not DEL) and fits; false otherwise. */
bool lineedit_type(char *buf, size_t cap, int ch);

#endif
