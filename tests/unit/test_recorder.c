/*
 * recorder: round trip through logread, write errors on /dev/full and at
 * a file size limit (short writes cut back to whole lines), and kill -9
 * at random moments: every complete line parses and a report still runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "journal/logread.h"
#include "journal/recorder.h"
#include "journal/report.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	th_tmpdir_make(dir, sizeof(dir), "rec");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return th_tmpdir_remove(dir);
}

static char *
header(void)
{
	return event_session_line("2026-11-21T08:00:00.000Z", "live",
	    "{\"service\":\"svc\",\"endpoints\":[{\"name\":\"a\"},"
	    "{\"name\":\"b\"}],\"drill\":{\"rto_target\":60}}");
}

/* The i-th event of a scripted sequence of every kind. */
static void
scripted(int i, Event *ev)
{
	double t = 0.25 * i;

	switch (i % 6) {
	case 0:
	case 1:
	case 2:
		event_init(ev, EV_PROBE, t);
		strcpy(ev->u.probe.endpoint, i % 2 ? "a" : "b");
		ev->u.probe.ok = i % 7 != 0;
		ev->u.probe.status = ev->u.probe.ok ? 200 : 503;
		ev->u.probe.error = ev->u.probe.ok ? PERR_NONE : PERR_STATUS;
		ev->u.probe.ms.total = 10 + i % 13;
		break;
	case 3:
		event_init(ev, EV_DNS, t);
		strcpy(ev->u.dns.resolver, "127.0.0.1:5353");
		strcpy(ev->u.dns.name, "svc.example.com");
		strcpy(ev->u.dns.rcode, "NOERROR");
		ev->u.dns.nanswers = 1;
		strcpy(ev->u.dns.answers[0], "a.example.net");
		strcpy(ev->u.dns.endpoint, "a");
		ev->u.dns.ttl = 30;
		break;
	case 4:
		event_init(ev, EV_MARKER, t);
		snprintf(ev->u.marker.note, EV_TEXT_MAX, "marker %d", i);
		break;
	default:
		event_init(ev, EV_DRILL, t);
		ev->u.drill.phase = (DrillPhase)(i / 6 % DRILL__COUNT);
		snprintf(ev->u.drill.note, EV_TEXT_MAX, "phase %d", i);
		break;
	}
}

static void
test_roundtrip(void **state)
{
	char path[128], err[256], a[EVENT_JSON_MAX], b[EVENT_JSON_MAX];
	char *hdr = header();
	SessionHeader h;
	Recorder *r;
	LogRead *lr;
	Event ev, back;
	int n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/rt.jsonl", dir);
	r = recorder_open(path, hdr, NULL, err, sizeof(err));
	assert_non_null(r);
	assert_null(recorder_error(r));
	for (int i = 0; i < 200; i++) {
		scripted(i, &ev);
		assert_int_equal(recorder_write(r, &ev), 0);
	}
	assert_int_equal(recorder_written(r), 200);
	assert_int_equal(recorder_close(r, err, sizeof(err)), 0);

	lr = logread_open(path, &h, err, sizeof(err));
	assert_non_null(lr);
	assert_string_equal(h.started, "2026-11-21T08:00:00.000Z");
	assert_non_null(strstr(h.profile_json, "\"rto_target\":60"));
	while (logread_next(lr, &back, err, sizeof(err)) == 1) {
		scripted(n++, &ev);
		event_to_json(&ev, a, sizeof(a));
		event_to_json(&back, b, sizeof(b));
		assert_string_equal(a, b);
	}
	assert_int_equal(n, 200);
	assert_null(logread_warning(lr));
	logread_close(lr);
	session_header_fini(&h);
	free(hdr);

	/* An unwritable place is an error naming it, not a crash. */
	snprintf(path, sizeof(path), "%s/no/such/dir/x.jsonl", dir);
	assert_null(recorder_open(path, "{}\n", NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "no/such/dir"));
}

/* A log is evidence: an existing file is never truncated or appended to;
 * a device is written to. The state line goes out with the header. */
