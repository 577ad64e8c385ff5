/*
 * report_table: for a small drill written with the recorder and read
 * back, the summary facts, sections, column headers, alignment and cells
 * are the ones worked out by hand here (with and without a what-if
 * column), and which part of each is the log's text; and the Markdown
 * and HTML reports print the same facts and tables -- the same labels,
 * titles, headers, number of rows and text once each output's escaping
 * is undone -- also for logs with client's-eye probes, diverged and
 * named resolvers, no resolvers at all, and markup in every name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "helpers.h"
#include "journal/logread.h"
#include "journal/recorder.h"
#include "journal/report.h"
#include "journal/report_fmt.h"
#include "journal/report_table.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	th_tmpdir_make(dir, sizeof(dir), "rtab");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return th_tmpdir_remove(dir);
}

static const char profile[] =
    "{\"service\":\"svc\",\"dns\":{\"name\":\"svc.example.com\","
    "\"resolvers\":[\"r1\"]},\"endpoints\":[{\"name\":\"a\"},"
    "{\"name\":\"b\"}],\"drill\":{\"rto_target\":20}}";

/* Write ev[0..n) with the recorder as log `name` under the profile
 * prof, read it back with logread and return its finished report. */
static Report *
report_of_p(const char *name, const char *prof, const Event *ev, size_t n)
{
	char path[256], err[256];
	char *hdr =
	    event_session_line("2026-11-21T08:00:00.000Z", "live", prof);
	SessionHeader h;
	Recorder *rec;
	LogRead *lr;
	Report *r;
	Event e;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rec = recorder_open(path, hdr, NULL, err, sizeof(err));
	free(hdr);
	assert_non_null(rec);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(recorder_write(rec, &ev[i]), 0);
	assert_int_equal(recorder_close(rec, err, sizeof(err)), 0);
	lr = logread_open(path, &h, err, sizeof(err));
	assert_non_null(lr);
	r = report_new(&h, path);
	while ((rc = logread_next(lr, &e, err, sizeof(err))) == 1)
		report_feed(r, &e);
	assert_int_equal(rc, 0);
	report_finish(r);
	logread_close(lr);
	session_header_fini(&h);
	return r;
}

static Report *
report_of(const char *name, const Event *ev, size_t n)
{
	return report_of_p(name, profile, ev, n);
}

static Event
action(double t, ActionPhase ph, int exit_code, const char *error)
{
	Event ev;

	event_init(&ev, EV_ACTION, t);
	strcpy(ev.u.action.name, "failover");
	strcpy(ev.u.action.step, "s1");
	strcpy(ev.u.action.from, "a");
	strcpy(ev.u.action.to, "b");
	strcpy(ev.u.action.by, "operator");
	ev.u.action.phase = ph;
	ev.u.action.exit_code = exit_code;
	strcpy(ev.u.action.error, error);
	return ev;
}

static Event
error_ev(double t, const char *source, const char *message)
{
	Event ev;

	event_init(&ev, EV_ERROR, t);
	strcpy(ev.u.error.source, source);
	strcpy(ev.u.error.message, message);
	return ev;
}

/*
 * Fault at 4 on a; a degraded and the route to b at `detect`; r1
 * answers b at 6.5 (DNS moved, and converged: it is the only
 * resolver); b answers at 7 (restored). With errors, the log also has
 * an error event and text that each output must escape.
 */
static Report *
small_drill(const char *name, double detect, bool errors)
{
	Event ev[] = {
	    th_drill(0, DRILL_START, "t_1 | x"),
	    th_route(1, NULL, "a", CAUSE_AUTO),
	    th_probe(2, "a", true, PERR_NONE, 10),
	    th_probe(3, "b", true, PERR_NONE, 20),
	    th_drill(4, DRILL_FAULT, "kill a"),
	    th_probe(5, "a", false, PERR_STATUS, 30),
	    th_health(detect, "a", HEALTH_ONLINE, HEALTH_DEGRADED, "x"),
	    th_route(detect, "a", "b", CAUSE_AUTO),
	    th_converged(6.5, "r1", "b", 1),
	    th_probe(7, "b", true, PERR_NONE, 21),
	    th_marker(9, errors ? "m<1>&amp; *b* [l](u) `c`\\" : "m1"),
	    action(9.5, ACT_STARTED, -1, ""),
	    action(10, ACT_FINISHED, errors ? 2 : 0, errors ? "bad|x" : ""),
	    error_ev(11, "dns_obs", "<no> & 'answer'\t|"),
	    th_drill(12, DRILL_END, ""),
	};
	size_t n = ARRAY_LEN(ev);

	if (!errors) { /* leave out the error event */
		ev[n - 2] = ev[n - 1];
		n--;
	}
	return report_of(name, ev, n);
}

