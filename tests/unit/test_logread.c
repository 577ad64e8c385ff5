/*
 * logread: the reader rules of DESIGN.md "Event log" (session first,
 * blank lines, CRLF, unknown types and fields, truncated last line,
 * errors with line numbers), long lines, and the probe fast path giving
 * exactly what the general decoder gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "journal/fastprobe.h"
#include "journal/logread.h"

static char dir[64];

#define HDR                                                                    \
	"{\"type\":\"session\",\"v\":1,\"version\":\"0.1.0\",\"started\":"     \
	"\"2026-11-21T08:00:00.000Z\",\"mode\":\"live\",\"profile\":"          \
	"{\"service\":\"s\"}}"
#define PROBE1                                                                 \
	"{\"t\":1.5,\"type\":\"probe\",\"endpoint\":\"eu20\",\"ok\":true,"     \
	"\"status\":200,\"error\":null,\"ms\":{\"dns\":0.4,\"connect\":1.1,"   \
	"\"tls\":null,\"ttfb\":20.3,\"total\":20.9},\"served_by\":null}"
#define MARK(t) "{\"t\":" #t ",\"type\":\"marker\",\"note\":\"m" #t "\"}"

static int
setup(void **state)
{
	(void)state;
	th_tmpdir_make(dir, sizeof(dir), "lr");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return th_tmpdir_remove(dir);
}

static const char *
put(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Read the whole log; returns the last logread_next result, n events. */
static int
drain(LogRead *lr, int *n, char *err, size_t cap, Event *last)
{
	Event ev;
	int rc;

	*n = 0;
	while ((rc = logread_next(lr, &ev, err, cap)) == 1) {
		(*n)++;
		if (last)
			*last = ev;
	}
	return rc;
}

static void
test_good_log_rules(void **state)
{
	char err[512];
	SessionHeader h;
	LogRead *lr;
	Event last;
	int n;

	(void)state;
	/* blank lines, CRLF, an unknown type, an unknown field, no final
	 * newline on a line that parses */
	const char *p = put("good.jsonl",
	    "\n" HDR "\r\n" PROBE1 "\r\n\n   \n"
	    "{\"t\":2,\"type\":\"telemetry\",\"x\":1}\n"
	    "{\"t\":3,\"type\":\"marker\",\"note\":\"hi\",\"extra\":[1,2]}\n"
	    "{\"t\":4,\"type\":\"drill\",\"phase\":\"end\",\"note\":null}");
	lr = logread_open(p, &h, err, sizeof(err));
	assert_non_null(lr);
	assert_string_equal(h.mode, "live");
	assert_int_equal(drain(lr, &n, err, sizeof(err), &last), 0);
	assert_int_equal(n, 3);
	assert_int_equal(last.type, EV_DRILL);
	assert_int_equal(last.u.drill.phase, DRILL_END);
	assert_int_equal(logread_skipped(lr), 1);
	assert_null(logread_warning(lr));
	assert_int_equal(logread_line(lr), 8);
	/* After the end, the end again. */
	assert_int_equal(logread_next(lr, &last, err, sizeof(err)), 0);
	logread_close(lr);
	session_header_fini(&h);
}

static void
test_truncated_last_line(void **state)
{
	char err[512];
	SessionHeader h;
	LogRead *lr;
	int n;

	(void)state;
	const char *p = put("trunc.jsonl",
	    HDR "\n" PROBE1 "\n" MARK(2) "\n{\"t\":3,\"type\":\"pro");
	lr = logread_open(p, &h, err, sizeof(err));
	assert_non_null(lr);
	assert_int_equal(drain(lr, &n, err, sizeof(err), NULL), 0);
	assert_int_equal(n, 2);
	assert_non_null(logread_warning(lr));
	assert_non_null(strstr(logread_warning(lr), "trunc.jsonl:4:"));
	assert_non_null(strstr(logread_warning(lr), "truncated"));
	logread_close(lr);
	session_header_fini(&h);
}

