/*
 * dnswire: the DNS wire format, pure and bounded. Builds queries and
 * (for the simulated server) responses, and parses responses from the
 * network without trusting a single byte of them.
 *
 * No I/O, no allocation, no global state: every function may be called
 * from any thread. Parsing never reads outside [pkt, pkt + len): names
 * are decoded with compression pointers that must point strictly
 * backwards (so a pointer loop is impossible) and with a bounded number
 * of jumps; counts in the header are checked against the bytes present.
 * A packet that breaks any rule is rejected as a whole with a message.
 *
 * Names in the C structs are text without the trailing dot ("." for the
 * root); bytes outside '!'..'~' and '.' or '\\' inside a label are
 * written as \DDD, as dig does, so a name is always printable.
 */
#ifndef DRTOP_DNSWIRE_H
#define DRTOP_DNSWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/event.h"

#define DNSWIRE_T_A 1
#define DNSWIRE_T_CNAME 5
#define DNSWIRE_T_AAAA 28
#define DNSWIRE_C_IN 1

#define DNSWIRE_RCODE_NOERROR 0
#define DNSWIRE_RCODE_FORMERR 1
#define DNSWIRE_RCODE_SERVFAIL 2
#define DNSWIRE_RCODE_NXDOMAIN 3
#define DNSWIRE_RCODE_REFUSED 5

#define DNSWIRE_UDP_MAX 4096 /* largest UDP response we read */
#define DNSWIRE_MAX_RR 32 /* answer records kept per message */
#define DNSWIRE_CHAIN_MAX 8 /* CNAME hops followed */
#define DNSWIRE_ADDR_MAX 46 /* INET6_ADDRSTRLEN */

typedef struct {
	char name[EV_HOST_MAX]; /* owner name */
	uint16_t type, cls;
	uint32_t ttl;
	/* CNAME: the target name; A/AAAA: the address as text; else "" */
	char data[EV_HOST_MAX];
} DnsRecord;

typedef struct {
	uint16_t id;
	bool qr, aa, tc, rd, ra;
	int opcode;
	int rcode; /* 0..15 from the header */
	int qdcount, ancount, nscount, arcount;
	char qname[EV_HOST_MAX]; /* first question; "" when qdcount == 0 */
	uint16_t qtype, qclass;
	/* The answer section; records past DNSWIRE_MAX_RR are skipped (but
	 * still checked for well-formedness). */
	int nanswers;
	DnsRecord answers[DNSWIRE_MAX_RR];
} DnsMessage;

/*
 * Build a standard query (one question, class IN, RD set when rd) into
 * buf. Returns the length, or 0 when name is not a valid DNS name (a
 * label over 63 bytes, an empty label, over 253 characters) or buf is
 * too small (512 always suffices).
 */
size_t dnswire_build_query(uint16_t id, const char *name, uint16_t qtype,
    bool rd, uint8_t *buf, size_t cap);

/*
 * Parse a whole message (a response or a query). Returns 0 and fills
 * *m, or -1 with err set ("truncated in answer 2", "compression pointer
 * loop or forward pointer at offset 40", ...). Trailing bytes after the
 * last section are ignored. Only class IN A/AAAA/CNAME rdata is decoded;
 * other types are kept with data "". The authority and additional
 * sections are walked for well-formedness but not kept.
 */
int dnswire_parse(
    const uint8_t *pkt, size_t len, DnsMessage *m, char *err, size_t errcap);

/*
 * Check that m is a response to the query (id, qname, qtype): QR set,
 * same ID, opcode 0, exactly one question equal to ours (case-insensitive,
 * class IN) — or, for an error rcode with no answers, no question at
 * all. Returns 0, or -1 with err naming the mismatch.
 */
int dnswire_check_reply(const DnsMessage *m, uint16_t id, const char *qname,
    uint16_t qtype, char *err, size_t errcap);

/*
 * What one response says about a name: the CNAME chain starting at
 * qname inside the answer section (targets in order, bounded by
 * DNSWIRE_CHAIN_MAX, a loop ends it), the A/AAAA addresses of the last
 * name of the chain, and the smallest TTL of the records used.
 */
typedef struct {
	int nchain;
	char chain[DNSWIRE_CHAIN_MAX][EV_HOST_MAX];
	int naddrs;
	char addrs[DNSWIRE_MAX_RR][DNSWIRE_ADDR_MAX];
	char final_name[EV_HOST_MAX]; /* qname, or the last CNAME target */
	bool has_ttl;
	uint32_t min_ttl; /* valid when has_ttl */
	bool loop; /* the chain came back to a name it had seen */
} DnsChain;

void dnswire_follow(const DnsMessage *m, const char *qname, DnsChain *out);

/* Case-insensitive name comparison that ignores one trailing dot. */
bool dnswire_name_eq(const char *a, const char *b);

/* "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "REFUSED", or the
 * number as text ("4"), into buf (cap >= 16). Returns buf. */
const char *dnswire_rcode_name(int rcode, char *buf, size_t cap);

/*
 * Response building (used by the simulated server and by tests). A
 * DnsBuilder writes into a caller's buffer and remembers overflow: once
 * a write does not fit, every later one is ignored and
 * dnswire_builder_len() returns 0. Names are written uncompressed.
 */
typedef struct {
	uint8_t *buf;
	size_t cap, len;
	bool overflow;
} DnsBuilder;

void dnswire_builder_init(DnsBuilder *b, uint8_t *buf, size_t cap);
/* flags: the 16-bit flags word (QR, opcode, AA, TC, RD, RA, rcode). */
void dnswire_put_header(DnsBuilder *b, uint16_t id, uint16_t flags, int qdcount,
    int ancount, int nscount, int arcount);
/* Returns false (and marks overflow) for an invalid name too. */
bool dnswire_put_name(DnsBuilder *b, const char *name);
void dnswire_put_question(
    DnsBuilder *b, const char *name, uint16_t qtype, uint16_t qclass);
void dnswire_put_rr(DnsBuilder *b, const char *name, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, uint16_t rdlen);
void dnswire_put_cname(
    DnsBuilder *b, const char *name, uint32_t ttl, const char *target);
void dnswire_put_a(
    DnsBuilder *b, const char *name, uint32_t ttl, const uint8_t addr[4]);
void dnswire_put_u16(DnsBuilder *b, uint16_t v);
size_t dnswire_builder_len(const DnsBuilder *b);

/* Flags word helpers for dnswire_put_header. */
#define DNSWIRE_F_QR 0x8000
#define DNSWIRE_F_AA 0x0400
#define DNSWIRE_F_TC 0x0200
#define DNSWIRE_F_RD 0x0100
#define DNSWIRE_F_RA 0x0080

#endif