static void
assert_cell(
    const ReportSection *s, size_t row, int col, const char *text, size_t fixed)
{
	const ReportCell *c;

	assert_true(row < s->nrows);
	assert_true(col < s->ncols);
	c = report_table_cell(s, row, col);
	if (text == NULL) {
		assert_null(c->text);
		return;
	}
	assert_non_null(c->text);
	assert_string_equal(c->text, text);
	assert_int_equal(c->fixed, fixed);
}

/* The text of each cell of row (NULL: blank), all drtop's own words. */
static void
assert_words(const ReportSection *s, size_t row, const char *const *cells)
{
	for (int i = 0; i < s->ncols; i++)
		assert_cell(
		    s, row, i, cells[i], cells[i] ? strlen(cells[i]) : 0);
}

/* The first n cells of row, all drtop's own words. */
static void
assert_words_n(
    const ReportSection *s, size_t row, const char *const *cells, int n)
{
	for (int i = 0; i < n; i++)
		assert_cell(s, row, i, cells[i], strlen(cells[i]));
}

static void
assert_columns(const ReportSection *s, const char *title, const char *heads,
    const char *align)
{
	char buf[256] = "";

	assert_string_equal(s->title, title);
	for (int i = 0; i < s->ncols; i++) {
		strcat(buf, i ? "|" : "");
		strcat(buf, s->cols[i].head);
	}
	assert_string_equal(buf, heads);
	assert_int_equal((int)strlen(align), s->ncols);
	for (int i = 0; i < s->ncols; i++)
		assert_int_equal(s->cols[i].align,
		    align[i] == 'R' ? REPORT_ALIGN_RIGHT : REPORT_ALIGN_LEFT);
}

/* The text of a summary line and, joined by '|', the parts of it that
 * come from the log. */
static void
line_text(const ReportLine *l, char *text, char *data, size_t cap)
{
	text[0] = data[0] = '\0';
	for (int i = 0; i < l->nsegs; i++) {
		const ReportCell *c = &l->segs[i];
		strncat(text, c->text, cap - strlen(text) - 1);
		if (c->text[c->fixed] != '\0') {
			if (data[0] != '\0')
				strcat(data, "|");
			strncat(
			    data, c->text + c->fixed, cap - strlen(data) - 1);
		}
	}
}

static void
assert_line(const ReportTable *t, int i, const char *label, const char *text,
    const char *data, const char *verdict, ReportTone tone)
{
	char tx[1024], dt[1024];
	const ReportLine *l;

	assert_true(i < t->nlines);
	l = &t->lines[i];
	assert_string_equal(l->label, label);
	assert_ptr_equal(report_table_line(t, label), l);
	line_text(l, tx, dt, sizeof(tx));
	assert_string_equal(tx, text);
	assert_string_equal(dt, data);
	if (verdict == NULL) {
		assert_null(l->verdict);
	} else {
		assert_non_null(l->verdict);
		assert_string_equal(l->verdict, verdict);
		assert_int_equal(l->tone, tone);
	}
}

