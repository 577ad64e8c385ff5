/*
 * report renderings: the JSON, Markdown and HTML (with its SVG
 * timeline) of a report agree and say what was measured; they name
 * detection, the route change, DNS moved, convergence and restore
 * apart, counted from the drill's start; the Markdown escaping rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "journal/report.h"
#include "journal/report_fmt.h"
#include "report_fx.h"

static void
test_renderings(void **state)
{
	Report *r = rf_drill_a();
	char *json, *md, *html, *p;
	cJSON *root, *m;
	int nsvg = 0;

	(void)state;
	json = rf_render(r, REPORT_FMT_JSON);
	root = cJSON_Parse(json);
	assert_non_null(root);
	assert_string_equal(
	    cJSON_GetObjectItem(root, "drill")->valuestring, "game day");
	m = cJSON_GetObjectItem(root, "metrics");
	assert_double_equal(rf_num_at(m, "detect_s", NULL), 2.5, 0);
	assert_double_equal(rf_num_at(m, "failover_s", NULL), 4.5, 0);
	assert_double_null(rf_num_at(m, "rto_s", NULL));
	assert_double_equal(rf_num_at(m, "converged_s", "r1"), 4.5, 0);
	assert_double_null(rf_num_at(m, "converged_s", "r2"));
	assert_double_null(rf_num_at(m, "converged_s", "all"));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(m, "rto_met")));
	assert_double_null(rf_num_at(root, "phases", "converged"));
	assert_double_equal(rf_num_at(root, "phases", "fault"), 5, 0);
	assert_double_equal(rf_num_at(root, "phases", "failover"), 9.5, 0);
	assert_double_equal(rf_num_at(root, "route_change", NULL), 7.5, 0);
	assert_true(
	    cJSON_IsTrue(cJSON_GetObjectItem(root, "failover_observed")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(root, "restored_by")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(root, "public")));
	const cJSON *ea =
	    cJSON_GetObjectItem(cJSON_GetObjectItem(root, "endpoints"), "a");
	assert_double_equal(rf_num_at(ea, "probes", NULL), 7, 0);
	assert_double_equal(rf_num_at(ea, "failures", "status"), 2, 0);
	assert_double_equal(rf_num_at(ea, "p95_ms", NULL), 31, 0);
	assert_int_equal(
	    cJSON_GetArraySize(cJSON_GetObjectItem(root, "actions")), 1);
	assert_int_equal(
	    cJSON_GetArraySize(cJSON_GetObjectItem(root, "markers")), 1);
	cJSON_Delete(root);
	cJSON_Delete(rf_assert_agree(r));

	md = rf_render(r, REPORT_FMT_MD);
	rf_assert_has(md, "title", "# Drill report: game day\n");
	rf_assert_has(md, "detect", "| detect_s (fault → detected) | 2.500 |");
	rf_assert_has(md, "rto", "\n| rto_s | — |\n");
	rf_assert_has(md, "rto verdict",
	    "- **RTO:** — s against a target of 60.000 s: **MISSED**\n");
	rf_assert_has(md, "r2", "| converged_s, resolver r2 | — |");
	rf_assert_has(md, "a",
	    "| a | 7 | refused 1, status 2 | 12.000 | "
	    "31.000 | 57.14% |");
	rf_assert_has(md, "failover",
	    "- **Failover:** DNS moved at 9.500 s, 4.500 s after the "
	    "fault: r1 answered b first\n");
	rf_assert_has(md, "restored",
	    "- **Restored:** never: it needs every resolver converging "
	    "and the first successful probe of b\n");
	rf_assert_has(md, "bound",
	    "- **DNS bound:** the profile in the log gives no drtop check "
	    "bound for a — **not known**\n");
	/* The log's text "called b: ok" needs no escape at all. */
	rf_assert_has(md, "marker", "\n| 10.000 | called b: ok |\n");

	html = rf_render(r, REPORT_FMT_HTML);
	for (p = html; (p = strstr(p, "<svg")) != NULL; p++)
		nsvg++;
	assert_int_equal(nsvg, 1);
	assert_non_null(strstr(html, "</svg>"));
	assert_null(strstr(html, "http://www.w3.org/2000/svg\" href"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<link"));
	free(md);
	free(html);
	free(json);
	report_free(r);
}

/*
 * Fault, detection, the route change, DNS moved, convergence and
 * restore at six different times, with the drill's start at session t
 * 2 (so from-start and session times differ): a report that printed one
 * phase for another, counted from session 0, or took the route change
 * or N's first answer for an observation fails here. r2 ("second")
 * diverges once before it converges.
 */
static Report *
drill_spread(int ttl)
{
	const char *path = rf_start_log("spread.jsonl", rf_spread_profile(ttl));

	rf_route(1, "", "a");
	rf_drill(2, DRILL_START, "spread");
	for (int t = 3; t < 10; t += 2) {
		rf_probe(t, "a", true, PERR_NONE, 10);
		rf_probe(t + 1, "b", true, PERR_NONE, 20);
	}
	rf_drill(10, DRILL_FAULT, "kill a");
	for (int t = 11; t <= 19; t += 2)
		rf_probe(t, "a", false, PERR_STATUS, 30);
	rf_health(13, "a", HEALTH_ONLINE, HEALTH_DEGRADED); /* detected */
	rf_route(21, "a", "b"); /* the expected route */
	rf_probe(22, "b", true, PERR_NONE, 20); /* before DNS moved */
	rf_probe(24, "b", true, PERR_NONE, 20);
	rf_converged(30, "127.0.0.1:5301", "b"); /* DNS moved: failover */
	rf_diverged(35, "127.0.0.2:5302", "second", "a", "b");
	rf_converged_named(40, "127.0.0.2:5302", "second", "b"); /* converged */
	rf_probe(42, "b", true, PERR_NONE, 20); /* restored */
	rf_drill(45, DRILL_END, "");
	return rf_finish_log(path);
}

static void
test_phases_apart(void **state)
{
	Report *r = drill_spread(10);
	char *md, *html;
	cJSON *root, *m, *d;

	(void)state;
	assert_double_equal(r->t0, 2, 0);
	assert_double_equal(r->phase[DRILL_FAULT], 10, 0);
	assert_double_equal(r->phase[DRILL_DETECTED], 13, 0);
	assert_double_equal(r->failover_route_t, 21, 0);
	assert_double_equal(r->phase[DRILL_FAILOVER], 30, 0);
	assert_double_equal(r->phase[DRILL_CONVERGED], 40, 0);
	assert_double_equal(r->phase[DRILL_RESTORED], 42, 0);
	assert_int_equal(r->restored_by, REPORT_RESTORED_CONVERGED);
	assert_true(r->failover_observed);
	assert_double_equal(r->detect_s, 3, 0);
	assert_double_equal(r->failover_s, 20, 0);
	assert_double_equal(r->converged_all_s, 30, 0);
	assert_double_equal(r->restored_s, 32, 0);
	assert_double_equal(r->rto_s, 32, 0);
	assert_int_equal(r->rto_met, 1);
	/* check: interval 2 x (2 + 1) + timeout 1 + TTL 10 = 17 < 30 */
	assert_double_equal(r->bound_s, 17, 0);
	assert_int_equal(r->bound_exceeded, 1);
	assert_string_equal(r->resolvers[1].label, "second");
	assert_true(r->resolvers[1].diverged);

	root = rf_assert_agree(r);
	/* JSON: every time from the start, t0 the start's session t. */
	assert_double_equal(rf_num_at(root, "t0", NULL), 2, 0);
	assert_double_equal(rf_num_at(root, "phases", "start"), 0, 0);
	assert_double_equal(rf_num_at(root, "phases", "fault"), 8, 0);
	assert_double_equal(rf_num_at(root, "phases", "detected"), 11, 0);
	assert_double_equal(rf_num_at(root, "route_change", NULL), 19, 0);
	assert_double_equal(rf_num_at(root, "phases", "failover"), 28, 0);
	assert_double_equal(rf_num_at(root, "phases", "converged"), 38, 0);
	assert_double_equal(rf_num_at(root, "phases", "restored"), 40, 0);
	assert_double_equal(rf_num_at(root, "phases", "end"), 43, 0);
	assert_string_equal(rf_str_at(root, "restored_by"), "converged");
	m = cJSON_GetObjectItem(root, "metrics");
	assert_double_equal(rf_num_at(m, "detect_s", NULL), 3, 0);
	assert_double_equal(rf_num_at(m, "failover_s", NULL), 20, 0);
	assert_double_equal(
	    rf_num_at(m, "converged_s", "127.0.0.1:5301"), 20, 0);
	assert_double_equal(
	    rf_num_at(m, "converged_s", "127.0.0.2:5302"), 30, 0);
	assert_double_equal(rf_num_at(m, "converged_s", "all"), 30, 0);
	assert_double_equal(rf_num_at(m, "restored_s", NULL), 32, 0);
	assert_double_equal(rf_num_at(m, "bound_s", NULL), 17, 0);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(m, "bound_exceeded")));
	assert_string_equal(
	    rf_str_at(
	        cJSON_GetObjectItem(root, "resolver_names"), "127.0.0.2:5302"),
	    "second");
	d = cJSON_GetObjectItem(root, "diverged");
	assert_int_equal(cJSON_GetArraySize(d), 1);
	d = cJSON_GetArrayItem(d, 0);
	assert_string_equal(rf_str_at(d, "resolver"), "127.0.0.2:5302");
	assert_string_equal(rf_str_at(d, "name"), "second");
	assert_double_equal(rf_num_at(d, "t", NULL), 33, 0);
	assert_string_equal(rf_str_at(d, "endpoint"), "a");
	assert_string_equal(rf_str_at(d, "expected"), "b");
	/* The route before the start is before 0. */
	assert_double_equal(
	    rf_num_at(
	        cJSON_GetArrayItem(cJSON_GetObjectItem(root, "routes"), 0), "t",
	        NULL),
	    -1, 0);
	cJSON_Delete(root);

	md = rf_render(r, REPORT_FMT_MD);
	rf_assert_has(md, "phases header",
	    "| Phase | from start (s) | session t (s) | since fault (s) | "
	    "source | note |\n");
	rf_assert_has(md, "failover row",
	    "\n| failover | 28.000 | 30.000 | 20.000 | derived | DNS moved: "
	    "first resolver to answer b |\n");
	rf_assert_has(md, "restored row",
	    "\n| restored | 40.000 | 42.000 | 32.000 | derived | later of "
	    "every resolver converging and the first successful probe of "
	    "b |\n");
	rf_assert_has(md, "started",
	    "; times count from the drill's start, at session t 2.000 s\n");
	rf_assert_has(md, "traffic",
	    "- **Traffic at the fault:** a; the expected route changed to b "
	    "at 19.000 s\n");
	rf_assert_has(md, "failover",
	    "- **Failover:** DNS moved at 28.000 s, 20.000 s after the "
	    "fault: 127.0.0.1:5301 answered b first\n");
	rf_assert_has(md, "restored",
	    "- **Restored:** at 40.000 s, 32.000 s after the fault, by the "
	    "later of every resolver converging and b's first successful "
	    "probe\n");
	rf_assert_has(md, "bound",
	    "- **DNS bound:** DNS convergence took 30.000 s after the fault; "
	    "drtop check bound for a: 17.000 s — **EXCEEDED**\n");
	rf_assert_has(md, "diverged",
	    "## Diverged resolvers\n\n| Resolver | from start (s) | session "
	    "t (s) | Answered | Expected |\n|---|---:|---:|---|---|\n"
	    "| second | 33.000 | 35.000 | a | b |\n");
	rf_assert_has(
	    md, "label", "\n| converged_s, resolver second | 30.000 |\n");
	free(md);

	/* The timeline starts at the drill's start, labelled 0 s; the route
	 * before it sits at the left end. */
	html = rf_render(r, REPORT_FMT_HTML);
	rf_assert_has(
	    html, "svg start", "<line x1=\"130.0\" y1=\"60.0\" x2=\"130.0\"");
	rf_assert_has(html, "svg start",
	    "class=\"phase\"><title>start at 0.000 s from start (session t "
	    "2.000) (recorded)</title>");
	rf_assert_has(html, "svg tick",
	    "<text x=\"130.0\" y=\"195.0\" class=\"tick\" "
	    "text-anchor=\"middle\">0s</text>");
	rf_assert_has(html, "svg route",
	    "<g class=\"route\"><title>-1.000 s from start (session t 1.000) "
	    "route (first) -&gt; a (auto)</title><path d=\"M130.0 ");
	rf_assert_has(html, "svg resolver", ">dns second</text>");
	free(html);
	report_free(r);

	/* TTL 30: the bound is 37 s and convergence took 30. */
	r = drill_spread(30);
	assert_double_equal(r->bound_s, 37, 0);
	assert_int_equal(r->bound_exceeded, 0);
	cJSON_Delete(rf_assert_agree(r));
	md = rf_render(r, REPORT_FMT_MD);
	rf_assert_has(md, "within",
	    "drtop check bound for a: 37.000 s — **within the bound**\n");
	free(md);
	report_free(r);
}

