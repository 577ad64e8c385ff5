/*
 * libFuzzer harness for the event log reader (logread + fastprobe) and
 * everything downstream of it (report, the three renderers). The input
 * is a whole log file; when its header's profile loads, a what-if run
 * (engine re-run) goes along. Also a differential check: whenever the probe
 * fast path accepts a line, the general decoder must accept it too and
 * yield the same event, and the line holds no NUL, no backslash and no
 * negative t (logread relies on it to check only the other lines).
 *   make -f tests/fuzz/Makefile fuzz-logread FUZZ_TIME=60 (seeds: corpus_logread/)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "journal/fastprobe.h"
#include "journal/logread.h"
#include "journal/report.h"
#include "journal/report_fmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
differential(const uint8_t *data, size_t size)
{
	static char a[EVENT_JSON_MAX], b[EVENT_JSON_MAX];
	static Event fast, slow;
	char err[256];
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (fastprobe_parse(p, len, &fast) == 1) {
			/* what logread leaves unchecked on the fast path */
			if (memchr(p, '\0', len) != NULL ||
			    memchr(p, '\\', len) != NULL || fast.t < 0)
				abort();
			if (event_from_json(p, len, &slow, err, sizeof(err)) !=
			    1)
				abort();
			event_to_json(&fast, a, sizeof(a));
			event_to_json(&slow, b, sizeof(b));
			if (strcmp(a, b) != 0)
				abort();
		}
		p += len + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[512];
	SessionHeader h;
	LogRead *lr;
	static const char *const sets[] = {"monitor.tolerated_failures=0"};
	ReportWhatIfRun *w;
	Report *r, *wr = NULL;
	ReportWhatIf wi = {NULL, sets, 1};
	Event ev;
	FILE *devnull;
	int fd;

	differential(data, size);
	fd = memfd_create("log", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	lr = logread_open(path, &h, err, sizeof(err));
	if (lr != NULL) {
		r = report_new(&h, path);
		w = report_whatif_new(&h, path, sets, 1, err, sizeof(err));
		while (logread_next(lr, &ev, err, sizeof(err)) == 1) {
			report_feed(r, &ev);
			if (w != NULL)
				report_whatif_feed(w, &ev);
		}
		report_finish(r);
		if (w != NULL)
			wi.report = wr = report_whatif_finish(w);
		devnull = fopen("/dev/null", "w");
		if (devnull != NULL) {
			report_write(r, NULL, REPORT_FMT_JSON, devnull);
			report_write(r, NULL, REPORT_FMT_MD, devnull);
			report_write(r, &wi, REPORT_FMT_HTML, devnull);
			fclose(devnull);
		}
		report_free(r);
		report_free(wr);
		logread_close(lr);
		session_header_fini(&h);
	}
	close(fd);
	return 0;
}