static void
test_facts(void **state)
{
	Report *r = small_drill("facts.jsonl", 6, false);
	ReportTable *t = report_table_new(r, NULL);
	char path[256], log[300];

	(void)state;
	assert_string_equal(t->drill, "t_1 | x");
	assert_int_equal(t->nlines, 8);
	assert_line(t, 0, "Service", "svc", "svc", NULL, 0);
	assert_line(t, 1, "Started",
	    "2026-11-21T08:00:00.000Z; times count from the drill's start, "
	    "at session t 0.000 s",
	    "2026-11-21T08:00:00.000Z", NULL, 0);
	assert_line(t, 2, "RTO", "3.000 s against a target of 20.000 s: ", "",
	    "met", REPORT_TONE_GOOD);
	assert_line(t, 3, "Traffic at the fault",
	    "a; the expected route changed to b at 6.000 s", "a|b", NULL, 0);
	assert_line(t, 4, "Failover",
	    "DNS moved at 6.500 s, 2.500 s after the fault: r1 answered b "
	    "first",
	    "r1|b", NULL, 0);
	assert_line(t, 5, "Restored",
	    "at 7.000 s, 3.000 s after the fault, by the later of every "
	    "resolver converging and b's first successful probe",
	    "b", NULL, 0);
	/* The profile has no monitor or targets: check gives no bound. */
	assert_line(t, 6, "DNS bound",
	    "the profile in the log gives no drtop check bound for a — ", "a",
	    "not known", REPORT_TONE_NEUTRAL);
	snprintf(path, sizeof(path), "%s/facts.jsonl", dir);
	snprintf(log, sizeof(log), "%s (14 events)", path);
	assert_line(t, 7, "Log", log, path, NULL, 0);
	report_table_free(t);
	report_free(r);
}

static void
test_sections(void **state)
{
	Report *r = small_drill("small.jsonl", 6, false);
	ReportTable *t = report_table_new(r, NULL);
	const ReportSection *s;

	(void)state;
	assert_int_equal(t->nsections, 7); /* no errors, no Errors */

	s = &t->sections[0];
	assert_columns(s, "Phases",
	    "Phase|from start (s)|session t (s)|since fault (s)|source|note",
	    "LRRRLL");
	assert_false(s->none_if_empty);
	assert_int_equal(s->nrows, DRILL__COUNT);
	assert_cell(s, DRILL_START, 0, "start", 5);
	assert_cell(s, DRILL_START, 1, "0.000", 5);
	assert_cell(s, DRILL_START, 2, "0.000", 5);
	assert_cell(s, DRILL_START, 3, "-4.000", 6);
	assert_cell(s, DRILL_START, 4, "recorded", 8);
	assert_cell(s, DRILL_START, 5, "t_1 | x", 0); /* the log's text */
	assert_cell(s, DRILL_FAULT, 5, "kill a", 0);
	assert_words_n(s, DRILL_DETECTED,
	    (const char *[]){"detected", "6.000", "6.000", "2.000", "derived"},
	    5);
	/* A derived phase's note: how it was decided, then a name. */
	assert_cell(s, DRILL_DETECTED, 5, "first degraded of a",
	    strlen("first degraded of "));
	assert_words_n(s, DRILL_FAILOVER,
	    (const char *[]){"failover", "6.500", "6.500", "2.500", "derived"},
	    5);
	assert_cell(s, DRILL_FAILOVER, 5,
	    "DNS moved: first resolver to answer b",
	    strlen("DNS moved: first resolver to answer "));
	assert_words_n(s, DRILL_CONVERGED,
	    (const char *[]){"converged", "6.500", "6.500", "2.500", "derived"},
	    5);
	assert_words_n(s, DRILL_RESTORED,
	    (const char *[]){"restored", "7.000", "7.000", "3.000", "derived"},
	    5);
	assert_cell(s, DRILL_RESTORED, 5,
	    "later of every resolver converging and the first successful "
	    "probe of b",
	    strlen("later of every resolver converging and the first "
	           "successful probe of "));

	s = &t->sections[1];
	assert_columns(s, "Metrics", "Metric|Value (s)", "LR");
	assert_int_equal(s->nsets, 0);
	assert_int_equal(s->nrows, 10);
	assert_words(
	    s, 0, (const char *[]){"detect_s (fault → detected)", "2.000"});
	assert_words(
	    s, 1, (const char *[]){"failover_s (fault → DNS moved)", "2.500"});
	assert_words(
	    s, 2, (const char *[]){"converged_s, all resolvers", "2.500"});
	assert_words(
	    s, 3, (const char *[]){"restored_s (fault → restored)", "3.000"});
	assert_words(s, 4, (const char *[]){"rto_s", "3.000"});
	/* The resolver's name comes from the log: only it is escaped. */
	assert_cell(s, 5, 0, "converged_s, resolver r1",
	    strlen("converged_s, resolver "));
	assert_cell(s, 5, 1, "2.500", 5);
	assert_words(s, 6, (const char *[]){"rto_target", "20.000"});
	assert_words(s, 7, (const char *[]){"rto_met", "met"});
	assert_words(
	    s, 8, (const char *[]){"bound_s (drtop check's worst case)", "—"});
	assert_words(s, 9, (const char *[]){"bound_exceeded", "n/a"});

	s = &t->sections[2];
	assert_columns(s, "Endpoints",
	    "Endpoint|Probes|Failures|p50 ms|p95 ms|Availability", "LRLRRR");
	assert_int_equal(s->nrows, 2); /* no client's-eye probe: no row */
	assert_cell(s, 0, 0, "a", 0);
	assert_cell(s, 0, 1, "2", 1);
	assert_cell(s, 0, 2, "status 1", 8);
	assert_cell(s, 0, 3, "10.000", 6);
	assert_cell(s, 0, 4, "30.000", 6);
	assert_cell(s, 0, 5, "50.00%", 6);
	assert_cell(s, 1, 0, "b", 0);
	assert_cell(s, 1, 2, "none", 4);
	assert_cell(s, 1, 5, "100.00%", 7);

	s = &t->sections[3];
	assert_columns(
	    s, "Route changes", "from start (s)|From|To|Cause", "RLLL");
	assert_true(s->none_if_empty);
	assert_int_equal(s->nrows, 2);
	assert_cell(s, 0, 1, "(first route)", 13);
	assert_cell(s, 0, 2, "a", 0);
	assert_cell(s, 1, 0, "6.000", 5);
	assert_cell(s, 1, 1, "a", 0);
	assert_cell(s, 1, 3, "auto", 4);

	s = &t->sections[4];
	assert_columns(s, "Diverged resolvers",
	    "Resolver|from start (s)|session t (s)|Answered|Expected", "LRRLL");
	assert_true(s->none_if_empty);
	assert_int_equal(s->nrows, 0);

	s = &t->sections[5];
	assert_columns(s, "Actions",
	    "from start (s)|Action|By|From|To|Exit|Duration (s)", "RLLLLLR");
	assert_int_equal(s->nrows, 1);
	assert_cell(s, 0, 0, "10.000", 6);
	assert_cell(s, 0, 1, "failover / s1", 0);
	assert_cell(s, 0, 2, "operator", 0);
	assert_cell(s, 0, 5, "0", 1);
	assert_cell(s, 0, 6, "0.500", 5);

	s = &t->sections[6];
	assert_columns(s, "Markers", "from start (s)|Note", "RL");
	assert_int_equal(s->nrows, 1);
	assert_cell(s, 0, 0, "9.000", 5);
	assert_cell(s, 0, 1, "m1", 0);
	report_table_free(t);
	report_free(r);
}

