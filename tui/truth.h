/*
 * truth: expected against observed traffic, as the console words it.
 * The engine keeps the EXPECTED route (snapshot route_to) apart from what
 * DNS is OBSERVED to answer (snapshot traffic); these helpers are the one
 * place the console turns the two into words, so the title, the banners,
 * the markers and the failover dialog cannot tell different stories:
 *
 *   - the title line: "DNS → eu20 3/3", and while the expected route
 *     differs "DNS → eu20 3/3 · expected us21 for 12 s"; without DNS
 *     observation "expected → us21 (DNS not observed)"; a manual manager
 *     is labelled ("manual manager", short "manual"). The line is fitted
 *     to a width by rule (truth_title);
 *   - where traffic is observed to go, for the markers and for the
 *     failover dialog's `from`;
 *   - the diverged banner: "isp-b still answers eu20 (expected us21) 45 s
 *     after its TTL".
 *
 * Pure and read-only: no curses output, no state; any thread may call
 * them on a snapshot it owns (the console: the main thread).
 */
#ifndef DRTOP_TRUTH_H
#define DRTOP_TRUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/engine.h"
#include "glyphs.h"
#include "model/profile.h"
#include "theme.h"

/* The endpoint DNS is observed to answer, or NULL: DNS is not observed,
 * or no answer maps to an endpoint (yet). */
const char *truth_observed(const Snapshot *s);

/* The endpoint to mark as receiving traffic: the observed one; when DNS
 * is not observed at all, the expected route (the title then says so);
 * NULL when neither is known. */
const char *truth_target(const Snapshot *s);

/* The expected route when it is not truth_target() (it gets its own
 * mark), else NULL. */
const char *truth_expected_apart(const Snapshot *s);

/* A duration for reading, not for counting down: "12 s" below two
 * minutes, "5 min" below two hours, then "3 h". Negative is 0. */
void truth_secs(double secs, char *buf, size_t cap);

#define TRUTH_SEGS_MAX 12

/* One run of text in one role. */
typedef struct {
	char text[200]; /* a bar of 64 UTF-8 blocks fits */
	Role role;
} TruthSeg;

/* A line of runs and its display width. */
typedef struct {
	TruthSeg seg[TRUTH_SEGS_MAX];
	int n;
	int width;
} TruthLine;

/*
 * The title line of snapshot s (profile p) for at most width columns,
 * with glyphs g (arrow, separator). The longest form that fits is
 * chosen; the parts go in this order, the first first:
 *   1. " (authoritative)" after the count (observed by authoritative
 *      resolvers),
 *   2. "manual manager" shortens to "manual",
 *   3. " for 12 s" (how long the expected route has differed),
 *   4. "manual",
 *   5. "FAIL-OPEN".
 * Never dropped: the observed endpoint and its count ("DNS → eu20 3/3"),
 * the expected endpoint when it differs ("expected us21"), and without
 * DNS observation "expected → us21 (DNS not observed)". When even those
 * do not fit (endpoint names longer than the width allows), out->width
 * exceeds width and the caller cuts the end with an ellipsis.
 */
void truth_title(const Snapshot *s, const Profile *p, const Glyphs *g,
    int width, TruthLine *out);

/* The line's text without roles (tests, the debug log). */
void truth_line_text(const TruthLine *l, char *buf, size_t cap);

/*
 * The diverged banner, from the snapshot: the first resolver (profile
 * order) in a diverged episode, by its display name, what it still
 * answers and the expected route, and how long past its TTL ("isp-b
 * still answers eu20 (expected us21) 45 s after its TTL"; an
 * authoritative one, which has no cache: "... for 12 s"), with
 * "; 1 more diverged" when there are others. False (buf "") when no
 * resolver is diverged.
 */
bool truth_diverged(const Snapshot *s, char *buf, size_t cap);

#endif
