#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"
#include "helpers.h"

void
th_assert_double(double a, double b, double eps, const char *as, const char *bs,
    const char *file, int line)
{
	if (isnan(a) && isnan(b))
		return;
	if (isnan(a) || isnan(b) || fabs(a - b) > eps) {
		print_error(
		    "%s (%.9g) != %s (%.9g), eps %g\n", as, a, bs, b, eps);
		_fail(file, line);
	}
}

char *
th_tmpdir_make(char *buf, size_t cap, const char *tag)
{
	char tmpl[64], *real;

	snprintf(tmpl, sizeof(tmpl), "/tmp/drtop-%s-XXXXXX", tag);
	assert_non_null(mkdtemp(tmpl));
	real = realpath(tmpl, NULL);
	assert_non_null(real);
	assert_true(str_copy(buf, cap, real));
	free(real);
	return buf;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
th_tmpdir_remove(const char *dir)
{
	if (dir == NULL || dir[0] == '\0')
		return 0;
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
th_dial(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

Event
th_probe(double t, const char *ep, bool ok, ProbeError err, double total_ms)
{
	Event ev;

	event_init(&ev, EV_PROBE, t);
	str_copy(ev.u.probe.endpoint, EV_NAME_MAX, ep);
	ev.u.probe.ok = ok;
	ev.u.probe.error = ok ? PERR_NONE : err;
	ev.u.probe.status = ok ? 200 : err == PERR_STATUS ? 500 : 0;
	if (total_ms >= 0)
		ev.u.probe.ms.total = total_ms;
	return ev;
}

Event
th_health(double t, const char *ep, HealthState from, HealthState to,
    const char *reason)
{
	Event ev;

	event_init(&ev, EV_HEALTH, t);
	str_copy(ev.u.health.endpoint, EV_NAME_MAX, ep);
	ev.u.health.from = from;
	ev.u.health.to = to;
	str_copy(ev.u.health.reason, EV_TEXT_MAX, reason ? reason : "");
	return ev;
}

Event
th_route(double t, const char *from, const char *to, RouteCause cause)
{
	Event ev;

	event_init(&ev, EV_ROUTE, t);
	str_copy(ev.u.route.from, EV_NAME_MAX, from ? from : "");
	str_copy(ev.u.route.to, EV_NAME_MAX, to);
	ev.u.route.cause = cause;
	return ev;
}

Event
th_dns(double t, const char *resolver, const char *endpoint, int ttl)
{
	Event ev;

	event_init(&ev, EV_DNS, t);
	str_copy(ev.u.dns.resolver, EV_RESOLVER_MAX, resolver);
	str_copy(ev.u.dns.name, EV_HOST_MAX, "cpi.example.com");
	str_copy(ev.u.dns.rcode, sizeof(ev.u.dns.rcode), "NOERROR");
	str_copy(ev.u.dns.endpoint, EV_NAME_MAX, endpoint ? endpoint : "");
	ev.u.dns.ttl = ttl;
	return ev;
}

Event
th_converged(double t, const char *resolver, const char *endpoint, double after)
{
	Event ev;

	event_init(&ev, EV_CONVERGED, t);
	str_copy(ev.u.conv.resolver, EV_RESOLVER_MAX, resolver);
	str_copy(ev.u.conv.endpoint, EV_NAME_MAX, endpoint);
	ev.u.conv.after = after;
	return ev;
}

Event
th_drill(double t, DrillPhase phase, const char *note)
{
	Event ev;

	event_init(&ev, EV_DRILL, t);
	ev.u.drill.phase = phase;
	str_copy(ev.u.drill.note, EV_TEXT_MAX, note ? note : "");
	return ev;
}

Event
th_marker(double t, const char *note)
{
	Event ev;

	event_init(&ev, EV_MARKER, t);
	str_copy(ev.u.marker.note, EV_TEXT_MAX, note ? note : "");
	return ev;
}
