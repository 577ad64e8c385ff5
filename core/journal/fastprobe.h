/*
 * fastprobe: a hand parser for `probe` lines in exactly the shape
 * event_to_json() writes them (same key order, no spaces, no escapes,
 * plain decimal numbers). It exists because a drill log is mostly probe
 * lines and cJSON builds a tree for each; `make bench` measures the
 * difference. Anything that differs in the slightest is left to the
 * general decoder (event_from_json), so results are identical.
 */
#ifndef DRTOP_FASTPROBE_H
#define DRTOP_FASTPROBE_H

#include <stddef.h>

#include "model/event.h"

/*
 * Decode line (len bytes, no newline, no NUL needed) into ev when it is
 * a probe line of the canonical shape. Returns 1 when decoded (ev->type,
 * ev->t and ev->u.probe are set; the rest of ev is not touched), 0 when
 * the caller must use event_from_json instead. Thread-safe, no
 * allocation, locale-independent; the numbers equal strtod's. A line it
 * decodes holds no NUL byte and no backslash (so no \u0000 either), and
 * its t is never negative: logread checks only the other lines for them.
 */
int fastprobe_parse(const char *line, size_t len, Event *ev);

#endif
