/*
 * text: strings measured and cut by display width, not bytes. Data
 * (endpoint names, regions, reasons) is UTF-8 whatever the locale; in
 * ASCII mode every non-ASCII character is drawn as '?', so the screen
 * stays pure ASCII. Wide characters (CJK) count two columns and are
 * never cut in half. Control characters, bidirectional controls (U+202E
 * and the like, which would reorder the screen around them) and invalid
 * bytes are drawn as '?' in either mode, whatever the text is: names,
 * markers, notes, action output.
 *
 * Main thread only: text_set_ascii() is called once at start.
 */
#ifndef DRTOP_TEXT_H
#define DRTOP_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "curses.h"

/* Choose once at start (before drawing): true = replace non-ASCII. */
void text_set_ascii(bool ascii);

/* Display width of UTF-8 s (control characters, bidirectional controls
 * and invalid bytes count one column each, as they are drawn as '?'). */
int text_width(const char *s);

/*
 * Copy the longest prefix of s that fits in maxw columns into out (cap
 * bytes, always NUL-terminated). When s does not fit, the prefix is
 * shortened so that ellipsis (one column; NULL or "" = none) fits too.
 * Returns the display width of out.
 */
int text_fit(
    const char *s, int maxw, const char *ellipsis, char *out, size_t cap);

/*
 * Draw s at (y, x) of w in at most maxw columns with attr, truncated
 * with ellipsis, then pad with blanks up to pad columns (pad <= maxw;
 * 0 = no padding). Returns the columns drawn (including padding).
 */
int text_put(WINDOW *w, int y, int x, int maxw, int pad, attr_t attr,
    const char *ellipsis, const char *s);

#endif
