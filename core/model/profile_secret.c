/*
 * profile_secret: ${env:NAME} substitution into header values, their
 * redaction, and wiping them. See profile_secret.h.
 */
#include "model/profile_secret.h"

#include <stdlib.h>
#include <string.h>

#include "model/profile.h"

#define REF_OPEN "${env:"

static bool
name_char(char ch, bool first)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	    ch == '_' || (!first && ch >= '0' && ch <= '9');
}

/* The NAME of a reference, from name up to end (its '}', NULL when there
 * is none), into var (cap bytes). False when it is not a valid name. */
static bool
ref_name(const char *name, const char *end, char *var, size_t cap)
{
	size_t n = end != NULL ? (size_t)(end - name) : 0;

	if (n == 0 || n >= cap)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!name_char(name[i], i == 0))
			return false;
	memcpy(var, name, n);
	var[n] = '\0';
	return true;
}

/* Append n bytes at p to out (len used, cap allocated, room for one
 * more byte already there). */
static char *
append(char *out, size_t *len, size_t *cap, const char *p, size_t n)
{
	*cap += n;
	out = xrealloc(out, *cap, 1);
	memcpy(out + *len, p, n);
	*len += n;
	return out;
}

char *
profile_secret_subst(PCheck *c, const char *path, const char *val)
{
	size_t cap = strlen(val) + 1, len = 0;
	const char *s = val;
	char *out;

	if (c->flags & PROFILE_NO_ENV)
		return xstrdup(val);
	out = xmalloc(cap);
	while (*s != '\0') {
		const char *start = strstr(s, REF_OPEN), *end, *v;
		char var[256];
		size_t n;

		if (start == NULL)
			start = s + strlen(s);
		n = (size_t)(start - s);
		memcpy(out + len, s, n);
		len += n;
		s = start;
		if (*s == '\0')
			break;
		end = strchr(s + strlen(REF_OPEN), '}');
		if (!ref_name(s + strlen(REF_OPEN), end, var, sizeof(var))) {
			pcheck_err(c, path,
			    "malformed ${env:NAME} reference (NAME: letters, "
			    "digits, '_')");
			goto fail;
		}
		v = getenv(var);
		if (v == NULL && !(c->flags & PROFILE_ENV_OPTIONAL)) {
			pcheck_err(
			    c, path, "environment variable %s is not set", var);
			goto fail;
		}
		if (v == NULL) {
			pcheck_warn(c, path,
			    "environment variable %s is not set (it must be "
			    "when drtop probes)",
			    var);
			/* Keep the reference's text as the value. */
			out = append(out, &len, &cap, s, (size_t)(end + 1 - s));
		} else {
			out = append(out, &len, &cap, v, strlen(v));
		}
		s = end + 1;
	}
	out[len] = '\0';
	return out;
fail:
	profile_secret_wipe(out, cap);
	free(out);
	return NULL;
}

const char *
profile_secret_show(const char *value, bool redact)
{
	return redact ? "<redacted>" : value;
}

void
profile_secret_wipe(void *buf, size_t n)
{
	explicit_bzero(buf, n);
}

void
profile_secret_free(char *s)
{
	if (s == NULL)
		return;
	profile_secret_wipe(s, strlen(s));
	free(s);
}
