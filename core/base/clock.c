#include "base/clock.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
real_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
clock_format_utc(double realtime, char *buf, size_t cap)
{
	time_t secs = (time_t)floor(realtime);
	int ms = (int)((realtime - floor(realtime)) * 1000.0);
	struct tm tm;

	if (ms > 999)
		ms = 999;
	gmtime_r(&secs, &tm);
	snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, ms);
}
