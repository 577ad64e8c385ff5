#include "journal/logread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "journal/fastprobe.h"
#include "journal/state.h"

#define LR_BLOCK (1u << 20) /* bytes read at a time */
#define LR_LINE_MAX (64u << 20) /* a longer line is an error */

struct LogRead {
	int fd;
	char *path;
	char *buf;
	size_t cap, start, end; /* unread bytes are buf[start..end) */
	bool eof;
	int state; /* 1 reading, 0 done, -1 failed */
	char fail[EV_TEXT_MAX + 256]; /* the error repeated after -1 */
	long line;
	unsigned long skipped;
	bool fast;
	char warning[EV_TEXT_MAX + 256];
	bool has_warning;
	char *state_text; /* the `state` line after the header; NULL */
	size_t state_len;
	/* The line read ahead by logread_open when it was not a state
	 * line: handed out first by logread_next (it still points into
	 * buf, which nothing has refilled since). */
	bool pending;
	const char *pend_line;
	size_t pend_len;
	bool pend_last;
};

/* Fill the buffer; false on a read error (err set). */
static bool
fill(LogRead *r, char *err, size_t cap)
{
	ssize_t n;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap) {
		if (r->cap >= LR_LINE_MAX) {
			snprintf(err, cap, "%s:%ld: line longer than %u bytes",
			    r->path, r->line + 1, LR_LINE_MAX);
			return false;
		}
		r->cap *= 2;
		r->buf = xrealloc(r->buf, r->cap, 1);
	}
	do
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(err, cap, "%s: %s", r->path, strerror(errno));
		return false;
	}
	if (n == 0)
		r->eof = true;
	r->end += (size_t)n;
	return true;
}

/*
 * The next raw line without its line end. Returns 1 (*line, *len, and
 * *last = true when the file ended without a newline), 0 at the end, -1
 * on a read error.
 */
static int
next_line(LogRead *r, const char **line, size_t *len, bool *last, char *err,
    size_t cap)
{
	for (;;) {
		char *s = r->buf + r->start;
		char *nl = memchr(s, '\n', r->end - r->start);
		if (nl != NULL) {
			*line = s;
			*len = (size_t)(nl - s);
			*last = false;
			r->start += *len + 1;
			break;
		}
		if (r->eof) {
			if (r->start == r->end)
				return 0;
			*line = s;
			*len = r->end - r->start;
			*last = true;
			r->start = r->end;
			break;
		}
		if (!fill(r, err, cap))
			return -1;
	}
	r->line++;
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	return 1;
}

static bool
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

LogRead *
logread_open(const char *path, SessionHeader *hdr, char *err, size_t cap)
{
	LogRead *r;
	const char *line;
	size_t len;
	bool last;
	char why[EV_TEXT_MAX];
	int fd, rc;

	memset(hdr, 0, sizeof(*hdr));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->fd = fd;
	r->path = xstrdup(path);
	r->cap = LR_BLOCK;
	r->buf = xmalloc(r->cap);
	r->state = 1;
	r->fast = true;
	do
		rc = next_line(r, &line, &len, &last, err, cap);
	while (rc == 1 && blank(line, len));
	if (rc < 0)
		goto fail;
	if (rc == 0) {
		snprintf(err, cap, "%s:%ld: empty log: no session header", path,
		    r->line + 1);
		goto fail;
	}
	if (event_parse_session(line, len, hdr, why, sizeof(why)) != 0) {
		snprintf(err, cap, "%s:%ld: %s%s", path, r->line,
		    last ? "truncated session header: " : "", why);
		goto fail;
	}
	/* A drill log's `state` line follows the header: keep it. */
	do
		rc = next_line(r, &line, &len, &last, err, cap);
	while (rc == 1 && blank(line, len));
	if (rc < 0) {
		r->state = -1;
		str_copy(r->fail, sizeof(r->fail), err);
	} else if (rc == 1 && !last && state_is_line(line, len)) {
		r->state_text = xstrndup(line, len);
		r->state_len = len;
	} else if (rc == 1) {
		r->pending = true;
		r->pend_line = line;
		r->pend_len = len;
		r->pend_last = last;
	}
	return r;
fail:
	logread_close(r);
	return NULL;
}

int
logread_next(LogRead *r, Event *ev, char *err, size_t cap)
{
	const char *line;
	size_t len;
	bool last;
	char why[EV_TEXT_MAX];
	int rc;

	if (r->state != 1) {
		if (r->state < 0)
			str_copy(err, cap, r->fail);
		return r->state;
	}
	for (;;) {
		if (r->pending) {
			r->pending = false;
			line = r->pend_line;
			len = r->pend_len;
			last = r->pend_last;
			rc = 1;
		} else {
			rc = next_line(r, &line, &len, &last, err, cap);
		}
		if (rc <= 0) {
			r->state = rc;
			if (rc < 0)
				str_copy(r->fail, sizeof(r->fail), err);
			return rc;
		}
		if (blank(line, len))
			continue;
		if (r->fast && fastprobe_parse(line, len, ev))
			return 1;
		if (state_is_line(line, len))
			continue; /* a state line later in a log: not an event */
		rc = event_from_json(line, len, ev, why, sizeof(why));
		if (rc == 1)
			return 1;
		if (rc == 0) {
			r->skipped++;
			continue;
		}
		if (last) {
			snprintf(r->warning, sizeof(r->warning),
			    "%s:%ld: truncated last line skipped (%s)", r->path,
			    r->line, why);
			r->has_warning = true;
			r->state = 0;
			return 0;
		}
		snprintf(err, cap, "%s:%ld: %s", r->path, r->line, why);
		str_copy(r->fail, sizeof(r->fail), err);
		r->state = -1;
		return -1;
	}
}

long
logread_line(const LogRead *r)
{
	return r->line;
}

const char *
logread_warning(const LogRead *r)
{
	return r->has_warning ? r->warning : NULL;
}

const char *
logread_state(const LogRead *r, size_t *len)
{
	if (len != NULL)
		*len = r->state_len;
	return r->state_text;
}

unsigned long
logread_skipped(const LogRead *r)
{
	return r->skipped;
}

void
logread_set_fast(LogRead *r, bool on)
{
	r->fast = on;
}

void
logread_close(LogRead *r)
{
	if (r == NULL)
		return;
	close(r->fd);
	free(r->buf);
	free(r->path);
	free(r->state_text);
	free(r);
}
