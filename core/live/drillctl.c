#include "live/drillctl.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/utf8.h"
#include "base/util.h"
#include "engine/drill.h"
#include "journal/logfile.h"
#include "journal/recorder.h"

#define PHASES_MAX 8 /* phases one event can cause (at most four) */

struct DrillCtl {
	const Profile *p;
	double start_real;
	bool demo;
	Drill d;
	Recorder *rec; /* open between start and finish */
	char path[4096]; /* the current or last drill log */
	const char *shown; /* path, relative to the cwd when under it */
	char err[512]; /* the last write error; "" = none */
	unsigned long lost;
	bool finished; /* the last drill's log is closed */
	/* phases yielded by one drill_feed, passed on after it returns */
	Event phases[PHASES_MAX];
	int nphases;
};

static void
collect(void *ctx, const Event *ev)
{
	DrillCtl *c = ctx;

	if (c->nphases < PHASES_MAX)
		c->phases[c->nphases++] = *ev;
}

DrillCtl *
drillctl_new(const Profile *p, double start_real, bool demo)
{
	DrillCtl *c = xcalloc(1, sizeof(*c));

	c->p = p;
	c->start_real = start_real;
	c->demo = demo;
	drill_init(&c->d, p);
	return c;
}

void
drillctl_free(DrillCtl *c)
{
	if (c == NULL)
		return;
	recorder_close(c->rec, NULL, 0);
	free(c);
}

bool
drillctl_active(const DrillCtl *c)
{
	return c->d.active;
}

const char *
drillctl_path(const DrillCtl *c)
{
	return c->path;
}

const char *
drillctl_shown(const DrillCtl *c)
{
	return c->shown ? c->shown : c->path;
}

