#include "journal/logfile.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

#include "base/util.h"
#include "model/event.h"

/* Copy src into dst sanitised to [A-Za-z0-9._-]; returns its length. */
static size_t
sanitise(char *dst, size_t cap, const char *src, const char *dflt)
{
	size_t n = 0;

	if (src == NULL || src[0] == '\0')
		src = dflt;
	for (; *src != '\0' && n + 1 < cap; src++) {
		unsigned char c = (unsigned char)*src;
		bool good = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    (c == '.' && n > 0);
		dst[n++] = good ? (char)c : '_';
	}
	dst[n] = '\0';
	return n;
}

bool
logfile_drill_name(const char *service, double realtime, const char *name,
    char *buf, size_t cap)
{
	char svc[EV_TEXT_MAX], nm[EV_TEXT_MAX], stamp[32];
	time_t secs = (time_t)floor(realtime);
	struct tm tm;
	int n;

	sanitise(svc, sizeof(svc), service, "drtop");
	sanitise(nm, sizeof(nm), name, "drill");
	if (gmtime_r(&secs, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
		str_copy(stamp, sizeof(stamp), "00000000T000000Z");
	n = snprintf(buf, cap, "%s-%s-%s.jsonl", svc, stamp, nm);
	return n >= 0 && (size_t)n < cap;
}
