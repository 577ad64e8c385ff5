#include "base/jsonlit.h"

#include <string.h>

bool
jsonlit_next(const char *s, size_t len, size_t *pos, JsonLit *lit)
{
	const char *q;
	size_t i;

	if (*pos >= len)
		return false;
	q = memchr(s + *pos, '"', len - *pos);
	if (q == NULL) {
		*pos = len;
		return false;
	}
	lit->open = (size_t)(q - s);
	lit->nul = JSONLIT_NUL_NONE;
	lit->nul_at = 0;
	for (i = lit->open + 1; i < len && s[i] != '"'; i++) {
		if (s[i] == '\0' && lit->nul == JSONLIT_NUL_NONE) {
			lit->nul = JSONLIT_NUL_RAW;
			lit->nul_at = i;
		} else if (s[i] == '\\') {
			if (lit->nul == JSONLIT_NUL_NONE && len - i >= 6 &&
			    memcmp(s + i + 1, "u0000", 5) == 0) {
				lit->nul = JSONLIT_NUL_ESCAPE;
				lit->nul_at = i;
			}
			i++; /* the escaped byte, whatever it is */
		}
	}
	lit->close = i < len ? i : len;
	*pos = i < len ? i + 1 : len;
	return true;
}

JsonLitNul
jsonlit_first_nul(const char *s, size_t len, size_t *at)
{
	size_t pos = 0;
	JsonLit lit;

	if (memchr(s, '\0', len) == NULL && memchr(s, '\\', len) == NULL)
		return JSONLIT_NUL_NONE;
	while (jsonlit_next(s, len, &pos, &lit))
		if (lit.nul != JSONLIT_NUL_NONE) {
			*at = lit.nul_at;
			return lit.nul;
		}
	return JSONLIT_NUL_NONE;
}
