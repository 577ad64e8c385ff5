/*
 * dnswire: see dnswire.h. Every read goes through rd16/rd32 or an
 * explicit bound check against len.
 */
#include "dns/dnswire.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"

#define NAME_WIRE_MAX 255
#define MAX_JUMPS 64

static void __attribute__((format(printf, 3, 4)))
seterr(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (!err || cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/* Append one byte of a label as text, escaping what is not printable. */
static bool
put_label_byte(char *out, size_t cap, size_t *n, uint8_t c)
{
	char tmp[5];
	size_t k;

	if (c > 0x20 && c < 0x7f && c != '.' && c != '\\') {
		tmp[0] = (char)c;
		k = 1;
	} else {
		snprintf(tmp, sizeof(tmp), "\\%03u", (unsigned)c);
		k = 4;
	}
	if (*n + k + 1 > cap)
		return false;
	memcpy(out + *n, tmp, k);
	*n += k;
	out[*n] = '\0';
	return true;
}

/*
 * Decode the name at *off into out. On success *off is past the name in
 * the record (after the first pointer, if any). Pointers must point
 * strictly before the pointer itself, so no loop can form; jumps are
 * bounded anyway.
 */
static int
read_name(const uint8_t *pkt, size_t len, size_t *off, char *out, size_t cap,
    char *err, size_t errcap)
{
	size_t pos = *off, end = 0, n = 0, wire = 0;
	int jumps = 0;
	bool jumped = false;

	out[0] = '\0';
	for (;;) {
		uint8_t c;

		if (pos >= len) {
			seterr(err, errcap,
			    "name runs past the end at offset %zu", pos);
			return -1;
		}
		c = pkt[pos];
		if ((c & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= len) {
				seterr(err, errcap,
				    "truncated compression pointer at offset "
				    "%zu",
				    pos);
				return -1;
			}
			target = (size_t)(rd16(pkt + pos) & 0x3fff);
			if (target >= pos || ++jumps > MAX_JUMPS) {
				seterr(err, errcap,
				    "compression pointer loop or forward "
				    "pointer at offset %zu",
				    pos);
				return -1;
			}
			if (!jumped)
				end = pos + 2;
			jumped = true;
			pos = target;
			continue;
		}
		if (c & 0xc0) {
			seterr(err, errcap,
			    "bad label type 0x%02x at offset %zu", c, pos);
			return -1;
		}
		if (c == 0) {
			pos++;
			break;
		}
		if (pos + 1 + c > len) {
			seterr(err, errcap,
			    "label runs past the end at offset %zu", pos);
			return -1;
		}
		wire += (size_t)c + 1;
		if (wire + 1 > NAME_WIRE_MAX) {
			seterr(err, errcap, "name longer than 255 bytes");
			return -1;
		}
		if (n > 0) { /* the separator, raw (put_label_byte escapes) */
			if (n + 2 > cap)
				goto toolong;
			out[n++] = '.';
			out[n] = '\0';
		}
		for (size_t i = 0; i < c; i++)
			if (!put_label_byte(out, cap, &n, pkt[pos + 1 + i]))
				goto toolong;
		pos += 1 + (size_t)c;
	}
	if (n == 0)
		str_copy(out, cap, ".");
	*off = jumped ? end : pos;
	return 0;
toolong:
	seterr(err, errcap, "name too long to print");
	return -1;
}

int
dnswire_parse(
    const uint8_t *pkt, size_t len, DnsMessage *m, char *err, size_t errcap)
{
	size_t off = 12;
	uint16_t flags;
	int total;
	char ebuf[96];

	memset(m, 0, sizeof(*m));
	if (len < 12) {
		seterr(err, errcap, "message shorter than a header (%zu bytes)",
		    len);
		return -1;
	}
	m->id = rd16(pkt);
	flags = rd16(pkt + 2);
	m->qr = flags & 0x8000;
	m->opcode = (flags >> 11) & 0xf;
	m->aa = flags & 0x0400;
	m->tc = flags & 0x0200;
	m->rd = flags & 0x0100;
	m->ra = flags & 0x0080;
	m->rcode = flags & 0xf;
	m->qdcount = rd16(pkt + 4);
	m->ancount = rd16(pkt + 6);
	m->nscount = rd16(pkt + 8);
	m->arcount = rd16(pkt + 10);

	for (int i = 0; i < m->qdcount; i++) {
		char name[EV_HOST_MAX];

		if (read_name(pkt, len, &off, name, sizeof(name), ebuf,
		        sizeof(ebuf)) < 0) {
			seterr(err, errcap, "question %d: %s", i + 1, ebuf);
			return -1;
		}
		if (off + 4 > len) {
			seterr(err, errcap, "truncated in question %d", i + 1);
			return -1;
		}
		if (i == 0) {
			str_copy(m->qname, sizeof(m->qname), name);
			m->qtype = rd16(pkt + off);
			m->qclass = rd16(pkt + off + 2);
		}
		off += 4;
	}

	total = m->ancount + m->nscount + m->arcount;
	for (int i = 0; i < total; i++) {
		DnsRecord rr;
		uint16_t rdlen;
		const char *sect = i < m->ancount ? "answer"
		    : i < m->ancount + m->nscount ? "authority"
		                                  : "additional";
		int idx = i < m->ancount          ? i
		    : i < m->ancount + m->nscount ? i - m->ancount
		                                  : i - m->ancount - m->nscount;

		memset(&rr, 0, sizeof(rr));
		if (read_name(pkt, len, &off, rr.name, sizeof(rr.name), ebuf,
		        sizeof(ebuf)) < 0) {
			seterr(err, errcap, "%s %d: %s", sect, idx + 1, ebuf);
			return -1;
		}
		if (off + 10 > len) {
			seterr(
			    err, errcap, "truncated in %s %d", sect, idx + 1);
			return -1;
		}
		rr.type = rd16(pkt + off);
		rr.cls = rd16(pkt + off + 2);
		rr.ttl = rd32(pkt + off + 4);
		rdlen = rd16(pkt + off + 8);
		off += 10;
		if (off + rdlen > len) {
			seterr(err, errcap, "truncated in %s %d (rdata)", sect,
			    idx + 1);
			return -1;
		}
		if (i >= m->ancount) {
			off += rdlen;
			continue;
		}
		if (rr.cls == DNSWIRE_C_IN && rr.type == DNSWIRE_T_A) {
			if (rdlen != 4) {
				seterr(err, errcap,
				    "answer %d: A record of %u bytes", idx + 1,
				    (unsigned)rdlen);
				return -1;
			}
			inet_ntop(AF_INET, pkt + off, rr.data, sizeof(rr.data));
		} else if (rr.cls == DNSWIRE_C_IN &&
		    rr.type == DNSWIRE_T_AAAA) {
			if (rdlen != 16) {
				seterr(err, errcap,
				    "answer %d: AAAA record of %u bytes",
				    idx + 1, (unsigned)rdlen);
				return -1;
			}
			inet_ntop(
			    AF_INET6, pkt + off, rr.data, sizeof(rr.data));
		} else if (rr.type == DNSWIRE_T_CNAME) {
			size_t p = off;

			if (read_name(pkt, off + rdlen, &p, rr.data,
			        sizeof(rr.data), ebuf, sizeof(ebuf)) < 0) {
				seterr(err, errcap, "answer %d: CNAME: %s",
				    idx + 1, ebuf);
				return -1;
			}
			if (p != off + rdlen) {
				seterr(err, errcap,
				    "answer %d: CNAME rdata length mismatch",
				    idx + 1);
				return -1;
			}
		}
		off += rdlen;
		if (m->nanswers < DNSWIRE_MAX_RR)
			m->answers[m->nanswers++] = rr;
	}
	return 0;
}

int
dnswire_check_reply(const DnsMessage *m, uint16_t id, const char *qname,
    uint16_t qtype, char *err, size_t errcap)
{
	if (!m->qr) {
		seterr(err, errcap, "not a response (QR clear)");
		return -1;
	}
	if (m->id != id) {
		seterr(err, errcap, "wrong ID %u (expected %u)",
		    (unsigned)m->id, (unsigned)id);
		return -1;
	}
	if (m->opcode != 0) {
		seterr(err, errcap, "unexpected opcode %d", m->opcode);
		return -1;
	}
	if (m->qdcount == 0 && m->rcode != DNSWIRE_RCODE_NOERROR &&
	    m->ancount == 0)
		return 0; /* an error without the question (RFC 1035 allows
		             it, e.g. FORMERR): the ID is all there is */
	if (m->qdcount != 1) {
		seterr(err, errcap, "%d questions in the response (expected 1)",
		    m->qdcount);
		return -1;
	}
	if (!dnswire_name_eq(m->qname, qname) || m->qtype != qtype ||
	    m->qclass != DNSWIRE_C_IN) {
		seterr(err, errcap, "response to another question (%s type %u)",
		    m->qname, (unsigned)m->qtype);
		return -1;
	}
	return 0;
}

static void
note_ttl(DnsChain *c, uint32_t ttl)
{
	if (!c->has_ttl || ttl < c->min_ttl)
		c->min_ttl = ttl;
	c->has_ttl = true;
}

void
dnswire_follow(const DnsMessage *m, const char *qname, DnsChain *out)
{
	memset(out, 0, sizeof(*out));
	str_copy(out->final_name, sizeof(out->final_name), qname);
	for (int hop = 0; hop <= DNSWIRE_CHAIN_MAX; hop++) {
		const DnsRecord *cn = NULL;

		for (int i = 0; i < m->nanswers; i++) {
			const DnsRecord *r = &m->answers[i];

			if (r->type == DNSWIRE_T_CNAME &&
			    dnswire_name_eq(r->name, out->final_name)) {
				cn = r;
				break;
			}
		}
		if (!cn)
			break;
		if (out->nchain >= DNSWIRE_CHAIN_MAX) {
			out->loop = true; /* too long: treated like a loop */
			break;
		}
		if (dnswire_name_eq(cn->data, qname)) {
			out->loop = true;
			break;
		}
		for (int k = 0; k < out->nchain; k++)
			if (dnswire_name_eq(out->chain[k], cn->data))
				out->loop = true;
		if (out->loop)
			break;
		note_ttl(out, cn->ttl);
		str_copy(out->chain[out->nchain++], EV_HOST_MAX, cn->data);
		str_copy(out->final_name, sizeof(out->final_name), cn->data);
	}
	for (int i = 0; i < m->nanswers; i++) {
		const DnsRecord *r = &m->answers[i];

		if (r->cls != DNSWIRE_C_IN ||
		    (r->type != DNSWIRE_T_A && r->type != DNSWIRE_T_AAAA) ||
		    !dnswire_name_eq(r->name, out->final_name))
			continue;
		note_ttl(out, r->ttl);
		if (out->naddrs < DNSWIRE_MAX_RR)
			str_copy(out->addrs[out->naddrs++], DNSWIRE_ADDR_MAX,
			    r->data);
	}
}

bool
dnswire_name_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 1 && a[la - 1] == '.')
		la--;
	if (lb > 1 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

const char *
dnswire_rcode_name(int rcode, char *buf, size_t cap)
{
	static const char *const names[] = {
	    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", NULL, "REFUSED"};

	if (rcode >= 0 && (size_t)rcode < ARRAY_LEN(names) && names[rcode])
		snprintf(buf, cap, "%s", names[rcode]);
	else
		snprintf(buf, cap, "%d", rcode);
	return buf;
}

/* --- building --- */

static bool
encode_name(const char *name, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t n = 0, total = strlen(name);
	const char *p = name;

	if (total > 0 && name[total - 1] == '.')
		total--;
	if (total > 253)
		return false;
	if (total == 0) {
		if (cap < 1)
			return false;
		out[0] = 0;
		*outlen = 1;
		return true;
	}
	while (p < name + total) {
		const char *dot = memchr(p, '.', (size_t)(name + total - p));
		size_t l = dot ? (size_t)(dot - p) : (size_t)(name + total - p);

		if (l == 0 || l > 63 || n + 1 + l + 1 > cap)
			return false;
		out[n++] = (uint8_t)l;
		memcpy(out + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
		if (dot && p == name + total)
			return false; /* "a..": empty last label */
	}
	out[n++] = 0;
	*outlen = n;
	return true;
}

size_t
dnswire_build_query(uint16_t id, const char *name, uint16_t qtype, bool rd,
    uint8_t *buf, size_t cap)
{
	DnsBuilder b;

	dnswire_builder_init(&b, buf, cap);
	dnswire_put_header(&b, id, rd ? DNSWIRE_F_RD : 0, 1, 0, 0, 0);
	dnswire_put_question(&b, name, qtype, DNSWIRE_C_IN);
	return dnswire_builder_len(&b);
}

void
dnswire_builder_init(DnsBuilder *b, uint8_t *buf, size_t cap)
{
	b->buf = buf;
	b->cap = cap;
	b->len = 0;
	b->overflow = false;
}

static void
put_bytes(DnsBuilder *b, const void *p, size_t n)
{
	if (b->overflow || b->len + n > b->cap) {
		b->overflow = true;
		return;
	}
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

void
dnswire_put_u16(DnsBuilder *b, uint16_t v)
{
	uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	put_bytes(b, x, 2);
}

static void
put_u32(DnsBuilder *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v};

	put_bytes(b, x, 4);
}

void
dnswire_put_header(DnsBuilder *b, uint16_t id, uint16_t flags, int qdcount,
    int ancount, int nscount, int arcount)
{
	dnswire_put_u16(b, id);
	dnswire_put_u16(b, flags);
	dnswire_put_u16(b, (uint16_t)qdcount);
	dnswire_put_u16(b, (uint16_t)ancount);
	dnswire_put_u16(b, (uint16_t)nscount);
	dnswire_put_u16(b, (uint16_t)arcount);
}

bool
dnswire_put_name(DnsBuilder *b, const char *name)
{
	uint8_t wire[NAME_WIRE_MAX + 1];
	size_t n;

	if (!encode_name(name, wire, sizeof(wire), &n)) {
		b->overflow = true;
		return false;
	}
	put_bytes(b, wire, n);
	return !b->overflow;
}

void
dnswire_put_question(
    DnsBuilder *b, const char *name, uint16_t qtype, uint16_t qclass)
{
	dnswire_put_name(b, name);
	dnswire_put_u16(b, qtype);
	dnswire_put_u16(b, qclass);
}

void
dnswire_put_rr(DnsBuilder *b, const char *name, uint16_t type, uint32_t ttl,
    const uint8_t *rdata, uint16_t rdlen)
{
	dnswire_put_name(b, name);
	dnswire_put_u16(b, type);
	dnswire_put_u16(b, DNSWIRE_C_IN);
	put_u32(b, ttl);
	dnswire_put_u16(b, rdlen);
	put_bytes(b, rdata, rdlen);
}

void
dnswire_put_cname(
    DnsBuilder *b, const char *name, uint32_t ttl, const char *target)
{
	uint8_t wire[NAME_WIRE_MAX + 1];
	size_t n;

	if (!encode_name(target, wire, sizeof(wire), &n)) {
		b->overflow = true;
		return;
	}
	dnswire_put_rr(b, name, DNSWIRE_T_CNAME, ttl, wire, (uint16_t)n);
}

void
dnswire_put_a(
    DnsBuilder *b, const char *name, uint32_t ttl, const uint8_t addr[4])
{
	dnswire_put_rr(b, name, DNSWIRE_T_A, ttl, addr, 4);
}

size_t
dnswire_builder_len(const DnsBuilder *b)
{
	return b->overflow ? 0 : b->len;
}
