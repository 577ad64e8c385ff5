/* dnswire: queries, responses with compression, chains, and every way a
 * hostile packet can be broken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dnswire.h"

/* A response for "www.example.com" A built by hand with compression:
 *   www.example.com CNAME edge.example.com   (ttl 300)
 *   edge.example.com CNAME eu20.cdn.example.net (ttl 60)
 *   eu20.cdn.example.net A 192.0.2.7          (ttl 30)
 *   eu20.cdn.example.net A 192.0.2.8          (ttl 45)
 */
static size_t
chain_response(uint8_t *p, uint16_t id)
{
	size_t n = 0;
	size_t q_www, q_ex, cn2_target;
	static const uint8_t hdr[12] = {
	    0, 0, 0x81, 0x80, 0, 1, 0, 4, 0, 0, 0, 0};

	memcpy(p, hdr, 12);
	p[0] = (uint8_t)(id >> 8);
	p[1] = (uint8_t)id;
	n = 12;
	q_www = n;
	memcpy(p + n, "\3www\7example\3com\0", 17);
	q_ex = q_www + 4; /* "example.com" */
	n += 17;
	memcpy(p + n, "\0\1\0\1", 4);
	n += 4;
	/* answer 1: ptr(www) CNAME, rdata "edge" + ptr(example.com) */
	p[n++] = 0xc0;
	p[n++] = (uint8_t)q_www;
	memcpy(p + n, "\0\5\0\1\0\0\1\x2c\0\7", 10);
	n += 10;
	size_t edge = n;
	memcpy(p + n, "\4edge", 5);
	n += 5;
	p[n++] = 0xc0;
	p[n++] = (uint8_t)q_ex;
	/* answer 2: ptr(edge) CNAME eu20.cdn.example.net (uncompressed) */
	p[n++] = 0xc0;
	p[n++] = (uint8_t)edge;
	memcpy(p + n, "\0\5\0\1\0\0\0\x3c\0\x16", 10);
	n += 10;
	cn2_target = n;
	memcpy(p + n, "\4eu20\3cdn\7example\3net\0", 22);
	n += 22;
	/* answers 3 and 4: ptr(eu20...) A */
	p[n++] = 0xc0;
	p[n++] = (uint8_t)cn2_target;
	memcpy(p + n, "\0\1\0\1\0\0\0\x1e\0\4\xc0\0\2\7", 14);
	n += 14;
	p[n++] = 0xc0;
	p[n++] = (uint8_t)cn2_target;
	memcpy(p + n, "\0\1\0\1\0\0\0\x2d\0\4\xc0\0\2\x8", 14);
	n += 14;
	return n;
}

static void
test_query_roundtrip(void **state)
{
	uint8_t buf[512];
	DnsMessage *m = malloc(sizeof(*m));
	char err[128];
	size_t n;

	(void)state;
	n = dnswire_build_query(
	    0xbeef, "Cpi.Example.COM.", DNSWIRE_T_AAAA, true, buf, sizeof(buf));
	assert_int_equal(n, 12 + 17 + 4);
	assert_int_equal(dnswire_parse(buf, n, m, err, sizeof(err)), 0);
	assert_int_equal(m->id, 0xbeef);
	assert_false(m->qr);
	assert_true(m->rd);
	assert_int_equal(m->qdcount, 1);
	assert_string_equal(m->qname, "Cpi.Example.COM");
	assert_int_equal(m->qtype, DNSWIRE_T_AAAA);
	assert_int_equal(m->qclass, DNSWIRE_C_IN);
	/* too small a buffer, bad names */
	assert_int_equal(
	    dnswire_build_query(1, "a.b", DNSWIRE_T_A, true, buf, 12), 0);
	assert_int_equal(
	    dnswire_build_query(1, "a..b", DNSWIRE_T_A, true, buf, 512), 0);
	assert_int_equal(
	    dnswire_build_query(1, "a.b..", DNSWIRE_T_A, true, buf, 512), 0);
	{
		char lab[80];

		memset(lab, 'x', 64);
		lab[64] = '\0';
		assert_int_equal(
		    dnswire_build_query(1, lab, DNSWIRE_T_A, true, buf, 512),
		    0);
		lab[63] = '\0';
		assert_true(dnswire_build_query(
		                1, lab, DNSWIRE_T_A, true, buf, 512) > 0);
	}
	{
		char lng[300];

		for (int i = 0; i < 127; i++)
			memcpy(lng + 2 * i, "a.", 2);
		lng[253] = 'b';
		lng[254] = '\0'; /* 254 characters: too long */
		assert_int_equal(
		    dnswire_build_query(1, lng, DNSWIRE_T_A, true, buf, 512),
		    0);
		lng[253] = '\0'; /* 253: the longest name */
		assert_true(dnswire_build_query(
		                1, lng, DNSWIRE_T_A, true, buf, 512) > 0);
	}
	free(m);
}