static void
test_errors_name_the_line(void **state)
{
	char err[512];
	SessionHeader h;
	LogRead *lr;
	int n;

	(void)state;
	/* Garbage in the middle: line 4 (a blank line counts). */
	const char *p = put(
	    "bad.jsonl", HDR "\n" PROBE1 "\n\nthis is not json\n" MARK(3) "\n");
	lr = logread_open(p, &h, err, sizeof(err));
	assert_non_null(lr);
	assert_int_equal(drain(lr, &n, err, sizeof(err), NULL), -1);
	assert_int_equal(n, 1);
	assert_non_null(strstr(err, "bad.jsonl:4: "));
	/* The error sticks. */
	err[0] = '\0';
	assert_int_equal(logread_next(lr, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad.jsonl:4: "));
	logread_close(lr);
	session_header_fini(&h);

	/* An object without a type, a JSON array, a bad field type. */
	const char *bad[] = {"{\"t\":1,\"note\":\"x\"}", "[1,2,3]",
	    "{\"t\":\"one\",\"type\":\"marker\",\"note\":\"x\"}",
	    "{\"t\":1,\"type\":\"probe\",\"endpoint\":\"a\",\"ok\":\"yes\"}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[1024];
		snprintf(
		    text, sizeof(text), "%s\n%s\n%s\n", HDR, bad[i], MARK(2));
		p = put("bad2.jsonl", text);
		lr = logread_open(p, &h, err, sizeof(err));
		assert_non_null(lr);
		assert_int_equal(drain(lr, &n, err, sizeof(err), NULL), -1);
		assert_non_null(strstr(err, "bad2.jsonl:2: "));
		logread_close(lr);
		session_header_fini(&h);
	}

	/* The first line is not a session header. */
	p = put("nohdr.jsonl", MARK(1) "\n" HDR "\n");
	assert_null(logread_open(p, &h, err, sizeof(err)));
	assert_non_null(strstr(err, "nohdr.jsonl:1: "));
	p = put("garbage.jsonl", "hello\n");
	assert_null(logread_open(p, &h, err, sizeof(err)));
	assert_non_null(strstr(err, "garbage.jsonl:1: "));
	p = put("empty.jsonl", "");
	assert_null(logread_open(p, &h, err, sizeof(err)));
	assert_non_null(strstr(err, "empty.jsonl:1: "));
	{
		char path[256];
		snprintf(path, sizeof(path), "%s/missing.jsonl", dir);
		assert_null(logread_open(path, &h, err, sizeof(err)));
		assert_non_null(strstr(err, "missing.jsonl: "));
	}
}

/* A header far longer than the read block, and many lines crossing
 * block boundaries. */
static void
test_long_lines_and_blocks(void **state)
{
	char err[512], path[256];
	size_t big = 3u << 20;
	SessionHeader h;
	LogRead *lr;
	Event ev;
	FILE *f;
	int n = 0, rc;

	(void)state;
	snprintf(path, sizeof(path), "%s/long.jsonl", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"type\":\"session\",\"v\":1,\"started\":\"x\",\"profile\":"
	      "{\"service\":\"",
	    f);
	for (size_t i = 0; i < big; i++)
		fputc('a' + i % 26, f);
	fputs("\"}}\n", f);
	for (int i = 0; i < 30000; i++)
		fprintf(f, "{\"t\":%d,\"type\":\"marker\",\"note\":\"n%d\"}\n",
		    i, i);
	fclose(f);
	lr = logread_open(path, &h, err, sizeof(err));
	assert_non_null(lr);
	assert_true(strlen(h.profile_json) > big);
	while ((rc = logread_next(lr, &ev, err, sizeof(err))) == 1) {
		char want[32];
		snprintf(want, sizeof(want), "n%d", n);
		assert_string_equal(ev.u.marker.note, want);
		assert_true(ev.t == n);
		n++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 30000);
	logread_close(lr);
	session_header_fini(&h);
}

/* Both decoders agree on everything event_to_json writes. */
static void
test_fastprobe_equals_cjson(void **state)
{
	char line[EVENT_JSON_MAX], err[256], a[EVENT_JSON_MAX],
	    b[EVENT_JSON_MAX];
	Event in, fast, slow;

	(void)state;
	srand(42);
	for (int i = 0; i < 20000; i++) {
		event_init(
		    &in, EV_PROBE, rand() / 1000.0 + (rand() % 1000) / 1e6);
		snprintf(
		    in.u.probe.endpoint, EV_NAME_MAX, "ep-%d", rand() % 50);
		in.u.probe.ok = rand() % 2;
		in.u.probe.status = rand() % 3 ? 100 + rand() % 500 : 0;
		in.u.probe.error =
		    in.u.probe.ok ? PERR_NONE : (ProbeError)(1 + rand() % 7);
		if (in.u.probe.error == PERR_TLS)
			in.u.probe.tls = (TlsReason)(rand() % TLSR__COUNT);
		double *ms[] = {&in.u.probe.ms.dns, &in.u.probe.ms.connect,
		    &in.u.probe.ms.tls, &in.u.probe.ms.ttfb,
		    &in.u.probe.ms.total};
		for (int k = 0; k < 5; k++)
			*ms[k] =
			    rand() % 5 ? (rand() % 100000000) / 1000.0 : -1;
		if (rand() % 2)
			strcpy(in.u.probe.served_by, "eu20");
		size_t n = event_to_json(&in, line, sizeof(line));
		assert_true(n > 1);
		n--; /* no newline, as logread passes it */
		memset(&fast, 0x5a, sizeof(fast));
		assert_int_equal(fastprobe_parse(line, n, &fast), 1);
		assert_int_equal(event_from_json(line, n, &slow, err, 256), 1);
		assert_true(fast.t == slow.t);
		assert_true(fast.u.probe.ms.total == slow.u.probe.ms.total);
		assert_true(fast.u.probe.ms.dns == slow.u.probe.ms.dns);
		assert_int_equal(fast.u.probe.tls, slow.u.probe.tls);
		assert_int_equal(fast.u.probe.tls, in.u.probe.tls);
		event_to_json(&fast, a, sizeof(a));
		event_to_json(&slow, b, sizeof(b));
		assert_string_equal(a, b);
	}
	/* Anything else is left to cJSON. */
	const char *other[] = {
	    "{\"type\":\"probe\",\"t\":1,\"endpoint\":\"a\",\"ok\":true}",
	    "{\"t\":1e2,\"type\":\"probe\",\"endpoint\":\"a\",\"ok\":true,"
	    "\"status\":200,\"error\":null,\"ms\":{\"dns\":1,\"connect\":1,"
	    "\"tls\":1,\"ttfb\":1,\"total\":1},\"served_by\":null}",
	    "{\"t\":1,\"type\":\"probe\",\"endpoint\":\"a\\\"b\",\"ok\":true,"
	    "\"status\":200,\"error\":null,\"ms\":{\"dns\":1,\"connect\":1,"
	    "\"tls\":1,\"ttfb\":1,\"total\":1},\"served_by\":null}",
	    "{\"t\":1,\"type\":\"probe\",\"endpoint\":\"a\",\"ok\":true,"
	    "\"status\":200,\"error\":\"weird\",\"ms\":{\"dns\":1,\"connect\":"
	    "1,"
	    "\"tls\":1,\"ttfb\":1,\"total\":1},\"served_by\":null}",
	    "{\"t\":1,\"type\":\"probe\",\"endpoint\":\"a\",\"ok\":true,"
	    "\"status\":200,\"error\":null,\"ms\":{\"dns\":1,\"connect\":1,"
	    "\"tls\":1,\"ttfb\":1,\"total\":1},\"served_by\":null} x",
	    "{\"t\":1.12345678901234567,\"type\":\"probe\",\"endpoint\":\"a\","
	    "\"ok\":true,\"status\":200,\"error\":null,\"ms\":{\"dns\":1,"
	    "\"connect\":1,\"tls\":1,\"ttfb\":1,\"total\":1},\"served_by\":"
	    "null}",
	};
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		assert_int_equal(
		    fastprobe_parse(other[i], strlen(other[i]), &fast), 0);

	/* The TLS reason in the canonical place is read by the fast path;
	 * every other shape of it falls back, and the general decoder
	 * gives: a reason it knows beside error tls, else none. */
	static const struct {
		const char *mid; /* between "error": and "ms" */
		int fast; /* fastprobe_parse's answer */
		TlsReason want;
	} tls[] = {
	    {"\"tls\",\"tls\":\"expired\",", 1, TLSR_EXPIRED},
	    {"\"tls\",\"tls\":\"not_yet_valid\",", 1, TLSR_NOT_YET_VALID},
	    {"\"tls\",\"tls\":\"handshake\",", 1, TLSR_HANDSHAKE},
	    {"\"tls\",", 1, TLSR_NONE}, /* an old log */
	    {"\"tls\",\"tls\":\"revoked\",", 0, TLSR_NONE}, /* unknown */
	    {"\"tls\",\"tls\":null,", 0, TLSR_NONE},
	    {"\"tls\",\"tls\":\"hostname\",\"tls\":\"expired\",", 0,
	        TLSR_HOSTNAME}, /* duplicate: cJSON takes the first */
	    {"\"reset\",\"tls\":\"expired\",", 0, TLSR_NONE},
	    {"null,\"tls\":\"expired\",", 0, TLSR_NONE},
	};
	for (size_t i = 0; i < sizeof(tls) / sizeof(tls[0]); i++) {
		int n = snprintf(line, sizeof(line),
		    "{\"t\":2.5,\"type\":\"probe\",\"endpoint\":\"eu20\","
		    "\"ok\":false,\"status\":null,\"error\":%s\"ms\":{"
		    "\"dns\":0.1,\"connect\":0.2,\"tls\":null,\"ttfb\":"
		    "null,\"total\":3.5},\"served_by\":null}",
		    tls[i].mid);

		memset(&fast, 0, sizeof(fast));
		assert_int_equal(
		    fastprobe_parse(line, (size_t)n, &fast), tls[i].fast);
		assert_int_equal(
		    event_from_json(line, (size_t)n, &slow, err, 256), 1);
		assert_int_equal(slow.u.probe.tls, tls[i].want);
		if (tls[i].fast) {
			assert_int_equal(fast.u.probe.tls, tls[i].want);
			event_to_json(&fast, a, sizeof(a));
			event_to_json(&slow, b, sizeof(b));
			assert_string_equal(a, b);
			/* The canonical shape is what the encoder writes. */
			assert_int_equal(strncmp(a, line, (size_t)n), 0);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_log_rules),
	    cmocka_unit_test(test_truncated_last_line),
	    cmocka_unit_test(test_errors_name_the_line),
	    cmocka_unit_test(test_long_lines_and_blocks),
	    cmocka_unit_test(test_fastprobe_equals_cjson),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
