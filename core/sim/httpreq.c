/*
 * httpreq: request heads and query strings; see httpreq.h.
 */
#include "sim/httpreq.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Header value of name (case-insensitive) in the header block, or NULL;
 * *vlen gets its length without trailing white space. */
static const char *
header_find(const char *h, size_t n, const char *name, size_t *vlen)
{
	size_t nl = strlen(name);
	const char *p = h, *end = h + n;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - p) > nl && p[nl] == ':' &&
		    strncasecmp(p, name, nl) == 0) {
			const char *v = p + nl + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			const char *ve = eol;
			while (ve > v && is_space(ve[-1]))
				ve--;
			*vlen = (size_t)(ve - v);
			return v;
		}
		p = eol + 1;
	}
	return NULL;
}

static bool
token_in(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok);

	for (size_t i = 0; i + tl <= n; i++)
		if (strncasecmp(v + i, tok, tl) == 0)
			return true;
	return false;
}

/* Length of the head (through the empty line) at the start of b, or 0
 * when it has not ended yet. */
static size_t
head_end(const char *b, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (b[i] != '\n')
			continue;
		if (b[i + 1] == '\n')
			return i + 2;
		if (i + 2 < n && b[i + 1] == '\r' && b[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* "METHOD TARGET HTTP/1.x" up to eol into r; false when it is not. */
static bool
request_line(const char *b, const char *eol, HttpReq *r)
{
	const char *sp1 = memchr(b, ' ', (size_t)(eol - b));
	if (sp1 == NULL || sp1 == b || (size_t)(sp1 - b) >= sizeof(r->method))
		return false;
	memcpy(r->method, b, (size_t)(sp1 - b));
	const char *t = sp1 + 1;
	const char *sp2 = memchr(t, ' ', (size_t)(eol - t));
	if (sp2 == NULL || sp2 == t || (size_t)(sp2 - t) >= sizeof(r->target))
		return false;
	memcpy(r->target, t, (size_t)(sp2 - t));
	const char *ver = sp2 + 1;
	size_t vl = (size_t)(eol - ver);
	if (vl > 0 && ver[vl - 1] == '\r')
		vl--;
	if (vl == 8 && memcmp(ver, "HTTP/1.1", 8) == 0)
		r->http11 = true;
	else if (!(vl == 8 && memcmp(ver, "HTTP/1.0", 8) == 0))
		return false;
	for (const char *m = r->method; *m != '\0'; m++)
		if (*m < 'A' || *m > 'Z')
			return false;
	return true;
}

/* A Content-Length value: 1-12 digits. -1 when it is not one. */
static long long
content_length(const char *v, size_t vlen)
{
	long long cl = 0;

	if (vlen == 0 || vlen > 12)
		return -1;
	for (size_t i = 0; i < vlen; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		cl = cl * 10 + (v[i] - '0');
	}
	return cl;
}

static HttpReqParse
bad(HttpReq *r, int status, const char *why)
{
	r->status = status;
	r->error = why;
	return HTTPREQ_BAD;
}

HttpReqParse
httpreq_parse(const char *b, size_t n, HttpReq *r)
{
	size_t hl = head_end(b, n);
	long long cl = 0;
	bool chunked = false;

	memset(r, 0, sizeof(*r));
	if (hl == 0) {
		if (n >= HTTPREQ_HEAD_MAX)
			return bad(r, 431, "request headers too large");
		return HTTPREQ_MORE;
	}
	r->head_len = hl;
	const char *eol = memchr(b, '\n', hl);
	if (!request_line(b, eol, r))
		return bad(r, 400, "not an HTTP/1.x request");
	const char *h = eol + 1;
	size_t hn = hl - (size_t)(h - b);
	size_t vlen;
	bool conn_close = false, conn_keep = false;
	const char *v = header_find(h, hn, "Connection", &vlen);
	if (v != NULL) {
		conn_close = token_in(v, vlen, "close");
		conn_keep = token_in(v, vlen, "keep-alive");
	}
	v = header_find(h, hn, "Transfer-Encoding", &vlen);
	if (v != NULL && token_in(v, vlen, "chunked"))
		chunked = true;
	v = header_find(h, hn, "Content-Length", &vlen);
	if (v != NULL && (cl = content_length(v, vlen)) < 0)
		return bad(r, 400, "not an HTTP/1.x request");
	if (chunked)
		return bad(r, 411, "send a Content-Length");
	if (cl > HTTPREQ_BODY_MAX)
		return bad(r, 413, "request body too large");
	r->keep_alive = r->http11 ? !conn_close : conn_keep;
	r->body = b + hl;
	r->body_len = (size_t)cl;
	r->len = hl + r->body_len;
	if (n < r->len)
		return HTTPREQ_MORE; /* the body is still coming */
	return HTTPREQ_DONE;
}

size_t
httpreq_blank_prefix(const char *buf, size_t len)
{
	size_t n = 0;

	while (n < len && (buf[n] == '\r' || buf[n] == '\n'))
		n++;
	return n;
}

static void
url_decode(char *s)
{
	char *w = s;

	for (char *p = s; *p != '\0'; p++) {
		if (*p == '+') {
			*w++ = ' ';
		} else if (*p == '%' && p[1] != '\0' && p[2] != '\0') {
			char hex[3] = {p[1], p[2], '\0'};
			char *e;
			long v = strtol(hex, &e, 16);
			if (*e == '\0' && v > 0) {
				*w++ = (char)v;
				p += 2;
			} else {
				*w++ = *p;
			}
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
}

char *
httpreq_query_get(const char *query, const char *key)
{
	size_t kl = strlen(key);
	const char *p = query;

	while (*p != '\0') {
		const char *amp = strchr(p, '&');
		size_t n = amp != NULL ? (size_t)(amp - p) : strlen(p);
		if (n > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			char *v = xstrndup(p + kl + 1, n - kl - 1);
			url_decode(v);
			return v;
		}
		p += n;
		if (*p == '&')
			p++;
	}
	return NULL;
}