static void
test_chain_with_compression(void **state)
{
	uint8_t buf[512];
	DnsMessage *m = malloc(sizeof(*m));
	DnsChain *c = malloc(sizeof(*c));
	char err[128];
	size_t n = chain_response(buf, 77);

	(void)state;
	assert_int_equal(dnswire_parse(buf, n, m, err, sizeof(err)), 0);
	assert_true(m->qr);
	assert_true(m->ra);
	assert_int_equal(m->rcode, 0);
	assert_int_equal(m->nanswers, 4);
	assert_string_equal(m->answers[0].name, "www.example.com");
	assert_string_equal(m->answers[0].data, "edge.example.com");
	assert_string_equal(m->answers[1].name, "edge.example.com");
	assert_string_equal(m->answers[1].data, "eu20.cdn.example.net");
	assert_string_equal(m->answers[2].data, "192.0.2.7");
	assert_int_equal(m->answers[3].ttl, 45);
	assert_int_equal(dnswire_check_reply(m, 77, "WWW.example.com.",
	                     DNSWIRE_T_A, err, sizeof(err)),
	    0);
	dnswire_follow(m, "www.example.com", c);
	assert_int_equal(c->nchain, 2);
	assert_string_equal(c->chain[0], "edge.example.com");
	assert_string_equal(c->chain[1], "eu20.cdn.example.net");
	assert_int_equal(c->naddrs, 2);
	assert_string_equal(c->addrs[0], "192.0.2.7");
	assert_string_equal(c->addrs[1], "192.0.2.8");
	assert_true(c->has_ttl);
	assert_int_equal(c->min_ttl, 30);
	assert_false(c->loop);
	assert_string_equal(c->final_name, "eu20.cdn.example.net");
	/* Following from the middle of the chain. */
	dnswire_follow(m, "edge.example.com", c);
	assert_int_equal(c->nchain, 1);
	assert_int_equal(c->naddrs, 2);
	free(m);
	free(c);
}

