/*
 * classify: the pure rules that turn what libcurl saw into a probe
 * result (doc/probe.md): transport error classes, status ranges, the
 * overall verdict, `identify` parsing, timings and certificate expiry.
 * No I/O, no clock, no allocation; any thread.
 */
#ifndef DRTOP_CLASSIFY_H
#define DRTOP_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "model/event.h"
#include "model/profile.h"

/*
 * Class of a finished transfer's CURLcode (passed as int so callers
 * need not include curl). CURLE_OK is PERR_NONE; so is
 * CURLE_WRITE_ERROR when we_aborted (the write callback stopped the
 * body on purpose: cap reached or match decided). Mapping:
 *   timeout  - CURLE_OPERATION_TIMEDOUT
 *   refused  - CURLE_COULDNT_CONNECT (refused, unreachable)
 *   dns      - CURLE_COULDNT_RESOLVE_HOST / _PROXY
 *   tls      - every SSL/TLS handshake and verification error
 *   status   - not HTTP at all (CURLE_WEIRD_SERVER_REPLY, an HTTP/0.9
 *              reply: CURLE_UNSUPPORTED_PROTOCOL): no valid status
 *   reset    - the connection broke (recv/send error, empty reply,
 *              partial body, HTTP/2 stream errors) and anything else
 */
ProbeError classify_curl(int curlcode, bool we_aborted);

/*
 * The verdict of a probe, PERR_NONE meaning ok. A transport error wins;
 * a tcp probe that connected is ok; otherwise a status outside the
 * expected ranges is `status`, and an expected status whose body lacks
 * body_contains is `body`.
 */
ProbeError classify_verdict(
    ProbeError transport, bool tcp, bool status_ok, bool body_ok);

/*
 * A plausible region name from s[0..len): surrounding whitespace
 * trimmed, 1..31 bytes, every byte printable ASCII. Copies it to out
 * (cap >= 32) and returns true, else returns false and out is "".
 */
bool classify_name(const char *s, size_t len, char *out, size_t cap);

/*
 * One raw header line ("X-Region: eu20\r\n", as curl's header callback
 * gives it): when its name equals `name` (case-insensitive) and its
 * value is a plausible name, copy the value to out and return true.
 */
bool classify_header(
    const char *line, size_t len, const char *name, char *out, size_t cap);

/* The body's first line (up to '\n', or all of buf) as a plausible
 * name, as classify_name(). */
bool classify_first_line(const char *buf, size_t len, char *out, size_t cap);

/* curl's CURLINFO_*_TIME_T values, microseconds from the start. */
typedef struct {
	long long namelookup, connect, appconnect, pretransfer, starttransfer,
	    total;
} ClassifyTimes;

/*
 * Milliseconds per DESIGN.md: dns = namelookup; connect = connect -
 * namelookup; tls = appconnect - connect (null unless tls); ttfb =
 * starttransfer - pretransfer (the server's time to the first byte of
 * the response, without connection set-up); total. A phase that was not
 * reached (curl reports 0) is null (-1).
 */
void classify_times(const ClassifyTimes *in, bool tls, ProbeTimes *out);

/*
 * Days left on a certificate whose notAfter is s, as libcurl's CERTINFO
 * "Expire date" gives it with OpenSSL ("Nov 26 09:00:00 2026 GMT"), at
 * wall-clock time now (seconds since the epoch): whole days, rounded
 * down, negative once expired. Returns false when s does not parse.
 */
bool classify_cert_days(const char *s, double now, int *days_left);

#endif
