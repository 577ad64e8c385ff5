/*
 * classify: the pure rules that turn what libcurl saw into a probe
 * result (doc/probe.md): transport error classes, TLS reasons, status
 * ranges, the overall verdict, `identify` parsing, timings, certificate
 * expiry and when to look at a certificate again.
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
 * Why a transfer that classify_curl() calls `tls` failed, from its
 * CURLcode and CURLINFO_SSL_VERIFYRESULT (with libcurl's OpenSSL
 * backend an X509_V_ERR_* code; libcurl sets it to 1 when a handshake
 * begins and to OpenSSL's verdict once OpenSSL has judged the chain).
 *   CURLE_PEER_FAILED_VERIFICATION with verify result
 *     10 (certificate has expired)            expired
 *     9  (certificate is not yet valid)       not_yet_valid
 *     62, 64 (host name / IP address mismatch), or 0 or 1: OpenSSL
 *        accepted the chain (or never judged it) and libcurl's own
 *        host name check refused it            hostname
 *     anything else (18 self-signed, 19 self-signed in chain,
 *        20/2 unknown issuer, 21 no chain, 7 bad signature, 23
 *        revoked, 24/27/28 CA not trusted, ...) untrusted
 *   CURLE_SSL_ISSUER_ERROR, _PINNEDPUBKEYNOTMATCH, _INVALIDCERTSTATUS
 *                                             untrusted
 *   CURLE_SSL_CONNECT_ERROR, _SSL_CIPHER, _SSL_SHUTDOWN_FAILED,
 *   _USE_SSL_FAILED (no protocol or cipher in common, the peer
 *   hung up or spoke something else mid-handshake)   handshake
 *   anything else (the prober's own TLS set-up: CA file, client
 *   certificate, engine; or not a tls class at all)  TLSR_NONE
 * Pure; verify_result is ignored unless it decides.
 */
TlsReason classify_tls(int curlcode, long verify_result);

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

/* Days left below which a `cert` event warns: days_left < 14. */
#define CLASSIFY_CERT_WARN_DAYS 14
bool classify_cert_warning(int days_left);

/*
 * When to fetch an endpoint's certificate (a separate TLS connection
 * with verification off and CURLOPT_CERTINFO on, done right after a
 * probe that reached the server): never on every probe. Due when no
 * fetch was made yet (last < 0), when the last one is
 * CLASSIFY_CERT_REFRESH seconds old, or when the connection changed
 * since (changed: another address or port, or another TLS outcome:
 * a renewed or replaced certificate shows as one) and the last fetch
 * is at least CLASSIFY_CERT_MIN_GAP old (a flapping outcome costs at
 * most one fetch a minute). last and now: seconds, one clock.
 */
#define CLASSIFY_CERT_REFRESH 3600.0
#define CLASSIFY_CERT_MIN_GAP 60.0
bool classify_cert_due(double last, bool changed, double now);

#endif