static void
test_every_prefix_is_rejected(void **state)
{
	uint8_t buf[512];
	DnsMessage *m = malloc(sizeof(*m));
	char err[128];
	size_t n = chain_response(buf, 1);

	(void)state;
	for (size_t len = 0; len < n; len++) {
		uint8_t *copy = malloc(len ? len : 1); /* ASan sees overreads */

		memcpy(copy, buf, len);
		err[0] = '\0';
		assert_int_equal(
		    dnswire_parse(copy, len, m, err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
		free(copy);
	}
	/* Trailing bytes after the last record are ignored. */
	buf[n] = 0xff;
	assert_int_equal(dnswire_parse(buf, n + 1, m, err, sizeof(err)), 0);
	free(m);
}

static void
test_hostile_pointers(void **state)
{
	uint8_t buf[64];
	DnsMessage *m = malloc(sizeof(*m));
	char err[128];
	static const uint8_t hdr[12] = {
	    0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0};

	(void)state;
	/* A pointer to itself. */
	memcpy(buf, hdr, 12);
	buf[12] = 0xc0;
	buf[13] = 12;
	memcpy(buf + 14, "\0\1\0\1", 4);
	assert_int_equal(dnswire_parse(buf, 18, m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "pointer"));
	/* A forward pointer (to the end of the packet). */
	buf[13] = 16;
	assert_int_equal(dnswire_parse(buf, 18, m, err, sizeof(err)), -1);
	/* A pointer far outside the packet. */
	buf[12] = 0xff;
	buf[13] = 0xff;
	assert_int_equal(dnswire_parse(buf, 18, m, err, sizeof(err)), -1);
	/* A loop of two labels: label "a" then a pointer back to it, which
	 * is backward and legal once, but the name then repeats forever:
	 * pointer target 12 -> "a" -> pointer at 14 -> 12 ... */
	memcpy(buf, hdr, 12);
	buf[12] = 1;
	buf[13] = 'a';
	buf[14] = 0xc0;
	buf[15] = 12;
	memcpy(buf + 16, "\0\1\0\1", 4);
	assert_int_equal(dnswire_parse(buf, 20, m, err, sizeof(err)), -1);
	/* Reserved label types 0x40 and 0x80. */
	memcpy(buf, hdr, 12);
	buf[12] = 0x41;
	assert_int_equal(dnswire_parse(buf, 20, m, err, sizeof(err)), -1);
	buf[12] = 0x81;
	assert_int_equal(dnswire_parse(buf, 20, m, err, sizeof(err)), -1);
	/* Pointer cut in half at the end. */
	memcpy(buf, hdr, 12);
	buf[12] = 0xc0;
	assert_int_equal(dnswire_parse(buf, 13, m, err, sizeof(err)), -1);
	/* Header counts far beyond the bytes present. */
	memcpy(buf, hdr, 12);
	buf[6] = 0xff;
	buf[7] = 0xff;
	memcpy(buf + 12, "\1a\0\0\1\0\1", 7);
	assert_int_equal(dnswire_parse(buf, 19, m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "answer 1"));
	free(m);
}

static void
test_bad_rdata(void **state)
{
	uint8_t buf[128];
	DnsMessage *m = malloc(sizeof(*m));
	char err[128];
	static const uint8_t hdr[12] = {
	    0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0};
	size_t n;

	(void)state;
	memcpy(buf, hdr, 12);
	memcpy(buf + 12, "\1a\0\0\1\0\1", 7);
	n = 19;
	/* A record with 5 bytes of rdata. */
	memcpy(buf + n, "\xc0\x0c\0\1\0\1\0\0\0\1\0\5\1\2\3\4\5", 17);
	assert_int_equal(dnswire_parse(buf, n + 17, m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "A record"));
	/* AAAA with 4 bytes. */
	memcpy(buf + n, "\xc0\x0c\0\x1c\0\1\0\0\0\1\0\4\1\2\3\4", 16);
	assert_int_equal(dnswire_parse(buf, n + 16, m, err, sizeof(err)), -1);
	/* CNAME whose name runs past its rdata length. */
	memcpy(buf + n, "\xc0\x0c\0\5\0\1\0\0\0\1\0\3\3abc\0", 18);
	assert_int_equal(dnswire_parse(buf, n + 18, m, err, sizeof(err)), -1);
	/* CNAME with bytes left over in its rdata. */
	memcpy(buf + n, "\xc0\x0c\0\5\0\1\0\0\0\1\0\6\3abc\0\0", 18);
	assert_int_equal(dnswire_parse(buf, n + 18, m, err, sizeof(err)), -1);
	/* An unknown type is kept with empty data. */
	memcpy(buf + n, "\xc0\x0c\0\x10\0\1\0\0\0\1\0\3\2hi", 15);
	assert_int_equal(dnswire_parse(buf, n + 15, m, err, sizeof(err)), 0);
	assert_int_equal(m->nanswers, 1);
	assert_int_equal(m->answers[0].type, 16);
	assert_string_equal(m->answers[0].data, "");
	free(m);
}

static void
test_escaped_labels(void **state)
{
	uint8_t buf[64];
	DnsMessage *m = malloc(sizeof(*m));
	char err[128];
	static const uint8_t hdr[12] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};

	(void)state;
	memcpy(buf, hdr, 12);
	memcpy(buf + 12, "\3a.\x01\2b\\\0\0\1\0\1", 13);
	assert_int_equal(dnswire_parse(buf, 25, m, err, sizeof(err)), 0);
	assert_string_equal(m->qname, "a\\046\\001.b\\092");
	/* The root name. */
	memcpy(buf + 12, "\0\0\1\0\1", 5);
	assert_int_equal(dnswire_parse(buf, 17, m, err, sizeof(err)), 0);
	assert_string_equal(m->qname, ".");
	free(m);
}

static void
test_long_names(void **state)
{
	uint8_t buf[600];
	DnsMessage *m = malloc(sizeof(*m));
	char err[128];
	size_t n = 12;
	static const uint8_t hdr[12] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};

	(void)state;
	memcpy(buf, hdr, 12);
	/* 5 labels of 63 bytes = 320 wire bytes: over 255. */
	for (int i = 0; i < 5; i++) {
		buf[n++] = 63;
		memset(buf + n, 'x', 63);
		n += 63;
	}
	buf[n++] = 0;
	memcpy(buf + n, "\0\1\0\1", 4);
	assert_int_equal(dnswire_parse(buf, n + 4, m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "255"));
	/* 63 labels of 1 binary byte: fits 255 on the wire but not as
	 * escaped text (4 characters each). */
	n = 12;
	for (int i = 0; i < 63; i++) {
		buf[n++] = 1;
		buf[n++] = 1;
	}
	buf[n++] = 0;
	memcpy(buf + n, "\0\1\0\1", 4);
	assert_int_equal(dnswire_parse(buf, n + 4, m, err, sizeof(err)), -1);
	free(m);
}

