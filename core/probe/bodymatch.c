#include "probe/bodymatch.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

void
bodymatch_init(BodyMatch *m, const char *needle)
{
	memset(m, 0, sizeof(*m));
	if (needle == NULL || needle[0] == '\0') {
		m->found = true;
		return;
	}
	m->nlen = strlen(needle);
	m->needle = xstrdup(needle);
	m->fail = xcalloc(m->nlen, sizeof(*m->fail));
	/* fail[i]: length of the longest proper prefix of needle[0..i]
	 * that is also a suffix of it. */
	for (size_t i = 1, k = 0; i < m->nlen; i++) {
		while (k > 0 && needle[i] != needle[k])
			k = m->fail[k - 1];
		if (needle[i] == needle[k])
			k++;
		m->fail[i] = k;
	}
}

void
bodymatch_fini(BodyMatch *m)
{
	free(m->needle);
	free(m->fail);
	memset(m, 0, sizeof(*m));
}

void
bodymatch_reset(BodyMatch *m)
{
	m->state = 0;
	m->seen = 0;
	m->found = m->needle == NULL;
}

bool
bodymatch_feed(BodyMatch *m, const char *buf, size_t len)
{
	size_t room = BODYMATCH_CAP - m->seen;

	if (m->found || m->seen >= BODYMATCH_CAP)
		return true;
	if (len > room)
		len = room;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		while (m->state > 0 && c != m->needle[m->state])
			m->state = m->fail[m->state - 1];
		if (c == m->needle[m->state] && ++m->state == m->nlen) {
			m->found = true;
			m->seen += i + 1;
			return true;
		}
	}
	m->seen += len;
	return m->seen >= BODYMATCH_CAP;
}

bool
bodymatch_found(const BodyMatch *m)
{
	return m->found;
}

bool
bodymatch_full(const BodyMatch *m)
{
	return m->seen >= BODYMATCH_CAP;
}