/* A what-if run adds one column to Metrics and nothing elsewhere. */
static void
test_whatif_column(void **state)
{
	Report *r = small_drill("rec.jsonl", 6, true);
	Report *w = small_drill("whatif.jsonl", 5, true);
	const char *sets[] = {"monitor.tolerated_failures=0"};
	ReportWhatIf wi = {w, sets, 1};
	ReportTable *t = report_table_new(r, &wi), *t0;
	const ReportSection *s = &t->sections[1];

	(void)state;
	assert_int_equal(t->nsections, 8);
	assert_string_equal(t->sections[7].title, "Errors");
	assert_columns(s, "Metrics", "Metric|Recorded (s)|What-if (s)", "LRR");
	assert_ptr_equal(s->sets, sets);
	assert_int_equal(s->nsets, 1);
	assert_words(s, 0,
	    (const char *[]){"detect_s (fault → detected)", "2.000", "1.000"});
	/* DNS moved at 6.5 in both: detection does not move it. */
	assert_words(s, 1,
	    (const char *[]){
	        "failover_s (fault → DNS moved)", "2.500", "2.500"});
	assert_cell(s, 5, 2, "2.500", 5); /* r1, found by name */
	/* The target is the recorded one: no what-if value. */
	assert_words(s, 6, (const char *[]){"rto_target", "20.000", NULL});
	assert_words(s, 7, (const char *[]){"rto_met", "met", "met"});
	assert_words(s, 9, (const char *[]){"bound_exceeded", "n/a", "n/a"});
	t0 = report_table_new(r, NULL);
	assert_int_equal(t0->nsections, t->nsections);
	assert_int_equal(t0->nlines, t->nlines);
	for (int i = 0; i < t->nsections; i++) {
		assert_int_equal(t0->sections[i].nrows, t->sections[i].nrows);
		if (i != 1)
			assert_int_equal(
			    t0->sections[i].ncols, t->sections[i].ncols);
	}
	report_table_free(t0);
	/* The action's error from the log follows drtop's exit words. */
	assert_cell(&t->sections[5], 0, 5, "2: bad|x", 3);
	/* The error's time counts from the start. */
	assert_cell(&t->sections[7], 0, 0, "11.000", 6);
	report_table_free(t);
	report_free(w);
	report_free(r);
}