static void
test_check_reply(void **state)
{
	uint8_t buf[512];
	DnsMessage *m = malloc(sizeof(*m));
	char err[128];
	size_t n = chain_response(buf, 9);

	(void)state;
	assert_int_equal(dnswire_parse(buf, n, m, err, sizeof(err)), 0);
	assert_int_equal(dnswire_check_reply(m, 10, "www.example.com",
	                     DNSWIRE_T_A, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "wrong ID"));
	assert_int_equal(dnswire_check_reply(m, 9, "www.example.org",
	                     DNSWIRE_T_A, err, sizeof(err)),
	    -1);
	assert_int_equal(dnswire_check_reply(m, 9, "www.example.com",
	                     DNSWIRE_T_AAAA, err, sizeof(err)),
	    -1);
	/* An error reply without the question is accepted; a NOERROR one or
	 * one with answers is not. */
	m->qdcount = 0;
	m->rcode = DNSWIRE_RCODE_FORMERR;
	m->ancount = 0;
	assert_int_equal(dnswire_check_reply(m, 9, "www.example.com",
	                     DNSWIRE_T_A, err, sizeof(err)),
	    0);
	m->ancount = 1;
	assert_int_equal(dnswire_check_reply(m, 9, "www.example.com",
	                     DNSWIRE_T_A, err, sizeof(err)),
	    -1);
	m->ancount = 0;
	m->rcode = DNSWIRE_RCODE_NOERROR;
	assert_int_equal(dnswire_check_reply(m, 9, "www.example.com",
	                     DNSWIRE_T_A, err, sizeof(err)),
	    -1);
	m->qdcount = 1;
	m->qr = false;
	assert_int_equal(dnswire_check_reply(m, 9, "www.example.com",
	                     DNSWIRE_T_A, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "QR"));
	free(m);
}

static void
test_follow_loops_and_limits(void **state)
{
	DnsMessage *m = calloc(1, sizeof(*m));
	DnsChain *c = malloc(sizeof(*c));

	(void)state;
	/* a -> b -> a */
	m->nanswers = 2;
	strcpy(m->answers[0].name, "a.test");
	strcpy(m->answers[0].data, "b.test");
	m->answers[0].type = DNSWIRE_T_CNAME;
	m->answers[0].cls = DNSWIRE_C_IN;
	strcpy(m->answers[1].name, "b.test");
	strcpy(m->answers[1].data, "A.test.");
	m->answers[1].type = DNSWIRE_T_CNAME;
	m->answers[1].cls = DNSWIRE_C_IN;
	dnswire_follow(m, "a.test", c);
	assert_true(c->loop);
	assert_int_equal(c->nchain, 1);
	assert_int_equal(c->naddrs, 0);
	/* A chain of 12 hops stops at DNSWIRE_CHAIN_MAX. */
	m->nanswers = 12;
	for (int i = 0; i < 12; i++) {
		snprintf(m->answers[i].name, EV_HOST_MAX, "n%d.test", i);
		snprintf(m->answers[i].data, EV_HOST_MAX, "n%d.test", i + 1);
		m->answers[i].type = DNSWIRE_T_CNAME;
		m->answers[i].ttl = (uint32_t)(100 - i);
	}
	dnswire_follow(m, "n0.test", c);
	assert_int_equal(c->nchain, DNSWIRE_CHAIN_MAX);
	assert_true(c->loop);
	assert_int_equal(c->min_ttl, 100 - (DNSWIRE_CHAIN_MAX - 1));
	/* A dangling CNAME: no address for the final name. */
	m->nanswers = 1;
	dnswire_follow(m, "n0.test", c);
	assert_int_equal(c->nchain, 1);
	assert_int_equal(c->naddrs, 0);
	assert_false(c->loop);
	assert_string_equal(c->final_name, "n1.test");
	free(m);
	free(c);
}

