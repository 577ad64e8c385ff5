#include "base/dlog.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/util.h"

/* Set once by dlog_open before any thread starts; read-only afterwards
 * until dlog_close, which runs after every thread stopped. */
static FILE *dlog_file;

int
dlog_open(const char *path, char *err, size_t errcap)
{
	FILE *f = fopen(path, "a");

	if (f == NULL) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		return -1;
	}
	dlog_close();
	dlog_file = f;
	return 0;
}

void
dlog(const char *fmt, ...)
{
	char when[40];
	va_list ap;

	if (dlog_file == NULL)
		return;
	clock_format_utc(real_now(), when, sizeof(when));
	flockfile(dlog_file);
	fprintf(dlog_file, "%s ", when);
	va_start(ap, fmt);
	vfprintf(dlog_file, fmt, ap);
	va_end(ap);
	fputc('\n', dlog_file);
	fflush(dlog_file);
	funlockfile(dlog_file);
}

void
dlog_close(void)
{
	if (dlog_file != NULL)
		fclose(dlog_file);
	dlog_file = NULL;
}