/* ---- md and html carry the same tables -------------------------------- */

static char *
render(const Report *r, const ReportWhatIf *wi, ReportFormat fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(report_write(r, wi, fmt, f), 0);
	fclose(f);
	return buf;
}

/*
 * The facts and tables of a Markdown report as plain text: "* Label:
 * text" per fact (escapes undone, the verdict's bold left out), then
 * "# title" lines, then one line per table row (header included,
 * separator left out), cells unescaped and joined by '\x1f'; "None."
 * for an empty list.
 */
/* One table row "| a | b\\|c |" as "a\x1fb|c\n". */
static void
md_row(FILE *f, const char *p, const char *end)
{
	char cell[1024];
	size_t k = 0;
	bool first = true;

	for (p++; p < end; p++) {
		if (*p == '\\') {
			cell[k++] = *++p;
			continue;
		}
		if (*p != '|') {
			cell[k++] = *p;
			continue;
		}
		/* " text |": one space each side. */
		cell[k] = '\0';
		assert_true(k >= 1 && cell[0] == ' ');
		if (k >= 2 && cell[k - 1] == ' ')
			cell[k - 1] = '\0';
		fprintf(f, "%s%s", first ? "" : "\x1f", cell + 1);
		first = false;
		k = 0;
	}
	fputc('\n', f);
}

/* "- **Label:** te\\_xt **verdict**" as "* Label: te_xt verdict\n". */
static void
md_fact(FILE *f, const char *p, const char *end)
{
	const char *colon = strstr(p, ":** ");

	assert_true(colon != NULL && colon < end);
	fprintf(f, "* %.*s: ", (int)(colon - p - 4), p + 4);
	for (p = colon + 4; p < end; p++) {
		if (*p == '\\')
			fputc(*++p, f);
		else if (strncmp(p, "**", 2) == 0)
			p++;
		else
			fputc(*p, f);
	}
	fputc('\n', f);
}

static char *
md_dump(const char *md)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	const char *p = strstr(md, "\n\n- **");

	assert_non_null(p);
	for (p += 2; strncmp(p, "- **", 4) == 0;) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		md_fact(f, p, nl);
		p = nl + 1;
	}
	p = strstr(p, "\n## ");
	assert_non_null(p);
	for (p++; *p != '\0';) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (strncmp(p, "## ", 3) == 0)
			fprintf(f, "# %.*s\n", (int)(n - 3), p + 3);
		else if (strncmp(p, "None.", 5) == 0)
			fputs("None.\n", f);
		else if (*p == '|' && strncmp(p, "|---", 4) != 0)
			md_row(f, p, p + n);
		p += e ? n + 1 : n;
	}
	fclose(f);
	return out;
}

/* Append the text of s up to end with its XML escapes undone. */
static void
xml_text(FILE *f, const char *s, const char *end)
{
	static const char *const ent[][2] = {{"&amp;", "&"}, {"&lt;", "<"},
	    {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}};

	while (s < end) {
		size_t i;
		for (i = 0; i < ARRAY_LEN(ent); i++)
			if (strncmp(s, ent[i][0], strlen(ent[i][0])) == 0)
				break;
		if (i < ARRAY_LEN(ent)) {
			fputs(ent[i][1], f);
			s += strlen(ent[i][0]);
		} else {
			fputc(*s++, f);
		}
	}
}

/* The facts and tables of an HTML report in md_dump's form (the
 * timeline, an h2 without a table, is left out). */
