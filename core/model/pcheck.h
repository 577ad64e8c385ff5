/*
 * pcheck: the validation framework the profile loader is written in.
 *
 * A PCheck names the file being read and collects what is wrong with
 * it. Every check reports into it and carries on, so the operator sees
 * every error at once, each naming the file and the place:
 * "FILE: JSON.PATH: message" for a bad field, "FILE:LINE:COL: message"
 * for malformed JSON. The typed getters (pcheck_num, pcheck_str, ...)
 * report their own errors and return false; pcheck_keys reports unknown
 * keys with a "did you mean" hint, and duplicate known keys.
 *
 * Internal to the profile module (core/model/profile*.c): cJSON lives
 * only behind it. A PCheck belongs to one thread for one parse; the
 * functions are otherwise pure.
 */
#ifndef DRTOP_PCHECK_H
#define DRTOP_PCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "base/util.h"

/* Errors kept in the list; the rest are only counted. */
#define PCHECK_MAX_ERRORS 200
/* Room for any JSON path in a message; a longer one is cut short. */
#define PCHECK_PATH_CAP 320
/* The longest string a profile field holds, unless the field says less. */
#define PCHECK_MAX_STR 4096
/* Room for a pcheck_quote()d string. */
#define PCHECK_QUOTE_CAP 96

typedef struct {
	const char *fname; /* in every message */
	ErrList *errs; /* errors go here (the first PCHECK_MAX_ERRORS) */
	ErrList *warns; /* warnings; NULL drops them */
	int flags; /* the caller's (PROFILE_* load flags); not read here */
	int nerr; /* errors found, also those beyond PCHECK_MAX_ERRORS */
} PCheck;

/* A number's allowed range for pcheck_num(). */
typedef struct {
	double lo, hi; /* hi = HUGE_VAL: unbounded */
	bool lo_open; /* lo itself is not allowed */
	bool integer;
} PCheckNum;

/* Start a check of fname reporting into errs (and warns, may be NULL).
 * Both lists are the caller's and must outlive c. */
void pcheck_init(
    PCheck *c, const char *fname, ErrList *errs, ErrList *warns, int flags);

/* After the last check: summarise the errors beyond the first
 * PCHECK_MAX_ERRORS in one line. Returns the number of errors found
 * (0: the input is valid). */
int pcheck_finish(PCheck *c);

/*
 * Parse json[0..len) (need not be NUL-terminated) with cJSON. Returns
 * the tree (caller owns it: cJSON_Delete), or NULL after reporting one
 * "FILE:LINE:COL: malformed JSON ..." error (columns count characters;
 * text after the value, and a 0x00 byte between tokens, are errors too)
 * or, for every string and key holding a NUL (a 0x00 byte or \u0000,
 * where cJSON would silently cut it), "FILE: PATH: contains a NUL ...".
 */
cJSON *pcheck_parse(PCheck *c, const char *json, size_t len);

/* Report an error at path ("" or NULL: the file as a whole). Never more
 * than PCHECK_MAX_ERRORS reach c->errs; all are counted in c->nerr. */
void pcheck_err(PCheck *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Report "FILE: PATH: warning: message" when c->warns is not NULL.
 * Warnings never count as errors. */
void pcheck_warn(PCheck *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * s as a quoted, escaped string for messages, shortened with "..."
 * (about 60 bytes); control characters, bidirectional controls and
 * invalid UTF-8 as \xNN.
 * Writes into out (cap >= 16, PCHECK_QUOTE_CAP is enough); returns out.
 */
const char *pcheck_quote(char *out, size_t cap, const char *s);

/* parent.key, or parent["key"] (quoted) when key is not a plain word.
 * A path that does not fit in cap is cut short. */
void pcheck_path_key(
    char *out, size_t cap, const char *parent, const char *key);

/* parent[i]; cut short when it does not fit in cap. */
void pcheck_path_idx(char *out, size_t cap, const char *parent, int i);

/* "a string", "a number", "an object", ... for "must be X, not Y". */
const char *pcheck_type(const cJSON *j);

/* Index of k in the NULL-terminated list known, or -1. */
int pcheck_key_index(const char *const *known, const char *k);

/* The entry of known closest to k (edit distance 1 or 2) for a "did you
 * mean" hint, or NULL when none is that close. */
const char *pcheck_closest(const char *const *known, const char *k);

/*
 * The index of s in the NULL-terminated list names; or -1 after
 * reporting at path "QUOTED-S is not a WHAT (use "a", "b" or "c")".
 */
int pcheck_choice(PCheck *c, const char *path, const char *s, const char *what,
    const char *const *names);

/*
 * Check that obj is an object ("must be an object, not ..." otherwise)
 * and pcheck_keys() it. Returns false when it is not an object.
 */
bool pcheck_object(
    PCheck *c, const cJSON *obj, const char *path, const char *const *known);

/*
 * Report every key of the object obj (at path) that is not in known (a
 * NULL-terminated list of at most 64 names): "unknown key (did you mean
 * ...)" or "unknown key (known keys: ...)"; and every known key that
 * appears twice: "duplicate key".
 */
void pcheck_keys(
    PCheck *c, const cJSON *obj, const char *path, const char *const *known);

/* obj's member key (case-sensitive), or NULL. */
const cJSON *pcheck_get(const cJSON *obj, const char *key);

/*
 * Typed getters: each checks the item it at path, stores the value in
 * *out and returns true, or reports why not and returns false (*out
 * untouched).
 *
 * pcheck_num: a finite number inside r.
 * pcheck_int: a whole number from lo to hi.
 * pcheck_bool: true or false.
 * pcheck_str: a non-empty string of at most maxlen bytes that is safe to
 *   print (valid UTF-8, no control characters, no bidirectional
 *   controls: utf8_printable); *out points into it.
 */
bool pcheck_num(
    PCheck *c, const cJSON *it, const char *path, PCheckNum r, double *out);
bool pcheck_int(
    PCheck *c, const cJSON *it, const char *path, int lo, int hi, int *out);
bool pcheck_bool(PCheck *c, const cJSON *it, const char *path, bool *out);
bool pcheck_str(PCheck *c, const cJSON *it, const char *path, size_t maxlen,
    const char **out);

#endif
