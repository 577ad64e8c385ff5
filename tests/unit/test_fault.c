/*
 * fault: the simulator's fault model without a socket: texts parsed and
 * printed back, the errors for bad texts, what a prober calls healthy,
 * and what a region does with a request under each fault.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "sim/fault.h"

static SimFault
parse_ok(const char *text)
{
	char err[256];
	SimFault f = {.kind = SIM_FAULT_GARBAGE, .arg = -1};

	if (sim_fault_parse(text, &f, err, sizeof(err)) != 0)
		fail_msg("\"%s\" was refused: %s", text, err);
	return f;
}

/* Parse text, which must fail; the message into err. */
static void
parse_bad(const char *text, char *err, size_t cap)
{
	SimFault f = {.kind = SIM_FAULT_HUGE, .arg = 7};

	err[0] = '\0';
	if (sim_fault_parse(text, &f, err, cap) == 0)
		fail_msg("\"%s\" was accepted", text);
	/* A failed parse leaves *out alone. */
	assert_int_equal(f.kind, SIM_FAULT_HUGE);
	assert_int_equal(f.arg, 7);
}

static void
test_round_trip(void **state)
{
	static const char *texts[] = {"ok", "status 200", "status 500",
	    "status 301", "status 599", "refuse", "blackhole", "slow 1",
	    "slow 800", "slow 600000", "flap", "reset", "huge", "garbage"};
	char text[SIM_FAULT_TEXT_MAX];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
		SimFault f = parse_ok(texts[i]);
		sim_fault_format(&f, text, sizeof(text));
		assert_string_equal(text, texts[i]);
		/* And the printed text parses to the same fault. */
		SimFault g = parse_ok(text);
		assert_int_equal(g.kind, f.kind);
		assert_int_equal(g.arg, f.arg);
	}
	/* Every kind prints to something that reads back as that kind. */
	for (int k = SIM_FAULT_OK; k <= SIM_FAULT_GARBAGE; k++) {
		SimFault f = {.kind = (SimFaultKind)k,
		    .arg = k == SIM_FAULT_STATUS ? 503
		        : k == SIM_FAULT_SLOW    ? 42
		                                 : 0};
		sim_fault_format(&f, text, sizeof(text));
		SimFault g = parse_ok(text);
		assert_int_equal(g.kind, k);
		assert_int_equal(g.arg, f.arg);
	}
	/* Outside the enum. */
	SimFault odd = {.kind = (SimFaultKind)99, .arg = 0};
	sim_fault_format(&odd, text, sizeof(text));
	assert_string_equal(text, "?");
}

static void
test_loose_spelling(void **state)
{
	(void)state;
	SimFault f = parse_ok("  SLOW   250 \n");
	assert_int_equal(f.kind, SIM_FAULT_SLOW);
	assert_int_equal(f.arg, 250);
	f = parse_ok("\tStatus 404\r\n");
	assert_int_equal(f.kind, SIM_FAULT_STATUS);
	assert_int_equal(f.arg, 404);
	f = parse_ok("REFUSE");
	assert_int_equal(f.kind, SIM_FAULT_REFUSE);
	assert_int_equal(f.arg, 0);
}