/* mkdir -p dir (mode 0755). 0, or -1 with errno set. */
static int
mkdir_p(const char *dir)
{
	char buf[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, dir, n + 1);
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* The drill's name is the report's title and the console shows it: it
 * holds no control character and no bidirectional control (a name is
 * refused as a profile's names are; a marker's or fault's note is free
 * text, kept as typed, and drawn with those as '?'). */
static bool
name_printable(const char *name, char *err, size_t cap)
{
	for (const char *s = name; *s != '\0';) {
		unsigned cp;
		size_t n = utf8_next(s, &cp);

		if (n != 0 && utf8_is_bidi(cp)) {
			snprintf(err, cap,
			    "the drill's name contains a bidirectional control "
			    "character (U+%04X)",
			    cp);
			return false;
		}
		if (n == 0 || utf8_is_control(cp)) {
			snprintf(err, cap,
			    "the drill's name contains a control character "
			    "or invalid UTF-8");
			return false;
		}
		s += n;
	}
	return true;
}

int
drillctl_start(DrillCtl *c, double t, const char *name, const char *state_line,
    Event *ev, char *err, size_t cap)
{
	const char *dir =
	    c->p->drill_dir && c->p->drill_dir[0] ? c->p->drill_dir : "drills";
	char file[512], started[40], path[4096];
	char *pj, *line;
	Recorder *r;

	if (c->d.active) {
		snprintf(err, cap, "a drill is already running");
		return -1;
	}
	if (!name_printable(name, err, cap))
		return -1;
	if (mkdir_p(dir) != 0) {
		snprintf(err, cap, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!logfile_drill_name(
	        c->p->service, c->start_real + t, name, file, sizeof(file)) ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	        sizeof(path)) {
		snprintf(err, cap, "%s: the drill log's name is too long", dir);
		return -1;
	}
	clock_format_utc(c->start_real, started, sizeof(started));
	pj = profile_to_json(c->p, true); /* header values redacted */
	line = event_session_line(started, c->demo ? "demo" : "live", pj);
	r = recorder_open(path, line, state_line, err, cap);
	/* The same name in the same second: "NAME-2.jsonl", ... */
	for (int k = 2; r == NULL && errno == EEXIST && k < 100; k++) {
		size_t n = strlen(file) - strlen(".jsonl");

		if ((size_t)snprintf(path, sizeof(path), "%s/%.*s-%d.jsonl",
		        dir, (int)n, file, k) >= sizeof(path))
			break;
		r = recorder_open(path, line, state_line, err, cap);
	}
	free(line);
	free(pj);
	if (r == NULL)
		return -1;
	str_copy(c->path, sizeof(c->path), path);
	c->rec = r;
	c->shown = c->path;
	{
		char cwd[4096];
		size_t k;
		if (getcwd(cwd, sizeof(cwd)) && (k = strlen(cwd)) > 1 &&
		    strncmp(c->path, cwd, k) == 0 && c->path[k] == '/')
			c->shown = c->path + k + 1;
	}
	c->err[0] = '\0';
	c->lost = 0;
	c->finished = false;
	*ev = drill_start(&c->d, t, name);
	return 0;
}

Event
drillctl_end(DrillCtl *c, double t)
{
	return drill_end(&c->d, t);
}

int
drillctl_finish(DrillCtl *c, char *err, size_t cap)
{
	int rc = recorder_close(c->rec, err, cap);

	c->rec = NULL;
	c->finished = true;
	return rc;
}

Event
drillctl_fault(DrillCtl *c, double t, const char *note)
{
	return drill_fault(&c->d, t, note);
}

Event
drillctl_marker(DrillCtl *c, double t, const char *note)
{
	return drill_marker(&c->d, t, note);
}

bool
drillctl_demo_fault(DrillCtl *c, double t, const char *note, Event *ev)
{
	if (!c->d.active || c->d.fault_marked)
		return false;
	*ev = drill_fault(&c->d, t, note);
	return true;
}

int
drillctl_on_event(DrillCtl *c, const Event *ev, const EventSink *out)
{
	EventSink sink = {.fn = collect, .ctx = c};
	Event ph[PHASES_MAX];
	int n, rc = 0;

	if (c->rec) {
		rc = recorder_write(c->rec, ev);
		if (rc != 0) {
			const char *e = recorder_error(c->rec);
			str_copy(c->err, sizeof(c->err), e ? e : "write error");
			c->lost = recorder_lost(c->rec);
		}
	}
	if (ev->type == EV_DRILL)
		return rc; /* the tracker's own or its phases: nothing to feed */
	c->nphases = 0;
	drill_feed(&c->d, ev, &sink);
	/* passed on after drill_feed returned: out comes back here */
	n = c->nphases;
	memcpy(ph, c->phases, (size_t)n * sizeof(ph[0]));
	for (int i = 0; out && i < n; i++)
		out->fn(out->ctx, &ph[i]);
	return rc;
}

void
drillctl_status(
    const DrillCtl *c, double now, char *buf, size_t cap, bool *error)
{
	DrillSnap s;
	size_t n;

	drill_snapshot(&c->d, now, &s);
	if (c->finished && !s.recording && s.reached[DRILL_START]) {
		long secs = (long)s.elapsed;
		snprintf(buf, cap, "drill %s ended %02ld:%02ld, log %s", s.name,
		    secs / 60, secs % 60, c->shown ? c->shown : c->path);
	} else
		drill_status(&s, buf, cap);
	*error = c->err[0] != '\0';
	n = strlen(buf);
	if (n == 0)
		return;
	if (c->err[0] && n < cap)
		snprintf(buf + n, cap - n, "  NOT RECORDED (%lu lost): %s",
		    c->lost, c->err);
}

void
drillctl_status_short(const DrillCtl *c, double now, char *buf, size_t cap)
{
	DrillSnap s;
	long secs;
	int last = -1;
	size_t n;

	if (cap == 0)
		return;
	buf[0] = '\0';
	drill_snapshot(&c->d, now, &s);
	if (!s.reached[DRILL_START])
		return;
	secs = (long)floor(s.elapsed);
	if (c->finished && !s.recording) {
		snprintf(buf, cap, "log %s", drillctl_shown(c));
		return;
	}
	for (int p = DRILL_FAULT; p <= DRILL_RESTORED; p++)
		if (s.reached[p])
			last = p;
	snprintf(buf, cap, "%s %02ld:%02ld", s.recording ? "REC" : "drill",
	    secs / 60, secs % 60);
	n = strlen(buf);
	if (last >= 0 && n < cap)
		snprintf(buf + n, cap - n, " %s +%.1fs",
		    drill_phase_name((DrillPhase)last),
		    s.at[last] - (s.have_fault ? s.fault_t : s.started));
	n = strlen(buf);
	if (c->err[0] && n < cap)
		snprintf(buf + n, cap - n, " NOT RECORDED (%lu lost)", c->lost);
}
