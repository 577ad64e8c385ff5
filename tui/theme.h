/*
 * theme: colours as roles. Views ask for theme_attr(ROLE_DEGRADED) and
 * never name a colour. The role list, the built-in dark theme and the
 * built-in mono theme come from one table (THEME_ROLES in theme.c);
 * themes/NAME files are small text files loaded over the dark defaults:
 *
 *     # comment
 *     degraded = red bold
 *     selected = black on cyan
 *     target   = bright-yellow on default bold underline
 *
 * Colours: default, black, red, green, yellow, blue, magenta, cyan,
 * white, bright-<colour>, or 0..255. Attributes: bold, dim, underline,
 * reverse, standout, normal. Errors name the file and line.
 *
 * State is never shown by colour alone: every view also writes a word or
 * a glyph, so the mono theme (NO_COLOR, terminals without colour) loses
 * nothing but colour.
 */
#ifndef DRTOP_THEME_H
#define DRTOP_THEME_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"
#include "curses.h"

/* X(name, dark fg, dark bg, dark attrs, mono attrs) */
#define THEME_ROLES(X)                                                         \
	X(DEFAULT, "default", -1, -1, 0, 0)                                    \
	X(TITLE, "title", 6, -1, TA_BOLD, TA_BOLD)                             \
	X(TITLE_FOCUS, "title_focus", 0, 6, TA_BOLD, TA_REVERSE)               \
	X(BORDER, "border", 8, -1, 0, 0)                                       \
	X(HEADER, "header", 7, -1, TA_UNDERLINE, TA_UNDERLINE)                 \
	X(DIM, "dim", 8, -1, 0, TA_DIM)                                        \
	X(ONLINE, "online", 2, -1, TA_BOLD, TA_BOLD)                           \
	X(DEGRADED, "degraded", 1, -1, TA_BOLD, TA_BOLD | TA_UNDERLINE)        \
	X(CHECKING, "checking", 3, -1, 0, 0)                                   \
	X(DISABLED, "disabled", 8, -1, 0, TA_DIM)                              \
	X(FAILOPEN, "failopen", 15, 1, TA_BOLD, TA_REVERSE | TA_BOLD)          \
	X(SELECTED, "selected", 0, 6, 0, TA_REVERSE)                           \
	X(LAND, "land", 4, -1, 0, 0)                                           \
	X(MARKER, "marker", 15, -1, TA_BOLD, TA_BOLD)                          \
	X(TARGET, "target", 11, -1, TA_BOLD, TA_BOLD | TA_UNDERLINE)           \
	X(PROBE_OK, "probe_ok", 2, -1, 0, 0)                                   \
	X(PROBE_SLOW, "probe_slow", 3, -1, 0, TA_BOLD)                         \
	X(PROBE_FAIL, "probe_fail", 1, -1, TA_BOLD, TA_BOLD)                   \
	X(PROBE_TIMEOUT, "probe_timeout", 5, -1, TA_BOLD, TA_BOLD)             \
	X(AXIS, "axis", 8, -1, 0, 0)                                           \
	X(CURSOR, "cursor", 11, -1, TA_BOLD, TA_BOLD)                          \
	X(CHANGE, "change", 13, -1, TA_BOLD, TA_BOLD)                          \
	X(STATUS, "status", 15, 4, 0, TA_REVERSE)                              \
	X(MODE, "mode", 0, 3, TA_BOLD, TA_BOLD)                                \
	X(KEY, "key", 11, -1, TA_BOLD, TA_BOLD)                                \
	X(BANNER, "banner", 0, 11, TA_BOLD, TA_REVERSE | TA_BOLD)              \
	X(PROGRESS, "progress", 6, -1, 0, 0)                                   \
	X(CONVERGED, "converged", 2, -1, 0, TA_BOLD)                           \
	X(DIALOG, "dialog", 15, 0, 0, 0)                                       \
	X(INPUT, "input", 15, 4, TA_UNDERLINE, TA_UNDERLINE)                   \
	X(EVENT_TIME, "event_time", 8, -1, 0, TA_DIM)

#define TA_BOLD 0x01u
#define TA_DIM 0x02u
#define TA_UNDERLINE 0x04u
#define TA_REVERSE 0x08u
#define TA_STANDOUT 0x10u

typedef enum {
#define THEME_ENUM(name, str, fg, bg, attrs, mono) ROLE_##name,
	THEME_ROLES(THEME_ENUM)
#undef THEME_ENUM
	    ROLE__COUNT
} Role;

typedef struct {
	short fg, bg; /* -1 = terminal default, 0..255 */
	unsigned attrs; /* TA_* */
} RoleStyle;

typedef struct {
	char name[64];
	bool mono; /* uses no colour at all */
	RoleStyle roles[ROLE__COUNT];
	/* The curses attribute (with colour pair) of each role, filled by
	 * theme_apply(); A_NORMAL before. */
	attr_t attr[ROLE__COUNT];
} Theme;

/* The names `t` cycles through, in order, NULL-terminated. */
extern const char *const theme_cycle[];

/* Role name as written in theme files ("degraded"); NULL if out of range. */
const char *theme_role_name(Role r);

/* The built-in dark (mono = false) or mono theme. */
void theme_builtin(Theme *t, bool mono);

/*
 * Parse theme text (len bytes) over *t. Every error is appended to errs
 * as "FNAME:LINE: message"; returns 0 when there was none, -1 otherwise
 * (t then holds every line that parsed).
 */
int theme_parse(
    Theme *t, const char *text, size_t len, const char *fname, ErrList *errs);

/*
 * Load theme NAME: a path when it contains '/', else themes/NAME found in
 * $DRTOP_THEMES, next to the binary (themes/, ../share/drtop/themes/),
 * /usr/local/share/drtop/themes or ./themes. "dark" and "mono" fall back
 * to the built-in tables when no file is found. Returns 0, or -1 with
 * errors in errs (unknown theme, unreadable file, bad lines).
 */
int theme_load(Theme *t, const char *name, ErrList *errs);

/* Main thread, curses started. Make t the terminal's theme: define one
 * colour pair per role (none when color is false or t is mono) and fill
 * t->attr. The colour pairs are the terminal's: the last theme applied
 * is the one whose t->attr is valid to draw with. */
void theme_apply(Theme *t, bool color);

/* The curses attribute (with colour pair) of role r in theme t (filled
 * by theme_apply). A_NORMAL when t is NULL or r is out of range. */
attr_t theme_attr(const Theme *t, Role r);

#endif
