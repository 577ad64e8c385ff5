/*
 * logfile: where drill logs go: the file name of a drill log from the
 * service, the wall-clock time and the drill's name. Pure apart from
 * gmtime_r; no I/O.
 */
#ifndef DRTOP_LOGFILE_H
#define DRTOP_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The drill log's file name (no directory):
 * "<service>-<YYYYmmddTHHMMSSZ>-<name>.jsonl", the UTC time from
 * realtime (seconds since the epoch), service and name sanitised to
 * [A-Za-z0-9._-] (anything else becomes '_', a leading '.' too; an empty
 * name becomes "drill", an empty service "drtop"). Returns false when it
 * does not fit in cap (buf then holds a truncated, still valid name).
 */
bool logfile_drill_name(const char *service, double realtime, const char *name,
    char *buf, size_t cap);

#endif
