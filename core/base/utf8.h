/*
 * utf8: the one UTF-8 decoder of drtop. Profiles, action output, reports
 * and the console all decide "is this valid text, and which character
 * is it" here, with one rule: the shortest form only (no overlongs), no
 * surrogates, nothing above U+10FFFF, no sequence cut by the end of the
 * input. Pure, any thread.
 */
#ifndef DRTOP_UTF8_H
#define DRTOP_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Decode the sequence at s, of which len bytes may be read (len >= 1).
 * Returns its length (1..4) and stores the code point in *cp (cp may be
 * NULL), or returns 0 when the bytes at s are not valid UTF-8 (*cp is
 * then untouched). For a NUL-terminated string pass strnlen(s, 4).
 */
size_t utf8_decode(const char *s, size_t len, unsigned *cp);

/* Same, for a NUL-terminated string: reads at most the sequence and its
 * terminating NUL. */
size_t utf8_next(const char *s, unsigned *cp);

/* True for the C0 controls, DEL and the C1 controls (U+0080..U+009F):
 * characters that move a terminal's cursor or change its state. */
bool utf8_is_control(unsigned cp);

/* True for the bidirectional formatting characters: U+061C (Arabic
 * letter mark), U+200E and U+200F (left-to-right and right-to-left
 * marks), U+202A..U+202E (embeddings, overrides and their pop) and
 * U+2066..U+2069 (isolates). They are invisible and reorder how the text
 * around them is shown, so a string holding one can display as
 * something other than what it is. */
bool utf8_is_bidi(unsigned cp);

/* True when s (NUL-terminated) is valid UTF-8 without control
 * characters or bidirectional controls: safe to print on a terminal or
 * to put in a name. */
bool utf8_printable(const char *s);

/*
 * s for a message: written into out (cap >= 8 bytes, always
 * NUL-terminated) with '"' and '\' escaped and every control
 * character, bidirectional control and byte of invalid UTF-8 as \xNN,
 * cut short at a character boundary when it does not fit. No quotes are
 * added. Returns out.
 */
const char *utf8_escape(char *out, size_t cap, const char *s);

/* Replace, in place, every control character except tab and every byte
 * that does not start a valid sequence with repl (an ASCII byte), so the
 * len bytes at s are safe for a terminal and for JSON. Bidirectional
 * controls are kept: this is for text that is stored (action output),
 * and whatever draws it replaces them (the console: tui/text). */
void utf8_sanitize(char *s, size_t len, char repl);

#endif
