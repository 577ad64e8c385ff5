/*
 * profile_secret: where a profile holds secrets, and how they are kept
 * out of sight.
 *
 * The only secrets are monitor header values, which may name
 * environment variables as ${env:NAME} (NAME: a letter or '_', then
 * letters, digits and '_'). They are substituted when the profile is
 * loaded, never printed in a message, shown as "<redacted>" wherever a
 * rendering asks for redaction, and wiped before their memory is freed.
 *
 * Internal to the profile module. Not reentrant with respect to getenv()
 * (main thread, or any one thread).
 */
#ifndef DRTOP_PROFILE_SECRET_H
#define DRTOP_PROFILE_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "model/pcheck.h"

/*
 * val with every ${env:NAME} replaced by the variable's value, as a
 * malloc'd string (free it with profile_secret_free). c->flags decide:
 * PROFILE_NO_ENV copies val as it is; PROFILE_ENV_OPTIONAL turns an
 * unset variable into a warning and keeps the reference's text. A
 * malformed reference or (without ENV_OPTIONAL) an unset variable is an
 * error at path: returns NULL. No message ever holds a value.
 */
char *profile_secret_subst(PCheck *c, const char *path, const char *val);

/* What a rendering shows for the secret value: "<redacted>" when redact,
 * else value itself. */
const char *profile_secret_show(const char *value, bool redact);

/* Overwrite n bytes at buf with zeros, in a way the compiler keeps. */
void profile_secret_wipe(void *buf, size_t n);

/* Wipe the string s and free it; NULL is safe. */
void profile_secret_free(char *s);

#endif