static void
test_builder_and_names(void **state)
{
	uint8_t buf[512], small[20];
	DnsBuilder b;
	DnsMessage *m = malloc(sizeof(*m));
	char err[128], rc[16];
	static const uint8_t a[4] = {127, 0, 0, 9};

	(void)state;
	dnswire_builder_init(&b, buf, sizeof(buf));
	dnswire_put_header(&b, 5, DNSWIRE_F_QR | 3, 1, 2, 0, 0);
	dnswire_put_question(&b, "x.test", DNSWIRE_T_A, DNSWIRE_C_IN);
	dnswire_put_cname(&b, "x.test", 7, "y.test");
	dnswire_put_a(&b, "y.test", 8, a);
	assert_int_equal(
	    dnswire_parse(buf, dnswire_builder_len(&b), m, err, sizeof(err)),
	    0);
	assert_int_equal(m->rcode, 3);
	assert_int_equal(m->nanswers, 2);
	assert_string_equal(m->answers[1].data, "127.0.0.9");
	/* Overflow is sticky and reported as length 0. */
	dnswire_builder_init(&b, small, sizeof(small));
	dnswire_put_header(&b, 5, 0, 1, 0, 0, 0);
	dnswire_put_question(&b, "abcdefgh.test", DNSWIRE_T_A, DNSWIRE_C_IN);
	assert_int_equal(dnswire_builder_len(&b), 0);
	assert_true(dnswire_name_eq("A.Test.", "a.test"));
	assert_false(dnswire_name_eq("a.test", "a.tes"));
	assert_true(dnswire_name_eq(".", "."));
	assert_string_equal(dnswire_rcode_name(0, rc, sizeof(rc)), "NOERROR");
	assert_string_equal(dnswire_rcode_name(3, rc, sizeof(rc)), "NXDOMAIN");
	assert_string_equal(dnswire_rcode_name(5, rc, sizeof(rc)), "REFUSED");
	assert_string_equal(dnswire_rcode_name(9, rc, sizeof(rc)), "9");
	assert_string_equal(dnswire_rcode_name(4, rc, sizeof(rc)), "4");
	assert_string_equal(dnswire_rcode_name(1, rc, sizeof(rc)), "FORMERR");
	free(m);
}

static void
test_random_bytes_never_crash(void **state)
{
	uint8_t buf[256];
	DnsMessage *m = malloc(sizeof(*m));
	char err[128];
	unsigned seed = 12345;
	int parsed = 0;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)(rand_r(&seed) % sizeof(buf));
		uint8_t *copy;

		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)rand_r(&seed);
		if (len >= 12 && (i & 1)) { /* plausible small counts */
			buf[4] = buf[6] = buf[8] = buf[10] = 0;
			buf[5] = 1;
			buf[7] = (uint8_t)(buf[7] % 4);
			buf[9] = buf[11] = 0;
		}
		copy = malloc(len ? len : 1);
		memcpy(copy, buf, len);
		if (dnswire_parse(copy, len, m, err, sizeof(err)) == 0)
			parsed++;
		free(copy);
	}
	/* Most random packets are rejected; none crashed. */
	assert_true(parsed < 20000);
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_query_roundtrip),
	    cmocka_unit_test(test_chain_with_compression),
	    cmocka_unit_test(test_every_prefix_is_rejected),
	    cmocka_unit_test(test_hostile_pointers),
	    cmocka_unit_test(test_bad_rdata),
	    cmocka_unit_test(test_escaped_labels),
	    cmocka_unit_test(test_long_names),
	    cmocka_unit_test(test_check_reply),
	    cmocka_unit_test(test_follow_loops_and_limits),
	    cmocka_unit_test(test_builder_and_names),
	    cmocka_unit_test(test_random_bytes_never_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