/* The Markdown escaping rule of report_fmt.h, case by case: what would
 * break a cell or start markup is escaped, nothing else. */
static void
test_md_escape(void **state)
{
	static const char *const cases[][3] = {
	    /* text, REPORT_ESC_MD, REPORT_ESC_MD_HEADING */
	    {"eu20 -> us21", "eu20 -> us21", "eu20 -> us21"},
	    {"converged_s", "converged_s", "converged_s"},
	    {"_init_ x_", "\\_init\\_ x\\_", "\\_init\\_ x\\_"},
	    {"a|b", "a\\|b", "a\\|b"},
	    {"C:\\dir", "C:\\\\dir", "C:\\\\dir"},
	    {"`x`", "\\`x\\`", "\\`x\\`"},
	    {"*b* a*b", "\\*b\\* a\\*b", "\\*b\\* a\\*b"},
	    {"<script>", "\\<script>", "\\<script>"},
	    {"[l](u) ![i](s)", "\\[l](u) !\\[i](s)", "\\[l](u) !\\[i](s)"},
	    {"&amp; &#39; & x&", "\\&amp; \\&#39; & x&",
	        "\\&amp; \\&#39; & x&"},
	    {"~~s~~", "\\~\\~s\\~\\~", "\\~\\~s\\~\\~"},
	    {"$x$", "\\$x\\$", "\\$x\\$"},
	    {"# h a#b c #", "# h a#b c #", "\\# h a#b c \\#"},
	    {"> q - i + j 1. k", "> q - i + j 1. k", "> q - i + j 1. k"},
	    {"é_x a_é", "é\\_x a\\_é", "é\\_x a\\_é"},
	    {"tab\there\nnl", "tab here nl", "tab here nl"},
	    {"\t#x", " #x", " \\#x"},
	    {"see https://h/a_b?x=1&y=2 or WWW.h.io, a: b",
	        "see https\\://h/a_b?x=1\\&y=2 or WWW\\.h.io, a: b",
	        "see https\\://h/a_b?x=1\\&y=2 or WWW\\.h.io, a: b"},
	    /* a right-to-left override and a C1 control: shown as U+FFFD */
	    {"ok\u202Egpj.exe x\xc2\x85y", "ok\uFFFDgpj.exe x\uFFFDy",
	        "ok\uFFFDgpj.exe x\uFFFDy"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		for (int k = 0; k < 2; k++) {
			char *buf = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);
			assert_non_null(f);
			report_fmt_esc(f, cases[i][0],
			    k ? REPORT_ESC_MD_HEADING : REPORT_ESC_MD);
			fclose(f);
			if (strcmp(buf, cases[i][1 + k]) != 0)
				fail_msg("%s of \"%s\": \"%s\", want \"%s\"",
				    k ? "heading" : "md", cases[i][0], buf,
				    cases[i][1 + k]);
			free(buf);
		}
	/* XML (html, svg) shows U+FFFD; JSON keeps the code point */
	{
		static const struct {
			ReportEsc how;
			const char *want;
		} other[] = {
		    {REPORT_ESC_XML, "a\uFFFDb &lt;\uFFFD"},
		    {REPORT_ESC_JSON, "a\\u202eb <\\u2067"},
		};

		for (size_t i = 0; i < sizeof(other) / sizeof(*other); i++) {
			char *buf = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);

			assert_non_null(f);
			report_fmt_esc(f, "a\u202Eb <\u2067", other[i].how);
			fclose(f);
			assert_string_equal(buf, other[i].want);
			free(buf);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_renderings),
	    cmocka_unit_test(test_phases_apart),
	    cmocka_unit_test(test_md_escape),
	};
	return cmocka_run_group_tests(tests, rf_setup, rf_teardown);
}
