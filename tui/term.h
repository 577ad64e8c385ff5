/*
 * term: the terminal under curses: starting and ending it, and putting
 * it back from die() in whatever thread dies.
 *
 * DESIGN
 * - term_start() (the console's thread, "the main thread" below) saves
 *   the terminal's modes with tcgetattr() before newterm() and, once
 *   curses runs, copies the terminfo strings that undo what curses did
 *   (sgr0, cnorm, rmkx, rmcup) into a static buffer. Restoring the
 *   terminal from that is then only write(2) and tcsetattr(): no curses,
 *   no allocation, so any thread may do it.
 * - term_die_hook() is the die() hook (core/base/util: it runs once, in
 *   the thread that called die()). On the main thread it calls endwin().
 *   On any other thread (a probe, the DNS observer, an action runner
 *   failing an allocation) it never calls curses: it takes the terminal
 *   lock, waiting at most a second, writes the saved strings to the
 *   terminal and restores the saved modes; die() then prints its message
 *   and aborts.
 * - The terminal lock: the main thread holds it whenever it may call
 *   curses (term_start returns holding it; the loop lets it go only
 *   while it sleeps in poll). So a dying thread never writes into the
 *   middle of a frame, and once it holds the lock the main thread never
 *   draws again. The wait is bounded, as the main thread could itself
 *   be blocked on a lock the dying thread holds.
 * - Shared state: `on` and the main thread's id are atomics published
 *   by term_start before anything may read them; the saved strings and
 *   modes are written before `on` is set and never after.
 */
#ifndef DRTOP_TERM_H
#define DRTOP_TERM_H

#include <stdbool.h>

#include "curses.h"

/*
 * Main thread. Check that stdin and stdout are a terminal, start curses
 * on it (cbreak, noecho, keypad, no delay, hidden cursor, 25 ms Esc) and
 * decide on colour (has_colors, NO_COLOR unset, 8 colours and a pair per
 * role). Returns the screen with the terminal lock held and *color set,
 * or NULL with a message on stderr when the terminal cannot be used.
 */
SCREEN *term_start(bool *color);

/* Main thread, holding the lock: end curses (the terminal is restored),
 * free s, and let the lock go. */
void term_end(SCREEN *s);

/* Main thread: let the terminal lock go while sleeping (poll), and take
 * it back before calling curses again. */
void term_release(void);
void term_hold(void);

/* For die_set_hook(): restores the terminal if curses is active, from
 * any thread (see DESIGN). */
void term_die_hook(void);

/*
 * Tests only. With DRTOP_TEST_DIE_AFTER=SECONDS in the environment, a
 * background thread calls die() that many seconds after the console
 * started, so a screen test can check that the terminal comes back
 * from a dying non-main thread. The name says what it is for; nothing
 * else sets it, and without it this does nothing. Main thread, after
 * term_start.
 */
void term_test_hooks(void);

#endif
