#include "journal/fastprobe.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Exact powers of ten: every one up to 1e22 is a double without error. */
static const double pow10_tab[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
    1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21,
    1e22};

typedef struct {
	const char *p, *end;
} Cur;

static bool
lit(Cur *c, const char *s, size_t n)
{
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

#define LIT(c, s) lit((c), (s), sizeof(s) - 1)

/*
 * A JSON number of the form -?(0|[1-9][0-9]*)(.[0-9]+)? whose digits fit
 * in 2^53 and whose fraction has at most 22 digits: then mantissa / 10^k
 * is one correctly rounded division, the same double strtod returns.
 */
static bool
num(Cur *c, double *out)
{
	uint64_t m = 0;
	int digits = 0, frac = 0;
	bool neg = false;

	if (c->p < c->end && *c->p == '-') {
		neg = true;
		c->p++;
	}
	if (c->p >= c->end || *c->p < '0' || *c->p > '9')
		return false;
	if (*c->p == '0' && c->p + 1 < c->end && c->p[1] >= '0' &&
	    c->p[1] <= '9')
		return false;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		m = m * 10 + (uint64_t)(*c->p++ - '0');
		if (++digits > 15)
			return false;
	}
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (c->p >= c->end || *c->p < '0' || *c->p > '9')
			return false;
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
			m = m * 10 + (uint64_t)(*c->p++ - '0');
			frac++;
			if (++digits > 15)
				return false;
		}
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E'))
		return false;
	*out = (double)m / pow10_tab[frac];
	if (neg)
		*out = -*out;
	return true;
}

/* A number or null (null -> -1, the event model's sentinel). */
static bool
num_or_null(Cur *c, double *out)
{
	if (LIT(c, "null")) {
		*out = -1;
		return true;
	}
	return num(c, out);
}

/* A string without escapes or control characters that fits in cap. */
static bool
str(Cur *c, char *dst, size_t cap)
{
	const char *s, *q;

	if (!LIT(c, "\""))
		return false;
	s = c->p;
	q = memchr(s, '"', (size_t)(c->end - s));
	if (q == NULL || (size_t)(q - s) >= cap)
		return false;
	for (const char *k = s; k < q; k++)
		if (*k == '\\' || (unsigned char)*k < 0x20)
			return false;
	memcpy(dst, s, (size_t)(q - s));
	dst[q - s] = '\0';
	c->p = q + 1;
	return true;
}

static bool
str_or_null(Cur *c, char *dst, size_t cap)
{
	if (LIT(c, "null")) {
		dst[0] = '\0';
		return true;
	}
	return str(c, dst, cap);
}

static bool
status(Cur *c, int *out)
{
	int v = 0, n = 0;

	if (LIT(c, "null")) {
		*out = 0;
		return true;
	}
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		v = v * 10 + (*c->p++ - '0');
		if (++n > 6)
			return false;
	}
	if (n == 0 ||
	    (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E')))
		return false;
	*out = v;
	return true;
}

static bool
error_class(Cur *c, ProbeError *out)
{
	char name[16];
	int e;

	if (LIT(c, "null")) {
		*out = PERR_NONE;
		return true;
	}
	if (!str(c, name, sizeof(name)))
		return false;
	e = probe_error_from_name(name);
	if (e <= 0)
		return false;
	*out = (ProbeError)e;
	return true;
}

/* After error "tls", the optional reason as event_to_json() writes it:
 * ,"tls":"NAME" with a name this version knows (anything else goes to
 * the general decoder). */
static bool
tls_reason(Cur *c, TlsReason *out)
{
	char name[16];
	int r;

	*out = TLSR_NONE;
	if (!LIT(c, ",\"tls\":"))
		return true;
	if (!str(c, name, sizeof(name)))
		return false;
	r = tls_reason_from_name(name);
	if (r <= 0)
		return false;
	*out = (TlsReason)r;
	return true;
}

int
fastprobe_parse(const char *line, size_t len, Event *ev)
{
	Cur c = {line, line + len};
	ProbeEvent *p = &ev->u.probe;
	double t;

	/* A negative t is an error the general decoder words; a NUL never
	 * gets past the literals, the digits and str(). */
	if (!LIT(&c, "{\"t\":") || !num(&c, &t) || t < 0 ||
	    !LIT(&c, ",\"type\":\"probe\",\"endpoint\":"))
		return 0;
	memset(p, 0, sizeof(*p));
	if (!str(&c, p->endpoint, sizeof(p->endpoint)) || !LIT(&c, ",\"ok\":"))
		return 0;
	if (LIT(&c, "true"))
		p->ok = true;
	else if (!LIT(&c, "false"))
		return 0;
	if (!LIT(&c, ",\"status\":") || !status(&c, &p->status) ||
	    !LIT(&c, ",\"error\":") || !error_class(&c, &p->error) ||
	    (p->error == PERR_TLS && !tls_reason(&c, &p->tls)) ||
	    !LIT(&c, ",\"ms\":{\"dns\":") || !num_or_null(&c, &p->ms.dns) ||
	    !LIT(&c, ",\"connect\":") || !num_or_null(&c, &p->ms.connect) ||
	    !LIT(&c, ",\"tls\":") || !num_or_null(&c, &p->ms.tls) ||
	    !LIT(&c, ",\"ttfb\":") || !num_or_null(&c, &p->ms.ttfb) ||
	    !LIT(&c, ",\"total\":") || !num_or_null(&c, &p->ms.total) ||
	    !LIT(&c, "},\"served_by\":") ||
	    !str_or_null(&c, p->served_by, sizeof(p->served_by)) ||
	    !LIT(&c, "}"))
		return 0;
	while (c.p < c.end && (*c.p == ' ' || *c.p == '\t' || *c.p == '\r'))
		c.p++;
	if (c.p != c.end)
		return 0;
	ev->type = EV_PROBE;
	ev->t = t;
	return 1;
}