static void
test_never_overwrites(void **state)
{
	char path[256], err[512], buf[256];
	char *hdr = header();
	Recorder *r;
	FILE *f;
	Event ev;

	(void)state;
	snprintf(path, sizeof(path), "%s/kept.jsonl", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("yesterday's drill\n", f);
	fclose(f);
	errno = 0;
	assert_null(recorder_open(path, hdr, NULL, err, sizeof(err)));
	assert_int_equal(errno, EEXIST);
	assert_non_null(strstr(err, "kept.jsonl: the file exists"));
	assert_non_null(strstr(err, "never overwritten"));
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	assert_string_equal(buf, "yesterday's drill\n");
	assert_null(fgets(buf, sizeof(buf), f));
	fclose(f);

	r = recorder_open("/dev/null", hdr, NULL, err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(recorder_close(r, err, sizeof(err)), 0);

	snprintf(path, sizeof(path), "%s/with-state.jsonl", dir);
	r = recorder_open(
	    path, hdr, "{\"t\":3,\"type\":\"state\"}\n", err, sizeof(err));
	assert_non_null(r);
	event_init(&ev, EV_MARKER, 4);
	assert_int_equal(recorder_write(r, &ev), 0);
	assert_int_equal(recorder_close(r, err, sizeof(err)), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	assert_string_equal(buf, hdr);
	assert_non_null(fgets(buf, sizeof(buf), f));
	assert_string_equal(buf, "{\"t\":3,\"type\":\"state\"}\n");
	assert_non_null(fgets(buf, sizeof(buf), f));
	assert_non_null(strstr(buf, "\"type\":\"marker\""));
	fclose(f);
	free(hdr);
}

static void
test_dev_full(void **state)
{
	char err[256];
	char *hdr = header();
	Recorder *r;
	Event ev;

	(void)state;
	r = recorder_open("/dev/full", hdr, NULL, err, sizeof(err));
	assert_non_null(r); /* opened: the failure is in writing */
	assert_non_null(recorder_error(r));
	assert_non_null(strstr(recorder_error(r), "/dev/full"));
	assert_non_null(strstr(recorder_error(r), strerror(ENOSPC)));
	for (int i = 0; i < 10; i++) {
		scripted(i, &ev);
		assert_int_equal(recorder_write(r, &ev), -1);
	}
	assert_int_equal(recorder_lost(r), 10);
	assert_int_equal(recorder_written(r), 0);
	assert_int_equal(recorder_close(r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/dev/full"));
	free(hdr);
}

/*
 * A file size limit makes write(2) short, as a full disk does: the torn
 * line is cut back, later writes fail and are counted, and once there is
 * room again recording resumes with an `error` event naming the gap.
 * Runs in a child so the limit never touches the test's own output.
 */
static int
limited_child(const char *path)
{
	struct rlimit rl, low;
	char err[256];
	char *hdr = header();
	Recorder *r;
	Event ev;
	int fails = 0, i;

	signal(SIGXFSZ, SIG_IGN);
	if (getrlimit(RLIMIT_FSIZE, &rl) != 0)
		return 10;
	low = rl;
	low.rlim_cur = 2000;
	if (setrlimit(RLIMIT_FSIZE, &low) != 0)
		return 11;
	r = recorder_open(path, hdr, NULL, err, sizeof(err));
	if (r == NULL || recorder_error(r) != NULL)
		return 12;
	for (i = 0; i < 40; i++) {
		scripted(i, &ev);
		if (recorder_write(r, &ev) != 0)
			fails++;
	}
	if (fails == 0 || recorder_error(r) == NULL ||
	    recorder_lost(r) != (unsigned long)fails)
		return 13;
	if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
		return 14;
	scripted(40, &ev);
	if (recorder_write(r, &ev) != 0)
		return 15;
	recorder_close(r, NULL, 0);
	free(hdr);
	return 0;
}

static void
test_short_writes_cut_back(void **state)
{
	char path[128], err[256];
	SessionHeader h;
	LogRead *lr;
	Event ev;
	pid_t pid;
	int status, n = 0, rc;
	bool gap = false;
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/limited.jsonl", dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(limited_child(path));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	assert_int_equal(stat(path, &st), 0);
	lr = logread_open(path, &h, err, sizeof(err));
	assert_non_null(lr);
	while ((rc = logread_next(lr, &ev, err, sizeof(err))) == 1) {
		n++;
		if (ev.type == EV_ERROR &&
		    strcmp(ev.u.error.source, "recorder") == 0 &&
		    strstr(ev.u.error.message, "events not recorded") != NULL)
			gap = true;
	}
	assert_int_equal(rc, 0); /* every line parsed, none torn */
	assert_null(logread_warning(lr));
	assert_true(gap);
	assert_true(n >= 3);
	assert_true(n < 40);
	logread_close(lr);
	session_header_fini(&h);
}

/* Writes events as fast as it can until killed; says when it is open. */
static void
writer_child(const char *path, int ready_fd)
{
	char err[256];
	char *hdr = header();
	Recorder *r = recorder_open(path, hdr, NULL, err, sizeof(err));
	Event ev;

	if (r == NULL)
		_exit(1);
	if (write(ready_fd, "x", 1) != 1)
		_exit(2);
	for (int i = 0; i < 10000000; i++) {
		scripted(i, &ev);
		recorder_write(r, &ev);
	}
	_exit(0);
}

static void
test_kill9_durability(void **state)
{
	char path[128], err[256], c;
	unsigned seed = (unsigned)time(NULL);

	(void)state;
	srand(seed);
	print_message("kill -9 seed %u\n", seed);
	for (int iter = 0; iter < 20; iter++) {
		int pfd[2], status, rc;
		SessionHeader h;
		LogRead *lr;
		Report *rep;
		Event ev;
		pid_t pid;
		long n = 0;

		snprintf(path, sizeof(path), "%s/kill%d.jsonl", dir, iter);
		assert_int_equal(pipe(pfd), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(pfd[0]);
			writer_child(path, pfd[1]);
		}
		close(pfd[1]);
		assert_int_equal(read(pfd[0], &c, 1), 1);
		close(pfd[0]);
		/* A random moment within the first ~30 ms of writing. */
		struct timespec ts = {0, (long)(rand() % 30000) * 1000};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));

		lr = logread_open(path, &h, err, sizeof(err));
		if (lr == NULL)
			fail_msg("iteration %d: %s", iter, err);
		rep = report_new(&h, path);
		while ((rc = logread_next(lr, &ev, err, sizeof(err))) == 1) {
			report_feed(rep, &ev);
			n++;
		}
		if (rc != 0)
			fail_msg("iteration %d: %s", iter, err);
		report_finish(rep);
		assert_int_equal(rep->nevents, (unsigned long)n);
		assert_true(rep->nendpoints >= 2);
		report_free(rep);
		logread_close(lr);
		session_header_fini(&h);
		unlink(path);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_never_overwrites),
	    cmocka_unit_test(test_dev_full),
	    cmocka_unit_test(test_short_writes_cut_back),
	    cmocka_unit_test(test_kill9_durability),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