static char *
html_dump(const char *html)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	for (const char *p = html; (p = strchr(p, '<')) != NULL; p++) {
		const char *e;
		if (strncmp(p, "<li><b>", 7) == 0) {
			const char *s = strstr(p, ":</b> ");
			e = strstr(p, "</li>");
			assert_true(s != NULL && e != NULL && s < e);
			fputs("* ", f);
			xml_text(f, p + 7, s);
			fputs(": ", f);
			for (s += 6; s < e;) { /* leave out <strong ...> tags */
				const char *tag = strchr(s, '<');
				if (tag == NULL || tag >= e) {
					xml_text(f, s, e);
					break;
				}
				xml_text(f, s, tag);
				s = strchr(tag, '>') + 1;
			}
			fputc('\n', f);
			p = e;
		} else if (strncmp(p, "<h2>", 4) == 0) {
			e = strstr(p, "</h2>");
			assert_non_null(e);
			if (strncmp(e, "</h2>\n<svg", 10) != 0) {
				fputs("# ", f);
				xml_text(f, p + 4, e);
				fputc('\n', f);
			}
		} else if (strncmp(p, "<p>None.</p>", 12) == 0) {
			fputs("None.\n", f);
		} else if (strncmp(p, "<td", 3) == 0 ||
		    strncmp(p, "<th>", 4) == 0) {
			bool td = p[2] == 'd';
			const char *s = strchr(p, '>') + 1;
			e = strstr(s, td ? "</td>" : "</th>");
			assert_non_null(e);
			if (strncmp(p - 4, "<tr>", 4) != 0)
				fputc('\x1f', f);
			xml_text(f, s, e);
			if (strncmp(e + 5, "</tr>", 5) == 0)
				fputc('\n', f);
			p = e;
		}
	}
	fclose(f);
	return out;
}

static void
assert_same_tables(const Report *r, const ReportWhatIf *wi)
{
	char *md = render(r, wi, REPORT_FMT_MD);
	char *html = render(r, wi, REPORT_FMT_HTML);
	char *dm = md_dump(md), *dh = html_dump(html);
	ReportTable *t = report_table_new(r, wi);
	const char *p = dm;

	assert_string_equal(dm, dh);
	/* Facts, titles and row counts are the model's, in its order. */
	for (int i = 0; i < t->nlines; i++) {
		assert_true(strncmp(p, "* ", 2) == 0);
		assert_true(strncmp(p + 2, t->lines[i].label,
		                strlen(t->lines[i].label)) == 0);
		p = strchr(p, '\n') + 1;
	}
	for (int i = 0; i < t->nsections; i++) {
		const ReportSection *s = &t->sections[i];
		size_t rows = 0;
		assert_true(strncmp(p, "# ", 2) == 0);
		assert_true(strncmp(p + 2, s->title, strlen(s->title)) == 0);
		p = strchr(p, '\n') + 1;
		for (; *p && strncmp(p, "# ", 2) != 0; p = strchr(p, '\n') + 1)
			if (strncmp(p, "None.", 5) != 0)
				rows++;
		if (s->nrows == 0 && s->none_if_empty)
			assert_int_equal(rows, 0);
		else
			assert_int_equal(rows, s->nrows + 1); /* + header */
	}
	assert_string_equal(p, "");
	report_table_free(t);
	free(dm);
	free(dh);
	free(md);
	free(html);
}

static Event
public_probe(double t, bool ok, const char *served_by)
{
	Event ev = th_probe(t, EV_PUBLIC, ok, PERR_TIMEOUT, ok ? 40 : 5000);

	ev.u.probe.via_public = true;
	strcpy(ev.u.probe.served_by, served_by);
	return ev;
}

static Event
diverged(double t, const char *res, const char *name, const char *ep,
    const char *expected)
{
	Event ev;

	event_init(&ev, EV_DIVERGED, t);
	strcpy(ev.u.conv.resolver, res);
	strcpy(ev.u.conv.resolver_name, name);
	strcpy(ev.u.conv.endpoint, ep);
	strcpy(ev.u.conv.expected, expected);
	ev.u.conv.after = 1;
	return ev;
}

/*
 * The truth rule's facts with markup in every name from the log: a
 * client's-eye probe restores, a named resolver diverges and converges,
 * endpoint names with Markdown and XML specials.
 */