static void
test_bad_texts(void **state)
{
	static const struct {
		const char *text;
		const char *says;
	} bad[] = {
	    {"", "unknown (use ok, status N"},
	    {"  ", "unknown"},
	    {"nope", "fault \"nope\": unknown"},
	    {"statusstatusstatus 500", "unknown"},
	    {"status", "fault \"status\": \"status\" needs a number"},
	    {"status 50x", "\"status\" needs a number"},
	    {"status 1e3", "needs a number"},
	    {"status -200", "needs a number"},
	    {"status 99", "fault \"status 99\": status must be 200-599"},
	    {"status 600", "status must be 200-599"},
	    {"status 99999999999999999999", "needs a number"},
	    {"slow", "\"slow\" needs a number"},
	    {"slow 0", "fault \"slow 0\": slow takes 1-600000 milliseconds"},
	    {"slow -5", "needs a number"},
	    {"slow 600001", "slow takes 1-600000 milliseconds"},
	    {"ok 1", "fault \"ok 1\": \"ok\" takes no argument"},
	    {"refuse now", "\"refuse\" takes no argument"},
	    {"Flap 2", "\"Flap\" takes no argument"},
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		parse_bad(bad[i].text, err, sizeof(err));
		if (strstr(err, bad[i].says) == NULL)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", bad[i].text,
			    err, bad[i].says);
	}
	/* A short error buffer is cut, not overrun. */
	char small[8];
	memset(small, 'x', sizeof(small));
	parse_bad("nope", small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void
test_healthy(void **state)
{
	SimFault h[] = {{SIM_FAULT_OK, 0}, {SIM_FAULT_SLOW, 999},
	    {SIM_FAULT_STATUS, 200}, {SIM_FAULT_STATUS, 204},
	    {SIM_FAULT_STATUS, 299}};
	SimFault u[] = {{SIM_FAULT_SLOW, 1000}, {SIM_FAULT_STATUS, 300},
	    {SIM_FAULT_STATUS, 301}, {SIM_FAULT_STATUS, 500},
	    {SIM_FAULT_REFUSE, 0}, {SIM_FAULT_BLACKHOLE, 0},
	    {SIM_FAULT_FLAP, 0}, {SIM_FAULT_RESET, 0}, {SIM_FAULT_HUGE, 0},
	    {SIM_FAULT_GARBAGE, 0}};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(h); i++)
		assert_true(sim_fault_healthy(&h[i]));
	for (size_t i = 0; i < ARRAY_LEN(u); i++)
		assert_false(sim_fault_healthy(&u[i]));
	/* Only refuse closes the port. */
	for (int k = SIM_FAULT_OK; k <= SIM_FAULT_GARBAGE; k++) {
		SimFault f = {.kind = (SimFaultKind)k, .arg = 0};
		assert_int_equal(sim_fault_listens(&f), k != SIM_FAULT_REFUSE);
	}
}

static void
test_answers(void **state)
{
	static const struct {
		const char *text;
		SimAnswerKind kind;
		int status;
		int delay_ms;
	} t[] = {
	    {"ok", SIM_ANSWER_STATUS, 200, 0},
	    {"status 503", SIM_ANSWER_STATUS, 503, 0},
	    {"status 302", SIM_ANSWER_STATUS, 302, 0},
	    {"refuse", SIM_ANSWER_DROP, 0, 0},
	    {"blackhole", SIM_ANSWER_SILENCE, 0, 0},
	    {"slow 750", SIM_ANSWER_DELAY, 200, 750},
	    {"reset", SIM_ANSWER_RESET, 200, 0},
	    {"huge", SIM_ANSWER_ENDLESS, 200, 0},
	    {"garbage", SIM_ANSWER_GARBAGE, 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		SimFault f = parse_ok(t[i].text);
		/* n matters to flap only. */
		for (unsigned long long n = 0; n < 3; n++) {
			SimAnswer a = sim_fault_answer(&f, n);
			if (a.kind != t[i].kind || a.status != t[i].status ||
			    a.delay_ms != t[i].delay_ms)
				fail_msg("%s, n=%llu: kind %d status %d "
				         "delay %d",
				    t[i].text, n, (int)a.kind, a.status,
				    a.delay_ms);
		}
	}
	/* flap: 200, 500, 200, 500, ... counted from when it was set. */
	SimFault flap = parse_ok("flap");
	for (unsigned long long n = 0; n < 6; n++) {
		SimAnswer a = sim_fault_answer(&flap, n);
		assert_int_equal(a.kind, SIM_ANSWER_STATUS);
		assert_int_equal(a.status, n % 2 == 0 ? 200 : 500);
	}
	assert_int_equal(sim_fault_answer(&flap, 1ULL << 40).status, 200);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_loose_spelling),
	    cmocka_unit_test(test_bad_texts),
	    cmocka_unit_test(test_healthy),
	    cmocka_unit_test(test_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
