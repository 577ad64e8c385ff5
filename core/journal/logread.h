/*
 * logread: a streaming reader of drtop's JSONL event logs (DESIGN.md
 * "Event log"), for report and replay. Logs can be hundreds of MB: the
 * file is read in blocks and never held whole.
 *
 * Rules: the first non-blank line must be a `session` header; blank lines
 * are skipped; CRLF line ends are accepted; unknown fields and unknown
 * types are skipped (counted); a last line without a newline that does
 * not parse (a recorder killed mid-write) is skipped with a warning; any
 * other line that is not a JSON object with a "type" is an error naming
 * its line: "PATH:LINE: message". So is a line that holds a NUL (a 0x00
 * byte anywhere, or \u0000 in a string, which the JSON parser would cut
 * silently) and an event whose "t" is negative.
 *
 * Names: the endpoints and resolvers an event names (not a probe's
 * served_by, which is what a server said) must be in the session
 * header's profile -- its endpoints, "public" when it has that section,
 * and its dns.resolvers by address -- else the event is an error:
 * "PATH:LINE: endpoint \"x\" is not in the session's profile". A header
 * without a profile (or whose profile lists no endpoints or resolvers)
 * takes the names as they come (a client's-eye probe's served_by among
 * them), up to LOGREAD_MAX_ENDPOINTS and LOGREAD_MAX_RESOLVERS, and is an
 * error past them. Whatever counts names from a log (report, replay) is
 * bounded by these.
 *
 * A LogRead has one owner; it is not locked.
 */
#ifndef DRTOP_LOGREAD_H
#define DRTOP_LOGREAD_H

#include <stdbool.h>
#include <stddef.h>

#include "model/event.h"
#include "model/profile.h"

/* Names a log without a profile may use: the profile's own maxima
 * (resolvers: eight times theirs, for logs of older profiles). */
#define LOGREAD_MAX_ENDPOINTS PROFILE_MAX_ENDPOINTS
#define LOGREAD_MAX_RESOLVERS (8 * PROFILE_MAX_RESOLVERS)

typedef struct LogRead LogRead;

/*
 * Open the log at path and read its session header into hdr (free with
 * session_header_fini). Returns NULL with err set: "PATH: reason" when the
 * file cannot be read, "PATH:LINE: message" when the header is bad (its
 * profile naming more endpoints or resolvers than the caps included).
 */
LogRead *logread_open(
    const char *path, SessionHeader *hdr, char *err, size_t cap);

/*
 * The next event. Returns 1 with ev filled, 0 at the end of the log, -1
 * with err = "PATH:LINE: message" for a bad line or "PATH: reason" for a
 * read error. After 0 or -1 every further call returns the same.
 */
int logread_next(LogRead *r, Event *ev, char *err, size_t cap);

/* Line number (1-based) of the line last read. */
long logread_line(const LogRead *r);

/* "PATH:LINE: truncated last line skipped" once the end has been reached
 * and the last line was cut off; NULL otherwise. */
const char *logread_warning(const LogRead *r);

/* The drill log's `state` line (the line right after the session header,
 * core/journal/state), NUL-terminated, with its length in *len (may be
 * NULL); NULL when the log has none. Valid until logread_close. A state
 * line anywhere else is not an event and is passed over. */
const char *logread_state(const LogRead *r, size_t *len);

/* Lines skipped because their type is unknown to this version. */
unsigned long logread_skipped(const LogRead *r);

/* Use the probe fast path (default on). Off only to measure it. */
void logread_set_fast(LogRead *r, bool on);

/* logread_close(NULL) is safe. */
void logread_close(LogRead *r);

#endif