static Report *
truth_drill(void)
{
	static const char prof[] =
	    "{\"service\":\"s_1 *x*\",\"dns\":{\"name\":\"svc.example.com\","
	    "\"resolvers\":[\"r1\",\"r|2\"]},\"endpoints\":["
	    "{\"name\":\"e_1\"},{\"name\":\"n<2>&x\"}],"
	    "\"public\":{\"url\":\"https://svc.example.com/\"},"
	    "\"drill\":{\"rto_target\":20}}";
	Event r2 = th_converged(9, "r|2", "n<2>&x", 1);
	Event ev[] = {
	    th_drill(1, DRILL_START, "# truth _drill_"),
	    th_route(1.5, NULL, "e_1", CAUSE_AUTO),
	    th_drill(2, DRILL_FAULT, "e_1 -> down"),
	    public_probe(3, false, "e_1"),
	    th_health(4, "e_1", HEALTH_ONLINE, HEALTH_DEGRADED, "x"),
	    th_route(4, "e_1", "n<2>&x", CAUSE_AUTO),
	    th_converged(5, "r1", "n<2>&x", 1),
	    public_probe(6, true, "n<2>&x"),
	    diverged(7, "r|2", "`ns` [1]", "e_1", "n<2>&x"),
	    r2,
	    th_drill(12, DRILL_END, ""),
	};
	strcpy(ev[9].u.conv.resolver_name, "`ns` [1]");
	return report_of_p("truth.jsonl", prof, ev, ARRAY_LEN(ev));
}

static void
test_md_html_same_tables(void **state)
{
	Report *r = small_drill("same.jsonl", 6, true);
	Report *w = small_drill("same-whatif.jsonl", 5, true);
	const char *sets[] = {"monitor.tolerated_failures=0", "dns.ttl=5"};
	ReportWhatIf wi = {w, sets, 2};
	Report *quiet, *truth, *nodns;
	Event ev[] = {th_route(1, NULL, "a", CAUSE_AUTO),
	    th_probe(2, "a", true, PERR_NONE, 7)};
	Event nd[] = {th_route(1, NULL, "a", CAUSE_AUTO),
	    th_drill(2, DRILL_FAULT, ""), th_route(3, "a", "b", CAUSE_AUTO),
	    th_probe(4, "b", true, PERR_NONE, 7)};
	ReportTable *t;

	(void)state;
	assert_same_tables(r, NULL);
	assert_same_tables(r, &wi);
	/* Empty lists ("None.") and every metric null. */
	quiet = report_of("quiet.jsonl", ev, ARRAY_LEN(ev));
	assert_same_tables(quiet, NULL);

	truth = truth_drill();
	assert_int_equal(truth->restored_by, REPORT_RESTORED_PUBLIC);
	assert_same_tables(truth, NULL);
	t = report_table_new(truth, NULL);
	assert_int_equal(t->sections[4].nrows, 1); /* one diverged */
	assert_cell(&t->sections[4], 0, 0, "`ns` [1]", 0);
	assert_cell(&t->sections[4], 0, 1, "6.000", 5);
	assert_cell(&t->sections[4], 0, 2, "7.000", 5);
	assert_cell(&t->sections[2], 2, 0, "public (client's eye)",
	    strlen("public (client's eye)"));
	report_table_free(t);

	/* No resolver: the failover is expected, not observed. */
	nodns = report_of_p(
	    "nodns.jsonl", "{\"service\":\"s\"}", nd, ARRAY_LEN(nd));
	assert_false(nodns->failover_observed);
	assert_same_tables(nodns, NULL);
	t = report_table_new(nodns, NULL);
	assert_cell(&t->sections[0], DRILL_FAILOVER, 4,
	    "derived; expected, not observed",
	    strlen("derived; expected, not observed"));
	assert_string_equal(report_table_line(t, "Failover")->verdict,
	    "expected, not observed");
	report_table_free(t);

	report_free(nodns);
	report_free(truth);
	report_free(quiet);
	report_free(w);
	report_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_facts),
	    cmocka_unit_test(test_sections),
	    cmocka_unit_test(test_whatif_column),
	    cmocka_unit_test(test_md_html_same_tables),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
