/*
 * bodymatch: streaming substring search over a response body that
 * arrives in chunks of any size (a needle may straddle any number of
 * chunk boundaries), looking at no more than BODYMATCH_CAP bytes.
 * Knuth-Morris-Pratt: O(1) work per byte, nothing buffered but the
 * needle's failure table. Pure; one BodyMatch per probe context, used by
 * one thread.
 */
#ifndef DRTOP_BODYMATCH_H
#define DRTOP_BODYMATCH_H

#include <stdbool.h>
#include <stddef.h>

#define BODYMATCH_CAP (64 * 1024)

typedef struct {
	char *needle; /* owned copy; NULL = nothing searched */
	size_t *fail; /* KMP failure table, one per needle byte */
	size_t nlen;
	size_t state; /* needle bytes matched so far */
	size_t seen; /* body bytes looked at (<= BODYMATCH_CAP) */
	bool found;
} BodyMatch;

/* needle NULL or "" means there is nothing to search for (then
 * bodymatch_found() is true from the start). Copies the needle. */
void bodymatch_init(BodyMatch *m, const char *needle);
void bodymatch_fini(BodyMatch *m);
/* Forget what was seen (same needle), for the next probe. */
void bodymatch_reset(BodyMatch *m);

/*
 * Look at the next len bytes of the body. Bytes beyond BODYMATCH_CAP in
 * total are ignored. Returns true once the outcome is decided: the
 * needle was found, or the cap was reached.
 */
bool bodymatch_feed(BodyMatch *m, const char *buf, size_t len);

bool bodymatch_found(const BodyMatch *m);
/* True when the cap has been reached (further bytes are ignored). */
bool bodymatch_full(const BodyMatch *m);

#endif
